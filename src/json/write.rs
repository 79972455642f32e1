//! Values → compact JSON text (what `JSON.parse` reads on the JS side, and what the wire carries).
//!
//! [`ToJson`] is implemented by hand (or by the model's field-list macros), and each field is
//! written through `&dyn ToJson`: one small function per type, no generic serializer instantiated
//! per type and format as serde's derive did.

use crate::prelude::*;
use super::Json;
use crate::text::Piece;

/// A type written as JSON.
pub trait ToJson {
    fn write_json(&self, out: &mut String);

    /// Whether an object member holding this value is left out (an absent `Option`).
    fn is_absent(&self) -> bool {
        false
    }
}

/// `value` as compact JSON text.
pub fn to_string<T: ToJson + ?Sized>(value: &T) -> String {
    let mut out = String::new();
    value.write_json(&mut out);
    out
}

/// An object being written: `{`, members, `}`. Absent members are skipped.
pub struct JsonObject<'o> {
    out: &'o mut String,
    empty: bool,
}

impl<'o> JsonObject<'o> {
    pub fn new(out: &'o mut String) -> Self {
        out.push('{');
        Self { out, empty: true }
    }

    /// A member; `key` is written as is (the model's keys are plain ASCII names).
    pub fn field(&mut self, key: &str, value: &dyn ToJson) -> &mut Self {
        if !value.is_absent() {
            self.key(key);
            value.write_json(self.out);
        }
        self
    }

    /// The `type` discriminator of a tagged object.
    pub fn tag(&mut self, tag: &str) -> &mut Self {
        self.field("type", &tag)
    }

    /// A member whose key comes from outside (escaped, unlike [`JsonObject::field`]'s).
    pub fn member(&mut self, key: &str, value: &dyn ToJson) -> &mut Self {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        write_string(key, self.out);
        self.out.push(':');
        value.write_json(self.out);
        self
    }

    /// A member whose value is an object, written by `members`.
    pub fn object(&mut self, key: &str, members: impl FnOnce(&mut JsonObject)) -> &mut Self {
        self.key(key);
        let mut child = JsonObject::new(self.out);
        members(&mut child);
        child.end();
        self
    }

    /// A member inside objects of one member each, by its dotted path: `"a.b.c"` writes
    /// `"a":{"b":{"c":value}}` (one call, not a closure and an object per level).
    pub fn nested(&mut self, path: &str, value: &dyn ToJson) -> &mut Self {
        let (mut rest, mut depth) = (path, 0);
        while let Some((key, inner)) = crate::text::split_once(rest, ".") {
            self.key(key);
            self.out.push('{');
            self.empty = true;
            (rest, depth) = (inner, depth + 1);
        }
        self.key(rest);
        value.write_json(self.out);
        for _ in 0..depth {
            self.out.push('}');
        }
        self
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    /// Out of line: the `push('}')` inlined at every object's end was larger than a call.
    #[inline(never)]
    pub fn end(self) {
        self.out.push('}');
    }
}

/// An object written by `members`, as text (to leave it out when empty, or to merge it).
pub fn object_text(members: impl FnOnce(&mut JsonObject)) -> String {
    let mut out = String::new();
    let mut object = JsonObject::new(&mut out);
    members(&mut object);
    object.end();
    out
}

/// JSON text written earlier by this writer, written again as is.
#[derive(Debug, Clone, Copy)]
pub struct RawJson<'a>(pub &'a str);

impl ToJson for RawJson<'_> {
    fn write_json(&self, out: &mut String) {
        out.push_str(self.0)
    }
}

/// A type written as a JSON object through a list of members (the model's structs).
pub trait JsonFields {
    fn write_fields(&self, object: &mut JsonObject);
}

/// A string with JSON's escapes (quotes, backslashes, control characters), as serde_json wrote it.
fn write_string(text: &str, out: &mut String) {
    out.push('"');
    // `i` counted by hand, not `enumerate()` (its `next` is a function call per byte at
    // opt-level "z").
    let (mut run, mut i) = (0, 0);
    for b in text.bytes() {
        i += 1;
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(text.get(run..i - 1).unwrap_or_default());
        if escape.is_empty() {
            // `\u00XX` by hand (`b` < 0x20): no formatting machinery for four hex digits.
            out.push_str("\\u00");
            out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789abcdef"[usize::from(b & 0xf)]));
        } else {
            out.push_str(escape);
        }
        run = i;
    }
    out.push_str(text.get(run..).unwrap_or_default());
    out.push('"');
}

impl ToJson for str {
    fn write_json(&self, out: &mut String) {
        write_string(self, out)
    }
}

impl ToJson for &str {
    fn write_json(&self, out: &mut String) {
        write_string(self, out)
    }
}

impl ToJson for String {
    fn write_json(&self, out: &mut String) {
        write_string(self, out)
    }
}

impl ToJson for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" })
    }
}

macro_rules! integer_to_json {
    ($($t:ty),*) => {$(
        impl ToJson for $t {
            fn write_json(&self, out: &mut String) {
                self.push_to(out)
            }
        }
    )*};
}
integer_to_json!(u16, u32, u64, i64, usize);

/// The SDK's own measurements — latencies, delays, durations, in milliseconds — to the
/// microsecond: `12.25`, `3`, `-0.001`. Integer fixed point instead of a shortest-float printer
/// (zmij cost the package 1.8 kB gzip); a number the model read is a [`JsonNumber`](super::JsonNumber),
/// written back as read. NaN, ±∞ and magnitudes from 9·10¹² (285 years of milliseconds) are `null`.
impl ToJson for f64 {
    fn write_json(&self, out: &mut String) {
        let magnitude = if *self < 0.0 { -*self } else { *self };
        // Also false for NaN. Below the bound, every microsecond count is exact in a double.
        if !(magnitude < 9e12) {
            return write_null(out);
        }
        let micros = crate::float::round(magnitude * 1000.0) as u64;
        if *self < 0.0 && micros != 0 {
            out.push('-');
        }
        (micros / 1000).push_to(out);
        let mut fraction = micros % 1000;
        if fraction != 0 {
            out.push('.');
            let mut scale = 100;
            while fraction != 0 {
                out.push(char::from(b'0' + (fraction / scale) as u8));
                fraction %= scale;
                scale /= 10;
            }
        }
    }
}

impl ToJson for super::JsonNumber {
    fn write_json(&self, out: &mut String) {
        out.push_str(self.as_str())
    }
}

/// `null`, out of line: one copy instead of an inlined `push_str` in every `Option<T>` writer.
#[inline(never)]
fn write_null(out: &mut String) {
    out.push_str("null")
}

impl<T: ToJson> ToJson for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(value) => value.write_json(out),
            None => write_null(out),
        }
    }

    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out)
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out)
    }
}

impl<T: ToJson> ToJson for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, item) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            item.write_json(out);
        }
        out.push(']');
    }
}

/// Numbers as they were read (or built), keys and strings escaped, members in order.
impl ToJson for Json<'_> {
    fn write_json(&self, out: &mut String) {
        match self {
            Json::Null => write_null(out),
            Json::Bool(b) => b.write_json(out),
            Json::Number(text) => out.push_str(text),
            Json::String(s) => write_string(s, out),
            Json::Array(items) => items.write_json(out),
            Json::Object(pairs) => {
                out.push('{');
                for (i, (key, value)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(key, out);
                    out.push(':');
                    value.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// `ToJson` for a struct, member by member (`field: "key"`), through [`JsonFields`]; `Option`
/// members are left out when `None`.
macro_rules! json_fields {
    ($ty:ty { $($field:ident: $key:literal),* $(,)? }) => {
        impl $crate::json::JsonFields for $ty {
            fn write_fields(&self, object: &mut $crate::json::JsonObject) {
                $(object.field($key, &self.$field);)*
            }
        }
        impl $crate::json::ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                let mut object = $crate::json::JsonObject::new(out);
                $crate::json::JsonFields::write_fields(self, &mut object);
                object.end();
            }
        }
    };
}

pub(crate) use json_fields;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::{JsonNumber, JsonValue};
    use serde_json::{json, Value};

    #[test]
    fn writes_what_serde_json_writes() {
        for value in [
            json!(null),
            json!({"a": [1, -2, 1.5, 1.0, 1e-7, 1e21, -0.0, 12345678901234567890u64, true, "x\"\\\n\r\t\u{8}\u{c}\u{1}\u{7f}é😀"], "b": {}, "c": []}),
            json!(0.1),
        ] {
            let ours = JsonValue::from(value.clone());
            assert_eq!(serde_json::from_str::<Value>(&to_string(&ours)).unwrap(), value);
            assert_eq!(to_string(&ours), serde_json::to_string(&value).unwrap());
        }
    }

    #[test]
    fn measurements_are_written_to_the_microsecond() {
        for (value, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (3.0, "3"),
            (12.25, "12.25"),
            (0.001, "0.001"),
            (0.0004, "0"),
            (0.0005, "0.001"),
            (-1.5, "-1.5"),
            (-0.0004, "0"),
            (1234.5678, "1234.568"),
            (100.1, "100.1"),
            (8.999e12, "8999000000000"),
            (9e12, "null"),
            (f64::NAN, "null"),
            (f64::NEG_INFINITY, "null"),
        ] {
            assert_eq!(to_string(&value), text, "{value}");
        }
        // A microsecond count below 2^50 (35 years) reads back as the same double.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..100_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let micros = state % (1 << 50);
            let value = micros as f64 / 1000.0;
            assert_eq!(to_string(&value).parse::<f64>().unwrap(), value, "{micros}");
        }
    }

    #[test]
    fn numbers_are_written_as_read() {
        for text in ["0.50", "1e-7", "-0", "12345678901234567890123", "1E+2"] {
            let number = JsonNumber::parse(text).unwrap();
            assert_eq!(to_string(&number), text);
            assert_eq!(number.value(), text.parse::<f64>().unwrap());
        }
        for text in [" 1", "01", "1.", "", "\"1\"", "NaN", "1e400"] {
            assert_eq!(JsonNumber::parse(text), None, "{text}");
        }
    }

    #[test]
    fn nested_writes_one_member_objects_by_path() {
        let text = object_text(|o| {
            o.field("a", &1u32).nested("b.c.d", &"x").nested("e", &true).field("f", &2u32);
        });
        assert_eq!(text, r#"{"a":1,"b":{"c":{"d":"x"}},"e":true,"f":2}"#);
        assert_eq!(object_text(|o| { o.nested("g.h", &RawJson("{}")); }), r#"{"g":{"h":{}}}"#);
    }

    #[test]
    fn objects_skip_absent_members() {
        struct S {
            a: Option<u32>,
            b: Option<String>,
            c: f64,
        }
        json_fields!(S { a: "a", b: "bee", c: "c" });
        assert_eq!(to_string(&S { a: None, b: Some("x".into()), c: 2.0 }), r#"{"bee":"x","c":2}"#);
        assert_eq!(to_string(&S { a: Some(1), b: None, c: f64::NAN }), r#"{"a":1,"c":null}"#);
    }
}
