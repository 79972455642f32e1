//! The browser shell: the only module that touches `wasm_bindgen`/`js_sys`/`web_sys`.
//!
//! Owns: the JS classes (`RealtimeClient`, `RealtimeSession`), the WebSocket transport, JS tool
//! handlers and middleware, events and the async message stream. Must never: hold protocol or
//! session logic (that lives in the pure modules, where it is tested natively).

#[cfg(feature = "bench")]
pub mod bench;
mod audio;
mod client;
mod convert;
mod interceptor;
mod network;
mod session;
mod stream;

pub use client::{define_tool, RealtimeClient};
pub use session::RealtimeSession;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    // A panic says why in the console (it still kills the module) in debug builds and with the
    // `panic-hook` feature; the release package leaves the hook out (see the README's size table).
    #[cfg(any(debug_assertions, feature = "panic-hook"))]
    console_error_panic_hook::set_once();
}

/// The SDK version.
#[wasm_bindgen]
pub fn version() -> String {
    crate::VERSION.to_string()
}
