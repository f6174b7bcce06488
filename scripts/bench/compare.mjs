// `node scripts/bench/compare.mjs A1.json[,A2.json...] B1.json[,B2.json...]`
//
// Compares two builds from saved bench runs (`npm run bench -- --only corpus --out FILE.json`),
// page by page. On a shared machine two single runs differ by 1-2 ms at the median whatever the
// build, so compare runs made alternately (A, B, A, B, ...; `UNSPONSOR_DIST=<other build>/dist`
// points the bench at another build) and read the median of the per-page differences: each page
// is compared with itself, which cancels most of what the pages differ in.
//
// For each figure: the median over pages of each build's per-page median (over its runs), and
// the median over pages of (B - A). Prints a table; exits 2 on bad arguments.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { percentile } from './summary.mjs';

/** The figures compared, read from a corpus page row of the bench's JSON. */
export const FIGURES = [
  ['clean_ms', (page) => page.clean_ms],
  ['snapshot_ms', (page) => page.timings && page.timings.snapshot_ms],
  ['plan_ms', (page) => page.timings && page.timings.plan_ms],
  ['readability_ms', (page) => page.readability_ms],
  ['ratio', (page) => page.ratio],
  ['startup_ms', (page) => page.startup_ms],
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

function readRuns(list) {
  return list.split(',').filter(Boolean).map((file) => {
    const run = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (!run.corpus || !Array.isArray(run.corpus.pages)) throw new Error(`${file}: no corpus pages (run the bench with the corpus part)`);
    return run.corpus.pages;
  });
}

function isMain() {
  return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
}

if (isMain()) {
  const [listA, listB] = process.argv.slice(2);
  if (!listA || !listB) {
    console.error('usage: node scripts/bench/compare.mjs A1.json[,A2.json...] B1.json[,B2.json...]');
    process.exit(2);
  }
  let rows;
  try {
    rows = comparePaired(readRuns(listA), readRuns(listB));
  } catch (error) {
    console.error(`compare: ${error.message}`);
    process.exit(2);
  }
  const show = (value) => (value === null ? '-' : value.toFixed(2)).padStart(9);
  console.log(`${'figure'.padEnd(16)}${'A'.padStart(9)}${'B'.padStart(9)}${'B - A'.padStart(9)}  (median over pages; B - A page by page)`);
  for (const row of rows) console.log(`${row.figure.padEnd(16)}${show(row.a)}${show(row.b)}${show(row.difference)}  ${row.pages} pages`);
}
