//! The stylesheet that hides, before the first paint, what is certain from markup alone, on a
//! site the reader cleans automatically (issue 19: auto-clean without a flash).
//!
//! On such a site extension/early-hide.js puts this stylesheet into the page at
//! `document_start`; the full clean at `document_idle` then removes the same blocks with their
//! reasons and undo, and extension/content.js takes the stylesheet away on undo, on "Never touch
//! this site", when auto-clean is switched off, and whenever the clean kept a block the
//! stylesheet hides (a guard won: the reader must see it).
//!
//! What goes in, all of category `ads`:
//! - [`built_in_selectors`]: vendor containers and ad slots, each selector a strict subset of
//!   what `detect::markup_signal` calls the same rule (a prefix of a whole id or class name, a
//!   whole token at the start of one), so the stylesheet never hides what the core would not
//!   remove by markup;
//! - the site's EasyList `##` selectors and the reader's own rules for the site, added by the
//!   content script once the core and the rules are loaded (cached per site for the next page).
//!
//! Blocks the reader keeps (their `#@#` rules, "Keep this") are left out of every selector, with
//! what is inside and around them, as the clean leaves them (`user_rules::apply_to_plan`).

use crate::core::user_rules::{PROCEDURAL_PSEUDO_CLASSES, PROCEDURAL_PSEUDO_CLASS_PREFIX};
use crate::core::vocabulary::{
    ADSENSE_ATTRIBUTES, ADSENSE_CLASS, AMAZON_NAME_PREFIXES, GPT_ATTRIBUTES, GPT_ID_PREFIXES,
    VENDORS,
};

/// What each rule of the stylesheet does to what it matches.
pub const HIDING: &str = "display: none !important;";

/// The vendor containers and ad slots that markup alone makes certain (see the module docs).
pub fn built_in_selectors() -> Vec<String> {
    let mut selectors = Vec::new();
    for vendor in VENDORS {
        for prefix in vendor.name_prefixes {
            selectors.extend(name_prefix(prefix));
        }
        for token in vendor.tokens {
            // The token as a whole name, or as a name's first word (`taboola-below-article`).
            selectors.push(format!("[id=\"{token}\" i]"));
            selectors.push(format!("[class~=\"{token}\" i]"));
            for separator in ["-", "_"] {
                selectors.extend(name_prefix(&format!("{token}{separator}")));
            }
        }
    }
    for prefix in GPT_ID_PREFIXES {
        selectors.push(format!("[id^=\"{prefix}\" i]"));
    }
    for attribute in GPT_ATTRIBUTES {
        selectors.push(format!("[{attribute}]"));
    }
    selectors.push(format!("[class~=\"{ADSENSE_CLASS}\" i]"));
    for attribute in ADSENSE_ATTRIBUTES {
        selectors.push(format!("ins[{attribute}]"));
    }
    for prefix in AMAZON_NAME_PREFIXES {
        selectors.extend(name_prefix(prefix));
    }
    // Only blocks inside the page's body: never the root or the body themselves.
    selectors
        .into_iter()
        .map(|selector| format!("body {selector}"))
        .collect()
}

/// An id, or one of the classes, starting with `prefix` (ASCII case ignored).
fn name_prefix(prefix: &str) -> [String; 3] {
    [
        format!("[id^=\"{prefix}\" i]"),
        format!("[class^=\"{prefix}\" i]"),
        format!("[class*=\" {prefix}\" i]"),
    ]
}

/// Whether a selector can go into a stylesheet as it is: no procedural pseudo-class (those are
/// the core's, not CSS), no character that could end the rule or the style element.
pub fn is_plain_css(selector: &str) -> bool {
    let lower = selector.to_ascii_lowercase();
    let procedural = PROCEDURAL_PSEUDO_CLASSES
        .iter()
        .any(|name| lower.contains(&format!(":{name}(")))
        || lower.contains(&format!(":{PROCEDURAL_PSEUDO_CLASS_PREFIX}"));
    !selector.trim().is_empty()
        && !procedural
        && !selector.contains(['{', '}', '<', ';'])
        && !selector.contains("/*")
}

/// The stylesheet hiding `hide`, one rule per selector (a selector the browser cannot read drops
/// only its own rule), leaving out what `keep` names and everything inside or around it.
/// Selectors that are not plain CSS are left out.
pub fn stylesheet(hide: &[String], keep: &[String]) -> String {
    let keep: Vec<&str> = keep
        .iter()
        .map(String::as_str)
        .filter(|s| is_plain_css(s))
        .collect();
    let spared = if keep.is_empty() {
        String::new()
    } else {
        let kept = keep.join(", ");
        format!(":not(:is({kept}), :is({kept}) *, :has(:is({kept})))")
    };
    let mut css = String::new();
    for selector in hide.iter().filter(|s| is_plain_css(s)) {
        if spared.is_empty() {
            css.push_str(&format!("{selector} {{ {HIDING} }}\n"));
        } else {
            css.push_str(&format!(":is({selector}){spared} {{ {HIDING} }}\n"));
        }
    }
    css
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::detect::markup_signal;
    use crate::core::rules::RuleId;
    use crate::core::tree::{Node, PageTree};

    fn element(tag: &str, attributes: &[(&str, &str)]) -> Node {
        let mut tree = PageTree::new();
        let attributes = attributes
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        tree.add_element(None, tag, attributes);
        tree.node(0).clone()
    }

    #[test]
    fn built_in_selectors_name_vendor_containers_and_ad_slots_inside_the_body() {
        let selectors = built_in_selectors();
        for expected in [
            "body [id^=\"trc_\" i]",
            "body [class*=\" trc_\" i]",
            "body [id^=\"taboola-\" i]",
            "body [class~=\"outbrain\" i]",
            "body [class^=\"ob-widget\" i]",
            "body [id^=\"div-gpt-ad\" i]",
            "body [data-google-query-id]",
            "body [class~=\"adsbygoogle\" i]",
            "body ins[data-ad-client]",
            "body [id^=\"amzn-assoc-ad\" i]",
        ] {
            assert!(
                selectors.iter().any(|s| s == expected),
                "{expected} missing"
            );
        }
        assert!(selectors.iter().all(|s| s.starts_with("body ")));
        assert!(selectors.iter().all(|s| is_plain_css(s)));
    }

    /// Every name the built-in selectors match (by their prefix or token) is one the core itself
    /// removes by markup, with a rule of category `ads`.
    #[test]
    fn what_the_built_in_selectors_match_the_core_removes_by_markup() {
        let mut checked = 0;
        for vendor in VENDORS {
            let mut names: Vec<String> = vendor
                .name_prefixes
                .iter()
                .map(|p| format!("{p}x1"))
                .collect();
            for token in vendor.tokens {
                names.push(token.to_string());
                names.push(format!("{token}-below-article"));
                names.push(format!("{}_feed", token.to_ascii_uppercase()));
            }
            for name in names {
                for attribute in ["id", "class"] {
                    let signal = markup_signal(&element("div", &[(attribute, &name)]))
                        .unwrap_or_else(|| panic!("{attribute}={name} not removed"));
                    assert_eq!(signal.rule, vendor.rule, "{attribute}={name}");
                    checked += 1;
                }
            }
        }
        for id in ["div-gpt-ad-1-0", "google_ads_iframe_/1/x", "gpt-ad-top"] {
            let signal = markup_signal(&element("div", &[("id", id)])).unwrap();
            assert_eq!(signal.rule, RuleId::AdSlotGpt);
        }
        let signal = markup_signal(&element("div", &[("data-google-query-id", "x")])).unwrap();
        assert_eq!(signal.rule, RuleId::AdSlotGpt);
        let signal = markup_signal(&element("div", &[("class", "x AdsByGoogle")])).unwrap();
        assert_eq!(signal.rule, RuleId::AdSlotAdsense);
        let signal = markup_signal(&element("ins", &[("data-ad-slot", "1")])).unwrap();
        assert_eq!(signal.rule, RuleId::AdSlotAdsense);
        for prefix in AMAZON_NAME_PREFIXES {
            let signal = markup_signal(&element("div", &[("class", prefix)])).unwrap();
            assert_eq!(signal.rule, RuleId::AdSlotAmazon);
        }
        assert!(checked > 40);
    }

    #[test]
    fn procedural_and_unsafe_selectors_stay_out() {
        assert!(is_plain_css(".ad > div:has(.label)"));
        assert!(!is_plain_css("div:-abp-has(.x)"));
        assert!(!is_plain_css("div:has-text(Sponsored)"));
        assert!(!is_plain_css(".a { color: red }"));
        assert!(!is_plain_css(".a</style><script>"));
        assert!(!is_plain_css("  "));
    }

    #[test]
    fn one_rule_per_selector_and_kept_blocks_spared() {
        let hide = vec![
            ".ad".to_string(),
            "div:has-text(x)".to_string(),
            "#top".to_string(),
        ];
        let css = stylesheet(&hide, &[]);
        assert_eq!(
            css,
            ".ad { display: none !important; }\n#top { display: none !important; }\n"
        );
        let css = stylesheet(&hide[..1], &[".keep-me".to_string()]);
        assert_eq!(
            css,
            ":is(.ad):not(:is(.keep-me), :is(.keep-me) *, :has(:is(.keep-me))) { display: none !important; }\n"
        );
        assert_eq!(stylesheet(&[], &[".keep-me".to_string()]), "");
    }
}
