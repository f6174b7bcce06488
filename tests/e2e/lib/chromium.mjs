// Chromium driver for the end-to-end tests: playwright-core drives the browser and the pages;
// the extension's toolbar button is "clicked" with CDP Extensions.triggerAction, which opens the
// real action popup with a real activeTab grant for the tab (exactly what a user click does).
//
// Playwright does not expose action popups as pages, so the popup (and the extension's service
// worker, for the badge and its network requests) is driven over raw CDP sessions attached
// through a browser-level CDP session (see TargetSession). Network requests of every frame are
// recorded with browser-level Fetch interception (see interceptAllFrameRequests), and each page's
// own requests also with CDP Network on the page, whose initiator stack tells the content script's
// requests from the page's (see openPage).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { CHROMIUM_BINARY, REPO_ROOT, VERBOSE, VIEWPORT } from './config.mjs';
import { CONTROL_PATH, extensionRequestReport } from './network.mjs';
import { locateButtonInPopup } from './popup.mjs';
import { callExpression, cleanupOnInterrupt, makeTempDir, pollUntil } from './util.mjs';

/** Flags for Chromium running as root in a container, offline. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-extension-debugging', // allows the CDP Extensions domain (triggerAction)
];

/**
 * Loads playwright-core from the repository's node_modules, or from NODE_PATH (CommonJS
 * resolution honours NODE_PATH, ES module resolution does not).
 */
export function loadPlaywright() {
  const require = createRequire(path.join(REPO_ROOT, 'package.json'));
  try {
    return require('playwright-core');
  } catch (error) {
    throw new Error(`playwright-core is not installed (run \`npm install\`, or set NODE_PATH to a node_modules holding it): ${error.message}`);
  }
}

/** Turns CDP exceptionDetails into a readable message. */
function describeException(details) {
  return details.exception?.description ?? details.exception?.value ?? details.text ?? JSON.stringify(details);
}

/** Script URLs on a CDP Network initiator's call stack, async parents included. */
function initiatorScriptUrls(initiator) {
  const urls = initiator?.url ? [initiator.url] : [];
  for (let stack = initiator?.stack; stack; stack = stack.parent) {
    for (const frame of stack.callFrames ?? []) if (frame.url) urls.push(frame.url);
  }
  return urls;
}

/**
 * Evaluates an expression through a CDP session (awaiting promises) and returns its value,
 * serialised by the browser itself (returnByValue), not by the page's JSON.stringify. In the
 * page's main world, or in the execution context `contextId` (an isolated world).
 */
async function evaluateOverCdp(cdp, expression, contextId) {
  const { result, exceptionDetails } = await cdp.send('Runtime.evaluate', {
    expression,
    awaitPromise: true,
    returnByValue: true,
    ...(contextId === undefined ? {} : { contextId }),
  });
  if (exceptionDetails) throw new Error(`page: ${describeException(exceptionDetails)}`);
  return result.value;
}

/**
 * A CDP session to one target (popup, service worker), multiplexed over a browser-level
 * Playwright CDPSession with Target.attachToTarget({ flatten: false }). Supports commands and
 * events, and knows when the target went away (popup closed).
 */
export class TargetSession {
  static async attach(browserCdp, targetId, label) {
    const { sessionId } = await browserCdp.send('Target.attachToTarget', { targetId, flatten: false });
    return new TargetSession(browserCdp, targetId, sessionId, label);
  }

  constructor(browserCdp, targetId, sessionId, label) {
    this.browserCdp = browserCdp;
    this.targetId = targetId;
    this.sessionId = sessionId;
    this.label = label;
    this.closed = false;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.onMessage = ({ sessionId: from, message }) => {
      if (from !== this.sessionId) return;
      const parsed = JSON.parse(message);
      if (parsed.id !== undefined) {
        const waiter = this.pending.get(parsed.id);
        this.pending.delete(parsed.id);
        if (!waiter) return;
        if (parsed.error) waiter.reject(new Error(`${this.label}: ${waiter.method}: ${parsed.error.message}`));
        else waiter.resolve(parsed.result);
      } else {
        for (const listener of this.listeners.get(parsed.method) ?? []) listener(parsed.params);
      }
    };
    this.onDetached = ({ sessionId: from }) => {
      if (from !== this.sessionId) return;
      this.closed = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${this.label}: target closed during ${waiter.method}`));
      this.pending.clear();
    };
    browserCdp.on('Target.receivedMessageFromTarget', this.onMessage);
    browserCdp.on('Target.detachedFromTarget', this.onDetached);
  }

  on(method, listener) {
    if (!this.listeners.has(method)) this.listeners.set(method, []);
    this.listeners.get(method).push(listener);
  }

  async send(method, params = {}) {
    if (this.closed) throw new Error(`${this.label}: target closed, cannot send ${method}`);
    const id = this.nextId++;
    const reply = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject, method }));
    // If the target closes while the message is being sent, `reply` rejects before it is awaited
    // below; mark it handled so that surfaces as this call's error, not an unhandled rejection.
    reply.catch(() => {});
    await this.browserCdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) });
    return reply;
  }

  /** Evaluates an expression (awaiting promises) and returns its JSON value. */
  async evaluate(expression) {
    const { result, exceptionDetails } = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
    if (exceptionDetails) throw new Error(`${this.label}: ${describeException(exceptionDetails)}`);
    return result.value;
  }

  /** Prints console errors/warnings and uncaught exceptions of the target. */
  async forwardConsole(log) {
    this.on('Runtime.consoleAPICalled', ({ type, args }) => {
      if (!VERBOSE && type !== 'error' && type !== 'warning' && type !== 'assert') return;
      log(`${this.label} console.${type}:`, args.map((arg) => arg.value ?? arg.description ?? arg.type).join(' '));
    });
    this.on('Runtime.exceptionThrown', ({ exceptionDetails }) => log(`${this.label} uncaught:`, describeException(exceptionDetails)));
    this.on('Log.entryAdded', ({ entry }) => {
      if (VERBOSE || entry.level === 'error') log(`${this.label} log.${entry.level}:`, entry.text, entry.url ?? '');
    });
    await this.send('Runtime.enable');
    await this.send('Log.enable');
  }

  /** Records every request the target makes into a RequestLog, as made by `by` (e.g. 'service-worker'). */
  async recordRequests(requestLog, by = null) {
    this.on('Network.requestWillBeSent', ({ request }) => requestLog.record(this.label, request.method, request.url, { by }));
    await this.send('Network.enable');
  }

  async detach() {
    if (this.closed) return;
    this.closed = true;
    this.browserCdp.off('Target.receivedMessageFromTarget', this.onMessage);
    this.browserCdp.off('Target.detachedFromTarget', this.onDetached);
    await this.browserCdp.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => {});
  }
}

export class ChromiumDriver {
  /**
   * Launches Chromium headless with the unpacked extension loaded.
   * Always pair with `close()` (in an after hook) so the browser and profile are removed.
   * `profile` ({ dir, remove }) reuses a profile, e.g. to restart the browser on the same one; its
   * owner removes it then (pass `remove: () => {}` to keep it across close()). `args` are extra
   * Chromium flags and `env` extra environment variables (e.g. a UI language: `--lang=de` with
   * LANGUAGE=de, since Chromium on Linux takes its UI language from the environment).
   * `headless: false` opens real browser windows (on the X display named by env.DISPLAY, e.g. an
   * Xvfb started by the test, see lib/xvfb.mjs): needed where the browser UI itself must act, as
   * for extension keyboard shortcuts, which headless Chromium never fires.
   */
  static async launch({ extensionDir, log, requestLog, profile = makeTempDir('unsponsor-e2e-chromium-'), args = [], env = {}, headless = true }) {
    const { chromium } = loadPlaywright();
    let context;
    const stopWatchingInterrupts = cleanupOnInterrupt(async () => {
      await context?.close();
      profile.remove();
    });
    try {
      context = await chromium.launchPersistentContext(profile.dir, {
        executablePath: CHROMIUM_BINARY,
        headless,
        viewport: VIEWPORT,
        // Our own interrupt handler closes the browser AND removes the profile.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`, ...CHROMIUM_FLAGS, ...args],
        env: { ...process.env, ...env },
      });
      const driver = new ChromiumDriver(context, profile, log, requestLog);
      driver.stopWatchingInterrupts = stopWatchingInterrupts;
      await driver.initialise();
      return driver;
    } catch (error) {
      stopWatchingInterrupts();
      await context?.close().catch(() => {});
      profile.remove();
      throw error;
    }
  }

  constructor(context, profile, log, requestLog) {
    this.context = context;
    this.profile = profile;
    this.log = log;
    this.requestLog = requestLog;
    this.workerSessions = new Map(); // service worker targetId -> TargetSession
    /** Target ids of the extension's own pages (the popup): their frames' requests are the extension's. */
    this.extensionFrameIds = new Set();
    /** Every alert/confirm/prompt/beforeunload dialog seen, in pages or in the popup (see dialogs()). */
    this.dialogLog = [];
    this.context.on('dialog', (dialog) => {
      this.dialogLog.push({ where: `page ${dialog.page()?.url() ?? '?'}`, type: dialog.type(), message: dialog.message() });
      dialog.dismiss().catch(() => {});
    });
    this.context.on('request', (request) => {
      const source = request.serviceWorker() ? 'service-worker' : request.frame()?.page() ? 'page' : 'context';
      // Playwright sees only the service workers of this context: ours is the only one with requests
      // to make, and pages have none (the demo site registers none).
      requestLog.record(source, request.method(), request.url(), { by: source === 'service-worker' ? 'service-worker' : null });
    });
  }

  async initialise() {
    const worker = this.context.serviceWorkers().find((candidate) => candidate.url().startsWith('chrome-extension://')) ??
      (await this.context.waitForEvent('serviceworker', { timeout: 15_000 }));
    this.extensionId = new URL(worker.url()).host;
    this.browserCdp = await this.context.browser().newBrowserCDPSession();
    await this.watchExtensionTargets();
    await this.interceptAllFrameRequests();
    await this.watchServiceWorker();
    this.log(`extension ${this.extensionId} loaded from ${worker.url()}`);
  }

  /**
   * Learns the target id of every page of the extension (the popup) as soon as it exists, so that
   * the frame requests recorded for it (by id, in interceptAllFrameRequests) can be attributed to
   * the extension afterwards, the popup's first subresources included.
   */
  async watchExtensionTargets() {
    const note = ({ targetInfo }) => {
      if (targetInfo.url.startsWith(`chrome-extension://${this.extensionId}/`) && targetInfo.type !== 'service_worker') {
        this.extensionFrameIds.add(targetInfo.targetId);
      }
    };
    this.browserCdp.on('Target.targetCreated', note);
    this.browserCdp.on('Target.targetInfoChanged', note);
    await this.browserCdp.send('Target.setDiscoverTargets', { discover: true });
  }

  /**
   * Records every request made by any frame (pages, and the popup from its very first
   * subresource, which a session attached after it opened would miss) with browser-level Fetch
   * interception: each request pauses, is logged, and continues unchanged. Service-worker
   * requests do not pass through it; watchServiceWorker() and Playwright's 'request' event
   * cover those.
   */
  async interceptAllFrameRequests() {
    this.browserCdp.on('Fetch.requestPaused', ({ requestId, request, resourceType, frameId }) => {
      this.requestLog.record(`frame ${resourceType}`, request.method, request.url, { frameId: frameId ?? null });
      this.browserCdp.send('Fetch.continueRequest', { requestId }).catch(() => {}); // the frame may be gone
    });
    await this.browserCdp.send('Fetch.enable', { patterns: [{ urlPattern: '*' }] });
  }

  /** Attaches (once per worker instance) to the extension's service worker for logs and requests. */
  async watchServiceWorker() {
    const { targetInfos } = await this.browserCdp.send('Target.getTargets');
    for (const target of targetInfos) {
      if (target.type !== 'service_worker' || !target.url.startsWith(`chrome-extension://${this.extensionId}/`)) continue;
      if (this.workerSessions.has(target.targetId)) continue;
      const session = await TargetSession.attach(this.browserCdp, target.targetId, 'service-worker');
      this.workerSessions.set(target.targetId, session);
      await session.forwardConsole(this.log);
      await session.recordRequests(this.requestLog, 'service-worker');
    }
  }

  /** The extension's service worker as a Playwright Worker (it may have been restarted). */
  async serviceWorker() {
    const isOurs = (worker) => worker.url().startsWith(`chrome-extension://${this.extensionId}/`);
    return this.context.serviceWorkers().find(isOurs) ?? this.context.waitForEvent('serviceworker', { predicate: isOurs, timeout: 10_000 });
  }

  /**
   * Opens `url` in a new tab and waits for its load event. The page's `evaluate` runs in the page's
   * main world (through Playwright), or, with `isolated: true`, in an isolated world of its own
   * (CDP Page.createIsolatedWorld), where the page's scripts cannot have replaced any function the
   * probe uses. `evaluateMainWorld` always runs in the main world, serialised by CDP rather than by
   * the page. `errors` collects the page's uncaught exceptions and console errors.
   *
   * A CDP Network session on the page records its requests with their initiator: a request whose
   * initiator stack holds a chrome-extension:// script was made by the content script.
   */
  async openPage(url, { isolated = false } = {}) {
    const playwrightPage = await this.context.newPage();
    const errors = [];
    playwrightPage.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
      if (VERBOSE || message.type() === 'error' || message.type() === 'warning') this.log(`page console.${message.type()}:`, message.text());
    });
    playwrightPage.on('pageerror', (error) => {
      errors.push(`uncaught: ${error.message}`);
      this.log('page uncaught:', error.message);
    });
    const cdp = await this.context.newCDPSession(playwrightPage);
    cdp.on('Network.requestWillBeSent', ({ request, initiator, type }) => {
      const byExtension = initiatorScriptUrls(initiator).some((scriptUrl) => scriptUrl.startsWith('chrome-extension://'));
      this.requestLog.record(`page network ${type ?? ''}`.trim(), request.method, request.url, { by: byExtension ? 'content-script' : 'page' });
    });
    await cdp.send('Network.enable');
    await playwrightPage.goto(url, { waitUntil: 'load' });
    await playwrightPage.bringToFront();
    const evaluateIsolated = async (expression) => {
      // A fresh world per call: it belongs to the document loaded now, whatever happened before.
      const { frameTree } = await cdp.send('Page.getFrameTree');
      const { executionContextId } = await cdp.send('Page.createIsolatedWorld', { frameId: frameTree.frame.id, worldName: 'unsponsor-e2e-probe' });
      return evaluateOverCdp(cdp, expression, executionContextId);
    };
    return {
      url: playwrightPage.url(),
      playwrightPage,
      cdp,
      errors,
      tabId: null, // the chrome.tabs id, learnt from the popup
      evaluate: isolated ? evaluateIsolated : (expression) => playwrightPage.evaluate(expression),
      evaluateMainWorld: (expression) => evaluateOverCdp(cdp, expression),
    };
  }

  async closePage(page) {
    await page.cdp?.detach().catch(() => {});
    await page.playwrightPage.close();
  }

  async targets() {
    // An empty filter entry lists every type, including the 'tab' targets triggerAction needs.
    const { targetInfos } = await this.browserCdp.send('Target.getTargets', { filter: [{}] });
    return targetInfos;
  }

  popupTargets(targets) {
    return targets.filter((target) => target.type === 'page' && target.url.startsWith(`chrome-extension://${this.extensionId}/popup.html`));
  }

  /** Clicks the extension's toolbar button for the page's tab. Returns the popup. */
  async openPopup(page) {
    // One popup at a time: a leftover one would be mistaken for the new one.
    for (const stale of this.popupTargets(await this.targets())) {
      await this.browserCdp.send('Target.closeTarget', { targetId: stale.targetId }).catch(() => {});
    }
    await pollUntil(async () => this.popupTargets(await this.targets()).length === 0, { timeoutMs: 5_000, message: 'old popups to close' });

    const tab = (await this.targets()).find((target) => target.type === 'tab' && target.url === page.url);
    if (!tab) throw new Error(`no tab target for ${page.url}`);
    await this.browserCdp.send('Extensions.triggerAction', { id: this.extensionId, targetId: tab.targetId });

    const target = await pollUntil(async () => this.popupTargets(await this.targets())[0], { timeoutMs: 10_000, message: 'the action popup to open' });
    this.extensionFrameIds.add(target.targetId);
    const session = await TargetSession.attach(this.browserCdp, target.targetId, 'popup');
    await session.forwardConsole(this.log); // its requests are recorded by interceptAllFrameRequests()
    // Playwright does not see the popup, so its dialogs are caught over CDP (and dismissed).
    session.on('Page.javascriptDialogOpening', ({ type, message }) => {
      this.dialogLog.push({ where: 'popup', type, message });
      session.send('Page.handleJavaScriptDialog', { accept: false }).catch(() => {});
    });
    await session.send('Page.enable');
    await pollUntil(() => session.evaluate(`document.readyState === 'complete'`), { timeoutMs: 10_000, message: 'the popup document to load' });
    await this.watchServiceWorker(); // the worker may have been (re)started by the click

    // The tab the popup belongs to, seen from the extension: its id is needed for the badge. The
    // url is only visible thanks to the activeTab grant, which also proves the click "worked".
    const activeTab = await session.evaluate(`chrome.tabs.query({ active: true, currentWindow: true }).then(([tab]) => tab && { id: tab.id, url: tab.url ?? null })`);
    page.tabId = activeTab?.id ?? null;
    page.tabUrlSeenByExtension = activeTab?.url ?? null;

    const popup = {
      session,
      evaluate: (expression) => session.evaluate(expression),
      isOpen: async () => !session.closed && this.popupTargets(await this.targets()).some((candidate) => candidate.targetId === target.targetId),
      click: (selector) => this.clickInPopup(session, selector),
      screenshot: async (file) => {
        const { data } = await session.send('Page.captureScreenshot', { format: 'png' });
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, Buffer.from(data, 'base64'));
      },
    };
    return popup;
  }

  /** A real mouse click (trusted events) in the centre of a popup button. */
  async clickInPopup(session, selector) {
    const point = await session.evaluate(callExpression(locateButtonInPopup, selector));
    if (point.error) throw new Error(`cannot click ${selector} in the popup: ${point.error}`);
    const mouse = { x: point.x, y: point.y, button: 'left', clickCount: 1 };
    await session.send('Input.dispatchMouseEvent', { type: 'mouseMoved', x: point.x, y: point.y });
    await session.send('Input.dispatchMouseEvent', { type: 'mousePressed', ...mouse });
    await session.send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...mouse });
  }

  async closePopup(popup) {
    if (await popup.isOpen()) await this.browserCdp.send('Target.closeTarget', { targetId: popup.session.targetId }).catch(() => {});
    await popup.session.detach();
  }

  /**
   * The recorder's control: the popup (opened on `page`) and the service worker each fetch
   * `${origin}${CONTROL_PATH}<part>` on purpose, and both requests must be recorded and attributed
   * to them. Otherwise "the extension made no request" could mean "the recorder saw nothing".
   */
  async makeControlRequests(page, origin) {
    const popup = await this.openPopup(page);
    try {
      await popup.evaluate(`fetch(${JSON.stringify(`${origin}${CONTROL_PATH}popup`)}).then((response) => response.status, (error) => String(error))`);
      const worker = await this.serviceWorker();
      await worker.evaluate((url) => fetch(url).then((response) => response.status, (error) => String(error)), `${origin}${CONTROL_PATH}service-worker`);
      const controls = () => this.attributedRequests().filter((entry) => entry.url.includes(CONTROL_PATH));
      await pollUntil(
        () => ['popup', 'service-worker'].every((part) => controls().some((entry) => entry.by === part && entry.url.endsWith(`${CONTROL_PATH}${part}`))),
        { timeoutMs: 10_000, message: 'the control requests to be recorded and attributed to the popup and the service worker', describe: () => this.requestLog.format(controls()) },
      );
      // The content script: a page judged outside its tab loads no file, so the core is loaded
      // into this one on purpose (the command option inTab), and its file loads must be seen.
      const cleaned = await worker.evaluate(({ tabId, url }) => runInTab(tabId, 'clean', url, { inTab: true })
        .then((answer) => runInTab(tabId, 'undo', url).then(() => answer)), { tabId: page.tabId, url: page.url });
      if (!cleaned || cleaned.engine !== 'wasm') throw new Error(`the control clean in the tab did not load the core: ${JSON.stringify(cleaned)}`);
      await pollUntil(
        () => this.attributedRequests().some((entry) => entry.by === 'content-script' && entry.url.startsWith('chrome-extension://')),
        { timeoutMs: 10_000, message: 'the content script\'s own file loads to be recorded and attributed to it', describe: () => this.requestLog.format(this.attributedRequests()) },
      );
    } finally {
      await this.closePopup(popup).catch(() => {});
    }
  }

  /** Every recorded request, attributed (popup frames by their target id; see RequestLog.attributed). */
  attributedRequests() {
    return this.requestLog.attributed({ extensionFrameIds: this.extensionFrameIds });
  }

  /**
   * What the extension itself requested since launch (see extensionRequestReport), with the
   * recorder self-checks for `mustSee` (by default the popup and service worker, whose control
   * requests makeControlRequests() made, and the content script, whose own file loads it makes
   * happen).
   */
  extensionRequests({ mustSee = ['popup', 'service-worker', 'content-script'] } = {}) {
    return extensionRequestReport(this.attributedRequests(), { mustSee });
  }

  /** Dialogs (alert, confirm, prompt, beforeunload) that opened since launch, in pages or the popup. */
  async dialogs() {
    return [...this.dialogLog];
  }

  /** The toolbar badge text for the page's tab, read in the service worker. */
  async badgeText(page) {
    if (page.tabId === null) throw new Error(`tab id of ${page.url} unknown (open the popup first)`);
    if (page.tabUrlSeenByExtension !== page.url) {
      throw new Error(`the popup's active tab is ${page.tabUrlSeenByExtension}, not ${page.url}`);
    }
    const worker = await this.serviceWorker();
    return worker.evaluate((tabId) => chrome.action.getBadgeText({ tabId }), page.tabId);
  }

  async close() {
    this.stopWatchingInterrupts();
    for (const session of this.workerSessions.values()) await session.detach().catch(() => {});
    await this.context.close().catch((error) => this.log('error while closing Chromium:', error.message));
    this.profile.remove();
  }
}
