//! # Unsponsor
//!
//! Removes sponsored and promoted blocks from article pages and says why.
//!
//! - [`core`]: pure decisions with reasons (no browser): the page snapshot, signals, guards,
//!   the removal plan and the report. Tested natively.
//! - `dom` (wasm32 only): the adapter that snapshots the live page, removes what the plan says,
//!   undoes it exactly and watches for late widgets.
//! - `api` (wasm32 only): the `#[wasm_bindgen]` functions the extension and the demo call.
#![forbid(unsafe_code)]

pub mod core;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod dom;

#[cfg(target_arch = "wasm32")]
pub use api::*;

pub use crate::core::category::{Category, CategorySet};
pub use crate::core::plan::{plan, Plan, PlannedRemoval};
pub use crate::core::report::{CleanOptions, Report};
pub use crate::core::rules::RuleId;
pub use crate::core::tree::{NodeId, PageTree};
