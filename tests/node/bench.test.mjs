// Tests for `npm run bench`'s own logic (scripts/bench/*): arguments, summary and targets on
// made-up figures (issue 17's keys), the main-thread figures of the page and of a trace, memory
// and thread arithmetic, generated pages, bundle sizes, the generated documentation, the
// comparison of builds. No browser, and no assertion on any measured time.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { measureBundle } from '../../scripts/bench/bundle.mjs';
import { compareKeys, comparePaired } from '../../scripts/bench/compare.mjs';
import {
  END_MARKER, HEADLINE_END, HEADLINE_START, START_MARKER, renderHeadline, renderSection, replaceSection,
} from '../../scripts/bench/docs.mjs';
import { mainThreadFigures, memoryAdded, threadSpent } from '../../scripts/bench/measure.mjs';
import { FULL_SIZES, PARTS, QUICK_SIZES, parseArguments } from '../../scripts/bench/options.mjs';
import { AD_EVERY, articleHtml, unitAt } from '../../scripts/bench/pages.mjs';
import {
  STARTUP_STEPS, TARGETS, buildSummary, evaluateTargets, percentile, resummarise, summariseColdStart, summariseCorpus,
  summariseStartupSteps,
} from '../../scripts/bench/summary.mjs';
import {
  WINDOW_END, WINDOW_START, pageTasks, traceFigures, unionLength,
} from '../../scripts/bench/trace.mjs';

/** Issue 17's keys, in its order. */
const ISSUE_KEYS = ['first_click_ratio_median', 'ratio_median', 'nothing_to_remove_ratio_median', 'clean_ms_p95', 'cold_start_ms',
  'longest_script_task_ms_1m', 'clean_ms_1m', 'observer_cpu_share', 'tab_memory_bytes_median', 'wasm_gzip_bytes'];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

test('arguments: defaults, quick, subsets and mistakes', () => {
  const defaults = parseArguments([]);
  assert.deepEqual(defaults.only, PARTS);
  assert.deepEqual(defaults.sizes, FULL_SIZES);
  assert.equal(defaults.corpus, null);
  assert.equal(defaults.docs, false);
  assert.deepEqual(parseArguments(['--quick']).sizes, QUICK_SIZES);
  const some = parseArguments(['--corpus', 'x', '--out', 'y.json', '--only', 'scaling,bundle', '--sizes', '1k,deep100k', '--docs']);
  assert.deepEqual([some.corpus, some.out, some.only, some.sizes, some.docs], ['x', 'y.json', ['scaling', 'bundle'], ['1k', 'deep100k'], true]);
  assert.throws(() => parseArguments(['--only', 'speed']), /unknown speed/);
  assert.throws(() => parseArguments(['--sizes', '2m']), /unknown 2m/);
  assert.throws(() => parseArguments(['--corpus']), /needs a value/);
  assert.throws(() => parseArguments(['--out', '--quick']), /needs a value/);
  assert.throws(() => parseArguments(['--fast']), /unknown argument/);
  assert.throws(() => parseArguments(['--readme']), /--readme is now --docs/);
  assert.throws(() => parseArguments(['--from', 'r.json']), /needs --docs/);
  assert.throws(() => parseArguments(['--from', 'r.json', '--docs', '--quick']), /only goes with --docs/);
  assert.equal(parseArguments(['--from', 'r.json', '--docs']).from, 'r.json');
});

test('percentiles are nearest-rank, as npm run eval computes them', () => {
  assert.equal(percentile([], 0.5), null);
  assert.equal(percentile([3, 1, 2], 0.5), 2);
  assert.equal(percentile([4, 1, 3, 2], 0.5), 2);
  const hundred = Array.from({ length: 100 }, (_, index) => index + 1);
  assert.equal(percentile(hundred, 0.95), 95);
  assert.equal(percentile([null, 5, undefined, Number.NaN], 0.5), 5);
});

test('corpus summary: the first clean alone; per-page ratio median differs from the ratio of medians; errors left out', () => {
  const pages = [
    { case: 'a', clean_ms: 1, clean_wall_ms: 2, readability_ms: 10, ratio: 0.1, longest_detach_ms: 0, detached: 0 },
    { case: 'b', clean_ms: 30, clean_wall_ms: 31, readability_ms: 10, ratio: 3, longest_detach_ms: 12, detached: 3 },
    { case: 'c', clean_ms: 8, clean_wall_ms: 9, readability_ms: 40, ratio: 0.2, longest_detach_ms: null, detached: null },
    { case: 'd', error: 'timeout' },
  ];
  const summary = summariseCorpus(pages);
  assert.equal(summary.pages, 4);
  assert.equal(summary.errors, 1);
  assert.equal(summary.first_clean_ms.median, 8);
  assert.equal(summary.first_clean_ms.max, 30);
  assert.equal(summary.readability_ms.median, 10);
  assert.equal(summary.first_ratio.median, 0.2);
  assert.equal(summary.first_ratio_of_medians, 0.8);
  // No warm run on these pages: the warm figures are empty, not taken from the first run.
  assert.equal(summary.warm_pages, 0);
  assert.equal(summary.clean_ms.count, 0);
  assert.equal(summary.ratio.median, null);
  // Frames detached after the clean: counted apart, pages without the figure left out.
  assert.equal(summary.pages_detaching_later, 1);
  assert.equal(summary.longest_detach_ms.count, 2);
  assert.equal(summary.longest_detach_ms.max, 12);
});

test('corpus summary: the warm run is the targets\' clean; nothing-to-remove pages apart; differing removals counted', () => {
  const pages = [
    { case: 'a', clean_ms: 10, readability_ms: 10, ratio: 1, removed: 3, warm_clean_ms: 2, warm_readability_ms: 5, warm_ratio: 0.4, warm_removed: 3 },
    { case: 'b', clean_ms: 20, readability_ms: 10, ratio: 2, removed: 1, warm_clean_ms: 6, warm_readability_ms: 4, warm_ratio: 1.5, warm_removed: 2 },
    { case: 'c', clean_ms: 30, readability_ms: 10, ratio: 3, removed: 0, warm_error: 'undo failed: no answer' },
    { case: 'e', clean_ms: 5, readability_ms: 10, ratio: 0.5, removed: 0, warm_clean_ms: 1, warm_readability_ms: 10, warm_ratio: 0.1, warm_removed: 0 },
    { case: 'd', error: 'timeout', warm_clean_ms: 1, warm_removed: 9 },
  ];
  const corpus = summariseCorpus(pages);
  assert.equal(corpus.warm_pages, 3);
  assert.deepEqual([corpus.clean_ms.count, corpus.clean_ms.median, corpus.clean_ms.max], [3, 2, 6]);
  assert.equal(corpus.readability_warm_ms.median, 5);
  assert.equal(corpus.ratio.median, 0.4);
  assert.equal(corpus.ratio_of_medians, 0.4);
  assert.equal(corpus.warm_removed_differs, 1, 'page b: 2 removals warm against 1 cold; c has no second run, d failed');
  // Nothing removed on c and e; c has no warm ratio, so only e counts.
  assert.equal(corpus.nothing_to_remove_pages, 2);
  assert.deepEqual([corpus.nothing_to_remove_ratio.count, corpus.nothing_to_remove_ratio.median], [1, 0.1]);
  // The first-run figures stay apart.
  assert.equal(corpus.first_clean_ms.median, 10);
  assert.equal(corpus.first_ratio.median, 1);
  const summary = buildSummary({ corpus: { summary: corpus } });
  assert.deepEqual([summary.ratio_median, summary.clean_ms_p95, summary.clean_ms_median, summary.readability_warm_ms_median, summary.warm_removed_differs],
    [0.4, 6, 2, 5, 1]);
  assert.equal(summary.nothing_to_remove_ratio_median, 0.1);
  assert.equal(summary.first_ratio_median, 1);
  assert.equal(summary.first_clean_ms_p95, 30);
  const none = buildSummary({});
  assert.deepEqual([none.ratio_median, none.clean_ms_p95, none.warm_removed_differs], [null, null, null]);
});

test('corpus summary: the first click over Readability, and the memory the clean adds, per page', () => {
  const pages = [
    { case: 'a', readability_ms: 10, first_click_ms: 40, first_click_ratio: 4, first_click_cpu_ms: 20, first_click_wall_ms: 60, startup_ms: 30, tab_memory_bytes: 3_000_000, wasm_memory_bytes: 2_500_000, heap_added_bytes: 400_000, array_buffers_added_bytes: 100_000 },
    { case: 'b', readability_ms: 50, first_click_ms: 50, first_click_ratio: 1, first_click_cpu_ms: 30, first_click_wall_ms: 70, startup_ms: 32, tab_memory_bytes: 1_000_000, wasm_memory_bytes: 900_000, heap_added_bytes: 90_000, array_buffers_added_bytes: 10_000 },
    { case: 'c', readability_ms: 5, first_click_ms: 45, first_click_ratio: 9, first_click_cpu_ms: 25, first_click_wall_ms: 65, startup_ms: 31, tab_memory_bytes: 2_000_000, memory_bytes: 1_800_000 },
  ];
  const corpus = summariseCorpus(pages);
  assert.deepEqual([corpus.first_click_ms.median, corpus.first_click_ratio.median, corpus.first_click_ratio.max], [45, 4, 9]);
  assert.equal(corpus.tab_memory_bytes.median, 2_000_000);
  // A row without wasm_memory_bytes falls back on the report's memory_bytes.
  assert.deepEqual([corpus.wasm_memory_bytes.count, corpus.wasm_memory_bytes.median], [3, 1_800_000]);
  const summary = buildSummary({ corpus: { summary: corpus } });
  assert.deepEqual([summary.first_click_ratio_median, summary.first_click_ms_median, summary.first_click_cpu_ms_median, summary.startup_ms_median, summary.tab_memory_bytes_median],
    [4, 45, 25, 31, 2_000_000]);
});

test('thread time and memory: CDP totals to what the click spent and added', () => {
  // Seconds in, ms out; DevTools commands taken out of the task time.
  const spent = threadSpent({ task: 1.0, devtools: 0.2, cpu: 0.5 }, { task: 1.05, devtools: 0.201, cpu: 0.52 });
  assert.ok(Math.abs(spent.main_thread_ms - 49) < 1e-6);
  assert.ok(Math.abs(spent.cpu_ms - 20) < 1e-6);
  assert.deepEqual(threadSpent({ task: null }, { task: 1 }), { main_thread_ms: null, cpu_ms: null });
  const added = memoryAdded({ used: 600_000, array_buffers: 100, embedder: 900_000 }, { used: 1_100_000, array_buffers: 70_100, embedder: 700_000 }, 2_490_368);
  assert.deepEqual(added, {
    wasm_memory_bytes: 2_490_368,
    heap_added_bytes: 500_000,
    array_buffers_added_bytes: 70_000,
    embedder_heap_added_bytes: -200_000,
    tab_memory_bytes: 2_490_368 + 500_000 + 70_000, // Blink's heap not counted
  });
  assert.equal(memoryAdded({ used: 1 }, { used: 2 }, null).tab_memory_bytes, null, 'no wasm memory reported: no total');
  assert.equal(memoryAdded({ used: 1 }, { used: 5 }, 10).tab_memory_bytes, 14, 'a heap without ArrayBuffer figures still adds up');
});

test('cold start: start-up alone, first run and median per engine; the clean beside it', () => {
  const runs = [
    { expected_engine: 'wasm', cold_start_ms: 150, startup_ms: 150, clean_ms: 50, click_main_thread_ms: 190 },
    { expected_engine: 'wasm2js', cold_start_ms: 450, startup_ms: 450, clean_ms: 150, click_main_thread_ms: 580 },
    { expected_engine: 'wasm', cold_start_ms: 60, startup_ms: 60, clean_ms: 40, click_main_thread_ms: 90 },
    { expected_engine: 'wasm', error: 'no answer' },
  ];
  const wasm = summariseColdStart(runs, 'wasm');
  assert.deepEqual([wasm.runs, wasm.errors, wasm.first_ms, wasm.median_ms, wasm.clean_median_ms], [3, 1, 150, 60, 40]);
  assert.equal(wasm.startup_and_clean_median_ms, 100);
  assert.equal(wasm.click_main_thread_median_ms, 90);
  assert.equal(summariseColdStart(runs, 'wasm2js').median_ms, 450);
});

function fakeResults() {
  const pages = [
    { case: 'a', clean_ms: 2, clean_wall_ms: 3, readability_ms: 40, ratio: 0.05, removed: 1, warm_clean_ms: 1, warm_readability_ms: 20, warm_ratio: 0.05, warm_removed: 1,
      first_click_ms: 30, first_click_ratio: 0.75, startup_ms: 9, tab_memory_bytes: 1_500_000, wasm_memory_bytes: 1_200_000, heap_added_bytes: 300_000, array_buffers_added_bytes: 0 },
    { case: 'b', clean_ms: 4, clean_wall_ms: 5, readability_ms: 50, ratio: 0.08, removed: 0, warm_clean_ms: 3, warm_readability_ms: 25, warm_ratio: 0.12, warm_removed: 0,
      first_click_ms: 60, first_click_ratio: 1.2, startup_ms: 9, tab_memory_bytes: 1_600_000, wasm_memory_bytes: 1_200_000, heap_added_bytes: 400_000, array_buffers_added_bytes: 0 },
  ];
  const results = {
    tool: 'npm run bench',
    generated_at: '2000-01-01T00:00:00.000Z',
    duration_s: 321,
    environment: { cpus: 2, cpu_model: 'Test CPU', node: '20.0.0', browser: 'Chromium 1', niceness: 10, load_start: 1, load_end: 2, js_flags: '--expose-gc' },
    options: { quick: false },
    corpus: { dir: '/x/dev', label: '../shared/corpus/dev', pages, summary: summariseCorpus(pages) },
    cold_start: {
      runs: [],
      wasm: { runs: 1, errors: 0, first_ms: 12, median_ms: 8, clean_median_ms: 20, startup_and_clean_median_ms: 28 },
      wasm2js: { runs: 1, errors: 0, first_ms: 90, median_ms: 70, clean_median_ms: 100, startup_and_clean_median_ms: 170 },
    },
    scaling: [
      { name: '1k', elements: 1000, completed: true, clean_ms: 3, clean_wall_ms: 4, clean_script_ms: 5, longest_task_ms: 3, longest_script_task_ms: 3, longest_render_ms: 1, long_script_tasks: 0, memory_bytes: 1_179_648, removed: 6 },
      { name: '1m', elements: 1_000_000, completed: true, clean_ms: 250, clean_wall_ms: 900, clean_script_ms: 280, longest_task_ms: 1900, longest_script_task_ms: 45, longest_render_ms: 1880, long_script_tasks: 0, memory_bytes: 6_000_000, removed: 6310, ads: 6310, ads_left: 0 },
      { name: 'deep100k', elements: 100_245, completed: true, clean_ms: 900, clean_script_ms: 950, longest_task_ms: 910, longest_script_task_ms: 910, longest_render_ms: 0, memory_bytes: null, removed: 10 },
    ],
    observer: { error: null, cpu_share: 0.04, cdp_share: 0.05, late_ms: 200, window_ms: 5000, late_passes: 6, ads_inserted: 10, ads_left: 0, elements_per_second: 3000, parameters: { durationMs: 5000, adEvery: 20 } },
    bundle: [
      { name: 'wasm', file: 'pkg/unsponsor_bg.wasm', what: 'core', raw_bytes: 300_000, gzip_bytes: 131_073 },
      { name: 'rules', file: 'rules/easylist.rules', what: 'rules', raw_bytes: 700_000, gzip_bytes: 220_000 },
      { name: 'rules_index', file: 'rules/easylist.index', what: 'index', raw_bytes: 600_000, gzip_bytes: 150_000 },
    ],
  };
  results.summary = buildSummary(results);
  results.targets = evaluateTargets(results.summary);
  return results;
}

test('summary and targets carry exactly issue 17\'s keys, each met, missed or not measured', () => {
  const { summary, targets } = fakeResults();
  assert.deepEqual(TARGETS.map((target) => target.id).slice(0, ISSUE_KEYS.length), ISSUE_KEYS);
  for (const key of [...ISSUE_KEYS, 'longest_render_ms_1m', 'cold_start_wasm2js_ms', 'rules_gzip_bytes']) assert.ok(key in summary, `summary.${key}`);
  assert.deepEqual(Object.keys(summary).slice(0, 11), [...ISSUE_KEYS.slice(0, 6), 'longest_render_ms_1m', ...ISSUE_KEYS.slice(6)]);
  assert.deepEqual(Object.keys(targets), [...ISSUE_KEYS, 'completed_deep_100k']);
  // The values, from the parts they come from.
  assert.equal(summary.first_click_ratio_median, 0.75);
  assert.equal(summary.ratio_median, 0.05, 'the warm ratio');
  assert.equal(summary.nothing_to_remove_ratio_median, 0.12, 'page b removed nothing');
  assert.equal(summary.clean_ms_p95, 3, 'the warm clean');
  assert.equal(summary.cold_start_ms, 8, 'start-up alone');
  assert.equal(summary.cold_start_wasm2js_ms, 70);
  assert.equal(summary.cold_start_and_clean_ms, 28);
  assert.equal(summary.longest_script_task_ms_1m, 45);
  assert.equal(summary.longest_render_ms_1m, 1880);
  assert.equal(summary.clean_ms_1m, 280, 'the traced script time');
  assert.equal(summary.core_clean_ms_1m, 250, 'the core\'s clean_ms beside it');
  assert.equal(summary.observer_cpu_share, 0.04);
  assert.equal(summary.tab_memory_bytes_median, 1_500_000);
  assert.equal(summary.wasm_gzip_bytes, 131_073);
  assert.equal(summary.rules_gzip_bytes, 370_000, 'the rules and their index');
  assert.equal(summary.rules_index_gzip_bytes, 150_000);
  const status = Object.fromEntries(Object.entries(targets).map(([id, entry]) => [id, entry.status]));
  assert.deepEqual(status, {
    first_click_ratio_median: 'met',
    ratio_median: 'met',
    nothing_to_remove_ratio_median: 'missed',
    clean_ms_p95: 'met',
    cold_start_ms: 'met',
    longest_script_task_ms_1m: 'met', // the 1,880 ms rendering is reported apart, not held to it
    clean_ms_1m: 'met',
    observer_cpu_share: 'missed', // 0.04 > 0.03
    tab_memory_bytes_median: 'met',
    wasm_gzip_bytes: 'missed', // one byte over 128 KiB
    completed_deep_100k: 'met',
  });
  for (const entry of Object.values(targets)) assert.ok(entry.meaning && entry.target, 'each target says what it is and its limit');
  assert.equal(targets.ratio_median.aim_met, true);
  assert.equal(targets.ratio_median.target, '≤ 0.25 (aim 0.10)');
  assert.deepEqual(targets.cold_start_ms.beside, { cold_start_wasm2js_ms: 70 });
  assert.deepEqual(targets.longest_script_task_ms_1m.beside, { longest_render_ms_1m: 1880 });
  assert.equal(targets.tab_memory_bytes_median.limit, 2_097_152);
  assert.equal(targets.wasm_gzip_bytes.limit, 131_072);
  const empty = evaluateTargets(buildSummary({}));
  assert.ok(Object.values(empty).every((entry) => entry.status === 'not measured'));
});

test('targets: the 1M page\'s figures are missed when it did not complete; the aim is reported apart', () => {
  const results = fakeResults();
  results.scaling[1] = { name: '1m', elements: 1_000_000, completed: false, error: 'timeout after 300000 ms: clean', longest_script_task_ms: null, clean_script_ms: null };
  const targets = evaluateTargets(buildSummary(results));
  assert.equal(targets.longest_script_task_ms_1m.status, 'missed');
  assert.equal(targets.clean_ms_1m.status, 'missed');
  assert.equal(targets.longest_script_task_ms_1m.value, null);
  const summary = buildSummary(fakeResults());
  summary.ratio_median = 0.2;
  const ratio = evaluateTargets(summary).ratio_median;
  assert.deepEqual([ratio.status, ratio.aim_met], ['met', false]);
});

test('a run saved by an older bench is read with today\'s definitions', () => {
  // The shape of a 2026-11-28 run: no first click, no memory, the old cold-start and scaling figures.
  const old = {
    tool: 'npm run bench',
    corpus: { pages: [{ case: 'a', clean_ms: 14, readability_ms: 12, ratio: 1.17, removed: 2, warm_clean_ms: 7, warm_readability_ms: 6, warm_ratio: 1.1667, warm_removed: 2 }], summary: { clean_ms: { p95: 14 } } },
    cold_start: { runs: [{ expected_engine: 'wasm', startup_ms: 30, clean_ms: 30, cold_start_ms: 60 }], wasm: { median_ms: 60 }, wasm2js: { median_ms: 250 } },
    scaling: [{ name: '1m', completed: true, clean_ms: 5876, longest_task_ms: 1981, longest_other_task_ms: 175, longest_render_ms: 1968 }],
    summary: { ratio_median: 1.17, clean_ms_p95: 14 },
    targets: [{ id: 'ratio_median', status: 'missed' }],
  };
  const today = resummarise(old);
  assert.equal(today.summary.ratio_median, 1.1667, 'the warm ratio, not the old first-run one');
  assert.equal(today.summary.clean_ms_p95, 7);
  assert.equal(today.summary.first_ratio_median, 1.17);
  assert.equal(today.summary.cold_start_ms, 30, 'start-up alone');
  assert.equal(today.summary.first_click_ratio_median, null);
  assert.equal(today.targets.first_click_ratio_median.status, 'not measured');
  assert.equal(today.summary.longest_render_ms_1m, 1968);
  assert.equal(today.summary.longest_script_task_ms_1m, null, 'the old run had no trace');
  assert.equal(old.summary.ratio_median, 1.17, 'the saved run is left as it was');
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

test('trace: the page\'s tasks split into rendering and script; the longest of each, and the sums', () => {
  const meta = (pid, tid, name) => ({ ph: 'M', name: 'thread_name', pid, tid, args: { name } });
  const task = (ts, dur, pid = 7, tid = 1) => ({ ph: 'X', name: 'RunTask', cat: 'disabled-by-default-devtools.timeline', pid, tid, ts, dur });
  const step = (name, ts, dur, pid = 7, tid = 1) => ({ ph: 'X', name, cat: 'devtools.timeline', pid, tid, ts, dur });
  const events = [
    { ph: 'I', name: 'TracingStartedInBrowser', args: { data: { frames: [{ url: 'http://127.0.0.1:1/other/', processId: 9 }, { url: 'http://127.0.0.1:1/bench/shell/', processId: 7, isOutermostMainFrame: true }] } } },
    meta(7, 1, 'CrRendererMain'), meta(7, 2, 'Compositor'), meta(9, 1, 'CrRendererMain'),
    // A slice of the clean: 40 ms of script, with a 5 ms layout it forced: all of it script.
    task(1_000_000, 40_000), step('FunctionCall', 1_000_100, 30_000), step('Layout', 1_031_000, 5_000),
    // The frame after the removals: 300 ms, of which style 100, layout 110, paint 30 (10 of them
    // inside the layout's span: counted once) and commit 10, and 60 ms of a requestAnimationFrame
    // callback. A step past the task's end counts up to that end only.
    task(2_000_000, 300_000), step('FunctionCall', 2_000_000, 60_000), step('UpdateLayoutTree', 2_060_000, 100_000),
    step('Layout', 2_160_000, 110_000), step('Paint', 2_260_000, 30_000), step('Commit', 2_290_000, 20_000),
    // A long script task (the hiding), and tasks of other threads and processes, not counted.
    task(3_000_000, 70_000), step('TimerFire', 3_000_000, 70_000),
    task(1_500_000, 900_000, 9, 1), task(1_500_000, 900_000, 7, 2),
    // An event of another kind on the page's thread ('B'), not a task.
    { ph: 'B', name: 'RunTask', pid: 7, tid: 1, ts: 4_000_000 },
    // The window's marks: the tasks before the first (starting the trace) and after the second
    // (the renderer flushing the trace as it ends) are left out.
    { ph: 'I', name: 'TimeStamp', pid: 7, tid: 1, ts: 999_000, args: { data: { message: WINDOW_START } } },
    { ph: 'I', name: 'TimeStamp', pid: 7, tid: 1, ts: 3_500_000, args: { data: { message: WINDOW_END } } },
    task(500_000, 80_000), step('FunctionCall', 500_000, 80_000),
    task(3_600_000, 90_000), task(3_700_000, 10),
  ];
  const tasks = pageTasks(events, 'http://127.0.0.1:1/bench/shell/');
  assert.deepEqual(tasks.map((entry) => [entry.start_ms, entry.duration_ms, entry.frame, entry.render_ms, entry.script_ms]), [
    [0, 40, false, 0, 40],
    [1000, 300, true, 240, 60],
    [2000, 70, false, 0, 70],
  ]);
  const figures = traceFigures(events, 'http://127.0.0.1:1/bench/shell/');
  assert.equal(figures.trace_found, true);
  assert.equal(figures.longest_task_ms, 300);
  assert.equal(figures.longest_script_task_ms, 70);
  assert.equal(figures.longest_render_ms, 240);
  assert.equal(figures.script_ms, 170);
  assert.equal(figures.render_ms, 240);
  assert.deepEqual([figures.tasks, figures.long_tasks, figures.long_script_tasks], [3, 2, 2]);
  assert.deepEqual(figures.longest[0], { start: 1000, duration: 300, render: 240, script: 60 });
  // A page named by no frame falls back on the outermost main frame; no frames at all: nothing.
  assert.equal(traceFigures(events, 'http://elsewhere/').tasks, 3);
  // Without the marks, every task of the page's thread counts.
  const unmarked = events.filter((event) => event.name !== 'TimeStamp');
  assert.deepEqual([traceFigures(unmarked, 'http://127.0.0.1:1/bench/shell/').tasks, traceFigures(unmarked, 'http://127.0.0.1:1/bench/shell/').longest_script_task_ms], [6, 90]);
  const missing = traceFigures([meta(7, 1, 'CrRendererMain'), task(0, 10)], 'http://127.0.0.1:1/bench/shell/');
  assert.deepEqual([missing.trace_found, missing.longest_script_task_ms, missing.script_ms], [false, null, null]);
  assert.equal(unionLength([[0, 10], [5, 15], [20, 25], [24, 24]]), 20);
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
    assert.deepEqual(entries.map((entry) => entry.file), ['pkg/unsponsor_bg.wasm', 'pkg/unsponsor.js', 'pkg-js/unsponsor.js', 'pkg-js/unsponsor_bg.w2j.js', 'rules/easylist.rules']);
    assert.equal(entries[0].raw_bytes, 5000);
    assert.ok(entries[0].gzip_bytes < 5000);
    assert.equal(entries.at(-1).missing, true);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('docs: the section and the headline rendered from the results, rewritten between their markers only', () => {
  const section = renderSection(fakeResults());
  assert.match(section, /Generated by `npm run bench -- --docs`/);
  // Every issue 17 key in the table, with its value and status.
  for (const key of ISSUE_KEYS) assert.match(section, new RegExp(`\\| \`${key}\` \\|`), key);
  assert.match(section, /\| `first_click_ratio_median` \|[^\n]*\| ≤ 1\.0 \| 0\.750 \|\s+\| \*\*met\*\* \|/);
  assert.match(section, /\| `ratio_median` \|[^\n]*\| ≤ 0\.25 \(aim 0\.10\) \| 0\.050 \|\s+\| \*\*met \(aim 0\.10 met\)\*\* \|/);
  assert.match(section, /\| `cold_start_ms` \|[^\n]*\| 8\.00 ms \| wasm2js 70\.0 ms \| \*\*met\*\* \|/);
  assert.match(section, /\| `longest_script_task_ms_1m` \|[^\n]*\| 45\.0 ms \| rendering \(longest_render_ms_1m\) 1880\.0 ms \|/);
  assert.match(section, /\| `wasm_gzip_bytes` \|[^\n]*\| 131,073 B \|\s+\| \*\*missed\*\* \|/);
  assert.match(section, /\| warm clean \/ warm Readability \(`ratio_median`\) \| 0\.05 \| 0\.12 \| 0\.12 \|/);
  assert.match(section, /the same on the 1 page where nothing is removed/);
  assert.match(section, /\| 1m \| 1,000,000 \(–\) \| yes \| 280\.0 \| 250\.0 \|/);
  assert.doesNotMatch(section, /An experiment, not the product/);
  const firstOnly = fakeResults();
  for (const page of firstOnly.corpus.pages) for (const key of Object.keys(page)) if (key.startsWith('warm_')) delete page[key];
  firstOnly.corpus.summary = summariseCorpus(firstOnly.corpus.pages);
  assert.doesNotMatch(renderSection(firstOnly), /warm clean after undo/, 'a run without the warm run shows no empty rows');
  const failed = fakeResults();
  failed.scaling[1] = { name: '1m', elements_target: 1_000_000, completed: false, error: 'timeout after 300000 ms: clean', memory_bytes: null };
  assert.match(renderSection(failed), /no: timeout after 300000 ms/);
  const experiment = fakeResults();
  experiment.environment.js_flags = '--expose-gc --no-wasm-lazy-compilation';
  assert.match(renderSection(experiment), /An experiment, not the product.*--no-wasm-lazy-compilation/);

  const headline = renderHeadline(fakeResults());
  assert.doesNotMatch(headline, /\n/, 'one line');
  assert.match(headline, /first click × 0\.750 \(target ≤ 1\.0: met\)/);
  assert.match(headline, /warm clean × 0\.050 \(target ≤ 0\.25, aim 0\.10: met\)/);
  assert.match(headline, /8 of 11 targets met/);
  assert.match(headline, /docs\/PERFORMANCE\.md/);

  const doc = `# T\n\nbefore\n${START_MARKER}\nold figures\n${END_MARKER}\nafter\n`;
  const once = replaceSection(doc, section);
  assert.ok(once.startsWith(`# T\n\nbefore\n${START_MARKER}\n`));
  assert.ok(once.endsWith(`${END_MARKER}\nafter\n`));
  assert.doesNotMatch(once, /old figures/);
  assert.equal(replaceSection(once, section), once);
  assert.throws(() => replaceSection('# no markers\n', section), /docs\/PERFORMANCE\.md has no <!-- bench:start -->/);
  const readme = `# R\n${HEADLINE_START}\nold line\n${HEADLINE_END}\nrest\n`;
  const markers = { start: HEADLINE_START, end: HEADLINE_END, file: 'README.md' };
  assert.equal(replaceSection(readme, headline, markers), `# R\n${HEADLINE_START}\n${headline}\n${HEADLINE_END}\nrest\n`);
  assert.throws(() => replaceSection(doc, headline, markers), /README\.md has no <!-- bench-headline:start -->/);
});

test('the repository\'s docs/PERFORMANCE.md has the generated section, and README.md the headline line', () => {
  const performance = fs.readFileSync(path.join(root, 'docs', 'PERFORMANCE.md'), 'utf8');
  const start = performance.indexOf(START_MARKER);
  const end = performance.indexOf(END_MARKER);
  assert.ok(start >= 0 && end > start, 'docs/PERFORMANCE.md has the bench markers');
  assert.match(performance.slice(start, end), /Generated by `npm run bench -- --docs`/);
  for (const key of ISSUE_KEYS) assert.ok(performance.slice(start, end).includes(`\`${key}\``), `the generated section lists ${key}`);
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const from = readme.indexOf(HEADLINE_START);
  const to = readme.indexOf(HEADLINE_END);
  assert.ok(from >= 0 && to > from, 'README.md has the headline markers');
  assert.equal(readme.slice(from + HEADLINE_START.length, to).trim().split('\n').length, 1, 'one line');
  assert.ok(readme.includes('(docs/PERFORMANCE.md)'), 'README.md points to docs/PERFORMANCE.md');
  assert.ok(!readme.includes(START_MARKER), 'the tables left README.md');
});

test('paired comparison: per-page medians over runs, then the median of per-page differences', () => {
  const page = (name, clean, extra = {}) => ({
    case: name, error: null, clean_ms: clean * 2, warm_clean_ms: clean, timings: { snapshot_ms: clean / 2, plan_ms: clean / 2 },
    readability_ms: 10, warm_ratio: clean / 10, startup_ms: 40, first_click_ms: clean + 40, removed: 1, ...extra,
  });
  // Build A: three pages, two runs; build B: each page 1 ms slower, and one page failed once.
  const runsA = [[page('a', 10), page('b', 20), page('c', 30)], [page('a', 12), page('b', 22), page('c', 32)]];
  const runsB = [[page('a', 11), page('b', 21), page('c', 31)], [page('a', 13), page('b', 23), { case: 'c', error: 'timeout' }]];
  const rows = Object.fromEntries(comparePaired(runsA, runsB).map((row) => [row.figure, row]));
  // Per-page medians (nearest rank): A a=10, b=20, c=30; B a=11, b=21, c=31 (its failed run left out).
  assert.equal(rows['clean_ms (warm)'].a, 20);
  assert.equal(rows['clean_ms (warm)'].b, 21);
  assert.equal(rows['clean_ms (warm)'].difference, 1);
  assert.equal(rows['clean_ms (warm)'].pages, 3);
  assert.equal(rows.first_clean_ms.difference, 2);
  assert.equal(rows.first_click_ms.difference, 1);
  assert.equal(rows.startup_ms.difference, 0);
  assert.equal(rows.nothing_to_remove_ratio.pages, 0, 'every page removed something');
  assert.equal(rows.first_click_ratio.pages, 0, 'not in these rows');
  // Page by page, not medians subtracted: the same times on other pages change the medians not at
  // all, but every page moved.
  const shuffled = Object.fromEntries(comparePaired([[page('a', 10), page('b', 20), page('c', 30)]], [[page('a', 30), page('b', 10), page('c', 20)]]).map((row) => [row.figure, row]));
  assert.equal(shuffled['clean_ms (warm)'].b - shuffled['clean_ms (warm)'].a, 0);
  assert.equal(shuffled['clean_ms (warm)'].difference, -10);
  // A page only one build has is not compared.
  const onlyA = comparePaired([[page('x', 5)]], [[page('y', 6)]]);
  assert.equal(onlyA[0].pages, 0);
  assert.equal(onlyA[0].difference, null);
});

test('key comparison: issue 17\'s keys, median over each build\'s runs, with met or missed', () => {
  const a1 = fakeResults();
  const a2 = fakeResults();
  a2.cold_start.runs = [{ expected_engine: 'wasm', startup_ms: 20, clean_ms: 10 }, { expected_engine: 'wasm2js', startup_ms: 80, clean_ms: 10 }];
  const b = fakeResults();
  b.cold_start.runs = [{ expected_engine: 'wasm', startup_ms: 5, clean_ms: 10 }, { expected_engine: 'wasm2js', startup_ms: 60, clean_ms: 10 }];
  b.bundle[0].gzip_bytes = 120_000;
  const rows = Object.fromEntries(compareKeys([a1, a2], [b]).map((row) => [row.key, row]));
  assert.deepEqual(Object.keys(rows), [...ISSUE_KEYS.slice(0, 5), 'cold_start_wasm2js_ms', 'longest_script_task_ms_1m', 'longest_render_ms_1m', ...ISSUE_KEYS.slice(6), 'completed_deep_100k']);
  // Summaries rebuilt from each run's raw parts: a1 has no cold-start runs, so only a2 counts.
  assert.deepEqual([rows.cold_start_ms.a, rows.cold_start_ms.b, rows.cold_start_ms.difference], [20, 5, -15]);
  assert.deepEqual([rows.cold_start_ms.a_status, rows.cold_start_ms.b_status, rows.cold_start_ms.runs_a], ['missed', 'met', 1]);
  assert.deepEqual([rows.cold_start_wasm2js_ms.a, rows.cold_start_wasm2js_ms.b, rows.cold_start_wasm2js_ms.a_status], [80, 60, 'beside']);
  assert.deepEqual([rows.wasm_gzip_bytes.a_status, rows.wasm_gzip_bytes.b_status, rows.wasm_gzip_bytes.difference], ['missed', 'met', -11_073]);
  assert.deepEqual([rows.ratio_median.a, rows.ratio_median.difference], [0.05, 0]);
  assert.deepEqual([rows.completed_deep_100k.a, rows.completed_deep_100k.a_status], [true, 'met']);
});

test('the first click\'s steps: the median of each, and what it adds to the step before', () => {
  const steps = [['inject', 'injected'], ['glue', 'and the glue'], ['module', 'and the module']];
  const runs = [
    { step: 'inject', main_thread_ms: 3, error: null },
    { step: 'inject', main_thread_ms: 2, error: null },
    { step: 'inject', main_thread_ms: 4, error: null },
    { step: 'glue', main_thread_ms: 7, error: null },
    { step: 'glue', main_thread_ms: null, error: 'tab closed' },
    { step: 'glue', main_thread_ms: 6, error: null },
  ];
  const summary = summariseStartupSteps(runs, steps);
  assert.deepEqual(summary.map((s) => [s.step, s.median_ms, s.added_ms, s.runs, s.errors]), [
    ['inject', 3, 3, 3, 0],
    ['glue', 6, 3, 3, 1],
    // Not measured: no median, nothing added, and the next step would count from glue's.
    ['module', null, null, 0, 0],
  ]);
  // The bench's steps run in the order content.js loads, and end with the whole first click.
  assert.deepEqual(STARTUP_STEPS.map(([step]) => step), ['inject', 'glue', 'module', 'warm_up', 'rules_fetched', 'rules_loaded', 'first_click']);
  // A saved run is summarised again from its runs (npm run bench -- --from FILE --docs).
  const again = resummarise({ cold_start: { runs: [], step_runs: [{ step: 'inject', main_thread_ms: 5, error: null }] } });
  assert.equal(again.cold_start.steps[0].median_ms, 5);
});
