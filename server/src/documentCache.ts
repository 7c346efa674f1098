/**
 * Analyses per document, cached by uri and version. A new version is first tried incrementally (an
 * edit inside one packet record re-analyses only that record's 4-tuple, see trace/incremental.ts);
 * anything else is analysed in full.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeTrace } from './trace/index';
import { reanalyze } from './trace/incremental';
import { TraceIndex } from './features/traceIndex';

export class DocumentCache {
  private readonly entries = new Map<string, TraceIndex>();
  /** How long the last analysis of each document took, in ms (it sets the diagnostics debounce). */
  readonly lastCost = new Map<string, number>();

  get(doc: TextDocument): TraceIndex {
    const cached = this.entries.get(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const started = performance.now();
    const text = doc.getText();
    const analysis = (cached && reanalyze(cached.analysis, text)) || analyzeTrace(text);
    const index = new TraceIndex(analysis, doc.uri, doc.version);
    this.entries.set(doc.uri, index);
    this.lastCost.set(doc.uri, performance.now() - started);
    return index;
  }

  /**
   * Tries the incremental path for a new version right away; true when it applied (the analysis is
   * then current and cheap to publish). Otherwise the next get() analyses in full.
   */
  tryIncremental(doc: TextDocument): boolean {
    const cached = this.entries.get(doc.uri);
    if (!cached || cached.version === doc.version) return !!cached;
    const started = performance.now();
    const analysis = reanalyze(cached.analysis, doc.getText());
    if (!analysis) return false;
    this.entries.set(doc.uri, new TraceIndex(analysis, doc.uri, doc.version));
    this.lastCost.set(doc.uri, performance.now() - started);
    return true;
  }

  delete(uri: string): void {
    this.entries.delete(uri);
    this.lastCost.delete(uri);
  }

  clear(): void {
    this.entries.clear();
    this.lastCost.clear();
  }
}
