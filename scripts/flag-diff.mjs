#!/usr/bin/env node
// Where the CLI and tshark disagree, capture by capture: for each capture folder in the corpus layout
// (oracle.tsv beside the renderings, as ../shared/corpus and scripts/differential.mjs write them),
// the Wireshark flags the CLI added (FP) or missed (FN) on one rendering, with their frames. The
// project's scorer (../shared/tools/score.mjs) gives the totals; this says which capture and frame
// to look at first. Fast and spurious retransmissions count as retransmissions too, as the scorer
// counts them; a finding on a -v record's second line counts for its record.
//   node scripts/flag-diff.mjs DIR [--rendering nn] [--only NAME] [--cli PATH]
// DIR: a folder of capture folders. --only keeps the captures whose name contains NAME; --cli runs
// another build's CLI (default: this checkout's bin/packet-trace.js).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { option } from './bench/stages.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dir = args[0];
if (!dir || dir.startsWith('--') || !fs.existsSync(dir)) {
  console.error('usage: node scripts/flag-diff.mjs DIR [--rendering nn] [--only NAME] [--cli PATH]');
  process.exit(2);
}
const rendering = option(args, '--rendering', 'nn');
const only = option(args, '--only', '');
const cli = path.resolve(option(args, '--cli', path.join(ROOT, 'bin/packet-trace.js')));

/** The oracle's tcp.analysis columns and the CLI's codes for them. */
const FLAGS = {
  retransmission: 'tcp.retransmission',
  fast_retransmission: 'tcp.fast-retransmission',
  spurious_retransmission: 'tcp.spurious-retransmission',
  out_of_order: 'tcp.out-of-order',
  lost_segment: 'tcp.lost-segment',
  ack_lost_segment: 'tcp.ack-unseen-segment',
  duplicate_ack: 'tcp.dup-ack',
  zero_window: 'tcp.zero-window',
  zero_window_probe: 'tcp.zero-window-probe',
  zero_window_probe_ack: 'tcp.zero-window-probe-ack',
  window_full: 'tcp.window-full',
  window_update: 'tcp.window-update',
  keep_alive: 'tcp.keep-alive',
  keep_alive_ack: 'tcp.keep-alive-ack',
  reused_ports: 'tcp.port-reused',
};
const IMPLIES = {
  'tcp.fast-retransmission': 'tcp.retransmission',
  'tcp.spurious-retransmission': 'tcp.retransmission',
};

const captures = fs
  .readdirSync(dir)
  .filter((c) => c.includes(only) && fs.existsSync(path.join(dir, c, 'oracle.tsv')))
  .filter((c) => fs.existsSync(path.join(dir, c, `${rendering}.trace`)))
  .sort();

/** The CLI's JSON report of these files (exit 1 means it found errors: still a report). */
function report(files) {
  try {
    return JSON.parse(
      execFileSync(process.execPath, [cli, 'check', '--format', 'json', ...files], { maxBuffer: 1 << 30 }),
    );
  } catch (e) {
    if (e.stdout?.length) return JSON.parse(e.stdout);
    throw e;
  }
}

const totals = new Map();
let shown = 0;
for (let i = 0; i < captures.length; i += 50) {
  const batch = captures.slice(i, i + 50);
  const { files } = report(batch.map((c) => path.join(dir, c, `${rendering}.trace`)));
  batch.forEach((capture, k) => {
    const [header, ...rows] = fs
      .readFileSync(path.join(dir, capture, 'oracle.tsv'), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    const lineColumn = header.indexOf(`line:${rendering}`);
    const columns = Object.entries(FLAGS).map(([name, code]) => [
      header.indexOf(`tcp.analysis.${name}`),
      code,
    ]);
    // Frames by their record's first line, in line order, to find the record a line belongs to.
    const starts = rows
      .map((r) => ({ line: Number(r[lineColumn]), frame: Number(r[0]) }))
      .filter((s) => s.line > 0)
      .sort((a, b) => a.line - b.line);
    const frameOf = (line) => {
      let lo = 0;
      let hi = starts.length - 1;
      let found;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid].line <= line) [found, lo] = [starts[mid].frame, mid + 1];
        else hi = mid - 1;
      }
      return found;
    };
    const want = new Map(
      rows.map((r) => [Number(r[0]), new Set(columns.filter(([c]) => r[c]).map(([, code]) => code))]),
    );
    const got = new Map();
    for (const d of files[k].diagnostics) {
      if (!d.code.startsWith('tcp.')) continue;
      const frame = frameOf(d.line);
      if (frame === undefined) continue;
      const set = got.get(frame) ?? new Set();
      set.add(d.code);
      if (IMPLIES[d.code]) set.add(IMPLIES[d.code]);
      got.set(frame, set);
    }
    const errors = new Map();
    const note = (kind, code, frame) => {
      const key = `${kind} ${code}`;
      errors.set(key, [...(errors.get(key) ?? []), frame]);
    };
    for (const [frame, codes] of want) {
      const mine = got.get(frame) ?? new Set();
      for (const code of codes) if (!mine.has(code)) note('FN', code, frame);
      for (const code of mine) if (!codes.has(code)) note('FP', code, frame);
    }
    for (const [key, frames] of errors) {
      totals.set(key, (totals.get(key) ?? 0) + frames.length);
      console.log(
        `${capture.padEnd(40)} ${key.padEnd(34)} ${String(frames.length).padStart(5)}  frames ${frames.slice(0, 8).join(',')}${frames.length > 8 ? ',...' : ''}`,
      );
      shown++;
    }
  });
}
console.log(
  `\n${captures.length} captures, ${rendering} rendering: ${shown ? 'flags the CLI added (FP) or missed (FN)' : 'no disagreement'}`,
);
for (const [key, n] of [...totals].sort((a, b) => b[1] - a[1])) console.log(`  ${key.padEnd(34)} ${n}`);
