// An edit inside one packet record is re-analysed for its 4-tuple only; the result must equal a fresh
// analysis of the new text, whatever the edit.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { analyzeTrace, jsonReport, type TraceAnalysis } from '../../server/src/trace/index';
import { reanalyze } from '../../server/src/trace/incremental';

const CORPUS = path.join(__dirname, '../../../../shared/corpus');
const FILES = [
  'bulk-loss-tx/nn.trace',
  'zero-window/vv-nn.trace',
  'keepalive/nn.trace',
  'half-close/v-nn.trace',
  'capture-gap/S-nn.trace',
  'tcpdump-of13_ericsson/nn.trace',
  'crafted-fin-unacked/A-nn.trace',
];

function report(a: TraceAnalysis): unknown {
  return JSON.parse(jsonReport([{ file: 'x', analysis: a }]));
}

/** A small deterministic generator, so a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

/** One edit of a random line: a changed number, flag letter, word or the line cleared. */
function mutate(text: string, rand: () => number): string {
  const lines = text.split('\n');
  const i = Math.floor(rand() * lines.length);
  const line = lines[i]!;
  const kind = Math.floor(rand() * 5);
  let next = line;
  if (kind === 0)
    next = line.replace(/\d+/g, (m) => (rand() < 0.15 ? String(Number(m) + 1 + Math.floor(rand() * 3)) : m));
  else if (kind === 1)
    next = line.replace(
      /Flags \[([^\]]*)\]/,
      () => `Flags [${['.', 'P.', 'F.', 'R.', 'S', 'S.', 'none', 'FP.'][Math.floor(rand() * 8)]}]`,
    );
  else if (kind === 2) next = line.replace(/win \d+/, `win ${Math.floor(rand() * 3)}`);
  else if (kind === 3) next = line.slice(0, Math.floor(rand() * line.length));
  else next = line.replace(/ack \d+/, `ack ${Math.floor(rand() * 5000)}`);
  lines[i] = next;
  return lines.join('\n');
}

const present = fs.existsSync(CORPUS);

test(
  'incremental re-analysis equals a fresh analysis after random one-line edits',
  { skip: !present && 'no corpus' },
  () => {
    const rand = rng(42);
    let incremental = 0;
    let cases = 0;
    for (const file of FILES) {
      const full = path.join(CORPUS, file);
      if (!fs.existsSync(full)) continue;
      let text = fs.readFileSync(full, 'utf8');
      let prev = analyzeTrace(text);
      for (let k = 0; k < 40; k++) {
        const next = mutate(text, rand);
        const fresh = analyzeTrace(next);
        const inc = reanalyze(prev, next);
        cases++;
        if (inc) {
          incremental++;
          assert.deepEqual(report(inc), report(fresh), `${file}, edit ${k}`);
          prev = inc;
        } else {
          prev = fresh;
        }
        text = next;
      }
    }
    assert.ok(cases > 100);
    // Most one-line edits stay inside their record and connection.
    assert.ok(incremental * 3 > cases, `only ${incremental} of ${cases} edits were incremental`);
  },
);

test('an edit of a SYN, of the line count or of an endpoint falls back to a full analysis', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../../examples/seed-handshake.trace'), 'utf8');
  const prev = analyzeTrace(text);
  assert.equal(
    reanalyze(prev, text.replace('S 3626544836:3626544836(0)', 'S 3626544837:3626544837(0)')),
    undefined,
  );
  assert.equal(reanalyze(prev, `${text}\n# one more line\n`), undefined);
  assert.equal(
    reanalyze(
      prev,
      text.replace(
        '192.168.1.116.3337 > 192.168.1.123.7788: .',
        '192.168.1.116.3338 > 192.168.1.123.7788: .',
      ),
    ),
    undefined,
  );
  const edited = text.replace('. ack 1 win 1460', '. ack 1 win 1461');
  const inc = reanalyze(prev, edited);
  assert.ok(inc, 'a window edit is incremental');
  assert.deepEqual(report(inc), report(analyzeTrace(edited)));
});
