// Gemini Live emulation — close codes and reason texts.
//
// Owns: the catalogue of the ways the real service ends a session. Gemini Live
// has no JSON error message: every failure is a WebSocket close with a code and
// a reason (PROTOCOLS §2.8). The texts below are the ones reported verbatim in
// public issues/client code for the real service (see README "Gemini Live");
// close reasons are limited to 123 bytes by RFC 6455, and the real service cuts
// long ones there too (e.g. the model-not-found text ends in "…Call ModelService.").

export const MAX_REASON_BYTES = 123;

/** Cut a reason to what fits in a close frame, never splitting a UTF-8 char. */
export function truncateReason(reason) {
  const buf = Buffer.from(String(reason ?? ''), 'utf8');
  if (buf.length <= MAX_REASON_BYTES) return String(reason ?? '');
  let end = MAX_REASON_BYTES;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--; // back off continuation bytes
  return buf.subarray(0, end).toString('utf8');
}

/** A close the session must perform: `{ code, reason }`. */
export class GeminiClose extends Error {
  constructor(code, reason) {
    super(`${code} ${reason}`);
    this.code = code;
    this.reason = truncateReason(reason);
  }
}

const close = (code, reason) => new GeminiClose(code, reason);

// 1007 — INVALID_ARGUMENT family ("invalid frame payload data").
export const invalidArgument = () => close(1007, 'Request contains an invalid argument.');
export const invalidJson = (detail) =>
  close(1007, `Invalid JSON payload received. ${detail}`);
export const unknownField = (name, path) =>
  close(1007, `Invalid JSON payload received. Unknown name "${name}"${path ? ` at '${path}'` : ''}: Cannot find field.`);
export const invalidValue = (path, typeName, value) =>
  close(1007, `Invalid value at '${path}' (${typeName}), ${JSON.stringify(value)}`);
export const oneofAlreadySet = (oneof, field) =>
  close(1007, `Invalid JSON payload received. Oneof field '${oneof}' is already set. Cannot set '${field}'`);
export const apiKeyInvalid = () => close(1007, 'API key not valid. Please pass a valid API key.');
export const explicitActivityWithAutoVad = () =>
  close(1007, 'Explicit activity control is not supported when automatic activity detection is enabled.');
export const nonAudioOnAudioOnlyModel = () => close(1007, 'Cannot extract voices from a non-audio request.');

// 1008 — NOT_FOUND / PERMISSION_DENIED / UNAUTHENTICATED ("policy violation").
export const modelNotFound = (model, apiVersion) =>
  close(1008, `${model} is not found for API version ${apiVersion}, or is not supported for bidiGenerateContent. Call ModelService.ListModels to see the list of available models and their supported methods.`);
export const entityNotFound = () => close(1008, 'Requested entity was not found.');
export const unregisteredCaller = () =>
  close(1008, "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API.");

// 1011 — INTERNAL / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED.
export const internalError = () => close(1011, 'Internal error encountered.');
export const deadlineExceeded = () => close(1011, 'Deadline expired before operation could complete.');
