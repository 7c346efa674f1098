/**
 * The analysed model: connections, their two flows, and one Segment per TCP packet record.
 */
import { ColumnStore } from './columns';
import type { Endpoint, Finding, PacketRecord } from './types';
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
  lastsegmentflags: number;
  /** This side's previous packet (its options tell signalling ACKs from idle probes). */
  lastRecord?: PacketRecord;
  /** -1 unknown, -2 no scaling, >= 0 the shift. */
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

// Int32 columns of a segment. The optional record indexes and counts hold the value plus one (0: none).
const CONNECTION = 0;
const POSITION = 1;
const FROM_CLIENT = 2;
const FLAGS = 3;
const SEQ_INFERRED = 4;
const ANALYSIS = 5;
const DUP_ACK_NUM = 6;
const DUP_ACK_OF = 7;
const ACKS_RECORD = 8;
const BEFORE_GAP_RECORD = 9;
const ORIGINAL_RECORD = 10;
/** The client's state pair code, and the server's above it. */
const STATES = 11;
/** Which float columns hold a value (bit k for float column k). */
const PRESENT = 12;
const INTS = 13;
// Float64 columns: numbers up to 2^32 (and beyond, for a scaled window or a hostile length), and times.
const LEN = 0;
const SEQ = 1;
const NEXT_PRINTED_SEQ = 2;
const ACK_N = 3;
const WIN = 4;
const TIME = 5;
const REL_SEQ = 6;
const REL_ACK = 7;
const WIN_BYTES = 8;
const FLOATS = 9;

/** The columns behind the segments of one tracking pass. */
export class SegmentStore extends ColumnStore {
  /** `expected`: about how many segments will come (a capacity hint, not a limit). */
  constructor(expected = 16) {
    super(INTS, FLOATS, PRESENT, expected);
  }
}

/** What a segment starts with; the analysis sets the rest. */
export interface SegmentStart {
  connection: number;
  position: number;
  fromClient: boolean;
  flags: number;
  len: number;
  seq: number | undefined;
  ack: number | undefined;
  win: number | undefined;
  time: number | undefined;
  nextPrintedSeq: number | undefined;
  analysis: number;
}

/**
 * One TCP packet record, analysed. A large trace has hundreds of thousands, so (like TraceRecord) a
 * segment is a handle on a slot of a SegmentStore: as objects with two dozen fields and a boxed number
 * for each seq, ack and time, creating them was the most expensive line of the tracking pass.
 */
export class Segment {
  declare readonly record: PacketRecord;
  declare private readonly store: SegmentStore;
  declare private readonly slot: number;

  constructor(record: PacketRecord, store: SegmentStore, start: SegmentStart) {
    this.record = record;
    this.store = store;
    this.slot = store.addSlot();
    const ints = store.ints;
    const at = this.slot * INTS;
    ints[at + CONNECTION] = start.connection;
    ints[at + POSITION] = start.position;
    ints[at + FROM_CLIENT] = start.fromClient ? 1 : 0;
    ints[at + FLAGS] = start.flags;
    ints[at + ANALYSIS] = start.analysis;
    ints[at + STATES] = UNKNOWN_PAIRS;
    this.len = start.len;
    this.seq = start.seq;
    this.ack = start.ack;
    this.win = start.win;
    this.time = start.time;
    this.nextPrintedSeq = start.nextPrintedSeq;
  }

  // Small accessors, so that V8 inlines them into the analysis' loops.
  private int(k: number): number {
    return this.store.ints[this.slot * INTS + k]!;
  }
  private setInt(k: number, v: number): void {
    this.store.ints[this.slot * INTS + k] = v;
  }
  /** An optional non-negative integer, kept plus one. */
  private opt(k: number): number | undefined {
    const v = this.store.ints[this.slot * INTS + k]!;
    return v === 0 ? undefined : v - 1;
  }
  private setOpt(k: number, v: number | undefined): void {
    this.store.ints[this.slot * INTS + k] = v === undefined ? 0 : v + 1;
  }
  private num(k: number): number | undefined {
    return this.store.num(this.slot, k);
  }
  private setNum(k: number, v: number | undefined): void {
    this.store.setNum(this.slot, k, v);
  }

  get connection(): number {
    return this.int(CONNECTION);
  }
  set connection(v: number) {
    this.setInt(CONNECTION, v);
  }
  /** Index of this segment in its connection's `segments`. */
  get position(): number {
    return this.int(POSITION);
  }
  get fromClient(): boolean {
    return this.int(FROM_CLIENT) === 1;
  }
  get flags(): number {
    return this.int(FLAGS);
  }
  /** Payload length (SYN and FIN not counted). */
  get len(): number {
    return this.store.floats[this.slot * FLOATS + LEN]!;
  }
  private set len(v: number) {
    this.store.floats[this.slot * FLOATS + LEN] = v;
  }
  /** Absolute seq; for pure ACKs without a printed seq, the inferred one. */
  get seq(): number | undefined {
    return this.num(SEQ);
  }
  set seq(v: number | undefined) {
    this.setNum(SEQ, v);
  }
  get seqInferred(): boolean {
    return this.int(SEQ_INFERRED) === 1;
  }
  set seqInferred(v: boolean) {
    this.setInt(SEQ_INFERRED, v ? 1 : 0);
  }
  /** The next printed seq in this direction, a stand-in for a hidden seq when nothing earlier tells it. */
  get nextPrintedSeq(): number | undefined {
    return this.num(NEXT_PRINTED_SEQ);
  }
  private set nextPrintedSeq(v: number | undefined) {
    this.setNum(NEXT_PRINTED_SEQ, v);
  }
  /** Absolute ack (only with the ACK flag). */
  get ack(): number | undefined {
    return this.num(ACK_N);
  }
  private set ack(v: number | undefined) {
    this.setNum(ACK_N, v);
  }
  get win(): number | undefined {
    return this.num(WIN);
  }
  private set win(v: number | undefined) {
    this.setNum(WIN, v);
  }
  get time(): number | undefined {
    return this.num(TIME);
  }
  private set time(v: number | undefined) {
    this.setNum(TIME, v);
  }
  /** Wireshark analysis bits (A.*). */
  get analysis(): number {
    return this.int(ANALYSIS);
  }
  set analysis(v: number) {
    this.setInt(ANALYSIS, v);
  }
  get dupAckNum(): number | undefined {
    return this.opt(DUP_ACK_NUM);
  }
  set dupAckNum(v: number | undefined) {
    this.setOpt(DUP_ACK_NUM, v);
  }
  /** For duplicate ACKs: the record that last changed this side's ack (Wireshark's reference frame). */
  get dupAckOf(): number | undefined {
    return this.opt(DUP_ACK_OF);
  }
  set dupAckOf(v: number | undefined) {
    this.setOpt(DUP_ACK_OF, v);
  }
  /** Record index of the segment this ACK (first) fully acknowledges. */
  get acksRecord(): number | undefined {
    return this.opt(ACKS_RECORD);
  }
  set acksRecord(v: number | undefined) {
    this.setOpt(ACKS_RECORD, v);
  }
  /** For tcp.lost-segment: the record whose end was the next expected sequence number. */
  get beforeGapRecord(): number | undefined {
    return this.opt(BEFORE_GAP_RECORD);
  }
  set beforeGapRecord(v: number | undefined) {
    this.setOpt(BEFORE_GAP_RECORD, v);
  }
  /** For retransmissions: the record that first sent this sequence number. */
  get originalRecord(): number | undefined {
    return this.opt(ORIGINAL_RECORD);
  }
  set originalRecord(v: number | undefined) {
    this.setOpt(ORIGINAL_RECORD, v);
  }
  /** Wireshark's relative numbers (base = ISN, or first seq - 1). */
  get relSeq(): number | undefined {
    return this.num(REL_SEQ);
  }
  set relSeq(v: number | undefined) {
    this.setNum(REL_SEQ, v);
  }
  get relAck(): number | undefined {
    return this.num(REL_ACK);
  }
  set relAck(v: number | undefined) {
    this.setNum(REL_ACK, v);
  }
  /** Scaled window in bytes, when the scale is known. */
  get winBytes(): number | undefined {
    return this.num(WIN_BYTES);
  }
  set winBytes(v: number | undefined) {
    this.setNum(WIN_BYTES, v);
  }
  /** The client's state before and after this segment (a shared pair: never mutate it). */
  get clientState(): [TcpState, TcpState] {
    return STATE_PAIRS[this.int(STATES) & PAIR_MASK] as [TcpState, TcpState];
  }
  get serverState(): [TcpState, TcpState] {
    return STATE_PAIRS[this.int(STATES) >> (2 * STATE_BITS)] as [TcpState, TcpState];
  }
  /** Sets both endpoints' states before and after this segment. */
  setStates(
    clientBefore: TcpState,
    clientAfter: TcpState,
    serverBefore: TcpState,
    serverAfter: TcpState,
  ): void {
    this.setInt(
      STATES,
      clientPairs.of(clientBefore, clientAfter) |
        (serverPairs.of(serverBefore, serverAfter) << (2 * STATE_BITS)),
    );
  }
}

const PAIR_MASK = (1 << (2 * STATE_BITS)) - 1;
const UNKNOWN_PAIR = pairCode('UNKNOWN', 'UNKNOWN');
const UNKNOWN_PAIRS = UNKNOWN_PAIR | (UNKNOWN_PAIR << (2 * STATE_BITS));

export interface Connection {
  /** 1-based, in order of first packet. */
  id: number;
  key: string;
  client: Flow;
  server: Flow;
  /** The client was guessed (no SYN seen): lower port or well-known service taken as the server. */
  clientGuessed: boolean;
  segments: Segment[];
  /** Record indexes of every packet (quiet and truncated ones included). */
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
  endTime?: number;
  /** The earlier connection on the same 4-tuple, when this one reused its ports. */
  reusedFrom?: number;
  findings: Finding[];
  /** The tracking state every so many segments, for re-tracking after an edit (checkpoints.ts). */
  checkpoints: TrackCheckpoint[];
}

/**
 * What a flow sent: start and end seq and record of each segment that advanced its sequence, in
 * typed columns (a large transfer has hundreds of thousands, and as objects they were garbage work).
 */
export class SentLog {
  private seqs = new Uint32Array(16);
  private ends = new Uint32Array(16);
  private records = new Int32Array(16);
  length = 0;

  push(seq: number, end: number, record: number): void {
    if (this.length === this.seqs.length) {
      const grow = <T extends Uint32Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.seqs = grow(this.seqs, (n) => new Uint32Array(n));
      this.ends = grow(this.ends, (n) => new Uint32Array(n));
      this.records = grow(this.records, (n) => new Int32Array(n));
    }
    this.seqs[this.length] = seq;
    this.ends[this.length] = end;
    this.records[this.length] = record;
    this.length++;
  }

  /** A log of its own with the first `length` entries of this one. */
  copy(length: number): SentLog {
    const log = new SentLog();
    log.seqs = this.seqs.slice(0, Math.max(16, length));
    log.ends = this.ends.slice(0, Math.max(16, length));
    log.records = this.records.slice(0, Math.max(16, length));
    log.length = length;
    return log;
  }

  seq(i: number): number {
    return this.seqs[i]!;
  }
  end(i: number): number {
    return this.ends[i]!;
  }
  record(i: number): number {
    return this.records[i]!;
  }
}
