//! The driver: runs the sans-IO [`Session`] against the browser — its WebSocket, timers, JS tool
//! handlers, the audio engine's worklets, JS listeners and the async message stream.
//!
//! Every input (app call, socket event, tool result, timer, worklet message) becomes a [`Command`]
//! and goes through one [`Driver::pump`]: commands are applied while the session is borrowed,
//! outputs are dispatched to JS after the borrow is released. JS called back from a dispatch may
//! call the session again: it just queues a command, which the running pump picks up, so order is
//! kept and nothing re-enters. Closures hold the driver weakly, so dropping the session object frees
//! everything; `close()` releases the socket, timers and closures.
//!
//! Owns everything the session acquires in the page (socket, timers, listeners, audio engine).
//! Must never: decide anything about the protocol or the conversation (the session does), or
//! parse the app's options (`connect_options`).

use crate::prelude::*;
use crate::text::text;
use super::CellBorrow;
use super::audio::{AudioEngine, AudioOptions, WorkletMessage};
use super::connector::Connector;
use super::convert::{as_string, describe_js_error, event_to_js, frame_from_js, from_js, message_to_js, session_error, to_js};
use super::network::NetworkWatch;
use super::stream::MessageStream;
use crate::json::{Json, JsonValue};
use crate::model::{Base64Data, ClientMessage, Tool};
use crate::session::{CloseCode, ConnectionState, ErrorCode, FrameBuf, Output, Session, SessionEvent, Ticket, Timer, ToolRun, VecMap};
use core::cell::{Cell, RefCell};
use alloc::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::WebSocket;

pub(crate) enum Command {
    SocketOpened,
    Frame(FrameBuf),
    /// A frame over the size limit, dropped before it was copied in.
    FrameRefused(usize),
    SocketClosed { code: u16, reason: String, was_clean: bool },
    Send(ClientMessage, Settle),
    RegisterTool(Tool, Settle),
    UnregisterTool(String, Settle),
    ToolFinished(String, Result<JsonValue, String>),
    Timer(Timer),
    /// The browser went online (`true`) or offline.
    NetworkChanged(bool),
    Interrupt,
    Close,
    /// Microphone audio for the provider (PCM16 at its input rate).
    AppendAudio(Vec<u8>),
    /// Playback of an item: ms rendered, the worklet's underrun count, ms queued.
    PlaybackPosition(String, f64, u32, f64),
    /// The microphone's level (0–1 meter), when it is not muted.
    InputLevel(f64),
    MicrophoneStopped,
    PlaybackStopped(String, f64),
    /// The microphone's voice detector: the user started (`true`) or stopped speaking.
    LocalSpeech(bool),
}

/// What settles a pending JS promise (`platform.js`'s `[promise, resolve, reject]`). Never dropped
/// unsettled: a promise the app (or `connect()`) awaits must not hang, so dropping one rejects it.
pub(crate) struct Settle(Option<js_sys::Array>);

impl Drop for Settle {
    fn drop(&mut self) {
        if let Some(parts) = self.0.take() {
            settle(&parts, false, &super::convert::error(ErrorCode::SessionClosed, "the session ended before this settled"));
        }
    }
}

impl Settle {
    pub(crate) fn resolve(mut self, value: &JsValue) {
        if let Some(parts) = self.0.take() {
            settle(&parts, true, value);
        }
    }

    pub(crate) fn reject(mut self, error: &JsValue) {
        if let Some(parts) = self.0.take() {
            settle(&parts, false, error);
        }
    }

    pub(crate) fn settle(self, result: Result<JsValue, JsValue>) {
        match result {
            Ok(value) => self.resolve(&value),
            Err(e) => self.reject(&e),
        }
    }

    /// A listener that resolves the promise with nothing (the d.ts says `Promise<void>`), not with
    /// the event it is called with.
    pub(crate) fn into_listener(mut self) -> Option<js_sys::Function> {
        self.0.take().map(|parts| resolver(&parts))
    }
}

/// A new pending promise and what settles it. Made in `platform.js`: a `Promise::new` executor is a
/// closure type of its own in the wasm and the glue.
pub(crate) fn new_settle() -> (js_sys::Promise, Settle) {
    let parts = deferred();
    (parts.get(0).unchecked_into(), Settle(Some(parts)))
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `[promise, resolve, reject]`.
    fn deferred() -> js_sys::Array;
    /// Resolves (`fulfilled`) or rejects the promise of `deferred()`'s `parts` with `value`.
    fn settle(parts: &js_sys::Array, fulfilled: bool, value: &JsValue);
    /// `() => resolve()`.
    fn resolver(parts: &js_sys::Array) -> js_sys::Function;
}

/// A promise rejected with `error` (the one way the SDK makes promises: no `Promise.reject` import).
pub(crate) fn rejected(error: JsValue) -> js_sys::Promise {
    let (promise, settle) = new_settle();
    settle.reject(&error);
    promise
}

/// Calls `then` with the outcome of `promise` once it settles (from the promise's reaction, never
/// synchronously). The SDK's one way to wait: Rust futures brought an executor, its queue and a
/// state machine per `async fn` into the package (3.3 kB gzipped, measured when they went).
pub(crate) fn when_settled(promise: &js_sys::Promise, then: impl FnOnce(Result<JsValue, JsValue>) + 'static) {
    when_settled_boxed(promise, Box::new(then));
}

/// The driver's one closure type (every callback JS makes into the driver): each closure signature
/// has glue of its own in the wasm and in JS.
pub(super) type Callback = Closure<dyn FnMut(JsValue)>;

/// What [`when_settled`] calls.
type Then = Box<dyn FnOnce(Result<JsValue, JsValue>)>;

/// [`when_settled`] in one non-generic copy. One reaction of the driver's closure type, handed to
/// JS whole (`into_js_value`): the promise holds it (through `whenSettled` in `platform.js`, which
/// calls it with `[fulfilled, value]`), and wasm-bindgen frees it once the garbage collector takes
/// its function (`forget` would have kept it, and its table slot, for good: one per tool run,
/// connect and reconnect). A promise that never settles is collected with it, and `then`'s
/// `Settle` rejects as it drops: nothing waits forever.
#[inline(never)]
fn when_settled_boxed(promise: &js_sys::Promise, then: Then) {
    let mut then = Some(then);
    let reaction = Callback::new(move |outcome: JsValue| {
        let outcome: &js_sys::Array = outcome.unchecked_ref();
        if let Some(then) = then.take() {
            let value = outcome.get(1);
            then(if outcome.get(0).as_bool() == Some(true) { Ok(value) } else { Err(value) });
        }
    });
    when_settled_js(promise, &reaction.into_js_value());
}

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// Calls `reaction([fulfilled, value])` once `promise` settles.
    #[wasm_bindgen(js_name = whenSettled)]
    fn when_settled_js(promise: &js_sys::Promise, reaction: &JsValue);
}

pub(crate) struct Driver {
    pub(super) session: RefCell<Session>,
    socket: RefCell<WebSocket>,
    /// How to open a new connection (fresh credential included) when the session resumes.
    connector: Connector,
    /// Queued inputs, in order. Each round of the pump takes them whole: not borrowed while they
    /// are applied, since app middleware runs then and may call the session (queueing more, for
    /// the next round). A `Vec`, not a `VecDeque`, whose ring code the package carried for this
    /// one queue (0.3 kB gzipped).
    commands: RefCell<Vec<Command>>,
    pumping: Cell<bool>,
    /// The promises awaiting their ticket's `Output::Settled`. Tickets are unique (the session
    /// numbers them): a list pushed to, not a map (whose insert looks for the key first).
    pending: RefCell<Vec<(Ticket, Settle)>>,
    /// The app's `on`/`once` listeners (in `platform.js`), and how many each event name has: the
    /// counts answer "does anyone listen?" without a boundary crossing per message.
    listeners: Listeners,
    listened: RefCell<VecMap<String, u32>>,
    pub(super) tool_handlers: RefCell<VecMap<String, js_sys::Function>>,
    aborts: RefCell<VecMap<String, web_sys::AbortController>>,
    pub(super) stream: MessageStream,
    /// What `connect()` waits for: settled when the session opens or ends first.
    on_open: RefCell<Option<Settle>>,
    /// One slot per [`Timer`] kind ([`timer_slot`]): re-arming a kind replaces (and so cancels)
    /// its previous timeout, so they never outgrow the kinds however long the session runs.
    timers: RefCell<[Option<Timeout>; 3]>,
    /// The current socket's `message` handler (its `open` and `close` go to the page callback).
    socket_callbacks: RefCell<Option<Callback>>,
    /// Counts reconnect attempts: a credential that arrives for a superseded attempt is dropped.
    attempt: Cell<u32>,
    /// Between `Output::Reconnect` and the new socket (the token provider is being asked): there is
    /// no socket to close.
    opening: Cell<bool>,
    /// `online`/`offline` listeners, removed when the session is released.
    network: RefCell<Option<NetworkWatch>>,
    pub(super) provider: &'static str,
    pub(super) audio: RefCell<Option<AudioEngine>>,
    /// The app's `audio` options of a session opened without playback, for the engine its first
    /// microphone makes (the app's context, worklet URL and chunk size hold for it too).
    pub(super) capture_options: RefCell<Option<AudioOptions>>,
    /// Receives the timers, the network watch, the socket's `open` and `close` and both worklets'
    /// port messages ([`Driver::page_callback`]).
    page_callback: RefCell<Option<Callback>>,
    /// The armed post of the held playback audio (see [`Driver::arm_post_held`]) and when it fires.
    post_held_timeout: Cell<Option<(i32, f64)>>,
    playback_blocked_reported: Cell<bool>,
    max_frame_bytes: usize,
    /// `options.rawFrames`: message objects carry `rawFrame`, the frame being handled (as text).
    raw_frames: bool,
    frame_text: RefCell<Option<JsValue>>,
    /// Set once everything is released (the app closed or dropped the session): inputs are ignored.
    shut_down: Cell<bool>,
}

/// Rounds of commands and outputs one input may cause before the driver stops and reports it.
const MAX_PUMP_ROUNDS: u32 = 10_000;

// The clock and the timers are the global scope's (a window or a worker alike), called without
// `web_sys::window()` (an `instanceof Window` check through the JS boundary, and its code).
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// Monotonic milliseconds (a wall-clock jump must not fire or hold back a timer):
    /// `performance.now()`, or `Date.now()` where there is no `performance`.
    pub(crate) fn now() -> f64;
    /// A frame's data as text (`options.rawFrames`): a binary frame decoded as UTF-8, invalid
    /// bytes replaced (as `String::from_utf8_lossy` would, without its code in the wasm).
    #[wasm_bindgen(js_name = frameText)]
    fn frame_text(data: &JsValue) -> JsValue;
    /// `message.rawFrame = frame` (no `Reflect.set` import, nor its key made in the wasm).
    #[wasm_bindgen(js_name = setRawFrame)]
    fn set_raw_frame(message: &JsValue, frame: &JsValue);
    /// Sets the socket's handlers, or (`None`) removes them: `open` calls `page(tag)`, `close`
    /// calls `page([tag, code, reason, wasClean])`, `message` is called with the event's data. An
    /// `error` event needs none: a `close` always follows it, and says what there is to know.
    #[wasm_bindgen(js_name = listenSocket)]
    fn listen_socket(socket: &WebSocket, page: Option<&js_sys::Function>, tag: u32, message: Option<&js_sys::Function>);
    /// `socket.send(frame)`; a socket that refuses it (not open) is reported on the console.
    #[wasm_bindgen(js_name = sendFrame)]
    fn send_frame(socket: &WebSocket, frame: &str);
    /// `socket.close(code, reason)` unless it is closing or closed already; a refused code or
    /// reason is ignored (the socket is let go of either way).
    #[wasm_bindgen(js_name = closeSocket)]
    fn close_socket(socket: &WebSocket, code: u16, reason: &str);
    /// `{ timers, pendingCalls, runningTools, listeners, conversationItems }`, an object literal
    /// (written as JSON and parsed it cost the wasm a JSON writer's worth of code).
    #[wasm_bindgen(js_name = diagnostics)]
    fn diagnostics_js(timers: usize, pending_calls: usize, running_tools: usize, listeners: usize, conversation_items: usize) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    /// `setTimeout(callback, delay, tag)`: the callback is called with `tag` (which timer fired).
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, delay_ms: i32, tag: u32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: i32);
}

/// An armed timeout of the session's; dropping it cancels it (the same externs as the held-audio
/// post, not gloo-timers' own). It calls the driver's page callback with its timer's slot.
struct Timeout(i32);

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.0);
    }
}

/// The session's timer kinds, by their slot in `Driver::timers` and their tag for the page
/// callback (an array, not a list searched and retained: less code).
const TIMERS: [Timer; 3] = [Timer::ConnectTimeout, Timer::Reconnect, Timer::BargeIn];

/// A timer kind's slot in `Driver::timers`.
fn timer_slot(timer: Timer) -> usize {
    match timer {
        Timer::ConnectTimeout => 0,
        Timer::Reconnect => 1,
        Timer::BargeIn => 2,
    }
}

/// The page callback's tag for the held-audio post (after the session's timers).
const POST_HELD: u32 = TIMERS.len() as u32;
/// The page callback's tag for the socket's events (`open` and, in an array, `close`): none of
/// the worklet messages' kinds (`workletMessage` in `platform.js`).
const SOCKET: u32 = POST_HELD + 1;

/// `setTimeout` of the page callback with `tag`. Browsers take at most i32::MAX ms (about 24.8
/// days) and fire at once above it.
fn set_page_timeout(callback: &js_sys::Function, delay_ms: f64, tag: u32) -> i32 {
    set_timeout(callback, delay_ms.min(i32::MAX as f64) as i32, tag)
}

impl Driver {
    pub(crate) fn start(
        session: Session,
        socket: WebSocket,
        tool_handlers: VecMap<String, js_sys::Function>,
        provider: &'static str,
        audio: Option<AudioEngine>,
        connector: Connector,
        raw_frames: bool,
        on_open: Settle,
    ) -> Rc<Driver> {
        let max_frame_bytes = session.max_frame_bytes();
        let driver = Rc::new(Driver {
            session: RefCell::new(session),
            socket: RefCell::new(socket),
            connector,
            commands: RefCell::new(Vec::new()),
            pumping: Cell::new(false),
            pending: RefCell::new(Vec::new()),
            listeners: Listeners::new(),
            listened: RefCell::new(VecMap::new()),
            tool_handlers: RefCell::new(tool_handlers),
            aborts: RefCell::new(VecMap::new()),
            stream: MessageStream::new(),
            on_open: RefCell::new(Some(on_open)),
            timers: RefCell::new([None, None, None]),
            socket_callbacks: RefCell::new(None),
            attempt: Cell::new(0),
            opening: Cell::new(false),
            network: RefCell::new(None),
            provider,
            audio: RefCell::new(audio),
            capture_options: RefCell::new(None),
            page_callback: RefCell::new(None),
            post_held_timeout: Cell::new(None),
            playback_blocked_reported: Cell::new(false),
            max_frame_bytes,
            raw_frames,
            frame_text: RefCell::new(None),
            shut_down: Cell::new(false),
        });
        driver.attach_socket();
        driver.watch_network();
        driver.pump(); // the session's first outputs (the connect timer)
        driver
    }

    fn attach_socket(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let on = |weak: Weak<Driver>, f: fn(&Rc<Driver>, JsValue)| {
            Callback::new(move |event: JsValue| {
                if let Some(driver) = weak.upgrade() {
                    f(&driver, event);
                }
            })
        };
        // `platform.js` hands over the message event's data.
        let message = on(weak.clone(), |driver, data| match frame_from_js(&data, driver.max_frame_bytes) {
            Ok(frame) => {
                // Only while this frame is handled: what it decodes to is emitted synchronously.
                if driver.raw_frames {
                    // (Through `mutable`, not `RefCell::replace`/`take`: the shell's one panic location.)
                    *driver.frame_text.mutable() = Some(frame_text(&data));
                }
                driver.command(Command::Frame(frame));
                driver.frame_text.mutable().take();
            }
            Err(size) => driver.command(Command::FrameRefused(size)),
        });
        listen_socket(&self.socket.shared(), Some(&self.page_callback()), SOCKET, Some(message.as_ref().unchecked_ref()));
        *self.socket_callbacks.mutable() = Some(message);
    }

    /// Silences the current socket (its close is not the session's any more).
    fn detach_socket(&self) {
        listen_socket(&self.socket.shared(), None, SOCKET, None);
        self.socket_callbacks.mutable().take();
    }

    fn watch_network(self: &Rc<Self>) {
        let watch = NetworkWatch::start(&self.page_callback());
        *self.network.mutable() = watch;
    }

    /// The callback the page's timers, network events, the socket's `open` and `close` and both
    /// worklets' ports deliver to (created once, held weakly): a timer calls it with its tag (a
    /// [`TIMERS`] slot or [`POST_HELD`]), the socket with [`SOCKET`] (`open`) or
    /// `[SOCKET, code, reason, wasClean]` (`close`), the network watch with `true` (online) or
    /// `false`, a worklet with its message (see [`WorkletMessage::parse`]). One closure for these
    /// inputs, not one per timer and source: each closure type has a shim, a drop and a vtable of
    /// its own in the wasm.
    pub(crate) fn page_callback(self: &Rc<Self>) -> js_sys::Function {
        let mut slot = self.page_callback.mutable();
        let closure = slot.get_or_insert_with(|| {
            let weak = Rc::downgrade(self);
            Callback::new(move |input: JsValue| {
                let Some(driver) = weak.upgrade() else { return };
                if let Some(online) = input.as_bool() {
                    driver.command(Command::NetworkChanged(online));
                    return;
                }
                let Some(tag) = input.as_f64() else {
                    let fields: &js_sys::Array = input.unchecked_ref();
                    // A capture chunk's first sample is a number too: the chunk is told apart
                    // (`isA`) only when it equals the tag, else once, in `WorkletMessage::parse`.
                    if fields.get(0).as_f64() == Some(SOCKET as f64) && !super::audio::is_a(&input, "Float32Array") {
                        let code = fields.get(1).as_f64().map_or(1006, |code| code as u16);
                        let reason = as_string(&fields.get(2)).unwrap_or_default();
                        let was_clean = fields.get(3).as_bool() == Some(true);
                        driver.command(Command::SocketClosed { code, reason, was_clean });
                    } else if let Some(message) = WorkletMessage::parse(input) {
                        driver.on_worklet(message);
                    }
                    return;
                };
                let tag = tag as u32;
                if let Some(timer) = TIMERS.get(tag as usize) {
                    driver.command(Command::Timer(*timer));
                } else if tag == SOCKET {
                    driver.command(Command::SocketOpened);
                } else if tag == POST_HELD {
                    driver.post_held_timeout.set(None);
                    if let Some(engine) = driver.audio.mutable().as_mut() {
                        engine.post_held();
                    }
                }
            })
        });
        closure.as_ref().unchecked_ref::<js_sys::Function>().clone()
    }

    /// A new connection for the resuming session: a fresh credential, the provider's URL.
    fn reconnect(self: &Rc<Self>) {
        self.detach_socket();
        close_socket(&self.socket.shared(), 1000, "moving to a new connection");
        let attempt = self.attempt.get().wrapping_add(1);
        self.attempt.set(attempt);
        self.opening.set(true);
        let weak = Rc::downgrade(self);
        self.connector.connect_config(move |config| {
            let Some(driver) = weak.upgrade() else { return };
            let connecting = driver.session.try_borrow().is_ok_and(|s| s.state() == ConnectionState::Connecting);
            if driver.attempt.get() != attempt || !connecting {
                return; // superseded, or the session was closed meanwhile (and told so)
            }
            driver.opening.set(false);
            let opened = config.and_then(|config| Connector::open_socket(&driver.session.shared().connect_request(&config)));
            match opened {
                Ok(socket) => {
                    *driver.socket.mutable() = socket;
                    driver.attach_socket();
                }
                Err(e) => driver.command(Command::SocketClosed {
                    code: 1006,
                    reason: text!("reconnecting failed: ", describe_js_error(&e)),
                    was_clean: false,
                }),
            }
        });
    }

    /// Queues an input and processes everything queued (unless a pump is already running, which
    /// will pick it up).
    pub(crate) fn command(self: &Rc<Self>, command: Command) {
        if self.shut_down.get() {
            return;
        }
        self.commands.mutable().push(command);
        self.pump();
    }

    fn pump(self: &Rc<Self>) {
        if self.pumping.replace(true) {
            return;
        }
        // A command that always yields an output that always yields a command would freeze the
        // page: bounded, and said loudly.
        for round in 0..MAX_PUMP_ROUNDS {
            let outputs = {
                let Ok(mut session) = self.session.try_borrow_mut() else { break };
                let commands = core::mem::take(&mut *self.commands.mutable());
                for command in commands {
                    self.apply(&mut session, command);
                }
                let mut outputs = Vec::new();
                while let Some(output) = session.poll_output() {
                    outputs.push(output);
                }
                outputs
            };
            if outputs.is_empty() && self.commands.shared().is_empty() {
                break;
            }
            if round + 1 == MAX_PUMP_ROUNDS {
                // No `{:?}` of the outputs: their Debug code would cost the package ~7 kB.
                let report = "realtime-wasm: the session did not settle (a command/output loop); inputs stopped for this turn";
                debug_assert!(false, "{report}");
                super::convert::console_error(report);
            }
            for output in outputs {
                self.dispatch(output);
            }
        }
        self.pumping.set(false);
    }

    // `apply` and `dispatch` are kept out of `pump` (each has one caller): measured, the package
    // is ~0.2 kB smaller gzipped than with both inlined into it.
    #[inline(never)]
    fn apply(&self, session: &mut Session, command: Command) {
        let t = now();
        match command {
            Command::SocketOpened => session.socket_opened(t),
            Command::Frame(frame) => session.frame_received(t, frame.as_frame()),
            Command::FrameRefused(size) => session.frame_refused(size),
            Command::SocketClosed { code, reason, was_clean } => session.socket_closed(t, code, &reason, was_clean),
            Command::Send(message, settle) => {
                let ticket = session.send(t, message);
                self.pending.mutable().push((ticket, settle));
            }
            Command::RegisterTool(tool, settle) => {
                let ticket = session.register_tool(t, tool);
                self.pending.mutable().push((ticket, settle));
            }
            Command::UnregisterTool(name, settle) => {
                let ticket = session.unregister_tool(t, &name);
                self.pending.mutable().push((ticket, settle));
            }
            Command::ToolFinished(call_id, outcome) => session.tool_finished(t, &call_id, outcome),
            Command::Timer(timer) => session.timer_fired(t, timer),
            Command::NetworkChanged(online) => session.network_changed(t, online),
            Command::Interrupt => session.interrupt(t),
            Command::Close => session.close(t),
            Command::AppendAudio(pcm) => {
                // Internal: its ticket is never awaited (a failure surfaces as an `error` event).
                session.send(t, ClientMessage::InputAudioBufferAppend { message_id: None, audio: Base64Data::from(pcm) });
            }
            Command::PlaybackPosition(item, played_ms, underruns, queued_ms) => session.playback_report(t, &item, played_ms, underruns, queued_ms),
            Command::InputLevel(level) => session.input_level(t, level),
            Command::MicrophoneStopped => session.microphone_stopped(t),
            Command::LocalSpeech(started) => session.local_speech(t, started),
            Command::PlaybackStopped(item, played_ms) => {
                let latency = self.audio.shared().as_ref().map_or(0.0, AudioEngine::output_latency_ms);
                session.playback_stopped(t, &item, played_ms, latency);
            }
        }
    }

    #[inline(never)]
    fn dispatch(self: &Rc<Self>, output: Output) {
        match output {
            Output::Transmit(frame) => {
                send_frame(&self.socket.shared(), &frame);
            }
            Output::Message(message) => {
                // A JS object only for someone who reads it (most apps listen to a few kinds). The
                // listeners first: asking the JS stream is a boundary crossing per message.
                let kind = message.kind();
                if self.listens(kind) || self.stream.active() {
                    let value = message_to_js(&message);
                    if let Some(frame) = self.frame_text.shared().as_ref() {
                        set_raw_frame(&value, frame);
                    }
                    self.emit(kind, &value);
                    self.stream.push(&value);
                }
            }
            Output::Event(event) => self.on_event(event),
            Output::RunTool(run) => self.run_tool(run),
            Output::CancelTool { call_id } => {
                if let Some(controller) = self.aborts.mutable().remove(&call_id) {
                    controller.abort();
                }
            }
            Output::Settled { ticket, result } => {
                let settle = {
                    let mut pending = self.pending.mutable();
                    pending.iter().position(|(t, _)| *t == ticket).map(|i| pending.swap_remove(i).1)
                };
                if let Some(settle) = settle {
                    match result {
                        Ok(()) => settle.resolve(&JsValue::UNDEFINED),
                        Err(e) => settle.reject(&session_error(&e)),
                    }
                }
            }
            Output::ArmTimer { timer, at_ms } => {
                // Never early: the session takes an early timer for a superseded one.
                let delay = (crate::float::ceil(at_ms - now()) + 1.0).max(0.0);
                let slot = timer_slot(timer);
                let id = set_page_timeout(&self.page_callback(), delay, slot as u32);
                self.timers.mutable()[slot] = Some(Timeout(id));
            }
            Output::PlayAudio { item_id, audio } => {
                let (held, blocked) = {
                    let mut engine = self.audio.mutable();
                    match engine.as_mut() {
                        // The context's state is asked only until the block is reported.
                        Some(engine) => (engine.play(&item_id, audio.as_bytes()), !self.playback_blocked_reported.get() && engine.is_suspended()),
                        None => (false, false),
                    }
                };
                if held {
                    self.arm_post_held();
                }
                if blocked && !self.playback_blocked_reported.replace(true) {
                    // Autoplay policy: the app must call resumeAudio() from a user gesture.
                    self.emit("playbackBlocked", &js_sys::JSON::parse(r#"{"type":"playbackBlocked"}"#).unwrap_or_default());
                }
            }
            Output::StopPlayback { item_id } => {
                let stopping = self.audio.mutable().as_mut().is_some_and(|e| e.stop(&item_id));
                if !stopping {
                    self.command(Command::PlaybackStopped(item_id, 0.0));
                }
            }
            Output::DuckPlayback | Output::RestorePlayback => {
                if let Some(engine) = self.audio.shared().as_ref() {
                    engine.set_ducked(matches!(output, Output::DuckPlayback));
                }
            }
            Output::Reconnect => self.reconnect(),
            Output::CloseSocket { code, reason } => {
                if self.opening.replace(false) {
                    // No socket yet (the credential is on its way): closed as asked, at once.
                    self.command(Command::SocketClosed { code, reason, was_clean: true });
                } else {
                    close_socket(&self.socket.shared(), code, &reason);
                }
            }
        }
    }

    fn on_event(self: &Rc<Self>, event: SessionEvent) {
        let value = event_to_js(&event);
        match &event {
            SessionEvent::StateChange { state: ConnectionState::Open, .. } => {
                if let Some(opened) = self.on_open.mutable().take() {
                    opened.resolve(&JsValue::UNDEFINED);
                }
            }
            SessionEvent::Close { code, reason, .. } => {
                if let Some(opened) = self.on_open.mutable().take() {
                    let message = text!("connection failed (", CloseCode(*code, reason), ")");
                    opened.reject(&(super::convert::error(ErrorCode::ConnectionFailed, &message)));
                }
            }
            _ => {}
        }
        self.emit(event.kind(), &value);
        if matches!(event, SessionEvent::Close { .. }) {
            self.release();
        }
    }

    /// Whether a microphone may still be attached: the session is neither closing nor released.
    pub(super) fn is_live(&self) -> bool {
        !self.shut_down.get()
            && self.session.try_borrow().map_or(true, |s| matches!(s.state(), ConnectionState::Connecting | ConnectionState::Open))
    }

    /// The app let go of the session without `close()` (`free()`, `using`, garbage collection):
    /// the socket is closed, the microphone stopped, timers and callbacks dropped, pending promises
    /// rejected. Idempotent; the normal close path releases the same through [`Driver::release`].
    pub(super) fn shut_down(&self) {
        if self.shut_down.replace(true) {
            return;
        }
        self.release();
        close_socket(&self.socket.shared(), 1000, "session released");
        // An error object each: the app may keep or change one.
        let closed = || super::convert::error(ErrorCode::SessionClosed, "the session was released (free() or dispose) before this settled");
        // Taken out whole: no borrow held while JS is called.
        let pending = core::mem::take(&mut *self.pending.mutable());
        for (_, settle) in pending {
            settle.reject(&closed());
        }
        if let Some(opened) = self.on_open.mutable().take() {
            opened.reject(&closed());
        }
        // `close` listeners (and `close()` promises still waiting) learn that it ended.
        if self.session.try_borrow().is_ok_and(|s| s.state() != ConnectionState::Closed) {
            let event = SessionEvent::Close { code: 1000, reason: "session released".into(), was_clean: true };
            self.emit(event.kind(), &event_to_js(&event));
        }
        self.listeners.clear();
        self.listened.mutable().clear();
        self.commands.mutable().clear();
    }

    /// After the close: the stream ends, timers and socket callbacks go, running tools are aborted.
    fn release(&self) {
        self.stream.end();
        // Dropping the engine closes it (microphone tracks stopped, nodes disconnected).
        drop(self.audio.mutable().take());
        if let Some((id, _)) = self.post_held_timeout.take() {
            clear_timeout(id);
        }
        *self.timers.mutable() = [None, None, None];
        self.network.mutable().take();
        for (_, controller) in self.aborts.mutable().drain() {
            controller.abort();
        }
        self.detach_socket();
        // After the timers, the network watch and the socket that call it.
        self.page_callback.mutable().take();
    }

    /// Posts the held audio when the engine says: in this task while the worklet runs very low,
    /// after it while it runs low, later (in fewer and larger messages) while it has plenty — a
    /// timer, brought forward if need be.
    fn arm_post_held(self: &Rc<Self>) {
        let t = now();
        {
            let mut engine = self.audio.mutable();
            if let Some(engine) = engine.as_mut().filter(|e| e.post_is_urgent(t)) {
                // Running low: now, not after the tasks already queued (a timer armed earlier
                // finds nothing left to post).
                engine.post_held();
                return;
            }
        }
        let Some(delay) = self.audio.shared().as_ref().map(|e| e.post_delay_ms(t)) else { return };
        match self.post_held_timeout.get() {
            Some((_, at)) if at <= t + delay + 1.0 => return,
            Some((id, _)) => clear_timeout(id),
            None => {}
        }
        let id = set_page_timeout(&self.page_callback(), delay, POST_HELD);
        self.post_held_timeout.set(Some((id, t + delay)));
    }

    /// The playback node, once the worklet module loaded (`connect()`).
    pub(super) fn start_playback(self: &Rc<Self>) -> Result<(), JsValue> {
        let callback = self.page_callback();
        self.audio.mutable().as_mut().map_or(Ok(()), |engine| engine.start_playback(&callback))
    }

    fn on_worklet(self: &Rc<Self>, message: WorkletMessage) {
        let rate = match self.audio.mutable().as_mut() {
            Some(engine) => {
                engine.playback_message(&message, now());
                engine.sample_rate()
            }
            None => 48_000.0,
        };
        match message {
            WorkletMessage::Ready { .. } => {}
            WorkletMessage::Chunk(samples) => {
                let captured = self.audio.mutable().as_mut().map(|e| e.captured(samples, now()));
                let Some(captured) = captured else { return };
                // First: a barge-in ducks the reply before anything else is done with the chunk.
                if let Some(started) = captured.speech {
                    self.command(Command::LocalSpeech(started));
                }
                if let Some(level) = captured.level {
                    // Every capture chunk: the event object only for someone who listens.
                    if self.listens("inputLevel") {
                        let event = level_event("inputLevel", level.meter(), level.rms, Some(level.peak));
                        self.emit("inputLevel", &event);
                    }
                    if self.audio.shared().as_ref().is_some_and(|e| !e.muted) {
                        self.command(Command::InputLevel(f64::from(level.meter())));
                    }
                }
                if !captured.pcm.is_empty() {
                    self.command(Command::AppendAudio(captured.pcm));
                }
            }
            WorkletMessage::Position { item, frames, underruns, queued } => {
                self.command(Command::PlaybackPosition(item, frames / rate * 1_000.0, underruns, queued / rate * 1_000.0));
            }
            WorkletMessage::Stopped { item, frames } => self.command(Command::PlaybackStopped(item, frames / rate * 1_000.0)),
            WorkletMessage::Level(rms) => {
                if let Some(engine) = self.audio.mutable().as_mut() {
                    engine.output_level(rms);
                }
                if self.listens("outputLevel") {
                    let level = crate::audio::Level { rms: rms as f32, peak: rms as f32 };
                    self.emit("outputLevel", &level_event("outputLevel", level.meter(), rms as f32, None));
                }
            }
        }
    }

    /// Whether an app listener waits for `kind` (events are built only for someone who reads them).
    fn listens(&self, kind: &str) -> bool {
        self.listened.shared().get(kind).is_some_and(|n| *n > 0)
    }

    fn emit(&self, kind: &str, value: &JsValue) {
        if self.listens(kind) {
            // The name as a kept JS string: emitted per delta, a decode each time otherwise.
            let left = self.listeners.emit(&super::convert::js_string(kind), value);
            self.count_listeners(kind, left);
        }
    }

    /// What `platform.js` says is left of `kind`'s listeners.
    fn count_listeners(&self, kind: &str, left: u32) {
        let mut listened = self.listened.mutable();
        match listened.get_mut(kind) {
            Some(n) => *n = left,
            // An `off` for a name nobody listens to adds no entry: app input cannot grow the map.
            None if left > 0 => {
                listened.insert(kind.to_owned(), left);
            }
            None => {}
        }
    }

    fn run_tool(self: &Rc<Self>, run: ToolRun) {
        let handler = self.tool_handlers.shared().get(&run.name).cloned();
        let Some(handler) = handler else {
            self.command(Command::ToolFinished(run.call_id, Err(text!("no handler registered for ", run.name))));
            return;
        };
        let controller = web_sys::AbortController::unchecked_from_js(new_abort_controller());
        self.aborts.mutable().insert(run.call_id.clone(), controller.clone());
        let returned = call_tool(&handler, &to_js(&run.arguments), &run.call_id, &run.name, &controller);
        let weak = Rc::downgrade(self);
        let call_id = run.call_id;
        when_settled(&returned, move |settled| {
            let outcome = match settled {
                Ok(value) if value.is_undefined() => Ok(Json::Null),
                Ok(value) => from_js::<JsonValue>(value, "the result").map_err(|e| describe_js_error(&e)),
                Err(thrown) => Err(describe_js_error(&thrown)),
            };
            if let Some(driver) = weak.upgrade() {
                driver.aborts.mutable().remove(&call_id);
                driver.command(Command::ToolFinished(call_id, outcome));
            }
        });
    }

    /// Adds an app listener (`on`/`once`).
    pub(super) fn listen(&self, kind: String, handler: js_sys::Function, once: bool) {
        super::convert::warn_unknown_event(&kind);
        let left = self.listeners.add(&kind, &handler, once);
        self.count_listeners(&kind, left);
    }

    /// Removes every registration of `handler` for `kind` (`off`).
    pub(super) fn unlisten(&self, kind: &str, handler: &js_sys::Function) {
        let left = self.listeners.remove(kind, handler);
        self.count_listeners(kind, left);
    }

    /// `RealtimeSession.diagnostics`: what the driver holds right now. Each count stays bounded
    /// however long the session runs (`conversationItems` by the view's 1,000 newest items).
    pub(super) fn diagnostics(&self) -> JsValue {
        diagnostics_js(
            self.timers.shared().iter().filter(|t| t.is_some()).count(),
            self.pending.shared().len(),
            self.aborts.shared().len(),
            self.listened.shared().values().map(|n| *n as usize).sum(),
            self.session.try_borrow().map_or(0, |s| s.conversation().items().len()),
        )
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.shut_down();
    }
}

// The app's listeners: per event name, `[handler, once]` pairs. `emit` calls a snapshot (`once`
// listeners removed first) and reports a throwing listener without stopping the others (nor the
// session). Each returns how many listeners the name has left.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    type Listeners;
    #[wasm_bindgen(constructor)]
    fn new() -> Listeners;
    #[wasm_bindgen(method)]
    fn add(this: &Listeners, kind: &str, handler: &js_sys::Function, once: bool) -> u32;
    #[wasm_bindgen(method)]
    fn remove(this: &Listeners, kind: &str, handler: &js_sys::Function) -> u32;
    #[wasm_bindgen(method)]
    fn emit(this: &Listeners, kind: &JsValue, value: &JsValue) -> u32;
    #[wasm_bindgen(method)]
    fn clear(this: &Listeners);
}

// Level events (one per 10–20 ms capture chunk while listened to) are built in one JS call, not
// written as JSON and parsed: their floats are rounded to 7 significant digits there (an f32's
// precision) so the app sees `0.1`, not the widened `0.10000000149011612`.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = levelEvent)]
    fn level_event(kind: &str, level: f32, rms: f32, peak: Option<f32>) -> JsValue;
}

// A tool handler is called from JS: its context (`{ callId, name, signal }`) is an object literal
// there, and what it returns or throws becomes one promise (a throw rejects it).
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(js_name = callTool)]
    fn call_tool(handler: &js_sys::Function, arguments: &JsValue, call_id: &str, name: &str, controller: &web_sys::AbortController) -> js_sys::Promise;
    /// `new AbortController()` (which cannot throw: no `catch` glue, unlike web-sys's import).
    #[wasm_bindgen(js_name = abortController)]
    fn new_abort_controller() -> JsValue;
}
