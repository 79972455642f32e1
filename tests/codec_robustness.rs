//! No input makes a codec panic: random text and bytes, mutated real frames, type-confused JSON, and
//! arbitrary app messages. (A panic in wasm kills every session on the page.)

#![cfg(not(target_arch = "wasm32"))]

mod support;

use proptest::prelude::*;
use realtime_wasm::model::ClientMessage;
use realtime_wasm::provider::{Codec, OpenAiCodec};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// Real and constructed server frames to mutate (a small built-in set when `../shared` is absent).
fn corpus() -> &'static Vec<String> {
    static CORPUS: OnceLock<Vec<String>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut frames = vec![
            r#"{"type":"response.output_audio.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAECAw=="}"#.to_string(),
            r#"{"type":"response.done","response":{"id":"r","status":"completed","output":[{"type":"function_call","call_id":"c","name":"f","arguments":"{}"}],"usage":{"total_tokens":1}}}"#.to_string(),
            r#"{"type":"session.created","session":{"type":"realtime","audio":{"input":{"turn_detection":null}}}}"#.to_string(),
        ];
        if let Some(shared) = support::shared_dir() {
            let fixtures = shared.join("fixtures");
            for path in support::files(&fixtures.join("openai-sequences"), ".jsonl") {
                frames.extend(support::json_lines(&path).iter().filter(|r| r["dir"] == "s2c").map(|r| r["event"].to_string()));
            }
            for path in support::files(&fixtures.join("openai-recorded"), ".server.jsonl") {
                frames.extend(support::json_lines(&path).iter().map(Value::to_string));
            }
        }
        frames
    })
}

/// Gemini server frames of every kind, to mutate.
fn gemini_corpus() -> Vec<Value> {
    vec![
        json!({ "setupComplete": {} }),
        json!({ "serverContent": { "modelTurn": { "parts": [{ "text": "a" }, { "inlineData": { "mimeType": "audio/pcm;rate=24000", "data": "AAAA" } }, { "executableCode": { "code": "x" } }] } } }),
        json!({ "serverContent": { "outputTranscription": { "text": "b" }, "inputTranscription": { "text": "c", "finished": true }, "interrupted": true } }),
        json!({ "serverContent": { "turnComplete": true }, "usageMetadata": { "promptTokenCount": 1, "promptTokensDetails": [{ "modality": "TEXT", "tokenCount": 1 }] } }),
        json!({ "toolCall": { "functionCalls": [{ "id": "c", "name": "f", "args": { "x": [1] } }] } }),
        json!({ "toolCallCancellation": { "ids": ["c"] } }),
        json!({ "goAway": { "timeLeft": "5s" } }),
        json!({ "sessionResumptionUpdate": { "newHandle": "h", "resumable": true } }),
    ]
}

/// Decodes and, when that succeeds, writes the result (the CLI and the JS layer do both).
fn exercise(frame: &str) {
    if let Ok(messages) = OpenAiCodec::new().decode(frame) {
        for m in messages {
            written_as_serde_writes(&m);
        }
    }
}

/// The SDK's JSON writer (what the JS layer parses) gives the value serde's derived form gives
/// (numbers compared as serde_json reads them back: `1.0` stays a float).
fn written_as_serde_writes<T: serde::Serialize + realtime_wasm::json::ToJson>(value: &T) {
    let text = realtime_wasm::json::to_string(value);
    let ours: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("the writer wrote invalid JSON ({e}): {text}"));
    assert_eq!(ours, serde_json::to_value(value).expect("serializes"), "{text}");
}

#[test]
fn every_corpus_frame_writes_as_serde_writes() {
    let mut count = 0;
    for frame in corpus() {
        for m in OpenAiCodec::new().decode(frame).unwrap_or_default() {
            written_as_serde_writes(&m);
            count += 1;
        }
    }
    let mut codec = realtime_wasm::provider::GeminiCodec::new();
    for frame in gemini_corpus() {
        for m in codec.decode(&frame.to_string()).expect("decodes") {
            written_as_serde_writes(&m);
            count += 1;
        }
    }
    assert!(count >= 10, "{count}");
}

/// Replaces the value at a pseudo-random path with `replacement` (type confusion).
fn confuse(value: &mut Value, mut choice: usize, replacement: Value) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map.keys().nth(choice % map.len()).cloned().unwrap_or_default();
            choice /= map.len().max(1);
            let child = map.get_mut(&key).expect("key exists");
            if choice % 3 == 0 || !(child.is_object() || child.is_array()) {
                // Keep the discriminator most of the time so the typed paths are reached.
                if key != "type" || choice % 7 == 0 {
                    *child = replacement;
                }
            } else {
                confuse(child, choice, replacement);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let (i, rest) = (choice % items.len(), choice / items.len());
            confuse(&mut items[i], rest, replacement);
        }
        other => *other = replacement,
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        Just(json!("AAAA")),
        Just(json!(u64::MAX)),
        Just(json!(-1)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,10}",
                    Just("type".to_string()),
                    Just("item".to_string()),
                    Just("response".to_string()),
                    Just("session".to_string()),
                    Just("delta".to_string()),
                    Just("content".to_string()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(frame in any::<String>()) {
        exercise(&frame);
    }

    #[test]
    fn the_gemini_decoder_never_panics(pick in any::<usize>(), path in any::<usize>(), replacement in any_json()) {
        let frames = gemini_corpus();
        let mut frame = frames[pick % frames.len()].clone();
        confuse(&mut frame, path, replacement);
        let mut codec = realtime_wasm::provider::GeminiCodec::new();
        // Twice: the codec is stateful (open turns, pending calls).
        for _ in 0..2 {
            if let Ok(messages) = codec.decode(&frame.to_string()) {
                for m in messages {
                    written_as_serde_writes(&m);
                }
            }
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = OpenAiCodec::new().decode_binary(&bytes);
    }

    #[test]
    fn mutated_real_frames_never_panic(pick in any::<usize>(), cut in any::<usize>(),
                                       flips in prop::collection::vec((any::<usize>(), any::<u8>()), 0..4)) {
        let frames = corpus();
        let mut bytes = frames[pick % frames.len()].clone().into_bytes();
        for (at, byte) in flips {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = byte;
            }
        }
        bytes.truncate(cut % (bytes.len() + 1) + bytes.len() / 2);
        let _ = OpenAiCodec::new().decode_binary(&bytes);
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn type_confused_real_frames_never_panic(pick in any::<usize>(), path in any::<usize>(), replacement in any_json()) {
        let frames = corpus();
        let mut event: Value = serde_json::from_str(&frames[pick % frames.len()]).unwrap();
        confuse(&mut event, path, replacement);
        exercise(&event.to_string());
    }

    #[test]
    fn random_events_of_known_types_never_panic(kind in prop::sample::select(KNOWN_TYPES), body in any_json()) {
        let mut event = match body { Value::Object(map) => Value::Object(map), other => json!({ "x": other }) };
        event["type"] = json!(kind);
        exercise(&event.to_string());
    }

    #[test]
    fn arbitrary_client_messages_never_panic_the_encoder(value in any_json(), kind in prop::sample::select(CLIENT_TYPES)) {
        let mut value = match value { Value::Object(map) => Value::Object(map), other => json!({ "options": other }) };
        value["type"] = json!(kind);
        if let Ok(message) = serde_json::from_value::<ClientMessage>(value) {
            written_as_serde_writes(&message);
            let _ = OpenAiCodec::new().encode(&message);
        }
    }
}

const KNOWN_TYPES: &[&str] = &[
    "error", "session.created", "session.updated", "conversation.item.added", "conversation.item.done",
    "conversation.item.created", "conversation.item.retrieved", "conversation.item.truncated",
    "conversation.item.deleted", "conversation.item.input_audio_transcription.delta",
    "conversation.item.input_audio_transcription.completed", "conversation.item.input_audio_transcription.failed",
    "conversation.item.input_audio_transcription.segment", "input_audio_buffer.committed",
    "input_audio_buffer.cleared", "input_audio_buffer.speech_started", "input_audio_buffer.speech_stopped",
    "input_audio_buffer.timeout_triggered", "response.created", "response.done", "response.output_item.added",
    "response.output_item.done", "response.output_text.delta", "response.output_text.done",
    "response.output_audio.delta", "response.output_audio.done", "response.output_audio_transcript.delta",
    "response.output_audio_transcript.done", "response.function_call_arguments.delta",
    "response.function_call_arguments.done", "rate_limits.updated", "response.text.delta", "response.audio.delta",
];

const CLIENT_TYPES: &[&str] = &[
    "sessionUpdate", "inputAudioBufferAppend", "inputAudioBufferCommit", "inputAudioBufferClear",
    "createConversationItem", "truncateConversationItem", "deleteConversationItem", "retrieveConversationItem",
    "createResponse", "cancelResponse", "raw",
];

#[test]
fn deeply_nested_frames_are_errors_not_stack_overflows() {
    let deep = format!("{{\"type\":\"response.done\",\"response\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(OpenAiCodec::new().decode(&deep).is_err());
}
