//! Word lists, signatures and thresholds: the one place where the cleaner's knowledge of ad
//! markup lives. Text labels ("Sponsored Links", "STORY CONTINUES BELOW THIS AD") are in
//! `labels`; everything matched on ids, classes, attributes and hosts is here.
//!
//! House rule: whole tokens, never substrings. `ad` matches `ad-slot` and `top_ad` but not
//! `shadow`, `header` or `download`.

use crate::core::rules::RuleId;
use std::borrow::Cow;

/// Texts longer than this (non-whitespace characters) are never labels.
pub const LABEL_MAX_CHARS: usize = 80;
/// A text node with at least this many non-whitespace characters outside links is prose.
pub const PROSE_MIN_CHARS: usize = 80;
/// A widget found from its label may grow while its container holds at most this much text.
pub const WIDGET_MAX_CHARS: usize = 4000;
/// ... and while its container holds at most this much prose that is not the widget's own.
pub const WIDGET_MAX_FOREIGN_PROSE_CHARS: usize = 150;
/// A single ad item (a card, a labelled slot) holds at most this much text ...
pub const ITEM_MAX_CHARS: usize = 400;
/// ... and at most this many links.
pub const ITEM_MAX_LINKS: usize = 4;
/// A block holding more than this share of the article's prose is never removed.
pub const MAX_ARTICLE_PROSE_SHARE: f64 = 0.3;
/// The article's paragraphs hold at least this much text (score); below it a page has no article
/// to guard beyond its headline and prose.
pub const ARTICLE_MIN_CHARS: usize = 250;
/// A paragraph needs this much text to count towards finding the article.
pub const ARTICLE_PARAGRAPH_MIN_CHARS: usize = 25;

/// A paid-content vendor and the marks its markup carries.
pub struct VendorSignature {
    pub rule: RuleId,
    /// Whole tokens of an id or class name (`taboola` in `taboola-below-article`).
    pub tokens: &'static [&'static str],
    /// Prefixes of a whole id or class name (`trc_` in `trc_related_container`).
    pub name_prefixes: &'static [&'static str],
    /// Prefixes of attribute names (`data-taboola` in `data-taboola-options`).
    pub attribute_prefixes: &'static [&'static str],
    /// Hosts (and their subdomains) of the vendor's links and frames.
    pub hosts: &'static [&'static str],
}

pub const VENDORS: &[VendorSignature] = &[
    VendorSignature {
        rule: RuleId::VendorTaboola,
        tokens: &["taboola"],
        name_prefixes: &["trc_", "trc-", "tbl-feed"],
        attribute_prefixes: &["data-taboola"],
        hosts: &["taboola.com", "taboolasyndication.com"],
    },
    VendorSignature {
        rule: RuleId::VendorOutbrain,
        tokens: &["outbrain"],
        name_prefixes: &[
            "ob-widget",
            "ob-smartfeed",
            "ob-dynamic-rec",
            "ob-rec-",
            "ob_what",
        ],
        attribute_prefixes: &["data-ob-", "data-outbrain"],
        hosts: &["outbrain.com", "outbrainimg.com"],
    },
    VendorSignature {
        rule: RuleId::VendorRevcontent,
        tokens: &["revcontent"],
        name_prefixes: &["rc-widget", "rc-item", "rcjsload"],
        attribute_prefixes: &["data-rc-widget"],
        hosts: &["revcontent.com"],
    },
    VendorSignature {
        rule: RuleId::VendorMgid,
        tokens: &["mgid"],
        name_prefixes: &["mgbox", "mgline", "mghead", "mgarticle"],
        attribute_prefixes: &["data-mgid"],
        hosts: &["mgid.com"],
    },
    VendorSignature {
        rule: RuleId::VendorZergnet,
        tokens: &["zergnet"],
        name_prefixes: &["zergentity", "zergrow", "zergheader", "zerglayout"],
        attribute_prefixes: &["data-zergnet"],
        hosts: &["zergnet.com"],
    },
    VendorSignature {
        rule: RuleId::VendorDianomi,
        tokens: &["dianomi"],
        name_prefixes: &["dianomi"],
        attribute_prefixes: &["data-dianomi"],
        hosts: &["dianomi.com"],
    },
    VendorSignature {
        rule: RuleId::VendorNativo,
        tokens: &["nativo"],
        name_prefixes: &["ntv-", "ntv_"],
        attribute_prefixes: &["data-ntv"],
        hosts: &["nativo.com", "ntv.io", "postrelease.com"],
    },
    VendorSignature {
        rule: RuleId::VendorYahooGemini,
        tokens: &[],
        name_prefixes: &["gemini-ad", "yahoo-native-ad"],
        attribute_prefixes: &["data-gemini"],
        hosts: &["gemini.yahoo.com", "beap.gemini.yahoo.com"],
    },
    VendorSignature {
        rule: RuleId::VendorTeads,
        tokens: &["teads"],
        name_prefixes: &["teads"],
        attribute_prefixes: &["data-teads"],
        hosts: &["teads.tv", "teads.com"],
    },
    VendorSignature {
        rule: RuleId::VendorConnatix,
        tokens: &["connatix"],
        name_prefixes: &["cnx-main", "cnx-player", "cnx-ui"],
        attribute_prefixes: &["data-connatix"],
        hosts: &["connatix.com"],
    },
];

/// Ad servers whose frames and click-tracking links are ads whatever the page calls them.
pub const AD_HOSTS: &[&str] = &[
    "doubleclick.net",
    "googlesyndication.com",
    "googleadservices.com",
    "adservice.google.com",
    "amazon-adsystem.com",
    "adnxs.com",
    "criteo.com",
    "criteo.net",
    "pubmatic.com",
    "rubiconproject.com",
    "openx.net",
    "adsrvr.org",
    "smartadserver.com",
    "yieldmo.com",
    "sharethrough.com",
    "triplelift.com",
    "3lift.com",
];

/// Id prefixes of Google Publisher Tag slots.
pub const GPT_ID_PREFIXES: &[&str] = &["div-gpt-ad", "google_ads_iframe", "gpt-ad-"];
/// Attributes that Google's ad tags put on their slots.
pub const GPT_ATTRIBUTES: &[&str] = &["data-google-query-id"];
/// AdSense marks its slots with this class and these attributes.
pub const ADSENSE_CLASS: &str = "adsbygoogle";
pub const ADSENSE_ATTRIBUTES: &[&str] = &["data-ad-client", "data-ad-slot"];
/// Amazon's ad slots.
pub const AMAZON_NAME_PREFIXES: &[&str] = &["amzn-assoc-ad", "amzn_assoc_ad", "amzn-native"];

/// Tokens that make an id or class name an ad container on their own.
pub const AD_TOKENS_ALONE: &[&str] = &[
    "advert",
    "adverts",
    "advertisement",
    "advertisements",
    "adslot",
    "adunit",
    "adsense",
    "adcontainer",
    "adwrapper",
    "adbox",
    "dfp",
];
/// Tokens that make a name an ad container when every other token of it is an
/// `AD_CONTEXT_TOKENS` word (`ad-slot`, `top_ad`, `ads-wrapper-2`).
pub const AD_SHORT_TOKENS: &[&str] = &["ad", "ads", "adv"];
pub const AD_CONTEXT_TOKENS: &[&str] = &[
    "slot",
    "slots",
    "unit",
    "units",
    "container",
    "wrapper",
    "wrap",
    "banner",
    "box",
    "block",
    "placeholder",
    "space",
    "zone",
    "holder",
    "label",
    "leaderboard",
    "rail",
    "top",
    "bottom",
    "mid",
    "middle",
    "inline",
    "sidebar",
    "side",
    "right",
    "left",
    "inarticle",
    "in",
    "article",
    "content",
    "area",
    "spot",
    "frame",
    "mpu",
    "billboard",
    "skyscraper",
    "sticky",
    "native",
    "display",
    "desktop",
    "mobile",
    "sponsored",
    "google",
    "gpt",
    "break",
    "wide",
    "small",
    "large",
    "medium",
];
/// Tokens that name sponsored content.
pub const SPONSORED_TOKENS: &[&str] = &["sponsored", "nativead", "paidpost", "advertorial"];
/// Token sequences (contiguous, within one id or class name) naming a box of text-link ads, the
/// ad format sold as "text links" (`textlinks`, `text-links`, `wp_textlinks`, `textLinksRegion`).
/// The name alone is not enough (a site may call any list of words "text links"): the box must
/// also hold nothing but short links to other sites (`plan::Planner::text_link_ads`).
pub const TEXT_LINK_AD_SEQUENCES: &[&[&str]] = &[&["textlinks"], &["text", "links"]];

/// Words that name one of the site's own sections; a name holding one of them is that section
/// even when it also says "sponsored" (`share-sponsored-container`).
pub const SECTION_WORDS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "comments",
    "comment",
    "related",
    "newsletter",
    "follow",
];
/// Token sequences (contiguous, within one id or class name) for the site's own sections.
pub const PROMO_CLASS_SEQUENCES: &[&[&str]] = &[
    &["app", "banner"],
    &["smart", "banner"],
    &["smartbanner"],
    &["app", "promo"],
    &["download", "app"],
    &["newsletter", "signup"],
    &["newsletter", "promo"],
    &["newsletter", "cta"],
    &["subscribe", "promo"],
    &["subscription", "promo"],
    &["subscribe", "banner"],
    &["paywall", "promo"],
    &["upsell"],
];
pub const RELATED_CLASS_SEQUENCES: &[&[&str]] = &[
    &["related", "articles"],
    &["related", "posts"],
    &["related", "stories"],
    &["related", "content"],
    &["related", "links"],
    &["most", "read"],
    &["most", "popular"],
    &["more", "stories"],
    &["read", "next"],
];
pub const COMMENTS_CLASS_SEQUENCES: &[&[&str]] = &[
    &["comments"],
    &["comment", "section"],
    &["comment", "list"],
    &["disqus", "thread"],
];
pub const SOCIAL_CLASS_SEQUENCES: &[&[&str]] = &[
    &["share", "bar"],
    &["share", "buttons"],
    &["share", "tools"],
    &["social", "share"],
    &["social", "links"],
    &["sharing"],
    &["follow", "us"],
];

/// Elements whose content the cleaner never reads as text (and never descends into).
pub const OPAQUE_TAGS: &[&str] = &[
    "head", "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "video", "audio", "select", "textarea",
];
/// Elements that show something even without text.
pub const MEDIA_TAGS: &[&str] = &[
    "img", "picture", "video", "audio", "iframe", "svg", "canvas", "object", "embed", "input",
    "button", "select", "textarea", "math", "hr",
];
/// Elements that never hold an ad as a whole: the document, its main landmark.
pub const STRUCTURAL_TAGS: &[&str] = &["html", "head", "body", "main"];
/// Attribute marking the extension's or demo's own interface: never touched.
pub const OWN_UI_ATTRIBUTE: &str = "data-unsponsor-ui";

/// Whether the DOM adapter should copy this attribute into the snapshot.
/// The attribute names `is_relevant_attribute` accepts, as exact names and name prefixes (for
/// the DOM reader, which checks them in JavaScript).
pub fn relevant_attribute_lists() -> (Vec<&'static str>, Vec<&'static str>) {
    let mut exact = vec![
        "href",
        "src",
        "rel",
        "role",
        "aria-label",
        "itemprop",
        "hidden",
        OWN_UI_ATTRIBUTE,
    ];
    exact.extend(GPT_ATTRIBUTES);
    exact.extend(ADSENSE_ATTRIBUTES);
    let prefixes = VENDORS
        .iter()
        .flat_map(|vendor| vendor.attribute_prefixes.iter().copied())
        .collect();
    (exact, prefixes)
}

pub fn is_relevant_attribute(name: &str) -> bool {
    matches!(
        name,
        "href" | "src" | "rel" | "role" | "aria-label" | "itemprop" | "hidden"
    ) || name == OWN_UI_ATTRIBUTE
        || GPT_ATTRIBUTES.contains(&name)
        || ADSENSE_ATTRIBUTES.contains(&name)
        || VENDORS.iter().any(|vendor| {
            vendor
                .attribute_prefixes
                .iter()
                .any(|p| name.starts_with(p))
        })
}

#[cfg(test)]
mod relevant_tests {
    use super::*;

    #[test]
    fn the_lists_agree_with_the_predicate() {
        let (exact, prefixes) = relevant_attribute_lists();
        for name in &exact {
            assert!(is_relevant_attribute(name), "{name}");
        }
        for prefix in &prefixes {
            assert!(is_relevant_attribute(&format!("{prefix}x")), "{prefix}");
        }
        for name in ["data-x", "style", "onclick", "title", "alt", "width"] {
            let listed = exact.contains(&name) || prefixes.iter().any(|p| name.starts_with(p));
            assert_eq!(listed, is_relevant_attribute(name), "{name}");
        }
    }
}

/// Splits an id or one class name into lower-case word tokens: on every non-alphanumeric
/// character and at lower-to-upper case changes (`videoCube` → `video`, `cube`). A token already
/// in lower case is borrowed from `name` (most are: this runs for every name on the page).
pub fn name_tokens(name: &str) -> Vec<Cow<'_, str>> {
    fn finish<'a>(tokens: &mut Vec<Cow<'a, str>>, token: &'a str, unchanged: bool) {
        tokens.push(if unchanged {
            Cow::Borrowed(token)
        } else {
            Cow::Owned(token.chars().flat_map(char::to_lowercase).collect())
        });
    }
    let mut tokens = Vec::new();
    // The current token: where it starts, and whether lower-casing leaves it as it is.
    let mut start: Option<usize> = None;
    let mut unchanged = true;
    let mut previous_lower = false;
    for (index, c) in name.char_indices() {
        if !c.is_alphanumeric() {
            if let Some(from) = start.take() {
                finish(&mut tokens, &name[from..index], unchanged);
            }
            previous_lower = false;
            continue;
        }
        if c.is_uppercase() && previous_lower {
            if let Some(from) = start.take() {
                finish(&mut tokens, &name[from..index], unchanged);
            }
        }
        if start.is_none() {
            start = Some(index);
            unchanged = true;
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        unchanged &= if c.is_ascii() {
            !c.is_ascii_uppercase()
        } else {
            let mut lower = c.to_lowercase();
            lower.next() == Some(c) && lower.next().is_none()
        };
    }
    if let Some(from) = start {
        finish(&mut tokens, &name[from..], unchanged);
    }
    tokens
}

/// Whether `name` starts with `prefix` (lower-case ASCII) in any ASCII case: the names' prefix
/// tests without a lower-cased copy of every name.
pub fn starts_with_ignore_case(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// The id and each class name of an element, the units that token rules look at.
pub fn element_names<'a>(id: &'a str, class: &'a str) -> impl Iterator<Item = &'a str> {
    std::iter::once(id)
        .chain(class.split_ascii_whitespace())
        .filter(|name| !name.is_empty())
}

/// Host of an absolute or protocol-relative URL, lower case, without port.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.trim();
    let after_scheme = if let Some(index) = rest.find("://") {
        let scheme = &rest[..index];
        if !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        {
            return None;
        }
        &rest[index + 3..]
    } else {
        rest.strip_prefix("//")?
    };
    let end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    let authority = &after_scheme[..end];
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = host_port.split(':').next().unwrap_or(host_port);
    if host.is_empty() {
        None
    } else {
        Some(host.to_ascii_lowercase())
    }
}

/// Whether `host` is `domain` or one of its subdomains.
pub fn host_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.len() > domain.len()
            && host.ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// Whether a class or id name's tokens contain `sequence` contiguously.
pub fn tokens_contain_sequence<T: AsRef<str>>(tokens: &[T], sequence: &[&str]) -> bool {
    if sequence.is_empty() || tokens.len() < sequence.len() {
        return false;
    }
    tokens
        .windows(sequence.len())
        .any(|window| window.iter().zip(sequence).all(|(a, b)| a.as_ref() == *b))
}

/// Whether a single id or class name says "ad container".
pub fn is_ad_name<T: AsRef<str>>(tokens: &[T]) -> bool {
    if tokens.iter().any(|t| AD_TOKENS_ALONE.contains(&t.as_ref())) {
        return true;
    }
    let has_short = tokens.iter().any(|t| AD_SHORT_TOKENS.contains(&t.as_ref()));
    has_short
        && tokens.iter().all(|t| {
            let t = t.as_ref();
            AD_SHORT_TOKENS.contains(&t)
                || AD_CONTEXT_TOKENS.contains(&t)
                || t.chars().all(|c| c.is_ascii_digit())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(name: &str) -> Vec<String> {
        name_tokens(name).into_iter().map(Cow::into_owned).collect()
    }

    /// The token splitter as it was written first (a `String` per token), kept as the reference
    /// the borrowing one must agree with.
    fn reference_tokens(name: &str) -> Vec<String> {
        let mut tokens = Vec::new();
        let mut current = String::new();
        let mut previous_lower = false;
        for c in name.chars() {
            if !c.is_alphanumeric() {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
                previous_lower = false;
                continue;
            }
            if c.is_uppercase() && previous_lower && !current.is_empty() {
                tokens.push(std::mem::take(&mut current));
            }
            previous_lower = c.is_lowercase() || c.is_ascii_digit();
            current.extend(c.to_lowercase());
        }
        if !current.is_empty() {
            tokens.push(current);
        }
        tokens
    }

    #[test]
    fn borrowed_tokens_agree_with_the_reference_splitter() {
        for name in [
            "",
            "-",
            "trc_related_container",
            "videoCube",
            "OUTBRAIN",
            "div-gpt-ad-123",
            "AdUnit",
            "aBC",
            "ABc",
            "a1B",
            "x--y__Z",
            "İstanbulNews",
            "ǅemal",
            "ÉtéSponsorisé",
            "Straße",
            "ΣΟΦΙΑ",
            "日本語広告",
            "ad\u{301}x",
            "MixedUP-case9Z",
        ] {
            assert_eq!(tokens(name), reference_tokens(name), "{name:?}");
        }
    }

    #[test]
    fn prefixes_are_lower_case_ascii() {
        // `starts_with_ignore_case` relies on it.
        let all = VENDORS
            .iter()
            .flat_map(|v| v.name_prefixes.iter())
            .chain(AMAZON_NAME_PREFIXES)
            .chain(GPT_ID_PREFIXES);
        for prefix in all {
            assert!(
                prefix
                    .bytes()
                    .all(|b| b.is_ascii() && !b.is_ascii_uppercase()),
                "{prefix}"
            );
        }
        assert!(starts_with_ignore_case("TRC_x", "trc_"));
        assert!(!starts_with_ignore_case("tr", "trc_"));
        assert!(!starts_with_ignore_case("étc", "etc"));
    }

    #[test]
    fn tokens_split_on_punctuation_and_case() {
        assert_eq!(
            tokens("trc_related_container"),
            ["trc", "related", "container"]
        );
        assert_eq!(tokens("videoCube"), ["video", "cube"]);
        assert_eq!(tokens("OUTBRAIN"), ["outbrain"]);
        assert_eq!(tokens("div-gpt-ad-123"), ["div", "gpt", "ad", "123"]);
    }

    #[test]
    fn ad_names_match_whole_tokens_only() {
        for name in [
            "ad",
            "ad-slot",
            "top_ad",
            "ads-wrapper-2",
            "advertisement",
            "AdUnit",
        ] {
            assert!(is_ad_name(&tokens(name)), "{name} should be an ad name");
        }
        for name in [
            "shadow",
            "header",
            "download",
            "ad-author",
            "add",
            "read-more",
            "badge",
        ] {
            assert!(
                !is_ad_name(&tokens(name)),
                "{name} should not be an ad name"
            );
        }
    }

    #[test]
    fn hosts_parse_and_match_subdomains() {
        assert_eq!(
            url_host("https://paid.outbrain.com/network/redir?x=1").as_deref(),
            Some("paid.outbrain.com")
        );
        assert_eq!(
            url_host("//cdn.taboola.com/x").as_deref(),
            Some("cdn.taboola.com")
        );
        assert_eq!(
            url_host("http://user@Example.COM:8080/").as_deref(),
            Some("example.com")
        );
        assert_eq!(url_host("/relative/path"), None);
        assert_eq!(url_host("javascript:void(0)"), None);
        assert!(host_matches("paid.outbrain.com", "outbrain.com"));
        assert!(host_matches("outbrain.com", "outbrain.com"));
        assert!(!host_matches("notoutbrain.com", "outbrain.com"));
    }

    #[test]
    fn relevant_attributes_include_vendor_data() {
        assert!(is_relevant_attribute("data-taboola-options"));
        assert!(is_relevant_attribute("href"));
        assert!(is_relevant_attribute("data-unsponsor-ui"));
        assert!(!is_relevant_attribute("data-testid"));
        assert!(!is_relevant_attribute("style"));
    }
}
