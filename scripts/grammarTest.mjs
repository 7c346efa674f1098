#!/usr/bin/env node
// Grammar tests: runs vscode-tmgrammar-test on test/grammar/*.test.trace against
// syntaxes/packet-trace.tmLanguage.json and exits non-zero when any assertion fails.
// Usage: node scripts/grammarTest.mjs [extra vscode-tmgrammar-test options, e.g. --compact]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const grammar = 'syntaxes/packet-trace.tmLanguage.json';
const testDir = 'test/grammar';
const tests = `${testDir}/*.test.trace`;

const files = fs.readdirSync(path.join(root, testDir)).filter((f) => f.endsWith('.test.trace'));
if (files.length === 0) {
  console.error(`grammar: no files match ${tests}`);
  process.exit(1);
}
// Assertion lines, as the tool recognises them: the header's comment token (#), then ^ or <-.
const assertions = files
  .map((f) => fs.readFileSync(path.join(root, testDir, f), 'utf8').split('\n'))
  .flat()
  .filter((l) => /^#\s*(\^|<~*-)/.test(l)).length;

// Resolve the CLI through the package's own bin entry, so no shell or .bin shim is needed.
const require = createRequire(import.meta.url);
const pkgJson = require.resolve('vscode-tmgrammar-test/package.json', { paths: [root] });
const { bin } = JSON.parse(fs.readFileSync(pkgJson, 'utf8'));
const cli = path.join(path.dirname(pkgJson), typeof bin === 'string' ? bin : bin['vscode-tmgrammar-test']);

// -g passes the grammar explicitly (package.json's contributes.grammars, when present, names the
// same file); the glob is passed unexpanded and expanded by the tool itself.
const args = [cli, '-g', grammar, ...process.argv.slice(2), tests];
console.log(`$ node ${path.relative(root, cli)} ${args.slice(1).join(' ')}`);
const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
if (r.error) {
  console.error(r.error.message);
  process.exit(1);
}
process.stdout.write(r.stdout);
process.stderr.write(r.stderr);

const passed = (r.stdout.match(/^✓ /gm) || []).length;
const failed = files.length - passed;
console.log(`grammar: ${files.length} files, ${assertions} assertions`);
console.log(`grammar: ${passed} passed, ${failed} failed`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
