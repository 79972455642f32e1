// OpenAI Realtime `error` events: the catalogue of errors the emulator raises.
//
// Owns: error codes, types and message texts (PROTOCOLS §1.10 plus the OpenAI
// API's general parameter-error wording). Every function returns a RealtimeError;
// session.mjs turns it into `{type:"error", error:{type, code, message, param, event_id}}`
// with the client's `event_id` echoed (null when the client sent none).

export class RealtimeError extends Error {
  constructor({ type = 'invalid_request_error', code = null, message, param = null, fatal = false, close = null }) {
    super(message);
    this.type = type;
    this.code = code;
    this.param = param;
    this.fatal = fatal; // close the socket after sending
    this.close = close; // { code, reason } for a fatal error
  }

  toEvent(clientEventId = null) {
    return {
      type: 'error',
      error: { type: this.type, code: this.code, message: this.message, param: this.param, event_id: clientEventId ?? null },
    };
  }
}

const e = (o) => new RealtimeError(o);

export const invalidJson = (detail) =>
  e({ code: 'invalid_json', message: `We could not parse the JSON body of your request. (${detail})` });
export const missingType = () => e({ code: 'invalid_event', message: "The 'type' field is missing." });
export const unknownType = (type, supported) =>
  e({
    code: 'invalid_value',
    param: 'type',
    message: `Invalid value: '${String(type).slice(0, 100)}'. Supported values are: ${supported.map((s) => `'${s}'`).join(', ')}.`,
  });
export const missingParam = (param) =>
  e({ code: 'missing_required_parameter', param, message: `Missing required parameter: '${param}'.` });
export const unknownParam = (param) => e({ code: 'unknown_parameter', param, message: `Unknown parameter: '${param}'.` });
export const invalidType = (param, expected, got) =>
  e({ code: 'invalid_type', param, message: `Invalid type for '${param}': expected ${expected}, but got ${got} instead.` });
export const invalidValue = (param, message) => e({ code: 'invalid_value', param, message });

export const commitEmpty = (ms) =>
  e({
    code: 'input_audio_buffer_commit_empty',
    message: `Error committing input audio buffer: buffer too small. Expected at least 100ms of audio, but buffer only has ${ms.toFixed(2)}ms of audio.`,
  });
export const activeResponse = (id) =>
  e({
    code: 'conversation_already_has_active_response',
    message: `Conversation already has an active response in progress: ${id}. Wait until the response is finished before creating a new one.`,
  });
export const cancelNotActive = () =>
  e({ code: 'response_cancel_not_active', message: 'Cancellation failed: no active response found' });
export const itemNotFound = (param, id) =>
  e({ code: 'item_not_found', param, message: `Item with item_id not found: ${id}` });
export const itemExists = (id) =>
  e({ code: 'item_already_exists', param: 'item.id', message: `Item with id '${id}' already exists.` });
export const previousItemNotFound = (id) =>
  e({ code: 'previous_item_not_found', param: 'previous_item_id', message: `Previous item with id '${id}' not found.` });
export const notTruncatable = () =>
  e({ code: 'invalid_value', param: 'item_id', message: 'Only model output audio messages can be truncated' });
export const truncateBeyond = (lengthMs, endMs) =>
  e({ code: 'invalid_value', param: 'audio_end_ms', message: `Audio content of ${lengthMs}ms is already shorter than ${endMs}ms` });
export const badContentIndex = (i) =>
  e({ code: 'invalid_value', param: 'content_index', message: `Invalid 'content_index': ${i}. The item has no content part at that index.` });
export const voiceLocked = () =>
  e({ code: 'cannot_update_voice', param: 'session.audio.output.voice', message: "Cannot update a conversation's voice if assistant audio is present." });
export const modelLocked = () =>
  e({ code: 'invalid_value', param: 'session.model', message: 'The model of a session cannot be changed after it is created.' });
export const sessionTypeLocked = (from, to) =>
  e({ code: 'invalid_value', param: 'session.type', message: `Cannot change the session type from '${from}' to '${to}'.` });
export const assistantAudioNotAllowed = () =>
  e({ code: 'invalid_value', param: 'item.content', message: "Assistant messages cannot contain 'output_audio' content created by the client." });
export const toolNotFound = (name) =>
  e({ code: 'invalid_value', param: 'tool_choice', message: `Tool choice '${name}' not found in 'tools' parameter.` });
export const sessionExpired = () =>
  e({ code: 'session_expired', message: 'Your session hit the maximum duration of 60 minutes.', fatal: true, close: { code: 1000, reason: 'session_expired' } });
export const invalidApiKey = (shown) =>
  e({
    code: 'invalid_api_key',
    message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    fatal: true,
    close: { code: 3000, reason: 'invalid_request_error.invalid_api_key' },
  });
export const missingApiKey = () =>
  e({
    code: 'missing_api_key',
    message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
    fatal: true,
    close: { code: 3000, reason: 'invalid_request_error.missing_api_key' },
  });
export const missingModel = () =>
  e({ code: 'missing_required_parameter', param: 'model', message: "Missing required parameter: 'model'.", fatal: true, close: { code: 3000, reason: 'invalid_request_error.missing_required_parameter' } });
export const serverError = () =>
  e({ type: 'server_error', code: 'server_error', message: 'The server had an error while processing your request. Sorry about that! (emulated fault)' });
