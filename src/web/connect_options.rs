//! The options of `connect()`: the neutral session options plus what only JS can give (tool
//! handlers, middleware, audio, logging, limits), checked field by field — a bad value is a
//! `TypeError`/`RangeError` naming its path (`options.functionInvocation.maxIterationsPerTurn`).
//! The JS-only fields are checked by `platform.js` (`connectOptions`), the neutral ones and the
//! tools here (by the model's readers).
//!
//! Must never: act on the options (the client and the driver do).

use crate::prelude::*;
use crate::text::text;
use super::audio::{AudioOptions, DEFAULT_CHUNK_MS, DEFAULT_PREBUFFER_MS};
use super::convert::{as_string, from_js, from_js_noting_unknown, function_tool, present, range_error, warn_unknown_keys};
use super::middleware::JsMiddleware;
use crate::model::{BargeInOptions, Modality, SessionKind, SessionOptions};
use crate::session::{InvocationOptions, LogLevel, ReconnectConfig, VecMap};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

const DEFAULT_CONNECT_TIMEOUT_MS: f64 = 15_000.0;

// The fields only JS gives are checked in `platform.js` (`connectOptions`: see there for the
// array it returns): a check per field there is one throw, here it was an early return that
// dropped everything read so far.
#[wasm_bindgen(module = "/src/web/platform.js")]
extern "C" {
    #[wasm_bindgen(catch, js_name = connectOptions)]
    fn check_connect_options(options: &JsValue) -> Result<js_sys::Array, JsValue>;
}

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
    /// 53 random bits for the reconnect jitter.
    pub(super) jitter_seed: u64,
}

/// Where `connectOptions` (`platform.js`) puts each field in the array it returns: the same order
/// as its comment and its tables (a field it moves must move here; every field has a browser
/// test).
mod at {
    pub const INCLUDE_DETAILED_ERRORS: u32 = 0;
    pub const ALLOW_CONCURRENT_INVOCATION: u32 = 1;
    pub const MAX_ITERATIONS_PER_TURN: u32 = 2;
    pub const MAX_CONSECUTIVE_ERRORS: u32 = 3;
    pub const TERMINATE_ON_UNKNOWN_CALLS: u32 = 4;
    pub const ANSWER_CALLS_WITHOUT_HANDLER: u32 = 5;
    pub const PLAYBACK: u32 = 6;
    pub const CONTEXT: u32 = 7;
    pub const WORKLET_URL: u32 = 8;
    pub const CHUNK_MS: u32 = 9;
    pub const PREBUFFER_MS: u32 = 10;
    pub const OUTPUT_ELEMENT: u32 = 11;
    pub const OUTPUT_NODE: u32 = 12;
    pub const TOOLS: u32 = 13;
    pub const MIDDLEWARE: u32 = 14;
    pub const LOG_LEVEL: u32 = 15;
    pub const CONNECT_TIMEOUT_MS: u32 = 16;
    pub const MAX_FRAME_BYTES: u32 = 17;
    pub const RAW_FRAMES: u32 = 18;
    pub const BARGE_IN: u32 = 19;
    pub const UNKNOWN_KEYS: u32 = 20;
    pub const NEUTRAL: u32 = 21;
    pub const RECONNECT: u32 = 22;
    pub const MAX_ATTEMPTS: u32 = 23;
    pub const MAX_DELAY_MS: u32 = 24;
    pub const JITTER_SEED: u32 = 25;
}

impl ConnectOptions {
    pub(super) fn parse(value: JsValue) -> Result<ConnectOptions, JsValue> {
        // In `connectOptions`' order (see there).
        let read = check_connect_options(&value)?;
        warn_unknown_keys(&read.get(at::UNKNOWN_KEYS));
        let number = |i| read.get(i).as_f64();
        let flag = |i, default| read.get(i).as_bool().unwrap_or(default);
        let count = |i, default| number(i).map_or(default, |n| n as u32);

        let mut options: SessionOptions = from_js_noting_unknown(read.get(at::NEUTRAL), "options")?;

        let mut handlers = VecMap::new();
        if let Some(list) = present::<js_sys::Array>(read.get(at::TOOLS)) {
            let mut declared = Vec::new();
            // Indexed, not `iter().enumerate()` (an iterator's code for two loops).
            for i in 0..list.length() {
                let (declaration, handler) = function_tool(&list.get(i), &text!("options.tools[", i, "]"))?;
                if let Some(handler) = handler {
                    handlers.insert(declaration.name().to_owned(), handler);
                }
                declared.push(declaration);
            }
            options.tools = Some(declared);
        }

        let defaults = InvocationOptions::default();
        let invocation = InvocationOptions {
            include_detailed_errors: flag(at::INCLUDE_DETAILED_ERRORS, defaults.include_detailed_errors),
            allow_concurrent_invocation: flag(at::ALLOW_CONCURRENT_INVOCATION, defaults.allow_concurrent_invocation),
            max_iterations_per_turn: count(at::MAX_ITERATIONS_PER_TURN, defaults.max_iterations_per_turn),
            max_consecutive_errors: count(at::MAX_CONSECUTIVE_ERRORS, defaults.max_consecutive_errors),
            terminate_on_unknown_calls: flag(at::TERMINATE_ON_UNKNOWN_CALLS, defaults.terminate_on_unknown_calls),
            answer_calls_without_handler: flag(at::ANSWER_CALLS_WITHOUT_HANDLER, defaults.answer_calls_without_handler),
        };
        let audio = AudioOptions {
            playback: flag(at::PLAYBACK, true),
            context: present(read.get(at::CONTEXT)),
            worklet_url: as_string(&read.get(at::WORKLET_URL)),
            chunk_ms: count(at::CHUNK_MS, DEFAULT_CHUNK_MS),
            prebuffer_ms: count(at::PREBUFFER_MS, DEFAULT_PREBUFFER_MS),
            output_element: present(read.get(at::OUTPUT_ELEMENT)),
            output_node: present(read.get(at::OUTPUT_NODE)),
        };

        let layers: js_sys::Array = read.get(at::MIDDLEWARE).unchecked_into();
        let mut middleware = Vec::new();
        for i in 0..layers.length() {
            middleware.push(JsMiddleware::new(layers.get(i).unchecked_ref()));
        }
        // `platform.js` let only a known name through.
        let log_level = as_string(&read.get(at::LOG_LEVEL)).and_then(|name| LogLevel::parse(&name)).unwrap_or(LogLevel::Off);
        let barge_in = match read.get(at::BARGE_IN) {
            v if v.is_undefined() => BargeInOptions::default(),
            v => from_js::<BargeInOptions>(v, "options.bargeIn")?,
        };
        if let Some(message) = barge_in.out_of_range("options.bargeIn") {
            return Err(range_error(&message));
        }
        let reconnect = flag(at::RECONNECT, true).then(|| {
            let defaults = ReconnectConfig::default();
            ReconnectConfig { max_attempts: count(at::MAX_ATTEMPTS, defaults.max_attempts), max_delay_ms: number(at::MAX_DELAY_MS).unwrap_or(defaults.max_delay_ms), ..defaults }
        });
        Ok(ConnectOptions {
            options,
            invocation,
            handlers,
            middleware,
            log_level,
            connect_timeout_ms: number(at::CONNECT_TIMEOUT_MS).unwrap_or(DEFAULT_CONNECT_TIMEOUT_MS),
            audio,
            reconnect,
            max_frame_bytes: number(at::MAX_FRAME_BYTES).map(|n| n as usize),
            raw_frames: flag(at::RAW_FRAMES, false),
            barge_in,
            jitter_seed: number(at::JITTER_SEED).unwrap_or(0.0) as u64,
        })
    }
}

/// Whether the model may answer in audio (what playback is for).
pub(super) fn speaks(options: &SessionOptions) -> bool {
    options.kind != SessionKind::Transcription && options.output_modalities.as_ref().is_none_or(|m| m.contains(&Modality::Audio))
}

