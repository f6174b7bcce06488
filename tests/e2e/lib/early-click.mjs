// What the early-click suites of both browsers share (early-clicks-chrome.test.mjs,
// early-clicks-firefox.test.mjs): the script put into the popup before its own, the buttons and
// what each must do, and the clicks' schedule. Only how a browser is driven differs.

/** Clicks per button and delay (the issue asks for 20). */
export const REPEATS = Number(process.env.EARLY_CLICK_REPEATS ?? 20);
/** When each click lands after its button first shows, in ms. */
export const DELAYS_MS = [0, 10, 50];
/** Longer than the popup waits for the page's report on opening (REPORT_WAIT_MS in popup.js). */
export const HOLD_MS = 400;
/** A text of the demo's Taboola widget: gone after a clean, back after an undo. */
export const AD_TEXT = 'by Taboola';

/** The popup's page buttons and the state each click must end in. */
export const BUTTON_STATES = Object.freeze({ clean: 'cleaned', preview: 'previewed', undo: 'undone', pick: 'picking' });

/**
 * The source of a script that runs in the popup before its own scripts: it clicks `#id` `delay`
 * ms after the button first exists and is shown, and records when (window.__earlyClick). A
 * synthetic click goes through the same listener as a reader's.
 */
export function earlyClickScript(id, delay) {
  return `(() => {
    const state = (window.__earlyClick = { id: ${JSON.stringify(id)}, delay: ${delay}, shownAt: null, clickedAt: null });
    const shown = () => { const b = document.getElementById(state.id); return b && !b.hidden && b.getClientRects().length > 0 ? b : null; };
    const fire = (button) => { state.clickedAt = performance.now(); button.click(); };
    const check = () => {
      const button = shown();
      if (!button) return false;
      state.shownAt = performance.now();
      if (state.delay === 0) fire(button); else setTimeout(() => fire(shown() || button), state.delay);
      return true;
    };
    if (check()) return;
    const observer = new MutationObserver(() => { if (check()) observer.disconnect(); });
    observer.observe(document, { childList: true, subtree: true, attributes: true });
  })();`;
}

/** Runs IN THE PAGE: whether the demo's Taboola widget is shown. */
export function adVisibleInPage(text) {
  return document.body.innerText.includes(text);
}

/** Runs IN THE PAGE: whether the extension's page overlay (preview outlines, the picker) is there. */
export function overlayShownInPage() {
  return document.querySelector('unsponsor-ui[data-unsponsor-ui]') !== null;
}
