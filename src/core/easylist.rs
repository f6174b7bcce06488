//! EasyList's cosmetic rules, compiled at build time by `scripts/compile-rules.mjs` into a
//! line format (see that script) and parsed here at run time. The build then has this code write
//! an index of the file (`RuleSet::index`: the lookup tables below), so that a page loads the
//! tables instead of building them (`RuleSet::from_text_and_index`), and ships the two as one
//! file (`RuleSet::bundle`, `rules/easylist.rules`).
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

use crate::core::fnv::{self, Map, Set};
use crate::core::selector::{AttributeOp, AttributeTest, ElementIndex, Subject};
use crate::core::tree::{NodeId, PageTree};
use crate::core::vocabulary::element_names;
use std::borrow::Cow;
use std::cell::OnceCell;

const HEADER: &str = "!unsponsor-rules 1";
const LOOPBACK_HOSTS: &[&str] = &["127.0.0.1", "localhost", "[::1]", "::1"];

/// A parsed rule file. It keeps the file's text whole: the many simple rules (generic names, site
/// rules) are places in that text, found through hash tables of places (built at load, or read
/// from the build's index), not strings of their own. Loading is on the path of a reader's first
/// click on a page: building a string and a standard hash-set entry per rule was once most of it
/// (about 24,000 rules), then building the tables was (13-15 ms in the browser).
#[derive(Debug, Default)]
pub struct RuleSet {
    text: String,
    generic_classes: PlacesByHash,
    generic_ids: PlacesByHash,
    keyed: Map<String, Vec<Listed>>,
    unkeyed: Vec<Listed>,
    /// Site rules: where each one's line starts in `text`, after its kind (`s`): the domain
    /// list, a tab, the selector.
    site: Vec<u32>,
    /// Site rules by each domain they name (`example.com`, or `shop.*` for entity rules), so a
    /// page looks up only the rules that can apply to it: each rule's place in `site`, found by
    /// the domain's hash (the rule's domain list is checked after).
    site_by_domain: PlacesByHash,
    /// Site rules that name only excluded domains (`~example.com##...`): they apply widely.
    site_everywhere_but: Vec<usize>,
    /// Where the lines the tables cover begin: after it, the text holds only `c`, `i` and `s`
    /// lines (scripts/compile-rules.mjs writes them last). Loading with an index reads the text
    /// up to here only.
    bulk_start: usize,
    /// Where the generic names the tables point at end: past the last one's start.
    names_end: usize,
    /// Exceptions: (domain list, selector).
    exceptions: Vec<(Span, Span)>,
    generichide_domains: Vec<Span>,
    generichide_substrings: Vec<Span>,
    /// Set when the rules were loaded for one page's host (`for_host`, `for_host_in_place`): the
    /// site rules that can apply there, the only ones kept. The text then ends before the site
    /// rules, and `site`, `site_by_domain` and `site_everywhere_but` are empty.
    host_sites: Option<HostSites>,
    /// How many site rules the file holds (for the counts).
    site_total: usize,
}

/// The site rules that can apply on one host: `(domains, selector)`, in the file's order.
#[derive(Debug, Default)]
struct HostSites {
    host: String,
    rules: Vec<(String, String)>,
}

/// A rule file and its index where they lie: the extension keeps them in the page's JavaScript
/// memory (src/wasm/rules.rs) and the core reads them by range and by word, so a page copies the
/// generic rules and tables, and of the 10,000 site rules only those of its own host.
pub trait RuleSource {
    /// The rule file's length in bytes.
    fn text_len(&self) -> usize;
    /// Bytes `from..to` of the rule file; None past its end.
    fn text(&self, from: usize, to: usize) -> Option<Vec<u8>>;
    /// How many 32-bit words the index holds.
    fn index_words(&self) -> usize;
    /// Words `from..to` of the index (little-endian); None past its end.
    fn words(&self, from: usize, to: usize) -> Option<Vec<u32>>;
    /// Word `at` of the index; None past its end. A page reads a few dozen words one at a time
    /// (the header, the walks of the domain table, the places of its site rules): a source may
    /// answer these more cheaply than ranges (src/wasm/rules.rs).
    fn word(&self, at: usize) -> Option<u32> {
        self.words(at, at.checked_add(1)?)?.first().copied()
    }
}

/// A rule file and its index in the core's own memory (native tests, and the same code path).
pub struct SliceSource<'a> {
    pub text: &'a [u8],
    pub index: &'a [u8],
}

impl RuleSource for SliceSource<'_> {
    fn text_len(&self) -> usize {
        self.text.len()
    }

    fn text(&self, from: usize, to: usize) -> Option<Vec<u8>> {
        self.text.get(from..to).map(<[u8]>::to_vec)
    }

    fn index_words(&self) -> usize {
        self.index.len() / 4
    }

    fn words(&self, from: usize, to: usize) -> Option<Vec<u32>> {
        let bytes = self.index.get(from.checked_mul(4)?..to.checked_mul(4)?)?;
        Some(le_words(bytes))
    }
}

/// Little-endian 32-bit words of `bytes` (an index's layout); a last partial word is dropped.
pub fn le_words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|word| u32::from_le_bytes([word[0], word[1], word[2], word[3]]))
        .collect()
}

/// Numbers found by the hash of a name: an open-addressing table (linear probing, two thirds
/// full) of the numbers alone. For generic names the number is where the name starts in the rule
/// file's text (it runs to the end of its line); for site rules, the rule's place in
/// `RuleSet::site`. A lookup visits every number from the hash's home slot to the next empty
/// slot, and the caller compares with the text: a number there under another hash (a collision,
/// or a neighbour's) costs a comparison, never a wrong answer. Holding no hashes keeps the
/// build's index of the tables small (`RuleSet::index`).
#[derive(Debug, Default)]
struct PlacesByHash {
    slots: Vec<u32>,
    len: usize,
}

const EMPTY_SLOT: u32 = u32::MAX;

impl PlacesByHash {
    /// The table of `entries` (hash, number), sized once.
    fn new(entries: &[(u32, u32)]) -> PlacesByHash {
        if entries.is_empty() {
            return PlacesByHash::default();
        }
        let mut slots = vec![EMPTY_SLOT; entries.len() + entries.len() / 2 + 1];
        for &(hash, place) in entries {
            let mut slot = Self::home(hash, slots.len());
            while slots[slot] != EMPTY_SLOT {
                slot = Self::next(slot, slots.len());
            }
            slots[slot] = place;
        }
        PlacesByHash {
            slots,
            len: entries.len(),
        }
    }

    // (`size.max(1)`: sizes are never 0 here, and this says so to the compiler, which then
    // leaves out a division-by-zero check.)
    fn home(hash: u32, size: usize) -> usize {
        hash as usize % size.max(1)
    }

    fn next(slot: usize, size: usize) -> usize {
        (slot + 1) % size.max(1)
    }

    fn len(&self) -> usize {
        self.len
    }

    /// A table read from an index, with the count of its numbers the index gives (counting
    /// them here would be a pass over every slot on each page): refused when the count does not
    /// fit.
    fn from_slots(slots: Vec<u32>, len: usize) -> Option<PlacesByHash> {
        (len <= slots.len()).then_some(PlacesByHash { slots, len })
    }

    /// The last number in the table plus one (0 for an empty table): the generic names the
    /// table points at start before it in the text.
    fn end(&self) -> usize {
        self.slots
            .iter()
            .filter(|&&slot| slot != EMPTY_SLOT)
            .map(|&slot| slot as usize + 1)
            .max()
            .unwrap_or(0)
    }

    /// Whether `found` holds for a number the walk from `hash`'s home slot meets.
    fn any_under(&self, hash: u32, mut found: impl FnMut(u32) -> bool) -> bool {
        let size = self.slots.len();
        let mut slot = Self::home(hash, size);
        // A table this code built has empty slots, so one ends every walk; one read from a
        // damaged index may have none, so a walk goes round the table once at most.
        for _ in 0..size {
            let place = self.slots[slot];
            if place == EMPTY_SLOT {
                return false;
            }
            if found(place) {
                return true;
            }
            slot = Self::next(slot, size);
        }
        false
    }

    /// Whether a name the walk from `name`'s hash meets is exactly `name`: the line at that
    /// place in `text` is `name`, then ends.
    fn contains_name(&self, text: &str, name: &str) -> bool {
        self.any_under(name_hash(name.bytes()), |start| {
            let rest = text.as_bytes().get(start as usize..).unwrap_or_default();
            rest.starts_with(name.as_bytes())
                && matches!(rest.get(name.len()), None | Some(b'\n' | b'\r'))
        })
    }
}

/// FNV-1a (32 bits, `core::fnv`) over `bytes`: small and quick, and good enough to spread names
/// (a collision only costs a comparison). 32 bits, not 64: the wasm2js build (pages whose CSP
/// forbids WebAssembly) emulates every 64-bit multiplication with several 32-bit ones.
fn name_hash(bytes: impl Iterator<Item = u8>) -> u32 {
    bytes.fold(fnv::START, fnv::add)
}

/// A domain entry's hash, case folded as the domain matching is.
fn domain_hash(entry: &str) -> u32 {
    name_hash(entry.bytes().map(|b| b.to_ascii_lowercase()))
}

/// The first word of an index ("USX3"), and of its format: a change of layout changes it.
const INDEX_MAGIC: u32 = u32::from_le_bytes(*b"USX3");

/// The last word of a bundle ("USB1", `RuleSet::bundle`): the rule file with its index behind it.
const BUNDLE_MAGIC: u32 = u32::from_le_bytes(*b"USB1");

/// Where a bundle's parts lie (`RuleSet::bundle`), read from its length and its last 8 bytes:
/// `(text_end, index_start, index_end)`. None for a file that is not a bundle (a rule file's
/// text ends with a line, never with these bytes).
pub fn bundle_parts(len: usize, tail: [u8; 8]) -> Option<(usize, usize, usize)> {
    let [a, b, c, d, e, f, g, h] = tail;
    if u32::from_le_bytes([e, f, g, h]) != BUNDLE_MAGIC {
        return None;
    }
    let text_end = u32::from_le_bytes([a, b, c, d]) as usize;
    let index_start = text_end.checked_add(3)? / 4 * 4;
    let index_end = len.checked_sub(8)?;
    (index_start <= index_end && (index_end - index_start) % 4 == 0).then_some((
        text_end,
        index_start,
        index_end,
    ))
}

/// A fingerprint reads this many runs of the text's bytes, evenly spread ...
const FINGERPRINT_RUNS: usize = 16;
/// ... of this many bytes each.
const FINGERPRINT_RUN_BYTES: usize = 256;

/// A fingerprint of the rule file's text, so that an index is used only with the text it was
/// made from: its length and 16 runs of 256 bytes, evenly spread (a whole hash would cost a
/// pass over 700 KB on each page; a few long runs, not many bytes apart, because a page reads
/// the runs past the text it copies where they lie, each one a few calls into JavaScript: 64
/// runs of 64 bytes once cost about 130 such calls, now about 30). Files from two builds differ
/// in length or in the sampled bytes; a damaged index is caught by its checks (`read_index`)
/// and, past them, costs missed rules only: every name found is compared with the text, and
/// every site rule read in place must start a line of its kind (`read_index_in_place`).
fn fingerprint(text: &[u8]) -> u32 {
    fingerprint_of(text.len(), |from, to| text.get(from..to).map(Cow::Borrowed))
}

/// `fingerprint` of a text of `len` bytes, read by ranges (borrowed where the caller holds
/// them, copied where it does not).
fn fingerprint_of<'a>(len: usize, range: impl Fn(usize, usize) -> Option<Cow<'a, [u8]>>) -> u32 {
    let step = (len / FINGERPRINT_RUNS).max(FINGERPRINT_RUN_BYTES);
    let mut hash = fnv::START;
    for from in (0..len).step_by(step) {
        let to = (from + FINGERPRINT_RUN_BYTES).min(len);
        hash = range(from, to)
            .unwrap_or_default()
            .iter()
            .fold(hash, |hash, &byte| fnv::add(hash, byte));
    }
    hash ^ len as u32
}

fn check_text(text: &str) -> Result<(), String> {
    check_start(text, text.len())
}

/// Checks a rule file from its first bytes (`head`, at least its header line) and its length.
fn check_start(head: &str, len: usize) -> Result<(), String> {
    if head.lines().next().map(str::trim_end) != Some(HEADER) {
        return Err(format!("not a compiled rule file (expected \"{HEADER}\")"));
    }
    if u32::try_from(len).is_err() {
        return Err("the rule file is too large".to_string());
    }
    Ok(())
}

/// Reads an index's words, refusing what would not fit.
struct Words<'a> {
    bytes: &'a [u8],
}

impl Words<'_> {
    fn next(&mut self) -> Option<u32> {
        let (word, rest) = self.bytes.split_first_chunk::<4>()?;
        self.bytes = rest;
        Some(u32::from_le_bytes(*word))
    }

    /// A list: its length, then its words.
    fn list(&mut self) -> Option<Vec<u32>> {
        let count = self.next()? as usize;
        if count > self.bytes.len() / 4 {
            return None;
        }
        let mut words = Vec::with_capacity(count);
        for _ in 0..count {
            words.push(self.next()?);
        }
        Some(words)
    }

    /// A table: how many numbers it holds, then its slots as a list.
    fn table(&mut self) -> Option<PlacesByHash> {
        let len = self.next()? as usize;
        PlacesByHash::from_slots(self.list()?, len)
    }
}

/// Whether a rule file's site rules, from `site_start` on, come after everything else the rules
/// use: the lines read as text (before `bulk_start`) and the generic names the tables point at
/// (before `names_end`). The build writes them last; then a page may keep the text up to
/// `site_start` only.
fn site_rules_last(bulk_start: usize, site_start: usize, names_end: usize) -> bool {
    bulk_start <= site_start && names_end <= site_start
}

/// The line of `source`'s text that starts at `start`, without its newline, read in chunks, and
/// the `lead` bytes before it (read in the same chunk).
fn line_at(source: &impl RuleSource, start: usize, lead: usize) -> Option<Vec<u8>> {
    const CHUNK: usize = 256;
    let len = source.text_len();
    let mut line = Vec::new();
    let mut at = start.checked_sub(lead)?;
    while at < len {
        let chunk = source.text(at, (at + CHUNK).min(len))?;
        let skip = start.saturating_sub(at).min(chunk.len());
        if let Some(newline) = chunk[skip..].iter().position(|&b| b == b'\n') {
            line.extend_from_slice(&chunk[..skip + newline]);
            return Some(line);
        }
        line.extend_from_slice(&chunk);
        at += chunk.len();
    }
    Some(line)
}

/// `RuleSet::for_host_in_place` past the header: None when the index is not sound or was not
/// made from this text. The index's layout is `RuleSet::index`'s.
fn read_index_in_place(source: &impl RuleSource, host: &str) -> Option<RuleSet> {
    let len = source.text_len();
    let total = source.index_words();
    let word = |at: usize| source.word(at);
    if word(0)? != INDEX_MAGIC || word(1)? as usize != len {
        return None;
    }
    // (Checked once the text the page keeps is copied: see below.)
    let fingerprint = word(2)?;
    let bulk_start = word(3)? as usize;
    let names_end = word(4)? as usize;
    // Each table: how many numbers it holds; then each table or list: its length, then its
    // words. Where each begins.
    let mut at = 5;
    let mut next_list = |table: bool| -> Option<(usize, usize, usize)> {
        let entries = if table {
            at += 1;
            word(at - 1)? as usize
        } else {
            0
        };
        let count = word(at)? as usize;
        let start = at + 1;
        if count > total.saturating_sub(start) {
            return None;
        }
        at = start + count;
        Some((start, count, entries))
    };
    let (classes, ids, by_domain, site, everywhere, subjects) = (
        next_list(true)?,
        next_list(true)?,
        next_list(true)?,
        next_list(false)?,
        next_list(false)?,
        next_list(false)?,
    );
    if at != total {
        return None; // a longer index is not one this code wrote
    }
    let table = |(start, count, entries): (usize, usize, usize)| {
        PlacesByHash::from_slots(source.words(start, start + count)?, entries)
    };
    let generic_classes = table(classes)?;
    let generic_ids = table(ids)?;
    // Where the site rules begin: the text is copied up to there. The build writes them last;
    // a file in another order is copied whole by the caller (None).
    let site_place = |index: usize| -> Option<usize> {
        (index < site.1).then(|| word(site.0 + index).map(|p| p as usize))?
    };
    let site_start = match site.1 {
        0 => len,
        _ => site_place(0)?.checked_sub(1)?,
    };
    if site_start > len || !site_rules_last(bulk_start, site_start, names_end) {
        return None;
    }
    let head = source.text(0, site_start)?;
    // The fingerprint's runs before the site rules are read from the copy of the text, the
    // others where they lie: each range read where it lies costs calls into JavaScript.
    let sampled = fingerprint_of(len, |from, to| match head.get(from..to) {
        Some(run) => Some(Cow::Borrowed(run)),
        None => source.text(from, to).map(Cow::Owned),
    });
    if sampled != fingerprint {
        return None;
    }
    let text = String::from_utf8(head).ok()?;
    if !text.is_char_boundary(bulk_start) {
        return None;
    }
    // The site rules for `host`, found in the index where it lies.
    let mut candidates: Vec<usize> = source
        .words(everywhere.0, everywhere.0 + everywhere.1)?
        .into_iter()
        .map(|index| index as usize)
        .collect();
    let (slots_start, size, _) = by_domain;
    if size > 0 {
        for key in domain_keys(host) {
            let mut slot = PlacesByHash::home(domain_hash(&key), size);
            // At most one walk round the table (a damaged one may have no empty slot).
            for _ in 0..size {
                let place = word(slots_start + slot)?;
                if place == EMPTY_SLOT {
                    break;
                }
                candidates.push(place as usize);
                slot = PlacesByHash::next(slot, size);
            }
        }
    }
    crate::core::order::sort_dedup_ids(&mut candidates);
    let mut rules = Vec::new();
    for index in candidates {
        let start = site_place(index)?;
        if start <= site_start || start > len {
            return None;
        }
        // Read with the newline and the kind before it: a place that does not start a site
        // rule's line is an index of another text, or a damaged one (refused).
        let line = line_at(source, start, 2)?;
        let line = String::from_utf8(line.strip_prefix(b"\ns")?.to_vec()).ok()?;
        let line = line.strip_suffix('\r').unwrap_or(&line);
        if let Some((domains, selector)) = line.split_once('\t') {
            if domains_match(domains, host) {
                rules.push((domains.to_string(), selector.to_string()));
            }
        }
    }
    let mut loaded = RuleSet {
        bulk_start,
        names_end,
        generic_classes,
        generic_ids,
        site_total: site.1,
        host_sites: Some(HostSites {
            host: host.to_string(),
            rules,
        }),
        ..RuleSet::default()
    };
    let subjects = source.words(subjects.0, subjects.0 + subjects.1)?;
    loaded.read_lines(&text, false, &subjects);
    loaded.text = text;
    Some(loaded)
}

/// The tables an index holds, if it is sound and was made from `text` (see `RuleSet::index`),
/// and the words of its unkeyed selectors' subjects (`SubjectCode`).
fn read_index(text: &str, index: &[u8]) -> Option<(RuleSet, Vec<u32>)> {
    let mut words = Words { bytes: index };
    let header_matches = words.next()? == INDEX_MAGIC
        && words.next()? as usize == text.len()
        && words.next()? == fingerprint(text.as_bytes());
    let bulk_start = words.next()? as usize;
    let names_end = words.next()? as usize;
    if !header_matches || !text.is_char_boundary(bulk_start) {
        return None;
    }
    let mut rules = RuleSet {
        bulk_start,
        names_end,
        generic_classes: words.table()?,
        generic_ids: words.table()?,
        site_by_domain: words.table()?,
        site: words.list()?,
        ..RuleSet::default()
    };
    for index in words.list()? {
        rules.site_everywhere_but.push(index as usize);
    }
    rules.site_total = rules.site.len();
    let subjects = words.list()?;
    // Nothing may follow: a longer index is not one this code wrote.
    words.bytes.is_empty().then_some((rules, subjects))
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
    excepted: Set<String>,
    site_selectors: Vec<String>,
}

impl PageRules {
    /// The site's own `##` selectors that apply on the page (exceptions taken out).
    pub fn site_selectors(&self) -> &[String] {
        &self.site_selectors
    }
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

/// Bytes `start..end` of the rule file's text: part of a line the rules keep as a place, not as
/// a string of its own (the text is kept up to the site rules at least, see `RuleSet`). Loading
/// once made a string for each of the 1,400 selectors, exceptions and domains before the bulk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Span {
    start: u32,
    end: u32,
}

impl Span {
    fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
}

/// A generic selector (its place in the text), with its subject read once.
#[derive(Debug)]
struct Listed {
    selector: Span,
    /// Read when first asked for: an unkeyed selector's at load (every page with generic hiding
    /// queries them all), a keyed one's only when a page has its key (few pages have any).
    subject: OnceCell<Option<Subject>>,
}

impl Listed {
    fn new(selector: Span) -> Listed {
        Listed {
            selector,
            subject: OnceCell::new(),
        }
    }

    /// The subject of this selector, whose text is `selector`.
    fn subject(&self, selector: &str) -> Option<&Subject> {
        self.subject
            .get_or_init(|| Subject::parse(selector))
            .as_ref()
    }
}

/// The subjects of the unkeyed selectors as the build writes them into the index, so that a page
/// copies them instead of parsing every selector (`Subject::parse`) on the reader's first click.
/// Each subject is words: a head, then each of its names and values as a place in its selector.
/// The head is 0 for a selector without a subject, `PARSED_AT_LOAD` for one the build could not
/// write this way (the page parses it), else 1, plus 2 if it has a tag, plus its counts of ids,
/// classes and attribute tests, a byte each from the second byte on. A place is the name's start
/// in the selector (16 bits), its length (15 bits), and a last bit set when the name is the
/// selector's text in lower case (tag and attribute names). An attribute test is a word (its
/// operator's place in `ATTRIBUTE_OPS`, plus 256 for the `i` flag), its name's place and its
/// value's.
struct SubjectCode<'a> {
    words: &'a [u32],
}

const PARSED_AT_LOAD: u32 = u32::MAX;

const ATTRIBUTE_OPS: [AttributeOp; 7] = [
    AttributeOp::Exists,
    AttributeOp::Equals,
    AttributeOp::Word,
    AttributeOp::DashPrefix,
    AttributeOp::Prefix,
    AttributeOp::Suffix,
    AttributeOp::Contains,
];

impl SubjectCode<'_> {
    /// Appends the words of `subject`, the subject of `selector`, to `out`: `PARSED_AT_LOAD` for
    /// a subject that does not read back the same.
    fn write(selector: &str, subject: Option<&Subject>, out: &mut Vec<u32>) {
        let start = out.len();
        let written = Self::write_parts(selector, subject, out);
        let read = SubjectCode {
            words: &out[start..],
        }
        .read(selector);
        if written.is_none() || read.as_ref().map(Option::as_ref) != Some(subject) {
            out.truncate(start);
            out.push(PARSED_AT_LOAD);
        }
    }

    fn write_parts(selector: &str, subject: Option<&Subject>, out: &mut Vec<u32>) -> Option<()> {
        let Some(subject) = subject else {
            out.push(0);
            return Some(());
        };
        let count = |n: usize| u8::try_from(n).ok().map(u32::from);
        out.push(
            1 | u32::from(subject.tag.is_some()) << 1
                | count(subject.ids.len())? << 8
                | count(subject.classes.len())? << 16
                | count(subject.attributes.len())? << 24,
        );
        let place = |name: &str| place_in(selector, name);
        for name in subject
            .tag
            .iter()
            .chain(&subject.ids)
            .chain(&subject.classes)
        {
            out.push(place(name)?);
        }
        for test in &subject.attributes {
            let op = ATTRIBUTE_OPS.iter().position(|&op| op == test.op)? as u32;
            out.push(op | u32::from(test.ignore_case) << 8);
            out.push(place(&test.name)?);
            out.push(place(&test.value)?);
        }
        Some(())
    }

    /// The next subject, that of `selector`: None when the words hold no more subjects or are
    /// not sound (a damaged index: the caller parses the selector, and every later one).
    fn read(&mut self, selector: &str) -> Option<Option<Subject>> {
        let read = self.read_parts(selector);
        if read.is_none() {
            self.words = &[];
        }
        read
    }

    fn read_parts(&mut self, selector: &str) -> Option<Option<Subject>> {
        let head = self.next()?;
        if head == PARSED_AT_LOAD {
            return Some(Subject::parse(selector));
        }
        if head == 0 {
            return Some(None);
        }
        if head & 0xfd != 1 {
            return None;
        }
        let count = |shift: u32| (head >> shift & 0xff) as usize;
        let mut subject = Subject::default();
        if head & 2 != 0 {
            subject.tag = Some(self.name(selector)?);
        }
        for _ in 0..count(8) {
            subject.ids.push(self.name(selector)?);
        }
        for _ in 0..count(16) {
            subject.classes.push(self.name(selector)?);
        }
        for _ in 0..count(24) {
            let op = self.next()?;
            subject.attributes.push(AttributeTest {
                op: *ATTRIBUTE_OPS.get((op & 0xff) as usize)?,
                ignore_case: match op >> 8 {
                    0 => false,
                    1 => true,
                    _ => return None,
                },
                name: self.name(selector)?,
                value: self.name(selector)?,
            });
        }
        Some(Some(subject))
    }

    fn next(&mut self) -> Option<u32> {
        let (&word, rest) = self.words.split_first()?;
        self.words = rest;
        Some(word)
    }

    /// A name or value, at the place the next word gives in `selector`.
    fn name(&mut self, selector: &str) -> Option<String> {
        let word = self.next()?;
        let start = (word & 0xffff) as usize;
        let text = selector.get(start..start + (word >> 16 & 0x7fff) as usize)?;
        Some(match word >> 31 {
            0 => text.to_string(),
            _ => text.to_ascii_lowercase(),
        })
    }
}

/// Where `name` lies in `selector` as `SubjectCode` writes it: as is, or in lower case.
fn place_in(selector: &str, name: &str) -> Option<u32> {
    let len = u32::try_from(name.len())
        .ok()
        .filter(|&len| len < 1 << 15)?;
    let word = |start: usize, lower: bool| {
        u32::try_from(start)
            .ok()
            .filter(|&start| start < 1 << 16)
            .map(|start| start | len << 16 | u32::from(lower) << 31)
    };
    if let Some(start) = selector.find(name) {
        return word(start, false);
    }
    let bytes = selector.as_bytes();
    let start = (0..=bytes.len().checked_sub(name.len())?)
        .find(|&start| bytes[start..start + name.len()].to_ascii_lowercase() == name.as_bytes())?;
    word(start, true)
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
        check_text(&text)?;
        let mut rules = RuleSet::default();
        rules.read_lines(&text, true, &[]);
        rules.text = text;
        Ok(rules)
    }

    /// `from_text`, with the tables of generic names and site rules read from `index` (written
    /// by [`RuleSet::index`] from the same text at build time) instead of built from the text:
    /// only the few lines before the index's `bulk_start` are read. An index made from another
    /// text, or damaged, is set aside and the tables are built from the text (the same rules,
    /// more slowly). Returns the rules and whether the index was used.
    pub fn from_text_and_index(text: String, index: &[u8]) -> Result<(RuleSet, bool), String> {
        check_text(&text)?;
        let Some((mut rules, subjects)) = read_index(&text, index) else {
            return RuleSet::from_text(text).map(|rules| (rules, false));
        };
        rules.read_lines(&text, false, &subjects);
        rules.text = text;
        Ok((rules, true))
    }

    /// The index of these rules (see [`RuleSet::from_text_and_index`]): made at build time, so
    /// that loading copies the tables instead of reading 24,000 lines on a reader's first click.
    ///
    /// Layout, in little-endian 32-bit words: `INDEX_MAGIC`, the text's length in bytes, its
    /// fingerprint, `bulk_start` (from there on the text holds only `c`, `i` and `s` lines, which
    /// the tables cover), `names_end` (the generic names lie before it); then the tables of
    /// generic classes, generic ids and site rules by domain, each as how many numbers it holds,
    /// its slot count and the slots; then where each site rule starts, after its count; then the
    /// site rules that name only excluded domains, likewise; then the subjects of the unkeyed
    /// selectors (`SubjectCode`), in the file's order, likewise. The counts and `names_end` are
    /// written here so that a page need not pass over every slot to learn them, the subjects so
    /// that it need not parse 428 selectors.
    pub fn index(&self) -> Vec<u8> {
        let mut words = vec![
            INDEX_MAGIC,
            self.text.len() as u32,
            fingerprint(self.text.as_bytes()),
            self.bulk_start as u32,
            self.names_end as u32,
        ];
        for table in [
            &self.generic_classes,
            &self.generic_ids,
            &self.site_by_domain,
        ] {
            words.push(table.len() as u32);
            words.push(table.slots.len() as u32);
            words.extend(&table.slots);
        }
        words.push(self.site.len() as u32);
        words.extend(&self.site);
        words.push(self.site_everywhere_but.len() as u32);
        words.extend(self.site_everywhere_but.iter().map(|&index| index as u32));
        let mut subjects = Vec::new();
        for listed in &self.unkeyed {
            let selector = self.part(listed.selector);
            SubjectCode::write(selector, listed.subject(selector), &mut subjects);
        }
        words.push(subjects.len() as u32);
        words.extend(subjects);
        words.iter().flat_map(|word| word.to_le_bytes()).collect()
    }

    /// The rule file as the build ships it (`rules/easylist.rules`): its text, then, from the
    /// next multiple of 4 bytes, its index (`index`), then the text's length and `BUNDLE_MAGIC`
    /// as little-endian words. One file for a page to fetch instead of two: each request costs a
    /// tab's main thread time of its own, more than its bytes do (docs/PERFORMANCE.md). `loadRules`
    /// reads the parts where they lie (`bundle_parts`).
    pub fn bundle(&self) -> Vec<u8> {
        let mut bytes = self.text.as_bytes().to_vec();
        bytes.resize(bytes.len().div_ceil(4) * 4, 0);
        bytes.extend(self.index());
        bytes.extend((self.text.len() as u32).to_le_bytes());
        bytes.extend(BUNDLE_MAGIC.to_le_bytes());
        bytes
    }

    /// Reads the lines of `text`: all of them with `bulk`; else those before `bulk_start`,
    /// skipping `c`, `i` and `s` lines (the index holds them). Every line is read byte by byte
    /// and kept as places in `text` (`Span`), nothing copied but the keys of keyed selectors;
    /// the subjects of unkeyed selectors are read here, from `subjects` (the index's, see
    /// `SubjectCode`) or else parsed, those of keyed ones when a page has their key. Notes in `bulk_start` where the last line other than `c`, `i` and `s` ends.
    fn read_lines(&mut self, text: &str, bulk: bool, subjects: &[u32]) {
        let mut subjects = SubjectCode { words: subjects };
        let bytes = text.as_bytes();
        let find = |from: usize, to: usize, byte: u8| {
            bytes[from..to]
                .iter()
                .position(|&b| b == byte)
                .map(|at| from + at)
        };
        // (hash, number) of each entry of the three tables, which are built once, at the end.
        let (mut classes, mut ids, mut domains) = (Vec::new(), Vec::new(), Vec::new());
        let stop = if bulk { bytes.len() } else { self.bulk_start };
        let mut next_line = 0;
        while next_line < stop {
            let line_start = next_line;
            let newline = find(line_start, bytes.len(), b'\n').unwrap_or(bytes.len());
            next_line = newline + 1;
            let end = if newline > line_start && bytes[newline - 1] == b'\r' {
                newline - 1
            } else {
                newline
            };
            if line_start == 0 || end == line_start {
                continue; // the header (checked before), or an empty line
            }
            // The line after its one-byte kind.
            let rest = line_start + 1;
            match bytes[line_start] {
                b'c' | b'i' | b's' if !bulk => {}
                b'c' => classes.push((name_hash(bytes[rest..end].iter().copied()), rest as u32)),
                b'i' => ids.push((name_hash(bytes[rest..end].iter().copied()), rest as u32)),
                b's' => {
                    let Some(tab) = find(rest, end, b'\t') else {
                        continue;
                    };
                    let index = self.site.len();
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
                        domains.push((domain_hash(entry), index as u32));
                    }
                    if !any_positive {
                        self.site_everywhere_but.push(index);
                    }
                    self.site.push(rest as u32);
                }
                kind @ (b'k' | b'g' | b'x' | b'h' | b'H') => {
                    if bulk {
                        self.bulk_start = next_line.min(bytes.len());
                    }
                    // Places in the text (`Span`), not strings; a tab splits a pair.
                    let tab = find(rest, end, b'\t');
                    match (kind, tab) {
                        (b'k', Some(tab)) => self
                            .keyed
                            .entry(text[rest..tab].to_string())
                            .or_default()
                            .push(Listed::new(Span::new(tab + 1, end))),
                        (b'g', _) => {
                            let listed = Listed::new(Span::new(rest, end));
                            let selector = &text[rest..end];
                            match subjects.read(selector) {
                                Some(subject) => {
                                    let _ = listed.subject.set(subject);
                                }
                                None => {
                                    listed.subject(selector);
                                }
                            }
                            self.unkeyed.push(listed);
                        }
                        (b'x', Some(tab)) => self
                            .exceptions
                            .push((Span::new(rest, tab), Span::new(tab + 1, end))),
                        (b'h', _) => self.generichide_domains.push(Span::new(rest, end)),
                        (b'H', _) => self.generichide_substrings.push(Span::new(rest, end)),
                        _ => {}
                    }
                }
                _ => {} // unknown kinds are skipped (newer files stay readable)
            }
        }
        if bulk {
            self.generic_classes = PlacesByHash::new(&classes);
            self.generic_ids = PlacesByHash::new(&ids);
            self.names_end = self.generic_classes.end().max(self.generic_ids.end());
            self.site_by_domain = PlacesByHash::new(&domains);
            self.site_total = self.site.len();
        }
    }

    /// Keeps only what a page of `host` can use: its site rules (as strings), and the text up to
    /// where the site rules begin. About two thirds of the file is site rules, so a page's
    /// memory holds a third of it.
    pub fn for_host(mut self, host: &str) -> RuleSet {
        let rules = self
            .site_candidates(host)
            .into_iter()
            .filter_map(|index| self.site_rule(index))
            .filter(|(domains, _)| domains_match(domains, host))
            .map(|(domains, selector)| (domains.to_string(), selector.to_string()))
            .collect();
        if let Some(start) = self.site_section_start() {
            self.text.truncate(start);
            self.text.shrink_to_fit();
        }
        self.site = Vec::new();
        self.site_by_domain = PlacesByHash::default();
        self.site_everywhere_but = Vec::new();
        self.host_sites = Some(HostSites {
            host: host.to_string(),
            rules,
        });
        self
    }

    /// `for_host`, reading the file and its index where they lie (`source`) instead of copying
    /// them whole: the text up to the site rules and the generic tables are copied; the site
    /// rules are looked up in the index in place, and only the lines that name `host` (or name
    /// only excluded domains) are copied. None when the index was not made from this text (the
    /// caller copies the file and uses `for_host`).
    pub fn for_host_in_place(
        source: &impl RuleSource,
        host: &str,
    ) -> Result<Option<RuleSet>, String> {
        let len = source.text_len();
        let head = source
            .text(0, len.min(HEADER.len() + 2))
            .unwrap_or_default();
        check_start(&String::from_utf8_lossy(&head), len)?;
        Ok(read_index_in_place(source, host))
    }

    /// Where the site rules begin, if nothing the rules use comes after them (the build writes
    /// them last; a file in another order is kept whole).
    fn site_section_start(&self) -> Option<usize> {
        let start = (*self.site.iter().min()? as usize).checked_sub(1)?;
        site_rules_last(self.bulk_start, start, self.names_end).then_some(start)
    }

    /// Candidate site rules for `host` (places in `site`), in order: their domain lists are
    /// checked after.
    fn site_candidates(&self, host: &str) -> Vec<usize> {
        let mut candidates: Vec<usize> = self.site_everywhere_but.clone();
        for key in domain_keys(host) {
            self.site_by_domain.any_under(domain_hash(&key), |place| {
                candidates.push(place as usize);
                false
            });
        }
        crate::core::order::sort_dedup_ids(&mut candidates);
        candidates
    }

    /// Site rule `index`: its domain list and its selector.
    fn site_rule(&self, index: usize) -> Option<(&str, &str)> {
        let line = self.text.get(*self.site.get(index)? as usize..)?;
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        line.strip_suffix('\r').unwrap_or(line).split_once('\t')
    }

    /// The text at `span` (empty if it is not there: never for a place this code read).
    fn part(&self, span: Span) -> &str {
        self.text
            .get(span.start as usize..span.end as usize)
            .unwrap_or_default()
    }

    pub fn counts(&self) -> RuleCounts {
        RuleCounts {
            generic: self.generic_classes.len()
                + self.generic_ids.len()
                + self.keyed.values().map(Vec::len).sum::<usize>()
                + self.unkeyed.len(),
            site: self.site_total,
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
                .any(|&domain| host_is_within(&host, &lower_case(self.part(domain))))
                || self
                    .generichide_substrings
                    .iter()
                    .any(|&needle| url.contains(self.part(needle))));
        let excepted = self
            .exceptions
            .iter()
            .map(|&(domains, selector)| (self.part(domains), self.part(selector)))
            .filter(|(domains, _)| domains.is_empty() || domains_match(domains, &host))
            .map(|(_, selector)| selector.to_string())
            .collect::<Set<_>>();
        let site_selectors = match &self.host_sites {
            // Loaded for one host: a page of another has none of its site rules (an extension's
            // page never changes host; see `for_host`).
            Some(kept) => kept
                .rules
                .iter()
                // (their domain lists were matched against the host at load)
                .filter(|(_, selector)| kept.host == host && !excepted.contains(selector))
                .map(|(_, selector)| selector.clone())
                .collect(),
            None => self
                .site_candidates(&host)
                .into_iter()
                .filter_map(|index| self.site_rule(index))
                .filter(|(domains, selector)| {
                    domains_match(domains, &host) && !excepted.contains(*selector)
                })
                .map(|(_, selector)| selector.to_string())
                .collect(),
        };
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
            let mut seen: Set<&str> = Set::default();
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
                            listed.extend(selectors.iter().map(|l| {
                                let selector = self.part(l.selector);
                                (selector, l.subject(selector), false)
                            }));
                        }
                    }
                }
            }
            listed.extend(self.unkeyed.iter().map(|l| {
                let selector = self.part(l.selector);
                (selector, l.subject(selector), false)
            }));
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

/// `text` in ASCII lower case, copied only when it has capitals (EasyList's domains seldom do).
fn lower_case(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(text.to_ascii_lowercase())
    } else {
        Cow::Borrowed(text)
    }
}

fn domain_entry_matches(entry: &str, host: &str) -> bool {
    let entry = lower_case(entry);
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
        None => host_is_within(host, &entry),
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
                .map(|l| rules.part(l.selector).to_string())
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
    fn a_bundle_holds_the_text_and_its_index_where_bundle_parts_finds_them() {
        for text in [
            SAMPLE,
            "!unsponsor-rules 1\ncad\n",
            "!unsponsor-rules 1\ncads\n",
        ] {
            let rules = RuleSet::parse(text).unwrap();
            let bundle = rules.bundle();
            let tail: [u8; 8] = bundle[bundle.len() - 8..].try_into().unwrap();
            let (text_end, start, end) = bundle_parts(bundle.len(), tail).unwrap();
            assert_eq!(&bundle[..text_end], text.as_bytes());
            assert_eq!(start % 4, 0);
            assert_eq!(&bundle[start..end], &rules.index()[..]);
            let (read, indexed) =
                RuleSet::from_text_and_index(text.to_string(), &bundle[start..end]).unwrap();
            assert!(indexed, "the index read back is the text's own");
            assert_eq!(read.counts(), rules.counts());
        }
        // A rule file's own last bytes, or a damaged tail, are no bundle.
        let text = SAMPLE.as_bytes();
        let tail: [u8; 8] = text[text.len() - 8..].try_into().unwrap();
        assert_eq!(bundle_parts(text.len(), tail), None);
        let mut tail = *b"\xff\xff\xff\x7fUSB1";
        assert_eq!(bundle_parts(100, tail), None, "a text longer than the file");
        tail[..4].copy_from_slice(&7u32.to_le_bytes());
        assert_eq!(
            bundle_parts(22, tail),
            None,
            "an index that is not whole words"
        );
        assert_eq!(bundle_parts(24, tail), Some((7, 8, 16)));
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
        // A generichide domain in capitals matches as in lower case.
        let capitals = RuleSet::parse(&SAMPLE.replace("hquiet.example", "hQuiet.EXAMPLE")).unwrap();
        let quiet = capitals.for_page("https://www.quiet.example/");
        assert_eq!(capitals.simple_match(&quiet, "", "ad-banner"), None);
        let loud = capitals.for_page("https://www.loud.example/");
        assert!(capitals.simple_match(&loud, "", "ad-banner").is_some());
    }

    /// `<body><div class="promo-box"><a>`: the tree, the body, the div and the link.
    fn promo_box_page() -> (PageTree, NodeId, NodeId, NodeId) {
        let mut tree = PageTree::new();
        let body = tree.add_element(None, "body", vec![]);
        let promo = tree.add_element(
            Some(body),
            "div",
            vec![("class".into(), "promo-box".into())],
        );
        let link = tree.add_element(Some(promo), "a", vec![]);
        (tree, body, promo, link)
    }

    #[test]
    fn site_rules_follow_their_domains() {
        let rules = RuleSet::parse(SAMPLE).unwrap();
        let (mut tree, body, _, _) = promo_box_page();
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
        let (tree, _, _, link) = promo_box_page();
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

    /// A rule file large enough to make the tables grow many times, with repeated domains,
    /// negations, entity forms and upper case, and a few lines of the other kinds first: its
    /// text, the generic class names, and hosts its site rules name.
    fn generated_rules() -> (String, Vec<String>, Vec<String>) {
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
        text.push_str("k.promo-box\tdiv.promo-box > a\ng[data-taboola-options]\nxnews3.de\t.ad-7-1\nhquiet.example\nH://10.0.0.\n");
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
        hosts.push("unrelated.net".to_string());
        (text, classes, hosts)
    }

    /// The hashed tables give the answers a plain scan of every rule gives.
    #[test]
    fn hashed_lookups_agree_with_a_plain_scan() {
        let (text, classes, hosts) = generated_rules();
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
        for host in hosts.iter().step_by(7) {
            let scanned: Vec<String> = (0..rules.site.len())
                .filter_map(|index| rules.site_rule(index))
                .filter(|(domains, _)| domains_match(domains, host))
                .map(|(_, selector)| selector.to_string())
                .collect();
            let page = rules.for_page(&format!("https://{host}/a"));
            assert_eq!(page.site_selectors, scanned, "for {host}");
        }
    }

    /// What a page gets from a rule set: generic hiding, exceptions, site selectors, and the
    /// generic names that match (each class name, and each name + "x" as an id).
    fn answers(rules: &RuleSet, host: &str, names: &[String]) -> Vec<String> {
        let page = rules.for_page(&format!("https://{host}/a"));
        let mut excepted: Vec<&String> = page.excepted.iter().collect();
        excepted.sort();
        let mut out = vec![format!("{} {excepted:?}", page.generic_enabled)];
        out.extend(page.site_selectors.iter().cloned());
        for name in names {
            out.extend(rules.simple_match(&page, "", name));
            out.extend(rules.simple_match(&page, &format!("{name}x"), ""));
        }
        out
    }

    /// Loaded for one host, in place or from a copy, a rule file answers that host's pages as it
    /// does whole, and keeps the text only up to the site rules.
    #[test]
    fn rules_loaded_for_a_host_answer_its_pages_as_the_whole_file() {
        let (text, classes, hosts) = generated_rules();
        let whole = RuleSet::parse(&text).unwrap();
        let index = whole.index();
        let source = SliceSource {
            text: text.as_bytes(),
            index: &index,
        };
        let mut checked = 0;
        for host in hosts
            .iter()
            .step_by(17)
            .chain([&"news3.de".to_string(), &"www.quiet.example".to_string()])
        {
            let expected = answers(&whole, host, &classes[..40]);
            let in_place = RuleSet::for_host_in_place(&source, host)
                .unwrap()
                .expect("the index fits its text");
            assert_eq!(
                answers(&in_place, host, &classes[..40]),
                expected,
                "in place, {host}"
            );
            assert_eq!(in_place.counts(), whole.counts());
            assert_eq!(
                in_place.text.len(),
                text.find("\ns").unwrap() + 1,
                "the text is copied up to the site rules"
            );
            let copied = RuleSet::parse(&text).unwrap().for_host(host);
            assert_eq!(
                answers(&copied, host, &classes[..40]),
                expected,
                "copied, {host}"
            );
            assert_eq!(copied.text.len(), in_place.text.len());
            // Another host gets none of this host's site rules.
            assert!(
                in_place
                    .for_page("https://unrelated.net/")
                    .site_selectors
                    .len()
                    <= expected.len()
            );
            checked += 1;
        }
        assert!(checked > 100);
        // An index made from another text is refused (the caller copies the file instead).
        let other = format!("{text}c.one-more\n");
        let refused = SliceSource {
            text: other.as_bytes(),
            index: &index,
        };
        assert!(RuleSet::for_host_in_place(&refused, "news3.de")
            .unwrap()
            .is_none());
        assert!(RuleSet::for_host_in_place(
            &SliceSource {
                text: b"not rules",
                index: &index
            },
            "x.com"
        )
        .is_err());
        // Site rules not last: kept whole when copied, refused in place; the same answers.
        let mixed = format!("{text}kx.late\tdiv.late\ncad-late\n");
        let mixed_whole = RuleSet::parse(&mixed).unwrap();
        let mixed_index = mixed_whole.index();
        let mixed_source = SliceSource {
            text: mixed.as_bytes(),
            index: &mixed_index,
        };
        assert!(RuleSet::for_host_in_place(&mixed_source, "news3.de")
            .unwrap()
            .is_none());
        let late: Vec<String> = vec!["ad-late".to_string()];
        for host in hosts.iter().step_by(101) {
            let copied = RuleSet::parse(&mixed).unwrap().for_host(host);
            assert_eq!(copied.text.len(), mixed.len());
            assert_eq!(
                answers(&copied, host, &late),
                answers(&mixed_whole, host, &late)
            );
        }
    }

    /// Loaded with its index, a rule file answers every page as it does read line by line,
    /// with the same counts, the same queries, and the same index again.
    #[test]
    fn an_index_gives_what_the_text_gives() {
        let (text, classes, hosts) = generated_rules();
        let read = RuleSet::parse(&text).unwrap();
        let index = read.index();
        let (indexed, used) = RuleSet::from_text_and_index(text.clone(), &index).unwrap();
        assert!(used, "the index was set aside");
        assert!(indexed.bulk_start > 0 && indexed.bulk_start < text.len() / 10);
        assert_eq!(indexed.counts(), read.counts());
        assert_eq!(indexed.index(), index);
        for host in hosts
            .iter()
            .step_by(11)
            .chain([&"news3.de".to_string(), &"www.quiet.example".to_string()])
        {
            assert_eq!(
                answers(&indexed, host, &classes[..60]),
                answers(&read, host, &classes[..60]),
                "for {host}"
            );
        }
        // The keyed and unkeyed selectors come from the lines before the bulk.
        let (mut tree, _, promo, _) = promo_box_page();
        tree.note_unread_attribute(promo, "data-taboola-options");
        let queries = |rules: &RuleSet| {
            let found = rules.queries(
                &tree,
                &rules.for_page("https://a.example/"),
                &ElementIndex::new(&tree),
            );
            found.into_iter().map(|q| q.selector).collect::<Vec<_>>()
        };
        assert_eq!(
            queries(&indexed),
            vec!["div.promo-box > a", "[data-taboola-options]"]
        );
        assert_eq!(queries(&indexed), queries(&read));
        // Lines of any kind in any order: the index covers every c, i and s line.
        let mixed = format!("{text}kx.late\tdiv.late\ncad-late\n");
        let read = RuleSet::parse(&mixed).unwrap();
        let (indexed, used) = RuleSet::from_text_and_index(mixed.clone(), &read.index()).unwrap();
        assert!(used);
        assert_eq!(indexed.counts(), read.counts());
        for host in hosts.iter().step_by(13) {
            assert_eq!(
                answers(&indexed, host, &classes),
                answers(&read, host, &classes),
                "for {host}"
            );
        }
        let page = indexed.for_page("https://a.example/");
        assert_eq!(
            indexed.simple_match(&page, "", "ad-late").as_deref(),
            Some(".ad-late")
        );
    }

    /// An index made from another text is set aside (the text alone is read); a damaged one is
    /// set aside or, past the checks, costs missed rules only: no panic, no endless lookup.
    #[test]
    fn an_index_of_another_text_or_damaged_is_set_aside() {
        let index = RuleSet::parse(SAMPLE).unwrap().index();
        let other = SAMPLE.replace("cad-banner", "cad-banners");
        let (rules, used) = RuleSet::from_text_and_index(other.clone(), &index).unwrap();
        assert!(!used);
        let page = rules.for_page("https://a.example/");
        assert_eq!(
            rules.simple_match(&page, "", "ad-banners").as_deref(),
            Some(".ad-banners")
        );
        assert!(
            !RuleSet::from_text_and_index(SAMPLE.to_string(), &index[..index.len() - 4])
                .unwrap()
                .1
        );
        assert!(
            !RuleSet::from_text_and_index(SAMPLE.to_string(), &[])
                .unwrap()
                .1
        );
        let mut longer = index.clone();
        longer.extend([0; 4]);
        assert!(
            !RuleSet::from_text_and_index(SAMPLE.to_string(), &longer)
                .unwrap()
                .1
        );
        assert!(RuleSet::from_text_and_index("no header".to_string(), &index).is_err());
        let names = ["ad-banner".to_string(), "taboola-below".to_string()];
        for at in 0..index.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut damaged = index.clone();
                damaged[at] ^= flip;
                let (rules, _) =
                    RuleSet::from_text_and_index(SAMPLE.to_string(), &damaged).unwrap();
                for host in [
                    "example.com",
                    "news.example.com",
                    "example.org",
                    "a.example",
                ] {
                    answers(&rules, host, &names);
                }
            }
        }
    }

    /// A table read from an index holds the count the index gives, and a walk in one with no
    /// empty slot (a damaged index) goes round it once and stops.
    #[test]
    fn a_table_from_an_index_keeps_its_count_and_ends_every_walk() {
        let full = PlacesByHash::from_slots(vec![4, 9, 2], 3).unwrap();
        assert_eq!(full.len(), 3);
        let mut met = Vec::new();
        assert!(!full.any_under(7, |place| {
            met.push(place);
            false
        }));
        assert_eq!(met.len(), 3, "each slot once");
        assert!(full.any_under(7, |place| place == 2));
        assert!(PlacesByHash::from_slots(vec![4, EMPTY_SLOT], 3).is_none());
        assert!(!PlacesByHash::default().any_under(7, |_| true));
        // The index carries the counts and where the generic names end.
        let rules = RuleSet::parse(SAMPLE).unwrap();
        let (read, used) =
            RuleSet::from_text_and_index(SAMPLE.to_string(), &rules.index()).unwrap();
        assert!(used);
        assert_eq!(read.generic_classes.len(), 1);
        assert_eq!(read.generic_ids.len(), 1);
        assert_eq!(read.names_end, SAMPLE.find("itaboola").unwrap() + 2);
        assert_eq!(read.names_end, rules.names_end);
    }

    /// The index's subjects of unkeyed selectors read back as parsing gives them; those the
    /// build cannot write as places are parsed at load; damaged words cost a parse, no more.
    #[test]
    fn unkeyed_subjects_come_from_the_index_as_parsed() {
        let selectors = [
            r#"a[href^="https://clicks.example/"]"#,
            "AD-SLOT",
            "div.ad:not(.keep)#top[data-A$='x' i]",
            "[data-freestar-ad][id]",
            r#"div[data-x="a > b"] > IMG.Banner"#,
            "*",
            ".a, .b",
            r"#ad\:1",
            "img[src*=ads][width='728']",
        ];
        let mut text = String::from("!unsponsor-rules 1\n");
        for selector in selectors {
            text.push_str(&format!("g{selector}\n"));
        }
        text.push_str("cad\nsexample.com\t.site-ad\n");
        let whole = RuleSet::parse(&text).unwrap();
        let parsed: Vec<Option<Subject>> = selectors.iter().map(|s| Subject::parse(s)).collect();
        let subjects = |rules: &RuleSet| -> Vec<Option<Subject>> {
            rules
                .unkeyed
                .iter()
                .map(|l| l.subject.get().expect("read at load").clone())
                .collect()
        };
        assert_eq!(subjects(&whole), parsed);
        let mut written = Vec::new();
        for (selector, subject) in selectors.iter().zip(&parsed) {
            let start = written.len();
            SubjectCode::write(selector, subject.as_ref(), &mut written);
            let head = written[start];
            let expected = if subject.is_none() { 0 } else { 1 };
            assert_eq!(head & 1, expected, "{selector}");
            assert_ne!(head, PARSED_AT_LOAD, "{selector}");
        }
        let index = whole.index();
        let (read, used) = RuleSet::from_text_and_index(text.clone(), &index).unwrap();
        assert!(used);
        assert_eq!(subjects(&read), parsed);
        let in_place = RuleSet::for_host_in_place(
            &SliceSource {
                text: text.as_bytes(),
                index: &index,
            },
            "example.com",
        )
        .unwrap()
        .unwrap();
        assert_eq!(subjects(&in_place), parsed);
        // A name that is not in its selector as is nor in lower case is parsed at load.
        let mut odd = Vec::new();
        let subject = Subject {
            tag: Some("span".to_string()),
            ..Subject::default()
        };
        SubjectCode::write("div", Some(&subject), &mut odd);
        assert_eq!(odd, vec![PARSED_AT_LOAD]);
        let mut code = SubjectCode { words: &odd };
        assert_eq!(code.read("div"), Some(Subject::parse("div")));
        // Damaged words: that selector and every later one are parsed.
        let mut code = SubjectCode {
            words: &[1 | 2, 0xffff],
        };
        assert_eq!(code.read("div"), None);
        assert!(code.words.is_empty());
        assert_eq!(code.read("div"), None);
    }

    /// Site rules read in place: a line longer than a chunk is read whole, and a place in the
    /// index that does not start a site rule's line makes the index refused.
    #[test]
    fn site_rules_read_in_place_are_whole_lines_where_the_index_says() {
        let long = format!(".long-{}", "x".repeat(600));
        let text = format!(
            "!unsponsor-rules 1\ncad\nsa.example\t.first\r\nslong.example,b.example\t{long}\nsb.example\t.last\n"
        );
        let mut whole = RuleSet::parse(&text).unwrap();
        let index = whole.index();
        let source = SliceSource {
            text: text.as_bytes(),
            index: &index,
        };
        let selectors = |host: &str| {
            let rules = RuleSet::for_host_in_place(&source, host).unwrap().unwrap();
            rules.for_page(&format!("https://{host}/")).site_selectors
        };
        assert_eq!(selectors("a.example"), vec![".first"]);
        assert_eq!(
            selectors("b.example"),
            vec![long.clone(), ".last".to_string()]
        );
        assert_eq!(selectors("long.example"), vec![long]);
        // The second rule's place moved one byte on: refused in place.
        whole.site[1] += 1;
        let moved = whole.index();
        let damaged = SliceSource {
            text: text.as_bytes(),
            index: &moved,
        };
        assert!(RuleSet::for_host_in_place(&damaged, "b.example")
            .unwrap()
            .is_none());
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
