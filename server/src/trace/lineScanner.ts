/**
 * Small, allocation-light helpers for scanning one line of tcpdump text by column. Every scan is a
 * single forward pass: no regular expression with nested quantifiers is ever run on trace text.
 */

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/**
 * Whether an `-e` Ethernet header starts at `at`: the source MAC address (six hex pairs joined by
 * colons), then ` > `.
 */
export function startsWithMacArrow(text: string, at: number): boolean {
  for (let k = 0; k < 17; k++) {
    const c = text.charCodeAt(at + k);
    if (!(k % 3 === 2 ? c === 58 : isHexDigit(c))) return false;
  }
  return text.startsWith(' > ', at + 17);
}

/** Index after the run of ASCII digits starting at `i` (equal to `i` when there is none). */
export function skipDigits(text: string, i: number): number {
  while (i < text.length && isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** Reads exactly `n` ASCII digits at `i`; -1 when they are not all there. */
export function readFixedDigits(text: string, i: number, n: number): number {
  if (i + n > text.length) return -1;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = text.charCodeAt(i + k);
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
}

/**
 * An unsigned decimal at `i`. `value` is NaN when there are no digits; `tooBig` when it has more digits
 * than any 32-bit (or, for lengths, 53-bit) number could; the scan still stops after the digits.
 */
export function readUint(text: string, i: number): { value: number; end: number } {
  const end = skipDigits(text, i);
  if (end === i) return { value: NaN, end };
  // More than 15 digits cannot be a TCP number; keep it NaN-free but out of range.
  if (end - i > 15) return { value: Number.MAX_SAFE_INTEGER, end };
  return { value: Number(text.slice(i, end)), end };
}

/** Whether the line holds only spaces, tabs and carriage returns. */
export function isBlank(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** A short, printable excerpt of untrusted text for a diagnostic message. */
export function excerpt(text: string, from: number, max = 24): string {
  let s = text.slice(from, from + max);
  const sp = s.indexOf(',');
  if (sp > 0) s = s.slice(0, sp);
  // Control characters would garble a terminal or a hover; show them as '?'.
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return text.length - from > max ? `${s}…` : s;
}
