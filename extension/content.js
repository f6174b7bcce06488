// Content script: injected into the page by background.js (scripting.executeScript), in the
// extension's isolated world. It loads the Rust core once per page and runs commands on it.
// Every decision is made in Rust; this file only loads the module and passes messages.
(() => {
  if (globalThis.unsponsorRun) return; // already injected into this page

  const api = globalThis.browser ?? globalThis.chrome;
  const url = (path) => api.runtime.getURL(path);
  let core = null;     // the loaded wasm-bindgen module
  let engine = null;   // 'wasm', or 'wasm2js' where the page's CSP forbids WebAssembly
  let loading = null;
  let startupMs = null; // module load + instantiation + rules, measured once per page
  let rules = null;     // counts of the EasyList rules loaded, or null

  async function loadWasm() {
    const module = await import(url('pkg/unsponsor.js'));
    await module.default({ module_or_path: url('pkg/unsponsor_bg.wasm') });
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

  // EasyList's rules, compiled at build time (rules/easylist.rules). Cleaning works without them
  // (the heuristics alone), so a missing or unreadable file is not an error.
  async function loadRules() {
    try {
      const response = await fetch(url('rules/easylist.rules'));
      if (!response.ok) return null;
      return core.loadRules(await response.text());
    } catch {
      return null;
    }
  }

  function load() {
    loading ??= (async () => {
      const started = performance.now();
      try {
        core = await loadWasm();
        engine = 'wasm';
      } catch (error) {
        if (!(error instanceof WebAssembly.CompileError)) throw error;
        core = await loadWasm2js();
        engine = 'wasm2js';
      }
      rules = await loadRules();
      startupMs = performance.now() - started;
      core.onChange((report) => {
        api.runtime.sendMessage({ type: 'late-removal', total: report.total }).catch(() => {});
      });
    })();
    return loading;
  }

  async function run(command) {
    try {
      switch (command) {
        case 'report':
          return { ok: true, engine, report: core ? core.report() : null };
        case 'clean':
          await load();
          return { ok: true, engine, startupMs, rules, report: await core.cleanAsync({ watch: true }) };
        case 'undo': {
          if (!core) return { ok: true, engine, restored: 0, report: null };
          const { restored } = core.undo();
          return { ok: true, engine, restored, report: core.report() };
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
