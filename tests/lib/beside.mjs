// Data that some tests read from beside the repository (../shared/: the dev corpus of real pages,
// the mission's seed page). The product's own tests never need it; the ones that do are skipped
// when it is absent, each with one line that names the folder, in one form that scripts/test.sh
// counts at the end of `npm test` ("N skipped for want of ../shared/...").
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The dev corpus; UNSPONSOR_CORPUS points the tests at another corpus folder. */
export const CORPUS_DIR = path.resolve(process.env.UNSPONSOR_CORPUS ?? path.join(REPO_ROOT, '..', 'shared', 'corpus', 'dev'));
/** The visible text of the real page the demo reproduces. */
export const SEED_PAGE_PATH = path.resolve(REPO_ROOT, '..', 'shared', 'mission', 'seed-page.txt');

// The marker scripts/test-summary.mjs looks for in the test runners' output.
import { ABSENT_MARK } from '../../scripts/test-summary.mjs';

function shown(location) {
  const relative = path.relative(REPO_ROOT, location);
  return relative.startsWith('..') && !path.isAbsolute(relative) ? relative : location;
}

/**
 * `false` when `location` exists, else the reason to give node:test's `skip` option: one line naming
 * the folder or file, which the runner prints beside the skipped test.
 */
export function skipUnlessPresent(location, what) {
  if (fs.existsSync(location)) return false;
  return `${ABSENT_MARK} ${shown(location)} (${what}) is not there, so this test is skipped`;
}
