// Every rendering of every capture in ../shared/corpus against Wireshark's verdicts (oracle.tsv) and the
// ground truth (labels.json): parse coverage, per-flag precision and recall, connection verdicts, and
// the intended diagnostics of crafted captures. Prints the per-flag table.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeTrace, type TraceAnalysis } from '../../server/src/trace/index';
import { endpointText } from '../../server/src/trace/report';

const CORPUS = path.join(__dirname, '../../../../shared/corpus');
/** The project's own captures, each with a fix it guards (test/differential/README.md). */
const DIFFERENTIAL = path.join(__dirname, '../../../test/differential');

const FLAG_COLUMNS: Array<[string, string]> = [
  ['tcp.analysis.retransmission', 'tcp.retransmission'],
  ['tcp.analysis.fast_retransmission', 'tcp.fast-retransmission'],
  ['tcp.analysis.spurious_retransmission', 'tcp.spurious-retransmission'],
  ['tcp.analysis.out_of_order', 'tcp.out-of-order'],
  ['tcp.analysis.lost_segment', 'tcp.lost-segment'],
  ['tcp.analysis.ack_lost_segment', 'tcp.ack-unseen-segment'],
  ['tcp.analysis.duplicate_ack', 'tcp.dup-ack'],
  ['tcp.analysis.zero_window', 'tcp.zero-window'],
  ['tcp.analysis.zero_window_probe', 'tcp.zero-window-probe'],
  ['tcp.analysis.zero_window_probe_ack', 'tcp.zero-window-probe-ack'],
  ['tcp.analysis.window_full', 'tcp.window-full'],
  ['tcp.analysis.window_update', 'tcp.window-update'],
  ['tcp.analysis.keep_alive', 'tcp.keep-alive'],
  ['tcp.analysis.keep_alive_ack', 'tcp.keep-alive-ack'],
  ['tcp.analysis.reused_ports', 'tcp.port-reused'],
];
const IMPLIES: Record<string, string> = {
  'tcp.fast-retransmission': 'tcp.retransmission',
  'tcp.spurious-retransmission': 'tcp.retransmission',
};
const LABEL_FAMILIES = ['handshake.', 'teardown.', 'flags.'];

interface Labels {
  kind?: string;
  connections?: Array<{
    client: string;
    server: string;
    firstFrame: number;
    lastFrame: number;
    handshake?: string;
    teardown?: string;
    zeekState?: string | null;
  }>;
  expect?: Array<{ code: string; frames: number[] }>;
  allow?: Array<{ code: string; frames?: number[] }>;
}

function readOracle(dir: string): Array<Record<string, string>> {
  const rows = fs
    .readFileSync(path.join(dir, 'oracle.tsv'), 'utf8')
    .split('\n')
    .filter((l) => l.length);
  const header = rows[0]!.split('\t');
  return rows.slice(1).map((l) => {
    const v = l.split('\t');
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = v[i] ?? ''));
    return row;
  });
}

const HOSTS: Record<string, string> = { localhost: '127.0.0.1', 'ip6-localhost': '::1' };
function normEndpoint(s: string): string {
  const colon = s.lastIndexOf(':');
  // (An IPv6 address may come in brackets, `[2001:db8::1]:80`, as the scorer accepts.)
  const host = s.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  return `${HOSTS[host] ?? host}:${s.slice(colon + 1)}`;
}

interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

/** The capture folders (those with an oracle.tsv) of `root`. */
function capturesIn(root: string): string[] {
  return fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((d) => fs.existsSync(path.join(root, d, 'oracle.tsv')))
        .sort()
    : [];
}

interface Judgement {
  flags: Map<string, Counts>;
  failures: string[];
  malformed: number;
  records: number;
  connections: number;
  craftedHits: number;
  craftedExpected: number;
}

/**
 * Every rendering of every capture of `root` against Wireshark's verdicts (b), the labels' verdicts
 * (c) and intended diagnostics (d); parse.malformed-line counted (a).
 */
function judge(root: string, captures: string[]): Judgement {
  const flags = new Map<string, Counts>();
  const failures: string[] = [];
  let malformed = 0;
  let records = 0;
  let connections = 0;
  let craftedHits = 0;
  let craftedExpected = 0;
  for (const cap of captures) {
    const dir = path.join(root, cap);
    const oracle = readOracle(dir);
    const labels: Labels = fs.existsSync(path.join(dir, 'labels.json'))
      ? JSON.parse(fs.readFileSync(path.join(dir, 'labels.json'), 'utf8'))
      : {};
    for (const file of fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.trace'))
      .sort()) {
      const rendering = file.slice(0, -'.trace'.length);
      const text = fs.readFileSync(path.join(dir, file), 'utf8');
      const a: TraceAnalysis = analyzeTrace(text);
      const starts = oracle.map((r) => Number(r[`line:${rendering}`]));
      const frameAt = (line1: number) => {
        let k = -1;
        for (let i = 0; i < starts.length && starts[i]! <= line1; i++) k = i;
        return k;
      };
      records += oracle.length;
      for (const f of a.findings) {
        if (f.code === 'parse.malformed-line') {
          malformed++;
          failures.push(`${cap}/${file}:${f.span.line + 1} malformed: ${f.message}`);
        }
      }
      if (rendering.split('-').includes('q')) continue;
      // (b) Wireshark flags per frame
      const got = oracle.map(() => new Set<string>());
      for (const f of a.findings) {
        const k = frameAt(f.span.line + 1);
        if (k < 0) continue;
        got[k]!.add(f.code);
        const implied = IMPLIES[f.code];
        if (implied) got[k]!.add(implied);
      }
      oracle.forEach((row, k) => {
        for (const [column, code] of FLAG_COLUMNS) {
          const want = row[column] === '1';
          const have = got[k]!.has(code);
          const c = flags.get(code) ?? { tp: 0, fp: 0, fn: 0 };
          if (want && have) {
            c.tp++;
          } else if (want) {
            c.fn++;
            failures.push(`${cap}/${file}:${starts[k]} missed ${code}`);
          } else if (have) {
            c.fp++;
            failures.push(`${cap}/${file}:${starts[k]} extra ${code}`);
          }
          flags.set(code, c);
        }
      });
      // (c) verdicts against labels.json
      for (const L of labels.connections ?? []) {
        connections++;
        const want = [normEndpoint(L.client), normEndpoint(L.server)];
        const firstLine = starts[L.firstFrame - 1]!;
        const c = a.connections.find(
          (c) =>
            normEndpoint(endpointText(c.client.endpoint)) === want[0] &&
            normEndpoint(endpointText(c.server.endpoint)) === want[1] &&
            a.records[c.firstRecord]!.line + 1 <= firstLine &&
            a.records[c.lastRecord]!.line + 1 >= firstLine,
        );
        if (!c) {
          failures.push(`${cap}/${file}: no connection ${L.client} -> ${L.server} at line ${firstLine}`);
          continue;
        }
        for (const field of ['handshake', 'teardown', 'zeekState'] as const) {
          const expected = L[field];
          if (expected && c[field] !== expected) {
            failures.push(`${cap}/${file}: ${L.client} ${field} ${c[field]} != ${expected}`);
          }
        }
      }
      // (d) intended diagnostics, and no unexpected handshake./teardown./flags. ones
      if (labels.kind === 'crafted' || labels.kind === 'real' || labels.kind === 'edited') {
        for (const e of labels.expect ?? []) {
          const hit = a.findings.some(
            (f) => f.code === e.code && e.frames.includes(frameAt(f.span.line + 1) + 1),
          );
          craftedExpected++;
          if (hit) craftedHits++;
          else failures.push(`${cap}/${file}: expected ${e.code} on frame ${e.frames.join(',')}`);
        }
        const covered = [...(labels.expect ?? []), ...(labels.allow ?? [])];
        for (const f of a.findings) {
          if (!LABEL_FAMILIES.some((p) => f.code.startsWith(p))) continue;
          const k = frameAt(f.span.line + 1) + 1;
          if (!covered.some((e) => e.code === f.code && (!e.frames || e.frames.includes(k)))) {
            failures.push(`${cap}/${file}:${f.span.line + 1} unexpected ${f.code}`);
          }
        }
      }
    }
  }
  return { flags, failures, malformed, records, connections, craftedHits, craftedExpected };
}

const captures = capturesIn(CORPUS);

test(
  'the corpus matches Wireshark and the ground truth',
  { skip: captures.length === 0 && `no corpus at ${CORPUS}` },
  () => {
    const { flags, failures, malformed, records, connections, craftedHits, craftedExpected } = judge(
      CORPUS,
      captures,
    );
    const rows = [...flags.entries()].filter(([, c]) => c.tp + c.fn + c.fp > 0);
    const lines = [
      `corpus: ${captures.length} captures, ${records} packet records, ${connections} labelled connection renderings`,
    ];
    lines.push('code                          support    TP    FP    FN   precision  recall');
    for (const [code, c] of rows) {
      const p = c.tp + c.fp ? c.tp / (c.tp + c.fp) : 1;
      const r = c.tp + c.fn ? c.tp / (c.tp + c.fn) : 1;
      lines.push(
        `${code.padEnd(29)} ${String(c.tp + c.fn).padStart(7)} ${String(c.tp).padStart(5)} ${String(c.fp).padStart(5)} ${String(c.fn).padStart(5)}   ${(100 * p).toFixed(1).padStart(8)}% ${(100 * r).toFixed(1).padStart(6)}%`,
      );
    }
    lines.push(
      `parse.malformed-line on real tcpdump output: ${malformed}; crafted intended diagnostics: ${craftedHits}/${craftedExpected}`,
    );
    console.log(lines.join('\n'));
    if (process.env.CORPUS_VERBOSE) console.log(failures.join('\n'));

    assert.equal(malformed, 0, 'no parse.malformed-line on any rendering');
    for (const [code, c] of rows) {
      if (c.tp + c.fn === 0) continue;
      assert.ok(c.tp / (c.tp + c.fp) >= 0.95, `${code} precision ${c.tp}/${c.tp + c.fp}`);
      assert.ok(c.tp / (c.tp + c.fn) >= 0.95, `${code} recall ${c.tp}/${c.tp + c.fn}`);
    }
    const verdictFailures = failures.filter((f) => !/ (missed|extra) tcp\./.test(f));
    assert.deepEqual(verdictFailures, [], 'verdicts, intended diagnostics and no unexpected ones');
  },
);

const differential = capturesIn(DIFFERENTIAL);

test('the project captures match Wireshark on every packet', () => {
  // Each capture guards a fix found with scripts/differential.mjs (test/differential/README.md):
  // here nothing may differ from tshark, not even one flag.
  assert.ok(differential.length >= 5, `captures in ${DIFFERENTIAL}`);
  const { flags, failures, malformed, records } = judge(DIFFERENTIAL, differential);
  const support = [...flags.values()].reduce((n, c) => n + c.tp + c.fn, 0);
  console.log(
    `project captures: ${differential.length} captures, ${records} packet records, ${support} Wireshark flags`,
  );
  assert.equal(malformed, 0, 'no parse.malformed-line on any rendering');
  assert.ok(support > 1000, `only ${support} flags to match`);
  assert.deepEqual(failures, [], 'every flag as tshark sets it');
});
