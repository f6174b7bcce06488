// "Never break a page, never leak": the robustness journeys both browsers run on the test pages
// in tests/e2e/pages/ (served under /test-pages/ by server.mjs). Each one goes through the real
// extension path (toolbar button, popup, "Clean this page", "Undo"), like lib/scenario.mjs, on a
// page built to trip it up:
//
//   xhtml.xhtml               served as application/xhtml+xml (the XML parser, XML serialisation)
//   iframe.html               ads in the top document and in a same-origin <iframe>: the top ones go,
//                             the frame is left alone (the content script runs in the top frame only)
//   frameset.html             a <frameset> document with no <body>: the clean must not fail, must
//                             report that nothing was removed, and must leave every frame as it was
//   hostile-prototypes.html   the page's own scripts replace remove, appendChild, removeChild,
//                             insertBefore, querySelectorAll, MutationObserver, Array push,
//                             JSON.stringify, fetch, WebAssembly... with throwing or lying versions
//   forge.html                the page tries to give the extension orders (postMessage, custom
//                             events, chrome.runtime.sendMessage, a page global unsponsorRun)
//
// Every journey checks its page's starting point first (the ads are there), so a page that never
// had the thing under test cannot pass.
//
// Driver interface used beyond lib/scenario.mjs's: driver.openPage(url, { isolated }) and
// page.evaluateMainWorld(expression) (the page's main world, as its own scripts see it; in
// Chromium through CDP, in Firefox through an un-Xrayed sandbox); page.errors (Chromium only):
// uncaught exceptions and console errors of the page.

import assert from 'node:assert/strict';
import { articleOfTestPage, cleanPageFailures, uncleanedPageFailures } from '../expectations.mjs';
import { cleanAndUndo, clickWhenReady, documentHtml, visibleText } from './scenario.mjs';
import { describePopup, parseCount, readPopup, waitForPopupState } from './popup.mjs';
import { callExpression, describeFirstDifference, pollUntil, sleep } from './util.mjs';

/** The label texts of the Taboola-style widgets every test page uses. */
const WIDGET_LABELS = ['You May Like', 'Sponsored Links', 'by Taboola'];
const TWO_WIDGETS = { ads: { atLeast: 2, why: 'the two Taboola widgets of the top document' } };

export const XHTML_PAGE = Object.freeze({
  path: '/test-pages/xhtml.xhtml',
  file: 'xhtml.xhtml',
  gone: [...WIDGET_LABELS, 'Sleep experts stunned by this one pillow trick', 'Rest Weekly', 'Rail fans are rushing to buy this lamp', 'Lamp Deals', 'Travellers swear by this suitcase', 'Bag Offers'],
});

export const IFRAME_PAGE = Object.freeze({
  path: '/test-pages/iframe.html',
  file: 'iframe.html',
  gone: [...WIDGET_LABELS, 'Shoppers are stunned by this kitchen knife', 'Knife Deals', 'Doctors hate this one breakfast', 'Health Tips Daily'],
  frameSelector: '#market-frame',
});

/** The widget inside frames/inner-ad.html (the <iframe> of iframe.html, a <frame> of frameset.html). */
export const FRAME_AD_TEXTS = Object.freeze(['Around the Web', 'Sponsored Links', 'by Taboola', 'Gardeners cannot believe this hose', 'Garden Offers']);

export const FRAMESET_PAGE = Object.freeze({
  path: '/test-pages/frameset.html',
  articleFile: 'frames/article.html',
  frames: Object.freeze({ story: 'frames/article.html', offers: 'frames/inner-ad.html' }),
});

export const PROTOTYPES_PAGE = Object.freeze({
  path: '/test-pages/hostile-prototypes.html',
  file: 'hostile-prototypes.html',
  gone: [...WIDGET_LABELS, 'Students swear by this memory supplement', 'Study Offers', 'This desk lamp changed exam season forever', 'Lamp Weekly'],
  /** At least these must be replaced in the page's main world, or the page tests nothing. */
  replaced: [
    'Element.prototype.remove', 'Node.prototype.appendChild', 'Node.prototype.removeChild', 'Node.prototype.insertBefore',
    'Document.prototype.querySelectorAll', 'Element.prototype.querySelectorAll', 'window.MutationObserver',
    'Array.prototype.push', 'JSON.stringify', 'window.fetch', 'WebAssembly.instantiate', 'EventTarget.prototype.addEventListener',
  ],
});

export const FORGE_PAGE = Object.freeze({
  path: '/test-pages/forge.html',
  file: 'forge.html',
  gone: [...WIDGET_LABELS, 'Commuters ditch their cars for this e-bike', 'Bike Offers', 'Why everyone is buying this bike lock', 'Lock Deals'],
});

function expectationsFor(testPage) {
  return { keep: articleOfTestPage(testPage.file), gone: testPage.gone, expectedCounts: TWO_WIDGETS };
}

function failIfAny(problems, where) {
  if (problems.length > 0) assert.fail(`${where}:\n  ${problems.join('\n  ')}`);
}

/** Chromium records the page's uncaught exceptions and console errors; Firefox's page log covers it there. */
function pageErrorProblems(page, since, when) {
  const errors = (page.errors ?? []).slice(since);
  return errors.length > 0 ? [`${errors.length} error(s) reached the page ${when}:\n    ${errors.join('\n    ')}`] : [];
}

// ---- XHTML ----

/** Runs IN THE PAGE. How the browser parsed the document. */
export function documentKindInPage() {
  return { contentType: document.contentType, namespace: document.documentElement.namespaceURI, xmlSerialised: document.documentElement.outerHTML.startsWith('<html xmlns=') };
}

/** Clean + Undo on the XHTML page: the ordinary journey, on a document the browser parsed as XML. */
export async function cleanAndUndoXhtmlPage(driver, { url, expectedEngine, log = () => {} }) {
  const checkKind = async (page, when) => {
    const kind = await page.evaluate(callExpression(documentKindInPage));
    const problems = [];
    if (kind.contentType !== 'application/xhtml+xml') problems.push(`document.contentType is ${JSON.stringify(kind.contentType)}, not application/xhtml+xml: the page was not parsed as XHTML`);
    if (kind.namespace !== 'http://www.w3.org/1999/xhtml') problems.push(`the root element's namespace is ${JSON.stringify(kind.namespace)}`);
    if (!kind.xmlSerialised) problems.push('outerHTML is not serialised as XML (no xmlns on <html>)');
    failIfAny(problems, `on ${url} ${when}`);
  };
  let checked = 0;
  const outcome = await cleanAndUndo(driver, {
    url,
    expectedEngine,
    log,
    expectations: expectationsFor(XHTML_PAGE),
    beforeClean: async ({ page }) => { await checkKind(page, 'before the clean'); checked += 1; },
    afterClean: async ({ page }) => { await checkKind(page, 'after the clean'); checked += 1; },
  });
  assert.equal(checked, 2, 'the XHTML checks did not run');
  return outcome;
}

// ---- Same-origin frames ----

/**
 * Runs IN THE PAGE's main world. The state of each same-origin frame named by `selector`: its DOM,
 * which of `texts` it shows, and the marker the test left on its window (a frame whose element was
 * removed and put back reloads, which loses the marker). `setMarker` leaves the marker first.
 */
export function framesInPage(selector, texts, setMarker) {
  const frames = [];
  for (const element of document.querySelectorAll(selector)) {
    const frameDocument = element.contentDocument;
    if (!frameDocument || frameDocument.readyState !== 'complete' || !frameDocument.body) {
      frames[frames.length] = { name: element.getAttribute('name') ?? element.id, error: 'not loaded yet' };
      continue;
    }
    if (setMarker) element.contentWindow.__unsponsorE2eFrameMarker = 'set before the clean';
    const shown = frameDocument.body.innerText;
    frames[frames.length] = {
      name: element.getAttribute('name') ?? element.id,
      url: frameDocument.URL,
      connected: element.isConnected,
      html: frameDocument.documentElement.outerHTML,
      marker: element.contentWindow.__unsponsorE2eFrameMarker ?? null,
      shown: texts.filter((text) => shown.includes(text)),
    };
  }
  return frames;
}

function frameProblems(before, after, { texts, when }) {
  const problems = [];
  if (after.length !== before.length) problems.push(`${before.length} frame(s) before, ${after.length} ${when}`);
  for (const [index, was] of before.entries()) {
    const now = after[index];
    if (!now || now.error) { problems.push(`frame ${was.name} ${when}: ${now ? now.error : 'gone'}`); continue; }
    if (!now.connected) problems.push(`frame ${was.name}'s element is no longer in the document ${when}`);
    if (now.marker !== 'set before the clean') problems.push(`frame ${was.name} lost the test's marker ${when}: its element was removed and re-inserted (the frame reloaded)`);
    const difference = describeFirstDifference(was.html, now.html);
    if (difference !== null) problems.push(`frame ${was.name}'s DOM changed ${when}, but frames are left alone:\n${difference}`);
    const lost = texts.filter((text) => was.shown.includes(text) && !now.shown.includes(text));
    if (lost.length > 0) problems.push(`frame ${was.name} no longer shows ${JSON.stringify(lost)} ${when}`);
  }
  return problems;
}

/**
 * Clean + Undo on the page with a same-origin <iframe>: the two widgets of the top document go, as
 * on any page; the frame, which holds a third widget, is not touched (same DOM, same document,
 * widget still shown), and the popup lists nothing from it.
 */
export async function cleanAndUndoWithSameOriginFrame(driver, { url, expectedEngine, log = () => {} }) {
  const { frameSelector } = IFRAME_PAGE;
  let before;
  let checked = 0;
  const readFrames = (page, setMarker = false) => page.evaluateMainWorld(callExpression(framesInPage, frameSelector, FRAME_AD_TEXTS, setMarker));
  const outcome = await cleanAndUndo(driver, {
    url,
    expectedEngine,
    log,
    expectations: expectationsFor(IFRAME_PAGE),
    beforeClean: async ({ page }) => {
      before = await pollUntil(async () => {
        const frames = await readFrames(page, true);
        return frames.length === 1 && !frames[0].error && frames[0].marker ? frames : false;
      }, { timeoutMs: 10_000, message: `the <iframe> ${frameSelector} to load` });
      const missing = FRAME_AD_TEXTS.filter((text) => !before[0].shown.includes(text));
      failIfAny(missing.map((text) => `before cleaning, the frame does not show ${JSON.stringify(text)}`), `on ${url}`);
      log(`frame ${before[0].url} shows its widget (${before[0].shown.length} texts) before the clean`);
      checked += 1;
    },
    afterClean: async ({ page, report }) => {
      const problems = frameProblems(before, await readFrames(page), { texts: FRAME_AD_TEXTS, when: 'after the clean' });
      const fromFrame = report.removals.filter((removal) => FRAME_AD_TEXTS.slice(3).some((text) => removal.preview?.includes(text)));
      if (fromFrame.length > 0) problems.push(`the popup lists a removal from the frame: ${JSON.stringify(fromFrame)}`);
      failIfAny(problems, `on ${url} after the clean`);
      checked += 1;
    },
    afterUndo: async ({ page }) => {
      failIfAny(frameProblems(before, await readFrames(page), { texts: FRAME_AD_TEXTS, when: 'after Undo' }), `on ${url} after Undo`);
      checked += 1;
    },
  });
  assert.equal(checked, 3, 'the frame checks did not run');
  return outcome;
}

/**
 * The frameset page: its top document has no <body> and nothing to clean; the ads are in one of its
 * frames, which the extension leaves alone. "Clean this page" must end in "cleaned" with nothing
 * removed and a clear message (not in "error"), Undo must stay hidden, the badge empty, and the
 * frameset and both frames exactly as they were. Returns the popup's final snapshot.
 */
export async function cleanFramesetPage(driver, { url, log = () => {} }) {
  const page = await driver.openPage(url);
  let popup;
  try {
    const errorsBefore = page.errors?.length ?? 0;
    const texts = [...FRAME_AD_TEXTS, ...articleOfTestPage(FRAMESET_PAGE.articleFile, { minParagraphs: 2 })];
    const readFrames = (setMarker = false) => page.evaluateMainWorld(callExpression(framesInPage, 'frame', texts, setMarker));
    const before = await pollUntil(async () => {
      const frames = await readFrames(true);
      return frames.length === 2 && frames.every((frame) => !frame.error && frame.marker) ? frames : false;
    }, { timeoutMs: 10_000, message: `both frames of ${url} to load` });
    // Starting point: a real frameset, the article in one frame, the widget in the other.
    const start = await page.evaluateMainWorld(`({ body: document.body ? document.body.localName : null, frames: document.querySelectorAll('frame').length })`);
    const problems = [];
    if (start.body !== 'frameset') problems.push(`document.body is <${start.body}>, not <frameset>`);
    const shownAnywhere = before.flatMap((frame) => frame.shown);
    for (const text of texts) if (!shownAnywhere.includes(text)) problems.push(`before cleaning, no frame shows ${JSON.stringify(text)}`);
    failIfAny(problems, `${url} is not a valid starting point`);
    const htmlBefore = await documentHtml(page);

    popup = await driver.openPopup(page);
    const initial = await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 10_000 });
    await clickWhenReady(popup, '#clean');
    // Any settled state other than "cleaned" (an "error" in particular) fails here with its message.
    const settled = await waitForPopupState(popup.evaluate, 'cleaned', { previousState: initial.state });
    log(`popup after "Clean this page" on the frameset: ${describePopup(settled)}`);
    await sleep(300); // a late pass, if any, would come within the watcher's first delay

    const after = [];
    const total = parseCount(settled.totalText);
    if (total !== 0 || settled.removals.length !== 0) after.push(`the popup reports ${settled.totalText} removal(s) (${JSON.stringify(settled.removals)}), expected none: the top document has nothing to clean`);
    if (!settled.message) after.push('the popup shows no message');
    if (settled.undo?.shown) after.push('#undo is shown, but nothing was removed');
    const badge = await driver.badgeText(page);
    if (badge !== '') after.push(`the toolbar badge is ${JSON.stringify(badge)}, expected none`);
    const topDifference = describeFirstDifference(htmlBefore, await documentHtml(page));
    if (topDifference !== null) after.push(`the frameset document changed:\n${topDifference}`);
    after.push(...frameProblems(before, await readFrames(), { texts, when: 'after the clean' }));
    after.push(...pageErrorProblems(page, errorsBefore, 'during the clean'));
    failIfAny(after, `"Clean this page" on ${url}`);
    return { settled };
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

// ---- A page that replaces the functions a cleaner would call ----

/**
 * Runs IN THE PAGE's main world, with the page's own (replaced) functions, so it calls none of
 * them: no Array methods, no JSON, plain loops and string concatenation. What the page's traps
 * recorded, and which of `expected` are NOT in place (the page must have replaced them all).
 */
export function pageTrapsInPage(expected) {
  let notReplaced = '';
  for (let index = 0; index < expected.length; index += 1) {
    const name = expected[index];
    const parts = name.split('.');
    let owner = window;
    for (let part = parts[0] === 'window' ? 1 : 0; part < parts.length - 1; part += 1) owner = owner && owner[parts[part]];
    const current = owner ? owner[parts[parts.length - 1]] : undefined;
    if (!window.__liars || current !== window.__liars[name]) notReplaced += `${notReplaced ? ', ' : ''}${name}`;
  }
  return {
    log: typeof window.__pageLog === 'string' ? window.__pageLog : null,
    replaced: typeof window.__replaced === 'string' ? window.__replaced : null,
    notReplaced,
  };
}

/**
 * Clean + Undo on hostile-prototypes.html. The page is read from an isolated world of the test's
 * own (`isolated: true`), and its traps from its main world: before the clean every trap must be
 * set and none sprung (which also proves the test's probes do not touch them); after the clean and
 * after Undo, still none sprung, and no error reached the page. The journey itself checks that both
 * widgets went, the article stayed and Undo restored outerHTML exactly.
 */
export async function cleanAndUndoHostilePrototypesPage(driver, { url, expectedEngine, log = () => {} }) {
  let errorsBefore = 0;
  let checked = 0;
  const traps = async (page, when, { first = false } = {}) => {
    const seen = await page.evaluateMainWorld(callExpression(pageTrapsInPage, PROTOTYPES_PAGE.replaced));
    const problems = [];
    if (seen.log === null) problems.push(`the page's trap log window.__pageLog cannot be read ${when}: its script did not run, or the probe cannot see page globals`);
    if (first && seen.notReplaced) problems.push(`the page's script did not replace ${seen.notReplaced}, so the page tests nothing there`);
    if (seen.log) problems.push(`the page's replaced functions were called, or an error reached the page, ${when}:\n    ${seen.log.trim().split('\n').join('\n    ')}`);
    problems.push(...pageErrorProblems(page, errorsBefore, when));
    failIfAny(problems, `on ${url} ${when}`);
    if (first) log(`the page replaced ${seen.replaced.split(',').length} functions: ${seen.replaced}`);
    checked += 1;
  };
  const outcome = await cleanAndUndo(driver, {
    url,
    expectedEngine,
    log,
    pageOptions: { isolated: true },
    expectations: expectationsFor(PROTOTYPES_PAGE),
    beforeClean: async ({ page }) => {
      errorsBefore = page.errors?.length ?? 0;
      await traps(page, 'before the clean', { first: true });
    },
    afterClean: ({ page }) => traps(page, 'after the clean'),
    afterUndo: ({ page }) => traps(page, 'after Undo'),
  });
  assert.equal(checked, 3, 'the trap checks did not run');
  return outcome;
}

// ---- A page that tries to give the extension orders ----

/** Runs IN THE PAGE's main world. The forging script's counters and log (see pages/forge.html). */
export function forgeStateInPage() {
  const forge = window.__forge;
  if (!forge) return null;
  return {
    rounds: forge.rounds,
    posted: forge.posted,
    events: forge.events,
    sendMessageAttempts: forge.sendMessageAttempts,
    sendMessageErrors: forge.sendMessageErrors,
    pageApis: forge.pageApis,
    log: forge.log,
    ownRunInPlace: typeof window.unsponsorRun === 'function' && window.unsponsorRun === window.__forgedRun,
  };
}

/**
 * Clean + Undo on forge.html, whose script sends forged commands ten times a second from load on.
 * Before the click nothing may have happened (ads all there, popup idle); the real clean must work
 * although the page defined its own unsponsorRun first; for 1.5 s after it, forged "undo" and badge
 * messages keep coming and must change nothing (ads still gone, popup and badge unchanged); the
 * page's unsponsorRun must never be called and stay the page's own; Undo from the popup works.
 */
export async function cleanAndUndoForgePage(driver, { url, expectedEngine, log = () => {} }) {
  const expectations = expectationsFor(FORGE_PAGE);
  let checked = 0;
  const state = async (page) => {
    const seen = await page.evaluateMainWorld(callExpression(forgeStateInPage));
    if (!seen) assert.fail(`the forging script of ${url} did not run (window.__forge is missing)`);
    return seen;
  };
  const pageRunProblems = (seen, when) => {
    const problems = [];
    if (seen.log.includes("the page's own unsponsorRun was called")) problems.push(`the page's own unsponsorRun was called ${when}:\n    ${seen.log}`);
    if (!seen.ownRunInPlace) problems.push(`window.unsponsorRun is no longer the page's own ${when}: the content script wrote into the page's world`);
    return problems;
  };
  const outcome = await cleanAndUndo(driver, {
    url,
    expectedEngine,
    log,
    expectations,
    beforeClean: async ({ page }) => {
      const seen = await pollUntil(async () => {
        const current = await state(page);
        return current.rounds >= 10 ? current : false;
      }, { timeoutMs: 10_000, message: 'ten rounds of forged commands' });
      const problems = [...pageRunProblems(seen, 'before the clean')];
      // The forged "clean" commands did nothing: every ad is still on the page.
      problems.push(...uncleanedPageFailures(await visibleText(page), { keep: expectations.keep, gone: expectations.gone }).map((problem) => `after ${seen.rounds} rounds of forged commands, ${problem}`));
      if (!seen.pageApis.includes('chrome.runtime.sendMessage=undefined') || !seen.pageApis.includes('browser=undefined')) {
        problems.push(`the page can reach an extension messaging API (${seen.pageApis}); the forging test assumes it cannot`);
      }
      if (seen.sendMessageErrors !== seen.sendMessageAttempts) problems.push(`chrome.runtime.sendMessage did not throw every time (${seen.sendMessageErrors} of ${seen.sendMessageAttempts})`);
      failIfAny(problems, `on ${url} before the clean`);
      log(`before the clean: ${seen.rounds} rounds, ${seen.posted} postMessage, ${seen.events} custom events, ${seen.sendMessageAttempts} sendMessage attempts (all threw); page APIs: ${seen.pageApis}`);
      checked += 1;
    },
    afterClean: async ({ page, popup, report }) => {
      const start = await state(page);
      await sleep(1_500); // forged "undo", "late-removal" (badge 42) and settings messages keep coming
      const seen = await state(page);
      const problems = [...pageRunProblems(seen, 'after the clean')];
      if (seen.rounds < start.rounds + 10) problems.push(`the forging script stopped (${start.rounds} -> ${seen.rounds} rounds in 1.5 s)`);
      problems.push(...cleanPageFailures(await visibleText(page), { keep: expectations.keep, gone: expectations.gone }).map((problem) => `after ${seen.rounds - start.rounds} more rounds of forged commands, ${problem}`));
      const now = await readPopup(popup.evaluate);
      if (now.state !== 'cleaned' || now.totalText !== report.totalText) problems.push(`the popup changed under forged commands: ${describePopup(now)} (was ${describePopup(report)})`);
      const badge = await driver.badgeText(page);
      if (badge !== String(Number(report.totalText))) problems.push(`the badge is ${JSON.stringify(badge)} after forged badge updates, expected ${report.totalText}`);
      failIfAny(problems, `on ${url} after the clean`);
      log(`after the clean: ${seen.rounds - start.rounds} more rounds of forged commands changed nothing (badge ${badge})`);
      checked += 1;
    },
    afterUndo: async ({ page }) => {
      failIfAny(pageRunProblems(await state(page), 'after Undo'), `on ${url} after Undo`);
      checked += 1;
    },
  });
  assert.equal(checked, 3, 'the forging checks did not run');
  return outcome;
}
