// Checks on what `npm run build` produced: bundle sizes, permissions, per-browser manifests.
// Sizes are deterministic for a given source, so a size budget is a fair test (unlike time).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(root, 'dist');
const gzipBytes = (file) => zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
const manifest = (browser) => JSON.parse(fs.readFileSync(path.join(dist, browser, 'manifest.json'), 'utf8'));

/** Readability.js is about 25 KB of gzipped JS; the Rust readability ports ship ~450 KB. */
const WASM_GZIP_BUDGET_BYTES = 100 * 1024;

test('the wasm core stays under its size budget', () => {
  const bytes = gzipBytes(path.join(dist, 'chrome', 'pkg', 'unsponsor_bg.wasm'));
  console.log(`wasm: ${bytes} bytes gzip (budget ${WASM_GZIP_BUDGET_BYTES})`);
  assert.ok(bytes <= WASM_GZIP_BUDGET_BYTES, `wasm is ${bytes} bytes gzip`);
});

for (const browser of ['chrome', 'firefox']) {
  test(`${browser}: asks only for activeTab and scripting, no host access`, () => {
    const m = manifest(browser);
    assert.deepEqual([...m.permissions].sort(), ['activeTab', 'scripting']);
    assert.equal(m.host_permissions, undefined);
    assert.equal(m.optional_host_permissions, undefined);
    assert.equal(m.manifest_version, 3);
  });

  test(`${browser}: every file the manifest names is in the package`, () => {
    const m = manifest(browser);
    const files = [
      m.action.default_popup,
      ...Object.values(m.icons),
      ...Object.values(m.action.default_icon),
      ...m.web_accessible_resources.flatMap((entry) => entry.resources),
      ...(m.background.scripts || [m.background.service_worker]),
    ];
    for (const file of files) assert.ok(fs.existsSync(path.join(dist, browser, file)), `${browser}/${file} missing`);
  });

  test(`${browser}: store zip exists`, () => {
    assert.ok(fs.existsSync(path.join(dist, `unsponsor-${browser}-${manifest(browser).version}.zip`)));
  });
}

test('each browser gets its own background and Firefox its add-on id', () => {
  assert.deepEqual(manifest('chrome').background, { service_worker: 'background.js' });
  assert.equal(manifest('chrome').browser_specific_settings, undefined);
  assert.deepEqual(manifest('firefox').background, { scripts: ['background.js'] });
  assert.equal(manifest('firefox').browser_specific_settings.gecko.id, 'unsponsor@unsponsor.dev');
});

test('no extension file loads anything from the network', () => {
  for (const browser of ['chrome', 'firefox']) {
    for (const file of ['background.js', 'content.js', 'popup.js', 'popup.html']) {
      const source = fs.readFileSync(path.join(dist, browser, file), 'utf8');
      assert.doesNotMatch(source, /https?:\/\//, `${browser}/${file} mentions a remote URL`);
      assert.doesNotMatch(source, /\beval\(|new Function\(/, `${browser}/${file} evaluates code`);
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
