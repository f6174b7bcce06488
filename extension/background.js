// Background (Chrome service worker / Firefox event page): the one place that injects the
// cleaner into a tab, applies the reader's settings to it, and changes settings on behalf of a
// page (a picked element, "Keep this"). The popup and the keyboard shortcuts ask it to run a
// command; the content script tells it when late widgets were removed so the badge stays right.
//
// Flow of a removal to the popup: popup.js --{type:'run'}--> here --executeScript--> content.js
// --> Rust clean() --> report --> back here (badge) --> popup.js renders it.
//
// Auto-clean: a site's optional host permission, granted at the reader's click on the popup's
// switch, is the switch. Granted sites get content.js + autoclean.js registered at document_idle
// (scripting.registerContentScripts), re-registered from settings and permissions at every start.
// Where ads are cleaned there, early-hide.js is registered too, at document_start: it hides
// what is certain from markup before the first paint, so no widget flashes before the clean.

if (typeof importScripts === 'function' && !globalThis.UnsponsorSettings) importScripts('settings.js', 'messages.js');

const api = globalThis.browser ?? globalThis.chrome;
const Settings = globalThis.UnsponsorSettings;
const Message = globalThis.UnsponsorMessages;
const Command = globalThis.UnsponsorCommands;

const COMMANDS = new Set([Command.CLEAN, Command.UNDO, Command.REPORT, Command.PREVIEW, Command.CLEAR_PREVIEW, Command.PICK, Command.RESTORE, Command.RECATEGORIZE]);
/** Commands that change the page: refused on a site on the "never touch" list. */
const TOUCHING_COMMANDS = new Set([Command.CLEAN, Command.PREVIEW, Command.PICK, Command.RECATEGORIZE]);
const BADGE_COLOR = '#0f766e';
const AUTO_CLEAN_SCRIPT_ID = 'unsponsor-auto-clean';
const EARLY_HIDE_SCRIPT_ID = 'unsponsor-early-hide';
const EarlyHide = globalThis.UnsponsorEarlyHide;

// Pages no extension may script. Chrome and Firefox refuse them; say so plainly.
const RESTRICTED_SCHEMES = ['chrome:', 'chrome-extension:', 'edge:', 'about:', 'moz-extension:', 'view-source:', 'devtools:', 'chrome-search:', 'resource:', 'data:'];
const RESTRICTED_HOSTS = ['chromewebstore.google.com', 'chrome.google.com', 'addons.mozilla.org', 'microsoftedge.microsoft.com'];
const RESTRICTED_ERRORS = [
  /cannot access/i, /cannot be scripted/i, /missing host permission/i, /extensions gallery/i,
  /no permission/i, /not allowed/i, /cannot script/i,
];

const message = (key, substitutions) => api.i18n.getMessage(key, substitutions) || key;

function isRestrictedUrl(url) {
  if (!url) return false;
  try {
    const parsed = new URL(url);
    return RESTRICTED_SCHEMES.includes(parsed.protocol) || RESTRICTED_HOSTS.includes(parsed.hostname);
  } catch {
    return false;
  }
}

async function setBadge(tabId, total) {
  try {
    await api.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOR });
    await api.action.setBadgeText({ tabId, text: total > 0 ? String(total) : '' });
  } catch {
    // The tab may have closed meanwhile; nothing to show then.
  }
}

// ----- the picker: armed per tab by the popup, so only a pick the reader started saves a rule -----

const pickerArea = api.storage.session ?? null;
const armedPickers = new Map(); // tabId -> host, where storage.session is missing

async function armPicker(tabId, host) {
  if (pickerArea) await pickerArea.set({ [`picker:${tabId}`]: host });
  else armedPickers.set(tabId, host);
}

async function armedPickerHost(tabId) {
  if (!pickerArea) return armedPickers.get(tabId) ?? null;
  const stored = await pickerArea.get(`picker:${tabId}`);
  return stored[`picker:${tabId}`] ?? null;
}

async function disarmPicker(tabId) {
  if (pickerArea) await pickerArea.remove(`picker:${tabId}`);
  else armedPickers.delete(tabId);
}

/** Appends a generated site rule to the reader's list; returns the line, or null if refused. */
async function saveSiteRule(host, selector, exception) {
  const line = Settings.siteRuleLine(host, selector, { exception });
  if (!line) return null;
  await Settings.update(api, (settings) => {
    settings.rules = Settings.appendRuleLine(settings.rules, line);
  });
  return line;
}

// ----- cleaned tabs: where a change of the global categories re-cleans at once -----
//
// The tabs a clean ran in during this browser session (storage.session, so the list outlives the
// service worker's sleep; memory where it is missing), each with its URL and the categories last
// applied there. A tab that navigates or closes drops out: the extension's access to it (activeTab)
// ends there too. A change of the settings re-cleans (or restores) every listed tab whose site has
// no choice of its own and whose categories changed, through the same command as the popup's
// category toggles ('recategorize').

const CLEANED_TABS_KEY = 'cleanedTabs';
const tabsArea = api.storage.session ?? null;
let cleanedTabsInMemory = {};
let cleanedTabsQueue = Promise.resolve();

async function readCleanedTabs() {
  if (!tabsArea) return { ...cleanedTabsInMemory };
  const stored = await tabsArea.get(CLEANED_TABS_KEY);
  const value = stored && stored[CLEANED_TABS_KEY];
  return isPlainObject(value) ? value : {};
}

async function writeCleanedTabs(tabs) {
  if (tabsArea) await tabsArea.set({ [CLEANED_TABS_KEY]: tabs });
  else cleanedTabsInMemory = tabs;
}

/** Changes the list of cleaned tabs, one change at a time: `change(tabs)` mutates it. */
function changeCleanedTabs(change) {
  cleanedTabsQueue = cleanedTabsQueue.then(async () => {
    const tabs = await readCleanedTabs();
    if ((await change(tabs)) === false) return;
    await writeCleanedTabs(tabs);
  }).catch((error) => console.warn('Unsponsor: could not update the cleaned tabs', error));
  return cleanedTabsQueue;
}

function rememberCleanedTab(tabId, url, categories) {
  if (!Number.isInteger(tabId) || typeof url !== 'string') return Promise.resolve();
  return changeCleanedTabs((tabs) => { tabs[tabId] = { url, categories: { ...categories } }; });
}

function forgetCleanedTab(tabId) {
  return changeCleanedTabs((tabs) => {
    if (!(tabId in tabs)) return false;
    delete tabs[tabId];
    return true;
  });
}

const sameCategories = (a, b) => Settings.CATEGORIES.every((category) => Boolean(a?.[category]) === Boolean(b?.[category]));

/**
 * After a settings change: every cleaned tab whose site has no categories of its own, and whose
 * categories are no longer the global ones, is cleaned again with them (blocks of a category
 * switched on go, those of one switched off come back). A tab out of reach is dropped silently.
 */
function applyGlobalCategories() {
  return changeCleanedTabs(async (tabs) => {
    const settings = await Settings.load(api);
    let changed = false;
    for (const [key, entry] of Object.entries(tabs)) {
      const tabId = Number(key);
      const host = isPlainObject(entry) ? Settings.hostOf(entry.url) : null;
      if (!host) {
        delete tabs[key];
        changed = true;
        continue;
      }
      if (Object.prototype.hasOwnProperty.call(settings.sites, host)) continue; // its own choice rules there
      if (sameCategories(entry.categories, settings.categories)) continue;
      const result = await runInTab(tabId, Command.RECATEGORIZE, entry.url, {}, { track: false });
      if (result.ok) entry.categories = { ...settings.categories };
      else delete tabs[key]; // closed, navigated away, paused ("never touch") or out of reach
      changed = true;
    }
    return changed;
  });
}

/** How many copies of its page one command may hand back to be judged (runInTab). */
const MAX_RELAYS = 2;

/** Calls content.js's unsponsorRun in the tab (injected first): its answer. */
async function callInTab(tabId, command, options) {
  const [injection] = await api.scripting.executeScript({
    target: { tabId },
    func: (name, commandOptions) => globalThis.unsponsorRun(name, commandOptions),
    args: [command, options],
  });
  return injection && injection.result;
}

/** Runs `command` in the tab's content script; resolves to { ok, state, ... } for the popup. */
async function runInTab(tabId, command, url, extra = {}, { track = true } = {}) {
  if (isRestrictedUrl(url)) return { ok: false, state: 'restricted', error: message('restricted') };
  const settings = await Settings.load(api);
  const host = Settings.hostOf(url);
  if (TOUCHING_COMMANDS.has(command) && Settings.isNeverTouched(settings, host)) {
    return { ok: false, state: 'paused', error: message('neverTouchActive', [host ?? '']) };
  }
  const options = { ...Settings.cleanOptionsFor(settings, host), ...extra };
  try {
    await api.scripting.executeScript({ target: { tabId }, files: ['messages.js', 'removal.js', 'content.js'] });
    if (command === Command.PICK) await armPicker(tabId, host);
    let result = await callInTab(tabId, command, options);
    // A command judged outside the tab hands its copy of the page back here (content.js, "a
    // command's copy, judged through the background"): judged, and the answer sent to the tab,
    // whose answer is the command's (a clean, a preview or a category change hands back one copy).
    for (let round = 0; round < MAX_RELAYS && isPlainObject(result) && result.ok && isPlainObject(result.judge); round += 1) {
      const answer = await judgeRequest(result.judge, result.judge.url);
      result = await callInTab(tabId, Command.JUDGED, { ticket: result.ticket, answer });
    }
    if (!result || typeof result !== 'object' || result.judge) {
      return { ok: false, state: 'error', error: message('noAnswer') };
    }
    if (result.ok && command === Command.RESTORE && extra.keep && typeof result.selector === 'string') {
      result.savedRule = await saveSiteRule(host, result.selector, true);
    }
    if (result.ok && result.report) await setBadge(tabId, result.report.total);
    if (result.ok && command === Command.UNDO) await setBadge(tabId, 0);
    if (track && result.ok && (command === Command.CLEAN || (command === Command.RECATEGORIZE && result.recleaned))) {
      await rememberCleanedTab(tabId, url, options.categories);
    }
    if (track && result.ok && command === Command.UNDO) await forgetCleanedTab(tabId);
    return { ...result, state: result.ok ? 'ok' : 'error' };
  } catch (error) {
    const text = String((error && error.message) || error);
    if (RESTRICTED_ERRORS.some((pattern) => pattern.test(text))) {
      return { ok: false, state: 'restricted', error: message('restricted') };
    }
    return { ok: false, state: 'error', error: message('couldNotRun', [text]) };
  }
}

// ----- auto-clean: registered content scripts for granted sites -----

let registrationQueue = Promise.resolve();

/** Registers `script` for its matches, updates it, or unregisters it when nothing matches. */
async function registerScript(script) {
  const existing = await api.scripting.getRegisteredContentScripts({ ids: [script.id] });
  if (script.matches.length === 0) {
    if (existing.length > 0) await api.scripting.unregisterContentScripts({ ids: [script.id] });
  } else if (existing.length > 0) {
    await api.scripting.updateContentScripts([script]);
  } else {
    await api.scripting.registerContentScripts([script]);
  }
}

/** Brings the registered auto-clean scripts in line with settings and granted permissions. */
function syncAutoClean() {
  registrationQueue = registrationQueue.then(async () => {
    const settings = await Settings.load(api);
    const { origins = [] } = await api.permissions.getAll();
    const granted = new Set(origins);
    const hosts = settings.autoClean.filter((host) => !Settings.isNeverTouched(settings, host));
    const originsOf = (list) => list.flatMap(Settings.originsFor).filter((origin) => granted.has(origin));
    const withAds = hosts.filter((host) => Settings.categoriesFor(settings, host).ads);
    await registerScript({ id: EARLY_HIDE_SCRIPT_ID, matches: originsOf(withAds), js: ['messages.js', 'early-rules.js', 'early-hide.js'], runAt: 'document_start', allFrames: false });
    await registerScript({ id: AUTO_CLEAN_SCRIPT_ID, matches: originsOf(hosts), js: ['messages.js', 'removal.js', 'content.js', 'autoclean.js'], runAt: 'document_idle', allFrames: false });
  }).catch((error) => console.warn('Unsponsor: could not update auto-clean', error));
  return registrationQueue;
}

/** Hosts of our optional permission in a permissions object ({ origins }). */
function hostsOfOrigins(origins = []) {
  const hosts = new Set();
  for (const origin of origins) {
    const match = /^https?:\/\/([^/*]+)\/\*$/.exec(origin);
    const host = match && Settings.normalizeHost(match[1]);
    if (host) hosts.add(host);
  }
  return [...hosts];
}

async function setAutoClean(hosts, on) {
  if (hosts.length === 0) return;
  await Settings.update(api, (settings) => {
    const listed = new Set(settings.autoClean);
    for (const host of hosts) {
      if (on) listed.add(host);
      else listed.delete(host);
    }
    settings.autoClean = [...listed];
  });
  await syncAutoClean();
}

async function isGranted(host) {
  return api.permissions.contains({ origins: Settings.originsFor(host) });
}

// A grant of the optional permission only ever comes from the auto-clean switch (or the reader
// granting the site in the browser's own settings): either way it means "clean this site".
api.permissions.onAdded.addListener((permissions) => setAutoClean(hostsOfOrigins(permissions.origins), true));
api.permissions.onRemoved.addListener((permissions) => setAutoClean(hostsOfOrigins(permissions.origins), false));
api.storage.onChanged.addListener((changes, areaName) => {
  if (areaName === 'session' || !(Settings.STORAGE_KEY in changes)) return;
  // The early stylesheets kept per site were made with the settings before: each is made again
  // by the site's next automatic clean.
  api.storage.local.remove(EarlyHide.CACHE_KEY).catch(() => {});
  syncAutoClean();
  applyGlobalCategories();
});
api.runtime.onStartup?.addListener(() => syncAutoClean());
api.runtime.onInstalled.addListener(() => syncAutoClean());
syncAutoClean();

// ----- the judge: the core, outside the tabs (judge.js) -----
//
// A tab's first clean does not load the core into the tab: content.js sends the page's text
// here (Message.JUDGE), and the core judges a copy of it, loaded once per browser session. In
// Chrome the core runs in an offscreen document (a service worker has no DOM to parse a page
// into); Firefox's background page has one, and runs it itself.

const OFFSCREEN_PAGE = 'offscreen.html';
/** The longest page text judged outside the tab (characters); a longer one is cleaned in its tab. */
const JUDGE_MAX_CHARS = 32 * 1024 * 1024;
/** The most parts a late pass's copy may name (content.js's LATE_MAX_ROOTS). */
const JUDGE_MAX_ROOTS = 2000;
/** How long a command's copy waits for the judge (content.js waits as long for its own messages). */
const JUDGE_WAIT_MS = 10_000;
let offscreenMade = null;

/** Chrome: the offscreen document, made at the first request (and again if it was closed). */
function offscreenDocument() {
  offscreenMade ??= (async () => {
    if (await api.offscreen.hasDocument()) return;
    await api.offscreen.createDocument({ url: OFFSCREEN_PAGE, reasons: ['DOM_PARSER'], justification: 'The page is judged in an inert copy, outside its tab.' });
  })();
  offscreenMade.finally(() => { offscreenMade = null; }).catch(() => {});
  return offscreenMade;
}

/** Whether `request` is a page to judge as content.js sends it (Message.JUDGE). */
function isJudgeRequest(request) {
  return typeof request.html === 'string' && request.html.length <= JUDGE_MAX_CHARS && typeof request.rules === 'string'
    && (request.categories === undefined || isPlainObject(request.categories)) && typeof request.early === 'boolean'
    && (request.roots === undefined || (Array.isArray(request.roots) && request.roots.length <= JUDGE_MAX_ROOTS
      && request.roots.every((index) => Number.isInteger(index) && index >= 0)));
}

/**
 * A copy a command handed back (runInTab): judge.js's answer, or why there is none, at the
 * latest after JUDGE_WAIT_MS (the tab then cleans the page itself, as content.js does when its
 * own message goes unanswered).
 */
async function judgeRequest(request, url) {
  if (!isJudgeRequest(request) || typeof url !== 'string') return { ok: false, error: 'the copy of the page was not usable' };
  let timer = 0;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, error: 'the judge did not answer' }), JUDGE_WAIT_MS);
  });
  try {
    return await Promise.race([judge(request, url), late]);
  } catch (error) {
    return { ok: false, error: String((error && error.message) || error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Judges the page of `url` (the request of content.js): judge.js's answer. */
async function judge(request, url) {
  const copy = { html: request.html, url, categories: request.categories, rules: request.rules, early: request.early, roots: request.roots };
  if (api.offscreen) {
    await offscreenDocument();
    const answer = await api.runtime.sendMessage({ type: Message.JUDGE_COPY, ...copy });
    return answer ?? { ok: false, error: 'the offscreen document did not answer' };
  }
  if (typeof DOMParser === 'function') {
    const { judgePage } = await import('./judge.js'); // (Firefox's background page is a document)
    return judgePage(copy);
  }
  return { ok: false, error: 'this browser cannot judge a page outside its tab' };
}

// ----- messages -----

// The popup and options page are extension pages: their URL is inside the extension. Content
// scripts share the extension id but run at the page's URL.
function isFromOwnExtensionPage(sender) {
  return sender.id === api.runtime.id && typeof sender.url === 'string'
    && sender.url.startsWith(api.runtime.getURL(''));
}

function isFromOwnContentScript(sender) {
  return sender.id === api.runtime.id && sender.tab && Number.isInteger(sender.tab.id)
    && typeof sender.url === 'string' && !sender.url.startsWith(api.runtime.getURL(''));
}

const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Messages of extension pages (popup, options). Returns a promise of the answer, or null if invalid. */
function handlePageMessage(request) {
  switch (request.type) {
    case Message.RUN: {
      if (!Number.isInteger(request.tabId) || !COMMANDS.has(request.command)) return null;
      const extra = {};
      if (request.command === Command.RESTORE) {
        if (!Number.isInteger(request.index) || request.index < 0 || typeof request.keep !== 'boolean') return null;
        extra.index = request.index;
        extra.keep = request.keep;
      }
      return runInTab(request.tabId, request.command, typeof request.url === 'string' ? request.url : undefined, extra);
    }
    case Message.AUTO_CLEAN: {
      const host = Settings.normalizeHost(request.host);
      if (!host || typeof request.on !== 'boolean') return null;
      return (async () => {
        if (request.on && !(await isGranted(host))) return { ok: false, granted: false };
        await setAutoClean([host], request.on);
        return { ok: true, granted: request.on };
      })();
    }
    case Message.AUTO_CLEAN_STATE: {
      const host = Settings.normalizeHost(request.host);
      if (!host) return null;
      return (async () => {
        const settings = await Settings.load(api);
        return { ok: true, granted: await isGranted(host), listed: settings.autoClean.includes(host) };
      })();
    }
    default:
      return null;
  }
}

/** Messages of our content scripts. The page cannot send these, but its content can steer the script: answers are limited to the sender's own site. */
function handleContentMessage(request, sender) {
  const tabId = sender.tab.id;
  const host = Settings.hostOf(sender.url);
  switch (request.type) {
    case Message.LATE_REMOVAL:
      if (!Number.isInteger(request.total) || request.total < 0) return null;
      setBadge(tabId, request.total);
      return null;
    case Message.AUTO_OPTIONS:
      return (async () => {
        const settings = await Settings.load(api);
        if (!host || !settings.autoClean.includes(host) || Settings.isNeverTouched(settings, host) || !(await isGranted(host))) {
          return { ok: false };
        }
        const options = Settings.cleanOptionsFor(settings, host);
        await rememberCleanedTab(tabId, sender.url, options.categories);
        return { ok: true, options };
      })();
    case Message.PICKED:
      if (typeof request.selector !== 'string' || request.selector.length > 900) return null;
      return (async () => {
        const armed = await armedPickerHost(tabId);
        if (!armed || armed !== host) return { ok: false };
        const line = await saveSiteRule(host, request.selector, false);
        return { ok: Boolean(line), line };
      })();
    case Message.PICKER_CLOSED:
      disarmPicker(tabId);
      return null;
    case Message.JUDGE:
      if (!isJudgeRequest(request)) return null;
      return judge(request, sender.url);
    default:
      return null;
  }
}

api.runtime.onMessage.addListener((request, sender, sendResponse) => {
  if (!isPlainObject(request) || typeof request.type !== 'string') return false;
  let answer = null;
  if (isFromOwnExtensionPage(sender)) answer = handlePageMessage(request);
  else if (isFromOwnContentScript(sender)) answer = handleContentMessage(request, sender);
  if (!answer) return false;
  answer.then(sendResponse, (error) => sendResponse({ ok: false, state: 'error', error: String(error && error.message || error) }));
  return true;
});

api.tabs.onUpdated?.addListener((tabId, change) => {
  if (change.status === 'loading') disarmPicker(tabId).catch(() => {});
  // A new page (or a new URL: change.url is only there where the extension may read it).
  if (change.status === 'loading' || typeof change.url === 'string') forgetCleanedTab(tabId);
});
api.tabs.onRemoved?.addListener((tabId) => forgetCleanedTab(tabId));

/** How long a shortcut pressed during a navigation waits for the new page to finish loading. */
const LOAD_WAIT_MS = 15_000;

/**
 * The tab once its page has loaded (at once when it has). A shortcut pressed right after a
 * navigation must act on the new page, whose address the tab reports only as it loads; acting at
 * once would run on the page going away, or fail on the one not yet there.
 */
function whenLoaded(tabId) {
  return new Promise((resolve) => {
    let timer = null;
    const finish = (tab) => {
      api.tabs.onUpdated.removeListener(onUpdated);
      clearTimeout(timer);
      resolve(tab);
    };
    const onUpdated = (updatedId, change, tab) => {
      if (updatedId === tabId && change.status === 'complete') finish(tab);
    };
    // Listening before asking, so a load that completes in between is not missed.
    api.tabs.onUpdated.addListener(onUpdated);
    timer = setTimeout(() => api.tabs.get(tabId).then(finish, () => finish(null)), LOAD_WAIT_MS);
    api.tabs.get(tabId).then((tab) => {
      if (tab.status === 'complete') finish(tab);
    }, () => finish(null));
  });
}

api.commands.onCommand.addListener(async (name, tab) => {
  const command = { 'clean-page': Command.CLEAN, 'undo-page': Command.UNDO }[name];
  if (!command) return;
  const pressed = tab && Number.isInteger(tab.id) ? tab : (await api.tabs.query({ active: true, currentWindow: true }))[0];
  const target = pressed && await whenLoaded(pressed.id);
  if (target) await runInTab(target.id, command, target.url);
});
