//! The receive path without a socket, for the benchmark in `tests/bench.rs` (feature `bench` only):
//! frames → decode → session → JS objects → a JS handler, exactly the code a live session runs per
//! frame (`Driver::dispatch` adds only the socket and the message stream).

use super::convert::{event_to_js, frame_from_js, message_to_js};
use crate::provider::OpenAiCodec;
use crate::session::{Frame, FrameBuf, Output, Session, SessionConfig};
use wasm_bindgen::prelude::*;

/// Feeds `frames` (OpenAI server events) through an open session and calls `handler` with every
/// message and event; returns how many times it was called.
/// Frames are JS strings, copied into wasm one by one as the socket's `message` handler does.
pub fn receive(frames: &js_sys::Array, handler: &js_sys::Function) -> usize {
    let Ok(mut session) = Session::new(Box::new(OpenAiCodec::new()), SessionConfig::default(), 0.0) else { return 0 };
    session.socket_opened(0.0);
    session.frame_received(0.0, Frame::Text(r#"{"type":"session.created","session":{"type":"realtime"}}"#));
    while session.poll_output().is_some() {}
    let mut calls = 0;
    for frame in frames.iter() {
        let Ok(FrameBuf::Text(frame)) = frame_from_js(&frame, usize::MAX) else { continue };
        session.frame_received(0.0, Frame::Text(&frame));
        while let Some(output) = session.poll_output() {
            let value = match output {
                Output::Message(m) => message_to_js(&m),
                Output::Event(e) => event_to_js(&e),
                _ => continue,
            };
            let _ = handler.call1(&JsValue::UNDEFINED, &value);
            calls += 1;
        }
    }
    calls
}
