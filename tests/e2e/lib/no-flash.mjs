// Auto-clean without a flash (issue 19), shared by both browsers' reader suites: on the demo page
// of a site cleaned automatically, no vendor widget is visible in any frame from the first paint,
// and the early stylesheet that hides them (extension/early-hide.js) goes on undo, on "Never
// touch this site" and when auto-clean is switched off.
//
// The page is the demo served under /frame-probe/ (tests/e2e/server.mjs), whose first script,
// before any paint, is the frame probe (tests/e2e/pages/frame-probe.js): on every animation frame
// it notes whether a widget is visible, and where an article paragraph below the mid-article
// widget is (how far the clean moves the article: the layout shift, reported).

import assert from 'node:assert/strict';
import { FRAME_PROBE_PREFIX } from '../server.mjs';
import { describePopup, readPopup, waitForPopupState } from './popup.mjs';
import { storedSettings } from './reader.mjs';
import { pollUntil, sleep } from './util.mjs';

/** The first words of the article paragraph just below the demo's mid-article Taboola widget. */
const ANCHOR = "Lavrov's remarks come as";
/** A vendor widget of the demo page (www/index.html). */
const WIDGET = '#taboola-mid-article-thumbnails';
/** One of its headlines, as the popup's list shows it. */
const WIDGET_TEXT = 'One simple trick to get internet without a subscription';
/** Another widget of the demo page, removed whatever the reader keeps. */
const OTHER_WIDGET = '#div-gpt-ad-1700000000000-0';
const EARLY_STYLE = 'style[data-unsponsor-early-hide]';
/** Page loads probed with auto-clean on: the first with the built-in stylesheet, the next with the site's. */
const LOADS = 3;

const readProbe = async (page, command) => JSON.parse(await page.evaluate(`window.readFrameProbe(${JSON.stringify(command ?? null)})`));
const hasEarlyStyle = (page) => page.evaluate(`document.querySelector(${JSON.stringify(EARLY_STYLE)}) !== null`);

/** Loads `url` and waits for the automatic clean; returns what the probe saw until then (and stops it). */
async function loadCleaned(driver, url) {
  const page = await driver.openPage(url);
  page.expectHostAccess = true; // granted for auto-clean
  await pollUntil(() => page.evaluate(`document.querySelector(${JSON.stringify(WIDGET)}) === null`), { timeoutMs: 20_000, message: 'the page to be cleaned as it loads' });
  await sleep(300); // a few frames more after the clean
  const probe = await readProbe(page, 'stop');
  return { page, probe, earlyStyle: await hasEarlyStyle(page) };
}

async function openSettledPopup(driver, page) {
  const popup = await driver.openPopup(page);
  await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
  return popup;
}

export async function autoCleanNoFlashJourney(driver, hooks, { origin, log }) {
  const url = `${origin}${FRAME_PROBE_PREFIX}index.html?anchor=${encodeURIComponent(ANCHOR)}`;
  let page = await driver.openPage(url);
  let popup;
  try {
    popup = await openSettledPopup(driver, page);
    await popup.click('#auto-clean');
    await hooks.grantSite({ popup, page, origin });
    await driver.closePopup(popup).catch(() => {});
    popup = null;
    await driver.closePage(page);

    // Loads with auto-clean on: no frame shows a widget.
    let inDom = 0;
    for (let load = 1; load <= LOADS; load += 1) {
      const loaded = await loadCleaned(driver, url);
      page = loaded.page;
      const { probe } = loaded;
      log(`no flash, load ${load}: ${probe.frames} frames probed, a widget in the page in ${probe.framesWithWidgetInDom}, visible in ${probe.framesWithWidget}; `
        + `article paragraph moved ${JSON.stringify(probe.anchorMoves)} px; layout shift ${probe.layoutShift === null ? 'n/a (no Layout Instability API)' : probe.layoutShift.toFixed(4)}`);
      assert.ok(probe.frames > 0, 'the probe saw frames');
      assert.equal(probe.framesWithWidget, 0, `no frame shows a vendor widget (first: ${JSON.stringify(probe.firstVisible)})`);
      assert.ok(loaded.earlyStyle, 'the early stylesheet stays after the clean, for widgets that come later');
      inDom += probe.framesWithWidgetInDom;
      if (load < LOADS) await driver.closePage(page);
    }
    // The check means something only if widgets were in the page while frames were painted.
    assert.ok(inDom > 0, 'a widget was in the page in some probed frame before the clean removed it');

    // Undo: the stylesheet goes, and the widget put back is visible (the probe can see one).
    popup = await driver.openPopup(page);
    const cleaned = await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'idle' });
    assert.ok(cleaned.removals.length >= 3, `the popup lists the automatic removals: ${describePopup(cleaned)}`);
    await readProbe(page, 'restart');
    await popup.click('#undo');
    await waitForPopupState(popup.evaluate, 'undone', { previousState: 'cleaned' });
    await pollUntil(async () => !(await hasEarlyStyle(page)), { message: 'undo to take the early stylesheet away' });
    await pollUntil(async () => (await readProbe(page)).framesWithWidget > 0, { message: 'the widget put back to be visible' });
    log('undo: the early stylesheet is gone and the probe sees the widget again');
    await driver.closePopup(popup).catch(() => {});
    popup = null;
    await driver.closePage(page);

    // "Never touch this site": the page is put back and the stylesheet goes.
    ({ page } = await loadCleaned(driver, url));
    assert.ok(await hasEarlyStyle(page), 'the early stylesheet is back on the next load');
    popup = await openSettledPopup(driver, page);
    await popup.click('#never-touch');
    await waitForPopupState(popup.evaluate, 'paused', { previousState: (await readPopup(popup.evaluate)).state });
    await pollUntil(async () => !(await hasEarlyStyle(page)), { message: '"Never touch this site" to take the early stylesheet away' });
    await popup.click('#never-touch');
    await pollUntil(async () => !(await storedSettings(popup))?.neverTouch?.length, { message: 'the site to leave the never-touch list' });
    log('never touch: the early stylesheet is gone');
    await driver.closePopup(popup).catch(() => {});
    popup = null;
    await driver.closePage(page);

    // "Keep this" on the widget: the site's next pages show it, their stylesheet spares it.
    ({ page } = await loadCleaned(driver, url));
    assert.ok(await hasEarlyStyle(page), 'the early stylesheet is back once the site may be touched again');
    popup = await driver.openPopup(page);
    await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'idle' });
    const kept = await popup.evaluate(`(() => {
      const item = [...document.querySelectorAll('li.removal')].find((li) => li.textContent.includes(${JSON.stringify(WIDGET_TEXT)}));
      if (!item) return false;
      item.querySelector('.keep').click();
      return true;
    })()`);
    assert.ok(kept, 'the popup lists the widget with "Keep this"');
    await waitForPopupState(popup.evaluate, 'kept', { previousState: 'cleaned' });
    await driver.closePopup(popup).catch(() => {});
    popup = null;
    await driver.closePage(page);
    page = await driver.openPage(url);
    page.expectHostAccess = true; // granted for auto-clean
    popup = await driver.openPopup(page);
    await waitForPopupState(popup.evaluate, 'cleaned', { previousState: 'idle' });
    await driver.closePopup(popup).catch(() => {});
    popup = null;
    await pollUntil(() => page.evaluate(`(() => {
      const widget = document.querySelector(${JSON.stringify(WIDGET)});
      return Boolean(widget) && widget.getBoundingClientRect().height > 0;
    })()`), { message: 'the kept widget to show after the automatic clean' });
    assert.ok(await hasEarlyStyle(page), 'the early stylesheet stays, sparing the kept widget');
    log('Keep this: the kept widget shows on the next page, the early stylesheet spares it');

    // A page whose article carries a vendor-looking class: the clean keeps the article (a
    // guard), so the stylesheet that hid it goes and the article shows.
    const guarded = await driver.openPage(`${origin}/test-pages/guarded.html`);
    guarded.expectHostAccess = true;
    await pollUntil(() => guarded.evaluate(`(() => {
      const body = document.querySelector('.taboola-article');
      return Boolean(body) && body.getBoundingClientRect().height > 0;
    })()`), { timeoutMs: 20_000, message: 'the article hidden by the early stylesheet to show once the clean kept it' });
    assert.equal(await hasEarlyStyle(guarded), false, 'the stylesheet that hid a kept block is gone');
    log('guard: the article with a vendor-looking class shows, the early stylesheet is gone');
    await driver.closePage(guarded);
    page = await driver.openPage(url);
    page.expectHostAccess = true;

    // Auto-clean switched off: the stylesheet goes.
    popup = await openSettledPopup(driver, page);
    await popup.click('#auto-clean');
    await pollUntil(async () => (await storedSettings(popup)).autoClean.length === 0, { message: 'the site to leave the auto-clean list' });
    await pollUntil(async () => !(await hasEarlyStyle(page)), { message: 'switching auto-clean off to take the early stylesheet away' });
    assert.equal(await page.evaluate(`document.querySelector(${JSON.stringify(OTHER_WIDGET)}) === null`), true, 'the page stays cleaned');
    log('auto-clean off: the early stylesheet is gone, the page stays cleaned');
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
}
