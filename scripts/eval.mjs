// `npm run eval -- --corpus DIR [--out FILE.json] [--only CASE] [--inject]`
//
// Measures the cleaner on a folder of saved pages with ground truth (laid out like
// ../shared/corpus/dev: <case>/source.html + truth.json), in headless Chromium, through the same
// code path a user's click takes (background.js → content.js → the Rust core), with Mozilla
// Readability run on a clone of the same page in the same run as the reference.
//
// Figures (every share is taken over what was visible BEFORE cleaning; see
// scripts/lib/visible-text.mjs for the definition of visible text):
//   keep_recall        keep snippets still visible after cleaning
//   sponsored_removal  remove_sponsored snippets no longer visible (of the categories a clean
//                      removes by default; sponsored_by_category splits them, see
//                      scripts/eval/categories.mjs)
//   missed             (per page) the sponsored snippets still visible after cleaning
//   widget_removal     widget_selectors elements rendered before, gone or not rendered after
//   injected_removal   (--inject) late widgets gone within 250 ms of insertion
//   clean_ms           the clean call itself (Rust-measured); module start-up is startup_ms
// Readability: keep_recall and sponsored_removal of its article text, and parse_ms.
//
// Exits non-zero only when the harness fails (no corpus, no browser), never on poor figures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, prepareExtension, runInTabFromWorker, withTimeout } from './eval/browser.mjs';
import { readTruth, selectCases, startCorpusServer } from './eval/corpus.mjs';
import { DEFAULT_CATEGORIES, removalByCategory, sponsoredSnippets, sumByCategory } from './eval/categories.mjs';
import { injectLateWidgetsInPage } from './eval/injectors.mjs';
import { normalizeText, visibleTextInPage } from './lib/visible-text.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** A fresh browser every this many pages keeps memory flat over long runs. */
const PAGES_PER_BROWSER = 150;
const PAGE_TIMEOUT_MS = 30_000;
const INJECT_DELAYS_MS = [0, 40, 120, 250, 400];
const INJECT_CHECK_AFTER_MS = 250;

function parseArguments(argv) {
  const options = { corpus: null, out: null, only: null, inject: false };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value = () => {
      if (index + 1 >= argv.length) throw new Error(`${argument} needs a value`);
      return argv[++index];
    };
    if (argument === '--corpus') options.corpus = value();
    else if (argument === '--out') options.out = value();
    else if (argument === '--only') options.only = value();
    else if (argument === '--inject') options.inject = true;
    else if (argument === '--help' || argument === '-h') options.help = true;
    else throw new Error(`unknown argument ${argument}`);
  }
  return options;
}

const USAGE = 'usage: npm run eval -- --corpus DIR [--out FILE.json] [--only CASE] [--inject]';

// ---- in-page helpers (run by page.evaluate; self-contained) ----

function markRenderedWidgetsInPage(selectorsByFamily) {
  const found = new Set();
  for (const selectors of Object.values(selectorsByFamily)) {
    for (const selector of selectors) {
      let elements = [];
      try { elements = document.querySelectorAll(selector); } catch { continue; }
      for (const element of elements) if (element.checkVisibility()) found.add(element);
    }
  }
  window.__unsponsorEvalWidgets = [...found];
  return found.size;
}

function countRemovedWidgetsInPage() {
  return (window.__unsponsorEvalWidgets || []).filter((element) => !element.isConnected || !element.checkVisibility()).length;
}

function runReadabilityInPage() {
  const started = performance.now();
  const article = new window.__UnsponsorEvalReadability(document.cloneNode(true)).parse();
  const parseMs = performance.now() - started;
  const text = article && article.textContent ? article.textContent : '';
  return { parseMs, text: text.normalize('NFC').replace(/[\u200B\u200C\u200D\u00AD\uFEFF\u2060]/g, '').replace(/\s+/gu, '') };
}

// ---- one page ----

function share(hit, total) {
  return total === 0 ? null : hit / total;
}

async function evaluateCase(browser, server, corpus, name, { inject, readabilitySource }) {
  const truth = readTruth(corpus, name);
  const keep = truth.keep.map(normalizeText).filter(Boolean);
  const snippets = sponsoredSnippets(truth, normalizeText);
  // The headline figures count what a clean removes by default (ads and promos); every category
  // is reported apart in sponsored_by_category.
  const sponsored = snippets.filter(({ category }) => DEFAULT_CATEGORIES.has(category)).map(({ snippet }) => snippet);
  const page = await browser.context.newPage();
  const result = { case: name, error: null };
  try {
    const url = server.urlOf(name);
    await page.goto(url, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    const textBefore = await page.evaluate(visibleTextInPage);
    const keepVisible = keep.filter((snippet) => textBefore.includes(snippet));
    const sponsoredVisible = sponsored.filter((snippet) => textBefore.includes(snippet));
    const widgetsBefore = await page.evaluate(markRenderedWidgetsInPage, truth.widgetSelectors);

    await page.evaluate(`${readabilitySource}\nwindow.__UnsponsorEvalReadability = Readability;`);
    const readability = await withTimeout(page.evaluate(runReadabilityInPage), PAGE_TIMEOUT_MS, 'Readability');

    const cleaned = await withTimeout(runInTabFromWorker(browser.worker, 'clean', page.url()), PAGE_TIMEOUT_MS, 'clean');
    if (!cleaned || !cleaned.ok) throw new Error(`clean failed: ${cleaned ? cleaned.error : 'no answer'}`);

    const textAfter = await page.evaluate(visibleTextInPage);
    const widgetsRemoved = await page.evaluate(countRemovedWidgetsInPage);
    const report = cleaned.report;
    Object.assign(result, {
      keep_total: keep.length,
      keep_hidden_before: keep.length - keepVisible.length,
      keep_visible_before: keepVisible.length,
      keep_kept: keepVisible.filter((snippet) => textAfter.includes(snippet)).length,
      sponsored_visible_before: sponsoredVisible.length,
      sponsored_removed: sponsoredVisible.filter((snippet) => !textAfter.includes(snippet)).length,
      widgets_before: widgetsBefore,
      widgets_removed: widgetsRemoved,
      clean_ms: report.clean_ms,
      startup_ms: cleaned.startupMs,
      engine: cleaned.engine,
      rules_loaded: cleaned.rules,
      timings: report.timings,
      removed: report.removed.map((removal) => ({ rule: removal.rule, category: removal.category, preview: removal.preview })),
      kept_by_guard: report.kept.length,
      readability: {
        parse_ms: readability.parseMs,
        keep_kept: keepVisible.filter((snippet) => readability.text.includes(snippet)).length,
        sponsored_removed: sponsoredVisible.filter((snippet) => !readability.text.includes(snippet)).length,
      },
    });
    result.lost = keepVisible.filter((snippet) => !textAfter.includes(snippet)).slice(0, 5);
    result.missed = sponsoredVisible.filter((snippet) => textAfter.includes(snippet));
    result.sponsored_by_category = removalByCategory(snippets, textBefore, textAfter);
    result.keep_recall = share(result.keep_kept, result.keep_visible_before);
    result.sponsored_removal = share(result.sponsored_removed, result.sponsored_visible_before);
    if (inject) {
      const injected = await withTimeout(page.evaluate(injectLateWidgetsInPage, { delaysMs: INJECT_DELAYS_MS, checkAfterMs: INJECT_CHECK_AFTER_MS }), PAGE_TIMEOUT_MS, 'inject');
      result.injected = injected.length;
      result.injected_removed = injected.filter((widget) => widget.gone).length;
      result.injected_missed = injected.filter((widget) => !widget.gone).map((widget) => `${widget.name}@${widget.position}`);
    }
  } catch (error) {
    result.error = String((error && error.message) || error).split('\n')[0];
  } finally {
    await page.close().catch(() => {});
  }
  return result;
}

// ---- summary ----

function percentile(values, fraction) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function sum(pages, key) {
  return pages.reduce((total, page) => total + (page[key] || 0), 0);
}

function summarise(pages, inject) {
  const ok = pages.filter((page) => !page.error);
  const readabilitySum = (key) => ok.reduce((total, page) => total + page.readability[key], 0);
  return {
    pages: pages.length,
    errors: pages.length - ok.length,
    keep_recall: share(sum(ok, 'keep_kept'), sum(ok, 'keep_visible_before')),
    keep_snippets_hidden_before: sum(ok, 'keep_hidden_before'),
    pages_keep_below_95: ok.filter((page) => page.keep_recall !== null && page.keep_recall < 0.95).length,
    sponsored_removal: share(sum(ok, 'sponsored_removed'), sum(ok, 'sponsored_visible_before')),
    sponsored_by_category: sumByCategory(ok),
    widget_removal: share(sum(ok, 'widgets_removed'), sum(ok, 'widgets_before')),
    injected_removal: inject ? share(sum(ok, 'injected_removed'), sum(ok, 'injected')) : null,
    clean_ms_median: percentile(ok.map((page) => page.clean_ms), 0.5),
    clean_ms_p95: percentile(ok.map((page) => page.clean_ms), 0.95),
    startup_ms_median: percentile(ok.map((page) => page.startup_ms), 0.5),
    readability: {
      keep_recall: share(readabilitySum('keep_kept'), sum(ok, 'keep_visible_before')),
      sponsored_removal: share(readabilitySum('sponsored_removed'), sum(ok, 'sponsored_visible_before')),
      parse_ms_median: percentile(ok.map((page) => page.readability.parse_ms), 0.5),
    },
  };
}

const fixed = (value, digits = 3) => (value === null || value === undefined ? '-' : Number(value).toFixed(digits));

function printRow(page) {
  if (page.error) {
    console.log(`${page.case.padEnd(44)} ERROR ${page.error}`);
    return;
  }
  const cells = [
    page.case.padEnd(44),
    `${page.keep_kept}/${page.keep_visible_before}`.padStart(9),
    `${page.sponsored_removed}/${page.sponsored_visible_before}`.padStart(7),
    `${page.widgets_removed}/${page.widgets_before}`.padStart(6),
    String(page.removed.length).padStart(4),
    fixed(page.clean_ms, 1).padStart(7),
    fixed(page.readability.parse_ms, 1).padStart(8),
    page.injected === undefined ? '' : `${page.injected_removed}/${page.injected}`.padStart(6),
  ];
  console.log(cells.join(' ') + (page.lost.length ? `  lost: ${page.lost[0].slice(0, 60)}` : ''));
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const cases = selectCases(options.corpus, options.only);
  const readabilitySource = fs.readFileSync(path.join(root, 'node_modules', '@mozilla', 'readability', 'Readability.js'), 'utf8');
  const server = await startCorpusServer(options.corpus);
  const extensionDir = prepareExtension();
  const started = Date.now();
  const pages = [];
  console.log(`${'case'.padEnd(44)} ${'keep'.padStart(9)} ${'spons'.padStart(7)} ${'widg'.padStart(6)} ${'rm'.padStart(4)} ${'ms'.padStart(7)} ${'read ms'.padStart(8)}${options.inject ? '  late' : ''}`);
  let browser = null;
  try {
    for (const [index, name] of cases.entries()) {
      if (index % PAGES_PER_BROWSER === 0) {
        await browser?.close();
        browser = await launchBrowser(extensionDir, server.origin);
      }
      const page = await evaluateCase(browser, server, options.corpus, name, { inject: options.inject, readabilitySource });
      if (page.error && /Target (page|crashed|closed)|browser has been closed/i.test(page.error)) {
        // A crashed browser must not take the rest of the run with it.
        await browser.close();
        browser = await launchBrowser(extensionDir, server.origin);
      }
      pages.push(page);
      printRow(page);
    }
  } finally {
    await browser?.close();
    await server.close();
    fs.rmSync(extensionDir, { recursive: true, force: true });
  }
  const summary = summarise(pages, options.inject);
  console.log(`\n${summary.pages} pages, ${summary.errors} errors, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(`Unsponsor:    keep_recall ${fixed(summary.keep_recall, 4)} (pages below 0.95: ${summary.pages_keep_below_95}; ${summary.keep_snippets_hidden_before} keep snippets hidden before cleaning, not counted)`);
  console.log(`              sponsored_removal ${fixed(summary.sponsored_removal, 4)}  widget_removal ${fixed(summary.widget_removal, 4)}${options.inject ? `  injected_removal ${fixed(summary.injected_removal, 4)}` : ''}`);
  const byCategory = Object.entries(summary.sponsored_by_category)
    .map(([category, { removed, visible, share: part }]) => `${category}${DEFAULT_CATEGORIES.has(category) ? '' : ' (off by default)'} ${fixed(part, 4)} (${removed}/${visible})`);
  console.log(`              sponsored text removed by category: ${byCategory.join(', ') || '-'}`);
  console.log(`              clean_ms median ${fixed(summary.clean_ms_median, 2)} p95 ${fixed(summary.clean_ms_p95, 2)}  (module start-up median ${fixed(summary.startup_ms_median, 1)} ms)`);
  console.log(`Readability:  keep_recall ${fixed(summary.readability.keep_recall, 4)}  sponsored_removal ${fixed(summary.readability.sponsored_removal, 4)}  parse_ms median ${fixed(summary.readability.parse_ms_median, 2)}`);
  for (const page of pages.filter((p) => p.error)) console.log(`error: ${page.case}: ${page.error}`);
  if (options.out) {
    fs.writeFileSync(options.out, `${JSON.stringify({ summary, pages }, null, 1)}\n`);
    console.log(`wrote ${options.out}`);
  }
  return 0;
}

main().then((code) => process.exit(code), (error) => {
  console.error(`eval: ${error.message}\n${USAGE}`);
  process.exit(2);
});
