import { judgeConnection, type AnalyzeOptions, type TraceAnalysis } from '../analyze';
import { trackConnections, type ConnectionTable } from '../connections';
import { NO_REUSE, type Connection, type Flow } from '../model';
import { judgeNumbering, resolveNumbers } from '../numbering';
import { MAX_UNKNOWN_LINE_PROBLEMS } from '../parser';
import type { TraceRecord } from '../record';
import { lowerBound } from '../search';
import type { Finding, PacketRecord, ParseProblem, RecordList, Span } from '../types';
import { notesBelow } from './notes';
import {
  adoptTuple,
  clearNumbers,
  readingsKept,
  connectionIdsOf,
  editedParse,
  forgetTupleIndex,
  numbersOf,
  restoreNumbers,
  sameStarts,
  tupleIndex,
  editedAnalysis,
  uniformBreaks,
  readerIn,
  timedOnFrom,
  keptDeltaReading,
  timesKeptBelow,
  unreadableLines,
} from './shared';

/**
 * Re-analysis after whole packet records were taken away from between others or put in there (a
 * packet deleted, a line pasted in), or a record read again whole: `removed` lines from line `at` of
 * the previous text gave way to `added` lines of `lines` (grown to the whole of any record they are
 * inside). The records after them are numbered again (their index and lines move) and keep their
 * analysis; each 4-tuple that loses or gains a record is numbered, tracked and judged again (a
 * 4-tuple's analysis reads its own records alone). Where a connection then starts elsewhere, is new
 * or is gone, every connection is numbered again in the order they start. Undefined where what is
 * put in or taken away reaches further: another day for the times below, -ttt deltas that move every
 * time below (-ttttt ones do not), the reading of the deltas or the -S reading flipping, the -A
 * reading (judged on the first lines), a command line before the first packet that says otherwise of
 * the numbers, the last record (see reanalyzeTail).
 *
 * The previous analysis's records and connections are moved and judged in place: it is not to be
 * used again (an editor's cache keeps the newest analysis only).
 */
export function reanalyzeSplice(
  prev: TraceAnalysis,
  lines: string[],
  at: number,
  removed: number,
  added: number,
  options: AnalyzeOptions,
): TraceAnalysis | undefined {
  const old = prev.parsed;
  if (old.binary || !uniformBreaks(old)) return undefined;
  const records = old.recordList;
  // The lines read again, grown to whole records (see spliceRegion); grown to the record above too
  // where a line read first would continue it (an orphan on its own).
  const readRegion = (start: SpliceRegion) => {
    const region = { ...start };
    const reader = readerIn(old, lines, region.below);
    for (let i = region.at; i < region.at + region.added; i++) reader.line(i);
    // In an -A dump, the packet line below, stamped earlier than the last one read, is now payload of
    // its dump: the records below are read again too, until one starts where it started.
    for (let more = 0; reader.takesAsPayload(region.at + region.added); more++) {
      const swallowed = records.at(region.after);
      const following = records.at(region.after + 1);
      if (more === MAX_SWALLOWED || !swallowed || !following) return undefined;
      const count = following.line - swallowed.line;
      for (let i = region.at + region.added; i < region.at + region.added + count; i++) reader.line(i);
      region.after++;
      region.removed += count;
      region.added += count;
    }
    return { region, ...reader.end(), commandNumbering: reader.commandNumbering };
  };
  let reading = withRegion(spliceRegion(records, at, removed, added, old.asciiDump), readRegion);
  const orphan = (list: readonly ParseProblem[]) => list.some((p) => p.code === 'parse.orphan-line');
  if (reading && orphan(reading.problems) && !old.asciiDump)
    reading = withRegion(spliceRegion(records, at, removed, added, true), readRegion);
  if (!reading || orphan(reading.problems)) return undefined;
  ({ at, removed, added } = reading.region);
  const { below, after } = reading.region;
  // (None above the trace's first record.)
  const above = records.at(below - 1);
  const next = records.at(after)!;
  const readings = readingsKept(prev, lines, at, options);
  if (!readings) return undefined;
  // Read from the first line: the command line before the first packet says the same of the numbers.
  if (below === 0 && reading.commandNumbering !== old.commandNumbering) return undefined;
  const { forced, absolute } = readings;
  const { records: read, problems } = reading;
  const fresh = read.array();
  // In an -A dump the lines read again start with the record above them, unless there is none (the
  // lines above the first packet are its notes).
  if (old.asciiDump && added > 0 && below > 0 && fresh[0]?.line !== at) return undefined;
  const gone: PacketRecord[] = [];
  for (let k = below; k < after; k++) gone.push(records.at(k)!);
  if (fresh.length === 0 && gone.length === 0) return undefined;
  const lineDelta = added - removed;
  const moveSpan = (span: Span): Span => ({ ...span, line: span.line + lineDelta });
  const newProblems = old.problems
    .filter((p) => p.span.line < at)
    .concat(
      problems,
      old.problems.filter((p) => p.span.line >= at + removed).map((p) => ({ ...p, span: moveSpan(p.span) })),
    );
  // Judged on every problem of the file (analyze.ts, hasOffloadSends), and so on every connection.
  const offload = (list: readonly ParseProblem[]) => list.some((p) => p.code === 'capture.offload-send');
  if (offload(newProblems) !== offload(old.problems)) return undefined;
  if (unreadableLines(newProblems) > MAX_UNKNOWN_LINE_PROBLEMS) return undefined;

  // Times, on from the record above; the records below must keep theirs (their day; with -ttt
  // deltas, the sum of those before them).
  const timer = timedOnFrom(above, fresh, [...gone, next], () =>
    keptDeltaReading(records, records.spliced(below, gone.length, fresh)),
  );
  if (!timer || !timesKeptBelow(timer, above, gone, records, after)) return undefined;

  // The 4-tuples tracked again: those that lose or gain a record.
  const count = fresh.length - gone.length;
  const moved = (index: number) => (index >= after ? index + count : index);
  const retracked = new Set<number>();
  for (const r of gone) if (r.tuple !== undefined) retracked.add(r.tuple);
  for (const r of fresh) if (r.tuple !== undefined) retracked.add(r.tuple);
  const index = tupleIndex(old.tuples, records);
  const tuples: Array<{ indexes: number[]; ids: number[] }> = [];
  for (const tuple of retracked) {
    const ids = connectionIdsOf(prev, index.of(tuple));
    const before = index.of(tuple).filter((i) => i < below || i >= after);
    const indexes = before.map(moved);
    for (const r of fresh) if (r.tuple === tuple) indexes.push(r.index);
    indexes.sort((a, b) => a - b);
    tuples.push({ indexes, ids });
  }

  // From here on the records below move: put back if the -S reading flips.
  for (let k = after; k < records.length; k++) (records.at(k) as TraceRecord).moveTo(k + count, lineDelta);
  const all = records.spliced(below, gone.length, fresh);
  const renumbered: Array<{ tuple: RecordList; kept: Float64Array }> = [];
  const giveUp = () => {
    for (const { tuple, kept } of renumbered) restoreNumbers(tuple, kept, tuple.length);
    for (let k = after; k < records.length; k++) (records.at(k) as TraceRecord).moveTo(k, -lineDelta);
    return undefined;
  };
  let decidedAt = prev.numberingDecidedAt;
  if (forced === undefined && (decidedAt ?? Infinity) >= below) {
    const judged = judgeNumbering(all);
    if (judged.absolute !== absolute) return giveUp();
    decidedAt = judged.decidedAt;
  } else if (decidedAt !== undefined) decidedAt = moved(decidedAt);
  const tracked: Array<{ indexes: number[]; table: ConnectionTable; ids: number[] }> = [];
  // Whether the connections (their ids in the order they start) must be numbered again: one gone with
  // the records taken away, a new one, or one that starts elsewhere.
  let renumber = false;
  // Where a connection's first record is now; one taken away (unless as many records were read again
  // in their place) leaves its connection starting somewhere else, the connections numbered anew.
  const startMoved = (index: number) => (count !== 0 && index >= below && index < after ? NaN : moved(index));
  for (const { indexes, ids } of tuples) {
    const tuple = all.subset(indexes);
    renumbered.push({ tuple, kept: numbersOf(tuple) });
    clearNumbers(tuple);
    resolveNumbers(tuple, absolute);
    const table = trackConnections(tuple);
    if (table.connections.length !== ids.length || !sameStarts(prev, table, ids, startMoved)) renumber = true;
    tracked.push({ indexes, table, ids });
  }

  // The analysis below moves with its records.
  const retrackedIds = new Set(tracked.flatMap((t) => t.ids));
  for (const conn of prev.connections)
    if (!retrackedIds.has(conn.id) && conn.lastRecord >= after) moveConnection(conn, after, count);
  const connectionOf = prev.connectionOf.spliced(below, gone.length, fresh.length);
  let connections = prev.connections.slice();
  let idOf = (t: (typeof tracked)[number], local: number) => t.ids[local - 1]!;
  if (renumber) {
    // Every connection numbered again in the order they start now; the lookups of the records of
    // those kept follow (those tracked again are put in with their new numbers below).
    const kept = prev.connections.filter((conn) => !retrackedIds.has(conn.id));
    connections = kept
      .concat(tracked.flatMap((t) => t.table.connections))
      .sort((a, b) => a.firstRecord - b.firstRecord);
    const numberOf = new Map(connections.map((conn, k) => [conn, k + 1]));
    const keptIds = new Int32Array(prev.connections.length + 1);
    for (const conn of kept) keptIds[conn.id] = numberOf.get(conn)!;
    connectionOf.renumber((id) => keptIds[id] || undefined);
    // (A connection's earlier one on its 4-tuple is on the same 4-tuple: kept too.)
    for (const conn of kept) {
      conn.id = numberOf.get(conn)!;
      if (conn.reusedFrom !== NO_REUSE) conn.reusedFrom = keptIds[conn.reusedFrom] ?? NO_REUSE;
    }
    idOf = (t, local) => numberOf.get(t.table.connections[local - 1]!)!;
  }
  const segmentOf = prev.segmentOf.spliced(connections, connectionOf, below, gone.length, fresh.length);
  for (const t of tracked)
    adoptTuple(t.table, t.indexes, (local) => idOf(t, local), connections, connectionOf, segmentOf);
  forgetTupleIndex(old.tuples);
  const parsed = editedParse(old, {
    recordList: all,
    lines,
    problems: newProblems,
    lineCount: lines.length,
  });
  parsed.problems.sort((a, b) => a.span.line - b.span.line || a.span.start - b.span.start);
  // The notes above the first record put in, and above the record below (those of the records taken
  // away may be its now). (In an -A dump, comment lines after a packet are its payload: only the
  // first packet has notes, and the change is below it.)
  if (!old.asciiDump)
    for (const line of [at, at + added]) {
      const { record, notes } = notesBelow(all, lines, line);
      if (record) record.annotations = notes;
    }
  // Judged again: the connections tracked again, and those with findings and a record or a finding
  // below the lines (their findings' places moved, their messages name lines). Nothing else a
  // connection is judged to be depends on where its lines are.
  const reaches = (f: Finding) =>
    f.span.line >= at ||
    f.related.some((r) => r.span.line >= at) ||
    (f.fixes ?? []).some((fix) => fix.edits.some((e) => Math.max(e.span.line, e.endLine ?? 0) >= at));
  const retrackedConnections = new Set(tracked.flatMap((t) => t.table.connections));
  for (const conn of connections) {
    const placesMoved = conn.findings.length > 0 && (conn.lastRecord >= below || conn.findings.some(reaches));
    if (retrackedConnections.has(conn) || placesMoved) {
      conn.findings = [];
      judgeConnection(conn, parsed, absolute);
    }
  }
  return editedAnalysis(prev, parsed, {
    connections: connections,
    segmentOf: segmentOf,
    connectionOf: connectionOf,
    numberingDecidedAt: decidedAt,
  });
}

/** How many records below an -A splice may become payload of its last dump before it gives up. */
const MAX_SWALLOWED = 16;

/** `read` of `region`, when there is one. */
function withRegion<T>(region: SpliceRegion | undefined, read: (region: SpliceRegion) => T): T | undefined {
  return region && read(region);
}

/** The lines a splice reads again, and the records they replace: [below, after). */
interface SpliceRegion {
  at: number;
  removed: number;
  added: number;
  below: number;
  after: number;
}

/**
 * Where `removed` lines from line `at` gave way to `added` ones: grown to whole records (a record the
 * change is inside of, a -v or dump line put in or taken away, is read again whole: the changed lines
 * grow to its first and last, which are the same lines before and after), to the lines of no record
 * after them up to the next record (a -v packet's TCP line left alone when its IP line was taken away,
 * notes: one put in above them may be theirs), and with `withRecordAbove` to the record above (in an
 * -A dump every line up to the next packet line is the packet's payload, and elsewhere a line put in
 * first may continue it); from the first line where no record is above. Undefined without a record
 * below: the last record decides more (see reanalyzeTail).
 */
function spliceRegion(
  records: RecordList,
  at: number,
  removed: number,
  added: number,
  withRecordAbove: boolean,
): SpliceRegion | undefined {
  let below = lowerBound(records.length, (k) => records.at(k)!.line, at);
  const holder = records.at(below - 1);
  if (holder && (holder.endLine >= at || withRecordAbove)) {
    below--;
    removed += at - holder.line;
    added += at - holder.line;
    at = holder.line;
  }
  let after = lowerBound(records.length, (k) => records.at(k)!.line, at + removed);
  const last = records.at(after - 1);
  if (after > below && last!.endLine >= at + removed) {
    const more = last!.endLine + 1 - (at + removed);
    removed += more;
    added += more;
  }
  let next = records.at(after);
  if (!next) return undefined;
  if (below === 0) {
    // The first record: the lines above it are read again with it (its notes, and the command line
    // that says how the trace's numbers are printed, which only a line before the first packet does).
    removed += at;
    added += at;
    at = 0;
    if (withRecordAbove) {
      // In an -A dump only the first packet has notes (after a packet, comment lines are its
      // payload): the record below is read again too, as it may be the first now, or no longer.
      const more = next.endLine + 1 - removed;
      removed += more;
      added += more;
      next = records.at(++after);
      if (!next) return undefined;
    }
  }
  if (next.line > at + removed) {
    const more = next.line - (at + removed);
    removed += more;
    added += more;
  }
  return { at, removed, added, below, after };
}

/**
 * Numbers again what `conn` keeps of its records from `from` on, `delta` more: its record list, its
 * flows' and checkpoints' records, its segments' references to other records. (Its records move
 * themselves: TraceRecord.moveTo.)
 */
function moveConnection(conn: Connection, from: number, delta: number): void {
  const moved = (index: number) => (index >= from ? index + delta : index);
  const optional = (index: number | undefined) => (index === undefined ? undefined : moved(index));
  for (let k = 0; k < conn.records.length; k++) conn.records[k] = moved(conn.records[k]!);
  conn.firstRecord = moved(conn.firstRecord);
  conn.lastRecord = moved(conn.lastRecord);
  // A checkpoint's flows share their sent logs and FIN lists with the live flows: each is moved once.
  const done = new Set<object>();
  const moveFlow = (f: Flow) => {
    f.nextseqRecord = optional(f.nextseqRecord);
    f.lastnondupack = optional(f.lastnondupack);
    f.synRecord = optional(f.synRecord);
    f.synAckRecord = optional(f.synAckRecord);
    f.finRecord = optional(f.finRecord);
    f.finAckedBy = optional(f.finAckedBy);
    f.rstRecord = optional(f.rstRecord);
    if (!done.has(f.finRecords)) {
      done.add(f.finRecords);
      for (let k = 0; k < f.finRecords.length; k++) f.finRecords[k] = moved(f.finRecords[k]!);
    }
    if (!done.has(f.sent)) {
      done.add(f.sent);
      f.sent.moveRecords(from, delta);
    }
  };
  moveFlow(conn.client);
  moveFlow(conn.server);
  for (const cp of conn.checkpoints) {
    moveFlow(cp.client.flow);
    moveFlow(cp.server.flow);
    cp.fields.lastRecord = moved(cp.fields.lastRecord);
  }
  for (let k = 0; k < conn.segments.length; k++) {
    const seg = conn.segments.at(k);
    seg.dupAckOf = optional(seg.dupAckOf);
    seg.acksRecord = optional(seg.acksRecord);
    seg.beforeGapRecord = optional(seg.beforeGapRecord);
    seg.originalRecord = optional(seg.originalRecord);
  }
}
