/** Helpers for the parser unit tests: parse inline traces and read fields and ranges back. */
import assert from 'node:assert/strict';
import {
  analyzeTrace,
  parseTrace,
  type Endpoint,
  type PacketRecord,
  type ParsedTrace,
  type Span,
  type TcpOption,
  type TraceAnalysis,
} from '../../server/src/trace/index';

/** The rlogin example of the tcpdump 3.9 man page, verbatim: the old 3.x format. */
export const RLOGIN: readonly string[] = [
  'rtsg.1023 > csam.login: S 768512:768512(0) win 4096 <mss 1024>',
  'csam.login > rtsg.1023: S 947648:947648(0) ack 768513 win 4096 <mss 1024>',
  'rtsg.1023 > csam.login: . ack 1 win 4096',
  'rtsg.1023 > csam.login: P 1:2(1) ack 1 win 4096',
  'csam.login > rtsg.1023: . ack 2 win 4096',
  'csam.login > rtsg.1023: P 2:3(1) ack 21 win 4077 urg 1',
];

/** Joins lines into a trace text, one line per argument, LF-terminated. */
export function trace(...ls: string[]): string {
  return `${ls.join('\n')}\n`;
}

/** Parses the lines and asserts that no parse problem was reported. */
export function parseClean(...ls: string[]): ParsedTrace {
  const p = parseTrace(trace(...ls));
  assert.deepEqual(p.problems, [], 'no parse problems expected');
  return p;
}

/** Parses the lines, asserts no problem and exactly one record, and returns that record. */
export function only(...ls: string[]): PacketRecord {
  const p = parseClean(...ls);
  assert.equal(p.records.length, 1, 'exactly one record expected');
  return p.records[0]!;
}

/** Record `i` of a parse, asserting that it exists. */
export function rec(p: ParsedTrace | TraceAnalysis, i: number): PacketRecord {
  const r = p.records[i];
  assert.ok(r, `record ${i} exists`);
  return r;
}

/** Analyses the lines (numbering, connections) and returns the analysis. */
export function analyzeLines(...ls: string[]): TraceAnalysis {
  return analyzeTrace(trace(...ls));
}

/** Splits text on LF, CRLF or a lone CR, like the parser does. */
export function splitAny(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** The text a span covers, read back from the source (any line ending). */
export function textAt(text: string, span: Span | undefined): string {
  assert.ok(span, 'span expected');
  const line = splitAny(text)[span.line];
  assert.ok(line !== undefined, `line ${span.line} exists`);
  return line.slice(span.start, span.end);
}

/** Asserts a span lies inside its line and is not empty. */
export function assertSpanInLine(text: string, span: Span): void {
  const line = splitAny(text)[span.line];
  assert.ok(line !== undefined, `line ${span.line} exists`);
  assert.ok(
    span.start >= 0 && span.start < span.end && span.end <= line.length,
    `span ${JSON.stringify(span)} lies inside a line of ${line.length} columns`,
  );
}

/** Host, printed port and resolved port of an endpoint, for deepEqual. */
export function ep(
  e: Endpoint | undefined,
): { host: string; portText: string; port: number | undefined } | undefined {
  return e && { host: e.host, portText: e.portText, port: e.port };
}

/** An endpoint as `{ host, portText, port }`; without a third argument the port is the printed number. */
export function hp(
  host: string,
  portText: string,
  ...port: [number | undefined] | []
): { host: string; portText: string; port: number | undefined } {
  return { host, portText, port: port.length ? port[0] : Number(portText) };
}

/** An option without its span and text, keeping only the fields that are set. */
export function optionFields(o: TcpOption): Record<string, unknown> {
  const out: Record<string, unknown> = { kind: o.kind };
  if (o.value !== undefined) out.value = o.value;
  if (o.tsVal !== undefined) out.tsVal = o.tsVal;
  if (o.tsEcr !== undefined) out.tsEcr = o.tsEcr;
  if (o.blocks !== undefined) out.blocks = o.blocks;
  return out;
}

export function optionList(r: PacketRecord): Array<Record<string, unknown>> {
  return r.options.map(optionFields);
}

/** Asserts a float within 1e-6 (timestamps with 9 fraction digits do not survive a double exactly). */
export function near(actual: number | undefined, expected: number, eps = 1e-6): void {
  assert.ok(actual !== undefined, `expected ~${expected}, got undefined`);
  assert.ok(Math.abs(actual - expected) <= eps, `expected ~${expected}, got ${actual}`);
}

/** Problem codes of a parse, in order. */
export function problemCodes(p: ParsedTrace): string[] {
  return p.problems.map((x) => x.code);
}
