/**
 * Re-analysis after an edit that stays inside one packet record, the common case of typing in a
 * trace: only that record is read again, and only the connections of its 4-tuple are tracked and
 * judged again; every other connection keeps its analysis (a 4-tuple's analysis reads its own
 * records alone). Notes are the other common case: typing in a `#` comment changes only the
 * annotations of the packet below it, and blank or comment lines added or taken away between records
 * only move what is below them (reanalyzeMovedLines). Packet lines taken away from between others or
 * put in there move what is below them and change their own 4-tuples (reanalyzeSplice); lines
 * appended, taken away or changed at the end join or leave their 4-tuples (reanalyzeTail); a record
 * changed beyond what its connection decides (its time, endpoints, a SYN) is taken away and read
 * again in its place (the first record with the lines above it: its notes, the command line before
 * the first packet). Anything that could reach further (the day of the times below, -ttt deltas that
 * move them, the -S reading flipping, the -A reading, in an -A dump a packet line below made payload,
 * a file whose line breaks are not all \n or all \r\n) returns undefined, and the caller analyses the
 * whole text. (In an -A dump, blank and comment lines are payload: lines added or taken away there
 * are read again with the packet they are in.) The result equals a fresh analyzeTrace of the new text.
 *
 * This module takes an edit (the whole new text, or an editor's change range) and finds which kind it
 * is; each kind has its file: editedRecord.ts (lines of one record changed, comments too, see
 * notes.ts), movedLines.ts (blank or comment lines added or taken away), spliced.ts (packet lines
 * taken away or put in between others), tail.ts (lines added, taken away or changed at the end).
 * shared.ts holds what they share.
 */
import type { AnalyzeOptions, TraceAnalysis } from '../analyze';
import { detectBinaryCapture, eolOf, lineBreaksOf, splitLines, type ParsedTrace } from '../parser';
import { withPlainSpaces } from '../pastedText';
import { FILE_HEAD_CHARS, judgeNotText } from '../textEncoding';
import { editedParse, sameAnalysis, uniformBreaks } from './shared';
import { reanalyzeMovedLines } from './movedLines';
import { reanalyzeSplice } from './spliced';
import { reanalyzeTail } from './tail';
import { reanalyzeLines } from './editedRecord';

export function reanalyze(
  prev: TraceAnalysis,
  source: string,
  options: AnalyzeOptions = {},
): TraceAnalysis | undefined {
  // As parseTrace reads it (its lines are compared with the parse's).
  const text = withPlainSpaces(source);
  const old = prev.parsed;
  if (old.binary) return undefined;
  // An edit can make the file's head judged another kind of file (binary, UTF-16): that changes everything.
  if (detectBinaryCapture(text) || judgeNotText(text)) return undefined;
  // The line ending is file-wide (the quick fixes' line ending): an edit that changes it changes
  // everything.
  const breaks = lineBreaksOf(text);
  if (breaks !== old.breaks || eolOf(text, breaks) !== old.eol) return undefined;
  const lines = splitLines(text);
  if (lines.length !== old.lines.length) {
    if (!uniformBreaks(old)) return undefined;
    // The lines before the first difference and after the last are the same lines, moved.
    return reanalyzeLineCount(prev, lines, 0, old.lines.length, lines.length, options);
  }
  // The changed lines: from the first difference to the last.
  let first = 0;
  while (first < lines.length && lines[first] === old.lines[first]) first++;
  if (first === lines.length)
    return sameAnalysis(
      prev,
      editedParse(old, { recordList: old.recordList, lines, problems: old.problems }),
    );
  let last = lines.length - 1;
  while (last > first && lines[last] === old.lines[last]) last--;
  return reanalyzeLines(prev, lines, first, last, options);
}

/**
 * Re-analysis after lines were added or taken away: lines `from` to `oldEnd` of the previous text
 * became lines `from` to `newEnd` of `lines` (every line outside is the same). The head and tail of
 * those that are the same lines, moved, are left out; what remains is blank or comment lines put in
 * or taken away (reanalyzeMovedLines), or a change after which no record starts: lines appended,
 * taken away or changed at the end (reanalyzeTail).
 */
function reanalyzeLineCount(
  prev: TraceAnalysis,
  lines: string[],
  from: number,
  oldEnd: number,
  newEnd: number,
  options: AnalyzeOptions,
): TraceAnalysis | undefined {
  const old = prev.parsed.lines;
  let at = from;
  while (at < oldEnd && at < newEnd && lines[at] === old[at]) at++;
  let tail = 0;
  while (at < oldEnd - tail && at < newEnd - tail && lines[newEnd - 1 - tail] === old[oldEnd - 1 - tail])
    tail++;
  const removed = oldEnd - tail - at;
  const added = newEnd - tail - at;
  const moved = reanalyzeMovedLines(prev, lines, at, removed, added);
  if (moved) return moved;
  const records = prev.parsed.recordList;
  const last = records.at(records.length - 1);
  if (last && last.line < oldEnd - tail) return reanalyzeTail(prev, lines, at, options);
  return reanalyzeSplice(prev, lines, at, removed, added, options);
}

/** A position in a document: 0-based line, and UTF-16 column (as LSP counts). */
export interface LinePosition {
  line: number;
  character: number;
}

/**
 * Re-analysis after an editor's change event (`range` of the previous text replaced by `newText`),
 * without looking at the whole text: the previous analysis's lines with the edited ones replaced.
 * Undefined when the edit could reach further than its record (see reanalyzeLines) or when it touches
 * what is judged on the whole file: its head (the kind of file), the kind of its line breaks.
 */
export function reanalyzeEdit(
  prev: TraceAnalysis,
  range: { start: LinePosition; end: LinePosition },
  newText: string,
  options: AnalyzeOptions = {},
): TraceAnalysis | undefined {
  const old = prev.parsed;
  const { start, end } = range;
  // Where the line breaks are mixed, an edit next to one can make a CRLF out of two: the text path
  // splits the whole text again. Otherwise the file's breaks stay one kind.
  if (old.binary || !keepsBreaks(old, start.line, newText)) return undefined;
  // A text that ends with a line break has one more line in the editor, empty, after it: no line of
  // the parse (splitLines). A range may end there (a cut to the end, a paste at the end).
  const count = old.lines.length;
  if (start.line < 0 || end.line < start.line || end.line > count) return undefined;
  if (end.line === start.line && end.character < start.character) return undefined;
  // The file's kind is judged on its head: an edit there has the new head judged again (the text's
  // was text, and must stay text).
  const eol = old.eol;
  let before = 0;
  for (let i = 0; i < start.line && before <= FILE_HEAD_CHARS; i++)
    before += old.lines[i]!.length + eol.length;
  if (before + start.character <= FILE_HEAD_CHARS) {
    const head = editedHead(old.lines, range, newText, eol);
    if (head === undefined || detectBinaryCapture(head) || judgeNotText(head)) return undefined;
  }
  const first = old.lines[start.line] ?? '';
  const lastLine = old.lines[end.line] ?? '';
  // Columns past the end of a line mean its end, as the editor applied them.
  const joined =
    first.slice(0, Math.min(start.character, first.length)) +
    newText +
    lastLine.slice(Math.min(end.character, lastLine.length));
  const edited = withPlainSpaces(joined).split(old.breaks === 'crlf' ? '\r\n' : '\n');
  // The edit took in the empty line after the last line break: what it leaves after its own last
  // line break (if anything) is the new last line, and an empty one is again no line.
  if (end.line === count && edited[edited.length - 1] === '') edited.pop();
  const replaced = Math.min(end.line + 1, count) - start.line;
  if (edited.length !== replaced) {
    // Lines added or taken away: the edited lines' common head and tail are lines that only moved.
    const lines = old.lines.slice(0, start.line).concat(edited, old.lines.slice(end.line + 1));
    return reanalyzeLineCount(
      prev,
      lines,
      start.line,
      start.line + replaced,
      start.line + edited.length,
      options,
    );
  }
  if (replaced === 0) return undefined;
  const lines = old.lines.slice();
  for (let k = 0; k < edited.length; k++) lines[start.line + k] = edited[k]!;
  return reanalyzeLines(prev, lines, start.line, start.line + replaced - 1, options);
}

/**
 * Whether the text stays of `parsed`'s kind of line breaks, all \n or all \r\n, after `newText` is
 * put in at a range starting on line `startLine`: its own breaks are of that kind, and with \r\n,
 * one stays before it (a text without a break is all \n).
 */
function keepsBreaks(parsed: ParsedTrace, startLine: number, newText: string): boolean {
  const kind = lineBreaksOf(newText);
  if (parsed.breaks === 'lf') return kind === 'lf';
  if (parsed.breaks !== 'crlf') return false;
  return kind === 'crlf' || (kind === 'lf' && newText.indexOf('\n') < 0 && startLine > 0);
}

/**
 * The first FILE_HEAD_CHARS characters of the text `lines` (joined by `eol`, every line break of the
 * file) make after `range` is replaced by `newText`: what the judgements of the file's kind read.
 * Undefined for a shorter text (whether it ends with a line break, which the lines do not say, would
 * count).
 */
function editedHead(
  lines: readonly string[],
  range: { start: LinePosition; end: LinePosition },
  newText: string,
  eol: string,
): string | undefined {
  const { start, end } = range;
  const parts: string[] = [];
  let length = 0;
  const put = (piece: string) => {
    parts.push(piece);
    length += piece.length;
  };
  for (let i = 0; i < start.line && length <= FILE_HEAD_CHARS; i++) put(`${lines[i]!}${eol}`);
  const first = lines[start.line] ?? '';
  put(first.slice(0, Math.min(start.character, first.length)));
  put(newText);
  const last = lines[end.line];
  if (last !== undefined) {
    put(last.slice(Math.min(end.character, last.length)));
    for (let i = end.line + 1; i < lines.length && length <= FILE_HEAD_CHARS; i++) put(`${eol}${lines[i]!}`);
  }
  return length >= FILE_HEAD_CHARS ? parts.join('').slice(0, FILE_HEAD_CHARS) : undefined;
}
