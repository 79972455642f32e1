//! Browser tests (`wasm-pack test --headless --chrome -- --test browser`): the wasm build in headless
//! Chromium, against the protocol emulator the test command starts (`RTW_EMULATOR`, baked in at
//! build time).
#![cfg(target_arch = "wasm32")]

use futures::channel::oneshot;
use realtime_wasm::model::ServerMessage;
use realtime_wasm::provider::{Codec, ConnectConfig, OpenAiCodec};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

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
