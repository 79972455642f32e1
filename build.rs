//! Build script: the playback/capture AudioWorklet source that `src/web/audio.rs` embeds (the
//! blob-URL fallback for bundlers that do not emit `worklets/realtime-audio.js` as an asset) is
//! embedded minified (the package build) or without its comments and indentation (other builds):
//! it is in every app's download (README, package size). The source in the repo keeps its comments.
//!
//! The stripping is line-based, which is exact for that file as written: a line whose first
//! non-blank characters are `//` goes, as does a trailing ` // …` comment; the file has no string,
//! template or regular-expression literal containing `//` (a browser test that plays audio loads
//! the stripped source, so a break would show there).
use std::{env, fs, path::Path};

fn main() {
    let source = "src/web/worklets/realtime-audio.js";
    println!("cargo:rerun-if-changed={source}");
    println!("cargo:rerun-if-env-changed=RTW_MINIFIED_WORKLET");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("realtime-audio.js");
    // The npm package build (scripts/build-pkg.mjs) minifies the worklet with esbuild first and
    // names the result here: the same text as the shipped file, a fifth smaller than stripping.
    if let Ok(minified) = env::var("RTW_MINIFIED_WORKLET") {
        println!("cargo:rerun-if-changed={minified}");
        fs::copy(&minified, &out).expect("copy the minified worklet");
        return;
    }
    let text = fs::read_to_string(source).expect("read the worklet source");
    let mut stripped = String::with_capacity(text.len());
    for line in text.lines() {
        let code = match line.find(" //") {
            Some(at) => &line[..at],
            None => line,
        };
        let code = code.trim();
        if code.is_empty() || code.starts_with("//") {
            continue;
        }
        stripped.push_str(code);
        stripped.push('\n');
    }
    fs::write(out, stripped).expect("write the stripped worklet");
}
