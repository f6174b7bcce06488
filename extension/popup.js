// Popup: asks the background to run a command in the tab and draws the report it gets back.
// Page text (previews, evidence) is only ever set as textContent, never as HTML.

const api = globalThis.browser ?? globalThis.chrome;

const CATEGORY_NAMES = {
  ads: 'Ads and sponsored',
  promos: 'Site promos',
  related: 'Related articles',
  comments: 'Comments',
  social: 'Share bars',
};

const elements = {
  clean: document.getElementById('clean'),
  undo: document.getElementById('undo'),
  status: document.getElementById('status'),
  summary: document.getElementById('summary'),
  total: document.getElementById('total'),
  totalLabel: document.getElementById('total-label'),
  groups: document.getElementById('groups'),
  groupTemplate: document.getElementById('group-template'),
  removalTemplate: document.getElementById('removal-template'),
};

/** The tab to act on: `?tabId=N` (used by automated tests), else the active tab. */
async function targetTab() {
  const requested = Number(new URLSearchParams(location.search).get('tabId'));
  if (Number.isInteger(requested) && requested > 0) return api.tabs.get(requested);
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab;
}

function setStatus(state, message, engine) {
  elements.status.dataset.state = state;
  if (engine) elements.status.dataset.engine = engine;
  elements.status.textContent = message;
}

function render(report) {
  const total = report ? report.total : 0;
  elements.summary.hidden = total === 0;
  elements.undo.hidden = total === 0;
  elements.total.textContent = String(total);
  elements.totalLabel.textContent = total === 1 ? 'block removed' : 'blocks removed';
  elements.groups.replaceChildren();
  if (!report) return;
  for (const [category, name] of Object.entries(CATEGORY_NAMES)) {
    const removals = report.removed.filter((removal) => removal.category === category);
    if (removals.length === 0) continue;
    const group = elements.groupTemplate.content.firstElementChild.cloneNode(true);
    group.dataset.category = category;
    group.querySelector('.name').textContent = name;
    group.querySelector('.count').textContent = String(removals.length);
    const list = group.querySelector('.removals');
    for (const removal of removals) {
      const item = elements.removalTemplate.content.firstElementChild.cloneNode(true);
      item.dataset.rule = removal.rule;
      item.title = `${removal.rule}: ${removal.evidence}`;
      item.querySelector('.reason').textContent = removal.reason;
      item.querySelector('.preview').textContent = removal.preview;
      list.append(item);
    }
    elements.groups.append(group);
  }
}

async function run(command) {
  const tab = await targetTab();
  if (!tab) return { ok: false, state: 'error', error: 'No tab to clean.' };
  const result = await api.runtime.sendMessage({ type: 'run', command, tabId: tab.id, url: tab.url });
  return result ?? { ok: false, state: 'error', error: 'Unsponsor did not answer. Reopen the popup and try again.' };
}

function showFailure(result) {
  setStatus(result.state === 'restricted' ? 'restricted' : 'error', result.error || 'Something went wrong.');
}

async function onClean() {
  elements.clean.disabled = true;
  setStatus('working', 'Cleaning…');
  try {
    const result = await run('clean');
    if (!result.ok) return showFailure(result);
    render(result.report);
    const total = result.report.total;
    setStatus('cleaned', total === 0 ? 'Nothing sponsored found on this page.'
      : `Removed ${total} ${total === 1 ? 'block' : 'blocks'}. The article is untouched.`, result.engine);
  } catch (error) {
    setStatus('error', `Unsponsor could not clean this page: ${error.message || error}`);
  } finally {
    elements.clean.disabled = false;
  }
}

async function onUndo() {
  elements.undo.disabled = true;
  try {
    const result = await run('undo');
    if (!result.ok) return showFailure(result);
    render(null);
    setStatus('undone', `Put back ${result.restored} ${result.restored === 1 ? 'block' : 'blocks'}. The page is as it was.`, result.engine);
  } catch (error) {
    setStatus('error', `Undo failed: ${error.message || error}`);
  } finally {
    elements.undo.disabled = false;
  }
}

/** On opening, show what was already removed from this page (if anything). */
async function showCurrentState() {
  try {
    const result = await run('report');
    if (!result.ok) {
      if (result.state === 'restricted') showFailure(result);
      return;
    }
    if (result.report && result.report.total > 0) {
      render(result.report);
      setStatus('cleaned', `Removed ${result.report.total} ${result.report.total === 1 ? 'block' : 'blocks'} from this page.`, result.engine);
    }
  } catch {
    // Opening the popup must never fail: cleaning still works from the button.
  }
}

elements.clean.addEventListener('click', onClean);
elements.undo.addEventListener('click', onUndo);
showCurrentState();
