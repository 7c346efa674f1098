// Diagnostic codes are stable public API: every code the core can report is one a user can re-rank in
// settings (package.json's enum) and read about in the README's table, and nothing is listed there that
// the core does not have.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { CODES } from '../../server/src/trace/codes';

const ROOT = path.resolve(__dirname, '../../..');

test("every code is in the settings' enum and the README's table, and only those", () => {
  const codes = Object.keys(CODES).sort();
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { propertyNames?: { enum?: string[] } }> } };
  };
  const setting = pkg.contributes.configuration.properties['packetTrace.diagnostics.severity'];
  assert.deepEqual([...(setting?.propertyNames?.enum ?? [])].sort(), codes);
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const table = [...readme.matchAll(/^\| `([a-z]+\.[a-z0-9-]+)` +\| (\w+) +\|/gm)].map((m) => [m[1]!, m[2]!]);
  assert.deepEqual(table.map(([code]) => code).sort(), codes);
  // Each with its default severity.
  for (const [code, severity] of table)
    assert.equal(severity, CODES[code as keyof typeof CODES].severity, `${code} in the README`);
});
