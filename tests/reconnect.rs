//! The reconnect policy on its own (time and jitter seed as inputs), then driven through a resumable
//! Gemini session: backoff, caps, the accept-then-drop storm, `goAway`, offline/online, giving up.
#![cfg(not(target_arch = "wasm32"))]

use realtime_wasm::provider::GeminiCodec;
use realtime_wasm::session::{
    ConnectionState, Decision, Frame, Loss, Output, ReconnectConfig, ReconnectPolicy, Session, SessionConfig, SessionEvent,
    Timer,
};
use serde_json::json;

fn policy(config: ReconnectConfig) -> ReconnectPolicy {
    ReconnectPolicy::new(config, 7, 0.0)
}

/// The delay of a `Retry`, or a panic naming what came instead.
fn delay(decision: Decision) -> f64 {
    match decision {
        Decision::Retry { delay_ms, .. } => delay_ms,
        other => panic!("expected a retry, got {other:?}"),
    }
}

/// Every attempt fails at once: the delays a policy with `seed` chooses, until it gives up.
fn delays_until_give_up(config: ReconnectConfig, seed: u64) -> (Vec<f64>, Decision) {
    let mut policy = ReconnectPolicy::new(config, seed, 0.0);
    let mut now = 0.0;
    let mut delays = Vec::new();
    loop {
        match policy.lost(now, Loss::Dropped) {
            Decision::Retry { delay_ms, at_ms, .. } => {
                delays.push(delay_ms);
                now = at_ms;
                assert!(policy.take_due(now));
            }
            other => return (delays, other),
        }
    }
}

#[test]
fn backoff_doubles_with_equal_jitter_up_to_the_cap() {
    let config = ReconnectConfig { max_attempts: 8, max_delay_ms: 4_000.0, max_outage_ms: 1e9, ..ReconnectConfig::default() };
    let (delays, end) = delays_until_give_up(config.clone(), 1);
    assert_eq!(delays.len(), 8);
    for (i, delay) in delays.iter().enumerate() {
        let step = (250.0 * 2f64.powi(i as i32)).min(4_000.0);
        assert!(*delay >= step / 2.0 && *delay <= step, "attempt {}: {delay} ms not within [{}, {step}]", i + 1, step / 2.0);
    }
    assert!(matches!(end, Decision::GiveUp { attempts: 8, .. }), "{end:?}");
    // Jittered: another seed spreads differently; the same seed repeats exactly (deterministic tests).
    let (other, _) = delays_until_give_up(config.clone(), 2);
    assert_ne!(delays, other);
    assert_eq!(delays, delays_until_give_up(config, 1).0);
}

#[test]
fn the_attempt_cap_gives_up_after_that_many_failures() {
    let config = ReconnectConfig { max_attempts: 3, ..ReconnectConfig::default() };
    let (delays, end) = delays_until_give_up(config, 3);
    assert_eq!(delays.len(), 3);
    let Decision::GiveUp { attempts, elapsed_ms } = end else { panic!("{end:?}") };
    assert_eq!(attempts, 3);
    assert_eq!(elapsed_ms, delays.iter().sum::<f64>());
}

#[test]
fn the_time_cap_gives_up_before_an_attempt_would_start_too_late() {
    let config = ReconnectConfig { max_attempts: 100, max_outage_ms: 5_000.0, ..ReconnectConfig::default() };
    let (delays, end) = delays_until_give_up(config, 4);
    let Decision::GiveUp { elapsed_ms, attempts } = end else { panic!("{end:?}") };
    assert!(elapsed_ms <= 5_000.0, "{elapsed_ms}");
    assert_eq!(attempts as usize, delays.len());
    assert!(delays.len() < 6, "{delays:?}: 250+500+1000+2000 ms at least before the 5th");
}

#[test]
fn a_server_that_accepts_and_drops_does_not_reset_the_count() {
    let mut policy = policy(ReconnectConfig { max_attempts: 4, ..ReconnectConfig::default() });
    let mut now = 0.0;
    let mut attempts = Vec::new();
    let end = loop {
        match policy.lost(now, Loss::Dropped) {
            Decision::Retry { attempt, at_ms, .. } => {
                attempts.push(attempt);
                assert!(policy.take_due(at_ms));
                // The new connection opens, and drops 200 ms later.
                policy.connected(at_ms + 50.0);
                now = at_ms + 250.0;
            }
            other => break other,
        }
    };
    assert_eq!(attempts, [1, 2, 3, 4]);
    assert!(matches!(end, Decision::GiveUp { attempts: 4, .. }), "{end:?}");
}

#[test]
fn a_stable_connection_or_a_completed_turn_ends_the_outage() {
    let mut policy = policy(ReconnectConfig::default());
    let at = |d: Decision| if let Decision::Retry { at_ms, attempt, .. } = d { (at_ms, attempt) } else { panic!("{d:?}") };
    let (t, _) = at(policy.lost(0.0, Loss::Dropped));
    policy.take_due(t);
    policy.connected(t);
    let (t, attempt) = at(policy.lost(t + 1_000.0, Loss::Dropped));
    assert_eq!(attempt, 2, "open for 1 s: the same outage");
    policy.take_due(t);
    policy.connected(t);
    let (t, attempt) = at(policy.lost(t + 10_000.0, Loss::Dropped));
    assert_eq!(attempt, 1, "open for 10 s: stable, a new outage");
    policy.take_due(t);
    policy.connected(t);
    policy.turn_completed();
    let (_, attempt) = at(policy.lost(t + 100.0, Loss::Dropped));
    assert_eq!(attempt, 1, "a completed turn: stable, a new outage");
}

#[test]
fn go_away_retries_at_once_then_backs_off_if_that_fails() {
    let mut policy = policy(ReconnectConfig::default());
    assert_eq!(policy.lost(5_000.0, Loss::GoAway), Decision::Retry { attempt: 1, delay_ms: 0.0, at_ms: 5_000.0 });
    assert!(policy.take_due(5_000.0));
    let second = delay(policy.lost(5_100.0, Loss::Dropped));
    assert!((250.0..=500.0).contains(&second), "{second}");
}

#[test]
fn offline_pauses_without_counting_and_online_retries_at_once() {
    let mut policy = policy(ReconnectConfig { max_attempts: 2, max_outage_ms: 10_000.0, ..ReconnectConfig::default() });
    // Dropped while online: an attempt is scheduled; going offline calls it off.
    let Decision::Retry { at_ms, .. } = policy.lost(0.0, Loss::Dropped) else { panic!() };
    assert_eq!(policy.network_changed(100.0, false), Some(Decision::WaitForNetwork { attempt: 1 }));
    assert!(!policy.take_due(at_ms), "no attempt while offline");
    // Long offline: neither the time nor failures count.
    assert_eq!(policy.network_changed(60_000.0, true), Some(Decision::Retry { attempt: 1, delay_ms: 0.0, at_ms: 60_000.0 }));
    assert!(policy.take_due(60_000.0));
    // The attempt fails because the network went away again: not counted either.
    assert_eq!(policy.network_changed(60_010.0, false), None, "an attempt is under way: its end decides");
    assert_eq!(policy.lost(60_020.0, Loss::Dropped), Decision::WaitForNetwork { attempt: 1 });
    assert!(matches!(policy.network_changed(61_000.0, true), Some(Decision::Retry { attempt: 1, .. })));
    assert!(policy.take_due(61_000.0));
    // Online failures count: attempt 2, then the cap.
    assert!(matches!(policy.lost(61_100.0, Loss::Dropped), Decision::Retry { attempt: 2, .. }));
    assert!(policy.take_due(70_000.0));
    assert!(matches!(policy.lost(70_100.0, Loss::Dropped), Decision::GiveUp { attempts: 2, .. }));
    assert!(policy.gave_up());
}

#[test]
fn a_loss_while_offline_waits_for_the_network() {
    let mut policy = policy(ReconnectConfig::default());
    assert_eq!(policy.network_changed(0.0, false), None, "no outage: nothing to decide");
    assert_eq!(policy.lost(10.0, Loss::GoAway), Decision::WaitForNetwork { attempt: 1 });
    assert!(policy.is_waiting());
    assert_eq!(policy.network_changed(20.0, false), None, "already offline");
    assert_eq!(policy.network_changed(30.0, true), Some(Decision::Retry { attempt: 1, delay_ms: 0.0, at_ms: 30.0 }));
}

// ---- through the session ---------------------------------------------------------------------

const SETUP_COMPLETE: &str = r#"{"setupComplete":{}}"#;
const HANDLE: &str = r#"{"sessionResumptionUpdate":{"newHandle":"h-1","resumable":true}}"#;

struct Harness {
    session: Session,
    now: f64,
}

impl Harness {
    /// An open Gemini session that has a resumption handle.
    fn open(reconnect: Option<ReconnectConfig>) -> Harness {
        let config = SessionConfig {
            options: serde_json::from_value(json!({ "outputModalities": ["text"] })).unwrap(),
            reconnect,
            jitter_seed: 42,
            connect_timeout_ms: 5_000.0,
            ..SessionConfig::default()
        };
        let mut h = Harness { session: Session::new(Box::new(GeminiCodec::new()), config, 0.0).unwrap(), now: 0.0 };
        h.session.socket_opened(0.0);
        h.frames(&[SETUP_COMPLETE, HANDLE]);
        h.drain();
        h
    }

    fn frames(&mut self, frames: &[&str]) -> Vec<Output> {
        for frame in frames {
            self.now += 1.0;
            self.session.frame_received(self.now, Frame::Text(frame));
        }
        self.drain()
    }

    fn dropped(&mut self, after_ms: f64) -> Vec<Output> {
        self.now += after_ms;
        self.session.socket_closed(self.now, 1006, "", false);
        self.drain()
    }

    fn drain(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.session.poll_output()).collect()
    }

    /// Fires the reconnect timer armed in `out` (at its time); the outputs of that.
    fn fire_reconnect(&mut self, out: &[Output]) -> Vec<Output> {
        let at_ms = reconnect_timer(out).unwrap_or_else(|| panic!("no reconnect timer in {out:?}"));
        self.now = at_ms;
        self.session.timer_fired(self.now, Timer::Reconnect);
        self.drain()
    }
}

fn reconnect_timer(out: &[Output]) -> Option<f64> {
    out.iter().find_map(|o| if let Output::ArmTimer { timer: Timer::Reconnect, at_ms } = o { Some(*at_ms) } else { None })
}

fn reconnects(out: &[Output]) -> usize {
    out.iter().filter(|o| matches!(o, Output::Reconnect)).count()
}

fn reconnecting(out: &[Output]) -> Option<(u32, Option<f64>)> {
    out.iter().find_map(|o| match o {
        Output::Event(SessionEvent::Reconnecting { attempt, delay_ms, .. }) => Some((*attempt, *delay_ms)),
        _ => None,
    })
}

fn error_codes(out: &[Output]) -> Vec<String> {
    out.iter()
        .filter_map(|o| if let Output::Event(SessionEvent::Error { error, .. }) = o { error.code.clone() } else { None })
        .collect()
}

fn closes(out: &[Output]) -> Vec<u16> {
    out.iter().filter_map(|o| if let Output::Event(SessionEvent::Close { code, .. }) = o { Some(*code) } else { None }).collect()
}

#[test]
fn the_storm_is_bounded_then_an_error_and_a_close() {
    let mut h = Harness::open(Some(ReconnectConfig { max_attempts: 3, ..ReconnectConfig::default() }));
    let mut out = h.dropped(10.0);
    let mut attempts = 0;
    let mut delays = Vec::new();
    while let Some(at) = reconnect_timer(&out) {
        let (attempt, delay) = reconnecting(&out).expect("a reconnecting event with each timer");
        delays.push(delay.unwrap());
        assert_eq!(at, h.now + delay.unwrap());
        let fired = h.fire_reconnect(&out);
        assert_eq!(reconnects(&fired), 1);
        attempts += 1;
        assert_eq!(attempt, attempts);
        // The server accepts the resumed connection, then drops it after two frames.
        h.session.socket_opened(h.now);
        let opened = h.frames(&[SETUP_COMPLETE, HANDLE]);
        assert!(opened.iter().any(|o| matches!(o, Output::Event(SessionEvent::Reconnected))));
        out = h.dropped(5.0);
    }
    assert_eq!(attempts, 3, "one storm, three attempts: {out:?}");
    assert!(delays.windows(2).all(|w| w[1] > w[0]), "the delays grow: {delays:?}");
    assert_eq!(error_codes(&out), ["reconnect_failed"]);
    let message = out
        .iter()
        .find_map(|o| if let Output::Event(SessionEvent::Error { error, .. }) = o { Some(error.message.clone()) } else { None })
        .unwrap();
    assert!(message.contains("3 failed attempts") && message.contains("code 1006"), "{message}");
    assert_eq!(closes(&out), [1006]);
    assert_eq!(h.session.state(), ConnectionState::Closed);
    let late = h.session.send(h.now, serde_json::from_value(json!({ "type": "inputAudioBufferCommit" })).unwrap());
    let settled = h.drain();
    assert!(settled.iter().any(|o| matches!(o, Output::Settled { ticket: t, result: Err(e) } if *t == late && e.code == "session_closed")));
}

#[test]
fn giving_up_rejects_what_waited_for_the_new_connection() {
    let mut h = Harness::open(Some(ReconnectConfig { max_attempts: 1, ..ReconnectConfig::default() }));
    let out = h.dropped(10.0);
    let ticket = h.session.send(h.now, serde_json::from_value(json!({ "type": "inputAudioBufferAppend", "audio": "AAAA" })).unwrap());
    h.fire_reconnect(&out);
    // The attempt fails before opening (e.g. the server is down).
    let out = h.dropped(30.0);
    assert_eq!(error_codes(&out), ["reconnect_failed"]);
    assert!(out.iter().any(|o| matches!(o, Output::Settled { ticket: t, result: Err(e) } if *t == ticket && e.code == "reconnect_failed")));
    assert_eq!(closes(&out), [1006]);
}

#[test]
fn go_away_moves_at_once() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    let out = h.frames(&[r#"{"goAway":{"timeLeft":"10s"}}"#]);
    assert_eq!(reconnecting(&out), Some((1, Some(0.0))));
    assert_eq!(reconnects(&out), 1, "no timer: {out:?}");
    assert!(reconnect_timer(&out).is_none());
}

#[test]
fn offline_holds_attempts_and_online_resumes_at_once() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    h.session.network_changed(h.now, false);
    assert!(h.drain().is_empty(), "offline while open: nothing to do yet");
    let out = h.dropped(10.0);
    assert_eq!(reconnecting(&out), Some((1, None)), "waiting for the network: {out:?}");
    assert!(reconnect_timer(&out).is_none() && reconnects(&out) == 0);
    h.now += 30_000.0;
    h.session.network_changed(h.now, true);
    let out = h.drain();
    assert_eq!(reconnecting(&out), Some((1, Some(0.0))));
    assert_eq!(reconnects(&out), 1);
}

#[test]
fn going_offline_calls_off_the_scheduled_attempt() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    let out = h.dropped(10.0);
    let at_ms = reconnect_timer(&out).unwrap();
    h.session.network_changed(h.now + 1.0, false);
    assert_eq!(reconnecting(&h.drain()), Some((1, None)));
    h.session.timer_fired(at_ms, Timer::Reconnect);
    assert_eq!(reconnects(&h.drain()), 0, "the timer was called off");
}

#[test]
fn a_hung_attempt_times_out_and_counts_as_failed() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    let out = h.dropped(10.0);
    let fired = h.fire_reconnect(&out);
    let deadline = fired
        .iter()
        .find_map(|o| if let Output::ArmTimer { timer: Timer::ConnectTimeout, at_ms } = o { Some(*at_ms) } else { None })
        .expect("each attempt has a connect timeout");
    // The first connection's timeout (armed at 0 for 5 s) is stale: ignored.
    h.session.timer_fired(5_000.0, Timer::ConnectTimeout);
    assert!(h.drain().is_empty());
    h.session.timer_fired(deadline, Timer::ConnectTimeout);
    let out = h.drain();
    assert_eq!(reconnecting(&out).map(|(attempt, _)| attempt), Some(2), "{out:?}");
    assert!(error_codes(&out).is_empty());
    // The hung socket's late close is stale: the session waits for its timer.
    h.session.socket_closed(deadline + 1.0, 1006, "", false);
    assert!(h.drain().is_empty());
    assert_eq!(h.session.state(), ConnectionState::Connecting);
}

#[test]
fn closing_between_attempts_closes_at_once() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    let out = h.dropped(10.0);
    h.session.close(h.now);
    let closed = h.drain();
    assert_eq!(closes(&closed), [1000]);
    assert!(error_codes(&closed).is_empty());
    assert_eq!(h.session.state(), ConnectionState::Closed);
    assert!(h.fire_reconnect(&out).is_empty(), "a late timer does nothing");
}

#[test]
fn reconnect_off_makes_a_drop_a_close() {
    let mut h = Harness::open(None);
    let out = h.dropped(10.0);
    assert_eq!(error_codes(&out), ["connection_closed"]);
    assert_eq!(closes(&out), [1006]);
    assert_eq!(reconnects(&out), 0);
    let mut h = Harness::open(None);
    let out = h.frames(&[r#"{"goAway":{"timeLeft":"10s"}}"#]);
    assert!(reconnecting(&out).is_none(), "goAway is only shown to the app");
}

#[test]
fn a_gemini_turn_cut_by_the_drop_ends_cancelled_and_the_next_one_is_fresh() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    h.frames(&[r#"{"serverContent":{"modelTurn":{"parts":[{"text":"Once upon"}]}}}"#]);
    let cut_id = h.session.active_response().expect("a turn in progress").to_owned();
    let out = h.dropped(10.0);
    let done: Vec<_> = out
        .iter()
        .filter_map(|o| if let Output::Message(realtime_wasm::model::ServerMessage::ResponseDone(r)) = o { Some(r.clone()) } else { None })
        .collect();
    assert_eq!(done.len(), 1, "{out:?}");
    assert_eq!(done[0].response_id.as_deref(), Some(cut_id.as_str()));
    assert_eq!(done[0].status, Some(realtime_wasm::model::ResponseStatus::Cancelled));
    assert_eq!(done[0].status_reason.as_deref(), Some("connection_lost"));
    let done_at = out.iter().position(|o| matches!(o, Output::Message(_))).unwrap();
    let reconnecting_at = out.iter().position(|o| matches!(o, Output::Event(SessionEvent::Reconnecting { .. }))).unwrap();
    assert!(done_at < reconnecting_at, "the app learns the reply ended before that the session reconnects");
    h.fire_reconnect(&out);
    h.session.socket_opened(h.now);
    let out = h.frames(&[SETUP_COMPLETE, r#"{"serverContent":{"modelTurn":{"parts":[{"text":"Hello"}]}}}"#]);
    assert!(out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Reconnected))));
    let next = h.session.active_response().unwrap();
    assert_ne!(next, cut_id, "the new connection's content is a new response");
}
