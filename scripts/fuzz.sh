#!/usr/bin/env bash
# Runs every cargo-fuzz target for FUZZ_SECONDS each (default 600; `make fuzz` passes 1800; `scripts/test.sh`
# passes a short time as a regression check), seeded from ../shared/fixtures, and prints the
# executions per target. Fails on a crash (the input is left in fuzz/artifacts/<target>/).
# cargo-fuzz needs nightly (libFuzzer, sanitizer flags); nothing that ships depends on it, so without
# a nightly toolchain this skips with a message. Usage: scripts/fuzz.sh [target …]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds=${FUZZ_SECONDS:-600}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decode_openai decode_gemini encode_openai encode_gemini session_script)

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: SKIPPED — no nightly toolchain (cargo-fuzz needs one; install it with 'rustup toolchain install nightly' to run the fuzz targets)"
  exit 0
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz from crates.io (compiled from source, a few minutes once)"
  cargo install cargo-fuzz --locked
fi
command -v node >/dev/null || { echo "fuzz: node is needed to seed the corpora" >&2; exit 1; }
node fuzz/seed.mjs

summary=()
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s"
  log=fuzz/artifacts/$target.log
  mkdir -p "fuzz/artifacts/$target"
  # Release build with debug assertions (cargo-fuzz's default); inputs up to 64 kB (the
  # size of a large real frame; longer ones slow every execution), 2 GB RSS and 10 s per input.
  if ! cargo +nightly fuzz run "$target" -- -max_total_time="$seconds" -print_final_stats=1 \
       -rss_limit_mb=2048 -timeout=10 -max_len=65536 >"$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $target FAILED — crash input in fuzz/artifacts/$target/ (replay: cargo +nightly fuzz run $target <file>)" >&2
    exit 1
  fi
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  summary+=("$(printf '%-16s %12s executions in %ss (%s/s)' "$target" "$execs" "$seconds" "$((execs / seconds))")")
done
printf 'fuzz: %s\n' "${summary[@]}"
