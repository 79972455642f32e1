// Dev server: static files, /pkg/, MIME types, traversal, /token (emulator + real minting
// request shape), CORS, control endpoints, unknown WebSocket paths.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { WebSocket } from 'ws';
import { startServer } from '../../www/server.mjs';
import { mintCredential } from '../../www/emulator/mint.mjs';
import { consumeToken } from '../../www/emulator/tokens.mjs';

let srv;
let root;
before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'rtw-root-'));
  fs.mkdirSync(path.join(root, 'www'));
  fs.mkdirSync(path.join(root, 'pkg'));
  fs.writeFileSync(path.join(root, 'www', 'index.html'), '<!doctype html><title>demo</title>');
  fs.writeFileSync(path.join(root, 'www', 'app.js'), 'export {}');
  fs.writeFileSync(path.join(root, 'pkg', 'realtime_wasm_bg.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
  fs.writeFileSync(path.join(root, 'secret.txt'), 'outside www');
  srv = await startServer({ port: 0, root, quiet: true });
});
after(async () => {
  await srv.close();
  fs.rmSync(root, { recursive: true, force: true });
});

function rawGet(p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: srv.port, path: p }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

test('static files: / → index.html, MIME types, /pkg/ with application/wasm, 404s', async () => {
  let r = await fetch(`${srv.url}/`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(await r.text(), /demo/);
  r = await fetch(`${srv.url}/app.js`);
  assert.match(r.headers.get('content-type'), /^text\/javascript/);
  r = await fetch(`${srv.url}/pkg/realtime_wasm_bg.wasm`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/wasm');
  assert.equal((await r.arrayBuffer()).byteLength, 8);
  assert.equal((await fetch(`${srv.url}/pkg/missing.js`)).status, 404);
  assert.equal((await fetch(`${srv.url}/nope.html`)).status, 404);
  assert.equal((await fetch(`${srv.url}/`, { method: 'POST' })).status, 405);
});

test('no path traversal out of www/ or pkg/', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/pkg/../secret.txt', '/pkg/%2e%2e/secret.txt', '/pkg/..%2f..%2fsecret.txt', '/%00']) {
    const status = await rawGet(p);
    assert.ok(status === 403 || status === 404, `${p} → ${status}`);
  }
});

test('POST /token mints emulator credentials the endpoints accept; CORS on /token', async () => {
  const pre = await fetch(`${srv.url}/token?provider=openai`, { method: 'OPTIONS', headers: { Origin: 'http://127.0.0.1:9999', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  assert.match(pre.headers.get('access-control-allow-methods'), /POST/);
  assert.equal(pre.headers.get('access-control-allow-headers'), 'content-type');
  const r = await fetch(`${srv.url}/token?provider=openai&model=gpt-realtime-mini`, { method: 'POST' });
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  const o = await r.json();
  assert.deepEqual(Object.keys(o).sort(), ['expiresAt', 'provider', 'token', 'url']);
  assert.equal(o.provider, 'openai');
  assert.equal(o.url, `${srv.wsUrl}/v1/realtime?model=gpt-realtime-mini`);
  assert.ok(Date.parse(o.expiresAt) > Date.now() + 500_000);
  assert.ok(consumeToken('openai', o.token), 'OpenAI tokens are reusable until they expire');
  assert.ok(consumeToken('openai', o.token));
  const g = await (await fetch(`${srv.url}/token?provider=gemini`, { method: 'POST' })).json();
  assert.match(g.token, /^auth_tokens\//);
  assert.equal(g.url, `${srv.wsUrl}/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained`);
  assert.ok(consumeToken('gemini', g.token));
  assert.ok(!consumeToken('gemini', g.token), 'Gemini tokens are single use');
  assert.equal((await fetch(`${srv.url}/token?provider=azure`, { method: 'POST' })).status, 400);
  assert.equal((await fetch(`${srv.url}/token?provider=openai`)).status, 405);
});

test('with API keys set, /token asks the real providers (request shape checked with a stub fetch)', async () => {
  const calls = [];
  const fakeFetch = async (url, init) => {
    calls.push({ url, init });
    if (url.includes('openai')) return new Response(JSON.stringify({ value: 'ek_real', expires_at: 2000000000, session: {} }), { status: 200 });
    return new Response(JSON.stringify({ name: 'auth_tokens/real', expireTime: '2033-05-18T03:33:20Z' }), { status: 200 });
  };
  const env = { OPENAI_API_KEY: 'sk-test', GEMINI_API_KEY: 'gk-test' };
  const o = await mintCredential({ provider: 'openai', wsBase: 'ws://x', env, fetch: fakeFetch });
  assert.deepEqual(o, { provider: 'openai', token: 'ek_real', url: 'wss://api.openai.com/v1/realtime?model=gpt-realtime', expiresAt: '2033-05-18T03:33:20.000Z' });
  assert.equal(calls[0].url, 'https://api.openai.com/v1/realtime/client_secrets');
  assert.equal(calls[0].init.headers.Authorization, 'Bearer sk-test');
  assert.deepEqual(JSON.parse(calls[0].init.body).session, { type: 'realtime', model: 'gpt-realtime' });
  const g = await mintCredential({ provider: 'gemini', wsBase: 'ws://x', env, fetch: fakeFetch });
  assert.equal(g.token, 'auth_tokens/real');
  assert.match(g.url, /^wss:\/\/generativelanguage\.googleapis\.com\/ws\/.*BidiGenerateContentConstrained$/);
  assert.equal(calls[1].url, 'https://generativelanguage.googleapis.com/v1alpha/auth_tokens');
  assert.equal(calls[1].init.headers['x-goog-api-key'], 'gk-test');
  assert.equal(JSON.parse(calls[1].init.body).uses, 1);
  const failing = async () => new Response(JSON.stringify({ error: { message: 'bad key' } }), { status: 401 });
  await assert.rejects(mintCredential({ provider: 'openai', wsBase: 'ws://x', env, fetch: failing }), /HTTP 401/);
});

test('control endpoints answer CORS and 404 for unknown tags; unknown WebSocket paths are refused', async () => {
  const r = await fetch(`${srv.url}/emulator/recordings/never-used`);
  assert.equal(r.status, 404);
  assert.equal(r.headers.get('access-control-allow-origin'), '*');
  assert.equal((await fetch(`${srv.url}/emulator/recordings/never-used/input.wav`)).status, 404);
  const pre = await fetch(`${srv.url}/emulator/recordings/x`, { method: 'OPTIONS' });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), '*');
  const h = await (await fetch(`${srv.url}/emulator/health`)).json();
  assert.ok(h.providers.includes('openai'));
  const ws = new WebSocket(`${srv.wsUrl}/v1/somewhere-else`);
  const err = await new Promise((resolve) => ws.on('error', resolve));
  assert.match(err.message, /404/);
  assert.equal((await fetch(`${srv.url}/v1/realtime?model=x`)).status, 426);
});

test('recordings can be deleted', async () => {
  const { recordConnection } = await import('../../www/emulator/recorder.mjs');
  const rec = recordConnection('to-delete', 'openai');
  rec.audio(new Int16Array([1, 2, 3]), 24000);
  rec.clientEvent('input_audio_buffer.append');
  const s = await (await fetch(`${srv.url}/emulator/recordings/to-delete`)).json();
  assert.equal(s.input_audio.samples, 3);
  assert.equal(s.events_received['input_audio_buffer.append'], 1);
  assert.equal((await fetch(`${srv.url}/emulator/recordings/to-delete`, { method: 'DELETE' })).status, 200);
  assert.equal((await fetch(`${srv.url}/emulator/recordings/to-delete`)).status, 404);
});
