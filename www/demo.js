// The demo: the same wasm package the extension uses, driven by two buttons. Everything the
// cleaner decides comes from Rust; this file only shows the report.
import init, { cleanAsync, loadRules, undo } from './pkg/unsponsor.js';

const cleanButton = document.getElementById('clean');
const undoButton = document.getElementById('undo');
const reportBox = document.getElementById('report');

function show(nodes) {
  reportBox.replaceChildren(...nodes);
  reportBox.hidden = nodes.length === 0;
}

function line(text, className) {
  const element = document.createElement('p');
  element.textContent = text;
  if (className) element.className = className;
  return element;
}

function renderReport(report) {
  const total = report.total;
  const counts = Object.entries(report.counts)
    .filter(([, count]) => count > 0)
    .map(([category, count]) => `${category} ${count}`)
    .join(', ');
  const list = document.createElement('ol');
  for (const removal of report.removed) {
    const item = document.createElement('li');
    const reason = document.createElement('strong');
    reason.textContent = removal.reason;
    const preview = document.createElement('span');
    preview.textContent = ` — ${removal.preview}`;
    item.title = `${removal.rule}: ${removal.evidence}`;
    item.append(reason, preview);
    list.append(item);
  }
  show([
    line(`Removed ${total} ${total === 1 ? 'block' : 'blocks'} in ${report.clean_ms.toFixed(1)} ms${counts ? ` (${counts})` : ''}. The article is untouched.`),
    list,
  ]);
}

try {
  await init({ module_or_path: new URL('./pkg/unsponsor_bg.wasm', import.meta.url) });
  // EasyList's compiled rules, as the extension loads them; the heuristics work without them.
  try {
    const read = async (name) => {
      const response = await fetch(new URL(name, import.meta.url));
      return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
    };
    // The rules with their index behind them (the core's lookup tables, made at build time).
    const rules = await read('./rules/easylist.rules');
    if (rules) loadRules(rules);
  } catch {
    // Offline copies without the rules file still clean with the heuristics.
  }
  cleanButton.addEventListener('click', async () => {
    try {
      renderReport(await cleanAsync({ watch: true }));
      undoButton.hidden = false;
      cleanButton.disabled = true;
    } catch (error) {
      show([line(`Cleaning failed: ${error.message || error}`, 'error')]);
    }
  });
  undoButton.addEventListener('click', () => {
    const { restored } = undo();
    show([line(`Put back ${restored} ${restored === 1 ? 'block' : 'blocks'}: the page is exactly as it was.`)]);
    undoButton.hidden = true;
    cleanButton.disabled = false;
  });
} catch (error) {
  cleanButton.disabled = true;
  show([line(`The cleaner could not load here: ${error.message || error}`, 'error')]);
}
