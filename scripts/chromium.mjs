// Debian's Chromium for playwright-core (never a downloaded browser), launched the same way by the editor
// tier (scripts/e2e/run.mjs), the ladder benchmark (scripts/bench/ladder-bench.mjs) and the webview tests
// (test/webview/harness.ts). The tests import this file as tsc copies it to out/scripts/ (tsconfig.json:
// allowJs), i.e. they require() an ES module: Node 20.19 or later.
import fs from 'node:fs';
import path from 'node:path';

/** The browser of the webview tests and the ladder benchmark: CHROMIUM_PATH, else Debian's. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * The browser of the editor tier: CHROMIUM_PATH or the first of the usual places that exists.
 * @returns {string}
 */
export function findChromium() {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/lib/chromium/chromium',
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/usr/bin/google-chrome-stable',
  ].filter(Boolean);
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found)
    throw new Error(
      `no Chromium found (tried ${candidates.join(', ')}): apt-get install chromium, or set CHROMIUM_PATH`,
    );
  return found;
}

/** The arguments of ../shared/docs/code-server-e2e.md §5: no network beyond the loopback. */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
]);

/**
 * playwright-core's options to launch `executablePath` (headless unless told otherwise) with
 * CHROMIUM_ARGS, keeping its configuration and cache in `xdg` instead of the user's own folders.
 * @param {string} executablePath
 * @param {string} xdg
 * @param {{ headless?: boolean }} [options]
 */
export function launchOptions(executablePath, xdg, { headless = true } = {}) {
  return {
    executablePath,
    headless,
    args: [...CHROMIUM_ARGS],
    env: {
      ...process.env,
      XDG_CONFIG_HOME: path.join(xdg, 'config'),
      XDG_CACHE_HOME: path.join(xdg, 'cache'),
    },
  };
}
