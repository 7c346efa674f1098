/**
 * Folding ranges: a record's continuation lines (-v TCP line, dumps), comment blocks, and runs of
 * consecutive packets of one connection.
 */
import { FoldingRangeKind, type FoldingRange } from 'vscode-languageserver';
import type { TraceIndex } from './traceIndex';

export function foldingRanges(index: TraceIndex): FoldingRange[] {
  const out: FoldingRange[] = [];
  const { records, parsed } = index.analysis;
  for (const r of records)
    if (r.endLine > r.line)
      out.push({ startLine: r.line, endLine: r.endLine, kind: FoldingRangeKind.Region });
  // Comment blocks.
  const lines = parsed.lines;
  let start = -1;
  for (let i = 0; i <= lines.length; i++) {
    const isComment = i < lines.length && /^\s*#/.test(lines[i]!);
    if (isComment && start < 0) start = i;
    if (!isComment && start >= 0) {
      if (i - 1 > start) out.push({ startLine: start, endLine: i - 1, kind: FoldingRangeKind.Comment });
      start = -1;
    }
  }
  // Runs of one connection's packets, when more than one record long.
  let runStart = -1;
  let runConn: number | undefined;
  const closeRun = (endIndex: number) => {
    if (runStart >= 0 && endIndex > runStart) {
      const a = records[runStart]!;
      const b = records[endIndex]!;
      if (b.endLine > a.line && !(runStart === endIndex))
        out.push({ startLine: a.line, endLine: b.endLine, kind: FoldingRangeKind.Region });
    }
  };
  for (let i = 0; i < records.length; i++) {
    const c = index.analysis.connectionOf.get(i);
    if (c !== runConn) {
      closeRun(i - 1);
      runStart = c === undefined ? -1 : i;
      runConn = c;
    }
  }
  closeRun(records.length - 1);
  return out;
}
