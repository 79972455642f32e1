//! `RealtimeSession` (the seed's `IRealtimeClientSession`): the JS class over a [`Driver`]. Each
//! method checks the app's arguments (a `TypeError`/`RangeError` naming the field) and hands the
//! driver a command; promises settle when the session has handled it.
//!
//! Must never: hold state of its own (the driver and the session do) — dropping the object
//! (`free()`, `using`, garbage collection) shuts the driver down.

use crate::prelude::*;
use super::CellBorrow;
use super::audio::AudioEngine;
use super::convert::{as_string, from_js_noting_unknown, to_js};
use super::driver::{new_settle, rejected, when_settled, Command, Driver};
use super::microphone;
use crate::model::ClientMessage;
use crate::session::ConnectionState;
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// A live session. Every server message type and SDK event can be listened to with `on`.
#[wasm_bindgen]
pub struct RealtimeSession {
    driver: Rc<Driver>,
}

/// `free()`, `[Symbol.dispose]` (`using`) and the garbage collector's finalizer all end here: a
/// session the app no longer holds must not keep a socket or a microphone open.
impl Drop for RealtimeSession {
    fn drop(&mut self) {
        self.driver.shut_down();
    }
}

impl RealtimeSession {
    pub(crate) fn new(driver: Rc<Driver>) -> Self {
        RealtimeSession { driver }
    }

    /// Attaches the stream `stream` resolves to (both microphone entry points).
    fn attach(&self, stream: js_sys::Promise, owned: bool) -> js_sys::Promise {
        // Held weakly across the permission prompt: a session dropped meanwhile is not kept alive.
        let driver = Rc::downgrade(&self.driver);
        let (promise, settle) = new_settle();
        when_settled(&stream, move |stream| match stream {
            Ok(stream) => microphone::attach(driver, stream.unchecked_into(), owned, settle),
            Err(e) => settle.reject(&e),
        });
        promise
    }

    /// A promise settled when the session has sent `message` (handed it to the socket).
    fn sent(&self, message: ClientMessage) -> js_sys::Promise {
        let (promise, settle) = new_settle();
        self.driver.command(Command::Send(message, settle));
        promise
    }

    /// A promise settled (with nothing) when the session has sent all of `messages`.
    fn sent_all(&self, messages: Vec<ClientMessage>) -> js_sys::Promise {
        // Folded pairwise (no JS array built in Rust): all(all(…, first), second).
        let mut all = resolved();
        for message in messages {
            all = all_done(&all, &self.sent(message));
        }
        all
    }
}

// `Promise.all([first, second]).then(() => {})`: the d.ts says `Promise<void>` (two Rust futures
// did this before, at ~0.35 kB of wasm). Two values, not an array: no `Array` imports.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = allDone)]
    pub(super) fn all_done(first: &JsValue, second: &JsValue) -> js_sys::Promise;
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `createResponse(overrides)`'s message: a copy of the overrides (`undefined`/`null`: none)
    /// as a `createResponse`; a `TypeError` when they are no object or cannot be read.
    #[wasm_bindgen(catch, js_name = responseOverrides)]
    fn response_overrides(overrides: &JsValue) -> Result<JsValue, JsValue>;
}

/// A promise resolved with nothing (through `allDone`: no `Promise.resolve` import).
fn resolved() -> js_sys::Promise {
    all_done(&JsValue::UNDEFINED, &JsValue::UNDEFINED)
}

/// An event (or tool) name as `on`/`once`/`off` (`unregisterTool`) take it: a `JsValue`, not a
/// `String` parameter (whose wasm-bindgen glue encodes it in JS, per method); a non-string names
/// nothing.
fn event_name(kind: JsValue) -> String {
    as_string(&kind).unwrap_or_default()
}

#[wasm_bindgen]
impl RealtimeSession {
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> JsValue {
        // A JS string made from the `&str` (a `String` return would be copied into one first).
        JsValue::from_str(self.driver.session.try_borrow().map(|s| s.state().name()).unwrap_or("open"))
    }

    /// The effective options (server-reported; the app's tools kept).
    #[wasm_bindgen(getter)]
    pub fn options(&self) -> JsValue {
        self.driver.session.try_borrow().map(|s| to_js(s.options())).unwrap_or(JsValue::UNDEFINED)
    }

    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> JsValue {
        JsValue::from_str(self.driver.provider)
    }

    /// What the session holds right now, for leak checks in long sessions: each count stays
    /// bounded however long the session runs (`conversationItems` by the view's 1,000 newest items).
    #[wasm_bindgen(getter)]
    pub fn diagnostics(&self) -> JsValue {
        self.driver.diagnostics()
    }

    /// Sends any neutral client message; resolves when it is handed to the socket.
    pub fn send(&self, message: JsValue) -> js_sys::Promise {
        match from_js_noting_unknown::<ClientMessage>(message, "message") {
            Ok(message) => self.sent(message),
            Err(e) => rejected(e),
        }
    }

    /// A user text item, then a response unless `{ createResponse: false }`.
    #[wasm_bindgen(js_name = sendText)]
    pub fn send_text(&self, text: JsValue, options: JsValue) -> js_sys::Promise {
        let Some(text) = as_string(&text) else { return rejected(super::convert::type_error("text must be a string")) };
        let create = match super::convert::create_response_option(&options) {
            Ok(flag) => flag.unwrap_or(true),
            Err(e) => return rejected(e),
        };
        self.sent_all(crate::session::text_turn(&text, create))
    }

    #[wasm_bindgen(js_name = createResponse)]
    pub fn create_response(&self, overrides: JsValue) -> js_sys::Promise {
        match response_overrides(&overrides) {
            Ok(message) => self.send(message),
            Err(e) => rejected(e),
        }
    }

    #[wasm_bindgen(js_name = cancelResponse)]
    pub fn cancel_response(&self, response_id: JsValue) -> js_sys::Promise {
        // Not a string: a mistake (a response object?), not "whatever response is active".
        if !(response_id.is_undefined() || response_id.is_null() || response_id.is_string()) {
            return rejected(super::convert::type_error("responseId must be a string"));
        }
        self.sent(ClientMessage::CancelResponse { message_id: None, response_id: as_string(&response_id) })
    }

    /// `sessionUpdate` with these options.
    pub fn update(&self, options: JsValue) -> js_sys::Promise {
        match from_js_noting_unknown(options, "options") {
            Ok(options) => self.sent(ClientMessage::SessionUpdate { message_id: None, options }),
            Err(e) => rejected(e),
        }
    }

    /// Declares a function tool to the model and runs `tool.handler` when it is called.
    #[wasm_bindgen(js_name = registerTool)]
    pub fn register_tool(&self, tool: JsValue) -> js_sys::Promise {
        let (declaration, handler) = match super::convert::function_tool(&tool, "tool") {
            Ok(parsed) => parsed,
            Err(e) => return rejected(e),
        };
        let Some(handler) = handler else { return rejected(super::convert::type_error("tool.handler must be a function")) };
        self.driver.tool_handlers.mutable().insert(declaration.name().to_owned(), handler);
        let (promise, settle) = new_settle();
        self.driver.command(Command::RegisterTool(declaration, settle));
        promise
    }

    #[wasm_bindgen(js_name = unregisterTool)]
    pub fn unregister_tool(&self, name: JsValue) -> js_sys::Promise {
        // A non-string names no tool: nothing is unregistered (as for an unknown name).
        let name = event_name(name);
        self.driver.tool_handlers.mutable().remove(&name);
        let (promise, settle) = new_settle();
        self.driver.command(Command::UnregisterTool(name, settle));
        promise
    }

    /// Cancels the response in progress and any running tool handlers.
    pub fn interrupt(&self) {
        self.driver.command(Command::Interrupt);
    }

    /// Listens to a server message type or an SDK event (`stateChange`, `error`, `close`,
    /// `toolCallStarted`, `toolCallCompleted`).
    pub fn on(&self, kind: JsValue, handler: js_sys::Function) {
        self.driver.listen(event_name(kind), handler, false);
    }

    pub fn once(&self, kind: JsValue, handler: js_sys::Function) {
        self.driver.listen(event_name(kind), handler, true);
    }

    pub fn off(&self, kind: JsValue, handler: js_sys::Function) {
        self.driver.unlisten(&event_name(kind), &handler);
    }

    /// The server messages as an async iterator (the seed's `GetStreamingResponseAsync`). One
    /// consumer at a time; it ends when the session closes.
    pub fn messages(&self) -> Result<JsValue, JsValue> {
        self.driver.stream.consumer()
    }

    /// Captures the microphone (`getUserMedia`, echo cancellation, noise suppression and gain
    /// control on unless turned off) and streams it to the provider.
    #[wasm_bindgen(js_name = startMicrophone)]
    pub fn start_microphone(&self, options: JsValue) -> js_sys::Promise {
        match super::audio::request_microphone(&options) {
            Ok(stream) => self.attach(stream, true),
            Err(e) => rejected(e),
        }
    }

    /// Streams an app-owned `MediaStream` (never stopped by the SDK).
    #[wasm_bindgen(js_name = attachMicrophoneStream)]
    pub fn attach_microphone_stream(&self, stream: JsValue) -> js_sys::Promise {
        if !super::audio::is_a(&stream, "MediaStream") {
            return rejected(super::convert::type_error("stream must be a MediaStream"));
        }
        // `whenSettled` takes a value as `await` does: the stream itself.
        self.attach(stream.unchecked_into(), false)
    }

    /// Stops capturing. A turn the user was in the middle of (server turn detection) is committed
    /// and answered, not left open: no more audio would ever end it.
    #[wasm_bindgen(js_name = stopMicrophone)]
    pub fn stop_microphone(&self) {
        let attached = self.driver.audio.mutable().as_mut().is_some_and(|engine| engine.detach_microphone());
        if attached {
            self.driver.command(Command::MicrophoneStopped);
        }
    }

    /// While muted the microphone stays open but nothing is sent.
    #[wasm_bindgen(getter)]
    pub fn muted(&self) -> bool {
        self.driver.audio.shared().as_ref().is_some_and(|e| e.muted)
    }

    #[wasm_bindgen(setter)]
    pub fn set_muted(&self, muted: bool) {
        if let Some(engine) = self.driver.audio.mutable().as_mut() {
            engine.muted = muted;
        }
    }

    #[wasm_bindgen(getter, js_name = outputVolume)]
    pub fn output_volume(&self) -> f32 {
        self.driver.audio.shared().as_ref().map_or(1.0, AudioEngine::volume)
    }

    #[wasm_bindgen(setter, js_name = outputVolume)]
    pub fn set_output_volume(&self, volume: f32) {
        if let Some(engine) = self.driver.audio.shared().as_ref() {
            engine.set_volume(if volume.is_finite() { volume.clamp(0.0, 4.0) } else { 1.0 });
        }
    }

    /// Resumes audio after the browser's autoplay policy suspended it (call from a user gesture).
    #[wasm_bindgen(js_name = resumeAudio)]
    pub fn resume_audio(&self) -> js_sys::Promise {
        self.driver.audio.shared().as_ref().map_or_else(resolved, |engine| engine.resume(false))
    }

    /// Manual turns: commits the audio sent so far and, unless `{ createResponse: false }`, asks for
    /// a response (only when voice activity detection is off: with it, the server decides).
    #[wasm_bindgen(js_name = commitAudio)]
    pub fn commit_audio(&self, options: JsValue) -> js_sys::Promise {
        let vad = self.driver.session.try_borrow().map(|s| s.options().voice_activity_detection.as_ref().is_none_or(|v| v.enabled)).unwrap_or(true);
        let create = match super::convert::create_response_option(&options) {
            Ok(flag) => flag.unwrap_or(!vad),
            Err(e) => return rejected(e),
        };
        self.sent_all(crate::session::then_response(ClientMessage::InputAudioBufferCommit { message_id: None }, create))
    }

    /// Closes the session (idempotent); resolves once the socket is closed.
    pub fn close(&self) -> js_sys::Promise {
        let closed = self.driver.session.try_borrow().map(|s| s.state() == ConnectionState::Closed).unwrap_or(false);
        if closed {
            return resolved();
        }
        // The promise of `new_settle` (one `Promise::new` closure type in the package), resolved by
        // a `close` listener.
        let (promise, settle) = new_settle();
        if let Some(resolve) = settle.into_listener() {
            self.driver.listen("close".into(), resolve, true);
        }
        self.driver.command(Command::Close);
        promise
    }
}
