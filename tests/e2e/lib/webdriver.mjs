// Minimal W3C WebDriver client over plain HTTP (Node's fetch; no npm dependencies), plus a
// geckodriver process wrapper. Only the commands the Firefox test needs are implemented.

import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { VERBOSE } from './config.mjs';

/** Lines of Firefox/geckodriver output worth showing when debugging a failure... */
const INTERESTING_OUTPUT = /console\.(error|warn)|JavaScript (error|warning)|Uncaught|Error:|Exception|TypeError|CompileError|crash/i;
/** ...except Firefox's own background noise (its internals, and services that are offline here). */
const BROWSER_NOISE = /resource:\/\/|chrome:\/\/|RSLoader|nimbus|Remote ?Settings|mozrunner|Marionette|addons\.mozilla|normandy/i;

export class Geckodriver {
  /**
   * Starts geckodriver on a free port. Browser profiles go to `profileRoot` (a temporary dir the
   * caller removes). Firefox's stdout/stderr (page console messages, see the prefs in firefox.mjs)
   * come through geckodriver's output; errors and warnings are forwarded to `log`. `args` are extra
   * geckodriver arguments (e.g. --allow-system-access); `env` adds environment variables, which
   * Firefox inherits from geckodriver.
   */
  static async start({ binary, profileRoot, log, args = [], env = {} }) {
    const child = spawn(binary, ['--port', '0', '--websocket-port', '0', '--log', 'info', '--profile-root', profileRoot, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
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

  setWindowRect(rect) {
    return this.command('POST', '/window/rect', rect);
  }

  /**
   * Evaluates a JavaScript expression in the current window (awaiting a promise result) and
   * returns its value; in the chrome context it runs as browser code. Exceptions become Errors
   * with the message and stack.
   */
  async evaluate(expression) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve()
        .then(() => (${expression}))
        .then((value) => done({ ok: true, value: value === undefined ? null : value }),
              (error) => done({ ok: false, error: error && error.stack ? String(error) + '\\n' + error.stack : String(error) }));`;
    const outcome = await this.command('POST', '/execute/async', { script, args: [] });
    if (outcome === null) throw new Error('script was interrupted (did the document navigate away?)');
    if (!outcome.ok) throw new Error(`script error: ${outcome.error}`);
    return outcome.value;
  }

  /**
   * One left click with WebDriver input actions at (x, y) CSS pixels of the current window's
   * viewport: pointer move, button down, button up, as real mouse events. In the chrome context
   * the point is in the browser window itself (toolbar, open panels included).
   */
  async clickAt(x, y) {
    await this.command('POST', '/actions', {
      actions: [
        {
          type: 'pointer',
          id: 'mouse',
          parameters: { pointerType: 'mouse' },
          actions: [
            { type: 'pointerMove', x: Math.round(x), y: Math.round(y), origin: 'viewport', duration: 0 },
            { type: 'pointerDown', button: 0 },
            { type: 'pointerUp', button: 0 },
          ],
        },
      ],
    });
    await this.command('DELETE', '/actions');
  }

  /**
   * Firefox extension command: points the following commands at web content ("content") or at
   * the browser's own UI ("chrome", privileged; needs geckodriver's --allow-system-access).
   */
  setContext(context) {
    return this.command('POST', '/moz/context', { context });
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
