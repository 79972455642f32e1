//! The connector: credential → connect request → WebSocket. What `RealtimeClient.connect()` opens
//! first, and what the driver opens again (with a fresh credential) when the session resumes.
//!
//! Owns: the credential (a fixed token or the app's token provider) and the refusal of standard
//! API keys in a browser. Must never: put a credential in a log or an error message.

use crate::prelude::*;
use super::convert::{as_string, to_js, type_error};
use super::driver::when_settled;
use crate::provider::{ConnectConfig, ConnectRequest, Provider};
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    /// `new WebSocket(url, protocols)`, its binary frames as `ArrayBuffer`s (in JS: the binary
    /// type's enum and setter are no imports of the wasm).
    #[wasm_bindgen(catch, js_name = openSocket)]
    fn open_socket(url: &str, protocols: &JsValue) -> Result<WebSocket, JsValue>;
    /// A promise of `[token, url?]`: `token` itself (a string), or what the token function resolves
    /// to (checked there: a `TypeError` for anything but a string or `{ token, url? }`).
    fn credential(token: &JsValue) -> js_sys::Promise;
}

/// How to reach the provider: kept by the client and, for reconnecting, by the driver.
#[derive(Clone)]
pub(crate) struct Connector {
    pub(crate) provider: Provider,
    pub(crate) model: String,
    pub(crate) endpoint: Option<String>,
    /// The app's `options.token`: a fixed token (a string) or an async token provider
    /// (`() => Promise<string | { token, url? }>`).
    pub(crate) token: JsValue,
    pub(crate) allow_api_key: bool,
}

impl Connector {
    /// Calls `then` with the connect config once there is a fresh credential (from the token
    /// provider, if there is one); never synchronously.
    pub(crate) fn connect_config(&self, then: impl FnOnce(Result<ConnectConfig, JsValue>) + 'static) {
        let connector = self.clone();
        when_settled(&credential(&self.token), move |credential| then(credential.and_then(|credential| connector.config(&credential))));
    }

    /// Opens the WebSocket of `request` (binary frames as `ArrayBuffer`s). The protocols cross as
    /// JSON (the one way values go to JS: no `Array` imports for this one list).
    pub(crate) fn open_socket(request: &ConnectRequest) -> Result<WebSocket, JsValue> {
        open_socket(&request.url, &to_js(&request.protocols))
    }

    /// The connect config of a credential, `[token, url?]`.
    fn config(&self, credential: &JsValue) -> Result<ConnectConfig, JsValue> {
        let part = |i| as_string(&credential.unchecked_ref::<js_sys::Array>().get(i));
        let token = part(0).unwrap_or_default();
        refuse_standard_key(self.provider, &token, self.allow_api_key)?;
        Ok(ConnectConfig { model: self.model.clone(), endpoint: part(1).or_else(|| self.endpoint.clone()), credential: token })
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

