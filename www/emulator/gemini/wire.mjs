// Gemini Live emulation — wire format.
//
// Owns: how frames look on the socket. Server frames are BINARY WebSocket
// messages holding UTF-8 JSON pretty-printed with two-space indentation and a
// trailing newline — byte for byte the shape of the real recordings in
// shared/fixtures/gemini-live-recorded (e.g. `{"setupComplete":{}}` travels as
// the 26 bytes `{\n  "setupComplete": {}\n}\n`). Client frames may be text or
// binary JSON; parsing failures map to the real service's 1007 closes.

import { invalidJson } from './errors.mjs';

/** Encode one server message as the real service does. */
export function encodeServerMessage(message) {
  return Buffer.from(JSON.stringify(message, null, 2) + '\n', 'utf8');
}

/** Decode a client frame (text or binary) into an object, or throw a GeminiClose. */
export function decodeClientFrame(data) {
  const text = Buffer.isBuffer(data)
    ? data.toString('utf8')
    : Array.isArray(data)
      ? Buffer.concat(data).toString('utf8')
      : Buffer.from(data).toString('utf8');
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidJson('Unexpected token.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidJson(`Expected an object, got ${value === null ? 'null' : Array.isArray(value) ? 'a list' : typeof value}.`);
  }
  return value;
}
