// Test harness for the Gemini Live emulation tests (tests/emulator/gemini*.test.mjs).
//
// Starts the real dev server (www/server.mjs) on an ephemeral loopback port and
// gives scripted `ws` clients that record every frame (with its binary flag
// and raw bytes), wait for frames by predicate, and expose the close code/reason.

import { WebSocket } from 'ws';

export const V1BETA = '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent';
export const CONSTRAINED = '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained';
export const MODEL = 'models/gemini-live-2.5-flash-preview';
export const NATIVE = 'models/gemini-2.5-flash-native-audio-preview-09-2025';

let serverPromise = null;

/** Start (once per test file) the real server; returns `{ base, port, close }`. */
export function emulator() {
  serverPromise ??= (async () => {
    const mod = await import('../../www/server.mjs');
    return mod.startServer({ port: 0, host: '127.0.0.1', quiet: true });
  })();
  return serverPromise;
}

export async function stopEmulator() {
  if (!serverPromise) return;
  const srv = await serverPromise;
  serverPromise = null;
  await srv.close();
}

/** Mint an emulator Gemini token through POST /token. */
export async function mintToken(base) {
  const res = await fetch(`${base}/token?provider=gemini`, { method: 'POST' });
  if (res.status !== 200) throw new Error(`/token answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Open a client. `query` is appended to the URL (credentials, emu_* knobs). */
export async function connect(path, query = {}, { headers } = {}) {
  const srv = await emulator();
  const url = new URL(path, srv.base.replace(/^http/, 'ws'));
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, String(v));
  const ws = new WebSocket(url, { headers });
  const client = new Client(ws);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return client;
}

/** Connect with a fresh token and complete setup; returns the client after setupComplete. */
export async function session(setup, query = {}) {
  const srv = await emulator();
  const { token } = await mintToken(srv.base);
  const c = await connect(V1BETA, { key: token, ...query });
  c.send({ setup: { model: MODEL, ...setup } });
  await c.next((m) => m.setupComplete);
  return c;
}

export class Client {
  constructor(ws) {
    this.ws = ws;
    this.frames = []; // { msg, binary, raw }
    this.waiters = [];
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') }));
    });
    ws.on('message', (data, binary) => {
      const raw = Buffer.from(data);
      let msg;
      try {
        msg = JSON.parse(raw.toString('utf8'));
      } catch {
        msg = { __unparsable: raw.toString('utf8') };
      }
      const frame = { msg, binary, raw };
      this.frames.push(frame);
      for (const w of [...this.waiters]) w(frame);
    });
    ws.on('error', () => {});
  }

  send(obj) {
    this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj));
  }

  get messages() {
    return this.frames.map((f) => f.msg);
  }

  /** Wait for the first frame (from `from` on) whose message matches. */
  next(pred, { timeout = 5000, from = 0 } = {}) {
    const found = this.frames.slice(from).find((f) => pred(f.msg));
    if (found) return Promise.resolve(found.msg);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timeout waiting for frame; got ${JSON.stringify(this.messages).slice(0, 1500)}`));
      }, timeout);
      const waiter = (f) => {
        if (pred(f.msg)) {
          clearTimeout(t);
          this.waiters = this.waiters.filter((w) => w !== waiter);
          resolve(f.msg);
        }
      };
      this.waiters.push(waiter);
      this.closed.then(() => {
        setTimeout(() => {
          if (this.waiters.includes(waiter)) {
            clearTimeout(t);
            this.waiters = this.waiters.filter((w) => w !== waiter);
            reject(new Error(`socket closed while waiting; got ${JSON.stringify(this.messages).slice(0, 1500)}`));
          }
        }, 20);
      });
    });
  }

  /** Resolve when the socket closes; fails the wait after `timeout`. */
  async closedWithin(timeout = 5000) {
    let t;
    const res = await Promise.race([
      this.closed,
      new Promise((_, reject) => {
        t = setTimeout(() => reject(new Error(`not closed; got ${JSON.stringify(this.messages).slice(0, 800)}`)), timeout);
      }),
    ]);
    clearTimeout(t);
    return res;
  }

  close() {
    try {
      this.ws.close();
    } catch {}
  }
}

export const turnDone = (m) => m.serverContent?.turnComplete === true;
export const textOf = (msgs) =>
  msgs.flatMap((m) => m.serverContent?.modelTurn?.parts ?? []).map((p) => p.text ?? '').join('');
export const audioOf = (msgs) =>
  msgs.flatMap((m) => m.serverContent?.modelTurn?.parts ?? []).filter((p) => p.inlineData);
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Synthetic PCM16 16 kHz: `segments` = [[ms, amplitude], …] of a speech-like
 * 220 Hz tone with a 4 Hz syllable envelope (amplitude 0 = silence).
 */
export function pcm16(segments, rate = 16000) {
  const total = segments.reduce((n, [ms]) => n + Math.round((ms * rate) / 1000), 0);
  const buf = Buffer.alloc(total * 2);
  let i = 0;
  for (const [ms, amp] of segments) {
    const n = Math.round((ms * rate) / 1000);
    for (let k = 0; k < n; k++, i++) {
      const env = 0.6 + 0.4 * Math.abs(Math.sin((Math.PI * 4 * k) / rate));
      buf.writeInt16LE(Math.round(amp * env * Math.sin((2 * Math.PI * 220 * k) / rate)), i * 2);
    }
  }
  return buf;
}

/** Send PCM16 in 100 ms realtimeInput.audio chunks (no pacing; the emulator works on audio time). */
export function sendAudio(client, pcm, { rate = 16000, mimeType = `audio/pcm;rate=${rate}`, chunkMs = 100 } = {}) {
  const step = Math.round((rate * chunkMs) / 1000) * 2;
  for (let off = 0; off < pcm.length; off += step) {
    client.send({ realtimeInput: { audio: { mimeType, data: pcm.subarray(off, off + step).toString('base64') } } });
  }
}

