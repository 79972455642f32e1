//! The browser shell: the only module that touches `wasm_bindgen`/`js_sys`/`web_sys`.
//!
//! Owns: the JS classes (`RealtimeClient`, `RealtimeSession`), the WebSocket transport, JS tool
//! handlers and middleware, events and the async message stream. Must never: hold protocol or
//! session logic (that lives in the pure modules, where it is tested natively).
//!
//! The modules, from the app inwards (each uses only those below it):
//! - `client`: the `RealtimeClient` class; `connect()` builds a session and starts its driver.
//! - `session`: the `RealtimeSession` class, a thin face over the driver; `microphone` opens and
//!   attaches microphones for it.
//! - `driver`: runs the sans-IO session against the page (socket, timers, tools, audio, events).
//! - `connector` (credential → connect request → WebSocket), `connect_options` (the app's
//!   `connect()` options), `middleware` (the app's JS middleware), `audio` (AudioContext and
//!   worklets), `network` (online/offline), `stream` (the async message iterator), `convert`
//!   (JS values ↔ the model, errors).

#[cfg(feature = "bench")]
pub mod bench;
mod audio;
mod client;
mod connect_options;
mod connector;
mod convert;
mod driver;
mod microphone;
mod middleware;
mod network;
mod session;
mod stream;

pub use client::RealtimeClient;
use core::cell::{Ref, RefCell, RefMut};

/// `RefCell` borrows with one panic location for the whole shell. `RefCell::borrow_mut` is
/// `#[track_caller]`: each of the shell's ~70 borrow sites carried its own 16-byte `Location` in
/// the data section, pointers and line numbers gzip cannot shrink (−0.4 kB of the package). A
/// double borrow is a bug either way, and the module aborts without the hook's message.
pub(crate) trait CellBorrow<T> {
    fn mutable(&self) -> RefMut<'_, T>;
    fn shared(&self) -> Ref<'_, T>;
}

impl<T> CellBorrow<T> for RefCell<T> {
    #[inline]
    fn mutable(&self) -> RefMut<'_, T> {
        self.borrow_mut()
    }

    #[inline]
    fn shared(&self) -> Ref<'_, T> {
        self.borrow()
    }
}
pub use convert::define_tool;
pub use session::RealtimeSession;

use wasm_bindgen::prelude::*;

/// Talc instead of the default dlmalloc: smaller in the package and faster on the SDK's pattern
/// (buffers of every audio chunk and frame, freed soon after). Single-threaded wasm only.
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// A panic says why in the console (it still kills the module) in debug builds and with the
/// `panic-hook` feature; the release package leaves the hook out (see the README's size table), and
/// with it this start function (an empty one was an export, and a `start` function in the glue).
#[cfg(all(feature = "std", any(debug_assertions, feature = "panic-hook")))]
#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The SDK version.
#[wasm_bindgen]
pub fn version() -> JsValue {
    JsValue::from_str(crate::VERSION)
}
