#!/usr/bin/env bash
# `npm test`: every check, in the order a failure is cheapest to find. Installs what it needs
# first (scripts/setup.sh test), so it runs on a fresh machine with only Rust, Node 20 and npm.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

section() { printf '\n\033[1m== %s ==\033[0m\n' "$*"; }

section "format (cargo fmt --check)"
cargo fmt --check

section "lint (clippy, host and wasm32)"
cargo clippy --all-targets -- -D warnings
cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings

section "core, natively (cargo test)"
cargo test

section "build (wasm, wasm2js fallback, extensions, demo)"
node scripts/build.mjs

section "bundle size"
node --test tests/node/

section "adapter on a real DOM: Chromium (wasm-pack test)"
wasm-pack test --mode no-install --headless --chrome
section "adapter on a real DOM: Firefox (wasm-pack test)"
wasm-pack test --mode no-install --headless --firefox

section "Firefox add-on lint (web-ext lint)"
node scripts/lint-extension.mjs

section "end to end: the real toolbar button and popup in Chromium and Firefox"
node --test --test-concurrency=1 tests/e2e/chrome.test.mjs tests/e2e/firefox.test.mjs tests/e2e/robustness-chrome.test.mjs tests/e2e/robustness-firefox.test.mjs tests/e2e/reader-chrome.test.mjs tests/e2e/reader-firefox.test.mjs tests/e2e/shortcuts-chrome.test.mjs tests/e2e/locales.test.mjs tests/e2e/corpus-undo.test.mjs tests/e2e/corpus-undo-firefox.test.mjs

section "all checks passed"
