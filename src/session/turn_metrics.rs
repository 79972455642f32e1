//! Per-response timing and playback health: the `metrics` event.
//!
//! Owns: when the user's input ended (speech measured from the microphone level, the same way for
//! every provider; a text item or a commit sent), when the response's first output frame arrived,
//! when its first audio was played, the jitter buffer's depth and underruns while it played, and
//! its usage. One [`TurnReport`] per response, once the response is done and its audio has played
//! out (or was cut). Times are the driver's clock (`now_ms` of the session's inputs).
//!
//! Must never: read a clock, or hold a response's report back past the next response (a report
//! still waiting for playback goes out when the next response starts).

use crate::prelude::*;
use crate::model::{ResponseStatus, ServerMessage, Usage};
use serde::Serialize;

/// Input level (0–1 on the −60…0 dBFS meter) that counts as speech: −39 dBFS.
pub const SPEECH_LEVEL: f64 = 0.35;
/// A pause this long after speech ends the utterance, ms.
pub const PAUSE_MS: f64 = 150.0;
/// Shorter bursts are clicks, not speech, ms.
pub const MIN_SPEECH_MS: f64 = 120.0;

/// Jitter-buffer depth while a response played, ms (`min`/`avg`/`max` over the driver's reports).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BufferDepth {
    pub min_ms: f64,
    pub avg_ms: f64,
    pub max_ms: f64,
}

/// What one response took and how its audio played (the `metrics` event's payload).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TurnReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ResponseStatus>,
    /// End of the user's input → the response's first output frame (absent for a response no user
    /// input preceded, e.g. the follow-up of a tool call).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_to_first_frame_ms: Option<f64>,
    /// The first output frame → the first sample played (absent without played audio).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_frame_to_audio_ms: Option<f64>,
    /// End of the user's input → the first sample played: what the user waits for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_to_audio_ms: Option<f64>,
    /// Times the jitter buffer ran dry while this response played.
    pub underruns: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer: Option<BufferDepth>,
    /// Audio of this response played, ms.
    pub played_ms: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
}

/// The microphone level's speech in progress.
#[derive(Debug, Clone, Copy)]
struct Voiced {
    start: f64,
    last: f64,
}

#[derive(Debug, Default)]
struct ResponseTurn {
    response_id: Option<String>,
    input_ended_at: Option<f64>,
    first_frame_at: Option<f64>,
    first_audio_at: Option<f64>,
    /// The driver's cumulative underrun count when this response's audio started, and lately.
    underruns_from: Option<u32>,
    underruns_now: u32,
    depth_min: f64,
    depth_max: f64,
    depth_sum: f64,
    depth_reports: u32,
    played_ms: f64,
    /// Items of this response queued for playback and not yet played out.
    playing: Vec<String>,
    done: Option<(Option<ResponseStatus>, Option<Usage>)>,
}

impl ResponseTurn {
    fn report(self) -> TurnReport {
        let since = |from: Option<f64>, to: Option<f64>| match (from, to) {
            (Some(from), Some(to)) => Some((to - from).max(0.0)),
            _ => None,
        };
        let (status, usage) = self.done.unwrap_or_default();
        TurnReport {
            response_id: self.response_id,
            status,
            input_to_first_frame_ms: since(self.input_ended_at, self.first_frame_at),
            first_frame_to_audio_ms: since(self.first_frame_at, self.first_audio_at),
            input_to_audio_ms: since(self.input_ended_at, self.first_audio_at),
            underruns: self.underruns_from.map_or(0, |from| self.underruns_now.saturating_sub(from)),
            buffer: (self.depth_reports > 0).then(|| BufferDepth {
                min_ms: self.depth_min,
                avg_ms: self.depth_sum / self.depth_reports as f64,
                max_ms: self.depth_max,
            }),
            played_ms: self.played_ms,
            usage,
        }
    }

    fn finished(&self) -> bool {
        self.done.is_some() && self.playing.is_empty()
    }
}

#[derive(Debug, Default)]
pub struct TurnMetrics {
    voiced: Option<Voiced>,
    /// When the latest user input ended, until a response takes it.
    input_ended_at: Option<f64>,
    turn: Option<ResponseTurn>,
}

impl TurnMetrics {
    /// A microphone level (about 30 a second): speech of at least [`MIN_SPEECH_MS`] followed by a
    /// pause of [`PAUSE_MS`] ends the user's input at its last voiced moment.
    pub fn input_level(&mut self, now_ms: f64, level: f64) {
        if level >= SPEECH_LEVEL {
            let voiced = self.voiced.get_or_insert(Voiced { start: now_ms, last: now_ms });
            voiced.last = now_ms;
        } else if self.voiced.is_some_and(|v| now_ms - v.last >= PAUSE_MS) {
            self.end_speech();
        }
    }

    /// The microphone stopped: speech in progress ends here.
    pub fn microphone_stopped(&mut self) {
        self.end_speech();
    }

    fn end_speech(&mut self) {
        if let Some(voiced) = self.voiced.take() {
            if voiced.last - voiced.start >= MIN_SPEECH_MS {
                self.input_ended_at = Some(voiced.last);
            }
        }
    }

    /// The app sent user input that ends a turn (a user item, a commit).
    pub fn input_sent(&mut self, now_ms: f64) {
        self.voiced = None;
        self.input_ended_at = Some(now_ms);
    }

    /// A server message (after the middleware). Returns a report when one is complete (a
    /// response done with nothing left to play, or a previous one cut short by a new response).
    #[allow(clippy::field_reassign_with_default)] // on purpose: see the comment inside
    pub fn observe(&mut self, now_ms: f64, message: &ServerMessage) -> Option<TurnReport> {
        match message {
            ServerMessage::ResponseCreated(r) => {
                let previous = self.turn.take().map(ResponseTurn::report);
                // Set on a default in place (a `..default()` literal builds a whole default, then moves it).
                let mut turn = ResponseTurn::default();
                turn.response_id = r.response_id.clone();
                turn.input_ended_at = self.input_ended_at.take();
                self.turn = Some(turn);
                previous
            }
            ServerMessage::OutputTextDelta(_)
            | ServerMessage::OutputAudioDelta(_)
            | ServerMessage::OutputAudioTranscriptionDelta(_)
            | ServerMessage::FunctionCallArgumentsDelta(_)
            | ServerMessage::FunctionCallArgumentsDone(_) => {
                if let Some(turn) = &mut self.turn {
                    turn.first_frame_at.get_or_insert(now_ms);
                }
                None
            }
            ServerMessage::ResponseDone(r) => {
                let turn = self.turn.as_mut().filter(|t| t.response_id.is_none() || t.response_id == r.response_id)?;
                turn.done = Some((r.status, r.usage.clone()));
                self.take_if_finished()
            }
            _ => None,
        }
    }

    /// Audio of `item_id` went to the driver for playback (an item of the current response).
    pub fn audio_queued(&mut self, item_id: &str) {
        if let Some(turn) = &mut self.turn {
            if turn.done.is_none() && !turn.playing.iter().any(|i| i == item_id) {
                turn.playing.push(item_id.to_owned());
            }
        }
    }

    /// The driver's playback report: `played_ms` of `item_id` rendered so far, its cumulative
    /// underrun count, and the jitter buffer's depth.
    pub fn playback(&mut self, now_ms: f64, item_id: &str, played_ms: f64, underruns: u32, queued_ms: f64) {
        let Some(turn) = self.turn.as_mut().filter(|t| t.playing.iter().any(|i| i == item_id)) else { return };
        if played_ms > 0.0 && turn.first_audio_at.is_none() {
            // Reports come every few quanta: the first sample played `played_ms` before this one.
            // The audio clock may run ahead of the page's by up to one device buffer (a burst of
            // rendered quanta), which can put that estimate before the first frame even arrived:
            // audio never plays before it is received.
            let estimate = now_ms - played_ms;
            turn.first_audio_at = Some(turn.first_frame_at.map_or(estimate, |frame| estimate.max(frame)));
        }
        turn.underruns_from.get_or_insert(underruns);
        turn.underruns_now = underruns;
        turn.played_ms = turn.played_ms.max(played_ms);
        if turn.depth_reports == 0 {
            (turn.depth_min, turn.depth_max) = (queued_ms, queued_ms);
        }
        turn.depth_min = turn.depth_min.min(queued_ms);
        turn.depth_max = turn.depth_max.max(queued_ms);
        turn.depth_sum += queued_ms;
        turn.depth_reports += 1;
    }

    /// `item_id` played to its end.
    pub fn item_ended(&mut self, item_id: &str, played_ms: f64) -> Option<TurnReport> {
        let turn = self.turn.as_mut()?;
        if turn.playing.iter().any(|i| i == item_id) {
            turn.played_ms = turn.played_ms.max(played_ms);
            turn.playing.retain(|i| i != item_id);
        }
        self.take_if_finished()
    }

    /// Playback was cut (barge-in, `interrupt()`): nothing of the response is left to play.
    pub fn playback_cut(&mut self, played_ms: f64) -> Option<TurnReport> {
        let turn = self.turn.as_mut()?;
        if !turn.playing.is_empty() {
            turn.played_ms = turn.played_ms.max(played_ms);
            turn.playing.clear();
        }
        self.take_if_finished()
    }

    fn take_if_finished(&mut self) -> Option<TurnReport> {
        self.turn.as_ref().is_some_and(ResponseTurn::finished).then(|| self.turn.take().map(ResponseTurn::report)).flatten()
    }
}

crate::json::json_fields!(BufferDepth { min_ms: "minMs", avg_ms: "avgMs", max_ms: "maxMs" });
crate::json::json_fields!(TurnReport {
    response_id: "responseId",
    status: "status",
    input_to_first_frame_ms: "inputToFirstFrameMs",
    first_frame_to_audio_ms: "firstFrameToAudioMs",
    input_to_audio_ms: "inputToAudioMs",
    underruns: "underruns",
    buffer: "buffer",
    played_ms: "playedMs",
    usage: "usage",
});
