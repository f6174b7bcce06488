// Options page: global categories, sites (auto-clean, never touch, own category choices), the
// reader's own rules (edit, import, export), keyboard shortcuts. The rules are checked by the
// Rust core (parseUserRules), loaded here from the extension's own package; everything from the
// stored settings or an imported file is shown as text, never as HTML.

const api = globalThis.browser ?? globalThis.chrome;
const Settings = globalThis.UnsponsorSettings;
const Message = globalThis.UnsponsorMessages;
const { t, localize } = globalThis.UnsponsorI18n;

const $ = (id) => document.getElementById(id);
const categoryInputs = [...document.querySelectorAll('#categories input[name="category"]')];
const EXPORT_FILE = 'unsponsor-rules.txt';

let corePromise = null;
/** The Rust core, for checking rule lists (parseUserRules). */
function loadCore() {
  corePromise ??= (async () => {
    // Relative to this page, not runtime.getURL: in Chrome that gives the web-accessible dynamic
    // URL, which the extension pages' own CSP ('self') does not cover.
    const core = await import('./pkg/unsponsor.js');
    await core.default({ module_or_path: new URL('pkg/unsponsor_bg.wasm', location.href) });
    return core;
  })();
  return corePromise;
}

async function checkRules(text) {
  const core = await loadCore();
  return core.parseUserRules(text);
}

function showErrors(errors) {
  const list = $('rules-errors');
  list.replaceChildren();
  for (const error of errors) {
    const item = document.createElement('li');
    item.dataset.line = String(error.line);
    item.append(document.createTextNode(t('ruleError', [String(error.line), error.reason])));
    if (error.text) {
      const code = document.createElement('code');
      code.textContent = error.text;
      item.append(' ', code);
    }
    list.append(item);
  }
}

function setRulesStatus(state, text) {
  $('rules-status').dataset.state = state;
  $('rules-status').textContent = text;
}

async function saveRules() {
  const text = $('rules').value;
  await Settings.update(api, (settings) => { settings.rules = text; });
  try {
    const checked = await checkRules(text);
    showErrors(checked.errors);
    setRulesStatus(checked.errors.length ? 'saved-with-errors' : 'saved',
      t(checked.errors.length ? 'rulesSavedWithErrors' : 'rulesSaved', [String(checked.rules)]));
  } catch (error) {
    showErrors([]);
    setRulesStatus('unchecked', t('rulesUnchecked', [String(error.message || error)]));
  }
}

/** Imports a plain-text list: its valid lines join the reader's list, its invalid ones are reported (with the file's line numbers) and left out. */
async function importRules(text, fileName) {
  const checked = await checkRules(text);
  const merged = Settings.mergeImportedRules($('rules').value, text, checked.errors);
  $('rules').value = merged.text;
  await Settings.update(api, (settings) => { settings.rules = merged.text; });
  showErrors(checked.errors);
  setRulesStatus(checked.errors.length ? 'imported-with-errors' : 'imported',
    t(checked.errors.length ? 'rulesImportedWithErrors' : 'rulesImported', [String(merged.added), fileName]));
}

let exportUrl = null;
function exportRules() {
  if (exportUrl) URL.revokeObjectURL(exportUrl);
  exportUrl = URL.createObjectURL(new Blob([$('rules').value], { type: 'text/plain' }));
  const link = $('rules-download');
  link.href = exportUrl;
  link.download = EXPORT_FILE;
  link.click();
  setRulesStatus('exported', t('rulesExported', [EXPORT_FILE]));
}

function renderSites(settings, granted) {
  const autoList = $('auto-clean-sites');
  autoList.replaceChildren();
  const active = settings.autoClean.filter((host) => granted.has(host));
  if (active.length === 0) {
    const empty = document.createElement('li');
    empty.textContent = t('optionsAutoCleanEmpty');
    autoList.append(empty);
  }
  for (const host of active) {
    const item = document.createElement('li');
    item.dataset.host = host;
    const name = document.createElement('span');
    name.className = 'host';
    name.textContent = host;
    const stop = document.createElement('button');
    stop.type = 'button';
    stop.className = 'secondary';
    stop.textContent = t('optionsStop');
    stop.setAttribute('aria-label', `${t('optionsStop')}: ${host}`);
    stop.addEventListener('click', async () => {
      await api.permissions.remove({ origins: Settings.originsFor(host) });
      await api.runtime.sendMessage({ type: Message.AUTO_CLEAN, host, on: false });
      await refresh();
    });
    item.append(name, stop);
    autoList.append(item);
  }

  const siteList = $('site-categories');
  siteList.replaceChildren();
  const hosts = Object.keys(settings.sites).sort();
  if (hosts.length === 0) {
    const empty = document.createElement('li');
    empty.textContent = t('optionsSiteCategoriesEmpty');
    siteList.append(empty);
  }
  for (const host of hosts) {
    const item = document.createElement('li');
    item.dataset.host = host;
    const name = document.createElement('span');
    name.className = 'host';
    name.textContent = host;
    const chosen = Settings.CATEGORIES.filter((category) => settings.sites[host].categories[category]).map((category) => t(`category_${category}`));
    const summary = document.createElement('span');
    summary.textContent = chosen.join(', ') || '—';
    const reset = document.createElement('button');
    reset.type = 'button';
    reset.className = 'secondary';
    reset.textContent = t('optionsUseDefaults');
    reset.setAttribute('aria-label', `${t('optionsUseDefaults')}: ${host}`);
    reset.addEventListener('click', async () => {
      await Settings.update(api, (current) => { delete current.sites[host]; });
      await refresh();
    });
    item.append(name, summary, reset);
    siteList.append(item);
  }
}

async function renderShortcuts() {
  const list = $('shortcuts');
  list.replaceChildren();
  const commands = await api.commands.getAll();
  for (const command of commands) {
    const item = document.createElement('li');
    const key = document.createElement('kbd');
    key.textContent = command.shortcut || t('shortcutUnset');
    const label = document.createElement('span');
    label.textContent = command.description || (command.name === '_execute_action' ? t('commandOpen') : command.name);
    item.append(key, label);
    list.append(item);
  }
}

/**
 * Which filter list this build carries (filter-list.json, written by scripts/build.mjs from the
 * list's `! Version:` line), so a reader or a store reviewer can tell a full build from a
 * heuristics-only one.
 */
async function renderFilterList() {
  const line = $('filter-list');
  try {
    const response = await fetch('filter-list.json');
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const about = await response.json();
    const hasList = typeof about.name === 'string' && typeof about.version === 'string';
    line.dataset.state = hasList ? 'easylist' : 'none';
    line.dataset.version = hasList ? about.version : '';
    line.textContent = hasList
      ? t('filterListVersion', [about.name, about.version, Number(about.rules).toLocaleString(document.documentElement.lang || 'en')])
      : t('filterListNone');
  } catch (error) {
    line.dataset.state = 'unknown';
    line.textContent = t('filterListUnknown', [String(error.message || error)]);
  }
}

async function showNotice() {
  const notice = await Settings.readNotice(api);
  $('notice').hidden = !notice;
  if (notice) $('notice-text').textContent = t('settingsRepaired', [notice.fields.join(', ')]);
}

/** Says so when the settings are kept in this browser only (too big for storage.sync). */
async function showStorageNotice() {
  const notice = await Settings.readStorageNotice(api);
  $('storage-notice').hidden = !notice;
  document.body.dataset.storage = notice ? 'local' : 'sync';
}

/** Draws everything from storage (also after another page changed the settings). */
async function refresh({ rules = false } = {}) {
  const settings = await Settings.load(api);
  await showNotice();
  await showStorageNotice();
  for (const input of categoryInputs) input.checked = settings.categories[input.value];
  const { origins = [] } = await api.permissions.getAll();
  const granted = new Set(settings.autoClean.filter((host) => Settings.originsFor(host).some((origin) => origins.includes(origin))));
  renderSites(settings, granted);
  if (document.activeElement !== $('never-touch')) $('never-touch').value = settings.neverTouch.join('\n');
  if (rules) $('rules').value = settings.rules;
  document.body.dataset.ready = 'true';
}

localize();
for (const input of categoryInputs) {
  input.addEventListener('change', async () => {
    await Settings.update(api, (settings) => {
      settings.categories = Object.fromEntries(categoryInputs.map((box) => [box.value, box.checked]));
    });
  });
}
$('never-touch-save').addEventListener('click', async () => {
  const hosts = $('never-touch').value.split(/\s+/).map(Settings.normalizeHost).filter(Boolean);
  await Settings.update(api, (settings) => { settings.neverTouch = [...new Set(hosts)]; });
  $('never-touch').value = hosts.join('\n');
  $('never-touch-status').textContent = t('optionsSaved');
});
$('rules-save').addEventListener('click', saveRules);
$('rules-export').addEventListener('click', exportRules);
$('rules-import').addEventListener('click', () => $('rules-file').click());
$('rules-file').addEventListener('change', async () => {
  const [file] = $('rules-file').files;
  if (!file) return;
  try {
    await importRules(await file.text(), file.name);
  } catch (error) {
    setRulesStatus('error', String(error.message || error));
  }
  $('rules-file').value = '';
});
$('notice-dismiss').addEventListener('click', async () => {
  await Settings.dismissNotice(api);
  $('notice').hidden = true;
});
api.storage.onChanged.addListener((changes) => {
  if (Settings.STORAGE_KEY in changes || Settings.NOTICE_KEY in changes || Settings.STORAGE_NOTICE_KEY in changes) refresh();
});
renderShortcuts();
renderFilterList();
refresh({ rules: true });
