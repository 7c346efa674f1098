#!/usr/bin/env node
// What a change did to the whole CLI: another version's `packet-trace check --format json` (a git ref,
// by default HEAD) against this checkout's, with its uncommitted changes, on the same trace, as
// `npm run bench` times it (wall time of a process, start to exit).
//   node scripts/bench/cli-ab.mjs [REF] [--trace FILE] [--runs N]
// Machines here drift by tens of per cent from one hour to the next, so two CLIs timed minutes apart
// cannot be compared: here each run is a process of its own, the two versions alternating (ABBA...),
// and the table gives each one's median and best and their ratio, measured in this one run. Both are
// bundled from their sources the same way (bundle-sources.mjs), so only the sources differ.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleBothSides } from './bundle-sources.mjs';
import { abArguments } from './stages.mjs';

const { ref, trace, opt, fail } = abArguments('cli-ab', process.argv.slice(2));
const runs = Number(opt('--runs', 10));
if (!Number.isInteger(runs) || runs < 1) fail('--runs takes a positive whole number');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-ab-'));
try {
  // The CLI's module runs its command when loaded: a bundle that imports it is the CLI.
  const { commit, before, after } = await bundleBothSides(ref, ["import './server/src/cli';"], tmp, fail);
  /** Wall time of one `check --format json TRACE` by the CLI bundled in `cli`, in ms. */
  const timeOnce = (cli) => {
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'check', '--format', 'json', trace], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const ms = performance.now() - t;
    if (r.status !== 0 && r.status !== 1)
      fail(`${cli === before ? ref : 'this checkout'}: exit ${r.status}: ${String(r.stderr).trim()}`);
    return ms;
  };
  // One run of each first, left out: the trace's pages in the cache, both bundles read once.
  timeOnce(before);
  timeOnce(after);
  const times = { before: [], after: [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const side of order) times[side].push(timeOnce(side === 'before' ? before : after));
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const best = (xs) => Math.min(...xs);
  const row = (label, xs) =>
    `${label.padEnd(24)}${median(xs).toFixed(0).padStart(8)} ms${best(xs).toFixed(0).padStart(8)} ms`;
  console.log(`${path.relative(process.cwd(), trace)}: ${runs} runs of each CLI, alternated`);
  console.log(`${''.padEnd(24)}${'median'.padStart(11)}${'best'.padStart(11)}`);
  console.log(row(`${ref} (${commit.slice(0, 7)})`, times.before));
  console.log(row('this checkout', times.after));
  const change = (f) => ((f(times.after) / f(times.before) - 1) * 100).toFixed(1);
  console.log(`change: median ${change(median)}%, best ${change(best)}%`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
