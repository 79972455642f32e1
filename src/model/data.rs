//! Binary payloads (audio, images): bytes in Rust, base64 in JSON.
//!
//! Serialization is base64 for human-readable formats (JSON, the wire CLI) and raw bytes otherwise
//! (so the browser layer can hand JS a `Uint8Array`). Deserialization accepts a base64 string, a
//! byte buffer or an array of numbers, so app JS may pass whichever it holds.

use base64::Engine;
use super::json::{deserialize_with_from_json, FromJson, JsonError, Path};
use serde::{Serialize, Serializer};
use crate::json::Json;
use std::fmt;
use std::rc::Rc;

/// The bytes are shared, not copied, when a message is cloned: an audio delta goes both to the app
/// and to playback.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Base64Data(Rc<Vec<u8>>);

impl Base64Data {
    /// Decodes standard base64 (padding optional).
    pub fn from_base64(text: &str) -> Result<Self, base64::DecodeError> {
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

/// Standard alphabet; tolerant of missing padding and of non-zero trailing bits, which some encoders
/// produce (neither changes the decoded bytes).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    LENIENT.decode(text)
}

impl From<Vec<u8>> for Base64Data {
    fn from(bytes: Vec<u8>) -> Self {
        Base64Data(Rc::new(bytes))
    }
}

impl fmt::Debug for Base64Data {
    // Never dump audio into logs: its length says all a reader needs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0.len())
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
            Json::String(text) => Base64Data::from_base64(text).map_err(|e| JsonError::new(at, format!("invalid base64: {e}"))),
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

    #[test]
    fn encodes_as_the_base64_crate_does() {
        use base64::engine::general_purpose::STANDARD;
        let bytes: Vec<u8> = (0..=600u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..bytes.len() {
            assert_eq!(Base64Data::from(bytes[..len].to_vec()).to_base64(), STANDARD.encode(&bytes[..len]), "{len} bytes");
        }
        assert_eq!(Base64Data::from(vec![0xff, 0xfe]).to_base64(), "//4=");
    }
}
