//! The reader's controls on a real DOM (`wasm-pack test`): own rules and exceptions, per-item
//! restore, picked elements and the preview.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const PARAGRAPH: &str = "The minister said the talks had covered trade, security and the coming winter, and that both sides expected further meetings before the end of the year.";

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn get(value: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

fn fixture() -> web_sys::Element {
    let document = document();
    if let Some(root) = document.get_element_by_id("reader-fixture") {
        return root;
    }
    let root = document.create_element("div").unwrap();
    root.set_id("reader-fixture");
    document.body().unwrap().append_child(&root).unwrap();
    root
}

/// An article with a Taboola block, a shop box the heuristics do not know, and a newsletter box.
fn load() -> String {
    unsponsor::undo().map_err(JsValue::from).unwrap();
    unsponsor::set_user_rules("")
        .map_err(JsValue::from)
        .unwrap();
    fixture().set_inner_html(&format!(
        r#"<main><article><h1>Leaders meet</h1><div class="body"><p>One. {PARAGRAPH}</p>
        <div id="tb" class="trc_related_container"><div>You May Like</div><a href="https://trc.taboola.com/x">A trick</a></div>
        <p>Two. {PARAGRAPH}</p><div class="shop-box"><a href="/shop">Our shop has mugs</a></div>
        <p>Three. {PARAGRAPH}</p></div></article></main>"#
    ));
    fixture().outer_html()
}

fn total(report: &JsValue) -> f64 {
    get(report, "total").as_f64().unwrap()
}

fn clean() -> JsValue {
    unsponsor::clean(JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap()
}

#[wasm_bindgen_test]
fn own_rules_remove_and_exceptions_keep_and_bad_lines_are_reported() {
    load();
    let summary = unsponsor::set_user_rules(
        "! mine\n##.shop-box\n#@##tb\nexample.com#?#.x:has-text(y)\n##div:nth-child(\n",
    )
    .map_err(JsValue::from)
    .unwrap();
    assert_eq!(get(&summary, "rules").as_f64(), Some(2.0));
    let errors: js_sys::Array = get(&summary, "errors").dyn_into().unwrap();
    let lines: Vec<f64> = errors
        .iter()
        .map(|e| get(&e, "line").as_f64().unwrap())
        .collect();
    assert_eq!(lines, vec![4.0, 5.0]);
    let report = clean();
    assert_eq!(
        total(&report),
        1.0,
        "only the reader's rule removes; the exception keeps Taboola"
    );
    let removed: js_sys::Array = get(&report, "removed").dyn_into().unwrap();
    assert_eq!(
        get(&removed.get(0), "rule").as_string().as_deref(),
        Some("user-rule")
    );
    assert!(document().query_selector(".shop-box").unwrap().is_none());
    assert!(document().get_element_by_id("tb").is_some());
    // parseUserRules checks without applying.
    let checked = unsponsor::parse_user_rules("##.a\n##b[")
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(get(&checked, "rules").as_f64(), Some(1.0));
    unsponsor::undo().map_err(JsValue::from).unwrap();
    unsponsor::set_user_rules("")
        .map_err(JsValue::from)
        .unwrap();
}

#[wasm_bindgen_test]
async fn one_block_is_put_back_exactly_and_stays() {
    let before = load();
    unsponsor::set_user_rules("##.shop-box")
        .map_err(JsValue::from)
        .unwrap();
    let options = js_sys::JSON::parse(r#"{"watch":true}"#).unwrap();
    let report = unsponsor::clean(options).map_err(JsValue::from).unwrap();
    assert_eq!(total(&report), 2.0);
    // Put back the first removal (Taboola), then the second: the page is as it was.
    let answer = unsponsor::restore_removal(0)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(get(&answer, "restored").as_bool(), Some(true));
    let element: web_sys::Element = get(&answer, "element").dyn_into().unwrap();
    assert_eq!(element.id(), "tb");
    assert_eq!(total(&get(&answer, "report")), 1.0);
    // A late pass (the page adds something) must not take the kept block again.
    let extra = document().create_element("p").unwrap();
    extra.set_text_content(Some("A late paragraph."));
    fixture().append_child(&extra).unwrap();
    let wait = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 300)
            .unwrap();
    });
    JsFuture::from(wait).await.unwrap();
    assert!(
        document().get_element_by_id("tb").is_some(),
        "a late pass removed the kept block"
    );
    extra.remove();
    unsponsor::restore_removal(0)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(fixture().outer_html(), before);
    let report = unsponsor::report().map_err(JsValue::from).unwrap();
    assert_eq!(total(&report), 0.0);
    unsponsor::undo().map_err(JsValue::from).unwrap();
    unsponsor::set_user_rules("")
        .map_err(JsValue::from)
        .unwrap();
}

#[wasm_bindgen_test]
fn a_picked_element_is_removed_with_its_selector_and_undo_puts_it_back() {
    let before = load();
    let shop = document().query_selector(".shop-box").unwrap().unwrap();
    let report = unsponsor::remove_element(shop, "div.shop-box".into())
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(total(&report), 1.0);
    let removed: js_sys::Array = get(&report, "removed").dyn_into().unwrap();
    let record = removed.get(0);
    assert_eq!(
        get(&record, "rule").as_string().as_deref(),
        Some("user-rule")
    );
    assert_eq!(
        get(&record, "evidence").as_string().as_deref(),
        Some("picked: div.shop-box")
    );
    assert_eq!(
        get(&record, "preview").as_string().as_deref(),
        Some("Our shop has mugs")
    );
    unsponsor::undo().map_err(JsValue::from).unwrap();
    assert_eq!(fixture().outer_html(), before);
}

#[wasm_bindgen_test]
async fn the_preview_names_blocks_without_removing_them() {
    let before = load();
    let promise = unsponsor::preview_async(JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    let items: js_sys::Array = JsFuture::from(promise).await.unwrap().dyn_into().unwrap();
    assert_eq!(items.length(), 1);
    let item = items.get(0);
    let element: web_sys::Element = get(&item, "element").dyn_into().unwrap();
    assert_eq!(element.id(), "tb");
    assert_eq!(
        get(&item, "rule").as_string().as_deref(),
        Some("vendor-taboola")
    );
    assert_eq!(get(&item, "category").as_string().as_deref(), Some("ads"));
    assert!(get(&item, "reason")
        .as_string()
        .unwrap()
        .contains("Taboola"));
    assert_eq!(
        fixture().outer_html(),
        before,
        "the preview changed the page"
    );
    let report = unsponsor::report().map_err(JsValue::from).unwrap();
    assert_eq!(total(&report), 0.0);
}

/// A page's copy as `DOMParser` makes it: an inert document that loads and runs nothing.
fn parsed_copy(html: &str) -> web_sys::Document {
    js_sys::Function::new_with_args(
        "html",
        "return new DOMParser().parseFromString(html, 'text/html');",
    )
    .call1(&JsValue::NULL, &JsValue::from_str(html))
    .unwrap()
    .dyn_into()
    .unwrap()
}

/// The rules `judgeDocument` answers for `copy` judged as the page at `url`, and the class of
/// each element it names (checked to be the copy's).
fn judged(copy: &web_sys::Document, url: &str) -> Vec<(String, String)> {
    let decisions = unsponsor::judge_document(copy.clone(), url.to_string(), JsValue::UNDEFINED)
        .map_err(JsValue::from)
        .unwrap();
    decisions
        .iter()
        .map(|decision| {
            let element: web_sys::Element = get(&decision, "element").dyn_into().unwrap();
            let owner = element.owner_document().unwrap();
            assert!(
                js_sys::Object::is(&owner, copy),
                "a decision names an element of another document"
            );
            (
                get(&decision, "rule").as_string().unwrap(),
                element.class_name(),
            )
        })
        .collect()
}

#[wasm_bindgen_test]
fn a_parsed_copy_is_judged_as_its_page_would_be_and_nothing_is_removed() {
    let page = load();
    let copy = parsed_copy(&format!(
        "<!doctype html><html><head><title>t</title></head><body>{page}</body></html>"
    ));
    let markup = copy.document_element().unwrap().outer_html();
    // The reader's rule for the page's site applies when the copy is judged as that site's page,
    // and only then: the address given is the one the rules see, not the window's.
    unsponsor::set_user_rules("news.example##.shop-box")
        .map_err(JsValue::from)
        .unwrap();
    let at_home = judged(&copy, "https://news.example/2026/leaders-meet");
    let rules: Vec<&str> = at_home.iter().map(|(rule, _)| rule.as_str()).collect();
    assert_eq!(rules, ["vendor-taboola", "user-rule"], "{at_home:?}");
    assert_eq!(at_home[1].1, "shop-box");
    let elsewhere = judged(&copy, "https://other.example/leaders-meet");
    assert_eq!(elsewhere.len(), 1, "{elsewhere:?}");
    assert_eq!(elsewhere[0].0, "vendor-taboola");
    // Nothing was taken out of the copy, nor of the window's page, whose session has nothing.
    assert_eq!(copy.document_element().unwrap().outer_html(), markup);
    assert!(document().get_element_by_id("tb").is_some());
    let report = unsponsor::report().map_err(JsValue::from).unwrap();
    assert_eq!(total(&report), 0.0);
    unsponsor::set_user_rules("")
        .map_err(JsValue::from)
        .unwrap();
}

/// A core that judges pages of every site keeps every host's site rules, and a copy judged at
/// a site gets that site's: the rules a page loads for itself keep its own host's only.
#[wasm_bindgen_test]
fn rules_kept_for_every_host_give_each_judged_copy_its_own_site_rules() {
    let page = load();
    let copy = parsed_copy(&format!(
        "<!doctype html><html><head><title>t</title></head><body>{page}</body></html>"
    ));
    let text = "!unsponsor-rules 1\nsnews.example\t.shop-box\n";
    let bundle = unsponsor::bundle_rules(text.into())
        .map_err(JsValue::from)
        .unwrap();
    let bytes = || JsValue::from(js_sys::Uint8Array::from(&bundle[..]));
    let rules_at = |url: &str| -> Vec<String> {
        judged(&copy, url)
            .into_iter()
            .map(|(rule, _)| rule)
            .collect()
    };
    // Loaded as a page loads them (for this test page's host): news.example's rule is dropped.
    unsponsor::load_rules(bytes(), None)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(rules_at("https://news.example/a"), ["vendor-taboola"]);
    let loaded = unsponsor::load_rules_for_every_host(bytes())
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(get(&loaded, "indexed").as_bool(), Some(true));
    assert_eq!(get(&loaded, "site").as_f64(), Some(1.0));
    assert_eq!(
        rules_at("https://news.example/a"),
        ["vendor-taboola", "easylist-site"]
    );
    assert_eq!(rules_at("https://other.example/a"), ["vendor-taboola"]);
    // Leave no rules behind for the other tests.
    unsponsor::load_rules("!unsponsor-rules 1\n".into(), None)
        .map_err(JsValue::from)
        .unwrap();
}

/// A late pass's copy of what a page added (extension/content.js, copyOfParts): only the parts
/// under the roots given are judged, their ancestors read as context; a widget beside them in
/// the copy is not named.
#[wasm_bindgen_test]
fn judge_parts_names_only_blocks_inside_the_parts_given() {
    let widget = |id: &str| {
        format!(
            "<div id=\"{id}\" class=\"trc_related_container\"><div class=\"trc_rbox_header\">\
             Promoted Links by Taboola</div><div class=\"videoCube\"><a href=\"https://trc.taboola.com/{id}\">\
             An offer you will not believe</a></div></div>"
        )
    };
    let copy = parsed_copy(&format!(
        "<!doctype html><html><head></head><body class=\"story\"><div class=\"feed\">{}</div>{}</body></html>",
        widget("added"),
        widget("beside")
    ));
    let root = copy.get_element_by_id("added").unwrap();
    let roots: js_sys::Array = [JsValue::from(root)].into_iter().collect();
    let decisions = unsponsor::judge_parts(
        copy.clone(),
        "https://news.example/a".to_string(),
        JsValue::UNDEFINED,
        roots,
    )
    .map_err(JsValue::from)
    .unwrap();
    let named: Vec<(String, String)> = decisions
        .iter()
        .map(|decision| {
            let element: web_sys::Element = get(&decision, "element").dyn_into().unwrap();
            (get(&decision, "rule").as_string().unwrap(), element.id())
        })
        .collect();
    assert_eq!(
        named,
        [("vendor-taboola".to_string(), "added".to_string())],
        "{named:?}"
    );
    // The whole copy judged names both.
    assert_eq!(judged(&copy, "https://news.example/a").len(), 2);
}
