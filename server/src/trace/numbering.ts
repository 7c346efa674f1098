/**
 * Recovers absolute sequence and acknowledgment numbers from what tcpdump printed.
 *
 * tcpdump (without -S) keeps a table keyed by the unordered 4-tuple. A segment with ACK whose 4-tuple
 * is not in the table, or that carries SYN, (re)creates the entry: its sender's base := its seq, its
 * receiver's base := its ack - 1, and it is printed absolute. Later ACK-bearing segments print
 * seq - base(sender) and ack - base(receiver). Segments without ACK are always absolute. We replay
 * the same table, so every line gets its absolute numbers back (tcpdump-format.md §10).
 */
import { setAt } from './denseArray';
import { FROM_LOWER, KIND_CODE, Track, readTrackInputsAt, trackInputs, writeNumbersAt } from './record';
import { add32 } from './seq32';
import { directionOf } from './tuples';
import { ACK, FIN, RST, SYN, type RecordList } from './types';

export interface NumberingResult {
  /** Whether the trace was printed with -S (absolute numbers everywhere), as judged from the numbers. */
  absolute: boolean;
  /**
   * Index of the last record the judgement looked at: records after it cannot change it (an edit
   * there keeps the judgement). Undefined when the caller forced the reading.
   */
  decidedAt?: number;
}

/** The -S judgement stops after this many 4-tuples have voted: a large trace is decided by its start. */
const DECIDING_VOTES = 500;

/** An optional number kept as a number, NaN for none (see Entry). */
const orNaN = (v: number | undefined): number => (v === undefined ? NaN : v);
const unlessNaN = (v: number): number | undefined => (v === v ? v : undefined);

/**
 * tcpdump's table entry: a base for each of the two sides. The bases (and TupleNumbers' next numbers)
 * are fields that only ever hold numbers, NaN for none: V8 then updates them in place, where a field
 * that may hold undefined gets a new boxed number on every write of a seq above 2^31 (half of them),
 * hundreds of thousands of times on a large trace.
 */
class Entry {
  private baseA: number;
  private baseB: number;
  constructor(
    private readonly sideA: number,
    baseA: number | undefined,
    baseB: number | undefined,
  ) {
    this.baseA = orNaN(baseA);
    this.baseB = orNaN(baseB);
  }
  get(side: number): number | undefined {
    return unlessNaN(side === this.sideA ? this.baseA : this.baseB);
  }
  set(side: number, value: number): void {
    if (side === this.sideA) this.baseA = value;
    else this.baseB = value;
  }
}

/** Signed 32-bit magnitude: how far a number is from 0 in sequence space. */
function magnitude(v: number): number {
  return Math.abs(v | 0);
}

/**
 * Decides between relative and -S output by replaying the table. Lines that are absolute either way
 * (no ACK, or the line that creates a table entry) tell where each side's sequence numbers are; the
 * first line tcpdump would print relative then fits one reading and not the other. Where no such
 * anchor exists (a capture that starts mid-connection), relative numbers are small and absolute ones
 * are near the stored base, by a wide margin. Also says where the judgement stopped (decidedAt).
 */
export function judgeNumbering(records: RecordList): NumberingResult {
  // By 4-tuple id.
  const table = new Map<number, Entry>();
  const judged = new Set<number>();
  // Where each side of each 4-tuple is known to be, by directionOf: a server port talks to many clients,
  // and an anchor per endpoint would judge one connection by another's numbers.
  const anchor = new Map<number, number>();
  const ids = new TupleEndpointIds();
  let relVotes = 0;
  let absVotes = 0;
  // How far off each reading puts the voting lines in all, for a tie: near the 32-bit wrap a -S
  // handshake ACK one past the ISN + 1 reads as a good relative "ack 1" (ISN 2^32 - 1: "ack 1"
  // absolute is ISN + 2), while the other connections' lines fit -S by a wide margin.
  let relOff = 0;
  let absOff = 0;
  let weakRel = 0;
  let weakAbs = 0;
  let decidedAt = records.length ? records.at(records.length - 1)!.index : 0;
  const v = trackInputs;
  for (let i = 0; i < records.length; i++) {
    // (Each record's fields from its columns, into trackInputs: see segmentInputs.)
    readTrackInputsAt(records, i);
    if (relVotes + absVotes >= DECIDING_VOTES) {
      decidedAt = v[Track.INDEX]! - 1;
      break;
    }
    if (!segmentInputs()) continue;
    const flags = v[Track.FLAGS]!;
    const tuple = v[Track.TUPLE]!;
    const s = ids.sender(records, i, tuple);
    const d = ids.receiver(tuple);
    const sender = directionOf(tuple, s, d);
    const receiver = directionOf(tuple, d, s);
    const seq = unlessNaN(v[Track.SEQ]!);
    const ack = unlessNaN(v[Track.ACK]!);
    const length = v[Track.LENGTH]!;
    const entry = flags & ACK ? table.get(tuple) : undefined;
    if (!(flags & ACK) || !entry || flags & SYN) {
      // Absolute in both readings: remember where this side's (and, by its ack, the peer's) numbers are.
      if (seq !== undefined)
        anchor.set(sender, add32(seq, (length === length ? length : 0) + (flags & (SYN | FIN) ? 1 : 0)));
      if (flags & ACK && ack !== undefined) anchor.set(receiver, ack);
      if (flags & ACK)
        table.set(
          tuple,
          new Entry(s, seq ?? anchor.get(sender), ack === undefined ? undefined : add32(ack, -1)),
        );
      continue;
    }
    if (!judged.has(tuple)) {
      judged.add(tuple);
      const score = (printed: number | undefined, base: number | undefined, expected: number | undefined) => {
        if (printed === undefined || base === undefined || expected === undefined) return 0;
        const asAbs = magnitude(printed - expected);
        const asRel = magnitude(add32(printed, base) - expected);
        absOff += asAbs;
        relOff += asRel;
        return asAbs < asRel ? 1 : asRel < asAbs ? -1 : 0;
      };
      const vote =
        score(seq, entry.get(s), anchor.get(sender)) + score(ack, entry.get(d), anchor.get(receiver));
      if (vote > 0) absVotes++;
      else if (vote < 0) relVotes++;
    }
    if (relVotes + absVotes === 0 && weakRel + weakAbs < 1000) {
      for (const [printed, base] of [
        [seq, entry.get(s)],
        [ack, entry.get(d)],
      ] as const) {
        if (printed === undefined || base === undefined) continue;
        const asRel = magnitude(printed);
        const asAbs = magnitude(printed - base);
        // Only a clear difference counts: near the 32-bit wrap both readings look small.
        if (asRel * 16 < asAbs) weakRel++;
        else if (asAbs * 16 < asRel) weakAbs++;
      }
    }
  }
  const absolute =
    absVotes !== relVotes ? absVotes > relVotes : absVotes > 0 ? absOff < relOff : weakAbs > weakRel;
  return { absolute, decidedAt };
}

/**
 * Whether the record whose fields readTrackInputsAt has just read into trackInputs is a TCP segment
 * with endpoints (a record has a 4-tuple id exactly when it has them).
 */
function segmentInputs(): boolean {
  const v = trackInputs;
  return v[Track.KIND] === KIND_CODE.tcp && v[Track.FLAGS]! >= 0 && v[Track.TUPLE]! >= 0;
}

/**
 * The endpoint ids of each 4-tuple, the lower first, found from its first record (its columns keep
 * the 4-tuple and which side sent the record, not the ids): the sender and the receiver of a record
 * by its side, as the numbering tables key them. A 4-tuple of one endpoint talking to itself has one
 * id twice.
 */
class TupleEndpointIds {
  // (Int32, -1 for none: an id read from a Float64Array would be a double, boxed when returned.)
  private ids = new Int32Array(64).fill(-1);
  private senderSide = 0;

  /** The sender's id of the record at `position` of `records` (its fields in trackInputs). */
  sender(records: RecordList, position: number, tuple: number): number {
    let ids = this.ids;
    if (tuple * 2 + 1 >= ids.length) {
      const wider = new Int32Array(Math.max(ids.length * 2, tuple * 2 + 2)).fill(-1);
      wider.set(ids);
      this.ids = ids = wider;
    }
    if (ids[tuple * 2]! < 0) {
      const r = records.at(position)!;
      const lower = r.src!.id <= r.dst!.id;
      ids[tuple * 2] = lower ? r.src!.id : r.dst!.id;
      ids[tuple * 2 + 1] = lower ? r.dst!.id : r.src!.id;
    }
    this.senderSide = trackInputs[Track.SIDE] === FROM_LOWER ? 0 : 1;
    return ids[tuple * 2 + this.senderSide]!;
  }

  /** The receiver's id of the record that sender() was last asked about. */
  receiver(tuple: number): number {
    return this.ids[tuple * 2 + 1 - this.senderSide]!;
  }
}

/**
 * What numbering keeps per 4-tuple: tcpdump's table entry, and the next sequence number each side is
 * known to use (to stand in for a base that tcpdump took from a pure ACK whose seq it did not print;
 * per side of the 4-tuple, since a server port talks to many clients). One lookup per packet finds both.
 */
class TupleNumbers {
  entry: Entry | undefined = undefined;
  /**
   * The position of the pure ACK that created the entry without a printed seq (-1: none), and its
   * sender's endpoint id, until its side's base is chosen: tcpdump took that base from this very
   * segment's seq, so the base is its seq (see deduceCreatorSeq).
   */
  creator = -1;
  creatorSide = -1;
  private nextLow = NaN;
  private nextHigh = NaN;
  /** `low`: the smaller endpoint id of the two. */
  constructor(private readonly low: number) {}
  next(side: number): number | undefined {
    return unlessNaN(side === this.low ? this.nextLow : this.nextHigh);
  }
  setNext(side: number, value: number): void {
    if (side === this.low) this.nextLow = value;
    else this.nextHigh = value;
  }
}

/**
 * Side `side`'s base is now `base`. When the pure ACK that created the entry was that side's, its seq
 * was that base: tcpdump set the base from it, and every later number of the side is relative to it. A
 * capture that starts with a bare ACK (a keep-alive, say) then has its seq, which Wireshark compares.
 */
function deduceCreatorSeq(records: RecordList, tuple: TupleNumbers, side: number, base: number): void {
  if (tuple.creator < 0 || tuple.creatorSide !== side) return;
  writeNumbersAt(records, tuple.creator, undefined, base, NaN, NaN);
  tuple.creator = -1;
}

/** Fills `seqAbs`, `ackAbs` and absolute SACK edges on every TCP record. */
export function resolveNumbers(records: RecordList, forceAbsolute?: boolean): NumberingResult {
  const judged = forceAbsolute === undefined ? judgeNumbering(records) : { absolute: forceAbsolute };
  const absolute = judged.absolute;
  // By 4-tuple id (dense from 0: an array, not a Map).
  const tuples: Array<TupleNumbers | undefined> = [];
  const ids = new TupleEndpointIds();
  const v = trackInputs;
  // An index loop over the records' columns: for...of over half a million records allocated an
  // iterator result for each, and a handle and its getters and setters for each cost as much again.
  for (let i = 0; i < records.length; i++) {
    readTrackInputsAt(records, i);
    if (!segmentInputs()) continue;
    const flags = v[Track.FLAGS]!;
    const id = v[Track.TUPLE]!;
    const s = ids.sender(records, i, id);
    const d = ids.receiver(id);
    let tuple = tuples[id];
    if (!tuple) {
      tuple = new TupleNumbers(s < d ? s : d);
      setAt(tuples, id, tuple);
    }
    const seq = unlessNaN(v[Track.SEQ]!);
    const ack = unlessNaN(v[Track.ACK]!);
    let seqBase = 0;
    let ackBase = 0;
    let relative = false;
    // What this record's own seq stands at when it prints none (numbering.ts's earlier answer, or one
    // found now), and the SACK base to write (NaN: none).
    let seqAbsKept = v[Track.SEQ_ABS]!;
    let sackBase = NaN;
    if (!absolute && flags & ACK) {
      const entry = tuple.entry;
      if (!entry || flags & SYN) {
        const own = seq ?? tuple.next(s);
        const fresh = new Entry(s, own, ack === undefined ? undefined : add32(ack, -1));
        tuple.entry = fresh;
        tuple.creator = -1;
        if (seq === undefined) {
          if (own === undefined) {
            tuple.creator = i;
            tuple.creatorSide = s;
          } else seqAbsKept = own;
        }
        // SACK edges are rebased even on the line that creates the entry.
        sackBase = fresh.get(d) ?? 0;
      } else {
        relative = true;
        let sb = entry.get(s);
        if (sb === undefined) {
          // The entry came from a pure ACK of this side without a printed seq: use what we know.
          sb = tuple.next(s) ?? 0;
          entry.set(s, sb);
          deduceCreatorSeq(records, tuple, s, sb);
        }
        let db = entry.get(d);
        if (db === undefined) {
          db = tuple.next(d) ?? 0;
          entry.set(d, db);
          deduceCreatorSeq(records, tuple, d, db);
        }
        seqBase = sb;
        ackBase = db;
        sackBase = ackBase;
      }
    }
    // A record read before keeps the absolute numbers it had where it prints none.
    const seqAbs = seq !== undefined ? add32(seq, seqBase) : seqAbsKept;
    const ackAbs = ack !== undefined ? add32(ack, ackBase) : v[Track.ACK_ABS]!;
    writeNumbersAt(
      records,
      i,
      relative,
      seq !== undefined || seqAbs !== v[Track.SEQ_ABS] ? seqAbs : NaN,
      ack !== undefined ? ackAbs : NaN,
      sackBase,
    );
    if (seqAbs === seqAbs && !(flags & RST)) {
      const length = v[Track.LENGTH]!;
      tuple.setNext(
        s,
        add32(seqAbs, (length === length ? length : 0) + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)),
      );
    }
    if (ackAbs === ackAbs && tuple.next(d) === undefined) tuple.setNext(d, ackAbs);
  }
  return judged;
}
