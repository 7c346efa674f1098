import { collectFindings, judgeConnection, type AnalyzeOptions, type TraceAnalysis } from '../analyze';
import { nextPrintedSeq, retrackConnection, trackConnections, type NextPrintedLookup } from '../connections';
import { judgeNumbering, resolveNumbers } from '../numbering';
import { TraceRecord } from '../record';
import { REORDER_LOOKAHEAD } from '../seqInference';
import { lowerBound } from '../search';
import { SYN, type PacketRecord, type RecordList } from '../types';
import {
  tupleIndex,
  editedParse,
  sameAnalysis,
  recordAt,
  connectionIdsOf,
  sameStarts,
  adoptTuple,
  numbersOf,
  clearNumbers,
  readerIn,
  asciiReadingKept,
} from './shared';
import { notesBelow, editedComment, sameNotes } from './notes';
import { reanalyzeSplice } from './spliced';
import { reanalyzeTail } from './tail';

/**
 * Re-analysis after lines `first` to `last` changed and no line was added or taken away (`lines`: the
 * new ones): the record they are in is read again, and its 4-tuple tracked and judged again (an
 * edited note: only the packet below it, see notes.ts). Nothing here looks at the whole text: the
 * caller (an editor's change event, or the changed lines of a whole new text) has checked what is
 * file-wide in the text itself (its head's kind, its line ending).
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
  if (!asciiReadingKept(old, lines, first)) return undefined;
  // An edited comment: the record read again is the packet it annotates (if any), with its new
  // annotations; else the record whose lines the edit is in.
  const comment = first === last ? editedComment(old, lines, first) : undefined;
  if (comment && !comment.record)
    return sameAnalysis(
      prev,
      editedParse(old, { recordList: old.recordList, lines, problems: old.problems }),
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
  const reader = readerIn(old, lines, before.index);
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
    // Changed beyond what its own connection decides: the record is taken away and read again in its
    // place, and what that changes is checked there (where connections start, the day of the times).
    const count = before.endLine - before.line + 1;
    return before.index === old.recordList.length - 1
      ? reanalyzeTail(prev, lines, before.line, options)
      : reanalyzeSplice(prev, lines, before.line, count, count, options);
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
    // From scratch, as a fresh analysis numbers them: a bare ACK's seq that the edited record had
    // told before is unknown again if it tells it no more.
    clearNumbers(tuple);
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
  // Whether a later SYN on the 4-tuple starts a connection of its own depends on this one's state (its
  // bases, from seqs, acks and flags): an edit of those, with a connection after it on the 4-tuple,
  // re-tracks the whole 4-tuple (where the connections are checked to start where they did).
  if (!numbersKept && connectionIdsOf(prev, indexes).some((other) => other > id)) return undefined;
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
    indexes,
  );
  judgeConnection(conn, result.parsed, prev.absoluteNumbers);
  connections[id - 1] = conn;
  result.connections = connections;
  result.segmentOf = segmentOf;
  result.connectionOf = connectionOf;
  result.findings = collectFindings(result.parsed, connections);
  return result;
}
