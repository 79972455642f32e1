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
            // Every PCM16 audio delta comes through here. On a little-endian machine (wasm is
            // one) PCM16 LE bytes are already `i16`s in memory: one copy, no per-sample code.
            // The G.711 loops push (less code; those formats are rare).
            #[cfg(target_endian = "little")]
            SampleEncoding::Pcm16 => {
                let count = bytes.len() / 2;
                out.reserve(count);
                // SAFETY: `reserve` made room for `count` more `i16`s after `len`; the copy
                // writes exactly their `2 × count` bytes (from `bytes`, which has them; byte-wise,
                // so alignment does not matter, and every bit pattern is an `i16`), and only then
                // is the length raised over them.
                unsafe {
                    let len = out.len();
                    core::ptr::copy_nonoverlapping(bytes.as_ptr(), out.as_mut_ptr().add(len).cast::<u8>(), 2 * count);
                    out.set_len(len + count);
                }
                return;
            }
            #[cfg(not(target_endian = "little"))]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_linear_reads_little_endian_pairs_and_appends() {
        // Odd lengths (a trailing partial sample is ignored), onto what `out` already holds.
        for len in [0, 1, 2, 3, 10, 11] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 200) as u8).collect();
            let mut out = vec![7i16];
            SampleEncoding::Pcm16.decode_linear(&bytes, &mut out);
            let mut expected = vec![7i16];
            expected.extend(bytes.chunks_exact(2).map(|pair| i16::from_le_bytes([pair[0], pair[1]])));
            assert_eq!(out, expected, "{len} bytes");
            // From an odd address too (the copy is byte-wise).
            if let Some(shifted) = bytes.get(1..) {
                let mut out = Vec::new();
                SampleEncoding::Pcm16.decode_linear(shifted, &mut out);
                let expected: Vec<i16> = shifted.chunks_exact(2).map(|pair| i16::from_le_bytes([pair[0], pair[1]])).collect();
                assert_eq!(out, expected, "{len} bytes, shifted");
            }
        }
        let mut out = Vec::new();
        SampleEncoding::MuLaw.decode_linear(&[0xff, 0x7f, 0x00], &mut out);
        assert_eq!(out, [mulaw_to_linear(0xff), mulaw_to_linear(0x7f), mulaw_to_linear(0x00)]);
    }
}
