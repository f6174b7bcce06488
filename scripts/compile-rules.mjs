// Build-time compiler for EasyList's cosmetic (element-hiding) rules.
//
// Reads `easylist-cosmetic.txt` and `easylist-generichide.txt` (the repository's copy in
// third_party/easylist/, see its README.md) and writes a small line-based file that the Rust
// core parses at run time:
//
//   !unsponsor-rules 1
//   !Derived from EasyList ... licensed CC BY-SA 3.0 ... Version: <n>
//   c<class>                generic `##.name`: exactly one class, written without escapes
//   i<id>                   generic `###name`: exactly one id, written without escapes
//   k<key>\t<selector>      generic selector with a key: the first `.class` / `#id` of a top-level
//                           compound (never inside :not/:is/:where/:has). The key is the unescaped
//                           name with its "." or "#" prefix; the selector can only match when an
//                           element with that class / id exists.
//   g<selector>             generic selector without such a key
//   s<domains>\t<selector>  site-specific hiding, domains exactly as written
//   x<domains>\t<selector>  exception (`#@#`), domains as written, empty = everywhere
//   h<domain>               `@@||domain^$generichide`: generic rules off on domain + subdomains
//   H<substring>            other `$generichide` URL patterns: generic rules off on URLs that
//                           contain the substring (wildcard patterns are cut at the first `*` or
//                           `^`, which widens them: fewer hidden elements, never more)
//
// Groups come in the order k, g, x, h, H, c, i, s (the many simple lines last, see KINDS), each
// in input order with duplicates removed. Selectors are kept as
// written (trimmed), so an exception's selector compares equal to the hiding rule it cancels; a
// `c`/`i` name is emitted only when "." / "#" + name is exactly the original selector text.
//
// Every selector is validated: css-what parses it, a tree walk rejects pseudo-elements,
// pseudo-classes outside a fixed allow-list and procedural (ABP/uBO) extensions, and a lexical
// pass rejects what css-what accepts but browsers do not (`#300x250`, `[a=b.c]`, `a:before` ...).
//
// Usage: node scripts/compile-rules.mjs [DIR] [OUT]   (default DIR third_party/easylist, OUT stdout)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse } from 'css-what';

export const FORMAT_HEADER = '!unsponsor-rules 1';
export const MAX_SELECTOR_LENGTH = 1000;

const COSMETIC_FILE = 'easylist-cosmetic.txt';
const GENERICHIDE_FILE = 'easylist-generichide.txt';

/** Output kinds, in output order, with their stats name. */
// Output order. The many simple lines (c, i, s) come last: the build's index of the file
// (src/core/easylist.rs, `RuleSet::index`) holds them as tables, and a loader with the index
// reads the text only up to where they begin.
const KINDS = [
  ['k', 'keyed'],
  ['g', 'unkeyed'],
  ['x', 'exception'],
  ['h', 'generichide'],
  ['H', 'generichide_url'],
  ['c', 'generic_class'],
  ['i', 'generic_id'],
  ['s', 'site'],
];

export const REJECT_REASONS = [
  'procedural', // ABP/uBO procedural syntax (`:has-text`, `:-abp-*`, `sel {css}`, non-CSS `#?#` ...)
  'invalid', // not a selector a browser accepts (parse error, `#300x250`, tab in selector ...)
  'pseudo_element', // `::before`, `:after` ...
  'unsupported_pseudo', // a pseudo-class outside the allow-list (`:hover`, `:focus` ...)
  'too_long', // selector longer than MAX_SELECTOR_LENGTH
  'too_broad', // generic `html`, `body`, `*`, `:root`; generichide that would cover every URL
  'invalid_domain', // a domain list entry that is not a host name
  'unsupported_syntax', // a cosmetic line that is not `##`, `#@#`, `#?#` or `#@?#` (snippets ...)
  'unsupported_option', // a generichide rule with options we cannot express
  'unsupported_pattern', // a generichide line that is not an `@@...$generichide` rule
  'duplicate', // same output line as an earlier rule
];

const ALLOWED_PSEUDOS = new Set([
  'not', 'is', 'where', 'has',
  'nth-child', 'nth-last-child', 'nth-of-type', 'nth-last-of-type',
  'first-child', 'last-child', 'only-child', 'first-of-type', 'last-of-type', 'only-of-type',
  'empty', 'root', 'link', 'any-link', 'checked', 'disabled', 'enabled',
]);
const SELECTOR_ARG_PSEUDOS = new Set(['not', 'is', 'where', 'has']);
const NTH_PSEUDOS = new Set(['nth-child', 'nth-last-child', 'nth-of-type', 'nth-last-of-type']);
/**
 * Procedural / scriptlet-like pseudo-classes of AdBlock Plus, uBlock Origin and AdGuard, by name,
 * and the prefix that marks more of them. The core refuses the same ones in the reader's rules:
 * its list (`PROCEDURAL_PSEUDO_CLASSES` in src/core/user_rules.rs, `constants()` of the built
 * core) is the one source, and tests/node/one-source.test.mjs fails when this copy differs.
 */
export const PROCEDURAL_PSEUDO_CLASSES = Object.freeze([
  'has-text', 'contains', 'xpath', 'upward', 'remove', 'style', 'matches-css',
  'matches-css-before', 'matches-css-after', 'min-text-length', 'watch-attr', 'watch-attrs',
  'matches-path', 'matches-attr', 'matches-prop', 'matches-property', 'matches-media', 'others',
  'if', 'if-not', 'nth-ancestor', 'remove-attr', 'remove-class', 'properties', 'spath',
]);
export const PROCEDURAL_PSEUDO_CLASS_PREFIX = '-abp-';
const PROCEDURAL_PSEUDOS = new Set(PROCEDURAL_PSEUDO_CLASSES);
const escapeForRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PROCEDURAL_RE = new RegExp(
  `:(?:${escapeForRegExp(PROCEDURAL_PSEUDO_CLASS_PREFIX)}[\\w-]+|${[...PROCEDURAL_PSEUDO_CLASSES].sort((a, b) => b.length - a.length).map(escapeForRegExp).join('|')})\\(`,
  'i',
);
const STYLE_INJECTION_RE = /\{[^{}]*\}$/;
const COMBINATORS = new Set(['descendant', 'child', 'sibling', 'adjacent']);
/** An+B: `odd`, `even`, `3`, `-n+3`, `2n + 1` (`of S` is not accepted). */
const NTH_RE = /^\s*(?:odd|even|[+-]?\d+|[+-]?\d*n(?:\s*[+-]\s*\d+)?)\s*$/i;
/** A class / id name that needs no escaping when written after "." or "#". */
const PLAIN_IDENT_RE = /^(?:-?[A-Za-z_\u0080-\uFFFF]|--)[\w\u0080-\uFFFF-]*$/;
/** One entry of a `domains##` list: host name or IP, optional `~`, optional `.*` entity suffix. */
const DOMAIN_ENTRY_RE = /^~?[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*(?:\.\*)?$/i;
/** `||domain^` generichide pattern. */
const DOMAIN_ANCHOR_RE = /^\|\|([a-z0-9_-]+(?:\.[a-z0-9_-]+)*(?:\.\*)?)\^$/i;

class Reject extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

// ---------------------------------------------------------------------------------------------
// Selector validation

/**
 * Validates one selector. Returns `{ ok: true, ast }` or `{ ok: false, reason }`.
 * `generic`: also reject selectors that match whole documents (`html`, `body`, `*`, `:root`).
 */
export function validateSelector(selector, { generic = false } = {}) {
  try {
    return { ok: true, ast: checkSelector(selector, generic) };
  } catch (err) {
    if (err instanceof Reject) return { ok: false, reason: err.reason };
    throw err;
  }
}

function checkSelector(selector, generic) {
  if (selector.length === 0) throw new Reject('invalid');
  if (selector.length > MAX_SELECTOR_LENGTH) throw new Reject('too_long');
  // TAB / newline would break the line format; other control characters have no business here.
  if (/[\x00-\x1f\x7f]/.test(selector)) throw new Reject('invalid');
  // uBO / AdGuard CSS injection (`sel {top: 0}`) restyles rather than hides: not ours to apply.
  if (STYLE_INJECTION_RE.test(selector)) throw new Reject('procedural');
  let ast;
  try {
    ast = parse(selector);
  } catch {
    throw new Reject(PROCEDURAL_RE.test(selector) ? 'procedural' : 'invalid');
  }
  walkList(ast, { relative: false, inHas: false });
  lexCheck(selector);
  if (generic && ast.some(isWholeDocument)) throw new Reject('too_broad');
  return ast;
}

function walkList(list, ctx) {
  if (list.length === 0) throw new Reject('invalid');
  for (const tokens of list) walkSelector(tokens, ctx);
}

function walkSelector(tokens, { relative, inHas }) {
  if (tokens.length === 0) throw new Reject('invalid');
  let previousWasCombinator = false;
  tokens.forEach((t, index) => {
    const isCombinator = COMBINATORS.has(t.type);
    if (isCombinator) {
      // A leading combinator is allowed only in :has() (relative selector); never trailing or doubled.
      if ((index === 0 && !relative) || index === tokens.length - 1 || previousWasCombinator) {
        throw new Reject('invalid');
      }
      previousWasCombinator = true;
      return;
    }
    previousWasCombinator = false;
    switch (t.type) {
      case 'tag':
      case 'universal':
        if (t.namespace != null) throw new Reject('invalid');
        return;
      case 'attribute':
        // `!=` (css-what's "not") is jQuery; the `s` flag is not supported by every browser.
        if (t.namespace != null || t.action === 'not' || t.ignoreCase === false) {
          throw new Reject('invalid');
        }
        return;
      case 'pseudo-element':
        throw new Reject('pseudo_element');
      case 'pseudo': {
        const name = t.name.toLowerCase();
        if (name.startsWith(PROCEDURAL_PSEUDO_CLASS_PREFIX) || PROCEDURAL_PSEUDOS.has(name)) throw new Reject('procedural');
        if (!ALLOWED_PSEUDOS.has(name)) throw new Reject('unsupported_pseudo');
        if (SELECTOR_ARG_PSEUDOS.has(name)) {
          if (!Array.isArray(t.data)) throw new Reject('invalid');
          if (name === 'has') {
            if (inHas) throw new Reject('invalid'); // browsers reject :has() inside :has()
            walkList(t.data, { relative: true, inHas: true });
          } else {
            walkList(t.data, { relative: false, inHas });
          }
        } else if (NTH_PSEUDOS.has(name)) {
          if (typeof t.data !== 'string' || !NTH_RE.test(t.data)) throw new Reject('invalid');
        } else if (t.data != null) {
          throw new Reject('invalid'); // `:first-child(x)`
        }
        return;
      }
      default: // parent `<`, column `||`, anything css-what adds later
        throw new Reject('invalid');
    }
  });
}

/** One top-level alternative that is a single compound of html / body / * / :root only. */
function isWholeDocument(tokens) {
  return tokens.every(
    (t) =>
      t.type === 'universal' ||
      (t.type === 'tag' && (t.name.toLowerCase() === 'html' || t.name.toLowerCase() === 'body')) ||
      (t.type === 'pseudo' && t.name.toLowerCase() === 'root'),
  );
}

// Lexical pass on the raw text: css-what is lenient where browsers are not. Follows the token
// rules of CSS Syntax Level 3 closely enough for selectors: names after "." / "#" / ":" and tag
// names must be identifiers, attribute values must be identifiers or strings, no stray characters.

const isNameStart = (c) => c !== undefined && (/[A-Za-z_]/.test(c) || c.charCodeAt(0) >= 0x80);
const isNameChar = (c) => c !== undefined && (/[\w-]/.test(c) || c.charCodeAt(0) >= 0x80);
const isEscape = (s, i) => s[i] === '\\' && i + 1 < s.length && s[i + 1] !== '\n';
const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';

function startsIdent(s, i) {
  if (s[i] === '-') return s[i + 1] === '-' || isNameStart(s[i + 1]) || isEscape(s, i + 1);
  return isNameStart(s[i]) || isEscape(s, i);
}

/** Consumes an identifier starting at `i` (caller checked startsIdent); returns the end index. */
function consumeName(s, i) {
  for (;;) {
    if (isNameChar(s[i])) {
      i += 1;
    } else if (s[i] === '\\') {
      if (!isEscape(s, i)) throw new Reject('invalid');
      i += 1;
      if (/[0-9a-f]/i.test(s[i])) {
        let n = 0;
        while (n < 6 && /[0-9a-f]/i.test(s[i])) {
          i += 1;
          n += 1;
        }
        if (isSpace(s[i])) i += 1;
      } else {
        i += 1;
      }
    } else {
      return i;
    }
  }
}

function consumeString(s, i) {
  const quote = s[i];
  i += 1;
  while (i < s.length) {
    const c = s[i];
    if (c === quote) return i + 1;
    if (c === '\n') throw new Reject('invalid');
    i += c === '\\' ? 2 : 1;
  }
  throw new Reject('invalid'); // unterminated
}

function skipSpace(s, i) {
  while (isSpace(s[i])) i += 1;
  return i;
}

function lexCheck(s) {
  let i = 0;
  let depth = 0;
  while (i < s.length) {
    const c = s[i];
    if (isSpace(c) || c === '>' || c === '+' || c === '~' || c === ',' || c === '*') {
      i += 1;
    } else if (c === '.' || c === '#') {
      if (!startsIdent(s, i + 1)) throw new Reject('invalid');
      i = consumeName(s, i + 1);
    } else if (c === '[') {
      i = skipSpace(s, i + 1);
      if (!startsIdent(s, i)) throw new Reject('invalid');
      i = skipSpace(s, consumeName(s, i));
      if (s[i] !== ']') {
        if ('~|^$*'.includes(s[i]) && s[i + 1] === '=') i += 2;
        else if (s[i] === '=') i += 1;
        else throw new Reject('invalid');
        i = skipSpace(s, i);
        if (s[i] === '"' || s[i] === "'") i = consumeString(s, i);
        else if (startsIdent(s, i)) i = consumeName(s, i);
        else throw new Reject('invalid');
        i = skipSpace(s, i);
        if (s[i] === 'i' || s[i] === 'I') i = skipSpace(s, i + 1);
        if (s[i] !== ']') throw new Reject('invalid');
      }
      i += 1;
    } else if (c === ':') {
      i += s[i + 1] === ':' ? 2 : 1;
      if (!startsIdent(s, i)) throw new Reject('invalid');
      const start = i;
      i = consumeName(s, i);
      if (s[i] === '(') {
        if (NTH_PSEUDOS.has(s.slice(start, i).toLowerCase())) {
          const close = s.indexOf(')', i); // the tree walk has checked the An+B text
          if (close < 0) throw new Reject('invalid');
          i = close + 1;
        } else {
          depth += 1;
          i += 1;
        }
      }
    } else if (c === ')') {
      depth -= 1;
      if (depth < 0) throw new Reject('invalid');
      i += 1;
    } else if (startsIdent(s, i)) {
      i = consumeName(s, i); // type selector
    } else {
      throw new Reject('invalid'); // `|`, `(`, quotes, digits, `!`, `&`, `{` ...
    }
  }
  if (depth !== 0) throw new Reject('invalid');
}

// ---------------------------------------------------------------------------------------------
// Classification

const isClassToken = (t) =>
  t.type === 'attribute' && t.ignoreCase === 'quirks' && t.name === 'class' && t.action === 'element';
const isIdToken = (t) =>
  t.type === 'attribute' && t.ignoreCase === 'quirks' && t.name === 'id' && t.action === 'equals';

/** First `.class` / `#id` of a top-level compound, as ".name" / "#name"; null when none. */
function keyOf(tokens) {
  for (const t of tokens) {
    if (isClassToken(t)) return `.${t.value}`;
    if (isIdToken(t)) return `#${t.value}`;
  }
  return null;
}

/**
 * The key of a parsed selector list: every alternative must have the same key, so that the
 * whole list can only match when the key is present. Returns null otherwise.
 */
export function selectorKey(ast) {
  let key = null;
  for (const tokens of ast) {
    const k = keyOf(tokens);
    if (k === null || (key !== null && k !== key)) return null;
    key = k;
  }
  return key;
}

/** Output line for a validated generic hiding selector. */
function genericLine(selector, ast) {
  if (ast.length === 1 && ast[0].length === 1) {
    const t = ast[0][0];
    if (isClassToken(t) && selector === `.${t.value}` && PLAIN_IDENT_RE.test(t.value)) return `c${t.value}`;
    if (isIdToken(t) && selector === `#${t.value}` && PLAIN_IDENT_RE.test(t.value)) return `i${t.value}`;
  }
  const key = selectorKey(ast);
  if (key !== null) {
    if (/[\x00-\x1f\x7f]/.test(key)) throw new Reject('invalid'); // from an escape like `\9 `
    return `k${key}\t${selector}`;
  }
  return `g${selector}`;
}

function checkDomains(domains) {
  if (domains === '') return;
  for (const entry of domains.split(',')) {
    if (!DOMAIN_ENTRY_RE.test(entry)) throw new Reject('invalid_domain');
  }
}

/** One cosmetic line → one output line. Throws Reject. */
function compileCosmeticLine(line) {
  const hash = line.indexOf('#');
  if (hash < 0) throw new Reject('unsupported_syntax');
  const domains = line.slice(0, hash);
  const rest = line.slice(hash);
  let exception;
  let procedural;
  let selector;
  if (rest.startsWith('##')) [exception, procedural, selector] = [false, false, rest.slice(2)];
  else if (rest.startsWith('#@#')) [exception, procedural, selector] = [true, false, rest.slice(3)];
  else if (rest.startsWith('#?#')) [exception, procedural, selector] = [false, true, rest.slice(3)];
  else if (rest.startsWith('#@?#')) [exception, procedural, selector] = [true, true, rest.slice(4)];
  else throw new Reject('unsupported_syntax'); // `#$#` snippets, `#%#` scripts ...
  selector = selector.trim();
  checkDomains(domains);
  const generic = domains === '' && !exception;
  const result = validateSelector(selector, { generic });
  if (!result.ok) {
    // A `#?#` rule is kept only when it is plain CSS; anything else about it is procedural.
    throw new Reject(procedural ? 'procedural' : result.reason);
  }
  if (exception) return `x${domains}\t${selector}`;
  if (domains !== '') return `s${domains}\t${selector}`;
  return genericLine(selector, result.ast);
}

/** One `$generichide` line → one or more output lines. Throws Reject. */
function compileGenerichideLine(line) {
  if (!line.startsWith('@@')) throw new Reject('unsupported_pattern');
  const body = line.slice(2);
  const dollar = body.lastIndexOf('$');
  if (dollar < 0) throw new Reject('unsupported_pattern');
  const pattern = body.slice(0, dollar);
  let generichide = false;
  let domainOption = null;
  for (const option of body.slice(dollar + 1).split(',')) {
    const o = option.trim();
    if (/^(?:generichide|ghide)$/i.test(o)) generichide = true;
    else if (/^domain=/i.test(o)) domainOption = o.slice(7);
    else throw new Reject('unsupported_option');
  }
  if (!generichide) throw new Reject('unsupported_option');

  if (pattern === '' || pattern === '*' || pattern === '|' || pattern === '||') {
    if (domainOption === null) throw new Reject('too_broad'); // would switch off generic rules everywhere
    const domains = domainOption.split('|');
    for (const d of domains) {
      if (d.startsWith('~')) throw new Reject('unsupported_option');
      if (!DOMAIN_ENTRY_RE.test(d)) throw new Reject('invalid_domain');
    }
    return domains.map((d) => `h${d}`);
  }
  // A pattern and a domain= condition together cannot be written as one h/H line.
  if (domainOption !== null) throw new Reject('unsupported_option');
  if (pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/')) {
    throw new Reject('unsupported_pattern'); // regular expression
  }
  const anchored = DOMAIN_ANCHOR_RE.exec(pattern);
  if (anchored) return [`h${anchored[1]}`];
  let substring = pattern.replace(/^\|\|?/, '');
  substring = substring.split(/[*^]/)[0].replace(/\|$/, '');
  if (substring.length < 4 || !/[.:/]/.test(substring) || /[\s\t]/.test(substring)) {
    throw new Reject('too_broad');
  }
  return [`H${substring}`];
}

// ---------------------------------------------------------------------------------------------
// Compiler

function ruleLines(text) {
  const rules = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('!') || /^\[Adblock Plus[^\]]*\]$/i.test(line)) continue;
    rules.push(line);
  }
  return rules;
}

/** The list's version (its `! Version:` line, or `(Version N)` in a header), or null. */
export function findVersion(...texts) {
  for (const text of texts) {
    const m = /^!.*\bVersion:?\s+(\d{6,})/im.exec(text) || /^!.*\(Version\s+(\d{6,})\)/im.exec(text);
    if (m) return m[1];
  }
  return null;
}

/**
 * Compiles EasyList cosmetic rules. `dir` holds easylist-cosmetic.txt and easylist-generichide.txt.
 * Returns null when the folder or either file is missing (the build then stops, see build.mjs).
 * Otherwise returns { text, stats, version }: text is the compiled file, version the list's (or null); stats counts output lines per kind
 * and rejected input rules per reason, plus `input_rules` (rule lines read) and `expanded` (extra
 * lines from one `$generichide,domain=a|b|c` rule becoming one `h` line per domain), so that
 *   sum(kinds) + sum(rejected) === input_rules + expanded.
 */
export function compileRules(dir) {
  const cosmeticPath = path.join(dir, COSMETIC_FILE);
  const generichidePath = path.join(dir, GENERICHIDE_FILE);
  if (!fs.existsSync(cosmeticPath) || !fs.existsSync(generichidePath)) return null;
  const cosmeticText = fs.readFileSync(cosmeticPath, 'utf8');
  const generichideText = fs.readFileSync(generichidePath, 'utf8');

  const groups = new Map(KINDS.map(([kind]) => [kind, new Set()]));
  const stats = Object.fromEntries(KINDS.map(([, name]) => [name, 0]));
  stats.rejected = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0]));
  stats.input_rules = 0;
  stats.expanded = 0;
  const statName = Object.fromEntries(KINDS);

  const add = (lines) => {
    stats.expanded += lines.length - 1;
    for (const out of lines) {
      const group = groups.get(out[0]);
      if (group.has(out)) {
        stats.rejected.duplicate += 1;
      } else {
        group.add(out);
        stats[statName[out[0]]] += 1;
      }
    }
  };
  const run = (rules, compileLine) => {
    for (const line of rules) {
      stats.input_rules += 1;
      try {
        add(compileLine(line));
      } catch (err) {
        if (!(err instanceof Reject)) throw err;
        stats.rejected[err.reason] += 1;
      }
    }
  };
  run(ruleLines(cosmeticText), (line) => [compileCosmeticLine(line)]);
  run(ruleLines(generichideText), compileGenerichideLine);

  const version = findVersion(cosmeticText, generichideText);
  const header = [
    FORMAT_HEADER,
    '!Derived from EasyList (https://easylist.to/) by The EasyList authors, licensed CC BY-SA 3.0 ' +
      `(https://creativecommons.org/licenses/by-sa/3.0/).${version ? ` Version: ${version}` : ''}`,
  ];
  const body = KINDS.flatMap(([kind]) => [...groups.get(kind)]);
  return { text: `${[...header, ...body].join('\n')}\n`, stats, version };
}

// ---------------------------------------------------------------------------------------------
// CLI

function isMain() {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(fs.realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const dir = path.resolve(process.argv[2] || path.join(repo, 'third_party', 'easylist'));
  const out = process.argv[3];
  const started = process.hrtime.bigint();
  const result = compileRules(dir);
  if (result === null) {
    process.stderr.write(`compile-rules: no ${COSMETIC_FILE} / ${GENERICHIDE_FILE} in ${dir}\n`);
    process.exit(1);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (out) fs.writeFileSync(out, result.text);
  else process.stdout.write(result.text);
  process.stderr.write(
    `compile-rules: ${dir} -> ${out || 'stdout'} (${Buffer.byteLength(result.text)} bytes, ${ms.toFixed(0)} ms)\n` +
      `${JSON.stringify(result.stats, null, 2)}\n`,
  );
}
