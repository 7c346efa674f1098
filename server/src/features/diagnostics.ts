/** Findings as LSP diagnostics: stable code, source, related locations, severity from settings. */
import { DiagnosticSeverity, DiagnosticTag, type Diagnostic } from 'vscode-languageserver';
import type { Settings } from '../settings';
import type { Finding, Severity } from '../trace/index';
import { toRange, type TraceIndex } from './traceIndex';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** The severity a finding is shown with, or undefined when the user switched its code off. */
export function effectiveSeverity(f: Finding, settings: Settings): Severity | undefined {
  const s = settings.severity[f.code];
  if (s === 'off') return undefined;
  return s ?? f.severity;
}

/**
 * The analysis's findings as diagnostics, after `notices` about the document itself (a size limit).
 * Any analysis of the document will do: the full one a TraceIndex holds, or the one that makes only
 * the findings (DocumentCache.findings).
 */
export function diagnostics(
  index: Pick<TraceIndex, 'analysis' | 'uri'>,
  settings: Settings,
  notices: readonly Finding[] = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const f of notices.length ? [...notices, ...index.analysis.findings] : index.analysis.findings) {
    const severity = effectiveSeverity(f, settings);
    if (!severity) continue;
    const d: Diagnostic = {
      range: toRange(f.span),
      severity: SEVERITY[severity],
      code: f.code,
      source: 'packet-trace',
      message: f.message,
    };
    if (f.related.length) {
      d.relatedInformation = f.related.map((r) => ({
        location: { uri: index.uri, range: toRange(r.span) },
        message: r.message,
      }));
    }
    // Data the receiver already had is redundant on the wire: show it faded, as editors do unused code.
    if (f.code === 'tcp.spurious-retransmission') d.tags = [DiagnosticTag.Unnecessary];
    out.push(d);
  }
  return out;
}
