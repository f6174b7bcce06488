// The hostile page (tests/e2e/pages/hostile.html), shared by both browsers: its sponsored blocks
// carry text that looks like markup (<img onerror>, </script><script>, <svg onload> + alert). The
// extension must treat it as text all the way: the ordinary clean + Undo journey (lib/scenario.mjs)
// must pass, and on top of it
//   (a) the popup shows those texts literally in its .preview items, and its removal list holds
//       only the elements its templates make (no <img>, <svg>, <script>, ...);
//   (b) nothing ran: window.__pwned stays undefined in the popup and in the page, and no dialog
//       opened anywhere;
//   (c) the article is intact (scenario keep-list) and Undo restores outerHTML exactly (scenario).

import assert from 'node:assert/strict';
import { HOSTILE_PAYLOADS, hostilePageExpectations } from '../expectations.mjs';
import { cleanAndUndo } from './scenario.mjs';
import { callExpression, sleep } from './util.mjs';

/** An <img onerror> or <svg onload> fires asynchronously: wait this long before checking that nothing ran. */
const SETTLE_MS = 500;

export const HOSTILE_PAGE_PATH = '/test-pages/hostile.html';

/** The elements popup.html's templates put in the removal list; anything else came from page text. */
const POPUP_LIST_TAGS = ['SECTION', 'H2', 'SPAN', 'UL', 'LI', 'BUTTON']; // BUTTON: per-item "Put back" and "Keep this"

/**
 * Runs IN THE POPUP. What the popup shows in its removal list, raw (textContent, not collapsed),
 * and whether anything ran there.
 */
export function inspectPopupInPopup(allowedTags) {
  const list = document.querySelector('#groups');
  const unexpected = list ? [...list.querySelectorAll('*')].filter((element) => !allowedTags.includes(element.tagName)) : [];
  return {
    pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
    listFound: Boolean(list),
    previews: [...document.querySelectorAll('li.removal .preview')].map((element) => element.textContent),
    titles: [...document.querySelectorAll('li.removal')].map((element) => element.title),
    unexpectedElements: unexpected.map((element) => element.outerHTML.slice(0, 120)),
    images: list ? list.querySelectorAll('img').length : 0,
  };
}

/** Runs IN THE PAGE. Whether an injected payload ran, and the page script's own marker (probe self-check). */
export function pageGlobalsInPage() {
  return {
    pwned: typeof window.__pwned === 'undefined' ? null : String(window.__pwned),
    pageScript: typeof window.__hostilePageScript === 'undefined' ? null : String(window.__hostilePageScript),
  };
}

/** Problems if a payload ran in the page, or if the probe cannot see the page's globals at all. */
async function pageProblems(page, when) {
  const globals = await page.evaluate(callExpression(pageGlobalsInPage));
  const problems = [];
  // The page's own inline script sets __hostilePageScript: if the probe cannot see it, it could not
  // see __pwned either, and the check would pass for the wrong reason.
  if (globals.pageScript !== 'ran') problems.push(`probe self-check ${when}: the page's own global window.__hostilePageScript is ${globals.pageScript}, not "ran", so window.__pwned could not be seen either`);
  if (globals.pwned !== null) problems.push(`a payload ran in the page ${when}: window.__pwned = ${globals.pwned}`);
  return problems;
}

async function dialogProblems(driver, since, when) {
  const dialogs = (await driver.dialogs()).slice(since);
  return dialogs.length > 0 ? [`${dialogs.length} dialog(s) opened ${when}: ${JSON.stringify(dialogs)}`] : [];
}

/** Problems with what the popup shows after the clean: (a) text stays text, (b) nothing ran. */
function popupProblems(seen, when) {
  const problems = [];
  const previews = () => seen.previews.map((preview) => JSON.stringify(preview)).join('\n    ');
  if (seen.pwned !== null) problems.push(`a payload ran in the popup ${when}: window.__pwned = ${seen.pwned}`);
  if (!seen.listFound) problems.push('the popup has no #groups removal list');
  if (seen.images > 0) problems.push(`${seen.images} <img> element(s) exist inside the popup's removal list`);
  if (seen.unexpectedElements.length > 0) {
    problems.push(`the popup's removal list holds elements its templates do not make (page text became markup):\n    ${seen.unexpectedElements.join('\n    ')}`);
  }
  // The <img> payload must be shown in full; the others at least by their start (a preview is cut
  // at a fixed length).
  if (!seen.previews.some((preview) => preview.includes(HOSTILE_PAYLOADS.img))) {
    problems.push(`no .preview shows ${JSON.stringify(HOSTILE_PAYLOADS.img)} literally; previews:\n    ${previews()}`);
  }
  for (const [name, payload] of Object.entries(HOSTILE_PAYLOADS)) {
    const start = payload.slice(0, 16);
    if (!seen.previews.some((preview) => preview.includes(start))) {
      problems.push(`no .preview shows the start of the ${name} payload, ${JSON.stringify(start)}, literally; previews:\n    ${previews()}`);
    }
  }
  return problems;
}

/** Clean + Undo on the hostile page with the extra security checks (a), (b), (c) above. */
export async function cleanAndUndoHostilePage(driver, { url, expectedEngine, log = () => {} }) {
  const dialogsBefore = (await driver.dialogs()).length;
  const { keep, gone } = hostilePageExpectations();
  const failIfAny = (problems, when) => {
    if (problems.length > 0) assert.fail(`on ${url} ${when}:\n  ${problems.join('\n  ')}`);
  };
  let popupChecked = false;
  const checks = {
    // Both Taboola widgets are ads; there is no promo on this page.
    expectations: { keep, gone, expectedCounts: { ads: { atLeast: 2, why: 'the two Taboola widgets' } } },
    beforeClean: async ({ page }) => {
      failIfAny([...(await pageProblems(page, 'before the clean')), ...(await dialogProblems(driver, dialogsBefore, 'while the page loaded'))], 'before the clean');
    },
    afterClean: async ({ page, popup }) => {
      await sleep(SETTLE_MS);
      const seen = await popup.evaluate(callExpression(inspectPopupInPopup, POPUP_LIST_TAGS));
      for (const [index, preview] of seen.previews.entries()) log(`  preview #${index + 1} (raw textContent): ${JSON.stringify(preview)}`);
      for (const [index, title] of seen.titles.entries()) log(`  title   #${index + 1}: ${JSON.stringify(title)}`);
      failIfAny(
        [...popupProblems(seen, 'after the clean'), ...(await pageProblems(page, 'after the clean')), ...(await dialogProblems(driver, dialogsBefore, 'during the clean'))],
        'after the clean',
      );
      popupChecked = true;
    },
    afterUndo: async ({ page, popup }) => {
      // Undo put the widgets (and their markup-like text) back into the page: still nothing may run.
      await sleep(SETTLE_MS);
      const seen = await popup.evaluate(callExpression(inspectPopupInPopup, POPUP_LIST_TAGS));
      const problems = seen.pwned === null ? [] : [`a payload ran in the popup after Undo: window.__pwned = ${seen.pwned}`];
      failIfAny([...problems, ...(await pageProblems(page, 'after Undo')), ...(await dialogProblems(driver, dialogsBefore, 'during Undo'))], 'after Undo');
    },
  };
  let outcome;
  try {
    outcome = await cleanAndUndo(driver, { url, expectedEngine, log, ...checks });
  } catch (error) {
    // A dialog breaks the run in its own way (the popup loses focus and closes, or WebDriver's
    // script is interrupted): name the dialog as the cause.
    const dialogs = await dialogProblems(driver, dialogsBefore, 'during the run').catch(() => []);
    if (dialogs.length > 0) error.message = `${dialogs.join('\n')}\n(which broke the run: ${error.message})`;
    throw error;
  }
  assert.ok(popupChecked, 'the popup checks did not run');
  return outcome;
}

/**
 * Fails when the test server was asked for the <img src=x> payload's image: that request happens
 * only if the text became a real <img> in the page (the popup's would be a moz-extension:// or
 * chrome-extension:// URL, caught by the element check instead).
 */
export function assertNoPayloadRequest(server) {
  const payloadLoads = server.requests.filter((line) => /^GET \/(?:csp\/)?(?:test-pages\/)?x(?:[?#]| )/.test(line));
  assert.deepEqual(payloadLoads, [], `the page requested the <img src=x> payload's image, so the text became markup:\n  ${payloadLoads.join('\n  ')}`);
}
