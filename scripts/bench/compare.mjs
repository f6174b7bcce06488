// `node scripts/bench/compare.mjs A1.json[,A2.json...] B1.json[,B2.json...]`
//
// Compares two builds from saved bench runs (`npm run bench -- --out FILE.json`; `--only corpus`
// for the page table alone), page by page and key by key. On a shared machine two single runs
// differ by 1-2 ms at the median whatever the build, so compare runs made alternately (A, B, A,
// B, ...; `UNSPONSOR_DIST=<other build>/dist` points the bench at another build) and read the
// median of the per-page differences: each page is compared with itself, which cancels most of
// what the pages differ in.
//
// Two tables:
// - per corpus page (comparePaired): for each figure, the median over pages of each build's
//   per-page median (over its runs), and the median over pages of (B - A);
// - issue 17's keys (compareKeys): each run's summary rebuilt with today's definitions
//   (summary.mjs resummarise, so runs saved by an older bench read the same way), the median of
//   each key over A's runs and over B's, B - A, and met / missed for each.
// Exits 2 on bad arguments.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { TARGETS, evaluateTargets, formatValue, percentile, resummarise } from './summary.mjs';

/** The figures compared page by page, read from a corpus page row of the bench's JSON. */
export const FIGURES = [
  ['first_click_ms', (page) => page.first_click_ms],
  ['first_click_ratio', (page) => page.first_click_ratio],
  ['clean_ms (warm)', (page) => page.warm_clean_ms],
  ['ratio (warm)', (page) => page.warm_ratio],
  ['nothing_to_remove_ratio', (page) => (page.removed === 0 ? page.warm_ratio : null)],
  ['warm_click_ms', (page) => page.warm_click_ms],
  ['first_clean_ms', (page) => page.clean_ms],
  ['snapshot_ms', (page) => page.timings && page.timings.snapshot_ms],
  ['plan_ms', (page) => page.timings && page.timings.plan_ms],
  ['readability_ms', (page) => page.readability_ms],
  ['first_ratio', (page) => page.ratio],
  ['startup_ms', (page) => page.startup_ms],
  ['tab_memory_bytes', (page) => page.tab_memory_bytes],
];

const median = (values) => percentile(values, 0.5);

/** Per page (by case name), the median of `read(page)` over `runs` (arrays of page rows). */
function perPageMedians(runs, read) {
  const values = new Map();
  for (const pages of runs) {
    for (const page of pages) {
      const value = page.error ? null : read(page);
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (!values.has(page.case)) values.set(page.case, []);
      values.get(page.case).push(value);
    }
  }
  return new Map([...values].map(([name, list]) => [name, median(list)]));
}

/**
 * Compares runs of build A with runs of build B (each an array of corpus page rows). Returns,
 * per figure: { figure, a, b, difference, pages } where a and b are medians over pages and
 * difference is the median over the pages both have of (B - A); null where nothing was measured.
 */
export function comparePaired(runsA, runsB) {
  return FIGURES.map(([figure, read]) => {
    const a = perPageMedians(runsA, read);
    const b = perPageMedians(runsB, read);
    const shared = [...a.keys()].filter((name) => b.has(name));
    return {
      figure,
      a: median([...a.values()]),
      b: median([...b.values()]),
      difference: median(shared.map((name) => b.get(name) - a.get(name))),
      pages: shared.length,
    };
  });
}

/**
 * Issue 17's keys over whole runs (each a bench JSON): per key { key, unit, a, b, difference,
 * a_status, b_status, runs_a, runs_b } where a and b are medians over each build's runs of the
 * rebuilt summary (null where no run measured it) and the statuses are the targets' verdicts on
 * those medians.
 */
export function compareKeys(resultsA, resultsB) {
  const summaries = (list) => list.map((results) => resummarise(results).summary);
  const a = summaries(resultsA);
  const b = summaries(resultsB);
  const mid = (list, key) => {
    const values = list.map((summary) => summary[key]);
    if (values.every((value) => typeof value === 'boolean')) return values.length ? values.every(Boolean) : null;
    return median(values);
  };
  const keys = TARGETS.map((target) => target.id);
  const medianA = Object.fromEntries(keys.map((key) => [key, mid(a, key)]));
  const medianB = Object.fromEntries(keys.map((key) => [key, mid(b, key)]));
  // The 1M page's figures are missed when it did not complete in any run.
  medianA.completed_1m = mid(a, 'completed_1m');
  medianB.completed_1m = mid(b, 'completed_1m');
  const targetsA = evaluateTargets(medianA);
  const targetsB = evaluateTargets(medianB);
  const row = (id, unit, target) => {
    const valueA = id in medianA ? medianA[id] ?? null : mid(a, id);
    const valueB = id in medianB ? medianB[id] ?? null : mid(b, id);
    return {
      key: id,
      unit,
      a: valueA,
      b: valueB,
      difference: typeof valueA === 'number' && typeof valueB === 'number' ? valueB - valueA : null,
      a_status: target ? targetsA[id].status : 'beside',
      b_status: target ? targetsB[id].status : 'beside',
      target: target ? targetsA[id].target : 'not held to a target',
      runs_a: a.filter((summary) => summary[id] !== null && summary[id] !== undefined).length,
      runs_b: b.filter((summary) => summary[id] !== null && summary[id] !== undefined).length,
    };
  };
  // Each target, then what it shows beside it (the wasm2js build, the 1M page's rendering).
  return TARGETS.flatMap((target) => [row(target.id, target.unit, true), ...(target.beside || []).map((key) => row(key, 'ms', false))]);
}

function readRuns(list) {
  return list.split(',').filter(Boolean).map((file) => {
    const run = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (run.tool !== 'npm run bench') throw new Error(`${file}: not the JSON of npm run bench -- --out`);
    return run;
  });
}

const pagesOf = (runs) => runs.filter((run) => run.corpus && Array.isArray(run.corpus.pages) && run.corpus.pages.length).map((run) => run.corpus.pages);

function isMain() {
  return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
}

if (isMain()) {
  const [listA, listB] = process.argv.slice(2);
  if (!listA || !listB) {
    console.error('usage: node scripts/bench/compare.mjs A1.json[,A2.json...] B1.json[,B2.json...]');
    process.exit(2);
  }
  let runsA;
  let runsB;
  try {
    runsA = readRuns(listA);
    runsB = readRuns(listB);
  } catch (error) {
    console.error(`compare: ${error.message}`);
    process.exit(2);
  }
  const pagesA = pagesOf(runsA);
  const pagesB = pagesOf(runsB);
  if (pagesA.length && pagesB.length) {
    const show = (value) => (value === null ? '-' : value.toFixed(Math.abs(value) >= 1000 ? 0 : 2)).padStart(11);
    console.log(`${'per page'.padEnd(24)}${'A'.padStart(11)}${'B'.padStart(11)}${'B - A'.padStart(11)}  (median over pages; B - A page by page)`);
    for (const row of comparePaired(pagesA, pagesB)) console.log(`${row.figure.padEnd(24)}${show(row.a)}${show(row.b)}${show(row.difference)}  ${row.pages} pages`);
    console.log('');
  } else {
    console.log('(no corpus pages in both builds\' runs: no page table)\n');
  }
  const cell = (unit, value) => (typeof value === 'boolean' ? (value ? 'yes' : 'no') : formatValue(unit, value)).padStart(16);
  console.log(`${'issue 17 key'.padEnd(32)}${'A'.padStart(16)}${'B'.padStart(16)}${'B - A'.padStart(16)}  A / B against the target (median over runs)`);
  for (const row of compareKeys(runsA, runsB)) {
    const difference = row.difference === null ? '–'.padStart(16) : cell(row.unit === 'share' ? 'ratio' : row.unit, row.difference);
    console.log(`${row.key.padEnd(32)}${cell(row.unit, row.a)}${cell(row.unit, row.b)}${difference}  ${row.a_status} / ${row.b_status} (${row.target}; ${row.runs_a} / ${row.runs_b} runs)`);
  }
}
