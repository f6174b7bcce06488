// Tests for scripts/compile-rules.mjs: EasyList cosmetic rules → the core's line-based rule file.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'css-what';
import {
  FORMAT_HEADER,
  MAX_SELECTOR_LENGTH,
  compileRules,
  selectorKey,
  validateSelector,
} from '../../scripts/compile-rules.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The repository's copy of EasyList (third_party/easylist/, what every build compiles). */
const REAL_DIR = path.join(root, 'third_party', 'easylist');

/** Writes the two input files to a fresh temp dir, compiles, removes the dir. */
function compile(cosmetic, generichide = '') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-rules-'));
  try {
    fs.writeFileSync(path.join(dir, 'easylist-cosmetic.txt'), cosmetic);
    fs.writeFileSync(path.join(dir, 'easylist-generichide.txt'), generichide);
    return compileRules(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Output rule lines (header and comments dropped). */
const rulesOf = (result) => result.text.split('\n').filter((l) => l !== '' && !l.startsWith('!'));
const rejectedTotal = (stats) => Object.values(stats.rejected).reduce((a, b) => a + b, 0);
const keptTotal = (stats) =>
  ['generic_class', 'generic_id', 'keyed', 'unkeyed', 'site', 'exception', 'generichide', 'generichide_url']
    .map((k) => stats[k])
    .reduce((a, b) => a + b, 0);
/** Rejection reason for one cosmetic line, or null when it was kept. */
function reasonFor(line) {
  const { stats } = compile(`${line}\n`);
  const reasons = Object.entries(stats.rejected).filter(([, n]) => n > 0);
  return reasons.length === 0 ? null : reasons.map(([r]) => r).join(',');
}

test('each output kind, in group order, with header and licence line', () => {
  const cosmetic = [
    '[Adblock Plus 2.0]',
    '! Title: test',
    '! Version: 202601020304',
    '',
    'example.com##.site-ad', // s
    'example.com#@#.cad-banner', // x with domains
    '#@#.unblock-me', // x without domains
    '[data-taboola-options]', // not a rule: no `#`
    '##[data-taboola-options]', // g
    '##div.trc_related > a', // k
    '###itaboola-below', // i
    '##.cad-banner', // c
  ].join('\n');
  const generichide = ['! EasyList (Version 1)', '@@||example.org^$generichide', '@@://10.0.0.$generichide'].join('\n');
  const result = compile(cosmetic, generichide);
  const lines = result.text.split('\n');
  assert.equal(lines[0], FORMAT_HEADER);
  assert.match(lines[1], /^!Derived from EasyList \(https:\/\/easylist\.to\/\) by The EasyList authors, licensed CC BY-SA 3\.0/);
  assert.match(lines[1], / Version: 202601020304$/);
  assert.equal(lines.at(-1), '', 'text ends with one newline');
  assert.ok(!lines.slice(0, -1).includes(''), 'no empty lines');
  assert.deepEqual(rulesOf(result), [
    'k.trc_related\tdiv.trc_related > a',
    'g[data-taboola-options]',
    'xexample.com\t.cad-banner',
    'x\t.unblock-me',
    'hexample.org',
    'H://10.0.0.',
    'ccad-banner',
    'iitaboola-below',
    'sexample.com\t.site-ad',
  ]);
  const { stats } = result;
  assert.deepEqual(
    [stats.generic_class, stats.generic_id, stats.keyed, stats.unkeyed, stats.site, stats.exception, stats.generichide, stats.generichide_url],
    [1, 1, 1, 1, 1, 2, 1, 1],
  );
  assert.equal(stats.rejected.unsupported_syntax, 1, 'the line without `#`');
  assert.equal(stats.input_rules, 10);
  assert.equal(keptTotal(stats) + rejectedTotal(stats), stats.input_rules + stats.expanded);
});

test('no version line in the input: licence line without a version', () => {
  const result = compile('##.ad\n');
  assert.match(result.text.split('\n')[1], /licensed CC BY-SA 3\.0 \(https:\/\/creativecommons\.org\/licenses\/by-sa\/3\.0\/\)\.$/);
});

test('c / i only for a lone class or id written without escapes', () => {
  const out = rulesOf(compile(['##.ad', '###ad', '##.pr-\\[25px\\]', '###\\31 23', '##div.ad', '##.ad.box', '##.ad,.ad', '##.\\61 d'].join('\n')));
  assert.deepEqual(out, [
    'k.pr-[25px]\t.pr-\\[25px\\]', // key is the unescaped class name, selector as written
    'k#123\t#\\31 23',
    'k.ad\tdiv.ad',
    'k.ad\t.ad.box',
    'k.ad\t.ad,.ad',
    'k.ad\t.\\61 d', // same class as `.ad`, but an exception must be able to name it as written
    'cad',
    'iad',
  ]);
});

test('key: first class or id of a top-level compound, never inside a pseudo-class argument', () => {
  const key = (sel) => selectorKey(parse(sel));
  assert.equal(key('.a .b'), '.a');
  assert.equal(key(':not(.x) .y'), '.y');
  assert.equal(key('div > #z'), '#z');
  assert.equal(key('[data-x]'), null);
  assert.equal(key(':is(.a, .b) span'), null);
  assert.equal(key('div:has(.a) .b'), '.b');
  assert.equal(key('[class~="a"] span'), null, 'attribute form is not the shorthand');
  assert.equal(key('.a, .a > p'), '.a', 'every alternative has the same key');
  assert.equal(key('.a, .b'), null, 'alternatives with different keys');
  assert.equal(key('.a, p'), null, 'one alternative without a key');
  // and the compiler writes them as k / g lines
  assert.deepEqual(rulesOf(compile('##.a .b\n##:not(.x) .y\n##div > #z\n##[data-x]\n')), [
    'k.a\t.a .b',
    'k.y\t:not(.x) .y',
    'k#z\tdiv > #z',
    'g[data-x]',
  ]);
});

test('site rules keep negated and wildcard domains as written', () => {
  const out = rulesOf(compile([
    'example.com,~sub.example.com##.sponsor',
    'deliveroo.*##.promo',
    '~example.net##.x > .y',
    'bad domain.com##.z',
    'a..com##.z',
    ',example.com##.z',
  ].join('\n')));
  assert.deepEqual(out, [
    'sexample.com,~sub.example.com\t.sponsor',
    'sdeliveroo.*\t.promo',
    's~example.net\t.x > .y',
  ]);
  const { stats } = compile('bad domain.com##.z\na..com##.z\n,example.com##.z\n');
  assert.equal(stats.rejected.invalid_domain, 3);
});

test('exceptions with and without domains; exception selectors are validated too', () => {
  const result = compile(['example.com,~a.example.com#@#.ad', '#@#.ad', 'foo.*#@#div > .ad', '#@#div[', 'x.com#@?#.ad:has(> p)'].join('\n'));
  assert.deepEqual(rulesOf(result), ['xexample.com,~a.example.com\t.ad', 'x\t.ad', 'xfoo.*\tdiv > .ad', 'xx.com\t.ad:has(> p)']);
  assert.equal(result.stats.rejected.invalid, 1);
});

test('generichide: ||domain^ → h, other URL patterns → H, domain= list → one h per domain', () => {
  const result = compile('##.ad\n', [
    '@@||example.com^$generichide',
    '@@||shop.example.*^$generichide',
    '@@://10.0.0.$generichide',
    '@@://localhost:$generichide',
    '@@||music.amazon.$generichide',
    '@@||www.google.*/search?$generichide',
    '@@|https://a.example/path|$generichide',
    '@@$generichide,domain=a.com|b.org',
    '@@$generichide', // everywhere: refused
    '@@*$generichide', // everywhere: refused
    '@@||x.com^$generichide,third-party', // option we cannot express
    '@@||y.com^$elemhide', // not generichide
    '@@$generichide,domain=~c.com', // negated: cannot express
    '||z.com^$generichide', // not an exception
    '@@||example.com^$generichide', // duplicate
  ].join('\n'));
  assert.deepEqual(rulesOf(result).slice(0, -1), [
    'hexample.com',
    'hshop.example.*',
    'ha.com',
    'hb.org',
    'H://10.0.0.',
    'H://localhost:',
    'Hmusic.amazon.',
    'Hwww.google.', // cut at the first wildcard: wider, never narrower
    'Hhttps://a.example/path',
  ]);
  const { stats } = result;
  assert.equal(stats.generichide, 4);
  assert.equal(stats.generichide_url, 5);
  assert.equal(stats.expanded, 1);
  assert.equal(stats.rejected.too_broad, 2);
  assert.equal(stats.rejected.unsupported_option, 3);
  assert.equal(stats.rejected.unsupported_pattern, 1);
  assert.equal(stats.rejected.duplicate, 1);
  assert.equal(stats.input_rules, 16);
  assert.equal(keptTotal(stats) + rejectedTotal(stats), stats.input_rules + stats.expanded);
});

test('#?# rules: kept when plain CSS, rejected as procedural otherwise', () => {
  const result = compile([
    'example.com#?#.card:has(> .sponsored-label)',
    '#?#.generic-card:has(.sponsored)',
    'example.com#?#.card:has-text(Sponsored)',
    'example.com#?#div:has(p:has-text(Sponsored))',
    'example.com#?#.pMain:has(div:-abp-properties(Partner))',
    'example.com#?#div[',
    'example.com#?#a::before',
  ].join('\n'));
  assert.deepEqual(rulesOf(result), ['k.generic-card\t.generic-card:has(.sponsored)', 'sexample.com\t.card:has(> .sponsored-label)']);
  assert.equal(result.stats.rejected.procedural, 5);
});

test('invalid, procedural and unsupported selectors are rejected with their reason', () => {
  assert.equal(reasonFor('##div['), 'invalid');
  assert.equal(reasonFor('##a::before'), 'pseudo_element');
  assert.equal(reasonFor('##a:after'), 'pseudo_element');
  assert.equal(reasonFor('##div:has(a::before)'), 'pseudo_element');
  assert.equal(reasonFor('##:-abp-contains(x)'), 'procedural');
  assert.equal(reasonFor('example.com##.ad:has-text(Sponsored)'), 'procedural');
  assert.equal(reasonFor('example.com##.ad:upward(2)'), 'procedural');
  assert.equal(reasonFor('example.com##.ad:remove()'), 'procedural');
  assert.equal(reasonFor('example.com##.ad:style(top: 0)'), 'procedural');
  assert.equal(reasonFor('example.com##.header {top:0 !important;}'), 'procedural');
  assert.equal(reasonFor('##a:hover'), 'unsupported_pseudo');
  assert.equal(reasonFor('##input:focus'), 'unsupported_pseudo');
  assert.equal(reasonFor(`##.${'a'.repeat(MAX_SELECTOR_LENGTH)}`), 'too_long');
  for (const broad of ['html', 'body', '*', ':root', 'HTML', 'html, .ad']) {
    assert.equal(reasonFor(`##${broad}`), 'too_broad', broad);
  }
  assert.equal(reasonFor('example.com##body'), null, 'site rules may target body');
  assert.equal(reasonFor('##body > .ad'), null);
  // accepted by css-what, rejected by browsers
  for (const sel of ['#300x250', '.123', 'div[href=a.b]', 'a:has(:has(b))', 'a >', '> a', ':not(> a)', 'a:nth-child(foo)',
    'a:first-child(x)', 'ns|a', 'a[b=c s]', 'a[b!=c]', 'a < b', 'a || b', 'a & b', 'a\tb', '.a\\9 b']) {
    assert.equal(reasonFor(`##${sel}`), 'invalid', sel);
  }
  // and things browsers accept stay accepted
  for (const sel of ['a:nth-child(2n + 1)', 'li:nth-of-type(-n+3)', '.a:has(~ .b)', 'a:NOT(.b)', '[a="x" i]', '.-x', '.pr-\\[25px\\]',
    'a:not(:has(b))', 'div:empty', ':any-link.ad']) {
    assert.equal(reasonFor(`##${sel}`), null, sel);
  }
});

test('validateSelector reports ok with the parsed tree', () => {
  const v = validateSelector('div.trc_related > a');
  assert.equal(v.ok, true);
  assert.equal(v.ast.length, 1);
  assert.deepEqual(validateSelector('div['), { ok: false, reason: 'invalid' });
  assert.deepEqual(validateSelector('body', { generic: true }), { ok: false, reason: 'too_broad' });
  assert.equal(validateSelector('body').ok, true);
});

test('duplicates removed, first occurrence kept, counted as rejected.duplicate', () => {
  const result = compile(['##.ad', 'a.com##.x', '##.ad', '##.b', 'a.com##.x', 'b.com##.x', '##.ad'].join('\n'));
  assert.deepEqual(rulesOf(result), ['cad', 'cb', 'sa.com\t.x', 'sb.com\t.x']);
  assert.equal(result.stats.rejected.duplicate, 3);
  assert.equal(result.stats.generic_class, 2);
});

test('CRLF input and trailing spaces are handled', () => {
  assert.deepEqual(rulesOf(compile('##.ad  \r\nexample.com## .x \r\n')), ['cad', 'sexample.com\t.x']);
});

test('missing folder or missing file → null', () => {
  assert.equal(compileRules(path.join(os.tmpdir(), 'no-such-dir-compile-rules')), null);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compile-rules-'));
  try {
    fs.writeFileSync(path.join(dir, 'easylist-cosmetic.txt'), '##.ad\n');
    assert.equal(compileRules(dir), null, 'generichide file missing');
    fs.writeFileSync(path.join(dir, 'easylist-generichide.txt'), '');
    assert.notEqual(compileRules(dir), null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the real EasyList compiles to > 20,000 valid rules and the stats add up', (t) => {
  if (!fs.existsSync(path.join(REAL_DIR, 'easylist-cosmetic.txt'))) {
    t.skip(`EasyList rules not found in ${REAL_DIR}`);
    return;
  }
  const result = compileRules(REAL_DIR);
  const { text, stats } = result;
  const lines = text.split('\n');
  assert.equal(lines[0], FORMAT_HEADER);
  assert.match(lines[1], /Version: \d{12}$/);
  const rules = rulesOf(result);
  assert.ok(rules.length > 20000, `${rules.length} rules`);
  assert.equal(rules.length, keptTotal(stats));
  assert.equal(new Set(rules).size, rules.length, 'no duplicate lines');

  // groups in order k g x h H c i s (the lines the build's index holds last)
  const order = 'kgxhHcis';
  for (let n = 1; n < rules.length; n += 1) {
    assert.ok(order.indexOf(rules[n - 1][0]) <= order.indexOf(rules[n][0]), `order at ${rules[n]}`);
  }

  // every emitted selector re-validates; keys match their selector
  let selectors = 0;
  for (const line of rules) {
    const kind = line[0];
    const body = line.slice(1);
    const fields = body.split('\t');
    let selector;
    if (kind === 'c' || kind === 'i') {
      assert.equal(fields.length, 1, line);
      selector = (kind === 'c' ? '.' : '#') + body;
    } else if (kind === 'g') {
      assert.equal(fields.length, 1, line);
      selector = body;
    } else if ('ksx'.includes(kind)) {
      assert.equal(fields.length, 2, line);
      selector = fields[1];
    } else {
      assert.ok('hH'.includes(kind) && fields.length === 1 && body.length > 0, line);
      continue;
    }
    const v = validateSelector(selector, { generic: 'cikg'.includes(kind) });
    assert.ok(v.ok, `${line}: ${v.reason}`);
    if (kind === 'k') assert.equal(selectorKey(v.ast), fields[0], line);
    if (kind === 'g') assert.equal(selectorKey(v.ast), null, line);
    if (kind === 's') assert.notEqual(fields[0], '', line);
    selectors += 1;
  }

  // stats add up to the input rule lines
  const countRules = (file) =>
    fs.readFileSync(path.join(REAL_DIR, file), 'utf8').split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('!') && !l.startsWith('[Adblock')).length;
  const inputRules = countRules('easylist-cosmetic.txt') + countRules('easylist-generichide.txt');
  assert.equal(stats.input_rules, inputRules);
  assert.equal(keptTotal(stats) + rejectedTotal(stats), inputRules + stats.expanded);
  assert.equal(selectors, stats.generic_class + stats.generic_id + stats.keyed + stats.unkeyed + stats.site + stats.exception);
  console.log(`real EasyList: ${rules.length} rules, ${Buffer.byteLength(text)} bytes`, JSON.stringify(stats));
});
