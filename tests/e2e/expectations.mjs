// What "clean" means for the demo pages, from a reader's point of view: which texts must still be
// visible after "Clean this page", which must be gone, and how "visible text" is measured.
//
// The keep-list is the article of the real aggregator page the demo reproduces: its title line
// plus its paragraphs, as found in the visible text of that page (the mission's seed page,
// ../shared/mission/seed-page.txt beside the repository): the lines before the first "by Taboola",
// and the paragraphs after the first "Undo" (the end of the Taboola block) up to "Hashtags". It is
// kept in the repository as demo-article.json, so the tests need nothing outside it;
// `node scripts/demo-article.mjs` writes that file again from the seed page, and
// tests/node/demo-article.test.mjs checks that the file matches the seed (where the seed is
// present) and that every text it lists is on the demo pages.

import fs from 'node:fs';
import { SEED_PAGE_PATH } from '../lib/beside.mjs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export { SEED_PAGE_PATH };
/** The demo article's title and paragraphs, as taken from the seed page (see above). */
export const DEMO_ARTICLE_PATH = path.join(REPO_ROOT, 'tests', 'e2e', 'demo-article.json');

/** Sponsored, promoted and ad-break texts that no reader should see after a clean. */
export const MUST_BE_GONE = Object.freeze([
  'by Taboola',
  'Sponsored Links',
  'Promoted Links',
  'You May Like',
  'An engineer reveals',
  'Techno Mag',
  'Learn More',
  'Undo',
  'STORY CONTINUES BELOW THIS AD',
  'Try Our AI Features',
  'Explore what Daily8 AI can do for you',
  'Free P2,000 GCash eGift',
  'UnionBank Credit Card',
  'Apply Now',
]);

/**
 * Look-alikes that are not ads and must survive: a sentence of news text that contains the word
 * "sponsored", and the page's own related-articles and comments sections.
 */
export const MUST_STAY_LOOKALIKES = Object.freeze([
  'sponsored by Graham and Blumenthal',
  'Related Articles',
  'No comments yet',
]);

// The same normal form as the evaluation (one definition, in scripts/lib/visible-text.mjs):
// NFC, invisible characters deleted, all whitespace deleted, case kept ("Undo" is not "undo").
export { normalizeText } from '../../scripts/lib/visible-text.mjs';
import { normalizeText } from '../../scripts/lib/visible-text.mjs';

/**
 * Parses the seed page into the article's title and paragraphs (the keep-list).
 * Throws with a clear message when the file is missing or no longer has the expected landmarks,
 * so a changed seed cannot silently shrink the keep-list to nothing.
 */
export function loadArticleFromSeed(seedPath = SEED_PAGE_PATH) {
  if (!fs.existsSync(seedPath)) {
    throw new Error(`Seed page not found at ${seedPath}; the keep-list is read from it.`);
  }
  const lines = fs
    .readFileSync(seedPath, 'utf8')
    .split(/\r?\n/)
    .map((line) => line.trim());
  const firstTaboola = lines.indexOf('by Taboola');
  const firstUndo = lines.indexOf('Undo');
  const hashtags = lines.indexOf('Hashtags');
  if (firstTaboola < 0 || firstUndo < firstTaboola || hashtags < firstUndo) {
    throw new Error(`Seed page ${seedPath} lacks the "by Taboola" ... "Undo" ... "Hashtags" landmarks`);
  }
  const nonEmpty = (list) => list.filter((line) => line.length > 0);
  const [title, ...openingParagraphs] = nonEmpty(lines.slice(0, firstTaboola));
  const closingParagraphs = nonEmpty(lines.slice(firstUndo + 1, hashtags));
  const paragraphs = [...openingParagraphs, ...closingParagraphs];
  if (!title || openingParagraphs.length === 0 || closingParagraphs.length === 0) {
    throw new Error(`Seed page ${seedPath}: could not find the article title and paragraphs`);
  }
  return { title, paragraphs };
}

/**
 * The demo article as committed (demo-article.json). Throws when the file is missing or has lost
 * its paragraphs, so an edited file cannot silently shrink the keep-list to nothing.
 */
export function loadDemoArticle(file = DEMO_ARTICLE_PATH) {
  const { title, paragraphs } = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof title !== 'string' || !title || !Array.isArray(paragraphs) || paragraphs.length < 8
      || !paragraphs.every((paragraph) => typeof paragraph === 'string' && paragraph.length > 0)) {
    throw new Error(`${file}: expected a title and at least 8 paragraphs (write it again with node scripts/demo-article.mjs)`);
  }
  return { title, paragraphs };
}

/** Everything that must be visible after a clean: article title, paragraphs and look-alikes. */
export function keepList(file = DEMO_ARTICLE_PATH) {
  const { title, paragraphs } = loadDemoArticle(file);
  return [title, ...paragraphs, ...MUST_STAY_LOOKALIKES];
}

/** Shortens a snippet for assertion messages. */
function quote(snippet, max = 90) {
  return JSON.stringify(snippet.length > max ? snippet.slice(0, max - 1) + '…' : snippet);
}

/**
 * Compares the visible text of a cleaned page with the expectations.
 * Returns a list of human-readable failures (empty when the page is clean).
 */
export function cleanPageFailures(visibleText, { keep = keepList(), gone = MUST_BE_GONE } = {}) {
  const haystack = normalizeText(visibleText);
  const failures = [];
  for (const snippet of keep) {
    if (!haystack.includes(normalizeText(snippet))) failures.push(`missing, should still be visible: ${quote(snippet)}`);
  }
  for (const snippet of gone) {
    if (haystack.includes(normalizeText(snippet))) failures.push(`still visible, should be removed: ${quote(snippet)}`);
  }
  return failures;
}

/**
 * Sanity check BEFORE cleaning: the page must show every text the clean is expected to remove,
 * and every text it must keep. Otherwise a page that never had the ads would pass the test.
 * Returns a list of failures (empty when the page is a valid starting point).
 */
export function uncleanedPageFailures(visibleText, { keep = keepList(), gone = MUST_BE_GONE } = {}) {
  const haystack = normalizeText(visibleText);
  const failures = [];
  for (const snippet of gone) {
    if (!haystack.includes(normalizeText(snippet))) failures.push(`before cleaning, expected sponsored text is not visible: ${quote(snippet)}`);
  }
  for (const snippet of keep) {
    if (!haystack.includes(normalizeText(snippet))) failures.push(`before cleaning, expected article text is not visible: ${quote(snippet)}`);
  }
  return failures;
}

/**
 * Runs IN THE PAGE (serialised with Function.prototype.toString, so it must be self-contained).
 * Returns the text a reader can see: every text node under <body> (and open shadow roots) that is
 * rendered, skipping the demo's and the extension's own UI (`[data-unsponsor-ui]`).
 *
 * A text node counts as rendered when its element passes checkVisibility() (display, content-
 * visibility, visibility and opacity) and the text itself occupies a non-empty box on the page.
 * Removing a block or merely hiding it both make its text invisible; both count as "gone".
 */
export function collectVisibleTextInPage() {
  const SKIPPED_TAGS = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'TEXTAREA']);
  const visibilityOptions = {
    contentVisibilityAuto: true,
    opacityProperty: true,
    visibilityProperty: true,
    checkOpacity: true, // older spellings of the two options above
    checkVisibilityCSS: true,
  };
  const range = document.createRange();
  const parts = [];

  const isRendered = (textNode) => {
    const element = textNode.parentElement;
    if (!element || SKIPPED_TAGS.has(element.tagName)) return false;
    if (!element.checkVisibility(visibilityOptions)) return false;
    range.selectNodeContents(textNode);
    for (const rect of range.getClientRects()) if (rect.width > 0 && rect.height > 0) return true;
    return false;
  };

  const walk = (root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT, {
      acceptNode: (node) =>
        node.nodeType === Node.ELEMENT_NODE && node.matches('[data-unsponsor-ui]')
          ? NodeFilter.FILTER_REJECT // skips the whole UI subtree
          : NodeFilter.FILTER_ACCEPT,
    });
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.nodeType === Node.TEXT_NODE) {
        if (node.data.trim() && isRendered(node)) parts.push(node.data);
      } else if (node.shadowRoot) {
        walk(node.shadowRoot);
      }
    }
  };
  if (document.body) walk(document.body);
  return parts.join('\n');
}

// ---- The hostile page (tests/e2e/pages/hostile.html) ----

export const HOSTILE_PAGE_FILE = path.join(REPO_ROOT, 'tests', 'e2e', 'pages', 'hostile.html');

/**
 * Sponsored item texts on the hostile page that look like markup. They are HTML-escaped in the
 * page source, so the browser shows them as text; they must reach the popup as text too.
 */
export const HOSTILE_PAYLOADS = Object.freeze({
  img: '<img src=x onerror="window.__pwned=1">',
  script: '</script><script>window.__pwned=2</script>',
  svg: `<svg onload="window.__pwned=3;alert('pwned')">`,
});

/** Decodes the few entities the hostile page uses (it is our own file). */
function decodeEntities(html) {
  return html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&middot;/g, '\u00b7')
    .replace(/&amp;/g, '&');
}

/**
 * What the hostile page must show before and after a clean. The keep-list (title and article
 * paragraphs, one of them with markup-like text of its own) is read from the page itself, so the
 * two cannot drift apart; the must-go list is the widgets' text.
 */
export function hostilePageExpectations(file = HOSTILE_PAGE_FILE) {
  const html = fs.readFileSync(file, 'utf8');
  const title = /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1];
  const paragraphs = [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((match) => decodeEntities(match[1]));
  if (!title || paragraphs.length < 5) throw new Error(`${file}: expected an <h1> and at least 5 plain <p> paragraphs`);
  if (!paragraphs.some((paragraph) => paragraph.includes('<tide-barrier-final>'))) {
    throw new Error(`${file}: the article should keep a paragraph with markup-like text (<tide-barrier-final>)`);
  }
  return {
    keep: [decodeEntities(title), ...paragraphs],
    gone: ['You May Like', 'Sponsored Links', 'by Taboola', 'Offers Weekly', 'Home Comforts', 'Gadget Deals', ...Object.values(HOSTILE_PAYLOADS)],
  };
}

// ---- The robustness pages (tests/e2e/pages/*.html, *.xhtml; see lib/robustness.mjs) ----

export const TEST_PAGES_DIR = path.join(REPO_ROOT, 'tests', 'e2e', 'pages');

/**
 * The article of one of our own test pages, read from the page file itself so the two cannot
 * drift apart: its <h1> and every plain <p> (no attributes). Throws when the file has fewer than
 * `minParagraphs`, so an edited page cannot shrink the keep-list to nothing.
 */
export function articleOfTestPage(file, { minParagraphs = 4 } = {}) {
  const html = fs.readFileSync(path.resolve(TEST_PAGES_DIR, file), 'utf8');
  const title = /<h1\b[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1];
  const paragraphs = [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)].map((match) => decodeEntities(match[1]));
  if (!title || paragraphs.length < minParagraphs) throw new Error(`${file}: expected an <h1> and at least ${minParagraphs} plain <p> paragraphs`);
  return [decodeEntities(title), ...paragraphs];
}
