/**
 * What the incremental paths share: the 4-tuple index of a parse, an edited parse, the previous
 * analysis kept, and a 4-tuple tracked again put in place of its previous connections.
 */
import { analysisOf, collectFindings, type AnalyzeOptions, type TraceAnalysis } from '../analyze';
import { NO_REUSE, type Connection } from '../model';
import type { ConnectionTable, RecordIds, SegmentIndex } from '../connections';
import {
  ASCII_DUMP_SAMPLE_LINES,
  RecordReader,
  judgeAsciiDump,
  withRecordArray,
  type ParsedTrace,
} from '../parser';
import { TraceRecord } from '../record';
import { lowerBound } from '../search';
import { deltasCumulative } from '../times';
import type { TupleIds } from '../tuples';
import type { PacketRecord, ParseProblem, RecordList } from '../types';

/** The indexes of every record of each 4-tuple, in file order, by the ids of its two endpoints. */
class TupleIndex {
  private readonly byTuple = new Map<number, number[]>();

  constructor(records: RecordList) {
    for (let i = 0; i < records.length; i++) {
      const r = records.at(i)!;
      if (r.tuple !== undefined) this.add(r.tuple, r.index);
    }
  }

  of(tuple: number): readonly number[] {
    return this.byTuple.get(tuple) ?? [];
  }

  /** Record `index` (after every record indexed so far) of 4-tuple `tuple`. */
  add(tuple: number, index: number): void {
    const list = this.byTuple.get(tuple);
    if (list) list.push(index);
    else this.byTuple.set(tuple, [index]);
  }

  /** Forgets the records of 4-tuple `tuple` from record `index` on (they were taken away). */
  cut(tuple: number, index: number): void {
    const list = this.byTuple.get(tuple);
    if (list) list.length = lowerBound(list.length, (k) => list[k]!, index);
  }
}

/**
 * One TupleIndex per parse, kept for the edits after it (their analyses share the parse's 4-tuple
 * ids): an edit that gets as far as tracking never changes a record's endpoints or the number of
 * records, so the index stays true, and typing in a large trace does not scan every record each time.
 */
const tupleIndexes = new WeakMap<TupleIds, TupleIndex>();

/** Forgets the TupleIndex of a parse whose records were numbered again: the next edit makes one anew. */
export function forgetTupleIndex(tuples: TupleIds): void {
  tupleIndexes.delete(tuples);
}

export function tupleIndex(tuples: TupleIds, records: RecordList): TupleIndex {
  let index = tupleIndexes.get(tuples);
  if (!index) {
    index = new TupleIndex(records);
    tupleIndexes.set(tuples, index);
  }
  return index;
}

/**
 * A reader of some of `lines` in `old`'s context (its -A reading, its prefixes, endpoints and
 * 4-tuples), its first record numbered `firstIndex`: lines read again after an edit.
 */
export function readerIn(old: ParsedTrace, lines: readonly string[], firstIndex: number): RecordReader {
  return new RecordReader(lines, old.asciiDump, old.prefixed, old.endpoints, old.tuples, firstIndex);
}

/**
 * Whether every line break of the parsed text is one kind (\n, or \r\n): lines can then be added or
 * taken away, and a change range read, line by line, where mixed ones could join (a \r before a \n).
 */
export function uniformBreaks(parsed: ParsedTrace): boolean {
  return parsed.breaks === 'lf' || parsed.breaks === 'crlf';
}

/**
 * `old` after an edit that kept the kind of its line breaks (the caller checks): its records, lines
 * and problems; every other field as it was. (Not a spread of `old`: that would make its array of
 * records; see withRecordArray.)
 */
export function editedParse(
  old: ParsedTrace,
  edit: Pick<ParsedTrace, 'recordList' | 'lines' | 'problems'> & { lineCount?: number },
): ParsedTrace {
  return withRecordArray({
    recordList: edit.recordList,
    problems: edit.problems,
    lineCount: edit.lineCount ?? old.lineCount,
    lines: edit.lines,
    eol: old.eol,
    breaks: old.breaks,
    prefixed: old.prefixed,
    endpoints: old.endpoints,
    tuples: old.tuples,
    asciiDump: old.asciiDump,
    binary: old.binary,
    commandNumbering: old.commandNumbering,
  });
}

/**
 * `prev`'s connections and findings over the parse `parsed` (which the caller may change next), whose
 * records are on the lines they were on.
 */
export function sameAnalysis(prev: TraceAnalysis, parsed: ParsedTrace): TraceAnalysis {
  return analysisOf(parsed, {
    connections: prev.connections,
    segmentOf: prev.segmentOf,
    connectionOf: prev.connectionOf,
    findings: prev.findings,
    absoluteNumbers: prev.absoluteNumbers,
    numberingDecidedAt: prev.numberingDecidedAt,
    keptRecordLines: true,
  });
}

/**
 * The analysis after an edit that moved or replaced records: `parsed` with these connections and
 * lookups, its findings collected again.
 */
export function editedAnalysis(
  prev: TraceAnalysis,
  parsed: ParsedTrace,
  tables: Pick<TraceAnalysis, 'connections' | 'segmentOf' | 'connectionOf' | 'numberingDecidedAt'>,
): TraceAnalysis {
  return analysisOf(parsed, {
    connections: tables.connections,
    segmentOf: tables.segmentOf,
    connectionOf: tables.connectionOf,
    findings: collectFindings(parsed, tables.connections),
    absoluteNumbers: prev.absoluteNumbers,
    numberingDecidedAt: tables.numberingDecidedAt,
    keptRecordLines: false,
  });
}

/**
 * Whether the -A reading (file-wide, but judged on the first ASCII_DUMP_SAMPLE_LINES lines) of `lines`,
 * changed from line `at` on, is `old`'s still.
 */
export function asciiReadingKept(old: ParsedTrace, lines: readonly string[], at: number): boolean {
  if (at >= ASCII_DUMP_SAMPLE_LINES) return true;
  const judged = judgeAsciiDump(lines);
  return judged.asciiDump === old.asciiDump && (judged.prefixed ?? false) === old.prefixed;
}

/** How many of `problems` are lines not read as a packet's (the parse summarises past a bound). */
export function unreadableLines(problems: readonly ParseProblem[]): number {
  return problems.filter((p) => p.code === 'parse.unknown-line' || p.code === 'parse.orphan-line').length;
}

/** What times records on from a point of the trace, as resolveTimes does: see ClockDays, DeltaTimes. */
export interface RecordTimer {
  /** The next record's time (undefined where it has none); NaN where it cannot be known here. */
  timeOf(r: PacketRecord): number | undefined;
  /** A timer of the same reading on from `previous`. */
  from(previous: PacketRecord | undefined): RecordTimer;
  /** Whether `other` would time the next record as this one would (the same day, or sum so far). */
  sameAs(other: RecordTimer): boolean;
}

/**
 * Whether the records below the ones read again (`records` from `after` on) keep their times: `timer`,
 * which timed those read again on from `previous`, reads on as it would have on from the records they
 * replace (`gone`), or else times as before the first record below whose time depends on those
 * before it, a clock time (its day) or a delta (then every one after it follows: not the record below
 * alone, as one without a time passes the clock on, and so does one with an absolute time, -tt's or
 * -tttt's, which nothing before it moves).
 */
export function timesKeptBelow(
  timer: RecordTimer,
  previous: PacketRecord | undefined,
  gone: readonly PacketRecord[],
  records: RecordList,
  after: number,
): boolean {
  const before = timer.from(previous);
  for (const r of gone) before.timeOf(r);
  if (timer.sameAs(before)) return true;
  for (let k = after; k < records.length; k++) {
    const r = records.at(k)!;
    if (r.timeValue !== undefined && r.timeKind !== 'epoch' && r.timeKind !== 'datetime')
      return timer.timeOf(r) === r.time;
  }
  return true;
}

/**
 * Times `fresh` (records read again) on from `previous` (none: they are the trace's first), as
 * resolveTimes gives them, and returns the timer to time a record after them with; undefined where a
 * time cannot be known here: a clock time's day, or -ttt/-ttttt deltas (of `previous`, `fresh` or
 * `others`, the records taken away and the record below) whose reading is not given. `deltaReading`
 * judges it on the records after the edit: whether they are cumulative (-ttttt), or undefined where
 * that differs from before (the reading is judged on all of them).
 */
export function timedOnFrom(
  previous: PacketRecord | undefined,
  fresh: readonly PacketRecord[],
  others: readonly PacketRecord[],
  deltaReading?: () => boolean | undefined,
): RecordTimer | undefined {
  const delta = (r: PacketRecord | undefined) => r?.timeKind === 'delta';
  let timer: RecordTimer;
  if (delta(previous) || fresh.some(delta) || others.some(delta)) {
    const cumulative = deltaReading?.();
    if (cumulative === undefined) return undefined;
    timer = new DeltaTimes(previous, cumulative);
  } else timer = new ClockDays(previous);
  for (const r of fresh) {
    const time = timer.timeOf(r);
    if (Number.isNaN(time)) return undefined;
    r.time = time;
  }
  return timer;
}

/** The reading of the deltas of `after` (see deltasCumulative), or undefined where `before`'s differs. */
export function keptDeltaReading(before: RecordList, after: RecordList): boolean | undefined {
  const cumulative = deltasCumulative(after);
  return cumulative === deltasCumulative(before) ? cumulative : undefined;
}

/**
 * -ttt and -ttttt times on from record `previous`, as resolveTimes gives them: -ttttt deltas
 * (`cumulative`) as they are, -ttt ones summed on from the time of `previous` (0 at the start). A
 * record of another kind of time among them is NaN: not timed here.
 */
class DeltaTimes implements RecordTimer {
  private running: number;

  constructor(
    previous: PacketRecord | undefined,
    private readonly cumulative: boolean,
  ) {
    this.running = previous === undefined ? 0 : previous.timeKind === 'delta' ? previous.time! : NaN;
  }

  timeOf(r: PacketRecord): number | undefined {
    const value = r.timeValue;
    if (value === undefined) return undefined;
    if (r.timeKind !== 'delta') return NaN;
    if (this.cumulative) return value;
    this.running += value;
    return this.running;
  }

  from(previous: PacketRecord | undefined): RecordTimer {
    return new DeltaTimes(previous, this.cumulative);
  }

  sameAs(other: RecordTimer): boolean {
    // (A sum not known here, NaN after a record of another kind of time, is the same as no other.)
    return other instanceof DeltaTimes && (this.cumulative || other.running === this.running);
  }
}

/**
 * The file-wide readings that an edit from line `at` (of the new `lines`) must leave as they were for
 * the records before it to stay as they are: the -A reading (judged on the first lines), no summary
 * of unreadable lines on the first line, the -S reading where an option or the pasted command line
 * forces it. The -S reading to number with, and whether it is forced; undefined where they change.
 */
export function readingsKept(
  prev: TraceAnalysis,
  lines: readonly string[],
  at: number,
  options: AnalyzeOptions,
): { forced: boolean | undefined; absolute: boolean } | undefined {
  const old = prev.parsed;
  if (!asciiReadingKept(old, lines, at)) return undefined;
  if (old.problems.some((p) => p.span.line === 0 && p.code === 'parse.unknown-line')) return undefined;
  const forced = options.absoluteNumbers ?? old.commandNumbering;
  const absolute = forced ?? prev.absoluteNumbers;
  return absolute === prev.absoluteNumbers ? { forced, absolute } : undefined;
}

/**
 * Clock times on from record `previous`, as resolveTimes gives them: a clock that passes midnight
 * keeps counting, in whole days (the difference of two floating-point times is not always exactly
 * one). timeOf gives each next record's time, NaN for a clock time when the record before had none
 * (its day is unknown). Without `previous`, from the start of the trace: the first clock time is on
 * day 0, as resolveTimes counts.
 */
export class ClockDays implements RecordTimer {
  private lastClock: number;
  private dayOffset: number;
  /** Whether the day of the next clock time is known where no clock time came before (the start). */
  private readonly fromStart: boolean;

  constructor(previous: PacketRecord | undefined) {
    const clock = previous?.timeKind === 'clock' && previous.timeValue !== undefined;
    this.lastClock = clock ? previous.timeValue! : NaN;
    this.dayOffset = clock ? Math.round((previous.time! - previous.timeValue!) / 86400) * 86400 : 0;
    this.fromStart = previous === undefined;
  }

  timeOf(r: PacketRecord): number | undefined {
    const value = r.timeValue;
    if (value === undefined || r.timeKind !== 'clock') return value;
    if (Number.isNaN(this.lastClock) && !this.fromStart) return NaN;
    if (value < this.lastClock - 43200) this.dayOffset += 86400;
    this.lastClock = value;
    return value + this.dayOffset;
  }

  from(previous: PacketRecord | undefined): RecordTimer {
    return new ClockDays(previous);
  }

  sameAs(other: RecordTimer): boolean {
    // (A day not known here, NaN after a record without a clock time, is the same as no other's.)
    const known = (t: ClockDays) => !Number.isNaN(t.lastClock) || t.fromStart;
    return (
      other instanceof ClockDays &&
      known(this) &&
      known(other) &&
      Object.is(other.lastClock, this.lastClock) &&
      other.dayOffset === this.dayOffset
    );
  }
}

/** The record whose lines include `line`, by binary search over records in line order. */
export function recordAt(records: RecordList, line: number): PacketRecord | undefined {
  let lo = 0;
  let hi = records.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = records.at(mid)!;
    if (line < r.line) hi = mid - 1;
    else if (line > r.endLine) lo = mid + 1;
    else return r;
  }
  return undefined;
}

/** The ids the previous analysis gave the connections of records `indexes` (of one 4-tuple), as they start. */
export function connectionIdsOf(prev: TraceAnalysis, indexes: readonly number[]): number[] {
  const ids: number[] = [];
  for (const index of indexes) {
    const id = prev.connectionOf.get(index);
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * Whether the first connections of `table` (a 4-tuple tracked again) start where `ids`' did (their
 * first records numbered as `moved` says, where records were put in or taken away before them).
 */
export function sameStarts(
  prev: TraceAnalysis,
  table: ConnectionTable,
  ids: readonly number[],
  moved: (index: number) => number = (index) => index,
): boolean {
  return ids.every(
    (id, k) => table.connections[k]!.firstRecord === moved(prev.connections[id - 1]!.firstRecord),
  );
}

/**
 * Puts the connections of `table` (a 4-tuple tracked again, records `indexes`) in place of the
 * previous ones: each with its id (`idOf`, by its id within the table), the earlier connection it
 * reused the ports of too, and its records' connection and segment in the lookups.
 */
export function adoptTuple(
  table: ConnectionTable,
  indexes: readonly number[],
  idOf: (local: number) => number,
  connections: Connection[],
  connectionOf: RecordIds,
  segmentOf: SegmentIndex,
): void {
  table.connections.forEach((conn, k) => {
    const id = idOf(k + 1);
    if (conn.reusedFrom !== NO_REUSE) conn.reusedFrom = idOf(conn.reusedFrom);
    conn.id = id;
    connections[id - 1] = conn;
  });
  for (const index of indexes) {
    const local = table.connectionOf.get(index);
    if (local !== undefined) connectionOf.set(index, idOf(local));
    const seg = table.segmentOf.get(index);
    if (seg) segmentOf.set(index, seg);
  }
}

/** Puts back the numbers numbersOf read (`kept`) of the first `count` records of `records`. */
export function restoreNumbers(records: RecordList, kept: Float64Array, count: number): void {
  const orUndefined = (v: number) => (Number.isNaN(v) ? undefined : v);
  for (let k = 0; k < count; k++) {
    const r = records.at(k)!;
    const relative = kept[4 * k]!;
    r.printedRelative = Number.isNaN(relative) ? undefined : relative === 1;
    r.seqAbs = orUndefined(kept[4 * k + 1]!);
    r.ackAbs = orUndefined(kept[4 * k + 2]!);
    if (r instanceof TraceRecord) r.sackBase = kept[4 * k + 3]!;
  }
}

/**
 * Takes away what numbering.ts gave `records`, as a fresh parse has them: numbering them again then
 * finds only what they show (a bare ACK's seq that a record taken away had told is unknown again).
 */
export function clearNumbers(records: RecordList): void {
  for (let k = 0; k < records.length; k++) {
    const r = records.at(k)!;
    r.printedRelative = undefined;
    r.seqAbs = undefined;
    r.ackAbs = undefined;
    if (r instanceof TraceRecord) r.sackBase = 0;
  }
}

/** What numbering.ts gives each record, four numbers a record (NaN: none), to compare before and after. */
export function numbersOf(records: RecordList): Float64Array {
  const out = new Float64Array(records.length * 4);
  for (let k = 0; k < records.length; k++) {
    const r = records.at(k)!;
    out[4 * k] = r.printedRelative === undefined ? NaN : +r.printedRelative;
    out[4 * k + 1] = r.seqAbs ?? NaN;
    out[4 * k + 2] = r.ackAbs ?? NaN;
    out[4 * k + 3] = r instanceof TraceRecord ? r.sackBase : NaN;
  }
  return out;
}
