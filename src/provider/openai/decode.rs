//! OpenAI server events (GA, and the beta names still seen in the field) → neutral server messages.
//!
//! Hot events (deltas) are read with typed serde structs straight from the frame text; the rare, deep
//! ones (sessions, responses, items) are read from a `serde_json::Value` with lenient accessors, so a
//! `null` or a missing field never fails a frame. What fails is a frame that is not a JSON object, has
//! no `type`, or holds a known event with a wrong-typed field.

use super::AUDIO_RATE;
use crate::model::{
    decode_base64, AudioFormat, Base64Data, Bare, Content, ConversationItem, ConversationItemEvent, Eagerness,
    ErrorInfo, ErrorMessage, FunctionCallArguments, InputTranscription, ItemReference, ItemStatus, ItemTruncated,
    Modality, OutputAudio, OutputPosition, OutputText, RateLimit, RateLimits, RawEvent, ResponseInfo,
    ResponseOutputItem, ResponseStatus, Role, ServerMessage, SessionInfo, SessionKind, SessionOptions,
    SpeechEvent, Tool, ToolMode, TranscriptionOptions, TranscriptionSegment, Usage, VoiceActivityDetection,
};
use crate::provider::DecodeError;
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;

/// The discriminator and the event id, for frames the one-pass read below does not fit.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: Option<String>,
    event_id: Option<String>,
}

pub(super) fn server_event(frame: &str) -> Result<ServerMessage, DecodeError> {
    // serde would fill the envelope from a JSON array too: only objects are events.
    if !frame.trim_start().starts_with('{') {
        return Err(DecodeError { event_type: None, message: "not a JSON event object".into() });
    }
    // One pass reads the discriminator and, for the frequent output events, everything they carry
    // (a 100 ms audio delta is 6.4 kB of base64: scanning it twice costs more than the rest).
    let (kind, id, mut hot) = match serde_json::from_str::<WireOutput>(frame) {
        Ok(mut w) => (w.kind.take(), w.event_id.take(), Some(w)),
        Err(_) => {
            let envelope: Envelope = serde_json::from_str(frame)
                .map_err(|e| DecodeError { event_type: None, message: format!("not a JSON event object: {e}") })?;
            (envelope.kind, envelope.event_id, None)
        }
    };
    let Some(kind) = kind else {
        return Err(DecodeError { event_type: None, message: "event has no \"type\"".into() });
    };
    let t = kind.as_str();
    use ServerMessage as M;
    Ok(match t {
        "error" => M::Error(error(value(frame, t)?, id)),
        "session.created" | "transcription_session.created" => M::SessionCreated(session_info(value(frame, t)?, id)),
        "session.updated" | "transcription_session.updated" => M::SessionUpdated(session_info(value(frame, t)?, id)),

        "input_audio_buffer.speech_started" => M::InputAudioBufferSpeechStarted(speech(frame, t, id)?),
        "input_audio_buffer.speech_stopped" => M::InputAudioBufferSpeechStopped(speech(frame, t, id)?),
        "input_audio_buffer.timeout_triggered" => M::InputAudioBufferTimeoutTriggered(speech(frame, t, id)?),
        "input_audio_buffer.committed" => M::InputAudioBufferCommitted(item_reference(frame, t, id)?),
        "input_audio_buffer.cleared" => M::InputAudioBufferCleared(Bare { message_id: id }),

        "conversation.item.input_audio_transcription.delta" => {
            M::InputAudioTranscriptionDelta(input_transcription(value(frame, t)?, id, "delta"))
        }
        "conversation.item.input_audio_transcription.completed" => {
            M::InputAudioTranscriptionCompleted(input_transcription(value(frame, t)?, id, "transcript"))
        }
        "conversation.item.input_audio_transcription.failed" => {
            M::InputAudioTranscriptionFailed(input_transcription(value(frame, t)?, id, "transcript"))
        }
        "conversation.item.input_audio_transcription.segment" => {
            M::InputAudioTranscriptionSegment(segment(frame, t, id)?)
        }

        "response.output_text.delta" | "response.text.delta" => M::OutputTextDelta(output_text(frame, t, id, "delta", hot.take())?),
        "response.output_text.done" | "response.text.done" => M::OutputTextDone(output_text(frame, t, id, "text", hot.take())?),
        "response.output_audio_transcript.delta" | "response.audio_transcript.delta" => {
            M::OutputAudioTranscriptionDelta(output_text(frame, t, id, "delta", hot.take())?)
        }
        "response.output_audio_transcript.done" | "response.audio_transcript.done" => {
            M::OutputAudioTranscriptionDone(output_text(frame, t, id, "transcript", hot.take())?)
        }
        "response.output_audio.delta" | "response.audio.delta" => M::OutputAudioDelta(output_audio(frame, t, id, hot.take())?),
        "response.output_audio.done" | "response.audio.done" => M::OutputAudioDone(output_audio(frame, t, id, hot.take())?),

        "response.created" => M::ResponseCreated(response(value(frame, t)?, id)),
        "response.done" => M::ResponseDone(response(value(frame, t)?, id)),
        "response.output_item.added" => M::ResponseOutputItemAdded(response_output_item(value(frame, t)?, id)),
        "response.output_item.done" => M::ResponseOutputItemDone(response_output_item(value(frame, t)?, id)),

        "conversation.item.added" | "conversation.item.created" => {
            M::ConversationItemAdded(conversation_item_event(value(frame, t)?, id))
        }
        "conversation.item.done" => M::ConversationItemDone(conversation_item_event(value(frame, t)?, id)),
        "conversation.item.retrieved" => M::ConversationItemRetrieved(conversation_item_event(value(frame, t)?, id)),
        "conversation.item.truncated" => M::ConversationItemTruncated(truncated(frame, t, id)?),
        "conversation.item.deleted" => M::ConversationItemDeleted(item_reference(frame, t, id)?),

        "response.function_call_arguments.delta" => M::FunctionCallArgumentsDelta(call_arguments(frame, t, id)?),
        "response.function_call_arguments.done" => M::FunctionCallArgumentsDone(call_arguments(frame, t, id)?),
        "rate_limits.updated" => M::RateLimitsUpdated(rate_limits(frame, t, id)?),

        // Deliberately unmapped (see the README): content parts duplicate what the deltas carry;
        // output_audio_buffer.* exist only on WebRTC/SIP; DTMF is SIP-only; MCP progress and
        // conversation.created carry nothing the neutral session acts on.
        _ => M::Raw(RawEvent { message_id: id, event_type: Some(kind.clone()), payload: value(frame, t)? }),
    })
}

// ---- typed events (read straight from the frame) --------------------------------------------

fn typed<'a, T: Deserialize<'a>>(frame: &'a str, event_type: &str) -> Result<T, DecodeError> {
    serde_json::from_str(frame).map_err(|e| DecodeError { event_type: Some(event_type.into()), message: e.to_string() })
}

/// The event as a `Value`; its nested payload objects (`response`, `session`, `item`, `error`), when
/// present and not null, must be objects.
fn value(frame: &str, event_type: &str) -> Result<Value, DecodeError> {
    let v = typed::<Value>(frame, event_type)?;
    for key in ["response", "session", "item", "error"] {
        if let Some(payload) = field(&v, key) {
            if !payload.is_object() {
                return Err(DecodeError { event_type: Some(event_type.into()), message: format!("\"{key}\" must be an object") });
            }
        }
    }
    Ok(v)
}

#[derive(Deserialize)]
struct WireSpeech {
    item_id: Option<String>,
    audio_start_ms: Option<u64>,
    audio_end_ms: Option<u64>,
}

fn speech(frame: &str, t: &str, message_id: Option<String>) -> Result<SpeechEvent, DecodeError> {
    let w: WireSpeech = typed(frame, t)?;
    Ok(SpeechEvent { message_id, item_id: w.item_id, audio_start_ms: w.audio_start_ms, audio_end_ms: w.audio_end_ms })
}

#[derive(Deserialize)]
struct WireItemRef {
    item_id: Option<String>,
    previous_item_id: Option<String>,
}

fn item_reference(frame: &str, t: &str, message_id: Option<String>) -> Result<ItemReference, DecodeError> {
    let w: WireItemRef = typed(frame, t)?;
    Ok(ItemReference { message_id, item_id: w.item_id.unwrap_or_default(), previous_item_id: w.previous_item_id })
}

#[derive(Deserialize)]
struct WireSegment {
    item_id: Option<String>,
    content_index: Option<u32>,
    id: Option<String>,
    text: Option<String>,
    speaker: Option<String>,
    start: Option<f64>,
    end: Option<f64>,
}

fn segment(frame: &str, t: &str, message_id: Option<String>) -> Result<TranscriptionSegment, DecodeError> {
    let w: WireSegment = typed(frame, t)?;
    Ok(TranscriptionSegment {
        message_id,
        item_id: w.item_id.unwrap_or_default(),
        content_index: w.content_index.unwrap_or(0),
        segment_id: w.id.unwrap_or_default(),
        text: w.text.unwrap_or_default(),
        speaker: w.speaker,
        start: w.start,
        end: w.end,
    })
}

/// The ids every response-output event carries, plus whichever payload field it has.
#[derive(Deserialize)]
struct WireOutput<'a> {
    #[serde(rename = "type")]
    kind: Option<String>,
    event_id: Option<String>,
    response_id: Option<String>,
    item_id: Option<String>,
    output_index: Option<u32>,
    content_index: Option<u32>,
    #[serde(borrow)]
    delta: Option<Cow<'a, str>>,
    text: Option<String>,
    transcript: Option<String>,
}

impl WireOutput<'_> {
    fn position(&mut self) -> OutputPosition {
        OutputPosition {
            response_id: self.response_id.take(),
            item_id: self.item_id.take().unwrap_or_default(),
            output_index: self.output_index.unwrap_or(0),
            content_index: self.content_index.unwrap_or(0),
        }
    }
}

/// `hot`: the frame already read by the one-pass reader, when it fit.
fn output_text(frame: &str, t: &str, message_id: Option<String>, field: &str, hot: Option<WireOutput>) -> Result<OutputText, DecodeError> {
    let mut w: WireOutput = match hot {
        Some(w) => w,
        None => typed(frame, t)?,
    };
    let text = match field {
        "delta" => w.delta.take().map(Cow::into_owned),
        "text" => w.text.take(),
        _ => w.transcript.take(),
    };
    Ok(OutputText { message_id, position: w.position(), text: text.unwrap_or_default() })
}

fn output_audio(frame: &str, t: &str, message_id: Option<String>, hot: Option<WireOutput>) -> Result<OutputAudio, DecodeError> {
    let mut w: WireOutput = match hot {
        Some(w) => w,
        None => typed(frame, t)?,
    };
    let audio = match w.delta.take() {
        Some(b64) => Some(Base64Data::from(
            decode_base64(&b64)
                .map_err(|e| DecodeError { event_type: Some(t.into()), message: format!("audio delta: {e}") })?,
        )),
        None => None,
    };
    Ok(OutputAudio { message_id, position: w.position(), audio })
}

#[derive(Deserialize)]
struct WireTruncated {
    item_id: Option<String>,
    content_index: Option<u32>,
    audio_end_ms: Option<u32>,
}

fn truncated(frame: &str, t: &str, message_id: Option<String>) -> Result<ItemTruncated, DecodeError> {
    let w: WireTruncated = typed(frame, t)?;
    Ok(ItemTruncated {
        message_id,
        item_id: w.item_id.unwrap_or_default(),
        content_index: w.content_index.unwrap_or(0),
        audio_end_ms: w.audio_end_ms.unwrap_or(0),
    })
}

#[derive(Deserialize)]
struct WireCallArguments {
    response_id: Option<String>,
    item_id: Option<String>,
    output_index: Option<u32>,
    call_id: Option<String>,
    delta: Option<String>,
    name: Option<String>,
    arguments: Option<String>,
}

fn call_arguments(frame: &str, t: &str, message_id: Option<String>) -> Result<FunctionCallArguments, DecodeError> {
    let w: WireCallArguments = typed(frame, t)?;
    Ok(FunctionCallArguments {
        message_id,
        response_id: w.response_id,
        item_id: w.item_id.unwrap_or_default(),
        output_index: w.output_index.unwrap_or(0),
        call_id: w.call_id.unwrap_or_default(),
        delta: w.delta,
        name: w.name,
        arguments: w.arguments,
    })
}

#[derive(Deserialize)]
struct WireRateLimits {
    rate_limits: Option<Vec<WireRateLimit>>,
}

#[derive(Deserialize)]
struct WireRateLimit {
    name: Option<String>,
    limit: Option<u64>,
    remaining: Option<u64>,
    reset_seconds: Option<f64>,
}

fn rate_limits(frame: &str, t: &str, message_id: Option<String>) -> Result<RateLimits, DecodeError> {
    let w: WireRateLimits = typed(frame, t)?;
    let rate_limits = w
        .rate_limits
        .unwrap_or_default()
        .into_iter()
        .map(|r| RateLimit {
            name: r.name.unwrap_or_default(),
            limit: r.limit,
            remaining: r.remaining,
            reset_seconds: r.reset_seconds,
        })
        .collect();
    Ok(RateLimits { message_id, rate_limits })
}

// ---- lenient readers over Value (sessions, responses, items) ---------------------------------

fn field<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|v| !v.is_null())
}

fn string(v: &Value, key: &str) -> Option<String> {
    field(v, key).and_then(Value::as_str).map(str::to_owned)
}

fn uint(v: &Value, key: &str) -> Option<u64> {
    field(v, key).and_then(Value::as_u64)
}

fn uint32(v: &Value, key: &str) -> Option<u32> {
    uint(v, key).and_then(|n| u32::try_from(n).ok())
}

fn error_info(v: &Value) -> ErrorInfo {
    ErrorInfo {
        message: string(v, "message").unwrap_or_default(),
        code: string(v, "code"),
        kind: string(v, "type"),
        param: string(v, "param"),
    }
}

fn error(v: Value, message_id: Option<String>) -> ErrorMessage {
    let body = field(&v, "error").cloned().unwrap_or(Value::Null);
    ErrorMessage { message_id, error: error_info(&body), originating_message_id: string(&body, "event_id") }
}

fn session_info(v: Value, message_id: Option<String>) -> SessionInfo {
    let session = field(&v, "session").cloned().unwrap_or(Value::Null);
    SessionInfo { message_id, session_id: string(&session, "id"), options: session_options(&session) }
}

/// The effective options from a GA session object (beta top-level fields accepted too).
fn session_options(s: &Value) -> SessionOptions {
    let input = field(s, "audio").and_then(|a| field(a, "input"));
    let output = field(s, "audio").and_then(|a| field(a, "output"));
    let kind = match field(s, "type").and_then(Value::as_str) {
        Some("transcription") => SessionKind::Transcription,
        _ => SessionKind::Conversation,
    };
    let transcription = input
        .and_then(|i| field(i, "transcription"))
        .or_else(|| field(s, "input_audio_transcription"))
        .map(|t| TranscriptionOptions {
            speech_language: string(t, "language"),
            model_id: string(t, "model"),
            prompt: string(t, "prompt"),
        });
    // `turn_detection: null` means manual turns; absent means "not reported".
    let turn_detection = input.and_then(|i| i.get("turn_detection")).or_else(|| s.get("turn_detection"));
    SessionOptions {
        kind,
        model: string(s, "model"),
        input_audio_format: input
            .and_then(|i| field(i, "format"))
            .or_else(|| field(s, "input_audio_format"))
            .and_then(audio_format),
        output_audio_format: output
            .and_then(|o| field(o, "format"))
            .or_else(|| field(s, "output_audio_format"))
            .and_then(audio_format),
        transcription,
        voice: output.and_then(|o| field(o, "voice")).or_else(|| field(s, "voice")).and_then(voice),
        instructions: string(s, "instructions"),
        max_output_tokens: uint32(s, "max_output_tokens").or_else(|| uint32(s, "max_response_output_tokens")),
        output_modalities: modalities(s),
        tool_mode: field(s, "tool_choice").and_then(tool_mode),
        tools: field(s, "tools").and_then(Value::as_array).map(|tools| tools.iter().filter_map(tool).collect()),
        voice_activity_detection: turn_detection.map(vad),
        provider_options: None,
    }
}

fn modalities(v: &Value) -> Option<Vec<Modality>> {
    let list = field(v, "output_modalities").or_else(|| field(v, "modalities"))?.as_array()?;
    Some(
        list.iter()
            .filter_map(|m| match m.as_str() {
                Some("text") => Some(Modality::Text),
                Some("audio") => Some(Modality::Audio),
                _ => None,
            })
            .collect(),
    )
}

/// GA format objects and beta format strings.
fn audio_format(v: &Value) -> Option<AudioFormat> {
    let (media_type, rate) = match v {
        Value::String(beta) => match beta.as_str() {
            "pcm16" => (AudioFormat::PCM, AUDIO_RATE),
            "g711_ulaw" => (AudioFormat::PCMU, 8_000),
            "g711_alaw" => (AudioFormat::PCMA, 8_000),
            _ => return None,
        },
        Value::Object(_) => match field(v, "type")?.as_str()? {
            "audio/pcm" => (AudioFormat::PCM, uint32(v, "rate").unwrap_or(AUDIO_RATE)),
            "audio/pcmu" => (AudioFormat::PCMU, 8_000),
            "audio/pcma" => (AudioFormat::PCMA, 8_000),
            _ => return None,
        },
        _ => return None,
    };
    Some(AudioFormat { media_type: media_type.into(), sample_rate: rate })
}

fn voice(v: &Value) -> Option<String> {
    v.as_str().map(str::to_owned).or_else(|| string(v, "id"))
}

fn tool_mode(v: &Value) -> Option<ToolMode> {
    match v {
        Value::String(mode) => match mode.as_str() {
            "auto" => Some(ToolMode::Auto),
            "none" => Some(ToolMode::None),
            "required" => Some(ToolMode::RequireAny),
            _ => None,
        },
        _ => string(v, "name").map(ToolMode::RequireSpecific),
    }
}

fn tool(v: &Value) -> Option<Tool> {
    match field(v, "type")?.as_str()? {
        "function" => Some(Tool::Function {
            name: string(v, "name")?,
            description: string(v, "description"),
            parameters: field(v, "parameters").cloned(),
        }),
        "mcp" => Some(Tool::HostedMcp {
            server_label: string(v, "server_label")?,
            server_url: string(v, "server_url"),
            connector_id: string(v, "connector_id"),
            allowed_tools: field(v, "allowed_tools")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect()),
            require_approval: string(v, "require_approval"),
        }),
        _ => None,
    }
}

fn vad(v: &Value) -> VoiceActivityDetection {
    if v.is_null() {
        return VoiceActivityDetection { enabled: false, ..VoiceActivityDetection::default() };
    }
    let eagerness = match field(v, "type").and_then(Value::as_str) {
        Some("semantic_vad") => Some(match string(v, "eagerness").as_deref() {
            Some("low") => Eagerness::Low,
            Some("medium") => Eagerness::Medium,
            Some("high") => Eagerness::High,
            _ => Eagerness::Auto,
        }),
        _ => None,
    };
    VoiceActivityDetection {
        enabled: true,
        allow_interruption: field(v, "interrupt_response").and_then(Value::as_bool).unwrap_or(true),
        create_response: field(v, "create_response").and_then(Value::as_bool),
        threshold: field(v, "threshold").and_then(Value::as_f64),
        prefix_padding_ms: uint32(v, "prefix_padding_ms"),
        silence_duration_ms: uint32(v, "silence_duration_ms"),
        eagerness,
        idle_timeout_ms: uint32(v, "idle_timeout_ms"),
    }
}

fn input_transcription(v: Value, message_id: Option<String>, text_field: &str) -> InputTranscription {
    InputTranscription {
        message_id,
        item_id: string(&v, "item_id").unwrap_or_default(),
        content_index: uint32(&v, "content_index").unwrap_or(0),
        transcription: string(&v, text_field),
        usage: field(&v, "usage").map(usage),
        error: field(&v, "error").map(error_info),
    }
}

fn usage(v: &Value) -> Usage {
    let input = field(v, "input_token_details");
    let output = field(v, "output_token_details");
    Usage {
        input_tokens: uint(v, "input_tokens"),
        output_tokens: uint(v, "output_tokens"),
        total_tokens: uint(v, "total_tokens"),
        cached_input_tokens: input.and_then(|d| uint(d, "cached_tokens")),
        input_text_tokens: input.and_then(|d| uint(d, "text_tokens")),
        input_audio_tokens: input.and_then(|d| uint(d, "audio_tokens")),
        input_image_tokens: input.and_then(|d| uint(d, "image_tokens")),
        output_text_tokens: output.and_then(|d| uint(d, "text_tokens")),
        output_audio_tokens: output.and_then(|d| uint(d, "audio_tokens")),
    }
}

fn response(v: Value, message_id: Option<String>) -> ResponseInfo {
    let r = field(&v, "response").cloned().unwrap_or(Value::Null);
    let details = field(&r, "status_details");
    let output = field(&r, "audio").and_then(|a| field(a, "output"));
    ResponseInfo {
        message_id,
        response_id: string(&r, "id"),
        status: field(&r, "status").and_then(Value::as_str).and_then(status),
        status_reason: details.and_then(|d| string(d, "reason")),
        error: details.and_then(|d| field(d, "error")).map(error_info),
        usage: field(&r, "usage").map(usage),
        items: field(&r, "output").and_then(Value::as_array).map(|a| a.iter().map(item).collect()).unwrap_or_default(),
        output_modalities: modalities(&r),
        voice: output.and_then(|o| field(o, "voice")).or_else(|| field(&r, "voice")).and_then(voice),
        output_audio_format: output
            .and_then(|o| field(o, "format"))
            .or_else(|| field(&r, "output_audio_format"))
            .and_then(audio_format),
        max_output_tokens: uint32(&r, "max_output_tokens"),
        metadata: field(&r, "metadata").and_then(Value::as_object).cloned(),
        // A null conversation id means an out-of-band response; an absent one says nothing.
        in_conversation: r.get("conversation_id").map(|c| !c.is_null()),
    }
}

fn status(s: &str) -> Option<ResponseStatus> {
    Some(match s {
        "in_progress" => ResponseStatus::InProgress,
        "completed" => ResponseStatus::Completed,
        "cancelled" => ResponseStatus::Cancelled,
        "incomplete" => ResponseStatus::Incomplete,
        "failed" => ResponseStatus::Failed,
        _ => return None,
    })
}

fn response_output_item(v: Value, message_id: Option<String>) -> ResponseOutputItem {
    ResponseOutputItem {
        message_id,
        response_id: string(&v, "response_id"),
        output_index: uint32(&v, "output_index").unwrap_or(0),
        item: field(&v, "item").map(item).unwrap_or_default(),
    }
}

fn conversation_item_event(v: Value, message_id: Option<String>) -> ConversationItemEvent {
    ConversationItemEvent {
        message_id,
        previous_item_id: string(&v, "previous_item_id"),
        item: field(&v, "item").map(item).unwrap_or_default(),
    }
}

/// A wire item: message parts, a function call, a function output, or (MCP, …) kept raw.
fn item(v: &Value) -> ConversationItem {
    let contents = match field(v, "type").and_then(Value::as_str) {
        Some("message") | None => field(v, "content")
            .and_then(Value::as_array)
            .map(|parts| parts.iter().map(content).collect())
            .unwrap_or_default(),
        Some("function_call") => vec![Content::FunctionCall {
            call_id: string(v, "call_id").unwrap_or_default(),
            name: string(v, "name").unwrap_or_default(),
            arguments: string(v, "arguments").unwrap_or_default(),
        }],
        Some("function_call_output") => vec![Content::FunctionResult {
            call_id: string(v, "call_id").unwrap_or_default(),
            name: None,
            result: field(v, "output").cloned().unwrap_or(Value::Null),
            error: None,
        }],
        Some(_) => vec![Content::Raw { value: v.clone() }],
    };
    ConversationItem {
        id: string(v, "id"),
        role: match field(v, "role").and_then(Value::as_str) {
            Some("user") => Some(Role::User),
            Some("assistant") => Some(Role::Assistant),
            Some("system") => Some(Role::System),
            _ => None,
        },
        status: match field(v, "status").and_then(Value::as_str) {
            Some("in_progress") => Some(ItemStatus::InProgress),
            Some("completed") => Some(ItemStatus::Completed),
            Some("incomplete") => Some(ItemStatus::Incomplete),
            _ => None,
        },
        contents,
    }
}

/// GA part types (`input_text`, `output_text`, `output_audio`, …) and the beta/content-part ones
/// (`text`, `audio`) alike.
fn content(v: &Value) -> Content {
    match field(v, "type").and_then(Value::as_str) {
        Some("input_text" | "output_text" | "text") => Content::Text { text: string(v, "text").unwrap_or_default() },
        Some("input_audio" | "output_audio" | "audio") => Content::Audio {
            audio: string(v, "audio").and_then(|b64| decode_base64(&b64).ok()).map(Base64Data::from),
            transcript: string(v, "transcript"),
            format: None,
        },
        Some("input_image") => Content::Image { image_url: string(v, "image_url").unwrap_or_default(), detail: string(v, "detail") },
        _ => Content::Raw { value: v.clone() },
    }
}
