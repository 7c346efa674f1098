// Linear time. Every input shape that could make a scanner or a regular expression backtrack, and every
// shape that makes one analysis step look at all the others, is built at 1x, 2x, 4x and 8x its base size
// and timed (best of three, analysis plus every whole-document LSP feature the server computes on open).
// Linear means the 8x time stays below 16 times the 1x time plus 50 ms (twice the ideal, plus noise),
// and every size stays within 200 ms + 1 µs per character. Then the absolute cases of the issue: a 1 MB
// single line, 1 000 000 spaces, 100 000 '[' and a 50 MB file of one repeated field.
//
// A shape found quadratic can be marked with `bug` (a todo test named after it) until it is fixed; none is today.
import assert from 'node:assert/strict';
import { describe, test, type TestContext } from 'node:test';
import type { Range } from 'vscode-languageserver';
import { DEFAULT_SETTINGS } from '../../server/src/settings';
import { codeActions } from '../../server/src/features/codeActions';
import { codeLenses } from '../../server/src/features/codeLens';
import { diagnostics } from '../../server/src/features/diagnostics';
import { foldingRanges } from '../../server/src/features/folding';
import { inlayHints } from '../../server/src/features/inlayHints';
import { connectionSummaries } from '../../server/src/features/ladder';
import { documentSymbols } from '../../server/src/features/symbols';
import { TraceIndex } from '../../server/src/features/traceIndex';
import { analyzeTrace } from '../../server/src/trace/index';

/** Per-size bound: a constant for start-up, then 1 µs per character (about 20x today's typical speed). */
const boundMs = (chars: number) => 200 + chars / 1000;

type Stage = 'features' | 'codeActions';

/** What the server does on open: analyse, index, and compute every whole-document feature. */
function runStage(text: string, stage: Stage): void {
  const a = analyzeTrace(text);
  const index = new TraceIndex(a, 'file:///robustness/linear.trace', 1);
  const whole: Range = {
    start: { line: 0, character: 0 },
    end: { line: a.parsed.lineCount, character: 0 },
  };
  if (stage === 'codeActions') {
    codeActions(index, whole, DEFAULT_SETTINGS);
    return;
  }
  diagnostics(index, DEFAULT_SETTINGS);
  documentSymbols(index);
  foldingRanges(index);
  codeLenses(index);
  inlayHints(index, whole, DEFAULT_SETTINGS);
  connectionSummaries(index);
}

function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** A packet line of one connection, `i` making every line distinct. */
const HEAD = '10:00:00.000000 IP 10.0.0.1.40000 > 10.0.0.2.80: Flags [.], ack 1';
const PACKET =
  '18:23:38.667230 IP 127.0.0.1.52052 > 127.0.0.1.8080: Flags [.], ack 1, win 63, options [nop,nop,TS val 2779437483 ecr 1919619860], length 0';
const HANDSHAKE =
  '10:00:00.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 0, win 1000, length 0\n' +
  '10:00:00.000001 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 0, ack 1, win 1000, length 0\n' +
  '10:00:00.000002 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [.], ack 1, win 1000, length 0\n';
const usec = (i: number) => String(i % 1_000_000).padStart(6, '0');
const addr = (i: number) => `${(i >> 8) & 255}.${i & 255}`;

/** Repeats `unit` (with `i`) until the text has `n` characters. */
function fill(n: number, prefix: string, unit: (i: number) => string, suffix = ''): string {
  const parts = [prefix];
  let len = prefix.length;
  for (let i = 0; len < n; i++) {
    const u = unit(i);
    parts.push(u);
    len += u.length;
  }
  parts.push(suffix);
  return parts.join('');
}

interface Trap {
  name: string;
  build(n: number): string;
  /** Characters at 1x. */
  base: number;
  stage?: Stage;
  /** A known, reported quadratic: the test is `todo`. */
  bug?: string;
}

const TRAPS: Trap[] = [
  { name: 'one line of x', base: 256_000, build: (n) => 'x'.repeat(n) },
  { name: 'spaces', base: 256_000, build: (n) => ' '.repeat(n) },
  { name: "'[' characters", base: 128_000, build: (n) => '['.repeat(n) },
  { name: 'a packet line, then spaces', base: 128_000, build: (n) => `${HEAD}${' '.repeat(n)}` },
  {
    name: "': Flags [' repeated",
    base: 128_000,
    build: (n) => fill(n, '10:00:00.000000 IP 10.0.0.1.1 > 10.0.0.2.2', () => ': Flags ['),
  },
  {
    name: "' > ' repeated",
    base: 128_000,
    build: (n) => fill(n, '10:00:00.000000 IP ', () => 'a > ', ': Flags [S]'),
  },
  { name: "' > ' and ': ' repeated", base: 128_000, build: (n) => fill(n, '', () => ' > : ') },
  {
    name: "': tcp ' repeated",
    base: 128_000,
    build: (n) => fill(n, 'IP 10.0.0.1.1 > 10.0.0.2.2', () => ': tcp '),
  },
  {
    name: "'[|tcp]' repeated",
    base: 128_000,
    build: (n) => fill(n, 'IP 10.0.0.1.1 > 10.0.0.2.2: ', () => '[|tcp]'),
  },
  { name: 'one repeated field', base: 128_000, build: (n) => fill(n, HEAD, () => ', win 1', ', length 0') },
  {
    name: 'a very long options list',
    base: 128_000,
    build: (n) => fill(n, `${HEAD}, options [`, () => 'nop,', 'nop], length 0'),
  },
  {
    // (optionListClose looks for a '[' or '{' inside each list: over the rest of the line, each of
    // these lists would read the line to its end again.)
    name: 'many option lists on one line',
    base: 128_000,
    build: (n) => fill(n, HEAD, () => ', options [nop]', ', length 0'),
  },
  {
    name: 'deeply nested brackets in options',
    base: 128_000,
    build: (n) => `${HEAD}, options [${'[{'.repeat(n / 4)}${'}]'.repeat(n / 4)}], length 0`,
  },
  {
    name: 'an unclosed nested options list',
    base: 128_000,
    build: (n) => `${HEAD}, options [${'['.repeat(n)}`,
  },
  { name: 'a huge number', base: 128_000, build: (n) => `${HEAD}, win ${'9'.repeat(n)}, length 0` },
  {
    name: 'a huge time fraction',
    base: 128_000,
    build: (n) => `10:00:00.${'1'.repeat(n)} IP 10.0.0.1.1 > 10.0.0.2.2: Flags [S], length 0`,
  },
  {
    name: 'a long host name',
    base: 128_000,
    build: (n) => `10:00:00.000000 IP ${'a.'.repeat(n / 2)}1 > b.2: Flags [S]`,
  },
  { name: 'the same packet line repeated', base: 128_000, build: (n) => fill(n, '', () => `${PACKET}\n`) },
  {
    name: 'long -A payload lines',
    base: 128_000,
    build: (n) => fill(n, `${PACKET}\n`, (i) => `E..<..@.@.${'x'.repeat(60)}${i}\n`),
  },
  {
    name: '-X hex dump lines',
    base: 128_000,
    build: (n) =>
      fill(
        n,
        `${PACKET}\n`,
        (i) => `\t0x${(i * 16).toString(16).padStart(4, '0')}:  4500 003c 98e2 4000  E..<..@.\n`,
      ),
  },
  { name: 'comment lines', base: 128_000, build: (n) => fill(n, '', () => '# a note\n') },
  {
    name: 'indented lines before any packet',
    base: 128_000,
    build: (n) => fill(n, '', () => '    x\n'),
  },
  { name: 'prose lines', base: 128_000, build: (n) => fill(n, '', () => 'not a packet line\n') },
  { name: 'CRLF lines', base: 128_000, build: (n) => fill(n, '', () => `${PACKET}\r\n`) },

  {
    name: 'one long connection',
    base: 128_000,
    build: (n) =>
      fill(
        n,
        HANDSHAKE,
        (i) =>
          `10:00:00.${usec(i)} IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [P.], seq ${1 + i * 10}:${11 + i * 10}, ack 1, win 1000, length 10\n`,
      ),
  },
  {
    name: 'one segment retransmitted',
    base: 128_000,
    build: (n) =>
      fill(
        n,
        HANDSHAKE,
        (i) =>
          `10:00:00.${usec(i)} IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [P.], seq 1:11, ack 1, win 1000, length 10\n`,
      ),
  },
  {
    name: 'segments out of order',
    base: 128_000,
    build: (n) =>
      fill(n, HANDSHAKE, (i) => {
        const s = 1 + ((i * 7919) % 100_000) * 10;
        return `10:00:00.${usec(i)} IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [P.], seq ${s}:${s + 10}, ack 1, win 1000, length 10\n`;
      }),
  },
  {
    name: 'SACK blocks on every ACK',
    base: 128_000,
    build: (n) =>
      fill(
        n,
        HANDSHAKE,
        (i) =>
          `10:00:00.${usec(i)} IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [.], ack 1, win 1000, options [nop,nop,sack 1 {${i * 10}:${i * 10 + 10}}], length 0\n`,
      ),
  },
  {
    name: 'many connections with a SYN each',
    base: 128_000,
    build: (n) =>
      fill(
        n,
        '',
        (i) =>
          `10:00:00.000000 IP 10.1.${addr(i)}.${1024 + (i % 60_000)} > 10.0.${addr(i)}.80: Flags [S], seq 1, win 1, length 0\n`,
      ),
  },
  {
    name: 'one 4-tuple reused by many SYNs',
    base: 128_000,
    build: (n) =>
      fill(
        n,
        '',
        (i) => `10:00:00.${usec(i)} IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq ${i}, win 1, length 0\n`,
      ),
  },
  {
    name: 'many SYN-ACKs without a final ACK',
    base: 64_000,
    build: (n) =>
      fill(
        n,
        '',
        (i) =>
          `10:00:00.000000 IP 10.0.${addr(i)}.80 > 10.1.${addr(i)}.${1024 + (i % 60_000)}: Flags [S.], seq 1, ack 1, win 1, length 0\n`,
      ),
  },
  {
    name: 'lone CR lines (old Mac line ends)',
    base: 384_000,
    build: (n) => fill(n, '', () => `${PACKET}\r`),
  },
  {
    name: 'LF lines and one CR at the end',
    base: 384_000,
    build: (n) => `${fill(n, '', () => `${PACKET}\n`)}\r`,
  },
  {
    name: 'quick fixes on the whole document (codeActions)',
    base: 300_000,
    stage: 'codeActions',
    build: (n) =>
      fill(n, '', (i) => {
        const c = `10.1.${addr(i)}.${1024 + (i % 60_000)}`;
        const s = `10.0.${addr(i)}.80`;
        return `10:00:00.000000 IP ${c} > ${s}: Flags [F.], seq 1, ack 1, win 1, length 0\n10:00:00.000001 IP ${s} > ${c}: Flags [.], ack 5, win 1, length 0\n`;
      }),
  },
];

/** Times one trap at 1x, 2x, 4x and 8x. */
function scale(trap: Trap, runs: number): Array<{ chars: number; ms: number }> {
  // Warm up: the first run of a shape includes compiling the code it reaches.
  runStage(trap.build(trap.base), trap.stage ?? 'features');
  return [1, 2, 4, 8].map((m) => {
    const text = trap.build(trap.base * m);
    return { chars: text.length, ms: bestOf(runs, () => runStage(text, trap.stage ?? 'features')) };
  });
}

const slowest = { usPerChar: 0, name: '' };

function checkTrap(t: TestContext, trap: Trap): void {
  // Known quadratics are timed twice (they are slow by definition); the others best of three, and once
  // more before calling them quadratic: a GC pause can hit any single run.
  let points = scale(trap, trap.bug ? 2 : 3);
  const linear = (p: typeof points) => p[3]!.ms < 16 * p[0]!.ms + 50;
  // Another process on the same two cores can stretch any run: look twice more before judging.
  for (
    let retry = 0;
    retry < 2 && !trap.bug && (!linear(points) || points.some((p) => p.ms > boundMs(p.chars)));
    retry++
  ) {
    points = scale(trap, 5);
  }
  const ratio = points[3]!.ms / Math.max(points[0]!.ms, 0.001);
  const us = (points[3]!.ms * 1000) / points[3]!.chars;
  if (us > slowest.usPerChar && !trap.bug) Object.assign(slowest, { usPerChar: us, name: trap.name });
  const table = points.map((p) => `${(p.chars / 1e6).toFixed(2)} MB ${p.ms.toFixed(1)} ms`).join(', ');
  t.diagnostic(`${table}; 8x/1x = ${ratio.toFixed(1)}; ${us.toFixed(4)} µs per character at 8x`);
  for (const p of points)
    assert.ok(
      p.ms < boundMs(p.chars),
      `${p.chars} characters took ${p.ms.toFixed(0)} ms (bound ${boundMs(p.chars)} ms)`,
    );
  assert.ok(linear(points), `not linear: ${table} (8x must stay under 16 x 1x + 50 ms)`);
}

describe('time grows linearly with the input, from 1x to 8x', () => {
  for (const trap of TRAPS) {
    test(trap.name, trap.bug ? { todo: `bug: ${trap.bug}` } : {}, (t) => checkTrap(t, trap));
  }
  test('slowest shape per character', (t) => {
    t.diagnostic(
      `slowest linear shape: ${slowest.name}, ${slowest.usPerChar.toFixed(4)} µs per character at 8x`,
    );
  });
});

describe('the issue’s absolute cases, each within 200 ms + 1 µs per character', () => {
  const cases: Array<[string, () => string]> = [
    ['a 1 MB single line', () => 'x'.repeat(1 << 20)],
    ['a 1 MB packet line', () => fill(1 << 20, `${HEAD}, options [`, () => 'nop,', 'nop], length 0')],
    ['1 000 000 spaces', () => ' '.repeat(1_000_000)],
    ["100 000 '[' characters", () => '['.repeat(100_000)],
    ["100 000 '[' after a packet head", () => `${HEAD}, options ${'['.repeat(100_000)}`],
    ['a 50 MB file of one repeated field', () => fill(50_000_000, HEAD, () => ', win 1', ', length 0')],
  ];
  for (const [name, build] of cases) {
    test(name, (t) => {
      let text: string | undefined = build();
      const chars = text.length;
      const ms = bestOf(1, () => analyzeTrace(text!));
      text = undefined;
      t.diagnostic(
        `${chars} characters in ${ms.toFixed(1)} ms (${((ms * 1000) / chars).toFixed(4)} µs per character)`,
      );
      assert.ok(ms < boundMs(chars), `${ms.toFixed(0)} ms, bound ${boundMs(chars)} ms`);
    });
  }
});
