//! The microphone: opening one (`getUserMedia` with the app's constraints) and connecting a stream
//! to the capture worklet of the session's audio engine.
//!
//! Must never: keep a stream alive for a session that is gone — every await is followed by a check
//! that the session is still live.

use super::audio::{self, AudioEngine, AudioOptions};
use super::convert::session_error;
use super::driver::Driver;
use crate::session::{ErrorCode, SessionError};
use std::rc::Weak;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Asks the browser for a microphone (the permission prompt may stay up for minutes).
pub(super) async fn open(options: &JsValue) -> Result<web_sys::MediaStream, JsValue> {
    let stream = wasm_bindgen_futures::JsFuture::from(audio::request_microphone(options)?).await?;
    Ok(stream.unchecked_into())
}

/// Connects a microphone stream to the capture worklet (creating the audio engine if the session
/// was opened without playback). The session is checked after every await: if it closed or was
/// released meanwhile (the permission prompt can stay up for minutes), a stream the SDK opened is
/// stopped and the promise rejects with `session_closed`; nothing is built.
pub(super) async fn attach(driver: &Weak<Driver>, stream: web_sys::MediaStream, owned: bool) -> Result<JsValue, JsValue> {
    let live = || driver.upgrade().filter(|s| s.is_live());
    let refuse = |stream: &web_sys::MediaStream| {
        if owned {
            audio::stop_tracks(stream);
        }
        Err(session_error(&SessionError::state(ErrorCode::SessionClosed, "the session closed before the microphone started")))
    };
    let Some(current) = live() else { return refuse(&stream) };
    if current.audio.borrow().is_none() {
        let Ok((input, output)) = current.session.try_borrow().map(|s| (s.input_audio(), s.output_audio())) else { return refuse(&stream) };
        let options = AudioOptions::parse(&js_sys::JSON::parse(r#"{"playback":false}"#)?)?;
        let engine = AudioEngine::new(options, input, output)?;
        let loaded = engine.module_loaded();
        drop(current);
        wasm_bindgen_futures::JsFuture::from(loaded).await?;
        let Some(current) = live() else { return refuse(&stream) }; // `engine` closes as it drops
        *current.audio.borrow_mut() = Some(engine);
    }
    let Some(current) = live() else { return refuse(&stream) };
    let callback = current.worklet_callback();
    let mut engine = current.audio.borrow_mut();
    let Some(engine) = engine.as_mut() else { return refuse(&stream) };
    engine.attach_microphone(stream, owned, &callback)?;
    // Most likely inside a user gesture: a good moment to leave the autoplay suspension.
    let _ = engine.resume();
    Ok(JsValue::UNDEFINED)
}
