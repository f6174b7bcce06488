// Tiny static file server for the browser end-to-end tests (node:http only, no dependencies).
//
// Serves the built demo site (`dist/www` by default) on 127.0.0.1 at a random free port.
// Everything under the route prefix `/csp/` is the same tree served with a strict page
// Content-Security-Policy (`script-src 'self'`): Chromium then refuses to compile WebAssembly in
// content scripts on that page, which is how the tests reach the extension's wasm2js fallback.
// The test-only pages in tests/e2e/pages/ (e.g. the hostile page) are served under `/test-pages/`
// (and, with the strict CSP, under `/csp/test-pages/`); they are not part of the demo site.
//
// Usage as a module:   const server = await startServer({ root }); ... server.origin ...; await server.close();
// Usage by hand:       node tests/e2e/server.mjs [dir] [port]   (prints the URL, Ctrl-C to stop)

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_ROOT = path.join(REPO_ROOT, 'dist', 'www');
/** The test-only pages (not shipped, not part of the demo site). */
export const TEST_PAGES_ROOT = path.join(REPO_ROOT, 'tests', 'e2e', 'pages');
/** Route prefix under which TEST_PAGES_ROOT is served. */
export const TEST_PAGES_PREFIX = '/test-pages/';

/** Route prefix whose responses carry the strict page CSP. */
export const CSP_PREFIX = '/csp/';
/** The policy sent under CSP_PREFIX: no 'wasm-unsafe-eval', no 'unsafe-eval'. */
export const STRICT_CSP = "script-src 'self'";

/**
 * Route prefix of slow pages: an HTML file under it is sent in two parts, the second
 * SLOW_PAGE_MS later, so the document is still loading (and the extension cannot reach it yet)
 * when a test opens the popup.
 */
export const SLOW_PREFIX = '/slow/';
export const SLOW_PAGE_MS = 800;

/**
 * Route prefix of probed pages: an HTML file under it gets the frame probe
 * (tests/e2e/pages/frame-probe.js) inlined first in its <head>, so the probe runs before the
 * page's first paint (the auto-clean test: no widget may be visible in any frame).
 */
export const FRAME_PROBE_PREFIX = '/frame-probe/';
const FRAME_PROBE_FILE = path.join(TEST_PAGES_ROOT, 'frame-probe.js');

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.xhtml': 'application/xhtml+xml; charset=utf-8', // parsed as XML (tests/e2e/pages/xhtml.xhtml)
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

function contentTypeFor(filePath) {
  return CONTENT_TYPES[path.extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

/** True when `candidate` is `root` itself or lies inside it (both already resolved, real paths). */
function isInside(root, candidate) {
  const relative = path.relative(root, candidate);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Maps a request path to a real file inside `realRoot`, or returns null (404).
 * Rejects anything that would escape the root: `..` segments, encoded slashes or dots,
 * NUL bytes, and symlinks pointing outside.
 */
function resolveRequestPath(realRoot, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null; // malformed percent-encoding
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '..')) return null;

  let candidate = path.resolve(realRoot, '.' + path.posix.normalize('/' + decoded));
  if (!isInside(realRoot, candidate)) return null;
  try {
    let real = fs.realpathSync(candidate);
    if (!isInside(realRoot, real)) return null;
    if (fs.statSync(real).isDirectory()) {
      candidate = path.join(real, 'index.html');
      real = fs.realpathSync(candidate);
      if (!isInside(realRoot, real)) return null;
    }
    return fs.statSync(real).isFile() ? real : null;
  } catch {
    return null; // does not exist
  }
}

/** An HTML page with the frame probe inlined first in its <head> (or first of all, without one). */
function withFrameProbe(body) {
  const page = body.toString('utf8');
  const script = `<script>${fs.readFileSync(FRAME_PROBE_FILE, 'utf8')}</script>`;
  const head = /<head[^>]*>/i.exec(page);
  return head ? page.slice(0, head.index + head[0].length) + script + page.slice(head.index + head[0].length) : script + page;
}

/**
 * Starts the server. Resolves to { origin, port, root, requests, close() }.
 * `requests` lists every request received ("GET /index.html 200"), handy when a test fails.
 */
export async function startServer({ root = DEFAULT_ROOT, pagesRoot = TEST_PAGES_ROOT, host = '127.0.0.1', port = 0 } = {}) {
  const realRoot = fs.realpathSync(root); // throws early and clearly if the site was not built
  const realPagesRoot = fs.existsSync(pagesRoot) ? fs.realpathSync(pagesRoot) : null;
  const requests = [];

  const server = http.createServer((request, response) => {
    const url = new URL(request.url, 'http://placeholder');
    let urlPath = url.pathname;
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (urlPath.startsWith(CSP_PREFIX)) {
      headers['content-security-policy'] = STRICT_CSP;
      urlPath = urlPath.slice(CSP_PREFIX.length - 1); // keep the leading slash
    }
    let slow = false;
    if (urlPath.startsWith(SLOW_PREFIX)) {
      slow = true;
      urlPath = urlPath.slice(SLOW_PREFIX.length - 1);
    }
    let probed = false;
    if (urlPath.startsWith(FRAME_PROBE_PREFIX)) {
      probed = true;
      urlPath = urlPath.slice(FRAME_PROBE_PREFIX.length - 1);
    }
    let servedRoot = realRoot;
    if (urlPath.startsWith(TEST_PAGES_PREFIX)) {
      servedRoot = realPagesRoot;
      urlPath = urlPath.slice(TEST_PAGES_PREFIX.length - 1);
    }

    const finish = (status, body, type) => {
      requests.push(`${request.method} ${request.url} ${status}`);
      const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
      response.writeHead(status, { ...headers, 'content-type': type, 'content-length': length });
      response.end(request.method === 'HEAD' ? undefined : body);
    };

    // The request recorders' control requests (lib/network.mjs CONTROL_PATH): answered, empty.
    if (urlPath.startsWith('/e2e-control/')) {
      finish(204, '', 'text/plain; charset=utf-8');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      finish(405, 'Method not allowed\n', 'text/plain; charset=utf-8');
      return;
    }
    const filePath = servedRoot ? resolveRequestPath(servedRoot, urlPath) : null;
    if (!filePath) {
      finish(404, '<!doctype html><meta charset="utf-8"><title>Not found</title><p>Not found</p>\n', 'text/html; charset=utf-8');
      return;
    }
    fs.readFile(filePath, (error, body) => {
      if (error) finish(500, 'Read error\n', 'text/plain; charset=utf-8');
      else if (probed && contentTypeFor(filePath).startsWith('text/html')) finish(200, withFrameProbe(body), contentTypeFor(filePath));
      else if (slow && contentTypeFor(filePath).startsWith('text/html') && request.method === 'GET') sendSlowly(body, contentTypeFor(filePath));
      else finish(200, body, contentTypeFor(filePath));
    });

    // The first half now, the rest SLOW_PAGE_MS later (no content-length: the body is streamed).
    function sendSlowly(body, type) {
      requests.push(`${request.method} ${request.url} 200 (slow)`);
      response.writeHead(200, { ...headers, 'content-type': type });
      const half = Math.floor(body.length / 2);
      response.write(body.subarray(0, half));
      const timer = setTimeout(() => response.end(body.subarray(half)), SLOW_PAGE_MS);
      response.once('close', () => clearTimeout(timer));
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const actualPort = server.address().port;
  return {
    origin: `http://${host}:${actualPort}`,
    port: actualPort,
    root: realRoot,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.(); // keep-alive sockets would otherwise delay close()
      }),
  };
}

// Run by hand: serve the demo site until interrupted.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_ROOT;
  const port = Number(process.argv[3] ?? 0);
  const server = await startServer({ root, port });
  console.log(`Serving ${server.root}`);
  console.log(`  ${server.origin}/            (no page CSP)`);
  console.log(`  ${server.origin}${CSP_PREFIX}        (page CSP: ${STRICT_CSP})`);
  console.log(`  ${server.origin}${TEST_PAGES_PREFIX} (test pages from ${TEST_PAGES_ROOT})`);
}
