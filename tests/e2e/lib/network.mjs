// Records the network requests made during a browser run and finds the ones that leave the
// machine. The product promises to work offline: the extension, its popup and the demo site may
// only talk to the local test server (127.0.0.1) or load their own packaged files.
//
// It also tells, as far as the browser shows it, WHO made each request (`by`): the page itself,
// or a part of the extension (its service worker or background, its popup or another extension
// page, its content script). The extension promises more than "nothing leaves the machine": it
// makes no request at all, except loading its own packaged files (chrome-extension:// or
// moz-extension://). extensionRequestReport() checks that, test hosts included.

/** Schemes that never touch the network (packaged extension files, inline data, browser pages). */
const LOCAL_SCHEMES = new Set(['chrome-extension:', 'moz-extension:', 'data:', 'blob:', 'about:', 'chrome:', 'devtools:', 'file:']);
const ALLOWED_HOSTS = new Set(['127.0.0.1']);
/** The parts of the extension a request can be attributed to. */
export const EXTENSION_PARTS = Object.freeze(['service-worker', 'background', 'popup', 'extension-page', 'content-script']);
/** Schemes of the extension's own packaged files. */
const OWN_FILE_SCHEMES = new Set(['chrome-extension:', 'moz-extension:']);
/**
 * Path of the recorder's control requests: the tests make them on purpose from the popup and the
 * service worker, to prove that such requests are seen and attributed to the extension. They are
 * then left out of the "no request" count.
 */
export const CONTROL_PATH = '/e2e-control/';

export function isOffsite(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return true; // unparseable: report it rather than hide it
  }
  if (LOCAL_SCHEMES.has(parsed.protocol)) return false;
  return !ALLOWED_HOSTS.has(parsed.hostname);
}

/** True for the extension's own packaged files (any extension id, static or dynamic). */
export function isExtensionFile(url) {
  try {
    return OWN_FILE_SCHEMES.has(new URL(url).protocol);
  } catch {
    return false;
  }
}

export function isControlRequest(url) {
  try {
    return new URL(url).pathname.startsWith(CONTROL_PATH);
  } catch {
    return false;
  }
}

export class RequestLog {
  constructor() {
    /** @type {{ source: string, method: string, url: string, by: string|null, frameId: string|null }[]} */
    this.entries = [];
  }

  /**
   * `by` names who made the request when the recorder knows it (EXTENSION_PARTS, or 'page');
   * `frameId` lets the Chromium driver attribute frame requests to extension pages afterwards.
   */
  record(source, method, url, { by = null, frameId = null } = {}) {
    this.entries.push({ source, method, url, by, frameId });
  }

  offsite() {
    return this.entries.filter((entry) => isOffsite(entry.url));
  }

  /**
   * Every entry with `by` settled: entries recorded for a frame the driver later learnt to be an
   * extension page (`extensionFrameIds`, e.g. the popup) are attributed to 'popup'.
   */
  attributed({ extensionFrameIds = new Set() } = {}) {
    return this.entries.map((entry) => ({
      ...entry,
      by: entry.by ?? (entry.frameId && extensionFrameIds.has(entry.frameId) ? 'popup' : null),
    }));
  }

  /** One line per request, for assertion messages. */
  format(entries = this.entries) {
    return entries.map((entry) => `${entry.source}${entry.by ? ` [by ${entry.by}]` : ''}: ${entry.method} ${entry.url}`).join('\n  ');
  }
}

/**
 * What the extension itself asked for, from attributed entries (RequestLog.attributed, or the
 * Firefox recorder's entries with `by` set). Returns
 *   { byExtension, ownFiles, controls, outside, counts, failures }
 * where `outside` are the extension's requests to anything but its own packaged files (the test
 * server on 127.0.0.1 included), control requests apart. `failures` lists every such request, and
 * every part in `mustSee` (e.g. ['popup', 'service-worker']) the recorder never attributed a
 * request to: without that self-check, "0 requests" could mean "the recorder saw nothing".
 */
export function extensionRequestReport(entries, { mustSee = [] } = {}) {
  const byExtension = entries.filter((entry) => EXTENSION_PARTS.includes(entry.by));
  const controls = byExtension.filter((entry) => isControlRequest(entry.url));
  const ownFiles = byExtension.filter((entry) => isExtensionFile(entry.url));
  const outside = byExtension.filter((entry) => !isExtensionFile(entry.url) && !isControlRequest(entry.url));
  const counts = Object.fromEntries(EXTENSION_PARTS.map((part) => [part, byExtension.filter((entry) => entry.by === part).length]));
  const failures = [];
  for (const entry of outside) failures.push(`the extension's ${entry.by} requested ${entry.method} ${entry.url} (recorded by ${entry.source})`);
  for (const part of mustSee) {
    if (!byExtension.some((entry) => entry.by === part)) {
      failures.push(`recorder self-check: no request at all was attributed to the extension's ${part}, so its silence proves nothing`);
    }
  }
  return { byExtension, ownFiles, controls, outside, counts, failures };
}
