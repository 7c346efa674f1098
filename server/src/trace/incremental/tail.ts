import { judgeConnection, type AnalyzeOptions, type TraceAnalysis } from '../analyze';
import type { Connection } from '../model';
import { trackConnections, type ConnectionTable } from '../connections';
import { judgeNumbering, resolveNumbers } from '../numbering';
import { MAX_UNKNOWN_LINE_PROBLEMS } from '../parser';
import { lowerBound } from '../search';
import type { PacketRecord, RecordList } from '../types';
import {
  tupleIndex,
  editedParse,
  connectionIdsOf,
  sameStarts,
  adoptTuple,
  restoreNumbers,
  clearNumbers,
  numbersOf,
  readingsKept,
  editedAnalysis,
  uniformBreaks,
  readerIn,
  timedOnFrom,
  keptDeltaReading,
  unreadableLines,
} from './shared';

/**
 * Re-analysis after lines changed at the end: `lines` are the previous ones up to line `at`, then new
 * ones, and no record started in the previous lines after the change (blank lines or notes at most).
 * Packet lines appended (a capture written to the file while it is open, more output pasted below),
 * taken away at the end (the undo of a paste, a cut), or a last record edited with its line count
 * changed. The records from the last one that starts before `at` on are read again (it may continue
 * into the new lines); they are timed on from the record before them, numbered with their 4-tuples,
 * and each 4-tuple they join or leave is tracked and judged again. Connections that started in them
 * are numbered after the rest, in file order. Undefined, for the caller to analyse the whole text,
 * where the change could reach what came before: the reading of -ttt/-ttttt deltas (judged on all of
 * them) or the -S reading (judged again where its judgement had not ended before the change) flipping,
 * the -A reading of a short file, where a connection before the change starts.
 */
export function reanalyzeTail(
  prev: TraceAnalysis,
  lines: string[],
  at: number,
  options: AnalyzeOptions,
): TraceAnalysis | undefined {
  const old = prev.parsed;
  const records = old.recordList;
  if (old.binary || !uniformBreaks(old)) return undefined;
  // The first record read again: the last that starts before the change (the one before it, which
  // ends before it, times the new ones). A change above the second record goes the long way.
  const from = lowerBound(records.length, (k) => records.at(k)!.line, at) - 1;
  const first = records.at(from);
  const previous = records.at(from - 1);
  if (!first || !previous) return undefined;
  const readings = readingsKept(prev, lines, at, options);
  if (!readings) return undefined;
  const { forced, absolute } = readings;

  // The records from `first` on, read again.
  const reader = readerIn(old, lines, first.index);
  for (let i = first.line; i < lines.length; i++) reader.line(i);
  const { records: fresh, problems } = reader.end();
  const again = fresh.at(0);
  // The notes above `first` are the same lines as before, which the reader did not see.
  if (!again || again.line !== first.line) return undefined;
  again.annotations = first.annotations;
  const keptProblems = old.problems.filter((p) => p.span.line < first.line);
  if (unreadableLines(keptProblems) + unreadableLines(problems) > MAX_UNKNOWN_LINE_PROBLEMS) return undefined;
  const added = fresh.array();
  const removed: PacketRecord[] = [];
  for (let k = from; k < records.length; k++) removed.push(records.at(k)!);

  const all = records.truncated(from).appended(added);
  // Times, on from the record before (-ttt deltas summed on from it, where the reading stays).
  if (!timedOnFrom(previous, added, removed, () => keptDeltaReading(records, all))) return undefined;

  // The -S reading, where its judgement had not ended before the change, judged again.
  let decidedAt = prev.numberingDecidedAt;
  if (forced === undefined && (decidedAt ?? Infinity) >= from) {
    const judged = judgeNumbering(all);
    if (judged.absolute !== absolute) return undefined;
    decidedAt = judged.decidedAt;
  }
  // Each 4-tuple the records read again leave or join: its records before them, and theirs.
  const index = tupleIndex(old.tuples, records);
  const touched = new Map<number, { indexes: number[]; before: number }>();
  const touch = (tuple: number) => {
    let entry = touched.get(tuple);
    if (!entry) {
      const earlier = index.of(tuple);
      const count = lowerBound(earlier.length, (k) => earlier[k]!, from);
      touched.set(tuple, (entry = { indexes: earlier.slice(0, count), before: count }));
    }
    return entry;
  };
  for (const r of removed) if (r.tuple !== undefined) touch(r.tuple);
  for (const r of added) if (r.tuple !== undefined) touch(r.tuple).indexes.push(r.index);
  // The connections that started before the change keep their ids (numbered in file order).
  const keptConnections = lowerBound(prev.connections.length, (k) => prev.connections[k]!.firstRecord, from);
  const connections = prev.connections.slice(0, keptConnections);
  const connectionOf = prev.connectionOf.clone(from);
  const segmentOf = prev.segmentOf.clone(connections, connectionOf, from);
  const parsed = editedParse(old, {
    recordList: all,
    lines,
    problems: keptProblems.concat(problems),
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
  for (const { indexes, before } of touched.values()) {
    const tuple = all.subset(indexes);
    renumbered.push({ tuple, kept: numbersOf(tuple), before });
    clearNumbers(tuple);
    resolveNumbers(tuple, absolute);
    const table = trackConnections(tuple);
    const ids = connectionIdsOf(prev, indexes.slice(0, before));
    if (table.connections.length < ids.length || !sameStarts(prev, table, ids)) return giveUp();
    for (let k = ids.length; k < table.connections.length; k++) started.push(table.connections[k]!);
    tracked.push({ indexes, table, ids });
  }
  // Connections that start in the records read again take the next ids, in the order they start.
  started.sort((a, b) => a.firstRecord - b.firstRecord);
  const newIds = new Map(started.map((conn, k) => [conn, keptConnections + k + 1]));
  for (const { indexes, table, ids } of tracked) {
    const idOf = (local: number) => ids[local - 1] ?? newIds.get(table.connections[local - 1]!)!;
    adoptTuple(table, indexes, idOf, connections, connectionOf, segmentOf);
  }
  for (const { table } of tracked)
    for (const conn of table.connections) judgeConnection(conn, parsed, absolute);
  for (const tuple of touched.keys()) index.cut(tuple, from);
  for (const r of added) if (r.tuple !== undefined) index.add(r.tuple, r.index);
  return editedAnalysis(prev, parsed, {
    connections: connections,
    segmentOf: segmentOf,
    connectionOf: connectionOf,
    numberingDecidedAt: decidedAt,
  });
}
