// emu_latency_ms=L: every frame takes L ms more in each direction, order kept, on both providers.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { connect, update, stopEmulator, userText } from './openai-harness.mjs';
import * as gemini from './gemini-harness.mjs';
import { delayFrames } from '../../www/emulator/latency.mjs';
import { parseFaults } from '../../www/emulator/faults.mjs';

after(async () => {
  await stopEmulator();
  await gemini.stopEmulator();
});

const L = 120;

test('emu_latency_ms is parsed', () => {
  assert.equal(parseFaults('?emu_latency_ms=100').latencyMs, 100);
  assert.equal(parseFaults('?x=1').latencyMs, null);
});

test('OpenAI: a round trip takes 2 L more, and a reply arrives in order', async () => {
  const t0 = Date.now();
  const c = await connect({ query: { emu_latency_ms: L, emu_speed: 20 } });
  // The first frame travels one way.
  assert.ok(Date.now() - t0 >= L, `session.created after ${Date.now() - t0} ms`);
  const sent = Date.now();
  await update(c, { instructions: 'x' });
  const roundTrip = Date.now() - sent;
  assert.ok(roundTrip >= 2 * L, `round trip ${roundTrip} ms`);
  c.send(userText('a few words to speak aloud'));
  c.send({ type: 'response.create' });
  await c.next('response.done', { timeout: 10000 });
  const types = c.types();
  const at = (type) => types.indexOf(type);
  assert.ok(at('response.created') < at('response.output_audio.delta'));
  assert.ok(at('response.output_audio.delta') < at('response.output_audio.done'));
  assert.ok(at('response.output_audio.done') < at('response.done'));
  c.assertSchemaValid();
  await c.close();
});

test('OpenAI: a fault close follows the delayed frames (nothing lost, nothing after)', async () => {
  const c = await connect({ query: { emu_latency_ms: L, emu_close_after: 2 } });
  update(c, { instructions: 'x' }).catch(() => {});
  const info = await c.closed;
  assert.equal(info.code, 1006);
  assert.deepEqual(c.types(), ['session.created', 'session.updated']);
});

test('Gemini: setupComplete comes a round trip (2 L) after setup', async () => {
  const srv = await gemini.emulator();
  const { token } = await gemini.mintToken(srv.base);
  const c = await gemini.connect(gemini.V1BETA, { key: token, emu_latency_ms: L });
  const sent = Date.now();
  c.send({ setup: { model: gemini.MODEL } });
  await c.next((m) => m.setupComplete);
  const roundTrip = Date.now() - sent;
  assert.ok(roundTrip >= 2 * L, `round trip ${roundTrip} ms`);
  c.close();
});

test('delayFrames keeps order in both directions and delivers nothing after close', async () => {
  const ws = new EventEmitter();
  ws.OPEN = 1;
  ws.CONNECTING = 0;
  ws.readyState = 1;
  const wire = [];
  ws.send = (data) => wire.push(['down', data, Date.now()]);
  ws.close = () => wire.push(['close']);
  ws.terminate = () => wire.push(['terminate']);
  const seen = [];
  delayFrames(ws, 30);
  ws.on('message', (m) => seen.push([m, Date.now()]));
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) {
    ws.send(`s${i}`);
    ws.emit('message', `c${i}`);
  }
  ws.close(1000, 'bye');
  assert.equal(wire.length, 0, 'nothing leaves at once');
  assert.equal(seen.length, 0, 'nothing arrives at once');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(wire.slice(0, 20).map((w) => w[1]), Array.from({ length: 20 }, (_, i) => `s${i}`));
  assert.deepEqual(wire[20], ['close']);
  assert.deepEqual(seen.map((s) => s[0]), Array.from({ length: 20 }, (_, i) => `c${i}`));
  assert.ok(wire[0][2] - t0 >= 29 && seen[0][1] - t0 >= 29);
  // After the socket closed, queued frames are dropped.
  ws.send('late');
  ws.emit('message', 'late');
  ws.emit('close');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(wire.length, 21);
  assert.equal(seen.length, 20);
});
