//! On-device barge-in in headless Chromium, over a network with a real round trip
//! (`emu_latency_ms=100`): a microphone the test controls, a tap between the SDK's playback and the
//! speakers, and the time from the user's onset at the microphone to the last audible output
//! sample. Local detection against the server-driven path on the same network; no false barge-in
//! on a silent or noisy microphone; a cough is ducked and the reply resumes.

use super::*;

/// A microphone in `ctx`: a 220 Hz tone at a murmur (−53 dBFS) that `level` raises, optionally
/// over steady white noise at `noise_rms` (linear). `level(gain)` returns the context frame at
/// which the change starts (the onset, on the clock the tap counts in).
fn microphone(ctx: &JsValue, noise_rms: f64) -> JsValue {
    js_sys::Function::new_with_args(
        "ctx, noiseRms",
        "const osc = ctx.createOscillator(); osc.frequency.value = 220;
         const gain = ctx.createGain(); gain.gain.value = 0.003; const dest = ctx.createMediaStreamDestination();
         osc.connect(gain).connect(dest); osc.start();
         let noise = null;
         if (noiseRms > 0) {
           const buffer = ctx.createBuffer(1, ctx.sampleRate * 2, ctx.sampleRate); const data = buffer.getChannelData(0);
           let seed = 12345; for (let i = 0; i < data.length; i++) { seed = (seed * 1103515245 + 12345) >>> 0; data[i] = (seed / 2147483648 - 1) * noiseRms * Math.sqrt(3); }
           noise = ctx.createBufferSource(); noise.buffer = buffer; noise.loop = true; noise.connect(dest); noise.start();
         }
         return { stream: dest.stream,
                  level(g) { const t = ctx.currentTime; gain.gain.setTargetAtTime(g, t, 0.002); return t * ctx.sampleRate; },
                  close() { osc.stop(); if (noise) noise.stop(); } };",
    )
    .call2(&JsValue::UNDEFINED, ctx, &noise_rms.into())
    .unwrap()
}

/// Sets the tone's amplitude; returns the onset frame.
fn level(mic: &JsValue, gain: f64) -> f64 {
    let f: js_sys::Function = get(mic, "level").unchecked_into();
    f.call1(mic, &gain.into()).unwrap().as_f64().unwrap()
}

fn close_mic(mic: &JsValue) {
    let f: js_sys::Function = get(mic, "close").unchecked_into();
    let _ = f.call0(mic);
}

const SPEECH: f64 = 0.5; // −9 dBFS
const MURMUR: f64 = 0.003;

fn errors(rec: &Recorder) -> Vec<String> {
    rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap().as_string().unwrap()).collect()
}

/// A session on `provider` with the tap, the microphone attached and a reply to `utterance_ms` of
/// speech playing (the emulators answer a spoken turn with its echo).
async fn replying(provider: &str, knobs: &'static str, options: JsValue, noise_rms: f64, utterance_ms: u32) -> (RealtimeSession, Recorder, Closing, JsValue, JsValue) {
    let (ctx, tap) = tapped_context().await;
    js_sys::Reflect::set(&options, &"audio".into(), &object(&[("context", ctx.clone()), ("outputNode", tap.clone())])).unwrap();
    let session = JsFuture::from(client_for(provider, knobs).connect(options)).await.unwrap().unchecked_into::<RealtimeSessionRef>().take();
    let rec = Recorder::attach(
        &session,
        &["outputLevel", "interrupted", "conversationItemTruncated", "localSpeechStarted", "localSpeechStopped", "playbackEnded", "responseDone", "error"],
    );
    let mic = microphone(&ctx, noise_rms);
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    // Murmur (and noise) first: the detector learns the room, the server's prefix holds no zeros.
    gloo_timers::future::TimeoutFuture::new(600).await;
    level(&mic, SPEECH);
    gloo_timers::future::TimeoutFuture::new(utterance_ms).await;
    level(&mic, MURMUR);
    rec.wait("outputLevel", |e| get(e, "level").as_f64().unwrap_or(0.0) > 0.1).await;
    (session, rec, ctx, tap, mic)
}

/// Closes the session, then the microphone and the test's context (the page keeps no audio
/// threads from one test to the next).
async fn finish(session: RealtimeSession, mic: &JsValue, ctx: &JsValue) {
    session.stop_microphone();
    close_mic(mic);
    JsFuture::from(session.close()).await.unwrap();
    let close: js_sys::Function = get(ctx, "close").unchecked_into();
    let _ = JsFuture::from(close.call0(ctx).unwrap().unchecked_into::<js_sys::Promise>()).await;
    assert_no_unhandled_rejections().await;
}

/// Talks over the reply 400 ms into it; returns (onset → last audible output sample, onset →
/// `localSpeechStarted` (NaN when none), the `interrupted` event (undefined when none came within
/// `wait_ms`)).
async fn talk_over(session: &RealtimeSession, rec: &Recorder, ctx: &JsValue, tap: &JsValue, mic: &JsValue, wait_ms: u32) -> (f64, f64, JsValue) {
    gloo_timers::future::TimeoutFuture::new(400).await;
    let rate = number(ctx, "sampleRate");
    // The frame at which the SDK told the app (its listeners run as the duck is posted).
    let detected_frame = Rc::new(RefCell::new(f64::NAN));
    let slot = detected_frame.clone();
    let context = ctx.clone();
    let on_local = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if slot.borrow().is_nan() {
            *slot.borrow_mut() = number(&context, "currentTime") * number(&context, "sampleRate");
        }
    });
    session.on("localSpeechStarted".into(), on_local.as_ref().unchecked_ref::<js_sys::Function>().clone());
    let onset = level(mic, SPEECH);
    let mut interrupted = JsValue::UNDEFINED;
    for _ in 0..wait_ms / 10 {
        if let Some(e) = rec.of("interrupted").first() {
            interrupted = e.clone();
            break;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    gloo_timers::future::TimeoutFuture::new(100).await;
    level(mic, MURMUR);
    session.off("localSpeechStarted".into(), on_local.as_ref().unchecked_ref::<js_sys::Function>().clone());
    let report = tap_report(tap).await;
    // The interrupted reply is the first audible run (the reply to the barge-in may follow it).
    let last = number(&report, "firstRunEnd");
    let detected = *detected_frame.borrow();
    ((last - onset) / rate * 1_000.0, (detected - onset) / rate * 1_000.0, interrupted)
}

/// OpenAI over a 100 ms network: local detection silences the reply within 60 ms of the onset
/// (the server-driven path on the same network takes a round trip and the server's decision).
async fn openai_onset_to_silent(local: bool) -> f64 {
    let options = json(&format!(r#"{{ "voiceActivityDetection": {{ "silenceDurationMs": 300 }}, "bargeIn": {local} }}"#));
    let (session, rec, ctx, tap, mic) = replying("openai", "&emu_latency_ms=100", options, 0.0, 3_000).await;
    let (silent_ms, detected_ms, interrupted) = talk_over(&session, &rec, &ctx, &tap, &mic, 3_000).await;
    assert!(interrupted.is_object(), "the barge-in was confirmed by the server");
    let truncated = number(&interrupted, "truncatedAtMs");
    let played = number(&interrupted, "playedMs");
    let latency = number(&interrupted, "outputLatencyMs");
    let local_events: Vec<String> = rec.of("localSpeechStarted").iter().map(|e| js_sys::JSON::stringify(e).unwrap().as_string().unwrap()).collect();
    web_sys::console::log_1(&format!(
        "barge-in OpenAI, emu_latency_ms=100, local {local}: onset → silent {silent_ms:.1} ms (onset → localSpeechStarted {detected_ms:.1} ms); \
         played {played:.1} ms, truncated at {truncated} ms; {local_events:?}"
    ).into());
    assert_eq!(truncated, (played - latency).floor(), "truncated at what was heard (the held audio was not counted)");
    let cut = rec.wait("conversationItemTruncated", |_| true).await;
    assert_eq!(number(&cut, "audioEndMs"), truncated);
    assert_eq!(rec.of("localSpeechStarted").is_empty(), !local);
    assert!(errors(&rec).is_empty(), "{:?}", errors(&rec));
    finish(session, &mic, &ctx).await;
    silent_ms
}

#[wasm_bindgen_test]
async fn openai_local_barge_in_is_silent_within_60_ms_over_a_100_ms_network_and_beats_the_server() {
    let local = openai_onset_to_silent(true).await;
    let server = openai_onset_to_silent(false).await;
    web_sys::console::log_1(&format!("barge-in OpenAI onset → silent: local {local:.1} ms, server-driven {server:.1} ms").into());
    assert!(local <= 60.0, "local barge-in: still audible {local:.1} ms after the onset");
    assert!(server > local + 100.0, "the server-driven path ({server:.1} ms) takes a round trip more than the local one ({local:.1} ms)");
}

/// Gemini with the reply generated 20× faster than real time: generation is complete long before
/// playback ends, so the server sends no `interrupted`; local detection is the only signal.
async fn gemini_onset_to_silent(local: bool) -> (f64, JsValue) {
    let options = json(&format!(r#"{{ "voiceActivityDetection": {{ "silenceDurationMs": 300 }}, "bargeIn": {local} }}"#));
    let (session, rec, ctx, tap, mic) = replying("gemini", "emu_latency_ms=100&emu_speed=20", options, 0.0, 3_000).await;
    // Generation is complete before the user talks over it.
    rec.wait("responseDone", |_| true).await;
    let (silent_ms, detected_ms, interrupted) = talk_over(&session, &rec, &ctx, &tap, &mic, if local { 2_000 } else { 800 }).await;
    web_sys::console::log_1(&format!(
        "barge-in Gemini after generation, emu_latency_ms=100, local {local}: onset → silent {silent_ms:.1} ms (onset → localSpeechStarted {detected_ms:.1} ms); interrupted {}",
        js_sys::JSON::stringify(&interrupted).ok().and_then(|v| v.as_string()).unwrap_or_else(|| "none".into())
    ).into());
    assert!(errors(&rec).is_empty(), "{:?}", errors(&rec));
    finish(session, &mic, &ctx).await;
    (silent_ms, interrupted)
}

#[wasm_bindgen_test]
async fn gemini_local_barge_in_after_generation_is_silent_within_60_ms_and_marks_the_item_interrupted() {
    let (local, interrupted) = gemini_onset_to_silent(true).await;
    assert!(local <= 60.0, "local barge-in: still audible {local:.1} ms after the onset");
    assert!(interrupted.is_object(), "the item is marked interrupted");
    let (heard, received) = (number(&interrupted, "heardMs"), number(&interrupted, "receivedMs"));
    assert!(heard > 300.0 && heard < received, "heard {heard} of {received} ms");
    assert!(get(&interrupted, "truncatedAtMs").is_undefined(), "Gemini has no truncation");
    let (server, none) = gemini_onset_to_silent(false).await;
    web_sys::console::log_1(&format!("barge-in Gemini after generation onset → silent: local {local:.1} ms, server-driven: still audible {server:.1} ms after the onset (never stopped)").into());
    assert!(none.is_undefined(), "without local detection nothing stops it");
    assert!(server > 500.0, "the reply went on ({server:.1} ms)");
}

/// A long reply with nobody talking over it: nothing local fires, it plays to its last sample.
async fn no_false_barge_in(noise_rms: f64, threshold: f64) {
    let options = json(&format!(r#"{{ "voiceActivityDetection": {{ "silenceDurationMs": 300, "threshold": {threshold} }} }}"#));
    let (session, rec, ctx, _tap, mic) = replying("openai", "&emu_latency_ms=100", options, noise_rms, 4_000).await;
    let during = rec.of("localSpeechStarted").len();
    let ended = rec.wait("playbackEnded", |_| true).await;
    let (played, received) = (number(&ended, "playedMs"), number(&ended, "receivedMs"));
    web_sys::console::log_1(&format!(
        "no false barge-in (noise rms {noise_rms}): localSpeechStarted during the reply {}, played {played:.1} of {received:.1} ms",
        rec.of("localSpeechStarted").len() - during
    ).into());
    assert_eq!(rec.of("localSpeechStarted").len(), during, "a false local onset during the reply");
    assert!(rec.of("interrupted").is_empty());
    assert!(received > 3_500.0 && (played - received).abs() < 0.05, "played {played} of {received} ms");
    assert!(errors(&rec).is_empty(), "{:?}", errors(&rec));
    finish(session, &mic, &ctx).await;
}

#[wasm_bindgen_test]
async fn a_long_reply_over_a_silent_microphone_is_not_interrupted() {
    no_false_barge_in(0.0, 0.5).await;
}

#[wasm_bindgen_test]
async fn a_long_reply_over_background_noise_is_not_interrupted() {
    // −30 dBFS of white noise (the server's detector set above it: −20 dBFS).
    no_false_barge_in(0.0316, 0.8).await;
}

#[wasm_bindgen_test]
async fn a_cough_is_ducked_and_the_reply_resumes_where_it_was() {
    // The server's detector at −12 dBFS: the −15 dBFS burst is below it (no confirmation), the
    // −9 dBFS utterance above.
    let options = json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 300, "threshold": 0.96 } }"#);
    let (session, rec, ctx, tap, mic) = replying("openai", "&emu_latency_ms=100", options, 0.0, 3_000).await;
    gloo_timers::future::TimeoutFuture::new(400).await;
    let rate = number(&ctx, "sampleRate");
    let before = rec.of("localSpeechStarted").len();
    let onset = level(&mic, 0.25);
    gloo_timers::future::TimeoutFuture::new(150).await;
    level(&mic, MURMUR);
    let started = rec.of("localSpeechStarted");
    assert_eq!(started.len(), before + 1, "the burst was heard once");
    assert_eq!(get(&started[before], "ducked").as_bool(), Some(true));
    let ended = rec.wait("playbackEnded", |_| true).await;
    let report = tap_report(&tap).await;
    let (played, received) = (number(&ended, "playedMs"), number(&ended, "receivedMs"));
    let gap_ms = number(&report, "gap") / rate * 1_000.0;
    let ducked_after_ms = (number(&report, "gapEnd") - number(&report, "gap") - onset) / rate * 1_000.0;
    web_sys::console::log_1(&format!(
        "cough: ducked {ducked_after_ms:.1} ms after the onset for {gap_ms:.0} ms, then resumed; played {played:.1} of {received:.1} ms"
    ).into());
    assert!(ducked_after_ms <= 60.0, "ducked {ducked_after_ms:.1} ms after the onset");
    assert!(gap_ms >= 400.0, "held while waiting for the server ({gap_ms:.0} ms)");
    assert!(number(&report, "last") > number(&report, "gapEnd"), "the reply resumed");
    assert!(rec.of("interrupted").is_empty(), "a cough is not a barge-in");
    assert!((played - received).abs() < 0.05, "nothing was lost: played {played} of {received} ms");
    assert!(errors(&rec).is_empty(), "{:?}", errors(&rec));
    finish(session, &mic, &ctx).await;
}
