//! The two per-chunk conversions of the audio engine, with their scratch buffers reused so a
//! steady stream allocates nothing: capture (device-rate float → provider-rate wire bytes) and
//! playback (provider-rate wire bytes → device-rate float). The wire encoding is PCM16 or G.711.

use crate::prelude::*;
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

    /// Wire bytes at the provider rate → float samples at the device rate (this thread resamples).
    pub fn push(&mut self, wire: &[u8]) -> &[f32] {
        self.decoded.clear();
        self.encoding.decode(wire, &mut self.decoded);
        self.resampled.clear();
        self.resampler.process(&self.decoded, &mut self.resampled);
        &self.resampled
    }

    /// Wire bytes → 16-bit linear samples at the provider rate, appended to `out` (what is held
    /// for the worklet: no scratch copy in between), for a playback worklet that resamples with
    /// [`Self::table`] (it scales them to float on the audio thread: half the bytes to copy out of
    /// wasm memory and post, and no float conversion here).
    pub fn decode(&self, wire: &[u8], out: &mut Vec<i16>) {
        self.encoding.decode_linear(wire, out);
    }

    /// Linear samples from [`Self::decode`] at the device rate, continuing the stream: when the
    /// worklet they were decoded for turned out unable to resample.
    pub fn resample(&mut self, linear: &[i16]) -> &[f32] {
        self.decoded.clear();
        // A push loop, not `extend(….map(…))` (its own copy of `extend`'s machinery): a fallback.
        self.decoded.reserve(linear.len());
        for &sample in linear {
            self.decoded.push(sample as f32 / 32768.0);
        }
        self.resampled.clear();
        self.resampler.process(&self.decoded, &mut self.resampled);
        &self.resampled
    }

    /// The filter for a worklet that resamples (`None` when the rates are equal).
    pub fn table(&self) -> Option<crate::audio::PolyphaseTable<'_>> {
        self.resampler.table()
    }

    /// The provider's rate: what [`Self::decode`] returns.
    pub fn input_rate(&self) -> u32 {
        self.resampler.input_rate()
    }

    /// The device's rate: what [`Self::push`] and [`Self::resample`] return.
    pub fn output_rate(&self) -> u32 {
        self.resampler.output_rate()
    }

    /// A fresh stream (after a flush): no history from the interrupted audio.
    pub fn reset(&mut self) {
        self.resampler.reset();
    }

    pub fn latency_seconds(&self) -> f64 {
        self.resampler.latency_seconds()
    }
}
