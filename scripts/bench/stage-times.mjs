#!/usr/bin/env node
// Where the analysis of a large trace spends its time: each stage of analyzeTrace (server/src/trace/
// analyze.ts) timed on its own in one process, with the garbage collector's pauses and the heap after
// each stage. The core is bundled from the sources with esbuild, as the CLI is. Figures only: the
// benchmark's targets are about the whole CLI (scripts/bench.mjs); this says which stage to work on.
//   node scripts/bench/stage-times.mjs [--trace FILE] [--runs N] [--warm] [--editor] [--json OUT]
// FILE defaults to the trace `npm run bench` builds (bench-results/cache/capture.trace). Each run is a
// fresh process, so every run pays what the CLI pays (a cold JIT, a heap that starts empty); the table
// gives the median of each stage over the runs. With --warm each process analyses the trace twice and
// times the second: the difference is what warming up V8 costs the first (a fresh server's didOpen).
// The analysis is the CLI's (report-only); --editor times the full one the language server makes.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleSources } from './bundle-sources.mjs';
import { BENCH_TRACE, CORE_EXPORTS, ROOT, STAGES_MODULE as STAGES, option } from './stages.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const trace = path.resolve(opt('--trace', BENCH_TRACE));
const runs = Number(opt('--runs', 3));
const warm = args.includes('--warm');
const editor = args.includes('--editor');
const jsonOut = opt('--json', undefined);
if (!fs.existsSync(trace)) {
  console.error(
    `stage-times: no trace at ${trace}; run \`node scripts/bench.mjs\` first, or pass --trace FILE`,
  );
  process.exit(2);
}
if (!Number.isInteger(runs) || runs < 1) {
  console.error('stage-times: --runs takes a positive integer');
  process.exit(2);
}

// One run, in a child process: the stages as analyzeTrace runs them (stages.mjs), each timed.
const RUN = `
(async () => {
const { PerformanceObserver } = require('node:perf_hooks');
const core = require(process.argv[1]);
const { readTraceOnce, runStages } = await import(process.argv[3]);
let gcMs = 0;
new PerformanceObserver((list) => { for (const e of list.getEntries()) gcMs += e.duration; }).observe({ entryTypes: ['gc'] });
const stages = [];
let t = performance.now();
let usage = process.resourceUsage();
const lap = (name) => {
  const now = performance.now();
  const after = process.resourceUsage();
  stages.push({
    name,
    ms: now - t,
    heapMB: process.memoryUsage().heapUsed / 1048576,
    pageFaults: after.minorPageFault - usage.minorPageFault,
    systemMs: (after.systemCPUTime - usage.systemCPUTime) / 1000,
    cpuMs: (after.systemCPUTime - usage.systemCPUTime + after.userCPUTime - usage.userCPUTime) / 1000,
  });
  usage = process.resourceUsage();
  t = performance.now();
};
// As the CLI reads it, the bytes' memory given to the analysis (the first one, when there are two).
const { text, spareMemory } = readTraceOnce(core, process.argv[2]);
lap('read the file');
const warmRun = process.argv[4] === 'warm';
if (warmRun) {
  runStages(core, text, () => {}, spareMemory, process.argv[5] === 'editor');
  // (The observer reports the first analysis's pauses after this task: wait for them, then count anew.)
  await new Promise((resolve) => setTimeout(resolve, 50));
  stages.length = 0;
  gcMs = 0;
  lap('read the file');
  Object.assign(stages[0], { ms: 0, pageFaults: 0, systemMs: 0, cpuMs: 0 });
}
const { packets, findings } = runStages(
  core,
  text,
  lap,
  warmRun ? undefined : spareMemory,
  process.argv[5] === 'editor',
);
// The observer reports after the current task: wait for it.
setTimeout(() => process.stdout.write(JSON.stringify({ stages, gcMs, packets, findings })), 50);
})();
`;

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-times-'));
const bundle = path.join(tmp, 'core.cjs');
await bundleSources(CORE_EXPORTS, bundle);

const results = [];
for (let k = 0; k < runs; k++) {
  const r = spawnSync(
    process.execPath,
    ['-e', RUN, bundle, trace, STAGES, warm ? 'warm' : 'cold', editor ? 'editor' : 'cli'],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
    },
  );
  if (r.status !== 0) {
    console.error(`stage-times: run ${k + 1} failed: ${(r.stderr || '').trim().slice(-2000)}`);
    process.exit(1);
  }
  results.push(JSON.parse(r.stdout));
}
fs.rmSync(tmp, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const names = results[0].stages.map((s) => s.name);
const packets = results[0].packets;
const rows = names.map((name, i) => {
  const ms = median(results.map((r) => r.stages[i].ms));
  return {
    name,
    ms,
    usPerPacket: (ms * 1000) / packets,
    heapMB: median(results.map((r) => r.stages[i].heapMB)),
    pageFaults: median(results.map((r) => r.stages[i].pageFaults)),
    systemMs: median(results.map((r) => r.stages[i].systemMs)),
    cpuMs: median(results.map((r) => r.stages[i].cpuMs)),
  };
});
const totalMs = rows.reduce((sum, r) => sum + r.ms, 0);
const gcMs = median(results.map((r) => r.gcMs));

console.log(
  `${path.relative(ROOT, trace) || trace}: ${packets.toLocaleString('en')} records, median of ${runs} runs${warm ? ' (each the second analysis of its process: warm)' : ''}`,
);
// Besides the wall time: the process's CPU time in the stage (all threads: V8 compiles and collects on
// others too), the kernel's part of it, and the page faults, each the kernel's work of handing the
// process a fresh page of memory (memory first written: new columns, a growing heap).
console.log(
  `${'stage'.padEnd(14)}${'ms'.padStart(8)}${'µs/record'.padStart(11)}${'share'.padStart(8)}${'heap after'.padStart(12)}${'cpu ms'.padStart(9)}${'kernel'.padStart(8)}${'faults'.padStart(9)}`,
);
for (const r of rows) {
  console.log(
    `${r.name.padEnd(14)}${r.ms.toFixed(0).padStart(8)}${r.usPerPacket.toFixed(2).padStart(11)}${`${((100 * r.ms) / totalMs).toFixed(0)}%`.padStart(8)}${`${r.heapMB.toFixed(0)} MB`.padStart(12)}${r.cpuMs.toFixed(0).padStart(9)}${r.systemMs.toFixed(0).padStart(8)}${String(r.pageFaults).padStart(9)}`,
  );
}
console.log(
  `${'all stages'.padEnd(14)}${totalMs.toFixed(0).padStart(8)}${((totalMs * 1000) / packets).toFixed(2).padStart(11)}`,
);
console.log(
  `garbage collector pauses during the stages: ${gcMs.toFixed(0)} ms (${((100 * gcMs) / totalMs).toFixed(0)}%)`,
);
if (jsonOut) {
  fs.mkdirSync(path.dirname(path.resolve(jsonOut)), { recursive: true });
  fs.writeFileSync(
    jsonOut,
    `${JSON.stringify({ trace, packets, runs, stages: rows, totalMs, gcMs }, null, 2)}\n`,
  );
}
