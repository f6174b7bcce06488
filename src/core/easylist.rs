//! EasyList's cosmetic rules, compiled at build time by `scripts/compile-rules.mjs` into a
//! line format (see that script) and parsed here at run time.
//!
//! Two ways to match, chosen per rule for speed:
//! - simple generic rules (`##.class`, `###id`) are matched here, against the page snapshot's
//!   class and id names, with no DOM query at all;
//! - every other selector is handed to the browser's selector engine by the DOM adapter, and
//!   only when it can match: a keyed selector only if the page has its class or id.
//!
//! Loopback pages (127.0.0.1, localhost) are treated like any site: EasyList switches generic
//! hiding off there for developers' local servers, but Unsponsor's own tests and demo are served
//! from loopback and must behave as a real site would.

use crate::core::selector::{ElementIndex, Subject};
use crate::core::tree::{NodeId, PageTree};
use crate::core::vocabulary::element_names;
use std::collections::{HashMap, HashSet};

const HEADER: &str = "!unsponsor-rules 1";
const LOOPBACK_HOSTS: &[&str] = &["127.0.0.1", "localhost", "[::1]", "::1"];

/// A parsed rule file. It keeps the file's text whole: the many simple rules (generic names, site
/// rules) are places in that text, found through hash tables of their own built at load, not
/// strings of their own. Loading is on the path of a reader's first click on a page, and building
/// a string and a standard hash-set entry per rule was most of it (about 24,000 rules).
#[derive(Debug, Default)]
pub struct RuleSet {
    text: String,
    generic_classes: PlacesByHash,
    generic_ids: PlacesByHash,
    keyed: HashMap<String, Vec<Listed>>,
    unkeyed: Vec<Listed>,
    /// Site rules: where each one's domain list and selector are in `text`.
    site: Vec<(Span, Span)>,
    /// Site rules by each domain they name (`example.com`, or `shop.*` for entity rules), so a
    /// page looks up only the rules that can apply to it: each rule's place in `site`, found by
    /// the domain's hash (the rule's domain list is checked after).
    site_by_domain: PlacesByHash,
    /// Site rules that name only excluded domains (`~example.com##...`): they apply widely.
    site_everywhere_but: Vec<usize>,
    exceptions: Vec<(String, String)>,
    generichide_domains: Vec<String>,
    generichide_substrings: Vec<String>,
}

/// A place in the rule file's text, in bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn of(self, text: &str) -> &str {
        text.get(self.start as usize..self.end as usize)
            .unwrap_or_default()
    }
}

/// Numbers found by the hash of a name: an open-addressing table (linear probing), so that
/// loading is one insertion per rule. For generic names the number is where the name starts in
/// the rule file's text (it runs to the end of its line); for site rules, the rule's place in
/// `RuleSet::site`. Several numbers may share a hash (a domain many rules name, or a collision):
/// a lookup visits them all and the caller compares, so a collision costs a comparison, never a
/// wrong answer.
#[derive(Debug, Default)]
struct PlacesByHash {
    slots: Vec<(u32, u32)>,
    len: usize,
}

const EMPTY_SLOT: u32 = u32::MAX;

impl PlacesByHash {
    fn push(&mut self, hash: u32, place: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![(0, EMPTY_SLOT); size]);
            for (hash, place) in old {
                if place != EMPTY_SLOT {
                    self.place(hash, place);
                }
            }
        }
        self.place(hash, place);
        self.len += 1;
    }

    fn place(&mut self, hash: u32, place: u32) {
        let mask = self.slots.len() - 1;
        let mut slot = Self::home(hash, mask);
        while self.slots[slot].1 != EMPTY_SLOT {
            slot = (slot + 1) & mask;
        }
        self.slots[slot] = (hash, place);
    }

    fn home(hash: u32, mask: usize) -> usize {
        ((hash ^ (hash >> 16)) as usize) & mask
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Whether `found` holds for a number stored under `hash`.
    fn any_under(&self, hash: u32, mut found: impl FnMut(u32) -> bool) -> bool {
        if self.slots.is_empty() {
            return false;
        }
        let mask = self.slots.len() - 1;
        let mut slot = Self::home(hash, mask);
        // The table is at most half full, so an empty slot ends every walk.
        while self.slots[slot].1 != EMPTY_SLOT {
            if self.slots[slot].0 == hash && found(self.slots[slot].1) {
                return true;
            }
            slot = (slot + 1) & mask;
        }
        false
    }

    /// Whether a name stored under `name`'s hash is exactly `name`: the line at that place in
    /// `text` is `name`, then ends.
    fn contains_name(&self, text: &str, name: &str) -> bool {
        self.any_under(name_hash(name.bytes()), |start| {
            let rest = text.as_bytes().get(start as usize..).unwrap_or_default();
            rest.starts_with(name.as_bytes())
                && matches!(rest.get(name.len()), None | Some(b'\n' | b'\r'))
        })
    }
}

/// FNV-1a (32 bits) over `bytes`: small and quick, and good enough to spread names (a collision
/// only costs a comparison). 32 bits, not 64: the wasm2js build (pages whose CSP forbids
/// WebAssembly) emulates every 64-bit multiplication with several 32-bit ones.
fn name_hash(bytes: impl Iterator<Item = u8>) -> u32 {
    bytes.fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// A domain entry's hash, case folded as the domain matching is.
fn domain_hash(entry: &str) -> u32 {
    name_hash(entry.bytes().map(|b| b.to_ascii_lowercase()))
}

/// Counts, for the report and the build log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RuleCounts {
    pub generic: usize,
    pub site: usize,
    pub exceptions: usize,
}

/// The rules that apply to one page address.
#[derive(Debug, Default)]
pub struct PageRules {
    generic_enabled: bool,
    excepted: HashSet<String>,
    site_selectors: Vec<String>,
}

/// A selector the DOM adapter should run, with the rule it stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SelectorQuery {
    pub selector: String,
    pub site_specific: bool,
    /// The only elements that could match (see `core::selector`): the adapter asks the browser
    /// about these alone. `None`: query the whole document.
    pub candidates: Option<Vec<NodeId>>,
}

/// A generic selector with its subject read once, at load.
#[derive(Clone, Debug)]
struct Listed {
    selector: String,
    subject: Option<Subject>,
}

impl Listed {
    fn new(selector: &str) -> Listed {
        Listed {
            selector: selector.to_string(),
            subject: Subject::parse(selector),
        }
    }
}

/// Above this many candidates, one document query is cheaper than asking element by element.
const MAX_CANDIDATES: usize = 200;

impl RuleSet {
    /// Parses a compiled rule file. Unknown line kinds are skipped (newer files stay readable).
    pub fn parse(text: &str) -> Result<RuleSet, String> {
        RuleSet::from_text(text.to_string())
    }

    /// `parse`, keeping `text` (no copy of the file).
    pub fn from_text(text: String) -> Result<RuleSet, String> {
        let mut lines = text.lines();
        if lines.next().map(str::trim_end) != Some(HEADER) {
            return Err(format!("not a compiled rule file (expected \"{HEADER}\")"));
        }
        if u32::try_from(text.len()).is_err() {
            return Err("the rule file is too large".to_string());
        }
        // One pass over the bytes. The many generic names and site rules are read here byte by
        // byte (their places kept, nothing copied); the few other lines as text.
        let bytes = text.as_bytes();
        let find = |from: usize, to: usize, byte: u8| {
            bytes[from..to]
                .iter()
                .position(|&b| b == byte)
                .map(|at| from + at)
        };
        let span = |from: usize, to: usize| Span {
            start: from as u32,
            end: to as u32,
        };
        let mut rules = RuleSet::default();
        let mut next_line = 0;
        while next_line < bytes.len() {
            let line_start = next_line;
            let newline = find(line_start, bytes.len(), b'\n').unwrap_or(bytes.len());
            next_line = newline + 1;
            let end = if newline > line_start && bytes[newline - 1] == b'\r' {
                newline - 1
            } else {
                newline
            };
            if line_start == 0 || end == line_start {
                continue; // the header (checked above), or an empty line
            }
            // The line after its one-byte kind.
            let rest = line_start + 1;
            match bytes[line_start] {
                b'c' => rules
                    .generic_classes
                    .push(name_hash(bytes[rest..end].iter().copied()), rest as u32),
                b'i' => rules
                    .generic_ids
                    .push(name_hash(bytes[rest..end].iter().copied()), rest as u32),
                b's' => {
                    let Some(tab) = find(rest, end, b'\t') else {
                        continue;
                    };
                    let index = rules.site.len();
                    let mut any_positive = false;
                    let mut entry_start = rest;
                    while entry_start <= tab {
                        let entry_end = find(entry_start, tab, b',').unwrap_or(tab);
                        // Trimmed as `domains_match` trims (commas and tabs are ASCII, so these
                        // are character boundaries).
                        let entry = text[entry_start..entry_end].trim();
                        entry_start = entry_end + 1;
                        if entry.is_empty() || entry.starts_with('~') {
                            continue;
                        }
                        any_positive = true;
                        rules.site_by_domain.push(domain_hash(entry), index as u32);
                    }
                    if !any_positive {
                        rules.site_everywhere_but.push(index);
                    }
                    rules.site.push((span(rest, tab), span(tab + 1, end)));
                }
                kind @ (b'k' | b'g' | b'x' | b'h' | b'H') => {
                    let rest = &text[rest..end];
                    let pair = || rest.split_once('\t');
                    match kind {
                        b'k' => {
                            if let Some((key, selector)) = pair() {
                                rules
                                    .keyed
                                    .entry(key.to_string())
                                    .or_default()
                                    .push(Listed::new(selector));
                            }
                        }
                        b'g' => rules.unkeyed.push(Listed::new(rest)),
                        b'x' => {
                            if let Some((domains, selector)) = pair() {
                                rules
                                    .exceptions
                                    .push((domains.to_string(), selector.to_string()));
                            }
                        }
                        b'h' => rules.generichide_domains.push(rest.to_ascii_lowercase()),
                        _ => rules.generichide_substrings.push(rest.to_string()),
                    }
                }
                _ => {} // unknown kinds are skipped (newer files stay readable)
            }
        }
        rules.text = text;
        Ok(rules)
    }

    pub fn counts(&self) -> RuleCounts {
        RuleCounts {
            generic: self.generic_classes.len()
                + self.generic_ids.len()
                + self.keyed.values().map(Vec::len).sum::<usize>()
                + self.unkeyed.len(),
            site: self.site.len(),
            exceptions: self.exceptions.len(),
        }
    }

    /// Resolves the rules for a page: generic hiding on or off, exceptions, site selectors.
    pub fn for_page(&self, url: &str) -> PageRules {
        let host = crate::core::vocabulary::url_host(url).unwrap_or_default();
        let is_loopback = LOOPBACK_HOSTS.contains(&host.as_str());
        let generic_enabled = is_loopback
            || !(self
                .generichide_domains
                .iter()
                .any(|domain| host_is_within(&host, domain))
                || self
                    .generichide_substrings
                    .iter()
                    .any(|needle| url.contains(needle.as_str())));
        let excepted = self
            .exceptions
            .iter()
            .filter(|(domains, _)| domains.is_empty() || domains_match(domains, &host))
            .map(|(_, selector)| selector.clone())
            .collect::<HashSet<_>>();
        let mut candidates: Vec<usize> = self.site_everywhere_but.clone();
        for key in domain_keys(&host) {
            self.site_by_domain.any_under(domain_hash(&key), |place| {
                candidates.push(place as usize);
                false
            });
        }
        crate::core::order::sort_dedup_ids(&mut candidates);
        let site_selectors = candidates
            .into_iter()
            .filter_map(|index| self.site.get(index))
            .map(|(domains, selector)| (domains.of(&self.text), selector.of(&self.text)))
            .filter(|(domains, selector)| {
                domains_match(domains, &host) && !excepted.contains(*selector)
            })
            .map(|(_, selector)| selector.to_string())
            .collect();
        PageRules {
            generic_enabled,
            excepted,
            site_selectors,
        }
    }

    /// Generic `##.class` / `###id` rule matching one of an element's names, as the selector.
    pub fn simple_match(&self, page: &PageRules, id: &str, class: &str) -> Option<String> {
        if !page.generic_enabled {
            return None;
        }
        for name in element_names(id, class) {
            let (set, prefix) = if name == id {
                (&self.generic_ids, '#')
            } else {
                (&self.generic_classes, '.')
            };
            if set.contains_name(&self.text, name) {
                let selector = format!("{prefix}{name}");
                if !page.excepted.contains(&selector) {
                    return Some(selector);
                }
            }
        }
        None
    }

    /// Selectors worth running on this page: keyed ones whose key the page has, unkeyed generic
    /// ones, and the site's own; never an excepted one.
    pub fn queries(
        &self,
        tree: &PageTree,
        page: &PageRules,
        index: &ElementIndex,
    ) -> Vec<SelectorQuery> {
        // Site rules are few per page: their subjects are parsed here; the generic ones were
        // parsed with the list, and are borrowed, not copied.
        let site_subjects: Vec<Option<Subject>> = page
            .site_selectors
            .iter()
            .map(|s| Subject::parse(s))
            .collect();
        let mut listed: Vec<(&str, Option<&Subject>, bool)> = Vec::new();
        if page.generic_enabled {
            // Keys of the page's ids and classes, looked up without building a string for each.
            let mut key = String::new();
            let mut seen: HashSet<&str> = HashSet::new();
            for node in tree.nodes() {
                if !node.is_element() {
                    continue;
                }
                let id = (!node.id.is_empty()).then_some(('#', node.id.as_str()));
                let classes = node.class.split_ascii_whitespace().map(|c| ('.', c));
                for (sigil, name) in id.into_iter().chain(classes) {
                    key.clear();
                    key.push(sigil);
                    key.push_str(name);
                    if let Some((stored, selectors)) = self.keyed.get_key_value(key.as_str()) {
                        if seen.insert(stored.as_str()) {
                            listed.extend(
                                selectors
                                    .iter()
                                    .map(|l| (l.selector.as_str(), l.subject.as_ref(), false)),
                            );
                        }
                    }
                }
            }
            listed.extend(
                self.unkeyed
                    .iter()
                    .map(|l| (l.selector.as_str(), l.subject.as_ref(), false)),
            );
        }
        listed.retain(|(selector, _, _)| !page.excepted.contains(*selector));
        listed.extend(
            page.site_selectors
                .iter()
                .zip(&site_subjects)
                .map(|(s, subject)| (s.as_str(), subject.as_ref(), true)),
        );
        listed
            .into_iter()
            .filter_map(|(selector, subject, site_specific)| {
                let candidates = match subject {
                    Some(subject) => {
                        let found = index.candidates(subject);
                        if found.is_empty() {
                            return None;
                        }
                        (found.len() <= MAX_CANDIDATES).then_some(found)
                    }
                    None => None,
                };
                Some(SelectorQuery {
                    selector: selector.to_string(),
                    site_specific,
                    candidates,
                })
            })
            .collect()
    }
}

/// Every domain entry that could name `host`: the host and its parent domains
/// (`a.b.example.com`, `b.example.com`, `example.com`, `com`) and entity forms (`example.*`,
/// `b.example.*`, ...).
fn domain_keys(host: &str) -> Vec<String> {
    let dots: Vec<usize> = host.match_indices('.').map(|(at, _)| at).collect();
    let mut keys = Vec::new();
    // Each label's start: the host's, then one past each dot.
    for start in std::iter::once(0).chain(dots.iter().map(|dot| dot + 1)) {
        keys.push(host[start..].to_string());
        for &dot in dots.iter().filter(|&&dot| dot >= start) {
            keys.push(format!("{}.*", &host[start..dot]));
        }
    }
    keys
}

/// Whether `host` is `domain` or a subdomain of it.
fn host_is_within(host: &str, domain: &str) -> bool {
    crate::core::vocabulary::host_matches(host, domain)
}

/// EasyList domain lists: `a.com,~b.a.com,shop.*`. Matches when some positive entry matches and
/// no negated one does; a list of only negations matches every other host.
pub fn domains_match(domains: &str, host: &str) -> bool {
    let mut any_positive = false;
    let mut matched = false;
    for entry in domains.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        if let Some(negated) = entry.strip_prefix('~') {
            if domain_entry_matches(negated, host) {
                return false;
            }
        } else {
            any_positive = true;
            matched |= domain_entry_matches(entry, host);
        }
    }
    matched || !any_positive
}

fn domain_entry_matches(entry: &str, host: &str) -> bool {
    let lowered;
    let entry = if entry.bytes().any(|b| b.is_ascii_uppercase()) {
        lowered = entry.to_ascii_lowercase();
        lowered.as_str()
    } else {
        entry
    };
    match entry.strip_suffix(".*") {
        // `name.*`: the name followed by any public suffix (`deliveroo.co.uk`, `shop.deliveroo.fr`).
        Some(name) => {
            let labels: Vec<&str> = host.split('.').collect();
            let name_labels: Vec<&str> = name.split('.').collect();
            (0..labels.len()).any(|start| {
                let end = start + name_labels.len();
                end < labels.len() && labels[start..end] == name_labels[..]
            })
        }
        None => host_is_within(host, entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "!unsponsor-rules 1\n!comment\ncad-banner\nitaboola-below\nk.promo-box\tdiv.promo-box > a\ng[data-taboola-options]\nsexample.com,~news.example.com\t.site-ad\nxexample.org\t.ad-banner\nhquiet.example\nH://10.0.0.\n";

    #[test]
    fn parses_every_kind() {
        let rules = RuleSet::parse(SAMPLE).unwrap();
        assert!(rules
            .generic_classes
            .contains_name(&rules.text, "ad-banner"));
        assert!(rules
            .generic_ids
            .contains_name(&rules.text, "taboola-below"));
        assert!(!rules.generic_classes.contains_name(&rules.text, "ad-banne"));
        let selectors = |listed: &[Listed]| {
            listed
                .iter()
                .map(|l| l.selector.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            selectors(&rules.keyed[".promo-box"]),
            vec!["div.promo-box > a"]
        );
        assert_eq!(selectors(&rules.unkeyed), vec!["[data-taboola-options]"]);
        assert_eq!(
            rules.counts(),
            RuleCounts {
                generic: 4,
                site: 1,
                exceptions: 1
            }
        );
        assert!(RuleSet::parse("ad-banner\n").is_err());
    }

    #[test]
    fn generic_rules_respect_exceptions_and_generichide() {
        let rules = RuleSet::parse(SAMPLE).unwrap();
        let page = rules.for_page("https://www.example.net/a");
        assert_eq!(
            rules.simple_match(&page, "", "x ad-banner").as_deref(),
            Some(".ad-banner")
        );
        assert_eq!(
            rules.simple_match(&page, "taboola-below", "").as_deref(),
            Some("#taboola-below")
        );
        assert_eq!(rules.simple_match(&page, "", "ad-banner-x"), None);
        let excepted = rules.for_page("https://example.org/");
        assert_eq!(rules.simple_match(&excepted, "", "ad-banner"), None);
        let quiet = rules.for_page("https://www.quiet.example/");
        assert_eq!(rules.simple_match(&quiet, "", "ad-banner"), None);
        let intranet = rules.for_page("http://10.0.0.7/page");
        assert_eq!(rules.simple_match(&intranet, "", "ad-banner"), None);
        let loopback = rules.for_page("http://127.0.0.1:8080/");
        assert!(rules.simple_match(&loopback, "", "ad-banner").is_some());
    }

    #[test]
    fn site_rules_follow_their_domains() {
        let rules = RuleSet::parse(SAMPLE).unwrap();
        let mut tree = PageTree::new();
        let body = tree.add_element(None, "body", vec![]);
        let promo = tree.add_element(
            Some(body),
            "div",
            vec![("class".into(), "promo-box".into())],
        );
        tree.add_element(Some(promo), "a", vec![]);
        tree.add_element(Some(body), "div", vec![("class".into(), "site-ad".into())]);
        let feed = tree.add_element(Some(body), "div", vec![]);
        tree.note_unread_attribute(feed, "data-taboola-options");
        let on_site = rules.queries(
            &tree,
            &rules.for_page("https://shop.example.com/"),
            &ElementIndex::new(&tree),
        );
        let selectors: Vec<_> = on_site.iter().map(|q| q.selector.as_str()).collect();
        assert!(selectors.contains(&".site-ad"));
        assert!(selectors.contains(&"div.promo-box > a"));
        assert!(selectors.contains(&"[data-taboola-options]"));
        let negated = rules.queries(
            &tree,
            &rules.for_page("https://news.example.com/"),
            &ElementIndex::new(&tree),
        );
        assert!(!negated.iter().any(|q| q.selector == ".site-ad"));
        let without_key = rules.queries(
            &PageTree::new(),
            &rules.for_page("https://a.example/"),
            &ElementIndex::new(&PageTree::new()),
        );
        assert!(!without_key
            .iter()
            .any(|q| q.selector == "div.promo-box > a"));
    }

    #[test]
    fn selectors_whose_subject_is_absent_are_not_queried() {
        let rules = RuleSet::parse(SAMPLE).unwrap();
        let page = rules.for_page("https://shop.example.com/");
        let mut tree = PageTree::new();
        let body = tree.add_element(None, "body", vec![]);
        let promo = tree.add_element(
            Some(body),
            "div",
            vec![("class".into(), "promo-box".into())],
        );
        let link = tree.add_element(Some(promo), "a", vec![]);
        let queries = rules.queries(&tree, &page, &ElementIndex::new(&tree));
        let selectors: Vec<_> = queries.iter().map(|q| q.selector.as_str()).collect();
        // No element has data-taboola-options or the class site-ad.
        assert_eq!(selectors, vec!["div.promo-box > a"]);
        assert_eq!(queries[0].candidates, Some(vec![link]));
    }

    #[test]
    fn site_rules_are_found_through_the_domain_index() {
        let rules = RuleSet::parse(
            "!unsponsor-rules 1\nsshop.*\t.entity-ad\ns~example.com\t.wide-ad\nsExample.NET\t.case-ad\n",
        )
        .unwrap();
        let selectors = |url: &str| rules.for_page(url).site_selectors;
        assert_eq!(
            selectors("https://www.shop.co.uk/"),
            vec![".entity-ad", ".wide-ad"]
        );
        assert_eq!(selectors("https://example.com/"), Vec::<String>::new());
        assert_eq!(
            selectors("https://www.example.net/"),
            vec![".wide-ad", ".case-ad"]
        );
    }

    /// The hashed tables give the answers a plain scan of every rule gives, on a list large
    /// enough to make them grow many times, with repeated domains, negations, entity forms and
    /// upper case.
    #[test]
    fn hashed_lookups_agree_with_a_plain_scan() {
        let mut seed = 7_u64;
        let mut next = |limit: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % limit
        };
        let bases = ["news", "shop", "example", "Video", "blog", "tv", "mail"];
        let tlds = ["com", "co.uk", "de", "*", "org"];
        let mut text = String::from("!unsponsor-rules 1\n");
        let mut classes = Vec::new();
        for n in 0..3000 {
            let name = format!("ad-{n}-{}", next(1000));
            text.push_str(&format!("c{name}\ni{name}x\n"));
            classes.push(name);
        }
        let mut hosts = Vec::new();
        for n in 0..2000 {
            let mut entries = Vec::new();
            for _ in 0..1 + next(3) {
                let sub = if next(3) == 0 { "www." } else { "" };
                let domain = format!(
                    "{sub}{}{}.{}",
                    bases[next(7) as usize],
                    next(40),
                    tlds[next(5) as usize]
                );
                let negated = next(6) == 0;
                entries.push(format!("{}{domain}", if negated { "~" } else { "" }));
                hosts.push(domain.replace('*', "fr").to_ascii_lowercase());
                hosts.push(format!(
                    "m.{}",
                    domain.replace('*', "co.uk").to_ascii_lowercase()
                ));
            }
            text.push_str(&format!("s{}\t.site-{n}\n", entries.join(",")));
        }
        let rules = RuleSet::parse(&text).unwrap();
        for name in &classes {
            assert!(rules.generic_classes.contains_name(&rules.text, name));
            assert!(rules
                .generic_ids
                .contains_name(&rules.text, &format!("{name}x")));
            assert!(!rules
                .generic_classes
                .contains_name(&rules.text, &format!("{name}x")));
            assert!(!rules.generic_ids.contains_name(&rules.text, name));
        }
        hosts.push("unrelated.net".to_string());
        for host in hosts.iter().step_by(7) {
            let scanned: Vec<String> = rules
                .site
                .iter()
                .map(|(domains, selector)| (domains.of(&rules.text), selector.of(&rules.text)))
                .filter(|(domains, _)| domains_match(domains, host))
                .map(|(_, selector)| selector.to_string())
                .collect();
            let page = rules.for_page(&format!("https://{host}/a"));
            assert_eq!(page.site_selectors, scanned, "for {host}");
        }
    }

    /// Every label start, every label end: the keys the domain index is looked up with.
    #[test]
    fn domain_keys_name_every_parent_and_entity_form() {
        let by_labels = |host: &str| {
            let labels: Vec<&str> = host.split('.').collect();
            let mut keys = Vec::new();
            for start in 0..labels.len() {
                keys.push(labels[start..].join("."));
                for end in start + 1..labels.len() {
                    keys.push(format!("{}.*", labels[start..end].join(".")));
                }
            }
            keys
        };
        for host in [
            "a.b.example.co.uk",
            "example.com",
            "localhost",
            "a..b",
            ".x.",
            "",
        ] {
            assert_eq!(domain_keys(host), by_labels(host), "for {host:?}");
        }
        assert_eq!(
            domain_keys("shop.example.com"),
            vec![
                "shop.example.com",
                "shop.*",
                "shop.example.*",
                "example.com",
                "example.*",
                "com"
            ]
        );
    }

    #[test]
    fn domain_lists() {
        assert!(domains_match("example.com", "www.example.com"));
        assert!(!domains_match("example.com", "notexample.com"));
        assert!(domains_match("~example.com", "other.org"));
        assert!(!domains_match("~example.com", "example.com"));
        assert!(domains_match("deliveroo.*", "deliveroo.co.uk"));
        assert!(domains_match("deliveroo.*", "shop.deliveroo.fr"));
        assert!(!domains_match("deliveroo.*", "deliveroo"));
    }
}
