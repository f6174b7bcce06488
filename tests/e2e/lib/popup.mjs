// The popup's observable contract, shared by both browsers: how to read what it shows, how to
// wait for a state, and which properties a "cleaned" report must have.
//
// Contract (see the product's popup.html):
//   button#clean, button#undo (hidden until something was removed),
//   #status[data-state] in {idle, working, cleaned, undone, restricted, error, previewed, picking,
//   paused (a site on the "never touch" list), kept, restored} + a readable message,
//   #status[data-engine] = "wasm" | "wasm2js" after a clean,
//   #status[data-rules] = how many generic EasyList rules the content script loaded (first clean),
//   #total = total number of removed blocks,
//   section[data-category] (ads, promos, related, comments, social) each with a .count,
//   li.removal[data-rule] with .reason and .preview.

import { callExpression, pollUntil } from './util.mjs';

export const POPUP_STATES = Object.freeze(['idle', 'working', 'cleaned', 'undone', 'restricted', 'error', 'previewed', 'picking', 'paused', 'kept', 'restored']);
export const CATEGORIES = Object.freeze(['ads', 'promos', 'related', 'comments', 'social']);
/** States after which the popup will not change without another click. */
const SETTLED_STATES = new Set(['idle', 'cleaned', 'undone', 'restricted', 'error', 'previewed', 'paused', 'kept', 'restored']);

/** Runs IN THE POPUP. Returns a plain-data snapshot of everything the popup shows. */
export function readPopupInPopup() {
  const textOf = (element) => (element ? element.textContent.replace(/\s+/g, ' ').trim() : null);
  const isShown = (element) => Boolean(element) && !element.hidden && element.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
  const status = document.querySelector('#status');
  const undo = document.querySelector('#undo');
  const clean = document.querySelector('#clean');
  return {
    url: location.href,
    state: status ? status.getAttribute('data-state') : null,
    engine: status ? status.getAttribute('data-engine') : null,
    rules: status ? status.getAttribute('data-rules') : null,
    rulesIndexed: status ? status.getAttribute('data-rules-indexed') : null,
    message: textOf(status),
    totalText: textOf(document.querySelector('#total')),
    clean: clean ? { shown: isShown(clean), disabled: clean.disabled, text: textOf(clean) } : null,
    undo: undo ? { shown: isShown(undo), disabled: undo.disabled, text: textOf(undo) } : null,
    sections: [...document.querySelectorAll('section[data-category]')].map((section) => ({
      category: section.getAttribute('data-category'),
      countText: textOf(section.querySelector('.count')),
      listed: section.querySelectorAll('li.removal').length,
      shown: isShown(section),
    })),
    removals: [...document.querySelectorAll('li.removal')].map((item) => {
      const section = item.closest('section[data-category]');
      return {
        rule: item.getAttribute('data-rule'),
        category: section ? section.getAttribute('data-category') : null,
        reason: textOf(item.querySelector('.reason')),
        preview: textOf(item.querySelector('.preview')),
      };
    }),
  };
}

/** Runs IN THE POPUP. Centre of a visible, enabled button in CSS pixels, or a reason it is not clickable. */
export function locateButtonInPopup(selector) {
  const button = document.querySelector(selector);
  if (!button) return { error: `${selector} not found` };
  if (button.hidden || !button.checkVisibility({ visibilityProperty: true })) return { error: `${selector} is hidden` };
  if (button.disabled) return { error: `${selector} is disabled` };
  button.scrollIntoView({ block: 'center' });
  const box = button.getBoundingClientRect();
  const x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  const hit = document.elementFromPoint(x, y);
  if (!hit || (hit !== button && !button.contains(hit))) return { error: `${selector} is covered by ${hit ? hit.outerHTML.slice(0, 80) : 'nothing'}` };
  return { x, y };
}

/** Parses a count shown in the popup ("7", "7 removed"); NaN unless there is exactly one integer. */
export function parseCount(text) {
  const numbers = String(text ?? '').match(/\d+/g);
  return numbers && numbers.length === 1 ? Number(numbers[0]) : NaN;
}

/** Reads the popup through an evaluator (`expression => Promise<value>`). */
export function readPopup(evaluate) {
  return evaluate(callExpression(readPopupInPopup));
}

/** Short one-line description of a popup snapshot for timeout messages. */
export function describePopup(snapshot) {
  if (!snapshot) return 'popup not readable';
  return `state=${snapshot.state} engine=${snapshot.engine} total=${JSON.stringify(snapshot.totalText)} message=${JSON.stringify(snapshot.message)}`;
}

/**
 * Waits until the popup's #status settles, then checks it is the `expected` state. A popup that
 * ends in another settled state (e.g. "error") fails at once with its message instead of waiting
 * for the timeout.
 */
export async function waitForPopupState(evaluate, expected, { timeoutMs = 20_000, previousState } = {}) {
  let current;
  const snapshot = await pollUntil(
    async () => {
      current = await readPopup(evaluate);
      if (current.state !== null && !POPUP_STATES.includes(current.state)) return current; // undocumented: fail below
      if (current.state === expected) return current;
      // Ignore the state from before the click (e.g. "idle") until the popup has moved on.
      if (SETTLED_STATES.has(current.state) && current.state !== previousState) return current;
      return false;
    },
    { timeoutMs, message: `popup #status[data-state=${expected}]`, describe: () => describePopup(current) },
  );
  if (snapshot.state !== expected) {
    throw new Error(`popup reached state "${snapshot.state}" instead of "${expected}": ${describePopup(snapshot)}`);
  }
  return snapshot;
}

/**
 * How many removals of each category the demo pages must report: exactly 1 promo (the "Try Our
 * AI Features" promo) and at least 2 ads. Other pages pass their own `expectedCounts`.
 */
export const DEMO_CATEGORY_COUNTS = Object.freeze({
  promos: { exactly: 1, why: 'the "Try Our AI Features" promo' },
  ads: { atLeast: 2 },
});

/**
 * Checks a popup snapshot taken after "Clean this page" (by default on a demo page; see
 * DEMO_CATEGORY_COUNTS). Returns a list of failures (empty when the report is right).
 */
export function cleanedReportFailures(snapshot, { expectedEngine, expectedCounts = DEMO_CATEGORY_COUNTS, expectRules = false }) {
  const failures = [];
  if (expectRules && !(Number(snapshot.rules) > 0)) failures.push(`#status data-rules is ${JSON.stringify(snapshot.rules)}: the EasyList rules did not load in the content script`);
  if (expectRules && snapshot.rulesIndexed !== 'true') failures.push(`#status data-rules-indexed is ${JSON.stringify(snapshot.rulesIndexed)}: the content script read the rules without the build's index (behind them in rules/easylist.rules)`);
  const total = parseCount(snapshot.totalText);

  if (snapshot.state !== 'cleaned') failures.push(`#status data-state is ${JSON.stringify(snapshot.state)}, expected "cleaned"`);
  if (!snapshot.message) failures.push('#status has no readable message');
  if (snapshot.engine !== expectedEngine) failures.push(`#status data-engine is ${JSON.stringify(snapshot.engine)}, expected ${JSON.stringify(expectedEngine)}`);
  if (!(total > 0)) failures.push(`#total is ${JSON.stringify(snapshot.totalText)}, expected a positive number`);
  if (total !== snapshot.removals.length) failures.push(`#total says ${total} but the popup lists ${snapshot.removals.length} li.removal`);

  let sumOfCounts = 0;
  const countByCategory = {};
  for (const section of snapshot.sections) {
    const count = parseCount(section.countText);
    if (!CATEGORIES.includes(section.category)) failures.push(`unknown section data-category ${JSON.stringify(section.category)}`);
    if (Number.isNaN(count)) failures.push(`section[data-category=${section.category}] .count is ${JSON.stringify(section.countText)}, not a number`);
    else {
      sumOfCounts += count;
      countByCategory[section.category] = (countByCategory[section.category] ?? 0) + count;
      if (count !== section.listed) failures.push(`section[data-category=${section.category}] .count says ${count} but lists ${section.listed} li.removal`);
      if (count > 0 && !section.shown) failures.push(`section[data-category=${section.category}] has ${count} removals but is not shown`);
    }
  }
  if (sumOfCounts !== total) failures.push(`category counts sum to ${sumOfCounts}, #total is ${total} (${JSON.stringify(countByCategory)})`);
  for (const [category, { exactly, atLeast, why }] of Object.entries(expectedCounts)) {
    const count = countByCategory[category];
    const because = why ? ` (${why})` : '';
    if (exactly !== undefined && count !== exactly) failures.push(`${category} count is ${count}, expected exactly ${exactly}${because}`);
    if (atLeast !== undefined && !(count >= atLeast)) failures.push(`${category} count is ${count}, expected at least ${atLeast}${because}`);
  }

  snapshot.removals.forEach((removal, index) => {
    const where = `li.removal #${index + 1} (${removal.category}/${removal.rule})`;
    if (!removal.rule || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(removal.rule)) failures.push(`${where}: data-rule ${JSON.stringify(removal.rule)} is not a kebab-case rule id`);
    if (!removal.category) failures.push(`${where}: not inside a section[data-category]`);
    if (!removal.reason) failures.push(`${where}: empty .reason`);
    if (!removal.preview) failures.push(`${where}: empty .preview`);
  });

  if (!snapshot.undo || !snapshot.undo.shown || snapshot.undo.disabled) failures.push(`#undo should be shown and enabled after a clean: ${JSON.stringify(snapshot.undo)}`);
  return failures;
}
