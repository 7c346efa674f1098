/**
 * Code lenses above each connection's first packet: the verdict in words (revealing the connection's
 * packets), and a command that opens the ladder diagram on that connection.
 */
import type { CodeLens } from 'vscode-languageserver';
import type { TraceIndex } from './traceIndex';
import { verdictWords } from './words';

export const SHOW_LADDER_COMMAND = 'packetTrace.showLadder';
export const REVEAL_CONNECTION_COMMAND = 'packetTrace.revealConnection';

export function codeLenses(index: TraceIndex): CodeLens[] {
  const out: CodeLens[] = [];
  for (const c of index.analysis.connections) {
    const r = index.record(c.firstRecord)!;
    const range = { start: { line: r.line, character: 0 }, end: { line: r.line, character: 0 } };
    const problems = c.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').length;
    const title = `#${c.id} ${verdictWords(c)}${problems ? ` · ${problems} problem${problems === 1 ? '' : 's'}` : ''}`;
    out.push({
      range,
      command: { title, command: REVEAL_CONNECTION_COMMAND, arguments: [index.uri, c.id, r.line] },
    });
    out.push({
      range,
      command: { title: 'Show ladder', command: SHOW_LADDER_COMMAND, arguments: [index.uri, c.id, r.line] },
    });
  }
  return out;
}
