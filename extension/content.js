// Content script: injected into the page by background.js (scripting.executeScript), or
// registered for a site the reader asked to clean automatically (with autoclean.js), in the
// extension's isolated world. It loads the Rust core once per page and runs commands on it.
// Every cleaning decision is made in Rust; this file loads the module, passes messages, and
// draws the preview outlines and the picker (page UI in a closed shadow root, marked
// data-unsponsor-ui, which the core never touches).
(() => {
  if (globalThis.unsponsorRun) return; // already injected into this page

  const api = globalThis.browser ?? globalThis.chrome;
  const Message = globalThis.UnsponsorMessages; // messages.js, injected before this file
  const Command = globalThis.UnsponsorCommands;
  const EarlyHide = globalThis.UnsponsorEarlyHide;
  // Marks the extension's own page UI, which the core never touches (OWN_UI_ATTRIBUTE in
  // src/core/vocabulary.rs; tests/node/one-source.test.mjs checks the two agree).
  const UI_MARKER = 'data-unsponsor-ui';
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

  async function preview(options) {
    applyUserRules(options);
    const items = await core.previewAsync(coreOptions(options));
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
        const report = core.removeElement(element, selector);
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

  // ----- commands -----

  async function clean(options) {
    clearPreview();
    applyUserRules(options);
    const report = await core.cleanAsync(coreOptions(options, true));
    cleaned = true;
    return report;
  }

  /** Cleans on page load on a site the reader chose (autoclean.js), with the settings the background gives. */
  async function autoClean() {
    const answer = await api.runtime.sendMessage({ type: Message.AUTO_OPTIONS });
    if (!answer || !answer.ok) {
      dropEarlyHide();
      return { ok: false, error: 'auto-clean is off for this site' };
    }
    await load();
    const report = await clean(answer.options);
    api.runtime.sendMessage({ type: Message.LATE_REMOVAL, total: report.total }).catch(() => {});
    keepEarlyHide();
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
  function keepEarlyHide() {
    const style = earlyStyle();
    if (!style) return;
    let css;
    try {
      css = core.earlyHideStylesheet(location.href);
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

  /** Runs a command; every answer says whether the filter list is in use (`rulesProblem`). */
  async function run(command, options = {}) {
    const answer = await runCommand(command, options);
    return { ...answer, rulesProblem };
  }

  async function runCommand(command, options) {
    try {
      switch (command) {
        case Command.REPORT:
          return { ok: true, engine, picking: Boolean(picker), report: core ? core.report() : null, detach: core ? core.detachStats() : null };
        case Command.CLEAN:
          await load();
          return { ok: true, engine, startupMs, startupParts, rules, report: await clean(options) };
        case Command.AUTO:
          return await autoClean();
        case Command.UNDO: {
          clearPreview();
          dropEarlyHide();
          if (!core) return { ok: true, engine, restored: 0, report: null };
          const { restored } = core.undo();
          cleaned = false;
          return { ok: true, engine, restored, report: core.report() };
        }
        case Command.RECATEGORIZE: {
          // A category toggle: put everything back and clean again with the new choice, so
          // blocks of a category switched off come back and those switched on go.
          if (!core || !cleaned) return { ok: true, engine, report: core ? core.report() : null, recleaned: false };
          dropEarlyHide(); // made for the categories before
          core.undo();
          return { ok: true, engine, report: await clean(options), recleaned: true };
        }
        case Command.PREVIEW:
          await load();
          return { ok: true, engine, ...(await preview(options)) };
        case Command.CLEAR_PREVIEW:
          clearPreview();
          return { ok: true, engine };
        case Command.PICK:
          await load();
          startPicker();
          return { ok: true, engine, picking: true };
        case Command.RESTORE: {
          if (!core) return { ok: false, error: 'nothing was removed from this page' };
          dropEarlyHide(); // it could hide the block brought back
          const answer = core.restoreRemoval(options.index);
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
