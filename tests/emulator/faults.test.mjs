// Fault knobs (emu_* query parameters) applied to the OpenAI emulation, plus the
// frame wrapper's binary mode (what the Gemini emulation uses).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, update, stopEmulator, userText } from './openai-harness.mjs';
import { parseFaults, DEFAULT_OVERSIZED_BYTES } from '../../www/emulator/faults.mjs';

after(stopEmulator);

test('emu_close_after=N drops the connection after N frames (default 1006, no close frame)', async () => {
  const c = await connect({ query: { emu_close_after: 2 } });
  update(c, { instructions: 'x' }).catch(() => {});
  const info = await c.closed;
  assert.equal(info.code, 1006);
  assert.deepEqual(c.types(), ['session.created', 'session.updated']);
  c.assertSchemaValid();
});

test('emu_close_code / emu_close_reason send a close frame; N=0 closes before any event', async () => {
  const c = await connect({ query: { emu_close_after: 0, emu_close_code: 4001, emu_close_reason: 'bye now' }, waitCreated: false });
  const info = await c.closed;
  assert.deepEqual(info, { code: 4001, reason: 'bye now' });
  assert.equal(c.frames.length, 0);
});

test('emu_close_mid_audio=K closes right after the Kth audio delta', async () => {
  const c = await connect({ query: { emu_close_mid_audio: 2, emu_close_code: 1011, emu_speed: 20 } });
  c.send(userText('a few words to speak aloud'));
  c.send({ type: 'response.create' });
  const info = await c.closed;
  assert.equal(info.code, 1011);
  assert.equal(c.events.at(-1).type, 'response.output_audio.delta');
  assert.equal(c.ofType('response.output_audio.delta').length, 2);
  assert.equal(c.ofType('response.done').length, 0);
  c.assertSchemaValid();
});

test('emu_malformed_after=N sends one frame that is not JSON, then continues', async () => {
  const c = await connect({ query: { emu_malformed_after: 1 } });
  await update(c, { instructions: 'still works' });
  assert.throws(() => JSON.parse(c.frames[1]));
  assert.equal(JSON.parse(c.frames[2]).type, 'session.updated');
  await c.close();
});

test('emu_unknown_after=N sends one well-formed event of an unknown type', async () => {
  const c = await connect({ query: { emu_unknown_after: 1 } });
  await update(c, {});
  assert.equal(c.events[1].type, 'emulator.unknown_event');
  assert.match(c.events[1].event_id, /^event_/);
  assert.equal(c.events[2].type, 'session.updated');
  await c.close();
});

test('emu_oversized_after=N sends one oversized frame (default 16 MiB + 1, or emu_oversized_bytes)', async () => {
  const c = await connect({ query: { emu_oversized_after: 1, emu_oversized_bytes: 100000 } });
  await update(c, {});
  assert.equal(Buffer.byteLength(c.frames[1]), 100000);
  assert.equal(JSON.parse(c.frames[1]).type, 'emulator.oversized_event');
  await c.close();
  const d = await connect({ query: { emu_oversized_after: 1 } });
  await update(d, {});
  assert.equal(Buffer.byteLength(d.frames[1]), DEFAULT_OVERSIZED_BYTES);
  await d.close();
});

test('emu_delay_ms + emu_delay_after hold later frames, in order', async () => {
  const c = await connect({ query: { emu_delay_ms: 300, emu_delay_after: 1 } });
  const t0 = Date.now();
  c.send({ type: 'session.update', session: { type: 'realtime', instructions: 'a' } });
  c.send({ type: 'session.update', session: { type: 'realtime', instructions: 'b' } });
  await c.next((e) => e.type === 'session.updated' && e.session.instructions === 'b');
  const dt = Date.now() - t0;
  assert.ok(dt >= 280, `delayed by ${dt} ms`);
  assert.ok(dt < 1000, `the delay is not cumulative (${dt} ms)`);
  assert.deepEqual(c.ofType('session.updated').map((e) => e.session.instructions), ['a', 'b']);
  await c.close();
});

test('emu_error_after=N injects a server_error event; the session continues', async () => {
  const c = await connect({ query: { emu_error_after: 1 } });
  await update(c, {});
  assert.equal(c.events[1].type, 'error');
  assert.equal(c.events[1].error.type, 'server_error');
  assert.equal(c.events[2].type, 'session.updated');
  await c.close();
});

test('emu_speed paces audio replies (real time ÷ speed)', async () => {
  const timeReply = async (speed) => {
    const c = await connect({ query: { emu_speed: speed } });
    c.send(userText('one two three'));
    const t0 = Date.now();
    c.send({ type: 'response.create' });
    await c.next('response.done');
    await c.close();
    return Date.now() - t0;
  };
  // "You said: one two three" = 5 words × 220 ms = 1.1 s of audio
  const fast = await timeReply(10);
  const real = await timeReply(1);
  assert.ok(real >= 1000, `real time: ${real} ms`);
  assert.ok(fast < 700, `10× faster: ${fast} ms`);
});

test('parseFaults reads every knob; the wrapper applies them to binary frames too', async () => {
  const f = parseFaults('/x?emu_close_after=5&emu_close_code=4000&emu_close_reason=r&emu_close_mid_audio=1&emu_malformed_after=2&emu_unknown_after=3&emu_oversized_after=4&emu_oversized_bytes=64&emu_delay_ms=10&emu_delay_after=1&emu_error_after=2&emu_expire_after_ms=99&emu_goaway_after_ms=77&emu_speed=4&emu_tag=t');
  assert.deepEqual(
    [f.closeAfter, f.closeCode, f.closeReason, f.closeMidAudio, f.malformedAfter, f.unknownAfter, f.oversizedAfter, f.oversizedBytes, f.delayMs, f.delayAfter, f.errorAfter, f.expireAfterMs, f.goawayAfterMs, f.speed, f.tag],
    [5, 4000, 'r', 1, 2, 3, 4, 64, 10, 1, 2, 99, 77, 4, 't'],
  );
  const frames = [];
  const closes = [];
  const g = parseFaults('?emu_unknown_after=1&emu_error_after=2&emu_close_after=3&emu_close_code=1011');
  const send = g.wrap((p) => frames.push(p), { binary: true, close: (code, reason) => closes.push([code, reason]), unknown: () => ({ unknownServerMessage: {} }) });
  for (let i = 0; i < 5; i++) send({ serverContent: { i } });
  assert.ok(frames.every((p) => Buffer.isBuffer(p)), 'binary frames stay binary');
  assert.deepEqual(frames.map((p) => JSON.parse(p.toString())), [{ serverContent: { i: 0 } }, { unknownServerMessage: {} }, { serverContent: { i: 1 } }]);
  assert.deepEqual(closes, [[1011, 'Internal error occurred.']], 'without an error message the fault is a 1011 close');
  assert.equal(send.closed, true);
});
