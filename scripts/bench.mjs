// `npm run bench -- [--corpus DIR] [--out FILE.json] [--quick] [--only PARTS] [--sizes LIST] [--readme]`
// `npm run bench -- --from FILE.json --readme`   (rewrite README's section from a saved run)
//
// How fast the cleaner is, measured in one headless Chromium run through the same code path a
// user's click takes (background.js → content.js → the Rust core, scripts/eval/browser.mjs),
// with every request outside 127.0.0.1 refused and corpus pages' scripts stripped
// (scripts/eval/corpus.mjs). One browser at a time; run it under `nice` on a shared machine.
// The pages it generates and the in-page code are in scripts/bench/pages.mjs.
//
// Corpus (default ../shared/corpus/dev beside the repository): each page in a fresh tab, loaded
// and laid out (forced layout, two frames), then, on that same page:
//   readability_ms     `new Readability(clone).parse()` in the page's main world, where clone is
//                      `document.cloneNode(true)`; the clone is timed apart (readability_clone_ms)
//   clean_ms           our clean of the live page as the Rust core measures it (report.clean_ms:
//                      snapshot, plan, removal; for a time-sliced clean, the sum of its slices)
//   clean_wall_ms      the clean call timed in the background service worker, minus the module's
//                      start-up: adds injection, messaging, and any wait between slices
//   ratio              clean_ms / readability_ms on that page
//   The summary gives median, p95 and max of each (nearest rank, as `npm run eval`); ratio_median
//   is the median of the per-page ratios, ratio_of_medians is clean median / Readability median.
//   Warm-up: none, on purpose. A reader clicks once on a page, so the figures above (and the
//   targets) come from the first run on each page, in a fresh tab. Neither holds code loading
//   (Readability's source is evaluated before its timer starts; our module is loaded by the
//   first clean and its start-up is timed apart as startup_ms), and neither has run before in
//   that page, so both pay their first-run costs (JS interpreter and baseline tiers for
//   Readability, wasm baseline code for ours). Readability runs first; the page's heap is
//   collected (`gc()`, the browser runs with --expose-gc) before each of the two timed calls, so
//   neither pays for the garbage of the page's load or of the other.
//   Then, on the same page, each runs a second time, warm (no target uses these; beside the
//   first run they show what its first-run costs are):
//   warm_clean_ms      our clean again after an undo (report.clean_ms; warm_removed its blocks)
//   warm_readability_ms  Readability again, on a new clone, after our clean
//   warm_ratio         the two; the summary's ratio_warm_median is their median, and
//                      warm_removed_differs counts pages whose second clean removed a different
//                      number of blocks than the first (0 expected: undo restores the page)
//
// Cold start: a fresh tab on a generated 1,500-element article, first clean on it:
//   cold_start_ms      startup_ms (import of the glue, fetch + compile + instantiation of the core,
//                      fetch + load of the EasyList rules and their index, measured by
//                      content.js) + clean_ms.
//   Done for the wasm build and for the wasm2js build (the same page served with the header
//   `Content-Security-Policy: script-src 'self'`, where Chromium refuses WebAssembly and
//   content.js falls back), alternating, in a browser started for this part: `first` is the very
//   first run of each (nothing cached), the summary's cold_start_ms the median over the runs.
//
// Scaling: pages built with DOM APIs in an empty tab: flat pages of 1k, 10k, 100k and 1M
// elements (article sections, one unit in eight an ad: a `div-gpt-ad-…` slot under
// "Advertisement", a Taboola `trc_related_container`, or a block under a bare "Sponsored" label),
// and a chain of 100,000 nested divs (built with an appendChild loop, never serialised) with
// paragraphs every 1,000 levels and an ad every 10,000. Each page in a browser of its own. The
// module is loaded first on the empty page (clean, then undo), so no figure holds start-up.
//   clean_ms, clean_wall_ms   as above (the wall time here holds no start-up to subtract)
//   longest_task_ms    the longest main-thread task (Long Tasks API: a PerformanceObserver for
//                      'longtask' registered in the page's main world once the page was built and
//                      laid out) starting during the clean or in the two frames + 300 ms after it
//                      (the rendering of the removals); 0 if no task took over 50 ms
//   long_tasks         how many such tasks
//   memory_bytes       wasm linear memory after the clean (report.memory_bytes; null while the core
//                      does not report it)
//   completed          the clean answered and the figures were collected within the time limit,
//                      and the renderer did not crash; ads_left counts ads still shown (a check
//                      that the clean did its work)
//
// Observer: the generated article, cleaned (the cleaner then watches for late widgets), then the
// page inserts feed items for several seconds (3,000 elements a second in ticks of 50 ms, one
// item in 20 an ad-like widget), then rests 1 s.
//   observer_cpu_share late_ms delta (main-thread time of the late passes, Rust-measured) over the
//                      window (from the first insertion to the end of the rest). The first clean
//                      happens before the window and is reported apart (initial_clean_ms).
//   cdp_share          cross-check: Chromium's main-thread task time (CDP Performance metric
//                      TaskDuration) during the same window, with the cleaner minus the same page
//                      run without it, over the window. It also holds the MutationObserver
//                      callbacks and garbage collection, and the noise of a shared machine.
//
// Bundle: raw and gzip (level 9) bytes of what dist/chrome ships: pkg/unsponsor_bg.wasm, the JS
// glue pkg/unsponsor.js, each file of the wasm2js fallback pkg-js/*.js, rules/easylist.rules,
// and its index rules/easylist.index (rules_gzip_bytes in the summary counts both).
//
// Targets (reported met / missed / not measured; never a failure): ratio_median ≤ 0.10,
// clean_ms_p95 ≤ 16, the 1M page completes with its longest task ≤ 50 ms, the 100k-deep page
// completes, observer_cpu_share ≤ 0.05, wasm_gzip_bytes ≤ 100000.
//
// --quick: 20 corpus pages, scaling 1k/10k/100k/deep10k, a 2 s observer, 2 cold-start runs.
// --readme rewrites README.md between <!-- bench:start --> and <!-- bench:end -->.
//
// Exit status: 0 when everything was measured (whatever the targets say); 1 when a part produced
// no measurement at all (every corpus page or cold start failed, the observer run failed; the
// JSON is still written); 2 when the harness could not run (bad arguments, missing --corpus
// folder, no browser or build).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, prepareExtension } from './eval/browser.mjs';
import { listCases } from './eval/corpus.mjs';
import { measureBundle } from './bench/bundle.mjs';
import { isBrowserGone, measureColdStart, measureCorpusPage, measureObserver, measureScalingPage } from './bench/measure.mjs';
import { PARTS, SCALING_SIZES, USAGE, parseArguments } from './bench/options.mjs';
import { startBenchServer } from './bench/pages.mjs';
import { renderSection, replaceSection } from './bench/readme.mjs';
import {
  buildSummary, evaluateTargets, fixed, summariseColdStart, summariseCorpus, targetLine,
} from './bench/summary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_CORPUS = path.resolve(root, '..', 'shared', 'corpus', 'dev');
const QUICK_CORPUS_PAGES = 20;
const COLD_RUNS = { full: 5, quick: 2 };
const OBSERVER = {
  full: { durationMs: 5_000, tickMs: 50, nodesPerSecond: 3_000, adEvery: 20, settleMs: 1_000 },
  quick: { durationMs: 2_000, tickMs: 50, nodesPerSecond: 3_000, adEvery: 20, settleMs: 1_000 },
};

// Every bench browser can collect garbage on request (`gc()` in a page), so that each timed call on
// a corpus page starts on a collected heap: neither pays for the other's garbage.
// UNSPONSOR_BENCH_JS_FLAGS adds V8 flags, for experiments only (what would eager compilation of
// the core give: `--no-wasm-lazy-compilation`, `--no-liftoff --no-wasm-lazy-compilation`); an
// extension cannot set them, so such a run says what the product cannot do, and the JSON records
// them (environment.js_flags).
const JS_FLAGS = ['--expose-gc', ...(process.env.UNSPONSOR_BENCH_JS_FLAGS || '').split(/\s+/).filter(Boolean)];
const BROWSER_OPTIONS = { extraArgs: [`--js-flags=${JS_FLAGS.join(' ')}`] };

/** Time limits of a scaling page: generous, the 1M page may take minutes while unsliced. */
function scalingLimits(spec) {
  const size = spec.kind === 'deep' ? spec.depth : spec.elements;
  if (size >= 1_000_000) return { buildTimeoutMs: 240_000, cleanTimeoutMs: 300_000 };
  if (size >= 100_000) return { buildTimeoutMs: 120_000, cleanTimeoutMs: 180_000 };
  return { buildTimeoutMs: 60_000, cleanTimeoutMs: 60_000 };
}

/** Every Nth case, so a quick run still spans the corpus. */
function sample(cases, count) {
  if (cases.length <= count) return cases;
  const step = cases.length / count;
  return Array.from({ length: count }, (_, index) => cases[Math.floor(index * step)]);
}

async function browserVersion(browser) {
  try {
    const version = browser.context.browser() ? browser.context.browser().version() : null;
    return version ? `Chromium ${version}` : await browser.worker.evaluate(() => navigator.userAgent);
  } catch {
    return null;
  }
}

async function withBrowser(extensionDir, server, environment, work) {
  const browser = await launchBrowser(extensionDir, server.origin, BROWSER_OPTIONS);
  environment.browser ??= await browserVersion(browser);
  try {
    return await work(browser);
  } finally {
    await browser.close();
  }
}

// ---- parts ----

async function runCorpus(cases, corpus, extensionDir, server, environment) {
  const readabilitySource = fs.readFileSync(path.join(root, 'node_modules', '@mozilla', 'readability', 'Readability.js'), 'utf8');
  const pages = [];
  console.log(`\n== corpus: ${cases.length} pages of ${corpus.label} ==`);
  console.log(`${'case'.padEnd(44)} ${'clean'.padStart(7)} ${'wall'.padStart(7)} ${'readab.'.padStart(7)} ${'ratio'.padStart(6)} ${'nodes'.padStart(7)}`);
  let browser = await launchBrowser(extensionDir, server.origin, BROWSER_OPTIONS);
  environment.browser ??= await browserVersion(browser);
  try {
    for (const name of cases) {
      const row = await measureCorpusPage(browser, server, name, readabilitySource);
      if (row.error && isBrowserGone(row.error)) {
        await browser.close(); // a crashed browser must not take the rest of the run with it
        browser = await launchBrowser(extensionDir, server.origin, BROWSER_OPTIONS);
      }
      pages.push(row);
      console.log(row.error ? `${name.padEnd(44)} ERROR ${row.error}`
        : `${name.padEnd(44)} ${fixed(row.clean_ms).padStart(7)} ${fixed(row.clean_wall_ms).padStart(7)} ${fixed(row.readability_ms).padStart(7)} ${fixed(row.ratio, 2).padStart(6)} ${String(row.nodes ?? '-').padStart(7)}`);
    }
  } finally {
    await browser.close();
  }
  return { dir: corpus.dir, label: corpus.label, pages, summary: summariseCorpus(pages) };
}

async function runColdStart(runs, extensionDir, server, environment) {
  console.log(`\n== cold start: ${runs} fresh tabs per engine ==`);
  const all = await withBrowser(extensionDir, server, environment, async (browser) => {
    const list = [];
    for (let index = 0; index < runs; index++) {
      for (const engine of ['wasm', 'wasm2js']) {
        const run = await measureColdStart(browser, server, engine);
        list.push(run);
        console.log(run.error ? `${engine.padEnd(8)} ERROR ${run.error}`
          : `${engine.padEnd(8)} ${fixed(run.cold_start_ms).padStart(7)} ms  (start-up ${fixed(run.startup_ms)} + clean ${fixed(run.clean_ms)}; call ${fixed(run.call_wall_ms)} ms wall)`);
      }
    }
    return list;
  });
  return { runs: all, wasm: summariseColdStart(all, 'wasm'), wasm2js: summariseColdStart(all, 'wasm2js') };
}

async function runScaling(sizes, extensionDir, server, environment) {
  console.log(`\n== scaling: ${sizes.join(', ')} ==`);
  const rows = [];
  for (const name of sizes) {
    const spec = SCALING_SIZES[name];
    const started = Date.now();
    const row = await withBrowser(extensionDir, server, environment, (browser) => measureScalingPage(browser, server, name, spec, scalingLimits(spec)));
    row.page_total_s = (Date.now() - started) / 1000;
    rows.push(row);
    console.log(row.completed
      ? `${name.padEnd(9)} ${String(row.elements).padStart(8)} elements: clean ${fixed(row.clean_ms)} ms (wall ${fixed(row.clean_wall_ms)}), longest task ${fixed(row.longest_task_ms)} ms (${row.long_tasks} long), memory ${row.memory_bytes ?? 'not reported'}, removed ${row.removed}, ads left ${row.ads_left}/${row.ads}, built in ${fixed(row.build_ms / 1000)} s`
      : `${name.padEnd(9)} NOT COMPLETED at ${row.stage}: ${row.error}`);
  }
  return rows;
}

async function runObserver(parameters, extensionDir, server, environment) {
  console.log(`\n== observer: ${parameters.nodesPerSecond} elements/s for ${parameters.durationMs / 1000} s ==`);
  const result = await withBrowser(extensionDir, server, environment, (browser) => measureObserver(browser, server, parameters));
  console.log(result.error ? `ERROR ${result.error}`
    : `late passes ${fixed(result.late_ms)} ms over ${fixed(result.window_ms)} ms = ${fixed(result.cpu_share * 100, 2)} % (${result.late_passes} passes, ${result.ads_inserted - result.ads_left}/${result.ads_inserted} ads gone, ${Math.round(result.elements_per_second)} elements/s inserted); CDP task-time cross-check ${fixed(result.cdp_share * 100, 2)} %`);
  return result;
}

// ---- output ----

function printSummary(results) {
  const s = results.summary;
  console.log('\n== summary ==');
  if (results.corpus && results.corpus.summary) {
    console.log(`corpus        ${s.pages} pages, ${s.page_errors} errors`);
    console.log(`clean_ms      median ${fixed(s.clean_ms_median, 2)}  p95 ${fixed(s.clean_ms_p95, 2)}  max ${fixed(s.clean_ms_max, 2)}`);
    console.log(`readability   median ${fixed(s.readability_ms_median, 2)}  p95 ${fixed(s.readability_ms_p95, 2)}  max ${fixed(s.readability_ms_max, 2)}`);
    console.log(`ratio         median ${fixed(s.ratio_median, 3)}  p95 ${fixed(s.ratio_p95, 3)}  max ${fixed(s.ratio_max, 3)}  (ratio of medians ${fixed(s.ratio_of_medians, 3)})`);
  }
  if (results.cold_start) {
    console.log(`cold start    wasm median ${fixed(s.cold_start_ms)} ms (first ${fixed(s.cold_start_first_ms)})  wasm2js median ${fixed(s.cold_start_wasm2js_ms)} ms (first ${fixed(s.cold_start_wasm2js_first_ms)})`);
  }
  if (results.bundle) {
    for (const entry of results.bundle) {
      console.log(`bundle        ${entry.file.padEnd(28)} ${entry.missing ? 'missing' : `${String(entry.raw_bytes).padStart(9)} raw ${String(entry.gzip_bytes).padStart(8)} gzip`}`);
    }
  }
  console.log('\n== targets ==');
  for (const target of results.targets) console.log(targetLine(target));
}

function writeReadme(results) {
  const readmePath = path.join(root, 'README.md');
  const updated = replaceSection(fs.readFileSync(readmePath, 'utf8'), renderSection(results));
  fs.writeFileSync(readmePath, updated);
  console.log(`rewrote the performance section of ${path.relative(process.cwd(), readmePath) || 'README.md'}`);
}

/** Parts that produced no measurement at all: the harness failed there. */
function failedParts(results) {
  const failed = [];
  if (results.corpus && results.corpus.pages && results.corpus.pages.length && results.corpus.summary.errors === results.corpus.pages.length) failed.push('corpus (every page failed)');
  if (results.cold_start && results.cold_start.runs.every((run) => run.error)) failed.push('cold start (every run failed)');
  if (results.observer && results.observer.error) failed.push(`observer (${results.observer.error})`);
  return failed;
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.from) {
    const results = JSON.parse(fs.readFileSync(options.from, 'utf8'));
    if (!results.summary || !results.targets) throw new Error(`${options.from} is not the JSON of npm run bench -- --out`);
    writeReadme(results);
    return 0;
  }
  const wants = (part) => options.only.includes(part);
  const corpus = { dir: path.resolve(options.corpus || DEFAULT_CORPUS), label: null, cases: null, skipped: null };
  corpus.label = options.corpus || path.relative(root, corpus.dir) || corpus.dir;
  if (wants('corpus')) {
    if (!options.corpus && !fs.existsSync(corpus.dir)) {
      corpus.skipped = `no corpus at ${corpus.dir}; pass --corpus DIR`;
      console.warn(`bench: ${corpus.skipped}. Skipping the corpus part.`);
    } else {
      const cases = listCases(corpus.dir);
      corpus.cases = options.quick ? sample(cases, QUICK_CORPUS_PAGES) : cases;
    }
  }

  const started = Date.now();
  const environment = {
    cpus: os.cpus().length,
    cpu_model: os.cpus()[0] ? os.cpus()[0].model.trim() : null,
    node: process.versions.node,
    browser: null,
    niceness: os.getPriority(),
    js_flags: JS_FLAGS.join(' '),
    load_start: Number(os.loadavg()[0].toFixed(2)),
    load_end: null,
  };
  const results = {
    tool: 'npm run bench',
    generated_at: new Date().toISOString(),
    duration_s: null,
    environment,
    options: { corpus: corpus.label, quick: options.quick, only: options.only, sizes: wants('scaling') ? options.sizes : [] },
    summary: null,
    targets: null,
  };
  const extensionDir = prepareExtension();
  const server = await startBenchServer(corpus.cases ? corpus.dir : null);
  try {
    // Cold start first: the browser it starts has never loaded the module.
    if (wants('cold')) results.cold_start = await runColdStart(options.quick ? COLD_RUNS.quick : COLD_RUNS.full, extensionDir, server, environment);
    if (wants('corpus')) {
      results.corpus = corpus.cases ? await runCorpus(corpus.cases, corpus, extensionDir, server, environment)
        : { dir: corpus.dir, label: corpus.label, skipped: corpus.skipped, pages: [], summary: null };
    }
    if (wants('scaling')) results.scaling = await runScaling(options.sizes, extensionDir, server, environment);
    if (wants('observer')) results.observer = await runObserver(options.quick ? OBSERVER.quick : OBSERVER.full, extensionDir, server, environment);
    if (wants('bundle')) results.bundle = measureBundle(extensionDir);
  } finally {
    await server.close();
    fs.rmSync(extensionDir, { recursive: true, force: true });
  }
  environment.load_end = Number(os.loadavg()[0].toFixed(2));
  results.duration_s = (Date.now() - started) / 1000;
  results.summary = buildSummary(results);
  results.targets = evaluateTargets(results.summary);
  printSummary(results);
  console.log(`\n${PARTS.filter(wants).join(', ')} measured in ${fixed(results.duration_s / 60, 1)} min`);
  if (options.out) {
    fs.mkdirSync(path.dirname(path.resolve(options.out)), { recursive: true });
    fs.writeFileSync(options.out, `${JSON.stringify(results, null, 1)}\n`);
    console.log(`wrote ${options.out}`);
  }
  const failed = failedParts(results);
  if (failed.length) {
    console.error(`bench: no measurement from ${failed.join('; ')}: the harness failed there (see the errors above)`);
    return 1;
  }
  if (options.readme) writeReadme(results);
  return 0;
}

main().then((code) => process.exit(code), (error) => {
  console.error(`bench: ${error.message}\n${USAGE}`);
  process.exit(2);
});
