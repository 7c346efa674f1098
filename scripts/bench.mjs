#!/usr/bin/env node
// Benchmark of `packet-trace check --format json` on a large trace (npm run bench). Prints measured
// figures only; the targets are reported as PASS/MISS, never asserted (the exit status is 0 whenever
// the measurements could be made).
//
//   node scripts/bench.mjs [--rebuild] [--generate] [--packets N] [--runs N] [--no-tshark]
//
//   --rebuild    build the trace again even when a cached one is there
//   --generate   use the generated trace, not a loopback capture, even where capturing works
//   --packets N  at least N TCP packets (default 500000)
//   --runs N     timed runs per tool, best kept (default 3)
//   --no-tshark  skip the tshark comparison
//   --no-build   measure dist/cli.js as it is (default: `node esbuild.mjs` first)
//   --rss-wrapper  read peak RSS from process.resourceUsage() in a wrapper even where /usr/bin/time is
//
// The trace: a REAL loopback capture when tcpdump is installed and may capture on `lo` (root):
// `tcpdump -i lo -w capture.pcap -s 128 'tcp port P'` while scripts/bench/loopback-traffic.mjs runs
// bounded rounds of short connections and bulk transfers on 127.0.0.1 until the pcap holds enough
// packets, then `TZ=UTC tcpdump -nn -r capture.pcap > capture.trace`. Otherwise a generated trace
// (scripts/bench/generate-trace.mjs), which writes the same packets as a pcap too, so the tshark
// comparison still runs where tshark is installed. Both are cached in bench-results/cache/.
//
// Output: a table at the end, and the same figures in bench-results/bench.json.
import { fork, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'bench-results');
const CACHE = path.join(OUT, 'cache');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const TRAFFIC = path.join(ROOT, 'scripts', 'bench', 'loopback-traffic.mjs');
const TARGET_BASELINE_RATIO = 3; // CLI time / read-and-split time: at most this
const TARGET_TSHARK_RATIO = 5; // tshark time / CLI time: at least this (aim: 10)
const AIM_TSHARK_RATIO = 10;
const TSHARK_SLOW_MS = 60000; // one tshark run only when the first takes longer than this
const CAPTURE_BUDGET_MS = 240000; // the capture gives up (and falls back to the generator) after this
const MAX_ROUNDS = 12;

// ---- arguments ---------------------------------------------------------------------------------
const argv = process.argv.slice(2);
const opt = {
  rebuild: false,
  generate: false,
  packets: 500000,
  runs: 3,
  tshark: true,
  build: true,
  rssWrapper: false,
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--rebuild') opt.rebuild = true;
  else if (a === '--generate') opt.generate = true;
  else if (a === '--no-tshark') opt.tshark = false;
  else if (a === '--no-build') opt.build = false;
  else if (a === '--rss-wrapper') opt.rssWrapper = true;
  else if (a === '--packets') opt.packets = Number(argv[++i]);
  else if (a === '--runs') opt.runs = Number(argv[++i]);
  else if (a === '--help' || a === '-h') {
    console.log(
      'usage: node scripts/bench.mjs [--rebuild] [--generate] [--packets N] [--runs N] [--no-tshark] [--no-build] [--rss-wrapper]',
    );
    process.exit(0);
  } else {
    console.error(`bench: unknown argument '${a}' (see --help)`);
    process.exit(2);
  }
}
if (!Number.isInteger(opt.packets) || opt.packets < 1) fail('--packets takes a positive integer');
if (!Number.isInteger(opt.runs) || opt.runs < 1) fail('--runs takes a positive integer');

const benchStart = performance.now();
const notes = [];

function fail(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
function log(message) {
  console.log(message);
}
function note(message) {
  notes.push(message);
  log(`  note: ${message}`);
}
const hasCmd = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const fmtMs = (ms) =>
  ms >= 10000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(0)} ms`;
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const MB = (bytes) => bytes / 1e6;
const round = (x, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(d));

// ---- child processes ---------------------------------------------------------------------------
/**
 * Runs a command once: wall time in ms, exit code, peak RSS (KiB) and CPU seconds when /usr/bin/time
 * is there (else peak RSS from `rssFile`, written by our own wrapper), stdout to `stdoutFile`.
 */
function timedRun(cmd, args, { stdoutFile, env, useTime, rssFile } = {}) {
  return new Promise((resolve, reject) => {
    const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
    const [c, a] = useTime ? ['/usr/bin/time', ['-v', cmd, ...args]] : [cmd, args];
    const t0 = performance.now();
    const child = spawn(c, a, { stdio: ['ignore', out, 'pipe'], env: env ?? process.env });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (err.length > 1 << 20) err = err.slice(-(1 << 19));
    });
    child.on('error', (e) => {
      if (typeof out === 'number') fs.closeSync(out);
      reject(e);
    });
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      if (typeof out === 'number') fs.closeSync(out);
      const r = { ms, code, signal, stderr: err, rssKiB: null, userS: null, sysS: null };
      if (useTime) {
        const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(err);
        if (m) r.rssKiB = Number(m[1]);
        const u = /User time \(seconds\): ([\d.]+)/.exec(err);
        const s = /System time \(seconds\): ([\d.]+)/.exec(err);
        if (u) r.userS = Number(u[1]);
        if (s) r.sysS = Number(s[1]);
        // /usr/bin/time exits with the command's status (128 + N when signal N ended it).
        const sig = /Command terminated by signal (\d+)/.exec(err);
        if (sig) r.signal = `signal ${sig[1]}`;
      } else if (rssFile && fs.existsSync(rssFile)) {
        const j = JSON.parse(fs.readFileSync(rssFile, 'utf8'));
        r.rssKiB = j.maxRSS;
        r.userS = j.user / 1e6;
        r.sysS = j.system / 1e6;
      }
      resolve(r);
    });
  });
}

/** Best of `runs` (fewer when one run exceeds `slowMs`). */
async function bestOf(label, runs, once, { slowMs = Infinity } = {}) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const r = await once(i);
    all.push(r);
    log(
      `  ${label} run ${i + 1}/${runs}: ${fmtMs(r.ms)}${r.rssKiB ? `, peak RSS ${fmtInt(r.rssKiB / 1024)} MiB` : ''}`,
    );
    if (r.ms > slowMs && i + 1 < runs) {
      note(`${label}: the first run took ${fmtMs(r.ms)} (> ${fmtMs(slowMs)}), so it ran once`);
      break;
    }
  }
  const best = all.reduce((a, b) => (b.ms < a.ms ? b : a));
  return { best, all, peakRssKiB: Math.max(...all.map((r) => r.rssKiB ?? 0)) || null };
}

// ---- pcap helpers ------------------------------------------------------------------------------
/** Counts the records of a (growing) classic pcap file; `state` carries the position between calls. */
function countPcap(file, state = { offset: 24, count: 0, le: null }) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return state;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (state.le === null) {
      if (size < 24) return state;
      const h = Buffer.alloc(4);
      fs.readSync(fd, h, 0, 4, 0);
      const m = h.readUInt32LE(0);
      if (m === 0xa1b2c3d4 || m === 0xa1b23c4d) state.le = true;
      else if (m === 0xd4c3b2a1 || m === 0x4d3cb2a1) state.le = false;
      else throw new Error(`${file}: not a classic pcap file`);
    }
    const hdr = Buffer.alloc(16);
    while (state.offset + 16 <= size) {
      fs.readSync(fd, hdr, 0, 16, state.offset);
      const incl = state.le ? hdr.readUInt32LE(8) : hdr.readUInt32BE(8);
      if (state.offset + 16 + incl > size) break;
      state.offset += 16 + incl;
      state.count++;
    }
    return state;
  } finally {
    fs.closeSync(fd);
  }
}

function countLines(file) {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.alloc(1 << 20);
  let n = 0;
  let last = 10;
  for (;;) {
    const k = fs.readSync(fd, buf, 0, buf.length, null);
    if (k === 0) break;
    for (let i = 0; i < k; i++) if (buf[i] === 10) n++;
    last = buf[k - 1];
  }
  fs.closeSync(fd);
  return last === 10 ? n : n + 1;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- building the trace ------------------------------------------------------------------------
/** Real capture on lo. Resolves to the trace's metadata, or null (with a note) when it cannot be done. */
async function captureLoopback(pcap, trace) {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    note('not root: capturing on lo is not permitted, so the trace is generated');
    return null;
  }
  const port = await freePort();
  fs.rmSync(pcap, { force: true });
  log(
    `  capturing on lo, tcp port ${port} (tcpdump -i lo -s 128 -U -B 65536), loopback traffic from ${path.relative(ROOT, TRAFFIC)}`,
  );
  const started = performance.now();
  const td = spawn(
    'tcpdump',
    ['-i', 'lo', '-w', pcap, '-s', '128', '-U', '-B', '65536', '-n', `tcp port ${port}`],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let tdErr = '';
  let tdExit = null;
  const tdClosed = new Promise((r) =>
    td.on('close', (code, signal) => {
      tdExit = { code, signal };
      r();
    }),
  );
  td.on('error', (e) => {
    tdErr += `\n${e.message}`;
  });
  td.stderr.on('data', (d) => (tdErr += d));
  // Wait until tcpdump listens (or gives up).
  for (let i = 0; i < 100 && !/listening on/.test(tdErr) && tdExit === null; i++) await sleep(50);
  if (!/listening on/.test(tdErr)) {
    if (tdExit === null) td.kill('SIGINT');
    await tdClosed;
    note(
      `tcpdump could not capture on lo (${tdErr.trim().split('\n').pop() || 'no answer'}), so the trace is generated`,
    );
    return null;
  }

  const traffic = fork(TRAFFIC, [String(port)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const messages = [];
  let waiter = null;
  traffic.on('message', (m) => {
    messages.push(m);
    if (waiter) waiter();
  });
  let trafficExit = false;
  traffic.on('exit', () => {
    trafficExit = true;
    if (waiter) waiter();
  });
  const next = async (type, ms) => {
    const deadline = performance.now() + ms;
    for (;;) {
      const i = messages.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) return messages.splice(i, 1)[0];
      if (trafficExit || performance.now() > deadline) return null;
      await new Promise((r) => {
        waiter = r;
        setTimeout(r, 250);
      });
      waiter = null;
    }
  };
  const stopAll = async () => {
    if (!trafficExit) {
      traffic.send({ type: 'stop' });
      for (let i = 0; i < 40 && !trafficExit; i++) await sleep(50);
      if (!trafficExit) traffic.kill();
    }
    await sleep(300); // let the last packets reach the file
    if (tdExit === null) td.kill('SIGINT');
    await tdClosed;
  };

  const ready = await next('ready', 10000);
  if (!ready || ready.type !== 'ready') {
    await stopAll();
    note(`the loopback traffic did not start (${ready?.message ?? 'no answer'}), so the trace is generated`);
    return null;
  }
  const state = { offset: 24, count: 0, le: null };
  const rounds = [];
  let offset = 0;
  for (let r = 0; r < MAX_ROUNDS && state.count < opt.packets * 1.02; r++) {
    if (performance.now() - started > CAPTURE_BUDGET_MS) break;
    // Round 1: 4000 short connections plus bulk transfers; later rounds: fewer short ones, same bulk.
    const short = r === 0 ? 4000 : 1500;
    const msg = {
      type: 'round',
      short,
      offset,
      concurrency: 48,
      bulk: 8,
      bulkConcurrency: 2,
      bulkBytes: 6000000,
      pauseEvery: 262144,
      deadlineMs: 90000,
    };
    offset += short;
    traffic.send(msg);
    const done = await next('done', 120000);
    if (!done || done.type !== 'done') break;
    await sleep(200);
    countPcap(pcap, state);
    rounds.push({ ...done.stats, packetsSoFar: state.count });
    log(
      `  round ${r + 1}: ${done.stats.connections} short connections (${done.stats.exchanges} exchanges), ${done.stats.bulk} bulk transfers (${fmtInt(MB(done.stats.bulkBytes))} MB) in ${fmtMs(done.stats.ms)}; pcap: ${fmtInt(state.count)} packets`,
    );
  }
  await stopAll();
  const stats =
    /(\d+) packets captured[\s\S]*?(\d+) packets received by filter[\s\S]*?(\d+) packets dropped by kernel/.exec(
      tdErr,
    );
  const final = countPcap(pcap);
  const captureMs = performance.now() - started;
  if (final.count < opt.packets) {
    note(
      `the loopback capture holds only ${fmtInt(final.count)} packets (< ${fmtInt(opt.packets)}) after ${rounds.length} rounds, so the trace is generated`,
    );
    return null;
  }
  const dropped = stats ? Number(stats[3]) : null;
  if (dropped)
    note(
      `tcpdump reports ${fmtInt(dropped)} packets dropped by the kernel during the capture (they are simply absent from the trace)`,
    );
  log(
    `  captured ${fmtInt(final.count)} packets in ${fmtMs(captureMs)}; rendering: TZ=UTC tcpdump -nn -r ${path.relative(ROOT, pcap)} > ${path.relative(ROOT, trace)}`,
  );
  const renderMs = await renderWithTcpdump(pcap, trace);
  return {
    method: 'capture',
    description: `real loopback capture: tcpdump -i lo -s 128 'tcp port ${port}' while ${path.relative(ROOT, TRAFFIC)} ran ${rounds.length} rounds on 127.0.0.1 (${rounds.reduce((s, r) => s + r.connections, 0)} short connections, ${rounds.reduce((s, r) => s + r.bulk, 0)} bulk transfers); rendered with TZ=UTC tcpdump -nn -r`,
    pcapPackets: final.count,
    droppedByKernel: dropped,
    rounds,
    buildMs: Math.round(captureMs + renderMs),
  };
}

async function renderWithTcpdump(pcap, trace) {
  const t0 = performance.now();
  const r = await timedRun('tcpdump', ['-nn', '-r', pcap], {
    stdoutFile: trace,
    env: { ...process.env, TZ: 'UTC' },
  });
  if (r.code !== 0) throw new Error(`tcpdump -nn -r ${pcap} failed: ${r.stderr.trim()}`);
  return performance.now() - t0;
}

async function generate(pcap, trace) {
  const { generateTrace } = await import('./bench/generate-trace.mjs');
  const t0 = performance.now();
  const withTcpdump = hasCmd('tcpdump');
  log(
    `  generating >= ${fmtInt(opt.packets)} packets (scripts/bench/generate-trace.mjs): pcap + tcpdump -nn text${withTcpdump ? ' (text rendered by tcpdump from the pcap)' : ''}`,
  );
  const g = generateTrace({ minPackets: opt.packets, pcapPath: pcap, tracePath: trace, text: !withTcpdump });
  if (withTcpdump) await renderWithTcpdump(pcap, trace);
  return {
    method: 'generated',
    description: `generated: ${fmtInt(g.connections)} simulated connections (${g.bulk} bulk) with handshakes and options, relative numbers, ACKs, losses with SACK dup ACKs and fast retransmissions, RTO and spurious retransmissions, zero windows and window updates, FIN and RST closes; written as a pcap and as tcpdump -nn text (${withTcpdump ? 'rendered by tcpdump' : 'by the generator, in tcpdump 4.99 form'})`,
    pcapPackets: g.packets,
    droppedByKernel: null,
    buildMs: Math.round(performance.now() - t0),
  };
}

const metaFileOf = (method) => path.join(CACHE, `${method}.meta.json`);

/** A cached trace of `method` that still matches its files and this run's --packets, or null. */
function cachedTrace(method) {
  let meta;
  try {
    meta = JSON.parse(fs.readFileSync(metaFileOf(method), 'utf8'));
  } catch {
    return null;
  }
  const same = (file, bytes) => file && fs.existsSync(file) && fs.statSync(file).size === bytes;
  if (meta.method !== method || meta.minPackets !== opt.packets || !same(meta.trace, meta.traceBytes))
    return null;
  if (meta.pcap && !same(meta.pcap, meta.pcapBytes)) return null;
  return meta;
}

async function buildTrace() {
  fs.mkdirSync(CACHE, { recursive: true });
  if (!opt.rebuild) {
    // The capture is preferred; a generated trace is reused by --generate, or when it was made because
    // capturing was not possible (--rebuild tries the capture again).
    const capture = opt.generate ? null : cachedTrace('capture');
    const generated = cachedTrace('generated');
    const meta = capture ?? (generated && (opt.generate || generated.fallbackReason) ? generated : null);
    if (meta) {
      log(`trace: cached (${meta.method}, built ${meta.created}); --rebuild builds it again`);
      if (meta.fallbackReason) note(`generated trace, reused: ${meta.fallbackReason}`);
      return { ...meta, cached: true };
    }
  }
  log(`trace: building${opt.rebuild ? ' (--rebuild)' : ''}`);
  let made = null;
  let pcap;
  let trace;
  let fallbackReason = null;
  const notesBefore = notes.length;
  if (!opt.generate && hasCmd('tcpdump')) {
    pcap = path.join(CACHE, 'capture.pcap');
    trace = path.join(CACHE, 'capture.trace');
    made = await captureLoopback(pcap, trace);
    if (!made) fallbackReason = notes.slice(notesBefore).join('; ') || 'the capture failed';
  } else if (!opt.generate) {
    fallbackReason = 'tcpdump is not installed: the trace is generated instead of captured';
    note(fallbackReason);
  }
  if (!made) {
    pcap = path.join(CACHE, 'generated.pcap');
    trace = path.join(CACHE, 'generated.trace');
    made = await generate(pcap, trace);
  }
  const meta = {
    ...made,
    fallbackReason,
    minPackets: opt.packets,
    created: new Date().toISOString(),
    trace,
    traceBytes: fs.statSync(trace).size,
    traceLines: countLines(trace),
    pcap,
    pcapBytes: fs.statSync(pcap).size,
  };
  fs.writeFileSync(metaFileOf(made.method), `${JSON.stringify(meta, null, 2)}\n`);
  log(`  built in ${fmtMs(made.buildMs)}`);
  return { ...meta, cached: false };
}

// ---- main --------------------------------------------------------------------------------------
const loadStart = os.loadavg()[0];
// What was measured: the commit, and whether the analyser's sources differ from it (read-only git).
const git = (() => {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  if (head.status !== 0) return null;
  const diff = spawnSync('git', ['diff', '--quiet', 'HEAD', '--', 'server'], { cwd: ROOT });
  return { commit: head.stdout.trim(), serverChanged: diff.status === 1 };
})();
log(
  `Packet Trace Annotator benchmark${git ? ` at ${git.commit}${git.serverChanged ? ' (server/ has uncommitted changes)' : ''}` : ''}: node ${process.version}, ${os.cpus().length} cores, ${fmtInt(os.totalmem() / 2 ** 30)} GiB, ${os.release()}, load average ${loadStart.toFixed(2)}`,
);
if (loadStart > os.cpus().length * 0.5)
  note(
    `the machine is busy (1-minute load average ${loadStart.toFixed(2)} on ${os.cpus().length} cores): timings will be noisy`,
  );
fs.mkdirSync(OUT, { recursive: true });

// 0. The bundle, built from the current sources.
if (!opt.build) {
  if (!fs.existsSync(CLI)) fail('--no-build, but there is no dist/cli.js');
  log('build: skipped (--no-build), measuring dist/cli.js as it is');
} else {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0 || !fs.existsSync(CLI)) fail('node esbuild.mjs failed: no dist/cli.js to measure');
  log(`build: node esbuild.mjs -> dist/cli.js in ${fmtMs(performance.now() - t0)}`);
}

// 1. The trace.
const tr = await buildTrace();
const packets = tr.traceLines;
const traceMB = MB(tr.traceBytes);
log(
  `  ${path.relative(ROOT, tr.trace)}: ${fmtInt(packets)} lines (packets), ${traceMB.toFixed(1)} MB; ${path.relative(ROOT, tr.pcap)}: ${fmtInt(tr.pcapPackets)} packets, ${MB(tr.pcapBytes).toFixed(1)} MB`,
);
if (packets < opt.packets)
  note(`the trace has ${fmtInt(packets)} lines, fewer than the ${fmtInt(opt.packets)} asked for`);

// 2. The CLI.
const useTime = !opt.rssWrapper && fs.existsSync('/usr/bin/time');
const rssWrapper = path.join(OUT, 'rss-wrapper.cjs');
const rssFile = path.join(OUT, 'rss.json');
if (!useTime) {
  // Portable peak RSS: run the bundle inside a wrapper that records process.resourceUsage() at exit.
  fs.writeFileSync(
    rssWrapper,
    `'use strict';
const fs = require('node:fs');
const [cli, out, ...args] = process.argv.slice(2);
process.argv = [process.argv[0], cli, ...args];
process.on('exit', () => {
  const u = process.resourceUsage();
  fs.writeFileSync(out, JSON.stringify({ maxRSS: u.maxRSS, user: u.userCPUTime, system: u.systemCPUTime }));
});
require(cli);
`,
  );
}
const cliOut = path.join(OUT, 'cli-output.json');
log(
  `\ncli: node dist/cli.js check --format json ${path.relative(ROOT, tr.trace)} (best of ${opt.runs}; peak RSS via ${useTime ? '/usr/bin/time -v' : 'process.resourceUsage() in a wrapper'})`,
);
const cli = await bestOf('cli', opt.runs, async () => {
  fs.rmSync(rssFile, { force: true });
  const args = useTime
    ? [CLI, 'check', '--format', 'json', tr.trace]
    : [rssWrapper, CLI, rssFile, 'check', '--format', 'json', tr.trace];
  const r = await timedRun(process.execPath, args, { stdoutFile: cliOut, useTime, rssFile });
  if (r.code !== 0 && r.code !== 1)
    fail(`the CLI exited ${r.code ?? r.signal}: ${r.stderr.trim().slice(-2000)}`);
  return r;
});
let cliReport = null;
try {
  const j = JSON.parse(fs.readFileSync(cliOut, 'utf8'));
  const f = j.files[0];
  const byCode = {};
  for (const d of f.diagnostics) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
  cliReport = {
    connections: f.connections.length,
    diagnostics: f.diagnostics.length,
    byCode,
    outputBytes: fs.statSync(cliOut).size,
  };
  const top = Object.entries(byCode)
    .sort((a, b) => b[1] - a[1])
    .map(([c, n]) => `${c} ${fmtInt(n)}`)
    .join(', ');
  log(
    `  report: ${fmtInt(cliReport.connections)} connections, ${fmtInt(cliReport.diagnostics)} diagnostics (${top || 'none'}), ${MB(cliReport.outputBytes).toFixed(1)} MB of JSON`,
  );
} catch (e) {
  note(`could not read the CLI's JSON report: ${e.message}`);
}

// 3. Baseline: bare read-and-split-lines in a child Node process.
const BASELINE = `const fs = require('node:fs'); const t = fs.readFileSync(process.argv[1], 'utf8'); const n = t.split('\\n').length; process.stdout.write(String(n) + '\\n');`;
log(`\nbaseline: node -e "readFileSync(FILE, 'utf8').split('\\n').length" (best of ${opt.runs})`);
const baseline = await bestOf('baseline', opt.runs, async () => {
  const r = await timedRun(process.execPath, ['-e', BASELINE, tr.trace], { useTime });
  if (r.code !== 0) fail(`the baseline exited ${r.code ?? r.signal}: ${r.stderr.trim().slice(-2000)}`);
  return r;
});

// 4. tshark on the same traffic as pcap.
let tshark = null;
let tsharkSkip = null;
let tsharkExpert = null;
if (!opt.tshark) tsharkSkip = 'skipped (--no-tshark)';
else if (!hasCmd('tshark')) tsharkSkip = 'skipped: tshark is not installed (apt-get install tshark)';
else if (!tr.pcap || !fs.existsSync(tr.pcap)) tsharkSkip = 'skipped: there is no pcap of this trace';
if (tsharkSkip) note(`tshark comparison ${tsharkSkip}`);
else {
  const tsharkOut = path.join(OUT, 'tshark-expert.txt');
  if (tr.method === 'generated')
    note('tshark reads the pcap the generator wrote for the same packets (text2pcap is not needed)');
  log(
    `\ntshark: tshark -r ${path.relative(ROOT, tr.pcap)} -q -z expert (best of ${opt.runs}, or 1 run when it takes > ${fmtMs(TSHARK_SLOW_MS)})`,
  );
  tshark = await bestOf(
    'tshark',
    opt.runs,
    async () => {
      const r = await timedRun('tshark', ['-r', tr.pcap, '-q', '-z', 'expert'], {
        stdoutFile: tsharkOut,
        useTime,
      });
      if (r.code !== 0) fail(`tshark exited ${r.code ?? r.signal}: ${r.stderr.trim().slice(-2000)}`);
      return r;
    },
    { slowMs: TSHARK_SLOW_MS },
  );
  // The expert summary: "Errors (N)", "Warns (N)", "Notes (N)", "Chats (N)" headings.
  const txt = fs.readFileSync(tsharkOut, 'utf8');
  tsharkExpert = {};
  for (const m of txt.matchAll(/^(Errors|Warns|Notes|Chats|Comments) \((\d+)\)/gm))
    tsharkExpert[m[1]] = Number(m[2]);
  log(
    `  expert info: ${
      Object.entries(tsharkExpert)
        .map(([k, v]) => `${k} ${fmtInt(v)}`)
        .join(', ') || 'none'
    }`,
  );
}

// 5. The table and bench.json.
const cliS = cli.best.ms / 1000;
const figures = {
  packets,
  traceMB: round(traceMB, 1),
  cliBestMs: round(cli.best.ms, 0),
  cliRunsMs: cli.all.map((r) => round(r.ms, 0)),
  packetsPerSecond: Math.round(packets / cliS),
  mbPerSecond: round(traceMB / cliS, 2),
  cliPeakRssMiB: cli.peakRssKiB ? round(cli.peakRssKiB / 1024, 0) : null,
  cliCpuS: cli.best.userS !== null ? round(cli.best.userS + cli.best.sysS, 2) : null,
  baselineBestMs: round(baseline.best.ms, 0),
  baselineRunsMs: baseline.all.map((r) => round(r.ms, 0)),
  baselinePeakRssMiB: baseline.peakRssKiB ? round(baseline.peakRssKiB / 1024, 0) : null,
  ratioCliToBaseline: round(cli.best.ms / baseline.best.ms, 2),
  tsharkBestMs: tshark ? round(tshark.best.ms, 0) : null,
  tsharkRunsMs: tshark ? tshark.all.map((r) => round(r.ms, 0)) : null,
  tsharkPeakRssMiB: tshark?.peakRssKiB ? round(tshark.peakRssKiB / 1024, 0) : null,
  ratioTsharkToCli: tshark ? round(tshark.best.ms / cli.best.ms, 2) : null,
};
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'PASS' : 'MISS');
const targets = {
  cliVsBaseline: {
    target: `<= ${TARGET_BASELINE_RATIO}x`,
    value: figures.ratioCliToBaseline,
    result: verdict(figures.ratioCliToBaseline <= TARGET_BASELINE_RATIO),
  },
  tsharkVsCli: {
    target: `>= ${TARGET_TSHARK_RATIO}x (aim ${AIM_TSHARK_RATIO}x)`,
    value: figures.ratioTsharkToCli,
    result: tshark ? verdict(figures.ratioTsharkToCli >= TARGET_TSHARK_RATIO) : 'SKIP',
    aim: tshark ? verdict(figures.ratioTsharkToCli >= AIM_TSHARK_RATIO) : 'SKIP',
  },
};
const totalMs = performance.now() - benchStart;

const rows = [
  ['trace', tr.method === 'capture' ? 'real loopback capture' : 'generated', '', ''],
  ['packets', fmtInt(packets), '>= ' + fmtInt(opt.packets), verdict(packets >= opt.packets)],
  ['trace size', `${traceMB.toFixed(1)} MB`, '', ''],
  ['cli wall time (best)', fmtMs(cli.best.ms), '', ''],
  ['cli packets/s', fmtInt(figures.packetsPerSecond), '', ''],
  ['cli MB/s', figures.mbPerSecond.toFixed(2), '', ''],
  ['cli CPU time (user+sys)', figures.cliCpuS !== null ? `${figures.cliCpuS.toFixed(2)} s` : 'n/a', '', ''],
  ['cli peak RSS', figures.cliPeakRssMiB !== null ? `${fmtInt(figures.cliPeakRssMiB)} MiB` : 'n/a', '', ''],
  ['read-and-split (best)', fmtMs(baseline.best.ms), '', ''],
  [
    'cli / read-and-split',
    `${figures.ratioCliToBaseline.toFixed(2)}x`,
    targets.cliVsBaseline.target,
    targets.cliVsBaseline.result,
  ],
  ['tshark -z expert (best)', tshark ? fmtMs(tshark.best.ms) : 'skipped (see note)', '', ''],
  [
    'tshark / cli',
    tshark ? `${figures.ratioTsharkToCli.toFixed(2)}x` : 'n/a',
    targets.tsharkVsCli.target,
    targets.tsharkVsCli.result,
  ],
  ['bench run time', fmtMs(totalMs), '', ''],
];
const w = [0, 1, 2, 3].map((i) =>
  Math.max(...rows.map((r) => String(r[i]).length), ['figure', 'value', 'target', 'result'][i].length),
);
const line = (r) =>
  r
    .map((c, i) => String(c).padEnd(w[i]))
    .join('  ')
    .trimEnd();
log('');
log(line(['figure', 'value', 'target', 'result']));
log(line(w.map((n) => '-'.repeat(n))));
for (const r of rows) log(line(r));
if (tshark) log(`(aim ${AIM_TSHARK_RATIO}x against tshark: ${targets.tsharkVsCli.aim})`);
log(`load average: ${loadStart.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`);
for (const n of notes) log(`note: ${n}`);

const json = {
  version: 1,
  date: new Date().toISOString(),
  git,
  machine: {
    node: process.version,
    cores: os.cpus().length,
    memGiB: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()}`,
  },
  trace: {
    method: tr.method,
    description: tr.description,
    cached: tr.cached,
    created: tr.created,
    file: path.relative(ROOT, tr.trace),
    bytes: tr.traceBytes,
    lines: tr.traceLines,
    pcap: tr.pcap ? path.relative(ROOT, tr.pcap) : null,
    pcapPackets: tr.pcapPackets,
    droppedByKernel: tr.droppedByKernel,
    buildMs: round(tr.buildMs, 0),
  },
  command: `node dist/cli.js check --format json ${path.relative(ROOT, tr.trace)}`,
  runs: opt.runs,
  figures,
  targets,
  cliReport,
  tsharkExpert,
  tsharkSkipped: tsharkSkip,
  notes,
  loadAverage: { start: round(loadStart, 2), end: round(os.loadavg()[0], 2) },
  totalMs: round(totalMs, 0),
};
fs.writeFileSync(path.join(OUT, 'bench.json'), `${JSON.stringify(json, null, 2)}\n`);
log(`\nwrote ${path.relative(ROOT, path.join(OUT, 'bench.json'))}`);

// The other benches share this trace: the language server over stdio (issue #3) and, when present,
// the ladder in Chromium and the capture renderer. Each prints its own figures.
for (const [name, file, extra] of [
  [
    'analysis stages',
    'scripts/bench/stage-times.mjs',
    ['--trace', tr.trace, '--json', path.join(OUT, 'stage-times.json')],
  ],
  ['language server', 'scripts/bench/lsp-bench.mjs', ['--json', path.join(OUT, 'lsp-bench.json')]],
  ['ladder diagram', 'scripts/bench/ladder-bench.mjs', []],
  ['capture renderer', 'scripts/bench/capture-bench.mjs', []],
]) {
  if (!fs.existsSync(path.join(ROOT, file))) continue;
  log(`\n${name}: node ${file}`);
  spawnSync(process.execPath, [file, ...extra], { cwd: ROOT, stdio: 'inherit' });
}
