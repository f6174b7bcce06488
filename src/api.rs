//! The `#[wasm_bindgen]` surface used by the extension's content script and the demo page.
//!
//! One page has one session: what was removed (for undo), the running report, and the watcher
//! for late widgets. Errors become `JsError` here and nowhere else.

use crate::core::easylist::{PageRules, RuleSet};
use crate::core::plan::{plan, plan_with_lists, ListMatches};
use crate::core::report::{CleanOptions, KeptRecord, RemovalRecord, Report, Timings};
use crate::dom::watch::{late_pass_delay_ms, Watcher, MAX_LATE_PASSES};
use crate::dom::{match_selectors, remove, restore, snapshot, RemovedNode};
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
}

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
    *session = Session::default();
    session.listener = listener;
}

fn window() -> Result<web_sys::Window, JsError> {
    web_sys::window().ok_or_else(|| JsError::new("Unsponsor needs a window with a document"))
}

fn now_ms(window: &web_sys::Window) -> f64 {
    window.performance().map(|p| p.now()).unwrap_or(0.0)
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not encode the report: {e}")))
}

/// One pass over the live page: snapshot, plan, remove. Returns how many blocks it removed.
fn run_pass(session: &mut Session, late: bool) -> Result<usize, JsError> {
    let window = window()?;
    let document = window
        .document()
        .ok_or_else(|| JsError::new("Unsponsor needs a document"))?;
    let started = now_ms(&window);
    let snapshot = snapshot(&document);
    let snapshotted = now_ms(&window);
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
        let queries = lists.rules.queries(&snapshot.tree, &lists.page);
        let selecting = now_ms(&window);
        let selector_matches = match_selectors(&document, &queries, &snapshot.handles);
        select_ms = now_ms(&window) - selecting;
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
    let planned = now_ms(&window);
    let mut count = 0;
    for removal in &plan.removals {
        let Some(handle) = snapshot.handles.get(removal.node) else {
            continue;
        };
        if let Some(removed) = remove(handle) {
            let record = RemovalRecord::new(removal, late);
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
    if !late {
        session.report.timings = Timings {
            nodes: snapshot.tree.len(),
            snapshot_ms: snapshotted - started,
            select_ms,
            plan_ms: planned - snapshotted,
            remove_ms: now_ms(&window) - planned,
        };
        session.report.kept = plan.kept.iter().map(KeptRecord::from).collect();
        session.report.article = plan.article_preview.clone();
    }
    Ok(count)
}

/// Cleans the page. `options` is `{ categories: { ads, promos, related, comments, social },
/// watch }` (anything missing takes its default). Cleaning again adds to the same report.
/// Returns the report.
#[wasm_bindgen]
pub fn clean(options: JsValue) -> Result<JsValue, JsError> {
    let options: CleanOptions = if options.is_undefined() || options.is_null() {
        CleanOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("invalid clean options: {e}")))?
    };
    let window = window()?;
    let report = SESSION.with(|cell| -> Result<JsValue, JsError> {
        let mut session = cell.borrow_mut();
        end_session_after_navigation(&mut session);
        session.url = current_url();
        session.options = options.clone();
        let started = now_ms(&window);
        run_pass(&mut session, false)?;
        session.report.clean_ms += now_ms(&window) - started;
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

/// A batched pass for widgets the page added after the clean.
fn late_pass() {
    let notify = SESSION.with(|cell| {
        let Ok(mut session) = cell.try_borrow_mut() else {
            return None;
        };
        if let Some(watcher) = session.watcher.as_mut() {
            watcher.timer_fired();
        }
        end_session_after_navigation(&mut session);
        // Navigated away (or stopped meanwhile): nothing to watch any more.
        session.watcher.as_ref()?;
        session.report.late_passes += 1;
        let window = web_sys::window()?;
        let started = now_ms(&window);
        let removed = run_pass(&mut session, true).unwrap_or(0);
        let spent = now_ms(&window) - started;
        session.report.last_late_pass_ms = spent;
        session.report.late_ms += spent;
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
    });
    // The listener runs with no borrow held: it may call back into report().
    if let Some((listener, report)) = notify {
        let _ = listener.call1(&JsValue::NULL, &report);
    }
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
