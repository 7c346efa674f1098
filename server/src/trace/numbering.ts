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
import { TraceRecord } from './record';
import { add32 } from './seq32';
import { directionOf } from './tuples';
import { ACK, FIN, RST, SYN, type PacketRecord, type RecordList } from './types';

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

/** A TCP segment with endpoints: a record has a 4-tuple id exactly when it has them. */
function isSegment(r: PacketRecord): boolean {
  return r.kind === 'tcp' && r.flags !== undefined && r.tuple !== undefined;
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
  for (let i = 0; i < records.length; i++) {
    const r = records.at(i)!;
    if (relVotes + absVotes >= DECIDING_VOTES) {
      decidedAt = r.index - 1;
      break;
    }
    if (!isSegment(r)) continue;
    const flags = r.flags!;
    const s = r.src!.id;
    const d = r.dst!.id;
    const tuple = r.tuple!;
    const sender = directionOf(tuple, s, d);
    const receiver = directionOf(tuple, d, s);
    const entry = flags & ACK ? table.get(tuple) : undefined;
    if (!(flags & ACK) || !entry || flags & SYN) {
      // Absolute in both readings: remember where this side's (and, by its ack, the peer's) numbers are.
      if (r.seq !== undefined)
        anchor.set(sender, add32(r.seq, (r.length ?? 0) + (flags & (SYN | FIN) ? 1 : 0)));
      if (flags & ACK && r.ack !== undefined) anchor.set(receiver, r.ack);
      if (flags & ACK)
        table.set(
          tuple,
          new Entry(s, r.seq ?? anchor.get(sender), r.ack === undefined ? undefined : add32(r.ack, -1)),
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
      const v =
        score(r.seq, entry.get(s), anchor.get(sender)) + score(r.ack, entry.get(d), anchor.get(receiver));
      if (v > 0) absVotes++;
      else if (v < 0) relVotes++;
    }
    if (relVotes + absVotes === 0 && weakRel + weakAbs < 1000) {
      for (const [printed, base] of [
        [r.seq, entry.get(s)],
        [r.ack, entry.get(d)],
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
 * What numbering keeps per 4-tuple: tcpdump's table entry, and the next sequence number each side is
 * known to use (to stand in for a base that tcpdump took from a pure ACK whose seq it did not print;
 * per side of the 4-tuple, since a server port talks to many clients). One lookup per packet finds both.
 */
class TupleNumbers {
  entry: Entry | undefined = undefined;
  /**
   * The pure ACK that created the entry without a printed seq, until its side's base is chosen: tcpdump
   * took that base from this very segment's seq, so the base is its seq (see deduceCreatorSeq).
   */
  creator: PacketRecord | undefined = undefined;
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
function deduceCreatorSeq(tuple: TupleNumbers, side: number, base: number): void {
  const creator = tuple.creator;
  if (creator === undefined || creator.src!.id !== side) return;
  creator.seqAbs = base;
  tuple.creator = undefined;
}

/** Fills `seqAbs`, `ackAbs` and absolute SACK edges on every TCP record. */
export function resolveNumbers(records: RecordList, forceAbsolute?: boolean): NumberingResult {
  const judged = forceAbsolute === undefined ? judgeNumbering(records) : { absolute: forceAbsolute };
  const absolute = judged.absolute;
  // By 4-tuple id (dense from 0: an array, not a Map).
  const tuples: Array<TupleNumbers | undefined> = [];
  // An index loop: for...of over half a million records allocated an iterator result for each.
  for (let i = 0; i < records.length; i++) {
    const r = records.at(i)!;
    if (!isSegment(r)) continue;
    const flags = r.flags!;
    const s = r.src!.id;
    const d = r.dst!.id;
    const id = r.tuple!;
    let tuple = tuples[id];
    if (!tuple) {
      tuple = new TupleNumbers(s < d ? s : d);
      setAt(tuples, id, tuple);
    }
    // Each field read once, each result written once: a getter or setter that V8 leaves un-inlined
    // boxes the number it passes.
    const seq = r.seq;
    const ack = r.ack;
    let seqBase = 0;
    let ackBase = 0;
    let relative = false;
    if (!absolute && flags & ACK) {
      const entry = tuple.entry;
      if (!entry || flags & SYN) {
        const own = seq ?? tuple.next(s);
        const fresh = new Entry(s, own, ack === undefined ? undefined : add32(ack, -1));
        tuple.entry = fresh;
        tuple.creator = undefined;
        if (seq === undefined) {
          if (own === undefined) tuple.creator = r;
          else r.seqAbs = own;
        }
        // SACK edges are rebased even on the line that creates the entry.
        if (r instanceof TraceRecord) r.sackBase = fresh.get(d) ?? 0;
      } else {
        relative = true;
        let sb = entry.get(s);
        if (sb === undefined) {
          // The entry came from a pure ACK of this side without a printed seq: use what we know.
          sb = tuple.next(s) ?? 0;
          entry.set(s, sb);
          deduceCreatorSeq(tuple, s, sb);
        }
        let db = entry.get(d);
        if (db === undefined) {
          db = tuple.next(d) ?? 0;
          entry.set(d, db);
          deduceCreatorSeq(tuple, d, db);
        }
        seqBase = sb;
        ackBase = db;
      }
    }
    r.printedRelative = relative;
    // A record read before keeps the absolute numbers it had where it prints none.
    const seqAbs = seq !== undefined ? add32(seq, seqBase) : r.seqAbs;
    const ackAbs = ack !== undefined ? add32(ack, ackBase) : r.ackAbs;
    if (seq !== undefined) r.seqAbs = seqAbs;
    if (ack !== undefined) r.ackAbs = ackAbs;
    if (relative && r instanceof TraceRecord) r.sackBase = ackBase;
    if (seqAbs !== undefined && !(flags & RST)) {
      tuple.setNext(s, add32(seqAbs, (r.length ?? 0) + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0)));
    }
    if (ackAbs !== undefined && tuple.next(d) === undefined) tuple.setNext(d, ackAbs);
  }
  return judged;
}
