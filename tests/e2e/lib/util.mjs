// Small helpers shared by the Chromium and Firefox end-to-end tests.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Calls `probe` until it returns a value other than undefined/false, and returns that value.
 * Throws after `timeoutMs` with `describe(lastValue)` in the message, so a timeout says what the
 * state was rather than just "timed out". Errors thrown by `probe` are retried too (a page
 * that is still navigating), and the last one is reported.
 */
export async function pollUntil(probe, { timeoutMs = 10_000, intervalMs = 100, message = 'condition', describe } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastValue;
  let lastError;
  for (;;) {
    try {
      lastValue = await probe();
      lastError = undefined;
      if (lastValue !== undefined && lastValue !== false) return lastValue;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError
        ? `last error: ${lastError.message ?? lastError}`
        : `last state: ${describe ? describe(lastValue) : JSON.stringify(lastValue)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}; ${detail}`);
    }
    await sleep(intervalMs);
  }
}

/** Prefixed console logging, so interleaved browser logs stay readable. */
export function logger(prefix) {
  return (...parts) => console.log(`[${prefix}]`, ...parts);
}

/** A fresh temporary directory; call `remove()` in a finally/after hook. */
export function makeTempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 }) };
}

/**
 * Describes where two long strings (outerHTML snapshots) first differ, with context, for an
 * assertion message. Returns null when they are equal.
 */
export function describeFirstDifference(expected, actual, context = 160) {
  if (expected === actual) return null;
  let index = 0;
  while (index < expected.length && index < actual.length && expected[index] === actual[index]) index += 1;
  const around = (text) => JSON.stringify(text.slice(Math.max(0, index - context), index + context));
  return [
    `lengths: expected ${expected.length}, actual ${actual.length}; first difference at offset ${index}`,
    `expected …${around(expected)}…`,
    `actual   …${around(actual)}…`,
  ].join('\n');
}

/**
 * Builds a JavaScript expression that calls the self-contained function `fn` with JSON
 * arguments. Both CDP Runtime.evaluate and the WebDriver wrapper evaluate such expressions, so
 * the in-page helpers are written once as ordinary functions.
 */
export function callExpression(fn, ...args) {
  return `(${fn.toString()})(${args.map((arg) => JSON.stringify(arg)).join(', ')})`;
}

const interruptCleanups = new Set();
let interruptHandlersInstalled = false;

/**
 * Registers an async cleanup to run if the test process is interrupted (Ctrl-C, SIGTERM from a
 * CI timeout), when after-hooks would not run. Returns a function that unregisters it; call that
 * from the normal cleanup path.
 */
export function cleanupOnInterrupt(cleanup) {
  if (!interruptHandlersInstalled) {
    interruptHandlersInstalled = true;
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
      process.once(signal, async () => {
        const pending = [...interruptCleanups].map((run) => Promise.resolve().then(run).catch(() => {}));
        await Promise.race([Promise.all(pending), sleep(8_000)]);
        process.exit(130);
      });
    }
  }
  interruptCleanups.add(cleanup);
  return () => interruptCleanups.delete(cleanup);
}
