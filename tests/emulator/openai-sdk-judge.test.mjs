// Independent judge: the official `openai` npm package's realtime WebSocket client
// (OpenAIRealtimeWS) against the emulator over TLS (it forces wss:). The certificate
// is generated here with openssl into a temp dir and trusted via NODE_EXTRA_CA_CERTS,
// which Node reads only at startup — hence the child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

test('openai OpenAIRealtimeWS completes a text turn and a tool-call turn against the emulator (wss, loopback)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtw-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'pipe' });
    const child = spawn(process.execPath, [path.join(HERE, 'openai-sdk-judge.child.mjs')], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'), JUDGE_CERT_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    const line = out.trim().split('\n').pop();
    assert.ok(line, `child printed nothing; stderr: ${err}`);
    const r = JSON.parse(line);
    assert.deepEqual(r.errors, [], `client errors; stderr: ${err}`);
    assert.equal(code, 0);
    assert.match(r.wsUrl, /^wss:\/\/127\.0\.0\.1:\d+\/v1\/realtime\?model=gpt-realtime$/);
    assert.equal(r.text.status, 'completed');
    assert.equal(r.text.text, 'You said: Say hello');
    assert.equal(r.text.deltas, 'You said: Say hello');
    assert.deepEqual([r.call.type, r.call.name, r.call.arguments], ['function_call', 'get_weather', '{"location":"Paris"}']);
    assert.equal(r.answer, 'The tool get_weather returned: {"temp_c":21}');
    assert.equal(r.events[0], 'session.created');
    assert.ok(r.events.filter((t) => t === 'response.done').length === 3);
    assert.deepEqual(r.schemaErrors, []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
