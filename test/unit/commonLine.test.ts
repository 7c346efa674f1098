// The flat reader of the common line (commonLine.ts) must read every line it takes exactly as the
// general reader does, and leave every other line to it: every trace of the corpus, the tests and the
// examples is parsed both ways and every record compared, field by field and span by span; then the
// common lines of the corpus, each changed in a way the flat reader must not take (or must read the
// same), are compared too. The flat reader reads each way too: with the WebAssembly reader first
// (commonLineScanner.ts), as a large file is read, and with the JavaScript one alone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { commonLineTuning } from '../../server/src/trace/commonLine';
import { COMMON_LINE_WASM } from '../../server/src/trace/commonLineWasm';
import { parseTrace, type ParsedTrace } from '../../server/src/trace/parser';
import type { PacketRecord } from '../../server/src/trace/types';

const ROOT = path.join(__dirname, '../../..');
const CORPUS = path.join(ROOT, '../shared/corpus');

function traces(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...traces(p));
    else if (entry.name.endsWith('.trace')) out.push(p);
  }
  return out.sort();
}

/** Every field of a record as the features read it. */
function snapshot(r: PacketRecord): unknown {
  return {
    index: r.index,
    kind: r.kind,
    line: r.line,
    endLine: r.endLine,
    tcpLine: r.tcpLine,
    number: r.number,
    numberSpan: r.numberSpan,
    timeKind: r.timeKind,
    timeValue: r.timeValue,
    timeSpan: r.timeSpan,
    linkText: r.linkText,
    af: r.af,
    src: r.src && { ...r.src },
    dst: r.dst && { ...r.dst },
    tuple: r.tuple,
    srcSpan: r.srcSpan,
    dstSpan: r.dstSpan,
    protocol: r.protocol,
    format: r.format,
    flags: r.flags,
    flagsSpan: r.flagsSpan,
    seq: r.seq,
    seqEnd: r.seqEnd,
    seqSpan: r.seqSpan,
    ack: r.ack,
    ackSpan: r.ackSpan,
    win: r.win,
    winSpan: r.winSpan,
    urg: r.urg,
    urgSpan: r.urgSpan,
    options: r.options,
    optionsSpan: r.optionsSpan,
    length: r.length,
    lengthSpan: r.lengthSpan,
    payloadSummary: r.payloadSummary,
    cksum: r.cksum,
    ipId: r.ipId,
    ipMissingBytes: r.ipMissingBytes,
    truncated: r.truncated,
    annotations: r.annotations,
    dump: r.dump,
  };
}

function parseBothWays(
  text: string,
  wasm = true,
): {
  general: ParsedTrace;
  flat: ParsedTrace;
  taken: number;
  headers: number;
  scanned: number;
} {
  commonLineTuning.enabled = false;
  const general = parseTrace(text);
  commonLineTuning.enabled = true;
  const minLines = commonLineTuning.minLines;
  commonLineTuning.minLines = 0;
  commonLineTuning.wasm = wasm;
  const before = commonLineTuning.taken;
  const headersBefore = commonLineTuning.headers;
  const scannedBefore = commonLineTuning.scanned;
  try {
    const flat = parseTrace(text);
    return {
      general,
      flat,
      taken: commonLineTuning.taken - before,
      headers: commonLineTuning.headers - headersBefore,
      scanned: commonLineTuning.scanned - scannedBefore,
    };
  } finally {
    commonLineTuning.minLines = minLines;
    commonLineTuning.wasm = true;
  }
}

/** Compares the parses both ways; gives how many lines the flat reader took. */
function assertSameParse(text: string, what: string): number {
  return assertSameParses(text, what).taken;
}

/**
 * assertSameParse, giving how many packet lines and -v header lines were read flat, and how many of
 * them by the WebAssembly reader. The flat reads, with it and without, are both compared.
 */
function assertSameParses(text: string, what: string): { taken: number; headers: number; scanned: number } {
  let read = { taken: 0, headers: 0, scanned: 0 };
  for (const wasm of [false, true]) {
    const { general, flat, ...counts } = parseBothWays(text, wasm);
    const how = `${what} (${wasm ? 'with' : 'without'} WebAssembly)`;
    assert.equal(flat.records.length, general.records.length, `${how}: record count`);
    assert.deepEqual(flat.problems, general.problems, `${how}: problems`);
    assert.deepEqual([...flat.endpoints.keys()], [...general.endpoints.keys()], `${how}: endpoints`);
    assert.equal(flat.tuples.count, general.tuples.count, `${how}: 4-tuples`);
    for (let i = 0; i < general.records.length; i++) {
      assert.deepEqual(snapshot(flat.records[i]!), snapshot(general.records[i]!), `${how}: record ${i}`);
    }
    if (!wasm) assert.equal(counts.scanned, 0, `${how}: no line read by WebAssembly`);
    else read = counts;
  }
  return read;
}

test('every trace reads the same with and without the flat reader of the common line', () => {
  const files = [
    ...traces(CORPUS),
    ...traces(path.join(ROOT, 'test')),
    ...traces(path.join(ROOT, 'examples')),
  ];
  assert.ok(files.length > 20, 'the corpus and the test traces are there');
  let taken = 0;
  let headers = 0;
  let scanned = 0;
  for (const file of files) {
    const read = assertSameParses(fs.readFileSync(file, 'utf8'), path.relative(ROOT, file));
    taken += read.taken;
    headers += read.headers;
    scanned += read.scanned;
  }
  // The comparison means something only if the flat reader took many lines (-v headers too), and
  // the WebAssembly reader most of its lines.
  assert.ok(taken > 10000, `the flat reader took ${taken} lines`);
  assert.ok(headers > 5000, `${headers} -v header lines were read in one pass`);
  assert.ok(scanned > taken / 2, `the WebAssembly reader read ${scanned} of them`);
});

// A file saved on Windows: its lines are read from the text as they are without CRs (TextLines with
// breaks of two characters), by the flat reader too.
test('every corpus trace with \\r\\n line breaks reads as with \\n, with the flat reader too', () => {
  let taken = 0;
  for (const file of traces(CORPUS)) {
    const text = fs.readFileSync(file, 'utf8');
    if (text.includes('\r')) continue;
    const lf = parseTrace(text);
    const { general, flat, taken: flatTaken } = parseBothWays(text.replace(/\n/g, '\r\n'));
    taken += flatTaken;
    const what = path.relative(ROOT, file);
    for (const crlf of [general, flat]) {
      assert.equal(crlf.breaks, 'crlf', what);
      assert.equal(crlf.eol, '\r\n', what);
      assert.deepEqual(crlf.lines, lf.lines, `${what}: lines`);
      assert.deepEqual(crlf.problems, lf.problems, `${what}: problems`);
      assert.equal(crlf.records.length, lf.records.length, `${what}: record count`);
      for (let i = 0; i < lf.records.length; i++)
        assert.deepEqual(snapshot(crlf.records[i]!), snapshot(lf.records[i]!), `${what}: record ${i}`);
    }
  }
  assert.ok(taken > 10000, `the flat reader took ${taken} lines`);
});

// In an -A dump, a packet line stamped more than a millisecond before the packet above it, whose dump
// has not shown its bytes yet, is payload (a trace pasted into a web page): the flat reader must leave
// it to the general one, with a clock and with -tttt's date.
test('-A payload that looks like an earlier packet line reads as payload both ways', () => {
  for (const date of ['', '2026-11-26 ']) {
    const head = (time: string, flags: string, length: number) =>
      `${date}${time} IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [${flags}], seq 1:${1 + length}, ack 1, win 1024, length ${length}`;
    const text = [
      head('12:00:01.000000', 'P.', 200),
      'E..\\..@.@.........',
      `${date}12:00:00.500000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [.], ack 1, win 1024, length 0`,
      'M...more payload',
      head('12:00:01.100000', 'P.', 40),
      'E..\\..@.@.........',
    ].join('\n');
    const { flat, taken } = parseBothWays(`${text}\n`);
    assert.ok(taken >= 2, `${date || 'clock'}: the flat reader took the packet lines (${taken})`);
    assertSameParse(`${text}\n`, date || 'clock');
    assert.equal(flat.asciiDump, true);
    assert.deepEqual(
      flat.records.map((r) => [r.line, r.endLine]),
      [
        [0, 3],
        [4, 5],
      ],
    );
  }
});

test('common lines changed in ways the flat reader must leave alone read the same both ways', () => {
  // Lines it takes, each after one line of the same head (so that the head is known).
  const common: string[] = [];
  for (const file of traces(CORPUS)) {
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (/^\d\d:\d\d:\d\d\.\d+ IP [^ ]+ > [^ ]+: Flags \[[^\]]*\], .*length \d+$/.test(line))
        common.push(line);
      if (common.length >= 400) break;
    }
    if (common.length >= 400) break;
  }
  assert.ok(common.length >= 100, `${common.length} common lines found`);
  const changes: Array<[string, (line: string) => string]> = [
    ['a field name off by one letter', (l) => l.replace(', win ', ', wim ')],
    ['a seq of 11 digits', (l) => l.replace(/seq (\d+)/, 'seq 99999999999')],
    ['a length no packet has', (l) => l.replace(/length \d+$/, 'length 999999')],
    ['text after the length', (l) => `${l}: HTTP: GET / HTTP/1.1`],
    ['no length', (l) => l.replace(/, length \d+$/, '')],
    ['fields out of order', (l) => l.replace(/, (win \d+)(.*), (length \d+)$/, '$2, $1, $3')],
    ['an urg field', (l) => l.replace(', win ', ', urg 1, win ')],
    ['a cksum', (l) => l.replace(', win ', ', cksum 0x1234 (correct), win ')],
    ['a cut header', (l) => l.replace(/, length \d+$/, ' [|tcp]')],
    ['a seq range that is not the length', (l) => l.replace(/seq (\d+):(\d+)/, 'seq $1:$1')],
    ['a nested option list', (l) => l.replace('options [', 'options [sack 1 {2:3},')],
    ['an unclosed option list', (l) => l.replace(/options \[[^\]]*\]/, 'options [nop')],
    ['an unknown flag', (l) => l.replace('Flags [', 'Flags [X')],
    ['no fraction', (l) => l.replace(/^(\d\d:\d\d:\d\d)\.\d+/, '$1')],
    ['a -tttt date before the clock', (l) => `2026-11-26 ${l}`],
    ['a date of another year and day', (l) => `1999-12-31 ${l}`],
    ['a date with a letter in it', (l) => `2026-1x-26 ${l}`],
    ['a date without its space', (l) => `2026-11-26${l}`],
    ['a date with slashes', (l) => `2026/11/26 ${l}`],
    ['a fraction of 11 digits', (l) => l.replace(/^(\d\d:\d\d:\d\d)\.\d+/, '$1.12345678901')],
    ...[1, 3, 7, 8, 9, 10].map((digits): [string, (line: string) => string] => [
      `a fraction of ${digits} digits`,
      (l) => l.replace(/^(\d\d:\d\d:\d\d)\.\d+/, `$1.${'9876543210'.slice(0, digits)}`),
    ]),
    ['an interface', (l) => l.replace(' IP ', ' eth0  In  IP ')],
    ['a time marker', (l) => l.replace(' IP ', ' (invalid us) IP ')],
    ['two spaces before the address', (l) => l.replace(' IP ', ' IP  ')],
    ['a -# number', (l) => `    1  ${l}`],
    ['a comment above', (l) => `# note\n${l}`],
    ['a letter in the time', (l) => l.replace(/^\d/, 'x')],
    // The WebAssembly reader reads bytes: a chunk with a character outside ASCII is left to the
    // JavaScript one, even one whose low byte is a digit (U+0131: 0x31, '1').
    ['a character outside ASCII', (l) => l.replace('Flags', 'Fl\u00e4gs')],
    ['a character whose low byte is a digit', (l) => l.replace(/length (\d+)$/, 'length $1\u0131')],
  ];
  // Each letter of each field name, and the space after it, replaced in turn.
  for (const field of ['seq', 'ack', 'win', 'options', 'length']) {
    for (let k = 0; k <= field.length; k++) {
      const wrong = `${field.slice(0, k)}X${field.slice(k + 1)}${k === field.length ? '' : ' '}`;
      changes.push([`'${field} ' as '${wrong}'`, (l) => l.replace(`, ${field} `, `, ${wrong}`)]);
    }
  }
  for (const [name, change] of changes) {
    const lines: string[] = [];
    for (const line of common) lines.push(line, change(line));
    assertSameParse(`${lines.join('\n')}\n`, name);
  }
});

/** `count` common lines, the k-th from the port `heads(k)` (its head), acks of one 4-tuple each. */
function commonLines(count: number, heads: (k: number) => number): string[] {
  const lines: string[] = [];
  for (let k = 0; k < count; k++) {
    const port = heads(k);
    const us = String(k % 1000000).padStart(6, '0');
    lines.push(
      `12:00:${String(Math.floor(k / 1000000) % 60).padStart(2, '0')}.${us} IP 10.${port >> 8}.${port & 255}.1.${1024 + (port % 60000)} > 10.0.0.2.80: Flags [.], ack ${k + 1}, win 502, options [nop,nop,TS val ${k} ecr 7], length 0`,
    );
  }
  return lines;
}

test('the WebAssembly reader reads a file a chunk at a time, with a table of heads it can outgrow', () => {
  // More lines than a chunk holds (2048), heads seen again chunks later; the last line without a
  // line break.
  const chunked = commonLines(7000, (k) => k % 3000).join('\n');
  const read = assertSameParses(chunked, 'chunks');
  assert.equal(read.taken, 7000);
  assert.equal(read.scanned, 7000, 'every line read by WebAssembly, the last one too');
  // More heads than its table holds (16 384): the lines of those after are the JavaScript reader's.
  const many = commonLines(40000, (k) => k >> 1);
  const { taken, scanned } = assertSameParses(`${many.join('\n')}\n`, 'many heads');
  assert.equal(taken, 40000);
  assert.ok(scanned >= 2 * 16384 && scanned < 40000, `${scanned} lines read by WebAssembly`);
  // Heads that differ in a port's digits alone, as a busy server's do, each found within the few
  // entries of the table a lookup looks at (a weak hash clustered them past it).
  const ports: string[] = [];
  for (let k = 0; k < 8000; k++) {
    const at = `12:00:00.${String(k).padStart(6, '0')}`;
    ports.push(
      `${at} IP 127.0.0.1.${40000 + k} > 127.0.0.1.37327: Flags [S], seq ${k}, win 65495, options [mss 65495,sackOK,TS val ${k} ecr 0,nop,wscale 10], length 0`,
      `${at} IP 127.0.0.1.37327 > 127.0.0.1.${40000 + k}: Flags [S.], seq ${k}, ack ${k + 1}, win 65483, options [mss 65495,sackOK,TS val ${k} ecr ${k},nop,wscale 10], length 0`,
    );
  }
  const busy = assertSameParses(`${ports.join('\n')}\n`, 'ports');
  assert.equal(busy.scanned, 16000, 'every line read by WebAssembly');
  // A line longer than its window (512 KB) between common lines: the JavaScript reader's too.
  const long = commonLines(3, (k) => k);
  long[1] = long[1]!.replace('options [', `options [${'nop,'.repeat(150000)}`);
  const withLong = assertSameParses(`${long.join('\n')}\n`, 'a long line');
  assert.equal(withLong.taken, 3);
  assert.equal(withLong.scanned, 2);
});

// Growing a WebAssembly memory detaches its old buffer, and the first buffer detached in a process
// makes V8's optimised code check every typed array access from then on (the analysis, on typed
// columns, was 30 ms slower on the bench trace): the module starts with all the memory it uses.
test('the WebAssembly reader starts with the memory it needs, and never grows it', () => {
  const { WebAssembly: wasm } = globalThis as unknown as {
    WebAssembly: {
      Module: new (bytes: Uint8Array) => object;
      Instance: new (
        module: object,
        imports: object,
      ) => { exports: { memory: { buffer: ArrayBuffer }; reset(): number; memoryPages(): number } };
    };
  };
  const exports = new wasm.Instance(new wasm.Module(Buffer.from(COMMON_LINE_WASM, 'base64')), {}).exports;
  const buffer = exports.memory.buffer;
  assert.ok(buffer.byteLength >= exports.memoryPages() * 65536, 'the layout fits the first memory');
  assert.equal(exports.reset(), 1);
  assert.equal(exports.memory.buffer, buffer, 'reset did not grow (detach) the memory');
});

test('-v header lines changed in ways the one-pass reading must leave alone read the same both ways', () => {
  // Header lines it takes, each with the TCP line under it.
  const header =
    /^\d\d:\d\d:\d\d\.\d+ IP \(tos 0x[0-9a-f]+, ttl \d+, id \d+, offset 0, flags \[[^\]]*\], proto TCP \(6\), length \d+\)$/;
  const pairs: Array<[string, string]> = [];
  for (const file of traces(CORPUS).filter((f) => /\/vv?-nn\.trace$/.test(f))) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length && pairs.length < 300; i++)
      if (header.test(lines[i]!) && lines[i + 1]!.startsWith('    ')) pairs.push([lines[i]!, lines[i + 1]!]);
  }
  assert.ok(pairs.length >= 100, `${pairs.length} -v packets found`);
  const changes: Array<[string, (line: string) => string]> = [
    ['unchanged', (l) => l],
    ['an ECN mark after the tos', (l) => l.replace(/tos (0x[0-9a-f]+)/, 'tos $1,ECT(0)')],
    ['a tos of three hex digits', (l) => l.replace(/tos 0x[0-9a-f]+/, 'tos 0x100')],
    ['a ttl of four digits', (l) => l.replace(/ttl \d+/, 'ttl 1024')],
    ['an id of six digits', (l) => l.replace(/id \d+/, 'id 123456')],
    ['an id of five digits', (l) => l.replace(/id \d+/, 'id 65535')],
    ['an id with leading zeros', (l) => l.replace(/id \d+/, 'id 00042')],
    ['a fragment offset', (l) => l.replace('offset 0,', 'offset 1480,')],
    ['flags not closed', (l) => l.replace('], proto', ', proto')],
    ['another protocol', (l) => l.replace('proto TCP (6)', 'proto UDP (17)')],
    ['a length of six digits', (l) => l.replace(/length \d+\)$/, 'length 123456)')],
    ['IP options after the length', (l) => l.replace(/\)$/, ', options (RA))')],
    ['a bad IP checksum', (l) => l.replace(/\)$/, ', bad cksum 1234 (->5678)!)')],
    ['text after the header', (l) => `${l} extra`],
    ['a space after the header', (l) => `${l} `],
    ['no closing parenthesis', (l) => l.slice(0, -1)],
    ['no time', (l) => l.replace(/^\S+ /, '')],
  ];
  for (const [name, change] of changes) {
    const lines: string[] = [];
    for (const [head, tcp] of pairs) lines.push(change(head), tcp);
    const { headers } = assertSameParses(`${lines.join('\n')}\n`, name);
    if (name === 'unchanged') assert.equal(headers, pairs.length, 'every header read in one pass');
  }
});

test('checksums of -v TCP lines: correct, incorrect with the right sum, and forms that are no checksum', () => {
  const line = (cksum: string) =>
    `12:00:00.000000 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 52)\n    10.0.0.1.40000 > 10.0.0.2.80: Flags [.], cksum ${cksum}, seq 1, ack 1, win 502, length 0\n`;
  const at = line('').split('\n')[1]!.indexOf('cksum');
  const read = (cksum: string) => {
    const { general, flat } = parseBothWays(line(cksum));
    assert.deepEqual(snapshot(flat.records[0]!), snapshot(general.records[0]!), cksum);
    return { record: flat.records[0]!, problems: flat.problems };
  };
  assert.deepEqual(read('0xd2a0 (correct)').record.cksum, {
    value: 'd2a0',
    correct: true,
    expected: undefined,
    span: { line: 1, start: at, end: at + 6 + 16 },
  });
  assert.deepEqual(read('0xFE28 (incorrect -> 0x4e9c)').record.cksum, {
    value: 'FE28',
    correct: false,
    expected: '4e9c',
    span: { line: 1, start: at, end: at + 6 + 28 },
  });
  assert.deepEqual(read('0x1 (incorrect -> 0xa)').record.cksum, {
    value: '1',
    correct: false,
    expected: 'a',
    span: { line: 1, start: at, end: at + 6 + 22 },
  });
  for (const bad of [
    '0x12345 (correct)',
    '0xd2a0 (correct',
    '0xd2a0 correct',
    '0x (correct)',
    'd2a0 (correct)',
    '0xd2a0 (incorrect -> 0x12345)',
    '0xd2a0 (incorrect -> 0x4e9c',
    '0xd2g0 (correct)',
  ]) {
    const { record, problems } = read(bad);
    assert.equal(record.kind, 'malformed', bad);
    assert.equal(record.cksum, undefined, bad);
    assert.match(problems[0]!.message, /expected 'cksum 0xHHHH \(correct\)'/, bad);
  }
});
