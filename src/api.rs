//! The `#[wasm_bindgen]` surface used by the extension's content script and the demo page.
//!
//! One page has one session: what was removed (for undo), the running report, and the watcher
//! for late widgets. Errors become `JsError` here and nowhere else.

use crate::core::easylist::{PageRules, RuleSet};
use crate::core::plan::{plan, plan_with_lists, ListMatches};
use crate::core::report::{CleanOptions, KeptRecord, RemovalRecord, Report, Timings};
use crate::dom::watch::{late_pass_delay_ms, Watcher, MAX_LATE_PASSES};
use crate::dom::{match_selectors, remove, restore, snapshot, RemovedNode, Snapshot, Walker};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[derive(Default)]
struct Session {
    /// The address the session belongs to. A single-page app that navigates (history.pushState)
    /// shows a new page: the session ends there, as it would on a real navigation.
    url: String,
    removed: Vec<RemovedNode>,
    report: Report,
    options: CleanOptions,
    watcher: Option<Watcher>,
    listener: Option<js_sys::Function>,
    /// Changes on every clean, undo and navigation: a sliced pass still running for an older
    /// value stops at its next slice.
    generation: u64,
    /// The page is huge: passes over it run in slices (see `SLICED_PAGE_ELEMENTS`).
    sliced: bool,
    /// A sliced late pass is running; the timer does not start another meanwhile.
    late_running: bool,
}

/// Pages with more elements than this are cleaned in slices, each in its own task, so the page
/// stays responsive (a million-element page would otherwise block it for seconds).
const SLICED_PAGE_ELEMENTS: u32 = 20_000;
/// Nodes in the first slice; later slices are sized from the time the previous ones took.
const FIRST_SLICE_NODES: usize = 1_000;
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
    let document = document(window)?;
    let snapshotted = now_ms(window);
    let mut select_ms = 0.0;
    let plan = RULES.with(|cell| {
        let mut lists = cell.borrow_mut();
        let Some(lists) = lists.as_mut() else {
            return plan(&snapshot.tree, &session.options.categories);
        };
        let url = document.url().unwrap_or_default();
        if lists.page_url != url {
            lists.page = lists.rules.for_page(&url);
            lists.page_url = url;
        }
        let mut queries = lists.rules.queries(&snapshot.tree, &lists.page);
        if !whole_page {
            // A document-wide query per slice would scan the huge page again and again.
            queries.retain(|query| query.candidates.is_some());
        }
        let selecting = now_ms(window);
        let selector_matches = match_selectors(&document, &queries, &snapshot.handles);
        select_ms = now_ms(window) - selecting;
        plan_with_lists(
            &snapshot.tree,
            &session.options.categories,
            Some(&ListMatches {
                rules: &lists.rules,
                page: &lists.page,
                selector_matches: &selector_matches,
            }),
        )
    });
    if !late {
        session
            .report
            .kept
            .extend(plan.kept.iter().map(KeptRecord::from));
        if session.report.article.is_none() {
            session.report.article = plan.article_preview.clone();
        }
    }
    let decided = plan
        .removals
        .into_iter()
        .filter_map(|removal| {
            let handle = snapshot.handles.get(removal.node)?.clone();
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

/// Removes the decided blocks still in the page and records them. Returns how many.
fn apply_removals(session: &mut Session, decided: Vec<Decided>, late: bool) -> usize {
    let mut count = 0;
    for item in decided {
        if let Some(removed) = remove(&item.handle) {
            let record = RemovalRecord::new(&item.removal, late);
            if late
                && session
                    .report
                    .removed
                    .iter()
                    .any(|earlier| earlier.is_same_block(&record))
            {
                session.report.reinsertions += 1;
            }
            session.removed.push(removed);
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
    let invalid = |what: &str| JsError::new(&format!("invalid clean options: {what}"));
    let mut parsed = CleanOptions::default();
    if options.is_undefined() || options.is_null() {
        return Ok(parsed);
    }
    let object = |value: &JsValue, name: &str| -> Result<js_sys::Object, JsError> {
        if value.is_object() && !js_sys::Array::is_array(value) {
            Ok(value.clone().unchecked_into())
        } else {
            Err(invalid(&format!("{name} must be an object")))
        }
    };
    let flag = |value: JsValue, name: &str| -> Result<Option<bool>, JsError> {
        if value.is_undefined() {
            return Ok(None);
        }
        value
            .as_bool()
            .map(Some)
            .ok_or_else(|| invalid(&format!("{name} must be true or false")))
    };
    let get = |object: &js_sys::Object, key: &str| {
        js_sys::Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    };
    let options = object(&options, "the options")?;
    for key in js_sys::Object::keys(&options).iter() {
        let key = key.as_string().unwrap_or_default();
        match key.as_str() {
            "watch" => {
                if let Some(watch) = flag(get(&options, "watch"), "watch")? {
                    parsed.watch = watch;
                }
            }
            "categories" => {
                let categories = object(&get(&options, "categories"), "categories")?;
                for name in js_sys::Object::keys(&categories).iter() {
                    let name = name.as_string().unwrap_or_default();
                    let set = &mut parsed.categories;
                    let slot = match name.as_str() {
                        "ads" => &mut set.ads,
                        "promos" => &mut set.promos,
                        "related" => &mut set.related,
                        "comments" => &mut set.comments,
                        "social" => &mut set.social,
                        _ => return Err(invalid(&format!("unknown category \"{name}\""))),
                    };
                    if let Some(on) = flag(get(&categories, &name), &format!("categories.{name}"))?
                    {
                        *slot = on;
                    }
                }
            }
            _ => return Err(invalid(&format!("unknown option \"{key}\""))),
        }
    }
    Ok(parsed)
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
    let elements = document.get_elements_by_tag_name("*").length();
    if elements <= SLICED_PAGE_ELEMENTS {
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
/// task, so the browser lays the huge page out again once rather than after every slice. The
/// pass stops early when the session's generation moves on (undo, another clean, navigation).
struct SlicedPass {
    walker: Walker,
    generation: u64,
    late: bool,
    slice_nodes: usize,
    decided: Vec<Decided>,
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
            spent: 0.0,
            on_done,
        }
        .schedule();
    }

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
                self.decided.extend(found);
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
            Ok(true) if finished => (self.on_done)(Ok((removed, self.spent))),
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
    let watcher = Watcher::start(window, &target, late_pass, || {
        SESSION.with(|cell| {
            if let Ok(mut session) = cell.try_borrow_mut() {
                let delay = late_pass_delay_ms(
                    session.report.reinsertions,
                    session.report.last_late_pass_ms,
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
        if session.sliced {
            let root = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element());
            if let Some(root) = root {
                session.late_running = true;
                return LatePass::Sliced(session.generation, root.into());
            }
            return LatePass::Done(None);
        }
        let Some(window) = web_sys::window() else {
            return LatePass::Done(None);
        };
        let started = now_ms(&window);
        let removed = run_pass(&mut session, true).unwrap_or(0);
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
        session.report = Report::default();
        std::mem::take(&mut session.removed)
    });
    #[derive(Serialize)]
    struct Undone {
        restored: usize,
    }
    to_js(&Undone {
        restored: restore(removed),
    })
}

/// Loads compiled EasyList rules (the text of `rules/easylist.rules`, made by
/// scripts/compile-rules.mjs). Returns `{ generic, site, exceptions }` counts.
#[wasm_bindgen(js_name = loadRules)]
pub fn load_rules(text: &str) -> Result<JsValue, JsError> {
    let rules =
        RuleSet::parse(text).map_err(|e| JsError::new(&format!("invalid rule file: {e}")))?;
    let counts = rules.counts();
    RULES.with(|cell| {
        *cell.borrow_mut() = Some(LoadedLists {
            rules,
            page_url: String::new(),
            page: PageRules::default(),
        })
    });
    to_js(&counts)
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
