//! # Unsponsor
//!
//! Removes sponsored and promoted blocks from article pages and says why.
//!
//! - [`core`]: pure decisions with reasons (no browser): the page snapshot, signals, guards,
//!   the removal plan and the report. Tested natively.
//! - `dom` (wasm32 only): the adapter that snapshots the live page, removes what the plan says,
//!   undoes it exactly and watches for late widgets.
//! - `wasm` (wasm32 only): the `#[wasm_bindgen]` functions the extension and the demo call
//!   (`wasm::api`), and the session, passes and rules behind them.
#![forbid(unsafe_code)]

pub mod core;

#[cfg(target_arch = "wasm32")]
mod dom;
#[cfg(target_arch = "wasm32")]
mod wasm;

#[cfg(target_arch = "wasm32")]
pub use wasm::api::{
    bundle_rules, clean, clean_async, constants, detach_statistics, index_rules, judge_document,
    judge_parts, load_rules, load_rules_for_every_host, on_change, parse_user_rules, preview_async,
    remove_element, report, restore_removal, set_user_rules, undo, version, warm_up,
};

pub use crate::core::category::{Category, CategorySet};
pub use crate::core::plan::{plan, Plan, PlannedRemoval};
pub use crate::core::report::{CleanOptions, Report};
pub use crate::core::rules::RuleId;
pub use crate::core::tree::{NodeId, PageTree};
