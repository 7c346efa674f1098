/** Helpers for tests that feed inline traces to the core. */
import { analyzeTrace, type TraceAnalysis } from '../../server/src/trace/index';

/** Joins lines into a trace text (one packet line per argument). */
export function lines(...ls: string[]): string {
  return `${ls.join('\n')}\n`;
}

export function analyze(...ls: string[]): TraceAnalysis {
  return analyzeTrace(lines(...ls));
}

/** Codes reported on a 1-based line. */
export function codesOnLine(a: TraceAnalysis, line: number): string[] {
  return a.findings.filter((f) => f.span.line === line - 1).map((f) => f.code);
}

/** All codes, in document order. */
export function codes(a: TraceAnalysis): string[] {
  return a.findings.map((f) => f.code);
}

/** The text a finding's span covers, read back from the source. */
export function spanText(text: string, span: { line: number; start: number; end: number }): string {
  return text.split('\n')[span.line]!.slice(span.start, span.end);
}
