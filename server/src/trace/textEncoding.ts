/**
 * Files that are not tcpdump text, judged from their first characters: UTF-16 text decoded as UTF-8
 * (or Latin-1), compressed files, archives and other binary data. And, for the CLI, the bytes of a file
 * decoded as an editor decodes them. Every judgement looks at a bounded prefix, so it costs the same on
 * any file.
 */

/** How many characters the binary judgement looks at. */
const SAMPLE_CHARS = 4096;

/**
 * The judgements of what kind of file this is (capture, UTF-16, binary) look at no more than this many
 * characters from its start: an edit after them cannot change them.
 */
export const FILE_HEAD_CHARS = SAMPLE_CHARS;
/** How many characters (or bytes) the UTF-16 judgement looks at: VS Code's zero-byte window. */
const UTF16_SAMPLE = 512;

/** A file that is not text the parser can read: the diagnostic code and what to do about it. */
export interface NotText {
  code: 'parse.utf16-text' | 'parse.binary-file';
  message: string;
}

/** The byte order of UTF-16 text, and whether it starts with a byte order mark. */
export interface Utf16Guess {
  endian: 'le' | 'be';
  bom: boolean;
}

/**
 * UTF-16 text that was decoded as UTF-8 or Latin-1: every other character is a NUL (ASCII in UTF-16),
 * after the byte order mark's stand-in (U+FFFD U+FFFD in UTF-8, `ÿþ` or `þÿ` in Latin-1).
 */
export function detectUtf16(text: string): Utf16Guess | undefined {
  const c0 = text.charCodeAt(0);
  const c1 = text.charCodeAt(1);
  let start = 0;
  let marked: 'le' | 'be' | undefined;
  if (c0 === 0xfffd && c1 === 0xfffd) start = 2;
  else if (c0 === 0xff && c1 === 0xfe) [start, marked] = [2, 'le'];
  else if (c0 === 0xfe && c1 === 0xff) [start, marked] = [2, 'be'];
  const end = Math.min(text.length, start + UTF16_SAMPLE);
  let pairs = 0;
  let le = 0;
  let be = 0;
  for (let i = start; i + 1 < end; i += 2) {
    const a = text.charCodeAt(i) === 0;
    const b = text.charCodeAt(i + 1) === 0;
    pairs++;
    if (!a && b) le++;
    else if (a && !b) be++;
  }
  // Without a mark, a few characters could be anything; characters outside Latin-1 have no zero byte,
  // so a tenth of the pairs may break the pattern.
  if (pairs < (start ? 1 : 4)) return undefined;
  const endian = le >= be ? 'le' : 'be';
  if (Math.max(le, be) * 10 < pairs * 9 || (marked && marked !== endian)) return undefined;
  return { endian, bom: start > 0 };
}

/** Magic numbers of files people open by mistake, with what to do. High bytes may read as U+FFFD. */
const MAGICS: Array<{ bytes: number[]; what: string; advice: string }> = [
  { bytes: [0x1f, 0x8b, 0x08], what: 'a gzip-compressed file', advice: decompress('gzip') },
  { bytes: [0x42, 0x5a, 0x68], what: 'a bzip2-compressed file', advice: decompress('bzip2') },
  { bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'an xz-compressed file', advice: decompress('xz') },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], what: 'a zstd-compressed file', advice: decompress('zstd') },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive', advice: 'extract it first (`unzip FILE`)' },
  {
    bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c],
    what: 'a 7-Zip archive',
    advice: 'extract it first (`7z x FILE`)',
  },
  { bytes: [0x7f, 0x45, 0x4c, 0x46], what: 'an ELF executable', advice: 'open a trace instead' },
  {
    bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    what: 'a PNG image',
    advice: 'open a trace instead',
  },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'a PDF document', advice: 'open a trace instead' },
];

function decompress(tool: string): string {
  return `decompress it first (\`${tool} -dc FILE > FILE.trace\`)`;
}

function startsWithBytes(text: string, bytes: number[]): boolean {
  if (text.length < bytes.length) return false;
  for (let k = 0; k < bytes.length; k++) {
    const c = text.charCodeAt(k);
    const b = bytes[k]!;
    if (c !== b && !(b >= 0x80 && c === 0xfffd)) return false;
  }
  // bzip2's `BZh` is printable: its block size digit and block magic must follow.
  return bytes[0] !== 0x42 || /^BZh[1-9]1AY&SY/.test(text.slice(0, 10));
}

/**
 * A character no text file holds: NUL and the other C0 controls (tab, line ends, form feed and the
 * escape of terminal colours excepted), DEL, the C1 controls (binary read as Latin-1) and U+FFFD (bytes
 * that are not UTF-8). tcpdump prints unprintable payload bytes as dots, never raw.
 */
function isBinaryChar(c: number): boolean {
  if (c < 0x20) return c !== 9 && c !== 10 && c !== 12 && c !== 13 && c !== 27;
  return (c >= 0x7f && c <= 0x9f) || c === 0xfffd;
}

/**
 * Judges whether a text is something other than tcpdump text: UTF-16, a known compressed or binary
 * format, or bytes of which a tenth or more are NUL, control characters or invalid UTF-8. Binary pcap
 * and pcapng captures are judged apart (detectBinaryCapture); call this after that.
 */
export function judgeNotText(text: string): NotText | undefined {
  const utf16 = detectUtf16(text);
  if (utf16) {
    const order = utf16.endian === 'le' ? 'little-endian' : 'big-endian';
    const from = utf16.bom ? 'UTF-16' : `UTF-16${utf16.endian.toUpperCase()}`;
    return {
      code: 'parse.utf16-text',
      message: `this file is UTF-16 text (${order}), not UTF-8: reopen it with the UTF-16 encoding and save it as UTF-8, or convert it with \`iconv -f ${from} -t UTF-8 FILE > FILE.utf8.trace\``,
    };
  }
  for (const m of MAGICS) {
    if (startsWithBytes(text, m.bytes))
      return {
        code: 'parse.binary-file',
        message: `this is ${m.what}, a binary file, not tcpdump text: ${m.advice}`,
      };
  }
  const n = Math.min(text.length, SAMPLE_CHARS);
  let bad = 0;
  for (let i = 0; i < n; i++) if (isBinaryChar(text.charCodeAt(i))) bad++;
  if (bad >= 8 && bad * 10 >= n) {
    return {
      code: 'parse.binary-file',
      message: `this is a binary file, not tcpdump text: ${bad} of its first ${n} characters are NUL, control characters or bytes that are not UTF-8; open the text tcpdump printed instead`,
    };
  }
  return undefined;
}

/**
 * The text of a file's bytes, decoded as VS Code decodes them: a UTF-8 byte order mark is dropped, UTF-16
 * is recognised by its mark (or, without one, by zero bytes in every other place of the first 512
 * bytes) and decoded, and anything else is read as UTF-8 (invalid bytes become U+FFFD).
 */
export function decodeText(bytes: Uint8Array): string {
  const b0 = bytes[0];
  const b1 = bytes[1];
  if (b0 === 0xff && b1 === 0xfe) return decodeUtf16(bytes.subarray(2), 'le');
  if (b0 === 0xfe && b1 === 0xff) return decodeUtf16(bytes.subarray(2), 'be');
  const guess = guessUtf16(bytes);
  if (guess) return decodeUtf16(bytes, guess);
  // TextDecoder drops a leading UTF-8 byte order mark, as editors do.
  return new TextDecoder('utf-8').decode(bytes);
}

/** VS Code's guess for UTF-16 without a mark: zero bytes only and always at odd (LE) or even (BE) places. */
function guessUtf16(bytes: Uint8Array): 'le' | 'be' | undefined {
  let le = true;
  let be = true;
  let zero = false;
  const n = Math.min(bytes.length, UTF16_SAMPLE);
  for (let i = 0; i < n && (le || be); i++) {
    const isZero = bytes[i] === 0;
    const odd = i % 2 === 1;
    zero ||= isZero;
    if (odd !== isZero) le = false;
    if (odd === isZero) be = false;
  }
  return zero ? (le ? 'le' : be ? 'be' : undefined) : undefined;
}

function decodeUtf16(bytes: Uint8Array, endian: 'le' | 'be'): string {
  if (endian === 'le') return new TextDecoder('utf-16le').decode(bytes);
  // Node without full ICU has no UTF-16BE decoder: swap the bytes of a copy and decode it as LE.
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    swapped[i] = bytes[i + 1]!;
    swapped[i + 1] = bytes[i]!;
  }
  if (bytes.length % 2) swapped[bytes.length - 1] = bytes[bytes.length - 1]!;
  return new TextDecoder('utf-16le').decode(swapped);
}
