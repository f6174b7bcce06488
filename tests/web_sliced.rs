//! Huge pages in a real browser (`wasm-pack test`): `cleanAsync` cleans them in slices, each in
//! its own task, and the result matches what a clean in one go removes.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

const PARAGRAPH: &str = "The minister said the talks had covered trade, security and the coming winter, and that both sides expected further meetings before the end of the year.";

fn field(value: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(name)).unwrap()
}

/// A page of `sections` sections, each with paragraphs, a list of links and, every
/// `ad_every`-th section, a Taboola block and a labelled sponsored box. Returns the number of
/// ad blocks it holds.
fn build_page(sections: usize, ad_every: usize) -> usize {
    let document = document();
    let root = document.create_element("main").unwrap();
    root.set_id("huge");
    let mut html = String::new();
    let mut ads = 0;
    for index in 0..sections {
        html.push_str("<section><h2>Part</h2>");
        for _ in 0..3 {
            html.push_str(&format!("<p>{PARAGRAPH}</p>"));
        }
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
        html.push_str("</section>");
    }
    root.set_inner_html(&html);
    document.body().unwrap().append_child(&root).unwrap();
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
    let total = field(&report, "total").as_f64().unwrap() as usize;
    assert!(
        total >= ads,
        "removed {total} blocks, the page had {ads} ads"
    );
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
