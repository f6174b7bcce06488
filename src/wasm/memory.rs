//! What the page remembers between cleans: the article the first clean found and the blocks a
//! clean kept for their share of it. A second clean keeps them so (it must remove nothing new:
//! see `PageTree::set_article_hint` and `PageTree::keep_for_share`), and late passes know
//! whether a widget sits in the article.

use crate::core::guard::GuardId;
use crate::core::plan::Plan;
use crate::dom::Snapshot;

#[derive(Default)]
pub(crate) struct PageMemory {
    /// The article the first clean found, so late passes know whether a widget sits in it, and
    /// a second clean keeps it as the article (`PageTree::set_article_hint`).
    article: Option<web_sys::Node>,
    /// Blocks a clean kept for their share of the article: later cleans keep them too
    /// (`PageTree::keep_for_share`).
    kept_for_share: Vec<web_sys::Node>,
}

impl PageMemory {
    /// Marks what is remembered in `snapshot`, where it is part of it.
    pub(crate) fn apply_to(&self, snapshot: &mut Snapshot) {
        if let Some(article) = self
            .article
            .as_ref()
            .and_then(|article| snapshot.handles.position_of(article))
        {
            snapshot.tree.set_article_hint(article);
        }
        for block in &self.kept_for_share {
            if let Some(position) = snapshot.handles.position_of(block) {
                snapshot.tree.keep_for_share(position);
            }
        }
    }

    /// Remembers what `plan` (made on `snapshot`) kept for its share of the article, and its
    /// article unless one is remembered already.
    pub(crate) fn remember(&mut self, plan: &Plan, snapshot: &Snapshot) {
        for block in &plan.kept {
            if block.guard == GuardId::GuardArticleShare {
                if let Some(handle) = snapshot.handles.get(block.node) {
                    if !self.kept_for_share.contains(&handle) {
                        self.kept_for_share.push(handle);
                    }
                }
            }
        }
        if self.article.is_none() {
            self.article = plan
                .article_root
                .and_then(|root| snapshot.handles.get(root));
        }
    }

    /// Forgets what the page dropped since: the article an earlier clean of this page found
    /// stays the article unless it left the page, and so do the blocks kept for their share.
    pub(crate) fn forget_disconnected(&mut self) {
        if !self
            .article
            .as_ref()
            .is_some_and(|article| article.is_connected())
        {
            self.article = None;
        }
        self.kept_for_share.retain(|block| block.is_connected());
    }

    /// Whether one of `roots` holds the whole remembered article.
    pub(crate) fn article_within(&self, roots: &[web_sys::Node]) -> bool {
        self.article
            .as_ref()
            .is_some_and(|article| roots.iter().any(|root| root.contains(Some(article))))
    }
}
