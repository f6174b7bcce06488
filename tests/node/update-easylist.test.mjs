// Tests for scripts/update-easylist.mjs: a full EasyList file → the two files of the repository's
// copy (third_party/easylist/), and what a damaged download must not do.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { compileRules } from '../../scripts/compile-rules.mjs';
import { COSMETIC_SECTIONS, EASYLIST_DIR, copyVersion, extractEasylist } from '../../scripts/update-easylist.mjs';

/** A small EasyList with every kind of section: hiding, network and allowlist rules. */
function sampleList({ version = '202612010000', drop = null } = {}) {
  const sections = {
    'template_header.txt': ['! Homepage: https://easylist.to/'],
    'easylist/easylist_general_block.txt': ['&ad_box_', '/banner/ads/*'],
    'easylist/easylist_general_hide.txt': ['##.ad-box', '###sponsored-rail', '##[data-taboola-options]'],
    'easylist/easylist_allowlist_general_hide.txt': ['example.org#@#.ad-box'],
    'easylist/easylist_adservers.txt': ['||ads.example^$third-party'],
    'easylist/easylist_specific_hide.txt': ['news.example##.promo-strip', 'shop.example#?#.card:-abp-has(.sponsored)'],
    'easylist/easylist_specific_hide_abp.txt': ['video.example#?#div:-abp-contains(Sponsored)'],
    'easylist_adult/adult_specific_hide.txt': ['adult.example##.banner'],
    'easylist/easylist_allowlist.txt': ['@@||jetzt.de^$generichide', '@@||cdn.example^$script,domain=a.example', '@@://localhost:$generichide'],
  };
  const lines = ['[Adblock Plus 2.0]'];
  if (version) lines.push(`! Version: ${version}`);
  lines.push('! Title: EasyList', '! Last modified: 1 Dec 2026 00:00 UTC', '! Commit: 0123456789abcdef');
  for (const [name, rules] of Object.entries(sections)) {
    if (name === drop) continue;
    lines.push(`! *** easylist:${name} ***`, '! a comment', '', ...rules);
  }
  return `${lines.join('\n')}\n`;
}

const rulesOf = (text) => text.split('\n').filter((line) => line && !line.startsWith('!') && !line.startsWith('['));

test('keeps the element-hiding lines of the hiding sections, in order, and every $generichide rule', () => {
  const extracted = extractEasylist(sampleList(), 'sample');
  assert.equal(extracted.version, '202612010000');
  assert.deepEqual(rulesOf(extracted.cosmetic), [
    '##.ad-box', '###sponsored-rail', '##[data-taboola-options]',
    'example.org#@#.ad-box',
    'news.example##.promo-strip', 'shop.example#?#.card:-abp-has(.sponsored)',
    'video.example#?#div:-abp-contains(Sponsored)',
    'adult.example##.banner',
  ]);
  assert.deepEqual(rulesOf(extracted.generichide), ['@@||jetzt.de^$generichide', '@@://localhost:$generichide']);
  assert.deepEqual(extracted.counts, { cosmetic: 8, generichide: 2 });
  assert.match(extracted.cosmetic, /^! Derived from: EasyList Version 202612010000, Last modified 1 Dec 2026 00:00 UTC,$/m);
  assert.match(extracted.cosmetic, /^!   taken from sample by scripts\/update-easylist\.mjs$/m);
});

test('what it writes is what the build compiles, with the version carried over', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'update-easylist-'));
  try {
    const extracted = extractEasylist(sampleList());
    fs.writeFileSync(path.join(dir, 'easylist-cosmetic.txt'), extracted.cosmetic);
    fs.writeFileSync(path.join(dir, 'easylist-generichide.txt'), extracted.generichide);
    assert.equal(copyVersion(dir), '202612010000');
    const compiled = compileRules(dir);
    assert.ok(compiled.text.split('\n')[1].endsWith('Version: 202612010000'));
    assert.ok(compiled.text.includes('\ncad-box\n'), 'the generic class rule is compiled');
    assert.ok(compiled.text.includes('\nhjetzt.de\n'), 'the generichide rule is compiled');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('refuses a file that is not EasyList: no version, or a hiding section missing', () => {
  assert.throws(() => extractEasylist(sampleList({ version: null })), /no "! Version:" line/);
  assert.throws(() => extractEasylist('<!doctype html><title>502 Bad Gateway</title>'), /not an EasyList file/);
  for (const section of COSMETIC_SECTIONS) {
    assert.throws(() => extractEasylist(sampleList({ drop: section })), new RegExp(`section ${section.replace(/[./]/g, '\\$&')} has no`));
  }
});

test('the repository\'s copy is complete: every section, and the version in both files', () => {
  const cosmetic = fs.readFileSync(path.join(EASYLIST_DIR, 'easylist-cosmetic.txt'), 'utf8');
  const generichide = fs.readFileSync(path.join(EASYLIST_DIR, 'easylist-generichide.txt'), 'utf8');
  const version = copyVersion();
  assert.match(String(version), /^\d{12}$/);
  for (const section of COSMETIC_SECTIONS) {
    const count = new RegExp(`^! \\*\\*\\* easylist:${section.replace(/[./]/g, '\\$&')} \\((\\d+) rules\\) \\*\\*\\*$`, 'm').exec(cosmetic);
    assert.ok(count && Number(count[1]) > 0, `the copy has the section ${section}`);
  }
  assert.ok(rulesOf(cosmetic).length > 20_000, `${rulesOf(cosmetic).length} element-hiding rules`);
  assert.ok(generichide.startsWith(`! EasyList (Version ${version})`), 'the generichide file names the same version');
  assert.ok(fs.existsSync(path.join(EASYLIST_DIR, 'LICENSE.md')), 'the licence terms are beside the copy');
});
