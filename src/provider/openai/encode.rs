//! Neutral client messages → OpenAI GA client events.

use super::AUDIO_RATE;
use crate::model::{
    AudioFormat, ClientMessage, Content, ConversationItem, CreateResponse, Modality, Role, SessionKind,
    SessionOptions, Tool, ToolMode, VoiceActivityDetection,
};
use crate::json::{object, Json, JsonValue};
use crate::provider::EncodeError;
use std::borrow::Cow;

/// An object being built, member by member.
type Members = Vec<(Cow<'static, str>, JsonValue)>;

/// GA bounds on `max_output_tokens` (the API also accepts `"inf"`, which is "absent" here).
const MAX_OUTPUT_TOKENS: u32 = 4096;
/// GA limits on response metadata.
const METADATA_MAX_KEYS: usize = 16;

pub(super) fn client_event(message: &ClientMessage) -> Result<JsonValue, EncodeError> {
    let mut event = match message {
        ClientMessage::SessionUpdate { options, .. } => {
            object! { "type": "session.update", "session": session(options)? }
        }
        ClientMessage::InputAudioBufferAppend { audio, .. } => {
            object! { "type": "input_audio_buffer.append", "audio": audio.to_base64() }
        }
        ClientMessage::InputAudioBufferCommit { .. } => object! { "type": "input_audio_buffer.commit" },
        ClientMessage::InputAudioBufferClear { .. } => object! { "type": "input_audio_buffer.clear" },
        ClientMessage::CreateConversationItem { item, previous_item_id, .. } => {
            let mut event = object! { "type": "conversation.item.create", "item": conversation_item(item, "item")? };
            if let Some(previous) = previous_item_id {
                event.set("previous_item_id", previous.as_str().into());
            }
            event
        }
        ClientMessage::TruncateConversationItem { item_id, content_index, audio_end_ms, .. } => object! {
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": *content_index,
            "audio_end_ms": *audio_end_ms,
        },
        ClientMessage::DeleteConversationItem { item_id, .. } => {
            object! { "type": "conversation.item.delete", "item_id": item_id }
        }
        ClientMessage::RetrieveConversationItem { item_id, .. } => {
            object! { "type": "conversation.item.retrieve", "item_id": item_id }
        }
        ClientMessage::CreateResponse(request) => {
            let params = response_params(request)?;
            if params.is_empty() {
                object! { "type": "response.create" }
            } else {
                object! { "type": "response.create", "response": Json::Object(params) }
            }
        }
        ClientMessage::CancelResponse { response_id, .. } => {
            let mut event = object! { "type": "response.cancel" };
            if let Some(id) = response_id {
                event.set("response_id", id.as_str().into());
            }
            event
        }
        ClientMessage::Raw { payload, .. } => payload.clone(),
    };
    // event_id: ours unless a raw payload already has one (never overwrite the app's own).
    if let (Some(id), None) = (message.message_id(), event.get("event_id")) {
        event.set("event_id", id.into());
    }
    Ok(event)
}

/// The GA `session` object of `session.update`, merged over `providerOptions`.
fn session(options: &SessionOptions) -> Result<JsonValue, EncodeError> {
    let mut session = Members::new();
    let mut input = Members::new();
    let mut output = Members::new();
    if let Some(format) = &options.input_audio_format {
        input.push(("format".into(), audio_format(format, "options.inputAudioFormat")?));
    }
    if let Some(transcription) = &options.transcription {
        let mut t = Members::new();
        // A model is required for transcription to run; this is the service's recommended default.
        t.push(("model".into(), transcription.model_id.as_deref().unwrap_or("gpt-4o-mini-transcribe").into()));
        if let Some(language) = &transcription.speech_language {
            t.push(("language".into(), language.as_str().into()));
        }
        if let Some(prompt) = &transcription.prompt {
            t.push(("prompt".into(), prompt.as_str().into()));
        }
        input.push(("transcription".into(), Json::Object(t)));
    }
    if let Some(vad) = &options.voice_activity_detection {
        input.push(("turn_detection".into(), turn_detection(vad)?));
    }
    match options.kind {
        SessionKind::Transcription => {
            // A transcription session has no model output: only the input side applies.
            session.push(("type".into(), "transcription".into()));
        }
        SessionKind::Conversation => {
            session.push(("type".into(), "realtime".into()));
            if let Some(model) = &options.model {
                session.push(("model".into(), model.as_str().into()));
            }
            if let Some(instructions) = &options.instructions {
                session.push(("instructions".into(), instructions.as_str().into()));
            }
            if let Some(modalities) = &options.output_modalities {
                session.push(("output_modalities".into(), output_modalities(modalities, "options.outputModalities")?));
            }
            if let Some(max) = options.max_output_tokens {
                session.push(("max_output_tokens".into(), max_output_tokens(max, "options.maxOutputTokens")?));
            }
            if let Some(tools) = &options.tools {
                session.push(("tools".into(), self::tools(tools, "options.tools")?));
            }
            if let Some(mode) = &options.tool_mode {
                session.push(("tool_choice".into(), tool_choice(mode)));
            }
            if let Some(format) = &options.output_audio_format {
                output.push(("format".into(), audio_format(format, "options.outputAudioFormat")?));
            }
            if let Some(voice) = &options.voice {
                output.push(("voice".into(), self::voice(voice)));
            }
        }
    }
    let mut audio = Members::new();
    if !input.is_empty() {
        audio.push(("input".into(), Json::Object(input)));
    }
    if !output.is_empty() {
        audio.push(("output".into(), Json::Object(output)));
    }
    if !audio.is_empty() {
        session.push(("audio".into(), Json::Object(audio)));
    }
    let mut merged = match &options.provider_options {
        None => Json::Object(Members::new()),
        Some(seed @ Json::Object(_)) => seed.clone(),
        Some(_) => return Err(EncodeError::shape("options.providerOptions", "must be an object")),
    };
    merged.merge(Json::Object(session));
    Ok(merged)
}


fn audio_format(format: &AudioFormat, field: &str) -> Result<JsonValue, EncodeError> {
    match format.media_type.as_str() {
        AudioFormat::PCM if format.sample_rate == AUDIO_RATE => Ok(object! { "type": "audio/pcm", "rate": AUDIO_RATE }),
        AudioFormat::PCM => Err(EncodeError::range(
            &format!("{field}.sampleRate"),
            format!("OpenAI accepts audio/pcm at {AUDIO_RATE} Hz only, not {}", format.sample_rate),
        )),
        AudioFormat::PCMU => Ok(object! { "type": "audio/pcmu" }),
        AudioFormat::PCMA => Ok(object! { "type": "audio/pcma" }),
        other => Err(EncodeError::range(
            &format!("{field}.mediaType"),
            format!("unsupported by OpenAI: {} (use audio/pcm, audio/pcmu or audio/pcma)", crate::json::to_string(other)),
        )),
    }
}

fn turn_detection(vad: &VoiceActivityDetection) -> Result<JsonValue, EncodeError> {
    const FIELD: &str = "options.voiceActivityDetection";
    if !vad.enabled {
        return Ok(Json::Null);
    }
    let mut td = Members::new();
    if let Some(eagerness) = vad.eagerness {
        td.push(("type".into(), "semantic_vad".into()));
        td.push(("eagerness".into(), eagerness.as_str().into()));
    } else {
        td.push(("type".into(), "server_vad".into()));
        if let Some(threshold) = vad.threshold {
            if !(0.0..=1.0).contains(&threshold) {
                return Err(EncodeError::range(&format!("{FIELD}.threshold"), "must be between 0 and 1"));
            }
            td.push(("threshold".into(), threshold.into()));
        }
        if let Some(ms) = vad.prefix_padding_ms {
            td.push(("prefix_padding_ms".into(), ms.into()));
        }
        if let Some(ms) = vad.silence_duration_ms {
            td.push(("silence_duration_ms".into(), ms.into()));
        }
        if let Some(ms) = vad.idle_timeout_ms {
            if !(5_000..=30_000).contains(&ms) {
                return Err(EncodeError::range(&format!("{FIELD}.idleTimeoutMs"), "must be 5000–30000"));
            }
            td.push(("idle_timeout_ms".into(), ms.into()));
        }
    }
    if let Some(create) = vad.create_response {
        td.push(("create_response".into(), create.into()));
    }
    td.push(("interrupt_response".into(), vad.allow_interruption.into()));
    Ok(Json::Object(td))
}

/// GA takes exactly one modality: audio (which always comes with a transcript) or text.
fn output_modalities(modalities: &[Modality], field: &str) -> Result<JsonValue, EncodeError> {
    if modalities.is_empty() {
        return Err(EncodeError::range(field, "needs at least one modality"));
    }
    let modality = if modalities.contains(&Modality::Audio) { "audio" } else { "text" };
    Ok(Json::Array(vec![Json::from(modality)]))
}

fn max_output_tokens(max: u32, field: &str) -> Result<JsonValue, EncodeError> {
    if (1..=MAX_OUTPUT_TOKENS).contains(&max) {
        Ok(max.into())
    } else {
        Err(EncodeError::range(field, format!("must be 1–{MAX_OUTPUT_TOKENS}")))
    }
}

fn voice(voice: &str) -> JsonValue {
    // Custom voices are referenced by id.
    if voice.starts_with("voice_") {
        object! { "id": voice }
    } else {
        voice.into()
    }
}

fn tool_choice(mode: &ToolMode) -> JsonValue {
    match mode {
        ToolMode::Auto => "auto".into(),
        ToolMode::None => "none".into(),
        ToolMode::RequireAny => "required".into(),
        ToolMode::RequireSpecific(name) => object! { "type": "function", "name": name },
    }
}

fn tools(tools: &[Tool], field: &str) -> Result<JsonValue, EncodeError> {
    let mut out = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        out.push(match tool {
            Tool::Function { name, description, parameters } => {
                if name.is_empty() {
                    return Err(EncodeError::range(&format!("{field}[{i}].name"), "must not be empty"));
                }
                let mut t = object! { "type": "function", "name": name };
                if let Some(description) = description {
                    t.set("description", description.as_str().into());
                }
                match parameters {
                    Some(p @ Json::Object(_)) => t.set("parameters", p.clone()),
                    Some(_) => {
                        return Err(EncodeError::shape(&format!("{field}[{i}].parameters"), "must be a JSON Schema object"))
                    }
                    None => {}
                }
                t
            }
            Tool::HostedMcp { server_label, server_url, connector_id, allowed_tools, require_approval } => {
                let mut t = object! { "type": "mcp", "server_label": server_label };
                if let Some(url) = server_url {
                    t.set("server_url", url.as_str().into());
                }
                if let Some(id) = connector_id {
                    t.set("connector_id", id.as_str().into());
                }
                if let Some(allowed) = allowed_tools {
                    t.set("allowed_tools", Json::Array(allowed.iter().map(Json::from).collect()));
                }
                if let Some(approval) = require_approval {
                    t.set("require_approval", approval.as_str().into());
                }
                t
            }
        });
    }
    Ok(Json::Array(out))
}

/// A conversation item: a message (text/audio/image parts), a function call, or a function result.
fn conversation_item(item: &ConversationItem, field: &str) -> Result<JsonValue, EncodeError> {
    let mut out = match item.contents.as_slice() {
        [Content::FunctionResult { call_id, result, error, .. }] => object! {
            "type": "function_call_output",
            "call_id": call_id,
            "output": function_output(result, error.as_deref()),
        },
        [Content::FunctionCall { call_id, name, arguments }] => object! {
            "type": "function_call",
            "call_id": call_id,
            "name": name,
            "arguments": arguments,
        },
        // A provider-native item, sent as is.
        [Content::Raw { value }] => value.clone(),
        contents => {
            let role = item.role.unwrap_or(Role::User);
            let mut parts = Vec::with_capacity(contents.len());
            for (i, content) in contents.iter().enumerate() {
                parts.push(message_part(content, role, &format!("{field}.contents[{i}]"))?);
            }
            object! { "type": "message", "role": role_name(role), "content": parts }
        }
    };
    if let (Some(id), None) = (&item.id, out.get("id")) {
        out.set("id", id.into());
    }
    Ok(out)
}

/// The model reads tool output as text: strings go as they are, anything else as JSON.
fn function_output(result: &JsonValue, error: Option<&str>) -> String {
    match (error, result) {
        // A failed call's result (if any) is not what the model should act on.
        (Some(error), _) => crate::json::to_string(&object! { "error": error }),
        (_, Json::String(text)) => text.as_ref().to_owned(),
        (_, value) => crate::json::to_string(value),
    }
}

fn message_part(content: &Content, role: Role, field: &str) -> Result<JsonValue, EncodeError> {
    Ok(match content {
        Content::Text { text } => match role {
            Role::Assistant => object! { "type": "output_text", "text": text },
            Role::User | Role::System => object! { "type": "input_text", "text": text },
        },
        Content::Audio { audio, transcript, .. } => {
            if role != Role::User {
                return Err(EncodeError::range(field, "OpenAI accepts audio content only in user items"));
            }
            let Some(audio) = audio else {
                return Err(EncodeError::shape(&format!("{field}.audio"), "user audio content needs its bytes"));
            };
            let mut part = object! { "type": "input_audio", "audio": audio.to_base64() };
            if let Some(transcript) = transcript {
                part.set("transcript", transcript.as_str().into());
            }
            part
        }
        Content::Image { image_url, detail } => {
            if role != Role::User {
                return Err(EncodeError::range(field, "OpenAI accepts images only in user items"));
            }
            let mut part = object! { "type": "input_image", "image_url": image_url };
            if let Some(detail) = detail {
                part.set("detail", detail.as_str().into());
            }
            part
        }
        Content::Raw { value } => value.clone(),
        Content::FunctionCall { .. } | Content::FunctionResult { .. } => {
            return Err(EncodeError::shape(field, "a function call or result must be the only content of its item"))
        }
        Content::Error { .. } => return Err(EncodeError::shape(field, "error content cannot be sent to OpenAI")),
    })
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::System => "system",
    }
}

/// `response.create.response`: only the overrides the app set.
fn response_params(request: &CreateResponse) -> Result<Members, EncodeError> {
    let mut params = Members::new();
    if let Some(modalities) = &request.output_modalities {
        params.push(("output_modalities".into(), output_modalities(modalities, "outputModalities")?));
    }
    if let Some(instructions) = &request.instructions {
        params.push(("instructions".into(), instructions.as_str().into()));
    }
    let mut output = Members::new();
    if let Some(format) = &request.output_audio_format {
        output.push(("format".into(), audio_format(format, "outputAudioFormat")?));
    }
    if let Some(voice) = &request.voice {
        output.push(("voice".into(), self::voice(voice)));
    }
    if !output.is_empty() {
        params.push(("audio".into(), object! { "output": Json::Object(output) }));
    }
    if let Some(tools) = &request.tools {
        params.push(("tools".into(), self::tools(tools, "tools")?));
    }
    if let Some(mode) = &request.tool_mode {
        params.push(("tool_choice".into(), tool_choice(mode)));
    }
    if let Some(max) = request.max_output_tokens {
        params.push(("max_output_tokens".into(), max_output_tokens(max, "maxOutputTokens")?));
    }
    if let Some(exclude) = request.exclude_from_conversation {
        params.push(("conversation".into(), if exclude { "none" } else { "auto" }.into()));
    }
    if let Some(metadata) = &request.metadata {
        let metadata = metadata.as_object().unwrap_or_default();
        if metadata.len() > METADATA_MAX_KEYS {
            return Err(EncodeError::range("metadata", format!("at most {METADATA_MAX_KEYS} keys")));
        }
        // The API takes string values only.
        let mut strings = Members::new();
        for (k, v) in metadata {
            strings.push((k.clone(), Json::from(v.as_str().map(str::to_owned).unwrap_or_else(|| crate::json::to_string(v)))));
        }
        params.push(("metadata".into(), Json::Object(strings)));
    }
    if let Some(items) = &request.items {
        let mut input = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            input.push(conversation_item(item, &format!("items[{i}]"))?);
        }
        params.push(("input".into(), Json::Array(input)));
    }
    Ok(params)
}
