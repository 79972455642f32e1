//! Neutral client messages → Gemini Live client frames (`setup`, `clientContent`, `realtimeInput`,
//! `toolResponse`).

use super::{GeminiCodec, INPUT_RATE};
use crate::model::{ClientMessage, Content, ConversationItem, Eagerness, Modality, Role, SessionOptions, Tool, ToolMode};
use crate::json::{object, Json, JsonValue};
use crate::provider::EncodeError;
use std::borrow::Cow;

/// An object being built, member by member.
type Members = Vec<(Cow<'static, str>, JsonValue)>;

/// The `setup` frame: everything Gemini will ever know about the session's configuration.
pub(super) fn setup(codec: &mut GeminiCodec, options: &SessionOptions) -> Result<JsonValue, EncodeError> {
    let model = options.model.clone().unwrap_or_else(|| codec.model.clone());
    let model = if model.starts_with("models/") || model.starts_with("projects/") { model } else { format!("models/{model}") };
    let mut setup = Members::new();
    setup.push(("model".into(), model.into()));
    let mut generation = Members::new();
    if let Some(modalities) = &options.output_modalities {
        if modalities.is_empty() {
            return Err(EncodeError::range("options.outputModalities", "needs at least one modality"));
        }
        // One modality per session: audio (with transcription on request) or text.
        let modality = if modalities.contains(&Modality::Audio) { "AUDIO" } else { "TEXT" };
        generation.push(("responseModalities".into(), Json::Array(vec![Json::from(modality)])));
    }
    if let Some(max) = options.max_output_tokens {
        generation.push(("maxOutputTokens".into(), max.into()));
    }
    if let Some(voice) = &options.voice {
        generation.push(("speechConfig".into(), object! { "voiceConfig": object! { "prebuiltVoiceConfig": object! { "voiceName": voice } } }));
    }
    if !generation.is_empty() {
        setup.push(("generationConfig".into(), Json::Object(generation)));
    }
    if let Some(instructions) = &options.instructions {
        setup.push(("systemInstruction".into(), object! { "parts": vec![object! { "text": instructions }] }));
    }
    if let Some(tools) = &options.tools {
        let mut declarations = Vec::new();
        for (i, tool) in tools.iter().enumerate() {
            match tool {
                Tool::Function { name, description, parameters } => {
                    let mut d = object! { "name": name };
                    if let Some(description) = description {
                        d.set("description", description.as_str().into());
                    }
                    if let Some(parameters) = parameters {
                        // Gemini's own schema dialect has upper-case types; anything else is JSON Schema.
                        let native = parameters.get("type").and_then(Json::as_str).is_some_and(|t| t.chars().all(|c| c.is_ascii_uppercase()));
                        d.set(if native { "parameters" } else { "parametersJsonSchema" }, parameters.clone());
                    }
                    declarations.push(d);
                }
                Tool::HostedMcp { .. } => {
                    return Err(EncodeError::range(&format!("options.tools[{i}]"), "Gemini Live has no hosted MCP tools"));
                }
            }
        }
        if !declarations.is_empty() {
            setup.push(("tools".into(), Json::Array(vec![object! { "functionDeclarations": declarations }])));
        }
    }
    if let Some(ToolMode::RequireSpecific(_) | ToolMode::RequireAny | ToolMode::None) = &options.tool_mode {
        return Err(EncodeError::range("options.toolMode", "Gemini Live supports only \"auto\" tool choice"));
    }
    codec.manual_activity = false;
    if let Some(vad) = &options.voice_activity_detection {
        let mut detection = Members::new();
        if !vad.enabled {
            detection.push(("disabled".into(), true.into()));
            codec.manual_activity = true;
        } else {
            if let Some(threshold) = vad.threshold {
                // A high threshold means less sensitive to speech starting.
                let sensitivity = if threshold >= 0.5 { "START_SENSITIVITY_LOW" } else { "START_SENSITIVITY_HIGH" };
                detection.push(("startOfSpeechSensitivity".into(), sensitivity.into()));
            }
            if let Some(eagerness) = vad.eagerness {
                let sensitivity = match eagerness {
                    Eagerness::High => "END_SENSITIVITY_HIGH",
                    Eagerness::Low => "END_SENSITIVITY_LOW",
                    Eagerness::Medium | Eagerness::Auto => "END_SENSITIVITY_UNSPECIFIED",
                };
                detection.push(("endOfSpeechSensitivity".into(), sensitivity.into()));
            }
            if let Some(ms) = vad.prefix_padding_ms {
                detection.push(("prefixPaddingMs".into(), ms.into()));
            }
            if let Some(ms) = vad.silence_duration_ms {
                detection.push(("silenceDurationMs".into(), ms.into()));
            }
        }
        let mut config = Members::new();
        config.push(("automaticActivityDetection".into(), Json::Object(detection)));
        if vad.enabled {
            let handling = if vad.allow_interruption { "START_OF_ACTIVITY_INTERRUPTS" } else { "NO_INTERRUPTION" };
            config.push(("activityHandling".into(), handling.into()));
        }
        setup.push(("realtimeInputConfig".into(), Json::Object(config)));
    }
    // Output transcripts come with every audio reply, as on OpenAI (same app code, same events;
    // `providerOptions: { outputAudioTranscription: null }` opts out); input transcription is what
    // `transcription` turns on, on both providers.
    if options.transcription.is_some() {
        setup.push(("inputAudioTranscription".into(), object! {}));
    }
    let opted_out = options.provider_options.as_ref().and_then(|p| p.get("outputAudioTranscription")).is_some_and(Json::is_null);
    if options.output_modalities.as_ref().is_none_or(|m| m.contains(&Modality::Audio)) && !opted_out {
        setup.push(("outputAudioTranscription".into(), object! {}));
    }
    let mut setup = Json::Object(setup);
    match &options.provider_options {
        None => {}
        Some(Json::Object(seed)) => {
            // `null` in the seed removes a field (an opt-out), it is never sent.
            let mut merged = Json::Object(seed.iter().filter(|(_, v)| !v.is_null()).cloned().collect());
            merged.merge(setup);
            setup = merged;
        }
        Some(_) => return Err(EncodeError::shape("options.providerOptions", "must be an object")),
    }
    codec.options = options.clone();
    codec.options.model = setup.get("model").and_then(Json::as_str).map(str::to_owned);
    Ok(object! { "setup": setup })
}


/// What can be checked without state.
pub(super) fn validate(message: &ClientMessage) -> Result<(), EncodeError> {
    match message {
        ClientMessage::SessionUpdate { .. } => Err(EncodeError::unsupported(
            "sessionUpdate is not supported by this provider: Gemini Live fixes its configuration at setup (reconnect to change it)",
        )),
        ClientMessage::DeleteConversationItem { .. } | ClientMessage::RetrieveConversationItem { .. } => Err(
            EncodeError::unsupported(format!("{} is not supported by this provider: Gemini Live has no addressable items", message.kind())),
        ),
        ClientMessage::CreateConversationItem { item, .. } => match item.contents.as_slice() {
            [Content::FunctionResult { .. }] => Ok(()),
            _ => item_parts(item).map(|_| ()),
        },
        _ => Ok(()),
    }
}

pub(super) fn client_message(codec: &mut GeminiCodec, message: &ClientMessage) -> Result<Vec<JsonValue>, EncodeError> {
    validate(message)?;
    let mut frames = Vec::new();
    // Buffered user turns go out (without asking for a reply) before anything else that is not
    // another item or the request for a reply.
    if !matches!(message, ClientMessage::CreateConversationItem { .. } | ClientMessage::CreateResponse(_)) {
        flush_turns(codec, false, &mut frames);
    }
    match message {
        ClientMessage::InputAudioBufferAppend { audio, .. } => {
            if codec.manual_activity && !codec.in_activity {
                frames.push(object! { "realtimeInput": object! { "activityStart": object! {} } });
                codec.in_activity = true;
            }
            frames.push(object! { "realtimeInput": object! { "audio": object! { "data": audio.to_base64(), "mimeType": format!("audio/pcm;rate={INPUT_RATE}") } } });
        }
        ClientMessage::InputAudioBufferCommit { .. } => {
            if codec.manual_activity {
                if !codec.in_activity {
                    frames.push(object! { "realtimeInput": object! { "activityStart": object! {} } });
                }
                frames.push(object! { "realtimeInput": object! { "activityEnd": object! {} } });
                codec.in_activity = false;
            } else {
                frames.push(object! { "realtimeInput": object! { "audioStreamEnd": true } });
            }
        }
        // Nothing is buffered on the client side; Gemini has no input buffer to clear.
        ClientMessage::InputAudioBufferClear { .. } => {}
        ClientMessage::CreateConversationItem { item, .. } => match item.contents.as_slice() {
            [Content::FunctionResult { call_id, name, result, error }] => {
                let known = codec.call_names.take(call_id); // answered: forgotten
                let name = name.clone().or(known).ok_or_else(|| {
                    EncodeError::shape("item.contents[0].name", "Gemini needs the function's name (unknown call id)")
                })?;
                codec.pending_results.push(object! { "id": call_id, "name": name, "response": function_response(result, error.as_deref()) });
            }
            _ => {
                let parts = item_parts(item)?;
                let role = if item.role == Some(Role::Assistant) { "model" } else { "user" };
                codec.pending_turns.push(object! { "parts": parts, "role": role });
            }
        },
        ClientMessage::CreateResponse(_) => {
            if !codec.pending_results.is_empty() {
                let responses = std::mem::take(&mut codec.pending_results);
                frames.push(object! { "toolResponse": object! { "functionResponses": responses } });
            }
            // With nothing pending it sends nothing: Gemini answers audio on its own (activityEnd,
            // or its VAD), and an empty `turnComplete` would interrupt that very reply.
            if !codec.pending_turns.is_empty() {
                flush_turns(codec, true, &mut frames);
            }
        }
        // Gemini has no truncate (it cuts at the interruption itself) and no cancel (new input
        // interrupts): both are accepted and do nothing on the wire.
        ClientMessage::TruncateConversationItem { .. } | ClientMessage::CancelResponse { .. } => {}
        ClientMessage::Raw { payload, .. } => frames.push(payload.clone()),
        ClientMessage::SessionUpdate { .. } | ClientMessage::DeleteConversationItem { .. } | ClientMessage::RetrieveConversationItem { .. } => {}
    }
    Ok(frames)
}

fn flush_turns(codec: &mut GeminiCodec, complete: bool, frames: &mut Vec<JsonValue>) {
    if codec.pending_turns.is_empty() && !complete {
        return;
    }
    let turns = std::mem::take(&mut codec.pending_turns);
    let content = if turns.is_empty() { object! { "turnComplete": complete } } else { object! { "turns": turns, "turnComplete": complete } };
    frames.push(object! { "clientContent": content });
}

/// Gemini takes an object: a JSON object result as is, anything else wrapped (`output`/`error`).
fn function_response(result: &JsonValue, error: Option<&str>) -> JsonValue {
    match (error, result) {
        (Some(error), _) => object! { "error": error },
        (None, Json::Object(_)) => result.clone(),
        (None, other) => object! { "output": other.clone() },
    }
}

fn item_parts(item: &ConversationItem) -> Result<Vec<JsonValue>, EncodeError> {
    let mut parts = Vec::with_capacity(item.contents.len());
    for (i, content) in item.contents.iter().enumerate() {
        let field = format!("item.contents[{i}]");
        parts.push(match content {
            Content::Text { text } => object! { "text": text },
            Content::Audio { audio: Some(audio), .. } => {
                object! { "inlineData": object! { "mimeType": format!("audio/pcm;rate={INPUT_RATE}"), "data": audio.to_base64() } }
            }
            Content::Audio { audio: None, transcript: Some(text), .. } => object! { "text": text },
            Content::Image { image_url, .. } => {
                let (mime, data) = image_url
                    .strip_prefix("data:")
                    .and_then(|rest| rest.split_once(";base64,"))
                    .ok_or_else(|| EncodeError::range(&format!("{field}.imageUrl"), "Gemini Live takes images as data: URLs (base64)"))?;
                object! { "inlineData": object! { "mimeType": mime, "data": data } }
            }
            Content::Raw { value } => value.clone(),
            Content::FunctionResult { .. } | Content::FunctionCall { .. } => {
                return Err(EncodeError::shape(&field, "a function call or result must be the only content of its item"))
            }
            Content::Audio { .. } | Content::Error { .. } => {
                return Err(EncodeError::shape(&field, "this content cannot be sent to Gemini"))
            }
        });
    }
    Ok(parts)
}
