//! The DOM adapter: the only code that touches the live page.
//!
//! It snapshots the page into a [`PageTree`] in one walk, removes the blocks a plan names
//! (remembering where each was; the moving itself is removal.js), puts them back exactly on
//! undo, and watches for late widgets.
//! It is defensive: a node it cannot read is skipped, never fatal.

mod warm_up;
pub mod watch;

pub use warm_up::warm_up;

use crate::core::easylist::SelectorQuery;
use crate::core::plan::SelectorMatch;
use crate::core::tree::{count_visible_chars, PageTree};
use crate::core::vocabulary::{relevant_attribute_lists, OPAQUE_TAGS};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Node};

/// Text nodes up to this many UTF-16 units are read whole; longer ones only in part (their
/// length is what matters for prose, their start for previews). Same value as in read.js.
pub const TEXT_READ_MAX_UNITS: u32 = 400;

#[wasm_bindgen(module = "/src/dom/read.js")]
extern "C" {
    #[wasm_bindgen(js_name = newWalk)]
    fn new_walk(root: &Node) -> JsValue;
    #[wasm_bindgen(js_name = walkDone)]
    fn walk_done(walk: &JsValue) -> bool;
    // `catch`: an exception in the reader (a page whose DOM misbehaves) becomes an error the
    // caller reports, instead of unwinding through the core with its session borrowed.
    #[wasm_bindgen(catch, js_name = readSlice)]
    fn read_slice(
        walk: &JsValue,
        max_nodes: f64,
        relevant: &js_sys::Set,
        prefixes: &js_sys::Array,
        opaque: &js_sys::Set,
    ) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = indicesOf)]
    fn indices_of(nodes: &js_sys::Array, found: &js_sys::Map) -> Vec<f64>;
    #[wasm_bindgen(js_name = matchCandidates)]
    fn match_candidates(
        nodes: &js_sys::Array,
        pairs: &[u32],
        selectors: &js_sys::Array,
    ) -> Vec<f64>;
    #[wasm_bindgen(js_name = newWalkOver)]
    fn new_walk_over(roots: &js_sys::Array) -> JsValue;
    #[wasm_bindgen(js_name = collectAdded)]
    pub fn collect_added(records: &js_sys::Array, queue: &js_sys::Array, max: u32) -> u32;
    #[wasm_bindgen(js_name = lateRoots)]
    fn late_roots_js(queue: &js_sys::Array, max_parent_elements: u32, max_roots: u32) -> JsValue;
}

/// Roots for a late pass over the nodes the page added (see `lateRoots` in read.js); `None`:
/// too many, read the whole page.
pub fn late_roots(
    queue: &js_sys::Array,
    max_parent_elements: u32,
    max_roots: u32,
) -> Option<Vec<Node>> {
    let roots = late_roots_js(queue, max_parent_elements, max_roots);
    let roots: js_sys::Array = roots.dyn_into().ok()?;
    Some(roots.iter().map(|root| root.unchecked_into()).collect())
}

/// The vocabulary the reader needs, as JavaScript values (built once).
struct ReaderLists {
    relevant: js_sys::Set,
    prefixes: js_sys::Array,
    opaque: js_sys::Set,
}

thread_local! {
    static READER_LISTS: ReaderLists = {
        let (exact, prefixes) = relevant_attribute_lists();
        let relevant = js_sys::Set::new(&JsValue::UNDEFINED);
        for name in exact {
            relevant.add(&JsValue::from_str(name));
        }
        let opaque = js_sys::Set::new(&JsValue::UNDEFINED);
        for tag in OPAQUE_TAGS {
            opaque.add(&JsValue::from_str(tag));
        }
        ReaderLists {
            relevant,
            prefixes: prefixes.into_iter().map(JsValue::from_str).collect(),
            opaque,
        }
    };
}

/// The live nodes behind a snapshot: the reader's list of nodes, and for each tree node its
/// position in that list (whitespace-only text is in neither).
pub struct Handles {
    nodes: js_sys::Array,
    positions: Vec<u32>,
}

impl Handles {
    /// The live node of tree node `id`.
    pub fn get(&self, id: usize) -> Option<Node> {
        let position = *self.positions.get(id)?;
        let node = self.nodes.get(position);
        (!node.is_undefined()).then(|| node.unchecked_into())
    }

    fn tree_id(&self, position: u32) -> Option<usize> {
        self.positions.binary_search(&position).ok()
    }

    /// The tree node whose live node is `node`.
    pub fn position_of(&self, node: &Node) -> Option<usize> {
        let position = self.nodes.index_of(node, 0);
        u32::try_from(position).ok().and_then(|p| self.tree_id(p))
    }

    /// For each node `found` (a Map from node to a number) holds: its tree id and the number.
    fn tree_ids_in(&self, found: &js_sys::Map) -> Vec<(usize, f64)> {
        self.tree_ids_of(&indices_of(&self.nodes, found))
    }

    /// `pairs` flat, [position, number, ...]: each position's tree id, with its number.
    fn tree_ids_of(&self, pairs: &[f64]) -> Vec<(usize, f64)> {
        pairs
            .chunks(2)
            .filter_map(|pair| Some((self.tree_id(pair[0] as u32)?, pair[1])))
            .collect()
    }
}

/// A page snapshot and, for each of its nodes, the live node it came from.
pub struct Snapshot {
    pub tree: PageTree,
    pub handles: Handles,
}

/// Walks the document once, in document order, with an explicit stack (pages nest deeply).
pub fn snapshot(document: &Document) -> Result<Snapshot, JsError> {
    match document.document_element() {
        Some(root) => Walker::new(root.into()).next_slice(usize::MAX),
        None => Ok(Snapshot {
            tree: PageTree::new(),
            handles: Handles {
                nodes: js_sys::Array::new(),
                positions: Vec::new(),
            },
        }),
    }
}

/// A walk over the page that can stop after a number of nodes and go on later, so a huge page
/// is snapshotted (and cleaned) in slices, each in its own task. The walk itself is read.js;
/// this decodes what it read. A new walk first detaches the blocks still hidden awaiting
/// detachment (removal.js), so no pass sees them.
///
/// A slice is a page tree of its own. It starts with the elements the walk is still inside (the
/// open path), marked partial, so what follows sits where it really is; elements the slice ends
/// inside are marked partial too. The plan never removes a partial element: it has not seen all
/// of it.
pub struct Walker {
    walk: JsValue,
}

impl Walker {
    pub fn new(root: Node) -> Walker {
        finish_detaching();
        Walker {
            walk: new_walk(&root),
        }
    }

    /// A walk over the subtrees of `roots` only, each with its ancestors standing above it as
    /// (partial) context.
    pub fn over(roots: &[Node]) -> Walker {
        finish_detaching();
        let roots: js_sys::Array = roots.iter().collect();
        Walker {
            walk: new_walk_over(&roots),
        }
    }

    pub fn is_done(&self) -> bool {
        walk_done(&self.walk)
    }

    /// Snapshots the next `max_nodes` nodes (at least one). An error when the reader failed
    /// on the page (the message says where).
    pub fn next_slice(&mut self, max_nodes: usize) -> Result<Snapshot, JsError> {
        let read = READER_LISTS
            .with(|lists| {
                read_slice(
                    &self.walk,
                    max_nodes as f64,
                    &lists.relevant,
                    &lists.prefixes,
                    &lists.opaque,
                )
            })
            .map_err(|thrown| {
                JsError::new(&format!(
                    "the page could not be read: {}",
                    thrown_message(&thrown)
                ))
            })?;
        let field = |name: &str| {
            js_sys::Reflect::get(&read, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
        };
        // read.js always answers a Uint8Array (made in the glue's own realm; no `instanceof`
        // check, which another compartment's array would fail in a Firefox content script).
        let data = field("data");
        let bytes = if js_sys::ArrayBuffer::is_view(&data) {
            data.unchecked_into::<js_sys::Uint8Array>().to_vec()
        } else {
            Vec::new()
        };
        // TextEncoder's output is UTF-8 (it writes U+FFFD for a lone surrogate).
        let data = String::from_utf8(bytes).unwrap_or_default();
        let nodes: js_sys::Array = field("nodes")
            .dyn_into()
            .unwrap_or_else(|_| js_sys::Array::new());
        let mut tree = PageTree::with_capacity(nodes.length() as usize);
        let positions = decode(&data, &mut tree);
        Ok(Snapshot {
            tree,
            handles: Handles { nodes, positions },
        })
    }
}

/// The message of something JavaScript threw (an `Error`'s message, or the value as text).
pub fn thrown_message(thrown: &JsValue) -> String {
    js_sys::Reflect::get(thrown, &JsValue::from_str("message"))
        .ok()
        .and_then(|message| message.as_string())
        .or_else(|| thrown.as_string())
        .unwrap_or_else(|| "an unknown error".to_string())
}

/// Builds `tree` from the reader's records (format in read.js); returns, per tree node, the
/// position of its live node in the reader's list.
fn decode(data: &str, tree: &mut PageTree) -> Vec<u32> {
    let mut positions = Vec::new();
    // Per record position: its tree id (usize::MAX for text left out).
    let mut tree_ids: Vec<usize> = Vec::new();
    for (position, record) in data.split('\u{1}').enumerate() {
        let mut fields = record.split('\u{2}');
        let kind = fields.next().unwrap_or_default();
        if kind == "P" {
            for index in fields.next().unwrap_or_default().split('\u{3}') {
                if let Some(&id) = index.parse::<usize>().ok().and_then(|i| tree_ids.get(i)) {
                    if id != usize::MAX {
                        tree.mark_partial(id);
                    }
                }
            }
            continue;
        }
        let parent = fields
            .next()
            .and_then(|p| p.parse::<usize>().ok())
            .and_then(|p| tree_ids.get(p).copied())
            .filter(|&p| p != usize::MAX);
        match kind {
            "E" => {
                let context = fields.next() == Some("1");
                let tag = fields.next().unwrap_or_default();
                let mut attributes = Vec::new();
                for name in ["id", "class"] {
                    let value = fields.next().unwrap_or_default();
                    if !value.is_empty() {
                        attributes.push((name.to_string(), value.to_string()));
                    }
                }
                let read = fields.next().unwrap_or_default();
                let mut pairs = read.split('\u{3}').filter(|_| !read.is_empty());
                while let (Some(name), Some(value)) = (pairs.next(), pairs.next()) {
                    attributes.push((name.to_string(), value.to_string()));
                }
                let id = tree.add_element(parent, tag, attributes);
                for name in fields.next().unwrap_or_default().split('\u{3}') {
                    if !name.is_empty() {
                        tree.note_unread_attribute(id, name);
                    }
                }
                if context {
                    tree.mark_partial(id);
                }
                positions.push(position as u32);
                tree_ids.push(id);
            }
            "T" => {
                let length: u32 = fields.next().and_then(|l| l.parse().ok()).unwrap_or(0);
                let text = fields.next().unwrap_or_default();
                let chars = if length <= TEXT_READ_MAX_UNITS {
                    count_visible_chars(text)
                } else {
                    // Only the start was read: estimate the rest from its share of visible
                    // characters.
                    let units = text.encode_utf16().count().max(1);
                    let ratio = count_visible_chars(text) as f64 / units as f64;
                    ((ratio * f64::from(length)).round() as usize).max(1)
                };
                match parent {
                    Some(parent) if chars > 0 => {
                        tree_ids.push(tree.add_text_shortened(parent, text, chars));
                        positions.push(position as u32);
                    }
                    _ => tree_ids.push(usize::MAX),
                }
            }
            "P" => {
                for index in fields.next().unwrap_or_default().split('\u{3}') {
                    if let Some(&id) = index.parse::<usize>().ok().and_then(|i| tree_ids.get(i)) {
                        if id != usize::MAX {
                            tree.mark_partial(id);
                        }
                    }
                }
            }
            _ => tree_ids.push(usize::MAX),
        }
    }
    positions
}

#[wasm_bindgen(module = "/src/dom/removal.js")]
extern "C" {
    #[wasm_bindgen(js_name = takeOut)]
    fn take_out(node: &Node, mode: u8) -> JsValue;
    #[wasm_bindgen(js_name = finishDetaching)]
    fn finish_detaching();
    #[wasm_bindgen(js_name = putBack)]
    fn put_back(records: &js_sys::Array) -> u32;
    #[wasm_bindgen(js_name = putBackOne)]
    fn put_back_one(records: &js_sys::Array, index: u32) -> Option<Node>;
    /// `{ detachedMs, longestDetachMs, detached, waiting }`: the detaching done after cleans.
    #[wasm_bindgen(js_name = detachStats)]
    pub fn detach_stats() -> JsValue;
}

/// When a block taken out of the page leaves its tree (the modes of `takeOut` in removal.js).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detach {
    /// A block holding a frame is hidden at once and detached in a later task (the browser tears
    /// the frame down inside `removeChild`); the others are detached at once.
    FramesLater = 1,
    /// Every block is hidden at once and detached in later tasks (a page cleaned in slices: one
    /// rendering for all its blocks, and on a huge page each `removeChild` of a shown block is
    /// slow).
    AllLater = 2,
}

/// The blocks taken out of the page, in order, each with where it was (records of removal.js).
#[derive(Default)]
pub struct Removed(js_sys::Array);

impl Removed {
    /// Takes `node` out of the page and remembers where it was. False when it is no longer in
    /// the page. `detach`: whether it may be hidden now and detached in a later task.
    pub fn take_out(&self, node: &Node, detach: Detach) -> bool {
        let record = take_out(node, detach as u8);
        let taken = !record.is_null();
        if taken {
            self.0.push(&record);
        }
        taken
    }

    pub fn len(&self) -> usize {
        self.0.length() as usize
    }

    /// Puts every block back where it was, last taken out first, and forgets them. Returns how
    /// many are back.
    pub fn restore_all(&self) -> usize {
        put_back(&self.0) as usize
    }

    /// Puts back block `index` (see `putBackOne` in removal.js) and forgets it.
    pub fn restore_one(&self, index: usize) -> Option<Node> {
        put_back_one(&self.0, index as u32)
    }
}

/// EasyList selectors per `querySelectorAll` call: grouping is much faster than one call each,
/// and a selector the browser rejects only costs its own group a second, one-by-one pass.
const SELECTOR_GROUP_SIZE: usize = 64;

/// Runs `queries` through the browser's selector engine and maps the matched elements to
/// snapshot nodes. A query with candidates asks only about those elements (`Element.matches`,
/// every query's in one call); the others query the document, in groups. Selectors the browser
/// rejects are skipped. Each element is reported once, under the first query that matched it.
pub fn match_selectors(
    document: &Document,
    queries: &[SelectorQuery],
    handles: &Handles,
) -> Vec<SelectorMatch> {
    // (node id, index of a query that matched it); the first query wins.
    let mut matched: Vec<(usize, usize)> = Vec::new();
    let mut document_queries: Vec<(usize, &SelectorQuery)> = Vec::new();
    // The candidates are asked about in one call (`matchCandidates` in read.js), as pairs
    // [position in the reader's list, query index]; `selectors` holds the selector of each
    // query with candidates at its index.
    let mut pairs: Vec<u32> = Vec::new();
    let selectors = js_sys::Array::new();
    for (index, query) in queries.iter().enumerate() {
        let Some(candidates) = &query.candidates else {
            document_queries.push((index, query));
            selectors.push(&JsValue::UNDEFINED);
            continue;
        };
        selectors.push(&JsValue::from_str(&query.selector));
        for &node in candidates {
            if let Some(&position) = handles.positions.get(node) {
                pairs.extend([position, index as u32]);
            }
        }
    }
    if !pairs.is_empty() {
        let found = match_candidates(&handles.nodes, &pairs, &selectors);
        for (node, index) in handles.tree_ids_of(&found) {
            matched.push((node, index as usize));
        }
    }
    if !document_queries.is_empty() {
        let found = query_document(document, &document_queries);
        if found.size() > 0 {
            for (node, index) in handles.tree_ids_in(&found) {
                matched.push((node, index as usize));
            }
        }
    }
    crate::core::order::heap_sort(&mut matched, |a, b| a < b);
    matched.dedup_by_key(|(node, _)| *node);
    matched
        .into_iter()
        .filter_map(|(node, index)| {
            let query = queries.get(index)?;
            Some(SelectorMatch {
                node,
                selector: query.selector.clone(),
                site_specific: query.site_specific,
            })
        })
        .collect()
}

/// Queries the document for `queries` (with their indices), grouped; returns a map from each
/// matched element to the index of the first query of its group that matches it.
fn query_document(document: &Document, queries: &[(usize, &SelectorQuery)]) -> js_sys::Map {
    let found = js_sys::Map::new();
    let record = |element: &Element, chunk: &[(usize, &SelectorQuery)]| {
        if found.has(element) {
            return;
        }
        // Which selector of the group matched: only asked for elements that did match.
        if let Some((index, _)) = chunk
            .iter()
            .find(|(_, query)| element.matches(&query.selector).unwrap_or(false))
        {
            found.set(element, &JsValue::from_f64(*index as f64));
        }
    };
    for chunk in queries.chunks(SELECTOR_GROUP_SIZE) {
        let mut group = String::new();
        for (_, query) in chunk {
            if !group.is_empty() {
                group.push(',');
            }
            group.push_str(&query.selector);
        }
        match document.query_selector_all(&group) {
            Ok(list) => {
                for index in 0..list.length() {
                    if let Some(element) =
                        list.item(index).and_then(|n| n.dyn_into::<Element>().ok())
                    {
                        record(&element, chunk);
                    }
                }
            }
            Err(_) => {
                for one in chunk {
                    let Ok(list) = document.query_selector_all(&one.1.selector) else {
                        continue;
                    };
                    for item in 0..list.length() {
                        if let Some(element) =
                            list.item(item).and_then(|n| n.dyn_into::<Element>().ok())
                        {
                            record(&element, std::slice::from_ref(one));
                        }
                    }
                }
            }
        }
    }
    found
}
