//! A compact snapshot of a page: the facts the core decides on, with no browser behind them.
//!
//! The DOM adapter builds one from the live page in a single walk; tests build them by hand or
//! from HTML fixtures. Nodes are stored in document order (pre-order), so a parent always has a
//! smaller id than its children. That makes bottom-up sums a single reverse loop.

use crate::core::fnv::Map;
use std::sync::OnceLock;

/// Index of a node in its [`PageTree`].
pub type NodeId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Element,
    Text,
}

/// One element or text node.
#[derive(Clone, Debug)]
pub struct Node {
    pub kind: NodeKind,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
    /// Lower-case tag name; empty for text nodes.
    pub tag: String,
    /// The `id` attribute, as written.
    pub id: String,
    /// The `class` attribute, as written.
    pub class: String,
    /// Other attributes the core looks at (see `vocabulary::is_relevant_attribute`), names in
    /// lower case.
    pub attributes: Vec<(String, String)>,
    /// Text of a text node. Long texts may be stored shortened; `text_chars` keeps the length.
    pub text: String,
    /// Number of non-whitespace characters in the full text of a text node.
    pub text_chars: usize,
}

impl Node {
    pub fn is_element(&self) -> bool {
        self.kind == NodeKind::Element
    }

    pub fn is_text(&self) -> bool {
        self.kind == NodeKind::Text
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.iter().any(|(key, _)| key == name)
    }
}

/// A page as a flat list of nodes in document order.
#[derive(Clone, Debug, Default)]
pub struct PageTree {
    nodes: Vec<Node>,
    /// For each node, one past the last id of its subtree; computed once, on first use, in one
    /// pass (pages nest 100k deep: walking down per query would be quadratic).
    subtree_ends: OnceLock<Vec<NodeId>>,
    /// Attribute names (lower case) that elements carry but the snapshot did not read, with the
    /// elements carrying each: enough for the EasyList pre-check (`core::selector`).
    unread_attributes: Map<String, Vec<NodeId>>,
    /// Elements only partly in this snapshot (a slice of a huge page ends inside them, or they
    /// are the context above a late widget): the rest of their subtree is not here, so the plan
    /// must never remove them.
    partial: Vec<bool>,
    /// The page's article is known to be outside this snapshot (a late widget read on its own):
    /// no block here may be taken for the article.
    article_outside: bool,
    /// The article an earlier look at the page found (an earlier round of the plan, or an
    /// earlier clean of the same page): it stays the article while it holds a paragraph.
    article_hint: Option<NodeId>,
    /// Blocks an earlier look at the page kept because they hold much of the article's prose
    /// (`GuardId::GuardArticleShare`): they stay kept, however little of them is left.
    share_kept: Vec<bool>,
}

impl PageTree {
    pub fn new() -> Self {
        PageTree::default()
    }

    pub fn with_capacity(capacity: usize) -> Self {
        PageTree {
            nodes: Vec::with_capacity(capacity),
            subtree_ends: OnceLock::new(),
            unread_attributes: Map::default(),
            partial: Vec::new(),
            article_outside: false,
            article_hint: None,
            share_kept: Vec::new(),
        }
    }

    /// Marks the snapshot as holding no part of the page's article (see the field).
    pub fn set_article_outside(&mut self) {
        self.article_outside = true;
    }

    pub fn is_article_outside(&self) -> bool {
        self.article_outside
    }

    /// Names the article found earlier on this page (see the field `article_hint`).
    pub fn set_article_hint(&mut self, node: NodeId) {
        self.article_hint = Some(node);
    }

    /// Names a block kept earlier for its share of the article (see the field `share_kept`).
    pub fn keep_for_share(&mut self, node: NodeId) {
        if node >= self.nodes.len() {
            return;
        }
        if self.share_kept.len() <= node {
            self.share_kept.resize(node + 1, false);
        }
        self.share_kept[node] = true;
    }

    pub fn is_kept_for_share(&self, node: NodeId) -> bool {
        self.share_kept.get(node).copied().unwrap_or(false)
    }

    pub fn article_hint(&self) -> Option<NodeId> {
        self.article_hint.filter(|&node| node < self.nodes.len())
    }

    /// Marks `node` as only partly snapshotted (see the field `partial`).
    pub fn mark_partial(&mut self, node: NodeId) {
        if self.partial.len() <= node {
            self.partial.resize(node + 1, false);
        }
        self.partial[node] = true;
    }

    pub fn is_partial(&self, node: NodeId) -> bool {
        self.partial.get(node).copied().unwrap_or(false)
    }

    /// Records that element `node` has an attribute `name` (lower case) whose value was not read.
    pub fn note_unread_attribute(&mut self, node: NodeId, name: &str) {
        match self.unread_attributes.get_mut(name) {
            Some(nodes) => nodes.push(node),
            None => {
                self.unread_attributes.insert(name.to_string(), vec![node]);
            }
        }
    }

    /// Attribute names carried but not read, with their elements.
    pub fn unread_attributes(&self) -> impl Iterator<Item = (&String, &Vec<NodeId>)> {
        self.unread_attributes.iter()
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    pub fn root(&self) -> Option<NodeId> {
        if self.nodes.is_empty() {
            None
        } else {
            Some(0)
        }
    }

    /// Adds an element. `attributes` may include `id` and `class`; they are stored apart.
    /// Children must be added after their parent (document order).
    pub fn add_element(
        &mut self,
        parent: Option<NodeId>,
        tag: &str,
        attributes: Vec<(String, String)>,
    ) -> NodeId {
        let mut id = String::new();
        let mut class = String::new();
        let mut others = Vec::new();
        for (name, value) in attributes {
            let name = name.to_ascii_lowercase();
            match name.as_str() {
                "id" => id = value,
                "class" => class = value,
                _ => others.push((name, value)),
            }
        }
        self.push(
            parent,
            Node {
                kind: NodeKind::Element,
                parent,
                children: Vec::new(),
                tag: tag.to_ascii_lowercase(),
                id,
                class,
                attributes: others,
                text: String::new(),
                text_chars: 0,
            },
        )
    }

    /// Adds a text node with its full text.
    pub fn add_text(&mut self, parent: NodeId, text: &str) -> NodeId {
        let chars = count_visible_chars(text);
        self.add_text_shortened(parent, text, chars)
    }

    /// Adds a text node whose text was shortened by the caller; `full_chars` is the number of
    /// non-whitespace characters of the full text.
    pub fn add_text_shortened(&mut self, parent: NodeId, text: &str, full_chars: usize) -> NodeId {
        self.push(
            Some(parent),
            Node {
                kind: NodeKind::Text,
                parent: Some(parent),
                children: Vec::new(),
                tag: String::new(),
                id: String::new(),
                class: String::new(),
                attributes: Vec::new(),
                text: text.to_string(),
                text_chars: full_chars,
            },
        )
    }

    /// Adds a copy of `node`, a node of another tree (its names are lower case already), under
    /// `parent`. Cheaper than `add_element`: nothing is split or lowered again.
    pub fn add_copy(&mut self, parent: Option<NodeId>, node: &Node) -> NodeId {
        self.push(
            parent,
            Node {
                kind: node.kind,
                parent,
                children: Vec::new(),
                tag: node.tag.clone(),
                id: node.id.clone(),
                class: node.class.clone(),
                attributes: node.attributes.clone(),
                text: node.text.clone(),
                text_chars: node.text_chars,
            },
        )
    }

    fn push(&mut self, parent: Option<NodeId>, node: Node) -> NodeId {
        self.subtree_ends.take();
        let id = self.nodes.len();
        if let Some(parent) = parent {
            debug_assert!(parent < id, "parents come before children");
            self.nodes[parent].children.push(id);
        }
        self.nodes.push(node);
        id
    }

    /// Whether `ancestor` is `node` or one of its ancestors.
    pub fn is_ancestor_or_self(&self, ancestor: NodeId, node: NodeId) -> bool {
        // Subtrees are contiguous in document order.
        ancestor <= node && node < self.subtree_end(ancestor)
    }

    /// The ids of `node`'s subtree, itself first, in document order.
    pub fn subtree(&self, node: NodeId) -> std::ops::Range<NodeId> {
        node..self.subtree_end(node)
    }

    /// One past the last id in `node`'s subtree (pre-order makes subtrees contiguous).
    pub fn subtree_end(&self, node: NodeId) -> NodeId {
        let ends = self.subtree_ends.get_or_init(|| {
            let mut ends: Vec<NodeId> = (1..=self.nodes.len()).collect();
            for id in (0..self.nodes.len()).rev() {
                if let Some(parent) = self.nodes[id].parent {
                    ends[parent] = ends[parent].max(ends[id]);
                }
            }
            ends
        });
        ends[node]
    }

    /// The text of a subtree, with whitespace collapsed, at most `max_chars` characters.
    pub fn text_of(&self, node: NodeId, max_chars: usize) -> String {
        let mut out = String::new();
        let mut count = 0;
        let mut pending_space = false;
        for id in self.subtree(node) {
            let item = &self.nodes[id];
            if !item.is_text() {
                continue;
            }
            for c in item.text.chars() {
                if c.is_whitespace() {
                    pending_space = !out.is_empty();
                    continue;
                }
                if count >= max_chars {
                    return out;
                }
                if pending_space {
                    out.push(' ');
                    count += 1;
                    pending_space = false;
                }
                out.push(c);
                count += 1;
            }
            // Adjacent text nodes usually come from separate elements: keep words apart.
            pending_space = !out.is_empty();
        }
        out
    }
}

/// `text`'s words, separated by one space each.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Non-whitespace characters in `text`.
pub fn count_visible_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PageTree {
        let mut tree = PageTree::new();
        let body = tree.add_element(None, "BODY", vec![]);
        let div = tree.add_element(
            Some(body),
            "div",
            vec![("ID".into(), "x".into()), ("class".into(), "a b".into())],
        );
        tree.add_text(div, "  Hello ");
        let span = tree.add_element(Some(div), "span", vec![]);
        tree.add_text(span, "world");
        tree.add_text(body, "tail");
        tree
    }

    #[test]
    fn builder_keeps_document_order_and_attributes() {
        let tree = sample();
        assert_eq!(tree.len(), 6);
        assert_eq!(tree.node(0).tag, "body");
        assert_eq!(tree.node(1).id, "x");
        assert_eq!(tree.node(1).class, "a b");
        assert_eq!(tree.node(0).children, vec![1, 5]);
        assert_eq!(tree.subtree(1), 1..5);
        assert!(tree.is_ancestor_or_self(1, 4));
        assert!(!tree.is_ancestor_or_self(1, 5));
    }

    #[test]
    fn text_of_collapses_whitespace_and_separates_nodes() {
        let tree = sample();
        assert_eq!(tree.text_of(0, 100), "Hello world tail");
        assert_eq!(tree.text_of(0, 7), "Hello w");
        assert_eq!(tree.node(2).text_chars, 5);
    }
}
