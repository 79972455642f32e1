// Gemini Live emulation: credentials, the setup handshake and its errors,
// the wire shape of server frames.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  emulator, stopEmulator, mintToken, connect, V1BETA, CONSTRAINED, MODEL, NATIVE,
} from './gemini-harness.mjs';

after(stopEmulator);

async function keyed(query = {}) {
  const { base } = await emulator();
  const { token } = await mintToken(base);
  return connect(V1BETA, { key: token, ...query });
}

async function expectClose(client, code, reasonMatch) {
  const { code: got, reason } = await client.closedWithin();
  assert.equal(got, code, `close code (reason: ${reason})`);
  if (typeof reasonMatch === 'string') assert.equal(reason, reasonMatch);
  else assert.match(reason, reasonMatch);
  assert.ok(Buffer.byteLength(reason) <= 123, 'close reason fits a close frame');
  return reason;
}

test('setupComplete is a binary frame shaped byte for byte like the real service', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL, generationConfig: { responseModalities: ['TEXT'] } } });
  await c.next((m) => m.setupComplete);
  const f = c.frames[0];
  assert.equal(f.binary, true);
  assert.equal(f.raw.toString('utf8'), '{\n  "setupComplete": {}\n}\n');
  c.close();
});

test('snake_case setup (ProtoJSON) is accepted', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL, generation_config: { response_modalities: ['TEXT'] }, realtime_input_config: { automatic_activity_detection: { disabled: true } } } });
  assert.deepEqual(await c.next((m) => m.setupComplete), { setupComplete: {} });
  c.close();
});

test('a first message other than setup closes 1007', async () => {
  const c = await keyed();
  c.send({ clientContent: { turns: [{ role: 'user', parts: [{ text: 'hi' }] }], turnComplete: true } });
  await expectClose(c, 1007, 'Request contains an invalid argument.');
  assert.equal(c.frames.length, 0);
});

test('invalid JSON closes 1007 "Invalid JSON payload received."', async () => {
  const c = await keyed();
  c.send('{"setup": ');
  await expectClose(c, 1007, /^Invalid JSON payload received\./);
});

test('an unknown setup field closes 1007 naming it', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL, bogusField: 1 } });
  await expectClose(c, 1007, `Invalid JSON payload received. Unknown name "bogusField" at 'setup': Cannot find field.`);
});

test('a bad responseModalities enum closes 1007 Invalid value', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL, generationConfig: { responseModalities: ['VIDEO'] } } });
  await expectClose(c, 1007, /^Invalid value at 'setup\.generation_config\.response_modalities\[0\]'/);
});

test('two response modalities close 1007', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL, generationConfig: { responseModalities: ['TEXT', 'AUDIO'] } } });
  await expectClose(c, 1007, 'Request contains an invalid argument.');
});

test('a model name without models/ closes 1007', async () => {
  const c = await keyed();
  c.send({ setup: { model: 'gemini-live-2.5-flash-preview' } });
  await expectClose(c, 1007, 'Request contains an invalid argument.');
});

test('an unknown model closes 1008 "… is not found for API version v1beta …", cut at 123 bytes', async () => {
  const c = await keyed();
  c.send({ setup: { model: 'models/gemini-9.9-nope' } });
  const reason = await expectClose(c, 1008, /^models\/gemini-9\.9-nope is not found for API version v1beta, or is not supported for bidiGenerateContent\./);
  assert.equal(Buffer.byteLength(reason), 123);
});

test('TEXT on a native-audio model closes 1007 "Cannot extract voices…"', async () => {
  const c = await keyed();
  c.send({ setup: { model: NATIVE, generationConfig: { responseModalities: ['TEXT'] } } });
  await expectClose(c, 1007, 'Cannot extract voices from a non-audio request.');
});

test('an invalid function declaration name closes 1007', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL, tools: [{ functionDeclarations: [{ name: 'bad name!' }] }] } });
  await expectClose(c, 1007, 'Request contains an invalid argument.');
});

test('a second setup closes 1007', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL } });
  await c.next((m) => m.setupComplete);
  c.send({ setup: { model: MODEL } });
  await expectClose(c, 1007, 'Request contains an invalid argument.');
});

test('two oneof members in one message close 1007', async () => {
  const c = await keyed();
  c.send({ setup: { model: MODEL }, clientContent: { turnComplete: true } });
  await expectClose(c, 1007, /^Invalid JSON payload received\. Oneof field 'message_type' is already set/);
});

test('token refusal: unknown key → 1007 "API key not valid. Please pass a valid API key."', async () => {
  const c = await connect(V1BETA, { key: 'AIza-not-a-real-key' });
  c.send({ setup: { model: MODEL } });
  await expectClose(c, 1007, 'API key not valid. Please pass a valid API key.');
  assert.equal(c.frames.length, 0);
});

test('token refusal: no credential at all → 1007 API key not valid', async () => {
  const c = await connect(V1BETA);
  c.send({ setup: { model: MODEL } });
  await expectClose(c, 1007, 'API key not valid. Please pass a valid API key.');
});

test('token refusal: access_token on the non-constrained method → 1008 unregistered callers', async () => {
  const { base } = await emulator();
  const { token } = await mintToken(base);
  const c = await connect(V1BETA, { access_token: token });
  c.send({ setup: { model: MODEL } });
  await expectClose(c, 1008, /^Method doesn't allow unregistered callers/);
});

test('token refusal: unknown access_token on …Constrained → 1008', async () => {
  const c = await connect(CONSTRAINED, { access_token: 'auth_tokens/unknown' });
  c.send({ setup: { model: MODEL } });
  await expectClose(c, 1008, /^Method doesn't allow unregistered callers/);
});

test('ephemeral token: accepted once on …Constrained, refused when reused', async () => {
  const { base } = await emulator();
  const minted = await mintToken(base);
  assert.equal(minted.provider, 'gemini');
  assert.match(minted.url, /BidiGenerateContent/);
  const c1 = await connect(minted.url, { access_token: minted.token }); // the URL /token hands out
  c1.send({ setup: { model: MODEL } });
  await c1.next((m) => m.setupComplete);
  c1.close();
  const c2 = await connect(CONSTRAINED, { access_token: minted.token });
  c2.send({ setup: { model: MODEL } });
  await expectClose(c2, 1008, /^Method doesn't allow unregistered callers/);
});

test('the key may come in the x-goog-api-key header (as the Node SDK sends it)', async () => {
  const { base } = await emulator();
  const { token } = await mintToken(base);
  const c = await connect(V1BETA, {}, { headers: { 'x-goog-api-key': token } });
  c.send({ setup: { model: MODEL } });
  assert.deepEqual(await c.next((m) => m.setupComplete), { setupComplete: {} });
  c.close();
});
