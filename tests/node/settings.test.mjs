// Unit tests of extension/settings.js: the settings schema, its field-by-field repair, and the
// JS-side handling of rule lines (the rule syntax itself is checked by the Rust core, see
// src/core/user_rules.rs and its tests).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Loads settings.js the way the extension does (a classic script defining a global). */
function loadSettings() {
  const sandbox = { URL };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(fs.readFileSync(path.join(root, 'extension', 'settings.js'), 'utf8'), sandbox);
  return sandbox.UnsponsorSettings;
}
const S = loadSettings();
const plain = (value) => JSON.parse(JSON.stringify(value));

/** A fake browser storage API: sync and local areas, with an optional sync that refuses writes. */
function fakeApi({ sync = {}, local = {}, syncFails = false, noSync = false } = {}) {
  const area = (data, fails) => ({
    data,
    async get(key) { return key in data ? { [key]: structuredClone(data[key]) } : {}; },
    async set(items) { if (fails) throw new Error('QUOTA_BYTES_PER_ITEM quota exceeded'); Object.assign(data, structuredClone(items)); },
    async remove(key) { delete data[key]; },
  });
  return { storage: { sync: noSync ? undefined : area(sync, syncFails), local: area(local, false) } };
}

test('defaults: ads and promos on, related, comments and social off; version 1', () => {
  assert.deepEqual(plain(S.defaults()), {
    version: 1,
    categories: { ads: true, promos: true, related: false, comments: false, social: false },
    sites: {}, autoClean: [], neverTouch: [], rules: '',
  });
});

test('valid settings pass repair unchanged, with no problem', () => {
  const valid = {
    version: 1,
    categories: { ads: true, promos: false, related: true, comments: false, social: true },
    sites: { 'example.com': { categories: { ads: true, promos: true, related: false, comments: true, social: false } } },
    autoClean: ['news.example.org'], neverTouch: ['bank.example'], rules: 'example.com##.box\n',
  };
  const { settings, problems } = S.repair(structuredClone(valid));
  assert.deepEqual(plain(settings), valid);
  assert.deepEqual(plain(problems), []);
});

test('nothing stored yet is the defaults, and not a problem', () => {
  const { settings, problems } = S.repair(undefined);
  assert.deepEqual(plain(settings), plain(S.defaults()));
  assert.deepEqual(plain(problems), []);
});

for (const [name, raw] of [['a string', 'garbage'], ['null', null], ['an array', [1, 2]], ['a number', 42]]) {
  test(`settings that are ${name} are replaced by the defaults, and reported`, () => {
    const { settings, problems } = S.repair(raw);
    assert.deepEqual(plain(settings), plain(S.defaults()));
    assert.deepEqual(plain(problems), ['settings']);
  });
}

test('damaged fields are repaired one by one; the valid ones are kept', () => {
  const { settings, problems } = S.repair({
    version: 1,
    categories: { ads: 'yes', promos: false, comments: true, bogus: true },
    sites: { 'Example.COM': { categories: { ads: false } }, 'bad host!': { categories: {} }, 'x.org': 'nope' },
    autoClean: 'example.com',
    neverTouch: ['ok.example', 42, 'not a host', 'ok.example'],
    rules: 17,
    extra: true,
  });
  assert.deepEqual(plain(settings.categories), { ads: true, promos: false, related: false, comments: true, social: false });
  // A site's partial choice is completed from the (repaired) global one.
  assert.deepEqual(plain(settings.sites), { 'example.com': { categories: { ads: false, promos: false, related: false, comments: true, social: false } } });
  assert.deepEqual(plain(settings.autoClean), []);
  assert.deepEqual(plain(settings.neverTouch), ['ok.example']);
  assert.equal(settings.rules, '');
  for (const field of ['extra', 'categories.ads', 'categories.bogus', 'sites', 'autoClean', 'neverTouch', 'rules']) {
    assert.ok(problems.includes(field), `${field} should be reported: ${problems}`);
  }
});

test('an old or unversioned format keeps what still reads as valid, and says so', () => {
  const { settings, problems } = S.repair({ categories: { comments: true }, rules: '##.ad' });
  assert.equal(settings.version, 1);
  assert.equal(settings.categories.comments, true);
  assert.equal(settings.rules, '##.ad');
  assert.equal(problems[0], 'version');
  const future = S.repair({ version: 7, categories: 'new shape' });
  assert.deepEqual(plain(future.settings.categories), plain(S.DEFAULT_CATEGORIES));
  assert.ok(future.problems.includes('version') && future.problems.includes('categories'));
});

test('host names: normalised (whole: www. names its own permission), anything else refused', () => {
  assert.equal(S.normalizeHost(' WWW.Example.com '), 'www.example.com');
  assert.equal(S.normalizeHost('127.0.0.1'), '127.0.0.1');
  for (const bad of ['', 'a b', 'example.com/path', 'ex$ample.com', '.example.com', 'a..b', 'x'.repeat(300), 3, null]) {
    assert.equal(S.normalizeHost(bad), null, String(bad));
  }
  assert.equal(S.hostOf('https://news.example.com/a?b'), 'news.example.com');
  assert.equal(S.hostOf('http://127.0.0.1:8080/x'), '127.0.0.1');
  assert.equal(S.hostOf('chrome://version'), null);
  assert.equal(S.hostOf('not a url'), null);
  assert.deepEqual(plain(S.originsFor('example.com')), ['http://example.com/*', 'https://example.com/*']);
});

test('categories per site override the global ones; never touch covers subdomains', () => {
  const settings = S.repair({ ...S.defaults(), sites: { 'a.com': { categories: { ads: false, promos: false, related: false, comments: false, social: true } } }, neverTouch: ['bank.example'] }).settings;
  assert.equal(S.categoriesFor(settings, 'a.com').social, true);
  assert.equal(S.categoriesFor(settings, 'b.com').ads, true);
  assert.equal(S.isNeverTouched(settings, 'online.bank.example'), true);
  assert.equal(S.isNeverTouched(settings, 'bank.example'), true);
  assert.equal(S.isNeverTouched(settings, 'notbank.example'), false);
  assert.deepEqual(plain(S.cleanOptionsFor(settings, 'b.com')), { categories: plain(S.DEFAULT_CATEGORIES), rules: '' });
});

test('site rule lines for picked and kept elements; unsafe selectors are refused', () => {
  assert.equal(S.siteRuleLine('Example.com', '#promo'), 'example.com###promo');
  assert.equal(S.siteRuleLine('example.com', 'div.box:nth-of-type(2)', { exception: true }), 'example.com#@#div.box:nth-of-type(2)');
  for (const bad of ['', '  ', 'a\nexample.com##body', 'a { display: none }', 'a;b', 'x'.repeat(1000)]) {
    assert.equal(S.siteRuleLine('example.com', bad), null, JSON.stringify(bad));
  }
  assert.equal(S.siteRuleLine('not a host', '.x'), null);
});

test('appending a rule line keeps the list and does not duplicate', () => {
  assert.equal(S.appendRuleLine('', 'a.com##.x'), 'a.com##.x\n');
  assert.equal(S.appendRuleLine('! mine\n##.ad\n\n', 'a.com##.x'), '! mine\n##.ad\na.com##.x\n');
  assert.equal(S.appendRuleLine('a.com##.x\n', 'a.com##.x'), 'a.com##.x\n');
});

test('import merges valid lines, leaves out the reported ones, and loses nothing already there', () => {
  const existing = '! my list\nexample.com##.box\n';
  const imported = 'example.com##.box\n##.ad-slot\n\nexample.com#?#.x:has-text(Ad)\nnews.org#@#.keep\n';
  const merged = S.mergeImportedRules(existing, imported, [{ line: 4, text: 'example.com#?#.x:has-text(Ad)', reason: 'procedural rules' }]);
  assert.equal(merged.text, '! my list\nexample.com##.box\n##.ad-slot\nnews.org#@#.keep\n');
  assert.equal(merged.added, 2);
  assert.equal(merged.skipped, 1);
  assert.deepEqual(plain(S.mergeImportedRules('a##.b\n', '', [])), { text: 'a##.b\n', added: 0, skipped: 0 });
});

test('storage: sync first; damaged settings are written back repaired, with a notice', async () => {
  const api = fakeApi({ sync: { settings: { version: 1, categories: 'broken', sites: {}, autoClean: [], neverTouch: [], rules: '##.x' } } });
  const settings = await S.load(api);
  assert.deepEqual(plain(settings.categories), plain(S.DEFAULT_CATEGORIES));
  assert.equal(settings.rules, '##.x');
  assert.deepEqual(plain(api.storage.sync.data.settings.categories), plain(S.DEFAULT_CATEGORIES));
  assert.deepEqual(plain((await S.readNotice(api)).fields), ['categories']);
  await S.dismissNotice(api);
  assert.equal(await S.readNotice(api), null);
  // Loading valid settings leaves no notice.
  await S.load(api);
  assert.equal(await S.readNotice(api), null);
});

test('storage: falls back to local where sync refuses (quota) or is missing', async () => {
  const refusing = fakeApi({ syncFails: true });
  await S.update(refusing, (settings) => { settings.rules = '##.big'; });
  assert.equal(refusing.storage.local.data.settings.rules, '##.big');
  assert.equal((await S.load(refusing)).rules, '##.big');
  const noSync = fakeApi({ noSync: true });
  await S.save(noSync, { ...S.defaults(), neverTouch: ['a.com'] });
  assert.deepEqual(plain((await S.load(noSync)).neverTouch), ['a.com']);
});

test('storage: a fall back to local because sync refused leaves a notice, gone once sync takes them again', async () => {
  const api = fakeApi();
  await S.update(api, (settings) => { settings.rules = '##.small'; });
  assert.equal(await S.readStorageNotice(api), null, 'no notice while sync takes the settings');
  const refusing = fakeApi({ syncFails: true });
  await S.update(refusing, (settings) => { settings.rules = '##.big\n'.repeat(2_000); });
  assert.equal(refusing.storage.sync.data.settings, undefined, 'nothing left in sync');
  assert.equal(refusing.storage.local.data.settings.rules.length, 14_000, 'the whole list is kept locally');
  const notice = await S.readStorageNotice(refusing);
  assert.ok(notice && notice.bytes > 8_192, `the notice says how big the settings are: ${JSON.stringify(notice)}`);
  // Sync takes them again (the list was shortened): settings move back, the notice goes.
  const accepting = fakeApi({ local: refusing.storage.local.data });
  await S.update(accepting, (settings) => { settings.rules = '##.small\n'; });
  assert.equal(accepting.storage.sync.data.settings.rules, '##.small\n');
  assert.equal(accepting.storage.local.data.settings, undefined);
  assert.equal(await S.readStorageNotice(accepting), null);
  // A browser without sync at all is not a fall back: no notice there.
  const noSync = fakeApi({ noSync: true });
  await S.save(noSync, { ...S.defaults(), rules: '##.big\n'.repeat(2_000) });
  assert.equal(await S.readStorageNotice(noSync), null);
});

test('options page: the sync fall back notice is in the page, shown from readStorageNotice, in every locale', () => {
  const html = fs.readFileSync(path.join(root, 'extension', 'options.html'), 'utf8');
  const script = fs.readFileSync(path.join(root, 'extension', 'options.js'), 'utf8');
  assert.match(html, /<div id="storage-notice" class="notice" role="status" hidden>[\s\S]*?data-i18n="settingsLocalOnly"/);
  assert.match(script, /Settings\.readStorageNotice\(api\)[\s\S]*?\$\('storage-notice'\)\.hidden = !notice/);
  assert.match(script, /Settings\.STORAGE_NOTICE_KEY in changes/, 'the page redraws when the notice changes');
  for (const locale of ['en', 'de', 'fr']) {
    const messages = JSON.parse(fs.readFileSync(path.join(root, 'extension', '_locales', locale, 'messages.json'), 'utf8'));
    assert.match(messages.settingsLocalOnly?.message ?? '', /8 K/, `${locale}: the notice names the limit`);
  }
});

test('save never writes invalid settings', async () => {
  const api = fakeApi();
  await S.save(api, { version: 1, categories: { ads: 'no' }, rules: null });
  assert.deepEqual(plain(api.storage.sync.data.settings), plain(S.defaults()));
});
