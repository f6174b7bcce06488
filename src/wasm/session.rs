//! The page's session (one per page): what was removed (for undo), the running report, the
//! watcher for late widgets, and what the reader did by hand; how it ends when the page
//! navigates; and the small helpers every part of the module uses.

use super::memory::PageMemory;
use crate::core::budget::LateBudget;
use crate::core::plan::{PlannedRemoval, PREVIEW_MAX_CHARS};
use crate::core::report::{CleanOptions, RemovalRecord, Report};
use crate::core::rules::RuleId;
use crate::dom::watch::Watcher;
use crate::dom::{Detach, Removed};
use serde::Serialize;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

#[derive(Default)]
pub(crate) struct Session {
    /// The address the session belongs to. A single-page app that navigates (history.pushState)
    /// shows a new page: the session ends there, as it would on a real navigation.
    pub(crate) url: String,
    pub(crate) removed: Removed,
    pub(crate) report: Report,
    pub(crate) options: CleanOptions,
    pub(crate) watcher: Option<Watcher>,
    /// The main-thread time late passes may still use (see `core::budget`).
    pub(crate) late_budget: LateBudget,
    pub(crate) listener: Option<js_sys::Function>,
    /// Changes on every clean, undo and navigation: a sliced pass still running for an older
    /// value stops at its next slice.
    pub(crate) generation: u64,
    /// The page is huge: passes over it run in slices (see `SLICED_PAGE_ELEMENTS` in
    /// `wasm::pass`).
    pub(crate) sliced: bool,
    /// A sliced late pass is running; the timer does not start another meanwhile.
    pub(crate) late_running: bool,
    /// Blocks the reader put back ("Keep this", per-item restore): later passes leave them.
    pub(crate) kept_by_reader: Vec<web_sys::Element>,
    /// What the page's cleans found that later cleans and late passes keep: the article and
    /// the blocks kept for their share of it.
    pub(crate) memory: PageMemory,
}

thread_local! {
    pub(crate) static SESSION: RefCell<Session> = RefCell::new(Session::default());
}

impl Session {
    /// Ends every clean for undo: stops watching, moves the generation on (a sliced pass still
    /// running stops), forgets the reader's kept blocks and the report. Returns what was
    /// removed, for the caller to put back.
    pub(crate) fn take_for_undo(&mut self) -> Removed {
        end_session_after_navigation(self);
        if let Some(mut watcher) = self.watcher.take() {
            watcher.stop();
        }
        self.generation += 1;
        self.late_running = false;
        self.kept_by_reader.clear();
        self.report = Report::default();
        std::mem::take(&mut self.removed)
    }

    /// Puts back the block `report.removed[index]` exactly where it was and drops its record;
    /// later passes leave it alone. Returns the block put back, if it is an element.
    pub(crate) fn restore_removal(&mut self, index: usize) -> Option<web_sys::Element> {
        end_session_after_navigation(self);
        let mut element = None;
        if index < self.removed.len() {
            if let Some(node) = self.removed.restore_one(index) {
                if let Ok(restored) = node.dyn_into::<web_sys::Element>() {
                    self.kept_by_reader.push(restored.clone());
                    element = Some(restored);
                }
            }
            self.report.remove_record(index);
            if let Some(watcher) = self.watcher.as_ref() {
                watcher.forget_pending_records();
            }
        }
        element
    }

    /// Removes an element the reader picked, recorded like any removal (rule `user-rule`,
    /// evidence the selector saved for it), so undo and per-item restore work.
    pub(crate) fn remove_picked(
        &mut self,
        element: web_sys::Element,
        selector: &str,
    ) -> Result<(), JsError> {
        let preview: String = {
            let text = element.text_content().unwrap_or_default();
            crate::core::tree::collapse_whitespace(&text)
                .chars()
                .take(PREVIEW_MAX_CHARS)
                .collect()
        };
        end_session_after_navigation(self);
        if self.url.is_empty() {
            self.url = current_url();
        }
        self.kept_by_reader.retain(|kept| kept != &element);
        let node: web_sys::Node = element.into();
        if !self.removed.take_out(&node, Detach::FramesLater) {
            return Err(JsError::new("this element is no longer in the page"));
        }
        let planned = PlannedRemoval {
            node: 0,
            rule: RuleId::UserRule,
            evidence: format!("picked: {selector}"),
            preview,
        };
        self.report.push(RemovalRecord::new(&planned, false));
        if let Some(watcher) = self.watcher.as_ref() {
            watcher.forget_pending_records();
        }
        Ok(())
    }
}

pub(crate) fn current_url() -> String {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.url().ok())
        .unwrap_or_default()
}

/// Ends the session if the page navigated since it began (single-page apps): its removals
/// belonged to the previous page, whose blocks are gone with it.
pub(crate) fn end_session_after_navigation(session: &mut Session) {
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

/// The message of a `JsError` (as JavaScript would read it).
pub(crate) fn error_message(error: JsError) -> String {
    crate::dom::thrown_message(&JsValue::from(error))
}

pub(crate) fn window() -> Result<web_sys::Window, JsError> {
    web_sys::window().ok_or_else(|| JsError::new("Unsponsor needs a window with a document"))
}

pub(crate) fn document(window: &web_sys::Window) -> Result<web_sys::Document, JsError> {
    window
        .document()
        .ok_or_else(|| JsError::new("Unsponsor needs a document"))
}

pub(crate) fn now_ms(window: &web_sys::Window) -> f64 {
    window.performance().map(|p| p.now()).unwrap_or(0.0)
}

pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("could not encode the report: {e}")))
}

pub(crate) fn memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|memory| memory.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map_or(0.0, |buffer| f64::from(buffer.byte_length()))
}
