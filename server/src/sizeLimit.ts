/**
 * `packetTrace.maxFileSizeMB`: a document above the limit is analysed only up to the last line break at
 * or below it, and one information diagnostic says so. Every feature sees the cut document, so on the
 * lines past the cut they answer empty.
 */
import type { Range, TextDocument, TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { LineDocument } from './lineDocument';
import { CODES, type Finding, type TraceAnalysis } from './trace/index';

const MB = 1024 * 1024;

/** The first part of `text` of at most `limit` characters that ends with a line break ('' when none does). */
export function cutAtLineBreak(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // The line break itself is kept (it lies below the limit), so the last kept line is whole.
  const end = Math.max(text.lastIndexOf('\n', limit - 1), text.lastIndexOf('\r', limit - 1)) + 1;
  return text.slice(0, end);
}

interface Cut {
  version: number;
  limitMB: number;
  /** The first part of the document, kept as lines so that an edit inside it updates it in place. */
  view: LineDocument;
  totalChars: number;
}

/** A change of a view's text: `range` of its previous text replaced by `text`. */
export interface ViewEdit {
  range: Range;
  text: string;
}

export class SizeLimiter {
  private readonly cuts = new Map<string, Cut>();

  /** The document as the analysis sees it: itself, or its first part when it is above the limit. */
  view(doc: TextDocument, limitMB: number): TextDocument {
    const cached = this.cuts.get(doc.uri);
    if (cached && cached.version === doc.version && cached.limitMB === limitMB) return cached.view;
    this.cuts.delete(doc.uri);
    if (!(limitMB > 0)) return doc;
    const limit = Math.floor(limitMB * MB);
    // A LineDocument knows its length without joining its lines.
    if (doc instanceof LineDocument && doc.length <= limit) return doc;
    // getText() hands out the stored string; slicing it copies nothing.
    const text = doc.getText();
    if (text.length <= limit) return doc;
    const view = new LineDocument(doc.uri, doc.languageId, doc.version, cutAtLineBreak(text, limit));
    this.cuts.set(doc.uri, { version: doc.version, limitMB, view, totalChars: text.length });
    return view;
  }

  /**
   * The view of `doc` (a LineDocument, cut at `fromVersion`) after `change`, made from the view before
   * it without reading the whole text: the change applied to the view, then whole lines taken away
   * from its end or put there from the document until it is cut where cutAtLineBreak would cut it.
   * `edits` are those changes of the view's text, in order, for the analysis to follow. Undefined
   * where that cannot be told so simply (a change not inside the view, the document now within the
   * limit, a cut between the \r and the \n of a line break): view() makes the view from the text.
   */
  edited(
    doc: TextDocument,
    limitMB: number,
    fromVersion: number,
    change: TextDocumentContentChangeEvent,
  ): { view: LineDocument; edits: ViewEdit[] } | undefined {
    const cut = this.cuts.get(doc.uri);
    if (!(doc instanceof LineDocument) || !('range' in change) || !change.range) return undefined;
    if (!cut || cut.version !== fromVersion || cut.limitMB !== limitMB) return undefined;
    const limit = Math.floor(limitMB * MB);
    if (doc.length <= limit) return undefined;
    const view = cut.view;
    const { start, end } = change.range;
    // Inside the view: on lines it holds whole (each with its line break), in order.
    const wholeLines = view.lineCount - 1;
    if (start.line < 0 || end.line < start.line || end.line >= wholeLines) return undefined;
    if (end.line === start.line && end.character < start.character) return undefined;
    view.update([change], doc.version);
    // The view's last line must be the document's line it stands for, break and all (not one cut
    // between its \r and \n): both had the same change.
    const lines = view.lineCount - 1;
    if (lines < 1 || view.lineWithBreak(lines - 1) !== doc.lineWithBreak(lines - 1))
      return this.dropCut(doc.uri);
    const edits: ViewEdit[] = [{ range: change.range, text: change.text }];
    let length = view.length;
    if (length > limit) {
      // Whole lines taken away from the end until the view is within the limit again.
      let keep = lines;
      while (keep > 0 && length > limit) length -= view.lineWithBreak(--keep)!.length;
      if (keep === 0) return this.dropCut(doc.uri);
      const range = { start: { line: keep, character: 0 }, end: { line: lines, character: 0 } };
      edits.push({ range, text: '' });
      view.update([{ range, text: '' }], doc.version);
    } else {
      // Whole lines of the document that now fit put at the end.
      const more: string[] = [];
      for (let i = lines; ; i++) {
        const line = doc.lineWithBreak(i);
        if (line === undefined || !endsWithBreak(line) || length + line.length > limit) break;
        more.push(line);
        length += line.length;
      }
      if (more.length) {
        const at = { line: lines, character: 0 };
        const text = more.join('');
        edits.push({ range: { start: at, end: at }, text });
        view.update([{ range: { start: at, end: at }, text }], doc.version);
      }
    }
    // cutAtLineBreak keeps a line cut between its \r and \n (the \r at the limit): not told here.
    const next = doc.lineWithBreak(view.lineCount - 1);
    if (next !== undefined && next.endsWith('\r\n') && length + next.length - 1 === limit)
      return this.dropCut(doc.uri);
    this.cuts.set(doc.uri, { version: doc.version, limitMB, view, totalChars: doc.length });
    return { view, edits };
  }

  /** Forgets the cut of `uri` (view() makes it again from the text). */
  private dropCut(uri: string): undefined {
    this.cuts.delete(uri);
    return undefined;
  }

  /** The finding that says a document was cut, when `view` is a cut one; `analysis` is the view's. */
  notice(view: TextDocument, analysis: TraceAnalysis): Finding | undefined {
    const cut = this.cuts.get(view.uri);
    if (!cut || cut.view !== view) return undefined;
    const mb = (chars: number) => (chars / MB).toFixed(1);
    const lines = analysis.parsed.lineCount;
    return {
      code: 'file.too-large',
      severity: CODES['file.too-large'].severity,
      message: `this file is ${mb(cut.totalChars)} MB, above packetTrace.maxFileSizeMB (${cut.limitMB}): ${
        lines > 0
          ? `only its first ${mb(cut.view.length)} MB (lines 1..${lines}) were analysed`
          : 'its first line alone is longer, so nothing was analysed'
      }; raise the setting, or set it to 0 for no limit, to analyse all of it`,
      span: { line: 0, start: 0, end: analysis.parsed.lines[0]?.length ?? 0 },
      related: [],
    };
  }

  delete(uri: string): void {
    this.cuts.delete(uri);
  }

  clear(): void {
    this.cuts.clear();
  }
}

/** Whether a line (as LineDocument keeps it) ends with a line break. */
function endsWithBreak(line: string): boolean {
  const c = line.charCodeAt(line.length - 1);
  return c === 10 || c === 13;
}
