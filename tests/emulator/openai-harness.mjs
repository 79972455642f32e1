// Test harness for the OpenAI emulation tests (tests/emulator/openai*.test.mjs, faults*.test.mjs).
//
// Starts the real dev server in-process on an ephemeral loopback port, mints tokens
// through POST /token, and gives scripted `ws` clients that keep every server event,
// wait for events by predicate, and validate EVERY received event against the
// official server-event schema (../shared/spec/openai-realtime-schemas.json), the
// nullable fields of PROTOCOLS §1.2 excepted. Also: synthetic PCM16 audio.

import { WebSocket } from 'ws';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { loadSchema } from '../../www/emulator/openai/schema.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(HERE, '..', '..');
export const SCHEMA_PATH = path.resolve(REPO, '..', 'shared', 'spec', 'openai-realtime-schemas.json');
export const schema = loadSchema(SCHEMA_PATH);
if (!schema) throw new Error(`the official schema is required for these tests: ${SCHEMA_PATH}`);

// PROTOCOLS §1.2: the service sends null for these fields although the spec types them non-null.
const NULLABLE_ON_WIRE = new Set([
  'transcription', 'noise_reduction', 'include', 'tracing', 'prompt', 'idle_timeout_ms',
  'status_details', 'usage', 'metadata', 'transcript', 'code', 'param', 'event_id',
]);

function stripWireNulls(v) {
  if (Array.isArray(v)) return v.map(stripWireNulls);
  if (!v || typeof v !== 'object') return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (x === null && NULLABLE_ON_WIRE.has(k)) continue;
    out[k] = stripWireNulls(x);
  }
  return out;
}

/** Schema problems of one server event ([] = valid). */
export function serverEventProblems(event) {
  return schema.validateServer(stripWireNulls(event));
}

let serverPromise = null;
export function emulator(options = {}) {
  serverPromise ??= (async () => {
    const mod = await import('../../www/server.mjs');
    return mod.startServer({ port: 0, host: '127.0.0.1', quiet: true, schemaPath: SCHEMA_PATH, ...options });
  })();
  return serverPromise;
}
export async function stopEmulator() {
  if (!serverPromise) return;
  const s = await serverPromise;
  serverPromise = null;
  await s.close();
}

export async function mintToken(provider = 'openai') {
  const s = await emulator();
  const res = await fetch(`${s.url}/token?provider=${provider}`, { method: 'POST' });
  assert.equal(res.status, 200);
  return res.json();
}

export class Client {
  constructor(ws) {
    this.ws = ws;
    this.events = [];
    this.frames = []; // raw text frames
    this.schemaErrors = [];
    this.waiters = [];
    this.closeInfo = null;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.#check();
      });
    });
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? Buffer.from(data).toString('utf8') : data.toString('utf8');
      this.frames.push(text);
      let ev;
      try {
        ev = JSON.parse(text);
      } catch {
        this.#check();
        return;
      }
      if (typeof ev.type === 'string' && !ev.type.startsWith('emulator.')) {
        const problems = serverEventProblems(ev);
        if (problems.length) this.schemaErrors.push({ type: ev.type, problems, event: ev });
      }
      this.events.push(ev);
      this.#check();
    });
  }

  send(event) {
    this.ws.send(JSON.stringify(event));
  }

  /** Resolve with the first event (from index `from`) matching pred; rejects on timeout/close. */
  next(pred, { timeout = 5000, from = 0 } = {}) {
    const p = typeof pred === 'string' ? (e) => e.type === pred : pred;
    return new Promise((resolve, reject) => {
      const w = { p, from, resolve, reject };
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`timeout waiting for ${typeof pred === 'string' ? pred : 'predicate'}; got ${this.types().join(', ')}`));
      }, timeout);
      this.waiters.push(w);
      this.#check();
    });
  }

  /** Wait for an event after the current end of the log. */
  nextNew(pred, opts = {}) {
    return this.next(pred, { ...opts, from: this.events.length });
  }

  #check() {
    for (const w of [...this.waiters]) {
      const i = this.events.findIndex((e, k) => k >= w.from && w.p(e));
      if (i >= 0) {
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(this.events[i]);
      } else if (this.closeInfo) {
        clearTimeout(w.timer);
        this.waiters = this.waiters.filter((x) => x !== w);
        w.reject(new Error(`socket closed (${this.closeInfo.code} ${this.closeInfo.reason}) while waiting; got ${this.types().join(', ')}`));
      }
    }
  }

  types(from = 0) {
    return this.events.slice(from).map((e) => e.type);
  }

  ofType(type) {
    return this.events.filter((e) => e.type === type);
  }

  /** Every event received so far validated against the official schema. */
  assertSchemaValid() {
    assert.deepEqual(this.schemaErrors.map((e) => ({ type: e.type, problems: e.problems })), [], 'server events must validate against the official schema');
  }

  async close() {
    this.assertSchemaValid();
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
    await this.closed;
  }
}

/** Open an OpenAI connection with a fresh emulator token. Options: query (emu_*), token, protocols, headers. */
export async function connect({ query = {}, token, protocols, headers, model = 'gpt-realtime', waitCreated = true } = {}) {
  const s = await emulator();
  const t = token === undefined ? (await mintToken('openai')).token : token;
  const url = new URL('/v1/realtime', s.wsUrl);
  if (model !== null) url.searchParams.set('model', model);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  const ws = new WebSocket(url, protocols ?? (t ? ['realtime', `openai-insecure-api-key.${t}`] : ['realtime']), { headers });
  const c = new Client(ws);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  if (waitCreated) await c.next('session.created');
  return c;
}

/** Update the session and wait for session.updated. */
export async function update(c, session) {
  const from = c.events.length;
  c.send({ type: 'session.update', session: { type: 'realtime', ...session } });
  return c.next((e) => e.type === 'session.updated' || e.type === 'error', { from });
}

export const RATE = 24000;

/** Speech-like PCM16: voiced harmonics (150 Hz) with a 4 Hz syllable envelope, ≈ -14 dBFS. */
export function speech(ms, rate = RATE) {
  const n = Math.round((ms * rate) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const env = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t);
    const v = Math.sin(2 * Math.PI * 150 * t) + 0.5 * Math.sin(2 * Math.PI * 300 * t) + 0.25 * Math.sin(2 * Math.PI * 450 * t);
    out[i] = Math.round(7000 * env * v);
  }
  return out;
}

/** Near-silence (≈ -70 dBFS noise). */
export function silence(ms, rate = RATE) {
  const n = Math.round((ms * rate) / 1000);
  const out = new Int16Array(n);
  let seed = 12345;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (seed % 21) - 10;
  }
  return out;
}

export function b64(samples) {
  const b = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) b.writeInt16LE(samples[i], i * 2);
  return b.toString('base64');
}

export function decodeB64(s) {
  const b = Buffer.from(s, 'base64');
  const out = new Int16Array(b.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(i * 2);
  return out;
}

/** Append audio in `chunkMs` chunks (no pacing: the VAD works on audio time). */
export function appendAudio(c, samples, chunkMs = 20) {
  const n = Math.round((chunkMs * RATE) / 1000);
  for (let i = 0; i < samples.length; i += n) c.send({ type: 'input_audio_buffer.append', audio: b64(samples.subarray(i, i + n)) });
}

export function concat(...parts) {
  const out = new Int16Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function userText(text) {
  return { type: 'conversation.item.create', item: { type: 'message', role: 'user', content: [{ type: 'input_text', text }] } };
}
