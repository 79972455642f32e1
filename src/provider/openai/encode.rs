//! Neutral client messages → OpenAI GA client events.

use super::AUDIO_RATE;
use crate::model::{
    AudioFormat, ClientMessage, Content, ConversationItem, CreateResponse, Modality, Role, SessionKind,
    SessionOptions, Tool, ToolMode, VoiceActivityDetection,
};
use crate::provider::{merge_json, EncodeError};
use serde_json::{json, Map, Value};

/// GA bounds on `max_output_tokens` (the API also accepts `"inf"`, which is "absent" here).
const MAX_OUTPUT_TOKENS: u32 = 4096;
/// GA limits on response metadata.
const METADATA_MAX_KEYS: usize = 16;

pub(super) fn client_event(message: &ClientMessage) -> Result<Value, EncodeError> {
    let mut event = match message {
        ClientMessage::SessionUpdate { options, .. } => {
            json!({ "type": "session.update", "session": session(options)? })
        }
        ClientMessage::InputAudioBufferAppend { audio, .. } => {
            json!({ "type": "input_audio_buffer.append", "audio": audio.to_base64() })
        }
        ClientMessage::InputAudioBufferCommit { .. } => json!({ "type": "input_audio_buffer.commit" }),
        ClientMessage::InputAudioBufferClear { .. } => json!({ "type": "input_audio_buffer.clear" }),
        ClientMessage::CreateConversationItem { item, previous_item_id, .. } => {
            let mut event = json!({ "type": "conversation.item.create", "item": conversation_item(item, "item")? });
            if let Some(previous) = previous_item_id {
                event["previous_item_id"] = previous.as_str().into();
            }
            event
        }
        ClientMessage::TruncateConversationItem { item_id, content_index, audio_end_ms, .. } => json!({
            "type": "conversation.item.truncate",
            "item_id": item_id,
            "content_index": content_index,
            "audio_end_ms": audio_end_ms,
        }),
        ClientMessage::DeleteConversationItem { item_id, .. } => {
            json!({ "type": "conversation.item.delete", "item_id": item_id })
        }
        ClientMessage::RetrieveConversationItem { item_id, .. } => {
            json!({ "type": "conversation.item.retrieve", "item_id": item_id })
        }
        ClientMessage::CreateResponse(request) => {
            let params = response_params(request)?;
            if params.is_empty() {
                json!({ "type": "response.create" })
            } else {
                json!({ "type": "response.create", "response": params })
            }
        }
        ClientMessage::CancelResponse { response_id, .. } => {
            let mut event = json!({ "type": "response.cancel" });
            if let Some(id) = response_id {
                event["response_id"] = id.as_str().into();
            }
            event
        }
        ClientMessage::Raw { payload, .. } => payload.clone(),
    };
    // event_id: ours unless a raw payload already has one (never overwrite the app's own).
    if let (Some(id), Value::Object(map)) = (message.message_id(), &mut event) {
        map.entry("event_id").or_insert_with(|| id.into());
    }
    Ok(event)
}

/// The GA `session` object of `session.update`, merged over `providerOptions`.
fn session(options: &SessionOptions) -> Result<Value, EncodeError> {
    let mut session = Map::new();
    let mut input = Map::new();
    let mut output = Map::new();
    if let Some(format) = &options.input_audio_format {
        input.insert("format".into(), audio_format(format, "options.inputAudioFormat")?);
    }
    if let Some(transcription) = &options.transcription {
        let mut t = Map::new();
        // A model is required for transcription to run; this is the service's recommended default.
        t.insert("model".into(), transcription.model_id.as_deref().unwrap_or("gpt-4o-mini-transcribe").into());
        if let Some(language) = &transcription.speech_language {
            t.insert("language".into(), language.as_str().into());
        }
        if let Some(prompt) = &transcription.prompt {
            t.insert("prompt".into(), prompt.as_str().into());
        }
        input.insert("transcription".into(), Value::Object(t));
    }
    if let Some(vad) = &options.voice_activity_detection {
        input.insert("turn_detection".into(), turn_detection(vad)?);
    }
    match options.kind {
        SessionKind::Transcription => {
            // A transcription session has no model output: only the input side applies.
            session.insert("type".into(), "transcription".into());
        }
        SessionKind::Conversation => {
            session.insert("type".into(), "realtime".into());
            if let Some(model) = &options.model {
                session.insert("model".into(), model.as_str().into());
            }
            if let Some(instructions) = &options.instructions {
                session.insert("instructions".into(), instructions.as_str().into());
            }
            if let Some(modalities) = &options.output_modalities {
                session.insert("output_modalities".into(), output_modalities(modalities, "options.outputModalities")?);
            }
            if let Some(max) = options.max_output_tokens {
                session.insert("max_output_tokens".into(), max_output_tokens(max, "options.maxOutputTokens")?);
            }
            if let Some(tools) = &options.tools {
                session.insert("tools".into(), self::tools(tools, "options.tools")?);
            }
            if let Some(mode) = &options.tool_mode {
                session.insert("tool_choice".into(), tool_choice(mode));
            }
            if let Some(format) = &options.output_audio_format {
                output.insert("format".into(), audio_format(format, "options.outputAudioFormat")?);
            }
            if let Some(voice) = &options.voice {
                output.insert("voice".into(), self::voice(voice));
            }
        }
    }
    let mut audio = Map::new();
    if !input.is_empty() {
        audio.insert("input".into(), Value::Object(input));
    }
    if !output.is_empty() {
        audio.insert("output".into(), Value::Object(output));
    }
    if !audio.is_empty() {
        session.insert("audio".into(), Value::Object(audio));
    }
    let mut merged = match &options.provider_options {
        None => Value::Object(Map::new()),
        Some(seed @ Value::Object(_)) => seed.clone(),
        Some(_) => return Err(EncodeError::shape("options.providerOptions", "must be an object")),
    };
    merge_json(&mut merged, Value::Object(session));
    Ok(merged)
}


fn audio_format(format: &AudioFormat, field: &str) -> Result<Value, EncodeError> {
    match format.media_type.as_str() {
        AudioFormat::PCM if format.sample_rate == AUDIO_RATE => Ok(json!({ "type": "audio/pcm", "rate": AUDIO_RATE })),
        AudioFormat::PCM => Err(EncodeError::range(
            &format!("{field}.sampleRate"),
            format!("OpenAI accepts audio/pcm at {AUDIO_RATE} Hz only, not {}", format.sample_rate),
        )),
        AudioFormat::PCMU => Ok(json!({ "type": "audio/pcmu" })),
        AudioFormat::PCMA => Ok(json!({ "type": "audio/pcma" })),
        other => Err(EncodeError::range(
            &format!("{field}.mediaType"),
            format!("unsupported by OpenAI: {} (use audio/pcm, audio/pcmu or audio/pcma)", crate::json::to_string(other)),
        )),
    }
}

fn turn_detection(vad: &VoiceActivityDetection) -> Result<Value, EncodeError> {
    const FIELD: &str = "options.voiceActivityDetection";
    if !vad.enabled {
        return Ok(Value::Null);
    }
    let mut td = Map::new();
    if let Some(eagerness) = vad.eagerness {
        td.insert("type".into(), "semantic_vad".into());
        td.insert("eagerness".into(), eagerness.as_str().into());
    } else {
        td.insert("type".into(), "server_vad".into());
        if let Some(threshold) = vad.threshold {
            if !(0.0..=1.0).contains(&threshold) {
                return Err(EncodeError::range(&format!("{FIELD}.threshold"), "must be between 0 and 1"));
            }
            td.insert("threshold".into(), threshold.into());
        }
        if let Some(ms) = vad.prefix_padding_ms {
            td.insert("prefix_padding_ms".into(), ms.into());
        }
        if let Some(ms) = vad.silence_duration_ms {
            td.insert("silence_duration_ms".into(), ms.into());
        }
        if let Some(ms) = vad.idle_timeout_ms {
            if !(5_000..=30_000).contains(&ms) {
                return Err(EncodeError::range(&format!("{FIELD}.idleTimeoutMs"), "must be 5000–30000"));
            }
            td.insert("idle_timeout_ms".into(), ms.into());
        }
    }
    if let Some(create) = vad.create_response {
        td.insert("create_response".into(), create.into());
    }
    td.insert("interrupt_response".into(), vad.allow_interruption.into());
    Ok(Value::Object(td))
}

/// GA takes exactly one modality: audio (which always comes with a transcript) or text.
fn output_modalities(modalities: &[Modality], field: &str) -> Result<Value, EncodeError> {
    if modalities.is_empty() {
        return Err(EncodeError::range(field, "needs at least one modality"));
    }
    let modality = if modalities.contains(&Modality::Audio) { "audio" } else { "text" };
    Ok(json!([modality]))
}

fn max_output_tokens(max: u32, field: &str) -> Result<Value, EncodeError> {
    if (1..=MAX_OUTPUT_TOKENS).contains(&max) {
        Ok(max.into())
    } else {
        Err(EncodeError::range(field, format!("must be 1–{MAX_OUTPUT_TOKENS}")))
    }
}

fn voice(voice: &str) -> Value {
    // Custom voices are referenced by id.
    if voice.starts_with("voice_") {
        json!({ "id": voice })
    } else {
        voice.into()
    }
}

fn tool_choice(mode: &ToolMode) -> Value {
    match mode {
        ToolMode::Auto => "auto".into(),
        ToolMode::None => "none".into(),
        ToolMode::RequireAny => "required".into(),
        ToolMode::RequireSpecific(name) => json!({ "type": "function", "name": name }),
    }
}

fn tools(tools: &[Tool], field: &str) -> Result<Value, EncodeError> {
    let mut out = Vec::with_capacity(tools.len());
    for (i, tool) in tools.iter().enumerate() {
        out.push(match tool {
            Tool::Function { name, description, parameters } => {
                if name.is_empty() {
                    return Err(EncodeError::range(&format!("{field}[{i}].name"), "must not be empty"));
                }
                let mut t = json!({ "type": "function", "name": name });
                if let Some(description) = description {
                    t["description"] = description.as_str().into();
                }
                match parameters {
                    Some(p @ Value::Object(_)) => t["parameters"] = p.clone(),
                    Some(_) => {
                        return Err(EncodeError::shape(&format!("{field}[{i}].parameters"), "must be a JSON Schema object"))
                    }
                    None => {}
                }
                t
            }
            Tool::HostedMcp { server_label, server_url, connector_id, allowed_tools, require_approval } => {
                let mut t = json!({ "type": "mcp", "server_label": server_label });
                if let Some(url) = server_url {
                    t["server_url"] = url.as_str().into();
                }
                if let Some(id) = connector_id {
                    t["connector_id"] = id.as_str().into();
                }
                if let Some(allowed) = allowed_tools {
                    t["allowed_tools"] = json!(allowed);
                }
                if let Some(approval) = require_approval {
                    t["require_approval"] = approval.as_str().into();
                }
                t
            }
        });
    }
    Ok(Value::Array(out))
}

/// A conversation item: a message (text/audio/image parts), a function call, or a function result.
fn conversation_item(item: &ConversationItem, field: &str) -> Result<Value, EncodeError> {
    let mut out = match item.contents.as_slice() {
        [Content::FunctionResult { call_id, result, error, .. }] => json!({
            "type": "function_call_output",
            "call_id": call_id,
            "output": function_output(result, error.as_deref()),
        }),
        [Content::FunctionCall { call_id, name, arguments }] => json!({
            "type": "function_call",
            "call_id": call_id,
            "name": name,
            "arguments": arguments,
        }),
        // A provider-native item, sent as is.
        [Content::Raw { value }] => value.clone(),
        contents => {
            let role = item.role.unwrap_or(Role::User);
            let mut parts = Vec::with_capacity(contents.len());
            for (i, content) in contents.iter().enumerate() {
                parts.push(message_part(content, role, &format!("{field}.contents[{i}]"))?);
            }
            json!({ "type": "message", "role": role_name(role), "content": parts })
        }
    };
    if let (Some(id), Value::Object(map)) = (&item.id, &mut out) {
        map.entry("id").or_insert_with(|| id.as_str().into());
    }
    Ok(out)
}

/// The model reads tool output as text: strings go as they are, anything else as JSON.
fn function_output(result: &Value, error: Option<&str>) -> String {
    match (error, result) {
        // A failed call's result (if any) is not what the model should act on.
        (Some(error), _) => crate::json::to_string(&json!({ "error": error })),
        (_, Value::String(text)) => text.clone(),
        (_, value) => crate::json::to_string(value),
    }
}

fn message_part(content: &Content, role: Role, field: &str) -> Result<Value, EncodeError> {
    Ok(match content {
        Content::Text { text } => match role {
            Role::Assistant => json!({ "type": "output_text", "text": text }),
            Role::User | Role::System => json!({ "type": "input_text", "text": text }),
        },
        Content::Audio { audio, transcript, .. } => {
            if role != Role::User {
                return Err(EncodeError::range(field, "OpenAI accepts audio content only in user items"));
            }
            let Some(audio) = audio else {
                return Err(EncodeError::shape(&format!("{field}.audio"), "user audio content needs its bytes"));
            };
            let mut part = json!({ "type": "input_audio", "audio": audio.to_base64() });
            if let Some(transcript) = transcript {
                part["transcript"] = transcript.as_str().into();
            }
            part
        }
        Content::Image { image_url, detail } => {
            if role != Role::User {
                return Err(EncodeError::range(field, "OpenAI accepts images only in user items"));
            }
            let mut part = json!({ "type": "input_image", "image_url": image_url });
            if let Some(detail) = detail {
                part["detail"] = detail.as_str().into();
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
fn response_params(request: &CreateResponse) -> Result<Map<String, Value>, EncodeError> {
    let mut params = Map::new();
    if let Some(modalities) = &request.output_modalities {
        params.insert("output_modalities".into(), output_modalities(modalities, "outputModalities")?);
    }
    if let Some(instructions) = &request.instructions {
        params.insert("instructions".into(), instructions.as_str().into());
    }
    let mut output = Map::new();
    if let Some(format) = &request.output_audio_format {
        output.insert("format".into(), audio_format(format, "outputAudioFormat")?);
    }
    if let Some(voice) = &request.voice {
        output.insert("voice".into(), self::voice(voice));
    }
    if !output.is_empty() {
        params.insert("audio".into(), json!({ "output": output }));
    }
    if let Some(tools) = &request.tools {
        params.insert("tools".into(), self::tools(tools, "tools")?);
    }
    if let Some(mode) = &request.tool_mode {
        params.insert("tool_choice".into(), tool_choice(mode));
    }
    if let Some(max) = request.max_output_tokens {
        params.insert("max_output_tokens".into(), max_output_tokens(max, "maxOutputTokens")?);
    }
    if let Some(exclude) = request.exclude_from_conversation {
        params.insert("conversation".into(), if exclude { "none" } else { "auto" }.into());
    }
    if let Some(metadata) = &request.metadata {
        if metadata.len() > METADATA_MAX_KEYS {
            return Err(EncodeError::range("metadata", format!("at most {METADATA_MAX_KEYS} keys")));
        }
        // The API takes string values only.
        // Inserted one by one: collecting into a `Map` instantiates a sort (kBs of wasm).
        let mut strings = Map::new();
        for (k, v) in metadata {
            strings.insert(k.clone(), Value::String(v.as_str().map(str::to_owned).unwrap_or_else(|| crate::json::to_string(v))));
        }
        params.insert("metadata".into(), Value::Object(strings));
    }
    if let Some(items) = &request.items {
        let mut input = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            input.push(conversation_item(item, &format!("items[{i}]"))?);
        }
        params.insert("input".into(), Value::Array(input));
    }
    Ok(params)
}
