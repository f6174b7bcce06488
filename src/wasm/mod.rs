//! The `#[wasm_bindgen]` surface used by the extension's content script and the demo page, and
//! what runs behind it (wasm32 only). Errors become `JsError` in this module and nowhere else.
//!
//! One page has one session: what was removed (for undo), the running report, and the watcher
//! for late widgets. Where things are:
//!
//! - `api`: the exported functions (`clean`, `cleanAsync`, `previewAsync`, `judgeDocument`,
//!   `undo`, `report`, `onChange`, `restoreRemoval`, `removeElement`, `parseUserRules`,
//!   `setUserRules`, `loadRules`, `loadRulesForEveryHost`, `bundleRules`, `indexRules`, `warmUp`,
//!   `detachStats`, `version`), each a few lines that delegate to the modules below.
//! - `session`: the session and its thread-local, how it ends when the page navigates, undo
//!   and the reader's per-item restore and picks, and small helpers (`window`, `now_ms`,
//!   `to_js`, ...).
//! - `memory`: what the page remembers between cleans (its article, the blocks kept for their
//!   share of it), applied to each snapshot and recorded after a plan.
//! - `pass`: planning a snapshot (EasyList, heuristics, the reader's rules) and making its
//!   removals; a clean in one go, a huge page's clean in slices (`SlicedPass`), the preview.
//! - `late`: watching for widgets the page adds after a clean, and the late passes.
//! - `options`: the clean options JavaScript gives, read into `CleanOptions`.
//! - `rules`: EasyList's rules (loaded, indexed, resolved per page) and the reader's own rules.

pub(crate) mod api;
mod late;
mod memory;
mod options;
mod pass;
mod rules;
mod session;
