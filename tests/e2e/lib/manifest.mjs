// Checks of the shipped manifest that a user (or a store reviewer) would notice: the extension
// asks only for activeTab and scripting (storage allowed), and for no access to any website up front.
// Its web-accessible resources are only the files its content script loads, and in Chrome they are
// reachable only through the per-session dynamic URL (use_dynamic_url), so a page cannot probe the
// extension's fixed id for them.

import fs from 'node:fs';
import path from 'node:path';
import { FIREFOX_ADDON_ID } from './config.mjs';

/** The only optional host permissions: web pages, of which one site at a time is requested. */
const OPTIONAL_HOST_PATTERNS = Object.freeze(['http://*/*', 'https://*/*']);
/** The extension needs these two to clean the current tab on a click... */
const REQUIRED_PERMISSIONS = ['activeTab', 'scripting'];
/**
 * ...and may ask for nothing beyond these (Chrome also for `offscreen`: its offscreen document is
 * where the core judges pages outside their tabs; Firefox's background page does that itself).
 */
const ALLOWED_PERMISSIONS = new Set([...REQUIRED_PERMISSIONS, 'storage']);
const ALLOWED_PERMISSIONS_CHROME = new Set([...ALLOWED_PERMISSIONS, 'offscreen']);
/**
 * What content.js loads through runtime.getURL (for a page judged in its tab): the wasm core and
 * its glue, the wasm2js fallback, and the compiled EasyList rules (absent from a build made without them). Nothing else may be
 * web-accessible: not the popup, the background, content.js itself, the icons or the licence.
 */
export const WEB_ACCESSIBLE_FILES = Object.freeze(['pkg/unsponsor.js', 'pkg/unsponsor_bg.wasm', 'pkg-js/unsponsor.js', 'pkg-js/unsponsor_bg.w2j.js', 'rules/easylist.rules']);
/** Of those, the ones every build has. */
const REQUIRED_WEB_ACCESSIBLE_FILES = WEB_ACCESSIBLE_FILES.filter((file) => !file.startsWith('rules/'));

export function readManifest(extensionDir) {
  return JSON.parse(fs.readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8'));
}

/**
 * Returns a list of failures (empty when the manifest matches the contract). With `dir` (the
 * extension folder) it also checks that every web-accessible file exists there.
 */
export function manifestFailures(manifest, { browser, dir }) {
  const failures = [];
  if (manifest.manifest_version !== 3) failures.push(`manifest_version is ${manifest.manifest_version}, expected 3`);
  const permissions = manifest.permissions ?? [];
  for (const permission of REQUIRED_PERMISSIONS) {
    if (!permissions.includes(permission)) failures.push(`permission ${permission} is missing`);
  }
  for (const permission of permissions) {
    if (!(browser === 'chrome' ? ALLOWED_PERMISSIONS_CHROME : ALLOWED_PERMISSIONS).has(permission)) failures.push(`permission ${JSON.stringify(permission)} is more than the extension needs`);
  }
  if ((manifest.host_permissions ?? []).length > 0) failures.push(`host_permissions must be empty: ${JSON.stringify(manifest.host_permissions)}`);
  // Site access is only ever optional, asked for one site at a time at the reader's click (the
  // popup's auto-clean switch): the optional list may name web pages, and nothing else.
  for (const pattern of manifest.optional_host_permissions ?? []) {
    if (!OPTIONAL_HOST_PATTERNS.includes(pattern)) failures.push(`optional host permission ${JSON.stringify(pattern)} is more than per-site web access`);
  }
  if ((manifest.optional_permissions ?? []).length > 0) failures.push(`optional_permissions must be empty: ${JSON.stringify(manifest.optional_permissions)}`);
  const pagesCsp = manifest.content_security_policy?.extension_pages ?? '';
  if (!/^script-src 'self'( 'wasm-unsafe-eval')?; object-src 'self'$/.test(pagesCsp)) failures.push(`extension pages CSP allows more than 'self' and 'wasm-unsafe-eval': ${pagesCsp}`);
  if (manifest.content_scripts?.length) failures.push('no content_scripts may be declared: the page is touched only after the user asks');
  if (!manifest.action?.default_popup?.startsWith('popup.html')) failures.push(`action.default_popup is ${JSON.stringify(manifest.action?.default_popup)}, expected popup.html`);
  failures.push(...webAccessibleResourceFailures(manifest, { browser, dir }));
  if (browser === 'firefox' && manifest.browser_specific_settings?.gecko?.id !== FIREFOX_ADDON_ID) {
    failures.push(`browser_specific_settings.gecko.id is ${JSON.stringify(manifest.browser_specific_settings?.gecko?.id)}, expected ${FIREFOX_ADDON_ID}`);
  }
  return failures;
}

/** The web_accessible_resources part of the contract (see WEB_ACCESSIBLE_FILES). */
export function webAccessibleResourceFailures(manifest, { browser, dir }) {
  const failures = [];
  const entries = manifest.web_accessible_resources ?? [];
  if (!Array.isArray(entries)) return [`web_accessible_resources is not a list: ${JSON.stringify(entries)}`];
  const listed = entries.flatMap((entry) => entry.resources ?? []);
  for (const file of listed) {
    if (!WEB_ACCESSIBLE_FILES.includes(file)) failures.push(`web-accessible resource ${JSON.stringify(file)} is not a file the content script loads`);
    else if (dir && !fs.existsSync(path.join(dir, file))) failures.push(`web-accessible resource ${file} does not exist in ${dir}`);
  }
  for (const file of REQUIRED_WEB_ACCESSIBLE_FILES) if (!listed.includes(file)) failures.push(`${file} is not web-accessible, but the content script loads it`);
  for (const [index, entry] of entries.entries()) {
    const where = `web_accessible_resources[${index}]`;
    if ((entry.extension_ids ?? []).length > 0) failures.push(`${where} opens the files to other extensions: ${JSON.stringify(entry.extension_ids)}`);
    if (browser === 'chrome' && entry.use_dynamic_url !== true) {
      failures.push(`${where} lacks "use_dynamic_url": true: any page could fetch these files at the extension's fixed id and so detect it`);
    }
    // Firefox has no use_dynamic_url (it warns on the key); its moz-extension:// host is a random
    // UUID per installation already.
    if (browser === 'firefox' && 'use_dynamic_url' in entry) failures.push(`${where} has use_dynamic_url, which Firefox does not support`);
  }
  return failures;
}
