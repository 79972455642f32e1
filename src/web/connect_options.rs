//! The options of `connect()`: the neutral session options plus what only JS can give (tool
//! handlers, middleware, audio, logging, limits), checked field by field — a bad value is a
//! `TypeError`/`RangeError` naming its path (`options.functionInvocation.maxIterationsPerTurn`).
//!
//! Must never: act on the options (the client and the driver do).

use super::audio::AudioOptions;
use super::convert::{copy_without, from_js, from_js_noting_unknown, function_tool, get, optional_bool, optional_count, optional_string, range_error, type_error, warn_unknown_keys};
use super::middleware::JsMiddleware;
use crate::model::{BargeInOptions, Modality, SessionKind, SessionOptions};
use crate::session::{InvocationOptions, LogLevel, ReconnectConfig, VecMap};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const DEFAULT_CONNECT_TIMEOUT_MS: f64 = 15_000.0;

/// `connect()` options: the neutral session options plus what only JS can give.
pub(super) struct ConnectOptions {
    pub(super) options: SessionOptions,
    pub(super) invocation: InvocationOptions,
    pub(super) handlers: VecMap<String, js_sys::Function>,
    pub(super) middleware: Vec<JsMiddleware>,
    pub(super) log_level: LogLevel,
    pub(super) connect_timeout_ms: f64,
    pub(super) audio: AudioOptions,
    /// Resume on a new connection after `goAway` or a drop (providers that can: Gemini), within
    /// these limits; `None`: never.
    pub(super) reconnect: Option<ReconnectConfig>,
    pub(super) max_frame_bytes: Option<usize>,
    /// Each server message object carries the frame it was decoded from (`rawFrame`).
    pub(super) raw_frames: bool,
    /// On-device barge-in (on by default where audio plays).
    pub(super) barge_in: BargeInOptions,
}

impl ConnectOptions {
    pub(super) fn parse(value: JsValue) -> Result<ConnectOptions, JsValue> {
        // `undefined`/`null`: every default (`get` reads `undefined` from them).
        if !(value.is_undefined() || value.is_null() || value.is_object()) {
            return Err(type_error("connect options must be an object"));
        }
        // A shallow copy without the JS-only fields becomes the neutral options.
        let neutral = copy_without(&value, "tools,functionInvocation,middleware,logLevel,connectTimeoutMs,audio,reconnect,resume,maxFrameBytes,rawFrames,bargeIn", "options")?;
        let mut options: SessionOptions = from_js_noting_unknown(neutral, "options")?;

        let mut handlers = VecMap::new();
        let tools = get(&value, "tools");
        if !tools.is_undefined() && !tools.is_null() {
            let list = tools.dyn_ref::<js_sys::Array>().ok_or_else(|| type_error("options.tools must be an array"))?;
            let mut declared = Vec::new();
            // Indexed, not `iter().enumerate()` (an iterator's code for two loops).
            for i in 0..list.length() {
                let (declaration, handler) = function_tool(&list.get(i), &format!("options.tools[{i}]"))?;
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
        warn_unknown_keys(&fi, &knobs, owner);
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
            for i in 0..list.length() {
                middleware.push(JsMiddleware::parse(&list.get(i), &format!("options.middleware[{i}]"))?);
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
            v => from_js::<BargeInOptions>(v, "options.bargeIn")?,
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
    warn_unknown_keys(&value, &["maxAttempts", "maxDelayMs"], owner);
    let max_attempts = match optional_count(&value, "maxAttempts", owner, 100.0)? {
        Some(0) => return Err(range_error("options.reconnect.maxAttempts must be at least 1 (reconnect: false turns reconnecting off)")),
        n => n.unwrap_or(defaults.max_attempts),
    };
    let max_delay_ms = optional_count(&value, "maxDelayMs", owner, 600_000.0)?.map_or(defaults.max_delay_ms, f64::from);
    Ok(Some(ReconnectConfig { max_attempts, max_delay_ms, ..defaults }))
}

/// Whether the model may answer in audio (what playback is for).
pub(super) fn speaks(options: &SessionOptions) -> bool {
    options.kind != SessionKind::Transcription && options.output_modalities.as_ref().is_none_or(|m| m.contains(&Modality::Audio))
}

