/**
 * The line most of a large trace is made of, read in one flat pass: tcpdump's default output with a
 * clock time (or -tttt's date and time), `HH:MM:SS.frac IP SRC > DST: Flags [..], seq A[:B], ack N,
 * win N, options [..], length N`, whose head (`IP SRC > DST`) the file has had before; in an -A dump
 * too, where the reader leaves it lines that are payload. The general reader (parser.ts and
 * packetLine.ts) goes through a line prefix, a network part, a TCP part and a loop over the fields by
 * name, each a function of its own with state between them; one function with its state in locals
 * reads such a line faster (parse of the bench trace's 604 345 lines: 962 -> 821 ms). Anything
 * else, and anything it would have to report, it leaves to the general reader with nothing written:
 * a test reads every corpus file both ways and compares every record.
 */
import {
  COMMON_NAME_LENGTH,
  FIELD_ACK,
  FIELD_OPTIONS,
  FIELD_SEQ,
  FIELD_UNKNOWN,
  FIELD_WIN,
  MAX_HEAD_LENGTH,
  MAX_U32,
  commonFieldAt,
  knownHead,
  learnHead,
  modernFlagBits,
  type KnownHead,
  numberEnd,
  readNumber,
} from './packetLine';
import {
  CLOCK_TIME,
  Common,
  DATETIME_TIME,
  TraceRecord,
  commonFields,
  writeCommon,
  type LineList,
  type RecordStore,
} from './record';
import { Scanned } from './commonLineScanner';
import { optionListClose } from './tcpOptions';
import { clockEnd, readStamp, stampKind } from './timestamp';

/**
 * `minLines`: from how many lines on a file is read with the flat reader. V8 compiles the reader (a
 * large function, on another thread) before it pays off. Parse in a fresh process, best and median of
 * 11 runs, general reader -> flat: 5 000 lines 31/41 -> 34/37 ms, 20 000 lines 63/65 -> 59/64, the
 * bench's 100 000 146/151 -> 126/136 (its whole analysis 368/378 -> 359/372). For tests: `minLines` 0
 * reads every whole file with it, `enabled` off never; `taken` counts the lines read here. `enabled`
 * switches the one-pass reading of a -v IPv4 header line (packetLine.ts, verboseTcpHeader) too, whose
 * lines `headers` counts.
 */
export const commonLineTuning = {
  enabled: true,
  minLines: 20_000,
  taken: 0,
  headers: 0,
  /** Whether the WebAssembly reader (commonLineScanner.ts) reads lines first; `scanned` counts them. */
  wasm: true,
  scanned: 0,
};

/**
 * Line `line` (`text`, its characters also at `base` of `source`) as record `index` of `store`, when
 * it is the common line; undefined, with nothing written, when it is not.
 */
export function readCommonLine(
  text: string,
  line: number,
  source: string,
  base: number,
  store: RecordStore,
  index: number,
): TraceRecord | undefined {
  const s = source;
  const n = text.length;
  if (n < 24) return undefined;
  // The clock at the start of the line (or -tttt's date and clock), and a space.
  const time = readStamp(text, 0, s, base);
  const timeKind = stampKind === 'clock' ? CLOCK_TIME : DATETIME_TIME;
  const timeEnd = clockEnd;
  if (time < 0 || s.charCodeAt(base + timeEnd) !== 32) return undefined;
  // `IP ` and an address: no marker after the time, no `-i any` interface (whose direction word
  // starts with a capital letter where an address has a digit).
  const body = timeEnd + 1;
  if (
    s.charCodeAt(base + body) !== 73 ||
    s.charCodeAt(base + body + 1) !== 80 ||
    s.charCodeAt(base + body + 2) !== 32
  )
    return undefined;
  const first = s.charCodeAt(base + body + 3);
  if (first === 32 || (first >= 65 && first <= 90)) return undefined;
  // The head, as the general reader looks it up (packetLine.ts, parseNetworkPart).
  const flagsAt = text.indexOf(': Flags [', body);
  if (flagsAt < 0 || flagsAt - body > MAX_HEAD_LENGTH) return undefined;
  const known = knownHead(text.slice(body, flagsAt)) ?? learnHead(text, body, flagsAt);
  if (!known) return undefined;
  // The flags (parseModernTcp): known letters between `[` and `]`.
  const open = flagsAt + 8;
  const close = text.indexOf(']', open + 1);
  if (close < 0 || close - open > 12) return undefined;
  const flags = modernFlagBits(open + 1, close, s, base);
  if (flags < 0) return undefined;
  // The fields, each at most once and in tcpdump's order, the length last on the line; into
  // commonFields, for TraceRecord.common.
  const f = commonFields;
  f[Common.SEQ] = -1;
  f[Common.SEQ_END] = -1;
  f[Common.ACK] = -1;
  f[Common.WIN] = -1;
  let optionsOpen = -1;
  let length = -1;
  let last = 0;
  let i = close + 1;
  while (i < n) {
    const at = base + i;
    if (s.charCodeAt(at) !== 44 || s.charCodeAt(at + 1) !== 32) return undefined;
    const field = commonFieldAt(s, at + 2);
    const value = i + 2 + COMMON_NAME_LENGTH[field]!;
    if (field === FIELD_UNKNOWN || field <= last) return undefined;
    last = field;
    if (field === FIELD_OPTIONS) {
      // An unclosed list is a header cut short: the general reader's.
      if (s.charCodeAt(base + value) !== 91) return undefined;
      const end = optionListClose(text, value);
      if (end < 0) return undefined;
      optionsOpen = value;
      f[Common.OPTIONS_START] = i + 2;
      f[Common.OPTIONS_STOP] = end;
      i = end;
      continue;
    }
    // A number of 32 bits (readNumber gives NaN for none, and more than 2^32 for over 15 digits).
    const v = readNumber(text, value, s, base);
    if (!(v <= MAX_U32)) return undefined;
    i = numberEnd;
    if (field === FIELD_SEQ) {
      f[Common.SEQ] = v;
      f[Common.SEQ_START] = value;
      if (s.charCodeAt(base + i) === 58) {
        const end = readNumber(text, i + 1, s, base);
        if (!(end <= MAX_U32)) return undefined;
        f[Common.SEQ_END] = end;
        i = numberEnd;
      }
      f[Common.SEQ_STOP] = i;
    } else if (field === FIELD_ACK) {
      f[Common.ACK] = v;
      f[Common.ACK_START] = value;
      f[Common.ACK_STOP] = i;
    } else if (field === FIELD_WIN) {
      f[Common.WIN] = v;
      f[Common.WIN_START] = value;
      f[Common.WIN_STOP] = i;
    } else {
      // The length ends the line: a payload summary after it is the general reader's.
      if (v > 0x3ffff || i !== n) return undefined;
      length = v;
      f[Common.LENGTH] = v;
      f[Common.LENGTH_START] = value;
      f[Common.LENGTH_STOP] = n;
    }
  }
  // No length (a header cut short), or seq A:B over other than the length (a problem to report).
  if (length < 0) return undefined;
  const seq = f[Common.SEQ]!;
  const seqEnd = f[Common.SEQ_END]!;
  if (seq >= 0 && seqEnd >= 0 && (seqEnd - seq) >>> 0 !== length >>> 0) return undefined;
  f[Common.TIME] = time;
  f[Common.TIME_KIND] = timeKind;
  f[Common.TIME_END] = timeEnd;
  f[Common.FLAGS] = flags;
  f[Common.FLAGS_START] = flagsAt + 2;
  f[Common.FLAGS_END] = close + 1;
  f[Common.SRC_START] = body + known.start;
  f[Common.SRC_END] = body + known.srcEnd;
  f[Common.DST_START] = body + known.dstStart;
  f[Common.DST_END] = flagsAt;
  commonLineTuning.taken++;
  return TraceRecord.common(
    store,
    index,
    line,
    known.src,
    known.dst,
    known.tuple,
    known.af,
    n,
    optionsOpen,
    text,
  );
}

/**
 * readCommonLine for line `line` of `lines`, which the WebAssembly reader has read
 * (commonLineScanner.ts): record `index`, in a new slot of `store`, written from row `at` of
 * `results`; its head from `heads` by the reader's id for it (read as readCommonLine reads it on the
 * head's first line, the only time the line's text is made). The store keeps `lines` (see
 * RecordReader): the record needs no text of its own. Returns the record's slot; -1, with nothing
 * written, when the head is not one the flat reader takes (readCommonLine then says the same).
 */
export function writeScannedLine(
  lines: LineList,
  line: number,
  results: Float64Array,
  at: number,
  heads: Array<KnownHead | undefined>,
  store: RecordStore,
  index: number,
): number {
  const body = results[at + Scanned.BODY]!;
  const flagsAt = results[at + Scanned.FLAGS_AT]!;
  const id = results[at + Scanned.HEAD]!;
  let known = heads[id];
  if (known === undefined) {
    // Read as readCommonLine reads a head it does not know (a head the general reader has seen
    // before reads the same again: its endpoints and 4-tuple are the table's; the map lookup first
    // cost a hashed copy of every head).
    const text = lines.at(line)!;
    known = learnHead(text, body, flagsAt);
    if (!known) return -1;
    heads[id] = known;
  }
  // The row holds the fields before the head's, as readCommonLine writes them into commonFields
  // (server/wasm/commonLine.ts); the head's and the time's kind go in the slots after.
  results[at + Common.TIME_KIND] = CLOCK_TIME;
  results[at + Common.SRC_START] = body + known.start;
  results[at + Common.SRC_END] = body + known.srcEnd;
  results[at + Common.DST_START] = body + known.dstStart;
  results[at + Common.DST_END] = flagsAt;
  commonLineTuning.taken++;
  commonLineTuning.scanned++;
  const slot = store.add(index, line);
  writeCommon(
    store,
    slot,
    line,
    results,
    at,
    known.src,
    known.dst,
    known.tuple,
    known.af,
    results[at + Scanned.LINE_LENGTH]!,
    results[at + Scanned.OPTIONS_OPEN]!,
    undefined,
  );
  return slot;
}
