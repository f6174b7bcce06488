//! The reader's own rules, written in the common cosmetic-filter syntax.
//!
//! Supported (one rule per line):
//! - `##selector`: remove matching elements on every site;
//! - `example.com##selector`, `a.com,b.org##selector`: only on those hosts and their
//!   subdomains; `~shop.a.com` in the list excludes a host;
//! - `#@#selector`, `example.com#@#selector`: exceptions, never remove matching elements (or
//!   anything inside them, or anything holding them);
//! - `! comment` and blank lines.
//!
//! Everything else is rejected with its line number and the reason, and the other lines still
//! count: procedural and extended rules (`#?#`, `#$#`, `#%#`, `##+js(...)`, `:has-text()` and
//! friends), network rules, braces (a selector is never turned into CSS text, but a rule that
//! looks like CSS injection is refused anyway), pseudo-elements, overlong lines. Selectors are
//! checked once more by the browser's selector engine where one is at hand (see `wasm::rules`).

use crate::core::plan::{PlannedRemoval, PREVIEW_MAX_CHARS};
use crate::core::rules::RuleId;
use crate::core::tree::{NodeId, PageTree};
use crate::core::vocabulary::host_matches;

/// Longest accepted line, in characters.
pub const MAX_LINE_CHARS: usize = 1_000;
/// Most rules kept from one list.
pub const MAX_RULES: usize = 5_000;

/// Pseudo-classes of ad blockers' extended syntax (AdBlock Plus, uBlock Origin, AdGuard) that
/// no browser understands, by name: a selector using one is refused here, and an EasyList rule
/// using one is left out of the build (`scripts/compile-rules.mjs` keeps a copy for the build;
/// tests/node/one-source.test.mjs fails when it differs from this one).
pub const PROCEDURAL_PSEUDO_CLASSES: &[&str] = &[
    "has-text",
    "contains",
    "xpath",
    "upward",
    "remove",
    "style",
    "matches-css",
    "matches-css-before",
    "matches-css-after",
    "min-text-length",
    "watch-attr",
    "watch-attrs",
    "matches-path",
    "matches-attr",
    "matches-prop",
    "matches-property",
    "matches-media",
    "others",
    "if",
    "if-not",
    "nth-ancestor",
    "remove-attr",
    "remove-class",
    "properties",
    "spath",
];
/// ... and every pseudo-class whose name starts with this (`:-abp-has(`, `:-abp-contains(`).
pub const PROCEDURAL_PSEUDO_CLASS_PREFIX: &str = "-abp-";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserRule {
    /// Hosts the rule is for (empty: every site); `~host` entries exclude.
    pub domains: Vec<String>,
    pub selector: String,
    /// `#@#`: an exception.
    pub exception: bool,
    /// 1-based line number in the list.
    pub line: usize,
}

impl UserRule {
    /// Whether the rule applies on `host`.
    pub fn applies_to(&self, host: &str) -> bool {
        let mut any_positive = false;
        let mut included = false;
        for domain in &self.domains {
            if let Some(excluded) = domain.strip_prefix('~') {
                if host_matches(host, excluded) {
                    return false;
                }
            } else {
                any_positive = true;
                included |= host_matches(host, domain);
            }
        }
        !any_positive || included
    }
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct RuleError {
    /// 1-based line number.
    pub line: usize,
    /// The line as written (shortened when long).
    pub text: String,
    pub reason: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserRules {
    pub rules: Vec<UserRule>,
    pub errors: Vec<RuleError>,
}

impl UserRules {
    /// Parses a whole list. Never fails: bad lines become errors, good lines rules.
    pub fn parse(text: &str) -> UserRules {
        let mut parsed = UserRules::default();
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            match parse_line(raw) {
                Ok(None) => {}
                Ok(Some((domains, selector, exception))) => {
                    if parsed.rules.len() >= MAX_RULES {
                        parsed.errors.push(error(
                            line,
                            raw,
                            format!("too many rules (at most {MAX_RULES})"),
                        ));
                        continue;
                    }
                    parsed.rules.push(UserRule {
                        domains,
                        selector,
                        exception,
                        line,
                    });
                }
                Err(reason) => parsed.errors.push(error(line, raw, reason)),
            }
        }
        parsed
    }

    /// Removal selectors and exception selectors that apply on `host`.
    pub fn for_host(&self, host: &str) -> (Vec<&UserRule>, Vec<&UserRule>) {
        self.rules
            .iter()
            .filter(|rule| rule.applies_to(host))
            .partition(|rule| !rule.exception)
    }
}

fn error(line: usize, raw: &str, reason: String) -> RuleError {
    let text: String = raw.trim().chars().take(120).collect();
    RuleError { line, text, reason }
}

type Parsed = Option<(Vec<String>, String, bool)>;

fn parse_line(raw: &str) -> Result<Parsed, String> {
    let line = raw.trim();
    if line.is_empty() || line.starts_with('!') {
        return Ok(None);
    }
    let chars = line.chars().count();
    if chars > MAX_LINE_CHARS {
        return Err(format!(
            "the line is too long ({chars} characters; at most {MAX_LINE_CHARS})"
        ));
    }
    for (marker, what) in [
        ("#?#", "procedural rules (#?#)"),
        ("#@?#", "procedural exceptions (#@?#)"),
        ("#$#", "style-injection rules (#$#)"),
        ("#@$#", "style-injection exceptions (#@$#)"),
        ("#%#", "script rules (#%#)"),
        ("#@%#", "script exceptions (#@%#)"),
    ] {
        if line.contains(marker) {
            return Err(format!(
                "{what} are not supported: only ## and #@# rules are"
            ));
        }
    }
    let (domains, selector, exception) = if let Some((domains, selector)) = line.split_once("#@#") {
        (domains, selector, true)
    } else if let Some((domains, selector)) = line.split_once("##") {
        (domains, selector, false)
    } else if line.starts_with("||") || line.starts_with("@@") || line.contains('^') {
        return Err("network rules are not supported: Unsponsor only removes page elements".into());
    } else {
        return Err(
            "not a rule: expected ##selector, domain##selector or domain#@#selector".into(),
        );
    };
    let selector = selector.trim();
    if selector.starts_with("+js(") || selector.starts_with("^") {
        return Err("scriptlet and HTML-filtering rules are not supported".into());
    }
    let domains = parse_domains(domains)?;
    check_selector(selector)?;
    Ok(Some((domains, selector.to_string(), exception)))
}

fn parse_domains(list: &str) -> Result<Vec<String>, String> {
    let list = list.trim();
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let mut domains = Vec::new();
    for entry in list.split(',') {
        let entry = entry.trim().to_ascii_lowercase();
        let name = entry.strip_prefix('~').unwrap_or(&entry);
        let valid = !name.is_empty()
            && name.len() <= 253
            && !name.starts_with('.')
            && !name.ends_with('.')
            && !name.contains("..")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
        if !valid {
            return Err(format!("not a valid site name: \"{entry}\""));
        }
        domains.push(entry);
    }
    Ok(domains)
}

/// The first ad-blocker pseudo-class `selector` uses (its name, as written after the colon).
fn procedural_pseudo_class(selector: &str) -> Option<&str> {
    let lower = selector.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    lower.match_indices(':').find_map(|(at, _)| {
        let name_start = at + 1;
        let name_end = lower[name_start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .map_or(lower.len(), |end| name_start + end);
        if bytes.get(name_end) != Some(&b'(') {
            return None;
        }
        let name = &lower[name_start..name_end];
        let is_procedural = PROCEDURAL_PSEUDO_CLASSES.contains(&name)
            || (name.starts_with(PROCEDURAL_PSEUDO_CLASS_PREFIX)
                && name.len() > PROCEDURAL_PSEUDO_CLASS_PREFIX.len());
        is_procedural.then(|| &selector[name_start..name_end])
    })
}

/// Structural checks; the browser's selector engine has the last word (`wasm::rules`).
pub fn check_selector(selector: &str) -> Result<(), String> {
    if selector.is_empty() {
        return Err("no selector after ## or #@#".into());
    }
    if selector.contains('{') || selector.contains('}') {
        return Err("braces are not allowed in a selector".into());
    }
    if selector.contains("::") {
        return Err("pseudo-elements (::before, ...) cannot be removed".into());
    }
    if let Some(found) = procedural_pseudo_class(selector) {
        return Err(format!(
            ":{found} is an ad-blocker extension no browser understands"
        ));
    }
    let mut quote: Option<char> = None;
    let mut brackets = 0i32;
    let mut parens = 0i32;
    let mut escaped = false;
    for c in selector.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => escaped = true,
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[') => brackets += 1,
            (None, ']') => brackets -= 1,
            (None, '(') => parens += 1,
            (None, ')') => parens -= 1,
            (None, '<') => return Err("\"<\" cannot appear in a selector".into()),
            _ => {}
        }
        if brackets < 0 || parens < 0 {
            return Err("unbalanced brackets or parentheses".into());
        }
    }
    if quote.is_some() {
        return Err("a quoted value is not closed".into());
    }
    if brackets != 0 || parens != 0 {
        return Err("unbalanced brackets or parentheses".into());
    }
    Ok(())
}

/// Applies the reader's rules to a plan's removals (outermost blocks, in document order):
/// `keep` are elements the reader's exceptions (or "Keep this") protect, `hide` the elements
/// their rules name, with the rule's selector. A kept element is never removed, nor anything
/// inside or around it; a hidden one is removed unless it is the snapshot's root or only partly
/// in it.
pub fn apply_to_plan(
    tree: &PageTree,
    removals: &mut Vec<PlannedRemoval>,
    hide: &[(NodeId, String)],
    keep: &[NodeId],
) {
    let touches_kept = |node: NodeId| {
        keep.iter().any(|&kept| {
            tree.is_ancestor_or_self(node, kept) || tree.is_ancestor_or_self(kept, node)
        })
    };
    removals.retain(|removal| !touches_kept(removal.node));
    for (node, selector) in hide {
        let node = *node;
        let item = tree.node(node);
        if item.parent.is_none() || tree.is_partial(node) || touches_kept(node) {
            continue;
        }
        if removals
            .iter()
            .any(|removal| tree.is_ancestor_or_self(removal.node, node))
        {
            continue;
        }
        removals.retain(|removal| !tree.is_ancestor_or_self(node, removal.node));
        removals.push(PlannedRemoval {
            node,
            rule: RuleId::UserRule,
            evidence: format!("your rule {selector}"),
            preview: tree.text_of(node, PREVIEW_MAX_CHARS),
        });
    }
    crate::core::order::sort_by_key_stable(removals, |removal| removal.node);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_supported_forms() {
        let list = "! my rules\n\n##.promo-box\nexample.com##div[data-ad]\na.com, b.org ##.x > .y\nexample.com#@#.keep-me\n#@#.newsletter\n~shop.example.com,example.com##.ad\n";
        let parsed = UserRules::parse(list);
        assert!(parsed.errors.is_empty(), "{:?}", parsed.errors);
        let lines: Vec<_> = parsed.rules.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7, 8]);
        assert_eq!(parsed.rules[2].domains, vec!["a.com", "b.org"]);
        assert!(parsed.rules[3].exception && parsed.rules[4].exception);
        let (hide, keep) = parsed.for_host("news.example.com");
        let selectors: Vec<_> = hide.iter().map(|r| r.selector.as_str()).collect();
        assert_eq!(selectors, vec![".promo-box", "div[data-ad]", ".ad"]);
        assert_eq!(keep.len(), 2);
        let (hide, _) = parsed.for_host("shop.example.com");
        assert!(!hide.iter().any(|r| r.selector == ".ad"));
        let (hide, keep) = parsed.for_host("other.net");
        assert_eq!(hide.len(), 1);
        assert_eq!(keep.len(), 1);
    }

    #[test]
    fn rejects_every_unsupported_form_with_its_line_and_keeps_the_rest() {
        let long = format!("##.{}", "a".repeat(MAX_LINE_CHARS));
        let cases: Vec<(&str, &str)> = vec![
            ("example.com#?#.ad:has-text(Sponsored)", "procedural rules"),
            ("example.com#@?#.ad", "procedural exceptions"),
            (
                "example.com#$#.ad { display: none }",
                "style-injection rules",
            ),
            ("example.com#@$#.ad", "style-injection exceptions"),
            ("example.com#%#window.x=1", "script rules"),
            ("example.com#@%#x", "script exceptions"),
            ("example.com##+js(abort-on-property-read, x)", "scriptlet"),
            ("example.com##^script:has-text(ad)", "HTML-filtering"),
            ("||ads.example.com^", "network rules"),
            ("@@||example.com^$document", "network rules"),
            ("just some text", "not a rule"),
            ("example.com##", "no selector"),
            ("##.ad { color: red }", "braces"),
            ("##.ad}body{display:none", "braces"),
            ("##.ad::before", "pseudo-elements"),
            ("##.ad:has-text(Sponsored)", ":has-text"),
            ("##div:-abp-contains(Ad)", ":-abp-contains"),
            ("##div:xpath(//div)", ":xpath"),
            ("##div:upward(2)", ":upward"),
            ("##div:if(.ad)", ":if"),
            ("##div:MATCHES-MEDIA(print)", ":MATCHES-MEDIA"),
            ("##div[data-x=\"open", "not closed"),
            ("##div[data-x", "unbalanced"),
            ("##div)", "unbalanced"),
            ("##<script>", "\"<\""),
            ("exa mple.com##.ad", "not a valid site name"),
            (".example.com##.ad", "not a valid site name"),
            ("a.com,,b.com##.ad", "not a valid site name"),
            (&long, "too long"),
        ];
        // Standard pseudo-classes that share a start with the extended ones stay accepted.
        for good in [
            "##.ad:has(.x)",
            "##.ad:not(.x)",
            "##div:is(.a, .b)",
            "##li:nth-child(2)",
        ] {
            assert!(
                UserRules::parse(good).errors.is_empty(),
                "{good} was refused"
            );
        }
        let mut list = String::from("##.good-one\n");
        for (line, _) in &cases {
            list.push_str(line);
            list.push('\n');
        }
        list.push_str("##.good-two\n");
        let parsed = UserRules::parse(&list);
        assert_eq!(parsed.rules.len(), 2, "the good lines survive");
        assert_eq!(parsed.rules[1].line, cases.len() + 2);
        assert_eq!(parsed.errors.len(), cases.len());
        for (index, ((_, expected), error)) in cases.iter().zip(&parsed.errors).enumerate() {
            assert_eq!(error.line, index + 2);
            assert!(
                error.reason.contains(expected),
                "line {}: {:?} should mention {expected}",
                error.line,
                error.reason
            );
        }
    }

    #[test]
    fn rules_and_exceptions_change_a_plan() {
        let mut tree = PageTree::new();
        let body = tree.add_element(None, "body", vec![]);
        let ad = tree.add_element(Some(body), "div", vec![]);
        tree.add_text(ad, "Sponsored offer");
        let promo = tree.add_element(Some(body), "div", vec![]);
        let inner = tree.add_element(Some(promo), "span", vec![]);
        tree.add_text(inner, "Our newsletter");
        let planned = |node| PlannedRemoval {
            node,
            rule: RuleId::AdClass,
            evidence: String::new(),
            preview: String::new(),
        };
        // An exception inside a planned block keeps the whole block.
        let mut removals = vec![planned(ad), planned(promo)];
        apply_to_plan(&tree, &mut removals, &[], &[inner]);
        assert_eq!(removals, vec![planned(ad)]);
        // A rule naming a block that holds a planned removal replaces it; the root never goes.
        let mut removals = vec![planned(inner)];
        apply_to_plan(
            &tree,
            &mut removals,
            &[(promo, ".promo".into()), (body, "body".into())],
            &[],
        );
        assert_eq!(removals.len(), 1);
        assert_eq!(removals[0].node, promo);
        assert_eq!(removals[0].rule, RuleId::UserRule);
        assert_eq!(removals[0].preview, "Our newsletter");
        // A rule inside a planned removal adds nothing.
        let mut removals = vec![planned(promo)];
        apply_to_plan(&tree, &mut removals, &[(inner, "span".into())], &[]);
        assert_eq!(removals, vec![planned(promo)]);
    }

    #[test]
    fn caps_the_number_of_rules() {
        let list = "##.a\n".repeat(MAX_RULES + 3);
        let parsed = UserRules::parse(&list);
        assert_eq!(parsed.rules.len(), MAX_RULES);
        assert_eq!(parsed.errors.len(), 3);
        assert!(parsed.errors[0].reason.contains("too many rules"));
    }
}
