//! The sans-IO session, scripted natively: states, queueing, the response tracker, function invocation,
//! middleware, effective options.
#![cfg(not(target_arch = "wasm32"))]

use realtime_wasm::model::{ClientMessage, ServerMessage, SessionOptions, Tool};
use realtime_wasm::provider::OpenAiCodec;
use realtime_wasm::session::{
    ConnectionState, Frame, InvocationOptions, LogLevel, LoggingMiddleware, Middleware, Output, Session,
    SessionConfig, SessionEvent, Ticket, Timer, FAILED_TEXT, NOT_FOUND_TEXT,
};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;

struct Harness {
    session: Session,
    now: f64,
}

fn config(options: Value, handlers: &[&str], invocation: InvocationOptions) -> SessionConfig {
    SessionConfig {
        options: serde_json::from_value(options).unwrap(),
        invocation,
        tool_handlers: handlers.iter().map(|s| s.to_string()).collect(),
        connect_timeout_ms: 5_000.0,
        playback: true,
        reconnect: None,
        jitter_seed: 0,
        max_frame_bytes: Some(64 << 10),
        barge_in: None,
    }
}

impl Harness {
    fn new(config: SessionConfig) -> Self {
        Harness { session: Session::new(Box::new(OpenAiCodec::new()), config, 0.0).unwrap(), now: 0.0 }
    }

    fn with_tools(handlers: &[&str], invocation: InvocationOptions) -> Self {
        let mut h = Harness::new(config(json!({}), handlers, invocation));
        h.open();
        h
    }

    fn open(&mut self) -> Vec<Output> {
        self.session.socket_opened(self.now);
        self.server(json!({ "type": "session.created", "event_id": "ev0", "session": { "type": "realtime", "id": "sess_1" } }))
    }

    fn server(&mut self, event: Value) -> Vec<Output> {
        self.now += 1.0;
        self.session.frame_received(self.now, Frame::Text(&event.to_string()));
        self.drain()
    }

    fn send(&mut self, message: Value) -> (Ticket, Vec<Output>) {
        self.now += 1.0;
        let ticket = self.session.send(self.now, serde_json::from_value(message).unwrap());
        (ticket, self.drain())
    }

    fn drain(&mut self) -> Vec<Output> {
        std::iter::from_fn(|| self.session.poll_output()).collect()
    }

    fn finish(&mut self, call_id: &str, outcome: Result<Value, String>) -> Vec<Output> {
        self.now += 10.0;
        self.session.tool_finished(self.now, call_id, outcome.map(Into::into));
        self.drain()
    }
}

fn sent(outputs: &[Output]) -> Vec<Value> {
    outputs.iter().filter_map(|o| if let Output::Transmit(f) = o { Some(serde_json::from_str(f).unwrap()) } else { None }).collect()
}

fn sent_types(outputs: &[Output]) -> Vec<String> {
    sent(outputs).iter().map(|e| e["type"].as_str().unwrap().to_string()).collect()
}

fn messages(outputs: &[Output]) -> Vec<&'static str> {
    outputs.iter().filter_map(|o| if let Output::Message(m) = o { Some(m.kind()) } else { None }).collect()
}

fn events(outputs: &[Output]) -> Vec<&SessionEvent> {
    outputs.iter().filter_map(|o| if let Output::Event(e) = o { Some(e) } else { None }).collect()
}

fn error_codes(outputs: &[Output]) -> Vec<String> {
    events(outputs)
        .into_iter()
        .filter_map(|e| if let SessionEvent::Error { error, .. } = e { error.code.clone() } else { None })
        .collect()
}

fn settled(outputs: &[Output], ticket: Ticket) -> Option<Result<(), String>> {
    outputs.iter().find_map(|o| match o {
        Output::Settled { ticket: t, result } if *t == ticket => Some(result.clone().map_err(|e| e.code.to_string())),
        _ => None,
    })
}

fn runs(outputs: &[Output]) -> Vec<(String, String, Value)> {
    outputs
        .iter()
        .filter_map(|o| if let Output::RunTool(r) = o { Some((r.call_id.clone(), r.name.clone(), serde_json::to_value(&r.arguments).unwrap())) } else { None })
        .collect()
}

fn response_created(id: &str) -> Value {
    json!({ "type": "response.created", "event_id": format!("c_{id}"), "response": { "id": id, "status": "in_progress", "conversation_id": "conv_1", "output": [] } })
}

fn response_done(id: &str) -> Value {
    json!({ "type": "response.done", "event_id": format!("d_{id}"), "response": { "id": id, "status": "completed", "conversation_id": "conv_1" } })
}

fn call_item_done(response: &str, call_id: &str, name: &str, arguments: &str) -> Value {
    json!({ "type": "response.output_item.done", "event_id": format!("o_{call_id}"), "response_id": response, "output_index": 0,
            "item": { "id": format!("item_{call_id}"), "type": "function_call", "status": "completed", "call_id": call_id, "name": name, "arguments": arguments } })
}

// ---- connection states --------------------------------------------------------------------

#[test]
fn connecting_opens_on_session_created_then_closes_cleanly() {
    let mut h = Harness::new(config(json!({ "instructions": "be brief" }), &[], InvocationOptions::default()));
    let armed = h.drain();
    assert!(matches!(armed[..], [Output::ArmTimer { timer: Timer::ConnectTimeout, at_ms }] if at_ms == 5_000.0));
    assert_eq!(h.session.state(), ConnectionState::Connecting);
    let out = h.open();
    assert_eq!(h.session.state(), ConnectionState::Open);
    assert!(matches!(events(&out)[0], SessionEvent::StateChange { state: ConnectionState::Open, previous: ConnectionState::Connecting }));
    assert_eq!(messages(&out), ["sessionCreated"]);
    assert_eq!(sent_types(&out), ["session.update"], "the app's options go first");
    assert_eq!(sent(&out)[0]["session"]["instructions"], "be brief");

    h.session.close(h.now);
    let out = h.drain();
    assert_eq!(h.session.state(), ConnectionState::Closing);
    assert!(out.iter().any(|o| matches!(o, Output::CloseSocket { code: 1000, .. })));
    h.session.close(h.now); // idempotent
    assert!(h.drain().is_empty());
    h.session.socket_closed(h.now, 1000, "client closed", true);
    let out = h.drain();
    assert_eq!(h.session.state(), ConnectionState::Closed);
    assert!(error_codes(&out).is_empty(), "a close we asked for is no error");
    assert!(matches!(events(&out).last(), Some(SessionEvent::Close { code: 1000, was_clean: true, .. })));
    h.session.socket_closed(h.now, 1000, "", true);
    assert!(h.drain().is_empty(), "closed twice: nothing more");
}

#[test]
fn messages_sent_before_open_are_queued_and_flushed_in_order() {
    let mut h = Harness::new(config(json!({}), &[], InvocationOptions::default()));
    h.drain();
    let (t1, out1) = h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "one" }] } }));
    let (t2, out2) = h.send(json!({ "type": "createResponse" }));
    assert!(sent(&out1).is_empty() && sent(&out2).is_empty(), "nothing leaves before open");
    let out = h.open();
    assert_eq!(sent_types(&out), ["conversation.item.create", "response.create"]);
    assert_eq!(settled(&out, t1), Some(Ok(())));
    assert_eq!(settled(&out, t2), Some(Ok(())));
}

#[test]
fn a_bad_message_is_rejected_at_once_even_before_open() {
    let mut h = Harness::new(config(json!({}), &[], InvocationOptions::default()));
    h.drain();
    let (ticket, out) = h.send(json!({ "type": "createResponse", "maxOutputTokens": 0 }));
    let Some(Output::Settled { result: Err(e), .. }) = out.iter().find(|o| matches!(o, Output::Settled { ticket: t, .. } if *t == ticket)) else { panic!("{out:?}") };
    assert_eq!(e.field.as_deref(), Some("maxOutputTokens"));
    assert!(sent(&h.open()).is_empty(), "nothing of it is sent later");
}

#[test]
fn a_failed_connection_rejects_what_was_queued() {
    let mut h = Harness::new(config(json!({}), &[], InvocationOptions::default()));
    h.drain();
    let (ticket, _) = h.send(json!({ "type": "inputAudioBufferCommit" }));
    h.session.socket_closed(h.now, 3000, "invalid_request_error.invalid_api_key", false);
    let out = h.drain();
    assert_eq!(settled(&out, ticket), Some(Err("connection_failed".into())));
    assert_eq!(error_codes(&out), ["connection_failed"]);
    assert_eq!(h.session.state(), ConnectionState::Closed);
    let (late, out) = h.send(json!({ "type": "inputAudioBufferCommit" }));
    assert_eq!(settled(&out, late), Some(Err("session_closed".into())));
}

#[test]
fn connect_timeout_gives_up() {
    let mut h = Harness::new(config(json!({}), &[], InvocationOptions::default()));
    h.drain();
    h.session.timer_fired(5_000.0, Timer::ConnectTimeout);
    let out = h.drain();
    assert_eq!(error_codes(&out), ["connect_timeout"]);
    assert_eq!(h.session.state(), ConnectionState::Closing);
    // Fired after open, it does nothing.
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.session.timer_fired(5_000.0, Timer::ConnectTimeout);
    assert!(h.drain().is_empty());
}

#[test]
fn an_unexpected_server_close_is_an_error_then_a_close() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.session.socket_closed(h.now, 1011, "Internal error", false);
    let out = h.drain();
    assert_eq!(error_codes(&out), ["connection_closed"]);
    assert!(matches!(events(&out).last(), Some(SessionEvent::Close { code: 1011, .. })));
}

#[test]
fn undecodable_frames_are_error_events_and_the_session_stays_open() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.session.frame_received(h.now, Frame::Text("{nope"));
    let out = h.drain();
    assert_eq!(error_codes(&out), ["decode_error"]);
    assert_eq!(h.session.state(), ConnectionState::Open);
    assert_eq!(messages(&h.server(json!({ "type": "input_audio_buffer.cleared" }))), ["inputAudioBufferCleared"]);
}

#[test]
fn bad_messages_are_rejected_with_the_field_named() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    let (ticket, out) = h.send(json!({ "type": "sessionUpdate", "options": { "maxOutputTokens": 99999 } }));
    let Some(Output::Settled { result: Err(e), .. }) = out.iter().find(|o| matches!(o, Output::Settled { ticket: t, .. } if *t == ticket)) else { panic!() };
    assert_eq!(e.field.as_deref(), Some("options.maxOutputTokens"));
    assert!(sent(&out).is_empty());
}

// ---- the response tracker ----------------------------------------------------------------

#[test]
fn create_response_waits_while_a_response_is_active() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.server(response_created("resp_1"));
    let (ticket, out) = h.send(json!({ "type": "createResponse", "instructions": "later" }));
    assert!(sent(&out).is_empty() && settled(&out, ticket).is_none(), "parked");
    assert_eq!(h.session.waiting_responses(), 1);
    // Out-of-band responses go at once.
    let (oob, out) = h.send(json!({ "type": "createResponse", "excludeFromConversation": true }));
    assert_eq!(sent(&out)[0]["response"]["conversation"], "none");
    assert_eq!(settled(&out, oob), Some(Ok(())));
    let out = h.server(response_done("resp_1"));
    assert_eq!(messages(&out), ["responseDone"]);
    assert_eq!(sent(&out)[0]["response"]["instructions"], "later");
    assert_eq!(settled(&out, ticket), Some(Ok(())));
    // And a second one waits for the one just sent.
    let (_, out) = h.send(json!({ "type": "createResponse" }));
    assert!(sent(&out).is_empty(), "the previous request is still in flight");
}

#[test]
fn a_busy_refusal_of_our_own_request_never_reaches_the_app() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    let (_, out) = h.send(json!({ "type": "createResponse" }));
    let id = sent(&out)[0]["event_id"].as_str().unwrap().to_string();
    // A VAD-started response raced ours.
    h.server(response_created("resp_vad"));
    let out = h.server(json!({ "type": "error", "event_id": "e9", "error": { "type": "invalid_request_error",
        "code": "conversation_already_has_active_response", "message": "busy", "event_id": id } }));
    assert!(messages(&out).is_empty(), "swallowed");
    let out = h.server(response_done("resp_vad"));
    assert_eq!(sent_types(&out), ["response.create"], "retried after the racing response");
    // Someone else's busy error does reach the app.
    let out = h.server(json!({ "type": "error", "error": { "type": "invalid_request_error",
        "code": "conversation_already_has_active_response", "message": "busy", "event_id": "app_raw_7" } }));
    assert_eq!(messages(&out), ["error"]);
}

#[test]
fn a_tool_result_racing_a_vad_response_waits_for_it() {
    let mut h = Harness::with_tools(&["lookup"], InvocationOptions::default());
    h.server(response_created("resp_1"));
    let out = h.server(call_item_done("resp_1", "call_1", "lookup", "{\"q\":1}"));
    assert_eq!(runs(&out).len(), 1);
    h.server(response_done("resp_1"));
    // The user speaks; server VAD starts a response while the tool still runs... with interruption
    // off, so the call is not cancelled.
    h.server(json!({ "type": "session.updated", "session": { "type": "realtime", "audio": { "input": { "turn_detection": { "type": "server_vad", "interrupt_response": false } } } } }));
    h.server(response_created("resp_vad"));
    let out = h.finish("call_1", Ok(json!({ "n": 1 })));
    assert_eq!(sent_types(&out), ["conversation.item.create"], "the result goes, the response waits");
    let out = h.server(response_done("resp_vad"));
    assert_eq!(sent_types(&out), ["response.create"]);
}

/// Issue 12 item 7: the server's VAD starts a response just as the app asks for one with its own
/// tool list; the server refuses the app's request as busy (before or after announcing its own
/// response). The VAD response is the server's, not the app's: it must not inherit the app's tool
/// list; the app's request, sent again after it, gets its response — with the list.
#[test]
fn a_vad_response_racing_an_app_request_does_not_inherit_its_tool_list() {
    let busy = |id: &str| json!({ "type": "error", "event_id": "e_busy", "error": { "type": "invalid_request_error",
        "code": "conversation_already_has_active_response", "message": "busy", "event_id": id } });
    for refusal_first in [false, true] {
        let mut h = Harness::with_tools(&["a", "b"], InvocationOptions::default());
        let (ticket, out) = h.send(json!({ "type": "createResponse", "tools": [{ "type": "function", "name": "a" }] }));
        assert_eq!(settled(&out, ticket), Some(Ok(())));
        let id = sent(&out)[0]["event_id"].as_str().unwrap().to_string();
        if refusal_first {
            assert!(messages(&h.server(busy(&id))).is_empty(), "swallowed");
            h.server(response_created("resp_vad"));
        } else {
            h.server(response_created("resp_vad"));
            assert!(messages(&h.server(busy(&id))).is_empty(), "swallowed");
        }
        let out = h.server(call_item_done("resp_vad", "c1", "b", "{}"));
        let names: Vec<String> = runs(&out).into_iter().map(|r| r.1).collect();
        assert_eq!(names, ["b"], "the VAD response has every tool (refusal first: {refusal_first})");
        let out = h.server(response_done("resp_vad"));
        let retried = sent(&out);
        assert_eq!(retried.len(), 1, "the app's request goes again: {retried:?}");
        assert_eq!(retried[0]["response"]["tools"][0]["name"], "a");
        h.server(response_created("resp_app"));
        let out = h.server(call_item_done("resp_app", "c2", "b", "{}"));
        assert!(runs(&out).is_empty(), "b is not among the app's response's tools (refusal first: {refusal_first})");
        h.server(call_item_done("resp_app", "c3", "a", "{}"));
        // Serial invocation: c3 starts once c1 (the VAD response's) has finished.
        let out = h.finish("c1", Ok(json!(1)));
        let started: Vec<String> = runs(&out).into_iter().map(|r| r.0).collect();
        assert_eq!(started, ["c3"], "a is among the app's response's tools (refusal first: {refusal_first})");
    }
}

// ---- function invocation ----------------------------------------------------------------

#[test]
fn a_registered_tool_runs_after_the_app_sees_the_call_and_answers_once() {
    let mut h = Harness::with_tools(&["weather"], InvocationOptions::default());
    h.server(response_created("resp_1"));
    let out = h.server(call_item_done("resp_1", "call_1", "weather", "{\"city\":\"Oslo\"}"));
    let message_at = out.iter().position(|o| matches!(o, Output::Message(ServerMessage::ResponseOutputItemDone(_)))).unwrap();
    let run_at = out.iter().position(|o| matches!(o, Output::RunTool(_))).unwrap();
    assert!(message_at < run_at, "the app sees the call first");
    assert_eq!(runs(&out), [("call_1".to_string(), "weather".to_string(), json!({ "city": "Oslo" }))]);
    assert!(matches!(events(&out)[0], SessionEvent::ToolCallStarted { .. }));
    // The stream keeps flowing while the handler runs.
    assert_eq!(messages(&h.server(json!({ "type": "rate_limits.updated", "rate_limits": [] }))), ["rateLimitsUpdated"]);
    let out = h.server(response_done("resp_1"));
    assert!(sent(&out).is_empty(), "still running");
    let out = h.finish("call_1", Ok(json!({ "temp": 3 })));
    let frames = sent(&out);
    assert_eq!(sent_types(&out), ["conversation.item.create", "response.create"]);
    assert_eq!(frames[0]["item"], json!({ "type": "function_call_output", "call_id": "call_1", "output": "{\"temp\":3}" }));
    assert!(frames[1].get("response").is_none(), "modalities left to the session");
    assert!(events(&out).iter().any(|e| matches!(e, SessionEvent::ToolCallCompleted { result: Some(_), cancelled: false, duration_ms, .. } if *duration_ms > 0.0)));
    // The result of a call never made is ignored.
    assert!(h.finish("call_x", Ok(json!(1))).is_empty());
}

#[test]
fn serial_invocation_runs_one_call_at_a_time_concurrent_runs_all() {
    for concurrent in [false, true] {
        let mut h = Harness::with_tools(&["a", "b"], InvocationOptions { allow_concurrent_invocation: concurrent, ..Default::default() });
        h.server(response_created("resp_1"));
        let mut started = runs(&h.server(call_item_done("resp_1", "c1", "a", "{}")));
        started.extend(runs(&h.server(call_item_done("resp_1", "c2", "b", "{}"))));
        h.server(response_done("resp_1"));
        if concurrent {
            assert_eq!(started.len(), 2);
        } else {
            assert_eq!(started.len(), 1);
            let out = h.finish("c1", Ok(json!("A")));
            assert_eq!(runs(&out).len(), 1, "the next starts when the first ends");
            assert!(sent(&out).is_empty());
            let out = h.finish("c2", Ok(json!("B")));
            assert_eq!(sent_types(&out), ["conversation.item.create", "conversation.item.create", "response.create"]);
            continue;
        }
        h.finish("c2", Ok(json!("B")));
        let out = h.finish("c1", Ok(json!("A")));
        let frames = sent(&out);
        assert_eq!(frames.len(), 3);
        assert_eq!((frames[0]["item"]["call_id"].as_str(), frames[1]["item"]["call_id"].as_str()), (Some("c1"), Some("c2")), "results in call order");
    }
}

#[test]
fn an_unknown_tool_gets_a_not_found_result_or_stops_when_configured() {
    let mut h = Harness::with_tools(&["known"], InvocationOptions::default());
    h.server(response_created("r"));
    let out = h.server(call_item_done("r", "c1", "mystery", "{}"));
    assert!(runs(&out).is_empty(), "only registered handlers run");
    let out = h.server(response_done("r"));
    assert_eq!(sent(&out)[0]["item"]["output"], json!({ "error": NOT_FOUND_TEXT }).to_string());

    let mut h = Harness::with_tools(&["known"], InvocationOptions { terminate_on_unknown_calls: true, ..Default::default() });
    h.server(response_created("r"));
    let out = h.server(call_item_done("r", "c1", "mystery", "{}"));
    assert_eq!(error_codes(&out), ["unknown_tool"]);
    assert!(sent(&h.server(response_done("r"))).is_empty(), "nothing sent back");
}

#[test]
fn handler_errors_are_generic_unless_detailed_errors_are_on() {
    for detailed in [false, true] {
        let mut h = Harness::with_tools(&["f"], InvocationOptions { include_detailed_errors: detailed, ..Default::default() });
        h.server(response_created("r"));
        h.server(call_item_done("r", "c1", "f", "{}"));
        h.server(response_done("r"));
        let out = h.finish("c1", Err("db password wrong".into()));
        let output = sent(&out)[0]["item"]["output"].as_str().unwrap().to_string();
        if detailed {
            assert!(output.contains("db password wrong"));
        } else {
            assert_eq!(output, json!({ "error": FAILED_TEXT }).to_string());
        }
        assert!(events(&out).iter().any(|e| matches!(e, SessionEvent::ToolCallCompleted { error: Some(m), .. } if m == "db password wrong")), "the app always sees the detail");
    }
}

#[test]
fn bad_argument_json_is_an_error_result_not_a_run() {
    let mut h = Harness::with_tools(&["f"], InvocationOptions::default());
    h.server(response_created("r"));
    let out = h.server(call_item_done("r", "c1", "f", "{\"city\": Oslo"));
    assert!(runs(&out).is_empty());
    let output = sent(&h.server(response_done("r")))[0]["item"]["output"].as_str().unwrap().to_string();
    assert!(output.contains("not valid JSON"), "{output}");
}

#[test]
fn consecutive_errors_stop_invocation_for_the_turn() {
    let mut h = Harness::with_tools(&["f"], InvocationOptions { max_consecutive_errors: 1, ..Default::default() });
    h.server(response_created("r1"));
    h.server(call_item_done("r1", "c1", "f", "{}"));
    h.server(response_done("r1"));
    assert_eq!(sent_types(&h.finish("c1", Err("x".into()))), ["conversation.item.create", "response.create"], "first error: reported to the model");
    h.server(response_created("r2"));
    h.server(call_item_done("r2", "c2", "f", "{}"));
    let out = h.finish("c2", Err("x".into()));
    assert_eq!(error_codes(&out), ["too_many_tool_errors"]);
    assert!(sent(&h.server(response_done("r2"))).is_empty());
    h.server(response_created("r3"));
    assert!(runs(&h.server(call_item_done("r3", "c3", "f", "{}"))).is_empty(), "halted for this turn");
    // A new user turn resets it.
    h.server(response_done("r3"));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "again" }] } }));
    h.server(response_created("r4"));
    assert_eq!(runs(&h.server(call_item_done("r4", "c4", "f", "{}"))).len(), 1);
}

#[test]
fn max_iterations_are_per_user_turn() {
    let mut h = Harness::with_tools(&["f"], InvocationOptions { max_iterations_per_turn: 2, ..Default::default() });
    let round = |h: &mut Harness, n: usize| -> usize {
        let (r, c) = (format!("r{n}"), format!("c{n}"));
        h.server(response_created(&r));
        let started = runs(&h.server(call_item_done(&r, &c, "f", "{}"))).len();
        h.server(response_done(&r));
        if started == 1 {
            h.finish(&c, Ok(json!(n)));
        }
        started
    };
    assert_eq!((round(&mut h, 1), round(&mut h, 2)), (1, 1));
    h.server(response_created("r3"));
    let out = h.server(call_item_done("r3", "c3", "f", "{}"));
    assert!(runs(&out).is_empty(), "third round in one turn is not invoked");
    let errors: Vec<&str> =
        events(&out).into_iter().filter_map(|e| if let SessionEvent::Error { error, .. } = e { Some(error.message.as_str()) } else { None }).collect();
    assert_eq!(errors, ["not invoking f: 2 tool rounds already this turn (maxIterationsPerTurn)"]);
    h.server(response_done("r3"));
    // Audio committed by the server's VAD is a new user turn.
    h.server(json!({ "type": "input_audio_buffer.committed", "item_id": "item_u" }));
    assert_eq!(round(&mut h, 4), 1);
}

#[test]
fn per_response_tools_are_honoured() {
    let mut h = Harness::with_tools(&["a", "b"], InvocationOptions::default());
    let tool = |name: &str| json!({ "type": "function", "name": name });
    h.send(json!({ "type": "createResponse", "tools": [tool("a")] }));
    h.server(response_created("r"));
    let out = h.server(call_item_done("r", "c1", "b", "{}"));
    assert!(runs(&out).is_empty(), "b is not among this response's tools");
    let out = h.server(call_item_done("r", "c2", "a", "{}"));
    assert_eq!(runs(&out).len(), 1);
}

#[test]
fn barge_in_cancels_running_tools_and_drops_their_results() {
    let mut h = Harness::with_tools(&["slow"], InvocationOptions::default());
    h.server(response_created("r"));
    h.server(call_item_done("r", "c1", "slow", "{}"));
    h.server(response_done("r"));
    let out = h.server(json!({ "type": "input_audio_buffer.speech_started", "audio_start_ms": 100, "item_id": "u2" }));
    assert_eq!(messages(&out), ["inputAudioBufferSpeechStarted"]);
    assert!(out.iter().any(|o| matches!(o, Output::CancelTool { call_id } if call_id == "c1")));
    assert!(events(&out).iter().any(|e| matches!(e, SessionEvent::ToolCallCompleted { cancelled: true, .. })));
    assert!(h.finish("c1", Ok(json!("late"))).is_empty(), "the late result is dropped");
    assert!(h.session.pending_tool_calls().is_empty());
}

#[test]
fn provider_cancellation_drops_only_the_named_calls() {
    let mut h = Harness::with_tools(&["f"], InvocationOptions { allow_concurrent_invocation: true, ..Default::default() });
    h.server(response_created("r"));
    h.server(call_item_done("r", "c1", "f", "{}"));
    h.server(call_item_done("r", "c2", "f", "{}"));
    h.server(response_done("r"));
    h.session.cancel_tool_calls(h.now, &["c1".to_string()]);
    assert!(h.drain().iter().any(|o| matches!(o, Output::CancelTool { call_id } if call_id == "c1")));
    let out = h.finish("c2", Ok(json!(2)));
    let frames = sent(&out);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0]["item"]["call_id"], "c2");
}

#[test]
fn interrupt_cancels_tools_and_the_active_response() {
    let mut h = Harness::with_tools(&["f"], InvocationOptions::default());
    h.server(response_created("r"));
    h.server(call_item_done("r", "c1", "f", "{}"));
    h.session.interrupt(h.now);
    let out = h.drain();
    assert!(out.iter().any(|o| matches!(o, Output::CancelTool { .. })));
    assert_eq!(sent_types(&out), ["response.cancel"]);
}

// ---- middleware and options --------------------------------------------------------------

struct Recorder {
    name: &'static str,
    log: Rc<RefCell<Vec<String>>>,
    drop_kind: Option<&'static str>,
}

impl Middleware for Recorder {
    fn name(&self) -> &str {
        self.name
    }
    fn on_send(&mut self, message: ClientMessage) -> Option<ClientMessage> {
        self.log.borrow_mut().push(format!("{} send {}", self.name, message.kind()));
        if let ClientMessage::CreateResponse(mut r) = message {
            r.instructions = Some(format!("{}+{}", r.instructions.unwrap_or_default(), self.name));
            return Some(ClientMessage::CreateResponse(r));
        }
        Some(message)
    }
    fn on_receive(&mut self, message: ServerMessage) -> Option<ServerMessage> {
        self.log.borrow_mut().push(format!("{} receive {}", self.name, message.kind()));
        (Some(message.kind()) != self.drop_kind).then_some(message)
    }
}

#[test]
fn middleware_runs_in_order_and_may_transform_or_drop() {
    let log = Rc::new(RefCell::new(Vec::new()));
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.session.add_middleware(Box::new(Recorder { name: "outer", log: log.clone(), drop_kind: None }));
    h.session.add_middleware(Box::new(Recorder { name: "inner", log: log.clone(), drop_kind: Some("rateLimitsUpdated") }));
    let (_, out) = h.send(json!({ "type": "createResponse" }));
    assert_eq!(sent(&out)[0]["response"]["instructions"], "+outer+inner", "outer transforms first on the way out");
    let out = h.server(json!({ "type": "input_audio_buffer.cleared" }));
    assert_eq!(messages(&out), ["inputAudioBufferCleared"]);
    assert!(messages(&h.server(json!({ "type": "rate_limits.updated", "rate_limits": [] }))).is_empty(), "dropped by inner");
    assert_eq!(
        *log.borrow(),
        ["outer send createResponse", "inner send createResponse", "inner receive inputAudioBufferCleared",
         "outer receive inputAudioBufferCleared", "inner receive rateLimitsUpdated"]
    );
}

#[test]
fn logging_never_prints_audio_bytes() {
    let lines = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = lines.clone();
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.session.add_middleware(Box::new(LoggingMiddleware::new(LogLevel::Trace, move |_, line| sink.borrow_mut().push(line.to_string()))));
    let audio = "QUJDREVGR0hJSktMTU5PUA=="; // 16 bytes
    h.send(json!({ "type": "inputAudioBufferAppend", "audio": audio }));
    h.server(json!({ "type": "response.output_audio.delta", "item_id": "i", "delta": audio }));
    let lines = lines.borrow();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| !l.contains(audio) && l.contains("<16 bytes>")), "{lines:?}");
    // Debug level: types and ids only.
    let quiet = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = quiet.clone();
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.session.add_middleware(Box::new(LoggingMiddleware::new(LogLevel::Debug, move |_, line| sink.borrow_mut().push(line.to_string()))));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "secret plan" }] } }));
    assert!(quiet.borrow().iter().all(|l| !l.contains("secret plan")));
    assert_eq!(quiet.borrow().len(), 1);
}

#[test]
fn effective_options_follow_the_server_and_keep_client_tools() {
    let tool = json!({ "type": "function", "name": "f", "parameters": { "type": "object" } });
    let mut h = Harness::new(config(json!({ "tools": [tool], "instructions": "mine" }), &["f"], InvocationOptions::default()));
    h.open();
    h.server(json!({ "type": "session.updated", "session": { "type": "realtime", "instructions": "server's view", "output_modalities": ["text"] } }));
    let options: &SessionOptions = h.session.options();
    assert_eq!(options.instructions.as_deref(), Some("server's view"));
    assert_eq!(options.tools.as_ref().map(Vec::len), Some(1), "client tools kept");
    // registerTool declares the new tool alongside the old ones.
    h.now += 1.0;
    h.session.register_tool(h.now, Tool::Function { name: "g".into(), description: None, parameters: None });
    let out = h.drain();
    let frames = sent(&out);
    let names: Vec<&str> = frames[0]["session"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["f", "g"]);
    // unregisterTool declares the others, in order.
    h.now += 1.0;
    h.session.unregister_tool(h.now, "f");
    let frames = sent(&h.drain());
    let names: Vec<&str> = frames[0]["session"]["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["g"]);
}

// ---- playback accounting and barge-in ------------------------------------------------------

fn audio_delta(item: &str, response: &str, ms: usize) -> Value {
    use base64::Engine;
    let bytes = vec![0u8; ms * 48]; // 24 kHz PCM16: 48 bytes per ms
    json!({ "type": "response.output_audio.delta", "event_id": format!("a_{item}_{ms}"), "response_id": response, "item_id": item,
            "output_index": 0, "content_index": 0, "delta": base64::engine::general_purpose::STANDARD.encode(bytes) })
}

fn plays(outputs: &[Output]) -> Vec<(String, usize)> {
    outputs.iter().filter_map(|o| if let Output::PlayAudio { item_id, audio } = o { Some((item_id.clone(), audio.len())) } else { None }).collect()
}

fn stops(outputs: &[Output]) -> Vec<String> {
    outputs.iter().filter_map(|o| if let Output::StopPlayback { item_id } = o { Some(item_id.clone()) } else { None }).collect()
}

#[test]
fn barge_in_stops_playback_and_truncates_to_what_was_heard() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.server(response_created("r1"));
    assert_eq!(plays(&h.server(audio_delta("item_a", "r1", 600))), [("item_a".to_string(), 600 * 48)]);
    h.server(audio_delta("item_a", "r1", 400));
    h.session.playback_progress(h.now, "item_a", 300.0);
    let out = h.server(json!({ "type": "input_audio_buffer.speech_started", "audio_start_ms": 900, "item_id": "u1" }));
    assert_eq!(messages(&out), ["inputAudioBufferSpeechStarted"]);
    assert_eq!(stops(&out), ["item_a"]);
    // A late delta of the interrupted item reaches the app but is not played.
    let out = h.server(audio_delta("item_a", "r1", 200));
    assert_eq!(messages(&out), ["outputAudioDelta"]);
    assert!(plays(&out).is_empty());
    h.session.playback_stopped(h.now, "item_a", 512.4, 40.0);
    let out = h.drain();
    let truncate = &sent(&out)[0];
    assert_eq!(truncate["type"], "conversation.item.truncate");
    assert_eq!((truncate["item_id"].as_str(), truncate["audio_end_ms"].as_u64()), (Some("item_a"), Some(472)));
    let interrupted = events(&out).into_iter().find(|e| matches!(e, SessionEvent::Interrupted { .. })).expect("interrupted event");
    let SessionEvent::Interrupted { received_ms, heard_ms, truncated_at_ms, .. } = interrupted else { unreachable!() };
    assert_eq!((*received_ms, *truncated_at_ms), (1_000.0, Some(472)), "late audio is not counted as received");
    assert!((heard_ms - 472.4).abs() < 1e-9);
    // A new response plays again.
    h.server(response_created("r2"));
    assert_eq!(plays(&h.server(audio_delta("item_b", "r2", 100))).len(), 1);
}

#[test]
fn nothing_is_truncated_when_the_item_was_heard_to_the_end() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.server(response_created("r1"));
    h.server(audio_delta("item_a", "r1", 300));
    // Played to the end: speech starting now stops nothing.
    h.session.playback_progress(h.now, "item_a", 300.0);
    assert!(stops(&h.server(json!({ "type": "input_audio_buffer.speech_started", "item_id": "u1" }))).is_empty());
    // Stopped within the output latency of the end: heard to the end, no truncate.
    h.server(response_created("r2"));
    h.server(audio_delta("item_b", "r2", 300));
    h.session.interrupt(h.now);
    assert_eq!(stops(&h.drain()), ["item_b"]);
    h.session.playback_stopped(h.now, "item_b", 310.0, 5.0);
    let out = h.drain();
    assert!(sent(&out).iter().all(|f| f["type"] != "conversation.item.truncate"));
    assert!(events(&out).iter().any(|e| matches!(e, SessionEvent::Interrupted { truncated_at_ms: None, .. })));
}

#[test]
fn without_playback_audio_is_only_delivered() {
    let mut c = config(json!({}), &[], InvocationOptions::default());
    c.playback = false;
    let mut h = Harness::new(c);
    h.open();
    let out = h.server(audio_delta("item_a", "r1", 100));
    assert_eq!(messages(&out), ["outputAudioDelta"]);
    assert!(plays(&out).is_empty());
    assert!(stops(&h.server(json!({ "type": "input_audio_buffer.speech_started", "item_id": "u1" }))).is_empty());
}

#[test]
fn interrupt_stops_the_item_being_heard_and_never_reports_one_twice() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    h.server(response_created("r1"));
    h.server(audio_delta("item_a", "r1", 500));
    h.server(response_done("r1"));
    h.server(response_created("r2"));
    h.server(audio_delta("item_b", "r2", 500));
    h.session.playback_progress(h.now, "item_a", 200.0);
    // item_a is playing; item_b waits behind it.
    h.session.interrupt(h.now);
    assert_eq!(stops(&h.drain()), ["item_a"]);
    h.session.playback_stopped(h.now, "item_a", 210.0, 10.0);
    let out = h.drain();
    assert_eq!(sent(&out).iter().filter(|f| f["type"] == "conversation.item.truncate").map(|f| f["item_id"].clone()).collect::<Vec<_>>(), [json!("item_a")]);
    // item_b was flushed unheard: not played later, and a second barge-in finds nothing to stop.
    assert!(plays(&h.server(audio_delta("item_b", "r2", 100))).is_empty());
    assert!(stops(&h.server(json!({ "type": "input_audio_buffer.speech_started", "item_id": "u" }))).is_empty());
}

/// A frame over `maxFrameBytes` is an `error` event and is dropped unread; the session stays open
/// and reads the next frame (the config here sets 64 KiB).
#[test]
fn an_oversized_frame_is_an_error_event_and_the_session_goes_on() {
    let mut h = Harness::with_tools(&[], InvocationOptions::default());
    assert_eq!(h.session.max_frame_bytes(), 64 << 10);
    let big = json!({ "type": "response.output_text.delta", "item_id": "i", "delta": "x".repeat(70_000) });
    let out = h.server(big);
    assert_eq!(error_codes(&out), ["frame_too_large"]);
    assert!(messages(&out).is_empty(), "nothing of the frame is decoded");
    assert_eq!(h.session.state(), ConnectionState::Open);
    // The driver's path: the size is checked before the frame is copied in.
    h.session.frame_refused(60_000_000);
    let out = h.drain();
    let text = format!("{:?}", events(&out));
    assert!(text.contains("60000000 bytes") && text.contains("maxFrameBytes"), "{text}");
    let out = h.server(json!({ "type": "response.output_text.delta", "item_id": "i", "delta": "fine" }));
    assert_eq!(messages(&out), ["outputTextDelta"]);
}

/// A tool declared without a handler is the app's to answer (before, the SDK raced the app with
/// "Function not found."); a mixed response gets the handled results but no follow-up response.
#[test]
fn calls_to_tools_without_a_handler_are_left_to_the_app() {
    let tool = |name: &str| json!({ "type": "function", "name": name });
    let declared = json!({ "tools": [tool("mine"), tool("f")] });
    let mut h = Harness::new(config(declared.clone(), &["f"], InvocationOptions::default()));
    h.open();
    h.server(response_created("r"));
    let out = h.server(call_item_done("r", "c1", "mine", "{}"));
    assert!(runs(&out).is_empty());
    assert!(sent(&h.server(response_done("r"))).is_empty(), "nothing answered for the app");

    h.server(response_created("r2"));
    h.server(call_item_done("r2", "c2", "mine", "{}"));
    let out = h.server(call_item_done("r2", "c3", "f", "{}"));
    assert_eq!(runs(&out).len(), 1, "the handled call runs");
    h.server(response_done("r2"));
    let out = h.finish("c3", Ok(json!("done")));
    assert_eq!(sent_types(&out), ["conversation.item.create"], "its result, and no response.create: the app answers c2 and asks");

    let opted = InvocationOptions { answer_calls_without_handler: true, ..Default::default() };
    let mut h = Harness::new(config(declared, &["f"], opted));
    h.open();
    h.server(response_created("r"));
    h.server(call_item_done("r", "c1", "mine", "{}"));
    let out = h.server(response_done("r"));
    assert_eq!(sent(&out)[0]["item"]["output"], json!({ "error": NOT_FOUND_TEXT }).to_string());
    assert_eq!(sent_types(&out), ["conversation.item.create", "response.create"]);
}

/// Issue #12.5: G.711 output is accounted at one byte a sample and 8 kHz (it was counted as PCM16
/// at 24 kHz: every figure a sixth of the truth), and its truncation lands where it was heard.
#[test]
fn g711_output_is_accounted_at_its_own_rate_and_width() {
    use base64::Engine;
    let format = json!({ "mediaType": "audio/pcmu", "sampleRate": 8000 });
    let mut h = Harness::new(config(json!({ "inputAudioFormat": format, "outputAudioFormat": format }), &[], InvocationOptions::default()));
    h.open();
    assert_eq!((h.session.input_audio().rate, h.session.output_audio().rate), (8_000, 8_000));
    assert_eq!(h.session.output_audio().encoding.bytes_per_sample(), 1);
    h.server(response_created("r1"));
    // 800 bytes of μ-law = 800 samples at 8 kHz = 100 ms.
    let delta = json!({ "type": "response.output_audio.delta", "response_id": "r1", "item_id": "item_a", "output_index": 0, "content_index": 0,
                        "delta": base64::engine::general_purpose::STANDARD.encode(vec![0xffu8; 800]) });
    assert_eq!(plays(&h.server(delta)), [("item_a".to_string(), 800)]);
    h.session.playback_progress(h.now, "item_a", 40.0);
    h.session.interrupt(h.now);
    h.drain();
    h.session.playback_stopped(h.now, "item_a", 50.0, 10.0);
    let out = h.drain();
    let interrupted = events(&out).into_iter().find(|e| matches!(e, SessionEvent::Interrupted { .. })).expect("interrupted event");
    let SessionEvent::Interrupted { received_ms, truncated_at_ms, .. } = interrupted else { unreachable!() };
    assert_eq!((*received_ms, *truncated_at_ms), (100.0, Some(40)));
    // The formats are fixed at connect: an update that changes one is refused, the same one passes.
    let (ticket, out) = h.send(json!({ "type": "sessionUpdate", "options": { "outputAudioFormat": { "mediaType": "audio/pcm", "sampleRate": 24000 } } }));
    assert_eq!(settled(&out, ticket), Some(Err("unsupported".to_string())));
    assert!(sent(&out).is_empty());
    let (_, out) = h.send(json!({ "type": "sessionUpdate", "options": { "outputAudioFormat": format, "instructions": "be brief" } }));
    assert_eq!(sent_types(&out), ["session.update"]);
}
