//! What the session asks of its driver (frames to send, messages and events for the app, tools to
//! run, timers to arm), and the errors it reports.

use crate::prelude::*;
use crate::text::Piece;
use crate::model::{Base64Data, ErrorInfo, ServerMessage};
use serde::Serialize;
use crate::json::JsonValue;
use core::fmt;

/// Identifies one app `send`, settled exactly once by `Output::Settled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticket(pub u64);

/// Connection lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConnectionState {
    Connecting,
    Open,
    Closing,
    Closed,
}

impl ConnectionState {
    pub fn name(self) -> &'static str {
        // By the discriminant: the variants are in the list's order.
        crate::text::word_at("connecting open closing closed ", self as usize)
    }
}

/// Timers the session arms (the driver fires them back with `timer_fired`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// Gives up if the session is not open by then (a reconnect attempt: that attempt failed).
    ConnectTimeout,
    /// The reconnect policy's next attempt is due.
    Reconnect,
    /// A local barge-in's wait (for the server's confirmation, or for the speech to last) is over.
    BargeIn,
}

/// How an app-facing error should surface in JS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Wrong shape (`TypeError`).
    Type,
    /// Out of range (`RangeError`).
    Range,
    /// Valid but not now, or not possible (`Error`).
    State,
}

/// Declares [`ErrorCode`]: each variant with its wire name, and the list of all of them (so the
/// list cannot miss a variant).
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal,)*) => {
        /// Every code the SDK's own errors carry: `error.code` of an `error` event with
        /// `source: "sdk"`, `.code` of a rejected promise. The d.ts union `RealtimeErrorCode` lists
        /// the same names (checked by `tests/error_codes.rs`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                // By the discriminant: the variants are in the list's order.
                $crate::text::word_at(concat!($($name, " "),*), self as usize)
            }
        }
    };
}

error_codes! {
    /// The connection closed (or failed) before the session opened.
    ConnectionFailed = "connection_failed",
    /// The server closed an open session with an error code.
    ConnectionClosed = "connection_closed",
    /// The session did not open within `connectTimeoutMs`.
    ConnectTimeout = "connect_timeout",
    /// A call on a session that is closing or closed (or was released).
    SessionClosed = "session_closed",
    /// The provider cannot do this (e.g. Gemini cannot change an open session).
    Unsupported = "unsupported",
    /// A message the provider's codec cannot express (wrong type or out of range).
    InvalidMessage = "invalid_message",
    /// A frame from the server could not be decoded.
    DecodeError = "decode_error",
    /// A frame from the server was over `maxFrameBytes` and was dropped.
    FrameTooLarge = "frame_too_large",
    /// The reconnect policy gave up.
    ReconnectFailed = "reconnect_failed",
    /// The model called a tool nobody declared (`terminateOnUnknownCalls`).
    UnknownTool = "unknown_tool",
    /// `maxConsecutiveErrors` tool calls failed in a row.
    TooManyToolErrors = "too_many_tool_errors",
    /// `maxIterationsPerTurn` tool rounds this turn.
    MaxToolIterations = "max_tool_iterations",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// An error the session reports to the app: a failed `send`, or an SDK-side problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionError {
    pub kind: ErrorKind,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    pub message: String,
    /// The offending field, for `Type`/`Range` errors.
    pub field: Option<String>,
}

impl SessionError {
    pub fn state(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { kind: ErrorKind::State, code, message: message.into(), field: None }
    }
}

/// `field: message`, or the message alone.
impl Piece for SessionError {
    fn push_to(&self, out: &mut String) {
        crate::text::labelled(self.field.as_deref(), &self.message, out)
    }
}

impl fmt::Display for SessionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::display(self, f)
    }
}

impl core::error::Error for SessionError {}

/// Every name `RealtimeSession.on()` delivers: the server message types, the session's events and
/// the browser shell's own (`inputLevel`, `outputLevel`, `playbackBlocked`). The same set as the
/// d.ts `SessionEventMap` (checked by `tests/error_codes.rs`); other names are warned about. One
/// text, each name followed by a space, not a table of pointers; the server message names are the
/// model's own list (`server_message_kinds!`), so a new message is named once.
pub const EVENT_NAMES: &str = concat!(
    // server messages
    crate::model::server_message_kinds!(),
    // the session's events
    "stateChange close interrupted playbackEnded reconnecting reconnected toolCallStarted ",
    "toolCallCompleted metrics localSpeechStarted localSpeechStopped ",
    // the browser shell's
    "inputLevel outputLevel playbackBlocked ",
);

/// How many server message names `EVENT_NAMES` starts with.
const SERVER_KINDS: usize = {
    let names = crate::model::server_message_kinds!().as_bytes();
    let (mut i, mut count) = (0, 0);
    while i < names.len() {
        count += (names[i] == b' ') as usize;
        i += 1;
    }
    count
};

/// SDK events, delivered beside the server messages (the JS `on(type)` names).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum SessionEvent {
    StateChange {
        state: ConnectionState,
        previous: ConnectionState,
    },
    /// An SDK-side error (the server's own errors arrive as the `error` server message).
    #[serde(rename_all = "camelCase")]
    Error {
        error: ErrorInfo,
        #[serde(skip_serializing_if = "Option::is_none")]
        originating_message_id: Option<String>,
        source: &'static str,
    },
    #[serde(rename_all = "camelCase")]
    Close {
        code: u16,
        reason: String,
        was_clean: bool,
    },
    /// Barge-in or `interrupt()` stopped playback; the figures say what the listener heard and where
    /// the item was truncated (absent when it had been heard to the end).
    #[serde(rename_all = "camelCase")]
    Interrupted {
        item_id: String,
        played_ms: f64,
        heard_ms: f64,
        received_ms: f64,
        output_latency_ms: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        truncated_at_ms: Option<u32>,
    },
    /// An assistant audio item was played to its last sample (silence during underruns not counted).
    #[serde(rename_all = "camelCase")]
    PlaybackEnded {
        item_id: String,
        played_ms: f64,
        received_ms: f64,
    },
    /// The on-device voice detector heard the user start speaking; `ducked`: the reply playing was
    /// faded out at once (it resumes unless the barge-in is confirmed).
    LocalSpeechStarted {
        ducked: bool,
    },
    /// The on-device voice detector heard the user stop speaking.
    LocalSpeechStopped,
    /// The provider asked to move (`goAway`), the connection dropped, or an attempt failed: attempt
    /// number `attempt` of this outage opens a new connection in `delay_ms` (absent: when the
    /// network is back); messages sent meanwhile wait; the message stream goes on.
    #[serde(rename_all = "camelCase")]
    Reconnecting {
        reason: String,
        attempt: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        delay_ms: Option<f64>,
    },
    Reconnected,
    #[serde(rename_all = "camelCase")]
    ToolCallStarted {
        call_id: String,
        name: String,
        arguments: JsonValue,
    },
    #[serde(rename_all = "camelCase")]
    ToolCallCompleted {
        call_id: String,
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        result: Option<JsonValue>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        cancelled: bool,
        duration_ms: f64,
    },
    /// One response's timing and playback health (see `turn_metrics`).
    Metrics(super::turn_metrics::TurnReport),
}

impl SessionEvent {
    pub fn kind(&self) -> &'static str {
        // The name's place in `EVENT_NAMES`: `error` is the server message's (the first), the
        // session's own follow the server messages'.
        let index = match self {
            SessionEvent::StateChange { .. } => SERVER_KINDS,
            SessionEvent::Error { .. } => 0,
            SessionEvent::Close { .. } => SERVER_KINDS + 1,
            SessionEvent::Interrupted { .. } => SERVER_KINDS + 2,
            SessionEvent::PlaybackEnded { .. } => SERVER_KINDS + 3,
            SessionEvent::LocalSpeechStarted { .. } => SERVER_KINDS + 9,
            SessionEvent::LocalSpeechStopped => SERVER_KINDS + 10,
            SessionEvent::Reconnecting { .. } => SERVER_KINDS + 4,
            SessionEvent::Reconnected => SERVER_KINDS + 5,
            SessionEvent::ToolCallStarted { .. } => SERVER_KINDS + 6,
            SessionEvent::ToolCallCompleted { .. } => SERVER_KINDS + 7,
            SessionEvent::Metrics(_) => SERVER_KINDS + 8,
        };
        crate::text::word_at(EVENT_NAMES, index)
    }

    pub(crate) fn sdk_error(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::sdk_error_owned(code, message.into())
    }

    /// The body of [`SessionEvent::sdk_error`], out of line: inlined where the message is a `&str`,
    /// its two string allocations and the event's construction were repeated at every such site.
    #[inline(never)]
    fn sdk_error_owned(code: ErrorCode, message: String) -> Self {
        SessionEvent::Error {
            error: ErrorInfo { message, code: Some(code.as_str().into()), kind: Some("sdk_error".into()), param: None },
            originating_message_id: None,
            source: "sdk",
        }
    }
}

impl crate::json::ToJson for ConnectionState {
    fn write_json(&self, out: &mut String) {
        self.name().write_json(out)
    }
}

impl crate::json::ToJson for SessionEvent {
    fn write_json(&self, out: &mut String) {
        let mut o = crate::json::JsonObject::new(out);
        o.tag(self.kind());
        match self {
            SessionEvent::StateChange { state, previous } => o.field("state", state).field("previous", previous),
            SessionEvent::Error { error, originating_message_id, source } => {
                o.field("error", error).field("originatingMessageId", originating_message_id).field("source", source)
            }
            SessionEvent::Close { code, reason, was_clean } => o.field("code", code).field("reason", reason).field("wasClean", was_clean),
            SessionEvent::Interrupted { item_id, played_ms, heard_ms, received_ms, output_latency_ms, truncated_at_ms } => o
                .field("itemId", item_id)
                .field("playedMs", played_ms)
                .field("heardMs", heard_ms)
                .field("receivedMs", received_ms)
                .field("outputLatencyMs", output_latency_ms)
                .field("truncatedAtMs", truncated_at_ms),
            SessionEvent::PlaybackEnded { item_id, played_ms, received_ms } => {
                o.field("itemId", item_id).field("playedMs", played_ms).field("receivedMs", received_ms)
            }
            SessionEvent::Reconnecting { reason, attempt, delay_ms } => {
                o.field("reason", reason).field("attempt", attempt).field("delayMs", delay_ms)
            }
            SessionEvent::Reconnected | SessionEvent::LocalSpeechStopped => &mut o,
            SessionEvent::LocalSpeechStarted { ducked } => o.field("ducked", ducked),
            SessionEvent::Metrics(report) => {
                crate::json::JsonFields::write_fields(report, &mut o);
                &mut o
            }
            SessionEvent::ToolCallStarted { call_id, name, arguments } => {
                o.field("callId", call_id).field("name", name).field("arguments", arguments)
            }
            SessionEvent::ToolCallCompleted { call_id, name, result, error, cancelled, duration_ms } => o
                .field("callId", call_id)
                .field("name", name)
                .field("result", result)
                .field("error", error)
                .field("cancelled", cancelled)
                .field("durationMs", duration_ms),
        };
        o.end();
    }
}

/// A registered tool handler to run. The driver reports back with `Session::tool_finished`.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolRun {
    pub call_id: String,
    pub name: String,
    pub arguments: JsonValue,
}

/// What the driver must do next, in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send this text frame on the socket.
    Transmit(String),
    /// Deliver a server message to the app (events + message stream), in wire order.
    Message(ServerMessage),
    Event(SessionEvent),
    RunTool(ToolRun),
    /// Abort a running handler (its result will be dropped anyway).
    CancelTool { call_id: String },
    Settled { ticket: Ticket, result: Result<(), SessionError> },
    ArmTimer { timer: Timer, at_ms: f64 },
    /// Queue this assistant audio (PCM16 LE at the codec's output rate) for playback.
    PlayAudio { item_id: String, audio: Base64Data },
    /// Fade out within 10 ms, flush, and report with `Session::playback_stopped`.
    StopPlayback { item_id: String },
    /// Fade out within 10 ms and hold what is queued (not counted as played) until
    /// `RestorePlayback` or `StopPlayback`.
    DuckPlayback,
    /// Fade the held playback back in where it was.
    RestorePlayback,
    /// Drop the socket (without reporting its close) and open a new one to the same place — with a
    /// fresh credential where the app gave a token provider — then report `socket_opened`.
    Reconnect,
    /// Close the socket with this code and reason.
    CloseSocket { code: u16, reason: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    /// Names by place in a list: each as serde (or the d.ts) spells it.
    #[test]
    fn names_by_place_are_the_right_ones() {
        for state in [ConnectionState::Connecting, ConnectionState::Open, ConnectionState::Closing, ConnectionState::Closed] {
            assert_eq!(serde_json::to_value(state).unwrap(), state.name());
        }
        assert_eq!([ErrorCode::ConnectionFailed.as_str(), ErrorCode::MaxToolIterations.as_str()], ["connection_failed", "max_tool_iterations"]);
    }

    /// The SDK's writer gives what serde's derived form gives, for every kind of event.
    #[test]
    fn events_write_as_serde_writes() {
        let events = [
            SessionEvent::StateChange { state: ConnectionState::Open, previous: ConnectionState::Connecting },
            SessionEvent::sdk_error(ErrorCode::DecodeError, "it \"broke\"\n"),
            SessionEvent::LocalSpeechStarted { ducked: true },
            SessionEvent::LocalSpeechStopped,
            SessionEvent::Error { error: ErrorInfo::default(), originating_message_id: Some("m".into()), source: "server" },
            SessionEvent::Close { code: 1006, reason: String::new(), was_clean: false },
            SessionEvent::Interrupted {
                item_id: "i".into(),
                played_ms: 1.5,
                heard_ms: 1.125,
                received_ms: 0.5,
                output_latency_ms: 12.25,
                truncated_at_ms: Some(3),
            },
            SessionEvent::PlaybackEnded { item_id: "i".into(), played_ms: 100.5, received_ms: 0.001 },
            SessionEvent::Reconnecting { reason: "goAway".into(), attempt: 2, delay_ms: None },
            SessionEvent::Reconnected,
            SessionEvent::ToolCallStarted { call_id: "c".into(), name: "f".into(), arguments: json!({ "a": [1, 2.5, null] }).into() },
            SessionEvent::ToolCallCompleted {
                call_id: "c".into(),
                name: "f".into(),
                result: Some(json!("ok").into()),
                error: None,
                cancelled: true,
                duration_ms: 3.5,
            },
        ];
        for event in &events {
            assert_eq!(serde_json::to_value(event).unwrap()["type"], event.kind());
            let text = crate::json::to_string(event);
            let ours: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(ours, serde_json::to_value(event).unwrap(), "{text}");
        }
    }
}
