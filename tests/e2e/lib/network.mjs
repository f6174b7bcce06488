// Records the network requests made during a browser run and finds the ones that leave the
// machine. The product promises to work offline: the extension, its popup and the demo site may
// only talk to the local test server (127.0.0.1) or load their own packaged files.

/** Schemes that never touch the network (packaged extension files, inline data, browser pages). */
const LOCAL_SCHEMES = new Set(['chrome-extension:', 'moz-extension:', 'data:', 'blob:', 'about:', 'chrome:', 'devtools:', 'file:']);
const ALLOWED_HOSTS = new Set(['127.0.0.1']);

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

export class RequestLog {
  constructor() {
    /** @type {{ source: string, method: string, url: string }[]} */
    this.entries = [];
  }

  record(source, method, url) {
    this.entries.push({ source, method, url });
  }

  offsite() {
    return this.entries.filter((entry) => isOffsite(entry.url));
  }

  /** One line per request, for assertion messages. */
  format(entries = this.entries) {
    return entries.map((entry) => `${entry.source}: ${entry.method} ${entry.url}`).join('\n  ');
  }
}
