//! The names `on()` accepts are one list: `EVENT_NAMES` (unknown names are warned about) and the
//! d.ts event types.
//!
//! The SDK's error codes are one list: the Rust `ErrorCode` (every code the session and the browser
//! shell can emit — they take an `ErrorCode`, not a string), the d.ts union `RealtimeErrorCode`, and
//! the README's `error` row. A code added on one side only fails here.

use realtime_wasm::session::{ErrorCode, EVENT_NAMES};
use std::collections::BTreeSet;

fn repo_file(path: &str) -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn rust_codes() -> BTreeSet<String> {
    ErrorCode::ALL.iter().map(|c| c.as_str().to_owned()).collect()
}

/// The string literals of `export type RealtimeErrorCode = | "a" | "b" …;`.
fn dts_codes() -> BTreeSet<String> {
    let dts = repo_file("src/web/realtime_wasm.d.ts");
    let start = dts.find("export type RealtimeErrorCode =").expect("the d.ts declares RealtimeErrorCode");
    let body = &dts[start..start + dts[start..].find(';').expect("the union ends with ;")];
    body.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

#[test]
fn the_dts_union_is_the_rust_list() {
    assert_eq!(dts_codes(), rust_codes(), "RealtimeErrorCode in src/web/realtime_wasm.d.ts must list exactly ErrorCode::ALL");
}

#[test]
fn every_code_is_distinct_and_snake_case() {
    assert_eq!(rust_codes().len(), ErrorCode::ALL.len());
    for code in ErrorCode::ALL {
        assert!(code.as_str().bytes().all(|b| b.is_ascii_lowercase() || b == b'_'), "{code}");
    }
}

#[test]
fn the_readme_names_every_code() {
    let readme = repo_file("README.md");
    let row = readme.lines().find(|l| l.starts_with("| `error` (`source: \"sdk\"`)")).expect("README's event table has the error row");
    let missing: Vec<String> = rust_codes().into_iter().filter(|c| !row.contains(&format!("`{c}`"))).collect();
    assert!(missing.is_empty(), "README's error row does not name {missing:?}");
}

#[test]
fn the_event_names_are_the_dts_event_types() {
    let dts = repo_file("src/web/realtime_wasm.d.ts");
    // Messages and events the SDK hands out are the interfaces with `readonly type: "…"`.
    let declared: BTreeSet<String> = dts.split("readonly type: \"").skip(1).map(|rest| rest[..rest.find('"').unwrap()].to_owned()).collect();
    assert!(EVENT_NAMES.ends_with(' ') && !EVENT_NAMES.contains("  "), "EVENT_NAMES: each name and a space");
    let known: BTreeSet<String> = EVENT_NAMES.split_terminator(' ').map(str::to_owned).collect();
    assert_eq!(known.len(), EVENT_NAMES.split_terminator(' ').count(), "EVENT_NAMES has a duplicate");
    assert_eq!(declared, known, "EVENT_NAMES (src/session/output.rs) must list exactly the d.ts event types");
}
