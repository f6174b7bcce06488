// The browser the corpus tools run in (npm run eval, scripts/check-undo.mjs): headless Chromium
// with the built extension, where the background may inject into 127.0.0.1 pages without a click,
// and every request that is not to the corpus server refused.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/**
 * A temporary copy of the Chromium build (UNSPONSOR_DIST/chrome, default dist/chrome; built first
 * when the default one is missing) with a host permission for 127.0.0.1 added: the tools' stand-in
 * for the user's activeTab grant. Returns its folder.
 */
export function prepareExtension() {
  const dist = path.resolve(process.env.UNSPONSOR_DIST || path.join(root, 'dist'));
  const built = path.join(dist, 'chrome');
  if (!fs.existsSync(path.join(built, 'manifest.json'))) {
    if (process.env.UNSPONSOR_DIST) throw new Error(`${built} has no manifest.json (UNSPONSOR_DIST=${process.env.UNSPONSOR_DIST})`);
    console.log('dist/chrome is missing: building first (node scripts/build.mjs)');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-corpus-ext-'));
  fs.cpSync(built, copy, { recursive: true });
  const manifestPath = path.join(copy, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  manifest.host_permissions = ['http://127.0.0.1/*'];
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return copy;
}

/**
 * Launches Chromium with the extension; returns { context, worker, close }. `extraArgs`: more
 * command-line switches (the bench adds `--js-flags=--expose-gc`).
 */
export async function launchBrowser(extensionDir, origin, { extraArgs = [] } = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'unsponsor-corpus-profile-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: [`--disable-extensions-except=${extensionDir}`, `--load-extension=${extensionDir}`,
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...extraArgs],
    });
    // Loopback only: every other request is refused before it leaves the browser. (The
    // extension's own chrome-extension:// files are not network requests and pass.)
    await context.route((url) => /^(https?|wss?):$/.test(url.protocol) && url.origin !== origin, (route) => route.abort());
    let [worker] = context.serviceWorkers();
    worker ??= await context.waitForEvent('serviceworker', { timeout: 15_000 });
    return {
      context,
      worker,
      close: async () => {
        await context.close().catch(() => {});
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close().catch(() => {});
    fs.rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** Runs a command of the extension's background (`runInTab`) on the tab showing `pageUrl`. */
export function runInTabFromWorker(worker, command, pageUrl) {
  return worker.evaluate(async ({ name, url }) => {
    const tabs = await chrome.tabs.query({});
    const tab = tabs.find((candidate) => candidate.url === url);
    if (!tab) return { ok: false, error: `no tab for ${url}` };
    return runInTab(tab.id, name, url);
  }, { name: command, url: pageUrl });
}

/** Rejects after `ms` with a message naming `what`. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}
