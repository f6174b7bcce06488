// Minimal W3C WebDriver client over plain HTTP (Node's fetch; no npm dependencies), plus a
// geckodriver process wrapper. Only the commands the Firefox test needs are implemented.

import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { VERBOSE } from './config.mjs';

/** WebDriver's key for element references in JSON. */
const ELEMENT_KEY = 'element-6066-11e4-a52e-4f735466cecf';

/** Lines of Firefox/geckodriver output worth showing when debugging a failure... */
const INTERESTING_OUTPUT = /console\.(error|warn)|JavaScript (error|warning)|Uncaught|Error:|Exception|TypeError|CompileError|crash/i;
/** ...except Firefox's own background noise (its internals, and services that are offline here). */
const BROWSER_NOISE = /resource:\/\/|chrome:\/\/|RSLoader|nimbus|Remote ?Settings|mozrunner|Marionette|addons\.mozilla|normandy/i;

export class Geckodriver {
  /**
   * Starts geckodriver on a free port. Browser profiles go to `profileRoot` (a temporary dir the
   * caller removes). Firefox's stdout/stderr (page console messages, see the prefs in firefox.mjs)
   * come through geckodriver's output; errors and warnings are forwarded to `log`.
   */
  static async start({ binary, profileRoot, log }) {
    const child = spawn(binary, ['--port', '0', '--websocket-port', '0', '--log', 'info', '--profile-root', profileRoot], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const recentOutput = [];
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`geckodriver did not start:\n${recentOutput.join('\n')}`)), 15_000);
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`geckodriver exited with ${code}:\n${recentOutput.join('\n')}`));
      });
      for (const stream of [child.stdout, child.stderr]) {
        readline.createInterface({ input: stream }).on('line', (line) => {
          recentOutput.push(line);
          if (recentOutput.length > 200) recentOutput.shift();
          const listening = /Listening on [\d.]+:(\d+)/.exec(line);
          if (listening) {
            clearTimeout(timer);
            resolve(Number(listening[1]));
          } else if (VERBOSE || (INTERESTING_OUTPUT.test(line) && !BROWSER_NOISE.test(line))) {
            log(`firefox: ${line}`);
          }
        });
      }
    });
    child.removeAllListeners('exit');
    return new Geckodriver(child, port, recentOutput);
  }

  constructor(child, port, recentOutput) {
    this.child = child;
    this.url = `http://127.0.0.1:${port}`;
    this.recentOutput = recentOutput;
  }

  /** Stops geckodriver (and with it any Firefox it still runs); resolves once it has exited. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

export class WebDriverSession {
  static async create(driverUrl, capabilities) {
    const value = await request(driverUrl, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new WebDriverSession(driverUrl, value.sessionId, value.capabilities);
  }

  constructor(driverUrl, sessionId, capabilities) {
    this.driverUrl = driverUrl;
    this.sessionId = sessionId;
    this.capabilities = capabilities;
  }

  command(method, path, body) {
    return request(this.driverUrl, method, `/session/${this.sessionId}${path}`, body);
  }

  delete() {
    return request(this.driverUrl, 'DELETE', `/session/${this.sessionId}`);
  }

  setTimeouts(timeouts) {
    return this.command('POST', '/timeouts', timeouts);
  }

  navigate(url) {
    return this.command('POST', '/url', { url });
  }

  currentUrl() {
    return this.command('GET', '/url');
  }

  windowHandle() {
    return this.command('GET', '/window');
  }

  windowHandles() {
    return this.command('GET', '/window/handles');
  }

  switchToWindow(handle) {
    return this.command('POST', '/window', { handle });
  }

  /** Opens a new tab or window and returns its handle (without switching to it). */
  async newWindow(type = 'tab') {
    const { handle } = await this.command('POST', '/window/new', { type });
    return handle;
  }

  closeWindow() {
    return this.command('DELETE', '/window');
  }

  setWindowRect(rect) {
    return this.command('POST', '/window/rect', rect);
  }

  /**
   * Evaluates a JavaScript expression in the current window (awaiting a promise result) and
   * returns its value. Page exceptions become Errors with the page's stack.
   */
  async evaluate(expression) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve()
        .then(() => (${expression}))
        .then((value) => done({ ok: true, value: value === undefined ? null : value }),
              (error) => done({ ok: false, error: String((error && error.stack) || error) }));`;
    const outcome = await this.command('POST', '/execute/async', { script, args: [] });
    if (outcome === null) throw new Error('in-page script was interrupted (did the document navigate away?)');
    if (!outcome.ok) throw new Error(`in-page error: ${outcome.error}`);
    return outcome.value;
  }

  async findElement(cssSelector) {
    const reference = await this.command('POST', '/element', { using: 'css selector', value: cssSelector });
    return reference[ELEMENT_KEY];
  }

  clickElement(elementId) {
    return this.command('POST', `/element/${elementId}/click`, {});
  }

  /** PNG of the current viewport, as a Buffer. */
  async screenshot() {
    return Buffer.from(await this.command('GET', '/screenshot'), 'base64');
  }

  /** PNG of one element, as a Buffer. */
  async elementScreenshot(elementId) {
    return Buffer.from(await this.command('GET', `/element/${elementId}/screenshot`), 'base64');
  }

  /** Firefox extension command: installs an unpacked add-on directory; returns its id. */
  installAddon(path, { temporary = true } = {}) {
    return this.command('POST', '/moz/addon/install', { path, temporary });
  }
}

/** One WebDriver HTTP round trip; WebDriver errors become Errors with the command in the message. */
async function request(driverUrl, method, path, body) {
  const response = await fetch(driverUrl + path, {
    method,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json();
  const value = payload.value;
  if (value && typeof value === 'object' && value.error) {
    throw new Error(`WebDriver ${method} ${path}: ${value.error}: ${value.message}`);
  }
  return value;
}
