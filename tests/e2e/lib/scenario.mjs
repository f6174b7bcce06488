// The user journey both browser tests walk through, written once:
//   open a demo page -> it shows the ads -> toolbar button -> "Clean this page" -> the popup
//   explains what was removed, the badge shows the count, the article is intact and the ads are
//   gone -> "Undo" -> the page is exactly what it was and the badge is cleared.
//
// Browser specifics live behind a small driver interface (lib/chromium.mjs, lib/firefox.mjs):
//   driver.openPage(url)         -> page   { url, evaluate(expression) }
//   driver.openPopup(page)       -> popup  { evaluate(expression), click(selector), isOpen() }
//   driver.badgeText(page)       -> the toolbar badge text for that page's tab
//   driver.closePage(page), driver.closePopup(popup)
// `evaluate` takes a JavaScript expression (see util.callExpression) and resolves to its
// JSON-serialisable value, awaiting promises.

import assert from 'node:assert/strict';
import { cleanPageFailures, collectVisibleTextInPage, keepList, MUST_BE_GONE, normalizeText, uncleanedPageFailures } from '../expectations.mjs';
import { cleanedReportFailures, DEMO_CATEGORY_COUNTS, describePopup, locateButtonInPopup, waitForPopupState } from './popup.mjs';
import { buildCarriesEasylist } from './config.mjs';
import { callExpression, describeFirstDifference, pollUntil } from './util.mjs';

/** Visible text of a page, as defined in expectations.mjs. */
export function visibleText(page) {
  return page.evaluate(callExpression(collectVisibleTextInPage));
}

/** Full serialised DOM of a page, the reference for "Undo restores the page exactly". */
export function documentHtml(page) {
  return page.evaluate('document.documentElement.outerHTML');
}

/**
 * What a page must show before and after the clean, and what the popup must report. The default
 * is the demo pages' (article from the seed page, MUST_BE_GONE, DEMO_CATEGORY_COUNTS); other
 * pages (the hostile page) pass their own.
 */
export function demoExpectations() {
  return { keep: keepList(), gone: MUST_BE_GONE, expectedCounts: DEMO_CATEGORY_COUNTS };
}

/**
 * Waits until the page shows every ad and every article text (vendor-like scripts on the demo
 * page may inject widgets after load). Fails with the list of missing texts otherwise.
 */
export async function waitForUncleanedPage(page, { timeoutMs = 15_000, keep, gone } = {}) {
  let failures = [];
  try {
    return await pollUntil(
      async () => {
        const text = await visibleText(page);
        failures = uncleanedPageFailures(text, { keep, gone });
        return failures.length === 0 ? text : false;
      },
      { timeoutMs, message: `${page.url} to show its ads and article` },
    );
  } catch (error) {
    throw new Error(`${page.url} is not a valid starting point:\n  ${failures.join('\n  ')}\n(${error.message})`);
  }
}

/**
 * Runs IN THE PAGE. Resolves with true once the document has had no mutation for `quietMs`
 * (vendor-like scripts on the demo page may still be injecting widgets), or false after
 * `timeoutMs` if it keeps changing.
 */
export function waitForQuietDomInPage(quietMs, timeoutMs) {
  return new Promise((resolve) => {
    let quietTimer;
    const finish = (quiet) => {
      observer.disconnect();
      clearTimeout(quietTimer);
      clearTimeout(deadline);
      resolve(quiet);
    };
    const observer = new MutationObserver(() => {
      clearTimeout(quietTimer);
      quietTimer = setTimeout(() => finish(true), quietMs);
    });
    observer.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    quietTimer = setTimeout(() => finish(true), quietMs);
    const deadline = setTimeout(() => finish(false), timeoutMs);
  });
}

/**
 * Runs IN THE PAGE. Scrolls so that the first sponsored text sits ~220 px below the top of the
 * viewport, with the article paragraph above it still in view. Returns the scroll position.
 */
export function scrollToFirstSponsoredTextInPage(sponsoredTexts) {
  const squash = (text) => text.replace(/\s+/g, '');
  const wanted = sponsoredTexts.map(squash);
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!element || element.closest('[data-unsponsor-ui]')) continue;
    if (wanted.some((text) => squash(node.data).includes(text)) && element.checkVisibility()) {
      const top = element.getBoundingClientRect().top + window.scrollY;
      window.scrollTo(0, Math.max(0, top - 220));
      return window.scrollY;
    }
  }
  return window.scrollY;
}

export function scrollToFirstSponsoredText(page) {
  return page.evaluate(callExpression(scrollToFirstSponsoredTextInPage, MUST_BE_GONE));
}

export function scrollTo(page, y) {
  return page.evaluate(`(window.scrollTo(0, ${Number(y)}), window.scrollY)`);
}

/** Waits for a popup button to be shown, enabled and uncovered, then clicks it like a user. */
export async function clickWhenReady(popup, selector) {
  let lastProblem;
  await pollUntil(
    async () => {
      const located = await popup.evaluate(callExpression(locateButtonInPopup, selector));
      lastProblem = located.error;
      return !located.error;
    },
    { timeoutMs: 10_000, message: `${selector} to be clickable in the popup`, describe: () => lastProblem },
  );
  await popup.click(selector);
}

/**
 * Clean + Undo on one page, with every check a user would notice. Collects all problems of the
 * clean step before failing, so one run reports everything that is wrong.
 *
 * Hooks: `beforeClean({ page })` runs on the uncleaned page, `afterClean({ page, popup, report })`
 * once the clean has passed every check (both are used for screenshots), and
 * `afterUndo({ page, popup })` once Undo has passed its checks, before the page is closed.
 * `expectations` ({ keep, gone, expectedCounts }) defaults to the demo pages' (demoExpectations).
 * `pageOptions` go to driver.openPage (e.g. `{ isolated: true }` to read the page from an isolated
 * world). Returns { report } for extra browser-specific checks.
 */
export async function cleanAndUndo(driver, { url, expectedEngine, log = () => {}, beforeClean, afterClean, afterUndo, expectations = demoExpectations(), pageOptions }) {
  const { keep, gone, expectedCounts } = expectations;
  const page = await driver.openPage(url, pageOptions);
  let popup;
  try {
    await waitForUncleanedPage(page, { keep, gone });
    // The reference snapshot must not include a half-finished injection by the page itself.
    if (!(await page.evaluate(callExpression(waitForQuietDomInPage, 500, 10_000)))) {
      log(`warning: ${url} kept mutating its DOM for 10 s; the Undo comparison may see the page's own changes`);
    }
    const textBefore = await visibleText(page);
    const htmlBefore = await documentHtml(page);
    await beforeClean?.({ page });

    popup = await driver.openPopup(page);
    // A fresh popup on a page that was never cleaned must settle in "idle".
    const initial = await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 10_000 });
    log(`popup opened: ${describePopup(initial)}`);
    assert.ok(initial.undo && !initial.undo.shown, `#undo must be hidden before anything was removed: ${JSON.stringify(initial.undo)}`);

    await clickWhenReady(popup, '#clean');
    const report = await waitForPopupState(popup.evaluate, 'cleaned', { previousState: initial.state });
    log(`after clean: ${describePopup(report)}`);
    for (const removal of report.removals) log(`  removed [${removal.category}/${removal.rule}] ${removal.reason} | ${removal.preview?.slice(0, 70)}`);

    // Every build holds the compiled EasyList rules, unless made --heuristics-only on purpose.
    const expectRules = buildCarriesEasylist();
    const problems = cleanedReportFailures(report, { expectedEngine, expectedCounts, expectRules });
    const badge = await driver.badgeText(page);
    if (badge !== String(Number(report.totalText))) problems.push(`toolbar badge is ${JSON.stringify(badge)}, expected the total ${JSON.stringify(report.totalText)}`);
    const textAfter = await visibleText(page);
    problems.push(...cleanPageFailures(textAfter, { keep, gone }));
    if (problems.length > 0) assert.fail(`clean on ${url} is wrong:\n  ${problems.join('\n  ')}`);
    await afterClean?.({ page, popup, report }); // only after a correct clean: it writes documentation screenshots

    // Undo, from the popup (re-opened if the browser closed it meanwhile).
    if (!(await popup.isOpen())) {
      log('popup was closed after the clean; re-opening it for Undo');
      popup = await driver.openPopup(page);
    }
    await clickWhenReady(popup, '#undo');
    const undone = await waitForPopupState(popup.evaluate, 'undone', { previousState: 'cleaned' });
    log(`after undo: ${describePopup(undone)}`);
    assert.ok(undone.message, 'the popup should say what Undo did');

    const htmlAfterUndo = await documentHtml(page);
    const difference = describeFirstDifference(htmlBefore, htmlAfterUndo);
    if (difference !== null) assert.fail(`Undo on ${url} did not restore document.documentElement.outerHTML exactly:\n${difference}`);
    const textAfterUndo = await visibleText(page);
    assert.equal(normalizeText(textAfterUndo), normalizeText(textBefore), `after Undo on ${url} the visible text differs from before the clean`);
    assert.equal(await driver.badgeText(page), '', `the toolbar badge should be cleared after Undo on ${url}`);
    await afterUndo?.({ page, popup });
    return { report };
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}
