//! Pure DSP for the audio engine: resampling between the device rate and the provider rate,
//! Float32 ⇄ the wire encodings (PCM16, G.711), level metering, voice activity detection (for
//! on-device barge-in).
//!
//! Owns: sample-level arithmetic, tested natively with measured quality figures.
//! Must never: allocate per render quantum on its hot paths (callers pass reusable buffers), touch
//! the browser, or know about sessions and providers.

mod encoding;
mod g711;
mod level;
mod pcm;
mod pipeline;
mod resampler;
mod voice_detector;

pub use encoding::{SampleEncoding, WireAudio};
pub use g711::{alaw_to_linear, linear_to_alaw, linear_to_mulaw, mulaw_to_linear};
pub use level::Level;
pub use pcm::{f32_to_i16, f32_to_pcm16, pcm16_to_f32};
pub use pipeline::{CapturePipeline, PlaybackPipeline};
pub use resampler::{PolyphaseTable, Resampler, MAX_PHASES, PASSBAND_EDGE, STOPBAND_DB, STOPBAND_EDGE};
pub use voice_detector::{VoiceDetector, VoiceEdge, VoiceThresholds, FRAME_MS as VOICE_FRAME_MS};
