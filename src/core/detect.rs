//! Signals read from markup: vendor signatures, ad slots, ad hosts, class names.
//! (Signals read from visible text are in `labels`; both feed `plan`.)

use crate::core::labels::{classify_label, LabelKind};
use crate::core::rules::RuleId;
use crate::core::tree::Node;
use crate::core::vocabulary::{
    element_names, host_matches, is_ad_name, name_tokens, starts_with_ignore_case,
    tokens_contain_sequence, url_host, ADSENSE_ATTRIBUTES, ADSENSE_CLASS, AD_HOSTS,
    AMAZON_NAME_PREFIXES, COMMENTS_CLASS_SEQUENCES, GPT_ATTRIBUTES, GPT_ID_PREFIXES,
    PROMO_CLASS_SEQUENCES, RELATED_CLASS_SEQUENCES, SECTION_WORDS, SOCIAL_CLASS_SEQUENCES,
    SPONSORED_TOKENS, VENDORS,
};
use std::borrow::Cow;

/// How far the block reaches from the element that carries the signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// The element itself is the block (a vendor container, an ad slot).
    Itself,
    /// The element is part of one ad item (a tracking link): grow to the item around it.
    Item,
}

/// A rule that matched an element, with the evidence a reader can check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signal {
    pub rule: RuleId,
    pub evidence: String,
    pub reach: Reach,
}

impl Signal {
    fn new(rule: RuleId, evidence: String, reach: Reach) -> Self {
        Signal {
            rule,
            evidence,
            reach,
        }
    }
}

/// Tags that are never blocks to remove.
pub const NOT_BLOCKS: &[&str] = &[
    "html", "head", "body", "script", "style", "noscript", "template", "link", "meta", "title",
    "base",
];

/// An id or class name with its lower-case word tokens, computed once per element (prefixes
/// are compared on `raw`, ignoring ASCII case).
struct Name<'a> {
    raw: &'a str,
    tokens: Vec<Cow<'a, str>>,
}

/// The strongest markup signal on one element, if any.
pub fn markup_signal(node: &Node) -> Option<Signal> {
    if !node.is_element() || NOT_BLOCKS.contains(&node.tag.as_str()) {
        return None;
    }
    let names: Vec<Name> = element_names(&node.id, &node.class)
        .map(|raw| Name {
            raw,
            tokens: name_tokens(raw),
        })
        .collect();
    // The linked host is parsed once, not once per vendor.
    let host = linked_host(node);
    vendor_signal(node, &names, host.as_deref())
        .or_else(|| ad_slot_signal(node, &names))
        .or_else(|| link_signal(node, host.as_deref()))
        .or_else(|| class_signal(node, &names))
        .or_else(|| aria_label_signal(node))
}

fn describe_name(node: &Node, name: &str) -> String {
    if name == node.id {
        format!("id \"{name}\"")
    } else {
        format!("class \"{name}\"")
    }
}

fn vendor_signal(node: &Node, names: &[Name], host: Option<&str>) -> Option<Signal> {
    for vendor in VENDORS {
        for name in names {
            let by_prefix = vendor
                .name_prefixes
                .iter()
                .any(|p| starts_with_ignore_case(name.raw, p));
            let by_token = name
                .tokens
                .iter()
                .any(|t| vendor.tokens.contains(&t.as_ref()));
            if by_prefix || by_token {
                return Some(Signal::new(
                    vendor.rule,
                    describe_name(node, name.raw),
                    Reach::Itself,
                ));
            }
        }
        for (attribute, _) in &node.attributes {
            if vendor
                .attribute_prefixes
                .iter()
                .any(|p| attribute.starts_with(p))
            {
                return Some(Signal::new(
                    vendor.rule,
                    format!("attribute {attribute}"),
                    Reach::Itself,
                ));
            }
        }
        if let Some(host) = host {
            if vendor.hosts.iter().any(|h| host_matches(host, h)) {
                let reach = if node.tag == "a" {
                    Reach::Item
                } else {
                    Reach::Itself
                };
                return Some(Signal::new(
                    vendor.rule,
                    format!("{} to {host}", link_word(node)),
                    reach,
                ));
            }
        }
    }
    None
}

fn ad_slot_signal(node: &Node, names: &[Name]) -> Option<Signal> {
    if GPT_ID_PREFIXES
        .iter()
        .any(|p| starts_with_ignore_case(&node.id, p))
    {
        return Some(Signal::new(
            RuleId::AdSlotGpt,
            format!("id \"{}\"", node.id),
            Reach::Itself,
        ));
    }
    if let Some(attribute) = GPT_ATTRIBUTES.iter().find(|a| node.has_attribute(a)) {
        return Some(Signal::new(
            RuleId::AdSlotGpt,
            format!("attribute {attribute}"),
            Reach::Itself,
        ));
    }
    let has_adsense_class = node
        .class
        .split_ascii_whitespace()
        .any(|c| c.eq_ignore_ascii_case(ADSENSE_CLASS));
    if has_adsense_class {
        return Some(Signal::new(
            RuleId::AdSlotAdsense,
            format!("class \"{ADSENSE_CLASS}\""),
            Reach::Itself,
        ));
    }
    if node.tag == "ins" {
        if let Some(attribute) = ADSENSE_ATTRIBUTES.iter().find(|a| node.has_attribute(a)) {
            return Some(Signal::new(
                RuleId::AdSlotAdsense,
                format!("attribute {attribute}"),
                Reach::Itself,
            ));
        }
    }
    for name in names {
        if AMAZON_NAME_PREFIXES
            .iter()
            .any(|p| starts_with_ignore_case(name.raw, p))
        {
            return Some(Signal::new(
                RuleId::AdSlotAmazon,
                describe_name(node, name.raw),
                Reach::Itself,
            ));
        }
    }
    None
}

fn link_signal(node: &Node, host: Option<&str>) -> Option<Signal> {
    if let Some(host) = host {
        if AD_HOSTS.iter().any(|h| host_matches(host, h)) {
            let (rule, reach) = if node.tag == "a" {
                (RuleId::AdLink, Reach::Item)
            } else {
                (RuleId::AdFrame, Reach::Itself)
            };
            return Some(Signal::new(
                rule,
                format!("{} to {host}", link_word(node)),
                reach,
            ));
        }
    }
    if node.tag == "a" {
        let is_sponsored = node.attribute("rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("sponsored"))
        });
        if is_sponsored {
            return Some(Signal::new(
                RuleId::LinkRelSponsored,
                "rel=\"sponsored\"".to_string(),
                Reach::Item,
            ));
        }
    }
    None
}

fn class_signal(node: &Node, names: &[Name]) -> Option<Signal> {
    let tables: [(&[&[&str]], RuleId); 4] = [
        (PROMO_CLASS_SEQUENCES, RuleId::PromoClass),
        (RELATED_CLASS_SEQUENCES, RuleId::RelatedClass),
        (COMMENTS_CLASS_SEQUENCES, RuleId::CommentsClass),
        (SOCIAL_CLASS_SEQUENCES, RuleId::SocialClass),
    ];
    for name in names {
        let tokens = &name.tokens;
        let is_sponsored = tokens
            .iter()
            .any(|t| SPONSORED_TOKENS.contains(&t.as_ref()));
        // A name that says what the section is ("share-sponsored-container" is a share bar)
        // wins over the bare word "sponsored".
        let names_a_section = tokens.iter().any(|t| SECTION_WORDS.contains(&t.as_ref()));
        if is_ad_name(tokens) || (is_sponsored && !names_a_section) {
            return Some(Signal::new(
                RuleId::AdClass,
                describe_name(node, name.raw),
                Reach::Itself,
            ));
        }
        for (sequences, rule) in tables {
            if sequences
                .iter()
                .any(|sequence| tokens_contain_sequence(tokens, sequence))
            {
                return Some(Signal::new(
                    rule,
                    describe_name(node, name.raw),
                    Reach::Itself,
                ));
            }
        }
    }
    None
}

fn aria_label_signal(node: &Node) -> Option<Signal> {
    let label = node.attribute("aria-label")?;
    let rule = match classify_label(label)? {
        LabelKind::AdMarker | LabelKind::SponsoredWidget => RuleId::LabelAdMarker,
        LabelKind::PartnerBox => RuleId::PartnerBox,
        LabelKind::AdBreak
        | LabelKind::Promo
        | LabelKind::Related
        | LabelKind::Comments
        | LabelKind::Social => return None,
    };
    Some(Signal::new(
        rule,
        format!("aria-label \"{label}\""),
        Reach::Itself,
    ))
}

fn linked_host(node: &Node) -> Option<String> {
    let url = match node.tag.as_str() {
        "a" | "area" => node.attribute("href"),
        "iframe" | "embed" => node.attribute("src"),
        _ => None,
    }?;
    url_host(url)
}

fn link_word(node: &Node) -> &'static str {
    match node.tag.as_str() {
        "a" | "area" => "link",
        _ => "frame",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::tree::PageTree;

    fn element(tag: &str, attributes: &[(&str, &str)]) -> Node {
        let mut tree = PageTree::new();
        let attributes = attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        tree.add_element(None, tag, attributes);
        tree.node(0).clone()
    }

    fn rule_of(tag: &str, attributes: &[(&str, &str)]) -> Option<RuleId> {
        markup_signal(&element(tag, attributes)).map(|s| s.rule)
    }

    #[test]
    fn vendor_markup_is_recognised() {
        assert_eq!(
            rule_of("div", &[("id", "taboola-below-article-thumbnails")]),
            Some(RuleId::VendorTaboola)
        );
        assert_eq!(
            rule_of("div", &[("class", "trc_related_container x")]),
            Some(RuleId::VendorTaboola)
        );
        assert_eq!(
            rule_of("div", &[("class", "OUTBRAIN")]),
            Some(RuleId::VendorOutbrain)
        );
        assert_eq!(
            rule_of("div", &[("data-ob-template", "x")]),
            Some(RuleId::VendorOutbrain)
        );
        assert_eq!(
            rule_of("a", &[("href", "https://paid.outbrain.com/network/redir")]),
            Some(RuleId::VendorOutbrain)
        );
        assert_eq!(
            rule_of("div", &[("class", "zergentity")]),
            Some(RuleId::VendorZergnet)
        );
        assert_eq!(
            rule_of("div", &[("id", "rcjsload_2ff711")]),
            Some(RuleId::VendorRevcontent)
        );
        assert_eq!(
            rule_of("div", &[("class", "mgbox")]),
            Some(RuleId::VendorMgid)
        );
        assert_eq!(
            rule_of("div", &[("class", "dianomi_context")]),
            Some(RuleId::VendorDianomi)
        );
    }

    #[test]
    fn vendor_look_alikes_are_not_vendors() {
        assert_eq!(rule_of("div", &[("class", "taboo-topics")]), None);
        assert_eq!(rule_of("div", &[("class", "outbrainstorm")]), None);
        assert_eq!(rule_of("div", &[("class", "job-widget")]), None);
        assert_eq!(
            rule_of("a", &[("href", "https://example.com/taboola.com")]),
            None
        );
    }

    #[test]
    fn ad_slots_are_recognised() {
        assert_eq!(
            rule_of("div", &[("id", "div-gpt-ad-1700000000000-0")]),
            Some(RuleId::AdSlotGpt)
        );
        assert_eq!(
            rule_of("ins", &[("class", "adsbygoogle")]),
            Some(RuleId::AdSlotAdsense)
        );
        assert_eq!(
            rule_of("iframe", &[("src", "https://tpc.googlesyndication.com/x")]),
            Some(RuleId::AdFrame)
        );
        assert_eq!(
            rule_of("div", &[("class", "ad-slot")]),
            Some(RuleId::AdClass)
        );
        assert_eq!(
            rule_of("div", &[("class", "sponsored-content")]),
            Some(RuleId::AdClass)
        );
        assert_eq!(
            rule_of("div", &[("aria-label", "Advertisement")]),
            Some(RuleId::LabelAdMarker)
        );
    }

    #[test]
    fn ad_slot_look_alikes_are_not_ads() {
        assert_eq!(rule_of("div", &[("id", "gpt-summary")]), None);
        assert_eq!(rule_of("div", &[("class", "shadow header")]), None);
        assert_eq!(
            rule_of("iframe", &[("src", "https://www.youtube.com/embed/x")]),
            None
        );
        assert_eq!(rule_of("a", &[("rel", "nofollow noopener")]), None);
        assert_eq!(rule_of("script", &[("id", "taboola-loader")]), None);
    }

    #[test]
    fn sponsored_links_need_the_rel_token() {
        assert_eq!(
            rule_of(
                "a",
                &[
                    ("rel", "sponsored nofollow"),
                    ("href", "https://shop.example/")
                ]
            ),
            Some(RuleId::LinkRelSponsored)
        );
        assert_eq!(rule_of("a", &[("rel", "unsponsored")]), None);
    }

    #[test]
    fn optional_section_classes() {
        assert_eq!(
            rule_of("div", &[("class", "app-banner")]),
            Some(RuleId::PromoClass)
        );
        assert_eq!(
            rule_of("div", &[("class", "related-articles")]),
            Some(RuleId::RelatedClass)
        );
        assert_eq!(
            rule_of("section", &[("id", "comments")]),
            Some(RuleId::CommentsClass)
        );
        assert_eq!(
            rule_of("div", &[("class", "share-bar")]),
            Some(RuleId::SocialClass)
        );
        assert_eq!(rule_of("div", &[("class", "related")]), None);
        assert_eq!(rule_of("div", &[("class", "shared-state")]), None);
    }
}
