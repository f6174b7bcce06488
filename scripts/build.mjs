// Builds everything a user runs, from source, into dist/ (ignored by git):
//   pkg/            the Rust core as WebAssembly + wasm-bindgen glue (wasm-pack, wasm-opt -Oz)
//   pkg-js/         the same core compiled to JavaScript by wasm2js, for pages whose CSP forbids
//                   WebAssembly in Chromium content scripts
//   dist/chrome/    unpacked extension for Chrome (service-worker background)
//   dist/firefox/   unpacked extension for Firefox (event-page background, gecko id)
//   dist/*/rules/   EasyList's cosmetic rules (the repository's copy in third_party/easylist/),
//                   compiled (scripts/compile-rules.mjs), with licence; behind them in the same
//                   file (easylist.rules) their index (the core's lookup tables, made by the core
//                   itself, run here in Node, so a page's first click copies them instead of
//                   reading 24,000 rules)
//   dist/*/filter-list.json   which list the build carries and its version (the options page)
//   dist/*/early-rules.js     the stylesheet that hides certain ads before the first paint on
//                   auto-clean sites, written by the core run in Node (src/core/early.rs)
//   dist/www/       the offline demo site
//   dist/unsponsor-<browser>-<version>.zip   store packages
// Run through `npm run build` (which installs the tools first) or `node scripts/build.mjs`.
// Without the EasyList copy the build stops, unless asked for `--heuristics-only`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileRules } from './compile-rules.mjs';
import { iconPng } from './icons.mjs';
import { wrapWasm2js } from './wasm2js-wrap.mjs';
import { classicScript, inlineSnippets } from './inline-snippets.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const crateName = 'unsponsor';
const env = {
  ...process.env,
  PATH: [path.join(root, 'node_modules', '.bin'), path.join(os.homedir(), '.cargo', 'bin'), process.env.PATH].join(path.delimiter),
};
const ICON_SIZES = [16, 32, 48, 128];
const EXTENSION_FILES = ['background.js', 'settings.js', 'messages.js', 'i18n.js', 'content.js', 'autoclean.js', 'early-hide.js', 'popup.html', 'popup.css', 'popup.js',
  'options.html', 'options.css', 'options.js', 'judge.js', '_locales'];
/** Chrome's offscreen document, where the judge runs there (Firefox runs judge.js in its background page). */
const CHROME_FILES = ['offscreen.html', 'offscreen.js'];
/**
 * The file that takes blocks out of the page and puts them back: the core imports it in the tab
 * (folded into the glue), and content.js uses it alone for a page judged outside the tab: the
 * build writes it as a classic script (globalThis.UnsponsorRemoval) that background.js injects
 * before content.js.
 */
const REMOVAL_FILE = 'removal.js';
const GECKO_ID = 'unsponsor@unsponsor.dev';
/**
 * EasyList's cosmetic rules: the copy kept in the repository (third_party/easylist/, refreshed by
 * `npm run update-easylist`); UNSPONSOR_EASYLIST_DIR points the build at another copy.
 */
const EASYLIST_DIR = path.resolve(process.env.UNSPONSOR_EASYLIST_DIR || path.join(root, 'third_party', 'easylist'));
/**
 * A build without EasyList ships a weaker product, so it happens only when asked for by name:
 * `npm run build -- --heuristics-only` or UNSPONSOR_HEURISTICS_ONLY=1 (for `npm start`).
 */
const HEURISTICS_ONLY = process.argv.includes('--heuristics-only') || process.env.UNSPONSOR_HEURISTICS_ONLY === '1';
/** Fewer kept rules than this means a damaged or truncated copy, not EasyList. */
const MIN_EASYLIST_RULES = 10_000;
/** What the options page shows about the filter list this build carries. */
const FILTER_LIST_FILE = 'filter-list.json';
const RULES_FILE = 'rules/easylist.rules';
const RULES_LICENCE_FILE = 'rules/LICENSE-EasyList.txt';
const EARLY_RULES_FILE = 'early-rules.js';
const RULES_LICENCE = `The file easylist.rules is derived from EasyList (https://easylist.to/):
its element-hiding rules, validated and compiled into a compact form by Unsponsor's build
(scripts/compile-rules.mjs). Credit: The EasyList authors (https://easylist.to/).
Behind the rules, in the same file, the build writes their index: lookup tables of positions in
the rules.

easylist.rules (the rules and their index) is distributed under the Creative Commons Attribution-ShareAlike 3.0 Unported
licence (CC BY-SA 3.0): https://creativecommons.org/licenses/by-sa/3.0/
EasyList itself is dual-licensed GPLv3 or CC BY-SA 3.0 (https://easylist.to/pages/licence.html).

Unsponsor's code that reads these rules is not covered by this licence.
`;

class BuildError extends Error {}

/** The rules compiled, with the list's version and counts; null only for a heuristics-only build. */
function buildRules() {
  if (HEURISTICS_ONLY) {
    step('EasyList rules: none (heuristics-only build, as asked)');
    return null;
  }
  const shown = path.relative(root, EASYLIST_DIR);
  step(`EasyList rules ← ${shown.startsWith('..') || path.isAbsolute(shown) ? EASYLIST_DIR : shown}`);
  const help = 'The rules are part of the repository (third_party/easylist/): restore them with '
    + '`git checkout -- third_party/easylist`, refresh them with `npm run update-easylist`, point '
    + 'UNSPONSOR_EASYLIST_DIR at another copy, or build without EasyList on purpose with '
    + '`npm run build -- --heuristics-only` (UNSPONSOR_HEURISTICS_ONLY=1 for `npm start`).';
  const compiled = compileRules(EASYLIST_DIR);
  if (!compiled) throw new BuildError(`no EasyList rules at ${EASYLIST_DIR} (easylist-cosmetic.txt and easylist-generichide.txt). ${help}`);
  const { stats, version } = compiled;
  const kept = ['generic_class', 'generic_id', 'keyed', 'unkeyed', 'site', 'exception'].reduce((sum, kind) => sum + stats[kind], 0);
  if (!version || kept < MIN_EASYLIST_RULES) {
    throw new BuildError(`the EasyList copy at ${EASYLIST_DIR} looks damaged: ${version ? `version ${version}` : 'no "! Version:" line'}, `
      + `${kept} element-hiding rules kept (at least ${MIN_EASYLIST_RULES} expected). ${help}`);
  }
  console.log(`[build] rules: ${JSON.stringify(stats)}`);
  return { text: compiled.text, version, rules: kept };
}

/**
 * The compiled rules with their index behind them, in one file (src/core/easylist.rs,
 * `RuleSet::bundle` and `RuleSet::index`): the core just built (pkg/), run in Node, reads the
 * rules and writes its tables, so they are exactly the ones its loader expects. One file, not
 * two: each request costs the page's main thread about 1.5 ms of its own (docs/PERFORMANCE.md).
 */
async function bundleRules(rulesText) {
  step(`rules and their index → ${RULES_FILE}`);
  const glue = await loadCore();
  return Buffer.from(glue.bundleRules(new TextEncoder().encode(rulesText)));
}

let core = null;

/** The core just built (pkg/), loaded in Node, once. */
async function loadCore() {
  if (!core) {
    const glue = await import(pathToFileURL(path.join(root, 'pkg', `${crateName}.js`)).href);
    glue.initSync({ module: fs.readFileSync(path.join(root, 'pkg', `${crateName}_bg.wasm`)) });
    core = glue;
  }
  return core;
}

/**
 * early-rules.js: the stylesheet that hides what is certain from markup alone before a page's
 * first paint on a site cleaned automatically (src/core/early.rs), written by the core so the
 * extension never keeps a second copy of its vendor and ad-slot names (read by early-hide.js).
 */
async function earlyRules() {
  step(`early stylesheet → ${EARLY_RULES_FILE}`);
  const glue = await loadCore();
  const rules = { stylesheet: glue.earlyHideBuiltIn(), uiAttribute: glue.constants().own_ui_attribute };
  return '// Written by scripts/build.mjs from the core (src/core/early.rs): do not edit.\n'
    + `globalThis.UnsponsorEarlyRules = Object.freeze(${JSON.stringify(rules, null, 2)});\n`;
}

/** The rule files where they exist, and in every build the note of which list it carries. */
function writeRules(out, rules, bundle) {
  const about = rules
    ? { name: 'EasyList', version: rules.version, rules: rules.rules }
    : { name: null, version: null, rules: 0, heuristics_only: true };
  fs.writeFileSync(path.join(out, FILTER_LIST_FILE), `${JSON.stringify(about, null, 2)}\n`);
  if (!rules) return;
  fs.mkdirSync(path.join(out, 'rules'), { recursive: true });
  fs.writeFileSync(path.join(out, RULES_FILE), bundle);
  fs.writeFileSync(path.join(out, RULES_LICENCE_FILE), RULES_LICENCE);
}

function step(message) {
  console.log(`\x1b[1m[build]\x1b[0m ${message}`);
}

function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: root, stdio: 'inherit', env: { ...env, ...options.env } });
}

function copy(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.cpSync(from, to, { recursive: true });
}

// V8's explicit compile hint (Chromium 136 and later; a plain comment to other engines): every
// function of the glue, the page reader folded into it among them, runs on a reader's first
// clean, so V8 compiles them all as the file loads rather than each on its first call. In paired
// bench runs it took 0.8-1.0 ms off the first clean (the reader's part) and 1.4-2.7 ms off
// start-up (docs/PERFORMANCE.md, "Where the time goes").
const COMPILE_HINT = '//# allFunctionsCalledOnLoad\n';

function hintEagerCompile(file) {
  const source = fs.readFileSync(file, 'utf8');
  if (!source.startsWith(COMPILE_HINT)) fs.writeFileSync(file, COMPILE_HINT + source);
}

function buildWasm() {
  step('core → WebAssembly (pkg/)');
  run('wasm-pack', ['build', '--mode', 'no-install', '--target', 'web', '--release',
    '--no-typescript', '--no-pack', '--out-dir', 'pkg']);
  fs.rmSync(path.join(root, 'pkg', '.gitignore'), { force: true });
  inlineSnippets(path.join(root, 'pkg'), `${crateName}.js`);
  hintEagerCompile(path.join(root, 'pkg', `${crateName}.js`));
}

function buildWasm2js() {
  step('core → JavaScript fallback (pkg-js/)');
  // wasm2js cannot translate the externref table, so this build turns reference types off;
  // stripping drops the target_features section so wasm-bindgen does not switch them back on.
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib',
    '--target-dir', 'target/no-reference-types'], {
    // (RUSTFLAGS replaces .cargo/config.toml's flags: the stack size is repeated here.)
    env: { RUSTFLAGS: '-C target-feature=-reference-types -C link-arg=-zstack-size=131072', CARGO_PROFILE_RELEASE_STRIP: 'true' },
  });
  const out = path.join(root, 'pkg-js');
  fs.rmSync(out, { recursive: true, force: true });
  run('wasm-bindgen', [`target/no-reference-types/wasm32-unknown-unknown/release/${crateName}.wasm`,
    '--target', 'web', '--no-typescript', '--out-dir', out]);
  inlineSnippets(out, `${crateName}.js`);
  hintEagerCompile(path.join(out, `${crateName}.js`));
  const wasm = path.join(out, `${crateName}_bg.wasm`);
  const raw = path.join(out, `${crateName}_bg.w2j.raw.js`);
  run('wasm2js', [wasm, '-Oz', '--enable-bulk-memory', '--enable-sign-ext',
    '--enable-nontrapping-float-to-int', '--enable-mutable-globals', '-o', raw]);
  fs.writeFileSync(path.join(out, `${crateName}_bg.w2j.js`), wrapWasm2js(fs.readFileSync(raw, 'utf8')));
  fs.rmSync(raw);
  fs.rmSync(wasm);
}

/** The manifest for one browser, from extension/manifest.json. */
function manifestFor(browser, hasRules) {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'extension', 'manifest.json'), 'utf8'));
  if (!hasRules) {
    for (const entry of manifest.web_accessible_resources) {
      entry.resources = entry.resources.filter((file) => file !== RULES_FILE);
    }
  }
  const cargoVersion = /^version = "([^"]+)"/m.exec(fs.readFileSync(path.join(root, 'Cargo.toml'), 'utf8'))[1];
  manifest.version = cargoVersion;
  if (browser === 'chrome') {
    manifest.background = { service_worker: 'background.js' };
    // The judge's document (offscreen.html): a service worker cannot parse a page.
    manifest.permissions.push('offscreen');
    // The files the content script loads are reachable only at the per-session dynamic URL that
    // runtime.getURL returns (Chrome 130+), not at chrome-extension://<fixed id>/..., so a page
    // cannot fetch them to detect the extension. Firefox has no such key: its moz-extension://
    // host is a random UUID per installation already.
    for (const entry of manifest.web_accessible_resources) entry.use_dynamic_url = true;
  } else {
    // The Chrome service worker loads settings.js itself (importScripts); the event page needs it listed.
    manifest.background = { scripts: ['settings.js', 'messages.js', 'background.js'] };
    manifest.browser_specific_settings = {
      gecko: { id: GECKO_ID, strict_min_version: '140.0', data_collection_permissions: { required: ['none'] } },
      gecko_android: { strict_min_version: '142.0' },
    };
  }
  return manifest;
}

function assembleExtension(browser, rules, rulesBundle, early) {
  step(`extension → dist/${browser}/`);
  const out = path.join(dist, browser);
  fs.rmSync(out, { recursive: true, force: true });
  for (const file of EXTENSION_FILES) copy(path.join(root, 'extension', file), path.join(out, file));
  if (browser === 'chrome') for (const file of CHROME_FILES) copy(path.join(root, 'extension', file), path.join(out, file));
  const removal = fs.readFileSync(path.join(root, 'src', 'dom', REMOVAL_FILE), 'utf8');
  fs.writeFileSync(path.join(out, REMOVAL_FILE), classicScript(removal, 'UnsponsorRemoval', `src/dom/${REMOVAL_FILE}`));
  for (const size of ICON_SIZES) {
    fs.mkdirSync(path.join(out, 'icons'), { recursive: true });
    fs.writeFileSync(path.join(out, 'icons', `icon-${size}.png`), iconPng(size));
  }
  for (const file of [`${crateName}.js`, `${crateName}_bg.wasm`]) copy(path.join(root, 'pkg', file), path.join(out, 'pkg', file));
  for (const file of [`${crateName}.js`, `${crateName}_bg.w2j.js`]) copy(path.join(root, 'pkg-js', file), path.join(out, 'pkg-js', file));
  writeRules(out, rules, rulesBundle);
  fs.writeFileSync(path.join(out, EARLY_RULES_FILE), early);
  const manifest = manifestFor(browser, Boolean(rules));
  fs.writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest.version;
}

function assembleDemo(rules, rulesBundle) {
  step('demo → dist/www/');
  const out = path.join(dist, 'www');
  fs.rmSync(out, { recursive: true, force: true });
  copy(path.join(root, 'www'), out);
  for (const file of [`${crateName}.js`, `${crateName}_bg.wasm`]) copy(path.join(root, 'pkg', file), path.join(out, 'pkg', file));
  fs.writeFileSync(path.join(out, 'favicon.png'), iconPng(32));
  writeRules(out, rules, rulesBundle);
}

function packageExtension(browser, version) {
  const filename = `unsponsor-${browser}-${version}.zip`;
  step(`package → dist/${filename}`);
  run('web-ext', ['build', '--source-dir', path.join(dist, browser), '--artifacts-dir', dist,
    '--filename', filename, '--overwrite-dest']);
}

const started = Date.now();
let rules;
try {
  // The rules first: a missing or damaged copy stops the build before minutes of compiling.
  rules = buildRules();
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`\n\x1b[1m[build] stopped:\x1b[0m ${error.message}\n`);
  process.exit(1);
}
fs.mkdirSync(dist, { recursive: true });
buildWasm();
buildWasm2js();
const rulesBundle = rules ? await bundleRules(rules.text) : null;
const early = await earlyRules();
for (const browser of ['chrome', 'firefox']) {
  const version = assembleExtension(browser, rules, rulesBundle, early);
  packageExtension(browser, version);
}
assembleDemo(rules, rulesBundle);
step(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
step(rules
  ? `filter list: EasyList ${rules.version} (${rules.rules.toLocaleString('en')} element-hiding rules) in dist/chrome, dist/firefox and dist/www`
  : 'filter list: NONE. This is a heuristics-only build (--heuristics-only): it removes less than the full product.');
