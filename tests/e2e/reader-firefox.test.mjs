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

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { DEMO_SITE_DIR, FIREFOX_EXTENSION_DIR, SCREENSHOT_DIR, findGeckodriver, requireBuilt } from './lib/config.mjs';
import { FirefoxDriver } from './lib/firefox.mjs';
import { chromeExpression } from './lib/firefox-chrome.mjs';
import {
  autoCleanJourney, categoryTogglesJourney, corruptedSettingJourney, importExportJourney, keepThisJourney,
  pickerJourney, previewJourney, READER_PAGE_PATH, resetSettings,
} from './lib/reader.mjs';
import { logger, pollUntil } from './lib/util.mjs';

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

describe('Unsponsor reader controls in Firefox', { timeout: 600_000 }, () => {
  let server;
  let driver;
  let url;
  let hooks;
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-e2e-reader-'));

  const actions = (list) => driver.session.command('POST', '/actions', { actions: list }).then(() => driver.session.command('DELETE', '/actions'));
  const pointer = (steps) => actions([{ type: 'pointer', id: 'mouse', parameters: { pointerType: 'mouse' }, actions: steps }]);

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
      grantSite: async () => {
        const prompt = await pollUntil(async () => {
          const found = await driver.chrome(chromeExpression(permissionPromptInChrome));
          return found.error ? false : found;
        }, { timeoutMs: 10_000, message: 'the permission prompt' });
        log(`permission prompt: "${prompt.text}"; pressing "${prompt.label}"`);
        await driver.clickInChrome(prompt.x, prompt.y);
        await pollUntil(async () => (await driver.chrome(chromeExpression(permissionPromptInChrome))).error, { message: 'the prompt to close' });
      },
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

  test('own rules: import with bad lines, export, and the round trip', { timeout: 120_000 }, async () => {
    const page = await driver.openPage(url);
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
      const options = { evaluate: (expression) => driver.content(expression) };
      await importExportJourney(options, {
        log,
        importFile: async (_page, name, text) => {
          const file = path.join(tempDir, name);
          fs.writeFileSync(file, text);
          await driver.useContext('content');
          const element = await driver.session.command('POST', '/element', { using: 'css selector', value: '#rules-file' });
          await driver.session.command('POST', `/element/${Object.values(element)[0]}/value`, { text: file });
        },
      });
    } finally {
      await driver.useContext('content');
      await driver.session.command('DELETE', '/window').catch(() => {});
      await driver.session.command('POST', '/window', { handle: original });
    }
  });

  test('auto-clean: the switch asks for this site only (Firefox prompt); pages are cleaned on load and late widgets too; off gives the permission back', { timeout: 120_000 }, () =>
    autoCleanJourney(driver, hooks, { url, origin: server.origin, log }));

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
