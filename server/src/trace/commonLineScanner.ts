/**
 * The common line (commonLine.ts) of a large file read by WebAssembly (server/wasm/commonLine.ts),
 * a chunk of lines at a time: the chunk's characters are copied into the module's memory as bytes,
 * and each line it reads leaves readCommonLine's fields in a row of `results`. V8 runs a JavaScript
 * reader slowly until it has compiled it (a large share of a first analysis), and its map of heads
 * hashed each head's string again on every line; the module's code is fast from its first line and
 * hashes the heads as bytes. Lines it does not take (any it is unsure of) are readCommonLine's, as
 * are files with characters outside ASCII (whose columns, as bytes, are not the text's), and any
 * place without WebAssembly.
 */
import { COMMON_LINE_WASM } from './commonLineWasm';
import { FLAG_BITS } from './packetLine';

/** What the core uses of WebAssembly (its lib, ES2022, declares none of it). */
declare const WebAssembly:
  | {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (module: object, imports: object) => { exports: ScannerExports };
    }
  | undefined;

interface ScannerExports {
  memory: { buffer: ArrayBuffer };
  reset(): number;
  scan(count: number, bytes: number, breakLength: number): void;
  setFlagBit(code: number, bit: number): void;
  windowAt(): number;
  windowSize(): number;
  startsAt(): number;
  resultsAt(): number;
  maxLines(): number;
  stride(): number;
}

/** A row's slots after commonFields' (server/wasm/commonLine.ts). */
export const Scanned = {
  /** 1 when the module read the line, 0 when readCommonLine is to. */
  OK: 25,
  /** The head's id in this file: 1, 2, ... */
  HEAD: 26,
  /** Where the option list's `[` is, or -1. */
  OPTIONS_OPEN: 27,
  /** Where the head (`IP ...`) starts, and where `: Flags [` is: the head is between. */
  BODY: 28,
  FLAGS_AT: 29,
  /** The line's length. */
  LINE_LENGTH: 30,
} as const;

/** The length of a row, in numbers (server/wasm/commonLine.ts, STRIDE). */
const STRIDE = 32;

let instance: ScannerExports | null | undefined;

/** The module, instantiated once; null where there is no WebAssembly or it fails. */
function scanner(): ScannerExports | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    if (typeof WebAssembly !== 'object' || typeof atob !== 'function') return null;
    const text = atob(COMMON_LINE_WASM);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports;
    // (Its memory, the layout's from the start, is reset for each file: see ScannedLines.of.)
    if (exports.stride() !== STRIDE) return null;
    for (let c = 0; c < FLAG_BITS.length; c++) exports.setFlagBit(c, FLAG_BITS[c]!);
    instance = exports;
  } catch {
    instance = null;
  }
  return instance;
}

/** A file's lines as the parser has them (TextLines): how many, and where each starts in the text. */
export interface ScannableLines {
  readonly length: number;
  start(i: number): number;
}

/**
 * The module's reading of a file's lines, made as the parser asks for them in order (row(i)); one
 * file at a time (the module's memory and head table are shared), for one parse.
 */
export class ScannedLines {
  /** The rows of the current chunk: line `first + k` is at `k * stride`. */
  results = new Float64Array(0);
  private first = 0;
  private end = 0;
  /** Whether the current chunk was read (false: its characters are not all ASCII). */
  private read = false;
  private readonly encoder = new TextEncoder();

  private constructor(
    private readonly m: ScannerExports,
    private readonly text: string,
    private readonly lines: ScannableLines,
    private readonly breakLength: number,
  ) {}

  /** For a parse of `lines` of `text`; undefined where the module cannot run. */
  static of(text: string, lines: ScannableLines, breakLength: number): ScannedLines | undefined {
    const m = scanner();
    if (!m || !m.reset()) return undefined;
    return new ScannedLines(m, text, lines, breakLength);
  }

  /** Where line `i`'s row is in `results`, or -1 when the module did not read the line. */
  row(i: number): number {
    if (i < this.first || i >= this.end) this.scanFrom(i);
    if (!this.read) return -1;
    const at = (i - this.first) * STRIDE;
    return this.results[at + Scanned.OK] === 1 ? at : -1;
  }

  /** Reads the chunk of lines from `i` on: as many as fit the module's window and rows. */
  private scanFrom(i: number): void {
    const m = this.m;
    const lines = this.lines;
    const from = lines.start(i);
    // (The entry after the last line may be past the text: see TextLines.)
    const startOf = (k: number) => Math.min(lines.start(k), this.text.length);
    const window = m.windowSize();
    const maxEnd = Math.min(lines.length, i + m.maxLines());
    let end = i;
    while (end < maxEnd && startOf(end + 1) - from <= window) end++;
    this.first = i;
    // A line longer than the window is readCommonLine's, alone in its chunk.
    this.end = Math.max(end, i + 1);
    this.read = false;
    if (end === i) return;
    const buffer = m.memory.buffer;
    const chars = this.text.slice(from, startOf(end));
    const { read, written } = this.encoder.encodeInto(chars, new Uint8Array(buffer, m.windowAt(), window));
    // Only ASCII puts each character in one byte, so that the module's columns are the text's.
    if (read !== chars.length || written !== read) return;
    const starts = new Int32Array(buffer, m.startsAt(), end - i + 1);
    for (let k = 0; k <= end - i; k++) starts[k] = lines.start(i + k) - from;
    try {
      m.scan(end - i, written, this.breakLength);
    } catch {
      // (A trap: not from any text, as every access is inside the module's layout. The parser never
      // throws: the JavaScript reader reads the file.)
      this.end = this.lines.length;
      return;
    }
    if (this.results.buffer !== buffer)
      this.results = new Float64Array(buffer, m.resultsAt(), m.maxLines() * STRIDE);
    this.read = true;
  }
}
