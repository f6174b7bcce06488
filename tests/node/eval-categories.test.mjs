// scripts/eval/categories.mjs: the sponsored text of a corpus page, split by category (issue 18).
import assert from 'node:assert/strict';
import test from 'node:test';
import { removalByCategory, sponsoredSnippets, sumByCategory } from '../../scripts/eval/categories.mjs';

const normalize = (text) => text.replace(/\s+/g, '');

test('snippets are ads unless a category lists them, each once', () => {
  const snippets = sponsoredSnippets({
    sponsored: ['Sponsored Links', 'Try our app', 'More stories'],
    sponsoredCategories: { promos: ['Try our app'], related: ['More stories', 'Most read'] },
  }, normalize);
  assert.deepEqual(snippets, [
    { snippet: 'SponsoredLinks', category: 'ads' },
    { snippet: 'Tryourapp', category: 'promos' },
    { snippet: 'Morestories', category: 'related' },
    { snippet: 'Mostread', category: 'related' },
  ]);
});

test('an unknown category is an error, not an ad', () => {
  assert.throws(() => sponsoredSnippets({ sponsored: [], sponsoredCategories: { relatd: ['x'] } }, normalize), /unknown category "relatd"/);
});

test('a related box left on purpose counts under related, not as an ad missed', () => {
  const snippets = [
    { snippet: 'SponsoredLinks', category: 'ads' },
    { snippet: 'Adheadline', category: 'ads' },
    { snippet: 'Morestories', category: 'related' },
    { snippet: 'Hiddenbefore', category: 'ads' },
  ];
  const before = 'ArticleSponsoredLinksAdheadlineMorestories';
  const after = 'ArticleMorestories';
  const page = removalByCategory(snippets, before, after);
  assert.deepEqual(page, { ads: { visible: 2, removed: 2 }, related: { visible: 1, removed: 0 } });
  const total = sumByCategory([{ sponsored_by_category: page }, { sponsored_by_category: { ads: { visible: 2, removed: 1 } } }]);
  assert.deepEqual(total, {
    ads: { visible: 4, removed: 3, share: 0.75 },
    related: { visible: 1, removed: 0, share: 0 },
  });
});
