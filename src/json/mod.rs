//! The SDK's own JSON reader and writer: one small, non-generic parser shared by the app boundary
//! (`model::json::FromJson`) and both codecs' decoders, and one writer ([`ToJson`]) for the
//! messages and events the app receives (through `JSON.parse`) and the frames the codecs send.
//!
//! Why not serde_json's parser: in the wasm build its deserializer machinery (the `Value` visitor,
//! a monomorphised reader per typed wire struct, its error formatting) was the largest part of the
//! binary after the model's derived code, and it copied every string it read. [`parse`] builds a
//! borrowed tree instead: strings without escapes (every base64 payload) stay slices of the frame,
//! numbers stay text until a reader asks for one ([`parse_number`], not core's float parser, whose
//! tables cost ~15 kB of wasm), and an object is a flat list of pairs. The writer has no
//! shortest-float printer either (core's `Display` or zmij): a number the model keeps from JSON is a
//! [`JsonNumber`], written back as read, and the only doubles the SDK writes are its own
//! millisecond measurements, to the microsecond.
//!
//! Writing is the same move: serde's derived `Serialize`, instantiated per type for serde_json's
//! generic serializer, gave way to one small hand-listed function per type.
//!
//! The same tree, owned ([`JsonValue`]), is what the model keeps whole (raw events, tool
//! parameters and results, metadata, provider options); it is written back verbatim (numbers as
//! read), so no second JSON library (serde_json's `Value`, its `BTreeMap`, its reader and error
//! strings) is in the wasm. The encoders write their frames straight through [`JsonObject`]; only
//! a session merged over the app's `providerOptions` goes through a tree ([`Json::merge`]).
//!
//! Owns: the grammar (RFC 8259, strict: no trailing commas, comments or leading zeros), the depth
//! bound, the accessors the decoders use, the owned copy and its merge, the writer, and serde's
//! view of the tree for native callers (`serde_bridge`).
//! Must never: panic or recurse past [`MAX_DEPTH`] on any input, or allocate per character.

mod number;
mod read;
mod serde_bridge;
mod write;

pub use number::{parse_number, JsonNumber};
pub use read::{parse, Json, JsonValue, ParseError, MAX_DEPTH};
pub(crate) use write::json_fields;
pub use write::{object_text, to_string, JsonFields, JsonObject, RawJson, ToJson};
