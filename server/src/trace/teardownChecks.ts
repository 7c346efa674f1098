/**
 * Teardown checks and the teardown verdict: FIN arithmetic, data after one's own FIN, FINs never
 * acknowledged, and resets, with severities by meaning (an orderly FIN close is no finding at all).
 */
import { asPrinted, finding, lineOf, recordSpan, relatedRecord } from './findingHelpers';
import type { Connection, Flow, Segment, SegmentList, TeardownVerdict } from './model';
import { segmentsBefore } from './search';
import { add32, ge, gt } from './seq32';
import { ACK, FIN, RST, SYN, type Finding, type PacketRecord, type RecordList } from './types';

/** What the checks ask of all of a connection's segments, in one pass over a connection that may be long. */
function scanSegments(segments: SegmentList) {
  let rst: Segment | undefined;
  let fromClient = false;
  let fromServer = false;
  let finClient = false;
  let finServer = false;
  for (let k = 0; k < segments.length; k++) {
    const f = segments.flags(k);
    if (segments.fromClient(k)) {
      fromClient = true;
      if (f & FIN) finClient = true;
    } else {
      fromServer = true;
      if (f & FIN) finServer = true;
    }
    if (f & RST) rst ??= segments.at(k);
  }
  return { rst, fromClient, fromServer, finClient, finServer };
}

export function checkTeardown(conn: Connection, records: RecordList): TeardownVerdict {
  if (conn.quiet) return 'unknown';
  const seen = scanSegments(conn.segments);
  const rst = seen.rst;
  // (A call per side, not a loop over destructured pairs: this runs once a connection, mostly before
  // V8 has optimised it, and iterating and destructuring are slow there.)
  checkFin(conn, records, conn.client, conn.server, true, rst, seen.fromServer);
  checkFin(conn, records, conn.server, conn.client, false, rst, seen.fromClient);

  if (rst && conn.handshake !== 'refused') {
    const r = rst.record;
    const by = rst.fromClient ? 'client' : 'server';
    // Both FINs before the RST: a reset after an orderly close.
    const finBefore = (f: Flow) => f.finRecord !== undefined && f.finRecord < r.index;
    const afterClose = finBefore(conn.client) && finBefore(conn.server);
    const ignored = ignoredReset(conn.segments, rst.position);
    const f = finding(
      'teardown.reset',
      ignored
        ? `RST from the ${by} (seq ${r.seq}) that the connection outlived: ${ignored}, so it reset nothing (a receiver drops an RST not at the next expected seq and answers with a challenge ACK, RFC 9293 §3.10.7.4); a spoofed (blind) reset looks like this`
        : afterClose
          ? `connection reset by the ${by} after both sides had sent FIN`
          : conn.handshake === 'incomplete' || conn.handshake === 'unanswered'
            ? `the ${by} reset the connection during the handshake`
            : `connection aborted: the ${by} sent RST${conn.client.dataSeen || conn.server.dataSeen ? ' after data had been exchanged; unacknowledged data is lost' : ''}`,
      r.flagsSpan ?? recordSpan(r),
      r,
    );
    // A reset after an orderly close, or of a handshake that failed anyway, is information, not a warning.
    if (!ignored && (afterClose || conn.handshake === 'incomplete' || conn.handshake === 'unanswered')) {
      f.severity = 'information';
    }
    conn.findings.push(f);
  }

  if (rst) return 'rst';
  if (seen.finClient && seen.finServer) return 'fin';
  if (seen.finClient || seen.finServer) return 'half-closed';
  return 'open';
}

/**
 * The checks of the FIN `me` sent (if any), `peer` the other side, `fromClient` whether `me` is the
 * client; `rst` the connection's first RST, `peerSent` whether the peer sent any segment.
 */
function checkFin(
  conn: Connection,
  records: RecordList,
  me: Flow,
  peer: Flow,
  fromClient: boolean,
  rst: Segment | undefined,
  peerSent: boolean,
): void {
  if (me.finSeq === undefined || me.finRecord === undefined) return;
  const fin = records.at(me.finRecord)!;
  const finSeq = me.finSeq;
  const finAckValue = add32(finSeq, 1);
  const firstAfterFin = segmentsBefore(conn.segments, me.finRecord + 1);
  // Data after one's own FIN: bytes beyond the FIN's sequence number.
  const late = conn.segments.find(
    (s) => s.fromClient === fromClient && s.len > 0 && s.seq !== undefined && gt(add32(s.seq, s.len), finSeq),
    firstAfterFin,
  );
  if (late) {
    conn.findings.push(
      finding(
        'teardown.data-after-fin',
        `${late.len} bytes of new data after this side's own FIN (${lineOf(fin)}): after a FIN a side may only acknowledge`,
        late.record.seqSpan ?? recordSpan(late.record),
        late.record,
        relatedRecord(fin, 'the FIN that closed this direction'),
      ),
    );
  }
  const peerAcks = conn.segments.filter(
    (s) => s.fromClient !== fromClient && s.flags & ACK && s.ack !== undefined,
    firstAfterFin,
  );
  const covering = peerAcks.find((s) => ge(s.ack!, finAckValue));
  if (
    covering &&
    gt(covering.ack!, finAckValue) &&
    !(me.nextseq !== undefined && !gt(covering.ack!, me.nextseq))
  ) {
    const r = covering.record;
    conn.findings.push(
      withFix(
        finding(
          'teardown.bad-fin-ack',
          `acknowledges ${r.ack}, past the FIN: a FIN at ${asPrinted(r, finSeq, 'ack')} is acknowledged with exactly ${asPrinted(r, finAckValue, 'ack')} (FIN seq + 1)`,
          r.ackSpan ?? recordSpan(r),
          r,
          relatedRecord(fin, 'the FIN'),
        ),
        r,
        asPrinted(r, finAckValue, 'ack'),
      ),
    );
    return;
  }
  if (covering || rst) return;
  // The peer closed too while acknowledging only up to the FIN: the +1 for the FIN was forgotten.
  const short = peerAcks.filter((s) => s.ack === finSeq);
  const peerFin = peer.finRecord !== undefined && peer.finRecord > me.finRecord;
  const peerAckedLater = conn.segments.some(
    (s) =>
      s.fromClient === fromClient &&
      s.flags & ACK &&
      peer.finSeq !== undefined &&
      s.ack !== undefined &&
      ge(s.ack, add32(peer.finSeq, 1)),
  );
  if (short.length && peerFin && peerAckedLater) {
    const r = short[short.length - 1]!.record;
    conn.findings.push(
      withFix(
        finding(
          'teardown.bad-fin-ack',
          `acknowledges ${r.ack}, which stops short of the FIN: the FIN occupies ${asPrinted(r, finSeq, 'ack')}, so its ACK is ${asPrinted(r, finAckValue, 'ack')} (FIN seq + 1)`,
          r.ackSpan ?? recordSpan(r),
          r,
          relatedRecord(fin, 'the FIN'),
        ),
        r,
        asPrinted(r, finAckValue, 'ack'),
      ),
    );
    return;
  }
  if (peerSent) {
    const repeats = me.finRecords.slice(1).map((i) => records.at(i)!);
    conn.findings.push(
      finding(
        'teardown.fin-unacked',
        repeats.length
          ? `FIN sent ${repeats.length + 1} times and never acknowledged: no ACK of ${asPrinted(fin, finAckValue, 'seq')} (FIN seq + 1) before the trace ends`
          : `FIN never acknowledged: no ACK of ${asPrinted(fin, finAckValue, 'seq')} (FIN seq + 1) before the trace ends`,
        fin.flagsSpan ?? recordSpan(fin),
        fin,
        repeats.map((r) => ({ span: recordSpan(r), message: `FIN retransmitted (${lineOf(r)})` })),
      ),
    );
  }
}

/**
 * What shows that the RST at position `at` of `segments` ended nothing, or undefined. A connection
 * that a RST really ended has no TCB on its sender's side any more: whatever arrives is answered
 * with RST. So a later segment of its sender without RST that acknowledges more than it had before,
 * or sends new data or a FIN, proves that it carried on (the RST was spoofed, a blind reset, or its
 * receiver dropped it and answered with a challenge ACK). Data of the receiver seen after the RST
 * prove nothing: they may have been sent before it arrived.
 */
function ignoredReset(segments: SegmentList, at: number): string | undefined {
  const sender = segments.fromClient(at);
  let acked: number | undefined;
  let sent: number | undefined;
  for (let k = 0; k < at; k++) {
    if (segments.fromClient(k) !== sender) continue;
    const s = segments.at(k);
    if (s.ack !== undefined && (acked === undefined || gt(s.ack, acked))) acked = s.ack;
    const seq = s.seq;
    if (seq !== undefined) {
      const end = add32(seq, s.len + (s.flags & FIN ? 1 : 0));
      if (sent === undefined || gt(end, sent)) sent = end;
    }
  }
  for (let k = at + 1; k < segments.length; k++) {
    if (segments.fromClient(k) !== sender) continue;
    const s = segments.at(k);
    if (s.flags & (RST | SYN)) return undefined;
    if (s.ack !== undefined && acked !== undefined && gt(s.ack, acked))
      return `its sender acknowledges new data after it (ack ${s.record.ack ?? s.ack})`;
    const seq = s.seq;
    if (
      seq !== undefined &&
      sent !== undefined &&
      (s.len > 0 || s.flags & FIN) &&
      gt(add32(seq, s.len + (s.flags & FIN ? 1 : 0)), sent)
    )
      return `its sender sends ${s.len > 0 ? 'new data' : 'its FIN'} after it`;
  }
  return undefined;
}

function withFix(f: Finding, r: PacketRecord, value: number): Finding {
  if (r.ackSpan)
    f.fixes = [
      { title: `Change to ${value} (FIN seq + 1)`, edits: [{ span: r.ackSpan, newText: String(value) }] },
    ];
  return f;
}
