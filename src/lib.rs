//! realtime-wasm: provider-neutral realtime voice/text sessions for the browser.
//!
//! Layers (see the README): [`model`] is the neutral abstraction; [`provider`] maps it to each
//! provider's wire protocol; [`session`] is the sans-IO state machine. All three are pure Rust, built
//! and tested natively; only `web` (wasm32 only) touches the browser.

pub mod audio;
pub mod json;
pub mod model;
pub mod provider;
pub mod session;
pub mod text;

/// The crate version, as the JS package reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(target_arch = "wasm32")]
pub mod web;
