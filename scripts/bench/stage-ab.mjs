#!/usr/bin/env node
// What a change did to the analysis, stage by stage: the core of another version (a git ref, by
// default HEAD) against the core of this checkout, with its uncommitted changes, on the same trace.
//   node scripts/bench/stage-ab.mjs [REF] [--trace FILE] [--rounds N] [--cold] [--editor]
// Machines here vary by up to 40% from one hour to the next, and by 10% from one run to the next, so
// two versions timed minutes apart cannot be compared. Here both run in one process, one after the
// other and in alternating order (ABBA...), each round on a fresh parse with a collected heap; the
// first round warms both up and is left out, and the table gives each stage's median. These figures
// are warm (compiled code, a heap that has grown before): what a change does to the work itself. A
// change to what memory the analysis takes can move a garbage collection from one stage to another
// (V8 collects when the memory outside its heap grows past a limit), which warm rounds in one process
// exaggerate: `--cold` runs each version in a fresh process per round instead, alternating, as the
// CLI runs (slower, and noisier by a few per cent). The analysis is the CLI's (report-only); --editor
// times the full one the language server makes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleBothSides } from './bundle-sources.mjs';
import { CORE_EXPORTS, ROOT, STAGES_MODULE as STAGES, abArguments } from './stages.mjs';

const args = process.argv.slice(2);
const { ref, trace, opt, fail } = abArguments('stage-ab', args);
const cold = args.includes('--cold');
const editor = args.includes('--editor');
const rounds = Number(opt('--rounds', cold ? 9 : 7));
if (!Number.isInteger(rounds) || rounds < 2) fail('--rounds takes a whole number of at least 2');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-ab-'));
let commit = '';
try {
  const sides = await bundleBothSides(ref, CORE_EXPORTS, tmp, fail);
  commit = sides.commit;
  const { before, after } = sides;

  // Both cores in one process, the rounds alternating which goes first; or, --cold, each round of
  // each core in a process of its own.
  const RUN = `
(async () => {
const [before, after, trace, stagesModule, rounds, mode] = process.argv.slice(1);
const editor = mode === 'editor';
const { readTrace, readTraceOnce, runStages } = await import(stagesModule);
// The stages of one analysis, each timed: { row: ms by stage, out }.
const timed = (core, text, spareMemory) => {
  const row = {};
  let t = performance.now();
  const out = runStages(
    core,
    text,
    (name) => {
      const now = performance.now();
      row[name] = now - t;
      t = now;
    },
    spareMemory,
    editor,
  );
  return { row, out };
};
const only = process.env.STAGE_AB_ONLY;
if (only !== undefined) {
  // A cold round loads only the core it times.
  const core = require(only === '0' ? before : after);
  const { text, spareMemory } = readTraceOnce(core, trace);
  const { row, out } = timed(core, text, spareMemory);
  process.stdout.write(JSON.stringify({ row, packets: out.packets }));
  return;
}
const cores = [require(before), require(after)];
const text = readTrace(cores[1], trace);
const times = [[], []];
let packets = 0;
for (let round = 0; round < Number(rounds); round++) {
  const order = round % 2 ? [1, 0] : [0, 1];
  for (const which of order) {
    global.gc();
    const { row, out } = timed(cores[which], text, undefined);
    packets = out.packets;
    if (round > 0) times[which].push(row);
  }
}
process.stdout.write(JSON.stringify({ times, packets }));
})();
`;
  const run = (only) => {
    const r = spawnSync(
      process.execPath,
      ['--expose-gc', '-e', RUN, before, after, trace, STAGES, String(rounds), editor ? 'editor' : 'cli'],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 22,
        env: only === undefined ? process.env : { ...process.env, STAGE_AB_ONLY: String(only) },
      },
    );
    if (r.status !== 0) fail(`the run failed: ${(r.stderr || '').trim().slice(-2000)}`);
    return JSON.parse(r.stdout);
  };
  let times;
  let packets;
  if (cold) {
    times = [[], []];
    for (let round = 0; round < rounds; round++) {
      for (const which of round % 2 ? [1, 0] : [0, 1]) {
        const out = run(which);
        times[which].push(out.row);
        packets = out.packets;
      }
    }
  } else {
    ({ times, packets } = run(undefined));
  }

  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const names = Object.keys(times[0][0]);
  const rows = [...names, 'all stages'].map((name) => {
    const pick = (row) => (name === 'all stages' ? names.reduce((sum, n) => sum + row[n], 0) : row[name]);
    return { name, before: median(times[0].map(pick)), after: median(times[1].map(pick)) };
  });
  const label = `${ref} (${commit.slice(0, 7)})`;
  console.log(
    `${path.relative(ROOT, trace) || trace}: ${packets.toLocaleString('en')} records; ${cold ? `median of ${rounds} cold runs of each, a process each, alternated` : `median of ${rounds - 1} warm rounds, alternated in one process`}`,
  );
  console.log(
    `${'stage'.padEnd(12)}${label.padStart(22)}${'this checkout'.padStart(16)}${'change'.padStart(18)}`,
  );
  for (const { name, before: b, after: a } of rows) {
    const change = `${a - b >= 0 ? '+' : ''}${(a - b).toFixed(0)} ms (${a - b >= 0 ? '+' : ''}${((100 * (a - b)) / b).toFixed(1)}%)`;
    console.log(
      `${name.padEnd(12)}${`${b.toFixed(0)} ms`.padStart(22)}${`${a.toFixed(0)} ms`.padStart(16)}${change.padStart(18)}`,
    );
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
