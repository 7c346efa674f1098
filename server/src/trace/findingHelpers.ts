/** Building findings: spans on the right token, numbers shown the way the line printed them. */
import { CODES, type DiagnosticCode } from './codes';
import type { Finding, PacketRecord, Span } from './types';

/** The whole head line of a record, trimmed, as a fallback span. */
export function recordSpan(r: PacketRecord): Span {
  return r.flagsSpan ?? r.timeSpan ?? { line: r.line, start: 0, end: 1 };
}

export function finding(
  code: DiagnosticCode,
  message: string,
  span: Span,
  record: PacketRecord | undefined,
  related: Finding['related'] = [],
): Finding {
  return { code, severity: CODES[code].severity, message, span, record: record?.index, related };
}

/** Where a record is, for messages: "line 12". Lines are 1-based for people. */
export function lineOf(r: PacketRecord): string {
  return `line ${r.line + 1}`;
}

export function relatedRecord(r: PacketRecord | undefined, message: string): Finding['related'] {
  if (!r) return [];
  return [{ span: recordSpan(r), message }];
}

/**
 * An absolute sequence-space value written as this line's own numbers are printed: relative lines
 * shift by the same base tcpdump used.
 */
export function asPrinted(r: PacketRecord, abs: number, field: 'seq' | 'ack'): number {
  const printed = field === 'seq' ? r.seq : r.ack;
  const absolute = field === 'seq' ? r.seqAbs : r.ackAbs;
  if (printed === undefined || absolute === undefined) return abs >>> 0;
  return (abs - (absolute - printed)) >>> 0;
}
