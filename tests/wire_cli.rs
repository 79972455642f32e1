//! The wire CLI as a black box: JSON Lines in, JSON Lines out, errors reported per line.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The example binary (`cargo build --example wire`, which the test script runs first:
/// `cargo test --all-targets` builds examples only as test harnesses, and a nested cargo here would
/// wait on cargo's own build lock).
fn wire_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(|deps| deps.parent()).unwrap();
    let binary = dir.join("examples").join(format!("wire{}", std::env::consts::EXE_SUFFIX));
    assert!(binary.exists(), "{} is not built: run `cargo build --example wire` first", binary.display());
    binary
}

fn run(args: &[&str], input: &str) -> (Vec<Value>, i32) {
    let mut child = Command::new(wire_binary())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Feed stdin from another thread: the child's stdout would fill up while we are still writing.
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let lines = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("output line {l:?} is not JSON: {e}")))
        .collect();
    (lines, output.status.code().unwrap_or(-1))
}

#[test]
fn decode_prints_neutral_messages_and_reports_bad_lines() {
    let input = [
        r#"{"type":"response.output_audio.delta","event_id":"e1","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"AAECAw=="}"#,
        "",
        "{oops",
        r#"{"type":"response.output_text.delta","event_id":"e2","item_id":"i","delta":"Hi"}"#,
        r#"{"type":"brand.new.event","event_id":"e3"}"#,
    ]
    .join("\n");
    let (lines, code) = run(&["decode", "--provider", "openai"], &input);
    assert_eq!(code, 1, "a bad line makes the exit status 1");
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["type"], "outputAudioDelta");
    assert_eq!(lines[0]["audio"], "AAECAw==");
    assert_eq!(lines[0]["messageId"], "e1");
    assert_eq!(lines[1]["type"], "decodeError");
    assert_eq!(lines[1]["line"], 3);
    assert!(lines[1]["message"].as_str().unwrap().contains("JSON"));
    assert_eq!(lines[2]["type"], "outputTextDelta");
    assert_eq!(lines[2]["text"], "Hi");
    assert_eq!(lines[3]["type"], "raw");
    assert_eq!(lines[3]["payload"]["type"], "brand.new.event");
}

#[test]
fn encode_prints_wire_frames_and_reports_bad_lines() {
    let input = [
        r#"{"type":"inputAudioBufferAppend","audio":"AAECAw=="}"#,
        r#"{"type":"noSuchMessage"}"#,
        r#"{"type":"sessionUpdate","options":{"maxOutputTokens":0}}"#,
        r#"{"type":"createResponse","messageId":"m1"}"#,
    ]
    .join("\n");
    let (lines, code) = run(&["encode", "--provider=openai"], &input);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0], serde_json::json!({ "type": "input_audio_buffer.append", "audio": "AAECAw==" }));
    assert_eq!((lines[1]["type"].as_str(), lines[1]["line"].as_u64()), (Some("encodeError"), Some(2)));
    assert_eq!(lines[2]["type"], "encodeError");
    assert!(lines[2]["message"].as_str().unwrap().contains("options.maxOutputTokens"));
    assert_eq!(lines[3], serde_json::json!({ "type": "response.create", "event_id": "m1" }));
}

#[test]
fn clean_input_exits_zero_and_usage_errors_exit_two() {
    let (lines, code) = run(&["encode", "--provider", "openai"], "{\"type\":\"inputAudioBufferCommit\"}\n");
    assert_eq!((lines.len(), code), (1, 0));
    assert_eq!(run(&["decode"], "").1, 2);
    assert_eq!(run(&["decode", "--provider", "nope"], "").1, 2);
    assert_eq!(run(&["transcode", "--provider", "openai"], "").1, 2);
}

#[test]
fn a_whole_recorded_session_decodes_through_the_cli() {
    let Some(shared) = support::shared_dir() else { return };
    let path = shared.join("fixtures/openai-recorded/beta-webrtc-jurgob-long-session-bargein-ratelimit-contentfilter.server.jsonl");
    let input = std::fs::read_to_string(path).unwrap();
    let frames = input.lines().filter(|l| !l.trim().is_empty()).count();
    let (lines, code) = run(&["decode", "--provider", "openai"], &input);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), frames, "one neutral message per OpenAI frame");
    assert!(lines.iter().all(|l| l["type"] != "decodeError"));
}

#[test]
fn gemini_frames_decode_and_encode_through_the_cli() {
    let input = [r#"{"setupComplete":{}}"#, r#"{"serverContent":{"modelTurn":{"parts":[{"text":"Hi"}]}}}"#, r#"{"serverContent":{"turnComplete":true}}"#].join("\n");
    let (lines, code) = run(&["decode", "--provider", "gemini"], &input);
    assert_eq!(code, 0);
    let kinds: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["sessionCreated", "responseCreated", "responseOutputItemAdded", "outputTextDelta", "outputTextDone", "responseOutputItemDone", "responseDone"]);
    let input = [r#"{"type":"createConversationItem","item":{"role":"user","contents":[{"type":"text","text":"hello"}]}}"#, r#"{"type":"createResponse"}"#, r#"{"type":"sessionUpdate","options":{}}"#].join("\n");
    let (lines, code) = run(&["encode", "--provider", "gemini"], &input);
    assert_eq!(code, 1, "sessionUpdate is not supported by Gemini");
    assert_eq!(lines[0], serde_json::json!({ "clientContent": { "turns": [{ "parts": [{ "text": "hello" }], "role": "user" }], "turnComplete": true } }));
    assert_eq!(lines[1]["type"], "encodeError");
}
