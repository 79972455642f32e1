//! OpenAI server text frames, in sequence on one codec: no panic, every result serializes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use realtime_wasm::provider::{Codec, OpenAiCodec};
use realtime_wasm_fuzz::{check_decoded, frames};

fuzz_target!(|data: &[u8]| {
    let mut codec = OpenAiCodec::new();
    for frame in frames(data) {
        // OpenAI sends text frames only: the socket hands us a string.
        let Ok(text) = std::str::from_utf8(frame) else { continue };
        if let Ok(messages) = codec.decode(text) {
            check_decoded(&messages);
        }
    }
});
