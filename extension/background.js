// Background (Chrome service worker / Firefox event page): the one place that injects the
// cleaner into a tab. The popup and the keyboard shortcut ask it to run a command; the content
// script tells it when late widgets were removed so the badge stays right.
//
// Flow of a removal to the popup: popup.js --{type:'run'}--> here --executeScript--> content.js
// --> Rust clean() --> report --> back here (badge) --> popup.js renders it.

const api = globalThis.browser ?? globalThis.chrome;

const COMMANDS = new Set(['clean', 'undo', 'report']);
const BADGE_COLOR = '#0f766e';

// Pages no extension may script. Chrome and Firefox refuse them; say so plainly.
const RESTRICTED_SCHEMES = ['chrome:', 'chrome-extension:', 'edge:', 'about:', 'moz-extension:', 'view-source:', 'devtools:', 'chrome-search:', 'resource:', 'data:'];
const RESTRICTED_HOSTS = ['chromewebstore.google.com', 'chrome.google.com', 'addons.mozilla.org', 'microsoftedge.microsoft.com'];
const RESTRICTED_ERRORS = [
  /cannot access/i, /cannot be scripted/i, /missing host permission/i, /extensions gallery/i,
  /no permission/i, /not allowed/i, /cannot script/i,
];
const RESTRICTED_MESSAGE = 'Your browser protects this page (browser pages, extension stores and built-in viewers), so Unsponsor cannot change it.';

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

/** Runs `command` in the tab's content script; resolves to { ok, state, ... } for the popup. */
async function runInTab(tabId, command, url) {
  if (isRestrictedUrl(url)) return { ok: false, state: 'restricted', error: RESTRICTED_MESSAGE };
  try {
    await api.scripting.executeScript({ target: { tabId }, files: ['content.js'] });
    const [injection] = await api.scripting.executeScript({
      target: { tabId },
      func: (name) => globalThis.unsponsorRun(name),
      args: [command],
    });
    const result = injection && injection.result;
    if (!result || typeof result !== 'object') {
      return { ok: false, state: 'error', error: 'The page did not answer. Reload it and try again.' };
    }
    if (result.ok && result.report) await setBadge(tabId, command === 'undo' ? 0 : result.report.total);
    return { ...result, state: result.ok ? 'ok' : 'error' };
  } catch (error) {
    const message = String((error && error.message) || error);
    if (RESTRICTED_ERRORS.some((pattern) => pattern.test(message))) {
      return { ok: false, state: 'restricted', error: RESTRICTED_MESSAGE };
    }
    return { ok: false, state: 'error', error: `Unsponsor could not run on this page: ${message}` };
  }
}

// The popup (or the popup opened as a tab, as the tests do) is an extension page: its URL is
// inside the extension. Content scripts share the extension id but run at the page's URL.
function isFromOwnExtensionPage(sender) {
  return sender.id === api.runtime.id && typeof sender.url === 'string'
    && sender.url.startsWith(api.runtime.getURL(''));
}

function isFromOwnContentScript(sender) {
  return sender.id === api.runtime.id && sender.tab && Number.isInteger(sender.tab.id);
}

api.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!message || typeof message !== 'object') return false;
  if (message.type === 'run' && isFromOwnExtensionPage(sender)
      && Number.isInteger(message.tabId) && COMMANDS.has(message.command)) {
    runInTab(message.tabId, message.command, typeof message.url === 'string' ? message.url : undefined)
      .then(sendResponse);
    return true;
  }
  if (message.type === 'late-removal' && isFromOwnContentScript(sender)
      && Number.isInteger(message.total) && message.total >= 0) {
    setBadge(sender.tab.id, message.total);
  }
  return false;
});

api.commands.onCommand.addListener(async (name, tab) => {
  if (name !== 'clean-page') return;
  const target = tab && Number.isInteger(tab.id) ? tab : (await api.tabs.query({ active: true, currentWindow: true }))[0];
  if (target) await runInTab(target.id, 'clean', target.url);
});
