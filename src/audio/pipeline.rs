//! The two per-chunk conversions of the audio engine, with their scratch buffers reused so a
//! steady stream allocates nothing: capture (device-rate float → provider-rate wire bytes) and
//! playback (provider-rate wire bytes → device-rate float). The wire encoding is PCM16 or G.711.

use super::{Level, Resampler, SampleEncoding, WireAudio};

pub struct CapturePipeline {
    resampler: Resampler,
    encoding: SampleEncoding,
    resampled: Vec<f32>,
    wire: Vec<u8>,
}

impl CapturePipeline {
    pub fn new(device_rate: u32, wire: WireAudio) -> Self {
        CapturePipeline { resampler: Resampler::new(device_rate, wire.rate), encoding: wire.encoding, resampled: Vec::new(), wire: Vec::new() }
    }

    /// One chunk of microphone samples: its level, and the wire bytes to send.
    pub fn push(&mut self, samples: &[f32]) -> (Level, &[u8]) {
        let level = Level::of(samples);
        self.resampled.clear();
        self.resampler.process(samples, &mut self.resampled);
        self.wire.clear();
        self.encoding.encode(&self.resampled, &mut self.wire);
        (level, &self.wire)
    }

    pub fn reset(&mut self) {
        self.resampler.reset();
    }
}

pub struct PlaybackPipeline {
    resampler: Resampler,
    encoding: SampleEncoding,
    decoded: Vec<f32>,
    resampled: Vec<f32>,
}

impl PlaybackPipeline {
    pub fn new(wire: WireAudio, device_rate: u32) -> Self {
        PlaybackPipeline { resampler: Resampler::new(wire.rate, device_rate), encoding: wire.encoding, decoded: Vec::new(), resampled: Vec::new() }
    }

    /// Wire bytes at the provider rate → float samples at the device rate.
    pub fn push(&mut self, wire: &[u8]) -> &[f32] {
        self.decoded.clear();
        self.encoding.decode(wire, &mut self.decoded);
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
