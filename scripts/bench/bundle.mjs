// Bundle sizes for `npm run bench`: the files the extension ships that cost download and parse
// time, raw and gzip (level 9, as tests/node/build-output.test.mjs measures the wasm budget).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * One entry per file of the built extension folder (dist/chrome): the wasm core, its JS glue,
 * every file of the wasm2js fallback, the compiled EasyList rules and their index (the core's
 * lookup tables, made at build time). A missing file is an entry with `missing: true` (the rules
 * are absent when the build had no EasyList).
 */
export function measureBundle(extensionDir) {
  const entries = [
    { name: 'wasm', file: 'pkg/unsponsor_bg.wasm', what: 'the Rust core, WebAssembly' },
    { name: 'glue', file: 'pkg/unsponsor.js', what: 'wasm-bindgen JS glue' },
  ];
  const fallbackDir = path.join(extensionDir, 'pkg-js');
  const fallback = fs.existsSync(fallbackDir) ? fs.readdirSync(fallbackDir).filter((file) => file.endsWith('.js')).sort() : [];
  for (const file of fallback) {
    entries.push({ name: `wasm2js:${file}`, file: `pkg-js/${file}`, what: file.includes('w2j') ? 'the Rust core, wasm2js' : 'wasm2js fallback glue' });
  }
  entries.push({ name: 'rules', file: 'rules/easylist.rules', what: 'compiled EasyList rules, with their index (the lookup tables made at build time) behind them' });
  return entries.map((entry) => {
    const full = path.join(extensionDir, entry.file);
    if (!fs.existsSync(full)) return { ...entry, missing: true, raw_bytes: null, gzip_bytes: null };
    const data = fs.readFileSync(full);
    return { ...entry, raw_bytes: data.length, gzip_bytes: zlib.gzipSync(data, { level: 9 }).length };
  });
}
