// No click in the popup is lost, however early (issue: "Every click lands"), in Firefox: each of
// the popup's page buttons (Clean, Preview, Undo, Remove something else) is clicked 0, 10 and
// 50 ms after it first shows, EARLY_CLICK_REPEATS times each, on the demo page and on a page still
// loading when the popup opens (the test server's /slow/ route). Every click must do what it says:
// the popup ends in that command's state and the page shows its effect. (early-clicks-chrome
// .test.mjs does the same in Chromium; the script that clicks and the buttons' states are shared,
// in lib/early-click.mjs.)
//
//   npm run build && node --test tests/e2e/early-clicks-firefox.test.mjs
//
// The popup is the real one, opened by a real click on the toolbar button. The script that
// clicks must run in it before the popup's own scripts: a frame script is registered in the
// browser's chrome for every browser created from then on (Services.mm, delayed load), and when
// the popup's document is created (DOMWindowCreated, before any of its scripts), it runs the
// click script over the popup's window in a sandbox (the extension page's CSP forbids eval in
// the page itself). WebDriver classic cannot do this any other way.
//
// Environment: UNSPONSOR_DIST, GECKODRIVER, FIREFOX as for firefox.test.mjs;
// EARLY_CLICK_REPEATS (default 20).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SLOW_PREFIX, startServer } from './server.mjs';
import { DEMO_SITE_DIR, FIREFOX_EXTENSION_DIR, findGeckodriver, requireBuilt } from './lib/config.mjs';
import { FirefoxDriver } from './lib/firefox.mjs';
import { AD_TEXT, BUTTON_STATES, DELAYS_MS, HOLD_MS, REPEATS, adVisibleInPage, earlyClickScript, overlayShownInPage } from './lib/early-click.mjs';
import { callExpression, logger, pollUntil } from './lib/util.mjs';

const log = logger('firefox early clicks');

/**
 * Runs IN CHROME. Registers `frameScript` for every browser created from now on (and the open
 * ones) and returns its address, for removeEarlyClickInChrome.
 */
function registerEarlyClickInChrome(addonId, clickScript) {
  const popupUrl = WebExtensionPolicy.getByID(addonId).getURL('popup.html');
  const frameScript = `addEventListener('DOMWindowCreated', (event) => {
    const win = event.target && event.target.defaultView;
    if (!win || !String(win.location.href).startsWith(${JSON.stringify(popupUrl)})) return;
    try {
      const sandbox = Cu.Sandbox(win, { sandboxPrototype: win, wantXrays: false, sandboxName: 'unsponsor e2e early click' });
      Cu.evalInSandbox(${JSON.stringify(clickScript)}, sandbox);
    } catch (error) {
      Cu.reportError(error);
    }
  }, true);`;
  const url = `data:,${encodeURIComponent(frameScript)}`;
  Services.mm.loadFrameScript(url, true);
  return url;
}

/** Runs IN CHROME. Stops loading the frame script registerEarlyClickInChrome registered. */
function removeEarlyClickInChrome(url) {
  Services.mm.removeDelayedFrameScript(url);
  return true;
}

/** Runs IN CHROME: starts loading `url` in the selected tab, without waiting for it. */
function startLoadingInChrome(url) {
  openTrustedLinkIn(url, 'current');
  return true;
}

/** Runs IN THE POPUP: the state its status shows, and when the early click landed. */
function popupStateInPopup() {
  const status = document.getElementById('status');
  return { state: status ? status.dataset.state : null, text: status ? status.textContent : null, click: window.__earlyClick ?? null };
}

/** Runs IN THE POPUP: sends a command for the active tab to the background, as the popup does. */
function commandFromPopup(command) {
  return browser.tabs.query({ active: true, currentWindow: true })
    .then(([tab]) => browser.runtime.sendMessage({ type: 'run', command, tabId: tab.id, url: tab.url }));
}

describe('No early click is lost in the Firefox popup', { timeout: 3_600_000 }, () => {
  let server;
  let driver;

  before(async () => {
    requireBuilt(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    const geckodriverBinary = findGeckodriver();
    if (!geckodriverBinary) throw new Error('geckodriver not found: set GECKODRIVER, put it on PATH, or `cargo install geckodriver`');
    server = await startServer({ root: DEMO_SITE_DIR });
    driver = await FirefoxDriver.launch({ extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log });
  });

  after(async () => {
    await driver?.close();
    await server?.close();
  });

  const adVisible = (page) => page.evaluate(callExpression(adVisibleInPage, AD_TEXT));
  const overlayShown = (page) => page.evaluate(callExpression(overlayShownInPage));

  /** A trusted Escape key press in the page (the picker listens for it). */
  async function pressEscape() {
    await driver.useContext('content');
    await driver.session.command('POST', '/actions', { actions: [{ type: 'key', id: 'keyboard', actions: [{ type: 'keyDown', value: '\uE00C' }, { type: 'keyUp', value: '\uE00C' }] }] });
    await driver.session.command('DELETE', '/actions');
  }

  /** What each button must do to the page, and how a trial is set up and undone. */
  const BUTTONS = {
    clean: { prepare: null, effect: async (page) => !(await adVisible(page)), reset: 'undo' },
    preview: { prepare: null, effect: (page) => overlayShown(page), reset: 'clear-preview' },
    undo: { prepare: 'clean', effect: (page) => adVisible(page), reset: null },
    pick: { prepare: null, effect: (page) => overlayShown(page), reset: 'escape' },
  };

  /** A page whose document is still arriving (the /slow/ route holds its second half back). */
  async function openLoading(url) {
    await driver.chrome(callExpression(startLoadingInChrome, url));
    return { url, evaluate: (expression) => driver.content(expression) };
  }

  /** The toolbar click, tried until the tab shows the new address (a load may not have committed). */
  const openPopupOn = (page) => pollUntil(() => driver.openPopup(page).catch((error) => {
    if (/the selected tab shows/.test(error.message)) return false;
    throw error;
  }), { timeoutMs: 10_000, intervalMs: 50, message: `the tab of ${page.url} to take a toolbar click` });

  /** One early click on a freshly loaded page; returns null when it did what it says. */
  async function trial(url, slow, id, delay) {
    const button = BUTTONS[id];
    const expected = BUTTON_STATES[id];
    const page = slow && !button.prepare ? await openLoading(url) : await driver.openPage(url);
    if (button.prepare) {
      // The page is set up through a popup opened without an early click.
      const setup = await driver.openPopup(page);
      const result = await pollUntil(() => setup.evaluate(callExpression(commandFromPopup, button.prepare)).catch(() => false), { timeoutMs: 10_000, message: `setting up ${id}` });
      assert.ok(result?.ok, `setting up ${id}: ${JSON.stringify(result)}`);
      await driver.closePopup();
    }
    const frameScript = await driver.chrome(callExpression(registerEarlyClickInChrome, driver.addonId, earlyClickScript(id, delay)));
    let outcome = null;
    const seen = [];
    let clicked = false; // the script in the popup clicked (it ran before the popup's own)
    try {
      const popup = await openPopupOn(page);
      try {
        await pollUntil(async () => {
          const now = await popup.evaluate(callExpression(popupStateInPopup)).catch(() => null);
          if (!now) return id === 'pick' && clicked && seen.includes(expected); // the popup closes itself once the picker starts
          if (seen.at(-1) !== now.state) seen.push(now.state);
          if (now.click && now.click.clickedAt !== null) clicked = true;
          return now.state === expected && clicked;
        }, { timeoutMs: 15_000, intervalMs: 20, message: `the popup to show "${expected}"` });
      } catch {
        outcome = clicked
          ? `${id} clicked ${delay} ms after it showed: the popup went through [${seen.join(', ')}]`
          : `${id}: the click script did not run in the popup (states [${seen.join(', ')}])`;
      }
      if (!outcome) {
        try {
          await pollUntil(() => button.effect(page), { timeoutMs: 10_000, intervalMs: 25, message: `${id}'s effect on the page` });
        } catch {
          outcome = `${id} clicked ${delay} ms after it showed: the popup said "${expected}" but the page does not show it`;
        }
      }
      if (!outcome && id !== 'pick') {
        // The drawing of what the page had when the popup opened must not replace the click's
        // status afterwards: it is still there once that drawing is surely over.
        await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
        const now = await popup.evaluate(callExpression(popupStateInPopup)).catch(() => null);
        if (now && now.state !== expected) outcome = `${id} clicked ${delay} ms after it showed: "${expected}" was replaced by "${now.state}"`;
      }
      if (button.reset === 'escape') await pressEscape();
      else if (button.reset && (await popup.isOpen())) await popup.evaluate(callExpression(commandFromPopup, button.reset));
    } finally {
      await driver.chrome(callExpression(removeEarlyClickInChrome, frameScript));
      await driver.closePopup();
    }
    return outcome;
  }

  for (const { name, path: pagePath, slow } of [
    { name: 'the demo page', path: '/index.html', slow: false },
    { name: 'a page still loading when the popup opens', path: `${SLOW_PREFIX.slice(0, -1)}/index.html`, slow: true },
  ]) {
    for (const id of Object.keys(BUTTONS)) {
      test(`${name}: ${id} clicked 0, 10 and 50 ms after it shows, ${REPEATS} times each: none lost`, async () => {
        const lost = [];
        for (const delay of DELAYS_MS) {
          for (let repeat = 0; repeat < REPEATS; repeat += 1) {
            const problem = await trial(server.origin + pagePath, slow, id, delay);
            if (problem) lost.push(problem);
          }
        }
        log(`${name}: ${id}: ${DELAYS_MS.length * REPEATS - lost.length} of ${DELAYS_MS.length * REPEATS} clicks did what they say`);
        assert.deepEqual(lost, [], `${lost.length} early clicks were lost`);
      });
    }
  }
});
