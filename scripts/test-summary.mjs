// Counts the tests in the log of a test run (scripts/test.sh tees every step into one) and prints
// how many ran, failed and were skipped, and which were skipped for want of the data that may sit
// beside the repository (../shared/: the dev corpus, the seed page; tests/lib/beside.mjs).
//
//   node scripts/test-summary.mjs [--label TEXT] [--final] LOG...
//
// It reads the runners' own closing lines: cargo test and wasm-bindgen-test ("test result: ok. 5
// passed; 0 failed; 1 ignored; ..."), node --test in TAP ("# pass 5", "# fail 0", "# skipped 1")
// and each skipped test's line ("ok 3 - name # SKIP reason"). With --final the last line is the
// plain closing line "tests: N passed, N failed, N skipped". Exits 1 when a log counts a failure
// or holds no test at all, so a summary can never hide a broken run.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The text tests/lib/beside.mjs puts in the reason of every test skipped for want of ../shared. */
export const ABSENT_MARK = 'absent beside the repository:';

const CARGO_RESULT = /^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored;/;
const TAP_TOTAL = /^# (pass|fail|skipped|cancelled) (\d+)$/;
const TAP_SKIP = /^\s*ok \d+ - (.*?) # SKIP\b ?(.*)$/;

/** Counts of one log's text. */
export function countTests(text) {
  const counts = { passed: 0, failed: 0, skipped: 0, ignored: 0, absent: [] };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, '');
    const cargo = CARGO_RESULT.exec(line);
    if (cargo) {
      counts.passed += Number(cargo[1]);
      counts.failed += Number(cargo[2]);
      counts.ignored += Number(cargo[3]);
      continue;
    }
    const total = TAP_TOTAL.exec(line);
    if (total) {
      const n = Number(total[2]);
      if (total[1] === 'pass') counts.passed += n;
      else if (total[1] === 'skipped') counts.skipped += n;
      else counts.failed += n; // fail, cancelled
      continue;
    }
    const skip = TAP_SKIP.exec(line);
    if (skip && skip[2].includes(ABSENT_MARK)) {
      const where = skip[2].slice(skip[2].indexOf(ABSENT_MARK) + ABSENT_MARK.length).trim().split(' ')[0];
      counts.absent.push({ test: skip[1], where });
    }
  }
  return counts;
}

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The lines to print for `counts`. */
export function describeCounts(counts, { label = 'tests', final = false } = {}) {
  const lines = [];
  const byFolder = new Map();
  for (const { test, where } of counts.absent) byFolder.set(where, [...(byFolder.get(where) ?? []), test]);
  if (byFolder.size === 0) {
    lines.push(`${label}: 0 skipped for want of ../shared (everything the tests can use was there)`);
  } else {
    for (const [where, tests] of byFolder) {
      lines.push(`${label}: ${plural(tests.length, 'test')} skipped for want of ${where}: ${tests.join('; ')}`);
    }
  }
  if (counts.ignored > 0) lines.push(`${label}: ${counts.ignored} cargo tests marked #[ignore] (opt-in long runs, not part of npm test)`);
  const closing = `${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`;
  lines.push(final ? `tests: ${closing}` : `${label}: ${closing}`);
  return lines;
}

function main(argv) {
  const args = [...argv];
  let label = 'tests';
  let final = false;
  const files = [];
  while (args.length > 0) {
    const arg = args.shift();
    if (arg === '--label') label = args.shift();
    else if (arg === '--final') final = true;
    else files.push(arg);
  }
  if (files.length === 0) {
    console.error('usage: node scripts/test-summary.mjs [--label TEXT] [--final] LOG...');
    return 2;
  }
  const counts = countTests(files.map((file) => fs.readFileSync(file, 'utf8')).join('\n'));
  for (const line of describeCounts(counts, { label, final })) console.log(line);
  if (counts.passed === 0) {
    console.error(`${label}: the log counts no test that passed; something did not run`);
    return 1;
  }
  return counts.failed > 0 ? 1 : 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  process.exitCode = main(process.argv.slice(2));
}
