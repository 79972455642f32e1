//! OpenAI Realtime GA over WebSocket.
//!
//! Encodes every neutral client message into its GA event, and decodes every GA server event — plus
//! the beta names still seen in the field (`response.audio.delta`, `conversation.item.created`, …) —
//! into neutral messages. Tolerant as real traffic requires: `null` means absent, unknown fields are
//! ignored, unknown event types become `raw`. See the README's mapping table.

mod decode;
mod encode;

use super::{encode_query_value, Codec, ConnectConfig, ConnectRequest, DecodeError, EncodeError, Provider};
use crate::model::{ClientMessage, ServerMessage};

/// The public endpoint; `ConnectConfig::endpoint` replaces it (emulator, proxy, Azure).
pub const DEFAULT_ENDPOINT: &str = "wss://api.openai.com/v1/realtime";
/// PCM16 rate of GA `audio/pcm`, both directions (the only rate the API accepts).
pub const AUDIO_RATE: u32 = 24_000;
/// Browsers cannot set headers: the credential rides in this sub-protocol prefix.
pub const API_KEY_PROTOCOL_PREFIX: &str = "openai-insecure-api-key.";

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
        let separator = if base.contains('?') { '&' } else { '?' };
        ConnectRequest {
            url: format!("{base}{separator}model={}", encode_query_value(&config.model)),
            protocols: vec!["realtime".into(), format!("{API_KEY_PROTOCOL_PREFIX}{}", config.credential)],
        }
    }

    fn encode(&mut self, message: &ClientMessage) -> Result<Vec<String>, EncodeError> {
        let event = encode::client_event(message)?;
        Ok(vec![event.to_string()])
    }

    fn decode(&mut self, frame: &str) -> Result<Vec<ServerMessage>, DecodeError> {
        decode::server_event(frame).map(|m| vec![m])
    }
}
