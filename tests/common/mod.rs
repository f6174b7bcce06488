//! Test support: a small, forgiving HTML reader that turns fixture markup into a `PageTree`, and
//! helpers to ask what a plan removes. It understands what fixtures use: elements, attributes,
//! void elements, comments, doctype, raw-text script/style, and the common entities.

#![allow(dead_code)]

use unsponsor::core::category::CategorySet;
use unsponsor::core::guard::GuardId;
use unsponsor::core::plan::{plan, Plan};
use unsponsor::core::tree::{NodeId, PageTree};

const VOID_TAGS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];
const RAW_TEXT_TAGS: &[&str] = &["script", "style"];

/// Parses `html` into a tree rooted at an `html` element (added if the markup has none).
pub fn parse(html: &str) -> PageTree {
    let mut tree = PageTree::new();
    let root = tree.add_element(None, "html", vec![]);
    let mut stack: Vec<(NodeId, String)> = vec![(root, "html".to_string())];
    let bytes = html.as_bytes();
    let mut position = 0;
    while position < html.len() {
        let rest = &html[position..];
        if let Some(after) = rest.strip_prefix("<!--") {
            position += 4 + after.find("-->").map(|i| i + 3).unwrap_or(after.len());
        } else if rest.starts_with("<!") || rest.starts_with("<?") {
            position += rest.find('>').map(|i| i + 1).unwrap_or(rest.len());
        } else if let Some(after) = rest.strip_prefix("</") {
            let end = after.find('>').unwrap_or(after.len());
            let name = after[..end].trim().to_ascii_lowercase();
            if let Some(index) = stack.iter().rposition(|(_, tag)| *tag == name) {
                if index > 0 {
                    stack.truncate(index);
                }
            }
            position += 2 + end + 1;
        } else if rest.starts_with('<') && rest[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        {
            let (tag, attributes, self_closing, length) = read_start_tag(rest);
            position += length;
            if tag == "html" {
                continue;
            }
            let parent = stack.last().map(|(id, _)| *id).unwrap_or(root);
            // A new block closes an open paragraph, as browsers do.
            if is_block(&tag) {
                if let Some(index) = stack.iter().rposition(|(_, t)| t == "p") {
                    if stack[index + 1..].iter().all(|(_, t)| !is_block(t)) {
                        stack.truncate(index);
                    }
                }
            }
            let parent = stack.last().map(|(id, _)| *id).unwrap_or(parent);
            let id = tree.add_element(Some(parent), &tag, attributes);
            if RAW_TEXT_TAGS.contains(&tag.as_str()) {
                let close = format!("</{tag}");
                let body = &html[position..];
                let end = body.to_ascii_lowercase().find(&close).unwrap_or(body.len());
                position += end;
                position += html[position..].find('>').map(|i| i + 1).unwrap_or(0);
            } else if !self_closing && !VOID_TAGS.contains(&tag.as_str()) {
                stack.push((id, tag));
            }
        } else {
            let first = rest.chars().next().map(char::len_utf8).unwrap_or(1);
            let end = rest[first..]
                .find('<')
                .map(|i| i + first)
                .unwrap_or(rest.len());
            let text = decode_entities(&rest[..end]);
            let parent = stack.last().map(|(id, _)| *id).unwrap_or(root);
            tree.add_text(parent, &text);
            position += end;
        }
        debug_assert!(position <= bytes.len());
    }
    tree
}

fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "section"
            | "article"
            | "aside"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "table"
            | "figure"
            | "header"
            | "footer"
            | "nav"
            | "blockquote"
    )
}

fn read_start_tag(input: &str) -> (String, Vec<(String, String)>, bool, usize) {
    // Only the tag itself: up to the first '>' outside quotes (bounded so a stray '<' in a huge
    // page does not make parsing quadratic).
    let chars: Vec<(usize, char)> = input.char_indices().take(16 * 1024).collect();
    let mut index = 1;
    let mut name = String::new();
    while index < chars.len() && !chars[index].1.is_whitespace() && !"/>".contains(chars[index].1) {
        name.push(chars[index].1.to_ascii_lowercase());
        index += 1;
    }
    let mut attributes = Vec::new();
    let mut self_closing = false;
    loop {
        while index < chars.len() && chars[index].1.is_whitespace() {
            index += 1;
        }
        if index >= chars.len() {
            break;
        }
        match chars[index].1 {
            '>' => {
                index += 1;
                break;
            }
            '/' => {
                self_closing = true;
                index += 1;
                continue;
            }
            _ => {}
        }
        let mut key = String::new();
        while index < chars.len()
            && !chars[index].1.is_whitespace()
            && !"=/>".contains(chars[index].1)
        {
            key.push(chars[index].1.to_ascii_lowercase());
            index += 1;
        }
        let mut value = String::new();
        if index < chars.len() && chars[index].1 == '=' {
            index += 1;
            if index < chars.len() && (chars[index].1 == '"' || chars[index].1 == '\'') {
                let quote = chars[index].1;
                index += 1;
                while index < chars.len() && chars[index].1 != quote {
                    value.push(chars[index].1);
                    index += 1;
                }
                index += 1;
            } else {
                while index < chars.len()
                    && !chars[index].1.is_whitespace()
                    && chars[index].1 != '>'
                {
                    value.push(chars[index].1);
                    index += 1;
                }
            }
        }
        if !key.is_empty() {
            attributes.push((key, decode_entities(&value)));
        } else {
            index += 1;
        }
    }
    let length = chars.get(index).map(|(at, _)| *at).unwrap_or(input.len());
    (name, attributes, self_closing, length)
}

fn decode_entities(text: &str) -> String {
    text.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&rsquo;", "\u{2019}")
        .replace("&amp;", "&")
}

/// Plans `html` with the default categories.
pub fn plan_default(html: &str) -> (PageTree, Plan) {
    let tree = parse(html);
    let plan = plan(&tree, &CategorySet::default());
    (tree, plan)
}

/// The visible text left after applying `plan` (removed subtrees skipped), whitespace collapsed.
pub fn text_after(tree: &PageTree, plan: &Plan) -> String {
    let mut removed = vec![false; tree.len()];
    for removal in &plan.removals {
        for id in tree.subtree(removal.node) {
            removed[id] = true;
        }
    }
    let mut skip = vec![false; tree.len()];
    for (id, node) in tree.nodes().iter().enumerate() {
        let parent_skipped = node.parent.is_some_and(|p| skip[p]);
        skip[id] = parent_skipped || matches!(node.tag.as_str(), "script" | "style" | "head");
    }
    let mut words = Vec::new();
    for (id, node) in tree.nodes().iter().enumerate() {
        if node.is_text() && !removed[id] && !skip[id] {
            words.extend(node.text.split_whitespace().map(str::to_string));
        }
    }
    words.join(" ")
}

/// Rule ids of the removals, in document order.
pub fn rules(plan: &Plan) -> Vec<&'static str> {
    plan.removals.iter().map(|r| r.rule.id()).collect()
}

/// A paragraph of filler prose long enough to count as article text.
pub fn prose(seed: &str) -> String {
    format!(
        "{seed} The minister said the talks had covered trade, security and the coming winter, \
         and that both sides expected further meetings before the end of the year."
    )
}

/// Wraps `inner` in a page with a headline and a real article of several paragraphs.
pub fn article_page(inner: &str) -> String {
    format!(
        "<!doctype html><html><head><title>t</title></head><body>\
         <header><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav></header>\
         <main><article><h1>Leaders meet in the capital</h1>\
         <div class=\"article-body\"><p>{}</p><p>{}</p>{inner}<p>{}</p><p>{}</p></div>\
         </article></main></body></html>",
        prose("First paragraph."),
        prose("Second paragraph."),
        prose("Third paragraph."),
        prose("Fourth paragraph.")
    )
}

/// A copy of `tree` without the subtrees `plan` removes (what the page holds after a clean).
pub fn tree_after(tree: &PageTree, plan: &Plan) -> PageTree {
    let mut removed = vec![false; tree.len()];
    for removal in &plan.removals {
        for id in tree.subtree(removal.node) {
            removed[id] = true;
        }
    }
    let mut copy = PageTree::new();
    let mut new_id: Vec<Option<NodeId>> = vec![None; tree.len()];
    for (id, node) in tree.nodes().iter().enumerate() {
        if removed[id] {
            continue;
        }
        let parent = node.parent.and_then(|p| new_id[p]);
        if node.is_text() {
            if let Some(parent) = parent {
                // Keep the recorded length: a text the snapshot stored shortened stays as long.
                new_id[id] = Some(copy.add_text_shortened(parent, &node.text, node.text_chars));
            }
        } else {
            let mut attributes = node.attributes.clone();
            attributes.push(("id".into(), node.id.clone()));
            attributes.push(("class".into(), node.class.clone()));
            new_id[id] = Some(copy.add_element(parent, &node.tag, attributes));
        }
    }
    carry_session_memory(plan, &new_id, &mut copy);
    copy
}

/// What the extension remembers of a page's first clean for the next one
/// (`wasm::memory::PageMemory`): its article stays the article, and the blocks it kept for their
/// share of the article stay kept. `new_id` maps the planned tree's ids to `copy`'s (`None`:
/// removed).
pub fn carry_session_memory(plan: &Plan, new_id: &[Option<NodeId>], copy: &mut PageTree) {
    if let Some(root) = plan.article_root.and_then(|root| new_id[root]) {
        copy.set_article_hint(root);
    }
    for block in &plan.kept {
        if block.guard == GuardId::GuardArticleShare {
            if let Some(id) = new_id[block.node] {
                copy.keep_for_share(id);
            }
        }
    }
}
