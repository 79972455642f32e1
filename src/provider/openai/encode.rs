//! Neutral client messages → OpenAI GA client events, written straight as JSON text (no tree is
//! built, except to merge the session over `providerOptions`).

use crate::prelude::*;
use crate::text::text;
use super::AUDIO_RATE;
use crate::json::{json_fields, object_text, Json, JsonObject, RawJson, ToJson};
use crate::model::{
    AudioFormat, ClientMessage, Content, ConversationItem, CreateResponse, Modality, Role, SessionKind,
    SessionOptions, Tool, ToolMode, VoiceActivityDetection,
};
use crate::provider::{Check, EncodeError};

/// GA bounds on `max_output_tokens` (the API also accepts `"inf"`, which is "absent" here).
const MAX_OUTPUT_TOKENS: u32 = 4096;
/// GA limits on response metadata.
const METADATA_MAX_KEYS: usize = 16;

/// The event's frame text.
pub(super) fn client_event(message: &ClientMessage) -> Result<String, EncodeError> {
    use ClientMessage as M;
    let check = &mut Check::default();
    // Everything that can fail, before anything is written.
    let body = match message {
        M::SessionUpdate { options, .. } => session(options, check),
        M::CreateConversationItem { item, .. } => conversation_item(item, "item", check),
        M::CreateResponse(request) => response_params(request, check),
        _ => String::new(),
    };
    let body = check.result(body)?;
    let event_id = message.message_id();
    let mut out = String::new();
    if let M::Raw { payload, .. } = message {
        // event_id: ours unless the payload already has one (never overwrite the app's own).
        with_member(payload, "event_id", event_id, &mut out);
        return Ok(out);
    }
    let mut o = JsonObject::new(&mut out);
    match message {
        M::SessionUpdate { .. } => o.tag("session.update").field("session", &RawJson(&body)),
        M::InputAudioBufferAppend { audio, .. } => o.tag("input_audio_buffer.append").field("audio", audio),
        M::InputAudioBufferCommit { .. } => o.tag("input_audio_buffer.commit"),
        M::InputAudioBufferClear { .. } => o.tag("input_audio_buffer.clear"),
        M::CreateConversationItem { previous_item_id, .. } => {
            o.tag("conversation.item.create").field("item", &RawJson(&body)).field("previous_item_id", previous_item_id)
        }
        M::TruncateConversationItem { item_id, content_index, audio_end_ms, .. } => o
            .tag("conversation.item.truncate")
            .field("item_id", item_id)
            .field("content_index", content_index)
            .field("audio_end_ms", audio_end_ms),
        M::DeleteConversationItem { item_id, .. } => o.tag("conversation.item.delete").field("item_id", item_id),
        M::RetrieveConversationItem { item_id, .. } => o.tag("conversation.item.retrieve").field("item_id", item_id),
        M::CreateResponse(_) => {
            o.tag("response.create");
            if body != "{}" {
                o.field("response", &RawJson(&body));
            }
            &mut o
        }
        M::CancelResponse { response_id, .. } => o.tag("response.cancel").field("response_id", response_id),
        M::Raw { .. } => &mut o,
    };
    o.field("event_id", &event_id);
    o.end();
    Ok(out)
}

/// `value` as written, with `key: extra` added when it is an object without that key.
fn with_member(value: &Json, key: &str, extra: Option<&str>, out: &mut String) {
    match (value, extra) {
        (Json::Object(pairs), Some(extra)) if value.get(key).is_none() => {
            let mut o = JsonObject::new(out);
            for (k, v) in pairs {
                o.member(k, v);
            }
            o.field(key, &extra);
            o.end();
        }
        _ => value.write_json(out),
    }
}

/// The GA `session` object of `session.update`, merged over `providerOptions`.
fn session(options: &SessionOptions, check: &mut Check) -> String {
    let mapped = mapped_session(options, check);
    match &options.provider_options {
        None => mapped,
        Some(seed @ Json::Object(_)) => {
            let mut merged: Json = seed.clone();
            // Our own text: it parses.
            if let Ok(top) = crate::json::parse(&mapped) {
                merged.merge(top);
            }
            crate::json::to_string(&merged)
        }
        Some(_) => {
            check.fail(EncodeError::shape("options.providerOptions", "must be an object"));
            mapped
        }
    }
}

fn mapped_session(options: &SessionOptions, check: &mut Check) -> String {
    let input_format = options.input_audio_format.as_ref().map(|f| audio_format(f, "options.inputAudioFormat", check));
    let turn_detection = options.voice_activity_detection.as_ref().map(|v| turn_detection(v, check));
    // A transcription session has no model output: only the input side applies.
    let conversation = options.kind == SessionKind::Conversation;
    let (mut modalities, mut max_tokens, mut tools, mut output_format) = (None, None, None, None);
    if conversation {
        modalities = options.output_modalities.as_deref().map(|m| output_modalities(m, "options.outputModalities", check));
        max_tokens = options.max_output_tokens.map(|m| max_output_tokens(m, "options.maxOutputTokens", check));
        tools = options.tools.as_deref().map(|t| self::tools(t, "options.tools", check));
        output_format = options.output_audio_format.as_ref().map(|f| audio_format(f, "options.outputAudioFormat", check));
    }
    let input = object_text(|o| {
        o.field("format", &input_format);
        if let Some(transcription) = &options.transcription {
            o.object("transcription", |t| {
                // A model is required for transcription to run; this is the service's recommended default.
                t.field("model", &transcription.model_id.as_deref().unwrap_or("gpt-4o-mini-transcribe"))
                    .field("language", &transcription.speech_language)
                    .field("prompt", &transcription.prompt);
            });
        }
        o.field("turn_detection", &turn_detection.as_deref().map(RawJson));
    });
    let output = object_text(|o| {
        o.field("format", &output_format);
        if conversation {
            o.field("voice", &options.voice.as_deref().map(Voice));
        }
    });
    object_text(|s| {
        if conversation {
            s.tag("realtime")
                .field("model", &options.model)
                .field("instructions", &options.instructions)
                .field("output_modalities", &modalities)
                .field("max_output_tokens", &max_tokens)
                .field("tools", &tools.as_deref().map(RawJson))
                .field("tool_choice", &options.tool_mode.as_ref().map(ToolChoice));
        } else {
            s.tag("transcription");
        }
        if input != "{}" || output != "{}" {
            s.object("audio", |a| {
                if input != "{}" {
                    a.field("input", &RawJson(&input));
                }
                if output != "{}" {
                    a.field("output", &RawJson(&output));
                }
            });
        }
    })
}

/// A GA audio format: `{ "type": "audio/pcm", "rate": 24000 }`.
struct WireFormat {
    kind: &'static str,
    rate: Option<u32>,
}
json_fields!(WireFormat { kind: "type", rate: "rate" });

fn audio_format(format: &AudioFormat, field: &str, check: &mut Check) -> WireFormat {
    let (kind, rate) = match format.media_type.as_str() {
        AudioFormat::PCM if format.sample_rate == AUDIO_RATE => ("audio/pcm", Some(AUDIO_RATE)),
        AudioFormat::PCM => {
            check.fail(EncodeError::range(
                &text!(field, ".sampleRate"),
                text!("OpenAI accepts audio/pcm at ", AUDIO_RATE, " Hz only, not ", format.sample_rate),
            ));
            ("", None)
        }
        AudioFormat::PCMU => ("audio/pcmu", None),
        AudioFormat::PCMA => ("audio/pcma", None),
        other => {
            check.fail(EncodeError::range(
                &text!(field, ".mediaType"),
                text!("unsupported by OpenAI: ", crate::json::to_string(other), " (use audio/pcm, audio/pcmu or audio/pcma)"),
            ));
            ("", None)
        }
    };
    WireFormat { kind, rate }
}

/// `turn_detection` as JSON text: `null` (off) or its object.
// Comparisons, not `(a..=b).contains(&x)`: at opt-level "z" that is a call to a
// `RangeInclusive::contains` of its own per type (package size).
#[allow(clippy::manual_range_contains)]
fn turn_detection(vad: &VoiceActivityDetection, check: &mut Check) -> String {
    const FIELD: &str = "options.voiceActivityDetection";
    if !vad.enabled {
        return "null".into();
    }
    if vad.eagerness.is_none() {
        if vad.threshold.as_ref().is_some_and(|t| !(0.0..=1.0).contains(&t.value())) {
            check.fail(EncodeError::range(&text!(FIELD, ".threshold"), "must be between 0 and 1"));
        } else if vad.idle_timeout_ms.is_some_and(|ms| ms < 5_000 || ms > 30_000) {
            check.fail(EncodeError::range(&text!(FIELD, ".idleTimeoutMs"), "must be 5000–30000"));
        }
    }
    object_text(|td| {
        if let Some(eagerness) = vad.eagerness {
            td.tag("semantic_vad").field("eagerness", &eagerness.as_str());
        } else {
            td.tag("server_vad")
                .field("threshold", &vad.threshold)
                .field("prefix_padding_ms", &vad.prefix_padding_ms)
                .field("silence_duration_ms", &vad.silence_duration_ms)
                .field("idle_timeout_ms", &vad.idle_timeout_ms);
        }
        td.field("create_response", &vad.create_response).field("interrupt_response", &vad.allow_interruption);
    })
}

/// GA takes exactly one modality: audio (which always comes with a transcript) or text.
fn output_modalities(modalities: &[Modality], field: &str, check: &mut Check) -> [&'static str; 1] {
    if modalities.is_empty() {
        check.fail(EncodeError::range(field, "needs at least one modality"));
    }
    [if modalities.contains(&Modality::Audio) { "audio" } else { "text" }]
}

#[allow(clippy::manual_range_contains)] // see `turn_detection`
fn max_output_tokens(max: u32, field: &str, check: &mut Check) -> u32 {
    if max < 1 || max > MAX_OUTPUT_TOKENS {
        check.fail(EncodeError::range(field, text!("must be 1–", MAX_OUTPUT_TOKENS)));
    }
    max
}

/// A voice name, or (custom voices, `voice_…`) `{ "id": … }`.
struct Voice<'a>(&'a str);

impl ToJson for Voice<'_> {
    fn write_json(&self, out: &mut String) {
        if self.0.starts_with("voice_") {
            let mut o = JsonObject::new(out);
            o.field("id", &self.0);
            o.end();
        } else {
            self.0.write_json(out)
        }
    }
}

struct ToolChoice<'a>(&'a ToolMode);

impl ToJson for ToolChoice<'_> {
    fn write_json(&self, out: &mut String) {
        match self.0 {
            ToolMode::Auto => "auto".write_json(out),
            ToolMode::None => "none".write_json(out),
            ToolMode::RequireAny => "required".write_json(out),
            ToolMode::RequireSpecific(name) => {
                let mut o = JsonObject::new(out);
                o.tag("function").field("name", name);
                o.end();
            }
        }
    }
}

/// The `tools` array, as JSON text.
fn tools(tools: &[Tool], field: &str, check: &mut Check) -> String {
    let mut out = String::from("[");
    for (i, tool) in tools.iter().enumerate() {
        if let Tool::Function { name, parameters, .. } = tool {
            if name.is_empty() {
                check.fail(EncodeError::range(&text!(field, "[", i, "].name"), "must not be empty"));
            } else if parameters.as_ref().is_some_and(|p| !p.is_object()) {
                check.fail(EncodeError::shape(&text!(field, "[", i, "].parameters"), "must be a JSON Schema object"));
            }
        }
        if i > 0 {
            out.push(',');
        }
        let mut t = JsonObject::new(&mut out);
        match tool {
            Tool::Function { name, description, parameters } => {
                t.tag("function").field("name", name).field("description", description).field("parameters", parameters)
            }
            Tool::HostedMcp { server_label, server_url, connector_id, allowed_tools, require_approval } => t
                .tag("mcp")
                .field("server_label", server_label)
                .field("server_url", server_url)
                .field("connector_id", connector_id)
                .field("allowed_tools", allowed_tools)
                .field("require_approval", require_approval),
        };
        t.end();
    }
    out.push(']');
    out
}

/// A conversation item as JSON text: a message (text/audio/image parts), a function call, or a
/// function result.
fn conversation_item(item: &ConversationItem, field: &str, check: &mut Check) -> String {
    let mut out = String::new();
    let id = item.id.as_deref();
    match item.contents.as_slice() {
        [Content::FunctionResult { call_id, result, error, .. }] => {
            let mut o = JsonObject::new(&mut out);
            o.tag("function_call_output").field("call_id", call_id).field("output", &function_output(result, error.as_deref()));
            o.field("id", &id);
            o.end();
        }
        [Content::FunctionCall { call_id, name, arguments }] => {
            let mut o = JsonObject::new(&mut out);
            o.tag("function_call").field("call_id", call_id).field("name", name).field("arguments", arguments);
            o.field("id", &id);
            o.end();
        }
        // A provider-native item, sent as is.
        [Content::Raw { value }] => with_member(value, "id", id, &mut out),
        contents => {
            let role = item.role.unwrap_or(Role::User);
            let mut parts = String::from("[");
            for (i, content) in contents.iter().enumerate() {
                if i > 0 {
                    parts.push(',');
                }
                message_part(content, role, &text!(field, ".contents[", i, "]"), &mut parts, check);
            }
            parts.push(']');
            let mut o = JsonObject::new(&mut out);
            o.tag("message").field("role", &role_name(role)).field("content", &RawJson(&parts));
            o.field("id", &id);
            o.end();
        }
    }
    out
}

/// The model reads tool output as text: strings go as they are, anything else as JSON.
fn function_output(result: &Json, error: Option<&str>) -> String {
    match (error, result) {
        // A failed call's result (if any) is not what the model should act on.
        (Some(error), _) => object_text(|o| {
            o.field("error", &error);
        }),
        (_, Json::String(text)) => text.as_ref().to_owned(),
        (_, value) => crate::json::to_string(value),
    }
}

fn message_part(content: &Content, role: Role, field: &str, out: &mut String, check: &mut Check) {
    match content {
        Content::Text { text } => {
            let kind = if role == Role::Assistant { "output_text" } else { "input_text" };
            let mut o = JsonObject::new(out);
            o.tag(kind).field("text", text);
            o.end();
        }
        Content::Audio { audio, transcript, .. } => {
            if role != Role::User {
                return check.fail(EncodeError::range(field, "OpenAI accepts audio content only in user items"));
            }
            let Some(audio) = audio else {
                return check.fail(EncodeError::shape(&text!(field, ".audio"), "user audio content needs its bytes"));
            };
            let mut o = JsonObject::new(out);
            o.tag("input_audio").field("audio", audio).field("transcript", transcript);
            o.end();
        }
        Content::Image { image_url, detail } => {
            if role != Role::User {
                return check.fail(EncodeError::range(field, "OpenAI accepts images only in user items"));
            }
            let mut o = JsonObject::new(out);
            o.tag("input_image").field("image_url", image_url).field("detail", detail);
            o.end();
        }
        Content::Raw { value } => value.write_json(out),
        Content::FunctionCall { .. } | Content::FunctionResult { .. } => {
            check.fail(EncodeError::shape(field, "a function call or result must be the only content of its item"))
        }
        Content::Error { .. } => check.fail(EncodeError::shape(field, "error content cannot be sent to OpenAI")),
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::System => "system",
    }
}

/// `response.create.response` as JSON text: only the overrides the app set (`{}` when none).
fn response_params(request: &CreateResponse, check: &mut Check) -> String {
    let modalities = request.output_modalities.as_deref().map(|m| output_modalities(m, "outputModalities", check));
    let format = request.output_audio_format.as_ref().map(|f| audio_format(f, "outputAudioFormat", check));
    let tools = request.tools.as_deref().map(|t| self::tools(t, "tools", check));
    let max_tokens = request.max_output_tokens.map(|m| max_output_tokens(m, "maxOutputTokens", check));
    let metadata = request.metadata.as_ref().map(|m| m.as_object().unwrap_or_default());
    if metadata.is_some_and(|m| m.len() > METADATA_MAX_KEYS) {
        check.fail(EncodeError::range("metadata", text!("at most ", METADATA_MAX_KEYS, " keys")));
    }
    let mut input = None;
    if let Some(items) = &request.items {
        let mut text = String::from("[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&conversation_item(item, &text!("items[", i, "]"), check));
        }
        text.push(']');
        input = Some(text);
    }
    object_text(|p| {
        p.field("output_modalities", &modalities).field("instructions", &request.instructions);
        if format.is_some() || request.voice.is_some() {
            p.object("audio", |a| {
                a.object("output", |o| {
                    o.field("format", &format).field("voice", &request.voice.as_deref().map(Voice));
                });
            });
        }
        p.field("tools", &tools.as_deref().map(RawJson))
            .field("tool_choice", &request.tool_mode.as_ref().map(ToolChoice))
            .field("max_output_tokens", &max_tokens)
            .field("conversation", &request.exclude_from_conversation.map(|exclude| if exclude { "none" } else { "auto" }));
        if let Some(metadata) = metadata {
            // The API takes string values only.
            p.object("metadata", |m| {
                for (key, value) in metadata {
                    match value.as_str() {
                        Some(text) => m.member(key, &text),
                        None => m.member(key, &crate::json::to_string(value)),
                    };
                }
            });
        }
        p.field("input", &input.as_deref().map(RawJson));
    })
}
