// The judge: the Rust core, run outside the page's tab, decides what a clean removes from a copy
// of the page (README, "How a removal reaches the popup"; docs/PERFORMANCE.md, issue 17).
//
// The tab sends its page as the browser serialises it (`document.documentElement.outerHTML`)
// and its address; here the text is parsed into an inert copy (a DOMParser document loads and
// runs nothing) and judged by the core as the page at that address (`judgeDocument`). The
// answer names each element to take out by its index among the copy's elements in document
// order, with its tag so the tab can check it found the same element, and carries the rule,
// category, reason, evidence and preview the popup shows. The tab takes the elements out
// itself and keeps what undo needs (content.js, "the clean judged outside the tab").
//
// Where it runs: in Chrome, an offscreen document (offscreen.html, made by background.js when a
// tab first asks); in Firefox, the background page itself (background.js imports this module).
// The core and EasyList's rules for every host load once there, not once per tab.

const api = globalThis.browser ?? globalThis.chrome;
const RULES_FILE = 'rules/easylist.rules';
// The extension's files at its fixed address, where the core's import below finds them too:
// Chrome's runtime.getURL answers the per-session address pages may load (use_dynamic_url),
// which its own documents cannot load from.
const own = (file) => new URL(file, import.meta.url).href;

// A <noscript>'s inside: the tab (scripting on) holds it as text, a DOMParser copy (scripting
// off) parses it into elements, which would shift every index after it. The inside goes.
// (scripts/bench/handoff.mjs and handoff-firefox.mjs use it too.)
export const NOSCRIPT_INSIDE = /(<noscript\b[^>]*>)[\s\S]*?(<\/noscript>)/gi;

let ready = null;
let appliedRules = null;

/**
 * Whether this build ships EasyList's rules (its manifest lists the file). Chrome's offscreen
 * document has no runtime.getManifest: there the manifest is read as a file.
 */
async function buildCarriesRules() {
  let manifest = {};
  try {
    manifest = typeof api.runtime.getManifest === 'function' ? api.runtime.getManifest() : await (await fetch(own('manifest.json'))).json();
  } catch {
    manifest = {};
  }
  const entries = manifest.web_accessible_resources || [];
  return entries.some((entry) => (entry.resources || []).includes(RULES_FILE));
}

/** The core and the rules, loaded once: `{ core, rules, rulesProblem }`. */
function load() {
  ready ??= (async () => {
    const core = await import('./pkg/unsponsor.js');
    await core.default({ module_or_path: fetch(own('pkg/unsponsor_bg.wasm')) });
    let rules = null;
    let rulesProblem = null;
    let bytes = null;
    try {
      const response = await fetch(own(RULES_FILE));
      bytes = response.ok ? await response.arrayBuffer() : null;
    } catch {
      bytes = null;
    }
    if (!bytes) {
      if (await buildCarriesRules()) rulesProblem = 'missing';
    } else {
      try {
        // Every host's site rules: the pages judged here come from every site.
        rules = core.loadRulesForEveryHost(new Uint8Array(bytes));
      } catch (error) {
        rulesProblem = 'damaged';
        console.warn('Unsponsor: the filter list could not be read:', String((error && error.message) || error));
      }
    }
    return { core, rules, rulesProblem };
  })();
  // A failed load is tried again at the next request, not remembered.
  ready.catch(() => { ready = null; });
  return ready;
}

/**
 * Judges one page. `request`: `{ html, url, categories, rules, early, roots? }` (`rules`: the
 * reader's rule list; `early`: also answer the site's early stylesheet; `roots`: a late pass's
 * copy of the parts a page added, the indices of their roots, judged alone). Answers `{ ok: true, decisions:
 * [{ index, tag, rule, category, reason, evidence, preview }], elements, customElements (their
 * indices), rules, rulesProblem, parseMs, judgeMs, earlyCss? }`, or `{ ok: false, error }`.
 */
export async function judgePage(request) {
  try {
    const { core, rules, rulesProblem } = await load();
    const text = typeof request.rules === 'string' ? request.rules : '';
    if (text !== appliedRules) {
      core.setUserRules(text);
      appliedRules = text;
    }
    const parseStarted = performance.now();
    const copy = new DOMParser().parseFromString(String(request.html).replace(NOSCRIPT_INSIDE, '$1$2'), 'text/html');
    const elements = copy.getElementsByTagName('*');
    const judgeStarted = performance.now();
    // A late pass's parts (content.js, copyOfParts): only the subtrees under `roots` are judged.
    const roots = Array.isArray(request.roots) ? request.roots.map((index) => elements[index]) : null;
    if (roots && roots.some((root) => !root)) throw new Error('the copy does not hold the parts it names');
    const judged = roots
      ? core.judgeParts(copy, String(request.url), { categories: request.categories }, roots)
      : core.judgeDocument(copy, String(request.url), { categories: request.categories });
    const judgeEnded = performance.now();
    const indexOf = new Map();
    for (const item of judged) indexOf.set(item.element, -1);
    // Custom elements (a hyphen in the name), which the tab checks for open shadow roots
    // (content.js, copyOfPage: it looks at the other elements that may hold one itself).
    const customElements = [];
    for (let index = 0; index < elements.length; index += 1) {
      const element = elements[index];
      if (indexOf.has(element)) indexOf.set(element, index);
      if (element.localName.includes('-')) customElements.push(index);
    }
    const decisions = [];
    for (const item of judged) {
      const index = indexOf.get(item.element);
      // (The core names elements only; a text node would have no index.)
      if (index === undefined || index < 0) continue;
      decisions.push({ index, tag: item.element.localName, rule: item.rule, category: item.category,
        reason: item.reason, evidence: item.evidence, preview: item.preview });
    }
    const answer = { ok: true, decisions, elements: elements.length, customElements, rules, rulesProblem,
      parseMs: judgeStarted - parseStarted, judgeMs: judgeEnded - judgeStarted };
    if (request.early) answer.earlyCss = core.earlyHideStylesheet(String(request.url));
    return answer;
  } catch (error) {
    return { ok: false, error: String((error && error.message) || error) };
  }
}
