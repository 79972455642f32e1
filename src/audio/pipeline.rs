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
    /// `false` once the resampling was handed to the playback worklet ([`Self::hand_off_resampling`]).
    resamples: bool,
    encoding: SampleEncoding,
    decoded: Vec<f32>,
    resampled: Vec<f32>,
}

impl PlaybackPipeline {
    pub fn new(wire: WireAudio, device_rate: u32) -> Self {
        PlaybackPipeline { resampler: Resampler::new(wire.rate, device_rate), resamples: true, encoding: wire.encoding, decoded: Vec::new(), resampled: Vec::new() }
    }

    /// Wire bytes at the provider rate → float samples: at the device rate, or at the provider rate
    /// once the resampling is done elsewhere.
    pub fn push(&mut self, wire: &[u8]) -> &[f32] {
        self.decoded.clear();
        self.encoding.decode(wire, &mut self.decoded);
        if !self.resamples {
            return &self.decoded;
        }
        self.resampled.clear();
        self.resampler.process(&self.decoded, &mut self.resampled);
        &self.resampled
    }

    /// The filter for whoever resamples instead (`None` when the rates are equal); from now on
    /// [`Self::push`] only decodes.
    pub fn hand_off_resampling(&mut self) -> Option<crate::audio::PolyphaseTable<'_>> {
        self.resamples = self.resampler.table().is_none();
        self.resampler.table()
    }

    /// [`Self::push`] resamples again (the other party could not). What it decoded meanwhile goes
    /// through [`Self::resample`], in order, before anything pushed after this.
    pub fn take_back_resampling(&mut self) {
        self.resamples = true;
    }

    /// Provider-rate samples (decoded by [`Self::push`] while the resampling was handed off) at
    /// the device rate, continuing the stream.
    pub fn resample(&mut self, decoded: &[f32]) -> &[f32] {
        self.resampled.clear();
        self.resampler.process(decoded, &mut self.resampled);
        &self.resampled
    }

    /// The rate of what [`Self::push`] returns.
    pub fn output_rate(&self) -> u32 {
        if self.resamples { self.resampler.output_rate() } else { self.resampler.input_rate() }
    }

    /// A fresh stream (after a flush): no history from the interrupted audio.
    pub fn reset(&mut self) {
        self.resampler.reset();
    }

    pub fn latency_seconds(&self) -> f64 {
        self.resampler.latency_seconds()
    }
}
