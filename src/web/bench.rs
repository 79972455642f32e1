//! The receive path without a socket, for the benchmark in `tests/bench.rs` (feature `bench` only):
//! frames → decode → session → JS objects → a JS handler, exactly the code a live session runs per
//! frame (`Driver::dispatch` adds only the socket and the message stream).

use crate::prelude::*;
use super::convert::{event_to_js, frame_from_js, message_to_js};
use crate::provider::OpenAiCodec;
use crate::session::{Frame, FrameBuf, Output, Session, SessionConfig};
use wasm_bindgen::prelude::*;

/// Feeds `frames` (OpenAI server events) through an open session and calls `handler` with every
/// message and event; returns how many times it was called.
/// Frames are JS strings, copied into wasm one by one as the socket's `message` handler does.
pub fn receive(frames: &js_sys::Array, handler: &js_sys::Function) -> usize {
    receive_stage(frames, handler, 4)
}

/// The receive path in stages, for finding where its time goes (in a hot loop: a live socket's
/// frames, each a task of its own, cost about five times as much per frame, the JS floor's alike):
/// the same frames through the first `stage` steps only — 0: copied into wasm memory; 1: +
/// decoded by the codec; 2: + through the session (outputs drained); 3: + the JS message and
/// event objects built; 4: + the handler called. Returns how many frames (0–1), messages (2) or
/// objects (3–4) there were.
pub fn receive_stage(frames: &js_sys::Array, handler: &js_sys::Function, stage: u32) -> usize {
    use crate::provider::Codec;
    let mut codec = OpenAiCodec::new();
    let Ok(mut session) = Session::new(Box::new(OpenAiCodec::new()), SessionConfig::default(), 0.0) else { return 0 };
    session.socket_opened(0.0);
    session.frame_received(0.0, Frame::Text(r#"{"type":"session.created","session":{"type":"realtime"}}"#));
    while session.poll_output().is_some() {}
    let mut count = 0;
    for frame in frames.iter() {
        let Ok(frame) = frame_from_js(&frame, usize::MAX) else { continue };
        match stage {
            0 => count += 1,
            1 => {
                let decoded = match &frame {
                    FrameBuf::Text(text) => codec.decode(text),
                    FrameBuf::Binary(bytes) => codec.decode_binary(bytes),
                };
                count += decoded.map_or(0, |m| m.len().min(1));
            }
            _ => {
                session.frame_received(0.0, frame.as_frame());
                while let Some(output) = session.poll_output() {
                    let value = match output {
                        Output::Message(_) if stage == 2 => JsValue::UNDEFINED,
                        Output::Message(m) => message_to_js(&m),
                        Output::Event(e) if stage >= 3 => event_to_js(&e),
                        _ => continue,
                    };
                    if stage >= 4 {
                        let _ = handler.call1(&JsValue::UNDEFINED, &value);
                    }
                    count += 1;
                }
            }
        }
    }
    count
}
