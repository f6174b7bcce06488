//! The `#[wasm_bindgen]` surface used by the extension's content script and the demo page.
//!
//! One page has one session: what was removed (for undo), the running report, and the watcher
//! for late widgets. Errors become `JsError` here and nowhere else.

use crate::core::budget::LateBudget;
use crate::core::category::CategorySet;
use crate::core::easylist::SelectorQuery;
use crate::core::easylist::{PageRules, RuleSet};
use crate::core::guard::GuardId;
use crate::core::plan::{plan, plan_with_lists, ListMatches};
use crate::core::plan::{PlannedRemoval, PREVIEW_MAX_CHARS};
use crate::core::report::{CleanOptions, KeptRecord, RemovalRecord, Report, Timings};
use crate::core::rules::RuleId;
use crate::core::selector::{ElementIndex, Subject};
use crate::core::user_rules::{apply_to_plan, RuleError, UserRule, UserRules};
use crate::core::vocabulary::url_host;
use crate::dom::late_roots;
use crate::dom::watch::{late_pass_delay_ms, Watcher, MAX_LATE_PASSES};
use crate::dom::{detach_stats, match_selectors, snapshot, Detach, Removed, Snapshot, Walker};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[derive(Default)]
struct Session {
    /// The address the session belongs to. A single-page app that navigates (history.pushState)
    /// shows a new page: the session ends there, as it would on a real navigation.
    url: String,
    removed: Removed,
    report: Report,
    options: CleanOptions,
    watcher: Option<Watcher>,
    /// The main-thread time late passes may still use (see `core::budget`).
    late_budget: LateBudget,
    listener: Option<js_sys::Function>,
    /// Changes on every clean, undo and navigation: a sliced pass still running for an older
    /// value stops at its next slice.
    generation: u64,
    /// The page is huge: passes over it run in slices (see `SLICED_PAGE_ELEMENTS`).
    sliced: bool,
    /// A sliced late pass is running; the timer does not start another meanwhile.
    late_running: bool,
    /// Blocks the reader put back ("Keep this", per-item restore): later passes leave them.
    kept_by_reader: Vec<web_sys::Element>,
    /// The article the first clean found, so late passes know whether a widget sits in it, and
    /// a second clean keeps it as the article (`PageTree::set_article_hint`).
    article: Option<web_sys::Node>,
    /// Blocks a clean kept for their share of the article: later cleans keep them too
    /// (`PageTree::keep_for_share`).
    kept_for_share: Vec<web_sys::Node>,
}

/// Pages with more elements than this are cleaned in slices, each in its own task, so the page
/// stays responsive (a million-element page would otherwise block it for seconds; wikipedia-2
/// of the dev corpus, 9,900 elements, for 150 ms, now in 9 slices of at most 38 ms). Under it a
/// clean is one task. At this limit the dev corpus's removals are the same as in one go.
const SLICED_PAGE_ELEMENTS: u32 = 5_000;
/// Nodes in the first slice; later slices are sized from the time the previous ones took. (Below
/// the minimum: the first slice runs much of its code for the first time, 40-70 ms for 1,000
/// nodes on the million-element page.)
const FIRST_SLICE_NODES: usize = 250;
const MIN_SLICE_NODES: usize = 500;
const MAX_SLICE_NODES: usize = 20_000;
/// Time one slice aims at (a task over 50 ms is a "long task" to the browser).
const SLICE_TARGET_MS: f64 = 16.0;

/// EasyList's rules once loaded, with the rules resolved for the current page address.
struct LoadedLists {
    rules: RuleSet,
    page_url: String,
    page: PageRules,
}

thread_local! {
    static SESSION: RefCell<Session> = RefCell::new(Session::default());
    static RULES: RefCell<Option<LoadedLists>> = const { RefCell::new(None) };
    static USER_RULES: RefCell<UserRules> = RefCell::new(UserRules::default());
}

fn current_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.url().ok())
        .unwrap_or_default()
}

/// Ends the session if the page navigated since it began (single-page apps): its removals
/// belonged to the previous page, whose blocks are gone with it.
fn end_session_after_navigation(session: &mut Session) {
    if session.url.is_empty() || session.url == current_url() {
        return;
    }
    if let Some(mut watcher) = session.watcher.take() {
        watcher.stop();
    }
    let listener = session.listener.take();
    let generation = session.generation + 1;
    *session = Session::default();
    session.listener = listener;
    session.generation = generation;
}

fn window() -> Result<web_sys::Window, JsError> {
    web_sys::window().ok_or_else(|| JsError::new("Unsponsor needs a window with a document"))
}

fn document(window: &web_sys::Window) -> Result<web_sys::Document, JsError> {
    window
        .document()
        .ok_or_else(|| JsError::new("Unsponsor needs a document"))
}

fn now_ms(window: &web_sys::Window) -> f64 {
    window.performance().map(|p| p.now()).unwrap_or(0.0)
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not encode the report: {e}")))
}

fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|memory| memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |buffer| f64::from(buffer.byte_length()))
}

/// A removal decided on a snapshot, with the live node it names.
struct Decided {
    handle: web_sys::Node,
    removal: crate::core::plan::PlannedRemoval,
}

/// Plans `snapshot`. `whole_page`: the snapshot is the whole page (not a slice), so EasyList
/// selectors without candidates may query the whole document. Returns the removals to make and
/// where the time went.
fn plan_snapshot(
    session: &mut Session,
    window: &web_sys::Window,
    snapshot: Snapshot,
    late: bool,
    whole_page: bool,
) -> Result<(Vec<Decided>, Timings), JsError> {
    let categories = session.options.categories;
    plan_snapshot_for(session, window, snapshot, &categories, !late, whole_page)
}

/// `plan_snapshot` with the categories given; `record`: keep the guards' decisions and the
/// article in the report (a first clean does, late passes and previews do not).
fn plan_snapshot_for(
    session: &mut Session,
    window: &web_sys::Window,
    snapshot: Snapshot,
    categories: &CategorySet,
    record: bool,
    whole_page: bool,
) -> Result<(Vec<Decided>, Timings), JsError> {
    let document = document(window)?;
    let mut snapshot = snapshot;
    if let Some(article) = session
        .article
        .as_ref()
        .and_then(|article| snapshot.handles.position_of(article))
    {
        snapshot.tree.set_article_hint(article);
    }
    for block in &session.kept_for_share {
        if let Some(position) = snapshot.handles.position_of(block) {
            snapshot.tree.keep_for_share(position);
        }
    }
    let snapshotted = now_ms(window);
    let mut select_ms = 0.0;
    // Built once per snapshot, on first need, for EasyList's and the reader's selectors alike.
    let index = std::cell::OnceCell::new();
    let element_index = || index.get_or_init(|| ElementIndex::new(&snapshot.tree));
    let plan = RULES.with(|cell| {
        let mut lists = cell.borrow_mut();
        let Some(lists) = lists.as_mut() else {
            return plan(&snapshot.tree, categories);
        };
        let url = document.url().unwrap_or_default();
        if lists.page_url != url {
            lists.page = lists.rules.for_page(&url);
            lists.page_url = url;
        }
        let mut queries = lists
            .rules
            .queries(&snapshot.tree, &lists.page, element_index());
        if !whole_page {
            // A document-wide query per slice would scan the huge page again and again.
            queries.retain(|query| query.candidates.is_some());
        }
        let selecting = now_ms(window);
        let selector_matches = match_selectors(&document, &queries, &snapshot.handles);
        select_ms = now_ms(window) - selecting;
        plan_with_lists(
            &snapshot.tree,
            categories,
            Some(&ListMatches {
                rules: &lists.rules,
                page: &lists.page,
                selector_matches: &selector_matches,
            }),
        )
    });
    if record {
        session
            .report
            .kept
            .extend(plan.kept.iter().map(KeptRecord::from));
        if session.report.article.is_none() {
            session.report.article = plan.article_preview.clone();
        }
        for block in &plan.kept {
            if block.guard == GuardId::GuardArticleShare {
                if let Some(handle) = snapshot.handles.get(block.node) {
                    if !session.kept_for_share.contains(&handle) {
                        session.kept_for_share.push(handle);
                    }
                }
            }
        }
        if session.article.is_none() {
            session.article = plan
                .article_root
                .and_then(|root| snapshot.handles.get(root));
        }
    }
    let mut removals = plan.removals;
    apply_reader_rules(
        &document,
        &snapshot,
        element_index,
        &session.kept_by_reader,
        &mut removals,
        whole_page,
    );
    let decided = removals
        .into_iter()
        .filter_map(|removal| {
            let handle = snapshot.handles.get(removal.node)?;
            Some(Decided { handle, removal })
        })
        .collect();
    let timings = Timings {
        nodes: snapshot.tree.len(),
        snapshot_ms: 0.0,
        select_ms,
        plan_ms: now_ms(window) - snapshotted,
        remove_ms: 0.0,
    };
    Ok((decided, timings))
}

/// The reader's own rules and kept blocks, applied to a plan (`core::user_rules`).
fn apply_reader_rules<'a>(
    document: &web_sys::Document,
    snapshot: &Snapshot,
    element_index: impl Fn() -> &'a ElementIndex<'a>,
    kept_by_reader: &[web_sys::Element],
    removals: &mut Vec<PlannedRemoval>,
    whole_page: bool,
) {
    let host = url_host(&document.url().unwrap_or_default()).unwrap_or_default();
    let (hide, keep) = USER_RULES.with(|cell| {
        let rules = cell.borrow();
        let (hide, keep) = rules.for_host(&host);
        let selectors = |list: Vec<&UserRule>| -> Vec<String> {
            list.iter().map(|rule| rule.selector.clone()).collect()
        };
        (selectors(hide), selectors(keep))
    });
    if hide.is_empty() && keep.is_empty() && kept_by_reader.is_empty() {
        return;
    }
    let index = element_index();
    let queries = |selectors: Vec<String>| -> Vec<SelectorQuery> {
        selectors
            .into_iter()
            .map(|selector| {
                let candidates = Subject::parse(&selector).map(|s| index.candidates(&s));
                SelectorQuery {
                    selector,
                    site_specific: true,
                    candidates,
                }
            })
            .filter(|query| whole_page || query.candidates.is_some())
            .collect()
    };
    let hide = match_selectors(document, &queries(hide), &snapshot.handles)
        .into_iter()
        .map(|found| (found.node, found.selector))
        .collect::<Vec<_>>();
    let mut keep: Vec<usize> = match_selectors(document, &queries(keep), &snapshot.handles)
        .into_iter()
        .map(|found| found.node)
        .collect();
    for element in kept_by_reader {
        let element: &web_sys::Node = element.as_ref();
        if let Some(position) = snapshot.handles.position_of(element) {
            keep.push(position);
        }
    }
    apply_to_plan(&snapshot.tree, removals, &hide, &keep);
}

/// What `parseUserRules` and `setUserRules` answer.
#[derive(Serialize)]
struct RulesSummary {
    rules: usize,
    errors: Vec<RuleError>,
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

/// Checks a list of the reader's rules without applying it: `{ rules, errors: [{ line, text,
/// reason }] }`. See `core::user_rules` for the supported syntax.
#[wasm_bindgen(js_name = parseUserRules)]
pub fn parse_user_rules(text: &str) -> Result<JsValue, JsError> {
    let parsed = checked_rules(text);
    to_js(&RulesSummary {
        rules: parsed.rules.len(),
        errors: parsed.errors,
    })
}

/// Parses and applies the reader's rules: every later clean and late pass uses the valid ones.
/// Answers like `parseUserRules`.
#[wasm_bindgen(js_name = setUserRules)]
pub fn set_user_rules(text: &str) -> Result<JsValue, JsError> {
    let parsed = checked_rules(text);
    let summary = RulesSummary {
        rules: parsed.rules.len(),
        errors: parsed.errors.clone(),
    };
    USER_RULES.with(|cell| *cell.borrow_mut() = parsed);
    to_js(&summary)
}

/// Puts back the block `report.removed[index]` exactly where it was and drops its record; later
/// passes leave it alone. Returns `{ restored, element, report }` (`element`: the block put back,
/// or null).
#[wasm_bindgen(js_name = restoreRemoval)]
pub fn restore_removal(index: usize) -> Result<JsValue, JsError> {
    let (element, report) = SESSION.with(|cell| -> Result<(JsValue, JsValue), JsError> {
        let mut session = cell.borrow_mut();
        end_session_after_navigation(&mut session);
        let mut element = JsValue::NULL;
        if index < session.removed.len() {
            if let Some(node) = session.removed.restore_one(index) {
                if let Ok(restored) = node.dyn_into::<web_sys::Element>() {
                    session.kept_by_reader.push(restored.clone());
                    element = restored.into();
                }
            }
            session.report.remove_record(index);
            if let Some(watcher) = session.watcher.as_ref() {
                watcher.forget_pending_records();
            }
        }
        Ok((element, to_js(&session.report)?))
    })?;
    let answer = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&answer, &JsValue::from_str(key), value);
    };
    set("restored", &JsValue::from_bool(!element.is_null()));
    set("element", &element);
    set("report", &report);
    Ok(answer.into())
}

/// Removes an element the reader picked, recorded like any removal (rule `user-rule`, evidence
/// the selector saved for it), so undo and per-item restore work. Returns the report.
#[wasm_bindgen(js_name = removeElement)]
pub fn remove_element(element: web_sys::Element, selector: String) -> Result<JsValue, JsError> {
    let preview: String = {
        let text = element.text_content().unwrap_or_default();
        crate::core::tree::collapse_whitespace(&text)
            .chars()
            .take(PREVIEW_MAX_CHARS)
            .collect()
    };
    SESSION.with(|cell| {
        let mut session = cell.borrow_mut();
        end_session_after_navigation(&mut session);
        if session.url.is_empty() {
            session.url = current_url();
        }
        session.kept_by_reader.retain(|kept| kept != &element);
        let node: web_sys::Node = element.clone().into();
        if !session.removed.take_out(&node, Detach::FramesLater) {
            return Err(JsError::new("this element is no longer in the page"));
        }
        let planned = PlannedRemoval {
            node: 0,
            rule: RuleId::UserRule,
            evidence: format!("picked: {selector}"),
            preview,
        };
        session.report.push(RemovalRecord::new(&planned, false));
        if let Some(watcher) = session.watcher.as_ref() {
            watcher.forget_pending_records();
        }
        to_js(&session.report)
    })
}

/// What a clean with `options` would remove, without removing anything: a promise of
/// `[{ element, rule, category, reason, preview }]`, for outlining before the reader decides.
/// (The whole page is planned in one task, huge pages included.)
#[wasm_bindgen(js_name = previewAsync)]
pub fn preview_async(options: JsValue) -> Result<js_sys::Promise, JsError> {
    let options = parse_options(options)?;
    let window = window()?;
    let document = document(&window)?;
    let items = SESSION.with(|cell| -> Result<js_sys::Array, JsError> {
        let mut session = cell.borrow_mut();
        end_session_after_navigation(&mut session);
        let snapshot = snapshot(&document);
        let (decided, _) = plan_snapshot_for(
            &mut session,
            &window,
            snapshot,
            &options.categories,
            false,
            true,
        )?;
        let items = js_sys::Array::new();
        for item in decided {
            let entry = js_sys::Object::new();
            let set = |key: &str, value: &JsValue| {
                let _ = js_sys::Reflect::set(&entry, &JsValue::from_str(key), value);
            };
            let rule = item.removal.rule;
            set("element", &item.handle);
            set("rule", &JsValue::from_str(rule.id()));
            set("category", &to_js(&rule.category())?);
            set("reason", &JsValue::from_str(rule.reason()));
            set("preview", &JsValue::from_str(&item.removal.preview));
            items.push(&entry);
        }
        Ok(items)
    })?;
    Ok(js_sys::Promise::resolve(&JsValue::from(items)))
}

/// Removes the decided blocks still in the page and records them. Returns how many.
fn apply_removals(session: &mut Session, decided: Vec<Decided>, late: bool) -> usize {
    apply_removals_counting(session, decided, late, late)
}

/// `apply_removals`; `count_reinsertions`: a block that looks like one removed before counts as
/// the page putting it back (which slows the late passes down).
fn apply_removals_counting(
    session: &mut Session,
    decided: Vec<Decided>,
    late: bool,
    count_reinsertions: bool,
) -> usize {
    let mut count = 0;
    // On a page cleaned in slices every block is hidden in this task (one rendering of the
    // page, see `SlicedPass`) and detached in later ones; elsewhere only a block holding a frame
    // is.
    let detach = if session.sliced {
        Detach::AllLater
    } else {
        Detach::FramesLater
    };
    for item in decided {
        if session.removed.take_out(&item.handle, detach) {
            let record = RemovalRecord::new(&item.removal, late);
            if count_reinsertions
                && session
                    .report
                    .removed
                    .iter()
                    .any(|earlier| earlier.is_same_block(&record))
            {
                session.report.reinsertions += 1;
            }
            session.report.push(record);
            count += 1;
        }
    }
    count
}

/// One pass over the whole live page in one go: snapshot, plan, remove. Returns how many
/// blocks it removed.
fn run_pass(session: &mut Session, late: bool) -> Result<usize, JsError> {
    let window = window()?;
    let started = now_ms(&window);
    let snapshot = snapshot(&document(&window)?);
    let snapshot_ms = now_ms(&window) - started;
    let (decided, mut timings) = plan_snapshot(session, &window, snapshot, late, true)?;
    let removing = now_ms(&window);
    let count = apply_removals(session, decided, late);
    if !late {
        timings.snapshot_ms = snapshot_ms;
        timings.remove_ms = now_ms(&window) - removing;
        session.report.timings = timings;
    }
    Ok(count)
}

/// Reads `{ categories: { ads, promos, related, comments, social }, watch }`; anything missing
/// takes its default, anything else is a clear error. (Read by hand rather than through serde:
/// serde's error messages alone would add a tenth to the module's size.)
fn parse_options(options: JsValue) -> Result<CleanOptions, JsError> {
    let mut parsed = CleanOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(parsed);
    }
    read_flags(
        &options,
        "the options",
        &["watch", "categories"],
        |key, value| {
            if key == "watch" {
                return read_flag(value, key, &mut parsed.watch);
            }
            let set = &mut parsed.categories;
            read_flags(
                value,
                "categories",
                &["ads", "promos", "related", "comments", "social"],
                |name, on| {
                    let slot = match name {
                        "ads" => &mut set.ads,
                        "promos" => &mut set.promos,
                        "related" => &mut set.related,
                        "comments" => &mut set.comments,
                        _ => &mut set.social,
                    };
                    read_flag(on, name, slot)
                },
            )
        },
    )?;
    Ok(parsed)
}

/// Calls `each(key, value)` for every key of the plain object `value` (named `what` in errors);
/// a key outside `known` is an error.
fn read_flags(
    value: &JsValue,
    what: &str,
    known: &[&str],
    mut each: impl FnMut(&str, &JsValue) -> Result<(), JsError>,
) -> Result<(), JsError> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(JsError::new(&format!(
            "invalid clean options: {what} must be an object"
        )));
    }
    let object: &js_sys::Object = value.unchecked_ref();
    for key in js_sys::Object::keys(object).iter() {
        let key = key.as_string().unwrap_or_default();
        let Some(known) = known.iter().find(|k| **k == key) else {
            return Err(JsError::new(&format!(
                "invalid clean options: unknown key \"{key}\" in {what}"
            )));
        };
        let field = js_sys::Reflect::get(object, &JsValue::from_str(known)).unwrap_or_default();
        each(known, &field)?;
    }
    Ok(())
}

fn read_flag(value: &JsValue, name: &str, slot: &mut bool) -> Result<(), JsError> {
    if value.is_undefined() {
        return Ok(());
    }
    *slot = value.as_bool().ok_or_else(|| {
        JsError::new(&format!(
            "invalid clean options: {name} must be true or false"
        ))
    })?;
    Ok(())
}

/// Starts a clean: a new generation, the options, a fresh start for the report's timings.
fn begin_clean(session: &mut Session, options: &CleanOptions, sliced: bool) -> u64 {
    end_session_after_navigation(session);
    session.url = current_url();
    session.options = options.clone();
    session.generation += 1;
    session.sliced = sliced;
    session.report.kept.clear();
    session.report.timings = Timings::default();
    // The article an earlier clean of this page found stays the article (a second clean must
    // remove nothing new: see `PageTree::set_article_hint`), unless the page dropped it.
    if !session
        .article
        .as_ref()
        .is_some_and(|article| article.is_connected())
    {
        session.article = None;
    }
    session.kept_for_share.retain(|block| block.is_connected());
    session.generation
}

/// Cleans the page in one go and returns the report. `options` is `{ categories: { ads,
/// promos, related, comments, social }, watch }` (anything missing takes its default). Cleaning
/// again adds to the same report. For pages in a browser tab prefer `cleanAsync`, which slices
/// huge pages so they never freeze.
#[wasm_bindgen]
pub fn clean(options: JsValue) -> Result<JsValue, JsError> {
    clean_in_one_go(parse_options(options)?)
}

fn clean_in_one_go(options: CleanOptions) -> Result<JsValue, JsError> {
    let window = window()?;
    let report = SESSION.with(|cell| -> Result<JsValue, JsError> {
        let mut session = cell.borrow_mut();
        begin_clean(&mut session, &options, false);
        let started = now_ms(&window);
        run_pass(&mut session, false)?;
        let spent = now_ms(&window) - started;
        session.report.clean_ms += spent;
        session.report.slices += 1;
        session.report.longest_slice_ms = session.report.longest_slice_ms.max(spent);
        session.report.memory_bytes = memory_bytes();
        if let Some(watcher) = session.watcher.as_ref() {
            watcher.forget_pending_records();
        }
        to_js(&session.report)
    })?;
    if options.watch {
        start_watching(window)?;
    }
    Ok(report)
}

/// Cleans the page like `clean`, but a huge page (over `SLICED_PAGE_ELEMENTS` elements) is
/// cleaned in slices of about `SLICE_TARGET_MS` each, yielding to the page between them.
/// Resolves to the report; late passes on a huge page are sliced the same way.
#[wasm_bindgen(js_name = cleanAsync)]
pub fn clean_async(options: JsValue) -> Result<js_sys::Promise, JsError> {
    let options = parse_options(options)?;
    let window = window()?;
    let document = document(&window)?;
    // More than SLICED_PAGE_ELEMENTS elements? The collection walks the page up to the index
    // asked for: its length would walk a million-element page whole (about 50 ms).
    let huge = document
        .get_elements_by_tag_name("*")
        .item(SLICED_PAGE_ELEMENTS)
        .is_some();
    if !huge {
        let report = clean_in_one_go(options)?;
        return Ok(js_sys::Promise::resolve(&report));
    }
    let Some(root) = document.document_element() else {
        return Ok(js_sys::Promise::resolve(&to_js(&Report::default())?));
    };
    let generation = SESSION.with(|cell| begin_clean(&mut cell.borrow_mut(), &options, true));
    let watch = options.watch;
    Ok(js_sys::Promise::new(&mut |resolve, reject| {
        let window = window.clone();
        let on_done = move |result: Result<(usize, f64), JsError>| {
            let settled = result.and_then(|_| {
                let report = SESSION.with(|cell| {
                    let mut session = cell.borrow_mut();
                    session.report.memory_bytes = memory_bytes();
                    to_js(&session.report)
                })?;
                if watch && SESSION.with(|cell| cell.borrow().generation) == generation {
                    start_watching(window.clone())?;
                }
                Ok(report)
            });
            let _ = match settled {
                Ok(report) => resolve.call1(&JsValue::NULL, &report),
                Err(error) => reject.call1(&JsValue::NULL, &JsValue::from(error)),
            };
        };
        SlicedPass::start(root.clone().into(), generation, false, Box::new(on_done));
    }))
}

/// What a sliced pass calls when it ends: the blocks it removed and the milliseconds it worked.
type OnPassDone = Box<dyn FnOnce(Result<(usize, f64), JsError>)>;

/// A pass over a huge page in slices. Each slice is snapshotted and planned in its own task
/// (a timer between slices lets the page run); the removals are all made at the end, in one
/// task, so the browser lays the huge page out again once rather than after every slice: every
/// block is hidden in that task and detached in later ones (`Detach::AllLater`). The pass stops
/// early when the session's generation moves on (undo, another clean, navigation).
struct SlicedPass {
    walker: Walker,
    generation: u64,
    late: bool,
    slice_nodes: usize,
    decided: Vec<Decided>,
    /// Where the last slice's decisions start in `decided`.
    previous_slice: usize,
    /// Set once the removals are made: the next step hands the outcome over.
    removed: Option<usize>,
    spent: f64,
    on_done: OnPassDone,
}

impl SlicedPass {
    fn start(root: web_sys::Node, generation: u64, late: bool, on_done: OnPassDone) {
        SlicedPass {
            walker: Walker::new(root),
            generation,
            late,
            slice_nodes: FIRST_SLICE_NODES,
            decided: Vec::new(),
            previous_slice: 0,
            removed: None,
            spent: 0.0,
            on_done,
        }
        .schedule();
    }

    /// Adds a slice's decisions. A slice that ended inside a small block may have decided some
    /// of its parts; the next slice reads that block again whole (see `rewindIntoSmallBlock` in
    /// read.js) and decides the same parts again, or the block, or other parts. So a decision
    /// inside (or equal to) one of the previous slice's is dropped, and one holding some of them
    /// replaces those: each block is removed and counted once.
    fn add_decided(&mut self, found: Vec<Decided>) {
        let mut previous = self.previous_slice..self.decided.len();
        for item in found {
            if self.decided[previous.clone()]
                .iter()
                .any(|old| old.handle.contains(Some(&item.handle)))
            {
                continue;
            }
            let mut index = previous.start;
            while index < previous.end {
                if item.handle.contains(Some(&self.decided[index].handle)) {
                    self.decided.remove(index);
                    previous.end -= 1;
                } else {
                    index += 1;
                }
            }
            self.decided.push(item);
        }
        // This slice's decisions follow the previous slice's that are left.
        self.previous_slice = previous.end;
    }

    /// Runs the next step in a task of its own.
    fn schedule(self) {
        let Some(window) = web_sys::window() else {
            return (self.on_done)(Err(JsError::new("the page closed during the clean")));
        };
        let step = Closure::once_into_js(move || self.step());
        let _ =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(step.unchecked_ref(), 0);
    }

    /// One slice, or the removals once the walk is done.
    fn step(mut self) {
        if let Some(removed) = self.removed {
            return (self.on_done)(Ok((removed, self.spent)));
        }
        let window = match window() {
            Ok(window) => window,
            Err(error) => return (self.on_done)(Err(error)),
        };
        let started = now_ms(&window);
        let finished = self.walker.is_done();
        let mut removed = 0;
        let outcome = SESSION.with(|cell| -> Result<bool, JsError> {
            let Ok(mut session) = cell.try_borrow_mut() else {
                return Ok(true); // busy (re-entered): try again in the next task
            };
            if session.generation != self.generation {
                return Ok(false);
            }
            let mut timings = Timings::default();
            if finished {
                let removing = now_ms(&window);
                removed =
                    apply_removals(&mut session, std::mem::take(&mut self.decided), self.late);
                timings.remove_ms = now_ms(&window) - removing;
            } else {
                let snapshot = self.walker.next_slice(self.slice_nodes);
                let snapshot_ms = now_ms(&window) - started;
                let (found, planned) =
                    plan_snapshot(&mut session, &window, snapshot, self.late, false)?;
                self.add_decided(found);
                timings = planned;
                timings.snapshot_ms = snapshot_ms;
            }
            let slice_ms = now_ms(&window) - started;
            if self.late {
                session.report.late_ms += slice_ms;
            } else {
                session.report.timings.add(&timings);
                session.report.clean_ms += slice_ms;
                session.report.slices += 1;
                session.report.longest_slice_ms = session.report.longest_slice_ms.max(slice_ms);
            }
            if let Some(watcher) = session.watcher.as_ref() {
                watcher.forget_pending_records();
            }
            Ok(true)
        });
        let slice_ms = now_ms(&window) - started;
        self.spent += slice_ms;
        match outcome {
            Err(error) => (self.on_done)(Err(error)),
            Ok(false) => (self.on_done)(Ok((0, self.spent))),
            Ok(true) if finished => {
                // The report is built and handed over in a task of its own: on a huge page,
                // turning thousands of records into JavaScript objects is a long task alone.
                self.removed = Some(removed);
                self.schedule();
            }
            Ok(true) => {
                let scale = (SLICE_TARGET_MS / slice_ms.max(1.0)).clamp(0.5, 2.0);
                self.slice_nodes = ((self.slice_nodes as f64 * scale) as usize)
                    .clamp(MIN_SLICE_NODES, MAX_SLICE_NODES);
                self.schedule();
            }
        }
    }
}

fn start_watching(window: web_sys::Window) -> Result<(), JsError> {
    let already = SESSION.with(|cell| cell.borrow().watcher.is_some());
    if already {
        return Ok(());
    }
    let Some(target) = window.document().and_then(|d| d.document_element()) else {
        return Ok(());
    };
    let clock = window.clone();
    let watcher = Watcher::start(window, &target, late_pass, move || {
        SESSION.with(|cell| {
            if let Ok(mut session) = cell.try_borrow_mut() {
                let delay = late_pass_delay_ms(
                    session.report.reinsertions,
                    session.late_budget.wait_ms(now_ms(&clock)),
                );
                if let Some(watcher) = session.watcher.as_mut() {
                    watcher.schedule(delay);
                }
            }
        })
    })
    .map_err(|_| JsError::new("could not watch the page for late widgets"))?;
    SESSION.with(|cell| cell.borrow_mut().watcher = Some(watcher));
    Ok(())
}

/// A late pass reads an added node's parent instead of the node when the parent has at most
/// this many elements (a placeholder the page fills: the block to judge is the placeholder).
const LATE_PARENT_MAX_ELEMENTS: u32 = 300;
/// More separate additions than this in one batch: the pass reads the whole page instead.
const LATE_MAX_ROOTS: u32 = 2_000;
/// Nodes per snapshot when reading added subtrees.
const LATE_SLICE_NODES: usize = 20_000;

/// A late pass over the subtrees the page added, read together, each with its ancestors as
/// context.
fn late_pass_over(
    session: &mut Session,
    window: &web_sys::Window,
    roots: &[web_sys::Node],
) -> Result<usize, JsError> {
    // Unless an added part holds the whole article, the article is elsewhere.
    let holds_article = session
        .article
        .as_ref()
        .is_some_and(|article| roots.iter().any(|root| root.contains(Some(article))));
    let mut decided_all = Vec::new();
    let mut walker = Walker::over(roots);
    while !walker.is_done() {
        let mut snapshot = walker.next_slice(LATE_SLICE_NODES);
        if !holds_article {
            snapshot.tree.set_article_outside();
        }
        let (decided, _) = plan_snapshot(session, window, snapshot, true, false)?;
        decided_all.extend(decided);
    }
    // A page fighting the cleaner only puts back what was removed; a feed adds new content
    // beside its ads, which look alike but are no re-insertion.
    let only_put_back = decided_all.len() >= roots.len();
    Ok(apply_removals_counting(
        session,
        decided_all,
        true,
        only_put_back,
    ))
}

/// What a late pass does after its bookkeeping.
enum LatePass {
    /// Done; call the listener with the report if there is one.
    Done(Option<(js_sys::Function, JsValue)>),
    /// A huge page: run a sliced pass over it.
    Sliced(u64, web_sys::Node),
}

/// A batched pass for widgets the page added after the clean.
fn late_pass() {
    let next = SESSION.with(|cell| {
        let Ok(mut session) = cell.try_borrow_mut() else {
            return LatePass::Done(None);
        };
        if let Some(watcher) = session.watcher.as_mut() {
            watcher.timer_fired();
        }
        end_session_after_navigation(&mut session);
        // Navigated away (or stopped meanwhile), or a sliced pass still running: nothing to do.
        if session.watcher.is_none() || session.late_running {
            return LatePass::Done(None);
        }
        session.report.late_passes += 1;
        let Some(window) = web_sys::window() else {
            return LatePass::Done(None);
        };
        let started = now_ms(&window);
        // Usually only what the page added is read; the whole page when it added too much.
        let roots = session
            .watcher
            .as_ref()
            .and_then(Watcher::take_added)
            .and_then(|queue| late_roots(&queue, LATE_PARENT_MAX_ELEMENTS, LATE_MAX_ROOTS));
        let removed = match roots {
            Some(roots) => late_pass_over(&mut session, &window, &roots).unwrap_or(0),
            None if session.sliced => {
                let root = window.document().and_then(|d| d.document_element());
                if let Some(root) = root {
                    session.late_running = true;
                    return LatePass::Sliced(session.generation, root.into());
                }
                0
            }
            None => run_pass(&mut session, true).unwrap_or(0),
        };
        let spent = now_ms(&window) - started;
        session.report.late_ms += spent;
        LatePass::Done(finish_late_pass(&mut session, removed, spent))
    });
    match next {
        // The listener runs with no borrow held: it may call back into report().
        LatePass::Done(Some((listener, report))) => {
            let _ = listener.call1(&JsValue::NULL, &report);
        }
        LatePass::Done(None) => {}
        LatePass::Sliced(generation, root) => {
            let on_done = move |result: Result<(usize, f64), JsError>| {
                let (removed, spent) = result.unwrap_or((0, 0.0));
                let notify = SESSION.with(|cell| {
                    let mut session = cell.borrow_mut();
                    session.late_running = false;
                    if session.generation != generation {
                        return None;
                    }
                    finish_late_pass(&mut session, removed, spent)
                });
                if let Some((listener, report)) = notify {
                    let _ = listener.call1(&JsValue::NULL, &report);
                }
            };
            SlicedPass::start(root, generation, true, Box::new(on_done));
        }
    }
}

/// Records a finished late pass; returns the listener and report to notify, if it removed
/// anything.
fn finish_late_pass(
    session: &mut Session,
    removed: usize,
    spent: f64,
) -> Option<(js_sys::Function, JsValue)> {
    session.report.last_late_pass_ms = spent;
    if let Some(window) = web_sys::window() {
        session.late_budget.spend(now_ms(&window), spent);
    }
    if let Some(watcher) = session.watcher.as_ref() {
        watcher.forget_pending_records();
    }
    if session.report.late_passes >= MAX_LATE_PASSES {
        // A page that keeps re-inserting is left alone rather than fought in a loop.
        if let Some(mut watcher) = session.watcher.take() {
            watcher.stop();
        }
    }
    if removed == 0 {
        return None;
    }
    let listener = session.listener.clone()?;
    let report = to_js(&session.report).ok()?;
    Some((listener, report))
}

/// Puts every removed block back where it was and stops watching. Returns
/// `{ restored: n }`.
#[wasm_bindgen]
pub fn undo() -> Result<JsValue, JsError> {
    let removed = SESSION.with(|cell| {
        let mut session = cell.borrow_mut();
        end_session_after_navigation(&mut session);
        if let Some(mut watcher) = session.watcher.take() {
            watcher.stop();
        }
        session.generation += 1;
        session.late_running = false;
        session.kept_by_reader.clear();
        session.report = Report::default();
        std::mem::take(&mut session.removed)
    });
    #[derive(Serialize)]
    struct Undone {
        restored: usize,
    }
    to_js(&Undone {
        restored: removed.restore_all(),
    })
}

/// Plans a small built-in page (no DOM) and returns how many blocks it removes. The browser
/// compiles each function of the module the first time it runs; content.js calls this while the
/// rule files finish downloading, so the first clean finds much of its code compiled.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() -> usize {
    crate::dom::warm_up()
}

/// The main-thread time spent detaching blocks that hold a frame after the cleans that hid
/// them (see src/dom/removal.js): `{ detachedMs, longestDetachMs, detached, waiting }`.
#[wasm_bindgen(js_name = detachStats)]
pub fn detach_statistics() -> JsValue {
    detach_stats()
}

/// Loads compiled EasyList rules (`rules/easylist.rules`, made by scripts/compile-rules.mjs),
/// given as its bytes (a `Uint8Array`: copied into the module in one go, where a string of
/// 700 KB would be copied character by character by the glue) or as a string, with the index
/// the build made of it (`rules/easylist.index`, bytes; see `RuleSet::index`) when there is one:
/// loading then copies the index's tables instead of reading every rule. Returns
/// `{ generic, site, exceptions, indexed }`: counts, and whether the index was used (an index
/// made from another text is set aside, and the rules are read from the text alone).
#[wasm_bindgen(js_name = loadRules)]
pub fn load_rules(rules: JsValue, index: Option<Vec<u8>>) -> Result<JsValue, JsError> {
    let text = rules_text(rules)?;
    let (rules, indexed) = match index {
        Some(index) => RuleSet::from_text_and_index(text, &index),
        None => RuleSet::from_text(text).map(|rules| (rules, false)),
    }
    .map_err(invalid_rules)?;
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

/// The index of a compiled rule file (its bytes), for `loadRules`: run by the build
/// (scripts/build.mjs, in Node), with this same module, so the tables it writes are the ones
/// this code builds and reads.
#[wasm_bindgen(js_name = indexRules)]
pub fn index_rules(rules: JsValue) -> Result<Vec<u8>, JsError> {
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

/// The current report (empty before a clean and after undo).
#[wasm_bindgen]
pub fn report() -> Result<JsValue, JsError> {
    SESSION.with(|cell| {
        let mut session = cell.borrow_mut();
        end_session_after_navigation(&mut session);
        to_js(&session.report)
    })
}

/// Registers a function called with the report whenever late widgets were removed
/// (`null` unregisters).
#[wasm_bindgen(js_name = onChange)]
pub fn on_change(listener: Option<js_sys::Function>) {
    SESSION.with(|cell| cell.borrow_mut().listener = listener);
}

/// The crate version, for the popup's about line and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
