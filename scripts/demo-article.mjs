// Writes tests/e2e/demo-article.json (the demo article's title and paragraphs, the keep-list of
// the demo's end-to-end tests) from the mission's seed page, the visible text of the real page the
// demo reproduces: `node scripts/demo-article.mjs [SEED]` (default ../shared/mission/seed-page.txt).
// Run it when the seed page changes; tests/node/demo-article.test.mjs fails until then.
import fs from 'node:fs';
import path from 'node:path';
import { DEMO_ARTICLE_PATH, SEED_PAGE_PATH, loadArticleFromSeed } from '../tests/e2e/expectations.mjs';

const seed = path.resolve(process.argv[2] ?? SEED_PAGE_PATH);
const article = loadArticleFromSeed(seed);
const json = `${JSON.stringify({ source: 'the visible text of the page the demo reproduces (mission/seed-page.txt)', ...article }, null, 2)}\n`;
fs.writeFileSync(DEMO_ARTICLE_PATH, json);
console.log(`demo-article: ${article.paragraphs.length} paragraphs and the title from ${seed} → ${path.relative(process.cwd(), DEMO_ARTICLE_PATH)}`);
