//! Neutral client messages → Gemini Live client frames (`setup`, `clientContent`, `realtimeInput`,
//! `toolResponse`), written straight as JSON text (no tree is built, except to merge the setup over
//! `providerOptions`).

use crate::prelude::*;
use crate::text::text;
use super::{GeminiCodec, INPUT_RATE};
use crate::json::{object_text, Json, JsonObject, RawJson, ToJson};
use crate::model::{ClientMessage, Content, ConversationItem, Eagerness, Modality, Role, SessionOptions, Tool, ToolMode};
use crate::provider::{Check, EncodeError};

/// The `setup` object (what goes under `"setup"`): everything Gemini will ever know about the
/// session's configuration. `resumable`: ask for resumption handles.
pub(super) fn setup(codec: &mut GeminiCodec, options: &SessionOptions, resumable: bool) -> Result<String, EncodeError> {
    let model = options.model.clone().unwrap_or_else(|| codec.model.clone());
    let model = if model.starts_with("models/") || model.starts_with("projects/") { model } else { text!("models/", model) };
    // One modality per session: audio (with transcription on request) or text.
    let modality = match &options.output_modalities {
        Some(modalities) if modalities.is_empty() => {
            return Err(EncodeError::range("options.outputModalities", "needs at least one modality"))
        }
        Some(modalities) => Some([if modalities.contains(&Modality::Audio) { "AUDIO" } else { "TEXT" }]),
        None => None,
    };
    let tools = options.tools.as_deref().unwrap_or_default();
    if let Some(i) = tools.iter().position(|t| matches!(t, Tool::HostedMcp { .. })) {
        return Err(EncodeError::range(&text!("options.tools[", i, "]"), "Gemini Live has no hosted MCP tools"));
    }
    if let Some(ToolMode::RequireSpecific(_) | ToolMode::RequireAny | ToolMode::None) = &options.tool_mode {
        return Err(EncodeError::range("options.toolMode", "Gemini Live supports only \"auto\" tool choice"));
    }
    let seed = match &options.provider_options {
        None => None,
        Some(seed @ Json::Object(_)) => Some(seed),
        Some(_) => return Err(EncodeError::shape("options.providerOptions", "must be an object")),
    };
    codec.manual_activity = options.voice_activity_detection.as_ref().is_some_and(|vad| !vad.enabled);
    // Output transcripts come with every audio reply, as on OpenAI (same app code, same events;
    // `providerOptions: { outputAudioTranscription: null }` opts out); input transcription is what
    // `transcription` turns on, on both providers.
    let opted_out = seed.and_then(|p| p.get("outputAudioTranscription")).is_some_and(Json::is_null);
    let output_transcription = options.output_modalities.as_ref().is_none_or(|m| m.contains(&Modality::Audio)) && !opted_out;
    let mapped = object_text(|s| {
        s.field("model", &model);
        if modality.is_some() || options.max_output_tokens.is_some() || options.voice.is_some() {
            s.object("generationConfig", |g| {
                g.field("responseModalities", &modality).field("maxOutputTokens", &options.max_output_tokens);
                if let Some(voice) = &options.voice {
                    g.nested("speechConfig.voiceConfig.prebuiltVoiceConfig.voiceName", voice);
                }
            });
        }
        if let Some(instructions) = &options.instructions {
            s.nested("systemInstruction.parts", &[Text(instructions)]);
        }
        if !tools.is_empty() {
            s.field("tools", &[FunctionDeclarations(tools)]);
        }
        if let Some(vad) = &options.voice_activity_detection {
            s.object("realtimeInputConfig", |config| {
                config.object("automaticActivityDetection", |d| {
                    if !vad.enabled {
                        d.field("disabled", &true);
                        return;
                    }
                    // A high threshold means less sensitive to speech starting.
                    let start = vad.threshold.as_ref().map(|t| if t.value() >= 0.5 { "START_SENSITIVITY_LOW" } else { "START_SENSITIVITY_HIGH" });
                    let end = vad.eagerness.map(|eagerness| match eagerness {
                        Eagerness::High => "END_SENSITIVITY_HIGH",
                        Eagerness::Low => "END_SENSITIVITY_LOW",
                        Eagerness::Medium | Eagerness::Auto => "END_SENSITIVITY_UNSPECIFIED",
                    });
                    d.field("startOfSpeechSensitivity", &start)
                        .field("endOfSpeechSensitivity", &end)
                        .field("prefixPaddingMs", &vad.prefix_padding_ms)
                        .field("silenceDurationMs", &vad.silence_duration_ms);
                });
                if vad.enabled {
                    let handling = if vad.allow_interruption { "START_OF_ACTIVITY_INTERRUPTS" } else { "NO_INTERRUPTION" };
                    config.field("activityHandling", &handling);
                }
            });
        }
        if options.transcription.is_some() {
            s.field("inputAudioTranscription", &RawJson("{}"));
        }
        if output_transcription {
            s.field("outputAudioTranscription", &RawJson("{}"));
        }
        if resumable && seed.and_then(|seed| seed.get("sessionResumption")).is_none_or(Json::is_null) {
            s.field("sessionResumption", &RawJson("{}"));
        }
    });
    codec.options = options.clone();
    codec.options.model = Some(model);
    let Some(Json::Object(seed)) = seed else { return Ok(mapped) };
    // `null` in the seed removes a field (an opt-out), it is never sent.
    let mut kept = Vec::with_capacity(seed.len());
    for (key, value) in seed {
        if !value.is_null() {
            // The key copied as text, not `Cow::clone` (a function of its own for this one use).
            kept.push((alloc::borrow::Cow::Owned(key.as_ref().to_owned()), value.clone()));
        }
    }
    let mut merged = Json::Object(kept);
    // Our own text: it parses.
    if let Ok(mapped) = crate::json::parse(&mapped) {
        merged.merge(mapped);
    }
    Ok(crate::json::to_string(&merged))
}

/// `{ "text": … }`.
struct Text<'a>(&'a str);

impl ToJson for Text<'_> {
    fn write_json(&self, out: &mut String) {
        let mut o = JsonObject::new(out);
        o.field("text", &self.0);
        o.end();
    }
}

/// `{ "functionDeclarations": [...] }` of the function tools.
struct FunctionDeclarations<'a>(&'a [Tool]);

impl ToJson for FunctionDeclarations<'_> {
    fn write_json(&self, out: &mut String) {
        let mut o = JsonObject::new(out);
        o.field("functionDeclarations", &Declarations(self.0));
        o.end();
    }
}

struct Declarations<'a>(&'a [Tool]);

impl ToJson for Declarations<'_> {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        let mut first = true;
        for tool in self.0 {
            let Tool::Function { name, description, parameters } = tool else { continue };
            if !core::mem::replace(&mut first, false) {
                out.push(',');
            }
            // Gemini's own schema dialect has upper-case types; anything else is JSON Schema.
            // (A loop, not `bytes().all(…)`: an iterator fold of its own.)
            let mut native = false;
            if let Some(t) = parameters.as_ref().and_then(|p| p.get("type")).and_then(Json::as_str) {
                native = true;
                for c in t.bytes() {
                    native &= c.is_ascii_uppercase();
                }
            }
            let mut d = JsonObject::new(out);
            d.field("name", name).field("description", description).field(if native { "parameters" } else { "parametersJsonSchema" }, parameters);
            d.end();
        }
        out.push(']');
    }
}

/// The setup frame around a `setup` object.
pub(super) fn setup_frame(setup: &str) -> String {
    object_text(|o| {
        o.field("setup", &RawJson(setup));
    })
}

/// The stored `setup` object with `sessionResumption: { handle }` (replacing any other).
pub(super) fn with_handle(setup: &str, handle: &str) -> String {
    let Ok(Json::Object(pairs)) = crate::json::parse(setup) else { return setup.to_owned() };
    object_text(|o| {
        for (key, value) in &pairs {
            if key != "sessionResumption" {
                o.member(key, value);
            }
        }
        o.nested("sessionResumption.handle", &handle);
    })
}

/// What can be checked without state.
pub(super) fn validate(message: &ClientMessage) -> Result<(), EncodeError> {
    match message {
        ClientMessage::SessionUpdate { .. } => Err(EncodeError::unsupported(
            "sessionUpdate is not supported by this provider: Gemini Live fixes its configuration at setup (reconnect to change it)",
        )),
        ClientMessage::DeleteConversationItem { .. } | ClientMessage::RetrieveConversationItem { .. } => Err(
            EncodeError::unsupported(text!(message.kind(), " is not supported by this provider: Gemini Live has no addressable items")),
        ),
        ClientMessage::CreateConversationItem { item, .. } => match item.contents.as_slice() {
            [Content::FunctionResult { .. }] => Ok(()),
            _ => {
                let mut check = Check::default();
                item_parts(item, &mut check);
                check.result(())
            }
        },
        _ => Ok(()),
    }
}

pub(super) fn client_message(codec: &mut GeminiCodec, message: &ClientMessage) -> Result<Vec<String>, EncodeError> {
    validate(message)?;
    let mut frames = Vec::new();
    // Buffered user turns go out (without asking for a reply) before anything else that is not
    // another item or the request for a reply.
    if !matches!(message, ClientMessage::CreateConversationItem { .. } | ClientMessage::CreateResponse(_)) {
        flush_turns(codec, false, &mut frames);
    }
    let realtime_input = |path: &str, value: &dyn ToJson| {
        object_text(|o| {
            o.nested(path, value);
        })
    };
    const EMPTY: RawJson = RawJson("{}");
    match message {
        ClientMessage::InputAudioBufferAppend { audio, .. } => {
            if codec.manual_activity && !codec.in_activity {
                frames.push(realtime_input("realtimeInput.activityStart", &EMPTY));
                codec.in_activity = true;
            }
            frames.push(realtime_input("realtimeInput.audio", &AudioBlob(audio)));
        }
        ClientMessage::InputAudioBufferCommit { .. } => {
            if codec.manual_activity {
                if !codec.in_activity {
                    frames.push(realtime_input("realtimeInput.activityStart", &EMPTY));
                }
                frames.push(realtime_input("realtimeInput.activityEnd", &EMPTY));
                codec.in_activity = false;
            } else {
                frames.push(realtime_input("realtimeInput.audioStreamEnd", &true));
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
                let response = FunctionResponse { result, error: error.as_deref() };
                codec.pending_results.push(object_text(|o| {
                    o.field("id", call_id).field("name", &name).field("response", &response);
                }));
            }
            _ => {
                // Checked by `validate` above.
                let parts = item_parts(item, &mut Check::default());
                let role = if item.role == Some(Role::Assistant) { "model" } else { "user" };
                codec.pending_turns.push(object_text(|o| {
                    o.field("parts", &RawJson(&parts)).field("role", &role);
                }));
            }
        },
        ClientMessage::CreateResponse(_) => {
            if !codec.pending_results.is_empty() {
                let responses = list(&core::mem::take(&mut codec.pending_results));
                frames.push(object_text(|o| {
                    o.nested("toolResponse.functionResponses", &RawJson(&responses));
                }));
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
        ClientMessage::Raw { payload, .. } => frames.push(crate::json::to_string(payload)),
        ClientMessage::SessionUpdate { .. } | ClientMessage::DeleteConversationItem { .. } | ClientMessage::RetrieveConversationItem { .. } => {}
    }
    Ok(frames)
}

/// JSON texts as one array (a loop: `join` over `String`s is an instantiation of its own).
fn list(items: &[String]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(item);
    }
    out.push(']');
    out
}

fn flush_turns(codec: &mut GeminiCodec, complete: bool, frames: &mut Vec<String>) {
    if codec.pending_turns.is_empty() && !complete {
        return;
    }
    let turns = core::mem::take(&mut codec.pending_turns);
    frames.push(object_text(|o| {
        o.object("clientContent", |c| {
            if !turns.is_empty() {
                c.field("turns", &RawJson(&list(&turns)));
            }
            c.field("turnComplete", &complete);
        });
    }));
}

/// The microphone audio's type, a constant (not formatted per chunk).
const AUDIO_MIME: &str = "audio/pcm;rate=16000";
const _: () = assert!(INPUT_RATE == 16_000, "AUDIO_MIME names the input rate");

/// `{ "data": base64, "mimeType": "audio/pcm;rate=16000" }`.
struct AudioBlob<'a>(&'a crate::model::Base64Data);

impl ToJson for AudioBlob<'_> {
    fn write_json(&self, out: &mut String) {
        let mut o = JsonObject::new(out);
        o.field("data", self.0).field("mimeType", &AUDIO_MIME);
        o.end();
    }
}

/// Gemini takes an object: a JSON object result as is, anything else wrapped (`output`/`error`).
struct FunctionResponse<'a> {
    result: &'a Json<'static>,
    error: Option<&'a str>,
}

impl ToJson for FunctionResponse<'_> {
    fn write_json(&self, out: &mut String) {
        match (self.error, self.result) {
            (None, Json::Object(_)) => self.result.write_json(out),
            (error, result) => {
                let mut o = JsonObject::new(out);
                match error {
                    Some(error) => o.field("error", &error),
                    None => o.field("output", result),
                };
                o.end();
            }
        }
    }
}

/// The parts of a user or model turn, as a JSON array's text.
fn item_parts(item: &ConversationItem, check: &mut Check) -> String {
    let mut out = String::from("[");
    for (i, content) in item.contents.iter().enumerate() {
        let field = text!("item.contents[", i, "]");
        if i > 0 {
            out.push(',');
        }
        match content {
            Content::Text { text } | Content::Audio { audio: None, transcript: Some(text), .. } => Text(text).write_json(&mut out),
            Content::Audio { audio: Some(audio), .. } => {
                let mut o = JsonObject::new(&mut out);
                o.field("inlineData", &AudioBlob(audio));
                o.end();
            }
            Content::Image { image_url, .. } => {
                // `data:` at the start by the search already linked (not `strip_prefix`'s own code).
                let data_url = match crate::text::split_once(image_url, "data:") {
                    Some(("", rest)) => crate::text::split_once(rest, ";base64,"),
                    _ => None,
                };
                let Some((mime, data)) = data_url else {
                    check.fail(EncodeError::range(&text!(field, ".imageUrl"), "Gemini Live takes images as data: URLs (base64)"));
                    continue;
                };
                let mut o = JsonObject::new(&mut out);
                o.object("inlineData", |d| {
                    d.field("mimeType", &mime).field("data", &data);
                });
                o.end();
            }
            Content::Raw { value } => value.write_json(&mut out),
            Content::FunctionResult { .. } | Content::FunctionCall { .. } => {
                check.fail(EncodeError::shape(&field, "a function call or result must be the only content of its item"))
            }
            Content::Audio { .. } | Content::Error { .. } => check.fail(EncodeError::shape(&field, "this content cannot be sent to Gemini")),
        }
    }
    out.push(']');
    out
}
