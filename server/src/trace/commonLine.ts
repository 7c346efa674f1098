/**
 * The line most of a large trace is made of, read in one flat pass: tcpdump's default output with a
 * clock time, `HH:MM:SS.frac IP SRC > DST: Flags [..], seq A[:B], ack N, win N, options [..],
 * length N`, whose head (`IP SRC > DST`) the file has had before. The general reader (parser.ts and
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
  FLAG_BITS,
  MAX_HEAD_LENGTH,
  MAX_U32,
  commonFieldAt,
  knownHead,
} from './packetLine';
import { Common, TraceRecord, commonFields, type RecordStore } from './record';
import { fractionSeconds, twoDigits } from './timestamp';

/**
 * `minLines`: from how many lines on a file is read with the flat reader. V8 compiles the reader (a
 * large function: about 30 ms on another thread) before it pays off. On a 100 000-line trace, with
 * another process busy, parse was 13 ms slower with it; on the bench trace's 604 345 lines, 141 ms
 * faster. For tests: `minLines` 0 reads every whole file with it, `enabled` off never; `taken` counts
 * the lines read here.
 */
export const commonLineTuning = { enabled: true, minLines: 150_000, taken: 0 };

/** Where the last readDigits call stopped. */
let digitsEnd = 0;

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
  // The clock (timestamp.ts, readClock): HH:MM:SS, then a fraction of 1 to 10 digits and a space.
  if (s.charCodeAt(base + 2) !== 58 || s.charCodeAt(base + 5) !== 58 || s.charCodeAt(base + 8) !== 46)
    return undefined;
  const h = twoDigits(s, base);
  const m = twoDigits(s, base + 3);
  const sec = twoDigits(s, base + 6);
  if (h < 0 || m < 0 || sec < 0) return undefined;
  let fraction = 0;
  let k = 9;
  for (; k < n; k++) {
    const d = s.charCodeAt(base + k) - 48;
    if (d < 0 || d > 9) break;
    fraction = fraction * 10 + d;
  }
  const digits = k - 9;
  if (digits < 1 || digits > 10 || s.charCodeAt(base + k) !== 32) return undefined;
  const timeEnd = k;
  const time = h * 3600 + m * 60 + sec + fractionSeconds(fraction, digits);
  // `IP ` and an address: no marker after the time, no `-i any` interface (whose direction word
  // starts with a capital letter where an address has a digit).
  const body = k + 1;
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
  const known = knownHead(text.slice(body, flagsAt));
  if (!known) return undefined;
  // The flags (parseModernTcp): known letters between `[` and `]`.
  const open = flagsAt + 8;
  const close = text.indexOf(']', open + 1);
  if (close < 0 || close - open > 12) return undefined;
  let flags = 0;
  for (let j = open + 1; j < close; j++) {
    const c = s.charCodeAt(base + j);
    const bit = c < 128 ? FLAG_BITS[c]! : 0;
    if (bit === 0) return undefined;
    flags |= bit;
  }
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
      // A list that nests nothing: it ends at its first ']', with no '[' or '{' before it
      // (tcpOptions.ts, optionListClose).
      if (s.charCodeAt(base + value) !== 91) return undefined;
      const end = text.indexOf(']', value + 1);
      if (end < 0) return undefined;
      for (let j = value + 1; j < end; j++) {
        const d = s.charCodeAt(base + j);
        if (d === 91 || d === 123) return undefined;
      }
      optionsOpen = value;
      f[Common.OPTIONS_START] = i + 2;
      f[Common.OPTIONS_STOP] = end + 1;
      i = end + 1;
      continue;
    }
    const v = readDigits(s, base, value, n);
    if (v < 0) return undefined;
    i = digitsEnd;
    if (field === FIELD_SEQ) {
      f[Common.SEQ] = v;
      f[Common.SEQ_START] = value;
      if (s.charCodeAt(base + i) === 58) {
        const end = readDigits(s, base, i + 1, n);
        if (end < 0) return undefined;
        f[Common.SEQ_END] = end;
        i = digitsEnd;
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
    text,
    optionsOpen,
  );
}

/**
 * The number whose digits start at column `from` (of a line `n` long, at `base` of `s`), its end in
 * `digitsEnd`; -1 when there are none, or it does not fit in 32 bits (as the general reader's u32).
 */
function readDigits(s: string, base: number, from: number, n: number): number {
  let j = from;
  // -0, not 0: V8 then computes in floating point from the first digit on. Starting from an integer,
  // its compiled code would assume integers until the first seq past 2^31, then be thrown away and
  // compiled again, the whole flat reader with it (20 ms uncompiled, on a 100 000-line trace).
  let value = -0;
  for (; j < n; j++) {
    const d = s.charCodeAt(base + j) - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  digitsEnd = j;
  return j === from || j - from > 15 || value > MAX_U32 ? -1 : value;
}
