// Refreshes the repository's copy of EasyList's element-hiding rules (third_party/easylist/) from
// a full EasyList file: `npm run update-easylist -- [FILE-or-URL] [--from "where it came from"]`
// (default: the published list; --from names the origin in the header when FILE is a local copy).
//
// The build compiles the copy (scripts/compile-rules.mjs); nothing at build or run time reaches the
// network. This command is the one place that may: a maintainer runs it, reviews the diff and
// commits it, so every build of a given commit ships exactly the same rules.
//
// What is kept, unmodified and in order (see third_party/easylist/README.md):
//   easylist-cosmetic.txt     every element-hiding line (`##`, `#@#`, `#?#`, `#@?#`) of the
//                             sections named in COSMETIC_SECTIONS; network rules, comments and
//                             blank lines are left out
//   easylist-generichide.txt  every `@@...$generichide` rule of the whole list (sites where generic
//                             hiding must be switched off)
// Both start with a header naming the list's version (its `! Version:` line), which the build
// carries into the extension (the options page shows it).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findVersion } from './compile-rules.mjs';

export const DEFAULT_SOURCE = 'https://easylist.to/easylist/easylist.txt';
export const EASYLIST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'third_party', 'easylist');

/** The sections of easylist.txt whose element-hiding rules the extension uses. */
export const COSMETIC_SECTIONS = Object.freeze([
  'easylist/easylist_general_hide.txt',
  'easylist/easylist_allowlist_general_hide.txt',
  'easylist/easylist_specific_hide.txt',
  'easylist/easylist_specific_hide_abp.txt',
  'easylist_adult/adult_specific_hide.txt',
]);

const SECTION_MARK = /^! \*\*\* easylist:(\S+) \*\*\*$/;
const COSMETIC_SEPARATOR = /#@?\??#/;

/** `@@...$options` where the options hold `generichide`. */
function isGenerichideRule(line) {
  if (!line.startsWith('@@')) return false;
  const options = line.slice(line.lastIndexOf('$') + 1);
  return line.includes('$') && options.split(',').includes('generichide');
}

/** One header line a comment: the list's own field, or null when the list lacks it. */
function headerField(lines, name) {
  const prefix = `! ${name}:`;
  const line = lines.find((candidate) => candidate.startsWith(prefix));
  return line ? line.slice(prefix.length).trim() : null;
}

/**
 * Splits a full EasyList text into the two files the build reads. Throws when the text is not
 * EasyList as expected (no version, a section missing, no rules), so a damaged download never
 * replaces a good copy.
 */
export function extractEasylist(text, source = DEFAULT_SOURCE) {
  const lines = text.split(/\r?\n/).map((line) => line.trim());
  const version = headerField(lines, 'Version');
  if (!version || !/^\d{6,}$/.test(version)) throw new Error('not an EasyList file: no "! Version:" line with a number');
  const modified = headerField(lines, 'Last modified') ?? 'unknown';
  const commit = headerField(lines, 'Commit');

  const cosmetic = new Map(COSMETIC_SECTIONS.map((section) => [section, []]));
  const generichide = [];
  let section = null;
  for (const line of lines) {
    const mark = SECTION_MARK.exec(line);
    if (mark) {
      section = mark[1];
      continue;
    }
    if (line === '' || line.startsWith('!') || line.startsWith('[')) continue;
    if (isGenerichideRule(line)) generichide.push(line);
    else if (cosmetic.has(section) && COSMETIC_SEPARATOR.test(line)) cosmetic.get(section).push(line);
  }
  for (const [name, rules] of cosmetic) {
    if (rules.length === 0) throw new Error(`EasyList ${version}: the section ${name} has no element-hiding rules`);
  }

  const origin = [
    `! Derived from: EasyList Version ${version}, Last modified ${modified}${commit ? `,` : ''}`,
    ...(commit ? [`!   easylist/easylist commit ${commit}`] : []),
    `!   taken from ${source} by scripts/update-easylist.mjs`,
  ];
  const cosmeticText = [
    '[Adblock Plus 2.0]',
    '! Title: EasyList - cosmetic (element hiding) rules only',
    ...origin,
    '! Contents: every ##, #@#, #?# line of the sections listed below, unmodified, in original order.',
    '!   Network rules, comments and blank lines were dropped.',
    '! Homepage: https://easylist.to/',
    '! Licence: https://easylist.to/pages/licence.html  (dual-licensed GPLv3 or CC BY-SA 3.0, at your option)',
    '!   This file is a modified (filtered) copy of EasyList; credit: The EasyList authors (https://easylist.to/).',
    ...[...cosmetic].flatMap(([name, rules]) => [`! *** easylist:${name} (${rules.length} rules) ***`, ...rules]),
  ].join('\n');
  const generichideText = [
    `! EasyList (Version ${version}) $generichide exception rules, extracted from easylist.txt; licence as EasyList (GPLv3 or CC BY-SA 3.0)`,
    ...generichide,
  ].join('\n');
  return {
    version,
    cosmetic: `${cosmeticText}\n`,
    generichide: `${generichideText}\n`,
    counts: { cosmetic: [...cosmetic.values()].reduce((sum, rules) => sum + rules.length, 0), generichide: generichide.length },
  };
}

/** The version of the copy in `dir` (read from its header as the build reads it), or null. */
export function copyVersion(dir = EASYLIST_DIR) {
  const file = path.join(dir, 'easylist-cosmetic.txt');
  return fs.existsSync(file) ? findVersion(fs.readFileSync(file, 'utf8').slice(0, 2000)) : null;
}

async function readSource(source) {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source);
    if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
    return response.text();
  }
  return fs.readFileSync(source, 'utf8');
}

function isMain() {
  try {
    return Boolean(process.argv[1]) && import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const args = process.argv.slice(2);
  const fromAt = args.indexOf('--from');
  const origin = fromAt >= 0 ? args.splice(fromAt, 2)[1] : null;
  const source = args[0] || DEFAULT_SOURCE;
  try {
    const extracted = extractEasylist(await readSource(source), origin || source);
    fs.mkdirSync(EASYLIST_DIR, { recursive: true });
    fs.writeFileSync(path.join(EASYLIST_DIR, 'easylist-cosmetic.txt'), extracted.cosmetic);
    fs.writeFileSync(path.join(EASYLIST_DIR, 'easylist-generichide.txt'), extracted.generichide);
    console.log(`update-easylist: EasyList ${extracted.version}: ${extracted.counts.cosmetic} element-hiding rules, `
      + `${extracted.counts.generichide} $generichide rules → ${path.relative(process.cwd(), EASYLIST_DIR) || '.'}/`);
    console.log('Review the diff (git diff --stat third_party/easylist), run `npm test`, then commit.');
  } catch (error) {
    console.error(`update-easylist: ${error.message}; the copy in ${EASYLIST_DIR} is unchanged`);
    process.exit(1);
  }
}
