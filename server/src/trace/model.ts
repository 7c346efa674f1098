/**
 * The analysed model: connections, their two flows, and one Segment per TCP packet record.
 */
import type { Endpoint, Finding, PacketRecord } from './types';

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
  /** Data segments in sequence order of arrival, for "the segment this ack acknowledges" lookups. */
  /** Segments that advanced this flow's sequence, in order (for retransmission origins and acks). */
  sent: SentLog;
  state: TcpState;
}

/** One TCP packet record, analysed. */
export interface Segment {
  record: PacketRecord;
  connection: number;
  /** Index of this segment in its connection's `segments`. */
  position: number;
  fromClient: boolean;
  flags: number;
  /** Payload length (SYN and FIN not counted). */
  len: number;
  /** Absolute seq; for pure ACKs without a printed seq, the inferred one. */
  seq?: number;
  seqInferred: boolean;
  /** The next printed seq in this direction, a stand-in for a hidden seq when nothing earlier tells it. */
  nextPrintedSeq?: number;
  /** Absolute ack (only with the ACK flag). */
  ack?: number;
  win?: number;
  time?: number;
  /** Wireshark analysis bits (A.*). */
  analysis: number;
  dupAckNum?: number;
  /** For duplicate ACKs: the record that last changed this side's ack (Wireshark's reference frame). */
  dupAckOf?: number;
  /** Record index of the segment this ACK (first) fully acknowledges. */
  acksRecord?: number;
  /** For tcp.lost-segment: the record whose end was the next expected sequence number. */
  beforeGapRecord?: number;
  /** For retransmissions: the record that first sent this sequence number. */
  originalRecord?: number;
  /** Wireshark's relative numbers (base = ISN, or first seq - 1). */
  relSeq?: number;
  relAck?: number;
  /** Scaled window in bytes, when the scale is known. */
  winBytes?: number;
  clientState: [TcpState, TcpState];
  serverState: [TcpState, TcpState];
}

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
