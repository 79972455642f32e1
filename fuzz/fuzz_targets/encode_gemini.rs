//! App JSON (client messages and session options) encoded for Gemini: no panic, wire frames are JSON.
#![no_main]
use libfuzzer_sys::fuzz_target;
use realtime_wasm::provider::GeminiCodec;

fuzz_target!(|data: &[u8]| realtime_wasm_fuzz::encode_frames(&mut GeminiCodec::new(), data));
