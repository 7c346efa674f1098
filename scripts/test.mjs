#!/usr/bin/env node
// Runs every test tier (or the ones named): builds the bundles, compiles the tests with tsc, then runs
// node's test runner on each tier's folder. Usage: node scripts/test.mjs [unit] [cli] [corpus] ...
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

const ALL = ['lint', 'unit', 'cli', 'corpus'];
const tiers = process.argv.slice(2).length ? process.argv.slice(2) : ALL;

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (tiers.includes('lint')) {
  // Lint and layout first: cheap, and a failure here says exactly which line.
  run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
  run(process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']);
}
run(process.execPath, ['esbuild.mjs']);
fs.rmSync('out', { recursive: true, force: true });
run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']);
const dirs = tiers.filter((t) => t !== 'lint').map((t) => `out/test/${t}`).filter((d) => fs.existsSync(d));
if (dirs.length === 0) {
  if (tiers.every((t) => t === 'lint')) process.exit(0);
  console.error(`no test folders for: ${tiers.join(', ')}`);
  process.exit(1);
}
run(process.execPath, ['--test', '--test-reporter=spec', ...dirs]);
