// `npm run fixture:new -- <URL or file> [--name NAME] [--force]`
//
// Turns a real page where the cleaner went wrong into a fixture in one command: the page is read
// (a saved file, or fetched once from its address: a developer's tool, never the extension),
// trimmed to what the core reads (no scripts, styles, comments, metadata or inline pictures;
// whitespace collapsed), and written to tests/fixtures/NAME.html under the header that
// tests/fixtures.rs reads: the source, and a ground-truth stub to fill in by reading the page.
// Until its `cause:`, `gone:` and `kept:` lines say something true, `cargo test --test fixtures`
// fails on it, so a stub is never committed by mistake.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES_DIR = path.join(root, 'tests', 'fixtures');
/** The stub's placeholder: a text no page holds, so the fixture test fails until it is replaced. */
export const TODO = 'TODO (read the page)';

/** Elements whose contents the core never reads: removed with everything inside. */
const DROPPED_ELEMENTS = ['script', 'style', 'noscript', 'template'];
/** Empty elements that only carry metadata. */
const DROPPED_TAGS = ['link', 'meta', 'base'];

/**
 * The page trimmed to what the core reads: elements, their names and attributes, and text. Raw
 * text elements end at their first end tag (HTML's own rule), so the patterns below are exact
 * for them; inline SVG keeps its element but not its drawing.
 */
export function trimPage(html) {
  let out = html.replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of DROPPED_ELEMENTS) {
    out = out.replace(new RegExp(`<${tag}\\b[^>]*>[\\s\\S]*?</${tag}\\s*>`, 'gi'), '');
  }
  out = out.replace(new RegExp(`<(?:${DROPPED_TAGS.join('|')})\\b[^>]*>`, 'gi'), '');
  out = out.replace(/(<svg\b[^>]*>)[\s\S]*?(<\/svg\s*>)/gi, '$1$2');
  // Inline pictures (data: URLs) are long and never a signal.
  out = out.replace(/\s(src|srcset|href)\s*=\s*"data:[^"]*"/gi, '');
  out = out.replace(/\sstyle\s*=\s*"[^"]*"/gi, '');
  return out.replace(/[ \t\r\f]+/g, ' ').replace(/\s*\n\s*/g, '\n').replace(/\n{2,}/g, '\n').trim();
}

/** A fixture name from the source: the address's host and last path part, or the file's name. */
export function fixtureName(source) {
  let base;
  try {
    const address = new URL(source);
    if (!/^https?:$/.test(address.protocol)) throw new Error('not a web address');
    const last = address.pathname.split('/').filter(Boolean).pop() || 'home';
    base = `${address.hostname.replace(/^www\./, '')}-${last}`;
  } catch {
    base = path.basename(source).replace(/\.[a-z0-9]+$/i, '');
  }
  return base.toLowerCase().replace(/\.html?$/, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'page';
}

/** The header tests/fixtures.rs reads, with the source and a stub for the ground truth. */
export function fixtureHeader(source, savedOn) {
  return [
    '<!--',
    `site: ${source} (saved ${savedOn} with npm run fixture:new)`,
    `cause: ${TODO}: what the cleaner did wrong on this page, and why`,
    `gone: ${TODO}: a text of a block that must be removed`,
    `kept: ${TODO}: a text of the article that must stay`,
    '-->',
  ].join('\n');
}

/** The fixture file's text for a page read from `source`. */
export function fixtureText(html, source, savedOn) {
  return `${fixtureHeader(source, savedOn)}\n${trimPage(html)}\n`;
}

async function readSource(source) {
  if (/^https?:\/\//i.test(source)) {
    const response = await fetch(source, { redirect: 'follow' });
    if (!response.ok) throw new Error(`${source} answered HTTP ${response.status}`);
    return response.text();
  }
  if (!fs.existsSync(source)) throw new Error(`${source} is neither a web address nor a file`);
  return fs.readFileSync(source, 'utf8');
}

function parseArguments(argv) {
  const options = { source: null, name: null, force: false };
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--name') options.name = argv[++i];
    else if (argument === '--force') options.force = true;
    else if (argument.startsWith('--')) throw new Error(`unknown option ${argument}`);
    else if (options.source) throw new Error('give one page (a URL or a file)');
    else options.source = argument;
  }
  if (!options.source) throw new Error('usage: npm run fixture:new -- <URL or file> [--name NAME] [--force]');
  if (options.name !== null && !/^[a-z0-9][a-z0-9-]*$/.test(options.name)) throw new Error('--name takes lower-case letters, digits and dashes');
  return options;
}

/** Writes the fixture; returns its path. Refuses to overwrite one unless `force`. */
export async function newFixture({ source, name, force }, { dir = FIXTURES_DIR, today = new Date() } = {}) {
  const html = await readSource(source);
  const file = path.join(dir, `${name || fixtureName(source)}.html`);
  if (fs.existsSync(file) && !force) throw new Error(`${path.relative(root, file)} exists already (--force to replace it, --name for another name)`);
  fs.writeFileSync(file, fixtureText(html, source, today.toISOString().slice(0, 10)));
  return file;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const options = parseArguments(process.argv.slice(2));
    const file = await newFixture(options);
    const bytes = fs.statSync(file).size;
    console.log(`wrote ${path.relative(root, file)} (${bytes.toLocaleString('en')} bytes)`);
    console.log('next: trim it further to the blocks that matter, then replace the TODO lines of its');
    console.log('header (cause:, and gone:/kept: texts copied from the page) and run');
    console.log('  cargo test --test fixtures');
    console.log('which fails on this fixture until they say something true.');
  } catch (error) {
    console.error(`fixture:new: ${error.message}`);
    process.exit(1);
  }
}
