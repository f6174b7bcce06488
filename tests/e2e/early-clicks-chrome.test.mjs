// No click in the popup is lost, however early (issue: "Every click lands"): in Chromium, each of
// the popup's page buttons (Clean, Preview, Undo, Remove something else) is clicked 0, 10 and 50 ms
// after it first shows, EARLY_CLICK_REPEATS times each, on the demo page and on a page that is
// still loading when the popup opens (served under the test server's /slow/ route). Every click
// must do what it says: the popup ends in that command's state and the page shows its effect.
//
//   npm run build && node --test tests/e2e/early-clicks-chrome.test.mjs
//
// The popup is opened as a tab, `popup.html?tabId=N` (the popup's own hook for tests), so that a
// script can be put in it before its first line runs: it clicks the button the given delay after
// the button first appears, from inside the page, where no round trip to the test delays it. The
// page's tab gets its activeTab grant from a real toolbar click (CDP Extensions.triggerAction)
// first, as a reader's click would give it.
//
// Environment: UNSPONSOR_DIST, CHROMIUM as for chrome.test.mjs; EARLY_CLICK_REPEATS (default 20).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { SLOW_PREFIX, startServer } from './server.mjs';
import { CHROME_EXTENSION_DIR, DEMO_SITE_DIR, requireBuilt } from './lib/config.mjs';
import { ChromiumDriver } from './lib/chromium.mjs';
import { RequestLog } from './lib/network.mjs';
import { logger, pollUntil } from './lib/util.mjs';
import { AD_TEXT, BUTTON_STATES, DELAYS_MS, HOLD_MS, REPEATS, adVisibleInPage, earlyClickScript, overlayShownInPage } from './lib/early-click.mjs';

const log = logger('chromium early clicks');

describe('No early click is lost in the Chromium popup', { timeout: 1_800_000 }, () => {
  const requests = new RequestLog();
  let server;
  let driver;
  let control; // an extension page that sends commands to the background to set a page up

  before(async () => {
    requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    server = await startServer({ root: DEMO_SITE_DIR });
    driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: requests });
    control = await driver.context.newPage();
    await control.goto(`chrome-extension://${driver.extensionId}/options.html`);
  });

  after(async () => {
    await driver?.close();
    await server?.close();
  });

  /** Sends a command to the page's tab the way the popup does, and returns the background's answer. */
  const command = (page, name) => control.evaluate(
    ([tabId, url, commandName]) => chrome.runtime.sendMessage({ type: 'run', command: commandName, tabId, url }),
    [page.tabId, page.url, name],
  );

  const adVisible = (page) => page.playwrightPage.evaluate(adVisibleInPage, AD_TEXT);
  const overlayShown = (page) => page.playwrightPage.evaluate(overlayShownInPage);

  /** Opens `url` in a tab (not waiting for a slow page to load) and gives it the activeTab grant. */
  async function openGranted(url, { slow }) {
    const page = slow ? await openLoading(url) : await driver.openPage(url);
    // The toolbar click: activeTab, and the tab's id. A tab still loading may not list its new
    // address for a moment, so the click is tried until the tab is found.
    const popup = await pollUntil(() => driver.openPopup(page).catch((error) => {
      if (/no tab target/.test(error.message)) return false;
      throw error;
    }), { timeoutMs: 10_000, intervalMs: 50, message: `the tab of ${url} to take a toolbar click` });
    await driver.closePopup(popup);
    assert.ok(Number.isInteger(page.tabId), `no tab id for ${url}`);
    return page;
  }

  /** A page whose document is still arriving (the /slow/ route holds its second half back). */
  async function openLoading(url) {
    const playwrightPage = await driver.context.newPage();
    await playwrightPage.goto(url, { waitUntil: 'commit' });
    await playwrightPage.bringToFront();
    return { url, playwrightPage, tabId: null, evaluate: (expression) => playwrightPage.evaluate(expression) };
  }

  /** What each button must do, checked on the popup and on the page. */
  const BUTTONS = {
    clean: {
      expectedState: BUTTON_STATES.clean,
      prepare: async () => {},
      effect: async (page) => !(await adVisible(page)),
      reset: (page) => command(page, 'undo'),
    },
    preview: {
      expectedState: BUTTON_STATES.preview,
      prepare: async () => {},
      effect: (page) => overlayShown(page),
      reset: (page) => command(page, 'clear-preview'),
    },
    undo: {
      expectedState: BUTTON_STATES.undo,
      prepare: async (page) => {
        const result = await command(page, 'clean');
        assert.ok(result?.ok, `setting up Undo: the clean failed: ${JSON.stringify(result)}`);
      },
      effect: (page) => adVisible(page),
      reset: async () => {},
    },
    pick: {
      expectedState: BUTTON_STATES.pick,
      prepare: async () => {},
      effect: (page) => overlayShown(page),
      reset: (page) => page.playwrightPage.keyboard.press('Escape'),
      closesPopup: true,
    },
  };

  /** One early click; returns null when it did what it says, else what went wrong. */
  async function trial(page, id, delay) {
    const button = BUTTONS[id];
    await button.prepare(page);
    const popup = await driver.context.newPage();
    let outcome = null;
    try {
      await popup.addInitScript(earlyClickScript(id, delay));
      const states = [];
      // The popup closes itself after "Remove something else" (the reader picks in the page).
      popup.on('close', () => states.push('closed'));
      await popup.goto(`chrome-extension://${driver.extensionId}/popup.html?tabId=${page.tabId}`, { waitUntil: 'commit' });
      try {
        await pollUntil(async () => {
          if (popup.isClosed()) return states.includes(button.expectedState);
          const state = await popup.evaluate(() => document.getElementById('status')?.dataset.state).catch(() => null);
          if (state && states.at(-1) !== state) states.push(state);
          return state === button.expectedState;
        }, { timeoutMs: 15_000, intervalMs: 20, message: `the popup to show "${button.expectedState}"` });
      } catch {
        const text = popup.isClosed() ? '(closed)' : await popup.evaluate(() => document.getElementById('status')?.textContent).catch(() => '?');
        outcome = `${id} clicked ${delay} ms after it showed: the popup went through [${states.join(', ')}], status ${JSON.stringify(text)}`;
      }
      if (!outcome) {
        try {
          await pollUntil(() => button.effect(page), { timeoutMs: 10_000, intervalMs: 25, message: `${id}'s effect on the page` });
        } catch {
          outcome = `${id} clicked ${delay} ms after it showed: the popup said "${button.expectedState}" but the page does not show it`;
        }
      }
      if (!outcome && !popup.isClosed()) {
        // The drawing of what the page had when the popup opened must not replace the click's
        // status afterwards: it is still there once that drawing is surely over.
        // Waited for here, not in the popup: after "Remove something else" the popup closes
        // itself while this wait runs, and that is what it should do.
        await new Promise((resolve) => setTimeout(resolve, HOLD_MS));
        const shown = await popup.evaluate(() => document.getElementById('status')?.dataset.state).catch(() => null);
        const state = popup.isClosed() && button.closesPopup ? button.expectedState : shown;
        if (state !== button.expectedState) outcome = `${id} clicked ${delay} ms after it showed: "${button.expectedState}" was replaced by "${state}"`;
      }
    } finally {
      if (!popup.isClosed()) await popup.close();
      await button.reset(page);
    }
    return outcome;
  }

  for (const { name, url, slow } of [
    { name: 'the demo page', url: '/index.html', slow: false },
    { name: 'a page still loading when the popup opens', url: `${SLOW_PREFIX.slice(0, -1)}/index.html`, slow: true },
  ]) {
    for (const id of Object.keys(BUTTONS)) {
      test(`${name}: ${id} clicked 0, 10 and 50 ms after it shows, ${REPEATS} times each: none lost`, async () => {
        const lost = [];
        let page = slow ? null : await openGranted(`${server.origin}${url}`, { slow });
        try {
          for (const delay of DELAYS_MS) {
            for (let repeat = 0; repeat < REPEATS; repeat += 1) {
              if (slow) {
                // A new load for every click, so the page is still arriving each time.
                if (page) await page.playwrightPage.close();
                page = await openGranted(`${server.origin}${url}`, { slow });
              }
              const problem = await trial(page, id, delay);
              if (problem) lost.push(problem);
            }
          }
        } finally {
          if (page) await page.playwrightPage.close().catch(() => {});
        }
        log(`${name}: ${id}: ${DELAYS_MS.length * REPEATS - lost.length} of ${DELAYS_MS.length * REPEATS} clicks did what they say`);
        assert.deepEqual(lost, [], `${lost.length} early clicks were lost`);
      });
    }
  }
});
