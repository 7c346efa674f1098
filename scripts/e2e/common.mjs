// Shared by the editor-test launchers (run.mjs: code-server + Chromium; electron.mjs: desktop VS Code)
// and by scripts/start.mjs: paths, the build, the throwaway workspace, the result-file guard.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bulkTransferTrace } from '../bench/bulk-transfer.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER_VERSION = '4.100.3';
export const CACHE_ROOT = process.env.PACKET_TRACE_CACHE || path.join(os.homedir(), '.cache', 'packet-trace');
export const CODE_SERVER_BIN = path.join(
  CACHE_ROOT,
  `code-server-${CODE_SERVER_VERSION}`,
  'node_modules',
  '.bin',
  'code-server',
);
/** The compiled test bootstrap; E2E_TESTS_ENTRY points elsewhere (used to check the launchers' guards). */
export const TESTS_ENTRY = process.env.E2E_TESTS_ENTRY
  ? path.resolve(process.env.E2E_TESTS_ENTRY)
  : path.join(REPO, 'out', 'test', 'editor', 'index.js');
export const RESULTS_DIR = path.join(REPO, 'test-results');
/** The env var through which the extension host's test bootstrap reports {failures, passes}. */
export const RESULT_ENV = 'PACKET_TRACE_E2E_RESULT';

export function log(...args) {
  console.log('[e2e]', ...args);
}

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: REPO, ...opts });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
  }
  return r;
}

/**
 * Development bundles (dist/) and the compiled editor tests (out/test/editor/, through
 * test/editor/tsconfig.json: only these tests and what they import, so another tier's half-written
 * test cannot stop this one).
 */
export function build({ production = false } = {}) {
  const t0 = Date.now();
  run(process.execPath, ['esbuild.mjs', ...(production ? ['--production'] : [])]);
  run(process.execPath, [
    path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    path.join('test', 'editor', 'tsconfig.json'),
  ]);
  log(`built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Installs code-server into the cache when it is missing (scripts/e2e/setup-code-server.sh). */
export function ensureCodeServer() {
  if (process.env.CODE_SERVER_BIN) return process.env.CODE_SERVER_BIN;
  if (
    fs.existsSync(CODE_SERVER_BIN) &&
    fs.existsSync(path.join(path.dirname(CODE_SERVER_BIN), '..', '..', '.install-complete'))
  )
    return CODE_SERVER_BIN;
  log(`code-server ${CODE_SERVER_VERSION} is not in ${CACHE_ROOT}: installing it (once)`);
  const r = spawnSync('bash', [path.join(REPO, 'scripts', 'e2e', 'setup-code-server.sh')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error('scripts/e2e/setup-code-server.sh failed');
  return r.stdout.trim().split('\n').pop();
}

/**
 * A fresh copy of examples/ to open as the workspace: the tests edit files and settings. With
 * `bulkPackets`, also `bulk-transfer.trace`, one connection of that many packets (the editor suite
 * times the language server and the ladder on it).
 */
export function prepareWorkspace(dir, { bulkPackets } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(path.join(REPO, 'examples')))
    if (f.endsWith('.trace')) fs.copyFileSync(path.join(REPO, 'examples', f), path.join(dir, f));
  if (bulkPackets) fs.writeFileSync(path.join(dir, BULK_TRACE), bulkTransferTrace(bulkPackets));
  return dir;
}

/** The large trace of prepareWorkspace's `bulkPackets`. */
export const BULK_TRACE = 'bulk-transfer.trace';
/** How many packets the editor suite's large trace has. */
export const BULK_PACKETS = 100000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * The guard against false greens: the workbench reports success whenever the test entry's run()
 * resolves, even if no test ran. Success needs the summary file with no failure and some passes.
 */
export function checkResult(file) {
  if (!fs.existsSync(file)) return { ok: false, reason: 'no result file: the test bootstrap never finished' };
  let summary;
  try {
    summary = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, reason: `unreadable result file: ${e}` };
  }
  if (summary.failures !== 0) return { ok: false, summary, reason: `${summary.failures} test(s) failed` };
  if (!(summary.passes > 0)) return { ok: false, summary, reason: 'no test ran' };
  return { ok: true, summary };
}

/**
 * A code-server profile of its own in `dirs` ({ userData, extensions, xdg }): `configFile` written
 * (loopback, no password, no TLS), the environment that keeps code-server's XDG folders in dirs.xdg
 * and asks no marketplace, and the arguments that name the config and the profile's folders.
 */
export function codeServerProfile(configFile, dirs) {
  fs.writeFileSync(configFile, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dirs.xdg, 'config'),
    XDG_DATA_HOME: path.join(dirs.xdg, 'data'),
    XDG_CACHE_HOME: path.join(dirs.xdg, 'cache'),
    EXTENSIONS_GALLERY: '{}', // no marketplace, no requests
  };
  const args = [
    '--config',
    configFile,
    '--user-data-dir',
    dirs.userData,
    '--extensions-dir',
    dirs.extensions,
  ];
  return { env, args };
}

/**
 * code-server's arguments to serve on `bindAddr` without a password, telemetry, update checks, workspace
 * trust or the welcome page.
 */
export function serveArgs(bindAddr) {
  return [
    '--bind-addr',
    bindAddr,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
}

/** Files under dir matching a name, recursively (for collecting logs). */
export function findFiles(dir, test, out = []) {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, test, out);
    else if (test(e.name, p)) out.push(p);
  }
  return out;
}
