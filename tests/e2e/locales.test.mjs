// The popup and the options page in German and in French, in a real Chromium and a real Firefox
// started in that language, and the screenshots popup-de.png and popup-fr.png (in
// tests/e2e/out/screenshots; `npm run screenshots` puts them in docs/screenshots).
//
//   npm run build && node --test tests/e2e/locales.test.mjs
//
// How each browser is put in a language:
//  - Chromium on Linux takes its UI language from the environment (LANGUAGE), and --lang too; it
//    uses a language only when its resources are installed (/usr/lib/chromium/locales/de.pak,
//    Debian package chromium-l10n), else it stays in English.
//  - Firefox takes it from the preference intl.locale.requested, and only for a language whose
//    language pack is installed (Debian packages firefox-esr-l10n-de, firefox-esr-l10n-fr).
// A browser without the language's files fails the test with a message saying what to install
// (`npm test` installs them; UNSPONSOR_SKIP_MISSING_LOCALES=1 skips instead, for machines that
// cannot install packages). The
// extension picks its _locales/<lang>/messages.json from the browser's language at start, so the
// expected texts are read from the build's own message files.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { startServer } from './server.mjs';
import { CHROME_EXTENSION_DIR, DEMO_SITE_DIR, FIREFOX_BINARY, FIREFOX_EXTENSION_DIR, CHROMIUM_BINARY, SCREENSHOT_DIR, findGeckodriver, requireBuilt } from './lib/config.mjs';
import { ChromiumDriver } from './lib/chromium.mjs';
import { FirefoxDriver } from './lib/firefox.mjs';
import { RequestLog } from './lib/network.mjs';
import { cleanWithPopup, READER_PAGE_PATH, READER_TEXTS, waitForPageTexts } from './lib/reader.mjs';
import { logger, pollUntil } from './lib/util.mjs';

const LANGUAGES = ['de', 'fr'];

/** The build's own messages for `lang`: { key: text }. */
function messagesOf(extensionDir, lang) {
  const raw = JSON.parse(fs.readFileSync(path.join(extensionDir, '_locales', lang, 'messages.json'), 'utf8'));
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, value.message]));
}

/** Chromium's resources for `lang`, next to the binary (Debian: /usr/lib/chromium/locales). */
function chromiumHasLanguage(lang) {
  const real = fs.realpathSync(CHROMIUM_BINARY);
  return [path.join(path.dirname(real), 'locales', `${lang}.pak`), `/usr/lib/chromium/locales/${lang}.pak`].some((file) => fs.existsSync(file));
}

/** A Firefox language pack for `lang` installed with the browser (Debian: browser/extensions/langpack-<lang>@...xpi). */
function firefoxHasLanguage(lang) {
  const real = fs.realpathSync(FIREFOX_BINARY);
  const dirs = [path.join(path.dirname(real), 'browser', 'extensions'), path.join(path.dirname(real), 'distribution', 'extensions')];
  return dirs.some((dir) => fs.existsSync(dir) && fs.readdirSync(dir).some((name) => name.startsWith(`langpack-${lang}@`)));
}

/** Runs IN THE POPUP. The texts the reader sees. */
const POPUP_TEXTS = `(() => ({
  lang: document.documentElement.lang,
  clean: document.querySelector('#clean').textContent,
  pick: document.querySelector('#pick').textContent,
  footer: document.querySelector('footer').textContent,
  categoryAds: document.querySelector('#categories input[value=ads]').parentElement.textContent.trim(),
}))()`;

/** Runs IN THE OPTIONS PAGE. */
const OPTIONS_TEXTS = `(() => ({
  lang: document.documentElement.lang,
  title: document.title,
  heading: document.querySelector('h1').textContent,
  rules: document.querySelector('#rules-title').textContent,
  categoryAds: document.querySelector('#categories input[value=ads]').parentElement.textContent.trim(),
}))()`;

/** The journey for one browser and language: popup before and after a clean, then the options page. */
async function localeJourney(driver, { url, lang, messages, log, openOptions, screenshot }) {
  const page = await driver.openPage(url);
  let popup;
  try {
    popup = await driver.openPopup(page);
    await pollUntil(() => popup.evaluate(`!document.querySelector('#site').hidden`), { message: 'the site controls' });
    const shown = await popup.evaluate(POPUP_TEXTS);
    assert.ok(shown.lang.startsWith(lang), `the popup's language is ${lang}: ${JSON.stringify(shown)}`);
    assert.deepEqual(
      [shown.clean, shown.pick, shown.footer, shown.categoryAds],
      [messages.cleanButton, messages.pickButton, messages.footer, messages.category_ads],
      'the popup is in the browser\'s language',
    );
    await driver.closePopup(popup);
    popup = null;
    ({ popup } = await cleanWithPopup(driver, page));
    await waitForPageTexts(page, { hidden: [READER_TEXTS.ads] });
    const after = await popup.evaluate(`({ undo: document.querySelector('#undo').textContent, status: document.querySelector('#status').textContent, group: document.querySelector('section[data-category=ads] .name').textContent })`);
    assert.equal(after.undo, messages.undoButton);
    assert.equal(after.group, messages.category_ads);
    const statusPattern = new RegExp(`^.+${messages.removedStatus.replace(/^\$BLOCKS\$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
    assert.match(after.status, statusPattern, 'the status after the clean is translated');
    if (screenshot) await screenshot(popup);
    log(`${lang} popup: "${shown.clean}", "${after.status}"`);
  } finally {
    if (popup) await driver.closePopup(popup).catch(() => {});
    await driver.closePage(page).catch(() => {});
  }
  const options = await openOptions();
  try {
    const texts = await pollUntil(async () => {
      const read = await options.evaluate(OPTIONS_TEXTS);
      return read.heading !== '' ? read : false;
    }, { message: 'the options page' });
    assert.ok(texts.lang.startsWith(lang), `the options page's language is ${lang}: ${JSON.stringify(texts)}`);
    assert.deepEqual([texts.title, texts.heading, texts.rules, texts.categoryAds], [messages.optionsTitle, messages.optionsTitle, messages.optionsRules, messages.category_ads]);
    log(`${lang} options: "${texts.heading}", "${texts.rules}"`);
  } finally {
    await options.close();
  }
}

describe('the interface in German and French: Chromium', { timeout: 300_000 }, () => {
  for (const lang of LANGUAGES) {
    const missing = chromiumHasLanguage(lang) ? null : `Chromium has no ${lang} resources (install the Debian package chromium-l10n)`;
    const skip = missing && process.env.UNSPONSOR_SKIP_MISSING_LOCALES === '1' ? missing : false;
    test(`Chromium in ${lang}: popup and options page`, { timeout: 120_000, skip }, async () => {
      if (missing) throw new Error(missing);
      requireBuilt(path.join(CHROME_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
      const log = logger(`chromium ${lang}`);
      const server = await startServer({ root: DEMO_SITE_DIR });
      let driver;
      try {
        driver = await ChromiumDriver.launch({ extensionDir: CHROME_EXTENSION_DIR, log, requestLog: new RequestLog(), args: [`--lang=${lang}`], env: { LANGUAGE: lang, LANG: `${lang}_${lang.toUpperCase()}.UTF-8` } });
        const worker = await driver.serviceWorker();
        const uiLanguage = await worker.evaluate(() => chrome.i18n.getUILanguage());
        assert.ok(uiLanguage.startsWith(lang), `Chromium runs in ${lang}: ${uiLanguage}`);
        await localeJourney(driver, {
          url: server.origin + READER_PAGE_PATH,
          lang,
          messages: messagesOf(CHROME_EXTENSION_DIR, lang),
          log,
          screenshot: (popup) => popup.screenshot(path.join(SCREENSHOT_DIR, `popup-${lang}.png`)),
          openOptions: async () => {
            const options = await driver.context.newPage();
            await options.goto(`chrome-extension://${driver.extensionId}/options.html`);
            return { evaluate: (expression) => options.evaluate(expression), close: () => options.close() };
          },
        });
      } finally {
        await driver?.close();
        await server.close();
      }
    });
  }
});

describe('the interface in German and French: Firefox', { timeout: 300_000 }, () => {
  for (const lang of LANGUAGES) {
    const missing = firefoxHasLanguage(lang) ? null : `Firefox has no ${lang} language pack (install the Debian package firefox-esr-l10n-${lang})`;
    const skip = missing && process.env.UNSPONSOR_SKIP_MISSING_LOCALES === '1' ? missing : false;
    test(`Firefox in ${lang}: popup and options page`, { timeout: 120_000, skip }, async () => {
      if (missing) throw new Error(missing);
      requireBuilt(path.join(FIREFOX_EXTENSION_DIR, 'manifest.json'), path.join(DEMO_SITE_DIR, 'index.html'));
      const geckodriverBinary = findGeckodriver();
      if (!geckodriverBinary) throw new Error('geckodriver not found: set GECKODRIVER, put it on PATH, or `cargo install geckodriver`');
      const log = logger(`firefox ${lang}`);
      const server = await startServer({ root: DEMO_SITE_DIR });
      let driver;
      try {
        driver = await FirefoxDriver.launch({
          extensionDir: FIREFOX_EXTENSION_DIR, geckodriverBinary, log,
          preferences: { 'intl.locale.requested': lang },
        });
        const appLocale = await driver.chrome(`Services.locale.appLocaleAsBCP47`);
        assert.ok(appLocale.startsWith(lang), `Firefox runs in ${lang}: ${appLocale}`);
        await localeJourney(driver, {
          url: server.origin + READER_PAGE_PATH,
          lang,
          messages: messagesOf(FIREFOX_EXTENSION_DIR, lang),
          log,
          screenshot: (popup) => popup.screenshot(path.join(SCREENSHOT_DIR, `popup-${lang}-firefox.png`)),
          openOptions: async () => {
            const optionsUrl = await driver.chrome(`WebExtensionPolicy.getByID(${JSON.stringify(driver.addonId)}).getURL('options.html')`);
            await driver.useContext('content');
            await driver.session.navigate(optionsUrl);
            return { evaluate: (expression) => driver.content(expression), close: () => driver.closePage() };
          },
        });
      } finally {
        await driver?.close();
        await server.close();
      }
    });
  }
});
