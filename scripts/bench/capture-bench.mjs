#!/usr/bin/env node
// Rendering throughput of the capture reader against tcpdump on the same file: `packet-trace render
// FILE > /dev/null` and `tcpdump -nn -r FILE > /dev/null`, each in a child process, best of N runs
// (wall clock, process start included). Prints packets/s of both and the ratio tcpdump time / ours
// (1 or more: no slower than tcpdump, the target). Measures only; exits 0 whenever it could measure.
//
//   node scripts/bench/capture-bench.mjs [--file PCAP] [--runs N] [--no-build] [--json PATH]
//
// The capture is bench-results/cache/capture.pcap, which `node scripts/bench.mjs` (npm run bench) makes:
// a real loopback capture of at least 500 000 packets. scripts/bench.mjs can call this script after its
// own measurements: `spawnSync(process.execPath, ['scripts/bench/capture-bench.mjs', '--no-build'])`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const argv = process.argv.slice(2);
const opt = {
  file: path.join(ROOT, 'bench-results', 'cache', 'capture.pcap'),
  runs: 3,
  build: true,
  json: path.join(ROOT, 'bench-results', 'capture-bench.json'),
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--file') opt.file = path.resolve(argv[++i] ?? '');
  else if (a === '--runs') opt.runs = Math.max(1, Number(argv[++i]) || 3);
  else if (a === '--no-build') opt.build = false;
  else if (a === '--json') opt.json = path.resolve(argv[++i] ?? '');
  else {
    console.error(`capture-bench: unknown argument '${a}'`);
    process.exit(2);
  }
}

if (!fs.existsSync(opt.file)) {
  console.log(`capture-bench: no capture at ${path.relative(ROOT, opt.file)}.`);
  console.log(
    'Make it with `node scripts/bench.mjs` (npm run bench): it captures at least 500 000 packets of',
  );
  console.log('loopback traffic with tcpdump into bench-results/cache/capture.pcap (or generates them where');
  console.log('capturing is not possible). Or pass another capture with --file PCAP.');
  process.exit(0);
}

if (opt.build) {
  const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

/** Packets in a pcap (walking the record headers) or, for pcapng, counted by our renderer's lines. */
function countPackets(file) {
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(24);
  fs.readSync(fd, head, 0, 24, 0);
  const magic = head.readUInt32LE(0);
  const little = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const big = head.readUInt32BE(0) === 0xa1b2c3d4 || head.readUInt32BE(0) === 0xa1b23c4d;
  if (!little && !big) {
    fs.closeSync(fd);
    return undefined;
  }
  const size = fs.fstatSync(fd).size;
  const rec = Buffer.alloc(16);
  let off = 24;
  let n = 0;
  while (off + 16 <= size) {
    fs.readSync(fd, rec, 0, 16, off);
    const caplen = little ? rec.readUInt32LE(8) : rec.readUInt32BE(8);
    off += 16 + caplen;
    if (off <= size) n++;
  }
  fs.closeSync(fd);
  return n;
}

/** Best wall-clock time of `runs` runs of a command with stdout to /dev/null. */
function best(cmd, args, runs) {
  let min = Infinity;
  let status = 0;
  let stderr = '';
  for (let i = 0; i < runs; i++) {
    const out = fs.openSync('/dev/null', 'w');
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, {
      cwd: ROOT,
      stdio: ['ignore', out, 'pipe'],
      env: { ...process.env, TZ: 'UTC' },
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    fs.closeSync(out);
    if (r.error) return { error: r.error.message };
    status = r.status ?? 1;
    stderr = r.stderr.toString();
    min = Math.min(min, ms);
  }
  return { ms: min, status, stderr };
}

const size = fs.statSync(opt.file).size;
let packets = countPackets(opt.file);
if (packets === undefined) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'packet-trace.js'), 'render', opt.file], {
    maxBuffer: 1 << 30,
  });
  packets = r.stdout
    .toString('latin1')
    .split('\n')
    .filter((l) => l && !l.startsWith('\t') && !l.startsWith('#')).length;
}
console.log(
  `capture: ${path.relative(ROOT, opt.file)} (${(size / 1e6).toFixed(1)} MB, ${packets} packets), best of ${opt.runs}`,
);

const ours = best(
  process.execPath,
  [path.join(ROOT, 'bin', 'packet-trace.js'), 'render', opt.file],
  opt.runs,
);
if (ours.error || ours.status !== 0) {
  console.error(`capture-bench: packet-trace render failed: ${ours.error ?? ours.stderr}`);
  process.exit(1);
}
const tcpdump = best('tcpdump', ['-nn', '-r', opt.file], opt.runs);
const haveTcpdump = !tcpdump.error && tcpdump.status === 0;

const pps = (ms) => Math.round(packets / (ms / 1000));
const rows = [['packet-trace render', ours.ms, pps(ours.ms)]];
if (haveTcpdump) rows.push(['tcpdump -nn -r', tcpdump.ms, pps(tcpdump.ms)]);
for (const [name, ms, rate] of rows)
  console.log(
    `  ${name.padEnd(22)} ${(ms / 1000).toFixed(3).padStart(8)} s  ${String(rate).padStart(10)} packets/s`,
  );
const result = {
  file: path.relative(ROOT, opt.file),
  bytes: size,
  packets,
  runs: opt.runs,
  oursMs: Math.round(ours.ms),
  oursPacketsPerSecond: pps(ours.ms),
  created: new Date().toISOString(),
};
if (haveTcpdump) {
  const ratio = tcpdump.ms / ours.ms;
  Object.assign(result, {
    tcpdumpMs: Math.round(tcpdump.ms),
    tcpdumpPacketsPerSecond: pps(tcpdump.ms),
    ratio: Number(ratio.toFixed(2)),
  });
  console.log(
    `  ratio (tcpdump time / ours): ${ratio.toFixed(2)}  target >= 1 (no slower than tcpdump): ${ratio >= 1 ? 'PASS' : 'MISS'}`,
  );
} else console.log('  tcpdump is not installed: no ratio');
fs.mkdirSync(path.dirname(opt.json), { recursive: true });
fs.writeFileSync(opt.json, `${JSON.stringify(result, null, 2)}\n`);
