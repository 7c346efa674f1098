/**
 * Turns trace text into packet records. One pass over the lines; a line is a record head, a
 * continuation of the current record (the `-v` TCP line, hex or ASCII dumps, decoder text), a `#`
 * comment, or blank. Never throws: unreadable lines become `parse.*` problems on their own range.
 */
import { grown } from './columns';
import { commonLineTuning, readCommonLine, writeScannedLine } from './commonLine';
import { ScannedLines } from './commonLineScanner';
import { excerpt, isBlank } from './lineScanner';
import { parseNetworkPart, useEndpoints, type KnownHead } from './packetLine';
import { RecordSlots, RecordStore, SpanField, TraceRecord, type LineList } from './record';
import {
  commandNumbering,
  droppedPackets,
  isCodeFence,
  readTcpdumpMessage,
  withPlainSpaces,
} from './pastedText';
import { judgeNotText } from './textEncoding';
import { LinePrefix, findDisplacedTime, readStamp, scanPrefix, stampKind } from './timestamp';
import { TupleIds } from './tuples';
import type { Endpoint, PacketRecord, ParseProblem, Span, TimeKind } from './types';

export interface ParsedTrace {
  /** The records by index, as the analysis reads them (see RecordSlots). */
  recordList: RecordSlots;
  /**
   * The records as an array, made from recordList when first asked for (see withRecordArray): the
   * editor's features read it, the analysis and the CLI do not.
   */
  records: PacketRecord[];
  problems: ParseProblem[];
  lineCount: number;
  /**
   * The text of every line, without line terminators. (parseTrace's result makes them when first
   * asked: the analysis itself reads the text, and checking a trace with the CLI needs none of them.)
   */
  lines: string[];
  /** The file's line ending, for edits that add lines. */
  eol: '\n' | '\r\n';
  /**
   * The kind of the file's line breaks (see lineBreaksOf): where they are mixed, an edit can join two
   * of them into one (a \r before a \n) and the incremental paths give way to a whole analysis.
   */
  breaks?: LineBreaks;
  /** Head lines carry a time or -# prefix (so, in an -A dump, prefix-less lines are payload). */
  prefixed: boolean;
  /** The file's endpoints, interned: equal `host.port` texts are one object. */
  endpoints: Map<string, Endpoint>;
  /** The ids of the file's 4-tuples (PacketRecord.tuple). */
  tuples: TupleIds;
  /** The file dumps packet bytes as ASCII (`-A`): unindented lines after a head are payload, not errors. */
  asciiDump: boolean;
  /** The text is a binary capture, not tcpdump text. */
  binary?: 'pcap' | 'pcapng';
  /**
   * Whether the numbers are absolute (-S), as the command line that ran tcpdump says, when a pasted
   * session has one before its first packet (pastedText.ts commandNumbering); the analysis then
   * takes it over judging the numbers.
   */
  commandNumbering?: boolean;
}

/** Every field of T named, the optional ones too (as undefined where there is none). */
export type AllFields<T> = { [K in keyof Required<T>]: T[K] };

/**
 * A parse of `fields`, whose `records` is recordList's array (made when first asked for). Every field
 * is named, none spread from another parse: a spread would make that parse's array.
 */
export function withRecordArray(fields: AllFields<Omit<ParsedTrace, 'records'>>): ParsedTrace {
  return Object.defineProperty(fields, 'records', {
    get: () => fields.recordList.array(),
    enumerable: true,
  }) as ParsedTrace;
}

/**
 * A text's line breaks: `lf` when it has no CR (or no break at all), `crlf` when every break is \r\n,
 * `mixed` otherwise (lone CRs, or \n and \r\n both).
 */
export type LineBreaks = 'lf' | 'crlf' | 'mixed';

export function lineBreaksOf(text: string): LineBreaks {
  if (text.indexOf('\r') < 0) return 'lf';
  // Every \n after a \r, and as many \r as \n: indexOf is vectorised, a loop per character is not.
  let pairs = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', nl + 1)) {
    if (text.charCodeAt(nl - 1) !== 13) return 'mixed';
    pairs++;
  }
  let crs = 0;
  for (let cr = text.indexOf('\r'); cr >= 0 && crs <= pairs; cr = text.indexOf('\r', cr + 1)) crs++;
  return crs === pairs ? 'crlf' : 'mixed';
}

/** The line ending edits that add lines use in `text`, whose line breaks are `breaks`. */
export function eolOf(text: string, breaks: LineBreaks): '\n' | '\r\n' {
  return breaks === 'crlf' || (breaks === 'mixed' && text.includes('\r\n')) ? '\r\n' : '\n';
}

/** Splits text into lines on \n, \r\n or a lone \r, without keeping the terminators. */
export function splitLines(text: string): string[] {
  // indexOf is vectorised, so files without CR (most of them) take the fast path. A loop that also
  // tracks the next CR must not call indexOf for it: V8's optimiser may evaluate that pure call on
  // every iteration, and a search that runs to the end of the text each time makes the split quadratic.
  return text.indexOf('\r') < 0 ? splitOnLineFeeds(text) : splitOnAnyLineEnd(text);
}

/** `text`'s lines where every line break is `brk` (a text without CRs, or one with CRLFs alone). */
function splitOnLineFeeds(text: string, brk: '\n' | '\r\n' = '\n'): string[] {
  // V8's own split is faster than a loop of indexOf and slice. It also gives the empty text after a
  // final line feed (or of an empty file), which is no line.
  const lines = text.split(brk);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The lines of a text without CRs (or whose every line break is a CRLF), each made when it is asked
 * for: where each starts is all that is kept. Split at once, a large file's lines were half a million
 * strings that lived as long as the analysis, which the garbage collector copied twice each (bench
 * trace: parse 853 -> 730 ms, `node scripts/bench/stage-ab.mjs --cold`). The array of them is made
 * once, when first asked for.
 */
export class TextLines implements LineList {
  private array: string[] | undefined;
  /**
   * Where line `i` starts in the text; the entry after the last is where a line after the last would
   * start (past the text's end when the text does not end with a break).
   */
  private readonly starts: Int32Array;
  readonly length: number;
  /** The length of every line break: 1 (\n) or 2 (\r\n). */
  readonly breakLength: number;

  constructor(
    readonly text: string,
    breaks: 'lf' | 'crlf' = 'lf',
  ) {
    this.breakLength = breaks === 'crlf' ? 2 : 1;
    let starts = new Int32Array(Math.max(16, Math.ceil(text.length / 64)));
    let count = 0;
    let at = 0;
    for (;;) {
      if (count + 1 >= starts.length) starts = grown(starts, starts.length * 2);
      starts[count] = at;
      const nl = text.indexOf('\n', at);
      if (nl < 0) {
        // A last line without a line feed (none when the text ends with one, as split gives).
        if (at < text.length) starts[++count] = text.length + this.breakLength;
        break;
      }
      count++;
      at = nl + 1;
    }
    this.starts = starts;
    this.length = count;
  }

  /** Where line `i` starts in the text (0 <= i < length). */
  start(i: number): number {
    return this.starts[i]!;
  }

  at(i: number): string | undefined {
    return i >= 0 && i < this.length
      ? this.text.slice(this.starts[i]!, this.starts[i + 1]! - this.breakLength)
      : undefined;
  }

  /** Every line, as one array (made once). */
  all(): string[] {
    return (this.array ??= splitOnLineFeeds(this.text, this.breakLength === 2 ? '\r\n' : '\n'));
  }
}

function splitOnAnyLineEnd(text: string): string[] {
  const lines: string[] = [];
  const n = text.length;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x0a && c !== 0x0d) continue;
    lines.push(text.slice(start, i));
    if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  if (start < n) lines.push(text.slice(start));
  return lines;
}

/** pcap and pcapng files start with a magic number; as text they would be a flood of nonsense. */
export function detectBinaryCapture(text: string): 'pcap' | 'pcapng' | undefined {
  const b = (i: number) => text.charCodeAt(i);
  if (text.length < 4) return undefined;
  if (b(0) === 0x0a && b(1) === 0x0d && b(2) === 0x0d && b(3) === 0x0a) return 'pcapng';
  const head = text.slice(0, 4);
  const magics = [
    '\u00d4\u00c3\u00b2\u00a1',
    '\u00a1\u00b2\u00c3\u00d4',
    '\u004d\u003c\u00b2\u00a1',
    '\u00a1\u00b2\u003c\u004d',
  ];
  if (magics.includes(head)) return 'pcap';
  // Decoded as UTF-8, the magic's high bytes become U+FFFD (0xC3 0xB2 of the little-endian one is ò).
  // The version (2.4) follows as four bytes below 0x10: random bytes and UTF-16 text do not.
  for (const magic of UTF8_PCAP_MAGICS) {
    if (!text.startsWith(magic)) continue;
    let version = 0;
    for (let i = magic.length; i < magic.length + 4; i++) if (text.charCodeAt(i) < 0x10) version++;
    if (version === 4) return 'pcap';
  }
  return undefined;
}

/** The four pcap magic numbers as UTF-8 decoding turns them into text. */
const UTF8_PCAP_MAGICS = [
  '\ufffd\u00f2\ufffd',
  '\ufffd\ufffd\ufffd\ufffd',
  'M<\ufffd\ufffd',
  '\ufffd\ufffd<M',
];

/** The line a rendered capture ends with when the capture is damaged. */
export const CAPTURE_DAMAGED_NOTE = '# packet-trace: the capture is damaged ';
/**
 * The note a capture rendering in VS Code ends with when it stopped at the size limit (a document is
 * one string; client/src/capture.ts): `# packet-trace: the rendering stops after packet N: ...`.
 */
export const CAPTURE_CUT_NOTE = '# packet-trace: the rendering stops ';

/** How many lines the first pass looks at to tell an -A dump from a hand-written trace. */
export const ASCII_DUMP_SAMPLE_LINES = 20000;

/** Beyond this many unreadable non-packet lines, one summary problem stands for the rest. */
export const MAX_UNKNOWN_LINE_PROBLEMS = 200;

/** What a line is, judged cheaply, for the first pass that decides how to read the file. */
type QuickKind = 'blank' | 'comment' | 'indented' | 'prefixed' | 'packet' | 'text';

/**
 * Where a line's text starts: after a byte order mark, which a file read without decoding (the CLI, some
 * editors) keeps at the start of its first line, and files joined with `cat` at the start of others.
 * The mark stays in the line, so columns count it as the document does, but it is part of no token.
 */
function textStart(text: string): number {
  return text.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** A line prefix, reused from line to line, and whether it was read for the current line. */
class ScannedPrefix extends LinePrefix {
  scanned = false;
}

/**
 * What a line is. For a line that may be a head line, its prefix is read into `prefix` (whose
 * `scanned` says whether that happened), for the caller to use. `source` and `at`: see RecordReader.line.
 */
function quickKind(text: string, prefix: ScannedPrefix, source = text, at = 0): QuickKind {
  prefix.scanned = false;
  if (isBlankLine(text)) return 'blank';
  const from = textStart(text);
  const c0 = text.charCodeAt(from);
  if (c0 === 9) return 'indented';
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) === 35) return 'comment';
  scanPrefix(text, from, prefix, source, at);
  prefix.scanned = true;
  if (prefix.timeKind !== 'none' || prefix.number !== undefined) return 'prefixed';
  if (c0 === 32) return 'indented';
  if (text.startsWith('IP ', from) || text.startsWith('IP6 ', from) || text.startsWith('ARP, ', from))
    return 'packet';
  const gt = text.indexOf(' > ', from);
  if (gt > from && text.indexOf(': ', gt) > 0) return 'packet';
  return 'text';
}

/** What a `#` comment line says, as the annotation of the packet below it. */
function annotationText(text: string): string {
  return text.replace(/^\s*#\s?/, '');
}

/**
 * The annotation a line gives when the reader takes it for a `#` comment (quickKind), outside an -A
 * dump; undefined for any other line.
 */
export function commentAnnotation(text: string): string | undefined {
  const from = textStart(text);
  if (text.charCodeAt(from) === 9) return undefined;
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  return text.charCodeAt(i) === 35 ? annotationText(text) : undefined;
}

/**
 * The same for a plain comment: not one of the notes a capture rendering ends with (they report
 * problems).
 */
export function plainComment(text: string): string | undefined {
  return text.startsWith(CAPTURE_DAMAGED_NOTE) || text.startsWith(CAPTURE_CUT_NOTE)
    ? undefined
    : commentAnnotation(text);
}

/** Whether the reader takes a line for a blank one (quickKind). */
export function isBlankLine(text: string): boolean {
  const from = textStart(text);
  return text.length === from || isBlank(from ? text.slice(from) : text);
}

/** The first payload line of an -A dump is the IP header as text: `E..<` (IPv4) or a backquote (IPv6). */
function looksLikeIpHeaderText(text: string): boolean {
  const c1 = text.charCodeAt(1);
  return (text.charCodeAt(0) === 69 && !(c1 >= 97 && c1 <= 122)) || text.charCodeAt(0) === 96;
}

/** Parses a whole trace. Linear in the size of the text. */
export function parseTrace(source: string): ParsedTrace {
  const text = withPlainSpaces(source);
  const binary = detectBinaryCapture(text);
  if (binary)
    return withRecordArray({
      recordList: new RecordSlots(new RecordStore(1)),
      problems: [],
      lineCount: 1,
      // Only the first line is kept, so that a diagnostic on it stays inside it.
      lines: [splitLines(text.slice(0, 4096))[0] ?? ''],
      eol: '\n',
      breaks: undefined,
      asciiDump: false,
      prefixed: false,
      endpoints: new Map(),
      tuples: new TupleIds(),
      binary,
      commandNumbering: undefined,
    });
  const breaks = lineBreaksOf(text);
  // splitLines, without searching the whole text for a CR again; where every line break is one kind,
  // each line is made when asked for.
  const lines: LineList = breaks === 'mixed' ? splitOnAnyLineEnd(text) : new TextLines(text, breaks);
  const allLines = (): string[] => (lines instanceof TextLines ? lines.all() : (lines as string[]));
  const eol = eolOf(text, breaks);
  const notText = judgeNotText(text);
  if (notText)
    return withRecordArray({
      recordList: new RecordSlots(new RecordStore(1)),
      problems: [{ ...notText, span: { line: 0, start: 0, end: Math.min(1, lines.at(0)?.length ?? 0) } }],
      lineCount: lines.length,
      lines: allLines(),
      eol,
      breaks: undefined,
      asciiDump: false,
      prefixed: false,
      endpoints: new Map(),
      tuples: new TupleIds(),
      binary: undefined,
      commandNumbering: undefined,
    });

  const { asciiDump, prefixed } = judgeAsciiDump(lines);
  const endpoints = new Map<string, Endpoint>();
  const tuples = new TupleIds();
  const reader = new RecordReader(
    lines,
    asciiDump,
    prefixed ?? false,
    endpoints,
    tuples,
    0,
    lines.length,
    true,
  );
  // Where the lines are TextLines, each is followed in the text by its line break: the reader can read
  // its characters from the text itself (see RecordReader.line).
  if (lines instanceof TextLines) {
    for (let i = 0; i < lines.length; i++) {
      // (Runs of lines the WebAssembly reader read go in a loop of their own: see scannedRun.)
      i = reader.scannedRun(i);
      if (i < lines.length) reader.line(i, text, lines.start(i));
    }
  } else for (let i = 0; i < lines.length; i++) reader.line(i);
  const { records, problems } = reader.end();
  const commandNumbering = reader.commandNumbering;
  return withRecordArray({
    recordList: records,
    problems,
    lineCount: lines.length,
    get lines() {
      return allLines();
    },
    eol,
    breaks,
    asciiDump,
    prefixed: prefixed ?? false,
    endpoints,
    tuples,
    binary: undefined,
    commandNumbering,
  });
}

/**
 * Reads lines into records, one line at a time. parseTrace runs it over a whole file; an edit that
 * stays inside one record runs it over just that record's lines (see incremental/editedRecord.ts).
 */
export class RecordReader {
  readonly records: RecordSlots;
  readonly problems: ParseProblem[] = [];
  private current: TraceRecord | undefined;
  private awaitingTcp = false;
  private pendingComments: Array<{ text: string; line: number }> = [];
  private unknownLines = 0;
  /** What the command line before the first packet says of the numbers (see ParsedTrace). */
  commandNumbering: boolean | undefined = undefined;
  /** In an -A dump: how many characters of the current record's dump have been read (line ends too). */
  private dumpChars = 0;
  /**
   * Whether the current record's dump starts as tcpdump's do: its first line is the packet's first
   * bytes, an IP version nibble (`E`, IPv4; a backquote, IPv6) or a link header's zeros (`.`).
   */
  private dumpOfBytes = false;
  /** The prefix of the line being read: one object for all lines, as nothing keeps it. */
  private readonly prefix = new ScannedPrefix();
  private readonly store: RecordStore;
  /** Whether lines are tried with the flat reader of the common line first. */
  private readonly flat: boolean;
  /** The WebAssembly reader's reading of the lines (see commonLineScanner.ts), where it runs. */
  private readonly scanned: ScannedLines | undefined;
  /** The heads it found, by its id for each (see writeScannedLine). */
  private readonly scannedHeads: Array<KnownHead | undefined> = [];

  constructor(
    private readonly lines: LineList,
    private readonly asciiDump: boolean,
    private readonly prefixed: boolean,
    private readonly endpoints: Map<string, Endpoint>,
    private readonly tuples: TupleIds,
    private readonly firstIndex: number,
    /** About how many records will come: sizes the record columns once instead of growing them. */
    expectedRecords = 16,
    /**
     * The records keep `lines` (to find their option lists again) rather than a text of their own:
     * for a whole file, whose lines live as long as its records anyway.
     */
    keepLines = false,
  ) {
    this.store = new RecordStore(expectedRecords, tuples, keepLines ? lines : undefined);
    this.records = new RecordSlots(this.store, expectedRecords);
    // Most lines of a large file are one form, read flat (commonLine.ts), and not for one record read
    // again after an edit. (In an -A dump, a line payload would take is left to the general reader.)
    this.flat = keepLines && commonLineTuning.enabled && lines.length >= commonLineTuning.minLines;
    if (this.flat && commonLineTuning.wasm && lines instanceof TextLines)
      this.scanned = ScannedLines.of(lines.text, lines, lines.breakLength);
  }

  /**
   * Reads the lines from `i` on that the WebAssembly reader read, as line() would, until one it did
   * not (or whose head the flat reader does not take); returns that line's index (`i` when it took
   * none). In a run of them each line starts a record and nothing else changes, so the records are
   * written to the store without a handle each (the last one's becomes the current record). Not in an
   * -A dump, whose packet lines come one between payload lines, nor with notes waiting for a record.
   */
  scannedRun(i: number): number {
    const scanned = this.scanned;
    if (scanned === undefined || this.asciiDump || this.pendingComments.length) return i;
    useEndpoints(this.endpoints, this.tuples);
    const records = this.records;
    const end = writeScannedRun(
      this.lines,
      scanned,
      this.scannedHeads,
      this.store,
      records,
      this.firstIndex,
      i,
    );
    if (end === i) return i;
    // What line() does before each record: finish the one before (the run's own leave nothing to
    // finish, and finishing it after the run's records are written changes nothing it reads).
    finish(this.current, this.awaitingTcp, this.lines, this.problems);
    this.awaitingTcp = false;
    this.current = records.at(records.length - 1);
    this.dumpChars = 0;
    this.dumpOfBytes = false;
    return end;
  }

  /**
   * Reads line `i`. `source` and `at`, when given, say where the line is in the text it was split from,
   * followed by its line end: its characters are read from there, faster than from the line (a slice).
   */
  line(i: number, source?: string, at = 0): void {
    useEndpoints(this.endpoints, this.tuples);
    // (The line's text is made only where it is read: a line the WebAssembly reader read needs none.)
    let text: string | undefined;
    if (source !== undefined && this.flat) {
      // In an -A dump, a line stamped like a packet may be payload (see stampedAsPayload).
      const payload =
        this.asciiDump &&
        this.current !== undefined &&
        this.stampedAsPayload((text = this.lines.at(i)!), source, at);
      if (!payload) {
        const index = this.firstIndex + this.records.length;
        const scanned = this.scanned;
        const row = scanned === undefined ? -1 : scanned.row(i);
        const slot =
          row < 0
            ? -1
            : writeScannedLine(this.lines, i, scanned!.results, row, this.scannedHeads, this.store, index);
        const rec =
          slot >= 0
            ? new TraceRecord(this.store, slot)
            : readCommonLine((text ??= this.lines.at(i)!), i, source, at, this.store, index);
        if (rec) {
          this.startRecord(rec);
          this.awaitingTcp = false;
          return;
        }
      }
    }
    text ??= this.lines.at(i)!;
    // Where the line's characters are read: the source text, or the line itself.
    const chars = source ?? text;
    const base = source === undefined ? 0 : at;
    const asciiDump = this.asciiDump;
    const prefix = this.prefix;
    let kind = quickKind(text, prefix, chars, base);
    // In an -A dump, payload may look like anything, a comment or a packet line included: only lines
    // with the file's own head prefix start records.
    if (asciiDump && this.current && (kind === 'comment' || (kind === 'packet' && this.prefixed)))
      kind = 'text';
    // A packet line whose time is not at its start: indented, or after another tool's prefix. (Not
    // in an -A dump's payload, nor where the -v TCP line is due.)
    if (
      (kind === 'packet' || kind === 'text' || (kind === 'indented' && !this.awaitingTcp)) &&
      !(asciiDump && this.current) &&
      text.charCodeAt(0) !== 9 &&
      findDisplacedTime(text, textStart(text), prefix)
    )
      kind = 'prefixed';
    const current = this.current;
    switch (kind) {
      case 'blank':
        if (!asciiDump && this.pendingComments.length) this.pendingComments = [];
        if (current && asciiDump) {
          current.endLine = i;
          this.addDumpLine(text);
        }
        break;
      case 'comment':
        // The notes a capture rendering ends with when the capture is damaged, or when the rendering
        // stopped at the size limit (client/src/capture.ts).
        if (text.startsWith(CAPTURE_DAMAGED_NOTE)) {
          const reason = excerpt(text.slice(CAPTURE_DAMAGED_NOTE.length), 0, 300);
          this.problems.push({
            code: 'capture.damaged',
            message: `the capture is damaged ${reason || 'in the middle of a record'}`,
            span: lineSpan(text, i),
          });
        } else if (text.startsWith(CAPTURE_CUT_NOTE)) {
          const reason = excerpt(text.slice(CAPTURE_CUT_NOTE.length), 0, 300);
          this.problems.push({
            code: 'file.too-large',
            message: `only part of the capture is shown: the rendering stops ${reason}`,
            span: lineSpan(text, i),
          });
        }
        this.pendingComments.push({ text: annotationText(text), line: i });
        break;
      case 'indented': {
        if (!current) {
          this.unknownLines++;
          if (this.unknownLines > MAX_UNKNOWN_LINE_PROBLEMS) break;
          this.problems.push({
            code: 'parse.orphan-line',
            message: 'indented line before any packet: continuation lines belong under a packet line',
            span: lineSpan(text, i),
          });
          break;
        }
        current.endLine = i;
        if (asciiDump) this.addDumpLine(text);
        const from = textStart(text);
        if (text.charCodeAt(from) === 9) {
          current.dump ??= text.startsWith('\t0x', from) ? 'hex' : 'text';
          break;
        }
        // The -v TCP line (4 spaces, then SRC > DST: ...) and inner headers of tunnels; not the packet
        // an ICMP error quotes (-v prints the headers of the packet that caused it), which is not this
        // record's and was seen on its own before.
        if ((current.kind === 'other' && !current.protocol?.startsWith('ICMP')) || this.awaitingTcp) {
          let s = from;
          while (text.charCodeAt(s) === 32) s++;
          const r = parseNetworkPart(text, s, i, true, current, chars, base);
          if (r && r.kind !== 'other') {
            current.kind = r.kind;
            current.tcpLine = i;
            if (r.problem) this.problems.push(r.problem);
            this.awaitingTcp = false;
          }
        }
        break;
      }
      default: {
        // A line of text in an -A dump: the current packet's payload (most lines of such a file), read
        // without a record slot made for it first.
        if (kind === 'text' && asciiDump && current) {
          this.addAsciiLine(current, i, text);
          break;
        }
        const rec = TraceRecord.create(this.firstIndex + this.records.length, i, this.store);
        if (!prefix.scanned) scanPrefix(text, textStart(text), prefix, chars, base);
        const hasPrefix = prefix.timeKind !== 'none' || prefix.number !== undefined;
        const r = parseNetworkPart(text, prefix.bodyStart, i, !hasPrefix, rec, chars, base);
        if (!r || (asciiDump && current && this.insideDump(current))) {
          if (current && asciiDump) {
            this.addAsciiLine(current, i, text);
            break;
          }
          if (isCodeFence(text)) break;
          const message = readTcpdumpMessage(text);
          if (message) {
            // The command that made the trace says how its numbers are printed (only one before its
            // first packet: a later one is another capture's).
            if (message.kind === 'command' && this.records.length === 0 && this.firstIndex === 0)
              this.commandNumbering = commandNumbering(text);
            const drops = droppedPackets(message, i, text);
            if (drops) this.problems.push(drops);
            break;
          }
          this.unknownLines++;
          if (this.unknownLines > MAX_UNKNOWN_LINE_PROBLEMS) break;
          this.problems.push({
            code: 'parse.unknown-line',
            message:
              'not a tcpdump packet line (expected [time] IP SRC.PORT > DST.PORT: Flags [...], ...); start notes with #',
            span: lineSpan(text, i),
          });
          break;
        }
        this.startRecord(rec);
        if (prefix.number !== undefined) {
          rec.number = prefix.number;
          rec.setSpanColumns(SpanField.number, prefix.numberStart, prefix.numberEnd);
        }
        // A new record has no time: only a found one is written.
        if (prefix.timeKind !== 'none') {
          rec.timeKind = prefix.timeKind;
          rec.timeValue = prefix.timeValue;
          rec.setSpanColumns(SpanField.time, prefix.timeStart, prefix.timeEnd);
        }
        if (prefix.interfaceText && !rec.linkText) rec.linkText = prefix.interfaceText;
        rec.kind = r.kind;
        if (r.problem) this.problems.push(r.problem);
        this.awaitingTcp = r.awaitsTcpLine === true;
        break;
      }
    }
  }

  /**
   * `rec`, read from a head line, is the current record from now on: the one before is finished, and
   * the comments just above are its annotations.
   */
  private startRecord(rec: TraceRecord): void {
    finish(this.current, this.awaitingTcp, this.lines, this.problems);
    this.current = rec;
    this.dumpChars = 0;
    this.dumpOfBytes = false;
    rec.appendTo(this.records);
    // A new record has none: only a list of some is handed over (then a new one starts).
    if (this.pendingComments.length) {
      rec.annotations = this.pendingComments;
      this.pendingComments = [];
    }
  }

  /**
   * Whether the head line just scanned (its time in `prefix`) is payload of `current`'s -A dump that
   * looks like a packet line (a trace pasted into a web page, say): its time is well before the
   * current record's, which tcpdump's own lines do not do, and the dump has shown fewer characters
   * than the current packet's headers and payload, so it cannot have ended (unless the capture cut the
   * packet short: the time rule still has to hold). A real packet line a capture stamped earlier by
   * more than a millisecond, right after a packet it cut short, would be read as payload.
   */
  private insideDump(current: TraceRecord): boolean {
    return this.insideDumpAt(current, this.prefix.timeKind, this.prefix.timeValue);
  }

  /** insideDump for a line stamped `timeValue` of `timeKind`. */
  private insideDumpAt(current: TraceRecord, timeKind: TimeKind, timeValue: number): boolean {
    if (!this.dumpOfBytes) return false;
    // The dump holds at least the IP and TCP headers (20 bytes each) and the payload, less what the
    // IP header says the capture lacks.
    const payload = current.length === undefined ? 0 : current.length - (current.ipMissingBytes ?? 0);
    if (this.dumpChars >= payload + 40) return false;
    if (timeKind === 'none' || timeKind === 'delta' || timeKind !== current.timeKind) return false;
    const before = current.timeValue;
    if (before === undefined) return false;
    const earlier = before - timeValue;
    // (A clock time of the next day is smaller by most of a day.)
    return earlier > 0.001 && (timeKind !== 'clock' || earlier < 43200);
  }

  /**
   * Whether the line (`text`, also at `at` of `source`), in an -A dump, starts with a time the flat
   * reader reads (a clock, or -tttt's date and clock) that makes it payload of the current record's
   * dump (see insideDump): the flat reader must leave it to the general one.
   */
  private stampedAsPayload(text: string, source: string, at: number): boolean {
    const current = this.current;
    if (!this.asciiDump || !current) return false;
    const time = readStamp(text, 0, source, at);
    return time >= 0 && this.insideDumpAt(current, stampKind, time);
  }

  /**
   * Whether line `i`, were it read next, would be payload of the current record's -A dump however it
   * starts (see insideDump). An edit that reads lines again must find the packet line after them
   * still a packet's: what came before it decides.
   */
  takesAsPayload(i: number): boolean {
    const current = this.current;
    if (!this.asciiDump || !current) return false;
    const text = this.lines.at(i);
    if (text === undefined) return false;
    scanPrefix(text, textStart(text), this.prefix);
    this.prefix.scanned = false;
    return this.insideDump(current);
  }

  /** Line `i` (`text`) of `current`'s -A dump. */
  private addAsciiLine(current: TraceRecord, i: number, text: string): void {
    current.endLine = i;
    current.dump ??= 'ascii';
    this.addDumpLine(text);
  }

  /** Counts a line of the current record's dump (see insideDump). */
  private addDumpLine(text: string): void {
    if (this.dumpChars === 0) {
      const c = text.charCodeAt(0);
      this.dumpOfBytes = (c >= 69 && c <= 79) || (c >= 96 && c <= 111) || c === 46;
    }
    this.dumpChars += text.length + 1;
  }

  end(): { records: RecordSlots; problems: ParseProblem[] } {
    finish(this.current, this.awaitingTcp, this.lines, this.problems);
    if (this.unknownLines > MAX_UNKNOWN_LINE_PROBLEMS) {
      // A file of prose or another tool's output: say so once instead of flooding the Problems view.
      this.problems.push({
        code: 'parse.unknown-line',
        message: `${this.unknownLines - MAX_UNKNOWN_LINE_PROBLEMS} more lines are not tcpdump packet lines (only the first ${MAX_UNKNOWN_LINE_PROBLEMS} are marked)`,
        span: { line: 0, start: 0, end: this.lines.at(0)?.length ?? 0 },
      });
    }
    return { records: this.records, problems: this.problems };
  }
}

function lineSpan(text: string, line: number): Span {
  let s = 0;
  while (s < text.length && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  const end = Math.min(text.length, Math.max(s + 1, text.trimEnd().length));
  return { line, start: Math.min(s, end), end };
}

/**
 * The records of the lines from `i` on that the WebAssembly reader read (see RecordReader.scannedRun),
 * written into `store` and appended to `records`; the first line not taken. A function of its own:
 * V8 compiles this loop while it runs (on the stack), and code after the loop in the same function
 * had never run then, so each such compile was thrown away as the loop ended (six times on the bench
 * trace).
 */
function writeScannedRun(
  lines: LineList,
  scanned: ScannedLines,
  heads: Array<KnownHead | undefined>,
  store: RecordStore,
  records: RecordSlots,
  firstIndex: number,
  i: number,
): number {
  for (; i < lines.length; i++) {
    const row = scanned.row(i);
    if (row < 0) break;
    const slot = writeScannedLine(lines, i, scanned.results, row, heads, store, firstIndex + records.length);
    if (slot < 0) break;
    records.push(slot);
  }
  return i;
}

/** A `-v` IPv4 header that said TCP but whose TCP line never came is a broken record. */
function finish(
  rec: PacketRecord | undefined,
  awaitingTcp: boolean,
  lines: LineList,
  problems: ParseProblem[],
): void {
  if (!rec || !awaitingTcp) return;
  if (rec.endLine === rec.line) {
    const text = lines.at(rec.line)!;
    rec.kind = 'malformed';
    problems.push({
      code: 'parse.malformed-line',
      message:
        'IP header says TCP, but the TCP line (4 spaces, then SRC.PORT > DST.PORT: Flags [...]) does not follow',
      span: lineSpan(text, rec.line),
    });
  }
}

/**
 * First pass: is this an -A dump (packet bytes as raw text under each head line), and do head lines
 * carry a time or number prefix? A hand-written trace has at most a few stray lines of prose.
 */
export function judgeAsciiDump(lines: LineList): { asciiDump: boolean; prefixed: boolean | undefined } {
  let heads = 0;
  let headsWithText = 0;
  let ipHeaderText = 0;
  let prefixed: boolean | undefined;
  let recordHasText = false;
  const sample = Math.min(lines.length, ASCII_DUMP_SAMPLE_LINES);
  const prefix = new ScannedPrefix();
  for (let i = 0; i < sample; i++) {
    // Settled once the lines left cannot bring the heads with text up to half the heads: each of them
    // needs a head and a text line, but the current head's (so 2 * headsWithText - heads grows by at
    // most 2 + left / 2). Then what is left is not read (in a trace without text, the last two thirds).
    if (prefixed !== undefined && 2 * headsWithText - heads + 2 + (sample - i) / 2 < 0) break;
    const line = lines.at(i)!;
    const k = quickKind(line, prefix);
    if (k === 'prefixed' || k === 'packet') {
      prefixed ??= k === 'prefixed';
      heads++;
      recordHasText = false;
    } else if ((k === 'text' || k === 'comment') && heads > 0 && !recordHasText) {
      recordHasText = true;
      headsWithText++;
      if (looksLikeIpHeaderText(line)) ipHeaderText++;
    }
  }
  const asciiDump =
    headsWithText > 0 && headsWithText * 2 >= heads && (ipHeaderText > 0 || headsWithText >= 3);

  return { asciiDump, prefixed };
}
