import {
  analysisOf,
  collectFindings,
  judgeConnection,
  type AnalyzeOptions,
  type TraceAnalysis,
} from '../analyze';
import type { Connection } from '../model';
import { trackConnections, type ConnectionTable } from '../connections';
import { judgeNumbering, resolveNumbers } from '../numbering';
import { ASCII_DUMP_SAMPLE_LINES, judgeAsciiDump, MAX_UNKNOWN_LINE_PROBLEMS, RecordReader } from '../parser';
import { TraceRecord } from '../record';
import type { ParseProblem, RecordList } from '../types';
import {
  tupleIndex,
  editedParse,
  connectionIdsOf,
  sameStarts,
  adoptTuple,
  restoreNumbers,
  numbersOf,
} from './shared';

/**
 * Re-analysis after packet lines were added at the end (a capture written to the file while it is
 * open, more output pasted below): `lines` are the previous lines and more. The last record is read
 * again with everything after it (it must stay as it was: lines that continue it go the long way);
 * the new records are timed after it, numbered with their 4-tuples, and each 4-tuple they join is
 * tracked and judged again. New connections are numbered after the rest, in file order. Undefined,
 * for the caller to analyse the whole text, where the new lines could change what came before: -ttt
 * times (their reading is judged on all of them), the -S reading (judged again where its judgement
 * had not ended before them), the -A reading of a short file, where a connection starts.
 */
export function reanalyzeAppended(
  prev: TraceAnalysis,
  lines: string[],
  options: AnalyzeOptions,
): TraceAnalysis | undefined {
  const old = prev.parsed;
  const records = old.recordList;
  const last = records.at(records.length - 1);
  if (old.binary || old.asciiDump || old.hasCR !== false || !last) return undefined;
  if (old.lines.length < ASCII_DUMP_SAMPLE_LINES) {
    const judged = judgeAsciiDump(lines);
    if (judged.asciiDump !== old.asciiDump || (judged.prefixed ?? false) !== old.prefixed) return undefined;
  }
  if (old.problems.some((p) => p.span.line === 0 && p.code === 'parse.unknown-line')) return undefined;
  const forced = options.absoluteNumbers ?? old.commandNumbering;
  const absolute = forced ?? prev.absoluteNumbers;
  if (absolute !== prev.absoluteNumbers) return undefined;

  // The last record again, and the new ones after it.
  const reader = new RecordReader(lines, false, old.prefixed, old.endpoints, old.tuples, last.index);
  for (let i = last.line; i < lines.length; i++) reader.line(i);
  const { records: fresh, problems } = reader.end();
  const again = fresh.at(0);
  if (
    !again ||
    again.line !== last.line ||
    again.endLine !== last.endLine ||
    again.kind !== last.kind ||
    again.flags !== last.flags
  )
    return undefined;
  const unreadable = (list: readonly ParseProblem[]) =>
    list.filter((p) => p.code === 'parse.unknown-line' || p.code === 'parse.orphan-line').length;
  if (unreadable(old.problems) + unreadable(problems) > MAX_UNKNOWN_LINE_PROBLEMS) return undefined;
  const added: TraceRecord[] = [];
  for (let k = 1; k < fresh.length; k++) added.push(fresh.at(k)!);

  // Times, on from the last record's (a clock that passes midnight keeps counting).
  if (last.timeKind === 'delta' || added.some((r) => r.timeKind === 'delta')) return undefined;
  let lastClock = last.timeKind === 'clock' ? (last.timeValue ?? NaN) : NaN;
  let dayOffset = last.timeKind === 'clock' ? (last.time ?? 0) - (last.timeValue ?? 0) : 0;
  for (const r of added) {
    const value = r.timeValue;
    if (value === undefined) continue;
    if (r.timeKind === 'clock') {
      if (Number.isNaN(lastClock)) return undefined;
      if (value < lastClock - 43200) dayOffset += 86400;
      lastClock = value;
      r.time = value + dayOffset;
    } else r.time = value;
  }

  // Each 4-tuple the new records join: numbered, tracked and judged again.
  const all = records.appended(added);
  // The -S reading, where its judgement had not ended before the new records, judged again.
  let decidedAt = prev.numberingDecidedAt;
  if (forced === undefined && (decidedAt ?? Infinity) >= last.index) {
    const judged = judgeNumbering(all);
    if (judged.absolute !== absolute) return undefined;
    decidedAt = judged.decidedAt;
  }
  const index = tupleIndex(old.tuples, records);
  const joined = new Map<number, { indexes: number[]; before: number }>();
  for (const r of added) {
    if (r.tuple === undefined) continue;
    let entry = joined.get(r.tuple);
    if (!entry) {
      const earlier = index.of(r.tuple);
      joined.set(r.tuple, (entry = { indexes: [...earlier], before: earlier.length }));
    }
    entry.indexes.push(r.index);
  }
  const connections = prev.connections.slice();
  const connectionOf = prev.connectionOf.clone();
  const segmentOf = prev.segmentOf.clone(connections, connectionOf);
  const parsed = editedParse(old, {
    recordList: all,
    lines,
    problems: old.problems.filter((p) => p.span.line < last.line).concat(problems),
    hasCR: false,
    lineCount: lines.length,
  });
  parsed.problems.sort((a, b) => a.span.line - b.span.line || a.span.start - b.span.start);
  const started: Connection[] = [];
  const tracked: Array<{ indexes: number[]; table: ConnectionTable; ids: number[] }> = [];
  // Numbering a 4-tuple again writes its earlier records' numbers (the same, unless a new record
  // changes them): where the connections then start elsewhere, they are put back before giving up,
  // so that the previous analysis stays as it was.
  const renumbered: Array<{ tuple: RecordList; kept: Float64Array; before: number }> = [];
  const giveUp = () => {
    for (const { tuple, kept, before } of renumbered) restoreNumbers(tuple, kept, before);
    return undefined;
  };
  for (const { indexes, before } of joined.values()) {
    const tuple = all.subset(indexes);
    renumbered.push({ tuple, kept: numbersOf(tuple), before });
    resolveNumbers(tuple, absolute);
    const table = trackConnections(tuple);
    const ids = connectionIdsOf(prev, indexes.slice(0, before));
    if (table.connections.length < ids.length || !sameStarts(prev, table, ids)) return giveUp();
    for (let k = ids.length; k < table.connections.length; k++) started.push(table.connections[k]!);
    tracked.push({ indexes, table, ids });
  }
  // New connections take the next ids, in the order they start.
  started.sort((a, b) => a.firstRecord - b.firstRecord);
  const newIds = new Map(started.map((conn, k) => [conn, prev.connections.length + k + 1]));
  for (const { indexes, table, ids } of tracked) {
    const idOf = (local: number) => ids[local - 1] ?? newIds.get(table.connections[local - 1]!)!;
    adoptTuple(table, indexes, idOf, connections, connectionOf, segmentOf);
  }
  for (const { table } of tracked)
    for (const conn of table.connections) judgeConnection(conn, parsed, absolute);
  for (const r of added) if (r.tuple !== undefined) index.add(r.tuple, r.index);
  return analysisOf(parsed, {
    connections,
    segmentOf,
    connectionOf,
    findings: collectFindings(parsed, connections),
    absoluteNumbers: prev.absoluteNumbers,
    numberingDecidedAt: decidedAt,
  });
}
