//! A small built-in page, planned once while the extension loads, so the browser has compiled
//! the code a clean runs before the first clean (see `wasm::api::warm_up`).

use super::decode;
use crate::core::category::CategorySet;
use crate::core::plan::plan;
use crate::core::selector::ElementIndex;
use crate::core::tree::PageTree;

/// An article with the usual blocks around it: share bar, ad break, ad slot, a block under a
/// bare "Sponsored" label, a newsletter promo, a Taboola widget, related links, comments. One
/// record per line, in the reader's format (src/dom/read.js) with `|` between fields and `;`
/// between list items where the reader writes \u{2} and \u{3}. A record's parent is the line
/// number (from 0) of its element.
const PAGE: &str = "\
E|-1|0|html||||\n\
E|0|0|body||||\n\
E|1|0|header||site-header||\n\
E|2|0|nav||||\n\
E|3|0|a|||href;/news|\n\
T|4|4|News\n\
E|1|0|main||||\n\
E|6|0|article||||\n\
E|7|0|h1||||\n\
T|8|32|Leaders meet to talk about buses\n\
E|7|0|div||share-bar social-share||\n\
E|10|0|a|||href;https://twitter.com/intent/tweet?u=x|\n\
T|11|10|Share on X\n\
E|7|0|p||||\n\
T|13|144|The committee met on Tuesday to review the proposal, which would change how the city funds its bus network over the next decade, officials said.\n\
E|7|0|p||||\n\
T|15|144|The committee met on Tuesday to review the proposal, which would change how the city funds its bus network over the next decade, officials said.\n\
E|7|0|p||||\n\
T|17|144|The committee met on Tuesday to review the proposal, which would change how the city funds its bus network over the next decade, officials said.\n\
E|7|0|p||ad-break||\n\
T|19|29|STORY CONTINUES BELOW THIS AD\n\
E|7|0|div||ad-unit-wrapper||\n\
E|21|0|div||ad-label||\n\
T|22|13|Advertisement\n\
E|21|0|div|div-gpt-ad-1712345678901-0||data-google-query-id;CKz0|style\n\
E|7|0|p||||\n\
T|25|144|The committee met on Tuesday to review the proposal, which would change how the city funds its bus network over the next decade, officials said.\n\
E|25|0|a|||href;/news/transport/1|\n\
T|27|22|Read the earlier story\n\
E|7|0|div||c7x2q||\n\
E|29|0|span||k1m||\n\
T|30|9|Sponsored\n\
E|29|0|a||z9|href;https://brand.example/offer|\n\
T|32|31|This gadget is selling out fast\n\
E|7|0|aside||newsletter-promo||\n\
E|34|0|h3||||\n\
T|35|27|Subscribe to our newsletter\n\
E|34|0|a|||href;/subscribe|\n\
T|37|7|Sign up\n\
E|6|0|div|taboola-below-article-thumbnails|trc_related_container trc_spotlight_widget||\n\
E|39|0|div||trc_rbox_header||\n\
T|40|12|You May Like\n\
E|40|0|a||trc_desktop_disclosure_link|href;https://popup.taboola.com/en/|\n\
T|42|26|Sponsored Links by Taboola\n\
E|39|0|div||videoCube trc_spotlight_item syndicatedItem||\n\
E|44|0|a|||href;https://trc.taboola.com/click?i=0;rel;nofollow|\n\
T|45|37|Surgeon: this one food ruins your gut\n\
E|45|0|span||branding||\n\
T|47|13|Health Digest\n\
E|39|0|div||videoCube trc_spotlight_item syndicatedItem||\n\
E|49|0|a|||href;https://trc.taboola.com/click?i=1;rel;nofollow|\n\
T|50|35|The cheapest way to insure your car\n\
E|50|0|span||branding||\n\
T|52|13|Smart Savings\n\
E|6|0|section||related-stories||\n\
E|54|0|h2||||\n\
T|55|15|Related stories\n\
E|54|0|ul||||\n\
E|57|0|li||||\n\
E|58|0|a|||href;/news/city/0|\n\
T|59|32|Council approves the tram budget\n\
E|57|0|li||||\n\
E|61|0|a|||href;/news/city/1|\n\
T|62|32|Council approves the tram budget\n\
E|6|0|section|comments|comments||\n\
E|64|0|h2||||\n\
T|65|8|Comments\n\
E|1|0|footer||||\n\
E|67|0|p||||\n\
T|68|11|© City Desk\n\
P|";

/// Plans the built-in page, without the DOM and without calling out of the module. Returns how
/// many blocks the plan removes.
pub fn warm_up() -> usize {
    let bytes = PAGE.bytes().map(|byte| match byte {
        b'\n' => 1,
        b'|' => 2,
        b';' => 3,
        other => other,
    });
    let records = String::from_utf8(bytes.collect()).unwrap_or_default();
    let mut tree = PageTree::new();
    decode(&records, &mut tree);
    let _ = ElementIndex::new(&tree);
    plan(&tree, &CategorySet::default()).removals.len()
}
