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
  numberSpan: Span | undefined = undefined;
  timeKind: TimeKind = 'none';
  timeValue: number | undefined = undefined;
  timeSpan: Span | undefined = undefined;
  time: number | undefined = undefined;
  linkText: string | undefined = undefined;
  af: 4 | 6 | undefined = undefined;
  src: Endpoint | undefined = undefined;
  dst: Endpoint | undefined = undefined;
  protocol: string | undefined = undefined;
  format: 'modern' | 'old' | undefined = undefined;
  flags: number | undefined = undefined;
  flagsSpan: Span | undefined = undefined;
  seq: number | undefined = undefined;
  seqEnd: number | undefined = undefined;
  seqSpan: Span | undefined = undefined;
  ack: number | undefined = undefined;
  ackSpan: Span | undefined = undefined;
  seqAbs: number | undefined = undefined;
  ackAbs: number | undefined = undefined;
  printedRelative: boolean | undefined = undefined;
  win: number | undefined = undefined;
  winSpan: Span | undefined = undefined;
  urg: number | undefined = undefined;
  urgSpan: Span | undefined = undefined;
  optionsSpan: Span | undefined = undefined;
  length: number | undefined = undefined;
  lengthSpan: Span | undefined = undefined;
  payloadSummary: string | undefined = undefined;
  cksum: PacketRecord['cksum'] = undefined;
  ipId: number | undefined = undefined;
  ipMissingBytes: number | undefined = undefined;
  truncated: boolean | undefined = undefined;
  annotations: Array<{ text: string; line: number }> = [];
  dump: 'hex' | 'ascii' | 'text' | undefined = undefined;
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
