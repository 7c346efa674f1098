#!/usr/bin/env node
// Runs every test tier, or the ones named, and ends with one summary line across all of them.
//   node scripts/test.mjs                      every tier, in the order below
//   node scripts/test.mjs unit lsp             just those tiers
// Tiers: lint (ESLint + Prettier), unit (the core), cli (the CLI binary), grammar (TextMate scopes),
// lsp (the real server over stdio, and Neovim when installed), robustness (property tests, fuzzing,
// linear time, bad files), webview (the ladder diagram in Chromium), corpus (../shared/corpus against
// Wireshark and the labels), editor (the extension in a real VS Code: code-server in Chromium).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ALL = ['lint', 'unit', 'cli', 'grammar', 'lsp', 'robustness', 'webview', 'corpus', 'editor'];
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ALL;
for (const t of tiers) {
  if (!ALL.includes(t)) {
    console.error(`unknown tier '${t}' (tiers: ${ALL.join(', ')})`);
    process.exit(2);
  }
}

let passed = 0;
let failed = 0;
const started = Date.now();

function run(cmd, args, options = {}) {
  return spawnSync(cmd, args, { stdio: 'inherit', ...options }).status ?? 1;
}
function must(cmd, args) {
  const status = run(cmd, args);
  if (status !== 0) finish(status);
}
function finish(status) {
  console.log(
    `\ntests: ${passed} passed, ${failed} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  process.exit(status);
}

/**
 * Runs a tier's script, passes its output on, and counts the passed and failed tests its summary line
 * (`summary`, the two counts as its groups) gives; a failing exit sets `status`. Returns the summary's
 * match, or null.
 */
function runCounted(args, summary) {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  process.stdout.write(r.stdout ?? '');
  process.stderr.write(r.stderr ?? '');
  const m = summary.exec(r.stdout ?? '');
  if (m) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  if (r.status !== 0) status = r.status ?? 1;
  return m;
}

if (tiers.includes('lint')) {
  // Lint and layout first: cheap, and a failure here says exactly which line.
  must(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
  must(process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']);
  // The webview compiles with the DOM library, in its own project.
  must(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'webview/tsconfig.json', '--noEmit']);
  // The common line's WebAssembly, as its source compiles now.
  must(process.execPath, ['scripts/build-wasm.mjs', '--check']);
}
must(process.execPath, ['esbuild.mjs']);
fs.rmSync('out', { recursive: true, force: true });
must(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);

let status = 0;
const nodeTiers = tiers.filter((t) => ['unit', 'cli', 'lsp', 'robustness', 'webview', 'corpus'].includes(t));
if (nodeTiers.length) {
  // Node's runner: the spec report for people, TAP in a file for the counts.
  const tapDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-test-'));
  const tap = path.join(tapDir, 'report.tap');
  const dirs = nodeTiers.map((t) => `out/test/${t}`).filter((d) => fs.existsSync(d));
  const s = run(process.execPath, [
    '--test',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tap}`,
    ...dirs,
  ]);
  const text = fs.existsSync(tap) ? fs.readFileSync(tap, 'utf8') : '';
  fs.rmSync(tapDir, { recursive: true, force: true });
  const count = (label) => Number((text.match(new RegExp(`^# ${label} (\\d+)$`, 'm')) ?? [])[1] ?? 0);
  passed += count('pass');
  failed += count('fail');
  if (s !== 0) status = s;
}
if (tiers.includes('grammar')) runCounted(['scripts/grammarTest.mjs'], /grammar: (\d+) passed, (\d+) failed/);
if (tiers.includes('editor')) {
  // Installs code-server (and on a fresh machine its apt packages) once into a cache outside the repo.
  const setup = run('bash', ['scripts/e2e/setup-code-server.sh'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (setup !== 0) {
    failed++;
    status = setup;
  } else {
    const m = runCounted(['scripts/e2e/run.mjs', '--no-build'], /suite: (\d+) passing, (\d+) failing/);
    // The launcher fails when no test ran; say so here too.
    if (!m || Number(m[1]) === 0) failed++;
  }
}
finish(status !== 0 || failed > 0 ? status || 1 : 0);
