// `npm run fixture:new` (scripts/fixture-new.mjs): a real page becomes a trimmed fixture with the
// header tests/fixtures.rs reads, its source named, and a ground-truth stub that fails the fixture
// test until it is filled in.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fixtureName, fixtureText, newFixture, TODO, trimPage } from '../../scripts/fixture-new.mjs';
import { CORPUS_DIR, skipUnlessPresent } from '../lib/beside.mjs';

const PAGE = `<!doctype html><html><head><title>Talks</title><meta charset="utf-8">
<link rel="stylesheet" href="/site.css"><style>.ad { color: red }</style>
<script>window.tracker = "<div>not markup</div>";</script></head>
<body>
  <!-- a comment the core never reads -->
  <article class="story"><h1>Talks go on</h1>
    <p style="margin: 0">The minister said the talks had covered trade.</p>
    <img src="data:image/png;base64,AAAA" alt="">
    <svg viewBox="0 0 10 10"><path d="M0 0L10 10"/></svg>
  </article>
  <div id="taboola-below-article" data-widget="x"><span>Sponsored Links</span></div>
  <noscript><img src="/pixel.gif"></noscript>
</body></html>`;

test('a page is trimmed to its elements, names, attributes and text', () => {
  const trimmed = trimPage(PAGE);
  for (const gone of ['<script', 'tracker', '<style', 'color: red', '<!--', 'never reads', '<meta', '<link', 'data:image', 'style=', 'M0 0L10 10', 'pixel.gif']) {
    assert.ok(!trimmed.includes(gone), `${gone} is still in the trimmed page`);
  }
  for (const kept of ['<article class="story">', 'Talks go on', 'The minister said the talks had covered trade.', 'id="taboola-below-article"', 'data-widget="x"', 'Sponsored Links', '<svg viewBox="0 0 10 10"></svg>']) {
    assert.ok(trimmed.includes(kept), `${kept} is missing from the trimmed page`);
  }
  assert.ok(trimmed.length < PAGE.length / 1.5, 'the page did not get much smaller');
});

test('a fixture is named after its page', () => {
  assert.equal(fixtureName('https://www.example.com/news/2026/talks-go-on.html'), 'example-com-talks-go-on');
  assert.equal(fixtureName('https://example.com/'), 'example-com-home');
  assert.equal(fixtureName('/tmp/Saved Page (1).html'), 'saved-page-1');
});

test('the header names the source and holds a stub the fixture test cannot pass', () => {
  const text = fixtureText(PAGE, 'https://example.com/talks', '2026-12-07');
  const header = text.split('-->')[0];
  assert.match(header, /^<!--\nsite: https:\/\/example\.com\/talks \(saved 2026-12-07 with npm run fixture:new\)\n/);
  for (const key of ['cause:', 'gone:', 'kept:']) {
    const line = header.split('\n').find((l) => l.startsWith(key));
    assert.ok(line && line.includes(TODO), `${key} needs a stub line`);
  }
  // tests/fixtures.rs requires every gone:/kept: text to be in the page: the stub's is not.
  assert.ok(!trimPage(PAGE).includes(TODO));
});

test('fixture:new writes the fixture, and refuses to overwrite one unless asked', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-fixture-'));
  try {
    const source = path.join(dir, 'saved.html');
    fs.writeFileSync(source, PAGE);
    const file = await newFixture({ source, name: 'talks', force: false }, { dir, today: new Date('2026-12-07T10:00:00Z') });
    assert.equal(file, path.join(dir, 'talks.html'));
    const written = fs.readFileSync(file, 'utf8');
    assert.ok(written.startsWith(`<!--\nsite: ${source} (saved 2026-12-07`));
    assert.ok(written.includes('Talks go on') && !written.includes('<script'));
    await assert.rejects(newFixture({ source, name: 'talks', force: false }, { dir }), /exists already/);
    fs.writeFileSync(source, PAGE.replace('Talks go on', 'Talks end'));
    await newFixture({ source, name: 'talks', force: true }, { dir });
    assert.ok(fs.readFileSync(file, 'utf8').includes('Talks end'));
    await assert.rejects(newFixture({ source: path.join(dir, 'missing.html'), name: null, force: false }, { dir }), /neither a web address nor a file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// Trimming must not lose what a fixture's expectations are written from: on real pages, every
// keep snippet of the ground truth is still in the trimmed page's text.
test('trimming real pages keeps the article text', { skip: skipUnlessPresent(CORPUS_DIR, 'the dev corpus') }, () => {
  const squeeze = (text) => text.replace(/<[^>]*>/g, ' ').replace(/&[a-z#0-9]+;/gi, ' ').replace(/\s+/g, '');
  const cases = ['bbc-1', 'nytimes-1', 'breitbart', 'wikipedia-4'].filter((name) => fs.existsSync(path.join(CORPUS_DIR, name, 'truth.json')));
  assert.ok(cases.length >= 2, `too few of the sample pages in ${CORPUS_DIR}`);
  for (const name of cases) {
    const truth = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, name, 'truth.json'), 'utf8'));
    const html = fs.readFileSync(path.join(CORPUS_DIR, name, 'source.html'), truth.encoding === 'utf-8' || !truth.encoding ? 'utf8' : 'latin1');
    const before = squeeze(html);
    const after = squeeze(trimPage(html));
    for (const snippet of truth.keep) {
      const wanted = snippet.replace(/\s+/g, '');
      // Only snippets written the same way in the markup (no entities, no tags inside) are checked.
      if (!before.includes(wanted)) continue;
      assert.ok(after.includes(wanted), `${name}: "${snippet.slice(0, 60)}" lost by trimming`);
    }
  }
});
