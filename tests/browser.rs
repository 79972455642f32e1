//! Browser tests (`wasm-pack test --headless --chrome -- --test browser`): the wasm build in headless
//! Chromium, against the protocol emulator the test command starts (`RTW_EMULATOR`, baked in at
//! build time).
#![cfg(target_arch = "wasm32")]

use futures::channel::oneshot;
use realtime_wasm::web::{RealtimeClient, RealtimeSession};
use std::cell::RefCell;
use std::rc::Rc;
use realtime_wasm::model::ServerMessage;
use realtime_wasm::provider::{Codec, ConnectConfig, OpenAiCodec};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "browser/turns.rs"]
mod turns;

fn emulator() -> &'static str {
    option_env!("RTW_EMULATOR").expect("RTW_EMULATOR is set by scripts/test.sh")
}

/// POSTs `/token` and returns `(token, url)`.
async fn emulator_token(provider: &str) -> (String, String) {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    let window = web_sys::window().unwrap();
    let response: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(&format!("{}/token?provider={provider}", emulator()), &init))
            .await
            .unwrap()
            .dyn_into()
            .unwrap();
    assert!(response.ok(), "/token answered {}", response.status());
    let body = JsFuture::from(response.json().unwrap()).await.unwrap();
    let get = |key: &str| js_sys::Reflect::get(&body, &key.into()).unwrap().as_string().unwrap();
    (get("token"), get("url"))
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(realtime_wasm::VERSION, env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn the_codec_decodes_in_wasm() {
    let messages = OpenAiCodec::new()
        .decode(r#"{"type":"response.output_audio.delta","event_id":"e","item_id":"i","delta":"AAECAw=="}"#)
        .unwrap();
    let ServerMessage::OutputAudioDelta(m) = &messages[0] else { panic!("{messages:?}") };
    assert_eq!(m.audio.as_ref().unwrap().as_bytes(), &[0, 1, 2, 3]);
}

/// The JSON reader's 16-byte SIMD scan (wasm only; native builds run the scalar loop): a quote,
/// a backslash or a control character at every offset of a block, and non-ASCII bytes (≥ 0x80,
/// which an unsigned compare must not take for control characters), read as the scalar reader
/// reads them.
#[wasm_bindgen_test]
fn the_json_string_scan_stops_at_every_special_byte() {
    use realtime_wasm::json::{parse, Json};
    for len in 0..48 {
        let plain: String = (0..len).map(|i| if i % 7 == 3 { 'é' } else { (b'A' + (i % 26) as u8) as char }).collect();
        let text = format!("[\"{plain}\"]");
        let value = parse(&text).unwrap();
        assert_eq!(value.as_array().unwrap()[0].as_str(), Some(plain.as_str()), "{len}");
        for at in 0..=plain.len() {
            if !plain.is_char_boundary(at) {
                continue;
            }
            let (head, tail) = plain.split_at(at);
            let text = format!("[\"{head}\\\"\\\\{tail}\"]");
            let escaped = parse(&text).unwrap();
            assert_eq!(escaped.as_array().unwrap()[0].as_str(), Some(format!("{head}\"\\{tail}").as_str()), "{len} {at}");
            assert!(parse(&format!("[\"{head}\u{1}{tail}\"]")).is_err(), "a control character at {at} of {len}");
            let text = format!("[\"{head}\",1]");
            let cut = parse(&text).unwrap();
            assert!(matches!(&cut.as_array().unwrap()[..], [Json::String(s), _] if s == head), "{len} {at}");
        }
    }
}

/// The base64 decoder's SIMD blocks (wasm only: the native tests cover the scalar loop) decode
/// what the crate decodes, at every length and alignment, and a stray byte anywhere — inside a
/// block or after the last, any byte that is not a symbol — is refused and named where it is.
#[wasm_bindgen_test]
fn the_base64_blocks_decode_what_the_scalar_loop_decodes() {
    use base64::{engine::general_purpose::{STANDARD, STANDARD_NO_PAD}, Engine};
    use realtime_wasm::model::{decode_base64, Base64Error};
    let bytes: Vec<u8> = (0..400u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 9) as u8).collect();
    for len in 0..bytes.len() {
        for text in [STANDARD.encode(&bytes[..len]), STANDARD_NO_PAD.encode(&bytes[..len])] {
            assert_eq!(decode_base64(&text).as_deref(), Ok(&bytes[..len]), "{len} bytes");
        }
    }
    let text = STANDARD.encode(&bytes[..120]);
    for at in 0..text.len() - 2 {
        // Every ASCII byte that is not a symbol, and a non-ASCII one (its UTF-8 bytes).
        let strays = (0..0x80u8).filter(|b| !b.is_ascii_alphanumeric() && !b"+/".contains(b)).chain([0x80]);
        for stray in strays {
            let mut broken = text.clone().into_bytes();
            broken[at] = stray;
            let broken = String::from_utf8_lossy(&broken).into_owned();
            match decode_base64(&broken) {
                Err(Base64Error::Symbol { offset, .. }) => assert_eq!(offset, at, "{stray} at {at}"),
                other => panic!("{stray} at {at}: {other:?}"),
            }
        }
    }
}

/// The codec's connect request (URL + sub-protocol auth) is what the emulator accepts, and the first
/// frame it sends decodes to `sessionCreated`.
#[wasm_bindgen_test]
async fn the_openai_connect_request_is_accepted_by_the_emulator() {
    let (token, url) = emulator_token("openai").await;
    let endpoint = url.split('?').next().unwrap().to_string();
    let request = OpenAiCodec::new().connect_request(&ConnectConfig {
        model: "gpt-realtime".into(),
        endpoint: Some(endpoint),
        credential: token,
    });
    let protocols = js_sys::Array::new();
    for p in &request.protocols {
        protocols.push(&JsValue::from_str(p));
    }
    let socket = web_sys::WebSocket::new_with_str_sequence(&request.url, &protocols).unwrap();
    let (tx, rx) = oneshot::channel::<String>();
    let mut tx = Some(tx);
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
        if let (Some(tx), Some(text)) = (tx.take(), event.data().as_string()) {
            let _ = tx.send(text);
        }
    });
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    let first = rx.await.expect("a first frame");
    socket.close().unwrap();
    let messages = OpenAiCodec::new().decode(&first).unwrap();
    assert_eq!(messages[0].kind(), "sessionCreated", "{first}");
}

// ---- the JS class against the emulator -------------------------------------------------------

fn object(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        js_sys::Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// A token provider fetching an emulator token; `knobs` are appended to the URL it hands out.
fn token_provider(provider: &str, knobs: &'static str) -> js_sys::Function {
    let emulator = emulator();
    // OpenAI's URL has a query already (`?model=`); Gemini's does not.
    js_sys::Function::new_no_args(&format!(
        "return fetch('{emulator}/token?provider={provider}', {{ method: 'POST' }}).then(r => r.json())\
         .then(t => {{ const k = '{knobs}'; const url = k && !t.url.includes('?') ? t.url + '?' + k.replace(/^[&?]/, '') : t.url + k;\
                      return {{ token: t.token, url }}; }});"
    ))
}

fn client(knobs: &'static str) -> RealtimeClient {
    client_for("openai", knobs)
}

fn client_for(provider: &str, knobs: &'static str) -> RealtimeClient {
    RealtimeClient::new(object(&[("provider", provider.into()), ("token", token_provider(provider, knobs).into())])).unwrap()
}

thread_local! {
    /// Unhandled promise rejections seen on the page (installed with the first connect).
    static UNHANDLED: Rc<RefCell<Vec<String>>> = {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let sink = seen.clone();
        let listener = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            sink.borrow_mut().push(format!("{:?}", get(&e, "reason")));
        });
        web_sys::window().unwrap().add_event_listener_with_callback("unhandledrejection", listener.as_ref().unchecked_ref()).unwrap();
        listener.forget(); // lives as long as the test page
        seen
    };
}

/// No promise the SDK made was left rejected without a handler (rejections are delivered in a
/// later task, so give them one).
async fn assert_no_unhandled_rejections() {
    gloo_timers::future::TimeoutFuture::new(20).await;
    UNHANDLED.with(|seen| assert!(seen.borrow().is_empty(), "unhandled rejections: {:?}", seen.borrow()));
}

async fn connect(knobs: &'static str, options: JsValue) -> Result<RealtimeSession, JsValue> {
    UNHANDLED.with(|_| ());
    let promise = client(knobs).connect(options);
    let value = JsFuture::from(promise).await?;
    Ok(value.unchecked_into::<RealtimeSessionRef>().take())
}

/// `RealtimeSession` comes back as a JS object; take it back into Rust.
#[wasm_bindgen]
extern "C" {
    type RealtimeSessionRef;
}

impl RealtimeSessionRef {
    fn take(self) -> RealtimeSession {
        // wasm-bindgen exported structs convert from their JS wrapper through `__wbg_ptr`.
        use wasm_bindgen::convert::TryFromJsValue;
        RealtimeSession::try_from_js_value(self.into()).expect("a RealtimeSession")
    }
}

/// Records every event of the listed kinds, in order.
#[derive(Clone, Default)]
struct Recorder {
    events: Rc<RefCell<Vec<(String, JsValue)>>>,
    _closures: Rc<RefCell<Vec<Closure<dyn FnMut(JsValue)>>>>,
}

impl Recorder {
    fn attach(session: &RealtimeSession, kinds: &[&str]) -> Recorder {
        let recorder = Recorder::default();
        for kind in kinds {
            let events = recorder.events.clone();
            let name = kind.to_string();
            let closure = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| events.borrow_mut().push((name.clone(), e)));
            session.on((*kind).into(), closure.as_ref().unchecked_ref::<js_sys::Function>().clone());
            recorder._closures.borrow_mut().push(closure);
        }
        recorder
    }

    fn of(&self, kind: &str) -> Vec<JsValue> {
        self.events.borrow().iter().filter(|(k, _)| k == kind).map(|(_, e)| e.clone()).collect()
    }

    /// Waits (up to 10 s) until an event of `kind` matching `pred` has arrived.
    async fn wait(&self, kind: &str, pred: impl Fn(&JsValue) -> bool) -> JsValue {
        for _ in 0..1000 {
            if let Some(e) = self.of(kind).into_iter().find(|e| pred(e)) {
                return e;
            }
            gloo_timers::future::TimeoutFuture::new(10).await;
        }
        // What did arrive, as JSON (shortened): enough to tell a race from a wrong answer.
        let seen: Vec<String> = self
            .events
            .borrow()
            .iter()
            .map(|(k, e)| {
                let json = js_sys::JSON::stringify(e).ok().and_then(|s| s.as_string()).unwrap_or_default();
                format!("{k} {}", json.chars().take(300).collect::<String>())
            })
            .collect();
        panic!("no matching {kind} event arrived; got {seen:#?}");
    }
}

fn text_options() -> JsValue {
    json(r#"{ "outputModalities": ["text"], "voiceActivityDetection": { "enabled": false } }"#)
}

/// Delta messages are built by hand on the hot path (their texts read out of wasm memory by the
/// package's JS): every text arrives as written — ASCII, non-ASCII, short and over 64 bytes — with
/// its ids and positions.
#[wasm_bindgen_test]
async fn delta_messages_carry_every_text_and_id_as_sent() {
    let session = connect("", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["outputTextDelta", "outputTextDone"]);
    let said = format!("héllo wörld 👋 {} {} end", "x".repeat(70), "é".repeat(40));
    JsFuture::from(session.send_text(said.as_str().into(), JsValue::UNDEFINED)).await.unwrap();
    let done = rec.wait("outputTextDone", |_| true).await;
    let deltas = rec.of("outputTextDelta");
    assert!(deltas.len() > 5, "{} deltas", deltas.len());
    let streamed: String = deltas.iter().map(|d| get(d, "text").as_string().unwrap()).collect();
    assert_eq!(streamed, get(&done, "text").as_string().unwrap());
    assert!(streamed.ends_with(&said), "{streamed}");
    let item = get(&done, "itemId").as_string().unwrap();
    for delta in &deltas {
        assert_eq!(get(delta, "type").as_string().as_deref(), Some("outputTextDelta"));
        assert!(get(delta, "messageId").as_string().is_some_and(|id| !id.is_empty()), "{delta:?}");
        assert!(get(delta, "responseId").as_string().is_some_and(|id| id.starts_with("resp")), "{delta:?}");
        assert_eq!(get(delta, "itemId").as_string().as_deref(), Some(item.as_str()));
        assert_eq!(get(delta, "outputIndex").as_f64(), Some(0.0));
        assert_eq!(get(delta, "contentIndex").as_f64(), Some(0.0));
    }
    let ids: std::collections::HashSet<String> = deltas.iter().map(|d| get(d, "messageId").as_string().unwrap()).collect();
    assert_eq!(ids.len(), deltas.len(), "each delta has its own message id");
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_text_turn_streams_deltas_in_order() {
    let session = connect("", text_options()).await.unwrap();
    assert_eq!(session.state(), "open");
    let rec = Recorder::attach(&session, &["outputTextDelta", "outputTextDone", "responseDone"]);
    JsFuture::from(session.send_text("hello there".into(), JsValue::UNDEFINED)).await.unwrap();
    let done = rec.wait("outputTextDone", |_| true).await;
    rec.wait("responseDone", |_| true).await;
    let streamed: String = rec.of("outputTextDelta").iter().map(|d| get(d, "text").as_string().unwrap()).collect();
    assert!(rec.of("outputTextDelta").len() > 1, "streamed in several deltas");
    assert_eq!(streamed, get(&done, "text").as_string().unwrap());
    assert!(streamed.contains("hello there"), "{streamed}");
    let closed = JsFuture::from(session.close()).await.unwrap();
    assert!(closed.is_undefined(), "close() resolves with nothing, as typed: {closed:?}");
    assert_eq!(session.state(), "closed");
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn session_update_round_trips_into_the_effective_options() {
    let session = connect("", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["sessionUpdated"]);
    JsFuture::from(session.update(json(r#"{ "instructions": "Answer in French." }"#))).await.unwrap();
    rec.wait("sessionUpdated", |e| get(&get(e, "options"), "instructions").as_string().as_deref() == Some("Answer in French.")).await;
    assert_eq!(get(&session.options(), "instructions").as_string().as_deref(), Some("Answer in French."));
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_js_tool_is_invoked_and_the_model_answers_with_its_output() {
    let options = text_options();
    let handler = js_sys::Function::new_with_args("args, ctx", "return { sum: args.a + args.b, call: ctx.callId.length > 0 };");
    let tool = object(&[
        ("name", "add".into()),
        ("description", "Adds two numbers".into()),
        ("parameters", json(r#"{ "type": "object", "properties": { "a": { "type": "number" }, "b": { "type": "number" } } }"#)),
        ("handler", handler.into()),
    ]);
    js_sys::Reflect::set(&options, &"tools".into(), &js_sys::Array::of1(&tool)).unwrap();
    let session = connect("", options).await.unwrap();
    let rec = Recorder::attach(&session, &["toolCallStarted", "toolCallCompleted", "outputTextDone"]);
    JsFuture::from(session.send_text(r#"call add {"a": 2, "b": 40}"#.into(), JsValue::UNDEFINED)).await.unwrap();
    let completed = rec.wait("toolCallCompleted", |_| true).await;
    let result = get(&completed, "result");
    assert_eq!((get(&result, "sum").as_f64(), get(&result, "call").as_bool()), (Some(42.0), Some(true)));
    let answer = rec.wait("outputTextDone", |e| get(e, "text").as_string().unwrap_or_default().contains("42")).await;
    assert!(get(&answer, "text").as_string().unwrap().contains("sum"));
    assert_eq!(rec.of("toolCallStarted").len(), 1);
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn cancel_ends_an_audio_response_as_cancelled() {
    let session = connect("?x=1&emu_speed=0.5", json(r#"{ "voiceActivityDetection": { "enabled": false } }"#)).await.unwrap();
    let rec = Recorder::attach(&session, &["outputAudioDelta", "responseDone"]);
    JsFuture::from(session.send_text("please talk for a while about many things".into(), JsValue::UNDEFINED)).await.unwrap();
    let delta = rec.wait("outputAudioDelta", |_| true).await;
    assert!(get(&delta, "audio").is_instance_of::<js_sys::Uint8Array>(), "audio is a Uint8Array");
    JsFuture::from(session.cancel_response(JsValue::UNDEFINED)).await.unwrap();
    let done = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&done, "status").as_string().as_deref(), Some("cancelled"));
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn server_errors_arrive_as_typed_error_events() {
    let session = connect("", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["error"]);
    let message = json(r#"{ "type": "deleteConversationItem", "itemId": "item_does_not_exist", "messageId": "mine_1" }"#);
    JsFuture::from(session.send(message)).await.unwrap();
    let e = rec.wait("error", |_| true).await;
    assert_eq!(get(&e, "type").as_string().as_deref(), Some("error"));
    assert_eq!(get(&e, "originatingMessageId").as_string().as_deref(), Some("mine_1"));
    assert!(get(&get(&e, "error"), "message").as_string().is_some());
    assert_eq!(session.state(), "open", "server errors leave the session open");
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn emulator_faults_map_to_events_and_leave_the_session_consistent() {
    // A malformed frame: an SDK error event, the session stays open.
    let session = connect("&emu_malformed_after=1", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["error", "raw"]);
    JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await.unwrap();
    let e = rec.wait("error", |_| true).await;
    assert_eq!(get(&get(&e, "error"), "code").as_string().as_deref(), Some("decode_error"));
    assert_eq!(session.state(), "open");
    JsFuture::from(session.close()).await.unwrap();

    // An oversized frame (16 MiB + 1, over the default 8 MiB limit): an error event before it is
    // copied into wasm memory; the session stays open and answers.
    let session = connect("&emu_oversized_after=2", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["error", "outputTextDone"]);
    JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await.unwrap();
    let e = rec.wait("error", |_| true).await;
    assert_eq!(get(&get(&e, "error"), "code").as_string().as_deref(), Some("frame_too_large"));
    rec.wait("outputTextDone", |_| true).await;
    assert_eq!(session.state(), "open");
    JsFuture::from(session.close()).await.unwrap();
    // The same for Gemini's binary frames, with the limit set by the app.
    let options = text_options();
    js_sys::Reflect::set(&options, &"maxFrameBytes".into(), &65_536.into()).unwrap();
    let session = gemini("emu_oversized_after=2&emu_oversized_bytes=100000", options).await;
    let rec = Recorder::attach(&session, &["error", "outputTextDone"]);
    JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await.unwrap();
    let e = rec.wait("error", |_| true).await;
    assert!(message_of(&get(&e, "error")).contains("the limit is 65536"), "{e:?}");
    rec.wait("outputTextDone", |_| true).await;
    JsFuture::from(session.close()).await.unwrap();

    // An unknown event type: a raw message.
    let session = connect("&emu_unknown_after=1", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["raw"]);
    JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("raw", |_| true).await;
    JsFuture::from(session.close()).await.unwrap();

    // A server close with a code: error + close events, closed state, sends rejected.
    let session = connect("&emu_close_after=2&emu_close_code=4001&emu_close_reason=bye", text_options()).await.unwrap();
    let rec = Recorder::attach(&session, &["error", "close", "stateChange"]);
    let _ = JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await;
    let close = rec.wait("close", |_| true).await;
    assert_eq!(get(&close, "code").as_f64(), Some(4001.0));
    assert_eq!(get(&close, "reason").as_string().as_deref(), Some("bye"));
    assert!(!rec.of("error").is_empty());
    assert_eq!(session.state(), "closed");
    let late = JsFuture::from(session.send_text("late".into(), JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(get(&late, "code").as_string().as_deref(), Some("session_closed"));
    JsFuture::from(session.close()).await.unwrap();

    // Session expiry with reconnecting off: the server's error, then the close (resumed by
    // default: tests/browser/resume.rs).
    let session = connect("&emu_expire_after_ms=300", json(r#"{ "outputModalities": ["text"], "reconnect": false }"#)).await.unwrap();
    let rec = Recorder::attach(&session, &["error", "close"]);
    let e = rec.wait("error", |_| true).await;
    assert_eq!(get(&get(&e, "error"), "code").as_string().as_deref(), Some("session_expired"));
    rec.wait("close", |_| true).await;
    assert_eq!(session.state(), "closed");
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn the_message_stream_has_one_consumer_and_ends_on_close() {
    let session = connect("", text_options()).await.unwrap();
    let first = session.messages().unwrap();
    let second = session.messages().unwrap_err();
    assert!(get(&second, "message").as_string().unwrap().contains("already has a consumer"));
    JsFuture::from(session.send_text("stream me".into(), JsValue::UNDEFINED)).await.unwrap();
    let next: js_sys::Function = get(&first, "next").unchecked_into();
    let mut kinds = Vec::new();
    loop {
        let step = JsFuture::from(next.call0(&first).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
        let kind = get(&get(&step, "value"), "type").as_string().unwrap_or_default();
        kinds.push(kind.clone());
        if kind == "responseDone" {
            break;
        }
    }
    assert!(kinds.contains(&"outputTextDelta".to_string()), "{kinds:?}");
    // `for await` takes the iterator itself; `return()` ends it and frees the stream for a new reader.
    let itself = js_sys::Reflect::get(&first, &js_sys::Symbol::async_iterator()).unwrap().unchecked_into::<js_sys::Function>().call0(&first).unwrap();
    assert!(js_sys::Object::is(&itself, &first));
    let finish: js_sys::Function = get(&first, "return").unchecked_into();
    let step = JsFuture::from(finish.call0(&first).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
    assert_eq!(get(&step, "done").as_bool(), Some(true));
    let step = JsFuture::from(next.call0(&first).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
    assert_eq!(get(&step, "done").as_bool(), Some(true), "a returned iterator is done");
    let again = session.messages().unwrap();
    let next: js_sys::Function = get(&again, "next").unchecked_into();
    // The first iterator is not the reader any more: its return() ends nobody's stream, and two
    // next() calls made at once both get a message.
    JsFuture::from(finish.call0(&first).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
    let pending = [next.call0(&again).unwrap(), next.call0(&again).unwrap()];
    JsFuture::from(session.send_text("twice".into(), JsValue::UNDEFINED)).await.unwrap();
    for promise in pending {
        let step = JsFuture::from(promise.unchecked_into::<js_sys::Promise>()).await.unwrap();
        assert_eq!(get(&step, "done").as_bool(), Some(false));
        assert!(get(&get(&step, "value"), "type").as_string().is_some(), "{step:?}");
    }
    let waiting = next.call0(&again).unwrap().unchecked_into::<js_sys::Promise>();
    JsFuture::from(session.close()).await.unwrap();
    let step = JsFuture::from(waiting).await.unwrap();
    assert_eq!(get(&step, "done").as_bool(), Some(true), "the stream ends on close");
    JsFuture::from(session.close()).await.unwrap(); // twice is fine
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn bad_options_and_api_keys_are_refused_clearly() {
    let e = RealtimeClient::new(object(&[("provider", "nope".into()), ("token", "t".into())])).err().unwrap();
    assert!(e.is_instance_of::<js_sys::RangeError>() && get(&e, "message").as_string().unwrap().contains("options.provider"));
    let e = RealtimeClient::new(object(&[("provider", "openai".into()), ("token", 5.into())])).err().unwrap();
    assert!(e.is_instance_of::<js_sys::TypeError>() && get(&e, "message").as_string().unwrap().contains("options.token"));
    // A fixed standard key: the constructor throws (as the d.ts says); from a token provider:
    // connect rejects.
    let e = RealtimeClient::new(object(&[("provider", "openai".into()), ("token", "sk-abc".into())])).err().unwrap();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("dangerouslyAllowApiKeyInBrowser"));
    let provided = js_sys::Function::new_no_args("return Promise.resolve('sk-abc');");
    let keyed = RealtimeClient::new(object(&[("provider", "openai".into()), ("token", provided.into())])).unwrap();
    let e = JsFuture::from(keyed.connect(JsValue::UNDEFINED)).await.unwrap_err();
    assert!(get(&e, "message").as_string().unwrap().contains("dangerouslyAllowApiKeyInBrowser"));
    let e = JsFuture::from(client("").connect(json(r#"{ "maxOutputTokens": "lots" }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>(), "{:?}", e);
    let e = JsFuture::from(client("").connect(json(r#"{ "logLevel": "loud" }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::RangeError>() && get(&e, "message").as_string().unwrap().contains("options.logLevel"));
    let e = JsFuture::from(client("").connect(json(r#"{ "reconnect": { "maxAttempts": 0 } }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::RangeError>() && message_of(&e).contains("options.reconnect.maxAttempts"), "{e:?}");
    // Zero attempts is what `reconnect: false` means: the message says so.
    assert!(message_of(&e).ends_with("from 1 to 100 (reconnect: false turns reconnecting off)"), "{e:?}");
    let e = JsFuture::from(client("").connect(json(r#"{ "reconnect": { "maxDelayMs": "soon" } }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("options.reconnect.maxDelayMs"), "{e:?}");
    let e = JsFuture::from(client("").connect(json(r#"{ "reconnect": "yes" }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("options.reconnect"), "{e:?}");
    let e = JsFuture::from(client("").connect(json(r#"{ "reconnect": false, "resume": false }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("options.resume"), "{e:?}");
    // The JS-only fields (checked in platform.js): each a TypeError/RangeError naming its path.
    for (options, range, says) in [
        (r#"{ "functionInvocation": { "maxIterationsPerTurn": 0 } }"#, true, "options.functionInvocation.maxIterationsPerTurn"),
        (r#"{ "audio": { "chunkMs": 1 } }"#, true, "options.audio.chunkMs"),
        (r#"{ "audio": 5 }"#, false, "options.audio must be an object"),
        (r#"{ "middleware": [{ "name": "m" }] }"#, false, "options.middleware[0] needs a send() or a receive() function"),
        (r#"{ "maxFrameBytes": 10 }"#, true, "options.maxFrameBytes"),
        (r#"{ "rawFrames": "yes" }"#, false, "options.rawFrames must be a boolean"),
    ] {
        let e = JsFuture::from(client("").connect(json(options))).await.unwrap_err();
        let class = if range { e.is_instance_of::<js_sys::RangeError>() } else { e.is_instance_of::<js_sys::TypeError>() };
        assert!(class && message_of(&e).contains(says), "{options}: {}", message_of(&e));
    }
    let session = connect("", text_options()).await.unwrap();
    let e = JsFuture::from(session.start_microphone(json(r#"{ "deviceId": 5 }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e) == "options.deviceId must be a string", "{}", message_of(&e));
    let e = JsFuture::from(session.send_text("hi".into(), json(r#"{ "createResponse": 1 }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e) == "options.createResponse must be a boolean", "{}", message_of(&e));
    let e = JsFuture::from(session.send(json(r#"{ "type": "sessionUpdate", "options": { "maxOutputTokens": 100000 } }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::RangeError>() && get(&e, "message").as_string().unwrap().contains("options.maxOutputTokens"));
    let e = JsFuture::from(session.send(json(r#"{ "type": "noSuchThing" }"#))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>());
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// A JS value built by a snippet (`return …`).
fn js(body: &str) -> JsValue {
    js_sys::Function::new_no_args(body).call0(&JsValue::NULL).unwrap()
}

fn message_of(e: &JsValue) -> String {
    get(e, "message").as_string().unwrap_or_default()
}

/// Hostile app values (nested 10,000 deep, cyclic, huge, wrong-typed) are `TypeError`s naming the
/// field; the SDK keeps working for this session and for new ones (before, a deep value trapped
/// wasm: "memory access out of bounds" on every later call on the page).
#[wasm_bindgen_test]
async fn hostile_app_values_are_type_errors_and_the_sdk_keeps_working() {
    let deep = || js("let v = {}; for (let i = 0; i < 10000; i++) v = { a: v }; return v;");
    let cyclic = || js("const v = { type: 'object' }; v.properties = { self: v }; return v;");
    let tool = |parameters: JsValue| js_sys::Array::of1(&object(&[("name", "t".into()), ("parameters", parameters)]));
    for (parameters, says) in [(deep(), "nested too deeply"), (cyclic(), "circular")] {
        let options = text_options();
        js_sys::Reflect::set(&options, &"tools".into(), &tool(parameters)).unwrap();
        let e = JsFuture::from(client("").connect(options)).await.unwrap_err();
        assert!(e.is_instance_of::<js_sys::TypeError>(), "{e:?}");
        assert!(message_of(&e).starts_with("options.tools[0]") && message_of(&e).contains(says), "{}", message_of(&e));
    }
    // Every wrong-typed option names its path and what was given.
    for (options, says) in [
        (r#"{ "maxOutputTokens": "100" }"#, "options.maxOutputTokens: expected a number, got the string \"100\""),
        (r#"{ "outputModalities": "text" }"#, "options.outputModalities: expected an array, got the string \"text\""),
        (r#"{ "tools": [{ "name": "a" }, { "name": 5 }] }"#, "options.tools[1].name: expected a string, got the number 5"),
        (r#"{ "voiceActivityDetection": { "eagerness": "very" } }"#, "options.voiceActivityDetection.eagerness: expected one of"),
    ] {
        let e = JsFuture::from(client("").connect(json(options))).await.unwrap_err();
        assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).starts_with(says), "{options}: {}", message_of(&e));
    }

    let handler = js_sys::Function::new_no_args("const v = {}; v.v = v; return v;");
    let options = text_options();
    let cyclic_tool = object(&[("name", "loop".into()), ("handler", handler.into())]);
    // A handler that throws `undefined` (no message, no JSON), and one that throws a revoked proxy
    // (even `instanceof` throws on it).
    let silent_tool = object(&[("name", "mute".into()), ("handler", js_sys::Function::new_no_args("throw undefined;").into())]);
    let revoked = js_sys::Function::new_no_args("const { proxy, revoke } = Proxy.revocable({}, {}); revoke(); throw proxy;");
    let revoked_tool = object(&[("name", "gone".into()), ("handler", revoked.into())]);
    js_sys::Reflect::set(&options, &"tools".into(), &js_sys::Array::of3(&cyclic_tool, &silent_tool, &revoked_tool)).unwrap();
    // A middleware whose results are unreadable is skipped (the original passes on).
    let middleware = js("return [{ name: 'deep', send: () => { let v = {}; for (let i = 0; i < 10000; i++) v = { a: v }; return v; } }];");
    js_sys::Reflect::set(&options, &"middleware".into(), &middleware).unwrap();
    let session = connect("", options).await.unwrap();
    let rec = Recorder::attach(&session, &["toolCallCompleted", "outputTextDone"]);
    let raw = object(&[("type", "raw".into()), ("payload", deep())]);
    let e = JsFuture::from(session.send(raw)).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).starts_with("message: nested too deeply"), "{}", message_of(&e));
    let huge = object(&[("type", "raw".into()), ("payload", js("return { text: 'x'.repeat(17 << 20) };"))]);
    let e = JsFuture::from(session.send(huge)).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("too large"), "{}", message_of(&e));
    let e = JsFuture::from(session.register_tool(object(&[("name", "c".into()), ("parameters", cyclic())]))).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e).contains("circular"), "{}", message_of(&e));

    // The handler's cyclic result becomes the call's error, and the conversation goes on.
    JsFuture::from(session.send_text("call loop {}".into(), JsValue::UNDEFINED)).await.unwrap();
    let completed = rec.wait("toolCallCompleted", |_| true).await;
    assert!(get(&completed, "error").as_string().unwrap_or_default().contains("circular"), "{:?}", completed);
    // The model's answer to the failed call first: the result goes back only once the calling
    // response is done, and a text sent before that would sit ahead of it in the conversation.
    rec.wait("outputTextDone", |e| get(e, "text").as_string().unwrap_or_default().contains("The tool loop returned")).await;
    JsFuture::from(session.send_text("still there?".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("outputTextDone", |e| get(e, "text").as_string().unwrap_or_default().contains("still there?")).await;
    // What it threw is described all the same, and its call ends (it hung when describing
    // `undefined` threw in the wasm).
    JsFuture::from(session.send_text("call mute {}".into(), JsValue::UNDEFINED)).await.unwrap();
    let completed = rec.wait("toolCallCompleted", |e| get(e, "name").as_string().as_deref() == Some("mute")).await;
    assert_eq!(get(&completed, "error").as_string().as_deref(), Some("undefined"), "{:?}", completed);
    rec.wait("outputTextDone", |e| get(e, "text").as_string().unwrap_or_default().contains("The tool mute returned")).await;
    JsFuture::from(session.send_text("call gone {}".into(), JsValue::UNDEFINED)).await.unwrap();
    let completed = rec.wait("toolCallCompleted", |e| get(e, "name").as_string().as_deref() == Some("gone")).await;
    assert_eq!(get(&completed, "error").as_string().as_deref(), Some("unknown error"), "{:?}", completed);

    // App objects whose getters throw are TypeErrors naming what was read, and the session (and
    // its object) stay usable: before, the exception went through the wasm and left it borrowed.
    let throwing = || js("return { get instructions() { throw new Error('boom'); } };");
    let e = JsFuture::from(session.create_response(throwing())).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e) == "overrides could not be read: boom", "{}", message_of(&e));
    let e = JsFuture::from(client("").connect(throwing())).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e) == "options could not be read: boom", "{}", message_of(&e));
    let e = realtime_wasm::web::define_tool(js("return { name: 'x', get description() { throw new Error('boom'); } };")).unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e) == "tool could not be read: boom", "{}", message_of(&e));
    // A response id that is not a string is a mistake, not "the active response".
    let e = JsFuture::from(session.cancel_response(5.into())).await.unwrap_err();
    assert!(e.is_instance_of::<js_sys::TypeError>() && message_of(&e) == "responseId must be a string", "{}", message_of(&e));
    JsFuture::from(session.close()).await.unwrap();

    // And a new session on the page works.
    let again = connect("", text_options()).await.unwrap();
    assert_eq!(again.state(), "open");
    JsFuture::from(again.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// Listeners: `once` hears one event; one added during an emit waits for the next event, one
/// removed during an emit still hears that one (the emit walks the listeners it started with);
/// one that throws stops neither the others nor the session.
#[wasm_bindgen_test]
async fn listeners_added_removed_and_failing_during_an_emit() {
    let session: JsValue = connect("", text_options()).await.unwrap().into();
    let run = js_sys::Function::new_with_args(
        "s",
        "return new Promise((resolve) => {
           const log = [];
           let first = true;
           const d = () => log.push('d'), e = () => log.push('e');
           s.on('outputTextDelta', () => { log.push('a'); if (first) { first = false; s.on('outputTextDelta', d); s.off('outputTextDelta', e); } });
           s.once('outputTextDelta', () => log.push('b'));
           s.on('outputTextDelta', () => { log.push('c'); throw new Error('a failing listener'); });
           s.on('outputTextDelta', e);
           s.once('outputTextDone', () => resolve(log.join(' ')));
           s.sendText('hello there, listeners');
         });",
    );
    let log = JsFuture::from(run.call1(&JsValue::UNDEFINED, &session).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
    let log = log.as_string().unwrap();
    let calls: Vec<&str> = log.split(' ').collect();
    assert_eq!(calls[..4], ["a", "b", "c", "e"], "the first delta: {log}");
    assert!(calls.len() > 4 && calls[4..].chunks(3).all(|c| c == ["a", "c", "d"]), "the later deltas: {log}");
    let close = js_sys::Reflect::get(&session, &"close".into()).unwrap().unchecked_into::<js_sys::Function>();
    JsFuture::from(close.call0(&session).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
}

/// What the SDK waits on (a token provider, a tool's promise, a worklet module) leaves nothing
/// behind once it settled: before, both reactions of every wait were forgotten, each keeping a
/// slot of wasm-bindgen's externref table (and its closure) for good.
#[wasm_bindgen_test]
async fn settled_waits_leave_no_externrefs_behind() {
    let failing = js("return { provider: 'openai', token: () => Promise.reject(new Error('no token')) };");
    let attempt = || async {
        let client = RealtimeClient::new(failing.clone()).unwrap();
        let e = JsFuture::from(client.connect(text_options())).await.unwrap_err();
        assert!(message_of(&e).contains("no token"), "{}", message_of(&e));
    };
    attempt().await; // the first one may set up what is kept for the page's lifetime
    let before = wasm_bindgen::externref_heap_live_count();
    for _ in 0..50 {
        attempt().await;
    }
    let grown = wasm_bindgen::externref_heap_live_count().saturating_sub(before);
    assert!(grown < 10, "50 settled connects left {grown} externrefs alive");
}

/// App middleware: `null` drops a message, a returned object replaces it, `undefined` passes it
/// on, and a throw passes the original on (with a warning) without breaking the session.
#[wasm_bindgen_test]
async fn middleware_drops_replaces_and_survives_a_throw() {
    let options = text_options();
    let middleware = js("return [
        { name: 'thrower', send: () => { throw new Error('boom'); } },
        { name: 'editor', receive: (m) => m.type === 'outputTextDelta' ? null : m.type === 'outputTextDone' ? { ...m, text: 'edited' } : undefined },
    ];");
    js_sys::Reflect::set(&options, &"middleware".into(), &middleware).unwrap();
    let session = connect("", options).await.unwrap();
    let rec = Recorder::attach(&session, &["outputTextDelta", "outputTextDone"]);
    JsFuture::from(session.send_text("hello".into(), JsValue::UNDEFINED)).await.unwrap();
    let done = rec.wait("outputTextDone", |_| true).await;
    assert_eq!(get(&done, "text").as_string().as_deref(), Some("edited"), "{done:?}");
    assert!(rec.of("outputTextDelta").is_empty(), "null drops the deltas");
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// App middleware may call the session it runs in: a `receive` that sends a message queues it
/// behind the frame being handled. Before, the driver held its command queue borrowed while it
/// applied a command, and the call trapped the module ("already borrowed").
#[wasm_bindgen_test]
async fn middleware_may_call_its_session() {
    let options = text_options();
    let middleware = js("return [{ receive: (m) => {
        if (m.type === 'outputTextDone' && !globalThis.__fromMiddleware) {
            globalThis.__fromMiddleware = globalThis.__mwSession.sendText('again', { createResponse: false });
        }
    } }];");
    js_sys::Reflect::set(&options, &"middleware".into(), &middleware).unwrap();
    UNHANDLED.with(|_| ());
    // Driven from JS: the middleware needs the session's JS object.
    let value = JsFuture::from(client("").connect(options)).await.unwrap();
    js_sys::Reflect::set(&js_sys::global(), &"__mwSession".into(), &value).unwrap();
    JsFuture::from(js("return globalThis.__mwSession.sendText('hello');").unchecked_into::<js_sys::Promise>()).await.unwrap();
    let mut sent = JsValue::UNDEFINED;
    for _ in 0..100 {
        sent = js("return globalThis.__fromMiddleware;");
        if !sent.is_undefined() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
    }
    assert!(sent.is_instance_of::<js_sys::Promise>(), "the middleware ran and called sendText: {sent:?}");
    JsFuture::from(sent.unchecked_into::<js_sys::Promise>()).await.expect("the middleware's sendText resolves");
    JsFuture::from(js("const s = globalThis.__mwSession; delete globalThis.__mwSession; delete globalThis.__fromMiddleware; return s.close();").unchecked_into::<js_sys::Promise>())
        .await
        .unwrap();
    assert_no_unhandled_rejections().await;
}

/// Counts, page-wide, the microphone tracks stopped and the WebSockets opened (installed once).
fn watch_tracks_and_sockets() {
    js("if (!globalThis.__watching) { globalThis.__watching = true; globalThis.__stops = 0; globalThis.__sockets = [];
          const stop = MediaStreamTrack.prototype.stop;
          MediaStreamTrack.prototype.stop = function () { globalThis.__stops++; return stop.call(this); };
          const Native = WebSocket;
          globalThis.WebSocket = class extends Native { constructor(...a) { super(...a); globalThis.__sockets.push(this); } }; }
        return 0;");
}

fn tracks_stopped() -> f64 {
    js("return globalThis.__stops;").as_f64().unwrap()
}

/// `readyState` of the newest socket the page opened.
fn last_socket_state() -> f64 {
    js("return globalThis.__sockets.at(-1).readyState;").as_f64().unwrap()
}

/// A session the app lets go of without `close()` (`free()`, `[Symbol.dispose]`, the garbage
/// collector's finalizer) closes its socket and stops its microphone; before, both stayed open and
/// the socket's callbacks pointed at freed closures.
#[wasm_bindgen_test]
async fn a_dropped_session_releases_its_socket_and_microphone() {
    watch_tracks_and_sockets();
    for how in ["rust drop", "free", "Symbol.dispose"] {
        let value = JsFuture::from(client("").connect(text_options())).await.unwrap();
        assert_eq!(last_socket_state(), 1.0, "open");
        let stops = tracks_stopped();
        let start = js_sys::Reflect::get(&value, &"startMicrophone".into()).unwrap().unchecked_into::<js_sys::Function>();
        JsFuture::from(start.call0(&value).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
        let closes = js("globalThis.__closes = []; return globalThis.__closes;");
        let on = js_sys::Reflect::get(&value, &"on".into()).unwrap().unchecked_into::<js_sys::Function>();
        on.call2(&value, &"close".into(), &js("return (e) => globalThis.__closes.push(e.reason);")).unwrap();
        match how {
            "rust drop" => drop(value.unchecked_into::<RealtimeSessionRef>().take()),
            "free" => {
                js_sys::Reflect::get(&value, &"free".into()).unwrap().unchecked_into::<js_sys::Function>().call0(&value).unwrap();
            }
            _ => {
                let dispose = js_sys::Reflect::get(&value, &js("return Symbol.dispose;")).unwrap();
                dispose.unchecked_into::<js_sys::Function>().call0(&value).unwrap();
            }
        }
        gloo_timers::future::TimeoutFuture::new(50).await;
        assert!(last_socket_state() >= 2.0, "{how}: the socket is closing or closed, not {}", last_socket_state());
        assert!(tracks_stopped() > stops, "{how}: the microphone track was stopped");
        assert_eq!(js_sys::Array::from(&closes).length(), 1, "{how}: close listeners were told once");
    }
    assert_no_unhandled_rejections().await;
}

/// A session opened without playback builds its microphone's engine with the app's `audio`
/// options (before, with the defaults: a strict-CSP app's `workletUrl` was ignored), and when
/// that engine cannot start (here: the app's worklet URL does not load) the stream the SDK opened
/// is stopped (before, the microphone stayed on, recording indicator and all).
#[wasm_bindgen_test]
async fn a_microphone_in_a_text_session_uses_the_audio_options_and_is_released_when_it_fails() {
    watch_tracks_and_sockets();
    let options = text_options();
    let missing = format!("{}/no-such-worklet.js", emulator());
    js_sys::Reflect::set(&options, &"audio".into(), &object(&[("workletUrl", missing.into())])).unwrap();
    let session = connect("", options).await.unwrap();
    let stops = tracks_stopped();
    let e = JsFuture::from(session.start_microphone(JsValue::UNDEFINED)).await.expect_err("the app's worklet URL does not load");
    assert!(message_of(&e).contains("options.audio.workletUrl"), "{}", message_of(&e));
    assert_eq!(tracks_stopped(), stops + 1.0, "the track getUserMedia gave was stopped");
    assert!(!session.muted(), "no microphone attached");
    // Tried again, with the same options: the same refusal, the same release.
    let e = JsFuture::from(session.start_microphone(JsValue::UNDEFINED)).await.expect_err("still not loading");
    assert!(message_of(&e).contains("options.audio.workletUrl"), "{}", message_of(&e));
    assert_eq!(tracks_stopped(), stops + 2.0, "the second track was stopped too");
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// Closing stops the very tracks `startMicrophone()` opened (before, the engine was handed
/// `MediaStream.clone()` of them — web-sys's `clone` method, not `Clone` — and closing stopped the
/// copies: the browser's recording indicator stayed on).
#[wasm_bindgen_test]
async fn closing_stops_the_tracks_start_microphone_opened() {
    js("if (!globalThis.__mics) { globalThis.__mics = []; const devices = navigator.mediaDevices; const open = devices.getUserMedia.bind(devices);
          devices.getUserMedia = async (c) => { const s = await open(c); globalThis.__mics.push(s); return s; }; }
        return 0;");
    let session = connect("", text_options()).await.unwrap();
    JsFuture::from(session.start_microphone(JsValue::UNDEFINED)).await.unwrap();
    JsFuture::from(session.close()).await.unwrap();
    let live = js("return globalThis.__mics.at(-1).getTracks().filter((t) => t.readyState !== 'ended').length;");
    assert_eq!(live.as_f64(), Some(0.0), "the tracks getUserMedia gave are stopped");
    assert_no_unhandled_rejections().await;
}

/// `startMicrophone()` racing `close()` (or a drop) while the permission prompt is up: the stream
/// it gets is stopped, nothing is built, and the promise says why.
#[wasm_bindgen_test]
async fn start_microphone_racing_close_releases_the_microphone() {
    watch_tracks_and_sockets();
    let session = connect("", text_options()).await.unwrap();
    let stops = tracks_stopped();
    let started = session.start_microphone(JsValue::UNDEFINED);
    let closed = session.close();
    let e = JsFuture::from(started).await.unwrap_err();
    assert_eq!(get(&e, "code").as_string().as_deref(), Some("session_closed"), "{e:?}");
    JsFuture::from(closed).await.unwrap();
    assert_eq!(tracks_stopped(), stops + 1.0, "the track getUserMedia gave was stopped");
    assert!(!session.muted(), "no audio engine was built");

    let session = connect("", text_options()).await.unwrap();
    let stops = tracks_stopped();
    let started = session.start_microphone(JsValue::UNDEFINED);
    drop(session);
    let e = JsFuture::from(started).await.unwrap_err();
    assert_eq!(get(&e, "code").as_string().as_deref(), Some("session_closed"), "{e:?}");
    assert_eq!(tracks_stopped(), stops + 1.0);
    assert_no_unhandled_rejections().await;
}

/// A text-only session creates no AudioContext and loads no worklet (before, it did, and a CSP
/// without `blob:` made `connect()` fail); an audio session does; a microphone brings the engine
/// later.
#[wasm_bindgen_test]
async fn audio_starts_only_when_the_session_needs_it() {
    // The engine reads `audioWorklet` once, when it creates its context and loads the worklet (the
    // glue holds the AudioContext constructor itself, so the prototype is where to count).
    js("if (!globalThis.__countingEngines) { globalThis.__countingEngines = true; globalThis.__contexts = 0;
          const d = Object.getOwnPropertyDescriptor(BaseAudioContext.prototype, 'audioWorklet');
          Object.defineProperty(BaseAudioContext.prototype, 'audioWorklet', { configurable: true,
            get() { globalThis.__contexts++; return d.get.call(this); } }); }
        return 0;");
    let contexts = || js("return globalThis.__contexts;").as_f64().unwrap();
    let before = contexts();
    let text = connect("", text_options()).await.unwrap();
    assert_eq!(contexts(), before, "no AudioContext for a text-only session");
    JsFuture::from(text.start_microphone(JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(contexts(), before + 1.0, "the microphone brings the engine");
    JsFuture::from(text.close()).await.unwrap();
    let voice = connect("", json(r#"{ "voiceActivityDetection": { "enabled": false } }"#)).await.unwrap();
    assert_eq!(contexts(), before + 2.0, "an audio session plays: one AudioContext");
    JsFuture::from(voice.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

// ---- audio: the fake microphone (a spoken WAV made by espeak-ng) and playback --------------

#[wasm_bindgen_test]
async fn a_spoken_turn_is_captured_detected_answered_and_played() {
    // A fresh recording (the fidelity check reads it after the suite).
    let init = web_sys::RequestInit::new();
    init.set_method("DELETE");
    let _ = JsFuture::from(web_sys::window().unwrap().fetch_with_str_and_init(&format!("{}/emulator/recordings/voice-turn", emulator()), &init)).await;
    let session = connect("&emu_tag=voice-turn&emu_speed=4", json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 500 } }"#)).await.unwrap();
    let rec = Recorder::attach(
        &session,
        &["inputAudioBufferSpeechStarted", "inputAudioBufferSpeechStopped", "responseDone", "outputAudioDelta", "inputLevel", "outputLevel", "error", "playbackEnded"],
    );
    // Browser voice processing off: the fidelity check (tests/audio/capture-fidelity.mjs) measures
    // the SDK's capture path, not Chromium's noise suppression.
    let raw = json(r#"{ "echoCancellation": false, "noiseSuppression": false, "autoGainControl": false }"#);
    JsFuture::from(session.start_microphone(raw)).await.unwrap();
    rec.wait("inputLevel", |e| get(e, "level").as_f64().unwrap_or(0.0) > 0.1).await;
    rec.wait("inputAudioBufferSpeechStarted", |_| true).await;
    rec.wait("inputAudioBufferSpeechStopped", |_| true).await;
    rec.wait("outputAudioDelta", |_| true).await;
    rec.wait("outputLevel", |e| get(e, "level").as_f64().unwrap_or(0.0) > 0.1).await;
    let done = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&done, "status").as_string().as_deref(), Some("completed"));
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error"));
    // Level events: f32 values shown with an f32's precision (`0.1`, not `0.10000000149011612`);
    // a peak for the microphone only.
    let short = |e: &JsValue, key: &str| {
        let x = get(e, key).as_f64().unwrap_or(f64::NAN);
        (0.0..=4.0).contains(&x) && format!("{x}").trim_start_matches("0.").trim_start_matches('0').len() <= 9
    };
    for (kind, keys, absent) in [("inputLevel", &["level", "rms", "peak"][..], None), ("outputLevel", &["level", "rms"][..], Some("peak"))] {
        let events = rec.of(kind);
        assert!(!events.is_empty(), "{kind}");
        for e in &events {
            assert!(keys.iter().all(|k| short(e, k)), "{kind}: {}", js_sys::JSON::stringify(e).unwrap());
            assert!(absent.is_none_or(|k| get(e, k).is_undefined()), "{kind}");
        }
    }
    // Played to the last sample: rendered == received (at the device rate vs the provider rate).
    let ended = rec.wait("playbackEnded", |_| true).await;
    let (played, received) = (get(&ended, "playedMs").as_f64().unwrap(), get(&ended, "receivedMs").as_f64().unwrap());
    web_sys::console::log_1(&format!("voice turn: played {played:.3} ms of {received:.3} ms received").into());
    assert!((played - received).abs() < 0.05 && received > 1_000.0, "played {played} vs received {received}");
    session.stop_microphone();
    // The emulator heard the speech, at the provider rate.
    let summary = JsFuture::from(web_sys::window().unwrap().fetch_with_str(&format!("{}/emulator/recordings/voice-turn", emulator()))).await.unwrap();
    let summary = JsFuture::from(summary.unchecked_into::<web_sys::Response>().json().unwrap()).await.unwrap();
    let text = js_sys::JSON::stringify(&summary).unwrap().as_string().unwrap();
    web_sys::console::log_1(&format!("voice-turn recording: {text}").into());
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// Audio a test made (an `AudioContext`, a tone microphone): closed when the test lets go of it.
/// Every test runs in one page, and contexts left running keep their audio threads rendering: late
/// in the suite a dozen of them starved the 2-core machine until the test runner gave up on the page.
pub struct Closing(pub JsValue);

impl Drop for Closing {
    fn drop(&mut self) {
        // A context the test closed itself stays closed (closing it again would reject).
        if get(&self.0, "state").as_string().as_deref() == Some("closed") {
            return;
        }
        if let Ok(close) = get(&self.0, "close").dyn_into::<js_sys::Function>() {
            let _ = close.call0(&self.0);
        }
    }
}

impl std::ops::Deref for Closing {
    type Target = JsValue;
    fn deref(&self) -> &JsValue {
        &self.0
    }
}

/// A microphone the test controls: a 220 Hz tone switched between speech level and a -50 dBFS
/// murmur (below the VAD, but never exact zeros, so the tap sees every echoed sample), smoothly (no
/// clicks in the source), as an app-owned `MediaStream`. Its own context closes with it.
fn tone_microphone() -> Closing {
    tone_microphone_in(&JsValue::UNDEFINED)
}

/// The same, in `context` (one clock for microphone and playback, so the tap sees no resampling
/// glitches between contexts); a new context when undefined.
fn tone_microphone_in(context: &JsValue) -> Closing {
    Closing(js_sys::Function::new_with_args(
        "shared",
        "const ctx = shared || new AudioContext(); const osc = ctx.createOscillator(); osc.frequency.value = 220;
         const gain = ctx.createGain(); gain.gain.value = 0.003; const dest = ctx.createMediaStreamDestination();
         osc.connect(gain).connect(dest); osc.start();
         return { stream: dest.stream, speak(on) { gain.gain.setTargetAtTime(on ? 0.5 : 0.003, ctx.currentTime, 0.01); },
                  close() { if (this.closed) return; this.closed = true; osc.stop(); if (!shared) ctx.close(); } };",
    )
    .call1(&JsValue::UNDEFINED, context)
    .unwrap())
}

fn speak(mic: &JsValue, on: bool) {
    let f: js_sys::Function = get(mic, "speak").unchecked_into();
    f.call1(mic, &on.into()).unwrap();
}

#[wasm_bindgen_test]
async fn barge_in_stops_playback_and_truncates_to_what_was_heard() {
    let session = connect("&emu_tag=barge-in", json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 300 } }"#)).await.unwrap();
    let rec = Recorder::attach(
        &session,
        &["inputAudioBufferSpeechStarted", "outputAudioDelta", "outputLevel", "interrupted", "responseDone", "error", "conversationItemTruncated"],
    );
    let mic = tone_microphone();
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(2_000).await;
    speak(&mic, false);
    // The echo reply (2 s of audio, paced in real time) starts playing...
    rec.wait("outputLevel", |e| get(e, "level").as_f64().unwrap_or(0.0) > 0.1).await;
    gloo_timers::future::TimeoutFuture::new(500).await;
    // ...and the user talks over it.
    speak(&mic, true);
    let interrupted = rec.wait("interrupted", |_| true).await;
    speak(&mic, false);
    let (played, heard, received) = (
        get(&interrupted, "playedMs").as_f64().unwrap(),
        get(&interrupted, "heardMs").as_f64().unwrap(),
        get(&interrupted, "receivedMs").as_f64().unwrap(),
    );
    let truncated = get(&interrupted, "truncatedAtMs").as_f64().expect("cut before the end, so truncated");
    web_sys::console::log_1(&format!("barge-in: played {played:.1} ms, heard {heard:.1} ms, received {received:.1} ms, truncated at {truncated} ms").into());
    assert!(played > 300.0 && heard <= played && truncated <= received && truncated >= heard - 1.0, "{played} {heard} {received} {truncated}");
    let cut = rec.wait("conversationItemTruncated", |_| true).await;
    assert_eq!(get(&cut, "audioEndMs").as_f64(), Some(truncated));
    let cancelled = rec.wait("responseDone", |e| get(e, "status").as_string().as_deref() == Some("cancelled")).await;
    assert!(get(&cancelled, "responseId").is_string());
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    session.stop_microphone();
    drop(mic);
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// An app-owned context with a tap between the SDK's playback and the speakers: it counts what was
/// actually rendered (first/last audible frame, longest silent gap inside, largest sample step).
async fn tapped_context() -> (Closing, JsValue) {
    let setup = js_sys::Function::new_no_args(
        "const source = `class Tap extends AudioWorkletProcessor {
           constructor() { super(); this.audible = 0; this.firstRunAudible = -1; this.firstRunEnd = -1; this.resumeUntil = -1; this.resumeJump = 0; this.first = -1; this.last = -1; this.run = 0; this.gap = 0;
             this.prev = 0; this.jump = 0; this.peak = 0;
             this.port.onmessage = () => this.port.postMessage({ frame: currentFrame, first: this.first, last: this.last,
               gap: this.gap, gapEnd: this.gapEnd, firstRunEnd: this.firstRunEnd >= 0 ? this.firstRunEnd : this.last,
               firstRunAudible: this.firstRunAudible >= 0 ? this.firstRunAudible : this.audible, jump: this.jump, jumpAt: this.jumpAt, resumeJump: this.resumeJump, peak: this.peak }); }
           process(inputs, outputs) {
             const x = inputs[0][0], out = outputs[0][0];
             for (let i = 0; x && i < x.length; i++) {
               const v = x[i], f = currentFrame + i;   // the context's clock, as currentTime
               if (v !== 0) {
                 if (this.first < 0) this.first = f; else { if (this.run > this.gap) { this.gap = this.run; this.gapEnd = f; } if (this.run > 480) this.resumeUntil = f + 480; if (this.run > 960 && this.firstRunEnd < 0) { this.firstRunEnd = this.last; this.firstRunAudible = this.audible; } }
                 this.audible++;
                 this.last = f; this.run = 0;
               } else this.run++;
               if (this.first >= 0) { const d = Math.abs(v - this.prev); if (d > this.jump) { this.jump = d; this.jumpAt = f; } if (f <= this.resumeUntil && d > this.resumeJump) this.resumeJump = d; this.peak = Math.max(this.peak, Math.abs(v)); }
               this.prev = v; if (out) out[i] = v;
             }
             return true; } }
           registerProcessor('tap', Tap);`;
         const ctx = new AudioContext();
         const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
         return ctx.audioWorklet.addModule(url).then(() => {
           const tap = new AudioWorkletNode(ctx, 'tap', { outputChannelCount: [1] }); tap.connect(ctx.destination);
           return { ctx, tap };
         });",
    );
    let made = JsFuture::from(setup.call0(&JsValue::UNDEFINED).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap();
    (Closing(get(&made, "ctx")), get(&made, "tap"))
}

/// The tap's counters (frames at the context rate): first/last audible frame, the end of the first
/// audible run (before a 20 ms silence: a later reply does not count), longest gap, largest step.
async fn tap_report(tap: &JsValue) -> JsValue {
    let ask = js_sys::Function::new_with_args(
        "tap",
        "return new Promise((resolve) => { tap.port.onmessage = (e) => resolve(e.data); tap.port.postMessage('report'); });",
    );
    JsFuture::from(ask.call1(&JsValue::UNDEFINED, tap).unwrap().unchecked_into::<js_sys::Promise>()).await.unwrap()
}

fn number(value: &JsValue, key: &str) -> f64 {
    get(value, key).as_f64().unwrap_or(f64::NAN)
}

#[wasm_bindgen_test]
async fn barge_in_is_silent_within_10_ms_and_truncates_at_what_the_tap_counted() {
    let (ctx, tap) = tapped_context().await;
    let rate = number(&ctx, "sampleRate");
    let options = json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 300 } }"#);
    js_sys::Reflect::set(&options, &"audio".into(), &object(&[("context", ctx.clone()), ("outputNode", tap.clone())])).unwrap();
    let session = connect("&emu_tag=barge-tap", options).await.unwrap();
    let rec = Recorder::attach(&session, &["outputLevel", "interrupted", "conversationItemTruncated", "error"]);
    // The frame at which the barge-in signal reached the app (its handler runs just before the
    // SDK tells the playback worklet to stop).
    let stop_frame = Rc::new(RefCell::new(f64::NAN));
    let slot = stop_frame.clone();
    let context = ctx.clone();
    let on_speech = Closure::<dyn FnMut(JsValue)>::new(move |_| {
        if slot.borrow().is_nan() {
            *slot.borrow_mut() = number(&context, "currentTime") * number(&context, "sampleRate");
        }
    });
    let mic = tone_microphone_in(&ctx);
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    // Murmur first, so the VAD's prefix padding (and so the echo) holds no exact zeros.
    gloo_timers::future::TimeoutFuture::new(600).await;
    // A 3 s utterance: its echo lasts long enough to be talked over even on a loaded machine.
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(3_000).await;
    speak(&mic, false);
    rec.wait("outputLevel", |e| get(e, "level").as_f64().unwrap_or(0.0) > 0.1).await;
    gloo_timers::future::TimeoutFuture::new(400).await;
    session.on("inputAudioBufferSpeechStarted".into(), on_speech.as_ref().unchecked_ref::<js_sys::Function>().clone());
    speak(&mic, true);
    let interrupted = rec.wait("interrupted", |_| true).await;
    speak(&mic, false);
    gloo_timers::future::TimeoutFuture::new(100).await;
    let report = tap_report(&tap).await;
    // The interrupted reply is the first audible run; the echo of the barge-in may follow it.
    let last = number(&report, "firstRunEnd");
    let silent_after_ms = (last - *stop_frame.borrow()) / rate * 1_000.0;
    // Audible frames, not the span: a brief underrun inside the reply (the machine is busy) is
    // silence the worklet rightly does not count.
    let tap_rendered_ms = number(&report, "firstRunAudible") / rate * 1_000.0;
    let played = number(&interrupted, "playedMs");
    let latency = number(&interrupted, "outputLatencyMs");
    let truncated = number(&interrupted, "truncatedAtMs");
    web_sys::console::log_1(&format!(
        "barge-in (tap): silent {silent_after_ms:.2} ms after speech started; tap rendered {tap_rendered_ms:.2} ms, worklet played {played:.2} ms, \
         output latency {latency:.2} ms, truncated at {truncated} ms"
    ).into());
    assert!(silent_after_ms <= 10.0, "output still audible {silent_after_ms:.2} ms after the barge-in");
    assert!((tap_rendered_ms - played).abs() <= 3.0, "tap {tap_rendered_ms:.2} ms vs played {played:.2} ms");
    assert_eq!(truncated, (played - latency).floor());
    let cut = rec.wait("conversationItemTruncated", |_| true).await;
    assert_eq!(number(&cut, "audioEndMs"), truncated);
    assert!(rec.of("error").is_empty());
    session.stop_microphone();
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn an_underrun_plays_silence_uncounted_and_resumes_without_a_click() {
    let (ctx, tap) = tapped_context().await;
    let options = json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 300 } }"#);
    js_sys::Reflect::set(&options, &"audio".into(), &object(&[("context", ctx.clone()), ("outputNode", tap.clone())])).unwrap();
    // Every server frame after the 20th is held 400 ms: a gap in the middle of the reply.
    let session = connect("&emu_delay_after=20&emu_delay_ms=400", options).await.unwrap();
    let rec = Recorder::attach(&session, &["playbackEnded", "responseDone", "error"]);
    let mic = tone_microphone_in(&ctx);
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    gloo_timers::future::TimeoutFuture::new(600).await;
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(1_500).await;
    speak(&mic, false);
    let ended = rec.wait("playbackEnded", |_| true).await;
    let report = tap_report(&tap).await;
    let rate = number(&ctx, "sampleRate");
    let (played, received) = (number(&ended, "playedMs"), number(&ended, "receivedMs"));
    let gap_ms = number(&report, "gap") / rate * 1_000.0;
    let span_ms = (number(&report, "last") - number(&report, "first") + 1.0) / rate * 1_000.0;
    // A 220 Hz tone moves at most peak × 2π × 220 / rate per sample; a click would be a jump.
    let smooth_step = number(&report, "peak") * std::f64::consts::TAU * 220.0 / rate;
    let jump = number(&report, "resumeJump");
    web_sys::console::log_1(&format!(
        "underrun: gap {gap_ms:.1} ms inside a {span_ms:.1} ms reply; played {played:.2} ms of {received:.2} ms received; \
         largest step in the 10 ms after the resume {jump:.4} vs a smooth tone's {smooth_step:.4} (whole reply: {:.4} at frame {} of {}..{})",
        number(&report, "jump"), number(&report, "jumpAt"), number(&report, "first"), number(&report, "last")
    ).into());
    assert!(gap_ms > 150.0, "no underrun happened (gap {gap_ms:.1} ms)");
    assert!((played - received).abs() < 0.05, "silence counted as played: {played} vs {received}");
    assert!(span_ms > played + 100.0, "the gap is in the rendered span");
    assert!(jump <= 1.5 * smooth_step, "a click at the resume: step {jump:.4} vs {smooth_step:.4}");
    assert!(number(&report, "jump") <= 1.5 * smooth_step, "a click somewhere in the reply");
    assert!(rec.of("error").is_empty());
    session.stop_microphone();
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn manual_turns_commit_the_audio_and_ask_for_a_response() {
    let session = connect("&emu_tag=manual-turn&emu_speed=4", json(r#"{ "voiceActivityDetection": { "enabled": false } }"#)).await.unwrap();
    let rec = Recorder::attach(&session, &["inputAudioBufferCommitted", "responseDone", "inputAudioBufferSpeechStarted", "error"]);
    let mic = tone_microphone();
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(800).await;
    speak(&mic, false);
    gloo_timers::future::TimeoutFuture::new(100).await;
    session.set_muted(true);
    assert!(session.muted());
    JsFuture::from(session.commit_audio(JsValue::UNDEFINED)).await.unwrap();
    rec.wait("inputAudioBufferCommitted", |_| true).await;
    let done = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&done, "status").as_string().as_deref(), Some("completed"));
    assert!(rec.of("inputAudioBufferSpeechStarted").is_empty(), "no server VAD in manual mode");
    assert!(rec.of("error").is_empty());
    session.stop_microphone();
    drop(mic);
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

// ---- the same app code against both providers ---------------------------------------------------

/// A text turn, then a tool round trip with a JS handler: app code that names no provider.
async fn conversation_script(provider: &str) {
    let handler = js_sys::Function::new_with_args("args", "return { sum: args.a + args.b };");
    let tool = object(&[
        ("name", "add".into()),
        ("description", "Adds two numbers".into()),
        ("parameters", json(r#"{ "type": "object", "properties": { "a": { "type": "number" }, "b": { "type": "number" } } }"#)),
        ("handler", handler.into()),
    ]);
    let options = json(r#"{ "outputModalities": ["text"], "audio": { "playback": false } }"#);
    js_sys::Reflect::set(&options, &"tools".into(), &js_sys::Array::of1(&tool)).unwrap();
    let session = JsFuture::from(client_for(provider, "").connect(options)).await.unwrap();
    let session: RealtimeSession = session.unchecked_into::<RealtimeSessionRef>().take();
    assert_eq!(session.provider(), provider);
    let rec = Recorder::attach(&session, &["outputTextDelta", "outputTextDone", "responseDone", "toolCallCompleted", "error"]);
    JsFuture::from(session.send_text("hello there".into(), JsValue::UNDEFINED)).await.unwrap();
    let first = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&first, "status").as_string().as_deref(), Some("completed"), "{provider}");
    let streamed: String = rec.of("outputTextDelta").iter().map(|d| get(d, "text").as_string().unwrap()).collect();
    assert!(streamed.contains("hello there"), "{provider}: {streamed}");
    JsFuture::from(session.send_text(r#"call add {"a": 2, "b": 40}"#.into(), JsValue::UNDEFINED)).await.unwrap();
    let completed = rec.wait("toolCallCompleted", |_| true).await;
    assert_eq!(get(&get(&completed, "result"), "sum").as_f64(), Some(42.0), "{provider}");
    rec.wait("outputTextDone", |e| get(e, "text").as_string().unwrap_or_default().contains("42")).await;
    assert!(rec.of("error").is_empty(), "{provider}: {:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    JsFuture::from(session.close()).await.unwrap();
    assert_eq!(session.state(), "closed");
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn the_same_app_code_runs_on_openai() {
    conversation_script("openai").await;
}

#[wasm_bindgen_test]
async fn the_same_app_code_runs_on_gemini() {
    conversation_script("gemini").await;
}

// ---- Gemini Live: voice, manual activity, barge-in, tool-call cancellation, close codes ---------

async fn gemini(knobs: &'static str, options: JsValue) -> RealtimeSession {
    let value = JsFuture::from(client_for("gemini", knobs).connect(options)).await.unwrap();
    value.unchecked_into::<RealtimeSessionRef>().take()
}

#[wasm_bindgen_test]
async fn gemini_voice_turn_with_vad_is_answered_and_played() {
    let session = gemini("emu_speed=4", json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 300 } }"#)).await;
    let rec = Recorder::attach(&session, &["responseDone", "outputAudioDelta", "playbackEnded", "error"]);
    let mic = tone_microphone();
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    gloo_timers::future::TimeoutFuture::new(300).await;
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(1_000).await;
    speak(&mic, false);
    rec.wait("outputAudioDelta", |_| true).await;
    let done = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&done, "status").as_string().as_deref(), Some("completed"));
    let ended = rec.wait("playbackEnded", |_| true).await;
    assert!((number(&ended, "playedMs") - number(&ended, "receivedMs")).abs() < 0.05);
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    session.stop_microphone();
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn gemini_manual_activity_turn() {
    let session = gemini("emu_speed=4", json(r#"{ "voiceActivityDetection": { "enabled": false }, "audio": { "playback": false } }"#)).await;
    let rec = Recorder::attach(&session, &["responseDone", "inputAudioBufferSpeechStarted", "error"]);
    let mic = tone_microphone();
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(800).await;
    speak(&mic, false);
    // Push-to-talk: stop sending before the commit (more audio would start the next turn).
    session.set_muted(true);
    JsFuture::from(session.commit_audio(JsValue::UNDEFINED)).await.unwrap();
    let done = rec.wait("responseDone", |_| true).await;
    assert_eq!(get(&done, "status").as_string().as_deref(), Some("completed"));
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    session.stop_microphone();
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn gemini_barge_in_flushes_playback() {
    let session = gemini("", json(r#"{ "voiceActivityDetection": { "silenceDurationMs": 300 } }"#)).await;
    let rec = Recorder::attach(&session, &["outputLevel", "interrupted", "responseDone", "inputAudioBufferSpeechStarted", "error"]);
    let mic = tone_microphone();
    JsFuture::from(session.attach_microphone_stream(get(&mic, "stream"))).await.unwrap();
    gloo_timers::future::TimeoutFuture::new(300).await;
    // A 3 s utterance: its echo lasts long enough to be talked over even on a loaded machine.
    speak(&mic, true);
    gloo_timers::future::TimeoutFuture::new(3_000).await;
    speak(&mic, false);
    rec.wait("outputLevel", |e| get(e, "level").as_f64().unwrap_or(0.0) > 0.1).await;
    gloo_timers::future::TimeoutFuture::new(400).await;
    speak(&mic, true);
    let interrupted = rec.wait("interrupted", |_| true).await;
    speak(&mic, false);
    assert!(get(&interrupted, "truncatedAtMs").is_undefined(), "Gemini has no truncation");
    assert!(number(&interrupted, "playedMs") < number(&interrupted, "receivedMs") + 1.0);
    let cancelled = rec.wait("responseDone", |e| get(e, "status").as_string().as_deref() == Some("cancelled")).await;
    assert!(get(&cancelled, "responseId").is_string());
    assert!(rec.of("error").is_empty(), "{:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    session.stop_microphone();
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn gemini_tool_call_cancellation_aborts_the_handler() {
    // A handler that only ends when aborted.
    let handler = js_sys::Function::new_with_args(
        "args, ctx",
        "return new Promise((resolve, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));",
    );
    let tool = object(&[("name", "slow".into()), ("parameters", json(r#"{ "type": "object" }"#)), ("handler", handler.into())]);
    let options = json(r#"{ "outputModalities": ["text"], "audio": { "playback": false } }"#);
    js_sys::Reflect::set(&options, &"tools".into(), &js_sys::Array::of1(&tool)).unwrap();
    let session = gemini("", options).await;
    let rec = Recorder::attach(&session, &["toolCallStarted", "toolCallsCancelled", "toolCallCompleted", "error"]);
    JsFuture::from(session.send_text(r#"call slow {}"#.into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("toolCallStarted", |_| true).await;
    JsFuture::from(session.send_text("never mind".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("toolCallsCancelled", |_| true).await;
    let completed = rec.wait("toolCallCompleted", |_| true).await;
    assert_eq!(get(&completed, "cancelled").as_bool(), Some(true));
    JsFuture::from(session.close()).await.unwrap();
}

#[wasm_bindgen_test]
async fn gemini_close_codes_are_errors_then_a_close() {
    let session = gemini("emu_close_after=2&emu_close_code=1011&emu_close_reason=Internal%20error%20encountered.", json(r#"{ "outputModalities": ["text"], "audio": { "playback": false } }"#)).await;
    let rec = Recorder::attach(&session, &["error", "close"]);
    let _ = JsFuture::from(session.send_text("hi".into(), JsValue::UNDEFINED)).await;
    let close = rec.wait("close", |_| true).await;
    assert_eq!(number(&close, "code"), 1011.0);
    let e = rec.wait("error", |_| true).await;
    assert!(get(&get(&e, "error"), "message").as_string().unwrap().contains("1011"));
    assert_eq!(session.state(), "closed");
}

#[wasm_bindgen_test]
async fn gemini_go_away_resumes_transparently() {
    let session = gemini("emu_goaway_after_ms=1500", json(r#"{ "outputModalities": ["text"], "audio": { "playback": false } }"#)).await;
    let rec = Recorder::attach(&session, &["goAway", "reconnecting", "reconnected", "sessionCreated", "responseDone", "outputTextDone", "close", "error"]);
    JsFuture::from(session.send_text("remember the word marmalade".into(), JsValue::UNDEFINED)).await.unwrap();
    rec.wait("responseDone", |_| true).await;
    rec.wait("goAway", |_| true).await;
    rec.wait("reconnected", |_| true).await;
    assert_eq!(session.state(), "open");
    // The conversation goes on where it was: the resumed session still has the first turn.
    JsFuture::from(session.send_text("recap".into(), JsValue::UNDEFINED)).await.unwrap();
    let before = rec.of("outputTextDone").len();
    assert_eq!(before, 1);
    let recap = rec.wait("outputTextDone", |e| !js_sys::Object::is(e, &rec.of("outputTextDone")[0])).await;
    let text = get(&recap, "text").as_string().unwrap_or_default();
    web_sys::console::log_1(&format!("after resume: {text}").into());
    assert!(text.contains("marmalade") && text != get(&rec.of("outputTextDone")[0], "text").as_string().unwrap(), "{text}");
    assert_eq!(rec.of("reconnecting").len(), 1);
    assert!(rec.of("sessionCreated").is_empty(), "no second sessionCreated reaches the app");
    assert!(rec.of("close").is_empty() && rec.of("error").is_empty(), "{:?}", rec.of("error").iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// A Gemini client whose token provider counts its calls (`counted.calls`); every new connection
/// gets `knobs` again.
fn counting_gemini_client(knobs: &'static str) -> (RealtimeClient, JsValue) {
    let counted = js_sys::Function::new_with_args("inner", "const f = () => { f.calls++; return inner(); }; f.calls = 0; return f;")
        .call1(&JsValue::NULL, &token_provider("gemini", knobs))
        .unwrap();
    let client = RealtimeClient::new(object(&[("provider", "gemini".into()), ("token", counted.clone())])).unwrap();
    (client, counted)
}

/// Issue #12: a server that accepts every resumed connection and drops it (1006) after two frames
/// got 495 reconnects in 9 s, the token provider called each time and no error. Now the attempts
/// back off, stop at `maxAttempts`, and the app gets `reconnect_failed` and `close`.
#[wasm_bindgen_test]
async fn gemini_reconnect_storm_is_bounded_then_an_error_and_a_close() {
    UNHANDLED.with(|_| ());
    let (client, counted) = counting_gemini_client("emu_close_after=2");
    let options = json(r#"{ "outputModalities": ["text"], "audio": { "playback": false }, "reconnect": { "maxAttempts": 3, "maxDelayMs": 400 } }"#);
    let started = js_sys::Date::now();
    let session = JsFuture::from(client.connect(options)).await.unwrap().unchecked_into::<RealtimeSessionRef>().take();
    let rec = Recorder::attach(&session, &["reconnecting", "reconnected", "error", "close"]);
    let close = rec.wait("close", |_| true).await;
    let elapsed = js_sys::Date::now() - started;
    let attempts: Vec<f64> = rec.of("reconnecting").iter().map(|e| number(e, "attempt")).collect();
    let delays: Vec<f64> = rec.of("reconnecting").iter().map(|e| number(e, "delayMs")).collect();
    let calls = number(&counted, "calls");
    web_sys::console::log_1(
        &format!("storm: {} reconnects {attempts:?} after {delays:?} ms, {calls} token calls, closed after {elapsed:.0} ms", attempts.len()).into(),
    );
    assert_eq!(attempts, [1.0, 2.0, 3.0]);
    assert!(delays.iter().all(|d| (0.0..=400.0).contains(d)), "{delays:?}");
    assert_eq!(calls, attempts.len() as f64 + 1.0, "one credential per connection");
    let errors = rec.of("error");
    assert_eq!(errors.len(), 1, "{:?}", errors.iter().map(|e| js_sys::JSON::stringify(e).unwrap()).collect::<Vec<_>>());
    let error = get(&errors[0], "error");
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("reconnect_failed"));
    assert!(message_of(&error).contains("3 failed attempts"), "{}", message_of(&error));
    assert_eq!(number(&close, "code"), 1006.0);
    assert_eq!(session.state(), "closed");
    let e = JsFuture::from(session.send_text("too late".into(), JsValue::UNDEFINED)).await.unwrap_err();
    assert!(message_of(&e).contains("closed"), "{e:?}");
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// The connection was lost while the browser is offline: nothing is attempted (no delay, no
/// credential fetched, nothing counted) until `online`, which starts the held attempt at once.
async fn offline_holds_the_attempt_until_online(session: &RealtimeSession, rec: &Recorder, counted: &JsValue) {
    let window = web_sys::window().unwrap();
    let waiting = rec.wait("reconnecting", |_| true).await;
    assert!(get(&waiting, "delayMs").is_undefined(), "no delay while offline: {:?}", js_sys::JSON::stringify(&waiting));
    gloo_timers::future::TimeoutFuture::new(600).await;
    assert_eq!(rec.of("reconnecting").len(), 1, "nothing attempted while offline");
    assert_eq!(number(&counted, "calls"), 1.0, "no credential fetched while offline");
    assert_eq!(session.state(), "connecting");
    window.dispatch_event(&web_sys::Event::new("online").unwrap()).unwrap();
    let online = rec.wait("reconnecting", |e| get(e, "delayMs").as_f64() == Some(0.0)).await;
    assert_eq!(number(&online, "attempt"), 1.0, "the held attempt, not a new count");
    rec.wait("reconnected", |_| true).await;
}

/// The browser's `offline` event holds attempts (no token fetched, nothing counted); `online`
/// starts one at once.
#[wasm_bindgen_test]
async fn gemini_reconnect_waits_while_offline_and_goes_when_online() {
    UNHANDLED.with(|_| ());
    let (client, counted) = counting_gemini_client("emu_close_after=2");
    let options = json(r#"{ "outputModalities": ["text"], "audio": { "playback": false }, "reconnect": { "maxAttempts": 1, "maxDelayMs": 100 } }"#);
    let session = JsFuture::from(client.connect(options)).await.unwrap().unchecked_into::<RealtimeSessionRef>().take();
    // Open: the emulator drops the connection after its next frame; go offline before that.
    let window = web_sys::window().unwrap();
    window.dispatch_event(&web_sys::Event::new("offline").unwrap()).unwrap();
    let rec = Recorder::attach(&session, &["reconnecting", "reconnected", "error", "close"]);
    offline_holds_the_attempt_until_online(&session, &rec, &counted).await;
    // The resumed connection drops too: one attempt allowed, so the session gives up.
    rec.wait("close", |_| true).await;
    assert_eq!(number(&counted, "calls"), 2.0);
    assert_eq!(get(&get(&rec.of("error")[0], "error"), "code").as_string().as_deref(), Some("reconnect_failed"));
    assert_no_unhandled_rejections().await;
}

#[wasm_bindgen_test]
async fn a_hosted_worklet_and_an_audio_element_route_playback() {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("audio").unwrap();
    let audio = object(&[
        ("workletUrl", format!("{}/pkg/worklets/realtime-audio.js", emulator()).into()),
        ("outputElement", element.clone().into()),
    ]);
    let options = json(r#"{ "voiceActivityDetection": { "enabled": false } }"#);
    js_sys::Reflect::set(&options, &"audio".into(), &audio).unwrap();
    let session = connect("&emu_speed=4", options).await.unwrap();
    let rec = Recorder::attach(&session, &["playbackEnded", "error"]);
    JsFuture::from(session.send_text("a short spoken reply please".into(), JsValue::UNDEFINED)).await.unwrap();
    let ended = rec.wait("playbackEnded", |_| true).await;
    assert!(number(&ended, "playedMs") > 0.0);
    assert!(get(&element, "srcObject").is_instance_of::<web_sys::MediaStream>(), "playback goes through the <audio> element");
    assert!(rec.of("error").is_empty());
    JsFuture::from(session.close()).await.unwrap();
}

/// An output element whose `play()` the autoplay policy refused stays paused, whatever the context
/// does: `resumeAudio()` (the app's user gesture) plays it as well (before, it resumed only the
/// context, and the reply stayed silent). The refusal itself is a console warning, not an unhandled
/// rejection.
#[wasm_bindgen_test]
async fn resume_audio_plays_an_output_element_the_autoplay_policy_refused() {
    let document = web_sys::window().unwrap().document().unwrap();
    let element = document.create_element("audio").unwrap();
    // Refused the first time, as without a user gesture; played afterwards.
    js_sys::Function::new_with_args(
        "el",
        "const play = el.play.bind(el); let calls = 0; \
         el.play = () => ++calls === 1 ? Promise.reject(new DOMException('play() needs a user gesture', 'NotAllowedError')) : play(); \
         el.playCalls = () => calls;",
    )
    .call1(&JsValue::NULL, &element)
    .unwrap();
    let options = json(r#"{ "voiceActivityDetection": { "enabled": false } }"#);
    js_sys::Reflect::set(&options, &"audio".into(), &object(&[("outputElement", element.clone().into())])).unwrap();
    let session = connect("&emu_speed=4", options).await.unwrap();
    for _ in 0..100 {
        if get(&element, "srcObject").is_instance_of::<web_sys::MediaStream>() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    let calls = || js_sys::Reflect::get(&element, &"playCalls".into()).unwrap().unchecked_into::<js_sys::Function>().call0(&element).unwrap().as_f64().unwrap();
    assert_eq!(calls(), 1.0, "the playback graph asked the element to play once");
    assert_eq!(get(&element, "paused").as_bool(), Some(true), "refused: the element is paused");
    JsFuture::from(session.resume_audio()).await.unwrap();
    assert_eq!(calls(), 2.0);
    assert_eq!(get(&element, "paused").as_bool(), Some(false), "resumeAudio() played the element");
    // Resuming again does not ask a playing element to play.
    JsFuture::from(session.resume_audio()).await.unwrap();
    assert_eq!(calls(), 2.0);
    JsFuture::from(session.close()).await.unwrap();
    assert_no_unhandled_rejections().await;
}

/// The worklet module loads while the socket handshakes; a worklet that cannot load still fails
/// `connect()` with an error naming `audio.workletUrl`, and the socket opened meanwhile is closed.
#[wasm_bindgen_test]
async fn a_worklet_that_cannot_load_fails_connect_and_closes_the_socket() {
    watch_tracks_and_sockets();
    let options = json(r#"{ "voiceActivityDetection": { "enabled": false } }"#);
    let missing = format!("{}/no-such-worklet.js", emulator());
    js_sys::Reflect::set(&options, &"audio".into(), &object(&[("workletUrl", missing.into())])).unwrap();
    let e = connect("", options).await.err().expect("connect fails");
    assert!(message_of(&e).contains("options.audio.workletUrl"), "{}", message_of(&e));
    for _ in 0..100 {
        if last_socket_state() >= 2.0 {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
    assert!(last_socket_state() >= 2.0, "the socket is closing or closed, not {}", last_socket_state());
    assert_no_unhandled_rejections().await;
}

/// A playback worklet of an older version (an app serving its own copy through `workletUrl`)
/// cannot resample 16-bit audio: the oldest says no `ready` and starts with its reports; the
/// session-5 one looked for its table under `resampler` (it resampled floats), finds none and says
/// `resampling: false`. The main thread then resamples and warns once; the reply plays at the right
/// rate, to its last sample (an old worklet fed provider-rate audio would play it in half the time
/// at 48 kHz, and 16-bit samples read as floats are full-scale noise).
#[wasm_bindgen_test]
async fn an_older_hosted_worklet_gets_resampled_audio_and_a_warning() {
    let source = include_str!("../worklets/realtime-audio.js");
    let takes = "this.resampler = o.int16Resampler ? new Polyphase(o.int16Resampler) : null;";
    let says = "this.port.postMessage({ type: \"ready\", resampling: this.resampler !== null });";
    assert!(source.contains(takes) && source.contains(says), "the worklet changed shape: update this test");
    let oldest = source.replace(takes, "this.resampler = null;").replace(says, "");
    let session_5 = source.replace(takes, "this.resampler = o.resampler ? new Polyphase(o.resampler) : null;");
    for older in [oldest, session_5] {
        let url = js_sys::Function::new_with_args("text", "return URL.createObjectURL(new Blob([text], { type: 'text/javascript' }));")
            .call1(&JsValue::NULL, &older.into())
            .unwrap();
        let warnings = js_sys::Array::new();
        let capture = js_sys::Function::new_with_args(
            "list",
            "const warn = console.warn; console.warn = (...a) => { list.push(String(a[0])); warn.apply(console, a); }; return () => { console.warn = warn; };",
        );
        let restore = capture.call1(&JsValue::NULL, &warnings).unwrap().unchecked_into::<js_sys::Function>();
        let options = json(r#"{ "voiceActivityDetection": { "enabled": false } }"#);
        js_sys::Reflect::set(&options, &"audio".into(), &object(&[("workletUrl", url)])).unwrap();
        let session = connect("&emu_speed=4", options).await.unwrap();
        let rec = Recorder::attach(&session, &["playbackEnded", "outputLevel", "error"]);
        JsFuture::from(session.send_text("a short spoken reply please".into(), JsValue::UNDEFINED)).await.unwrap();
        let ended = rec.wait("playbackEnded", |_| true).await;
        restore.call0(&JsValue::NULL).unwrap();
        let (played, received) = (number(&ended, "playedMs"), number(&ended, "receivedMs"));
        assert!((played - received).abs() < 0.05 && received > 200.0, "played {played} of {received} ms");
        // Speech-level output, not the clipped full scale of 16-bit samples read as floats.
        let loudest = rec.of("outputLevel").iter().map(|e| number(e, "rms")).fold(0.0, f64::max);
        assert!(loudest > 0.01 && loudest < 0.7, "output RMS peaked at {loudest}");
        let said: Vec<String> = warnings.iter().filter_map(|w| w.as_string()).filter(|w| w.contains("cannot resample")).collect();
        assert_eq!(said.len(), 1, "{said:?}");
        assert!(rec.of("error").is_empty());
        JsFuture::from(session.close()).await.unwrap();
    }
}

#[path = "browser/faults.rs"]
mod faults;

#[path = "browser/g711.rs"]
mod g711;
#[path = "browser/barge_in.rs"]
mod barge_in;

#[path = "browser/resume.rs"]
mod resume;
