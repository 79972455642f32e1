//! serde's view of [`Json`], for the native side only in practice: the model's derived `Serialize`
//! (the reference the writer is tested against) needs it for the values the model keeps whole, and
//! native callers (tests, the wire CLI) build those values from `serde_json::Value`.
//!
//! The wasm build never instantiates a serializer, so the generic impl below costs it nothing; the
//! serde_json conversions are not compiled into the wasm library at all.

use super::{Json, JsonNumber};
use serde::{Serialize, Serializer};

/// As the same text in a [`Json`] tree.
impl Serialize for JsonNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Json::Number(self.as_str().into()).serialize(serializer)
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            // As serde_json reads the text: integers stay integers (`u64`, else `i64`), the rest is
            // the nearest `f64` (core's exact parser: never instantiated in the wasm build).
            Json::Number(text) => match (text.parse::<u64>(), text.parse::<i64>()) {
                (Ok(n), _) => serializer.serialize_u64(n),
                (_, Ok(n)) => serializer.serialize_i64(n),
                _ => serializer.serialize_f64(text.parse::<f64>().unwrap_or(f64::NAN)),
            },
            Json::String(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(pairs) => {
                let mut map = serializer.serialize_map(Some(pairs.len()))?;
                for (key, value) in pairs {
                    map.serialize_entry(key.as_ref(), value)?;
                }
                map.end()
            }
        }
    }
}

// Native, and the unit tests on wasm (serde_json is a dev-dependency there).
#[cfg(any(test, not(target_arch = "wasm32")))]
mod native {
    use super::super::{JsonValue, Json};
    use crate::prelude::*;
    use alloc::borrow::Cow;

    impl From<serde_json::Value> for JsonValue {
        fn from(value: serde_json::Value) -> Self {
            use serde_json::Value;
            match value {
                Value::Null => Json::Null,
                Value::Bool(b) => Json::Bool(b),
                Value::Number(n) => Json::Number(Cow::Owned(n.to_string())),
                Value::String(s) => Json::String(Cow::Owned(s)),
                Value::Array(items) => Json::Array(items.into_iter().map(Self::from).collect()),
                Value::Object(map) => Json::Object(map.into_iter().map(|(k, v)| (Cow::Owned(k), Self::from(v))).collect()),
            }
        }
    }

    /// Equal as serde_json reads both (members unordered, numbers by value), for tests.
    impl PartialEq<serde_json::Value> for Json<'_> {
        fn eq(&self, other: &serde_json::Value) -> bool {
            serde_json::to_value(self).is_ok_and(|v| v == *other)
        }
    }

    impl<'de> serde::Deserialize<'de> for JsonValue {
        fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            <serde_json::Value as serde::Deserialize>::deserialize(deserializer).map(Self::from)
        }
    }
}
