// Auto-clean without a flash. On a site the reader cleans automatically, background.js
// (syncAutoClean) registers this file for document_start, after messages.js and early-rules.js
// (written by the build from the core: src/core/early.rs). Before the page's first paint it puts
// a stylesheet into the page that hides what is certain from markup alone: vendor containers and
// ad slots. The stylesheet kept by the last automatic clean of this site (with the site's
// EasyList `##` rules and the reader's own rules) replaces it as soon as storage answers.
//
// The clean at document_idle (content.js + autoclean.js) then removes those blocks with their
// reasons and undo, and content.js takes the stylesheet away on undo, on "Never touch this site",
// when auto-clean is switched off, and when the clean kept a block that the stylesheet hides.
(() => {
  const api = globalThis.browser ?? globalThis.chrome;
  const names = globalThis.UnsponsorEarlyHide; // messages.js
  const built = globalThis.UnsponsorEarlyRules; // early-rules.js
  if (!names || !built || globalThis.unsponsorEarlyStyle) return;

  const style = document.createElement('style');
  style.setAttribute(built.uiAttribute, ''); // the extension's own: the core never touches it
  style.setAttribute(names.STYLE_ATTRIBUTE, '');
  style.textContent = built.stylesheet;
  // content.js finds it here (the isolated world's global: the page cannot swap it).
  globalThis.unsponsorEarlyStyle = style;

  const insert = () => document.documentElement.append(style);
  if (!document.documentElement) {
    // Not yet an element to hold it: wait for the first (still before any paint).
    const waiting = new MutationObserver(() => {
      if (document.documentElement) {
        waiting.disconnect();
        insert();
      }
    });
    waiting.observe(document, { childList: true });
  } else {
    insert();
  }

  api.storage.local.get(names.CACHE_KEY).then((stored) => {
    const kept = stored && stored[names.CACHE_KEY];
    const css = kept && typeof kept === 'object' ? kept[location.hostname] : undefined;
    if (typeof css === 'string' && globalThis.unsponsorEarlyStyle === style) style.textContent = css;
  }).catch(() => {
    // Without the site's stylesheet the built-in one stays: still no vendor widget flashes.
  });
})();
