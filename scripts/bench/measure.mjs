// The four browser parts of `npm run bench` (scripts/bench.mjs explains every figure): corpus
// timings beside Readability, cold start of both engines, scaling pages, observer cost. Each
// takes a browser from scripts/eval/browser.mjs (launchBrowser) and returns plain data; a page
// that fails is recorded with its error, never thrown, so one bad page does not end the run.
import { withTimeout } from '../eval/browser.mjs';
import {
  AD_SELECTOR, buildScalingPageInPage, collectAfterCleanInPage, mutatePageInPage,
  renderFloorInPage, scalingPageArguments, startMainThreadWatchInPage, watchAdsInPage,
} from './pages.mjs';
import { pageRatio } from './summary.mjs';
import {
  WINDOW_END, WINDOW_START, markTraceInPage, startTrace, stopTrace, traceFigures,
} from './trace.mjs';

const PAGE_TIMEOUT_MS = 30_000;

/**
 * Like runInTabFromWorker (scripts/eval/browser.mjs), timing the call in the service worker:
 * resolves to { result, wallMs } where wallMs runs from the background's runInTab call to its
 * answer (content script injection, the command, and the message back).
 */
export function timedRunInTab(worker, command, pageUrl, extra = {}) {
  return worker.evaluate(async ({ name, url, extra }) => {
    const tabs = await chrome.tabs.query({});
    const tab = tabs.find((candidate) => candidate.url === url);
    if (!tab) return { result: { ok: false, error: `no tab for ${url}` }, wallMs: null };
    const started = performance.now();
    const result = await runInTab(tab.id, name, url, extra);
    return { result, wallMs: performance.now() - started };
  }, { name: command, url: pageUrl, extra });
}

const message = (error) => String((error && error.message) || error).split('\n')[0];
export const isBrowserGone = (text) => /Target (page|crashed|closed)|browser has been closed|crash/i.test(text || '');

function settleInPage(ms) {
  return new Promise((resolve) => {
    let done = false;
    const once = () => { if (!done) { done = true; resolve(); } };
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(once, ms)));
    setTimeout(once, ms + 1_000);
  });
}

async function clean(browser, page, timeoutMs, extra = {}) {
  const { result, wallMs } = await withTimeout(timedRunInTab(browser.worker, 'clean', page.url(), extra), timeoutMs, 'clean');
  if (!result || !result.ok) throw new Error(`clean failed: ${result ? result.error : 'no answer'}`);
  return { result, report: result.report, wallMs };
}

const memoryOf = (report) => (report && typeof report.memory_bytes === 'number' ? report.memory_bytes : null);

/**
 * Waits (up to `timeoutMs`) until the blocks the clean hid for later detaching are out of the
 * page (src/dom/removal.js), and answers the page's detaching figures: { detach_ms (main-thread
 * time, all tasks), longest_detach_ms (the longest such task), detached (blocks) }, nulls for a
 * build that detaches everything inside the clean.
 */
async function detachingAfterClean(browser, page, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { result } = await withTimeout(timedRunInTab(browser.worker, 'report', page.url()), timeoutMs, 'report');
    const stats = result && result.ok ? result.detach : null;
    if (!stats) return { detach_ms: null, longest_detach_ms: null, detached: null };
    if (stats.waiting === 0 || Date.now() > until) {
      return { detach_ms: stats.detachedMs, longest_detach_ms: stats.longestDetachMs, detached: stats.detached, detach_waiting: stats.waiting };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---- the tab's main thread and memory, as Chromium counts them (CDP) ----

/**
 * Chromium's running totals for the page's renderer main thread (CDP `Performance.getMetrics`,
 * seconds): `task` (TaskDuration: time inside tasks), `devtools` (DevToolsCommandDuration: the
 * part of it spent on DevTools commands, such as this very call), `cpu` (ThreadTime: the thread's
 * CPU time). Needs `Performance.enable` on the session.
 */
export async function threadTotals(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name) => {
    const metric = metrics.find((entry) => entry.name === name);
    return metric && typeof metric.value === 'number' ? metric.value : null;
  };
  return { task: value('TaskDuration'), devtools: value('DevToolsCommandDuration'), cpu: value('ThreadTime') };
}

/**
 * What the page's main thread spent between two threadTotals: { main_thread_ms: task time less
 * DevTools commands, cpu_ms: CPU time (DevTools commands not taken out) }, in ms, null where not
 * reported.
 */
export function threadSpent(before, after) {
  const delta = (key) => (before && after && typeof before[key] === 'number' && typeof after[key] === 'number' ? after[key] - before[key] : null);
  const task = delta('task');
  const devtools = delta('devtools') ?? 0;
  const cpu = delta('cpu');
  return { main_thread_ms: task === null ? null : (task - devtools) * 1000, cpu_ms: cpu === null ? null : cpu * 1000 };
}

/** A full garbage collection of the page's heap, where the browser exposes `gc` (bench.mjs). */
function collectGarbageInPage() {
  if (typeof globalThis.gc !== 'function') return false;
  // Twice: the first frees ArrayBuffers' contents (the rule files' bytes) only in a later pass.
  globalThis.gc();
  globalThis.gc();
  return true;
}

/**
 * The tab's heap after a full collection (CDP `Runtime.getHeapUsage`: one V8 heap for the page
 * and every isolated world in it, the content script's included): { used: V8 heap in use,
 * array_buffers: contents of ArrayBuffers (not in `used`; the wasm memory is not among them),
 * embedder: Blink's own heap (DOM nodes and the like) }, bytes, null where not reported.
 */
async function heapAfterCollection(page, cdp) {
  await page.evaluate(collectGarbageInPage);
  const usage = await cdp.send('Runtime.getHeapUsage');
  const number = (value) => (typeof value === 'number' ? value : null);
  return { used: number(usage.usedSize), array_buffers: number(usage.backingStorageSize), embedder: number(usage.embedderHeapUsedSize) };
}

/**
 * What the clean added to the tab's memory, from heapAfterCollection before and after it and the
 * core's wasm memory (report.memory_bytes): tab_memory_bytes = wasm memory + V8 heap added +
 * ArrayBuffer contents added. Blink's heap is reported apart (embedder_heap_added_bytes), not
 * summed: it moves with the page's own DOM (the removed blocks are kept for undo, not new).
 */
export function memoryAdded(before, after, wasmBytes) {
  const delta = (key) => (before && after && typeof before[key] === 'number' && typeof after[key] === 'number' ? after[key] - before[key] : null);
  const heap = delta('used');
  const buffers = delta('array_buffers');
  const wasm = typeof wasmBytes === 'number' ? wasmBytes : null;
  return {
    wasm_memory_bytes: wasm,
    heap_added_bytes: heap,
    array_buffers_added_bytes: buffers,
    embedder_heap_added_bytes: delta('embedder'),
    tab_memory_bytes: wasm === null || heap === null ? null : wasm + heap + (buffers ?? 0),
  };
}

// ---- corpus ----

function readabilityInPage() {
  const cloneStarted = performance.now();
  const clone = document.cloneNode(true);
  const started = performance.now();
  const article = new window.__UnsponsorBenchReadability(clone).parse();
  const ended = performance.now();
  return { cloneMs: started - cloneStarted, parseMs: ended - started, found: Boolean(article && article.textContent) };
}

/**
 * One corpus page in a fresh tab: Readability on a clone, then our first clean (the first click:
 * module start-up, rules and clean), then both again warm (secondRun).
 */
export async function measureCorpusPage(browser, server, name, readabilitySource) {
  const page = await browser.context.newPage();
  const row = { case: name, error: null };
  try {
    await page.goto(server.urlOf(name), { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    await page.evaluate(() => void document.documentElement.getBoundingClientRect());
    await page.evaluate(settleInPage, 50);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.evaluate(`${readabilitySource}\nwindow.__UnsponsorBenchReadability = Readability;`);
    row.heap_collected = await page.evaluate(collectGarbageInPage);
    const readability = await withTimeout(page.evaluate(readabilityInPage), PAGE_TIMEOUT_MS, 'Readability');
    const heapBefore = await heapAfterCollection(page, cdp);
    // The first click: from the background's call into the tab to the answer, nothing else runs
    // in the page (the harness talks to the service worker, another process).
    const totalsBefore = await threadTotals(cdp);
    const { result, report, wallMs } = await clean(browser, page, PAGE_TIMEOUT_MS);
    const firstClick = threadSpent(totalsBefore, await threadTotals(cdp));
    Object.assign(row, {
      first_click_ms: firstClick.main_thread_ms,
      first_click_cpu_ms: firstClick.cpu_ms,
      first_click_wall_ms: wallMs,
      clean_ms: report.clean_ms,
      // The call's wall time minus module start-up (this first clean on the page loads the module).
      clean_wall_ms: wallMs === null ? null : wallMs - (result.startupMs || 0),
      call_wall_ms: wallMs,
      startup_ms: result.startupMs,
      startup_parts: result.startupParts || null,
      engine: result.engine,
      // A page judged outside its tab (extension/judge.js): clean_ms is the tab's own work, the
      // judge's parse and judgement ran elsewhere (judge_ms), the answer came after wall_ms.
      judge_ms: typeof report.judge_ms === 'number' ? report.judge_ms : null,
      judged_wall_ms: typeof report.wall_ms === 'number' ? report.wall_ms : null,
      outside_refused: result.outsideRefused ?? null,
      nodes: report.timings ? report.timings.nodes : null,
      timings: report.timings || null,
      removed: report.total,
      memory_bytes: memoryOf(report),
      // Pages over the core's slicing limit are cleaned in slices: how many, and the longest.
      slices: report.slices ?? null,
      longest_slice_ms: report.longest_slice_ms ?? null,
      readability_ms: readability.parseMs,
      readability_clone_ms: readability.cloneMs,
      readability_found: readability.found,
    });
    row.ratio = pageRatio(row.clean_ms, row.readability_ms);
    row.first_click_ratio = pageRatio(row.first_click_ms, row.readability_ms);
    Object.assign(row, await detachingAfterClean(browser, page, PAGE_TIMEOUT_MS));
    // What the clean left in the tab, once its detaching is done (the core keeps what undo needs).
    const heapAfter = await heapAfterCollection(page, cdp);
    Object.assign(row, memoryAdded(heapBefore, heapAfter, row.memory_bytes));
    Object.assign(row, await secondRun(browser, page, cdp));
    await cdp.detach().catch(() => {});
  } catch (error) {
    row.error = message(error);
  } finally {
    await page.close().catch(() => {});
  }
  return row;
}

/**
 * Both again on the same page, warm: undo, then our clean (the core's clean_ms, and the main
 * thread's time for the whole command as a cross-check), then Readability on a new clone (the
 * heap collected before each). A failure here is recorded as `warm_error` and leaves the first
 * run's figures standing.
 */
async function secondRun(browser, page, cdp) {
  try {
    const { result } = await withTimeout(timedRunInTab(browser.worker, 'undo', page.url()), PAGE_TIMEOUT_MS, 'undo');
    if (!result || !result.ok) throw new Error(`undo failed: ${result ? result.error : 'no answer'}`);
    await page.evaluate(collectGarbageInPage);
    const before = await threadTotals(cdp);
    const { report } = await clean(browser, page, PAGE_TIMEOUT_MS);
    const warmClick = threadSpent(before, await threadTotals(cdp));
    await page.evaluate(collectGarbageInPage);
    const readability = await withTimeout(page.evaluate(readabilityInPage), PAGE_TIMEOUT_MS, 'Readability');
    return {
      warm_clean_ms: report.clean_ms,
      // Judged outside the tab: the judge's own time, and the wait for its answer (wall).
      warm_judge_ms: typeof report.judge_ms === 'number' ? report.judge_ms : null,
      warm_judged_wall_ms: typeof report.wall_ms === 'number' ? report.wall_ms : null,
      warm_wall_ratio: typeof report.wall_ms === 'number' ? pageRatio(report.wall_ms, readability.parseMs) : null,
      warm_click_ms: warmClick.main_thread_ms,
      warm_removed: report.total,
      warm_readability_ms: readability.parseMs,
      warm_ratio: pageRatio(report.clean_ms, readability.parseMs),
      warm_error: null,
    };
  } catch (error) {
    return { warm_error: message(error) };
  }
}

// ---- cold start ----

/**
 * A fresh tab on the generated article: the first clean loads the module (`startupMs`, measured
 * by content.js: from the glue's import to the rules loaded). The main thread's time for the
 * whole command (start-up and clean) is taken as for a corpus page's first click.
 */
export async function measureColdStart(browser, server, expectedEngine) {
  const page = await browser.context.newPage();
  const run = { expected_engine: expectedEngine, error: null };
  try {
    await page.goto(server.urlOfBench(expectedEngine === 'wasm' ? 'article' : 'article-csp'), { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    await page.evaluate(settleInPage, 50);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const before = await threadTotals(cdp);
    // The core in the tab: where a page cannot be judged outside it (XML, huge pages), and the
    // module and rules a tab then loads. A page judged outside loads neither (first_click_ms).
    const { result, report, wallMs } = await clean(browser, page, PAGE_TIMEOUT_MS, { inTab: true });
    const click = threadSpent(before, await threadTotals(cdp));
    await cdp.detach().catch(() => {});
    Object.assign(run, {
      engine: result.engine,
      startup_ms: result.startupMs,
      startup_parts: result.startupParts || null,
      clean_ms: report.clean_ms,
      cold_start_ms: result.startupMs,
      startup_and_clean_ms: result.startupMs + report.clean_ms,
      click_main_thread_ms: click.main_thread_ms,
      call_wall_ms: wallMs,
      removed: report.total,
      nodes: report.timings ? report.timings.nodes : null,
      memory_bytes: memoryOf(report),
    });
    if (result.engine !== expectedEngine) throw new Error(`expected the ${expectedEngine} engine, the page got ${result.engine}`);
  } catch (error) {
    run.error = message(error);
  } finally {
    await page.close().catch(() => {});
  }
  return run;
}

// ---- where the first click's main-thread time goes ----

/** One step of STARTUP_STEPS in a fresh tab on the generated article: its main-thread ms. */
export async function measureStartupStep(browser, server, step) {
  const page = await browser.context.newPage();
  try {
    await page.goto(server.urlOfBench('article'), { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    await page.evaluate(settleInPage, 50);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const before = await threadTotals(cdp);
    if (step === 'first_click') {
      await clean(browser, page, PAGE_TIMEOUT_MS);
    } else {
      // Runs in the service worker; its inner function runs in the tab, in the content script's
      // world, reading the extension's files as content.js reads them.
      const answer = await withTimeout(browser.worker.evaluate(async ({ url, name }) => {
        const tab = (await chrome.tabs.query({})).find((candidate) => candidate.url === url);
        await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ['messages.js', 'removal.js', 'content.js'] });
        if (name === 'inject') return name;
        const [injection] = await chrome.scripting.executeScript({
          target: { tabId: tab.id },
          args: [name],
          func: async (step) => {
            const get = chrome.runtime.getURL;
            const order = ['glue', 'module', 'warm_up', 'rules_fetched', 'rules_loaded'];
            const upTo = (other) => order.indexOf(step) >= order.indexOf(other);
            const glue = await import(get('pkg/unsponsor.js'));
            if (!upTo('module')) return step;
            const rules = upTo('rules_fetched')
              ? fetch(get('rules/easylist.rules')).then((response) => response.arrayBuffer())
              : null;
            await glue.default({ module_or_path: fetch(get('pkg/unsponsor_bg.wasm')) });
            if (upTo('warm_up')) glue.warmUp();
            if (!rules) return step;
            const bytes = await rules;
            if (upTo('rules_loaded')) glue.loadRules(new Uint8Array(bytes));
            return step;
          },
        });
        return injection && injection.result;
      }, { url: page.url(), name: step }), PAGE_TIMEOUT_MS, step);
      if (answer !== step) throw new Error(`step ${step} answered ${JSON.stringify(answer)}`);
    }
    const spent = threadSpent(before, await threadTotals(cdp));
    await cdp.detach().catch(() => {});
    return { step, main_thread_ms: spent.main_thread_ms, error: null };
  } catch (error) {
    return { step, main_thread_ms: null, error: message(error) };
  } finally {
    await page.close().catch(() => {});
  }
}

// ---- scaling ----

/**
 * One scaling page: load the empty shell, load the module there (clean + undo on the empty page,
 * so start-up is not in the figures), build the page, then trace the clean (trace.mjs) from just
 * before the command until the last ad is out of the page, two frames and 300 ms later.
 */
export async function measureScalingPage(browser, server, name, spec, { buildTimeoutMs, cleanTimeoutMs }) {
  const page = await browser.context.newPage();
  const row = {
    name, kind: spec.kind, elements_target: spec.elements || null, depth: spec.depth || null,
    completed: false, error: null, stage: 'load',
  };
  let cdp = null;
  let tracing = false;
  try {
    await page.goto(server.urlOfBench('shell'), { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    row.stage = 'module start-up';
    await clean(browser, page, PAGE_TIMEOUT_MS);
    const undone = await withTimeout(timedRunInTab(browser.worker, 'undo', page.url()), PAGE_TIMEOUT_MS, 'undo');
    if (!undone.result || !undone.result.ok) throw new Error(`undo failed: ${undone.result ? undone.result.error : 'no answer'}`);
    row.stage = 'build';
    const built = await withTimeout(page.evaluate(buildScalingPageInPage, scalingPageArguments(spec)), buildTimeoutMs, 'building the page');
    Object.assign(row, { elements: built.elements, ads: built.ads, depth_built: built.depth, build_ms: built.build_ms });
    row.stage = 'rendering floor';
    row.render_floor_ms = await withTimeout(page.evaluate(renderFloorInPage), cleanTimeoutMs, 'the rendering floor');
    row.stage = 'clean';
    await page.evaluate(watchAdsInPage, AD_SELECTOR);
    await page.evaluate(settleInPage, 100);
    cdp = await browser.context.newCDPSession(page);
    await startTrace(cdp);
    tracing = true;
    await page.evaluate(markTraceInPage, WINDOW_START);
    const { report, wallMs } = await clean(browser, page, cleanTimeoutMs);
    Object.assign(row, {
      clean_ms: report.clean_ms,
      clean_wall_ms: wallMs,
      nodes: report.timings ? report.timings.nodes : null,
      timings: report.timings || null,
      removed: report.total,
      memory_bytes: memoryOf(report),
      // The clean's own tasks (huge pages are cleaned in slices): how many, and the longest.
      slices: report.slices ?? null,
      longest_slice_ms: report.longest_slice_ms ?? null,
    });
    row.stage = 'collect';
    // Blocks hidden in the clean are detached in later tasks: the window holds them too.
    const after = await withTimeout(page.evaluate(collectAfterCleanInPage, { since: 0, settleMs: 300, adSelector: AD_SELECTOR, goneWithinMs: 20_000 }), cleanTimeoutMs, 'waiting for the ads to go');
    row.stage = 'trace';
    await page.evaluate(markTraceInPage, WINDOW_END);
    tracing = false;
    const events = await withTimeout(stopTrace(cdp), cleanTimeoutMs, 'reading the trace');
    const figures = traceFigures(events, page.url());
    Object.assign(row, {
      trace_found: figures.trace_found,
      longest_task_ms: figures.longest_task_ms,
      longest_script_task_ms: figures.longest_script_task_ms,
      longest_render_ms: figures.longest_render_ms,
      // The main thread's time outside rendering over the window: the whole clean as script.
      clean_script_ms: figures.script_ms,
      render_ms: figures.render_ms,
      tasks: figures.tasks,
      long_tasks: figures.long_tasks,
      long_script_tasks: figures.long_script_tasks,
      longest_tasks: figures.longest,
    });
    row.stage = 'collect';
    Object.assign(row, await detachingAfterClean(browser, page, PAGE_TIMEOUT_MS));
    row.ads_left = after.adsLeft;
    row.completed = true;
    delete row.stage;
  } catch (error) {
    row.error = message(error);
  } finally {
    if (cdp && tracing) await withTimeout(stopTrace(cdp), 60_000, 'ending the trace').catch(() => {});
    if (cdp) await cdp.detach().catch(() => {});
    await withTimeout(page.close(), 60_000, 'closing the page').catch(() => {});
  }
  return row;
}

/**
 * Long tasks seen from the page (see startMainThreadWatchInPage), on the observer's page (the
 * scaling pages are traced instead, trace.mjs). Each heartbeat gap is split at
 * the frames that started inside it. A Long Tasks API entry that holds a frame is the browser's
 * rendering; everything else is other tasks (the clean's own, garbage collection, the page's):
 * entries without a frame, and the parts of each heartbeat piece outside those renderings (a
 * piece that starts with a frame for which the API reports nothing: the rendering took under
 * 50 ms, and the piece over-states the tasks after it by that much at most). longest_task_ms is
 * the longest of everything, 0 when nothing took over 50 ms; longest_render_ms and
 * longest_other_task_ms split it likewise. The raw gaps are kept (longest_gap_ms, gaps: start
 * relative to `since`, and duration, in ms).
 */
export function mainThreadFigures({ tasks, gaps, frames = [], beatsPerSecond }, since = 0) {
  const longest = (list) => list.reduce((max, entry) => Math.max(max, entry.duration), 0);
  const sorted = [...frames].sort((a, b) => a - b);
  const holdsFrame = (task) => sorted.some((time) => time >= task.start && time <= task.start + task.duration);
  const renderings = tasks.filter(holdsFrame).sort((a, b) => a.start - b.start);
  const pieces = [];
  const others = [];
  for (const gap of gaps) {
    const end = gap.start + gap.duration;
    const cuts = sorted.filter((time) => time > gap.start && time < end);
    let from = gap.start;
    for (const cut of [...cuts, end]) {
      pieces.push({ start: from, duration: cut - from });
      // The piece less the renderings in it.
      let at = from;
      for (const rendering of renderings) {
        const renderEnd = rendering.start + rendering.duration;
        if (renderEnd <= at || rendering.start >= cut) continue;
        if (rendering.start > at) others.push({ start: at, duration: rendering.start - at });
        at = Math.max(at, renderEnd);
      }
      if (cut > at) others.push({ start: at, duration: cut - at });
      from = cut;
    }
  }
  const over50 = (list) => list.filter((entry) => entry.duration > 50);
  const longPieces = over50(pieces);
  const round = (value) => Math.round(value * 10) / 10;
  return {
    longest_task_ms: Math.max(longest(tasks), longest(longPieces)),
    long_tasks: Math.max(tasks.length, longPieces.length),
    longest_render_ms: longest(renderings),
    longest_other_task_ms: Math.max(longest(tasks.filter((task) => !holdsFrame(task))), longest(over50(others))),
    longest_task_api_ms: longest(tasks),
    long_tasks_api: tasks.length,
    longest_gap_ms: longest(gaps),
    gaps: gaps.slice(0, 20).map((gap) => ({
      start: round(gap.start - since),
      duration: round(gap.duration),
      pieces: pieces.filter((piece) => piece.start >= gap.start && piece.start < gap.start + gap.duration).map((piece) => round(piece.duration)),
    })),
    heartbeat_per_s: beatsPerSecond,
  };
}

// ---- observer ----

async function taskSeconds(cdp) {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = metrics.find((entry) => entry.name === 'TaskDuration');
  return metric ? metric.value : null;
}

/** Runs the mutating page once, with the cleaner watching (`withCleaner`) or without. */
async function mutateOnce(browser, server, withCleaner, parameters) {
  const page = await browser.context.newPage();
  try {
    await page.goto(server.urlOfBench('article'), { waitUntil: 'load', timeout: PAGE_TIMEOUT_MS });
    await page.evaluate(settleInPage, 50);
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Performance.enable');
    let before = null;
    if (withCleaner) before = (await clean(browser, page, PAGE_TIMEOUT_MS)).report;
    await page.evaluate(settleInPage, 300);
    await page.evaluate(startMainThreadWatchInPage);
    const tasksBefore = await taskSeconds(cdp);
    const mutation = await withTimeout(page.evaluate(mutatePageInPage, parameters), parameters.durationMs + parameters.settleMs + 60_000, 'mutating page');
    const tasksAfter = await taskSeconds(cdp);
    const watch = await page.evaluate(collectAfterCleanInPage, { since: mutation.started, settleMs: 0, adSelector: AD_SELECTOR });
    let after = null;
    if (withCleaner) {
      const answer = await withTimeout(timedRunInTab(browser.worker, 'report', page.url()), PAGE_TIMEOUT_MS, 'report');
      if (!answer.result || !answer.result.ok || !answer.result.report) throw new Error(`report failed: ${answer.result ? answer.result.error : 'no answer'}`);
      after = answer.result.report;
    }
    return {
      mutation,
      before,
      after,
      task_ms: tasksBefore === null || tasksAfter === null ? null : (tasksAfter - tasksBefore) * 1000,
      ...mainThreadFigures(watch, mutation.started),
    };
  } finally {
    await page.close().catch(() => {});
  }
}

/**
 * Observer cost: the same mutating page twice, first without the cleaner (the page's own main
 * thread cost), then cleaned first and watched. cpu_share is the cleaner's late-pass time
 * (report.late_ms, Rust-measured) over the window; cdp_share cross-checks it with Chromium's
 * own count of main-thread task time (with cleaner minus without), which also holds the
 * MutationObserver callbacks and garbage collection.
 */
export async function measureObserver(browser, server, parameters) {
  const result = { parameters, error: null };
  try {
    const baseline = await mutateOnce(browser, server, false, parameters);
    const watched = await mutateOnce(browser, server, true, parameters);
    const lateMs = watched.after.late_ms - watched.before.late_ms;
    const windowMs = watched.mutation.window_ms;
    Object.assign(result, {
      window_ms: windowMs,
      initial_clean_ms: watched.before.clean_ms,
      late_ms: lateMs,
      late_passes: watched.after.late_passes - watched.before.late_passes,
      last_late_pass_ms: watched.after.last_late_pass_ms,
      late_removed: watched.after.total - watched.before.total,
      cpu_share: windowMs > 0 ? lateMs / windowMs : null,
      elements_inserted: watched.mutation.elements,
      elements_per_second: watched.mutation.elements_per_second,
      ads_inserted: watched.mutation.ads_inserted,
      ads_left: watched.mutation.ads_left,
      page_script_ms: watched.mutation.page_script_ms,
      longest_task_ms: watched.longest_task_ms,
      longest_task_api_ms: watched.longest_task_api_ms,
      longest_gap_ms: watched.longest_gap_ms,
      task_ms_with_cleaner: watched.task_ms,
      task_ms_without_cleaner: baseline.task_ms,
      baseline_window_ms: baseline.mutation.window_ms,
      baseline_elements_inserted: baseline.mutation.elements,
      baseline_longest_task_ms: baseline.longest_task_ms,
      memory_bytes: memoryOf(watched.after),
    });
    // Normalised per window (the two windows differ by a few ms).
    result.cdp_share = watched.task_ms === null || baseline.task_ms === null ? null
      : watched.task_ms / windowMs - baseline.task_ms / baseline.mutation.window_ms;
  } catch (error) {
    result.error = message(error);
  }
  return result;
}
