//! Token usage and response status (the seed's `UsageDetails` with its audio/text split, and
//! `RealtimeResponseStatus`).

use crate::prelude::*;
use serde::Serialize;
use crate::json::JsonNumber;

/// Token counts of one response (or one transcription). Every count is optional: providers report
/// different subsets. The text/audio counts are subsets of the input/output totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cached_input_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_text_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_audio_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_image_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_text_tokens: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_audio_tokens: Option<u64>,
}

impl Usage {
    /// Sums two usages field by field (absent + n = n), like the seed's `UsageDetails.Add`.
    pub fn add(&mut self, other: &Usage) {
        fn sum(a: &mut Option<u64>, b: Option<u64>) {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0).saturating_add(b));
            }
        }
        sum(&mut self.input_tokens, other.input_tokens);
        sum(&mut self.output_tokens, other.output_tokens);
        sum(&mut self.total_tokens, other.total_tokens);
        sum(&mut self.cached_input_tokens, other.cached_input_tokens);
        sum(&mut self.input_text_tokens, other.input_text_tokens);
        sum(&mut self.input_audio_tokens, other.input_audio_tokens);
        sum(&mut self.input_image_tokens, other.input_image_tokens);
        sum(&mut self.output_text_tokens, other.output_text_tokens);
        sum(&mut self.output_audio_tokens, other.output_audio_tokens);
    }
}

/// Where a response stands. `Cancelled` is what barge-in produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ResponseStatus {
    InProgress,
    Completed,
    Cancelled,
    /// Ended early, e.g. at the output token limit or by a content filter.
    Incomplete,
    Failed,
}

/// A provider rate limit as last reported.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset_seconds: Option<JsonNumber>,
}

// ---- reading (see `json.rs`) ------------------------------------------------------------------

use super::json::{json_enum, json_object};

json_object!(Usage {
    input_tokens: opt "inputTokens",
    output_tokens: opt "outputTokens",
    total_tokens: opt "totalTokens",
    cached_input_tokens: opt "cachedInputTokens",
    input_text_tokens: opt "inputTextTokens",
    input_audio_tokens: opt "inputAudioTokens",
    input_image_tokens: opt "inputImageTokens",
    output_text_tokens: opt "outputTextTokens",
    output_audio_tokens: opt "outputAudioTokens",
});
json_enum!(ResponseStatus {
    InProgress = "inProgress",
    Completed = "completed",
    Cancelled = "cancelled",
    Incomplete = "incomplete",
    Failed = "failed",
});
json_object!(RateLimit { name: req "name", limit: opt "limit", remaining: opt "remaining", reset_seconds: opt "resetSeconds" });

super::default_out_of_line! {
    Usage { input_tokens, output_tokens, total_tokens, cached_input_tokens, input_text_tokens, input_audio_tokens, input_image_tokens, output_text_tokens, output_audio_tokens }
}
