// From the bench's raw measurements to its summary, its targets and its console lines. Pure
// functions on plain data (tests/node/bench.test.mjs runs them on made-up figures).

/**
 * Nearest-rank percentile, as `npm run eval` computes it: the smallest value with at least
 * `fraction` of the values at or below it (the median of an even count is the lower middle).
 */
export function percentile(values, fraction) {
  const finite = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1))];
}

export function distribution(values) {
  const finite = values.filter((value) => typeof value === 'number' && Number.isFinite(value));
  return {
    count: finite.length,
    median: percentile(finite, 0.5),
    p95: percentile(finite, 0.95),
    max: finite.length ? Math.max(...finite) : null,
  };
}

/** Ours / Readability on one page; null when either is missing or Readability took no time. */
export function pageRatio(cleanMs, readabilityMs) {
  if (typeof cleanMs !== 'number' || typeof readabilityMs !== 'number' || !(readabilityMs > 0)) return null;
  return cleanMs / readabilityMs;
}

export function summariseCorpus(pages) {
  const ok = pages.filter((page) => !page.error);
  const clean = distribution(ok.map((page) => page.clean_ms));
  const wall = distribution(ok.map((page) => page.clean_wall_ms));
  const readability = distribution(ok.map((page) => page.readability_ms));
  const ratio = distribution(ok.map((page) => page.ratio));
  const detach = distribution(ok.map((page) => page.longest_detach_ms));
  return {
    pages: pages.length,
    errors: pages.length - ok.length,
    clean_ms: clean,
    clean_wall_ms: wall,
    readability_ms: readability,
    ratio,
    ratio_of_medians: pageRatio(clean.median, readability.median),
    // Blocks holding a frame are detached after the clean, in tasks of their own (removal.js):
    // the longest such task per page (null for pages that detached nothing later).
    longest_detach_ms: detach,
    pages_detaching_later: ok.filter((page) => page.detached > 0).length,
    // Pages where the heap was collected before each timed call (the browser exposed gc()).
    heap_collected: ok.filter((page) => page.heap_collected).length,
    // The second run on each page (after undo, measure.mjs `secondRun`): both warm.
    warm_pages: ok.filter((page) => typeof page.warm_clean_ms === 'number').length,
    clean_warm_ms: distribution(ok.map((page) => page.warm_clean_ms)),
    readability_warm_ms: distribution(ok.map((page) => page.warm_readability_ms)),
    ratio_warm: distribution(ok.map((page) => page.warm_ratio)),
    // Pages whose second clean removed a different number of blocks than the first: undo puts
    // the page back as it was, so this should be 0.
    warm_removed_differs: ok.filter((page) => typeof page.warm_removed === 'number' && page.warm_removed !== page.removed).length,
  };
}

/**
 * The median of each part of start-up over runs that report them (content.js `startupParts`):
 * module = glue import + module download, compile and instantiation; glue = the glue's import
 * alone (a part of module); rules_wait = the rest of the rule file's download; rules_read = the
 * core reading the rules. Null when no run reports them.
 */
export function partMedians(parts) {
  const reported = parts.filter((part) => part && typeof part === 'object');
  if (!reported.length) return null;
  const names = ['glue', 'module', 'rules_wait', 'rules_read'];
  return Object.fromEntries(names.map((name) => [name, percentile(reported.map((part) => part[name]), 0.5)]));
}

/** Cold start of one engine over its runs: the first (fresh browser) and the median. */
export function summariseColdStart(runs, engine) {
  const mine = runs.filter((run) => run.expected_engine === engine);
  const ok = mine.filter((run) => !run.error);
  return {
    runs: mine.length,
    errors: mine.length - ok.length,
    first_ms: ok.length ? ok[0].cold_start_ms : null,
    median_ms: percentile(ok.map((run) => run.cold_start_ms), 0.5),
    max_ms: ok.length ? Math.max(...ok.map((run) => run.cold_start_ms)) : null,
    startup_median_ms: percentile(ok.map((run) => run.startup_ms), 0.5),
    startup_parts_median_ms: partMedians(ok.map((run) => run.startup_parts)),
    clean_median_ms: percentile(ok.map((run) => run.clean_ms), 0.5),
  };
}

const byName = (list, name) => (list || []).find((entry) => entry.name === name) || null;

/** The `summary` object of the JSON: the figures the issue names, null where not measured. */
export function buildSummary(results) {
  const corpus = results.corpus && results.corpus.summary;
  const cold = results.cold_start;
  const page1m = byName(results.scaling, '1m');
  const deep = byName(results.scaling, 'deep100k');
  const wasm = byName(results.bundle, 'wasm');
  const rules = byName(results.bundle, 'rules');
  const rulesIndex = byName(results.bundle, 'rules_index');
  const observer = results.observer;
  return {
    pages: corpus ? corpus.pages : null,
    page_errors: corpus ? corpus.errors : null,
    clean_ms_median: corpus ? corpus.clean_ms.median : null,
    clean_ms_p95: corpus ? corpus.clean_ms.p95 : null,
    clean_ms_max: corpus ? corpus.clean_ms.max : null,
    clean_wall_ms_median: corpus ? corpus.clean_wall_ms.median : null,
    readability_ms_median: corpus ? corpus.readability_ms.median : null,
    readability_ms_p95: corpus ? corpus.readability_ms.p95 : null,
    readability_ms_max: corpus ? corpus.readability_ms.max : null,
    ratio_median: corpus ? corpus.ratio.median : null,
    ratio_p95: corpus ? corpus.ratio.p95 : null,
    ratio_max: corpus ? corpus.ratio.max : null,
    ratio_of_medians: corpus ? corpus.ratio_of_medians : null,
    longest_detach_ms_max: corpus && corpus.longest_detach_ms ? corpus.longest_detach_ms.max : null,
    // No target: the same page a second time, both warm (see summariseCorpus).
    clean_warm_ms_median: corpus && corpus.clean_warm_ms ? corpus.clean_warm_ms.median : null,
    readability_warm_ms_median: corpus && corpus.readability_warm_ms ? corpus.readability_warm_ms.median : null,
    ratio_warm_median: corpus && corpus.ratio_warm ? corpus.ratio_warm.median : null,
    warm_removed_differs: corpus ? corpus.warm_removed_differs ?? null : null,
    cold_start_ms: cold ? cold.wasm.median_ms : null,
    cold_start_first_ms: cold ? cold.wasm.first_ms : null,
    cold_start_wasm2js_ms: cold ? cold.wasm2js.median_ms : null,
    cold_start_wasm2js_first_ms: cold ? cold.wasm2js.first_ms : null,
    clean_ms_1m: page1m ? page1m.clean_ms : null,
    longest_task_ms_1m: page1m ? page1m.longest_task_ms : null,
    // The same split: the browser's rendering of the page, and every other task (the clean's
    // own slices, the detaching after it, garbage collections); and the rendering after a
    // one-character edit of the page, what any change costs there.
    longest_render_ms_1m: page1m ? page1m.longest_render_ms ?? null : null,
    longest_other_task_ms_1m: page1m ? page1m.longest_other_task_ms ?? null : null,
    render_floor_ms_1m: page1m ? page1m.render_floor_ms ?? null : null,
    completed_1m: page1m ? page1m.completed : null,
    memory_bytes_1m: page1m ? page1m.memory_bytes : null,
    completed_deep_100k: deep ? deep.completed : null,
    clean_ms_deep_100k: deep ? deep.clean_ms : null,
    observer_cpu_share: observer && !observer.error ? observer.cpu_share : null,
    wasm_gzip_bytes: wasm ? wasm.gzip_bytes : null,
    // The compiled rule data a page loads: the rules and, where the build made it, their index.
    rules_gzip_bytes: rules ? rules.gzip_bytes + ((rulesIndex && rulesIndex.gzip_bytes) || 0) : null,
    rules_index_gzip_bytes: rulesIndex ? rulesIndex.gzip_bytes : null,
  };
}

/** The targets. `met` is true, false, or null when the figure was not measured. */
export const TARGETS = [
  { id: 'ratio_median', text: 'median per-page ratio clean / Readability ≤ 0.10', check: (s) => below(s.ratio_median, 0.10), value: (s) => s.ratio_median, limit: 0.10 },
  { id: 'clean_ms_p95', text: 'clean p95 ≤ 16 ms', check: (s) => below(s.clean_ms_p95, 16), value: (s) => s.clean_ms_p95, limit: 16 },
  {
    id: 'longest_task_ms_1m',
    text: '1M-element page completes, longest task ≤ 50 ms',
    check: (s) => (s.completed_1m === null ? null : s.completed_1m === true && below(s.longest_task_ms_1m, 50) === true),
    value: (s) => s.longest_task_ms_1m,
    limit: 50,
  },
  { id: 'completed_deep_100k', text: '100k-deep page completes', check: (s) => (s.completed_deep_100k === null ? null : s.completed_deep_100k === true), value: (s) => s.completed_deep_100k, limit: true },
  { id: 'observer_cpu_share', text: 'observer main-thread share ≤ 0.05', check: (s) => below(s.observer_cpu_share, 0.05), value: (s) => s.observer_cpu_share, limit: 0.05 },
  { id: 'wasm_gzip_bytes', text: 'wasm ≤ 100 KB gzip (100,000 bytes)', check: (s) => below(s.wasm_gzip_bytes, 100_000), value: (s) => s.wasm_gzip_bytes, limit: 100_000 },
];

function below(value, limit) {
  if (value === null || value === undefined) return null;
  return value <= limit;
}

export function evaluateTargets(summary) {
  return TARGETS.map((target) => {
    const met = target.check(summary);
    return { id: target.id, target: target.text, value: target.value(summary) ?? null, limit: target.limit, met, status: statusOf(met) };
  });
}

export const statusOf = (met) => (met === null ? 'not measured' : met ? 'met' : 'missed');

// ---- formatting (console and README) ----

export function fixed(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number(value).toFixed(digits);
}

export function bytes(value) {
  if (value === null || value === undefined) return '–';
  return value >= 10_240 ? `${(value / 1024).toFixed(1)} KB` : `${value} B`;
}

/** One target as a console/README line. */
export function targetLine(target) {
  const value = typeof target.value === 'boolean' ? (target.value ? 'yes' : 'no')
    : target.id === 'wasm_gzip_bytes' ? String(target.value ?? '–')
      : target.id === 'ratio_median' || target.id === 'observer_cpu_share' ? fixed(target.value, 3)
        : fixed(target.value, 1);
  return `${target.status.toUpperCase().padEnd(12)} ${target.target} (measured: ${value})`;
}
