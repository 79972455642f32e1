// Gemini Live emulation — connection entry point.
//
// Owns: one WebSocket connection on either Gemini endpoint, from the upgrade
// to the close: credentials (`?key=` / `x-goog-api-key` on
// …v1beta.GenerativeService.BidiGenerateContent, `?access_token=` /
// `Authorization: Token` on …v1alpha.GenerativeService.BidiGenerateContentConstrained),
// the "setup first" rule, the setup → setupComplete handshake (fresh or
// resumed), the connection lifetime (goAway, then the limit), fault knobs and
// turning GeminiClose errors into close frames. Everything after setup is
// gemini/session.mjs; the wire shape is gemini/wire.mjs.
//
// Like the real service, credentials are checked once the first frame
// arrives (the upgrade itself always succeeds) and refusals are close frames:
// a bad API key → 1007 "API key not valid. Please pass a valid API key.",
// a bad/expired/used ephemeral token (or an access_token on the non-constrained
// method) → 1008 "Method doesn't allow unregistered callers (…)".

import { encodeServerMessage, decodeClientFrame } from './gemini/wire.mjs';
import { normalize, CLIENT_MESSAGE } from './gemini/schema.mjs';
import { validateSetup } from './gemini/setup.mjs';
import { LiveSession } from './gemini/session.mjs';
import { loadSnapshot } from './gemini/resumption.mjs';
import { readKnobs } from './gemini/knobs.mjs';
import {
  GeminiClose, invalidArgument, apiKeyInvalid, unregisteredCaller, entityNotFound, internalError,
  deadlineExceeded, truncateReason,
} from './gemini/errors.mjs';

export const GEMINI_PATHS = {
  '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent': { apiVersion: 'v1beta', constrained: false },
  '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContent': { apiVersion: 'v1alpha', constrained: false },
  '/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained': { apiVersion: 'v1alpha', constrained: true },
  '/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContentConstrained': { apiVersion: 'v1beta', constrained: true },
};

/**
 * The request URL, tolerating the doubled leading slash that @google/genai
 * produces (`${base}/` + `/ws/…`), which the real front end accepts too.
 */
export function requestUrl(request) {
  return new URL(String(request.url ?? '/').replace(/^\/+/, '/'), 'http://localhost');
}

/** Credentials presented on the upgrade request. */
export function readCredentials(request) {
  const url = requestUrl(request);
  const headers = request.headers ?? {};
  const auth = String(headers.authorization ?? '');
  const m = /^(?:Token|Bearer)\s+(.+)$/i.exec(auth);
  return {
    key: url.searchParams.get('key') ?? headers['x-goog-api-key'] ?? null,
    accessToken: url.searchParams.get('access_token') ?? (m ? m[1] : null),
  };
}

/** Does this (first) frame resume a session the emulator still holds? */
function resumesKnownSession(data) {
  try {
    const msg = decodeClientFrame(data);
    const handle = (msg.setup ?? {}).sessionResumption?.handle ?? msg.setup?.session_resumption?.handle;
    return typeof handle === 'string' && loadSnapshot(handle) !== null;
  } catch {
    return false;
  }
}

/** A small, recordable digest of a server message (no audio payloads). */
function summarize(message) {
  const sc = message.serverContent;
  if (sc?.modelTurn) return { text: sc.modelTurn.parts?.map((p) => p.text ?? '').join('') };
  if (sc?.outputTranscription) return { output_transcription: sc.outputTranscription.text };
  if (sc?.inputTranscription) return { input_transcription: sc.inputTranscription.text };
  if (message.toolCall) return { calls: message.toolCall.functionCalls.map((c) => c.name) };
  if (message.toolCallCancellation) return { ids: message.toolCallCancellation.ids };
  if (message.goAway) return { time_left: message.goAway.timeLeft };
  return {};
}

/**
 * Handle one accepted WebSocket on a Gemini endpoint.
 * @param {import('ws').WebSocket} ws
 * @param {import('http').IncomingMessage} request
 * @param {object} ctx `{ faults, verifyToken, recorder, log, speed? }` (see server.mjs)
 */
export function handleGeminiConnection(ws, request, ctx = {}) {
  const log = ctx.log ?? (() => {});
  const url = requestUrl(request);
  const endpoint = GEMINI_PATHS[url.pathname] ?? { apiVersion: 'v1beta', constrained: false };
  const knobs = readKnobs(url.searchParams, ctx);
  const recorder = ctx.recorder ?? null;
  const credentials = readCredentials(request);

  let state = 'await-credentials-check'; // → 'await-setup' → 'live' → 'closed'
  let session = null;
  const timers = new Set();
  const later = (ms, fn) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
    return t;
  };

  // Frame sender: binary pretty JSON, through the fault layer (../faults.mjs) when
  // a frame-count fault is set on the URL.
  const rawSend = (payload) => {
    if (ws.readyState === ws.OPEN) ws.send(payload, { binary: true });
  };
  const faults = ctx.faults;
  const sender = faults?.active?.()
    ? faults.wrap(rawSend, {
      binary: true,
      encode: encodeServerMessage,
      // The shared wrapper's server-error fault closes 1011 "Internal error occurred.";
      // Gemini's own text for INTERNAL is "Internal error encountered.".
      close: (code, reason) => closeWith(code === 1011 && reason === 'Internal error occurred.'
        ? internalError() : new GeminiClose(code, reason)),
      terminate: () => abort(),
      unknown: () => encodeServerMessage({ emulatorUnknownMessage: { note: 'injected by emu_unknown_after' } }).toString('utf8'),
    })
    : (message) => rawSend(encodeServerMessage(message));
  let audioTurn = 0;
  const send = (message) => {
    if (state === 'closed') return;
    const parts = message.serverContent?.modelTurn?.parts;
    const audio = parts?.find((p) => p.inlineData);
    if (audio) {
      recorder?.audioSent?.(`turn-${audioTurn}`, Buffer.from(audio.inlineData.data, 'base64').length / 2, 24000);
    } else {
      recorder?.event?.(`sent.${Object.keys(message).join('+')}`, summarize(message));
      if (message.serverContent?.turnComplete) audioTurn++;
    }
    sender(message);
  };

  function abort() {
    if (state === 'closed') return;
    state = 'closed';
    recorder?.event?.('sent.abort', {});
    session?.dispose();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    if (typeof ctx.terminate === 'function') ctx.terminate();
    else ws.terminate();
  }

  function closeWith(err) {
    if (state === 'closed') return;
    state = 'closed';
    const close = err instanceof GeminiClose ? err : internalError();
    if (!(err instanceof GeminiClose)) log(`gemini: internal error: ${err?.stack || err}`);
    recorder?.event?.('close', { code: close.code, reason: close.reason });
    session?.dispose();
    for (const t of timers) clearTimeout(t);
    timers.clear();
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) {
      try {
        ws.close(close.code, truncateReason(close.reason));
      } catch {
        ws.terminate(); // a code a close frame cannot carry (e.g. emu_close_code=1005)
      }
    }
  }

  async function checkCredentials(firstFrame) {
    // Resuming a session does not consume a use of an ephemeral token (real behaviour).
    const consume = !resumesKnownSession(firstFrame);
    if (endpoint.constrained) {
      const token = credentials.accessToken ?? credentials.key;
      if (!token || !(await verify(token, consume))) throw unregisteredCaller();
      return;
    }
    if (credentials.accessToken && !credentials.key) throw unregisteredCaller();
    if (!credentials.key || !(await verify(credentials.key, consume))) throw apiKeyInvalid();
  }

  async function verify(token, consume) {
    if (typeof ctx.verifyToken !== 'function') return false;
    try {
      return Boolean(await ctx.verifyToken(token, { provider: 'gemini', consume }));
    } catch {
      return false;
    }
  }

  function startLifetime() {
    later(knobs.goAwayAfterMs, () => {
      const left = Math.max(0, knobs.connectionLimitMs - knobs.goAwayAfterMs);
      send({ goAway: { timeLeft: `${Math.ceil(left / 1000)}s` } });
    });
    later(knobs.connectionLimitMs, () => closeWith(deadlineExceeded()));
  }

  function onSetup(msg) {
    if (!msg.setup) throw invalidArgument(); // anything but setup first
    const config = validateSetup(msg.setup, { apiVersion: endpoint.apiVersion });
    let snapshot = null;
    if (config.resumption?.handle) {
      snapshot = loadSnapshot(config.resumption.handle);
      if (!snapshot) throw entityNotFound();
    }
    recorder?.event?.('setup', { model: config.model, modality: config.modality, resumed: Boolean(snapshot) });
    session = new LiveSession({ config, send, speed: knobs.speed, recorder, snapshot, log });
    state = 'live';
    send({ setupComplete: {} });
    // With resumption on, a first handle comes right after setupComplete, then after each turn.
    session.resumptionUpdate();
  }

  // Frames are handled strictly in order, even across the async credential check.
  let chain = Promise.resolve();
  ws.on('message', (data) => {
    chain = chain.then(async () => {
      if (state === 'closed') return;
      try {
        if (state === 'await-credentials-check') {
          await checkCredentials(data);
          state = 'await-setup';
          startLifetime();
        }
        const msg = normalize(decodeClientFrame(data), CLIENT_MESSAGE);
        if (state === 'await-setup') onSetup(msg);
        else session.handle(msg);
      } catch (err) {
        closeWith(err);
      }
    });
  });
  ws.on('close', () => {
    state = 'closed';
    session?.dispose();
    for (const t of timers) clearTimeout(t);
    timers.clear();
  });
  ws.on('error', (err) => log(`gemini: socket error: ${err.message}`));
}
