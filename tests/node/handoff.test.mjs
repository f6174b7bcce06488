// scripts/bench/handoff.mjs reads the page as the core's reader does, with the attribute lists
// the core asks for: it takes them from src/core/vocabulary.rs. These fail when that file
// changes shape and the script would read the page with lists that are no longer the core's.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';
import { readerLists } from '../../scripts/bench/handoff.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const vocabulary = fs.readFileSync(path.join(root, 'src', 'core', 'vocabulary.rs'), 'utf8');

test('the hand-off script finds every list the core gives its page reader', () => {
  const { relevant, prefixes, opaque } = readerLists();
  for (const name of ['href', 'src', 'role', 'aria-label', 'hidden', 'data-unsponsor-ui', 'data-google-query-id', 'data-ad-client']) {
    assert.ok(relevant.includes(name), `${name} is among the attributes read`);
  }
  assert.ok(prefixes.includes('data-taboola') && prefixes.includes('data-outbrain'), prefixes.join(' '));
  assert.deepEqual(opaque.slice(0, 3), ['head', 'script', 'style']);
  assert.ok(opaque.includes('iframe') && opaque.includes('textarea'), opaque.join(' '));
});

test('its prefixes are all the vendors\' prefixes, and its opaque tags all of OPAQUE_TAGS', () => {
  const { prefixes, opaque } = readerLists();
  const vendorPrefixes = vocabulary.match(/attribute_prefixes: &\[/g).length;
  assert.ok(prefixes.length >= vendorPrefixes, `${prefixes.length} prefixes for ${vendorPrefixes} vendors`);
  const tags = /pub const OPAQUE_TAGS: &\[&str\] = &\[([^\]]*)\]/.exec(vocabulary)[1].match(/"/g).length / 2;
  assert.equal(opaque.length, tags);
});
