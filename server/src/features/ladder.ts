/**
 * The custom requests' answers: the connection list with verdicts, and the ladder (sequence diagram)
 * model that the diagram webview draws.
 */
import type {
  ConnectionSummary,
  LadderArrow,
  LadderMessage,
  LadderModel,
  LadderParams,
  LadderText,
} from '../../../protocol/lsp';
import { encodeModel } from '../../../protocol/webview';
import {
  ACK,
  FIN,
  RST,
  SYN,
  endpointText,
  type Connection,
  type PacketRecord,
  type Segment,
} from '../trace/index';
import type { TraceIndex } from './traceIndex';
import { flagLetters, flagWords, verdictWords } from './words';

export function connectionSummaries(index: TraceIndex): ConnectionSummary[] {
  return index.analysis.connections.map((c) => ({
    id: c.id,
    client: endpointText(c.client.endpoint),
    server: endpointText(c.server.endpoint),
    clientGuessed: c.clientGuessed,
    firstLine: index.record(c.firstRecord)!.line,
    lastLine: index.record(c.lastRecord)!.line,
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

/** The options as printed, without the padding ones; the SACK blocks with relative edges. */
function optionsOf(r: PacketRecord, s: Segment): Pick<LadderArrow, 'options' | 'sack'> {
  if (!r.options.length) return {};
  const out: Pick<LadderArrow, 'options' | 'sack'> = {};
  const shown = r.options.filter((o) => o.kind !== 'nop' && o.kind !== 'eol').map((o) => o.text);
  if (shown.length) out.options = shown;
  // The peer's relative base, from this packet's ack (ack - relAck); SACK edges are in its space.
  const base = s.ack !== undefined && s.relAck !== undefined ? (s.ack - s.relAck) >>> 0 : undefined;
  for (const o of r.options) {
    if (o.kind !== 'sack' || !o.blocksAbs) continue;
    out.sack = o.blocksAbs.map(([left, right]) =>
      base === undefined
        ? { left, right }
        : { left, right, relLeft: (left - base) >>> 0, relRight: (right - base) >>> 0 },
    );
  }
  return out;
}

export function ladderModel(index: TraceIndex, params: LadderParams): LadderModel {
  const { connections } = index.analysis;
  let chosen: Connection | undefined;
  if (params.connection !== undefined) chosen = connections[params.connection - 1];
  else if (params.line !== undefined) chosen = index.connectionOf(index.recordAt(params.line));
  const shown = chosen ? [chosen] : connections;
  const findingsOf = new Map<number, string[]>();
  const messagesOf = new Map<number, LadderMessage[]>();
  for (const f of index.analysis.findings) {
    if (f.record === undefined) continue;
    const codes = findingsOf.get(f.record);
    const message = { code: f.code, severity: f.severity, message: f.message };
    if (codes) {
      codes.push(f.code);
      messagesOf.get(f.record)!.push(message);
    } else {
      findingsOf.set(f.record, [f.code]);
      messagesOf.set(f.record, [message]);
    }
  }
  const arrows: LadderArrow[] = [];
  let t0: number | undefined;
  for (const c of shown) {
    const segments = c.segments;
    for (let k = 0; k < segments.length; k++) {
      const s = segments.at(k);
      const r = s.record;
      t0 ??= r.time;
      const findings = findingsOf.get(r.index) ?? [];
      const arrow: LadderArrow = {
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
        findings,
        clientState: s.clientState[0] !== s.clientState[1] ? s.clientState[1] : undefined,
        serverState: s.serverState[0] !== s.serverState[1] ? s.serverState[1] : undefined,
        annotations: r.annotations.map((a) => a.text),
        ...optionsOf(r, s),
      };
      if (r.endLine > r.line) arrow.endLine = r.endLine;
      const messages = messagesOf.get(r.index);
      if (messages) arrow.messages = messages;
      if (s.dupAckNum !== undefined && findings.includes('tcp.dup-ack')) arrow.dupAck = s.dupAckNum;
      if (s.seqInferred && r.seqAbs === undefined) arrow.seqInferred = true;
      if (s.originalRecord !== undefined) arrow.originalLine = index.record(s.originalRecord)?.line;
      if (r.payloadSummary) arrow.payload = r.payloadSummary;
      arrows.push(arrow);
    }
  }
  if (shown.length > 1) arrows.sort((a, b) => a.line - b.line);
  return {
    uri: index.uri,
    version: index.version,
    connections: connectionSummaries(index),
    connection: chosen?.id ?? 0,
    arrows,
  };
}

/** The ladder model as LadderParams.asText asks for it: the fields a client reads, and the JSON text. */
export function ladderText(model: LadderModel): LadderText {
  return {
    uri: model.uri,
    version: model.version,
    connections: model.connections,
    connection: model.connection,
    json: encodeModel(model),
  };
}
