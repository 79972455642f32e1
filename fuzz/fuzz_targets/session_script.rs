//! A session driven by a script, the way the browser driver would drive it: frames, app sends, tool
//! results, playback reports, timers, socket closes, close. Invariants: no panic, `poll_output`
//! drains, every transmitted frame is JSON, a closed session stays closed.
//!
//! The input is text, one operation per line (so seeds are readable and built from recordings):
//! the first line picks the provider and the config (`gemini playback reconnect tools=a,b
//! {options}`), then `o` socket opened, `t <json>` / `b <json>` text / binary frame, `s <json>` app
//! message, `r <n> ok|err <text>` the n-th pending tool call finished, `p <n> <ms>` /
//! `x <n> <ms> <latency>` playback progress / stopped for the n-th played item, `c <0|1>` connect /
//! reconnect timer fired, `k <code> <clean>` socket closed, `n <0|1>` network, `i` interrupt,
//! `g <tool json>` / `G <name>` (un)register a tool, `a <ms>` time passes, `q` close.
#![no_main]
use libfuzzer_sys::fuzz_target;
use realtime_wasm::model::json::FromJson;
use realtime_wasm::model::{ClientMessage, SessionOptions, Tool};
use realtime_wasm::provider::{Codec, GeminiCodec, OpenAiCodec};
use realtime_wasm::session::{ConnectionState, Frame, Output, ReconnectConfig, Session, SessionConfig, Timer};
use realtime_wasm_fuzz::check_wire;

/// Longer scripts add little coverage and slow every execution.
const MAX_OPERATIONS: usize = 400;
/// One input cannot legitimately queue more outputs than this (a sign of a loop).
const MAX_OUTPUTS_PER_STEP: usize = 100_000;

/// What the driver remembers from the outputs, to aim later operations at real ids and timers.
#[derive(Default)]
struct Driver {
    played_items: Vec<String>,
    timers: Vec<(Timer, f64)>,
}

impl Driver {
    fn drain(&mut self, session: &mut Session) {
        let mut count = 0;
        while let Some(output) = session.poll_output() {
            count += 1;
            assert!(count <= MAX_OUTPUTS_PER_STEP, "poll_output does not drain");
            match output {
                Output::Transmit(frame) => check_wire(&[frame]),
                Output::PlayAudio { item_id, .. } if !self.played_items.contains(&item_id) => self.played_items.push(item_id),
                Output::ArmTimer { timer, at_ms } => {
                    assert!(at_ms.is_finite(), "timer armed at {at_ms}");
                    self.timers.retain(|(t, _)| *t != timer);
                    self.timers.push((timer, at_ms));
                }
                _ => {}
            }
        }
    }

    fn played_item(&self, n: usize) -> Option<&str> {
        (!self.played_items.is_empty()).then(|| self.played_items[n % self.played_items.len()].as_str())
    }
}

fn new_session(header: &str) -> Option<Session> {
    let codec: Box<dyn Codec> = if header.contains("gemini") { Box::new(GeminiCodec::new()) } else { Box::new(OpenAiCodec::new()) };
    let options = header.find('{').and_then(|at| SessionOptions::from_json_str(&header[at..], "options").ok()).unwrap_or_default();
    let tool_handlers = header
        .split_whitespace()
        .find_map(|word| word.strip_prefix("tools="))
        .map(|names| names.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    let config = SessionConfig {
        options,
        tool_handlers,
        connect_timeout_ms: 5_000.0,
        playback: header.contains("playback"),
        reconnect: header.contains("reconnect").then(ReconnectConfig::default),
        jitter_seed: header.len() as u64,
        max_frame_bytes: Some(64 << 10),
        ..SessionConfig::default()
    };
    Session::new(codec, config, 0.0).ok()
}

fn number(word: Option<&str>) -> Option<f64> {
    word.and_then(|w| w.parse::<f64>().ok()).filter(|x| x.is_finite())
}

fuzz_target!(|data: &[u8]| {
    let Ok(script) = std::str::from_utf8(data) else { return };
    let mut lines = script.lines();
    let Some(mut session) = new_session(lines.next().unwrap_or("")) else { return };
    let mut driver = Driver::default();
    driver.drain(&mut session);
    let mut now = 0.0;
    for line in lines.take(MAX_OPERATIONS) {
        now += 1.0;
        let (op, rest) = line.split_at(line.char_indices().nth(1).map_or(line.len(), |(i, _)| i));
        let rest = rest.trim_start();
        let mut words = rest.split_whitespace();
        let was_closed = session.state() == ConnectionState::Closed;
        match op {
            "o" => session.socket_opened(now),
            "t" => session.frame_received(now, Frame::Text(rest)),
            "b" => session.frame_received(now, Frame::Binary(rest.as_bytes())),
            "s" => {
                if let Ok(message) = ClientMessage::from_json_str(rest, "message") {
                    session.send(now, message);
                }
            }
            "r" => {
                let n = words.next().and_then(|w| w.parse::<usize>().ok()).unwrap_or(0);
                let ok = words.next() == Some("ok");
                let text = words.collect::<Vec<_>>().join(" ");
                let call_id = session.pending_tool_calls().get(n).map(|(id, _)| id.to_string());
                // A result for an unknown call is what a late handler delivers: aim at one anyway.
                let call_id = call_id.unwrap_or_else(|| text.clone());
                session.tool_finished(now, &call_id, if ok { Ok(text.into()) } else { Err(text) });
            }
            "p" | "x" => {
                let n = words.next().and_then(|w| w.parse::<usize>().ok()).unwrap_or(0);
                let (Some(item), Some(played)) = (driver.played_item(n).map(str::to_owned), number(words.next())) else { continue };
                if op == "p" {
                    session.playback_progress(now, &item, played);
                } else {
                    session.playback_stopped(now, &item, played, number(words.next()).unwrap_or(0.0));
                }
            }
            "c" => {
                let timer = if words.next() == Some("1") { Timer::Reconnect } else { Timer::ConnectTimeout };
                // The driver fires a timer when it is due: time moves on to then (never back).
                if let Some(&(_, at)) = driver.timers.iter().find(|(t, _)| *t == timer) {
                    now = f64::max(now, at);
                }
                session.timer_fired(now, timer);
            }
            "k" => {
                let code = words.next().and_then(|w| w.parse::<u16>().ok()).unwrap_or(1006);
                session.socket_closed(now, code, "fuzz", words.next() == Some("1"));
            }
            "n" => session.network_changed(now, words.next() != Some("0")),
            "i" => session.interrupt(now),
            "g" => {
                if let Ok(tool) = Tool::from_json_str(rest, "tool") {
                    session.register_tool(now, tool);
                }
            }
            "G" => {
                session.unregister_tool(now, rest);
            }
            "a" => now += number(words.next()).map_or(0.0, |ms| ms.abs().min(3_600_000.0)),
            "q" => session.close(now),
            _ => {}
        }
        driver.drain(&mut session);
        assert!(!was_closed || session.state() == ConnectionState::Closed, "a closed session reopened ({line})");
    }
});
