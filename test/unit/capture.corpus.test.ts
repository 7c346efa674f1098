// The capture reader against tcpdump on every capture of ../shared/corpus: the text rendered from
// capture.pcap must equal tcpdump 4.99.3's rendering line for line for every TCP packet, with -nn
// (nn.trace) and with -tttt -nn (tttt-nn.trace). Frames are aligned with oracle.tsv's `line:*` columns
// (the first line of each frame's record). Non-TCP packets only need a short tcpdump-like summary: how
// many match exactly is reported, not asserted. When tcpdump 4.99 is installed, its live output is
// compared too.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe as suite, test } from 'node:test';
import { renderCapture } from '../../server/src/trace/capture/index';

/** Compiled to out/test/unit/, so the repository root is three levels up. */
const ROOT = path.join(__dirname, '../../..');
const CORPUS = path.join(ROOT, '../shared/corpus');

const captures = fs.existsSync(CORPUS)
  ? fs
      .readdirSync(CORPUS)
      .filter((d) => fs.existsSync(path.join(CORPUS, d, 'capture.pcap')))
      .sort()
  : [];

/** A tcpdump line whose packet is TCP (its own header, truncated or not; a tunnel's inner TCP too). */
const TCP_LINE = /\d > \S+: (\S+ > \S+: )?(Flags \[|\s*\[\|tcp\]|\s*tcp \d)|: \[\|tcp\]/;

interface Oracle {
  /** Per frame: whether tshark saw TCP, and its first line (1-based) in each rendering. */
  tcp: boolean[];
  line: Record<string, number[]>;
}

function readOracle(dir: string): Oracle {
  const rows = fs.readFileSync(path.join(dir, 'oracle.tsv'), 'utf8').trimEnd().split('\n');
  const header = rows[0]!.split('\t');
  const flags = header.indexOf('flags');
  const oracle: Oracle = { tcp: [], line: {} };
  for (const flagset of ['nn', 'tttt-nn']) oracle.line[flagset] = [];
  for (const row of rows.slice(1)) {
    const cells = row.split('\t');
    oracle.tcp.push(cells[flags] !== '');
    for (const flagset of ['nn', 'tttt-nn'])
      oracle.line[flagset]!.push(Number(cells[header.indexOf(`line:${flagset}`)]));
  }
  return oracle;
}

interface Comparison {
  tcp: number;
  tcpSame: number;
  other: number;
  otherSame: number;
  mismatches: string[];
}

/** Compares the head line of each frame's record: ours (by packetLines) against the rendering's. */
function compare(
  mine: string[],
  packetLines: number[],
  theirs: string[],
  heads: number[],
  tcp: boolean[],
): Comparison {
  const c: Comparison = { tcp: 0, tcpSame: 0, other: 0, otherSame: 0, mismatches: [] };
  heads.forEach((line, k) => {
    const expected = theirs[line - 1] ?? '';
    const got = mine[packetLines[k] ?? -1] ?? '<no packet>';
    const isTcp = tcp[k]! || TCP_LINE.test(expected);
    if (isTcp) {
      c.tcp++;
      if (got === expected) c.tcpSame++;
      else c.mismatches.push(`frame ${k + 1}:\n  tcpdump: ${expected}\n  ours:    ${got}`);
    } else {
      c.other++;
      if (got === expected) c.otherSame++;
    }
  });
  return c;
}

suite('capture reader: corpus renderings', () => {
  if (captures.length === 0) {
    test('corpus captures', (t) => t.skip(`no corpus at ${CORPUS}`));
    return;
  }
  const totals = { tcp: 0, tcpSame: 0, other: 0, otherSame: 0 };
  for (const name of captures) {
    const dir = path.join(CORPUS, name);
    for (const flagset of ['nn', 'tttt-nn'] as const) {
      test(`${name}: TCP lines equal ${flagset}.trace`, (t) => {
        const trace = path.join(dir, `${flagset}.trace`);
        if (!fs.existsSync(trace) || !fs.existsSync(path.join(dir, 'oracle.tsv'))) {
          t.skip('no rendering or oracle');
          return;
        }
        const oracle = readOracle(dir);
        const r = renderCapture(fs.readFileSync(path.join(dir, 'capture.pcap')), {
          timeZone: 'utc',
          timestamps: flagset === 'nn' ? 'clock' : 'datetime',
          trackLines: true,
        });
        assert.deepEqual(r.problems, [], 'the corpus captures are whole');
        assert.equal(r.packetCount, oracle.tcp.length, 'one packet per oracle frame');
        const c = compare(
          r.text.split('\n'),
          r.packetLines!,
          fs.readFileSync(trace, 'utf8').split('\n'),
          oracle.line[flagset]!,
          oracle.tcp,
        );
        totals.tcp += c.tcp;
        totals.tcpSame += c.tcpSame;
        totals.other += c.other;
        totals.otherSame += c.otherSame;
        t.diagnostic(`TCP ${c.tcpSame}/${c.tcp}, other ${c.otherSame}/${c.other}`);
        assert.equal(c.tcpSame, c.tcp, c.mismatches.slice(0, 5).join('\n'));
      });
    }
  }
  test('totals', (t) => {
    t.diagnostic(
      `TCP lines equal: ${totals.tcpSame}/${totals.tcp}; non-TCP lines equal: ${totals.otherSame}/${totals.other}`,
    );
    assert.equal(totals.tcpSame, totals.tcp);
  });
});

/** tcpdump 4.99.x, when installed: its version line, else undefined. */
function tcpdumpVersion(): string | undefined {
  const r = spawnSync('tcpdump', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return /tcpdump version (\S+)/.exec(r.stdout + r.stderr)?.[1];
}

suite('capture reader: live tcpdump on the corpus', () => {
  const version = tcpdumpVersion();
  if (captures.length === 0 || version === undefined || !version.startsWith('4.99.')) {
    test('tcpdump 4.99', (t) =>
      t.skip(version ? `tcpdump ${version} prints other forms than 4.99's` : 'tcpdump is not installed'));
    return;
  }
  for (const name of captures) {
    test(`${name}: every TCP line of tcpdump -nn -r, and as many lines`, () => {
      const file = path.join(CORPUS, name, 'capture.pcap');
      const t = spawnSync('tcpdump', ['-nn', '-r', file], {
        encoding: 'latin1',
        env: { PATH: process.env.PATH, TZ: 'UTC', LC_ALL: 'C' },
        maxBuffer: 1 << 26,
      });
      const r = renderCapture(fs.readFileSync(file), { timeZone: 'utc' });
      const theirs = t.stdout.split('\n');
      const mine = r.text.split('\n');
      const tcpLines = theirs.filter((l) => TCP_LINE.test(l));
      const mineSet = new Set(mine);
      const missing = tcpLines.filter((l) => !mineSet.has(l));
      assert.deepEqual(missing, [], 'every TCP line tcpdump prints is ours too');
      assert.equal(mine.length, theirs.length, 'as many lines');
    });
  }
});
