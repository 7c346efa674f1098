/**
 * The server's text document: what vscode-languageserver-textdocument's TextDocument does, kept as
 * lines. That one keeps one string and splices every change into it, so the next change's offsetAt
 * reads a character of a 16 MB concatenation and V8 copies the whole text flat first: several
 * milliseconds a keystroke in a large trace, though the incremental analysis never needs the text.
 * Here a ranged change replaces only the lines it touches; the whole text is joined again only when
 * someone asks for it (a full analysis). Positions mean what they mean there (LSP's UTF-16 columns,
 * a column past a line's end is its end, line breaks are \n, \r\n and a lone \r).
 */
import type {
  Position,
  Range,
  TextDocument,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-textdocument';
import { lowerBound } from './trace/search';

const LF = 10;
const CR = 13;

/** `text` cut after each line break (\n, \r\n or \r), the last line without one ('' after a final break). */
export function splitKeepingBreaks(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  if (text.indexOf('\r') < 0) {
    // The common case, without a character loop.
    for (let lf = text.indexOf('\n'); lf >= 0; lf = text.indexOf('\n', start)) {
      lines.push(text.slice(start, lf + 1));
      start = lf + 1;
    }
  } else {
    // The next CR and the next LF, each searched again once passed (indexOf is vectorised; a search
    // for a CR on every line would run to the end of a text without more CRs, each time).
    let cr = text.indexOf('\r');
    let lf = text.indexOf('\n');
    while (cr >= 0 || lf >= 0) {
      let end = lf + 1;
      if (cr >= 0 && (lf < 0 || cr < lf)) end = text.charCodeAt(cr + 1) === LF ? cr + 2 : cr + 1;
      lines.push(text.slice(start, end));
      start = end;
      if (cr >= 0 && cr < start) cr = text.indexOf('\r', start);
      if (lf >= 0 && lf < start) lf = text.indexOf('\n', start);
    }
  }
  lines.push(text.slice(start));
  return lines;
}

/** The length of a line without its line break. */
function contentLength(line: string): number {
  const n = line.length;
  if (n === 0) return 0;
  const last = line.charCodeAt(n - 1);
  if (last === LF) return n >= 2 && line.charCodeAt(n - 2) === CR ? n - 2 : n - 1;
  return last === CR ? n - 1 : n;
}

export class LineDocument implements TextDocument {
  /** The text, when it is joined (at creation, and after someone asked for it). */
  private text: string | undefined;
  /** The lines, each with its line break, once a change needed them. */
  private lines: string[] | undefined;
  /** Where each line starts, computed when asked for. */
  private offsets: number[] | undefined;
  private chars: number;
  private currentVersion: number;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    version: number,
    content: string,
  ) {
    this.currentVersion = version;
    this.text = content;
    this.chars = content.length;
  }

  get version(): number {
    return this.currentVersion;
  }

  /** The number of characters (UTF-16 units) of the text, without joining it. */
  get length(): number {
    return this.chars;
  }

  get lineCount(): number {
    return this.lineList().length;
  }

  /** Line `i` with its line break ('' for the empty last line after a final break); undefined past the end. */
  lineWithBreak(i: number): string | undefined {
    return this.lineList()[i];
  }

  getText(range?: Range): string {
    if (this.text === undefined) this.text = this.lines!.join('');
    if (!range) return this.text;
    return this.text.substring(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  offsetAt(position: Position): number {
    const lines = this.lineList();
    if (position.line >= lines.length) return this.chars;
    if (position.line < 0) return 0;
    const start = this.lineOffsets()[position.line]!;
    if (position.character <= 0) return start;
    return start + Math.min(position.character, contentLength(lines[position.line]!));
  }

  positionAt(offset: number): Position {
    const at = Math.max(Math.min(offset, this.chars), 0);
    const offsets = this.lineOffsets();
    // The last line that starts at or before `at` (offsets are whole numbers).
    const line = Math.max(0, lowerBound(offsets.length, (k) => offsets[k]!, at + 1) - 1);
    const character = Math.min(at - offsets[line]!, contentLength(this.lineList()[line]!));
    return { line, character };
  }

  update(changes: TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change) || !change.range) this.replaceAll(change.text);
      else if (!this.replaceLines(change.range, change.text))
        this.replaceByOffsets(change.range, change.text);
    }
    this.currentVersion = version;
  }

  private lineList(): string[] {
    if (this.lines === undefined) this.lines = splitKeepingBreaks(this.text!);
    return this.lines;
  }

  private lineOffsets(): number[] {
    if (this.offsets === undefined) {
      const offsets: number[] = [];
      let at = 0;
      for (const line of this.lineList()) {
        offsets.push(at);
        at += line.length;
      }
      this.offsets = offsets;
    }
    return this.offsets;
  }

  private replaceAll(text: string): void {
    this.text = text;
    this.lines = undefined;
    this.offsets = undefined;
    this.chars = text.length;
  }

  /** A change as a splice of the whole text (where it would join a lone \r and a \n into one break). */
  private replaceByOffsets(range: Range, text: string): void {
    const [start, end] = ordered(this.offsetAt(range.start), this.offsetAt(range.end));
    const whole = this.getText();
    this.replaceAll(whole.substring(0, start) + text + whole.substring(end));
  }

  /**
   * A change that replaces only the lines it touches; false, with nothing changed, where it would
   * reach the line above: a \n at its start after a lone \r there makes one \r\n of the two. (At its
   * end it keeps the last line's own break, which a \r before it cannot join: \r\r\n is two breaks.)
   */
  private replaceLines(range: Range, text: string): boolean {
    const lines = this.lineList();
    const [from, to] = orderedPositions(this.clamp(range.start), this.clamp(range.end));
    const first = lines[from.line]!;
    const last = lines[to.line]!;
    const joined = first.slice(0, from.character) + text + last.slice(to.character);
    if (joined.charCodeAt(0) === LF && from.line > 0) {
      const above = lines[from.line - 1]!;
      if (above.charCodeAt(above.length - 1) === CR) return false;
    }
    const replacement = splitKeepingBreaks(joined);
    // Unless the change reaches the last line, `joined` ends with the last line's break, and the empty
    // remainder after it is not a line: the next line follows.
    if (to.line < lines.length - 1) replacement.pop();
    let removed = 0;
    for (let i = from.line; i <= to.line; i++) removed += lines[i]!.length;
    this.chars += joined.length - removed;
    if (replacement.length < 10000) lines.splice(from.line, to.line - from.line + 1, ...replacement);
    else this.lines = lines.slice(0, from.line).concat(replacement, lines.slice(to.line + 1));
    this.text = undefined;
    this.offsets = undefined;
    return true;
  }

  /** A position moved into the text, as offsetAt reads it: a line and a column inside that line. */
  private clamp(position: Position): Position {
    const lines = this.lineList();
    if (position.line >= lines.length) {
      const line = lines.length - 1;
      return { line, character: lines[line]!.length };
    }
    if (position.line < 0) return { line: 0, character: 0 };
    const max = contentLength(lines[position.line]!);
    return { line: position.line, character: Math.max(0, Math.min(position.character, max)) };
  }
}

function ordered(a: number, b: number): [number, number] {
  return a <= b ? [a, b] : [b, a];
}

function orderedPositions(a: Position, b: Position): [Position, Position] {
  return a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
}
