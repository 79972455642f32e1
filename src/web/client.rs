//! `RealtimeClient` (the seed's `IRealtimeClient`): validates the app's options and, on
//! `connect()`, builds the session (options, middleware, audio engine), opens the WebSocket through
//! the [`Connector`] and hands back a `RealtimeSession` once the session is open.

use crate::prelude::*;
use crate::text::text;
use super::CellBorrow;
use super::audio::AudioEngine;
use super::connect_options::{speaks, ConnectOptions};
use super::connector::{refuse_standard_key, Connector};
use super::convert::{as_string, console_debug, console_error, console_warn, error, range_error, type_error, warn_unknown_keys};
use super::driver::{new_settle, now, rejected, when_settled, Driver};
use super::session::{all_done, RealtimeSession};
use crate::provider::Provider;
use crate::session::{ErrorCode, LogLevel, LoggingMiddleware, Session, SessionConfig};
use alloc::rc::Rc;
use wasm_bindgen::prelude::*;

// The options are checked in `platform.js` (`clientOptions`: see there for the array it returns).
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = clientOptions)]
    fn check_client_options(options: &JsValue) -> Result<js_sys::Array, JsValue>;
}

#[wasm_bindgen]
pub struct RealtimeClient {
    connector: Connector,
}

fn default_model(provider: Provider) -> &'static str {
    match provider {
        Provider::OpenAi => "gpt-realtime",
        Provider::Gemini => crate::provider::gemini::DEFAULT_MODEL,
    }
}

#[wasm_bindgen]
impl RealtimeClient {
    /// Throws a `TypeError`/`RangeError` naming the bad field (checked in `platform.js`).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<RealtimeClient, JsValue> {
        let read = check_client_options(&options)?;
        warn_unknown_keys(&read.get(5));
        // `platform.js` let only a known provider through.
        let provider = as_string(&read.get(0)).and_then(|name| Provider::parse(&name)).unwrap_or(Provider::OpenAi);
        let model = as_string(&read.get(1)).unwrap_or_else(|| default_model(provider).to_owned());
        let token = read.get(3);
        let allow_api_key = read.get(4).as_bool() == Some(true);
        // A fixed key is refused here, as the d.ts says; one from a token provider at connect.
        if let Some(fixed) = as_string(&token) {
            refuse_standard_key(provider, &fixed, allow_api_key)?;
        }
        Ok(RealtimeClient { connector: Connector { provider, model, endpoint: as_string(&read.get(2)), token, allow_api_key } })
    }

    #[wasm_bindgen(getter)]
    pub fn provider(&self) -> JsValue {
        JsValue::from_str(self.connector.provider.name())
    }

    /// Opens a session; resolves once it is open (the server confirmed it).
    pub fn connect(&self, options: JsValue) -> js_sys::Promise {
        // The options are checked at once: a bad one rejects before the token provider is asked.
        let parsed = match ConnectOptions::parse(options) {
            Ok(parsed) => parsed,
            Err(e) => return rejected(e),
        };
        let (promise, settle) = new_settle();
        let connector = self.connector.clone();
        self.connector.connect_config(move |config| match config.and_then(|config| start(connector, parsed, &config)) {
            Ok((driver, ready)) => when_settled(&ready, move |ready| settle.settle(ready.map(|_| RealtimeSession::new(driver).into()))),
            Err(e) => settle.reject(&e),
        });
        promise
    }
}

/// Builds the session and its audio engine, opens the socket and starts the driver: what
/// `connect()` does once it has the credential. Returns the driver and what settles when the
/// session is ready: open (the server confirmed it) and, when audio plays, its playback node made
/// (once the worklet module loaded); rejected when the session ends first or the playback cannot
/// start.
fn start(connector: Connector, parsed: ConnectOptions, config: &crate::provider::ConnectConfig) -> Result<(Rc<Driver>, js_sys::Promise), JsValue> {
    let mut codec = connector.provider.codec();
    codec.set_model(&connector.model);
    let request = codec.connect_request(config);
    // Audio starts only when the session needs it: a text-only (or transcription) session
    // creates no AudioContext and loads no worklet until the app starts a microphone.
    let playback = parsed.audio.playback && speaks(&parsed.options);
    // A loop, not `keys().cloned().collect()` (the adapters' code, for one call).
    let mut tool_handlers = Vec::new();
    for name in parsed.handlers.keys() {
        tool_handlers.push(name.clone());
    }
    let config = SessionConfig {
        options: parsed.options,
        invocation: parsed.invocation,
        tool_handlers,
        connect_timeout_ms: parsed.connect_timeout_ms,
        playback,
        reconnect: parsed.reconnect,
        jitter_seed: parsed.jitter_seed,
        max_frame_bytes: parsed.max_frame_bytes,
        barge_in: Some(parsed.barge_in),
    };
    let mut session = Session::new(codec, config, now()).map_err(|e| {
        let text = text!(e);
        match e.kind {
            crate::provider::EncodeErrorKind::Type => type_error(&text),
            crate::provider::EncodeErrorKind::Range => range_error(&text),
            crate::provider::EncodeErrorKind::Unsupported => error(ErrorCode::Unsupported, &text),
        }
    })?;
    for middleware in parsed.middleware {
        session.add_middleware(Box::new(middleware));
    }
    if parsed.log_level > LogLevel::Off {
        session.add_middleware(Box::new(LoggingMiddleware::new(parsed.log_level, |level, line| match level {
            LogLevel::Error => console_error(line),
            LogLevel::Warn => console_warn(line),
            _ => console_debug(line),
        })));
    }
    // The audio engine first (its context and worklet module start loading), then the socket, at
    // once: the socket's events must find their handlers attached, so nothing may be awaited
    // between opening it and starting the driver. The worklet module loads while the socket
    // handshakes (cold start with playback: README, performance); audio that would come before
    // the playback node exists is held by the engine.
    let (engine, capture_options) = if playback {
        let mut engine = AudioEngine::new(parsed.audio, session.input_audio(), session.output_audio())?;
        if parsed.barge_in.local {
            engine.detect_voice(parsed.barge_in.sensitivity);
        }
        (Some(engine), None)
    } else {
        (None, Some(parsed.audio.for_capture()))
    };
    let module = engine.as_ref().map(AudioEngine::module_loaded);
    let socket = Connector::open_socket(&request)
        .map_err(|_| error(ErrorCode::ConnectionFailed, "could not open the WebSocket (bad endpoint URL?)"))?;
    // Settled by the driver when the session opens, or ends first (never dropped unsettled).
    let (opened, on_open) = new_settle();
    let provider = connector.provider.name();
    let driver = Driver::start(session, socket, parsed.handlers, provider, engine, connector, parsed.raw_frames, on_open);
    *driver.capture_options.mutable() = capture_options;
    let Some(module) = module else { return Ok((driver, opened)) };
    let (started, on_started) = new_settle();
    let playing = driver.clone();
    when_settled(&module, move |loaded| {
        let result = loaded.and_then(|_| playing.start_playback());
        let failed = result.is_err();
        // `started` first: `connect()` rejects with why the playback could not start, not with
        // the error the shut-down gives `opened`.
        on_started.settle(result.map(|()| JsValue::UNDEFINED));
        if failed {
            // No playback, no session: the socket and the context go with it.
            playing.shut_down();
        }
    });
    // `Promise.all` (in `allDone`) handles `opened` from here on: a rejection while the worklet
    // loads is not an unhandled one.
    Ok((driver, all_done(&started, &opened)))
}
