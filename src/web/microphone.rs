//! The microphone: connecting a stream (the app's, or one `audio::request_microphone` opened) to
//! the capture worklet of the session's audio engine.
//!
//! Must never: keep a stream alive for a session that is gone — every wait is followed by a check
//! that the session is still live.

use super::CellBorrow;
use super::audio::{self, AudioEngine, AudioOptions};
use super::driver::{when_settled, Driver, Settle};
use crate::session::ErrorCode;
use alloc::rc::Weak;
use wasm_bindgen::prelude::*;

/// Connects a microphone stream to the capture worklet (creating the audio engine if the session
/// was opened without playback) and settles `settle`. The session is checked after every wait: if
/// it closed or was released meanwhile (the permission prompt can stay up for minutes), the
/// promise rejects with `session_closed`; nothing is built. Whatever fails, a stream the SDK
/// opened is stopped: the browser's recording indicator must not stay on for a microphone the
/// session does not hear.
pub(super) fn attach(driver: Weak<Driver>, stream: web_sys::MediaStream, owned: bool, settle: Settle) {
    let finish = move |driver: &Weak<Driver>, ready: Result<JsValue, JsValue>| {
        let result = ready.and_then(|_| connect_stream(driver, &stream, owned));
        if result.is_err() && owned {
            audio::stop_tracks(&stream);
        }
        settle.settle(result);
    };
    match new_engine(&driver) {
        Ok(Some(engine)) => when_settled(&engine.module_loaded(), move |loaded| {
            if loaded.is_ok() {
                // A session gone meanwhile: `engine` closes as it drops, and the stream is refused.
                if let Some(current) = live(&driver) {
                    *current.audio.mutable() = Some(engine);
                }
            }
            finish(&driver, loaded);
        }),
        Ok(None) => finish(&driver, Ok(JsValue::UNDEFINED)),
        Err(e) => finish(&driver, Err(e)),
    }
}

fn live(driver: &Weak<Driver>) -> Option<alloc::rc::Rc<Driver>> {
    driver.upgrade().filter(|s| s.is_live())
}

/// The audio engine of a live session opened without playback (its worklet module loading), made
/// with the app's `audio` options; `None` when the session has one, or is gone (the stream is then
/// refused by [`connect_stream`]).
fn new_engine(driver: &Weak<Driver>) -> Result<Option<AudioEngine>, JsValue> {
    let Some(current) = live(driver) else { return Ok(None) };
    if current.audio.shared().is_some() {
        return Ok(None);
    }
    let Ok((input, output)) = current.session.try_borrow().map(|s| (s.input_audio(), s.output_audio())) else { return Ok(None) };
    // Kept, not taken: a microphone started again after a failed one (its worklet did not load)
    // tries with the same options.
    let options = current.capture_options.shared().clone().unwrap_or_else(AudioOptions::capture_only);
    AudioEngine::new(options, input, output).map(Some)
}

/// Connects the stream to the live session's engine, or refuses it.
fn connect_stream(driver: &Weak<Driver>, stream: &web_sys::MediaStream, owned: bool) -> Result<JsValue, JsValue> {
    if let Some(current) = live(driver) {
        let callback = current.page_callback();
        if let Some(engine) = current.audio.mutable().as_mut() {
            // `Clone::clone`, the reference: web-sys's inherent `MediaStream::clone` would copy the
            // stream, and closing would then stop the copy's tracks, not these.
            engine.attach_microphone(Clone::clone(stream), owned, &callback)?;
            // Most likely inside a user gesture: a good moment to leave the autoplay suspension.
            let _ = engine.resume(true);
            return Ok(JsValue::UNDEFINED);
        }
    }
    Err(super::convert::error(ErrorCode::SessionClosed, "the session closed before the microphone started"))
}
