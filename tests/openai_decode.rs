//! Decoding: the official schema's server-event examples, the constructed sequences and the real
//! recorded captures all decode, to the neutral type each maps to, preserving text, audio and ids.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use base64::Engine;
use realtime_wasm::model::{Content, ResponseStatus, ServerMessage, SessionKind};
use realtime_wasm::provider::openai::unmapped_reason;
use realtime_wasm::provider::{Codec, OpenAiCodec};
use serde_json::{json, Value};

/// The mapping under test, written out independently of the decoder: GA wire type → neutral type.
const EXPECTED: &[(&str, &str)] = &[
    ("error", "error"),
    ("session.created", "sessionCreated"),
    ("session.updated", "sessionUpdated"),
    ("conversation.item.added", "conversationItemAdded"),
    ("conversation.item.created", "conversationItemAdded"),
    ("conversation.item.done", "conversationItemDone"),
    ("conversation.item.retrieved", "conversationItemRetrieved"),
    ("conversation.item.input_audio_transcription.completed", "inputAudioTranscriptionCompleted"),
    ("conversation.item.input_audio_transcription.delta", "inputAudioTranscriptionDelta"),
    ("conversation.item.input_audio_transcription.segment", "inputAudioTranscriptionSegment"),
    ("conversation.item.input_audio_transcription.failed", "inputAudioTranscriptionFailed"),
    ("conversation.item.truncated", "conversationItemTruncated"),
    ("conversation.item.deleted", "conversationItemDeleted"),
    ("input_audio_buffer.committed", "inputAudioBufferCommitted"),
    ("input_audio_buffer.cleared", "inputAudioBufferCleared"),
    ("input_audio_buffer.speech_started", "inputAudioBufferSpeechStarted"),
    ("input_audio_buffer.speech_stopped", "inputAudioBufferSpeechStopped"),
    ("input_audio_buffer.timeout_triggered", "inputAudioBufferTimeoutTriggered"),
    ("response.created", "responseCreated"),
    ("response.done", "responseDone"),
    ("response.output_item.added", "responseOutputItemAdded"),
    ("response.output_item.done", "responseOutputItemDone"),
    ("response.output_text.delta", "outputTextDelta"),
    ("response.output_text.done", "outputTextDone"),
    ("response.text.delta", "outputTextDelta"),
    ("response.text.done", "outputTextDone"),
    ("response.output_audio_transcript.delta", "outputAudioTranscriptionDelta"),
    ("response.output_audio_transcript.done", "outputAudioTranscriptionDone"),
    ("response.audio_transcript.delta", "outputAudioTranscriptionDelta"),
    ("response.audio_transcript.done", "outputAudioTranscriptionDone"),
    ("response.output_audio.delta", "outputAudioDelta"),
    ("response.output_audio.done", "outputAudioDone"),
    ("response.audio.delta", "outputAudioDelta"),
    ("response.audio.done", "outputAudioDone"),
    ("response.function_call_arguments.delta", "functionCallArgumentsDelta"),
    ("response.function_call_arguments.done", "functionCallArgumentsDone"),
    ("rate_limits.updated", "rateLimitsUpdated"),
];

fn expected_kind(wire: &str) -> Option<&'static str> {
    EXPECTED.iter().find(|(w, _)| *w == wire).map(|(_, n)| *n)
}

fn decode(event: &Value) -> ServerMessage {
    let mut messages = OpenAiCodec::new()
        .decode(&event.to_string())
        .unwrap_or_else(|e| panic!("decode error {e} for {event}"));
    assert_eq!(messages.len(), 1);
    messages.remove(0)
}

/// Asserts the decoded message maps as expected and kept the payload that matters exactly.
fn check(event: &Value, message: &ServerMessage, origin: &str) {
    let wire = event["type"].as_str().unwrap_or_default();
    match expected_kind(wire) {
        Some(kind) => assert_eq!(message.kind(), kind, "{origin}: {wire}"),
        None => {
            assert_eq!(message.kind(), "raw", "{origin}: {wire}");
            assert!(unmapped_reason(wire).is_some(), "{origin}: {wire} is neither mapped nor listed as unmapped");
            if let ServerMessage::Raw(raw) = message {
                assert_eq!(&raw.payload, event, "{origin}: raw payload must be the original JSON");
            }
        }
    }
    assert_eq!(message.message_id(), event["event_id"].as_str(), "{origin}: event_id");
    let text_field = |name: &str| event[name].as_str().unwrap_or_default().to_string();
    match message {
        ServerMessage::OutputTextDelta(m) | ServerMessage::OutputAudioTranscriptionDelta(m) => {
            assert_eq!(m.text, text_field("delta"), "{origin}");
            assert_eq!(m.position.item_id, text_field("item_id"), "{origin}");
        }
        ServerMessage::OutputTextDone(m) => assert_eq!(m.text, text_field("text"), "{origin}"),
        ServerMessage::OutputAudioTranscriptionDone(m) => assert_eq!(m.text, text_field("transcript"), "{origin}"),
        ServerMessage::OutputAudioDelta(m) => {
            let reference = reference_base64(&text_field("delta"));
            assert_eq!(m.audio.as_ref().map(|a| a.as_bytes()), Some(reference.as_slice()), "{origin}: audio bytes");
        }
        ServerMessage::FunctionCallArgumentsDelta(m) | ServerMessage::FunctionCallArgumentsDone(m) => {
            assert_eq!(m.call_id, text_field("call_id"), "{origin}: call id");
            if let Some(delta) = event["delta"].as_str() {
                assert_eq!(m.delta.as_deref(), Some(delta));
            }
            if let Some(arguments) = event["arguments"].as_str() {
                assert_eq!(m.arguments.as_deref(), Some(arguments));
            }
        }
        ServerMessage::ResponseOutputItemAdded(m) | ServerMessage::ResponseOutputItemDone(m) => {
            if event["item"]["type"] == "function_call" {
                let (call_id, name, _) = m.item.function_calls().next().expect("function call content");
                assert_eq!(call_id, event["item"]["call_id"].as_str().unwrap(), "{origin}: call id");
                assert_eq!(name, event["item"]["name"].as_str().unwrap(), "{origin}: name");
            }
        }
        ServerMessage::InputAudioTranscriptionDelta(m) => {
            assert_eq!(m.transcription.as_deref().unwrap_or_default(), text_field("delta"))
        }
        ServerMessage::InputAudioTranscriptionCompleted(m) => {
            assert_eq!(m.transcription.as_deref().unwrap_or_default(), text_field("transcript"))
        }
        _ => {}
    }
}

/// An independent base64 reading (the crate's strict engine, with the same leniency as the codec:
/// padding optional, trailing bits ignored).
fn reference_base64(text: &str) -> Vec<u8> {
    use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
    let engine = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine.decode(text).expect("reference base64")
}

#[test]
fn schema_examples_decode_to_their_neutral_type() {
    let Some(shared) = support::shared_dir() else { return };
    let schemas = support::OpenAiSchemas::load(&shared);
    let group = schemas.event_group("realtime-server-events");
    assert!(group.len() >= 40, "server event group not found");
    let (mut decoded, mut not_json, mut raw) = (0, Vec::new(), Vec::new());
    for name in &group {
        let wire = schemas.event_type(name).unwrap_or_else(|| panic!("{name}: no type"));
        let example = schemas.file()["schemas"][name]["x-oaiMeta"]["example"].as_str().unwrap_or_default();
        let Ok(event) = serde_json::from_str::<Value>(example) else {
            not_json.push(wire);
            continue;
        };
        let message = decode(&event);
        check(&event, &message, name);
        if message.kind() == "raw" {
            raw.push(wire);
        }
        decoded += 1;
    }
    println!("decoded {decoded} schema examples ({} not valid JSON: {not_json:?}); deliberately raw: {raw:?}", not_json.len());
    assert!(decoded >= 40);
    // Every mapped server event of the group is in the expected table (no silent additions).
    for name in &group {
        let wire = schemas.event_type(name).unwrap();
        assert!(expected_kind(&wire).is_some() || unmapped_reason(&wire).is_some(), "{wire} unaccounted for");
    }
}

#[test]
fn fixture_sequences_and_real_captures_decode_losslessly() {
    let Some(shared) = support::shared_dir() else { return };
    let fixtures = shared.join("fixtures");
    let mut count = 0;
    for path in support::files(&fixtures.join("openai-sequences"), ".jsonl") {
        for row in support::json_lines(&path).into_iter().filter(|r| r["dir"] == "s2c") {
            let event = &row["event"];
            check(event, &decode(event), &format!("{}#{}", path.display(), row["seq"]));
            count += 1;
        }
    }
    for path in support::files(&fixtures.join("openai-recorded"), ".server.jsonl") {
        for (i, event) in support::json_lines(&path).iter().enumerate() {
            check(event, &decode(event), &format!("{}:{}", path.display(), i + 1));
            count += 1;
        }
    }
    println!("decoded {count} fixture frames");
    assert!(count > 1700);
}

#[test]
fn sequence_text_deltas_concatenate_to_the_done_text() {
    let Some(shared) = support::shared_dir() else { return };
    let rows = support::json_lines(&shared.join("fixtures/openai-sequences/01-ga-text-turn.jsonl"));
    let (mut streamed, mut done) = (String::new(), None);
    for row in rows.iter().filter(|r| r["dir"] == "s2c") {
        match decode(&row["event"]) {
            ServerMessage::OutputTextDelta(m) => streamed.push_str(&m.text),
            ServerMessage::OutputTextDone(m) => done = Some(m.text),
            _ => {}
        }
    }
    assert!(!streamed.is_empty());
    assert_eq!(Some(streamed), done);
}

#[test]
fn session_events_report_effective_options() {
    let event = json!({ "type": "session.updated", "event_id": "e1", "session": {
        "type": "realtime", "id": "sess_1", "model": "gpt-realtime", "output_modalities": ["text"],
        "instructions": "hi", "max_output_tokens": "inf", "tool_choice": "required",
        "tools": [{ "type": "function", "name": "f", "description": "d", "parameters": { "type": "object" } }],
        "audio": { "input": { "format": { "type": "audio/pcm", "rate": 24000 }, "transcription": null,
                              "noise_reduction": null, "turn_detection": null },
                   "output": { "format": { "type": "audio/pcmu" }, "voice": "marin" } } } });
    let ServerMessage::SessionUpdated(info) = decode(&event) else { panic!() };
    let o = info.options;
    assert_eq!(info.session_id.as_deref(), Some("sess_1"));
    assert_eq!(o.kind, SessionKind::Conversation);
    assert_eq!(o.max_output_tokens, None, "\"inf\" is no limit");
    assert_eq!(o.voice.as_deref(), Some("marin"));
    assert_eq!(o.output_audio_format.unwrap().media_type, "audio/pcmu");
    assert_eq!(o.transcription, None, "null transcription is off");
    assert!(!o.voice_activity_detection.unwrap().enabled, "null turn_detection is manual turns");
    assert_eq!(o.tools.unwrap().len(), 1);
}

#[test]
fn responses_carry_status_usage_and_conversation_membership() {
    let event = json!({ "type": "response.done", "event_id": "e2", "response": {
        "id": "resp_1", "status": "cancelled", "conversation_id": null, "metadata": { "k": "v" },
        "status_details": { "type": "cancelled", "reason": "turn_detected" },
        "output": [{ "id": "item_1", "type": "message", "role": "assistant", "status": "incomplete",
                     "content": [{ "type": "output_audio", "transcript": "Hel" }] },
                   { "id": "item_2", "type": "mcp_call", "server_label": "docs" }],
        "usage": { "total_tokens": 10, "input_tokens": 6, "output_tokens": 4,
                   "input_token_details": { "text_tokens": 2, "audio_tokens": 4, "cached_tokens": 1 },
                   "output_token_details": { "text_tokens": 1, "audio_tokens": 3 } } } });
    let ServerMessage::ResponseDone(r) = decode(&event) else { panic!() };
    assert_eq!(r.status, Some(ResponseStatus::Cancelled));
    assert_eq!(r.status_reason.as_deref(), Some("turn_detected"));
    assert_eq!(r.in_conversation, Some(false));
    let usage = r.usage.unwrap();
    assert_eq!((usage.input_audio_tokens, usage.output_audio_tokens, usage.cached_input_tokens), (Some(4), Some(3), Some(1)));
    assert!(matches!(&r.items[0].contents[0], Content::Audio { transcript: Some(t), .. } if t == "Hel"));
    assert!(matches!(&r.items[1].contents[0], Content::Raw { .. }), "MCP items are kept whole");
}

#[test]
fn errors_name_the_client_message_that_caused_them() {
    let event = json!({ "type": "error", "event_id": "e3", "error": { "type": "invalid_request_error",
        "code": "conversation_already_has_active_response", "message": "busy", "param": null, "event_id": "mine_7" } });
    let ServerMessage::Error(e) = decode(&event) else { panic!() };
    assert_eq!(e.originating_message_id.as_deref(), Some("mine_7"));
    assert_eq!(e.error.code.as_deref(), Some("conversation_already_has_active_response"));
    assert_eq!(e.error.kind.as_deref(), Some("invalid_request_error"));
}

#[test]
fn malformed_frames_are_typed_errors() {
    let mut codec = OpenAiCodec::new();
    for frame in ["", "not json", "[1,2]", "[\"response.done\",null]", "[\"future.x\",null]", "\"x\"", "{\"event_id\":\"e\"}",
                  "{\"type\":5}", "{\"type\":\"response.done\",\"response\":7}", "{\"type\":\"conversation.item.added\",\"item\":[1]}"] {
        assert!(codec.decode(frame).is_err(), "{frame:?} should fail");
    }
    let e = codec.decode(r#"{"type":"response.output_audio.delta","delta":12}"#).unwrap_err();
    assert_eq!(e.event_type.as_deref(), Some("response.output_audio.delta"));
    let e = codec.decode(r#"{"type":"response.output_audio.delta","delta":"@@@"}"#).unwrap_err();
    assert!(e.message.contains("audio"), "{e}");
    // Unknown types are not errors.
    let unknown = codec.decode(r#"{"type":"future.thing","x":1}"#).unwrap();
    assert_eq!(unknown[0].kind(), "raw");
    // Binary frames carry UTF-8 JSON.
    assert_eq!(codec.decode_binary(br#"{"type":"input_audio_buffer.cleared"}"#).unwrap()[0].kind(), "inputAudioBufferCleared");
    assert!(codec.decode_binary(&[0xff, 0xfe]).is_err());
}

#[test]
fn the_schema_validator_itself_rejects_bad_events() {
    // Guards the schema tests against a validator that accepts everything.
    let Some(shared) = support::shared_dir() else { return };
    let schemas = support::OpenAiSchemas::load(&shared);
    assert!(!schemas.errors("RealtimeClientEventSessionUpdate", &json!({ "type": "session.update" })).is_empty());
    assert!(!schemas
        .errors("RealtimeClientEventSessionUpdate", &json!({ "type": "session.update", "session": { "type": "realtime",
            "audio": { "input": { "turn_detection": { "type": "loud_vad" } } } } }))
        .is_empty());
    assert!(!schemas.errors("RealtimeClientEventConversationItemTruncate", &json!({ "type": "conversation.item.truncate", "item_id": "x" })).is_empty());
}
