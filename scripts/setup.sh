#!/usr/bin/env bash
# Installs what Unsponsor needs, skipping whatever is already there (safe to run again).
#
#   scripts/setup.sh build   Rust wasm32 target, wasm-pack, wasm-bindgen-cli (the exact version in
#                            Cargo.lock), npm packages (binaryen's wasm-opt and wasm2js, web-ext)
#   scripts/setup.sh test    all of the above, plus Chromium, chromedriver and Firefox ESR with
#                            their German and French language files, Xvfb and xdotool (apt)
#                            and geckodriver (cargo)
#
# Needs: rustup/cargo, Node 20 and npm. Browsers come from Debian's packages (apt-get, as root or
# through sudo). Nothing is downloaded from outside the package registries.
set -euo pipefail
mode=${1:-build}
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

WASM_PACK_VERSION=0.15.1
GECKODRIVER_VERSION=0.37.1
# wasm-bindgen-cli must match the wasm-bindgen library exactly; Cargo.lock is the source of truth.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
has_version() { command -v "$1" >/dev/null 2>&1 && "$1" --version 2>/dev/null | grep -q "$2"; }

for tool in cargo rustup node npm; do
  command -v "$tool" >/dev/null || { echo "[setup] $tool is missing: install Rust with rustup and Node 20 with npm first" >&2; exit 1; }
done

if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi
for component in rustfmt clippy; do
  rustup component list --installed | grep -q "^$component" || rustup component add "$component"
done

if ! has_version wasm-pack "$WASM_PACK_VERSION"; then
  say "installing wasm-pack $WASM_PACK_VERSION (about 1.5 minutes on 2 cores, once)"
  cargo install wasm-pack --version "$WASM_PACK_VERSION"
fi
if ! has_version wasm-bindgen "$WASM_BINDGEN_VERSION"; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes on 2 cores, once)"
  # No --locked: one of its locked dependencies was yanked from crates.io.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# npm packages: reinstall only when package-lock.json changed since the last install.
stamp=node_modules/.unsponsor-lock-stamp
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ]; then
  say "installing npm packages"
  npm ci --no-audit --no-fund
  echo "$lock_sum" > "$stamp"
fi

if [ "$mode" = test ]; then
  missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  command -v chromedriver >/dev/null || missing+=(chromium-driver)
  command -v firefox-esr >/dev/null || missing+=(firefox-esr)
  # A virtual X display and real key presses for the headed Chromium that fires the extension's
  # keyboard shortcuts (tests/e2e/shortcuts-chrome.test.mjs).
  command -v Xvfb >/dev/null || missing+=(xvfb)
  command -v xdotool >/dev/null || missing+=(xdotool)
  # German and French for the browsers' own interface: the locale tests show the extension in
  # both (tests/e2e/locales.test.mjs).
  for package in chromium-l10n firefox-esr-l10n-de firefox-esr-l10n-fr; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]} from Debian's packages"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
  if ! has_version geckodriver "$GECKODRIVER_VERSION"; then
    say "installing geckodriver $GECKODRIVER_VERSION (a few minutes, once)"
    cargo install geckodriver --version "$GECKODRIVER_VERSION"
  fi
fi
say "tools ready ($mode)"
