/**
 * Quick fixes for hand-written traces: the core attaches the edits to its findings (set a wrong
 * handshake or FIN ack to the right value, insert a missing final ACK); here they become code actions
 * for the diagnostics in the requested range.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver';
import { diagnostics } from './diagnostics';
import type { Settings } from '../settings';
import { toRange, type TraceIndex } from './traceIndex';

function overlaps(a: Range, b: Range): boolean {
  return !(
    a.end.line < b.start.line ||
    b.end.line < a.start.line ||
    (a.end.line === b.start.line && a.end.character < b.start.character) ||
    (b.end.line === a.start.line && b.end.character < a.start.character)
  );
}

export function codeActions(index: TraceIndex, range: Range, settings: Settings): CodeAction[] {
  const out: CodeAction[] = [];
  // Diagnostics by code and start, looked up once per fixable finding (not a scan of the whole list).
  const shown = new Map<string, Diagnostic>();
  for (const d of diagnostics(index, settings))
    shown.set(`${String(d.code)} ${d.range.start.line}:${d.range.start.character}`, d);
  for (const f of index.analysis.findings) {
    if (!f.fixes?.length) continue;
    const fr = toRange(f.span);
    if (!overlaps(fr, range)) continue;
    const diag = shown.get(`${f.code} ${fr.start.line}:${fr.start.character}`);
    for (const fix of f.fixes) {
      out.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: diag ? [diag] : undefined,
        isPreferred: f.fixes.length === 1,
        edit: {
          changes: {
            [index.uri]: fix.edits.map((e) => ({
              range:
                e.endLine === undefined
                  ? toRange(e.span)
                  : {
                      start: { line: e.span.line, character: e.span.start },
                      end: { line: e.endLine, character: e.span.end },
                    },
              newText: e.newText,
            })),
          },
        },
      });
    }
  }
  return out;
}
