//! Build script: the playback/capture AudioWorklet source that `src/web/audio.rs` embeds (the
//! blob-URL fallback for bundlers that do not emit `worklets/realtime-audio.js` as an asset) is
//! embedded without its comments and indentation: a third of the file's gzip, in every app's
//! download (README, package size). The shipped `worklets/realtime-audio.js` is minified by
//! `scripts/build-pkg.mjs`; the source in the repo keeps its comments.
//!
//! The stripping is line-based, which is exact for that file as written: a line whose first
//! non-blank characters are `//` goes, as does a trailing ` // …` comment; the file has no string,
//! template or regular-expression literal containing `//` (a browser test that plays audio loads
//! the stripped source, so a break would show there).
use std::{env, fs, path::Path};

fn main() {
    let source = "src/web/worklets/realtime-audio.js";
    println!("cargo:rerun-if-changed={source}");
    let text = fs::read_to_string(source).expect("read the worklet source");
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let code = match line.find(" //") {
            Some(at) => &line[..at],
            None => line,
        };
        let code = code.trim();
        if code.is_empty() || code.starts_with("//") {
            continue;
        }
        out.push_str(code);
        out.push('\n');
    }
    fs::write(Path::new(&env::var("OUT_DIR").unwrap()).join("realtime-audio.js"), out).expect("write the stripped worklet");
}
