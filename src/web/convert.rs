//! JS ⇄ Rust conversions and JS error construction. Everything from app JS is untrusted: a value of
//! the wrong shape becomes a `TypeError` naming the field, never a panic.

use crate::model::ServerMessage;
use crate::session::{ErrorKind, SessionError, SessionEvent};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Plain objects (not ES `Map`s) for maps, so JSON values come out as JS objects.
fn serializer() -> serde_wasm_bindgen::Serializer {
    serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true)
}

pub fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value.serialize(&serializer()).unwrap_or(JsValue::UNDEFINED)
}

/// A server message for the app; audio deltas carry a `Uint8Array`, not base64.
pub fn message_to_js(message: &ServerMessage) -> JsValue {
    let object = to_js(message);
    if let ServerMessage::OutputAudioDelta(delta) = message {
        if let Some(audio) = &delta.audio {
            let _ = js_sys::Reflect::set(&object, &"audio".into(), &js_sys::Uint8Array::from(audio.as_bytes()));
        }
    }
    object
}

pub fn event_to_js(event: &SessionEvent) -> JsValue {
    to_js(event)
}

/// Reads `value` as `T`; a mismatch is a `TypeError` that names `what` and serde's reason (which
/// names the field).
pub fn from_js<T: DeserializeOwned>(value: JsValue, what: &str) -> Result<T, JsValue> {
    serde_wasm_bindgen::from_value(value).map_err(|e| type_error(&format!("{what}: {e}")))
}

pub fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

pub fn range_error(message: &str) -> JsValue {
    js_sys::RangeError::new(message).into()
}

pub fn error(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// A session error as the JS error class its kind calls for, with a `code` property.
pub fn session_error(e: &SessionError) -> JsValue {
    let text = e.to_string();
    let value = match e.kind {
        ErrorKind::Type => type_error(&text),
        ErrorKind::Range => range_error(&text),
        ErrorKind::State => error(&text),
    };
    let _ = js_sys::Reflect::set(&value, &"code".into(), &e.code.into());
    value
}

/// The text of whatever a JS handler threw or rejected with.
pub fn describe_js_error(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    value.as_string().unwrap_or_else(|| js_sys::JSON::stringify(value).map(String::from).unwrap_or_else(|_| "unknown error".into()))
}

/// A property of a JS object (`undefined` when absent or when `object` is not an object).
pub fn get(object: &JsValue, key: &str) -> JsValue {
    if !object.is_object() {
        return JsValue::UNDEFINED;
    }
    js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

/// An optional string property; a present non-string is a `TypeError` naming the field.
pub fn optional_string(object: &JsValue, key: &str, owner: &str) -> Result<Option<String>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_string().map(Some).ok_or_else(|| type_error(&format!("{owner}.{key} must be a string")))
}

pub fn optional_bool(object: &JsValue, key: &str, owner: &str) -> Result<Option<bool>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value.as_bool().map(Some).ok_or_else(|| type_error(&format!("{owner}.{key} must be a boolean")))
}

/// An optional non-negative integer property within `max`.
pub fn optional_count(object: &JsValue, key: &str, owner: &str, max: f64) -> Result<Option<u32>, JsValue> {
    let value = get(object, key);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    let Some(n) = value.as_f64() else {
        return Err(type_error(&format!("{owner}.{key} must be a number")));
    };
    if !(n.is_finite() && n >= 0.0 && n <= max && n.fract() == 0.0) {
        return Err(range_error(&format!("{owner}.{key} must be an integer from 0 to {max}")));
    }
    Ok(Some(n as u32))
}
