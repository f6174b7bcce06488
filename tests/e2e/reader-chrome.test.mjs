// End-to-end tests of the reader controls in Chromium (dist/chrome): categories, auto-clean with
// its per-site permission, per-item restore and "Keep this", the picker, preview, own rules
// import/export, a corrupted stored setting, keyboard use, and the documentation screenshots.
//
//   npm run build && node --test tests/e2e/reader-chrome.test.mjs
//
// The journeys are in lib/reader.mjs (shared with reader-firefox.test.mjs). Chromium specifics:
// pointer and keys go through Playwright (CDP Input, trusted events); the closed shadow root of
// the page overlay is read with CDP DOM.getDocument({ pierce: true }); and the site permission
// the auto-clean switch asks for is granted in the browser's own site-access settings, because
// Chromium's permission prompt is native browser UI that CDP cannot press (see grantSite).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { CHROME_EXTENSION_DIR, DEMO_SITE_DIR, SCREENSHOT_DIR, requireBuilt } from './lib/config.mjs';
import { ChromiumDriver } from './lib/chromium.mjs';
import { RequestLog } from './lib/network.mjs';
import { waitForPopupState } from './lib/popup.mjs';
import {
  storedSettings, writeStoredSettings,
  autoCleanJourney, categoryTogglesJourney, cleanWithPopup, popupDrawsRemovalsFirstJourney, corruptedSettingJourney, importExportJourney,
  keepThisJourney, pickerJourney, previewJourney, READER_PAGE_PATH, waitForPageTexts, READER_TEXTS,
  globalCategoriesJourney, globalCategoriesAtOnceJourney, neverTouchJourney, syncFallbackNoticeJourney,
} from './lib/reader.mjs';
import { autoCleanNoFlashJourney } from './lib/no-flash.mjs';
import { logger, makeTempDir, pollUntil } from './lib/util.mjs';

const log = logger('chromium reader');

/** Labels of the boxes drawn in the extension's closed shadow root, read over CDP (which pierces closed roots). */
async function overlayBoxes(page) {
  const { root } = await page.cdp.send('DOM.getDocument', { depth: -1, pierce: true });
  const labels = [];
  const walk = (node, inOverlay) => {
    const here = inOverlay || node.localName === 'unsponsor-ui';
    const classes = (node.attributes ?? []).reduce((found, value, index, all) => (index % 2 === 0 && value === 'class' ? all[index + 1] : found), '');
    if (here && node.localName === 'span' && classes === 'label') {
      labels.push((node.children ?? []).map((child) => child.nodeValue ?? '').join(''));
    }
    for (const child of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) walk(child, here);
  };
  walk(root, false);
  return labels;
}

/**
 * The switch's permissions.request opens Chromium's native prompt (and Chromium closes the
 * popup, as it does for a user). CDP cannot press a native dialog, so the test grants the site
 * where a user can also grant it, the extension's site access in chrome://extensions
 * (developerPrivate, the API behind that page), and flips the switch again: Chromium then
 * grants the request without a prompt, and the popup tells the background.
 */
async function grantSiteIn(driver, { page, origin }) {
  const host = new URL(origin).hostname;
  const settingsPage = await driver.context.newPage();
  try {
    await settingsPage.goto('chrome://extensions/');
    // The switch asks for the site over http and https.
    await settingsPage.evaluate(async ({ id, patterns }) => {
      await chrome.developerPrivate.updateExtensionConfiguration({ extensionId: id, hostAccess: 'ON_SPECIFIC_SITES' });
      for (const pattern of patterns) await chrome.developerPrivate.addHostPermission(id, pattern);
    }, { id: driver.extensionId, patterns: [`http://${host}/*`, `https://${host}/*`] });
  } finally {
    await settingsPage.close();
  }
  await page.playwrightPage.bringToFront();
  const popup = await driver.openPopup(page);
  try {
    await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
    // The grant may already have switched it on (the background hears the permission added).
    if (!(await popup.evaluate(`document.querySelector('#auto-clean').checked`))) await popup.click('#auto-clean');
    const worker = await driver.serviceWorker();
    await pollUntil(async () => {
      const registered = await worker.evaluate(() => chrome.scripting.getRegisteredContentScripts());
      const ids = registered.filter((script) => script.matches.includes(`http://${host}/*`)).map((script) => script.id);
      return ids.includes('unsponsor-auto-clean') && ids.includes('unsponsor-early-hide');
    }, { timeoutMs: 10_000, message: 'the auto-clean content scripts (idle clean, early stylesheet) to be registered for the granted site' });
    const granted = await popup.evaluate(`chrome.permissions.getAll()`);
    assert.deepEqual(granted.origins.sort(), [`http://${host}/*`, `https://${host}/*`], 'access to this site only');
  } finally {
    await driver.closePopup(popup).catch(() => {});
  }
}

const hooks = {
  overlayBoxes,
  movePointer: (page, x, y) => page.playwrightPage.mouse.move(x, y, { steps: 4 }),
  clickInPage: (page, x, y) => page.playwrightPage.mouse.click(x, y),
  pressEscape: (page) => page.playwrightPage.keyboard.press('Escape'),
  grantSite: null, // set once the driver exists
};

describe('Unsponsor reader controls in Chromium', { timeout: 600_000 }, () => {
  let server;
  let driver;
  let url;

  before(async () => {
    requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    server = await startServer({ root: DEMO_SITE_DIR });
    url = server.origin + READER_PAGE_PATH;
    driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: new RequestLog() });
    hooks.grantSite = (context) => grantSiteIn(driver, context);
  });

  beforeEach(async () => {
    const worker = await driver.serviceWorker();
    await worker.evaluate(() => Promise.all([chrome.storage.sync.clear(), chrome.storage.local.clear()]));
  });

  after(async () => {
    await driver?.close();
    await server?.close();
  });

  test('category toggles re-clean and restore at once, per site', { timeout: 90_000 }, () => categoryTogglesJourney(driver, { url, log }));

  test('the popup opened on a cleaned page lists the removals before showing the site controls below them', { timeout: 90_000 }, () =>
    popupDrawsRemovalsFirstJourney(driver, { url, log }));

  test('"Put back" restores one block; "Keep this" restores it and keeps it after a reload', { timeout: 90_000 }, () => keepThisJourney(driver, { url, log }));

  test('the picker removes the clicked block and saves a site rule that applies after a reload', { timeout: 90_000 }, () =>
    pickerJourney(driver, hooks, {
      url,
      log,
      screenshot: (page) => page.playwrightPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'picker.png'), caret: 'initial' }),
    }));

  test('preview outlines what would go with its reason, removes nothing; Clean then removes it', { timeout: 90_000 }, () =>
    previewJourney(driver, hooks, {
      url,
      log,
      screenshot: (page) => page.playwrightPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'preview.png'), caret: 'initial' }),
    }));

  test('a corrupted stored setting is repaired to defaults with a visible notice; the popup still works', { timeout: 90_000 }, () =>
    corruptedSettingJourney(driver, { url, log }));

  test('own rules: import with bad lines, export, and the round trip', { timeout: 90_000 }, async () => {
    const playwrightPage = await driver.context.newPage();
    try {
      await playwrightPage.goto(`chrome-extension://${driver.extensionId}/options.html`);
      const options = { evaluate: (expression) => playwrightPage.evaluate(expression) };
      await importExportJourney(options, {
        log,
        importFile: (_page, name, text) => playwrightPage.setInputFiles('#rules-file', { name, mimeType: 'text/plain', buffer: Buffer.from(text) }),
      });
    } finally {
      await playwrightPage.close();
    }
  });

  /** Opens the options page in a new tab beside `page` (if any), runs `use(options)`, closes it. */
  async function withOptionsPage(use, { page } = {}) {
    const options = await driver.context.newPage();
    try {
      await options.goto(`chrome-extension://${driver.extensionId}/options.html`);
      await use({
        evaluate: (expression) => options.evaluate(expression),
        click: (selector) => options.click(selector),
        evaluatePage: (expression) => page.evaluate(expression),
      });
    } finally {
      await options.close();
      if (page) await page.playwrightPage.bringToFront();
    }
  }

  test('global categories in the options page apply to the next clean on every site without its own choice', { timeout: 60_000 }, () =>
    globalCategoriesJourney(driver, { url, log, withOptionsPage }));

  test('global categories in the options page re-clean or restore at once the open cleaned pages; a site with its own choice stays', { timeout: 90_000 }, () =>
    globalCategoriesAtOnceJourney(driver, { url, log, withOptionsPage }));

  test('rules too big for sync storage: kept locally with a visible notice in the options page', { timeout: 60_000 }, () =>
    withOptionsPage((options) => syncFallbackNoticeJourney(options, { log })));

  test('auto-clean: the switch asks for this site only; pages are cleaned on load and late widgets too; off gives the permission back', { timeout: 120_000 }, () =>
    autoCleanJourney(driver, hooks, { url, origin: server.origin, log }));

  test('auto-clean without a flash: no vendor widget visible in any frame from the first paint; the early stylesheet goes on undo, never touch and auto-clean off', { timeout: 180_000 }, () =>
    autoCleanNoFlashJourney(driver, hooks, { origin: server.origin, log }));

  test('a site on the "never touch" list is left alone', { timeout: 60_000 }, () => neverTouchJourney(driver, { url, log }));

  // The content script runs beside a page that can steer what it sees, so its messages may not
  // change settings: a "picked" rule is saved only while the reader's picker is armed for that tab
  // and site, and the popup's messages (run, auto-clean) are refused from it.
  test('the content script cannot change settings on its own: no picked rule without the picker, no popup commands', { timeout: 60_000 }, async () => {
    const page = await driver.openPage(url);
    try {
      const { popup } = await cleanWithPopup(driver, page);
      await driver.closePopup(popup);
      const contexts = [];
      page.cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
      await page.cdp.send('Runtime.enable');
      const world = await pollUntil(() => contexts.find((context) => context.origin.startsWith('chrome-extension://') || context.name === 'Unsponsor'), { message: "the content script's isolated world" });
      const send = async (message) => {
        const { result, exceptionDetails } = await page.cdp.send('Runtime.evaluate', {
          expression: `chrome.runtime.sendMessage(${JSON.stringify(message)}).then((answer) => answer ?? null, (error) => 'error: ' + error.message)`,
          contextId: world.id, awaitPromise: true, returnByValue: true,
        });
        if (exceptionDetails) throw new Error(JSON.stringify(exceptionDetails));
        return result.value;
      };
      assert.deepEqual(await send({ type: 'picked', selector: '.article-body' }), { ok: false }, 'no rule without an armed picker');
      assert.equal(await send({ type: 'auto-clean', host: '127.0.0.1', on: true }), null, 'auto-clean is refused from a content script');
      assert.equal(await send({ type: 'run', command: 'undo', tabId: 1 }), null, 'commands are refused from a content script');
      const worker = await driver.serviceWorker();
      const settings = await worker.evaluate(() => chrome.storage.sync.get('settings').then((stored) => stored.settings ?? null));
      assert.ok(!settings || (settings.rules === '' && settings.autoClean.length === 0), `settings unchanged: ${JSON.stringify(settings)}`);
      await waitForPageTexts(page, { shown: [READER_TEXTS.article], hidden: [READER_TEXTS.ads] });
    } finally {
      await driver.closePage(page).catch(() => {});
    }
  });

  test('keyboard alone: Tab reaches Clean with a visible focus ring, Enter cleans; the options page too', { timeout: 60_000 }, async () => {
    const page = await driver.openPage(url);
    let popup;
    try {
      popup = await driver.openPopup(page);
      await pollUntil(() => popup.evaluate(`document.querySelector('#status').dataset.state === 'idle' && !document.querySelector('#site').hidden`), { message: 'the popup to settle' });
      const key = async (keyName, code, keyCode) => {
        await popup.session.send('Input.dispatchKeyEvent', { type: 'keyDown', key: keyName, code, windowsVirtualKeyCode: keyCode, ...(keyName === 'Enter' ? { text: '\r' } : {}) });
        await popup.session.send('Input.dispatchKeyEvent', { type: 'keyUp', key: keyName, code, windowsVirtualKeyCode: keyCode });
      };
      const focused = () => popup.evaluate(`(() => { const el = document.activeElement; const style = getComputedStyle(el); return { id: el.id, focusVisible: el.matches(':focus-visible'), outline: style.outlineStyle + ' ' + style.outlineWidth }; })()`);
      const seen = [];
      for (let presses = 0; presses < 6; presses += 1) {
        await key('Tab', 'Tab', 9);
        const now = await focused();
        seen.push(now.id);
        if (now.id === 'clean') {
          assert.ok(now.focusVisible && !now.outline.startsWith('none'), `focus on Clean is visible: ${JSON.stringify(now)}`);
          break;
        }
      }
      assert.ok(seen.includes('clean'), `Tab reaches Clean: ${JSON.stringify(seen)}`);
      await key('Enter', 'Enter', 13);
      await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'idle' });
      await waitForPageTexts(page, { hidden: [READER_TEXTS.ads] });
    } finally {
      if (popup) await driver.closePopup(popup).catch(() => {});
      await driver.closePage(page).catch(() => {});
    }

    const options = await driver.context.newPage();
    try {
      await options.goto(`chrome-extension://${driver.extensionId}/options.html`);
      await options.bringToFront();
      await options.waitForFunction(() => document.body.dataset.ready === 'true');
      const reached = [];
      for (let presses = 0; presses < 20; presses += 1) {
        await options.keyboard.press('Tab');
        const now = await options.evaluate(() => ({ id: document.activeElement.id || document.activeElement.value || document.activeElement.localName, visible: document.activeElement.matches(':focus-visible'), outline: getComputedStyle(document.activeElement).outlineStyle }));
        if (now.id === 'body') continue; // focus between the page and the browser's own UI
        assert.ok(now.visible && now.outline !== 'none', `focus is visible on ${now.id}`);
        reached.push(now.id);
      }
      for (const id of ['ads', 'comments', 'rules', 'rules-save', 'rules-import', 'rules-export']) assert.ok(reached.includes(id), `Tab reaches ${id}: ${reached}`);
      // The options page lists the commands with their current keys (Chromium may leave suggested
      // keys unassigned for an unpacked extension: they are then "not set", changeable in
      // chrome://extensions/shortcuts, as the page says).
      const shortcuts = await options.evaluate(() => [...document.querySelectorAll('#shortcuts li')].map((item) => item.textContent));
      assert.ok(shortcuts.length === 3 && shortcuts.some((text) => /Clean this page/.test(text)) && shortcuts.some((text) => /Undo the clean/.test(text)), `clean and undo shortcuts listed: ${shortcuts}`);
      const commands = await options.evaluate(() => chrome.commands.getAll());
      assert.deepEqual(commands.map((command) => command.name).sort(), ['_execute_action', 'clean-page', 'undo-page']);
    } finally {
      await options.close();
    }
  });

  test('screenshots: popup (light, dark) and options page', { timeout: 90_000 }, async () => {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const page = await driver.openPage(url);
    let popup;
    try {
      ({ popup } = await cleanWithPopup(driver, page));
      await popup.screenshot(path.join(SCREENSHOT_DIR, 'popup-light.png'));
      await popup.session.send('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: 'dark' }] });
      await pollUntil(() => popup.evaluate(`matchMedia('(prefers-color-scheme: dark)').matches`), { message: 'dark mode in the popup' });
      await popup.screenshot(path.join(SCREENSHOT_DIR, 'popup-dark.png'));
    } finally {
      if (popup) await driver.closePopup(popup).catch(() => {});
      await driver.closePage(page).catch(() => {});
    }
    const options = await driver.context.newPage();
    try {
      await options.setViewportSize({ width: 900, height: 1100 });
      await options.goto(`chrome-extension://${driver.extensionId}/options.html`);
      await options.evaluate(() => { document.querySelector('#rules').value = '! My own rules\nexample.com##.newsletter-box\n##.ad-slot\nnews.example.org#@#.comments\nexample.com#?#.x:has-text(Ad)\n'; document.querySelector('#rules-save').click(); });
      await options.waitForFunction(() => document.querySelectorAll('#rules-errors li').length === 1);
      await options.screenshot({ path: path.join(SCREENSHOT_DIR, 'options.png'), fullPage: true });
      await options.emulateMedia({ colorScheme: 'dark' });
      await options.screenshot({ path: path.join(SCREENSHOT_DIR, 'options-dark.png'), fullPage: true });
    } finally {
      await options.close();
    }
    log(`screenshots written to ${SCREENSHOT_DIR}`);
  });
});

// Settings live in the browser profile (storage.sync) and the auto-clean script is registered again
// from them and the granted permissions at every start: both survive a browser restart.
describe('Unsponsor reader settings across a Chromium restart', { timeout: 180_000 }, () => {
  test('settings, own rules and auto-clean survive closing and reopening the browser', { timeout: 150_000 }, async () => {
    requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    const server = await startServer({ root: DEMO_SITE_DIR });
    const url = server.origin + READER_PAGE_PATH;
    const profile = makeTempDir('unsponsor-e2e-chromium-restart-');
    const kept = { dir: profile.dir, remove: () => {} };
    let driver;
    try {
      driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: new RequestLog(), profile: kept });
      let page = await driver.openPage(url);
      let popup = await driver.openPopup(page);
      await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
      await popup.click('#auto-clean');
      await driver.closePopup(popup).catch(() => {});
      await grantSiteIn(driver, { page, origin: server.origin });
      popup = await driver.openPopup(page);
      const settings = await storedSettings(popup);
      await writeStoredSettings(popup, { ...settings, categories: { ...settings.categories, comments: true }, rules: '127.0.0.1###weekly-quiz\n' });
      await driver.closePopup(popup);
      await driver.close();
      driver = null;

      driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: new RequestLog(), profile: kept });
      page = await driver.openPage(url);
      await waitForPageTexts(page, {
        shown: [READER_TEXTS.article, READER_TEXTS.paragraph],
        hidden: [READER_TEXTS.ads, READER_TEXTS.promos, READER_TEXTS.comments, READER_TEXTS.quiz],
      }, { timeoutMs: 20_000, message: 'after the restart, the page to be cleaned on load with the stored categories and rule' });
      popup = await driver.openPopup(page);
      const after = await storedSettings(popup);
      assert.deepEqual([after.categories.comments, after.rules, after.autoClean], [true, '127.0.0.1###weekly-quiz\n', ['127.0.0.1']]);
      await pollUntil(() => popup.evaluate(`document.querySelector('#auto-clean').checked`), { message: 'the switch to show on after the restart' });
      await driver.closePopup(popup);
      log('restart: settings, rule and auto-clean kept');
    } finally {
      await driver?.close();
      profile.remove();
      await server.close();
    }
  });
});
