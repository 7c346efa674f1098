/**
 * Analyses per document, cached by uri and version: a request for the current version reuses the
 * analysis; an edit makes the next request (or the debounced diagnostics) analyse again.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeTrace } from './trace/index';
import { TraceIndex } from './features/traceIndex';

export class DocumentCache {
  private readonly entries = new Map<string, TraceIndex>();

  get(doc: TextDocument): TraceIndex {
    const cached = this.entries.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const index = new TraceIndex(analyzeTrace(doc.getText()), doc.uri, doc.version);
    this.entries.set(doc.uri, index);
    return index;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
  }

  clear(): void {
    this.entries.clear();
  }
}
