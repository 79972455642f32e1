//! OpenAI server events (GA, and the beta names still seen in the field) → neutral server messages.
//!
//! Each frame is parsed once into the SDK's borrowed JSON tree (`crate::json`): an audio delta's
//! base64 is decoded straight from the frame text, never copied first. The frequent events are read
//! strictly (a known field of the wrong type fails the frame); the rare, deep ones (sessions,
//! responses, items) with lenient accessors, so a `null` or a missing field never fails a frame.
//! What fails is a frame that is not a JSON object, has no `type`, or holds a known event with a
//! wrong-typed field.

use crate::prelude::*;
use crate::text::text;
use super::AUDIO_RATE;
use crate::json::{self, Json, JsonNumber};
use crate::model::{
    decode_base64, AudioFormat, Base64Data, Bare, Content, ConversationItem, ConversationItemEvent, Eagerness,
    ErrorInfo, ErrorMessage, FunctionCallArguments, InputTranscription, ItemReference, ItemStatus, ItemTruncated,
    Modality, OutputAudio, OutputPosition, OutputText, RateLimit, RateLimits, RawEvent, ResponseInfo,
    ResponseOutputItem, ResponseStatus, Role, ServerMessage, SessionInfo, SessionKind, SessionOptions,
    SpeechEvent, Tool, ToolMode, TranscriptionOptions, TranscriptionSegment, Usage, VoiceActivityDetection,
};
use crate::provider::DecodeError;
use core::cell::Cell;

pub(super) fn server_event(frame: &str) -> Result<ServerMessage, DecodeError> {
    let v = match json::parse(frame) {
        Ok(v) if v.is_object() => v,
        Ok(_) => return Err(DecodeError { event_type: None, message: "not a JSON event object".into() }),
        Err(e) => return Err(DecodeError { event_type: None, message: text!("not a JSON event object: ", e) }),
    };
    let wrong = Cell::new(None);
    let envelope = Strict { v: &v, t: "", wrong: &wrong };
    let kind = envelope.str("type");
    let id = envelope.text("event_id");
    if let Err(e) = envelope.check() {
        return Err(DecodeError { event_type: None, message: text!("not a JSON event object: ", e.message) });
    }
    let Some(t) = kind else {
        return Err(DecodeError { event_type: None, message: "event has no \"type\"".into() });
    };
    let e = Strict { v: &v, t, wrong: &wrong };
    let event = event(t);
    use Event as E;
    use ServerMessage as M;
    // The events read leniently (and unmapped ones, kept whole) need their payloads to be objects.
    if !matches!(
        event,
        Some(
            E::SpeechStarted
                | E::SpeechStopped
                | E::TimeoutTriggered
                | E::Committed
                | E::Cleared
                | E::TranscriptionSegment
                | E::TextDelta
                | E::TextDone
                | E::TranscriptDelta
                | E::TranscriptDone
                | E::AudioDelta
                | E::AudioDone
                | E::ItemTruncated
                | E::ItemDeleted
                | E::ArgumentsDelta
                | E::ArgumentsDone
                | E::RateLimits
        )
    ) {
        payloads(&v, t)?;
    }
    let message = match event {
        Some(E::Error) => M::Error(error(&v, id)),
        Some(E::SessionCreated) => M::SessionCreated(session_info(&v, id)),
        Some(E::SessionUpdated) => M::SessionUpdated(session_info(&v, id)),
        Some(E::SpeechStarted) => M::InputAudioBufferSpeechStarted(speech(&e, id)),
        Some(E::SpeechStopped) => M::InputAudioBufferSpeechStopped(speech(&e, id)),
        Some(E::TimeoutTriggered) => M::InputAudioBufferTimeoutTriggered(speech(&e, id)),
        Some(E::Committed) => M::InputAudioBufferCommitted(item_reference(&e, id)),
        Some(E::Cleared) => M::InputAudioBufferCleared(Bare { message_id: id }),
        Some(E::TranscriptionDelta) => M::InputAudioTranscriptionDelta(input_transcription(&v, id, "delta")),
        Some(E::TranscriptionCompleted) => M::InputAudioTranscriptionCompleted(input_transcription(&v, id, "transcript")),
        Some(E::TranscriptionFailed) => M::InputAudioTranscriptionFailed(input_transcription(&v, id, "transcript")),
        Some(E::TranscriptionSegment) => M::InputAudioTranscriptionSegment(segment(&e, id)),
        Some(E::TextDelta) => M::OutputTextDelta(output_text(&e, id, "delta")),
        Some(E::TextDone) => M::OutputTextDone(output_text(&e, id, "text")),
        Some(E::TranscriptDelta) => M::OutputAudioTranscriptionDelta(output_text(&e, id, "delta")),
        Some(E::TranscriptDone) => M::OutputAudioTranscriptionDone(output_text(&e, id, "transcript")),
        Some(E::AudioDelta) => M::OutputAudioDelta(output_audio(&e, id)?),
        Some(E::AudioDone) => M::OutputAudioDone(output_audio(&e, id)?),
        Some(E::ResponseCreated) => M::ResponseCreated(response(&v, id)),
        Some(E::ResponseDone) => M::ResponseDone(response(&v, id)),
        Some(E::OutputItemAdded) => M::ResponseOutputItemAdded(response_output_item(&v, id)),
        Some(E::OutputItemDone) => M::ResponseOutputItemDone(response_output_item(&v, id)),
        Some(E::ItemAdded) => M::ConversationItemAdded(conversation_item_event(&v, id)),
        Some(E::ItemDone) => M::ConversationItemDone(conversation_item_event(&v, id)),
        Some(E::ItemRetrieved) => M::ConversationItemRetrieved(conversation_item_event(&v, id)),
        Some(E::ItemTruncated) => M::ConversationItemTruncated(truncated(&e, id)),
        Some(E::ItemDeleted) => M::ConversationItemDeleted(item_reference(&e, id)),
        Some(E::ArgumentsDelta) => M::FunctionCallArgumentsDelta(call_arguments(&e, id)),
        Some(E::ArgumentsDone) => M::FunctionCallArgumentsDone(call_arguments(&e, id)),
        Some(E::RateLimits) => M::RateLimitsUpdated(rate_limits(&e, id)),
        // Deliberately unmapped (see the README): content parts duplicate what the deltas carry;
        // output_audio_buffer.* exist only on WebRTC/SIP; DTMF is SIP-only; MCP progress and
        // conversation.created carry nothing the neutral session acts on.
        None => M::Raw(RawEvent { message_id: id, event_type: Some(t.to_owned()), payload: v.to_value() }),
    };
    // The typed events' reads noted their first wrong-typed field instead of failing one by one.
    e.check()?;
    Ok(message)
}

/// The wire events the codec maps, each to the neutral message it becomes.
#[derive(Clone, Copy)]
enum Event {
    Error,
    SessionCreated,
    SessionUpdated,
    SpeechStarted,
    SpeechStopped,
    TimeoutTriggered,
    Committed,
    Cleared,
    TranscriptionDelta,
    TranscriptionCompleted,
    TranscriptionFailed,
    TranscriptionSegment,
    TextDelta,
    TextDone,
    TranscriptDelta,
    TranscriptDone,
    AudioDelta,
    AudioDone,
    ResponseCreated,
    ResponseDone,
    OutputItemAdded,
    OutputItemDone,
    ItemAdded,
    ItemDone,
    ItemRetrieved,
    ItemTruncated,
    ItemDeleted,
    ArgumentsDelta,
    ArgumentsDone,
    RateLimits,
}

/// Wire names (GA, then the beta names still seen in the field) → events, looked up once per
/// frame: one string of names and a byte per event rather than a string `match` (a length switch
/// and a comparison per name, in code) or a table of `(&str, Event)` (12 bytes of pointers and
/// lengths per name, which gzip cannot shrink). The per-second ones lead.
macro_rules! events {
    ($($name:literal => $event:ident,)*) => {
        /// Each name followed by a space.
        const EVENT_NAMES: &str = concat!($($name, " "),*);
        /// The event of each name, in the same order.
        const EVENT_OF: &[Event] = &[$(Event::$event),*];
    };
}
events! {
    "response.output_audio.delta" => AudioDelta,
    "response.output_audio_transcript.delta" => TranscriptDelta,
    "response.output_text.delta" => TextDelta,
    "response.function_call_arguments.delta" => ArgumentsDelta,
    "conversation.item.input_audio_transcription.delta" => TranscriptionDelta,
    "response.audio.delta" => AudioDelta,
    "response.audio_transcript.delta" => TranscriptDelta,
    "response.text.delta" => TextDelta,
    "error" => Error,
    "session.created" => SessionCreated,
    "transcription_session.created" => SessionCreated,
    "session.updated" => SessionUpdated,
    "transcription_session.updated" => SessionUpdated,
    "input_audio_buffer.speech_started" => SpeechStarted,
    "input_audio_buffer.speech_stopped" => SpeechStopped,
    "input_audio_buffer.timeout_triggered" => TimeoutTriggered,
    "input_audio_buffer.committed" => Committed,
    "input_audio_buffer.cleared" => Cleared,
    "conversation.item.input_audio_transcription.completed" => TranscriptionCompleted,
    "conversation.item.input_audio_transcription.failed" => TranscriptionFailed,
    "conversation.item.input_audio_transcription.segment" => TranscriptionSegment,
    "response.output_text.done" => TextDone,
    "response.text.done" => TextDone,
    "response.output_audio_transcript.done" => TranscriptDone,
    "response.audio_transcript.done" => TranscriptDone,
    "response.output_audio.done" => AudioDone,
    "response.audio.done" => AudioDone,
    "response.created" => ResponseCreated,
    "response.done" => ResponseDone,
    "response.output_item.added" => OutputItemAdded,
    "response.output_item.done" => OutputItemDone,
    "conversation.item.added" => ItemAdded,
    "conversation.item.created" => ItemAdded,
    "conversation.item.done" => ItemDone,
    "conversation.item.retrieved" => ItemRetrieved,
    "conversation.item.truncated" => ItemTruncated,
    "conversation.item.deleted" => ItemDeleted,
    "response.function_call_arguments.done" => ArgumentsDone,
    "rate_limits.updated" => RateLimits,
}

/// The event a wire name maps to.
fn event(name: &str) -> Option<Event> {
    EVENT_OF.get(crate::text::word_index(EVENT_NAMES, name)?).copied()
}

// ---- typed events (strict reads) --------------------------------------------------------------

/// The first wrong-typed field of an event: its key, what it should be, what it was.
type Wrong = Option<(&'static str, &'static str, &'static str)>;

/// Strict reads of an event's top-level fields: absent or `null` is `None`; a value of another
/// type reads as `None` too and is noted (the first one, in a cell the reads of one event share),
/// so the event fails once, naming the field ([`Strict::check`]), rather than each read carrying
/// its own error path.
struct Strict<'v, 'a> {
    v: &'v Json<'a>,
    /// The event type, for errors.
    t: &'v str,
    wrong: &'v Cell<Wrong>,
}

impl<'v, 'a> Strict<'v, 'a> {
    /// The same checks on a nested object of the event.
    fn on(&self, v: &'v Json<'a>) -> Strict<'v, 'a> {
        Strict { v, t: self.t, wrong: self.wrong }
    }

    fn present(&self, key: &str) -> Option<&'v Json<'a>> {
        self.v.get(key).filter(|v| !v.is_null())
    }

    fn note(&self, key: &'static str, expected: &'static str, got: &Json) {
        if self.wrong.get().is_none() {
            self.wrong.set(Some((key, expected, got.kind())));
        }
    }

    /// The event, or its first wrong-typed field as the error.
    fn check(&self) -> Result<(), DecodeError> {
        match self.wrong.get() {
            None => Ok(()),
            Some((key, expected, got)) => {
                let event_type = (!self.t.is_empty()).then(|| self.t.to_owned());
                Err(DecodeError { event_type, message: text!("\"", key, "\": expected ", expected, ", got ", got) })
            }
        }
    }

    fn str(&self, key: &'static str) -> Option<&'v str> {
        let v = self.present(key)?;
        let s = v.as_str();
        if s.is_none() {
            self.note(key, "a string", v);
        }
        s
    }

    fn text(&self, key: &'static str) -> Option<String> {
        self.str(key).map(str::to_owned)
    }

    /// A string that is empty when absent.
    fn string(&self, key: &'static str) -> String {
        self.str(key).unwrap_or_default().to_owned()
    }

    fn uint(&self, key: &'static str) -> Option<u64> {
        let v = self.present(key)?;
        let n = v.as_u64();
        if n.is_none() {
            self.note(key, "a whole number", v);
        }
        n
    }

    /// An index or a duration in ms: 0 when absent.
    fn uint32(&self, key: &'static str) -> u32 {
        let Some(v) = self.present(key) else { return 0 };
        match v.as_u64().and_then(|n| u32::try_from(n).ok()) {
            Some(n) => n,
            None => {
                self.note(key, "a whole number below 2^32", v);
                0
            }
        }
    }

    fn number(&self, key: &'static str) -> Option<JsonNumber> {
        let v = self.present(key)?;
        let n = v.as_number();
        if n.is_none() {
            self.note(key, "a number", v);
        }
        n
    }
}

/// The event, after checking that its nested payload objects (`response`, `session`, `item`,
/// `error`), when present and not null, are objects.
fn payloads<'v, 'a>(v: &'v Json<'a>, event_type: &str) -> Result<&'v Json<'a>, DecodeError> {
    for key in ["response", "session", "item", "error"] {
        if let Some(payload) = field(v, key) {
            if !payload.is_object() {
                return Err(DecodeError { event_type: Some(event_type.into()), message: text!("\"", key, "\" must be an object") });
            }
        }
    }
    Ok(v)
}

fn speech(e: &Strict, message_id: Option<String>) -> SpeechEvent {
    SpeechEvent { message_id, item_id: e.text("item_id"), audio_start_ms: e.uint("audio_start_ms"), audio_end_ms: e.uint("audio_end_ms") }
}

fn item_reference(e: &Strict, message_id: Option<String>) -> ItemReference {
    ItemReference { message_id, item_id: e.string("item_id"), previous_item_id: e.text("previous_item_id") }
}

fn segment(e: &Strict, message_id: Option<String>) -> TranscriptionSegment {
    TranscriptionSegment {
        message_id,
        item_id: e.string("item_id"),
        content_index: e.uint32("content_index"),
        segment_id: e.string("id"),
        text: e.string("text"),
        speaker: e.text("speaker"),
        start: e.number("start"),
        end: e.number("end"),
    }
}

/// The ids every response-output event carries.
fn position(e: &Strict) -> OutputPosition {
    OutputPosition {
        response_id: e.text("response_id"),
        item_id: e.string("item_id"),
        output_index: e.uint32("output_index"),
        content_index: e.uint32("content_index"),
    }
}

fn output_text(e: &Strict, message_id: Option<String>, field: &'static str) -> OutputText {
    OutputText { message_id, position: position(e), text: e.string(field) }
}

fn output_audio(e: &Strict, message_id: Option<String>) -> Result<OutputAudio, DecodeError> {
    let audio = match e.str("delta") {
        Some(b64) => Some(Base64Data::from(
            decode_base64(b64).map_err(|err| DecodeError { event_type: Some(e.t.into()), message: text!("audio delta: ", err) })?,
        )),
        None => None,
    };
    Ok(OutputAudio { message_id, position: position(e), audio })
}

fn truncated(e: &Strict, message_id: Option<String>) -> ItemTruncated {
    ItemTruncated {
        message_id,
        item_id: e.string("item_id"),
        content_index: e.uint32("content_index"),
        audio_end_ms: e.uint32("audio_end_ms"),
    }
}

fn call_arguments(e: &Strict, message_id: Option<String>) -> FunctionCallArguments {
    FunctionCallArguments {
        message_id,
        response_id: e.text("response_id"),
        item_id: e.string("item_id"),
        output_index: e.uint32("output_index"),
        call_id: e.string("call_id"),
        delta: e.text("delta"),
        name: e.text("name"),
        arguments: e.text("arguments"),
    }
}

fn rate_limits(e: &Strict, message_id: Option<String>) -> RateLimits {
    let list = match e.present("rate_limits") {
        Some(Json::Array(list)) => list.as_slice(),
        Some(other) => {
            e.note("rate_limits", "an array", other);
            &[]
        }
        None => &[],
    };
    let mut rate_limits = Vec::with_capacity(list.len());
    for item in list {
        if !item.is_object() {
            e.note("rate_limits", "an array of objects", item);
            break;
        }
        let r = e.on(item);
        rate_limits.push(RateLimit {
            name: r.string("name"),
            limit: r.uint("limit"),
            remaining: r.uint("remaining"),
            reset_seconds: r.number("reset_seconds"),
        });
    }
    RateLimits { message_id, rate_limits }
}

// ---- lenient readers (sessions, responses, items) ---------------------------------

/// `v[key]`, or the member at a dotted path of keys (`"audio.output"`); `null` is absent.
fn field<'v, 'a>(v: &'v Json<'a>, key: &str) -> Option<&'v Json<'a>> {
    v.at(key).filter(|v| !v.is_null())
}

fn text(v: &Json, key: &str) -> Option<String> {
    field(v, key).and_then(Json::as_str).map(str::to_owned)
}

/// A string that is empty when absent (as [`Strict::string`]).
fn string(v: &Json, key: &str) -> String {
    field(v, key).and_then(Json::as_str).unwrap_or_default().to_owned()
}

/// The items of an array, none when absent.
fn items<'v, 'a>(v: &'v Json<'a>, key: &str) -> &'v [Json<'a>] {
    field(v, key).and_then(Json::as_array).unwrap_or_default()
}

fn uint(v: &Json, key: &str) -> Option<u64> {
    field(v, key).and_then(Json::as_u64)
}

fn uint32(v: &Json, key: &str) -> Option<u32> {
    uint(v, key).and_then(|n| u32::try_from(n).ok())
}

/// What `read` makes of each item, skipping the ones it makes nothing of (a plain loop: `collect()`
/// over iterator adapters is larger code for each element type).
fn list<T>(items: &[Json], read: impl Fn(&Json) -> Option<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        if let Some(x) = read(item) {
            out.push(x);
        }
    }
    out
}

fn error_info(v: &Json) -> ErrorInfo {
    ErrorInfo {
        message: string(v, "message"),
        code: text(v, "code"),
        kind: text(v, "type"),
        param: text(v, "param"),
    }
}

fn error(v: &Json, message_id: Option<String>) -> ErrorMessage {
    let body = field(v, "error").unwrap_or(&Json::Null);
    ErrorMessage { message_id, error: error_info(body), originating_message_id: text(body, "event_id") }
}

fn session_info(v: &Json, message_id: Option<String>) -> SessionInfo {
    let session = field(v, "session").unwrap_or(&Json::Null);
    SessionInfo { message_id, session_id: text(session, "id"), options: session_options(session) }
}

/// The effective options from a GA session object (beta top-level fields accepted too).
fn session_options(s: &Json) -> SessionOptions {
    let kind = match field(s, "type").and_then(Json::as_str) {
        Some("transcription") => SessionKind::Transcription,
        _ => SessionKind::Conversation,
    };
    let transcription = ga_or_beta(s, "audio.input.transcription", "input_audio_transcription").map(|t| TranscriptionOptions {
            speech_language: text(t, "language"),
            model_id: text(t, "model"),
            prompt: text(t, "prompt"),
        });
    // `turn_detection: null` means manual turns; absent means "not reported".
    let turn_detection = s.at("audio.input.turn_detection").or_else(|| s.get("turn_detection"));
    SessionOptions {
        kind,
        model: text(s, "model"),
        input_audio_format: ga_or_beta(s, "audio.input.format", "input_audio_format").and_then(audio_format),
        output_audio_format: ga_or_beta(s, "audio.output.format", "output_audio_format").and_then(audio_format),
        transcription,
        voice: ga_or_beta(s, "audio.output.voice", "voice").and_then(voice),
        instructions: text(s, "instructions"),
        max_output_tokens: uint32(s, "max_output_tokens").or_else(|| uint32(s, "max_response_output_tokens")),
        output_modalities: modalities(s),
        tool_mode: field(s, "tool_choice").and_then(tool_mode),
        tools: field(s, "tools").and_then(Json::as_array).map(|tools| list(tools, tool)),
        voice_activity_detection: turn_detection.map(vad),
        provider_options: None,
    }
}

/// `v[ga]` (a GA nested field, by its path), else `v[beta]` (its beta top-level name).
#[inline(never)]
fn ga_or_beta<'v, 'a>(v: &'v Json<'a>, ga: &str, beta: &str) -> Option<&'v Json<'a>> {
    field(v, ga).or_else(|| field(v, beta))
}

fn modalities(v: &Json) -> Option<Vec<Modality>> {
    let list = field(v, "output_modalities").or_else(|| field(v, "modalities"))?.as_array()?;
    Some(self::list(list, |m| match m.as_str() {
        Some("text") => Some(Modality::Text),
        Some("audio") => Some(Modality::Audio),
        _ => None,
    }))
}

/// GA format objects and beta format strings.
fn audio_format(v: &Json) -> Option<AudioFormat> {
    let (media_type, rate) = match v {
        Json::String(beta) => match beta.as_ref() {
            "pcm16" => (AudioFormat::PCM, AUDIO_RATE),
            "g711_ulaw" => (AudioFormat::PCMU, 8_000),
            "g711_alaw" => (AudioFormat::PCMA, 8_000),
            _ => return None,
        },
        Json::Object(_) => match field(v, "type")?.as_str()? {
            "audio/pcm" => (AudioFormat::PCM, uint32(v, "rate").unwrap_or(AUDIO_RATE)),
            "audio/pcmu" => (AudioFormat::PCMU, 8_000),
            "audio/pcma" => (AudioFormat::PCMA, 8_000),
            _ => return None,
        },
        _ => return None,
    };
    Some(AudioFormat { media_type: media_type.into(), sample_rate: rate })
}

fn voice(v: &Json) -> Option<String> {
    v.as_str().map(str::to_owned).or_else(|| text(v, "id"))
}

fn tool_mode(v: &Json) -> Option<ToolMode> {
    match v {
        Json::String(mode) => match mode.as_ref() {
            "auto" => Some(ToolMode::Auto),
            "none" => Some(ToolMode::None),
            "required" => Some(ToolMode::RequireAny),
            _ => None,
        },
        _ => text(v, "name").map(ToolMode::RequireSpecific),
    }
}

fn tool(v: &Json) -> Option<Tool> {
    match field(v, "type")?.as_str()? {
        "function" => Some(Tool::Function {
            name: text(v, "name")?,
            description: text(v, "description"),
            parameters: field(v, "parameters").map(Json::to_value),
        }),
        "mcp" => Some(Tool::HostedMcp {
            server_label: text(v, "server_label")?,
            server_url: text(v, "server_url"),
            connector_id: text(v, "connector_id"),
            allowed_tools: field(v, "allowed_tools")
                .and_then(Json::as_array)
                .map(|a| list(a, |t| t.as_str().map(str::to_owned))),
            require_approval: text(v, "require_approval"),
        }),
        _ => None,
    }
}

fn vad(v: &Json) -> VoiceActivityDetection {
    if v.is_null() {
        return VoiceActivityDetection { enabled: false, ..VoiceActivityDetection::default() };
    }
    let eagerness = match field(v, "type").and_then(Json::as_str) {
        Some("semantic_vad") => Some(match field(v, "eagerness").and_then(Json::as_str) {
            Some("low") => Eagerness::Low,
            Some("medium") => Eagerness::Medium,
            Some("high") => Eagerness::High,
            _ => Eagerness::Auto,
        }),
        _ => None,
    };
    VoiceActivityDetection {
        enabled: true,
        allow_interruption: field(v, "interrupt_response").and_then(Json::as_bool).unwrap_or(true),
        create_response: field(v, "create_response").and_then(Json::as_bool),
        threshold: field(v, "threshold").and_then(Json::as_number),
        prefix_padding_ms: uint32(v, "prefix_padding_ms"),
        silence_duration_ms: uint32(v, "silence_duration_ms"),
        eagerness,
        idle_timeout_ms: uint32(v, "idle_timeout_ms"),
    }
}

fn input_transcription(v: &Json, message_id: Option<String>, text_field: &str) -> InputTranscription {
    InputTranscription {
        message_id,
        item_id: string(v, "item_id"),
        content_index: uint32(v, "content_index").unwrap_or(0),
        transcription: text(v, text_field),
        usage: field(v, "usage").map(usage),
        error: field(v, "error").map(error_info),
    }
}

fn usage(v: &Json) -> Usage {
    Usage {
        input_tokens: uint(v, "input_tokens"),
        output_tokens: uint(v, "output_tokens"),
        total_tokens: uint(v, "total_tokens"),
        cached_input_tokens: uint(v, "input_token_details.cached_tokens"),
        input_text_tokens: uint(v, "input_token_details.text_tokens"),
        input_audio_tokens: uint(v, "input_token_details.audio_tokens"),
        input_image_tokens: uint(v, "input_token_details.image_tokens"),
        output_text_tokens: uint(v, "output_token_details.text_tokens"),
        output_audio_tokens: uint(v, "output_token_details.audio_tokens"),
    }
}

fn response(v: &Json, message_id: Option<String>) -> ResponseInfo {
    let r = field(v, "response").unwrap_or(&Json::Null);
    ResponseInfo {
        message_id,
        response_id: text(r, "id"),
        status: field(r, "status").and_then(Json::as_str).and_then(status),
        status_reason: text(r, "status_details.reason"),
        error: field(r, "status_details.error").map(error_info),
        usage: field(r, "usage").map(usage),
        items: list(items(r, "output"), |i| Some(item(i))),
        output_modalities: modalities(r),
        voice: ga_or_beta(r, "audio.output.voice", "voice").and_then(voice),
        output_audio_format: ga_or_beta(r, "audio.output.format", "output_audio_format").and_then(audio_format),
        max_output_tokens: uint32(r, "max_output_tokens"),
        metadata: field(r, "metadata").filter(|m| m.is_object()).map(Json::to_value),
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

fn response_output_item(v: &Json, message_id: Option<String>) -> ResponseOutputItem {
    ResponseOutputItem {
        message_id,
        response_id: text(v, "response_id"),
        output_index: uint32(v, "output_index").unwrap_or(0),
        // `map_or_else`, not `map(…).unwrap_or_default()` (a function of its own for the item).
        item: field(v, "item").map_or_else(ConversationItem::default, item),
    }
}

fn conversation_item_event(v: &Json, message_id: Option<String>) -> ConversationItemEvent {
    ConversationItemEvent {
        message_id,
        previous_item_id: text(v, "previous_item_id"),
        item: field(v, "item").map_or_else(ConversationItem::default, item),
    }
}

/// A wire item: message parts, a function call, a function output, or (MCP, …) kept raw.
fn item(v: &Json) -> ConversationItem {
    let contents = match field(v, "type").and_then(Json::as_str) {
        Some("message") | None => list(items(v, "content"), |part| Some(content(part))),
        Some("function_call") => vec![Content::FunctionCall {
            call_id: string(v, "call_id"),
            name: string(v, "name"),
            arguments: string(v, "arguments"),
        }],
        Some("function_call_output") => vec![Content::FunctionResult {
            call_id: string(v, "call_id"),
            name: None,
            result: field(v, "output").map_or(Json::Null, Json::to_value),
            error: None,
        }],
        Some(_) => vec![Content::Raw { value: v.to_value() }],
    };
    ConversationItem {
        id: text(v, "id"),
        role: match field(v, "role").and_then(Json::as_str) {
            Some("user") => Some(Role::User),
            Some("assistant") => Some(Role::Assistant),
            Some("system") => Some(Role::System),
            _ => None,
        },
        status: match field(v, "status").and_then(Json::as_str) {
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
fn content(v: &Json) -> Content {
    match field(v, "type").and_then(Json::as_str) {
        Some("input_text" | "output_text" | "text") => Content::Text { text: string(v, "text") },
        Some("input_audio" | "output_audio" | "audio") => Content::Audio {
            audio: field(v, "audio").and_then(Json::as_str).and_then(|b64| decode_base64(b64).ok()).map(Base64Data::from),
            transcript: text(v, "transcript"),
            format: None,
        },
        Some("input_image") => Content::Image { image_url: string(v, "image_url"), detail: text(v, "detail") },
        _ => Content::Raw { value: v.to_value() },
    }
}
