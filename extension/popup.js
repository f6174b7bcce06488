// Popup: asks the background to run a command in the tab and draws the report it gets back; holds
// the reader's controls for this site (categories, auto-clean, never touch) and per-item restore.
// Page text (previews, evidence, reasons) is only ever set as textContent, never as HTML.

const api = globalThis.browser ?? globalThis.chrome;
const Settings = globalThis.UnsponsorSettings;
const Message = globalThis.UnsponsorMessages;
const Command = globalThis.UnsponsorCommands;
const { t, localize } = globalThis.UnsponsorI18n;

/** The reason for a removal in the reader's language (the core's English sentence if missing). */
function reasonText(removal) {
  const key = `reason_${String(removal.rule).replaceAll('-', '_')}`;
  const translated = t(key);
  return translated && translated !== key ? translated : removal.reason;
}

const CATEGORY_MESSAGES = { ads: 'category_ads', promos: 'category_promos', related: 'category_related', comments: 'category_comments', social: 'category_social' };

const $ = (id) => document.getElementById(id);
// popup.html loads this script in its <head>, before the body exists (so no button is ever shown
// without its handler); the elements are looked up once the body is parsed (`start`).
let elements = null;
let categoryInputs = [];

let tab = null;
let host = null;

// A reader may click before the popup knows its tab and site (opening reads them, and the page's
// report, asynchronously). No click is lost: every command waits for `ready`, and the drawing of
// what the page already had yields to anything the reader did meanwhile (`readerHasActed`, set by
// the first click on a button or change of a switch, seen on the document before any handler), so
// the status a click produces is never replaced by an earlier state.
let markReady;
const ready = new Promise((resolve) => { markReady = resolve; });
let readerHasActed = false;
const noteAction = (event) => {
  if (event.type === 'change' || (event.target instanceof Element && event.target.closest('button'))) readerHasActed = true;
};
document.addEventListener('click', noteAction, true);
document.addEventListener('change', noteAction, true);
/** Resolves once the body is parsed and `start` has found its elements. */
const bodyParsed = new Promise((resolve) => {
  const go = () => {
    start();
    resolve();
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go, { once: true });
  else go();
});

/** The tab to act on: `?tabId=N` (used by automated tests), else the active tab. */
async function targetTab() {
  const requested = Number(new URLSearchParams(location.search).get('tabId'));
  if (Number.isInteger(requested) && requested > 0) return api.tabs.get(requested);
  const [active] = await api.tabs.query({ active: true, currentWindow: true });
  return active;
}

function setStatus(state, text, engine) {
  elements.status.dataset.state = state;
  if (engine) elements.status.dataset.engine = engine;
  elements.status.textContent = text;
}

const blocks = (count) => t(count === 1 ? 'blockOne' : 'blockMany', [String(count)]);

function render(report) {
  const total = report ? report.total : 0;
  elements.summary.hidden = total === 0;
  elements.undo.hidden = total === 0;
  elements.total.textContent = String(total);
  elements.totalLabel.textContent = t(total === 1 ? 'removedOne' : 'removedMany');
  elements.groups.replaceChildren();
  if (!report) return;
  for (const [category, key] of Object.entries(CATEGORY_MESSAGES)) {
    const removals = report.removed.map((removal, index) => ({ removal, index })).filter(({ removal }) => removal.category === category);
    if (removals.length === 0) continue;
    const group = elements.groupTemplate.content.firstElementChild.cloneNode(true);
    group.dataset.category = category;
    group.querySelector('.name').textContent = t(key);
    group.querySelector('.count').textContent = String(removals.length);
    const list = group.querySelector('.removals');
    for (const { removal, index } of removals) {
      const item = elements.removalTemplate.content.firstElementChild.cloneNode(true);
      localize(item);
      item.dataset.rule = removal.rule;
      item.dataset.index = String(index);
      item.title = `${removal.rule}: ${removal.evidence}`;
      item.querySelector('.reason').textContent = reasonText(removal);
      item.querySelector('.preview').textContent = removal.preview;
      const restore = item.querySelector('.restore');
      const keep = item.querySelector('.keep');
      restore.setAttribute('aria-label', `${t('restoreItem')}: ${removal.preview}`);
      keep.setAttribute('aria-label', `${t('keepItem')}: ${removal.preview}`);
      restore.addEventListener('click', () => onRestore(index, false));
      keep.addEventListener('click', () => onRestore(index, true));
      list.append(item);
    }
    elements.groups.append(group);
  }
}

async function run(command, extra = {}) {
  await ready;
  if (!tab) return { ok: false, state: 'error', error: t('noTab') };
  const result = await api.runtime.sendMessage({ type: Message.RUN, command, tabId: tab.id, url: tab.url, ...extra });
  return result ?? { ok: false, state: 'error', error: t('noAnswerPopup') };
}

/**
 * Shows what did not work on the page, from a content script's answer: its filter list not in
 * use (`rulesProblem`), late passes that failed (`report.late_errors`, with the last reason as
 * the line's tooltip). An answer without a report leaves the late line as it was.
 */
function showProblems(result) {
  if (!result || !result.ok) return;
  const line = (name) => elements.problems.querySelector(`[data-problem="${name}"]`);
  if ('rulesProblem' in result) {
    line('rules-damaged').hidden = result.rulesProblem !== 'damaged';
    line('rules-missing').hidden = result.rulesProblem !== 'missing';
  }
  if (result.report) {
    const late = line('late-errors');
    late.hidden = !(result.report.late_errors > 0);
    late.title = result.report.last_late_error || '';
  }
  elements.problems.hidden = [...elements.problems.children].every((item) => item.hidden);
}

function showFailure(result) {
  const state = ['restricted', 'paused'].includes(result.state) ? result.state : 'error';
  setStatus(state, result.error || t('somethingWrong'));
}

function showCleaned(report, engine) {
  render(report);
  const total = report.total;
  setStatus('cleaned', total === 0 ? t('nothingFound') : t('removedStatus', [blocks(total)]), engine);
}

/** Runs a button's command with the button disabled meanwhile. */
async function withButton(button, action) {
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    setStatus('error', t('couldNotRun', [String(error.message || error)]));
  } finally {
    button.disabled = false;
  }
}

const onClean = () => withButton(elements.clean, async () => {
  setStatus('working', t('working'));
  const result = await run(Command.CLEAN);
  showProblems(result);
  if (!result.ok) return showFailure(result);
  // How many EasyList rules the page's content script loaded, and whether through the build's
  // index (tests check the layer is there, and loaded the quick way).
  if (result.rules !== undefined) {
    elements.status.dataset.rules = String(result.rules?.generic ?? 0);
    elements.status.dataset.rulesIndexed = String(Boolean(result.rules?.indexed));
  }
  showCleaned(result.report, result.engine);
});

const onPreview = () => withButton(elements.preview, async () => {
  setStatus('working', t('working'));
  const result = await run(Command.PREVIEW);
  showProblems(result);
  if (!result.ok) return showFailure(result);
  setStatus('previewed', result.items.length === 0 ? t('nothingFound') : t('previewStatus', [blocks(result.items.length)]), result.engine);
});

const onUndo = () => withButton(elements.undo, async () => {
  const result = await run(Command.UNDO);
  if (!result.ok) return showFailure(result);
  render(null);
  setStatus('undone', t('undoneStatus', [blocks(result.restored)]), result.engine);
});

async function onRestore(index, keep) {
  const result = await run(Command.RESTORE, { index, keep });
  if (!result.ok) return showFailure(result);
  render(result.report);
  if (keep && !result.savedRule) setStatus('kept', t('keptNoRule'), result.engine);
  else setStatus(keep ? 'kept' : 'restored', t(keep ? 'keptStatus' : 'restoredStatus'), result.engine);
}

const onPick = () => withButton(elements.pick, async () => {
  const result = await run(Command.PICK);
  if (!result.ok) return showFailure(result);
  setStatus('picking', t('pickingStatus'), result.engine);
  // The reader picks in the page; a popup left open would cover it.
  setTimeout(() => window.close(), 600);
});

async function onCategoryChange() {
  const chosen = Object.fromEntries(categoryInputs.map((input) => [input.value, input.checked]));
  await Settings.update(api, (settings) => {
    settings.sites[host] = { categories: chosen };
  });
  const result = await run(Command.RECATEGORIZE);
  if (!result.ok) return showFailure(result);
  if (result.recleaned) showCleaned(result.report, result.engine);
}

function onAutoCleanChange() {
  const origins = Settings.originsFor(host);
  if (elements.autoClean.checked) {
    // Requested at the click, before anything is awaited (Firefox requires it). Chrome may close
    // the popup while it asks; the background then learns of the grant from permissions.onAdded.
    api.permissions.request({ origins }).then(async (granted) => {
      elements.autoClean.checked = granted;
      if (!granted) return setStatus('idle', t('autoCleanDenied'));
      await api.runtime.sendMessage({ type: Message.AUTO_CLEAN, host, on: true });
      setStatus('idle', t('autoCleanOn', [host]));
    }, (error) => {
      elements.autoClean.checked = false;
      setStatus('error', String(error.message || error));
    });
  } else {
    api.permissions.remove({ origins }).finally(async () => {
      await api.runtime.sendMessage({ type: Message.AUTO_CLEAN, host, on: false });
      setStatus('idle', t('autoCleanOff', [host]));
    });
  }
}

async function onNeverTouchChange() {
  const on = elements.neverTouch.checked;
  await Settings.update(api, (settings) => {
    settings.neverTouch = on ? [...new Set([...settings.neverTouch, host])] : settings.neverTouch.filter((listed) => listed !== host);
  });
  applyNeverTouch(on);
  if (on) {
    const result = await run(Command.UNDO);
    if (result.ok) render(null);
    setStatus('paused', t('neverTouchActive', [host]));
  } else {
    setStatus('idle', t('idleStatus'));
  }
}

function applyNeverTouch(on) {
  for (const button of [elements.clean, elements.preview, elements.pick]) button.disabled = on;
  elements.categories.disabled = on;
  elements.autoClean.disabled = on;
}

async function showNotice() {
  const notice = await Settings.readNotice(api);
  if (!notice) return;
  elements.noticeText.textContent = t('settingsRepaired', [notice.fields.join(', ')]);
  elements.notice.hidden = false;
}

async function showSite(settings) {
  if (!host) return;
  elements.site.hidden = false;
  elements.siteTitle.textContent = t('siteTitle', [host]);
  const categories = Settings.categoriesFor(settings, host);
  for (const input of categoryInputs) input.checked = categories[input.value];
  elements.neverTouch.checked = Settings.isNeverTouched(settings, host);
  const state = await api.runtime.sendMessage({ type: Message.AUTO_CLEAN_STATE, host });
  elements.autoClean.checked = Boolean(state && state.granted && state.listed);
  applyNeverTouch(elements.neverTouch.checked);
}

/** How long opening waits for the page's report before showing the site's controls anyway. */
const REPORT_WAIT_MS = 300;

/**
 * On opening, show what was already removed from the page and the settings for this site. The
 * list of removals sits above the site's controls, so the popup asks for the report first and
 * draws it before showing the controls: a reader clicking a box at once must not have it move
 * away under the pointer. A page slow to answer (over REPORT_WAIT_MS) gets its list afterwards.
 */
async function showCurrentState() {
  try {
    try {
      tab = await targetTab();
      host = tab ? Settings.hostOf(tab.url) : null;
    } finally {
      markReady(); // commands queued by early clicks run now (with "no tab" if there is none)
    }
    await bodyParsed;
    const reporting = run(Command.REPORT).catch((error) => ({ ok: false, state: 'error', error: String(error) }));
    const settings = await Settings.load(api);
    await showNotice();
    const early = await Promise.race([reporting, new Promise((resolve) => setTimeout(() => resolve(null), REPORT_WAIT_MS))]);
    if (early) showRemovals(early);
    if (!(early && early.state === 'restricted')) await showSite(settings);
    if (elements.neverTouch.checked && !readerHasActed) setStatus('paused', t('neverTouchActive', [host]));
    const result = early || await reporting;
    if (!early) showRemovals(result);
    if (!result.ok) {
      if (result.state === 'restricted') {
        if (!readerHasActed) showFailure(result);
        elements.site.hidden = true;
      }
      return;
    }
    if (result.report && result.report.total > 0 && !readerHasActed) {
      setStatus('cleaned', t('removedFromPage', [blocks(result.report.total)]), result.engine);
    }
  } catch (error) {
    // Opening the popup must never fail: cleaning still works from the button.
    console.warn('Unsponsor popup:', error);
  }
}

/**
 * Draws the removals the page reported on opening (nothing for a failed or empty answer, nor once
 * the reader has acted: what that action drew is newer).
 */
function showRemovals(result) {
  if (readerHasActed) return;
  showProblems(result);
  if (result.ok && result.report && result.report.total > 0) render(result.report);
}

/** The popup's buttons, by id: a click anywhere in the popup reaches them through `document`. */
const BUTTON_ACTIONS = {
  clean: () => onClean(),
  preview: () => onPreview(),
  undo: () => onUndo(),
  pick: () => onPick(),
  'open-options': () => api.runtime.openOptionsPage(),
  'notice-dismiss': async () => {
    await Settings.dismissNotice(api);
    elements.notice.hidden = true;
  },
};

// Listening on the document from the first moment, before the body is parsed: a click that lands
// as soon as a button is painted is never lost.
document.addEventListener('click', (event) => {
  const button = event.target instanceof Element ? event.target.closest('button') : null;
  if (!button || button.disabled || !Object.hasOwn(BUTTON_ACTIONS, button.id)) return;
  bodyParsed.then(BUTTON_ACTIONS[button.id]);
});

function start() {
  elements = {
    clean: $('clean'), preview: $('preview'), undo: $('undo'), pick: $('pick'), status: $('status'),
    summary: $('summary'), total: $('total'), totalLabel: $('total-label'), groups: $('groups'),
    groupTemplate: $('group-template'), removalTemplate: $('removal-template'),
    site: $('site'), siteTitle: $('site-title'), autoClean: $('auto-clean'), neverTouch: $('never-touch'),
    categories: $('categories'), notice: $('notice'), noticeText: $('notice-text'), problems: $('problems'),
  };
  categoryInputs = [...document.querySelectorAll('input[name="category"]')];
  localize();
  elements.autoClean.addEventListener('change', onAutoCleanChange);
  elements.neverTouch.addEventListener('change', onNeverTouchChange);
  for (const input of categoryInputs) input.addEventListener('change', onCategoryChange);
}

// The tab and the site are asked for at once; drawing waits for the body (bodyParsed).
showCurrentState();
