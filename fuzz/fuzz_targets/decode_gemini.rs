//! Gemini server frames, in sequence on one codec (it synthesizes response lifecycles, so state
//! matters): text and binary frames, no panic, every result serializes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use realtime_wasm::provider::{Codec, GeminiCodec};
use realtime_wasm_fuzz::{check_decoded, frames};

fuzz_target!(|data: &[u8]| {
    let mut codec = GeminiCodec::new();
    for (i, frame) in frames(data).enumerate() {
        // Gemini sends binary frames (UTF-8 JSON, possibly not); text frames take the other path.
        let decoded = match std::str::from_utf8(frame) {
            Ok(text) if i % 2 == 1 => codec.decode(text),
            _ => codec.decode_binary(frame),
        };
        if let Ok(messages) = decoded {
            check_decoded(&messages);
        }
    }
});
