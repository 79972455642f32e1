//! Session options: what the app asks of a session, and what the server reports as effective.
//!
//! The seed's `RealtimeSessionOptions`, plus what its reviewers left out: VAD tuning (threshold, prefix
//! padding, silence duration, semantic eagerness) next to the cross-provider `enabled` /
//! `allowInterruption`, and a raw provider-options seed (`providerOptions`) for everything else.
//! Pure data: no wire knowledge lives here (the provider codecs own the mapping).

use crate::prelude::*;
use crate::text::text;
use serde::Serialize;
use crate::json::{Json, JsonNumber, JsonValue};

/// Conversation (voice/text model) or transcription-only session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SessionKind {
    #[default]
    Conversation,
    Transcription,
}

/// What the model may produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Modality {
    Text,
    Audio,
}

/// An audio wire format: `audio/pcm` (16-bit LE mono), `audio/pcmu` (G.711 μ-law) or `audio/pcma`
/// (G.711 A-law), at a sample rate in Hz.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioFormat {
    pub media_type: String,
    pub sample_rate: u32,
}

impl AudioFormat {
    pub const PCM: &'static str = "audio/pcm";
    pub const PCMU: &'static str = "audio/pcmu";
    pub const PCMA: &'static str = "audio/pcma";

    pub fn pcm(sample_rate: u32) -> Self {
        Self { media_type: Self::PCM.into(), sample_rate }
    }
}

/// Input-audio transcription (ASR) settings. Presence turns transcription on.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptionOptions {
    /// ISO-639-1 language hint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speech_language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
}

/// How eagerly semantic turn detection ends the user's turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Eagerness {
    Low,
    Medium,
    High,
    Auto,
}

/// Voice activity detection. `enabled = false` means manual turns: the app commits audio and asks for
/// responses itself. The tuning fields are optional; a provider ignores those it has no knob for
/// (documented per provider in the README).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VoiceActivityDetection {
    pub enabled: bool,
    /// Barge-in: user speech cancels the response in progress.
    pub allow_interruption: bool,
    /// Start a response when the user stops speaking (default: provider default, i.e. yes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_response: Option<bool>,
    /// Activation threshold, 0.0–1.0.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<JsonNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_padding_ms: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub silence_duration_ms: Option<u32>,
    /// Setting it selects semantic (model-based) turn detection where the provider has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eagerness: Option<Eagerness>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_timeout_ms: Option<u32>,
}

impl Default for VoiceActivityDetection {
    fn default() -> Self {
        Self {
            enabled: true,
            allow_interruption: true,
            create_response: None,
            threshold: None,
            prefix_padding_ms: None,
            silence_duration_ms: None,
            eagerness: None,
            idle_timeout_ms: None,
        }
    }
}

/// On-device barge-in (`connect({ bargeIn })`): the SDK listens to the microphone itself and ducks
/// the reply the moment the user starts speaking, instead of waiting a network round trip for the
/// server's voice detector. `bargeIn: false` (or `{ local: false }`) leaves barge-in to the server.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BargeInOptions {
    pub local: bool,
    /// 0–1: higher detects sooner and quieter speech, with more false triggers (noise, echo).
    pub sensitivity: f64,
    /// How long a duck waits for the server to confirm the barge-in before the reply resumes.
    pub confirm_ms: u32,
}

impl BargeInOptions {
    pub const DEFAULT_SENSITIVITY: f64 = 0.5;
    pub const DEFAULT_CONFIRM_MS: u32 = 600;
    pub const CONFIRM_MS_RANGE: (u32, u32) = (100, 5_000);

    /// The range checks (the shape is checked while reading): a message naming the field, under
    /// `at` (`"options.bargeIn"`).
    pub fn out_of_range(&self, at: &str) -> Option<String> {
        let (low, high) = Self::CONFIRM_MS_RANGE;
        if !(0.0..=1.0).contains(&self.sensitivity) {
            // No float formatting: it would cost the package a shortest-float printer (kBs).
            return Some(text!(at, ".sensitivity must be within 0–1"));
        }
        if self.confirm_ms < low || self.confirm_ms > high {
            return Some(text!(at, ".confirmMs must be within ", low, "–", high, " (got ", self.confirm_ms, ")"));
        }
        None
    }
}

impl Default for BargeInOptions {
    fn default() -> Self {
        Self { local: true, sensitivity: Self::DEFAULT_SENSITIVITY, confirm_ms: Self::DEFAULT_CONFIRM_MS }
    }
}

/// The seed's `ChatToolMode`: `"auto"`, `"none"`, `"requireAny"` or `{ "requireSpecific": name }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ToolMode {
    Auto,
    None,
    RequireAny,
    RequireSpecific(String),
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Tool {
    /// A function the app implements (the seed's `AIFunctionDeclaration`).
    #[serde(rename_all = "camelCase")]
    Function {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        description: Option<String>,
        /// JSON Schema of the arguments object.
        #[serde(skip_serializing_if = "Option::is_none")]
        parameters: Option<JsonValue>,
    },
    /// A remote MCP server the provider calls itself (the seed's `HostedMcpServerTool`).
    #[serde(rename_all = "camelCase")]
    HostedMcp {
        server_label: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        server_url: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        connector_id: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        allowed_tools: Option<Vec<String>>,
        /// `"always"` or `"never"`.
        #[serde(skip_serializing_if = "Option::is_none")]
        require_approval: Option<String>,
    },
}

impl Tool {
    pub fn name(&self) -> &str {
        match self {
            Tool::Function { name, .. } => name,
            Tool::HostedMcp { server_label, .. } => server_label,
        }
    }
}

/// The seed's `RealtimeSessionOptions`. Every field is optional: absent means "provider default" on
/// the way out, "not reported" on the way in.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionOptions {
    #[serde(skip_serializing_if = "is_default_kind")]
    pub kind: SessionKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_audio_format: Option<AudioFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_audio_format: Option<AudioFormat>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcription: Option<TranscriptionOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_modalities: Option<Vec<Modality>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_mode: Option<ToolMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voice_activity_detection: Option<VoiceActivityDetection>,
    /// A provider-native options object merged under the mapped fields (the seed's
    /// `RawRepresentationFactory`): the escape hatch for provider knobs the neutral model lacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_options: Option<JsonValue>,
}

super::default_out_of_line!(SessionOptions {
    kind,
    model,
    input_audio_format,
    output_audio_format,
    transcription,
    voice,
    instructions,
    max_output_tokens,
    output_modalities,
    tool_mode,
    tools,
    voice_activity_detection,
    provider_options,
});

impl SessionOptions {
    /// Whether nothing is set (`== SessionOptions::default()`), by field presence: the derived
    /// comparison would compare every field's type in the package for this one question. The
    /// destructuring names every field, so a new one cannot be forgotten here.
    pub fn is_empty(&self) -> bool {
        let SessionOptions {
            kind,
            model,
            input_audio_format,
            output_audio_format,
            transcription,
            voice,
            instructions,
            max_output_tokens,
            output_modalities,
            tool_mode,
            tools,
            voice_activity_detection,
            provider_options,
        } = self;
        is_default_kind(kind)
            && model.is_none()
            && input_audio_format.is_none()
            && output_audio_format.is_none()
            && transcription.is_none()
            && voice.is_none()
            && instructions.is_none()
            && max_output_tokens.is_none()
            && output_modalities.is_none()
            && tool_mode.is_none()
            && tools.is_none()
            && voice_activity_detection.is_none()
            && provider_options.is_none()
    }
}

fn is_default_kind(kind: &SessionKind) -> bool {
    *kind == SessionKind::Conversation
}

// ---- reading (see `json.rs`) ------------------------------------------------------------------

use super::json::{deserialize_with_from_json, json_enum, json_object, read_members, read_object, unknown_tag, Fields, FromJson, JsonError, JsonSlot, Path, Spare};

json_enum!(SessionKind { Conversation = "conversation", Transcription = "transcription" });
json_enum!(Modality { Text = "text", Audio = "audio" });
json_enum!(Eagerness { Low = "low", Medium = "medium", High = "high", Auto = "auto" });

// No `Default` (an empty media type is no format): read into locals.
impl FromJson for AudioFormat {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        Ok(read_members!(Fields::new(value, at)?, AudioFormat { media_type: req "mediaType", sample_rate: req "sampleRate" }))
    }
}
deserialize_with_from_json!(AudioFormat);
json_fields!(AudioFormat { media_type: "mediaType", sample_rate: "sampleRate" });
json_object!(TranscriptionOptions { speech_language: opt "speechLanguage", model_id: opt "modelId", prompt: opt "prompt" });
json_object!(read_only SessionOptions {
    kind: def "kind",
    model: opt "model",
    input_audio_format: opt "inputAudioFormat",
    output_audio_format: opt "outputAudioFormat",
    transcription: opt "transcription",
    voice: opt "voice",
    instructions: opt "instructions",
    max_output_tokens: opt "maxOutputTokens",
    output_modalities: opt "outputModalities",
    tool_mode: opt "toolMode",
    tools: opt "tools",
    voice_activity_detection: opt "voiceActivityDetection",
    provider_options: opt "providerOptions",
});

// `enabled` and `allowInterruption` default to `true` (the type's `Default`).
json_object!(read_only VoiceActivityDetection {
    enabled: def "enabled",
    allow_interruption: def "allowInterruption",
    create_response: opt "createResponse",
    threshold: opt "threshold",
    prefix_padding_ms: opt "prefixPaddingMs",
    silence_duration_ms: opt "silenceDurationMs",
    eagerness: opt "eagerness",
    idle_timeout_ms: opt "idleTimeoutMs",
});

/// `true | false | { local?, sensitivity?, confirmMs? }`.
impl FromJson for BargeInOptions {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        let defaults = Self::default();
        if let Json::Bool(local) = value {
            return Ok(Self { local: *local, ..defaults });
        }
        if !value.is_object() {
            return Err(JsonError::new(at, "expected true, false or { local?, sensitivity?, confirmMs? }"));
        }
        let mut out = defaults;
        read_object(value, at, "?local?sensitivity?confirmMs", &mut [&mut out.local, &mut out.sensitivity, &mut out.confirm_ms])?;
        Ok(out)
    }
}
deserialize_with_from_json!(BargeInOptions);

/// What a tool mode can be: the error of an unknown name and of a value of the wrong shape.
const TOOL_MODE_EXPECTED: &str = "expected \"auto\", \"none\", \"requireAny\" or { requireSpecific: name }";

/// `"auto" | "none" | "requireAny" | { "requireSpecific": name }` (serde's external tagging).
impl FromJson for ToolMode {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        match value {
            Json::String(s) => match s.as_ref() {
                "auto" => Ok(ToolMode::Auto),
                "none" => Ok(ToolMode::None),
                "requireAny" => Ok(ToolMode::RequireAny),
                _ => Err(JsonError::new(at, TOOL_MODE_EXPECTED)),
            },
            Json::Object(_) => {
                let mut name = String::new();
                read_object(value, at, "!requireSpecific", &mut [&mut name])?;
                Ok(ToolMode::RequireSpecific(name))
            }
            _ => Err(JsonError::new(at, TOOL_MODE_EXPECTED)),
        }
    }
}
deserialize_with_from_json!(ToolMode);

impl FromJson for Tool {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        let f = Fields::new(value, at)?;
        const KINDS: &str = "function hostedMcp ";
        let tag = f.tag()?;
        // The variant with its members at their defaults, then its members read in place (as
        // `ClientMessage`'s reader does).
        let mut tool = match crate::text::word_index(KINDS, tag) {
            Some(0) => Tool::Function { name: String::new(), description: None, parameters: None },
            Some(_) => Tool::HostedMcp { server_label: String::new(), server_url: None, connector_id: None, allowed_tools: None, require_approval: None },
            None => return Err(unknown_tag(at, tag, KINDS)),
        };
        let (mut spare, mut spare2) = (Spare, Spare);
        let (members, mut slots): (&'static str, [&mut dyn JsonSlot; 5]) = match &mut tool {
            Tool::Function { name, description, parameters } => ("!name?description?parameters", [name, description, parameters, &mut spare, &mut spare2]),
            Tool::HostedMcp { server_label, server_url, connector_id, allowed_tools, require_approval } => (
                "!serverLabel?serverUrl?connectorId?allowedTools?requireApproval",
                [server_label, server_url, connector_id, allowed_tools, require_approval],
            ),
        };
        f.read(members, &mut slots)?;
        Ok(tool)
    }
}
deserialize_with_from_json!(Tool);

// ---- writing (see `crate::json`) --------------------------------------------------------------

use crate::json::{json_fields, JsonFields, JsonObject, ToJson};

impl JsonFields for SessionOptions {
    fn write_fields(&self, o: &mut JsonObject) {
        if !is_default_kind(&self.kind) {
            o.field("kind", &self.kind);
        }
        o.field("model", &self.model)
            .field("inputAudioFormat", &self.input_audio_format)
            .field("outputAudioFormat", &self.output_audio_format)
            .field("transcription", &self.transcription)
            .field("voice", &self.voice)
            .field("instructions", &self.instructions)
            .field("maxOutputTokens", &self.max_output_tokens)
            .field("outputModalities", &self.output_modalities)
            .field("toolMode", &self.tool_mode)
            .field("tools", &self.tools)
            .field("voiceActivityDetection", &self.voice_activity_detection)
            .field("providerOptions", &self.provider_options);
    }
}

impl ToJson for SessionOptions {
    fn write_json(&self, out: &mut String) {
        let mut o = JsonObject::new(out);
        self.write_fields(&mut o);
        o.end();
    }
}

json_fields!(VoiceActivityDetection {
    enabled: "enabled",
    allow_interruption: "allowInterruption",
    create_response: "createResponse",
    threshold: "threshold",
    prefix_padding_ms: "prefixPaddingMs",
    silence_duration_ms: "silenceDurationMs",
    eagerness: "eagerness",
    idle_timeout_ms: "idleTimeoutMs",
});

/// The same external tagging as read: a string, or `{ "requireSpecific": name }`.
impl ToJson for ToolMode {
    fn write_json(&self, out: &mut String) {
        match self {
            ToolMode::Auto => "auto".write_json(out),
            ToolMode::None => "none".write_json(out),
            ToolMode::RequireAny => "requireAny".write_json(out),
            ToolMode::RequireSpecific(name) => {
                let mut o = JsonObject::new(out);
                o.field("requireSpecific", name);
                o.end();
            }
        }
    }
}

impl ToJson for Tool {
    fn write_json(&self, out: &mut String) {
        let mut o = JsonObject::new(out);
        match self {
            Tool::Function { name, description, parameters } => {
                o.tag("function").field("name", name).field("description", description).field("parameters", parameters)
            }
            Tool::HostedMcp { server_label, server_url, connector_id, allowed_tools, require_approval } => o
                .tag("hostedMcp")
                .field("serverLabel", server_label)
                .field("serverUrl", server_url)
                .field("connectorId", connector_id)
                .field("allowedTools", allowed_tools)
                .field("requireApproval", require_approval),
        };
        o.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_means_equal_to_the_default() {
        assert!(SessionOptions::default().is_empty());
        for one in [
            json!({ "kind": "transcription" }),
            json!({ "model": "m" }),
            json!({ "inputAudioFormat": { "mediaType": "audio/pcm", "sampleRate": 24000 } }),
            json!({ "outputAudioFormat": { "mediaType": "audio/pcm", "sampleRate": 24000 } }),
            json!({ "transcription": {} }),
            json!({ "voice": "v" }),
            json!({ "instructions": "" }),
            json!({ "maxOutputTokens": 1 }),
            json!({ "outputModalities": [] }),
            json!({ "toolMode": "auto" }),
            json!({ "tools": [] }),
            json!({ "voiceActivityDetection": {} }),
            json!({ "providerOptions": {} }),
        ] {
            let options: SessionOptions = serde_json::from_value(one.clone()).unwrap();
            assert!(!options.is_empty() && options != SessionOptions::default(), "{one}");
        }
    }
}
