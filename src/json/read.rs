//! JSON text → a borrowed [`Json`] tree (see the module docs of `json` for why).

use crate::prelude::*;
use alloc::borrow::Cow;
use crate::text::Piece;
use core::fmt;

/// The deepest nesting [`parse`] accepts (arrays and objects), as serde_json did before it.
pub const MAX_DEPTH: usize = 128;

/// One JSON value, borrowing from the text it was parsed from ([`JsonValue`] when owned).
///
/// Equality is structural: member order and the number's text count (`1.0` ≠ `1`).
#[derive(Debug, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    /// The number as written (checked against the grammar and finite), converted when read;
    /// written back verbatim.
    Number(Cow<'a, str>),
    /// Borrowed unless the text had escapes.
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Pairs in document order; when a key repeats, the last one counts (as in a map).
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

static NULL: Json<'static> = Json::Null;

/// A copy is an owned copy ([`Json::to_value`]): a derived `Clone` would be a second walk of the
/// tree in the wasm, differing only in keeping borrowed strings borrowed.
impl Clone for Json<'_> {
    fn clone(&self) -> Self {
        self.to_value()
    }
}

/// `null`.
impl Default for Json<'_> {
    fn default() -> Self {
        Json::Null
    }
}

impl<'a> Json<'a> {
    /// A member of an object (`None` for a missing key or a non-object).
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(pairs) => pairs.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The member at a dotted path of keys (`"audio.output"`), [`Json::get`] level by level: one
    /// call where the decoders would chain a closure per level.
    pub fn at(&self, path: &str) -> Option<&Json<'a>> {
        let (mut value, mut rest) = (self, path);
        while let Some((key, inner)) = crate::text::split_once(rest, ".") {
            (value, rest) = (value.get(key)?, inner);
        }
        value.get(rest)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Json::Object(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A non-negative integer written without fraction or exponent, within `u64`.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            // Digits only (no sign, fraction or exponent); not `str::parse`, whose generic integer
            // reader is larger than this loop.
            Json::Number(text) if !text.is_empty() => {
                let mut n: u64 = 0;
                for b in text.bytes() {
                    if !b.is_ascii_digit() {
                        return None;
                    }
                    n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                }
                Some(n)
            }
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Number(text) => super::parse_number(text),
            _ => None,
        }
    }

    /// The number as its text, to keep and write back.
    pub fn as_number(&self) -> Option<super::JsonNumber> {
        match self {
            Json::Number(text) => Some(super::JsonNumber::checked(text)),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Object(pairs) => Some(pairs),
            _ => None,
        }
    }

    /// "a string", "an object", … — the kind of value, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }

    /// An owned copy, for the parts the model keeps whole. Numbers keep their text; a repeated
    /// key stays repeated (written back as is, `JSON.parse` keeps the last one, as [`Json::get`]
    /// does), so copying is linear in the size of the value.
    pub fn to_value(&self) -> JsonValue {
        fn owned(text: &str) -> Cow<'static, str> {
            Cow::Owned(text.to_owned())
        }
        match self {
            Json::Null => Json::Null,
            Json::Bool(b) => Json::Bool(*b),
            Json::Number(text) => Json::Number(owned(text)),
            Json::String(s) => Json::String(owned(s)),
            // Loops, not `map(..).collect()`: the iterator's collect code is per element type.
            Json::Array(items) => {
                let mut copy = Vec::with_capacity(items.len());
                for item in items {
                    copy.push(item.to_value());
                }
                Json::Array(copy)
            }
            Json::Object(pairs) => {
                let mut copy = Vec::with_capacity(pairs.len());
                for (k, v) in pairs {
                    copy.push((owned(k), v.to_value()));
                }
                Json::Object(copy)
            }
        }
    }

    /// Merges `top` into `self`: objects member by member (recursively), anything else replaced.
    pub fn merge(&mut self, top: Json<'a>) {
        match (self, top) {
            (Json::Object(base), Json::Object(top)) => {
                for (key, value) in top {
                    match base.iter_mut().rev().find(|(k, _)| *k == key) {
                        Some((_, existing)) => existing.merge(value),
                        None => base.push((key, value)),
                    }
                }
            }
            (base, top) => *base = top,
        }
    }
}

/// A JSON value the model keeps whole (tool parameters, raw payloads, metadata, tool results):
/// an owned [`Json`].
pub type JsonValue = Json<'static>;

/// A string value (tool results from native callers, tests).
impl From<String> for Json<'_> {
    fn from(s: String) -> Self {
        Json::String(Cow::Owned(s))
    }
}

/// `value["key"]` reads as `null` when the key is missing, like serde_json's `Value`.
impl<'a> core::ops::Index<&str> for Json<'a> {
    type Output = Json<'a>;

    fn index(&self, key: &str) -> &Json<'a> {
        self.get(key).unwrap_or(&NULL)
    }
}

/// Why a text is not JSON, and where (a byte offset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub offset: usize,
    pub reason: &'static str,
}

const TOO_DEEP: &str = "nested too deeply (more than 128 levels)";

impl ParseError {
    /// The text nests arrays and objects deeper than [`MAX_DEPTH`].
    pub fn is_too_deep(&self) -> bool {
        self.reason == TOO_DEEP
    }
}

/// `reason at byte offset`.
impl Piece for ParseError {
    fn push_to(&self, out: &mut String) {
        self.reason.push_to(out);
        " at byte ".push_to(out);
        self.offset.push_to(out)
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::display(self, f)
    }
}

impl core::error::Error for ParseError {}

/// Parses one JSON value (whitespace around it allowed, nothing else).
pub fn parse(text: &str) -> Result<Json<'_>, ParseError> {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0 };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn error(&self, reason: &'static str) -> ParseError {
        let reason = if self.pos >= self.bytes.len() { "unexpected end of input" } else { reason };
        ParseError { offset: self.pos, reason }
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The text between two positions that sit on ASCII bytes (so on character boundaries).
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }

    /// `depth`: how many arrays and objects enclose this value.
    fn value(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b'{') => self.object(depth + 1),
            Some(b'[') => self.array(depth + 1),
            Some(b'"') => self.string().map(Json::String),
            Some(b't') => self.literal("true", Json::Bool(true)),
            Some(b'f') => self.literal("false", Json::Bool(false)),
            Some(b'n') => self.literal("null", Json::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.error("expected a value")),
        }
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Result<Json<'a>, ParseError> {
        if self.rest().starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("expected a value"))
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError { offset: self.pos, reason: TOO_DEEP });
        }
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']'")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json<'a>, ParseError> {
        if depth > MAX_DEPTH {
            return Err(ParseError { offset: self.pos, reason: TOO_DEEP });
        }
        self.pos += 1;
        let mut pairs = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Object(pairs));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':'"));
            }
            self.pos += 1;
            let value = self.value(depth)?;
            pairs.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Json::Object(pairs));
                }
                _ => return Err(self.error("expected ',' or '}'")),
            }
        }
    }

    /// Moves past a run of string characters that need no work; stops at a quote, a backslash,
    /// a control character or the end.
    fn plain_run(&mut self) {
        self.pos = plain_prefix(self.bytes, self.pos);
        while let Some(&b) = self.bytes.get(self.pos) {
            if b == b'"' || b == b'\\' || b < 0x20 {
                break;
            }
            self.pos += 1;
        }
    }

    /// A string at the opening quote.
    fn string(&mut self) -> Result<Cow<'a, str>, ParseError> {
        self.pos += 1;
        let start = self.pos;
        self.plain_run();
        if self.peek() == Some(b'"') {
            self.pos += 1;
            return Ok(Cow::Borrowed(self.slice(start, self.pos - 1)));
        }
        let mut out = String::new();
        let mut run = start;
        loop {
            out.push_str(self.slice(run, self.pos));
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let c = self.escape()?;
                    out.push(c);
                }
                _ => return Err(self.error("control character in a string")),
            }
            run = self.pos;
            self.plain_run();
        }
    }

    /// The character of an escape, after its backslash.
    // A comparison, not `(a..=b).contains(&x)`: a call to a `RangeInclusive::contains` of its
    // own at opt-level "z".
    #[allow(clippy::manual_range_contains)]
    fn escape(&mut self) -> Result<char, ParseError> {
        let Some(b) = self.peek() else { return Err(self.error("")) };
        self.pos += 1;
        Ok(match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let first = self.hex4()?;
                let code = match first {
                    0xD800..=0xDBFF => {
                        if !self.rest().starts_with(b"\\u") {
                            return Err(self.error("lone surrogate in a \\u escape"));
                        }
                        self.pos += 2;
                        let second = self.hex4()?;
                        if second < 0xDC00 || second > 0xDFFF {
                            return Err(self.error("lone surrogate in a \\u escape"));
                        }
                        0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return Err(self.error("lone surrogate in a \\u escape")),
                    _ => first,
                };
                char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)
            }
            _ => {
                self.pos -= 1;
                return Err(self.error("invalid escape"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let mut code = 0;
        for _ in 0..4 {
            let Some(digit) = self.peek().and_then(|b| (b as char).to_digit(16)) else {
                return Err(self.error("invalid \\u escape"));
            };
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    /// Moves past ASCII digits; says whether there was one.
    fn digits(&mut self) -> bool {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos > start
    }

    fn number(&mut self) -> Result<Json<'a>, ParseError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        let mut integral = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integral = false;
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            integral = false;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !self.digits() {
                return Err(self.error("invalid number"));
            }
        }
        let text = self.slice(start, self.pos);
        // An integer of up to 300 digits is a finite f64; beyond that, or with an exponent, check.
        if (!integral || text.len() > 300) && !super::parse_number(text).is_some_and(f64::is_finite) {
            return Err(ParseError { offset: start, reason: "number out of range" });
        }
        Ok(Json::Number(Cow::Borrowed(text)))
    }
}

/// Where the plain run of string bytes from `pos` ends, 16 bytes at a time (wasm SIMD): a quote,
/// a backslash or a control character, or the last whole 16-byte block. The scalar loop of
/// `plain_run` finishes from there. An audio delta is one 6 kB run of base64; byte by byte, this
/// scan was the parser's largest cost on the receive path.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn plain_prefix(bytes: &[u8], mut pos: usize) -> usize {
    use core::arch::wasm32::*;
    let (quote, backslash, space) = (u8x16_splat(b'"'), u8x16_splat(b'\\'), u8x16_splat(0x20));
    while pos + 16 <= bytes.len() {
        // SAFETY: `pos + 16 <= len`; v128_load reads unaligned.
        let block = unsafe { v128_load(bytes.as_ptr().add(pos) as *const v128) };
        let stop = v128_or(v128_or(u8x16_eq(block, quote), u8x16_eq(block, backslash)), u8x16_lt(block, space));
        let mask = u8x16_bitmask(stop);
        if mask != 0 {
            return pos + mask.trailing_zeros() as usize;
        }
        pos += 16;
    }
    pos
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn plain_prefix(_: &[u8], pos: usize) -> usize {
    pos
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn same_as_serde(text: &str) {
        let ours = parse(text).map(|v| serde_json::to_value(v.to_value()).unwrap());
        let theirs = serde_json::from_str::<Value>(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{text}: ours {ours:?}, serde_json {theirs:?}"),
        }
    }

    #[test]
    fn reads_what_serde_json_reads() {
        for text in [
            "null", "true", "false", "0", "-0.5", "12", "-12", "1e3", "1E-2", "18446744073709551615", "18446744073709551616",
            "-9223372036854775808", r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#, "[]", "{}", " [1, [2, {\"a\": []}]] ",
            r#"{"type":"x","n":1,"type":"y"}"#, "\"é ü 中\"",
            // refused by both
            "", "01", "1.", ".5", "-", "+1", "[1,]", "{\"a\":1,}", "{a:1}", "[1 2]", "tru", "nul", "\"\\x\"", "\"\\u12\"",
            "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "1e400", "-1e400", "[1] x", "\"open", "[", "{\"a\"",
            "{\"a\":", "{\"a\" 1}", "[1,2", "// c\n1",
        ] {
            same_as_serde(text);
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = r#"{"delta":"AAAA","t":"a\nb"}"#;
        let v = parse(text).unwrap();
        assert!(matches!(v.get("delta"), Some(Json::String(Cow::Borrowed("AAAA")))));
        assert!(matches!(v.get("t"), Some(Json::String(Cow::Owned(s))) if s == "a\nb"));
    }

    #[test]
    fn accessors_match_serde_json_value() {
        let text = r#"{"u":3,"f":3.0,"neg":-1,"big":1e3,"s":"x","b":true,"a":[1],"o":{"k":null},"k":1,"k":2}"#;
        let ours = parse(text).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        for key in ["u", "f", "neg", "big", "s", "b", "a", "o", "k", "missing"] {
            assert_eq!(ours[key].as_u64(), theirs[key].as_u64(), "{key}");
            assert_eq!(ours[key].as_f64(), theirs[key].as_f64(), "{key}");
            assert_eq!(ours[key].as_str(), theirs[key].as_str(), "{key}");
            assert_eq!(ours[key].as_bool(), theirs[key].as_bool(), "{key}");
            assert_eq!(ours[key].is_null(), theirs[key].is_null(), "{key}");
            assert_eq!(ours[key].is_object(), theirs[key].is_object(), "{key}");
            assert_eq!(ours[key].as_array().map(<[_]>::len), theirs[key].as_array().map(Vec::len), "{key}");
        }
        assert_eq!(serde_json::to_value(&ours).unwrap(), json!({"u":3,"f":3.0,"neg":-1,"big":1000.0,"s":"x","b":true,"a":[1],"o":{"k":null},"k":2}));
    }

    #[test]
    fn depth_is_bounded_without_recursing_further() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
        for deep in ["[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1), "{\"a\":".repeat(100_000)] {
            let e = parse(&deep).unwrap_err();
            assert!(e.is_too_deep(), "{e}");
        }
        assert!(!parse("[1,]").unwrap_err().is_too_deep());
    }

    #[test]
    fn errors_say_what_and_where() {
        assert_eq!(parse("[1,]").unwrap_err().to_string(), "expected a value at byte 3");
        assert_eq!(parse("{\"a\":1").unwrap_err().to_string(), "unexpected end of input at byte 6");
        assert_eq!(parse("1e999").unwrap_err().to_string(), "number out of range at byte 0");
    }
}
