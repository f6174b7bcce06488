// The page reader: walks the live DOM in JavaScript and hands the facts to Rust as one string
// (sent as its UTF-8 bytes).
//
// Why JavaScript: reading a node through web-sys costs a dozen calls across the wasm boundary
// (type, name, each attribute, each child...). Here the walk runs at JavaScript speed and the
// whole slice crosses the boundary once. Rust (src/dom/mod.rs, `Walker`) decodes the string and
// decides everything; this file only reads.
//
// A walk can stop after a number of nodes and go on later (huge pages are read in slices). Its
// state lives in the object `newWalk` returns: the nodes still to visit with their depth, and the
// elements the walk is inside.
//
// The string: records separated by \u0001, fields by \u0002, list items by \u0003.
//   E <parent> <context:0|1> <tag> <id> <class> <name\u0003value...> <unread name\u0003...>
//   T <parent> <length in UTF-16 units> <text, whole up to TEXT_READ_MAX, else its start>
//   P <index\u0003index...>   elements the slice ends inside (the last record)
// <parent> is the index in `nodes` of the parent element, -1 for none. Every record's node is
// pushed to `nodes` (its index is the record's position). Separator characters inside page
// text are replaced by spaces.

// TEXT_READ_MAX_UNITS in src/dom/mod.rs, which decodes what this reads (tests/node/one-source.test.mjs
// checks the two agree).
const TEXT_READ_MAX = 400;
const TEXT_SAMPLE = 200;
const CONTEXT_MAX = 64;
const SEPARATORS = /[\u0000-\u0003]/g;
const BLANK = /^[\t\n\f\r ]*$/;
const ENCODER = new TextEncoder();
const NO_NAMES = [];

// The UTF-8 bytes of `text`, in an array of this realm: in a Firefox content script
// `TextEncoder.encode` would answer an array of the page's compartment.
function utf8(text) {
  const bytes = new Uint8Array(text.length * 3);
  const { written } = ENCODER.encodeInto(text, bytes);
  return bytes.subarray(0, written);
}

function withoutSeparators(text) {
  return SEPARATORS.test(text) ? text.replace(SEPARATORS, ' ') : text;
}

export function newWalk(root) {
  return { nodes: [root], depths: [0], path: [] };
}

export function walkDone(walk) {
  return walk.nodes.length === 0;
}

// Reads up to `maxNodes` nodes. `relevant` is a Set of attribute names whose values the core
// reads, `prefixes` name prefixes likewise, `opaque` a Set of tags whose insides are not read.
// Returns { data, nodes }, `data` as UTF-8 bytes: the glue copies bytes into the module in one
// go, where a string is copied character by character.
export function readSlice(walk, maxNodes, relevant, prefixes, opaque) {
  const out = [];
  const nodes = [];
  const stack = walk.nodes;
  const depths = walk.depths;
  const path = walk.path;
  // Indices (in `nodes`) of the elements on the path, by depth.
  const pathIndex = [];
  const resumeDepth = depths.length ? depths[depths.length - 1] : 0;
  path.length = Math.min(path.length, resumeDepth);
  // The context: the elements the walk is inside (see emitContext), unless the next node starts
  // a subtree of its own (it brings its own context).
  const nextStartsSubtree = walk.contexts && stack.length && walk.contexts.has(stack[stack.length - 1]);
  if (!nextStartsSubtree) emitContext(path, out, nodes, pathIndex, relevant, prefixes);
  let walked = 0;
  // After a rewind, the block the walk went back to is read whole in this slice.
  const limit = Math.max(maxNodes, walk.atLeast || 0);
  walk.atLeast = 0;
  while (stack.length) {
    if (walked >= limit) break;
    const node = stack.pop();
    const depth = depths.pop();
    walked++;
    const chain = walk.contexts && walk.contexts.get(node);
    if (chain) {
      // The first node of a subtree read on its own: its ancestors come first, as context.
      walk.contexts.delete(node);
      path.length = 0;
      pathIndex.length = 0;
      emitContext(chain, out, nodes, pathIndex, relevant, prefixes);
      for (const element of chain) path.push(element);
    }
    path.length = depth;
    pathIndex.length = depth;
    const parent = depth > 0 ? pathIndex[depth - 1] : -1;
    const type = node.nodeType;
    if (type === 1) {
      out.push(elementRecord(node, parent, 0, relevant, prefixes));
      const index = nodes.length;
      nodes.push(node);
      const tag = node.localName.toLowerCase();
      if (!opaque.has(tag)) {
        // Last child first, so the first child is visited next; an open shadow root renders in
        // place of the host's children, so its nodes come first.
        for (let child = node.lastChild; child; child = child.previousSibling) {
          stack.push(child);
          depths.push(depth + 1);
        }
        const shadow = node.shadowRoot;
        if (shadow) {
          for (let child = shadow.lastChild; child; child = child.previousSibling) {
            stack.push(child);
            depths.push(depth + 1);
          }
        }
      }
      path.push(node);
      pathIndex.push(index);
    } else if ((type === 3 || type === 4) && parent >= 0) {
      const length = node.length;
      const text = length <= TEXT_READ_MAX ? node.data : node.substringData(0, TEXT_SAMPLE);
      // Whitespace-only text shows nothing: not worth a record.
      if (length <= TEXT_READ_MAX && BLANK.test(text)) continue;
      out.push(`T\u0002${parent}\u0002${length}\u0002${withoutSeparators(text)}`);
      nodes.push(node);
    }
  }
  const open = depths.length ? depths[depths.length - 1] : 0;
  out.push(`P\u0002${pathIndex.slice(0, open).filter((index) => index >= 0).join('\u0003')}`);
  if (stack.length) rewindIntoSmallBlock(walk, open);
  return { data: utf8(out.join('\u0001')), nodes };
}

// A slice that ends inside a small block (an ad, say) saw only part of it, so it cannot judge
// it. The walk then goes back to the start of the outermost small block it is inside, so the
// next slice reads that block whole (and reads at least that much).
const REWIND_MAX_NODES = 2000;

function rewindIntoSmallBlock(walk, open) {
  const { nodes: stack, depths, path } = walk;
  let target = -1;
  for (let depth = open - 1; depth >= 0; depth--) {
    if (!path[depth] || !isSmall(path[depth], REWIND_MAX_NODES)) break;
    target = depth;
  }
  if (target < 0) return;
  const block = path[target];
  while (stack.length && block.contains(stack[stack.length - 1])) {
    stack.pop();
    depths.pop();
  }
  stack.push(block);
  depths.push(target);
  path.length = target;
  walk.atLeast = REWIND_MAX_NODES * 2;
}

// Whether `element`'s subtree has at most `limit` nodes (counting stops past the limit).
function isSmall(element, limit) {
  let count = 0;
  const pending = [element];
  while (pending.length) {
    const node = pending.pop();
    if (++count > limit) return false;
    for (let child = node.firstChild; child; child = child.nextSibling) pending.push(child);
  }
  return true;
}

// Writes `chain` (elements, outermost first) as context records, marked partial: only the
// innermost CONTEXT_MAX (on a page nested 100k deep, repeating the whole path in every slice
// would make the walk quadratic). Depths above them have no element in the slice (-1): what the
// walk meets there starts a tree of its own.
function emitContext(chain, out, nodes, pathIndex, relevant, prefixes) {
  const skipped = Math.max(0, chain.length - CONTEXT_MAX);
  for (let depth = 0; depth < chain.length; depth++) {
    if (depth < skipped) {
      pathIndex.push(-1);
      continue;
    }
    const parent = depth > skipped ? pathIndex[depth - 1] : -1;
    out.push(elementRecord(chain[depth], parent, 1, relevant, prefixes));
    pathIndex.push(nodes.length);
    nodes.push(chain[depth]);
  }
}

function elementRecord(element, parent, context, relevant, prefixes) {
  let id = '';
  let className = '';
  let read = '';
  let unread = '';
  // Names first, values only where the core reads them: walking `element.attributes` makes the
  // browser create an Attr node (and a wrapper for it) per attribute, a large part of a first
  // read of a page.
  const names = element.hasAttributes() ? element.getAttributeNames() : NO_NAMES;
  for (let i = 0; i < names.length; i++) {
    const raw = names[i];
    const name = raw.toLowerCase();
    if (name === 'id') id = element.getAttribute(raw) || '';
    else if (name === 'class') className = element.getAttribute(raw) || '';
    else if (relevant.has(name) || hasPrefix(name, prefixes)) {
      read += `${read ? '\u0003' : ''}${withoutSeparators(name)}\u0003${withoutSeparators(element.getAttribute(raw) || '')}`;
    } else {
      unread += `${unread ? '\u0003' : ''}${withoutSeparators(name)}`;
    }
  }
  return `E\u0002${parent}\u0002${context}\u0002${element.localName}\u0002${withoutSeparators(id)}\u0002${withoutSeparators(className)}\u0002${read}\u0002${unread}`;
}

function hasPrefix(name, prefixes) {
  for (let i = 0; i < prefixes.length; i++) if (name.startsWith(prefixes[i])) return true;
  return false;
}

// The index in `nodes` of each element `found` (a Map element → value) holds, as a flat
// Float64Array [index, value, index, value, ...].
export function indicesOf(nodes, found) {
  const pairs = [];
  for (let i = 0; i < nodes.length; i++) {
    const value = found.get(nodes[i]);
    if (value !== undefined) pairs.push(i, value);
  }
  return Float64Array.from(pairs);
}

// Asks the browser whether candidate elements match their selectors, in one call from the core
// (a call per element and selector crosses the boundary and copies the selector each time).
// `pairs` is flat, [position, query, position, query, ...]: the element at `position` in `nodes`
// and the selector `selectors[query]`. Answers the pairs that match, in order, flat as well, as
// a Float64Array (the shape of `indicesOf`). A selector this browser rejects matches nothing;
// its other pairs are not asked.
export function matchCandidates(nodes, pairs, selectors) {
  const rejected = new Set();
  const matched = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const query = pairs[i + 1];
    if (rejected.has(query)) continue;
    const element = nodes[pairs[i]];
    if (!element || element.nodeType !== 1) continue;
    try {
      if (element.matches(selectors[query])) matched.push(pairs[i], query);
    } catch {
      rejected.add(query);
    }
  }
  return Float64Array.from(matched);
}

// ---- late widgets ----

// Appends the nodes the page added (MutationObserver records) to `queue`, at most `max` in all;
// past that, `queue.overflow` is set and the caller reads the whole page instead. Returns how
// many were added.
export function collectAdded(records, queue, max) {
  let added = 0;
  for (const record of records) {
    for (const node of record.addedNodes) {
      if (queue.length >= max) {
        queue.overflow = true;
        return added;
      }
      queue.push(node);
      added++;
    }
  }
  return added;
}

function parentOf(node) {
  const parent = node.parentNode;
  if (!parent) return null;
  if (parent.nodeType === 11) return parent.host || null; // a shadow root: its host
  return parent.nodeType === 1 ? parent : null;
}

// The roots a late pass reads for the nodes in `queue`: each added element (or an added text's
// element), or its parent when that parent is small (a placeholder the page fills: the block to
// judge is the placeholder with its new content), never <body> or <html>; outermost only, each
// once. null when there are more than `maxRoots` (the caller reads the whole page instead).
export function lateRoots(queue, maxParentElements, maxRoots) {
  const candidates = new Set();
  const top = [document.body, document.documentElement];
  for (const node of queue) {
    if (!node.isConnected) continue;
    let root = node.nodeType === 1 ? node : parentOf(node);
    if (!root || top.includes(root)) continue;
    const parent = parentOf(root);
    if (parent && !top.includes(parent) && !candidates.has(parent)
        && parent.getElementsByTagName('*').length <= maxParentElements) root = parent;
    candidates.add(root);
    if (candidates.size > maxRoots) return null;
  }
  // Outermost only: drop a root with another root above it.
  const roots = [];
  for (const root of candidates) {
    let inside = false;
    for (let node = parentOf(root); node && !inside; node = parentOf(node)) inside = candidates.has(node);
    if (!inside) roots.push(root);
  }
  return roots;
}

// A walk over the subtrees of `roots` only, each with its own ancestors as the context above it.
export function newWalkOver(roots) {
  const walk = { nodes: [], depths: [], path: [], contexts: new Map() };
  for (let i = roots.length - 1; i >= 0; i--) {
    const chain = [];
    for (let node = parentOf(roots[i]); node; node = parentOf(node)) chain.push(node);
    chain.reverse();
    walk.contexts.set(roots[i], chain);
    walk.nodes.push(roots[i]);
    walk.depths.push(chain.length);
  }
  return walk;
}
