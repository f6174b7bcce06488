// `node scripts/bench/handoff-firefox.mjs [--corpus DIR] [--real-addresses]`
//
// The Firefox half of scripts/bench/handoff.mjs (issue 17's design: the core judging a parsed
// copy of the page outside the tab). Firefox has no offscreen documents, but its background
// page, like any extension page, has a DOM. This script opens the built extension's options
// page in headless Firefox (dist/firefox, through the end-to-end tests' driver,
// tests/e2e/lib/firefox.mjs). There it loads the core and every host's rules
// (loadRulesForEveryHost) once, and judges each corpus page, as served for `npm run eval`
// (scripts/eval/corpus.mjs, page scripts stripped), parsed into an inert copy
// (judgeDocument). It prints the time to load the core and the rules, the medians of parsing
// and judging, and on how many pages the count of blocks judged equals the count of blocks the
// tab's core removed in a saved `npm run eval` run (--eval FILE.json, default
// /tmp/eval-dev.json). Pages are judged at the loopback address the eval serves them from,
// unless --real-addresses: then each page's own address, so EasyList's site rules for the real
// site apply, which the eval's pages never get.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCases, preparePage, readTruth } from '../eval/corpus.mjs';
import { FIREFOX_EXTENSION_DIR, findGeckodriver } from '../../tests/e2e/lib/config.mjs';
import { NOSCRIPT_INSIDE } from './handoff.mjs';
import { FirefoxDriver } from '../../tests/e2e/lib/firefox.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const corpus = path.resolve(option('--corpus', path.join(root, '..', 'shared', 'corpus', 'dev')));
const evalFile = option('--eval', '/tmp/eval-dev.json');
const realAddresses = argv.includes('--real-addresses');
const BATCH = 10;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

const removedByTab = fs.existsSync(evalFile)
  ? new Map(JSON.parse(fs.readFileSync(evalFile, 'utf8')).pages.map((page) => [page.case, page.removed.length]))
  : null;
const geckodriverBinary = findGeckodriver();
if (!geckodriverBinary) throw new Error('geckodriver not found (npm test installs it)');
const driver = await FirefoxDriver.launch({ extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log: () => {} });
try {
  const base = await driver.chrome(`WebExtensionPolicy.getByID(${JSON.stringify(driver.addonId)}).getURL('')`);
  await driver.openPage(`${base}options.html`);
  const ready = await driver.content(`(async () => {
    const started = performance.now();
    const core = await import(location.origin + '/pkg/unsponsor.js');
    await core.default({ module_or_path: fetch('/pkg/unsponsor_bg.wasm') });
    core.warmUp();
    const bytes = await (await fetch('/rules/easylist.rules')).arrayBuffer();
    const loaded = core.loadRulesForEveryHost(new Uint8Array(bytes));
    window.__unsponsorCore = core;
    return { ms: performance.now() - started, site: loaded.site };
  })()`);
  console.log(`Firefox extension page: the core and every host's rules (${ready.site} site rules) ready in ${ready.ms.toFixed(1)} ms`);
  const rows = [];
  const cases = listCases(corpus);
  for (let at = 0; at < cases.length; at += BATCH) {
    const pages = cases.slice(at, at + BATCH).map((name) => {
      const truth = readTruth(corpus, name);
      const html = preparePage(fs.readFileSync(path.join(corpus, name, truth.file || 'source.html')), truth.encoding);
      return [name, html, realAddresses && truth.url ? truth.url : `http://127.0.0.1/${name}/source.html`];
    });
    rows.push(...await driver.content(`(${JSON.stringify(pages)}).map(([name, html, url]) => {
      const started = performance.now();
      // (NOSCRIPT_INSIDE in handoff.mjs: a <noscript>'s inside goes before parsing.)
      const text = html.replace(${NOSCRIPT_INSIDE}, '$1$2');
      const copy = new DOMParser().parseFromString(text, 'text/html');
      const parsed = performance.now();
      const judged = window.__unsponsorCore.judgeDocument(copy, url, {}).length;
      return { name, judged, parse_ms: parsed - started, judge_ms: performance.now() - parsed };
    })`));
  }
  console.log(`${rows.length} pages of ${corpus}: parse median ${median(rows.map((row) => row.parse_ms)).toFixed(1)} ms, judge median ${median(rows.map((row) => row.judge_ms)).toFixed(1)} ms (Firefox rounds its timers to 1 ms)`);
  if (removedByTab) {
    const differ = rows.filter((row) => removedByTab.get(row.name) !== row.judged);
    console.log(`the same count of blocks as the tab's core in ${evalFile}: ${rows.length - differ.length} pages; differ: ${differ.length}${differ.length ? ` (${differ.map((row) => `${row.name} ${removedByTab.get(row.name)}/${row.judged}`).join(', ')})` : ''}`);
  } else {
    console.log(`(no ${evalFile}: run npm run eval -- --corpus DIR --out ${evalFile} to compare the counts)`);
  }
} finally {
  await driver.close();
}
