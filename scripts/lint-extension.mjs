// Lints the Firefox build with web-ext (Mozilla's add-on linter). Fails on any error, and on any
// warning that is not one of the explained warnings below (each is also explained in the README,
// section "web-ext lint").
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Warnings we accept, with the reason (keep in sync with the README). */
const EXPLAINED_WARNINGS = [
  {
    code: 'UNSAFE_VAR_ASSIGNMENT',
    file: 'content.js',
    message: /^Unsafe call to import/,
    why: 'content.js imports the wasm glue with import(runtime.getURL(...)): always a file packaged in the extension, never remote code',
  },
];

let output;
try {
  output = execFileSync(path.join(root, 'node_modules', '.bin', 'web-ext'),
    ['lint', '--source-dir', path.join(root, 'dist', 'firefox'), '--output', 'json', '--no-input'],
    { encoding: 'utf8' });
} catch (error) {
  // web-ext exits non-zero when it finds errors; the JSON report is still on stdout.
  output = error.stdout;
  if (!output) throw error;
}
const report = JSON.parse(output);
const unexplained = report.warnings.filter((warning) => !EXPLAINED_WARNINGS.some((known) =>
  known.code === warning.code && known.file === warning.file && known.message.test(warning.message)));

for (const error of report.errors) console.log(`error   ${error.code} ${error.file || ''}: ${error.message}`);
for (const warning of report.warnings) {
  const known = !unexplained.includes(warning);
  console.log(`warning ${warning.code} ${warning.file || ''}: ${warning.message}${known ? ' (explained)' : ' (NOT EXPLAINED)'}`);
}
console.log(`web-ext lint: ${report.errors.length} errors, ${report.warnings.length} warnings (${unexplained.length} unexplained), ${report.notices.length} notices`);
if (report.errors.length > 0 || unexplained.length > 0) process.exit(1);
