//! OpenAI Realtime GA over WebSocket.
//!
//! Encodes every neutral client message into its GA event, and decodes every GA server event — plus
//! the beta names still seen in the field (`response.audio.delta`, `conversation.item.created`, …) —
//! into neutral messages. Tolerant as real traffic requires: `null` means absent, unknown fields are
//! ignored, unknown event types become `raw`. See the README's mapping table.

use crate::prelude::*;
use crate::text::text;
mod decode;
mod encode;

use super::{encode_query_value, Codec, ConnectConfig, ConnectRequest, DecodeError, EncodeError, Provider, SessionStart};
use crate::model::{ClientMessage, Content, ConversationItem, Role, ServerMessage, SessionOptions};

/// The public endpoint; `ConnectConfig::endpoint` replaces it (emulator, proxy, Azure).
pub const DEFAULT_ENDPOINT: &str = "wss://api.openai.com/v1/realtime";
/// PCM16 rate of GA `audio/pcm`, both directions (the only rate the API accepts).
pub const AUDIO_RATE: u32 = 24_000;
/// Browsers cannot set headers: the credential rides in this sub-protocol prefix.
pub const API_KEY_PROTOCOL_PREFIX: &str = "openai-insecure-api-key.";

/// Server events decoded to `raw` on purpose, with the reason (the README lists them too). Entries
/// ending in `.` are prefixes.
pub const UNMAPPED_EVENTS: &[(&str, &str)] = &[
    ("response.content_part.added", "duplicates what the output item and the deltas carry"),
    ("response.content_part.done", "duplicates what the output item and the `*.done` events carry"),
    ("output_audio_buffer.", "WebRTC/SIP only: a WebSocket client plays audio itself"),
    ("input_audio_buffer.dtmf_event_received", "SIP telephony only"),
    ("conversation.created", "beta-era; the conversation id is not used by the neutral session"),
    ("response.mcp_call_arguments.", "hosted-MCP progress; the MCP items themselves arrive as `raw` contents"),
    ("response.mcp_call.", "hosted-MCP progress; the MCP items themselves arrive as `raw` contents"),
    ("mcp_list_tools.", "hosted-MCP progress; the MCP items themselves arrive as `raw` contents"),
];

/// Why `event_type` is decoded to `raw` on purpose, or `None` when it is mapped (or unknown).
pub fn unmapped_reason(event_type: &str) -> Option<&'static str> {
    UNMAPPED_EVENTS.iter().find_map(|(name, reason)| {
        let hit = if name.ends_with('.') { event_type.starts_with(name) } else { event_type == *name };
        hit.then_some(*reason)
    })
}

/// Stateless: every GA event maps on its own.
#[derive(Debug, Default, Clone)]
pub struct OpenAiCodec;

impl OpenAiCodec {
    pub fn new() -> Self {
        OpenAiCodec
    }
}

impl Codec for OpenAiCodec {
    fn provider(&self) -> Provider {
        Provider::OpenAi
    }

    fn input_audio_rate(&self) -> u32 {
        AUDIO_RATE
    }

    fn output_audio_rate(&self) -> u32 {
        AUDIO_RATE
    }

    /// `…/v1/realtime?model=<model>` with sub-protocols `realtime` and
    /// `openai-insecure-api-key.<credential>` — never the credential in the URL.
    fn connect_request(&self, config: &ConnectConfig) -> ConnectRequest {
        let base = config.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT);
        // A URL handed out with a token (e.g. by a token server) may already name the model.
        let url = if crate::text::contains(base, "?model=") || crate::text::contains(base, "&model=") {
            base.to_owned()
        } else {
            // A `&str`, not a `char`: a `text!` piece.
            let separator = if crate::text::contains(base, "?") { "&" } else { "?" };
            text!(base, separator, "model=", encode_query_value(&config.model))
        };
        ConnectRequest {
            url,
            protocols: vec!["realtime".into(), text!(API_KEY_PROTOCOL_PREFIX, config.credential)],
        }
    }

    /// OpenAI opens the session itself (`session.created`); the app's options follow as the first
    /// `session.update`.
    fn session_start(&mut self, options: &SessionOptions) -> Result<SessionStart, EncodeError> {
        let mut start = SessionStart::default();
        if !options.is_empty() {
            let update = ClientMessage::SessionUpdate { message_id: None, options: options.clone() };
            encode::client_event(&update)?; // fail at connect, not later
            start.on_session_open.push(update);
        }
        Ok(start)
    }

    fn truncates_items(&self) -> bool {
        true
    }

    /// A dropped or expired session is resumed on a new one: the server forgets the conversation,
    /// so the session replays it.
    fn enable_resumption(&mut self) -> bool {
        true
    }

    /// The same start as at connect, from the options in effect now.
    fn resume_start(&mut self, options: &SessionOptions) -> Option<SessionStart> {
        self.session_start(options).ok()
    }

    fn replays_conversation(&self) -> bool {
        true
    }

    /// OpenAI re-creates messages from text only: spoken turns (either side) go as their
    /// transcript (`input_text` / `output_text`: the API refuses assistant audio from a client, and
    /// past audio is not kept), function calls and their outputs as they were. A call whose
    /// arguments never completed, a turn whose transcript is unknown, and provider items of other
    /// kinds (MCP, …) are left out.
    fn replay_item(&self, item: &ConversationItem) -> Option<ConversationItem> {
        let contents: Vec<Content> = match item.contents.as_slice() {
            [Content::FunctionCall { .. }] => {
                if item.status != Some(crate::model::ItemStatus::Completed) {
                    return None;
                }
                item.contents.clone()
            }
            [Content::FunctionResult { .. }] => item.contents.clone(),
            parts => {
                item.role?;
                // A loop, not `filter_map(..).collect()`: the adapter's code is per closure.
                let mut kept = Vec::new();
                for part in parts {
                    match part {
                        Content::Text { text } if !text.is_empty() => kept.push(Content::Text { text: text.clone() }),
                        // ASCII white space only: `char::is_whitespace` linked a Unicode table and a UTF-8 decoder
                        // for this and one other test.
                        Content::Audio { transcript: Some(text), .. } if !text.bytes().all(|b| b.is_ascii_whitespace()) => {
                            kept.push(Content::Text { text: text.clone() })
                        }
                        Content::Image { .. } if item.role == Some(Role::User) => kept.push(part.clone()),
                        _ => {}
                    }
                }
                kept
            }
        };
        (!contents.is_empty()).then_some(ConversationItem { id: None, role: item.role, status: None, contents })
    }

    fn validate(&self, message: &ClientMessage) -> Result<(), EncodeError> {
        encode::client_event(message).map(|_| ())
    }

    fn encode(&mut self, message: &ClientMessage) -> Result<Vec<String>, EncodeError> {
        Ok(vec![encode::client_event(message)?])
    }

    fn decode(&mut self, frame: &str) -> Result<Vec<ServerMessage>, DecodeError> {
        decode::server_event(frame).map(|m| vec![m])
    }
}
