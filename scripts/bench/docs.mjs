// The bench's figures in the documentation, generated from the JSON `npm run bench` writes:
// docs/PERFORMANCE.md's section between START_MARKER and END_MARKER (every figure), and README.md's
// headline line between HEADLINE_START and HEADLINE_END (issue 17's figures in one sentence). Both
// are replaced on `npm run bench -- --docs` (or `--from FILE --docs`).
// Pure: text in, text out (tests/node/bench.test.mjs renders made-up results).
import {
  besideText, bytes, fixed, formatValue, statusText,
} from './summary.mjs';

export const START_MARKER = '<!-- bench:start -->';
export const END_MARKER = '<!-- bench:end -->';
export const HEADLINE_START = '<!-- bench-headline:start -->';
export const HEADLINE_END = '<!-- bench-headline:end -->';

const ms = (value) => (value === null || value === undefined ? '–' : value === 0 ? '0' : fixed(value, Math.abs(value) < 10 ? 2 : 1));
const share = (value) => (value === null || value === undefined ? '–' : `${(value * 100).toFixed(1)} %`);
const count = (value) => (value === null || value === undefined ? '–' : Number(value).toLocaleString('en-US'));
const kib = (value) => (value === null || value === undefined ? '–' : `${(value / 1024).toFixed(0)} KiB`);

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`;
}

const dateOf = (results) => (results.generated_at ? results.generated_at.slice(0, 10) : '–');
const targetsOf = (results) => Object.entries(results.targets || {});

/** A row of per-page figures: median, p95 and max of a distribution. */
function distributionRow(label, dist, format = ms) {
  if (!dist || !dist.count) return null;
  return `| ${label} | ${format(dist.median)} | ${format(dist.p95)} | ${format(dist.max)} |`;
}

function corpusLines(corpus) {
  const lines = [];
  if (corpus && corpus.summary) {
    const c = corpus.summary;
    lines.push(`**Corpus** (${c.pages} pages of \`${corpus.label || corpus.dir}\`, ${c.errors} errors), each page in a fresh tab:`
      + ' Readability\'s `parse()` on a clone of the loaded page, then our first clean (the first click: the content script'
      + ' injected and the page cleaned, judged outside the tab or by the core and rules loaded into it), then both again warm'
      + ' (undo, our clean, Readability on a new clone)'
      + (c.heap_collected ? `; the page's heap collected before each timed call (${c.heap_collected} pages)` : '')
      + '. The first click is the tab\'s main-thread time (Chromium\'s task time, CDP `Performance.getMetrics`) from the'
      + ' background\'s call into the tab to its answer'
      + (c.outside_pages ? `. ${c.outside_pages} of the pages were judged outside their tabs (extension/judge.js): for them clean_ms is the tab's own work (the copy of the page and the removals), and the judge's time and the wait for its answer are the rows so named` : '')
      + ':');
    lines.push('');
    lines.push('| per page | median | p95 | max |');
    lines.push('|---|---|---|---|');
    const ratio = (value) => fixed(value, 2);
    const rows = [
      distributionRow('first click: the tab\'s main-thread time, ms', c.first_click_ms),
      distributionRow('first click / Readability\'s first `parse()` (`first_click_ratio_median`)', c.first_click_ratio, ratio),
      distributionRow('first click: the main thread\'s CPU time, ms', c.first_click_cpu_ms),
      distributionRow('first click: the call\'s wall time (service worker), ms', c.first_click_wall_ms),
      distributionRow('of it: start-up, module and rules (content.js, wall), ms', c.startup_ms),
      distributionRow('of it: the first clean (clean_ms: the core\'s, or for a page judged outside, the tab\'s copy and removals), ms', c.first_clean_ms),
      distributionRow('first click judged outside: the judge\'s parse and judgement there (not in the tab), ms', c.judge_ms),
      distributionRow('first click judged outside: the wait for its answer (wall, content.js), ms', c.judged_wall_ms),
      distributionRow('Readability `parse()`, first, ms', c.readability_ms),
      distributionRow('first clean / Readability, first', c.first_ratio, ratio),
      distributionRow('warm clean after undo (clean_ms; `clean_ms_p95`), ms', c.clean_ms),
      distributionRow('warm clean: the tab\'s main-thread time for the whole command, ms', c.warm_click_ms),
      distributionRow('Readability `parse()` on a new clone, warm, ms', c.readability_warm_ms),
      distributionRow('warm clean / warm Readability (`ratio_median`)', c.ratio, ratio),
      distributionRow('warm clean judged outside the tab: the judge\'s parse and judgement there (not in the tab), ms', c.warm_judge_ms),
      distributionRow('warm clean judged outside the tab: the wait for its answer (wall, content.js), ms', c.warm_judged_wall_ms),
      distributionRow('that wait / warm Readability', c.warm_wall_ratio, ratio),
      distributionRow(`the same on the ${c.nothing_to_remove_pages ?? 0} page${c.nothing_to_remove_pages === 1 ? '' : 's'} where nothing is removed (\`nothing_to_remove_ratio_median\`)`, c.nothing_to_remove_ratio, ratio),
      distributionRow('tab memory added by the clean (`tab_memory_bytes_median`)', c.tab_memory_bytes, kib),
      distributionRow('of it: wasm memory', c.wasm_memory_bytes, kib),
      distributionRow('of it: V8 heap added', c.heap_added_bytes, kib),
      distributionRow('of it: ArrayBuffer contents added', c.array_buffers_added_bytes, kib),
      distributionRow('Blink\'s heap added (not counted: the page\'s own DOM moves it)', c.embedder_heap_added_bytes, kib),
    ].filter(Boolean);
    lines.push(...rows);
    lines.push('');
    lines.push(`Ratio of the medians: first run ${fixed(c.first_ratio_of_medians, 2)}, warm ${fixed(c.ratio_of_medians, 2)}.`
      + ` Pages whose second clean removed a different number of blocks: ${c.warm_removed_differs ?? '–'}.`);
    if (c.longest_detach_ms && c.pages_detaching_later) {
      const d = c.longest_detach_ms;
      lines.push(`On ${c.pages_detaching_later} pages, blocks holding a frame were hidden in the clean and detached after it, in tasks of their own`
        + ` (not in the times above): the longest such task per page had a p95 of ${ms(d.p95)} ms and a max of ${ms(d.max)} ms.`);
    }
    lines.push('');
  } else if (corpus && corpus.skipped) {
    lines.push(`**Corpus**: not measured (${corpus.skipped}).`);
    lines.push('');
  }
  return lines;
}

function coldLines(cold) {
  if (!cold) return [];
  const lines = [];
  lines.push('**Cold start** (generated 1,500-element article, a fresh tab each time; start-up is content.js\'s own wall time from the'
    + ' glue\'s import until the module and the rules are ready, `cold_start_ms` its median for wasm):');
  lines.push('');
  lines.push('| engine | start-up, first in a fresh browser, ms | start-up median, ms | first clean median, ms | start-up + clean, ms | main-thread time of the first command, ms |');
  lines.push('|---|---|---|---|---|---|');
  for (const engine of ['wasm', 'wasm2js']) {
    const e = cold[engine];
    if (!e) continue;
    lines.push(`| ${engine}${engine === 'wasm2js' ? ' (page CSP `script-src \'self\'`; reported, not held to the target)' : ''} | ${ms(e.first_ms)} | ${ms(e.median_ms)} (${e.runs - e.errors} runs) | ${ms(e.clean_median_ms)} | ${ms(e.startup_and_clean_median_ms)} | ${ms(e.click_main_thread_median_ms)} |`);
  }
  lines.push('');
  const parts = ['wasm', 'wasm2js'].filter((engine) => cold[engine] && cold[engine].startup_parts_median_ms);
  if (parts.length) {
    lines.push('Start-up, median of each part: '
      + parts.map((engine) => {
        const p = cold[engine].startup_parts_median_ms;
        const glue = Number.isFinite(p.glue) ? `, of which the glue's import ${ms(p.glue)} ms` : '';
        return `${engine}: loading the module ${ms(p.module)} ms (glue, download, compile, instantiation${glue}), then waiting for the rule files ${ms(p.rules_wait)} ms, loading the rules ${ms(p.rules_read)} ms`;
      }).join('; ') + '.');
    lines.push('');
  }
  const steps = (cold.steps || []).filter((step) => step.median_ms !== null);
  if (steps.length) {
    lines.push('**Where the first click\'s main-thread time goes** (wasm, the same article, each step alone in a fresh tab,'
      + ' cumulative: a step does what the one before did and one thing more; median of the tab\'s main-thread time, and what'
      + ' the step adds to the one before):');
    lines.push('');
    lines.push('| step | main-thread ms | added, ms |');
    lines.push('|---|---|---|');
    for (const step of steps) lines.push(`| ${step.meaning} | ${ms(step.median_ms)} (${step.runs - step.errors} runs) | ${ms(step.added_ms)} |`);
    lines.push('');
  }
  return lines;
}

function scalingLines(scaling) {
  if (!scaling || !scaling.length) return [];
  const lines = [];
  lines.push('**Scaling** (generated pages with ads sprinkled in, module loaded beforehand). The main thread is traced (CDP'
    + ' `Tracing`, the DevTools timeline categories) from the clean command until every ad is out of the page, two frames'
    + ' and 300 ms later. A task that renders a frame (pre-paint, paint, layerize, commit) is split into its rendering'
    + ' (style, layout and those steps) and the rest; in any other task all of it counts as script, forced style or layout'
    + ' included. Script time is the sum over the tasks of their time outside rendering (`clean_ms_1m` on the 1M page);'
    + ' the core\'s clean_ms (the sum of its slices, as the core measures it) is beside it. The floor is the rendering'
    + ' after a one-character edit of the page, before the clean: what any change costs there:');
  lines.push('');
  lines.push('| page | elements (nodes walked) | completed | script time, ms | core clean_ms | call wall, ms | longest script task, ms | longest rendering, ms | longest task, ms | script tasks > 50 ms | rendering floor, ms | wasm memory | ads removed |');
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const row of scaling) {
    const completed = row.completed ? 'yes' : `no: ${(row.error || '').replace(/\|/g, '/').slice(0, 80)}`;
    const memory = row.memory_bytes === null || row.memory_bytes === undefined ? 'not reported' : bytes(row.memory_bytes);
    const ads = row.ads === undefined || row.ads_left === undefined ? '–' : `${count(row.ads - row.ads_left)} / ${count(row.ads)}`;
    lines.push(`| ${row.name} | ${count(row.elements ?? row.elements_target)} (${count(row.nodes)}) | ${completed} | ${ms(row.clean_script_ms)} | ${ms(row.clean_ms)} | ${ms(row.clean_wall_ms)} | ${ms(row.longest_script_task_ms)} | ${ms(row.longest_render_ms)} | ${ms(row.longest_task_ms)} | ${count(row.long_script_tasks)} | ${ms(row.render_floor_ms)} | ${memory} | ${ads} |`);
  }
  lines.push('');
  if (scaling.some((row) => row.kind === 'deep')) {
    lines.push('The deep page is `display: none` below level 500: Chromium\'s renderer crashes laying out a chain'
      + ' a few thousand levels deep, whoever cleans it. The cleaner reads no styles and walks all of it.');
    lines.push('');
  }
  return lines;
}

function observerLines(observer) {
  if (!observer) return [];
  if (observer.error) return [`**Observer**: failed (${observer.error}).`, ''];
  return [`**Observer** (a page inserting ${count(Math.round(observer.elements_per_second))} elements a second for`
    + ` ${fixed(observer.parameters.durationMs / 1000, 0)} s after the clean, one item in ${observer.parameters.adEvery} an ad):`
    + ` late passes took ${ms(observer.late_ms)} ms of a ${ms(observer.window_ms)} ms window, **${share(observer.cpu_share)}**`
    + ` of the main thread (\`observer_cpu_share\`; ${observer.late_passes} passes, ${observer.ads_inserted - observer.ads_left} of ${observer.ads_inserted} inserted ads gone at the end).`
    + ` Chromium's own task time, with the cleaner minus without: ${share(observer.cdp_share)} of the window.`, ''];
}

function bundleLines(bundle) {
  if (!bundle || !bundle.length) return [];
  const lines = ['**Bundle** (as shipped in `dist/chrome`, gzip level 9; `wasm_gzip_bytes` is the first row):', '', '| file | raw | gzip |', '|---|---|---|'];
  for (const entry of bundle) {
    lines.push(entry.missing ? `| \`${entry.file}\` (${entry.what}) | missing | missing |`
      : `| \`${entry.file}\` (${entry.what}) | ${count(entry.raw_bytes)} B | ${count(entry.gzip_bytes)} B |`);
  }
  lines.push('');
  return lines;
}

/** docs/PERFORMANCE.md's generated section (without the markers). */
export function renderSection(results) {
  const env = results.environment || {};
  const lines = [];
  lines.push('<!-- Generated by `npm run bench -- --docs` from the bench\'s JSON output. Do not edit by hand: the next run overwrites it. -->');
  lines.push('');
  lines.push(`Generated from a run of ${dateOf(results)}`
    + ` (${duration(results.duration_s)}${results.options && results.options.quick ? ', --quick' : ''}) on ${env.cpus || '–'} CPUs`
    + ` (${env.cpu_model || '–'}), ${env.browser || 'Chromium'}, Node ${env.node || '–'}, niceness ${env.niceness ?? '–'},`
    + ` load average ${env.load_start ?? '–'} at the start and ${env.load_end ?? '–'} at the end. The machine is shared, so`
    + ' every time has noise of its own; the section holds one run.');
  if (env.js_flags && env.js_flags !== '--expose-gc') {
    lines.push('');
    lines.push(`**An experiment, not the product:** the browser ran with the V8 flags \`${env.js_flags}\` (UNSPONSOR_BENCH_JS_FLAGS), which an extension cannot set.`);
  }
  lines.push('');
  lines.push('Issue 17\'s figures, under the keys of `summary` and `targets` in the JSON of `--out` (`scripts/bench.mjs` defines each):');
  lines.push('');
  lines.push('| key | what | target | measured | beside it (not held to the target) | |');
  lines.push('|---|---|---|---|---|---|');
  for (const [id, entry] of targetsOf(results)) {
    lines.push(`| \`${id}\` | ${entry.meaning} | ${entry.target} | ${formatValue(entry.unit, entry.value)} | ${besideText(entry) || ''} | **${statusText(entry)}** |`);
  }
  lines.push('');
  lines.push(...corpusLines(results.corpus));
  lines.push(...coldLines(results.cold_start));
  lines.push(...scalingLines(results.scaling));
  lines.push(...observerLines(results.observer));
  lines.push(...bundleLines(results.bundle));
  return lines.join('\n').replace(/\n+$/, '');
}

/** README.md's headline line (without the markers): issue 17's figures in one sentence. */
export function renderHeadline(results) {
  const targets = results.targets || {};
  const entries = targetsOf(results);
  const measured = entries.filter(([, entry]) => entry.met !== null);
  const met = measured.filter(([, entry]) => entry.met).length;
  const figure = (id, label) => {
    const entry = targets[id];
    if (!entry || entry.value === null) return null;
    return `${label} ${formatValue(entry.unit, entry.value)} (target ${entry.target.replace(/ \((aim [^)]*)\)/, ', $1')}: ${entry.status})`;
  };
  const parts = [
    figure('first_click_ratio_median', 'first click ×'),
    figure('ratio_median', 'warm clean ×'),
    figure('clean_ms_p95', 'warm clean p95'),
    figure('cold_start_ms', 'cold start'),
    figure('longest_script_task_ms_1m', '1M-element page: longest script task'),
    figure('tab_memory_bytes_median', 'memory per tab'),
    figure('wasm_gzip_bytes', 'wasm gzip'),
  ].filter(Boolean);
  const env = results.environment || {};
  return `Last ${results.options && results.options.quick ? 'quick ' : ''}bench run (${dateOf(results)}, ${env.cpus || '–'} shared CPUs, load average ${env.load_start ?? '–'} to ${env.load_end ?? '–'}),`
    + ` against Readability's \`parse()\` of the same page: ${parts.join('; ') || 'nothing measured'}.`
    + ` ${met} of ${measured.length} targets met; every figure, and how it is measured: [docs/PERFORMANCE.md](docs/PERFORMANCE.md).`;
}

/**
 * `text` with the part between `start` and `end` replaced by `section`. Throws, naming `file`,
 * when the markers are missing.
 */
export function replaceSection(text, section, { start = START_MARKER, end = END_MARKER, file = 'docs/PERFORMANCE.md' } = {}) {
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < 0 || to < from) throw new Error(`${file} has no ${start} … ${end} section to rewrite`);
  return `${text.slice(0, from + start.length)}\n${section}\n${text.slice(to)}`;
}
