// Word lists and limits that JavaScript needs too have one source, the Rust core: the built core
// answers them (`constants()`, src/wasm/api.rs), and every JavaScript copy must agree with it.
// Runs on the build in dist/ (npm test builds first).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../lib/beside.mjs';
import { PROCEDURAL_PSEUDO_CLASSES, PROCEDURAL_PSEUDO_CLASS_PREFIX } from '../../scripts/compile-rules.mjs';

const dist = path.resolve(process.env.UNSPONSOR_DIST ?? path.join(REPO_ROOT, 'dist'));
const pkg = path.join(dist, 'chrome', 'pkg');
const source = (...parts) => fs.readFileSync(path.join(REPO_ROOT, ...parts), 'utf8');

/** The built core's constants, the core loaded in Node as the build loads it (scripts/build.mjs). */
async function coreConstants() {
  const glue = await import(pathToFileURL(path.join(pkg, 'unsponsor.js')).href);
  glue.initSync({ module: fs.readFileSync(path.join(pkg, 'unsponsor_bg.wasm')) });
  return glue.constants();
}

/** The value of `const NAME = <literal>;` in a script. */
function constantIn(text, name) {
  const found = new RegExp(`const ${name} = ([^;]+);`).exec(text);
  assert.ok(found, `no const ${name}`);
  return vm.runInNewContext(`(${found[1]})`);
}

const built = fs.existsSync(path.join(pkg, 'unsponsor_bg.wasm'));

test('the categories and their defaults are the core\'s', { skip: !built && 'dist/ is not built (npm run build)' }, async () => {
  const core = await coreConstants();
  assert.deepEqual(core.categories, ['ads', 'promos', 'related', 'comments', 'social']);
  const sandbox = { URL };
  sandbox.globalThis = sandbox;
  vm.runInNewContext(source('extension', 'settings.js'), sandbox);
  const settings = sandbox.UnsponsorSettings;
  assert.deepEqual([...settings.CATEGORIES], core.categories, 'extension/settings.js CATEGORIES');
  assert.deepEqual(Object.keys(settings.DEFAULT_CATEGORIES), core.categories, 'extension/settings.js DEFAULT_CATEGORIES');
  assert.deepEqual(core.categories.filter((category) => settings.DEFAULT_CATEGORIES[category]), core.default_categories, 'extension/settings.js DEFAULT_CATEGORIES');
  const popup = constantIn(source('extension', 'popup.js'), 'CATEGORY_MESSAGES');
  assert.deepEqual(Object.keys(popup), core.categories, 'extension/popup.js CATEGORY_MESSAGES');
  for (const locale of ['en', 'de', 'fr']) {
    const messages = JSON.parse(source('extension', '_locales', locale, 'messages.json'));
    for (const category of core.categories) assert.ok(messages[`category_${category}`], `${locale}: no name for ${category}`);
  }
});

test('the mark of the extension\'s own interface is the core\'s', { skip: !built && 'dist/ is not built (npm run build)' }, async () => {
  const core = await coreConstants();
  assert.equal(core.own_ui_attribute, 'data-unsponsor-ui');
  const content = source('extension', 'content.js');
  assert.equal(constantIn(content, 'UI_MARKER'), core.own_ui_attribute, 'extension/content.js UI_MARKER');
  const spelledOut = content.replace(/\/\/.*$/gm, '').split(`'${core.own_ui_attribute}'`).length - 1;
  assert.equal(spelledOut, 1, 'content.js spells the attribute out once, in UI_MARKER');
  assert.match(source('www', 'index.html'), new RegExp(`id="demo-panel" ${core.own_ui_attribute}[ >]`), 'the demo marks its own panel');
});

test('the page reader reads whole the texts the core decodes whole', { skip: !built && 'dist/ is not built (npm run build)' }, async () => {
  const core = await coreConstants();
  assert.equal(constantIn(source('src', 'dom', 'read.js'), 'TEXT_READ_MAX'), core.text_read_max_units, 'src/dom/read.js TEXT_READ_MAX');
});

test('the build refuses the same ad-blocker pseudo-classes as the core', { skip: !built && 'dist/ is not built (npm run build)' }, async () => {
  const core = await coreConstants();
  assert.deepEqual([...PROCEDURAL_PSEUDO_CLASSES].sort(), [...core.procedural_pseudo_classes].sort(), 'scripts/compile-rules.mjs PROCEDURAL_PSEUDO_CLASSES');
  assert.equal(PROCEDURAL_PSEUDO_CLASS_PREFIX, core.procedural_pseudo_class_prefix);
  assert.ok(core.max_rule_line_chars >= 1000, 'a picked selector must fit a rule line');
});

test('the early stylesheet each extension build carries is the core\'s', { skip: !built && 'dist/ is not built (npm run build)' }, async () => {
  const glue = await import(pathToFileURL(path.join(pkg, 'unsponsor.js')).href);
  glue.initSync({ module: fs.readFileSync(path.join(pkg, 'unsponsor_bg.wasm')) });
  const expected = glue.earlyHideBuiltIn();
  assert.match(expected, /body \[id\^="div-gpt-ad" i\] \{ display: none !important; \}/);
  assert.match(expected, /body \[id\^="taboola-" i\]/);
  for (const browser of ['chrome', 'firefox']) {
    const sandbox = {};
    sandbox.globalThis = sandbox;
    vm.runInNewContext(fs.readFileSync(path.join(dist, browser, 'early-rules.js'), 'utf8'), sandbox);
    assert.equal(sandbox.UnsponsorEarlyRules.stylesheet, expected, `dist/${browser}/early-rules.js`);
    assert.equal(sandbox.UnsponsorEarlyRules.uiAttribute, glue.constants().own_ui_attribute, `dist/${browser}/early-rules.js uiAttribute`);
  }
  // With the reader's rules for the site: theirs are hidden too, what they keep is spared.
  glue.setUserRules('127.0.0.1##.my-ad\n127.0.0.1#@#.my-keep\nother.example##.not-here\n##div:has-text(x)\n');
  const site = glue.earlyHideStylesheet('http://127.0.0.1:8080/page.html');
  assert.match(site, /:is\(\.my-ad\):not\(:is\(\.my-keep\), :is\(\.my-keep\) \*, :has\(:is\(\.my-keep\)\)\)/);
  assert.ok(!site.includes('.not-here') && !site.includes('has-text'), 'no rule of another site, nothing procedural');
  glue.setUserRules('');
});

test('content.js judges late widgets and previews picked blocks with the core\'s limits', { skip: !built && 'dist/ is not built (npm run build)' }, async () => {
  const core = await coreConstants();
  const content = source('extension', 'content.js');
  assert.equal(constantIn(content, 'PREVIEW_MAX_CHARS'), core.preview_max_chars, 'extension/content.js PREVIEW_MAX_CHARS');
  assert.equal(constantIn(content, 'LATE_DELAY_MS'), core.late_pass_delay_ms, 'extension/content.js LATE_DELAY_MS');
  assert.equal(constantIn(content, 'MAX_LATE_DELAY_MS'), core.max_late_pass_delay_ms, 'extension/content.js MAX_LATE_DELAY_MS');
  assert.equal(constantIn(content, 'LATE_PARENT_MAX_ELEMENTS'), core.late_parent_max_elements, 'extension/content.js LATE_PARENT_MAX_ELEMENTS');
  assert.equal(constantIn(content, 'LATE_MAX_ROOTS'), core.late_max_roots, 'extension/content.js LATE_MAX_ROOTS');
  assert.equal(constantIn(source('extension', 'background.js'), 'JUDGE_MAX_ROOTS'), core.late_max_roots, 'extension/background.js JUDGE_MAX_ROOTS');
});
