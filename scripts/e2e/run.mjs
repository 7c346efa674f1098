#!/usr/bin/env node
// The editor tier: the mocha suite in test/editor/ inside a real VS Code (code-server 4.100.3, i.e. VS
// Code 1.100.3, served to headless Debian Chromium driven by playwright-core), then UI checks with
// screenshots in the same browser session. Recipe and measurements: ../shared/docs/code-server-e2e.md.
//
//   node scripts/e2e/run.mjs              build, run the suite, then the UI checks
//   node scripts/e2e/run.mjs --no-build   dist/ and out/test/editor/ are already built
//   node scripts/e2e/run.mjs --tests-only | --ui-only
//   node scripts/e2e/run.mjs --vsix FILE  test the packaged extension (installed into the sandbox)
//   node scripts/e2e/run.mjs --keep       keep the sandbox (logs) even when everything passed
//
// Environment: PACKET_TRACE_CACHE (code-server cache root, default ~/.cache/packet-trace),
// CODE_SERVER_BIN, CHROMIUM_PATH, E2E_TIMEOUT_MS (suite timeout, default 300000), E2E_VERBOSE=1 (print
// the workbench's log too), E2E_TESTS_ENTRY (another test entry; used to check the result guard).
// Exit status: 0 all passed; 1 a test failed; 2 the suite timed out; 3 the result guard tripped (no
// test ran, or no summary); 4 a UI check failed; 5 setup failed (build, code-server, browser).
// Screenshots go to test-results/ (gitignored).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { findChromium, launchOptions } from '../chromium.mjs';
import {
  REPO,
  RESULTS_DIR,
  RESULT_ENV,
  TESTS_ENTRY,
  build,
  checkResult,
  codeServerProfile,
  ensureCodeServer,
  findFiles,
  freePort,
  log,
  BULK_PACKETS,
  prepareWorkspace,
  serveArgs,
} from './common.mjs';

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const option = (name) => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const runTests = !flag('--ui-only');
const runUi = !flag('--tests-only');
const vsix = option('--vsix') ? path.resolve(option('--vsix')) : undefined;
/** Prefixed by the test bootstrap to mocha's lines (test/editor/index.ts). */
const LOG_MARKER = '\u2063[editor-test] ';
const SUITE_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_MS || 300_000);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

let server;
let context;
let sandbox;
let exitCode = 0;
/** The workbench's error lines, printed when the run fails (e.g. a test entry that throws on load). */
const workbenchErrors = [];

async function main() {
  // ---- setup ----------------------------------------------------------------------------------------
  try {
    if (!flag('--no-build')) build();
    if (runTests && !fs.existsSync(TESTS_ENTRY)) throw new Error(`${TESTS_ENTRY} is missing: build first`);
  } catch (e) {
    log(`build failed: ${e.message}`);
    return 5;
  }
  let codeServer, chromiumPath, chromium;
  try {
    codeServer = ensureCodeServer();
    chromiumPath = findChromium();
    ({ chromium } = await import('playwright-core'));
  } catch (e) {
    log(`setup failed: ${e.message}`);
    return 5;
  }

  for (const f of fs.existsSync(RESULTS_DIR) ? fs.readdirSync(RESULTS_DIR) : [])
    if (/^editor-.*\.png$/.test(f)) fs.rmSync(path.join(RESULTS_DIR, f)); // no stale pictures
  sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'packet-trace-e2e-'));
  const dirs = {
    userData: path.join(sandbox, 'user-data'),
    extensions: path.join(sandbox, 'extensions'),
    xdg: path.join(sandbox, 'xdg'),
    browser: path.join(sandbox, 'browser-profile'),
  };
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.writeFileSync(
    path.join(dirs.userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.reduceMotion': 'on',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'telemetry.telemetryLevel': 'off',
        'extensions.autoUpdate': false,
        'extensions.autoCheckUpdates': false,
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'chat.disableAIFeatures': true,
        'editor.hover.delay': 100,
      },
      null,
      2,
    ),
  );
  const profile = codeServerProfile(path.join(sandbox, 'config.yaml'), dirs);
  const resultFile = path.join(sandbox, 'result.json');
  const env = { ...profile.env, [RESULT_ENV]: resultFile, PACKET_TRACE_E2E_LOG_MARKER: LOG_MARKER };
  const csArgs = profile.args;

  // The extension under test: this folder in development mode, or the packaged .vsix installed.
  let devPath = REPO;
  if (vsix) {
    const r = spawnSync(codeServer, [...csArgs, '--install-extension', vsix], { env, encoding: 'utf8' });
    if (r.status !== 0) {
      log(`installing ${vsix} failed:\n${r.stdout}${r.stderr}`);
      return 5;
    }
    devPath = path.join(sandbox, 'no-development-extension');
    fs.mkdirSync(devPath);
    log(`installed ${path.basename(vsix)} into the sandbox`);
  }

  const port = await freePort();
  const authority = `127.0.0.1:${port}`;
  const base = `http://${authority}`;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const serverLog = fs.openSync(path.join(sandbox, 'code-server.log'), 'w');
  server = spawn(codeServer, [...csArgs, ...serveArgs(authority), '--ignore-last-opened'], {
    env,
    detached: true,
    stdio: ['ignore', serverLog, serverLog],
  });
  const serverExited = new Promise((resolve) =>
    server.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const healthy = await waitHealthy(`${base}/healthz`, serverExited);
  if (!healthy) {
    log(
      `code-server did not come up; its log:\n${fs.readFileSync(path.join(sandbox, 'code-server.log'), 'utf8')}`,
    );
    return 5;
  }
  log(`code-server ${authority} up (${elapsed()})`);

  context = await chromium.launchPersistentContext(dirs.browser, {
    ...launchOptions(chromiumPath, dirs.xdg, { headless: !flag('--headed') }),
    viewport: { width: 1400, height: 900 },
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = context.pages()[0] ?? (await context.newPage());

  // The workbench reports the extension tests' end through window.codeAutomationExit(code), and
  // forwards its log (with the extension host's console, i.e. mocha's reporter) to codeAutomationLog.
  let onExit = () => {};
  let echo = false;
  await page.exposeFunction('codeAutomationExit', (code) => onExit(code));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (!echo) return;
    const text = Array.isArray(args) ? util.format(...args) : String(args);
    printHostLine(type, text);
  });

  // ---- phase 1: the mocha suite in the extension host --------------------------------------------------
  if (runTests) {
    const ws = prepareWorkspace(path.join(sandbox, 'workspace-tests'), { bulkPackets: BULK_PACKETS });
    const payload = [
      ['extensionDevelopmentPath', remote(devPath)],
      ['extensionTestsPath', remote(TESTS_ENTRY)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ];
    const exited = new Promise((resolve) => (onExit = resolve));
    echo = true;
    const t0 = Date.now();
    log(`phase 1: editor suite in VS Code (extension ${vsix ? 'from the .vsix' : 'in development mode'})`);
    await page.goto(
      `${base}/?folder=${encodeURIComponent(ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`,
    );
    const code = await Promise.race([
      exited,
      new Promise((resolve) => setTimeout(() => resolve('timeout'), SUITE_TIMEOUT_MS)),
    ]);
    echo = false;
    const wall = ((Date.now() - t0) / 1000).toFixed(1);
    const result = checkResult(resultFile);
    if (result.summary) {
      const s = result.summary;
      log(
        `suite: ${s.passes} passing, ${s.failures} failing, ${s.pending ?? 0} pending; mocha ${s.durationMs} ms; page load to exit ${wall} s`,
      );
      if (s.metrics) log(`metrics: ${JSON.stringify(s.metrics)}`);
    }
    if (code === 'timeout') {
      log(`the suite did not finish within ${SUITE_TIMEOUT_MS} ms`);
      exitCode = 2;
    } else if (code !== 0) {
      log(`the workbench reported exit code ${code}`);
      exitCode = 1;
    } else if (!result.ok) {
      log(`guard: ${result.reason}`);
      exitCode = 3;
    }
    if (exitCode) {
      await page.screenshot({ path: shot('editor-suite-failure.png') }).catch(() => {});
      return exitCode;
    }
  }

  // ---- phase 2: what a user sees, in the same browser -------------------------------------------------
  if (runUi) {
    const ws = prepareWorkspace(path.join(sandbox, 'workspace-ui'));
    const payload = vsix ? [] : [['extensionDevelopmentPath', remote(devPath)]];
    const query = payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : '';
    log('phase 2: UI checks');
    const t0 = Date.now();
    try {
      await uiChecks(page, `${base}/?folder=${encodeURIComponent(ws)}${query}`, ws);
      log(`UI checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } catch (e) {
      log(`UI check failed: ${e.message}`);
      await page.screenshot({ path: shot('editor-ui-failure.png') }).catch(() => {});
      return 4;
    }
  }
  return 0;
}

function shot(name) {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  return path.join(RESULTS_DIR, name);
}

// The workbench forwards every log line, the extension host's console among them: print mocha's
// (marked by the bootstrap) and, with E2E_VERBOSE=1, everything else.
function printHostLine(type, text) {
  const lines = text.split('\n');
  if (lines.some((l) => l.includes(LOG_MARKER))) {
    for (const l of lines) console.log(l.slice(l.indexOf(LOG_MARKER) + LOG_MARKER.length));
    return;
  }
  if (process.env.E2E_VERBOSE) console.log(`[workbench ${type}] ${text}`);
  else if (type === 'error') workbenchErrors.push(text);
}

async function waitHealthy(url, exited) {
  let dead = false;
  exited.then(() => (dead = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !dead) {
    try {
      const r = await fetch(url);
      if (r.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The squiggle, the Problems row and the flag hover, each with a screenshot for people to look at. */
async function uiChecks(page, url, ws) {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });

  const openFile = async (name) => {
    const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
    await page.locator('.monaco-editor .view-lines').first().waitFor();
  };
  const goTo = async (line, column) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  };

  // 1. The squiggle under the wrong ack, the code lens and the status bar item.
  await openFile('mistakes-to-fix.trace');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible', timeout: 30_000 });
  await page
    .locator('.monaco-editor .codelens-decoration', { hasText: '#1 ' })
    .first()
    .waitFor({ timeout: 15_000 });
  await page.locator('.statusbar-item', { hasText: '3 connections' }).first().waitFor({ timeout: 15_000 });
  await page.waitForTimeout(300); // let the lens and squiggles settle for the picture
  await page.screenshot({ path: shot('editor-squiggle.png') });
  log('  squiggle, code lens and status bar item visible: test-results/editor-squiggle.png');

  // 2. The Problems panel lists the findings.
  await page.keyboard.press('Control+Shift+M');
  const row = page
    .locator('.markers-panel .monaco-list-row', { hasText: 'SYN-ACK acknowledges 1000' })
    .first();
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await page
    .locator('.markers-panel .monaco-list-row', { hasText: 'handshake never completed' })
    .first()
    .waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: shot('editor-problems.png') });
  log('  Problems panel rows visible: test-results/editor-problems.png');

  // 3. Hovering the [S.] flags of a SYN-ACK explains them.
  const name = 'http-keepalive-fin.trace';
  const lines = fs.readFileSync(path.join(ws, name), 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes('Flags [S.]'));
  const column = lines[line].indexOf('Flags [S.]') + 'Flags ['.length + 1;
  await openFile(name);
  await goTo(line + 1, column);
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hover = page.locator('.monaco-hover:visible', { hasText: 'SYN + ACK' }).first();
  await hover.waitFor({ timeout: 15_000 });
  await page.waitForTimeout(600); // the hover fades in
  const text = await hover.innerText();
  if (!/step 2 of the three-way handshake/.test(text)) throw new Error(`hover text: ${text}`);
  await page.screenshot({ path: shot('editor-hover.png') });
  log('  hover on [S.] shows "SYN + ACK": test-results/editor-hover.png');

  // 4. The ladder diagram beside the editor (Packet Trace: Show Ladder), linked both ways, and back
  //    after a reload. The webview is two nested iframes (code-server-e2e.md §6): the visible one.
  const runCommand = async (title) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: title })
      .first()
      .waitFor({ timeout: 15_000 });
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  };
  const ladder = () =>
    page
      .locator('iframe.webview.ready:visible')
      .last()
      .contentFrame()
      .locator('iframe#active-frame')
      .contentFrame();
  const focusFirstGroup = () => page.keyboard.press('Control+1');
  const toggleSideBar = () => page.keyboard.press('Control+B');
  /** Gives the ladder's editor group `px` more width, by dragging the sash between the groups. */
  const widenLadder = async (px) => {
    const sashes = page.locator('.part.editor .monaco-sash.vertical');
    for (let i = 0; i < (await sashes.count()); i++) {
      const box = await sashes.nth(i).boundingBox();
      if (!box || box.height < 200) continue;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width / 2 - px, box.y + box.height / 2, { steps: 8 });
      await page.mouse.up();
      return;
    }
  };

  await page.keyboard.press('Control+J'); // the Problems panel from step 2 goes: room for the diagram
  await focusFirstGroup();
  await openFile('seed-handshake.trace');
  await goTo(4, 1); // the SYN-ACK
  await runCommand('Packet Trace: Show Ladder');
  await ladder().locator('#ladder .row.arrow').nth(2).waitFor({ timeout: 60_000 });
  const seedArrows = await ladder().locator('#ladder .row.arrow').count();
  if (seedArrows !== 3) throw new Error(`seed handshake: ${seedArrows} arrows, expected 3`);
  const verdict = await ladder().locator('#verdict').textContent();
  if (verdict !== 'handshake complete · still open at the end of the trace')
    throw new Error(`verdict: ${verdict}`);
  await ladder().locator('#ladder .row.arrow.selected[data-line="3"]').waitFor({ timeout: 10_000 });
  // A click on the final ACK's arrow selects its line (line 5) in the editor.
  await ladder().locator('#ladder .row.arrow[data-line="4"] .label').click();
  await ladder().locator('#ladder .row.arrow.selected[data-line="4"]').waitFor({ timeout: 10_000 });
  // The editor's cursor position shows in the status bar while it has the focus. (Once in about ten
  // runs the status bar did not show it within 15 s of one Ctrl+1 from the webview: the key is
  // pressed again, and a failure says what the status bar showed.)
  const selectedLine5 = /Ln 5, Col \d+ \(\d+ selected\)/;
  let shown = false;
  for (let attempt = 0; attempt < 3 && !shown; attempt++) {
    await focusFirstGroup();
    shown = await page
      .locator('.statusbar-item', { hasText: selectedLine5 })
      .first()
      .waitFor({ timeout: 8_000 })
      .then(
        () => true,
        () => false,
      );
  }
  if (!shown) {
    const items = await page.locator('.statusbar-item').allTextContents();
    throw new Error(`after a click on the ladder's line 5, the status bar shows: ${items.join(' | ')}`);
  }
  await page.mouse.move(300, 700); // no tooltip over the picture
  await toggleSideBar();
  await widenLadder(240);
  await page.waitForTimeout(800);
  await page.screenshot({ path: shot('editor-ladder-seed.png') });
  await toggleSideBar();
  log(
    '  ladder of the seed handshake beside the editor, click -> line 5: test-results/editor-ladder-seed.png',
  );

  await focusFirstGroup();
  await openFile('lossy-transfer.trace');
  const lossy = fs.readFileSync(path.join(ws, 'lossy-transfer.trace'), 'utf8').split('\n');
  const firstDup = lossy.findIndex((l, i) => i > 148 && /Flags \[\.\], ack 56473, win 124, .*sack 1/.test(l));
  await goTo((firstDup > 0 ? firstDup : 150) + 1, 1);
  await runCommand('Packet Trace: Show Ladder');
  // Its own diagram, not the seed handshake's still on the screen while the new panel comes up (a CI
  // run read the seed's, without a badge, once): wait for a finding only the lossy transfer has.
  await ladder().locator('#ladder .badge', { hasText: 'out-of-order' }).first().waitFor({ timeout: 60_000 });
  await ladder().locator('#ladder .row.arrow.selected').waitFor({ timeout: 60_000 });
  const badges = await ladder().locator('#ladder .badge').allTextContents();
  if (!badges.some((b) => /^dup ACK #\d+$/.test(b)) || !badges.includes('out-of-order'))
    throw new Error(`lossy transfer: findings on arrows: ${badges.join(', ')}`);
  const footer = await ladder().locator('#status').textContent();
  if (!/\d+ in \d+ collapsed runs?/.test(footer ?? '')) throw new Error(`lossy transfer footer: ${footer}`);
  await page.mouse.move(300, 700);
  await toggleSideBar();
  await page.waitForTimeout(800);
  await page.screenshot({ path: shot('editor-ladder-lossy.png') });
  log(
    '  ladder of the lossy transfer (dup ACKs, out-of-order, collapsed runs): test-results/editor-ladder-lossy.png',
  );

  // After a reload the panel comes back (WebviewPanelSerializer + the webview's saved state). Which
  // ladder tab the workbench restores depends on when it last saved its layout: either will do.
  await page.waitForTimeout(1500);
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const restored = page
    .locator('.tab', { hasText: /Ladder: (lossy-transfer|seed-handshake)\.trace/ })
    .first();
  await restored.waitFor({ timeout: 30_000 });
  await ladder().locator('#ladder .row.arrow').first().waitFor({ timeout: 60_000 });
  await ladder().locator('#ladder .row.arrow.selected').waitFor({ timeout: 10_000 });
  log(`  "${(await restored.textContent())?.trim()}" is restored after a reload, with its selection`);
}

async function teardown() {
  await context?.close().catch(() => {});
  if (server?.pid && server.exitCode === null) {
    try {
      process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const gone = await Promise.race([
      new Promise((r) => server.once('exit', () => r(true))),
      new Promise((r) => setTimeout(() => r(false), 5000)),
    ]);
    if (!gone) {
      try {
        process.kill(-server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function printLogsOnFailure() {
  if (workbenchErrors.length) {
    console.log(`----- workbench errors (last 20 of ${workbenchErrors.length}) -----`);
    console.log(workbenchErrors.slice(-20).join('\n'));
  }
  if (!sandbox) return;
  const logs = findFiles(
    path.join(sandbox, 'user-data', 'logs'),
    (n, p) => n === 'remoteexthost.log' || (/Packet Trace/.test(n) && p.includes('output_')),
  );
  for (const f of logs) {
    const text = fs.readFileSync(f, 'utf8');
    console.log(`----- ${path.relative(sandbox, f)} (last 60 lines) -----`);
    console.log(text.split('\n').slice(-60).join('\n'));
  }
  log(`sandbox kept for inspection: ${sandbox}`);
}

const interrupt = async () => {
  await teardown();
  process.exit(130);
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

try {
  exitCode = await main();
} catch (e) {
  log(`error: ${e.stack ?? e}`);
  exitCode = exitCode || 5;
}
await teardown();
if (exitCode !== 0) printLogsOnFailure();
else if (sandbox && !flag('--keep')) fs.rmSync(sandbox, { recursive: true, force: true });
else if (sandbox) log(`sandbox kept: ${sandbox}`);
log(`${exitCode === 0 ? 'PASSED' : `FAILED (exit ${exitCode})`} in ${elapsed()}`);
process.exit(exitCode);
