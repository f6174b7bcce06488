// Checks of the shipped manifest that a user (or a store reviewer) would notice: the extension
// asks only for activeTab and scripting (storage allowed), and for no access to any website up front.

import fs from 'node:fs';
import path from 'node:path';
import { FIREFOX_ADDON_ID } from './config.mjs';

/** The extension needs these two to clean the current tab on a click... */
const REQUIRED_PERMISSIONS = ['activeTab', 'scripting'];
/** ...and may ask for nothing beyond these. */
const ALLOWED_PERMISSIONS = new Set([...REQUIRED_PERMISSIONS, 'storage']);

export function readManifest(extensionDir) {
  return JSON.parse(fs.readFileSync(path.join(extensionDir, 'manifest.json'), 'utf8'));
}

/** Returns a list of failures (empty when the manifest matches the contract). */
export function manifestFailures(manifest, { browser }) {
  const failures = [];
  if (manifest.manifest_version !== 3) failures.push(`manifest_version is ${manifest.manifest_version}, expected 3`);
  const permissions = manifest.permissions ?? [];
  for (const permission of REQUIRED_PERMISSIONS) {
    if (!permissions.includes(permission)) failures.push(`permission ${permission} is missing`);
  }
  for (const permission of permissions) {
    if (!ALLOWED_PERMISSIONS.has(permission)) failures.push(`permission ${JSON.stringify(permission)} is more than the extension needs`);
  }
  if ((manifest.host_permissions ?? []).length > 0) failures.push(`host_permissions must be empty: ${JSON.stringify(manifest.host_permissions)}`);
  if ((manifest.optional_host_permissions ?? []).length > 0) failures.push(`optional_host_permissions must be empty: ${JSON.stringify(manifest.optional_host_permissions)}`);
  if (manifest.content_scripts?.length) failures.push('no content_scripts may be declared: the page is touched only after the user asks');
  if (!manifest.action?.default_popup?.startsWith('popup.html')) failures.push(`action.default_popup is ${JSON.stringify(manifest.action?.default_popup)}, expected popup.html`);
  if (browser === 'firefox' && manifest.browser_specific_settings?.gecko?.id !== FIREFOX_ADDON_ID) {
    failures.push(`browser_specific_settings.gecko.id is ${JSON.stringify(manifest.browser_specific_settings?.gecko?.id)}, expected ${FIREFOX_ADDON_ID}`);
  }
  return failures;
}
