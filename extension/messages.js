// The names the extension's parts use to talk to one another, in one place: the `type` of every
// runtime message (popup, options page and content script to the background, and back), and the
// commands a `run` message carries to a page, which content.js carries out. background.js,
// content.js, autoclean.js, popup.js and options.js read them from here; a test
// (tests/node/messages.test.mjs) fails when one of them spells a name out instead.
//
// Loaded before them: by importScripts in Chrome's service worker, by the manifest's background
// scripts in Firefox, by a <script> in popup.html and options.html, and as the first file of
// every injection of content.js. Injected again into a page, it keeps what it defined first.
globalThis.UnsponsorMessages ??= Object.freeze({
  /** Popup → background: run a command in a tab (`{ command, tabId, url, ... }`). */
  RUN: 'run',
  /** Popup or options page → background: switch auto-clean on or off for a site. */
  AUTO_CLEAN: 'auto-clean',
  /** Popup → background: whether a site is cleaned automatically. */
  AUTO_CLEAN_STATE: 'auto-clean-state',
  /** Content script (auto-clean) → background: the options to clean this page with. */
  AUTO_OPTIONS: 'auto-options',
  /** Content script → background: the page's report changed after the clean (late widgets). */
  LATE_REMOVAL: 'late-removal',
  /** Content script → background: the reader picked a block with the picker. */
  PICKED: 'picked',
  /** Content script → background: the picker closed. */
  PICKER_CLOSED: 'picker-closed',
  /**
   * Content script → background: judge this page (`{ html, categories, rules, early }`) outside
   * the tab (judge.js); the answer names what to take out.
   */
  JUDGE: 'judge',
  /** Background → Chrome's offscreen document (offscreen.js): the same request, with the page's address. */
  JUDGE_COPY: 'judge-copy',
});

globalThis.UnsponsorCommands ??= Object.freeze({
  REPORT: 'report',
  CLEAN: 'clean',
  /** A clean on page load, on a site cleaned automatically (autoclean.js). */
  AUTO: 'auto',
  UNDO: 'undo',
  /** Undo and clean again with the categories just changed. */
  RECATEGORIZE: 'recategorize',
  PREVIEW: 'preview',
  CLEAR_PREVIEW: 'clear-preview',
  PICK: 'pick',
  RESTORE: 'restore',
  /**
   * Background → content script only: the judge's answer for a command that handed its copy of
   * the page back (`{ ticket, answer }`, content.js "a command's copy, judged through the
   * background"); its answer is that command's.
   */
  JUDGED: 'judged',
});

// Auto-clean without a flash (extension/early-hide.js, src/core/early.rs): where the stylesheet
// that hides certain ads before the first paint is kept, and how its element is marked.
globalThis.UnsponsorEarlyHide ??= Object.freeze({
  /** storage.local: `{ [hostname]: stylesheet }`, kept by content.js after each automatic clean. */
  CACHE_KEY: 'earlyHide',
  /** The attribute of the <style> element early-hide.js puts into the page. */
  STYLE_ATTRIBUTE: 'data-unsponsor-early-hide',
});
