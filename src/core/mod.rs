//! The pure core: what to remove and why. Never touches a browser; runs natively and in wasm.
//!
//! Flow: a [`tree::PageTree`] snapshot → [`analysis`] (sums, article) → signals from
//! [`detect`] (markup) and [`labels`] (visible text) → [`plan`] (growth, [`guard`], collapse)
//! → [`report`] for the popup.

pub mod analysis;
pub mod budget;
pub mod category;
pub mod detect;
pub mod early;
pub mod easylist;
pub mod fnv;
pub mod guard;
pub mod labels;
pub mod order;
pub mod plan;
pub mod report;
pub mod rules;
pub mod selector;
pub mod tree;
pub mod user_rules;
pub mod vocabulary;
