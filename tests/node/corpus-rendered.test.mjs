// tests/corpus/rendered: our ground truth for 40 real pages with rendered sponsored blocks (issue 18),
// and scripts/corpus-assemble.mjs, which fetches the pages themselves (third-party test data,
// never committed) at the commit each truth.json names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { localGitDir, rawUrl, truthProblems } from '../../scripts/corpus-assemble.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const corpus = path.join(root, 'tests', 'corpus', 'rendered');
const cases = fs.readdirSync(corpus, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);

test('every page has complete truth and a named source, and no page is committed', () => {
  assert.ok(cases.length >= 40, `${cases.length} pages`);
  const sites = new Set();
  for (const name of cases) {
    const files = fs.readdirSync(path.join(corpus, name));
    assert.deepEqual(files, ['truth.json'], `${name}: only truth.json is committed`);
    const truth = JSON.parse(fs.readFileSync(path.join(corpus, name, 'truth.json'), 'utf8'));
    assert.deepEqual(truthProblems(truth), [], name);
    sites.add(truth.site);
  }
  assert.ok(sites.size >= 25, `${sites.size} sites`);
});

test('the checks catch a truth file without its source', () => {
  const problems = truthProblems({ keep: ['a'], remove_sponsored: [], widget_selectors: {}, source: { repo: 'x', commit: 'abc' } });
  assert.ok(problems.includes('source.sha256 is missing'), problems.join('; '));
  assert.ok(problems.includes('remove_sponsored is empty'));
  assert.ok(problems.some((problem) => problem.includes('not owner/name')));
  assert.ok(problems.includes('source.commit is not a full commit id'));
});

test('pages are read at their commit, from GitHub or from a local clone', () => {
  const source = { repo: 'owner/name', commit: 'a'.repeat(40), path: 'dev/html/4377 x.html.gz' };
  assert.equal(rawUrl(source), `https://raw.githubusercontent.com/owner/name/${'a'.repeat(40)}/dev/html/4377%20x.html.gz`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-clones-'));
  try {
    fs.mkdirSync(path.join(dir, 'owner+name', 'repo', 'objects'), { recursive: true });
    assert.equal(localGitDir(dir, 'owner/name'), path.join(dir, 'owner+name', 'repo'));
    assert.equal(localGitDir(dir, 'other/name'), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
