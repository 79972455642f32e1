//! JSON numbers: decimal text → `f64` without core's `str::parse::<f64>`, and [`JsonNumber`], a
//! number kept as the text it was read as.
//!
//! Why: core's parser is correctly rounded for every input, and pays for it with a 10 kB table of
//! powers of five and a big-decimal fallback (≈ 15 kB of wasm that gzip cannot shrink much). The
//! numbers the SDK reads — JSON from the providers and from the app's `JSON.stringify` — are
//! shortest round-trip forms of doubles: at most 17 significant digits. Those are read exactly
//! (the nearest double, ties to even, as `str::parse` gives) with integer arithmetic whenever the
//! decimal exponent `e` of the digits `d` (value `d × 10^e`) is within −31 ≤ e and `d × 10^e` fits
//! 128 bits — every number from about 1e-15 up to 1e38, whatever its digits. Beyond that (1e-200,
//! 1e300) the value is within a few units in the last place; digits past the 19th are dropped.
//!
//! Must never: panic on any input, or loop more than a few hundred times.

use crate::prelude::*;

/// A number the SDK read and may write back (a VAD threshold, a segment's start, a rate limit's
/// reset): kept as its JSON text, written back as read, and converted by [`JsonNumber::value`]
/// where the SDK computes with it. Why not `f64`: writing a double back as the shortest text that
/// reads as the same double takes a float printer (zmij: 1.8 kB of the package's gzip); numbers the
/// SDK computes itself are milliseconds, written to the microsecond (`ToJson for f64`).
///
/// Equality is the text's (`0.50` ≠ `0.5`), as for [`Json`](super::Json).
#[derive(Debug, Clone, PartialEq)]
pub struct JsonNumber(Box<str>);

impl JsonNumber {
    /// `text` if it is one JSON number (`-1.5e3`; no white space).
    pub fn parse(text: &str) -> Option<Self> {
        match super::parse(text) {
            Ok(json) => json.as_number().filter(|n| *n.0 == *text),
            Err(_) => None,
        }
    }

    /// From text the reader checked against the grammar.
    pub(super) fn checked(text: &str) -> Self {
        Self(text.into())
    }

    /// The nearest double (±∞ cannot occur: the reader refuses numbers that overflow).
    pub fn value(&self) -> f64 {
        parse_number(&self.0).unwrap_or(f64::NAN)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 10^k for k ≤ 22, exactly (every product on the way is a double): a loop, not a 184-byte
/// table, on the path that needs it only past the exact ranges.
fn pow10(k: i64) -> f64 {
    let mut power = 1.0;
    for _ in 0..k {
        power *= 10.0;
    }
    power
}

/// The value of a decimal number (`-12.5e-3`: an optional `-`, digits with an optional `.`, an
/// optional exponent). `None` when the text is not one; ±∞ when it overflows (callers refuse it).
pub fn parse_number(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let negative = bytes.first() == Some(&b'-');
    let mut i = usize::from(negative);
    // The first 19 significant digits, and the power of ten they are scaled by.
    let (mut digits, mut exponent, mut any, mut dot) = (0u64, 0i64, false, false);
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                any = true;
                if digits < 1_000_000_000_000_000_000 {
                    digits = digits * 10 + u64::from(b - b'0');
                    exponent -= i64::from(dot);
                } else if !dot {
                    exponent += 1;
                }
            }
            b'.' if !dot => dot = true,
            b'e' | b'E' => break,
            _ => return None,
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        i += 1;
        let sign = match bytes.get(i) {
            Some(b'-') => -1,
            Some(b'+') => 1,
            _ => 0,
        };
        i += usize::from(sign != 0);
        let start = i;
        let mut written = 0i64;
        while let Some(&b @ b'0'..=b'9') = bytes.get(i) {
            // Saturates: 1e99999 is ∞ and 1e-99999 is 0 either way.
            written = (written * 10 + i64::from(b - b'0')).min(100_000);
            i += 1;
        }
        if i == start || i != bytes.len() {
            return None;
        }
        exponent += if sign < 0 { -written } else { written };
    }
    let magnitude = if digits == 0 { 0.0 } else { scaled(digits, exponent) };
    Some(if negative { -magnitude } else { magnitude })
}

/// `digits × 10^exponent`, `digits` > 0.
fn scaled(digits: u64, exponent: i64) -> f64 {
    if exponent >= 0 {
        // An integer: exact when it fits 128 bits (when it fits 64, `as` rounds to the nearest).
        if let Some(n) = u32::try_from(exponent).ok().and_then(|e| 10u128.checked_pow(e)).and_then(|p| p.checked_mul(u128::from(digits))) {
            return if n >> 64 == 0 { n as u64 as f64 } else { nearest(n, false, 0) };
        }
    } else if exponent >= -31 {
        return quotient(digits, (-exponent) as u32);
    }
    let value = approximate(digits, exponent);
    // Rounding on the way must not turn a number just under the largest double into ∞ (which the
    // reader refuses): a leading digit at 10^308 or below is at most `f64::MAX`.
    if value.is_infinite() && i64::from(digits.ilog10()) + exponent <= 308 {
        return f64::MAX;
    }
    value
}

/// `digits / 10^k` correctly rounded, for k ≤ 31: `digits × 2^s / 5^k` with `digits` shifted up to
/// fill 128 bits (the quotient then has at least 55 bits, as 5^k < 2^72), scaled by `2^-(s+k)`.
fn quotient(digits: u64, k: u32) -> f64 {
    let z = digits.leading_zeros();
    let (q, r) = div_rem(u128::from(digits << z) << 64, 5u128.pow(k));
    nearest(q, r != 0, -i64::from(64 + z + k))
}

/// The double nearest `(n + ε) × 2^exp2` (ties to even), `n` > 0, where ε is a positive fraction
/// below one when `inexact` (a remainder a division dropped) and 0 otherwise. Within the range
/// callers use (2^-200 to 2^200) the result is a normal double. 128-bit shifts only by constants (a
/// variable one, like `u128 as f64`, is a call to compiler-builtins': wasm has no 128-bit integers).
fn nearest(mut n: u128, inexact: bool, mut exp2: i64) -> f64 {
    if n >> 64 == 0 {
        n <<= 64;
        exp2 -= 64;
    }
    // Then by the leading zeros of the top half (below 64), a half at a time.
    let z = n.leading_zeros();
    if z > 0 {
        let (high, low) = ((n >> 64) as u64, n as u64);
        n = u128::from(high << z | low >> (64 - z)) << 64 | u128::from(low << z);
        exp2 -= i64::from(z);
    }
    // The top 53 bits; below them 75 dropped bits, of which the top one is the half.
    let (mut mantissa, dropped, half) = ((n >> 75) as u64, n & ((1 << 75) - 1), 1u128 << 74);
    if dropped > half || (dropped == half && (inexact || mantissa & 1 == 1)) {
        mantissa += 1;
    }
    // `mantissa` ≤ 2^53 converts exactly, and the product by a power of two is exact.
    mantissa as f64 * f64::from_bits(((1023 + 75 + exp2) as u64) << 52)
}

/// `(n / d, n % d)` for `d` > 0, by binary long division: a loop of shifts and subtractions in
/// place of the `/` and `%` operators, whose 128-bit division routine (compiler-builtins'
/// `u128_div_rem`) is a kilobyte of wasm. Numbers are read only when a reader asks for one, and
/// few have a fraction: 128 steps each is no cost that shows.
fn div_rem(mut n: u128, d: u128) -> (u128, u128) {
    let (mut q, mut r) = (0u128, 0u128);
    for _ in 0..128 {
        // `r` < `d` < 2^72 before the shift: it cannot overflow. The bits of `n` come in from
        // the top, by constant shifts (see `nearest` for why).
        r = (r << 1) | (n >> 127);
        n <<= 1;
        q <<= 1;
        if r >= d {
            r -= d;
            q |= 1;
        }
    }
    (q, r)
}

/// Outside the exact ranges: scaled by exact powers of ten, one rounding per step.
fn approximate(digits: u64, mut exponent: i64) -> f64 {
    let mut value = digits as f64;
    while exponent > 0 && value.is_finite() {
        let step = exponent.min(22);
        value *= pow10(step);
        exponent -= step;
    }
    while exponent < 0 && value != 0.0 {
        let step = (-exponent).min(22);
        value /= pow10(step);
        exponent += step;
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A double's bits from a seed (a fixed sequence: the test is reproducible).
    fn doubles(count: usize) -> impl Iterator<Item = f64> {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        (0..count).map(move |_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            f64::from_bits(state)
        })
    }

    #[test]
    fn reads_what_str_parse_reads_in_the_exact_ranges() {
        for text in [
            "0", "-0", "1", "-1", "0.5", "0.1", "0.3", "1e3", "1E-2", "1e+5", "123456789012345678", "18446744073709551615",
            "18446744073709551616", "9007199254740993", "0.30000000000000004", "2.2250738585072014e-15", "1.7976931348623157e30",
            "4.9406564584124654e-15", "0.000001", "1e-7", "5e-31", "123.456e-20", "1e38", "340282366920938463463374607431768211455",
            "0.1e1", "100e-2", "1.00000000000000011102230246251565404236316680908203125", "3.141592653589793",
            "2.718281828459045", "0.8736482659267394", "1.2345678901234567e-7", "9.999999999999999e22", "1e22", "1e23",
        ] {
            assert_eq!(parse_number(text).map(f64::to_bits), text.parse::<f64>().ok().map(f64::to_bits), "{text}");
        }
    }

    #[test]
    fn every_shortest_double_reads_back_exactly_from_1e_minus_15_to_1e38() {
        let mut checked = 0;
        for value in doubles(200_000).filter(|v| v.is_finite() && v.abs() >= 1e-15 && v.abs() < 1e38) {
            for text in [format!("{value}"), format!("{value:e}")] {
                assert_eq!(parse_number(&text).map(f64::to_bits), Some(value.to_bits()), "{text}");
            }
            checked += 1;
        }
        assert!(checked > 5_000, "{checked}");
        // Doubles of every other size (normal, not near the subnormals) as JS writes them: within a
        // few units in the last place.
        for value in doubles(200_000).filter(|v| v.is_normal() && v.abs() >= 1e-290) {
            let text = format!("{value:e}");
            let ours = parse_number(&text).unwrap();
            assert!((ours - value).abs() <= value.abs() * 4e-15, "{text}: {ours} vs {value}");
        }
    }

    #[test]
    fn long_division_is_the_operators_division() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for k in 0..=31 {
            let d = 5u128.pow(k);
            for _ in 0..200 {
                // Up to 127 bits, as `quotient` shifts them.
                let n = ((u128::from(next()) << 64) | u128::from(next())) >> (next() % 127 + 1);
                assert_eq!(div_rem(n, d), (n / d, n % d), "{n} / {d}");
            }
        }
    }

    #[test]
    fn extremes_and_refusals() {
        assert_eq!(parse_number("1e400"), Some(f64::INFINITY));
        assert_eq!(parse_number("-1e99999999999"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_number("1e-400"), Some(0.0));
        assert_eq!(parse_number("0e99999"), Some(0.0));
        let huge = "1".repeat(400);
        assert_eq!(parse_number(&huge), Some(f64::INFINITY));
        let long = format!("0.{}1", "0".repeat(500));
        assert_eq!(parse_number(&long), Some(0.0));
        for bad in ["", "-", ".", "e5", "1e", "1e+", "1..2", "1x", "--1", "1e5.0", " 1"] {
            assert_eq!(parse_number(bad), None, "{bad:?}");
        }
        let max = parse_number("1.7976931348623157e308").unwrap();
        assert!((max - f64::MAX).abs() <= f64::MAX * 1e-15);
        let tiny = parse_number("2.2250738585072014e-308").unwrap();
        assert!((tiny - f64::MIN_POSITIVE).abs() <= f64::MIN_POSITIVE * 1e-14);
    }
}
