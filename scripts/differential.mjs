#!/usr/bin/env node
// Any capture judged against Wireshark, the way the project's corpus is: each pcap is rendered by
// tcpdump with the corpus's eleven flag sets, tshark's per-frame verdicts go into an oracle.tsv with
// each frame's first line in every rendering, and the corpus scorer (../shared/tools/score.mjs) then
// compares the CLI's answers with them. For captures the corpus does not have (new traffic, other
// kernels, crafted edge cases): the project is judged on captures it does not see.
//   node scripts/differential.mjs [--out DIR] [--renderings a,b] [--frames N|A-B] [--score] PCAP...
// DIR (default bench-results/differential) gets a folder per pcap in the corpus's layout (see
// ../shared/corpus/README.md). --frames keeps the first N frames, or frames A-B
// (editcap: a slice from the middle starts mid-connection). --score runs the scorer
// on DIR with --verbose afterwards. Needs tcpdump, tshark and editcap (apt-get install tcpdump tshark).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SCORER = path.resolve(ROOT, '../shared/tools/score.mjs');

/** The corpus's renderings: file name -> tcpdump flags (../shared/corpus/README.md). */
const RENDERINGS = {
  default: [],
  n: ['-n'],
  nn: ['-nn'],
  'tttt-nn': ['-tttt', '-nn'],
  'S-nn': ['-S', '-nn'],
  'v-nn': ['-v', '-nn'],
  'vv-nn': ['-vv', '-nn'],
  'e-nn': ['-e', '-nn'],
  'q-nn': ['-q', '-nn'],
  'A-nn': ['-A', '-nn'],
  'X-nn': ['-X', '-nn'],
};

/** tshark's analysis flags, in the corpus oracle's column order. */
const FLAGS = [
  ['retransmission', 'tcp.retransmission'],
  ['fast_retransmission', 'tcp.fast-retransmission'],
  ['spurious_retransmission', 'tcp.spurious-retransmission'],
  ['out_of_order', 'tcp.out-of-order'],
  ['lost_segment', 'tcp.lost-segment'],
  ['ack_lost_segment', 'tcp.ack-unseen-segment'],
  ['duplicate_ack', 'tcp.dup-ack'],
  ['zero_window', 'tcp.zero-window'],
  ['zero_window_probe', 'tcp.zero-window-probe'],
  ['zero_window_probe_ack', 'tcp.zero-window-probe-ack'],
  ['window_full', 'tcp.window-full'],
  ['window_update', 'tcp.window-update'],
  ['keep_alive', 'tcp.keep-alive'],
  ['keep_alive_ack', 'tcp.keep-alive-ack'],
  ['reused_ports', 'tcp.port-reused'],
];

const args = process.argv.slice(2);
const valueOf = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const out = path.resolve(valueOf('--out') ?? path.join(ROOT, 'bench-results/differential'));
const only = valueOf('--renderings')?.split(',');
const frames = valueOf('--frames');
const scoreAfter = args.includes('--score');
const pcaps = args.filter((a) => a !== '--score');
if (pcaps.length === 0 || pcaps.some((p) => p.startsWith('--'))) {
  console.error(
    'usage: node scripts/differential.mjs [--out DIR] [--renderings a,b] [--frames N|A-B] [--score] PCAP...',
  );
  process.exit(2);
}
for (const tool of ['tcpdump', 'tshark', 'editcap']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) {
    console.error(`differential: ${tool} is not installed (apt-get install tcpdump tshark)`);
    process.exit(2);
  }
}

/** Runs a command; its stdout as text, or an exit with its stderr. */
function run(cmd, argv, env = {}) {
  const r = spawnSync(cmd, argv, {
    encoding: 'latin1',
    maxBuffer: 4 << 30,
    env: { ...process.env, TZ: 'UTC', LC_ALL: 'C', ...env },
  });
  if (r.status !== 0) {
    console.error(`differential: ${cmd} ${argv.join(' ')} failed: ${(r.stderr ?? String(r.error)).trim()}`);
    process.exit(2);
  }
  return r.stdout;
}

/** Whether a network namespace without a network can be made here (see render). */
const noNet = spawnSync('unshare', ['-n', 'true']).status === 0;

/**
 * Renders `pcap` with `flags`, and the line (1-based) where each frame's record starts: the lines
 * `-#` changes are exactly the records' first lines (dump lines stay as they are). Names are looked
 * up in a network namespace without a network where one can be made, so a default rendering never
 * waits on DNS.
 */
function render(pcap, flags) {
  const tcpdump = (extra) =>
    noNet
      ? run('unshare', ['-n', 'tcpdump', ...extra, ...flags, '-r', pcap])
      : run('tcpdump', [...extra, ...flags, '-r', pcap]);
  const text = tcpdump([]);
  const plain = text.split('\n');
  const numbered = tcpdump(['-#']).split('\n');
  const starts = [];
  for (let i = 0; i < plain.length; i++) if (plain[i] !== numbered[i]) starts.push(i + 1);
  return { text, starts };
}

/** tcp.flags (hex) as tcpdump writes them, as the corpus's flagstr column has them (`S.`, `FP.`, `none`). */
function flagString(hex) {
  const f = Number.parseInt(hex, 16);
  if (Number.isNaN(f)) return '';
  const s = [...'FSRP.UEW'].filter((_, bit) => f & (1 << bit)).join('') + (f & 0x100 ? 'e' : '');
  return s || 'none';
}

function oracle(pcap, lineColumns) {
  const fields = [
    'frame.number',
    'frame.time_relative',
    'tcp.stream',
    'ip.src',
    'ipv6.src',
    'tcp.srcport',
    'ip.dst',
    'ipv6.dst',
    'tcp.dstport',
    'tcp.flags',
    'tcp.seq',
    'tcp.ack',
    'tcp.seq_raw',
    'tcp.ack_raw',
    'tcp.len',
    'tcp.window_size',
    'tcp.analysis.flags',
    ...FLAGS.map(([f]) => `tcp.analysis.${f}`),
    'tcp.completeness',
  ];
  const rows = run('tshark', [
    '-r',
    pcap,
    '-2',
    '-n',
    '-T',
    'fields',
    '-E',
    'separator=/t',
    '-E',
    'occurrence=l',
    ...fields.flatMap((f) => ['-e', f]),
  ])
    .split('\n')
    .filter((l) => l.length > 0);
  const header = [
    'frame',
    'time',
    'stream',
    'src',
    'sport',
    'dst',
    'dport',
    'flags',
    'flagstr',
    'seq',
    'ack',
    'seq_raw',
    'ack_raw',
    'len',
    'win',
    'tcp.analysis.flags',
    ...FLAGS.map(([f]) => `tcp.analysis.${f}`),
    'tcp.completeness',
    'codes',
    ...Object.keys(lineColumns).map((r) => `line:${r}`),
  ];
  const body = rows.map((row, k) => {
    const v = row.split('\t');
    const [frame, time, stream, ip4s, ip6s, sport, ip4d, ip6d, dport, flags, ...rest] = v;
    const isTcp = stream !== '';
    const flagCells = rest.slice(7, 7 + FLAGS.length);
    const codes = FLAGS.filter((_, i) => flagCells[i]).map(([, code]) => code);
    return [
      frame,
      time,
      stream,
      isTcp ? ip4s || ip6s : '',
      sport,
      isTcp ? ip4d || ip6d : '',
      dport,
      flags,
      isTcp ? flagString(flags) : '',
      ...rest.slice(0, 6),
      ...rest.slice(6),
      codes.join(','),
      ...Object.values(lineColumns).map((starts) => starts[k] ?? ''),
    ].join('\t');
  });
  return `${header.join('\t')}\n${body.join('\n')}\n`;
}

fs.mkdirSync(out, { recursive: true });
for (const source of pcaps) {
  // A corpus-style capture.pcap is named after its folder.
  const base = path.basename(source).replace(/\.(pcap|pcapng|cap)$/i, '');
  const name = base === 'capture' ? path.basename(path.dirname(path.resolve(source))) : base;
  const dir = path.join(out, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const pcap = path.join(dir, 'capture.pcap');
  // The ground truth of a corpus-style folder (craft.py writes one) goes with its capture, unless
  // only some of its frames do.
  const labels = path.join(path.dirname(source), 'labels.json');
  if (base === 'capture' && !frames && fs.existsSync(labels)) {
    fs.copyFileSync(labels, path.join(dir, 'labels.json'));
  }
  if (frames)
    run('editcap', ['-F', 'pcap', '-r', source, pcap, frames.includes('-') ? frames : `1-${frames}`]);
  else run('editcap', ['-F', 'pcap', source, pcap]);
  const lineColumns = {};
  let count = -1;
  for (const [rendering, flags] of Object.entries(RENDERINGS)) {
    if (only && !only.includes(rendering)) continue;
    const { text, starts } = render(pcap, flags);
    fs.writeFileSync(path.join(dir, `${rendering}.trace`), text, 'latin1');
    lineColumns[rendering] = starts;
    if (count >= 0 && starts.length !== count) {
      console.error(`differential: ${name}: ${rendering} has ${starts.length} records, others ${count}`);
    }
    count = starts.length;
  }
  fs.writeFileSync(path.join(dir, 'oracle.tsv'), oracle(pcap, lineColumns));
  console.log(
    `${path.relative(process.cwd(), dir)}: ${count} frames, ${Object.keys(lineColumns).length} renderings`,
  );
}

if (scoreAfter) {
  const r = spawnSync(
    process.execPath,
    [SCORER, '--tool', `node ${path.join(ROOT, 'bin/packet-trace.js')}`, '--verbose', out],
    { stdio: 'inherit' },
  );
  process.exit(r.status ?? 1);
}
