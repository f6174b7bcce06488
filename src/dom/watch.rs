//! Late widgets: after a clean, a MutationObserver notes that the page added nodes, and a
//! single timer runs one batched pass a little later. The cleaner's own removals are dropped
//! from the observer's queue, passes are capped, and undo stops everything.

use crate::dom::collect_added;
use js_sys::Array;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MutationObserver, MutationObserverInit, Window};

/// Delay between the first mutation and the pass that handles it (batches a burst of inserts).
pub const LATE_PASS_DELAY_MS: i32 = 60;
/// Each time the page puts back a block the cleaner already removed, the delay grows: it doubles
/// every `REINSERTIONS_PER_DOUBLING` re-insertions, up to `MAX_LATE_PASS_DELAY_MS`. A page that
/// fights the cleaner costs less and less; a feed that adds new widgets keeps the short delay.
pub const REINSERTIONS_PER_DOUBLING: u32 = 3;
pub const MAX_LATE_PASS_DELAY_MS: i32 = 5_000;
/// Passes per clean. A page that keeps re-inserting its widget gets this many, then is left.
pub const MAX_LATE_PASSES: u32 = 200;

/// The time budget may delay a pass this long at most (a sliced pass over a huge page can take
/// seconds; the 5 s cap of the back-off would break the budget there).
const MAX_BUDGET_DELAY_MS: f64 = 120_000.0;

/// Delay before the next late pass, given how many re-insertions were seen and how long the
/// time budget (`core::budget::LateBudget`, at most 4% of the main thread) asks to wait.
pub fn late_pass_delay_ms(reinsertions: u32, budget_wait_ms: f64) -> i32 {
    let doublings = (reinsertions / REINSERTIONS_PER_DOUBLING).min(16);
    let backoff = LATE_PASS_DELAY_MS
        .saturating_mul(1 << doublings)
        .min(MAX_LATE_PASS_DELAY_MS);
    let budget = budget_wait_ms.ceil();
    let budget = if budget.is_finite() {
        budget.clamp(0.0, MAX_BUDGET_DELAY_MS) as i32
    } else {
        0
    };
    backoff.max(budget)
}

/// A running observer with its callbacks (dropping it disconnects and frees them).
pub struct Watcher {
    observer: MutationObserver,
    _on_mutation: Closure<dyn FnMut(Array, MutationObserver)>,
    on_timer: Closure<dyn FnMut()>,
    window: Window,
    timer: Option<i32>,
    /// Shared with the observer callback: while a pass is scheduled, new records need no look.
    pending: Rc<Cell<bool>>,
    /// The nodes the page added since the last pass (read.js `collectAdded`).
    added: Rc<RefCell<js_sys::Array>>,
}

/// Added nodes remembered between passes; past this, the next pass reads the whole page.
pub const MAX_QUEUED_NODES: u32 = 5_000;

impl Watcher {
    /// Starts observing `target`'s subtree. `on_pass` runs once per batch.
    pub fn start(
        window: Window,
        target: &web_sys::Node,
        on_pass: impl FnMut() + 'static,
        on_added_nodes: impl FnMut() + 'static,
    ) -> Result<Watcher, JsValue> {
        let mut on_added_nodes = on_added_nodes;
        let pending = Rc::new(Cell::new(false));
        let pending_seen = pending.clone();
        let added = Rc::new(RefCell::new(js_sys::Array::new()));
        let added_seen = added.clone();
        let on_mutation = Closure::<dyn FnMut(Array, MutationObserver)>::new(
            move |records: Array, _observer: MutationObserver| {
                // One call per batch, however many nodes the page added.
                let count = collect_added(&records, &added_seen.borrow(), MAX_QUEUED_NODES);
                if count > 0 && !pending_seen.get() {
                    on_added_nodes();
                }
            },
        );
        let observer = MutationObserver::new(on_mutation.as_ref().unchecked_ref())?;
        let init = MutationObserverInit::new();
        init.set_child_list(true);
        init.set_subtree(true);
        observer.observe_with_options(target, &init)?;
        let on_timer = Closure::<dyn FnMut()>::new(on_pass);
        Ok(Watcher {
            observer,
            _on_mutation: on_mutation,
            on_timer,
            window,
            timer: None,
            pending,
            added,
        })
    }

    /// Schedules a pass in `delay_ms` unless one is pending.
    ///
    /// An error when the browser refused the timer: the pass will not run, and the caller
    /// reports it.
    pub fn schedule(&mut self, delay_ms: i32) -> Result<(), String> {
        if self.timer.is_some() {
            return Ok(());
        }
        let scheduled = self
            .window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                self.on_timer.as_ref().unchecked_ref(),
                delay_ms,
            );
        let handle = scheduled.as_ref().ok().copied();
        self.pending.set(handle.is_some());
        self.timer = handle;
        scheduled.map(|_| ()).map_err(|thrown| {
            format!(
                "a late pass could not be scheduled: {}",
                super::thrown_message(&thrown)
            )
        })
    }

    /// Called at the start of a pass: the pending timer has fired.
    pub fn timer_fired(&mut self) {
        self.timer = None;
        self.pending.set(false);
    }

    /// Takes the nodes added since the last pass; `None` when there were too many to remember
    /// (the pass then reads the whole page).
    pub fn take_added(&self) -> Option<js_sys::Array> {
        let queue = std::mem::replace(&mut *self.added.borrow_mut(), js_sys::Array::new());
        let overflow = js_sys::Reflect::get(&queue, &JsValue::from_str("overflow"))
            .map(|flag| flag.is_truthy())
            .unwrap_or(false);
        (!overflow).then_some(queue)
    }

    /// Drops queued records (the cleaner's own removals) without handling them.
    pub fn forget_pending_records(&self) {
        let _ = self.observer.take_records();
    }

    pub fn stop(&mut self) {
        self.observer.disconnect();
        if let Some(handle) = self.timer.take() {
            self.window.clear_timeout_with_handle(handle);
        }
        self.pending.set(false);
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.stop();
    }
}
