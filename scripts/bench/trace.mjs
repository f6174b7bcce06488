// Chromium's own account of the page's main thread, for `npm run bench` (scripts/bench.mjs
// explains the figures): a trace recorded through CDP (`Tracing.start` on the page's session,
// categories of the DevTools Performance panel), and what it says about the page's tasks.
//
// A trace names every task the renderer's main thread ran (`RunTask`) and, inside it, the
// rendering steps (style, layout, pre-paint, paint, layerize, commit), script (function calls,
// timers, microtasks) and garbage collection. The bench uses it where the page's own view is not
// enough: the clean of a huge page runs in tasks a content script starts, which the Long Tasks
// API does not report, and a heartbeat in the page would both merge back-to-back tasks and add
// its own script to what it measures.

/** What the bench records: tasks, rendering, script and GC events; nothing per DOM call. */
export const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', '__metadata'];

/** Steps of the browser's rendering of a frame (style, layout and after). */
export const RENDER_EVENTS = new Set([
  'UpdateLayoutTree', 'RecalculateStyles', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'UpdateLayer',
  'UpdateLayerTree', 'CompositeLayers', 'HitTest', 'IntersectionObserverController::computeIntersections',
  'PaintImage', 'Decode Image', 'ScrollLayer',
]);

/**
 * Events only a frame's rendering runs: a task holding one is the browser rendering the page
 * (the "frame task"). Style and layout alone can also be forced by a script inside its own task;
 * there they count as that script task's time, since the script made the task wait for them.
 */
export const FRAME_EVENTS = new Set(['PrePaint', 'Paint', 'Layerize', 'Commit', 'UpdateLayer', 'UpdateLayerTree', 'CompositeLayers']);

/** Starts a trace on a page's CDP session. */
export async function startTrace(cdp) {
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordAsMuchAsPossible', includedCategories: TRACE_CATEGORIES, excludedCategories: ['*'] },
  });
}

/** Ends the trace started by startTrace; resolves to its events. */
export async function stopTrace(cdp) {
  const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
  await cdp.send('Tracing.end');
  const { stream } = await complete;
  const chunks = [];
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 4 << 20 });
    chunks.push(chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data);
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(chunks.join(''));
  return Array.isArray(parsed) ? parsed : parsed.traceEvents || [];
}

/**
 * The renderer main thread of the page at `pageUrl`: { pid, tid }, or null. The trace's
 * `TracingStartedInBrowser` lists the traced page's frames with their process; the frame showing
 * `pageUrl` (else the outermost main frame) names the process, and its `CrRendererMain` thread is
 * the page's main thread.
 */
export function pageMainThread(events, pageUrl) {
  const started = events.find((event) => event.name === 'TracingStartedInBrowser');
  const frames = (started && started.args && started.args.data && started.args.data.frames) || [];
  const frame = frames.find((candidate) => candidate.url === pageUrl)
    || frames.find((candidate) => candidate.isOutermostMainFrame)
    || frames[0];
  if (!frame) return null;
  const thread = events.find((event) => event.ph === 'M' && event.name === 'thread_name' && event.pid === frame.processId
    && event.args && event.args.name === 'CrRendererMain');
  return thread ? { pid: thread.pid, tid: thread.tid } : null;
}

/** Labels of the marks (console.timeStamp in the page) that bound the window a trace measures. */
export const WINDOW_START = 'unsponsor-bench:window-start';
export const WINDOW_END = 'unsponsor-bench:window-end';

/** In the page (page.evaluate): a mark in the trace (a `TimeStamp` event) labelled `label`. */
export function markTraceInPage(label) {
  console.timeStamp(label);
}

/**
 * The window between the marks WINDOW_START and WINDOW_END in the page's process, in trace
 * microseconds: { from, to }, each null when its mark is missing. Ending a trace makes the
 * renderer run thousands of tiny tasks of its own (flushing the trace), and starting one a few:
 * the window leaves them out.
 */
export function traceWindow(events, pid) {
  const mark = (label) => {
    const found = events.find((event) => event.name === 'TimeStamp' && event.pid === pid && event.args && event.args.data
      && event.args.data.message === label);
    return found ? found.ts : null;
  };
  return { from: mark(WINDOW_START), to: mark(WINDOW_END) };
}

/** Total length of the union of [start, end) intervals, in the intervals' unit. */
export function unionLength(intervals) {
  const sorted = intervals.filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let from = null;
  let to = null;
  for (const [start, end] of sorted) {
    if (to === null || start > to) {
      if (to !== null) total += to - from;
      from = start;
      to = end;
    } else if (end > to) {
      to = end;
    }
  }
  if (to !== null) total += to - from;
  return total;
}

/**
 * The page's main-thread tasks in a trace, each split into rendering and the rest:
 *   duration_ms  the task (`RunTask`)
 *   frame        it renders a frame (holds an event of FRAME_EVENTS)
 *   render_ms    in a frame task, the time in rendering steps (RENDER_EVENTS, overlaps counted once);
 *                0 in any other task (forced style or layout belongs to the script that forced it)
 *   script_ms    the rest of the task: script, the garbage collection it triggers, the DOM work it
 *                does (the task's time outside the frame's rendering)
 *   start_ms     start, relative to the first task
 * Only the tasks that start between the window's marks (traceWindow), where the trace has them.
 * Returns [] when the page's thread is not in the trace.
 */
export function pageTasks(events, pageUrl) {
  const thread = pageMainThread(events, pageUrl);
  if (!thread) return [];
  const { from, to } = traceWindow(events, thread.pid);
  const mine = events.filter((event) => event.pid === thread.pid && event.tid === thread.tid && event.ph === 'X'
    && typeof event.ts === 'number' && typeof event.dur === 'number');
  const tasks = mine.filter((event) => event.name === 'RunTask' && (from === null || event.ts >= from) && (to === null || event.ts < to))
    .sort((a, b) => a.ts - b.ts);
  const inner = mine.filter((event) => event.name !== 'RunTask' && RENDER_EVENTS.has(event.name)).sort((a, b) => a.ts - b.ts);
  const origin = tasks.length ? tasks[0].ts : 0;
  let cursor = 0;
  return tasks.map((task) => {
    const end = task.ts + task.dur;
    while (cursor < inner.length && inner[cursor].ts < task.ts) cursor += 1;
    const inside = [];
    for (let index = cursor; index < inner.length && inner[index].ts < end; index++) inside.push(inner[index]);
    const frame = inside.some((event) => FRAME_EVENTS.has(event.name));
    const renderUs = frame ? unionLength(inside.map((event) => [event.ts, Math.min(end, event.ts + event.dur)])) : 0;
    return {
      start_ms: (task.ts - origin) / 1000,
      duration_ms: task.dur / 1000,
      frame,
      render_ms: renderUs / 1000,
      script_ms: (task.dur - renderUs) / 1000,
    };
  });
}

/**
 * The figures of a traced window (all of the page's tasks in it):
 *   longest_task_ms         the longest task, whatever it held
 *   longest_script_task_ms  the longest task's time outside rendering (script_ms above)
 *   longest_render_ms       the longest rendering of a frame (render_ms above)
 *   script_ms               the sum of script_ms over the tasks: the window's main-thread time
 *                           outside rendering
 *   render_ms               the sum of render_ms
 *   tasks, long_tasks       how many tasks, and how many over 50 ms
 *   long_script_tasks       how many tasks with script_ms over 50 ms
 *   longest                 the five longest tasks (start, duration, rendering, script; ms)
 * All null when the page's main thread is not in the trace.
 */
export function traceFigures(events, pageUrl) {
  const tasks = pageTasks(events, pageUrl);
  if (!tasks.length) {
    return {
      trace_found: false, longest_task_ms: null, longest_script_task_ms: null, longest_render_ms: null,
      script_ms: null, render_ms: null, tasks: 0, long_tasks: null, long_script_tasks: null, longest: [],
    };
  }
  const max = (key) => tasks.reduce((most, task) => Math.max(most, task[key]), 0);
  const sum = (key) => tasks.reduce((total, task) => total + task[key], 0);
  const round = (value) => Math.round(value * 10) / 10;
  return {
    trace_found: true,
    longest_task_ms: max('duration_ms'),
    longest_script_task_ms: max('script_ms'),
    longest_render_ms: max('render_ms'),
    script_ms: sum('script_ms'),
    render_ms: sum('render_ms'),
    tasks: tasks.length,
    long_tasks: tasks.filter((task) => task.duration_ms > 50).length,
    long_script_tasks: tasks.filter((task) => task.script_ms > 50).length,
    longest: [...tasks].sort((a, b) => b.duration_ms - a.duration_ms).slice(0, 5).map((task) => ({
      start: round(task.start_ms), duration: round(task.duration_ms), render: round(task.render_ms), script: round(task.script_ms),
    })),
  };
}
