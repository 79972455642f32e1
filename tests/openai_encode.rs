//! Every neutral client message kind, and every options variant, encodes to a GA event that the
//! official schema accepts; bad options fail with the field named.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use realtime_wasm::model::ClientMessage;
use realtime_wasm::provider::{Codec, EncodeErrorKind, OpenAiCodec};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// (case name, neutral message in its serde form).
fn cases() -> Vec<(&'static str, Value)> {
    let pcm = json!({ "mediaType": "audio/pcm", "sampleRate": 24000 });
    let tool = json!({ "type": "function", "name": "get_weather", "description": "Weather by city",
                       "parameters": { "type": "object", "properties": { "city": { "type": "string" } }, "required": ["city"] } });
    let mcp = json!({ "type": "hostedMcp", "serverLabel": "docs", "serverUrl": "https://mcp.example/sse",
                      "allowedTools": ["search"], "requireApproval": "never" });
    let session = |options: Value| json!({ "type": "sessionUpdate", "messageId": "evt_1", "options": options });
    vec![
        ("sessionUpdate/empty", session(json!({}))),
        ("sessionUpdate/full-server-vad", session(json!({
            "model": "gpt-realtime", "inputAudioFormat": pcm, "outputAudioFormat": pcm,
            "transcription": { "speechLanguage": "en", "modelId": "gpt-4o-transcribe", "prompt": "names" },
            "voice": "marin", "instructions": "Be brief.", "maxOutputTokens": 1024, "outputModalities": ["audio"],
            "toolMode": "auto", "tools": [tool, mcp],
            "voiceActivityDetection": { "enabled": true, "allowInterruption": true, "createResponse": true,
                "threshold": 0.6, "prefixPaddingMs": 300, "silenceDurationMs": 400, "idleTimeoutMs": 6000 } }))),
        ("sessionUpdate/semantic-vad", session(json!({
            "voiceActivityDetection": { "eagerness": "high", "allowInterruption": false } }))),
        ("sessionUpdate/vad-disabled", session(json!({ "voiceActivityDetection": { "enabled": false } }))),
        ("sessionUpdate/vad-defaults", session(json!({ "voiceActivityDetection": {} }))),
        ("sessionUpdate/tool-mode-none", session(json!({ "toolMode": "none", "tools": [tool] }))),
        ("sessionUpdate/tool-mode-require-any", session(json!({ "toolMode": "requireAny", "tools": [tool] }))),
        ("sessionUpdate/tool-mode-require-specific", session(json!({ "toolMode": { "requireSpecific": "get_weather" }, "tools": [tool] }))),
        ("sessionUpdate/text-only-both-listed", session(json!({ "outputModalities": ["text"] }))),
        ("sessionUpdate/g711", session(json!({
            "inputAudioFormat": { "mediaType": "audio/pcmu", "sampleRate": 8000 },
            "outputAudioFormat": { "mediaType": "audio/pcma", "sampleRate": 8000 } }))),
        ("sessionUpdate/custom-voice", session(json!({ "voice": "voice_1234" }))),
        ("sessionUpdate/transcription-on", session(json!({ "transcription": {} }))),
        ("sessionUpdate/transcription-kind", session(json!({
            "kind": "transcription", "inputAudioFormat": pcm,
            "transcription": { "modelId": "gpt-4o-transcribe", "speechLanguage": "de" },
            "voiceActivityDetection": { "silenceDurationMs": 700 } }))),
        ("sessionUpdate/provider-options-seed", session(json!({
            "instructions": "x",
            "providerOptions": { "audio": { "input": { "noise_reduction": { "type": "near_field" } },
                                            "output": { "speed": 1.2 } }, "truncation": "auto" } }))),
        ("inputAudioBufferAppend", json!({ "type": "inputAudioBufferAppend", "audio": "AAABAAIA" })),
        ("inputAudioBufferCommit", json!({ "type": "inputAudioBufferCommit", "messageId": "c1" })),
        ("inputAudioBufferClear", json!({ "type": "inputAudioBufferClear" })),
        ("createConversationItem/user-text", json!({ "type": "createConversationItem",
            "item": { "role": "user", "contents": [{ "type": "text", "text": "hi" }] } })),
        ("createConversationItem/user-audio+image", json!({ "type": "createConversationItem", "previousItemId": "root",
            "item": { "id": "item_a", "role": "user", "contents": [
                { "type": "audio", "audio": "AAAA", "transcript": "hm" },
                { "type": "image", "imageUrl": "data:image/png;base64,iVBORw0KGgo=", "detail": "low" }] } })),
        ("createConversationItem/assistant-text", json!({ "type": "createConversationItem", "previousItemId": "item_a",
            "item": { "role": "assistant", "contents": [{ "type": "text", "text": "ok" }] } })),
        ("createConversationItem/system-text", json!({ "type": "createConversationItem",
            "item": { "role": "system", "contents": [{ "type": "text", "text": "rules" }] } })),
        ("createConversationItem/function-call", json!({ "type": "createConversationItem",
            "item": { "contents": [{ "type": "functionCall", "callId": "call_1", "name": "f", "arguments": "{\"a\":1}" }] } })),
        ("createConversationItem/function-result-string", json!({ "type": "createConversationItem",
            "item": { "contents": [{ "type": "functionResult", "callId": "call_1", "result": "sunny" }] } })),
        ("createConversationItem/function-result-object", json!({ "type": "createConversationItem",
            "item": { "contents": [{ "type": "functionResult", "callId": "call_1", "name": "f", "result": { "t": 21 } }] } })),
        ("createConversationItem/function-result-error", json!({ "type": "createConversationItem",
            "item": { "contents": [{ "type": "functionResult", "callId": "call_1", "error": "boom" }] } })),
        ("truncateConversationItem", json!({ "type": "truncateConversationItem", "itemId": "item_b", "audioEndMs": 1500 })),
        ("deleteConversationItem", json!({ "type": "deleteConversationItem", "itemId": "item_b" })),
        ("retrieveConversationItem", json!({ "type": "retrieveConversationItem", "itemId": "item_b" })),
        ("createResponse/bare", json!({ "type": "createResponse" })),
        ("createResponse/all-overrides", json!({ "type": "createResponse", "messageId": "r1",
            "items": [{ "role": "user", "contents": [{ "type": "text", "text": "summarize" }] }],
            "outputAudioFormat": pcm, "voice": "cedar", "instructions": "Short.", "excludeFromConversation": true,
            "maxOutputTokens": 200, "metadata": { "purpose": "summary", "n": 3 }, "outputModalities": ["text"],
            "toolMode": { "requireSpecific": "get_weather" }, "tools": [tool] })),
        ("createResponse/in-conversation", json!({ "type": "createResponse", "excludeFromConversation": false, "toolMode": "none" })),
        ("cancelResponse/current", json!({ "type": "cancelResponse" })),
        ("cancelResponse/by-id", json!({ "type": "cancelResponse", "responseId": "resp_1" })),
        ("raw/output-audio-buffer-clear", json!({ "type": "raw", "messageId": "x1", "payload": { "type": "output_audio_buffer.clear" } })),
    ]
}

#[test]
fn every_client_message_kind_is_covered() {
    let kinds: std::collections::BTreeSet<String> = cases()
        .into_iter()
        .map(|(_, v)| serde_json::from_value::<ClientMessage>(v).unwrap().kind().to_string())
        .collect();
    for kind in [
        "sessionUpdate", "inputAudioBufferAppend", "inputAudioBufferCommit", "inputAudioBufferClear",
        "createConversationItem", "truncateConversationItem", "deleteConversationItem",
        "retrieveConversationItem", "createResponse", "cancelResponse", "raw",
    ] {
        assert!(kinds.contains(kind), "no encode case for {kind}");
    }
}

#[test]
fn encodings_validate_against_the_official_schema() {
    let Some(shared) = support::shared_dir() else { return };
    let schemas = support::OpenAiSchemas::load(&shared);
    let by_type: BTreeMap<String, String> = schemas
        .event_group("realtime-client-events")
        .into_iter()
        .filter_map(|name| schemas.event_type(&name).map(|t| (t, name)))
        .collect();
    assert!(by_type.len() >= 10, "client event group not found in the schema file");

    let mut codec = OpenAiCodec::new();
    let mut validated = 0;
    for (name, neutral) in cases() {
        let message: ClientMessage = serde_json::from_value(neutral).unwrap_or_else(|e| panic!("{name}: {e}"));
        let frames = codec.encode(&message).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(frames.len(), 1, "{name}");
        let event: Value = serde_json::from_str(&frames[0]).unwrap();
        let event_type = event["type"].as_str().unwrap_or_else(|| panic!("{name}: no type"));
        let schema = by_type.get(event_type).unwrap_or_else(|| panic!("{name}: {event_type} is not a GA client event"));
        let errors = schemas.errors(schema, &event);
        assert!(errors.is_empty(), "{name} → {event}\nviolates {schema}:\n{}", errors.join("\n"));
        if let Some(id) = message.message_id() {
            assert_eq!(event["event_id"], id, "{name}: event_id");
        }
        validated += 1;
    }
    println!("schema-validated client encodings: {validated}");
}

fn encode(neutral: Value) -> Value {
    let message: ClientMessage = serde_json::from_value(neutral).unwrap();
    serde_json::from_str(&OpenAiCodec::new().encode(&message).unwrap()[0]).unwrap()
}

#[test]
fn session_update_maps_every_option() {
    let event = encode(cases().into_iter().find(|(n, _)| *n == "sessionUpdate/full-server-vad").unwrap().1);
    let s = &event["session"];
    assert_eq!(s["type"], "realtime");
    assert_eq!(s["model"], "gpt-realtime");
    assert_eq!(s["instructions"], "Be brief.");
    assert_eq!(s["max_output_tokens"], 1024);
    assert_eq!(s["output_modalities"], json!(["audio"]));
    assert_eq!(s["tool_choice"], "auto");
    assert_eq!(s["tools"][0]["name"], "get_weather");
    assert_eq!(s["tools"][1]["type"], "mcp");
    assert_eq!(s["audio"]["input"]["format"], json!({ "type": "audio/pcm", "rate": 24000 }));
    assert_eq!(s["audio"]["input"]["transcription"], json!({ "model": "gpt-4o-transcribe", "language": "en", "prompt": "names" }));
    assert_eq!(
        s["audio"]["input"]["turn_detection"],
        json!({ "type": "server_vad", "threshold": 0.6, "prefix_padding_ms": 300, "silence_duration_ms": 400,
                "idle_timeout_ms": 6000, "create_response": true, "interrupt_response": true })
    );
    assert_eq!(s["audio"]["output"]["voice"], "marin");
}

#[test]
fn vad_variants_map_to_turn_detection() {
    let td = |options: Value| encode(json!({ "type": "sessionUpdate", "options": options }))["session"]["audio"]["input"]["turn_detection"].clone();
    assert_eq!(td(json!({ "voiceActivityDetection": { "enabled": false } })), Value::Null);
    let semantic = td(json!({ "voiceActivityDetection": { "eagerness": "low", "allowInterruption": false } }));
    assert_eq!(semantic, json!({ "type": "semantic_vad", "eagerness": "low", "interrupt_response": false }));
    // Absent VAD options leave the server's turn detection alone.
    let none = encode(json!({ "type": "sessionUpdate", "options": {} }));
    assert!(none["session"].get("audio").is_none());
}

#[test]
fn provider_options_are_a_seed_under_mapped_fields() {
    let event = encode(json!({ "type": "sessionUpdate", "options": {
        "instructions": "mine", "providerOptions": { "instructions": "seed", "truncation": "disabled" } } }));
    assert_eq!(event["session"]["instructions"], "mine");
    assert_eq!(event["session"]["truncation"], "disabled");
}

#[test]
fn raw_keeps_the_apps_own_event_id() {
    let event = encode(json!({ "type": "raw", "messageId": "ours", "payload": { "type": "x", "event_id": "theirs" } }));
    assert_eq!(event["event_id"], "theirs");
}

#[test]
fn function_results_reach_the_model_as_text() {
    let output = |content: Value| {
        encode(json!({ "type": "createConversationItem", "item": { "contents": [content] } }))["item"]["output"].clone()
    };
    assert_eq!(output(json!({ "type": "functionResult", "callId": "c", "result": "plain" })), "plain");
    assert_eq!(output(json!({ "type": "functionResult", "callId": "c", "result": { "a": [1] } })), "{\"a\":[1]}");
    assert_eq!(output(json!({ "type": "functionResult", "callId": "c", "error": "no" })), "{\"error\":\"no\"}");
}

#[test]
fn bad_options_name_the_field() {
    let fail = |neutral: Value| {
        let message: ClientMessage = serde_json::from_value(neutral).unwrap();
        OpenAiCodec::new().encode(&message).unwrap_err()
    };
    let e = fail(json!({ "type": "sessionUpdate", "options": { "inputAudioFormat": { "mediaType": "audio/pcm", "sampleRate": 16000 } } }));
    assert_eq!(e.field.as_deref(), Some("options.inputAudioFormat.sampleRate"));
    assert_eq!(e.kind, EncodeErrorKind::Range);
    let e = fail(json!({ "type": "sessionUpdate", "options": { "maxOutputTokens": 0 } }));
    assert_eq!(e.field.as_deref(), Some("options.maxOutputTokens"));
    let e = fail(json!({ "type": "sessionUpdate", "options": { "voiceActivityDetection": { "threshold": 1.5 } } }));
    assert_eq!(e.field.as_deref(), Some("options.voiceActivityDetection.threshold"));
    let e = fail(json!({ "type": "sessionUpdate", "options": { "providerOptions": [1] } }));
    assert_eq!((e.field.as_deref(), e.kind), (Some("options.providerOptions"), EncodeErrorKind::Type));
    let e = fail(json!({ "type": "createConversationItem", "item": { "role": "assistant",
        "contents": [{ "type": "audio", "audio": "AAAA" }] } }));
    assert_eq!(e.field.as_deref(), Some("item.contents[0]"));
    let e = fail(json!({ "type": "createResponse", "outputModalities": [] }));
    assert_eq!(e.field.as_deref(), Some("outputModalities"));
    let e = fail(json!({ "type": "sessionUpdate", "options": { "tools": [{ "type": "function", "name": "f", "parameters": "x" }] } }));
    assert_eq!(e.field.as_deref(), Some("options.tools[0].parameters"));
    // Of several faults, the first checked is the one reported (the input side, then the output).
    let e = fail(json!({ "type": "sessionUpdate", "options": { "maxOutputTokens": 0,
        "inputAudioFormat": { "mediaType": "audio/pcm", "sampleRate": 16000 }, "providerOptions": [1] } }));
    assert_eq!(e.to_string(), "options.inputAudioFormat.sampleRate: OpenAI accepts audio/pcm at 24000 Hz only, not 16000");
}

#[test]
fn connect_request_keeps_the_key_out_of_the_url() {
    use realtime_wasm::provider::ConnectConfig;
    let request = OpenAiCodec::new().connect_request(&ConnectConfig {
        model: "gpt-realtime mini".into(),
        endpoint: Some("ws://127.0.0.1:8080/v1/realtime".into()),
        credential: "ek_secret".into(),
    });
    assert_eq!(request.url, "ws://127.0.0.1:8080/v1/realtime?model=gpt-realtime%20mini");
    assert!(!request.url.contains("ek_secret"));
    assert_eq!(request.protocols, vec!["realtime".to_string(), "openai-insecure-api-key.ek_secret".to_string()]);
}
