//! The five kinds of block the cleaner knows. Every removal belongs to exactly one.

use serde::{Deserialize, Serialize};

/// What a removed block is, from the reader's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Ad slots, sponsored and native ads, paid recommendation widgets, ad-break labels.
    Ads,
    /// The site promoting its own products: AI features, apps, newsletters, subscriptions.
    Promos,
    /// First-party related or most-read articles.
    Related,
    /// Comment sections.
    Comments,
    /// Share and follow bars.
    Social,
}

impl Category {
    /// Every category, in the order the popup lists them.
    pub const ALL: [Category; 5] = [
        Category::Ads,
        Category::Promos,
        Category::Related,
        Category::Comments,
        Category::Social,
    ];

    /// Stable id used in settings, reports and the popup.
    pub fn id(self) -> &'static str {
        match self {
            Category::Ads => "ads",
            Category::Promos => "promos",
            Category::Related => "related",
            Category::Comments => "comments",
            Category::Social => "social",
        }
    }

    /// Whether the category is cleaned when the reader has not said otherwise.
    pub fn is_enabled_by_default(self) -> bool {
        match self {
            Category::Ads | Category::Promos => true,
            Category::Related | Category::Comments | Category::Social => false,
        }
    }
}

/// Which categories a clean removes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CategorySet {
    pub ads: bool,
    pub promos: bool,
    pub related: bool,
    pub comments: bool,
    pub social: bool,
}

impl Default for CategorySet {
    fn default() -> Self {
        CategorySet {
            ads: Category::Ads.is_enabled_by_default(),
            promos: Category::Promos.is_enabled_by_default(),
            related: Category::Related.is_enabled_by_default(),
            comments: Category::Comments.is_enabled_by_default(),
            social: Category::Social.is_enabled_by_default(),
        }
    }
}

impl CategorySet {
    /// Every category switched on.
    pub fn all() -> Self {
        CategorySet {
            ads: true,
            promos: true,
            related: true,
            comments: true,
            social: true,
        }
    }

    /// The categories of this set that are on by default.
    pub fn defaults_only(&self) -> Self {
        let default = CategorySet::default();
        CategorySet {
            ads: self.ads && default.ads,
            promos: self.promos && default.promos,
            related: self.related && default.related,
            comments: self.comments && default.comments,
            social: self.social && default.social,
        }
    }

    pub fn contains(&self, category: Category) -> bool {
        match category {
            Category::Ads => self.ads,
            Category::Promos => self.promos,
            Category::Related => self.related,
            Category::Comments => self.comments,
            Category::Social => self.social,
        }
    }
}

/// Serialised as its id (hand-written: smaller wasm than serde's derive).
impl Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_clean_ads_and_promos_only() {
        let set = CategorySet::default();
        assert!(set.contains(Category::Ads));
        assert!(set.contains(Category::Promos));
        assert!(!set.contains(Category::Related));
        assert!(!set.contains(Category::Comments));
        assert!(!set.contains(Category::Social));
    }
}
