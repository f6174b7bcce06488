// "Never break a page, never leak", in Chromium: the built extension (dist/chrome) on the test
// pages of tests/e2e/pages/ (see lib/robustness.mjs), through the real toolbar button and popup.
//
//   npm run build && node --test tests/e2e/robustness-chrome.test.mjs
//
// Environment: as chrome.test.mjs (UNSPONSOR_DIST, CHROMIUM, E2E_VERBOSE=1).

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { CHROME_EXTENSION_DIR, DEMO_PAGES, DEMO_SITE_DIR, buildCarriesEasylist, requireBuilt } from './lib/config.mjs';
import { ChromiumDriver } from './lib/chromium.mjs';
import { readManifest, WEB_ACCESSIBLE_FILES } from './lib/manifest.mjs';
import { RequestLog } from './lib/network.mjs';
import { waitForPopupState } from './lib/popup.mjs';
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
import { clickWhenReady } from './lib/scenario.mjs';
import { logger, pollUntil } from './lib/util.mjs';

const log = logger('chromium robustness');

describe('Unsponsor in Chromium: robustness', { timeout: 300_000 }, () => {
  const requests = new RequestLog();
  let server;
  let driver;

  before(async () => {
    requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    server = await startServer({ root: DEMO_SITE_DIR });
    log(`demo site ${DEMO_SITE_DIR} and test pages at ${server.origin}`);
    driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: requests });
  });

  after(async () => {
    await driver?.close();
    await server?.close();
  });

  test(`cleans the XHTML page ${XHTML_PAGE.path} (application/xhtml+xml) with wasm, and Undo restores it exactly`, { timeout: 60_000 }, async () => {
    await cleanAndUndoXhtmlPage(driver, { url: server.origin + XHTML_PAGE.path, expectedEngine: 'wasm', log });
  });

  test('cleans the XHTML page under a strict page CSP with the wasm2js fallback', { timeout: 60_000 }, async () => {
    await cleanAndUndoXhtmlPage(driver, { url: `${server.origin}/csp${XHTML_PAGE.path}`, expectedEngine: 'wasm2js', log });
  });

  test(`cleans the top document of ${IFRAME_PAGE.path} and leaves its same-origin iframe, ad included, untouched`, { timeout: 60_000 }, async () => {
    await cleanAndUndoWithSameOriginFrame(driver, { url: server.origin + IFRAME_PAGE.path, expectedEngine: 'outside', log });
  });

  test(`"Clean this page" on the frameset ${FRAMESET_PAGE.path} reports nothing removed, without an error, and leaves the frames alone`, { timeout: 60_000 }, async () => {
    await cleanFramesetPage(driver, { url: server.origin + FRAMESET_PAGE.path, log });
  });

  test(`cleans ${PROTOTYPES_PAGE.path}, whose scripts replace remove, appendChild, MutationObserver, push, JSON.stringify...: isolated world, no error in the page, Undo exact`, { timeout: 60_000 }, async () => {
    await cleanAndUndoHostilePrototypesPage(driver, { url: server.origin + PROTOTYPES_PAGE.path, expectedEngine: 'outside', log });
  });

  test(`ignores the commands ${FORGE_PAGE.path} forges (postMessage, custom events, sendMessage, a page unsponsorRun)`, { timeout: 60_000 }, async () => {
    // The page is given the extension's id, as a page could learn it, for chrome.runtime.sendMessage.
    await cleanAndUndoForgePage(driver, { url: `${server.origin}${FORGE_PAGE.path}?ext=${driver.extensionId}`, expectedEngine: 'outside', log });
  });

  // use_dynamic_url: the content script loads its files at the per-session dynamic URL; a page that
  // knows the extension's fixed id cannot fetch them there.
  test('a page cannot fetch the web-accessible files at their static URL; the content script loads them at the dynamic one', { timeout: 60_000 }, async () => {
    const manifest = readManifest(CHROME_EXTENSION_DIR);
    const exposed = manifest.web_accessible_resources.flatMap((entry) => entry.resources);
    assert.ok(manifest.web_accessible_resources.every((entry) => entry.use_dynamic_url === true), 'dist/chrome/manifest.json must set use_dynamic_url on every web_accessible_resources entry');
    const hasRules = buildCarriesEasylist();
    const since = requests.entries.length;
    // A page with an open shadow root is cleaned by the core in the tab (a page judged outside
    // its tab loads nothing through these URLs).
    const page = await driver.openPage(`${server.origin}/test-pages/shadow.html`);
    let popup;
    try {
      popup = await driver.openPopup(page);
      const initial = await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 10_000 });
      await clickWhenReady(popup, '#clean');
      const cleaned = await waitForPopupState(popup.evaluate, 'cleaned', { previousState: initial.state });
      assert.equal(cleaned.engine, 'wasm', 'the wasm core must have loaded through the dynamic URL');
      // The rules file loads quietly (a failure only drops the EasyList layer), so ask the content
      // script directly, through the background, what it loaded. activeTab is granted by now.
      const worker = await driver.serviceWorker();
      const answer = await worker.evaluate(({ tabId, url }) => runInTab(tabId, 'clean', url), { tabId: page.tabId, url: page.url });
      assert.ok(answer.ok, `runInTab failed: ${JSON.stringify(answer)}`);
      if (hasRules) assert.ok(answer.rules && answer.rules.generic > 0, `the EasyList rules did not load through the dynamic URL: rules = ${JSON.stringify(answer.rules)}`);
      if (hasRules) assert.equal(answer.rules.indexed, true, `the rules index did not load through the dynamic URL: rules = ${JSON.stringify(answer.rules)}`);
      log(`content script: engine ${answer.engine}, rules ${JSON.stringify(answer.rules)}`);

      // Where the content script loaded its files from: the dynamic host, never the fixed id.
      const loads = requests.entries.slice(since).filter((entry) => entry.by === 'content-script' && entry.url.startsWith('chrome-extension://'));
      const hosts = [...new Set(loads.map((entry) => new URL(entry.url).host))];
      assert.ok(loads.length >= 2, `the recorder saw too few of the content script's own file loads:\n  ${requests.format(requests.entries.slice(since))}`);
      assert.ok(!hosts.includes(driver.extensionId), `the content script loaded files at the static chrome-extension://${driver.extensionId}/:\n  ${requests.format(loads)}`);
      assert.equal(hosts.length, 1, `expected one dynamic host, got ${JSON.stringify(hosts)}`);
      const [dynamicHost] = hosts;
      log(`content script loaded ${loads.length} files from the dynamic host ${dynamicHost} (fixed id ${driver.extensionId})`);

      // The page, knowing the fixed id, tries every exposed file there. Each must fail.
      const fetchFromPage = (url) => page.evaluateMainWorld(`fetch(${JSON.stringify(url)}).then((response) => 'status ' + response.status, (error) => 'failed: ' + error.message)`);
      const staticResults = {};
      for (const file of exposed) staticResults[file] = await fetchFromPage(`chrome-extension://${driver.extensionId}/${file}`);
      const reachable = Object.entries(staticResults).filter(([, result]) => !result.startsWith('failed'));
      assert.deepEqual(reachable, [], `the page fetched extension files at their static URL: ${JSON.stringify(staticResults)}`);
      assert.ok(exposed.length >= WEB_ACCESSIBLE_FILES.length - (hasRules ? 0 : 1), `expected the content script's files to be exposed, got ${JSON.stringify(exposed)}`);
      // Control: the same fetch from the same page reaches a file at the dynamic URL, so the
      // failures above come from the URL, not from a page that cannot fetch at all.
      const control = await fetchFromPage(`chrome-extension://${dynamicHost}/${exposed[0]}`);
      assert.equal(control, 'status 200', `control: the page could not fetch ${exposed[0]} at the dynamic URL either (${control}), so the static-URL failures prove nothing`);
      log(`page fetches at the static URL: ${Object.values(staticResults).join('; ')}; at the dynamic URL: ${control}`);
    } finally {
      if (popup) await driver.closePopup(popup).catch(() => {});
      await driver.closePage(page).catch(() => {});
    }
  });

  // The first click judges a copy of the page outside the tab (extension/judge.js, in the
  // offscreen document); the core loaded in the tab must come to the same removals.
  for (const pagePath of DEMO_PAGES) {
    test(`${pagePath}: judged outside the tab, the removals are the tab core's; a second clean adds none; undo is exact`, { timeout: 60_000 }, async () => {
      const page = await driver.openPage(server.origin + pagePath);
      let popup;
      try {
        const pristine = await page.evaluate('document.documentElement.outerHTML');
        // The popup grants activeTab and tells the page's tab id.
        popup = await driver.openPopup(page);
        await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 10_000 });
        const worker = await driver.serviceWorker();
        const run = (command, extra = {}) => worker.evaluate(({ tabId, url, command, extra }) => runInTab(tabId, command, url, extra),
          { tabId: page.tabId, url: page.url, command, extra });
        const key = (removal) => `${removal.rule} | ${removal.category} | ${removal.preview}`;

        const outside = await run('clean');
        assert.ok(outside.ok, JSON.stringify(outside));
        assert.equal(outside.engine, 'outside', `the page was not judged outside: ${outside.outsideRefused}`);
        assert.ok(outside.report.total > 0, 'the demo page has blocks to remove');
        assert.ok(outside.report.removed.every((removal) => removal.reason && removal.evidence !== undefined), 'each removal says why');
        const again = await run('clean');
        assert.equal(again.report.total, outside.report.total, `a second clean removed more: ${JSON.stringify(again.report.removed.slice(outside.report.total).map(key))}`);
        const undone = await run('undo');
        assert.equal(undone.restored, outside.report.total);
        assert.equal(await page.evaluate('document.documentElement.outerHTML'), pristine, 'undo put the page back exactly');

        const inTab = await run('clean', { inTab: true });
        assert.equal(inTab.engine, 'wasm', 'the core loaded in the tab');
        assert.deepEqual(outside.report.removed.map(key).sort(), inTab.report.removed.map(key).sort());
        await run('undo');
        assert.equal(await page.evaluate('document.documentElement.outerHTML'), pristine, 'undo of the tab core put the page back exactly');
        log(`${pagePath}: ${outside.report.total} blocks, the same both ways`);
      } finally {
        if (popup) await driver.closePopup(popup).catch(() => {});
        await driver.closePage(page).catch(() => {});
      }
    });
  }

  // Late widgets on a page judged outside: a late pass copies what the page added, under its
  // ancestors, and the judge reads that alone; an added part that may hold the article makes it
  // copy the whole page (content.js, copyOfParts and mayHoldArticle).
  test('a late widget on a page judged outside: its pass copies the widget under its ancestors, not the page', { timeout: 60_000 }, async () => {
    const page = await driver.openPage(`${server.origin}/index.html`);
    let popup;
    try {
      popup = await driver.openPopup(page);
      await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 10_000 });
      const worker = await driver.serviceWorker();
      const run = (command) => worker.evaluate(({ tabId, url, command }) => runInTab(tabId, command, url), { tabId: page.tabId, url: page.url, command });
      const cleaned = await run('clean');
      assert.equal(cleaned.engine, 'outside', `the page was not judged outside: ${cleaned.outsideRefused}`);
      const late = (id, where, prose) => page.evaluate(`(() => {
        const widget = document.createElement('div');
        widget.id = ${JSON.stringify(id)};
        widget.className = 'trc_related_container';
        widget.innerHTML = '<div class="trc_rbox_header">Promoted Links by Taboola</div>'
          + '<div class="videoCube"><a href="https://trc.taboola.com/late/1">A late offer you will not believe</a></div>'
          + ${JSON.stringify(prose)};
        document.querySelector(${JSON.stringify(where)}).append(widget);
        return widget.getElementsByTagName('*').length + 1;
      })()`);
      const removed = (id) => pollUntil(() => page.evaluate(`document.getElementById(${JSON.stringify(id)}) === null`),
        { timeoutMs: 10_000, intervalMs: 50, message: `the late widget #${id} to be removed` });

      // Appended to the body: the widget alone, under <html>, <head> (empty) and <body>.
      const size = await late('late-alone', 'body', '');
      await removed('late-alone');
      const first = await run('report');
      assert.equal(first.report.late_passes, 1, JSON.stringify(first.report));
      assert.equal(first.report.last_late_pass_elements, size + 3, 'the pass copied the widget and its ancestors, no more');
      assert.ok(first.report.removed.some((removal) => removal.late && removal.preview.includes('A late offer')), JSON.stringify(first.report.removed));

      // With paragraphs of prose in it, the part might hold the article: the whole page is copied.
      const long = `<p>${'The council met on Tuesday to discuss the ferry timetable and the fares for the summer. '.repeat(6)}</p>`;
      const proseSize = await late('late-prose', 'body', long);
      await removed('late-prose');
      const second = await run('report');
      const left = await page.evaluate('document.getElementsByTagName("*").length');
      assert.equal(second.report.late_passes, 2, JSON.stringify(second.report));
      assert.equal(second.report.last_late_pass_elements, left + proseSize, 'the pass copied the whole page, the widget in it');
      const undone = await run('undo');
      assert.equal(undone.restored, second.report.total);
    } finally {
      if (popup) await driver.closePopup(popup).catch(() => {});
      await driver.closePage(page).catch(() => {});
    }
  });

  // A page's serialised text leaves open shadow roots out: such a page is judged by the core in
  // the tab, which reads inside them.
  for (const [host, query] of [['a custom element', ''], ['a <div>', '?host=div']]) test(`a widget inside an open shadow root on ${host}: the page is cleaned by the core in the tab, which removes it`, { timeout: 60_000 }, async () => {
    const page = await driver.openPage(`${server.origin}/test-pages/shadow.html${query}`);
    let popup;
    try {
      popup = await driver.openPopup(page);
      await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 10_000 });
      const worker = await driver.serviceWorker();
      const run = (command) => worker.evaluate(({ tabId, url, command }) => runInTab(tabId, command, url), { tabId: page.tabId, url: page.url, command });
      const cleaned = await run('clean');
      assert.ok(cleaned.ok, JSON.stringify(cleaned));
      assert.equal(cleaned.engine, 'wasm', `expected the core in the tab (refused outside: ${cleaned.outsideRefused})`);
      assert.match(String(cleaned.outsideRefused), /shadow/);
      // The widget goes (with its host, which held nothing else); the article stays.
      const left = await page.evaluate(`(() => {
        const host = document.getElementById('extras');
        return { widget: Boolean(host && host.isConnected && host.shadowRoot.querySelector('.trc_related_container')), article: document.querySelectorAll('article p').length };
      })()`);
      assert.deepEqual(left, { widget: false, article: 3 }, 'the widget inside the shadow root is gone, the article stays');
      assert.ok(cleaned.report.removed.some((removal) => removal.category === 'ads' && removal.preview.includes('Doctors hate this')), JSON.stringify(cleaned.report.removed));
      const undone = await run('undo');
      assert.equal(undone.restored, cleaned.report.total);
    } finally {
      if (popup) await driver.closePopup(popup).catch(() => {});
      await driver.closePage(page).catch(() => {});
    }
  });

  // The recorder must see the extension's requests before its "none" can mean anything.
  test('request recorder control: a request made on purpose by the popup and by the service worker is seen and attributed', { timeout: 30_000 }, async () => {
    const page = await driver.openPage(`${server.origin}/index.html`);
    try {
      await driver.makeControlRequests(page, server.origin);
    } finally {
      await driver.closePage(page).catch(() => {});
    }
  });

  // Runs last: it checks the requests recorded during all the tests above.
  test('the extension itself (service worker, popup, content script) requested nothing but its own files', () => {
    const report = driver.extensionRequests();
    log(`${requests.entries.length} requests recorded; ${report.byExtension.length} made by the extension (${JSON.stringify(report.counts)}): ${report.ownFiles.length} loads of its own files, ${report.controls.length} control requests, ${report.outside.length} to anything else`);
    if (report.failures.length > 0) assert.fail(`${report.failures.join('\n  ')}\nall requests:\n  ${requests.format(driver.attributedRequests())}`);
    const offsite = requests.offsite();
    if (offsite.length > 0) assert.fail(`requests left the machine:\n  ${requests.format(offsite)}`);
  });
});
