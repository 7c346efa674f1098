/**
 * The concrete packet record. A large trace has hundreds of thousands of them, so a record is a small
 * handle (its store and slot, and the few references it has) and its fields live in typed columns of
 * a RecordStore: numbers outside the garbage-collected heap, a few sparse arrays for the rare text
 * fields. Records as plain objects with sixty fields made most of a large trace's heap, and the
 * collector spent seconds walking it. The getters and setters keep the PacketRecord interface, so
 * nothing outside this file knows. The option list is parsed only when someone reads it: most
 * packets' options (timestamps, SACK) matter to hovers, not to the analysis.
 */
import { ColumnStore } from './columns';
import { add32 } from './seq32';
import { optionKindSignature, optionNumber, scanOptionList } from './tcpOptions';
import type { Endpoint, PacketRecord, RecordKind, Span, TcpOption, TimeKind } from './types';

const NO_OPTIONS: TcpOption[] = [];
const NO_ANNOTATIONS: Array<{ text: string; line: number }> = [];

const KINDS: RecordKind[] = ['other', 'tcp', 'tcp-quiet', 'tcp-truncated', 'tcp-fragment', 'malformed'];
const TIME_KINDS: TimeKind[] = ['none', 'clock', 'datetime', 'epoch', 'delta'];
const FORMATS = [undefined, 'modern', 'old'] as const;
const DUMPS = [undefined, 'hex', 'ascii', 'text'] as const;
const code = <T>(table: readonly T[], value: T): number => table.indexOf(value);

// Int32 columns, per slot. Every column is 0 in a new slot (typed arrays start zeroed, so adding a
// record writes only what it has): enumerations count from their default, and the columns whose
// default is -1 (flags, tri-state booleans, spans) hold the value plus one. Spans are start/end
// column pairs on the record's head or TCP line: each ..._S column is the start, the next the end.
const END_LINE = 0;
const TCP_LINE = 1;
const KIND = 2;
const TIME_KIND = 3;
const AF = 4;
const FORMAT = 5;
const DUMP = 6;
const FLAGS = 7; // -1: none
const PRINTED_RELATIVE = 8; // -1 undefined, 0 false, 1 true
const TRUNCATED = 9; // -1 undefined, 0 false, 1 true
const OPTION_OPEN = 10;
const SRC_S = 11;
const SRC_E = 12;
const DST_S = 13;
const DST_E = 14;
const NUMBER_S = 15;
const TIME_S = 17;
const FLAGS_S = 19;
const SEQ_S = 21;
const ACK_S = 23;
const WIN_S = 25;
const URG_S = 27;
const OPTIONS_S = 29;
const LENGTH_S = 31;
/**
 * The spans a parser can set by columns with TraceRecord.setSpanColumns: a head line has a dozen of
 * them, and a Span object each would be garbage the moment it is stored.
 */
export const SpanField = {
  number: NUMBER_S,
  time: TIME_S,
  flags: FLAGS_S,
  seq: SEQ_S,
  ack: ACK_S,
  win: WIN_S,
  urg: URG_S,
  options: OPTIONS_S,
  length: LENGTH_S,
} as const;
export type SpanField = (typeof SpanField)[keyof typeof SpanField];

/** Which float columns hold a value (bit k for float column k). */
const PRESENT = 33;
const INTS = 34;

// Float64 columns, per slot: numbers up to 2^32 and times, defined where PRESENT has their bit.
const NUMBER = 0;
const TIME_VALUE = 1;
const TIME = 2;
const SEQ = 3;
const SEQ_END = 4;
const ACK_N = 5;
const SEQ_ABS = 6;
const ACK_ABS = 7;
const WIN = 8;
const URG = 9;
const LENGTH = 10;
const IP_ID = 11;
const IP_MISSING = 12;
const SACK_BASE = 13;
const FLOATS = 14;

/** The columns behind the records of one parse (or of one re-read record). */
export class RecordStore extends ColumnStore {
  /** Rare fields: a slot is written only when a record has one. */
  readonly rare = {
    linkText: [] as Array<string | undefined>,
    protocol: [] as Array<string | undefined>,
    payloadSummary: [] as Array<string | undefined>,
    cksum: [] as Array<PacketRecord['cksum']>,
    annotations: [] as Array<Array<{ text: string; line: number }> | undefined>,
    options: [] as Array<TcpOption[] | undefined>,
  };

  /** `expected`: about how many records will come (a capacity hint, not a limit). */
  constructor(expected = 64) {
    super(INTS, FLOATS, PRESENT, expected);
  }

  /** A new slot with every field at its default. */
  add(line: number): number {
    const slot = this.addSlot();
    this.ints[slot * INTS + END_LINE] = line;
    this.ints[slot * INTS + TCP_LINE] = line;
    return slot;
  }
}

const tri = (v: number): boolean | undefined => (v < 0 ? undefined : v === 1);
const fromTri = (v: boolean | undefined): number => (v === undefined ? -1 : v ? 1 : 0);

export class TraceRecord implements PacketRecord {
  // A large trace has hundreds of thousands of records, so each holds only what locates its slot (the
  // offsets of its rows are computed, not kept) and the references that no typed column can hold:
  // fields of their own, cheaper than parallel arrays that grow by copying, with a push per record.
  // The fields are `declare`d and set by the constructor alone: class field definitions would first
  // define each as undefined, then the constructor would set it again.
  declare readonly index: number;
  declare readonly line: number;
  declare private readonly store: RecordStore;
  declare private readonly slot: number;
  declare private source: Endpoint | undefined;
  declare private destination: Endpoint | undefined;
  /** The TCP line's text, where an option list is (parsed on first use). */
  declare private optionText: string | undefined;

  constructor(index: number, line: number, store: RecordStore = new RecordStore(1)) {
    this.index = index;
    this.line = line;
    this.store = store;
    this.slot = store.add(line);
    this.source = undefined;
    this.destination = undefined;
    this.optionText = undefined;
  }

  // The accessors below are kept small, so that V8 inlines them into the parser's and the analysis'
  // hot loops (a call each would cost more than the access). A row starts at slot * INTS (FLOATS).

  /** A column whose default is 0. */
  private int(k: number): number {
    return this.store.ints[this.slot * INTS + k]!;
  }
  private setInt(k: number, v: number): void {
    this.store.ints[this.slot * INTS + k] = v;
  }
  /** A column whose default is -1 (stored plus one). */
  private opt(k: number): number {
    return this.store.ints[this.slot * INTS + k]! - 1;
  }
  private setOpt(k: number, v: number): void {
    this.store.ints[this.slot * INTS + k] = v + 1;
  }
  private num(k: number): number | undefined {
    return this.store.num(this.slot, k);
  }
  private setNum(k: number, v: number | undefined): void {
    this.store.setNum(this.slot, k, v);
  }
  private span(line: number, s: number): Span | undefined {
    const start = this.opt(s);
    return start < 0 ? undefined : { line, start, end: this.opt(s + 1) };
  }
  private setSpan(s: number, span: Span | undefined): void {
    this.setOpt(s, span ? span.start : -1);
    this.setOpt(s + 1, span ? span.end : -1);
  }

  get kind(): RecordKind {
    return KINDS[this.int(KIND)]!;
  }
  set kind(v: RecordKind) {
    this.setInt(KIND, code(KINDS, v));
  }
  get endLine(): number {
    return this.int(END_LINE);
  }
  set endLine(v: number) {
    this.setInt(END_LINE, v);
  }
  get tcpLine(): number {
    return this.int(TCP_LINE);
  }
  set tcpLine(v: number) {
    this.setInt(TCP_LINE, v);
  }
  get number(): number | undefined {
    return this.num(NUMBER);
  }
  set number(v: number | undefined) {
    this.setNum(NUMBER, v);
  }
  get timeKind(): TimeKind {
    return TIME_KINDS[this.int(TIME_KIND)]!;
  }
  set timeKind(v: TimeKind) {
    this.setInt(TIME_KIND, code(TIME_KINDS, v));
  }
  get timeValue(): number | undefined {
    return this.num(TIME_VALUE);
  }
  set timeValue(v: number | undefined) {
    this.setNum(TIME_VALUE, v);
  }
  get time(): number | undefined {
    return this.num(TIME);
  }
  set time(v: number | undefined) {
    this.setNum(TIME, v);
  }
  get linkText(): string | undefined {
    return this.store.rare.linkText[this.slot];
  }
  set linkText(v: string | undefined) {
    this.store.rare.linkText[this.slot] = v;
  }
  get af(): 4 | 6 | undefined {
    const v = this.int(AF);
    return v === 4 || v === 6 ? v : undefined;
  }
  set af(v: 4 | 6 | undefined) {
    this.setInt(AF, v ?? 0);
  }
  get src(): Endpoint | undefined {
    return this.source;
  }
  set src(v: Endpoint | undefined) {
    this.source = v;
  }
  get dst(): Endpoint | undefined {
    return this.destination;
  }
  set dst(v: Endpoint | undefined) {
    this.destination = v;
  }
  get protocol(): string | undefined {
    return this.store.rare.protocol[this.slot];
  }
  set protocol(v: string | undefined) {
    this.store.rare.protocol[this.slot] = v;
  }
  get format(): 'modern' | 'old' | undefined {
    return FORMATS[this.int(FORMAT)];
  }
  set format(v: 'modern' | 'old' | undefined) {
    this.setInt(FORMAT, code(FORMATS, v));
  }
  get flags(): number | undefined {
    const v = this.opt(FLAGS);
    return v < 0 ? undefined : v;
  }
  set flags(v: number | undefined) {
    this.setOpt(FLAGS, v ?? -1);
  }
  get seq(): number | undefined {
    return this.num(SEQ);
  }
  set seq(v: number | undefined) {
    this.setNum(SEQ, v);
  }
  get seqEnd(): number | undefined {
    return this.num(SEQ_END);
  }
  set seqEnd(v: number | undefined) {
    this.setNum(SEQ_END, v);
  }
  get ack(): number | undefined {
    return this.num(ACK_N);
  }
  set ack(v: number | undefined) {
    this.setNum(ACK_N, v);
  }
  get seqAbs(): number | undefined {
    return this.num(SEQ_ABS);
  }
  set seqAbs(v: number | undefined) {
    this.setNum(SEQ_ABS, v);
  }
  get ackAbs(): number | undefined {
    return this.num(ACK_ABS);
  }
  set ackAbs(v: number | undefined) {
    this.setNum(ACK_ABS, v);
  }
  get printedRelative(): boolean | undefined {
    return tri(this.opt(PRINTED_RELATIVE));
  }
  set printedRelative(v: boolean | undefined) {
    this.setOpt(PRINTED_RELATIVE, fromTri(v));
  }
  get win(): number | undefined {
    return this.num(WIN);
  }
  set win(v: number | undefined) {
    this.setNum(WIN, v);
  }
  get urg(): number | undefined {
    return this.num(URG);
  }
  set urg(v: number | undefined) {
    this.setNum(URG, v);
  }
  get length(): number | undefined {
    return this.num(LENGTH);
  }
  set length(v: number | undefined) {
    this.setNum(LENGTH, v);
  }
  get payloadSummary(): string | undefined {
    return this.store.rare.payloadSummary[this.slot];
  }
  set payloadSummary(v: string | undefined) {
    this.store.rare.payloadSummary[this.slot] = v;
  }
  get cksum(): PacketRecord['cksum'] {
    return this.store.rare.cksum[this.slot];
  }
  set cksum(v: PacketRecord['cksum']) {
    this.store.rare.cksum[this.slot] = v;
  }
  get ipId(): number | undefined {
    return this.num(IP_ID);
  }
  set ipId(v: number | undefined) {
    this.setNum(IP_ID, v);
  }
  get ipMissingBytes(): number | undefined {
    return this.num(IP_MISSING);
  }
  set ipMissingBytes(v: number | undefined) {
    this.setNum(IP_MISSING, v);
  }
  get truncated(): boolean | undefined {
    return tri(this.opt(TRUNCATED));
  }
  set truncated(v: boolean | undefined) {
    this.setOpt(TRUNCATED, fromTri(v));
  }
  get annotations(): Array<{ text: string; line: number }> {
    return this.store.rare.annotations[this.slot] ?? NO_ANNOTATIONS;
  }
  set annotations(v: Array<{ text: string; line: number }>) {
    this.store.rare.annotations[this.slot] = v.length ? v : undefined;
  }
  get dump(): 'hex' | 'ascii' | 'text' | undefined {
    return DUMPS[this.int(DUMP)];
  }
  set dump(v: 'hex' | 'ascii' | 'text' | undefined) {
    this.setInt(DUMP, code(DUMPS, v));
  }
  /** The base that turns printed SACK edges into absolute ones (set by numbering). */
  get sackBase(): number {
    return this.store.floats[this.slot * FLOATS + SACK_BASE]!;
  }
  set sackBase(v: number) {
    this.store.floats[this.slot * FLOATS + SACK_BASE] = v;
  }

  get numberSpan(): Span | undefined {
    return this.span(this.line, NUMBER_S);
  }
  set numberSpan(span: Span | undefined) {
    this.setSpan(NUMBER_S, span);
  }
  get timeSpan(): Span | undefined {
    return this.span(this.line, TIME_S);
  }
  set timeSpan(span: Span | undefined) {
    this.setSpan(TIME_S, span);
  }
  get flagsSpan(): Span | undefined {
    return this.span(this.tcpLine, FLAGS_S);
  }
  set flagsSpan(span: Span | undefined) {
    this.setSpan(FLAGS_S, span);
  }
  get seqSpan(): Span | undefined {
    return this.span(this.tcpLine, SEQ_S);
  }
  set seqSpan(span: Span | undefined) {
    this.setSpan(SEQ_S, span);
  }
  get ackSpan(): Span | undefined {
    return this.span(this.tcpLine, ACK_S);
  }
  set ackSpan(span: Span | undefined) {
    this.setSpan(ACK_S, span);
  }
  get winSpan(): Span | undefined {
    return this.span(this.tcpLine, WIN_S);
  }
  set winSpan(span: Span | undefined) {
    this.setSpan(WIN_S, span);
  }
  get urgSpan(): Span | undefined {
    return this.span(this.tcpLine, URG_S);
  }
  set urgSpan(span: Span | undefined) {
    this.setSpan(URG_S, span);
  }
  get optionsSpan(): Span | undefined {
    return this.span(this.tcpLine, OPTIONS_S);
  }
  set optionsSpan(span: Span | undefined) {
    this.setSpan(OPTIONS_S, span);
  }
  get lengthSpan(): Span | undefined {
    return this.span(this.tcpLine, LENGTH_S);
  }
  set lengthSpan(span: Span | undefined) {
    this.setSpan(LENGTH_S, span);
  }
  get srcSpan(): Span | undefined {
    return this.span(this.tcpLine, SRC_S);
  }
  get dstSpan(): Span | undefined {
    return this.span(this.tcpLine, DST_S);
  }

  /** Sets a span by its columns (on the line the field belongs to, as the span setters do). */
  setSpanColumns(field: SpanField, start: number, end: number): void {
    const ints = this.store.ints;
    const at = this.slot * INTS + field;
    ints[at] = start + 1;
    ints[at + 1] = end + 1;
  }

  /** Sets the columns of both endpoints (on the TCP line). */
  setEndpointColumns(srcStart: number, srcEnd: number, dstStart: number, dstEnd: number): void {
    this.setOpt(SRC_S, srcStart);
    this.setOpt(SRC_E, srcEnd);
    this.setOpt(DST_S, dstStart);
    this.setOpt(DST_E, dstEnd);
  }

  private get optionOpen(): number {
    return this.opt(OPTION_OPEN);
  }

  /** Remembers an option list whose opening bracket is at `open` of `text` (this record's TCP line). */
  setOptionSource(text: string, open: number): void {
    this.optionText = text;
    this.setOpt(OPTION_OPEN, open);
    // Forget a list parsed before (a slot past the end has none).
    const lists = this.store.rare.options;
    if (this.slot < lists.length) lists[this.slot] = undefined;
  }

  get options(): TcpOption[] {
    const parsed = this.store.rare.options[this.slot];
    if (parsed) return parsed;
    const text = this.optionText;
    if (text === undefined) return NO_OPTIONS;
    const list = scanOptionList(text, this.optionOpen, this.tcpLine).options;
    const base = this.sackBase;
    for (const o of list)
      if (o.blocks) o.blocksAbs = o.blocks.map(([a, b]) => [add32(a, base), add32(b, base)]);
    this.store.rare.options[this.slot] = list;
    return list;
  }

  set options(list: TcpOption[]) {
    this.store.rare.options[this.slot] = list;
  }

  /** The window-scale shift this segment announces, read without building the option list. */
  get wscale(): number | undefined {
    const list = this.store.rare.options[this.slot];
    if (list) return list.find((o) => o.kind === 'wscale')?.value;
    return this.optionText === undefined
      ? undefined
      : optionNumber(this.optionText, this.optionOpen, 'wscale');
  }

  /**
   * optionSignature's text (sequenceAnalysis.ts) read from the line without building the list;
   * undefined when the list is built already or needs building (MPTCP).
   */
  optionSignature(): string | undefined {
    if (this.store.rare.options[this.slot]) return undefined;
    const text = this.optionText;
    return text === undefined ? '' : optionKindSignature(text, this.optionOpen);
  }

  /** Whether the option list names this keyword (cheap: no parse). */
  hasOption(keyword: string): boolean {
    return this.optionText !== undefined && this.optionText.indexOf(keyword, this.optionOpen) >= 0;
  }
}
