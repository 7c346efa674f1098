#!/usr/bin/env node
// The editor tier on desktop VS Code (Electron) through @vscode/test-electron: the same compiled mocha
// suite (out/test/editor/) that scripts/e2e/run.mjs runs in code-server. For machines that can
// download VS Code from update.code.visualstudio.com (this one cannot: use run.mjs here).
//
//   node scripts/e2e/electron.mjs               build, download VS Code (cached), run the suite
//   node scripts/e2e/electron.mjs --no-build
//   VSCODE_VERSION=1.90.0 node scripts/e2e/electron.mjs   the oldest VS Code the manifest accepts
//   VSCODE_EXECUTABLE=/path/to/code node scripts/e2e/electron.mjs   use an installed VS Code
//
// Linux without a display: run it under a virtual one, e.g. `xvfb-run -a node scripts/e2e/electron.mjs`
// (apt-get install xvfb; Electron also needs libnss3, libgtk-3-0, libgbm1, libasound2).
// The download is cached in $PACKET_TRACE_CACHE/vscode-test (default ~/.cache/packet-trace/vscode-test);
// the user-data and extensions folders are a fresh temp sandbox per run, so the machine's own VS Code
// profile and extensions are not used.
// Exit status: 0 all passed; 1 a test failed (or VS Code failed); 3 the result guard tripped (no summary,
// or no test ran); 5 setup failed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CACHE_ROOT,
  REPO,
  RESULT_ENV,
  TESTS_ENTRY,
  build,
  checkResult,
  log,
  BULK_PACKETS,
  prepareWorkspace,
} from './common.mjs';

const argv = process.argv.slice(2);
const started = Date.now();

let runTests;
try {
  if (!argv.includes('--no-build')) build();
  if (!fs.existsSync(TESTS_ENTRY)) throw new Error(`${TESTS_ENTRY} is missing: build first`);
  ({ runTests } = await import('@vscode/test-electron'));
} catch (e) {
  log(`setup failed: ${e.message}`);
  process.exit(5);
}

const sandbox = fs.mkdtempSync(path.join(os.tmpdir(), 'packet-trace-electron-'));
const workspace = prepareWorkspace(path.join(sandbox, 'workspace'), { bulkPackets: BULK_PACKETS });
const resultFile = path.join(sandbox, 'result.json');

let exitCode = 0;
try {
  await runTests({
    version: process.env.VSCODE_VERSION || 'stable',
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    cachePath: path.join(CACHE_ROOT, 'vscode-test'),
    extensionDevelopmentPath: REPO,
    extensionTestsPath: TESTS_ENTRY,
    extensionTestsEnv: { [RESULT_ENV]: resultFile },
    launchArgs: [
      workspace,
      '--disable-extensions', // other extensions off; the one under development still loads
      '--disable-telemetry',
      `--user-data-dir=${path.join(sandbox, 'user-data')}`,
      `--extensions-dir=${path.join(sandbox, 'extensions')}`,
    ],
  });
} catch (e) {
  log(`VS Code reported a failure: ${e.message}`);
  exitCode = 1;
}

const result = checkResult(resultFile);
if (result.summary) {
  const s = result.summary;
  log(
    `suite: ${s.passes} passing, ${s.failures} failing, ${s.pending ?? 0} pending; mocha ${s.durationMs} ms`,
  );
  if (s.metrics) log(`metrics: ${JSON.stringify(s.metrics)}`);
}
if (!exitCode && !result.ok) {
  log(`guard: ${result.reason}`);
  exitCode = 3;
}
if (exitCode) log(`sandbox kept for inspection: ${sandbox}`);
else fs.rmSync(sandbox, { recursive: true, force: true });
log(
  `${exitCode === 0 ? 'PASSED' : `FAILED (exit ${exitCode})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
process.exit(exitCode);
