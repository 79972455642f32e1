//! On-device barge-in (`src/session/barge_in.rs` through the session): what local speech onsets do
//! to playback on OpenAI and Gemini, with time as an input; and the `bargeIn` option's reading.

use realtime_wasm::model::json::FromJson;
use realtime_wasm::model::BargeInOptions;
use realtime_wasm::provider::{GeminiCodec, OpenAiCodec};
use realtime_wasm::session::{BargeInStep, Frame, LocalBargeIn, Output, Session, SessionConfig, SessionEvent, Timer, LOCAL_CONFIRM_MS};
use serde_json::{json, Value};

struct Harness {
    session: Session,
    now: f64,
}

fn config(barge_in: Option<BargeInOptions>) -> SessionConfig {
    SessionConfig { playback: true, barge_in, ..SessionConfig::default() }
}

fn local() -> Option<BargeInOptions> {
    Some(BargeInOptions { confirm_ms: 500, ..BargeInOptions::default() })
}

impl Harness {
    fn openai(barge_in: Option<BargeInOptions>) -> Self {
        let mut h = Harness { session: Session::new(Box::new(OpenAiCodec::new()), config(barge_in), 0.0).unwrap(), now: 0.0 };
        h.session.socket_opened(0.0);
        h.server(json!({ "type": "session.created", "event_id": "ev0", "session": { "type": "realtime", "id": "sess_1" } }));
        h
    }

    fn gemini(barge_in: Option<BargeInOptions>) -> Self {
        let mut h = Harness { session: Session::new(Box::new(GeminiCodec::new()), config(barge_in), 0.0).unwrap(), now: 0.0 };
        h.session.socket_opened(0.0);
        h.server(json!({ "setupComplete": {} }));
        h
    }

    fn server(&mut self, frame: Value) -> Vec<Output> {
        self.now += 1.0;
        self.session.frame_received(self.now, Frame::Text(&frame.to_string()));
        self.drain()
    }

    fn drain(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.session.poll_output()).collect()
    }

    fn at(&mut self, ms: f64) -> &mut Self {
        self.now = ms;
        self
    }

    fn speech(&mut self, started: bool) -> Vec<Output> {
        self.session.local_speech(self.now, started);
        self.drain()
    }

    fn timer(&mut self) -> Vec<Output> {
        self.session.timer_fired(self.now, Timer::BargeIn);
        self.drain()
    }

    /// An OpenAI reply of `ms` of audio, 100 ms of it played.
    fn openai_reply(&mut self, ms: usize, done: bool) {
        self.server(json!({ "type": "response.created", "event_id": "c1", "response": { "id": "r1", "status": "in_progress", "conversation_id": "conv_1", "output": [] } }));
        self.server(openai_audio("item_a", ms));
        if done {
            self.server(json!({ "type": "response.done", "event_id": "d1", "response": { "id": "r1", "status": "completed", "conversation_id": "conv_1" } }));
        }
        self.session.playback_progress(self.now, "item_a", 100.0);
    }

    /// A Gemini reply of `ms` of audio, 100 ms of it played; `complete`: generation is over.
    fn gemini_reply(&mut self, ms: usize, complete: bool) -> String {
        use base64::Engine;
        let data = base64::engine::general_purpose::STANDARD.encode(vec![0u8; ms * 48]);
        let out = self.server(json!({ "serverContent": { "modelTurn": { "parts": [{ "inlineData": { "mimeType": "audio/pcm;rate=24000", "data": data } }] } } }));
        let item = out.iter().find_map(|o| if let Output::PlayAudio { item_id, .. } = o { Some(item_id.clone()) } else { None }).expect("audio played");
        if complete {
            self.server(json!({ "serverContent": { "generationComplete": true } }));
            self.server(json!({ "serverContent": { "turnComplete": true } }));
        }
        self.session.playback_progress(self.now, &item, 100.0);
        item
    }
}

fn openai_audio(item: &str, ms: usize) -> Value {
    use base64::Engine;
    json!({ "type": "response.output_audio.delta", "event_id": format!("a_{item}_{ms}"), "response_id": "r1", "item_id": item,
            "output_index": 0, "content_index": 0, "delta": base64::engine::general_purpose::STANDARD.encode(vec![0u8; ms * 48]) })
}

fn ducks(out: &[Output]) -> usize {
    out.iter().filter(|o| matches!(o, Output::DuckPlayback)).count()
}

fn restores(out: &[Output]) -> usize {
    out.iter().filter(|o| matches!(o, Output::RestorePlayback)).count()
}

fn stops(out: &[Output]) -> Vec<String> {
    out.iter().filter_map(|o| if let Output::StopPlayback { item_id } = o { Some(item_id.clone()) } else { None }).collect()
}

fn deadline(out: &[Output]) -> Option<f64> {
    out.iter().find_map(|o| if let Output::ArmTimer { timer: Timer::BargeIn, at_ms } = o { Some(*at_ms) } else { None })
}

fn events(out: &[Output]) -> Vec<&SessionEvent> {
    out.iter().filter_map(|o| if let Output::Event(e) = o { Some(e) } else { None }).collect()
}

/// A reply whose audio stalls on the network (everything received has played, more is coming)
/// is still being heard: talking over it ducks. Once the reply is done and played out, speech
/// is a new turn, not a barge-in.
#[test]
fn a_reply_stalled_on_the_network_is_still_barged_in_on() {
    let mut h = Harness::openai(local());
    h.openai_reply(200, false);
    h.session.playback_progress(h.now, "item_a", 200.0);
    let out = h.at(1_000.0).speech(true);
    assert_eq!(ducks(&out), 1, "the gap between deltas is not the end of the reply");
    assert!(matches!(events(&out)[..], [SessionEvent::LocalSpeechStarted { ducked: true }]));

    let mut h = Harness::openai(local());
    h.openai_reply(200, true);
    h.session.playback_progress(h.now, "item_a", 200.0);
    h.drain();
    let out = h.at(1_000.0).speech(true);
    assert_eq!(ducks(&out), 0, "played out: nothing to barge in on");
    assert!(matches!(events(&out)[..], [SessionEvent::LocalSpeechStarted { ducked: false }]));
}

#[test]
fn openai_ducks_at_the_onset_and_the_servers_report_stops_and_truncates() {
    let mut h = Harness::openai(local());
    h.openai_reply(2_000, false);
    let out = h.at(1_000.0).speech(true);
    assert_eq!(ducks(&out), 1);
    assert_eq!(deadline(&out), Some(1_500.0));
    assert!(matches!(events(&out)[..], [SessionEvent::LocalSpeechStarted { ducked: true }]));
    // The server confirms within the window: stop, truncate at what was heard (the held audio
    // was not counted as played).
    h.at(1_250.0);
    let out = h.server(json!({ "type": "input_audio_buffer.speech_started", "audio_start_ms": 900, "item_id": "u1" }));
    assert_eq!(stops(&out), ["item_a"]);
    assert_eq!(restores(&out), 0);
    h.session.playback_stopped(h.now, "item_a", 105.0, 5.0);
    let out = h.drain();
    assert!(out.iter().any(|o| matches!(o, Output::Transmit(f) if f.contains("conversation.item.truncate") && f.contains("\"audio_end_ms\":100"))));
    // The deadline after the fact does nothing.
    assert!(h.at(1_500.0).timer().is_empty());
}

#[test]
fn openai_resumes_when_the_server_does_not_confirm_a_cough() {
    let mut h = Harness::openai(local());
    h.openai_reply(2_000, false);
    assert_eq!(ducks(&h.at(1_000.0).speech(true)), 1);
    let out = h.at(1_120.0).speech(false);
    assert!(matches!(events(&out)[..], [SessionEvent::LocalSpeechStopped]));
    assert_eq!(restores(&out), 0, "the server's report may still be on its way");
    // An early timer (superseded) does nothing; the due one resumes.
    assert!(h.at(1_400.0).timer().is_empty());
    let out = h.at(1_500.0).timer();
    assert_eq!((restores(&out), stops(&out).len()), (1, 0));
    // The next onset ducks again.
    assert_eq!(ducks(&h.at(2_000.0).speech(true)), 1);
}

#[test]
fn speech_that_outlasts_an_unconfirmed_duck_does_not_duck_again_until_it_stops() {
    let mut h = Harness::openai(local());
    h.openai_reply(5_000, false);
    h.at(1_000.0).speech(true);
    assert_eq!(restores(&h.at(1_500.0).timer()), 1);
    // Still the same speech (the detector did not report its end): nothing new.
    assert_eq!(ducks(&h.at(1_600.0).speech(true)), 0);
    h.at(2_000.0).speech(false);
    assert_eq!(ducks(&h.at(2_500.0).speech(true)), 1);
}

#[test]
fn nothing_playing_nothing_ducked_and_the_events_still_come() {
    let mut h = Harness::openai(local());
    let out = h.at(100.0).speech(true);
    assert_eq!(ducks(&out), 0);
    assert!(matches!(events(&out)[..], [SessionEvent::LocalSpeechStarted { ducked: false }]));
    // Played to the end: nothing to duck either.
    h.openai_reply(300, true);
    h.session.playback_progress(h.now, "item_a", 300.0);
    h.drain();
    h.at(1_000.0).speech(false);
    assert_eq!(ducks(&h.at(1_100.0).speech(true)), 0);
}

#[test]
fn local_barge_in_off_or_interruption_not_allowed_leaves_it_to_the_server() {
    for options in [None, Some(BargeInOptions { local: false, ..BargeInOptions::default() })] {
        let mut h = Harness::openai(options);
        h.openai_reply(2_000, false);
        assert!(h.at(1_000.0).speech(true).is_empty());
    }
    let mut h = Harness::openai(local());
    h.server(json!({ "type": "session.updated", "event_id": "u", "session": { "type": "realtime",
        "audio": { "input": { "turn_detection": { "type": "server_vad", "interrupt_response": false } } } } }));
    h.openai_reply(2_000, false);
    let out = h.at(1_000.0).speech(true);
    assert_eq!(ducks(&out), 0, "allowInterruption: false");
}

#[test]
fn the_app_interrupting_a_ducked_reply_stops_it_and_a_duck_with_nothing_left_is_let_go() {
    let mut h = Harness::openai(local());
    h.openai_reply(2_000, false);
    h.at(1_000.0).speech(true);
    h.session.interrupt(h.now);
    let out = h.drain();
    assert_eq!(stops(&out), ["item_a"]);
    assert!(h.at(1_500.0).timer().is_empty(), "the duck was settled by the stop");
    // Ducked, then every item already stopped by another path: the driver is told to let go.
    let mut b = LocalBargeIn::new(500);
    assert!(matches!(b.speech_started(0.0, true, true), Some(BargeInStep::Duck { until_ms }) if until_ms == 500.0));
    assert!(b.settled());
    assert!(!b.settled());
}

#[test]
fn gemini_while_generating_waits_for_interrupted() {
    let mut h = Harness::gemini(local());
    let item = h.gemini_reply(2_000, false);
    let out = h.at(1_000.0).speech(true);
    assert_eq!((ducks(&out), deadline(&out)), (1, Some(1_500.0)));
    let out = h.server(json!({ "serverContent": { "interrupted": true } }));
    assert_eq!(stops(&out), [item]);
}

#[test]
fn gemini_after_generation_the_local_detection_is_the_signal() {
    let mut h = Harness::gemini(local());
    let item = h.gemini_reply(3_000, true);
    let out = h.at(1_000.0).speech(true);
    assert_eq!(ducks(&out), 1);
    assert_eq!(deadline(&out), Some(1_000.0 + LOCAL_CONFIRM_MS));
    // Speech that lasts: stopped, and marked interrupted with the heard figures (no truncate:
    // Gemini cuts its own context).
    let out = h.at(1_000.0 + LOCAL_CONFIRM_MS).timer();
    assert_eq!(stops(&out), std::slice::from_ref(&item));
    h.session.playback_stopped(h.now, &item, 110.0, 10.0);
    let out = h.drain();
    let interrupted = events(&out).into_iter().find_map(|e| match e {
        SessionEvent::Interrupted { heard_ms, received_ms, truncated_at_ms, .. } => Some((*heard_ms, *received_ms, *truncated_at_ms)),
        _ => None,
    });
    assert_eq!(interrupted, Some((100.0, 3_000.0, None)));
    assert!(!out.iter().any(|o| matches!(o, Output::Transmit(_))));
}

#[test]
fn gemini_after_generation_a_short_burst_resumes_at_once() {
    let mut h = Harness::gemini(local());
    h.gemini_reply(3_000, true);
    assert_eq!(ducks(&h.at(1_000.0).speech(true)), 1);
    let out = h.at(1_100.0).speech(false);
    assert_eq!(restores(&out), 1);
    assert!(h.at(1_000.0 + LOCAL_CONFIRM_MS).timer().is_empty());
}

#[test]
fn gemini_generation_completing_during_the_wait_makes_lasting_speech_the_signal() {
    let mut h = Harness::gemini(local());
    let item = h.gemini_reply(3_000, false);
    h.at(1_000.0).speech(true);
    h.server(json!({ "serverContent": { "turnComplete": true } }));
    let out = h.at(1_500.0).timer();
    assert_eq!(stops(&out), [item]);
}

#[test]
fn barge_in_options_read_booleans_objects_and_name_the_bad_field() {
    let read = |v: Value| BargeInOptions::from_json_str(&v.to_string(), "options.bargeIn");
    assert_eq!(read(json!(true)).unwrap(), BargeInOptions::default());
    assert!(!read(json!(false)).unwrap().local);
    let o = read(json!({ "sensitivity": 0.8, "confirmMs": 900 })).unwrap();
    assert_eq!((o.local, o.sensitivity, o.confirm_ms), (true, 0.8, 900));
    assert_eq!(read(json!({ "local": "yes" })).unwrap_err().to_string(), "options.bargeIn.local: expected a boolean, got the string \"yes\"");
    assert!(read(json!(3)).unwrap_err().to_string().starts_with("options.bargeIn: expected true, false or {"));
    assert!(read(json!({ "confirmMs": 1.5 })).unwrap_err().to_string().starts_with("options.bargeIn.confirmMs"));
    let range = |v: Value| read(v).unwrap().out_of_range("options.bargeIn");
    assert_eq!(range(json!({ "sensitivity": 1.5 })).unwrap(), "options.bargeIn.sensitivity must be within 0–1");
    assert_eq!(range(json!({ "confirmMs": 50 })).unwrap(), "options.bargeIn.confirmMs must be within 100–5000 (got 50)");
    assert_eq!(range(json!({})), None);
}
