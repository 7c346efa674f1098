/**
 * `packetTrace.maxFileSizeMB`: a document above the limit is analysed only up to the last line break at
 * or below it, and one information diagnostic says so. Every feature sees the cut document, so on the
 * lines past the cut they answer empty.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
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
  view: TextDocument;
  totalChars: number;
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
    const view = TextDocument.create(doc.uri, doc.languageId, doc.version, cutAtLineBreak(text, limit));
    this.cuts.set(doc.uri, { version: doc.version, limitMB, view, totalChars: text.length });
    return view;
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
          ? `only its first ${mb(view.getText().length)} MB (lines 1..${lines}) were analysed`
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
