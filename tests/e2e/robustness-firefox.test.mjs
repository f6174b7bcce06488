// "Never break a page, never leak", in Firefox: the shipped add-on (dist/firefox, unchanged) on the
// test pages of tests/e2e/pages/ (see lib/robustness.mjs), through a real click on its toolbar
// button and the real popup, as in firefox.test.mjs.
//
//   npm run build && node --test tests/e2e/robustness-firefox.test.mjs
//
// Environment: as firefox.test.mjs (UNSPONSOR_DIST, FIREFOX, GECKODRIVER, E2E_VERBOSE=1).

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { DEMO_SITE_DIR, FIREFOX_EXTENSION_DIR, findGeckodriver, requireBuilt } from './lib/config.mjs';
import { FirefoxDriver } from './lib/firefox.mjs';
import { RequestLog } from './lib/network.mjs';
import {
  cleanAndUndoForgePage,
  cleanAndUndoHostilePrototypesPage,
  cleanAndUndoWithSameOriginFrame,
  cleanAndUndoXhtmlPage,
  cleanFramesetPage,
  FORGE_PAGE,
  FRAMESET_PAGE,
  IFRAME_PAGE,
  PROTOTYPES_PAGE,
  XHTML_PAGE,
} from './lib/robustness.mjs';
import { logger } from './lib/util.mjs';

const log = logger('firefox robustness');

describe('Unsponsor in Firefox: robustness', { timeout: 300_000 }, () => {
  let server;
  let driver;

  before(async () => {
    requireBuilt(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    const geckodriverBinary = findGeckodriver();
    if (!geckodriverBinary) throw new Error('geckodriver not found: set GECKODRIVER, put it on PATH, or `cargo install geckodriver`');
    server = await startServer({ root: DEMO_SITE_DIR });
    log(`demo site ${DEMO_SITE_DIR} and test pages at ${server.origin}`);
    driver = await FirefoxDriver.launch({ extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log });
  });

  after(async () => {
    await driver?.close();
    await server?.close();
  });

  // Firefox allows wasm in content scripts whatever the page CSP, so every page runs the wasm core.
  test(`cleans the XHTML page ${XHTML_PAGE.path} (application/xhtml+xml), and Undo restores it exactly`, { timeout: 60_000 }, async () => {
    await cleanAndUndoXhtmlPage(driver, { url: server.origin + XHTML_PAGE.path, expectedEngine: 'wasm', log });
  });

  test(`cleans the top document of ${IFRAME_PAGE.path} and leaves its same-origin iframe, ad included, untouched`, { timeout: 60_000 }, async () => {
    await cleanAndUndoWithSameOriginFrame(driver, { url: server.origin + IFRAME_PAGE.path, expectedEngine: 'outside', log });
  });

  test(`"Clean this page" on the frameset ${FRAMESET_PAGE.path} reports nothing removed, without an error, and leaves the frames alone`, { timeout: 60_000 }, async () => {
    await cleanFramesetPage(driver, { url: server.origin + FRAMESET_PAGE.path, log });
  });

  test(`cleans ${PROTOTYPES_PAGE.path}, whose scripts replace remove, appendChild, MutationObserver, push, JSON.stringify...: Xray isolation, no error in the page, Undo exact`, { timeout: 60_000 }, async () => {
    await cleanAndUndoHostilePrototypesPage(driver, { url: server.origin + PROTOTYPES_PAGE.path, expectedEngine: 'outside', log });
  });

  test(`ignores the commands ${FORGE_PAGE.path} forges (postMessage, custom events, a page unsponsorRun)`, { timeout: 60_000 }, async () => {
    await cleanAndUndoForgePage(driver, { url: server.origin + FORGE_PAGE.path, expectedEngine: 'outside', log });
  });

  test('request recorder control: requests made on purpose by the popup and by content-script code in the tab are seen and attributed', { timeout: 30_000 }, async () => {
    const page = await driver.openPage(`${server.origin}/index.html`);
    try {
      await driver.makeControlRequests(page, server.origin);
    } finally {
      await driver.closePage(page).catch(() => {});
    }
  });

  // Runs last: every HTTP(S) request Firefox made during the tests above.
  test('the extension itself made no network request, and nothing left 127.0.0.1', async () => {
    const entries = await driver.requestEntries();
    const report = await driver.extensionRequests();
    log(`${entries.length} HTTP(S) request records (parent and content processes); ${report.byExtension.length} made by the extension (${JSON.stringify(report.counts)}): ${report.controls.length} control request, ${report.outside.length} others`);
    if (report.failures.length > 0) assert.fail(report.failures.join('\n  '));
    const requests = new RequestLog();
    for (const entry of entries) requests.record(entry.source, entry.method, entry.url, { by: entry.by });
    const offsite = requests.offsite();
    if (offsite.length > 0) assert.fail(`requests left the machine:\n  ${requests.format(offsite)}`);
  });
});
