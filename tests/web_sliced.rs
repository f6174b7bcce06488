//! Huge pages in a real browser (`wasm-pack test`): `cleanAsync` cleans them in slices, each in
//! its own task, and the result matches what a clean in one go removes.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

mod browser;
use browser::{run_script, sleep};

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

const PARAGRAPH: &str = "The minister said the talks had covered trade, security and the coming winter, and that both sides expected further meetings before the end of the year.";

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap()
}

/// Appends `<main id="{id}">` of `sections` sections, each a heading, `paragraphs` article
/// paragraphs, and what `extra` writes for it (given the section's index).
fn append_sections(
    id: &str,
    sections: usize,
    paragraphs: usize,
    mut extra: impl FnMut(usize, &mut String),
) -> web_sys::Element {
    let document = document();
    let root = document.create_element("main").unwrap();
    root.set_id(id);
    let mut html = String::new();
    for index in 0..sections {
        html.push_str("<section><h2>Part</h2>");
        for _ in 0..paragraphs {
            html.push_str(&format!("<p>{PARAGRAPH}</p>"));
        }
        extra(index, &mut html);
        html.push_str("</section>");
    }
    root.set_inner_html(&html);
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// A page of `sections` sections, each with paragraphs, a list of links and, every
/// `ad_every`-th section, a Taboola block and a labelled sponsored box. Returns the number of
/// ad blocks it holds.
fn build_page(sections: usize, ad_every: usize) -> usize {
    let mut ads = 0;
    append_sections("huge", sections, 3, |index, html| {
        html.push_str("<ul>");
        for item in 0..6 {
            html.push_str(&format!(
                "<li><a href=\"/n/{index}/{item}\">Item {item}</a></li>"
            ));
        }
        html.push_str("</ul>");
        if index % ad_every == ad_every / 2 {
            html.push_str("<div class=\"trc_related_container\"><a href=\"https://paid.example/x\">Doctors stunned by this trick</a></div>");
            html.push_str("<div class=\"box\"><span>Sponsored</span><a href=\"https://shop.example/\">Buy the gadget everyone wants</a></div>");
            ads += 2;
        }
    });
    ads
}

#[wasm_bindgen_test]
async fn a_huge_page_is_cleaned_in_slices_and_loses_only_its_ads() {
    // About 25 elements a section: 1,600 sections are 40,000 elements, over the slicing limit.
    let ads = build_page(1_600, 40);
    let document = document();
    let paragraphs_before = document.query_selector_all("#huge p").unwrap().length();
    let promise = unsponsor::clean_async(JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let report = JsFuture::from(promise).await.unwrap();
    let slices = field(&report, "slices").as_f64().unwrap();
    assert!(slices > 1.0, "the page was cleaned in {slices} slice(s)");
    // Each ad block once: none counted again inside another (slices can decide a block twice).
    let total = field(&report, "total").as_f64().unwrap() as usize;
    assert_eq!(total, ads, "removed {total} blocks, the page had {ads} ads");
    // Every block was hidden in the clean's last task (no box left on screen); later tasks
    // detach them.
    let ads_left = document
        .query_selector_all("#huge .trc_related_container")
        .unwrap();
    for index in 0..ads_left.length() {
        let element: web_sys::Element = ads_left.get(index).unwrap().unchecked_into();
        assert_eq!(
            element.get_client_rects().length(),
            0,
            "an ad is still shown"
        );
    }
    wait_for_detaching().await;
    assert_eq!(
        document
            .query_selector_all("#huge .trc_related_container")
            .unwrap()
            .length(),
        0
    );
    assert_eq!(
        document.query_selector_all("#huge p").unwrap().length(),
        paragraphs_before,
        "an article paragraph was removed"
    );
    assert!(field(&report, "memory_bytes").as_f64().unwrap() > 0.0);
    // Undo puts everything back.
    unsponsor::undo().map_err(JsValue::from).unwrap();
    assert_eq!(
        document
            .query_selector_all("#huge .trc_related_container")
            .unwrap()
            .length() as usize,
        ads / 2
    );
    document.get_element_by_id("huge").unwrap().remove();
}

/// Waits (up to 5 s) until no block hidden by a clean waits to be detached.
async fn wait_for_detaching() {
    for _ in 0..250 {
        if field(&unsponsor::detach_statistics(), "waiting").as_f64() == Some(0.0) {
            return;
        }
        sleep(20).await;
    }
    panic!("blocks were still waiting to be detached after 5 s");
}

#[wasm_bindgen_test]
async fn a_block_a_slice_ended_inside_is_removed_once_not_twice() {
    // Every section holds an ad box of ten empty ad slots, then a sponsored box, then more
    // article. A slice that ends inside a section's box has seen some slots whole (each an ad
    // alone) but not the box; one that ends in the article after them has seen both boxes; the
    // next slice reads the section again whole and decides them again. With several slices,
    // most likely both happen (and the test cannot fail when neither does).
    const SECTIONS: usize = 3_000;
    unsponsor::undo().map_err(JsValue::from).unwrap(); // a session of its own
    let root = append_sections("boxes", SECTIONS, 2, |index, html| {
        html.push_str("<div class=\"ad-box\">");
        for slot in 0..10 {
            html.push_str(&format!(
                "<div class=\"ad-slot\" id=\"div-gpt-ad-{index}-{slot}\"></div>"
            ));
        }
        html.push_str("</div>");
        html.push_str("<div class=\"box\"><span>Sponsored</span><a href=\"https://shop.example/\">Buy the gadget everyone wants</a></div>");
        for _ in 0..4 {
            html.push_str(&format!("<p>{PARAGRAPH}</p>"));
        }
    });
    let document = document();
    let promise = unsponsor::clean_async(JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let report = JsFuture::from(promise).await.unwrap();
    wait_for_detaching().await;
    assert!(field(&report, "slices").as_f64().unwrap() > 3.0);
    assert_eq!(
        document
            .query_selector_all("#boxes .ad-box, #boxes .box")
            .unwrap()
            .length(),
        0,
        "an ad box is left"
    );
    // One removal per box: no slot counted apart inside its box, no box counted twice.
    let slots_apart: Vec<String> = js_sys::Array::from(&field(&report, "removed"))
        .iter()
        .map(|record| field(&record, "evidence").as_string().unwrap_or_default())
        .filter(|evidence| evidence.contains("div-gpt-ad") || evidence.contains("ad-slot"))
        .collect();
    assert!(
        slots_apart.is_empty(),
        "{} removals inside a removed box, first: {:?}",
        slots_apart.len(),
        slots_apart.first()
    );
    assert_eq!(
        field(&report, "total").as_f64(),
        Some((SECTIONS * 2) as f64)
    );
    unsponsor::undo().map_err(JsValue::from).unwrap();
    assert_eq!(
        document
            .query_selector_all("#boxes .ad-slot")
            .unwrap()
            .length() as usize,
        SECTIONS * 10
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn on_a_huge_page_every_block_is_hidden_before_any_is_detached() {
    build_page(1_600, 40);
    let document = document();
    let huge = document.get_element_by_id("huge").unwrap();
    // Records, in order, every style change and every removal under the page.
    let records = js_sys::Array::new();
    let keep = records.clone();
    let callback = wasm_bindgen::closure::Closure::<dyn FnMut(js_sys::Array)>::new(
        move |batch: js_sys::Array| {
            for record in batch.iter() {
                keep.push(&record);
            }
        },
    );
    let observer = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()).unwrap();
    let init = web_sys::MutationObserverInit::new();
    init.set_subtree(true);
    init.set_child_list(true);
    init.set_attribute_filter(&js_sys::Array::of1(&JsValue::from_str("style")));
    observer.observe_with_options(&huge, &init).unwrap();
    let promise = unsponsor::clean_async(JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let report = JsFuture::from(promise).await.unwrap();
    wait_for_detaching().await;
    for record in observer.take_records().iter() {
        records.push(&record);
    }
    observer.disconnect();
    let total = field(&report, "total").as_f64().unwrap() as usize;
    let kinds: Vec<String> = records
        .iter()
        .map(|record| field(&record, "type").as_string().unwrap())
        .collect();
    // First one style change per block (hidden), then no removal before the last of them.
    // (Detaching gives each block its old style attribute back first: more style changes.)
    let first_removal = kinds.iter().position(|kind| kind == "childList").unwrap();
    assert!(
        first_removal >= total && kinds[..total].iter().all(|kind| kind == "attributes"),
        "a block was detached before every block was hidden: {kinds:?}"
    );
    let removals = kinds.iter().filter(|kind| *kind == "childList").count();
    assert_eq!(removals, total, "not every block was detached");
    unsponsor::undo().map_err(JsValue::from).unwrap();
    huge.remove();
}

#[wasm_bindgen_test]
async fn undo_during_a_sliced_clean_stops_it() {
    let ads = build_page(1_600, 40);
    let document = document();
    let promise = unsponsor::clean_async(JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    // The slices run in later tasks: undo now, before the first, and the page must stay as
    // it is.
    unsponsor::undo().map_err(JsValue::from).unwrap();
    let report = JsFuture::from(promise).await.unwrap();
    assert!(field(&report, "slices").as_f64().unwrap() <= 1.0);
    assert_eq!(
        document
            .query_selector_all("#huge .trc_related_container")
            .unwrap()
            .length() as usize,
        ads / 2,
        "a slice ran after undo"
    );
    document.get_element_by_id("huge").unwrap().remove();
}

/// The deepest chain the Firefox test uses (see the test).
const FIREFOX_CHAIN_DEPTH: usize = 10_000;

/// A chain of `depth` nested divs, built in detached segments (appending one level at a time to
/// an attached chain is quadratic in Chromium), hidden (the renderer cannot lay out a chain this
/// deep; the cleaner reads no styles). Taboola blocks hang at the levels in `ads_at`. Returns
/// the chain's root and its deepest div.
fn build_chain(depth: usize, ads_at: &[usize]) -> (web_sys::Element, web_sys::Element) {
    let document = document();
    let root = document.create_element("div").unwrap();
    root.set_id("deep");
    root.set_attribute("style", "display: none").unwrap();
    let segment = (depth as f64).sqrt() as usize;
    let mut deepest = root.clone();
    let mut level = 0;
    while level < depth {
        let top = document.create_element("div").unwrap();
        let mut node = top.clone();
        level += 1;
        for _ in 1..segment.min(depth - level + 1) {
            if ads_at.contains(&level) {
                let ad = document.create_element("div").unwrap();
                ad.set_class_name("trc_related_container");
                ad.set_inner_html(r#"<a href="https://paid.example/x">Doctors stunned</a>"#);
                node.append_child(&ad).unwrap();
            }
            let child = document.create_element("div").unwrap();
            node.append_child(&child).unwrap();
            node = child;
            level += 1;
        }
        deepest.append_child(&top).unwrap();
        deepest = node;
    }
    let paragraph = document.create_element("p").unwrap();
    paragraph.set_text_content(Some(PARAGRAPH));
    deepest.append_child(&paragraph).unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    (root, deepest)
}

#[wasm_bindgen_test]
async fn a_page_nested_100k_deep_is_cleaned_without_overflow() {
    // Firefox's own content process crashes on a DOM this deep (building or querying it, with
    // no cleaner involved), so there the chain is as deep as Firefox itself copes with.
    let firefox = web_sys::window()
        .and_then(|w| w.navigator().user_agent().ok())
        .is_some_and(|agent| agent.contains("Firefox"));
    let depth = if firefox {
        FIREFOX_CHAIN_DEPTH
    } else {
        100_000
    };
    let (root, deepest) = build_chain(depth, &[depth / 2 + 1, depth - 999]);
    let document = document();
    let ads = document
        .query_selector_all("#deep .trc_related_container")
        .unwrap()
        .length();
    assert_eq!(ads, 2, "the chain holds its two ads");
    assert!(root.contains(Some(&deepest)), "the chain is built");
    let promise = unsponsor::clean_async(JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let report = JsFuture::from(promise).await.unwrap();
    // Over the slicing limit in Chromium; one slice for Firefox's shorter chain.
    let slices = field(&report, "slices").as_f64().unwrap();
    assert!(
        if firefox { slices >= 1.0 } else { slices > 1.0 },
        "{slices} slices"
    );
    assert_eq!(
        document
            .query_selector_all("#deep .trc_related_container")
            .unwrap()
            .length(),
        0,
        "the ads deep in the chain are gone"
    );
    let mut levels_up = 0;
    let mut top = deepest.clone();
    while let Some(parent) = top.parent_element() {
        top = parent;
        levels_up += 1;
    }
    assert!(
        root.contains(Some(&deepest)),
        "the chain itself is intact; detached subtree of {levels_up} levels, top {} with {} children; removed: {}",
        top.tag_name(),
        top.child_element_count(),
        js_sys::JSON::stringify(&field(&report, "removed"))
            .map(String::from)
            .unwrap_or_default()
    );
    assert_eq!(deepest.text_content().as_deref(), Some(PARAGRAPH));
    unsponsor::undo().map_err(JsValue::from).unwrap();
    assert_eq!(
        document
            .query_selector_all("#deep .trc_related_container")
            .unwrap()
            .length(),
        2
    );
    root.remove();
}

/// The promise of `cleanAsync` settles even when the browser refuses to schedule the next
/// slice: it rejects with the reason, and the page can be cleaned afterwards.
#[wasm_bindgen_test]
async fn a_sliced_clean_that_cannot_be_scheduled_rejects_its_promise() {
    build_page(400, 40);
    run_script(
        "window.__setTimeout = window.setTimeout; window.setTimeout = () => { throw new Error('no timers here'); };",
    );
    let started = unsponsor::clean_async(JsValue::UNDEFINED).map_err(JsValue::from);
    run_script("window.setTimeout = window.__setTimeout; delete window.__setTimeout;");
    let promise = started.unwrap();
    // A promise that never settles would hang here until the test runner gives up.
    let error = JsFuture::from(promise)
        .await
        .expect_err("the clean resolved although no slice could run");
    let message = field(&error, "message").as_string().unwrap_or_default();
    assert!(
        message.contains("could not be scheduled") && message.contains("no timers here"),
        "{message}"
    );
    // Nothing is left half done: a clean afterwards removes the ads.
    let report = JsFuture::from(
        unsponsor::clean_async(JsValue::UNDEFINED)
            .map_err(JsValue::from)
            .unwrap(),
    )
    .await
    .unwrap();
    assert!(field(&report, "total").as_f64().unwrap() > 0.0);
    unsponsor::undo().map_err(JsValue::from).unwrap();
    document().get_element_by_id("huge").unwrap().remove();
}
