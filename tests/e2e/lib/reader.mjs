// The reader-controls journeys (issue "The reader in control"), written once for both browsers:
// category toggles, per-item restore and "Keep this" across a reload, the picker's rule across a
// reload, preview, own rules import/export, a corrupted stored setting, auto-clean on load and on
// late widgets. Browser specifics come from the driver (lib/chromium.mjs, lib/firefox.mjs) and
// from `hooks` the test files pass:
//   hooks.clickInPage(page, x, y)      real mouse move + click at viewport coordinates
//   hooks.pressEscape(page)            a real Esc key press in the page
//   hooks.overlayBoxes(page)           labels of the boxes in the extension's closed shadow root
//   hooks.grantSite({ popup, page, origin })  completes the permission request the switch made
// All page text checks read `document.body.innerText` (what is rendered).

import assert from 'node:assert/strict';
import { clickWhenReady } from './scenario.mjs';
import { readPopup, waitForPopupState, describePopup } from './popup.mjs';
import { callExpression, pollUntil, sleep } from './util.mjs';
import { copyVersion as easylistVersion } from '../../../scripts/update-easylist.mjs';

export const READER_PAGE_PATH = '/test-pages/reader.html';

/** One text of each block of the reader page, by category; the quiz box is in no category. */
export const READER_TEXTS = Object.freeze({
  article: 'Harbour ferries return to the winter timetable',
  paragraph: 'Passenger groups welcomed the early first crossing',
  ads: 'Doctors stunned by one simple morning habit',
  promos: 'Subscribe to our newsletter',
  related: 'Lighthouse keeper',
  comments: 'The early boat is a relief',
  social: 'Share on LinkedIn',
  quiz: 'Weekly harbour quiz',
  late: 'Late arrivals: the deal everyone is talking about',
});

const SETTINGS_GET = `(globalThis.browser ?? chrome).storage.sync.get('settings').then((stored) => stored.settings ?? null)`;

/** The stored settings object, read in an extension page (popup or options). */
export function storedSettings(extensionPage) {
  return extensionPage.evaluate(SETTINGS_GET);
}

/** Writes `value` as the stored settings (as another device, an old version or a damaged profile might). */
export function writeStoredSettings(extensionPage, value) {
  return extensionPage.evaluate(`(globalThis.browser ?? chrome).storage.sync.set({ settings: ${JSON.stringify(value)} }).then(() => (globalThis.browser ?? chrome).storage.local.remove('notice')).then(() => true)`);
}

export function pageText(page) {
  return page.evaluate('document.body.innerText');
}

/** Waits until the page shows every text in `shown` and none in `hidden`. */
export async function waitForPageTexts(page, { shown = [], hidden = [] }, { timeoutMs = 15_000, message = 'the page' } = {}) {
  let missing = [];
  let present = [];
  await pollUntil(
    async () => {
      const text = await pageText(page);
      missing = shown.filter((entry) => !text.includes(entry));
      present = hidden.filter((entry) => text.includes(entry));
      return missing.length === 0 && present.length === 0;
    },
    { timeoutMs, message, describe: () => `missing ${JSON.stringify(missing)}, still shown ${JSON.stringify(present)}` },
  );
}

function popupCategories(snapshot) {
  return snapshot.sections.map((section) => section.category).sort();
}

/** Waits for the popup's removal list to show exactly `categories`. */
async function waitForPopupCategories(popup, categories, message) {
  let snapshot;
  await pollUntil(
    async () => {
      snapshot = await readPopup(popup.evaluate);
      return JSON.stringify(popupCategories(snapshot)) === JSON.stringify([...categories].sort());
    },
    { timeoutMs: 15_000, message, describe: () => describePopup(snapshot) },
  );
  return snapshot;
}

/** Opens the popup on `page`, presses "Clean this page" and waits for "cleaned". */
export async function cleanWithPopup(driver, page) {
  const popup = await driver.openPopup(page);
  const opened = await pollUntil(async () => {
    const snapshot = await readPopup(popup.evaluate);
    return snapshot.state && snapshot.state !== 'working' ? snapshot : false;
  }, { message: 'the popup to settle' });
  await clickWhenReady(popup, '#clean');
  const cleaned = await waitForPopupState(popup.evaluate, 'cleaned', { previousState: opened.state });
  return { popup, cleaned };
}

/** Resets the reader's settings to the defaults (from an extension page) so each journey starts clean. */
export async function resetSettings(extensionPage) {
  await extensionPage.evaluate(`Promise.all([(globalThis.browser ?? chrome).storage.sync.clear(), (globalThis.browser ?? chrome).storage.local.clear()]).then(() => true)`);
}

// ----- journeys -----

/** Category toggles in the popup: switching one on removes its block at once, switching one off brings its blocks back. */
export async function categoryTogglesJourney(driver, { url, log }) {
  const page = await driver.openPage(url);
  let popup;
  try {
    await waitForPageTexts(page, { shown: Object.values(READER_TEXTS).filter((text) => text !== READER_TEXTS.late) }, { message: 'the reader page to show every block' });
    ({ popup } = await cleanWithPopup(driver, page));
    const boxes = await popup.evaluate(`[...document.querySelectorAll('input[name=category]')].map((box) => [box.value, box.checked])`);
    assert.deepEqual(Object.fromEntries(boxes), { ads: true, promos: true, related: false, comments: false, social: false }, 'default categories');
    await waitForPopupCategories(popup, ['ads', 'promos'], 'the default clean to list ads and promos');
    await waitForPageTexts(page, { shown: [READER_TEXTS.comments, READER_TEXTS.article], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] });

    await popup.click('input[name=category][value=comments]');
    await waitForPopupCategories(popup, ['ads', 'comments', 'promos'], 'comments to be removed once switched on');
    await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.paragraph], hidden: [READER_TEXTS.comments, READER_TEXTS.ads] });

    await popup.click('input[name=category][value=ads]');
    await waitForPopupCategories(popup, ['comments', 'promos'], 'ads to come back once switched off');
    await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.article], hidden: [READER_TEXTS.comments, READER_TEXTS.promos] });

    const settings = await storedSettings(popup);
    assert.deepEqual(settings.sites['127.0.0.1'].categories, { ads: false, promos: true, related: false, comments: true, social: false }, 'the site choice is stored');
    assert.deepEqual(settings.categories, { ads: true, promos: true, related: false, comments: false, social: false }, 'the global choice is unchanged');
    log('category toggles: comments on removed the comments, ads off brought the ad back; stored per site');
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/** Runs IN THE POPUP, before its own scripts (a script added for new documents): logs, with the time, whether the removal list and the site's controls show, at every change. */
export function recordPopupLayoutInPage() {
  const log = [];
  globalThis.__unsponsorLayoutLog = log;
  const record = () => {
    const site = document.getElementById('site');
    const summary = document.getElementById('summary');
    if (site && summary) log.push({ t: performance.now(), site: !site.hidden, summary: !summary.hidden });
  };
  new MutationObserver(record).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['hidden'] });
}

/**
 * The popup opened on a cleaned page draws its list of removals (which sits above the site's
 * controls) before it shows those controls, so a box does not move away under the reader's
 * pointer; it may show them without the list only once it has waited 300 ms for the page
 * (popup.js, REPORT_WAIT_MS). Needs a driver whose popup session can add a script to new
 * documents (Chromium, over CDP).
 */
export async function popupDrawsRemovalsFirstJourney(driver, { url, log }) {
  const REPORT_WAIT_MS = 300;
  const page = await driver.openPage(url);
  let popup;
  try {
    ({ popup } = await cleanWithPopup(driver, page));
    await waitForPopupCategories(popup, ['ads', 'promos'], 'the clean to list ads and promos');
    // Opened again with the recorder in place: the same popup document, reloaded.
    await popup.session.send('Page.addScriptToEvaluateOnNewDocument', { source: `(${recordPopupLayoutInPage})();` });
    await popup.session.send('Page.reload', {});
    const history = await pollUntil(async () => {
      const entries = await popup.evaluate('globalThis.__unsponsorLayoutLog ?? null');
      return entries && entries.some((entry) => entry.site && entry.summary) ? entries : false;
    }, { timeoutMs: 15_000, message: 'the reopened popup to show both the list and the site controls' });
    const early = history.filter((entry) => entry.site && !entry.summary && entry.t < REPORT_WAIT_MS);
    assert.deepEqual(early, [], `the site's controls showed before the list of removals: ${JSON.stringify(history)}`);
    await waitForPopupCategories(popup, ['ads', 'promos'], 'the reopened popup to list what the page had removed');
    log(`popup layout on opening: ${JSON.stringify(history.map((entry) => ({ ...entry, t: Math.round(entry.t) })))}`);
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/** "Put back" restores one block; "Keep this" restores one and saves an exception that holds after a reload. */
export async function keepThisJourney(driver, { url, log }) {
  let page = await driver.openPage(url);
  let popup;
  try {
    ({ popup } = await cleanWithPopup(driver, page));
    const before = await readPopup(popup.evaluate);
    await waitForPageTexts(page, { hidden: [READER_TEXTS.ads, READER_TEXTS.promos] });

    await popup.click('section[data-category=ads] li.removal .restore');
    const restored = await waitForPopupState(popup.evaluate, 'restored', { previousState: 'cleaned' });
    assert.equal(Number(restored.totalText), Number(before.totalText) - 1, `the total drops by one: ${describePopup(restored)}`);
    await waitForPageTexts(page, { shown: [READER_TEXTS.ads], hidden: [READER_TEXTS.promos] }, { message: '"Put back" to restore the ad' });
    assert.equal((await storedSettings(popup))?.rules ?? '', '', '"Put back" saves no rule');

    await popup.click('section[data-category=promos] li.removal .keep');
    await waitForPopupState(popup.evaluate, 'kept', { previousState: 'restored' });
    await waitForPageTexts(page, { shown: [READER_TEXTS.promos, READER_TEXTS.ads] }, { message: '"Keep this" to restore the promo' });
    const rules = (await storedSettings(popup)).rules;
    assert.match(rules, /^127\.0\.0\.1#@#\S+$/m, `"Keep this" saves an exception for the site: ${JSON.stringify(rules)}`);
    log(`Keep this saved ${JSON.stringify(rules.trim())}`);
    await driver.closePopup(popup);
    popup = null;

    // After a reload the promo stays, the ad goes again.
    await driver.closePage(page);
    page = await driver.openPage(url);
    ({ popup } = await cleanWithPopup(driver, page));
    const again = await readPopup(popup.evaluate);
    assert.deepEqual(popupCategories(again), ['ads'], `after a reload only the ad is removed: ${describePopup(again)}`);
    await waitForPageTexts(page, { shown: [READER_TEXTS.promos, READER_TEXTS.article], hidden: [READER_TEXTS.ads] }, { message: 'the kept promo to survive a reload' });
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/** Runs IN THE PAGE. Scrolls `selector` into view; its centre in viewport coordinates. */
export function centreOfInPage(selector) {
  const element = document.querySelector(selector);
  if (!element) return null;
  element.scrollIntoView({ block: 'center' });
  const box = element.getBoundingClientRect();
  return { x: Math.round(box.left + box.width / 2), y: Math.round(box.top + box.height / 2) };
}

/** The picker: hover highlights, a click removes and saves a site rule, Esc leaves; the rule applies after a reload. */
export async function pickerJourney(driver, hooks, { url, log, screenshot }) {
  let page = await driver.openPage(url);
  let popup;
  try {
    await waitForPageTexts(page, { shown: [READER_TEXTS.quiz] });
    popup = await driver.openPopup(page);
    await clickWhenReady(popup, '#pick');
    // The popup closes itself so the reader can pick in the page.
    await pollUntil(async () => !(await popup.isOpen()), { timeoutMs: 10_000, message: 'the popup to close for the picker' });
    await driver.closePopup(popup).catch(() => {});
    popup = null;
    await pollUntil(() => page.evaluate(`Boolean(document.querySelector('unsponsor-ui[data-unsponsor-ui]'))`), { message: 'the picker overlay' });

    const point = await page.evaluate(callExpression(centreOfInPage, '#weekly-quiz'));
    await hooks.movePointer(page, point.x, point.y);
    const labels = await pollUntil(async () => {
      const boxes = await hooks.overlayBoxes(page);
      return boxes.length === 1 ? boxes : false;
    }, { message: 'the picker to highlight the element under the pointer' });
    log(`picker highlights ${JSON.stringify(labels)}`);
    if (screenshot) await screenshot(page);
    await hooks.clickInPage(page, point.x, point.y);
    await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.paragraph], hidden: [READER_TEXTS.quiz] }, { message: 'the picked block to go' });
    await hooks.pressEscape(page);
    await pollUntil(async () => !(await page.evaluate(`Boolean(document.querySelector('unsponsor-ui'))`)), { message: 'Esc to close the picker' });

    popup = await driver.openPopup(page);
    const settings = await pollUntil(async () => {
      const stored = await storedSettings(popup);
      return stored && /^127\.0\.0\.1##/m.test(stored.rules) ? stored : false;
    }, { message: 'the picked rule to be saved' });
    assert.match(settings.rules, /^127\.0\.0\.1###weekly-quiz$/m, `a stable selector (the element's id): ${JSON.stringify(settings.rules)}`);
    let listed;
    await pollUntil(async () => {
      listed = await readPopup(popup.evaluate);
      return listed.removals.some((removal) => removal.rule === 'user-rule');
    }, { message: 'the popup to list the picked block', describe: () => describePopup(listed) });
    await driver.closePopup(popup);
    popup = null;

    await driver.closePage(page);
    page = await driver.openPage(url);
    await waitForPageTexts(page, { shown: [READER_TEXTS.quiz] }, { message: 'the reloaded page, before a clean, to show the quiz' });
    ({ popup } = await cleanWithPopup(driver, page));
    const cleaned = await readPopup(popup.evaluate);
    assert.ok(cleaned.removals.some((removal) => removal.rule === 'user-rule'), `the site rule removes the quiz after a reload: ${describePopup(cleaned)}`);
    await waitForPageTexts(page, { shown: [READER_TEXTS.article], hidden: [READER_TEXTS.quiz, READER_TEXTS.ads] });
    log('picker: rule saved and applied after a reload');
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/** Preview outlines what would go, labelled with reasons, and removes nothing; "Clean" then removes it. */
export async function previewJourney(driver, hooks, { url, log, screenshot }) {
  const page = await driver.openPage(url);
  let popup;
  try {
    await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos] });
    popup = await driver.openPopup(page);
    await clickWhenReady(popup, '#preview');
    const previewed = await waitForPopupState(popup.evaluate, 'previewed', { previousState: 'idle' });
    assert.match(previewed.message, /2/, `the popup says how many would go: ${previewed.message}`);
    const labels = await pollUntil(async () => {
      const boxes = await hooks.overlayBoxes(page);
      return boxes.length === 2 ? boxes : false;
    }, { message: 'two outlines in the page' });
    assert.ok(labels.every((label) => label.length > 3), `each outline has a reason: ${JSON.stringify(labels)}`);
    await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'preview to remove nothing' });
    if (screenshot) await screenshot(page);
    log(`preview outlines: ${JSON.stringify(labels)}`);
    await clickWhenReady(popup, '#clean');
    await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'previewed' });
    await waitForPageTexts(page, { shown: [READER_TEXTS.article], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] });
    assert.equal(await page.evaluate(`Boolean(document.querySelector('unsponsor-ui'))`), false, 'the outlines go with the clean');
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/** Damaged stored settings: the popup still works, shows the defaults and a notice; storage is repaired. */
export async function corruptedSettingJourney(driver, { url, log }) {
  const page = await driver.openPage(url);
  let popup;
  try {
    popup = await driver.openPopup(page);
    await writeStoredSettings(popup, { version: 1, categories: 'broken', sites: { 'bad host!': 1 }, autoClean: 'x', neverTouch: [], rules: 42 });
    await driver.closePopup(popup);
    popup = await driver.openPopup(page);
    const notice = await pollUntil(async () => {
      const shown = await popup.evaluate(`(() => { const n = document.querySelector('#notice'); return n && !n.hidden ? n.textContent.replace(/\\s+/g, ' ').trim() : false; })()`);
      return shown;
    }, { message: 'the repair notice in the popup' });
    assert.match(notice, /categories/, `the notice names the repaired fields: ${notice}`);
    await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
    const opened = await readPopup(popup.evaluate);
    assert.equal(opened.state, 'idle', `the popup is usable: ${describePopup(opened)}`);
    assert.ok(opened.clean.shown && !opened.clean.disabled, 'Clean is offered');
    const boxes = await popup.evaluate(`[...document.querySelectorAll('input[name=category]')].map((box) => box.checked)`);
    assert.deepEqual(boxes, [true, true, false, false, false], 'the categories show the defaults');
    const repaired = await storedSettings(popup);
    assert.deepEqual(repaired, { version: 1, categories: { ads: true, promos: true, related: false, comments: false, social: false }, sites: {}, autoClean: [], neverTouch: [], rules: '' }, 'the stored settings were repaired');
    log(`corrupted settings: notice "${notice}"`);
    await clickWhenReady(popup, '#clean');
    await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'idle' });
    await clickWhenReady(popup, '#notice-dismiss');
    await pollUntil(async () => popup.evaluate(`document.querySelector('#notice').hidden`), { message: 'the notice to be dismissed' });
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/** The rule list the import tests use: good lines, and one of each rejected form, with the lines the core must reject. */
export const IMPORT_FILE = {
  text: [
    '! Unsponsor e2e import',                       // 1 comment
    'example.com##.sponsored-box',                  // 2
    '##.ad-slot',                                   // 3
    'news.example.org#@#.keep-me',                  // 4
    'example.com#?#.x:has-text(Sponsored)',         // 5 procedural
    'example.com#$#.x { display: none }',           // 6 style injection
    '##+js(nowebrtc)',                              // 7 scriptlet
    '||ads.example.com^',                           // 8 network rule
    'example.com##.a { color: red }',               // 9 braces
    'example.com##div[[[',                          // 10 the browser rejects it
    'just some words',                              // 11 not a rule
    `example.com##.${'x'.repeat(1_100)}`,           // 12 overlong
    'a.com,b.org##.promo',                          // 13
    '',
  ].join('\n'),
  goodLines: ['! Unsponsor e2e import', 'example.com##.sponsored-box', '##.ad-slot', 'news.example.org#@#.keep-me', 'a.com,b.org##.promo'],
  badLineNumbers: [5, 6, 7, 8, 9, 10, 11, 12],
};

/** Runs IN THE OPTIONS PAGE. What the own-rules section shows. */
export function readRulesSectionInPage() {
  return {
    ready: document.body.dataset.ready === 'true',
    rules: document.querySelector('#rules').value,
    status: document.querySelector('#rules-status').textContent,
    state: document.querySelector('#rules-status').dataset.state ?? null,
    errors: [...document.querySelectorAll('#rules-errors li')].map((item) => ({ line: Number(item.dataset.line), text: item.textContent })),
    notice: document.querySelector('#notice').hidden ? null : document.querySelector('#notice').textContent.trim(),
  };
}

/** Runs IN THE OPTIONS PAGE. Presses Export and reads the exported file back (the download link's blob). */
export async function exportRulesInPage() {
  const link = document.querySelector('#rules-download');
  link.removeAttribute('href');
  // The real download is the browser's business; the test reads the file it was given.
  link.addEventListener('click', (event) => event.preventDefault(), { once: true });
  document.querySelector('#rules-export').click();
  return { name: link.download, text: await (await fetch(link.href)).text() };
}

/**
 * Import with bad lines, export, and import the export into an empty list again. `importFile(page,
 * name, text)` sets the file input like a user choosing a file (driver-specific).
 */
export async function importExportJourney(options, { importFile, log }) {
  const read = () => options.evaluate(callExpression(readRulesSectionInPage));
  await pollUntil(async () => (await read()).ready, { message: 'the options page to load' });
  await options.evaluate(`(() => { document.querySelector('#rules').value = 'mine.example##.old-box\\n'; document.querySelector('#rules-save').click(); return true; })()`);
  await pollUntil(async () => (await read()).state === 'saved', { message: 'the rules to be saved' });

  await importFile(options, 'e2e-rules.txt', IMPORT_FILE.text);
  const imported = await pollUntil(async () => {
    const state = await read();
    return state.state === 'imported-with-errors' ? state : false;
  }, { timeoutMs: 15_000, message: 'the import to be reported' });
  assert.deepEqual(imported.errors.map((error) => error.line), IMPORT_FILE.badLineNumbers, `every bad line is reported with its line number: ${JSON.stringify(imported.errors)}`);
  for (const error of imported.errors) assert.match(error.text, /:\s*\S/, `line ${error.line} has a reason: ${error.text}`);
  const lines = imported.rules.split('\n').filter(Boolean);
  assert.deepEqual(lines, ['mine.example##.old-box', ...IMPORT_FILE.goodLines], 'the list keeps its lines and gains the good ones, in order');
  assert.match(imported.status, /5/, `the status says how many lines were added: ${imported.status}`);
  log(`import: ${imported.errors.length} bad lines reported (${imported.errors.map((error) => error.text.slice(0, 70)).join(' | ')})`);

  const stored = await storedSettings(options);
  assert.equal(stored.rules, imported.rules, 'the merged list is stored');

  const exported = await options.evaluate(callExpression(exportRulesInPage));
  assert.equal(exported.name, 'unsponsor-rules.txt');
  assert.equal(exported.text, imported.rules, 'the export is the list as shown');

  await options.evaluate(`(() => { document.querySelector('#rules').value = ''; document.querySelector('#rules-save').click(); return true; })()`);
  await pollUntil(async () => (await storedSettings(options)).rules === '', { message: 'the list to be emptied' });
  await importFile(options, 'unsponsor-rules.txt', exported.text);
  const roundTrip = await pollUntil(async () => {
    const state = await read();
    return state.state === 'imported' ? state : false;
  }, { message: 'the exported file to import without errors' });
  assert.equal(roundTrip.rules, exported.text, 'import(export(list)) is the list');
  assert.deepEqual(roundTrip.errors, []);
  log('import/export round trip: identical');
}

/**
 * Auto-clean: the popup's switch asks for this site's permission; once granted, every page load of
 * the site is cleaned without a click, and so is a widget injected later. Switching it off gives the
 * permission back and stops it.
 */
export async function autoCleanJourney(driver, hooks, { url, origin, log }) {
  let page = await driver.openPage(url);
  let popup;
  try {
    popup = await driver.openPopup(page);
    await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
    assert.equal(await popup.evaluate(`document.querySelector('#auto-clean').checked`), false, 'auto-clean starts off');
    const before = await popup.evaluate(`(globalThis.browser ?? chrome).permissions.getAll()`);
    assert.deepEqual(before.origins, [], 'no site access before the switch');
    await popup.click('#auto-clean');
    await hooks.grantSite({ popup, page, origin });
    await driver.closePopup(popup).catch(() => {});
    popup = null;

    // The background registers the content script for the granted site.
    await driver.closePage(page);
    page = await driver.openPage(url);
    page.expectHostAccess = true; // granted for auto-clean
    await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.paragraph], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] }, { timeoutMs: 20_000, message: 'the page to be cleaned as it loads, without a click' });
    await page.evaluate('window.addLateWidget(), true');
    await waitForPageTexts(page, { shown: [READER_TEXTS.article], hidden: [READER_TEXTS.late] }, { message: 'a widget injected later to be hidden' });
    // Hidden at once by the early stylesheet; removed by a late pass, with its reason.
    await pollUntil(() => page.evaluate(`document.querySelector('#taboola-below-article-thumbnails') === null`), { message: 'the late widget to be removed from the page' });
    log('auto-clean: cleaned on load and the late widget removed');

    popup = await driver.openPopup(page);
    const opened = await pollUntil(async () => {
      const snapshot = await readPopup(popup.evaluate);
      return snapshot.state === 'cleaned' ? snapshot : false;
    }, { message: 'the popup to show the automatic clean' });
    assert.ok(opened.removals.length >= 3, `the popup lists the automatic removals, the late one too: ${describePopup(opened)}`);
    assert.equal(await popup.evaluate(`document.querySelector('#auto-clean').checked`), true, 'the switch shows on');
    await popup.click('#auto-clean');
    await pollUntil(async () => {
      const granted = await popup.evaluate(`(globalThis.browser ?? chrome).permissions.getAll()`);
      return granted.origins.length === 0;
    }, { message: 'switching off to give the site permission back' });
    await pollUntil(async () => (await storedSettings(popup)).autoClean.length === 0, { message: 'the site to leave the auto-clean list' });
    await driver.closePopup(popup);
    popup = null;

    await driver.closePage(page);
    page = await driver.openPage(url);
    await sleep(2_000);
    await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos] }, { timeoutMs: 1_000, message: 'the page to stay as it is once auto-clean is off' });
    log('auto-clean off: permission given back, page left alone');
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/**
 * Global categories: switching one on in the options page (`withOptionsPage(async (options) =>
 * ...)`, where `options.evaluate(expression)` runs in the options page and `options.click(selector)`
 * is a real click there) changes what the next clean removes on a site without its own choice, and
 * the popup shows that choice for the site.
 */
export async function globalCategoriesJourney(driver, { url, log, withOptionsPage }) {
  await withOptionsPage(async (options) => {
    await pollUntil(() => options.evaluate(`document.body.dataset.ready === 'true'`), { message: 'the options page to load' });
    const before = await options.evaluate(`[...document.querySelectorAll('#categories input[name=category]')].filter((box) => box.checked).map((box) => box.value)`);
    assert.deepEqual(before, ['ads', 'promos'], 'the options page starts with the default categories');
    // The build carries EasyList (third_party/easylist/) and the options page says which version.
    const version = easylistVersion();
    const filterList = await pollUntil(
      () => options.evaluate(`(() => { const line = document.querySelector('#filter-list'); return line.dataset.state ? { state: line.dataset.state, text: line.textContent } : false; })()`),
      { message: 'the options page to say which filter list the build carries' },
    );
    assert.equal(filterList.state, 'easylist', `the options page shows no filter list: ${filterList.text}`);
    assert.ok(filterList.text.includes(`EasyList`) && filterList.text.includes(version), `the options page should name EasyList ${version}: ${filterList.text}`);
    log(`options page: ${filterList.text}`);
    await options.click('#categories input[value=social]');
    await pollUntil(async () => (await storedSettings(options))?.categories.social === true, { message: 'the global choice to be stored' });
  });
  const page = await driver.openPage(url);
  let popup;
  try {
    await waitForPageTexts(page, { shown: [READER_TEXTS.social, READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'the page, before a clean, to show the share bar' });
    ({ popup } = await cleanWithPopup(driver, page));
    const boxes = await popup.evaluate(`[...document.querySelectorAll('input[name=category]')].filter((box) => box.checked).map((box) => box.value)`);
    assert.deepEqual(boxes, ['ads', 'promos', 'social'], 'the popup shows the global choice for this site');
    await waitForPopupCategories(popup, ['ads', 'promos', 'social'], 'the clean to list the share bar too');
    await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.comments], hidden: [READER_TEXTS.social, READER_TEXTS.ads, READER_TEXTS.promos] });
    const settings = await storedSettings(popup);
    assert.deepEqual(settings.sites, {}, 'no site got a choice of its own');
    log('global categories: share bars switched on in the options page, removed by the next clean');
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

const CHECKED_GLOBAL = `[...document.querySelectorAll('#categories input[name=category]')].filter((box) => box.checked).map((box) => box.value)`;

/**
 * Global categories act at once on the pages already cleaned: the reader page is cleaned with the
 * popup, the popup closed, and then, with no further click on the page or the popup, a category
 * switched on in the options page removes its blocks from the open page, and one switched off
 * puts them back. Once the site has a choice of its own (a popup toggle), a global change leaves
 * the page as it is. `withOptionsPage(use, { page })` opens the options page beside the open
 * `page` and calls `use(options)`; `options.evaluatePage(expression)` reads the reader page
 * meanwhile (without touching it).
 */
export async function globalCategoriesAtOnceJourney(driver, { url, log, withOptionsPage }) {
  const page = await driver.openPage(url);
  let popup;
  try {
    await waitForPageTexts(page, { shown: Object.values(READER_TEXTS).filter((text) => text !== READER_TEXTS.late) }, { message: 'the reader page to show every block' });
    ({ popup } = await cleanWithPopup(driver, page));
    await waitForPopupCategories(popup, ['ads', 'promos'], 'the default clean to list ads and promos');
    await driver.closePopup(popup);
    popup = null;
    await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.social, READER_TEXTS.comments], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'the default clean' });

    const timings = {};
    await withOptionsPage(async (options) => {
      const seen = { evaluate: options.evaluatePage };
      await pollUntil(() => options.evaluate(`document.body.dataset.ready === 'true'`), { message: 'the options page to load' });
      assert.deepEqual(await options.evaluate(CHECKED_GLOBAL), ['ads', 'promos'], 'the options page starts with the default categories');

      let started = Date.now();
      await options.click('#categories input[value=social]');
      await waitForPageTexts(seen, { shown: [READER_TEXTS.article, READER_TEXTS.comments], hidden: [READER_TEXTS.social, READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'the open page to lose its share bar at once (social switched on globally)' });
      timings.on = Date.now() - started;

      started = Date.now();
      await options.click('#categories input[value=ads]');
      await waitForPageTexts(seen, { shown: [READER_TEXTS.ads, READER_TEXTS.article, READER_TEXTS.comments], hidden: [READER_TEXTS.social, READER_TEXTS.promos] }, { message: 'the ad to come back at once (ads switched off globally)' });
      timings.off = Date.now() - started;
      const settings = await storedSettings(options);
      assert.deepEqual(settings.categories, { ads: false, promos: true, related: false, comments: false, social: true }, 'the global choice is stored');
      assert.deepEqual(settings.sites, {}, 'no site got a choice of its own');
    }, { page });

    // The site gets its own choice (a popup toggle), which a global change no longer overrides.
    popup = await driver.openPopup(page);
    await pollUntil(async () => JSON.stringify(await popup.evaluate(`[...document.querySelectorAll('input[name=category]')].filter((box) => box.checked && !box.disabled).map((box) => box.value)`)) === JSON.stringify(['promos', 'social']), { message: 'the popup to show the global choice for the site' });
    // The popup sets its boxes before it lists what the page had removed, and the list, shown
    // above them, moves them down. The click is a real one, aimed where the box was found: aimed
    // before the list appears, it can land beside the box (seen once in six runs).
    await waitForPopupCategories(popup, ['promos', 'social'], 'the popup to list what the open page had removed');
    await popup.click('input[name=category][value=comments]');
    await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.article], hidden: [READER_TEXTS.comments, READER_TEXTS.social, READER_TEXTS.promos] }, { message: 'the popup toggle to remove the comments' });
    await pollUntil(async () => Boolean((await storedSettings(popup))?.sites?.['127.0.0.1']), { message: 'the site choice to be stored' });
    await driver.closePopup(popup);
    popup = null;

    await withOptionsPage(async (options) => {
      const seen = { evaluate: options.evaluatePage };
      await pollUntil(() => options.evaluate(`document.body.dataset.ready === 'true'`), { message: 'the options page to load' });
      await options.click('#categories input[value=promos]');
      await options.click('#categories input[value=ads]');
      await pollUntil(async () => {
        const stored = await storedSettings(options);
        return stored?.categories.promos === false && stored?.categories.ads === true;
      }, { message: 'the new global choice to be stored' });
      await sleep(Math.max(1_500, 2 * Math.max(timings.on, timings.off)));
      await waitForPageTexts(seen, { shown: [READER_TEXTS.ads, READER_TEXTS.article], hidden: [READER_TEXTS.promos, READER_TEXTS.comments, READER_TEXTS.social] }, { timeoutMs: 1_000, message: 'the site with its own choice to stay as it was' });
    }, { page });
    log(`global categories at once: social on removed the share bar in ${timings.on} ms, ads off put the ad back in ${timings.off} ms, without a click on the page; a site with its own choice stayed as it was`);
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}

/**
 * No surprises: a rule list too big for one storage.sync item (8 KB in Chrome) makes the settings
 * fall back to storage.local, and the options page says so with a visible notice; once the list
 * fits again, the settings go back to sync and the notice goes away. `options` as in
 * importExportJourney (evaluate in the options page, `click(selector)` a real click).
 */
export async function syncFallbackNoticeJourney(options, { log }) {
  await pollUntil(() => options.evaluate(`document.body.dataset.ready === 'true'`), { message: 'the options page to load' });
  const noticeShown = `(() => { const box = document.getElementById('storage-notice'); return !box.hidden && box.getBoundingClientRect().height > 0 && box.innerText.trim().length > 0; })()`;
  assert.equal(await options.evaluate(noticeShown), false, 'no notice while the settings sync');
  const big = Array.from({ length: 400 }, (_, index) => `example${index}.com##.sponsored-box-${index}`).join('\n');
  await options.evaluate(`(() => { document.getElementById('rules').value = ${JSON.stringify(big)}; return true; })()`);
  await options.click('#rules-save');
  await pollUntil(() => options.evaluate(noticeShown), { message: 'the notice that the settings are kept in this browser only' });
  const text = await options.evaluate(`document.getElementById('storage-notice').innerText`);
  const where = await options.evaluate(`Promise.all([(globalThis.browser ?? chrome).storage.sync.get('settings'), (globalThis.browser ?? chrome).storage.local.get('settings')]).then(([sync, local]) => ({ sync: Boolean(sync.settings), localRules: local.settings?.rules.length ?? 0 }))`);
  assert.deepEqual(where, { sync: false, localRules: big.length }, 'the settings live in local storage, whole');
  await options.evaluate(`(() => { document.getElementById('rules').value = 'example.com##.ad\\n'; return true; })()`);
  await options.click('#rules-save');
  await pollUntil(async () => !(await options.evaluate(noticeShown)), { message: 'the notice to go once the settings sync again' });
  assert.equal((await storedSettings(options))?.rules, 'example.com##.ad\n', 'the settings are back in sync storage');
  log(`sync fallback: ${big.length} characters of rules kept in local storage with a visible notice (${JSON.stringify(text.slice(0, 60))}…); gone once they fit`);
}

/**
 * "Never touch this site": the popup's switch disables Clean, Preview and the picker, the site is
 * stored on the list, and the background refuses a clean for it even when asked directly (a
 * `run` message sent by hand from the popup, which is an extension page it otherwise obeys).
 */
export async function neverTouchJourney(driver, { url, log }) {
  const page = await driver.openPage(url);
  let popup;
  try {
    popup = await driver.openPopup(page);
    await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
    const opened = await readPopup(popup.evaluate);
    assert.equal(await popup.evaluate(`document.querySelector('#never-touch').checked`), false, 'the switch starts off');
    assert.ok(opened.clean.shown && !opened.clean.disabled, `Clean is offered before: ${describePopup(opened)}`);
    await popup.click('#never-touch');
    await waitForPopupState(popup.evaluate, 'paused', { previousState: 'idle' });
    const shown = await readPopup(popup.evaluate);
    assert.equal(shown.clean.disabled, true, 'Clean is disabled on a never-touch site');
    const disabled = await popup.evaluate(`['preview', 'pick'].map((id) => document.getElementById(id).disabled)`);
    assert.deepEqual(disabled, [true, true], 'Preview and the picker are disabled too');
    assert.deepEqual((await storedSettings(popup)).neverTouch, ['127.0.0.1'], 'the site is on the stored list');
    const answer = await popup.evaluate(`(globalThis.browser ?? chrome).tabs.query({ active: true, currentWindow: true }).then(([tab]) => (globalThis.browser ?? chrome).runtime.sendMessage({ type: 'run', command: 'clean', tabId: tab.id, url: tab.url }))`);
    assert.equal(answer?.state, 'paused', `the background refuses to clean it too: ${JSON.stringify(answer)}`);
    await sleep(500);
    await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'the page to be left alone' });
    log(`never touch: Clean disabled, a clean asked for by hand refused (${JSON.stringify(answer.error)})`);
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}
