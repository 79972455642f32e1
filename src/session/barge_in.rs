//! On-device barge-in: what the user starting to speak over the reply does to playback, before (or
//! without) the server's word.
//!
//! The microphone's voice detector (`crate::audio::VoiceDetector`, run by the driver) reports
//! speech onsets and ends; this module decides: duck the reply at once (the driver fades it to
//! silence and holds it, nothing is lost), then
//! - where the server will report the same speech (OpenAI's server VAD; Gemini while it is still
//!   generating): wait up to `confirm_ms` for it — its report stops and truncates playback as a
//!   server-driven barge-in always did — and resume the reply if it does not come (a cough, a door);
//! - where it will not (Gemini once generation is complete): the local detection is the signal —
//!   speech that lasts [`LOCAL_CONFIRM_MS`] stops playback (the item is marked interrupted with the
//!   heard figures); speech that ends sooner resumes it.
//!
//! Owns: that decision, with time as an input (deadlines out, fired back by the driver).
//! Must never: look at samples, do I/O, or read a clock.

/// How long speech must last to stop the reply when no server will confirm it.
pub const LOCAL_CONFIRM_MS: f64 = 200.0;

/// What the session must do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// Fade the reply to silence and hold it; call [`LocalBargeIn::deadline`] at `until_ms`.
    Duck { until_ms: f64 },
    /// Fade the held reply back in.
    Restore,
    /// Stop the reply for good (an interruption, as if the server had reported the speech).
    Stop,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    Idle,
    /// Held until `until_ms`, waiting for the server (`server`) or for the speech to last.
    Ducked { until_ms: f64, server: bool },
    /// Resumed unconfirmed while the same speech goes on: no new duck until it stops.
    Released,
}

#[derive(Debug, Clone)]
pub struct LocalBargeIn {
    confirm_ms: f64,
    state: State,
    speaking: bool,
}

impl LocalBargeIn {
    pub fn new(confirm_ms: u32) -> Self {
        LocalBargeIn { confirm_ms: confirm_ms as f64, state: State::Idle, speaking: false }
    }

    pub fn is_ducked(&self) -> bool {
        matches!(self.state, State::Ducked { .. })
    }

    /// The user started speaking. `playing`: a reply is being heard (or is queued to be);
    /// `server_reports`: the server will report this speech.
    pub fn speech_started(&mut self, now_ms: f64, playing: bool, server_reports: bool) -> Option<Step> {
        self.speaking = true;
        if self.state != State::Idle || !playing {
            return None;
        }
        let wait = if server_reports { self.confirm_ms } else { LOCAL_CONFIRM_MS.min(self.confirm_ms) };
        let until_ms = now_ms + wait;
        self.state = State::Ducked { until_ms, server: server_reports };
        Some(Step::Duck { until_ms })
    }

    /// The user stopped speaking.
    pub fn speech_stopped(&mut self, _now_ms: f64) -> Option<Step> {
        self.speaking = false;
        match self.state {
            // Too short to be speech, and no server will say otherwise.
            State::Ducked { server: false, .. } => {
                self.state = State::Idle;
                Some(Step::Restore)
            }
            State::Released => {
                self.state = State::Idle;
                None
            }
            // The server's report may still be on its way: the deadline decides.
            State::Ducked { server: true, .. } | State::Idle => None,
        }
    }

    /// A deadline armed by [`Step::Duck`] is due (an early or superseded one does nothing).
    /// `local_is_signal`: the server can no longer report the speech (its generation completed
    /// meanwhile), so speech still going on is taken as the barge-in.
    pub fn deadline(&mut self, now_ms: f64, local_is_signal: bool) -> Option<Step> {
        let State::Ducked { until_ms, server } = self.state else { return None };
        if now_ms < until_ms {
            return None;
        }
        if self.speaking && (!server || local_is_signal) {
            self.state = State::Idle;
            return Some(Step::Stop);
        }
        self.state = if self.speaking { State::Released } else { State::Idle };
        Some(Step::Restore)
    }

    /// Playback was stopped (the server reported the speech, the app interrupted): the duck is
    /// over. Returns whether one was held (the caller makes sure the driver lets go of it).
    pub fn settled(&mut self) -> bool {
        let was_ducked = self.is_ducked();
        self.state = if self.speaking { State::Released } else { State::Idle };
        was_ducked
    }
}
