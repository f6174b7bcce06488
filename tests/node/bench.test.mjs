// Tests for `npm run bench`'s own logic (scripts/bench/*): arguments, summary and targets on
// made-up figures, the main-thread figures, generated pages, bundle sizes, README rendering.
// No browser, and no assertion on any measured time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { measureBundle } from '../../scripts/bench/bundle.mjs';
import { mainThreadFigures } from '../../scripts/bench/measure.mjs';
import { FULL_SIZES, PARTS, QUICK_SIZES, parseArguments } from '../../scripts/bench/options.mjs';
import { AD_EVERY, articleHtml, unitAt } from '../../scripts/bench/pages.mjs';
import { END_MARKER, START_MARKER, renderSection, replaceSection } from '../../scripts/bench/readme.mjs';
import {
  buildSummary, evaluateTargets, percentile, summariseColdStart, summariseCorpus,
} from '../../scripts/bench/summary.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('arguments: defaults, quick, subsets and mistakes', () => {
  const defaults = parseArguments([]);
  assert.deepEqual(defaults.only, PARTS);
  assert.deepEqual(defaults.sizes, FULL_SIZES);
  assert.equal(defaults.corpus, null);
  assert.equal(defaults.readme, false);
  assert.deepEqual(parseArguments(['--quick']).sizes, QUICK_SIZES);
  const some = parseArguments(['--corpus', 'x', '--out', 'y.json', '--only', 'scaling,bundle', '--sizes', '1k,deep100k', '--readme']);
  assert.deepEqual([some.corpus, some.out, some.only, some.sizes, some.readme], ['x', 'y.json', ['scaling', 'bundle'], ['1k', 'deep100k'], true]);
  assert.throws(() => parseArguments(['--only', 'speed']), /unknown speed/);
  assert.throws(() => parseArguments(['--sizes', '2m']), /unknown 2m/);
  assert.throws(() => parseArguments(['--corpus']), /needs a value/);
  assert.throws(() => parseArguments(['--out', '--quick']), /needs a value/);
  assert.throws(() => parseArguments(['--fast']), /unknown argument/);
  assert.throws(() => parseArguments(['--from', 'r.json']), /needs --readme/);
  assert.throws(() => parseArguments(['--from', 'r.json', '--readme', '--quick']), /only goes with --readme/);
  assert.equal(parseArguments(['--from', 'r.json', '--readme']).from, 'r.json');
});

test('percentiles are nearest-rank, as npm run eval computes them', () => {
  assert.equal(percentile([], 0.5), null);
  assert.equal(percentile([3, 1, 2], 0.5), 2);
  assert.equal(percentile([4, 1, 3, 2], 0.5), 2);
  const hundred = Array.from({ length: 100 }, (_, index) => index + 1);
  assert.equal(percentile(hundred, 0.95), 95);
  assert.equal(percentile([null, 5, undefined, Number.NaN], 0.5), 5);
});

test('corpus summary: per-page ratio median differs from the ratio of medians; errors left out', () => {
  const pages = [
    { case: 'a', clean_ms: 1, clean_wall_ms: 2, readability_ms: 10, ratio: 0.1, longest_detach_ms: 0, detached: 0 },
    { case: 'b', clean_ms: 30, clean_wall_ms: 31, readability_ms: 10, ratio: 3, longest_detach_ms: 12, detached: 3 },
    { case: 'c', clean_ms: 8, clean_wall_ms: 9, readability_ms: 40, ratio: 0.2, longest_detach_ms: null, detached: null },
    { case: 'd', error: 'timeout' },
  ];
  const summary = summariseCorpus(pages);
  assert.equal(summary.pages, 4);
  assert.equal(summary.errors, 1);
  assert.equal(summary.clean_ms.median, 8);
  assert.equal(summary.clean_ms.max, 30);
  assert.equal(summary.readability_ms.median, 10);
  assert.equal(summary.ratio.median, 0.2);
  assert.equal(summary.ratio_of_medians, 0.8);
  // Frames detached after the clean: counted apart, pages without the figure left out.
  assert.equal(summary.pages_detaching_later, 1);
  assert.equal(summary.longest_detach_ms.count, 2);
  assert.equal(summary.longest_detach_ms.max, 12);
});

test('corpus summary: the warm second run apart, pages without it left out, differing removals counted', () => {
  const pages = [
    { case: 'a', clean_ms: 10, readability_ms: 10, ratio: 1, removed: 3, warm_clean_ms: 2, warm_readability_ms: 5, warm_ratio: 0.4, warm_removed: 3 },
    { case: 'b', clean_ms: 20, readability_ms: 10, ratio: 2, removed: 1, warm_clean_ms: 6, warm_readability_ms: 4, warm_ratio: 1.5, warm_removed: 2 },
    { case: 'c', clean_ms: 30, readability_ms: 10, ratio: 3, removed: 0, warm_error: 'undo failed: no answer' },
    { case: 'd', error: 'timeout', warm_clean_ms: 1, warm_removed: 9 },
  ];
  const corpus = summariseCorpus(pages);
  assert.equal(corpus.warm_pages, 2);
  assert.deepEqual([corpus.clean_warm_ms.count, corpus.clean_warm_ms.median, corpus.clean_warm_ms.max], [2, 2, 6]);
  assert.equal(corpus.readability_warm_ms.median, 4);
  assert.equal(corpus.ratio_warm.median, 0.4);
  assert.equal(corpus.warm_removed_differs, 1, 'page b: 2 removals warm against 1 cold; c has no second run, d failed');
  // The first-run figures, which the targets use, are not touched by the second run.
  assert.equal(corpus.clean_ms.median, 20);
  assert.equal(corpus.ratio.median, 2);
  const summary = buildSummary({ corpus: { summary: corpus } });
  assert.deepEqual([summary.clean_warm_ms_median, summary.readability_warm_ms_median, summary.ratio_warm_median, summary.warm_removed_differs],
    [2, 4, 0.4, 1]);
  assert.equal(summary.ratio_median, 2);
  const none = buildSummary({});
  assert.deepEqual([none.clean_warm_ms_median, none.ratio_warm_median, none.warm_removed_differs], [null, null, null]);
});

test('cold start: first run and median per engine', () => {
  const runs = [
    { expected_engine: 'wasm', cold_start_ms: 200, startup_ms: 150, clean_ms: 50 },
    { expected_engine: 'wasm2js', cold_start_ms: 600, startup_ms: 450, clean_ms: 150 },
    { expected_engine: 'wasm', cold_start_ms: 100, startup_ms: 60, clean_ms: 40 },
    { expected_engine: 'wasm', error: 'no answer' },
  ];
  const wasm = summariseColdStart(runs, 'wasm');
  assert.deepEqual([wasm.runs, wasm.errors, wasm.first_ms, wasm.median_ms], [3, 1, 200, 100]);
  assert.equal(summariseColdStart(runs, 'wasm2js').median_ms, 600);
});

function fakeResults() {
  const pages = [
    { case: 'a', clean_ms: 2, clean_wall_ms: 3, readability_ms: 40, ratio: 0.05, removed: 1, warm_clean_ms: 1, warm_readability_ms: 20, warm_ratio: 0.05, warm_removed: 1 },
    { case: 'b', clean_ms: 4, clean_wall_ms: 5, readability_ms: 50, ratio: 0.08, removed: 0, warm_clean_ms: 3, warm_readability_ms: 25, warm_ratio: 0.12, warm_removed: 0 },
  ];
  const results = {
    generated_at: '2000-01-01T00:00:00.000Z',
    duration_s: 321,
    environment: { cpus: 2, cpu_model: 'Test CPU', node: '20.0.0', browser: 'Chromium 1', niceness: 10, load_start: 1, load_end: 2 },
    options: { quick: false },
    corpus: { dir: '/x/dev', label: '../shared/corpus/dev', pages, summary: summariseCorpus(pages) },
    cold_start: { runs: [], wasm: { runs: 1, errors: 0, first_ms: 120, median_ms: 110 }, wasm2js: { runs: 1, errors: 0, first_ms: 500, median_ms: 450 } },
    scaling: [
      { name: '1k', elements: 1000, completed: true, clean_ms: 3, clean_wall_ms: 4, longest_task_ms: 0, long_tasks: 0, memory_bytes: 1_179_648, removed: 6 },
      { name: '1m', elements: 1_000_000, completed: false, error: 'timeout after 300000 ms: clean', longest_task_ms: null, memory_bytes: null },
      { name: 'deep100k', elements: 100_245, completed: true, clean_ms: 900, longest_task_ms: 910, long_tasks: 1, memory_bytes: null, removed: 10 },
    ],
    observer: { error: null, cpu_share: 0.04, cdp_share: 0.05, late_ms: 200, window_ms: 5000, late_passes: 6, ads_inserted: 10, ads_left: 0, elements_per_second: 3000, parameters: { durationMs: 5000, adEvery: 20 } },
    bundle: [
      { name: 'wasm', file: 'pkg/unsponsor_bg.wasm', what: 'core', raw_bytes: 200_000, gzip_bytes: 90_000 },
      { name: 'rules', file: 'rules/easylist.rules', what: 'rules', raw_bytes: 700_000, gzip_bytes: 220_000 },
      { name: 'rules_index', file: 'rules/easylist.index', what: 'index', raw_bytes: 600_000, gzip_bytes: 150_000 },
    ],
  };
  results.summary = buildSummary(results);
  results.targets = evaluateTargets(results.summary);
  return results;
}

test('summary holds the issue\'s fields and every target is met, missed or not measured', () => {
  const { summary, targets } = fakeResults();
  for (const key of ['clean_ms_median', 'readability_ms_median', 'ratio_median', 'clean_ms_p95', 'cold_start_ms',
    'longest_task_ms_1m', 'observer_cpu_share', 'wasm_gzip_bytes', 'rules_gzip_bytes']) {
    assert.ok(key in summary, `summary.${key}`);
  }
  assert.equal(summary.ratio_median, 0.05);
  assert.equal(summary.cold_start_ms, 110);
  assert.equal(summary.wasm_gzip_bytes, 90_000);
  assert.equal(summary.rules_gzip_bytes, 370_000, 'the rules and their index');
  assert.equal(summary.rules_index_gzip_bytes, 150_000);
  const status = Object.fromEntries(targets.map((target) => [target.id, target.status]));
  assert.deepEqual(status, {
    ratio_median: 'met',
    clean_ms_p95: 'met',
    longest_task_ms_1m: 'missed', // did not complete
    completed_deep_100k: 'met',
    observer_cpu_share: 'met',
    wasm_gzip_bytes: 'met',
  });
  const empty = evaluateTargets(buildSummary({}));
  assert.ok(empty.every((target) => target.status === 'not measured'));
});

test('main-thread figures: a heartbeat gap is split at the frame that starts inside it', () => {
  const figures = mainThreadFigures({
    tasks: [],
    gaps: [{ start: 1000, duration: 400 }, { start: 2000, duration: 60 }],
    frames: [1300],
    beatsPerSecond: 200,
  }, 990);
  assert.equal(figures.longest_gap_ms, 400);
  assert.equal(figures.longest_task_ms, 300);
  assert.equal(figures.long_tasks, 3);
  assert.deepEqual(figures.gaps[0], { start: 10, duration: 400, pieces: [300, 100] });
  // No rendering reported there (it took under 50 ms): both pieces count as other tasks.
  assert.equal(figures.longest_other_task_ms, 300);
  assert.equal(figures.longest_render_ms, 0);
  // A Long Tasks API entry that holds a frame is a rendering; one that does not, a task. A piece
  // that starts at a frame counts, as a task, what is left after that rendering ended.
  const api = mainThreadFigures({
    tasks: [{ start: 5002, duration: 900 }, { start: 7000, duration: 80 }],
    gaps: [{ start: 4990, duration: 1100 }, { start: 8500, duration: 120 }],
    frames: [5002, 8000, 8510],
    beatsPerSecond: 200,
  });
  // First gap: 12 ms before the frame at 5002, then 1,088 ms: the rendering (900 ms, to 5902)
  // and 188 ms of tasks after it. Second gap: 10 ms, then 110 ms from a frame the API reports
  // no rendering for: tasks.
  assert.equal(api.longest_task_ms, 1088);
  assert.equal(api.longest_render_ms, 900);
  assert.equal(api.longest_other_task_ms, 188);
  // A rendering whose frame shows at its end (the piece before the frame holds it): the piece
  // counts as other tasks only outside it.
  const late = mainThreadFigures({
    tasks: [{ start: 1030, duration: 1850 }],
    gaps: [{ start: 1000, duration: 1920 }],
    frames: [2870],
    beatsPerSecond: 200,
  });
  assert.equal(late.longest_render_ms, 1850);
  assert.equal(late.longest_other_task_ms, 0); // 30 ms before it, 40 ms after it
  assert.equal(mainThreadFigures({ tasks: [{ start: 0, duration: 70 }], gaps: [], beatsPerSecond: 250 }).longest_task_ms, 70);
  assert.equal(mainThreadFigures({ tasks: [], gaps: [], beatsPerSecond: 250 }).longest_task_ms, 0);
});

test('generated pages: an ad every AD_EVERY units, unique ad ids', () => {
  const units = Array.from({ length: AD_EVERY * 6 }, (_, index) => unitAt(index));
  assert.equal(units.filter((unit) => unit.ad).length, 6);
  const html = articleHtml(AD_EVERY * 6);
  const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1]);
  assert.equal(new Set(ids).size, ids.length);
  assert.match(html, /div-gpt-ad-/);
  assert.match(html, /trc_related_container/);
  assert.match(html, />Sponsored</);
  assert.doesNotMatch(html, /<script/i);
});

test('bundle: raw and gzip bytes per file, missing files reported', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-bundle-'));
  try {
    fs.mkdirSync(path.join(dir, 'pkg'));
    fs.mkdirSync(path.join(dir, 'pkg-js'));
    fs.writeFileSync(path.join(dir, 'pkg', 'unsponsor_bg.wasm'), Buffer.alloc(5000));
    fs.writeFileSync(path.join(dir, 'pkg', 'unsponsor.js'), 'export {};\n');
    fs.writeFileSync(path.join(dir, 'pkg-js', 'unsponsor.js'), 'export {};\n');
    fs.writeFileSync(path.join(dir, 'pkg-js', 'unsponsor_bg.w2j.js'), 'export const x = 1;\n');
    const entries = measureBundle(dir);
    assert.deepEqual(entries.map((entry) => entry.file), ['pkg/unsponsor_bg.wasm', 'pkg/unsponsor.js', 'pkg-js/unsponsor.js', 'pkg-js/unsponsor_bg.w2j.js', 'rules/easylist.rules', 'rules/easylist.index']);
    assert.equal(entries[0].raw_bytes, 5000);
    assert.ok(entries[0].gzip_bytes < 5000);
    assert.equal(entries.at(-1).missing, true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('README section: rendered from the results, rewritten between the markers only', () => {
  const section = renderSection(fakeResults());
  assert.match(section, /Generated by `npm run bench -- --readme`/);
  assert.match(section, /\| ratio ours \/ Readability \| 0\.05 \|/);
  assert.match(section, /\| second run, warm: ratio \| 0\.05 \| 0\.12 \| 0\.12 \|/);
  assert.match(section, /second-run rows \(2 pages\).*different number of blocks: 0\./);
  const firstOnly = fakeResults();
  for (const page of firstOnly.corpus.pages) for (const key of Object.keys(page)) if (key.startsWith('warm_')) delete page[key];
  firstOnly.corpus.summary = summariseCorpus(firstOnly.corpus.pages);
  assert.doesNotMatch(renderSection(firstOnly), /second run/, 'a run without the second run shows no empty rows');
  assert.match(section, /\*\*missed\*\*/);
  assert.match(section, /timeout after 300000 ms/);
  assert.match(section, /not reported/);
  const readme = `# T\n\nbefore\n${START_MARKER}\nold figures\n${END_MARKER}\nafter\n`;
  const once = replaceSection(readme, section);
  assert.ok(once.startsWith(`# T\n\nbefore\n${START_MARKER}\n`));
  assert.ok(once.endsWith(`${END_MARKER}\nafter\n`));
  assert.doesNotMatch(once, /old figures/);
  assert.equal(replaceSection(once, section), once);
  assert.throws(() => replaceSection('# no markers\n', section), /no <!-- bench:start -->/);
  assert.doesNotMatch(section, /An experiment, not the product/);
  const experiment = fakeResults();
  experiment.environment.js_flags = '--expose-gc --no-wasm-lazy-compilation';
  assert.match(renderSection(experiment), /An experiment, not the product.*--no-wasm-lazy-compilation/);
});

test('the repository README has the generated section, and says it is generated', () => {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  assert.ok(start >= 0 && end > start, 'README.md has the bench markers');
  assert.match(readme.slice(start, end), /Generated by `npm run bench -- --readme`/);
});

test('paired comparison: per-page medians over runs, then the median of per-page differences', async () => {
  const { comparePaired } = await import('../../scripts/bench/compare.mjs');
  const page = (name, clean, extra = {}) => ({ case: name, error: null, clean_ms: clean, timings: { snapshot_ms: clean / 2, plan_ms: clean / 2 }, readability_ms: 10, ratio: clean / 10, startup_ms: 40, ...extra });
  // Build A: three pages, two runs; build B: each page 1 ms slower, and one page failed once.
  const runsA = [[page('a', 10), page('b', 20), page('c', 30)], [page('a', 12), page('b', 22), page('c', 32)]];
  const runsB = [[page('a', 11), page('b', 21), page('c', 31)], [page('a', 13), page('b', 23), { case: 'c', error: 'timeout' }]];
  const rows = Object.fromEntries(comparePaired(runsA, runsB).map((row) => [row.figure, row]));
  // Per-page medians (nearest rank): A a=10, b=20, c=30; B a=11, b=21, c=31 (its failed run left out).
  assert.equal(rows.clean_ms.a, 20);
  assert.equal(rows.clean_ms.b, 21);
  assert.equal(rows.clean_ms.difference, 1);
  assert.equal(rows.clean_ms.pages, 3);
  assert.equal(rows.startup_ms.difference, 0);
  // Page by page, not medians subtracted: the same times on other pages change the medians not at
  // all, but every page moved.
  const shuffled = comparePaired([[page('a', 10), page('b', 20), page('c', 30)]], [[page('a', 30), page('b', 10), page('c', 20)]]);
  assert.equal(shuffled[0].b - shuffled[0].a, 0);
  assert.equal(shuffled[0].difference, -10);
  // A page only one build has is not compared.
  const onlyA = comparePaired([[page('x', 5)]], [[page('y', 6)]]);
  assert.equal(onlyA[0].pages, 0);
  assert.equal(onlyA[0].difference, null);
});
