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

/// `n` frames as JS strings, and a handler that counts its calls in `globalThis.__benchCount`.
fn frames_and_counter(n: usize) -> (js_sys::Array, js_sys::Function) {
    let js_frames = frames(n).iter().map(|f| JsValue::from_str(f)).collect();
    (js_frames, js_sys::Function::new_with_args("m", "globalThis.__benchCount = (globalThis.__benchCount || 0) + 1;"))
}

/// Best of `runs` timings of `f`, in ms.
fn best(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs).map(|_| { let t = now(); f(); now() - t }).fold(f64::INFINITY, f64::min)
}

#[wasm_bindgen_test]
fn receive_path_frames_per_second_against_js_baselines() {
    const N: usize = 4_000;
    let (js_frames, count) = frames_and_counter(N);
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

/// Where the receive path's time goes: the same frames through each stage in turn (each figure
/// includes the stages before it), best of 7 runs, timed with `performance.now()`.
#[wasm_bindgen_test]
fn receive_path_by_stage() {
    const N: usize = 4_000;
    let (js_frames, count) = frames_and_counter(N);
    let floor = js_sys::Function::new_with_args(
        "frames, handler",
        "for (const f of frames) { const m = JSON.parse(f);
           if (m.type === 'response.output_audio.delta') m.delta = Uint8Array.fromBase64 ? Uint8Array.fromBase64(m.delta) : m.delta;
           handler(m); }",
    );
    let clock = js_sys::Function::new_no_args("return performance.now()");
    let now = || clock.call0(&JsValue::UNDEFINED).unwrap().as_f64().unwrap();
    let best = |f: &mut dyn FnMut()| (0..7).map(|_| { let t = now(); f(); now() - t }).fold(f64::INFINITY, f64::min);
    let names = ["copy into wasm", "+ codec decode", "+ session", "+ JS objects", "+ handler"];
    let mut line = format!("BENCH receive path by stage, µs per frame ({N} frames, audio and transcript deltas alternating):");
    for stage in 0..5u32 {
        let delivered = realtime_wasm::web::bench::receive_stage(&js_frames, &count, stage);
        assert_eq!(delivered, N, "stage {stage} handled every frame");
        let ms = best(&mut || { realtime_wasm::web::bench::receive_stage(&js_frames, &count, stage); });
        line += &format!(" {} {:.2};", names[stage as usize], ms * 1_000.0 / N as f64);
    }
    floor.call2(&JsValue::UNDEFINED, &js_frames, &count).unwrap();
    let ms = best(&mut || { floor.call2(&JsValue::UNDEFINED, &js_frames, &count).unwrap(); });
    line += &format!(" JS floor (JSON.parse + fromBase64 + handler) {:.2}", ms * 1_000.0 / N as f64);
    web_sys::console::log_1(&line.into());
}

/// Speech-like test signal: harmonics of a moving fundamental with a syllable envelope.
fn speechlike(rate: u32, seconds: f64) -> Vec<f32> {
    let n = (rate as f64 * seconds) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / rate as f64;
            let f0 = 140.0 + 30.0 * (std::f64::consts::TAU * 0.7 * t).sin();
            let envelope = 0.55 + 0.45 * (std::f64::consts::TAU * 4.0 * t).sin();
            let voice: f64 = (1..=8).map(|k| (std::f64::consts::TAU * f0 * k as f64 * t).sin() / k as f64).sum();
            (0.25 * envelope * voice) as f32
        })
        .collect()
}

/// Capture and playback paths, CPU per second of audio: ours (polyphase sinc, ≥ 94 dB) against a
/// naive JS implementation (linear interpolation, string-concatenation base64), same input, same page.
#[wasm_bindgen_test]
fn audio_paths_cpu_per_second_of_audio() {
    use realtime_wasm::audio::{CapturePipeline, PlaybackPipeline, SampleEncoding, WireAudio};
    use realtime_wasm::model::{Base64Data, ClientMessage};
    use realtime_wasm::provider::{Codec, OpenAiCodec};
    const SECONDS: f64 = 30.0;
    let device = 48_000u32;
    let input = speechlike(device, SECONDS);
    let chunk = (device / 50) as usize; // 20 ms

    // Capture: device-rate float chunks → 24 kHz PCM16 → the JSON frame sent on the socket.
    let mut codec = OpenAiCodec::new();
    let mut capture = CapturePipeline::new(device, WireAudio { encoding: SampleEncoding::Pcm16, rate: 24_000 });
    let mut sent_bytes = 0usize;
    let ours_capture = best(3, || {
        for piece in input.chunks(chunk) {
            let (_, pcm) = capture.push(piece);
            let message = ClientMessage::InputAudioBufferAppend { message_id: None, audio: Base64Data::from(pcm.to_vec()) };
            sent_bytes += codec.encode(&message).map(|f| f[0].len()).unwrap_or(0);
        }
    });
    assert!(sent_bytes > 0);
    let js_input = js_sys::Float32Array::from(input.as_slice());
    let naive_capture = js_sys::Function::new_with_args(
        "input, chunk",
        "let total = 0;
         for (let at = 0; at + chunk <= input.length; at += chunk) {
           const piece = input.subarray(at, at + chunk);
           const out = new Int16Array(piece.length / 2);
           for (let i = 0; i < out.length; i++) {          // linear interpolation, 48 → 24 kHz
             const pos = i * 2, j = Math.floor(pos), f = pos - j;
             const s = piece[j] * (1 - f) + (piece[j + 1] ?? piece[j]) * f;
             out[i] = Math.max(-32768, Math.min(32767, Math.round(s * 32767)));
           }
           const bytes = new Uint8Array(out.buffer); let binary = '';
           for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
           total += JSON.stringify({ type: 'input_audio_buffer.append', audio: btoa(binary) }).length;
         }
         return total;",
    );
    let naive_capture_ms = best(3, || { naive_capture.call2(&JsValue::UNDEFINED, &js_input, &(chunk as u32).into()).unwrap(); });

    // Playback: 24 kHz PCM16 deltas (100 ms) → device-rate float.
    let pcm: Vec<u8> = speechlike(24_000, SECONDS).iter().flat_map(|&s| realtime_wasm::audio::f32_to_i16(s).to_le_bytes()).collect();
    let mut playback = PlaybackPipeline::new(WireAudio { encoding: SampleEncoding::Pcm16, rate: 24_000 }, device);
    let mut rendered = 0usize;
    let ours_playback = best(3, || {
        for delta in pcm.chunks(4_800) {
            let out = playback.push(delta);
            rendered += js_sys::Float32Array::from(out).length() as usize;
        }
    });
    assert!(rendered > 0);
    let js_pcm = js_sys::Uint8Array::from(pcm.as_slice());
    let naive_playback = js_sys::Function::new_with_args(
        "pcm",
        "let total = 0;
         for (let at = 0; at < pcm.length; at += 4800) {
           const bytes = pcm.subarray(at, Math.min(pcm.length, at + 4800));
           const samples = new Int16Array(bytes.slice().buffer);
           const out = new Float32Array(samples.length * 2);   // linear interpolation, 24 → 48 kHz
           for (let i = 0; i < out.length; i++) {
             const pos = i / 2, j = Math.floor(pos), f = pos - j;
             out[i] = (samples[j] * (1 - f) + (samples[j + 1] ?? samples[j]) * f) / 32768;
           }
           total += out.length;
         }
         return total;",
    );
    let naive_playback_ms = best(3, || { naive_playback.call1(&JsValue::UNDEFINED, &js_pcm).unwrap(); });

    let per_second = |ms: f64| ms / SECONDS;
    web_sys::console::log_1(&format!(
        "BENCH audio CPU per second of audio (48 kHz device, 24 kHz provider): capture ours {:.3} ms (polyphase sinc ≥ 94 dB + PCM16 + base64 + JSON) vs naive JS {:.3} ms (linear interpolation + string base64), ×{:.2}; \
         playback ours {:.3} ms (PCM16 → float + sinc 24 → 48 kHz) vs naive JS {:.3} ms (linear interpolation), ×{:.2}",
        per_second(ours_capture), per_second(naive_capture_ms), naive_capture_ms / ours_capture,
        per_second(ours_playback), per_second(naive_playback_ms), naive_playback_ms / ours_playback
    ).into());
}

/// The on-device voice detector (barge-in) on the capture path: CPU per second of audio, speech
/// and noise alike (it does the same work on every sample), in the 10 ms chunks the worklet posts
/// while it runs.
#[wasm_bindgen_test]
fn voice_detector_cpu_per_second_of_audio() {
    use realtime_wasm::audio::VoiceDetector;
    const SECONDS: f64 = 30.0;
    let device = 48_000u32;
    let input = speechlike(device, SECONDS);
    let chunk = (device / 100) as usize;
    let mut edges = 0usize;
    let ms = best(3, || {
        let mut detector = VoiceDetector::new(device, 0.5);
        for piece in input.chunks(chunk) {
            edges += detector.push(piece).is_some() as usize;
        }
    });
    assert!(edges > 0, "the speech-like signal is speech");
    web_sys::console::log_1(&format!("BENCH voice detector CPU per second of audio (48 kHz, 10 ms chunks): {:.4} ms", ms / SECONDS).into());
}
