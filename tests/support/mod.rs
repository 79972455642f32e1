//! Shared helpers for the native integration tests: finding `../shared`, reading its fixtures, and
//! validating JSON against the official OpenAI Realtime schema.
#![allow(dead_code)]

use serde_json::{json, Map, Value};
use std::path::PathBuf;

/// `../shared` beside the repository, or `None` with a loud message (CI always has it).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("\n!!!!! ../shared is absent: SKIPPING the tests that read its schemas and fixtures !!!!!\n");
        None
    }
}

/// The official schema file, parsed.
pub fn openai_schema_file(shared: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(shared.join("spec/openai-realtime-schemas.json")).expect("schema file");
    serde_json::from_str(&text).expect("schema JSON")
}

/// Validators for the schema's named components. `$ref: "#/components/schemas/X"` resolves against
/// `schemas` + `dependencies`; OpenAPI 3.0 `nullable: true` is read as "or null"; and the spec's
/// "open enum" idiom, `oneOf: [{type: string}, {type: string, enum: [...]}]` (which no listed value
/// can satisfy, since it matches both branches), is read as the `anyOf` it means.
pub struct OpenAiSchemas {
    components: Value,
    file: Value,
}

impl OpenAiSchemas {
    pub fn load(shared: &std::path::Path) -> Self {
        let file = openai_schema_file(shared);
        let mut all = Map::new();
        for group in ["schemas", "dependencies"] {
            if let Some(map) = file[group].as_object() {
                for (k, v) in map {
                    let mut v = v.clone();
                    nullable_to_null(&mut v);
                    open_enum_to_any_of(&mut v);
                    all.insert(k.clone(), v);
                }
            }
        }
        OpenAiSchemas { components: json!({ "schemas": all }), file }
    }

    pub fn file(&self) -> &Value {
        &self.file
    }

    pub fn schema(&self, name: &str) -> &Value {
        &self.components["schemas"][name]
    }

    pub fn validator(&self, name: &str) -> jsonschema::Validator {
        assert!(self.components["schemas"].get(name).is_some(), "no schema named {name}");
        let root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "components": self.components,
            "$ref": format!("#/components/schemas/{name}"),
        });
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .unwrap_or_else(|e| panic!("schema {name} does not compile: {e}"))
    }

    /// Every error of `instance` against schema `name`, as readable lines.
    pub fn errors(&self, name: &str, instance: &Value) -> Vec<String> {
        let validator = self.validator(name);
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
    }

    /// The `sections` keys of an event group (`realtime-client-events` / `realtime-server-events`).
    pub fn event_group(&self, id: &str) -> Vec<String> {
        self.file["event_groups"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|g| g["id"] == id)
            .flat_map(|g| g["sections"].as_array().cloned().unwrap_or_default())
            .filter_map(|s| s["key"].as_str().map(str::to_owned))
            .collect()
    }

    /// The wire `type` an event schema declares (`properties.type.enum[0]` or `const`).
    pub fn event_type(&self, name: &str) -> Option<String> {
        let t = &self.schema(name)["properties"]["type"];
        t["enum"][0].as_str().or_else(|| t["const"].as_str()).map(str::to_owned)
    }
}

fn nullable_to_null(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                nullable_to_null(child);
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                match map.get_mut("type") {
                    Some(Value::String(t)) => {
                        let t = t.clone();
                        map.insert("type".into(), json!([t, "null"]));
                        if let Some(Value::Array(e)) = map.get_mut("enum") {
                            e.push(Value::Null);
                        }
                    }
                    _ => {
                        let inner = Value::Object(std::mem::take(map));
                        map.insert("anyOf".into(), json!([inner, { "type": "null" }]));
                    }
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_to_null),
        _ => {}
    }
}

fn open_enum_to_any_of(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                open_enum_to_any_of(child);
            }
            let is_open_enum = map.get("oneOf").and_then(Value::as_array).is_some_and(|branches| {
                branches.iter().any(|b| b.get("type") == Some(&json!("string")) && b.get("enum").is_none())
                    && branches.iter().all(|b| b.get("type") == Some(&json!("string")))
            });
            if is_open_enum {
                let branches = map.remove("oneOf").unwrap_or_default();
                map.insert("anyOf".into(), branches);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(open_enum_to_any_of),
        _ => {}
    }
}

/// Lines of a JSON Lines file, parsed (blank lines skipped).
pub fn json_lines(path: &std::path::Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1)))
        .collect()
}

/// Files in `dir` whose name ends with `suffix`, sorted.
pub fn files(dir: &std::path::Path, suffix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .collect();
    out.sort();
    out
}
