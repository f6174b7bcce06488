//! What the popup and the demo show: every removal with its rule, category, reason, evidence
//! and a text preview, and counts per category.

use crate::core::category::{Category, CategorySet};
use crate::core::guard::GuardId;
use crate::core::plan::{KeptBlock, PlannedRemoval};
use crate::core::rules::RuleId;
use serde::{Deserialize, Serialize};

/// Options of one clean, as sent by the extension or the demo.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CleanOptions {
    pub categories: CategorySet,
    /// Keep the page clean as widgets arrive after the clean.
    pub watch: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RemovalRecord {
    pub rule: RuleId,
    pub category: Category,
    pub reason: &'static str,
    pub evidence: String,
    pub preview: String,
    /// Removed after the first clean, as the page added it.
    pub late: bool,
}

impl RemovalRecord {
    pub fn new(removal: &PlannedRemoval, late: bool) -> Self {
        RemovalRecord {
            rule: removal.rule,
            category: removal.rule.category(),
            reason: removal.rule.reason(),
            evidence: removal.evidence.clone(),
            preview: removal.preview.clone(),
            late,
        }
    }
}

impl RemovalRecord {
    /// Whether two removals look like the same block (a widget the page put back).
    pub fn is_same_block(&self, other: &RemovalRecord) -> bool {
        self.rule == other.rule && self.evidence == other.evidence && self.preview == other.preview
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeptRecord {
    pub rule: RuleId,
    pub guard: GuardId,
    pub preview: String,
}

impl From<&KeptBlock> for KeptRecord {
    fn from(kept: &KeptBlock) -> Self {
        KeptRecord {
            rule: kept.rule,
            guard: kept.guard,
            preview: kept.preview.clone(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub ads: usize,
    pub promos: usize,
    pub related: usize,
    pub comments: usize,
    pub social: usize,
}

impl Counts {
    fn slot(&mut self, category: Category) -> &mut usize {
        match category {
            Category::Ads => &mut self.ads,
            Category::Promos => &mut self.promos,
            Category::Related => &mut self.related,
            Category::Comments => &mut self.comments,
            Category::Social => &mut self.social,
        }
    }

    pub fn add(&mut self, category: Category) {
        *self.slot(category) += 1;
    }

    pub fn subtract(&mut self, category: Category) {
        let slot = self.slot(category);
        *slot = slot.saturating_sub(1);
    }
}

/// The state of a page: everything removed since the clean, and what the guards kept.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Report {
    pub total: usize,
    pub counts: Counts,
    pub removed: Vec<RemovalRecord>,
    pub kept: Vec<KeptRecord>,
    /// Start of the article's text, as the guard found it.
    pub article: Option<String>,
    /// Milliseconds spent in the first clean (walk, decide, remove).
    pub clean_ms: f64,
    /// Late passes run so far (widgets added after the clean).
    pub late_passes: u32,
    /// Late removals of a block the page had put back after an earlier removal.
    pub reinsertions: u32,
    /// Milliseconds spent in late passes, in all and in the last one.
    pub late_ms: f64,
    pub last_late_pass_ms: f64,
    /// Where the first clean's time went.
    pub timings: Timings,
    /// Huge pages are cleaned in slices, each in its own task: how many the clean took, and the
    /// longest (milliseconds). A page cleaned in one go counts one.
    pub slices: u32,
    pub longest_slice_ms: f64,
    /// Size of the engine's memory after the clean, in bytes (0 where unknown).
    pub memory_bytes: f64,
    /// Late passes that failed (the page could not be read, a pass could not be scheduled):
    /// widgets the page added then may not have been checked. The popup says so.
    pub late_errors: u32,
    /// What the last of them said.
    pub last_late_error: Option<String>,
}

/// Cost of the first clean, by phase (milliseconds), and the size of the page snapshot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Timings {
    pub nodes: usize,
    pub snapshot_ms: f64,
    /// Part of `plan_ms`: EasyList selectors checked by the browser's selector engine.
    pub select_ms: f64,
    pub plan_ms: f64,
    pub remove_ms: f64,
}

impl Timings {
    /// Adds another slice's figures.
    pub fn add(&mut self, other: &Timings) {
        self.nodes += other.nodes;
        self.snapshot_ms += other.snapshot_ms;
        self.select_ms += other.select_ms;
        self.plan_ms += other.plan_ms;
        self.remove_ms += other.remove_ms;
    }
}

impl Report {
    /// Records a late pass that failed.
    pub fn record_late_error(&mut self, message: String) {
        self.late_errors += 1;
        self.last_late_error = Some(message);
    }

    pub fn push(&mut self, record: RemovalRecord) {
        self.counts.add(record.category);
        self.total += 1;
        self.removed.push(record);
    }

    /// Drops the record of a block the reader put back.
    pub fn remove_record(&mut self, index: usize) -> Option<RemovalRecord> {
        if index >= self.removed.len() {
            return None;
        }
        let record = self.removed.remove(index);
        self.counts.subtract(record.category);
        self.total -= 1;
        Some(record)
    }
}
