//! The connector: credential → connect request → WebSocket. What `RealtimeClient.connect()` opens
//! first, and what the driver opens again (with a fresh credential) when the session resumes.
//!
//! Owns: the credential (a fixed token or the app's token provider) and the refusal of standard
//! API keys in a browser. Must never: put a credential in a log or an error message.

use super::convert::{optional_string, type_error};
use super::driver::when_settled;
use crate::provider::{ConnectConfig, ConnectRequest, Provider};
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `new WebSocket(url, protocols)`, its binary frames as `ArrayBuffer`s (in JS: the binary
    /// type's enum and setter are no imports of the wasm).
    #[wasm_bindgen(catch, js_name = openSocket)]
    fn open_socket(url: &str, protocols: &js_sys::Array) -> Result<WebSocket, JsValue>;
}

#[derive(Clone)]
pub(crate) enum Credential {
    Fixed(String),
    /// An async token provider: `() => Promise<string | { token, url? }>`.
    Provider(js_sys::Function),
}

/// How to reach the provider: kept by the client and, for reconnecting, by the driver.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) provider: Provider,
    pub(crate) model: String,
    pub(crate) endpoint: Option<String>,
    pub(crate) credential: Credential,
    pub(crate) allow_api_key: bool,
}

impl Connector {
    /// Calls `then` with the connect config once there is a fresh credential (from the token
    /// provider, if there is one); never synchronously.
    pub(crate) fn connect_config(&self, then: impl FnOnce(Result<ConnectConfig, JsValue>) + 'static) {
        let credential = self.credential().unwrap_or_else(|e| js_sys::Promise::reject(&e));
        let connector = self.clone();
        when_settled(&credential, move |credential| then(credential.and_then(|credential| connector.config(credential))));
    }

    /// Opens the WebSocket of `request` (binary frames as `ArrayBuffer`s).
    pub(crate) fn open_socket(request: &ConnectRequest) -> Result<WebSocket, JsValue> {
        let protocols = js_sys::Array::new();
        for protocol in &request.protocols {
            protocols.push(&protocol.into());
        }
        open_socket(&request.url, &protocols)
    }

    /// The credential: the string, or what the token provider returns (a string or
    /// `{ token, url? }`), as a promise.
    fn credential(&self) -> Result<js_sys::Promise, JsValue> {
        Ok(js_sys::Promise::resolve(&match &self.credential {
            Credential::Fixed(token) => JsValue::from_str(token),
            Credential::Provider(function) => function.call0(&JsValue::UNDEFINED)?,
        }))
    }

    /// The connect config of a credential.
    fn config(&self, credential: JsValue) -> Result<ConnectConfig, JsValue> {
        let (token, url) = match credential.as_string() {
            Some(token) => (token, None),
            None => (
                optional_string(&credential, "token", "token()")?.ok_or_else(|| type_error("token() must resolve to a string or { token, url? }"))?,
                optional_string(&credential, "url", "token()")?,
            ),
        };
        refuse_standard_key(self.provider, &token, self.allow_api_key)?;
        Ok(ConnectConfig { model: self.model.clone(), endpoint: url.or_else(|| self.endpoint.clone()), credential: token })
    }
}

/// Standard OpenAI keys (`sk-`) and Gemini API keys (`AIza…`) expose the account to every user of
/// the page: refused unless the app opts in (use ephemeral tokens minted by a server).
pub(crate) fn refuse_standard_key(provider: Provider, credential: &str, allowed: bool) -> Result<(), JsValue> {
    let standard = match provider {
        Provider::OpenAi => credential.starts_with("sk-"),
        Provider::Gemini => credential.starts_with("AIza"),
    };
    if standard && !allowed {
        return Err(type_error(
            "options.token: a standard API key must not be used in a browser; mint an ephemeral token on your server, or set dangerouslyAllowApiKeyInBrowser",
        ));
    }
    Ok(())
}

