/**
 * The analysed model: connections, their two flows, and one Segment per TCP packet record.
 */
import { ColumnSet, newColumn, optionalNumber, setOptionalNumber, type NumberColumn } from './columns';
import type { Endpoint, Finding, PacketRecord, RecordList } from './types';
import type { TrackCheckpoint } from './checkpoints';

/** Wireshark's tcp.analysis bits (TCP_A_* in packet-tcp.c). */
export const A = {
  RETRANSMISSION: 0x0001,
  LOST_PACKET: 0x0002,
  ACK_LOST_PACKET: 0x0004,
  KEEP_ALIVE: 0x0008,
  DUPLICATE_ACK: 0x0010,
  ZERO_WINDOW: 0x0020,
  ZERO_WINDOW_PROBE: 0x0040,
  ZERO_WINDOW_PROBE_ACK: 0x0080,
  KEEP_ALIVE_ACK: 0x0100,
  OUT_OF_ORDER: 0x0200,
  FAST_RETRANSMISSION: 0x0400,
  WINDOW_UPDATE: 0x0800,
  WINDOW_FULL: 0x1000,
  REUSED_PORTS: 0x2000,
  SPURIOUS_RETRANSMISSION: 0x4000,
} as const;

/** RFC 9293 endpoint states, plus UNKNOWN for a side whose state the trace cannot show. */
export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN-SENT'
  | 'SYN-RECEIVED'
  | 'ESTABLISHED'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'CLOSE-WAIT'
  | 'CLOSING'
  | 'LAST-ACK'
  | 'TIME-WAIT'
  | 'UNKNOWN';

export type HandshakeVerdict =
  'complete' | 'incomplete' | 'refused' | 'unanswered' | 'missing' | 'simultaneous' | 'unknown';
export type TeardownVerdict = 'fin' | 'rst' | 'half-closed' | 'open' | 'unknown';

/** One direction of a connection: what Wireshark keeps per flow, and what the checks need. */
export interface Flow {
  endpoint: Endpoint;
  baseSeq?: number;
  nextseq?: number;
  nextseqTime?: number;
  nextseqRecord?: number;
  maxseqtobeacked?: number;
  lastack?: number;
  lastackTime?: number;
  /** Last raw window field; undefined until the first packet (Wireshark starts at 0xFFFFFFFF). */
  window?: number;
  dupacknum: number;
  lastnondupack?: number;
  /**
   * The highest ack this side sent, the seq of the segment that first carried it, and whether that had
   * data or a FIN (then a bare ACK stamped with it and carrying that ack was sent before it).
   */
  highestAck?: number;
  highestAckSeq?: number;
  highestAckData: boolean;
  /** The segment that last moved nextseq (its timestamps date this side's later bare ACKs). */
  nextseqBy?: PacketRecord;
  lastsegmentflags: number;
  /** This side's previous packet (its options tell signalling ACKs from idle probes). */
  lastRecord?: PacketRecord;
  /** This side's last bare ACK (no data, SYN, FIN or RST): its record and the seq it was judged at. */
  lastBareAck?: PacketRecord;
  lastBareAckSeq?: number;
  /** -1 unknown, -2 no scaling, >= 0 the shift. */
  /** Whether a segment of this side was out of order, lost or sent again: the path reorders or drops. */
  disordered: boolean;
  /** Whether this side's SYN offered SACK (sackOK). */
  sackOffered: boolean;
  winScale: number;
  isFirstAck: boolean;
  /** The ISN from this side's SYN, when seen. */
  isn?: number;
  synRecord?: number;
  synAckRecord?: number;
  /** Sequence number the FIN occupies, and the first record that sent it. */
  finSeq?: number;
  finRecord?: number;
  finRecords: number[];
  finAckedBy?: number;
  rstRecord?: number;
  packets: number;
  bytes: number;
  dataSeen: boolean;
  /** Segments that advanced this flow's sequence, in order (for retransmission origins and acks). */
  sent: SentLog;
  state: TcpState;
}

/** Every state, in a fixed order: a segment keeps its (before, after) pairs as indexes into it. */
const TCP_STATES: readonly TcpState[] = [
  'CLOSED',
  'LISTEN',
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
  'UNKNOWN',
];
const STATE_CODE = new Map(TCP_STATES.map((s, i) => [s, i]));
const STATE_BITS = 4;
/** Every (before, after) pair once, frozen and shared: by `before << STATE_BITS | after`. */
const STATE_PAIRS: ReadonlyArray<readonly [TcpState, TcpState]> = Array.from(
  { length: 1 << (2 * STATE_BITS) },
  (_, code) =>
    Object.freeze([
      TCP_STATES[code >> STATE_BITS] ?? 'UNKNOWN',
      TCP_STATES[code & ((1 << STATE_BITS) - 1)] ?? 'UNKNOWN',
    ] as const),
);
const pairCode = (before: TcpState, after: TcpState): number =>
  (STATE_CODE.get(before)! << STATE_BITS) | STATE_CODE.get(after)!;

/** Codes of (before, after) pairs that remember the last one asked: most segments repeat it. */
class PairCodes {
  private before: TcpState | undefined = undefined;
  private after: TcpState | undefined = undefined;
  private code = 0;

  of(before: TcpState, after: TcpState): number {
    if (before !== this.before || after !== this.after) {
      this.before = before;
      this.after = after;
      this.code = pairCode(before, after);
    }
    return this.code;
  }
}
const clientPairs = new PairCodes();
const serverPairs = new PairCodes();

/**
 * Bits of a segment's `present` column: which number columns hold a value. (Exported for the tracking
 * pass, which writes a new segment's columns itself: see SegmentStore.)
 */
export const PRESENT = {
  SEQ: 1 << 0,
  NEXT_PRINTED_SEQ: 1 << 1,
  ACK: 1 << 2,
  WIN: 1 << 3,
  TIME: 1 << 4,
  REL_SEQ: 1 << 5,
  REL_ACK: 1 << 6,
  WIN_BYTES: 1 << 7,
  /** Not a number's: the next printed seq comes soon after (see NextPrinted.soon in connections.ts). */
  NEXT_PRINTED_SOON: 1 << 8,
} as const;
const SEQ = PRESENT.SEQ;
const NEXT_PRINTED_SEQ = PRESENT.NEXT_PRINTED_SEQ;
const ACK_N = PRESENT.ACK;
const WIN = PRESENT.WIN;
const TIME = PRESENT.TIME;
const REL_SEQ = PRESENT.REL_SEQ;
const REL_ACK = PRESENT.REL_ACK;
const WIN_BYTES = PRESENT.WIN_BYTES;
const NEXT_PRINTED_SOON = PRESENT.NEXT_PRINTED_SOON;

/**
 * The columns behind the segments of one tracking pass, an array per field as in RecordStore: each
 * check makes a pass over a connection's segments that reads a few fields. The optional record
 * indexes and counts hold the value plus one (0: none); the numbers are Float64 (up to 2^32, and
 * beyond for a scaled window or a hostile length) with a `present` bit each.
 */
export class SegmentStore extends ColumnSet {
  /** The position of each segment's record in `records`. */
  record: Int32Array;
  position: Int32Array;
  fromClient: Uint8Array;
  flags: Uint16Array;
  seqInferred: Uint8Array;
  analysis: Uint16Array;
  dupAckNum: Int32Array;
  dupAckOf: Int32Array;
  acksRecord: Int32Array;
  beforeGapRecord: Int32Array;
  originalRecord: Int32Array;
  /** The client's state pair code, and the server's above it. */
  states: Uint16Array;
  present: Uint16Array;
  len: Float64Array;
  seq: Uint32Array;
  nextPrintedSeq: Uint32Array;
  ack: Uint32Array;
  win: Uint32Array;
  time: Float64Array;
  relSeq: Uint32Array;
  relAck: Uint32Array;
  winBytes: Float64Array;

  /**
   * `records`: the records the segments are of (the ones tracked: all of a file's, or all of some
   * 4-tuples'); `expected`: about how many segments will come (a capacity hint, not a limit);
   * `links`: the position in `records` of the next record of the same 4-tuple as the one at each
   * position (-1: none), for a look ahead from a segment (see Segment.nextInTuple); or a function
   * that finds it; by default the next position (`records` of one 4-tuple).
   */
  constructor(
    readonly records: RecordList,
    expected = 16,
    private readonly links: Int32Array | ((at: number) => number) = (at) =>
      at + 1 < records.length ? at + 1 : -1,
  ) {
    super(expected);
    const n = this.capacity;
    // As in RecordStore: the columns of what few segments have (duplicate ACKs, retransmissions) are
    // new typed arrays, the others come from the spare memory while it lasts.
    this.record = newColumn(Int32Array, n);
    this.position = newColumn(Int32Array, n);
    this.fromClient = newColumn(Uint8Array, n);
    this.flags = newColumn(Uint16Array, n);
    this.seqInferred = newColumn(Uint8Array, n);
    this.analysis = newColumn(Uint16Array, n);
    this.dupAckNum = new Int32Array(n);
    this.dupAckOf = new Int32Array(n);
    this.acksRecord = newColumn(Int32Array, n);
    this.beforeGapRecord = new Int32Array(n);
    this.originalRecord = new Int32Array(n);
    this.states = newColumn(Uint16Array, n);
    this.present = newColumn(Uint16Array, n);
    this.len = newColumn(Float64Array, n);
    this.seq = newColumn(Uint32Array, n);
    this.nextPrintedSeq = newColumn(Uint32Array, n);
    this.ack = newColumn(Uint32Array, n);
    this.win = newColumn(Uint32Array, n);
    this.time = newColumn(Float64Array, n);
    this.relSeq = newColumn(Uint32Array, n);
    this.relAck = newColumn(Uint32Array, n);
    this.winBytes = newColumn(Float64Array, n);
  }

  /**
   * A new segment (its slot) of a TCP record with flags (at `at` in the store's records): its `flags`, payload
   * `len`, absolute `seq` and `ack` (the ack only with the ACK flag), `win` and `time`, each NaN where
   * the record has none; the analysis sets the rest. `position`: its index in its connection's
   * segments; `nextPrintedSeq`, `nextPrintedSoon`: see those getters; `analysis`: the bits it starts
   * with. (Separate arguments, not an object of them, nor the record to read them from: the tracking
   * pass would allocate an object per segment, and its getters were calls that box their numbers.)
   * The analysis writes the rest of the slot's columns itself (sequenceAnalysis.ts, analyzeSegment).
   */
  addSegment(
    at: number,
    position: number,
    fromClient: boolean,
    flags: number,
    len: number,
    seq: number,
    ack: number,
    win: number,
    time: number,
    nextPrintedSeq: number | undefined,
    nextPrintedSoon: boolean,
    analysis: number,
  ): number {
    const slot = this.addSlot();
    this.record[slot] = at;
    this.position[slot] = position;
    this.fromClient[slot] = fromClient ? 1 : 0;
    this.flags[slot] = flags;
    // (Even a 0: a write only for the rare segment that has some ran first after V8 had optimised
    // the tracking pass, and deoptimised it.)
    this.analysis[slot] = analysis;
    this.states[slot] = UNKNOWN_PAIRS;
    this.len[slot] = len;
    // The numbers and their present bits written here rather than through the setters: V8 stops
    // inlining into a function after a budget of code, and each setter call it leaves boxes its number
    // (a seq above 2^31, a time always). (NaN, a number that is none, is unequal to itself.)
    let present = 0;
    if (seq === seq) {
      present |= SEQ;
      this.seq[slot] = seq;
    }
    if (ack === ack) {
      present |= ACK_N;
      this.ack[slot] = ack;
    }
    if (win === win) {
      present |= WIN;
      this.win[slot] = win;
    }
    if (time === time) {
      present |= TIME;
      this.time[slot] = time;
    }
    if (nextPrintedSeq !== undefined) {
      present |= NEXT_PRINTED_SEQ;
      this.nextPrintedSeq[slot] = nextPrintedSeq;
      if (nextPrintedSoon) present |= NEXT_PRINTED_SOON;
    }
    this.present[slot] = present;
    return slot;
  }

  /**
   * Sets both endpoints' states before and after the segment in `slot` (Segment.clientState and
   * serverState read them).
   */
  setStates(
    slot: number,
    clientBefore: TcpState,
    clientAfter: TcpState,
    serverBefore: TcpState,
    serverAfter: TcpState,
  ): void {
    this.states[slot] =
      clientPairs.of(clientBefore, clientAfter) |
      (serverPairs.of(serverBefore, serverAfter) << (2 * STATE_BITS));
  }

  /** The absolute seq of the segment in `slot` (see Segment.seq), for passes that read columns. */
  seqAt(slot: number): number | undefined {
    return optionalNumber(this.present, this.seq, slot, SEQ);
  }
  /** The window of the segment in `slot` (see Segment.win). */
  winAt(slot: number): number | undefined {
    return optionalNumber(this.present, this.win, slot, WIN);
  }

  /** The position in `records` of the next record of the 4-tuple of the one at `at` (-1: none). */
  nextInTuple(at: number): number {
    const links = this.links;
    return links instanceof Int32Array ? links[at]! : links(at);
  }
}

/**
 * One TCP packet record, analysed. A large trace has hundreds of thousands, so (like TraceRecord) a
 * segment is a handle on a slot of a SegmentStore: as objects with two dozen fields and a boxed number
 * for each seq, ack and time, creating them was the most expensive line of the tracking pass. And a
 * handle is made when asked for (SegmentList.at) and kept by no one: kept for every segment, the bench
 * trace's 600 000 handles took 29 MB of the CLI's peak memory (540 MB), and the language server's
 * memory per packet of a 100 000-packet trace was 1234 bytes instead of 1180.
 */
export class Segment {
  declare private readonly store: SegmentStore;
  declare private readonly slot: number;

  /** The handle on the segment in `slot` of `store`. */
  constructor(store: SegmentStore, slot: number) {
    this.store = store;
    this.slot = slot;
  }

  /** Whether `other` stands for the same segment (two handles may: they are made when asked for). */
  is(other: Segment | undefined): boolean {
    return other !== undefined && other.store === this.store && other.slot === this.slot;
  }

  get record(): PacketRecord {
    return this.store.records.at(this.store.record[this.slot]!)!;
  }

  /**
   * The records being tracked (all of a file's, or all of some 4-tuples'), where this one's is in
   * them, and the next of its 4-tuple's after a position there: for a look at the records after it.
   * (Methods, not getters: a segment's getters are its fields.)
   */
  trackedRecords(): RecordList {
    return this.store.records;
  }
  trackedAt(): number {
    return this.store.record[this.slot]!;
  }
  nextInTuple(at: number): number {
    return this.store.nextInTuple(at);
  }

  // Small accessors, so that V8 inlines them into the analysis' loops.
  /** An optional non-negative integer, kept plus one. */
  private opt(column: Int32Array): number | undefined {
    const v = column[this.slot]!;
    return v === 0 ? undefined : v - 1;
  }
  private setOpt(column: Int32Array, v: number | undefined): void {
    column[this.slot] = optionalIndex(v);
  }
  /** Number column `column` (with its `present` bit), or undefined where it holds none. */
  private num(column: NumberColumn, bit: number): number | undefined {
    return optionalNumber(this.store.present, column, this.slot, bit);
  }
  private setNum(column: NumberColumn, bit: number, v: number | undefined): void {
    setOptionalNumber(this.store.present, column, this.slot, bit, v);
  }

  /** Index of this segment in its connection's `segments`. */
  get position(): number {
    return this.store.position[this.slot]!;
  }
  get fromClient(): boolean {
    return this.store.fromClient[this.slot] === 1;
  }
  get flags(): number {
    return this.store.flags[this.slot]!;
  }
  /** Payload length (SYN and FIN not counted). */
  get len(): number {
    return this.store.len[this.slot]!;
  }
  private set len(v: number) {
    this.store.len[this.slot] = v;
  }
  /** Absolute seq; for pure ACKs without a printed seq, the inferred one. */
  get seq(): number | undefined {
    return this.num(this.store.seq, SEQ);
  }
  set seq(v: number | undefined) {
    this.setNum(this.store.seq, SEQ, v);
  }
  get seqInferred(): boolean {
    return this.store.seqInferred[this.slot] === 1;
  }
  set seqInferred(v: boolean) {
    this.store.seqInferred[this.slot] = v ? 1 : 0;
  }
  /** The next printed seq in this direction, a stand-in for a hidden seq when nothing earlier tells it. */
  get nextPrintedSeq(): number | undefined {
    return this.num(this.store.nextPrintedSeq, NEXT_PRINTED_SEQ);
  }
  private set nextPrintedSeq(v: number | undefined) {
    this.setNum(this.store.nextPrintedSeq, NEXT_PRINTED_SEQ, v);
  }
  /** Whether a segment of this direction prints nextPrintedSeq within SAME_BURST seconds after. */
  get nextPrintedSoon(): boolean {
    return (this.store.present[this.slot]! & NEXT_PRINTED_SOON) !== 0;
  }
  /** Absolute ack (only with the ACK flag). */
  get ack(): number | undefined {
    return this.num(this.store.ack, ACK_N);
  }
  private set ack(v: number | undefined) {
    this.setNum(this.store.ack, ACK_N, v);
  }
  get win(): number | undefined {
    return this.num(this.store.win, WIN);
  }
  private set win(v: number | undefined) {
    this.setNum(this.store.win, WIN, v);
  }
  get time(): number | undefined {
    return this.num(this.store.time, TIME);
  }
  private set time(v: number | undefined) {
    this.setNum(this.store.time, TIME, v);
  }
  /** Wireshark analysis bits (A.*). */
  get analysis(): number {
    return this.store.analysis[this.slot]!;
  }
  set analysis(v: number) {
    this.store.analysis[this.slot] = v;
  }
  get dupAckNum(): number | undefined {
    return this.opt(this.store.dupAckNum);
  }
  set dupAckNum(v: number | undefined) {
    this.setOpt(this.store.dupAckNum, v);
  }
  /** For duplicate ACKs: the record that last changed this side's ack (Wireshark's reference frame). */
  get dupAckOf(): number | undefined {
    return this.opt(this.store.dupAckOf);
  }
  set dupAckOf(v: number | undefined) {
    this.setOpt(this.store.dupAckOf, v);
  }
  /** Record index of the segment this ACK (first) fully acknowledges. */
  get acksRecord(): number | undefined {
    return this.opt(this.store.acksRecord);
  }
  set acksRecord(v: number | undefined) {
    this.setOpt(this.store.acksRecord, v);
  }
  /** For tcp.lost-segment: the record whose end was the next expected sequence number. */
  get beforeGapRecord(): number | undefined {
    return this.opt(this.store.beforeGapRecord);
  }
  set beforeGapRecord(v: number | undefined) {
    this.setOpt(this.store.beforeGapRecord, v);
  }
  /** For retransmissions: the record that first sent this sequence number. */
  get originalRecord(): number | undefined {
    return this.opt(this.store.originalRecord);
  }
  set originalRecord(v: number | undefined) {
    this.setOpt(this.store.originalRecord, v);
  }
  /** Wireshark's relative numbers (base = ISN, or first seq - 1). */
  get relSeq(): number | undefined {
    return this.num(this.store.relSeq, REL_SEQ);
  }
  set relSeq(v: number | undefined) {
    this.setNum(this.store.relSeq, REL_SEQ, v);
  }
  get relAck(): number | undefined {
    return this.num(this.store.relAck, REL_ACK);
  }
  set relAck(v: number | undefined) {
    this.setNum(this.store.relAck, REL_ACK, v);
  }
  /** Scaled window in bytes, when the scale is known. */
  get winBytes(): number | undefined {
    return this.num(this.store.winBytes, WIN_BYTES);
  }
  set winBytes(v: number | undefined) {
    this.setNum(this.store.winBytes, WIN_BYTES, v);
  }
  /** The client's state before and after this segment (a shared pair: never mutate it). */
  get clientState(): [TcpState, TcpState] {
    return STATE_PAIRS[this.store.states[this.slot]! & PAIR_MASK] as [TcpState, TcpState];
  }
  get serverState(): [TcpState, TcpState] {
    return STATE_PAIRS[this.store.states[this.slot]! >> (2 * STATE_BITS)] as [TcpState, TcpState];
  }
}

const PAIR_MASK = (1 << (2 * STATE_BITS)) - 1;
const UNKNOWN_PAIR = pairCode('UNKNOWN', 'UNKNOWN');
const UNKNOWN_PAIRS = UNKNOWN_PAIR | (UNKNOWN_PAIR << (2 * STATE_BITS));

/** Connection.reusedFrom of a connection that reused no ports. */
export const NO_REUSE = -1;

export interface Connection {
  /** 1-based, in order of first packet. */
  id: number;
  key: string;
  client: Flow;
  server: Flow;
  /** The client was guessed (no SYN seen): lower port or well-known service taken as the server. */
  clientGuessed: boolean;
  /**
   * The side (record.ts: FROM_LOWER or FROM_HIGHER) of the client's records in the 4-tuple: a record
   * whose side is this one is the client's.
   */
  clientSide: number;
  segments: SegmentList;
  /**
   * Record indexes of every packet (quiet and truncated ones included); none in a report-only
   * analysis (see AnalyzeOptions.reportOnly in analyze.ts), whose flows count the packets.
   */
  records: number[];
  firstRecord: number;
  lastRecord: number;
  /** -q output: no flags to judge. */
  quiet: boolean;
  handshake: HandshakeVerdict;
  teardown: TeardownVerdict;
  zeekState: string;
  history: string;
  /** Time of the most recent SYN (without ACK), for the initial RTT. */
  lastSynTime?: number;
  /** Initial RTT (SYN to the first ACK after it), seconds. */
  irtt?: number;
  startTime?: number;
  /**
   * The id of the earlier connection on the same 4-tuple, when this one reused its ports; NO_REUSE
   * when it did not. (A number either way: connections are made by one object literal, and V8
   * optimised the tracking pass for a field that had held undefined alone, then threw it away at a
   * trace's first reused port.)
   */
  reusedFrom: number;
  findings: Finding[];
  /** The tracking state every so many segments, for re-tracking after an edit (checkpoints.ts). */
  checkpoints: TrackCheckpoint[];
}

/**
 * An optional non-negative integer (a record index, a count) as a segment's Int32 columns keep it:
 * plus one, 0 for none.
 */
export function optionalIndex(v: number | undefined): number {
  return v === undefined ? 0 : v + 1;
}

/**
 * What a flow sent: start and end seq and record of each segment that advanced its sequence (a large
 * transfer has hundreds of thousands, and as objects they were garbage work). One array of numbers
 * for the three, one entry after another: most flows send a few segments, and the three typed arrays
 * a flow had before were tens of thousands of objects on the bench trace (a buffer, a view and its
 * bytes each), copied by the garbage collector while tracking ran.
 */
export class SentLog {
  private entries: number[] = [];
  length = 0;

  push(seq: number, end: number, record: number): void {
    this.entries.push(seq, end, record);
    this.length++;
  }

  /** A log of its own with the first `length` entries of this one. */
  copy(length: number): SentLog {
    const log = new SentLog();
    log.entries = this.entries.slice(0, 3 * length);
    log.length = length;
    return log;
  }

  /** Empties the log (what it held goes). */
  clear(): void {
    this.entries = [];
    this.length = 0;
  }

  /** Numbers again the records from `from` on, `delta` more (records were put in or taken away). */
  moveRecords(from: number, delta: number): void {
    const e = this.entries;
    for (let i = 2; i < e.length; i += 3) if (e[i]! >= from) e[i] = e[i]! + delta;
  }

  seq(i: number): number {
    return this.entries[3 * i]!;
  }
  end(i: number): number {
    return this.entries[3 * i + 1]!;
  }
  record(i: number): number {
    return this.entries[3 * i + 2]!;
  }
}

/**
 * A connection's segments in order, kept as store slots: a Segment handle is made on each access, so
 * that no object per packet outlives the tracking pass. The entries are in one store, except after an
 * edit, when a connection re-tracked from a checkpoint keeps the old run's segments before and after
 * the new ones (connections.ts, retrackConnection).
 */
export class SegmentList implements Iterable<Segment> {
  /**
   * An array of small integers, not a typed array: most connections are short, and a typed array that
   * grows (off the heap past 16 entries) cost tracking about 30 ms on the bench trace's 8 500.
   */
  private slots: number[] = [];
  /** The store of each entry, once they are not all `store`'s. */
  private stores: SegmentStore[] | undefined;

  /** `store`: the store of the entries pushed (as a rule). */
  constructor(private readonly store: SegmentStore) {}

  get length(): number {
    return this.slots.length;
  }

  /** Appends segment `slot` of `store` (by default the list's). */
  push(slot: number, store = this.store): void {
    if (store !== this.store && !this.stores)
      this.stores = new Array<SegmentStore>(this.slots.length).fill(this.store);
    if (this.stores) this.stores.push(store);
    this.slots.push(slot);
  }

  /** Empties the list (its slots go; the store keeps its columns). */
  clear(): void {
    this.slots = [];
    this.stores = undefined;
  }

  /** Appends the entries of `other` from position `from` on. */
  append(other: SegmentList, from: number): void {
    for (let k = from; k < other.length; k++) this.push(other.slots[k]!, other.storeAt(k));
  }

  private storeAt(k: number): SegmentStore {
    return this.stores ? this.stores[k]! : this.store;
  }

  /**
   * The entries as slots of their stores, for a pass over every segment of a long connection that
   * reads the columns itself: entry k is slot `slots[k]` of `stores[k]`, or of `store` where `stores`
   * is undefined (the entries are all its). The arrays are the list's own: read them, never change
   * them. (An accessor call per field of every segment was most of the time such a pass takes before
   * V8 has compiled it, which for passes run once a connection is most of a large trace.)
   */
  entries(): {
    store: SegmentStore;
    stores: readonly SegmentStore[] | undefined;
    slots: readonly number[];
  } {
    return { store: this.store, stores: this.stores, slots: this.slots };
  }

  /** The `k`th segment (0 <= k < length). */
  at(k: number): Segment {
    return new Segment(this.storeAt(k), this.slots[k]!);
  }

  // Fields of the `k`th segment read without a handle: for the checks' passes over every segment of
  // a connection, which make a handle only for the few segments they report (3 million handles on the
  // bench trace otherwise, all garbage at once).
  flags(k: number): number {
    return this.storeAt(k).flags[this.slots[k]!]!;
  }
  fromClient(k: number): boolean {
    return this.storeAt(k).fromClient[this.slots[k]!] === 1;
  }
  len(k: number): number {
    return this.storeAt(k).len[this.slots[k]!]!;
  }
  analysis(k: number): number {
    return this.storeAt(k).analysis[this.slots[k]!]!;
  }
  seq(k: number): number | undefined {
    const store = this.storeAt(k);
    return optionalNumber(store.present, store.seq, this.slots[k]!, SEQ);
  }
  win(k: number): number | undefined {
    const store = this.storeAt(k);
    return optionalNumber(store.present, store.win, this.slots[k]!, WIN);
  }

  /** The record index of the `k`th segment, without a segment handle (for searches over long connections). */
  recordIndex(k: number): number {
    const store = this.storeAt(k);
    return store.records.at(store.record[this.slots[k]!]!)!.index;
  }

  /** The first `count` entries, as a list of their own (that appends to itself alone). */
  head(count: number): SegmentList {
    const list = new SegmentList(this.store);
    list.slots = this.slots.slice(0, count);
    list.stores = this.stores?.slice(0, count);
    return list;
  }

  *[Symbol.iterator](): Iterator<Segment> {
    for (let k = 0; k < this.length; k++) yield this.at(k);
  }

  /** The segments from position `from` on (all by default) that `pred` accepts. */
  filter(pred: (s: Segment) => unknown, from = 0): Segment[] {
    const out: Segment[] = [];
    for (let k = from; k < this.length; k++) {
      const s = this.at(k);
      if (pred(s)) out.push(s);
    }
    return out;
  }

  /** The first segment from position `from` on (0 by default) that `pred` accepts. */
  find(pred: (s: Segment) => unknown, from = 0): Segment | undefined {
    for (let k = from; k < this.length; k++) {
      const s = this.at(k);
      if (pred(s)) return s;
    }
    return undefined;
  }

  some(pred: (s: Segment) => unknown): boolean {
    return this.find(pred) !== undefined;
  }

  /** The position of the first segment that `pred` accepts, or -1. */
  findIndex(pred: (s: Segment) => unknown): number {
    for (let k = 0; k < this.length; k++) if (pred(this.at(k))) return k;
    return -1;
  }
}
