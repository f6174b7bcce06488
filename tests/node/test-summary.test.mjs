// Tests for scripts/test-summary.mjs: the count at the end of `npm test` is read from the runners'
// own closing lines, and names the tests skipped for want of ../shared.
import assert from 'node:assert/strict';
import test from 'node:test';
import { ABSENT_MARK, countTests, describeCounts } from '../../scripts/test-summary.mjs';

const LOG = [
  'running 3 tests',
  'test result: ok. 49 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 3.57s',
  '\x1b[1mtest result: ok. 1 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\x1b[0m',
  'test result: ok. 19 passed; 0 failed; 0 ignored; 0 filtered out; finished in 4.28s', // wasm-bindgen-test
  'ok 1 - builds # SKIP not on this machine',
  `    ok 2 - undo on the corpus # SKIP ${ABSENT_MARK} ../shared/corpus/dev (the dev corpus of real pages) is not there, so this test is skipped`,
  `ok 3 - the seed page # SKIP ${ABSENT_MARK} ../shared/mission/seed-page.txt (the seed page) is not there, so this test is skipped`,
  '# pass 80',
  '# fail 0',
  '# skipped 3',
  '# cancelled 0',
  '# pass 70',
  '# fail 2',
  '# skipped 0',
  '# cancelled 1',
].join('\n');

test('adds up cargo, wasm-bindgen-test and node TAP counts, colours or not', () => {
  const counts = countTests(LOG);
  assert.equal(counts.passed, 49 + 1 + 19 + 80 + 70);
  assert.equal(counts.failed, 2 + 1, 'a cancelled test counts as failed');
  assert.equal(counts.skipped, 3);
  assert.equal(counts.ignored, 1);
  assert.deepEqual(counts.absent, [
    { test: 'undo on the corpus', where: '../shared/corpus/dev' },
    { test: 'the seed page', where: '../shared/mission/seed-page.txt' },
  ]);
});

test('names the tests skipped for want of ../shared by folder, and ends with the plain closing line', () => {
  const lines = describeCounts(countTests(LOG), { final: true });
  assert.match(lines[0], /^tests: 1 test skipped for want of \.\.\/shared\/corpus\/dev: undo on the corpus$/);
  assert.match(lines[1], /^tests: 1 test skipped for want of \.\.\/shared\/mission\/seed-page\.txt: the seed page$/);
  assert.equal(lines.at(-1), 'tests: 219 passed, 3 failed, 3 skipped');
});

test('says so when nothing was skipped for want of ../shared', () => {
  const lines = describeCounts(countTests('# pass 5\n# fail 0\n# skipped 0'), { label: 'clone' });
  assert.deepEqual(lines, ['clone: 0 skipped for want of ../shared (everything the tests can use was there)', 'clone: 5 passed, 0 failed, 0 skipped']);
});
