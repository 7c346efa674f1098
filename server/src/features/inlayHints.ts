/**
 * Inlay hints, each kind switchable: the state transitions a packet causes (at the end of its line),
 * the other form of its seq/ack numbers beside the printed ones, and its connection number.
 */
import { InlayHintKind, type InlayHint, type Range } from 'vscode-languageserver';
import type { Settings } from '../settings';
import type { PacketRecord, Segment } from '../trace/index';
import type { TraceIndex } from './traceIndex';

export function inlayHints(index: TraceIndex, range: Range, settings: Settings): InlayHint[] {
  const out: InlayHint[] = [];
  const lines = index.analysis.parsed.lines;
  const first = Math.max(0, range.start.line);
  const last = Math.min(lines.length - 1, range.end.line);
  const seen = new Set<number>();
  for (let line = first; line <= last; line++) {
    // A -v record spans two lines; its hints sit on either, so visit each record once from any of them.
    const r = index.recordAt(line);
    if (!r || seen.has(r.index)) continue;
    seen.add(r.index);
    const seg = index.segment(r);
    const conn = index.connectionOf(r);
    if (settings.inlayHints.connection && conn) {
      out.push({
        position: { line: r.line, character: 0 },
        label: `#${conn.id}`,
        kind: InlayHintKind.Type,
        paddingRight: true,
        tooltip: `connection ${conn.id}`,
      });
    }
    if (!seg) continue;
    if (settings.inlayHints.numbers) numberHints(r, seg, settings, out);
    if (settings.inlayHints.states) {
      const t = transitions(seg);
      if (t)
        out.push({
          position: { line: r.tcpLine, character: lines[r.tcpLine]!.length },
          label: t,
          paddingLeft: true,
        });
    }
  }
  return out.filter((h) => inRange(h.position, range));
}

function inRange(p: { line: number; character: number }, range: Range): boolean {
  if (p.line < range.start.line || p.line > range.end.line) return false;
  if (p.line === range.start.line && p.character < range.start.character) return false;
  if (p.line === range.end.line && p.character > range.end.character) return false;
  return true;
}

function transitions(seg: Segment): string | undefined {
  const parts: string[] = [];
  if (seg.clientState[0] !== seg.clientState[1])
    parts.push(`client ${seg.clientState[0]} → ${seg.clientState[1]}`);
  if (seg.serverState[0] !== seg.serverState[1])
    parts.push(`server ${seg.serverState[0]} → ${seg.serverState[1]}`);
  return parts.length ? parts.join(', ') : undefined;
}

function numberHints(r: PacketRecord, seg: Segment, settings: Settings, out: InlayHint[]): void {
  // Beside relative numbers show the absolute ones, and the reverse; settings.numbers picks which
  // form relative means: tcpdump's own (as printed) or Wireshark's (relSeq/relAck).
  const add = (span: PacketRecord['seqSpan'], label: string) => {
    if (span)
      out.push({
        position: { line: span.line, character: span.end },
        label,
        kind: InlayHintKind.Parameter,
        paddingLeft: true,
      });
  };
  if (r.printedRelative) {
    if (r.seqSpan && r.seqAbs !== undefined) add(r.seqSpan, `abs ${r.seqAbs}`);
    if (r.ackSpan && r.ackAbs !== undefined) add(r.ackSpan, `abs ${r.ackAbs}`);
  } else if (settings.numbers === 'relative') {
    if (r.seqSpan && seg.relSeq !== undefined && seg.relSeq !== r.seq) add(r.seqSpan, `rel ${seg.relSeq}`);
    if (r.ackSpan && seg.relAck !== undefined && seg.relAck !== r.ack) add(r.ackSpan, `rel ${seg.relAck}`);
  }
}
