/**
 * The prefix of a tcpdump head line: the `-#` packet number, the timestamp in any of tcpdump's `-t`
 * forms, and the `-i any` interface/direction columns.
 */
import { isDigit, readFixedDigits, skipDigits, startsWithMacArrow } from './lineScanner';
import type { TimeKind } from './types';

/**
 * What scanPrefix found. The parser reuses one object for every line of a file (hundreds of thousands
 * of them), so spans are column pairs rather than Span objects, and every field is rewritten per scan.
 */
export class LinePrefix {
  /** `-i any` interface and direction (`lo In`), when printed. */
  interfaceText: string | undefined = undefined;
  /** The `-#` number, when printed, and its columns. */
  number: number | undefined = undefined;
  numberStart = 0;
  numberEnd = 0;
  timeKind: TimeKind = 'none';
  /** The time in seconds (see PacketRecord.timeValue) and its columns, when `timeKind` is not 'none'. */
  timeValue = 0;
  timeStart = 0;
  timeEnd = 0;
  /** Column where the network part starts. */
  bodyStart = 0;
}

/** Seconds from a fraction string of 1-10 digits, kept exact to the nanosecond where it can be. */
function fraction(text: string, from: number, to: number): number {
  if (to <= from) return 0;
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (text.charCodeAt(i) - 48);
  return fractionSeconds(v, to - from);
}

/** The seconds a fraction of `digits` digits (1-10) with the value `v` stands for. */
function fractionSeconds(v: number, digits: number): number {
  // tcpdump prints the raw micro- or nanosecond field; 7-8 digits (or 10) mean an out-of-range count
  // of microseconds (nanoseconds), which 4.99.6 marks "(invalid us)".
  if (digits === 7 || digits === 8) return v / 1e6;
  if (digits === 10) return v / 1e9;
  return v / POWERS_OF_TEN[digits]!;
}

/** 10 ** n for the 1-9 digits of a fraction: a table, as `10 ** n` with a variable n is a slow call. */
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Where readClock reads the characters of the line being scanned: `clockSource` at `clockBase` plus the
 * column. The text of the whole file when the line is a slice of it (faster to read: see lineSource in
 * packetLine.ts), else the line itself at 0. Only columns inside the line are read.
 */
let clockSource = '';
let clockBase = 0;

/** Where the last readClock call ended. */
export let clockEnd = 0;

/**
 * `HH:MM:SS[.frac]` at `i`: the seconds since midnight, and the end column in `clockEnd` (a variable, not
 * a result object: every head line has a clock); -1 when there is no clock. The line's characters are
 * read at `base` of `source` (by default where scanPrefix says).
 */
export function readClock(text: string, i: number, source = clockSource, base = clockBase): number {
  // (Every read is inside the line: reading past its end would make V8 call charCodeAt, not inline it.)
  const n = text.length;
  if (i + 8 > n || source.charCodeAt(base + i + 2) !== 58 || source.charCodeAt(base + i + 5) !== 58)
    return -1;
  const h = twoDigits(source, base + i);
  const m = twoDigits(source, base + i + 3);
  const s = twoDigits(source, base + i + 6);
  if (h < 0 || m < 0 || s < 0) return -1;
  let end = i + 8;
  let value = h * 3600 + m * 60 + s;
  if (end + 1 < n && source.charCodeAt(base + end) === 46) {
    // The fraction, read once for its end and its value.
    let j = end + 1;
    let v = 0;
    for (; j < n; j++) {
      const d = source.charCodeAt(base + j) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    const digits = j - end - 1;
    if (digits > 10) return -1;
    if (digits > 0) {
      value += fractionSeconds(v, digits);
      end = j;
    }
  }
  clockEnd = end;
  return value;
}

/**
 * -tttt's `YYYY-MM-DD HH:MM:SS[.frac]` at `i`: the seconds since the epoch as scanPrefix gives them
 * (the date read as UTC), the end column in `clockEnd`; -1 when there is none. Read as readClock
 * reads, the line's characters at `base` of `source` (the flat reader of the common line's, which
 * must give what scanPrefix gives: commonLine.test.ts).
 */
function readDateClock(text: string, i: number, source: string, base: number): number {
  if (i + 19 > text.length) return -1;
  const at = base + i;
  if (
    source.charCodeAt(at + 4) !== 45 ||
    source.charCodeAt(at + 7) !== 45 ||
    source.charCodeAt(at + 10) !== 32
  )
    return -1;
  const century = twoDigits(source, at);
  const year = twoDigits(source, at + 2);
  const mo = twoDigits(source, at + 5);
  const d = twoDigits(source, at + 8);
  if (century < 0 || year < 0 || mo < 0 || d < 0) return -1;
  const y = century * 100 + year;
  const clock = readClock(text, i + 11, source, base);
  if (clock < 0) return -1;
  if (y !== lastDate.y || mo !== lastDate.mo || d !== lastDate.d) {
    lastDate.y = y;
    lastDate.mo = mo;
    lastDate.d = d;
    lastDate.seconds = Date.UTC(y, mo - 1, d) / 1000;
  }
  return lastDate.seconds + clock;
}

/** The kind of the time the last readStamp call read. */
export let stampKind: 'clock' | 'datetime' = 'clock';

/**
 * A time at `i` as the flat reader of the common line takes it: a clock (readClock), or -tttt's date
 * and clock (readDateClock); its kind in `stampKind`, its end in `clockEnd`; -1 when neither.
 */
export function readStamp(text: string, i: number, source: string, base: number): number {
  const clock = readClock(text, i, source, base);
  stampKind = clock >= 0 ? 'clock' : 'datetime';
  return clock >= 0 ? clock : readDateClock(text, i, source, base);
}

/** The last date readDateClock read, and its seconds since the epoch (most lines share a date). */
const lastDate = { y: -1, mo: -1, d: -1, seconds: 0 };

/** The two digits at `i` (of the line, in `source`) as a number; -1 when they are not two digits. */
function twoDigits(text: string, i: number): number {
  const a = text.charCodeAt(i) - 48;
  const b = text.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** The markers 4.99.6+ prints after an impossible fraction; older versions print a few odd tokens here. */
const TIME_MARKERS = ['(invalid us) ', '(invalid ns) ', '[timestamp overflow] '];
/** The direction column of `-i any`. */
const DIRECTIONS = ['In ', 'Out ', 'B ', 'M ', 'P '];

/**
 * Reads the prefix of a line from column `from` (1 on a first line that starts with a byte order mark)
 * into `out`, which it returns. `timeKind` is 'none' when no timestamp was found. `source` and `base`:
 * where the line's characters can be read faster (the file's text it was sliced from, at the line's
 * start), when there is such a text.
 */
export function scanPrefix(
  text: string,
  from = 0,
  out = new LinePrefix(),
  source = text,
  base = 0,
): LinePrefix {
  clockSource = source;
  clockBase = base;
  out.interfaceText = undefined;
  out.number = undefined;
  out.timeKind = 'none';
  out.timeValue = 0;
  out.bodyStart = from;
  let p = from;
  // -#: a right-aligned number in 5 columns, then two spaces.
  let q = from;
  while (q < text.length && text.charCodeAt(q) === 32) q++;
  const numEnd = skipDigits(text, q);
  if (
    numEnd > q &&
    numEnd - q <= 10 &&
    text.charCodeAt(numEnd) === 32 &&
    text.charCodeAt(numEnd + 1) === 32
  ) {
    out.number = Number(text.slice(q, numEnd));
    out.numberStart = q;
    out.numberEnd = numEnd;
    p = numEnd + 2;
  }
  // Two rare prefixes between the number and the time: `caplen N len N ` (--lengths) and a corrupt
  // record header note. (Their first letters are tested first: most lines start with a digit.)
  if (text.charCodeAt(p) === 99 && text.startsWith('caplen ', p)) {
    const m = /^caplen \d+ len \d+ /.exec(text.slice(p, p + 40));
    if (m) p += m[0].length;
  }
  if (text.charCodeAt(p) === 91 && text.startsWith('[Invalid header', p)) {
    const close = text.indexOf('] ', p);
    if (close > 0 && close - p < 200) p = close + 2;
  }
  return scanTime(text, p, out);
}

/** How far into a line a prefix of another tool's may reach. */
const MAX_FOREIGN_PREFIX = 200;
const scratch = new LinePrefix();

/**
 * The time of a packet line that does not start with it: a trace pasted indented (a Markdown code
 * block, a mail) or with another tool's prefix on each line (a CI log's ISO time, `docker compose`'s
 * `web_1  | `, kubectl's `[pod/web] `, a mail's `> `). tcpdump's time (a clock, with -tttt its date)
 * is the first word that reads as one and is followed by what starts tcpdump's network part (`IP `,
 * `IP6 `, `ARP, ` or an -e MAC address). Without this such a packet still parses (its endpoints are
 * found wherever they are), but has no time; an indented one was a continuation line. Found from the
 * clock's colons, so that a line without one costs a search. True when found (written to `out`);
 * `reach`: how far from `from` the time may start.
 */
export function findDisplacedTime(
  text: string,
  from: number,
  out: LinePrefix,
  reach = MAX_FOREIGN_PREFIX,
): boolean {
  const end = Math.min(text.length, from + reach);
  for (
    let colon = text.indexOf(':', from + 3);
    colon >= 0 && colon < end;
    colon = text.indexOf(':', colon + 1)
  ) {
    // HH:MM:SS.frac after a space.
    const h = colon - 2;
    if (
      text.charCodeAt(colon + 3) !== 58 ||
      text.charCodeAt(colon + 6) !== 46 ||
      text.charCodeAt(h - 1) !== 32 ||
      !isDigit(text.charCodeAt(h)) ||
      !isDigit(text.charCodeAt(h + 1))
    )
      continue;
    // -tttt: YYYY-MM-DD before it.
    const d = h - 11;
    const dated =
      d >= from &&
      text.charCodeAt(h - 4) === 45 &&
      text.charCodeAt(h - 7) === 45 &&
      isDigit(text.charCodeAt(d)) &&
      (d === from || text.charCodeAt(d - 1) === 32);
    scratch.timeKind = 'none';
    scratch.number = undefined;
    scratch.interfaceText = undefined;
    scanTime(text, dated ? d : h, scratch);
    if (scratch.timeKind === 'none' || scratch.timeKind === 'delta') continue;
    const b = scratch.bodyStart;
    const startsBody =
      text.startsWith('IP ', b) ||
      text.startsWith('IP6 ', b) ||
      text.startsWith('ARP, ', b) ||
      startsWithMacArrow(text, b);
    if (!startsBody) continue;
    out.timeKind = scratch.timeKind;
    out.timeValue = scratch.timeValue;
    out.timeStart = scratch.timeStart;
    out.timeEnd = scratch.timeEnd;
    out.interfaceText = scratch.interfaceText;
    out.bodyStart = b;
    return true;
  }
  return false;
}

/** The time at `t` and what follows it, for scanPrefix. */
function scanTime(text: string, t: number, out: LinePrefix): LinePrefix {
  let p = t;
  const c0 = text.charCodeAt(t);
  if ((c0 === 32 || c0 === 45) && isDigit(text.charCodeAt(t + 1))) {
    // -ttt / -ttttt: a sign character (space or '-') then a time of day that is really a delta.
    const clock = readClock(text, t + 1);
    if (clock >= 0 && text.charCodeAt(clockEnd) === 32) {
      out.timeKind = 'delta';
      out.timeValue = c0 === 45 ? -clock : clock;
      out.timeStart = t;
      out.timeEnd = clockEnd;
      p = clockEnd + 1;
    }
  } else if (isDigit(c0)) {
    // The common `HH:MM:SS` has ':' where a -tttt year has its third digit.
    const y = text.charCodeAt(t + 2) === 58 ? -1 : readFixedDigits(text, t, 4);
    if (y >= 0 && text.charCodeAt(t + 4) === 45) {
      // -tttt: YYYY-MM-DD HH:MM:SS.frac (the reader's local time; we read it as UTC).
      const mo = readFixedDigits(text, t + 5, 2);
      const d = readFixedDigits(text, t + 8, 2);
      const clock =
        text.charCodeAt(t + 7) === 45 && text.charCodeAt(t + 10) === 32 ? readClock(text, t + 11) : -1;
      if (mo >= 0 && d >= 0 && clock >= 0) {
        out.timeKind = 'datetime';
        out.timeValue = Date.UTC(y, mo - 1, d) / 1000 + clock;
        out.timeStart = t;
        out.timeEnd = clockEnd;
        p = clockEnd;
        if (text.charCodeAt(p) === 32) p++;
      }
    } else {
      const clock = readClock(text, t);
      if (clock >= 0) {
        out.timeKind = 'clock';
        out.timeValue = clock;
        out.timeStart = t;
        out.timeEnd = clockEnd;
        p = clockEnd;
        if (text.charCodeAt(p) === 32) p++;
      } else {
        // -tt: seconds since the epoch with a fraction.
        const intEnd = skipDigits(text, t);
        if (intEnd - t <= 12 && text.charCodeAt(intEnd) === 46) {
          const fEnd = skipDigits(text, intEnd + 1);
          if (fEnd > intEnd + 1 && fEnd - intEnd - 1 <= 10 && text.charCodeAt(fEnd) === 32) {
            out.timeKind = 'epoch';
            out.timeValue = Number(text.slice(t, intEnd)) + fraction(text, intEnd + 1, fEnd);
            out.timeStart = t;
            out.timeEnd = fEnd;
            p = fEnd + 1;
          }
        }
      }
    }
  }
  if (out.timeKind !== 'none') {
    // (Every marker starts with '(' or '[': most lines have none, and are spared the comparisons.)
    const c = text.charCodeAt(p);
    if (c === 40 || c === 91)
      for (const marker of TIME_MARKERS) if (text.startsWith(marker, p)) p += marker.length;
  } else if (out.number === undefined) {
    return out;
  }
  // -i any / LINUX_SLL2: interface name (5 columns) and direction (3 columns).
  const nameEnd = text.indexOf(' ', p);
  if (nameEnd > p && nameEnd - p <= 16) {
    let d = nameEnd;
    while (text.charCodeAt(d) === 32) d++;
    // Every direction starts with a capital letter: most lines (`IP 10.0.0.1...`) have a digit here.
    const c = text.charCodeAt(d);
    if (c >= 65 && c <= 90) {
      for (const dir of DIRECTIONS) {
        if (text.startsWith(dir, d) && d - nameEnd >= 1) {
          let e = d + dir.length;
          while (text.charCodeAt(e) === 32) e++;
          // Only when a network part follows, so that a host name is never eaten.
          if (text.startsWith('IP', e) || text.startsWith('ARP', e)) {
            out.interfaceText = `${text.slice(p, nameEnd)} ${dir.trim()}`;
            p = e;
          }
          break;
        }
      }
    }
  }
  out.bodyStart = p;
  return out;
}
