//! OpenAI resume, scripted natively: a dropped or expired session moves to a new connection with
//! its options and its conversation replayed (contents, order, id mapping both ways), the app's
//! sends of the meantime flushed once and in order, a cut response ended as cancelled, a tool call
//! in flight carried across, and a server that keeps dropping given up on.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use realtime_wasm::model::{ResponseStatus, ServerMessage};
use realtime_wasm::provider::OpenAiCodec;
use realtime_wasm::session::{
    ConnectionState, Frame, InvocationOptions, Output, ReconnectConfig, Session, SessionConfig, SessionEvent, Timer,
};
use serde_json::{json, Value};

struct Harness {
    session: Session,
    now: f64,
    /// Every frame sent, over all connections, in order.
    wire: Vec<Value>,
    /// Server ids handed out on the current connection.
    next_server_id: u32,
}

fn config(reconnect: Option<ReconnectConfig>) -> SessionConfig {
    SessionConfig {
        options: serde_json::from_value(json!({
            "instructions": "be brief",
            "tools": [{ "type": "function", "name": "lookup", "description": "looks up", "parameters": { "type": "object" } }],
        }))
        .unwrap(),
        invocation: InvocationOptions::default(),
        tool_handlers: vec!["lookup".into()],
        connect_timeout_ms: 5_000.0,
        playback: true,
        reconnect,
        jitter_seed: 9,
        max_frame_bytes: None,
        barge_in: None,
    }
}

impl Harness {
    fn open(reconnect: Option<ReconnectConfig>) -> Harness {
        let mut h = Harness { session: Session::new(Box::new(OpenAiCodec::new()), config(reconnect), 0.0).unwrap(), now: 0.0, wire: Vec::new(), next_server_id: 0 };
        h.session.socket_opened(0.0);
        h.server(json!({ "type": "session.created", "event_id": "ev_0", "session": { "type": "realtime", "id": "sess_1" } }));
        h
    }

    fn server(&mut self, event: Value) -> Vec<Output> {
        self.now += 1.0;
        self.session.frame_received(self.now, Frame::Text(&event.to_string()));
        self.drain()
    }

    fn send(&mut self, message: Value) -> Vec<Output> {
        self.now += 1.0;
        self.session.send(self.now, serde_json::from_value(message).unwrap());
        self.drain()
    }

    fn drain(&mut self) -> Vec<Output> {
        let out: Vec<Output> = std::iter::from_fn(|| self.session.poll_output()).collect();
        self.wire.extend(sent(&out));
        out
    }

    fn dropped(&mut self) -> Vec<Output> {
        self.now += 5.0;
        self.session.socket_closed(self.now, 1006, "", false);
        self.drain()
    }

    /// Fires the reconnect timer in `out` (or takes the attempt made at once), opens the new socket
    /// and lets the server create the new session: the outputs of all that.
    fn reconnect(&mut self, out: &[Output]) -> Vec<Output> {
        let mut all = Vec::new();
        if !out.iter().any(|o| matches!(o, Output::Reconnect)) {
            let at_ms = out
                .iter()
                .find_map(|o| if let Output::ArmTimer { timer: Timer::Reconnect, at_ms } = o { Some(*at_ms) } else { None })
                .unwrap_or_else(|| panic!("no reconnect in {out:?}"));
            self.now = at_ms;
            self.session.timer_fired(at_ms, Timer::Reconnect);
            all = self.drain();
            assert!(all.iter().any(|o| matches!(o, Output::Reconnect)), "{all:?}");
        }
        self.next_server_id = 0;
        self.session.socket_opened(self.now);
        all.extend(self.server(json!({ "type": "session.created", "event_id": "ev_n", "session": { "type": "realtime", "id": "sess_2" } })));
        all
    }

    /// The new server echoes each `conversation.item.create` in `out` (as `conversation.item.added`
    /// and `.done`, new ids `new_1`, `new_2`, …): the outputs of that.
    fn echo_creates(&mut self, out: &[Output]) -> Vec<Output> {
        let mut all = Vec::new();
        for create in sent(out).into_iter().filter(|e| e["type"] == "conversation.item.create") {
            self.next_server_id += 1;
            let mut item = create["item"].clone();
            item["id"] = format!("new_{}", self.next_server_id).into();
            item["status"] = "completed".into();
            all.extend(self.server(json!({ "type": "conversation.item.added", "event_id": "e", "previous_item_id": null, "item": item })));
            all.extend(self.server(json!({ "type": "conversation.item.done", "event_id": "e", "previous_item_id": null, "item": item })));
        }
        all
    }
}

fn sent(outputs: &[Output]) -> Vec<Value> {
    outputs.iter().filter_map(|o| if let Output::Transmit(f) = o { Some(serde_json::from_str(f).unwrap()) } else { None }).collect()
}

fn types(frames: &[Value]) -> Vec<String> {
    frames.iter().map(|e| e["type"].as_str().unwrap().to_string()).collect()
}

fn messages(outputs: &[Output]) -> Vec<&ServerMessage> {
    outputs.iter().filter_map(|o| if let Output::Message(m) = o { Some(m) } else { None }).collect()
}

fn events(outputs: &[Output]) -> Vec<&SessionEvent> {
    outputs.iter().filter_map(|o| if let Output::Event(e) = o { Some(e) } else { None }).collect()
}

fn event_kinds(outputs: &[Output]) -> Vec<&'static str> {
    events(outputs).into_iter().map(SessionEvent::kind).filter(|k| *k != "stateChange").collect()
}

fn item_added(id: &str, previous: Option<&str>, item: Value) -> Value {
    let mut item = item;
    item["id"] = id.into();
    json!({ "type": "conversation.item.added", "event_id": format!("a_{id}"), "previous_item_id": previous, "item": item })
}

fn item_done(id: &str, item: Value) -> Value {
    let mut item = item;
    item["id"] = id.into();
    item["status"] = "completed".into();
    json!({ "type": "conversation.item.done", "event_id": format!("d_{id}"), "previous_item_id": null, "item": item })
}

fn user_text(text: &str) -> Value {
    json!({ "type": "message", "role": "user", "content": [{ "type": "input_text", "text": text }] })
}

fn response_created(id: &str) -> Value {
    json!({ "type": "response.created", "event_id": format!("c_{id}"), "response": { "id": id, "status": "in_progress", "output": [] } })
}

fn response_done(id: &str) -> Value {
    json!({ "type": "response.done", "event_id": format!("rd_{id}"), "response": { "id": id, "status": "completed" } })
}

/// An assistant item of `response`, added, streamed (`text` as text or audio transcript, audio
/// deltas when spoken) and — when `finish` — done.
fn assistant_turn(h: &mut Harness, response: &str, id: &str, previous: &str, text: &str, spoken: bool, finish: bool) -> Vec<Output> {
    let mut out = h.server(item_added(id, Some(previous), json!({ "type": "message", "role": "assistant", "status": "in_progress", "content": [] })));
    let delta_type = if spoken { "response.output_audio_transcript.delta" } else { "response.output_text.delta" };
    for word in text.split_inclusive(' ') {
        out.extend(h.server(json!({ "type": delta_type, "event_id": "t", "response_id": response, "item_id": id, "output_index": 0, "content_index": 0, "delta": word })));
        if spoken {
            // 100 ms of audio per word (24 kHz PCM16).
            let audio = base64_zeros(4_800);
            out.extend(h.server(json!({ "type": "response.output_audio.delta", "event_id": "au", "response_id": response, "item_id": id, "output_index": 0, "content_index": 0, "delta": audio })));
        }
    }
    if finish {
        let part = if spoken { json!({ "type": "output_audio", "transcript": text }) } else { json!({ "type": "output_text", "text": text }) };
        let item = json!({ "id": id, "type": "message", "role": "assistant", "status": "completed", "content": [part] });
        out.extend(h.server(json!({ "type": "response.output_item.done", "event_id": "od", "response_id": response, "output_index": 0, "item": item })));
        out.extend(h.server(item_done(id, item)));
    }
    out
}

fn base64_zeros(bytes: usize) -> String {
    // Zero bytes encode to 'A's (every 3 bytes → 4 characters).
    "A".repeat(bytes / 3 * 4)
}

/// The conversation of the scripted session before the drop:
/// user text → assistant text; user speech (transcribed) → assistant speech + a tool call;
/// the tool's output; then the next spoken reply, cut by the drop half-way.
fn converse(h: &mut Harness) {
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "my name is Ada" }] } }));
    h.send(json!({ "type": "createResponse" }));
    h.server(item_added("item_u1", None, user_text("my name is Ada")));
    h.server(item_done("item_u1", user_text("my name is Ada")));
    h.server(response_created("resp_1"));
    assistant_turn(h, "resp_1", "item_a1", "item_u1", "Hello Ada.", false, true);
    h.server(response_done("resp_1"));

    let spoken = json!({ "type": "message", "role": "user", "content": [{ "type": "input_audio", "transcript": null }] });
    h.server(json!({ "type": "input_audio_buffer.committed", "event_id": "cm", "item_id": "item_u2", "previous_item_id": "item_a1" }));
    h.server(item_added("item_u2", Some("item_a1"), spoken.clone()));
    h.server(item_done("item_u2", spoken));
    h.server(response_created("resp_2"));
    h.server(json!({ "type": "conversation.item.input_audio_transcription.completed", "event_id": "tr", "item_id": "item_u2", "content_index": 0, "transcript": "what is the weather" }));
    assistant_turn(h, "resp_2", "item_a2", "item_u2", "Let me look.", true, true);
    let call = json!({ "type": "function_call", "status": "in_progress", "call_id": "call_1", "name": "lookup", "arguments": "" });
    h.server(item_added("item_c1", Some("item_a2"), call));
    let call = json!({ "id": "item_c1", "type": "function_call", "status": "completed", "call_id": "call_1", "name": "lookup", "arguments": "{\"city\":\"Paris\"}" });
    let out = h.server(json!({ "type": "response.output_item.done", "event_id": "oc", "response_id": "resp_2", "output_index": 1, "item": call }));
    assert!(out.iter().any(|o| matches!(o, Output::RunTool(r) if r.call_id == "call_1")));
    h.server(item_done("item_c1", call));
    h.server(response_done("resp_2"));
    h.now += 10.0;
    h.session.tool_finished(h.now, "call_1", Ok(json!({ "sky": "clear" }).into()));
    let out = h.drain();
    let output = sent(&out).into_iter().find(|e| e["type"] == "conversation.item.create").expect("the tool output is sent");
    let mut echoed = output["item"].clone();
    h.server(item_added("item_o1", Some("item_c1"), echoed.clone()));
    echoed["id"] = "item_o1".into();
    h.server(item_done("item_o1", echoed));
    h.server(response_created("resp_3"));
    assistant_turn(h, "resp_3", "item_a3", "item_o1", "The sky over", true, false);
}

fn replayed(frames: &[Value]) -> Vec<Value> {
    frames.iter().filter(|e| e["type"] == "conversation.item.create").map(|e| e["item"].clone()).collect()
}

#[test]
fn a_drop_replays_the_conversation_in_order_as_text_and_calls() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    converse(&mut h);
    let out = h.dropped();
    let kinds = event_kinds(&out);
    assert!(kinds.contains(&"reconnecting"), "{kinds:?}");
    let out = h.reconnect(&out);
    assert!(messages(&out).iter().all(|m| m.kind() != "sessionCreated"), "no second sessionCreated reaches the app");
    let frames = sent(&out);
    assert_eq!(frames[0]["type"], "session.update", "the options go first: {frames:?}");
    assert_eq!(frames[0]["session"]["instructions"], "be brief");
    assert_eq!(frames[0]["session"]["tools"][0]["name"], "lookup");
    let items = replayed(&frames);
    assert_eq!(
        items,
        [
            json!({ "type": "message", "role": "user", "content": [{ "type": "input_text", "text": "my name is Ada" }] }),
            json!({ "type": "message", "role": "assistant", "content": [{ "type": "output_text", "text": "Hello Ada." }] }),
            json!({ "type": "message", "role": "user", "content": [{ "type": "input_text", "text": "what is the weather" }] }),
            json!({ "type": "message", "role": "assistant", "content": [{ "type": "output_text", "text": "Let me look." }] }),
            json!({ "type": "function_call", "call_id": "call_1", "name": "lookup", "arguments": "{\"city\":\"Paris\"}" }),
            json!({ "type": "function_call_output", "call_id": "call_1", "output": "{\"sky\":\"clear\"}" }),
            // The cut reply: what had arrived of it.
            json!({ "type": "message", "role": "assistant", "content": [{ "type": "output_text", "text": "The sky over" }] }),
        ]
    );
    assert_eq!(types(&frames).len(), 1 + items.len(), "nothing else goes before the replay is acknowledged: {frames:?}");
    // Every replayed event is a valid GA client event.
    if let Some(shared) = support::shared_dir() {
        let schemas = support::OpenAiSchemas::load(&shared);
        let name = schemas
            .event_group("realtime-client-events")
            .into_iter()
            .find(|n| schemas.event_type(n).as_deref() == Some("conversation.item.create"))
            .expect("the schema of conversation.item.create");
        for frame in frames.iter().filter(|e| e["type"] == "conversation.item.create") {
            let errors = schemas.errors(&name, frame);
            assert!(errors.is_empty(), "{frame}: {errors:?}");
        }
    }
    let out = h.echo_creates(&out);
    assert!(messages(&out).is_empty(), "the replay's echoes are the SDK's: {:?}", messages(&out));
    assert_eq!(event_kinds(&out), ["reconnected"]);
    assert_eq!(h.session.state(), ConnectionState::Open);
    // The conversation view keeps the ids the app knows.
    let ids: Vec<&str> = h.session.conversation().items().iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["item_u1", "item_a1", "item_u2", "item_a2", "item_c1", "item_o1", "item_a3"]);
}

#[test]
fn ids_the_app_knows_keep_working_in_both_directions() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    converse(&mut h);
    let out = h.dropped();
    let out = h.reconnect(&out);
    h.echo_creates(&out);
    // Out: the app's old ids become the new connection's.
    let out = h.send(json!({ "type": "deleteConversationItem", "itemId": "item_u1" }));
    assert_eq!(sent(&out)[0]["item_id"], "new_1");
    let out = h.send(json!({ "type": "createConversationItem", "previousItemId": "item_a2", "item": { "role": "user", "contents": [{ "type": "text", "text": "and tomorrow?" }] } }));
    assert_eq!(sent(&out)[0]["previous_item_id"], "new_4");
    let out = h.send(json!({ "type": "retrieveConversationItem", "itemId": "item_o1" }));
    assert_eq!(sent(&out)[0]["item_id"], "new_6");
    // In: the new connection's ids become the app's.
    let out = h.server(json!({ "type": "conversation.item.deleted", "event_id": "x", "item_id": "new_1" }));
    let [ServerMessage::ConversationItemDeleted(deleted)] = messages(&out)[..] else { panic!("{out:?}") };
    assert_eq!(deleted.item_id, "item_u1");
    let out = h.server(json!({ "type": "input_audio_buffer.committed", "event_id": "x", "item_id": "item_u9", "previous_item_id": "new_7" }));
    let [ServerMessage::InputAudioBufferCommitted(committed)] = messages(&out)[..] else { panic!("{out:?}") };
    assert_eq!((committed.item_id.as_str(), committed.previous_item_id.as_deref()), ("item_u9", Some("item_a3")));
    let out = h.server(item_added("new_8", Some("new_4"), user_text("and tomorrow?")));
    let [ServerMessage::ConversationItemAdded(added)] = messages(&out)[..] else { panic!("{out:?}") };
    assert_eq!((added.item.id.as_deref(), added.previous_item_id.as_deref()), (Some("new_8"), Some("item_a2")), "new ids stay as they are");
    // A second drop replays again, still under the ids the app knows.
    let out = h.dropped();
    let out = h.reconnect(&out);
    let items = replayed(&sent(&out));
    assert_eq!(items.len(), 7, "item_u1 was deleted, the new item is added: {items:?}");
    assert_eq!(items[0]["content"][0]["text"], "Hello Ada.");
    h.echo_creates(&out);
    let out = h.send(json!({ "type": "deleteConversationItem", "itemId": "item_a1" }));
    assert_eq!(sent(&out)[0]["item_id"], "new_1");
}

#[test]
fn what_the_app_sends_meanwhile_goes_once_in_order_after_the_replay() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    converse(&mut h);
    let out = h.dropped();
    let mut held = Vec::new();
    for text in ["first", "second"] {
        held.extend(h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": text }] } })));
    }
    held.extend(h.send(json!({ "type": "inputAudioBufferAppend", "audio": "AAAA" })));
    assert!(sent(&held).is_empty(), "nothing goes while disconnected");
    let out = h.reconnect(&out);
    assert!(replayed(&sent(&out)).iter().all(|i| i["content"][0]["text"] != "first"), "queued sends are not part of the replay");
    let out = h.echo_creates(&out);
    let frames = sent(&out);
    assert_eq!(types(&frames), ["conversation.item.create", "conversation.item.create", "input_audio_buffer.append"]);
    assert_eq!((frames[0]["item"]["content"][0]["text"].as_str(), frames[1]["item"]["content"][0]["text"].as_str()), (Some("first"), Some("second")));
    // Once: nothing of it goes again.
    let again = h.server(json!({ "type": "session.updated", "event_id": "u", "session": { "type": "realtime" } }));
    assert!(sent(&again).is_empty());
    let firsts = h.wire.iter().filter(|e| e["item"]["content"][0]["text"] == "first").count();
    assert_eq!(firsts, 1, "sent exactly once over both connections");
}

#[test]
fn the_cut_response_ends_cancelled_and_its_playback_stops_without_a_truncate() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    converse(&mut h);
    h.session.playback_progress(h.now, "item_a2", 300.0);
    h.session.playback_progress(h.now, "item_a3", 150.0);
    let out = h.dropped();
    let done = messages(&out)
        .into_iter()
        .find_map(|m| if let ServerMessage::ResponseDone(r) = m { Some(r.clone()) } else { None })
        .expect("the cut response ends for the app");
    assert_eq!(done.response_id.as_deref(), Some("resp_3"));
    assert_eq!(done.status, Some(ResponseStatus::Cancelled));
    assert_eq!(done.status_reason.as_deref(), Some("connection_lost"));
    let stop = out.iter().position(|o| matches!(o, Output::StopPlayback { item_id } if item_id == "item_a3")).expect("its playback stops");
    let reconnecting = out.iter().position(|o| matches!(o, Output::Event(SessionEvent::Reconnecting { .. }))).unwrap();
    assert!(stop < reconnecting);
    assert_eq!(h.session.active_response(), None);
    // The driver stops it; nothing is truncated (that connection is gone), now or once reconnected.
    let out = h.reconnect(&out);
    h.now += 1.0;
    h.session.playback_stopped(h.now, "item_a3", 180.0, 20.0);
    let stopped = h.drain();
    let interrupted = events(&stopped)
        .into_iter()
        .find_map(|e| if let SessionEvent::Interrupted { truncated_at_ms, heard_ms, .. } = e { Some((*truncated_at_ms, *heard_ms)) } else { None })
        .expect("interrupted tells what was heard");
    assert_eq!(interrupted, (None, 160.0));
    let out = h.echo_creates(&out);
    assert!(!types(&sent(&out)).contains(&"conversation.item.truncate".to_string()));
    assert!(!types(&h.wire).contains(&"conversation.item.truncate".to_string()));
}

#[test]
fn a_tool_call_in_flight_across_a_drop_has_its_output_sent_once() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "call lookup" }] } }));
    h.server(item_added("item_u1", None, user_text("call lookup")));
    h.server(response_created("resp_1"));
    let call = json!({ "id": "item_c1", "type": "function_call", "status": "completed", "call_id": "call_9", "name": "lookup", "arguments": "{}" });
    h.server(item_added("item_c1", Some("item_u1"), call.clone()));
    let out = h.server(json!({ "type": "response.output_item.done", "event_id": "oc", "response_id": "resp_1", "output_index": 0, "item": call }));
    assert!(out.iter().any(|o| matches!(o, Output::RunTool(r) if r.call_id == "call_9")));
    // The connection drops before `response.done`; the tool is still running.
    let out = h.dropped();
    assert!(!out.iter().any(|o| matches!(o, Output::CancelTool { .. })), "the tool keeps running: {out:?}");
    let out = h.reconnect(&out);
    let items = replayed(&sent(&out));
    assert_eq!(types(&items), ["message", "function_call"], "the call, without an output yet");
    // It finishes while the replay is being acknowledged: its output waits for the new session.
    h.now += 1.0;
    h.session.tool_finished(h.now, "call_9", Ok(json!("sunny").into()));
    let finished = h.drain();
    assert!(sent(&finished).is_empty(), "{:?}", sent(&finished));
    let out = h.echo_creates(&out);
    let frames = sent(&out);
    assert_eq!(types(&frames), ["conversation.item.create", "response.create"], "{frames:?}");
    assert_eq!(frames[0]["item"], json!({ "type": "function_call_output", "call_id": "call_9", "output": "sunny" }));
    let outputs = h.wire.iter().filter(|e| e["item"]["type"] == "function_call_output").count();
    assert_eq!(outputs, 1, "the output goes once over both connections");
    // A later drop replays it (it was echoed), and sends it no more.
    h.server(item_added("new_3", Some("new_2"), frames[0]["item"].clone()));
    let out = h.dropped();
    let out = h.reconnect(&out);
    assert_eq!(types(&replayed(&sent(&out))), ["message", "function_call", "function_call_output"]);
    h.echo_creates(&out);
    assert_eq!(h.wire.iter().filter(|e| e["type"] == "conversation.item.create" && e["item"]["type"] == "function_call_output").count(), 2, "once live, once replayed");
}

#[test]
fn a_response_asked_for_and_never_answered_is_asked_again() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "hi" }] } }));
    h.server(item_added("item_u1", None, user_text("hi")));
    let out = h.send(json!({ "type": "createResponse" }));
    assert_eq!(types(&sent(&out)), ["response.create"]);
    let out = h.dropped();
    let out = h.reconnect(&out);
    let out = h.echo_creates(&out);
    assert_eq!(types(&sent(&out)), ["response.create"], "the lost request goes again, once");
    // Answered this time: a later drop does not repeat it.
    h.server(response_created("resp_1"));
    h.server(response_done("resp_1"));
    let out = h.dropped();
    let out = h.reconnect(&out);
    let out = h.echo_creates(&out);
    assert!(!types(&sent(&out)).contains(&"response.create".to_string()));
}

#[test]
fn session_expired_moves_at_once_without_an_error() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "remember 42" }] } }));
    h.server(item_added("item_u1", None, user_text("remember 42")));
    let out = h.server(json!({ "type": "error", "event_id": "x", "error": { "type": "invalid_request_error", "code": "session_expired", "message": "Your session hit the maximum duration of 60 minutes." } }));
    assert!(messages(&out).is_empty(), "resumed: the error is not the app's: {out:?}");
    let reconnecting = events(&out)
        .into_iter()
        .find_map(|e| if let SessionEvent::Reconnecting { reason, attempt, delay_ms } = e { Some((reason.clone(), *attempt, *delay_ms)) } else { None })
        .unwrap();
    assert!(reconnecting.0.contains("expired") && reconnecting.0.contains("60 minutes"), "{reconnecting:?}");
    assert_eq!((reconnecting.1, reconnecting.2), (1, Some(0.0)), "at once");
    assert!(out.iter().any(|o| matches!(o, Output::Reconnect)));
    let out = h.reconnect(&out);
    assert_eq!(replayed(&sent(&out))[0]["content"][0]["text"], "remember 42");
    let out = h.echo_creates(&out);
    assert_eq!(event_kinds(&out), ["reconnected"]);
}

#[test]
fn without_reconnect_expiry_and_drops_end_the_session() {
    let mut h = Harness::open(None);
    let out = h.server(json!({ "type": "error", "event_id": "x", "error": { "type": "invalid_request_error", "code": "session_expired", "message": "expired" } }));
    assert_eq!(messages(&out).len(), 1, "the app gets the server's error");
    let out = h.dropped();
    assert_eq!(event_kinds(&out), ["error", "close"]);
    assert_eq!(h.session.state(), ConnectionState::Closed);
}

#[test]
fn a_server_that_keeps_dropping_is_given_up_on_with_an_error_and_a_close() {
    let mut h = Harness::open(Some(ReconnectConfig { max_attempts: 3, ..ReconnectConfig::default() }));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "hi" }] } }));
    h.server(item_added("item_u1", None, user_text("hi")));
    let mut out = h.dropped();
    let mut attempts = 0;
    while !out.iter().any(|o| matches!(o, Output::Event(SessionEvent::Close { .. }))) {
        let opened = h.reconnect(&out);
        attempts += 1;
        assert_eq!(replayed(&sent(&opened)).len(), 1, "each attempt replays");
        // Accepted, and dropped before the replay was acknowledged.
        out = h.dropped();
        assert!(attempts <= 3, "unbounded: {out:?}");
    }
    assert_eq!(attempts, 3);
    assert_eq!(event_kinds(&out), ["error", "close"]);
    let error = events(&out).into_iter().find_map(|e| if let SessionEvent::Error { error, .. } = e { Some(error.clone()) } else { None }).unwrap();
    assert_eq!(error.code.as_deref(), Some("reconnect_failed"));
    assert_eq!(h.session.state(), ConnectionState::Closed);
}

#[test]
fn a_replay_item_the_server_refuses_is_reported_and_the_session_opens() {
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "one" }] } }));
    h.server(item_added("item_u1", None, user_text("one")));
    h.send(json!({ "type": "createConversationItem", "item": { "role": "user", "contents": [{ "type": "text", "text": "two" }] } }));
    h.server(item_added("item_u2", Some("item_u1"), user_text("two")));
    let out = h.dropped();
    let out = h.reconnect(&out);
    let frames = sent(&out);
    let creates: Vec<&Value> = frames.iter().filter(|e| e["type"] == "conversation.item.create").collect();
    let refused = creates[0]["event_id"].as_str().unwrap().to_owned();
    assert!(refused.starts_with(realtime_wasm::session::REPLAY_MESSAGE_PREFIX));
    let out = h.server(json!({ "type": "error", "event_id": "x", "error": { "type": "invalid_request_error", "code": "invalid_value", "message": "no", "event_id": refused } }));
    assert_eq!(messages(&out).len(), 1, "the refusal is the app's to see");
    assert!(event_kinds(&out).is_empty(), "still waiting for the second item");
    let mut item = creates[1]["item"].clone();
    item["id"] = "new_1".into();
    let out = h.server(item_added("new_1", None, item));
    assert_eq!(event_kinds(&out), ["reconnected"]);
}

/// A long call replays what a model could still hold, not the whole call: the newest items, in
/// order, the oldest forgotten (the view stays bounded however long the session runs).
#[test]
fn a_long_call_replays_only_its_newest_items() {
    use realtime_wasm::session::MAX_CONVERSATION_ITEMS;
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    let said = MAX_CONVERSATION_ITEMS + 200;
    let mut previous: Option<String> = None;
    for i in 0..said {
        let id = format!("item_{i}");
        h.server(item_added(&id, previous.as_deref(), user_text(&format!("turn {i}"))));
        h.server(item_done(&id, user_text(&format!("turn {i}"))));
        previous = Some(id);
    }
    let kept = h.session.conversation().items().len();
    assert!(kept <= MAX_CONVERSATION_ITEMS && kept >= MAX_CONVERSATION_ITEMS * 9 / 10, "{kept}");
    let out = h.dropped();
    let out = h.reconnect(&out);
    let items = replayed(&sent(&out));
    assert_eq!(items.len(), kept);
    let texts: Vec<String> = items.iter().map(|i| i["content"][0]["text"].as_str().unwrap().to_owned()).collect();
    assert_eq!(texts.last().map(String::as_str), Some(format!("turn {}", said - 1).as_str()), "the newest is replayed");
    assert_eq!(texts[0], format!("turn {}", said - kept), "then the ones before it, in order, back to the oldest kept");
    let out = h.echo_creates(&out);
    assert_eq!(event_kinds(&out), ["reconnected"]);
}

/// A tool result whose call the bounded view has forgotten is not replayed: the new connection
/// would refuse an output for a call it never saw.
#[test]
fn a_result_whose_call_was_forgotten_is_not_replayed() {
    use realtime_wasm::session::MAX_CONVERSATION_ITEMS;
    let mut h = Harness::open(Some(ReconnectConfig::default()));
    let call = json!({ "type": "function_call", "call_id": "call_old", "name": "lookup", "arguments": "{}" });
    h.server(item_added("item_call", None, call.clone()));
    h.server(item_done("item_call", call));
    for i in 0..MAX_CONVERSATION_ITEMS {
        let id = format!("item_{i}");
        h.server(item_added(&id, None, user_text(&format!("turn {i}"))));
    }
    let output = json!({ "type": "function_call_output", "call_id": "call_old", "output": "{}" });
    h.server(item_added("item_output", None, output.clone()));
    h.server(item_done("item_output", output));
    let out = h.dropped();
    let out = h.reconnect(&out);
    let items = replayed(&sent(&out));
    assert!(!items.is_empty() && items.iter().all(|i| i["type"] == "message"), "only the texts go: {:?}", items.iter().map(|i| &i["type"]).collect::<Vec<_>>());
    let out = h.echo_creates(&out);
    assert_eq!(event_kinds(&out), ["reconnected"]);
}
