//! The black-box door to the codecs.
//!
//! ```text
//! wire decode --provider openai|gemini   < wire-frames.jsonl      > neutral-server-messages.jsonl
//! wire encode --provider openai|gemini   < neutral-client-messages.jsonl > wire-frames.jsonl
//! ```
//!
//! One JSON value per input line (blank lines skipped). A line that fails prints
//! `{"type":"decodeError"|"encodeError","line":N,"message":"…"}` and processing continues; the exit
//! status is 1 if any line failed, 2 on a usage error.

use realtime_wasm::model::ClientMessage;
use realtime_wasm::provider::{Codec, Provider};
use std::io::{self, BufRead, BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: wire (decode|encode) --provider openai|gemini  (JSON Lines on stdin, JSON Lines on stdout)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (direction, provider) = match parse_args(&args) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("wire: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut codec = provider.codec();
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    let mut failed = false;
    for (index, line) in stdin.lock().lines().enumerate() {
        let number = index + 1;
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                // Not UTF-8: report it like any other bad line and go on.
                failed = true;
                emit_error(&mut out, direction, number, &format!("unreadable line: {e}"));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let outcome = match direction {
            Direction::Decode => decode_line(codec.as_mut(), &line, &mut out),
            Direction::Encode => encode_line(codec.as_mut(), &line, &mut out),
        };
        if let Err(message) = outcome {
            failed = true;
            emit_error(&mut out, direction, number, &message);
        }
    }
    if out.flush().is_err() {
        return ExitCode::from(1);
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

#[derive(Clone, Copy)]
enum Direction {
    Decode,
    Encode,
}

fn parse_args(args: &[String]) -> Result<(Direction, Provider), String> {
    let direction = match args.first().map(String::as_str) {
        Some("decode") => Direction::Decode,
        Some("encode") => Direction::Encode,
        Some(other) => return Err(format!("unknown command {other:?}")),
        None => return Err("missing command".into()),
    };
    let mut provider = None;
    let mut rest = args[1..].iter();
    while let Some(arg) = rest.next() {
        let value = match arg.strip_prefix("--provider=") {
            Some(v) => Some(v.to_string()),
            None if arg == "--provider" => rest.next().cloned(),
            None => return Err(format!("unknown argument {arg:?}")),
        };
        let name = value.ok_or("--provider needs a value")?;
        provider = Some(Provider::parse(&name).ok_or_else(|| format!("unknown provider {name:?}"))?);
    }
    Ok((direction, provider.ok_or("--provider is required")?))
}

fn decode_line(codec: &mut dyn Codec, line: &str, out: &mut impl Write) -> Result<(), String> {
    let messages = codec.decode(line).map_err(|e| e.to_string())?;
    for message in messages {
        // The SDK's writer: what the JS layer parses.
        let text = realtime_wasm::json::to_string(&message);
        writeln!(out, "{text}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn encode_line(codec: &mut dyn Codec, line: &str, out: &mut impl Write) -> Result<(), String> {
    let message: ClientMessage = serde_json::from_str(line).map_err(|e| format!("not a neutral client message: {e}"))?;
    for frame in codec.encode(&message).map_err(|e| e.to_string())? {
        writeln!(out, "{frame}").map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn emit_error(out: &mut impl Write, direction: Direction, line: usize, message: &str) {
    let kind = match direction {
        Direction::Decode => "decodeError",
        Direction::Encode => "encodeError",
    };
    let record = ErrorRecord { kind, line, message };
    // A failed write to stdout has nowhere better to go; the exit status already says "failed".
    let _ = writeln!(out, "{}", serde_json::to_string(&record).unwrap_or_default());
}

/// `{"type","line","message"}`, in that order.
#[derive(serde::Serialize)]
struct ErrorRecord<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    line: usize,
    message: &'a str,
}
