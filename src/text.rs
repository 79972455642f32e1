//! Text helpers for the pure core: building a message from parts, substring search for the few
//! places that look for a piece of text in a URL, a data: URL or a misspelt option name, and a name
//! in a constant list of names.
//!
//! Owns: [`text!`] and its [`Piece`]s (with the decimal writer [`push_u64`]), [`find`] and
//! [`split_once`] over bytes, and [`word_index`]. Must never: replace a `char` pattern that code
//! already links (`str::find(',')` is memchr, cheap); a query the package has no other copy of
//! (`contains('?')`, ≈ 360 B of wasm) is cheaper here. It exists because core's `&str` pattern (the
//! two-way `StrSearcher`) links a panic path that formats `char`s with `{:?}`, and with it the
//! Unicode escape tables: ≈ 8 kB of wasm for four searches in short strings; and because
//! `format!` builds an `Arguments` table per call site and runs it through `core::fmt` (the
//! `Formatter`, its padding, the integer `Display` with its digit table): the SDK's ~75 messages
//! through `text!` instead made the package 1.8 kB gzip smaller (README, package size).

use crate::prelude::*;
use core::fmt;

/// A `String` of the parts in order, each a [`Piece`] (text, an integer in decimal, a field path,
/// an error): `text!("the session expired (", message, ")")`. What `format!` with plain `{}` makes,
/// without `core::fmt`: each part is one call that appends it.
macro_rules! text {
    ($($part:expr),* $(,)?) => {{
        // A method call, not `Piece::push_to(&part, …)`: a `&str` part is then passed as itself,
        // where `&"literal"` would put a `&&str` (8 bytes of pointer and length) in the data.
        #[allow(unused_imports)]
        use $crate::text::Piece as _;
        let mut out = $crate::prelude::String::new();
        $(($part).push_to(&mut out);)*
        out
    }};
}
pub(crate) use text;

/// A part of a [`text!`]: appends itself to a `String`. The one wording of the SDK's error types
/// (their `Display`, kept for native callers, writes the same text through [`display`]).
pub trait Piece {
    fn push_to(&self, out: &mut String);
}

impl Piece for str {
    // Left to the inliner: `#[inline(never)]` here measured 60 B gzip larger.
    fn push_to(&self, out: &mut String) {
        out.push_str(self)
    }
}

impl Piece for String {
    fn push_to(&self, out: &mut String) {
        self.as_str().push_to(out)
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn push_to(&self, out: &mut String) {
        (**self).push_to(out)
    }
}

macro_rules! unsigned_piece {
    ($($t:ty),*) => {$(
        impl Piece for $t {
            fn push_to(&self, out: &mut String) {
                push_u64(out, *self as u64)
            }
        }
    )*};
}
unsigned_piece!(u8, u16, u32, u64, usize);

impl Piece for i64 {
    fn push_to(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        push_u64(out, self.unsigned_abs())
    }
}

/// Appends `n` in decimal, as `{}` writes it. A loop of its own: core's integer `Display` goes
/// through `Formatter::pad_integral` and a 200-byte digit-pair table.
#[inline(never)]
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20]; // u64::MAX has 20 digits
    let mut start = digits.len();
    // From the last digit back; iterating the array, not indexing it, keeps out a bounds panic.
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if let Some(Ok(text)) = digits.get(start..).map(core::str::from_utf8) {
        out.push_str(text)
    }
}

/// `label: message`, or the message alone: the wording of the errors that may name a field or an
/// event type.
pub fn labelled(label: Option<&str>, message: &str, out: &mut String) {
    if let Some(label) = label {
        label.push_to(out);
        ": ".push_to(out);
    }
    message.push_to(out)
}

/// A [`Piece`]'s text through a `Formatter`: the `Display` of the types that are pieces, so that
/// native callers' `to_string()` and the wasm shell's `text!` read the same words.
pub fn display(piece: &impl Piece, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(&text!(piece))
}

/// Where `needle` first occurs in `haystack` (the empty needle at 0).
pub fn find(haystack: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.as_bytes().windows(needle.len()).position(|window| window == needle.as_bytes())
}

/// Whether `needle` occurs in `haystack`.
pub fn contains(haystack: &str, needle: &str) -> bool {
    find(haystack, needle).is_some()
}

/// Where `word` is in `list`: a constant list of names written as one string, each followed by a
/// space (`"user assistant system "`). One string rather than a table of `&str`, which costs 8
/// bytes of pointer and length per name that gzip cannot shrink, or a string `match`, which costs
/// a comparison per name in code.
pub fn word_index(list: &str, word: &str) -> Option<usize> {
    let (mut rest, word) = (list.as_bytes(), word.as_bytes());
    let mut index = 0;
    loop {
        let end = rest.iter().position(|&b| b == b' ')?;
        if rest.get(..end) == Some(word) {
            return Some(index);
        }
        rest = rest.get(end + 1..)?;
        index += 1;
    }
}

/// The word at `index` in `list` (a list as [`word_index`] reads it; `""` past its end): the name
/// of an enum's variant from its place in the list its reader matches against, instead of a second
/// copy of every name and a table of their pointers and lengths.
pub fn word_at(list: &str, index: usize) -> &str {
    // One pass counting the spaces (no iterator adapter: `position` would be code of its own).
    let bytes = list.as_bytes();
    let (mut start, mut words, mut i) = (0, 0, 0);
    while i < bytes.len() {
        if bytes[i] == b' ' {
            if words == index {
                return list.get(start..i).unwrap_or_default();
            }
            words += 1;
            start = i + 1;
        }
        i += 1;
    }
    ""
}

/// `haystack` split around the first `needle`: what comes before it and after it.
pub fn split_once<'a>(haystack: &'a str, needle: &str) -> Option<(&'a str, &'a str)> {
    // A match of a whole UTF-8 needle starts and ends on char boundaries: `get` never fails here,
    // and unlike `&haystack[..]` it has no panic path.
    let at = find(haystack, needle)?;
    Some((haystack.get(..at)?, haystack.get(at + needle.len()..)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_as_display_writes_them() {
        for n in [0, 9, 10, 99, 100, 65_535, 1_000_000_007, u64::MAX - 1, u64::MAX] {
            assert_eq!(text!(n), n.to_string());
        }
        for n in [0, -1, -9, -10, 42, i64::MAX, i64::MIN] {
            assert_eq!(text!(n), n.to_string());
        }
        assert_eq!(text!(255u8, " ", 65_535u16, " ", u32::MAX, " ", usize::MAX), format!("255 65535 {} {}", u32::MAX, usize::MAX));
    }

    #[test]
    fn parts_in_order() {
        let owned = String::from("owned");
        assert_eq!(text!("a"), "a");
        assert_eq!(text!("the ", owned, " part ", 3usize, ", ", &owned, "", "!"), "the owned part 3, owned!");
        assert_eq!(text!("é", "€", 0u32), "é€0");
    }

    #[test]
    fn words_of_a_list() {
        const LIST: &str = "user assistant system ";
        assert_eq!([word_index(LIST, "user"), word_index(LIST, "system"), word_index(LIST, "sys"), word_index(LIST, "")], [Some(0), Some(2), None, None]);
        assert_eq!([word_at(LIST, 0), word_at(LIST, 2), word_at(LIST, 3), word_at(LIST, 9)], ["user", "system", "", ""]);
    }

    #[test]
    fn finds_what_core_finds() {
        let cases = [("", ""), ("abc", ""), ("", "a"), ("data:image/png;base64,AAAA", ";base64,"), ("aaab", "aab"), ("x?model=y", "?model="),
            ("wss://h/p?key=k", "access_token="), ("outputmodalities", "modalities"), ("ab", "abc"), ("héllo wörld", "wö"), ("ééé", "é")];
        for (haystack, needle) in cases {
            assert_eq!(find(haystack, needle), haystack.find(needle), "{haystack:?} / {needle:?}");
            assert_eq!(contains(haystack, needle), haystack.contains(needle));
            assert_eq!(split_once(haystack, needle), haystack.split_once(needle), "{haystack:?} / {needle:?}");
        }
    }
}
