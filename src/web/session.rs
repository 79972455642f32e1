//! `RealtimeSession`: drives the sans-IO [`Session`] with a browser WebSocket, JS tool handlers,
//! JS events and an async iterator.
//!
//! Every input (app call, socket event, tool result, timer) becomes a [`Command`] and goes through
//! one [`Shell::pump`]: commands are applied while the session is borrowed, outputs are dispatched
//! to JS after the borrow is released. JS called back from a dispatch may call the session again: it
//! just queues a command, which the running pump picks up, so order is kept and nothing re-enters.
//! Closures hold the shell weakly, so dropping the session object frees everything; `close()`
//! releases the socket, timers and closures.

use super::convert::{describe_js_error, event_to_js, from_js, message_to_js, session_error, to_js};
use super::stream::MessageStream;
use crate::model::{ClientMessage, Tool};
use crate::session::{ConnectionState, Frame, Output, Session, SessionEvent, Ticket, Timer, ToolRun};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

pub(crate) enum Command {
    SocketOpened,
    Frame(FrameData),
    SocketClosed { code: u16, reason: String, was_clean: bool },
    Send(ClientMessage, Settle),
    RegisterTool(Tool, Settle),
    UnregisterTool(String, Settle),
    ToolFinished(String, Result<serde_json::Value, String>),
    Timer(Timer),
    Interrupt,
    Close,
}

pub(crate) enum FrameData {
    Text(String),
    Binary(Vec<u8>),
}

/// The resolve/reject pair of a pending JS promise.
pub(crate) struct Settle {
    resolve: js_sys::Function,
    reject: js_sys::Function,
}

/// What `connect()` waits for.
pub(crate) type OpenWaiter = Box<dyn FnOnce(Result<(), JsValue>)>;

pub(crate) struct Shell {
    session: RefCell<Session>,
    socket: WebSocket,
    commands: RefCell<VecDeque<Command>>,
    pumping: Cell<bool>,
    pending: RefCell<HashMap<Ticket, Settle>>,
    handlers: RefCell<HashMap<String, Vec<(js_sys::Function, bool)>>>,
    tool_handlers: RefCell<HashMap<String, js_sys::Function>>,
    aborts: RefCell<HashMap<String, web_sys::AbortController>>,
    stream: MessageStream,
    on_open: RefCell<Option<OpenWaiter>>,
    timers: RefCell<Vec<gloo_timers::callback::Timeout>>,
    socket_callbacks: RefCell<Vec<Closure<dyn FnMut(JsValue)>>>,
    provider: &'static str,
}

fn now() -> f64 {
    js_sys::Date::now()
}

impl Shell {
    pub(crate) fn start(
        session: Session,
        socket: WebSocket,
        tool_handlers: HashMap<String, js_sys::Function>,
        provider: &'static str,
        on_open: OpenWaiter,
    ) -> Rc<Shell> {
        socket.set_binary_type(BinaryType::Arraybuffer);
        let shell = Rc::new(Shell {
            session: RefCell::new(session),
            socket,
            commands: RefCell::new(VecDeque::new()),
            pumping: Cell::new(false),
            pending: RefCell::new(HashMap::new()),
            handlers: RefCell::new(HashMap::new()),
            tool_handlers: RefCell::new(tool_handlers),
            aborts: RefCell::new(HashMap::new()),
            stream: MessageStream::new(),
            on_open: RefCell::new(Some(on_open)),
            timers: RefCell::new(Vec::new()),
            socket_callbacks: RefCell::new(Vec::new()),
            provider,
        });
        shell.attach_socket();
        shell.pump(); // the session's first outputs (the connect timer)
        shell
    }

    fn attach_socket(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let on = |weak: Weak<Shell>, f: fn(&Rc<Shell>, JsValue)| {
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                if let Some(shell) = weak.upgrade() {
                    f(&shell, event);
                }
            })
        };
        let open = on(weak.clone(), |shell, _| shell.command(Command::SocketOpened));
        let message = on(weak.clone(), |shell, event| {
            let Ok(event) = event.dyn_into::<MessageEvent>() else { return };
            let data = event.data();
            let frame = match data.as_string() {
                Some(text) => FrameData::Text(text),
                None => FrameData::Binary(js_sys::Uint8Array::new(&data).to_vec()),
            };
            shell.command(Command::Frame(frame));
        });
        let close = on(weak.clone(), |shell, event| {
            let (code, reason, was_clean) = match event.dyn_into::<CloseEvent>() {
                Ok(e) => (e.code(), e.reason(), e.was_clean()),
                Err(_) => (1006, String::new(), false),
            };
            shell.command(Command::SocketClosed { code, reason, was_clean });
        });
        // `error` is always followed by `close`, which carries what there is to know.
        let error = on(weak, |_, _| {});
        self.socket.set_onopen(Some(open.as_ref().unchecked_ref()));
        self.socket.set_onmessage(Some(message.as_ref().unchecked_ref()));
        self.socket.set_onclose(Some(close.as_ref().unchecked_ref()));
        self.socket.set_onerror(Some(error.as_ref().unchecked_ref()));
        self.socket_callbacks.borrow_mut().extend([open, message, close, error]);
    }

    /// Queues an input and processes everything queued (unless a pump is already running, which
    /// will pick it up).
    pub(crate) fn command(self: &Rc<Self>, command: Command) {
        self.commands.borrow_mut().push_back(command);
        self.pump();
    }

    fn pump(self: &Rc<Self>) {
        if self.pumping.replace(true) {
            return;
        }
        loop {
            let outputs = {
                let Ok(mut session) = self.session.try_borrow_mut() else { break };
                while let Some(command) = self.commands.borrow_mut().pop_front() {
                    self.apply(&mut session, command);
                }
                std::iter::from_fn(|| session.poll_output()).collect::<Vec<_>>()
            };
            if outputs.is_empty() && self.commands.borrow().is_empty() {
                break;
            }
            for output in outputs {
                self.dispatch(output);
            }
        }
        self.pumping.set(false);
    }

    fn apply(&self, session: &mut Session, command: Command) {
        let t = now();
        match command {
            Command::SocketOpened => session.socket_opened(t),
            Command::Frame(FrameData::Text(text)) => session.frame_received(t, Frame::Text(&text)),
            Command::Frame(FrameData::Binary(bytes)) => session.frame_received(t, Frame::Binary(&bytes)),
            Command::SocketClosed { code, reason, was_clean } => session.socket_closed(t, code, &reason, was_clean),
            Command::Send(message, settle) => {
                let ticket = session.send(t, message);
                self.pending.borrow_mut().insert(ticket, settle);
            }
            Command::RegisterTool(tool, settle) => {
                let ticket = session.register_tool(t, tool);
                self.pending.borrow_mut().insert(ticket, settle);
            }
            Command::UnregisterTool(name, settle) => {
                let ticket = session.unregister_tool(t, &name);
                self.pending.borrow_mut().insert(ticket, settle);
            }
            Command::ToolFinished(call_id, outcome) => session.tool_finished(t, &call_id, outcome),
            Command::Timer(timer) => session.timer_fired(t, timer),
            Command::Interrupt => session.interrupt(t),
            Command::Close => session.close(t),
        }
    }

    fn dispatch(self: &Rc<Self>, output: Output) {
        match output {
            Output::Transmit(frame) => {
                if self.socket.send_with_str(&frame).is_err() {
                    web_sys::console::warn_1(&"realtime-wasm: the socket refused a frame".into());
                }
            }
            Output::Message(message) => {
                let value = message_to_js(&message);
                self.emit(message.kind(), &value);
                self.stream.push(value);
            }
            Output::Event(event) => self.on_event(event),
            Output::RunTool(run) => self.run_tool(run),
            Output::CancelTool { call_id } => {
                if let Some(controller) = self.aborts.borrow_mut().remove(&call_id) {
                    controller.abort();
                }
            }
            Output::Settled { ticket, result } => {
                if let Some(settle) = self.pending.borrow_mut().remove(&ticket) {
                    let _ = match result {
                        Ok(()) => settle.resolve.call0(&JsValue::UNDEFINED),
                        Err(e) => settle.reject.call1(&JsValue::UNDEFINED, &session_error(&e)),
                    };
                }
            }
            Output::ArmTimer { timer, at_ms } => {
                let weak = Rc::downgrade(self);
                let delay = (at_ms - now()).clamp(0.0, u32::MAX as f64) as u32;
                let handle = gloo_timers::callback::Timeout::new(delay, move || {
                    if let Some(shell) = weak.upgrade() {
                        shell.command(Command::Timer(timer));
                    }
                });
                self.timers.borrow_mut().push(handle);
            }
            // The audio engine is not wired yet (sessions start with `playback: false`).
            Output::PlayAudio { .. } | Output::StopPlayback { .. } => {}
            Output::CloseSocket { code, reason } => {
                let _ = self.socket.close_with_code_and_reason(code, &reason);
            }
        }
    }

    fn on_event(self: &Rc<Self>, event: SessionEvent) {
        let value = event_to_js(&event);
        match &event {
            SessionEvent::StateChange { state: ConnectionState::Open, .. } => {
                if let Some(waiter) = self.on_open.borrow_mut().take() {
                    waiter(Ok(()));
                }
            }
            SessionEvent::Close { code, reason, .. } => {
                if let Some(waiter) = self.on_open.borrow_mut().take() {
                    let detail = if reason.is_empty() { String::new() } else { format!(": {reason}") };
                    let e = js_sys::Error::new(&format!("connection failed (code {code}{detail})"));
                    let _ = js_sys::Reflect::set(&e, &"code".into(), &"connection_failed".into());
                    waiter(Err(e.into()));
                }
            }
            _ => {}
        }
        self.emit(event.kind(), &value);
        if matches!(event, SessionEvent::Close { .. }) {
            self.release();
        }
    }

    /// After the close: the stream ends, timers and socket callbacks go, running tools are aborted.
    fn release(&self) {
        self.stream.end();
        self.timers.borrow_mut().clear();
        for (_, controller) in self.aborts.borrow_mut().drain() {
            controller.abort();
        }
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        self.socket.set_onerror(None);
        self.socket_callbacks.borrow_mut().clear();
    }

    fn emit(&self, kind: &str, value: &JsValue) {
        let handlers: Vec<js_sys::Function> = {
            let mut map = self.handlers.borrow_mut();
            let Some(list) = map.get_mut(kind) else { return };
            let snapshot = list.iter().map(|(f, _)| f.clone()).collect();
            list.retain(|(_, once)| !once);
            snapshot
        };
        for handler in handlers {
            if let Err(e) = handler.call1(&JsValue::UNDEFINED, value) {
                // An app handler's exception must not stop the others (nor the session).
                web_sys::console::error_2(&format!("realtime-wasm: a {kind} handler threw:").into(), &e);
            }
        }
    }

    fn run_tool(self: &Rc<Self>, run: ToolRun) {
        let handler = self.tool_handlers.borrow().get(&run.name).cloned();
        let Some(handler) = handler else {
            self.command(Command::ToolFinished(run.call_id, Err(format!("no handler registered for {}", run.name))));
            return;
        };
        let controller = web_sys::AbortController::new().ok();
        let context = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&context, &"callId".into(), &run.call_id.as_str().into());
        let _ = js_sys::Reflect::set(&context, &"name".into(), &run.name.as_str().into());
        if let Some(c) = &controller {
            let _ = js_sys::Reflect::set(&context, &"signal".into(), &c.signal());
            self.aborts.borrow_mut().insert(run.call_id.clone(), c.clone());
        }
        let returned = handler.call2(&JsValue::UNDEFINED, &to_js(&run.arguments), &context);
        let weak = Rc::downgrade(self);
        let call_id = run.call_id;
        wasm_bindgen_futures::spawn_local(async move {
            let settled = match returned {
                Ok(value) => wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&value)).await,
                Err(thrown) => Err(thrown),
            };
            let outcome = match settled {
                Ok(value) if value.is_undefined() => Ok(serde_json::Value::Null),
                Ok(value) => serde_wasm_bindgen::from_value(value).map_err(|e| format!("the result is not JSON-like: {e}")),
                Err(thrown) => Err(describe_js_error(&thrown)),
            };
            if let Some(shell) = weak.upgrade() {
                shell.aborts.borrow_mut().remove(&call_id);
                shell.command(Command::ToolFinished(call_id, outcome));
            }
        });
    }
}

/// A live session. Every server message type and SDK event can be listened to with `on`.
#[wasm_bindgen]
pub struct RealtimeSession {
    shell: Rc<Shell>,
}

impl RealtimeSession {
    pub(crate) fn new(shell: Rc<Shell>) -> Self {
        RealtimeSession { shell }
    }

    /// A promise settled when the session has handled `command` (built with its `Settle`).
    fn settled(&self, make: impl FnOnce(Settle) -> Command) -> js_sys::Promise {
        let shell = self.shell.clone();
        let mut make = Some(make);
        js_sys::Promise::new(&mut |resolve, reject| {
            if let Some(make) = make.take() {
                shell.command(make(Settle { resolve, reject }));
            }
        })
    }
}

fn rejected(error: JsValue) -> js_sys::Promise {
    js_sys::Promise::reject(&error)
}

#[wasm_bindgen]
impl RealtimeSession {
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.shell.session.try_borrow().map(|s| s.state().name()).unwrap_or("open").to_owned()
    }

    /// The effective options (server-reported; the app's tools kept).
    #[wasm_bindgen(getter)]
    pub fn options(&self) -> JsValue {
        self.shell.session.try_borrow().map(|s| to_js(s.options())).unwrap_or(JsValue::UNDEFINED)
    }

    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.shell.provider.to_owned()
    }

    /// Sends any neutral client message; resolves when it is handed to the socket.
    pub fn send(&self, message: JsValue) -> js_sys::Promise {
        match from_js::<ClientMessage>(message, "message") {
            Ok(message) => self.settled(|settle| Command::Send(message, settle)),
            Err(e) => rejected(e),
        }
    }

    /// A user text item, then a response unless `{ createResponse: false }`.
    #[wasm_bindgen(js_name = sendText)]
    pub fn send_text(&self, text: JsValue, options: JsValue) -> js_sys::Promise {
        let Some(text) = text.as_string() else { return rejected(super::convert::type_error("text must be a string")) };
        let create = match super::convert::optional_bool(&options, "createResponse", "options") {
            Ok(flag) => flag.unwrap_or(true),
            Err(e) => return rejected(e),
        };
        let promises = js_sys::Array::new();
        for message in crate::session::text_turn(&text, create) {
            promises.push(&self.settled(|settle| Command::Send(message, settle)));
        }
        let all = js_sys::Promise::all(&promises);
        wasm_bindgen_futures::future_to_promise(async move {
            wasm_bindgen_futures::JsFuture::from(all).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    #[wasm_bindgen(js_name = createResponse)]
    pub fn create_response(&self, overrides: JsValue) -> js_sys::Promise {
        let object = if overrides.is_undefined() || overrides.is_null() { js_sys::Object::new().into() } else { overrides };
        if !object.is_object() {
            return rejected(super::convert::type_error("overrides must be an object"));
        }
        let copy = js_sys::Object::assign(&js_sys::Object::new(), object.unchecked_ref());
        let _ = js_sys::Reflect::set(&copy, &"type".into(), &"createResponse".into());
        self.send(copy.into())
    }

    #[wasm_bindgen(js_name = cancelResponse)]
    pub fn cancel_response(&self, response_id: Option<String>) -> js_sys::Promise {
        self.settled(|settle| Command::Send(ClientMessage::CancelResponse { message_id: None, response_id }, settle))
    }

    /// `sessionUpdate` with these options.
    pub fn update(&self, options: JsValue) -> js_sys::Promise {
        match from_js(options, "options") {
            Ok(options) => self.settled(|settle| Command::Send(ClientMessage::SessionUpdate { message_id: None, options }, settle)),
            Err(e) => rejected(e),
        }
    }

    /// Declares a function tool to the model and runs `tool.handler` when it is called.
    #[wasm_bindgen(js_name = registerTool)]
    pub fn register_tool(&self, tool: JsValue) -> js_sys::Promise {
        let (declaration, handler) = match super::client::function_tool(&tool, "tool") {
            Ok(parsed) => parsed,
            Err(e) => return rejected(e),
        };
        let Some(handler) = handler else { return rejected(super::convert::type_error("tool.handler must be a function")) };
        self.shell.tool_handlers.borrow_mut().insert(declaration.name().to_owned(), handler);
        self.settled(|settle| Command::RegisterTool(declaration, settle))
    }

    #[wasm_bindgen(js_name = unregisterTool)]
    pub fn unregister_tool(&self, name: String) -> js_sys::Promise {
        self.shell.tool_handlers.borrow_mut().remove(&name);
        self.settled(|settle| Command::UnregisterTool(name, settle))
    }

    /// Cancels the response in progress and any running tool handlers.
    pub fn interrupt(&self) {
        self.shell.command(Command::Interrupt);
    }

    /// Listens to a server message type or an SDK event (`stateChange`, `error`, `close`,
    /// `toolCallStarted`, `toolCallCompleted`).
    pub fn on(&self, kind: String, handler: js_sys::Function) {
        self.listen(kind, handler, false);
    }

    pub fn once(&self, kind: String, handler: js_sys::Function) {
        self.listen(kind, handler, true);
    }

    pub fn off(&self, kind: String, handler: js_sys::Function) {
        if let Some(list) = self.shell.handlers.borrow_mut().get_mut(&kind) {
            list.retain(|(f, _)| !js_sys::Object::is(f, &handler));
        }
    }

    fn listen(&self, kind: String, handler: js_sys::Function, once: bool) {
        self.shell.handlers.borrow_mut().entry(kind).or_default().push((handler, once));
    }

    /// The server messages as an async iterator (the seed's `GetStreamingResponseAsync`). One
    /// consumer at a time; it ends when the session closes.
    pub fn messages(&self) -> Result<JsValue, JsValue> {
        self.shell.stream.consumer()
    }

    /// Closes the session (idempotent); resolves once the socket is closed.
    pub fn close(&self) -> js_sys::Promise {
        let shell = self.shell.clone();
        js_sys::Promise::new(&mut |resolve, _reject| {
            let closed = shell.session.try_borrow().map(|s| s.state() == ConnectionState::Closed).unwrap_or(false);
            if closed {
                let _ = resolve.call0(&JsValue::UNDEFINED);
                return;
            }
            shell.handlers.borrow_mut().entry("close".into()).or_default().push((resolve, true));
            shell.command(Command::Close);
        })
    }
}
