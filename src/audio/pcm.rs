//! Float32 ⇄ PCM16 little-endian, the wire format of both providers.

use crate::prelude::*;

/// Float samples in [-1, 1] to PCM16 LE bytes, appended to `out`. Out-of-range samples clamp
/// (+1.0 is 32767, never a wrap to -32768); NaN is silence.
pub fn f32_to_pcm16(samples: &[f32], out: &mut Vec<u8>) {
    out.reserve(samples.len() * 2);
    for &s in samples {
        out.extend_from_slice(&f32_to_i16(s).to_le_bytes());
    }
}

#[inline]
pub fn f32_to_i16(sample: f32) -> i16 {
    if sample.is_nan() {
        return 0;
    }
    // The inverse of `pcm16_to_f32` (÷ 32768), so every 16-bit value round-trips; +1.0 (32768)
    // clamps to i16::MAX instead of wrapping to i16::MIN.
    crate::float::round(f64::from(sample.clamp(-1.0, 1.0) * 32768.0)).clamp(-32768.0, 32767.0) as i16
}

/// PCM16 LE bytes to float samples in [-1, 1), appended to `out`. A trailing odd byte is ignored.
pub fn pcm16_to_f32(bytes: &[u8], out: &mut Vec<f32>) {
    out.reserve(bytes.len() / 2);
    for pair in bytes.chunks_exact(2) {
        out.push(i16::from_le_bytes([pair[0], pair[1]]) as f32 / 32768.0);
    }
}
