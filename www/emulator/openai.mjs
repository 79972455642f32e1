// OpenAI Realtime GA emulation — connection entry point.
//
// Owns: one WebSocket on `/v1/realtime?model=…`, from the upgrade to the close:
// the credential check (sub-protocol `openai-insecure-api-key.<token>` for browsers,
// `Authorization: Bearer <token>` for servers), the refusal of anything the emulator
// did not mint (like the service: the upgrade succeeds, an `error` event
// `invalid_api_key` follows, then close 3000 "invalid_request_error.invalid_api_key"),
// the model parameter, the fault wrapper (faults.mjs), the session lifetime
// (`session_expired` then close) and the frame plumbing into openai/session.mjs.

import { RealtimeSession } from './openai/session.mjs';
import { loadSchema } from './openai/schema.mjs';
import * as errors from './openai/errors.mjs';
import { eventId } from './openai/ids.mjs';

export const DEFAULT_MAX_SESSION_MS = 60 * 60 * 1000;

/** Credential presented on the upgrade request, or null. */
export function readCredential(request) {
  const protocols = String(request.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const fromProtocol = protocols.find((p) => p.startsWith('openai-insecure-api-key.'));
  if (fromProtocol) return fromProtocol.slice('openai-insecure-api-key.'.length);
  const m = /^Bearer\s+(.+)$/i.exec(String(request.headers.authorization ?? ''));
  return m ? m[1].trim() : null;
}

function redact(key) {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(Math.min(20, key.length - 7))}${key.slice(-4)}`;
}

/**
 * @param {import('ws').WebSocket} ws
 * @param {import('http').IncomingMessage} request
 * @param {object} ctx  { faults, verifyToken, recorder, log, speed, schemaPath, terminate }
 */
export function handleOpenAIConnection(ws, request, ctx = {}) {
  const log = ctx.log ?? (() => {});
  const url = new URL(request.url, 'http://localhost');
  const faults = ctx.faults;
  const recorder = ctx.recorder ?? null;
  let closed = false;
  let session = null;
  let expiry = null;

  const closeWith = (code, reason) => {
    if (closed) return;
    closed = true;
    session?.dispose();
    clearTimeout(expiry);
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
  };
  const rawSend = (payload) => {
    if (ws.readyState === ws.OPEN) ws.send(payload);
  };
  const wrapped = faults?.wrap
    ? faults.wrap(rawSend, {
      close: closeWith,
      terminate: () => {
        closed = true;
        session?.dispose();
        clearTimeout(expiry);
        ws.terminate();
      },
      unknown: () => ({ type: 'emulator.unknown_event', event_id: eventId(), note: 'injected by emu_unknown_after' }),
      error: () => ({ event_id: eventId(), ...errors.serverError().toEvent(null) }),
    })
    : (msg) => rawSend(JSON.stringify(msg));
  const send = (msg) => {
    if (closed) return;
    recorder?.event?.('server', { type: msg.type });
    wrapped(msg);
  };
  const fatal = (err) => {
    send({ event_id: eventId(), ...err.toEvent(null) });
    closeWith(err.close?.code ?? 1000, err.close?.reason ?? '');
  };

  ws.on('error', (err) => log(`openai: socket error: ${err.message}`));
  ws.on('close', () => {
    closed = true;
    session?.dispose();
    clearTimeout(expiry);
  });

  const token = readCredential(request);
  if (!token) return fatal(errors.missingApiKey());
  if (!ctx.verifyToken?.(token, { provider: 'openai' })) return fatal(errors.invalidApiKey(redact(token)));
  const model = url.searchParams.get('model');
  if (!model) return fatal(errors.missingModel());

  const maxMs = faults?.expireAfterMs ?? ctx.expireAfterMs ?? DEFAULT_MAX_SESSION_MS;
  let schema = null;
  try {
    schema = loadSchema(ctx.schemaPath);
  } catch (err) {
    log(`openai: schema ${ctx.schemaPath} unusable: ${err.message}`);
  }
  session = new RealtimeSession({
    send,
    schema,
    model,
    speed: ctx.speed ?? faults?.speed ?? 1,
    expiresAtSec: Math.floor((Date.now() + maxMs) / 1000),
    recorder,
    log,
  });
  ws.on('message', (data, isBinary) => {
    if (closed) return;
    session.handleFrame(isBinary ? Buffer.from(data).toString('utf8') : data.toString('utf8'));
  });
  expiry = setTimeout(() => {
    if (closed) return;
    // Like the service: an error event, then the socket closes.
    fatal(errors.sessionExpired());
  }, maxMs);
  session.start();
}
