//! The two per-chunk conversions of the audio engine, with their scratch buffers reused so a
//! steady stream allocates nothing: capture (device-rate float → provider-rate PCM16) and playback
//! (provider-rate PCM16 → device-rate float).

use super::{f32_to_pcm16, pcm16_to_f32, Level, Resampler};

pub struct CapturePipeline {
    resampler: Resampler,
    resampled: Vec<f32>,
    pcm: Vec<u8>,
}

impl CapturePipeline {
    pub fn new(device_rate: u32, provider_rate: u32) -> Self {
        CapturePipeline { resampler: Resampler::new(device_rate, provider_rate), resampled: Vec::new(), pcm: Vec::new() }
    }

    /// One chunk of microphone samples: its level, and the PCM16 LE bytes to send.
    pub fn push(&mut self, samples: &[f32]) -> (Level, &[u8]) {
        let level = Level::of(samples);
        self.resampled.clear();
        self.resampler.process(samples, &mut self.resampled);
        self.pcm.clear();
        f32_to_pcm16(&self.resampled, &mut self.pcm);
        (level, &self.pcm)
    }

    pub fn reset(&mut self) {
        self.resampler.reset();
    }
}

pub struct PlaybackPipeline {
    resampler: Resampler,
    decoded: Vec<f32>,
    resampled: Vec<f32>,
}

impl PlaybackPipeline {
    pub fn new(provider_rate: u32, device_rate: u32) -> Self {
        PlaybackPipeline { resampler: Resampler::new(provider_rate, device_rate), decoded: Vec::new(), resampled: Vec::new() }
    }

    /// PCM16 LE at the provider rate → float samples at the device rate.
    pub fn push(&mut self, pcm: &[u8]) -> &[f32] {
        self.decoded.clear();
        pcm16_to_f32(pcm, &mut self.decoded);
        self.resampled.clear();
        self.resampler.process(&self.decoded, &mut self.resampled);
        &self.resampled
    }

    /// A fresh stream (after a flush): no history from the interrupted audio.
    pub fn reset(&mut self) {
        self.resampler.reset();
    }

    pub fn latency_seconds(&self) -> f64 {
        self.resampler.latency_seconds()
    }
}
