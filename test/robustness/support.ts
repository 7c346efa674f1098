/**
 * Shared machinery of the robustness tier (and of `npm run fuzz`, which loads the compiled copy of this
 * file): the real lines of ../shared/corpus, the invariants every analysis and every LSP feature must
 * keep on any input, the mutations the fuzzer applies to real lines, and a small seeded PRNG so that a
 * failing case is reproduced from its seed alone.
 *
 * The invariants are strict: every range inside the document (line < line count, 0 <= start <= end <=
 * the line's length), every code known, every message short and printable. Bugs the fuzzer found and the
 * core has not fixed yet are listed in KNOWN_BUGS with a precise signature; the tests count them apart
 * instead of failing, each keeps a `todo` regression test with its minimal input, and ROBUSTNESS_STRICT=1
 * turns the list off.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Range } from 'vscode-languageserver';
import { DEFAULT_SETTINGS, type Settings } from '../../server/src/settings';
import { codeActions } from '../../server/src/features/codeActions';
import { codeLenses } from '../../server/src/features/codeLens';
import { diagnostics } from '../../server/src/features/diagnostics';
import { foldingRanges } from '../../server/src/features/folding';
import { hover } from '../../server/src/features/hover';
import { inlayHints } from '../../server/src/features/inlayHints';
import { connectionSummaries, ladderModel } from '../../server/src/features/ladder';
import { definition, documentHighlights, references } from '../../server/src/features/navigation';
import { documentSymbols } from '../../server/src/features/symbols';
import { fieldSpans, TraceIndex } from '../../server/src/features/traceIndex';
import { analyzeTrace, isKnownCode, type Span, type TraceAnalysis } from '../../server/src/trace/index';

/** Compiled to out/test/robustness/, so the repository root is three levels up (PACKET_TRACE_ROOT overrides). */
export const ROOT = process.env.PACKET_TRACE_ROOT ?? path.join(__dirname, '../../..');
export const CORPUS = path.join(ROOT, '../shared/corpus');

// ---------------------------------------------------------------------------------------------------
// The corpus

/** The renderings the fuzzer draws lines from: the five of the brief, then every other one. */
export const PRIMARY_RENDERINGS = ['nn.trace', 'vv-nn.trace', 'A-nn.trace', 'e-nn.trace', 'default.trace'];

export interface CorpusFile {
  /** `capture/rendering.trace`. */
  rel: string;
  text: string;
}

let corpusCache: CorpusFile[] | undefined;

/** Every `.trace` of ../shared/corpus (the primary renderings first); empty when the corpus is absent. */
export function corpusFiles(): CorpusFile[] {
  if (corpusCache) return corpusCache;
  const out: CorpusFile[] = [];
  if (fs.existsSync(CORPUS)) {
    const captures = fs
      .readdirSync(CORPUS, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const primary: CorpusFile[] = [];
    const other: CorpusFile[] = [];
    for (const c of captures) {
      for (const f of fs.readdirSync(path.join(CORPUS, c)).sort()) {
        if (!f.endsWith('.trace')) continue;
        const file = { rel: `${c}/${f}`, text: fs.readFileSync(path.join(CORPUS, c, f), 'utf8') };
        (PRIMARY_RENDERINGS.includes(f) ? primary : other).push(file);
      }
    }
    out.push(...primary, ...other);
  }
  corpusCache = out;
  return out;
}

/** Corpus files of at most `maxBytes` characters (for properties that re-analyse on every step). */
export function smallCorpusFiles(maxBytes: number, renderings = PRIMARY_RENDERINGS): CorpusFile[] {
  return corpusFiles().filter(
    (f) => f.text.length <= maxBytes && renderings.includes(f.rel.slice(f.rel.indexOf('/') + 1)),
  );
}

/** A few hand-written lines of every form, so the tier still fuzzes something without the corpus. */
export const BUILTIN_LINES = [
  '18:23:38.667204 IP 127.0.0.1.52052 > 127.0.0.1.8080: Flags [S], seq 1149653124, win 64240, options [mss 1460,sackOK,TS val 2779437483 ecr 0,nop,wscale 10], length 0',
  '18:23:38.667218 IP 127.0.0.1.8080 > 127.0.0.1.52052: Flags [S.], seq 1581948628, ack 1149653125, win 65160, options [mss 1460,sackOK,TS val 1919619860 ecr 2779437483,nop,wscale 10], length 0',
  '18:23:38.667230 IP 127.0.0.1.52052 > 127.0.0.1.8080: Flags [.], ack 1, win 63, options [nop,nop,TS val 2779437483 ecr 1919619860], length 0',
  '18:23:38.667300 IP 127.0.0.1.52052 > 127.0.0.1.8080: Flags [P.], seq 1:79, ack 1, win 63, length 78: HTTP: GET / HTTP/1.1',
  '18:23:38.667204 IP (tos 0x0, ttl 64, id 39138, offset 0, flags [DF], proto TCP (6), length 60)',
  '    127.0.0.1.52052 > 127.0.0.1.8080: Flags [S], cksum 0xfe30 (incorrect -> 0x4fc4), seq 1149653124, win 64240, length 0',
  '18:23:38.667204 00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 (0x0800), length 74: 127.0.0.1.52052 > 127.0.0.1.8080: Flags [S], seq 1, win 1, length 0',
  '2026-11-25 18:23:38.667204 IP6 ::1.40000 > ::1.80: Flags [F.], seq 10, ack 20, win 512, length 0',
  '1700000000.123456 IP 10.0.0.1.1000 > 10.0.0.2.80: tcp 0',
  '    1  18:23:38.667204 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [R.], seq 0, ack 1, win 0, length 0',
  '10:00:00 sun.1000 > moon.telnet: S 3626544836:3626544836(0) win 5840 <mss 1460>',
  '10:00:01 moon.telnet > sun.1000: . ack 1 win 5840',
  '\t0x0000:  4500 003c 98e2 4000 4006 a3d7 7f00 0001  E..<..@.@.......',
  'E..<..@.@............T..D.P..........0.........',
  '# a note about the next packet',
  '18:23:38.667204 ARP, Request who-has 10.0.0.2 tell 10.0.0.1, length 28',
];

let linesCache: string[] | undefined;

/** Distinct non-empty lines of the corpus (at most 2000 characters each), then the built-in ones. */
export function corpusLines(): string[] {
  if (linesCache) return linesCache;
  const seen = new Set<string>();
  for (const f of corpusFiles())
    for (const l of f.text.split(/\r\n|\r|\n/)) if (l.length > 0 && l.length <= 2000) seen.add(l);
  for (const l of BUILTIN_LINES) seen.add(l);
  linesCache = [...seen];
  return linesCache;
}

// ---------------------------------------------------------------------------------------------------
// Documents as an editor sees them

/** The lines of a text as LSP counts them: \r\n, \r and \n each end one, and the last line may be empty. */
export function documentLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export function spanInside(span: Span, lines: string[]): string | undefined {
  const { line, start, end } = span;
  if (!Number.isInteger(line) || !Number.isInteger(start) || !Number.isInteger(end))
    return `non-integer span ${JSON.stringify(span)}`;
  if (line < 0 || line >= lines.length) return `line ${line} outside 0..${lines.length - 1}`;
  const len = lines[line]!.length;
  if (start < 0 || start > end || end > len)
    return `columns ${start}..${end} outside line ${line} of length ${len}`;
  return undefined;
}

export function rangeInside(range: Range, lines: string[]): string | undefined {
  const { start, end } = range;
  for (const p of [start, end]) {
    if (!Number.isInteger(p.line) || !Number.isInteger(p.character)) return `non-integer position`;
    if (p.line < 0 || p.line >= lines.length) return `line ${p.line} outside 0..${lines.length - 1}`;
    if (p.character < 0 || p.character > lines[p.line]!.length)
      return `character ${p.character} outside line ${p.line} of length ${lines[p.line]!.length}`;
  }
  if (start.line > end.line || (start.line === end.line && start.character > end.character))
    return `range ends before it starts`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Invariants

export interface Violation {
  /** `crash`, `unknown-code`, `span`, `related-span`, `fix-span`, `record`, `message`, `feature:NAME`. */
  kind: string;
  detail: string;
  code?: string;
  /** The offending one-line range, when the violation is about one. */
  span?: Span;
  /** The offending message, when the violation is about one. */
  message?: string;
  /** Set when the violation matches a known, reported bug. */
  knownBug?: string;
}

const SEVERITIES = new Set(['error', 'warning', 'information', 'hint']);
/** Longest message the core may write: untrusted text is quoted in short excerpts only. */
export const MAX_MESSAGE_LENGTH = 600;

/** The invariants of one analysis of `text`. */
export function checkAnalysis(text: string, a: TraceAnalysis): Violation[] {
  const out: Violation[] = [];
  const lines = documentLines(text);
  for (const f of a.findings) {
    if (!isKnownCode(f.code)) out.push({ kind: 'unknown-code', detail: `code '${f.code}'`, code: f.code });
    if (!SEVERITIES.has(f.severity))
      out.push({ kind: 'severity', detail: `severity '${f.severity}'`, code: f.code });
    const bad = spanInside(f.span, lines);
    if (bad)
      out.push({
        kind: 'span',
        detail: `${f.code} ${JSON.stringify(f.span)}: ${bad}`,
        code: f.code,
        span: f.span,
      });
    for (const r of f.related) {
      const b = spanInside(r.span, lines);
      if (b)
        out.push({
          kind: 'related-span',
          detail: `${f.code} related ${JSON.stringify(r.span)}: ${b}`,
          code: f.code,
        });
    }
    for (const fix of f.fixes ?? [])
      for (const e of fix.edits) {
        // An edit across line breaks: both of its ends inside their lines, the end after the start.
        const b =
          e.endLine === undefined
            ? spanInside(e.span, lines)
            : e.endLine <= e.span.line
              ? `ends on line ${e.endLine}, not after line ${e.span.line}`
              : (spanInside({ line: e.span.line, start: e.span.start, end: e.span.start }, lines) ??
                spanInside({ line: e.endLine, start: e.span.end, end: e.span.end }, lines));
        if (b)
          out.push({
            kind: 'fix-span',
            detail: `${f.code} fix ${JSON.stringify(e.span)}: ${b}`,
            code: f.code,
          });
      }
    if (typeof f.message !== 'string' || f.message.length === 0 || f.message.length > MAX_MESSAGE_LENGTH)
      out.push({
        kind: 'message',
        detail: `${f.code} message of length ${f.message?.length}: ${f.message?.slice(0, 80)}…`,
        code: f.code,
        message: f.message,
      });
    // eslint-disable-next-line no-control-regex
    else if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(f.message))
      out.push({ kind: 'message', detail: `${f.code} message has control characters`, code: f.code });
    if (f.record !== undefined && !(f.record >= 0 && f.record < a.records.length))
      out.push({
        kind: 'record',
        detail: `${f.code} names record ${f.record} of ${a.records.length}`,
        code: f.code,
      });
  }
  for (let i = 1; i < a.findings.length; i++) {
    const p = a.findings[i - 1]!.span;
    const q = a.findings[i]!.span;
    if (q.line < p.line || (q.line === p.line && q.start < p.start)) {
      out.push({ kind: 'order', detail: `findings out of document order at ${i}` });
      break;
    }
  }
  for (const r of a.records) {
    if (!(r.line >= 0 && r.line <= r.endLine && r.endLine < lines.length))
      out.push({
        kind: 'record',
        detail: `record ${r.index} lines ${r.line}..${r.endLine} of ${lines.length}`,
      });
    if (!(r.tcpLine >= r.line && r.tcpLine <= r.endLine))
      out.push({
        kind: 'record',
        detail: `record ${r.index} tcpLine ${r.tcpLine} outside ${r.line}..${r.endLine}`,
      });
    const spans: Array<[string, Span | undefined]> = [...fieldSpans(r), ['options', r.optionsSpan]];
    for (const [name, s] of spans) {
      if (!s) continue;
      const b = spanInside(s, lines);
      if (b)
        out.push({ kind: 'record', detail: `record ${r.index} ${name} span ${JSON.stringify(s)}: ${b}` });
    }
  }
  for (const c of a.connections) {
    if (!(c.firstRecord >= 0 && c.firstRecord <= c.lastRecord && c.lastRecord < a.records.length))
      out.push({
        kind: 'connection',
        detail: `connection ${c.id} records ${c.firstRecord}..${c.lastRecord}`,
      });
  }
  return markKnown(text, out);
}

/** Runs analyzeTrace and checks it; a throw is a `crash` violation with its stack. */
export function analyzeAndCheck(text: string): { analysis?: TraceAnalysis; violations: Violation[] } {
  let a: TraceAnalysis;
  try {
    a = analyzeTrace(text);
  } catch (e) {
    return {
      violations: [{ kind: 'crash', detail: e instanceof Error ? (e.stack ?? e.message) : String(e) }],
    };
  }
  return { analysis: a, violations: checkAnalysis(text, a) };
}

/** Where a feature is asked about: a position (possibly outside the document) and a range. */
export interface Probe {
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

const SETTINGS_VARIANTS: Settings[] = [
  DEFAULT_SETTINGS,
  {
    severity: { 'tcp.window-update': 'off', 'teardown.reset': 'error' },
    inlayHints: { states: true, numbers: true, connection: true },
    numbers: 'absolute',
    maxFileSizeMB: 0,
  },
];

/**
 * Every LSP feature on one analysis, at the probes: nothing throws, every range they return lies inside
 * the document, every diagnostic code is known.
 */
export function checkFeatures(
  text: string,
  a: TraceAnalysis,
  probes: Probe[],
  settings: Settings = SETTINGS_VARIANTS[probes.length % 2]!,
): Violation[] {
  const out: Violation[] = [];
  const lines = documentLines(text);
  const uri = 'file:///robustness/doc.trace';
  const index = new TraceIndex(a, uri, 1);
  const range = (name: string, r: Range | undefined) => {
    if (!r) return;
    const b = rangeInside(r, lines);
    if (b)
      out.push({
        kind: `feature:${name}`,
        detail: `${JSON.stringify(r)}: ${b}`,
        span:
          r.start.line === r.end.line
            ? { line: r.start.line, start: r.start.character, end: r.end.character }
            : undefined,
      });
  };
  const run = (name: string, fn: () => void) => {
    try {
      fn();
    } catch (e) {
      out.push({
        kind: 'crash',
        detail: `${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
      });
    }
  };
  run('diagnostics', () => {
    for (const d of diagnostics(index, settings)) {
      range('diagnostics', d.range);
      if (typeof d.code !== 'string' || !isKnownCode(d.code))
        out.push({ kind: 'unknown-code', detail: `diagnostic code ${String(d.code)}` });
      for (const ri of d.relatedInformation ?? []) range('diagnostics.related', ri.location.range);
    }
  });
  run('documentSymbols', () => {
    const visit = (s: ReturnType<typeof documentSymbols>[number]) => {
      range('documentSymbols', s.range);
      range('documentSymbols.selection', s.selectionRange);
      for (const c of s.children ?? []) visit(c);
    };
    documentSymbols(index).forEach(visit);
  });
  run('codeLenses', () => codeLenses(index).forEach((l) => range('codeLenses', l.range)));
  run('foldingRanges', () => {
    for (const f of foldingRanges(index))
      if (!(f.startLine >= 0 && f.startLine <= f.endLine && f.endLine < lines.length))
        out.push({
          kind: 'feature:foldingRanges',
          detail: `${f.startLine}..${f.endLine} of ${lines.length}`,
        });
  });
  run('connections', () => {
    for (const c of connectionSummaries(index))
      if (!(c.firstLine >= 0 && c.firstLine <= c.lastLine && c.lastLine < lines.length))
        out.push({ kind: 'feature:connections', detail: `lines ${c.firstLine}..${c.lastLine}` });
  });
  for (const p of probes) {
    const pos = { line: p.line, character: p.character };
    const r: Range = {
      start: pos,
      end: { line: p.endLine, character: p.endCharacter },
    };
    run('hover', () => {
      const h = hover(index, p.line, p.character, settings);
      if (h) range('hover', h.range);
    });
    run('inlayHints', () => {
      for (const h of inlayHints(index, r, settings)) {
        const b = rangeInside({ start: h.position, end: h.position }, lines);
        if (b) out.push({ kind: 'feature:inlayHints', detail: `${JSON.stringify(h.position)}: ${b}` });
      }
    });
    run('definition', () =>
      definition(index, p.line, p.character).forEach((l) => range('definition', l.range)),
    );
    run('references', () => references(index, p.line).forEach((l) => range('references', l.range)));
    run('documentHighlights', () =>
      documentHighlights(index, p.line).forEach((h) => range('documentHighlights', h.range)),
    );
    run('codeActions', () => {
      for (const ca of codeActions(index, r, settings))
        for (const edits of Object.values(ca.edit?.changes ?? {}))
          for (const e of edits) range('codeActions', e.range);
    });
    run('ladder', () => {
      const m = ladderModel(index, { uri, line: p.line });
      for (const arrow of m.arrows)
        if (!(arrow.line >= 0 && arrow.line < lines.length))
          out.push({ kind: 'feature:ladder', detail: `arrow line ${arrow.line}` });
      ladderModel(index, { uri, connection: (p.character % (a.connections.length + 2)) - 1 });
    });
  }
  return markKnown(text, out);
}

/** Probes spread over the document: inside tokens, at line ends, past them, and past the last line. */
export function probesFor(text: string, rand: () => number, n: number): Probe[] {
  const lines = documentLines(text);
  const out: Probe[] = [];
  for (let k = 0; k < n; k++) {
    const line = Math.floor(rand() * (lines.length + (k === n - 1 ? 3 : 0)));
    const len = lines[line]?.length ?? 0;
    const character = Math.floor(rand() * (len + 2));
    const endLine = Math.min(line + Math.floor(rand() * 6), lines.length + 1);
    out.push({ line, character, endLine, endCharacter: Math.floor(rand() * 200) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Known bugs: found by this tier, reported, not yet fixed in the core. Each has a todo regression test.

export interface KnownBug {
  id: string;
  /** One line: what is wrong and where. */
  summary: string;
  matches(v: Violation, text: string): boolean;
}

/**
 * Empty today: every bug this tier found is fixed, and each keeps its regression test (regressions.test.ts,
 * badFiles.test.ts). A new one found before its fix goes here, so the fuzzing reports it by name.
 */
export const KNOWN_BUGS: KnownBug[] = [];

const STRICT = process.env.ROBUSTNESS_STRICT === '1';

function markKnown(text: string, vs: Violation[]): Violation[] {
  if (STRICT) return vs;
  for (const v of vs) {
    const bug = KNOWN_BUGS.find((b) => b.matches(v, text));
    if (bug) v.knownBug = bug.id;
  }
  return vs;
}

/** The seed of every seeded test of this tier (ROBUSTNESS_SEED), so that a failure reproduces. */
export const SEED = Number(process.env.ROBUSTNESS_SEED ?? 20251125);

// ---------------------------------------------------------------------------------------------------
// A seeded PRNG (mulberry32): every fuzz case is reproducible from the run's seed and its index.

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The PRNG of case `index` of a run with `seed`. */
export function caseRandom(seed: number, index: number): () => number {
  return prng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

function int(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

// ---------------------------------------------------------------------------------------------------
// Mutations of real lines

/** Numbers that break parsers: 32-bit edges, the wrap, 53-bit edges, negatives, floats, huge runs. */
export const HOSTILE_NUMBERS = [
  '0',
  '-1',
  '-0',
  '-2147483648',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '4294967297',
  '8589934592',
  '65535',
  '65536',
  '262143',
  '262144',
  '9007199254740991',
  '9007199254740992',
  '18446744073709551615',
  '18446744073709551616',
  '99999999999999999999999999999999',
  '1e308',
  '1.5',
  'NaN',
  'Infinity',
  '0x10',
  '00000000000000000001',
  '9'.repeat(400),
];

/** Decimal digit sets other than ASCII: the parser must read none of them as numbers. */
export const UNICODE_DIGIT_BASES = [0x0660, 0x06f0, 0x0966, 0xff10, 0x1d7ce, 0x09e6];

function unicodeDigits(s: string, base: number): string {
  return s.replace(/[0-9]/g, (d) => String.fromCodePoint(base + Number(d)));
}

/** Snippets worth inserting: the parser's own separators and markers, brackets, odd characters. */
const SNIPPETS = [
  ': Flags [',
  'Flags [S.]',
  ', seq ',
  ', ack ',
  ', win ',
  ', length ',
  ', options [',
  ' > ',
  ': ',
  ':',
  '.',
  ',',
  ', ',
  '[',
  ']',
  '{',
  '}',
  '<',
  '>',
  '(',
  ')',
  '[|tcp]',
  ' [|tcp]',
  ': tcp ',
  ': ip-proto-6',
  'IP ',
  'IP6 ',
  'IP (',
  '#',
  '\t',
  '    ',
  '\u0000',
  '\r',
  '\n',
  '\r\n',
  '\ufeff',
  '\ufffd',
  '\ud800',
  '\udc00',
  '\u202e',
  '\u0301',
  '😀',
  '\u00a0',
  '\u2028',
  'cksum 0x',
  'sack 1 {',
  'mptcp ',
  '(invalid us) ',
  '[Invalid header',
  'caplen 1 len 1 ',
  ' truncated-ip - 9 bytes missing! ',
  'proto TCP (6)',
  'offset 8',
  ' In ',
  'HBH 1 > 2',
  '# packet-trace: the capture is damaged ',
];

const MUTATIONS = [
  'flip-char',
  'flip-bit',
  'truncate',
  'duplicate-field',
  'swap-fields',
  'delete-field',
  'hostile-number',
  'unicode-digits',
  'negate-number',
  'insert-snippet',
  'repeat-snippet',
  'nul',
  'long-token',
  'splice-lines',
  'whitespace',
  'delete-range',
  'case-flip',
] as const;
export type MutationName = (typeof MUTATIONS)[number];

/** Runs of ASCII digits in a line, as [start, end). */
function digitRuns(s: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const re = /[0-9]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) out.push([m.index, m.index + m[0].length]);
  return out;
}

/** Splits a line into fields at ', ' (and the head from the TCP part at ': '). */
function fields(s: string): string[] {
  return s.split(/(?<=, )|(?<=: )/);
}

/** One mutation of one line; `other` is a second real line for splices. */
export function mutateLine(line: string, rand: () => number, other: string, name?: MutationName): string {
  const m = name ?? pick(rand, MUTATIONS);
  const at = () => int(rand, 0, line.length);
  switch (m) {
    case 'flip-char': {
      if (!line.length) return pick(rand, SNIPPETS);
      const i = int(rand, 0, line.length - 1);
      const c =
        rand() < 0.5
          ? String.fromCharCode(int(rand, 0, 127))
          : rand() < 0.8
            ? String.fromCharCode(int(rand, 0, 0xffff))
            : pick(rand, SNIPPETS);
      return line.slice(0, i) + c + line.slice(i + 1);
    }
    case 'flip-bit': {
      if (!line.length) return line;
      const i = int(rand, 0, line.length - 1);
      const c = line.charCodeAt(i) ^ (1 << int(rand, 0, 7));
      return line.slice(0, i) + String.fromCharCode(c) + line.slice(i + 1);
    }
    case 'truncate':
      return rand() < 0.5 ? line.slice(0, at()) : line.slice(at());
    case 'duplicate-field': {
      const fs = fields(line);
      const i = int(rand, 0, fs.length - 1);
      const copies = rand() < 0.9 ? 1 : int(rand, 2, 50);
      fs.splice(i, 0, ...Array<string>(copies).fill(fs[i]!));
      return fs.join('');
    }
    case 'swap-fields': {
      const fs = fields(line);
      if (fs.length < 2) return line;
      const i = int(rand, 0, fs.length - 1);
      const j = int(rand, 0, fs.length - 1);
      [fs[i], fs[j]] = [fs[j]!, fs[i]!];
      return fs.join('');
    }
    case 'delete-field': {
      const fs = fields(line);
      fs.splice(int(rand, 0, fs.length - 1), 1);
      return fs.join('');
    }
    case 'hostile-number':
    case 'negate-number':
    case 'unicode-digits': {
      const runs = digitRuns(line);
      if (!runs.length) return line + pick(rand, HOSTILE_NUMBERS);
      const [s, e] = pick(rand, runs);
      const digits = line.slice(s, e);
      const repl =
        m === 'hostile-number'
          ? pick(rand, HOSTILE_NUMBERS)
          : m === 'negate-number'
            ? `-${digits}`
            : unicodeDigits(digits, pick(rand, UNICODE_DIGIT_BASES));
      return line.slice(0, s) + repl + line.slice(e);
    }
    case 'insert-snippet': {
      const i = at();
      return line.slice(0, i) + pick(rand, SNIPPETS) + line.slice(i);
    }
    case 'repeat-snippet': {
      const i = at();
      return line.slice(0, i) + pick(rand, SNIPPETS).repeat(int(rand, 2, 200)) + line.slice(i);
    }
    case 'nul': {
      let s = line;
      for (let k = int(rand, 1, 4); k > 0; k--) {
        const i = int(rand, 0, s.length);
        s = `${s.slice(0, i)}\u0000${s.slice(i)}`;
      }
      return s;
    }
    case 'long-token': {
      // A field, a number or a host stretched to thousands of characters.
      const fs = fields(line);
      const i = int(rand, 0, fs.length - 1);
      const f = fs[i]!;
      const k = int(rand, 0, Math.max(0, f.length - 1));
      const ch = f[k] ?? 'x';
      fs[i] = f.slice(0, k) + ch.repeat(int(rand, 100, 4000)) + f.slice(k + 1);
      return fs.join('');
    }
    case 'splice-lines': {
      const i = at();
      const j = int(rand, 0, other.length);
      return line.slice(0, i) + other.slice(j);
    }
    case 'whitespace': {
      const r = rand();
      if (r < 0.25) return line.replace(/ /g, '  ');
      if (r < 0.5) return line.replace(/ /g, '\t');
      if (r < 0.75) return `${' '.repeat(int(rand, 1, 8))}${line}`;
      return `${line}${' '.repeat(int(rand, 1, 8))}`;
    }
    case 'delete-range': {
      const i = at();
      const j = Math.min(line.length, i + int(rand, 1, 20));
      return line.slice(0, i) + line.slice(j);
    }
    case 'case-flip': {
      const i = at();
      const j = Math.min(line.length, i + int(rand, 1, 30));
      const part = line.slice(i, j);
      return line.slice(0, i) + (rand() < 0.5 ? part.toUpperCase() : part.toLowerCase()) + line.slice(j);
    }
  }
}

const EOLS = ['\n', '\r\n', '\r'];

/**
 * One fuzz case: a window of 1-8 consecutive real lines (from one corpus file, or random lines), 1-4
 * mutations on them, joined with one line ending or a random mix.
 */
export function fuzzCase(rand: () => number): { text: string; mutations: string[] } {
  const files = corpusFiles();
  const pool = corpusLines();
  let window: string[];
  if (files.length && rand() < 0.7) {
    const f = pick(rand, files);
    const ls = f.text.split('\n');
    const n = int(rand, 1, 8);
    const s = int(rand, 0, Math.max(0, ls.length - n));
    window = ls.slice(s, s + n);
  } else {
    window = Array.from({ length: int(rand, 1, 5) }, () => pick(rand, pool));
  }
  const mutations: string[] = [];
  for (let k = int(rand, 1, 4); k > 0; k--) {
    const i = int(rand, 0, window.length - 1);
    const name = pick(rand, MUTATIONS);
    mutations.push(name);
    window[i] = mutateLine(window[i]!, rand, pick(rand, pool), name);
  }
  let text: string;
  const endings = rand();
  if (endings < 0.6) text = window.join('\n');
  else if (endings < 0.85) text = window.join(pick(rand, EOLS));
  else {
    mutations.push('mixed-eol');
    text = window.map((l) => l + pick(rand, EOLS)).join('');
  }
  if (rand() < 0.5) text += pick(rand, EOLS);
  return { text, mutations };
}

// ---------------------------------------------------------------------------------------------------
// Comparing two analyses (incremental against fresh)

/** What an analysis shows the user: findings and connection verdicts, as plain JSON. */
export function analysisFingerprint(a: TraceAnalysis): unknown {
  return {
    findings: a.findings.map((f) => ({
      code: f.code,
      severity: f.severity,
      message: f.message,
      span: f.span,
      record: f.record,
      related: f.related,
      fixes: f.fixes,
    })),
    connections: a.connections.map((c) => ({
      id: c.id,
      records: c.records,
      handshake: c.handshake,
      teardown: c.teardown,
      zeekState: c.zeekState,
      history: c.history,
    })),
    records: a.records.length,
    // (Each record's time on the trace's axis: hovers and the ladder show them.)
    times: a.records.map((r) => r.time ?? null),
    absoluteNumbers: a.absoluteNumbers,
  };
}

/** Summary statistics of a timed run: the slowest input, overall and per byte. */
export interface Timing {
  cases: number;
  totalMs: number;
  maxMs: number;
  maxMsInput: string;
  /** Slowest per character among inputs of at least 1000 characters. */
  maxUsPerByte: number;
  maxUsPerByteInput: string;
}

export function newTiming(): Timing {
  return { cases: 0, totalMs: 0, maxMs: 0, maxMsInput: '', maxUsPerByte: 0, maxUsPerByteInput: '' };
}

export function recordTiming(t: Timing, text: string, ms: number): void {
  t.cases++;
  t.totalMs += ms;
  if (ms > t.maxMs) {
    t.maxMs = ms;
    t.maxMsInput = text;
  }
  if (text.length >= 1000) {
    const us = (ms * 1000) / text.length;
    if (us > t.maxUsPerByte) {
      t.maxUsPerByte = us;
      t.maxUsPerByteInput = text;
    }
  }
}

/** A short, printable description of an input for reports. */
export function describeInput(text: string, max = 160): string {
  const s = JSON.stringify(text.length > max ? text.slice(0, max) : text);
  return `${s}${text.length > max ? `… (${text.length} chars)` : ''}`;
}
