// Undo exactness in Firefox, on a sample of the dev corpus: the Firefox counterpart of
// corpus-undo.test.mjs (scripts/check-undo.mjs, Chromium, every page).
//
//   npm run build && node --test tests/e2e/corpus-undo-firefox.test.mjs      # 15 pages, about a minute
//
// The sample is spread evenly over the sorted case list (the first case, the last, and evenly spaced
// ones between), so it is the same on every run and changes only when the corpus does. For each
// page, served the way the evaluation serves it (scripts/eval/corpus.mjs: page scripts and frame
// srcdoc stripped, from 127.0.0.1), the shipped add-on (dist/firefox, unchanged, no host permission)
// is driven like a user: toolbar button, "Clean this page", then "Undo" when something was
// removed. document.documentElement.outerHTML after must equal the one before, exactly. A page that
// did not come back is loaded again and watched without a click; if it changes by itself, it counts
// as an error ("page not static"), not as an Undo mismatch, as in check-undo.mjs.
//
// The corpus pages ask for their images, styles and fonts from their original sites. A proxy on
// 127.0.0.1 that refuses everything stands in for the network, so nothing leaves the machine
// (Firefox never proxies 127.0.0.1 itself). The test also checks that none of those requests, nor
// any other, came from the extension.
//
// Environment: UNSPONSOR_CORPUS (default <repo>/../shared/corpus/dev; skipped when absent),
// UNSPONSOR_FIREFOX_SAMPLE (pages in the sample, default 15; "all" for every page),
// UNSPONSOR_DIST, FIREFOX, GECKODRIVER as for firefox.test.mjs.

import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listCases, startCorpusServer } from '../../scripts/eval/corpus.mjs';
import { FIREFOX_EXTENSION_DIR, REPO_ROOT, findGeckodriver, requireBuilt } from './lib/config.mjs';
import { CORPUS_DIR, skipUnlessPresent } from '../lib/beside.mjs';
import { FirefoxDriver } from './lib/firefox.mjs';
import { parseCount, waitForPopupState } from './lib/popup.mjs';
import { clickWhenReady, documentHtml, waitForQuietDomInPage } from './lib/scenario.mjs';
import { callExpression, describeFirstDifference, logger, sleep } from './lib/util.mjs';

const log = logger('firefox corpus');
const SAMPLE = process.env.UNSPONSOR_FIREFOX_SAMPLE ?? '15';
const corpusAbsent = skipUnlessPresent(CORPUS_DIR, 'the dev corpus of real pages');

/** `size` cases spread evenly over the sorted list, first and last included (all when size >= the list). */
export function evenSample(cases, size) {
  if (!(size < cases.length)) return [...cases];
  if (size <= 1) return cases.slice(0, Math.max(0, size));
  const picked = new Set();
  for (let index = 0; index < size; index += 1) picked.add(Math.round((index * (cases.length - 1)) / (size - 1)));
  return [...picked].map((index) => cases[index]);
}

/**
 * An HTTP proxy on 127.0.0.1 that answers every request with 403 and records what was asked (the
 * request line: "GET http://host/path" or "CONNECT host:443").
 */
async function startRefusingProxy() {
  const refused = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.once('data', (chunk) => {
      refused.push(chunk.toString('latin1').split('\r\n', 1)[0]);
      socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Firefox preferences that send every request not for 127.0.0.1 to `proxyPort`. */
function proxyPreferences(proxyPort) {
  return {
    'network.proxy.type': 1,
    'network.proxy.http': '127.0.0.1',
    'network.proxy.http_port': proxyPort,
    'network.proxy.ssl': '127.0.0.1',
    'network.proxy.ssl_port': proxyPort,
    'network.proxy.share_proxy_settings': true,
    'network.proxy.no_proxies_on': '',
    'network.proxy.allow_hijacking_localhost': false, // 127.0.0.1 (the corpus server) goes direct
  };
}

/** Clean + Undo on one corpus page through the toolbar button and the popup. */
async function checkPage(driver, url) {
  const result = { removed: null, restored: null, equal: null, difference: null, error: null, seconds: null };
  const started = Date.now();
  let page;
  try {
    page = await driver.openPage(url);
    await page.evaluate(callExpression(waitForQuietDomInPage, 300, 5_000));
    const before = await documentHtml(page);
    const popup = await driver.openPopup(page);
    const initial = await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 15_000 });
    await clickWhenReady(popup, '#clean');
    const cleaned = await waitForPopupState(popup.evaluate, 'cleaned', { previousState: initial.state, timeoutMs: 30_000 });
    result.removed = parseCount(cleaned.totalText);
    if (result.removed > 0) {
      await clickWhenReady(popup, '#undo');
      const undone = await waitForPopupState(popup.evaluate, 'undone', { previousState: 'cleaned', timeoutMs: 30_000 });
      result.restored = parseCount(undone.message); // "Put back N blocks. ..."
    } else {
      result.restored = 0;
    }
    const afterUndo = await documentHtml(page);
    result.difference = describeFirstDifference(before, afterUndo, 120);
    result.equal = result.difference === null;
    if (result.restored !== result.removed) result.error = `removed ${result.removed} but put back ${result.restored}`;
  } catch (error) {
    result.error = String((error && error.message) || error).split('\n')[0];
  } finally {
    await driver.closePopup().catch(() => {});
    if (page) await driver.closePage(page).catch(() => {});
    result.seconds = (Date.now() - started) / 1000;
  }
  return result;
}

/** The control for a page that did not come back: does it change by itself, without the extension? */
async function changesByItself(driver, url, waitMs) {
  const page = await driver.openPage(url);
  try {
    const first = await documentHtml(page);
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await sleep(100);
      const now = await documentHtml(page);
      if (now !== first) return describeFirstDifference(first, now, 80);
    }
    return null;
  } finally {
    await driver.closePage(page).catch(() => {});
  }
}

describe(`Undo in Firefox on a sample of the dev corpus (${path.relative(REPO_ROOT, CORPUS_DIR)})`, { timeout: 1_800_000 }, () => {
  let server;
  let proxy;
  let driver;
  let cases = [];
  const results = [];

  before(async () => {
    if (corpusAbsent) return;
    requireBuilt(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'));
    const geckodriverBinary = findGeckodriver();
    if (!geckodriverBinary) throw new Error('geckodriver not found: set GECKODRIVER, put it on PATH, or `cargo install geckodriver`');
    const all = listCases(CORPUS_DIR);
    cases = SAMPLE === 'all' ? all : evenSample(all, Number(SAMPLE));
    assert.ok(cases.length > 0, `UNSPONSOR_FIREFOX_SAMPLE=${SAMPLE} selects no page`);
    server = await startCorpusServer(CORPUS_DIR);
    proxy = await startRefusingProxy();
    driver = await FirefoxDriver.launch({ extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log, preferences: proxyPreferences(proxy.port) });
    log(`${cases.length} of ${all.length} pages: ${cases.join(', ')}`);
  });

  after(async () => {
    await driver?.close();
    await server?.close();
    await proxy?.close();
  });

  test(
    'Undo restores outerHTML exactly on every sampled page',
    { timeout: 1_500_000, skip: corpusAbsent },
    async () => {
      const started = Date.now();
      for (const name of cases) {
        const url = server.urlOf(name);
        const result = { case: name, ...(await checkPage(driver, url)) };
        if (!result.error && !result.equal) {
          const changed = await changesByItself(driver, url, Math.max(1_000, 2 * result.seconds * 1_000)).catch((error) => ({ controlFailed: error.message }));
          if (changed?.controlFailed) result.error = `undo mismatch, and the control run failed: ${changed.controlFailed}`;
          else if (changed) result.error = `page not static: without the extension it changed by itself, so its undo mismatch proves nothing:\n${changed}`;
        }
        results.push(result);
        const head = name.padEnd(44);
        const counts = `removed ${String(result.removed).padStart(3)}, restored ${String(result.restored).padStart(3)}`;
        if (result.error) log(`${head} ERROR ${result.error}`);
        else if (!result.equal) log(`${head} ${counts}  MISMATCH\n${result.difference}`);
        else log(`${head} ${counts}  equal (${result.seconds.toFixed(1)} s)`);
      }
      const mismatches = results.filter((result) => !result.error && !result.equal);
      const errors = results.filter((result) => result.error);
      const removed = results.reduce((total, result) => total + (result.removed ?? 0), 0);
      const summary = `${results.length} pages, ${mismatches.length} undo mismatches, ${errors.length} errors (${removed} blocks removed and put back; ${((Date.now() - started) / 1000).toFixed(0)} s; ${proxy.refused.length} requests for other hosts refused by the test proxy)`;
      console.log(summary);
      assert.ok(results.length > 0, 'no page was checked');
      assert.ok(removed > 0, `the sample removed nothing at all, so Undo was never exercised: ${summary}`);
      const lines = [...mismatches, ...errors].map((result) => `${result.case}: ${result.error ?? `MISMATCH\n${result.difference}`}`);
      assert.equal(lines.length, 0, `${summary}\n${lines.join('\n')}`);
    },
  );

  test('the extension made no network request while cleaning the corpus pages', { skip: corpusAbsent }, async () => {
    assert.ok(results.length > 0, 'the corpus run did not happen');
    const report = await driver.extensionRequests({ mustSee: [] });
    log(`${report.byExtension.length} requests made by the extension (${JSON.stringify(report.counts)}) over ${results.length} corpus pages`);
    if (report.failures.length > 0) assert.fail(report.failures.join('\n  '));
  });
});
