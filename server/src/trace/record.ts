/**
 * The concrete packet record. Every instance has the same fields in the same order (one object shape
 * for the engine), and the option list is parsed only when someone reads it: most packets' options
 * (timestamps, SACK) matter to hovers, not to the analysis, and parsing them all would double the
 * garbage a large trace makes.
 */
import { add32 } from './seq32';
import { scanOptionList } from './tcpOptions';
import type { Endpoint, PacketRecord, RecordKind, Span, TcpOption, TimeKind } from './types';

const NO_OPTIONS: TcpOption[] = [];

export class TraceRecord implements PacketRecord {
  kind: RecordKind = 'other';
  endLine: number;
  tcpLine: number;
  number: number | undefined = undefined;
  timeKind: TimeKind = 'none';
  timeValue: number | undefined = undefined;
  time: number | undefined = undefined;
  linkText: string | undefined = undefined;
  af: 4 | 6 | undefined = undefined;
  src: Endpoint | undefined = undefined;
  dst: Endpoint | undefined = undefined;
  protocol: string | undefined = undefined;
  format: 'modern' | 'old' | undefined = undefined;
  flags: number | undefined = undefined;
  seq: number | undefined = undefined;
  seqEnd: number | undefined = undefined;
  ack: number | undefined = undefined;
  seqAbs: number | undefined = undefined;
  ackAbs: number | undefined = undefined;
  printedRelative: boolean | undefined = undefined;
  win: number | undefined = undefined;
  urg: number | undefined = undefined;
  length: number | undefined = undefined;
  payloadSummary: string | undefined = undefined;
  cksum: PacketRecord['cksum'] = undefined;
  ipId: number | undefined = undefined;
  ipMissingBytes: number | undefined = undefined;
  truncated: boolean | undefined = undefined;
  annotations: Array<{ text: string; line: number }> = [];
  dump: 'hex' | 'ascii' | 'text' | undefined = undefined;
  /**
   * Token columns, kept as numbers: a record holds a dozen ranges, and as objects they would be most of
   * a large trace's heap. The ...Span accessors build them on demand (time and number on the head
   * line, the TCP fields on the TCP line).
   */
  private srcS = -1;
  private srcE = -1;
  private dstS = -1;
  private dstE = -1;
  private numberS = -1;
  private numberE = -1;
  private timeS = -1;
  private timeE = -1;
  private flagsS = -1;
  private flagsE = -1;
  private seqS = -1;
  private seqE = -1;
  private ackS = -1;
  private ackE = -1;
  private winS = -1;
  private winE = -1;
  private urgS = -1;
  private urgE = -1;
  private optionsS = -1;
  private optionsE = -1;
  private lengthS = -1;
  private lengthE = -1;
  /** Where the option list starts (its opening bracket), read on first use of `options`. */
  private optionText: string | undefined = undefined;
  private optionOpen = -1;
  /** The base that turns printed SACK edges into absolute ones (set by numbering). */
  sackBase = 0;
  private parsed: TcpOption[] | undefined = undefined;

  constructor(
    readonly index: number,
    readonly line: number,
  ) {
    this.endLine = line;
    this.tcpLine = line;
  }

  get numberSpan(): Span | undefined {
    return this.numberS < 0 ? undefined : { line: this.line, start: this.numberS, end: this.numberE };
  }
  set numberSpan(span: Span | undefined) {
    this.numberS = span ? span.start : -1;
    this.numberE = span ? span.end : -1;
  }

  get timeSpan(): Span | undefined {
    return this.timeS < 0 ? undefined : { line: this.line, start: this.timeS, end: this.timeE };
  }
  set timeSpan(span: Span | undefined) {
    this.timeS = span ? span.start : -1;
    this.timeE = span ? span.end : -1;
  }

  get flagsSpan(): Span | undefined {
    return this.flagsS < 0 ? undefined : { line: this.tcpLine, start: this.flagsS, end: this.flagsE };
  }
  set flagsSpan(span: Span | undefined) {
    this.flagsS = span ? span.start : -1;
    this.flagsE = span ? span.end : -1;
  }

  get seqSpan(): Span | undefined {
    return this.seqS < 0 ? undefined : { line: this.tcpLine, start: this.seqS, end: this.seqE };
  }
  set seqSpan(span: Span | undefined) {
    this.seqS = span ? span.start : -1;
    this.seqE = span ? span.end : -1;
  }

  get ackSpan(): Span | undefined {
    return this.ackS < 0 ? undefined : { line: this.tcpLine, start: this.ackS, end: this.ackE };
  }
  set ackSpan(span: Span | undefined) {
    this.ackS = span ? span.start : -1;
    this.ackE = span ? span.end : -1;
  }

  get winSpan(): Span | undefined {
    return this.winS < 0 ? undefined : { line: this.tcpLine, start: this.winS, end: this.winE };
  }
  set winSpan(span: Span | undefined) {
    this.winS = span ? span.start : -1;
    this.winE = span ? span.end : -1;
  }

  get urgSpan(): Span | undefined {
    return this.urgS < 0 ? undefined : { line: this.tcpLine, start: this.urgS, end: this.urgE };
  }
  set urgSpan(span: Span | undefined) {
    this.urgS = span ? span.start : -1;
    this.urgE = span ? span.end : -1;
  }

  get optionsSpan(): Span | undefined {
    return this.optionsS < 0 ? undefined : { line: this.tcpLine, start: this.optionsS, end: this.optionsE };
  }
  set optionsSpan(span: Span | undefined) {
    this.optionsS = span ? span.start : -1;
    this.optionsE = span ? span.end : -1;
  }

  get lengthSpan(): Span | undefined {
    return this.lengthS < 0 ? undefined : { line: this.tcpLine, start: this.lengthS, end: this.lengthE };
  }
  set lengthSpan(span: Span | undefined) {
    this.lengthS = span ? span.start : -1;
    this.lengthE = span ? span.end : -1;
  }

  get srcSpan(): Span | undefined {
    return this.srcS < 0 ? undefined : { line: this.tcpLine, start: this.srcS, end: this.srcE };
  }

  get dstSpan(): Span | undefined {
    return this.dstS < 0 ? undefined : { line: this.tcpLine, start: this.dstS, end: this.dstE };
  }

  /** Sets the columns of both endpoints (on the TCP line). */
  setEndpointColumns(srcStart: number, srcEnd: number, dstStart: number, dstEnd: number): void {
    this.srcS = srcStart;
    this.srcE = srcEnd;
    this.dstS = dstStart;
    this.dstE = dstEnd;
  }

  /** Remembers an option list whose opening bracket is at `open` of `text` (this record's TCP line). */
  setOptionSource(text: string, open: number): void {
    this.optionText = text;
    this.optionOpen = open;
    this.parsed = undefined;
  }

  get options(): TcpOption[] {
    if (this.parsed) return this.parsed;
    if (this.optionText === undefined) return NO_OPTIONS;
    const list = scanOptionList(this.optionText, this.optionOpen, this.tcpLine).options;
    for (const o of list)
      if (o.blocks)
        o.blocksAbs = o.blocks.map(([a, b]) => [add32(a, this.sackBase), add32(b, this.sackBase)]);
    this.parsed = list;
    return list;
  }

  set options(list: TcpOption[]) {
    this.parsed = list;
  }

  /** The window-scale shift this segment announces, without parsing the other options. */
  get wscale(): number | undefined {
    if (this.optionText === undefined) return undefined;
    const at = this.optionText.indexOf('wscale ', this.optionOpen);
    if (at < 0) return undefined;
    return this.options.find((o) => o.kind === 'wscale')?.value;
  }

  /** Whether the option list names this keyword (cheap: no parse). */
  hasOption(keyword: string): boolean {
    return this.optionText !== undefined && this.optionText.indexOf(keyword, this.optionOpen) >= 0;
  }
}

/**
 * Fields that start undefined and later hold numbers beyond the small-integer range (32-bit sequence
 * numbers, times) would change their field representation on the first such write, and the engine
 * would then migrate every existing record one by one: seconds on a large trace. Writing such values
 * once into a throw-away record at load time settles the representation before any real record exists.
 */
(function settleFieldRepresentations(): void {
  const r = new TraceRecord(0, 0);
  const big = 0xfffffffe;
  r.number = big;
  r.timeValue = 0.5;
  r.time = 0.5;
  r.seq = big;
  r.seqEnd = big;
  r.ack = big;
  r.seqAbs = big;
  r.ackAbs = big;
  r.win = big;
  r.urg = big;
  r.length = big;
  r.ipId = big;
  r.ipMissingBytes = big;
  r.sackBase = big;
  r.number = undefined;
  r.timeValue = undefined;
  r.time = undefined;
  r.seq = undefined;
  r.seqEnd = undefined;
  r.ack = undefined;
  r.seqAbs = undefined;
  r.ackAbs = undefined;
  r.win = undefined;
  r.urg = undefined;
  r.length = undefined;
  r.ipId = undefined;
  r.ipMissingBytes = undefined;
})();
