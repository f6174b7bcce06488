// Taking blocks out of the page, and putting them back on undo.
//
// Rust (src/dom/mod.rs) decides what goes; this file does the moving. On a page judged outside
// its tab, extension/content.js loads this file alone (the build copies it into the extension)
// and moves the blocks the judge named the same way. Each block taken out gets a
// record { node, parent, next, style, frame }: where it was (its parent and next sibling), so
// undo can put it back exactly.
//
// A block leaves the page in one of two ways:
// - detached at once (removeChild);
// - hidden at once (`display: none !important` in its style attribute, whose old value the record
//   keeps in `style`) and detached in later tasks. `style` is undefined once the block is out.
//
// Which blocks are hidden first is the caller's choice (`mode` of takeOut):
// - FRAMES_LATER (pages cleaned in one go): blocks that hold a frame (iframe, frame, object,
//   embed). The browser tears down the frame's whole document inside removeChild, 1-3 ms for an
//   empty ad frame and 25-100 ms for a frame that holds a full page (measured on breitbart, cnet
//   and cnn of the dev corpus), so the clean ends sooner.
// - ALL_LATER (pages cleaned in slices, over 5,000 elements): every block. On a million-element
//   page Chromium's removeChild costs about 22 us per shown block, 140 ms for 6,300 ads, where
//   hiding one costs about 2-5 us and detaching a hidden one about 5-9 us. The rendering of the
//   page after the blocks go (seconds there) is the same either way.
// Later tasks detach the hidden blocks in order, as many as fit in DETACH_BUDGET_MS, but a block
// holding a frame only ever alone (its teardown's cost is unknown until done).
//
// Nothing else sees a hidden block: every walk of the page first finishes the detaching
// (`finishDetaching`, called by src/dom/mod.rs), and undo shows a hidden block again where it is
// (its frame keeps its document) instead of detaching and inserting it.

// The modes of takeOut (`Detach` in src/dom/mod.rs): 1 is FRAMES_LATER, 2 ALL_LATER.
const ALL_LATER = 2;

// Main-thread time one detaching task aims at, at most (a task over 50 ms is a long task).
const DETACH_BUDGET_MS = 12;
// Blocks detached between two looks at the clock.
const DETACH_CHECK_EVERY = 16;

const FRAMES = 'iframe, frame, object, embed';

// Records hidden in place, waiting to be detached, oldest first.
let waiting = [];
let timer = 0;
// Main-thread time spent detaching later, and the longest of those tasks (ms).
const stats = { detachedMs: 0, longestDetachMs: 0, detached: 0 };

function holdsFrame(element) {
  return element.matches(FRAMES) || element.querySelector(FRAMES) !== null;
}

function canHide(node) {
  return node.nodeType === 1 && node.style && typeof node.style.setProperty === 'function';
}

// Gives the block back the style attribute it had. Where it had none, the attribute is set
// empty first: Chromium writes an inline style changed through `style` back to the attribute
// lazily, and a `removeAttribute` before that write leaves `style=""` behind.
function showAgain(record) {
  record.node.setAttribute('style', record.style === null ? '' : record.style);
  if (record.style === null) record.node.removeAttribute('style');
  record.style = undefined;
}

// Detaches one hidden block from wherever it is now (the page may have moved it meanwhile; the
// record still says where it was when it was taken out).
function detach(record) {
  if (record.style === undefined) return;
  showAgain(record);
  const parent = record.node.parentNode;
  if (parent) parent.removeChild(record.node);
}

// One detaching task: the blocks waiting, oldest first, until the budget is spent; a block that
// holds a frame starts a task of its own and ends it.
function detachNext() {
  timer = 0;
  const started = performance.now();
  let count = 0;
  while (waiting.length > 0) {
    const next = waiting[0];
    // ALL_LATER leaves the frame check to this moment (see takeOut).
    if (next.frame === undefined) next.frame = holdsFrame(next.node);
    if (count > 0 && (next.frame || (count % DETACH_CHECK_EVERY === 0 && performance.now() - started >= DETACH_BUDGET_MS))) break;
    waiting.shift();
    detach(next);
    count += 1;
    if (next.frame) break;
  }
  const spent = performance.now() - started;
  stats.detachedMs += spent;
  stats.longestDetachMs = Math.max(stats.longestDetachMs, spent);
  stats.detached += count;
  if (waiting.length > 0) timer = setTimeout(detachNext, 0);
}

// Takes `node` out of the page, at once or hidden first as `mode` says (see the top of this
// file). Returns its record, or null when it is not in the page.
export function takeOut(node, mode) {
  const parent = node.parentNode;
  if (!parent) return null;
  const canWait = canHide(node);
  // Whether the block holds a frame: FRAMES_LATER needs it now; ALL_LATER only when detaching
  // (undefined until then), which keeps the query out of the task that hides thousands.
  const frame = mode === ALL_LATER ? undefined : canWait && holdsFrame(node);
  const record = { node, parent, next: node.nextSibling, style: undefined, frame };
  if (canWait && (mode === ALL_LATER || frame)) {
    record.style = node.getAttribute('style');
    node.style.setProperty('display', 'none', 'important');
    waiting.push(record);
    if (!timer) timer = setTimeout(detachNext, 0);
  } else {
    parent.removeChild(node);
  }
  return record;
}

// Detaches every block still waiting, now.
export function finishDetaching() {
  if (timer) clearTimeout(timer);
  timer = 0;
  const started = performance.now();
  const count = waiting.length;
  for (const record of waiting) detach(record);
  waiting = [];
  if (count > 0) {
    stats.detachedMs += performance.now() - started;
    stats.detached += count;
  }
}

export function detachStats() {
  return { ...stats, waiting: waiting.length };
}

// Puts one record's block back: shown again where it is if it was still waiting, else inserted
// before `reference` (null: at the end of its old parent). True when the block is back.
function putBackBefore(record, reference) {
  if (record.style !== undefined) {
    waiting = waiting.filter((other) => other !== record);
    showAgain(record);
    return true;
  }
  try {
    record.parent.insertBefore(record.node, reference);
    return true;
  } catch {
    return false; // the old parent cannot take it back (for example, it is now inside the block)
  }
}

// Puts back every block in `records` (an array, emptied), last taken out first, so every
// remembered sibling is in place again when its turn comes. Returns how many are back.
export function putBack(records) {
  let restored = 0;
  for (const record of records.splice(0).reverse()) {
    const next = record.next;
    // The page moved the sibling meanwhile: append rather than lose the block.
    const reference = next && next.parentNode === record.parent ? next : null;
    if (putBackBefore(record, reference)) restored += 1;
  }
  return restored;
}

// Puts back the block of `records[index]` (taken out of the array): before its old next
// sibling if that is still there, else before that sibling's own next sibling when it was taken
// out too, and so on; at the end of its old parent when the page moved things meanwhile.
// Returns the block, or null.
export function putBackOne(records, index) {
  if (index >= records.length) return null;
  const [record] = records.splice(index, 1);
  let reference = record.next;
  for (let step = 0; step <= records.length && reference; step += 1) {
    if (reference.parentNode === record.parent) break;
    const other = records.find((candidate) => candidate.node === reference);
    reference = other ? other.next : null;
  }
  if (reference && reference.parentNode !== record.parent) reference = null;
  return putBackBefore(record, reference) ? record.node : null;
}
