//! `RealtimeClient` (the seed's `IRealtimeClient`): validates the app's options, gets a credential,
//! opens the WebSocket and hands back a `RealtimeSession` once the session is open.

use super::convert::{error, from_js_noting_unknown, get, optional_bool, optional_count, optional_string, range_error, type_error};
use super::audio::{AudioEngine, AudioOptions};
use super::interceptor::JsInterceptor;
use super::session::{RealtimeSession, Shell};
use crate::model::{BargeInOptions, Modality, SessionKind, SessionOptions, Tool};
use crate::provider::{ConnectConfig, Provider};
use crate::session::{ErrorCode, InvocationOptions, LogLevel, LoggingMiddleware, ReconnectConfig, Session, SessionConfig};
use std::collections::HashMap;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const DEFAULT_CONNECT_TIMEOUT_MS: f64 = 15_000.0;

#[derive(Clone)]
enum Credential {
    Fixed(String),
    /// An async token provider: `() => Promise<string | { token, url? }>`.
    Provider(js_sys::Function),
}

#[wasm_bindgen]
pub struct RealtimeClient {
    provider: Provider,
    model: String,
    endpoint: Option<String>,
    credential: Credential,
    allow_api_key: bool,
}

fn default_model(provider: Provider) -> &'static str {
    match provider {
        Provider::OpenAi => "gpt-realtime",
        Provider::Gemini => crate::provider::gemini::DEFAULT_MODEL,
    }
}

#[wasm_bindgen]
impl RealtimeClient {
    /// Throws a `TypeError`/`RangeError` naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<RealtimeClient, JsValue> {
        if !options.is_object() {
            return Err(type_error("RealtimeClient options must be an object"));
        }
        super::convert::warn_unknown_keys(&options, &["provider", "model", "endpoint", "token", "dangerouslyAllowApiKeyInBrowser"], "options");
        let name = optional_string(&options, "provider", "options")?.ok_or_else(|| type_error("options.provider is required (\"openai\" or \"gemini\")"))?;
        let provider = Provider::parse(&name)
            .ok_or_else(|| range_error(&format!("options.provider: unknown provider {} (expected \"openai\" or \"gemini\")", crate::json::to_string(&name))))?;
        let model = optional_string(&options, "model", "options")?.unwrap_or_else(|| default_model(provider).to_owned());
        if model.is_empty() {
            return Err(range_error("options.model must not be empty"));
        }
        let endpoint = optional_string(&options, "endpoint", "options")?;
        if let Some(url) = &endpoint {
            if !(url.starts_with("ws://") || url.starts_with("wss://")) {
                return Err(range_error("options.endpoint must be a ws:// or wss:// URL"));
            }
        }
        let token = get(&options, "token");
        let credential = if let Some(text) = token.as_string() {
            Credential::Fixed(text)
        } else if let Some(function) = token.dyn_ref::<js_sys::Function>() {
            Credential::Provider(function.clone())
        } else {
            return Err(type_error("options.token must be a string or a function returning a promise of one"));
        };
        let allow_api_key = optional_bool(&options, "dangerouslyAllowApiKeyInBrowser", "options")?.unwrap_or(false);
        // A fixed key is refused here, as the d.ts says; one from a token provider at connect.
        if let Credential::Fixed(token) = &credential {
            refuse_standard_key(provider, token, allow_api_key)?;
        }
        Ok(RealtimeClient { provider, model, endpoint, credential, allow_api_key })
    }

    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> String {
        self.provider.name().to_owned()
    }

    /// Opens a session; resolves once it is open (the server confirmed it).
    pub fn connect(&self, options: JsValue) -> js_sys::Promise {
        let client = RealtimeClientParts {
            provider: self.provider,
            model: self.model.clone(),
            endpoint: self.endpoint.clone(),
            credential: self.credential.clone(),
            allow_api_key: self.allow_api_key,
        };
        wasm_bindgen_futures::future_to_promise(async move { client.connect(options).await.map(JsValue::from) })
    }
}

/// What `connect` needs, owned (the future outlives the borrow of the client); kept by the session
/// to reconnect (with a fresh credential from the token provider).
#[derive(Clone)]
pub(crate) struct RealtimeClientParts {
    provider: Provider,
    model: String,
    endpoint: Option<String>,
    credential: Credential,
    allow_api_key: bool,
}

impl RealtimeClientParts {
    async fn connect(self, options: JsValue) -> Result<RealtimeSession, JsValue> {
        let parsed = ConnectOptions::parse(options)?;
        let reconnect = self.clone();
        let (credential, url) = self.credential().await?;
        refuse_standard_key(self.provider, &credential, self.allow_api_key)?;
        let mut codec = self.provider.codec();
        codec.set_model(&self.model);
        let request = codec.connect_request(&ConnectConfig { model: self.model.clone(), endpoint: url.or(self.endpoint.clone()), credential });
        // Audio starts only when the session needs it: a text-only (or transcription) session
        // creates no AudioContext and loads no worklet until the app starts a microphone.
        let playback = parsed.audio.playback && speaks(&parsed.options);
        let config = SessionConfig {
            options: parsed.options,
            invocation: parsed.invocation,
            tool_handlers: parsed.handlers.keys().cloned().collect(),
            connect_timeout_ms: parsed.connect_timeout_ms,
            playback,
            reconnect: parsed.reconnect,
            // 53 random bits for the reconnect jitter.
            jitter_seed: (js_sys::Math::random() * (1u64 << 53) as f64) as u64,
            max_frame_bytes: parsed.max_frame_bytes,
            barge_in: Some(parsed.barge_in),
        };
        let mut session = Session::new(codec, config, super::session::now()).map_err(|e| match e.kind {
            crate::provider::EncodeErrorKind::Type => type_error(&e.to_string()),
            crate::provider::EncodeErrorKind::Range => range_error(&e.to_string()),
            crate::provider::EncodeErrorKind::Unsupported => error(ErrorCode::Unsupported, &e.to_string()),
        })?;
        for interceptor in parsed.middleware {
            session.add_middleware(Box::new(interceptor));
        }
        if parsed.log_level > LogLevel::Off {
            session.add_middleware(Box::new(LoggingMiddleware::new(parsed.log_level, |level, line| {
                let line = JsValue::from_str(line);
                match level {
                    LogLevel::Error => web_sys::console::error_1(&line),
                    LogLevel::Warn => web_sys::console::warn_1(&line),
                    _ => web_sys::console::debug_1(&line),
                }
            })));
        }
        // The audio engine first: the socket's events must find their handlers attached, so
        // nothing may be awaited between opening it and starting the shell.

        let engine = if playback {
            let mut engine = AudioEngine::new(parsed.audio, session.input_audio(), session.output_audio())?;
            if parsed.barge_in.local {
                engine.detect_voice(parsed.barge_in.sensitivity);
            }
            wasm_bindgen_futures::JsFuture::from(engine.module_loaded()).await?;
            Some(engine)
        } else {
            None
        };
        let protocols = js_sys::Array::new();
        for protocol in &request.protocols {
            protocols.push(&protocol.into());
        }
        let socket = web_sys::WebSocket::new_with_str_sequence(&request.url, &protocols)
            .map_err(|_| error(ErrorCode::ConnectionFailed, "could not open the WebSocket (bad endpoint URL?)"))?;
        let (tx, rx) = futures::channel::oneshot::channel();
        let shell: Rc<Shell> = Shell::start(session, socket, parsed.handlers, self.provider.name(), engine, reconnect, parsed.raw_frames, Box::new(move |result| {
            let _ = tx.send(result);
        }));
        if playback {
            let callback = shell.worklet_callback();
            if let Some(engine) = shell.audio.borrow_mut().as_mut() {
                engine.start_playback(&callback)?;
            }
        }
        match rx.await {
            Ok(Ok(())) => Ok(RealtimeSession::new(shell)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(error(ErrorCode::ConnectionFailed, "the session ended before it opened")),
        }
    }

    /// The connect config with a fresh credential.
    pub(crate) async fn connect_config(&self) -> Result<ConnectConfig, JsValue> {
        let (credential, url) = self.credential().await?;
        Ok(ConnectConfig { model: self.model.clone(), endpoint: url.or_else(|| self.endpoint.clone()), credential })
    }

    /// The credential (and possibly an endpoint URL) from the string or the token provider.
    async fn credential(&self) -> Result<(String, Option<String>), JsValue> {
        match &self.credential {
            Credential::Fixed(token) => Ok((token.clone(), None)),
            Credential::Provider(function) => {
                let returned = function.call0(&JsValue::UNDEFINED)?;
                let value = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::resolve(&returned)).await?;
                if let Some(token) = value.as_string() {
                    return Ok((token, None));
                }
                let token = optional_string(&value, "token", "token()")?
                    .ok_or_else(|| type_error("token() must resolve to a string or { token, url? }"))?;
                let url = optional_string(&value, "url", "token()")?;
                Ok((token, url))
            }
        }
    }
}

/// Whether the model may answer in audio (what playback is for).
fn speaks(options: &SessionOptions) -> bool {
    options.kind != SessionKind::Transcription && options.output_modalities.as_ref().is_none_or(|m| m.contains(&Modality::Audio))
}

/// Standard OpenAI keys (`sk-`) and Gemini API keys (`AIza…`) expose the account to every user of
/// the page: refused unless the app opts in (use ephemeral tokens minted by a server).
fn refuse_standard_key(provider: Provider, credential: &str, allowed: bool) -> Result<(), JsValue> {
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

/// `connect()` options: the neutral session options plus what only JS can give.
struct ConnectOptions {
    options: SessionOptions,
    invocation: InvocationOptions,
    handlers: HashMap<String, js_sys::Function>,
    middleware: Vec<JsInterceptor>,
    log_level: LogLevel,
    connect_timeout_ms: f64,
    audio: AudioOptions,
    /// Resume on a new connection after `goAway` or a drop (providers that can: Gemini), within
    /// these limits; `None`: never.
    reconnect: Option<ReconnectConfig>,
    max_frame_bytes: Option<usize>,
    /// Each server message object carries the frame it was decoded from (`rawFrame`).
    raw_frames: bool,
    /// On-device barge-in (on by default where audio plays).
    barge_in: BargeInOptions,
}

impl ConnectOptions {
    fn parse(value: JsValue) -> Result<ConnectOptions, JsValue> {
        let value = if value.is_undefined() || value.is_null() { js_sys::Object::new().into() } else { value };
        if !value.is_object() {
            return Err(type_error("connect options must be an object"));
        }
        // A shallow copy without the JS-only fields becomes the neutral options.
        let neutral = js_sys::Object::assign(&js_sys::Object::new(), value.unchecked_ref());
        for key in ["tools", "functionInvocation", "middleware", "logLevel", "connectTimeoutMs", "audio", "reconnect", "resume", "maxFrameBytes", "rawFrames", "bargeIn"] {
            let _ = js_sys::Reflect::delete_property(&neutral, &key.into());
        }
        let mut options: SessionOptions = from_js_noting_unknown(neutral.into(), "options")?;

        let mut handlers = HashMap::new();
        let tools = get(&value, "tools");
        if !tools.is_undefined() && !tools.is_null() {
            let list = tools.dyn_ref::<js_sys::Array>().ok_or_else(|| type_error("options.tools must be an array"))?;
            let mut declared = Vec::new();
            for (i, tool) in list.iter().enumerate() {
                let (declaration, handler) = function_tool(&tool, &format!("options.tools[{i}]"))?;
                if let Some(handler) = handler {
                    handlers.insert(declaration.name().to_owned(), handler);
                }
                declared.push(declaration);
            }
            options.tools = Some(declared);
        }

        let fi = get(&value, "functionInvocation");
        let owner = "options.functionInvocation";
        let knobs = ["includeDetailedErrors", "allowConcurrentInvocation", "maxIterationsPerTurn", "maxConsecutiveErrors", "terminateOnUnknownCalls", "answerCallsWithoutHandler"];
        super::convert::warn_unknown_keys(&fi, &knobs, owner);
        let defaults = InvocationOptions::default();
        let invocation = InvocationOptions {
            include_detailed_errors: optional_bool(&fi, "includeDetailedErrors", owner)?.unwrap_or(defaults.include_detailed_errors),
            allow_concurrent_invocation: optional_bool(&fi, "allowConcurrentInvocation", owner)?.unwrap_or(defaults.allow_concurrent_invocation),
            max_iterations_per_turn: match optional_count(&fi, "maxIterationsPerTurn", owner, 10_000.0)? {
                Some(0) => return Err(range_error("options.functionInvocation.maxIterationsPerTurn must be at least 1")),
                Some(n) => n,
                None => defaults.max_iterations_per_turn,
            },
            max_consecutive_errors: optional_count(&fi, "maxConsecutiveErrors", owner, 10_000.0)?.unwrap_or(defaults.max_consecutive_errors),
            terminate_on_unknown_calls: optional_bool(&fi, "terminateOnUnknownCalls", owner)?.unwrap_or(defaults.terminate_on_unknown_calls),
            answer_calls_without_handler: optional_bool(&fi, "answerCallsWithoutHandler", owner)?.unwrap_or(defaults.answer_calls_without_handler),
        };

        let mut middleware = Vec::new();
        let list = get(&value, "middleware");
        if !list.is_undefined() && !list.is_null() {
            let list = list.dyn_ref::<js_sys::Array>().ok_or_else(|| type_error("options.middleware must be an array"))?;
            for (i, interceptor) in list.iter().enumerate() {
                middleware.push(JsInterceptor::parse(&interceptor, &format!("options.middleware[{i}]"))?);
            }
        }

        let log_level = match optional_string(&value, "logLevel", "options")? {
            None => LogLevel::Off,
            Some(name) => LogLevel::parse(&name)
                .ok_or_else(|| range_error(&format!("options.logLevel: {} is not one of off, error, warn, info, debug, trace", crate::json::to_string(&name))))?,
        };
        let connect_timeout_ms = optional_count(&value, "connectTimeoutMs", "options", 600_000.0)?
            .map_or(DEFAULT_CONNECT_TIMEOUT_MS, f64::from);
        let audio = AudioOptions::parse(&get(&value, "audio"))?;
        let reconnect = reconnect_limits(&value)?;
        let max_frame_bytes = match optional_count(&value, "maxFrameBytes", "options", (1u32 << 30) as f64)? {
            Some(n) if n < 1024 => return Err(range_error("options.maxFrameBytes must be at least 1024")),
            n => n.map(|n| n as usize),
        };
        let raw_frames = optional_bool(&value, "rawFrames", "options")?.unwrap_or(false);
        let barge_in = match get(&value, "bargeIn") {
            v if v.is_undefined() || v.is_null() => BargeInOptions::default(),
            v => super::convert::from_js::<BargeInOptions>(v, "options.bargeIn")?,
        };
        if let Some(message) = barge_in.out_of_range("options.bargeIn") {
            return Err(range_error(&message));
        }
        Ok(ConnectOptions { options, invocation, handlers, middleware, log_level, connect_timeout_ms, audio, reconnect, max_frame_bytes, raw_frames, barge_in })
    }
}

/// `reconnect: false | true | { maxAttempts?, maxDelayMs? }` (default: on, with the policy's
/// defaults); the older `resume: boolean` still works in its place.
fn reconnect_limits(options: &JsValue) -> Result<Option<ReconnectConfig>, JsValue> {
    let value = get(options, "reconnect");
    let resume = optional_bool(options, "resume", "options")?;
    if resume.is_some() && !value.is_undefined() {
        return Err(type_error("options.resume is the old name of options.reconnect: give only reconnect"));
    }
    let defaults = ReconnectConfig::default();
    if value.is_undefined() || value.is_null() {
        return Ok(resume.unwrap_or(true).then_some(defaults));
    }
    if let Some(on) = value.as_bool() {
        return Ok(on.then_some(defaults));
    }
    if !value.is_object() || value.is_function() {
        return Err(type_error("options.reconnect must be false or an object { maxAttempts?, maxDelayMs? }"));
    }
    let owner = "options.reconnect";
    super::convert::warn_unknown_keys(&value, &["maxAttempts", "maxDelayMs"], owner);
    let max_attempts = match optional_count(&value, "maxAttempts", owner, 100.0)? {
        Some(0) => return Err(range_error("options.reconnect.maxAttempts must be at least 1 (reconnect: false turns reconnecting off)")),
        n => n.unwrap_or(defaults.max_attempts),
    };
    let max_delay_ms = optional_count(&value, "maxDelayMs", owner, 600_000.0)?.map_or(defaults.max_delay_ms, f64::from);
    Ok(Some(ReconnectConfig { max_attempts, max_delay_ms, ..defaults }))
}

/// `defineTool(tool)`: checks a function tool as `connect({ tools })` and `registerTool` do (a
/// `TypeError`/`RangeError` naming the field) and returns the same object. In TypeScript it is
/// generic: `defineTool<Args>` gives the handler its argument type.
#[wasm_bindgen(js_name = defineTool)]
pub fn define_tool(tool: JsValue) -> Result<JsValue, JsValue> {
    function_tool(&tool, "tool")?;
    Ok(tool)
}

/// A tool as JS gives it: the declaration (`type` defaults to `"function"`) and an optional handler.
pub(crate) fn function_tool(tool: &JsValue, field: &str) -> Result<(Tool, Option<js_sys::Function>), JsValue> {
    if !tool.is_object() {
        return Err(type_error(&format!("{field} must be an object")));
    }
    let handler = get(tool, "handler");
    let handler = if handler.is_undefined() || handler.is_null() {
        None
    } else {
        Some(handler.dyn_into::<js_sys::Function>().map_err(|_| type_error(&format!("{field}.handler must be a function")))?)
    };
    let declaration = js_sys::Object::assign(&js_sys::Object::new(), tool.unchecked_ref());
    let _ = js_sys::Reflect::delete_property(&declaration, &"handler".into());
    if get(&declaration, "type").is_undefined() {
        let _ = js_sys::Reflect::set(&declaration, &"type".into(), &"function".into());
    }
    let declaration: Tool = from_js_noting_unknown(declaration.into(), field)?;
    if declaration.name().is_empty() {
        return Err(range_error(&format!("{field}.name must not be empty")));
    }
    if handler.is_some() && !matches!(declaration, Tool::Function { .. }) {
        return Err(type_error(&format!("{field}: only function tools take a handler")));
    }
    Ok((declaration, handler))
}
