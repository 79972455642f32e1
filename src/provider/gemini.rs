//! Gemini Live (`BidiGenerateContent`) over WebSocket, behind the same neutral session.
//!
//! Gemini has no response lifecycle, no item ids and no mid-session reconfiguration; this codec
//! keeps the state needed to present it through the neutral model anyway (the seed's provider
//! contract, which function invocation depends on): it synthesizes `responseCreated` once per model
//! turn, an output item around the turn's text/audio and one per tool call, and `responseDone` (with
//! usage by modality) at `turnComplete` — `cancelled` when the turn was `interrupted`, which also
//! becomes the barge-in signal `inputAudioBufferSpeechStarted`. A tool-call frame ends its response
//! (Gemini waits for the `toolResponse`). Text items and tool results are buffered until
//! `createResponse`, which sends them as one `clientContent` (`turnComplete: true`) or one
//! `toolResponse`, as the official clients do.

use crate::prelude::*;
use crate::text::text;
mod decode;
mod encode;

use super::{encode_query_value, Codec, ConnectConfig, ConnectRequest, DecodeError, EncodeError, Provider, SessionStart};
use crate::model::{ClientMessage, ConversationItem, ServerMessage, SessionOptions, Usage};

pub const DEFAULT_HOST: &str = "wss://generativelanguage.googleapis.com";
const API_KEY_PATH: &str = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent";
const TOKEN_PATH: &str = "/ws/google.ai.generativelanguage.v1alpha.GenerativeService.BidiGenerateContentConstrained";
/// Gemini's PCM rates: 16 kHz in, 24 kHz out.
pub const INPUT_RATE: u32 = 16_000;
pub const OUTPUT_RATE: u32 = 24_000;
pub const DEFAULT_MODEL: &str = "gemini-live-2.5-flash-preview";

/// The model turn being presented as a neutral response.
#[derive(Debug)]
struct Turn {
    response_id: String,
    /// The assistant message item (text/audio), once a part arrived.
    item_id: Option<String>,
    output_index: u32,
    text: String,
    transcript: String,
    audio_bytes: usize,
    interrupted: bool,
    /// Function-call items of this turn (for `responseDone.items`).
    calls: Vec<ConversationItem>,
    /// Usage that arrived before `turnComplete`.
    usage: Option<Usage>,
}

crate::model::default_out_of_line! {
    Turn { response_id, item_id, output_index, text, transcript, audio_bytes, interrupted, calls, usage }
}

/// How many unanswered calls keep their name: far more than a turn makes; calls never answered
/// (cancelled, or left by an app) cannot grow the map past it.
const MAX_CALL_NAMES: usize = 256;

/// Call id → function name, oldest first. An entry goes when the call's result is encoded or the
/// connection is replaced; past [`MAX_CALL_NAMES`] the oldest goes (its result then needs its
/// `name`, as any result for an unknown call id does).
/// A `Vec`, not a `VecDeque`: removing the oldest of at most 256 shifts a few kB, and the ring
/// buffer's code costs more wasm than that costs time.
#[derive(Debug, Default)]
struct CallNames(Vec<(String, String)>);

impl CallNames {
    fn insert(&mut self, call_id: String, name: String) {
        // At most one entry per id (this keeps it so): `take` removes it, without `retain`'s own
        // code.
        self.take(&call_id);
        if self.0.len() >= MAX_CALL_NAMES {
            self.0.remove(0);
        }
        self.0.push((call_id, name));
    }

    /// The name of `call_id`, forgotten (its result is being sent).
    fn take(&mut self, call_id: &str) -> Option<String> {
        let at = self.0.iter().position(|(id, _)| id == call_id)?;
        Some(self.0.remove(at).1)
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

#[derive(Debug, Default)]
pub struct GeminiCodec {
    model: String,
    /// Effective options: what the setup asked for (Gemini confirms with `setupComplete` only).
    options: SessionOptions,
    manual_activity: bool,
    in_activity: bool,
    /// User turns waiting for `createResponse` (or the next non-item message).
    pending_turns: Vec<String>,
    /// Function results waiting for `createResponse`.
    pending_results: Vec<String>,
    /// The names of calls not yet answered (Gemini's tool responses need the name).
    call_names: CallNames,
    turn: Option<Turn>,
    /// Input transcription of the current user turn.
    input_transcript: String,
    input_item_id: Option<String>,
    next_id: u64,
    resumable: bool,
    /// The latest `sessionResumptionUpdate.newHandle` (when resumable).
    handle: Option<String>,
    /// The `setup` object sent (JSON text), to resend (with the handle) on a new connection.
    setup: Option<String>,
}

impl GeminiCodec {
    pub fn new() -> Self {
        // Every field named (not `..default()`): built in place, not built and then moved.
        GeminiCodec {
            model: DEFAULT_MODEL.into(),
            options: SessionOptions::default(),
            manual_activity: false,
            in_activity: false,
            pending_turns: Vec::new(),
            pending_results: Vec::new(),
            call_names: CallNames::default(),
            turn: None,
            input_transcript: String::new(),
            input_item_id: None,
            next_id: 0,
            resumable: false,
            handle: None,
            setup: None,
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        text!(prefix, "_gemini_", self.next_id)
    }
}

impl Codec for GeminiCodec {
    fn provider(&self) -> Provider {
        Provider::Gemini
    }

    fn input_audio_rate(&self) -> u32 {
        INPUT_RATE
    }

    fn output_audio_rate(&self) -> u32 {
        OUTPUT_RATE
    }

    fn set_model(&mut self, model: &str) {
        self.model = model.to_owned();
    }

    /// API keys go in `?key=`, ephemeral tokens (`auth_tokens/…`) in `?access_token=` on the
    /// constrained v1alpha endpoint — the only auth a browser WebSocket can carry for Gemini.
    fn connect_request(&self, config: &ConnectConfig) -> ConnectRequest {
        let token = config.credential.starts_with("auth_tokens/");
        let (param, path) = if token { ("access_token", TOKEN_PATH) } else { ("key", API_KEY_PATH) };
        let base = match &config.endpoint {
            // A URL handed out with the token may already carry the credential.
            Some(url) if crate::text::contains(url, "key=") || crate::text::contains(url, "access_token=") => {
                return ConnectRequest { url: url.clone(), protocols: Vec::new() };
            }
            Some(url) => url.clone(),
            None => text!(DEFAULT_HOST, path),
        };
        // A `&str`, not a `char`: a `text!` piece.
        let separator = if crate::text::contains(&base, "?") { "&" } else { "?" };
        ConnectRequest { url: text!(base, separator, param, "=", encode_query_value(&config.credential)), protocols: Vec::new() }
    }

    fn session_start(&mut self, options: &SessionOptions) -> Result<SessionStart, EncodeError> {
        let setup = encode::setup(self, options, self.resumable)?;
        let frame = encode::setup_frame(&setup);
        self.setup = Some(setup);
        Ok(SessionStart { on_socket_open: vec![frame], on_session_open: Vec::new() })
    }

    fn enable_resumption(&mut self) -> bool {
        self.resumable = true;
        true
    }

    /// The same setup with the latest handle; the half-presented turn of the old connection is
    /// dropped (the server resumes from what it consumed).
    fn resume_start(&mut self, _options: &SessionOptions) -> Option<SessionStart> {
        let handle = self.handle.clone()?;
        let setup = encode::with_handle(self.setup.as_deref()?, &handle);
        // The new connection continues the conversation, not the turn the old one was streaming:
        // what arrives next starts a fresh response (and a fresh input transcript).
        self.in_activity = false;
        self.turn = None;
        self.input_transcript.clear();
        self.input_item_id = None;
        // Calls of the old connection: the session's results carry their names.
        self.call_names.clear();
        Some(SessionStart { on_socket_open: vec![encode::setup_frame(&setup)], on_session_open: Vec::new() })
    }

    /// Gemini cuts its own context at an interruption; there is no truncate.
    fn truncates_items(&self) -> bool {
        false
    }

    fn reports_speech(&self) -> bool {
        false
    }

    /// `interrupted` comes only while the model is still generating.
    fn reports_speech_after_generation(&self) -> bool {
        false
    }

    fn validate(&self, message: &ClientMessage) -> Result<(), EncodeError> {
        encode::validate(message)
    }

    fn encode(&mut self, message: &ClientMessage) -> Result<Vec<String>, EncodeError> {
        encode::client_message(self, message)
    }

    fn decode(&mut self, frame: &str) -> Result<Vec<ServerMessage>, DecodeError> {
        decode::server_frame(self, frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Calls never answered (a hostile or broken server streaming tool calls) do not grow the map.
    #[test]
    fn unanswered_call_names_are_bounded_oldest_first() {
        let mut names = CallNames::default();
        for i in 0..10_000 {
            names.insert(format!("call_{i}"), format!("f{i}"));
        }
        assert_eq!(names.0.len(), MAX_CALL_NAMES);
        assert_eq!(names.take("call_0"), None, "the oldest went");
        assert_eq!(names.take("call_9999").as_deref(), Some("f9999"));
        assert_eq!(names.take("call_9999"), None, "taken once");
        names.insert("call_9998".into(), "again".into());
        assert_eq!(names.0.len(), MAX_CALL_NAMES - 1, "a repeated id replaces its entry");
    }
}
