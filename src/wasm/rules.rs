//! The rules a clean uses besides the heuristics: EasyList's, loaded once per page (and their
//! index, which the build has this module make), and the reader's own (`core::user_rules`),
//! checked by the browser's selector engine.

use super::session::current_url;
use super::session::to_js;
use crate::core::easylist::{bundle_parts, le_words, PageRules, RuleSet, RuleSource};
use crate::core::user_rules::{RuleError, UserRule, UserRules};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// EasyList's rules once loaded, with the rules resolved for the current page address.
pub(crate) struct LoadedLists {
    rules: RuleSet,
    page_url: String,
    page: PageRules,
}

impl LoadedLists {
    /// The rules, and those resolved for the page at `url` (resolved again when the address
    /// changed since the last call).
    pub(crate) fn for_page(&mut self, url: String) -> (&RuleSet, &PageRules) {
        if self.page_url != url {
            self.page = self.rules.for_page(&url);
            self.page_url = url;
        }
        (&self.rules, &self.page)
    }
}

thread_local! {
    static RULES: RefCell<Option<LoadedLists>> = const { RefCell::new(None) };
    static USER_RULES: RefCell<UserRules> = RefCell::new(UserRules::default());
}

/// Calls `f` with EasyList's rules, or with `None` before `loadRules`.
pub(crate) fn with_lists<R>(f: impl FnOnce(Option<&mut LoadedLists>) -> R) -> R {
    RULES.with(|cell| f(cell.borrow_mut().as_mut()))
}

/// A rule file's bytes and its index's, where JavaScript holds them: the core copies what the
/// page can use (`RuleSet::for_host_in_place`). Each read is a call into JavaScript, which costs
/// more than the bytes it copies, so the lengths are asked once, and single words are read
/// through a `DataView` (one call, no copy, no array made).
struct InPlace {
    text: js_sys::Uint8Array,
    index: js_sys::Uint8Array,
    text_len: usize,
    index_words: usize,
    index_view: js_sys::DataView,
}

impl InPlace {
    fn new(text: js_sys::Uint8Array, index: js_sys::Uint8Array) -> InPlace {
        let index_words = index.length() as usize / 4;
        let index_view = js_sys::DataView::new(
            &index.buffer(),
            index.byte_offset() as usize,
            index_words * 4,
        );
        InPlace {
            text_len: text.length() as usize,
            text,
            index,
            index_words,
            index_view,
        }
    }
}

impl RuleSource for InPlace {
    fn text_len(&self) -> usize {
        self.text_len
    }

    fn text(&self, from: usize, to: usize) -> Option<Vec<u8>> {
        (from <= to && to <= self.text_len)
            .then(|| self.text.subarray(from as u32, to as u32).to_vec())
    }

    fn index_words(&self) -> usize {
        self.index_words
    }

    fn words(&self, from: usize, to: usize) -> Option<Vec<u32>> {
        if from > to || to > self.index_words {
            return None;
        }
        let offset = self.index.byte_offset() + from as u32 * 4;
        if offset % 4 == 0 && cfg!(target_endian = "little") {
            // Copied as words at once (the index is little-endian, as WebAssembly is).
            let view = js_sys::Uint32Array::new_with_byte_offset_and_length(
                &self.index.buffer(),
                offset,
                (to - from) as u32,
            );
            return Some(view.to_vec());
        }
        let bytes = self.index.subarray(from as u32 * 4, to as u32 * 4).to_vec();
        Some(le_words(&bytes))
    }

    fn word(&self, at: usize) -> Option<u32> {
        (at < self.index_words).then(|| self.index_view.get_uint32_endian(at * 4, true))
    }
}

/// Loads a compiled rule file, given as a string or as its bytes, with its index when there is
/// one (see `loadRules`), for the page's host: a page keeps its own site rules only. Given as
/// bytes with an index made from them, the file is read where JavaScript holds it and only what
/// the page can use is copied. Returns `{ generic, site, exceptions, indexed }`.
pub(crate) fn load_rules(
    rules: JsValue,
    index: Option<js_sys::Uint8Array>,
) -> Result<JsValue, JsError> {
    let host = crate::core::vocabulary::url_host(&current_url()).unwrap_or_default();
    // The build ships the file and its index as one (`RuleSet::bundle`).
    let (rules, index) = match index {
        Some(index) => (rules, Some(index)),
        None => match unbundle(&rules) {
            Some((text, index)) => (text, Some(index)),
            None => (rules, None),
        },
    };
    // In place only for arrays of this module's own realm: in a Firefox content script the
    // bytes come from another compartment, where `subarray` is refused ("Permission denied to
    // access property constructor"); those are copied whole, as before, and the other hosts'
    // site rules dropped after.
    let in_place = match (&index, rules.is_instance_of::<js_sys::Uint8Array>()) {
        (Some(index), true) if index.is_instance_of::<js_sys::Uint8Array>() => {
            let source = InPlace::new(rules.clone().unchecked_into(), index.clone());
            RuleSet::for_host_in_place(&source, &host).map_err(invalid_rules)?
        }
        _ => None,
    };
    let (rules, indexed) = match in_place {
        Some(rules) => (rules, true),
        None => {
            let (rules, indexed) = whole_rules(rules, index)?;
            (rules.for_host(&host), indexed)
        }
    };
    keep_rules(rules, indexed)
}

/// A rule file copied whole and read, with its index when there is one: the rules, and whether
/// the index was used.
fn whole_rules(
    rules: JsValue,
    index: Option<js_sys::Uint8Array>,
) -> Result<(RuleSet, bool), JsError> {
    let text = rules_text(rules)?;
    match index {
        Some(index) => RuleSet::from_text_and_index(text, &index.to_vec()),
        None => RuleSet::from_text(text).map(|rules| (rules, false)),
    }
    .map_err(invalid_rules)
}

/// Keeps `rules` for every later clean; answers `{ generic, site, exceptions, indexed }`.
fn keep_rules(rules: RuleSet, indexed: bool) -> Result<JsValue, JsError> {
    let loaded = to_js(&rules.counts())?;
    // Setting a property of a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&loaded, &"indexed".into(), &indexed.into());
    RULES.with(|cell| {
        *cell.borrow_mut() = Some(LoadedLists {
            rules,
            page_url: String::new(),
            page: PageRules::default(),
        })
    });
    Ok(loaded)
}

/// `load_rules` for a core that judges pages of every site (`judgeDocument`, in the extension's
/// background rather than in one page): the whole file is kept, and each page's site rules are
/// found when it is judged. It costs a copy of the whole file (about 0.9 MB) once, where a page
/// keeps its own host's rules only. Takes the bundle as the build ships it, or a file's text
/// or bytes without an index.
pub(crate) fn load_rules_for_every_host(rules: JsValue) -> Result<JsValue, JsError> {
    let (rules, indexed) = match unbundle(&rules) {
        Some((text, index)) => whole_rules(text, Some(index))?,
        None => whole_rules(rules, None)?,
    };
    keep_rules(rules, indexed)
}

/// A bundle's text and index (`RuleSet::bundle`), or None for bytes or text that are not one.
/// Arrays of this module's realm are cut where they lie (`subarray`); others (a Firefox content
/// script's, see `load_rules`) are copied first, then cut.
fn unbundle(rules: &JsValue) -> Option<(JsValue, js_sys::Uint8Array)> {
    if !js_sys::ArrayBuffer::is_view(rules) {
        return None;
    }
    let bytes: js_sys::Uint8Array = rules.clone().unchecked_into();
    let len = bytes.length() as usize;
    if len < 8 {
        return None;
    }
    let copied = (!rules.is_instance_of::<js_sys::Uint8Array>()).then(|| bytes.to_vec());
    let mut tail = [0u8; 8];
    match &copied {
        Some(all) => tail.copy_from_slice(&all[len - 8..]),
        None => bytes
            .subarray(len as u32 - 8, len as u32)
            .copy_to(&mut tail),
    }
    let (text_end, start, end) = bundle_parts(len, tail)?;
    Some(match copied {
        None => (
            bytes.subarray(0, text_end as u32).into(),
            bytes.subarray(start as u32, end as u32),
        ),
        Some(all) => (
            js_sys::Uint8Array::from(&all[..text_end]).into(),
            js_sys::Uint8Array::from(&all[start..end]),
        ),
    })
}

/// The rule file as the build ships it: its text and its index in one (`RuleSet::bundle`).
pub(crate) fn bundle_rules(rules: JsValue) -> Result<Vec<u8>, JsError> {
    let rules = RuleSet::from_text(rules_text(rules)?).map_err(invalid_rules)?;
    Ok(rules.bundle())
}

/// The index of a compiled rule file (its text or bytes), for `loadRules`.
pub(crate) fn index_rules(rules: JsValue) -> Result<Vec<u8>, JsError> {
    let rules = RuleSet::from_text(rules_text(rules)?).map_err(invalid_rules)?;
    Ok(rules.index())
}

fn invalid_rules(problem: String) -> JsError {
    JsError::new(&format!("invalid rule file: {problem}"))
}

/// A rule file given as a string or as its UTF-8 bytes.
fn rules_text(rules: JsValue) -> Result<String, JsError> {
    match rules.as_string() {
        Some(text) => Ok(text),
        // `ArrayBuffer.isView`, not `instanceof Uint8Array`: in a Firefox content script the
        // bytes may come from another compartment, whose Uint8Array is not the glue's.
        None if js_sys::ArrayBuffer::is_view(&rules) => {
            let bytes = rules.unchecked_into::<js_sys::Uint8Array>().to_vec();
            String::from_utf8(bytes)
                .map_err(|_| JsError::new("invalid rule file: it is not UTF-8 text"))
        }
        None => Err(JsError::new(
            "invalid rule file: give its text or its bytes",
        )),
    }
}

/// The selectors of the reader's rules for the site `host`: those that hide and those that
/// keep.
pub(crate) fn user_selectors_for(host: &str) -> (Vec<String>, Vec<String>) {
    USER_RULES.with(|cell| {
        let rules = cell.borrow();
        let (hide, keep) = rules.for_host(host);
        let selectors = |list: Vec<&UserRule>| -> Vec<String> {
            list.iter().map(|rule| rule.selector.clone()).collect()
        };
        (selectors(hide), selectors(keep))
    })
}

/// What `parseUserRules` and `setUserRules` answer.
#[derive(Serialize)]
pub(crate) struct RulesSummary {
    rules: usize,
    errors: Vec<RuleError>,
}

/// Checks a list of the reader's rules without applying it.
pub(crate) fn check_user_rules(text: &str) -> RulesSummary {
    let parsed = checked_rules(text);
    RulesSummary {
        rules: parsed.rules.len(),
        errors: parsed.errors,
    }
}

/// Parses the reader's rules and keeps the valid ones for every later clean and late pass.
pub(crate) fn set_user_rules(text: &str) -> RulesSummary {
    let parsed = checked_rules(text);
    let summary = RulesSummary {
        rules: parsed.rules.len(),
        errors: parsed.errors.clone(),
    };
    USER_RULES.with(|cell| *cell.borrow_mut() = parsed);
    summary
}

/// Parses a rule list and lets the browser's selector engine reject what it cannot read.
fn checked_rules(text: &str) -> UserRules {
    let mut parsed = UserRules::parse(text);
    let fragment = web_sys::window()
        .and_then(|w| w.document())
        .map(|d| d.create_document_fragment());
    if let Some(fragment) = fragment {
        let mut rejected = Vec::new();
        parsed.rules.retain(|rule| {
            let readable = fragment.query_selector(&rule.selector).is_ok();
            if !readable {
                rejected.push(RuleError {
                    line: rule.line,
                    text: rule.selector.chars().take(120).collect(),
                    reason: "the browser cannot read this selector".to_string(),
                });
            }
            readable
        });
        parsed.errors.extend(rejected);
        crate::core::order::sort_by_key_stable(&mut parsed.errors, |error| error.line);
    }
    parsed
}

/// The stylesheet that hides, before the first paint of the next page of the site at `url`,
/// what is certain there from markup alone (`core::early`): the vendor containers and ad slots,
/// the site's EasyList `##` selectors (once the rules are loaded) and the reader's own rules for
/// the site, sparing what the reader keeps.
pub(crate) fn early_hide_stylesheet(url: &str) -> String {
    let host = crate::core::vocabulary::url_host(url).unwrap_or_default();
    let mut hide = crate::core::early::built_in_selectors();
    with_lists(|lists| {
        if let Some(lists) = lists {
            let (_, page) = lists.for_page(url.to_string());
            hide.extend(page.site_selectors().iter().cloned());
        }
    });
    let (mine, keep) = user_selectors_for(&host);
    hide.extend(mine);
    crate::core::early::stylesheet(&hide, &keep)
}
