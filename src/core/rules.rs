//! Rule ids: every removal and every guard decision names one of these.
//!
//! Where each rule's evidence lives:
//! - vendor rules (`vendor-*`): the signature table in `vocabulary::VENDORS`;
//! - ad slots (`ad-slot-*`, `ad-frame`, `ad-class`, `ad-link`): `vocabulary` (ids, classes, hosts);
//! - label rules (`label-*`, `ad-break-label`, `*-label`): the phrase tables in `labels`;
//! - class rules for the optional categories (`*-class`): `vocabulary::SECTION_CLASSES`;
//! - EasyList (`easylist-generic`, `easylist-site`): `easylist`, data compiled from EasyList;
//! - the reader's own rules and picks (`user-rule`): `user_rules`, applied in `wasm::pass`
//!   (rules) and `wasm::session` (picks);
//! - guards (`guard-*`): `guard`.

use crate::core::category::Category;

/// A detection rule. Its id is stable and kebab-case; it appears in reports and the popup.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleId {
    VendorTaboola,
    VendorOutbrain,
    VendorRevcontent,
    VendorMgid,
    VendorZergnet,
    VendorDianomi,
    VendorNativo,
    VendorYahooGemini,
    VendorTeads,
    VendorConnatix,
    AdSlotGpt,
    AdSlotAdsense,
    AdSlotAmazon,
    AdFrame,
    AdClass,
    AdLink,
    LinkRelSponsored,
    LabelSponsoredWidget,
    LabelAdMarker,
    /// A box of links headed as the site's partners' or sponsors' (`labels`), or made of ad
    /// links (`plan`).
    PartnerBox,
    /// A box whose links go through ad click trackers (`plan`).
    AdLinkBox,
    /// One item of a list of the site's own teasers, tagged as sponsored (`plan`).
    NativeAdInList,
    AdBreakLabel,
    PromoLabel,
    PromoClass,
    RelatedLabel,
    RelatedClass,
    CommentsLabel,
    CommentsClass,
    SocialLabel,
    SocialClass,
    EasylistGeneric,
    EasylistSite,
    /// The reader's own rule (`core::user_rules`), or an element the reader picked.
    UserRule,
}

/// How sure a rule is. Strong evidence names the ad technology itself (a vendor's markup, an ad
/// server's slot); weak evidence is a label or a class name that a site chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Strength {
    Weak,
    Strong,
}

impl RuleId {
    /// Every rule, for documentation and exhaustiveness tests.
    pub const ALL: [RuleId; 34] = [
        RuleId::VendorTaboola,
        RuleId::VendorOutbrain,
        RuleId::VendorRevcontent,
        RuleId::VendorMgid,
        RuleId::VendorZergnet,
        RuleId::VendorDianomi,
        RuleId::VendorNativo,
        RuleId::VendorYahooGemini,
        RuleId::VendorTeads,
        RuleId::VendorConnatix,
        RuleId::AdSlotGpt,
        RuleId::AdSlotAdsense,
        RuleId::AdSlotAmazon,
        RuleId::AdFrame,
        RuleId::AdClass,
        RuleId::AdLink,
        RuleId::LinkRelSponsored,
        RuleId::LabelSponsoredWidget,
        RuleId::LabelAdMarker,
        RuleId::PartnerBox,
        RuleId::AdLinkBox,
        RuleId::NativeAdInList,
        RuleId::AdBreakLabel,
        RuleId::PromoLabel,
        RuleId::PromoClass,
        RuleId::RelatedLabel,
        RuleId::RelatedClass,
        RuleId::CommentsLabel,
        RuleId::CommentsClass,
        RuleId::SocialLabel,
        RuleId::SocialClass,
        RuleId::EasylistGeneric,
        RuleId::EasylistSite,
        RuleId::UserRule,
    ];

    /// The stable kebab-case id.
    pub fn id(self) -> &'static str {
        match self {
            RuleId::VendorTaboola => "vendor-taboola",
            RuleId::VendorOutbrain => "vendor-outbrain",
            RuleId::VendorRevcontent => "vendor-revcontent",
            RuleId::VendorMgid => "vendor-mgid",
            RuleId::VendorZergnet => "vendor-zergnet",
            RuleId::VendorDianomi => "vendor-dianomi",
            RuleId::VendorNativo => "vendor-nativo",
            RuleId::VendorYahooGemini => "vendor-yahoo-gemini",
            RuleId::VendorTeads => "vendor-teads",
            RuleId::VendorConnatix => "vendor-connatix",
            RuleId::AdSlotGpt => "ad-slot-gpt",
            RuleId::AdSlotAdsense => "ad-slot-adsense",
            RuleId::AdSlotAmazon => "ad-slot-amazon",
            RuleId::AdFrame => "ad-frame",
            RuleId::AdClass => "ad-class",
            RuleId::AdLink => "ad-link",
            RuleId::LinkRelSponsored => "link-rel-sponsored",
            RuleId::LabelSponsoredWidget => "label-sponsored-widget",
            RuleId::LabelAdMarker => "label-ad-marker",
            RuleId::PartnerBox => "partner-box",
            RuleId::AdLinkBox => "ad-link-box",
            RuleId::NativeAdInList => "native-ad-in-list",
            RuleId::AdBreakLabel => "ad-break-label",
            RuleId::PromoLabel => "promo-label",
            RuleId::PromoClass => "promo-class",
            RuleId::RelatedLabel => "related-label",
            RuleId::RelatedClass => "related-class",
            RuleId::CommentsLabel => "comments-label",
            RuleId::CommentsClass => "comments-class",
            RuleId::SocialLabel => "social-label",
            RuleId::SocialClass => "social-class",
            RuleId::EasylistGeneric => "easylist-generic",
            RuleId::EasylistSite => "easylist-site",
            RuleId::UserRule => "user-rule",
        }
    }

    pub fn category(self) -> Category {
        match self {
            RuleId::VendorTaboola
            | RuleId::VendorOutbrain
            | RuleId::VendorRevcontent
            | RuleId::VendorMgid
            | RuleId::VendorZergnet
            | RuleId::VendorDianomi
            | RuleId::VendorNativo
            | RuleId::VendorYahooGemini
            | RuleId::VendorTeads
            | RuleId::VendorConnatix
            | RuleId::AdSlotGpt
            | RuleId::AdSlotAdsense
            | RuleId::AdSlotAmazon
            | RuleId::AdFrame
            | RuleId::AdClass
            | RuleId::AdLink
            | RuleId::LinkRelSponsored
            | RuleId::LabelSponsoredWidget
            | RuleId::LabelAdMarker
            | RuleId::PartnerBox
            | RuleId::AdLinkBox
            | RuleId::NativeAdInList
            | RuleId::AdBreakLabel
            | RuleId::EasylistGeneric
            | RuleId::EasylistSite
            | RuleId::UserRule => Category::Ads,
            RuleId::PromoLabel | RuleId::PromoClass => Category::Promos,
            RuleId::RelatedLabel | RuleId::RelatedClass => Category::Related,
            RuleId::CommentsLabel | RuleId::CommentsClass => Category::Comments,
            RuleId::SocialLabel | RuleId::SocialClass => Category::Social,
        }
    }

    pub fn strength(self) -> Strength {
        match self {
            RuleId::VendorTaboola
            | RuleId::VendorOutbrain
            | RuleId::VendorRevcontent
            | RuleId::VendorMgid
            | RuleId::VendorZergnet
            | RuleId::VendorDianomi
            | RuleId::VendorNativo
            | RuleId::VendorYahooGemini
            | RuleId::VendorTeads
            | RuleId::VendorConnatix
            | RuleId::AdSlotGpt
            | RuleId::AdSlotAdsense
            | RuleId::AdSlotAmazon
            | RuleId::AdFrame
            | RuleId::EasylistSite
            | RuleId::UserRule => Strength::Strong,
            // The tag names this one item, and its alike siblings show where the item ends; it
            // is never looked for inside the article (`plan::Planner::native_ad_item`).
            RuleId::NativeAdInList => Strength::Strong,
            // Every link but a heading's goes through an ad server; prose is allowed only
            // outside the article (`plan::Planner::ad_link_boxes`).
            RuleId::AdLinkBox => Strength::Strong,
            RuleId::AdClass
            | RuleId::AdLink
            | RuleId::LinkRelSponsored
            | RuleId::LabelSponsoredWidget
            | RuleId::LabelAdMarker
            | RuleId::PartnerBox
            | RuleId::AdBreakLabel
            | RuleId::PromoLabel
            | RuleId::PromoClass
            | RuleId::RelatedLabel
            | RuleId::RelatedClass
            | RuleId::CommentsLabel
            | RuleId::CommentsClass
            | RuleId::SocialLabel
            | RuleId::SocialClass
            | RuleId::EasylistGeneric => Strength::Weak,
        }
    }

    /// Whether the rule reads visible text rather than markup.
    pub fn is_label(self) -> bool {
        matches!(
            self,
            RuleId::LabelSponsoredWidget
                | RuleId::LabelAdMarker
                | RuleId::PartnerBox
                | RuleId::NativeAdInList
                | RuleId::AdBreakLabel
                | RuleId::PromoLabel
                | RuleId::RelatedLabel
                | RuleId::CommentsLabel
                | RuleId::SocialLabel
        )
    }

    /// The sentence the popup shows a reader.
    pub fn reason(self) -> &'static str {
        match self {
            RuleId::VendorTaboola => "Taboola paid-recommendation widget",
            RuleId::VendorOutbrain => "Outbrain paid-recommendation widget",
            RuleId::VendorRevcontent => "Revcontent paid-recommendation widget",
            RuleId::VendorMgid => "MGID paid-recommendation widget",
            RuleId::VendorZergnet => "ZergNet paid-recommendation widget",
            RuleId::VendorDianomi => "Dianomi sponsored-content widget",
            RuleId::VendorNativo => "Nativo native ad",
            RuleId::VendorYahooGemini => "Yahoo native ad",
            RuleId::VendorTeads => "Teads video ad",
            RuleId::VendorConnatix => "Connatix video ad",
            RuleId::AdSlotGpt => "Google ad slot",
            RuleId::AdSlotAdsense => "Google AdSense ad",
            RuleId::AdSlotAmazon => "Amazon ad slot",
            RuleId::AdFrame => "Frame loaded from an ad server",
            RuleId::AdClass => "Ad container (the page names it an ad)",
            RuleId::AdLink => "Link through an ad click tracker",
            RuleId::LinkRelSponsored => "Link the page marks as sponsored",
            RuleId::LabelSponsoredWidget => "Widget labelled as sponsored or promoted",
            RuleId::LabelAdMarker => "Block labelled as an ad",
            RuleId::PartnerBox => "Box of links from the site's partners or sponsors",
            RuleId::AdLinkBox => "Box of links through ad click trackers",
            RuleId::NativeAdInList => "Sponsored item among the site's own stories",
            RuleId::AdBreakLabel => "Ad-break label between paragraphs",
            RuleId::PromoLabel => "The site promoting its own product",
            RuleId::PromoClass => "Promotion, app or subscription banner",
            RuleId::RelatedLabel => "Related or most-read articles",
            RuleId::RelatedClass => "Related-articles box",
            RuleId::CommentsLabel => "Comments",
            RuleId::CommentsClass => "Comment section",
            RuleId::SocialLabel => "Share or follow buttons",
            RuleId::SocialClass => "Share bar",
            RuleId::EasylistGeneric => "Listed as an ad by EasyList",
            RuleId::EasylistSite => "Listed as an ad on this site by EasyList",
            RuleId::UserRule => "You asked to remove this (your own rule)",
        }
    }
}

/// Serialised as its id (a hand-written impl: serde's derive for this many variants costs
/// kilobytes of wasm).
impl serde::Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn rule_ids_are_unique_kebab_case() {
        let mut seen = HashSet::new();
        for rule in RuleId::ALL {
            let id = rule.id();
            assert!(seen.insert(id), "duplicate rule id {id}");
            assert!(id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
            assert!(!rule.reason().is_empty());
        }
    }

    #[test]
    fn serde_name_matches_id() {
        // The report serialises RuleId with serde; it must say the same as id().
        for rule in RuleId::ALL {
            let quoted = format!("{:?}", rule);
            assert!(!quoted.is_empty());
            assert_eq!(serde_kebab(&quoted), rule.id());
        }
    }

    fn serde_kebab(debug_name: &str) -> String {
        let mut out = String::new();
        for (index, c) in debug_name.chars().enumerate() {
            if c.is_ascii_uppercase() {
                if index > 0 {
                    out.push('-');
                }
                out.push(c.to_ascii_lowercase());
            } else {
                out.push(c);
            }
        }
        out
    }
}
