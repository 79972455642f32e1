//! Interceptors between the session and the wire (the browser's version of the seed's `Use()`).
//!
//! In list order, the first is outermost: outgoing messages pass first → last, incoming ones
//! last → first. They sit below function invocation and the response tracker, so they see exactly
//! what is sent (tool results included) and received, and what they pass on is what the session
//! acts on.
//! Returning `None` drops the message.

use crate::prelude::*;
use crate::text::text;
use crate::model::{ClientMessage, ServerMessage};
use crate::json::Json;
use alloc::borrow::Cow;

pub trait Middleware {
    fn name(&self) -> &str;
    fn on_send(&mut self, message: ClientMessage) -> Option<ClientMessage> {
        Some(message)
    }
    fn on_receive(&mut self, message: ServerMessage) -> Option<ServerMessage> {
        Some(message)
    }
}

/// Log verbosity of the built-in logging middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn parse(name: &str) -> Option<LogLevel> {
        use LogLevel::*;
        // The names as one list (`word_index`), not a string `match`: a comparison per name in code.
        [Off, Error, Warn, Info, Debug, Trace].get(crate::text::word_index("off error warn info debug trace ", name)?).copied()
    }
}

/// Logs every message passing through: its type and ids at `Debug`, its whole JSON at `Trace` with
/// audio replaced by its byte count. Credentials never travel in messages, so none can be logged.
pub struct LoggingMiddleware {
    level: LogLevel,
    sink: Box<dyn FnMut(LogLevel, &str)>,
}

impl LoggingMiddleware {
    pub fn new(level: LogLevel, sink: impl FnMut(LogLevel, &str) + 'static) -> Self {
        Self { level, sink: Box::new(sink) }
    }

    /// `body` is the message's JSON text (the SDK's JSON writer; read back to redact audio).
    fn log(&mut self, direction: &str, kind: &str, id: Option<&str>, body: impl FnOnce() -> String) {
        // Server errors are worth a line at any level but `off`.
        let level = if kind == "error" { LogLevel::Error } else { LogLevel::Debug };
        if self.level < level {
            return;
        }
        // Pushed, not `format!`ted: no formatting call (nor its argument tables) for a line of
        // known pieces.
        let mut line = String::from("realtime ");
        line.push_str(direction);
        line.push(' ');
        line.push_str(kind);
        if let Some(id) = id {
            line.push_str(" (");
            line.push_str(id);
            line.push(')');
        }
        if self.level >= LogLevel::Trace || kind == "error" {
            let text = body();
            let mut body = crate::json::parse(&text).unwrap_or(Json::Null);
            redact_audio(&mut body);
            line.push(' ');
            line.push_str(&crate::json::to_string(&body));
        }
        (self.sink)(level, &line);
    }
}

impl Middleware for LoggingMiddleware {
    fn name(&self) -> &str {
        "logging"
    }

    fn on_send(&mut self, message: ClientMessage) -> Option<ClientMessage> {
        self.log("→", message.kind(), message.message_id(), || crate::json::to_string(&message));
        Some(message)
    }

    fn on_receive(&mut self, message: ServerMessage) -> Option<ServerMessage> {
        self.log("←", message.kind(), message.message_id(), || crate::json::to_string(&message));
        Some(message)
    }
}

/// Replaces every `audio` string (base64) and raw `delta`/`audio` payload with its decoded size.
pub fn redact_audio(value: &mut Json) {
    match value {
        Json::Object(map) => {
            for (key, child) in map.iter_mut() {
                match (key.as_ref(), &*child) {
                    ("audio", Json::String(b64)) => {
                        // The trailing `=`s by a slice pattern (no reversed iterator's code).
                        let mut unpadded = b64.as_bytes();
                        while let [rest @ .., b'='] = unpadded {
                            unpadded = rest;
                        }
                        let bytes = (b64.len() * 3 / 4).saturating_sub(b64.len() - unpadded.len());
                        *child = Json::String(Cow::Owned(text!("<", bytes, " bytes>")));
                    }
                    _ => redact_audio(child),
                }
            }
        }
        Json::Array(items) => items.iter_mut().for_each(redact_audio),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_levels_by_name() {
        use LogLevel::*;
        let names = ["off", "error", "warn", "info", "debug", "trace", "", "verbose", "Info", "off error", "info "];
        assert_eq!(names.map(LogLevel::parse), [Some(Off), Some(Error), Some(Warn), Some(Info), Some(Debug), Some(Trace), None, None, None, None, None]);
    }
}
