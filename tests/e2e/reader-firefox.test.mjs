// End-to-end tests of the reader controls in Firefox (dist/firefox): the same journeys as
// reader-chrome.test.mjs (lib/reader.mjs), driven through geckodriver.
//
//   npm run build && node --test tests/e2e/reader-firefox.test.mjs
//
// Firefox specifics: pointer and keys are WebDriver input actions in the page; the closed shadow
// root of the page overlay is read by a privileged frame script (openOrClosedShadowRoot); the
// permission prompt the auto-clean switch opens is Firefox's real doorhanger, whose "Allow"
// button is clicked with real mouse input in the browser window; the options page is the tab
// runtime.openOptionsPage opens from the popup's "Settings" button.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { DEMO_SITE_DIR, DIST_DIR, FIREFOX_EXTENSION_DIR, SCREENSHOT_DIR, findGeckodriver, requireBuilt } from './lib/config.mjs';
import { FirefoxDriver } from './lib/firefox.mjs';
import { chromeExpression } from './lib/firefox-chrome.mjs';
import { readManifest } from './lib/manifest.mjs';
import { waitForPopupState } from './lib/popup.mjs';
import {
  autoCleanJourney, categoryTogglesJourney, cleanWithPopup, corruptedSettingJourney, globalCategoriesJourney, globalCategoriesAtOnceJourney, importExportJourney,
  keepThisJourney, neverTouchJourney, pickerJourney, previewJourney, READER_PAGE_PATH, READER_TEXTS, resetSettings,
  storedSettings, syncFallbackNoticeJourney, waitForPageTexts, writeStoredSettings,
} from './lib/reader.mjs';
import { autoCleanNoFlashJourney } from './lib/no-flash.mjs';
import { logger, makeTempDir, pollUntil, sleep } from './lib/util.mjs';

const log = logger('firefox reader');

/** Frame script (privileged, in the tab's process): labels of the boxes in the page overlay's closed shadow root. */
function overlayLabelsFrameScript() {
  addMessageListener('unsponsor-e2e:overlay-labels', (message) => {
    let labels = [];
    const host = content.document.querySelector('unsponsor-ui');
    const root = host && host.openOrClosedShadowRoot;
    if (root) labels = [...root.querySelectorAll('.box .label')].map((label) => label.textContent);
    sendAsyncMessage('unsponsor-e2e:overlay-labels-result', { id: message.data.id, labels });
  });
}

/** Runs IN CHROME. Asks the selected tab's overlay frame script for the labels. */
function overlayLabelsInChrome(frameScriptSource) {
  const browser = gBrowser.selectedBrowser;
  const manager = browser.messageManager;
  const processId = browser.browsingContext?.currentWindowGlobal?.osPid;
  window.unsponsorE2eOverlayReaders ??= new WeakMap();
  if (window.unsponsorE2eOverlayReaders.get(manager) !== processId) {
    manager.loadFrameScript(`data:,${encodeURIComponent(frameScriptSource)}`, false);
    window.unsponsorE2eOverlayReaders.set(manager, processId);
  }
  const id = `${Date.now()}-${Math.random()}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the overlay reader did not answer')), 5_000);
    const listener = (message) => {
      if (message.data.id !== id) return;
      clearTimeout(timer);
      manager.removeMessageListener('unsponsor-e2e:overlay-labels-result', listener);
      resolve(message.data.labels);
    };
    manager.addMessageListener('unsponsor-e2e:overlay-labels-result', listener);
    manager.sendAsyncMessage('unsponsor-e2e:overlay-labels', { id });
  });
}

/** Runs IN CHROME. The primary ("Allow") button of the extension permission doorhanger, or an error. */
function permissionPromptInChrome() {
  const notification = document.getElementById('addon-webext-permissions-notification');
  const panel = notification && notification.closest('panel');
  if (!notification || !panel || panel.state !== 'open') return { error: 'no permission prompt is open' };
  const button = notification.button ?? notification.querySelector('.popup-notification-primary-button');
  const box = button.getBoundingClientRect();
  if (!(box.width > 0)) return { error: 'the prompt is not laid out yet' };
  const text = notification.textContent.replace(/\s+/g, ' ').trim();
  return { x: box.left + box.width / 2, y: box.top + box.height / 2, label: button.label ?? button.textContent, text };
}

/**
 * Frame script (privileged, in the tab's process): evaluates expressions IN THE EXTENSION'S CONTENT
 * SCRIPT, i.e. in the sandbox Firefox made for content.js in this page (found with
 * ExtensionContent.getContextByExtensionId, Firefox's own hook for tests). Messages sent from there
 * reach the background exactly as the content script's own do (sender: this tab, this page's URL).
 */
function contentScriptEvaluatorFrameScript() {
  addMessageListener('unsponsor-e2e:cs-evaluate', (message) => {
    const { id, addonId, expression } = message.data;
    const answer = (outcome) => sendAsyncMessage('unsponsor-e2e:cs-result', { id, ...outcome });
    try {
      const { ExtensionContent } = ChromeUtils.importESModule('resource://gre/modules/ExtensionContent.sys.mjs');
      const context = ExtensionContent.getContextByExtensionId(addonId, content);
      if (!context || !context.sandbox) {
        answer({ ok: false, error: 'the extension has no content script in this page' });
        return;
      }
      Cu.evalInSandbox(
        `Promise.resolve().then(() => (${expression})).then((value) => JSON.stringify({ ok: true, value: value === undefined ? null : value }), (error) => JSON.stringify({ ok: false, error: String(error) }))`,
        context.sandbox, 'latest', 'unsponsor-e2e-content-script-probe', 1,
      ).then((json) => answer(JSON.parse(json)), (error) => answer({ ok: false, error: String(error) }));
    } catch (error) {
      answer({ ok: false, error: String(error) });
    }
  });
}

/** Runs IN CHROME. Evaluates `expression` in the extension's content script of the selected tab (see above). */
function evaluateInContentScriptFromChrome(frameScriptSource, addonId, expression) {
  const browser = gBrowser.selectedBrowser;
  const manager = browser.messageManager;
  const processId = browser.browsingContext?.currentWindowGlobal?.osPid;
  window.unsponsorE2eContentScriptProbes ??= new WeakMap();
  if (window.unsponsorE2eContentScriptProbes.get(manager) !== processId) {
    manager.loadFrameScript(`data:,${encodeURIComponent(frameScriptSource)}`, false);
    window.unsponsorE2eContentScriptProbes.set(manager, processId);
  }
  const id = `${Date.now()}-${Math.random()}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the content script probe did not answer')), 10_000);
    const listener = (message) => {
      if (message.data.id !== id) return;
      clearTimeout(timer);
      manager.removeMessageListener('unsponsor-e2e:cs-result', listener);
      if (message.data.ok) resolve(message.data.value);
      else reject(new Error(`in the content script: ${message.data.error}`));
    };
    manager.addMessageListener('unsponsor-e2e:cs-result', listener);
    manager.sendAsyncMessage('unsponsor-e2e:cs-evaluate', { id, addonId, expression });
  });
}

/** Runs IN CHROME. Whether the add-on holds activeTab for the selected tab, and the keys its commands have in this window. */
function commandStateInChrome(addonId) {
  const policy = WebExtensionPolicy.getByID(addonId);
  const keyset = document.getElementById(`ext-keyset-id-${addonId.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}`);
  const keys = keyset ? [...keyset.querySelectorAll('key')].map((key) => `${key.getAttribute('modifiers')}+${key.getAttribute('key') || key.getAttribute('keycode')}`) : [];
  return { activeTab: Boolean(policy.extension.tabManager.hasActiveTabPermission(gBrowser.selectedTab)), keys };
}

/** WebDriver key codes (W3C "normalized key values" in the Private Use Area). */
const KEY = Object.freeze({ tab: '\uE004', enter: '\uE007', shift: '\uE008', alt: '\uE00A', escape: '\uE00C' });

/** Presses the extension's toolbar-button permission doorhanger's "Allow" (Firefox's real prompt, real click). */
async function allowPermissionPrompt(driver, log) {
  const prompt = await pollUntil(async () => {
    const found = await driver.chrome(chromeExpression(permissionPromptInChrome));
    return found.error ? false : found;
  }, { timeoutMs: 10_000, message: 'the permission prompt' });
  log(`permission prompt: "${prompt.text}"; pressing "${prompt.label}"`);
  await driver.clickInChrome(prompt.x, prompt.y);
  await pollUntil(async () => (await driver.chrome(chromeExpression(permissionPromptInChrome))).error, { message: 'the prompt to close' });
}

describe('Unsponsor reader controls in Firefox', { timeout: 600_000 }, () => {
  let server;
  let driver;
  let url;
  let hooks;
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-e2e-reader-'));

  const actions = (list) => driver.session.command('POST', '/actions', { actions: list }).then(() => driver.session.command('DELETE', '/actions'));
  const pointer = (steps) => actions([{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: steps }]);
  /** Presses `values` together (down in order, up in reverse) with WebDriver key actions in the current context. */
  const chord = (...values) => actions([{ type: 'key', id: 'keyboard', actions: [...values.map((value) => ({ type: 'keyDown', value })), ...[...values].reverse().map((value) => ({ type: 'keyUp', value }))] }]);

  /**
   * Opens the options page the way a reader does (the popup's "Settings" button, which calls
   * runtime.openOptionsPage: a new tab), runs `use(options)` on it, and closes the tab.
   * `options.evaluate` runs in the page, `options.click` is a WebDriver element click (real input).
   */
  async function withOptionsTab(use, { page: openPage } = {}) {
    // Beside an open page (which stays as it is), or on a freshly opened one.
    const page = openPage ?? await driver.openPage(url);
    const popup = await driver.openPopup(page);
    await driver.useContext('content');
    const [original] = await driver.session.command('GET', '/window/handles');
    await popup.click('#open-options');
    await driver.useContext('content'); // (the click ran in the chrome context, whose handles are windows, not tabs)
    const handle = await pollUntil(async () => (await driver.session.command('GET', '/window/handles')).find((candidate) => candidate !== original), { message: 'the options tab to open' });
    await driver.useContext('content');
    await driver.session.command('POST', '/window', { handle });
    try {
      let shown;
      await pollUntil(async () => /\/options\.html$/.test(shown = await driver.session.currentUrl()), { message: 'the options page to load', describe: () => `${shown} (handles ${original} -> ${handle})` });
      await use({
        evaluate: (expression) => driver.content(expression),
        click: async (selector) => {
          await driver.useContext('content');
          const element = await driver.session.command('POST', '/element', { using: 'css selector', value: selector });
          await driver.session.command('POST', `/element/${Object.values(element)[0]}/click`, {});
        },
        /** Reads the page's tab (selected for the read, then the options tab again). */
        evaluatePage: async (expression) => {
          await driver.useContext('content');
          await driver.session.command('POST', '/window', { handle: original });
          try {
            return await driver.content(expression);
          } finally {
            await driver.session.command('POST', '/window', { handle });
          }
        },
        handle,
      });
    } finally {
      await driver.useContext('content');
      await driver.session.command('DELETE', '/window').catch(() => {});
      await driver.session.command('POST', '/window', { handle: original });
      await driver.closePopup().catch(() => {});
    }
  }

  /** Resets settings from a popup (an extension page) so each journey starts from the defaults. */
  async function reset() {
    const page = await driver.openPage(url);
    const popup = await driver.openPopup(page);
    try {
      await resetSettings(popup);
    } finally {
      await driver.closePopup().catch(() => {});
    }
  }

  before(async () => {
    requireBuilt(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    const geckodriverBinary = findGeckodriver();
    if (!geckodriverBinary) throw new Error('geckodriver not found: set GECKODRIVER, put it on PATH, or `cargo install geckodriver`');
    server = await startServer({ root: DEMO_SITE_DIR });
    url = server.origin + READER_PAGE_PATH;
    driver = await FirefoxDriver.launch({ extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log });
    hooks = {
      overlayBoxes: () => driver.chrome(chromeExpression(overlayLabelsInChrome, `(${overlayLabelsFrameScript})();`)),
      movePointer: async (_page, x, y) => {
        await driver.useContext('content');
        await pointer([{ type: 'pointerMove', x: x - 5, y: y - 5, origin: 'viewport', duration: 0 }, { type: 'pointerMove', x, y, origin: 'viewport', duration: 50 }]);
      },
      clickInPage: async (_page, x, y) => {
        await driver.useContext('content');
        await driver.session.clickAt(x, y);
      },
      pressEscape: async () => {
        await driver.useContext('content');
        await actions([{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: '\uE00C' }, { type: 'keyUp', value: '\uE00C' }] }]);
      },
      // The switch opened Firefox's permission doorhanger: the reader presses "Allow".
      grantSite: () => allowPermissionPrompt(driver, log),
    };
  });

  beforeEach(() => reset());

  after(async () => {
    await driver?.close();
    await server?.close();
    fs.rmSync(tempDir, { recursive: true, force: true });
  });

  test('category toggles re-clean and restore at once, per site', { timeout: 90_000 }, () => categoryTogglesJourney(driver, { url, log }));

  test('"Put back" restores one block; "Keep this" restores it and keeps it after a reload', { timeout: 90_000 }, () => keepThisJourney(driver, { url, log }));

  test('the picker removes the clicked block and saves a site rule that applies after a reload', { timeout: 90_000 }, () => pickerJourney(driver, hooks, { url, log }));

  test('preview outlines what would go with its reason, removes nothing; Clean then removes it', { timeout: 90_000 }, () => previewJourney(driver, hooks, { url, log }));

  test('a corrupted stored setting is repaired to defaults with a visible notice; the popup still works', { timeout: 90_000 }, () => corruptedSettingJourney(driver, { url, log }));

  test('own rules: import with bad lines, export, and the round trip', { timeout: 120_000 }, () =>
    withOptionsTab((options) =>
      importExportJourney(options, {
        log,
        importFile: async (_page, name, text) => {
          const file = path.join(tempDir, name);
          fs.writeFileSync(file, text);
          await driver.useContext('content');
          const element = await driver.session.command('POST', '/element', { using: 'css selector', value: '#rules-file' });
          await driver.session.command('POST', `/element/${Object.values(element)[0]}/value`, { text: file });
        },
      })));

  test('global categories in the options page apply to the next clean on every site without its own choice', { timeout: 90_000 }, () =>
    globalCategoriesJourney(driver, { url, log, withOptionsPage: withOptionsTab }));

  test('global categories in the options page re-clean or restore at once the open cleaned pages; a site with its own choice stays', { timeout: 120_000 }, () =>
    globalCategoriesAtOnceJourney(driver, { url, log, withOptionsPage: withOptionsTab }));

  test('rules too big for sync storage: kept locally with a visible notice in the options page', { timeout: 60_000 }, () =>
    withOptionsTab((options) => syncFallbackNoticeJourney(options, { log })));

  test('auto-clean: the switch asks for this site only (Firefox prompt); pages are cleaned on load and late widgets too; off gives the permission back', { timeout: 120_000 }, () =>
    autoCleanJourney(driver, hooks, { url, origin: server.origin, log }));

  test('auto-clean without a flash: no vendor widget visible in any frame from the first paint; the early stylesheet goes on undo, never touch and auto-clean off', { timeout: 180_000 }, () =>
    autoCleanNoFlashJourney(driver, hooks, { origin: server.origin, log }));

  test('a site on the "never touch" list is left alone', { timeout: 60_000 }, () => neverTouchJourney(driver, { url, log }));

  // The content script runs beside a page that can steer what it sees, so its messages may not
  // change settings: a "picked" rule is saved only while the reader's picker is armed for that tab
  // and site, and the popup's messages (run, auto-clean) are refused from it. The messages are sent
  // from the content script's own sandbox, so the background sees them as the content script's.
  test('the content script cannot change settings on its own: no picked rule without the picker, no popup commands', { timeout: 60_000 }, async () => {
    const page = await driver.openPage(url);
    try {
      const { popup } = await cleanWithPopup(driver, page);
      const settingsBefore = await storedSettings(popup);
      await driver.closePopup();
      const inContentScript = (expression) => driver.chrome(chromeExpression(evaluateInContentScriptFromChrome, `(${contentScriptEvaluatorFrameScript})();`, driver.addonId, expression));
      // The probe is in the content script's world: it sees content.js's global, not the page's.
      assert.deepEqual(await inContentScript(`[typeof globalThis.unsponsorRun, typeof browser.runtime.sendMessage, typeof window.addLateWidget]`), ['function', 'function', 'undefined']);
      const send = (message) => inContentScript(`browser.runtime.sendMessage(${JSON.stringify(message)}).then((answer) => answer ?? null, (error) => 'error: ' + error.message)`);
      assert.deepEqual(await send({ type: 'picked', selector: '.article-body' }), { ok: false }, 'no rule without an armed picker');
      assert.equal(await send({ type: 'auto-clean', host: '127.0.0.1', on: true }), null, 'auto-clean is refused from a content script');
      assert.equal(await send({ type: 'run', command: 'undo', tabId: 1 }), null, 'commands are refused from a content script');
      await sleep(500);
      await waitForPageTexts(page, { shown: [READER_TEXTS.article], hidden: [READER_TEXTS.ads] }, { message: 'the clean to stay (no undo ran)' });
      let popupAgain = await driver.openPopup(page);
      const settingsAfter = await storedSettings(popupAgain);
      assert.deepEqual(settingsAfter, settingsBefore, 'settings unchanged');
      assert.deepEqual((await popupAgain.evaluate(`browser.permissions.getAll()`)).origins, [], 'no site permission');
      // Control: with the picker armed by the reader ("Remove something else"), the same channel
      // does save a rule, so the refusals above are the background's doing, not a dead channel.
      await popupAgain.click('#pick');
      await pollUntil(async () => !(await popupAgain.isOpen()), { timeoutMs: 10_000, message: 'the popup to close for the picker' });
      popupAgain = null;
      assert.deepEqual(await send({ type: 'picked', selector: '#weekly-quiz' }), { ok: true, line: '127.0.0.1###weekly-quiz' }, 'an armed picker saves the rule');
      log('content script: picked without the picker, auto-clean and run all refused; with the picker armed, the pick is saved');
    } finally {
      await driver.closePopup().catch(() => {});
      await driver.closePage(page).catch(() => {});
    }
  });

  test('keyboard alone: Tab reaches Clean with a visible focus ring, Enter cleans; the options page too', { timeout: 90_000 }, async () => {
    const page = await driver.openPage(url);
    try {
      const popup = await driver.openPopup(page);
      await pollUntil(() => popup.evaluate(`document.querySelector('#status').dataset.state === 'idle' && !document.querySelector('#site').hidden`), { message: 'the popup to settle' });
      const focused = () => popup.evaluate(`(() => { const el = document.activeElement; const style = getComputedStyle(el); return { id: el.id, focusVisible: el.matches(':focus-visible'), outline: style.outlineStyle + ' ' + style.outlineWidth }; })()`);
      // Keys go to the browser window (chrome context), which hands them to the focused popup panel.
      await driver.useContext('chrome');
      const seen = [];
      for (let presses = 0; presses < 6; presses += 1) {
        await chord(KEY.tab);
        const now = await focused();
        seen.push(now.id);
        if (now.id === 'clean') {
          assert.ok(now.focusVisible && !now.outline.startsWith('none'), `focus on Clean is visible: ${JSON.stringify(now)}`);
          break;
        }
      }
      assert.ok(seen.includes('clean'), `Tab reaches Clean: ${JSON.stringify(seen)}`);
      await waitForPageTexts(page, { shown: [READER_TEXTS.ads] }, { message: 'nothing cleaned before Enter' });
      await driver.useContext('chrome');
      await chord(KEY.enter);
      await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'idle' });
      await waitForPageTexts(page, { hidden: [READER_TEXTS.ads] });
      log(`keyboard: Tab stops in the popup ${JSON.stringify(seen)}, Enter cleaned`);
    } finally {
      await driver.closePopup().catch(() => {});
      await driver.closePage(page).catch(() => {});
    }

    await withOptionsTab(async (options) => {
      await pollUntil(() => options.evaluate(`document.body.dataset.ready === 'true' && document.querySelectorAll('#shortcuts li').length > 0`), { message: 'the options page to load' });
      await options.evaluate(`(document.activeElement && document.activeElement.blur(), window.focus(), true)`);
      const reached = [];
      // One round of the page's Tab stops, with keys dispatched in the page (content context). (Keys
      // dispatched there cannot move focus out to the browser's toolbar, as a reader's Tab after the
      // last stop does; Firefox then wraps focus inside the page by a path it does not count as
      // keyboard focus, so :focus-visible is not set: the round ends when a stop comes again.)
      for (let presses = 0; presses < 20; presses += 1) {
        await driver.useContext('content');
        await chord(KEY.tab);
        const now = await options.evaluate(`(() => { const el = document.activeElement; return { id: el.id || el.value || el.localName, visible: el.matches(':focus-visible'), outline: getComputedStyle(el).outlineStyle }; })()`);
        if (now.id === 'body') continue; // focus between the page and the browser's own UI
        if (reached.includes(now.id)) break; // the round is complete
        assert.ok(now.visible && now.outline !== 'none', `focus is visible on ${now.id}: ${JSON.stringify(now)}`);
        reached.push(now.id);
      }
      for (const id of ['ads', 'comments', 'rules', 'rules-save', 'rules-import', 'rules-export']) assert.ok(reached.includes(id), `Tab reaches ${id}: ${reached}`);
      // Firefox assigns the suggested keys: the page lists each command with its key.
      const shortcuts = await options.evaluate(`[...document.querySelectorAll('#shortcuts li')].map((item) => item.textContent)`);
      assert.ok(shortcuts.length === 3 && shortcuts.some((text) => /Alt\+Shift\+C.*Clean this page/.test(text)) && shortcuts.some((text) => /Alt\+Shift\+Z.*Undo the clean/.test(text)), `clean and undo shortcuts listed with their keys: ${shortcuts}`);
      log(`keyboard: options page Tab stops ${JSON.stringify(reached)}; shortcuts ${JSON.stringify(shortcuts)}`);
    });
  });

  // The commands are pressed as keys in the browser window (WebDriver key actions in the chrome
  // context): Firefox's own <key> elements for the add-on fire commands.onCommand, which also grants
  // activeTab, exactly as for a reader pressing them. Nothing else cleans this page: it was never
  // clicked, and the extension holds no access to it before the key.
  test('keyboard shortcuts: Alt+Shift+C cleans, Alt+Shift+Z undoes; a shortcut changed in the settings works instead', { timeout: 90_000 }, async () => {
    const state = () => driver.chrome(chromeExpression(commandStateInChrome, driver.addonId));
    let page = await driver.openPage(url);
    try {
      const before = await state();
      assert.deepEqual(before.keys.sort(), ['alt,shift+C', 'alt,shift+U', 'alt,shift+Z'], `the suggested keys are bound: ${JSON.stringify(before)}`);
      assert.equal(before.activeTab, false, 'no access to the page before the key');
      await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos, READER_TEXTS.article] });
      await driver.useContext('chrome');
      await chord(KEY.alt, KEY.shift, 'c');
      await waitForPageTexts(page, { shown: [READER_TEXTS.article, READER_TEXTS.paragraph], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'Alt+Shift+C to clean the page' });
      await pollUntil(async () => (await driver.badgeText(page)) === '2', { message: 'the badge to count the removals' });
      await driver.useContext('chrome');
      await chord(KEY.alt, KEY.shift, 'z');
      await waitForPageTexts(page, { shown: [READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'Alt+Shift+Z to undo the clean' });
      await pollUntil(async () => (await driver.badgeText(page)) === '', { message: 'the badge to clear' });
      log('shortcuts: Alt+Shift+C cleaned (badge 2), Alt+Shift+Z undid it');
    } finally {
      await driver.closePage(page).catch(() => {});
    }

    // The reader changes the clean shortcut (Firefox's "Manage Extension Shortcuts" does this through
    // the same commands store as commands.update, called here from the options page).
    await withOptionsTab(async (options) => {
      await options.evaluate(`browser.commands.update({ name: 'clean-page', shortcut: 'Alt+Shift+K' }).then(() => true)`);
      await pollUntil(async () => /Alt\+Shift\+K/.test(await options.evaluate(`browser.commands.getAll().then((all) => all.find((command) => command.name === 'clean-page').shortcut)`)), { message: 'the new shortcut' });
    });
    page = await driver.openPage(url);
    try {
      await pollUntil(async () => (await state()).keys.includes('alt,shift+K'), { message: 'the new key to be bound in the window' });
      await driver.useContext('chrome');
      await chord(KEY.alt, KEY.shift, 'c');
      await sleep(1_500);
      await waitForPageTexts(page, { shown: [READER_TEXTS.ads] }, { timeoutMs: 1_000, message: 'the old key to do nothing any more' });
      await driver.useContext('chrome');
      await chord(KEY.alt, KEY.shift, 'k');
      await waitForPageTexts(page, { shown: [READER_TEXTS.article], hidden: [READER_TEXTS.ads, READER_TEXTS.promos] }, { message: 'the changed shortcut to clean' });
      log('shortcuts: changed to Alt+Shift+K, which cleans; Alt+Shift+C no longer does');
    } finally {
      await driver.closePage(page).catch(() => {});
      await withOptionsTab((options) => options.evaluate(`browser.commands.reset('clean-page').then(() => true)`)).catch(() => {});
    }
  });

  test('screenshot: the popup in Firefox after a clean', { timeout: 60_000 }, async () => {
    const page = await driver.openPage(url);
    const popup = await driver.openPopup(page);
    try {
      await popup.click('#clean');
      await pollUntil(() => popup.evaluate(`document.querySelector('#status').dataset.state === 'cleaned'`), { message: 'the clean' });
      await popup.screenshot(path.join(SCREENSHOT_DIR, 'popup-reader-firefox.png'));
    } finally {
      await driver.closePopup().catch(() => {});
    }
  });
});

// Settings live in the profile (storage.sync), the site permission in Firefox's permission store,
// and the auto-clean script is registered again from both at every start: all survive closing and
// reopening the browser. A temporary add-on cannot show that (Firefox uninstalls it, storage and
// grants included, when it quits), so this test installs the packaged add-on
// (dist/unsponsor-firefox-<version>.zip, as built, unsigned) permanently into a profile folder of
// its own, as a reader's add-on; Firefox ESR accepts an unsigned add-on with
// xpinstall.signatures.required=false. Firefox is then quit (the WebDriver session ends) and
// started again on the same folder, where the add-on starts by itself.
describe('Unsponsor reader settings across a Firefox restart', { timeout: 240_000 }, () => {
  test('settings, own rules and auto-clean survive closing and reopening the browser', { timeout: 200_000 }, async () => {
    requireBuilt(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    const { version } = readManifest(FIREFOX_EXTENSION_DIR);
    const xpi = path.join(DIST_DIR, `unsponsor-firefox-${version}.zip`);
    requireBuilt(xpi);
    const geckodriverBinary = findGeckodriver();
    if (!geckodriverBinary) throw new Error('geckodriver not found: set GECKODRIVER, put it on PATH, or `cargo install geckodriver`');
    const server = await startServer({ root: DEMO_SITE_DIR });
    const url = server.origin + READER_PAGE_PATH;
    const profile = makeTempDir('unsponsor-e2e-firefox-restart-');
    const launch = (addon) => FirefoxDriver.launch({
      extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log, profileDir: profile.dir, addon, xpi,
      preferences: { 'xpinstall.signatures.required': false },
    });
    let driver;
    try {
      driver = await launch('permanent');
      const addonBefore = await driver.chrome(`ChromeUtils.importESModule('resource://gre/modules/AddonManager.sys.mjs').AddonManager.getAddonByID(${JSON.stringify(driver.addonId)}).then((addon) => ({ temporary: addon.temporarilyInstalled, active: addon.isActive, scope: addon.scope }))`);
      assert.deepEqual([addonBefore.temporary, addonBefore.active], [false, true], `installed as a reader's add-on: ${JSON.stringify(addonBefore)}`);
      let page = await driver.openPage(url);
      let popup = await driver.openPopup(page);
      await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
      assert.deepEqual(await storedSettings(popup), null, 'a new profile has no settings yet');
      await popup.click('#auto-clean');
      await allowPermissionPrompt(driver, log);
      await driver.closePopup().catch(() => {});
      page.expectHostAccess = true; // just granted
      popup = await driver.openPopup(page);
      await pollUntil(async () => (await storedSettings(popup))?.autoClean.includes('127.0.0.1'), { message: 'the site to join the auto-clean list' });
      const settings = await storedSettings(popup);
      await writeStoredSettings(popup, { ...settings, categories: { ...settings.categories, comments: true }, rules: '127.0.0.1###weekly-quiz\n' });
      await driver.closePopup();
      await driver.close();
      driver = null;
      assert.ok(fs.existsSync(profile.dir), 'the profile folder is kept');

      driver = await launch('installed');
      page = await driver.openPage(url);
      page.expectHostAccess = true; // granted for auto-clean before the restart
      await waitForPageTexts(page, {
        shown: [READER_TEXTS.article, READER_TEXTS.paragraph],
        hidden: [READER_TEXTS.ads, READER_TEXTS.promos, READER_TEXTS.comments, READER_TEXTS.quiz],
      }, { timeoutMs: 20_000, message: 'after the restart, the page to be cleaned on load with the stored categories and rule' });
      popup = await driver.openPopup(page);
      const after = await storedSettings(popup);
      assert.deepEqual([after.categories.comments, after.rules, after.autoClean], [true, '127.0.0.1###weekly-quiz\n', ['127.0.0.1']]);
      assert.deepEqual((await popup.evaluate(`browser.permissions.getAll()`)).origins.sort(), ['http://127.0.0.1/*', 'https://127.0.0.1/*'], 'the site permission survived');
      await pollUntil(() => popup.evaluate(`document.querySelector('#auto-clean').checked`), { message: 'the switch to show on after the restart' });
      await driver.closePopup();
      log('restart: settings, rule, permission and auto-clean kept');
    } finally {
      await driver?.close();
      profile.remove();
      await server.close();
    }
  });
});
