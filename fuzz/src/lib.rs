//! What the fuzz targets share: the checks on codec output, and how an input holds several frames.

use realtime_wasm::model::json::FromJson;
use realtime_wasm::model::{ClientMessage, ServerMessage, SessionOptions};
use realtime_wasm::provider::Codec;

/// Frames in one input are separated by a NUL byte (never in a JSON frame), so a stateful codec
/// sees a sequence; the seed corpus holds whole recorded sessions this way.
pub fn frames(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.split(|&b| b == 0)
}

/// A decoded message must be written as JSON (the JS layer parses every one) that says what serde's
/// derived form says.
pub fn check_decoded(messages: &[ServerMessage]) {
    for message in messages {
        let text = realtime_wasm::json::to_string(message);
        let written: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("the writer wrote invalid JSON ({e}): {text}"));
        let reference = serde_json::to_value(message).expect("a decoded message serializes");
        assert!(same(&written, &reference), "{text}\nwritten: {written}\nserde:   {reference}");
    }
}

/// JSON equality, numbers within a relative 1e-12: serde_json (without `float_roundtrip`) may read
/// a long float back one unit in the last place away from the value the writer printed exactly.
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value as V;
    match (a, b) {
        (V::Number(x), V::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()),
            _ => x == y,
        },
        (V::Array(x), V::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (V::Object(x), V::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w))),
        _ => a == b,
    }
}

/// Every frame an encoder produces is sent as is: it must be JSON.
pub fn check_wire(frames: &[String]) {
    for frame in frames {
        serde_json::from_str::<serde_json::Value>(frame).unwrap_or_else(|e| panic!("encoder produced invalid JSON ({e}): {frame}"));
    }
}

/// Reads each frame as the app's JSON, the way the JS layer does: a client message is validated
/// and encoded, session options start a session (and what it sends once open is encoded too).
pub fn encode_frames(codec: &mut dyn Codec, data: &[u8]) {
    for frame in frames(data) {
        let Ok(text) = std::str::from_utf8(frame) else { continue };
        if let Ok(message) = ClientMessage::from_json_str(text, "message") {
            // Called for coverage only: a valid message may still fail to encode for a reason
            // `validate` cannot see (Gemini names a function result from the call it decoded).
            let _ = codec.validate(&message);
            if let Ok(wire) = codec.encode(&message) {
                check_wire(&wire);
            }
        }
        if let Ok(options) = SessionOptions::from_json_str(text, "options") {
            if let Ok(start) = codec.session_start(&options) {
                check_wire(&start.on_socket_open);
                for message in &start.on_session_open {
                    check_wire(&codec.encode(message).expect("the session's own opening messages encode"));
                }
            }
        }
    }
}
