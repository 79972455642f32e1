// Gemini Live emulation judged by the official client: @google/genai's
// `ai.live.connect` pointed at the emulator through `httpOptions.baseUrl`.
// The SDK turns an http:// base URL into ws:// (so no TLS is needed) and
// builds `${base}/ws/google.ai.generativelanguage.<version>.GenerativeService.<method>?key=<apiKey>`
// (`BidiGenerateContentConstrained?access_token=` for `auth_tokens/…` keys).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GoogleGenAI, Modality } from '@google/genai';
import { emulator, stopEmulator, mintToken } from './gemini-harness.mjs';

after(stopEmulator);

async function liveSession(config, { onToolCall } = {}) {
  const { base } = await emulator();
  const { token } = await mintToken(base);
  const ai = new GoogleGenAI({
    apiKey: token,
    httpOptions: { baseUrl: base, apiVersion: token.startsWith('auth_tokens/') ? 'v1alpha' : 'v1beta' },
  });
  const messages = [];
  let onTurn;
  let turnPromise = new Promise((r) => { onTurn = r; });
  let closeInfo = null;
  const session = await ai.live.connect({
    model: 'gemini-live-2.5-flash-preview',
    config,
    callbacks: {
      onmessage: (m) => {
        messages.push(m);
        if (m.toolCall && onToolCall) onToolCall(m.toolCall, session);
        if (m.serverContent?.turnComplete) {
          onTurn(m);
          turnPromise = new Promise((r) => { onTurn = r; });
        }
      },
      onclose: (e) => { closeInfo = { code: e.code, reason: e.reason }; },
      onerror: () => {},
    },
  });
  const nextTurn = () => Promise.race([
    turnPromise,
    new Promise((_, rej) => setTimeout(() => rej(new Error(`no turnComplete; close=${JSON.stringify(closeInfo)} got ${JSON.stringify(messages).slice(0, 800)}`)), 5000)),
  ]);
  return { session, messages, nextTurn, closeInfo: () => closeInfo };
}

test('@google/genai live client completes a text turn against the emulator', async () => {
  const { session, messages, nextTurn } = await liveSession({ responseModalities: [Modality.TEXT] });
  session.sendClientContent({ turns: 'Hello from the official client' });
  const done = await nextTurn();
  assert.ok(messages[0].setupComplete, 'first message is setupComplete');
  const text = messages.map((m) => m.text ?? '').join('');
  assert.equal(text, 'You said: "Hello from the official client" (turn 1).');
  assert.ok(messages.some((m) => m.serverContent?.generationComplete));
  assert.equal(done.usageMetadata.totalTokenCount, done.usageMetadata.promptTokenCount + done.usageMetadata.responseTokenCount);
  assert.equal(done.usageMetadata.responseTokensDetails[0].modality, 'TEXT');
  session.close();
});

test('@google/genai live client completes a tool-call turn (sendToolResponse)', async () => {
  const { session, messages, nextTurn } = await liveSession(
    {
      responseModalities: [Modality.TEXT],
      tools: [{ functionDeclarations: [{ name: 'get_status', parameters: { type: 'OBJECT', properties: {} } }] }],
    },
    {
      onToolCall: (toolCall, s) => {
        const fc = toolCall.functionCalls[0];
        s.sendToolResponse({ functionResponses: [{ id: fc.id, name: fc.name, response: { mood: 'happy' } }] });
      },
    },
  );
  session.sendClientContent({ turns: 'call get_status {}' });
  await nextTurn();
  const call = messages.find((m) => m.toolCall).toolCall.functionCalls[0];
  assert.equal(call.name, 'get_status');
  assert.deepEqual(call.args, {});
  assert.equal(messages.map((m) => m.text ?? '').join(''), 'The tool results are in: get_status returned {"mood":"happy"}.');
  session.close();
});

test('@google/genai live client sees the close code and reason of a refused setup', async () => {
  // @google/genai 2.x resolves live.connect() only on setupComplete, so a refused
  // setup is observed through onclose (connect() stays pending; not awaited here).
  const { base } = await emulator();
  const { token } = await mintToken(base);
  const ai = new GoogleGenAI({ apiKey: token, httpOptions: { baseUrl: base, apiVersion: 'v1alpha' } });
  const messages = [];
  const closed = new Promise((resolve) => {
    ai.live.connect({
      model: 'gemini-live-2.5-flash-preview',
      config: { responseModalities: [Modality.TEXT], temperature: 7 },
      callbacks: {
        onmessage: (m) => messages.push(m),
        onclose: (e) => resolve({ code: e.code, reason: e.reason }),
        onerror: () => {},
      },
    }).catch(() => {});
  });
  const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error('no close')), 5000).unref());
  assert.deepEqual(await Promise.race([closed, timeout]), { code: 1007, reason: 'Request contains an invalid argument.' });
  assert.equal(messages.length, 0);
});

test('@google/genai live client over wss:// (https base URL, openssl cert trusted via NODE_EXTRA_CA_CERTS)', async () => {
  const { execFileSync, spawn } = await import('node:child_process');
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rtw-gemini-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '1',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ], { stdio: 'pipe' });
    const child = spawn(process.execPath, [path.join(path.dirname(fileURLToPath(import.meta.url)), 'gemini-genai-tls.child.mjs')], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem'), GEMINI_CERT_DIR: dir },
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
    assert.match(r.base, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(r.tokenUrl, /^wss:\/\/127\.0\.0\.1:\d+\/ws\/google\.ai\.generativelanguage\.v1alpha\.GenerativeService\.BidiGenerateContentConstrained$/);
    assert.ok(r.messages[0].setupComplete);
    assert.equal(r.text, 'You said: "Hello over TLS" (turn 1).');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
