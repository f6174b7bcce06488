// The sponsored text of a page, by category (issue 18): a corpus's truth.json lists the text to
// remove in `remove_sponsored`, counted as ads, and may sort some of it into other categories
// with `sponsored_categories` ({"promos": [...], "related": [...]}; ads, promos, related,
// comments, social). `npm run eval` reports the share removed per category, and its headline
// `sponsored_removal` counts only the categories a clean removes by default (ads and promos), so
// a related box left on purpose is not counted as an ad missed.

export const CATEGORIES = ['ads', 'promos', 'related', 'comments', 'social'];
export const DEFAULT_CATEGORIES = new Set(['ads', 'promos']);

/**
 * Sorts a page's sponsored snippets by category: returns [{ snippet, category }], each snippet
 * once (a snippet listed under a category is that category's, else an ad). `normalize` is the
 * eval's text normaliser; snippets that normalise to nothing are dropped. Throws on an unknown
 * category, so a typo in a truth file is not silently counted as an ad.
 */
export function sponsoredSnippets(truth, normalize) {
  const categoryOf = new Map();
  for (const [category, snippets] of Object.entries(truth.sponsoredCategories || {})) {
    if (!CATEGORIES.includes(category)) {
      throw new Error(`sponsored_categories: unknown category "${category}" (known: ${CATEGORIES.join(', ')})`);
    }
    if (!Array.isArray(snippets)) throw new Error(`sponsored_categories.${category} must be a list of texts`);
    for (const snippet of snippets) categoryOf.set(normalize(snippet), category);
  }
  const out = new Map();
  for (const snippet of [...truth.sponsored, ...Object.values(truth.sponsoredCategories || {}).flat()]) {
    const text = normalize(snippet);
    if (text && !out.has(text)) out.set(text, categoryOf.get(text) || 'ads');
  }
  return [...out].map(([snippet, category]) => ({ snippet, category }));
}

/**
 * Per category, how many of the snippets visible before the clean are gone after it:
 * { ads: { visible, removed }, ... } for the categories the page has.
 */
export function removalByCategory(snippets, textBefore, textAfter) {
  const counts = {};
  for (const { snippet, category } of snippets) {
    if (!textBefore.includes(snippet)) continue;
    counts[category] ??= { visible: 0, removed: 0 };
    counts[category].visible += 1;
    if (!textAfter.includes(snippet)) counts[category].removed += 1;
  }
  return counts;
}

/** Sums pages' removalByCategory into { category: { visible, removed, share } }. */
export function sumByCategory(pages) {
  const total = {};
  for (const page of pages) {
    for (const [category, { visible, removed }] of Object.entries(page.sponsored_by_category || {})) {
      total[category] ??= { visible: 0, removed: 0, share: null };
      total[category].visible += visible;
      total[category].removed += removed;
    }
  }
  for (const entry of Object.values(total)) entry.share = entry.visible === 0 ? null : entry.removed / entry.visible;
  return total;
}
