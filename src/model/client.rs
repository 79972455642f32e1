//! Messages the app sends (the seed's `RealtimeClientMessage` family), one `type` discriminator.
//!
//! Additions to the seed, each closing a gap its reviewers left open: `inputAudioBufferClear`,
//! `truncateConversationItem` (exact barge-in), `deleteConversationItem`, `retrieveConversationItem`,
//! `cancelResponse`, and `previousItemId` on `createConversationItem`.

use crate::prelude::*;
use super::content::ConversationItem;
use super::data::Base64Data;
use super::options::{AudioFormat, Modality, SessionOptions, Tool, ToolMode};
use serde::Serialize;
use crate::json::{Json, JsonValue};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ClientMessage {
    /// Reconfigure the session. Providers that cannot (Gemini) answer with a typed error.
    #[serde(rename_all = "camelCase")]
    SessionUpdate {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        options: SessionOptions,
    },
    /// A chunk of microphone audio in the session's input format (PCM16 LE at the provider rate).
    #[serde(rename_all = "camelCase")]
    InputAudioBufferAppend {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        audio: Base64Data,
    },
    /// End the user's audio turn (manual turn detection).
    #[serde(rename_all = "camelCase")]
    InputAudioBufferCommit {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    /// Discard uncommitted input audio.
    #[serde(rename_all = "camelCase")]
    InputAudioBufferClear {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
    },
    #[serde(rename_all = "camelCase")]
    CreateConversationItem {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item: ConversationItem,
        /// Insert after this item (`"root"` = at the start); absent = append.
        #[serde(skip_serializing_if = "Option::is_none")]
        previous_item_id: Option<String>,
    },
    /// Cut an assistant audio item at what the user actually heard.
    #[serde(rename_all = "camelCase")]
    TruncateConversationItem {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item_id: String,
        content_index: u32,
        audio_end_ms: u32,
    },
    #[serde(rename_all = "camelCase")]
    DeleteConversationItem {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item_id: String,
    },
    #[serde(rename_all = "camelCase")]
    RetrieveConversationItem {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        item_id: String,
    },
    /// Ask the model to respond. Every field overrides the session for this response only.
    CreateResponse(CreateResponse),
    #[serde(rename_all = "camelCase")]
    CancelResponse {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        /// Absent: the response in progress in the default conversation.
        #[serde(skip_serializing_if = "Option::is_none")]
        response_id: Option<String>,
    },
    /// A provider-native payload sent untouched (the escape hatch). An object gets `event_id` from
    /// `messageId` when it has none.
    #[serde(rename_all = "camelCase")]
    Raw {
        #[serde(skip_serializing_if = "Option::is_none")]
        message_id: Option<String>,
        payload: JsonValue,
    },
}

/// The seed's `CreateResponseRealtimeClientMessage` (per-response overrides).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Input items for this response only (out-of-band context).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<ConversationItem>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_audio_format: Option<AudioFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// `true`: an out-of-band response that does not write to the conversation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclude_from_conversation: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Caller tags echoed on the response (the seed's `AdditionalProperties`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonValue>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_modalities: Option<Vec<Modality>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_mode: Option<ToolMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
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
        crate::text::word_at(ClientMessage::KINDS, self.index())
    }

    /// The variant's place in [`ClientMessage::KINDS`] (and in the reader's `match`).
    fn index(&self) -> usize {
        match self {
            ClientMessage::SessionUpdate { .. } => 0,
            ClientMessage::InputAudioBufferAppend { .. } => 1,
            ClientMessage::InputAudioBufferCommit { .. } => 2,
            ClientMessage::InputAudioBufferClear { .. } => 3,
            ClientMessage::CreateConversationItem { .. } => 4,
            ClientMessage::TruncateConversationItem { .. } => 5,
            ClientMessage::DeleteConversationItem { .. } => 6,
            ClientMessage::RetrieveConversationItem { .. } => 7,
            ClientMessage::CreateResponse(_) => 8,
            ClientMessage::CancelResponse { .. } => 9,
            ClientMessage::Raw { .. } => 10,
        }
    }
}

// ---- reading (see `json.rs`) ------------------------------------------------------------------

use crate::text::word_index;
use super::json::{deserialize_with_from_json, json_object, unknown_tag, Fields, FromJson, JsonError, JsonSlot, Path, Spare};

json_object!(CreateResponse {
    message_id: opt "messageId",
    items: opt "items",
    output_audio_format: opt "outputAudioFormat",
    voice: opt "voice",
    instructions: opt "instructions",
    exclude_from_conversation: opt "excludeFromConversation",
    max_output_tokens: opt "maxOutputTokens",
    metadata: object "metadata",
    output_modalities: opt "outputModalities",
    tool_mode: opt "toolMode",
    tools: opt "tools",
});

impl FromJson for ClientMessage {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        use ClientMessage as M;
        let f = Fields::new(value, at)?;
        let mut message_id = None;
        f.read("?messageId", &mut [&mut message_id])?;
        let tag = f.tag()?;
        let Some(index) = word_index(ClientMessage::KINDS, tag) else {
            return Err(unknown_tag(at, tag, ClientMessage::KINDS));
        };
        if index == 8 {
            return CreateResponse::from_json(value, at).map(M::CreateResponse);
        }
        // The variant (in the order of `KINDS`) with its members at their defaults, then its
        // members read in place: one read and one error path for every variant.
        let mut message = match index {
            0 => M::SessionUpdate { message_id, options: SessionOptions::default() },
            1 => M::InputAudioBufferAppend { message_id, audio: Base64Data::default() },
            2 => M::InputAudioBufferCommit { message_id },
            3 => M::InputAudioBufferClear { message_id },
            4 => M::CreateConversationItem { message_id, item: ConversationItem::default(), previous_item_id: None },
            5 => M::TruncateConversationItem { message_id, item_id: String::new(), content_index: 0, audio_end_ms: 0 },
            6 => M::DeleteConversationItem { message_id, item_id: String::new() },
            7 => M::RetrieveConversationItem { message_id, item_id: String::new() },
            9 => M::CancelResponse { message_id, response_id: None },
            _ => M::Raw { message_id, payload: Json::Null },
        };
        let (mut spare, mut spare2, mut spare3) = (Spare, Spare, Spare);
        let (members, mut slots): (&'static str, [&mut dyn JsonSlot; 3]) = match &mut message {
            M::SessionUpdate { options, .. } => ("!options", [options, &mut spare2, &mut spare3]),
            M::InputAudioBufferAppend { audio, .. } => ("!audio", [audio, &mut spare2, &mut spare3]),
            M::CreateConversationItem { item, previous_item_id, .. } => ("!item?previousItemId", [item, previous_item_id, &mut spare3]),
            M::TruncateConversationItem { item_id, content_index, audio_end_ms, .. } => {
                ("!itemId?contentIndex!audioEndMs", [item_id, content_index, audio_end_ms])
            }
            M::DeleteConversationItem { item_id, .. } | M::RetrieveConversationItem { item_id, .. } => {
                ("!itemId", [item_id, &mut spare2, &mut spare3])
            }
            M::CancelResponse { response_id, .. } => ("?responseId", [response_id, &mut spare2, &mut spare3]),
            M::Raw { payload, .. } => ("!payload", [payload, &mut spare2, &mut spare3]),
            M::InputAudioBufferCommit { .. } | M::InputAudioBufferClear { .. } | M::CreateResponse(_) => {
                ("", [&mut spare, &mut spare2, &mut spare3])
            }
        };
        f.read(members, &mut slots)?;
        Ok(message)
    }
}
deserialize_with_from_json!(ClientMessage);

impl ClientMessage {
    /// Every `type` discriminator, each followed by a space (as `crate::text::word_index` reads
    /// them).
    pub const KINDS: &'static str = "sessionUpdate inputAudioBufferAppend inputAudioBufferCommit inputAudioBufferClear \
        createConversationItem truncateConversationItem deleteConversationItem retrieveConversationItem createResponse \
        cancelResponse raw ";
}

// ---- writing (see `crate::json`) --------------------------------------------------------------

impl crate::json::ToJson for ClientMessage {
    fn write_json(&self, out: &mut String) {
        use crate::json::{JsonFields, JsonObject};
        use ClientMessage as M;
        let mut o = JsonObject::new(out);
        o.tag(self.kind());
        match self {
            M::SessionUpdate { message_id, options } => {
                o.field("messageId", message_id).field("options", options);
            }
            M::InputAudioBufferAppend { message_id, audio } => {
                o.field("messageId", message_id).field("audio", audio);
            }
            M::InputAudioBufferCommit { message_id } | M::InputAudioBufferClear { message_id } => {
                o.field("messageId", message_id);
            }
            M::CreateConversationItem { message_id, item, previous_item_id } => {
                o.field("messageId", message_id).field("item", item).field("previousItemId", previous_item_id);
            }
            M::TruncateConversationItem { message_id, item_id, content_index, audio_end_ms } => {
                o.field("messageId", message_id)
                    .field("itemId", item_id)
                    .field("contentIndex", content_index)
                    .field("audioEndMs", audio_end_ms);
            }
            M::DeleteConversationItem { message_id, item_id } | M::RetrieveConversationItem { message_id, item_id } => {
                o.field("messageId", message_id).field("itemId", item_id);
            }
            M::CreateResponse(request) => request.write_fields(&mut o),
            M::CancelResponse { message_id, response_id } => {
                o.field("messageId", message_id).field("responseId", response_id);
            }
            M::Raw { message_id, payload } => {
                o.field("messageId", message_id).field("payload", payload);
            }
        }
        o.end();
    }
}

super::default_out_of_line! {
    CreateResponse { message_id, items, output_audio_format, voice, instructions, exclude_from_conversation, max_output_tokens, metadata, output_modalities, tool_mode, tools }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `KINDS` is in the order of the reader's `match`: every kind reads back as itself.
    #[test]
    fn every_kind_reads_back_as_itself() {
        let members = r#""options":{},"audio":"AAAA","item":{"contents":[]},"itemId":"i","audioEndMs":1,"payload":{}"#;
        for kind in ClientMessage::KINDS.split_terminator(' ') {
            let text = format!(r#"{{"type":"{kind}",{members}}}"#);
            let message = ClientMessage::from_json_str(&text, "message").unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(message.kind(), kind);
        }
        let e = ClientMessage::from_json_str(r#"{"type":"nope"}"#, "message").unwrap_err();
        assert!(e.to_string().ends_with("(expected one of sessionUpdate inputAudioBufferAppend inputAudioBufferCommit inputAudioBufferClear createConversationItem truncateConversationItem deleteConversationItem retrieveConversationItem createResponse cancelResponse raw)"), "{e}");
    }
}
