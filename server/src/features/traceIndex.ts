/**
 * Lookups over one analysis that every feature needs: the record at a line, the token at a position,
 * and LSP ranges. Built once per analysed document version.
 */
import type { Range } from 'vscode-languageserver';
import type { Connection, PacketRecord, Segment, Span, TcpOption, TraceAnalysis } from '../trace/index';

export function toRange(span: Span): Range {
  return { start: { line: span.line, character: span.start }, end: { line: span.line, character: span.end } };
}

export function contains(span: Span | undefined, line: number, character: number): boolean {
  return !!span && span.line === line && character >= span.start && character <= span.end;
}

export type TokenKind =
  | 'number'
  | 'time'
  | 'src'
  | 'dst'
  | 'flags'
  | 'seq'
  | 'ack'
  | 'win'
  | 'urg'
  | 'option'
  | 'length'
  | 'cksum'
  | 'record';

export interface Token {
  kind: TokenKind;
  span: Span;
  option?: TcpOption;
}

/** The spans of a record's fields that a position can land on (its options come one by one apart). */
export function fieldSpans(r: PacketRecord): Array<[TokenKind, Span | undefined]> {
  return [
    ['flags', r.flagsSpan],
    ['seq', r.seqSpan],
    ['ack', r.ackSpan],
    ['win', r.winSpan],
    ['urg', r.urgSpan],
    ['length', r.lengthSpan],
    ['cksum', r.cksum?.span],
    ['time', r.timeSpan],
    ['number', r.numberSpan],
    ['src', r.srcSpan],
    ['dst', r.dstSpan],
  ];
}

export class TraceIndex {
  /**
   * Record index covering each line, or -1: made when a feature first asks (diagnostics do not), so
   * that opening a large trace publishes them without building it.
   */
  private lineMap: Int32Array | undefined;

  /**
   * `earlier`: the index of the version `analysis` was made from incrementally; where that kept every
   * record on its lines (TraceAnalysis.keptRecordLines), its line map, if made, serves as is.
   */
  constructor(
    readonly analysis: TraceAnalysis,
    readonly uri: string,
    readonly version: number,
    earlier?: TraceIndex,
  ) {
    const map = earlier?.lineMap;
    if (map && analysis.keptRecordLines && map.length === Math.max(1, analysis.parsed.lineCount))
      this.lineMap = map;
  }

  private get recordOfLine(): Int32Array {
    if (this.lineMap) return this.lineMap;
    const map = new Int32Array(Math.max(1, this.analysis.parsed.lineCount)).fill(-1);
    const records = this.analysis.parsed.recordList;
    for (let i = 0; i < records.length; i++) {
      const r = records.at(i)!;
      for (let l = r.line; l <= r.endLine && l < map.length; l++) map[l] = r.index;
    }
    return (this.lineMap = map);
  }

  recordAt(line: number): PacketRecord | undefined {
    const i = line >= 0 && line < this.recordOfLine.length ? this.recordOfLine[line]! : -1;
    return i >= 0 ? this.record(i) : undefined;
  }

  /**
   * Record `index`, read from the parse's list: a feature that looks at a few records does not make
   * the array of all of them (see RecordSlots).
   */
  record(index: number): PacketRecord | undefined {
    return this.analysis.parsed.recordList.at(index);
  }

  segment(record: PacketRecord | undefined): Segment | undefined {
    return record ? this.analysis.segmentOf.get(record.index) : undefined;
  }

  connectionOf(record: PacketRecord | undefined): Connection | undefined {
    if (!record) return undefined;
    const id = this.analysis.connectionOf.get(record.index);
    return id === undefined ? undefined : this.analysis.connections[id - 1];
  }

  /** The field of a packet under a position. */
  tokenAt(line: number, character: number): { record: PacketRecord; token: Token } | undefined {
    const r = this.recordAt(line);
    if (!r) return undefined;
    const candidates = fieldSpans(r);
    for (const o of r.options)
      if (contains(o.span, line, character))
        return { record: r, token: { kind: 'option', span: o.span, option: o } };
    for (const [kind, span] of candidates)
      if (span && contains(span, line, character)) return { record: r, token: { kind, span } };
    // The field keywords ("seq ", "ack ", "win ") lead to their numbers.
    for (const [kind, span] of candidates) {
      if (!span || span.line !== line) continue;
      if (
        (kind === 'seq' || kind === 'ack' || kind === 'win' || kind === 'urg' || kind === 'length') &&
        character >= span.start - 4 &&
        character < span.start
      ) {
        return { record: r, token: { kind, span } };
      }
    }
    return undefined;
  }
}
