/**
 * Go to definition (an ack to the segment it acknowledges, a retransmission to its original, a
 * SYN-ACK's ack to the SYN), references (every packet of the connection) and document highlights
 * (the packets of the same connection).
 */
import { DocumentHighlightKind, type DocumentHighlight, type Location } from 'vscode-languageserver';
import { ACK, SYN, type PacketRecord } from '../trace/index';
import { toRange, type TraceIndex } from './traceIndex';

function headRange(r: PacketRecord) {
  const span = r.flagsSpan ?? r.srcSpan ?? { line: r.line, start: 0, end: 0 };
  return toRange(span);
}

export function definition(index: TraceIndex, line: number, character: number): Location[] {
  const hit = index.tokenAt(line, character);
  if (!hit) return [];
  const seg = index.segment(hit.record);
  const conn = index.connectionOf(hit.record);
  if (!seg || !conn) return [];
  const target = (i: number | undefined) =>
    i === undefined ? [] : [{ uri: index.uri, range: headRange(index.record(i)!) }];
  if (hit.token.kind === 'ack') {
    // A SYN-ACK's ack (or the third ACK) points at the SYN it acknowledges.
    const other = seg.fromClient ? conn.server : conn.client;
    if (seg.flags & ACK && other.isn !== undefined && seg.ack === (other.isn + 1) >>> 0) {
      return target(other.synRecord ?? other.synAckRecord);
    }
    return target(seg.acksRecord);
  }
  if (hit.token.kind === 'seq' || hit.token.kind === 'flags') {
    if (seg.originalRecord !== undefined) return target(seg.originalRecord);
    if (seg.flags & SYN && seg.flags & ACK) {
      const other = seg.fromClient ? conn.server : conn.client;
      return target(other.synRecord);
    }
  }
  return [];
}

export function references(index: TraceIndex, line: number): Location[] {
  const r = index.recordAt(line);
  const conn = index.connectionOf(r);
  if (!conn) return [];
  return conn.records.map((i) => ({ uri: index.uri, range: headRange(index.record(i)!) }));
}

export function documentHighlights(index: TraceIndex, line: number): DocumentHighlight[] {
  const r = index.recordAt(line);
  const conn = index.connectionOf(r);
  if (!conn || conn.records.length > 5000) return [];
  return conn.records.map((i) => ({
    range: headRange(index.record(i)!),
    kind: i === r!.index ? DocumentHighlightKind.Write : DocumentHighlightKind.Read,
  }));
}
