/**
 * Analyses per document, cached by uri and version. A new version is first tried incrementally (an
 * edit inside one packet record re-analyses only that record's 4-tuple, a packet line taken away or
 * put in only its own; see trace/incremental/); anything else is analysed in full.
 *
 * A version analysed from scratch for its diagnostics is analysed in two steps: first only what the
 * findings need (analyzeTrace's findingsOnly: no endpoint states, relative numbers, ack targets,
 * checkpoints or Zeek summaries), which the server publishes, then the full analysis from the same
 * parse (completeAnalysis), when the server next has a moment or as soon as a feature asks for it.
 * Opening a large trace then shows its diagnostics without waiting for what only hovers, hints and
 * the other features need.
 */
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeTrace, completeAnalysis, type TraceAnalysis } from './trace/index';
import { reanalyze, reanalyzeEdit, type LinePosition } from './trace/incremental';
import { TraceIndex } from './features/traceIndex';

/** A version's findings-only analysis, waiting for its full one, and what it cost (ms). */
interface PendingAnalysis {
  version: number;
  analysis: TraceAnalysis;
  cost: number;
}

export class DocumentCache {
  private readonly entries = new Map<string, TraceIndex>();
  /** By uri: a version analysed for its findings alone (see findings), the latest of the document. */
  private readonly pending = new Map<string, PendingAnalysis>();
  /** How long the last analysis of each document took, in ms (it sets the diagnostics debounce). */
  readonly lastCost = new Map<string, number>();

  /** The full analysis of this version of the document. */
  get(doc: TextDocument): TraceIndex {
    const cached = this.completed(doc.uri);
    if (cached && cached.version === doc.version) return cached;
    const started = performance.now();
    const text = doc.getText();
    if (cached && this.keepIncremental(doc, cached, reanalyze(cached.analysis, text), started))
      return this.entries.get(doc.uri)!;
    const index = new TraceIndex(analyzeTrace(text), doc.uri, doc.version);
    this.entries.set(doc.uri, index);
    this.lastCost.set(doc.uri, performance.now() - started);
    return index;
  }

  /**
   * An analysis of this version of the document with its findings, for its diagnostics: the full one
   * when it is made or an earlier version's gives it incrementally, else one that makes only the
   * findings, kept until the full one is made (complete, or the first get).
   */
  findings(doc: TextDocument): TraceAnalysis {
    const waiting = this.pending.get(doc.uri);
    if (waiting?.version === doc.version) return waiting.analysis;
    const cached = this.completed(doc.uri);
    if (cached && cached.version === doc.version) return cached.analysis;
    const started = performance.now();
    const text = doc.getText();
    if (cached && this.keepIncremental(doc, cached, reanalyze(cached.analysis, text), started))
      return this.entries.get(doc.uri)!.analysis;
    const analysis = analyzeTrace(text, { findingsOnly: true });
    const cost = performance.now() - started;
    // (The earlier version's analysis is of no use to this one's: it goes.)
    this.entries.delete(doc.uri);
    this.pending.set(doc.uri, { version: doc.version, analysis, cost });
    this.lastCost.set(doc.uri, cost);
    return analysis;
  }

  /** Makes the full analysis of the document's version that was analysed for its findings alone, if any. */
  complete(uri: string): void {
    this.completed(uri);
  }

  /** The document's full analysis as cached, made first from its findings-only one if that waits. */
  private completed(uri: string): TraceIndex | undefined {
    const waiting = this.pending.get(uri);
    if (!waiting) return this.entries.get(uri);
    this.pending.delete(uri);
    const started = performance.now();
    const index = new TraceIndex(completeAnalysis(waiting.analysis), uri, waiting.version);
    this.entries.set(uri, index);
    this.lastCost.set(uri, waiting.cost + performance.now() - started);
    return index;
  }

  /** Whether this version of the document is analysed already (opening publishes it at once). */
  isCurrent(doc: TextDocument): boolean {
    const version = this.pending.get(doc.uri)?.version ?? this.entries.get(doc.uri)?.version;
    return version === doc.version;
  }

  /**
   * Tries the incremental path for a new version right away; true when it applied (the analysis is
   * then current and cheap to publish). Otherwise the next get() analyses in full.
   */
  tryIncremental(doc: TextDocument): boolean {
    const cached = this.completed(doc.uri);
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
    const cached = this.completed(doc.uri);
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
    this.pending.delete(uri);
    this.lastCost.delete(uri);
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
    this.lastCost.clear();
  }
}
