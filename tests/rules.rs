//! Every rule with a page it must clean and a look-alike it must leave alone, plus the guards.
//! Pages are small HTML fixtures read by `common::parse`.

mod common;

use common::{article_page, plan_default, prose, rules, text_after, tree_after};
use unsponsor::core::category::CategorySet;
use unsponsor::core::plan::plan;

/// Asserts that `inner`, placed inside an article, is removed by `rule` and that every article
/// paragraph survives.
fn assert_removed(inner: &str, rule: &str, gone: &[&str]) {
    let (tree, plan) = plan_default(&article_page(inner));
    assert!(
        rules(&plan).contains(&rule),
        "expected {rule} in {:?} for {inner}",
        plan.removals
    );
    let after = text_after(&tree, &plan);
    for text in gone {
        assert!(!after.contains(text), "{text:?} still visible: {after}");
    }
    for paragraph in [
        "First paragraph.",
        "Second paragraph.",
        "Third paragraph.",
        "Fourth paragraph.",
        "Leaders meet in the capital",
    ] {
        assert!(
            after.contains(paragraph),
            "{paragraph} lost with {rule}: {after}"
        );
    }
}

/// Asserts that nothing at all is removed from the article page with `inner`.
fn assert_untouched(inner: &str) {
    let (tree, plan) = plan_default(&article_page(inner));
    assert!(
        plan.removals.is_empty(),
        "unexpected removals {:?} for {inner}",
        plan.removals
    );
    let after = text_after(&tree, &plan);
    assert!(after.contains("Third paragraph."));
}

#[test]
fn vendor_taboola_container_and_look_alike() {
    assert_removed(
        r#"<div id="taboola-mid-article-thumbnails" class="trc_related_container">
             <div class="trc_rbox_header">You May Like</div>
             <div class="videoCube"><a href="https://trc.taboola.com/click?x=1">
               <span class="video-title">An engineer reveals: One simple trick</span>
               <span class="branding">Techno Mag</span></a></div></div>"#,
        "vendor-taboola",
        &["An engineer reveals", "Techno Mag", "You May Like"],
    );
    assert_untouched(r#"<div class="taboo-topics"><a href="/t">Taboo topics</a></div>"#);
}

#[test]
fn every_vendor_signature_and_look_alike() {
    let cases = [
        (
            "vendor-outbrain",
            r#"<div class="OUTBRAIN" data-widget-id="AR_1"><a href="https://paid.outbrain.com/network/redir?p=1">Doctors stunned by this</a></div>"#,
            r#"<div class="outbrainstorm-notes"><a href="/notes">Notes</a></div>"#,
        ),
        (
            "vendor-revcontent",
            r#"<div id="rcjsload_2ff711"><a href="https://trends.revcontent.com/click">Celebs then and now</a></div>"#,
            r#"<div class="revcount"><a href="/r">Recount results</a></div>"#,
        ),
        (
            "vendor-mgid",
            r#"<div class="mgbox"><a href="https://clck.mgid.com/ghits/1">One weird trick</a></div>"#,
            r#"<div class="mgmt-team"><a href="/m">Management team</a></div>"#,
        ),
        (
            "vendor-zergnet",
            r#"<div class="zergnet-widget"><div class="zergentity"><a href="https://www.zergnet.com/i/1">Stars who vanished</a></div></div>"#,
            r#"<div class="zerg-rush"><a href="/z">Game guide</a></div>"#,
        ),
        (
            "vendor-dianomi",
            r#"<div class="dianomi_context" data-dianomi-context-id="12"><a href="https://www.dianomi.com/click">Retire early with this plan</a></div>"#,
            r#"<div class="diagnosis"><a href="/d">Diagnosis</a></div>"#,
        ),
        (
            "vendor-nativo",
            r#"<div class="ntv-ad"><a href="https://jadserve.postrelease.com/x">Brand story</a></div>"#,
            r#"<div class="native-plants"><a href="/n">Native plants</a></div>"#,
        ),
        (
            "vendor-yahoo-gemini",
            r#"<div class="gemini-ad"><a href="https://beap.gemini.yahoo.com/mbclk">Great deal</a></div>"#,
            r#"<div class="gemini-horoscope"><a href="/g">Horoscope</a></div>"#,
        ),
        (
            "vendor-teads",
            r#"<div class="teads-inread"><div class="teads-player"></div></div>"#,
            r#"<div class="tea-ds"><a href="/t">Tea</a></div>"#,
        ),
        (
            "vendor-connatix",
            r#"<div class="cnx-main-container"><div class="cnx-ui">Video</div></div>"#,
            r#"<div class="cnxn-status"><a href="/c">Connection</a></div>"#,
        ),
    ];
    for (rule, positive, negative) in cases {
        assert_removed(positive, rule, &[]);
        assert_untouched(negative);
    }
}

#[test]
fn ad_slots_and_look_alikes() {
    assert_removed(
        r#"<div id="div-gpt-ad-1700000000000-0" class="slot"></div>"#,
        "ad-slot-gpt",
        &[],
    );
    assert_untouched(r#"<div id="gpt-summary"><a href="/s">Summary by our newsroom</a></div>"#);
    assert_removed(
        r#"<ins class="adsbygoogle" data-ad-client="ca-pub-1" data-ad-slot="2"></ins>"#,
        "ad-slot-adsense",
        &[],
    );
    assert_untouched(r#"<ins class="edit">inserted</ins>"#);
    assert_removed(
        r#"<div id="amzn-assoc-ad-123"></div>"#,
        "ad-slot-amazon",
        &[],
    );
    assert_untouched(r#"<div id="amazon-review"><a href="/a">Our Amazon review</a></div>"#);
    assert_removed(
        r#"<iframe src="https://tpc.googlesyndication.com/safeframe/1"></iframe>"#,
        "ad-frame",
        &[],
    );
    assert_untouched(r#"<iframe src="https://www.youtube.com/embed/abc"></iframe>"#);
    assert_removed(
        r#"<div class="ad-container"><a href="/promo">Buy now</a></div>"#,
        "ad-class",
        &["Buy now"],
    );
    assert_untouched(r#"<div class="shadow header-bar"><a href="/x">Section</a></div>"#);
}

#[test]
fn ad_links_are_removed_as_items_but_never_out_of_a_sentence() {
    assert_removed(
        r#"<ul class="deals"><li><a href="https://adclick.g.doubleclick.net/pcs/click?x">Cheap flights today</a></li></ul>"#,
        "ad-link",
        &["Cheap flights today"],
    );
    assert_removed(
        r#"<div class="shop"><a rel="sponsored nofollow" href="https://shop.example/">Buy the kettle</a></div>"#,
        "link-rel-sponsored",
        &["Buy the kettle"],
    );
    // Inline in a sentence: the link and its sentence stay.
    let inline = format!(
        r#"<p>{} <a rel="sponsored" href="https://shop.example/">this kettle</a> is fine.</p>"#,
        prose("Shopping.")
    );
    let (tree, plan) = plan_default(&article_page(&inline));
    assert!(plan.removals.is_empty(), "{:?}", plan.removals);
    assert!(text_after(&tree, &plan).contains("this kettle"));
}

#[test]
fn widget_labels_remove_the_widget_with_hashed_classes() {
    assert_removed(
        r#"<div class="css-1q2w3e"><div class="css-9k"><span>Sponsored</span> <span>Links</span></div>
             <div class="css-x1"><a href="https://technomag.example/offer"><span>An engineer reveals: One simple trick</span><span>Techno Mag</span></a>
             <a href="https://technomag.example/offer">Learn More</a><span>Undo</span></div>
             <div class="css-x2"><a href="https://bank.example/card">UnionBank Credit Card</a> <a href="https://bank.example/card">Apply Now</a></div></div>"#,
        "label-sponsored-widget",
        &[
            "Sponsored",
            "An engineer reveals",
            "Techno Mag",
            "Learn More",
            "Undo",
            "UnionBank",
            "Apply Now",
        ],
    );
    // A sentence that mentions sponsored links is article text.
    let mention = format!("<p>{} Sponsored links were banned.</p>", prose("Rules."));
    assert_untouched(&mention);
}

#[test]
fn ad_markers_remove_the_labelled_slot() {
    assert_removed(
        r#"<div class="x7"><p class="lbl">Advertisement</p><div class="x8"></div></div>"#,
        "label-ad-marker",
        &["Advertisement"],
    );
    assert_untouched(r#"<h2>Advertisement revenue fell sharply</h2>"#);
}

#[test]
fn ad_breaks_go_alone_and_paragraphs_stay() {
    assert_removed(
        r#"<p>STORY CONTINUES BELOW THIS AD</p>"#,
        "ad-break-label",
        &["STORY CONTINUES"],
    );
    assert_removed(
        r#"<div class="ad-break"><span>Story continues below advertisement</span></div>"#,
        "ad-break-label",
        &["Story continues"],
    );
    // Bare text between sentences: only the label text goes.
    let mixed = format!(
        "<div class=\"body2\">{}<br>STORY CONTINUES BELOW THIS AD<br>{}</div>",
        prose("Mixed one."),
        prose("Mixed two.")
    );
    let (tree, plan) = plan_default(&article_page(&mixed));
    let after = text_after(&tree, &plan);
    assert!(!after.contains("STORY CONTINUES"), "{after}");
    assert!(after.contains("Mixed one.") && after.contains("Mixed two."));
    assert_untouched(&format!(
        "<p>{} The story continues below the fold.</p>",
        prose("Fold.")
    ));
}

#[test]
fn site_promos_are_promos() {
    assert_removed(
        r#"<section class="_9aZk1"><h3>Try Our AI Features</h3><p>Explore what Daily8 AI can do for you:</p><button>Summarise</button></section>"#,
        "promo-label",
        &["Try Our AI Features", "Explore what Daily8 AI"],
    );
    assert_removed(
        r#"<div class="app-banner"><a href="/app">Get it</a></div>"#,
        "promo-class",
        &["Get it"],
    );
    assert_untouched(&format!(
        "<p>{} Readers can try our AI features in the app, the editor wrote.</p>",
        prose("Editor.")
    ));
}

#[test]
fn optional_categories_stay_by_default_and_go_when_enabled() {
    let inner = r#"<div class="share-bar"><a href="/s">Share</a></div>
        <section class="related-articles"><h2>Related Articles</h2><a href="/a">Another story</a></section>
        <section id="comments"><h3>Comments</h3><p>No comments yet...</p></section>"#;
    let page = article_page(inner);
    let (_, default_plan) = plan_default(&page);
    assert!(
        default_plan.removals.is_empty(),
        "{:?}",
        default_plan.removals
    );
    let tree = common::parse(&page);
    let everything = plan(&tree, &CategorySet::all());
    let categories: Vec<_> = everything
        .removals
        .iter()
        .map(|r| r.rule.category().id())
        .collect();
    for category in ["social", "related", "comments"] {
        assert!(
            categories.contains(&category),
            "{category} missing from {categories:?}"
        );
    }
    let after = text_after(&tree, &everything);
    assert!(after.contains("Fourth paragraph.") && !after.contains("Another story"));
}

#[test]
fn guard_keeps_article_even_with_ad_like_names() {
    // The article container itself carries an ad-like class: it must stay.
    let page = format!(
        "<html><body><div class=\"ad-wrapper\"><h1>Headline</h1><p>{}</p><p>{}</p><p>{}</p></div></body></html>",
        prose("One."),
        prose("Two."),
        prose("Three.")
    );
    let (tree, plan) = plan_default(&page);
    assert!(plan.removals.is_empty(), "{:?}", plan.removals);
    assert!(
        !plan.kept.is_empty(),
        "the guard should report what it kept"
    );
    assert!(text_after(&tree, &plan).contains("Three."));
}

#[test]
fn guard_keeps_vendor_markup_that_wraps_the_article() {
    let page = format!(
        "<html><body><div id=\"outbrain-page-wrapper\"><h1>Headline</h1><div class=\"text\"><p>{}</p><p>{}</p></div></div></body></html>",
        prose("One."),
        prose("Two.")
    );
    let (tree, plan) = plan_default(&page);
    assert!(plan.removals.is_empty(), "{:?}", plan.removals);
    assert!(text_after(&tree, &plan).contains("Two."));
}

#[test]
fn plain_pages_lose_nothing() {
    let page = format!(
        "<html><body><nav><a href=\"/\">Home</a></nav><article><h1>Sponsored research in the 1900s</h1>\
         <p>{}</p><h2>Advertising history</h2><p>{}</p><figure><img src=\"x.png\"><figcaption>An advert from 1920</figcaption></figure><p>{}</p></article>\
         <footer><a href=\"/advertise\">Advertise with us</a></footer></body></html>",
        prose("Sponsored by patrons, the first studies began."),
        prose("Newspapers sold space."),
        prose("Later, radio followed.")
    );
    let (tree, plan) = plan_default(&page);
    assert!(plan.removals.is_empty(), "{:?}", plan.removals);
    let after = text_after(&tree, &plan);
    assert!(after.contains("An advert from 1920") && after.contains("Advertising history"));
}

#[test]
fn own_interface_is_never_touched() {
    let inner = r#"<div data-unsponsor-ui="1"><button>Undo</button><div class="ad-slot">Sponsored Links</div></div>"#;
    let (tree, plan) = plan_default(&article_page(inner));
    assert!(plan.removals.is_empty(), "{:?}", plan.removals);
    assert!(text_after(&tree, &plan).contains("Sponsored Links"));
}

#[test]
fn emptied_wrappers_collapse_but_shared_ones_stay() {
    let inner = r#"<div class="rail"><div class="holder"><div id="div-gpt-ad-1"></div></div></div>
                   <div class="box"><div id="div-gpt-ad-2"></div><a href="/keep">Keep this link</a></div>"#;
    let (tree, plan) = plan_default(&article_page(inner));
    let removed_tags: Vec<_> = plan
        .removals
        .iter()
        .map(|r| tree.node(r.node).class.clone() + &tree.node(r.node).id)
        .collect();
    assert!(
        removed_tags.contains(&"rail".to_string()),
        "{removed_tags:?}"
    );
    assert!(
        removed_tags.contains(&"div-gpt-ad-2".to_string()),
        "{removed_tags:?}"
    );
    assert!(text_after(&tree, &plan).contains("Keep this link"));
}

#[test]
fn cleaning_twice_removes_nothing_new() {
    let inner = r#"<div id="taboola-x"><a href="https://trc.taboola.com/1">Ad</a></div>
                   <p>STORY CONTINUES BELOW THIS AD</p>
                   <section class="p1"><h3>Try Our AI Features</h3></section>"#;
    let (tree, first) = plan_default(&article_page(inner));
    assert_eq!(first.removals.len(), 3, "{:?}", first.removals);
    let cleaned = tree_after(&tree, &first);
    let second = plan(&cleaned, &CategorySet::default());
    assert!(second.removals.is_empty(), "{:?}", second.removals);
}

/// Removals that change how their neighbours look, found by the property test (shrunk cases):
/// the first clean already removes what a second one would.
#[test]
fn a_removal_leaves_nothing_for_a_second_clean() {
    let cases = [
        // A bare label beside a vendor block is a label on its own once the block is gone.
        r#"<div>Sponsored<div id="dianomi_context">Harvest</div></div>"#,
        // The wrapper's prose was the ad's: without it, the wrapper is an ad slot.
        r#"<div class="ad-slot"><div class="OUTBRAIN"><p>Promoted prose that runs long enough to count as a paragraph of text for the planner.</p></div><a href="/buy">Buy now</a></div>"#,
    ];
    for inner in cases {
        let (tree, first) = plan_default(&article_page(inner));
        let after = text_after(&tree, &first);
        assert!(
            !after.contains("Harvest")
                && !after.contains("Sponsored")
                && !after.contains("Buy now"),
            "{inner}: {after}"
        );
        let second = plan(&tree_after(&tree, &first), &CategorySet::default());
        assert!(second.removals.is_empty(), "{inner}: {:?}", second.removals);
    }
}

/// Label words and ad-like names inside a paragraph of prose are part of its text: they stay, so
/// a paragraph is never cut down until it no longer counts as prose (and a second clean would
/// remove it, with the ad link it holds).
#[test]
fn words_inside_a_prose_paragraph_stay() {
    // Each paragraph counts as prose only with its label words (80 characters).
    for (inner, words) in [
        (
            r#"<p>Season school music city weather train data weather and winter transport bridge today.<a href="https://paid.outbrain.com/y"></a>Anzeige</p>"#,
            "Anzeige",
        ),
        (
            r#"<p class="app-banner"><span>Sponsored Links</span> Housing prices rose again in the city this winter, the council report said on Monday.</p>"#,
            "Sponsored Links",
        ),
        (
            r#"<p>Housing prices rose again in the city this winter, the council said in its report today. <span class="ad-slot">Advertisement</span></p>"#,
            "Advertisement",
        ),
    ] {
        let (tree, first) = plan_default(&article_page(inner));
        let after = text_after(&tree, &first);
        assert!(
            after.contains(words) && after.contains("winter"),
            "{inner}: {:?}",
            first.removals
        );
        let second = plan(&tree_after(&tree, &first), &CategorySet::default());
        assert!(second.removals.is_empty(), "{inner}: {:?}", second.removals);
    }
    // An ad link (no words of the paragraph) may still go from inside one.
    let inner = format!(
        "<p><span>{}</span><a href=\"https://pubads.g.doubleclick.net/clk\"><img src=\"b.png\"></a></p>",
        prose("Banner.")
    );
    let (tree, plan) = plan_default(&article_page(&inner));
    assert_eq!(rules(&plan), ["ad-link"], "{:?}", plan.removals);
    assert!(text_after(&tree, &plan).contains("Banner."));
}

/// The article is found under the page's first `<h1>`: that headline stays even when it holds a
/// link and reads like a label. Removed, it would move the article elsewhere, and the blocks it
/// guarded (here vendor markup around the story) would be judged unguarded by a second clean.
#[test]
fn the_headline_the_article_hangs_from_stays() {
    let story: String = ["A.", "B.", "C."]
        .iter()
        .map(|seed| format!("<p>{}</p>", prose(seed)))
        .collect();
    let elsewhere: String = (0..8)
        .map(|i| format!("<p>{}</p>", prose(&format!("Elsewhere {i}."))))
        .collect();
    let page = format!(
        "<html><body><div class=\"wrap\"><h1>Promoted<a href=\"/x\"></a></h1>\
         <div class=\"taboola-feed\">{story}</div></div><div class=\"other\">{elsewhere}</div>\
         </body></html>"
    );
    let (tree, first) = plan_default(&page);
    let after = text_after(&tree, &first);
    assert!(
        after.contains("Promoted") && after.contains("B. The minister"),
        "{:?}",
        first.removals
    );
    let second = plan(&tree_after(&tree, &first), &CategorySet::default());
    assert!(second.removals.is_empty(), "{:?}", second.removals);
}

#[test]
fn reports_carry_reason_evidence_and_preview() {
    let (_, plan) = plan_default(&article_page(
        r#"<div id="taboola-below"><div>Sponsored Links</div><a href="https://trc.taboola.com/1">Great offer inside</a></div>"#,
    ));
    let removal = &plan.removals[0];
    assert_eq!(removal.rule.id(), "vendor-taboola");
    assert_eq!(removal.evidence, "id \"taboola-below\"");
    // The preview shows what the ad said, not its label.
    assert_eq!(removal.preview, "Great offer inside");
    assert!(!removal.rule.reason().is_empty());
}

#[test]
fn the_article_is_the_story_under_the_headline_not_the_longest_block() {
    let related: String = (0..6)
        .map(|i| format!("<p>{}</p>", prose(&format!("Related {i}."))))
        .collect();
    let page = format!(
        "<html><body><article><h1>Main story</h1><div id=\"main-body\"><p>{}</p><p>{}</p></div></article>\
         <section class=\"more\"><h3>Elsewhere</h3><div id=\"other-body\">{related}</div></section></body></html>",
        prose("Main one."),
        prose("Main two.")
    );
    let (tree, plan) = plan_default(&page);
    let root = plan.article_root.expect("an article");
    assert_eq!(tree.node(root).id, "main-body");
}

#[test]
fn easylist_rules_remove_listed_blocks_and_respect_exceptions() {
    use unsponsor::core::easylist::RuleSet;
    use unsponsor::core::plan::{plan_with_lists, ListMatches, SelectorMatch};
    let list = RuleSet::parse(
        "!unsponsor-rules 1\ncbanner-300\nipromo-rail\nsexample.com\t.story-footer-ad\nxexample.org\t.banner-300\n",
    )
    .unwrap();
    let page = article_page(
        r#"<div class="banner-300"><a href="/x">Listed block</a></div>
           <div class="banner-300-wide"><a href="/y">Look-alike stays</a></div>
           <div class="story-footer-ad"><a href="/z">Site-listed block</a></div>"#,
    );
    let tree = common::parse(&page);
    let site_block = (0..tree.len())
        .find(|&id| tree.node(id).class == "story-footer-ad")
        .unwrap();
    let on_site = list.for_page("https://www.example.com/story");
    let matches = [SelectorMatch {
        node: site_block,
        selector: ".story-footer-ad".to_string(),
        site_specific: true,
    }];
    let lists = ListMatches {
        rules: &list,
        page: &on_site,
        selector_matches: &matches,
    };
    let planned = plan_with_lists(&tree, &CategorySet::default(), Some(&lists));
    let after = text_after(&tree, &planned);
    assert!(
        !after.contains("Listed block") && !after.contains("Site-listed block"),
        "{after}"
    );
    assert!(after.contains("Look-alike stays") && after.contains("Fourth paragraph."));
    assert!(
        rules(&planned).contains(&"easylist-generic") && rules(&planned).contains(&"easylist-site")
    );
    // On a site with an exception for the selector, the generic rule does not apply.
    let excepted = list.for_page("https://example.org/");
    let lists = ListMatches {
        rules: &list,
        page: &excepted,
        selector_matches: &[],
    };
    let planned = plan_with_lists(&tree, &CategorySet::default(), Some(&lists));
    assert!(text_after(&tree, &planned).contains("Listed block"));
}

#[test]
fn a_page_nested_100k_deep_is_planned_without_overflow() {
    // Two chains of 100,000 nested <div>s: one ends in a vendor widget, one in a widget label.
    // (A quadratic walk would make this test run for minutes; it takes well under a second.)
    use unsponsor::core::tree::PageTree;
    let mut tree = PageTree::new();
    let body = tree.add_element(None, "body", vec![]);
    for leaf in ["vendor", "label"] {
        let mut parent = body;
        for _ in 0..100_000 {
            parent = tree.add_element(Some(parent), "div", vec![]);
        }
        if leaf == "vendor" {
            let ad = tree.add_element(
                Some(parent),
                "div",
                vec![("class".into(), "OUTBRAIN".into())],
            );
            tree.add_text(ad, "Deep ad");
        } else {
            let label = tree.add_element(Some(parent), "div", vec![]);
            tree.add_text(label, "Sponsored Links");
        }
    }
    let planned = plan(&tree, &CategorySet::default());
    let after = text_after(&tree, &planned);
    assert!(
        !after.contains("Deep ad") && !after.contains("Sponsored Links"),
        "{after}"
    );
}

#[test]
fn an_ad_link_tagged_by_a_bare_label_goes_with_its_label() {
    // Found by the property tests: "Advertisement" as bare text beside a tracked link made the
    // link look like part of a sentence, so only the label went and a second clean took the link.
    let inner = format!(
        r#"<div class="body2"><p>{}</p>Advertisement<a href="https://adclick.g.doubleclick.net/pcs/click?x"><img src="x.png"></a><p>{}</p></div>"#,
        prose("Before."),
        prose("After.")
    );
    let (tree, planned) = plan_default(&article_page(&inner));
    let removed_link = planned
        .removals
        .iter()
        .any(|r| tree.node(r.node).tag == "a" || r.rule.id() == "ad-link");
    assert!(removed_link, "{:?}", planned.removals);
    let second = plan(&tree_after(&tree, &planned), &CategorySet::default());
    assert!(second.removals.is_empty(), "{:?}", second.removals);
    let after = text_after(&tree, &planned);
    assert!(
        after.contains("Before.") && after.contains("After.") && !after.contains("Advertisement")
    );
}
