//! Guards run before removers: whatever a rule says, these blocks stay.

use crate::core::analysis::Analysis;
use crate::core::category::Category;
use crate::core::labels::{classify_label, LabelKind};
use crate::core::rules::Strength;
use crate::core::tree::{Node, NodeId, PageTree};
use crate::core::vocabulary::{LABEL_MAX_CHARS, MAX_ARTICLE_PROSE_SHARE, STRUCTURAL_TAGS};

/// Why a block was kept although a rule matched it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardId {
    /// The extension's or demo's own interface.
    GuardOwnUi,
    /// `<html>`, `<head>`, `<body>`, `<main>`.
    GuardDocument,
    /// The element holding the article, or one of its ancestors.
    GuardArticleBody,
    /// The page's headline (`<h1>`).
    GuardHeadline,
    /// A large share of the article's prose.
    GuardArticleShare,
    /// Paragraphs of prose (and the words inside one), where only a label or class name
    /// suggested an ad.
    GuardProseParagraph,
    /// Figures and code inside the article, where only a label or class name suggested an ad.
    GuardArticleFigure,
    /// Navigation, site header and footer, forms: page furniture a label or class name alone
    /// never removes.
    GuardLandmark,
    /// The article's own disclosure above its text ("Sponsored by Acme", "Werbung"): the reader
    /// needs it, so an ad label there stays.
    GuardDisclosure,
}

impl GuardId {
    pub fn id(self) -> &'static str {
        match self {
            GuardId::GuardOwnUi => "guard-own-ui",
            GuardId::GuardDocument => "guard-document",
            GuardId::GuardArticleBody => "guard-article-body",
            GuardId::GuardHeadline => "guard-headline",
            GuardId::GuardArticleShare => "guard-article-share",
            GuardId::GuardProseParagraph => "guard-prose-paragraph",
            GuardId::GuardArticleFigure => "guard-article-figure",
            GuardId::GuardLandmark => "guard-landmark",
            GuardId::GuardDisclosure => "guard-disclosure",
        }
    }
}

pub struct Guard<'a> {
    tree: &'a PageTree,
    analysis: &'a Analysis,
    /// The first paragraph of the article's prose, if any: a label above it tags the article.
    first_paragraph: Option<NodeId>,
}

impl<'a> Guard<'a> {
    pub fn new(tree: &'a PageTree, analysis: &'a Analysis) -> Self {
        let first_paragraph = analysis.article_root.and_then(|root| {
            tree.subtree(root)
                .find(|&id| analysis.in_prose_paragraph[id])
        });
        Guard {
            tree,
            analysis,
            first_paragraph,
        }
    }

    /// Whether `node` is a short ad label set between the page's headline (or the article's
    /// start) and the article's first paragraph, inside the article's container, with no link,
    /// image or empty slot of its own: the page telling the reader the article itself is paid
    /// for.
    fn is_disclosure(&self, node: NodeId) -> bool {
        let (tree, analysis) = (self.tree, self.analysis);
        let (Some(root), Some(first)) = (analysis.article_root, self.first_paragraph) else {
            return false;
        };
        let container = tree.node(root).parent.unwrap_or(root);
        let after_start = self.is_in_article(node) || analysis.headline.is_some_and(|h1| h1 < node);
        // Words alone: an empty element inside is an ad's slot, and the label is the slot's.
        let short = analysis.chars[node] > 0
            && analysis.chars[node] <= LABEL_MAX_CHARS
            && analysis.links[node] == 0
            && analysis.media[node] == 0
            && tree
                .subtree(node)
                .all(|inside| !tree.node(inside).is_element() || analysis.chars[inside] > 0);
        short
            && node < first
            && after_start
            && tree.is_ancestor_or_self(container, node)
            && classify_label(&tree.text_of(node, LABEL_MAX_CHARS + 1)) == Some(LabelKind::AdMarker)
    }

    /// Guards that hold whatever the evidence: the document, the article, the headline, our UI.
    pub fn absolute_veto(&self, node: NodeId) -> Option<GuardId> {
        let analysis = self.analysis;
        if analysis.in_own_ui[node] || analysis.has_own_ui[node] {
            return Some(GuardId::GuardOwnUi);
        }
        let item = self.tree.node(node);
        // The root of whatever was snapshotted is the document itself, whatever its tag; an
        // element only partly snapshotted holds content the plan has not seen.
        if item.parent.is_none()
            || STRUCTURAL_TAGS.contains(&item.tag.as_str())
            || self.tree.is_partial(node)
        {
            return Some(GuardId::GuardDocument);
        }
        if let Some(root) = analysis.article_root {
            if self.tree.is_ancestor_or_self(node, root) {
                return Some(GuardId::GuardArticleBody);
            }
        }
        // Every headline stays; so does the page's headline even when it holds a link: the
        // article is found under it, and removing it would move the article (a second clean
        // would then judge the old article unguarded).
        if analysis.headlines[node] > 0
            || analysis
                .headline
                .is_some_and(|h1| self.tree.is_ancestor_or_self(node, h1))
        {
            return Some(GuardId::GuardHeadline);
        }
        // Once kept for its share, kept: what the reader's other categories remove from inside
        // it (comments, a nested vendor block) must not wear the share down round by round.
        if self.tree.is_kept_for_share(node) {
            return Some(GuardId::GuardArticleShare);
        }
        let article_prose = analysis.article_prose();
        if article_prose > 0 && self.is_in_article(node) {
            let share = analysis.prose[node] as f64 / article_prose as f64;
            if share > MAX_ARTICLE_PROSE_SHARE {
                return Some(GuardId::GuardArticleShare);
            }
        }
        None
    }

    /// The full check for removing `node` on evidence of `strength` for `category`.
    pub fn veto(&self, node: NodeId, strength: Strength, category: Category) -> Option<GuardId> {
        self.veto_with_blurb(node, strength, category, 0)
    }

    /// The same check for a block that may hold, as the ad's own copy, one paragraph of at most
    /// `blurb_chars` of prose (a sponsor's box, found from its credit: the sponsor's name, logo
    /// and one-line blurb). The prose guard lets that paragraph go only in a box that shows its
    /// sponsor (a link or a logo), outside the article and its lead (`is_article_or_lead`):
    /// there a credit beside a paragraph is the article's disclosure above its standfirst.
    pub fn veto_with_blurb(
        &self,
        node: NodeId,
        strength: Strength,
        category: Category,
        blurb_chars: usize,
    ) -> Option<GuardId> {
        if let Some(guard) = self.absolute_veto(node) {
            return Some(guard);
        }
        if strength == Strength::Strong {
            return None;
        }
        let protects_prose = match category {
            Category::Ads | Category::Promos => true,
            // The optional sections are made of prose (comments, article teasers): a reader who
            // switched them on wants them gone, and the article guards above still hold.
            Category::Related | Category::Comments | Category::Social => false,
        };
        let analysis = self.analysis;
        let is_blurb = blurb_chars > 0
            && analysis.paragraphs[node] == 1
            && analysis.prose[node] <= blurb_chars
            && analysis.links[node] + analysis.media[node] > 0
            && !self.is_article_or_lead(node);
        if protects_prose && analysis.paragraphs[node] > 0 && !is_blurb {
            return Some(GuardId::GuardProseParagraph);
        }
        // Words of a paragraph of prose (a span inside a sentence), whatever the category: a
        // name alone does not cut a sentence, and the paragraph left shorter could lose the
        // guard above, so a second clean would judge it differently. (Link text is not the
        // paragraph's prose: an ad link or image inside it may go.)
        if self.analysis.in_prose_paragraph[node] && self.analysis.plain_chars(node) > 0 {
            return Some(GuardId::GuardProseParagraph);
        }
        if self.analysis.figures[node] > 0 && self.is_in_article(node) {
            return Some(GuardId::GuardArticleFigure);
        }
        if is_landmark(self.tree.node(node)) {
            return Some(GuardId::GuardLandmark);
        }
        if category == Category::Ads && self.is_disclosure(node) {
            return Some(GuardId::GuardDisclosure);
        }
        None
    }

    /// Whether `node` is the article's root or inside it.
    pub fn is_in_article(&self, node: NodeId) -> bool {
        self.analysis
            .article_root
            .is_some_and(|root| self.tree.is_ancestor_or_self(root, node))
    }

    /// Whether `node` is in the article or in its lead: after the page's headline and before the
    /// article's first paragraph (a standfirst, a disclosure, a byline), or anywhere after the
    /// headline on a page whose article was not found.
    pub fn is_article_or_lead(&self, node: NodeId) -> bool {
        let after_headline = self.analysis.headline.is_some_and(|h1| h1 < node);
        self.is_in_article(node)
            || (after_headline && self.first_paragraph.is_none_or(|first| node < first))
    }
}

/// Navigation, banner, footer, search and form landmarks.
pub fn is_landmark(node: &Node) -> bool {
    matches!(node.tag.as_str(), "nav" | "header" | "footer" | "form")
        || matches!(
            node.attribute("role"),
            Some("navigation" | "banner" | "contentinfo" | "search")
        )
}

/// Serialised as its id (a hand-written impl: serde's derive for this many variants costs
/// kilobytes of wasm).
impl serde::Serialize for GuardId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}
