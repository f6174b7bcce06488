// Every failure is said (issue: "Every click lands, auto-clean shows no flash, every failure is
// said"), in Chromium, through the real toolbar button and popup:
//   - a build whose EasyList rule file is damaged, or missing, still cleans with the built-in
//     rules, and the popup says so in one line ("Filter list damaged: ...");
//   - a late pass that fails (here the content script's reader and its copy of the page are
//     broken on purpose, in its own world, after the clean) is counted, and the popup says
//     "Some late widgets could not be checked";
//   - the intact build shows neither line.
//
//   npm run build && node --test tests/e2e/failures-chrome.test.mjs
//
// The damaged and missing builds are copies of dist/chrome in a temporary folder with the rule
// file overwritten or deleted. Environment: UNSPONSOR_DIST, CHROMIUM as for chrome.test.mjs.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { CHROME_EXTENSION_DIR, DEMO_PAGES, DEMO_SITE_DIR, buildCarriesEasylist, requireBuilt } from './lib/config.mjs';
import { ChromiumDriver } from './lib/chromium.mjs';
import { RequestLog } from './lib/network.mjs';
import { describePopup, waitForPopupState } from './lib/popup.mjs';
import { callExpression, logger, pollUntil } from './lib/util.mjs';

const log = logger('chromium failures');
const RULES_FILE = path.join('rules', 'easylist.rules');

/** Runs IN THE POPUP: each problem line, with whether it is shown and its text. */
function problemsInPopup() {
  const list = document.querySelector('#problems');
  return {
    listShown: Boolean(list) && !list.hidden,
    lines: [...document.querySelectorAll('#problems [data-problem]')].map((line) => ({
      problem: line.dataset.problem,
      shown: !line.hidden && !list.hidden && line.checkVisibility(),
      text: line.textContent.trim(),
      title: line.title,
    })),
  };
}

/** The problems the popup shows, by name. */
async function shownProblems(popup) {
  const read = await popup.evaluate(callExpression(problemsInPopup));
  return { read, shown: read.lines.filter((line) => line.shown).map((line) => line.problem) };
}

/** A copy of the Chromium build with `change(dir)` applied, in a temporary folder. */
function variantOfBuild(name, change) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `unsponsor-${name}-`));
  fs.cpSync(CHROME_EXTENSION_DIR, dir, { recursive: true });
  change(dir);
  return dir;
}

/** Opens the demo page, cleans it from the popup, and returns the popup (open) and the page. */
async function cleanDemo(driver, origin) {
  const page = await driver.openPage(origin + DEMO_PAGES[0]);
  const popup = await driver.openPopup(page);
  await waitForPopupState(popup.evaluate, 'idle', { timeoutMs: 10_000 });
  await popup.click('#clean');
  // "idle" is the state from before the click: it does not count until the popup moves on.
  const settled = await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'idle' });
  log(`after the clean: ${describePopup(settled)}`);
  return { page, popup, settled };
}

describe('Every failure is said in the Chromium popup', { timeout: 300_000 }, () => {
  let server;
  const folders = [];

  before(async () => {
    requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
    assert.ok(buildCarriesEasylist(), 'these tests need a build with EasyList (not --heuristics-only)');
    server = await startServer({ root: DEMO_SITE_DIR });
  });

  after(async () => {
    await server?.close();
    for (const dir of folders) fs.rmSync(dir, { recursive: true, force: true });
  });

  const BROKEN_RULES = [
    { problem: 'rules-damaged', text: 'Filter list damaged: cleaning with built-in rules only', change: (dir) => fs.writeFileSync(path.join(dir, RULES_FILE), 'these are not the rules you are looking for\n') },
    { problem: 'rules-missing', text: 'Filter list missing: cleaning with built-in rules only', change: (dir) => fs.rmSync(path.join(dir, RULES_FILE)) },
  ];

  for (const { problem, text, change } of BROKEN_RULES) {
    test(`a build whose rule file is ${problem.replace('rules-', '')} cleans with the built-in rules and says so`, { timeout: 120_000 }, async () => {
      const dir = variantOfBuild(problem, change);
      folders.push(dir);
      const driver = await ChromiumDriver.launch({ extensionDir: dir, log, requestLog: new RequestLog() });
      try {
        const { page, popup, settled } = await cleanDemo(driver, server.origin);
        const total = Number(settled.totalText);
        assert.ok(total > 0, `the built-in rules alone removed nothing: ${describePopup(settled)}`);
        assert.equal(settled.rules, '0', 'no EasyList rule may be in use');
        // Judged outside the tab all the same: the judge finds out about its rule file by itself
        // (Chrome's offscreen document has no runtime.getManifest).
        assert.equal(settled.engine, 'outside', `the page was not judged outside its tab: ${describePopup(settled)}`);
        const { read, shown } = await shownProblems(popup);
        assert.deepEqual(shown, [problem], `the popup shows ${JSON.stringify(read)}`);
        assert.equal(read.lines.find((line) => line.problem === problem).text, text);
        // Opened again later, the popup still says it.
        await driver.closePopup(popup);
        const again = await driver.openPopup(page);
        await waitForPopupState(again.evaluate, 'cleaned', { previousState: 'idle' });
        assert.deepEqual((await shownProblems(again)).shown, [problem], 'the reopened popup forgot the problem');
        await driver.closePopup(again);
      } finally {
        await driver.close();
      }
    });
  }

  test('the intact build says nothing, and a late pass that fails is said', { timeout: 120_000 }, async () => {
    const driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: new RequestLog() });
    try {
      const { page, popup, settled } = await cleanDemo(driver, server.origin);
      assert.ok(Number(settled.rules) > 10_000, `EasyList not in use: ${describePopup(settled)}`);
      assert.deepEqual((await shownProblems(popup)).shown, [], 'the intact build must not show a problem');
      await driver.closePopup(popup);

      // Break the reader in the content script's own world (the page's world cannot reach it),
      // then let the page add a widget: the late pass that reads it fails.
      const contexts = [];
      page.cdp.on('Runtime.executionContextCreated', ({ context }) => contexts.push(context));
      await page.cdp.send('Runtime.enable');
      const ours = contexts.find((context) => context.auxData?.type === 'isolated' && String(context.origin).includes(driver.extensionId));
      assert.ok(ours, `no content script world among ${JSON.stringify(contexts.map((c) => [c.name, c.origin, c.auxData?.type]))}`);
      const inWorld = async (expression) => {
        const { exceptionDetails } = await page.cdp.send('Runtime.evaluate', { expression, contextId: ours.id });
        assert.ok(!exceptionDetails, JSON.stringify(exceptionDetails));
      };
      // A page judged outside its tab is copied with outerHTML for each late pass; a page judged
      // in the tab is read by the core's reader (getAttributeNames). Both are broken.
      await inWorld(`globalThis.__names = Element.prototype.getAttributeNames;
        Element.prototype.getAttributeNames = function () { throw new Error('reader broken on purpose'); };
        globalThis.__outer = Object.getOwnPropertyDescriptor(Element.prototype, 'outerHTML');
        Object.defineProperty(Element.prototype, 'outerHTML', { configurable: true, get() { throw new Error('copy broken on purpose'); } });`);
      await page.playwrightPage.evaluate(() => {
        const widget = document.createElement('div');
        widget.id = 'taboola-late-failure';
        widget.innerHTML = '<div>Sponsored Links</div><a href="https://trc.taboola.com/late">A late offer</a>';
        document.querySelector('article, main, body').append(widget);
      });
      const reopened = await pollUntil(async () => {
        const popupNow = await driver.openPopup(page);
        await waitForPopupState(popupNow.evaluate, 'cleaned', { previousState: 'idle' });
        const { shown, read } = await shownProblems(popupNow);
        if (shown.includes('late-errors')) return { popupNow, read };
        await driver.closePopup(popupNow);
        return false;
      }, { timeoutMs: 15_000, intervalMs: 500, message: 'the popup to say a late pass failed' });
      const line = reopened.read.lines.find((l) => l.problem === 'late-errors');
      assert.equal(line.text, 'Some late widgets could not be checked');
      assert.match(line.title, /(reader|copy) broken on purpose/);
      await driver.closePopup(reopened.popupNow);
      await inWorld(`Element.prototype.getAttributeNames = globalThis.__names;
        Object.defineProperty(Element.prototype, 'outerHTML', globalThis.__outer);`);
      await page.cdp.send('Runtime.disable');
    } finally {
      await driver.close();
    }
  });
});
