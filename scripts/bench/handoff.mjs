// `node scripts/bench/handoff.mjs [--corpus DIR] [--pages N] [--only CASE,CASE] [--out FILE.json]`
//
// A measurement for issue 17's design, not a part of `npm run bench`: what would the reader's
// tab pay on a first click if the Rust core did not run in the tab at all, but in the
// extension's background, where the module and the rules would be loaded once per browser
// session instead of once per tab?
//
// Today every first click pays, on the tab's main thread, for making the content script's world,
// importing the glue, compiling and instantiating the core, its warm-up, fetching and loading
// the rules, and then the clean (docs/PERFORMANCE.md, "the first click step by step"). In a
// hand-off design the tab would only read the page (src/dom/read.js, the same reader the core
// uses today), hand the snapshot to the background as the injected call's answer, and later
// apply the background's decisions. This script measures the tab's side of that floor, on every
// corpus page, each variant in a fresh tab, beside Readability's parse() in the same tab and
// beside today's real first click (the product's code path, as the bench runs it):
//
//   product   the extension's first click as shipped (background.js runInTab 'clean')
//   inject    a small content script injected and one call into it that does nothing: the fixed
//             cost of any design
//   read      and the whole page read by read.js (kept in the tab, nothing sent)
//   handoff   read, the snapshot returned to the service worker as text, then a second call
//             that hides three elements of the snapshot (the decisions coming back), with the
//             rendering the browser does before that call answers
//   html      as handoff, but with a small script instead of the reader (handoff-page.js), and
//             the browser's own serialisation of the page (`outerHTML`) as the snapshot, for a background that parses it into a document of its own and
//             runs the core there; the decisions come back as element indices in document order
//   offscreen html, judged for real: the core runs in a Chrome offscreen document (extension/
//             has none: this script adds one, handoff-offscreen.html and .js, and the
//             `offscreen` permission, to its copy of the built extension). It parses the page's
//             text into an inert copy (DOMParser: nothing loads, nothing runs), judges it as the
//             page at its address (core.judgeDocument), and answers the indices of the elements
//             a clean would take out; the tab hides those. The module and the rules load once,
//             when the offscreen document is made (the first page pays that in wall time,
//             reported apart as `cold`).
//
// For `product` and `offscreen` the script also records which elements went (indices in
// document order of the page's elements, outermost only), and counts the pages where the two
// agree exactly: the judge in the background must decide what the tab's core decides. The
// offscreen core keeps EasyList's site rules for every host (loadRulesForEveryHost), and each
// page is judged with its own.
//
// Since the product judges pages outside their tabs (extension/judge.js, issue 17), `product`
// is that design as shipped, with its own offscreen document (offscreen.html), and `offscreen`
// is the prototype kept for comparison. Chrome allows one offscreen document per extension, so
// each of the two closes the other's before it runs (ownOffscreenDocument).
//
// Like the bench, it prints medians of the tab's main-thread time (CDP Performance.getMetrics),
// of the per-page ratio to Readability's parse() and, for `product` and `offscreen`, of the
// wall time from the service worker's first call to the last answer; --out writes every row.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { launchBrowser, prepareExtension, withTimeout } from '../eval/browser.mjs';
import { listCases } from '../eval/corpus.mjs';
import { startBenchServer } from './pages.mjs';
import { threadSpent, threadTotals, timedRunInTab } from './measure.mjs';
import { percentile } from './summary.mjs';
import { NOSCRIPT_INSIDE } from '../../extension/judge.js';

const median = (values) => percentile(values.filter(Number.isFinite), 0.5);

/**
 * What of a page's text goes before a background parses it: the inside of each <noscript>
 * (the product's judge, extension/judge.js, says why). Written into the prototype's judging
 * code as its source; handoff-firefox.mjs uses it too.
 */
export { NOSCRIPT_INSIDE };
const figure = (value, digits) => (typeof value === 'number' ? value.toFixed(digits) : '–');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT_MS = 30_000;
const VARIANTS = ['product', 'inject', 'read', 'handoff', 'html', 'offscreen'];

function parseArguments(argv) {
  const options = { corpus: path.join(root, '..', 'shared', 'corpus', 'dev'), pages: Infinity, out: null, only: null };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--corpus') options.corpus = path.resolve(value);
    else if (argv[i] === '--pages') options.pages = Number(value);
    else if (argv[i] === '--out') options.out = path.resolve(value);
    else if (argv[i] === '--only') options.only = value.split(',');
    else throw new Error(`unknown argument ${argv[i]} (see the header of scripts/bench/handoff.mjs)`);
    i++;
  }
  return options;
}

/**
 * The page reader as a classic content script: read.js without its exports, and one function,
 * `__unsponsorHandoff(variant)`, that reads the page whole (as the core's first slice does, with
 * the core's attribute lists) and answers what the variant hands back.
 */
function readerScript() {
  const reader = fs.readFileSync(path.join(root, 'src', 'dom', 'read.js'), 'utf8').replace(/^export /gm, '');
  return `(() => {
${reader}
const lists = JSON.parse(${JSON.stringify(JSON.stringify(readerLists()))});
const relevant = new Set(lists.relevant);
const opaque = new Set(lists.opaque);
globalThis.__unsponsorHandoff = (variant, hide) => {
  if (variant === 'apply') {
    for (const index of hide) globalThis.__unsponsorNodes[index]?.style?.setProperty('display', 'none', 'important');
    return { hidden: hide.length };
  }
  const { data, nodes } = readSlice(newWalk(document.documentElement), 1e9, relevant, lists.prefixes, opaque);
  globalThis.__unsponsorNodes = nodes;
  const answer = { nodes: nodes.length, bytes: data.length };
  if (variant === 'handoff') {
    answer.snapshot = new TextDecoder().decode(data);
    // Three elements in the body to hide, standing in for the background's decisions.
    answer.hide = nodes.map((node, index) => [node, index])
      .filter(([node]) => node.nodeType === 1 && node !== document.body && document.body?.contains(node))
      .slice(-3).map(([, index]) => index);
  }
  return answer;
};
})();
`;
}

// The offscreen document. The copies it judges are inert (DOMParser documents load and run
// nothing); its CSP, which lets it run the core and read the extension's files and nothing
// else, is a second guard.
const OFFSCREEN_HTML = `<!doctype html><html><head><meta http-equiv="Content-Security-Policy"
  content="default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'">
<script type="module" src="handoff-offscreen.js"></script></head><body></body></html>
`;

// The judge: the core and the rules, loaded once; each page's text parsed into an inert copy
// and judged as the page at its address (core.judgeDocument), the elements named answered as
// indices in document order of the copy's elements.
const OFFSCREEN_JS = `import init, * as core from './pkg/unsponsor.js';
const started = performance.now();
const ready = (async () => {
  await init({ module_or_path: fetch(chrome.runtime.getURL('pkg/unsponsor_bg.wasm')) });
  core.warmUp();
  const bytes = await (await fetch(chrome.runtime.getURL('rules/easylist.rules'))).arrayBuffer();
  // Every host's site rules: the pages judged here come from every site.
  core.loadRulesForEveryHost(new Uint8Array(bytes));
  return performance.now() - started;
})();
let judged = 0;
chrome.runtime.onMessage.addListener((message, _sender, reply) => {
  if (!message || message.type !== 'unsponsor-handoff-judge') return false;
  (async () => {
    const readyMs = await ready;
    const parseStarted = performance.now();
    // (NOSCRIPT_INSIDE: a <noscript>'s inside goes before parsing.)
    const text = message.html.replace(${NOSCRIPT_INSIDE}, '$1$2');
    const copy = new DOMParser().parseFromString(text, 'text/html');
    const indices = new Map([...copy.querySelectorAll('*')].map((element, index) => [element, index]));
    const judgeStarted = performance.now();
    const decisions = core.judgeDocument(copy, message.url, {});
    const judgeEnded = performance.now();
    const removed = decisions.map((decision) => indices.get(decision.element)).sort((a, b) => a - b);
    reply({ removed, total: decisions.length, cold: judged++ === 0, ready_ms: readyMs,
      parse_ms: judgeStarted - parseStarted, clean_ms: judgeEnded - judgeStarted });
  })().catch((error) => reply({ error: String((error && error.message) || error) }));
  return true;
});
`;

/** Adds the offscreen judge and the reader to a copy of the built extension. */
function addHandoffFiles(extension) {
  fs.writeFileSync(path.join(extension, 'handoff-reader.js'), readerScript());
  fs.writeFileSync(path.join(extension, 'handoff-page.js'), PAGE_SCRIPT);
  fs.writeFileSync(path.join(extension, 'handoff-offscreen.html'), OFFSCREEN_HTML);
  fs.writeFileSync(path.join(extension, 'handoff-offscreen.js'), OFFSCREEN_JS);
  const manifestPath = path.join(extension, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  const permissions = manifest.permissions || [];
  manifest.permissions = permissions.includes('offscreen') ? permissions : [...permissions, 'offscreen'];
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
}

/**
 * In the service worker: closes the offscreen document unless it is `keep` (the product's
 * offscreen.html, or this script's handoff-offscreen.html): one document per extension.
 */
function ownOffscreenDocument(worker, keep) {
  return worker.evaluate(async (file) => {
    const [open] = await chrome.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
    if (open && !open.documentUrl.endsWith(`/${file}`)) await chrome.offscreen.closeDocument();
  }, keep);
}

/** In the service worker: the offscreen round trip for the tab of `url`, timed. */
function judgeInBackground(worker, url) {
  return worker.evaluate(async (pageUrl) => {
    const tab = (await chrome.tabs.query({})).find((candidate) => candidate.url === pageUrl);
    const started = performance.now();
    if (!(await chrome.offscreen.hasDocument())) {
      await chrome.offscreen.createDocument({
        url: 'handoff-offscreen.html', reasons: ['DOM_PARSER'], justification: 'judge a copy of the page',
      });
    }
    await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ['handoff-page.js'] });
    const [page] = await chrome.scripting.executeScript({ target: { tabId: tab.id }, args: ['page', []], func: (name, hide) => globalThis.__unsponsorHandoffPage(name, hide) });
    const read = performance.now();
    const judged = await chrome.runtime.sendMessage({ type: 'unsponsor-handoff-judge', html: page.result, url: pageUrl });
    if (!judged || judged.error) throw new Error(`offscreen judge: ${judged ? judged.error : 'no answer'}`);
    const answered = performance.now();
    await chrome.scripting.executeScript({ target: { tabId: tab.id }, args: ['apply-html', judged.removed], func: (name, hide) => globalThis.__unsponsorHandoffPage(name, hide) });
    const ended = performance.now();
    return { ...judged, wall_ms: ended - started, read_wall_ms: read - started, judge_wall_ms: answered - read, apply_wall_ms: ended - answered, html_bytes: page.result.length };
  }, url);
}

/** In the page: its elements in document order, kept to see later which ones a clean took out. */
function indexElementsInPage() {
  const elements = [...document.querySelectorAll('*')];
  window.__unsponsorHandoffElements = elements;
  // Some pages hide elements themselves with the same inline style the cleaner sets.
  window.__unsponsorHandoffHiddenBefore = elements.map((element) => element.style.getPropertyPriority('display') === 'important'
    && element.style.getPropertyValue('display') === 'none');
}

/** In the page: the outermost elements indexed before that a clean took out or hid. */
function removedElementsInPage() {
  const removed = [];
  window.__unsponsorHandoffElements.forEach((element, index) => {
    const detached = !element.isConnected && element.parentNode === null;
    const hidden = element.isConnected && !window.__unsponsorHandoffHiddenBefore[index]
      && element.style.getPropertyPriority('display') === 'important'
      && element.style.getPropertyValue('display') === 'none';
    if (detached || hidden) removed.push(index);
  });
  return removed;
}

// What the tab runs in the html and offscreen variants, alone (no page reader): the page's text
// as the browser serialises it, and the decisions applied as indices in document order of its
// elements (the background indexes its parsed copy the same way).
const PAGE_SCRIPT = `globalThis.__unsponsorHandoffPage = (variant, hide) => {
  if (variant === 'page') return document.documentElement.outerHTML;
  const elements = document.querySelectorAll('*');
  // (A negative index counts from the end: the html variant's stand-in decisions.)
  for (const index of hide) elements[index < 0 ? elements.length + index : index]?.style.setProperty('display', 'none', 'important');
  return hide.length;
};
`;

/**
 * The attribute names and prefixes the core asks read.js for, and the tags whose insides it does
 * not read: from src/core/vocabulary.rs, so the reader here reads what the core's reader reads.
 */
export function readerLists() {
  const source = fs.readFileSync(path.join(root, 'src', 'core', 'vocabulary.rs'), 'utf8');
  const strings = (text) => [...text.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
  const opaque = strings(/pub const OPAQUE_TAGS: &\[&str\] = &\[([^\]]*)\]/.exec(source)[1]);
  const relevant = strings(/let mut exact = vec!\[([^\]]*)\]/.exec(source)[1]);
  relevant.push('data-unsponsor-ui');
  for (const name of ['GPT_ATTRIBUTES', 'ADSENSE_ATTRIBUTES']) {
    const list = new RegExp(`pub const ${name}: &\\[&str\\] = &\\[([^\\]]*)\\]`).exec(source);
    if (list) relevant.push(...strings(list[1]));
  }
  const prefixes = [...source.matchAll(/attribute_prefixes: &\[([^\]]*)\]/g)].flatMap((match) => strings(match[1]));
  return { relevant, prefixes, opaque };
}

/**
 * Calls the reader's `__unsponsorHandoff` in the tab of `url` (the page script's
 * `__unsponsorHandoffPage` for `html` and `apply-html`), injecting it first when `inject`.
 */
function callInTab(worker, url, variant, { inject = false, hide = [] } = {}) {
  return worker.evaluate(async ({ url, variant, inject, hide }) => {
    const tab = (await chrome.tabs.query({})).find((candidate) => candidate.url === url);
    const pageScript = variant === 'inject' || variant === 'html' || variant === 'apply-html';
    if (inject) await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: [pageScript ? 'handoff-page.js' : 'handoff-reader.js'] });
    const started = performance.now();
    const [injection] = await chrome.scripting.executeScript({
      target: { tabId: tab.id },
      args: [variant === 'html' ? 'page' : variant, hide],
      func: pageScript ? (name, indices) => globalThis.__unsponsorHandoffPage(name, indices) : (name, indices) => globalThis.__unsponsorHandoff(name, indices),
    });
    if (variant === 'html') {
      // The last three elements stand in for the background's decisions.
      return { answer: { nodes: null, bytes: injection.result.length, hide: [-3, -2, -1] }, wallMs: performance.now() - started };
    }
    return { answer: injection.result, wallMs: performance.now() - started };
  }, { url, variant, inject, hide });
}

async function measure(browser, server, name, variant, readability) {
  const page = await browser.context.newPage();
  const row = { case: name, variant, error: null };
  try {
    await page.goto(server.urlOf(name), { waitUntil: 'load', timeout: TIMEOUT_MS });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 50)))));
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.evaluate(`${readability}\nwindow.__UnsponsorHandoffReadability = Readability;`);
    row.readability_ms = await page.evaluate(() => {
      const clone = document.cloneNode(true);
      const started = performance.now();
      new window.__UnsponsorHandoffReadability(clone).parse();
      return performance.now() - started;
    });
    if (variant === 'product') await page.evaluate(indexElementsInPage);
    if (variant === 'product') await ownOffscreenDocument(browser.worker, 'offscreen.html');
    if (variant === 'offscreen') await ownOffscreenDocument(browser.worker, 'handoff-offscreen.html');
    const before = await threadTotals(cdp);
    if (variant === 'product') {
      const { result, wallMs } = await withTimeout(timedRunInTab(browser.worker, 'clean', page.url()), TIMEOUT_MS, 'clean');
      if (!result || !result.ok) throw new Error(`clean failed: ${result ? result.error : 'no answer'}`);
      row.total = result.report.total;
      row.wall_ms = wallMs;
    } else if (variant === 'offscreen') {
      Object.assign(row, await withTimeout(judgeInBackground(browser.worker, page.url()), TIMEOUT_MS, 'offscreen'));
    } else {
      const first = await withTimeout(callInTab(browser.worker, page.url(), variant, { inject: true }), TIMEOUT_MS, variant);
      row.nodes = first.answer?.nodes ?? null;
      row.snapshot_bytes = first.answer?.bytes ?? null;
      if (variant === 'handoff' || variant === 'html') {
        const apply = variant === 'html' ? 'apply-html' : 'apply';
        const second = await withTimeout(callInTab(browser.worker, page.url(), apply, { hide: first.answer.hide }), TIMEOUT_MS, apply);
        row.hidden = second.answer.hidden;
      }
    }
    row.main_thread_ms = threadSpent(before, await threadTotals(cdp)).main_thread_ms;
    if (variant === 'product') {
      // After the frames the clean hid are detached (src/dom/removal.js), in tasks of their own.
      await new Promise((resolve) => setTimeout(resolve, 300));
      row.removed = await page.evaluate(removedElementsInPage);
    }
    row.ratio = row.readability_ms > 0 ? row.main_thread_ms / row.readability_ms : null;
    await cdp.detach().catch(() => {});
  } catch (error) {
    row.error = String((error && error.message) || error).split('\n')[0];
  } finally {
    await page.close().catch(() => {});
  }
  return row;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const cases = listCases(options.corpus).filter((name) => !options.only || options.only.includes(name));
  const step = Number.isFinite(options.pages) ? Math.max(1, Math.floor(cases.length / options.pages)) : 1;
  const picked = cases.filter((_, index) => index % step === 0).slice(0, options.pages);
  const extension = prepareExtension();
  addHandoffFiles(extension);
  const readability = fs.readFileSync(path.join(root, 'node_modules', '@mozilla', 'readability', 'Readability.js'), 'utf8');
  const server = await startBenchServer(options.corpus);
  const browser = await launchBrowser(extension, server.origin);
  const rows = [];
  try {
    for (const [index, name] of picked.entries()) {
      // The variants take turns in a different order on each page, so a busy spell of the
      // machine does not fall on one of them.
      const order = VARIANTS.map((_, k) => VARIANTS[(k + index) % VARIANTS.length]);
      for (const variant of order) rows.push(await measure(browser, server, name, variant, readability));
    }
  } finally {
    await browser.close();
    await server.close();
    fs.rmSync(extension, { recursive: true, force: true });
  }
  console.log(`${picked.length} pages of ${options.corpus}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}`);
  console.log('variant   pages  tab main thread ms (median)  / Readability parse (median of per-page ratios)  Readability ms');
  const summary = {};
  for (const variant of VARIANTS) {
    const ok = rows.filter((row) => row.variant === variant && !row.error);
    summary[variant] = {
      pages: ok.length,
      errors: rows.filter((row) => row.variant === variant && row.error).length,
      main_thread_ms: median(ok.map((row) => row.main_thread_ms)),
      ratio: median(ok.map((row) => row.ratio)),
      readability_ms: median(ok.map((row) => row.readability_ms)),
    };
    const s = summary[variant];
    console.log(`${variant.padEnd(9)} ${String(s.pages).padStart(5)}  ${figure(s.main_thread_ms, 2).padStart(27)}  ${figure(s.ratio, 3).padStart(48)}  ${figure(s.readability_ms, 2).padStart(14)}`);
  }
  for (const variant of ['product', 'offscreen']) {
    const ok = rows.filter((row) => row.variant === variant && !row.error && !row.cold);
    summary[variant].wall_ms = median(ok.map((row) => row.wall_ms));
    console.log(`${variant}: wall time from the first call to the last answer, median ${figure(summary[variant].wall_ms, 1)} ms`);
  }
  const cold = rows.find((row) => row.variant === 'offscreen' && row.cold);
  if (cold) console.log(`offscreen, first page (the document made, the core and rules loaded): wall ${figure(cold.wall_ms, 1)} ms, of which ready ${figure(cold.ready_ms, 1)} ms`);
  const offscreen = rows.filter((row) => row.variant === 'offscreen' && !row.error);
  console.log(`offscreen judge: parse median ${figure(median(offscreen.map((row) => row.parse_ms)), 2)} ms, clean ${figure(median(offscreen.map((row) => row.clean_ms)), 2)} ms, page text ${median(offscreen.map((row) => row.html_bytes))} chars`);
  const disagree = [];
  let agree = 0;
  for (const name of picked) {
    const mine = rows.find((row) => row.case === name && row.variant === 'product' && !row.error);
    const theirs = rows.find((row) => row.case === name && row.variant === 'offscreen' && !row.error);
    if (!mine || !theirs) continue;
    if (JSON.stringify(mine.removed) === JSON.stringify(theirs.removed)) agree++;
    else disagree.push(`${name} (${mine.removed.length} / ${theirs.removed.length})`);
  }
  summary.same_removals = { agree, disagree };
  console.log(`the same elements removed by the tab's core and the offscreen one: ${agree} pages; differ: ${disagree.length}${disagree.length ? ` (${disagree.join(', ')})` : ''}`);
  const errors = rows.filter((row) => row.error);
  for (const row of errors.slice(0, 5)) console.log(`error: ${row.case} ${row.variant}: ${row.error}`);
  if (options.out) fs.writeFileSync(options.out, `${JSON.stringify({ summary, rows }, null, 1)}\n`);
  if (errors.length === rows.length) process.exitCode = 1;
}

function isMain() {
  try {
    return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) await main();
