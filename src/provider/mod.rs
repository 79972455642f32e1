//! Wire codecs, one per provider, behind one trait: neutral client messages in, wire frames out;
//! wire frames in, neutral server messages out. A codec also knows its provider's URL, browser auth
//! form and audio rates.
//!
//! Owns: the mapping between `model` types and each provider's JSON.
//! Must never: do I/O, keep connection state beyond what the wire mapping itself needs, panic on
//! input (every frame is untrusted), or import `web_sys`/`js_sys`/`wasm_bindgen`.

use crate::prelude::*;

pub mod gemini;
pub mod openai;

use crate::model::{ClientMessage, ConversationItem, ServerMessage, SessionOptions};
use crate::text::{labelled, text, Piece};
use core::fmt;

pub use gemini::GeminiCodec;
pub use openai::OpenAiCodec;

/// Which provider a session talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    OpenAi,
    Gemini,
}

impl Provider {
    pub fn parse(name: &str) -> Option<Provider> {
        match name {
            "openai" => Some(Provider::OpenAi),
            "gemini" => Some(Provider::Gemini),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Provider::OpenAi => "openai",
            Provider::Gemini => "gemini",
        }
    }

    /// A fresh codec for this provider.
    pub fn codec(self) -> Box<dyn Codec> {
        match self {
            Provider::OpenAi => Box::new(OpenAiCodec::new()),
            Provider::Gemini => Box::new(GeminiCodec::new()),
        }
    }
}

/// A client message the provider cannot express, or a field out of range. `field` names the
/// offending field (dotted path in the neutral serde form) so the JS layer can throw a precise
/// `TypeError`/`RangeError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    pub field: Option<String>,
    pub message: String,
    pub kind: EncodeErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncodeErrorKind {
    /// A value outside its allowed range or set (JS `RangeError`).
    Range,
    /// A value of the wrong shape (JS `TypeError`).
    Type,
    /// Valid, but this provider has no way to do it.
    Unsupported,
}

impl EncodeError {
    pub fn range(field: &str, message: impl Into<String>) -> Self {
        Self { field: Some(field.into()), message: message.into(), kind: EncodeErrorKind::Range }
    }
    pub fn shape(field: &str, message: impl Into<String>) -> Self {
        Self { field: Some(field.into()), message: message.into(), kind: EncodeErrorKind::Type }
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self { field: None, message: message.into(), kind: EncodeErrorKind::Unsupported }
    }
}

/// `field: message`, or the message alone.
impl Piece for EncodeError {
    fn push_to(&self, out: &mut String) {
        labelled(self.field.as_deref(), &self.message, out)
    }
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::display(self, f)
    }
}

impl core::error::Error for EncodeError {}

/// The first error an encoding met. The checks note it and go on with a stand-in value; the
/// message fails once, at the end (as the OpenAI decoder's strict reads do), instead of every
/// helper returning a `Result` its caller unpacks and moves on (package size). Only the first is
/// kept: the one the checks, in their order, would have returned.
#[derive(Default)]
pub(crate) struct Check(Option<EncodeError>);

impl Check {
    pub(crate) fn fail(&mut self, error: EncodeError) {
        if self.0.is_none() {
            self.0 = Some(error);
        }
    }

    /// `value`, or the first error noted.
    pub(crate) fn result<T>(&mut self, value: T) -> Result<T, EncodeError> {
        match self.0.take() {
            None => Ok(value),
            Some(error) => Err(error),
        }
    }
}

/// A frame that is not valid JSON, or a known event of the wrong shape. Unknown event types are not
/// errors: they decode to `ServerMessage::Raw`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The wire event type, when the frame got far enough to have one.
    pub event_type: Option<String>,
    pub message: String,
}

/// `event_type: message`, or the message alone.
impl Piece for DecodeError {
    fn push_to(&self, out: &mut String) {
        labelled(self.event_type.as_deref(), &self.message, out)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::display(self, f)
    }
}

impl core::error::Error for DecodeError {}

/// Where and how to open the WebSocket from a browser (which cannot set headers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectRequest {
    pub url: String,
    pub protocols: Vec<String>,
}

/// What the app supplies to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectConfig {
    pub model: String,
    /// Overrides the provider's public endpoint (an emulator, a proxy).
    pub endpoint: Option<String>,
    /// An ephemeral token (or, when the app opted in, an API key). Never logged.
    pub credential: String,
}

/// How a provider starts a session from the app's initial options.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionStart {
    /// Frames to send as soon as the socket opens, before the server says the session exists
    /// (Gemini's `setup`).
    pub on_socket_open: Vec<String>,
    /// Messages to send first once the session is open (OpenAI's `session.update`).
    pub on_session_open: Vec<ClientMessage>,
}

/// One provider's wire mapping. Stateful where the provider needs it (Gemini synthesizes response
/// lifecycles), hence `&mut self`.
pub trait Codec {
    fn provider(&self) -> Provider;
    /// Sample rate of `inputAudioBufferAppend` audio (PCM16 LE mono).
    fn input_audio_rate(&self) -> u32;
    /// Sample rate of `outputAudioDelta` audio (PCM16 LE mono).
    fn output_audio_rate(&self) -> u32;
    fn connect_request(&self, config: &ConnectConfig) -> ConnectRequest;
    /// The model the client was configured with (used where the protocol names it in a frame).
    fn set_model(&mut self, _model: &str) {}
    /// Asks the provider to keep the session resumable (before `session_start`); `false` when it
    /// cannot.
    fn enable_resumption(&mut self) -> bool {
        false
    }
    /// How to start a new connection that resumes the session: Gemini with the handle it handed
    /// out (the server kept the session); OpenAI afresh from `options` — the app's options with its
    /// updates since — and the conversation replayed ([`Codec::replay_item`]). `None`: nothing to
    /// resume with (yet).
    fn resume_start(&mut self, _options: &SessionOptions) -> Option<SessionStart> {
        None
    }
    /// Whether the server forgets the conversation with the connection, so a resumed session must
    /// replay it (the session then records what each item said).
    fn replays_conversation(&self) -> bool {
        false
    }
    /// An item of the conversation as this provider can re-create it on a new connection (without
    /// its id): what cannot be carried over left out (audio bytes: their transcript instead);
    /// `None` when nothing of it can be.
    fn replay_item(&self, _item: &ConversationItem) -> Option<ConversationItem> {
        None
    }
    /// What starts a session with these options. The session is open once the codec yields
    /// `sessionCreated`.
    fn session_start(&mut self, options: &SessionOptions) -> Result<SessionStart, EncodeError>;
    /// Whether the provider can cut an assistant item at what was heard (`truncateConversationItem`).
    fn truncates_items(&self) -> bool;
    /// Whether the provider's turn detection reports the user's speech starting and stopping
    /// (OpenAI); Gemini's says nothing until it answers (its speech-start is the barge-in signal).
    fn reports_speech(&self) -> bool {
        true
    }
    /// Whether the server reports the user's speech (`inputAudioBufferSpeechStarted`) even when
    /// its response is complete and only the client is still playing it. Where it does not
    /// (Gemini sends `interrupted` only while generating), on-device detection is the only signal.
    fn reports_speech_after_generation(&self) -> bool {
        true
    }
    /// Whether `message` can be encoded, without changing the codec's state (used to reject a bad
    /// message at once even when it has to wait for the session to open).
    fn validate(&self, message: &ClientMessage) -> Result<(), EncodeError>;
    /// Zero or more wire frames (JSON text) for one client message.
    fn encode(&mut self, message: &ClientMessage) -> Result<Vec<String>, EncodeError>;
    /// Zero or more neutral messages for one text frame.
    fn decode(&mut self, frame: &str) -> Result<Vec<ServerMessage>, DecodeError>;
    /// Binary frames hold UTF-8 JSON (Gemini sends them).
    fn decode_binary(&mut self, frame: &[u8]) -> Result<Vec<ServerMessage>, DecodeError> {
        match core::str::from_utf8(frame) {
            Ok(text) => self.decode(text),
            // Where, not core's wording of why (its `Display` and strings are in the wasm for this
            // message only).
            Err(e) => Err(DecodeError { event_type: None, message: text!("binary frame is not UTF-8 (from byte ", e.valid_up_to(), ")") }),
        }
    }
}

pub(crate) fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            // By hand, not `format!("%{b:02X}")`: no formatting machinery per escaped byte.
            _ => {
                out.push('%');
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b >> 4)]));
                out.push(char::from(b"0123456789ABCDEF"[usize::from(b & 0xf)]));
            }
        }
    }
    out
}
