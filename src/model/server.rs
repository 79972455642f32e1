//! Messages the provider sends, neutralised (the seed's `RealtimeServerMessage` family), one `type`
//! discriminator. Every message keeps the wire `event_id` as `messageId`.
//!
//! Additions to the seed, marked (+) in the README: session created/updated with effective options,
//! speech started/stopped (the barge-in signal the seed lacked), committed/cleared, transcription
//! segments, text deltas (which the seed's OpenAI provider dropped), item truncated/deleted/retrieved,
//! function-call argument deltas, rate limits, and `raw` for everything unmapped (original JSON whole).

use crate::prelude::*;
use super::content::{ConversationItem, ErrorInfo};
use super::data::Base64Data;
use super::options::{AudioFormat, Modality, SessionOptions};
use super::usage::{RateLimit, ResponseStatus, Usage};
use serde::Serialize;
use crate::json::{Json, JsonNumber, JsonValue};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ServerMessage {
    Error(ErrorMessage),
    SessionCreated(SessionInfo),
    SessionUpdated(SessionInfo),
    InputAudioBufferSpeechStarted(SpeechEvent),
    InputAudioBufferSpeechStopped(SpeechEvent),
    InputAudioBufferTimeoutTriggered(SpeechEvent),
    InputAudioBufferCommitted(ItemReference),
    InputAudioBufferCleared(Bare),
    InputAudioTranscriptionDelta(InputTranscription),
    InputAudioTranscriptionCompleted(InputTranscription),
    InputAudioTranscriptionFailed(InputTranscription),
    InputAudioTranscriptionSegment(TranscriptionSegment),
    OutputTextDelta(OutputText),
    OutputTextDone(OutputText),
    OutputAudioDelta(OutputAudio),
    OutputAudioDone(OutputAudio),
    OutputAudioTranscriptionDelta(OutputText),
    OutputAudioTranscriptionDone(OutputText),
    ResponseCreated(ResponseInfo),
    ResponseDone(ResponseInfo),
    ResponseOutputItemAdded(ResponseOutputItem),
    ResponseOutputItemDone(ResponseOutputItem),
    ConversationItemAdded(ConversationItemEvent),
    ConversationItemDone(ConversationItemEvent),
    ConversationItemRetrieved(ConversationItemEvent),
    ConversationItemTruncated(ItemTruncated),
    ConversationItemDeleted(ItemReference),
    FunctionCallArgumentsDelta(FunctionCallArguments),
    FunctionCallArgumentsDone(FunctionCallArguments),
    RateLimitsUpdated(RateLimits),
    /// The provider voided pending tool calls (Gemini `toolCallCancellation`); their results are dropped.
    ToolCallsCancelled(CallsCancelled),
    /// The provider will close the connection soon (Gemini `goAway`).
    GoAway(GoAway),
    /// A provider event the neutral model does not map (or maps nothing of), kept whole.
    Raw(RawEvent),
}

/// Messages that carry nothing but their id.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bare {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub error: ErrorInfo,
    /// The `messageId` of the client message that caused it, when the provider says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originating_message_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// The effective options as the server reports them.
    pub options: SessionOptions,
}

/// Server-side voice activity: speech started (the barge-in signal), stopped, or idle timeout.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SpeechEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The user item the speech will become.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_id: Option<String>,
    /// Milliseconds since the start of the session's input audio.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_start_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio_end_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub item_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_item_id: Option<String>,
}

/// Input-audio transcription progress: `transcription` is the delta (on delta) or the whole text (on
/// completed); `error` is set on failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputTranscription {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub item_id: String,
    pub content_index: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcription: Option<String>,
    /// Transcription usage, billed separately from responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

/// A diarized transcription segment.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionSegment {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub item_id: String,
    pub content_index: u32,
    pub segment_id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// Seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<JsonNumber>,
}

/// Where in a response a piece of output belongs.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputPosition {
    /// Absent when the provider has no response ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    pub item_id: String,
    pub output_index: u32,
    pub content_index: u32,
}

/// Output text or audio transcript: a delta, or the whole text on done.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputText {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(flatten)]
    pub position: OutputPosition,
    pub text: String,
}

/// Output audio: PCM16 LE bytes at the session's output rate on delta; none on done.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputAudio {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(flatten)]
    pub position: OutputPosition,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<Base64Data>,
}

/// A response's lifecycle (created, done). On done: final status, usage and output items.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// May be synthetic for providers without response ids.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ResponseStatus>,
    /// Why the response ended as it did: `turn_detected`, `client_cancelled`, `max_output_tokens`,
    /// `content_filter`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<ConversationItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_modalities: Option<Vec<Modality>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_audio_format: Option<AudioFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// Caller metadata echoed from `createResponse`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonValue>,
    /// `false` for out-of-band responses (`excludeFromConversation`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_conversation: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResponseOutputItem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    pub output_index: u32,
    pub item: ConversationItem,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationItemEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_item_id: Option<String>,
    pub item: ConversationItem,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemTruncated {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub item_id: String,
    pub content_index: u32,
    pub audio_end_ms: u32,
}

/// Streaming function-call arguments: `delta` while streaming; `name` + `arguments` when done.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FunctionCallArguments {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    pub item_id: String,
    pub output_index: u32,
    pub call_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arguments: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimits {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub rate_limits: Vec<RateLimit>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CallsCancelled {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    pub call_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GoAway {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// How long the connection has left, when the provider says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_left_ms: Option<u64>,
}

/// An unmapped provider event: its wire type and the whole original JSON.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RawEvent {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    pub payload: JsonValue,
}

impl ServerMessage {
    /// The `type` discriminator, as in the serde form.
    pub fn kind(&self) -> &'static str {
        crate::text::word_at(KINDS, self.index())
    }

    /// The variant's place in [`KINDS`] (and in the reader's `match`).
    fn index(&self) -> usize {
        use ServerMessage::*;
        match self {
            Error(_) => 0,
            SessionCreated(_) => 1,
            SessionUpdated(_) => 2,
            InputAudioBufferSpeechStarted(_) => 3,
            InputAudioBufferSpeechStopped(_) => 4,
            InputAudioBufferTimeoutTriggered(_) => 5,
            InputAudioBufferCommitted(_) => 6,
            InputAudioBufferCleared(_) => 7,
            InputAudioTranscriptionDelta(_) => 8,
            InputAudioTranscriptionCompleted(_) => 9,
            InputAudioTranscriptionFailed(_) => 10,
            InputAudioTranscriptionSegment(_) => 11,
            OutputTextDelta(_) => 12,
            OutputTextDone(_) => 13,
            OutputAudioDelta(_) => 14,
            OutputAudioDone(_) => 15,
            OutputAudioTranscriptionDelta(_) => 16,
            OutputAudioTranscriptionDone(_) => 17,
            ResponseCreated(_) => 18,
            ResponseDone(_) => 19,
            ResponseOutputItemAdded(_) => 20,
            ResponseOutputItemDone(_) => 21,
            ConversationItemAdded(_) => 22,
            ConversationItemDone(_) => 23,
            ConversationItemRetrieved(_) => 24,
            ConversationItemTruncated(_) => 25,
            ConversationItemDeleted(_) => 26,
            FunctionCallArgumentsDelta(_) => 27,
            FunctionCallArgumentsDone(_) => 28,
            RateLimitsUpdated(_) => 29,
            ToolCallsCancelled(_) => 30,
            GoAway(_) => 31,
            Raw(_) => 32,
        }
    }

    /// The wire `event_id` this message came with.
    pub fn message_id(&self) -> Option<&str> {
        use ServerMessage::*;
        match self {
            Error(m) => m.message_id.as_deref(),
            SessionCreated(m) | SessionUpdated(m) => m.message_id.as_deref(),
            InputAudioBufferSpeechStarted(m)
            | InputAudioBufferSpeechStopped(m)
            | InputAudioBufferTimeoutTriggered(m) => m.message_id.as_deref(),
            InputAudioBufferCommitted(m) | ConversationItemDeleted(m) => m.message_id.as_deref(),
            InputAudioBufferCleared(m) => m.message_id.as_deref(),
            InputAudioTranscriptionDelta(m)
            | InputAudioTranscriptionCompleted(m)
            | InputAudioTranscriptionFailed(m) => m.message_id.as_deref(),
            InputAudioTranscriptionSegment(m) => m.message_id.as_deref(),
            OutputTextDelta(m)
            | OutputTextDone(m)
            | OutputAudioTranscriptionDelta(m)
            | OutputAudioTranscriptionDone(m) => m.message_id.as_deref(),
            OutputAudioDelta(m) | OutputAudioDone(m) => m.message_id.as_deref(),
            ResponseCreated(m) | ResponseDone(m) => m.message_id.as_deref(),
            ResponseOutputItemAdded(m) | ResponseOutputItemDone(m) => m.message_id.as_deref(),
            ConversationItemAdded(m) | ConversationItemDone(m) | ConversationItemRetrieved(m) => {
                m.message_id.as_deref()
            }
            ConversationItemTruncated(m) => m.message_id.as_deref(),
            FunctionCallArgumentsDelta(m) | FunctionCallArgumentsDone(m) => m.message_id.as_deref(),
            RateLimitsUpdated(m) => m.message_id.as_deref(),
            ToolCallsCancelled(m) => m.message_id.as_deref(),
            GoAway(m) => m.message_id.as_deref(),
            Raw(m) => m.message_id.as_deref(),
        }
    }
}

// ---- reading (see `json.rs`): what a JS `receive` middleware hands back, and native tests ------

use crate::text::word_index;
use super::json::{deserialize_with_from_json, json_object, unknown_tag, Fields, FromJson, JsonError, JsonSlot, Members, Path};

json_object!(Bare { message_id: opt "messageId" });
json_object!(ErrorMessage { message_id: opt "messageId", error: req "error", originating_message_id: opt "originatingMessageId" });
json_object!(SessionInfo { message_id: opt "messageId", session_id: opt "sessionId", options: def "options" });
json_object!(SpeechEvent { message_id: opt "messageId", item_id: opt "itemId", audio_start_ms: opt "audioStartMs", audio_end_ms: opt "audioEndMs" });
json_object!(ItemReference { message_id: opt "messageId", item_id: req "itemId", previous_item_id: opt "previousItemId" });
json_object!(InputTranscription {
    message_id: opt "messageId",
    item_id: req "itemId",
    content_index: def "contentIndex",
    transcription: opt "transcription",
    usage: opt "usage",
    error: opt "error",
});
json_object!(TranscriptionSegment {
    message_id: opt "messageId",
    item_id: req "itemId",
    content_index: def "contentIndex",
    segment_id: req "segmentId",
    text: req "text",
    speaker: opt "speaker",
    start: opt "start",
    end: opt "end",
});
json_object!(OutputPosition { response_id: opt "responseId", item_id: req "itemId", output_index: def "outputIndex", content_index: def "contentIndex" });
json_object!(read_only ResponseInfo {
    message_id: opt "messageId",
    response_id: opt "responseId",
    status: opt "status",
    status_reason: opt "statusReason",
    error: opt "error",
    usage: opt "usage",
    items: def "items",
    output_modalities: opt "outputModalities",
    voice: opt "voice",
    output_audio_format: opt "outputAudioFormat",
    max_output_tokens: opt "maxOutputTokens",
    metadata: object "metadata",
    in_conversation: opt "inConversation",
});
json_object!(ResponseOutputItem { message_id: opt "messageId", response_id: opt "responseId", output_index: def "outputIndex", item: req "item" });
json_object!(ConversationItemEvent { message_id: opt "messageId", previous_item_id: opt "previousItemId", item: req "item" });
json_object!(ItemTruncated { message_id: opt "messageId", item_id: req "itemId", content_index: def "contentIndex", audio_end_ms: req "audioEndMs" });
json_object!(FunctionCallArguments {
    message_id: opt "messageId",
    response_id: opt "responseId",
    item_id: req "itemId",
    output_index: def "outputIndex",
    call_id: req "callId",
    delta: opt "delta",
    name: opt "name",
    arguments: opt "arguments",
});
json_object!(RateLimits { message_id: opt "messageId", rate_limits: req "rateLimits" });
json_object!(CallsCancelled { message_id: opt "messageId", call_ids: req "callIds" });
json_object!(GoAway { message_id: opt "messageId", time_left_ms: opt "timeLeftMs" });
json_object!(RawEvent { message_id: opt "messageId", event_type: opt "eventType", payload: def "payload" });

// The two positioned kinds carry the position's fields inline (serde's `flatten` on write): one
// reader for both, with their own last member.
fn read_positioned(
    value: &Json,
    at: &Path,
    message_id: &mut Option<String>,
    p: &mut OutputPosition,
    last: &'static Members,
    slot: &mut dyn JsonSlot,
) -> Result<(), JsonError> {
    let f = Fields::new(value, at)?;
    f.read("?messageId?responseId!itemId?outputIndex?contentIndex", &mut [message_id, &mut p.response_id, &mut p.item_id, &mut p.output_index, &mut p.content_index])?;
    f.read(last, &mut [slot])
}

impl FromJson for OutputText {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        let mut out = Self::default();
        read_positioned(value, at, &mut out.message_id, &mut out.position, "!text", &mut out.text)?;
        Ok(out)
    }
}
deserialize_with_from_json!(OutputText);

impl FromJson for OutputAudio {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        let mut out = Self::default();
        read_positioned(value, at, &mut out.message_id, &mut out.position, "?audio", &mut out.audio)?;
        Ok(out)
    }
}
deserialize_with_from_json!(OutputAudio);

impl FromJson for ServerMessage {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        use ServerMessage as M;
        fn read<T: FromJson>(value: &Json, at: &Path, variant: fn(T) -> ServerMessage) -> Result<ServerMessage, JsonError> {
            T::from_json(value, at).map(variant)
        }
        let tag = Fields::new(value, at)?.tag()?;
        let (v, a) = (value, at);
        // The index of the tag among the kinds (one scan of one string, not a comparison per kind
        // in code), in the order of `ServerMessage::kind`.
        let Some(index) = word_index(KINDS, tag) else {
            return Err(unknown_tag(at, tag, "error sessionCreated outputAudioDelta … "));
        };
        match index {
            0 => read(v, a, M::Error),
            1 => read(v, a, M::SessionCreated),
            2 => read(v, a, M::SessionUpdated),
            3 => read(v, a, M::InputAudioBufferSpeechStarted),
            4 => read(v, a, M::InputAudioBufferSpeechStopped),
            5 => read(v, a, M::InputAudioBufferTimeoutTriggered),
            6 => read(v, a, M::InputAudioBufferCommitted),
            7 => read(v, a, M::InputAudioBufferCleared),
            8 => read(v, a, M::InputAudioTranscriptionDelta),
            9 => read(v, a, M::InputAudioTranscriptionCompleted),
            10 => read(v, a, M::InputAudioTranscriptionFailed),
            11 => read(v, a, M::InputAudioTranscriptionSegment),
            12 => read(v, a, M::OutputTextDelta),
            13 => read(v, a, M::OutputTextDone),
            14 => read(v, a, M::OutputAudioDelta),
            15 => read(v, a, M::OutputAudioDone),
            16 => read(v, a, M::OutputAudioTranscriptionDelta),
            17 => read(v, a, M::OutputAudioTranscriptionDone),
            18 => read(v, a, M::ResponseCreated),
            19 => read(v, a, M::ResponseDone),
            20 => read(v, a, M::ResponseOutputItemAdded),
            21 => read(v, a, M::ResponseOutputItemDone),
            22 => read(v, a, M::ConversationItemAdded),
            23 => read(v, a, M::ConversationItemDone),
            24 => read(v, a, M::ConversationItemRetrieved),
            25 => read(v, a, M::ConversationItemTruncated),
            26 => read(v, a, M::ConversationItemDeleted),
            27 => read(v, a, M::FunctionCallArgumentsDelta),
            28 => read(v, a, M::FunctionCallArgumentsDone),
            29 => read(v, a, M::RateLimitsUpdated),
            30 => read(v, a, M::ToolCallsCancelled),
            31 => read(v, a, M::GoAway),
            _ => read(v, a, M::Raw),
        }
    }
}

/// Every server message `type`, each followed by a space: one literal for [`KINDS`] and the
/// session's `EVENT_NAMES`, which begins with them (so a new message is named once).
macro_rules! server_message_kinds {
    () => {
        "error sessionCreated sessionUpdated inputAudioBufferSpeechStarted inputAudioBufferSpeechStopped inputAudioBufferTimeoutTriggered inputAudioBufferCommitted inputAudioBufferCleared inputAudioTranscriptionDelta inputAudioTranscriptionCompleted inputAudioTranscriptionFailed inputAudioTranscriptionSegment outputTextDelta outputTextDone outputAudioDelta outputAudioDone outputAudioTranscriptionDelta outputAudioTranscriptionDone responseCreated responseDone responseOutputItemAdded responseOutputItemDone conversationItemAdded conversationItemDone conversationItemRetrieved conversationItemTruncated conversationItemDeleted functionCallArgumentsDelta functionCallArgumentsDone rateLimitsUpdated toolCallsCancelled goAway raw "
    };
}
pub(crate) use server_message_kinds;

/// Every `type` of a server message, each followed by a space.
const KINDS: &str = server_message_kinds!();

deserialize_with_from_json!(ServerMessage);

// ---- writing (see `crate::json`) --------------------------------------------------------------

use crate::json::{JsonFields, JsonObject, ToJson};

// The position's members inline, as read.
impl JsonFields for OutputText {
    fn write_fields(&self, o: &mut JsonObject) {
        o.field("messageId", &self.message_id);
        self.position.write_fields(o);
        o.field("text", &self.text);
    }
}

impl JsonFields for OutputAudio {
    fn write_fields(&self, o: &mut JsonObject) {
        o.field("messageId", &self.message_id);
        self.position.write_fields(o);
        o.field("audio", &self.audio);
    }
}

// As read, but an empty `items` is left out.
impl JsonFields for ResponseInfo {
    fn write_fields(&self, o: &mut JsonObject) {
        o.field("messageId", &self.message_id)
            .field("responseId", &self.response_id)
            .field("status", &self.status)
            .field("statusReason", &self.status_reason)
            .field("error", &self.error)
            .field("usage", &self.usage);
        if !self.items.is_empty() {
            o.field("items", &self.items);
        }
        o.field("outputModalities", &self.output_modalities)
            .field("voice", &self.voice)
            .field("outputAudioFormat", &self.output_audio_format)
            .field("maxOutputTokens", &self.max_output_tokens)
            .field("metadata", &self.metadata)
            .field("inConversation", &self.in_conversation);
    }
}

impl ToJson for ServerMessage {
    fn write_json(&self, out: &mut String) {
        use ServerMessage as M;
        let fields: &dyn JsonFields = match self {
            M::Error(m) => m,
            M::SessionCreated(m) | M::SessionUpdated(m) => m,
            M::InputAudioBufferSpeechStarted(m) | M::InputAudioBufferSpeechStopped(m) | M::InputAudioBufferTimeoutTriggered(m) => m,
            M::InputAudioBufferCommitted(m) | M::ConversationItemDeleted(m) => m,
            M::InputAudioBufferCleared(m) => m,
            M::InputAudioTranscriptionDelta(m) | M::InputAudioTranscriptionCompleted(m) | M::InputAudioTranscriptionFailed(m) => m,
            M::InputAudioTranscriptionSegment(m) => m,
            M::OutputTextDelta(m) | M::OutputTextDone(m) | M::OutputAudioTranscriptionDelta(m) | M::OutputAudioTranscriptionDone(m) => m,
            M::OutputAudioDelta(m) | M::OutputAudioDone(m) => m,
            M::ResponseCreated(m) | M::ResponseDone(m) => m,
            M::ResponseOutputItemAdded(m) | M::ResponseOutputItemDone(m) => m,
            M::ConversationItemAdded(m) | M::ConversationItemDone(m) | M::ConversationItemRetrieved(m) => m,
            M::ConversationItemTruncated(m) => m,
            M::FunctionCallArgumentsDelta(m) | M::FunctionCallArgumentsDone(m) => m,
            M::RateLimitsUpdated(m) => m,
            M::ToolCallsCancelled(m) => m,
            M::GoAway(m) => m,
            M::Raw(m) => m,
        };
        let mut o = JsonObject::new(out);
        o.tag(self.kind());
        fields.write_fields(&mut o);
        o.end();
    }
}

super::default_out_of_line! {
    ResponseInfo { message_id, response_id, status, status_reason, error, usage, items, output_modalities, voice, output_audio_format, max_output_tokens, metadata, in_conversation }
    InputTranscription { message_id, item_id, content_index, transcription, usage, error }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `KINDS` is in the order of the reader's `match`: every kind reads back as itself.
    #[test]
    fn every_kind_reads_back_as_itself() {
        let members = r#""itemId":"i","error":{"message":"m"},"segmentId":"s","text":"t","callId":"c","rateLimits":[],"callIds":[],"item":{"contents":[]},"audioEndMs":1,"payload":{}"#;
        for kind in KINDS.split_terminator(' ') {
            let text = format!(r#"{{"type":"{kind}",{members}}}"#);
            let message = ServerMessage::from_json_str(&text, "message").unwrap_or_else(|e| panic!("{kind}: {e}"));
            assert_eq!(message.kind(), kind);
        }
        assert_eq!(KINDS.split_terminator(' ').count(), 33);
        let e = ServerMessage::from_json_str(r#"{"type":"nope"}"#, "message").unwrap_err();
        assert_eq!(e.to_string(), "message.type: unknown type \"nope\" (expected one of error sessionCreated outputAudioDelta …)");
    }
}
