// Dev server + protocol emulator entry point.
//
// Owns: the one HTTP(S) listener and its routing — static files for the demo
// (www/, `/` → www/index.html) and the built package (`/pkg/` → <repo>/pkg/),
// `POST /token` (`&emulator=1` forces an emulator token), `GET /config` (the demo's
// `{ realProviders: { openai, gemini } }`: which keys are set, never the keys), the control
// endpoints (`/emulator/…`), and the WebSocket
// upgrades, dispatched to the provider emulators:
//   /v1/realtime?model=…                                                        → emulator/openai.mjs
//   /ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent    → emulator/gemini.mjs
//   /ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained → emulator/gemini.mjs
// Each connection gets a `ctx` = { faults, verifyToken, recorder, log, speed, schemaPath }.
//
// In-process use (tests):
//   const srv = await startServer({ port: 0 });   // → { url, base, wsUrl, port, close() }
// Options: port (8080), host ("127.0.0.1"), tls ({ key, cert } PEM → https/wss), schemaPath
// (OpenAI schema; default <repo>/../shared/spec/openai-realtime-schemas.json), root (repo root),
// quiet (no logs), env (process.env; OPENAI_API_KEY / GEMINI_API_KEY switch /token to real minting),
// defaults ({ speed, expireAfterMs } server-wide knob defaults).
// As main: `node www/server.mjs` listens on PORT (8080) on loopback; TLS_CERT + TLS_KEY (PEM file
// paths) switch it to https/wss.

import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WebSocketServer } from 'ws';
import { parseFaults } from './emulator/faults.mjs';
import { delayFrames } from './emulator/latency.mjs';
import { consumeToken } from './emulator/tokens.mjs';
import { recordConnection, recordingSummary, recordingWav, deleteRecording } from './emulator/recorder.mjs';
import { mintCredential, MintError, OPENAI_PATH } from './emulator/mint.mjs';

const WWW = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.dirname(WWW);

const GEMINI_PATHS = new Set([
  '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent',
  '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent',
  '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained',
  '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContentConstrained',
]);

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wav': 'audio/wav',
};

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Max-Age': '600',
};

/** Load a provider module; null (and a log line) when it is missing or broken. */
async function loadHandler(file, name, log) {
  try {
    const mod = await import(pathToFileURL(path.join(WWW, 'emulator', file)).href);
    if (typeof mod[name] !== 'function') throw new Error(`${file} does not export ${name}`);
    return mod[name];
  } catch (err) {
    log(`emulator: ${file} unavailable (${err.code === 'ERR_MODULE_NOT_FOUND' ? 'not found' : err.message})`);
    return null;
  }
}

/** Client event name for the recorder: OpenAI `type`, Gemini top-level key (realtimeInput.<field>). */
function clientEventType(provider, data) {
  let msg;
  try {
    msg = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat([].concat(data)).toString('utf8'));
  } catch {
    return '(malformed)';
  }
  if (!msg || typeof msg !== 'object' || Array.isArray(msg)) return '(malformed)';
  if (provider === 'openai') return typeof msg.type === 'string' ? msg.type : '(no type)';
  const keys = Object.keys(msg);
  if (keys.length === 1 && (keys[0] === 'realtimeInput' || keys[0] === 'realtime_input') && msg[keys[0]] && typeof msg[keys[0]] === 'object') {
    const sub = Object.keys(msg[keys[0]]);
    return `realtimeInput.${sub.join('+')}`;
  }
  return keys.join('+') || '(empty)';
}

function sendJson(res, status, body, extra = {}) {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text);
}

/** Resolve a URL path under `base`, refusing traversal; null when outside. */
function safeJoin(base, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = path.resolve(base, '.' + path.posix.normalize('/' + decoded));
  if (full !== base && !full.startsWith(base + path.sep)) return null;
  return full;
}

function serveFile(req, res, file) {
  fs.stat(file, (err, st) => {
    if (!err && st.isDirectory()) return serveFile(req, res, path.join(file, 'index.html'));
    if (err || !st.isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('not found\n');
    }
    res.writeHead(200, {
      'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': st.size,
      'Cache-Control': 'no-cache',
      // Public dev files; apps on another origin may load the package's AudioWorklet from here.
      'Access-Control-Allow-Origin': '*',
    });
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file).pipe(res);
  });
}

export async function startServer(options = {}) {
  const {
    port = 8080,
    host = '127.0.0.1',
    tls = null,
    root = REPO,
    quiet = false,
    env = process.env,
    defaults = {},
  } = options;
  const schemaPath = options.schemaPath ?? path.resolve(root, '..', 'shared', 'spec', 'openai-realtime-schemas.json');
  const log = options.log ?? (quiet ? () => {} : (...a) => console.log(...a));
  const wwwDir = path.resolve(root, 'www');
  const pkgDir = path.resolve(root, 'pkg');

  const handlers = {
    openai: await loadHandler('openai.mjs', 'handleOpenAIConnection', log),
    gemini: await loadHandler('gemini.mjs', 'handleGeminiConnection', log),
  };
  const sockets = new Set();
  let wsBase = '';

  async function onRequest(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const p = url.pathname;
    try {
      if (p === '/token' || p.startsWith('/emulator/')) {
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            ...CORS,
            'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? 'content-type',
          });
          return res.end();
        }
        return await onApi(req, res, url);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' });
        return res.end();
      }
      if (p === '/config') {
        // The demo's provider choice: which real providers this server can mint tokens for (never the keys).
        return sendJson(res, 200, { realProviders: { openai: Boolean(env.OPENAI_API_KEY), gemini: Boolean(env.GEMINI_API_KEY) } });
      }
      if (p === OPENAI_PATH || GEMINI_PATHS.has(p)) {
        res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket' });
        return res.end('WebSocket endpoint: upgrade required\n');
      }
      let file;
      if (p === '/pkg' || p.startsWith('/pkg/')) file = safeJoin(pkgDir, p.slice(4) || '/');
      else file = safeJoin(wwwDir, p === '/' ? '/index.html' : p);
      if (!file) {
        res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' });
        return res.end('forbidden\n');
      }
      return serveFile(req, res, file);
    } catch (err) {
      log(`server: ${req.method} ${p}: ${err.stack || err}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' }, CORS);
      else res.end();
    }
  }

  async function onApi(req, res, url) {
    const p = url.pathname;
    if (p === '/token') {
      if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST' }, { ...CORS, Allow: 'POST, OPTIONS' });
      req.resume();
      try {
        const answer = await mintCredential({
          provider: url.searchParams.get('provider') ?? 'openai',
          model: url.searchParams.get('model') ?? undefined,
          wsBase,
          // `emulator=1` (the demo's emulated choices): an emulator token even when a real key is set.
          env: url.searchParams.get('emulator') === '1' ? {} : env,
        });
        return sendJson(res, 200, answer, CORS);
      } catch (err) {
        if (err instanceof MintError) return sendJson(res, err.status, { error: err.message }, CORS);
        log(`token: ${err.stack || err}`);
        return sendJson(res, 502, { error: `token minting failed: ${err.message}` }, CORS);
      }
    }
    const m = /^\/emulator\/recordings\/([^/]+)(\/input\.wav)?$/.exec(p);
    if (m) {
      const tag = decodeURIComponent(m[1]);
      if (req.method === 'DELETE' && !m[2]) {
        return sendJson(res, deleteRecording(tag) ? 200 : 404, { deleted: tag }, CORS);
      }
      if (req.method !== 'GET') return sendJson(res, 405, { error: 'use GET' }, CORS);
      if (m[2]) {
        const c = url.searchParams.get('connection');
        const wav = recordingWav(tag, c === null ? null : Number(c));
        if (!wav) return sendJson(res, 404, { error: `no recording for tag ${tag}` }, CORS);
        res.writeHead(200, { 'Content-Type': 'audio/wav', 'Content-Length': wav.length, 'Cache-Control': 'no-store', ...CORS });
        return res.end(wav);
      }
      const summary = recordingSummary(tag);
      if (!summary) return sendJson(res, 404, { error: `no recording for tag ${tag}` }, CORS);
      return sendJson(res, 200, summary, CORS);
    }
    if (p === '/emulator/health') return sendJson(res, 200, { ok: true, providers: Object.keys(handlers).filter((k) => handlers[k]) }, CORS);
    return sendJson(res, 404, { error: 'unknown control endpoint' }, CORS);
  }

  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, onRequest) : http.createServer(onRequest);
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 32 * 1024 * 1024,
    perMessageDeflate: false,
    // OpenAI browsers offer ["realtime", "openai-insecure-api-key.<key>", …]: select "realtime".
    // Browsers fail a handshake whose offered protocols got no answer, so otherwise echo the first.
    handleProtocols: (protocols) => (protocols.has('realtime') ? 'realtime' : protocols.size ? [...protocols][0] : false),
  });

  server.on('upgrade', (req, socket, head) => {
    // Collapse leading slashes: @google/genai builds `${baseUrl}/` + `/ws/…` → `//ws/…`,
    // which the real Google front end accepts (and `new URL('//ws/…')` would read as a host).
    const url = new URL(req.url.replace(/^\/+/, '/'), 'http://localhost');
    const provider = url.pathname === OPENAI_PATH ? 'openai' : GEMINI_PATHS.has(url.pathname) ? 'gemini' : null;
    const handler = provider && handlers[provider];
    if (!handler) {
      socket.end(`HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const faults = parseFaults(url.searchParams, defaults);
      // Before anything listens or sends: the recorder and the provider see the delayed socket.
      delayFrames(ws, faults.latencyMs);
      faults.terminate = () => ws.terminate();
      const recorder = recordConnection(faults.tag, provider);
      if (recorder) {
        ws.on('message', (data) => recorder.clientEvent(clientEventType(provider, data)));
        ws.on('close', (code, reason) => recorder.close(code, reason.toString()));
      }
      const ctx = {
        provider,
        faults,
        recorder,
        log,
        speed: faults.speed ?? defaults.speed ?? 1,
        schemaPath,
        verifyToken: (token, { provider: prov = provider, consume = true } = {}) => consumeToken(prov, token, { consume }),
        terminate: () => ws.terminate(),
      };
      try {
        handler(ws, req, ctx);
      } catch (err) {
        log(`${provider}: handler failed: ${err.stack || err}`);
        ws.close(1011, 'Internal error occurred.');
      }
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = server.address().port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const url = `${tls ? 'https' : 'http'}://${hostPart}:${actual}`;
  wsBase = `${tls ? 'wss' : 'ws'}://${hostPart}:${actual}`;
  return {
    url,
    base: url,
    wsUrl: wsBase,
    port: actual,
    server,
    close: () =>
      new Promise((resolve) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const port = Number(process.env.PORT ?? 8080);
  let tls = null;
  if (process.env.TLS_CERT && process.env.TLS_KEY) {
    tls = { cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY) };
  }
  const srv = await startServer({ port, tls, schemaPath: process.env.OPENAI_SCHEMA_PATH });
  console.log(`realtime-wasm dev server + emulator on ${srv.url}  (OpenAI ${srv.wsUrl}${OPENAI_PATH}, Gemini ${srv.wsUrl}/ws/…)`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
