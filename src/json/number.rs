//! JSON numbers: decimal text → `f64` without core's `str::parse::<f64>`, and [`JsonNumber`], a
//! number kept as the text it was read as.
//!
//! Why: core's parser is correctly rounded for every input, and pays for it with a 10 kB table of
//! powers of five and a big-decimal fallback (≈ 15 kB of wasm that gzip cannot shrink much). What
//! the SDK computes with a number it read is a check or a setting (a range, a sensitivity, a
//! whole-number test): a number it sends back keeps its text ([`JsonNumber`]), so no double it
//! reads needs to be the nearest one to the last bit. Read here: exactly (the nearest double, as
//! `str::parse` gives) when the significant digits `d` fit 53 bits and the decimal exponent `e`
//! (value `d × 10^e`) is within ±22 — one correctly rounded operation on exact operands, Clinger's
//! fast path: every number of up to 15 significant digits from 1e-7 up to 1e22, which is what the
//! providers and apps send (`0.5`, `12.34`, `1712345678901`) —, else within a few units in the
//! last place (the 17-digit forms of computed values like `0.30000000000000004`: within one from
//! 1e-6 to 1e22, two from 1e-22; beyond, up to 1e±308, within a dozen). An exact reader for the rest
//! (128-bit long division, session 9) cost 0.65 kB gzip of the package. Digits past the 19th are
//! dropped.
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

    /// From text the reader checked against the grammar (a `Json::Number` holds no other).
    pub(super) fn checked(text: &str) -> Self {
        debug_assert!(parse_number(text).is_some(), "not a JSON number: {text}");
        Self(text.into())
    }

    /// Its value: the nearest double on the fast path, within a few units in the last place
    /// elsewhere (see the module docs); never ±∞ (the reader refuses numbers that overflow).
    pub fn value(&self) -> f64 {
        parse_number(&self.0).unwrap_or(f64::NAN)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 10^k for k ≤ 22, exactly (every product on the way is a double): a loop of at most 22
/// multiplications instead of a 184-byte table (a number is read only when a reader asks for it).
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

/// `digits × 10^exponent`, `digits` > 0: exact on the fast path (see the module docs).
fn scaled(mut digits: u64, mut exponent: i64) -> f64 {
    // `5e20` written out (`500000000000000000000`) is 5 × 10^20.
    while digits % 10 == 0 {
        digits /= 10;
        exponent += 1;
    }
    if digits < 1 << 53 && (-22..=22).contains(&exponent) {
        // Both operands are exact doubles: one rounding, IEEE's.
        let power = pow10(exponent.abs());
        return if exponent < 0 { digits as f64 / power } else { digits as f64 * power };
    }
    let value = approximate(digits, exponent);
    // Rounding on the way must not turn a number just under the largest double into ∞ (which the
    // reader refuses): a tenth of it is then finite, and at most a tenth of `f64::MAX`.
    if value.is_infinite() && approximate(digits, exponent - 1) <= f64::MAX / 10.0 {
        return f64::MAX;
    }
    value
}

/// Off the fast path: scaled by exact powers of ten, one rounding per step.
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
    fn reads_what_str_parse_reads_on_the_fast_path() {
        for text in [
            "0", "-0", "1", "-1", "0.5", "0.1", "0.3", "1e3", "1E-2", "1e+5", "9007199254740991", "0.000001", "1e-7",
            "123.456e-20", "1e22", "1e-22", "4503599627370497e-22", "3.141592653589793", "2.718281828459045",
            "0.8736482659267394", "0.1e1", "100e-2", "12345e17", "0.0000000000000000000001",
        ] {
            assert_eq!(parse_number(text).map(f64::to_bits), text.parse::<f64>().ok().map(f64::to_bits), "{text}");
        }
        // Every double whose shortest form has at most 15 significant digits, 1e-7 up to 1e22.
        let mut checked = 0;
        for value in doubles(400_000).filter(|v| v.is_finite() && v.abs() >= 1e-7 && v.abs() < 1e22) {
            let short = format!("{value:.14e}").parse::<f64>().unwrap();
            for text in [format!("{short}"), format!("{short:e}")] {
                assert_eq!(parse_number(&text).map(f64::to_bits), Some(short.to_bits()), "{text}");
            }
            checked += 1;
        }
        assert!(checked > 5_000, "{checked}");
    }

    /// How many doubles apart `a` and `b` are (same sign).
    fn ulps(a: f64, b: f64) -> u64 {
        a.to_bits().abs_diff(b.to_bits())
    }

    #[test]
    fn every_other_double_reads_back_within_a_few_units_in_the_last_place() {
        // 17-digit forms, as JS writes computed values.
        for text in ["0.30000000000000004", "0.7000000000000001", "1.2345678901234567e-7", "9.999999999999999e22", "18446744073709551615"] {
            assert!(ulps(parse_number(text).unwrap(), text.parse().unwrap()) <= 1, "{text}");
        }
        let (mut checked, mut worst) = (0, 0);
        for value in doubles(400_000).filter(|v| v.is_normal()) {
            for text in [format!("{value}"), format!("{value:e}")] {
                let error = ulps(parse_number(&text).unwrap(), value);
                worst = worst.max(error);
                let bound = match value.abs() {
                    v if (1e-6..1e22).contains(&v) => 1,
                    v if (1e-22..1e22).contains(&v) => 2,
                    _ => 16,
                };
                assert!(error <= bound, "{text}: {error} ulps");
            }
            checked += 1;
        }
        assert!(checked > 100_000 && worst > 0, "{checked} {worst}");
    }

    #[test]
    fn the_largest_doubles_stay_finite() {
        for k in 0..2_000u64 {
            let value = f64::from_bits(f64::MAX.to_bits() - k);
            for text in [format!("{value:e}"), format!("{value}")] {
                let ours = parse_number(&text).unwrap();
                assert!(ours.is_finite() && ulps(ours, value) <= 16, "{text}: {ours}");
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
