// The JS side of the browser shell (src/web): what Rust asks of the page that is faster or only
// possible in JS. One module, so a page loads one file for all of it (wasm-bindgen emits it as
// `snippets/<crate>/src/web/platform.js`; six inline snippets were six module requests, and a
// 2-core machine's test server stalled on the fifth and sixth).
//
// Rust callers: web/audio.rs (worklets, nodes, microphone), web/convert.rs (values, strings,
// errors, the console), web/stream.rs (MessageStream), web/driver.rs (clock, tools, frames,
// socket handlers, promises, diagnostics), web/connector.rs (the socket), web/network.rs,
// web/session.rs and web/client.rs (allDone). Each section names its caller.

// ---- audio (web/audio.rs) ------------------------------------------------------------------

// The engine's context (the app's, or a new one at the device's rate) and its worklet module
// loading: `[context, module, sampleRate]`.
export function openAudio(context, explicit) {
  context ??= new AudioContext();
  return [context, loadWorklet(context, explicit), context.sampleRate];
}
// What is still between the context and the listener, in seconds: `outputLatency` where the
// browser has it, else `baseLatency` (not every browser has both).
export function outputLatency(context) {
  const positive = (seconds) => (seconds > 0 ? seconds : 0);
  return positive(context.outputLatency) || positive(context.baseLatency);
}
export const isSuspended = (context) => context.state == 'suspended';

// Where the worklet comes from: the app's `audio.workletUrl`, else the package's own file
// (`new URL(…, import.meta.url)`: bundlers emit it as an asset, as they do the .wasm; this module
// sits four levels below the package root).
async function loadWorklet(context, explicit) {
  const worklet = context.audioWorklet;
  if (explicit) {
    try { return await worklet.addModule(explicit); }
    catch (e) { throw new Error(`options.audio.workletUrl: the audio worklet could not be loaded from ${explicit} (${e.message})`); }
  }
  const packaged = new URL('../../../../worklets/realtime-audio.js', import.meta.url);
  try { return await worklet.addModule(packaged); }
  catch (e) {
    throw new Error(`the audio worklet could not be loaded from ${packaged} (${e.message}): serve the package's worklets/ folder beside its .wasm, or pass the URL of worklets/realtime-audio.js as options.audio.workletUrl`);
  }
}

// Hands a chunk of playback samples to the worklet: a copy whose buffer is transferred.
export function postAudio(node, item, view) {
  const samples = view.slice();
  node.port.postMessage({ type: 'audio', item, samples }, [samples.buffer]);
}

// ---- values across the boundary (web/convert.rs) --------------------------------------------

// App values are written by the engine's JSON.stringify (native, cycle-checked; bytes become
// base64).
const base64 = (v) => {
  const u8 = new Uint8Array(v.buffer ?? v, v.byteOffset ?? 0, v.byteLength);
  if (u8.toBase64) return u8.toBase64();
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  return btoa(s);
};
const bytes = (_, v) => (ArrayBuffer.isView(v) || v instanceof ArrayBuffer ? base64(v) : v);
export function toJson(value, what, limit) {
  let text;
  try { text = JSON.stringify(value, bytes); }
  catch (e) {
    // The engine's stack ran out first (a RangeError): the same refusal as serde_json's depth limit.
    const why = e instanceof RangeError ? 'nested too deeply (more than 128 levels)' : `cannot be sent: ${e instanceof Error ? e.message : e}`;
    throw new TypeError(`${what}: ${why}`);
  }
  if (text === undefined) return 'null';
  if (text.length > limit) throw new TypeError(`${what}: too large (${text.length} characters of JSON; the limit is ${limit})`);
  return text;
}

// A shallow copy of an app object without the keys listed, comma-separated (the connect options'
// neutral part, a tool's declaration, createResponse's overrides). The app's getters and proxy
// traps run here: what they throw becomes a TypeError naming `what`.
function copyWithout(object, keys, what) {
  let copy;
  try { copy = Object.assign({}, object); }
  catch (e) { throw new TypeError(`${what} could not be read: ${describeError(e)}`); }
  for (const key of keys.split(',')) delete copy[key];
  return copy;
}

// ---- the app's options (web/client.rs, web/connect_options.rs, web/audio.rs) -----------------

// The options only JS gives are checked here, field by field: a bad value is a TypeError/RangeError
// naming its path. In Rust each check was an early return dropping what was read so far (~2 kB of
// wasm for connect() alone); here it is one throw, and a table says what each field is. Rust gets
// what was read in one array.

// A property of an app object: undefined when `object` is not an object (a function included) or
// its getter throws (read as absent: for the top-level connect keys the neutral copy reports the
// throw, for nested ones such as `audio.*` the field is simply absent).
function read(object, key) {
  if (typeof object == 'object' && object) try { return object[key]; } catch { /* absent */ }
}
const BOOLEAN = 'boolean', STRING = 'string';
// An optional field (null is absent) of its `kind`: a `typeof` (BOOLEAN, STRING, 'function'),
// `[min, max, hint?]` (an integer; the hint ends the range message), the name of a class of the
// page (an instance of it; 'Array' by `Array.isArray`, so an array from another realm counts), or
// undefined (read as it is).
function field(object, owner, key, kind) {
  const value = read(object, key), at = `${owner}.${key}`;
  if (value == null) return;
  if (Array.isArray(kind)) {
    if (typeof value != 'number') throw new TypeError(`${at} must be a number`);
    if (!(Number.isInteger(value) && value >= kind[0] && value <= kind[1])) throw new RangeError(`${at} must be an integer from ${kind[0]} to ${kind[1]}${kind[2] ?? ''}`);
  } else if (kind && (/^[a-z]/.test(kind) ? typeof value != kind : kind == 'Array' ? !Array.isArray(value) : !isA(value, kind))) {
    throw new TypeError(`${at} must be a${/^[AEIOU]/.test(kind) ? 'n' : ''} ${kind}`);
  }
  return value;
}
// Reads the `fields` of `object` ({ key: kind }) onto `out`, in order; with `unknown`, its other
// keys are noted there as `[path, key, known keys]` (Rust warns: web/convert.rs, warn_unknown_keys).
function fields(out, object, owner, kinds, unknown) {
  const known = Object.keys(kinds);
  for (const key of known) out.push(field(object, owner, key, kinds[key]));
  if (unknown && typeof object == 'object' && object && !Array.isArray(object)) {
    for (const key of Object.keys(object)) if (!known.includes(key)) unknown.push(`${owner}.${key}`, key, known.join());
  }
}

// `new RealtimeClient(options)`: `[provider, model?, endpoint?, token, dangerouslyAllowApiKeyInBrowser?, unknown]`.
export function clientOptions(options) {
  if (typeof options != 'object' || !options) throw new TypeError('RealtimeClient options must be an object');
  const out = [], unknown = [];
  fields(out, options, 'options', { provider: STRING, model: STRING, endpoint: STRING, token: undefined, dangerouslyAllowApiKeyInBrowser: BOOLEAN }, unknown);
  const [provider, model, endpoint, token] = out;
  if (provider === undefined) throw new TypeError('options.provider is required ("openai" or "gemini")');
  if (provider != 'openai' && provider != 'gemini') throw new RangeError(`options.provider: unknown provider ${JSON.stringify(provider)} (expected "openai" or "gemini")`);
  if (model === '') throw new RangeError('options.model must not be empty');
  if (endpoint !== undefined && !/^wss?:\/\//.test(endpoint)) throw new RangeError('options.endpoint must be a ws:// or wss:// URL');
  if (typeof token != STRING && typeof token != 'function') throw new TypeError('options.token must be a string or a function returning a promise of one');
  out.push(unknown);
  return out;
}

// The credential for a connection (web/connector.rs): `options.token`, or what its function
// resolves to (a string or `{ token, url? }`), as a promise of `[token, url?]`; a token function
// that throws rejects it.
export function credential(token) {
  return new Promise((resolve) => resolve(typeof token == 'function' ? token() : token)).then((value) => {
    if (typeof value == STRING) return [value];
    const parts = [];
    fields(parts, value, 'token()', { token: STRING, url: STRING });
    if (parts[0] === undefined) throw new TypeError('token() must resolve to a string or { token, url? }');
    return parts;
  });
}

// A tool as the app gives it (web/convert.rs, function_tool): `[declaration, handler?]`, the
// declaration a copy without the handler, of `type: "function"` unless it says another.
export function toolParts(tool, at) {
  if (typeof tool != 'object' || !tool) throw new TypeError(`${at} must be an object`);
  const handler = field(tool, at, 'handler', 'function'), declaration = copyWithout(tool, 'handler', at);
  if (declaration.type === undefined) declaration.type = 'function';
  return [declaration, handler];
}

// `createResponse` of sendText's and commitAudio's options (web/session.rs).
export const createResponse = (options) => field(options, 'options', 'createResponse', BOOLEAN);

// `session.createResponse(overrides)` (web/session.rs): the overrides (undefined/null: none) copied
// into a createResponse message.
export function responseOverrides(overrides) {
  if (overrides != null && typeof overrides != 'object') throw new TypeError('overrides must be an object');
  const message = copyWithout(overrides, 'type', 'overrides');
  message.type = 'createResponse';
  return message;
}

// `connect(options)`, what only JS gives (the neutral rest is read in Rust), in this order:
// functionInvocation's includeDetailedErrors, allowConcurrentInvocation, maxIterationsPerTurn,
// maxConsecutiveErrors, terminateOnUnknownCalls, answerCallsWithoutHandler (0–5); audio's playback,
// context, workletUrl, chunkMs, prebufferMs, outputElement, outputNode (6–12); tools, middleware
// (`[name, object, send?, receive?]` each), logLevel, connectTimeoutMs, maxFrameBytes, rawFrames,
// bargeIn (13–19); the unknown keys (20); the neutral options, a shallow copy without those
// (21); reconnect (on), its maxAttempts, maxDelayMs (22–24); 53 random bits for the reconnect
// jitter (25: `Math.random` here, not one more import of the wasm).
export function connectOptions(options) {
  if (options != null && typeof options != 'object') throw new TypeError('connect options must be an object');
  const out = [], unknown = [], o = 'options', audio = read(options, 'audio');
  fields(out, read(options, 'functionInvocation'), 'options.functionInvocation', { includeDetailedErrors: BOOLEAN, allowConcurrentInvocation: BOOLEAN,
    maxIterationsPerTurn: [1, 1e4], maxConsecutiveErrors: [0, 1e4], terminateOnUnknownCalls: BOOLEAN, answerCallsWithoutHandler: BOOLEAN }, unknown);
  if (audio != null && typeof audio != 'object') throw new TypeError('options.audio must be an object');
  fields(out, audio, 'options.audio', { playback: BOOLEAN, context: 'AudioContext', workletUrl: STRING, chunkMs: [3, 200], prebufferMs: [0, 2000],
    outputElement: 'HTMLAudioElement', outputNode: 'AudioNode' }, unknown);
  if (out[12] && !out[7]) throw new TypeError('options.audio.outputNode needs options.audio.context (the context it belongs to)');
  // The other keys are the neutral options' (Rust notes the unknown ones among those).
  const top = { tools: 'Array', middleware: 'Array', logLevel: STRING, connectTimeoutMs: [0, 6e5], maxFrameBytes: [1024, 2 ** 30], rawFrames: BOOLEAN, bargeIn: undefined };
  fields(out, options, o, top);
  out[14] = Array.from(out[14] ?? [], (layer, i) => {
    const at = `options.middleware[${i}]`, methods = [];
    if (typeof layer != 'object' || !layer) throw new TypeError(`${at} must be an object with send() and/or receive()`);
    fields(methods, layer, at, { send: 'function', receive: 'function', name: undefined });
    const [send, receive, name] = methods;
    if (!send && !receive) throw new TypeError(`${at} needs a send() or a receive() function`);
    return [typeof name == STRING ? name : at, layer, send, receive];
  });
  const level = out[15];
  if (level !== undefined && !['off', 'error', 'warn', 'info', 'debug', 'trace'].includes(level)) {
    throw new RangeError(`options.logLevel: ${JSON.stringify(level)} is not one of off, error, warn, info, debug, trace`);
  }
  // `reconnect: false | true | { maxAttempts?, maxDelayMs? }`, or the older `resume: boolean`.
  const given = read(options, 'reconnect'), resume = field(options, o, 'resume', BOOLEAN);
  if (resume !== undefined && given !== undefined) throw new TypeError('options.resume is the old name of options.reconnect: give only reconnect');
  out.push(unknown, copyWithout(options, `${Object.keys(top)},functionInvocation,audio,reconnect,resume`, o));
  const reconnect = given ?? resume ?? true;
  out.push(!!reconnect);
  if (typeof reconnect != BOOLEAN) {
    if (typeof reconnect != 'object') throw new TypeError('options.reconnect must be false or an object { maxAttempts?, maxDelayMs? }');
    fields(out, reconnect, 'options.reconnect', { maxAttempts: [1, 100, ' (reconnect: false turns reconnecting off)'], maxDelayMs: [0, 6e5] }, unknown);
  }
  out[25] = Math.random() * 2 ** 53;
  return out;
}

// ---- strings out of wasm memory (web/convert.rs) ------------------------------------------

// wasm-bindgen decodes every string it passes with a TextDecoder call, whose fixed cost is most
// of a short string's (Chromium: ~250 ns for a 12-byte id, ~90 ns by the loop below). The hot
// path's message ids and transcript words are short ASCII, so they cross as (address, length)
// and are read here.
let memory;
let heap = new Uint8Array(0);
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
// (A second instance of the module on the page has memory of its own: the old view goes.)
export function useMemory(m) { memory = m; heap = new Uint8Array(0); }
function text(at, length) {
  // Memory growth detaches the old buffer (its views then have no bytes).
  if (heap.byteLength === 0) heap = new Uint8Array(memory.buffer);
  const end = at + length;
  if (length <= 64) {
    let s = '';
    for (let i = at; i < end; i++) {
      const c = heap[i];
      if (c > 0x7f) return utf8.decode(heap.subarray(at, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(heap.subarray(at, end));
}

// The hot path's message objects (audio and text deltas), built without a generic serializer:
// `{ type, messageId?, responseId?, itemId, outputIndex, contentIndex, [key]: value }`, where the
// message id is text at `idAt` (0: none) and `value` is bytes (audio) or text at `textAt`.
export function positioned(type, idAt, idLength, responseId, itemId, outputIndex, contentIndex, key, value, textAt, textLength) {
  const m = { type };
  if (idAt !== 0) m.messageId = text(idAt, idLength);
  if (responseId !== undefined) m.responseId = responseId;
  m.itemId = itemId; m.outputIndex = outputIndex; m.contentIndex = contentIndex;
  m[key] = value !== undefined ? value : text(textAt, textLength);
  return m;
}

// The audio contents of a server message's `item` or `items` (web/convert.rs, message_to_js): base64
// in the JSON form, bytes for the app.
const fromBase64 = (text) => (Uint8Array.fromBase64 ? Uint8Array.fromBase64(text) : Uint8Array.from(atob(text), (c) => c.charCodeAt(0)));
export function itemAudio(message) {
  for (const item of message?.items ?? [message?.item]) {
    for (const part of item?.contents ?? []) if (part.type == 'audio' && typeof part.audio == STRING) part.audio = fromBase64(part.audio);
  }
}

// `{ type, level, rms, peak? }` for the inputLevel/outputLevel events (web/driver.rs): f32 values,
// shown with an f32's precision.
const f32 = (x) => Number(x.toPrecision(7));
export function levelEvent(type, level, rms, peak) {
  const e = { type, level: f32(level), rms: f32(rms) };
  if (peak !== undefined) e.peak = f32(peak);
  return e;
}

// A string from JS, or nothing (`JsValue::as_string`, see `as_string` in convert.rs).
export const asString = (value) => (typeof value == 'string' ? value : undefined);

// The text of whatever an app function threw or rejected with (web/convert.rs).
// Never throws (a revoked proxy fails even `instanceof`).
export function describeError(value) {
  try {
    if (value instanceof Error) return String(value.message);
    if (typeof value === 'string') return value;
    return JSON.stringify(value) ?? String(value);
  } catch { return 'unknown error'; }
}

// The error class the SDK rejects with (exported from the package entry by scripts/build-pkg.mjs).
export class RealtimeError extends Error {
  constructor(message, code) { super(message); this.name = 'RealtimeError'; this.code = code; }
}
// Every error the SDK makes (web/convert.rs): a RealtimeError with `code` (`kind` 0), or a
// TypeError (1) / RangeError (2), with `code` when given.
export function realtimeError(message, code, kind) {
  if (!kind) return new RealtimeError(message, code);
  const error = new (kind == 1 ? TypeError : RangeError)(message);
  if (code) error.code = code;
  return error;
}

// Bytes leave wasm memory as a copy of wasm-bindgen's view (received audio for the app).
export const copyBytes = (view) => view.slice();

// Frames enter wasm memory here (web/convert.rs, frame_from_js): text through the engine's
// TextEncoder.encodeInto (a native copy), an ArrayBuffer (binaryType) by set.
const encoder = new TextEncoder();
export const frameSize = (data) => (typeof data == 'string' ? data.length : -1 - data.byteLength);
export function frameInto(data, at, capacity) {
  const into = new Uint8Array(memory.buffer, at, capacity);
  if (typeof data != 'string') return into.set(new Uint8Array(data)), capacity;
  const { read, written } = encoder.encodeInto(data, into);
  return read === data.length ? written : -1;
}

// ---- the message stream (web/stream.rs) -----------------------------------------------------

// `session.messages()`: the server messages as an async iterator, single reader, ending on close.
// Messages are buffered from the moment a reader exists; `return()` stops reading (and drops what
// is buffered), after which a new reader may start. In JS: built in Rust it was three closures and
// a result object per message through `Reflect.set` (~2 kB of wasm).
const finished = () => Promise.resolve({ value: undefined, done: true });
export class MessageStream {
  constructor() { this.reader = undefined; this.ended = false; this.buffered = []; this.waiting = []; }
  // A reader is reading (so messages are worth building).
  get active() { return this.reader !== undefined && !this.ended; }
  push(value) {
    if (!this.active) return;
    const waiting = this.waiting.shift();
    if (waiting) waiting({ value, done: false });
    else this.buffered.push(value);
  }
  // Every pending next() settles as done.
  wake() {
    for (const waiting of this.waiting.splice(0)) waiting({ value: undefined, done: true });
  }
  end() { this.ended = true; this.wake(); }
  consumer() {
    if (this.reader) throw new Error('messages() already has a consumer: a session\'s message stream has a single reader (call return() on the first iterator, or use on())');
    // The iterator's own token: one that was return()ed reads nothing and ends nobody else's.
    const me = {};
    this.reader = me;
    this.buffered = [];
    const iterator = {
      next: () => {
        if (this.reader !== me) return finished();
        if (this.buffered.length) return Promise.resolve({ value: this.buffered.shift(), done: false });
        if (!this.active) return finished();
        return new Promise((resolve) => { this.waiting.push(resolve); });
      },
      return: () => {
        if (this.reader === me) {
          this.reader = undefined;
          this.buffered = [];
          this.wake();
        }
        return finished();
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

// ---- listeners (web/driver.rs) ----------------------------------------------------------------

// The app's `on`/`once` listeners: per event name, `[handler, once]` pairs. Each method returns how
// many listeners the name has left (the driver keeps the counts: a message is built only for
// someone who reads it).
export class Listeners {
  constructor() { this.byName = new Map(); }
  // Lists are never changed in place (a new one each time): an emit walks the list it started with.
  add(name, handler, once) {
    return this.#put(name, [...(this.byName.get(name) ?? []), [handler, once]]);
  }
  remove(name, handler) {
    return this.#put(name, (this.byName.get(name) ?? []).filter(([h]) => h !== handler));
  }
  // An emptied name goes (by `off()` or a last `once`): the map holds only names someone hears.
  #put(name, list) {
    if (list.length) this.byName.set(name, list);
    else this.byName.delete(name);
    return list.length;
  }
  // Calls a snapshot (`once` listeners removed first: one added meanwhile waits for the next
  // event); a throwing listener is reported, and the others (and the session) go on.
  emit(name, value) {
    const list = this.byName.get(name) ?? [];
    // No new list per delta unless a `once` listener goes.
    if (list.some(([, once]) => once)) this.#put(name, list.filter(([, once]) => !once));
    for (const [handler] of list) {
      try { handler(value); } catch (e) { log('error', `realtime-wasm: a ${name} handler threw:`, e); }
    }
    // Counted after the calls: a listener may have added or removed some (or freed the session).
    return this.byName.get(name)?.length ?? 0;
  }
  clear() { this.byName.clear(); }
}

// ---- browser objects (web/audio.rs, web/driver.rs) ------------------------------------------

// A worklet's port message as Rust reads it (web/audio.rs, WorkletMessage::parse): a capture chunk
// as its samples (the hot path: one value, no fields read across the boundary), any other as
// `[kind, item, value, underruns, queued]`, kind its index in WORKLET_MESSAGES (-1: none of them)
// and value its `rendered`, `rms` or `resampling`.
const WORKLET_MESSAGES = ['position', 'stopped', 'level', 'ready'];
function workletMessage(data) {
  // The chunk first, before any other field is read (50 of these a second).
  if (data.type == 'chunk' && data.samples instanceof Float32Array) return data.samples;
  const { type, item, rendered, rms, resampling, underruns, queued } = data;
  return [WORKLET_MESSAGES.indexOf(type), item, rendered ?? rms ?? resampling, underruns, queued];
}
// The worklet nodes (web/audio.rs): mono, their port's messages to `onmessage` (as above).
function workletNode(context, name, numberOfOutputs, processorOptions, onmessage) {
  const options = { processorOptions, numberOfInputs: 1, numberOfOutputs };
  if (numberOfOutputs) options.outputChannelCount = [1];
  const node = new AudioWorkletNode(context, name, options);
  node.port.onmessage = ({ data }) => onmessage(workletMessage(data ?? {}));
  return node;
}
// The playback graph: worklet → gain → an <audio> element (through a MediaStream: output-device
// choice, and the browser's echo canceller sees what is played), the app's node, or the speakers;
// `[node, gain, destination?]`. `phases` (with up…grid): the resampler's filter, for a worklet
// that resamples (else empty).
export function playbackNode(context, onmessage, prebufferFrames, fadeFrames, reportFrames, phases, up, down, taps, grid, element, output) {
  const options = { prebufferFrames, fadeFrames, reportFrames };
  // `phases` is a view of wasm memory: copied.
  if (phases.length) options.int16Resampler = { up, down, taps, grid, phases: phases.slice() };
  const node = workletNode(context, 'realtime-playback', 1, options, onmessage);
  const gain = context.createGain();
  node.connect(gain);
  if (element) {
    const destination = context.createMediaStreamDestination();
    gain.connect(destination);
    element.srcObject = destination.stream;
    // Refused (the autoplay policy): said on the console, not left an unhandled rejection.
    element.play().catch((e) => log('warn', `realtime-wasm: audio.outputElement did not start playing (${describeError(e)}): call session.resumeAudio() (or its play()) from a user gesture`));
    return [node, gain, destination];
  }
  gain.connect(output ?? context.destination);
  return [node, gain];
}
// `[node, source]`: the capture worklet, the microphone stream's source connected to it.
export function captureNode(context, onmessage, chunkFrames, stream) {
  const node = workletNode(context, 'realtime-capture', 0, { chunkFrames }, onmessage);
  const source = context.createMediaStreamSource(stream);
  source.connect(node);
  return [node, source];
}
// The playback volume (web/audio.rs): the gain's value, set first when given.
export function gainValue(node, value) {
  if (value !== undefined) node.gain.value = value;
  return node.gain.value;
}
// `duck`, `restore`, `stop` (with the item to stop, for playback).
export function postControl(node, type, item) {
  node.port.postMessage(item === undefined ? { type } : { type, item });
}

// A worklet node let go of: `stop` posted first if asked, its port silenced, disconnected, and
// `other` (its source or gain) disconnected too. Never throws: it runs while the session releases
// what it holds.
export function releaseNode(node, stop, other) {
  try {
    if (stop) postControl(node, 'stop');
    node.port.onmessage = null;
    node.disconnect();
  } catch { /* a node already gone with its context */ }
  try { other.disconnect(); } catch { /* the same */ }
}
// The engine's context (web/audio.rs): resumed (a refusal rejects), closed (a refusal ignored).
// Never throws: a promise, or nothing.
// `resumeAudio()`: the context, and the app's <audio> element when the autoplay policy refused its
// play() (a paused element plays nothing however running the context is).
// `quietly` (a resume attempted on the app's behalf, e.g. as a microphone starts): a refusal is
// dropped, not an unhandled rejection.
export function resumeContext(context, element, quietly) {
  const resumed = Promise.all([context.resume(), element?.srcObject && element.paused ? element.play() : 0]).then(() => {});
  return quietly ? resumed.catch(() => {}) : resumed;
}
export function closeContext(context) {
  try { context.close().catch(() => {}); } catch { /* a context that cannot close */ }
}

// The microphone (web/audio.rs: request_microphone), with `startMicrophone`'s options: the
// speech-friendly processing on unless turned off.
export function openMicrophone(options) {
  const given = [], audio = {};
  fields(given, options, 'options', { deviceId: STRING, echoCancellation: BOOLEAN, noiseSuppression: BOOLEAN, autoGainControl: BOOLEAN });
  const [deviceId, echoCancellation = true, noiseSuppression = true, autoGainControl = true] = given;
  if (deviceId !== undefined) audio.deviceId = { exact: deviceId };
  Object.assign(audio, { echoCancellation, noiseSuppression, autoGainControl, channelCount: 1 });
  const devices = globalThis.navigator?.mediaDevices;
  if (!devices) throw new RealtimeError('this page cannot use a microphone (navigator.mediaDevices is missing: is it a secure context?)', 'unsupported');
  return devices.getUserMedia({ audio });
}

// `value instanceof globalThis[name]`, false where there is no such class (web/audio.rs,
// web/session.rs): one import instead of a web-sys `instanceof` import per class.
export function isA(value, name) {
  const C = globalThis[name];
  // An app's revoked proxy throws even here: it is then no such object.
  try { return typeof C === 'function' && value instanceof C; } catch { return false; }
}

// Ends a stream the SDK opened (web/audio.rs).
export const stopTracks = (stream) => { for (const track of stream.getTracks()) track.stop(); };

// A tool handler's run (web/driver.rs): what it returns or throws, as a promise.
export function callTool(handler, args, callId, name, controller) {
  const context = { callId, name, signal: controller.signal };
  return new Promise((resolve) => resolve(handler(args, context)));
}
export const abortController = () => new AbortController();

// ---- the console (web/*.rs) ------------------------------------------------------------------

// Messages cross as Rust strings (no JS string made in the wasm first); the console's method is
// looked up at each call (apps and tests wrap it). Never throw: a console an app made to throw
// must not unwind through the session while it is in the middle of an input.
export function log(method, message, detail) {
  try {
    if (detail === undefined) console[method](message);
    else console[method](message, detail);
  } catch { /* the app's console */ }
}
export const error = (value) => log('error', value);

// ---- the page (web/driver.rs, web/network.rs) -----------------------------------------------

// Monotonic milliseconds; `Date.now()` where there is no `performance`. The engine's own function,
// bound (an arrow around it was a JS frame and a global lookup per call: a frame's cost in the
// receive path's profile).
export const now = globalThis.performance ? performance.now.bind(performance) : Date.now;

// The window's `online`/`offline` events as `changed(online)` (and `changed(false)` at once when
// offline already); returns what stops them, or undefined outside a window (a worker: no such
// events, and nothing would report going online again).
export function watchNetwork(changed) {
  if (typeof window === 'undefined') return undefined;
  if (!navigator.onLine) changed(false);
  const online = () => changed(true);
  const offline = () => changed(false);
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  return () => {
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
  };
}
export const unwatchNetwork = (unwatch) => unwatch();

// The socket (web/connector.rs, web/driver.rs): binary frames as ArrayBuffers; its handlers set
// (the driver's page callback gets `tag` for open and `[tag, code, reason, wasClean]` for close,
// the message handler the event's data) or, called without them, removed.
export function openSocket(url, protocols) {
  const socket = new WebSocket(url, protocols);
  socket.binaryType = 'arraybuffer';
  return socket;
}
export function listenSocket(socket, page, tag, message) {
  socket.onopen = page && (() => page(tag));
  socket.onmessage = message && ((e) => message(e.data));
  socket.onclose = page && ((e) => page([tag, e.code, e.reason, e.wasClean]));
}
export function sendFrame(socket, frame) {
  try { socket.send(frame); } catch { log('warn', 'realtime-wasm: the socket refused a frame'); }
}
export function closeSocket(socket, code, reason) {
  try { if (socket.readyState < 2 /* CLOSING */) socket.close(code, reason); } catch {}
}

// A frame's data as text, for `options.rawFrames` (web/driver.rs): binary frames as UTF-8, invalid
// bytes replaced; set on each message object the frame decodes to.
export const frameText = (data) => (typeof data === 'string' ? data : utf8.decode(data));
export const setRawFrame = (message, frame) => { message.rawFrame = frame; };

// `session.diagnostics` (web/driver.rs).
export function diagnostics(timers, pendingCalls, runningTools, listeners, conversationItems) {
  return { timers, pendingCalls, runningTools, listeners, conversationItems };
}

// A pending promise and what settles it, `[promise, resolve, reject]` (web/driver.rs: new_settle,
// Settle); `settle` and `resolver` are Settle's resolve/reject and close() listener.
export function deferred() {
  let resolve, reject;
  const promise = new Promise((yes, no) => { resolve = yes; reject = no; });
  return [promise, resolve, reject];
}
export const settle = (parts, fulfilled, value) => parts[fulfilled ? 1 : 2](value);
// `reaction([fulfilled, value])` once `promise` settles (web/driver.rs: when_settled): one Rust
// closure per wait, not one per outcome.
// A value that is no promise counts as fulfilled with it (as `await` takes it).
export function whenSettled(promise, reaction) {
  Promise.resolve(promise).then((value) => reaction([true, value]), (reason) => reaction([false, reason]));
}
export const resolver = (parts) => () => parts[1]();

// sendText/commitAudio (web/session.rs), connect (web/client.rs): resolves with nothing once
// both did (either may be a value, e.g. undefined).
export const allDone = (first, second) => Promise.all([first, second]).then(() => {});
