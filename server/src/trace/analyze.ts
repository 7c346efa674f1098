/**
 * The whole pipeline: parse, recover times and absolute numbers, track connections, run the checks,
 * and collect every finding sorted by position.
 */
import { CODES, isKnownCode } from './codes';
import { RecordIds, SegmentIndex, trackConnections } from './connections';
import { checkFlagCombinations } from './flagCombinations';
import { checkHandshake } from './handshakeChecks';
import type { Connection } from './model';
import { withSpareMemory } from './columns';
import { resolveNumbers } from './numbering';
import { parseTrace, type AllFields, type ParsedTrace } from './parser';
import { checkTeardown } from './teardownChecks';
import { resolveTimes } from './times';
import { findJoinedPackets } from './pastedText';
import type { Finding, Fix, PacketRecord, Span } from './types';
import { wiresharkFindings } from './wiresharkFindings';
import { findWrappedLine } from './wrappedLines';
import { zeekSummary } from './zeek';

export interface AnalyzeOptions {
  /** Force absolute (-S) or relative numbering instead of judging it from the numbers. */
  absoluteNumbers?: boolean;
  /**
   * Memory the caller has done with (the bytes the text was decoded from), for the analysis' columns
   * to be cut from (see withSpareMemory in columns.ts): what it holds is overwritten.
   */
  spareMemory?: ArrayBuffer;
  /**
   * Only what a report needs (the CLI's check): the connections, their verdicts and the findings.
   * The segments then carry no endpoint states, relative numbers or links to the segments their acks
   * acknowledge, the connections no list of their records (their flows count the packets), the
   * lookups by record (segmentOf, connectionOf) are empty, and no checkpoints are kept for
   * re-tracking: editor features and incremental re-analysis need the full analysis.
   */
  reportOnly?: boolean;
  /**
   * Only the findings: a report's analysis (as reportOnly) without Zeek's summary of each connection
   * (its zeekState and history stay unset), whose connections keep their verdicts and findings but
   * not their segments or what their sides sent (the checks have read them). The language server
   * publishes a new document's diagnostics from it, then makes the full analysis from the same parse
   * (completeAnalysis).
   */
  findingsOnly?: boolean;
}

export interface TraceAnalysis {
  parsed: ParsedTrace;
  /** The parse's records (ParsedTrace.records: made when first asked for). */
  records: PacketRecord[];
  connections: Connection[];
  /** Analysed segment of a TCP record, by record index. */
  segmentOf: SegmentIndex;
  /** Connection id of a TCP record, by record index. */
  connectionOf: RecordIds;
  /** Every parse problem and analysis finding, in document order. */
  findings: Finding[];
  /** Whether numbers were read as -S (absolute) output. */
  absoluteNumbers: boolean;
  /** The last record that judgement looked at (an edit after it cannot change it); see numbering.ts. */
  numberingDecidedAt?: number;
  /**
   * Set by an incremental re-analysis after which every record is on the lines it was on in the
   * analysis it started from (a map from lines to records stays true).
   */
  keptRecordLines?: boolean;
}

export function analyzeTrace(text: string, options: AnalyzeOptions = {}): TraceAnalysis {
  return withSpareMemory(options.spareMemory, () => analyzeText(text, options));
}

function analyzeText(text: string, options: AnalyzeOptions): TraceAnalysis {
  const parsed = parseTrace(text);
  const records = parsed.recordList;
  resolveTimes(records);
  // An option forces the reading; else the command line that made the trace, when it was pasted too.
  const numbering = resolveNumbers(records, options.absoluteNumbers ?? parsed.commandNumbering);
  return trackAndJudge(parsed, numbering.absolute, numbering.decidedAt, options);
}

/**
 * The full analysis of the trace that `first` is a report's or the findings' analysis of (reportOnly,
 * findingsOnly): its parse, times and numbers as they are (nothing after the numbering writes to the
 * records), tracked again with everything editor features need. The same as analyzeTrace of the text
 * without those options, without reading the text again. The checks are not run again: they read
 * only what a report's tracking makes too (analysis bits, numbers, the flows' SYNs and FINs; not
 * endpoint states, relative numbers or ack targets), so each connection's verdicts and findings, and
 * the findings of the whole, are the first analysis's (the same connections, in the same order).
 */
export function completeAnalysis(first: TraceAnalysis): TraceAnalysis {
  const parsed = first.parsed;
  const table = trackConnections(parsed.recordList);
  const judged = first.connections;
  const same =
    judged.length === table.connections.length &&
    table.connections.every((c, i) => c.key === judged[i]!.key && c.firstRecord === judged[i]!.firstRecord);
  // (Never otherwise: tracking is the same pass on the same records. Judged again if it were.)
  if (!same) return trackAndJudge(parsed, first.absoluteNumbers, first.numberingDecidedAt, {});
  for (let i = 0; i < judged.length; i++) {
    const conn = table.connections[i]!;
    const done = judged[i]!;
    conn.handshake = done.handshake;
    conn.teardown = done.teardown;
    conn.findings = done.findings;
    summarizeConnection(conn);
  }
  return analysisOf(parsed, {
    connections: table.connections,
    segmentOf: table.segmentOf,
    connectionOf: table.connectionOf,
    findings: first.findings,
    absoluteNumbers: first.absoluteNumbers,
    numberingDecidedAt: first.numberingDecidedAt,
    keptRecordLines: false,
  });
}

/** The analysis of a parse whose times and numbers are resolved: its connections tracked and checked. */
function trackAndJudge(
  parsed: ParsedTrace,
  absolute: boolean,
  decidedAt: number | undefined,
  options: AnalyzeOptions,
): TraceAnalysis {
  const findingsOnly = options.findingsOnly === true;
  // Findings alone: each connection is judged as soon as it has all its records, and what only the
  // checks read of it then goes (its segments, what its sides sent). Most connections of a large
  // trace are short, and their lists, kept to the end, were most of what the garbage collector's
  // young generation copied while tracking ran (lsp-bench didOpen: -9 ms).
  const judged = new Set<Connection>();
  const judgeNow = (conn: Connection) => {
    judgeConnection(conn, parsed, absolute, false);
    conn.segments.clear();
    conn.client.sent.clear();
    conn.server.sent.clear();
    judged.add(conn);
  };
  const table = trackConnections(
    parsed.recordList,
    options.reportOnly || findingsOnly,
    findingsOnly ? judgeNow : undefined,
  );
  for (const conn of table.connections)
    if (!judged.has(conn)) judgeConnection(conn, parsed, absolute, !findingsOnly);
  return analysisOf(parsed, {
    connections: table.connections,
    segmentOf: table.segmentOf,
    connectionOf: table.connectionOf,
    findings: collectFindings(parsed, table.connections),
    absoluteNumbers: absolute,
    numberingDecidedAt: decidedAt,
    keptRecordLines: false,
  });
}

/**
 * An analysis of `parsed`, with its records (read from the parse when asked for). Every other field
 * is named, none spread from another analysis: a spread would make that one's array of records.
 */
export function analysisOf(
  parsed: ParsedTrace,
  fields: AllFields<Omit<TraceAnalysis, 'parsed' | 'records'>>,
): TraceAnalysis {
  return {
    parsed,
    get records() {
      return parsed.records;
    },
    ...fields,
  };
}

/**
 * Runs every check on one tracked connection and fills its verdicts and findings; `summarize`: and
 * Zeek's summary (zeekState, history), which no finding needs.
 */
export function judgeConnection(
  conn: Connection,
  parsed: ParsedTrace,
  absolute: boolean,
  summarize = true,
): void {
  const records = parsed.recordList;
  conn.handshake = checkHandshake(conn, parsed, absolute);
  conn.teardown = checkTeardown(conn, records);
  checkFlagCombinations(conn);
  wiresharkFindings(conn, records, hasOffloadSends(parsed));
  if (summarize) summarizeConnection(conn);
}

/** Zeek's summary of a tracked connection (conn_state and history); none for a -q one. */
function summarizeConnection(conn: Connection): void {
  if (conn.quiet) return;
  const z = zeekSummary(conn);
  conn.zeekState = z.state;
  conn.history = z.history;
}

const offloadSendsOf = new WeakMap<ParsedTrace, boolean>();

/** Whether the trace has packets tcpdump printed as `bad-len 0` (packetLine.ts, OFFLOAD_SEND). */
function hasOffloadSends(parsed: ParsedTrace): boolean {
  let known = offloadSendsOf.get(parsed);
  if (known === undefined) {
    known = parsed.problems.some((p) => p.code === 'capture.offload-send');
    offloadSendsOf.set(parsed, known);
  }
  return known;
}

/** Parse problems and every connection's findings, in document order. */
export function collectFindings(parsed: ParsedTrace, connections: Connection[]): Finding[] {
  const findings: Finding[] = [];
  const records = parsed.recordList;
  if (parsed.binary) {
    findings.push({
      code: 'parse.binary-capture',
      severity: CODES['parse.binary-capture'].severity,
      message: `this is a binary ${parsed.binary} capture, not tcpdump text: turn it into a trace with \`tcpdump -nn -r FILE > FILE.trace\``,
      span: { line: 0, start: 0, end: Math.min(1, parsed.lines[0]?.length ?? 0) },
      related: [],
    });
  }
  let offloadSends: Finding | undefined;
  let offloadCount = 0;
  for (const p of parsed.problems) {
    const code = isKnownCode(p.code) ? p.code : 'parse.malformed-line';
    // One finding for a trace's offload sends, on the first: a capture on a TSO host has hundreds.
    if (code === 'capture.offload-send' && offloadCount++ > 0) continue;
    const f: Finding = {
      code,
      severity: CODES[code].severity,
      message: p.message,
      span: p.span,
      related: [],
    };
    if (code === 'capture.offload-send') offloadSends = f;
    findings.push(f);
  }
  if (offloadSends && offloadCount > 1)
    offloadSends.message += ` (${offloadCount} such packets in this trace, the first here)`;
  // (The parse's lines are made when first asked for: only a trace with bad lines needs them here.)
  if (findings.some((f) => f.code === 'parse.unknown-line' || f.code === 'parse.malformed-line'))
    offerJoins(findings, parsed.lines);
  for (const f of findings)
    if (f.code === 'parse.joined-packets')
      f.fixes = [splitJoined(parsed.lines[f.span.line]!, f.span, parsed.eol)];
  for (const conn of connections) for (const f of conn.findings) findings.push(f);
  const quiet = connections.find((c) => c.quiet);
  if (quiet) {
    const r = records.at(quiet.firstRecord)!;
    findings.push({
      code: 'trace.no-flags',
      severity: CODES['trace.no-flags'].severity,
      message:
        'printed with tcpdump -q: no flags, sequence numbers or windows, so handshakes, teardowns and retransmissions cannot be checked',
      span: r.lengthSpan ?? { line: r.line, start: 0, end: 1 },
      record: r.index,
      related: [],
    });
  }
  findings.sort((a, b) => a.span.line - b.span.line || a.span.start - b.span.start);
  if (parsed.problems.some((p) => p.code === 'capture.packets-dropped')) linkDropsToGaps(findings);
  return findings;
}

/** How many bad lines are tried as wrapped ones (each try parses a few lines on their own). */
const MAX_JOIN_ATTEMPTS = 100;

/**
 * Lines that are no packet but the rest of the packet line above them, wrapped (wrappedLines.ts):
 * their diagnostics say so, and they and the line above's (if any) offer to join them again.
 */
function offerJoins(parseFindings: Finding[], lines: readonly string[]): void {
  const byLine = new Map<number, Finding[]>();
  for (const f of parseFindings) {
    const at = byLine.get(f.span.line);
    if (at) at.push(f);
    else byLine.set(f.span.line, [f]);
  }
  let joinedUpTo = -1;
  let attempts = 0;
  for (const f of parseFindings) {
    // The first line of a wrapped line's rest: reported as no packet line, or (in a file whose every
    // line is wrapped, which reads like an -A dump) taken for payload under a malformed packet line.
    if (f.code !== 'parse.unknown-line' && f.code !== 'parse.malformed-line') continue;
    const first = f.code === 'parse.unknown-line' ? f.span.line : f.span.line + 1;
    if (first <= joinedUpTo || attempts++ >= MAX_JOIN_ATTEMPTS) continue;
    const wrap = findWrappedLine(lines, first);
    if (!wrap) continue;
    joinedUpTo = wrap.last;
    for (let l = wrap.head; l <= wrap.last; l++) {
      for (const g of byLine.get(l) ?? []) {
        if (g.code === 'parse.unknown-line') {
          g.message =
            'the rest of the packet line above, wrapped: joined to it, the lines read as one packet';
          g.fixes = [wrap.fix];
        } else if (g.code === 'parse.malformed-line' && l === wrap.head) {
          g.message += '; the line is wrapped: joined with the lines below, it reads as one packet';
          g.fixes = [wrap.fix];
        }
      }
    }
  }
}

/** The fix for packet lines run together on line `span.line`: a line break before each run-on one. */
function splitJoined(text: string, span: Span, eol: string): Fix {
  // (From the space before the first: a time is found after a space.)
  const starts = findJoinedPackets(text, span.start - 1);
  return {
    title: `Split the line into ${starts.length + 1} packet lines (their line breaks were lost)`,
    edits: starts.map((at) => {
      // The spaces the lost line break became go too.
      let from = at;
      while (from > 0 && text.charCodeAt(from - 1) === 32) from--;
      return { span: { line: span.line, start: from, end: at }, newText: eol };
    }),
  };
}

/** How many of the trace's gaps a warning about dropped packets points to. */
const MAX_GAPS_SHOWN = 10;

/**
 * tcpdump's count of dropped packets explains the gaps Wireshark's analysis finds: its warning points
 * to the first of them (in document order).
 */
function linkDropsToGaps(findings: Finding[]): void {
  const drops = findings.filter((f) => f.code === 'capture.packets-dropped');
  const gaps = findings
    .filter((f) => f.code === 'tcp.lost-segment' || f.code === 'tcp.ack-unseen-segment')
    .slice(0, MAX_GAPS_SHOWN)
    .map((f) => ({ span: f.span, message: f.message }));
  for (const d of drops) d.related = gaps;
}
