#!/usr/bin/env bash
# Installs what the two README commands need, idempotently: every step first checks whether the
# right version is already there, so a second run costs a few seconds.
#
#   scripts/setup.sh            everything (toolchain target, wasm-pack, wasm-bindgen-cli, browser, npm)
#   scripts/setup.sh --demo     only what `make demo` needs (no browser, no espeak-ng/sox)
#
# Pins live in one place each: wasm-bindgen's version is read from Cargo.toml (the CLI must match the
# library exactly), wasm-pack's from wasm-pack.toml, npm packages from package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=1
[ "${1:-}" = "--demo" ] && want_browser=0

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

export PATH="$HOME/.cargo/bin:$PATH"

# --- Rust: the wasm target -------------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# --- wasm-bindgen-cli, exactly the library's version ----------------------------------------
bindgen_version=$(sed -n 's/^wasm-bindgen *= *{ *version *= *"=\([0-9.]*\)".*/\1/p; s/^wasm-bindgen *= *"=\([0-9.]*\)".*/\1/p' Cargo.toml | head -1)
[ -n "$bindgen_version" ] || { echo "setup: cannot read the pinned wasm-bindgen version from Cargo.toml" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$bindgen_version" ]; then
  say "installing wasm-bindgen-cli $bindgen_version (a few minutes, once)"
  # Not --locked: one locked dependency of the CLI is missing from the registry.
  cargo install wasm-bindgen-cli --version "$bindgen_version" --force
fi

# --- wasm-pack ---------------------------------------------------------------------------------
pack_version=$(sed -n 's/^wasm-pack-version *= *"\([0-9.]*\)".*/\1/p' wasm-pack.toml | head -1)
[ -n "$pack_version" ] || { echo "setup: cannot read wasm-pack-version from wasm-pack.toml" >&2; exit 1; }
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$pack_version" ]; then
  say "installing wasm-pack $pack_version (a few minutes, once)"
  cargo install wasm-pack --version "$pack_version" --locked --force \
    || cargo install wasm-pack --version "$pack_version" --force
fi

# --- Debian packages: headless browser + driver, speech synthesis and sox for audio fixtures ---
if [ "$want_browser" = 1 ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v espeak-ng >/dev/null || missing+=(espeak-ng)
  command -v sox >/dev/null || missing+=(sox)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
      say "installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "setup: missing ${missing[*]}; install them as root: sudo apt-get install ${missing[*]}" >&2
      exit 1
    fi
  fi
fi

# --- npm packages (ws, ajv, binaryen's wasm-opt, test clients) ---------------------------------
# npm ci wipes node_modules, so run it only when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
fi
say "ready"
