//! Resume against the emulator, in the browser: a conversation survives a dropped connection on
//! OpenAI (replayed) and Gemini (resumed by handle) — the emulator's `recap` tells what the new
//! server holds; a drop mid-audio-reply, `session_expired`, a server that keeps dropping, the
//! network going away, and sends made meanwhile (once, in order).

use super::*;

/// A client whose token provider hands the first connection `first` knobs and every later one
/// `rest`, counting its calls (`counted.calls`).
fn staged_client(provider: &str, first: &'static str, rest: &'static str) -> (RealtimeClient, JsValue) {
    let counted = js_sys::Function::new_with_args("a, b", "const f = () => { f.calls++; return (f.calls === 1 ? a : b)(); }; f.calls = 0; return f;")
        .call2(&JsValue::NULL, &token_provider(provider, first), &token_provider(provider, rest))
        .unwrap();
    let client = RealtimeClient::new(object(&[("provider", provider.into()), ("token", counted.clone())])).unwrap();
    (client, counted)
}

async fn open(client: &RealtimeClient, options: JsValue) -> RealtimeSession {
    UNHANDLED.with(|_| ());
    JsFuture::from(client.connect(options)).await.unwrap().unchecked_into::<RealtimeSessionRef>().take()
}

fn text_session_options() -> JsValue {
    json(r#"{ "outputModalities": ["text"], "voiceActivityDetection": { "enabled": false }, "audio": { "playback": false } }"#)
}

fn texts(rec: &Recorder, kind: &str) -> Vec<String> {
    rec.of(kind).iter().map(|e| get(e, "text").as_string().unwrap_or_default()).collect()
}

fn stringify_all(events: &[JsValue]) -> Vec<String> {
    events.iter().map(|e| js_sys::JSON::stringify(e).map(String::from).unwrap_or_default()).collect()
}

/// Sends `recap` and returns the reply's text (the user turns the server holds).
async fn recap(session: &RealtimeSession, rec: &Recorder) -> String {
    let before = rec.of("outputTextDone").len();
    JsFuture::from(session.send_text("recap".into(), JsValue::UNDEFINED)).await.unwrap();
    for _ in 0..1000 {
        if let Some(done) = rec.of("outputTextDone").get(before) {
            return get(done, "text").as_string().unwrap_or_default();
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    panic!("no answer to recap");
}

/// Two turns, the connection dropped right after the second; the fact of the first is recalled on
/// the new connection, the app saw one `reconnecting` and no second `sessionCreated`.
async fn a_fact_survives_a_drop(provider: &str) {
    let (client, counted) = staged_client(provider, "&emu_close_after_turns=2", "");
    let session = open(&client, text_session_options()).await;
    let kinds = ["reconnecting", "reconnected", "sessionCreated", "conversationItemAdded", "responseDone", "outputTextDone", "error", "close"];
    let rec = Recorder::attach(&session, &kinds);
    JsFuture::from(session.send_text("remember the word marmalade".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("responseDone", |_| true).await;
    JsFuture::from(session.send_text("thank you".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("reconnecting", |_| true).await;
    let added_before = rec.of("conversationItemAdded").len();
    rec.wait("reconnected", |_| true).await;
    assert_eq!(rec.of("conversationItemAdded").len(), added_before, "{provider}: the replay's echoes are not the app's");
    assert_eq!(session.state(), "open");
    let text = recap(&session, &rec).await;
    web_sys::console::log_1(&format!("{provider} after the drop: {text}").into());
    assert!(text.contains("marmalade"), "{provider}: {text}");
    assert_eq!(rec.of("reconnecting").len(), 1, "{provider}");
    assert_eq!(number(&counted, "calls"), 2.0, "{provider}: a fresh credential for the new connection");
    assert!(rec.of("sessionCreated").is_empty(), "{provider}: no second sessionCreated reaches the app");
    assert!(rec.of("error").is_empty() && rec.of("close").is_empty(), "{provider}: {:?}", stringify_all(&rec.of("error")));
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn openai_a_fact_told_before_a_drop_is_recalled_after_it() {
    a_fact_survives_a_drop("openai").await;
}

#[wasm_bindgen_test]
async fn gemini_a_fact_told_before_a_drop_is_recalled_after_it() {
    a_fact_survives_a_drop("gemini").await;
}

/// The connection drops while a spoken reply streams: the reply ends `cancelled`
/// (`connection_lost`), its playback stops (nothing truncated: that connection is gone), and the
/// session answers again on the new connection, with the first turn in its context.
#[wasm_bindgen_test]
async fn openai_a_drop_mid_audio_reply_ends_it_cancelled_and_stops_its_playback() {
    let (client, _) = staged_client("openai", "&emu_close_mid_audio=6", "");
    let session = open(&client, json(r#"{ "voiceActivityDetection": { "enabled": false } }"#)).await;
    let rec = Recorder::attach(&session, &["responseDone", "interrupted", "reconnected", "outputAudioTranscriptionDone", "error", "close"]);
    JsFuture::from(session.send_text("tell me a long story about a lighthouse keeper".into(), JsValue::UNDEFINED)).await.unwrap();
    let cut = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&cut, "status").as_string().as_deref(), Some("cancelled"), "{:?}", js_sys::JSON::stringify(&cut));
    assert_eq!(get(&cut, "statusReason").as_string().as_deref(), Some("connection_lost"));
    let interrupted = rec.wait("interrupted", |_| true).await;
    assert!(get(&interrupted, "truncatedAtMs").is_undefined(), "nothing to truncate: {:?}", js_sys::JSON::stringify(&interrupted));
    assert!(number(&interrupted, "receivedMs") > 0.0);
    rec.wait("reconnected", |_| true).await;
    JsFuture::from(session.send_text("recap".into(), JsValue::UNDEFINED)).await.unwrap();
    let recap = rec.wait("outputAudioTranscriptionDone", |e| get(e, "text").as_string().unwrap_or_default().contains("So far")).await;
    assert!(get(&recap, "text").as_string().unwrap().contains("lighthouse keeper"), "{:?}", js_sys::JSON::stringify(&recap));
    let done = rec.wait("responseDone", |e| get(e, "status").as_string().as_deref() == Some("completed")).await;
    assert!(get(&done, "statusReason").is_undefined() || get(&done, "statusReason").is_null());
    assert!(rec.of("error").is_empty() && rec.of("close").is_empty(), "{:?}", stringify_all(&rec.of("error")));
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// OpenAI ends a session at its time limit with `session_expired`: the session moves at once,
/// the app sees `reconnecting` (with why) instead of the error, and the conversation goes on.
#[wasm_bindgen_test]
async fn openai_session_expired_resumes_with_the_conversation() {
    let (client, counted) = staged_client("openai", "&emu_expire_after_ms=1500", "");
    let session = open(&client, text_session_options()).await;
    let rec = Recorder::attach(&session, &["reconnecting", "reconnected", "responseDone", "outputTextDone", "error", "close"]);
    JsFuture::from(session.send_text("remember the word quince".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("responseDone", |_| true).await;
    let reconnecting = rec.wait("reconnecting", |_| true).await;
    let reason = get(&reconnecting, "reason").as_string().unwrap_or_default();
    assert!(reason.contains("expired"), "{reason}");
    assert_eq!(number(&reconnecting, "delayMs"), 0.0, "at once");
    rec.wait("reconnected", |_| true).await;
    let text = recap(&session, &rec).await;
    assert!(text.contains("quince"), "{text}");
    assert_eq!(number(&counted, "calls"), 2.0);
    assert!(rec.of("error").is_empty() && rec.of("close").is_empty(), "{:?}", stringify_all(&rec.of("error")));
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// Every connection is accepted and dropped: the attempts back off, stop at `maxAttempts`, and
/// the app gets `reconnect_failed` and `close`.
#[wasm_bindgen_test]
async fn openai_a_server_that_keeps_dropping_is_given_up_on() {
    let (client, counted) = staged_client("openai", "&emu_close_after=2", "&emu_close_after=2");
    let options = json(r#"{ "outputModalities": ["text"], "audio": { "playback": false }, "reconnect": { "maxAttempts": 3, "maxDelayMs": 400 } }"#);
    let session = open(&client, options).await;
    let rec = Recorder::attach(&session, &["reconnecting", "reconnected", "error", "close"]);
    let close = rec.wait("close", |_| true).await;
    let attempts: Vec<f64> = rec.of("reconnecting").iter().map(|e| number(e, "attempt")).collect();
    let delays: Vec<f64> = rec.of("reconnecting").iter().map(|e| number(e, "delayMs")).collect();
    web_sys::console::log_1(&format!("openai storm: attempts {attempts:?} after {delays:?} ms").into());
    assert_eq!(attempts, [1.0, 2.0, 3.0]);
    assert!(delays.iter().all(|d| (0.0..=400.0).contains(d)), "{delays:?}");
    assert_eq!(number(&counted, "calls"), 4.0, "one credential per connection");
    let errors = rec.of("error");
    assert_eq!(errors.len(), 1, "{:?}", stringify_all(&errors));
    assert_eq!(get(&get(&errors[0], "error"), "code").as_string().as_deref(), Some("reconnect_failed"));
    assert_eq!(number(&close, "code"), 1006.0);
    assert_eq!(session.state(), "closed");
    assert_no_unhandled_rejections().await;
}

/// Offline, a dropped session attempts nothing (no credential fetched); online, it resumes at once
/// with the conversation.
#[wasm_bindgen_test]
async fn openai_reconnect_waits_while_offline_and_goes_when_online() {
    let (client, counted) = staged_client("openai", "&emu_close_after_turns=1", "");
    let session = open(&client, text_session_options()).await;
    let rec = Recorder::attach(&session, &["reconnecting", "reconnected", "responseDone", "outputTextDone", "error", "close"]);
    let window = web_sys::window().unwrap();
    window.dispatch_event(&web_sys::Event::new("offline").unwrap()).unwrap();
    JsFuture::from(session.send_text("remember the word saffron".into(), JsValue::UNDEFINED)).await.unwrap();
    offline_holds_the_attempt_until_online(&session, &rec, &counted).await;
    let text = recap(&session, &rec).await;
    assert!(text.contains("saffron"), "{text}");
    assert!(rec.of("error").is_empty() && rec.of("close").is_empty(), "{:?}", stringify_all(&rec.of("error")));
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// What the app sends while the session reconnects waits, then reaches the new server once and in
/// order: the server's recap lists each turn exactly once.
#[wasm_bindgen_test]
async fn openai_sends_made_while_reconnecting_arrive_once_in_order() {
    let (client, _) = staged_client("openai", "&emu_close_after_turns=1", "");
    let session = open(&client, text_session_options()).await;
    let rec = Recorder::attach(&session, &["reconnecting", "reconnected", "responseDone", "outputTextDone", "error", "close"]);
    JsFuture::from(session.send_text("first".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("reconnecting", |_| true).await;
    assert_eq!(session.state(), "connecting");
    // Sent while there is no connection: they settle once they are on the new one.
    let second = JsFuture::from(session.send_text("second".into(), JsValue::UNDEFINED));
    let third = JsFuture::from(session.send_text("third".into(), JsValue::UNDEFINED));
    second.await.unwrap();
    third.await.unwrap();
    assert!(!rec.of("reconnected").is_empty(), "settled after the reconnect");
    // Both answered (the second response waits for the first), then the recap.
    for _ in 0..1000 {
        if rec.of("responseDone").len() >= 3 {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(10).await;
    }
    assert_eq!(rec.of("responseDone").len(), 3, "{:?}", texts(&rec, "outputTextDone"));
    let text = recap(&session, &rec).await;
    assert_eq!(text, r#"So far you said: "first"; "second"; "third"."#);
    assert!(rec.of("error").is_empty() && rec.of("close").is_empty(), "{:?}", stringify_all(&rec.of("error")));
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// A tool call in flight across a drop: the connection drops right after the response that made
/// the call; the handler, still running, finishes during or after the reconnect; its output goes
/// to the new connection once — the model quotes it once — and the call is neither lost nor run
/// twice.
#[wasm_bindgen_test]
async fn openai_a_tool_call_in_flight_across_a_drop_is_answered_once() {
    let handler = js_sys::Function::new_with_args(
        "args",
        "return new Promise((resolve) => setTimeout(() => resolve({ value: 42 }), 800));",
    );
    let tool = object(&[("name", "slow".into()), ("parameters", json(r#"{ "type": "object" }"#)), ("handler", handler.into())]);
    let options = text_session_options();
    js_sys::Reflect::set(&options, &"tools".into(), &js_sys::Array::of1(&tool)).unwrap();
    let (client, _) = staged_client("openai", "&emu_close_after_turns=1", "");
    let session = open(&client, options).await;
    let rec = Recorder::attach(&session, &["toolCallStarted", "toolCallCompleted", "reconnecting", "reconnected", "outputTextDone", "error"]);
    JsFuture::from(session.send_text("call slow {}".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("toolCallStarted", |_| true).await;
    rec.wait("reconnecting", |_| true).await;
    rec.wait("reconnected", |_| true).await;
    let answer = rec.wait("outputTextDone", |e| get(e, "text").as_string().is_some_and(|t| t.contains("returned"))).await;
    assert!(get(&answer, "text").as_string().unwrap().contains("42"), "{:?}", js_sys::JSON::stringify(&answer));
    // Anything duplicated would have been answered again by now.
    gloo_timers::future::TimeoutFuture::new(1_000).await;
    let answers: Vec<String> = texts(&rec, "outputTextDone").into_iter().filter(|t| t.contains("returned")).collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(rec.of("toolCallStarted").len(), 1, "the handler ran once");
    assert_eq!(rec.of("toolCallCompleted").len(), 1);
    assert!(rec.of("error").is_empty(), "{:?}", stringify_all(&rec.of("error")));
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}
