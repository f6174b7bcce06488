// scripts/corpus-assemble.mjs: a corpus made from truth files that name where each page lies
// (repository, commit, path, sha256), with the page read at that commit and checked.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import zlib from 'node:zlib';
import { assemble, localGitDir, rawUrl, truthProblems } from '../../scripts/corpus-assemble.mjs';

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');
const git = (cwd, ...args) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd }).toString().trim();

test('pages are read at their commit from a local clone, checked, and written beside their truth', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-assemble-'));
  try {
    const clone = path.join(dir, 'clones', 'owner+pages');
    fs.mkdirSync(clone, { recursive: true });
    git(clone, 'init', '-q');
    const page = Buffer.from('<html><body><h1>A story</h1><p>Sponsored Links</p></body></html>');
    fs.mkdirSync(path.join(clone, 'data'));
    fs.writeFileSync(path.join(clone, 'data', 'a.html'), page);
    fs.writeFileSync(path.join(clone, 'data', 'b.html.gz'), zlib.gzipSync(page));
    git(clone, 'add', '.');
    git(clone, 'commit', '-q', '-m', 'pages');
    const commit = git(clone, 'rev-parse', 'HEAD');
    // A later commit changes the page: the truth's commit is what is read.
    fs.writeFileSync(path.join(clone, 'data', 'a.html'), 'changed');
    git(clone, 'commit', '-q', '-am', 'changed');

    const truth = (file, gzip, hash = sha256(page)) => ({
      keep: ['A story'], remove_sponsored: ['Sponsored Links'], widget_selectors: {},
      source: { repo: 'owner/pages', commit, path: file, licence: 'test', sha256: hash, gzip },
    });
    const corpus = path.join(dir, 'truth');
    for (const [name, value] of [['plain', truth('data/a.html', false)], ['gzipped', truth('data/b.html.gz', true)], ['wrong', truth('data/a.html', false, 'f'.repeat(64))]]) {
      fs.mkdirSync(path.join(corpus, name), { recursive: true });
      fs.writeFileSync(path.join(corpus, name, 'truth.json'), JSON.stringify(value));
    }
    const out = path.join(dir, 'out');
    const result = await assemble({ corpus, out, fromGit: path.join(dir, 'clones') });
    assert.equal(result.cases, 3);
    assert.equal(result.fetched, 2);
    assert.deepEqual(result.errors.map((error) => error.split(':')[0]), ['wrong']);
    assert.deepEqual(fs.readFileSync(path.join(out, 'plain', 'source.html')), page);
    assert.deepEqual(fs.readFileSync(path.join(out, 'gzipped', 'source.html')), page);
    assert.ok(fs.existsSync(path.join(out, 'plain', 'truth.json')));
    assert.ok(!fs.existsSync(path.join(out, 'wrong', 'source.html')));
    // A second run fetches nothing it already has.
    assert.equal((await assemble({ corpus, out, fromGit: path.join(dir, 'clones') })).fetched, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the checks catch a truth file without its source', () => {
  const problems = truthProblems({ keep: ['a'], remove_sponsored: [], widget_selectors: {}, source: { repo: 'x', commit: 'abc' } });
  assert.ok(problems.includes('source.sha256 is missing'), problems.join('; '));
  assert.ok(problems.includes('remove_sponsored is empty'));
  assert.ok(problems.some((problem) => problem.includes('not owner/name')));
  assert.ok(problems.includes('source.commit is not a full commit id'));
});

test('GitHub serves a file at a commit, a clone is found under its owner+name', () => {
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
