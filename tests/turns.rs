//! The end of a turn, natively: `stopMicrophone()` in the middle of an utterance (committed and
//! answered, never left open), and the per-response `metrics` event (end of input → first frame →
//! first audio played, underruns, jitter-buffer depth, usage), with time as an input.
#![cfg(not(target_arch = "wasm32"))]

use realtime_wasm::provider::{GeminiCodec, OpenAiCodec};
use realtime_wasm::session::{Frame, Output, Session, SessionConfig, SessionEvent, TurnReport};
use serde_json::{json, Value};

struct Harness {
    session: Session,
}

impl Harness {
    fn openai(options: Value) -> Harness {
        let config = SessionConfig { options: serde_json::from_value(options).unwrap(), playback: true, ..SessionConfig::default() };
        let mut h = Harness { session: Session::new(Box::new(OpenAiCodec::new()), config, 0.0).unwrap() };
        h.session.socket_opened(0.0);
        h.server(1.0, json!({ "type": "session.created", "event_id": "ev0", "session": { "type": "realtime", "id": "sess_1" } }));
        h
    }

    fn gemini(options: Value) -> Harness {
        let config = SessionConfig { options: serde_json::from_value(options).unwrap(), playback: true, ..SessionConfig::default() };
        let mut h = Harness { session: Session::new(Box::new(GeminiCodec::new()), config, 0.0).unwrap() };
        h.session.socket_opened(0.0);
        h.frame(1.0, r#"{"setupComplete":{}}"#);
        h
    }

    fn server(&mut self, now: f64, event: Value) -> Vec<Output> {
        self.frame(now, &event.to_string())
    }

    fn frame(&mut self, now: f64, text: &str) -> Vec<Output> {
        self.session.frame_received(now, Frame::Text(text));
        self.drain()
    }

    fn append(&mut self, now: f64) -> Vec<Output> {
        self.session.send(now, serde_json::from_value(json!({ "type": "inputAudioBufferAppend", "audio": "AAAAAA==" })).unwrap());
        self.drain()
    }

    fn drain(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.session.poll_output()).collect()
    }
}

fn sent(outputs: &[Output]) -> Vec<Value> {
    outputs.iter().filter_map(|o| if let Output::Transmit(f) = o { Some(serde_json::from_str(f).unwrap()) } else { None }).collect()
}

fn sent_types(outputs: &[Output]) -> Vec<String> {
    sent(outputs).iter().map(|e| e["type"].as_str().unwrap_or("(gemini)").to_string()).collect()
}

fn metrics(outputs: &[Output]) -> Vec<TurnReport> {
    outputs.iter().filter_map(|o| if let Output::Event(SessionEvent::Metrics(r)) = o { Some(r.clone()) } else { None }).collect()
}

fn kinds(outputs: &[Output]) -> Vec<&'static str> {
    outputs
        .iter()
        .filter_map(|o| match o {
            Output::Message(m) => Some(m.kind()),
            Output::Event(e) => Some(e.kind()),
            _ => None,
        })
        .collect()
}

fn speech_started(item: &str) -> Value {
    json!({ "type": "input_audio_buffer.speech_started", "audio_start_ms": 100, "item_id": item })
}

fn response_created(id: &str) -> Value {
    json!({ "type": "response.created", "event_id": format!("c_{id}"), "response": { "id": id, "status": "in_progress", "conversation_id": "conv_1", "output": [] } })
}

fn response_done(id: &str) -> Value {
    json!({ "type": "response.done", "event_id": format!("d_{id}"), "response": { "id": id, "status": "completed", "conversation_id": "conv_1",
            "usage": { "total_tokens": 30, "input_tokens": 10, "output_tokens": 20 } } })
}

fn text_delta(id: &str) -> Value {
    json!({ "type": "response.output_text.delta", "response_id": id, "item_id": "a1", "output_index": 0, "content_index": 0, "delta": "Hi" })
}

/// `ms` of 24 kHz PCM16 silence for item `item` of response `id`.
fn audio_delta(id: &str, item: &str, ms: usize) -> Value {
    use base64::Engine;
    json!({ "type": "response.output_audio.delta", "response_id": id, "item_id": item, "output_index": 0, "content_index": 0,
            "delta": base64::engine::general_purpose::STANDARD.encode(vec![0u8; ms * 48]) })
}

// ---- stopMicrophone() mid-utterance ------------------------------------------------------------

#[test]
fn stopping_the_microphone_mid_utterance_commits_and_asks_for_the_answer() {
    let mut h = Harness::openai(json!({}));
    h.append(10.0);
    h.server(20.0, speech_started("u1"));
    h.append(30.0);
    h.session.microphone_stopped(40.0);
    let out = h.drain();
    let commit = sent(&out);
    assert_eq!(sent_types(&out), ["input_audio_buffer.commit"]);
    let id = commit[0]["event_id"].as_str().expect("the commit carries our id").to_owned();
    // No answer is asked for until the server has the turn (it might have ended it itself).
    let out = h.server(50.0, json!({ "type": "input_audio_buffer.committed", "item_id": "u1", "previous_item_id": null }));
    assert_eq!(kinds(&out), ["inputAudioBufferCommitted"], "the app sees the turn end");
    assert_eq!(sent_types(&out), ["response.create"]);
    // A second stop (or one after the turn ended) sends nothing.
    h.session.microphone_stopped(60.0);
    assert!(sent(&h.drain()).is_empty());
    assert!(!id.is_empty());
}

#[test]
fn stopping_the_microphone_between_utterances_sends_nothing() {
    let mut h = Harness::openai(json!({}));
    h.append(10.0);
    h.session.microphone_stopped(20.0);
    assert!(sent(&h.drain()).is_empty(), "not speaking: nothing to commit");
    // Speech that the server already ended is answered by the server.
    h.append(30.0);
    h.server(40.0, speech_started("u1"));
    h.server(50.0, json!({ "type": "input_audio_buffer.speech_stopped", "audio_end_ms": 900, "item_id": "u1" }));
    h.session.microphone_stopped(60.0);
    assert!(sent(&h.drain()).is_empty());
}

#[test]
fn the_commit_racing_the_servers_own_turn_end_is_not_an_error_nor_a_second_answer() {
    let mut h = Harness::openai(json!({}));
    h.append(10.0);
    h.server(20.0, speech_started("u1"));
    h.session.microphone_stopped(30.0);
    let id = sent(&h.drain())[0]["event_id"].as_str().unwrap().to_owned();
    // The server's VAD had ended the turn: speech stopped, committed (its own), then our commit fails.
    h.server(40.0, json!({ "type": "input_audio_buffer.speech_stopped", "audio_end_ms": 900, "item_id": "u1" }));
    let out = h.server(41.0, json!({ "type": "input_audio_buffer.committed", "item_id": "u1" }));
    assert!(sent(&out).is_empty(), "the server answers its own turn: no response.create from us");
    let out = h.server(42.0, json!({ "type": "error", "event_id": "e1", "error": { "type": "invalid_request_error",
        "code": "input_audio_buffer_commit_empty", "message": "buffer too small", "event_id": id } }));
    assert!(kinds(&out).is_empty(), "our stale commit's error is not the app's: {:?}", kinds(&out));
}

#[test]
fn with_manual_turns_or_without_an_answer_stopping_commits_nothing_or_asks_nothing() {
    let mut manual = Harness::openai(json!({ "voiceActivityDetection": { "enabled": false } }));
    manual.append(10.0);
    manual.session.microphone_stopped(20.0);
    assert!(sent(&manual.drain()).is_empty(), "manual turns are the app's to commit");

    let mut quiet = Harness::openai(json!({ "voiceActivityDetection": { "createResponse": false } }));
    quiet.append(10.0);
    quiet.server(20.0, speech_started("u1"));
    quiet.session.microphone_stopped(30.0);
    assert_eq!(sent_types(&quiet.drain()), ["input_audio_buffer.commit"]);
    let out = quiet.server(40.0, json!({ "type": "input_audio_buffer.committed", "item_id": "u1" }));
    assert!(sent(&out).is_empty(), "createResponse: false: the app asks for answers");
}

#[test]
fn on_gemini_stopping_the_microphone_ends_the_audio_stream() {
    let mut h = Harness::gemini(json!({}));
    h.session.microphone_stopped(5.0);
    assert!(sent(&h.drain()).is_empty(), "no audio sent: nothing to end");
    h.append(10.0);
    h.session.microphone_stopped(20.0);
    let frames = sent(&h.drain());
    assert_eq!(frames, [json!({ "realtimeInput": { "audioStreamEnd": true } })], "Gemini's VAD closes the utterance and answers it");
}

// ---- the metrics event -------------------------------------------------------------------------

#[test]
fn a_text_turn_reports_input_to_first_frame_and_usage_after_response_done() {
    let mut h = Harness::openai(json!({ "outputModalities": ["text"] }));
    h.session.send(100.0, serde_json::from_value(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "hi" }] } })).unwrap());
    h.drain();
    h.server(150.0, response_created("r1"));
    assert!(metrics(&h.server(230.0, text_delta("r1"))).is_empty());
    h.server(260.0, text_delta("r1"));
    let out = h.server(300.0, response_done("r1"));
    assert_eq!(kinds(&out), ["responseDone", "metrics"], "after the app saw responseDone");
    let report = &metrics(&out)[0];
    assert_eq!(report.response_id.as_deref(), Some("r1"));
    assert_eq!(report.input_to_first_frame_ms, Some(130.0));
    assert_eq!((report.first_frame_to_audio_ms, report.input_to_audio_ms, report.buffer), (None, None, None));
    assert_eq!(report.usage.as_ref().and_then(|u| u.total_tokens), Some(30));
    let js = serde_json::to_value(SessionEvent::Metrics(report.clone())).unwrap();
    assert_eq!(js["type"], "metrics");
    assert_eq!(js["inputToFirstFrameMs"], 130.0);
    assert_eq!(js["underruns"], 0);
}

/// Microphone levels: voiced (0.8) every 33 ms from `from` to `to` ms, then quiet (0.1) 100 ms
/// later and again at `quiet_until`.
fn speak(h: &mut Harness, from: u32, to: u32, quiet_until: f64) {
    for t in (from..=to).step_by(33) {
        h.session.input_level(f64::from(t), 0.8);
    }
    h.session.input_level(f64::from(to) + 100.0, 0.1);
    h.session.input_level(quiet_until, 0.1);
}

#[test]
fn a_voice_turn_reports_speech_end_first_audio_underruns_and_buffer_depth_once_played_out() {
    let mut h = Harness::openai(json!({}));
    // Speech from the microphone's level: voiced 1000–2000 ms, then quiet; 200 ms after the last
    // voiced level (≥ 150) the speech ended at 1990.
    speak(&mut h, 1000, 2000, 2200.0);
    h.server(2600.0, response_created("r1"));
    let out = h.server(2700.0, audio_delta("r1", "a1", 1000));
    assert!(out.iter().any(|o| matches!(o, Output::PlayAudio { .. })));
    // The driver: 100 ms played by 2850 (so the first sample at 2750), then an underrun.
    h.session.playback_report(2850.0, "a1", 100.0, 3, 80.0);
    h.session.playback_report(3200.0, "a1", 400.0, 4, 20.0);
    let out = h.server(3300.0, response_done("r1"));
    assert!(metrics(&out).is_empty(), "its audio is still playing: {:?}", kinds(&out));
    h.session.playback_report(3900.0, "a1", 1000.0, 4, 0.0);
    let out = h.drain();
    assert_eq!(kinds(&out), ["playbackEnded", "metrics"]);
    let report = &metrics(&out)[0];
    let input_end = 1000.0 + 33.0 * 30.0; // the last voiced level
    assert_eq!(report.input_to_first_frame_ms, Some(2700.0 - input_end));
    assert_eq!(report.first_frame_to_audio_ms, Some(50.0));
    assert_eq!(report.input_to_audio_ms, Some(2750.0 - input_end));
    assert_eq!(report.underruns, 1, "counted from the first report of this response");
    let buffer = report.buffer.expect("depth reported");
    assert_eq!((buffer.min_ms, buffer.max_ms), (0.0, 80.0));
    assert!((buffer.avg_ms - 100.0 / 3.0).abs() < 1e-9);
    assert_eq!(report.played_ms, 1000.0);
}

#[test]
fn first_audio_is_never_placed_before_the_first_frame_when_the_audio_clock_runs_ahead() {
    let mut h = Harness::openai(json!({}));
    speak(&mut h, 0, 330, 600.0); // the speech ended at 330
    h.server(700.0, response_created("r1"));
    h.server(800.0, audio_delta("r1", "a1", 1000));
    // A device that renders in bursts: 30 ms reported played 20 ms after the frame arrived.
    h.session.playback_report(820.0, "a1", 30.0, 0, 50.0);
    h.server(900.0, response_done("r1"));
    h.session.playback_report(1900.0, "a1", 1000.0, 0, 0.0);
    let out = h.drain();
    let report = &metrics(&out)[0];
    assert_eq!(report.input_to_first_frame_ms, Some(470.0));
    assert_eq!(report.first_frame_to_audio_ms, Some(0.0));
    assert_eq!(report.input_to_audio_ms, Some(470.0), "input → audio is input → frame + frame → audio, not 10 ms less");
}

#[test]
fn a_cut_response_reports_at_once_and_short_clicks_are_not_speech() {
    let mut h = Harness::openai(json!({}));
    h.session.input_level(500.0, 0.9); // a 60 ms click
    h.session.input_level(560.0, 0.9);
    h.session.input_level(800.0, 0.0);
    h.server(1000.0, response_created("r1"));
    h.server(1100.0, audio_delta("r1", "a1", 2000));
    h.session.playback_report(1300.0, "a1", 150.0, 0, 60.0);
    h.server(1400.0, response_done("r1"));
    // Barge-in: playback stops at 300 ms played.
    h.server(1500.0, speech_started("u2"));
    h.session.playback_stopped(1510.0, "a1", 300.0, 20.0);
    let out = h.drain();
    assert_eq!(kinds(&out)[..2], ["interrupted", "metrics"]);
    let report = &metrics(&out)[0];
    assert_eq!(report.input_to_first_frame_ms, None, "a click is not user input");
    assert_eq!(report.first_frame_to_audio_ms, Some(50.0));
    assert_eq!(report.played_ms, 300.0);
}

#[test]
fn a_report_waiting_for_playback_goes_out_when_the_next_response_starts() {
    let mut h = Harness::openai(json!({}));
    h.server(100.0, response_created("r1"));
    h.server(200.0, audio_delta("r1", "a1", 500));
    h.server(300.0, response_done("r1"));
    // Playback never reported (no driver): the next response flushes the first report.
    let out = h.server(400.0, response_created("r2"));
    assert_eq!(kinds(&out), ["responseCreated", "metrics"]);
    assert_eq!(metrics(&out)[0].response_id.as_deref(), Some("r1"));
}
