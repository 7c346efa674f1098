/**
 * Helpers for the analysis tests: a small vocabulary for writing tcpdump -nn lines of one connection
 * (client 10.0.0.1.40000, server 10.0.0.2.5001) at given times, and assertions on findings.
 *
 * The server port has no tcpdump payload printer (unlike 80 or 8080, which append `: HTTP`), so data
 * lines end at `length N` exactly as tcpdump prints them.
 */
import assert from 'node:assert/strict';
import {
  analyzeTrace,
  type AnalyzeOptions,
  type Connection,
  type Finding,
  type Segment,
  type TraceAnalysis,
} from '../../server/src/trace/index';
import { lines, spanText } from './trace';

export const CLIENT = '10.0.0.1.40000';
export const SERVER = '10.0.0.2.5001';

/** `hh:mm:ss.uuuuuu` for a time given in milliseconds after 12:00:00. */
export function at(ms: number): string {
  const us = Math.round(ms * 1000);
  const totalSeconds = Math.floor(us / 1e6);
  const frac = us % 1e6;
  const h = 12 + Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const sec = totalSeconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(sec)}.${String(frac).padStart(6, '0')}`;
}

/** A line sent by the client at `ms`; `rest` is everything after `CLIENT > SERVER: `. */
export function c(ms: number, rest: string): string {
  return `${at(ms)} IP ${CLIENT} > ${SERVER}: ${rest}`;
}

/** A line sent by the server at `ms`. */
export function s(ms: number, rest: string): string {
  return `${at(ms)} IP ${SERVER} > ${CLIENT}: ${rest}`;
}

/** The client's SYN with ISN `isn` (1000 unless told) at `ms`, with TS val ms + 1. */
export function synAt(ms: number, isn = 1000): string {
  return c(
    ms,
    `Flags [S], seq ${isn}, win 65535, options [mss 1460,sackOK,TS val ${ms + 1} ecr 0,nop,wscale 7], length 0`,
  );
}

/** The server's SYN-ACK with ISN `isn` (5000 unless told) acking `ack` (1001 unless told) at `ms`. */
export function synAckAt(ms: number, ack = 1001, isn = 5000): string {
  return s(
    ms,
    `Flags [S.], seq ${isn}, ack ${ack}, win 65160, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0`,
  );
}

/**
 * The handshake most tests start from: client ISN 1000, server ISN 5000, both offer wscale 7 (the
 * server does not do timestamps, so later segments carry no options). SYN at 0 ms, SYN-ACK at 10 ms,
 * ACK at 20 ms: Wireshark's iRTT is 20 ms. After it tcpdump prints relative numbers: the client's data
 * starts at seq 1, the server's at seq 1.
 */
export const SYN = synAt(0);
export const SYN_ACK = synAckAt(10);
export const THIRD_ACK = c(20, 'Flags [.], ack 1, win 502, length 0');
export const HANDSHAKE: readonly string[] = [SYN, SYN_ACK, THIRD_ACK];

/** The SYN sent again after 1 s (line 2, the same ISN) and only then answered: SYN-ACK, ACK. */
export const SYN_RESENT_THEN_ANSWERED: readonly string[] = [
  SYN,
  synAt(1000),
  synAckAt(1010),
  c(1020, 'Flags [.], ack 1, win 502, length 0'),
];

/**
 * HANDSHAKE closed with FINs (lines 4-6), then 5 s later on the same ports a new SYN with ISN 900000
 * (line 7) and its SYN-ACK with ISN 700000 (line 8).
 */
export const CLOSED_THEN_NEW_SYN: readonly string[] = [
  ...HANDSHAKE,
  c(21, 'Flags [F.], seq 1, ack 1, win 502, length 0'),
  s(30, 'Flags [F.], seq 1, ack 2, win 509, length 0'),
  c(40, 'Flags [.], ack 2, win 502, length 0'),
  synAt(5000, 900000),
  synAckAt(5010, 900001, 700000),
];

// Traces between other hosts.

/** tests/dns_tcp.pcap printed with -nn (the corpus rendering): a DNS query over TCP, FIN both ways. */
export const DNS_TCP_NN: readonly string[] = [
  '09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0',
  '09:21:03.846908 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [S.], seq 2043824403, ack 603899917, win 64240, options [mss 1460], length 0',
  '09:21:03.847060 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 1, win 64240, length 0',
  '09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)',
  '09:21:03.847457 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 59, win 64240, length 0',
  '09:21:03.973180 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [P.], seq 1:227, ack 59, win 64240, length 226 17177*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)',
  '09:21:03.973220 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 227, win 64014, length 0',
  '09:21:03.974844 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [F.], seq 59, ack 227, win 64014, length 0',
  '09:21:03.975246 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 60, win 64239, length 0',
  '09:21:04.101184 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [FP.], seq 227, ack 60, win 64239, length 0',
  '09:21:04.101256 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 228, win 64014, length 0',
];

/**
 * Simultaneous open (RFC 9293 Fig. 7): 192.0.2.30.40001 and 192.0.2.31.40002 send crossing bare SYNs
 * (lines 1-2), then each its SYN-ACK (lines 3-4).
 */
export const SIMULTANEOUS_OPEN: readonly string[] = [
  '12:00:00.010000 IP 192.0.2.30.40001 > 192.0.2.31.40002: Flags [S], seq 7000000, win 64240, options [mss 1460,sackOK,TS val 1040012 ecr 0,nop,wscale 7], length 0',
  '12:00:00.010100 IP 192.0.2.31.40002 > 192.0.2.30.40001: Flags [S], seq 13000000, win 65160, options [mss 1460,sackOK,TS val 5040003 ecr 0,nop,wscale 7], length 0',
  '12:00:00.010300 IP 192.0.2.30.40001 > 192.0.2.31.40002: Flags [S.], seq 7000000, ack 13000001, win 64240, options [mss 1460,sackOK,TS val 1040013 ecr 5040003,nop,wscale 7], length 0',
  '12:00:00.010400 IP 192.0.2.31.40002 > 192.0.2.30.40001: Flags [S.], seq 13000000, ack 7000001, win 65160, options [mss 1460,sackOK,TS val 5040004 ecr 1040013,nop,wscale 7], length 0',
];

/**
 * Only the client's direction captured (tests/ipoib): its SYN, its ack of the unseen SYN-ACK
 * (ack 3051049339, i.e. ISN_s + 1), its data, and its ack of the server's (unseen) data.
 */
export const CLIENT_DIRECTION_ONLY: readonly string[] = [
  '16:32:45.050083 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [SEW], seq 798232822, win 32983, options [mss 65480,sackOK,TS val 62202209 ecr 0,nop,wscale 8], length 0',
  '16:32:45.050250 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [.], ack 3051049339, win 33232, options [nop,nop,TS val 62202209 ecr 81054], length 0',
  '16:32:45.051868 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [P.], seq 0:26, ack 1, win 33232, options [nop,nop,TS val 62202209 ecr 81054], length 26: SSH: SSH-2.0-OpenSSH_7.5 FIPS',
  '16:32:45.062494 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [.], ack 23, win 33232, options [nop,nop,TS val 62202210 ecr 81055], length 0',
];

/**
 * Handshake plus one exchange: client sends 100 bytes (line 4), the server answers with 200 bytes
 * (line 5), the client acknowledges them (line 6). Next client seq is 101, next server seq 201.
 */
export const EXCHANGE: readonly string[] = [
  ...HANDSHAKE,
  c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
  s(30, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
  c(40, 'Flags [.], ack 201, win 501, length 0'),
];

export interface Run {
  text: string;
  a: TraceAnalysis;
}

/** Analyses the lines (one packet line per argument). */
export function run(...ls: string[]): Run {
  const text = lines(...ls);
  return { text, a: analyzeTrace(text) };
}

export function runWith(options: AnalyzeOptions, ...ls: string[]): Run {
  const text = lines(...ls);
  return { text, a: analyzeTrace(text, options) };
}

/** Findings with a code. */
export function withCode(a: TraceAnalysis, code: string): Finding[] {
  return a.findings.filter((f) => f.code === code);
}

/**
 * Asserts exactly one finding with `code`, on the 1-based `line`, covering `span` exactly, with
 * `severity`; returns it.
 */
export function expectOne(
  r: Run,
  code: string,
  line: number,
  span: string,
  severity: Finding['severity'],
): Finding {
  const found = withCode(r.a, code);
  assert.equal(found.length, 1, `exactly one ${code}, got ${found.length}: ${describe(r)}`);
  const f = found[0]!;
  assert.equal(f.span.line + 1, line, `${code} on line ${line}: ${describe(r)}`);
  assert.equal(spanText(r.text, f.span), span, `${code} span`);
  assert.equal(f.severity, severity, `${code} severity`);
  return f;
}

/** Asserts that `code` appears nowhere. */
export function expectNone(r: Run, code: string): void {
  assert.deepEqual(withCode(r.a, code), [], `no ${code} expected: ${describe(r)}`);
}

/** Codes on a 1-based line, sorted, for set comparisons. */
export function codesAt(a: TraceAnalysis, line: number): string[] {
  return a.findings
    .filter((f) => f.span.line === line - 1)
    .map((f) => f.code)
    .sort();
}

/** Lines covered by related information, 1-based. */
export function relatedLines(f: Finding): number[] {
  return f.related.map((r) => r.span.line + 1);
}

/** The only connection of a run. */
export function only(a: TraceAnalysis): Connection {
  assert.equal(a.connections.length, 1, 'one connection');
  return a.connections[0]!;
}

/** The segment whose record starts on the 1-based line. */
export function segmentAt(a: TraceAnalysis, line: number): Segment {
  for (const conn of a.connections) {
    for (const seg of conn.segments) if (seg.record.line === line - 1) return seg;
  }
  assert.fail(`no segment on line ${line}`);
}

/** A one-line-per-finding summary for assertion messages. */
export function describe(r: Run): string {
  if (r.a.findings.length === 0) return '(no findings)';
  return r.a.findings.map((f) => `L${f.span.line + 1} ${f.code} "${spanText(r.text, f.span)}"`).join('; ');
}
