// Reading a corpus folder (laid out like ../shared/corpus/dev) and serving its pages the way the
// evaluation needs them: from 127.0.0.1, decoded with the charset truth.json gives, page scripts
// removed so nothing the page does interferes with the measurement.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Cases of a corpus: folders holding source.html and truth.json. Throws a readable error. */
export function listCases(corpusDir) {
  if (!corpusDir) throw new Error('no corpus given: use --corpus DIR (for example --corpus ../shared/corpus/dev)');
  if (!fs.existsSync(corpusDir) || !fs.statSync(corpusDir).isDirectory()) {
    throw new Error(`corpus folder ${corpusDir} does not exist (the dev corpus lives in ../shared/corpus/dev beside this repository)`);
  }
  const cases = fs.readdirSync(corpusDir)
    .filter((name) => fs.existsSync(path.join(corpusDir, name, 'source.html')) && fs.existsSync(path.join(corpusDir, name, 'truth.json')))
    .sort();
  if (cases.length === 0) throw new Error(`corpus folder ${corpusDir} holds no cases (<case>/source.html + <case>/truth.json)`);
  return cases;
}

/** The cases to run: all of them, or the one named by --only (an error when it is absent). */
export function selectCases(corpusDir, only) {
  const cases = listCases(corpusDir);
  if (!only) return cases;
  if (!cases.includes(only)) throw new Error(`no case named ${only} in ${corpusDir}`);
  return [only];
}

export function readTruth(corpusDir, name) {
  const truth = JSON.parse(fs.readFileSync(path.join(corpusDir, name, 'truth.json'), 'utf8'));
  return {
    encoding: truth.encoding || 'utf-8',
    keep: Array.isArray(truth.keep) ? truth.keep : [],
    sponsored: Array.isArray(truth.remove_sponsored) ? truth.remove_sponsored : [],
    sponsoredCategories: truth.sponsored_categories && typeof truth.sponsored_categories === 'object' ? truth.sponsored_categories : {},
    widgetSelectors: truth.widget_selectors && typeof truth.widget_selectors === 'object' ? truth.widget_selectors : {},
    url: truth.url || null,
  };
}

/**
 * The page as served: decoded to text, with every <script> element, inline event handler,
 * javascript: URL, frame srcdoc and meta refresh removed, so no page script runs. (A CSP header would also
 * block the cleaner's WebAssembly in Chromium, so it is not used for this.)
 */
export function preparePage(bytes, encoding) {
  let decoder;
  try {
    decoder = new TextDecoder(encoding);
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  let html = decoder.decode(bytes);
  html = html.replace(/<script\b[\s\S]*?<\/script\s*>/gi, '');
  html = html.replace(/<script\b[^>]*\/?>/gi, '');
  html = html.replace(/<meta\b[^>]*http-equiv\s*=\s*["']?refresh[^>]*>/gi, '');
  // A frame's srcdoc holds a whole document, scripts included (HTML-escaped, so the <script>
  // stripping above cannot see them): aktualne's anti-adblock script lives there and edits the
  // top page. Renaming the attribute keeps the <iframe> and drops its document.
  html = html.replace(/(<iframe\b[^>]*?\s)srcdoc(\s*=)/gi, '$1data-srcdoc-removed$2');
  // Inside tags only: drop on*="..." handlers and javascript: URLs.
  html = html.replace(/<[a-zA-Z][^<>]*>/g, (tag) => tag
    .replace(/\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi, '')
    .replace(/(\s(?:href|src|action)\s*=\s*["']?)\s*javascript:[^"'\s>]*/gi, '$1#'));
  return html;
}

/**
 * Serves /case/<name>/ as the prepared page (UTF-8). Anything else is 404: the pages' own
 * resources are not part of the corpus.
 */
export async function startCorpusServer(corpusDir) {
  const cache = new Map();
  const server = http.createServer((request, response) => {
    const match = /^\/case\/([^/]+)\/$/.exec(new URL(request.url, 'http://127.0.0.1').pathname);
    const name = match && decodeURIComponent(match[1]);
    if (!name || name.includes('..') || !fs.existsSync(path.join(corpusDir, name, 'source.html'))) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (!cache.has(name)) {
      const truth = readTruth(corpusDir, name);
      cache.clear(); // one page at a time is enough; keeps memory flat over thousands of pages
      cache.set(name, preparePage(fs.readFileSync(path.join(corpusDir, name, 'source.html')), truth.encoding));
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end(cache.get(name));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    urlOf: (name) => `${origin}/case/${encodeURIComponent(name)}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
