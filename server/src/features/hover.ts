/**
 * Hovers that explain every token of a packet line in the context of its connection: flags with the
 * handshake step they are, seq/ack in absolute and relative form with what they acknowledge, the
 * scaled window, each option, times, endpoints and roles, and the rule behind any diagnostic there.
 */
import { MarkupKind, type Hover } from 'vscode-languageserver';
import type { Settings } from '../settings';
import {
  ACK,
  CODES,
  FIN,
  OFFLOAD_SEND,
  RST,
  SYN,
  isKnownCode,
  type Connection,
  type PacketRecord,
  type Segment,
  type TcpOption,
} from '../trace/index';
import { contains, toRange, type Token, type TraceIndex } from './traceIndex';
import { explainSessionLine } from './sessionLines';
import { FLAG_MEANING, flagLetters, flagWords, formatDuration, verdictWords } from './words';

export function hover(index: TraceIndex, line: number, character: number, settings: Settings): Hover | null {
  const parts: string[] = [];
  const hit = index.tokenAt(line, character);
  let range = hit ? toRange(hit.token.span) : undefined;
  const record = index.recordAt(line);
  if (hit) {
    const text = explainToken(index, hit.record, hit.token, settings);
    if (text) parts.push(text);
  } else if (!record) {
    // A line of no packet (payload dumps belong to theirs): tcpdump's own lines in a pasted session.
    const lineText = index.analysis.parsed.lines[line];
    const text = lineText === undefined ? undefined : explainSessionLine(lineText);
    if (text) {
      parts.push(text);
      range = { start: { line, character: 0 }, end: { line, character: lineText!.length } };
    }
  }
  let offloadSend = record?.protocol === OFFLOAD_SEND;
  for (const f of index.analysis.findings) {
    if (!contains(f.span, line, character)) continue;
    if (f.code === 'capture.offload-send') offloadSend = false;
    range ??= toRange(f.span);
    const info = isKnownCode(f.code) ? CODES[f.code] : undefined;
    parts.push(
      `**${f.code}** (${f.severity}): ${escapeMd(f.message)}${info ? `\n\n*Rule:* ${escapeMd(info.rule)}` : ''}`,
    );
  }
  // Every `IP bad-len 0` line, not only the first (which carries the trace's one diagnostic).
  if (offloadSend) {
    parts.push(
      `**A send tcpdump could not read** (\`bad-len 0\`: an IPv4 total length of 0). ${escapeMd(CODES['capture.offload-send'].rule)}`,
    );
  }
  if (!parts.length) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.join('\n\n---\n\n') }, range };
}

/** Trace text is untrusted: never let it become markdown or HTML. */
export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);
}

function lineLink(index: TraceIndex, r: PacketRecord): string {
  return `[line ${r.line + 1}](${index.uri}#L${r.line + 1})`;
}

function role(conn: Connection | undefined, seg: Segment | undefined): string {
  if (!conn || !seg) return 'sender';
  return seg.fromClient ? 'client' : 'server';
}

function explainToken(
  index: TraceIndex,
  r: PacketRecord,
  token: Token,
  settings: Settings,
): string | undefined {
  const conn = index.connectionOf(r);
  const seg = index.segment(r);
  switch (token.kind) {
    case 'flags':
      return explainFlags(index, r, conn, seg);
    case 'seq':
      return explainSeq(index, r, conn, seg, settings);
    case 'ack':
      return explainAck(index, r, conn, seg, settings);
    case 'win':
      return explainWindow(r, conn, seg);
    case 'urg':
      return `**urg ${r.urg}**: the urgent pointer, an offset from seq to the end of urgent data (RFC 9293 §3.8.5).`;
    case 'length':
      return `**length ${r.length}**: ${r.length} bytes of TCP payload. SYN and FIN are not counted here, though each takes one sequence number.${r.payloadSummary ? `\n\nPayload, as tcpdump decoded it: \`${inlineCode(r.payloadSummary)}\`` : ''}`;
    case 'option':
      return token.option ? explainOption(token.option, r, conn, seg) : undefined;
    case 'cksum':
      return r.cksum?.correct
        ? `**cksum 0x${r.cksum.value}**: the TCP checksum is correct.`
        : `**cksum 0x${r.cksum?.value}**: the checksum is wrong; it should be 0x${r.cksum?.expected}. On the sending host this is usually checksum offload (the NIC fills it in after the capture point), not corruption.`;
    case 'time':
      return explainTime(index, r, conn);
    case 'number':
      return `**packet ${r.number}** (tcpdump \`-#\`): the packet's number among those that passed the capture filter.`;
    case 'src':
    case 'dst':
      return explainEndpoint(r, token.kind, conn);
    default:
      return undefined;
  }
}

function states(seg: Segment): string {
  const c = seg.clientState;
  const s = seg.serverState;
  const fmt = (who: string, [a, b]: [string, string]) =>
    a === b ? `${who}: ${b}` : `${who}: ${a} → **${b}**`;
  return `${fmt('client', c)}; ${fmt('server', s)}`;
}

function explainFlags(
  index: TraceIndex,
  r: PacketRecord,
  conn: Connection | undefined,
  seg: Segment | undefined,
): string {
  const flags = r.flags ?? 0;
  const letters =
    r.format === 'old'
      ? index.analysis.parsed.lines[r.line]!.slice(r.flagsSpan!.start, r.flagsSpan!.end)
      : `[${flagLetters(flags)}]`;
  const lines = [`**\`${inlineCode(letters)}\`** = ${flagWords(flags)}`];
  if (r.format === 'old')
    lines.push(
      "tcpdump 3.x form: letters S F R P W E; ACK has no letter and is present when an `ack` field follows ('.' means no other flag).",
    );
  const who = role(conn, seg);
  const ctx = seg && conn ? stepInConnection(seg, conn) : undefined;
  if (ctx) lines.push(`In this connection: ${ctx}.`);
  const meanings = Object.entries(FLAG_MEANING)
    .filter(([name]) => flagWords(flags).split(' + ').includes(name))
    .map(([name, m]) => `- **${name}**: ${m}`);
  if (meanings.length) lines.push(meanings.join('\n'));
  if (seg) lines.push(`Sent by the ${who}. ${states(seg)}.`);
  if (conn) lines.push(`Connection ${conn.id}: ${verdictWords(conn)}.`);
  return lines.join('\n\n');
}

function stepInConnection(seg: Segment, conn: Connection): string | undefined {
  const f = seg.flags;
  const other = seg.fromClient ? conn.server : conn.client;
  if (f & SYN && !(f & ACK)) {
    return seg.fromClient
      ? `step 1 of the three-way handshake: the client asks to open a connection with ISN ${seg.seq}`
      : `a SYN from the server side as well: a simultaneous open (ISN ${seg.seq})`;
  }
  if (f & SYN && f & ACK) {
    const isn = other.isn;
    return isn !== undefined
      ? `step 2 of the three-way handshake: the ${seg.fromClient ? 'client' : 'server'} accepts and acknowledges the ${seg.fromClient ? "server's" : "client's"} ISN ${isn} + 1, and announces its own ISN ${seg.seq}`
      : `step 2 of the three-way handshake: the server accepts the connection with ISN ${seg.seq} (the SYN is not in the trace)`;
  }
  if (f & RST)
    return conn.handshake === 'refused'
      ? 'the server refuses the connection: nothing listens on this port'
      : 'the connection is aborted';
  if (f & FIN) {
    const first = (seg.fromClient ? conn.client : conn.server).finRecord === seg.record.index;
    return `the ${seg.fromClient ? 'client' : 'server'} closes its sending direction${first ? '' : ' (again: a retransmitted FIN)'}; the peer acknowledges it with FIN seq + 1`;
  }
  if (f & ACK && seg.clientState[0] !== seg.clientState[1] && seg.clientState[1] === 'ESTABLISHED') {
    return "step 3 of the three-way handshake: the client acknowledges the server's ISN + 1; both sides are now ESTABLISHED";
  }
  if (f & ACK && seg.serverState[0] === 'SYN-RECEIVED' && seg.serverState[1] === 'ESTABLISHED') {
    return "step 3 of the three-way handshake: the client acknowledges the server's ISN + 1; both sides are now ESTABLISHED";
  }
  if (seg.len > 0) return `${seg.len} bytes of data`;
  if (f & ACK) return 'a pure acknowledgment';
  return undefined;
}

function numbersLine(
  printed: number | undefined,
  abs: number | undefined,
  rel: number | undefined,
  relativePrinted: boolean | undefined,
  settings: Settings,
): string {
  const a = abs !== undefined ? `absolute ${abs}` : undefined;
  const r = rel !== undefined ? `relative ${rel}` : undefined;
  const both = settings.numbers === 'absolute' ? [a, r] : [r, a];
  return `${printed} as printed (${relativePrinted ? 'relative' : 'absolute'}); ${both.filter(Boolean).join(', ')}`;
}

function explainSeq(
  index: TraceIndex,
  r: PacketRecord,
  conn: Connection | undefined,
  seg: Segment | undefined,
  settings: Settings,
): string {
  const lines = [`**seq** ${numbersLine(r.seq, r.seqAbs, seg?.relSeq, r.printedRelative, settings)}`];
  if (seg && seg.seq !== undefined) {
    const syn = seg.flags & SYN ? 1 : 0;
    const fin = seg.flags & FIN ? 1 : 0;
    const next = (seg.seq + seg.len + syn + fin) >>> 0;
    if (seg.len > 0)
      lines.push(`Carries ${seg.len} bytes${syn ? ' after the SYN' : ''}${fin ? ', then the FIN' : ''}.`);
    else if (syn) lines.push('The SYN itself takes this one sequence number.');
    else if (fin) lines.push('The FIN itself takes this one sequence number.');
    lines.push(
      `Next expected seq from the ${role(conn, seg)}: ${next}${seg.relSeq !== undefined ? ` (relative ${(seg.relSeq + seg.len + syn + fin) >>> 0})` : ''}.`,
    );
    if (seg.originalRecord !== undefined)
      lines.push(`These bytes were first sent on ${lineLink(index, index.record(seg.originalRecord)!)}.`);
  }
  if (r.printedRelative)
    lines.push(
      'tcpdump prints seq relative to the first seq it saw from this side on an ACK-bearing line (use -S for absolute).',
    );
  return lines.join('\n\n');
}

function explainAck(
  index: TraceIndex,
  r: PacketRecord,
  conn: Connection | undefined,
  seg: Segment | undefined,
  settings: Settings,
): string {
  const lines = [`**ack** ${numbersLine(r.ack, r.ackAbs, seg?.relAck, r.printedRelative, settings)}`];
  if (seg && seg.ack !== undefined && conn) {
    const peer = seg.fromClient ? 'server' : 'client';
    lines.push(
      `The ${role(conn, seg)} has received every byte of the ${peer} before ${seg.ack} and expects ${seg.ack} next.`,
    );
    const other = seg.fromClient ? conn.server : conn.client;
    if (other.isn !== undefined && seg.ack === (other.isn + 1) >>> 0)
      lines.push(`That is the ${peer}'s ISN ${other.isn} + 1: it acknowledges the SYN.`);
    if (other.finSeq !== undefined && seg.ack === (other.finSeq + 1) >>> 0)
      lines.push(`That is the ${peer}'s FIN seq ${other.finSeq} + 1: it acknowledges the FIN.`);
    if (seg.acksRecord !== undefined)
      lines.push(`Acknowledges the segment on ${lineLink(index, index.record(seg.acksRecord)!)}.`);
  }
  return lines.join('\n\n');
}

function explainWindow(r: PacketRecord, conn: Connection | undefined, seg: Segment | undefined): string {
  const fwd = conn && seg ? (seg.fromClient ? conn.client : conn.server) : undefined;
  const lines = [
    `**win ${r.win}**: the receive window the ${role(conn, seg)} advertises, as the raw 16-bit field.`,
  ];
  if (seg?.flags !== undefined && seg.flags & SYN) lines.push('Windows in SYN segments are never scaled.');
  else if (fwd && fwd.winScale >= 0)
    lines.push(
      `Window scale ${fwd.winScale} was agreed in the handshake: ${r.win} × 2^${fwd.winScale} = **${seg?.winBytes} bytes**.`,
    );
  else if (fwd && fwd.winScale === -2)
    lines.push('No window scaling in this connection: the window is in bytes.');
  else
    lines.push(
      'The handshake is not in the trace, so the window scale is unknown: the real window may be larger.',
    );
  if (r.win === 0)
    lines.push("A zero window: the receiver's buffer is full and the sender must stop (and probe).");
  return lines.join('\n\n');
}

function explainOption(
  o: TcpOption,
  r: PacketRecord,
  conn: Connection | undefined,
  seg: Segment | undefined,
): string {
  const head = `**\`${inlineCode(o.text)}\`**`;
  switch (o.kind) {
    case 'mss':
      return `${head}: maximum segment size: the largest payload the ${role(conn, seg)} wants to receive, ${o.value} bytes (sent only on SYNs).`;
    case 'wscale': {
      const both = conn && conn.client.winScale >= 0 && conn.server.winScale >= 0;
      return `${head}: window scale: the ${role(conn, seg)}'s windows are to be multiplied by 2^${o.value} = ${2 ** (o.value ?? 0)}. ${both ? 'Both SYNs carry it, so scaling is in effect.' : 'Scaling applies only when both SYNs carry this option (RFC 7323).'}`;
    }
    case 'sackOK':
      return `${head}: selective acknowledgments permitted: the ${role(conn, seg)} can receive SACK blocks (RFC 2018).`;
    case 'sack': {
      const blocks = (o.blocks ?? []).map(
        ([a, b], i) =>
          `- ${a}:${b}${o.blocksAbs?.[i] ? ` (absolute ${o.blocksAbs[i]![0]}:${o.blocksAbs[i]![1]})` : ''}: ${(b - a) >>> 0} bytes`,
      );
      return `${head}: selective acknowledgment: besides everything before the ack, the receiver holds these ranges:\n${blocks.join('\n')}\n\nA block below the ack is a D-SACK: it reports duplicate data.`;
    }
    case 'TS':
      return `${head}: timestamps (RFC 7323): val ${o.tsVal} is the ${role(conn, seg)}'s clock; ecr ${o.tsEcr} echoes the last val it received, which gives RTT samples and protects against wrapped sequence numbers.`;
    case 'nop':
      return `${head}: no-operation: padding that aligns the next option.`;
    case 'eol':
      return `${head}: end of the option list (also how tcpdump shows zero padding).`;
    case 'mptcp':
      return `${head}: Multipath TCP (RFC 8684) signalling.`;
    case 'tfo':
    case 'exp-tfo':
      return `${head}: TCP Fast Open (RFC 7413): a cookie request or cookie that lets data ride on the SYN.`;
    case 'md5':
      return `${head}: TCP MD5 signature (RFC 2385), used by BGP sessions.`;
    default:
      return `${head}: TCP option ${escapeMd(o.kind)}${r.truncated ? ' (the header was cut short)' : ''}.`;
  }
}

function explainTime(index: TraceIndex, r: PacketRecord, conn: Connection | undefined): string {
  const kinds: Record<string, string> = {
    clock: "time of day (the reader's time zone)",
    datetime: "date and time (the reader's time zone; tcpdump -tttt)",
    epoch: 'seconds since 1970 (tcpdump -tt)',
    delta: 'a delta (tcpdump -ttt from the previous packet, or -ttttt from the first)',
  };
  const lines = [`**time**: ${kinds[r.timeKind] ?? r.timeKind}.`];
  if (conn && r.time !== undefined) {
    const recs = conn.records;
    const k = recs.indexOf(r.index);
    const prev = k > 0 ? index.record(recs[k - 1]!) : undefined;
    if (prev?.time !== undefined)
      lines.push(
        `${formatDuration(r.time - prev.time)} after the previous packet of connection ${conn.id} (${lineLink(index, prev)}).`,
      );
    if (conn.startTime !== undefined)
      lines.push(`${formatDuration(r.time - conn.startTime)} since the connection's first packet.`);
    if (conn.irtt !== undefined) lines.push(`Initial RTT of the connection: ${formatDuration(conn.irtt)}.`);
  }
  return lines.join('\n\n');
}

function explainEndpoint(r: PacketRecord, which: 'src' | 'dst', conn: Connection | undefined): string {
  const e = r[which]!;
  const isClient =
    conn && conn.client.endpoint.host === e.host && conn.client.endpoint.portText === e.portText;
  const who = conn ? (isClient ? 'client' : 'server') : which === 'src' ? 'sender' : 'receiver';
  const port =
    e.port !== undefined && String(e.port) !== e.portText
      ? `port ${e.portText} = ${e.port}`
      : `port ${e.portText || '(none)'}`;
  const lines = [
    `**\`${inlineCode(e.host)}\`**, ${escapeMd(port)}: the ${which === 'src' ? 'sender' : 'receiver'} of this packet, the connection's **${who}**.`,
  ];
  if (conn) {
    lines.push(
      `Connection ${conn.id}: ${verdictWords(conn)}; Zeek ${conn.zeekState} \`${conn.history || '-'}\`; ${conn.records.length} packets.`,
    );
    if (conn.clientGuessed)
      lines.push(
        'No SYN in the trace: the client was guessed (the well-known or lower port is taken as the server).',
      );
  }
  return lines.join('\n\n');
}

/** Text inside a markdown code span: backticks would end it. */
function inlineCode(s: string): string {
  return s.replace(/`/g, "'").slice(0, 300);
}
