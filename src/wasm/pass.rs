//! Passes over the page: a snapshot planned (EasyList's rules, the heuristics, the reader's
//! rules and kept blocks) and the removals made; a clean in one go, a huge page's clean in
//! slices (`SlicedPass`), and the preview of what a clean would remove.

use super::late::{start_watching, LATE_SLICE_NODES};
use super::rules::{user_selectors_for, with_lists};
use super::session::{
    current_url, document, end_session_after_navigation, memory_bytes, now_ms, to_js, window,
    Session, SESSION,
};
use crate::core::category::CategorySet;
use crate::core::easylist::SelectorQuery;
use crate::core::plan::PlannedRemoval;
use crate::core::plan::{plan, plan_with_lists, ListMatches};
use crate::core::report::{CleanOptions, KeptRecord, RemovalRecord, Report, Timings};
use crate::core::selector::{ElementIndex, Subject};
use crate::core::user_rules::apply_to_plan;
use crate::core::vocabulary::url_host;
use crate::dom::{match_selectors, snapshot, thrown_message, Detach, Snapshot, Walker};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

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

/// A removal decided on a snapshot, with the live node it names.
pub(crate) struct Decided {
    handle: web_sys::Node,
    removal: crate::core::plan::PlannedRemoval,
}

/// Plans `snapshot`. `whole_page`: the snapshot is the whole page (not a slice), so EasyList
/// selectors without candidates may query the whole document. Returns the removals to make and
/// where the time went.
pub(crate) fn plan_snapshot(
    session: &mut Session,
    window: &web_sys::Window,
    snapshot: Snapshot,
    late: bool,
    whole_page: bool,
) -> Result<(Vec<Decided>, Timings), JsError> {
    let categories = session.options.categories;
    let document = document(window)?;
    let url = document.url().unwrap_or_default();
    let page = Page {
        document: &document,
        url: &url,
    };
    plan_snapshot_for(
        session,
        window,
        page,
        snapshot,
        &categories,
        !late,
        whole_page,
    )
}

/// The document a plan is for and the address whose rules apply to it: the window's own, or
/// one the core is given (`judge`).
#[derive(Clone, Copy)]
struct Page<'a> {
    document: &'a web_sys::Document,
    url: &'a str,
}

/// `plan_snapshot` with the categories given; `record`: keep the guards' decisions and the
/// article in the report (a first clean does, late passes and previews do not).
fn plan_snapshot_for(
    session: &mut Session,
    window: &web_sys::Window,
    page_of: Page,
    snapshot: Snapshot,
    categories: &CategorySet,
    record: bool,
    whole_page: bool,
) -> Result<(Vec<Decided>, Timings), JsError> {
    let document = page_of.document;
    let mut snapshot = snapshot;
    session.memory.apply_to(&mut snapshot);
    let snapshotted = now_ms(window);
    let mut select_ms = 0.0;
    // Built once per snapshot, on first need, for EasyList's and the reader's selectors alike.
    let index = std::cell::OnceCell::new();
    let element_index = || index.get_or_init(|| ElementIndex::new(&snapshot.tree));
    let plan = with_lists(|lists| {
        let Some(lists) = lists else {
            return plan(&snapshot.tree, categories);
        };
        let (rules, page) = lists.for_page(page_of.url.to_string());
        let mut queries = rules.queries(&snapshot.tree, page, element_index());
        if !whole_page {
            // A document-wide query per slice would scan the huge page again and again.
            queries.retain(|query| query.candidates.is_some());
        }
        let selecting = now_ms(window);
        let selector_matches = match_selectors(document, &queries, &snapshot.handles);
        select_ms = now_ms(window) - selecting;
        plan_with_lists(
            &snapshot.tree,
            categories,
            Some(&ListMatches {
                rules,
                page,
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
        session.memory.remember(&plan, &snapshot);
    }
    let mut removals = plan.removals;
    apply_reader_rules(
        page_of,
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
    page: Page,
    snapshot: &Snapshot,
    element_index: impl Fn() -> &'a ElementIndex<'a>,
    kept_by_reader: &[web_sys::Element],
    removals: &mut Vec<PlannedRemoval>,
    whole_page: bool,
) {
    let document = page.document;
    let host = url_host(page.url).unwrap_or_default();
    let (hide, keep) = user_selectors_for(&host);
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

/// Removes the decided blocks still in the page and records them. Returns how many.
fn apply_removals(session: &mut Session, decided: Vec<Decided>, late: bool) -> usize {
    apply_removals_counting(session, decided, late, late)
}

/// `apply_removals`; `count_reinsertions`: a block that looks like one removed before counts as
/// the page putting it back (which slows the late passes down).
pub(crate) fn apply_removals_counting(
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
pub(crate) fn run_pass(session: &mut Session, late: bool) -> Result<usize, JsError> {
    let window = window()?;
    let started = now_ms(&window);
    let snapshot = snapshot(&document(&window)?)?;
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
    session.memory.forget_disconnected();
    session.generation
}

/// Cleans the page in one go (`clean`, and `cleanAsync` on a page that is not huge) and returns
/// the report.
pub(crate) fn clean_in_one_go(options: CleanOptions) -> Result<JsValue, JsError> {
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

/// `cleanAsync`: a clean in one go, or in slices on a huge page (over `SLICED_PAGE_ELEMENTS`
/// elements), each of about `SLICE_TARGET_MS`, yielding to the page between them. The promise
/// resolves to the report.
pub(crate) fn clean_sliced_when_huge(options: CleanOptions) -> Result<js_sys::Promise, JsError> {
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

/// What a clean with `options` would remove, without removing anything (`previewAsync`):
/// `[{ element, rule, category, reason, preview }]`. The whole page is planned in one task.
pub(crate) fn preview(options: &CleanOptions) -> Result<js_sys::Array, JsError> {
    let window = window()?;
    let document = document(&window)?;
    let url = document.url().unwrap_or_default();
    SESSION.with(|cell| -> Result<js_sys::Array, JsError> {
        let mut session = cell.borrow_mut();
        end_session_after_navigation(&mut session);
        let snapshot = snapshot(&document)?;
        let page = Page {
            document: &document,
            url: &url,
        };
        let (decided, _) = plan_snapshot_for(
            &mut session,
            &window,
            page,
            snapshot,
            &options.categories,
            false,
            true,
        )?;
        decisions_to_js(decided)
    })
}

/// What a clean of `document` with `options` would remove, judged as a page at `url`, without
/// removing anything (`judgeDocument`): `[{ element, rule, category, reason, preview }]`, as
/// `preview` answers. The document need not be the window's: a copy of a page parsed with
/// `DOMParser` (which loads nothing and runs nothing) is judged as the page itself would be,
/// so the core can judge a page outside its tab (docs/PERFORMANCE.md, "the core judging
/// outside the tab"). The page's session is not touched: nothing of its memory (the article
/// an earlier clean found, the blocks the reader kept) applies, and nothing is remembered.
/// EasyList's site rules apply as loaded: `loadRules` keeps those of the host it runs on,
/// `loadRulesForEveryHost` every host's.
pub(crate) fn judge(
    document: &web_sys::Document,
    url: &str,
    options: &CleanOptions,
) -> Result<js_sys::Array, JsError> {
    let window = window()?;
    let snapshot = snapshot(document)?;
    let page = Page { document, url };
    let mut session = Session::default();
    let (decided, _) = plan_snapshot_for(
        &mut session,
        &window,
        page,
        snapshot,
        &options.categories,
        false,
        true,
    )?;
    decisions_to_js(decided)
}

/// What a late pass would remove from the parts of `document` under `roots`, judged as the
/// page at `url` (`judgeParts`): the answer of `judge`, for the roots' subtrees only. The
/// document is a partial copy of a page (extension/content.js, "late widgets"): the subtrees
/// the page added after a clean, each under its ancestors, which are read as context, as the
/// core's own late passes read the live page (`late::late_pass_over`). The article is taken to
/// be elsewhere on the page, as there when no added part holds the article the first clean found
/// (content.js copies the whole page instead when a part may hold it).
pub(crate) fn judge_parts(
    document: &web_sys::Document,
    url: &str,
    options: &CleanOptions,
    roots: &[web_sys::Node],
) -> Result<js_sys::Array, JsError> {
    let window = window()?;
    let page = Page { document, url };
    let mut session = Session::default();
    let mut decided_all = Vec::new();
    let mut walker = Walker::over(roots);
    while !walker.is_done() {
        let mut snapshot = walker.next_slice(LATE_SLICE_NODES)?;
        snapshot.tree.set_article_outside();
        let (decided, _) = plan_snapshot_for(
            &mut session,
            &window,
            page,
            snapshot,
            &options.categories,
            false,
            false,
        )?;
        decided_all.extend(decided);
    }
    decisions_to_js(decided_all)
}

/// Decisions as `preview` and `judge` answer them.
fn decisions_to_js(decided: Vec<Decided>) -> Result<js_sys::Array, JsError> {
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
        set("evidence", &JsValue::from_str(&item.removal.evidence));
        set("preview", &JsValue::from_str(&item.removal.preview));
        items.push(&entry);
    }
    Ok(items)
}

/// What a sliced pass calls when it ends: the blocks it removed and the milliseconds it worked.
pub(crate) type OnPassDone = Box<dyn FnOnce(Result<(usize, f64), JsError>)>;

/// A pass over a huge page in slices. Each slice is snapshotted and planned in its own task
/// (a timer between slices lets the page run); the removals are all made at the end, in one
/// task, so the browser lays the huge page out again once rather than after every slice: every
/// block is hidden in that task and detached in later ones (`Detach::AllLater`). The pass stops
/// early when the session's generation moves on (undo, another clean, navigation).
pub(crate) struct SlicedPass {
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
    pub(crate) fn start(root: web_sys::Node, generation: u64, late: bool, on_done: OnPassDone) {
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

    /// Runs the next step in a task of its own. If the browser refuses the timer, the pass ends
    /// at once with that error: whoever waits for it (a promise of `cleanAsync`, a late pass)
    /// hears of it instead of waiting forever.
    fn schedule(self) {
        let Some(window) = web_sys::window() else {
            return (self.on_done)(Err(JsError::new("the page closed during the clean")));
        };
        // The pass stays reachable from here until the timer takes it.
        let pass = Rc::new(RefCell::new(Some(self)));
        let for_timer = Rc::clone(&pass);
        let step = Closure::once_into_js(move || {
            let taken = for_timer.borrow_mut().take();
            if let Some(pass) = taken {
                pass.step();
            }
        });
        let scheduled =
            window.set_timeout_with_callback_and_timeout_and_arguments_0(step.unchecked_ref(), 0);
        if let Err(thrown) = scheduled {
            let taken = pass.borrow_mut().take();
            if let Some(pass) = taken {
                (pass.on_done)(Err(JsError::new(&format!(
                    "the next part of the clean could not be scheduled: {}",
                    thrown_message(&thrown)
                ))));
            }
        }
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
                let snapshot = self.walker.next_slice(self.slice_nodes)?;
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
