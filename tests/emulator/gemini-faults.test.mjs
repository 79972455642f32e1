// Gemini Live emulation: every emu_* fault knob of www/emulator/faults.mjs
// applied to Gemini frames, Gemini's own knobs (speed, goAway, connection
// limit) and the per-tag recordings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  emulator, stopEmulator, session, turnDone, textOf, audioOf, pcm16, sendAudio, sleep,
} from './gemini-harness.mjs';

after(stopEmulator);

const TEXT = { generationConfig: { responseModalities: ['TEXT'] } };
const AUDIO = { generationConfig: { responseModalities: ['AUDIO'] } };
const hello = { realtimeInput: { text: 'hello there, this is a fault test' } };

test('emu_close_after=N + emu_close_code/emu_close_reason: close frame after the Nth frame', async () => {
  const c = await session(TEXT, { emu_close_after: 2, emu_close_code: 4000, emu_close_reason: 'bye now' });
  c.send(hello);
  assert.deepEqual(await c.closedWithin(), { code: 4000, reason: 'bye now' });
  assert.equal(c.frames.length, 2, 'setupComplete + one reply frame');
  assert.ok(c.messages[1].serverContent.modelTurn);
});

test('emu_close_after without a code drops the connection abruptly (1006, no close frame)', async () => {
  const c = await session(TEXT, { emu_close_after: 1 });
  const { code } = await c.closedWithin();
  assert.equal(code, 1006);
  assert.equal(c.frames.length, 1);
});

test('emu_close_mid_audio=K: the connection ends right after the Kth audio chunk', async () => {
  const c = await session(AUDIO, { emu_close_mid_audio: 3, emu_close_code: 1011, emu_close_reason: 'mid audio', emu_speed: 10 });
  c.send(hello);
  assert.deepEqual(await c.closedWithin(), { code: 1011, reason: 'mid audio' });
  assert.equal(audioOf(c.messages).length, 3);
  assert.ok(!c.messages.some(turnDone));
});

test('emu_malformed_after=N: one binary frame that is not JSON, then the turn goes on', async () => {
  const c = await session(TEXT, { emu_malformed_after: 1 });
  c.send(hello);
  await c.next(turnDone);
  assert.ok(c.frames[1].msg.__unparsable !== undefined, 'frame 2 is not JSON');
  assert.equal(c.frames[1].binary, true);
  assert.equal(textOf(c.messages), 'You said: "hello there, this is a fault test" (turn 1).');
  c.close();
});

test('emu_unknown_after=N: one well-formed message with an unknown top-level key', async () => {
  const c = await session(TEXT, { emu_unknown_after: 1 });
  await c.next((m) => m.emulatorUnknownMessage);
  assert.ok(c.frames[1].msg.emulatorUnknownMessage, JSON.stringify(c.frames[1]?.msg));
  assert.equal(c.frames[1].binary, true);
  c.send(hello);
  await c.next(turnDone);
  c.close();
});

test('emu_oversized_after=N + emu_oversized_bytes: one oversized frame', async () => {
  const c = await session(TEXT, { emu_oversized_after: 1, emu_oversized_bytes: 300000 });
  await c.next((m) => m.type === 'emulator.oversized_event');
  assert.equal(c.frames[1].raw.length, 300000);
  c.close();
});

test('emu_delay_ms / emu_delay_after: frames after the Nth are held, order kept', async () => {
  const c = await session(TEXT, { emu_delay_ms: 300, emu_delay_after: 1 });
  const t0 = Date.now();
  c.send(hello);
  await c.next((m) => m.serverContent?.modelTurn);
  assert.ok(Date.now() - t0 >= 280, `first reply frame delayed (${Date.now() - t0} ms)`);
  await c.next(turnDone);
  assert.equal(textOf(c.messages), 'You said: "hello there, this is a fault test" (turn 1).');
  c.close();
});

test('emu_error_after=N: the server error of Gemini is a close 1011 "Internal error encountered."', async () => {
  const c = await session(TEXT, { emu_error_after: 2 });
  c.send(hello);
  assert.deepEqual(await c.closedWithin(), { code: 1011, reason: 'Internal error encountered.' });
  assert.equal(c.frames.length, 2);
});

test('emu_expire_after_ms: goAway 60 s before (or half-way), then close 1011 at the limit', async () => {
  const c = await session(TEXT, { emu_expire_after_ms: 600 });
  const { goAway } = await c.next((m) => m.goAway);
  assert.deepEqual(goAway, { timeLeft: '1s' }); // 300 ms left, rounded up to whole seconds
  assert.deepEqual(await c.closedWithin(3000), { code: 1011, reason: 'Deadline expired before operation could complete.' });
});

test('emu_speed: audio replies are paced in real time by default and F× faster with emu_speed=F', async () => {
  const reply = 'You said: "pace" (turn 1).'; // 26 chars × 70 ms = 1.82 s of audio
  const timeIt = async (query) => {
    const c = await session(AUDIO, query);
    const t0 = Date.now();
    c.send({ realtimeInput: { text: 'pace' } });
    await c.next(turnDone, { timeout: 8000 });
    c.close();
    return Date.now() - t0;
  };
  const slow = await timeIt({});
  const fast = await timeIt({ emu_speed: 8 });
  assert.ok(slow >= 1700, `real-time pacing (${slow} ms for ${reply.length * 70} ms of audio)`);
  assert.ok(fast < 700, `emu_speed=8 is faster (${fast} ms)`);
});

test('emu_tag: recordings summary and input.wav of the received audio', async () => {
  const tag = `gemini-rec-${Date.now()}`;
  const c = await session({ ...TEXT, inputAudioTranscription: {} }, { emu_tag: tag, emu_speed: 20 });
  const pcm = pcm16([[200, 0], [800, 9000], [800, 0]]);
  sendAudio(c, pcm);
  await c.next(turnDone);
  c.close();
  await sleep(100);
  const { base } = await emulator();
  const summary = await (await fetch(`${base}/emulator/recordings/${tag}`)).json();
  assert.equal(summary.provider, 'gemini');
  assert.equal(summary.input_audio.rate, 16000);
  assert.equal(summary.input_audio.samples, pcm.length / 2);
  assert.equal(summary.events_received.setup, 1);
  assert.equal(summary.events_received['realtimeInput.audio'], 18);
  assert.equal(summary.events.speech_started, 1);
  assert.equal(summary.events.speech_stopped, 1);
  assert.ok(summary.events['sent.serverContent+usageMetadata'] >= 1);
  const wav = Buffer.from(await (await fetch(`${base}/emulator/recordings/${tag}/input.wav`)).arrayBuffer());
  assert.equal(wav.toString('ascii', 0, 4), 'RIFF');
  assert.equal(wav.readUInt32LE(24), 16000);
  assert.ok(wav.subarray(44).equals(pcm), 'the WAV holds exactly the audio sent');
});

test('emu_close_code that a close frame cannot carry (1005) drops the connection instead', async () => {
  const c = await session(TEXT, { emu_close_after: 1, emu_close_code: 1005 });
  const { code } = await c.closedWithin();
  assert.equal(code, 1006);
});
