// Late widgets for `npm run eval -- --inject`: after the page was cleaned, these functions add
// realistic sponsored widgets to it, the way vendor scripts do, at several places and delays, and
// check 250 ms after each insertion whether the cleaner removed it. The markup is modelled on
// what the vendors' scripts produce on real pages (see msn, cnet, breitbart and bbc-1 in the dev
// corpus): vendor classes and ids in some, hashed class names with only a visible label in others.

/**
 * Runs IN THE PAGE (page.evaluate). Self-contained. Resolves to one result per widget:
 * { name, position, gone } where gone means detached or not rendered `checkAfterMs` after insertion.
 */
export function injectLateWidgetsInPage({ delaysMs, checkAfterMs }) {
  const item = (href, title, brand) =>
    `<a href="${href}" rel="nofollow"><span class="thumb" style="display:block;width:120px;height:80px;background:#ccd"></span><span class="title">${title}</span><span class="brand">${brand}</span></a>`;
  const WIDGETS = [
    ['taboola-feed', `<div id="taboola-below-article-thumbnails-late" class="trc_related_container trc_spotlight_widget tbl-feed-container">
      <div class="trc_rbox_container"><div class="trc_rbox_header trc_rbox_border_elm"><span class="trc_rbox_header_span">You May Like</span>
      <a class="trc_desktop_disclosure_link" href="https://popup.taboola.com/en/">Sponsored Links by Taboola</a></div>
      <div class="trc_rbox_div trc_rbox_outer"><div class="videoCube trc_spotlight_item syndicatedItem">${item('https://trc.taboola.com/click?x=1', 'Surgeon: this one food ruins your gut', 'Health Digest')}</div>
      <div class="videoCube trc_spotlight_item syndicatedItem">${item('https://trc.taboola.com/click?x=2', 'The cheapest way to insure your car', 'Smart Savings')}</div></div></div></div>`],
    ['taboola-hashed', `<div class="css-7ac0e1"><div class="css-1m2x0p"><span>Promoted Links</span><span> by Taboola</span></div>
      <div class="css-9dz1q">${item('https://offers.example/deal', 'Homeowners are switching to this panel', 'EnergyWise')}${item('https://offers.example/deal2', 'Seniors get a new discount', 'SaveNow')}</div></div>`],
    ['outbrain-smartfeed', `<div class="OUTBRAIN" data-widget-id="SF_1" data-src="https://news.example/article"><div class="ob-widget ob-feed ob-smartfeed-wrapper">
      <div class="ob-widget-header">Recommended by</div><div class="ob-widget-items-container">
      <div class="ob-dynamic-rec-container ob-p"><a class="ob-dynamic-rec-link" href="https://paid.outbrain.com/network/redir?p=abc"><span class="ob-rec-text">Doctors stunned by simple trick</span><span class="ob-rec-source">Wellness Today</span></a></div></div></div></div>`],
    ['revcontent', `<div id="rcjsload_4a1b2c"><div class="rc-widget"><div class="rc-header"><span>Around The Web</span></div>
      <div class="rc-item">${item('https://trends.revcontent.com/click.php?d=1', 'Celebrities who aged badly', 'Ranker Daily')}</div></div></div>`],
    ['mgid', `<div class="mgbox"><div class="mgheader">You May Like</div><div class="mgline">${item('https://clck.mgid.com/ghits/123', 'Pilots reveal the best seat', 'TravelFact')}</div></div>`],
    ['dianomi', `<div class="dianomi_context" data-dianomi-context-id="245"><span class="dianomi-label">Sponsored Financial Content</span>
      <a href="https://www.dianomi.com/click.epl?id=1">Retire early with this income plan</a></div>`],
    ['gpt-slot', `<div class="ad-unit-wrapper-x"><div class="label">Advertisement</div><div id="div-gpt-ad-1712345678901-0" style="width:300px;height:250px" data-google-query-id="CKz"></div></div>`],
    ['ad-break', `<p class="k3x9">STORY CONTINUES BELOW THIS AD</p>`],
    ['promo-box', `<div class="_p7Qz"><h3>Try our AI features</h3><p>Summaries, translations and answers about this story.</p><button>Try it</button></div>`],
    ['hashed-you-may-like', `<section class="a8f3"><h4 class="x1">You May Like</h4><ul class="q0">
      <li>${item('https://brand.example/1', 'This gadget is selling out fast', 'GadgetNow')}</li><li>${item('https://brand.example/2', 'The sofa everyone wants', 'HomeStyle')}</li></ul></section>`],
  ];

  // Article paragraphs: long ones that are not the title of a link card.
  const paragraphs = [...document.querySelectorAll('p')].filter((p) => p.textContent.trim().length > 80 && !p.closest('a'));
  const anchorParagraph = paragraphs[Math.min(1, paragraphs.length - 1)] || null;
  const articleEnd = paragraphs.length ? paragraphs[paragraphs.length - 1].parentElement : null;
  const body = document.body || document.documentElement;
  const POSITIONS = ['after-paragraph', 'end-of-article', 'end-of-body'];

  function place(element, position) {
    if (position === 'after-paragraph' && anchorParagraph && anchorParagraph.isConnected) anchorParagraph.after(element);
    else if (position === 'end-of-article' && articleEnd && articleEnd.isConnected) articleEnd.append(element);
    else body.append(element);
  }

  return new Promise((resolve) => {
    const results = [];
    let pending = WIDGETS.length;
    WIDGETS.forEach(([name, markup], index) => {
      const position = POSITIONS[index % POSITIONS.length];
      setTimeout(() => {
        const holder = document.createElement('div');
        holder.innerHTML = markup;
        const element = holder.firstElementChild;
        place(element, position);
        setTimeout(() => {
          const gone = !element.isConnected || !element.checkVisibility();
          results.push({ name, position, gone });
          pending -= 1;
          if (pending === 0) resolve(results);
        }, checkAfterMs);
      }, delaysMs[index % delaysMs.length]);
    });
  });
}
