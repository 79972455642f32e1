//! App-supplied middleware (`options.middleware`): JS objects with optional `send(message)` and
//! `receive(message)` functions, run as [`Middleware`] between the session and the wire.
//!
//! A function returns the message to pass on (possibly changed), `null` to drop it, or `undefined`
//! to pass it unchanged. A throw or an unreadable return passes the original on, with a console
//! warning: an app bug in a logger must not break the session.

use crate::prelude::*;
use crate::text::text;
use super::convert::{as_string, describe_js_error, from_js, message_to_js, present, to_js};
use crate::model::{ClientMessage, ServerMessage};
use crate::session::Middleware;
use crate::model::json::FromJson;
use wasm_bindgen::prelude::*;

pub struct JsMiddleware {
    name: String,
    /// The app's object: `this` inside its methods.
    object: JsValue,
    send: Option<js_sys::Function>,
    receive: Option<js_sys::Function>,
}

impl JsMiddleware {
    /// A middleware as `platform.js` checked it (`connectOptions`): `[name, object, send?, receive?]`.
    pub fn new(parts: &js_sys::Array) -> JsMiddleware {
        // `connectOptions` let only a function or `undefined` through.
        let function = |i| present(parts.get(i));
        JsMiddleware { name: as_string(&parts.get(0)).unwrap_or_default(), object: parts.get(1), send: function(2), receive: function(3) }
    }

    /// The message `function` passes on: `original` when it returns `undefined` (or throws or
    /// returns something unreadable, with a warning), `None` when it returns `null`. Generic only
    /// where it must be (reading the returned message): the rest is [`JsMiddleware::call`].
    fn intercept<T: FromJson>(&self, function: &js_sys::Function, js: JsValue, original: T) -> Option<T> {
        match self.call(function, &js)? {
            None => Some(original),
            Some(returned) => match from_js(returned, "the returned message") {
                Ok(changed) => Some(changed),
                Err(e) => {
                    self.unreadable(&e);
                    Some(original)
                }
            },
        }
    }

    /// Calls the app's function: `None` to drop the message (it returned `null`), `Some(None)` to
    /// pass the original on (`undefined`, or it threw: warned), else what it returned.
    fn call(&self, function: &js_sys::Function, js: &JsValue) -> Option<Option<JsValue>> {
        match function.call1(&self.object, js) {
            Ok(returned) if returned.is_undefined() => Some(None),
            Ok(returned) if returned.is_null() => None,
            Ok(returned) => Some(Some(returned)),
            Err(thrown) => {
                self.warn("threw; passing the original on");
                super::convert::console_error_value(&thrown);
                Some(None)
            }
        }
    }

    fn unreadable(&self, e: &JsValue) {
        self.warn(&text!("returned an unreadable message (", describe_js_error(e), "); passing the original on"));
    }

    fn warn(&self, what: &str) {
        super::convert::console_warn(&text!("realtime-wasm: middleware ", crate::json::to_string(self.name.as_str()), " ", what));
    }
}

impl Middleware for JsMiddleware {
    fn name(&self) -> &str {
        &self.name
    }

    fn on_send(&mut self, message: ClientMessage) -> Option<ClientMessage> {
        match &self.send {
            Some(f) => self.intercept(f, to_js(&message), message),
            None => Some(message),
        }
    }

    fn on_receive(&mut self, message: ServerMessage) -> Option<ServerMessage> {
        match &self.receive {
            Some(f) => self.intercept(f, message_to_js(&message), message),
            None => Some(message),
        }
    }
}
