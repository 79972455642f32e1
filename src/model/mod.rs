//! The neutral abstraction: session options, conversation items and contents, usage, and the client
//! and server messages — the seed's `Microsoft.Extensions.AI` realtime types, in Rust with serde
//! (camelCase, one `type` discriminator per direction).
//!
//! Owns: pure data and its JSON form (the JSON the wire CLI prints and the JS API exchanges), read
//! by `json::FromJson` and written by `crate::json::ToJson`.
//! Must never: know any provider's wire format, do I/O, or import `web_sys`/`js_sys`/`wasm_bindgen`.

/// `Default` as derived (every field at its own default), but one out-of-line function: the
/// derived one is inlined wherever a value starts empty (a reader, a codec's synthesized message,
/// `..Default::default()`), a store per field each time. For the model's larger structs.
macro_rules! default_out_of_line {
    ($($ty:ident { $($field:ident),* $(,)? })*) => {$(
        impl Default for $ty {
            #[inline(never)]
            fn default() -> Self {
                $ty { $($field: Default::default()),* }
            }
        }
    )*};
}
pub(crate) use default_out_of_line;

mod client;
mod content;
mod data;
pub mod json;
mod options;
mod server;
pub(crate) use server::server_message_kinds;
mod usage;

pub use client::{ClientMessage, CreateResponse};
pub use content::{Content, ConversationItem, ErrorInfo, ItemStatus, Role};
pub use data::{decode_base64, Base64Data, Base64Error};
pub use options::{
    AudioFormat, BargeInOptions, Eagerness, Modality, SessionKind, SessionOptions, Tool, ToolMode, TranscriptionOptions,
    VoiceActivityDetection,
};
pub use server::{
    Bare, CallsCancelled, ConversationItemEvent, GoAway, ErrorMessage, FunctionCallArguments, InputTranscription, ItemReference,
    ItemTruncated, OutputAudio, OutputPosition, OutputText, RateLimits, RawEvent, ResponseInfo,
    ResponseOutputItem, ServerMessage, SessionInfo, SpeechEvent, TranscriptionSegment,
};
pub use usage::{RateLimit, ResponseStatus, Usage};
