// End-to-end test of the Firefox build (dist/firefox) on the demo site (dist/www).
//
//   npm run build && node --test tests/e2e/firefox.test.mjs
//
// Environment: UNSPONSOR_DIST (default <repo>/dist), FIREFOX (default /usr/bin/firefox-esr),
// GECKODRIVER (default: PATH, then ~/.cargo/bin/geckodriver), UNSPONSOR_SCREENSHOTS,
// E2E_VERBOSE=1 for all Firefox output.
//
// The shipped extension is installed unchanged (no host permission). Its toolbar button is clicked
// with real mouse input in Firefox's toolbar, which grants activeTab and opens the real popup
// panel; that needs WebDriver's chrome context (geckodriver --allow-system-access). See
// lib/firefox.mjs.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { DEMO_PAGES, DEMO_SITE_DIR, FIREFOX_EXTENSION_DIR, SCREENSHOT_DIR, findGeckodriver, requireBuilt } from './lib/config.mjs';
import { FirefoxDriver } from './lib/firefox.mjs';
import { manifestFailures, readManifest } from './lib/manifest.mjs';
import { cleanAndUndo } from './lib/scenario.mjs';
import { assertNoPayloadRequest, cleanAndUndoHostilePage, HOSTILE_PAGE_PATH } from './lib/hostile.mjs';
import { RequestLog } from './lib/network.mjs';
import { logger } from './lib/util.mjs';

const log = logger('firefox');

describe('Unsponsor in Firefox', { timeout: 240_000 }, () => {
  let server;
  let driver;

  before(async () => {
    requireBuilt(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    const geckodriverBinary = findGeckodriver();
    if (!geckodriverBinary) throw new Error('geckodriver not found: set GECKODRIVER, put it on PATH, or `cargo install geckodriver`');
    server = await startServer({ root: DEMO_SITE_DIR });
    log(`demo site ${DEMO_SITE_DIR} at ${server.origin}`);
    driver = await FirefoxDriver.launch({ extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log });
  });

  after(async () => {
    await driver?.close();
    const notFound = server?.requests.filter((line) => line.endsWith(' 404')) ?? [];
    if (notFound.length > 0) log(`the demo site was asked for missing files:\n  ${notFound.join('\n  ')}`);
    await server?.close();
  });

  test('the shipped manifest asks for no site access, and exposes only the files the content script loads', () => {
    const failures = manifestFailures(readManifest(FIREFOX_EXTENSION_DIR), { browser: 'firefox', dir: FIREFOX_EXTENSION_DIR });
    if (failures.length > 0) assert.fail(`dist/firefox/manifest.json:\n  ${failures.join('\n  ')}`);
  });

  for (const pagePath of DEMO_PAGES) {
    test(`cleans ${pagePath}, judged outside its tab, and Undo restores it exactly`, { timeout: 60_000 }, async () => {
      await cleanAndUndo(driver, {
        url: server.origin + pagePath,
        expectedEngine: 'outside', // judged in the background page
        log,
        afterClean:
          pagePath === '/index.html'
            ? async ({ popup }) => {
                await popup.screenshot(path.join(SCREENSHOT_DIR, 'popup-firefox.png'));
                log(`screenshot written to ${SCREENSHOT_DIR}`);
              }
            : undefined,
      });
    });
  }

  // Sponsored text that looks like markup must stay text: in the popup, in the page, through Undo.
  test(`keeps markup-like ad text inert on ${HOSTILE_PAGE_PATH} (popup, page, Undo)`, { timeout: 60_000 }, async () => {
    await cleanAndUndoHostilePage(driver, { url: server.origin + HOSTILE_PAGE_PATH, expectedEngine: 'outside', log });
    assertNoPayloadRequest(server);
  });

  // The recorder must tell the extension's requests from others before its "none" can mean anything.
  test('request recorder control: requests made on purpose by the popup and by content-script code in the tab are seen and attributed', { timeout: 30_000 }, async () => {
    const page = await driver.openPage(server.origin + DEMO_PAGES[0]);
    try {
      await driver.makeControlRequests(page, server.origin);
    } finally {
      await driver.closePage(page).catch(() => {});
    }
  });

  // Checks every HTTP(S) request recorded during the tests above: none was made by the extension
  // (its background, popup or content script), control request apart, not even to 127.0.0.1.
  test('the extension itself (background, popup, content script) makes no network request', async () => {
    const report = await driver.extensionRequests();
    log(`${(await driver.requestEntries()).length} HTTP(S) request records (parent and content processes); ${report.byExtension.length} made by the extension (${JSON.stringify(report.counts)}): ${report.controls.length} control request, ${report.outside.length} others`);
    if (report.failures.length > 0) assert.fail(report.failures.join('\n  '));
  });

  // Runs last: it checks every HTTP(S) request Firefox made since launch (pages, popup, the
  // extension and Firefox itself), recorded in the parent process (see startWatchingInChrome).
  test('makes no network request outside 127.0.0.1', async () => {
    const requests = new RequestLog();
    for (const request of (await driver.watched()).requests) {
      requests.record(`${request.topic} triggered by ${request.triggeredBy} (type ${request.type})`, request.method, request.url);
    }
    const offsite = requests.offsite();
    if (offsite.length > 0) assert.fail(`requests left the machine:\n  ${requests.format(offsite)}\nall requests:\n  ${requests.format()}`);
    // The recorder must have seen the test's own page loads, or "nothing offsite" proves nothing.
    const pageLoads = requests.entries.filter((entry) => entry.url.startsWith(server.origin));
    assert.ok(pageLoads.length >= 1, `the request recorder saw none of the test's own page loads:\n  ${requests.format()}`);
    log(`${requests.entries.length} requests recorded in Firefox, none outside 127.0.0.1`);
  });
});
