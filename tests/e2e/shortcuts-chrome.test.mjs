// The keyboard shortcuts in Chromium, pressed as real keys: Alt+Shift+C cleans the page,
// Alt+Shift+Z undoes the clean (manifest `commands`, handled by commands.onCommand in the
// background).
//
//   npm run build && node --test tests/e2e/shortcuts-chrome.test.mjs
//
// Chromium fires extension commands only for key events from the window system: keys injected
// with CDP Input.dispatchKeyEvent (Playwright's keyboard) go to the page and fire nothing, headless
// or headed. So this test starts a virtual X display (Xvfb) and a headed Chromium on it, and presses
// the keys with xdotool: real X key events (XTEST) into the focused browser window, exactly what a
// keyboard sends. Debian packages: xvfb, xdotool.
//
// Chromium leaves `clean-page` and `undo-page` unassigned for an unpacked extension (only
// `_execute_action` gets its suggested key). The test first shows that Alt+Shift+C then does
// nothing, then assigns both suggested keys where a reader does, chrome://extensions/shortcuts
// (developerPrivate.updateExtensionCommand, the API behind that page).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SLOW_PREFIX, startServer } from './server.mjs';
import { CHROME_EXTENSION_DIR, DEMO_SITE_DIR, requireBuilt } from './lib/config.mjs';
import { ChromiumDriver } from './lib/chromium.mjs';
import { RequestLog } from './lib/network.mjs';
import { READER_PAGE_PATH, READER_TEXTS, waitForPageTexts } from './lib/reader.mjs';
import { requireXTools, startXvfb, xdotool } from './lib/xvfb.mjs';
import { describeFirstDifference, logger, pollUntil, sleep } from './lib/util.mjs';

const log = logger('chromium shortcuts');

const SHORTCUTS = Object.freeze({ 'clean-page': 'Alt+Shift+C', 'undo-page': 'Alt+Shift+Z' });

/** The extension's commands and their keys, as the extension itself sees them. */
async function commandKeys(driver) {
  const worker = await driver.serviceWorker();
  const all = await worker.evaluate(() => chrome.commands.getAll());
  return Object.fromEntries(all.map((command) => [command.name, command.shortcut ?? '']));
}

/** Assigns keys to commands in chrome://extensions/shortcuts, as a reader does there. */
async function assignShortcuts(driver, shortcuts) {
  const settingsPage = await driver.context.newPage();
  try {
    await settingsPage.goto('chrome://extensions/shortcuts');
    await settingsPage.evaluate(async ({ extensionId, shortcuts }) => {
      for (const [commandName, keybinding] of Object.entries(shortcuts)) {
        await chrome.developerPrivate.updateExtensionCommand({ extensionId, commandName, keybinding });
      }
    }, { extensionId: driver.extensionId, shortcuts });
  } finally {
    await settingsPage.close();
  }
}

/**
 * The service worker's view of the page's tab: its id, whether the extension may script it, and
 * its url (visible only with access: the activeTab grant a command gives).
 */
async function tabAccess(driver) {
  const worker = await driver.serviceWorker();
  return worker.evaluate(async () => {
    const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
    if (!tab) return null;
    const scriptable = await chrome.scripting.executeScript({ target: { tabId: tab.id }, func: () => true }).then(() => true, () => false);
    return { id: tab.id, url: tab.url ?? null, scriptable };
  });
}

describe('Unsponsor keyboard shortcuts in Chromium (headed, on Xvfb, real key presses)', { timeout: 180_000 }, () => {
  let xvfb;
  let server;
  let driver;
  let url;

  /** Real key presses (xdotool key, XTEST) into the browser window showing `page`. */
  async function press(page, keys) {
    const title = await page.playwrightPage.title();
    const windows = (await xdotool(xvfb.display, 'search', '--onlyvisible', '--class', 'chromium')).trim().split('\n').filter(Boolean);
    let target = null;
    for (const window of windows) {
      if ((await xdotool(xvfb.display, 'getwindowname', window)).startsWith(title)) target = window;
    }
    if (!target) throw new Error(`no Chromium window titled ${JSON.stringify(title)} on ${xvfb.display} (windows: ${windows.join(', ') || 'none'})`);
    await page.playwrightPage.bringToFront();
    await xdotool(xvfb.display, 'windowfocus', '--sync', target);
    await xdotool(xvfb.display, 'key', '--clearmodifiers', keys);
  }

  before(async () => {
    requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    requireXTools();
    xvfb = await startXvfb({ log });
    server = await startServer({ root: DEMO_SITE_DIR });
    url = server.origin + READER_PAGE_PATH;
    driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: new RequestLog(), headless: false, env: xvfb.env });
  });

  after(async () => {
    await driver?.close();
    await server?.close();
    await xvfb?.stop();
  });

  test('Alt+Shift+C cleans the page (badge counts the removals), Alt+Shift+Z restores it exactly', { timeout: 120_000 }, async () => {
    const page = await driver.openPage(url);
    try {
      await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos, READER_TEXTS.article] }, { message: 'the reader page with its ads' });
      const original = await page.evaluateMainWorld('document.documentElement.outerHTML');

      const access = await tabAccess(driver);
      assert.ok(access, 'the page is the active tab');
      assert.deepEqual({ url: access.url, scriptable: access.scriptable }, { url: null, scriptable: false }, 'no access to the page before a key: nothing else can clean it');
      page.tabId = access.id;

      // Chromium leaves the commands without keys for an unpacked extension: the key does nothing.
      const initial = await commandKeys(driver);
      log(`keys as loaded: ${JSON.stringify(initial)}`);
      if (!initial['clean-page']) {
        await press(page, 'alt+shift+c');
        await sleep(1_500);
        await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos] }, { timeoutMs: 1_000, message: 'an unassigned Alt+Shift+C to do nothing' });
      }
      await assignShortcuts(driver, SHORTCUTS);
      const assigned = await commandKeys(driver);
      assert.deepEqual({ 'clean-page': assigned['clean-page'], 'undo-page': assigned['undo-page'] }, SHORTCUTS, 'the suggested keys are assigned');

      await press(page, 'alt+shift+c');
      await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.paragraph], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'Alt+Shift+C to clean the page' });
      // The command granted activeTab: the extension now sees the tab's url (badgeText checks it).
      page.tabUrlSeenByExtension = (await tabAccess(driver))?.url ?? null;
      assert.equal(page.tabUrlSeenByExtension, url, 'the command gave the extension access to this tab (activeTab)');
      await pollUntil(async () => (await driver.badgeText(page)) === '2', { message: 'the badge to count the 2 removals', describe: () => 'badge not "2"' });
      log('Alt+Shift+C cleaned the page (ads and promo gone, badge 2)');

      await press(page, 'alt+shift+z');
      await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos, READER_TEXTS.article] }, { message: 'Alt+Shift+Z to undo the clean' });
      await pollUntil(async () => (await driver.badgeText(page)) === '', { message: 'the badge to clear' });
      let restored = '';
      await pollUntil(async () => (restored = await page.evaluateMainWorld('document.documentElement.outerHTML')) === original, { timeoutMs: 5_000, message: 'the page to be restored exactly' }).catch(() => {});
      const difference = describeFirstDifference(original, restored);
      if (difference !== null) assert.fail(`Alt+Shift+Z did not restore document.documentElement.outerHTML exactly:\n${difference}`);
      log('Alt+Shift+Z undid the clean (badge empty, outerHTML identical to the original)');
      assert.deepEqual(page.errors, [], 'no page errors');
    } finally {
      await driver.closePage(page).catch(() => {});
    }
  });

  // A reader who presses the key as soon as the next page starts to show must get that page
  // cleaned: the command waits for the new page to load (background.js, whenLoaded) instead of
  // acting on the half-loaded one or on the page that was there before.
  test('Alt+Shift+C pressed right after a navigation cleans the new page once it has loaded', { timeout: 120_000 }, async () => {
    const page = await driver.openPage(url);
    try {
      await assignShortcuts(driver, SHORTCUTS);
      // The test server's /slow/ route sends the second half of the page 800 ms after the first.
      const slowUrl = `${server.origin}${SLOW_PREFIX.slice(0, -1)}${READER_PAGE_PATH}`;
      await page.playwrightPage.goto(slowUrl, { waitUntil: 'commit' });
      await press(page, 'alt+shift+c');
      const loadingWhenPressed = await page.playwrightPage.evaluate(() => document.readyState).catch(() => 'unknown');
      log(`Alt+Shift+C pressed while the new page was ${loadingWhenPressed}`);
      await page.playwrightPage.waitForLoadState('load');
      await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.paragraph], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] }, { timeoutMs: 20_000, message: 'the key pressed during the navigation to clean the new page' });
      let access = null;
      await pollUntil(async () => (access = await tabAccess(driver))?.url === slowUrl, { message: 'the key to grant access to the new page (activeTab)' });
      page.tabId = access.id;
      page.tabUrlSeenByExtension = slowUrl;
      page.url = slowUrl;
      await pollUntil(async () => (await driver.badgeText(page)) === '2', { message: 'the badge to count the 2 removals of the new page', describe: () => 'badge not "2"' });
    } finally {
      await driver.closePage(page).catch(() => {});
    }
  });
});
