/**
 * Handshake checks and the handshake verdict of a connection (tcp-analysis-reference.md §1.2-1.3).
 */
import { asPrinted, finding, lineOf, recordSpan, relatedRecord } from './findingHelpers';
import type { Connection, HandshakeVerdict, Segment, SegmentList } from './model';
import type { ParsedTrace } from './parser';
import { add32, gt } from './seq32';
import { ACK, FIN, RST, SYN, type Fix, type Span } from './types';

/**
 * The handshake's segments, found in one pass over a connection's segments: the client's first SYN
 * (with a seq), the server's first SYN, SYN-ACK and RST, and whether the server sent anything; each
 * segment with its position in the list (-1: none), where the searches after it start. A connection
 * of a hundred thousand segments was scanned five times, once for each.
 */
function scanHandshake(segments: SegmentList) {
  let synAt = -1;
  let serverSynAt = -1;
  let synAckAt = -1;
  let serverRstAt = -1;
  let serverSent = false;
  let clientSent = false;
  for (let k = 0; k < segments.length; k++) {
    const f = segments.flags(k);
    if (segments.fromClient(k)) {
      clientSent = true;
      if (synAt < 0 && (f & (SYN | ACK)) === SYN && segments.seq(k) !== undefined) synAt = k;
      continue;
    }
    serverSent = true;
    if (serverSynAt < 0 && (f & (SYN | ACK)) === SYN) serverSynAt = k;
    if (synAckAt < 0 && (f & (SYN | ACK | RST)) === (SYN | ACK)) synAckAt = k;
    if (serverRstAt < 0 && f & RST) serverRstAt = k;
  }
  const at = (k: number) => (k < 0 ? undefined : segments.at(k));
  return {
    syn: at(synAt),
    serverSyn: at(serverSynAt),
    synAck: at(synAckAt),
    serverRst: at(serverRstAt),
    synAt,
    serverSynAt,
    synAckAt,
    serverSent,
    clientSent,
  };
}

/**
 * The position of the first of the segments from position `from` up to (not including) `until` that
 * `pred` accepts; -1 if none. (By position, not record index: the positions of the handshake's
 * segments are known, and a search by record index made a binary search and a record handle a step.)
 */
function firstBetween(
  segments: SegmentList,
  from: number,
  until: number,
  pred: (s: Segment) => boolean,
): number {
  const end = Math.min(until, segments.length);
  for (let k = from; k < end; k++) if (pred(segments.at(k))) return k;
  return -1;
}

/**
 * The handshake verdict of `conn`, and its findings. `file`: the parse's lines (asked for only to write
 * a missing final ACK: a large file's lines are made when first asked for) and line ending.
 */
export function checkHandshake(
  conn: Connection,
  file: Pick<ParsedTrace, 'lines' | 'eol'>,
  absolute: boolean,
): HandshakeVerdict {
  if (conn.quiet) return 'unknown';
  const client = conn.client;
  const server = conn.server;
  const { syn, serverSyn, synAck, serverRst, synAt, serverSynAt, synAckAt, serverSent, clientSent } =
    scanHandshake(conn.segments);

  // 1. The SYN-ACK must acknowledge the client's ISN + 1 (or, with Fast Open data, ISN + 1 + data).
  if (syn && synAck && synAck.ack !== undefined && syn.seq !== undefined) {
    const expected = add32(syn.seq, 1);
    const withData = add32(expected, syn.len);
    if (synAck.ack !== expected && synAck.ack !== withData) {
      const r = synAck.record;
      const f = finding(
        'handshake.bad-ack',
        `SYN-ACK acknowledges ${r.ack}, but the client's ISN is ${syn.seq}: expected ack ${asPrinted(r, expected, 'ack')} (ISN + 1)`,
        r.ackSpan ?? recordSpan(r),
        r,
        relatedRecord(syn.record, `the SYN this answers (ISN ${syn.seq})`),
      );
      if (r.ackSpan) f.fixes = [replaceFix(r.ackSpan, asPrinted(r, expected, 'ack'))];
      conn.findings.push(f);
    }
  }
  // 2. The third segment must acknowledge the server's ISN + 1.
  let finalAck: Segment | undefined;
  if (synAck && synAck.seq !== undefined) {
    const expected = add32(synAck.seq, 1);
    const thirdAt = firstBetween(
      conn.segments,
      synAckAt + 1,
      Infinity,
      (s) => s.fromClient && (s.flags & ACK) !== 0 && !(s.flags & (SYN | RST)) && s.ack !== undefined,
    );
    const third = thirdAt < 0 ? undefined : conn.segments.at(thirdAt);
    if (
      third &&
      third.ack !== expected &&
      firstBetween(conn.segments, synAckAt + 1, thirdAt, (s) => !s.fromClient && s.len > 0) < 0
    ) {
      const r = third.record;
      const f = finding(
        'handshake.bad-ack',
        `the handshake's final ACK acknowledges ${r.ack}, but the server's ISN is ${synAck.seq}: expected ack ${asPrinted(r, expected, 'ack')} (ISN + 1)`,
        r.ackSpan ?? recordSpan(r),
        r,
        relatedRecord(synAck.record, `the SYN-ACK it answers (ISN ${synAck.seq})`),
      );
      if (r.ackSpan) f.fixes = [replaceFix(r.ackSpan, asPrinted(r, expected, 'ack'))];
      conn.findings.push(f);
    }
    // The final ACK acknowledges exactly ISN + 1, or (if it was not captured) a later ACK covers data
    // the server is seen to have sent.
    const serverNext = conn.server.nextseq;
    const finalAt = firstBetween(
      conn.segments,
      synAckAt + 1,
      Infinity,
      (s) =>
        s.fromClient &&
        (s.flags & ACK) !== 0 &&
        !(s.flags & (SYN | RST)) &&
        s.ack !== undefined &&
        (s.ack === expected ||
          (gt(s.ack, expected) &&
            serverNext !== undefined &&
            !gt(s.ack, serverNext) &&
            conn.server.dataSeen)),
    );
    finalAck = finalAt < 0 ? undefined : conn.segments.at(finalAt);
  }
  // 3. Data from the client before the server's SYN-ACK (data on the SYN itself is Fast Open).
  if (syn) {
    const earlyAt = firstBetween(
      conn.segments,
      synAt + 1,
      Math.min(synAck ? synAckAt : Infinity, serverSyn ? serverSynAt : Infinity),
      (s) => s.fromClient && s.len > 0 && !(s.flags & SYN),
    );
    const early = earlyAt < 0 ? undefined : conn.segments.at(earlyAt);
    if (early && (synAck || serverSent)) {
      const r = early.record;
      conn.findings.push(
        finding(
          'handshake.data-before-established',
          `${early.len} bytes of data sent before the server's SYN-ACK: the connection is not established yet (client in SYN-SENT)`,
          r.seqSpan ?? recordSpan(r),
          r,
          relatedRecord(syn.record, 'the SYN still waiting for its SYN-ACK'),
        ),
      );
    }
  }

  let verdict: HandshakeVerdict;
  if (client.synRecord !== undefined && server.synRecord !== undefined) verdict = 'simultaneous';
  else if (synAck)
    verdict =
      finalAck || (!clientSent && serverEstablished(conn.segments, synAck)) ? 'complete' : 'incomplete';
  else if (syn) {
    if (serverRst) verdict = 'refused';
    // Only the client's direction captured: its ACKs prove that a SYN-ACK came back.
    else if (!serverSent) {
      const acked = conn.segments.some((s) => s.fromClient && s.flags & ACK && !(s.flags & (SYN | RST)));
      verdict = acked ? 'complete' : 'unanswered';
    } else verdict = 'incomplete';
  } else verdict = 'missing';

  if (verdict === 'refused') {
    const rst = serverRst!;
    conn.findings.push(
      finding(
        'handshake.refused',
        `connection refused: the SYN to ${conn.server.endpoint.host}.${conn.server.endpoint.portText} was answered with RST (nothing listens on that port)`,
        rst.record.flagsSpan ?? recordSpan(rst.record),
        rst.record,
        relatedRecord(syn?.record, 'the refused SYN'),
      ),
    );
  } else if (verdict === 'unanswered' && syn) {
    const syns = conn.segments.filter((s) => s.fromClient && s.flags & SYN);
    conn.findings.push(
      finding(
        'handshake.unanswered-syn',
        syns.length > 1
          ? `SYN sent ${syns.length} times and never answered: no SYN-ACK or RST came back`
          : 'SYN never answered: no SYN-ACK or RST came back before the trace ends',
        syn.record.flagsSpan ?? recordSpan(syn.record),
        syn.record,
        syns
          .slice(1)
          .map((s) => ({ span: recordSpan(s.record), message: `SYN retransmitted (${lineOf(s.record)})` })),
      ),
    );
  } else if (verdict === 'incomplete' && synAck) {
    const f = finding(
      'handshake.incomplete',
      `the handshake never completed: no ACK of the server's ISN ${synAck.seq} + 1 followed this SYN-ACK`,
      synAck.record.flagsSpan ?? recordSpan(synAck.record),
      synAck.record,
      relatedRecord(syn?.record, 'the SYN'),
    );
    const insert = finalAckInsertion(conn, synAck, file.lines, absolute, file.eol);
    if (insert) f.fixes = [insert];
    conn.findings.push(f);
  }
  return verdict;
}

/**
 * Only the server's direction captured (asymmetric routing): whether the server shows, after its
 * SYN-ACK, that the client's final ACK came, as it acts only once established: it sends data or its
 * FIN, or acknowledges client data past the SYN.
 */
function serverEstablished(segments: SegmentList, synAck: Segment): boolean {
  const synAcked = synAck.ack;
  for (let k = synAck.position + 1; k < segments.length; k++) {
    if (segments.fromClient(k)) continue;
    const f = segments.flags(k);
    if (f & (SYN | RST)) continue;
    if (segments.len(k) > 0 || f & FIN) return true;
    const s = segments.at(k);
    if (synAcked !== undefined && s.ack !== undefined && gt(s.ack, synAcked)) return true;
  }
  return false;
}

function replaceFix(span: Span, value: number): Fix {
  return { title: `Change to ${value}`, edits: [{ span, newText: String(value) }] };
}

/**
 * The missing third segment of a handshake, written in the same form as the SYN-ACK's line (time,
 * address family, modern or 3.x flags) and inserted right after it.
 */
function finalAckInsertion(
  conn: Connection,
  synAck: Segment,
  lines: string[],
  absolute: boolean,
  eol: string,
): Fix | undefined {
  const r = synAck.record;
  if (synAck.seq === undefined || !r.src || !r.dst) return undefined;
  // tcpdump prints the ACK after a SYN-ACK relative to the SYN-ACK's ISN: ack 1 (absolute with -S).
  const ack = absolute ? add32(synAck.seq, 1) : 1;
  const time = r.timeSpan ? `${lines[r.line]!.slice(r.timeSpan.start, r.timeSpan.end)} ` : '';
  const client = `${r.dst.host}.${r.dst.portText}`;
  const server = `${r.src.host}.${r.src.portText}`;
  const proto =
    r.format === 'old' && !/ IP6? /.test(` ${lines[r.line]!.slice(0, r.srcSpan?.start ?? 0)}`)
      ? ''
      : r.af === 6
        ? 'IP6 '
        : 'IP ';
  // The client's own window (its SYN's), from this connection only.
  const win = conn.segments.find((x) => x.fromClient && x.win !== undefined)?.win ?? r.win ?? 0;
  const text =
    r.format === 'old'
      ? `${time}${proto}${client} > ${server}: . ack ${ack} win ${win}`
      : `${time}${proto}${client} > ${server}: Flags [.], ack ${ack}, win ${win}, length 0`;
  const after = r.endLine;
  const atEnd = after + 1 >= lines.length;
  const span: Span = atEnd
    ? { line: after, start: lines[after]!.length, end: lines[after]!.length }
    : { line: after + 1, start: 0, end: 0 };
  return {
    title: 'Insert the missing final ACK of the handshake',
    edits: [{ span, newText: atEnd ? `${eol}${text}` : `${text}${eol}` }],
  };
}
