/**
 * Re-analysis after an edit that stays inside one packet record, the common case of typing in a
 * trace: only that record is read again, and only the connections of its 4-tuple are tracked and
 * judged again; every other connection keeps its analysis. Notes are the other common case: typing
 * in a `#` comment changes only the annotations of the packet below it, and blank or comment lines
 * added or taken away between records only move what is below them (reanalyzeMovedLines); packet
 * lines appended at the end join their 4-tuples (reanalyzeAppended). Anything that could reach
 * further (a packet line put in above others or taken away, a SYN come or gone or its seq, a changed
 * time or endpoint, the -S reading flipping) returns undefined, and the caller analyses the whole
 * text. The result equals a fresh analyzeTrace of the new text.
 */
import {
  analysisOf,
  collectFindings,
  judgeConnection,
  type AnalyzeOptions,
  type TraceAnalysis,
} from './analyze';
import type { Connection } from './model';
import {
  nextPrintedSeq,
  retrackConnection,
  trackConnections,
  type ConnectionTable,
  type NextPrintedLookup,
  type RecordIds,
  type SegmentIndex,
} from './connections';
import { judgeNumbering, resolveNumbers } from './numbering';
import {
  ASCII_DUMP_SAMPLE_LINES,
  detectBinaryCapture,
  commentAnnotation,
  isBlankLine,
  judgeAsciiDump,
  MAX_UNKNOWN_LINE_PROBLEMS,
  plainComment,
  RecordReader,
  splitLines,
  withRecordArray,
  type ParsedTrace,
} from './parser';
import { withPlainSpaces } from './pastedText';
import { FILE_HEAD_CHARS, judgeNotText } from './textEncoding';
import { TraceRecord } from './record';
import { REORDER_LOOKAHEAD } from './seqInference';
import { lowerBound } from './search';
import type { TupleIds } from './tuples';
import { SYN, type Finding, type PacketRecord, type ParseProblem, type RecordList, type Span } from './types';

/** The indexes of every record of each 4-tuple, in file order, by the ids of its two endpoints. */
class TupleIndex {
  private readonly byTuple = new Map<number, number[]>();

  constructor(records: RecordList) {
    for (let i = 0; i < records.length; i++) {
      const r = records.at(i)!;
      if (r.tuple === undefined) continue;
      const list = this.byTuple.get(r.tuple);
      if (list) list.push(r.index);
      else this.byTuple.set(r.tuple, [r.index]);
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
}

/**
 * One TupleIndex per parse, kept for the edits after it (their analyses share the parse's 4-tuple
 * ids): an edit that gets as far as tracking never changes a record's endpoints or the number of
 * records, so the index stays true, and typing in a large trace does not scan every record each time.
 */
const tupleIndexes = new WeakMap<TupleIds, TupleIndex>();

function tupleIndex(tuples: TupleIds, records: RecordList): TupleIndex {
  let index = tupleIndexes.get(tuples);
  if (!index) {
    index = new TupleIndex(records);
    tupleIndexes.set(tuples, index);
  }
  return index;
}

/**
 * `old` after an edit: its records, lines, problems and line ends; every other field as it was.
 * (Not a spread of `old`: that would make its array of records; see withRecordArray.)
 */
function editedParse(
  old: ParsedTrace,
  edit: Pick<ParsedTrace, 'recordList' | 'lines' | 'problems' | 'hasCR'> & { lineCount?: number },
): ParsedTrace {
  return withRecordArray({
    recordList: edit.recordList,
    problems: edit.problems,
    lineCount: edit.lineCount ?? old.lineCount,
    lines: edit.lines,
    eol: old.eol,
    hasCR: edit.hasCR,
    prefixed: old.prefixed,
    endpoints: old.endpoints,
    tuples: old.tuples,
    asciiDump: old.asciiDump,
    binary: old.binary,
    commandNumbering: old.commandNumbering,
  });
}

/** `prev`'s connections and findings over the parse `parsed` (which the caller may change next). */
function sameAnalysis(prev: TraceAnalysis, parsed: ParsedTrace): TraceAnalysis {
  return analysisOf(parsed, {
    connections: prev.connections,
    segmentOf: prev.segmentOf,
    connectionOf: prev.connectionOf,
    findings: prev.findings,
    absoluteNumbers: prev.absoluteNumbers,
    numberingDecidedAt: prev.numberingDecidedAt,
  });
}

/** The record whose lines include `line`, by binary search over records in line order. */
function recordAt(records: RecordList, line: number): PacketRecord | undefined {
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

/** A line that is no part of any packet and holds nothing but a note, or nothing. */
function blankOrComment(text: string): boolean {
  return isBlankLine(text) || plainComment(text) !== undefined;
}

/**
 * The first record that starts on line `at` or below (in `records`, as they are placed in `lines`),
 * and the annotations the reader gives it: the comments since the last blank line after the record
 * above it started.
 */
function notesBelow(
  records: RecordList,
  lines: readonly string[],
  at: number,
): { record?: PacketRecord; notes: PacketRecord['annotations'] } {
  const below = lowerBound(records.length, (k) => records.at(k)!.line, at);
  const record = records.at(below);
  let notes: PacketRecord['annotations'] = [];
  if (!record) return { notes };
  for (let i = below > 0 ? records.at(below - 1)!.line + 1 : 0; i < record.line; i++) {
    if (isBlankLine(lines[i]!)) notes = [];
    else {
      const text = commentAnnotation(lines[i]!);
      if (text !== undefined) notes.push({ text, line: i });
    }
  }
  return { record, notes };
}

/**
 * An edit of a blank or `#` comment line that leaves it one or the other (typing a note, or the `#`
 * that starts one): nothing the analysis reads changes, only the annotations of the packet below
 * (see notesBelow). `record`: that packet, with its new `annotations`; none when they stay as they
 * were. Undefined for any other edit, and in an -A dump, whose payload lines may look like comments.
 */
function editedComment(
  old: ParsedTrace,
  lines: readonly string[],
  line: number,
): { record?: PacketRecord; annotations?: PacketRecord['annotations'] } | undefined {
  if (old.asciiDump || !blankOrComment(lines[line]!) || !blankOrComment(old.lines[line]!)) return undefined;
  const { record, notes } = notesBelow(old.recordList, lines, line + 1);
  if (!record) return {};
  return sameNotes(record.annotations, notes) ? {} : { record, annotations: notes };
}

function sameNotes(a: PacketRecord['annotations'], b: PacketRecord['annotations']): boolean {
  return a.length === b.length && a.every((note, k) => note.text === b[k]!.text && note.line === b[k]!.line);
}

export function reanalyze(
  prev: TraceAnalysis,
  source: string,
  options: AnalyzeOptions = {},
): TraceAnalysis | undefined {
  // As parseTrace reads it (its lines are compared with the parse's).
  const text = withPlainSpaces(source);
  const old = prev.parsed;
  if (old.binary) return undefined;
  // An edit can make the file's head judged another kind of file (binary, UTF-16): that changes everything.
  if (detectBinaryCapture(text) || judgeNotText(text)) return undefined;
  const lines = splitLines(text);
  // The line ending is file-wide: an edit that changes it changes everything.
  const hasCR = text.indexOf('\r') >= 0;
  if ((hasCR && text.includes('\r\n') ? '\r\n' : '\n') !== old.eol) return undefined;
  if (lines.length !== old.lines.length) {
    if (hasCR) return undefined;
    // The lines before the first difference and after the last are the same lines, moved.
    return reanalyzeLineCount(prev, lines, 0, old.lines.length, lines.length, options);
  }
  // The changed lines: from the first difference to the last.
  let first = 0;
  while (first < lines.length && lines[first] === old.lines[first]) first++;
  if (first === lines.length)
    return sameAnalysis(
      prev,
      editedParse(old, { recordList: old.recordList, lines, problems: old.problems, hasCR }),
    );
  let last = lines.length - 1;
  while (last > first && lines[last] === old.lines[last]) last--;
  const result = reanalyzeLines(prev, lines, first, last, options);
  if (result) result.parsed.hasCR = hasCR;
  return result;
}

/**
 * Re-analysis after lines were added or taken away: lines `from` to `oldEnd` of the previous text
 * became lines `from` to `newEnd` of `lines` (every line outside is the same). The head and tail of
 * those that are the same lines, moved, are left out; what remains is lines appended at the end
 * (reanalyzeAppended) or lines put in or taken away in between (reanalyzeMovedLines).
 */
function reanalyzeLineCount(
  prev: TraceAnalysis,
  lines: string[],
  from: number,
  oldEnd: number,
  newEnd: number,
  options: AnalyzeOptions,
): TraceAnalysis | undefined {
  const old = prev.parsed.lines;
  let at = from;
  while (at < oldEnd && at < newEnd && lines[at] === old[at]) at++;
  let tail = 0;
  while (at < oldEnd - tail && at < newEnd - tail && lines[newEnd - 1 - tail] === old[oldEnd - 1 - tail])
    tail++;
  if (at === old.length) return reanalyzeAppended(prev, lines, options);
  return reanalyzeMovedLines(prev, lines, at, oldEnd - tail - at, newEnd - tail - at);
}

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
function reanalyzeMovedLines(
  prev: TraceAnalysis,
  lines: string[],
  at: number,
  removed: number,
  added: number,
): TraceAnalysis | undefined {
  const old = prev.parsed;
  if (old.binary || old.asciiDump || old.hasCR !== false || removed > 0 === added > 0) return undefined;
  for (let i = at; i < at + removed; i++) if (!blankOrComment(old.lines[i]!)) return undefined;
  for (let i = at; i < at + added; i++) if (!blankOrComment(lines[i]!)) return undefined;
  // Between records: the one above ends above the lines, the one below starts below them.
  const records = old.recordList;
  const below = lowerBound(records.length, (k) => records.at(k)!.line, at);
  const above = below > 0 ? records.at(below - 1)! : undefined;
  if (above && above.endLine >= at) return undefined;
  const next = records.at(below);
  if (next && next.line < at + removed) return undefined;
  if (at < ASCII_DUMP_SAMPLE_LINES) {
    const judged = judgeAsciiDump(lines);
    if (judged.asciiDump !== old.asciiDump || (judged.prefixed ?? false) !== old.prefixed) return undefined;
  }
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
    hasCR: false,
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
    if ((last && last.endLine >= at) || conn.findings.some(reaches)) {
      conn.findings = [];
      judgeConnection(conn, parsed, prev.absoluteNumbers);
    }
  }
  return analysisOf(parsed, {
    connections: prev.connections,
    segmentOf: prev.segmentOf,
    connectionOf: prev.connectionOf,
    findings: collectFindings(parsed, prev.connections),
    absoluteNumbers: prev.absoluteNumbers,
    numberingDecidedAt: prev.numberingDecidedAt,
  });
}

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
function reanalyzeAppended(
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

/** A position in a document: 0-based line, and UTF-16 column (as LSP counts). */
export interface LinePosition {
  line: number;
  character: number;
}

/**
 * Re-analysis after an editor's change event (`range` of the previous text replaced by `newText`),
 * without looking at the whole text: the previous analysis's lines with the edited ones replaced.
 * Undefined when the edit could reach further than its record (see reanalyzeLines) or when it touches
 * what is judged on the whole file: its head (the kind of file), its line endings, its line count.
 */
export function reanalyzeEdit(
  prev: TraceAnalysis,
  range: { start: LinePosition; end: LinePosition },
  newText: string,
  options: AnalyzeOptions = {},
): TraceAnalysis | undefined {
  const old = prev.parsed;
  const { start, end } = range;
  // Where the text has a CR, an edit next to a line end can make a CRLF out of two: the text path
  // splits the whole text again.
  if (old.binary || old.hasCR !== false || newText.includes('\r')) return undefined;
  if (start.line < 0 || end.line < start.line || end.line >= old.lines.length) return undefined;
  if (end.line === start.line && end.character < start.character) return undefined;
  // The file's kind is judged on its head.
  let before = 0;
  for (let i = 0; i < start.line && before <= FILE_HEAD_CHARS; i++) before += old.lines[i]!.length + 1;
  if (before + start.character <= FILE_HEAD_CHARS) return undefined;
  const first = old.lines[start.line]!;
  const lastLine = old.lines[end.line]!;
  // Columns past the end of a line mean its end, as the editor applied them.
  const joined =
    first.slice(0, Math.min(start.character, first.length)) +
    newText +
    lastLine.slice(Math.min(end.character, lastLine.length));
  const edited = withPlainSpaces(joined).split('\n');
  const replaced = end.line - start.line + 1;
  if (edited.length !== replaced) {
    // Lines added or taken away: the edited lines' common head and tail are lines that only moved.
    const lines = old.lines.slice(0, start.line).concat(edited, old.lines.slice(end.line + 1));
    return reanalyzeLineCount(prev, lines, start.line, end.line + 1, start.line + edited.length, options);
  }
  const lines = old.lines.slice();
  for (let k = 0; k < edited.length; k++) lines[start.line + k] = edited[k]!;
  return reanalyzeLines(prev, lines, start.line, end.line, options);
}

/**
 * The same, when the caller already knows the new lines and which of them changed (an editor's
 * change event): nothing here looks at the whole text. The caller has checked what is file-wide in
 * the text itself (its head's kind, its line ending); `lines` has as many lines as before.
 */
export function reanalyzeLines(
  prev: TraceAnalysis,
  lines: string[],
  first: number,
  last: number,
  options: AnalyzeOptions = {},
): TraceAnalysis | undefined {
  const old = prev.parsed;
  if (old.binary || lines.length !== old.lines.length) return undefined;
  // The -A judgement is file-wide, but made on the first lines only.
  if (first < ASCII_DUMP_SAMPLE_LINES) {
    const judged = judgeAsciiDump(lines);
    if (judged.asciiDump !== old.asciiDump || (judged.prefixed ?? false) !== old.prefixed) return undefined;
  }
  // An edited comment: the record read again is the packet it annotates (if any), with its new
  // annotations; else the record whose lines the edit is in.
  const comment = first === last ? editedComment(old, lines, first) : undefined;
  if (comment && !comment.record)
    return sameAnalysis(
      prev,
      editedParse(old, { recordList: old.recordList, lines, problems: old.problems, hasCR: old.hasCR }),
    );
  const annotations = comment?.annotations;
  const before = comment?.record ?? recordAt(old.recordList, first);
  if (!before) return undefined;
  if (!comment) {
    if (last > before.endLine) return undefined;
    // A comment among a record's lines (between a -v packet's two, say) annotates the next packet,
    // and a blank line there ends the notes before it: reading this record again does not see that.
    // An edit that changes the next packet's notes goes the long way.
    if (!old.asciiDump) {
      const { record: next, notes } = notesBelow(old.recordList, lines, before.line + 1);
      if (next && !sameNotes(next.annotations, notes)) return undefined;
    }
  }
  // Problems reported on the parse's first line stand for the whole file (a flood summary).
  if (old.problems.some((p) => p.span.line === 0 && p.code === 'parse.unknown-line' && before.line !== 0))
    return undefined;

  // Read the record's lines again, with the file's own context.
  const reader = new RecordReader(
    lines,
    old.asciiDump,
    old.prefixed,
    old.endpoints,
    old.tuples,
    before.index,
  );
  for (let i = before.line; i <= before.endLine; i++) reader.line(i);
  const { records: fresh, problems } = reader.end();
  const after = fresh.at(0);
  if (
    fresh.length !== 1 ||
    !after ||
    after.line !== before.line ||
    after.endLine !== before.endLine ||
    after.kind !== before.kind ||
    after.src !== before.src ||
    after.dst !== before.dst ||
    after.timeKind !== before.timeKind ||
    after.timeValue !== before.timeValue ||
    // A SYN starts a connection, and its ISN says whether it starts a new one on a 4-tuple used
    // before (tcp.port-reused): a SYN come or gone, or a SYN's seq, can move where connections
    // start. Its window, ack or options cannot (they are judged again with its connection).
    ((after.flags ?? 0) ^ (before.flags ?? 0)) & SYN ||
    ((after.flags ?? 0) & SYN && after.seq !== before.seq)
  ) {
    return undefined;
  }
  after.annotations = annotations ?? before.annotations;
  after.time = before.time;

  const records = old.recordList.with(before.index, after);
  const parsed = editedParse(old, {
    recordList: records,
    lines,
    problems: old.problems
      .filter((p) => p.span.line < before.line || p.span.line > before.endLine)
      .concat(problems),
    hasCR: old.hasCR,
  });
  parsed.problems.sort((a, b) => a.span.line - b.span.line || a.span.start - b.span.start);
  const result = sameAnalysis(prev, parsed);
  if (!after.src || !after.dst) {
    result.findings = collectFindings(parsed, prev.connections);
    return result;
  }

  // The -S reading is decided over the whole file; if this edit flips it, everything changes.
  // The judgement stops early in a large trace; an edit after where it stopped cannot change it, and
  // neither can one that leaves what it reads alone (seq, ack, flags, length: a window, an option).
  // A forced reading (an option, or the pasted command line) is not judged again.
  const forced = options.absoluteNumbers ?? old.commandNumbering;
  const absolute = forced ?? prev.absoluteNumbers;
  const numbersKept =
    after.seq === before.seq &&
    after.ack === before.ack &&
    after.flags === before.flags &&
    after.length === before.length;
  if (!numbersKept && forced === undefined && before.index <= (prev.numberingDecidedAt ?? Infinity)) {
    const judged = judgeNumbering(records);
    if (judged.absolute !== absolute) return undefined;
    result.numberingDecidedAt = judged.decidedAt;
  }
  if (absolute !== prev.absoluteNumbers) return undefined;

  // Every record of this 4-tuple, in file order (their indexes, and the records): numbering and
  // tracking are per 4-tuple.
  const indexes = tupleIndex(old.tuples, old.recordList).of(after.tuple!);
  const tuple = records.subset(indexes);
  // An edit that changes no other record's numbers keeps the 4-tuple's connections and segments: only
  // its own connection is tracked again (retrackEdited).
  let othersKept = numbersKept;
  if (numbersKept) {
    after.printedRelative = before.printedRelative;
    after.seqAbs = before.seqAbs;
    after.ackAbs = before.ackAbs;
    after.sackBase = (before as TraceRecord).sackBase;
  } else {
    const kept = numbersOf(tuple);
    resolveNumbers(tuple, absolute);
    const now = numbersOf(tuple);
    othersKept = true;
    const edited = lowerBound(indexes.length, (k) => indexes[k]!, after.index);
    for (let k = 0; k < kept.length && othersKept; k++) {
      if (k >> 2 !== edited && !Object.is(kept[k], now[k])) othersKept = false;
    }
  }
  if (othersKept) {
    const retracked = retrackEdited(prev, result, tuple, indexes, before, after, numbersKept);
    if (retracked) return retracked;
  }
  const table = trackConnections(tuple);
  const oldIds = connectionIdsOf(prev, indexes);
  // The same connections, starting where they did: their ids (numbered in file order across
  // 4-tuples) stay right.
  if (oldIds.length !== table.connections.length || !sameStarts(prev, table, oldIds)) return undefined;
  const connections = prev.connections.slice();
  const connectionOf = prev.connectionOf.clone();
  const segmentOf = prev.segmentOf.clone(connections, connectionOf);
  adoptTuple(table, indexes, (local) => oldIds[local - 1]!, connections, connectionOf, segmentOf);
  for (const conn of table.connections) judgeConnection(conn, parsed, absolute);
  result.connections = connections;
  result.segmentOf = segmentOf;
  result.connectionOf = connectionOf;
  result.findings = collectFindings(parsed, connections);
  return result;
}

/**
 * The common edit, one that keeps the record a segment (or not) and changes no other record's numbers
 * (a window, an option, or its own seq or ack; the caller has numbered the edited record): the
 * 4-tuple's records fall into the same connections and segments, so only the edited record's
 * connection is tracked again, from the checkpoint before the first segment the edit can change (see
 * retrackConnection). Undefined when the edit reaches further: the caller re-tracks the whole 4-tuple.
 * `tuple`: the 4-tuple's records, in file order; `indexes`: their indexes.
 */
function retrackEdited(
  prev: TraceAnalysis,
  result: TraceAnalysis,
  tuple: RecordList,
  indexes: readonly number[],
  before: PacketRecord,
  after: TraceRecord,
  numbersKept: boolean,
): TraceAnalysis | undefined {
  const id = prev.connectionOf.get(before.index);
  if (id === undefined || (after.flags === undefined) !== (before.flags === undefined)) return undefined;
  // A bare ACK up to REORDER_LOOKAHEAD records of the connection before the edit may have been placed
  // by what it found there (seqInference.ts, olderSegmentsReach): tracking starts before it.
  const oldConn = prev.connections[id - 1]!;
  const at = lowerBound(oldConn.records.length, (k) => oldConn.records[k]!, before.index);
  let from = oldConn.records[Math.max(0, at - REORDER_LOOKAHEAD)] ?? before.index;
  let nextPrinted: NextPrintedLookup = {
    seq: (index) => prev.segmentOf.get(index)?.nextPrintedSeq,
    soon: (index) => prev.segmentOf.get(index)?.nextPrintedSoon ?? false,
  };
  if (!numbersKept) {
    // A new seq is the next printed one of the pure ACKs before it (nextPrintedSeq): their segments
    // change too, so tracking starts before the first of them.
    const fresh = nextPrintedSeq(tuple);
    const valueAt = (k: number) => (Number.isNaN(fresh.seq[k]!) ? undefined : fresh.seq[k]);
    for (let k = 0; k < indexes.length && indexes[k]! < from; k++) {
      const seg = prev.segmentOf.get(indexes[k]!);
      if (seg && (seg.nextPrintedSeq !== valueAt(k) || seg.nextPrintedSoon !== (fresh.soon[k] === 1)))
        from = indexes[k]!;
    }
    const inTuple = (index: number) => {
      const k = lowerBound(indexes.length, (i) => indexes[i]!, index);
      return indexes[k] === index ? k : -1;
    };
    nextPrinted = {
      seq: (index) => {
        const k = inTuple(index);
        return k < 0 ? undefined : valueAt(k);
      },
      soon: (index) => fresh.soon[inTuple(index)] === 1,
    };
  }
  const connections = prev.connections.slice();
  const connectionOf = prev.connectionOf.clone();
  const segmentOf = prev.segmentOf.clone(connections, connectionOf);
  const conn = retrackConnection(
    prev.connections[id - 1]!,
    result.parsed.recordList,
    before.index,
    from,
    nextPrinted,
    segmentOf,
    connectionOf,
  );
  judgeConnection(conn, result.parsed, prev.absoluteNumbers);
  connections[id - 1] = conn;
  result.connections = connections;
  result.segmentOf = segmentOf;
  result.connectionOf = connectionOf;
  result.findings = collectFindings(result.parsed, connections);
  return result;
}

/** The ids the previous analysis gave the connections of records `indexes` (of one 4-tuple), as they start. */
function connectionIdsOf(prev: TraceAnalysis, indexes: readonly number[]): number[] {
  const ids: number[] = [];
  for (const index of indexes) {
    const id = prev.connectionOf.get(index);
    if (id !== undefined && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Whether the first connections of `table` (a 4-tuple tracked again) start where `ids`' did. */
function sameStarts(prev: TraceAnalysis, table: ConnectionTable, ids: readonly number[]): boolean {
  return ids.every((id, k) => table.connections[k]!.firstRecord === prev.connections[id - 1]!.firstRecord);
}

/**
 * Puts the connections of `table` (a 4-tuple tracked again, records `indexes`) in place of the
 * previous ones: each with its id (`idOf`, by its id within the table), the earlier connection it
 * reused the ports of too, and its records' connection and segment in the lookups.
 */
function adoptTuple(
  table: ConnectionTable,
  indexes: readonly number[],
  idOf: (local: number) => number,
  connections: Connection[],
  connectionOf: RecordIds,
  segmentOf: SegmentIndex,
): void {
  table.connections.forEach((conn, k) => {
    const id = idOf(k + 1);
    if (conn.reusedFrom !== undefined) conn.reusedFrom = idOf(conn.reusedFrom);
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
function restoreNumbers(records: RecordList, kept: Float64Array, count: number): void {
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

/** What numbering.ts gives each record, four numbers a record (NaN: none), to compare before and after. */
function numbersOf(records: RecordList): Float64Array {
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
