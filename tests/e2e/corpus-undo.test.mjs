// Undo exactness on every page of the dev corpus: runs scripts/check-undo.mjs on
// ../shared/corpus/dev (beside the repository) and passes when every page's
// document.documentElement.outerHTML after clean + Undo is identical to before.
//
//   npm run build && node --test tests/e2e/corpus-undo.test.mjs      # about a minute
//
// Skipped, with a message, when the corpus folder is absent. Environment: UNSPONSOR_CORPUS (default
// <repo>/../shared/corpus/dev), UNSPONSOR_DIST and CHROMIUM as for check-undo.mjs.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './lib/config.mjs';
import { CORPUS_DIR, skipUnlessPresent } from '../lib/beside.mjs';

const SCRIPT = path.join(REPO_ROOT, 'scripts', 'check-undo.mjs');
const SUMMARY = /^(\d+) pages, (\d+) undo mismatches, (\d+) errors/m;

const corpusAbsent = skipUnlessPresent(CORPUS_DIR, 'the dev corpus of real pages');

test(
  `Undo restores every page of the dev corpus exactly (scripts/check-undo.mjs --corpus ${path.relative(REPO_ROOT, CORPUS_DIR)})`,
  { timeout: 600_000, skip: corpusAbsent },
  async () => {
    const { code, signal, output } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [SCRIPT, '--corpus', CORPUS_DIR], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, output }));
    });
    const summary = SUMMARY.exec(output);
    if (summary) console.log(summary[0]);
    assert.notEqual(code, 2, `check-undo.mjs could not run (harness failure):\n${output}`);
    assert.ok(summary, `check-undo.mjs printed no summary line (exit ${code}${signal ? `, ${signal}` : ''}):\n${output}`);
    assert.ok(Number(summary[1]) > 0, `check-undo.mjs checked no page:\n${output}`);
    assert.equal(code, 0, `Undo did not restore every page exactly:\n${output}`);
  },
);
