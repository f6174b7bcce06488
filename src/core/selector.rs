//! A cheap pre-check for EasyList selectors that have no class or id key.
//!
//! Running every such selector through the browser's engine costs a full scan of the document
//! per group of selectors, on every pass. Most of them cannot match on a given page: they need an
//! attribute no element has (`[data-ad-module]`) or a link to a host the page never links to
//! (`a[href^="http://clicks.example/"]`). This module reads the selector's subject (its last
//! compound, the part that names the element itself) and finds, on the snapshot, the elements
//! that could match it. The browser then checks only those elements (`Element.matches`), which
//! also decides the combinators and pseudo-classes this module does not read.
//!
//! The pre-check may only ever say "could match" too often, never too rarely: anything it does
//! not understand (escapes, selector lists, unknown syntax) makes it give up and the selector is
//! queried the old way.

use crate::core::fnv::Map;
use crate::core::tree::{NodeId, PageTree};

/// How an attribute's value is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttributeOp {
    /// `[name]`
    Exists,
    /// `[name="v"]`
    Equals,
    /// `[name~="v"]`
    Word,
    /// `[name|="v"]`
    DashPrefix,
    /// `[name^="v"]`
    Prefix,
    /// `[name$="v"]`
    Suffix,
    /// `[name*="v"]`
    Contains,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributeTest {
    /// Lower-case (HTML attribute names are not case-sensitive).
    pub name: String,
    pub op: AttributeOp,
    pub value: String,
    /// The `i` flag.
    pub ignore_case: bool,
}

impl AttributeTest {
    fn accepts(&self, value: &str) -> bool {
        if self.ignore_case {
            // The `i` flag compares ASCII letters without case (Selectors Level 4).
            let lower = AttributeTest {
                value: self.value.to_ascii_lowercase(),
                ignore_case: false,
                ..self.clone()
            };
            return lower.accepts(&value.to_ascii_lowercase());
        }
        let wanted = self.value.as_str();
        match self.op {
            AttributeOp::Exists => true,
            AttributeOp::Equals => value == wanted,
            AttributeOp::Word => {
                !wanted.is_empty() && value.split_ascii_whitespace().any(|word| word == wanted)
            }
            AttributeOp::DashPrefix => {
                value == wanted
                    || (value.starts_with(wanted) && value[wanted.len()..].starts_with('-'))
            }
            // An empty string never matches these three (Selectors Level 4).
            AttributeOp::Prefix => !wanted.is_empty() && value.starts_with(wanted),
            AttributeOp::Suffix => !wanted.is_empty() && value.ends_with(wanted),
            AttributeOp::Contains => !wanted.is_empty() && value.contains(wanted),
        }
    }
}

/// What a selector's subject requires of an element, as far as this module reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// Lower-case tag name; `None` for `*` or no type selector.
    pub tag: Option<String>,
    pub ids: Vec<String>,
    pub classes: Vec<String>,
    pub attributes: Vec<AttributeTest>,
}

impl Subject {
    /// Reads the subject of `selector`. `None` when the selector is outside what this module
    /// understands; the caller then queries the selector on the whole document.
    pub fn parse(selector: &str) -> Option<Subject> {
        let compound = last_compound(selector)?;
        let subject = parse_compound(compound)?;
        // A subject with no test at all (`*`, or only pseudo-classes) narrows nothing.
        if subject.tag.is_none()
            && subject.ids.is_empty()
            && subject.classes.is_empty()
            && subject.attributes.is_empty()
        {
            return None;
        }
        Some(subject)
    }
}

/// The text after the last top-level combinator. `None` for selector lists, escapes and
/// unbalanced brackets.
fn last_compound(selector: &str) -> Option<&str> {
    let bytes = selector.as_bytes();
    let mut start = 0;
    let mut brackets = 0usize;
    let mut parens = 0usize;
    let mut quote: Option<u8> = None;
    for (index, &byte) in bytes.iter().enumerate() {
        if byte == b'\\' {
            return None;
        }
        if let Some(q) = quote {
            if byte == q {
                quote = None;
            }
            continue;
        }
        match byte {
            b'"' | b'\'' => quote = Some(byte),
            b'[' => brackets += 1,
            b']' => brackets = brackets.checked_sub(1)?,
            b'(' => parens += 1,
            b')' => parens = parens.checked_sub(1)?,
            b',' if brackets == 0 && parens == 0 => return None,
            b' ' | b'\t' | b'\n' | b'>' | b'+' | b'~' if brackets == 0 && parens == 0 => {
                start = index + 1;
            }
            _ => {}
        }
    }
    if quote.is_some() || brackets != 0 || parens != 0 {
        return None;
    }
    let compound = selector[start..].trim();
    (!compound.is_empty()).then_some(compound)
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii()
}

fn take_name(text: &str) -> (&str, &str) {
    let end = text
        .char_indices()
        .find(|&(_, c)| !is_name_char(c))
        .map_or(text.len(), |(index, _)| index);
    text.split_at(end)
}

fn parse_compound(compound: &str) -> Option<Subject> {
    let mut subject = Subject::default();
    let mut rest = compound;
    if let Some(after) = rest.strip_prefix('*') {
        rest = after;
    } else {
        let (tag, after) = take_name(rest);
        if !tag.is_empty() {
            subject.tag = Some(tag.to_ascii_lowercase());
            rest = after;
        }
    }
    while let Some(first) = rest.chars().next() {
        match first {
            '#' | '.' => {
                let (name, after) = take_name(&rest[1..]);
                if name.is_empty() {
                    return None;
                }
                if first == '#' {
                    subject.ids.push(name.to_string());
                } else {
                    subject.classes.push(name.to_string());
                }
                rest = after;
            }
            '[' => {
                let end = closing_bracket(rest)?;
                subject.attributes.push(parse_attribute(&rest[1..end])?);
                rest = &rest[end + 1..];
            }
            ':' => {
                // Pseudo-classes only add conditions: skipping them keeps the check a superset.
                let after_colons = rest.trim_start_matches(':');
                let (name, after) = take_name(after_colons);
                if name.is_empty() {
                    return None;
                }
                rest = after;
                if rest.starts_with('(') {
                    let end = closing_paren(rest)?;
                    rest = &rest[end + 1..];
                }
            }
            _ => return None,
        }
    }
    Some(subject)
}

/// Index of the `]` closing the `[` at the start of `text`, skipping quoted strings.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut quote: Option<char> = None;
    for (index, c) in text.char_indices().skip(1) {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == ']' => return Some(index),
            None => {}
        }
    }
    None
}

/// Index of the `)` closing the `(` at the start of `text`.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (index, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c == '(' => depth += 1,
            None if c == ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            None => {}
        }
    }
    None
}

fn parse_attribute(inner: &str) -> Option<AttributeTest> {
    let inner = inner.trim();
    let (name, rest) = take_name(inner);
    if name.is_empty() {
        return None;
    }
    let name = name.to_ascii_lowercase();
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Some(AttributeTest {
            name,
            op: AttributeOp::Exists,
            value: String::new(),
            ignore_case: false,
        });
    }
    let (op, rest) = match rest.as_bytes() {
        [b'=', ..] => (AttributeOp::Equals, &rest[1..]),
        [b'~', b'=', ..] => (AttributeOp::Word, &rest[2..]),
        [b'|', b'=', ..] => (AttributeOp::DashPrefix, &rest[2..]),
        [b'^', b'=', ..] => (AttributeOp::Prefix, &rest[2..]),
        [b'$', b'=', ..] => (AttributeOp::Suffix, &rest[2..]),
        [b'*', b'=', ..] => (AttributeOp::Contains, &rest[2..]),
        _ => return None,
    };
    let rest = rest.trim_start();
    let (value, flags) = match rest.chars().next()? {
        q @ ('"' | '\'') => {
            let end = rest[1..].find(q)? + 1;
            (&rest[1..end], rest[end + 1..].trim())
        }
        _ => {
            let (value, after) = take_name(rest);
            if value.is_empty() {
                return None;
            }
            (value, after.trim())
        }
    };
    let ignore_case = match flags {
        "" | "s" | "S" => false,
        "i" | "I" => true,
        _ => return None,
    };
    Some(AttributeTest {
        name,
        op,
        value: value.to_string(),
        ignore_case,
    })
}

/// Elements of one page indexed by tag and by attribute name, built once per pass.
pub struct ElementIndex<'a> {
    tree: &'a PageTree,
    by_tag: Map<&'a str, Vec<NodeId>>,
    by_attribute: Map<&'a str, Vec<NodeId>>,
    /// For attributes the snapshot read: (value, element) pairs sorted by value, so prefix and
    /// equality tests are a binary search (EasyList has hundreds of `a[href^="..."]` rules).
    by_value: Map<&'a str, Vec<(&'a str, NodeId)>>,
}

impl<'a> ElementIndex<'a> {
    pub fn new(tree: &'a PageTree) -> Self {
        let mut by_tag: Map<&str, Vec<NodeId>> = Map::default();
        let mut by_attribute: Map<&str, Vec<NodeId>> = Map::default();
        let mut by_value: Map<&str, Vec<(&str, NodeId)>> = Map::default();
        for (id, node) in tree.nodes().iter().enumerate() {
            if !node.is_element() {
                continue;
            }
            by_tag.entry(node.tag.as_str()).or_default().push(id);
            let named = [("id", node.id.as_str()), ("class", node.class.as_str())];
            let read = named
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .chain(
                    node.attributes
                        .iter()
                        .map(|(name, value)| (name.as_str(), value.as_str())),
                );
            for (name, value) in read {
                by_attribute.entry(name).or_default().push(id);
                by_value.entry(name).or_default().push((value, id));
            }
        }
        for values in by_value.values_mut() {
            crate::core::order::heap_sort(values, |a, b| a < b);
        }
        for (name, nodes) in tree.unread_attributes() {
            by_attribute
                .entry(name.as_str())
                .or_default()
                .extend(nodes.iter().copied());
        }
        for nodes in by_attribute.values_mut() {
            crate::core::order::sort_dedup_ids(nodes);
        }
        ElementIndex {
            tree,
            by_tag,
            by_attribute,
            by_value,
        }
    }

    /// The elements that could match `subject`, in document order.
    pub fn candidates<'b>(&'b self, subject: &Subject) -> Vec<NodeId> {
        const NONE: &[NodeId] = &[];
        let mut pool: Option<&[NodeId]> = None;
        let mut consider = |list: &'b [NodeId]| {
            if pool.is_none_or(|current| list.len() < current.len()) {
                pool = Some(list);
            }
        };
        if let Some(tag) = &subject.tag {
            consider(self.by_tag.get(tag.as_str()).map_or(NONE, Vec::as_slice));
        }
        for test in &subject.attributes {
            consider(
                self.by_attribute
                    .get(test.name.as_str())
                    .map_or(NONE, Vec::as_slice),
            );
        }
        if !subject.ids.is_empty() {
            consider(self.by_attribute.get("id").map_or(NONE, Vec::as_slice));
        }
        if !subject.classes.is_empty() {
            consider(self.by_attribute.get("class").map_or(NONE, Vec::as_slice));
        }
        // A prefix or equality test on a read attribute narrows by binary search.
        let mut ranged: Option<Vec<NodeId>> = None;
        for test in &subject.attributes {
            if test.ignore_case || !matches!(test.op, AttributeOp::Prefix | AttributeOp::Equals) {
                continue;
            }
            let Some(values) = self.by_value.get(test.name.as_str()) else {
                continue;
            };
            let start = values.partition_point(|(value, _)| *value < test.value.as_str());
            let within = values[start..]
                .iter()
                .take_while(|(value, _)| match test.op {
                    AttributeOp::Equals => *value == test.value,
                    _ => value.starts_with(test.value.as_str()),
                });
            let nodes: Vec<NodeId> = within.map(|&(_, id)| id).collect();
            if ranged.as_ref().is_none_or(|r| nodes.len() < r.len()) {
                ranged = Some(nodes);
            }
        }
        let pool: &[NodeId] = match (&ranged, pool) {
            (Some(ranged), Some(pool)) if ranged.len() <= pool.len() => ranged,
            (_, Some(pool)) => pool,
            (Some(ranged), None) => ranged,
            (None, None) => return Vec::new(),
        };
        let mut found: Vec<NodeId> = pool
            .iter()
            .copied()
            .filter(|&id| self.could_match(id, subject))
            .collect();
        crate::core::order::sort_dedup_ids(&mut found);
        found
    }

    fn has_attribute(&self, id: NodeId, name: &str) -> bool {
        self.by_attribute
            .get(name)
            .is_some_and(|nodes| nodes.binary_search(&id).is_ok())
    }

    fn could_match(&self, id: NodeId, subject: &Subject) -> bool {
        let node = self.tree.node(id);
        if subject.tag.as_ref().is_some_and(|tag| *tag != node.tag) {
            return false;
        }
        if subject.ids.iter().any(|wanted| *wanted != node.id) {
            return false;
        }
        if subject
            .classes
            .iter()
            .any(|wanted| !node.class.split_ascii_whitespace().any(|c| c == wanted))
        {
            return false;
        }
        subject.attributes.iter().all(|test| {
            let known = match test.name.as_str() {
                "id" => (!node.id.is_empty()).then_some(node.id.as_str()),
                "class" => (!node.class.is_empty()).then_some(node.class.as_str()),
                name => node.attribute(name),
            };
            match known {
                Some(value) => test.accepts(value),
                // Present but not read by the snapshot: the browser decides.
                None => self.has_attribute(id, &test.name),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, op: AttributeOp, value: &str) -> AttributeTest {
        AttributeTest {
            name: name.into(),
            op,
            value: value.into(),
            ignore_case: false,
        }
    }

    #[test]
    fn reads_the_subject_after_the_last_combinator() {
        let subject = Subject::parse(r#"a[href^="https://x.example/"] > img"#).unwrap();
        assert_eq!(subject.tag.as_deref(), Some("img"));
        assert!(subject.attributes.is_empty());
        let subject = Subject::parse(r#"div[data-x="a > b"]"#).unwrap();
        assert_eq!(
            subject.attributes,
            vec![attr("data-x", AttributeOp::Equals, "a > b")]
        );
        let subject = Subject::parse(r#"[data-freestar-ad][id]"#).unwrap();
        assert_eq!(subject.attributes.len(), 2);
        let subject = Subject::parse(r#"div.ad:not(.keep)#top[data-A$='x' i]"#).unwrap();
        assert_eq!(subject.tag.as_deref(), Some("div"));
        assert_eq!(subject.classes, vec!["ad"]);
        assert_eq!(subject.ids, vec!["top"]);
        assert_eq!(subject.attributes[0].name, "data-a");
        assert!(subject.attributes[0].ignore_case);
    }

    #[test]
    fn gives_up_on_what_it_does_not_read() {
        for selector in [
            "a, b",
            r"div.\31 23",
            "*",
            ":is(.a, .b)",
            "div[data-x",
            r#"div[x="unclosed]"#,
            "div[x=]",
            "div[x=\"y\" q]",
            "div > ",
        ] {
            assert_eq!(Subject::parse(selector), None, "{selector}");
        }
    }

    #[test]
    fn candidates_are_a_superset_checked_on_what_the_snapshot_read() {
        let mut tree = PageTree::new();
        let root = tree.add_element(None, "body", vec![]);
        let ad = tree.add_element(
            Some(root),
            "a",
            vec![("href".into(), "https://clicks.example/x".into())],
        );
        let plain = tree.add_element(
            Some(root),
            "a",
            vec![("href".into(), "https://news.example/".into())],
        );
        let slot = tree.add_element(Some(root), "div", vec![]);
        tree.note_unread_attribute(slot, "data-ad-module");
        let index = ElementIndex::new(&tree);
        let links = Subject::parse(r#"a[href^="https://clicks.example/"]"#).unwrap();
        assert_eq!(index.candidates(&links), vec![ad]);
        let any_link = Subject::parse("a[href]").unwrap();
        assert_eq!(index.candidates(&any_link), vec![ad, plain]);
        let module = Subject::parse("[data-ad-module]").unwrap();
        assert_eq!(index.candidates(&module), vec![slot]);
        // A value the snapshot did not read: the element stays a candidate.
        let valued = Subject::parse(r#"div[data-ad-module="top"]"#).unwrap();
        assert_eq!(index.candidates(&valued), vec![slot]);
        let absent = Subject::parse("[data-nowhere]").unwrap();
        assert!(index.candidates(&absent).is_empty());
        let wrong_tag = Subject::parse("span[data-ad-module]").unwrap();
        assert!(index.candidates(&wrong_tag).is_empty());
    }

    #[test]
    fn attribute_operators_follow_the_selectors_spec() {
        let t = |op, value: &str, actual: &str| attr("x", op, value).accepts(actual);
        assert!(t(AttributeOp::Word, "ad", "big ad slot"));
        assert!(!t(AttributeOp::Word, "ad", "adslot"));
        assert!(t(AttributeOp::DashPrefix, "en", "en-GB"));
        assert!(!t(AttributeOp::DashPrefix, "en", "eng"));
        assert!(!t(AttributeOp::Prefix, "", "anything"));
        assert!(t(AttributeOp::Suffix, ".php", "/a.php"));
        assert!(t(AttributeOp::Contains, "ads", "/x/ads/y"));
        assert!(!t(AttributeOp::Equals, "AD", "ad"));
        let mut insensitive = attr("x", AttributeOp::Equals, "AD");
        insensitive.ignore_case = true;
        assert!(insensitive.accepts("ad"));
    }
}
