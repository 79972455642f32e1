//! realtime-wasm: provider-neutral realtime voice/text sessions for the browser.
//!
//! Layers (see the README): [`model`] is the neutral abstraction; [`provider`] maps it to each
//! provider's wire protocol; [`session`] is the sans-IO state machine. All three are pure Rust, built
//! and tested natively; only `web` (wasm32 only) touches the browser.
//!
//! `no_std` + `alloc`: std is linked only with the `std` feature (the default: native builds, the
//! tests, debug wasm builds). The npm package leaves it out, and with it std's panic machinery
//! (message formatting, payload boxing, the hook), which cost every app bytes for a message nobody
//! read: a panic is a bug that kills the module either way (README, package size).

#![no_std]

#[macro_use]
extern crate alloc;
#[cfg(any(feature = "std", not(target_arch = "wasm32")))]
extern crate std;

/// What std's prelude gives a std crate and core's does not: each module imports it.
mod prelude {
    pub use alloc::borrow::ToOwned;
    pub use alloc::boxed::Box;
    pub use alloc::string::{String, ToString};
    pub use alloc::vec::Vec;
}

/// Per-thread globals: `std::thread_local!` where std is linked; without it (the npm package) a
/// plain static ([`without_std::OneThread`]). Same `static NAME: T = const { … };` syntax and
/// `NAME.with(|value| …)` use either way.
#[cfg(not(all(target_arch = "wasm32", not(feature = "std"))))]
macro_rules! thread_local {
    ($($body:tt)*) => { std::thread_local! { $($body)* } };
}
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
macro_rules! thread_local {
    ($($(#[$attr:meta])* static $name:ident: $type:ty = const { $init:expr };)*) => {
        $($(#[$attr])* static $name: crate::without_std::OneThread<$type> = crate::without_std::OneThread($init);)*
    };
}

/// What std gave the npm package and core does not: globals and the panic handler.
#[cfg(all(target_arch = "wasm32", not(feature = "std")))]
mod without_std {
    #[cfg(target_feature = "atomics")]
    compile_error!("without std, thread_local! assumes a single thread: build threaded wasm with the `std` feature");

    /// The value of a [`thread_local!`]: a plain static, sound because the module is
    /// single-threaded wasm (no `atomics`, checked above).
    pub struct OneThread<T>(pub T);

    // SAFETY: one thread only (see above): no other thread can see the value.
    unsafe impl<T> Sync for OneThread<T> {}

    impl<T> OneThread<T> {
        pub fn with<R>(&'static self, f: impl FnOnce(&T) -> R) -> R {
            f(&self.0)
        }
    }

    /// A panic traps at once: the module is dead either way, and nothing would read a message
    /// (the hook that prints one needs std: the `panic-hook` feature).
    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        core::arch::wasm32::unreachable()
    }
}

pub mod audio;
pub mod float;
pub mod json;
pub mod model;
pub mod provider;
pub mod session;
pub mod text;

/// The crate version, as the JS package reports it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(target_arch = "wasm32")]
pub mod web;
