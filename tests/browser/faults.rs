//! The fault matrix (issue #12): every emulator fault knob, on both providers, through the SDK as an
//! app uses it. Each row states what the app must see — a rejected connect, typed `error` events,
//! one `close`, sends rejected once closed, the session still answering when the fault was
//! survivable — and every row must end (no hang) without an unhandled rejection. A fresh credential
//! is fetched for every connection.

use super::*;

/// A client whose token provider counts its calls (`provider.calls`) and appends `knobs` to the URL.
fn counted_client(provider: &str, knobs: &str) -> (RealtimeClient, JsValue) {
    let emulator = emulator();
    let counted = js_sys::Function::new_no_args(&format!(
        "const f = () => {{ f.calls++; return fetch('{emulator}/token?provider={provider}', {{ method: 'POST' }}).then(r => r.json())\
           .then(t => ({{ token: t.token, url: t.url + (t.url.includes('?') ? '&' : '?') + '{knobs}' }})); }};\
         f.calls = 0; return f;"
    ))
    .call0(&JsValue::NULL)
    .unwrap();
    let client = RealtimeClient::new(object(&[("provider", provider.into()), ("token", counted.clone())])).unwrap();
    (client, counted)
}

/// Text-only options for the matrix: no audio, no server VAD, no reconnect unless a row asks.
fn matrix_options(extra: &str) -> JsValue {
    json(&format!(
        r#"{{ "outputModalities": ["text"], "voiceActivityDetection": {{ "enabled": false }}, "audio": {{ "playback": false }}{extra} }}"#
    ))
}

/// Waits for `kind` up to `ms`; `None` when it did not come (the row decides whether that is right).
async fn within(rec: &Recorder, kind: &str, ms: u32) -> Option<JsValue> {
    for _ in 0..ms / 10 {
        if let Some(e) = rec.of(kind).into_iter().next() {
            return Some(e);
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    None
}

fn error_codes(rec: &Recorder) -> Vec<String> {
    rec.of("error").iter().map(|e| get(&get(e, "error"), "code").as_string().unwrap_or_default()).collect()
}

async fn open(provider: &str, knobs: &str, extra: &str) -> (RealtimeSession, Recorder, JsValue) {
    UNHANDLED.with(|_| ());
    let (client, counted) = counted_client(provider, knobs);
    let session = JsFuture::from(client.connect(matrix_options(extra)))
        .await
        .unwrap_or_else(|e| panic!("{provider} {knobs}: connect failed: {e:?}"))
        .unchecked_into::<RealtimeSessionRef>()
        .take();
    let rec = Recorder::attach(&session, &["error", "close", "raw", "outputTextDone", "responseDone", "reconnecting", "reconnected"]);
    (session, rec, counted)
}

/// The session survived the fault: still open, and a new turn is answered.
async fn still_answers(provider: &str, knobs: &str, session: &RealtimeSession, rec: &Recorder) {
    assert_eq!(session.state(), "open", "{provider} {knobs}");
    let before = rec.of("outputTextDone").len();
    JsFuture::from(session.send_text("are you still there?".into(), JsValue::UNDEFINED)).await.unwrap();
    for _ in 0..1000 {
        if rec.of("outputTextDone").len() > before {
            return;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("{provider} {knobs}: no answer after the fault");
}

/// The session ended: one `close` (with `code`), at least one typed error, closed state, and sends
/// rejected with `session_closed`.
async fn ended(provider: &str, knobs: &str, session: &RealtimeSession, rec: &Recorder, code: f64) {
    let close = within(rec, "close", 10_000).await.unwrap_or_else(|| panic!("{provider} {knobs}: no close event"));
    assert_eq!(number(&close, "code"), code, "{provider} {knobs}: close {close:?}");
    gloo_timers::future::TimeoutFuture::new(50).await;
    assert_eq!(rec.of("close").len(), 1, "{provider} {knobs}: one close event");
    assert!(!rec.of("error").is_empty(), "{provider} {knobs}: the app was told why");
    assert_eq!(session.state(), "closed");
    let late = JsFuture::from(session.send_text("late".into(), JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(get(&late, "code").as_string().as_deref(), Some("session_closed"), "{provider} {knobs}");
}

const PROVIDERS: [&str; 2] = ["openai", "gemini"];

/// Faults the session survives: a malformed frame, an unknown event, an oversized frame, slow frames.
#[wasm_bindgen_test]
async fn survivable_faults_leave_the_session_answering_on_both_providers() {
    for provider in PROVIDERS {
        // A frame that is not JSON: a `decode_error` event, nothing else changes.
        let knobs = "emu_malformed_after=1";
        let (session, rec, _) = open(provider, knobs, "").await;
        within(&rec, "error", 5_000).await.unwrap_or_else(|| panic!("{provider} {knobs}: no error event"));
        assert_eq!(error_codes(&rec), ["decode_error"], "{provider} {knobs}");
        still_answers(provider, knobs, &session, &rec).await;
        JsFuture::from(session.close()).await.unwrap();

        // An unknown event type: passed to the app as `raw`, no error.
        let knobs = "emu_unknown_after=1";
        let (session, rec, _) = open(provider, knobs, "").await;
        within(&rec, "raw", 5_000).await.unwrap_or_else(|| panic!("{provider} {knobs}: no raw event"));
        still_answers(provider, knobs, &session, &rec).await;
        assert!(rec.of("error").is_empty(), "{provider} {knobs}: {:?}", error_codes(&rec));
        JsFuture::from(session.close()).await.unwrap();

        // A frame over the limit: `frame_too_large`, refused before it is copied into wasm.
        let knobs = "emu_oversized_after=1&emu_oversized_bytes=300000";
        let (session, rec, _) = open(provider, knobs, r#", "maxFrameBytes": 200000"#).await;
        within(&rec, "error", 5_000).await.unwrap_or_else(|| panic!("{provider} {knobs}: no error event"));
        assert_eq!(error_codes(&rec), ["frame_too_large"], "{provider} {knobs}");
        still_answers(provider, knobs, &session, &rec).await;
        JsFuture::from(session.close()).await.unwrap();

        // Every frame held 150 ms: slower, complete, in order.
        let knobs = "emu_delay_ms=150";
        let (session, rec, _) = open(provider, knobs, "").await;
        still_answers(provider, knobs, &session, &rec).await;
        assert!(rec.of("error").is_empty(), "{provider} {knobs}: {:?}", error_codes(&rec));
        JsFuture::from(session.close()).await.unwrap();
    }
    assert_no_unhandled_rejections().await;
}

/// Faults that end the session when reconnecting is off: the app gets the reason and one close.
#[wasm_bindgen_test]
async fn fatal_faults_end_the_session_with_an_error_and_one_close_on_both_providers() {
    for provider in PROVIDERS {
        // The server closes with an application code.
        let knobs = "emu_close_after=2&emu_close_code=4001&emu_close_reason=bye";
        let (session, rec, _) = open(provider, knobs, r#", "reconnect": false"#).await;
        let _ = JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await;
        ended(provider, knobs, &session, &rec, 4001.0).await;
        let close = rec.of("close").remove(0);
        assert_eq!(get(&close, "reason").as_string().as_deref(), Some("bye"), "{provider}");
        JsFuture::from(session.close()).await.unwrap();

        // An abrupt drop (no close frame) with reconnecting off.
        let knobs = "emu_close_after=2";
        let (session, rec, _) = open(provider, knobs, r#", "reconnect": false"#).await;
        let _ = JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await;
        ended(provider, knobs, &session, &rec, 1006.0).await;
        JsFuture::from(session.close()).await.unwrap();
    }

    // A server error: OpenAI sends an `error` event and keeps the session; Gemini closes with 1011.
    let knobs = "emu_error_after=1";
    let (session, rec, _) = open("openai", knobs, r#", "reconnect": false"#).await;
    within(&rec, "error", 5_000).await.unwrap_or_else(|| panic!("openai {knobs}: no error event"));
    assert_eq!(error_codes(&rec), ["server_error"]);
    still_answers("openai", knobs, &session, &rec).await;
    JsFuture::from(session.close()).await.unwrap();
    let (session, rec, _) = open("gemini", knobs, r#", "reconnect": false"#).await;
    let _ = JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await;
    ended("gemini", knobs, &session, &rec, 1011.0).await;
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// A connection that fails before the session is set up: `connect()` rejects with a coded error
/// (no session object to leak), on both providers.
#[wasm_bindgen_test]
async fn a_connection_refused_at_setup_rejects_connect_on_both_providers() {
    UNHANDLED.with(|_| ());
    for provider in PROVIDERS {
        for knobs in ["emu_close_after=0", "emu_close_after=0&emu_close_code=4003&emu_close_reason=no"] {
            let (client, counted) = counted_client(provider, knobs);
            let e = JsFuture::from(client.connect(matrix_options(r#", "reconnect": false"#)))
                .await
                .err()
                .unwrap_or_else(|| panic!("{provider} {knobs}: connect resolved"));
            assert_eq!(get(&e, "code").as_string().as_deref(), Some("connection_failed"), "{provider} {knobs}: {e:?}");
            assert_eq!(number(&counted, "calls"), 1.0, "{provider} {knobs}: one credential");
        }
        // A credential the server refuses.
        let bogus = js_sys::Function::new_no_args(&format!(
            "return fetch('{}/token?provider={provider}', {{ method: 'POST' }}).then(r => r.json()).then(t => ({{ token: 'forged', url: t.url }}));",
            emulator()
        ));
        let client = RealtimeClient::new(object(&[("provider", provider.into()), ("token", bogus.into())])).unwrap();
        let e = JsFuture::from(client.connect(matrix_options(""))).await.err().unwrap_or_else(|| panic!("{provider}: a forged token connected"));
        assert_eq!(get(&e, "code").as_string().as_deref(), Some("connection_failed"), "{provider} forged: {e:?}");
        // A token provider that throws: its error reaches the app.
        let throwing = js_sys::Function::new_no_args("return Promise.reject(new Error('token service down'));");
        let client = RealtimeClient::new(object(&[("provider", provider.into()), ("token", throwing.into())])).unwrap();
        let e = JsFuture::from(client.connect(matrix_options(""))).await.err().unwrap();
        assert!(message_of(&e).contains("token service down"), "{provider}: {e:?}");
    }
    assert_no_unhandled_rejections().await;
}

/// Faults the session resumes from (Gemini: a drop or `goAway`): `reconnecting` then `reconnected`,
/// a fresh credential for the new connection, and the session answers on it.
#[wasm_bindgen_test]
async fn resumable_faults_reconnect_with_a_fresh_credential() {
    for knobs in ["emu_goaway_after_ms=800", "emu_close_after=3"] {
        let (session, rec, counted) = open("gemini", knobs, "").await;
        // A turn makes the frames the drop counts (an idle connection sends just its setup reply).
        JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await.unwrap();
        within(&rec, "reconnected", 10_000).await.unwrap_or_else(|| panic!("gemini {knobs}: no reconnected event"));
        assert!(number(&counted, "calls") >= 2.0, "gemini {knobs}: a fresh credential per connection");
        assert!(!rec.of("reconnecting").is_empty());
        JsFuture::from(session.close()).await.unwrap();
        let close = within(&rec, "close", 5_000).await.unwrap();
        assert_eq!(number(&close, "code"), 1000.0, "gemini {knobs}: the app's close");
    }
    assert_no_unhandled_rejections().await;
}

/// The audio path under a drop: a connection lost in the middle of an audio reply (reconnecting
/// off) ends the session the same way as a drop between turns.
#[wasm_bindgen_test]
async fn a_drop_mid_audio_reply_stops_playback_on_both_providers() {
    for provider in PROVIDERS {
        let knobs = "emu_close_mid_audio=2&emu_close_code=4002";
        UNHANDLED.with(|_| ());
        let (client, _) = counted_client(provider, knobs);
        let options = json(r#"{ "voiceActivityDetection": { "enabled": false }, "reconnect": false }"#);
        let session = JsFuture::from(client.connect(options)).await.unwrap().unchecked_into::<RealtimeSessionRef>().take();
        let rec = Recorder::attach(&session, &["error", "close", "outputAudioDelta", "playbackEnded"]);
        JsFuture::from(session.send_text("tell me a story".into(), JsValue::UNDEFINED)).await.unwrap();
        ended(provider, knobs, &session, &rec, 4002.0).await;
        assert!(!rec.of("outputAudioDelta").is_empty(), "{provider}: audio arrived before the drop");
        JsFuture::from(session.close()).await.unwrap();
    }
    assert_no_unhandled_rejections().await;
}

/// Issue #12.10: the shell kept every timeout it ever armed (they could not be disarmed), so each
/// reconnect added two for good. Now one per kind: a session moved a dozen times by `goAway`
/// holds at most two.
#[wasm_bindgen_test]
async fn timers_stay_bounded_across_many_reconnects() {
    // Each connection is told to go away after 150 ms; the policy counts that as a failed attempt
    // (the connection never became stable), so let it try often and quickly.
    let (session, rec, counted) = open("gemini", "emu_goaway_after_ms=150", r#", "reconnect": { "maxAttempts": 50, "maxDelayMs": 50 }"#).await;
    for _ in 0..1000 {
        if rec.of("reconnected").len() >= 12 {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    assert!(rec.of("reconnected").len() >= 12, "{} reconnects", rec.of("reconnected").len());
    assert!(number(&counted, "calls") >= 13.0);
    let diagnostics = session.diagnostics();
    assert!(number(&diagnostics, "timers") <= 2.0, "{:?}", js_sys::JSON::stringify(&diagnostics));
    assert_eq!(number(&diagnostics, "pendingCalls"), 0.0);
    assert_eq!(number(&diagnostics, "runningTools"), 0.0);
    assert_eq!(number(&diagnostics, "listeners"), 7.0, "the recorder's");
    JsFuture::from(session.close()).await.unwrap();
    assert_eq!(number(&session.diagnostics(), "timers"), 0.0, "closed: nothing armed");
}

/// Issue #12.15: with `rawFrames: true` every server message carries the frame it came from (a
/// provider field the model lacks is still reachable); without it, none does.
#[wasm_bindgen_test]
async fn raw_frames_ride_on_messages_when_asked() {
    for provider in PROVIDERS {
        let (session, rec, _) = open(provider, "", r#", "rawFrames": true"#).await;
        let deltas = Recorder::attach(&session, &["outputTextDelta"]);
        JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await.unwrap();
        let done = within(&rec, "responseDone", 10_000).await.expect("a reply");
        let raw = get(&done, "rawFrame").as_string().unwrap_or_else(|| panic!("{provider}: no rawFrame on {done:?}"));
        let frame = json(&raw);
        match provider {
            "openai" => assert_eq!(get(&frame, "type").as_string().as_deref(), Some("response.done"), "{raw}"),
            _ => assert!(!get(&frame, "serverContent").is_undefined(), "{raw}"),
        }
        let delta = deltas.of("outputTextDelta").remove(0);
        let raw = get(&delta, "rawFrame").as_string().expect("deltas carry theirs");
        assert!(raw.contains(&get(&delta, "text").as_string().unwrap()), "{raw}");
        JsFuture::from(session.close()).await.unwrap();

        let (session, rec, _) = open(provider, "", "").await;
        JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await.unwrap();
        let done = within(&rec, "responseDone", 10_000).await.expect("a reply");
        assert!(get(&done, "rawFrame").is_undefined(), "{provider}: off by default");
        JsFuture::from(session.close()).await.unwrap();
    }
}
