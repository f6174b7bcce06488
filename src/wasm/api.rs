//! The `#[wasm_bindgen]` functions the extension's content script and the demo page call. Each
//! reads its arguments, delegates to the other modules of `wasm` (see there), and hands the
//! answer back to JavaScript.

use super::options::parse_options;
use super::session::{end_session_after_navigation, to_js, SESSION};
use super::{pass, rules};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Cleans the page in one go and returns the report. `options` is `{ categories: { ads,
/// promos, related, comments, social }, watch }` (anything missing takes its default). Cleaning
/// again adds to the same report. For pages in a browser tab prefer `cleanAsync`, which slices
/// huge pages so they never freeze.
#[wasm_bindgen]
pub fn clean(options: JsValue) -> Result<JsValue, JsError> {
    pass::clean_in_one_go(parse_options(options)?)
}

/// Cleans the page like `clean`, but a huge page (over `SLICED_PAGE_ELEMENTS` elements) is
/// cleaned in slices of about `SLICE_TARGET_MS` each, yielding to the page between them.
/// Resolves to the report; late passes on a huge page are sliced the same way.
#[wasm_bindgen(js_name = cleanAsync)]
pub fn clean_async(options: JsValue) -> Result<js_sys::Promise, JsError> {
    pass::clean_sliced_when_huge(parse_options(options)?)
}

/// What a clean with `options` would remove, without removing anything: a promise of
/// `[{ element, rule, category, reason, preview }]`, for outlining before the reader decides.
/// (The whole page is planned in one task, huge pages included.)
#[wasm_bindgen(js_name = previewAsync)]
pub fn preview_async(options: JsValue) -> Result<js_sys::Promise, JsError> {
    let items = pass::preview(&parse_options(options)?)?;
    Ok(js_sys::Promise::resolve(&JsValue::from(items)))
}

/// What a clean would remove from `document`, judged as the page at `url` (`pass::judge`):
/// `[{ element, rule, category, reason, evidence, preview }]`. Nothing is removed, and the page's own
/// session is not touched. `options`: `{ categories }`, as `clean` takes them.
#[wasm_bindgen(js_name = judgeDocument)]
pub fn judge_document(
    document: web_sys::Document,
    url: String,
    options: JsValue,
) -> Result<js_sys::Array, JsError> {
    pass::judge(&document, &url, &parse_options(options)?)
}

/// What a late pass would remove from the parts of `document` under `roots` (an array of its
/// elements), judged as the page at `url` (`pass::judge_parts`): answered as `judgeDocument`
/// answers. `document` is a partial copy: the subtrees a page added, each under its ancestors.
#[wasm_bindgen(js_name = judgeParts)]
pub fn judge_parts(
    document: web_sys::Document,
    url: String,
    options: JsValue,
    roots: js_sys::Array,
) -> Result<js_sys::Array, JsError> {
    let roots: Vec<web_sys::Node> = roots.iter().map(|root| root.unchecked_into()).collect();
    pass::judge_parts(&document, &url, &parse_options(options)?, &roots)
}

/// Puts every removed block back where it was and stops watching. Returns
/// `{ restored: n }`.
#[wasm_bindgen]
pub fn undo() -> Result<JsValue, JsError> {
    let removed = SESSION.with(|cell| cell.borrow_mut().take_for_undo());
    #[derive(Serialize)]
    struct Undone {
        restored: usize,
    }
    to_js(&Undone {
        restored: removed.restore_all(),
    })
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

/// Puts back the block `report.removed[index]` exactly where it was and drops its record; later
/// passes leave it alone. Returns `{ restored, element, report }` (`element`: the block put back,
/// or null).
#[wasm_bindgen(js_name = restoreRemoval)]
pub fn restore_removal(index: usize) -> Result<JsValue, JsError> {
    let (element, report) = SESSION.with(|cell| -> Result<(JsValue, JsValue), JsError> {
        let mut session = cell.borrow_mut();
        let element = session.restore_removal(index);
        Ok((
            element.map_or(JsValue::NULL, JsValue::from),
            to_js(&session.report)?,
        ))
    })?;
    let answer = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&answer, &JsValue::from_str(key), value);
    };
    set("restored", &JsValue::from_bool(!element.is_null()));
    set("element", &element);
    set("report", &report);
    Ok(answer.into())
}

/// Removes an element the reader picked, recorded like any removal (rule `user-rule`, evidence
/// the selector saved for it), so undo and per-item restore work. Returns the report.
#[wasm_bindgen(js_name = removeElement)]
pub fn remove_element(element: web_sys::Element, selector: String) -> Result<JsValue, JsError> {
    SESSION.with(|cell| {
        let mut session = cell.borrow_mut();
        session.remove_picked(element, &selector)?;
        to_js(&session.report)
    })
}

/// Checks a list of the reader's rules without applying it: `{ rules, errors: [{ line, text,
/// reason }] }`. See `core::user_rules` for the supported syntax.
#[wasm_bindgen(js_name = parseUserRules)]
pub fn parse_user_rules(text: &str) -> Result<JsValue, JsError> {
    to_js(&rules::check_user_rules(text))
}

/// Parses and applies the reader's rules: every later clean and late pass uses the valid ones.
/// Answers like `parseUserRules`.
#[wasm_bindgen(js_name = setUserRules)]
pub fn set_user_rules(text: &str) -> Result<JsValue, JsError> {
    to_js(&rules::set_user_rules(text))
}

/// Loads compiled EasyList rules (made by scripts/compile-rules.mjs), given as bytes (a
/// `Uint8Array`) or as a string, with the index the build made of them (bytes; see
/// `RuleSet::index`) when there is one, for the page's host. The build ships the two as one
/// file (`rules/easylist.rules`, `bundleRules`): given alone, such bytes are split here. Bytes with their index are read where they lie (`RuleSet::for_host_in_place`): the
/// module copies the generic rules and their tables, and of the 10,000 site rules only those of
/// this page's host, never the rest (two thirds of the file). Otherwise the file is copied and
/// read, and the other hosts' rules dropped (`RuleSet::for_host`). Returns
/// `{ generic, site, exceptions, indexed }`: counts, and whether the index was used (an index
/// made from another text is set aside, and the rules are read from the text alone).
#[wasm_bindgen(js_name = loadRules)]
pub fn load_rules(rules: JsValue, index: Option<js_sys::Uint8Array>) -> Result<JsValue, JsError> {
    rules::load_rules(rules, index)
}

/// `loadRules` for a core that judges pages of every site (`judgeDocument`): the whole rule
/// file is kept, and each page judged gets the site rules of its own address. Takes the bundle
/// the build ships (or a rule file's text or bytes). Returns `{ generic, site, exceptions,
/// indexed }`.
#[wasm_bindgen(js_name = loadRulesForEveryHost)]
pub fn load_rules_for_every_host(rules: JsValue) -> Result<JsValue, JsError> {
    rules::load_rules_for_every_host(rules)
}

/// The rule file as the build ships it (`rules/easylist.rules`): the compiled rule file (its
/// text or bytes) with its index behind it, in one file (`RuleSet::bundle`), which `loadRules`
/// takes alone. Run by the build (scripts/build.mjs, in Node), with this same module.
#[wasm_bindgen(js_name = bundleRules)]
pub fn bundle_rules(rules: JsValue) -> Result<Vec<u8>, JsError> {
    rules::bundle_rules(rules)
}

/// The index of a compiled rule file (its bytes), for `loadRules`: run by the build
/// (scripts/build.mjs, in Node), with this same module, so the tables it writes are the ones
/// this code builds and reads.
#[wasm_bindgen(js_name = indexRules)]
pub fn index_rules(rules: JsValue) -> Result<Vec<u8>, JsError> {
    rules::index_rules(rules)
}

/// Plans a small built-in page (no DOM) and returns how many blocks it removes. The browser
/// compiles each function of the module the first time it runs; content.js calls this while the
/// rule files finish downloading, so the first clean finds much of its code compiled.
#[wasm_bindgen(js_name = warmUp)]
pub fn warm_up() -> usize {
    crate::dom::warm_up()
}

/// The main-thread time spent detaching blocks that hold a frame after the cleans that hid
/// them (see src/dom/removal.js): `{ detachedMs, longestDetachMs, detached, waiting }`.
#[wasm_bindgen(js_name = detachStats)]
pub fn detach_statistics() -> JsValue {
    crate::dom::detach_stats()
}

/// The stylesheet that hides the vendor containers and ad slots certain from markup alone
/// (`core::early`): the build writes it into the extension (early-rules.js), which puts it into
/// the pages of a site cleaned automatically at `document_start`, before the first paint.
#[wasm_bindgen(js_name = earlyHideBuiltIn)]
pub fn early_hide_built_in() -> String {
    crate::core::early::stylesheet(&crate::core::early::built_in_selectors(), &[])
}

/// The same, for the next pages of the site at `url`, with the site's EasyList `##` selectors
/// (when the rules are loaded) and the reader's own rules for the site, sparing what the reader
/// keeps. content.js keeps it for the site after each automatic clean.
#[wasm_bindgen(js_name = earlyHideStylesheet)]
pub fn early_hide_stylesheet(url: &str) -> String {
    rules::early_hide_stylesheet(url)
}

/// The crate version, for the popup's about line and bug reports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The word lists and limits JavaScript needs too, from the one place they are defined (the
/// core): `{ categories, default_categories, own_ui_attribute, text_read_max_units,
/// max_rule_line_chars, procedural_pseudo_classes, procedural_pseudo_class_prefix }`.
/// tests/node/one-source.test.mjs compares every JavaScript copy with it, and fails when one
/// differs.
#[wasm_bindgen]
pub fn constants() -> JsValue {
    use crate::core::category::Category;
    use crate::core::user_rules::{
        MAX_LINE_CHARS, PROCEDURAL_PSEUDO_CLASSES, PROCEDURAL_PSEUDO_CLASS_PREFIX,
    };
    use crate::core::vocabulary::OWN_UI_ATTRIBUTE;
    let strings = |items: &mut dyn Iterator<Item = &str>| -> js_sys::Array {
        items.map(JsValue::from_str).collect()
    };
    let answer = js_sys::Object::new();
    let set = |key: &str, value: &JsValue| {
        // Setting a property of a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&answer, &JsValue::from_str(key), value);
    };
    set(
        "categories",
        &strings(&mut Category::ALL.iter().map(|c| c.id())),
    );
    set(
        "default_categories",
        &strings(
            &mut Category::ALL
                .iter()
                .filter(|c| c.is_enabled_by_default())
                .map(|c| c.id()),
        ),
    );
    set("own_ui_attribute", &JsValue::from_str(OWN_UI_ATTRIBUTE));
    set(
        "text_read_max_units",
        &JsValue::from(crate::dom::TEXT_READ_MAX_UNITS),
    );
    set("max_rule_line_chars", &JsValue::from(MAX_LINE_CHARS as u32));
    set(
        "procedural_pseudo_classes",
        &strings(&mut PROCEDURAL_PSEUDO_CLASSES.iter().copied()),
    );
    set(
        "procedural_pseudo_class_prefix",
        &JsValue::from_str(PROCEDURAL_PSEUDO_CLASS_PREFIX),
    );
    // content.js, for the pages judged outside their tabs: a picked block's preview, and the
    // wait before a late pass.
    set(
        "preview_max_chars",
        &JsValue::from(crate::core::plan::PREVIEW_MAX_CHARS as u32),
    );
    set(
        "late_pass_delay_ms",
        &JsValue::from(crate::dom::watch::LATE_PASS_DELAY_MS),
    );
    set(
        "max_late_pass_delay_ms",
        &JsValue::from(crate::dom::watch::MAX_LATE_PASS_DELAY_MS),
    );
    // content.js, for the parts a late pass copies on a page judged outside its tab.
    set(
        "late_parent_max_elements",
        &JsValue::from(super::late::LATE_PARENT_MAX_ELEMENTS),
    );
    set(
        "late_max_roots",
        &JsValue::from(super::late::LATE_MAX_ROOTS),
    );
    answer.into()
}
