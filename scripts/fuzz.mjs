#!/usr/bin/env node
// Longer robustness runs than the test tier's (`npm run fuzz`):
//   1. mutation fuzzing of real corpus lines (test/robustness/support.ts), a fresh seed each run, in a
//      worker thread watched for hangs: a case that runs for more than --hang-ms is stopped, reported and
//      saved, and fuzzing goes on from the next case;
//   2. the property tests of test/robustness/properties.test.ts with --runs times their runs, same seed;
//   3. the real-server edit sequences of test/robustness/server.test.ts (--sequences of them).
// Every input that breaks an invariant (not a known, reported bug), crashes or hangs is written to
// test-results/fuzz/ with its seed and case number; the run ends with one summary line and exits 1 when
// anything new was found.
//
//   node scripts/fuzz.mjs                      5 minutes of mutation fuzzing, runs x20, 300 sequences
//   node scripts/fuzz.mjs --minutes 60 --seed 42 --runs 100 --sequences 1000
//   node scripts/fuzz.mjs --cases 2000000 --only mutations
//   options: --minutes M | --cases N, --seed S, --runs R, --sequences N, --hang-ms MS,
//            --features-every K (every LSP feature on every K-th case, default 20),
//            --only mutations|properties|server, --no-build
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUPPORT = path.join(ROOT, 'out/test/robustness/support.js');

if (isMainThread) await main();
else worker();

function option(args, name, fallback) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

async function main() {
  const args = process.argv.slice(2);
  const seed = Number(option(args, 'seed', String(Date.now() % 2 ** 31)));
  const minutes = Number(option(args, 'minutes', args.includes('--cases') ? '100000' : '5'));
  const cases = Number(option(args, 'cases', String(Number.MAX_SAFE_INTEGER)));
  const runs = Number(option(args, 'runs', '20'));
  const sequences = Number(option(args, 'sequences', '300'));
  const hangMs = Number(option(args, 'hang-ms', '10000'));
  const featuresEvery = Number(option(args, 'features-every', '20'));
  const only = option(args, 'only', undefined);
  const outDir = path.join(ROOT, 'test-results/fuzz');
  fs.mkdirSync(outDir, { recursive: true });

  if (!args.includes('--no-build')) {
    // The bundles for the server part, the compiled tests and core for everything.
    for (const cmd of [['esbuild.mjs'], ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json']]) {
      const r = spawnSync(process.execPath, cmd, { cwd: ROOT, stdio: 'inherit' });
      // tsc may complain about files other sessions are editing; the output is still written.
      if (r.status !== 0 && cmd[0] === 'esbuild.mjs') process.exit(r.status ?? 1);
    }
  }
  if (!fs.existsSync(SUPPORT)) {
    console.error(`fuzz: ${path.relative(ROOT, SUPPORT)} is missing: build first (tsc -p tsconfig.json)`);
    process.exit(2);
  }
  console.log(`fuzz: seed ${seed} (reproduce with --seed ${seed})`);
  let problems = 0;
  const summary = [];

  if (!only || only === 'mutations') {
    const r = await mutationFuzz({
      seed,
      cases,
      deadline: Date.now() + minutes * 60_000,
      hangMs,
      featuresEvery,
      outDir,
    });
    problems += r.problems;
    summary.push(`mutations: ${r.cases} cases, ${r.problems} problems`);
  }
  const env = { ...process.env, ROBUSTNESS_SEED: String(seed) };
  if (!only || only === 'properties') {
    console.log(`\nfuzz: property tests, ${runs} x their runs`);
    const r = spawnSync(
      process.execPath,
      ['--test', '--test-reporter=spec', 'out/test/robustness/properties.test.js'],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...env, ROBUSTNESS_RUNS: String(runs) },
      },
    );
    if (r.status !== 0) problems++;
    summary.push(`properties x${runs}: ${r.status === 0 ? 'passed' : 'FAILED'}`);
  }
  if (!only || only === 'server') {
    console.log(`\nfuzz: ${sequences} edit sequences on the real server`);
    const r = spawnSync(
      process.execPath,
      [
        '--test',
        '--test-reporter=spec',
        '--test-name-pattern=random edit sequences',
        'out/test/robustness/server.test.js',
      ],
      { cwd: ROOT, stdio: 'inherit', env: { ...env, ROBUSTNESS_SERVER_SEQUENCES: String(sequences) } },
    );
    if (r.status !== 0) problems++;
    summary.push(`server sequences x${sequences}: ${r.status === 0 ? 'passed' : 'FAILED'}`);
  }
  console.log(`\nfuzz: seed ${seed}; ${summary.join('; ')}`);
  console.log(`fuzz: ${problems === 0 ? 1 : 0} passed, ${problems === 0 ? 0 : 1} failed`);
  process.exit(problems === 0 ? 0 : 1);
}

/** Runs cases in a worker; restarts it after a hang, from the next case. */
async function mutationFuzz({ seed, cases, deadline, hangMs, featuresEvery, outDir }) {
  const require = createRequire(import.meta.url);
  const support = require(SUPPORT);
  const progress = new Int32Array(new SharedArrayBuffer(8));
  let next = 0;
  let done = 0;
  let problems = 0;
  const known = new Map();
  const started = Date.now();
  let lastReport = 0;
  let stats = { maxMs: 0, maxMsInput: '', maxUsPerByte: 0, maxUsPerByteInput: '' };

  const save = (index, kind, detail) => {
    problems++;
    const c = support.fuzzCase(support.caseRandom(seed, index));
    const file = path.join(outDir, `${seed}-${index}-${kind.replace(/[^\w-]/g, '_')}.trace`);
    fs.writeFileSync(file, c.text);
    fs.writeFileSync(
      `${file}.txt`,
      `seed ${seed} case ${index}\nmutations: ${c.mutations.join(', ')}\n[${kind}] ${detail}\n`,
    );
    console.log(
      `fuzz: case ${index}: [${kind}] ${String(detail).split('\n')[0]}\n      saved ${path.relative(ROOT, file)}`,
    );
  };

  while (next < cases && Date.now() < deadline) {
    const from = next;
    Atomics.store(progress, 0, from);
    Atomics.store(progress, 1, 0);
    const w = new Worker(fileURLToPath(import.meta.url), {
      workerData: { seed, from, cases, deadline, featuresEvery, progress, support: SUPPORT },
    });
    const outcome = await new Promise((resolve) => {
      let lastIndex = -1;
      let lastChange = Date.now();
      const watchdog = setInterval(() => {
        const i = Atomics.load(progress, 0);
        if (i !== lastIndex) {
          lastIndex = i;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > hangMs) {
          clearInterval(watchdog);
          void w.terminate();
          resolve({ hang: i });
        }
      }, 200);
      w.on('message', (m) => {
        if (m.type === 'violation') {
          save(m.index, m.kind, m.detail);
        } else if (m.type === 'known') {
          for (const [k, n] of m.known) known.set(k, (known.get(k) ?? 0) + n);
        } else if (m.type === 'done') {
          stats = mergeStats(stats, m.stats);
          done += m.cases;
          if (Date.now() - lastReport < 15_000) return;
          lastReport = Date.now();
          console.log(
            `fuzz: ${done} cases, ${((Date.now() - started) / 1000).toFixed(0)} s, ${problems} problems, slowest ${stats.maxMs.toFixed(1)} ms`,
          );
        }
      });
      w.on('error', (e) => {
        clearInterval(watchdog);
        resolve({ crash: Atomics.load(progress, 0), error: e });
      });
      w.on('exit', () => {
        clearInterval(watchdog);
        resolve({ end: Atomics.load(progress, 0) });
      });
    });
    if ('hang' in outcome) {
      save(outcome.hang, 'hang', `no progress for ${hangMs} ms`);
      next = outcome.hang + 1;
    } else if ('crash' in outcome) {
      save(outcome.crash, 'worker-crash', outcome.error?.stack ?? String(outcome.error));
      next = outcome.crash + 1;
    } else {
      next = Atomics.load(progress, 1) ? Atomics.load(progress, 0) : cases;
      if (next <= from) break;
    }
  }
  console.log(`fuzz: mutation fuzzing: ${done} cases in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  console.log(
    `fuzz: slowest case ${stats.maxMs.toFixed(2)} ms: ${support.describeInput(stats.maxMsInput, 120)}`,
  );
  console.log(
    `fuzz: slowest per character (inputs >= 1000 chars) ${stats.maxUsPerByte.toFixed(3)} µs: ${support.describeInput(stats.maxUsPerByteInput, 120)}`,
  );
  if (known.size)
    console.log(`fuzz: known bugs (reported): ${[...known].map(([k, n]) => `${k} x${n}`).join(', ')}`);
  return { cases: done, problems };
}

function mergeStats(a, b) {
  return {
    maxMs: Math.max(a.maxMs, b.maxMs),
    maxMsInput: b.maxMs > a.maxMs ? b.maxMsInput : a.maxMsInput,
    maxUsPerByte: Math.max(a.maxUsPerByte, b.maxUsPerByte),
    maxUsPerByteInput: b.maxUsPerByte > a.maxUsPerByte ? b.maxUsPerByteInput : a.maxUsPerByteInput,
  };
}

/** The worker: cases from `from` on, in batches, until the case count or the deadline. */
function worker() {
  const { seed, from, cases, deadline, featuresEvery, progress, support: supportPath } = workerData;
  const require = createRequire(import.meta.url);
  const s = require(supportPath);
  const BATCH = 20_000;
  let i = from;
  while (i < cases && Date.now() < deadline) {
    const timing = s.newTiming();
    const known = new Map();
    const end = Math.min(cases, i + BATCH);
    const first = i;
    for (; i < end; i++) {
      Atomics.store(progress, 0, i);
      const rand = s.caseRandom(seed, i);
      const c = s.fuzzCase(rand);
      const t0 = performance.now();
      const { analysis, violations } = s.analyzeAndCheck(c.text);
      const ms = performance.now() - t0;
      s.recordTiming(timing, c.text, ms);
      const all = [...violations];
      if (ms > Math.max(200, c.text.length * 0.02)) {
        // Time it again before calling it slow: a GC pause is not a hang.
        const t1 = performance.now();
        s.analyzeAndCheck(c.text);
        const again = performance.now() - t1;
        if (again > Math.max(200, c.text.length * 0.02))
          all.push({
            kind: 'slow',
            detail: `${Math.min(ms, again).toFixed(1)} ms for ${c.text.length} characters`,
          });
      }
      if (analysis && featuresEvery > 0 && i % featuresEvery === 0)
        all.push(...s.checkFeatures(c.text, analysis, s.probesFor(c.text, rand, 4)));
      for (const v of all) {
        if (v.knownBug) known.set(v.knownBug, (known.get(v.knownBug) ?? 0) + 1);
        else parentPort.postMessage({ type: 'violation', index: i, kind: v.kind, detail: v.detail });
      }
    }
    Atomics.store(progress, 0, i);
    parentPort.postMessage({ type: 'known', known: [...known] });
    parentPort.postMessage({
      type: 'done',
      cases: i - first,
      stats: {
        maxMs: timing.maxMs,
        maxMsInput: timing.maxMsInput,
        maxUsPerByte: timing.maxUsPerByte,
        maxUsPerByteInput: timing.maxUsPerByteInput,
      },
    });
  }
  Atomics.store(progress, 0, i);
  Atomics.store(progress, 1, 1);
}
