// The pages `npm run bench` runs on, and the server that serves them from 127.0.0.1 (the one
// origin the bench browser may reach):
//   /case/<name>/         a corpus page, page scripts stripped (scripts/eval/corpus.mjs)
//   /bench/shell/         an empty page; the scaling pages are built in it with DOM APIs
//   /bench/article/       a generated article (about 1,500 elements) with ads sprinkled in
//   /bench/article-csp/   the same page with `Content-Security-Policy: script-src 'self'`, which
//                         makes the content script fall back to the wasm2js build in Chromium
//
// Generated pages are made of "units": article sections (headings, paragraphs with links,
// figures, lists) and, every AD_EVERY-th unit, an ad: a Google Publisher Tag slot
// (`div-gpt-ad-…` under an "Advertisement" label), a Taboola widget (`trc_related_container`,
// "Sponsored Links by Taboola"), or a block under a bare "Sponsored" label with hashed classes.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { preparePage, readTruth } from '../eval/corpus.mjs';

export const AD_EVERY = 8;
export const ARTICLE_UNITS = 60;

const SENTENCES = [
  'The committee met on Tuesday to review the proposal, which would change how the city funds its bus network over the next decade.',
  'Officials said the plan had been revised twice since the spring, after residents in the northern districts objected to the route cuts.',
  'According to the report, ridership fell by a fifth during the pandemic and has recovered only slowly since, mostly on weekday mornings.',
  'Critics argue that the new fares would fall hardest on part-time workers, who travel outside peak hours and rarely buy monthly passes.',
  'A spokesperson for the transport authority declined to comment on the figures but said a final decision was expected before the winter.',
  'Several council members have asked for an independent audit, pointing to cost overruns on the tram extension that opened last year.',
];

/** Article units (no id inside: the in-page builder clones them as they are). */
export const CONTENT_TEMPLATES = SENTENCES.slice(0, 4).map((sentence, index) => `<section class="story-block">
<h2>Section ${index + 1}: what the numbers say</h2>
<p>${sentence} <a href="/news/transport/${index}">Read the earlier story</a>, and <em>see the full timeline</em> below.</p>
<p>${SENTENCES[(index + 1) % SENTENCES.length]} ${SENTENCES[(index + 2) % SENTENCES.length]}</p>
<figure><img alt="A bus stop in the rain" width="640" height="360"><figcaption>The route 12 stop on Market Street. <span class="credit">Photo: City Desk</span></figcaption></figure>
<p>${SENTENCES[(index + 3) % SENTENCES.length]} <strong>The vote is set for next month.</strong></p>
<ul><li><a href="/topics/transport">Transport</a></li><li><a href="/topics/city-hall">City Hall</a></li><li><a href="/topics/budget">Budget</a></li></ul>
<blockquote><p>${SENTENCES[(index + 4) % SENTENCES.length]}</p></blockquote>
</section>`);

const adItem = (n, title, brand) => `<div class="videoCube trc_spotlight_item syndicatedItem"><a href="https://trc.taboola.com/click?i={i}&n=${n}" rel="nofollow"><span class="thumb"></span><span class="video-label-box"><span class="video-title">${title}</span><span class="branding">${brand}</span></span></a></div>`;

/** Ad units; `{i}` is replaced by the unit's index (ids must be unique on a page). */
export const AD_TEMPLATES = [
  `<div class="ad-unit-wrapper"><div class="ad-label">Advertisement</div><div id="div-gpt-ad-1712345678901-{i}" style="width:300px;height:250px" data-google-query-id="CKz{i}"></div></div>`,
  `<div id="taboola-below-article-thumbnails-{i}" class="trc_related_container trc_spotlight_widget"><div class="trc_rbox_header"><span class="trc_rbox_header_span">You May Like</span><a class="trc_desktop_disclosure_link" href="https://popup.taboola.com/en/">Sponsored Links by Taboola</a></div><div class="trc_rbox_outer">${adItem(1, 'Surgeon: this one food ruins your gut', 'Health Digest')}${adItem(2, 'The cheapest way to insure your car', 'Smart Savings')}${adItem(3, 'Homeowners are switching to this panel', 'EnergyWise')}</div></div>`,
  `<div class="c7x2q"><span class="k1m">Sponsored</span><a href="https://brand.example/offer?i={i}" class="z9"><img alt="" width="120" height="80"><span class="z9t">This gadget is selling out fast</span><span class="z9b">GadgetNow</span></a></div>`,
];

/** The unit at `index`: an ad every AD_EVERY-th unit (rotating kinds), else an article section. */
export function unitAt(index) {
  if (index % AD_EVERY === AD_EVERY - 1) {
    return { ad: true, html: AD_TEMPLATES[Math.floor(index / AD_EVERY) % AD_TEMPLATES.length].replaceAll('{i}', String(index)) };
  }
  return { ad: false, html: CONTENT_TEMPLATES[index % CONTENT_TEMPLATES.length] };
}

/** Selector matching the root of every ad unit the generators insert. */
export const AD_SELECTOR = '.ad-unit-wrapper, .trc_related_container, .c7x2q, .feed-promo';

const HEAD = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>City transport plan: what changes</title></head>';
const BODY_START = `<body><header class="site-header"><a href="/">City Desk</a><nav><a href="/news">News</a> <a href="/sport">Sport</a> <a href="/opinion">Opinion</a></nav></header>
<main><article class="article"><h1>City transport plan: what changes for riders</h1><p class="byline">By A. Reporter, transport correspondent</p><div class="article-body">`;
const BODY_END = `</div></article><aside class="sidebar"><h3>Most read</h3><ol><li><a href="/a">Council budget vote delayed</a></li><li><a href="/b">New bridge opens</a></li></ol></aside></main>
<footer class="site-footer"><p>© City Desk</p></footer></body></html>`;

/** The generated article page as HTML (served for the cold-start and observer pages). */
export function articleHtml(units = ARTICLE_UNITS) {
  const parts = [];
  for (let index = 0; index < units; index++) parts.push(unitAt(index).html);
  return `${HEAD}${BODY_START}${parts.join('\n')}${BODY_END}`;
}

export const SHELL_HTML = `${HEAD}<body></body></html>`;

/** What buildScalingPageInPage needs to build the page `spec` (see options.mjs SCALING_SIZES). */
export function scalingPageArguments(spec) {
  return {
    kind: spec.kind,
    elements: spec.elements || 0,
    depth: spec.depth || 0,
    contentTemplates: CONTENT_TEMPLATES,
    adTemplates: AD_TEMPLATES,
    adEvery: AD_EVERY,
    skeletonHtml: `${BODY_START}${BODY_END.replace('</body></html>', '')}`,
  };
}

/** Serves corpus pages and the generated pages above. Returns { origin, urlOf, urlOfBench, close }. */
export async function startBenchServer(corpusDir) {
  let cached = { name: null, html: null };
  const bench = {
    shell: { html: SHELL_HTML, headers: {} },
    article: { html: articleHtml(), headers: {} },
    'article-csp': { html: articleHtml(), headers: { 'content-security-policy': "script-src 'self'" } },
  };
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url, 'http://127.0.0.1').pathname;
    const send = (html, headers = {}) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', ...headers });
      response.end(html);
    };
    const benchMatch = /^\/bench\/([a-z-]+)\/$/.exec(pathname);
    if (benchMatch && bench[benchMatch[1]]) {
      send(bench[benchMatch[1]].html, bench[benchMatch[1]].headers);
      return;
    }
    const caseMatch = /^\/case\/([^/]+)\/$/.exec(pathname);
    const name = caseMatch && decodeURIComponent(caseMatch[1]);
    if (!corpusDir || !name || name.includes('..') || !fs.existsSync(path.join(corpusDir, name, 'source.html'))) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (cached.name !== name) {
      const truth = readTruth(corpusDir, name);
      cached = { name, html: preparePage(fs.readFileSync(path.join(corpusDir, name, 'source.html')), truth.encoding) };
    }
    send(cached.html);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    urlOf: (name) => `${origin}/case/${encodeURIComponent(name)}/`,
    urlOfBench: (name) => `${origin}/bench/${name}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// ---- in-page functions (run by page.evaluate in the page's main world; self-contained) ----

/**
 * Builds a scaling page into the empty shell with DOM APIs: `elements` elements in a flat page
 * (article units cloned from parsed templates, ads parsed per unit for unique ids), or a chain of
 * `depth` nested divs (paragraphs every 1,000 levels, an ad every 10,000). Never serialises the
 * page (Chromium crashes serialising a 100k-deep DOM). Resolves to { elements, ads, depth,
 * build_ms } once the page has been laid out.
 *
 * The chain is built with appendChild loops in segments of about √depth levels, each built
 * detached and then hung under the previous one: appending one level at a time costs a walk of
 * the whole chain per append in Chromium (about 75 s for 100k levels), segments make it a
 * fraction of a second. Below level HIDDEN_BELOW the chain is `display: none`: Chromium's
 * renderer crashes laying out a chain a few thousand levels deep (3,000 did here) whoever
 * cleans it. The cleaner reads no styles, so it walks the whole chain all the same (the row's
 * `nodes` says how many nodes its snapshot held).
 */
export function buildScalingPageInPage({ kind, elements, depth, contentTemplates, adTemplates, adEvery, skeletonHtml }) {
  const HIDDEN_BELOW = 500;
  const started = performance.now();
  const parse = (html) => {
    const template = document.createElement('template');
    template.innerHTML = html;
    return template.content;
  };
  const countIn = (fragment) => fragment.querySelectorAll('*').length;
  document.title = 'Scaling page';
  const body = document.body;
  body.append(parse(skeletonHtml.replace('<body>', '')));
  const articleBody = body.querySelector('.article-body') || body;
  let count = document.getElementsByTagName('*').length;
  let ads = 0;
  let levels = 0;
  if (kind === 'flat') {
    const contents = contentTemplates.map(parse);
    const contentCounts = contents.map(countIn);
    let chunk = null;
    for (let index = 0; count < elements; index++) {
      if (index % 10 === 0) {
        chunk = document.createElement('div');
        chunk.className = 'chunk';
        articleBody.appendChild(chunk);
        count += 1;
      }
      if (index % adEvery === adEvery - 1) {
        const ad = parse(adTemplates[Math.floor(index / adEvery) % adTemplates.length].replaceAll('{i}', String(index)));
        count += countIn(ad);
        chunk.appendChild(ad);
        ads += 1;
      } else {
        const which = index % contents.length;
        chunk.appendChild(contents[which].cloneNode(true));
        count += contentCounts[which];
      }
    }
  } else {
    const text = contentTemplates[0].replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 240);
    const segment = Math.max(1, Math.round(Math.sqrt(depth)));
    const top = document.createElement('div');
    top.className = 'deep-root';
    let deepest = top;
    let level = 1;
    const decorate = (node, at) => {
      if (at % 1000 === 0) {
        const paragraph = document.createElement('p');
        paragraph.textContent = `Level ${at}: ${text}`;
        node.appendChild(paragraph);
      }
      if (at % 10_000 === 5_000) {
        node.appendChild(parse(adTemplates[Math.floor(at / 10_000) % adTemplates.length].replaceAll('{i}', String(at))));
        ads += 1;
      }
      if (at === HIDDEN_BELOW) node.style.display = 'none';
    };
    while (level < depth) {
      const segmentTop = document.createElement('div');
      level += 1;
      decorate(segmentTop, level);
      let node = segmentTop;
      for (let k = 1; k < segment && level < depth; k++) {
        const child = document.createElement('div');
        level += 1;
        decorate(child, level);
        node.appendChild(child);
        node = child;
      }
      deepest.appendChild(segmentTop);
      deepest = node;
    }
    deepest.appendChild(parse(contentTemplates[1]));
    articleBody.appendChild(top);
    count = document.getElementsByTagName('*').length;
    for (let node = deepest; node; node = node.parentElement) levels += 1;
  }
  void document.body.getBoundingClientRect().height; // style and layout now, not during the clean
  return new Promise((resolve) => {
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
      resolve({ elements: count, ads, depth: levels || null, build_ms: performance.now() - started });
    }, 200)));
  });
}

/**
 * Starts watching the main thread from the page's main world, two ways:
 * - the Long Tasks API (a PerformanceObserver for 'longtask'); Chromium does not report tasks
 *   that run a script injected by an extension (scripting.executeScript) or by DevTools, so it
 *   misses a clean that runs inside the injection's own task;
 * - a heartbeat: a setTimeout(0) chain (about 250 beats a second once clamped to 4 ms) noting
 *   every gap over 50 ms between two beats, i.e. the main thread busy with anything else, the
 *   clean's own task included. A gap over-states the task by up to one beat interval (~4 ms),
 *   and merges tasks that run back to back;
 * - a requestAnimationFrame chain noting every frame: a frame's callbacks run at the start of
 *   the browser's rendering task, so a frame inside a gap splits it into the task(s) before
 *   (the clean) and the rendering after (style and layout of the removals), and a long task
 *   holding a frame is a rendering.
 * Returns whether the Long Tasks API is supported.
 */
export function startMainThreadWatchInPage() {
  window.__benchLongTasks = [];
  window.__benchGaps = [];
  const heartbeat = { last: performance.now(), running: true, beats: 0, started: performance.now() };
  window.__benchHeartbeat = heartbeat;
  const beat = () => {
    const now = performance.now();
    if (now - heartbeat.last > 50) window.__benchGaps.push({ start: heartbeat.last, duration: now - heartbeat.last });
    heartbeat.last = now;
    heartbeat.beats += 1;
    if (heartbeat.running) setTimeout(beat, 0);
  };
  setTimeout(beat, 0);
  window.__benchFrames = [];
  const frame = () => {
    window.__benchFrames.push(performance.now());
    if (heartbeat.running) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  if (!PerformanceObserver.supportedEntryTypes || !PerformanceObserver.supportedEntryTypes.includes('longtask')) return false;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__benchLongTasks.push({ start: entry.startTime, duration: entry.duration });
  });
  observer.observe({ type: 'longtask' });
  window.__benchLongTaskObserver = observer;
  return true;
}

/** Remembers the ads of the page (elements matching `adSelector`), for collectAfterCleanInPage. */
export function watchAdsInPage(adSelector) {
  window.__benchAds = [...document.querySelectorAll(adSelector)];
  return window.__benchAds.length;
}

/**
 * What any change costs the browser on this page, the floor under the rendering after a clean:
 * the rendering after one character is added to the first paragraph (from the frame's start
 * to the next task), then the page as it was (that rendering is not timed). In ms.
 */
export function renderFloorInPage() {
  const paragraph = document.querySelector('p');
  const text = paragraph && paragraph.firstChild;
  if (!text || text.nodeType !== 3) return Promise.resolve(null);
  const afterNextFrame = () => new Promise((resolve) => requestAnimationFrame(() => {
    const start = performance.now();
    setTimeout(() => resolve(performance.now() - start), 0);
  }));
  return afterNextFrame().then(() => {
    text.appendData('x');
    return afterNextFrame();
  }).then((ms) => {
    text.deleteData(text.length - 1, 1);
    return afterNextFrame().then(() => ms);
  });
}

/**
 * Waits until the ads watchAdsInPage saw are out of the page (blocks may be hidden in the clean
 * and detached in later tasks; at most `goneWithinMs`), then two frames and `settleMs`
 * (long-task entries are delivered after the task); stops the heartbeat, and returns the long
 * tasks and heartbeat gaps that ended after `since`, the frames after it, and how many elements
 * matching `adSelector` are still in the page.
 */
export function collectAfterCleanInPage({ since, settleMs, adSelector, goneWithinMs = 0 }) {
  return new Promise((resolve) => {
    const finish = () => {
      const observer = window.__benchLongTaskObserver;
      if (observer) for (const entry of observer.takeRecords()) window.__benchLongTasks.push({ start: entry.startTime, duration: entry.duration });
      const heartbeat = window.__benchHeartbeat || { beats: 0, started: performance.now() };
      heartbeat.running = false;
      const after = (entry) => entry.start + entry.duration > since;
      resolve({
        tasks: (window.__benchLongTasks || []).filter(after),
        gaps: (window.__benchGaps || []).filter(after),
        frames: (window.__benchFrames || []).filter((time) => time > since),
        adsLeft: document.querySelectorAll(adSelector).length,
        beatsPerSecond: heartbeat.beats / Math.max(0.001, (performance.now() - heartbeat.started) / 1000),
      });
    };
    let done = false;
    const once = () => { if (!done) { done = true; finish(); } };
    const settle = () => {
      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(once, settleMs)));
      setTimeout(once, settleMs + 2_000); // a page without frames (background tab) still answers
    };
    const ads = window.__benchAds || [];
    const until = performance.now() + goneWithinMs;
    const waitForAds = () => {
      if (performance.now() >= until || ads.every((ad) => !ad.isConnected)) settle();
      else setTimeout(waitForAds, 50);
    };
    waitForAds();
  });
}

/**
 * The observer page's own activity: for `durationMs`, every `tickMs` appends feed items (six
 * elements each) one by one at the end of the article, `nodesPerSecond` elements a second, every
 * `adEvery`-th item an ad-like widget. Then waits `settleMs` for late passes. Resolves to what
 * it inserted, how many of its ads are still shown, its own script time, and the window.
 */
export function mutatePageInPage({ durationMs, tickMs, nodesPerSecond, adEvery, settleMs }) {
  const container = document.querySelector('.article-body') || document.body;
  const itemsPerTick = Math.max(1, Math.round((nodesPerSecond * tickMs) / 1000 / 6));
  const ads = [];
  let items = 0;
  let elements = 0;
  let scriptMs = 0;
  const started = performance.now();
  const itemHtml = (n) => `<a href="/feed/${n}"><img alt="" width="160" height="90"><span class="t">Story ${n}: council budget, bus routes and the new bridge</span></a><p>More on the transport plan and what it means for riders in the northern districts (${n}).</p><span class="meta">2 min read</span>`;
  const adHtml = (n) => [
    `<div class="trc_rbox_header"><span>You May Like</span><a href="https://popup.taboola.com/en/">Sponsored Links by Taboola</a></div><a href="https://trc.taboola.com/click?f=${n}"><span>Doctors stunned by simple trick</span></a>`,
    `<div class="ad-label">Advertisement</div><div id="div-gpt-ad-1799-feed-${n}" style="width:300px;height:250px"></div>`,
    `<span class="k1m">Sponsored</span><a href="https://brand.example/feed?${n}"><span>The sofa everyone wants</span></a>`,
  ][n % 3];
  const adClass = (n) => ['trc_related_container', 'ad-unit-wrapper', 'feed-promo'][n % 3];
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const tickStarted = performance.now();
      for (let k = 0; k < itemsPerTick; k++) {
        const n = items++;
        const element = document.createElement('div');
        if (n % adEvery === adEvery - 1) {
          element.className = adClass(n);
          if (n % 3 === 0) element.id = `taboola-feed-${n}`;
          element.innerHTML = adHtml(n);
          ads.push(element);
        } else {
          element.className = 'feed-item';
          element.innerHTML = itemHtml(n);
        }
        elements += 1 + element.getElementsByTagName('*').length;
        container.appendChild(element);
      }
      scriptMs += performance.now() - tickStarted;
      if (tickStarted - started >= durationMs) {
        clearInterval(timer);
        const mutationEnded = performance.now();
        setTimeout(() => {
          const ended = performance.now();
          resolve({
            started,
            mutation_ms: mutationEnded - started,
            window_ms: ended - started,
            items,
            elements,
            ads_inserted: ads.length,
            ads_left: ads.filter((ad) => ad.isConnected && ad.checkVisibility()).length,
            page_script_ms: scriptMs,
            elements_per_second: elements / ((mutationEnded - started) / 1000),
          });
        }, settleMs);
      }
    }, tickMs);
  });
}
