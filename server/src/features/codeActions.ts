/**
 * Quick fixes for hand-written and pasted traces: the core attaches the edits to its findings (set a
 * wrong handshake or FIN ack to the right value, insert a missing final ACK, join a wrapped line);
 * here they become code actions for the diagnostics in the requested range, and a family of fixes
 * that can be applied together (every wrapped line) also becomes one action for the whole file.
 */
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type Range,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import { diagnostics } from './diagnostics';
import type { Settings } from '../settings';
import type { Fix, TextEdit } from '../trace/index';
import { toRange, type TraceIndex } from './traceIndex';

function overlaps(a: Range, b: Range): boolean {
  return !(
    a.end.line < b.start.line ||
    b.end.line < a.start.line ||
    (a.end.line === b.start.line && a.end.character < b.start.character) ||
    (b.end.line === a.start.line && b.end.character < a.start.character)
  );
}

/** A core edit as LSP's (it may span a line break: endLine). */
function lspEdit(e: TextEdit): LspTextEdit {
  const range =
    e.endLine === undefined
      ? toRange(e.span)
      : {
          start: { line: e.span.line, character: e.span.start },
          end: { line: e.endLine, character: e.span.end },
        };
  return { range, newText: e.newText };
}

export function codeActions(index: TraceIndex, range: Range, settings: Settings): CodeAction[] {
  const out: CodeAction[] = [];
  // Diagnostics by code and start, looked up once per fixable finding (not a scan of the whole list).
  const shown = new Map<string, Diagnostic>();
  for (const d of diagnostics(index, settings))
    shown.set(`${String(d.code)} ${d.range.start.line}:${d.range.start.character}`, d);
  // The families of the fixes offered here, with the diagnostics they were offered for.
  const families = new Map<string, { title: string; diagnostics: Diagnostic[] }>();
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
        edit: { changes: { [index.uri]: fix.edits.map(lspEdit) } },
      });
      if (fix.family) {
        const family = families.get(fix.family.id) ?? { title: fix.family.title, diagnostics: [] };
        if (diag) family.diagnostics.push(diag);
        families.set(fix.family.id, family);
      }
    }
  }
  // Each family's fixes in the whole file at once, when there is more than the one here.
  for (const [id, family] of families) {
    const all = new Set<Fix>();
    for (const f of index.analysis.findings)
      for (const fix of f.fixes ?? []) if (fix.family?.id === id) all.add(fix);
    if (all.size < 2) continue;
    out.push({
      title: `${family.title} (${all.size})`,
      kind: CodeActionKind.QuickFix,
      diagnostics: family.diagnostics.length ? family.diagnostics : undefined,
      edit: { changes: { [index.uri]: [...all].flatMap((fix) => fix.edits.map(lspEdit)) } },
    });
  }
  return out;
}
