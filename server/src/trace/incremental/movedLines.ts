import { judgeConnection, type TraceAnalysis } from '../analyze';
import { TraceRecord } from '../record';
import { lowerBound } from '../search';
import type { Finding, Span } from '../types';
import { asciiReadingKept, editedAnalysis, editedParse, uniformBreaks } from './shared';
import { blankOrComment, notesBelow } from './notes';

/**
 * Re-analysis after lines were added or taken away (`lines`: the new ones), when `removed` lines from
 * line `at` of the previous text gave way to `added` lines there and each of them is blank or a `#`
 * comment between records: the usual edits of annotating a trace (a new line, a note on it, a line
 * taken away). Nothing the analysis tracks changes, only where things are: the records, problems and
 * findings below move, the packet below gets the comments above it as its annotations, and the
 * connections with anything below are judged again (their messages name lines). Undefined for any
 * other edit, and in an -A dump, whose payload lines may look like anything.
 *
 * The previous analysis's records and connections are moved and judged in place: it is not to be
 * used again (an editor's cache keeps the newest analysis only).
 */
export function reanalyzeMovedLines(
  prev: TraceAnalysis,
  lines: string[],
  at: number,
  removed: number,
  added: number,
): TraceAnalysis | undefined {
  const old = prev.parsed;
  if (old.binary || old.asciiDump || !uniformBreaks(old) || removed > 0 === added > 0) return undefined;
  for (let i = at; i < at + removed; i++) if (!blankOrComment(old.lines[i]!)) return undefined;
  for (let i = at; i < at + added; i++) if (!blankOrComment(lines[i]!)) return undefined;
  // Between records: the one above ends above the lines, the one below starts below them.
  const records = old.recordList;
  const below = lowerBound(records.length, (k) => records.at(k)!.line, at);
  const above = below > 0 ? records.at(below - 1)! : undefined;
  if (above && above.endLine >= at) return undefined;
  const next = records.at(below);
  if (next && next.line < at + removed) return undefined;
  if (!asciiReadingKept(old, lines, at)) return undefined;
  // A summary of unreadable lines on the first line stands for the whole file.
  if (old.problems.some((p) => p.span.line === 0 && p.code === 'parse.unknown-line')) return undefined;

  // From here on the previous analysis changes.
  const delta = added - removed;
  for (let k = below; k < records.length; k++) (records.at(k) as TraceRecord).moveLines(delta);
  const { record: packetBelow, notes } = notesBelow(records, lines, at);
  if (packetBelow) packetBelow.annotations = notes;
  const movedSpan = (span: Span): Span => (span.line >= at ? { ...span, line: span.line + delta } : span);
  const problems = old.problems.map((p) => (p.span.line >= at ? { ...p, span: movedSpan(p.span) } : p));
  const parsed = editedParse(old, {
    recordList: records,
    lines,
    problems,
    lineCount: lines.length,
  });
  // The connections with a record or a finding below the lines are judged again: their findings'
  // places, and the lines their messages name, moved.
  const reaches = (f: Finding) =>
    f.span.line >= at ||
    f.related.some((r) => r.span.line >= at) ||
    (f.fixes ?? []).some((fix) => fix.edits.some((e) => Math.max(e.span.line, e.endLine ?? 0) >= at));
  for (const conn of prev.connections) {
    const last = records.at(conn.lastRecord);
    // (Without findings nothing of it moves: what a connection is judged to be besides them does
    // not depend on where its lines are.)
    if (conn.findings.length > 0 && ((last && last.endLine >= at) || conn.findings.some(reaches))) {
      conn.findings = [];
      judgeConnection(conn, parsed, prev.absoluteNumbers);
    }
  }
  return editedAnalysis(prev, parsed, {
    connections: prev.connections,
    segmentOf: prev.segmentOf,
    connectionOf: prev.connectionOf,
    numberingDecidedAt: prev.numberingDecidedAt,
  });
}
