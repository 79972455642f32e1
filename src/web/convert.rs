//! JS ⇄ Rust conversions and JS error construction. Everything from app JS is untrusted: a value of
//! the wrong shape, too deep, cyclic or too large becomes a `TypeError` naming the field, never a
//! panic.

use crate::prelude::*;
use crate::text::text;
use super::CellBorrow;
use crate::model::json::{closest_key, from_json_str_noting_unknown, FromJson, JsonError, UnknownKey};
use crate::model::{OutputPosition, ServerMessage, Tool};
use crate::session::{ErrorCode, ErrorKind, FrameBuf, SessionError, SessionEvent};
use crate::json::ToJson;
use wasm_bindgen::prelude::*;

/// The largest JSON text an app value may become (16 MiB: above any realistic audio chunk or tool
/// schema, far below what would exhaust wasm memory).
pub const MAX_APP_JSON: u32 = 16 << 20;

// One JSON form crosses the boundary in both directions (see `model::json` for why): app values
// are written by the engine's `JSON.stringify` (native, cycle-checked; bytes become base64), read
// back into JS with `JSON.parse`.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = toJson, catch)]
    fn to_json_text(value: &JsValue, what: &str, limit: u32) -> Result<String, JsValue>;
    /// `JsValue::as_string`, through the path every other string from JS takes (wasm-bindgen's
    /// own copies it through a `Box<[u8]>`, whose conversion code is linked for it alone).
    #[wasm_bindgen(js_name = asString)]
    pub fn as_string(value: &JsValue) -> Option<String>;
}

/// A Rust value as a plain JS value (objects, arrays, strings, numbers).
pub fn to_js<T: ToJson + ?Sized>(value: &T) -> JsValue {
    js_sys::JSON::parse(&crate::json::to_string(value)).unwrap_or(JsValue::UNDEFINED)
}

/// A server message for the app. Audio is a `Uint8Array`, not base64: the JSON form carries it as
/// text, and the few places audio can sit are patched (in `platform.js`: `itemAudio`).
pub fn message_to_js(message: &ServerMessage) -> JsValue {
    // The hot path (tens of deltas a second): built by hand, so audio bytes are never re-encoded to
    // base64 on the way to JS and no generic serializer runs per delta.
    match message {
        ServerMessage::OutputAudioDelta(m) => {
            // Always bytes (the d.ts promises them): empty when the provider sent none.
            let audio = bytes_to_js(m.audio.as_ref().map_or(&[][..], |a| a.as_bytes())).into();
            return positioned("outputAudioDelta", m.message_id.as_deref(), &m.position, "audio", Delta::Bytes(audio));
        }
        ServerMessage::OutputTextDelta(m) | ServerMessage::OutputAudioTranscriptionDelta(m) => {
            return positioned(message.kind(), m.message_id.as_deref(), &m.position, "text", Delta::Text(&m.text));
        }
        _ => {}
    }
    let object = to_js(message);
    if matches!(
        message,
        ServerMessage::ConversationItemAdded(_)
            | ServerMessage::ConversationItemDone(_)
            | ServerMessage::ConversationItemRetrieved(_)
            | ServerMessage::ResponseOutputItemAdded(_)
            | ServerMessage::ResponseOutputItemDone(_)
            | ServerMessage::ResponseCreated(_)
            | ServerMessage::ResponseDone(_)
    ) {
        item_audio(&object);
    }
    object
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// The audio contents of a message's `item` (or each of its `items`) as bytes, decoded from
    /// their base64 (rare: items usually carry only a transcript).
    #[wasm_bindgen(js_name = itemAudio)]
    fn item_audio(message: &JsValue);
}

// One boundary crossing per hot message instead of one per field (each `Reflect.set` also
// converts its key from UTF-8). Texts that differ in every delta (message ids, transcript words)
// cross as (address, length) into wasm memory, read by `platform.js` (see `text` there), which is
// handed the memory before the first.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = useMemory)]
    fn use_memory(memory: JsValue);
    #[wasm_bindgen(js_name = positioned)]
    #[allow(clippy::too_many_arguments)]
    fn positioned_js(
        kind: &JsValue,
        id_at: *const u8,
        id_length: usize,
        response_id: &JsValue,
        item_id: &JsValue,
        output_index: u32,
        content_index: u32,
        key: &JsValue,
        value: JsValue,
        text_at: *const u8,
        text_length: usize,
    ) -> JsValue;
}

/// A delta's payload: bytes made into JS already, or text `platform.js` reads out of wasm memory.
enum Delta<'a> {
    Bytes(JsValue),
    Text(&'a str),
}

thread_local! {
    /// Whether `platform.js` has the wasm memory (not at start: a test harness runs no start
    /// function).
    static MEMORY_SHARED: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
    /// The last JS strings made by [`js_string`], with their text.
    static STRINGS: core::cell::RefCell<Vec<(String, JsValue)>> = const { core::cell::RefCell::new(Vec::new()) };
}

/// `text` as a JS string, reused while it repeats: a delta's type, key, response and item ids are
/// the same as the previous delta's, and each new string is a UTF-8 decode (the largest cost of
/// building a delta's message after copying its audio).
pub(super) fn js_string(text: &str) -> JsValue {
    const KEPT: usize = 8;
    STRINGS.with(|strings| {
        let mut strings = strings.mutable();
        if let Some((_, value)) = strings.iter().find(|(kept, _)| kept == text) {
            return value.clone();
        }
        let value = JsValue::from_str(text);
        if strings.len() == KEPT {
            strings.remove(0);
        }
        strings.push((text.to_owned(), value.clone()));
        value
    })
}

/// Gives `platform.js` the wasm memory, once.
fn share_memory() {
    if !MEMORY_SHARED.with(|shared| shared.replace(true)) {
        use_memory(wasm_bindgen::memory());
    }
}

/// `{ type, messageId?, responseId?, itemId, outputIndex, contentIndex, [key]: value }`, as serde
/// would write it.
fn positioned(kind: &str, message_id: Option<&str>, position: &OutputPosition, key: &str, value: Delta) -> JsValue {
    share_memory();
    // A null address says "no message id": a Rust `&str`'s never is, even when empty.
    let (id_at, id_length) = message_id.map_or((core::ptr::null(), 0), |id| (id.as_ptr(), id.len()));
    let (value, text_at, text_length) = match value {
        Delta::Bytes(bytes) => (bytes, core::ptr::null(), 0),
        Delta::Text(text) => (JsValue::UNDEFINED, text.as_ptr(), text.len()),
    };
    positioned_js(
        &js_string(kind),
        id_at,
        id_length,
        &position.response_id.as_deref().map_or(JsValue::UNDEFINED, js_string),
        &js_string(&position.item_id),
        position.output_index,
        position.content_index,
        &js_string(key),
        value,
        text_at,
        text_length,
    )
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = copyBytes)]
    fn copy_bytes(bytes: &[u8]) -> js_sys::Uint8Array;
}

/// A JS copy of `bytes`, made by the engine's `TypedArray.prototype.slice` over wasm-bindgen's
/// view of wasm memory (a native copy), in one boundary crossing (a view made in Rust and then
/// sliced was two, each a tenth of the delta path's cost). `Uint8Array::from` copies through
/// `new Uint8Array(view)`, which profiled at ~4 ns a byte.
pub fn bytes_to_js(bytes: &[u8]) -> js_sys::Uint8Array {
    copy_bytes(bytes)
}

pub fn event_to_js(event: &SessionEvent) -> JsValue {
    to_js(event)
}

/// Reads an app value as `T`. Whatever is wrong (a cycle, a depth over 128, more than
/// [`MAX_APP_JSON`], a field of the wrong type) is a `TypeError` that names the field path, and
/// nothing of the SDK's state is touched.
pub fn from_js<T: FromJson>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let text = to_json_text(&value, what, MAX_APP_JSON)?;
    T::from_json_str(&text, what).map_err(json_type_error)
}

/// A reading error as the `TypeError` the app sees. Not inlined: the generic readers above share
/// one copy of this path instead of one per type.
#[inline(never)]
fn json_type_error(e: JsonError) -> JsValue {
    type_error(&text!(e))
}

/// [`from_js`] for the options and messages the app writes: a key nothing reads (a typo such as
/// `instruction` or `modalities`) is ignored, with a console warning once per page and path.
pub fn from_js_noting_unknown<T: FromJson>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let text = to_json_text(&value, what, MAX_APP_JSON)?;
    let (read, unknown) = from_json_str_noting_unknown::<T>(&text, what).map_err(json_type_error)?;
    warn_unknown_fields(unknown);
    Ok(read)
}

/// The warnings of [`from_js_noting_unknown`], in one non-generic copy.
#[inline(never)]
fn warn_unknown_fields(unknown: Vec<UnknownKey>) {
    for key in unknown {
        warn_unknown(&key.path, "option or field", key.suggestion.as_deref());
    }
}

/// Warns (once per page and path) about the keys of the app's options objects that the SDK reads
/// itself (checked in `platform.js`) and that it does not know: `unknown` is `[path, key, known
/// keys (comma-separated)]` for each.
pub fn warn_unknown_keys(unknown: &JsValue) {
    let unknown: &js_sys::Array = unknown.unchecked_ref();
    // A counted loop, not `step_by` (its adapter's code for this one loop).
    let (mut i, length) = (0, unknown.length());
    while i < length {
        let (path, key, known) = (as_string(&unknown.get(i)), as_string(&unknown.get(i + 1)), as_string(&unknown.get(i + 2)));
        i += 3;
        let (Some(path), Some(key), Some(known)) = (path, key, known) else { continue };
        let known = separated(&known, ",");
        warn_unknown(&path, "option", closest_key(&key, &known));
    }
}

/// The items of `list` separated by `separator`; a trailing separator ends the last item (no empty
/// one after it: [`EVENT_NAMES`](crate::session::EVENT_NAMES) ends with one; `platform.js`'s
/// lists of known keys never do, nor are they empty). By `text::split_once`, not `str::split`: its
/// searcher and memchr were for this alone (≈ 0.3 kB of wasm).
fn separated<'a>(list: &'a str, separator: &str) -> Vec<&'a str> {
    let (mut items, mut rest) = (Vec::new(), list);
    while let Some((item, tail)) = crate::text::split_once(rest, separator) {
        items.push(item);
        rest = tail;
    }
    if !rest.is_empty() {
        items.push(rest);
    }
    items
}

/// Warns (once per page and name) about an event name `on()`/`once()` will never deliver.
pub fn warn_unknown_event(name: &str) {
    if crate::text::word_index(crate::session::EVENT_NAMES, name).is_none() {
        let hint = closest_key(name, &separated(crate::session::EVENT_NAMES, " ")).map_or(String::new(), |k| text!(" (did you mean \"", k, "\"?)"));
        warn_once(text!("realtime-wasm: on(\"", name, "\"): no such event, the listener will never run", hint));
    }
}

fn warn_unknown(path: &str, what: &str, suggestion: Option<&str>) {
    let hint = suggestion.map_or(String::new(), |k| text!(" (did you mean ", k, "?)"));
    warn_once(text!("realtime-wasm: ", path, " is not a known ", what, " and is ignored", hint));
}

thread_local! {
    /// The warnings given on this page (a handful: a list, not a hash set).
    static WARNED: core::cell::RefCell<Vec<String>> = const { core::cell::RefCell::new(Vec::new()) };
}

fn warn_once(message: String) {
    let new = WARNED.with(|warned| {
        let mut warned = warned.mutable();
        let new = !warned.contains(&message);
        if new {
            warned.push(message.clone());
        }
        new
    });
    if new {
        console_warn(&message);
    }
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `console[method](message)`: one import for the console's methods the SDK writes text to.
    #[wasm_bindgen(js_name = log)]
    fn console_log(method: &str, message: &str);
    /// `console.error(value)`: what an app function threw.
    #[wasm_bindgen(js_name = error)]
    pub fn console_error_value(value: &JsValue);
}

/// `console.warn(message)`.
pub fn console_warn(message: &str) {
    console_log("warn", message);
}

/// `console.debug(message)`.
pub fn console_debug(message: &str) {
    console_log("debug", message);
}

/// `console.error(message)`.
pub fn console_error(message: &str) {
    console_log("error", message);
}

// `RealtimeError`: the class of the SDK's own errors, with a stable `code` (the d.ts union
// `RealtimeErrorCode`, the Rust `ErrorCode`). The package entry re-exports this very class
// (scripts/build-pkg.mjs), so `e instanceof RealtimeError` holds for what the SDK rejects with.
// The `TypeError`s and `RangeError`s come from the same import (one for every error the SDK makes).
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// A `RealtimeError` with `code` (`kind` 0), or a `TypeError` (1) / `RangeError` (2), with
    /// `code` when given.
    #[wasm_bindgen(js_name = realtimeError)]
    fn realtime_error(message: &str, code: Option<&str>, kind: u32) -> JsValue;
}

pub fn type_error(message: &str) -> JsValue {
    realtime_error(message, None, 1)
}

pub fn range_error(message: &str) -> JsValue {
    realtime_error(message, None, 2)
}

/// A `RealtimeError` (the package's exported error class) with this code.
pub fn error(code: ErrorCode, message: &str) -> JsValue {
    realtime_error(message, Some(code.as_str()), 0)
}

/// A session error as the JS error class its kind calls for: `TypeError`/`RangeError` for a
/// message of the wrong shape (with `code: "invalid_message"` too), else a `RealtimeError`.
pub fn session_error(e: &SessionError) -> JsValue {
    let kind = match e.kind {
        ErrorKind::State => 0,
        ErrorKind::Type => 1,
        ErrorKind::Range => 2,
    };
    realtime_error(&text!(e), Some(e.code.as_str()), kind)
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// The text of whatever a JS handler threw or rejected with: an `Error`'s message, a string,
    /// else its JSON (or `String(value)`; "unknown error" when even that fails). In Rust it threw
    /// for `undefined` (its JSON is no string), and a tool that rejected with it hung.
    #[wasm_bindgen(js_name = describeError)]
    pub fn describe_js_error(value: &JsValue) -> String;
}

// Frames enter wasm memory in one crossing each way: `frameSize` says what the data is and how
// large, `frameInto` writes it at an address of ours — text through the engine's
// `TextEncoder.encodeInto` (a native copy, not wasm-bindgen's string passing, which copies an
// ASCII string one character at a time in a JS loop: for a 6 kB audio delta that loop was the
// largest cost of the receive path), bytes through `set`. No JS view object crosses, and no
// type or length question is asked of the data from Rust (four crossings a frame before).
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// A text frame's length in UTF-16 units, or −1 − a binary frame's length in bytes.
    #[wasm_bindgen(js_name = frameSize)]
    fn frame_size(data: &JsValue) -> f64;
    /// Writes the frame at `at` (room for `capacity` bytes): the bytes written, or −1 when a text
    /// did not fit.
    #[wasm_bindgen(js_name = frameInto)]
    fn frame_into(data: &JsValue, at: *mut u8, capacity: usize) -> i32;
}

/// A socket message's data as a frame, or its size when it is over `limit` bytes (then nothing
/// was copied into wasm memory).
pub fn frame_from_js(data: &JsValue, limit: usize) -> Result<FrameBuf, usize> {
    share_memory();
    let size = frame_size(data);
    let (text, length) = if size >= 0.0 { (true, size as usize) } else { (false, (-1.0 - size) as usize) };
    // For a text, a UTF-16 unit is at least one byte of UTF-8.
    if length > limit {
        return Err(length);
    }
    // Exact for binary frames and ASCII text (every provider frame in practice); a text with other
    // characters is encoded again with room for the worst case (3 bytes a unit). The buffer is
    // initialised memory (an uninitialised `Vec` written behind the compiler's back miscompiled
    // in release): a memset per frame.
    let capacities = if text { [length, length * 3] } else { [length, length] };
    for capacity in capacities {
        let mut bytes = vec![0u8; capacity];
        // The vector's own buffer, which nothing else touches until `frameInto` returns (it
        // allocates no wasm memory, so the address stays valid).
        let written = frame_into(data, bytes.as_mut_ptr(), capacity);
        if written >= 0 && written as usize <= capacity {
            bytes.truncate(written as usize);
            if !text {
                return Ok(FrameBuf::Binary(bytes));
            }
            // `encodeInto` writes UTF-8 (lone surrogates become U+FFFD); checked all the same.
            return Ok(FrameBuf::Text(String::from_utf8(bytes).unwrap_or_default()));
        }
    }
    Ok(FrameBuf::Text(String::new()))
}

// `dst.set(src)` into wasm memory: what js_sys's `copy_to` calls, without its length assertion
// (its panic path was the package's one `assert_failed::<usize, usize>`); the caller sizes `dst`
// from `src`.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Float32Array, js_name = "prototype.set.call")]
    pub(super) fn copy_f32(dst: &mut [f32], src: &js_sys::Float32Array);
}

/// `defineTool(tool)`: checks a function tool as `connect({ tools })` and `registerTool` do (a
/// `TypeError`/`RangeError` naming the field) and returns the same object. In TypeScript it is
/// generic: `defineTool<Args>` gives the handler its argument type.
#[wasm_bindgen(js_name = defineTool)]
pub fn define_tool(tool: JsValue) -> Result<JsValue, JsValue> {
    function_tool(&tool, "tool")?;
    Ok(tool)
}

/// A value `platform.js` read, absent as `undefined`.
pub(super) fn present<T: JsCast>(value: JsValue) -> Option<T> {
    (!value.is_undefined()).then(|| value.unchecked_into())
}

/// A tool as JS gives it: the declaration (`type` defaults to `"function"`) and an optional handler.
pub(crate) fn function_tool(tool: &JsValue, field: &str) -> Result<(Tool, Option<js_sys::Function>), JsValue> {
    let parts = tool_parts(tool, field)?;
    let handler = present::<js_sys::Function>(parts.get(1));
    let declaration: Tool = from_js_noting_unknown(parts.get(0), field)?;
    if declaration.name().is_empty() {
        return Err(range_error(&text!(field, ".name must not be empty")));
    }
    if handler.is_some() && !matches!(declaration, Tool::Function { .. }) {
        return Err(type_error(&text!(field, ": only function tools take a handler")));
    }
    Ok((declaration, handler))
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `[declaration, handler?]`: a copy of the app's tool without its handler, `type` defaulting to
    /// `"function"`; a `TypeError` naming `field` when it is no object or its handler no function.
    #[wasm_bindgen(catch, js_name = toolParts)]
    fn tool_parts(tool: &JsValue, field: &str) -> Result<js_sys::Array, JsValue>;
    /// `options.createResponse` (sendText, commitAudio); a `TypeError` when it is no boolean.
    #[wasm_bindgen(catch, js_name = createResponse)]
    pub fn create_response_option(options: &JsValue) -> Result<Option<bool>, JsValue>;
}
