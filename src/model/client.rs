//! Messages the app sends (the seed's `RealtimeClientMessage` family), one `type` discriminator.
//!
//! Additions to the seed, each closing a gap its reviewers left open: `inputAudioBufferClear`,
//! `truncateConversationItem` (exact barge-in), `deleteConversationItem`, `retrieveConversationItem`,
//! `cancelResponse`, and `previousItemId` on `createConversationItem`.

use super::content::ConversationItem;
use super::data::Base64Data;
use super::options::{AudioFormat, Modality, SessionOptions, Tool, ToolMode};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ClientMessage {
    /// Reconfigure the session. Providers that cannot (Gemini) answer with a typed error.
    #[serde(rename_all = "camelCase")]
    SessionUpdate {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        options: SessionOptions,
    },
    /// A chunk of microphone audio in the session's input format (PCM16 LE at the provider rate).
    #[serde(rename_all = "camelCase")]
    InputAudioBufferAppend {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        audio: Base64Data,
    },
    /// End the user's audio turn (manual turn detection).
    #[serde(rename_all = "camelCase")]
    InputAudioBufferCommit {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    /// Discard uncommitted input audio.
    #[serde(rename_all = "camelCase")]
    InputAudioBufferClear {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    CreateConversationItem {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item: ConversationItem,
        /// Insert after this item (`"root"` = at the start); absent = append.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_item_id: Option<String>,
    },
    /// Cut an assistant audio item at what the user actually heard.
    #[serde(rename_all = "camelCase")]
    TruncateConversationItem {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item_id: String,
        #[serde(default)]
        content_index: u32,
        audio_end_ms: u32,
    },
    #[serde(rename_all = "camelCase")]
    DeleteConversationItem {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item_id: String,
    },
    #[serde(rename_all = "camelCase")]
    RetrieveConversationItem {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item_id: String,
    },
    /// Ask the model to respond. Every field overrides the session for this response only.
    CreateResponse(CreateResponse),
    #[serde(rename_all = "camelCase")]
    CancelResponse {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        /// Absent: the response in progress in the default conversation.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        response_id: Option<String>,
    },
    /// A provider-native payload sent untouched (the escape hatch). An object gets `event_id` from
    /// `messageId` when it has none.
    #[serde(rename_all = "camelCase")]
    Raw {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        payload: Value,
    },
}

/// The seed's `CreateResponseRealtimeClientMessage` (per-response overrides).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Input items for this response only (out-of-band context).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ConversationItem>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_audio_format: Option<AudioFormat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// `true`: an out-of-band response that does not write to the conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclude_from_conversation: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Caller tags echoed on the response (the seed's `AdditionalProperties`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_modalities: Option<Vec<Modality>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_mode: Option<ToolMode>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
}

impl ClientMessage {
    /// The app's id for this message (wire `event_id`), echoed by provider errors it causes.
    pub fn message_id(&self) -> Option<&str> {
        match self {
            ClientMessage::SessionUpdate { message_id, .. }
            | ClientMessage::InputAudioBufferAppend { message_id, .. }
            | ClientMessage::InputAudioBufferCommit { message_id }
            | ClientMessage::InputAudioBufferClear { message_id }
            | ClientMessage::CreateConversationItem { message_id, .. }
            | ClientMessage::TruncateConversationItem { message_id, .. }
            | ClientMessage::DeleteConversationItem { message_id, .. }
            | ClientMessage::RetrieveConversationItem { message_id, .. }
            | ClientMessage::CancelResponse { message_id, .. }
            | ClientMessage::Raw { message_id, .. } => message_id.as_deref(),
            ClientMessage::CreateResponse(r) => r.message_id.as_deref(),
        }
    }

    /// The `type` discriminator, as in the serde form.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientMessage::SessionUpdate { .. } => "sessionUpdate",
            ClientMessage::InputAudioBufferAppend { .. } => "inputAudioBufferAppend",
            ClientMessage::InputAudioBufferCommit { .. } => "inputAudioBufferCommit",
            ClientMessage::InputAudioBufferClear { .. } => "inputAudioBufferClear",
            ClientMessage::CreateConversationItem { .. } => "createConversationItem",
            ClientMessage::TruncateConversationItem { .. } => "truncateConversationItem",
            ClientMessage::DeleteConversationItem { .. } => "deleteConversationItem",
            ClientMessage::RetrieveConversationItem { .. } => "retrieveConversationItem",
            ClientMessage::CreateResponse(_) => "createResponse",
            ClientMessage::CancelResponse { .. } => "cancelResponse",
            ClientMessage::Raw { .. } => "raw",
        }
    }
}
