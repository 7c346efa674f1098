/**
 * Analyses per document, cached by uri and version. A new version is first tried incrementally (an
 * edit inside one packet record re-analyses only that record's 4-tuple, a packet line taken away or
 * put in only its own; see trace/incremental/); anything else is analysed in full.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeTrace, type TraceAnalysis } from './trace/index';
import { reanalyze, reanalyzeEdit, type LinePosition } from './trace/incremental';
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
    const incremental = cached && reanalyze(cached.analysis, text);
    const analysis = incremental || analyzeTrace(text);
    const index = new TraceIndex(analysis, doc.uri, doc.version, incremental ? cached : undefined);
    this.entries.set(doc.uri, index);
    this.lastCost.set(doc.uri, performance.now() - started);
    return index;
  }

  /** Whether this version of the document is analysed already (opening publishes it at once). */
  isCurrent(doc: TextDocument): boolean {
    return this.entries.get(doc.uri)?.version === doc.version;
  }

  /**
   * Tries the incremental path for a new version right away; true when it applied (the analysis is
   * then current and cheap to publish). Otherwise the next get() analyses in full.
   */
  tryIncremental(doc: TextDocument): boolean {
    const cached = this.entries.get(doc.uri);
    if (!cached || cached.version === doc.version) return !!cached;
    const started = performance.now();
    return this.keepIncremental(doc, cached, reanalyze(cached.analysis, doc.getText()), started);
  }

  /**
   * The incremental path from an editor's change event: `range` of version `fromVersion` replaced by
   * `text` gives `doc`. Nothing looks at the whole text (see reanalyzeEdit); true when it applied.
   */
  tryEdit(
    doc: TextDocument,
    fromVersion: number,
    range: { start: LinePosition; end: LinePosition },
    text: string,
  ): boolean {
    const cached = this.entries.get(doc.uri);
    if (!cached || cached.version !== fromVersion) return false;
    const started = performance.now();
    return this.keepIncremental(doc, cached, reanalyzeEdit(cached.analysis, range, text), started);
  }

  /** Keeps an incremental analysis of `doc` made from `cached` (false when there is none). */
  private keepIncremental(
    doc: TextDocument,
    cached: TraceIndex,
    analysis: TraceAnalysis | undefined,
    started: number,
  ): boolean {
    if (!analysis) return false;
    this.entries.set(doc.uri, new TraceIndex(analysis, doc.uri, doc.version, cached));
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
