// Gemini Live emulation: text turns, audio turns (automatic and manual activity
// detection), audioStreamEnd, transcriptions, barge-in, usageMetadata.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  stopEmulator, session, turnDone, textOf, audioOf, pcm16, sendAudio, sleep, NATIVE,
} from './gemini-harness.mjs';

after(stopEmulator);

const FAST = { emu_speed: 20 };
const TEXT = { generationConfig: { responseModalities: ['TEXT'] } };

test('text turn: streamed text parts, generationComplete, then turnComplete + usageMetadata', async () => {
  const c = await session(TEXT);
  c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'Hello what should we talk about?' }] }], turnComplete: true } });
  await c.next(turnDone);
  const msgs = c.messages.slice(1);
  assert.equal(textOf(msgs), 'You said: "Hello what should we talk about?" (turn 1).');
  assert.ok(msgs.filter((m) => m.serverContent?.modelTurn).length >= 2, 'streamed in several frames');
  const gi = msgs.findIndex((m) => m.serverContent?.generationComplete === true);
  const ti = msgs.findIndex(turnDone);
  assert.ok(gi > 0 && ti === gi + 1, 'generationComplete right before turnComplete');
  assert.deepEqual(Object.keys(msgs[gi]), ['serverContent']);
  assert.deepEqual(Object.keys(msgs[gi].serverContent), ['generationComplete']);
  const u = msgs[ti].usageMetadata;
  assert.deepEqual(Object.keys(u), ['promptTokenCount', 'responseTokenCount', 'totalTokenCount', 'promptTokensDetails', 'responseTokensDetails']);
  assert.equal(u.totalTokenCount, u.promptTokenCount + u.responseTokenCount);
  assert.deepEqual(u.promptTokensDetails.map((d) => d.modality), ['TEXT']);
  assert.deepEqual(u.responseTokensDetails, [{ modality: 'TEXT', tokenCount: u.responseTokenCount }]);
  assert.ok(c.frames.every((f) => f.binary), 'every server frame is binary');
  // the history carries on: the second turn is numbered 2 and the prompt grew
  c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'again' }] }], turnComplete: true } });
  const second = await c.next(turnDone, { from: c.frames.length });
  assert.ok(second.usageMetadata.promptTokenCount > u.promptTokenCount);
  assert.match(textOf(c.messages.slice(ti + 2)), /"again" \(turn 2\)/);
  c.close();
});

test('clientContent without turnComplete only appends; a later turnComplete answers', async () => {
  const c = await session(TEXT);
  c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'first part' }] }] } });
  await sleep(150);
  assert.equal(c.frames.length, 1, 'no answer without turnComplete');
  c.send({ clientContent: { turnComplete: true } });
  await c.next(turnDone);
  assert.equal(textOf(c.messages), 'You said: "first part" (turn 1).');
  c.close();
});

test('realtimeInput.text is answered without turnComplete', async () => {
  const c = await session(TEXT);
  c.send({ realtimeInput: { text: 'Are you there Gemini?' } });
  await c.next(turnDone);
  assert.equal(textOf(c.messages), 'You said: "Are you there Gemini?" (turn 1).');
  c.close();
});

test('recap lists the earlier user texts', async () => {
  const c = await session(TEXT);
  c.send({ realtimeInput: { text: 'alpha' } });
  await c.next(turnDone);
  const from = c.frames.length;
  c.send({ realtimeInput: { text: 'recap' } });
  await c.next(turnDone, { from });
  assert.equal(textOf(c.messages.slice(from)), 'So far you said: "alpha".');
  c.close();
});

test('AUDIO text turn: 24 kHz inlineData paced, outputTranscription, AUDIO usage', async () => {
  const c = await session({ generationConfig: { responseModalities: ['AUDIO'] }, outputAudioTranscription: {} }, FAST);
  c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'hi' }] }], turnComplete: true } });
  const done = await c.next(turnDone);
  const msgs = c.messages;
  const parts = audioOf(msgs);
  assert.ok(parts.length > 3);
  for (const p of parts) assert.equal(p.inlineData.mimeType, 'audio/pcm;rate=24000');
  const bytes = parts.reduce((n, p) => n + Buffer.from(p.inlineData.data, 'base64').length, 0);
  const reply = 'You said: "hi" (turn 1).';
  assert.equal(bytes, reply.length * Math.round(24000 * 0.07) * 2, 'synthetic voice: 70 ms per character');
  const transcript = msgs.map((m) => m.serverContent?.outputTranscription?.text ?? '').join('');
  assert.equal(transcript, reply);
  assert.ok(msgs.some((m) => m.serverContent?.generationComplete));
  assert.deepEqual(done.usageMetadata.responseTokensDetails.map((d) => d.modality), ['AUDIO']);
  c.close();
});

test('audio turn with automatic activity detection: echo of the utterance at 24 kHz + transcriptions', async () => {
  const c = await session(
    { generationConfig: { responseModalities: ['AUDIO'] }, inputAudioTranscription: {}, outputAudioTranscription: {} },
    FAST,
  );
  sendAudio(c, pcm16([[300, 0], [1000, 9000], [800, 0]]));
  const done = await c.next(turnDone);
  const msgs = c.messages;
  const input = msgs.find((m) => m.serverContent?.inputTranscription);
  assert.match(input.serverContent.inputTranscription.text, /^\[speech 1\.\d\d s\]$/);
  const secs = Number(/([\d.]+) s/.exec(input.serverContent.inputTranscription.text)[1]);
  assert.ok(secs >= 1.0 && secs <= 1.2, `utterance ≈ 1 s of speech, got ${secs}`);
  const out = msgs.map((m) => m.serverContent?.outputTranscription?.text ?? '').join('');
  assert.equal(out, `[echo ${secs.toFixed(2)} s]`);
  const samples = audioOf(msgs).reduce((n, p) => n + Buffer.from(p.inlineData.data, 'base64').length / 2, 0);
  assert.ok(Math.abs(samples - secs * 24000) <= 24, `echo resampled to 24 kHz (${samples} samples)`);
  const prompt = Object.fromEntries(done.usageMetadata.promptTokensDetails.map((d) => [d.modality, d.tokenCount]));
  assert.ok(prompt.AUDIO >= 32, 'input audio counted by modality');
  c.close();
});

test('VAD honours silenceDurationMs: a 400 ms pause does not end the turn when 800 ms are required', async () => {
  const c = await session(
    { ...TEXT, realtimeInputConfig: { automaticActivityDetection: { silenceDurationMs: 800 } } },
    FAST,
  );
  sendAudio(c, pcm16([[500, 9000], [400, 0], [500, 9000], [1000, 0]]));
  await c.next(turnDone);
  const turns = c.messages.filter(turnDone).length;
  assert.equal(turns, 1);
  assert.match(textOf(c.messages), /^I heard 1\.[3-5]\d s of audio\.$/);
  c.close();
});

test('VAD: quiet audio under the LOW start sensitivity threshold is not speech', async () => {
  const c = await session(
    { ...TEXT, realtimeInputConfig: { automaticActivityDetection: { startOfSpeechSensitivity: 'START_SENSITIVITY_LOW' } } },
    FAST,
  );
  sendAudio(c, pcm16([[1000, 800], [1000, 0]])); // ≈ -36 dBFS: speech for HIGH, noise for LOW
  await sleep(300);
  assert.equal(c.messages.filter(turnDone).length, 0);
  sendAudio(c, pcm16([[600, 12000], [1000, 0]]));
  await c.next(turnDone);
  c.close();
  // the same quiet audio is speech under the default (HIGH) sensitivity
  const h = await session(TEXT, FAST);
  sendAudio(h, pcm16([[1000, 800], [1000, 0]]));
  await h.next(turnDone);
  assert.match(textOf(h.messages), /^I heard 1\.\d\d s of audio\.$/);
  h.close();
});

test('audioStreamEnd flushes an open utterance', async () => {
  const c = await session(TEXT, FAST);
  sendAudio(c, pcm16([[700, 9000]])); // no trailing silence
  await sleep(200);
  assert.equal(c.messages.filter(turnDone).length, 0);
  c.send({ realtimeInput: { audioStreamEnd: true } });
  await c.next(turnDone);
  assert.match(textOf(c.messages), /^I heard 0\.[67]\d s of audio\.$/);
  c.close();
});

test('manual activity: activityStart / audio / activityEnd (even silent audio) is answered', async () => {
  const c = await session({ ...TEXT, realtimeInputConfig: { automaticActivityDetection: { disabled: true } } });
  c.send({ realtimeInput: { activityStart: {} } });
  sendAudio(c, pcm16([[500, 0]]));
  c.send({ realtimeInput: { activityEnd: {} } });
  await c.next(turnDone);
  assert.equal(textOf(c.messages), 'I heard 0.50 s of audio.');
  c.close();
});

test('manual activity: audio outside an activity is not a turn', async () => {
  const c = await session({ ...TEXT, realtimeInputConfig: { automaticActivityDetection: { disabled: true } } });
  sendAudio(c, pcm16([[800, 9000], [900, 0]]));
  await sleep(200);
  assert.equal(c.frames.length, 1);
  c.close();
});

test('activityStart with automatic detection on closes 1007', async () => {
  const c = await session(TEXT);
  c.send({ realtimeInput: { activityStart: {} } });
  const { code, reason } = await c.closedWithin();
  assert.equal(code, 1007);
  assert.equal(reason, 'Explicit activity control is not supported when automatic activity detection is enabled.');
});

test('audio with a non-PCM mime type closes 1007', async () => {
  const c = await session(TEXT);
  c.send({ realtimeInput: { audio: { mimeType: 'audio/wav', data: 'AAAA' } } });
  const { code, reason } = await c.closedWithin();
  assert.equal(code, 1007);
  assert.equal(reason, 'Request contains an invalid argument.');
});

test('audio at another PCM rate (rate in the mime type) is resampled to 16 kHz', async () => {
  const c = await session(TEXT, FAST);
  sendAudio(c, pcm16([[1000, 9000], [800, 0]], 48000), { rate: 48000 });
  await c.next(turnDone);
  assert.match(textOf(c.messages), /^I heard (0\.9\d|1\.\d\d) s of audio\.$/);
  c.close();
});

test('deprecated mediaChunks audio is accepted like realtimeInput.audio', async () => {
  const c = await session(TEXT, FAST);
  const pcm = pcm16([[600, 9000], [800, 0]]);
  c.send({ realtimeInput: { mediaChunks: [{ mimeType: 'audio/pcm;rate=16000', data: pcm.toString('base64') }] } });
  await c.next(turnDone);
  assert.match(textOf(c.messages), /^I heard 0\.\d\d s of audio\.$/);
  c.close();
});

test('barge-in: speech during an audio reply → interrupted, then turnComplete without generationComplete', async () => {
  const c = await session({ generationConfig: { responseModalities: ['AUDIO'] } }, { emu_speed: 1 });
  c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'tell me a long story please, a long one' }] }], turnComplete: true } });
  await c.next((m) => m.serverContent?.modelTurn?.parts?.[0]?.inlineData);
  const from = c.frames.length;
  sendAudio(c, pcm16([[400, 9000]]));
  await c.next((m) => m.serverContent?.interrupted === true);
  const ended = await c.next(turnDone);
  const idx = c.messages.indexOf(ended);
  const between = c.messages.slice(from, idx);
  assert.ok(!between.some((m) => m.serverContent?.generationComplete), 'no generationComplete for the cut turn');
  assert.ok(ended.usageMetadata, 'usage still reported');
  const afterCut = c.frames.length;
  await sleep(150);
  assert.ok(!c.messages.slice(afterCut).some((m) => m.serverContent?.modelTurn), 'the cut reply stops streaming');
  c.close();
});

test('NO_INTERRUPTION: speech during a reply does not interrupt it', async () => {
  const c = await session(
    { generationConfig: { responseModalities: ['AUDIO'] }, realtimeInputConfig: { activityHandling: 'NO_INTERRUPTION' } },
    { emu_speed: 4 },
  );
  c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'a reply long enough to talk over' }] }], turnComplete: true } });
  await c.next((m) => m.serverContent?.modelTurn?.parts?.[0]?.inlineData);
  sendAudio(c, pcm16([[400, 9000], [700, 0]]));
  await c.next(turnDone);
  assert.ok(!c.messages.some((m) => m.serverContent?.interrupted));
  assert.ok(c.messages.some((m) => m.serverContent?.generationComplete));
  // the spoken turn is answered after the first reply
  await c.next((m) => turnDone(m), { from: c.messages.findIndex(turnDone) + 1 });
  c.close();
});

test('native-audio model defaults to AUDIO replies', async () => {
  const c = await session({ model: NATIVE }, FAST);
  c.send({ realtimeInput: { text: 'hello' } });
  await c.next(turnDone);
  assert.ok(audioOf(c.messages).length > 0);
  assert.equal(textOf(c.messages), '');
  c.close();
});
