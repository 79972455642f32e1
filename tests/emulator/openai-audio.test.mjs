// OpenAI GA emulation: audio in (server VAD, semantic VAD, manual commit), echo replies,
// input transcription, barge-in + truncate, and the recordings control endpoint.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  connect, update, stopEmulator, emulator, speech, silence, concat, appendAudio, decodeB64, sleep, RATE,
} from './openai-harness.mjs';

after(stopEmulator);

const samplesAt = (ms) => Math.round((ms * RATE) / 1000);

test('server VAD turn: speech_started/stopped times, commit, echo reply of the utterance, recording', async () => {
  const tag = `vad-${Date.now()}`;
  const c = await connect({ query: { emu_speed: 20, emu_tag: tag } });
  await update(c, {
    audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.5, prefix_padding_ms: 100, silence_duration_ms: 300 } } },
  });
  const input = concat(silence(400), speech(800), silence(600));
  const from = c.events.length;
  appendAudio(c, input, 20);
  const started = await c.next('input_audio_buffer.speech_started', { from });
  assert.equal(started.audio_start_ms, 300, 'onset 400 ms minus 100 ms prefix padding');
  const stopped = await c.next('input_audio_buffer.speech_stopped', { from });
  assert.equal(stopped.audio_end_ms, 1500, 'end of speech (1200 ms) + 300 ms silence');
  assert.equal(stopped.item_id, started.item_id);
  const committed = await c.next('input_audio_buffer.committed', { from });
  assert.equal(committed.item_id, started.item_id);
  assert.equal(committed.previous_item_id, null);
  const done = await c.next('response.done', { from, timeout: 8000 });
  assert.equal(done.response.status, 'completed');
  const order = c.types(from).filter((t) => !t.startsWith('response.output_audio') || t.endsWith('.done'));
  assert.deepEqual(order.slice(0, 9), [
    'input_audio_buffer.speech_started', 'input_audio_buffer.speech_stopped', 'input_audio_buffer.committed',
    'conversation.item.added', 'conversation.item.done', 'response.created', 'response.output_item.added',
    'conversation.item.added', 'response.content_part.added',
  ]);
  const userItem = c.ofType('conversation.item.added')[0].item;
  assert.deepEqual(userItem.content, [{ type: 'input_audio', transcript: null }], 'audio bytes are not echoed back');
  // The reply is the user's utterance [300 ms, 1500 ms) played back.
  const out = concat(...c.ofType('response.output_audio.delta').map((e) => decodeB64(e.delta)));
  assert.equal(out.length, samplesAt(1200));
  assert.deepEqual(Array.from(out.subarray(0, 2000)), Array.from(input.subarray(samplesAt(300), samplesAt(300) + 2000)));
  assert.equal(done.response.output[0].content[0].transcript, '[echo 1.20 s]');
  assert.ok(done.response.usage.input_token_details.audio_tokens > 0);
  assert.ok(done.response.usage.output_token_details.audio_tokens > 0);

  const srv = await emulator();
  const rec = await (await fetch(`${srv.url}/emulator/recordings/${tag}`)).json();
  assert.equal(rec.provider, 'openai');
  assert.equal(rec.input_audio.rate, 24000);
  assert.equal(rec.input_audio.duration_ms, 1800);
  assert.equal(rec.events_received['input_audio_buffer.append'], 90);
  assert.equal(rec.events_received['session.update'], 1);
  assert.equal(rec.events_sent['response.done'], 1);
  assert.equal(rec.events_sent['input_audio_buffer.speech_started'], 1);
  assert.ok(rec.per_connection[0].timeline.some((t) => t.kind === 'speech_started' && t.audio_start_ms === 300));
  const itemId = done.response.output[0].id;
  assert.equal(rec.audio_sent[itemId].duration_ms, 1200);
  const wav = Buffer.from(await (await fetch(`${srv.url}/emulator/recordings/${tag}/input.wav`)).arrayBuffer());
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(24), 24000);
  assert.equal(wav.readUInt32LE(40), input.length * 2);
  assert.equal(wav.readInt16LE(44 + 2 * samplesAt(500)), input[samplesAt(500)]);
  await c.close();
});

test('VAD threshold is honoured and create_response:false commits without a response', async () => {
  const c = await connect({ query: { emu_speed: 20 } });
  await update(c, { audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.95, silence_duration_ms: 200 } } } });
  let from = c.events.length;
  appendAudio(c, concat(speech(500), silence(400)));
  await sleep(150);
  assert.equal(c.ofType('input_audio_buffer.speech_started').length, 0, '≈-14 dBFS speech is below a 0.95 threshold (-12.5 dBFS)');
  await update(c, { audio: { input: { turn_detection: { type: 'server_vad', threshold: 0.3, silence_duration_ms: 200, create_response: false } } } });
  from = c.events.length;
  appendAudio(c, concat(speech(500), silence(400)));
  await c.next('input_audio_buffer.committed', { from });
  await sleep(150);
  assert.equal(c.ofType('response.created').length, 0);
  await c.close();
});

test('semantic_vad is accepted and ends turns (eagerness high)', async () => {
  const c = await connect({ query: { emu_speed: 20 } });
  const u = await update(c, { audio: { input: { turn_detection: { type: 'semantic_vad', eagerness: 'high' } } } });
  assert.equal(u.session.audio.input.turn_detection.type, 'semantic_vad');
  const from = c.events.length;
  appendAudio(c, concat(silence(100), speech(600), silence(600)));
  const stopped = await c.next('input_audio_buffer.speech_stopped', { from });
  assert.equal(stopped.audio_end_ms, 700 + 400);
  await c.next('response.done', { from });
  await c.close();
});

test('manual commit: 100 ms minimum error, commit, clear, explicit response, transcription', async () => {
  const c = await connect({ query: { emu_speed: 20 } });
  await update(c, { audio: { input: { turn_detection: null, transcription: { model: 'gpt-4o-mini-transcribe' } } } });
  let from = c.events.length;
  c.send({ type: 'input_audio_buffer.commit', event_id: 'c0' });
  let err = await c.next('error', { from });
  assert.equal(err.error.code, 'input_audio_buffer_commit_empty');
  assert.match(err.error.message, /buffer only has 0\.00ms of audio/);
  assert.equal(err.error.event_id, 'c0');
  appendAudio(c, speech(50));
  from = c.events.length;
  c.send({ type: 'input_audio_buffer.commit', event_id: 'c1' });
  err = await c.next('error', { from });
  assert.match(err.error.message, /Expected at least 100ms of audio, but buffer only has 50\.00ms of audio/);
  appendAudio(c, speech(100));
  from = c.events.length;
  c.send({ type: 'input_audio_buffer.commit' });
  const committed = await c.next('input_audio_buffer.committed', { from });
  const completed = await c.next('conversation.item.input_audio_transcription.completed', { from });
  assert.equal(completed.item_id, committed.item_id);
  assert.equal(completed.transcript, '[heard 0.15 s]');
  assert.equal(c.ofType('conversation.item.input_audio_transcription.delta').map((e) => e.delta).join(''), '[heard 0.15 s]');
  assert.equal(c.ofType('response.created').length, 0, 'a manual commit does not create a response');
  from = c.events.length;
  c.send({ type: 'conversation.item.retrieve', item_id: committed.item_id });
  const got = await c.next('conversation.item.retrieved', { from });
  assert.equal(got.item.content[0].transcript, '[heard 0.15 s]');
  assert.equal(decodeB64(got.item.content[0].audio).length, samplesAt(150));
  // clear drops buffered audio
  appendAudio(c, speech(200));
  from = c.events.length;
  c.send({ type: 'input_audio_buffer.clear' });
  await c.next('input_audio_buffer.cleared', { from });
  c.send({ type: 'input_audio_buffer.commit' });
  err = await c.next('error', { from });
  assert.match(err.error.message, /0\.00ms/);
  from = c.events.length;
  c.send({ type: 'response.create' });
  const done = await c.next('response.done', { from });
  assert.equal(done.response.output[0].content[0].transcript, '[echo 0.15 s]');
  await c.close();
});

test('barge-in: speech during a paced reply cancels it (turn_detected); truncate is checked against audio sent', async () => {
  const tag = `barge-${Date.now()}`;
  const c = await connect({ query: { emu_speed: 2, emu_tag: tag } });
  await update(c, { audio: { input: { turn_detection: { type: 'server_vad', prefix_padding_ms: 0, silence_duration_ms: 200 } } } });
  let from = c.events.length;
  appendAudio(c, concat(speech(3000), silence(300)));
  const created = await c.next('response.created', { from });
  // let ~3 audio chunks (300 ms of reply audio) arrive, then the user speaks again
  await c.next((e) => e.type === 'response.output_audio.delta' && c.ofType('response.output_audio.delta').length >= 3, { from });
  from = c.events.length;
  appendAudio(c, speech(200));
  await c.next('input_audio_buffer.speech_started', { from });
  const done = await c.next((e) => e.type === 'response.done' && e.response.id === created.response.id, { from });
  assert.equal(done.response.status, 'cancelled');
  assert.deepEqual(done.response.status_details, { type: 'cancelled', reason: 'turn_detected' });
  const item = done.response.output[0];
  assert.equal(item.status, 'incomplete');
  assert.equal(c.ofType('response.output_item.done').at(-1).item.status, 'incomplete');
  const sent = c.ofType('response.output_audio.delta').filter((e) => e.item_id === item.id);
  const sentSamples = sent.reduce((n, e) => n + decodeB64(e.delta).length, 0);
  const sentMs = Math.floor((sentSamples * 1000) / RATE);
  assert.ok(sentMs >= 300 && sentMs < 3000, `partial audio sent (${sentMs} ms)`);
  const afterDone = c.events.slice(c.events.indexOf(done)).filter((e) => e.type === 'response.output_audio.delta' && e.item_id === item.id);
  assert.equal(afterDone.length, 0, 'no audio of the cancelled item after response.done');

  from = c.events.length;
  c.send({ type: 'conversation.item.truncate', event_id: 't1', item_id: item.id, content_index: 0, audio_end_ms: sentMs + 500 });
  const beyond = await c.next('error', { from });
  assert.equal(beyond.error.event_id, 't1');
  assert.equal(beyond.error.message, `Audio content of ${sentMs}ms is already shorter than ${sentMs + 500}ms`);
  from = c.events.length;
  c.send({ type: 'conversation.item.truncate', item_id: item.id, content_index: 0, audio_end_ms: 250 });
  const truncated = await c.next('conversation.item.truncated', { from });
  assert.deepEqual([truncated.item_id, truncated.content_index, truncated.audio_end_ms], [item.id, 0, 250]);
  from = c.events.length;
  c.send({ type: 'conversation.item.retrieve', item_id: item.id });
  const got = await c.next('conversation.item.retrieved', { from });
  assert.equal(decodeB64(got.item.content[0].audio).length, samplesAt(250));
  assert.equal(got.item.content[0].transcript, '', 'the unheard transcript is dropped');
  // user items cannot be truncated
  const userId = c.ofType('input_audio_buffer.committed')[0].item_id;
  from = c.events.length;
  c.send({ type: 'conversation.item.truncate', item_id: userId, content_index: 0, audio_end_ms: 10 });
  assert.equal((await c.next('error', { from })).error.message, 'Only model output audio messages can be truncated');

  const srv = await emulator();
  const rec = await (await fetch(`${srv.url}/emulator/recordings/${tag}`)).json();
  assert.deepEqual(rec.truncations.map((t) => [t.audio_end_ms, t.ok]), [[sentMs + 500, false], [250, true], [10, false]]);
  assert.equal(Math.floor(rec.truncations[0].audio_sent_ms), sentMs);
  assert.equal(Math.floor(rec.audio_sent[item.id].duration_ms), sentMs);
  await c.close();
});

test('G.711 μ-law input and output formats', async () => {
  const c = await connect({ query: { emu_speed: 20 } });
  await update(c, { audio: { input: { format: { type: 'audio/pcmu' }, turn_detection: null }, output: { format: { type: 'audio/pcmu' } } } });
  const bytes = Buffer.alloc(8000 * 0.2, 0x7f); // 200 ms of μ-law near-silence at 8 kHz
  c.send({ type: 'input_audio_buffer.append', audio: bytes.toString('base64') });
  const from = c.events.length;
  c.send({ type: 'input_audio_buffer.commit' });
  await c.next('input_audio_buffer.committed', { from });
  c.send({ type: 'response.create' });
  const done = await c.next('response.done', { from });
  assert.equal(done.response.output[0].content[0].transcript, '[echo 0.20 s]');
  const outBytes = c.ofType('response.output_audio.delta').reduce((n, e) => n + Buffer.from(e.delta, 'base64').length, 0);
  assert.equal(outBytes, 1600, '200 ms at 8 kHz, one byte per sample');
  await c.close();
});

test('idle_timeout_ms: after a response, silence triggers timeout_triggered, a commit and a response', async () => {
  const c = await connect({ query: { emu_speed: 50 } });
  await update(c, { output_modalities: ['text'], audio: { input: { turn_detection: { type: 'server_vad', idle_timeout_ms: 5000 } } } });
  c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
  let from = c.events.length;
  c.send({ type: 'response.create' });
  await c.next('response.done', { from });
  from = c.events.length;
  appendAudio(c, silence(300));
  const t = await c.next('input_audio_buffer.timeout_triggered', { from, timeout: 3000 });
  assert.equal(t.audio_end_ms - t.audio_start_ms, 300);
  const committed = await c.next('input_audio_buffer.committed', { from });
  assert.equal(committed.item_id, t.item_id);
  const done = await c.next('response.done', { from });
  assert.equal(done.response.output[0].content[0].text, 'Are you still there?');
  await c.close();
});

test('speech disarms the idle timeout; silent audio fails transcription with …transcription.failed', async () => {
  const c = await connect({ query: { emu_speed: 50 } });
  await update(c, { output_modalities: ['text'], audio: { input: { transcription: { model: 'whisper-1' }, turn_detection: { type: 'server_vad', idle_timeout_ms: 5000, create_response: false } } } });
  c.send({ type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] } });
  let from = c.events.length;
  c.send({ type: 'response.create' });
  await c.next('response.done', { from });
  from = c.events.length;
  appendAudio(c, concat(speech(300), silence(600)));
  const done = await c.next('conversation.item.input_audio_transcription.completed', { from });
  assert.equal(done.usage.type, 'duration');
  await sleep(200);
  assert.equal(c.ofType('input_audio_buffer.timeout_triggered').length, 0);
  // manual commit of pure silence → transcription failed
  await update(c, { audio: { input: { turn_detection: null } } });
  from = c.events.length;
  appendAudio(c, silence(200));
  c.send({ type: 'input_audio_buffer.commit' });
  const failed = await c.next('conversation.item.input_audio_transcription.failed', { from });
  assert.equal(failed.error.code, 'audio_unintelligible');
  assert.equal(c.ofType('error').length, 0, 'a transcription failure is not an error event');
  await c.close();
});
