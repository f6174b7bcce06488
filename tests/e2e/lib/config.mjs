// Paths, environment overrides and the list of pages the end-to-end tests visit.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Build output (`npm run build`); override with UNSPONSOR_DIST=/path/to/dist. */
export const DIST_DIR = path.resolve(process.env.UNSPONSOR_DIST ?? path.join(REPO_ROOT, 'dist'));
export const CHROME_EXTENSION_DIR = path.join(DIST_DIR, 'chrome');
export const FIREFOX_EXTENSION_DIR = path.join(DIST_DIR, 'firefox');
export const DEMO_SITE_DIR = path.join(DIST_DIR, 'www');

/**
 * Where the tests write their screenshots: an ignored folder, so a test run leaves the tree as it
 * found it. `npm run screenshots` sets UNSPONSOR_SCREENSHOTS=docs/screenshots to refresh the
 * README's pictures.
 */
export const SCREENSHOT_DIR = path.resolve(process.env.UNSPONSOR_SCREENSHOTS ?? path.join(REPO_ROOT, 'tests', 'e2e', 'out', 'screenshots'));

export const CHROMIUM_BINARY = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX_BINARY = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

/** Firefox add-on id from the product's manifest (browser_specific_settings.gecko.id). */
export const FIREFOX_ADDON_ID = 'unsponsor@unsponsor.dev';

/** Set E2E_VERBOSE=1 to see every browser console message, not only errors and warnings. */
export const VERBOSE = process.env.E2E_VERBOSE === '1';

/** Viewport used for page screenshots. */
export const VIEWPORT = { width: 1280, height: 900 };

/** The demo pages every browser test cleans and restores. */
export const DEMO_PAGES = Object.freeze(['/index.html', '/variants/hashed.html', '/variants/bare.html']);

/**
 * Whether the build under test carries EasyList: every build does, unless it was made with
 * --heuristics-only on purpose (its filter-list.json says so). A build that lost its rules by
 * accident therefore fails the tests that expect the EasyList layer.
 */
export function buildCarriesEasylist(extensionDir = CHROME_EXTENSION_DIR) {
  const note = path.join(extensionDir, 'filter-list.json');
  requireBuilt(note);
  return JSON.parse(fs.readFileSync(note, 'utf8')).heuristics_only !== true;
}

/** Throws a readable error when the build output the tests need is missing. */
export function requireBuilt(...files) {
  const missing = files.filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(`Build output missing (run \`npm run build\` first, or set UNSPONSOR_DIST):\n  ${missing.join('\n  ')}`);
  }
}

/** Finds geckodriver: $GECKODRIVER, then PATH, then ~/.cargo/bin. Returns null when absent. */
export function findGeckodriver() {
  const candidates = [
    process.env.GECKODRIVER,
    ...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, 'geckodriver')),
    path.join(os.homedir(), '.cargo', 'bin', 'geckodriver'),
  ].filter(Boolean);
  return (
    candidates.find((candidate) => {
      try {
        fs.accessSync(candidate, fs.constants.X_OK);
        return fs.statSync(candidate).isFile();
      } catch {
        return false;
      }
    }) ?? null
  );
}
