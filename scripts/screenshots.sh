#!/usr/bin/env bash
# `npm run screenshots`: refreshes the README's pictures in docs/screenshots/ by running the
# end-to-end suites that take them (the tests themselves write only under tests/e2e/out/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
node scripts/build.mjs
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
UNSPONSOR_SCREENSHOTS="$PWD/docs/screenshots" node --test --test-concurrency=1 \
  tests/e2e/chrome.test.mjs tests/e2e/firefox.test.mjs \
  tests/e2e/reader-chrome.test.mjs tests/e2e/reader-firefox.test.mjs tests/e2e/locales.test.mjs
echo "[screenshots] written to docs/screenshots/; review them with git diff --stat docs/screenshots, then commit"
