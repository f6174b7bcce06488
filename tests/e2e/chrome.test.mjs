// End-to-end test of the Chromium build (dist/chrome) on the demo site (dist/www).
//
//   npm run build && node --test tests/e2e/chrome.test.mjs
//
// Environment: UNSPONSOR_DIST (default <repo>/dist), CHROMIUM (default /usr/bin/chromium),
// UNSPONSOR_SCREENSHOTS (default <repo>/tests/e2e/out/screenshots; `npm run screenshots` writes docs/screenshots), E2E_VERBOSE=1 for all console output.
//
// The toolbar button is clicked for real (CDP Extensions.triggerAction), so the popup runs with
// the activeTab grant a user click gives, and no test-only permissions are added.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { CHROME_EXTENSION_DIR, DEMO_PAGES, DEMO_SITE_DIR, SCREENSHOT_DIR, requireBuilt } from './lib/config.mjs';
import { ChromiumDriver } from './lib/chromium.mjs';
import { manifestFailures, readManifest } from './lib/manifest.mjs';
import { RequestLog } from './lib/network.mjs';
import { describePopup, readPopup, waitForPopupState } from './lib/popup.mjs';
import { cleanAndUndo, scrollTo, scrollToFirstSponsoredText } from './lib/scenario.mjs';
import { assertNoPayloadRequest, cleanAndUndoHostilePage, HOSTILE_PAGE_PATH } from './lib/hostile.mjs';
import { logger } from './lib/util.mjs';

const log = logger('chromium');

/** A page no extension may script; the popup must say so instead of failing obscurely. */
const RESTRICTED_URL = 'chrome://version/';

/**
 * Playwright hides the text caret for screenshots by writing a style attribute on text fields,
 * which would show up in the Undo outerHTML comparison; 'initial' leaves the page untouched.
 */
const SCREENSHOT_OPTIONS = { caret: 'initial' };

describe('Unsponsor in Chromium', { timeout: 240_000 }, () => {
  const requests = new RequestLog();
  let server;
  let driver;

  before(async () => {
    requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    server = await startServer({ root: DEMO_SITE_DIR });
    log(`demo site ${DEMO_SITE_DIR} at ${server.origin}`);
    driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: requests });
  });

  after(async () => {
    await driver?.close();
    const notFound = server?.requests.filter((line) => line.endsWith(' 404')) ?? [];
    if (notFound.length > 0) log(`the demo site was asked for missing files:\n  ${notFound.join('\n  ')}`);
    await server?.close();
  });

  test('the shipped manifest asks for no site access, and exposes only the files the content script loads', () => {
    const failures = manifestFailures(readManifest(CHROME_EXTENSION_DIR), { browser: 'chrome', dir: CHROME_EXTENSION_DIR });
    if (failures.length > 0) assert.fail(`dist/chrome/manifest.json:\n  ${failures.join('\n  ')}`);
  });

  for (const pagePath of DEMO_PAGES) {
    test(`cleans ${pagePath}, judged outside its tab, and Undo restores it exactly`, { timeout: 60_000 }, async () => {
      const withScreenshots = pagePath === '/index.html';
      let scrollY = 0;
      let beforeShot;
      await cleanAndUndo(driver, {
        url: server.origin + pagePath,
        expectedEngine: 'outside',
        log,
        // Screenshots for the docs: the mid-article widget area before and after, and the popup.
        beforeClean: withScreenshots
          ? async ({ page }) => {
              scrollY = await scrollToFirstSponsoredText(page);
              beforeShot = await page.playwrightPage.screenshot(SCREENSHOT_OPTIONS);
            }
          : undefined,
        afterClean: withScreenshots
          ? async ({ page, popup }) => {
              fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
              fs.writeFileSync(path.join(SCREENSHOT_DIR, 'demo-before.png'), beforeShot);
              await scrollTo(page, scrollY);
              await page.playwrightPage.screenshot({ ...SCREENSHOT_OPTIONS, path: path.join(SCREENSHOT_DIR, 'demo-after.png') });
              await popup.screenshot(path.join(SCREENSHOT_DIR, 'popup-chrome.png'));
              log(`screenshots written to ${SCREENSHOT_DIR}`);
            }
          : undefined,
      });
    });
  }

  // The page CSP (script-src 'self') makes Chromium refuse WebAssembly in content scripts; the
  // extension must fall back to its wasm2js build and still clean and undo correctly.
  test('cleans /csp/variants/hashed.html under a strict page CSP: judged outside its tab, no WebAssembly in the page', { timeout: 60_000 }, async () => {
    await cleanAndUndo(driver, { url: `${server.origin}/csp/variants/hashed.html`, expectedEngine: 'outside', log });
  });

  // Sponsored text that looks like markup must stay text: in the popup, in the page, through Undo.
  test(`keeps markup-like ad text inert on ${HOSTILE_PAGE_PATH} (popup, page, Undo)`, { timeout: 60_000 }, async () => {
    await cleanAndUndoHostilePage(driver, { url: server.origin + HOSTILE_PAGE_PATH, expectedEngine: 'outside', log });
    assertNoPayloadRequest(server);
  });

  test(`reports ${RESTRICTED_URL} as restricted`, { timeout: 30_000 }, async () => {
    const page = await driver.openPage(RESTRICTED_URL);
    let popup;
    try {
      popup = await driver.openPopup(page);
      const opened = await readPopup(popup.evaluate);
      log(`popup on ${RESTRICTED_URL}: ${describePopup(opened)}`);
      // The popup may already know the page is off-limits and disable the button; if it offers
      // the button, pressing it must lead to "restricted", not to an error.
      if (opened.clean?.shown && !opened.clean.disabled) await popup.click('#clean');
      const settled = await waitForPopupState(popup.evaluate, 'restricted', { previousState: opened.state === 'restricted' ? undefined : opened.state });
      assert.ok(settled.message, `the restricted state needs a readable message: ${describePopup(settled)}`);
      assert.ok(!settled.undo?.shown, 'nothing was removed, so #undo must stay hidden');
    } finally {
      if (popup) await driver.closePopup(popup).catch(() => {});
      await driver.closePage(page).catch(() => {});
    }
  });

  // The recorder must see the extension's requests before its "none" below can mean anything.
  test('request recorder control: a request made on purpose by the popup and by the service worker is seen and attributed', { timeout: 30_000 }, async () => {
    const page = await driver.openPage(server.origin + DEMO_PAGES[0]);
    try {
      await driver.makeControlRequests(page, server.origin);
    } finally {
      await driver.closePage(page).catch(() => {});
    }
  });

  // Checks the requests recorded during all the tests above: the extension's service worker, popup
  // and content script asked for nothing but the extension's own packaged files (control requests
  // apart), not even the test server on 127.0.0.1.
  test('the extension itself (service worker, popup, content script) makes no network request', () => {
    const report = driver.extensionRequests();
    log(`${requests.entries.length} requests recorded; ${report.byExtension.length} made by the extension (${JSON.stringify(report.counts)}): ${report.ownFiles.length} loads of its own files, ${report.controls.length} control requests, ${report.outside.length} to anything else`);
    if (report.failures.length > 0) assert.fail(`${report.failures.join('\n  ')}\nall requests:\n  ${requests.format(driver.attributedRequests())}`);
  });

  // Runs last: it checks the requests recorded during all the tests above.
  test('makes no network request outside 127.0.0.1', () => {
    const demoPageLoads = requests.entries.filter((entry) => entry.url.startsWith(server.origin));
    assert.ok(demoPageLoads.length >= DEMO_PAGES.length, `the request recorder saw too few demo-site requests:\n  ${requests.format()}`);
    const offsite = requests.offsite();
    if (offsite.length > 0) assert.fail(`requests left the machine:\n  ${requests.format(offsite)}\nall requests:\n  ${requests.format()}`);
  });
});
