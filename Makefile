# The README's two commands, and the peer benchmark. All install what is missing first
# (scripts/setup.sh, idempotent).
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)
PORT ?= 8080
export PORT

.PHONY: demo test bench soak fuzz setup pkg

## make demo: build the wasm package and serve the demo + protocol emulator on http://127.0.0.1:$(PORT)
demo:
	scripts/setup.sh --demo
	node scripts/build-pkg.mjs
	node www/server.mjs

## make test: every test layer (native, browser, Node)
test:
	scripts/setup.sh
	scripts/test.sh

## make bench: realtime-wasm against the peer SDKs in headless Chromium; table in target/bench/peers.md
bench:
	scripts/setup.sh
	node scripts/build-pkg.mjs
	node bench/run.mjs

## make soak: 60 simulated minutes per provider (mic, playback, barge-ins, tools); memory growth in target/bench/soak.md
SOAK_MINUTES ?= 60
soak:
	scripts/setup.sh
	node scripts/build-pkg.mjs
	node bench/soak.mjs --minutes $(SOAK_MINUTES)

## make fuzz: every cargo-fuzz target for FUZZ_SECONDS each (default 1800: ≥ 10 M runs per decoder; needs nightly, skips without)
FUZZ_SECONDS ?= 1800
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/fuzz.sh

setup:
	scripts/setup.sh

pkg:
	scripts/setup.sh --demo
	node scripts/build-pkg.mjs
