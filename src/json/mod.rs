//! The SDK's own JSON reader and writer: one small, non-generic parser shared by the app boundary
//! (`model::json::FromJson`) and both codecs' decoders, and one writer ([`ToJson`]) for the
//! messages and events the app receives (through `JSON.parse`) and the frames the codecs send.
//!
//! Why not serde_json's parser: in the wasm build its deserializer machinery (the `Value` visitor,
//! a monomorphised reader per typed wire struct, its error formatting) was the largest part of the
//! binary after the model's derived code, and it copied every string it read. [`parse`] builds a
//! borrowed tree instead: strings without escapes (every base64 payload) stay slices of the frame,
//! numbers stay text until a reader asks for one ([`parse_number`], not core's float parser, whose
//! tables cost ~15 kB of wasm), and an object is a flat list of pairs. The writer prints floats
//! with zmij, not core's float `Display`, for the same reason.
//!
//! Writing is the same move: serde's derived `Serialize`, instantiated per type for serde_json's
//! generic serializer, gave way to one small hand-listed function per type.
//!
//! Owns: the grammar (RFC 8259, strict: no trailing commas, comments or leading zeros), the depth
//! bound, the read-only accessors the decoders use, and the conversion to `serde_json::Value` for
//! the parts the model keeps whole (raw events, tool parameters, metadata).
//! Must never: panic or recurse past [`MAX_DEPTH`] on any input, or allocate per character.

mod number;
mod read;
mod write;

pub use number::parse_number;
pub use read::{parse, Json, ParseError, MAX_DEPTH};
pub(crate) use write::json_fields;
pub use write::{to_string, JsonFields, JsonObject, ToJson};
