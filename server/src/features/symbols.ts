/**
 * One document symbol per connection, with its handshake, data and teardown phases as children, so
 * the Outline and breadcrumbs show the trace's structure.
 */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { ACK, FIN, RST, SYN, endpointText, type Connection, type PacketRecord } from '../trace/index';
import type { TraceIndex } from './traceIndex';

function lineRange(records: PacketRecord[], from: PacketRecord, to: PacketRecord, lines: string[]) {
  void records;
  return {
    start: { line: from.line, character: 0 },
    end: { line: to.endLine, character: lines[to.endLine]?.length ?? 0 },
  };
}

export function documentSymbols(index: TraceIndex): DocumentSymbol[] {
  const { records, parsed } = index.analysis;
  return index.analysis.connections.map((c) => {
    const first = records[c.firstRecord]!;
    const last = records[c.lastRecord]!;
    const range = lineRange(records, first, last, parsed.lines);
    const name = `${endpointText(c.client.endpoint)} -> ${endpointText(c.server.endpoint)} · ${c.quiet ? '?' : c.zeekState} · ${c.records.length} packet${c.records.length === 1 ? '' : 's'}`;
    return {
      name,
      detail: `connection ${c.id}`,
      kind: SymbolKind.Event,
      range,
      selectionRange: first.srcSpan
        ? {
            start: { line: first.srcSpan.line, character: first.srcSpan.start },
            end: { line: first.srcSpan.line, character: first.dstSpan?.end ?? first.srcSpan.end },
          }
        : { start: range.start, end: range.start },
      children: phases(c, index),
    };
  });
}

function phases(c: Connection, index: TraceIndex): DocumentSymbol[] {
  const { records, parsed } = index.analysis;
  const segs = c.segments;
  if (!segs.length) return [];
  // Handshake: from the first SYN to the first non-SYN segment of the client after the SYN-ACK.
  let hsEnd = -1;
  if (segs.at(0).flags & SYN) {
    hsEnd = 0;
    for (let i = 1; i < segs.length; i++) {
      const s = segs.at(i);
      if (s.flags & SYN) hsEnd = i;
      else {
        if (s.flags & ACK && s.len === 0 && !(s.flags & (FIN | RST))) hsEnd = i;
        break;
      }
    }
  }
  let tdStart = segs.findIndex((s) => (s.flags & (FIN | RST)) !== 0);
  if (tdStart >= 0 && tdStart <= hsEnd) tdStart = hsEnd + 1;
  const out: DocumentSymbol[] = [];
  const phase = (name: string, from: number, to: number, kind: SymbolKind) => {
    if (from < 0 || to < from || to >= segs.length) return;
    const a = segs.at(from).record;
    const b = segs.at(to).record;
    const range = lineRange(records, a, b, parsed.lines);
    out.push({
      name,
      detail: `${to - from + 1} packet${to === from ? '' : 's'}`,
      kind,
      range,
      selectionRange: { start: range.start, end: range.start },
    });
  };
  if (hsEnd >= 0) phase('handshake', 0, hsEnd, SymbolKind.Method);
  const dataFrom = hsEnd + 1;
  const dataTo = tdStart >= 0 ? tdStart - 1 : segs.length - 1;
  if (dataTo >= dataFrom) phase('data', dataFrom, dataTo, SymbolKind.Field);
  if (tdStart >= 0 && tdStart < segs.length) phase('teardown', tdStart, segs.length - 1, SymbolKind.Method);
  return out;
}
