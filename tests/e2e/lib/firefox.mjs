// Firefox driver for the end-to-end tests: geckodriver + plain WebDriver HTTP, Firefox ESR
// headless, the extension installed as a temporary add-on.
//
// WebDriver cannot click the toolbar button, so the popup page is opened in its own small
// window as `popup.html?tabId=N`, targeting the demo page's tab (which stays the visible tab of
// the main window). That needs a TEST-ONLY copy of the extension, see makeTestExtensionCopy().

import fs from 'node:fs';
import path from 'node:path';
import { FIREFOX_ADDON_ID, FIREFOX_BINARY, VIEWPORT } from './config.mjs';
import { Geckodriver, WebDriverSession } from './webdriver.mjs';
import { cleanupOnInterrupt, makeTempDir, pollUntil } from './util.mjs';

/** Fixed moz-extension:// host, set through the extensions.webextensions.uuids pref. */
export const EXTENSION_UUID = '3b1c6c02-5a0e-4f5e-9d36-2d3c9e7a41f0';
const EXTENSION_ORIGIN = `moz-extension://${EXTENSION_UUID}`;
/** Test-only blank extension page used to look up tab ids with the tabs API. */
const HELPER_PAGE = 'e2e-helper.html';
/** Any page of the test server's origin will do to navigate from; a 404 page is enough. */
export const HOP_PATH = '/__e2e_blank__';
/** Size of the window the popup is shown in (about a real toolbar popup's). */
const POPUP_WINDOW = { width: 480, height: 760 };

/**
 * Copies the built extension to a temporary directory and adapts the copy for automation:
 *
 *  - `host_permissions: ["http://127.0.0.1/*"]`: a popup opened as a normal page (not from the
 *    toolbar button) gets no activeTab grant, so without this it could not script the demo tab.
 *    The real extension has no host permissions; only this copy does.
 *  - `popup.html` and a blank helper page become web-accessible to http://127.0.0.1/*: WebDriver
 *    refuses to navigate to moz-extension:// URLs, but a 127.0.0.1 page may navigate to an
 *    extension page that is web-accessible to it.
 *
 * Everything else (code, popup, content script, wasm) is the build output, unchanged.
 */
export function makeTestExtensionCopy(extensionDir) {
  const copy = makeTempDir('unsponsor-e2e-firefox-ext-');
  fs.cpSync(extensionDir, copy.dir, { recursive: true });
  const manifestPath = path.join(copy.dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  manifest.host_permissions = [...(manifest.host_permissions ?? []), 'http://127.0.0.1/*'];
  manifest.web_accessible_resources = [
    ...(manifest.web_accessible_resources ?? []),
    { resources: ['popup.html', HELPER_PAGE], matches: ['http://127.0.0.1/*'] },
  ];
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  fs.writeFileSync(path.join(copy.dir, HELPER_PAGE), '<!doctype html><meta charset="utf-8"><title>e2e helper</title>\n');
  return { ...copy, manifest };
}

/** Preferences for a quiet, offline, reproducible Firefox. */
function firefoxPreferences(addonId) {
  return {
    'extensions.webextensions.uuids': JSON.stringify({ [addonId]: EXTENSION_UUID }),
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
  };
}

export class FirefoxDriver {
  /**
   * Starts geckodriver and Firefox and installs the test copy of the extension.
   * Always pair with `close()` so Firefox, geckodriver and the temporary files go away.
   */
  static async launch({ extensionDir, geckodriverBinary, log }) {
    const driver = new FirefoxDriver(log);
    driver.stopWatchingInterrupts = cleanupOnInterrupt(() => driver.close());
    try {
      driver.extensionCopy = makeTestExtensionCopy(extensionDir);
      driver.addonId = driver.extensionCopy.manifest.browser_specific_settings?.gecko?.id ?? FIREFOX_ADDON_ID;
      driver.profileRoot = makeTempDir('unsponsor-e2e-firefox-profile-');
      driver.geckodriver = await Geckodriver.start({ binary: geckodriverBinary, profileRoot: driver.profileRoot.dir, log });
      driver.session = await WebDriverSession.create(driver.geckodriver.url, {
        browserName: 'firefox',
        'moz:firefoxOptions': { binary: FIREFOX_BINARY, args: ['-headless'], prefs: firefoxPreferences(driver.addonId) },
      });
      await driver.session.setTimeouts({ script: 30_000, pageLoad: 30_000 });
      await driver.session.setWindowRect({ width: VIEWPORT.width, height: VIEWPORT.height });
      driver.mainWindow = await driver.session.windowHandle();
      const installed = await driver.session.installAddon(driver.extensionCopy.dir);
      log(`Firefox ${driver.session.capabilities.browserVersion}; add-on ${installed} at ${EXTENSION_ORIGIN}/`);
      return driver;
    } catch (error) {
      await driver.close();
      throw error;
    }
  }

  constructor(log) {
    this.log = log;
    this.currentWindow = null;
    this.popupWindow = null;
  }

  async switchTo(handle) {
    if (this.currentWindow === handle) return;
    await this.session.switchToWindow(handle);
    this.currentWindow = handle;
  }

  async evaluateIn(handle, expression) {
    await this.switchTo(handle);
    return this.session.evaluate(expression);
  }

  /** Loads a page in the main window (WebDriver waits for the load event). */
  async openPage(url) {
    await this.switchTo(this.mainWindow);
    await this.session.navigate(url);
    return {
      url: await this.session.currentUrl(),
      tabId: null,
      evaluate: (expression) => this.evaluateIn(this.mainWindow, expression),
    };
  }

  async closePage() {
    await this.switchTo(this.mainWindow);
    await this.session.navigate('about:blank');
  }

  /**
   * Shows an extension page in the popup window, creating that window if needed. Extension pages
   * cannot be opened with WebDriver navigation; a 127.0.0.1 page navigates there instead.
   */
  async showExtensionPage(pathAndQuery, viaOrigin) {
    const handles = await this.session.windowHandles();
    if (!this.popupWindow || !handles.includes(this.popupWindow)) {
      this.popupWindow = await this.session.newWindow('window');
      await this.switchTo(this.popupWindow);
      await this.session.setWindowRect(POPUP_WINDOW);
    }
    await this.switchTo(this.popupWindow);
    const target = `${EXTENSION_ORIGIN}/${pathAndQuery}`;
    const current = await this.session.currentUrl();
    if (!current.startsWith(EXTENSION_ORIGIN)) {
      await this.session.navigate(`${viaOrigin}${HOP_PATH}`);
    }
    // Navigate after the script has returned: a navigation that unloads the document while the
    // WebDriver script is still running makes the script's result get lost.
    await this.session.evaluate(`void setTimeout(() => { location.href = ${JSON.stringify(target)}; }, 0)`);
    await pollUntil(
      async () => (await this.session.currentUrl()) === target && (await this.session.evaluate('document.readyState')) === 'complete',
      { timeoutMs: 10_000, message: `${target} to load` },
    );
  }

  /** Opens `popup.html?tabId=N` for the page's tab, in the popup window. */
  async openPopup(page) {
    const origin = new URL(page.url).origin;
    await this.showExtensionPage(HELPER_PAGE, origin);
    // Match patterns cannot contain a port, so compare the URLs here rather than in tabs.query.
    page.tabId = await this.session.evaluate(`browser.tabs.query({}).then((tabs) => tabs.find((tab) => tab.url === ${JSON.stringify(page.url)})?.id ?? null)`);
    if (page.tabId === null) throw new Error(`no tab found for ${page.url}`);
    await this.showExtensionPage(`popup.html?tabId=${page.tabId}`, origin);
    const handle = this.popupWindow;
    return {
      evaluate: (expression) => this.evaluateIn(handle, expression),
      click: async (selector) => {
        await this.switchTo(handle);
        await this.session.clickElement(await this.session.findElement(selector));
      },
      isOpen: async () => {
        if (!(await this.session.windowHandles()).includes(handle)) return false;
        await this.switchTo(handle);
        return (await this.session.currentUrl()).startsWith(`${EXTENSION_ORIGIN}/popup.html`);
      },
      screenshot: async (file) => {
        await this.switchTo(handle);
        // The popup's <body> has the popup's own width; the window around it is wider.
        const png = await this.session.elementScreenshot(await this.session.findElement('body'));
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, png);
      },
    };
  }

  async closePopup() {
    if (!this.popupWindow) return;
    if ((await this.session.windowHandles()).includes(this.popupWindow)) {
      await this.switchTo(this.popupWindow);
      await this.session.closeWindow();
    }
    this.popupWindow = null;
    this.currentWindow = null;
    await this.switchTo(this.mainWindow);
  }

  /** The toolbar badge text for the page's tab, read from an extension page. */
  async badgeText(page) {
    if (page.tabId === null) throw new Error(`tab id of ${page.url} unknown (open the popup first)`);
    const handles = await this.session.windowHandles();
    if (!this.popupWindow || !handles.includes(this.popupWindow)) await this.showExtensionPage(HELPER_PAGE, new URL(page.url).origin);
    return this.evaluateIn(this.popupWindow, `browser.action.getBadgeText({ tabId: ${Number(page.tabId)} })`);
  }

  async close() {
    this.stopWatchingInterrupts?.();
    if (this.session) await this.session.delete().catch((error) => this.log('error while closing Firefox:', error.message));
    await this.geckodriver?.stop();
    this.profileRoot?.remove();
    this.extensionCopy?.remove();
  }
}
