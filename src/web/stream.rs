//! `session.messages()`: the server messages as a JS async iterator, single consumer, ending on
//! close. Messages are buffered from the moment a consumer exists; a second concurrent consumer is
//! a clear error (the seed only documented the rule). The stream is a JS class (`MessageStream` in
//! `platform.js`): its iterator is plain JS promises and objects, which cost ~2 kB of wasm when
//! built from Rust.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    pub type MessageStream;
    #[wasm_bindgen(constructor)]
    pub fn new() -> MessageStream;
    /// A consumer is reading (so messages are delivered or buffered).
    #[wasm_bindgen(method, getter)]
    pub fn active(this: &MessageStream) -> bool;
    #[wasm_bindgen(method)]
    pub fn push(this: &MessageStream, message: &JsValue);
    /// The session closed: a waiting `next()` and every later one are done.
    #[wasm_bindgen(method)]
    pub fn end(this: &MessageStream);
    /// A new async iterator, or an `Error` while another one is being consumed.
    #[wasm_bindgen(method, catch)]
    pub fn consumer(this: &MessageStream) -> Result<JsValue, JsValue>;
}
