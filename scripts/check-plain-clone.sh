#!/usr/bin/env bash
# The repository stands on its own: clones the committed HEAD into an empty temporary folder
# (nothing beside it: no ../shared), builds it there with `npm run build`, checks that the Chrome
# and Firefox builds and their store zips carry the EasyList rules (tests/node/build-output),
# runs the end-to-end suites there (scripts/e2e.sh; the corpus suites are skipped, since the
# corpus is absent), and checks that the clone's tree is as it was cloned. Run by `npm test`.
#
# Uncommitted changes are not in the clone: it tests what was committed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
say() { printf '\033[1m[plain clone]\033[0m %s\n' "$*"; }

if ! git rev-parse --verify --quiet HEAD >/dev/null; then
  say "not a git checkout with a commit: there is nothing to clone" >&2
  exit 1
fi
if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  say "note: the work tree has uncommitted changes; the clone tests HEAD ($(git rev-parse --short HEAD)) without them"
fi

workspace=$(mktemp -d "${TMPDIR:-/tmp}/unsponsor-plain-clone.XXXXXX")
trap 'rm -rf "$workspace"' EXIT
clone="$workspace/unsponsor"
mkdir -p "$repo/tests/e2e/out"
log="$repo/tests/e2e/out/plain-clone.log"
say "cloning $(git rev-parse --short HEAD) into $clone (nothing beside it); log: tests/e2e/out/plain-clone.log"
git clone --quiet --no-hardlinks "$repo" "$clone"

started=$SECONDS
status=0
(
  cd "$clone"
  # Nothing from this run's environment may point the clone back at files outside it.
  unset UNSPONSOR_EASYLIST_DIR UNSPONSOR_CORPUS UNSPONSOR_DIST UNSPONSOR_HEURISTICS_ONLY UNSPONSOR_SCREENSHOTS
  set -x
  npm run build
  node --test --test-reporter=tap tests/node/build-output.test.mjs
  # Every suite runs; the early-click one with 3 clicks per button and delay instead of 20 (the
  # full count runs in the checkout itself, and the clone only has to show that it works).
  EARLY_CLICK_REPEATS=3 bash scripts/e2e.sh
  set +x
  changed=$(git status --porcelain)
  if [ -n "$changed" ]; then
    echo "the tests left the clone's tree changed (they must write only under ignored folders):"
    echo "$changed"
    exit 1
  fi
  echo "git status --porcelain in the clone after the tests: (nothing)"
) > "$log" 2>&1 || status=$?

if [ "$status" -ne 0 ]; then
  tail -n 120 "$log"
  say "FAILED after $((SECONDS - started)) s: the plain clone did not build or pass its tests (whole log: tests/e2e/out/plain-clone.log)"
  exit 1
fi
grep -E '^\[build\].*filter list|filter list:' "$log" | sed 's/\x1b\[[0-9;]*m//g' || true
node scripts/test-summary.mjs --label "plain clone (nothing beside it)" "$log"
say "passed in $((SECONDS - started)) s; the clone's tree is unchanged"
