// The CLI analyses for its report alone (AnalyzeOptions.reportOnly: no endpoint states, relative
// numbers, ack links, record lookups or checkpoints, which only editor features read). Its reports must
// be what the full analysis gives, in every format: on every rendering of every corpus capture, the
// project's own captures, the examples and the test fixtures.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeTrace, jsonReport, sarifReport, textReport } from '../../server/src/trace/index';

const ROOT = path.join(__dirname, '../../..');
const FOLDERS = [
  path.join(ROOT, '../shared/corpus'),
  path.join(ROOT, 'test/differential'),
  path.join(ROOT, 'examples'),
  path.join(ROOT, 'test/fixtures'),
];

function tracesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tracesUnder(p);
    return e.name.endsWith('.trace') ? [p] : [];
  });
}

test('a report-only analysis reports what the full analysis reports, in JSON, SARIF and text', () => {
  const files = FOLDERS.flatMap(tracesUnder);
  assert.ok(files.length > 100, `only ${files.length} traces found`);
  let findings = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const full = [{ file, analysis: analyzeTrace(text) }];
    const lean = [{ file, analysis: analyzeTrace(text, { reportOnly: true }) }];
    assert.equal(jsonReport(lean), jsonReport(full), file);
    assert.equal(sarifReport(lean, '0'), sarifReport(full, '0'), file);
    assert.equal(textReport(lean), textReport(full), file);
    findings += full[0]!.analysis.findings.length;
  }
  assert.ok(findings > 1000, `only ${findings} findings compared`);
});
