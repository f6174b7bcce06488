// Firefox driver for the end-to-end tests: geckodriver + plain WebDriver HTTP, Firefox ESR
// headless, the shipped extension (dist/firefox, unchanged) installed as a temporary add-on.
//
// The popup is opened the way a user opens it: a real mouse click on the extension's button in
// Firefox's toolbar. That click grants activeTab for the page's tab and shows the real popup
// panel. Both need WebDriver's Firefox-only "chrome" context (privileged browser-window scripting
// and input), which geckodriver allows only when started with --allow-system-access:
//
//  - the toolbar button is pinned to the navigation toolbar and clicked with WebDriver input
//    actions at its position (mouse move, down, up);
//  - the popup is a remote <browser> in that panel. WebDriver cannot switch to it, so code runs
//    in it through a frame script (see firefox-chrome.mjs), and its buttons are clicked with
//    input actions at their position in the browser window;
//  - the badge is read from the toolbar button, as drawn.
// Page content (the demo tab) is driven in the ordinary "content" context.

import fs from 'node:fs';
import path from 'node:path';
import { FIREFOX_ADDON_ID, FIREFOX_BINARY, VIEWPORT } from './config.mjs';
import {
  actionWidgetId,
  chromeExpression,
  closePopupInChrome,
  describePopupInChrome,
  evaluateInPopupFromChrome,
  evaluateInTabFromChrome,
  locateActionButtonInChrome,
  pinActionButtonInChrome,
  popupEvaluatorFrameScript,
  popupScreenshotInChrome,
  readBadgeInChrome,
  readWatchInChrome,
  requestStackWatcherFrameScript,
  settledPopupBoxInChrome,
  startWatchingInChrome,
  tabEvaluatorFrameScript,
} from './firefox-chrome.mjs';
import { readManifest } from './manifest.mjs';
import { CONTROL_PATH, extensionRequestReport } from './network.mjs';
import { locateButtonInPopup } from './popup.mjs';
import { Geckodriver, WebDriverSession } from './webdriver.mjs';
import { callExpression, cleanupOnInterrupt, makeTempDir, pollUntil } from './util.mjs';

/** Frame script source that lets chrome evaluate expressions in the popup. */
const POPUP_EVALUATOR = `(${popupEvaluatorFrameScript})();`;
/** How long one evaluation in the popup may take. */
const POPUP_EVALUATE_TIMEOUT_MS = 15_000;
/** Frame script source that lets chrome evaluate expressions in the selected tab's page. */
const TAB_EVALUATOR = `(${tabEvaluatorFrameScript})();`;
/** How long one evaluation in the page through that frame script may take. */
const TAB_EVALUATE_TIMEOUT_MS = 20_000;

/**
 * Who made a request Firefox recorded (see startWatchingInChrome), from its principals: the
 * extension's own pages (background, popup) load with its moz-extension:// principal, and its
 * content script's requests carry an expanded principal that includes it.
 */
export function requestMadeBy(request) {
  const principals = [request.triggeredBy, request.loadingFrom].filter(Boolean);
  if (principals.some((principal) => principal.startsWith('moz-extension://'))) return 'extension-page';
  if (principals.some((principal) => principal.includes('moz-extension://'))) return 'content-script';
  if (principals.some((principal) => /^https?:/.test(principal))) return 'page';
  return null;
}

/** Preferences for a quiet, offline, reproducible Firefox. */
function firefoxPreferences() {
  return {
    // Print page and extension console messages to stdout (forwarded by Geckodriver.start).
    'devtools.console.stdout.content': true,
    'app.update.enabled': false,
    'app.normandy.enabled': false,
    'browser.shell.checkDefaultBrowser': false,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.newtabpage.enabled': false,
    'browser.safebrowsing.malware.enabled': false,
    'browser.safebrowsing.phishing.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'datareporting.healthreport.uploadEnabled': false,
    'toolkit.telemetry.enabled': false,
    'extensions.update.enabled': false,
    'extensions.getAddons.cache.enabled': false,
    'network.captive-portal-service.enabled': false,
    // Firefox's own background services. The test records every request the browser makes and
    // fails on any that leaves 127.0.0.1, so Firefox itself must stay quiet; these are the
    // services Mozilla's own test profiles silence the same way.
    'services.settings.server': 'data:,#remote-settings-dummy/v1',
    'dom.push.connection.enabled': false,
    'network.connectivity-service.enabled': false,
    'browser.region.network.url': '',
    'browser.region.update.enabled': false,
    'browser.search.update': false,
    'extensions.blocklist.enabled': false,
    'media.gmp-manager.url': '',
    'geo.provider.network.url': '',
    'identity.fxaccounts.enabled': false,
    'browser.newtabpage.activity-stream.feeds.section.topstories': false,
    'browser.newtabpage.activity-stream.feeds.system.topstories': false,
    'browser.topsites.contile.enabled': false,
    'app.shield.optoutstudies.enabled': false,
    'network.trr.mode': 5,
  };
}

export class FirefoxDriver {
  /**
   * Starts geckodriver and Firefox, installs the extension from `extensionDir` as it is, and pins
   * its button to the toolbar. Always pair with `close()` so Firefox, geckodriver and the
   * temporary profile go away.
   *
   * To close and reopen the browser on one profile (the restart test): `profileDir` is a profile
   * folder Firefox uses in place (`-profile`, which geckodriver then neither copies nor removes),
   * and `addon` says how the add-on gets there: 'temporary' (the default, from `extensionDir`; a
   * temporary add-on is uninstalled, with its storage, when Firefox quits), 'permanent' (the
   * packaged add-on `xpi`, installed into the profile like a user's add-on, which needs the
   * preference xpinstall.signatures.required=false: an unsigned build, honoured by ESR), or
   * 'installed' (already in `profileDir` from an earlier run: nothing is installed, the test
   * waits for it to be running).
   */
  static async launch({ extensionDir, geckodriverBinary, log, preferences = {}, profileDir = null, addon = 'temporary', xpi = null }) {
    const driver = new FirefoxDriver(log);
    driver.stopWatchingInterrupts = cleanupOnInterrupt(() => driver.close());
    try {
      const manifest = readManifest(extensionDir);
      driver.addonId = manifest.browser_specific_settings?.gecko?.id ?? FIREFOX_ADDON_ID;
      driver.widgetId = actionWidgetId(driver.addonId);
      driver.popupPath = manifest.action?.default_popup ?? 'popup.html';
      driver.profileRoot = makeTempDir('unsponsor-e2e-firefox-profile-');
      driver.geckodriver = await Geckodriver.start({
        binary: geckodriverBinary,
        profileRoot: driver.profileRoot.dir,
        log,
        // Chrome-context scripting and input (toolbar button, popup panel). geckodriver passes
        // -remote-allow-system-access to Firefox; geckodriver 0.37.1 refuses that argument in
        // moz:firefoxOptions ("can't be set via capabilities").
        args: ['--allow-system-access'],
        // Release builds honour services.settings.server (see firefoxPreferences) only with this set.
        env: { MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' },
      });
      driver.session = await WebDriverSession.create(driver.geckodriver.url, {
        browserName: 'firefox',
        'moz:firefoxOptions': {
          binary: FIREFOX_BINARY,
          args: ['-headless', ...(profileDir ? ['-profile', profileDir] : [])],
          prefs: { ...firefoxPreferences(), ...preferences },
        },
      });
      await driver.session.setTimeouts({ script: 30_000, pageLoad: 30_000 });
      await driver.session.setWindowRect({ width: VIEWPORT.width, height: VIEWPORT.height });
      // Record requests and dialogs from here on, before the add-on exists (see watched()).
      await driver.chrome(chromeExpression(startWatchingInChrome, `(${requestStackWatcherFrameScript})();`));
      let installed;
      if (addon === 'installed') {
        installed = await pollUntil(
          () => driver.chrome(`(() => { const policy = WebExtensionPolicy.getByID(${JSON.stringify(driver.addonId)}); return policy && policy.active ? policy.id : false; })()`),
          { timeoutMs: 15_000, message: `the add-on ${driver.addonId} installed in the profile to be running` },
        );
      } else if (addon === 'permanent') {
        installed = await driver.session.installAddon(xpi, { temporary: false });
      } else {
        installed = await driver.session.installAddon(extensionDir);
      }
      if (installed !== driver.addonId) throw new Error(`installed add-on ${installed}, expected ${driver.addonId}`);
      const pinned = await pollUntil(
        async () => {
          const result = await driver.chrome(chromeExpression(pinActionButtonInChrome, driver.widgetId));
          return result.error ? false : result;
        },
        { timeoutMs: 10_000, message: `the toolbar button ${driver.widgetId} to be pinned` },
      );
      log(`Firefox ${driver.session.capabilities.browserVersion}; add-on ${installed} (${addon === 'temporary' ? extensionDir : addon === 'permanent' ? xpi : `already in ${profileDir}`}); button "${pinned.label}" in ${pinned.area}`);
      return driver;
    } catch (error) {
      await driver.close();
      throw error;
    }
  }

  constructor(log) {
    this.log = log;
    this.context = 'content';
  }

  async useContext(context) {
    if (this.context === context) return;
    await this.session.setContext(context);
    this.context = context;
  }

  /** Evaluates an expression in the browser window's chrome (privileged). */
  async chrome(expression) {
    await this.useContext('chrome');
    return this.session.evaluate(expression);
  }

  /** Evaluates an expression in the selected tab's page. */
  async content(expression) {
    await this.useContext('content');
    return this.session.evaluate(expression);
  }

  /**
   * Evaluates an expression in the selected tab's page through a frame script (see
   * tabEvaluatorFrameScript): with `xrays`, in an Xray sandbox that sees the DOM's own methods and
   * none of the page's replacements; without, with the page's own view of its window.
   */
  tab(expression, { xrays, filename }) {
    return this.chrome(chromeExpression(evaluateInTabFromChrome, TAB_EVALUATOR, expression, TAB_EVALUATE_TIMEOUT_MS, xrays, filename ?? null));
  }

  /**
   * Loads a page in the (only) tab, which stays selected (WebDriver waits for the load event). Its
   * `evaluate` runs through WebDriver in the page, or, with `isolated: true`, in an Xray sandbox
   * where the page's scripts cannot have replaced any function the probe uses.
   * `evaluateMainWorld` sees the page's window as its scripts do.
   */
  async openPage(url, { isolated = false } = {}) {
    await this.useContext('content');
    await this.session.navigate(url);
    return {
      url: await this.session.currentUrl(),
      evaluate: isolated ? (expression) => this.tab(expression, { xrays: true }) : (expression) => this.content(expression),
      evaluateMainWorld: (expression) => this.tab(expression, { xrays: false }),
    };
  }

  async closePage() {
    await this.useContext('content');
    await this.session.navigate('about:blank');
  }

  /** Clicks at (x, y) CSS pixels of the browser window, with real mouse input. */
  async clickInChrome(x, y) {
    await this.useContext('chrome');
    await this.session.clickAt(x, y);
  }

  /**
   * Opens the popup for the page's tab like a user: a mouse click on the extension's toolbar
   * button, which grants activeTab and shows the popup panel. Checks that the extension had no
   * access to the freshly loaded page before the first click and holds the activeTab grant after it.
   */
  async openPopup(page) {
    await this.closePopup();
    const button = await pollUntil(
      async () => {
        const located = await this.chrome(chromeExpression(locateActionButtonInChrome, this.widgetId, this.addonId));
        return located.error ? false : located;
      },
      { timeoutMs: 10_000, message: `the toolbar button ${this.widgetId} to be clickable` },
    );
    if (button.tabUrl !== page.url) throw new Error(`the selected tab shows ${button.tabUrl}, not ${page.url}`);
    // A freshly loaded page must be out of the extension's reach until the click. (Once granted,
    // activeTab lasts until the tab navigates, so a re-opened popup finds it still there.)
    // (Unless the reader granted this site for auto-clean: the reader tests set page.expectHostAccess.)
    if (button.hostAccess && !page.expectHostAccess) throw new Error(`the extension has host access to ${page.url}; it should need the toolbar click`);
    if (button.activeTab && !page.toolbarClicked) throw new Error(`the extension holds activeTab for ${page.url} before any toolbar click`);
    page.toolbarClicked = true;
    await this.clickInChrome(button.x, button.y);

    let shown;
    await pollUntil(
      async () => {
        shown = await this.chrome(chromeExpression(describePopupInChrome, this.addonId));
        return Boolean(shown?.loaded && shown.box.width > 0 && shown.box.height > 0);
      },
      { timeoutMs: 10_000, message: 'the popup panel to open after the toolbar click', describe: () => JSON.stringify(shown) },
    );
    if (!shown.activeTab) throw new Error(`the toolbar click did not grant activeTab for ${page.url}`);
    if (!shown.url.split(/[?#]/)[0].endsWith(`/${this.popupPath}`)) throw new Error(`the toolbar panel shows ${shown.url}, expected ${this.popupPath}`);
    this.log(`toolbar button clicked: popup ${shown.url} in #${shown.panel}, ${Math.round(shown.box.width)}x${Math.round(shown.box.height)}, activeTab granted`);
    // The popup's scripts may still be starting; every reader polls, so nothing waits here.

    const evaluate = (expression) =>
      this.chrome(chromeExpression(evaluateInPopupFromChrome, this.addonId, POPUP_EVALUATOR, expression, POPUP_EVALUATE_TIMEOUT_MS));
    return {
      evaluate,
      /** Real mouse click on the centre of a popup button (the scenario has waited for it to be clickable). */
      click: async (selector) => {
        const settledBox = async () => {
          const settled = await this.chrome(chromeExpression(settledPopupBoxInChrome, this.addonId));
          return settled.error ? false : settled;
        };
        let problem;
        const { box, target } = await pollUntil(
          async () => {
            // Locate the button inside a panel that did not move or resize meanwhile.
            const before = await settledBox();
            const located = before && (await evaluate(callExpression(locateButtonInPopup, selector)));
            const after = located && (await settledBox());
            problem = !before || !after ? 'the popup panel is resizing' : located.error;
            if (problem || JSON.stringify(before) !== JSON.stringify(after)) return false;
            return { box: after, target: located };
          },
          { timeoutMs: 5_000, message: `${selector} to be clickable in a settled popup panel`, describe: () => problem },
        );
        if (!(target.x >= 0 && target.x < box.width && target.y >= 0 && target.y < box.height)) {
          throw new Error(`${selector} at (${target.x}, ${target.y}) is outside the popup's ${box.width}x${box.height} viewport`);
        }
        await this.clickInChrome(box.x + target.x, box.y + target.y);
      },
      isOpen: async () => Boolean(await this.chrome(chromeExpression(describePopupInChrome, this.addonId))),
      screenshot: async (file) => {
        const dataUrl = await this.chrome(chromeExpression(popupScreenshotInChrome, this.addonId));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
      },
    };
  }

  /** Closes the popup panel, if one is open, and waits until it is gone. */
  async closePopup() {
    if (!this.session) return;
    await pollUntil(() => this.chrome(chromeExpression(closePopupInChrome, this.addonId)), {
      timeoutMs: 5_000,
      message: 'the popup panel to close',
    });
  }

  /**
   * Everything recorded in the browser since launch: `requests` (every HTTP(S) request of pages,
   * popup, extension and Firefox itself: { method, url, triggeredBy, loadingFrom, type }) and
   * `dialogs` (alert/confirm/prompt dialogs that opened anywhere in the browser).
   */
  watched() {
    return this.chrome(chromeExpression(readWatchInChrome));
  }

  /**
   * The recorded requests as RequestLog-style entries: every HTTP(S) request seen in the parent,
   * attributed with requestMadeBy(), then every one a tab's content process opened with extension
   * code on the stack (see requestStackWatcherFrameScript), attributed to the content script (or to
   * an extension page, by its principal). The latter repeat some of the former.
   */
  async requestEntries() {
    const watched = await this.watched();
    return [
      ...watched.requests.map((request) => ({
        source: `${request.topic} triggered by ${request.triggeredBy} (type ${request.type})`,
        method: request.method,
        url: request.url,
        by: requestMadeBy(request),
      })),
      ...watched.extensionStacks.map((request) => ({
        source: `tab content process, stack ${request.files.join(' < ')}, triggered by ${request.triggeredBy}`,
        method: request.method,
        url: request.url,
        by: request.triggeredBy?.startsWith('moz-extension://') ? 'extension-page' : 'content-script',
      })),
    ];
  }

  /**
   * The recorder's control: the popup (opened on `page`) fetches `${origin}${CONTROL_PATH}popup`,
   * and code named like a content script file runs `${origin}${CONTROL_PATH}content-script` in the
   * page's tab, on purpose; both must be recorded and attributed. Otherwise "the extension made no
   * request" could mean "the recorder cannot tell the extension's requests".
   */
  async makeControlRequests(page, origin) {
    const fetchExpression = (part) => `fetch(${JSON.stringify(`${origin}${CONTROL_PATH}${part}`)}).then((response) => response.status, (error) => String(error))`;
    // From the page's tab, in an Xray sandbox whose code is named like a content script file.
    await this.tab(fetchExpression('content-script'), { xrays: true, filename: 'moz-extension://unsponsor-e2e-control/content.js' });
    const popup = await this.openPopup(page);
    try {
      await popup.evaluate(fetchExpression('popup'));
      let controls = [];
      const expected = [['extension-page', 'popup'], ['content-script', 'content-script']];
      await pollUntil(
        async () => {
          controls = (await this.requestEntries()).filter((entry) => entry.url.includes(CONTROL_PATH));
          return expected.every(([by, part]) => controls.some((entry) => entry.by === by && entry.url.endsWith(`${CONTROL_PATH}${part}`)));
        },
        { timeoutMs: 10_000, message: 'the control requests to be recorded and attributed (popup: extension-page, tab: content-script)', describe: () => JSON.stringify(controls) },
      );
    } finally {
      await this.closePopup().catch(() => {});
    }
  }

  /**
   * What the extension itself requested since launch (see extensionRequestReport). Firefox's
   * recorders see HTTP(S) channels only, so the extension's own moz-extension:// files do not show,
   * and only the control requests can prove the attribution works.
   */
  async extensionRequests({ mustSee = ['extension-page', 'content-script'] } = {}) {
    return extensionRequestReport(await this.requestEntries(), { mustSee });
  }

  /** Prompt dialogs (alert, confirm, prompt) that opened since launch, anywhere in the browser. */
  async dialogs() {
    return (await this.watched()).dialogs.map((dialog) => ({ where: dialog.topic, type: 'dialog', message: dialog.text }));
  }

  /** The badge on the extension's toolbar button while the page's tab is selected. */
  badgeText(page) {
    return this.chrome(chromeExpression(readBadgeInChrome, this.widgetId, page.url));
  }

  async close() {
    this.stopWatchingInterrupts?.();
    if (this.session) await this.session.delete().catch((error) => this.log('error while closing Firefox:', error.message));
    await this.geckodriver?.stop();
    this.profileRoot?.remove();
  }
}
