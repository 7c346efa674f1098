/**
 * The concrete packet record. A large trace has hundreds of thousands of them, so a record is a small
 * handle (its store and slot, and the few references it has) and its fields live in typed columns of
 * a RecordStore: numbers outside the garbage-collected heap, a few sparse arrays for the rare text
 * fields. Records as plain objects with sixty fields made most of a large trace's heap, and the
 * collector spent seconds walking it. The getters and setters keep the PacketRecord interface, so
 * nothing outside this file knows. The option list is parsed only when someone reads it: most
 * packets' options (timestamps, SACK) matter to hovers, not to the analysis.
 */
import { ColumnSet, grown, newColumn, optionalNumber, setOptionalNumber, type NumberColumn } from './columns';
import { lowerBound } from './search';
import { add32 } from './seq32';
import { optionKindSignature, optionNumber, scanOptionList } from './tcpOptions';
import { TupleIds } from './tuples';
import {
  isTrackedKind,
  type Endpoint,
  type PacketRecord,
  type RecordKind,
  type RecordList,
  type Span,
  type TcpOption,
  type TimeKind,
} from './types';

const NO_OPTIONS: TcpOption[] = [];
const NO_ANNOTATIONS: Array<{ text: string; line: number }> = [];

const KINDS: RecordKind[] = ['other', 'tcp', 'tcp-quiet', 'tcp-truncated', 'tcp-fragment', 'malformed'];
const TIME_KINDS: TimeKind[] = ['none', 'clock', 'datetime', 'epoch', 'delta'];
const FORMATS = [undefined, 'modern', 'old'] as const;
const DUMPS = [undefined, 'hex', 'ascii', 'text'] as const;
const code = <T>(table: readonly T[], value: T): number => table.indexOf(value);
// The codes TraceRecord.common writes.
const TCP_KIND = code(KINDS, 'tcp');
/** The kind codes tracking tells apart (see trackInputs). */
export const KIND_CODE = { tcp: TCP_KIND, quiet: code(KINDS, 'tcp-quiet') } as const;
/** The code a record of kind `kind` has in trackInputs. */
const kindCode = (kind: RecordKind): number => code(KINDS, kind);
/** 1 for the codes of the kinds tracking takes (types.ts, isTrackedKind), by code. */
export const TRACKED_KIND = Uint8Array.from(KINDS, (kind) => (isTrackedKind(kind) ? 1 : 0));
export const CLOCK_TIME = code(TIME_KINDS, 'clock');
/** The code of -ttt and -ttttt times (deltas), as timeKindAt gives it. */
export const DELTA_TIME = code(TIME_KINDS, 'delta');
export const DATETIME_TIME = code(TIME_KINDS, 'datetime');
const MODERN_FORMAT = code(FORMATS, 'modern');

// The columns of a record. Each field has an array of its own (a column), indexed by slot: a pass
// over many records that reads a few fields (the times, the numbering, the tracking) reads a few dense
// arrays instead of a wide row per record, and a field no record of the file has (urg, the -# number,
// the IP id) costs no memory at all, as a typed array's pages are only faulted in when written. Every
// column is 0 in a new slot (typed arrays start zeroed, so adding a record writes only what it has):
// enumerations count from their default, and the columns whose default is -1 (flags, tri-state
// booleans, spans) hold the value plus one.

// Span columns: start/end pairs on the record's head or TCP line, in one array of SPAN_COLUMNS per
// slot (a span is read one record at a time, by hovers and quick fixes): each ..._S column is the
// start, the next one the end.
const SRC_S = 0;
const SRC_E = 1;
const DST_S = 2;
const DST_E = 3;
const NUMBER_S = 4;
const TIME_S = 6;
const FLAGS_S = 8;
const SEQ_S = 10;
const ACK_S = 12;
const WIN_S = 14;
const URG_S = 16;
const OPTIONS_S = 18;
const LENGTH_S = 20;
const SPAN_COLUMNS = 22;
/** The first column that 8-bit and 16-bit span columns cannot hold (plus one, as they are stored). */
const MAX_SPAN_8 = 0xff;
const MAX_SPAN_16 = 0xffff;
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

// Bits of `present`: which number columns hold a value (a number field may be absent).
const NUMBER = 1 << 0;
const TIME_VALUE = 1 << 1;
const TIME = 1 << 2;
const SEQ = 1 << 3;
const SEQ_END = 1 << 4;
const ACK_N = 1 << 5;
const SEQ_ABS = 1 << 6;
const ACK_ABS = 1 << 7;
const WIN = 1 << 8;
const URG = 1 << 9;
const LENGTH = 1 << 10;
const IP_ID = 1 << 11;
const IP_MISSING = 1 << 12;

// Values of `side`: which endpoint of the record's 4-tuple (TupleIds.endpoint) is its source.
const NO_ENDPOINTS = 0;
/** (Exported for tracking, which tells a record's direction by its side: see trackInputs.) */
export const FROM_LOWER = 1;
export const FROM_HIGHER = 2;

/** A file's lines by index: an array of them, or TextLines (parser.ts), which makes each when asked. */
export interface LineList {
  readonly length: number;
  at(index: number): string | undefined;
}

/** The columns behind the records of one parse (or of one re-read record). */
export class RecordStore extends ColumnSet {
  index: Int32Array;
  line: Int32Array;
  endLine: Int32Array;
  tcpLine: Int32Array;
  kind: Uint8Array;
  timeKind: Uint8Array;
  af: Uint8Array;
  format: Uint8Array;
  dump: Uint8Array;
  /** Tri-state booleans, plus one (0: undefined). */
  printedRelative: Uint8Array;
  truncated: Uint8Array;
  /** The flag bits plus one (0: none). */
  flags: Uint16Array;
  /** Column of the option list's '[' plus one (0: none). */
  optionOpen: Int32Array;
  /** The line the option list is on, where optionOpen has one. */
  optionLine: Int32Array;
  /** The 4-tuple's id plus one (0: none). */
  tuple: Int32Array;
  /** Which endpoint of the 4-tuple sent the record (NO_ENDPOINTS, FROM_LOWER, FROM_HIGHER). */
  side: Uint8Array;
  /**
   * 8 bits a column until a line is longer than that, then 16, then 32 (see fitSpan): the spans are
   * the widest part of a record, and every byte of a large trace's columns is memory the process must
   * fault in (most tcpdump lines are shorter than 255 characters: the bench trace's 604 345 records
   * take 13 MB of spans instead of 27, or 53 at 32 bits).
   */
  spans: Uint8Array | Uint16Array | Int32Array;
  present: Uint16Array;
  number: Float64Array;
  timeValue: Float64Array;
  time: Float64Array;
  seq: Uint32Array;
  seqEnd: Uint32Array;
  ack: Uint32Array;
  seqAbs: Uint32Array;
  ackAbs: Uint32Array;
  win: Uint32Array;
  urg: Uint32Array;
  length: Float64Array;
  ipId: Float64Array;
  ipMissing: Float64Array;
  /** The base that turns printed SACK edges into absolute ones (always defined, 0 by default). */
  sackBase: Uint32Array;
  /** Rare fields: a slot is written only when a record has one. */
  readonly rare = {
    linkText: [] as Array<string | undefined>,
    protocol: [] as Array<string | undefined>,
    payloadSummary: [] as Array<string | undefined>,
    cksum: [] as Array<PacketRecord['cksum']>,
    annotations: [] as Array<Array<{ text: string; line: number }> | undefined>,
    options: [] as Array<TcpOption[] | undefined>,
    /** The text an option list is in, where it is not in `lines` (see setOptionSource). */
    optionText: [] as Array<string | undefined>,
  };

  /**
   * `expected`: about how many records will come (a capacity hint, not a limit). `tuples`: the ids
   * the records' 4-tuples have (their endpoints are found there). `lines`: the lines the records are
   * read from, where their option lists are found again; a store that keeps no lines keeps the text
   * of each option list in `rare` (a record read again after an edit: its store must not hold on to
   * that version's lines).
   */
  constructor(
    expected = 64,
    readonly tuples: TupleIds = new TupleIds(),
    readonly lines?: LineList,
  ) {
    super(expected);
    const n = this.capacity;
    // Columns most records write come from the spare memory while it lasts (see newColumn); those few
    // records write (urg, the IP id, ...) are new typed arrays, whose pages cost nothing until written.
    this.index = newColumn(Int32Array, n);
    this.line = newColumn(Int32Array, n);
    this.endLine = newColumn(Int32Array, n);
    this.tcpLine = newColumn(Int32Array, n);
    this.kind = newColumn(Uint8Array, n);
    this.timeKind = newColumn(Uint8Array, n);
    this.af = newColumn(Uint8Array, n);
    this.format = newColumn(Uint8Array, n);
    this.dump = new Uint8Array(n);
    this.printedRelative = newColumn(Uint8Array, n);
    this.truncated = new Uint8Array(n);
    this.flags = newColumn(Uint16Array, n);
    this.optionOpen = newColumn(Int32Array, n);
    this.optionLine = newColumn(Int32Array, n);
    this.tuple = newColumn(Int32Array, n);
    this.side = newColumn(Uint8Array, n);
    this.spans = newColumn(Uint8Array, n * SPAN_COLUMNS);
    this.present = newColumn(Uint16Array, n);
    this.number = new Float64Array(n);
    this.timeValue = newColumn(Float64Array, n);
    this.time = newColumn(Float64Array, n);
    this.seq = newColumn(Uint32Array, n);
    this.seqEnd = newColumn(Uint32Array, n);
    this.ack = newColumn(Uint32Array, n);
    this.seqAbs = newColumn(Uint32Array, n);
    this.ackAbs = newColumn(Uint32Array, n);
    this.win = newColumn(Uint32Array, n);
    this.urg = new Uint32Array(n);
    this.length = newColumn(Float64Array, n);
    this.ipId = new Float64Array(n);
    this.ipMissing = new Float64Array(n);
    this.sackBase = newColumn(Uint32Array, n);
  }

  /** Makes the span columns wide enough for column `column` (stored plus one). */
  fitSpan(column: number): void {
    if (column < MAX_SPAN_8) return;
    const spans = this.spans;
    if (column >= MAX_SPAN_16) {
      if (!(spans instanceof Int32Array)) this.spans = Int32Array.from(spans);
    } else if (spans instanceof Uint8Array) this.spans = Uint16Array.from(spans);
  }

  /** A new slot for record `index` on `line`, every other field at its default. */
  add(index: number, line: number): number {
    const slot = this.addSlot();
    this.index[slot] = index;
    this.line[slot] = line;
    this.endLine[slot] = line;
    this.tcpLine[slot] = line;
    return slot;
  }
}

/**
 * What commonLine.ts read of a line, for TraceRecord.common, by these slots (-1: the field is absent;
 * spans as start and end, the end in the slot after). Typed, so that the numbers reach the columns
 * unboxed and without a call per field: V8 stops inlining into one function after a budget of code,
 * and each setter it calls instead boxes its number.
 */
export const Common = {
  TIME: 0,
  TIME_END: 1,
  FLAGS: 2,
  FLAGS_START: 3,
  FLAGS_END: 4,
  SEQ: 5,
  SEQ_END: 6,
  SEQ_START: 7,
  SEQ_STOP: 8,
  ACK: 9,
  ACK_START: 10,
  ACK_STOP: 11,
  WIN: 12,
  WIN_START: 13,
  WIN_STOP: 14,
  OPTIONS_START: 15,
  OPTIONS_STOP: 16,
  LENGTH: 17,
  LENGTH_START: 18,
  LENGTH_STOP: 19,
  SRC_START: 20,
  SRC_END: 21,
  DST_START: 22,
  DST_END: 23,
  /** The time's kind, as the timeKind column codes it: CLOCK_TIME or DATETIME_TIME. */
  TIME_KIND: 24,
  SLOTS: 25,
} as const;
export const commonFields = new Float64Array(Common.SLOTS);

/**
 * Writes slot `slot` of `store` (record on `line`), a TCP line in tcpdump's modern form with a clock
 * time, from its fields at `o` of `v` (by Common's slots: commonFields as commonLine.ts read them, or
 * a row of the WebAssembly reader's); `src`, `dst`, `tuple` and `af` from its known head,
 * `lineLength` the line's length, `optionsOpen` the column of its option list's '[' (-1: none) and
 * `text` the line, which a store that keeps no lines keeps for the list (see setOptionSourceAt).
 * Written as the general reader's setters would, a column at a time.
 */
export function writeCommon(
  store: RecordStore,
  slot: number,
  line: number,
  v: Float64Array,
  o: number,
  src: Endpoint,
  dst: Endpoint,
  tuple: number,
  af: 4 | 6,
  lineLength: number,
  optionsOpen: number,
  text: string | undefined,
): void {
  setEndpointsAt(store, slot, src, dst, tuple);
  store.kind[slot] = TCP_KIND;
  store.timeKind[slot] = v[o + Common.TIME_KIND]!;
  store.format[slot] = MODERN_FORMAT;
  store.af[slot] = af;
  store.flags[slot] = v[o + Common.FLAGS]! + 1;
  let present = TIME_VALUE | LENGTH;
  store.timeValue[slot] = v[o + Common.TIME]!;
  store.length[slot] = v[o + Common.LENGTH]!;
  // Every span is inside the line.
  store.fitSpan(lineLength);
  const spans = store.spans;
  const at = slot * SPAN_COLUMNS;
  spans[at + TIME_S] = 1;
  spans[at + TIME_S + 1] = v[o + Common.TIME_END]! + 1;
  spans[at + SRC_S] = v[o + Common.SRC_START]! + 1;
  spans[at + SRC_E] = v[o + Common.SRC_END]! + 1;
  spans[at + DST_S] = v[o + Common.DST_START]! + 1;
  spans[at + DST_E] = v[o + Common.DST_END]! + 1;
  spans[at + FLAGS_S] = v[o + Common.FLAGS_START]! + 1;
  spans[at + FLAGS_S + 1] = v[o + Common.FLAGS_END]! + 1;
  spans[at + LENGTH_S] = v[o + Common.LENGTH_START]! + 1;
  spans[at + LENGTH_S + 1] = v[o + Common.LENGTH_STOP]! + 1;
  if (v[o + Common.SEQ]! >= 0) {
    present |= SEQ;
    store.seq[slot] = v[o + Common.SEQ]!;
    if (v[o + Common.SEQ_END]! >= 0) {
      present |= SEQ_END;
      store.seqEnd[slot] = v[o + Common.SEQ_END]!;
    }
    spans[at + SEQ_S] = v[o + Common.SEQ_START]! + 1;
    spans[at + SEQ_S + 1] = v[o + Common.SEQ_STOP]! + 1;
  }
  if (v[o + Common.ACK]! >= 0) {
    present |= ACK_N;
    store.ack[slot] = v[o + Common.ACK]!;
    spans[at + ACK_S] = v[o + Common.ACK_START]! + 1;
    spans[at + ACK_S + 1] = v[o + Common.ACK_STOP]! + 1;
  }
  if (v[o + Common.WIN]! >= 0) {
    present |= WIN;
    store.win[slot] = v[o + Common.WIN]!;
    spans[at + WIN_S] = v[o + Common.WIN_START]! + 1;
    spans[at + WIN_S + 1] = v[o + Common.WIN_STOP]! + 1;
  }
  store.present[slot] = present;
  if (optionsOpen >= 0) {
    setOptionSourceAt(store, slot, text, optionsOpen, line);
    spans[at + OPTIONS_S] = v[o + Common.OPTIONS_START]! + 1;
    spans[at + OPTIONS_S + 1] = v[o + Common.OPTIONS_STOP]! + 1;
  }
}

/** TraceRecord.setEndpoints for slot `slot` of `store`. */
function setEndpointsAt(store: RecordStore, slot: number, src: Endpoint, dst: Endpoint, tuple: number): void {
  store.tuple[slot] = tuple + 1;
  store.side[slot] = src.id <= dst.id ? FROM_LOWER : FROM_HIGHER;
}

/** TraceRecord.setOptionSource for slot `slot` of `store`. */
function setOptionSourceAt(
  store: RecordStore,
  slot: number,
  text: string | undefined,
  open: number,
  line: number,
): void {
  // Where the store keeps its lines, `text` is its line `line` (the reader reads the store's lines),
  // and the list is found there again: a store without lines keeps the text (which its reader
  // gives).
  if (!store.lines) store.rare.optionText[slot] = text;
  else if (slot < store.rare.optionText.length) store.rare.optionText[slot] = undefined;
  store.optionOpen[slot] = open + 1;
  store.optionLine[slot] = line;
  // Forget a list parsed before (a slot past the end has none).
  const lists = store.rare.options;
  if (slot < lists.length) lists[slot] = undefined;
}

/**
 * What the tracking pass reads of a record (connections.ts, trackRecord), by these slots of
 * trackInputs: the kind's code (KIND_CODE), the 4-tuple's id and the record's side in it (FROM_LOWER
 * or not; -1 and 0 without endpoints), the flag bits (-1: none), the numbers (NaN where absent; SEQ and
 * ACK are the printed ones, SEQ_ABS and ACK_ABS the absolute ones), the index, and `truncated` (-1
 * unknown, 0, 1). The numbering pass (numbering.ts) reads them too.
 */
export const Track = {
  KIND: 0,
  TUPLE: 1,
  SIDE: 2,
  FLAGS: 3,
  LENGTH: 4,
  IP_MISSING: 5,
  SEQ: 6,
  SEQ_ABS: 7,
  ACK_ABS: 8,
  WIN: 9,
  TIME: 10,
  INDEX: 11,
  TRUNCATED: 12,
  ACK: 13,
  SLOTS: 14,
} as const;
export const trackInputs = new Float64Array(Track.SLOTS);

const tri = (v: number): boolean | undefined => (v < 0 ? undefined : v === 1);
const fromTri = (v: boolean | undefined): number => (v === undefined ? -1 : v ? 1 : 0);

/** TraceRecord.readTrackInputs of the record in `slot` of `store`, without a handle on it. */
function readSlotInputs(store: RecordStore, slot: number): void {
  const present = store.present[slot]!;
  const v = trackInputs;
  v[Track.KIND] = store.kind[slot]!;
  v[Track.TUPLE] = store.tuple[slot]! - 1;
  v[Track.SIDE] = store.side[slot]!;
  v[Track.FLAGS] = store.flags[slot]! - 1;
  v[Track.LENGTH] = present & LENGTH ? store.length[slot]! : NaN;
  v[Track.IP_MISSING] = present & IP_MISSING ? store.ipMissing[slot]! : NaN;
  v[Track.SEQ] = present & SEQ ? store.seq[slot]! : NaN;
  // (The absolute numbers read whatever `present` says: the numbering pass reads records before it
  // has written any, and a read that had never run deoptimised its compiled code in the tracking pass.)
  const seqAbs = store.seqAbs[slot]!;
  const ackAbs = store.ackAbs[slot]!;
  v[Track.SEQ_ABS] = present & SEQ_ABS ? seqAbs : NaN;
  v[Track.ACK_ABS] = present & ACK_ABS ? ackAbs : NaN;
  v[Track.WIN] = present & WIN ? store.win[slot]! : NaN;
  v[Track.TIME] = present & TIME ? store.time[slot]! : NaN;
  v[Track.INDEX] = store.index[slot]!;
  v[Track.TRUNCATED] = store.truncated[slot]! - 1;
  v[Track.ACK] = present & ACK_N ? store.ack[slot]! : NaN;
}

/**
 * What the numbering pass (numbering.ts) writes of the record in `slot` of `store`: whether its
 * numbers were printed relative (unless undefined), and its absolute seq, absolute ack and SACK base,
 * each unless NaN. Column by column, as the setters would.
 */
function writeSlotNumbers(
  store: RecordStore,
  slot: number,
  relative: boolean | undefined,
  seqAbs: number,
  ackAbs: number,
  sackBase: number,
): void {
  if (relative !== undefined) store.printedRelative[slot] = relative ? 2 : 1;
  let present = store.present[slot]!;
  if (seqAbs === seqAbs) {
    store.seqAbs[slot] = seqAbs;
    present |= SEQ_ABS;
  }
  if (ackAbs === ackAbs) {
    store.ackAbs[slot] = ackAbs;
    present |= ACK_ABS;
  }
  store.present[slot] = present;
  if (sackBase === sackBase) store.sackBase[slot] = sackBase;
}

export class TraceRecord implements PacketRecord {
  // A large trace has hundreds of thousands of records, and each handle that lives as long as the
  // analysis is copied by the garbage collector's young generation before it settles: so a handle is
  // just its store and its slot (an index into every column of the store), and everything else,
  // references included, is found from there. The fields are `declare`d and set by the constructor
  // alone: class field definitions would first define each as undefined, then set it again.
  declare private readonly store: RecordStore;
  declare private readonly slot: number;

  /** The handle on the record in `slot` of `store` (see create for a new one). */
  constructor(store: RecordStore, slot: number) {
    this.store = store;
    this.slot = slot;
  }

  /** A new record `index` on `line`, in a new slot of `store` (by default a store of its own). */
  static create(index: number, line: number, store: RecordStore = new RecordStore(1)): TraceRecord {
    return new TraceRecord(store, store.add(index, line));
  }

  /**
   * Record `index` of `store`, a TCP line on `line` in tcpdump's modern form with a clock time, as
   * commonLine.ts read it into `commonFields` (see writeCommon).
   */
  static common(
    store: RecordStore,
    index: number,
    line: number,
    src: Endpoint,
    dst: Endpoint,
    tuple: number,
    af: 4 | 6,
    lineLength: number,
    optionsOpen: number,
    text?: string,
  ): TraceRecord {
    const slot = store.add(index, line);
    writeCommon(store, slot, line, commonFields, 0, src, dst, tuple, af, lineLength, optionsOpen, text);
    return new TraceRecord(store, slot);
  }

  /**
   * Reads into trackInputs what the tracking pass needs of this record, in one call: read getter by
   * getter, from a function as long as the tracking pass's, V8 left many of them calls, each number
   * they returned boxed.
   */
  readTrackInputs(): void {
    readSlotInputs(this.store, this.slot);
  }

  /** See writeSlotNumbers: what the numbering pass writes of this record. */
  writeNumbers(relative: boolean | undefined, seqAbs: number, ackAbs: number, sackBase: number): void {
    writeSlotNumbers(this.store, this.slot, relative, seqAbs, ackAbs, sackBase);
  }

  // The accessors below are kept small, so that V8 inlines them into the parser's and the analysis'
  // hot loops (a call each would cost more than the access).

  /** Number column `column` (with its `present` bit), or undefined where it holds none. */
  private num(column: NumberColumn, bit: number): number | undefined {
    return optionalNumber(this.store.present, column, this.slot, bit);
  }
  private setNum(column: NumberColumn, bit: number, v: number | undefined): void {
    setOptionalNumber(this.store.present, column, this.slot, bit, v);
  }
  /** A span column (stored plus one). */
  private opt(k: number): number {
    return this.store.spans[this.slot * SPAN_COLUMNS + k]! - 1;
  }
  private setOpt(k: number, v: number): void {
    this.store.fitSpan(v);
    this.store.spans[this.slot * SPAN_COLUMNS + k] = v + 1;
  }
  private span(line: number, s: number): Span | undefined {
    const start = this.opt(s);
    return start < 0 ? undefined : { line, start, end: this.opt(s + 1) };
  }
  private setSpan(s: number, span: Span | undefined): void {
    this.setOpt(s, span ? span.start : -1);
    this.setOpt(s + 1, span ? span.end : -1);
  }

  get index(): number {
    return this.store.index[this.slot]!;
  }
  get line(): number {
    return this.store.line[this.slot]!;
  }
  get kind(): RecordKind {
    return KINDS[this.store.kind[this.slot]!]!;
  }
  set kind(v: RecordKind) {
    this.store.kind[this.slot] = code(KINDS, v);
  }
  get endLine(): number {
    return this.store.endLine[this.slot]!;
  }
  set endLine(v: number) {
    this.store.endLine[this.slot] = v;
  }
  get tcpLine(): number {
    return this.store.tcpLine[this.slot]!;
  }
  set tcpLine(v: number) {
    this.store.tcpLine[this.slot] = v;
  }
  get number(): number | undefined {
    return this.num(this.store.number, NUMBER);
  }
  set number(v: number | undefined) {
    this.setNum(this.store.number, NUMBER, v);
  }
  get timeKind(): TimeKind {
    return TIME_KINDS[this.store.timeKind[this.slot]!]!;
  }
  set timeKind(v: TimeKind) {
    this.store.timeKind[this.slot] = code(TIME_KINDS, v);
  }
  get timeValue(): number | undefined {
    return this.num(this.store.timeValue, TIME_VALUE);
  }
  set timeValue(v: number | undefined) {
    this.setNum(this.store.timeValue, TIME_VALUE, v);
  }
  get time(): number | undefined {
    return this.num(this.store.time, TIME);
  }
  set time(v: number | undefined) {
    this.setNum(this.store.time, TIME, v);
  }
  get linkText(): string | undefined {
    return this.store.rare.linkText[this.slot];
  }
  set linkText(v: string | undefined) {
    this.store.rare.linkText[this.slot] = v;
  }
  get af(): 4 | 6 | undefined {
    const v = this.store.af[this.slot];
    return v === 4 || v === 6 ? v : undefined;
  }
  set af(v: 4 | 6 | undefined) {
    this.store.af[this.slot] = v ?? 0;
  }
  get src(): Endpoint | undefined {
    const side = this.store.side[this.slot]!;
    if (side === NO_ENDPOINTS) return undefined;
    return this.store.tuples.endpoint(this.store.tuple[this.slot]! - 1, side === FROM_LOWER ? 0 : 1);
  }
  get dst(): Endpoint | undefined {
    const side = this.store.side[this.slot]!;
    if (side === NO_ENDPOINTS) return undefined;
    return this.store.tuples.endpoint(this.store.tuple[this.slot]! - 1, side === FROM_LOWER ? 1 : 0);
  }
  /** Sets both endpoints; `tuple` is their 4-tuple's id in the store's TupleIds. */
  setEndpoints(src: Endpoint, dst: Endpoint, tuple: number): void {
    setEndpointsAt(this.store, this.slot, src, dst, tuple);
  }
  get tuple(): number | undefined {
    const v = this.store.tuple[this.slot]!;
    return v === 0 ? undefined : v - 1;
  }
  set tuple(v: number | undefined) {
    this.store.tuple[this.slot] = v === undefined ? 0 : v + 1;
  }
  get protocol(): string | undefined {
    return this.store.rare.protocol[this.slot];
  }
  set protocol(v: string | undefined) {
    this.store.rare.protocol[this.slot] = v;
  }
  get format(): 'modern' | 'old' | undefined {
    return FORMATS[this.store.format[this.slot]!];
  }
  set format(v: 'modern' | 'old' | undefined) {
    this.store.format[this.slot] = code(FORMATS, v);
  }
  get flags(): number | undefined {
    const v = this.store.flags[this.slot]! - 1;
    return v < 0 ? undefined : v;
  }
  set flags(v: number | undefined) {
    this.store.flags[this.slot] = v === undefined ? 0 : v + 1;
  }
  get seq(): number | undefined {
    return this.num(this.store.seq, SEQ);
  }
  set seq(v: number | undefined) {
    this.setNum(this.store.seq, SEQ, v);
  }
  get seqEnd(): number | undefined {
    return this.num(this.store.seqEnd, SEQ_END);
  }
  set seqEnd(v: number | undefined) {
    this.setNum(this.store.seqEnd, SEQ_END, v);
  }
  get ack(): number | undefined {
    return this.num(this.store.ack, ACK_N);
  }
  set ack(v: number | undefined) {
    this.setNum(this.store.ack, ACK_N, v);
  }
  get seqAbs(): number | undefined {
    return this.num(this.store.seqAbs, SEQ_ABS);
  }
  set seqAbs(v: number | undefined) {
    this.setNum(this.store.seqAbs, SEQ_ABS, v);
  }
  get ackAbs(): number | undefined {
    return this.num(this.store.ackAbs, ACK_ABS);
  }
  set ackAbs(v: number | undefined) {
    this.setNum(this.store.ackAbs, ACK_ABS, v);
  }
  get printedRelative(): boolean | undefined {
    return tri(this.store.printedRelative[this.slot]! - 1);
  }
  set printedRelative(v: boolean | undefined) {
    this.store.printedRelative[this.slot] = fromTri(v) + 1;
  }
  get win(): number | undefined {
    return this.num(this.store.win, WIN);
  }
  set win(v: number | undefined) {
    this.setNum(this.store.win, WIN, v);
  }
  get urg(): number | undefined {
    return this.num(this.store.urg, URG);
  }
  set urg(v: number | undefined) {
    this.setNum(this.store.urg, URG, v);
  }
  get length(): number | undefined {
    return this.num(this.store.length, LENGTH);
  }
  set length(v: number | undefined) {
    this.setNum(this.store.length, LENGTH, v);
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
    return this.num(this.store.ipId, IP_ID);
  }
  set ipId(v: number | undefined) {
    this.setNum(this.store.ipId, IP_ID, v);
  }
  get ipMissingBytes(): number | undefined {
    return this.num(this.store.ipMissing, IP_MISSING);
  }
  set ipMissingBytes(v: number | undefined) {
    this.setNum(this.store.ipMissing, IP_MISSING, v);
  }
  get truncated(): boolean | undefined {
    return tri(this.store.truncated[this.slot]! - 1);
  }
  set truncated(v: boolean | undefined) {
    this.store.truncated[this.slot] = fromTri(v) + 1;
  }
  get annotations(): Array<{ text: string; line: number }> {
    return this.store.rare.annotations[this.slot] ?? NO_ANNOTATIONS;
  }
  set annotations(v: Array<{ text: string; line: number }>) {
    this.store.rare.annotations[this.slot] = v.length ? v : undefined;
  }
  get dump(): 'hex' | 'ascii' | 'text' | undefined {
    return DUMPS[this.store.dump[this.slot]!];
  }
  set dump(v: 'hex' | 'ascii' | 'text' | undefined) {
    this.store.dump[this.slot] = code(DUMPS, v);
  }
  /** The base that turns printed SACK edges into absolute ones (set by numbering). */
  get sackBase(): number {
    return this.store.sackBase[this.slot]!;
  }
  set sackBase(v: number) {
    this.store.sackBase[this.slot] = v;
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
    this.store.fitSpan(Math.max(start, end));
    const spans = this.store.spans;
    const at = this.slot * SPAN_COLUMNS + field;
    spans[at] = start + 1;
    spans[at + 1] = end + 1;
  }

  /** Sets the columns of both endpoints (on the TCP line). */
  setEndpointColumns(srcStart: number, srcEnd: number, dstStart: number, dstEnd: number): void {
    this.setOpt(SRC_S, srcStart);
    this.setOpt(SRC_E, srcEnd);
    this.setOpt(DST_S, dstStart);
    this.setOpt(DST_E, dstEnd);
  }

  private get optionOpen(): number {
    return this.store.optionOpen[this.slot]! - 1;
  }

  /**
   * Remembers an option list whose opening bracket is at `open` of `text`, line `line` (the record's
   * TCP line).
   */
  setOptionSource(text: string | undefined, open: number, line: number): void {
    setOptionSourceAt(this.store, this.slot, text, open, line);
  }

  /** The text the option list is in, when there is one. */
  private get optionText(): string | undefined {
    const store = this.store;
    if (store.optionOpen[this.slot] === 0) return undefined;
    return store.rare.optionText[this.slot] ?? store.lines?.at(store.optionLine[this.slot]!);
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
   * optionSignature's text (seqInference.ts) read from the line without building the list;
   * undefined when the list is built already or needs building (MPTCP).
   */
  optionSignature(): string | undefined {
    if (this.store.rare.options[this.slot]) return undefined;
    const text = this.optionText;
    return text === undefined ? '' : optionKindSignature(text, this.optionOpen);
  }

  /** Makes this record number `index`, `lineDelta` lines down (records were put in or taken away above). */
  moveTo(index: number, lineDelta: number): void {
    this.store.index[this.slot] = index;
    if (lineDelta !== 0) this.moveLines(lineDelta);
  }

  /**
   * Moves the record `delta` lines down (lines added or taken away above it): its lines, the spans on
   * them and its annotations. Its option list is still found where it was read (a store's `lines`
   * are the text its records were read from), and is parsed again for its new spans.
   */
  moveLines(delta: number): void {
    const store = this.store;
    const slot = this.slot;
    store.line[slot] = store.line[slot]! + delta;
    store.endLine[slot] = store.endLine[slot]! + delta;
    store.tcpLine[slot] = store.tcpLine[slot]! + delta;
    const rare = store.rare;
    const notes = rare.annotations[slot];
    if (notes) rare.annotations[slot] = notes.map((a) => ({ text: a.text, line: a.line + delta }));
    const cksum = rare.cksum[slot];
    if (cksum) rare.cksum[slot] = { ...cksum, span: { ...cksum.span, line: cksum.span.line + delta } };
    if (slot < rare.options.length) rare.options[slot] = undefined;
  }

  /** Whether the option list names this keyword (cheap: no parse). */
  hasOption(keyword: string): boolean {
    return this.optionText !== undefined && this.optionText.indexOf(keyword, this.optionOpen) >= 0;
  }

  /**
   * Whether `other` is this record: a handle on the same slot of the same store (handles are made
   * when asked for, so two may stand for one record; a record read again after an edit is in a store
   * of its own).
   */
  is(other: PacketRecord | undefined): boolean {
    return other instanceof TraceRecord && other.store === this.store && other.slot === this.slot;
  }

  /** Appends this record to `list` (which keeps records as their slots). */
  appendTo(list: RecordSlots): void {
    list.push(this.slot);
  }
}

/**
 * The records a reader read, by index from 0, as slots of its store: a handle is made each time a
 * record is asked for. One kept per record, the bench trace's 604 345 handles lived as long as the
 * analysis, and the garbage collector copied each twice before it settled (about 60 ms of the CLI's
 * run, measured by keeping as many more). A list is complete once its reader has ended: copies made
 * after that (with, subset) share its slots.
 */
export class RecordSlots implements RecordList {
  private slots: Int32Array;
  length = 0;
  /** Records read again after an edit (see with), by index: each in a store of its own. */
  private replaced: Map<number, TraceRecord> | undefined;
  /** The array of every record, once asked for (see array). */
  private handles: TraceRecord[] | undefined;

  /** `expected`: about how many records will come (a capacity hint, not a limit). */
  constructor(
    private readonly store: RecordStore,
    expected = 16,
  ) {
    this.slots = newColumn(Int32Array, Math.max(16, expected));
  }

  push(slot: number): void {
    if (this.length === this.slots.length) this.slots = grown(this.slots, this.length * 2);
    this.slots[this.length++] = slot;
  }

  at(index: number): TraceRecord | undefined {
    if (!(index >= 0 && index < this.length)) return undefined;
    return this.replaced?.get(index) ?? new TraceRecord(this.store, this.slots[index]!);
  }

  /**
   * TraceRecord.readTrackInputs of record `index`, without a handle on it: the tracking passes read
   * every record of a large trace, most of them only so.
   */
  readTrackInputs(index: number): void {
    const record = this.replaced?.get(index);
    if (record) record.readTrackInputs();
    else readSlotInputs(this.store, this.slots[index]!);
  }

  /** The code (in TIME_KINDS) of record `index`'s kind of time, without a handle on it. */
  timeKindAt(index: number): number {
    const record = this.replaced?.get(index);
    return record ? code(TIME_KINDS, record.timeKind) : this.store.timeKind[this.slots[index]!]!;
  }

  /** Record `index`'s time as printed (NaN: none), without a handle on it. */
  timeValueAt(index: number): number {
    const record = this.replaced?.get(index);
    if (record) return record.timeValue ?? NaN;
    const slot = this.slots[index]!;
    return this.store.present[slot]! & TIME_VALUE ? this.store.timeValue[slot]! : NaN;
  }

  /** Sets record `index`'s time on the trace's time axis, without a handle on it. */
  setTimeAt(index: number, time: number): void {
    const record = this.replaced?.get(index);
    if (record) {
      record.time = time;
      return;
    }
    const slot = this.slots[index]!;
    this.store.time[slot] = time;
    this.store.present[slot] = this.store.present[slot]! | TIME;
  }

  /** TraceRecord.writeNumbers of record `index`, without a handle on it. */
  writeNumbers(
    index: number,
    relative: boolean | undefined,
    seqAbs: number,
    ackAbs: number,
    sackBase: number,
  ): void {
    const record = this.replaced?.get(index);
    if (record) record.writeNumbers(relative, seqAbs, ackAbs, sackBase);
    else writeSlotNumbers(this.store, this.slots[index]!, relative, seqAbs, ackAbs, sackBase);
  }

  /**
   * Every record, as an array of handles: made once, when first asked for (the editor's features
   * read it; the analysis and the CLI do not).
   */
  array(): TraceRecord[] {
    if (!this.handles) {
      const out = new Array<TraceRecord>(this.length);
      for (let i = 0; i < this.length; i++) out[i] = this.at(i)!;
      this.handles = out;
    }
    return this.handles;
  }

  /**
   * A copy in which record `index` is `record` (the record read again after an edit). Its array is
   * this one's, copied with the record replaced, if this one has made its array already.
   */
  with(index: number, record: TraceRecord): RecordSlots {
    const replaced = new Map(this.replaced);
    replaced.set(index, record);
    const copy = this.sharing(this.slots, this.length, replaced);
    if (this.handles) {
      copy.handles = this.handles.slice();
      copy.handles[index] = record;
    }
    return copy;
  }

  /**
   * A copy with `records` after this one's, as records `length`, `length + 1`, ... (each with that
   * index, read into a store of its own, as records read again after an edit are).
   */
  appended(records: readonly TraceRecord[]): RecordSlots {
    const replaced = new Map(this.replaced);
    records.forEach((r, k) => replaced.set(this.length + k, r));
    return this.sharing(this.slots, this.length + records.length, replaced);
  }

  /**
   * A copy with `removed` records from `at` on taken away and `records` put in there (each with its
   * index, read into a store of its own, as records read again after an edit are). The records after
   * them keep their handles: the caller numbers them again (TraceRecord.moveTo).
   */
  spliced(at: number, removed: number, records: readonly TraceRecord[]): RecordSlots {
    const delta = records.length - removed;
    const length = this.length + delta;
    const slots = new Int32Array(Math.max(16, length));
    slots.set(this.slots.subarray(0, at));
    slots.set(this.slots.subarray(at + removed, this.length), at + records.length);
    const replaced = new Map<number, TraceRecord>();
    for (const [i, r] of this.replaced ?? []) {
      if (i < at) replaced.set(i, r);
      else if (i >= at + removed) replaced.set(i + delta, r);
    }
    records.forEach((r, k) => replaced.set(at + k, r));
    return this.sharing(slots, length, replaced);
  }

  /** The first `length` records (at most this list's), as a list of their own. */
  truncated(length: number): RecordSlots {
    let replaced: Map<number, TraceRecord> | undefined;
    for (const [i, r] of this.replaced ?? []) if (i < length) (replaced ??= new Map()).set(i, r);
    return this.sharing(this.slots, Math.min(length, this.length), replaced);
  }

  /** The records at `indexes` (increasing, each below length), in that order, as a list of their own. */
  subset(indexes: readonly number[]): RecordSlots {
    const slots = new Int32Array(Math.max(16, indexes.length));
    for (let k = 0; k < indexes.length; k++) slots[k] = this.slots[indexes[k]!]!;
    // The few replaced records found by binary search, not a lookup for each index (a 4-tuple of
    // 100 000 records at every keystroke).
    let replaced: Map<number, TraceRecord> | undefined;
    for (const [i, r] of this.replaced ?? []) {
      const k = lowerBound(indexes.length, (at) => indexes[at]!, i);
      if (indexes[k] === i) (replaced ??= new Map()).set(k, r);
    }
    return this.sharing(slots, indexes.length, replaced);
  }

  private sharing(
    slots: Int32Array,
    length: number,
    replaced: Map<number, TraceRecord> | undefined,
  ): RecordSlots {
    const list = new RecordSlots(this.store, 0);
    list.slots = slots;
    list.length = length;
    list.replaced = replaced;
    return list;
  }
}

/**
 * Reads into trackInputs what the tracking and numbering passes need of the record at `position` of
 * `records`: of a parse's list from its columns, without a handle on it (most records of a large
 * trace are read only so).
 */
export function readTrackInputsAt(records: RecordList, position: number): void {
  if (records instanceof RecordSlots) records.readTrackInputs(position);
  else readTrackInputsOf(records.at(position)!);
}

/**
 * Reads into trackInputs what the tracking and numbering passes need of `r`: a TraceRecord (every
 * record a parse makes) from its columns at once, any other PacketRecord field by field.
 */
export function readTrackInputsOf(r: PacketRecord): void {
  if (r instanceof TraceRecord) {
    r.readTrackInputs();
    return;
  }
  const v = trackInputs;
  v[Track.KIND] = kindCode(r.kind);
  v[Track.TUPLE] = r.tuple ?? -1;
  v[Track.SIDE] = r.src && r.dst ? (r.src.id <= r.dst.id ? FROM_LOWER : FROM_HIGHER) : 0;
  v[Track.FLAGS] = r.flags ?? -1;
  v[Track.LENGTH] = r.length ?? NaN;
  v[Track.IP_MISSING] = r.ipMissingBytes ?? NaN;
  v[Track.SEQ] = r.seq ?? NaN;
  v[Track.SEQ_ABS] = r.seqAbs ?? NaN;
  v[Track.ACK_ABS] = r.ackAbs ?? NaN;
  v[Track.WIN] = r.win ?? NaN;
  v[Track.TIME] = r.time ?? NaN;
  v[Track.INDEX] = r.index;
  v[Track.TRUNCATED] = r.truncated === undefined ? -1 : r.truncated ? 1 : 0;
  v[Track.ACK] = r.ack ?? NaN;
}

/**
 * Writes what the numbering pass finds of the record at `position` of `records` (see
 * writeSlotNumbers): of a parse's list to its columns, without a handle on it.
 */
export function writeNumbersAt(
  records: RecordList,
  position: number,
  relative: boolean | undefined,
  seqAbs: number,
  ackAbs: number,
  sackBase: number,
): void {
  if (records instanceof RecordSlots) {
    records.writeNumbers(position, relative, seqAbs, ackAbs, sackBase);
    return;
  }
  const r = records.at(position)!;
  if (r instanceof TraceRecord) {
    r.writeNumbers(relative, seqAbs, ackAbs, sackBase);
    return;
  }
  // (Another kind of record keeps no SACK base: its options' edges are its own.)
  if (relative !== undefined) r.printedRelative = relative;
  if (seqAbs === seqAbs) r.seqAbs = seqAbs;
  if (ackAbs === ackAbs) r.ackAbs = ackAbs;
}

/** RecordSlots.timeKindAt for any list of records. */
export function timeKindAt(records: RecordList, position: number): number {
  return records instanceof RecordSlots
    ? records.timeKindAt(position)
    : code(TIME_KINDS, records.at(position)!.timeKind);
}

/** RecordSlots.timeValueAt for any list of records. */
export function timeValueAt(records: RecordList, position: number): number {
  return records instanceof RecordSlots
    ? records.timeValueAt(position)
    : (records.at(position)!.timeValue ?? NaN);
}

/** RecordSlots.setTimeAt for any list of records. */
export function setTimeAt(records: RecordList, position: number, time: number): void {
  if (records instanceof RecordSlots) records.setTimeAt(position, time);
  else records.at(position)!.time = time;
}
