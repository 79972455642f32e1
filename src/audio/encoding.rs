//! How samples travel on the wire: 16-bit linear PCM (both providers' default) or 8-bit G.711
//! (μ-law / A-law, the telephony formats OpenAI takes and sends at 8 kHz).
//!
//! Owns: float samples ⇄ wire bytes for each encoding, and how many bytes a sample takes (the
//! playback accounting turns byte counts into milliseconds with it).
//! Must never: resample (the pipelines do, at the wire rate) or know which provider asked.

use crate::prelude::*;
use super::{alaw_to_linear, f32_to_i16, f32_to_pcm16, linear_to_alaw, linear_to_mulaw, mulaw_to_linear, pcm16_to_f32};

/// Audio as one direction of a session carries it: the encoding and the sample rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireAudio {
    pub encoding: SampleEncoding,
    pub rate: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SampleEncoding {
    /// 16-bit little-endian linear PCM.
    #[default]
    Pcm16,
    /// G.711 μ-law, one byte a sample.
    MuLaw,
    /// G.711 A-law, one byte a sample.
    ALaw,
}

impl SampleEncoding {
    pub fn bytes_per_sample(self) -> usize {
        match self {
            SampleEncoding::Pcm16 => 2,
            SampleEncoding::MuLaw | SampleEncoding::ALaw => 1,
        }
    }

    /// Float samples in [-1, 1] to wire bytes, appended to `out`.
    pub fn encode(self, samples: &[f32], out: &mut Vec<u8>) {
        let companded = match self {
            SampleEncoding::Pcm16 => return f32_to_pcm16(samples, out),
            SampleEncoding::MuLaw => linear_to_mulaw,
            SampleEncoding::ALaw => linear_to_alaw,
        };
        out.reserve(samples.len());
        // Push loops here and in the G.711 decoders, not `extend(….map(…))`: each iterator type
        // brings its own copy of `extend`'s machinery (≈ 0.1 kB gzip each), for formats that are
        // rare.
        for &s in samples {
            out.push(companded(f32_to_i16(s)));
        }
    }

    /// Wire bytes to 16-bit linear samples, appended to `out` (a trailing partial sample is
    /// ignored).
    pub fn decode_linear(self, bytes: &[u8], out: &mut Vec<i16>) {
        let expanded = match self {
            // `extend` (it writes without a call per sample): every PCM16 audio delta comes
            // through here. The G.711 loops push (less code; those formats are rare).
            SampleEncoding::Pcm16 => return out.extend(bytes.chunks_exact(2).map(|pair| i16::from_le_bytes([pair[0], pair[1]]))),
            SampleEncoding::MuLaw => mulaw_to_linear,
            SampleEncoding::ALaw => alaw_to_linear,
        };
        out.reserve(bytes.len());
        for &b in bytes {
            out.push(expanded(b));
        }
    }

    /// Wire bytes to float samples in [-1, 1), appended to `out` (a trailing partial sample is
    /// ignored).
    pub fn decode(self, bytes: &[u8], out: &mut Vec<f32>) {
        let expanded = match self {
            SampleEncoding::Pcm16 => return pcm16_to_f32(bytes, out),
            SampleEncoding::MuLaw => mulaw_to_linear,
            SampleEncoding::ALaw => alaw_to_linear,
        };
        out.reserve(bytes.len());
        for &b in bytes {
            out.push(expanded(b) as f32 / 32768.0);
        }
    }
}
