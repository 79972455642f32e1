//! Reading the model from JSON: one small, non-generic layer instead of serde's derived
//! `Deserialize`.
//!
//! Why not serde derive: the derived code is generated per type *and* per input format, and the
//! `type`-tagged enums buffer every value into serde's `Content` tree first. In the wasm build that
//! was ~60 % of the binary (see the README's size table). Here a value is parsed once into the
//! borrowed `crate::json::Json` tree (by the SDK's own reader, bounded at 128 levels), and each type
//! reads its fields from it with a handful of helpers; only the values the model keeps whole are
//! copied (`JsonValue`). Errors name the field path the app wrote
//! (`options.tools[1].name: expected a string, got a number`), which serde's messages could not.
//!
//! Owns: [`FromJson`], the field readers, the error type, unknown-key detection
//! ([`from_json_str_noting_unknown`]), and the serde `Deserialize` bridge for native callers
//! (tests, the wire CLI). The same field lists generate the writer (`crate::json::ToJson`);
//! serde's derived `Serialize` is kept only as the native reference the tests compare it with.
//! Must never: panic on any input, or recurse beyond the depth the reader already bounded.

use crate::prelude::*;
use crate::json::{Json, JsonValue};
use crate::text::{text, Piece};
use core::cell::RefCell;
use core::fmt;

/// Where a value sits in the app's input, built lazily: nothing is allocated unless an error is
/// reported.
#[derive(Clone, Copy)]
pub enum Path<'a> {
    Root(&'a str),
    Field(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

/// `options.tools[1].name`; a field of the unnamed root is its bare key (`itemId`).
impl Piece for Path<'_> {
    fn push_to(&self, out: &mut String) {
        match self {
            Path::Root(name) => name.push_to(out),
            Path::Field(parent, key) => {
                if !matches!(parent, Path::Root("")) {
                    parent.push_to(out);
                    ".".push_to(out);
                }
                key.push_to(out)
            }
            Path::Index(parent, i) => {
                parent.push_to(out);
                "[".push_to(out);
                i.push_to(out);
                "]".push_to(out)
            }
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::display(self, f)
    }
}

/// A value of the wrong shape, with the path to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub path: String,
    pub message: String,
}

impl JsonError {
    pub fn new(at: &Path, message: impl Into<String>) -> Self {
        Self { path: text!(at), message: message.into() }
    }

    fn expected(at: &Path, what: &str, got: &Json) -> Self {
        Self::new(at, text!("expected ", what, ", got ", describe(got)))
    }
}

/// `path: message`, or the message alone at the root.
impl Piece for JsonError {
    fn push_to(&self, out: &mut String) {
        crate::text::labelled((!self.path.is_empty()).then_some(self.path.as_str()), &self.message, out)
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::text::display(self, f)
    }
}

impl core::error::Error for JsonError {}

/// "a string \"100\"", "an object", … — what the app passed, briefly (never a whole value: it may
/// hold a credential or a megabyte of audio).
fn describe(value: &Json) -> String {
    match value {
        Json::Null => "null".into(),
        Json::Bool(b) => (if *b { "the boolean true" } else { "the boolean false" }).into(),
        Json::Number(n) if n.len() <= 40 => text!("the number ", n.as_ref()),
        Json::Number(_) => "a long number".into(),
        Json::String(s) if s.len() <= 40 => text!("the string ", crate::json::to_string(s.as_ref())),
        Json::String(_) => "a long string".into(),
        Json::Array(_) => "an array".into(),
        Json::Object(_) => "an object".into(),
    }
}

/// A type the model reads from JSON.
pub trait FromJson: Sized {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError>;

    /// Parses `text` and reads it; `what` names the root in errors (`"message"`, `"options"`).
    fn from_json_str(text: &str, what: &str) -> Result<Self, JsonError> {
        Self::from_json(&parse_input(text, what)?, &Path::Root(what))
    }
}

/// The app's text as a tree, or the error naming `what` (outside [`FromJson::from_json_str`], which
/// is instantiated per type).
fn parse_input<'t>(text: &'t str, what: &str) -> Result<Json<'t>, JsonError> {
    crate::json::parse(text).map_err(|e| {
        let message = if e.is_too_deep() { e.reason.to_owned() } else { text!("not valid JSON: ", e) };
        JsonError { path: what.to_owned(), message }
    })
}

/// The keys a reading asked for, by object, while [`from_json_str_noting_unknown`] runs (the
/// readers of several types may share one object, e.g. a tagged enum and its variant's struct, so
/// keys are gathered per object, not per reader). Off otherwise: reading pays one thread-local
/// check per object.
#[derive(Default)]
struct KeyLog {
    /// Every object read: its address (stable while the reading runs), its path, its keys.
    objects: Vec<(usize, String, Vec<String>)>,
    /// (object address, key) for every key asked for.
    asked: Vec<(usize, String)>,
}

thread_local! {
    static KEY_LOG: RefCell<Option<KeyLog>> = const { RefCell::new(None) };
}

type Pairs<'a> = [(alloc::borrow::Cow<'a, str>, Json<'a>)];

fn log_object(pairs: &Pairs, at: &Path) {
    KEY_LOG.with(|log| {
        if let Some(log) = log.borrow_mut().as_mut() {
            let address = pairs.as_ptr() as usize;
            if !log.objects.iter().any(|(a, _, _)| *a == address) {
                let mut keys = Vec::with_capacity(pairs.len());
                for (key, _) in pairs {
                    keys.push(key.as_ref().to_owned());
                }
                log.objects.push((address, text!(at), keys));
            }
        }
    });
}

fn log_asked(pairs: &Pairs, key: &str) {
    KEY_LOG.with(|log| {
        if let Some(log) = log.borrow_mut().as_mut() {
            log.asked.push((pairs.as_ptr() as usize, key.to_owned()));
        }
    });
}

/// A key of the app's input that no reader asked for: most likely a typo (`instruction`,
/// `modalities`), ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKey {
    /// `options.instruction`.
    pub path: String,
    /// A known key of the same object it is close to (`instructions`), if any.
    pub suggestion: Option<String>,
}

/// [`FromJson::from_json_str`], also listing the keys of the input's objects that no reader asked
/// for. Values the model keeps whole (`providerOptions`, `parameters`, raw payloads) are not looked
/// into.
pub fn from_json_str_noting_unknown<T: FromJson>(text: &str, what: &str) -> Result<(T, Vec<UnknownKey>), JsonError> {
    let previous = KEY_LOG.with(|log| log.borrow_mut().replace(KeyLog::default()));
    let read = T::from_json_str(text, what);
    let unknown = unknown_keys(previous);
    Ok((read?, unknown))
}

/// The keys no reader asked for since the log was started, restoring the `previous` log (outside
/// [`from_json_str_noting_unknown`], which is instantiated per type).
fn unknown_keys(previous: Option<KeyLog>) -> Vec<UnknownKey> {
    let log = KEY_LOG.with(|log| core::mem::replace(&mut *log.borrow_mut(), previous)).unwrap_or_default();
    let mut unknown = Vec::new();
    for (address, path, keys) in &log.objects {
        // Loops, not iterator adapters: each adapter's code is its own.
        let mut asked: Vec<&str> = Vec::new();
        for (a, k) in &log.asked {
            if a == address {
                asked.push(k);
            }
        }
        for key in keys {
            if asked.contains(&key.as_str()) {
                continue;
            }
            let path = if path.is_empty() { key.clone() } else { text!(path, ".", key) };
            unknown.push(UnknownKey { path, suggestion: closest(key, &asked).map(str::to_owned) });
        }
    }
    unknown
}

/// The known key a typo most likely meant: one containing the other (`modalities` →
/// `outputModalities`), or at most two edits away (`instruction` → `instructions`).
fn closest<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    let lower = key.to_ascii_lowercase();
    for &k in known {
        let candidate = k.to_ascii_lowercase();
        if (lower.len() >= 4 && crate::text::contains(&candidate, &lower)) || (candidate.len() >= 4 && crate::text::contains(&lower, &candidate)) || edits(&lower, &candidate) <= 2 {
            return Some(k);
        }
    }
    None
}

/// Levenshtein distance over bytes (keys are short and ASCII in practice: a non-ASCII character
/// counts as several edits, which only makes a suggestion less likely). Bytes, not `chars()`:
/// counting characters linked core's `do_count_chars` (≈ 0.4 kB of wasm) for this one use.
// The row index counted by hand: `enumerate()` is a call per step at opt-level "z" (and its
// `next` would be linked for this alone).
#[allow(clippy::explicit_counter_loop)]
fn edits(a: &str, b: &str) -> usize {
    // One row of the table, without its column 0 (`i` in row `i`, implied). Plain loops over the
    // row's cells, not `(0..=n).collect()` and `row[j]`: the range's `collect` is code of its own,
    // and each index a bounds check.
    let mut row = Vec::with_capacity(b.len());
    for j in 1..=b.len() {
        row.push(j);
    }
    let mut i = 0;
    for ca in a.bytes() {
        // Column 0 of the row above (`diagonal` of the first cell) and of this row (`left`).
        let (mut diagonal, mut left) = (i, i + 1);
        i += 1;
        for (cell, cb) in row.iter_mut().zip(b.bytes()) {
            let above = *cell;
            *cell = (diagonal + usize::from(ca != cb)).min(left + 1).min(above + 1);
            diagonal = above;
            left = *cell;
        }
    }
    row.last().copied().unwrap_or(a.len())
}

/// The fields of one JSON object.
pub struct Fields<'a> {
    map: &'a Pairs<'a>,
    at: &'a Path<'a>,
}

impl<'a> Fields<'a> {
    pub fn new(value: &'a Json<'a>, at: &'a Path<'a>) -> Result<Self, JsonError> {
        match value {
            // An empty object has no keys to report (and its list no distinct address).
            Json::Object(map) => {
                if !map.is_empty() {
                    log_object(map, at);
                }
                Ok(Self { map, at })
            }
            other => Err(JsonError::expected(at, "an object", other)),
        }
    }

    /// A member (the last one when a key repeats), noted as asked for.
    fn get(&self, key: &str) -> Option<&'a Json<'a>> {
        log_asked(self.map, key);
        self.map.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Reads `members` in order, each into its slot (`slots[i]` for the `i`th member); the first
    /// error stops the reading. Absent and `null` members leave their slot as it is (its default),
    /// unless required.
    pub fn read(&self, members: &'static Members, slots: &mut [&mut dyn JsonSlot]) -> Result<(), JsonError> {
        let bytes = members.as_bytes();
        let mut start = 0;
        for slot in slots {
            // A need marker, then the key up to the next marker (keys are ASCII names, so both
            // ends are character boundaries). Slots past the last member are left alone (a tagged
            // reader's spare ones).
            let Some(&need) = bytes.get(start) else { break };
            let mut end = start + 1;
            while end < bytes.len() && !matches!(bytes[end], REQUIRED | OPTIONAL | OBJECT) {
                end += 1;
            }
            let key = members.get(start + 1..end).unwrap_or_default();
            start = end;
            let at = Path::Field(self.at, key);
            match self.get(key) {
                Some(value) if !value.is_null() => {
                    if need == OBJECT && !value.is_object() {
                        return Err(JsonError::expected(&at, "an object", value));
                    }
                    slot.read_slot(value, &at)?;
                }
                _ if need == REQUIRED => return Err(JsonError::new(&at, "is required")),
                _ => {}
            }
        }
        Ok(())
    }

    /// The `type` discriminator of a tagged object.
    pub fn tag(&self) -> Result<&'a str, JsonError> {
        match self.get("type") {
            Some(Json::String(s)) => Ok(s),
            Some(other) => Err(JsonError::expected(&Path::Field(self.at, "type"), "a string", other)),
            None => Err(JsonError::new(&Path::Field(self.at, "type"), "is required")),
        }
    }

    pub fn at(&self) -> &'a Path<'a> {
        self.at
    }
}

/// Where a member's value is read into. The reader's counterpart of the writer's `&dyn ToJson`:
/// a struct's reader is a list of (key, slot) pairs walked by one function ([`Fields::read`]), not
/// a monomorphised read, error path and partial-struct cleanup per field.
pub trait JsonSlot {
    fn read_slot(&mut self, value: &Json, at: &Path) -> Result<(), JsonError>;
}

impl<T: FromJson> JsonSlot for T {
    fn read_slot(&mut self, value: &Json, at: &Path) -> Result<(), JsonError> {
        *self = T::from_json(value, at)?;
        Ok(())
    }
}

impl<T: FromJson> JsonSlot for Option<T> {
    fn read_slot(&mut self, value: &Json, at: &Path) -> Result<(), JsonError> {
        *self = Some(T::from_json(value, at)?);
        Ok(())
    }
}

/// A slot no member is read into: the spare places of a tagged reader whose variants have fewer
/// members than others ([`Fields::read`] stops at the last member).
pub struct Spare;

impl JsonSlot for Spare {
    fn read_slot(&mut self, _: &Json, _: &Path) -> Result<(), JsonError> {
        Ok(())
    }
}

/// What a member needs to be, marking its key in [`Members`]: present and not `null`.
pub const REQUIRED: u8 = b'!';
/// Absent or `null` leaves the slot's default.
pub const OPTIONAL: u8 = b'?';
/// Optional, and an object when present (kept whole: `metadata`).
pub const OBJECT: u8 = b'*';

/// The members of an object to read, in reading order, as one constant string: each key after the
/// marker of what it needs to be (`"?messageId!itemId"`, written by `json_object!` and
/// `read_members!`); [`Fields::read`] takes the places they go alongside. One string rather than a
/// table of `(&str, need)` pairs: a table is 12 bytes of pointers and lengths per member, which
/// gzip cannot shrink, where the repeated key names compress to back-references.
pub type Members = str;

/// [`Fields::new`] and [`Fields::read`] in one call (one error path for every struct's reader).
pub fn read_object(value: &Json, at: &Path, members: &'static Members, slots: &mut [&mut dyn JsonSlot]) -> Result<(), JsonError> {
    Fields::new(value, at)?.read(members, slots)
}

/// The [`Members`] marker of a field-list entry: `req` (required), `opt` (an `Option`), `def` (a
/// default when absent), `object` (an optional object kept whole), `raw` (any value kept whole,
/// `null` when absent). A literal, for `concat!`.
macro_rules! need {
    (req) => {
        "!"
    };
    (opt) => {
        "?"
    };
    (def) => {
        "?"
    };
    (raw) => {
        "?"
    };
    (object) => {
        "*"
    };
}

/// An unknown `type` value, listing the known ones (`known`: names each followed by a space, as
/// `crate::text::word_index` reads them; listed so, as `json_enum!`'s names are).
pub fn unknown_tag(at: &Path, tag: &str, known: &str) -> JsonError {
    // Without the last space (ASCII: the cut is a character boundary).
    let known = known.get(..known.len().saturating_sub(1)).unwrap_or_default();
    JsonError::new(&Path::Field(at, "type"), text!("unknown type ", crate::json::to_string(tag), " (expected one of ", known, ")"))
}

impl FromJson for String {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        value.as_str().map(str::to_owned).ok_or_else(|| JsonError::expected(at, "a string", value))
    }
}

impl FromJson for bool {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        value.as_bool().ok_or_else(|| JsonError::expected(at, "a boolean", value))
    }
}

impl FromJson for f64 {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        value.as_f64().ok_or_else(|| JsonError::expected(at, "a number", value))
    }
}

impl FromJson for crate::json::JsonNumber {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        value.as_number().ok_or_else(|| JsonError::expected(at, "a number", value))
    }
}

/// Whole numbers: JS writes `3` as `3`, but a computed `3.0000001` or `-1` is refused.
fn whole(value: &Json, at: &Path, max: u64) -> Result<u64, JsonError> {
    let n = match value {
        Json::Number(_) => value.as_u64().or_else(|| value.as_f64().filter(|f| crate::float::trunc(*f) == *f && *f >= 0.0 && *f <= max as f64).map(|f| f as u64)),
        other => return Err(JsonError::expected(at, "a number", other)),
    };
    match n {
        Some(n) if n <= max => Ok(n),
        _ => Err(JsonError::new(at, text!("must be a whole number from 0 to ", max, ", got ", describe(value)))),
    }
}

impl FromJson for u64 {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        // Beyond 2^53 a JS number is no longer exact.
        whole(value, at, (1 << 53) - 1)
    }
}

impl FromJson for u32 {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        whole(value, at, u32::MAX as u64).map(|n| n as u32)
    }
}

impl FromJson for JsonValue {
    fn from_json(value: &Json, _: &Path) -> Result<Self, JsonError> {
        Ok(value.to_value())
    }
}

/// Each item of an array, read by `read`: one loop and error path for every element type.
fn read_items(value: &Json, at: &Path, read: &mut dyn FnMut(&Json, &Path) -> Result<(), JsonError>) -> Result<(), JsonError> {
    let items = value.as_array().ok_or_else(|| JsonError::expected(at, "an array", value))?;
    for (i, item) in items.iter().enumerate() {
        read(item, &Path::Index(at, i))?;
    }
    Ok(())
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: &Json, at: &Path) -> Result<Self, JsonError> {
        // Not `collect()` into a `Result`: an iterator adapter per element type.
        let mut out = Vec::new();
        read_items(value, at, &mut |item, at| {
            out.push(T::from_json(item, at)?);
            Ok(())
        })?;
        Ok(out)
    }
}

/// `FromJson` for a struct, field by field: `req` (required), `opt` (`Option`), `def` (default when
/// absent), `object` (an optional object kept whole), `raw` (any value kept whole), each with its
/// JSON key; and `ToJson` from the same list (`Option`s left out when `None`). `read_only` (first)
/// skips `ToJson`, for a type that writes itself by hand. The struct starts as its `Default` and
/// [`Fields::read`] fills it in place.
macro_rules! json_object {
    (read_only $ty:ident { $($field:ident: $how:ident $key:literal),* $(,)? }) => {
        impl $crate::model::json::FromJson for $ty {
            fn from_json(value: &$crate::json::Json, at: &$crate::model::json::Path) -> Result<Self, $crate::model::json::JsonError> {
                const MEMBERS: &$crate::model::json::Members = concat!($($crate::model::json::need!($how), $key),*);
                let mut out = <Self as Default>::default();
                $crate::model::json::read_object(value, at, MEMBERS, &mut [$(&mut out.$field),*])?;
                Ok(out)
            }
        }
        $crate::model::json::deserialize_with_from_json!($ty);
    };
    ($ty:ident { $($field:ident: $how:ident $key:literal),* $(,)? }) => {
        $crate::model::json::json_object!(read_only $ty { $($field: $how $key),* });
        $crate::json::json_fields!($ty { $($field: $key),* });
    };
}

/// Builds `$ctor` (an enum variant, or a struct without `Default`) with its listed fields at their
/// type's `Default` and the named values already at hand, then reads the members into it in place,
/// as [`json_object!`] reads a struct's: no per-field temporaries to move or drop.
macro_rules! read_members {
    ($fields:expr, $($ctor:ident)::+ { $($field:ident: $how:ident $key:literal),* $(,)? } $(, $given:ident)* $(,)?) => {{
        const MEMBERS: &$crate::model::json::Members = concat!($($crate::model::json::need!($how), $key),*);
        let mut value = $($ctor)::+ { $($field: Default::default(),)* $($given,)* };
        #[allow(irrefutable_let_patterns)]
        if let $($ctor)::+ { $($field,)* .. } = &mut value {
            $fields.read(MEMBERS, &mut [$($field),*])?;
        }
        value
    }};
}

/// `FromJson` and `ToJson` for a unit enum written as one of a fixed set of strings, and its name
/// (`as_str`). The names are one list (as `crate::text::word_index` reads them), indexed by the
/// variant's discriminant: no table of `(variant, name)` pairs nor a `match` of names per enum.
macro_rules! json_enum {
    ($ty:ident { $($variant:ident = $text:literal),* $(,)? }) => {
        // The variants are listed in declaration order: a variant's discriminant is its name's place.
        const _: () = {
            let mut i = 0;
            $(assert!($ty::$variant as usize == i); i += 1;)*
            let _ = i;
        };
        impl $ty {
            /// Every name, in the order of the variants, each followed by a space.
            const NAMES: &'static str = concat!($($text, " "),*);

            /// The JSON name.
            pub fn as_str(self) -> &'static str {
                $crate::text::word_at(Self::NAMES, self as usize)
            }
        }
        impl $crate::model::json::FromJson for $ty {
            fn from_json(value: &$crate::json::Json, at: &$crate::model::json::Path) -> Result<Self, $crate::model::json::JsonError> {
                const VARIANTS: &[$ty] = &[$($ty::$variant),*];
                $crate::model::json::one_of(value, at, VARIANTS, Self::NAMES, concat!("expected one of", $(" \"", $text, "\""),*))
            }
        }
        impl $crate::json::ToJson for $ty {
            fn write_json(&self, out: &mut String) {
                $crate::json::ToJson::write_json(self.as_str(), out)
            }
        }
        $crate::model::json::deserialize_with_from_json!($ty);
    };
}

/// The variant of a unit enum whose name `value` is (`variants` in the order of `names`): one
/// lookup for every such enum, instead of a string `match` and an error path per enum.
pub fn one_of<T: Copy>(value: &Json, at: &Path, variants: &[T], names: &str, expected: &'static str) -> Result<T, JsonError> {
    match value.as_str().and_then(|name| crate::text::word_index(names, name)).and_then(|i| variants.get(i)) {
        Some(&variant) => Ok(variant),
        None => Err(JsonError::new(at, expected)),
    }
}

/// serde's `Deserialize` through [`FromJson`], for native callers that read the model with
/// serde_json (tests, the wire CLI): the value is read by serde_json, written back as text and
/// read by [`FromJson`]. Not compiled into the wasm library (serde_json is a native-only dependency).
macro_rules! deserialize_with_from_json {
    ($ty:ty) => {
        #[cfg(any(test, not(target_arch = "wasm32")))]
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                <$ty as $crate::model::json::FromJson>::from_json_str(&value.to_string(), "").map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(crate) use {deserialize_with_from_json, json_enum, json_object, need, read_members};

/// [`closest`] for keys read outside this layer (the browser shell's JS-only options).
pub fn closest_key<'k>(key: &str, known: &[&'k str]) -> Option<&'k str> {
    closest(key, known)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v(value: serde_json::Value) -> JsonValue {
        value.into()
    }

    #[test]
    fn paths_name_the_field_and_index() {
        let root = Path::Root("options");
        let tools = Path::Field(&root, "tools");
        let second = Path::Index(&tools, 1);
        assert_eq!(Path::Field(&second, "name").to_string(), "options.tools[1].name");
        let bare = Path::Root("");
        assert_eq!(Path::Field(&bare, "itemId").to_string(), "itemId");
    }

    #[test]
    fn numbers_are_whole_and_bounded() {
        let at = Path::Root("n");
        assert_eq!(u32::from_json(&v(json!(3)), &at), Ok(3));
        assert_eq!(u32::from_json(&v(json!(3.0)), &at), Ok(3));
        assert!(u32::from_json(&v(json!(-1)), &at).unwrap_err().message.contains("whole number"));
        assert!(u32::from_json(&v(json!(1.5)), &at).is_err());
        assert!(u32::from_json(&v(json!(4294967296u64)), &at).is_err());
        assert_eq!(u32::from_json(&v(json!("100")), &at).unwrap_err().to_string(), "n: expected a number, got the string \"100\"");
    }

    #[test]
    fn unknown_keys_are_listed_with_a_suggestion() {
        use crate::model::{ClientMessage, SessionOptions};
        let text = r#"{"instruction":"Be brief.","modalities":["text"],"voice":"marin","voiceActivityDetection":{"enabled":true,"silenceMs":200},"providerOptions":{"anything":1}}"#;
        let (options, unknown) = from_json_str_noting_unknown::<SessionOptions>(text, "options").unwrap();
        assert_eq!(options.voice.as_deref(), Some("marin"));
        let found: Vec<(&str, Option<&str>)> = unknown.iter().map(|u| (u.path.as_str(), u.suggestion.as_deref())).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.contains(&("options.instruction", Some("instructions"))), "{found:?}");
        assert!(found.contains(&("options.modalities", Some("outputModalities"))), "{found:?}");
        assert!(found.contains(&("options.voiceActivityDetection.silenceMs", None)), "{found:?}");
        // A tagged enum and its variant read one object: keys of both count as known.
        let text = r#"{"type":"createResponse","instructions":"x","metadata":{"free":"form"},"maxOutputTokens":5}"#;
        let (_, unknown) = from_json_str_noting_unknown::<ClientMessage>(text, "message").unwrap();
        assert_eq!(unknown, Vec::new());
        // Off outside: the plain reader logs nothing and a later noting read starts clean.
        let _ = SessionOptions::from_json_str(r#"{"typo":1}"#, "options").unwrap();
        let (_, unknown) = from_json_str_noting_unknown::<SessionOptions>("{}", "options").unwrap();
        assert!(unknown.is_empty());
    }

    #[test]
    fn edits_is_the_levenshtein_distance() {
        // The textbook full table, for comparison.
        fn reference(a: &[u8], b: &[u8]) -> usize {
            let mut d = vec![vec![0; b.len() + 1]; a.len() + 1];
            for (i, row) in d.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in d[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    d[i][j] = (d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1])).min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
                }
            }
            d[a.len()][b.len()]
        }
        let words = ["", "a", "ab", "ba", "abc", "instruction", "instructions", "voice", "vocie", "modalities", "outputModalities", "kitten", "sitting"];
        for a in words {
            for b in words {
                assert_eq!(edits(a, b), reference(a.as_bytes(), b.as_bytes()), "{a:?} / {b:?}");
            }
        }
    }

    #[test]
    fn a_failed_read_reports_the_error_not_unknown_keys() {
        let e = from_json_str_noting_unknown::<crate::model::SessionOptions>(r#"{"maxOutputTokens":"100","typo":1}"#, "options").unwrap_err();
        assert_eq!(e.path, "options.maxOutputTokens");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let e = JsonValue::from_json_str(&deep, "payload").unwrap_err();
        assert_eq!(e.path, "payload");
        assert!(e.message.contains("nested too deeply"), "{e}");
    }
}
