// `node scripts/corpus-assemble.mjs --corpus DIR [--out DIR] [--from-git DIR]`
//
// Makes an evaluation corpus from ground truth and pages kept by others. The truth folder holds,
// per page, only `<case>/truth.json`, whose `source` names where the page lies: repository,
// commit, path, the sha256 of its bytes, gzip or not. The pages are third-party test data, so
// neither they nor their truth are committed here (the rendered-widget corpus of issue 18 is such
// a folder, kept beside the project; docs/PERFORMANCE.md gives its figures). This script fetches
// each page at that commit, checks its sha256, and writes `<out>/<case>/source.html` beside a copy
// of truth.json: a folder `npm run eval -- --corpus <out>` reads like ../shared/corpus/dev.
//
//   --corpus DIR    the truth files (required)
//   --out DIR       where the corpus is written (default target/corpus/<name of DIR>; target/ is
//                   never committed)
//   --from-git DIR  read pages from local clones instead of the network: DIR/<owner>+<name> is a
//                   clone (or bare git directory, or holds one at repo/) of each repository
//
// Without --from-git the pages come from raw.githubusercontent.com: this development script is the
// only part of the project that uses the network, and only when asked to. A page already in --out
// with the right sha256 is not fetched again. Exits non-zero if any page could not be had.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = 'usage: node scripts/corpus-assemble.mjs --corpus DIR [--out DIR] [--from-git DIR]';

export function parseArguments(argv) {
  const options = { corpus: null, out: null, fromGit: null };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index];
    const value = () => {
      if (index + 1 >= argv.length) throw new Error(`${argument} needs a value`);
      return argv[++index];
    };
    if (argument === '--corpus') options.corpus = path.resolve(value());
    else if (argument === '--out') options.out = path.resolve(value());
    else if (argument === '--from-git') options.fromGit = path.resolve(value());
    else if (argument === '--help' || argument === '-h') options.help = true;
    else throw new Error(`unknown argument ${argument}`);
  }
  if (!options.help && !options.corpus) throw new Error('--corpus DIR is required');
  options.out ??= options.corpus && path.join(root, 'target', 'corpus', path.basename(options.corpus));
  return options;
}

/** The checks every truth.json of such a corpus must pass; returns a list of problems. */
export function truthProblems(truth) {
  const problems = [];
  const source = truth.source || {};
  for (const key of ['repo', 'commit', 'path', 'licence', 'sha256']) {
    if (typeof source[key] !== 'string' || !source[key]) problems.push(`source.${key} is missing`);
  }
  if (source.repo && !/^[\w.-]+\/[\w.-]+$/.test(source.repo)) problems.push(`source.repo "${source.repo}" is not owner/name`);
  if (source.commit && !/^[0-9a-f]{40}$/.test(source.commit)) problems.push('source.commit is not a full commit id');
  if (source.sha256 && !/^[0-9a-f]{64}$/.test(source.sha256)) problems.push('source.sha256 is not a sha256');
  for (const key of ['keep', 'remove_sponsored']) {
    if (!Array.isArray(truth[key]) || truth[key].length === 0) problems.push(`${key} is empty`);
  }
  if (!truth.widget_selectors || typeof truth.widget_selectors !== 'object') problems.push('widget_selectors is missing');
  return problems;
}

/** Where GitHub serves a file at a commit. */
export function rawUrl(source) {
  return `https://raw.githubusercontent.com/${source.repo}/${source.commit}/${source.path.split('/').map(encodeURIComponent).join('/')}`;
}

/** The git directory of `repo` under `dir` (a clone, a bare directory, or one at repo/), or null. */
export function localGitDir(dir, repo) {
  const base = path.join(dir, repo.replace('/', '+'));
  for (const candidate of [path.join(base, 'repo'), path.join(base, '.git'), base]) {
    if (fs.existsSync(path.join(candidate, 'HEAD')) || fs.existsSync(path.join(candidate, 'objects'))) return candidate;
  }
  return null;
}

async function fetchBytes(source, fromGit) {
  if (fromGit) {
    const gitDir = localGitDir(fromGit, source.repo);
    if (!gitDir) throw new Error(`no clone of ${source.repo} under ${fromGit}`);
    return execFileSync('git', ['--git-dir', gitDir, 'show', `${source.commit}:${source.path}`], { maxBuffer: 64 << 20 });
  }
  const url = rawUrl(source);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`${url}: ${error.cause?.code || error.cause?.message || error.message} (no network? --from-git reads local clones)`);
  }
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/**
 * Writes `<out>/<case>/source.html` and truth.json for every case of `corpus`; answers
 * { cases, fetched, errors: [`case: message`] }.
 */
export async function assemble({ corpus, out, fromGit = null }) {
  const cases = fs.readdirSync(corpus, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(corpus, entry.name, 'truth.json')))
    .map((entry) => entry.name)
    .sort();
  if (cases.length === 0) throw new Error(`no <case>/truth.json under ${corpus}`);
  const errors = [];
  let fetched = 0;
  for (const name of cases) {
    const truthText = fs.readFileSync(path.join(corpus, name, 'truth.json'), 'utf8');
    const truth = JSON.parse(truthText);
    const problems = truthProblems(truth);
    const target = path.join(out, name);
    const page = path.join(target, 'source.html');
    try {
      if (problems.length) throw new Error(problems.join('; '));
      fs.mkdirSync(target, { recursive: true });
      fs.writeFileSync(path.join(target, 'truth.json'), truthText);
      if (fs.existsSync(page) && sha256(fs.readFileSync(page)) === truth.source.sha256) continue;
      let bytes = await fetchBytes(truth.source, fromGit);
      if (truth.source.gzip) bytes = zlib.gunzipSync(bytes);
      if (sha256(bytes) !== truth.source.sha256) throw new Error(`sha256 differs from truth.json (${truth.source.repo} ${truth.source.path})`);
      fs.writeFileSync(page, bytes);
      fetched += 1;
    } catch (error) {
      errors.push(`${name}: ${error.message}`);
    }
  }
  return { cases: cases.length, fetched, errors };
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const { cases, fetched, errors } = await assemble(options);
  for (const error of errors) console.error(error);
  console.log(`${cases - errors.length} of ${cases} pages in ${options.out} (${fetched} fetched now)`);
  if (errors.length === 0) console.log(`next: npm run eval -- --corpus ${path.relative(process.cwd(), options.out) || '.'}`);
  return errors.length === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then((code) => process.exit(code), (error) => {
    console.error(`corpus-assemble: ${error.message}\n${USAGE}`);
    process.exit(2);
  });
}
