// Every message the extension asks for exists in every locale (en, de, fr), so no page ever shows a
// raw message key: the keys named by data-i18n* attributes in the HTML, by t()/message() calls in the
// scripts, and by __MSG_*__ in the manifest.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

const extension = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'extension');
const read = (file) => fs.readFileSync(path.join(extension, file), 'utf8');
const LOCALES = ['en', 'de', 'fr'];
const CATEGORIES = ['ads', 'promos', 'related', 'comments', 'social'];

function usedKeys() {
  const keys = new Set(CATEGORIES.map((category) => `category_${category}`)); // built as `category_${category}`
  for (const file of ['popup.html', 'options.html']) {
    for (const match of read(file).matchAll(/data-i18n(?:-[a-z-]+)?="([^"]+)"/g)) keys.add(match[1]);
  }
  for (const file of ['popup.js', 'options.js', 'background.js', 'content.js']) {
    for (const match of read(file).matchAll(/\b(?:t|message)\('([A-Za-z_]+)'/g)) keys.add(match[1]);
    for (const match of read(file).matchAll(/t\((?:[^()]*\? )'([A-Za-z_]+)' : '([A-Za-z_]+)'/g)) keys.add(match[1]).add(match[2]);
  }
  for (const match of read('manifest.json').matchAll(/__MSG_([A-Za-z_]+)__/g)) keys.add(match[1]);
  return [...keys].sort();
}

test('the extension uses a good number of messages (the scan works)', () => {
  assert.ok(usedKeys().length >= 50, `only ${usedKeys().length} keys found`);
});

for (const locale of LOCALES) {
  test(`${locale}: every message used exists and is not empty`, () => {
    const messages = JSON.parse(read(`_locales/${locale}/messages.json`));
    const missing = usedKeys().filter((key) => !messages[key] || !messages[key].message.trim());
    assert.deepEqual(missing, []);
  });
}

test('German and French are translations, not copies of the English', () => {
  const english = JSON.parse(read('_locales/en/messages.json'));
  for (const locale of ['de', 'fr']) {
    const messages = JSON.parse(read(`_locales/${locale}/messages.json`));
    const same = Object.keys(english).filter((key) => key !== 'extName' && messages[key].message === english[key].message);
    assert.ok(same.length <= 2, `${locale} repeats the English for ${same}`);
  }
});

test('a literal $ is written $$ (a lone $ starts a placeholder and disappears, as in "#$#")', () => {
  for (const locale of LOCALES) {
    const messages = JSON.parse(read(`_locales/${locale}/messages.json`));
    for (const [key, entry] of Object.entries(messages)) {
      const rest = entry.message.replace(/\$\$/g, '').replace(/\$[A-Za-z0-9_@]+\$/g, '');
      assert.ok(!rest.includes('$'), `${locale}/${key}: ${entry.message}`);
    }
  }
});

// The reasons the popup and the preview show come from the core's rule ids (src/core/rules.rs):
// each has a message `reason_<id>` in every locale, and the English one is the core's own sentence.
test('every rule of the core has its reason in every locale', () => {
  const rules = fs.readFileSync(path.join(extension, '..', 'src', 'core', 'rules.rs'), 'utf8');
  const ids = new Map([...rules.matchAll(/RuleId::(\w+) => "([a-z0-9-]+)",/g)].map((m) => [m[1], m[2]]));
  const reasons = new Map([...rules.matchAll(/RuleId::(\w+) => "([^"]*[A-Z ][^"]*)",/g)].map((m) => [m[1], m[2]]));
  assert.ok(ids.size >= 30, `only ${ids.size} rule ids found in rules.rs`);
  const english = JSON.parse(read('_locales/en/messages.json'));
  for (const lang of LOCALES) {
    const messages = JSON.parse(read(`_locales/${lang}/messages.json`));
    for (const [variant, id] of ids) {
      const key = `reason_${id.replaceAll('-', '_')}`;
      assert.ok(messages[key]?.message, `${lang}: no message ${key}`);
      if (lang === 'en') assert.equal(messages[key].message, reasons.get(variant), `${key} differs from RuleId::${variant}.reason()`);
      else assert.notEqual(messages[key].message, english[key].message, `${lang}: ${key} is not translated`);
    }
  }
});
