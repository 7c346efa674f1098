// Bad files: a binary pcap or pcapng opened by mistake, invalid UTF-8, UTF-16 and UTF-8 byte order
// marks, CRLF and lone CR line ends, an empty file, a file of only comments, random bytes, prose and
// indented text. Each gets a clear message and no flood of diagnostics, in the core, the CLI (which
// reads files as UTF-8) and every LSP feature. What the core does not do yet is a `todo` named after
// the bug; the 200 MB size limit (`packetTrace.maxFileSizeMB`) is not implemented yet.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyzeTrace, type TraceAnalysis } from '../../server/src/trace/index';
import { LspClient, fileUri, stopAll } from '../helpers/lspClient';
import { CORPUS, ROOT, checkFeatures, checkAnalysis, prng, probesFor, type Violation } from './support';

const CLI = path.join(ROOT, 'bin/packet-trace.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pt-robust-'));
after(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await stopAll();
});

const corpus = (rel: string) => path.join(CORPUS, rel);
const haveCorpus = fs.existsSync(corpus('http-get-fin/nn.trace'));
/** A small real trace: handshake, GET, FIN close. */
const TRACE = haveCorpus
  ? fs.readFileSync(corpus('http-get-fin/nn.trace'), 'utf8')
  : '10:00:00.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1000, length 0\n' +
    '10:00:00.000100 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 5, ack 2, win 1000, length 0\n' +
    '10:00:00.000200 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [.], ack 1, win 1000, length 0\n';

/** A pcapng file: section header, interface description, one enhanced packet block. */
function pcapng(): Buffer {
  const block = (type: number, body: Buffer) => {
    const len = 12 + body.length;
    const b = Buffer.alloc(len);
    b.writeUInt32LE(type, 0);
    b.writeUInt32LE(len, 4);
    body.copy(b, 8);
    b.writeUInt32LE(len, len - 4);
    return b;
  };
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0); // Ethernet
  idb.writeUInt32LE(262144, 4);
  const packet = Buffer.from(
    '000000000000000000000000080045000028000040004006000000000000000000000000',
    'hex',
  );
  const epb = Buffer.alloc(20 + 40);
  epb.writeUInt32LE(packet.length, 12);
  epb.writeUInt32LE(packet.length, 16);
  packet.copy(epb, 20);
  return Buffer.concat([block(0x0a0d0d0a, shb), block(1, idb), block(6, epb)]);
}

/** A pcap header with another magic (big-endian, nanosecond) and one record of zeros. */
function pcapWithMagic(magic: number[]): Buffer {
  const h = Buffer.alloc(24 + 16 + 40);
  Buffer.from(magic).copy(h, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(1, 20);
  h.writeUInt32LE(40, 24 + 8);
  h.writeUInt32LE(40, 24 + 12);
  return h;
}

function utf16(text: string, endian: 'le' | 'be', bom: boolean): Buffer {
  const b = Buffer.from(text, 'utf16le');
  if (endian === 'be') b.swap16();
  const mark = endian === 'le' ? [0xff, 0xfe] : [0xfe, 0xff];
  return bom ? Buffer.concat([Buffer.from(mark), b]) : b;
}

function randomBytes(n: number, seed: number): Buffer {
  const rand = prng(seed);
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** The invariants, every LSP feature, and the analysis itself. */
function analyzeClean(text: string): TraceAnalysis {
  const a = analyzeTrace(text);
  const vs: Violation[] = [...checkAnalysis(text, a), ...checkFeatures(text, a, probesFor(text, prng(7), 6))];
  const fresh = vs.filter((v) => !v.knownBug);
  assert.deepEqual(
    fresh.map((v) => `[${v.kind}] ${v.detail.split('\n')[0]}`),
    [],
    'no crash, every range inside the document, known codes only',
  );
  return a;
}

const codes = (a: TraceAnalysis) => a.findings.map((f) => f.code);

/** What a user sees of an analysis, without line-end specific quick-fix text. */
function visible(a: TraceAnalysis): unknown {
  return {
    findings: a.findings.map((f) => ({
      code: f.code,
      message: f.message,
      span: f.span,
      severity: f.severity,
    })),
    connections: a.connections.map((c) => [
      c.client.endpoint.key,
      c.server.endpoint.key,
      c.handshake,
      c.teardown,
      c.history,
    ]),
    times: a.records.map((r) => r.time),
  };
}

/** Runs `packet-trace check` on bytes written to a file. */
function cli(
  name: string,
  bytes: Buffer | string,
): { status: number | null; stdout: string; stderr: string } {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, bytes);
  const r = spawnSync(process.execPath, [CLI, 'check', file], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('binary captures', () => {
  const pcap = haveCorpus
    ? fs.readFileSync(corpus('http-get-fin/capture.pcap'))
    : pcapWithMagic([0xd4, 0xc3, 0xb2, 0xa1]);
  const captures: Array<[string, Buffer, 'pcap' | 'pcapng']> = [
    ['a real pcap (little-endian, microseconds)', pcap, 'pcap'],
    ['a big-endian pcap', pcapWithMagic([0xa1, 0xb2, 0xc3, 0xd4]), 'pcap'],
    ['a nanosecond pcap', pcapWithMagic([0x4d, 0x3c, 0xb2, 0xa1]), 'pcap'],
    ['a pcapng', pcapng(), 'pcapng'],
  ];
  for (const [name, bytes, kind] of captures) {
    for (const encoding of ['utf8', 'latin1'] as const) {
      test(`${name}, read as ${encoding}: one parse.binary-capture that says how to convert it`, () => {
        const text = bytes.toString(encoding);
        const a = analyzeTrace(text);
        assert.deepEqual(codes(a), ['parse.binary-capture']);
        assert.match(a.findings[0]!.message, new RegExp(`binary ${kind} capture.*tcpdump -nn -r FILE`));
        assert.equal(a.records.length, 0);
        if (kind === 'pcap') analyzeClean(text);
      });
    }
    test(`${name} through the CLI: no crash, no flood`, () => {
      // The CLI either says how to convert the capture, or (with a capture reader) reads it itself.
      const r = cli(`capture-${kind}-${name.length}.pcap`, bytes);
      assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
      const lines = r.stdout.split('\n').filter(Boolean);
      assert.ok(lines.length <= 20, r.stdout);
      if (/parse\.binary-capture/.test(r.stdout)) assert.match(r.stdout, /tcpdump -nn -r/);
      assert.ok(r.stderr.split('\n').filter(Boolean).length <= 2, r.stderr);
    });
  }

  test('a pcapng: the diagnostic lies inside the document', {}, () => {
    const text = pcapng().toString('utf8');
    const a = analyzeTrace(text);
    assert.deepEqual(
      checkAnalysis(text, a).map((v) => v.detail),
      [],
    );
  });
});

describe('encodings', () => {
  test('invalid UTF-8 in a payload summary changes nothing', () => {
    const lines = TRACE.split('\n');
    const bad = Buffer.concat([
      Buffer.from(`${lines[0]}`),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80, 0xed, 0xa0, 0x80]),
      Buffer.from(`\n${lines.slice(1).join('\n')}`),
    ]).toString('utf8');
    assert.ok(bad.includes('\ufffd'));
    assert.deepEqual(codes(analyzeClean(bad)), codes(analyzeTrace(TRACE)));
  });

  test('invalid UTF-8 inside a number: one diagnostic on that line, the rest analysed', () => {
    const lines = TRACE.split('\n');
    const broken = lines[1]!.replace(/seq (\d)/, (_, d: string) => `seq ${d}\ufffd`);
    assert.notEqual(broken, lines[1]);
    const a = analyzeClean([lines[0], broken, ...lines.slice(2)].join('\n'));
    const onLine = a.findings.filter((f) => f.span.line === 1);
    assert.ok(onLine.length >= 1 && onLine.length <= 2, JSON.stringify(onLine.map((f) => f.code)));
    assert.ok(a.findings.length <= analyzeTrace(TRACE).findings.length + 4, 'no flood');
  });

  for (const endian of ['le', 'be'] as const) {
    test(`UTF-16 ${endian.toUpperCase()} with a BOM, read as UTF-8 (the CLI): no flood`, () => {
      const text = utf16(TRACE, endian, true).toString('utf8');
      const a = analyzeClean(text);
      assert.ok(a.findings.length <= 3, `${a.findings.length} diagnostics`);
    });
    test(
      `UTF-16 ${endian.toUpperCase()} with a BOM, read as UTF-8: says it is UTF-16 text`,
      {
        todo: 'bug: parser.ts detectBinaryCapture() calls UTF-16 text a "binary pcap capture" (U+FFFD and NUL in the first 24 characters); it should say the file is UTF-16 and ask for UTF-8',
      },
      () => {
        const a = analyzeTrace(utf16(TRACE, endian, true).toString('utf8'));
        assert.equal(a.findings.length, 1);
        assert.match(a.findings[0]!.message, /UTF-16/);
        assert.doesNotMatch(a.findings[0]!.message, /pcap/);
      },
    );
    test(`UTF-16 ${endian.toUpperCase()} decoded as an editor decodes it (BOM dropped): the same analysis`, () => {
      const decoded = utf16(TRACE, endian, true);
      const text =
        endian === 'le'
          ? decoded.subarray(2).toString('utf16le')
          : Buffer.from(decoded.subarray(2)).swap16().toString('utf16le');
      assert.deepEqual(visible(analyzeClean(text)), visible(analyzeTrace(TRACE)));
    });
  }

  test('UTF-16 through the CLI: exit status and one line, no flood', () => {
    const r = cli('utf16.trace', utf16(TRACE, 'le', true));
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    assert.ok(r.stdout.trim().split('\n').length <= 3, r.stdout);
  });

  test('a UTF-8 BOM (Notepad): no diagnostics, connections found', () => {
    const a = analyzeClean(`\ufeff${TRACE}`);
    assert.deepEqual(codes(a), codes(analyzeTrace(TRACE)));
    assert.equal(a.connections.length, analyzeTrace(TRACE).connections.length);
  });

  test(
    'a UTF-8 BOM is ignored: the first line keeps its time, a first-line # comment stays a comment',
    {
      todo: 'bug: parser.ts/timestamp.ts do not skip a leading U+FEFF (the CLI reads it with the file): the first line loses its timestamp and a first-line # comment becomes parse.unknown-line',
    },
    () => {
      const text = `# captured on the client\n${TRACE}`;
      assert.deepEqual(visible(analyzeTrace(`\ufeff${text}`)), visible(analyzeTrace(text)));
      assert.deepEqual(visible(analyzeTrace(`\ufeff${TRACE}`)), visible(analyzeTrace(TRACE)));
    },
  );
});

describe('line ends', () => {
  test('CRLF: the same analysis as LF', () => {
    assert.deepEqual(visible(analyzeClean(TRACE.replace(/\n/g, '\r\n'))), visible(analyzeTrace(TRACE)));
  });
  test('lone CR (old Mac): the same analysis as LF', () => {
    assert.deepEqual(visible(analyzeClean(TRACE.replace(/\n/g, '\r'))), visible(analyzeTrace(TRACE)));
  });
  test('mixed LF, CRLF and CR: the same analysis as LF', () => {
    const eols = ['\n', '\r\n', '\r'];
    const mixed = TRACE.split('\n')
      .map((l, i) => l + eols[i % 3])
      .join('')
      .slice(0, -1);
    assert.deepEqual(visible(analyzeClean(mixed)), visible(analyzeTrace(TRACE)));
  });
  test('a CR inside a line splits it, as every editor does', () => {
    const lines = TRACE.split('\n');
    const a = analyzeClean([lines[0]!.replace(', win', ',\rwin'), ...lines.slice(1)].join('\n'));
    assert.ok(a.findings.length <= analyzeTrace(TRACE).findings.length + 3, 'no flood');
  });
  test('CRLF and BOM through the CLI: the same report as LF', () => {
    const lf = cli('lf.trace', TRACE);
    const crlf = cli('lf.trace', `${TRACE.replace(/\n/g, '\r\n')}`);
    assert.equal(crlf.status, lf.status);
    assert.equal(crlf.stdout, lf.stdout);
  });
});

describe('empty and nearly empty files', () => {
  const cases: Array<[string, string]> = [
    ['an empty file', ''],
    ['one line break', '\n'],
    ['one CR', '\r'],
    ['only blank lines', '\n\n   \n\t\n\r\n'.repeat(1000)],
    ['only comments', '# a trace to come\n#\n   # indented comment\n#another\n'.repeat(50)],
    ['a NUL-filled file', '\u0000'.repeat(65536)],
    ['one space', ' '],
  ];
  for (const [name, text] of cases) {
    test(`${name}: at most one diagnostic, every feature answers`, () => {
      const a = analyzeClean(text);
      assert.ok(a.findings.length <= 1, JSON.stringify(codes(a)));
      assert.equal(a.connections.length, 0);
    });
  }
  test('empty and comment-only files through the CLI: exit 0, nothing printed', () => {
    for (const [name, text] of [
      ['empty.trace', ''],
      ['comments.trace', '# nothing captured yet\n'],
    ]) {
      const r = cli(name!, text!);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, '');
    }
  });
});

describe('other files opened as traces: a clear message, no flood', () => {
  const BOUND = 205; // the parser marks 200 unknown lines and sums up the rest in one
  const files: Array<[string, () => string]> = [
    ['random bytes as UTF-8', () => randomBytes(200_000, 1).toString('utf8')],
    ['random bytes as Latin-1', () => randomBytes(200_000, 2).toString('latin1')],
    ['a gzip-compressed trace', () => gzipSync(TRACE).toString('utf8')],
    ['an HTML page', () => `<!doctype html>\n<html>\n${'<p>packet capture</p>\n'.repeat(2000)}</html>\n`],
    ['a log of prose', () => 'Connection from 10.0.0.1 port 22: accepted > ok: fine\n'.repeat(5000)],
    [
      'a shell script',
      () => '#!/bin/sh\nset -e\nfor f in *.pcap; do tcpdump -nn -r "$f"; done\n'.repeat(500),
    ],
  ];
  for (const [name, build] of files) {
    test(name, () => {
      const text = build();
      const a = analyzeClean(text);
      // Indented lines before the first packet are not capped yet: the todo below.
      const counted = a.findings.filter((f) => f.code !== 'parse.orphan-line');
      assert.ok(counted.length <= BOUND, `${counted.length} diagnostics`);
      const summary = a.findings.find((f) => /more lines are not tcpdump packet lines/.test(f.message));
      if (a.findings.filter((f) => f.code === 'parse.unknown-line').length > 200) assert.ok(summary);
    });
  }

  test(
    'an indented file (YAML, JSON, code): orphan lines are capped like unknown lines',
    {
      todo: 'bug: parser.ts reports every indented line before the first packet as parse.orphan-line, uncapped (parse.unknown-line stops at 200 plus one summary): a 10 000-line YAML file gives 10 000 diagnostics',
    },
    () => {
      const yaml = `services:\n${'  web:\n    image: nginx\n    ports:\n      - "80:80"\n'.repeat(2500)}`;
      const a = analyzeTrace(yaml);
      assert.ok(a.findings.length <= BOUND, `${a.findings.length} diagnostics`);
    },
  );

  test(
    'a summary of unknown lines lies inside the document when line 1 is empty',
    {
      todo: "bug: parser.ts puts the 'N more lines are not tcpdump packet lines' summary on columns 0..1 of line 0, even when line 0 is empty",
    },
    () => {
      const text = `\n${'hello\n'.repeat(300)}`;
      assert.deepEqual(
        checkAnalysis(text, analyzeTrace(text)).map((v) => v.detail),
        [],
      );
    },
  );

  test(
    'binary files that are no capture get one clear diagnostic',
    {
      todo: 'not implemented: random bytes and gzip get 200 parse.unknown-line (or are called a pcap), not one "this is a binary file" message',
    },
    () => {
      for (const text of [randomBytes(200_000, 1).toString('utf8'), gzipSync(TRACE).toString('utf8')]) {
        const a = analyzeTrace(text);
        assert.equal(a.findings.length, 1);
        assert.doesNotMatch(a.findings[0]!.message, /pcap capture/);
      }
    },
  );
});

describe('a file above the size limit (packetTrace.maxFileSizeMB)', () => {
  const LINE =
    '18:23:38.667230 IP 127.0.0.1.52052 > 127.0.0.1.8080: Flags [.], ack 1, win 63, options [nop,nop,TS val 2779437483 ecr 1919619860], length 0\n';

  /** Opens `mb` megabytes of packets with the limit set; the server should analyse the first part only. */
  async function overLimit(limitMB: number | undefined, mb: number): Promise<void> {
    const settings = limitMB === undefined ? {} : { maxFileSizeMB: limitMB };
    const client = await LspClient.start({ initializationOptions: { settings } });
    try {
      const text = LINE.repeat(Math.ceil((mb * 1024 * 1024) / LINE.length));
      const limitChars = (limitMB ?? 50) * 1024 * 1024;
      const uri = fileUri(`/robust/over-limit-${mb}.trace`);
      const p = await client.openAndWait(uri, text);
      const info = p.diagnostics.filter((d) => d.severity === 3 && /limit|first|MB/i.test(d.message));
      assert.equal(info.length, 1, 'one information diagnostic says the file was cut');
      const lastAnalysed = Math.ceil(limitChars / LINE.length) + 1;
      assert.ok(
        p.diagnostics.every((d) => d === info[0] || d.range.start.line <= lastAnalysed),
        'nothing past the limit is analysed',
      );
    } finally {
      // A clean shutdown, never a kill: a server killed in the middle of a large push leaves the
      // client's message reader waiting for the rest forever (vscode-jsonrpc's partial-message timer).
      await client.shutdown(60_000);
    }
  }

  test(
    'a 3 MB file with the limit at 1 MB: the first part, and one information diagnostic',
    { todo: 'not implemented: no packetTrace.maxFileSizeMB setting yet; the server analyses the whole file' },
    () => overLimit(1, 3),
  );

  test(
    'a 200 MB file with the default limit (50 MB)',
    {
      todo: 'not implemented: no packetTrace.maxFileSizeMB setting yet',
      skip:
        process.env.ROBUSTNESS_HUGE === '1'
          ? false
          : 'set ROBUSTNESS_HUGE=1: 200 MB through the server takes minutes until the limit exists',
    },
    () => overLimit(undefined, 200),
  );
});
