//! The session: a sans-IO state machine (the quinn-proto / rustls pattern).
//!
//! Inputs come in as method calls with the current time (socket opened, frame received, socket
//! closed, app message, tool finished, timer fired); outputs queue up for the driver to take with
//! [`Session::poll_output`] (frames to send, server messages and SDK events for the app, tools to run,
//! timers to arm, the socket to close). It owns the connection state, queueing before open, the
//! effective options, the conversation view, the response tracker, function invocation, the
//! middleware pipeline, resumption on a new connection under the [`ReconnectPolicy`], and what an
//! on-device speech onset does to playback ([`LocalBargeIn`]).
//!
//! Must never: do I/O, read a clock, block on a tool, panic on input, or import `web_sys`/`js_sys`/
//! `wasm_bindgen` — the `web` module drives it in the browser, tests drive it natively.

use crate::prelude::*;
use crate::text::{text, Piece};
mod barge_in;
mod collections;
mod conversation;
mod middleware;
mod output;
mod playback;
mod reconnect;
mod replay;
mod responses;
mod tools;
mod turn_metrics;

pub use barge_in::{LocalBargeIn, Step as BargeInStep, LOCAL_CONFIRM_MS};
pub use collections::{IdMap, IdSet, VecMap};
pub use conversation::{Conversation, ItemEntry, MAX_CONVERSATION_ITEMS};
pub use middleware::{redact_audio, LogLevel, LoggingMiddleware, Middleware};
pub use output::{ConnectionState, ErrorCode, ErrorKind, EVENT_NAMES, Output, SessionError, SessionEvent, Ticket, Timer, ToolRun};
pub use playback::{Ended, Interruption, PlayedItem};
pub use reconnect::{Decision, Loss, ReconnectConfig, ReconnectPolicy};
pub use replay::REPLAY_MESSAGE_PREFIX;
pub use responses::BUSY_ERROR_CODE;
pub use tools::{InvocationOptions, FAILED_TEXT, NOT_FOUND_TEXT};
pub use turn_metrics::{BufferDepth, TurnReport, MIN_SPEECH_MS, PAUSE_MS, SPEECH_LEVEL};

use crate::audio::{SampleEncoding, WireAudio};
use crate::model::{
    AudioFormat, ClientMessage, Content, ConversationItem, CreateResponse, ResponseInfo, ResponseStatus, Role, ServerMessage, SessionOptions,
    Tool,
};
use crate::provider::{Codec, EncodeError, EncodeErrorKind};
use replay::{Acknowledged, Replay};
use responses::Request;
use crate::json::JsonValue;
use tools::{Action, ResponseTracker, ToolInvoker};

/// A frame as the socket delivered it.
#[derive(Debug, Clone, Copy)]
pub enum Frame<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

/// A [`Frame`] that owns its bytes (as `PathBuf` is to `Path`): what a driver queues between the
/// socket's event and the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameBuf {
    Text(String),
    Binary(Vec<u8>),
}

impl FrameBuf {
    pub fn as_frame(&self) -> Frame<'_> {
        match self {
            FrameBuf::Text(text) => Frame::Text(text),
            FrameBuf::Binary(bytes) => Frame::Binary(bytes),
        }
    }
}

/// Everything a session starts from.
#[derive(Debug, Clone, Default)]
pub struct SessionConfig {
    /// The app's options (sent at start, per provider).
    pub options: SessionOptions,
    pub invocation: InvocationOptions,
    /// Tools the app registered a handler for (only these are ever run).
    pub tool_handlers: Vec<String>,
    /// Give up if not open within this many ms (0: never).
    pub connect_timeout_ms: f64,
    /// The driver plays assistant audio (`Output::PlayAudio`) and reports positions, so barge-in
    /// stops playback and truncates exactly. Off: audio is only delivered as messages.
    pub playback: bool,
    /// Resume on a new connection after `goAway`, a dropped connection or an expired session,
    /// within these limits (Gemini: session resumption; OpenAI: the conversation replayed);
    /// `None`: never.
    pub reconnect: Option<ReconnectConfig>,
    /// Seeds the reconnect jitter (the browser driver passes `Math.random()` bits).
    pub jitter_seed: u64,
    /// Frames larger than this many bytes are refused with an `error` event and dropped (the session
    /// goes on); `None`: [`DEFAULT_MAX_FRAME_BYTES`].
    pub max_frame_bytes: Option<usize>,
    /// On-device barge-in: the driver runs a voice detector on the microphone and reports with
    /// [`Session::local_speech`]; `None` (or `local: false`): barge-in is the server's alone.
    pub barge_in: Option<crate::model::BargeInOptions>,
}

/// 8 MiB: far above any frame the providers send in a conversation (an audio delta is ~6 kB, a
/// `response.done` with a long transcript tens of kB), small enough that a hostile or broken server
/// cannot grow wasm memory (which never shrinks) by much.
pub const DEFAULT_MAX_FRAME_BYTES: usize = 8 << 20;

/// The server error that ends a session at its time limit (OpenAI's 60 minutes): resumed like a drop.
pub const EXPIRED_ERROR_CODE: &str = "session_expired";

/// A message waiting for the session to open.
struct Queued {
    message: ClientMessage,
    ticket: Option<Ticket>,
}

pub struct Session {
    codec: Box<dyn Codec>,
    state: ConnectionState,
    /// What the app asked for (kept across server updates: tools, provider options).
    requested: SessionOptions,
    /// What the server says is in effect.
    effective: SessionOptions,
    on_session_open: Vec<ClientMessage>,
    on_socket_open: Vec<String>,
    /// Messages sent before the session opened, in order (appended, then taken whole: a `Vec`).
    queue: Vec<Queued>,
    /// Every response by id (its request, its tool calls) and the requests waiting their turn.
    responses: ResponseTracker,
    conversation: Conversation,
    playback: Option<playback::Playback>,
    invoker: ToolInvoker,
    middleware: Vec<Box<dyn Middleware>>,
    /// Outputs not yet polled: `polling` (taken whole from `outputs`) goes first, then what was
    /// pushed since. Two `Vec`s rather than a `VecDeque`, whose ring code costs more wasm.
    outputs: Vec<Output>,
    polling: alloc::vec::IntoIter<Output>,
    next_id: u64,
    closed_by_us: bool,
    /// Present when the session resumes after a loss (asked for, and the provider can).
    reconnect: Option<ReconnectPolicy>,
    /// Resuming: the next `sessionCreated` is the old session's, not news for the app.
    reconnecting: bool,
    /// The conversation replayed on a resumed connection (providers that forget it), and the ids
    /// of replayed items mapped to the ones the app knows.
    replay: Replay,
    /// The assistant item whose playback a lost connection cut: nothing to truncate on the server.
    cut_playback: Option<String>,
    /// Why the last connection (or attempt) was lost, for the error when the policy gives up.
    last_loss: String,
    connect_timeout_ms: f64,
    /// When the connection being opened times out; a timer that fires earlier is a superseded one.
    connect_deadline: Option<f64>,
    max_frame_bytes: usize,
    /// The wire form (encoding, rate) of microphone and playback audio, fixed at connect: the audio
    /// engine's pipelines and the playback accounting run at it.
    input_audio: WireAudio,
    output_audio: WireAudio,
    metrics: turn_metrics::TurnMetrics,
    /// The provider reported speech starting and not yet stopping (providers that report it).
    user_speaking: bool,
    /// Microphone audio went out since the microphone last stopped.
    audio_since_stop: bool,
    /// The commit sent because the microphone stopped mid-utterance awaits its
    /// `inputAudioBufferCommitted`, which asks for the response (unless the server's VAD ended the
    /// turn first and answers it).
    answer_stop_commit: bool,
    /// That commit's id: its error (the server had ended the turn already) is not the app's.
    stop_commit: Option<String>,
    /// Present when on-device barge-in is on (and the driver plays audio).
    barge_in: Option<LocalBargeIn>,
}

/// The wire form of an audio format: G.711 is 8 kHz; PCM runs at the codec's rate (the codec
/// refuses PCM rates its provider does not take).
fn wire_audio(format: Option<&AudioFormat>, codec_rate: u32) -> WireAudio {
    let (encoding, rate) = match format.map(|f| f.media_type.as_str()) {
        Some(AudioFormat::PCMU) => (SampleEncoding::MuLaw, 8_000),
        Some(AudioFormat::PCMA) => (SampleEncoding::ALaw, 8_000),
        _ => (SampleEncoding::Pcm16, codec_rate),
    };
    WireAudio { encoding, rate }
}

impl Session {
    /// A session about to connect. Fails when the options cannot be expressed for the provider.
    pub fn new(mut codec: Box<dyn Codec>, config: SessionConfig, now_ms: f64) -> Result<Session, EncodeError> {
        let reconnect = config
            .reconnect
            .and_then(|limits| codec.enable_resumption().then(|| ReconnectPolicy::new(limits, config.jitter_seed, now_ms)));
        let start = codec.session_start(&config.options)?;
        let input_audio = wire_audio(config.options.input_audio_format.as_ref(), codec.input_audio_rate());
        let output_audio = wire_audio(config.options.output_audio_format.as_ref(), codec.output_audio_rate());
        let playback = config.playback.then(|| playback::Playback::new(output_audio.rate, output_audio.encoding.bytes_per_sample()));
        let barge_in = config.barge_in.filter(|b| b.local && config.playback).map(|b| LocalBargeIn::new(b.confirm_ms));
        let conversation = if reconnect.is_some() && codec.replays_conversation() { Conversation::recording_contents() } else { Conversation::default() };
        let mut session = Session {
            codec,
            state: ConnectionState::Connecting,
            effective: config.options.clone(),
            requested: config.options,
            on_session_open: start.on_session_open,
            on_socket_open: start.on_socket_open,
            queue: Vec::new(),
            responses: ResponseTracker::default(),
            conversation,
            playback,
            invoker: ToolInvoker::new(config.invocation, config.tool_handlers),
            middleware: Vec::new(),
            outputs: Vec::new(),
            polling: Vec::new().into_iter(),
            next_id: 0,
            closed_by_us: false,
            reconnect,
            reconnecting: false,
            replay: Replay::default(),
            cut_playback: None,
            last_loss: String::new(),
            connect_timeout_ms: config.connect_timeout_ms,
            connect_deadline: None,
            max_frame_bytes: config.max_frame_bytes.unwrap_or(DEFAULT_MAX_FRAME_BYTES),
            input_audio,
            output_audio,
            metrics: turn_metrics::TurnMetrics::default(),
            user_speaking: false,
            audio_since_stop: false,
            answer_stop_commit: false,
            stop_commit: None,
            barge_in,
        };
        session.arm_connect_timeout(now_ms);
        Ok(session)
    }

    /// Appends an interceptor (the first added is outermost).
    pub fn add_middleware(&mut self, middleware: Box<dyn Middleware>) {
        self.middleware.push(middleware);
    }

    pub fn state(&self) -> ConnectionState {
        self.state
    }

    /// The effective options: the server's report, with the app's tools and provider options kept.
    pub fn options(&self) -> &SessionOptions {
        &self.effective
    }

    pub fn conversation(&self) -> &Conversation {
        &self.conversation
    }

    /// Calls running or waiting to run, as `(call id, name)`.
    pub fn pending_tool_calls(&self) -> Vec<(&str, &str)> {
        self.invoker.pending(&self.responses)
    }

    /// Parked `createResponse` requests (waiting for the active response to end).
    pub fn waiting_responses(&self) -> usize {
        self.responses.waiting()
    }

    /// The response writing to the conversation now, if one is.
    pub fn active_response(&self) -> Option<&str> {
        self.responses.active()
    }

    /// Where to (re)connect, for this session's provider.
    pub fn connect_request(&self, config: &crate::provider::ConnectConfig) -> crate::provider::ConnectRequest {
        self.codec.connect_request(config)
    }

    pub fn input_audio_rate(&self) -> u32 {
        self.input_audio.rate
    }

    /// How microphone audio goes on the wire.
    pub fn input_audio(&self) -> WireAudio {
        self.input_audio
    }

    /// How the provider's audio arrives.
    pub fn output_audio(&self) -> WireAudio {
        self.output_audio
    }

    pub fn output_audio_rate(&self) -> u32 {
        self.output_audio.rate
    }

    pub fn poll_output(&mut self) -> Option<Output> {
        if self.polling.len() == 0 {
            self.polling = core::mem::take(&mut self.outputs).into_iter();
        }
        self.polling.next()
    }

    // ---- inputs -------------------------------------------------------------------------------

    pub fn socket_opened(&mut self, _now_ms: f64) {
        if self.state != ConnectionState::Connecting {
            return;
        }
        for frame in core::mem::take(&mut self.on_socket_open) {
            self.output(Output::Transmit(frame));
        }
    }

    pub fn frame_received(&mut self, now_ms: f64, frame: Frame<'_>) {
        if self.state == ConnectionState::Closed {
            return;
        }
        let size = match frame {
            Frame::Text(text) => text.len(),
            Frame::Binary(bytes) => bytes.len(),
        };
        if size > self.max_frame_bytes {
            return self.frame_refused(size);
        }
        let decoded = match frame {
            Frame::Text(text) => self.codec.decode(text),
            Frame::Binary(bytes) => self.codec.decode_binary(bytes),
        };
        match decoded {
            Ok(messages) => {
                for message in messages {
                    self.receive(now_ms, message);
                }
            }
            Err(e) => self.event(SessionEvent::sdk_error(ErrorCode::DecodeError, text!("undecodable frame from the server: ", e))),
        }
    }

    /// The largest frame the session reads: a driver checks a frame's size against it *before*
    /// copying the frame in, and calls [`Session::frame_refused`] instead.
    pub fn max_frame_bytes(&self) -> usize {
        self.max_frame_bytes
    }

    /// A frame of `size` bytes was over the limit and dropped unread: an `error` event, nothing else.
    pub fn frame_refused(&mut self, size: usize) {
        if self.state == ConnectionState::Closed {
            return;
        }
        let message = text!("a frame of ", size, " bytes from the server was dropped: the limit is ", self.max_frame_bytes, " (option maxFrameBytes)");
        self.event(SessionEvent::sdk_error(ErrorCode::FrameTooLarge, message));
    }

    /// The socket closed (by either side). Everything pending is settled: nothing is lost silently.
    pub fn socket_closed(&mut self, now_ms: f64, code: u16, reason: &str, was_clean: bool) {
        if self.state == ConnectionState::Closed || self.reconnect.as_ref().is_some_and(ReconnectPolicy::is_waiting) {
            return; // between attempts there is no connection: this is a stale socket's close
        }
        let previous = self.state;
        // A drop is resumed; a close that states an error (1007 invalid argument, 1008 policy,
        // 1011 internal error or quota, …) would only repeat: it ends the session.
        let dropped = matches!(code, 1001 | 1005 | 1006 | 1012 | 1013 | 1014);
        let attempting = self.reconnect.as_ref().is_some_and(ReconnectPolicy::is_attempting);
        if !self.closed_by_us && dropped && (previous == ConnectionState::Open || attempting) {
            let loss = text!("the connection dropped (", CloseCode(code, reason), ")");
            match self.connection_lost(now_ms, Loss::Dropped, loss) {
                Lost::Resuming => return,
                Lost::GaveUp => return self.finish_close(now_ms, code, reason, was_clean),
                Lost::NotResumable => {}
            }
        }
        let expected = self.closed_by_us || (code == 1000 && previous == ConnectionState::Open);
        if previous == ConnectionState::Connecting {
            self.event(SessionEvent::sdk_error(
                ErrorCode::ConnectionFailed,
                text!("the connection closed before the session opened (", CloseCode(code, reason), ")"),
            ));
        } else if !expected {
            self.event(SessionEvent::sdk_error(
                ErrorCode::ConnectionClosed,
                text!("the server closed the connection (", CloseCode(code, reason), ")"),
            ));
        }
        self.finish_close(now_ms, code, reason, was_clean);
    }

    /// The browser went offline or online: no attempts are made (nor counted) while offline; back
    /// online, a waiting session tries at once.
    pub fn network_changed(&mut self, now_ms: f64, online: bool) {
        if matches!(self.state, ConnectionState::Closing | ConnectionState::Closed) {
            return;
        }
        let Some(decision) = self.reconnect.as_mut().and_then(|p| p.network_changed(now_ms, online)) else { return };
        let reason = if online { "the network is back" } else { "the network is offline" };
        // Neither decision gives up (only a loss can).
        self.follow(now_ms, decision, reason.to_owned());
    }

    /// An app message. Settled later by `Output::Settled` with this ticket.
    pub fn send(&mut self, now_ms: f64, message: ClientMessage) -> Ticket {
        let ticket = Ticket(self.next_id());
        if let ClientMessage::SessionUpdate { options, .. } = &message {
            let changes = |format: Option<&AudioFormat>, current: WireAudio, codec_rate: u32| {
                format.is_some_and(|f| wire_audio(Some(f), codec_rate) != current)
            };
            if changes(options.input_audio_format.as_ref(), self.input_audio, self.codec.input_audio_rate())
                || changes(options.output_audio_format.as_ref(), self.output_audio, self.codec.output_audio_rate())
            {
                let message = "sessionUpdate: the audio formats are fixed when the session connects (the microphone and \
                               playback run at them); connect a new session to change them";
                self.settle(Some(ticket), Err(SessionError::state(ErrorCode::Unsupported, message)));
                return ticket;
            }
            merge_requested(&mut self.requested, options);
        }
        if is_user_input(&message) {
            self.invoker.new_turn();
            self.metrics.input_sent(now_ms);
        }
        if matches!(message, ClientMessage::InputAudioBufferAppend { .. }) {
            self.audio_since_stop = true;
        }
        self.transmit(now_ms, message, Some(ticket));
        ticket
    }

    /// Declares a tool (with a handler) to the model and keeps it across updates. A tool declared
    /// as it is already (at connect, without a handler) only gains its handler: nothing is sent,
    /// which is how providers that cannot change a session (Gemini) take a handler later. Where a
    /// new declaration cannot be sent, the error names `registerTool` and says what works instead.
    pub fn register_tool(&mut self, now_ms: f64, tool: Tool) -> Ticket {
        // Equal declarations write the same JSON (numbers as read, members in order): compared as
        // written, not with `Tool`'s `PartialEq`, whose walk of the schema tree costs its own wasm.
        let declared = crate::json::to_string(&tool);
        if self.requested.tools.as_deref().unwrap_or_default().iter().any(|t| crate::json::to_string(t) == declared) {
            self.invoker.register(tool.name());
            let ticket = Ticket(self.next_id());
            self.settle(Some(ticket), Ok(()));
            return ticket;
        }
        let name = tool.name().to_owned();
        let mut tools = self.tools_without(&name);
        tools.push(tool);
        // Checked as it will be sent (the same message goes out below: no copy of the list).
        let update = tools_update(tools);
        if let Err(e) = self.codec.validate(&update) {
            if e.kind == EncodeErrorKind::Unsupported {
                let ticket = Ticket(self.next_id());
                let message = text!(
                    "registerTool(",
                    crate::json::to_string(&name),
                    "): this provider cannot add tools to an open session; declare the tool in connect({ tools }) (a tool declared there without a handler can be given one with registerTool)",
                );
                self.settle(Some(ticket), Err(SessionError { kind: ErrorKind::State, code: ErrorCode::Unsupported, message, field: None }));
                return ticket;
            }
        }
        self.invoker.register(&name);
        self.send(now_ms, update)
    }

    pub fn unregister_tool(&mut self, now_ms: f64, name: &str) -> Ticket {
        self.invoker.unregister(name);
        let tools = self.tools_without(name);
        self.update_tools(now_ms, tools)
    }

    /// The tools the app asked for, but the one called `name` (shared by registering and
    /// unregistering: one copy of the list's clone and filter).
    fn tools_without(&self, name: &str) -> Vec<Tool> {
        // The others copied, not the whole list copied and then `retain`ed: no retain code for
        // tools in the package.
        let mut tools = Vec::new();
        for tool in self.requested.tools.as_deref().unwrap_or_default() {
            if tool.name() != name {
                tools.push(tool.clone());
            }
        }
        tools
    }

    fn update_tools(&mut self, now_ms: f64, tools: Vec<Tool>) -> Ticket {
        self.send(now_ms, tools_update(tools))
    }

    /// A tool handler settled.
    pub fn tool_finished(&mut self, now_ms: f64, call_id: &str, outcome: Result<JsonValue, String>) {
        let actions = self.invoker.finished(&mut self.responses, call_id, outcome, now_ms);
        self.apply(now_ms, actions);
    }

    /// The driver rendered `played_ms` of `item_id` so far.
    pub fn playback_progress(&mut self, _now_ms: f64, item_id: &str, played_ms: f64) {
        if let Some(ended) = self.playback.as_mut().and_then(|p| p.progress(item_id, played_ms)) {
            self.playback_ended(&ended);
        }
    }

    /// [`Session::playback_progress`] with the jitter buffer's state for the `metrics` event: the
    /// driver's cumulative underrun count and the audio queued, in ms.
    pub fn playback_report(&mut self, now_ms: f64, item_id: &str, played_ms: f64, underruns: u32, queued_ms: f64) {
        self.metrics.playback(now_ms, item_id, played_ms, underruns, queued_ms);
        self.playback_progress(now_ms, item_id, played_ms);
    }

    /// The microphone's level (0–1 on the −60…0 dBFS meter), about 30 times a second: where the
    /// user's speech ends, for the `metrics` event (the same way for every provider).
    pub fn input_level(&mut self, now_ms: f64, level: f64) {
        self.metrics.input_level(now_ms, level);
    }

    /// The app stopped the microphone. With server turn detection a turn the user is in the middle
    /// of would never end (no more audio comes, so the server never hears the pause): what was said
    /// is committed and answered, as if the user had paused. Nothing is sent with manual turns (the
    /// app commits), or when the user was not speaking.
    pub fn microphone_stopped(&mut self, now_ms: f64) {
        self.metrics.microphone_stopped();
        let vad = self.effective.voice_activity_detection.as_ref().is_none_or(|v| v.enabled);
        let spoke = core::mem::take(&mut self.audio_since_stop);
        if self.state != ConnectionState::Open || !vad || !spoke {
            return;
        }
        if self.codec.reports_speech() {
            if !core::mem::take(&mut self.user_speaking) {
                return;
            }
            let id = self.message_id();
            self.stop_commit = Some(id.clone());
            self.answer_stop_commit = true;
            self.transmit(now_ms, ClientMessage::InputAudioBufferCommit { message_id: Some(id) }, None);
        } else {
            // The provider's turn detection says nothing until it answers (Gemini): ending the
            // input stream closes an utterance in progress, and it answers that by itself.
            self.transmit(now_ms, ClientMessage::InputAudioBufferCommit { message_id: None }, None);
        }
    }

    /// By reference: the list `deliver` gets is read, not consumed (no `IntoIter<Ended>`).
    fn playback_ended(&mut self, ended: &playback::Ended) {
        let report = self.metrics.item_ended(&ended.item_id, ended.played_ms);
        self.event(SessionEvent::PlaybackEnded { item_id: ended.item_id.clone(), played_ms: ended.played_ms, received_ms: ended.received_ms });
        self.report_metrics(report);
    }

    fn report_metrics(&mut self, report: Option<TurnReport>) {
        if let Some(report) = report {
            self.event(SessionEvent::Metrics(report));
        }
    }

    /// The driver stopped `item_id` (after `Output::StopPlayback`) having rendered `played_ms`, with
    /// `output_latency_ms` still between it and the speaker. Truncates the item to what was heard.
    pub fn playback_stopped(&mut self, now_ms: f64, item_id: &str, played_ms: f64, output_latency_ms: f64) {
        let Some(interruption) = self.playback.as_mut().and_then(|p| p.stopped(item_id, played_ms, output_latency_ms)) else {
            return;
        };
        let mut interruption = interruption;
        let cut_by_loss = self.cut_playback.as_deref() == Some(item_id);
        if cut_by_loss {
            // The connection that streamed it is gone: there is no item to truncate.
            self.cut_playback = None;
        }
        if !self.codec.truncates_items() || cut_by_loss {
            // Nothing is cut on the server (Gemini cuts at the interruption itself).
            interruption.truncated_at_ms = None;
        }
        if let Some(audio_end_ms) = interruption.truncated_at_ms {
            if self.state == ConnectionState::Open {
                let truncate = ClientMessage::TruncateConversationItem {
                    message_id: None,
                    item_id: interruption.item_id.clone(),
                    content_index: interruption.content_index,
                    audio_end_ms,
                };
                self.transmit(now_ms, truncate, None);
            }
        }
        let report = self.metrics.playback_cut(interruption.played_ms);
        self.event(SessionEvent::Interrupted {
            item_id: interruption.item_id,
            played_ms: interruption.played_ms,
            heard_ms: interruption.heard_ms,
            received_ms: interruption.received_ms,
            output_latency_ms: interruption.output_latency_ms,
            truncated_at_ms: interruption.truncated_at_ms,
        });
        self.report_metrics(report);
    }

    /// Asks the driver to stop playback, when something is to be heard.
    fn stop_playback(&mut self) {
        let was_ducked = self.barge_in.as_mut().is_some_and(LocalBargeIn::settled);
        match self.playback.as_mut().and_then(playback::Playback::begin_interrupt) {
            Some(item_id) => self.output(Output::StopPlayback { item_id }),
            // Nothing left to stop (a stop already on its way flushes the held audio too): a held
            // playback must not stay held.
            None if was_ducked => self.output(Output::RestorePlayback),
            None => {}
        }
    }

    /// The driver's voice detector heard the user start (`true`) or stop speaking. During a reply,
    /// an onset ducks it at once; the server's report (or, where none will come, the speech
    /// lasting) turns the duck into a barge-in, its absence resumes the reply (see `barge_in`).
    pub fn local_speech(&mut self, now_ms: f64, started: bool) {
        if self.barge_in.is_none() || self.state == ConnectionState::Closed {
            return;
        }
        let step = if started {
            // Also while a reply's audio stalls on the network: the listener is in the middle of it
            // (a gap in the queue, not the end of the reply).
            let active = self.responses.active();
            let playing = self.playback.as_ref().is_some_and(|p| p.is_audible() || active.is_some_and(|id| p.is_streaming(id)));
            let allowed = self.state == ConnectionState::Open && self.interruption_allowed();
            let server_reports = self.server_reports_speech();
            let step = self.barge_in.as_mut().and_then(|b| b.speech_started(now_ms, playing && allowed, server_reports));
            self.event(SessionEvent::LocalSpeechStarted { ducked: step.is_some() });
            step
        } else {
            self.event(SessionEvent::LocalSpeechStopped);
            self.barge_in.as_mut().and_then(|b| b.speech_stopped(now_ms))
        };
        self.barge_in_step(now_ms, step);
    }

    /// Whether the server will report the user's speech now: always on OpenAI, only while
    /// generating on Gemini.
    fn server_reports_speech(&self) -> bool {
        self.codec.reports_speech_after_generation() || self.responses.active().is_some()
    }

    fn barge_in_step(&mut self, now_ms: f64, step: Option<BargeInStep>) {
        match step {
            Some(BargeInStep::Duck { until_ms }) => {
                self.output(Output::DuckPlayback);
                self.output(Output::ArmTimer { timer: Timer::BargeIn, at_ms: until_ms });
            }
            Some(BargeInStep::Restore) => self.output(Output::RestorePlayback),
            Some(BargeInStep::Stop) => {
                let actions = self.invoker.cancel_all(&mut self.responses, now_ms);
                self.apply(now_ms, actions);
                self.stop_playback();
            }
            None => {}
        }
    }

    /// The provider voided these calls (Gemini `toolCallCancellation`): their results are dropped.
    pub fn cancel_tool_calls(&mut self, now_ms: f64, call_ids: &[String]) {
        let actions = self.invoker.cancel_calls(&mut self.responses, call_ids, now_ms);
        self.apply(now_ms, actions);
    }

    /// The app interrupts the model: running tools are cancelled and the response in progress is
    /// cancelled on the server.
    pub fn interrupt(&mut self, now_ms: f64) {
        let actions = self.invoker.cancel_all(&mut self.responses, now_ms);
        self.apply(now_ms, actions);
        self.stop_playback();
        if self.state == ConnectionState::Open && self.responses.active().is_some() {
            self.transmit(now_ms, ClientMessage::CancelResponse { message_id: None, response_id: None }, None);
        }
    }

    /// A timer armed with `Output::ArmTimer` fired. A driver must not fire one before its time: a
    /// timer that comes early is taken for one that was superseded, and ignored.
    pub fn timer_fired(&mut self, now_ms: f64, timer: Timer) {
        if timer == Timer::BargeIn {
            let local_is_signal = !self.server_reports_speech();
            let step = self.barge_in.as_mut().and_then(|b| b.deadline(now_ms, local_is_signal));
            return self.barge_in_step(now_ms, step);
        }
        if self.state != ConnectionState::Connecting {
            return;
        }
        match timer {
            Timer::ConnectTimeout => {
                if !self.connect_deadline.is_some_and(|deadline| now_ms >= deadline) {
                    return;
                }
                self.connect_deadline = None;
                if self.reconnect.as_ref().is_some_and(ReconnectPolicy::is_attempting) {
                    // A hung attempt is a failed one (its socket is replaced by the next attempt).
                    let loss = "the new connection did not open in time".to_owned();
                    if self.connection_lost(now_ms, Loss::Dropped, loss) == Lost::GaveUp {
                        self.begin_close(1000, "reconnect failed");
                    }
                    return;
                }
                self.event(SessionEvent::sdk_error(ErrorCode::ConnectTimeout, "the session did not open in time"));
                self.begin_close(1000, "connect timeout");
            }
            Timer::Reconnect => self.attempt_if_due(now_ms),
            Timer::BargeIn => {}
        }
    }

    /// Idempotent: closing a closing or closed session does nothing.
    pub fn close(&mut self, now_ms: f64) {
        if self.state == ConnectionState::Connecting && self.reconnect.as_ref().is_some_and(ReconnectPolicy::is_waiting) {
            // Between attempts there is no socket to close: the session ends here.
            self.closed_by_us = true;
            self.set_state(ConnectionState::Closing);
            return self.finish_close(now_ms, 1000, "client closed", true);
        }
        if matches!(self.state, ConnectionState::Connecting | ConnectionState::Open) {
            self.begin_close(1000, "client closed");
        }
    }

    // ---- internals ----------------------------------------------------------------------------

    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// An id for a message of our own (`rtw_<n>`), to recognise the server's answer to it.
    fn message_id(&mut self) -> String {
        text!("rtw_", self.next_id())
    }

    /// Queues an output for the driver. Out of line: `Output` is a large enum, and `Vec::push`
    /// inlined at each of the many sites (its move and growth check) cost more wasm than a call.
    #[inline(never)]
    fn output(&mut self, output: Output) {
        self.outputs.push(output);
    }

    fn event(&mut self, event: SessionEvent) {
        self.output(Output::Event(event));
    }

    fn settle(&mut self, ticket: Option<Ticket>, result: Result<(), SessionError>) {
        if let Some(ticket) = ticket {
            self.output(Output::Settled { ticket, result });
        }
    }

    fn set_state(&mut self, state: ConnectionState) {
        if self.state != state {
            let previous = core::mem::replace(&mut self.state, state);
            self.event(SessionEvent::StateChange { state, previous });
        }
    }

    /// The connection (or a reconnect attempt) is gone: resume on a new one under the reconnect
    /// policy. On [`Lost::GaveUp`] the `reconnect_failed` error has been emitted; closing is the
    /// caller's (it knows whether a socket is still there).
    fn connection_lost(&mut self, now_ms: f64, loss: Loss, description: String) -> Lost {
        if self.reconnect.is_none() {
            return Lost::NotResumable;
        }
        // Gemini: the latest handle (none yet: resumption not granted, nothing to resume); OpenAI:
        // the options in effect.
        let Some(start) = self.codec.resume_start(&self.requested) else { return Lost::NotResumable };
        self.on_socket_open = start.on_socket_open;
        self.on_session_open = start.on_session_open;
        self.reconnecting = true;
        self.connect_deadline = None;
        self.set_state(ConnectionState::Connecting);
        let why = match loss {
            Loss::Dropped => "connection_lost",
            Loss::GoAway => "go_away",
            Loss::Expired => "session_expired",
        };
        self.end_cut_response(now_ms, why);
        // Requests the old connection never answered go again on the new one; calls of its other
        // responses settle like those of the cut one.
        self.responses.forget_connection();
        let actions = self.invoker.response_done(&mut self.responses);
        self.apply(now_ms, actions);
        self.replay.forget();
        let Some(decision) = self.reconnect.as_mut().map(|p| p.lost(now_ms, loss)) else { return Lost::NotResumable };
        self.last_loss = description.clone();
        if self.follow(now_ms, decision, description) {
            Lost::GaveUp
        } else {
            Lost::Resuming
        }
    }

    /// The response the lost connection was streaming will not finish: its playback stops, and the
    /// app gets its end (`cancelled`, `why` as the status reason) — which settles its tool calls as
    /// any ended response does (their results go out on the new connection).
    #[allow(clippy::field_reassign_with_default)] // on purpose: see the comment inside
    fn end_cut_response(&mut self, now_ms: f64, why: &str) {
        let Some(response_id) = self.responses.active().map(str::to_owned) else { return };
        if let Some(item_id) = self.playback.as_mut().and_then(playback::Playback::begin_interrupt) {
            self.cut_playback = Some(item_id.clone());
            self.output(Output::StopPlayback { item_id });
        }
        // Set on a default in place (a `..default()` literal builds a whole default, then moves it).
        let mut done = ResponseInfo::default();
        done.response_id = Some(response_id);
        done.status = Some(ResponseStatus::Cancelled);
        done.status_reason = Some(why.to_owned());
        self.deliver(now_ms, ServerMessage::ResponseDone(done));
    }

    /// The messages that re-create the conversation so far on a new connection, in order (none
    /// for a provider that keeps it). One loop from the view to the messages: no list of
    /// `(id, item)` pairs between them, whose element type cost its own iteration and drop code.
    fn replay_messages(&mut self) -> Vec<ClientMessage> {
        self.replay.forget();
        let mut messages = Vec::new();
        if !self.codec.replays_conversation() {
            return messages;
        }
        // A result whose call the bounded view has forgotten would be refused by the new
        // connection (an output for a call it never saw): it goes with its call.
        let mut calls = IdSet::default();
        for entry in self.conversation.items() {
            for content in &entry.contents {
                if let Content::FunctionCall { call_id, .. } = content {
                    calls.insert(call_id.clone());
                }
            }
        }
        let orphan = |c: &Content| matches!(c, Content::FunctionResult { call_id, .. } if !calls.contains(call_id));
        for entry in self.conversation.items() {
            if entry.contents.iter().any(orphan) {
                continue;
            }
            let item = ConversationItem { id: None, role: entry.role, status: entry.status, contents: entry.contents.clone() };
            if let Some(item) = self.codec.replay_item(&item) {
                messages.push(self.replay.item(entry.id.clone(), item));
            }
        }
        messages
    }

    /// A resumed connection has what the old one had: the session is open again and what the app
    /// sent meanwhile goes out, once, in order.
    fn resume_if_replayed(&mut self, now_ms: f64) {
        if self.state != ConnectionState::Connecting || !self.reconnecting || self.replay.in_progress() {
            return;
        }
        self.reconnecting = false;
        self.connect_deadline = None;
        if let Some(policy) = &mut self.reconnect {
            policy.connected(now_ms);
        }
        self.set_state(ConnectionState::Open);
        self.event(SessionEvent::Reconnected);
        self.flush_queue(now_ms);
        self.release_parked(now_ms);
    }

    fn flush_queue(&mut self, now_ms: f64) {
        for queued in core::mem::take(&mut self.queue) {
            self.transmit(now_ms, queued.message, queued.ticket);
        }
    }

    /// Turns a policy decision into events and timers; `true` when it gave up.
    fn follow(&mut self, now_ms: f64, decision: Decision, reason: String) -> bool {
        // One `reconnecting` event for both ways of going on (a retry has a time, waiting for the
        // network has none).
        let (attempt, retry) = match decision {
            Decision::Retry { attempt, delay_ms, at_ms } => (attempt, Some((delay_ms, at_ms))),
            Decision::WaitForNetwork { attempt } => (attempt, None),
            Decision::GiveUp { attempts, elapsed_ms } => {
                // Tenths of a second by hand: `{:.1}` links float formatting of its own (≈ 8 kB of wasm).
                let tenths = crate::float::round(elapsed_ms.max(0.0) / 100.0) as u64;
                let message = text!(
                    "gave up reconnecting after ",
                    attempts,
                    " failed attempt",
                    if attempts == 1 { "" } else { "s" },
                    " over ",
                    tenths / 10,
                    ".",
                    tenths % 10,
                    " s; last: ",
                    self.last_loss,
                );
                self.event(SessionEvent::sdk_error(ErrorCode::ReconnectFailed, message));
                return true;
            }
        };
        self.event(SessionEvent::Reconnecting { reason, attempt, delay_ms: retry.map(|(delay_ms, _)| delay_ms) });
        match retry {
            Some((_, at_ms)) if at_ms > now_ms => self.output(Output::ArmTimer { timer: Timer::Reconnect, at_ms }),
            Some(_) => self.attempt_if_due(now_ms),
            None => {}
        }
        false
    }

    /// Opens the next connection when the policy's scheduled attempt is due.
    fn attempt_if_due(&mut self, now_ms: f64) {
        if self.reconnect.as_mut().is_some_and(|p| p.take_due(now_ms)) {
            self.output(Output::Reconnect);
            self.arm_connect_timeout(now_ms);
        }
    }

    fn arm_connect_timeout(&mut self, now_ms: f64) {
        if self.connect_timeout_ms > 0.0 {
            let at_ms = now_ms + self.connect_timeout_ms;
            self.connect_deadline = Some(at_ms);
            self.output(Output::ArmTimer { timer: Timer::ConnectTimeout, at_ms });
        }
    }

    /// The socket is gone: the session is closed, every pending send rejected, running tools
    /// cancelled, then the `close` event.
    fn finish_close(&mut self, now_ms: f64, code: u16, reason: &str, was_clean: bool) {
        let previous = self.state;
        self.set_state(ConnectionState::Closed);
        let code_name = if self.reconnect.as_ref().is_some_and(ReconnectPolicy::gave_up) {
            ErrorCode::ReconnectFailed
        } else if previous == ConnectionState::Connecting {
            ErrorCode::ConnectionFailed
        } else {
            ErrorCode::SessionClosed
        };
        let error = SessionError::state(code_name, text!("the session closed before this message was sent (", CloseCode(code, reason), ")"));
        self.reject_pending(&error);
        let actions = self.invoker.cancel_all(&mut self.responses, now_ms);
        self.apply(now_ms, actions);
        self.event(SessionEvent::Close { code, reason: reason.to_owned(), was_clean });
    }

    fn begin_close(&mut self, code: u16, reason: &str) {
        self.closed_by_us = true;
        self.set_state(ConnectionState::Closing);
        self.output(Output::CloseSocket { code, reason: reason.to_owned() });
    }

    fn reject_pending(&mut self, error: &SessionError) {
        // Taken whole, not drained: a `VecDeque::drain` per element type costs a kilobyte of wasm.
        // Read by reference: no consuming iterator (and its drop code) per element type.
        let queued = core::mem::take(&mut self.queue);
        let parked = self.responses.drain();
        for queued in &queued {
            self.settle(queued.ticket, Err(error.clone()));
        }
        for parked in &parked {
            self.settle(parked.ticket, Err(error.clone()));
        }
    }

    /// Queue, sequence, intercept, encode, send.
    fn transmit(&mut self, now_ms: f64, message: ClientMessage, ticket: Option<Ticket>) {
        match self.state {
            ConnectionState::Connecting => {
                // Reject a bad message now, not when the session opens.
                if let Err(e) = self.codec.validate(&message) {
                    self.settle(ticket, Err(encode_error(&e)));
                    return;
                }
                self.queue.push(Queued { message, ticket });
                return;
            }
            ConnectionState::Closing | ConnectionState::Closed => {
                let error = SessionError::state(ErrorCode::SessionClosed, text!("cannot send ", message.kind(), ": the session is ", self.state.name()));
                self.settle(ticket, Err(error));
                return;
            }
            ConnectionState::Open => {}
        }
        self.transmit_now(now_ms, message, ticket);
    }

    /// Sequence, intercept, encode, send — on a connection that takes it (open, or a resumed one
    /// being given its options and conversation).
    fn transmit_now(&mut self, now_ms: f64, message: ClientMessage, ticket: Option<Ticket>) {
        let mut message = match message {
            // Moved, not cloned (as into `ResponseTracker::sent` below): no `CreateResponse::clone` in the package.
            ClientMessage::CreateResponse(request) if !self.responses.may_send(&request) => {
                self.responses.park(Request { request, ticket });
                return;
            }
            other => other,
        };
        if let ClientMessage::CreateResponse(request) = &mut message {
            // Our own id, so a refusal of this very request can be recognised.
            if request.message_id.is_none() && request.exclude_from_conversation != Some(true) {
                request.message_id = Some(self.message_id());
            }
        }
        for middleware in &mut self.middleware {
            match middleware.on_send(message) {
                Some(m) => message = m,
                None => {
                    self.settle(ticket, Ok(()));
                    return;
                }
            }
        }
        // Ids the app knows from an earlier connection, as this one knows them.
        self.replay.to_server(&mut message);
        match self.codec.encode(&message) {
            Ok(frames) => {
                // A request that encodes to nothing (Gemini's bare `createResponse`) starts no
                // response: counting it in flight would park every later one for good.
                if let (ClientMessage::CreateResponse(request), false) = (message, frames.is_empty()) {
                    self.responses.sent(request);
                }
                for frame in frames {
                    self.output(Output::Transmit(frame));
                }
                self.settle(ticket, Ok(()));
            }
            Err(e) => {
                let error = encode_error(&e);
                if ticket.is_none() {
                    self.event(SessionEvent::sdk_error(error.code, text!(e)));
                }
                self.settle(ticket, Err(error));
                // The queue may have been waiting on this one.
                self.release_parked(now_ms);
            }
        }
    }

    fn release_parked(&mut self, now_ms: f64) {
        if let Some(Request { request, ticket }) = self.responses.next_ready() {
            self.transmit(now_ms, ClientMessage::CreateResponse(request), ticket);
        }
    }

    fn receive(&mut self, now_ms: f64, message: ServerMessage) {
        let mut message = message;
        match self.replay.acknowledge(&message) {
            Acknowledged::Echo => return self.resume_if_replayed(now_ms),
            Acknowledged::Refused => {
                self.deliver(now_ms, message);
                return self.resume_if_replayed(now_ms);
            }
            Acknowledged::No => {}
        }
        self.replay.to_app(&mut message);
        self.deliver(now_ms, message);
    }

    /// A server message (ids as the app knows them) through the middleware to the session's parts
    /// and the app.
    fn deliver(&mut self, now_ms: f64, message: ServerMessage) {
        let mut message = message;
        for middleware in self.middleware.iter_mut().rev() {
            match middleware.on_receive(message) {
                Some(m) => message = m,
                None => return,
            }
        }
        self.conversation.observe(&message);
        let ended = self.playback.as_mut().map(|p| p.observe(&message)).unwrap_or_default();
        let report = self.metrics.observe(now_ms, &message);
        let mut after: Vec<Action> = Vec::new();
        let mut play: Option<Output> = None;
        // What the message makes the session send, after the app has seen it (one tail for
        // every such message rather than a copy of the tail per message).
        let mut then: Option<Request> = None;
        let mut go_away = false;
        match &message {
            ServerMessage::SessionCreated(info) => {
                self.adopt_options(&info.options);
                if !self.on_session_open.is_empty() {
                    // Our options go out right now; until the server confirms them, they are the
                    // best statement of what is in effect.
                    merge_requested(&mut self.effective, &self.requested);
                }
                if self.state == ConnectionState::Connecting && self.reconnecting {
                    // A resumed connection: the options again, then the conversation (where the
                    // provider forgot it); open once the server has it all.
                    for first in core::mem::take(&mut self.on_session_open) {
                        self.transmit_now(now_ms, first, None);
                    }
                    for item in self.replay_messages() {
                        self.transmit_now(now_ms, item, None);
                    }
                    return self.resume_if_replayed(now_ms);
                }
                if self.state == ConnectionState::Connecting {
                    self.connect_deadline = None;
                    if let Some(policy) = &mut self.reconnect {
                        policy.connected(now_ms);
                    }
                    self.set_state(ConnectionState::Open);
                    self.output(Output::Message(message));
                    for first in core::mem::take(&mut self.on_session_open) {
                        self.transmit(now_ms, first, None);
                    }
                    self.flush_queue(now_ms);
                    return;
                }
            }
            ServerMessage::SessionUpdated(info) => self.adopt_options(&info.options),
            ServerMessage::Error(e) if e.error.code.as_deref() == Some(EXPIRED_ERROR_CODE) && self.state == ConnectionState::Open => {
                // The provider ends the session (OpenAI after 60 minutes): resume on a new one; the
                // app learns it from `reconnecting` (or, when it cannot be resumed, this error).
                let description = text!("the session expired (", e.error.message, ")");
                match self.connection_lost(now_ms, Loss::Expired, description) {
                    Lost::Resuming => return,
                    Lost::GaveUp => return self.begin_close(1000, "reconnect failed"),
                    Lost::NotResumable => {}
                }
            }
            ServerMessage::Error(e) => {
                if self.responses.refused(e.originating_message_id.as_deref(), e.error.code.as_deref()) {
                    return; // our own createResponse raced a server-started response: it waits instead
                }
                if e.originating_message_id.is_some() && e.originating_message_id == self.stop_commit {
                    self.stop_commit = None;
                    self.answer_stop_commit = false;
                    return; // the server had ended that turn itself (its VAD was faster): nothing to commit
                }
            }
            ServerMessage::ResponseCreated(r) => self.responses.created(r.response_id.as_deref(), r.in_conversation),
            ServerMessage::ResponseDone(r) => {
                if let (Some(policy), ConnectionState::Open) = (&mut self.reconnect, self.state) {
                    policy.turn_completed(); // the connection works: a later drop is a new outage
                }
                then = self.responses.done(r.response_id.as_deref(), r.in_conversation);
                after = self.invoker.response_done(&mut self.responses);
            }
            ServerMessage::ResponseOutputItemDone(o) => {
                let tools = self.requested.tools.as_deref().unwrap_or_default();
                let declared = |name: &str| tools.iter().any(|t| t.name() == name);
                after = self.invoker.output_item_done(&mut self.responses, o.response_id.as_deref(), &o.item, &declared, now_ms);
            }
            ServerMessage::InputAudioBufferSpeechStarted(_) => {
                self.user_speaking = true;
                self.stop_commit = None;
                self.answer_stop_commit = false;
                self.invoker.new_turn();
                if self.interruption_allowed() {
                    after = self.invoker.cancel_all(&mut self.responses, now_ms);
                    self.stop_playback();
                }
            }
            ServerMessage::OutputAudioDelta(delta) => {
                if let (Some(playback), Some(audio)) = (&mut self.playback, &delta.audio) {
                    let p = &delta.position;
                    if playback.on_audio(&p.item_id, p.response_id.as_deref(), p.content_index, audio.len()) {
                        self.metrics.audio_queued(&p.item_id);
                        play = Some(Output::PlayAudio { item_id: p.item_id.clone(), audio: audio.clone() });
                    }
                }
            }
            ServerMessage::InputAudioBufferSpeechStopped(_) => {
                self.user_speaking = false;
                self.answer_stop_commit = false; // the server ended the turn itself, and answers it
            }
            ServerMessage::InputAudioBufferCommitted(_) => {
                self.user_speaking = false;
                self.invoker.new_turn();
                if core::mem::take(&mut self.answer_stop_commit) && self.effective.voice_activity_detection.as_ref().is_none_or(|v| v.create_response != Some(false)) {
                    // Our commit (the microphone stopped mid-utterance): ask for the answer the
                    // server's turn detection would have started.
                    then = Some(Request { request: CreateResponse::default(), ticket: None });
                }
            }
            ServerMessage::ToolCallsCancelled(c) => after = self.invoker.cancel_calls(&mut self.responses, &c.call_ids, now_ms),
            // The app sees the notice; the session moves before the server closes.
            ServerMessage::GoAway(_) => go_away = true,
            _ => {}
        }
        // The app sees the message before anything it triggers.
        self.output(Output::Message(message));
        self.report_metrics(report);
        if let Some(play) = play {
            self.output(play);
        }
        for ended in &ended {
            self.playback_ended(ended);
        }
        self.apply(now_ms, after);
        if let Some(Request { request, ticket }) = then {
            self.transmit(now_ms, ClientMessage::CreateResponse(request), ticket);
        }
        if go_away
            && self.state == ConnectionState::Open
            && self.connection_lost(now_ms, Loss::GoAway, "the provider asked to reconnect (goAway)".to_owned()) == Lost::GaveUp
        {
            self.begin_close(1000, "reconnect failed");
        }
    }

    fn interruption_allowed(&self) -> bool {
        self.effective.voice_activity_detection.as_ref().is_none_or(|v| v.enabled && v.allow_interruption)
    }

    /// The server's report becomes the effective options; what it cannot report (tools it was not
    /// told about, provider options) is kept from what the app asked.
    fn adopt_options(&mut self, reported: &SessionOptions) {
        let mut effective = reported.clone();
        if effective.tools.as_ref().is_none_or(Vec::is_empty) {
            effective.tools = self.requested.tools.clone().or(effective.tools);
        }
        effective.tool_mode = effective.tool_mode.or_else(|| self.requested.tool_mode.clone());
        effective.provider_options = self.requested.provider_options.clone();
        self.effective = effective;
    }

    fn apply(&mut self, now_ms: f64, actions: Vec<Action>) {
        for action in actions {
            match action {
                Action::Run(run) => self.output(Output::RunTool(run)),
                Action::Cancel(call_id) => self.output(Output::CancelTool { call_id }),
                Action::Event(event) => self.event(event),
                Action::Send(message) => self.transmit(now_ms, message, None),
            }
        }
    }
}

/// What became of a lost connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lost {
    /// A new connection is on its way (now, after a delay, or when the network is back).
    Resuming,
    /// The reconnect policy gave up (`reconnect_failed` emitted).
    GaveUp,
    /// Reconnecting is off, or the provider has nothing to resume with.
    NotResumable,
}

/// An encoding failure as the error the app gets (the JS error class follows `kind`).
fn encode_error(e: &EncodeError) -> SessionError {
    let kind = match e.kind {
        EncodeErrorKind::Range => ErrorKind::Range,
        EncodeErrorKind::Type => ErrorKind::Type,
        EncodeErrorKind::Unsupported => ErrorKind::State,
    };
    let code = if kind == ErrorKind::State { ErrorCode::Unsupported } else { ErrorCode::InvalidMessage };
    SessionError { kind, code, message: e.message.clone(), field: e.field.clone() }
}

/// A `sessionUpdate` that sets the tool list only (registering and unregistering share it). The
/// default is built in place and its one field set: a `..default()` literal builds a whole default
/// and then moves it, which costs code at every site.
#[allow(clippy::field_reassign_with_default)] // on purpose: see the doc comment
fn tools_update(tools: Vec<Tool>) -> ClientMessage {
    let mut options = SessionOptions::default();
    options.tools = Some(tools);
    ClientMessage::SessionUpdate { message_id: None, options }
}

/// User input starts a new turn (tool counters reset).
fn is_user_input(message: &ClientMessage) -> bool {
    match message {
        ClientMessage::CreateConversationItem { item, .. } => item.role == Some(Role::User),
        ClientMessage::InputAudioBufferCommit { .. } => true,
        _ => false,
    }
}

/// Field-by-field: what the app sets in an update replaces what it asked before.
fn merge_requested(requested: &mut SessionOptions, update: &SessionOptions) {
    macro_rules! take {
        ($($field:ident),*) => { $( if update.$field.is_some() { requested.$field = update.$field.clone(); } )* };
    }
    take!(model, input_audio_format, output_audio_format, transcription, voice, instructions, max_output_tokens,
          output_modalities, tool_mode, tools, voice_activity_detection, provider_options);
}

/// A WebSocket close as messages quote it: `code 1006`, or `code 1011: <reason>`. A [`Piece`],
/// not a `String`: nothing is allocated for the reason that may be empty.
pub(crate) struct CloseCode<'a>(pub u16, pub &'a str);

impl Piece for CloseCode<'_> {
    fn push_to(&self, out: &mut String) {
        "code ".push_to(out);
        self.0.push_to(out);
        if !self.1.is_empty() {
            ": ".push_to(out);
            self.1.push_to(out)
        }
    }
}

/// A user text turn: the item, then (optionally) a response.
pub fn text_turn(text: &str, create_response: bool) -> Vec<ClientMessage> {
    let item = ClientMessage::CreateConversationItem { message_id: None, item: ConversationItem::user_text(text), previous_item_id: None };
    then_response(item, create_response)
}

/// `first`, then (optionally) a response: a user turn (text, or the audio committed).
pub fn then_response(first: ClientMessage, create_response: bool) -> Vec<ClientMessage> {
    let mut messages = vec![first];
    if create_response {
        messages.push(ClientMessage::CreateResponse(CreateResponse::default()));
    }
    messages
}
