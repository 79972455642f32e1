//! Binary payloads (audio, images): bytes in Rust, base64 in JSON.
//!
//! Serialization is base64 for human-readable formats (JSON, the wire CLI) and raw bytes otherwise
//! (so the browser layer can hand JS a `Uint8Array`). Deserialization accepts a base64 string, a
//! byte buffer or an array of numbers, so app JS may pass whichever it holds.

use crate::prelude::*;
use super::json::{deserialize_with_from_json, FromJson, JsonError, Path};
use serde::{Serialize, Serializer};
use crate::json::Json;
use crate::text::{text, Piece};
use core::fmt;
use alloc::rc::Rc;

/// The bytes are shared, not copied, when a message is cloned: an audio delta goes both to the app
/// and to playback.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Base64Data(Rc<Vec<u8>>);

impl Base64Data {
    /// Decodes standard base64 (padding optional).
    pub fn from_base64(text: &str) -> Result<Self, Base64Error> {
        decode_base64(text).map(Base64Data::from)
    }

    /// Standard base64 with padding.
    pub fn to_base64(&self) -> String {
        let mut out = String::new();
        encode_base64_into(self.as_bytes(), &mut out);
        out
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Standard base64 with padding, appended to `out`. A loop of its own rather than the base64
/// crate's encoder, which (generic over engines, inlined into its one caller) cost ~3.5 kB of wasm
/// for the same bytes. Written straight into the frame being built (every microphone chunk goes
/// through here): no intermediate buffer, no UTF-8 check.
fn encode_base64_into(bytes: &[u8], out: &mut String) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk.first().copied().unwrap_or(0), chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let symbol = |shift: u32| char::from(ALPHABET[(n >> shift & 63) as usize]);
        out.push(symbol(18));
        out.push(symbol(12));
        out.push(if chunk.len() > 1 { symbol(6) } else { '=' });
        out.push(if chunk.len() > 2 { symbol(0) } else { '=' });
    }
}

/// Why a text is not base64: the first offending byte and where it is, or a length no encoder
/// writes (one symbol past a whole group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base64Error {
    Symbol { offset: usize, byte: u8 },
    Length(usize),
}

impl Piece for Base64Error {
    fn push_to(&self, out: &mut String) {
        match self {
            Base64Error::Symbol { offset, byte } => {
                "byte ".push_to(out);
                byte.push_to(out);
                " at offset ".push_to(out);
                offset.push_to(out);
                " is not a base64 symbol".push_to(out)
            }
            Base64Error::Length(length) => {
                length.push_to(out);
                " symbols is not a base64 length".push_to(out)
            }
        }
    }
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::display(self, f)
    }
}

/// The value of each base64 symbol (standard alphabet), 0xff for any other byte.
const SYMBOL_VALUES: [u8; 256] = {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Standard alphabet; tolerant of missing padding and of non-zero trailing bits, which some encoders
/// produce (neither changes the decoded bytes). A loop of its own rather than the base64 crate's
/// engine (≈ 4.5 kB of wasm with its error formatting); every audio delta goes through here, so
/// the output is sized once and written group by group, with no per-byte push.
pub fn decode_base64(text: &str) -> Result<Vec<u8>, Base64Error> {
    let mut symbols = text.as_bytes();
    let mut padding = 0;
    while padding < 2 {
        let [rest @ .., b'='] = symbols else { break };
        symbols = rest;
        padding += 1;
    }
    let tail = symbols.len() % 4;
    if tail == 1 {
        return Err(Base64Error::Length(symbols.len()));
    }
    // Padding only completes a last group of two or three symbols, to four at most.
    if padding > 0 && (tail < 2 || tail + padding > 4) {
        return Err(Base64Error::Symbol { offset: symbols.len(), byte: b'=' });
    }
    let whole = symbols.len() - tail;
    let mut out = vec![0u8; whole / 4 * 3 + tail.saturating_sub(1)];
    let (start, mut o) = decode_blocks(symbols.get(..whole).unwrap_or_default(), &mut out);
    // The rest (the last blocks, fewer than 30 symbols, and a partial group) symbol by symbol:
    // the first symbol that is not one is the error, and each slot is written through `get_mut`
    // (in range by construction; no bounds panics to link).
    let (mut bits, mut count) = (0u32, 0u32);
    for (k, &byte) in symbols.iter().enumerate().skip(start) {
        let value = SYMBOL_VALUES[usize::from(byte)];
        if value == 0xff {
            return Err(Base64Error::Symbol { offset: k, byte });
        }
        // Six bits in; a byte out whenever eight are waiting (the older bits shift out of the
        // top). A last group of two or three symbols gives its one or two bytes so, and its
        // spare low bits stay unread.
        bits = bits << 6 | u32::from(value);
        count += 6;
        if count >= 8 {
            count -= 8;
            if let Some(slot) = out.get_mut(o) {
                *slot = (bits >> count) as u8;
            }
            o += 1;
        }
    }
    Ok(out)
}

/// Decodes whole 16-symbol blocks while each has 16 bytes of output room (a block writes 16 and
/// keeps 12), 16 symbols at a time (wasm SIMD); returns where the scalar loop goes on (symbols,
/// output bytes). A block with any byte that is not a symbol is left to the scalar loop, which
/// names it. Every audio delta is one run of base64: symbol by symbol this was a tenth of the
/// receive path.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn decode_blocks(symbols: &[u8], out: &mut [u8]) -> (usize, usize) {
    use core::arch::wasm32::*;
    let (mut i, mut o) = (0, 0);
    // Symbols by nibble (Muła's table lookup): each high nibble has a row bit (0x10: no symbol
    // there), each low nibble the rows it rules out; a byte is a symbol when its row is not ruled
    // out. Two swizzles and an AND test 16 bytes, where five range checks took 22 operations.
    let row_of_high = u8x16(0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
    let rows_ruled_out_by_low = u8x16(0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b, 0x1b, 0x1b, 0x1a);
    // A symbol's distance to its value (wrapping), by high nibble — `/` (0x2f) one row down:
    // + → 62, / → 63, 0–9 → 52–61, A–Z → 0–25, a–z → 26–51.
    let offset_by_high = i8x16(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
    while i + 16 <= symbols.len() && o + 16 <= out.len() {
        // SAFETY: `i + 16 <= symbols.len()`; v128_load reads unaligned.
        let block = unsafe { v128_load(symbols.as_ptr().add(i) as *const v128) };
        let high = u8x16_shr(block, 4);
        let low = v128_and(block, u8x16_splat(0x0f));
        if v128_any_true(v128_and(u8x16_swizzle(rows_ruled_out_by_low, low), u8x16_swizzle(row_of_high, high))) {
            break;
        }
        let slash = u8x16_eq(block, u8x16_splat(b'/'));
        let values = u8x16_add(block, u8x16_swizzle(offset_by_high, u8x16_add(high, slash)));
        // Pairs of 6 bits → 12 bits in each u16 lane, pairs of those → 24 bits in each u32 lane
        // (first symbol highest), then the three bytes of each lane, highest first.
        let pairs = v128_or(i16x8_shl(v128_and(values, u16x8_splat(0x00ff)), 6), u16x8_shr(values, 8));
        let quads = v128_or(i32x4_shl(v128_and(pairs, u32x4_splat(0xffff)), 12), u32x4_shr(pairs, 16));
        let bytes = u8x16_swizzle(quads, u8x16(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, 255, 255, 255, 255));
        // SAFETY: `o + 16 <= out.len()`; the last four bytes are overwritten by what follows.
        unsafe { v128_store(out.as_mut_ptr().add(o) as *mut v128, bytes) };
        i += 16;
        o += 12;
    }
    (i, o)
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn decode_blocks(_: &[u8], _: &mut [u8]) -> (usize, usize) {
    (0, 0)
}

impl From<Vec<u8>> for Base64Data {
    fn from(bytes: Vec<u8>) -> Self {
        Base64Data(Rc::new(bytes))
    }
}

impl fmt::Debug for Base64Data {
    // Never dump audio into logs: its length says all a reader needs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&text!("<", self.0.len(), " bytes>"))
    }
}

impl Serialize for Base64Data {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_base64())
        } else {
            serializer.serialize_bytes(&self.0)
        }
    }
}

/// A base64 string (what JSON carries), or an array of byte values.
impl FromJson for Base64Data {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        match value {
            Json::String(text) => Base64Data::from_base64(text).map_err(|e| JsonError::new(at, text!("invalid base64: ", e))),
            Json::Array(items) => {
                // A plain loop, not `collect()` into an `Option` (an iterator adapter of its own).
                let mut bytes = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_u64() {
                        Some(b) if b <= 255 => bytes.push(b as u8),
                        _ => return Err(JsonError::new(at, "expected bytes (0 to 255)")),
                    }
                }
                Ok(Base64Data::from(bytes))
            }
            _ => Err(JsonError::new(at, "expected a base64 string or bytes")),
        }
    }
}
deserialize_with_from_json!(Base64Data);

/// base64 needs no escapes: written as is (no scan of every audio chunk).
impl crate::json::ToJson for Base64Data {
    fn write_json(&self, out: &mut String) {
        out.push('"');
        encode_base64_into(self.as_bytes(), out);
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lenient engine the decoder replaced: what it accepts (padded or not, any trailing bits)
    /// decodes to the same bytes; what it refuses (a stray symbol, a lone last symbol, padding
    /// inside) is refused.
    #[test]
    fn decodes_as_the_base64_crate_does() {
        use base64::engine::{general_purpose::{GeneralPurpose, STANDARD, STANDARD_NO_PAD}, DecodePaddingMode, GeneralPurposeConfig};
        use base64::Engine;
        const LENIENT: GeneralPurpose = GeneralPurpose::new(
            &base64::alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent).with_decode_allow_trailing_bits(true),
        );
        let bytes: Vec<u8> = (0..=300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
        for len in 0..bytes.len() {
            for text in [STANDARD.encode(&bytes[..len]), STANDARD_NO_PAD.encode(&bytes[..len])] {
                assert_eq!(decode_base64(&text).as_deref(), Ok(&bytes[..len]), "{text}");
            }
        }
        let mut cases = ["QQ", "QR", "QUE", "QUF", "QUI=", "QQ==", "A", "AAAAA", "AA=A", "A===", "QQ=", "-_8=", "AA AA", "é", "AAA\0", "====", "", "=", "==", "QUFB=", "QUE==", "QUFB==", "QUFBQQ=", "QUFBQUE="]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
        let mut seed = 7u32;
        let mut next = || {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (seed >> 16) as usize
        };
        for _ in 0..3_000 {
            let len = next() % 11;
            cases.push((0..len).map(|_| b"AQgw+/=-*Zz9"[next() % 12] as char).collect());
        }
        let distinct: std::collections::HashSet<&String> = cases.iter().collect();
        assert!(distinct.len() > 2_000, "{} distinct texts", distinct.len());
        for text in cases {
            let ours = decode_base64(&text);
            match LENIENT.decode(&text) {
                Ok(expected) => assert_eq!(ours, Ok(expected), "{text:?}"),
                Err(_) => assert!(ours.is_err(), "{text:?}: the crate refuses it, we gave {ours:?}"),
            }
        }
        assert_eq!(decode_base64("QU!B").unwrap_err().to_string(), "byte 33 at offset 2 is not a base64 symbol");
        assert_eq!(decode_base64("QUFBQ").unwrap_err().to_string(), "5 symbols is not a base64 length");
    }

    #[test]
    fn encodes_as_the_base64_crate_does() {
        use base64::{engine::general_purpose::STANDARD, Engine};
        let bytes: Vec<u8> = (0..=600u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..bytes.len() {
            assert_eq!(Base64Data::from(bytes[..len].to_vec()).to_base64(), STANDARD.encode(&bytes[..len]), "{len} bytes");
        }
        assert_eq!(Base64Data::from(vec![0xff, 0xfe]).to_base64(), "//4=");
    }
}
