// Gemini Live emulation: session resumption across connections, goAway and
// the connection limit.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  stopEmulator, session, turnDone, textOf, emulator, mintToken, connect, V1BETA, MODEL,
} from './gemini-harness.mjs';

after(stopEmulator);

const TEXT = { generationConfig: { responseModalities: ['TEXT'] } };

test('sessionResumptionUpdate after each turn; a new connection resumes the history with the handle', async () => {
  const a = await session({ ...TEXT, sessionResumption: {} });
  const first = await a.next((m) => m.sessionResumptionUpdate);
  assert.equal(a.messages.indexOf(first), 1, 'a first handle right after setupComplete');
  a.send({ realtimeInput: { text: 'remember the word tangerine' } });
  await a.next(turnDone);
  const from = a.messages.findIndex(turnDone) + 1;
  const { sessionResumptionUpdate: u } = await a.next((m) => m.sessionResumptionUpdate, { from });
  assert.equal(a.messages.findIndex((m, i) => i >= from && m.sessionResumptionUpdate), from, 'the update follows turnComplete');
  assert.equal(u.resumable, true);
  assert.equal(typeof u.newHandle, 'string');
  assert.ok(u.newHandle.length > 10);
  assert.notEqual(u.newHandle, first.sessionResumptionUpdate.newHandle);
  a.close();

  const b = await session({ ...TEXT, sessionResumption: { handle: u.newHandle } });
  b.send({ realtimeInput: { text: 'recap' } });
  await b.next(turnDone);
  assert.equal(textOf(b.messages), 'So far you said: "remember the word tangerine".');
  b.send({ realtimeInput: { text: 'next' } });
  await b.next(turnDone, { from: b.messages.findIndex(turnDone) + 1 });
  assert.match(textOf(b.messages), /"next" \(turn 3\)/);
  b.close();
});

test('without sessionResumption in setup no update is sent', async () => {
  const c = await session(TEXT);
  c.send({ realtimeInput: { text: 'x' } });
  await c.next(turnDone);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(!c.messages.some((m) => m.sessionResumptionUpdate));
  c.close();
});

test('an unknown resumption handle closes 1008 "Requested entity was not found."', async () => {
  const { base } = await emulator();
  const { token } = await mintToken(base);
  const c = await connect(V1BETA, { key: token });
  c.send({ setup: { model: MODEL, ...TEXT, sessionResumption: { handle: 'emu-resume-doesnotexist' } } });
  assert.deepEqual(await c.closedWithin(), { code: 1008, reason: 'Requested entity was not found.' });
  assert.equal(c.frames.length, 0, 'no setupComplete');
});

test('goAway{timeLeft:"Ns"} before the connection limit, then close 1011', async () => {
  const t0 = Date.now();
  const c = await session(TEXT, { emu_goaway_after_ms: 200, emu_conn_limit_ms: 1400 });
  const { goAway } = await c.next((m) => m.goAway);
  assert.deepEqual(goAway, { timeLeft: '2s' });
  const { code, reason } = await c.closedWithin(4000);
  assert.equal(code, 1011);
  assert.equal(reason, 'Deadline expired before operation could complete.');
  const elapsed = Date.now() - t0;
  assert.ok(elapsed >= 1300, `closed at the limit (${elapsed} ms)`);
});
