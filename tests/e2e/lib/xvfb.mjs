// A virtual X display (Xvfb) for the few tests that need a headed browser, and real X key
// presses into it (xdotool). Debian packages: xvfb, xdotool (scripts/setup.sh test installs them).
//
// Xvfb picks a free display number itself (-displayfd) and listens on its Unix socket only
// (-nolisten tcp); nothing but this machine's processes can reach it.

import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import { cleanupOnInterrupt, pollUntil } from './util.mjs';

/** Finds an executable on PATH; null when absent. */
export function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    try {
      fs.accessSync(`${dir}/${name}`, fs.constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // next
    }
  }
  return null;
}

/** Throws a readable error when Xvfb or xdotool is missing. */
export function requireXTools() {
  const missing = [['Xvfb', 'xvfb'], ['xdotool', 'xdotool']].filter(([binary]) => !findOnPath(binary)).map(([, pkg]) => pkg);
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')} (run \`bash scripts/setup.sh test\`, or apt-get install ${missing.join(' ')})`);
}

/**
 * Starts Xvfb on a free display. Returns { display: ':N', env: { DISPLAY }, stop() }.
 * Always pair with stop() (in an after hook).
 */
export async function startXvfb({ width = 1400, height = 1000, log = () => {} } = {}) {
  requireXTools();
  const server = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp', '-noreset'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  server.stderr.on('data', (chunk) => { stderr += chunk; });
  let exited = null;
  server.on('exit', (code, signal) => { exited = { code, signal }; });
  let number = '';
  server.stdio[3].on('data', (chunk) => { number += chunk; });
  const stop = async () => {
    stopWatchingInterrupts();
    if (exited) return;
    const gone = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 3_000))]);
    if (!exited) server.kill('SIGKILL');
  };
  const stopWatchingInterrupts = cleanupOnInterrupt(stop);
  try {
    const display = await pollUntil(() => {
      if (exited) throw new Error(`Xvfb exited (${JSON.stringify(exited)}): ${stderr.trim()}`);
      return /^\d+\n/.test(number) ? `:${number.trim()}` : undefined;
    }, { timeoutMs: 15_000, message: 'Xvfb to report its display' });
    await pollUntil(() => fs.existsSync(`/tmp/.X11-unix/X${display.slice(1)}`), { timeoutMs: 5_000, message: `the socket of display ${display}` });
    log(`Xvfb running on display ${display} (pid ${server.pid})`);
    return { display, env: { DISPLAY: display }, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs xdotool on the display; resolves with its stdout. */
export function xdotool(display, ...args) {
  return new Promise((resolve, reject) => {
    execFile('xdotool', args, { env: { ...process.env, DISPLAY: display }, timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`xdotool ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
  });
}
