//! Facts about every node, summed bottom-up in one pass: how much text, prose, links, headings
//! and media a subtree holds, and where the article is.

use crate::core::labels::classify_label;
use crate::core::tree::{NodeId, PageTree};
use crate::core::vocabulary::{
    ARTICLE_MIN_CHARS, ARTICLE_PARAGRAPH_MIN_CHARS, LABEL_MAX_CHARS, MEDIA_TAGS, OWN_UI_ATTRIBUTE,
    PROSE_MIN_CHARS,
};

/// Per-node sums over each subtree (index = node id).
pub struct Analysis {
    /// Visible characters of text.
    pub chars: Vec<usize>,
    /// Characters inside links.
    pub link_chars: Vec<usize>,
    /// Characters in prose: text nodes of at least `PROSE_MIN_CHARS` outside links and buttons.
    pub prose: Vec<usize>,
    /// Paragraph-like elements holding prose (p, blockquote, pre, dd, or bare prose text).
    pub paragraphs: Vec<u32>,
    /// Links with an address.
    pub links: Vec<u32>,
    /// Headings (h1-h6, role=heading) that are not labels and not link titles.
    pub plain_headings: Vec<u32>,
    /// Top-level headings (h1).
    pub headlines: Vec<u32>,
    /// Images, frames, form controls and other things that show without text.
    pub media: Vec<u32>,
    /// Figures, code and preformatted text.
    pub figures: Vec<u32>,
    /// Whether the node is inside (or is) an `<a>`.
    pub in_link: Vec<bool>,
    /// Whether the node is inside (or is) the extension's own interface.
    pub in_own_ui: Vec<bool>,
    /// Whether the subtree contains the extension's own interface.
    pub has_own_ui: Vec<bool>,
    /// How many blocks with strong markup evidence (a vendor's container, an ad slot) hold the
    /// node, itself included (at most 2: only "none", "one" and "nested" matter).
    pub strong_depth: Vec<u8>,
    /// Non-link characters inside such blocks.
    pub strong_chars: Vec<usize>,
    /// Non-link characters inside such blocks nested in another.
    pub nested_strong_chars: Vec<usize>,
    /// Whether the node is inside (or is) a paragraph element (p, blockquote, pre, dd) that holds
    /// prose: part of a sentence the prose guard protects.
    pub in_prose_paragraph: Vec<bool>,
    /// The page's headline: the first `<h1>` outside links and our interface, preferring one
    /// that is not all link (it may hold a link, or read like a label). The article is looked for under it, so the guard keeps it.
    pub headline: Option<NodeId>,
    /// The element holding the article's paragraphs, if the page has one.
    pub article_root: Option<NodeId>,
}

impl Analysis {
    /// `strong[id]` says whether node `id` itself carries strong markup evidence.
    pub fn new(tree: &PageTree, strong: &[bool]) -> Self {
        let count = tree.len();
        let mut analysis = Analysis {
            chars: vec![0; count],
            link_chars: vec![0; count],
            prose: vec![0; count],
            paragraphs: vec![0; count],
            links: vec![0; count],
            plain_headings: vec![0; count],
            headlines: vec![0; count],
            media: vec![0; count],
            figures: vec![0; count],
            in_link: vec![false; count],
            in_own_ui: vec![false; count],
            has_own_ui: vec![false; count],
            strong_depth: vec![0; count],
            strong_chars: vec![0; count],
            nested_strong_chars: vec![0; count],
            in_prose_paragraph: vec![false; count],
            headline: None,
            article_root: None,
        };
        analysis.mark_ancestry(tree, strong);
        analysis.sum_bottom_up(tree);
        analysis.mark_prose_paragraphs(tree);
        let is_headline = |id: NodeId| {
            tree.node(id).tag == "h1" && !analysis.in_own_ui[id] && !analysis.in_link[id]
        };
        // Sites that set each box's title as an <h1> link ("Links We Like") set the story's
        // title as words: an <h1> that is not all link comes first.
        analysis.headline = (0..count)
            .find(|&id| is_headline(id) && analysis.link_chars[id] < analysis.chars[id])
            .or_else(|| (0..count).find(|&id| is_headline(id)));
        // A late widget's snapshot holds the widget, not the article: it must not pass for one.
        if !tree.is_article_outside() {
            analysis.article_root = find_article_root(tree, &analysis);
        }
        analysis
    }

    /// Top-down flags: inside a link, inside our own interface, inside strong evidence.
    fn mark_ancestry(&mut self, tree: &PageTree, strong: &[bool]) {
        for (id, node) in tree.nodes().iter().enumerate() {
            let (parent_in_link, parent_in_ui, parent_strong_depth) = match node.parent {
                Some(parent) => (
                    self.in_link[parent],
                    self.in_own_ui[parent],
                    self.strong_depth[parent],
                ),
                None => (false, false, 0),
            };
            let own = u8::from(strong.get(id).copied().unwrap_or(false));
            self.strong_depth[id] = (parent_strong_depth + own).min(2);
            self.in_link[id] = parent_in_link || node.tag == "a" || node.tag == "button";
            self.in_own_ui[id] = parent_in_ui || node.has_attribute(OWN_UI_ATTRIBUTE);
        }
    }

    fn sum_bottom_up(&mut self, tree: &PageTree) {
        for id in (0..tree.len()).rev() {
            let node = tree.node(id);
            if node.is_text() {
                self.chars[id] = node.text_chars;
                if !self.in_link[id] {
                    if self.strong_depth[id] > 0 {
                        self.strong_chars[id] = node.text_chars;
                    }
                    if self.strong_depth[id] > 1 {
                        self.nested_strong_chars[id] = node.text_chars;
                    }
                }
                if self.in_link[id] {
                    self.link_chars[id] = node.text_chars;
                } else if node.text_chars >= PROSE_MIN_CHARS {
                    self.prose[id] = node.text_chars;
                    let parent_is_paragraph = node
                        .parent
                        .map(|p| is_paragraph_tag(&tree.node(p).tag))
                        .unwrap_or(false);
                    if !parent_is_paragraph {
                        self.paragraphs[id] = 1;
                    }
                }
            } else {
                let tag = node.tag.as_str();
                if tag == "a" && node.has_attribute("href") {
                    self.links[id] += 1;
                }
                if MEDIA_TAGS.contains(&tag) {
                    self.media[id] += 1;
                }
                if matches!(tag, "figure" | "pre" | "code") {
                    self.figures[id] += 1;
                }
                if self.in_own_ui[id] && !node.parent.is_some_and(|p| self.in_own_ui[p]) {
                    self.has_own_ui[id] = true;
                }
            }
            // Children were summed already (they have larger ids): add this node to its parent.
            if is_paragraph_tag(&node.tag)
                && self.chars[id] - self.link_chars[id] >= PROSE_MIN_CHARS
            {
                self.paragraphs[id] = self.paragraphs[id].max(1);
            }
            if is_heading(tree, id) && !self.in_link[id] && self.links[id] == 0 {
                // A heading that is a label ("ADVERTISEMENT" set as an <h1> above text ads)
                // titles a block to remove: it is neither a headline nor a plain heading.
                let is_label = self.chars[id] <= LABEL_MAX_CHARS
                    && classify_label(&tree.text_of(id, LABEL_MAX_CHARS + 1)).is_some();
                if !is_label {
                    if node.tag == "h1" {
                        self.headlines[id] += 1;
                    }
                    self.plain_headings[id] += 1;
                }
            }
            if let Some(parent) = node.parent {
                self.chars[parent] += self.chars[id];
                self.link_chars[parent] += self.link_chars[id];
                self.strong_chars[parent] += self.strong_chars[id];
                self.nested_strong_chars[parent] += self.nested_strong_chars[id];
                self.prose[parent] += self.prose[id];
                self.paragraphs[parent] += self.paragraphs[id];
                self.links[parent] += self.links[id];
                self.plain_headings[parent] += self.plain_headings[id];
                self.headlines[parent] += self.headlines[id];
                self.media[parent] += self.media[id];
                self.figures[parent] += self.figures[id];
                self.has_own_ui[parent] |= self.has_own_ui[id];
            }
        }
    }

    /// Top-down, once the sums are known: which nodes are (inside) a paragraph holding prose.
    fn mark_prose_paragraphs(&mut self, tree: &PageTree) {
        for (id, node) in tree.nodes().iter().enumerate() {
            let parent_in = node.parent.is_some_and(|p| self.in_prose_paragraph[p]);
            self.in_prose_paragraph[id] = parent_in
                || (node.is_element() && is_paragraph_tag(&node.tag) && self.paragraphs[id] > 0);
        }
    }

    /// Non-link characters of a subtree.
    pub fn plain_chars(&self, id: NodeId) -> usize {
        self.chars[id] - self.link_chars[id]
    }

    /// Whether a subtree shows nothing: no text and no media.
    pub fn is_empty(&self, id: NodeId) -> bool {
        self.chars[id] == 0 && self.media[id] == 0
    }

    /// The article's prose, in characters.
    pub fn article_prose(&self) -> usize {
        self.article_root.map(|root| self.prose[root]).unwrap_or(0)
    }
}

fn is_paragraph_tag(tag: &str) -> bool {
    matches!(tag, "p" | "blockquote" | "pre" | "dd")
}

/// Whether a tag is a heading's (`h1`-`h6`).
pub fn is_heading_tag(tag: &str) -> bool {
    matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

fn is_heading(tree: &PageTree, id: NodeId) -> bool {
    let node = tree.node(id);
    is_heading_tag(&node.tag) || node.attribute("role") == Some("heading")
}

/// The element holding most of the page's paragraph text: each paragraph adds its length to its
/// parent and half of it to its grandparent (the usual reader-mode scoring, without the
/// class-name bonuses, which ad markup would game).
///
/// Text in a vendor's block or an ad slot scores only for blocks inside it. The plan removes
/// such a block unless it holds the article, so its text must not decide where an article
/// outside it is: were it counted, removing it (a vendor block beside a short article, an ad
/// slot inside a paragraph) could move the article or leave none, and a later round or a second
/// clean would find the old article unguarded. Inside it, its own text counts, so an article a
/// site wraps in vendor markup (`data-taboola-target`) is still found and guarded, but not the
/// text of a second such block nested in it.
fn find_article_root(tree: &PageTree, analysis: &Analysis) -> Option<NodeId> {
    // Scores for blocks outside strong evidence, and for blocks inside one.
    let mut outside = vec![0usize; tree.len()];
    let mut inside = vec![0usize; tree.len()];
    for (id, node) in tree.nodes().iter().enumerate() {
        let is_paragraph = (node.is_element() && is_paragraph_tag(&node.tag))
            || (node.is_text() && analysis.paragraphs[id] > 0);
        if !is_paragraph || analysis.in_own_ui[id] || analysis.strong_depth[id] > 1 {
            continue;
        }
        // An ad break ("Story continues below advertisement") is no paragraph of the article:
        // were it counted, removing it could leave the article too small to be one.
        if analysis.chars[id] <= LABEL_MAX_CHARS
            && classify_label(&tree.text_of(id, LABEL_MAX_CHARS + 1)).is_some()
        {
            continue;
        }
        let plain = analysis.plain_chars(id);
        // (A paragraph inside strong evidence has no text outside it: it scores only inside.)
        let lengths = [
            (&mut inside, plain - analysis.nested_strong_chars[id]),
            (&mut outside, plain - analysis.strong_chars[id]),
        ];
        for (score, length) in lengths {
            if length < ARTICLE_PARAGRAPH_MIN_CHARS {
                continue;
            }
            if let Some(parent) = node.parent {
                score[parent] += length;
                if let Some(grandparent) = tree.node(parent).parent {
                    score[grandparent] += length / 2;
                }
            }
        }
    }
    let score: Vec<usize> = (0..tree.len())
        .map(|id| {
            if analysis.strong_depth[id] > 0 {
                inside[id]
            } else {
                outside[id]
            }
        })
        .collect();
    // The article found earlier on this page stays the article while it holds any paragraph.
    // Scores are relative and removals change them: removing a block beside the article (a
    // promo holding a paragraph) can let another block score best, removing comments inside it
    // can leave it short; an article that moves or vanishes leaves the old one unguarded, and
    // the order of removals, not the page, would decide what stays.
    if let Some(hint) = tree.article_hint() {
        if score[hint] > 0 {
            return Some(hint);
        }
    }
    let best_in = |range: std::ops::Range<NodeId>| {
        range
            .map(|id| (id, score[id]))
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .filter(|(_, best_score)| *best_score > 0)
    };
    let (best, best_score) = best_in(0..tree.len())?;
    if best_score < ARTICLE_MIN_CHARS {
        // A few short lines are no article: a promo's one sentence must not become guarded.
        return None;
    }
    // Pages put related stories, comments and teasers beside the article, sometimes with more
    // text than it. The article is the one under the page's headline: prefer the best block near
    // the first <h1> when it is an article by itself. The choice must not depend on the rest of
    // the page: were it relative to the page's best block, removing that block (a comment
    // section, say) would move the article, and a later round or a second clean would find
    // the old article unguarded.
    let parent = analysis.headline.and_then(|h1| tree.node(h1).parent);
    let grandparent = parent.and_then(|p| tree.node(p).parent);
    for scope in [parent, grandparent].into_iter().flatten() {
        if let Some((near, near_score)) = best_in(tree.subtree(scope)) {
            if near_score >= ARTICLE_MIN_CHARS {
                return Some(near);
            }
        }
    }
    Some(best)
}
