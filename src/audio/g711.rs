//! G.711 μ-law and A-law (ITU-T G.711), to and from 16-bit linear PCM.
//!
//! The segment/mantissa formulation of the ITU reference: μ-law works on 14-bit magnitudes with a
//! bias of 33 (0x84 at 16 bits) and clips at 32635; A-law on 13-bit magnitudes, with even bits
//! inverted (XOR 0x55).

const MULAW_BIAS: i32 = 0x84;
const MULAW_CLIP: i32 = 32635;

/// Segment number (0–7) of a biased magnitude: the position of its highest set bit above bit 7.
fn segment(magnitude: i32, base_shift: u32) -> u32 {
    let mut seg = 0;
    let mut value = magnitude >> base_shift;
    while value > 1 && seg < 7 {
        value >>= 1;
        seg += 1;
    }
    seg
}

pub fn linear_to_mulaw(sample: i16) -> u8 {
    let mut pcm = sample as i32;
    let sign = if pcm < 0 { 0x80 } else { 0 };
    if pcm < 0 {
        pcm = -pcm;
    }
    let magnitude = pcm.min(MULAW_CLIP) + MULAW_BIAS;
    let seg = segment(magnitude, 7);
    let mantissa = (magnitude >> (seg + 3)) & 0x0F;
    !(sign | ((seg as i32) << 4) | mantissa) as u8
}

pub fn mulaw_to_linear(code: u8) -> i16 {
    let code = !code as i32;
    let sign = code & 0x80;
    let seg = (code >> 4) & 0x07;
    let mantissa = code & 0x0F;
    let magnitude = (((mantissa << 3) + MULAW_BIAS) << seg) - MULAW_BIAS;
    (if sign != 0 { -magnitude } else { magnitude }) as i16
}

pub fn linear_to_alaw(sample: i16) -> u8 {
    let pcm = sample as i32;
    // A-law codes positive values with the sign bit set.
    let (sign, magnitude) = if pcm >= 0 { (0x80, pcm) } else { (0x00, -pcm - 1) };
    let magnitude = magnitude.min(0x7FFF) >> 3; // 12-bit magnitude
    let code = if magnitude < 32 {
        (magnitude >> 1) & 0x0F
    } else {
        // 32..63 is segment 1, 64..127 segment 2, …, 2048..4095 segment 7.
        let seg = (32 - (magnitude as u32).leading_zeros() - 5) as i32;
        (seg << 4) | ((magnitude >> seg) & 0x0F)
    };
    ((sign | code) ^ 0x55) as u8
}

pub fn alaw_to_linear(code: u8) -> i16 {
    let code = (code ^ 0x55) as i32;
    let seg = (code >> 4) & 0x07;
    let mantissa = code & 0x0F;
    let magnitude = match seg {
        0 => (mantissa << 4) + 8,
        _ => ((mantissa << 4) + 0x108) << (seg - 1),
    };
    (if code & 0x80 != 0 { magnitude } else { -magnitude }) as i16
}
