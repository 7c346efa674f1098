/**
 * The prefix of a tcpdump head line: the `-#` packet number, the timestamp in any of tcpdump's `-t`
 * forms, and the `-i any` interface/direction columns.
 */
import { isDigit, readFixedDigits, skipDigits } from './lineScanner';
import type { Span, TimeKind } from './types';

export interface LinePrefix {
  /** `-i any` interface and direction (`lo In`), when printed. */
  interfaceText?: string;
  number?: number;
  numberSpan?: Span;
  timeKind: TimeKind;
  timeValue?: number;
  timeSpan?: Span;
  /** Column where the network part starts. */
  bodyStart: number;
}

/** Seconds from a fraction string of 1-10 digits, kept exact to the nanosecond where it can be. */
function fraction(text: string, from: number, to: number): number {
  if (to <= from) return 0;
  const digits = to - from;
  let v = 0;
  for (let i = from; i < to; i++) v = v * 10 + (text.charCodeAt(i) - 48);
  // tcpdump prints the raw micro- or nanosecond field; 7-8 digits (or 10) mean an out-of-range count
  // of microseconds (nanoseconds), which 4.99.6 marks "(invalid us)".
  if (digits === 7 || digits === 8) return v / 1e6;
  if (digits === 10) return v / 1e9;
  return v / 10 ** digits;
}

/** `HH:MM:SS[.frac]` at `i`; returns the end column and the seconds since midnight. */
function readClock(text: string, i: number): { end: number; value: number } | undefined {
  const h = readFixedDigits(text, i, 2);
  if (h < 0 || text.charCodeAt(i + 2) !== 58) return undefined;
  const m = readFixedDigits(text, i + 3, 2);
  if (m < 0 || text.charCodeAt(i + 5) !== 58) return undefined;
  const s = readFixedDigits(text, i + 6, 2);
  if (s < 0) return undefined;
  let end = i + 8;
  let value = h * 3600 + m * 60 + s;
  if (text.charCodeAt(end) === 46 && isDigit(text.charCodeAt(end + 1))) {
    const fEnd = skipDigits(text, end + 1);
    if (fEnd - end - 1 > 10) return undefined;
    value += fraction(text, end + 1, fEnd);
    end = fEnd;
  }
  return { end, value };
}

/**
 * Reads the prefix of a line from column `from` (1 on a first line that starts with a byte order mark).
 * `timeKind` is 'none' when no timestamp was found.
 */
export function scanPrefix(text: string, line: number, from = 0): LinePrefix {
  const out: LinePrefix = { timeKind: 'none', bodyStart: from };
  let p = from;
  // -#: a right-aligned number in 5 columns, then two spaces.
  let q = from;
  while (q < text.length && text.charCodeAt(q) === 32) q++;
  const numEnd = skipDigits(text, q);
  if (numEnd > q && numEnd - q <= 10 && text.startsWith('  ', numEnd)) {
    out.number = Number(text.slice(q, numEnd));
    out.numberSpan = { line, start: q, end: numEnd };
    p = numEnd + 2;
  }
  // Two rare prefixes between the number and the time: `caplen N len N ` (--lengths) and a corrupt
  // record header note.
  if (text.startsWith('caplen ', p)) {
    const m = /^caplen \d+ len \d+ /.exec(text.slice(p, p + 40));
    if (m) p += m[0].length;
  }
  if (text.startsWith('[Invalid header', p)) {
    const close = text.indexOf('] ', p);
    if (close > 0 && close - p < 200) p = close + 2;
  }
  const t = p;
  const c0 = text.charCodeAt(t);
  if ((c0 === 32 || c0 === 45) && isDigit(text.charCodeAt(t + 1))) {
    // -ttt / -ttttt: a sign character (space or '-') then a time of day that is really a delta.
    const clock = readClock(text, t + 1);
    if (clock && text.charCodeAt(clock.end) === 32) {
      out.timeKind = 'delta';
      out.timeValue = c0 === 45 ? -clock.value : clock.value;
      out.timeSpan = { line, start: t, end: clock.end };
      p = clock.end + 1;
    }
  } else if (isDigit(c0)) {
    const y = readFixedDigits(text, t, 4);
    if (y >= 0 && text.charCodeAt(t + 4) === 45) {
      // -tttt: YYYY-MM-DD HH:MM:SS.frac (the reader's local time; we read it as UTC).
      const mo = readFixedDigits(text, t + 5, 2);
      const d = readFixedDigits(text, t + 8, 2);
      const clock =
        text.charCodeAt(t + 7) === 45 && text.charCodeAt(t + 10) === 32 ? readClock(text, t + 11) : undefined;
      if (mo >= 0 && d >= 0 && clock) {
        out.timeKind = 'datetime';
        out.timeValue = Date.UTC(y, mo - 1, d) / 1000 + clock.value;
        out.timeSpan = { line, start: t, end: clock.end };
        p = clock.end;
        if (text.charCodeAt(p) === 32) p++;
      }
    } else {
      const clock = readClock(text, t);
      if (clock) {
        out.timeKind = 'clock';
        out.timeValue = clock.value;
        out.timeSpan = { line, start: t, end: clock.end };
        p = clock.end;
        if (text.charCodeAt(p) === 32) p++;
      } else {
        // -tt: seconds since the epoch with a fraction.
        const intEnd = skipDigits(text, t);
        if (intEnd - t <= 12 && text.charCodeAt(intEnd) === 46) {
          const fEnd = skipDigits(text, intEnd + 1);
          if (fEnd > intEnd + 1 && fEnd - intEnd - 1 <= 10 && text.charCodeAt(fEnd) === 32) {
            out.timeKind = 'epoch';
            out.timeValue = Number(text.slice(t, intEnd)) + fraction(text, intEnd + 1, fEnd);
            out.timeSpan = { line, start: t, end: fEnd };
            p = fEnd + 1;
          }
        }
      }
    }
  }
  if (out.timeKind !== 'none') {
    // 4.99.6+ marks impossible fractions; older versions print a few odd tokens here.
    for (const marker of ['(invalid us) ', '(invalid ns) ', '[timestamp overflow] ']) {
      if (text.startsWith(marker, p)) p += marker.length;
    }
  } else if (out.number === undefined) {
    out.bodyStart = from;
    return out;
  }
  // -i any / LINUX_SLL2: interface name (5 columns) and direction (3 columns).
  const nameEnd = text.indexOf(' ', p);
  if (nameEnd > p && nameEnd - p <= 16) {
    let d = nameEnd;
    while (text.charCodeAt(d) === 32) d++;
    for (const dir of ['In ', 'Out ', 'B ', 'M ', 'P ']) {
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
  out.bodyStart = p;
  return out;
}
