//! From signals to a removal plan: find labels, grow each signal to the block it belongs to,
//! apply the guards, collapse wrappers left empty, and keep only the outermost blocks; in rounds,
//! until the page as cleaned shows nothing more to remove (cleaning twice removes nothing new).

use crate::core::analysis::{is_heading_tag, Analysis};
use crate::core::category::{Category, CategorySet};
use crate::core::detect::{markup_signal, Reach, Signal, NOT_BLOCKS};
use crate::core::easylist::{PageRules, RuleSet};
use crate::core::guard::{is_landmark, Guard, GuardId};
use crate::core::labels::{
    classify_label, could_be_label_part, is_credit_prefix, is_sponsor_credit, normalize_label,
    LabelKind,
};
use crate::core::rules::{RuleId, Strength};
use crate::core::tree::{NodeId, PageTree};
use crate::core::vocabulary::{
    element_names, is_ad_name, name_tokens, tokens_contain_sequence, url_host, ITEM_MAX_CHARS,
    ITEM_MAX_LINKS, LABEL_MAX_CHARS, TEXT_LINK_AD_SEQUENCES, WIDGET_MAX_CHARS,
    WIDGET_MAX_FOREIGN_PROSE_CHARS,
};

/// How far above its sponsored tag a native ad's list item may be, in levels.
const NATIVE_ITEM_MAX_DEPTH: usize = 8;
/// The most text a native ad's list item may hold: a teaser, not a section.
const NATIVE_ITEM_MAX_CHARS: usize = 1_500;
/// The least share of link text (in percent) under an ad marker that makes a list of text ads.
const LABELLED_LIST_MIN_LINK_SHARE: usize = 85;
/// The same when the marker is set as a heading (`h1`-`h6`).
const LABELLED_LIST_MIN_LINK_SHARE_UNDER_HEADING: usize = 50;
/// The most characters a text ad holds, link and words beside it, on average over the list.
const LABELLED_LIST_MAX_ITEM_CHARS: usize = 60;
/// The least text of a linkless block beside a widget that stops the widget's growth.
const UNLINKED_TEXT_MIN_CHARS: usize = 40;
/// The fewest links through ad click trackers that make a box of them.
const AD_LINK_BOX_MIN_LINKS: u32 = 3;

/// Longest text preview shown for a removed block, in characters.
pub const PREVIEW_MAX_CHARS: usize = 90;

/// A block the plan removes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRemoval {
    pub node: NodeId,
    pub rule: RuleId,
    pub evidence: String,
    pub preview: String,
}

/// A block a rule matched but a guard kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptBlock {
    pub node: NodeId,
    pub rule: RuleId,
    pub guard: GuardId,
    pub preview: String,
}

#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Outermost blocks to remove, in document order.
    pub removals: Vec<PlannedRemoval>,
    pub kept: Vec<KeptBlock>,
    pub article_root: Option<NodeId>,
    pub article_preview: Option<String>,
}

/// A label found in the page's text.
#[derive(Clone, Debug)]
struct Label {
    node: NodeId,
    kind: LabelKind,
    text: String,
}

/// How far a block may grow from the element that carries its signal.
#[derive(Clone, Copy)]
struct Growth {
    max_chars: usize,
    max_foreign_prose: usize,
    max_links: Option<u32>,
    /// Headings the block may take in beyond those it starts with.
    more_headings: u32,
    /// Paragraphs of prose the block may take in beyond those it starts with, outside the
    /// article and its lead: an ad's own copy (a sponsor's one-line blurb), within
    /// `max_foreign_prose`.
    more_paragraphs: u32,
}

const WIDGET_GROWTH: Growth = Growth {
    max_chars: WIDGET_MAX_CHARS,
    max_foreign_prose: WIDGET_MAX_FOREIGN_PROSE_CHARS,
    max_links: None,
    more_headings: 0,
    more_paragraphs: 0,
};
const ITEM_GROWTH: Growth = Growth {
    max_chars: ITEM_MAX_CHARS,
    max_foreign_prose: 0,
    max_links: Some(ITEM_MAX_LINKS as u32),
    more_headings: 0,
    more_paragraphs: 0,
};
/// A sponsor's credit ("Sponsored by Acme") tags the box it stands in, that box's title
/// included (a sponsored webinar: its title, the credit, "Register now"), and the sponsor's
/// one-line blurb (a sponsor's box: its logo, the credit, its name, the blurb). A blurb of 80
/// characters or more counts as a paragraph of prose, which no other label's block takes in.
const CREDIT_GROWTH: Growth = Growth {
    more_headings: 1,
    max_foreign_prose: CREDIT_MAX_BLURB_CHARS,
    more_paragraphs: 1,
    ..ITEM_GROWTH
};
/// The most prose a sponsor's box may hold beside its credit: the sponsor's one-line blurb.
const CREDIT_MAX_BLURB_CHARS: usize = 200;

struct Candidate {
    node: NodeId,
    rule: RuleId,
    evidence: String,
    /// Prose the block may hold as the ad's own copy, which the prose guard then lets go (see
    /// `Guard::veto_with_blurb`): a sponsor's blurb in the box its credit grew to; 0 for every
    /// other block.
    blurb_chars: usize,
}

impl Candidate {
    /// A block to remove on `rule`'s evidence, with no prose of the ad's own to let go.
    fn new(node: NodeId, rule: RuleId, evidence: String) -> Candidate {
        Candidate {
            node,
            rule,
            evidence,
            blurb_chars: 0,
        }
    }
}

/// An element the browser's selector engine matched for an EasyList selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorMatch {
    pub node: NodeId,
    pub selector: String,
    pub site_specific: bool,
}

/// EasyList for one page: the parsed rules, what applies to the page, and the elements the
/// adapter's selector queries matched.
pub struct ListMatches<'a> {
    pub rules: &'a RuleSet,
    pub page: &'a PageRules,
    pub selector_matches: &'a [SelectorMatch],
}

/// Decides what to remove from `tree` for the enabled `categories`, on heuristics alone.
pub fn plan(tree: &PageTree, categories: &CategorySet) -> Plan {
    plan_with_lists(tree, categories, None)
}

/// Decides what to remove, on heuristics and (when given) EasyList's rules.
///
/// Cleaning twice must remove nothing new. But each signal is judged against the page around
/// it, and a removal changes how its neighbours look: a "Sponsored" label beside a vendor block
/// is a label on its own once the block is gone; a wrapper whose text was the ad's becomes small
/// enough to grow into. So the plan is made in rounds, each on the page as the rounds before
/// leave it, until a round finds nothing new: the plan already holds what a second clean would
/// find. Every round applies the guards; so that later rounds cannot reach into the article, a
/// removal must not take a guard away from what stays: the words of a prose paragraph stay with
/// it (`Guard::veto`), so does the headline the article is found under (`Guard::absolute_veto`),
/// the article the first round found stays the article in later rounds
/// (`PageTree::set_article_hint`), and a block kept for its share of the article stays kept
/// (`PageTree::keep_for_share`). The extension gives a second clean of the same page the same
/// memory.
///
/// Switching a category on must only add removals. Within one round it does (a node goes if any
/// enabled rule's candidate for it passes the guards), but across rounds a removal of the extra
/// category changes what later rounds see (an emptied share bar takes the ad link around it
/// along, and the link no longer grows into its ad). So rounds run first with the default
/// categories the reader left on, until they find nothing, then with every enabled category:
/// the plan with more categories starts where the default plan ends.
pub fn plan_with_lists(
    tree: &PageTree,
    categories: &CategorySet,
    lists: Option<&ListMatches>,
) -> Plan {
    if tree.is_empty() {
        return Plan::default();
    }
    let phases = if categories.defaults_only() == *categories {
        vec![*categories]
    } else {
        vec![categories.defaults_only(), *categories]
    };
    // Markup signals depend on the element alone: read once, carried into every round.
    let signals: Vec<Option<Signal>> = tree.nodes().iter().map(markup_signal).collect();
    let first = plan_round(tree, &signals, &phases[0], lists);
    let mut decisions: Vec<Option<(RuleId, String)>> = vec![None; tree.len()];
    let mut removed = vec![false; tree.len()];
    let mut is_kept = vec![false; tree.len()];
    let mut kept = Vec::new();
    let mut round = first.decisions;
    let mut round_kept = first.kept;
    let mut share_kept: Vec<bool> = (0..tree.len())
        .map(|id| tree.is_kept_for_share(id))
        .collect();
    let mut phase = 0;
    let mut rounds = 1;
    loop {
        for block in round_kept {
            if block.guard == GuardId::GuardArticleShare {
                share_kept[block.node] = true;
            }
            if !is_kept[block.node] {
                is_kept[block.node] = true;
                kept.push(block);
            }
        }
        // A phase ends when a round finds nothing (or after MAX_ROUNDS); the plan, after its last.
        let phase_ends = round.is_empty() || rounds == MAX_ROUNDS;
        for (node, rule, evidence) in round {
            for id in tree.subtree(node) {
                removed[id] = true;
            }
            decisions[node] = Some((rule, evidence));
        }
        if phase_ends {
            if phase + 1 == phases.len() {
                break;
            }
            phase += 1;
            rounds = 0;
        }
        rounds += 1;
        let mut rest = Remainder::new(tree, &removed);
        // Later rounds keep the first round's article (guarded, so it is still there).
        if let Some(article) = first.analysis.article_root.and_then(|a| rest.copy_id[a]) {
            rest.tree.set_article_hint(article);
        }
        // And the blocks kept for their share of the article stay kept.
        for (id, _) in share_kept.iter().enumerate().filter(|(_, kept)| **kept) {
            if let Some(copy) = rest.copy_id[id] {
                rest.tree.keep_for_share(copy);
            }
        }
        let matches: Vec<SelectorMatch>;
        let rest_lists = match lists {
            Some(lists) => {
                matches = rest.selector_matches(lists.selector_matches);
                Some(ListMatches {
                    rules: lists.rules,
                    page: lists.page,
                    selector_matches: &matches,
                })
            }
            None => None,
        };
        let rest_signals: Vec<Option<Signal>> = rest
            .original
            .iter()
            .map(|&id| signals[id].clone())
            .collect();
        let next = plan_round(
            &rest.tree,
            &rest_signals,
            &phases[phase],
            rest_lists.as_ref(),
        );
        round = next
            .decisions
            .into_iter()
            .map(|(node, rule, evidence)| (rest.original[node], rule, evidence))
            .collect();
        round_kept = next
            .kept
            .into_iter()
            .map(|block| KeptBlock {
                node: rest.original[block.node],
                ..block
            })
            .collect();
    }
    // A block kept in one round may be inside a block removed in a later one.
    kept.retain(|block| !removed[block.node]);

    // Outermost blocks only: a later round may remove the wrapper around an earlier removal.
    let analysis = &first.analysis;
    let mut removals = Vec::new();
    let mut id = 0;
    while id < tree.len() {
        match decisions[id].take() {
            Some((rule, evidence)) => {
                removals.push(PlannedRemoval {
                    node: id,
                    rule,
                    evidence,
                    preview: preview(tree, analysis, id),
                });
                id = tree.subtree_end(id);
            }
            None => id += 1,
        }
    }
    Plan {
        removals,
        kept,
        article_root: analysis.article_root,
        article_preview: analysis
            .article_root
            .map(|root| tree.text_of(root, PREVIEW_MAX_CHARS)),
    }
}

/// Rounds of planning at most, per phase. Every round but the last removes something, so rounds
/// end by themselves; this only bounds the time on a pathological page. (The dev corpus needs two
/// rounds, the second finding nothing; 20,000 generated pages at most four.)
const MAX_ROUNDS: usize = 8;

/// What one round of planning decides, on the page as the earlier rounds leave it.
struct Round {
    analysis: Analysis,
    /// Outermost blocks to remove, in document order, with their rule and evidence.
    decisions: Vec<(NodeId, RuleId, String)>,
    kept: Vec<KeptBlock>,
}

/// A copy of a page without the blocks removed so far, with the way back to the page's ids.
struct Remainder {
    tree: PageTree,
    /// For each node of the copy, its id in the page.
    original: Vec<NodeId>,
    /// For each node of the page, its id in the copy (`None` if removed).
    copy_id: Vec<Option<NodeId>>,
}

impl Remainder {
    fn new(tree: &PageTree, removed: &[bool]) -> Self {
        let mut copy = PageTree::with_capacity(tree.len());
        let mut original = Vec::with_capacity(tree.len());
        let mut copy_id: Vec<Option<NodeId>> = vec![None; tree.len()];
        for (id, node) in tree.nodes().iter().enumerate() {
            // Removed blocks go with their subtrees, and the root is never removed: a node that
            // stays has its parent in the copy.
            if removed[id] {
                continue;
            }
            let parent = node.parent.and_then(|p| copy_id[p]);
            if node.is_text() && parent.is_none() {
                continue;
            }
            let new = copy.add_copy(parent, node);
            if tree.is_partial(id) {
                copy.mark_partial(new);
            }
            copy_id[id] = Some(new);
            original.push(id);
        }
        if tree.is_article_outside() {
            copy.set_article_outside();
        }
        Remainder {
            tree: copy,
            original,
            copy_id,
        }
    }

    /// The selector matches that are still in the copy, with their ids there.
    fn selector_matches(&self, matches: &[SelectorMatch]) -> Vec<SelectorMatch> {
        matches
            .iter()
            .filter_map(|found| {
                let node = (*self.copy_id.get(found.node)?)?;
                Some(SelectorMatch {
                    node,
                    ..found.clone()
                })
            })
            .collect()
    }
}

/// One round: signals, growth, guards, collapse, outermost blocks.
fn plan_round(
    tree: &PageTree,
    signals: &[Option<Signal>],
    categories: &CategorySet,
    lists: Option<&ListMatches>,
) -> Round {
    let strong: Vec<bool> = signals
        .iter()
        .map(|s| {
            s.as_ref()
                .is_some_and(|s| s.rule.strength() == Strength::Strong)
        })
        .collect();
    let analysis = Analysis::new(tree, &strong);
    let guard = Guard::new(tree, &analysis);
    let labels = find_labels(tree, &analysis, &guard);
    let planner = Planner {
        tree,
        analysis: &analysis,
        guard: &guard,
        label_counts: count_labels(tree, &labels),
    };
    let mut candidates = planner.markup_candidates(signals);
    candidates.extend(planner.ad_link_boxes(signals));
    candidates.extend(planner.text_link_ads());
    candidates.extend(planner.label_candidates(&labels));
    if let Some(lists) = lists {
        candidates.extend(list_candidates(tree, &analysis, lists));
    }
    // Most specific evidence first, so a block matched by a vendor signature and a label is
    // reported under the vendor, and one matched by a label and a class name under the label.
    crate::core::order::sort_by_key_stable(&mut candidates, |c| (specificity(c.rule), c.node));

    let mut decided: Vec<Option<usize>> = vec![None; tree.len()];
    let mut decisions: Vec<(RuleId, String)> = Vec::new();
    let mut kept: Vec<KeptBlock> = Vec::new();
    for candidate in candidates {
        let category = candidate.rule.category();
        if !categories.contains(category) || decided[candidate.node].is_some() {
            continue;
        }
        let strength = candidate.rule.strength();
        match guard.veto_with_blurb(candidate.node, strength, category, candidate.blurb_chars) {
            Some(guard_id) => {
                if !kept.iter().any(|k| k.node == candidate.node) {
                    kept.push(KeptBlock {
                        node: candidate.node,
                        rule: candidate.rule,
                        guard: guard_id,
                        preview: preview(tree, &analysis, candidate.node),
                    });
                }
            }
            None => {
                decided[candidate.node] = Some(decisions.len());
                decisions.push((candidate.rule, candidate.evidence));
            }
        }
    }
    planner.collapse_emptied_wrappers(&mut decided);

    let mut outermost = Vec::new();
    let mut id = 0;
    while id < tree.len() {
        match decided[id] {
            Some(decision) => {
                let (rule, evidence) = &decisions[decision];
                outermost.push((id, *rule, evidence.clone()));
                id = tree.subtree_end(id);
            }
            None => id += 1,
        }
    }
    Round {
        analysis,
        decisions: outermost,
        kept,
    }
}

struct Planner<'a> {
    tree: &'a PageTree,
    analysis: &'a Analysis,
    guard: &'a Guard<'a>,
    /// Per node, how many labels of each category its subtree holds.
    label_counts: Vec<[u16; 5]>,
}

impl Planner<'_> {
    fn markup_candidates(&self, signals: &[Option<Signal>]) -> Vec<Candidate> {
        let mut candidates = Vec::new();
        for (id, signal) in signals.iter().enumerate() {
            if self.analysis.in_own_ui[id] {
                continue;
            }
            let Some(signal) = signal else {
                continue;
            };
            let block = match signal.reach {
                Reach::Itself => id,
                Reach::Item => {
                    let block = self.grow(id, ITEM_GROWTH, signal.rule.category());
                    if self.is_inline_in_running_text(block) {
                        // A link inside a sentence: removing it would damage the article.
                        continue;
                    }
                    block
                }
            };
            candidates.push(Candidate::new(block, signal.rule, signal.evidence.clone()));
        }
        candidates
    }

    fn label_candidates(&self, labels: &[Label]) -> Vec<Candidate> {
        let mut candidates = Vec::new();
        for label in labels {
            let growth = if label.kind.names_a_section() {
                WIDGET_GROWTH
            } else if is_sponsor_credit(&label.text) || is_credit_prefix(&label.text) {
                CREDIT_GROWTH
            } else {
                ITEM_GROWTH
            };
            let category = label.kind.rule().category();
            let block = self.grow(label.node, growth, category);
            if label.kind.tags_an_ad() {
                if let Some((item, alike)) = self.native_ad_item(label.node, block, label.kind) {
                    candidates.push(Candidate::new(
                        item,
                        RuleId::NativeAdInList,
                        format!("item tagged \"{}\", one of {alike} items alike", label.text),
                    ));
                    // An item's tag grew past its item into the list: the item is the block.
                    if tree_contains(self.tree, block, item) {
                        continue;
                    }
                }
            }
            // A marker ("ADVERTISEMENT", "Sponsored by: Acme") can title a list of
            // advertisers' links.
            if label.kind == LabelKind::AdMarker {
                let list = self
                    .labelled_link_list(label.node)
                    .or_else(|| self.labelled_link_list(block));
                if let Some((list, links)) = list {
                    candidates.push(Candidate::new(
                        list,
                        RuleId::PartnerBox,
                        format!("label \"{}\" above {links} links", label.text),
                    ));
                    // The marker grew no further than its list's wrappers: the list is the block
                    // (its emptied wrappers collapse with it).
                    if self.tree.is_ancestor_or_self(block, list) {
                        continue;
                    }
                }
            }
            candidates.push(Candidate {
                node: block,
                rule: label.kind.rule(),
                evidence: format!("label \"{}\"", label.text),
                // A credit's box holds its sponsor's blurb (`grow` took one in only outside the
                // article and its lead): the prose guard is to let it go with the box.
                blurb_chars: if growth.more_paragraphs > 0 {
                    growth.max_foreign_prose
                } else {
                    0
                },
            });
        }
        candidates
    }

    /// The list item a sponsored tag marks, when the tag sits in one item of a list of alike
    /// items (the site's own teasers): `(item, items in the list)`. None when a section's label
    /// grew to a larger block (a whole widget), inside the article, or too large to be a
    /// teaser.
    fn native_ad_item(
        &self,
        label: NodeId,
        block: NodeId,
        kind: LabelKind,
    ) -> Option<(NodeId, usize)> {
        let (tree, analysis) = (self.tree, self.analysis);
        let mut current = label;
        for _ in 0..NATIVE_ITEM_MAX_DEPTH {
            let parent = tree.node(current).parent?;
            if analysis.chars[current] > NATIVE_ITEM_MAX_CHARS
                || self.guard.absolute_veto(current).is_some()
                || is_landmark(tree.node(current))
            {
                return None;
            }
            // The item holds more than its tag (a list of bare tags is not a list of teasers).
            let holds_more = analysis.chars[current] > analysis.chars[label]
                || analysis.media[current] > analysis.media[label];
            let (alike, untagged) = self.alike_siblings(current, parent);
            if alike >= 2 {
                // The tag is what sets this item apart: most items alike carry none. And a
                // container the page names an ad, among others, is a slot of the ad rules.
                if !holds_more || untagged * 2 < alike || names_an_ad(tree.node(current)) {
                    return None;
                }
                let in_article = self.guard.is_in_article(current);
                // A section's title ("Sponsored Links") grown past the item titles the whole
                // widget; an item's tag ("Sponsored by Crowe") grown past it was not stopped by
                // the item's edge.
                let widget_is_larger =
                    kind != LabelKind::AdMarker && tree_contains(tree, block, current);
                return (!in_article && !widget_is_larger).then_some((current, alike + 1));
            }
            current = parent;
        }
        None
    }

    /// The other element children of `parent` that look like `node`, as teasers of one list do
    /// (the same tag, mostly the same class names, a link): `(alike, untagged)`, where
    /// `untagged` counts those that carry no ad label.
    fn alike_siblings(&self, node: NodeId, parent: NodeId) -> (usize, usize) {
        let item = self.tree.node(node);
        let classes: Vec<&str> = item.class.split_whitespace().collect();
        let ads = category_index(Category::Ads);
        let (mut alike, mut untagged) = (0, 0);
        for &sibling in &self.tree.node(parent).children {
            let other = self.tree.node(sibling);
            let looks_alike = sibling != node
                && other.is_element()
                && other.tag == item.tag
                && self.analysis.links[sibling] > 0
                && same_classes_mostly(&classes, &other.class);
            if looks_alike {
                alike += 1;
                if self.label_counts[sibling][ads] == 0 {
                    untagged += 1;
                }
            }
        }
        (alike, untagged)
    }

    /// A block made of an ad marker and the links under it ("ADVERTISEMENT" above a list of
    /// advertisers' links): `(block, links)` when the label comes first in its parent and the
    /// rest of the parent's text is mostly link text, without prose.
    fn labelled_link_list(&self, label_block: NodeId) -> Option<(NodeId, u32)> {
        let (tree, analysis) = (self.tree, self.analysis);
        let parent = tree.node(label_block).parent?;
        let first = tree
            .node(parent)
            .children
            .iter()
            .copied()
            .find(|&child| !analysis.is_empty(child))?;
        if first != label_block {
            return None;
        }
        let links = analysis.links[parent] - analysis.links[label_block];
        let chars = analysis.chars[parent] - analysis.chars[label_block];
        let link_chars = analysis.link_chars[parent] - analysis.link_chars[label_block];
        // Text ads: short links and little else (teasers carry bylines and dates). Under a
        // label set as a heading, a word or two beside each link ("Super Popular Paris Hotels").
        let min_share = if is_heading_tag(&tree.node(label_block).tag) {
            LABELLED_LIST_MIN_LINK_SHARE_UNDER_HEADING
        } else {
            LABELLED_LIST_MIN_LINK_SHARE
        };
        let mostly_links = is_short_link_list(links, chars, link_chars, min_share, 0);
        // One list under one title: no other heading, no label of another category.
        let fits = links >= 2
            && mostly_links
            && analysis.paragraphs[parent] == 0
            && analysis.plain_headings[parent] == analysis.plain_headings[label_block]
            && self.label_counts[parent] == self.label_counts[label_block]
            && analysis.chars[parent] <= WIDGET_MAX_CHARS
            && self.guard.absolute_veto(parent).is_none()
            && !is_landmark(tree.node(parent));
        fits.then_some((parent, links))
    }

    /// Boxes made of links through ad click trackers (a "Links We Like" box of advertisers'
    /// teasers): the outermost blocks with at least three such links, where other links are
    /// few (a heading's), not too large, and without prose when inside the article.
    fn ad_link_boxes(&self, signals: &[Option<Signal>]) -> Vec<Candidate> {
        let (tree, analysis) = (self.tree, self.analysis);
        let mut ad_links = vec![0u32; tree.len()];
        for id in (0..tree.len()).rev() {
            if signals[id]
                .as_ref()
                .is_some_and(|signal| signal.rule == RuleId::AdLink)
            {
                ad_links[id] += 1;
            }
            if let Some(parent) = tree.node(id).parent {
                ad_links[parent] += ad_links[id];
            }
        }
        let mut candidates = Vec::new();
        let mut id = 0;
        while id < tree.len() {
            let ads = ad_links[id];
            let others = analysis.links[id].saturating_sub(ads);
            // The ads' own copy may be prose, but never inside the article.
            let in_article = self.guard.is_in_article(id);
            let is_box = ads >= AD_LINK_BOX_MIN_LINKS
                && others <= (ads / 4).max(1)
                && (analysis.paragraphs[id] == 0 || !in_article)
                && analysis.chars[id] <= WIDGET_MAX_CHARS
                && !analysis.in_own_ui[id]
                && !NOT_BLOCKS.contains(&tree.node(id).tag.as_str())
                && self.guard.absolute_veto(id).is_none()
                && !is_landmark(tree.node(id));
            if is_box {
                candidates.push(Candidate::new(
                    id,
                    RuleId::AdLinkBox,
                    format!("{ads} links through ad click trackers"),
                ));
                id = tree.subtree_end(id);
            } else {
                id += 1;
            }
        }
        candidates
    }

    /// Boxes of text-link ads: an element the page names after the format ("textlinks",
    /// `vocabulary::TEXT_LINK_AD_SEQUENCES`) that holds only what the format is: short links to
    /// other sites (the advertisers'), a title at most beside them, no prose. The title may be
    /// missing or left empty, so no label says it (an "ADVERTISEMENT" above the same box makes
    /// it a `labelled_link_list`); the name and the shape together do. Neither alone: a site's
    /// own list it happens to call so links to the site itself (relative addresses, or one
    /// host), and a blogroll or a list of sources has links to other sites but not that name.
    fn text_link_ads(&self) -> Vec<Candidate> {
        let (tree, analysis) = (self.tree, self.analysis);
        let mut candidates = Vec::new();
        let mut id = 0;
        while id < tree.len() {
            let node = tree.node(id);
            let Some(name) = text_link_ad_name(node).filter(|_| node.is_element()) else {
                id += 1;
                continue;
            };
            let links = analysis.links[id];
            // Short links and little else: a title or a word or two beside each link.
            let mostly_links = is_short_link_list(
                links,
                analysis.chars[id],
                analysis.link_chars[id],
                LABELLED_LIST_MIN_LINK_SHARE,
                LABEL_MAX_CHARS,
            );
            let is_box = links >= 2
                && mostly_links
                && analysis.paragraphs[id] == 0
                && analysis.plain_headings[id] <= 1
                && self.has_only_ad_labels(id)
                && !analysis.in_own_ui[id]
                && !NOT_BLOCKS.contains(&node.tag.as_str())
                && self.guard.absolute_veto(id).is_none()
                && !is_landmark(node);
            let sites = if is_box { self.other_sites(id) } else { None };
            match sites {
                Some(sites) if sites >= 2 => {
                    let named = if name == node.id { "id" } else { "class" };
                    candidates.push(Candidate::new(
                        id,
                        RuleId::AdClass,
                        format!("{named} \"{name}\": {links} links to {sites} other sites"),
                    ));
                    id = tree.subtree_end(id);
                }
                _ => id += 1,
            }
        }
        candidates
    }

    /// How many sites the links under `node` go to, when every one of them goes to another site
    /// (an absolute address, its host less a leading "www."): `None` if any link stays on the
    /// page's own site (a relative address) or leads nowhere (`javascript:`).
    fn other_sites(&self, node: NodeId) -> Option<usize> {
        let mut sites: Vec<String> = Vec::new();
        for inside in self.tree.subtree(node) {
            let item = self.tree.node(inside);
            if item.tag != "a" {
                continue;
            }
            let Some(href) = item.attribute("href") else {
                continue;
            };
            let host = url_host(href)?;
            let site = host.strip_prefix("www.").unwrap_or(&host).to_string();
            if !sites.contains(&site) {
                sites.push(site);
            }
        }
        Some(sites.len())
    }

    /// Whether every label under `node` is an ad's ("Advertisement"): no title of a section of
    /// another category.
    fn has_only_ad_labels(&self, node: NodeId) -> bool {
        let ads = category_index(Category::Ads);
        self.label_counts[node]
            .iter()
            .enumerate()
            .all(|(index, count)| index == ads || *count == 0)
    }

    /// Climbs from `start` while the parent still looks like the same block: no guarded content,
    /// not too much text, no prose, paragraphs, headings or labels of its own.
    fn grow(&self, start: NodeId, growth: Growth, category: Category) -> NodeId {
        let analysis = self.analysis;
        let mut current = start;
        while let Some(parent) = self.tree.node(current).parent {
            let foreign_prose = analysis.prose[parent] - analysis.prose[current];
            // An ad's own copy may be a paragraph, but never one of the article's (nor its
            // standfirst).
            let more_paragraphs = if self.guard.is_article_or_lead(parent) {
                0
            } else {
                growth.more_paragraphs
            };
            let grows = self.guard.absolute_veto(parent).is_none()
                && !is_landmark(self.tree.node(parent))
                && analysis.chars[parent] <= growth.max_chars
                && foreign_prose <= growth.max_foreign_prose
                && analysis.paragraphs[parent] <= analysis.paragraphs[start] + more_paragraphs
                && analysis.plain_headings[parent]
                    <= analysis.plain_headings[current] + growth.more_headings
                && growth
                    .max_links
                    .is_none_or(|max| analysis.links[parent] <= max)
                && !self.has_foreign_labels(parent, current, category)
                && !(growth.max_links.is_none()
                    && analysis.links[current] > 0
                    && self.has_unlinked_text_beside(parent, current));
            if !grows {
                break;
            }
            current = parent;
        }
        current
    }

    /// Whether `parent` holds, beside `child`, a block of text with no link in it (a photo's
    /// caption, a standfirst). Once a widget's links are in the block, its other parts link
    /// somewhere too, so that text is not the widget's. (Below the links, beside a bare title,
    /// the widget's own blurb may have none.)
    fn has_unlinked_text_beside(&self, parent: NodeId, child: NodeId) -> bool {
        self.tree.node(parent).children.iter().any(|&other| {
            other != child
                && self.tree.node(other).is_element()
                && self.analysis.links[other] == 0
                && self.analysis.chars[other] >= UNLINKED_TEXT_MIN_CHARS
                && self.label_counts[other] == [0; 5]
        })
    }

    /// Whether `parent` holds, outside `child`, a label of another category (a neighbouring
    /// section with its own title).
    fn has_foreign_labels(&self, parent: NodeId, child: NodeId, category: Category) -> bool {
        Category::ALL.iter().enumerate().any(|(index, other)| {
            *other != category && self.label_counts[parent][index] > self.label_counts[child][index]
        })
    }

    /// Whether `node` sits in running text: its parent has text of its own beside it.
    fn is_inline_in_running_text(&self, node: NodeId) -> bool {
        let Some(parent) = self.tree.node(node).parent else {
            return false;
        };
        // A label beside it ("Advertisement", "Sponsored") is not running text: it tags the link.
        self.tree.node(parent).children.iter().any(|&sibling| {
            let item = self.tree.node(sibling);
            sibling != node
                && item.is_text()
                && self.analysis.chars[sibling] > 0
                && classify_label(&item.text).is_none()
        })
    }

    /// A wrapper whose every child was removed or shows nothing goes too, so no hole is left.
    fn collapse_emptied_wrappers(&self, decided: &mut [Option<usize>]) {
        // Reverse document order visits children before parents, so collapses cascade upward.
        for id in (0..self.tree.len()).rev() {
            let node = self.tree.node(id);
            if !node.is_element() || decided[id].is_some() || node.children.is_empty() {
                continue;
            }
            let mut first_decision = None;
            let mut all_gone = true;
            let mut title = None;
            for &child in &node.children {
                match decided[child] {
                    Some(decision) => {
                        first_decision.get_or_insert(decision);
                    }
                    None if self.analysis.is_empty(child) => {}
                    // The box's own title, first ("Links We Like" above its ads): it goes with
                    // what it titled, or it would stand alone over nothing.
                    None if title.is_none()
                        && first_decision.is_none()
                        && self.is_box_title(child) =>
                    {
                        title = Some(child);
                    }
                    None => {
                        all_gone = false;
                        break;
                    }
                }
            }
            if all_gone && first_decision.is_some() && self.may_collapse(id, title) {
                decided[id] = first_decision;
            }
        }
    }
}

impl Planner<'_> {
    /// A short heading (`h1`-`h6`, its text a few words, links allowed) that may title a box:
    /// not the page's headline, not in the article.
    fn is_box_title(&self, node: NodeId) -> bool {
        let analysis = self.analysis;
        is_heading_tag(&self.tree.node(node).tag)
            && analysis.chars[node] <= LABEL_MAX_CHARS
            && analysis.headline != Some(node)
            && !self.guard.is_in_article(node)
    }

    /// Whether a wrapper whose content is gone may go too: the guards allow it, or the only
    /// headline it holds is the title of the box removed under it (sites that set every box's
    /// title as an `<h1>`).
    fn may_collapse(&self, wrapper: NodeId, title: Option<NodeId>) -> bool {
        match self.guard.absolute_veto(wrapper) {
            None => true,
            Some(GuardId::GuardHeadline) => title.is_some_and(|title| {
                self.analysis.headlines[wrapper] == self.analysis.headlines[title]
                    && !self
                        .analysis
                        .headline
                        .is_some_and(|h1| self.tree.is_ancestor_or_self(wrapper, h1))
            }),
            Some(_) => false,
        }
    }
}

/// Candidates from EasyList: simple generic rules matched on the snapshot's names, and the
/// elements the selector queries found.
fn list_candidates(tree: &PageTree, analysis: &Analysis, lists: &ListMatches) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for (id, node) in tree.nodes().iter().enumerate() {
        if !node.is_element() || analysis.in_own_ui[id] || NOT_BLOCKS.contains(&node.tag.as_str()) {
            continue;
        }
        if let Some(selector) = lists.rules.simple_match(lists.page, &node.id, &node.class) {
            candidates.push(Candidate::new(
                id,
                RuleId::EasylistGeneric,
                format!("EasyList ##{selector}"),
            ));
        }
    }
    for found in lists.selector_matches {
        let Some(node) = tree.nodes().get(found.node) else {
            continue;
        };
        if !node.is_element()
            || analysis.in_own_ui[found.node]
            || NOT_BLOCKS.contains(&node.tag.as_str())
        {
            continue;
        }
        let rule = if found.site_specific {
            RuleId::EasylistSite
        } else {
            RuleId::EasylistGeneric
        };
        candidates.push(Candidate::new(
            found.node,
            rule,
            format!("EasyList ##{}", found.selector),
        ));
    }
    candidates
}

/// Finds every label: the largest element (or, inside running text, the text node) whose whole
/// text is made of label phrases.
fn find_labels(tree: &PageTree, analysis: &Analysis, guard: &Guard) -> Vec<Label> {
    let mut labels: Vec<Label> = Vec::new();
    let mut is_label = vec![false; tree.len()];
    for (id, node) in tree.nodes().iter().enumerate() {
        if !node.is_text()
            || node.text_chars == 0
            || node.text_chars > LABEL_MAX_CHARS
            || analysis.in_own_ui[id]
        {
            continue;
        }
        let Some(parent) = node.parent else {
            continue;
        };
        // A word that belongs to no label phrase rules this text out of every label. And text
        // inside a link is a link ("Advertise", "Publicité" in a footer, "Comments (3)"), not a
        // label; vendors' attribution links are caught by their markup and hosts instead. Only
        // in a card (a link around a whole teaser) is a tag an ad's label ("Sponsored by
        // Crowe"); other labels there ("Comments") are the card's furniture.
        let in_card = analysis.in_link[id] && in_card_link(tree, analysis, id);
        if (analysis.in_link[id] && !in_card)
            || !(could_be_label_part(&node.text) || is_sponsor_credit(&node.text))
        {
            continue;
        }
        let (label_node, kind) = if analysis.chars[parent] > LABEL_MAX_CHARS {
            // Running text: only a bare ad-break or ad marker between sentences is a label.
            match classify_label(&node.text) {
                Some(kind @ (LabelKind::AdBreak | LabelKind::AdMarker)) => (id, kind),
                _ => continue,
            }
        } else {
            let Some(mut kind) = classify_label(&tree.text_of(parent, LABEL_MAX_CHARS + 1)) else {
                // A bare ad marker beside a few other words is still one, as it is in running
                // text: otherwise removing a neighbour (a teaser, in another category) would
                // turn a label into plain words, and enabling that category would keep a block
                // the default removes.
                if let Some(kind @ (LabelKind::AdBreak | LabelKind::AdMarker)) =
                    classify_label(&node.text)
                {
                    if !analysis.in_prose_paragraph[id] {
                        labels_push(&mut labels, &mut is_label, tree, id, kind);
                    }
                }
                continue;
            };
            let mut current = parent;
            while let Some(up) = tree.node(current).parent {
                // Guarded blocks and landmarks (navigation, footer) are never one label's block:
                // page furniture only looks like a label once what stood beside it is gone.
                if analysis.chars[up] > LABEL_MAX_CHARS
                    || guard.absolute_veto(up).is_some()
                    || is_landmark(tree.node(up))
                {
                    break;
                }
                if analysis.chars[up] == analysis.chars[current] {
                    // Only wrappers around the same text: same label (and no re-reading of a
                    // subtree that may be thousands of levels deep).
                    current = up;
                    continue;
                }
                match classify_label(&tree.text_of(up, LABEL_MAX_CHARS + 1)) {
                    Some(up_kind) => {
                        kind = up_kind;
                        current = up;
                    }
                    None => break,
                }
            }
            if guard.absolute_veto(current).is_some() {
                continue;
            }
            (current, kind)
        };
        // Inside a paragraph of prose, label words are part of its text: the guards keep the
        // paragraph, so taking the words out alone would hide the tag while the text it tags
        // stays, and could leave the paragraph too short to count as prose (a second clean
        // would then judge it unguarded).
        if analysis.in_prose_paragraph[label_node] {
            continue;
        }
        if in_card && !kind.tags_an_ad() {
            continue;
        }
        labels_push(&mut labels, &mut is_label, tree, label_node, kind);
    }
    labels
}

fn labels_push(
    labels: &mut Vec<Label>,
    is_label: &mut [bool],
    tree: &PageTree,
    node: NodeId,
    kind: LabelKind,
) {
    if !is_label[node] {
        is_label[node] = true;
        labels.push(Label {
            node,
            kind,
            text: tree.text_of(node, LABEL_MAX_CHARS),
        });
    }
}

/// Whether text node `id` sits in a card: a link around a whole teaser (its headline, its
/// tags), where a tag ("Sponsored by Crowe") is a label of its own element, not the link's text.
fn in_card_link(tree: &PageTree, analysis: &Analysis, id: NodeId) -> bool {
    let Some(parent) = tree.node(id).parent else {
        return false;
    };
    if tree.node(parent).tag == "a" {
        return false;
    }
    let mut current = parent;
    for _ in 0..CARD_LINK_MAX_DEPTH {
        let Some(up) = tree.node(current).parent else {
            return false;
        };
        if tree.node(up).tag == "a" {
            return analysis.chars[up] > LABEL_MAX_CHARS
                || tree
                    .subtree(up)
                    .any(|inside| is_heading_tag(&tree.node(inside).tag));
        }
        current = up;
    }
    false
}

/// How many levels a label may sit below the link of its card.
const CARD_LINK_MAX_DEPTH: usize = 6;

/// Whether `outer` is a strict ancestor of `inner`.
fn tree_contains(tree: &PageTree, outer: NodeId, inner: NodeId) -> bool {
    outer != inner && tree.is_ancestor_or_self(outer, inner)
}

/// Whether a list's text is short links and little else: at least `min_share` percent of its
/// characters in links (or at most `title_chars` outside them, a title's), and no more than
/// `LABELLED_LIST_MAX_ITEM_CHARS` per link. Text ads have this shape; teasers, with their bylines
/// and dates, do not.
fn is_short_link_list(
    links: u32,
    chars: usize,
    link_chars: usize,
    min_share: usize,
    title_chars: usize,
) -> bool {
    let plain = chars - link_chars;
    (plain <= title_chars || link_chars * 100 >= chars * min_share)
        && chars <= links as usize * LABELLED_LIST_MAX_ITEM_CHARS
}

/// The element's id or class name that names the text-link ad format ("textlinks",
/// `vocabulary::TEXT_LINK_AD_SEQUENCES`), if any.
fn text_link_ad_name(node: &crate::core::tree::Node) -> Option<&str> {
    element_names(&node.id, &node.class).find(|name| {
        // (Most names hold no "text": they are not split into tokens.)
        let has_text = name
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"text"));
        if !has_text {
            return false;
        }
        let tokens = name_tokens(name);
        TEXT_LINK_AD_SEQUENCES
            .iter()
            .any(|sequence| tokens_contain_sequence(&tokens, sequence))
    })
}

/// Whether an element's id or one of its class names says "ad" ("ad", "ad-slot", "adWrapper").
fn names_an_ad(node: &crate::core::tree::Node) -> bool {
    element_names(&node.id, &node.class).any(|name| is_ad_name(&name_tokens(name)))
}

/// Whether two class attributes share most of their names (or both have none): items of one
/// list differ at most by a modifier ("item item--active").
fn same_classes_mostly(classes: &[&str], other: &str) -> bool {
    let others: Vec<&str> = other.split_whitespace().collect();
    let shared = classes.iter().filter(|c| others.contains(c)).count();
    shared * 2 >= classes.len().max(others.len()) && (shared > 0 || classes.is_empty())
}

/// The index of `category` in `Category::ALL` (and in the label counts).
fn category_index(category: Category) -> usize {
    Category::ALL
        .iter()
        .position(|c| *c == category)
        .unwrap_or(0)
}

fn count_labels(tree: &PageTree, labels: &[Label]) -> Vec<[u16; 5]> {
    let mut counts = vec![[0u16; 5]; tree.len()];
    for label in labels {
        counts[label.node][category_index(label.kind.rule().category())] += 1;
    }
    for id in (0..tree.len()).rev() {
        if let Some(parent) = tree.node(id).parent {
            let child = counts[id];
            for (total, add) in counts[parent].iter_mut().zip(child) {
                *total += add;
            }
        }
    }
    counts
}

/// Lower is more specific: vendor and ad-server markup, then visible labels, then names.
fn specificity(rule: RuleId) -> u8 {
    match (rule.strength(), rule.is_label()) {
        (Strength::Strong, _) => 0,
        (Strength::Weak, true) => 1,
        (Strength::Weak, false) => 2,
    }
}

/// The start of a block's text for the popup. Label texts ("Sponsored Links", "by Taboola") are
/// skipped when the block has other text, so the reader sees what the ad said.
fn preview(tree: &PageTree, analysis: &Analysis, node: NodeId) -> String {
    let mut content = String::new();
    for id in tree.subtree(node) {
        let item = tree.node(id);
        // Label words ("Sponsored", "Links", "by Taboola") and bare separators ("|") say what
        // the block is, not what it said.
        if !item.is_text()
            || could_be_label_part(&item.text)
            || normalize_label(&item.text).is_empty()
        {
            continue;
        }
        let words = crate::core::tree::collapse_whitespace(&item.text);
        if words.is_empty() {
            continue;
        }
        if !content.is_empty() {
            content.push(' ');
        }
        content.push_str(&words);
        if content.chars().count() > PREVIEW_MAX_CHARS {
            let cut: String = content.chars().take(PREVIEW_MAX_CHARS).collect();
            return format!("{}…", cut.trim_end());
        }
    }
    if !content.is_empty() {
        return content;
    }
    let text = tree.text_of(node, PREVIEW_MAX_CHARS);
    if text.is_empty() {
        let item = tree.node(node);
        return if item.id.is_empty() {
            format!("(empty <{}>)", item.tag)
        } else {
            format!("(empty <{} id=\"{}\">)", item.tag, item.id)
        };
    }
    if analysis.chars[node] > crate::core::tree::count_visible_chars(&text) {
        format!("{text}…")
    } else {
        text
    }
}
