/**
 * The custom requests' answers: the connection list with verdicts, and the ladder (sequence diagram)
 * model that the diagram webview draws.
 */
import type { ConnectionSummary, LadderArrow, LadderModel, LadderParams } from '../../../protocol/lsp';
import { ACK, FIN, RST, SYN, endpointText, type Connection, type Segment } from '../trace/index';
import type { TraceIndex } from './traceIndex';
import { flagLetters, flagWords, verdictWords } from './words';

export function connectionSummaries(index: TraceIndex): ConnectionSummary[] {
  const { records } = index.analysis;
  return index.analysis.connections.map((c) => ({
    id: c.id,
    client: endpointText(c.client.endpoint),
    server: endpointText(c.server.endpoint),
    clientGuessed: c.clientGuessed,
    firstLine: records[c.firstRecord]!.line,
    lastLine: records[c.lastRecord]!.line,
    packets: c.records.length,
    handshake: c.handshake,
    teardown: c.teardown,
    zeekState: c.zeekState,
    history: c.history,
    verdict: verdictWords(c),
    problems: c.findings.filter((f) => f.severity === 'error' || f.severity === 'warning').length,
  }));
}

function kindOf(s: Segment): string {
  if (s.flags & RST) return 'rst';
  if (s.flags & SYN) return 'handshake';
  if (s.flags & FIN) return 'fin';
  if (s.len > 0) return 'data';
  if (s.flags & ACK) return 'ack';
  return 'other';
}

export function ladderModel(index: TraceIndex, params: LadderParams): LadderModel {
  const { connections, records } = index.analysis;
  let chosen: Connection | undefined;
  if (params.connection !== undefined) chosen = connections[params.connection - 1];
  else if (params.line !== undefined) chosen = index.connectionOf(index.recordAt(params.line));
  const shown = chosen ? [chosen] : connections;
  const findingsOf = new Map<number, string[]>();
  for (const f of index.analysis.findings)
    if (f.record !== undefined) findingsOf.set(f.record, [...(findingsOf.get(f.record) ?? []), f.code]);
  const arrows: LadderArrow[] = [];
  let t0: number | undefined;
  for (const c of shown) {
    for (const s of c.segments) {
      const r = s.record;
      t0 ??= r.time;
      arrows.push({
        line: r.line,
        connection: c.id,
        fromClient: s.fromClient,
        time: r.time !== undefined && t0 !== undefined ? r.time - t0 : undefined,
        flags: flagLetters(s.flags),
        flagWords: flagWords(s.flags),
        seq: r.seqAbs,
        seqEnd: r.seqAbs !== undefined ? (r.seqAbs + s.len) >>> 0 : undefined,
        ack: s.ack,
        relSeq: s.relSeq,
        relAck: s.relAck,
        len: s.len,
        win: s.win,
        winBytes: s.winBytes,
        kind: kindOf(s),
        findings: findingsOf.get(r.index) ?? [],
        clientState: s.clientState[0] !== s.clientState[1] ? s.clientState[1] : undefined,
        serverState: s.serverState[0] !== s.serverState[1] ? s.serverState[1] : undefined,
        annotations: r.annotations.map((a) => a.text),
      });
    }
  }
  if (shown.length > 1) arrows.sort((a, b) => a.line - b.line);
  void records;
  return {
    uri: index.uri,
    version: index.version,
    connections: connectionSummaries(index),
    connection: chosen?.id ?? 0,
    arrows,
  };
}
