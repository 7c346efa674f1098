// An edit that leaves every record's numbers alone (a window, an option, payload text) re-tracks its
// connection from the checkpoint before it, and stops where the state is again the old run's
// (connections.ts, retrackConnection). Whatever the edit, every segment, flow and finding must then be
// what a fresh analysis of the new text gives: hovers, inlay hints and the ladder read all of them.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { checkpointTuning } from '../../server/src/trace/checkpoints';
import { analyzeTrace, jsonReport, type TraceAnalysis } from '../../server/src/trace/index';
import { reanalyzeEdit } from '../../server/src/trace/incremental';
import type { Flow, Segment } from '../../server/src/trace/model';
import { FILE_HEAD_CHARS } from '../../server/src/trace/textEncoding';
import { SYN } from '../../server/src/trace/types';
import { EXCHANGE, c, s } from '../helpers/analysisHelpers';
import { lines as traceLines } from '../helpers/trace';

const CORPUS = path.join(__dirname, '../../../../shared/corpus');
const FILES = [
  'bulk-loss-tx/nn.trace',
  'bulk-loss-tx/S-nn.trace',
  'zero-window/vv-nn.trace',
  'capture-gap/S-nn.trace',
  'half-close/v-nn.trace',
  'keepalive/nn.trace',
  'bulk-loss-tx/A-nn.trace',
  'tcpdump-of10_s4810/X-nn.trace',
  'tcpdump-ssh/tttt-nn.trace',
  'crafted-zero-window-probe/nn.trace',
];
const present = fs.existsSync(CORPUS);

/** Every getter of a segment (the record by its index): what any feature can read. */
function segmentFields(seg: Segment): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let proto = Object.getPrototypeOf(seg) as object | null;
  while (proto && proto !== Object.prototype) {
    for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (d.get && !(name in out)) out[name] = (seg as unknown as Record<string, unknown>)[name];
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  out.record = seg.record.index;
  return out;
}

function flowFields(f: Flow): Record<string, unknown> {
  const sent: number[] = [];
  for (let i = 0; i < f.sent.length; i++) sent.push(f.sent.seq(i), f.sent.end(i), f.sent.record(i));
  return {
    ...f,
    endpoint: f.endpoint.key,
    lastRecord: f.lastRecord?.index,
    lastBareAck: f.lastBareAck?.index,
    nextseqBy: f.nextseqBy?.index,
    sent,
  };
}

/** What a feature can see of an analysis: the report, every segment and each connection's state. */
function everything(a: TraceAnalysis): unknown {
  return {
    report: JSON.parse(jsonReport([{ file: 'x', analysis: a }])) as unknown,
    findings: a.findings,
    segments: a.records.map((r) => {
      const seg = a.segmentOf.get(r.index);
      return seg && segmentFields(seg);
    }),
    connectionOf: a.records.map((r) => a.connectionOf.get(r.index)),
    connections: a.connections.map((c) => ({
      ...c,
      client: flowFields(c.client),
      server: flowFields(c.server),
      segments: [...c.segments].map((s) => s.record.index),
      checkpoints: undefined,
    })),
  };
}

/**
 * Puts `next` on line `line` of `lines` and analyses the result both ways: incrementally from `prev`
 * (undefined when the edit goes the long way) and afresh; where both exist they must agree in
 * everything a feature reads (`what` names the edit in the failure).
 */
function editBothWays(
  prev: TraceAnalysis,
  lines: string[],
  line: number,
  next: string,
  what: string,
): { inc: TraceAnalysis | undefined; fresh: TraceAnalysis } {
  const old = lines[line]!;
  lines[line] = next;
  const inc = reanalyzeEdit(
    prev,
    { start: { line, character: 0 }, end: { line, character: old.length } },
    next,
  );
  const fresh = analyzeTrace(lines.join('\n'));
  if (inc) assert.deepEqual(everything(inc), everything(fresh), what);
  return { inc, fresh };
}

/**
 * Changes every `step`th line of `lines` from `first` with `change`, then puts it back, each edit
 * analysed both ways (editBothWays) from the analysis before it; `seen(before, fresh, line, changed)`
 * is shown each. Returns how many edits went the incremental way.
 */
function editAndRestore(
  lines: string[],
  first: number,
  step: number,
  change: (line: string) => string,
  seen: (before: TraceAnalysis, fresh: TraceAnalysis, line: number, changed: boolean) => void,
): number {
  let prev = analyzeTrace(lines.join('\n'));
  let applied = 0;
  for (let line = first; line < lines.length; line += step) {
    const original = lines[line]!;
    for (const next of [change(original), original]) {
      const { inc, fresh } = editBothWays(prev, lines, line, next, `edit of line ${line + 1}`);
      if (inc) applied++;
      seen(prev, fresh, line, next !== original);
      prev = inc ?? fresh;
    }
  }
  return applied;
}

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** A change that keeps seq, ack, flags and length: a window, an option's value, the option list. */
function neutralEdit(line: string, rand: () => number): string {
  const pick = (n: number) => Math.floor(rand() * n);
  switch (pick(6)) {
    case 0:
      return line.replace(/ win \d+/, ` win ${[0, 1, 5, 64, 512, 65535][pick(6)]}`);
    case 1:
      return line.replace(/wscale \d+/, `wscale ${pick(15)}`);
    case 2:
      return line.replace(/(val|ecr) \d+/, (_m, w: string) => `${w} ${pick(1e9)}`);
    case 3:
      return line.replace(/sack 1 \{\d+:\d+\}/, `sack 1 {${pick(5000)}:${5000 + pick(5000)}}`);
    case 4:
      return line.replace(/, options \[[^\]]*\]/, '');
    default:
      return line.replace(/ win (\d+)/, (_m, w: string) => ` win ${Number(w) + 1}`);
  }
}

let savedEvery = 0;
before(() => {
  savedEvery = checkpointTuning.every;
  // Checkpoints every few segments, so that the corpus' connections have many to resume from.
  checkpointTuning.every = 8;
});
after(() => {
  checkpointTuning.every = savedEvery;
});

/** A change of what the numbering reads: the seq, ack or length printed, or a flag other than SYN. */
function numberEdit(line: string, rand: () => number): string {
  const pick = (n: number) => Math.floor(rand() * n);
  const nudge = (m: string) => String(Math.max(0, Number(m) + [-1, 1, 1448, -1448][pick(4)]!));
  switch (pick(4)) {
    case 0:
      return line.replace(/ ack (\d+)/, (_m, n: string) => ` ack ${nudge(n)}`);
    case 1:
      return line.replace(/ seq (\d+)(:(\d+))?/, (_m, a: string, _r, b?: string) =>
        b === undefined ? ` seq ${nudge(a)}` : ` seq ${nudge(a)}:${nudge(b)}`,
      );
    case 2:
      return line.replace(/length (\d+)$/, (_m, n: string) => `length ${nudge(n)}`);
    default:
      return line.replace(/Flags \[[^\]S]*\]/, `Flags [${['.', 'P.', 'F.', 'FP.', 'R.', 'R'][pick(6)]}]`);
  }
}

/**
 * Random edits of `edit`'s kind, one after another, of each file's packet lines (not SYNs, not in the
 * file's head): each incremental result must equal a fresh analysis in everything a feature reads.
 */
function editOneByOne(seed: number, edit: (line: string, rand: () => number) => string) {
  const rand = rng(seed);
  let applied = 0;
  let resumed = 0;
  let caughtUp = 0;
  for (const file of FILES) {
    const full = path.join(CORPUS, file);
    if (!fs.existsSync(full)) continue;
    const lines = fs.readFileSync(full, 'utf8').split('\n');
    let prev = analyzeTrace(lines.join('\n'));
    // SYNs start connections, and the file's head tells its kind: edits there go the long way.
    const offsets: number[] = [];
    lines.reduce((at, l) => (offsets.push(at), at + l.length + 1), 0);
    const packetLines = prev.records
      .filter((r) => prev.segmentOf.get(r.index) && !((r.flags ?? 0) & SYN))
      .map((r) => r.tcpLine)
      .filter((line) => offsets[line]! > FILE_HEAD_CHARS);
    for (let k = 0; k < 40 && packetLines.length; k++) {
      const line = packetLines[Math.floor(rand() * packetLines.length)]!;
      const next = edit(lines[line]!, rand);
      if (next === lines[line]) continue;
      const { inc, fresh } = editBothWays(prev, lines, line, next, `${file}, edit ${k} of line ${line + 1}`);
      if (!inc) {
        prev = fresh;
        continue;
      }
      applied++;
      // Did the re-tracking start after the connection's first segment, and stop before its end?
      const record = prev.records.find((r) => r.tcpLine === line);
      const id = record && prev.connectionOf.get(record.index);
      if (id !== undefined) {
        const before = prev.connections[id - 1]!.segments;
        const now = inc.connections[id - 1]!.segments;
        if (before.length > 8 && now.length > 0 && now.at(0).is(before.at(0))) resumed++;
        if (now.length > 16 && now.at(now.length - 1).is(before.at(before.length - 1))) caughtUp++;
      }
      prev = inc;
    }
  }
  return { applied, resumed, caughtUp };
}

test(
  'window and option edits re-tracked from a checkpoint equal a fresh analysis, segment by segment',
  { skip: !present && 'no corpus' },
  () => {
    const { applied, resumed, caughtUp } = editOneByOne(11, neutralEdit);
    assert.ok(applied > 100, `only ${applied} edits`);
    assert.ok(resumed > applied / 4, `only ${resumed} of ${applied} edits resumed from a checkpoint`);
    assert.ok(caughtUp > applied / 4, `only ${caughtUp} of ${applied} edits caught up with the old run`);
  },
);

test(
  'seq, ack, length and flag edits equal a fresh analysis, segment by segment',
  { skip: !present && 'no corpus' },
  () => {
    const { applied, resumed } = editOneByOne(23, numberEdit);
    assert.ok(applied > 60, `only ${applied} edits were incremental`);
    // An edit that changes only its own record's numbers resumes from a checkpoint too.
    assert.ok(resumed > applied / 4, `only ${resumed} of ${applied} edits resumed from a checkpoint`);
  },
);

test('edits around keep-alives that cross, which re-judge the segment before them, equal a fresh analysis', (t) => {
  // Rounds a second apart, each both sides' keep-alives crossing (see crossedKeepAlive): the server's
  // keep-alive, the client's, the server's answer (which makes the client's a keep-alive after the
  // fact), the client's answer. With a checkpoint due every 7 segments, after 6 of the exchange, the
  // due ones fall at every place in a round.
  const rounds: string[] = [];
  for (let k = 1; k <= 60; k++) {
    const t = k * 1000 + 40;
    rounds.push(
      s(t, 'Flags [.], ack 101, win 509, length 0'),
      c(t + 0.033, 'Flags [.], ack 201, win 501, length 0'),
      s(t + 0.036, 'Flags [.], ack 101, win 509, length 0'),
      c(t + 0.036 + (k % 3) * 0.001, 'Flags [.], ack 201, win 501, length 0'),
    );
  }
  const lines = traceLines(...EXCHANGE, ...rounds).split('\n');
  checkpointTuning.every = 7;
  t.after(() => {
    checkpointTuning.every = 8;
  });
  let prev = analyzeTrace(lines.join('\n'));
  assert.equal(
    prev.findings.filter((f) => f.code === 'tcp.keep-alive').length,
    120,
    'both keep-alives of every round',
  );
  let applied = 0;
  let resumed = 0;
  for (let line = 6; line < lines.length; line++) {
    // A changed window makes a repeated ACK a window update; the next edit puts it back.
    const changed = lines[line]!.replace(/ win (\d+)/, (_m, w: string) => ` win ${Number(w) + 1}`);
    for (const next of [changed, lines[line]!]) {
      const { inc, fresh } = editBothWays(prev, lines, line, next, `edit of line ${line + 1}`);
      // (Edits in the file's head go the long way.)
      if (!inc) {
        prev = fresh;
        continue;
      }
      applied++;
      if (inc.connections[0]!.segments.at(0).is(prev.connections[0]!.segments.at(0))) resumed++;
      prev = inc;
    }
  }
  assert.ok(applied > 300, `only ${applied} edits were incremental`);
  assert.ok(resumed > applied / 2, `only ${resumed} of ${applied} edits resumed from a checkpoint`);
});

test('edits that make the data after a bare ACK jump, which moves the ACK to the jump, equal a fresh analysis', () => {
  // Rounds 100 ms apart: the client's request, the server's ACK of it and, 1 ms later, its answer
  // (see inferSeq: a bare ACK right before a jump past lost data carries the jumped seq).
  const rounds: string[] = [];
  for (let k = 0; k < 40; k++) {
    const t = 100 + k * 100;
    const cs = 101 + k * 50;
    const ss = 201 + k * 100;
    rounds.push(
      c(t, `Flags [P.], seq ${cs}:${cs + 50}, ack ${ss}, win 501, length 50`),
      s(t + 20, `Flags [.], ack ${cs + 50}, win 509, length 0`),
      s(t + 21, `Flags [P.], seq ${ss}:${ss + 100}, ack ${cs + 50}, win 509, length 100`),
    );
  }
  const lines = traceLines(...EXCHANGE, ...rounds).split('\n');
  assert.deepEqual(
    analyzeTrace(lines.join('\n')).findings.filter((f) => f.code === 'tcp.lost-segment'),
    [],
  );
  let onTheAck = 0;
  // Each answer in turn starts 1 000 bytes on (the bytes before it lost), then is put back.
  const jump = (line: string) =>
    line.replace(/seq (\d+):(\d+)/, (_m, a: string, b: string) => `seq ${+a + 1000}:${+b + 1000}`);
  const applied = editAndRestore(lines, 8, 3, jump, (_before, fresh, line, changed) => {
    if (changed && fresh.findings.some((f) => f.code === 'tcp.lost-segment' && f.span.line === line - 1))
      onTheAck++;
  });
  assert.ok(applied > 40, `only ${applied} edits were incremental`);
  assert.equal(onTheAck, 40, 'every jump flagged on the ACK before it');
});

test('edits of data a bare ACK is overtaken by, which move the ACK, equal a fresh analysis', () => {
  // Rounds 100 ms apart, as the relay reorders them: a segment held back, the server's SACK, a bare
  // ACK of the client, the held-back segment and the next one (see olderSegmentsReach). The next one's
  // TS val is edited to after the ACK's and back: the ACK moves, 3 records before the edit.
  const rounds: string[] = [];
  for (let k = 0; k < 30; k++) {
    const t = 100 + k * 100;
    const q = 101 + k * 400;
    const ts = 1000 + k * 100;
    rounds.push(
      c(
        t,
        `Flags [.], seq ${q}:${q + 100}, ack 201, win 501, options [nop,nop,TS val ${ts} ecr 1], length 100`,
      ),
      c(
        t + 1,
        `Flags [.], seq ${q + 200}:${q + 300}, ack 201, win 501, options [nop,nop,TS val ${ts + 2} ecr 1], length 100`,
      ),
      s(
        t + 9,
        `Flags [.], ack ${q + 100}, win 509, options [nop,nop,sack 1 {${q + 200}:${q + 300}}], length 0`,
      ),
      c(t + 10, `Flags [.], ack 201, win 501, options [nop,nop,TS val ${ts + 10} ecr 2], length 0`),
      c(
        t + 10.5,
        `Flags [.], seq ${q + 100}:${q + 200}, ack 201, win 501, options [nop,nop,TS val ${ts + 1} ecr 1], length 100`,
      ),
      c(
        t + 11,
        `Flags [.], seq ${q + 300}:${q + 400}, ack 201, win 501, options [nop,nop,TS val ${ts + 4} ecr 1], length 100`,
      ),
    );
  }
  const lines = traceLines(...EXCHANGE, ...rounds).split('\n');
  let moved = 0;
  const later = (line: string) => line.replace(/TS val (\d+)/, (_m, v: string) => `TS val ${+v + 100}`);
  const applied = editAndRestore(lines, 11, 6, later, (before, fresh, line) => {
    if (fresh.segmentOf.get(line - 2)!.seq !== before.segmentOf.get(line - 2)!.seq) moved++;
  });
  assert.ok(applied > 40, `only ${applied} edits were incremental`);
  assert.equal(moved, 60, 'every edit moves the ACK 2 lines above it');
});
