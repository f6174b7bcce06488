//! From signals to a removal plan: find labels, grow each signal to the block it belongs to,
//! apply the guards, collapse wrappers left empty, and keep only the outermost blocks; in rounds,
//! until the page as cleaned shows nothing more to remove (cleaning twice removes nothing new).

use crate::core::analysis::Analysis;
use crate::core::category::{Category, CategorySet};
use crate::core::detect::{markup_signal, Reach, Signal, NOT_BLOCKS};
use crate::core::easylist::{PageRules, RuleSet};
use crate::core::guard::{is_landmark, Guard, GuardId};
use crate::core::labels::{classify_label, could_be_label_part, normalize_label, LabelKind};
use crate::core::rules::{RuleId, Strength};
use crate::core::tree::{NodeId, PageTree};
use crate::core::vocabulary::{
    ITEM_MAX_CHARS, ITEM_MAX_LINKS, LABEL_MAX_CHARS, WIDGET_MAX_CHARS,
    WIDGET_MAX_FOREIGN_PROSE_CHARS,
};

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
}

const WIDGET_GROWTH: Growth = Growth {
    max_chars: WIDGET_MAX_CHARS,
    max_foreign_prose: WIDGET_MAX_FOREIGN_PROSE_CHARS,
    max_links: None,
};
const ITEM_GROWTH: Growth = Growth {
    max_chars: ITEM_MAX_CHARS,
    max_foreign_prose: 0,
    max_links: Some(ITEM_MAX_LINKS as u32),
};

struct Candidate {
    node: NodeId,
    rule: RuleId,
    evidence: String,
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
        match guard.veto(candidate.node, candidate.rule.strength(), category) {
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
            candidates.push(Candidate {
                node: block,
                rule: signal.rule,
                evidence: signal.evidence.clone(),
            });
        }
        candidates
    }

    fn label_candidates(&self, labels: &[Label]) -> Vec<Candidate> {
        labels
            .iter()
            .map(|label| {
                let growth = if label.kind.names_a_section() {
                    WIDGET_GROWTH
                } else {
                    ITEM_GROWTH
                };
                let category = label.kind.rule().category();
                Candidate {
                    node: self.grow(label.node, growth, category),
                    rule: label.kind.rule(),
                    evidence: format!("label \"{}\"", label.text),
                }
            })
            .collect()
    }

    /// Climbs from `start` while the parent still looks like the same block: no guarded content,
    /// not too much text, no prose, paragraphs, headings or labels of its own.
    fn grow(&self, start: NodeId, growth: Growth, category: Category) -> NodeId {
        let analysis = self.analysis;
        let mut current = start;
        while let Some(parent) = self.tree.node(current).parent {
            let foreign_prose = analysis.prose[parent] - analysis.prose[current];
            let grows = self.guard.absolute_veto(parent).is_none()
                && !is_landmark(self.tree.node(parent))
                && analysis.chars[parent] <= growth.max_chars
                && foreign_prose <= growth.max_foreign_prose
                && analysis.paragraphs[parent] <= analysis.paragraphs[current]
                && analysis.plain_headings[parent] <= analysis.plain_headings[current]
                && growth
                    .max_links
                    .is_none_or(|max| analysis.links[parent] <= max)
                && !self.has_foreign_labels(parent, current, category);
            if !grows {
                break;
            }
            current = parent;
        }
        current
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
            for &child in &node.children {
                match decided[child] {
                    Some(decision) => {
                        first_decision.get_or_insert(decision);
                    }
                    None if self.analysis.is_empty(child) => {}
                    None => {
                        all_gone = false;
                        break;
                    }
                }
            }
            if all_gone && first_decision.is_some() && self.guard.absolute_veto(id).is_none() {
                decided[id] = first_decision;
            }
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
            candidates.push(Candidate {
                node: id,
                rule: RuleId::EasylistGeneric,
                evidence: format!("EasyList ##{selector}"),
            });
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
        candidates.push(Candidate {
            node: found.node,
            rule: if found.site_specific {
                RuleId::EasylistSite
            } else {
                RuleId::EasylistGeneric
            },
            evidence: format!("EasyList ##{}", found.selector),
        });
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
        // label; vendors' attribution links are caught by their markup and hosts instead.
        if analysis.in_link[id] || !could_be_label_part(&node.text) {
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

fn count_labels(tree: &PageTree, labels: &[Label]) -> Vec<[u16; 5]> {
    let mut counts = vec![[0u16; 5]; tree.len()];
    for label in labels {
        let category = label.kind.rule().category();
        let index = Category::ALL
            .iter()
            .position(|c| *c == category)
            .unwrap_or(0);
        counts[label.node][index] += 1;
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
