//! Rounding, the square root and the decimal logarithm, which core lacks (std has them as
//! methods; the crate is `no_std`).
//!
//! Owns: [`trunc`], [`floor`], [`ceil`], [`round`] and [`sqrt`], exact for every input (NaN and ±∞
//! come back as they went in), and [`log10`] for the audio levels in dB. Why not `libm`'s: without
//! nightly intrinsics it builds them in software from the bits (≈ 0.3 kB gzip of wasm each); here
//! rounding is an integer conversion and `sqrt` is wasm's `f64.sqrt`, one instruction each, and
//! `log10` a short series where libm's `log10f` (0.23 kB gzip) is correctly rounded for decibels
//! nobody reads to the seventh digit. libm remains the native `sqrt`.
//! Must never: panic, or differ from std's methods (the tests compare them; `log10` within a
//! relative 3e-7).

/// 2^52: every `f64` of at least this magnitude is an integer already.
const INTEGRAL: f64 = 4_503_599_627_370_496.0;

/// `x` rounded toward zero.
pub fn trunc(x: f64) -> f64 {
    // Below 2^52 the integer part fits an i64 exactly (and converts back exactly); the sign goes
    // back on so that -0.5 gives -0.0, as std's does.
    if x.abs() < INTEGRAL { ((x as i64) as f64).copysign(x) } else { x }
}

/// The largest integer not above `x`.
pub fn floor(x: f64) -> f64 {
    let t = trunc(x);
    if t > x { t - 1.0 } else { t }
}

/// The smallest integer not below `x`.
pub fn ceil(x: f64) -> f64 {
    let t = trunc(x);
    if t < x { t + 1.0 } else { t }
}

/// `x` rounded to the nearest integer, halves away from zero (std's `round`).
pub fn round(x: f64) -> f64 {
    let t = trunc(x);
    // `x - t` is exact: the fraction of a number below 2^52.
    if (x - t).abs() >= 0.5 { t + 1f64.copysign(x) } else { t }
}

/// The square root (correctly rounded, as IEEE 754 and std's `sqrt` are; NaN below zero).
pub fn sqrt(x: f64) -> f64 {
    // wasm's instruction is IEEE's correctly rounded square root, the very result libm computes
    // in software; natively (the tests, the CLI) libm's. The scalar `f64_sqrt` is unstable; the
    // SIMD one is stable, and SIMD is on for every wasm build (.cargo/config.toml).
    #[cfg(target_arch = "wasm32")]
    {
        use core::arch::wasm32::{f64x2_extract_lane, f64x2_splat, f64x2_sqrt};
        f64x2_extract_lane::<0>(f64x2_sqrt(f64x2_splat(x)))
    }
    #[cfg(not(target_arch = "wasm32"))]
    libm::sqrt(x)
}

/// The decimal logarithm of a positive normal `x` (the SDK's levels: powers and amplitudes from
/// 1e-12 up), within 3e-7 × max(1, |log10 x|) of std's: at most 4e-6 from 1e-12 up, under 1e-4 dB.
/// `x = 2^e × m` with `m` in [√½, √2), and
/// `ln m = 2 atanh s` for `s = (m − 1)/(m + 1)`, |s| ≤ 0.172: four terms of its series.
pub fn log10(x: f32) -> f32 {
    let bits = x.to_bits();
    let mut exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let mut m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    if m > core::f32::consts::SQRT_2 {
        m *= 0.5;
        exponent += 1;
    }
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let ln_m = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (1.0 / 5.0 + s2 * (1.0 / 7.0))));
    (exponent as f32 * core::f32::consts::LN_2 + ln_m) * core::f32::consts::LOG10_E
}

#[cfg(test)]
mod tests {
    extern crate std;

    #[test]
    fn log10_is_within_3e_7_of_std() {
        let mut worst = 0.0f32;
        // Every 97th float from the smallest normal to the largest (the whole domain, ~2.2 × 10^7 values).
        let mut bits = f32::MIN_POSITIVE.to_bits();
        while bits < f32::MAX.to_bits() {
            let x = f32::from_bits(bits);
            let error = (super::log10(x) as f64 - (x as f64).log10()).abs();
            worst = worst.max(error as f32);
            assert!(error <= 3e-7 * (x as f64).log10().abs().max(1.0), "log10({x:e}): {}, std {}", super::log10(x), x.log10());
            bits += 97;
        }
        assert!(worst > 0.0, "compared nothing");
        assert_eq!(super::log10(1.0), 0.0);
    }

    #[test]
    fn same_as_std() {
        let mut values = std::vec![
            0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 0.49999999999999994, -0.49999999999999994, 1.0 - f64::EPSILON / 2.0,
            4_503_599_627_370_495.5, -4_503_599_627_370_495.5, 4_503_599_627_370_496.0, 9_007_199_254_740_993.0, 1e300, -1e300,
            f64::MIN_POSITIVE, -f64::MIN_POSITIVE, 5e-324, f64::MAX, f64::MIN, f64::INFINITY, f64::NEG_INFINITY, 123.456, -123.456,
        ];
        // And a spread of magnitudes and fractions.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values.push(f64::from_bits(state));
            values.push((state >> 11) as f64 / (1u64 << (state % 60)) as f64 - 1e3);
        }
        for x in values {
            for (name, ours, theirs) in [
                ("trunc", super::trunc(x), x.trunc()),
                ("floor", super::floor(x), x.floor()),
                ("ceil", super::ceil(x), x.ceil()),
                ("round", super::round(x), x.round()),
                ("sqrt", super::sqrt(x), x.sqrt()),
            ] {
                assert!(ours.to_bits() == theirs.to_bits() || (ours.is_nan() && theirs.is_nan()), "{name}({x:e}): {ours:e}, std {theirs:e}");
            }
        }
    }
}
