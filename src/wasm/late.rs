//! Widgets the page adds after a clean: the watcher that notices them and the late passes that
//! remove them (batched, over the added parts where it can, sliced on a huge page).

use super::pass::{apply_removals_counting, plan_snapshot, run_pass, SlicedPass};
use super::session::{
    end_session_after_navigation, error_message, now_ms, to_js, Session, SESSION,
};
use crate::dom::late_roots;
use crate::dom::watch::{late_pass_delay_ms, Watcher, MAX_LATE_PASSES};
use crate::dom::Walker;
use wasm_bindgen::prelude::*;

/// Starts watching the page for late widgets, unless it is watched already.
pub(crate) fn start_watching(window: web_sys::Window) -> Result<(), JsError> {
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
                let scheduled = session
                    .watcher
                    .as_mut()
                    .map(|watcher| watcher.schedule(delay));
                if let Some(Err(error)) = scheduled {
                    // The widgets that woke the watcher go unchecked: the report says so.
                    session.report.record_late_error(error);
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
pub(crate) const LATE_PARENT_MAX_ELEMENTS: u32 = 300;
/// More separate additions than this in one batch: the pass reads the whole page instead.
pub(crate) const LATE_MAX_ROOTS: u32 = 2_000;
/// Nodes per snapshot when reading added subtrees (here, and in a copy of them: `pass::judge_parts`).
pub(crate) const LATE_SLICE_NODES: usize = 20_000;

/// A late pass over the subtrees the page added, read together, each with its ancestors as
/// context.
fn late_pass_over(
    session: &mut Session,
    window: &web_sys::Window,
    roots: &[web_sys::Node],
) -> Result<usize, JsError> {
    // Unless an added part holds the whole article, the article is elsewhere.
    let holds_article = session.memory.article_within(roots);
    let mut decided_all = Vec::new();
    let mut walker = Walker::over(roots);
    while !walker.is_done() {
        let mut snapshot = walker.next_slice(LATE_SLICE_NODES)?;
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
        let outcome = match roots {
            Some(roots) => late_pass_over(&mut session, &window, &roots),
            None if session.sliced => {
                let root = window.document().and_then(|d| d.document_element());
                if let Some(root) = root {
                    session.late_running = true;
                    return LatePass::Sliced(session.generation, root.into());
                }
                Ok(0)
            }
            None => run_pass(&mut session, true),
        };
        let spent = now_ms(&window) - started;
        session.report.late_ms += spent;
        LatePass::Done(finish_late_pass(&mut session, outcome, spent))
    });
    match next {
        // The listener runs with no borrow held: it may call back into report().
        LatePass::Done(Some((listener, report))) => {
            let _ = listener.call1(&JsValue::NULL, &report);
        }
        LatePass::Done(None) => {}
        LatePass::Sliced(generation, root) => {
            let on_done = move |result: Result<(usize, f64), JsError>| {
                let (outcome, spent) = match result {
                    Ok((removed, spent)) => (Ok(removed), spent),
                    Err(error) => (Err(error), 0.0),
                };
                let notify = SESSION.with(|cell| {
                    let mut session = cell.borrow_mut();
                    session.late_running = false;
                    if session.generation != generation {
                        return None;
                    }
                    finish_late_pass(&mut session, outcome, spent)
                });
                if let Some((listener, report)) = notify {
                    let _ = listener.call1(&JsValue::NULL, &report);
                }
            };
            SlicedPass::start(root, generation, true, Box::new(on_done));
        }
    }
}

/// Records a finished late pass (how many blocks it removed, or why it failed); returns the
/// listener and report to notify, if it removed anything or failed.
fn finish_late_pass(
    session: &mut Session,
    outcome: Result<usize, JsError>,
    spent: f64,
) -> Option<(js_sys::Function, JsValue)> {
    let (removed, failed) = match outcome {
        Ok(removed) => (removed, false),
        Err(error) => {
            session.report.record_late_error(error_message(error));
            (0, true)
        }
    };
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
    if removed == 0 && !failed {
        return None;
    }
    let listener = session.listener.clone()?;
    let report = to_js(&session.report).ok()?;
    Some((listener, report))
}
