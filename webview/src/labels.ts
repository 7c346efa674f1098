/**
 * The words of the diagram: arrow labels, finding badges, times and sizes. Pure functions shared by
 * the drawing and the text exports, so that the SVG and the Mermaid, PlantUML and plain-text output
 * say the same thing.
 */
import type { ConnectionSummary, LadderArrow } from '../../protocol/lsp';

/** `[S.] SYN-ACK`: tcpdump's letters, then the flags in words. */
export function flagsLabel(a: LadderArrow): string {
  const words = a.flagWords === 'no flags' ? 'no flags' : a.flagWords.split(' + ').join('-');
  return `[${a.flags}] ${words}`;
}

/** `33 581`: digits grouped by three once the number has five or more. */
export function groupDigits(n: number): string {
  const s = String(n);
  if (s.length < 5 || !/^\d+$/.test(s)) return s;
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
}

export function bytes(n: number): string {
  return `${groupDigits(n)} B`;
}

function seqOf(a: LadderArrow, absolute: boolean): number | undefined {
  return absolute ? a.seq : (a.relSeq ?? a.seq);
}

export function ackOf(a: LadderArrow, absolute: boolean): number | undefined {
  return absolute ? a.ack : (a.relAck ?? a.ack);
}

/** `seq 1:100 (99 B)`, `seq 0`; nothing for a pure ACK (its seq is not printed, only inferred). */
export function seqLabel(a: LadderArrow, absolute: boolean): string | undefined {
  if (a.kind === 'ack' && a.len === 0) return undefined;
  const s = seqOf(a, absolute);
  if (s === undefined) return a.len > 0 ? `len ${a.len}` : undefined;
  if (a.len > 0) {
    const end = absolute ? (s + a.len) >>> 0 : s + a.len;
    return `seq ${s}:${end} (${bytes(a.len)})`;
  }
  return `seq ${s}`;
}

export function ackLabel(a: LadderArrow, absolute: boolean): string | undefined {
  const n = ackOf(a, absolute);
  return n === undefined ? undefined : `ack ${n}`;
}

/** The window in bytes once the scale is known, else as printed. */
export function winLabel(a: LadderArrow): string | undefined {
  if (a.winBytes !== undefined) return `win ${a.winBytes}`;
  if (a.win !== undefined) return `win ${a.win}`;
  return undefined;
}

/** SACK blocks, in the chosen numbering: `SACK 2897-4345`. */
export function sackLabel(a: LadderArrow, absolute: boolean): string | undefined {
  if (!a.sack?.length) return undefined;
  const blocks = a.sack.map((b) =>
    !absolute && b.relLeft !== undefined && b.relRight !== undefined
      ? `${b.relLeft}-${b.relRight}`
      : `${b.left}-${b.right}`,
  );
  return `SACK ${blocks.join(' ')}`;
}

/** The main label line of an arrow. */
export function arrowLabel(a: LadderArrow, absolute: boolean): string {
  const parts = [flagsLabel(a), seqLabel(a, absolute), ackLabel(a, absolute), winLabel(a)];
  if (a.kind !== 'handshake') parts.push(sackLabel(a, absolute));
  return parts.filter((p): p is string => !!p).join('  ');
}

/** SYN and SYN-ACK options in short: `mss 1460 · sackOK · TS · wscale 7`. Undefined for other packets. */
export function synOptionsLabel(a: LadderArrow): string | undefined {
  if (a.kind !== 'handshake' || !a.options?.length) return undefined;
  const short = a.options.map((o) => {
    if (/^(TS|timestamp)\b/.test(o)) return 'TS';
    return o.length > 28 ? `${o.slice(0, 27)}…` : o;
  });
  return short.join(' · ');
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface Badge {
  code: string;
  text: string;
  severity: Severity;
}

const FINDING_WORDS: Record<string, string> = {
  'tcp.retransmission': 'retransmission',
  'tcp.fast-retransmission': 'fast retransmission',
  'tcp.spurious-retransmission': 'spurious retransmission',
  'tcp.out-of-order': 'out-of-order',
  'tcp.lost-segment': 'previous segment not captured',
  'tcp.ack-unseen-segment': 'ACKed unseen segment',
  'tcp.zero-window': 'zero window',
  'tcp.zero-window-probe': 'zero-window probe',
  'tcp.zero-window-probe-ack': 'zero-window probe ACK',
  'tcp.window-full': 'window full',
  'tcp.window-update': 'window update',
  'tcp.keep-alive': 'keep-alive',
  'tcp.keep-alive-ack': 'keep-alive ACK',
  'tcp.port-reused': 'ports reused',
  'handshake.bad-ack': 'bad handshake ack',
  'handshake.unanswered-syn': 'SYN unanswered',
  'handshake.refused': 'refused',
  'handshake.incomplete': 'handshake incomplete',
  'handshake.data-before-established': 'data before ESTABLISHED',
  'teardown.bad-fin-ack': 'bad FIN ack',
  'teardown.data-after-fin': 'data after FIN',
  'teardown.fin-unacked': 'FIN not acknowledged',
  'teardown.reset': 'reset',
  'flags.invalid-combination': 'invalid flags',
};

const SEVERITIES: readonly string[] = ['error', 'warning', 'information', 'hint'];

/** The findings of an arrow in words, one badge per code (`dup ACK #3` with its number). */
export function badges(a: LadderArrow): Badge[] {
  const out: Badge[] = [];
  const seen = new Set<string>();
  for (const code of a.findings) {
    if (seen.has(code)) continue;
    seen.add(code);
    const m = a.messages?.find((x) => x.code === code);
    const severity = (m && SEVERITIES.includes(m.severity) ? m.severity : 'information') as Severity;
    let text = FINDING_WORDS[code];
    if (code === 'tcp.dup-ack') text = a.dupAck !== undefined ? `dup ACK #${a.dupAck}` : 'dup ACK';
    if (text === undefined) text = (code.split('.').pop() ?? code).replace(/-/g, ' ');
    out.push({ code, text, severity });
  }
  return out;
}

export const isRetransmission = (a: LadderArrow): boolean =>
  a.findings.some(
    (c) =>
      c === 'tcp.retransmission' || c === 'tcp.fast-retransmission' || c === 'tcp.spurious-retransmission',
  );

/** A pure ACK with nothing to say: what "hide pure ACKs" hides. */
export const isPlainAck = (a: LadderArrow): boolean =>
  a.kind === 'ack' &&
  a.len === 0 &&
  a.findings.length === 0 &&
  a.annotations.length === 0 &&
  !a.clientState &&
  !a.serverState;

/** In-order data or an ACK with no finding, note or state change: what a collapsed run holds. */
export const isUneventful = (a: LadderArrow): boolean =>
  (a.kind === 'data' || a.kind === 'ack') &&
  a.findings.length === 0 &&
  a.annotations.length === 0 &&
  !a.clientState &&
  !a.serverState;

/** `0.000123` seconds since the first packet. */
export function timeLabel(t: number | undefined): string {
  return t === undefined ? '' : t.toFixed(6);
}

/** A duration in the unit that reads best: `14 µs`, `0.52 ms`, `1.203 s`. */
export function duration(seconds: number): string {
  const a = Math.abs(seconds);
  if (a < 0.001) return `${Math.round(seconds * 1e6)} µs`;
  if (a < 1) return `${(seconds * 1000).toFixed(a < 0.01 ? 2 : 1)} ms`;
  if (a < 100) return `${seconds.toFixed(a < 10 ? 3 : 2)} s`;
  return `${seconds.toFixed(0)} s`;
}

export function deltaLabel(dt: number | undefined): string {
  return dt === undefined ? '' : `+${duration(dt)}`;
}

/** Zeek's conn_state values in words (Zeek's conn.log documentation). */
export const ZEEK_STATES: Record<string, string> = {
  S0: 'connection attempt seen, no reply',
  S1: 'connection established, not terminated',
  SF: 'normal establishment and termination',
  REJ: 'connection attempt rejected',
  S2: 'established, close attempt by the originator seen (no reply from the responder)',
  S3: 'established, close attempt by the responder seen (no reply from the originator)',
  RSTO: 'established, the originator aborted (sent a RST)',
  RSTR: 'the responder sent a RST',
  RSTOS0: 'the originator sent a SYN followed by a RST, no SYN-ACK seen',
  RSTRH: 'the responder sent a SYN-ACK followed by a RST, no SYN seen',
  SH: 'the originator sent a SYN followed by a FIN, no SYN-ACK seen',
  SHR: 'the responder sent a SYN-ACK followed by a FIN, no SYN seen',
  OTH: 'no SYN seen, just midstream traffic',
};

/** A conn_state in words, or undefined for one Zeek does not define (own keys only). */
export function zeekStateWords(state: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(ZEEK_STATES, state) ? ZEEK_STATES[state] : undefined;
}

const HISTORY: Record<string, string> = {
  s: 'SYN',
  h: 'SYN-ACK',
  a: 'pure ACK',
  d: 'data',
  f: 'FIN',
  r: 'RST',
  c: 'bad checksum',
  g: 'content gap',
  t: 'retransmitted data',
  w: 'zero window',
  i: 'inconsistent packet',
  q: 'multi-flag packet',
  '^': 'direction flipped',
};

/** Zeek's history string letter by letter: `S client SYN, h server SYN-ACK, ...`. */
export function historyWords(history: string): string {
  const out: string[] = [];
  for (const ch of history) {
    const lower = ch.toLowerCase();
    const what = HISTORY[lower];
    if (!what) continue;
    if (ch === '^') out.push(`^ ${what}`);
    else out.push(`${ch} ${ch === lower ? 'server' : 'client'} ${what}`);
  }
  return out.join(', ');
}

/** `#2 10.0.0.1:40002 → 10.0.0.2:80`. */
export function connectionTitle(c: ConnectionSummary): string {
  return `#${c.id} ${c.client} → ${c.server}`;
}

/** The parts of a connection's header row (all-connections view), each one line of plain text. */
export function connectionHead(c: ConnectionSummary): {
  title: string;
  counts: string;
  verdict: string;
  /** Zeek's conn_state (and its meaning, when Zeek defines it) and history; `-` when empty. */
  state: string;
  stateWords: string | undefined;
  history: string;
  /** The whole header in words, for screen readers and tooltips. */
  words: string;
} {
  const title = oneLine(connectionTitle(c));
  const counts = [
    `${groupDigits(c.packets)} packet${c.packets === 1 ? '' : 's'}`,
    `${c.problems} problem${c.problems === 1 ? '' : 's'}`,
    ...(c.clientGuessed ? ['client guessed (no SYN in the trace)'] : []),
  ].join(' · ');
  const verdict = oneLine(c.verdict);
  const state = oneLine(c.zeekState || '-');
  const history = oneLine(c.history || '-');
  const zeek = zeekStateWords(c.zeekState);
  const words = `${title} · ${counts} · ${verdict} · Zeek conn_state ${state}${zeek ? ` (${zeek})` : ''} · history ${history}`;
  return { title, counts, verdict, state, stateWords: zeek, history, words };
}

/** `SF ShADadfF`: what Zeek's conn.log would say. */
export function zeekLabel(c: ConnectionSummary): string {
  return `${c.zeekState || '-'} ${c.history || '-'}`;
}

/** Control characters out, one line: trace text is shown as it is, never interpreted. */
export function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
