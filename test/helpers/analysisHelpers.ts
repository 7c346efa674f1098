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

/**
 * The handshake most tests start from: client ISN 1000, server ISN 5000, both offer wscale 7 (the
 * server does not do timestamps, so later segments carry no options). SYN at 0 ms, SYN-ACK at 10 ms,
 * ACK at 20 ms: Wireshark's iRTT is 20 ms. After it tcpdump prints relative numbers: the client's data
 * starts at seq 1, the server's at seq 1.
 */
export const SYN = c(
  0,
  'Flags [S], seq 1000, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
);
export const SYN_ACK = s(
  10,
  'Flags [S.], seq 5000, ack 1001, win 65160, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0',
);
export const THIRD_ACK = c(20, 'Flags [.], ack 1, win 502, length 0');
export const HANDSHAKE: readonly string[] = [SYN, SYN_ACK, THIRD_ACK];

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
