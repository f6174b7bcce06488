// Serves the demo (dist/www) on 127.0.0.1 and says how to load the extension.
// `npm start` builds first; `npm run serve` only serves. PORT=nnnn picks the port (default 8080,
// or the next free one).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const site = path.join(root, 'dist', 'www');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml', '.json': 'application/json',
};

if (!fs.existsSync(path.join(site, 'index.html'))) {
  console.error('dist/www is missing: run `npm start` (or `npm run build`) first.');
  process.exit(1);
}

const server = http.createServer((request, response) => {
  const pathname = decodeURIComponent(new URL(request.url, 'http://localhost').pathname);
  let file = path.normalize(path.join(site, pathname));
  if (!file.startsWith(site)) {
    response.writeHead(403).end('forbidden');
    return;
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
  fs.readFile(file, (error, body) => {
    if (error) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-store' });
    response.end(body);
  });
});

function listen(port, attemptsLeft) {
  server.once('error', (error) => {
    if (error.code === 'EADDRINUSE' && attemptsLeft > 0) listen(port + 1, attemptsLeft - 1);
    else throw error;
  });
  server.listen(port, '127.0.0.1', () => {
    const url = `http://127.0.0.1:${server.address().port}/`;
    console.log(`
Unsponsor demo:  ${url}
  variants:      ${url}variants/hashed.html   ${url}variants/bare.html

Load the extension (built in dist/):
  Chrome:   chrome://extensions → turn on Developer mode → Load unpacked → ${path.join(root, 'dist', 'chrome')}
  Firefox:  about:debugging#/runtime/this-firefox → Load Temporary Add-on… → ${path.join(root, 'dist', 'firefox', 'manifest.json')}
  Store packages: dist/unsponsor-chrome-*.zip, dist/unsponsor-firefox-*.zip

Then open the demo, click the Unsponsor toolbar button and press "Clean this page".
Press Ctrl+C to stop.`);
  });
}

listen(Number(process.env.PORT) || 8080, 20);
