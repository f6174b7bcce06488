// `node scripts/check-undo.mjs --corpus DIR [--only CASE] [--jobs N] [--verbose] [--out FILE.json]`
//
// Undo must put a page back EXACTLY as it was. For every case of a corpus laid out like
// ../shared/corpus/dev (<case>/source.html + truth.json), in headless Chromium with the built
// extension (dist/chrome), through the same code path as `npm run eval` (scripts/eval.mjs):
//   1. load the page as the evaluation serves it (page scripts and frame srcdoc documents
//      stripped, see scripts/eval/corpus.mjs; from 127.0.0.1, every request to another origin
//      refused) and wait for its load event;
//   2. record document.documentElement.outerHTML;
//   3. clean it with the background's runInTab(tabId, 'clean', url), then undo it with
//      runInTab(tabId, 'undo', url);
//   4. record outerHTML again and compare the two strings exactly.
//
// Output: one line per page that did not come back exactly (its removed count and where the two
// snapshots first differ) or that failed, then `N pages, M undo mismatches, E errors`. A page
// that did not come back is loaded once more and left alone for a while without the extension: if
// it changes by itself, the difference is not Undo's, and the page counts as an error ("page
// not static"), not as a mismatch. With
// --verbose every page gets a line (removed and restored counts, "equal"). --out writes the
// per-page results as JSON. Pages run --jobs at a time (tabs of one browser; default: twice the
// CPU count).
//
// Environment: CHROMIUM (default /usr/bin/chromium), UNSPONSOR_DIST (default <repo>/dist; its
// chrome/ build is checked, and built first when the default one is missing).
//
// This is a test: exit 0 when every page came back exactly, 1 on any mismatch or error, 2 when
// the harness itself cannot run (no corpus, no browser, no build).
//
import { launchBrowser, prepareExtension, runInTabFromWorker, withTimeout } from './eval/browser.mjs';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectCases, startCorpusServer } from './eval/corpus.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PAGE_TIMEOUT_MS = 30_000;
/** Characters of context shown on each side of the first difference. */
const CONTEXT_CHARS = 120;
const USAGE = 'usage: node scripts/check-undo.mjs --corpus DIR [--only CASE] [--jobs N] [--verbose] [--out FILE.json]';

function parseArguments(argv) {
  const options = { corpus: null, only: null, jobs: Math.max(2, 2 * (os.availableParallelism?.() ?? os.cpus().length)), verbose: false, out: null };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value = () => {
      if (index + 1 >= argv.length) throw new Error(`${argument} needs a value`);
      return argv[++index];
    };
    if (argument === '--corpus') options.corpus = value();
    else if (argument === '--only') options.only = value();
    else if (argument === '--jobs') options.jobs = Number(value());
    else if (argument === '--out') options.out = value();
    else if (argument === '--verbose' || argument === '-v') options.verbose = true;
    else if (argument === '--help' || argument === '-h') options.help = true;
    else throw new Error(`unknown argument ${argument}`);
  }
  if (!Number.isInteger(options.jobs) || options.jobs < 1) throw new Error('--jobs needs a positive integer');
  return options;
}

// ---- one page ----

/** Where two snapshots first differ, with context, or null when they are equal. */
function firstDifference(before, after, context = CONTEXT_CHARS) {
  if (before === after) return null;
  let index = 0;
  while (index < before.length && index < after.length && before[index] === after[index]) index += 1;
  const around = (text) => JSON.stringify(text.slice(Math.max(0, index - context), index + context));
  return { offset: index, lengthBefore: before.length, lengthAfter: after.length, before: around(before), after: around(after) };
}

const CRASH = /Target (page|crashed|closed)|browser has been closed/i;

async function checkCase(browser, server, name) {
  const result = { case: name, removed: null, restored: null, equal: null, difference: null, error: null };
  const page = await browser.context.newPage();
  const started = Date.now();
  try {
    const url = server.urlOf(name);
    await page.goto(url, { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    const before = await page.evaluate(() => document.documentElement.outerHTML);

    const cleaned = await withTimeout(runInTabFromWorker(browser.worker, 'clean', page.url()), PAGE_TIMEOUT_MS, 'clean');
    if (!cleaned || !cleaned.ok) throw new Error(`clean failed: ${cleaned ? cleaned.error : 'no answer'}`);
    result.removed = cleaned.report.removed.length;

    const undone = await withTimeout(runInTabFromWorker(browser.worker, 'undo', page.url()), PAGE_TIMEOUT_MS, 'undo');
    if (!undone || !undone.ok) throw new Error(`undo failed: ${undone ? undone.error : 'no answer'}`);
    result.restored = undone.restored;

    const after = await page.evaluate(() => document.documentElement.outerHTML);
    result.difference = firstDifference(before, after);
    result.equal = result.difference === null;
    result.seconds = (Date.now() - started) / 1000;
  } catch (error) {
    result.error = String((error && error.message) || error).split('\n')[0];
  } finally {
    await page.close().catch(() => {});
  }
  return result;
}

/**
 * The control for a page that did not come back: load it again and, without the extension, take
 * a snapshot every 50 ms for `waitMs` (at least as long as the clean + Undo took). Returns the
 * first difference from the snapshot at load (the page changes by itself, even if only for a
 * moment) or null (it stayed static, so the mismatch is Undo's).
 */
async function pageChangesByItself(browser, server, name, waitMs) {
  const page = await browser.context.newPage();
  try {
    await page.goto(server.urlOf(name), { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    return await page.evaluate(async (waitMs) => {
      const first = document.documentElement.outerHTML;
      const deadline = Date.now() + waitMs;
      while (Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const now = document.documentElement.outerHTML;
        if (now !== first) return { first, now };
      }
      return null;
    }, waitMs).then((changed) => changed && firstDifference(changed.first, changed.now));
  } finally {
    await page.close().catch(() => {});
  }
}

function describe(result, verbose) {
  const head = `${result.case.padEnd(44)}`;
  if (result.error) return `${head} ERROR ${result.error}`;
  const counts = `removed ${String(result.removed).padStart(3)}, restored ${String(result.restored).padStart(3)}`;
  if (result.equal) return verbose ? `${head} ${counts}  equal` : null;
  const { offset, lengthBefore, lengthAfter, before, after } = result.difference;
  return [
    `${head} ${counts}  MISMATCH at offset ${offset} (length ${lengthBefore} before, ${lengthAfter} after undo)`,
    `    before: …${before}…`,
    `    after:  …${after}…`,
  ].join('\n');
}

// ---- the run ----

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const cases = selectCases(options.corpus, options.only);
  const started = Date.now();
  const server = await startCorpusServer(options.corpus);
  const extensionDir = prepareExtension();
  const results = new Array(cases.length);
  let browser = null;
  let generation = 0;
  let restarting = null;
  /** Replaces a crashed browser once, however many pages saw the crash. */
  const restartBrowser = (seenGeneration) => {
    if (seenGeneration !== generation) return restarting ?? Promise.resolve();
    generation += 1;
    restarting = (async () => {
      await browser.close();
      browser = await launchBrowser(extensionDir, server.origin);
    })();
    return restarting;
  };
  try {
    browser = await launchBrowser(extensionDir, server.origin);
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const index = next++;
        let result;
        for (let attempt = 0; attempt < 2; attempt++) {
          await restarting;
          const seenGeneration = generation;
          result = await checkCase(browser, server, cases[index]);
          if (!result.error || !CRASH.test(result.error)) break;
          await restartBrowser(seenGeneration); // a crashed browser must not take the rest of the run with it; retry once
        }
        if (!result.error && !result.equal) {
          const waitMs = Math.max(1_000, 2 * result.seconds * 1_000);
          const byItself = await pageChangesByItself(browser, server, cases[index], waitMs).catch((error) => ({ controlFailed: error.message }));
          if (byItself?.controlFailed) result.error = `undo mismatch, and the control run failed: ${byItself.controlFailed}`;
          else if (byItself) {
            result.error = `page not static: without the extension it changed by itself within ${(waitMs / 1000).toFixed(1)} s (at offset ${byItself.offset}: ${byItself.before} -> ${byItself.after}), so its undo mismatch proves nothing`;
          }
        }
        results[index] = result;
        const line = describe(result, options.verbose);
        if (line) console.log(line);
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.jobs, cases.length) }, worker));
  } finally {
    await browser?.close();
    await server.close();
    fs.rmSync(extensionDir, { recursive: true, force: true });
  }
  const mismatches = results.filter((result) => !result.error && !result.equal).length;
  const errors = results.filter((result) => result.error).length;
  const removed = results.reduce((total, result) => total + (result.removed ?? 0), 0);
  console.log(`${results.length} pages, ${mismatches} undo mismatches, ${errors} errors (${removed} blocks removed and put back; ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (options.out) {
    fs.writeFileSync(options.out, `${JSON.stringify({ pages: results.length, mismatches, errors, results }, null, 1)}\n`);
    console.log(`wrote ${options.out}`);
  }
  return mismatches > 0 || errors > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (error) => {
  console.error(`check-undo: ${error.message}\n${USAGE}`);
  process.exit(2);
});
