// One definition of "visible text", shared by the evaluation and the benchmark.
//
// Visible text: the data of every text node under <body> (outside script, style, noscript,
// template, head and title) whose parent element is rendered, i.e. `checkVisibility()` with
// `visibilityProperty: true` (not display:none, not in a content-visibility:hidden subtree, not
// visibility:hidden). Snippets are compared after normalising as the corpus does
// (../shared/corpus/dev/SOURCES.md): Unicode NFC, zero-width characters and soft hyphens
// deleted, all whitespace deleted, then a case-sensitive substring test.

/** Characters that are invisible on screen but would break a substring test. */
const INVISIBLE_CHARACTERS = /[\u200B\u200C\u200D\u00AD\uFEFF\u2060]/g;

export function normalizeText(text) {
  return String(text).normalize('NFC').replace(INVISIBLE_CHARACTERS, '').replace(/\s+/gu, '');
}

/**
 * Runs IN THE PAGE (pass it to page.evaluate). Returns the page's visible text, normalised.
 * Self-contained: it cannot use anything from this module's scope.
 */
export function visibleTextInPage() {
  const skipped = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'HEAD', 'TITLE']);
  const root = document.body || document.documentElement;
  if (!root) return '';
  const parts = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const visible = new Map();
  const isVisible = (element) => {
    if (visible.has(element)) return visible.get(element);
    let result = true;
    for (let current = element; current; current = current.parentElement) {
      if (skipped.has(current.tagName)) { result = false; break; }
    }
    if (result && element.checkVisibility) result = element.checkVisibility({ visibilityProperty: true });
    visible.set(element, result);
    return result;
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && isVisible(parent)) parts.push(node.data);
  }
  return parts.join('').normalize('NFC').replace(/[\u200B\u200C\u200D\u00AD\uFEFF\u2060]/g, '').replace(/\s+/gu, '');
}
