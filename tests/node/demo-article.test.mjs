// The demo's keep-list (tests/e2e/demo-article.json) against what it is taken from: the visible
// text of the real page the demo reproduces (../shared/mission/seed-page.txt, where present), and
// the demo pages the end-to-end tests clean (www/index.html and its variants).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { SEED_PAGE_PATH, skipUnlessPresent } from '../lib/beside.mjs';
import { MUST_BE_GONE, MUST_STAY_LOOKALIKES, loadArticleFromSeed, loadDemoArticle, normalizeText } from '../e2e/expectations.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

/** The text of an HTML file, roughly as a reader sees it: no tags, scripts or styles, entities decoded. */
function textOfHtml(file) {
  const html = fs.readFileSync(file, 'utf8');
  return html
    .replace(/<(script|style|svg)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&middot;/g, '\u00b7').replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&');
}

test('the committed demo article is the seed page\'s article', { skip: skipUnlessPresent(SEED_PAGE_PATH, 'the seed page the demo reproduces') }, () => {
  assert.deepEqual(loadDemoArticle(), loadArticleFromSeed(SEED_PAGE_PATH),
    'tests/e2e/demo-article.json differs from the seed page: write it again with `node scripts/demo-article.mjs`');
});

for (const page of ['www/index.html', 'www/variants/hashed.html', 'www/variants/bare.html']) {
  test(`${page} shows every text the demo tests expect, kept and removed`, () => {
    const text = normalizeText(textOfHtml(path.join(root, page)));
    const { title, paragraphs } = loadDemoArticle();
    const expected = [title, ...paragraphs, ...MUST_STAY_LOOKALIKES, ...MUST_BE_GONE];
    const missing = expected.filter((snippet) => !text.includes(normalizeText(snippet)));
    assert.deepEqual(missing, [], `${page} lacks texts the end-to-end tests look for`);
  });
}
