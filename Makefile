# hocvuso: `make run` serves the app, `make test` runs every test. Both install what they need.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

CARGO_LEPTOS_VERSION := 0.3.10
# Must equal the exact wasm-bindgen pin in Cargo.toml.
WASM_BINDGEN_VERSION := 0.2.130
# npm's binaryen for wasm-opt (Debian's 108 breaks hydration).
BINARYEN_VERSION := 132.0.0

TOOLS := $(CURDIR)/tools
export PATH := $(HOME)/.cargo/bin:$(TOOLS)/node_modules/.bin:$(PATH)
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CARGO_TERM_COLOR ?= never

.PHONY: run test tools e2e-deps build build-release lint unit e2e fuzz soak bench lrs-cts lrs-conformance lrs-conformance-debug clean-data

## Serve the app at http://127.0.0.1:3000 with the demo campaign when the database is empty.
run: tools build-release
	./target/release/hocvuso migrate
	./target/release/hocvuso seed-demo --if-empty
	@echo "hocvuso: open http://127.0.0.1:3000 (database: $${DATABASE_URL:-sqlite://data/hocvuso.db})"
	./target/release/hocvuso serve

## Formatting, lints, unit and integration tests (SQLite, and PostgreSQL when HOCVUSO_TEST_POSTGRES_URL is set), end-to-end tests,
## and ADL's LRS conformance suite against the debug build the end-to-end tests use.
test: tools e2e-deps lint unit e2e lrs-conformance-debug

tools:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)" || cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
	@[ -x "$(TOOLS)/node_modules/.bin/wasm-opt" ] || npm install --prefix "$(TOOLS)" --no-audit --no-fund --no-save binaryen@$(BINARYEN_VERSION)

e2e-deps:
	@[ -x /usr/bin/chromium ] || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }
	@[ -d end2end/node_modules/@playwright/test ] && [ -d end2end/node_modules/@xapi/xapi ] && [ -d end2end/node_modules/@axe-core/playwright ] || (cd end2end && npm ci --no-audit --no-fund)

build:
	cargo leptos build

build-release:
	cargo leptos build --release

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --features hocvuso-server/bench -- -D warnings
	cargo clippy -p hocvuso-app --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

unit:
	cargo nextest run --workspace --no-fail-fast

## The benchmark (README, Performance): BENCH_SIZE=small (default), province or country; PostgreSQL too
## when HOCVUSO_BENCH_POSTGRES_URL is set. Prints a table and writes target/bench.json.
## The served binary has no benchmark in it: this build adds it (the `bench` feature).
bench: tools
	@command -v wrk >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk; }
	cargo leptos build --release --bin-features bench
	./target/release/hocvuso bench --size $${BENCH_SIZE:-small} --out target/bench.json

## ADL's LRS conformance suite (xAPI 1.0.3; LRS_XAPI_VERSION=2.0.0 for the other) against the release
## server on throw-away databases (end2end/lrs-conformance.sh): SQLite, and PostgreSQL when
## HOCVUSO_TEST_POSTGRES_URL is set. Fails unless every test passes on every database.
LRS_CTS_DIR ?= ../shared/tools/lrs-conformance-test-suite
lrs-cts:
	@[ -d target/lrs-cts/node_modules ] || { rm -rf target/lrs-cts && cp -r "$(LRS_CTS_DIR)" target/lrs-cts && cd target/lrs-cts && npm install --no-audit --no-fund; }

lrs-conformance: tools build-release lrs-cts
	./end2end/lrs-conformance.sh

## The same against the debug build (`cargo leptos build`, as `make e2e` makes it); part of `make test`.
## The suite is not ours to vendor: where no copy is at LRS_CTS_DIR (and none installed), this says so
## loudly and runs nothing rather than failing the rest of `make test`.
lrs-conformance-debug: tools build
	@if [ -d target/lrs-cts/node_modules ] || [ -d "$(LRS_CTS_DIR)" ]; then \
	  $(MAKE) --no-print-directory lrs-cts && HOCVUSO_BIN=$(CURDIR)/target/debug/hocvuso ./end2end/lrs-conformance.sh; \
	else \
	  echo "NOT RUN: ADL's LRS conformance suite is not at $(LRS_CTS_DIR) (set LRS_CTS_DIR)"; \
	fi

## 1,000,000 fuzz executions (500,000 a target) of the spreadsheet reader and the cell parsers; `make test` runs 2,000 a target.
fuzz:
	FUZZ_CASES=500000 cargo nextest run -p hocvuso --test fuzz --no-capture

## The long concurrency run: 50 clients × 200 learners each (SQLite, and PostgreSQL when HOCVUSO_TEST_POSTGRES_URL is set).
soak:
	HOCVUSO_SOAK_LEARNERS=200 cargo nextest run -p hocvuso-server --no-capture reliability::concurrency

e2e: build
	cd end2end && npx playwright test
