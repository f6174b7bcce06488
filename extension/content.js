// Content script: injected into the page by background.js (scripting.executeScript), or
// registered for a site the reader asked to clean automatically (with autoclean.js), in the
// extension's isolated world. It loads the Rust core once per page and runs commands on it.
// Every cleaning decision is made in Rust. A page is cleaned in one of two ways:
// - judged outside the tab (the first choice): the page's text goes to the background, where
//   the core judges a copy of it (judge.js), and this file takes out what the answer names,
//   keeping what undo, restore and the report need ("the clean judged outside the tab" below);
// - judged in the tab: this file loads the core here and the core cleans the live page. Used
//   where the first way cannot be (an XML page, a page too large to copy in one task, a copy
//   unlike the page, no answer), and for every later command on such a page.
// This file also passes messages and draws the preview outlines and the picker (page UI in a
// closed shadow root, marked data-unsponsor-ui, which the core never touches).
(() => {
  if (globalThis.unsponsorRun) return; // already injected into this page

  const api = globalThis.browser ?? globalThis.chrome;
  const Message = globalThis.UnsponsorMessages; // messages.js, injected before this file
  const Command = globalThis.UnsponsorCommands;
  const EarlyHide = globalThis.UnsponsorEarlyHide;
  // Marks the extension's own page UI, which the core never touches (OWN_UI_ATTRIBUTE in
  // src/core/vocabulary.rs; tests/node/one-source.test.mjs checks the two agree).
  const UI_MARKER = 'data-unsponsor-ui';
  // The length of a removal's text preview (PREVIEW_MAX_CHARS in src/core/plan.rs).
  const PREVIEW_MAX_CHARS = 90;
  const url = (path) => api.runtime.getURL(path);
  const RULES_FILE = 'rules/easylist.rules'; // EasyList's rules as the build compiled them
  const message = (key, substitutions) => api.i18n.getMessage(key, substitutions) || key;
  let core = null;     // the loaded wasm-bindgen module
  let engine = null;   // 'wasm', or 'wasm2js' where the page's CSP forbids WebAssembly
  let loading = null;
  let startupMs = null; // module load + instantiation + rules, measured once per page
  let startupParts = null; // where it went, in ms: { glue, module, rules_wait, rules_read } (for the bench)
  let rules = null;     // the EasyList rules loaded: counts and whether the index was used, or null
  // Why the build's EasyList rules are not in use, for the popup: 'damaged' (the core refused the
  // file), 'missing' (the build says it carries them, but the file could not be read), or null.
  let rulesProblem = null;
  let cleaned = false;  // a clean ran and was not undone: category changes re-clean
  let appliedRules = ''; // the reader's rule list last given to the core (the core starts with none)

  /**
   * `glue`: the import of pkg/unsponsor.js, `wasmFile`: the response for pkg/unsponsor_bg.wasm,
   * both already under way (promises).
   */
  async function loadWasm(glue, wasmFile) {
    const module = await glue;
    await module.default({ module_or_path: wasmFile });
    return module;
  }

  // Chromium applies the page's Content-Security-Policy to WebAssembly compiled by content
  // scripts: without 'wasm-unsafe-eval' in the page's script-src, compiling throws. The same Rust
  // code compiled to plain JavaScript (wasm2js) then stands in for the wasm instance.
  async function loadWasm2js() {
    const module = await import(url('pkg-js/unsponsor.js'));
    const compiled = await import(url('pkg-js/unsponsor_bg.w2j.js'));
    const { Module, Instance } = WebAssembly; // the isolated world's own globals: the page never sees this
    try {
      WebAssembly.Module = function Wasm2jsModule() {};
      WebAssembly.Instance = function Wasm2jsInstance(_module, imports) { return compiled.instantiate(imports); };
      module.initSync({ module: new WebAssembly.Module() });
    } finally {
      WebAssembly.Module = Module;
      WebAssembly.Instance = Instance;
    }
    return module;
  }

  // EasyList's rules, compiled at build time, with the build's index of them (the core's lookup
  // tables) behind them in the same file (rules/easylist.rules: one request, not two). The core
  // reads both where they lie and copies only what this page can use: the generic rules, their
  // tables, and the site rules of this page's host; the fetched bytes are garbage once loaded. Cleaning works without the rules (the heuristics alone), and the rules
  // without the index (read line by line, slower), so a missing or unreadable file is not an
  // error: the file's bytes, or null.
  async function readFile(name) {
    try {
      const response = await fetch(url(name));
      return response.ok ? await response.arrayBuffer() : null;
    } catch {
      return null;
    }
  }

  /**
   * Gives the rule file's bytes (the rules and their index) to the core: { counts, indexed }, or null, and
   * notes what went wrong (`rulesProblem`): the clean goes on with the built-in rules, and the
   * popup says so. A build made without EasyList (heuristics-only) has no rule file to miss:
   * its manifest does not list one (scripts/build.mjs).
   */
  function loadRules(bytes) {
    if (!bytes) {
      if (buildCarriesRules()) rulesProblem = 'missing';
      return null;
    }
    try {
      return core.loadRules(new Uint8Array(bytes));
    } catch (error) {
      rulesProblem = 'damaged';
      console.warn('Unsponsor: the filter list could not be read:', String((error && error.message) || error));
      return null;
    }
  }

  /** Whether this build ships EasyList's rules (its manifest lists the file). */
  function buildCarriesRules() {
    const entries = api.runtime.getManifest().web_accessible_resources || [];
    return entries.some((entry) => (entry.resources || []).includes(RULES_FILE));
  }

  function load() {
    loading ??= (async () => {
      const started = performance.now();
      // The three files are requested at once, the small glue first (it is needed first), so the
      // module and the rules download while the glue loads, instead of one after the other.
      let glueLoaded = started;
      const glue = import(url('pkg/unsponsor.js')).then((module) => {
        glueLoaded = performance.now();
        return module;
      });
      const wasmFile = fetch(url('pkg/unsponsor_bg.wasm'));
      const rulesFile = readFile(RULES_FILE);
      // A failure fails loadWasm, which awaits them.
      glue.catch(() => {});
      wasmFile.catch(() => {});
      try {
        core = await loadWasm(glue, wasmFile);
        engine = 'wasm';
      } catch (error) {
        if (!(error instanceof WebAssembly.CompileError)) throw error;
        core = await loadWasm2js();
        engine = 'wasm2js';
      }
      const loaded = performance.now();
      // The browser compiles each function of the core the first time it runs, on this thread.
      // While the rule files finish downloading, the core plans a small built-in page (warmUp),
      // so the first clean finds much of its code compiled (docs/PERFORMANCE.md, "Where the time goes").
      if (engine === 'wasm') {
        try {
          core.warmUp();
        } catch {
          // Only a head start: the clean compiles what it needs as it goes.
        }
      }
      const bytes = await rulesFile;
      const read = performance.now();
      rules = loadRules(bytes);
      startupMs = performance.now() - started;
      startupParts = { glue: glueLoaded - started, module: loaded - started, rules_wait: read - loaded, rules_read: started + startupMs - read };
      core.onChange((report) => {
        api.runtime.sendMessage({ type: Message.LATE_REMOVAL, total: report.total }).catch(() => {});
      });
    })();
    return loading;
  }

  /** Gives the reader's rule list to the core (once per change). */
  function applyUserRules(options) {
    const text = typeof options?.rules === 'string' ? options.rules : '';
    if (text !== appliedRules) {
      core.setUserRules(text);
      appliedRules = text;
    }
  }

  /** Only the keys cleanAsync/previewAsync accept (unknown keys are an error there). */
  function coreOptions(options, watch) {
    const categories = options && typeof options.categories === 'object' ? options.categories : undefined;
    return watch === undefined ? { categories } : { categories, watch };
  }

  // ----- page UI: one host element, closed shadow root -----

  let overlay = null; // { host, root, layer }

  function ensureOverlay() {
    if (overlay && overlay.host.isConnected) return overlay;
    const host = document.createElement('unsponsor-ui');
    host.setAttribute(UI_MARKER, '');
    host.style.cssText = 'all: initial; position: absolute; top: 0; left: 0; width: 0; height: 0; z-index: 2147483647;';
    const root = host.attachShadow({ mode: 'closed' });
    const style = document.createElement('style');
    style.textContent = `
      .layer { position: absolute; top: 0; left: 0; pointer-events: none; font: 12px/1.3 system-ui, sans-serif; }
      .box { position: absolute; box-sizing: border-box; border: 2px dashed #c2410c; background: rgba(194, 65, 12, .08); }
      .box.pick { border: 2px solid #0f766e; background: rgba(15, 118, 110, .15); }
      .label { position: absolute; left: -2px; bottom: 100%; max-width: 420px; padding: 2px 6px; color: #fff; background: #c2410c;
               border-radius: 3px 3px 0 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
      .box.pick .label { background: #0f766e; }
      .banner { position: fixed; top: 12px; left: 50%; transform: translateX(-50%); padding: 8px 14px; border-radius: 6px;
                color: #fff; background: #0f766e; box-shadow: 0 2px 8px rgba(0,0,0,.3); font: 14px/1.3 system-ui, sans-serif; }`;
    const layer = document.createElement('div');
    layer.className = 'layer';
    root.append(style, layer);
    (document.body ?? document.documentElement).append(host);
    overlay = { host, root, layer };
    return overlay;
  }

  function removeOverlay() {
    overlay?.host.remove();
    overlay = null;
  }

  /** A box over `element` (document coordinates), labelled with `text` (set as text, never HTML). */
  function drawBox(layer, element, text, className) {
    const rect = element.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) return null;
    const box = document.createElement('div');
    box.className = `box ${className ?? ''}`;
    box.style.left = `${rect.left + window.scrollX}px`;
    box.style.top = `${rect.top + window.scrollY}px`;
    box.style.width = `${rect.width}px`;
    box.style.height = `${rect.height}px`;
    const label = document.createElement('span');
    label.className = 'label';
    label.textContent = text;
    box.append(label);
    layer.append(box);
    return box;
  }

  // ----- preview -----

  let previewShown = false;

  async function preview(options, relay = null) {
    let items = null;
    if (canJudgeOutside()) {
      try {
        items = await previewOutside(options, relay);
        engine ??= 'outside';
      } catch (error) {
        if (outside) throw error;
        outsideRefused = String((error && error.message) || error);
      }
    }
    if (!items) {
      await load();
      applyUserRules(options);
      items = await core.previewAsync(coreOptions(options));
    }
    const { layer } = ensureOverlay();
    layer.replaceChildren();
    layer.dataset.mode = 'preview';
    let outlined = 0;
    for (const item of items) {
      const key = `reason_${String(item.rule).replaceAll('-', '_')}`;
      const reason = api.i18n.getMessage(key) || item.reason; // the reader's language
      if (item.element && drawBox(layer, item.element, reason, 'preview')) outlined += 1;
    }
    previewShown = true;
    return {
      outlined,
      items: items.map((item) => ({ rule: item.rule, category: item.category, reason: item.reason, preview: item.preview })),
    };
  }

  function clearPreview() {
    if (previewShown) removeOverlay();
    previewShown = false;
  }

  // ----- stable selectors for picked and kept elements -----

  /** Ids and classes generated by frameworks or build tools (hashes, counters) do not survive a reload. */
  function isStableToken(token) {
    if (token.length === 0 || token.length > 40) return false;
    if (/\d{3,}/.test(token)) return false;
    if (/^[a-z]+-[a-z0-9]{5,}$/i.test(token) && /\d/.test(token)) return false; // css-1x2y3z, sc-a1b2c
    if (/[0-9a-f]{6,}/i.test(token) && /\d/.test(token)) return false;
    return /^[A-Za-z_-][\w-]*$/.test(token);
  }

  function matchesExactly(selector, element) {
    try {
      const found = document.querySelectorAll(selector);
      return found.length === 1 && found[0] === element;
    } catch {
      return false;
    }
  }

  function stepFor(element) {
    const tag = element.localName;
    const classes = [...element.classList].filter(isStableToken).slice(0, 3).map((name) => `.${CSS.escape(name)}`).join('');
    let step = `${CSS.escape(tag)}${classes}`;
    const parent = element.parentElement;
    if (parent) {
      const sameTag = [...parent.children].filter((sibling) => sibling.localName === tag);
      if (sameTag.length > 1) step += `:nth-of-type(${sameTag.indexOf(element) + 1})`;
    }
    return { step, plain: `${CSS.escape(tag)}${classes}` };
  }

  /**
   * A selector that matches exactly `element` now: its id if unique and stable, else its classes
   * and :nth-of-type, prefixed by ancestors (up to one with a stable unique id) until it is
   * unique. Null if none (the element left the page).
   */
  function selectorFor(element) {
    if (!element || !element.isConnected) return null;
    const idSelector = (node) => (node.id && isStableToken(node.id) ? `#${CSS.escape(node.id)}` : null);
    const own = idSelector(element);
    if (own && matchesExactly(own, element)) return own;
    const first = stepFor(element);
    if (first.plain.includes('.') && matchesExactly(first.plain, element)) return first.plain;
    let path = first.step;
    for (let node = element.parentElement; node; node = node.parentElement) {
      if (matchesExactly(path, element)) return path;
      const anchor = idSelector(node);
      if (anchor && matchesExactly(anchor, node) && matchesExactly(`${anchor} > ${path}`, element)) return `${anchor} > ${path}`;
      if (node === document.documentElement) break;
      path = `${stepFor(node).step} > ${path}`;
    }
    return matchesExactly(path, element) ? path : null;
  }

  // ----- picker -----

  let picker = null; // { target, box, listeners }

  function isPickable(element) {
    return element instanceof Element && element !== document.documentElement && element !== document.body
      && !element.closest(`[${UI_MARKER}]`);
  }

  function startPicker() {
    if (picker) return;
    clearPreview();
    const { root, layer } = ensureOverlay();
    layer.replaceChildren();
    layer.dataset.mode = 'pick';
    const banner = document.createElement('div');
    banner.className = 'banner';
    banner.textContent = message('pickerBanner');
    root.append(banner);
    picker = { target: null, box: null, banner };

    const highlight = (element) => {
      if (picker.target === element) return;
      picker.box?.remove();
      picker.target = element;
      // Labelled with the selector the site rule would get.
      picker.box = element ? drawBox(layer, element, selectorFor(element) ?? element.localName, 'pick') : null;
    };
    const onMove = (event) => {
      if (!event.isTrusted) return;
      const element = document.elementFromPoint(event.clientX, event.clientY);
      highlight(isPickable(element) ? element : null);
    };
    const onClick = async (event) => {
      if (!event.isTrusted) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      const element = document.elementFromPoint(event.clientX, event.clientY);
      if (!isPickable(element)) return;
      const selector = selectorFor(element);
      highlight(null);
      if (!selector) return;
      try {
        const report = core ? core.removeElement(element, selector) : removePickedOutside(element, selector);
        cleaned = true;
        api.runtime.sendMessage({ type: Message.LATE_REMOVAL, total: report.total }).catch(() => {});
        await api.runtime.sendMessage({ type: Message.PICKED, selector });
      } catch (error) {
        console.warn('Unsponsor: could not remove the picked element', error);
      }
    };
    const swallow = (event) => {
      if (!event.isTrusted) return;
      event.preventDefault();
      event.stopImmediatePropagation();
    };
    const onKey = (event) => {
      if (event.isTrusted && event.key === 'Escape') {
        event.preventDefault();
        stopPicker();
      }
    };
    picker.listeners = [['mousemove', onMove], ['click', onClick], ['mousedown', swallow], ['mouseup', swallow], ['keydown', onKey]];
    for (const [type, listener] of picker.listeners) window.addEventListener(type, listener, true);
  }

  function stopPicker() {
    if (!picker) return;
    for (const [type, listener] of picker.listeners) window.removeEventListener(type, listener, true);
    picker = null;
    removeOverlay();
    api.runtime.sendMessage({ type: Message.PICKER_CLOSED }).catch(() => {});
  }

  // ----- the clean judged outside the tab (judge.js) -----
  //
  // The reader waits for the first click. Loading the core and the rules into the tab costs more
  // than the whole clean of a median page, so the first choice is not to: the page's text, as
  // the browser serialises it, goes to the background (Message.JUDGE), where the core and the
  // rules are loaded once per browser session and judge a copy (judge.js). The answer names the
  // elements to take out by index in document order; they are looked up in the list taken in
  // the same task as the text, and each must have the tag the answer gives. src/dom/removal.js
  // (the same file the core uses in the tab) takes them out and puts them back, so undo and
  // restore work as they do for a clean made in the tab. Late widgets: the page is judged again
  // after it adds elements, within a share of the main thread (LATE_SHARE).

  /** Pages with more elements than this are cleaned in the tab, in slices (one task would serialise it). */
  const OUTSIDE_MAX_ELEMENTS = 60_000;
  /** How long a clean waits for the background's answer before judging in the tab instead. */
  const JUDGE_TIMEOUT_MS = 10_000;
  /** After the page adds elements, the late pass waits this long for more (LATE_PASS_DELAY_MS in src/dom/watch.rs). */
  const LATE_DELAY_MS = 60;
  /** The main-thread share late passes may take: a pass that cost t ms waits at least t / LATE_SHARE. */
  const LATE_SHARE = 0.03;
  /**
   * A page that keeps putting back what a late pass took out: the wait doubles after each pass
   * that found only such blocks, up to this (MAX_LATE_PASS_DELAY_MS in src/dom/watch.rs).
   */
  const MAX_LATE_DELAY_MS = 5_000;
  /**
   * A late pass copies an added element's parent instead when the parent has at most this many
   * elements: a placeholder the page fills is the block to judge (LATE_PARENT_MAX_ELEMENTS in
   * src/wasm/late.rs, which the core's own late passes use the same way: lateRoots in
   * src/dom/read.js).
   */
  const LATE_PARENT_MAX_ELEMENTS = 300;
  /** More separate additions than this, and a late pass copies the whole page (LATE_MAX_ROOTS in src/wasm/late.rs). */
  const LATE_MAX_ROOTS = 2000;
  /** removal.js's FRAMES_LATER: blocks holding a frame are hidden at once and detached in later tasks. */
  const FRAMES_LATER = 1;
  // (startupMs stays null for a page judged outside: no module or rules load in this tab.)

  let outside = null; // the page's session when judged outside: see startOutside
  let outsideRefused = null; // why this page is judged in the tab instead, once it is

  /**
   * Nesting at which a copy stops being the page: the browser's HTML parser puts elements nested
   * deeper than 512 levels beside their parent instead of inside it (and serialising a chain
   * tens of thousands deep can crash the tab).
   */
  const OUTSIDE_MAX_DEPTH = 500;
  const TOO_DEEP = `:root${' > *'.repeat(OUTSIDE_MAX_DEPTH)}`;
  /**
   * A first look, a fifth as deep, costs about a third (0.1 ms against 0.3 ms on the dev corpus,
   * first use in a fresh tab; an ordinary page's elements sit far less deep than either, so
   * the difference is the longer selector). Only a page with elements this deep pays for the
   * full look.
   */
  const DEEPER_THAN_USUAL = `:root${' > *'.repeat(OUTSIDE_MAX_DEPTH / 5)}`;

  /** Why this page cannot be judged outside the tab (null if it can). */
  function cannotJudgeOutside() {
    if (document.contentType !== 'text/html') return `a ${document.contentType} page`;
    const count = document.getElementsByTagName('*').length;
    if (count > OUTSIDE_MAX_ELEMENTS) return 'a huge page';
    // (A page nested deeper than OUTSIDE_MAX_DEPTH has more elements than that.)
    if (count > OUTSIDE_MAX_DEPTH && document.querySelector(DEEPER_THAN_USUAL) && document.querySelector(TOO_DEEP)) return 'a page nested too deep';
    return null;
  }

  /**
   * Element.prototype's shadowRoot getter, called directly on each element. Read as
   * `element.shadowRoot` on elements of many classes (div, p, a, ...), the property load is
   * megamorphic and the first look at a page costs about three times as much (1.1 ms against
   * 0.4 ms at the dev corpus's median, first use in a fresh tab).
   */
  const shadowRootOf = Object.getOwnPropertyDescriptor(Element.prototype, 'shadowRoot').get;
  /**
   * The HTML elements a shadow root can be attached to (the DOM standard's valid shadow host
   * names), besides custom elements: the judge names those (`customElements`, judge.js), and
   * they are looked at once its answer is here. Looking at these alone costs about 40 % of
   * looking at every element (0.3 ms against 0.8 ms at the dev corpus's median).
   */
  const SHADOW_HOSTS = 'article, aside, blockquote, body, div, footer, h1, h2, h3, h4, h5, h6, header, main, nav, p, section, span';

  /** Whether any of `elements` at `indices` (the judge's `customElements`) holds an open shadow root. */
  function shadowAmong(elements, indices) {
    if (!Array.isArray(indices)) return true; // (an answer without them cannot be checked)
    return indices.some((index) => {
      const element = elements[index];
      return !element || shadowRootOf.call(element) !== null;
    });
  }

  /**
   * The page as the background judges it: its text, and its elements in the same order.
   * `shadow`: an element holds an open shadow root, whose inside the text leaves out (the
   * core in the tab reads it). Custom elements are looked at once the judge has named them
   * (shadowAmong).
   */
  function copyOfPage() {
    const t0 = performance.now();
    const elements = document.querySelectorAll('*'); // static: the order the copy will have
    const t1 = performance.now();
    const hosts = document.querySelectorAll(SHADOW_HOSTS);
    let shadow = false;
    for (let index = 0; index < hosts.length && !shadow; index += 1) shadow = shadowRootOf.call(hosts[index]) !== null;
    const t2 = performance.now();
    const doctype = document.compatMode === 'CSS1Compat' ? '<!doctype html>' : '';
    const html = doctype + document.documentElement.outerHTML;
    const t3 = performance.now();
    return { elements, shadow, html, parts: { list_ms: t1 - t0, shadow_ms: t2 - t1, text_ms: t3 - t2 } };
  }

  /**
   * The elements a late pass copies for what the page added (`queue`: added nodes, in the order
   * they came): each added element, or its parent where that holds at most
   * LATE_PARENT_MAX_ELEMENTS elements, the outermost only; never the body or the root. null when
   * there are more than LATE_MAX_ROOTS (the whole page is copied then). As lateRoots in
   * src/dom/read.js chooses them for the core's own late passes.
   */
  function lateRootsOf(queue) {
    const top = [document.body, document.documentElement];
    const candidates = new Set();
    for (const node of queue) {
      if (!node.isConnected) continue;
      let root = node.nodeType === 1 ? node : node.parentElement;
      if (!root || top.includes(root)) continue;
      const parent = root.parentElement;
      if (parent && !top.includes(parent) && !candidates.has(parent)
          && parent.getElementsByTagName('*').length <= LATE_PARENT_MAX_ELEMENTS) root = parent;
      candidates.add(root);
      if (candidates.size > LATE_MAX_ROOTS) return null;
    }
    const roots = [];
    for (const root of candidates) {
      let inside = false;
      for (let node = root.parentElement; node && !inside; node = node.parentElement) inside = candidates.has(node);
      if (!inside) roots.push(root);
    }
    // A part judged alone is judged as lying outside the article (the judge cannot know where
    // the first clean found it; the core's own late passes remember). A part that may hold the
    // article, then, is not judged alone: the whole page is copied.
    return roots.some(mayHoldArticle) ? null : roots;
  }

  /** Prose in paragraphs, together, from which an added part may hold the article. */
  const ARTICLE_PROSE_CHARS = 400;

  /** Whether `root` may hold the page's article: an article or main element, or paragraphs of prose. */
  function mayHoldArticle(root) {
    if (root.matches('article, main, [role="main"]') || root.querySelector('article, main, [role="main"]')) return true;
    let prose = 0;
    for (const paragraph of root.getElementsByTagName('p')) {
      prose += paragraph.textContent.length;
      if (prose >= ARTICLE_PROSE_CHARS) return true;
    }
    return false;
  }

  const escapeAttribute = (value) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/\u00a0/g, '&nbsp;')
    .replace(/</g, '&lt;').replace(/>/g, '&gt;');

  /** An element's start tag, with its attributes, as the browser would serialise it. */
  function startTag(element) {
    let tag = `<${element.localName}`;
    for (const attribute of element.attributes) tag += ` ${attribute.name}="${escapeAttribute(attribute.value)}"`;
    return `${tag}>`;
  }

  /**
   * A copy of the page's parts under `roots` (lateRootsOf) for a late pass: each root as the
   * browser serialises it, under its ancestors, which stand as their start tags alone (the
   * context the judge reads above a part, as the core's late passes read it in the tab). As
   * copyOfPage answers, with `roots` (the roots' indices among the copy's elements) and `inParts`
   * (per index, whether the element is inside a part: only those may be taken out). The `<head>`
   * the parser puts before the body has a place in `elements`, empty. null when no root is in
   * the body, or one sits under an element that is not HTML (the whole page is copied then).
   */
  function copyOfParts(roots) {
    const started = performance.now();
    const body = document.body;
    const parts = roots.filter((root) => body && root !== body && body.contains(root))
      .sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    if (parts.length === 0) return null;
    const htmlNamespace = body.namespaceURI;
    let html = document.compatMode === 'CSS1Compat' ? '<!doctype html>' : '';
    const elements = [];
    const inParts = [];
    const rootIndices = [];
    const open = []; // ancestors whose start tag is written and whose end tag is not yet
    for (const root of parts) {
      const chain = [];
      for (let node = root.parentElement; node; node = node.parentElement) chain.push(node);
      chain.reverse();
      let shared = 0;
      while (shared < open.length && shared < chain.length && open[shared] === chain[shared]) shared += 1;
      while (open.length > shared) html += `</${open.pop().localName}>`;
      for (const ancestor of chain.slice(shared)) {
        if (ancestor.namespaceURI !== htmlNamespace) return null;
        html += startTag(ancestor);
        elements.push(ancestor);
        inParts.push(false);
        if (ancestor === document.documentElement) {
          html += '<head></head>';
          elements.push(null);
          inParts.push(false);
        }
        open.push(ancestor);
      }
      rootIndices.push(elements.length);
      html += root.outerHTML;
      elements.push(root);
      inParts.push(true);
      for (const element of root.getElementsByTagName('*')) {
        elements.push(element);
        inParts.push(true);
      }
    }
    while (open.length > 0) html += `</${open.pop().localName}>`;
    return { elements, shadow: false, html, roots: rootIndices, inParts, parts: { parts_ms: performance.now() - started } };
  }

  function withTimeout(promise, ms) {
    let timer = 0;
    const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the background did not answer')), ms); });
    return Promise.race([promise, late]).finally(() => clearTimeout(timer));
  }

  /**
   * Sends a copy of the page (copyOfPage) to the background to be judged: its answer, checked to
   * hold as many elements as the page did. Throws when there is no usable answer. `relay`: the
   * command's way to the background when the background runs it (below), else a message.
   */
  async function askJudge(copy, options, early, relay = null) {
    const request = { type: Message.JUDGE, html: copy.html, categories: options?.categories, rules: typeof options?.rules === 'string' ? options.rules : '', early };
    if (copy.roots) request.roots = copy.roots; // a late pass's parts (copyOfParts)
    let sent;
    if (relay) {
      // (The text leaves with the command's answer, serialised once the call returns: no send here.)
      sent = handOff(relay, { ...request, url: location.href });
      copy.parts.relayed = true;
    } else {
      const sending = performance.now();
      sent = api.runtime.sendMessage(request);
      copy.parts.send_ms = performance.now() - sending;
    }
    const answer = await withTimeout(sent, JUDGE_TIMEOUT_MS);
    if (!answer || !answer.ok) throw new Error(answer ? answer.error : 'the background did not answer');
    if (answer.elements !== copy.elements.length) throw new Error(`the copy has ${answer.elements} elements, the page ${copy.elements.length}`);
    return answer;
  }

  /**
   * Asks the background to judge the page now: `{ elements, answer }`, the answer checked
   * against the page (same count of elements, and each named element of the tag named).
   * Throws when there is no usable answer.
   */
  async function judgeOutside(options, early = false, relay = null) {
    const copying = performance.now();
    const copy = copyOfPage();
    const copyMs = performance.now() - copying;
    const shadowRefused = 'the page has open shadow roots, which its text leaves out';
    if (copy.shadow) throw new Error(shadowRefused);
    const { elements, parts } = copy;
    const answer = await askJudge(copy, options, early, relay);
    if (shadowAmong(elements, answer.customElements)) throw new Error(shadowRefused);
    for (const decision of answer.decisions) {
      const element = elements[decision.index];
      if (!element || element.localName !== decision.tag) throw new Error('the copy is not the page');
    }
    return { elements, answer, copyMs, parts };
  }

  function emptyReport() {
    return { total: 0, counts: { ads: 0, promos: 0, related: 0, comments: 0, social: 0 }, removed: [], kept: [], article: null,
      clean_ms: 0, judge_ms: 0, wall_ms: 0, late_passes: 0, reinsertions: 0, late_ms: 0, last_late_pass_ms: 0,
      timings: { nodes: 0, snapshot_ms: 0, select_ms: 0, plan_ms: 0, remove_ms: 0 }, slices: 1, longest_slice_ms: 0,
      memory_bytes: 0, late_errors: 0, last_late_error: null, last_late_pass_elements: 0, judged: 'outside' };
  }

  const outsideReport = () => JSON.parse(JSON.stringify(outside.report));

  /** Takes one block out and records it; false when it is no longer in the page. */
  function takeOutRecorded(element, record) {
    const taken = outside.removal.takeOut(element, FRAMES_LATER);
    if (!taken) return false;
    outside.records.push(taken);
    const report = outside.report;
    report.removed.push(record);
    report.counts[record.category] = (report.counts[record.category] ?? 0) + 1;
    report.total += 1;
    return true;
  }

  /**
   * A block a late pass found that was taken out before and that the page put back (the same
   * node, or one alike: same rule, evidence and preview, while the one taken out is off the
   * page): its index in the records, or -1.
   */
  function putBackByPage(element, record) {
    const { records, report } = outside;
    const same = records.findIndex((taken) => taken.node === element);
    if (same >= 0) return same;
    return report.removed.findIndex((other, index) => !records[index].node.isConnected && other.rule === record.rule
      && other.evidence === record.evidence && other.preview === record.preview);
  }

  /**
   * Takes out what the answer names (except blocks the reader put back): `{ taken, again }`,
   * the blocks taken out, and of them those the page had put back after a removal (listed once).
   */
  function applyAnswer(elements, answer, late) {
    let taken = 0;
    let again = 0;
    for (const decision of answer.decisions) {
      const element = elements[decision.index];
      if (!element.isConnected || outside.keptByReader.includes(element)) continue;
      const { rule, category, reason, evidence = null, preview = '' } = decision;
      const record = { rule, category, reason, evidence, preview, late };
      const earlier = late ? putBackByPage(element, record) : -1;
      if (earlier >= 0) {
        const out = outside.removal.takeOut(element, FRAMES_LATER);
        if (!out) continue;
        outside.records[earlier] = out;
        outside.report.reinsertions += 1;
        taken += 1;
        again += 1;
      } else if (takeOutRecorded(element, record)) {
        taken += 1;
      }
    }
    // What this file changed is not the page adding widgets.
    outside.observer?.takeRecords();
    return { taken, again };
  }

  /** The page's session when judged outside: what is out, the report, the late passes. */
  function startOutside() {
    // src/dom/removal.js, which the build writes as a classic script that background.js injects
    // with this file (scripts/build.mjs).
    const removal = globalThis.UnsponsorRemoval;
    if (!removal) throw new Error('removal.js is missing');
    outside = { removal, url: location.href, records: [], report: emptyReport(), keptByReader: [], options: null,
      observer: null, added: [], timer: 0, running: false, again: false, lastPassMs: 0, lateDelayMs: LATE_DELAY_MS };
  }

  /** Forgets what was taken out and why (undo, or a new page): the records are already emptied. */
  function forgetOutside() {
    stopWatchingOutside();
    outside.report = emptyReport();
    outside.keptByReader = [];
  }

  /**
   * The clean judged outside the tab: the report, or null when the page cannot be judged there
   * (`outsideRefused` says why; the caller cleans in the tab). Once a page has been cleaned
   * this way, it stays so: a failure later is an error, not a switch to the tab's core.
   */
  async function cleanOutside(options, { watch = true, early = false, relay = null } = {}) {
    const started = performance.now();
    const refused = cannotJudgeOutside();
    if (refused) {
      // A page cleaned this way before that has grown since (an endless scroll): the core in the
      // tab takes over when nothing taken out here waits for undo.
      if (outside && outside.records.length > 0) throw new Error(`${refused} now: undo, then clean again`);
      stopWatchingOutside();
      outside = null;
      outsideRefused = refused;
      return null;
    }
    // Blocks hidden and waiting to be detached are still in the page's text: out first.
    outside?.removal.finishDetaching();
    let judged;
    try {
      if (!outside) startOutside();
      judged = await judgeOutside(options, early, relay);
    } catch (error) {
      if (outside && outside.records.length > 0) throw error;
      outside = null;
      outsideRefused = String((error && error.message) || error);
      return null;
    }
    const applying = performance.now();
    stopWatchingOutside();
    outside.options = options;
    // (`?? null`: an answer the background passes in as a call's argument loses its null fields.)
    rulesProblem = judged.answer.rulesProblem ?? null;
    rules = judged.answer.rules ?? null;
    applyAnswer(judged.elements, judged.answer, false);
    const report = outside.report;
    const removeMs = performance.now() - applying;
    // clean_ms is this tab's own work (the copy of the page, the blocks taken out); the judge's
    // work ran outside the tab (judge_ms), and wall_ms is what the reader waited for the answer.
    report.clean_ms = judged.copyMs + removeMs;
    report.judge_ms = judged.answer.parseMs + judged.answer.judgeMs;
    report.wall_ms = performance.now() - started;
    report.timings = { nodes: judged.answer.elements, snapshot_ms: judged.copyMs, select_ms: 0, plan_ms: 0, remove_ms: removeMs,
      parse_outside_ms: judged.answer.parseMs, judge_outside_ms: judged.answer.judgeMs, copy_parts: judged.parts };
    if (watch) watchOutside();
    cleaned = true;
    return { report: outsideReport(), earlyCss: judged.answer.earlyCss };
  }

  /**
   * Late widgets on a page judged outside: after the page adds nodes, what it added is copied
   * (copyOfParts) and judged.
   */
  function watchOutside() {
    outside.added = [];
    const observer = new MutationObserver((mutations) => {
      if (noteAdded(mutations)) scheduleLatePass();
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    outside.observer = observer;
  }

  /** Queues the nodes `mutations` added for the next late pass (not the extension's own UI); whether there were any. */
  function noteAdded(mutations) {
    let added = false;
    for (const mutation of mutations) {
      if (mutation.addedNodes.length === 0) continue;
      // (The nodes of one mutation share their parent, which is looked at once.)
      const parent = mutation.target;
      if (parent.nodeType === 1 && parent.closest(`[${UI_MARKER}]`)) continue;
      for (const node of mutation.addedNodes) {
        if (node.nodeType !== 1 && node.nodeType !== 3) continue;
        if (node.nodeType === 1 && node.hasAttribute(UI_MARKER)) continue;
        added = true;
        // (One more than the most roots a pass copies: the pass then copies the whole page.)
        if (outside.added.length <= LATE_MAX_ROOTS) outside.added.push(node);
      }
    }
    return added;
  }

  function stopWatchingOutside() {
    if (!outside) return;
    outside.observer?.disconnect();
    outside.observer = null;
    clearTimeout(outside.timer);
    outside.timer = 0;
    outside.again = false;
  }

  function scheduleLatePass() {
    if (!outside || !outside.observer) return;
    if (outside.running) {
      outside.again = true;
      return;
    }
    if (outside.timer) return;
    outside.timer = setTimeout(latePass, Math.max(outside.lateDelayMs, outside.lastPassMs / LATE_SHARE));
  }

  async function latePass() {
    const session = outside;
    session.timer = 0;
    session.running = true;
    let spent = 0;
    try {
      if (session.url !== location.href) {
        endOutsideAfterNavigation(); // a new page: cleaned only when the reader asks
        return;
      }
      const refused = cannotJudgeOutside();
      if (refused) {
        // Grown past what a copy can hold: late widgets are no longer checked, and the popup says so.
        session.report.late_errors += 1;
        session.report.last_late_error = `${refused}: late widgets are no longer checked`;
        stopWatchingOutside();
        return;
      }
      let copy;
      let answer;
      try {
        const started = performance.now();
        // Blocks hidden and waiting to be detached are still in the text: out first.
        // (What the page added and the observer has not handed over yet is queued too; the
        // blocks detached just now are not additions.)
        const pending = session.observer?.takeRecords() ?? [];
        noteAdded(pending);
        session.removal.finishDetaching();
        session.observer?.takeRecords();
        // What the page added, with its ancestors; the whole page when it added too much.
        const queue = session.added;
        session.added = [];
        const roots = queue.length <= LATE_MAX_ROOTS ? lateRootsOf(queue) : null;
        if (roots && roots.length === 0) return; // nothing added is still on the page
        copy = (roots && copyOfParts(roots)) || copyOfPage();
        session.report.last_late_pass_elements = copy.elements.length;
        spent += performance.now() - started;
        try {
          answer = await askJudge(copy, session.options, false);
        } catch (error) {
          // Parts the parser puts together otherwise than the page holds them (a block inside a
          // paragraph, a row outside a table) do not match their copy: the whole page then.
          if (!copy.roots) throw error;
          const again = performance.now();
          copy = copyOfPage();
          session.report.last_late_pass_elements = copy.elements.length;
          spent += performance.now() - again;
          answer = await askJudge(copy, session.options, false);
        }
      } catch (error) {
        if (outside !== session || !session.observer) return;
        session.report.late_errors += 1;
        session.report.last_late_error = String((error && error.message) || error);
        return;
      }
      // Undone, or cleaned again, meanwhile: this answer is for a page that is gone.
      if (outside !== session || !session.observer) return;
      const applying = performance.now();
      const fits = answer.decisions.filter((decision) => copy.elements[decision.index]?.localName === decision.tag
        && (!copy.inParts || copy.inParts[decision.index]));
      const { taken, again } = applyAnswer(copy.elements, { decisions: fits }, true);
      session.lateDelayMs = taken > 0 && again === taken ? Math.min(session.lateDelayMs * 2, MAX_LATE_DELAY_MS) : LATE_DELAY_MS;
      spent += performance.now() - applying;
      session.report.late_passes += 1;
      session.report.late_ms += spent;
      session.report.last_late_pass_ms = spent;
      if (taken > 0) api.runtime.sendMessage({ type: Message.LATE_REMOVAL, total: session.report.total }).catch(() => {});
    } finally {
      session.lastPassMs = spent;
      session.running = false;
      if (session.again) {
        session.again = false;
        scheduleLatePass();
      }
    }
  }

  /** Puts every block back (a page judged outside). */
  function undoOutside() {
    const restored = outside.removal.putBack(outside.records);
    forgetOutside();
    return restored;
  }

  /**
   * Puts back the block of `report.removed[index]`; later passes leave it alone. Answers as the
   * core's restoreRemoval: `{ restored, element, report }`.
   */
  function restoreOutside(index) {
    const report = outside.report;
    if (!Number.isInteger(index) || index < 0 || index >= report.removed.length) return { restored: false, element: null, report: outsideReport() };
    const element = outside.removal.putBackOne(outside.records, index);
    const [record] = report.removed.splice(index, 1);
    report.counts[record.category] = Math.max(0, (report.counts[record.category] ?? 0) - 1);
    report.total -= 1;
    outside.observer?.takeRecords();
    if (element && element.nodeType === 1) outside.keptByReader.push(element);
    return { restored: true, element, report: outsideReport() };
  }

  /** What a clean would remove, judged outside: outlined on the page. */
  async function previewOutside(options, relay) {
    const { elements, answer } = await judgeOutside(options, false, relay);
    return answer.decisions.map((decision) => ({ element: elements[decision.index], rule: decision.rule,
      category: decision.category, reason: decision.reason, preview: decision.preview }));
  }

  /**
   * A single-page app navigated since the clean (history.pushState): what was taken out belonged
   * to the page before, whose blocks went with it. The session starts again, as the core's does
   * (src/wasm/session.rs, end_session_after_navigation).
   */
  function endOutsideAfterNavigation() {
    if (!outside || outside.url === location.href) return;
    outside.url = location.href;
    outside.records = [];
    forgetOutside();
    cleaned = false;
  }

  /** Whether the page is (or is to be) judged outside the tab rather than by a core loaded here. */
  const judgesOutside = () => !core && (outside !== null || outsideRefused === null);
  /** And whether it can be now (a command that does not judge asks before it starts). */
  const canJudgeOutside = () => judgesOutside() && !cannotJudgeOutside();

  // ----- commands -----

  /**
   * Cleans the page: judged outside the tab where it can be, else by the core loaded here.
   * `early`: also make the site's early stylesheet where the page is judged outside (`earlyCss`).
   * `relay`: the command's way to the background, when the background runs it. Returns
   * `{ report, earlyCss }`.
   */
  async function cleanPage(options, { early = false, relay = null } = {}) {
    clearPreview();
    // (`inTab`: the bench and tests measure the core in the tab, where pages judged outside never go.)
    if (judgesOutside() && options?.inTab !== true) {
      const done = await cleanOutside(options, { early, relay });
      if (done) {
        engine ??= 'outside';
        return done;
      }
    }
    await load();
    applyUserRules(options);
    const report = await core.cleanAsync(coreOptions(options, true));
    cleaned = true;
    return { report, earlyCss: undefined };
  }

  const clean = async (options, relay = null) => (await cleanPage(options, { relay })).report;

  /** A block the reader picked, on a page judged outside: recorded like any removal (as the core's removeElement does). */
  function removePickedOutside(element, selector) {
    outside.keptByReader = outside.keptByReader.filter((kept) => kept !== element);
    const preview = (element.textContent || '').replace(/\s+/g, ' ').trim().slice(0, PREVIEW_MAX_CHARS);
    const record = { rule: 'user-rule', category: 'ads', reason: message('reason_user_rule'), evidence: `picked: ${selector}`, preview, late: false };
    if (!takeOutRecorded(element, record)) throw new Error('this element is no longer in the page');
    outside.observer?.takeRecords();
    cleaned = true;
    return outsideReport();
  }

  /** Cleans on page load on a site the reader chose (autoclean.js), with the settings the background gives. */
  async function autoClean() {
    const answer = await api.runtime.sendMessage({ type: Message.AUTO_OPTIONS });
    if (!answer || !answer.ok) {
      dropEarlyHide();
      return { ok: false, error: 'auto-clean is off for this site' };
    }
    // The early stylesheet for the site's next pages is made where the page is judged.
    const { report, earlyCss } = await cleanPage(answer.options, { early: Boolean(earlyStyle()) });
    api.runtime.sendMessage({ type: Message.LATE_REMOVAL, total: report.total }).catch(() => {});
    keepEarlyHide(earlyCss);
    return { ok: true, engine, report };
  }

  // ----- the early stylesheet (auto-clean without a flash: early-hide.js, src/core/early.rs) -----

  /** The stylesheet early-hide.js put into this page before its first paint, if it is still there. */
  const earlyStyle = () => {
    const style = globalThis.unsponsorEarlyStyle;
    return style && style.isConnected ? style : null;
  };

  /** Takes the early stylesheet away: what it hid and the clean did not remove shows again. */
  function dropEarlyHide() {
    earlyStyle()?.remove();
    globalThis.unsponsorEarlyStyle = null;
    api.storage.onChanged.removeListener(onStorageChanged);
  }

  /** Whether a block the clean left on the page is hidden by the early stylesheet. */
  function hidesKeptBlock(style) {
    // Blocks the clean took out are detached, or hidden in their own style attribute while they
    // wait to be detached (src/dom/removal.js).
    const takenOut = (element) => {
      for (let node = element; node; node = node.parentElement) {
        if (node.style && node.style.getPropertyValue('display') === 'none' && node.style.getPropertyPriority('display') === 'important') return true;
      }
      return false;
    };
    for (const rule of style.sheet ? style.sheet.cssRules : []) {
      let found;
      try {
        found = document.querySelectorAll(rule.selectorText);
      } catch {
        continue;
      }
      for (const element of found) if (!takenOut(element)) return true;
    }
    return false;
  }

  /**
   * After the automatic clean: the site's full stylesheet (with its EasyList rules and the
   * reader's) goes into this page, for widgets that come later, and is kept for the site's next
   * pages. If the clean kept a block it hides (a guard, or a block the reader keeps), the
   * stylesheet goes: the page shows what the clean decided.
   */
  function keepEarlyHide(made) {
    const style = earlyStyle();
    if (!style) return;
    let css = made;
    try {
      css ??= core.earlyHideStylesheet(location.href);
    } catch (error) {
      console.warn('Unsponsor: no early stylesheet for this site', error);
      dropEarlyHide();
      return;
    }
    style.textContent = css;
    if (hidesKeptBlock(style)) {
      dropEarlyHide();
      return;
    }
    api.storage.onChanged.addListener(onStorageChanged);
    api.storage.local.get(EarlyHide.CACHE_KEY).then((stored) => {
      const kept = { ...(stored && stored[EarlyHide.CACHE_KEY]) };
      if (kept[location.hostname] === css) return undefined;
      kept[location.hostname] = css;
      return api.storage.local.set({ [EarlyHide.CACHE_KEY]: kept });
    }).catch(() => {});
  }

  /** A change of the reader's settings: without auto-clean (or ads) on this site, the stylesheet goes. */
  function onStorageChanged(changes, area) {
    if (area === 'session' || Object.keys(changes).every((key) => key === EarlyHide.CACHE_KEY)) return;
    api.runtime.sendMessage({ type: Message.AUTO_OPTIONS }).then((answer) => {
      if (!answer || !answer.ok || !answer.options?.categories?.ads) dropEarlyHide();
    }, () => dropEarlyHide());
  }

  // ----- a command's copy, judged through the background -----
  //
  // A command the background runs (a click in the popup, a shortcut) hands the page's copy
  // back as the answer to the background's call, `{ ok, judge, ticket }`; the background has it
  // judged and calls again with the judge's answer (Command.JUDGED, `{ ticket, answer }`), and
  // the command goes on where it stopped. The answer to that call is the command's (or the next
  // copy it hands back). A runtime message would cost the tab more: its own channel and the
  // text's serialisation for it, about 0.8 ms of a first click's main thread at the dev corpus's
  // median (docs/PERFORMANCE.md). What this file starts itself (auto-clean, late passes) sends a
  // message (askJudge).

  const relays = new Map(); // ticket → the relay of a command that handed a copy back (newRelay)
  let nextTicket = 1;

  /**
   * A command's relay: `pending`, the copy handed back and not yet given to the background;
   * `answer`, the resolve of the command's wait for the judge; `wake`, settle's wait.
   */
  function newRelay() {
    const relay = { ticket: nextTicket, done: null, pending: null, answer: null, wake: null };
    nextTicket += 1;
    return relay;
  }

  /** Hands `request` back to the background; resolves to the judge's answer it sends (Command.JUDGED). */
  function handOff(relay, request) {
    return new Promise((resolve) => {
      relay.answer = resolve;
      relay.pending = request;
      relays.set(relay.ticket, relay);
      relay.wake?.();
    });
  }

  /** The command's answer, or the copy it hands back to be judged, whichever comes first. */
  async function settle(relay) {
    if (relay.pending === null) {
      const handed = new Promise((resolve) => { relay.wake = resolve; });
      await Promise.race([relay.done, handed]);
      relay.wake = null;
    }
    if (relay.pending !== null) {
      const request = relay.pending;
      relay.pending = null;
      return { ok: true, judge: request, ticket: relay.ticket };
    }
    relays.delete(relay.ticket);
    return relay.done;
  }

  /** Command.JUDGED: the judge's answer for the command that handed a copy back. */
  function judged({ ticket, answer } = {}) {
    const relay = relays.get(ticket);
    if (!relay) return { ok: false, error: 'no command here waits for the judge' };
    const give = relay.answer;
    relay.answer = null;
    give?.(answer); // (none when the command stopped waiting: its answer is the one below)
    return settle(relay);
  }

  /**
   * Runs a command; every answer says whether the filter list is in use (`rulesProblem`).
   * Commands the background runs may answer `{ ok, judge, ticket }` first (above).
   */
  async function run(command, options = {}) {
    if (command === Command.JUDGED) return judged(options);
    const relay = newRelay();
    relay.done = runCommand(command, options, relay).then((answer) => ({ ...answer, rulesProblem }));
    return settle(relay);
  }

  async function runCommand(command, options, relay = null) {
    try {
      endOutsideAfterNavigation();
      switch (command) {
        case Command.REPORT: {
          const report = core ? core.report() : outside ? outsideReport() : null;
          const detach = core ? core.detachStats() : outside ? outside.removal.detachStats() : null;
          return { ok: true, engine, picking: Boolean(picker), report, detach };
        }
        case Command.CLEAN: {
          const report = await clean(options, relay);
          return { ok: true, engine, startupMs, startupParts, rules, outsideRefused, report };
        }
        case Command.AUTO:
          return await autoClean();
        case Command.UNDO: {
          clearPreview();
          dropEarlyHide();
          if (!core && outside) {
            const restored = undoOutside();
            cleaned = false;
            return { ok: true, engine, restored, report: outsideReport() };
          }
          if (!core) return { ok: true, engine, restored: 0, report: null };
          const { restored } = core.undo();
          cleaned = false;
          return { ok: true, engine, restored, report: core.report() };
        }
        case Command.RECATEGORIZE: {
          // A category toggle: put everything back and clean again with the new choice, so
          // blocks of a category switched off come back and those switched on go.
          if ((!core && !outside) || !cleaned) return { ok: true, engine, report: core ? core.report() : outside ? outsideReport() : null, recleaned: false };
          dropEarlyHide(); // made for the categories before
          if (core) core.undo();
          else undoOutside();
          return { ok: true, engine, report: await clean(options, relay), recleaned: true };
        }
        case Command.PREVIEW:
          return { ok: true, engine, ...(await preview(options, relay)) };
        case Command.CLEAR_PREVIEW:
          clearPreview();
          return { ok: true, engine };
        case Command.PICK:
          // The picker takes blocks out the way the page's clean does (or will).
          if (canJudgeOutside()) {
            if (!outside) startOutside();
          } else {
            await load();
          }
          startPicker();
          return { ok: true, engine, picking: true };
        case Command.RESTORE: {
          if (!core && !outside) return { ok: false, error: 'nothing was removed from this page' };
          dropEarlyHide(); // it could hide the block brought back
          const answer = core ? core.restoreRemoval(options.index) : restoreOutside(options.index);
          const selector = answer.restored && options.keep ? selectorFor(answer.element) : null;
          return { ok: answer.restored, engine, selector, report: answer.report, error: answer.restored ? undefined : 'that block is no longer listed' };
        }
        default:
          return { ok: false, error: `unknown command ${String(command)}` };
      }
    } catch (error) {
      return { ok: false, engine, error: String((error && error.message) || error) };
    }
  }

  globalThis.unsponsorRun = run;
})();
