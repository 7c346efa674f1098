/**
 * Turns Wireshark's analysis bits on each segment into findings with Wireshark's codes, on the token
 * that shows the problem, with the related packet (the original of a retransmission, the ACK a
 * duplicate repeats). Fast and spurious retransmissions imply a retransmission: only the specific
 * code is reported, as Wireshark's filter `tcp.analysis.retransmission` matches all three.
 */
import type { DiagnosticCode } from './codes';
import { asPrinted, finding, lineOf, recordSpan, relatedRecord } from './findingHelpers';
import { A, type Connection, type Flow, type Segment } from './model';
import { OFFLOAD_SEND } from './packetLine';
import { ACK, SYN, type PacketRecord, type RecordList, type Span } from './types';

/**
 * `offloadSends`: whether the trace has packets tcpdump could not read as a host's segmentation
 * offload sends (`bad-len 0`); the gaps they leave are theirs, not the capture's (explainedGaps).
 */
export function wiresharkFindings(conn: Connection, records: RecordList, offloadSends = false): void {
  const segments = conn.segments;
  const restarted = restartedSynAck(conn.client) || restartedSynAck(conn.server);
  if (offloadSends) explainedGaps(conn, records);
  // The findings of one segment are made in a function of their own: its closure, in this loop's
  // body, made V8 allocate a scope for every segment, flagged or not (25 MB on the bench trace).
  for (let k = 0; k < segments.length; k++) {
    if (restarted && (segments.flags(k) & (SYN | ACK)) === (SYN | ACK)) supersededSynAck(conn, k);
    if (segments.analysis(k)) segmentFindings(conn, segments.at(k), records);
  }
}

/** How many records back the search for an offload send goes. */
const OFFLOAD_REACH = 256;
/** How many segments of the peer back the search for the bytes an ACK covers goes. */
const PEER_REACH = 64;

/**
 * A sequence gap with an offload send between its two sides, and an ACK of unseen bytes with one
 * since the peer's last segment (or after such a gap of the peer's): the send carried those bytes (a
 * capture on a host with TSO sees its large sends as `IP bad-len 0`, which tcpdump does not decode).
 * Wireshark, which reads them, sees no gap: neither is reported. Which connection a send was is not
 * printed, so any gap with one in between counts.
 */
function explainedGaps(conn: Connection, records: RecordList): void {
  const segments = conn.segments;
  // Positions of the segments whose gap a send explained: an ACK's search goes back past them.
  const explained = new Set<number>();
  for (let k = 0; k < segments.length; k++) {
    const a = segments.analysis(k);
    if (!(a & (A.LOST_PACKET | A.ACK_LOST_PACKET))) continue;
    const seg = segments.at(k);
    const index = seg.record.index;
    if (a & A.LOST_PACKET) {
      const before = seg.beforeGapRecord;
      if (before !== undefined && offloadSendBetween(records, before, index)) {
        seg.analysis &= ~A.LOST_PACKET;
        explained.add(k);
      }
    }
    if (a & A.ACK_LOST_PACKET) {
      // The peer's latest segment, and whether a gap of the peer's that a send explained came
      // before it: the analysis then still waits for the bytes in that gap, which the ACK covers.
      let from = conn.firstRecord;
      let afterExplained = false;
      for (let j = k - 1, seen = 0; j >= 0 && seen < PEER_REACH && !afterExplained; j--) {
        if (segments.fromClient(j) === seg.fromClient) continue;
        if (seen++ === 0) from = segments.at(j).record.index;
        afterExplained = explained.has(j);
      }
      if (afterExplained || offloadSendBetween(records, from, index)) seg.analysis &= ~A.ACK_LOST_PACKET;
    }
  }
}

/** Whether a record strictly between records `from` and `to` (indexes) is an offload send. */
function offloadSendBetween(records: RecordList, from: number, to: number): boolean {
  for (let i = Math.max(from + 1, to - OFFLOAD_REACH); i < to; i++) {
    const r = records.at(i)!;
    if (r.kind === 'other' && r.protocol === OFFLOAD_SEND) return true;
  }
  return false;
}

/**
 * Whether a later SYN-ACK of `flow` replaced the base its first one set: a side that answered the
 * same SYN twice with different ISNs (a SYN proxy or a load balancer starting over).
 */
function restartedSynAck(flow: Flow): boolean {
  // The ISN is the first SYN-ACK's seq, and each SYN-ACK with a new one replaced the base.
  return flow.synAckRecord !== undefined && flow.isn !== flow.baseSeq;
}

/**
 * Segment `k`, a SYN-ACK, when a later SYN-ACK of its side replaced its ISN. tshark reads a capture
 * twice (-2, as the corpus oracle does) and its second pass compares every SYN-ACK with the side's
 * base as the first pass left it, the last ISN: the earlier SYN-ACKs are flagged as port reuse too.
 */
function supersededSynAck(conn: Connection, k: number): void {
  const segments = conn.segments;
  const seg = segments.at(k);
  const flow = seg.fromClient ? conn.client : conn.server;
  const seq = seg.seq;
  if (seq === undefined || seq === flow.baseSeq || seg.analysis & A.REUSED_PORTS) return;
  let later: Segment | undefined;
  for (let j = k + 1; j < segments.length && !later; j++) {
    const other = segments.at(j);
    if (other.fromClient === seg.fromClient && other.flags & SYN && other.seq === flow.baseSeq) later = other;
  }
  const r = seg.record;
  conn.findings.push(
    finding(
      'tcp.port-reused',
      `a later SYN-ACK${later ? ` (${lineOf(later.record)})` : ''} answers with another ISN (${flow.baseSeq}, not ${seq}): the ${seg.fromClient ? 'client' : 'server'} started over, and Wireshark, reading the capture twice, flags this SYN-ACK as port reuse too`,
      r.flagsSpan ?? recordSpan(r),
      r,
      relatedRecord(later?.record, 'the SYN-ACK with the new ISN'),
    ),
  );
}

/** The findings of the analysis bits of `seg` (which has some). */
function segmentFindings(conn: Connection, seg: Segment, records: RecordList): void {
  const r = seg.record;
  const seqSpan: Span = r.seqSpan ?? r.flagsSpan ?? recordSpan(r);
  const ackSpan: Span = r.ackSpan ?? r.flagsSpan ?? recordSpan(r);
  const winSpan: Span = r.winSpan ?? r.flagsSpan ?? recordSpan(r);
  const add = (
    code: DiagnosticCode,
    message: string,
    span: Span,
    related?: PacketRecord,
    relatedText = '',
  ) => {
    const f = finding(code, message, span, r, relatedRecord(related, relatedText));
    conn.findings.push(f);
    return f;
  };
  const original = seg.originalRecord !== undefined ? records.at(seg.originalRecord) : undefined;
  const a = seg.analysis;
  const range = rangeText(seg);
  if (a & A.REUSED_PORTS) {
    add(
      'tcp.port-reused',
      `a new connection reuses the ports of an earlier one (new ISN ${seg.seq})`,
      r.flagsSpan ?? recordSpan(r),
    );
  }
  if (a & A.SPURIOUS_RETRANSMISSION) {
    add(
      'tcp.spurious-retransmission',
      `spurious retransmission of ${range}: the receiver had already acknowledged all of it`,
      seqSpan,
      original,
      'first sent here',
    );
  } else if (a & A.FAST_RETRANSMISSION) {
    add(
      'tcp.fast-retransmission',
      `fast retransmission of ${range}, asked for by ${duplicates(conn, seg)} duplicate ACKs`,
      seqSpan,
      original,
      'first sent here',
    );
  } else if (a & A.OUT_OF_ORDER) {
    add(
      'tcp.out-of-order',
      `out-of-order segment ${range}: it arrived after higher sequence numbers, within the initial RTT`,
      seqSpan,
      original,
      'the same bytes sent before',
    );
  } else if (a & A.RETRANSMISSION) {
    const rto =
      original?.time !== undefined && seg.time !== undefined
        ? ` ${formatSeconds(seg.time - original.time)} after the original`
        : '';
    add('tcp.retransmission', `retransmission of ${range}${rto}`, seqSpan, original, 'first sent here');
  }
  if (a & A.LOST_PACKET) {
    const expected = seg.beforeGapRecord !== undefined ? records.at(seg.beforeGapRecord) : undefined;
    // On a bare ACK (no seq printed without -vv), the jump is one its neighbours imply: say so.
    const how = seg.seqInferred
      ? ' (a bare ACK, whose seq tcpdump prints only with -vv: the segments around it show that this side had sent past the gap)'
      : '';
    add(
      'tcp.lost-segment',
      `previous segment not captured: the sequence jumps past bytes this trace never shows${how}`,
      seqSpan,
      expected,
      'the last segment before the gap',
    );
  }
  if (a & A.ACK_LOST_PACKET) {
    add(
      'tcp.ack-unseen-segment',
      `acknowledges ${r.ack}, bytes of the other side that this trace never shows`,
      ackSpan,
    );
  }
  if (a & A.WINDOW_UPDATE) {
    add(
      'tcp.window-update',
      `window update: the window changes to ${r.win}${scaled(seg)} with nothing else new`,
      winSpan,
    );
  }
  if (a & A.WINDOW_FULL) {
    add('tcp.window-full', `this segment fills the receiver's advertised window exactly`, seqSpan);
  }
  if (a & A.KEEP_ALIVE) {
    const how = seg.seqInferred
      ? ' (a bare ACK taken to be at next seq - 1, where Linux sends keep-alives: tcpdump prints its seq only with -vv)'
      : '';
    add(
      'tcp.keep-alive',
      `keep-alive probe${how}`,
      seg.seqInferred ? (r.flagsSpan ?? recordSpan(r)) : seqSpan,
    );
  }
  if (a & A.KEEP_ALIVE_ACK) {
    add(
      'tcp.keep-alive-ack',
      'acknowledges a keep-alive probe',
      ackSpan,
      previousFrom(conn, seg, !seg.fromClient),
      'the keep-alive',
    );
  }
  if (a & A.DUPLICATE_ACK) {
    const ref = seg.dupAckOf !== undefined ? records.at(seg.dupAckOf) : undefined;
    const dup = add(
      'tcp.dup-ack',
      `duplicate ACK #${seg.dupAckNum ?? 1} of ack ${r.ack}${ref ? ` (${lineOf(ref)})` : ''}`,
      ackSpan,
      ref,
      'the ACK this repeats',
    );
    dup.count = seg.dupAckNum ?? 1;
  }
  if (a & A.ZERO_WINDOW_PROBE) {
    add('tcp.zero-window-probe', `zero window probe: one byte sent while the peer's window is 0`, seqSpan);
  }
  if (a & A.ZERO_WINDOW) {
    add(
      'tcp.zero-window',
      `zero window: this side's receive buffer is full and it asks the peer to stop sending`,
      winSpan,
    );
  }
  if (a & A.ZERO_WINDOW_PROBE_ACK) {
    add(
      'tcp.zero-window-probe-ack',
      'acknowledges a zero window probe; the window stays 0',
      ackSpan,
      previousFrom(conn, seg, !seg.fromClient),
      'the probe',
    );
  }
}

function previousFrom(conn: Connection, seg: Segment, fromClient: boolean): PacketRecord | undefined {
  const i = seg.position;
  for (let k = i - 1; k >= 0 && k >= i - 1000; k--) {
    if (conn.segments.fromClient(k) === fromClient) return conn.segments.at(k).record;
  }
  return undefined;
}

function duplicates(conn: Connection, seg: Segment): number {
  let n = 0;
  const i = seg.position;
  for (let k = i - 1; k >= 0 && k >= i - 10000; k--) {
    if (conn.segments.fromClient(k) === seg.fromClient) continue;
    if (conn.segments.analysis(k) & A.DUPLICATE_ACK) n++;
    else if (n > 0) break;
  }
  return Math.max(n, 2);
}

function rangeText(seg: Segment): string {
  const r = seg.record;
  if (r.seq === undefined) return 'this segment';
  if (seg.len > 0) {
    return `seq ${r.seq}:${asPrinted(r, ((r.seqAbs ?? 0) + seg.len) >>> 0, 'seq')} (${seg.len} bytes)`;
  }
  return `seq ${r.seq}`;
}

function scaled(seg: Segment): string {
  return seg.winBytes !== undefined && seg.winBytes !== seg.win ? ` (${seg.winBytes} bytes scaled)` : '';
}

export function formatSeconds(s: number): string {
  if (Math.abs(s) < 1) return `${(s * 1000).toFixed(s < 0.01 ? 3 : 1)} ms`;
  return `${s.toFixed(3)} s`;
}
