// The analyses that make less than the full one, against it, on every rendering of every corpus
// capture, the project's own captures, the examples and the test fixtures:
// - the CLI analyses for its report alone (AnalyzeOptions.reportOnly: no endpoint states, relative
//   numbers, ack links, record lookups or checkpoints, which only editor features read), and its
//   reports must be what the full analysis gives, in every format;
// - the language server publishes a new document's diagnostics from an analysis of its findings alone
//   (AnalyzeOptions.findingsOnly), then makes the full analysis from the same parse (completeAnalysis):
//   the diagnostics must be the full analysis's, and the completed analysis the full one, field by
//   field.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import {
  analyzeTrace,
  completeAnalysis,
  jsonReport,
  sarifReport,
  textReport,
  type TraceAnalysis,
} from '../../server/src/trace/index';
import { modelOf } from '../../scripts/model-data.mjs';

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

/** What the record lookups say of every record: its connection and its segment's place in it. */
function lookups(a: TraceAnalysis): Array<[number | undefined, number | undefined]> {
  return a.records.map((r) => [a.connectionOf.get(r.index), a.segmentOf.get(r.index)?.record.index]);
}

test('the findings-only analysis finds what the full one finds, and completed it is the full one', () => {
  const files = FOLDERS.flatMap(tracesUnder);
  assert.ok(files.length > 100, `only ${files.length} traces found`);
  let findings = 0;
  let segments = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const full = analyzeTrace(text);
    const first = analyzeTrace(text, { findingsOnly: true });
    assert.deepEqual(first.findings, full.findings, `${file}: the findings`);
    const completed = completeAnalysis(first);
    assert.equal(completed.parsed, first.parsed, `${file}: the parse is the first analysis's`);
    assert.equal(
      jsonReport([{ file, analysis: completed }]),
      jsonReport([{ file, analysis: full }]),
      `${file}: the report`,
    );
    assert.deepEqual(modelOf(completed), modelOf(full), `${file}: the model`);
    assert.deepEqual(lookups(completed), lookups(full), `${file}: the lookups by record`);
    assert.equal(completed.absoluteNumbers, full.absoluteNumbers, file);
    assert.equal(completed.numberingDecidedAt, full.numberingDecidedAt, file);
    findings += full.findings.length;
    for (const c of full.connections) segments += c.segments.length;
  }
  assert.ok(findings > 1000, `only ${findings} findings compared`);
  assert.ok(segments > 10000, `only ${segments} segments compared`);
});

test('the findings-only analysis leaves out what only the editor features read', () => {
  const text = fs.readFileSync(path.join(ROOT, 'examples/lossy-transfer.trace'), 'utf8');
  const first = analyzeTrace(text, { findingsOnly: true });
  const full = analyzeTrace(text);
  assert.ok(full.connections.length > 0);
  // No Zeek summary (a report-only analysis has one: the CLI prints it), no lookups by record.
  assert.ok(full.connections.every((c) => c.history !== ''));
  assert.ok(first.connections.every((c) => c.history === ''));
  // Nor its segments once judged (the checks have read them).
  assert.ok(full.connections.every((c) => c.segments.length > 0));
  assert.ok(first.connections.every((c) => c.segments.length === 0));
  const opening = full.connections[0]!.firstRecord;
  assert.equal(full.connectionOf.get(opening), full.connections[0]!.id);
  assert.equal(first.connectionOf.get(opening), undefined);
});
