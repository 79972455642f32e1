//! Receive-path benchmark (a benchmark, not a timed test: it asserts only that every frame reached
//! the handler, and prints the figures). Run by scripts/test.sh with `--features bench`:
//! frames per second through decode + session + dispatch to a JS handler, against hand-written JS
//! baselines on the same frames in the same page.
#![cfg(all(target_arch = "wasm32", feature = "bench"))]

use base64::Engine;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A realistic reply: 100 ms audio deltas (4,800 PCM16 bytes at 24 kHz) interleaved with transcript
/// deltas, as the GA server sends them.
fn frames(n: usize) -> Vec<String> {
    let mut seed = 0x2545_f491_u32;
    let mut audio = vec![0u8; 4_800];
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                for b in &mut audio {
                    seed ^= seed << 13;
                    seed ^= seed >> 17;
                    seed ^= seed << 5;
                    *b = seed as u8;
                }
                let delta = base64::engine::general_purpose::STANDARD.encode(&audio);
                format!(r#"{{"type":"response.output_audio.delta","event_id":"event_{i}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"{delta}"}}"#)
            } else {
                format!(r#"{{"type":"response.output_audio_transcript.delta","event_id":"event_{i}","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"word {i} "}}"#)
            }
        })
        .collect()
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// Best of `runs` timings of `f`, in ms.
fn best(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs).map(|_| { let t = now(); f(); now() - t }).fold(f64::INFINITY, f64::min)
}

#[wasm_bindgen_test]
fn receive_path_frames_per_second_against_js_baselines() {
    const N: usize = 4_000;
    let frames = frames(N);
    let js_frames: js_sys::Array = frames.iter().map(|f| JsValue::from_str(f)).collect();
    let count = js_sys::Function::new_with_args("m", "globalThis.__benchCount = (globalThis.__benchCount || 0) + 1;");
    let parse_only = js_sys::Function::new_with_args("frames, handler", "for (const f of frames) handler(JSON.parse(f));");
    let parse_and_decode = js_sys::Function::new_with_args(
        "frames, handler",
        "for (const f of frames) { const m = JSON.parse(f);
           if (m.type === 'response.output_audio.delta') { const s = atob(m.delta); const b = new Uint8Array(s.length);
             for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); m.delta = b; }
           handler(m); }",
    );
    let reset = || js_sys::Reflect::set(&js_sys::global(), &"__benchCount".into(), &0.into()).unwrap();
    let counted = || js_sys::Reflect::get(&js_sys::global(), &"__benchCount".into()).unwrap().as_f64().unwrap_or(0.0) as usize;

    // Warm up every path once (JIT, allocator), and check the SDK delivered every frame.
    reset();
    assert_eq!(realtime_wasm::web::bench::receive(&js_frames, &count), N);
    assert_eq!(counted(), N);
    parse_only.call2(&JsValue::UNDEFINED, &js_frames, &count).unwrap();
    parse_and_decode.call2(&JsValue::UNDEFINED, &js_frames, &count).unwrap();

    let sdk = best(5, || { realtime_wasm::web::bench::receive(&js_frames, &count); });
    let parse = best(5, || { parse_only.call2(&JsValue::UNDEFINED, &js_frames, &count).unwrap(); });
    let decode = best(5, || { parse_and_decode.call2(&JsValue::UNDEFINED, &js_frames, &count).unwrap(); });
    let per_second = |ms: f64| N as f64 / (ms / 1_000.0);
    let audio_seconds = (N / 2) as f64 * 0.1;
    web_sys::console::log_1(&format!(
        "BENCH receive path, {N} frames ({audio_seconds:.0} s of 24 kHz audio + transcript): \
         sdk {:.0} frames/s ({sdk:.1} ms); JS JSON.parse baseline {:.0} frames/s ({parse:.1} ms, sdk/baseline time ×{:.2}); \
         JS JSON.parse+base64 decode {:.0} frames/s ({decode:.1} ms, ×{:.2})",
        per_second(sdk), per_second(parse), sdk / parse, per_second(decode), sdk / decode
    ).into());
}
