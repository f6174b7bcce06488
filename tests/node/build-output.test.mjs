// Checks on what `npm run build` produced: bundle sizes, permissions, per-browser manifests.
// Sizes are deterministic for a given source, so a size budget is a fair test (unlike time).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { copyVersion } from '../../scripts/update-easylist.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const gzipBytes = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const manifest = (browser) => JSON.parse(fs.readFileSync(path.join(dist, browser, 'manifest.json'), 'utf8'));

/** Readability.js is about 25 KB of gzipped JS; the Rust readability ports ship ~450 KB. */
// 128 KiB: issue 17 moved the budget up from 100,000 on purpose (start-up time, not bytes, is what
// the reader feels; hand-written replacements of the standard library kept only to save bytes
// should go where they cost clarity).
const WASM_GZIP_BUDGET_BYTES = 131_072;

test('the wasm core stays under its size budget', () => {
  const bytes = gzipBytes(path.join(dist, 'chrome', 'pkg', 'unsponsor_bg.wasm'));
  console.log(`wasm: ${bytes} bytes gzip (budget ${WASM_GZIP_BUDGET_BYTES})`);
  assert.ok(bytes <= WASM_GZIP_BUDGET_BYTES, `wasm is ${bytes} bytes gzip`);
});

test('the core\'s warm-up plans its built-in page like a real one, calling nothing outside the module', () => {
  // Every import a stub that fails the test: the warm-up needs neither the glue nor a page.
  const module = new WebAssembly.Module(fs.readFileSync(path.join(dist, 'chrome', 'pkg', 'unsponsor_bg.wasm')));
  const calls = [];
  const imports = {};
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    imports[from] ??= {};
    imports[from][name] = () => {
      calls.push(name);
      throw new Error(`warmUp called the import ${name}`);
    };
  }
  const removed = new WebAssembly.Instance(module, imports).exports.warmUp();
  assert.deepEqual(calls, []);
  // The built-in page's ad slot, Taboola widget, "Sponsored" block, ad break and promo.
  assert.equal(removed, 5);
});

test('the wasm2js fallback and the glue load nothing but what the package lists', () => {
  // The content script may load only the web-accessible files: the glue has the JavaScript
  // snippets (src/dom/*.js) folded in, and the wasm2js module takes every import from the glue.
  for (const file of ['pkg/unsponsor.js', 'pkg-js/unsponsor.js', 'pkg-js/unsponsor_bg.w2j.js']) {
    const source = fs.readFileSync(path.join(dist, 'chrome', file), 'utf8');
    const imports = [...source.matchAll(/^\s*import(?:\s+[\w$*{]|\s*["'{*]).*$/gm)].map((match) => match[0].trim());
    assert.deepEqual(imports, [], `${file} imports ${imports.join('; ')}`);
  }
});

test('both glues start with V8\'s hint to compile all their functions as they load', () => {
  // scripts/build.mjs (hintEagerCompile): V8 reads the magic comment only at the very start.
  for (const file of ['pkg/unsponsor.js', 'pkg-js/unsponsor.js']) {
    const source = fs.readFileSync(path.join(dist, 'chrome', file), 'utf8');
    assert.ok(source.startsWith('//# allFunctionsCalledOnLoad\n'), `${file} starts with ${JSON.stringify(source.slice(0, 40))}`);
    assert.equal(source.split('allFunctionsCalledOnLoad').length, 2, `${file} has the hint once`);
  }
});

for (const browser of ['chrome', 'firefox']) {
  test(`${browser}: asks only for activeTab, scripting and storage at install (and Chrome for its offscreen judge); site access only as optional, per site`, () => {
    const m = manifest(browser);
    // Chrome's offscreen document (offscreen.html) is where the core judges pages there; the
    // permission shows the reader no warning.
    const expected = browser === 'chrome' ? ['activeTab', 'offscreen', 'scripting', 'storage'] : ['activeTab', 'scripting', 'storage'];
    assert.deepEqual([...m.permissions].sort(), expected);
    assert.equal(m.host_permissions, undefined);
    assert.equal(m.optional_permissions, undefined);
    // Requested one site at a time, at the reader's click on the popup's auto-clean switch.
    assert.deepEqual(m.optional_host_permissions, ['http://*/*', 'https://*/*']);
    assert.equal(m.content_scripts, undefined);
    assert.equal(m.content_security_policy.extension_pages, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    assert.equal(m.manifest_version, 3);
  });

  test(`${browser}: every file the manifest names is in the package`, () => {
    const m = manifest(browser);
    const files = [
      m.action.default_popup,
      m.options_ui.page,
      `_locales/${m.default_locale}/messages.json`,
      ...Object.values(m.icons),
      ...Object.values(m.action.default_icon),
      ...m.web_accessible_resources.flatMap((entry) => entry.resources),
      ...(m.background.scripts || [m.background.service_worker]),
      'judge.js',
      'removal.js',
      ...(browser === 'chrome' ? ['offscreen.html', 'offscreen.js'] : []),
    ];
    for (const file of files) assert.ok(fs.existsSync(path.join(dist, browser, file)), `${browser}/${file} missing`);
  });

  test(`${browser}: store zip exists`, () => {
    assert.ok(fs.existsSync(path.join(dist, `unsponsor-${browser}-${manifest(browser).version}.zip`)));
  });
}

/** The names of the files in a zip archive, from its central directory. */
function zipEntries(file) {
  const zip = fs.readFileSync(file);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  assert.ok(end >= 0, `${file} is not a zip archive`);
  const count = zip.readUInt16LE(end + 10);
  let offset = zip.readUInt32LE(end + 16);
  const names = [];
  for (let index = 0; index < count; index += 1) {
    assert.equal(zip.readUInt32LE(offset), 0x02014b50, `${file}: damaged central directory`);
    const nameLength = zip.readUInt16LE(offset + 28);
    names.push(zip.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + zip.readUInt16LE(offset + 30) + zip.readUInt16LE(offset + 32);
  }
  return names;
}

const EASYLIST_VERSION = copyVersion();
const RULE_FILES = ['rules/easylist.rules', 'rules/LICENSE-EasyList.txt', 'filter-list.json'];

test('the repository\'s EasyList copy has a version', () => {
  assert.match(String(EASYLIST_VERSION), /^\d{12}$/, 'third_party/easylist/easylist-cosmetic.txt names its EasyList version');
});

for (const target of ['chrome', 'firefox', 'www']) {
  test(`${target}: carries EasyList ${EASYLIST_VERSION} (rules, their index, licence) and says which version`, () => {
    const folder = path.join(dist, target);
    for (const file of RULE_FILES) assert.ok(fs.existsSync(path.join(folder, file)), `${target}/${file} missing`);
    const about = JSON.parse(fs.readFileSync(path.join(folder, 'filter-list.json'), 'utf8'));
    assert.equal(about.name, 'EasyList');
    assert.equal(about.version, EASYLIST_VERSION);
    assert.ok(about.rules > 20_000, `${about.rules} rules`);
    const header = fs.readFileSync(path.join(folder, 'rules', 'easylist.rules'), 'utf8').split('\n', 2);
    assert.ok(header[1].endsWith(`Version: ${EASYLIST_VERSION}`), `the compiled rules name their version: ${header[1]}`);
    // Behind the rules, their index (src/core/easylist.rs, RuleSet::bundle): the text's length,
    // then "USB1", close the file, and the index's own first word is "USX3".
    const bundle = fs.readFileSync(path.join(folder, 'rules', 'easylist.rules'));
    assert.equal(bundle.toString('latin1', bundle.length - 4), 'USB1', 'the rule file ends with its index');
    const textLength = bundle.readUInt32LE(bundle.length - 8);
    const indexStart = Math.ceil(textLength / 4) * 4;
    assert.equal(bundle.toString('latin1', indexStart, indexStart + 4), 'USX3', 'the index starts after the text');
    assert.ok(bundle.length - 8 - indexStart > 100_000, 'the index holds the lookup tables');
    assert.ok(bundle.toString('utf8', 0, textLength).endsWith('\n'), 'the text is whole lines');
    if (target !== 'www') {
      const listed = manifest(target).web_accessible_resources.flatMap((entry) => entry.resources);
      assert.ok(listed.includes('rules/easylist.rules'), 'the content script may load the rules');
      assert.ok(!listed.some((file) => file.endsWith('.index')), 'no index file apart any more');
    }
  });
}

for (const browser of ['chrome', 'firefox']) {
  test(`${browser}: the store zip holds the rule file, its index, its licence and the version note`, () => {
    const entries = zipEntries(path.join(dist, `unsponsor-${browser}-${manifest(browser).version}.zip`));
    for (const file of RULE_FILES) assert.ok(entries.includes(file), `${file} is not in the ${browser} zip (${entries.length} entries)`);
  });
}

/** Runs the build with `env` and returns its exit code and output (it stops before compiling). */
function buildWith(env) {
  const result = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], {
    cwd: root, encoding: 'utf8', env: { ...process.env, UNSPONSOR_HEURISTICS_ONLY: '', ...env }, timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('a build that cannot find EasyList stops with a message that says what to do', () => {
  const missing = path.join(os.tmpdir(), `unsponsor-no-easylist-${process.pid}`);
  const { status, output } = buildWith({ UNSPONSOR_EASYLIST_DIR: missing });
  assert.equal(status, 1, output);
  assert.match(output, /stopped:(\x1b\[0m)? no EasyList rules at/);
  assert.match(output, /--heuristics-only/);
  assert.match(output, /git checkout -- third_party\/easylist/);
});

test('a damaged EasyList copy stops the build too', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-damaged-easylist-'));
  try {
    const cosmetic = fs.readFileSync(path.join(root, 'third_party', 'easylist', 'easylist-cosmetic.txt'), 'utf8');
    fs.writeFileSync(path.join(dir, 'easylist-cosmetic.txt'), cosmetic.slice(0, 20_000)); // cut short, as a broken download
    fs.copyFileSync(path.join(root, 'third_party', 'easylist', 'easylist-generichide.txt'), path.join(dir, 'easylist-generichide.txt'));
    const { status, output } = buildWith({ UNSPONSOR_EASYLIST_DIR: dir });
    assert.equal(status, 1, output);
    assert.match(output, /looks damaged/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('each browser gets its own background and Firefox its add-on id', () => {
  assert.deepEqual(manifest('chrome').background, { service_worker: 'background.js' });
  assert.equal(manifest('chrome').browser_specific_settings, undefined);
  assert.deepEqual(manifest('firefox').background, { scripts: ['settings.js', 'messages.js', 'background.js'] });
  assert.equal(manifest('firefox').browser_specific_settings.gecko.id, 'unsponsor@unsponsor.dev');
});

test('no extension file loads anything from the network', () => {
  for (const browser of ['chrome', 'firefox']) {
    const files = fs.readdirSync(path.join(dist, browser)).filter((file) => /\.(js|html)$/.test(file));
    assert.ok(files.length >= 9, `too few extension files: ${files}`);
    for (const file of files) {
      const source = fs.readFileSync(path.join(dist, browser, file), 'utf8');
      // (Match patterns built from a site name, `http://${host}/*`, name no server.)
      assert.doesNotMatch(source, /https?:\/\/[\w.-]/, `${browser}/${file} mentions a remote URL`);
      assert.doesNotMatch(source, /\beval\(|new Function\(/, `${browser}/${file} evaluates code`);
    }
  }
});

test('every locale has every message the English one has, with the same placeholders', () => {
  const locales = path.join(dist, 'chrome', '_locales');
  const read = (lang) => JSON.parse(fs.readFileSync(path.join(locales, lang, 'messages.json'), 'utf8'));
  const english = read('en');
  for (const lang of ['de', 'fr']) {
    const messages = read(lang);
    assert.deepEqual(Object.keys(messages).sort(), Object.keys(english).sort(), `${lang} messages`);
    for (const [key, entry] of Object.entries(english)) {
      assert.deepEqual(Object.keys(entry.placeholders ?? {}).sort(), Object.keys(messages[key].placeholders ?? {}).sort(), `${lang}/${key} placeholders`);
      for (const name of Object.keys(entry.placeholders ?? {})) {
        assert.ok(messages[key].message.includes(`$${name.toUpperCase()}$`), `${lang}/${key} does not use $${name.toUpperCase()}$`);
      }
    }
  }
});

test('the demo works offline: no remote scripts, styles or images', () => {
  for (const page of ['index.html', 'variants/hashed.html', 'variants/bare.html']) {
    const html = fs.readFileSync(path.join(dist, 'www', page), 'utf8');
    const remote = [...html.matchAll(/<(script|link|img|iframe|source)\b[^>]*\b(src|href)="(https?:)?\/\/[^"]*"/g)];
    assert.deepEqual(remote.map((m) => m[0]), [], `${page} loads remote resources`);
  }
});
