//! The DOM adapter: the only code that touches the live page.
//!
//! It snapshots the page into a [`PageTree`] in one walk, removes the blocks a plan names
//! (remembering where each was), puts them back exactly on undo, and watches for late widgets.
//! It is defensive: a node it cannot read is skipped, never fatal.

pub mod watch;

use crate::core::easylist::SelectorQuery;
use crate::core::plan::SelectorMatch;
use crate::core::tree::{count_visible_chars, PageTree};
use crate::core::vocabulary::{is_relevant_attribute, OPAQUE_TAGS};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CharacterData, Document, Element, Node};

/// Text nodes up to this many UTF-16 units are read whole; longer ones only in part (their
/// length is what matters for prose, their start for previews).
const TEXT_READ_MAX_UNITS: u32 = 400;
/// How much of a long text node is read.
const TEXT_SAMPLE_UNITS: u32 = 200;

/// A page snapshot and, for each of its nodes, the live node it came from.
pub struct Snapshot {
    pub tree: PageTree,
    pub handles: Vec<Node>,
}

/// Walks the document once, in document order, with an explicit stack (pages nest deeply).
pub fn snapshot(document: &Document) -> Snapshot {
    match document.document_element() {
        Some(root) => Walker::new(root.into()).next_slice(usize::MAX),
        None => Snapshot {
            tree: PageTree::new(),
            handles: Vec::new(),
        },
    }
}

/// A walk over the page that can stop after a number of nodes and go on later, so a huge page
/// is snapshotted (and cleaned) in slices, each in its own task.
///
/// A slice is a page tree of its own. It starts with the elements the walk is still inside (the
/// open path), marked partial, so what follows sits where it really is; elements the slice ends
/// inside are marked partial too. The plan never removes a partial element: it has not seen all
/// of it.
pub struct Walker {
    /// Nodes still to visit, with their depth; the next one is last.
    stack: Vec<(Node, usize)>,
    /// The elements the walk is inside, outermost first (index = depth).
    path: Vec<Node>,
}

impl Walker {
    pub fn new(root: Node) -> Walker {
        Walker {
            stack: vec![(root, 0)],
            path: Vec::new(),
        }
    }

    pub fn is_done(&self) -> bool {
        self.stack.is_empty()
    }

    /// Snapshots the next `max_nodes` nodes (at least one).
    pub fn next_slice(&mut self, max_nodes: usize) -> Snapshot {
        let mut tree = PageTree::with_capacity(max_nodes.min(4096));
        let mut handles = Vec::with_capacity(max_nodes.min(4096));
        // Tree ids of the elements on the path, by depth.
        let mut ids: Vec<usize> = Vec::new();
        let resume_depth = self.stack.last().map_or(0, |(_, depth)| *depth);
        self.path.truncate(resume_depth);
        for element in &self.path {
            let parent = ids.last().copied();
            let id = add_element(&mut tree, parent, element.unchecked_ref());
            tree.mark_partial(id);
            handles.push(element.clone());
            ids.push(id);
        }
        let mut walked = 0;
        while let Some((node, depth)) = self.stack.pop() {
            if walked >= max_nodes {
                self.stack.push((node, depth));
                break;
            }
            walked += 1;
            self.path.truncate(depth);
            ids.truncate(depth);
            let parent = ids.last().copied();
            match node.node_type() {
                Node::ELEMENT_NODE => {
                    let element: &Element = node.unchecked_ref();
                    let id = add_element(&mut tree, parent, element);
                    handles.push(node.clone());
                    if !OPAQUE_TAGS.contains(&tree.node(id).tag.as_str()) {
                        // Push children last-to-first so the first child is visited next.
                        let mut child = node.last_child();
                        while let Some(current) = child {
                            child = current.previous_sibling();
                            self.stack.push((current, depth + 1));
                        }
                        // An open shadow root renders in place of the host's children: its
                        // nodes join the snapshot as the host's first children (closed ones are
                        // private to the page and stay out of reach).
                        if let Some(shadow) = element.shadow_root() {
                            let mut child = shadow.last_child();
                            while let Some(current) = child {
                                child = current.previous_sibling();
                                self.stack.push((current, depth + 1));
                            }
                        }
                    }
                    self.path.push(node);
                    ids.push(id);
                }
                Node::TEXT_NODE | Node::CDATA_SECTION_NODE => {
                    let Some(parent) = parent else { continue };
                    if add_text(&mut tree, parent, node.unchecked_ref()) {
                        handles.push(node);
                    }
                }
                _ => {}
            }
        }
        // The slice ends inside the elements above the next node to visit.
        let open = self.stack.last().map_or(0, |(_, depth)| *depth);
        for &id in ids.iter().take(open) {
            tree.mark_partial(id);
        }
        Snapshot { tree, handles }
    }
}

fn add_element(tree: &mut PageTree, parent: Option<usize>, element: &Element) -> usize {
    let tag = element.local_name().to_ascii_lowercase();
    let (attributes, unread) = read_attributes(element);
    let id = tree.add_element(parent, &tag, attributes);
    for name in &unread {
        tree.note_unread_attribute(id, name);
    }
    id
}

/// Adds a text node under `parent`; `false` when it shows nothing (and was left out).
fn add_text(tree: &mut PageTree, parent: usize, text: &CharacterData) -> bool {
    let length = text.length();
    if length <= TEXT_READ_MAX_UNITS {
        let data = text.data();
        let chars = count_visible_chars(&data);
        if chars == 0 {
            return false;
        }
        tree.add_text_shortened(parent, &data, chars);
    } else {
        let sample = text
            .substring_data(0, TEXT_SAMPLE_UNITS)
            .unwrap_or_default();
        let sample_units = sample.encode_utf16().count().max(1);
        let ratio = count_visible_chars(&sample) as f64 / sample_units as f64;
        let estimated = (ratio * f64::from(length)).round() as usize;
        tree.add_text_shortened(parent, &sample, estimated.max(1));
    }
    true
}

/// The attributes the core reads, with their values, and the names of the others (for the
/// EasyList pre-check in `core::selector`).
fn read_attributes(element: &Element) -> (Vec<(String, String)>, Vec<String>) {
    let mut attributes = Vec::new();
    let mut unread = Vec::new();
    if !element.has_attributes() {
        return (attributes, unread);
    }
    if let Some(id) = element.get_attribute("id") {
        attributes.push(("id".to_string(), id));
    }
    if let Some(class) = element.get_attribute("class") {
        attributes.push(("class".to_string(), class));
    }
    let names = element.get_attribute_names();
    for index in 0..names.length() {
        let Some(name) = names.get(index).as_string() else {
            continue;
        };
        let lower = name.to_ascii_lowercase();
        if is_relevant_attribute(&lower) {
            if let Some(value) = element.get_attribute(&name) {
                attributes.push((lower, value));
            }
        } else if lower != "id" && lower != "class" {
            unread.push(lower);
        }
    }
    (attributes, unread)
}

/// Where a removed node was, so undo can put it back exactly.
pub struct RemovedNode {
    node: Node,
    parent: Node,
    next_sibling: Option<Node>,
}

/// Detaches `node`, remembering its place. `None` when it is no longer in the page.
pub fn remove(node: &Node) -> Option<RemovedNode> {
    let parent = node.parent_node()?;
    let next_sibling = node.next_sibling();
    parent.remove_child(node).ok()?;
    Some(RemovedNode {
        node: node.clone(),
        parent,
        next_sibling,
    })
}

/// Puts removed nodes back, last removed first, so every remembered sibling is in place again
/// when its turn comes. Returns how many were restored.
pub fn restore(removed: Vec<RemovedNode>) -> usize {
    let mut restored = 0;
    for item in removed.into_iter().rev() {
        let sibling_still_there = item
            .next_sibling
            .as_ref()
            .is_none_or(|sibling| sibling.parent_node().as_ref() == Some(&item.parent));
        let reference = if sibling_still_there {
            item.next_sibling.as_ref()
        } else {
            // The page moved the sibling meanwhile: append rather than lose the block.
            None
        };
        if item.parent.insert_before(&item.node, reference).is_ok() {
            restored += 1;
        }
    }
    restored
}

/// Puts back one removed node (`removed[index]`, taken out of the list) where it was: before
/// its old next sibling if that is still there, else before that sibling's own next sibling when
/// it was removed too, and so on; at the end of its parent when the page moved things meanwhile.
pub fn restore_one(removed: &mut Vec<RemovedNode>, index: usize) -> Option<Node> {
    if index >= removed.len() {
        return None;
    }
    let item = removed.remove(index);
    let mut reference = item.next_sibling.clone();
    for _ in 0..=removed.len() {
        let Some(sibling) = reference.as_ref() else {
            break;
        };
        if sibling.parent_node().as_ref() == Some(&item.parent) {
            break;
        }
        reference = removed
            .iter()
            .find(|other| &other.node == sibling)
            .and_then(|other| other.next_sibling.clone());
    }
    if reference
        .as_ref()
        .is_some_and(|sibling| sibling.parent_node().as_ref() != Some(&item.parent))
    {
        reference = None;
    }
    item.parent
        .insert_before(&item.node, reference.as_ref())
        .ok()?;
    Some(item.node)
}

/// EasyList selectors per `querySelectorAll` call: grouping is much faster than one call each,
/// and a selector the browser rejects only costs its own group a second, one-by-one pass.
const SELECTOR_GROUP_SIZE: usize = 64;

/// Runs `queries` through the browser's selector engine and maps the matched elements to
/// snapshot nodes. A query with candidates asks only about those elements (`Element.matches`);
/// the others query the document, in groups. Selectors the browser rejects are skipped. Each
/// element is reported once, under the first query that matched it.
pub fn match_selectors(
    document: &Document,
    queries: &[SelectorQuery],
    handles: &[Node],
) -> Vec<SelectorMatch> {
    // Node id → index of the first query that matched it.
    let mut first_match: std::collections::HashMap<usize, usize> = Default::default();
    let mut document_queries: Vec<(usize, &SelectorQuery)> = Vec::new();
    for (index, query) in queries.iter().enumerate() {
        let Some(candidates) = &query.candidates else {
            document_queries.push((index, query));
            continue;
        };
        for &node in candidates {
            if first_match.contains_key(&node) {
                continue;
            }
            let Some(element) = handles.get(node).and_then(|h| h.dyn_ref::<Element>()) else {
                continue;
            };
            match element.matches(&query.selector) {
                Ok(true) => {
                    first_match.insert(node, index);
                }
                Ok(false) => {}
                // Rejected by this browser: the other candidates would fail the same way.
                Err(_) => break,
            }
        }
    }
    if !document_queries.is_empty() {
        let found = query_document(document, &document_queries);
        if found.size() > 0 {
            for (node, handle) in handles.iter().enumerate() {
                if let Some(index) = found.get(handle).as_f64() {
                    let index = index as usize;
                    let entry = first_match.entry(node).or_insert(index);
                    *entry = (*entry).min(index);
                }
            }
        }
    }
    let mut matched: Vec<(usize, usize)> = first_match.into_iter().collect();
    matched.sort_unstable();
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
        let group = chunk
            .iter()
            .map(|(_, query)| query.selector.as_str())
            .collect::<Vec<_>>()
            .join(",");
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
