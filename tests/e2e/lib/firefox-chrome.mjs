// Code that runs IN FIREFOX'S BROWSER CHROME, the privileged browser window (browser.xhtml),
// reached with the Firefox-only WebDriver "chrome" context. It finds the extension's toolbar
// button, the real popup panel and the badge, and runs code inside the popup.
//
// The functions are ordinary self-contained functions sent as source text, like the in-page
// helpers (see chromeExpression). They may call the shared helpers in CHROME_HELPERS by name and
// use the globals of browser.xhtml: CustomizableUI, gBrowser, WebExtensionPolicy, window, document.

import { callExpression } from './util.mjs';

/** Id of the toolbar widget Firefox makes for an extension's action (ext-browserAction.js: makeWidgetId(id) + "-browser-action"). */
export function actionWidgetId(addonId) {
  return `${addonId.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}-browser-action`;
}

/** Runs IN CHROME. The action button inside the extension's toolbar widget, or null. */
function findActionButton(widgetId) {
  const widget = CustomizableUI.getWidget(widgetId);
  const instance = widget && widget.forWindow(window);
  return instance && instance.node ? instance.node.querySelector('.unified-extensions-item-action-button') : null;
}

/** Runs IN CHROME. The remote <browser> of the extension's popup in an open panel, or null. */
function findPopupBrowser(addonId) {
  const origin = WebExtensionPolicy.getByID(addonId).getURL('');
  return (
    [...document.querySelectorAll('browser.webextension-popup-browser')].find((browser) => {
      const panel = browser.closest('panel');
      return panel && panel.state === 'open' && browser.currentURI && browser.currentURI.spec.startsWith(origin);
    }) ?? null
  );
}

/** Runs IN CHROME. Resolves after two animation frames, so toolbar and panel updates queued before are drawn. */
function nextFrames() {
  return new Promise((resolve) => window.requestAnimationFrame(() => window.requestAnimationFrame(resolve)));
}

const CHROME_HELPERS = [findActionButton, findPopupBrowser, nextFrames];

/** An expression that calls `fn(...args)` in the chrome window, with CHROME_HELPERS in scope. */
export function chromeExpression(fn, ...args) {
  return `(() => {\n${CHROME_HELPERS.map((helper) => helper.toString()).join('\n')}\nreturn ${callExpression(fn, ...args)};\n})()`;
}

/**
 * Runs IN CHROME. Pins the extension's action to the navigation toolbar, as a user does with
 * "Pin to Toolbar" (a newly installed add-on starts in the unified extensions panel). Returns
 * where it is, or `{ error }` while the widget is not created or laid out yet.
 */
export function pinActionButtonInChrome(widgetId) {
  if (!findActionButton(widgetId)) return { error: `toolbar widget ${widgetId} does not exist yet` };
  if (CustomizableUI.getPlacementOfWidget(widgetId)?.area !== CustomizableUI.AREA_NAVBAR) {
    CustomizableUI.addWidgetToArea(widgetId, CustomizableUI.AREA_NAVBAR);
  }
  const button = findActionButton(widgetId);
  const area = CustomizableUI.getPlacementOfWidget(widgetId)?.area;
  if (area !== CustomizableUI.AREA_NAVBAR) return { error: `${widgetId} is in ${area}, not in the navigation toolbar` };
  const box = button.getBoundingClientRect();
  if (!(box.width > 0 && box.height > 0)) return { error: `${widgetId} is not laid out` };
  return { area, label: button.getAttribute('label') };
}

/**
 * Runs IN CHROME. Where to click the extension's toolbar button (its centre, in CSS pixels of the
 * browser window), and what the extension may do with the selected tab right now: `activeTab`
 * becomes true only when a user gesture on the extension grants it; `hostAccess` would be true
 * only with a host permission for the page.
 */
export function locateActionButtonInChrome(widgetId, addonId) {
  const button = findActionButton(widgetId);
  if (!button) return { error: `toolbar button of ${widgetId} not found` };
  if (button.hasAttribute('disabled')) return { error: `toolbar button of ${widgetId} is disabled` };
  if (button.closest('[overflowedItem="true"]')) return { error: `toolbar button of ${widgetId} is in the overflow menu` };
  const box = button.getBoundingClientRect();
  if (!(box.width > 0 && box.height > 0)) return { error: `toolbar button of ${widgetId} is not laid out` };
  const policy = WebExtensionPolicy.getByID(addonId);
  return {
    x: box.left + box.width / 2,
    y: box.top + box.height / 2,
    tabUrl: gBrowser.selectedBrowser.currentURI.spec,
    activeTab: Boolean(policy.extension.tabManager.hasActiveTabPermission(gBrowser.selectedTab)),
    hostAccess: policy.canAccessURI(gBrowser.selectedBrowser.currentURI),
  };
}

/**
 * Runs IN CHROME. The extension's popup as shown in its toolbar panel, or null when none is
 * open: its URL, whether its document is loaded, its box in the browser window (CSS pixels) and
 * whether the extension now holds the activeTab grant for the selected tab.
 */
export function describePopupInChrome(addonId) {
  const browser = findPopupBrowser(addonId);
  if (!browser) return null;
  const box = browser.getBoundingClientRect();
  const policy = WebExtensionPolicy.getByID(addonId);
  return {
    url: browser.currentURI.spec,
    panel: browser.closest('panel').id,
    loaded: Boolean(browser.browsingContext?.currentWindowGlobal) && !browser.webProgress?.isLoadingDocument,
    box: { x: box.x, y: box.y, width: box.width, height: box.height },
    activeTab: Boolean(policy.extension.tabManager.hasActiveTabPermission(gBrowser.selectedTab)),
  };
}

/**
 * Runs IN CHROME. The popup's box in the browser window once it has stopped moving (the panel
 * grows with the popup's content), or `{ error }`.
 */
export async function settledPopupBoxInChrome(addonId) {
  const boxOf = () => {
    const browser = findPopupBrowser(addonId);
    if (!browser) return null;
    const { x, y, width, height } = browser.getBoundingClientRect();
    return { x, y, width, height };
  };
  const before = boxOf();
  await nextFrames();
  const after = boxOf();
  if (!before || !after) return { error: 'the extension popup is not open' };
  if (JSON.stringify(before) !== JSON.stringify(after)) return { error: `the popup is still resizing: ${JSON.stringify(before)} -> ${JSON.stringify(after)}` };
  return after;
}

/**
 * Runs IN THE POPUP's frame as a frame script (privileged, in the extension's content process).
 * Evaluates the expressions chrome sends in a sandbox over the popup's window (the extension
 * page's CSP forbids eval in the page itself) and answers with their JSON value.
 */
export function popupEvaluatorFrameScript() {
  addMessageListener('unsponsor-e2e:evaluate', (message) => {
    const { id, expression } = message.data;
    const answer = (outcome) => sendAsyncMessage('unsponsor-e2e:result', { id, ...outcome });
    let pending;
    try {
      const sandbox = Cu.Sandbox(content, { sandboxPrototype: content, wantXrays: false, sandboxName: 'unsponsor e2e popup evaluator' });
      pending = Cu.evalInSandbox(
        `Promise.resolve()
          .then(() => (${expression}))
          .then((value) => JSON.stringify({ ok: true, value: value === undefined ? null : value }),
                (error) => JSON.stringify({ ok: false, error: error && error.stack ? String(error) + '\\n' + error.stack : String(error) }))`,
        sandbox,
        'latest',
        'unsponsor-e2e-popup-expression',
        1,
      );
    } catch (error) {
      answer({ ok: false, error: `could not evaluate: ${error}` });
      return;
    }
    pending.then(
      (json) => answer(JSON.parse(json)),
      (error) => answer({ ok: false, error: String(error) }),
    );
  });
}

/**
 * Runs IN CHROME. Evaluates `expression` in the extension's open popup and resolves with its
 * JSON value. The first call for a popup loads the evaluator frame script into it.
 */
export function evaluateInPopupFromChrome(addonId, frameScriptSource, expression, timeoutMs) {
  const browser = findPopupBrowser(addonId);
  if (!browser) return Promise.reject(new Error('the extension popup is not open'));
  const manager = browser.messageManager;
  window.unsponsorE2eEvaluators ??= new WeakSet();
  if (!window.unsponsorE2eEvaluators.has(manager)) {
    manager.loadFrameScript(`data:,${encodeURIComponent(frameScriptSource)}`, false);
    window.unsponsorE2eEvaluators.add(manager);
  }
  const id = `${Date.now()}-${Math.random()}`;
  return new Promise((resolve, reject) => {
    const finish = (settle) => {
      clearTimeout(timer);
      manager.removeMessageListener('unsponsor-e2e:result', listener);
      settle();
    };
    const listener = (message) => {
      if (message.data.id !== id) return;
      finish(() => (message.data.ok ? resolve(message.data.value) : reject(new Error(`in the popup: ${message.data.error}`))));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`the popup did not answer within ${timeoutMs} ms`))), timeoutMs);
    manager.addMessageListener('unsponsor-e2e:result', listener);
    manager.sendAsyncMessage('unsponsor-e2e:evaluate', { id, expression });
  });
}

/**
 * Runs IN THE SELECTED TAB's top frame as a frame script (privileged, in the page's content
 * process). Evaluates the expressions chrome sends in a sandbox over the page's window and answers
 * with their JSON value. With `xrays` the sandbox sees the page through Xray wrappers, as a
 * content script does: the DOM's own methods and the sandbox's own JavaScript built-ins, whatever
 * the page's scripts replaced, and none of the page's globals. Without, it sees the page's window
 * as the page's scripts do (its globals, and its replacements).
 */
export function tabEvaluatorFrameScript() {
  addMessageListener('unsponsor-e2e:tab-evaluate', (message) => {
    const { id, expression, xrays, filename } = message.data;
    const answer = (outcome) => sendAsyncMessage('unsponsor-e2e:tab-result', { id, ...outcome });
    let pending;
    try {
      const sandbox = Cu.Sandbox(content, { sandboxPrototype: content, wantXrays: Boolean(xrays), sandboxName: 'unsponsor e2e tab evaluator' });
      pending = Cu.evalInSandbox(
        `Promise.resolve()
          .then(() => (${expression}))
          .then((value) => JSON.stringify({ ok: true, value: value === undefined ? null : value }),
                (error) => JSON.stringify({ ok: false, error: error && error.stack ? String(error) + '\\n' + error.stack : String(error) }))`,
        sandbox,
        'latest',
        filename || 'unsponsor-e2e-tab-expression',
        1,
      );
    } catch (error) {
      answer({ ok: false, error: `could not evaluate: ${error}` });
      return;
    }
    pending.then(
      (json) => answer(JSON.parse(json)),
      (error) => answer({ ok: false, error: String(error) }),
    );
  });
}

/**
 * Runs IN CHROME. Evaluates `expression` in the selected tab's page (see tabEvaluatorFrameScript)
 * and resolves with its JSON value. The frame script stays loaded in the tab's content process
 * across navigations; it is loaded again when a navigation moved the tab to another process.
 */
export function evaluateInTabFromChrome(frameScriptSource, expression, timeoutMs, xrays, filename) {
  const browser = gBrowser.selectedBrowser;
  const manager = browser.messageManager;
  const processId = browser.browsingContext?.currentWindowGlobal?.osPid;
  if (!manager || !processId) return Promise.reject(new Error('the selected tab has no document'));
  window.unsponsorE2eTabEvaluators ??= new WeakMap(); // message manager -> process it was loaded in
  if (window.unsponsorE2eTabEvaluators.get(manager) !== processId) {
    manager.loadFrameScript(`data:,${encodeURIComponent(frameScriptSource)}`, false);
    window.unsponsorE2eTabEvaluators.set(manager, processId);
  }
  const id = `${Date.now()}-${Math.random()}`;
  return new Promise((resolve, reject) => {
    const finish = (settle) => {
      clearTimeout(timer);
      manager.removeMessageListener('unsponsor-e2e:tab-result', listener);
      settle();
    };
    const listener = (message) => {
      if (message.data.id !== id) return;
      finish(() => (message.data.ok ? resolve(message.data.value) : reject(new Error(`in the page: ${message.data.error}`))));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`the page did not answer within ${timeoutMs} ms`))), timeoutMs);
    manager.addMessageListener('unsponsor-e2e:tab-result', listener);
    manager.sendAsyncMessage('unsponsor-e2e:tab-evaluate', { id, expression, xrays, filename });
  });
}

/**
 * Runs IN CHROME. The badge the extension's toolbar button shows for the selected tab ("" for
 * none), once pending toolbar updates are drawn. Fails if the selected tab is not showing `url`.
 */
export async function readBadgeInChrome(widgetId, url) {
  await nextFrames();
  const shown = gBrowser.selectedBrowser.currentURI.spec;
  if (shown !== url) throw new Error(`the selected tab shows ${shown}, not ${url}`);
  const button = findActionButton(widgetId);
  if (!button) throw new Error(`toolbar button of ${widgetId} not found`);
  return button.getAttribute('badge') ?? '';
}

/** Runs IN CHROME. Starts closing the panel the extension's popup is in; true once none is open. */
export function closePopupInChrome(addonId) {
  const origin = WebExtensionPolicy.getByID(addonId).getURL('');
  let anyOpen = false;
  for (const browser of document.querySelectorAll('browser.webextension-popup-browser')) {
    const panel = browser.closest('panel');
    if (!panel || panel.state === 'closed' || !browser.currentURI?.spec.startsWith(origin)) continue;
    anyOpen = true;
    if (panel.state === 'open' || panel.state === 'showing') panel.hidePopup();
  }
  return !anyOpen;
}

/** Runs IN CHROME. PNG data: URL of everything the extension's open popup shows (its whole viewport). */
export async function popupScreenshotInChrome(addonId) {
  const browser = findPopupBrowser(addonId);
  if (!browser) throw new Error('the extension popup is not open');
  const bitmap = await browser.browsingContext.currentWindowGlobal.drawSnapshot(null, window.devicePixelRatio, 'white');
  const canvas = document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d').drawImage(bitmap, 0, 0);
  bitmap.close();
  return canvas.toDataURL('image/png');
}

/**
 * Runs IN CHROME. Starts recording, for the rest of the session, (1) every HTTP(S) request any
 * part of Firefox makes (pages, the extension's popup and background, Firefox itself) and (2)
 * every prompt dialog (alert, confirm, prompt) that opens, in a page or in the popup. Both are
 * observer-service notifications seen in the parent process, which runs all networking:
 * `http-on-opening-request` / `http-on-modify-request` for requests, `common-dialog-loaded` /
 * `tabmodal-dialog-loaded` for dialogs (the same topics Marionette itself watches).
 *
 * (3) With `stackWatcherSource` (requestStackWatcherFrameScript), every request made in a tab's
 * content process while extension code was running: the parent cannot tell those, since the
 * content script's requests carry the page's principal, so the frame script looks at the JS stack.
 * Idempotent; read with readWatchInChrome().
 */
export function startWatchingInChrome(stackWatcherSource) {
  if (window.unsponsorE2eWatch) return { started: false };
  const watch = { requests: [], dialogs: [], extensionStacks: [], channels: new Set(), observers: [] };
  if (stackWatcherSource) {
    window.messageManager.addMessageListener('unsponsor-e2e:extension-stack-request', (message) => watch.extensionStacks.push(message.data));
    window.messageManager.loadFrameScript(`data:,${encodeURIComponent(stackWatcherSource)}`, true); // every tab, now and later
  }
  const principalName = (principal) => {
    if (!principal) return null;
    if (principal.isSystemPrincipal) return 'system';
    if (principal.isNullPrincipal) return 'null';
    return principal.origin;
  };
  const onRequest = {
    observe(subject, topic) {
      try {
        const channel = subject.QueryInterface(Ci.nsIHttpChannel);
        if (watch.channels.has(channel.channelId)) return;
        watch.channels.add(channel.channelId);
        const info = channel.loadInfo;
        watch.requests.push({
          topic,
          method: channel.requestMethod,
          url: channel.URI.spec,
          triggeredBy: principalName(info?.triggeringPrincipal),
          loadingFrom: principalName(info?.loadingPrincipal),
          type: info ? info.externalContentPolicyType : null,
        });
      } catch (error) {
        watch.requests.push({ topic, method: '?', url: `unreadable request: ${error}` });
      }
    },
  };
  const onDialog = {
    observe(subject, topic) {
      let text = null;
      try {
        const dialogDocument = subject.document ?? subject.ownerDocument;
        text = dialogDocument?.getElementById('infoBody')?.textContent ?? null;
      } catch {
        // the dialog is reported even when its text cannot be read
      }
      watch.dialogs.push({ topic, text, at: Date.now() });
    },
  };
  for (const topic of ['http-on-opening-request', 'http-on-modify-request']) {
    Services.obs.addObserver(onRequest, topic);
    watch.observers.push([onRequest, topic]);
  }
  for (const topic of ['common-dialog-loaded', 'tabmodal-dialog-loaded']) {
    Services.obs.addObserver(onDialog, topic);
    watch.observers.push([onDialog, topic]);
  }
  window.unsponsorE2eWatch = watch;
  return { started: true };
}

/** Runs IN CHROME. What startWatchingInChrome() has recorded so far. */
export function readWatchInChrome() {
  const watch = window.unsponsorE2eWatch;
  if (!watch) throw new Error('startWatchingInChrome() was not called in this window');
  return { requests: watch.requests, dialogs: watch.dialogs, extensionStacks: watch.extensionStacks };
}

/**
 * Runs IN EVERY TAB as a frame script (privileged, in the tab's content process). Reports each
 * HTTP(S) request opened in that process while extension code (a moz-extension:// script: the
 * content script, the wasm glue) is on the JS stack, the way Firefox's DevTools find a request's
 * initiator: `http-on-opening-request` fires in the content process, synchronously inside fetch(),
 * XMLHttpRequest.send() or the element that loads, so Components.stack is the caller's stack.
 */
export function requestStackWatcherFrameScript() {
  const observer = {
    observe(subject) {
      let channel;
      try {
        channel = subject.QueryInterface(Ci.nsIHttpChannel);
      } catch {
        return;
      }
      const files = [];
      for (let frame = Components.stack; frame; frame = frame.caller || frame.asyncCaller) {
        if (frame.filename && frame.filename.startsWith('moz-extension://') && !files.includes(frame.filename)) files.push(frame.filename);
      }
      if (files.length === 0) return;
      const principal = channel.loadInfo && channel.loadInfo.triggeringPrincipal;
      sendAsyncMessage('unsponsor-e2e:extension-stack-request', {
        method: channel.requestMethod,
        url: channel.URI.spec,
        files,
        triggeredBy: principal ? (principal.isSystemPrincipal ? 'system' : principal.origin) : null,
      });
    },
  };
  Services.obs.addObserver(observer, 'http-on-opening-request');
  addEventListener('unload', (event) => {
    if (event.target === this) Services.obs.removeObserver(observer, 'http-on-opening-request');
  });
}
