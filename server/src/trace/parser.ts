/**
 * Turns trace text into packet records. One pass over the lines; a line is a record head, a
 * continuation of the current record (the `-v` TCP line, hex or ASCII dumps, decoder text), a `#`
 * comment, or blank. Never throws: unreadable lines become `parse.*` problems on their own range.
 */
import { isBlank } from './lineScanner';
import { parseNetworkPart, type LineResult } from './packetLine';
import { scanPrefix } from './timestamp';
import type { PacketRecord, ParseProblem, Span } from './types';

export interface ParsedTrace {
  records: PacketRecord[];
  problems: ParseProblem[];
  lineCount: number;
  /** The text of every line, without line terminators. */
  lines: string[];
  /** The file dumps packet bytes as ASCII (`-A`): unindented lines after a head are payload, not errors. */
  asciiDump: boolean;
  /** The text is a binary capture, not tcpdump text. */
  binary?: 'pcap' | 'pcapng';
}

/** Splits text into lines on \n, \r\n or a lone \r, without keeping the terminators. */
export function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      lines.push(text.slice(start, i));
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
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
  // Decoded as UTF-8, the magic's high bytes become U+FFFD; the NUL-rich header gives it away.
  if (head.includes('\ufffd') && text.slice(0, 24).includes('\u0000')) return 'pcap';
  return undefined;
}

/** Beyond this many unreadable non-packet lines, one summary problem stands for the rest. */
const MAX_UNKNOWN_LINE_PROBLEMS = 200;

type LineClass =
  | { t: 'blank' }
  | { t: 'comment' }
  | { t: 'indented' }
  | { t: 'head'; prefix: ReturnType<typeof scanPrefix>; result: LineResult }
  | { t: 'text' };

function classify(text: string, line: number): LineClass {
  if (text.length === 0 || isBlank(text)) return { t: 'blank' };
  const c0 = text.charCodeAt(0);
  if (c0 === 9) return { t: 'indented' };
  let firstNonSpace = 0;
  while (text.charCodeAt(firstNonSpace) === 32) firstNonSpace++;
  if (text.charCodeAt(firstNonSpace) === 35) return { t: 'comment' };
  const prefix = scanPrefix(text, line);
  const hasPrefix = prefix.timeKind !== 'none' || prefix.number !== undefined;
  if (!hasPrefix && c0 === 32) return { t: 'indented' };
  const result = parseNetworkPart(text, prefix.bodyStart, line, !hasPrefix);
  if (result) return { t: 'head', prefix, result };
  return { t: 'text' };
}

function emptyRecord(index: number, line: number): PacketRecord {
  return {
    index,
    kind: 'other',
    line,
    endLine: line,
    tcpLine: line,
    timeKind: 'none',
    options: [],
    annotations: [],
  };
}

/** Parses a whole trace. Linear in the size of the text. */
export function parseTrace(text: string): ParsedTrace {
  const binary = detectBinaryCapture(text);
  if (binary) return { records: [], problems: [], lineCount: 1, lines: [''], asciiDump: false, binary };
  const lines = splitLines(text);
  const classes: LineClass[] = new Array(lines.length);
  let headsWithText = 0;
  let heads = 0;
  let recordHasText = false;
  for (let i = 0; i < lines.length; i++) {
    const cls = classify(lines[i]!, i);
    classes[i] = cls;
    if (cls.t === 'head') {
      heads++;
      recordHasText = false;
    } else if (cls.t === 'text' && heads > 0 && !recordHasText) {
      recordHasText = true;
      headsWithText++;
    }
  }
  // -A prints packet bytes as raw text under every head line; a hand-written trace has at most a few stray lines.
  const asciiDump = headsWithText >= 1 && headsWithText * 2 >= heads;

  const records: PacketRecord[] = [];
  const problems: ParseProblem[] = [];
  let current: PacketRecord | undefined;
  let awaitingTcp = false;
  let pendingComments: Array<{ text: string; line: number }> = [];
  let unknownLines = 0;

  for (let i = 0; i < lines.length; i++) {
    const cls = classes[i]!;
    const text = lines[i]!;
    switch (cls.t) {
      case 'blank':
        if (!asciiDump) pendingComments = [];
        if (current && asciiDump) current.endLine = i;
        break;
      case 'comment':
        pendingComments.push({ text: text.replace(/^\s*#\s?/, ''), line: i });
        break;
      case 'indented': {
        if (!current) {
          if (!isBlank(text)) {
            problems.push({
              code: 'parse.orphan-line',
              message: 'indented line before any packet: continuation lines belong under a packet line',
              span: lineSpan(text, i),
            });
          }
          break;
        }
        current.endLine = i;
        if (text.charCodeAt(0) === 9) {
          current.dump ??= text.startsWith('\t0x') ? 'hex' : 'text';
          break;
        }
        // The -v TCP line (4 spaces, then SRC > DST: ...) and inner headers of tunnels.
        if (current.kind === 'other' || current.kind === 'malformed' || awaitingTcp) {
          let s = 0;
          while (text.charCodeAt(s) === 32) s++;
          const r = parseNetworkPart(text, s, i, true);
          if (r && r.kind !== 'other') {
            applyResult(current, r, i, problems);
            awaitingTcp = false;
          }
        }
        break;
      }
      case 'head': {
        finish(current, awaitingTcp, lines, problems);
        current = emptyRecord(records.length, i);
        records.push(current);
        const p = cls.prefix;
        if (p.number !== undefined) [current.number, current.numberSpan] = [p.number, p.numberSpan];
        current.timeKind = p.timeKind;
        current.timeValue = p.timeValue;
        current.timeSpan = p.timeSpan;
        current.annotations = pendingComments;
        pendingComments = [];
        applyResult(current, cls.result, i, problems);
        awaitingTcp = cls.result.awaitsTcpLine === true;
        break;
      }
      case 'text':
        if (current && asciiDump) {
          current.endLine = i;
          current.dump ??= 'ascii';
          break;
        }
        unknownLines++;
        if (unknownLines > MAX_UNKNOWN_LINE_PROBLEMS) break;
        problems.push({
          code: 'parse.unknown-line',
          message:
            'not a tcpdump packet line (expected [time] IP SRC.PORT > DST.PORT: Flags [...], ...); start notes with #',
          span: lineSpan(text, i),
        });
        break;
    }
  }
  finish(current, awaitingTcp, lines, problems);
  if (unknownLines > MAX_UNKNOWN_LINE_PROBLEMS) {
    // A file of prose or another tool's output: say so once instead of flooding the Problems view.
    problems.push({
      code: 'parse.unknown-line',
      message: `${unknownLines - MAX_UNKNOWN_LINE_PROBLEMS} more lines are not tcpdump packet lines (only the first ${MAX_UNKNOWN_LINE_PROBLEMS} are marked)`,
      span: { line: 0, start: 0, end: Math.max(1, lines[0]?.length ?? 1) },
    });
  }
  return { records, problems, lineCount: lines.length, lines, asciiDump };
}

function lineSpan(text: string, line: number): Span {
  let s = 0;
  while (s < text.length && (text.charCodeAt(s) === 32 || text.charCodeAt(s) === 9)) s++;
  return { line, start: s, end: Math.max(s + 1, text.trimEnd().length) };
}

function applyResult(rec: PacketRecord, r: LineResult, line: number, problems: ParseProblem[]): void {
  const fromHeader = rec.ipMissingBytes;
  Object.assign(rec, r.fields);
  if (fromHeader !== undefined && rec.ipMissingBytes === undefined) rec.ipMissingBytes = fromHeader;
  if (!r.fields.options) rec.options = rec.options ?? [];
  rec.kind = r.kind;
  rec.tcpLine = line;
  if (r.problem) problems.push(r.problem);
}

/** A `-v` IPv4 header that said TCP but whose TCP line never came is a broken record. */
function finish(
  rec: PacketRecord | undefined,
  awaitingTcp: boolean,
  lines: string[],
  problems: ParseProblem[],
): void {
  if (!rec || !awaitingTcp) return;
  if (rec.endLine === rec.line) {
    const text = lines[rec.line]!;
    rec.kind = 'malformed';
    problems.push({
      code: 'parse.malformed-line',
      message:
        'IP header says TCP, but the TCP line (4 spaces, then SRC.PORT > DST.PORT: Flags [...]) does not follow',
      span: lineSpan(text, rec.line),
    });
  }
}
