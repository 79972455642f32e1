//! Conversation items and their contents (the seed's `RealtimeConversationItem` and the MEAI content
//! types it reuses: text, audio/image data, function call, function result, error).

use super::data::Base64Data;
use super::options::AudioFormat;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who authored an item. Function calls and results carry no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    User,
    Assistant,
    System,
}

/// Lifecycle of an item as the server reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ItemStatus {
    InProgress,
    Completed,
    Incomplete,
}

/// An error, as content or as a message payload (the seed's `ErrorContent`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    pub message: String,
    /// Provider error code, e.g. `conversation_already_has_active_response`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Provider error class, e.g. `invalid_request_error`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The offending parameter, when the provider names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

/// One part of an item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Content {
    Text {
        text: String,
    },
    /// Audio bytes (PCM16 LE at the format's rate unless `format` says otherwise) and/or its transcript.
    /// Server-side items usually carry only the transcript.
    #[serde(rename_all = "camelCase")]
    Audio {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audio: Option<Base64Data>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transcript: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<AudioFormat>,
    },
    /// An image by URL; `data:` URLs carry the bytes inline.
    #[serde(rename_all = "camelCase")]
    Image {
        image_url: String,
        /// `auto`, `low` or `high`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A call the model wants made. `arguments` is the JSON text exactly as the model produced it —
    /// possibly malformed, which the tool runner reports back to the model.
    #[serde(rename_all = "camelCase")]
    FunctionCall {
        call_id: String,
        name: String,
        #[serde(default)]
        arguments: String,
    },
    /// The outcome of a call. `result` is any JSON value; `error` marks a failed call.
    #[serde(rename_all = "camelCase")]
    FunctionResult {
        call_id: String,
        /// The function's name: Gemini requires it; OpenAI ignores it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default)]
        result: Value,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    Error {
        error: ErrorInfo,
    },
    /// A provider item or part the neutral model has no type for (MCP calls, approvals, …), kept whole.
    Raw {
        value: Value,
    },
}

/// The seed's `RealtimeConversationItem`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationItem {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ItemStatus>,
    #[serde(default)]
    pub contents: Vec<Content>,
}

impl ConversationItem {
    /// A user message with one text part.
    pub fn user_text(text: impl Into<String>) -> Self {
        Self { role: Some(Role::User), contents: vec![Content::Text { text: text.into() }], ..Self::default() }
    }

    /// The function calls this item carries.
    pub fn function_calls(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.contents.iter().filter_map(|c| match c {
            Content::FunctionCall { call_id, name, arguments } => {
                Some((call_id.as_str(), name.as_str(), arguments.as_str()))
            }
            _ => None,
        })
    }
}
