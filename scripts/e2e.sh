#!/usr/bin/env bash
# `npm run test:e2e`: the end-to-end suites (tests/e2e/, see its README) on the build in dist/:
# the real toolbar button and popup in Chromium and Firefox, the reader's controls, robustness,
# shortcuts, locales, and undo on the dev corpus (skipped where ../shared/corpus/dev is absent).
# Run by `npm test`, and by scripts/check-plain-clone.sh inside a fresh clone.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
node --test --test-concurrency=1 --test-reporter=tap \
  tests/e2e/chrome.test.mjs tests/e2e/firefox.test.mjs \
  tests/e2e/robustness-chrome.test.mjs tests/e2e/robustness-firefox.test.mjs \
  tests/e2e/reader-chrome.test.mjs tests/e2e/reader-firefox.test.mjs \
  tests/e2e/shortcuts-chrome.test.mjs tests/e2e/locales.test.mjs tests/e2e/early-clicks-chrome.test.mjs tests/e2e/early-clicks-firefox.test.mjs tests/e2e/failures-chrome.test.mjs \
  tests/e2e/corpus-undo.test.mjs tests/e2e/corpus-undo-firefox.test.mjs
