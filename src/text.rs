//! Text helpers for the pure core: substring search for the few places that look for a piece of
//! text in a URL, a data: URL or a misspelt option name, and a name in a constant list of names.
//!
//! Owns: [`find`] and [`split_once`] over bytes, and [`word_index`]. Must never: replace a `char`
//! pattern that code already links (`str::find(',')` is memchr, cheap); a query the package has no
//! other copy of (`contains('?')`, ≈ 360 B of wasm) is cheaper here. It exists because core's
//! `&str` pattern (the two-way `StrSearcher`) links a panic path that formats `char`s with `{:?}`,
//! and with it the Unicode escape tables: ≈ 8 kB of wasm for four searches in short strings
//! (README, package size).

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
    fn words_of_a_list() {
        const LIST: &str = "user assistant system ";
        assert_eq!([word_index(LIST, "user"), word_index(LIST, "system"), word_index(LIST, "sys"), word_index(LIST, "")], [Some(0), Some(2), None, None]);
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
