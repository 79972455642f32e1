//! Issue #13's app-facing pieces in the browser: `RealtimeError` rejections, `defineTool`, warnings
//! for unknown option keys and event names, `stopMicrophone()` in the middle of an utterance (the
//! turn is committed and answered on both providers), and the per-response `metrics` event.

use super::*;

/// Console warnings, recorded while `f` runs (console.warn is wrapped and restored).
async fn warnings_during<F: std::future::Future<Output = ()>>(f: F) -> Vec<String> {
    js("window.__warned = []; window.__warn = console.warn; console.warn = (...a) => { window.__warned.push(a.join(' ')); };");
    f.await;
    let warned = js("console.warn = window.__warn; return window.__warned;");
    js_sys::Array::from(&warned).iter().filter_map(|w| w.as_string()).collect()
}

#[wasm_bindgen_test]
async fn the_sdks_own_rejections_are_realtime_errors_with_a_code() {
    let session = connect("", text_options()).await.unwrap();
    JsFuture::from(session.close()).await.unwrap();
    let e = JsFuture::from(session.send_text("late".into(), JsValue::UNDEFINED)).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::Error>(), "{e:?}");
    assert_eq!(get(&e, "name").as_string().as_deref(), Some("RealtimeError"));
    assert_eq!(get(&e, "code").as_string().as_deref(), Some("session_closed"));
    // A refused connection: connection_failed.
    let refused = RealtimeClient::new(object(&[("provider", "openai".into()), ("token", "ek_x".into()), ("endpoint", "ws://127.0.0.1:9/nothing".into())])).unwrap();
    let e = JsFuture::from(refused.connect(text_options())).await.unwrap_err();
    assert_eq!((get(&e, "name").as_string().as_deref(), get(&e, "code").as_string().as_deref()), (Some("RealtimeError"), Some("connection_failed")));
    // Wrong arguments stay TypeErrors naming the field.
    let session = connect("", text_options()).await.unwrap();
    let e = JsFuture::from(session.send(json(r#"{ "type": "sessionUpdate", "options": { "maxOutputTokens": "100" } }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("options.maxOutputTokens"), "{e:?}");
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
fn define_tool_checks_the_tool_and_returns_it() {
    let tool = object(&[("name", "add".into()), ("handler", js_sys::Function::new_no_args("return 1").into())]);
    let returned = realtime_wasm::web::define_tool(tool.clone()).unwrap();
    assert!(js_sys::Object::is(&returned, &tool), "the same object");
    let e = realtime_wasm::web::define_tool(object(&[("name", 5.into())])).unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("tool.name"), "{e:?}");
    let e = realtime_wasm::web::define_tool(object(&[("name", "f".into()), ("handler", "not a function".into())])).unwrap_err();
    assert!(message_of(&e).contains("tool.handler"), "{e:?}");
}

#[wasm_bindgen_test]
async fn unknown_option_keys_and_event_names_are_warned_about_once() {
    let warned = warnings_during(async {
        let client = RealtimeClient::new(object(&[("provider", "openai".into()), ("token", token_provider("openai", "").into()), ("apiKey", "x".into())])).unwrap();
        let options = json(r#"{ "instruction": "Be brief.", "modalities": ["text"], "outputModalities": ["text"], "audio": { "workletURL": "/w.js" } }"#);
        let session = JsFuture::from(client.connect(options)).await.unwrap().unchecked_into::<RealtimeSessionRef>().take();
        session.on("nonsense".into(), js_sys::Function::new_no_args(""));
        session.on("outputTextDelta".into(), js_sys::Function::new_no_args(""));
        // Once per page and path: the same typo again says nothing new.
        JsFuture::from(session.update(json(r#"{ "instruction": "again" }"#))).await.unwrap();
        session.on("nonsense".into(), js_sys::Function::new_no_args(""));
        JsFuture::from(session.close()).await.unwrap();
    })
    .await;
    let has = |needle: &str| warned.iter().filter(|w| w.contains(needle)).count();
    assert_eq!(has("options.instruction is not a known option or field and is ignored (did you mean instructions?)"), 1, "{warned:?}");
    assert_eq!(has("options.modalities"), 1, "{warned:?}");
    assert!(warned.iter().any(|w| w.contains("options.modalities") && w.contains("outputModalities")), "{warned:?}");
    assert_eq!(has("options.apiKey"), 1, "{warned:?}");
    assert_eq!(has("options.audio.workletURL"), 1, "{warned:?}");
    assert!(warned.iter().any(|w| w.contains("workletURL") && w.contains("did you mean workletUrl")), "{warned:?}");
    assert_eq!(has("on(\"nonsense\")"), 1, "{warned:?}");
    assert_eq!(warned.len(), 5, "nothing else (known keys, known events): {warned:?}");
}

/// Speaks for `ms` into a tone microphone, then stops the microphone while still speaking.
async fn stop_mid_utterance(session: &RealtimeSession, ms: u32) -> Closing {
    let mic = tone_microphone();
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    gloo_timers::future::TimeoutFuture::new(300).await;
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(ms).await;
    session.stop_microphone();
    mic
}

#[wasm_bindgen_test]
async fn stopping_the_microphone_mid_utterance_commits_it_and_it_is_answered_on_openai() {
    let session = connect("&emu_speed=4", json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 500 } }"#)).await.unwrap();
    let rec = Recorder::attach(
        &session,
        &["inputAudioBufferSpeechStarted", "inputAudioBufferSpeechStopped", "inputAudioBufferCommitted", "responseDone", "metrics", "error"],
    );
    let mic = stop_mid_utterance(&session, 1_200).await;
    rec.wait("inputAudioBufferSpeechStarted", |_| true).await;
    rec.wait("inputAudioBufferCommitted", |_| true).await;
    let done = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&done, "status").as_string().as_deref(), Some("completed"), "the turn was answered");
    assert!(rec.of("inputAudioBufferSpeechStopped").is_empty(), "the server never heard a pause: the SDK ended the turn");
    let report = rec.wait("metrics", |_| true).await;
    assert!(number(&report, "inputToFirstFrameMs") >= 0.0, "the stop ended the input: {:?}", js_sys::JSON::stringify(&report));
    gloo_timers::future::TimeoutFuture::new(300).await;
    assert_eq!(rec.of("responseDone").len(), 1, "one answer");
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    drop(mic);
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn stopping_the_microphone_mid_utterance_gets_it_answered_on_gemini() {
    let session = gemini("emu_speed=4", json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 500 } }"#)).await;
    let rec = Recorder::attach(&session, &["responseDone", "outputAudioDelta", "error"]);
    let mic = stop_mid_utterance(&session, 1_200).await;
    rec.wait("outputAudioDelta", |_| true).await;
    let done = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&done, "status").as_string().as_deref(), Some("completed"));
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    drop(mic);
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn metrics_report_a_text_turn_and_a_played_voice_reply() {
    // A text turn with a spoken reply (played in real time × 4).
    let session = connect("&emu_speed=4", json(r#"{ "voiceActivityDetection": { "enabled": false } }"#)).await.unwrap();
    let rec = Recorder::attach(&session, &["responseDone", "playbackEnded", "metrics"]);
    JsFuture::from(session.send_text("hello there, how are you".into(), JsValue::UNDEFINED)).await.unwrap();
    let ended = rec.wait("playbackEnded", |_| true).await;
    let report = rec.wait("metrics", |_| true).await;
    let text = js_sys::JSON::stringify(&report).unwrap().as_string().unwrap();
    web_sys::console::log_1(&format!("metrics of a spoken text reply: {text}").into());
    let order: Vec<String> = rec.events.borrow().iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(order, ["responseDone", "playbackEnded", "metrics"], "after the audio played out");
    let (to_frame, to_audio, frame_to_audio) = (number(&report, "inputToFirstFrameMs"), number(&report, "inputToAudioMs"), number(&report, "firstFrameToAudioMs"));
    assert!(to_frame > 0.0 && to_frame < 2_000.0, "{text}");
    // ≥ 0: the start of playback is known to one audio device buffer, and never before the frame.
    assert!(frame_to_audio >= 0.0 && (to_audio - (to_frame + frame_to_audio)).abs() < 1.0, "{text}");
    assert!((number(&report, "playedMs") - number(&ended, "playedMs")).abs() < 0.01, "{text}");
    let buffer = get(&report, "buffer");
    assert!(number(&buffer, "minMs") <= number(&buffer, "avgMs") && number(&buffer, "avgMs") <= number(&buffer, "maxMs") && number(&buffer, "maxMs") > 0.0, "{text}");
    assert_eq!(number(&report, "underruns"), 0.0, "{text}");
    assert!(number(&get(&report, "usage"), "totalTokens") > 0.0, "{text}");
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// Audio inside an item (here a user item asked back with `retrieveConversationItem`) reaches the
/// app as bytes, not as the base64 of its JSON form.
#[wasm_bindgen_test]
async fn audio_inside_an_item_reaches_the_app_as_bytes() {
    let session = connect("", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["conversationItemRetrieved"]);
    let create = r#"{ "type": "createConversationItem", "item": { "id": "item_bytes", "role": "user", "contents": [{ "type": "audio", "audio": "AAEC/w==" }] } }"#;
    JsFuture::from(session.send(json(create))).await.unwrap();
    JsFuture::from(session.send(json(r#"{ "type": "retrieveConversationItem", "itemId": "item_bytes" }"#))).await.unwrap();
    let retrieved = rec.wait("conversationItemRetrieved", |_| true).await;
    let part = js_sys::Reflect::get_u32(&get(&get(&retrieved, "item"), "contents"), 0).unwrap();
    let audio = get(&part, "audio");
    assert!(audio.is_instance_of::<js_sys::Uint8Array>(), "{audio:?}");
    assert_eq!(js_sys::Uint8Array::from(audio).to_vec(), vec![0, 1, 2, 255]);
    JsFuture::from(session.close()).await.unwrap();
}
