//! Conversation items and their contents (the seed's `RealtimeConversationItem` and the MEAI content
//! types it reuses: text, audio/image data, function call, function result, error).

use crate::prelude::*;
use super::data::Base64Data;
use super::options::AudioFormat;
use serde::Serialize;
use crate::json::{Json, JsonValue};

/// Who authored an item. Function calls and results carry no role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Role {
    User,
    Assistant,
    System,
}

/// Lifecycle of an item as the server reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ItemStatus {
    InProgress,
    Completed,
    Incomplete,
}

/// An error, as content or as a message payload (the seed's `ErrorContent`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorInfo {
    pub message: String,
    /// Provider error code, e.g. `conversation_already_has_active_response`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Provider error class, e.g. `invalid_request_error`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The offending parameter, when the provider names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
}

/// One part of an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Content {
    Text {
        text: String,
    },
    /// Audio bytes (PCM16 LE at the format's rate unless `format` says otherwise) and/or its transcript.
    /// Server-side items usually carry only the transcript.
    #[serde(rename_all = "camelCase")]
    Audio {
        #[serde(skip_serializing_if = "Option::is_none")]
        audio: Option<Base64Data>,
        #[serde(skip_serializing_if = "Option::is_none")]
        transcript: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        format: Option<AudioFormat>,
    },
    /// An image by URL; `data:` URLs carry the bytes inline.
    #[serde(rename_all = "camelCase")]
    Image {
        image_url: String,
        /// `auto`, `low` or `high`.
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// A call the model wants made. `arguments` is the JSON text exactly as the model produced it —
    /// possibly malformed, which the tool runner reports back to the model.
    #[serde(rename_all = "camelCase")]
    FunctionCall {
        call_id: String,
        name: String,
        arguments: String,
    },
    /// The outcome of a call. `result` is any JSON value; `error` marks a failed call.
    #[serde(rename_all = "camelCase")]
    FunctionResult {
        call_id: String,
        /// The function's name: Gemini requires it; OpenAI ignores it.
        #[serde(skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        result: JsonValue,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    Error {
        error: ErrorInfo,
    },
    /// A provider item or part the neutral model has no type for (MCP calls, approvals, …), kept whole.
    Raw {
        value: JsonValue,
    },
}

/// The seed's `RealtimeConversationItem`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ItemStatus>,
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

// ---- reading (see `json.rs`) ------------------------------------------------------------------

use super::json::{deserialize_with_from_json, json_enum, json_object, unknown_tag, Fields, FromJson, JsonError, JsonSlot, Path, Spare};

json_enum!(Role { User = "user", Assistant = "assistant", System = "system" });
json_enum!(ItemStatus { InProgress = "inProgress", Completed = "completed", Incomplete = "incomplete" });
json_object!(ErrorInfo { message: req "message", code: opt "code", kind: opt "kind", param: opt "param" });
json_object!(ConversationItem { id: opt "id", role: opt "role", status: opt "status", contents: def "contents" });

impl FromJson for Content {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        use Content as C;
        let f = Fields::new(value, at)?;
        const KINDS: &str = "text audio image functionCall functionResult error raw ";
        let tag = f.tag()?;
        let Some(index) = crate::text::word_index(KINDS, tag) else { return Err(unknown_tag(at, tag, KINDS)) };
        // The variant (in the order of `KINDS`) with its members at their defaults, then its
        // members read in place: one read and one error path for every variant.
        let mut content = match index {
            0 => C::Text { text: String::new() },
            1 => C::Audio { audio: None, transcript: None, format: None },
            2 => C::Image { image_url: String::new(), detail: None },
            3 => C::FunctionCall { call_id: String::new(), name: String::new(), arguments: String::new() },
            4 => C::FunctionResult { call_id: String::new(), name: None, result: Json::Null, error: None },
            5 => C::Error { error: ErrorInfo::default() },
            _ => C::Raw { value: Json::Null },
        };
        let (mut spare, mut spare2, mut spare3) = (Spare, Spare, Spare);
        let (members, mut slots): (&'static str, [&mut dyn JsonSlot; 4]) = match &mut content {
            C::Text { text } => ("!text", [text, &mut spare, &mut spare2, &mut spare3]),
            C::Audio { audio, transcript, format } => ("?audio?transcript?format", [audio, transcript, format, &mut spare3]),
            C::Image { image_url, detail } => ("!imageUrl?detail", [image_url, detail, &mut spare2, &mut spare3]),
            C::FunctionCall { call_id, name, arguments } => ("!callId!name?arguments", [call_id, name, arguments, &mut spare3]),
            C::FunctionResult { call_id, name, result, error } => ("!callId?name?result?error", [call_id, name, result, error]),
            C::Error { error } => ("!error", [error, &mut spare, &mut spare2, &mut spare3]),
            C::Raw { value } => ("?value", [value, &mut spare, &mut spare2, &mut spare3]),
        };
        f.read(members, &mut slots)?;
        Ok(content)
    }
}
deserialize_with_from_json!(Content);

// ---- writing (see `crate::json`) --------------------------------------------------------------

impl crate::json::ToJson for Content {
    fn write_json(&self, out: &mut String) {
        let mut o = crate::json::JsonObject::new(out);
        match self {
            Content::Text { text } => o.tag("text").field("text", text),
            Content::Audio { audio, transcript, format } => {
                o.tag("audio").field("audio", audio).field("transcript", transcript).field("format", format)
            }
            Content::Image { image_url, detail } => o.tag("image").field("imageUrl", image_url).field("detail", detail),
            Content::FunctionCall { call_id, name, arguments } => {
                o.tag("functionCall").field("callId", call_id).field("name", name).field("arguments", arguments)
            }
            Content::FunctionResult { call_id, name, result, error } => {
                o.tag("functionResult").field("callId", call_id).field("name", name).field("result", result).field("error", error)
            }
            Content::Error { error } => o.tag("error").field("error", error),
            Content::Raw { value } => o.tag("raw").field("value", value),
        };
        o.end();
    }
}

super::default_out_of_line! {
    ConversationItem { id, role, status, contents }
}
