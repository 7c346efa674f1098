// Bad files: a binary pcap or pcapng opened by mistake, invalid UTF-8, UTF-16 and UTF-8 byte order
// marks, CRLF and lone CR line ends, an empty file, a file of only comments, random bytes, compressed
// files, prose and indented text. Each gets a clear message and no flood of diagnostics, in the core,
// the CLI (which reads raw bytes) and every LSP feature. A file above `packetTrace.maxFileSizeMB` is
// analysed up to the limit by the server, which says so in one information diagnostic.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readSettings } from '../../server/src/settings';
import { cutAtLineBreak } from '../../server/src/sizeLimit';
import { reanalyze } from '../../server/src/trace/incremental';
import { analyzeTrace, decodeText, judgeNotText, type TraceAnalysis } from '../../server/src/trace/index';
import type { Range } from 'vscode-languageserver-protocol';
import { splitLines } from '../../server/src/trace/parser';
import { LspClient, fileUri, readTrace, stopAll } from '../helpers/lspClient';
import {
  CORPUS,
  ROOT,
  checkFeatures,
  checkAnalysis,
  corpusFiles,
  prng,
  probesFor,
  type Violation,
} from './support';

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
    test(`UTF-16 ${endian.toUpperCase()} with a BOM, read as UTF-8: says it is UTF-16 text`, () => {
      const a = analyzeTrace(utf16(TRACE, endian, true).toString('utf8'));
      assert.equal(a.findings.length, 1);
      assert.match(a.findings[0]!.message, /UTF-16/);
      assert.doesNotMatch(a.findings[0]!.message, /pcap/);
    });
    for (const [how, bom, encoding] of [
      ['without a BOM, read as UTF-8', false, 'utf8'],
      ['with a BOM, read as Latin-1', true, 'latin1'],
      ['without a BOM, read as Latin-1', false, 'latin1'],
    ] as const) {
      test(`UTF-16 ${endian.toUpperCase()} ${how}: one parse.utf16-text that says how to convert it`, () => {
        const a = analyzeClean(utf16(TRACE, endian, bom).toString(encoding));
        assert.deepEqual(codes(a), ['parse.utf16-text']);
        const order = endian === 'le' ? 'little-endian' : 'big-endian';
        const from = bom ? 'UTF-16' : `UTF-16${endian.toUpperCase()}`;
        assert.match(a.findings[0]!.message, new RegExp(`UTF-16 text \\(${order}\\).*save it as UTF-8`));
        assert.ok(a.findings[0]!.message.includes(`iconv -f ${from} -t UTF-8`), a.findings[0]!.message);
        assert.equal(a.findings[0]!.severity, 'error');
      });
    }
    test(`UTF-16 ${endian.toUpperCase()} bytes decoded by decodeText (the CLI's decoder): the same analysis`, () => {
      for (const bom of [true, false])
        assert.deepEqual(
          visible(analyzeClean(decodeText(utf16(TRACE, endian, bom)))),
          visible(analyzeTrace(TRACE)),
        );
    });
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
    if (/parse\.utf16-text/.test(r.stdout)) assert.match(r.stdout, /iconv -f UTF-16 -t UTF-8/);
    assert.doesNotMatch(r.stdout, /pcap/);
  });

  test('UTF-16 and a UTF-8 BOM through the CLI: decoded as an editor decodes them, the same report as UTF-8', () => {
    // A finding on line 1, so that its column shows whether a BOM was dropped.
    const text = TRACE.replace(/, win \d+/, ', win x');
    const utf8 = cli('utf8.trace', text);
    assert.match(utf8.stdout, /utf8\.trace:1:\d+: error parse\.malformed-line/);
    const same = (name: string, bytes: Buffer) => {
      const r = cli(name, bytes);
      assert.equal(r.status, utf8.status, name);
      assert.equal(r.stdout.replaceAll(name, 'utf8.trace'), utf8.stdout, name);
    };
    same('utf8-bom.trace', Buffer.from(`\ufeff${text}`));
    for (const endian of ['le', 'be'] as const) {
      same(`utf16-${endian}.trace`, utf16(text, endian, true));
      same(`utf16-${endian}-no-bom.trace`, utf16(text, endian, false));
    }
  });

  test('decodeText: a UTF-8 BOM is dropped (as editors drop it), invalid bytes become U+FFFD', () => {
    assert.equal(decodeText(Buffer.from(`\ufeff${TRACE}`)), TRACE);
    assert.equal(decodeText(Buffer.from([0x61, 0xff, 0x62])), 'a\ufffdb');
    assert.equal(decodeText(new Uint8Array(0)), '');
    // An odd byte at the end of UTF-16 is a broken character, not a crash.
    assert.equal(decodeText(Buffer.from([0xfe, 0xff, 0x00, 0x61, 0x00])), 'a\ufffd');
  });

  test('a UTF-8 BOM (Notepad): no diagnostics, connections found', () => {
    const a = analyzeClean(`\ufeff${TRACE}`);
    assert.deepEqual(codes(a), codes(analyzeTrace(TRACE)));
    assert.equal(a.connections.length, analyzeTrace(TRACE).connections.length);
  });

  test('a UTF-8 BOM is ignored: the first line keeps its time, a first-line # comment stays a comment', () => {
    const text = `# captured on the client\n${TRACE}`;
    assert.deepEqual(visible(analyzeTrace(`\ufeff${text}`)), visible(analyzeTrace(text)));
    assert.deepEqual(visible(analyzeTrace(`\ufeff${TRACE}`)), visible(analyzeTrace(TRACE)));
    assert.deepEqual(
      analyzeTrace(`\ufeff${text}`).records[0]!.annotations,
      analyzeTrace(text).records[0]!.annotations,
    );
  });

  test('a UTF-8 BOM: columns of line 1 count it, as a document that keeps it does', () => {
    const first = TRACE.split('\n')[0]!;
    const a = analyzeClean(`\ufeff${TRACE}`);
    const b = analyzeTrace(TRACE);
    const shifted = (s: { line: number; start: number; end: number } | undefined) =>
      s && { line: s.line, start: s.start + 1, end: s.end + 1 };
    assert.ok(b.records[0]!.timeSpan && b.records[0]!.flagsSpan);
    assert.deepEqual(a.records[0]!.timeSpan, shifted(b.records[0]!.timeSpan));
    assert.deepEqual(a.records[0]!.flagsSpan, shifted(b.records[0]!.flagsSpan));
    assert.deepEqual(a.records[1]!.flagsSpan, b.records[1]!.flagsSpan, 'other lines are not shifted');
    // Findings on line 1 are shifted too: a malformed first line, with and without the mark.
    const bad = `${first.replace(/, win \d+/, ', win x')}\n`;
    const withMark = analyzeClean(`\ufeff${bad}`).findings;
    const without = analyzeTrace(bad).findings;
    assert.deepEqual(
      withMark.map((f) => f.code),
      without.map((f) => f.code),
    );
    assert.ok(withMark.length > 0);
    assert.deepEqual(
      withMark.map((f) => f.span),
      without.map((f) => shifted(f.span)),
    );
  });

  test('a lone BOM line is blank; a BOM at the start of a later line (files joined with cat) is skipped too', () => {
    assert.deepEqual(codes(analyzeClean('\ufeff')), []);
    assert.deepEqual(codes(analyzeClean('\ufeff\n# note\n')), []);
    const lines = TRACE.split('\n');
    const joined = analyzeClean([lines[0], `\ufeff${lines[1]}`, ...lines.slice(2)].join('\n'));
    const plain = analyzeTrace(TRACE);
    assert.deepEqual(codes(joined), codes(plain));
    assert.deepEqual(
      joined.records.map((r) => r.time),
      plain.records.map((r) => r.time),
    );
    assert.equal(joined.records[1]!.timeSpan?.start, 1);
    // An indented continuation line (-v) after a mark is still the continuation of its packet.
    const verbose =
      '18:23:38.667204 IP (tos 0x0, ttl 64, id 39138, offset 0, flags [DF], proto TCP (6), length 60)\n' +
      '\ufeff    127.0.0.1.52052 > 127.0.0.1.8080: Flags [S], seq 1149653124, win 64240, length 0\n';
    const v = analyzeClean(verbose);
    assert.equal(v.records.length, 1);
    assert.equal(v.records[0]!.tcpLine, 1);
    assert.equal(v.records[0]!.flagsSpan?.line, 1);
  });
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
      assert.ok(a.findings.length <= BOUND, `${a.findings.length} diagnostics`);
      const summary = a.findings.find((f) => /more lines are not tcpdump packet lines/.test(f.message));
      if (a.findings.filter((f) => f.code === 'parse.unknown-line').length > 200) assert.ok(summary);
    });
  }

  test('an indented file (YAML, JSON, code): orphan lines are capped like unknown lines', () => {
    const yaml = `services:\n${'  web:\n    image: nginx\n    ports:\n      - "80:80"\n'.repeat(2500)}`;
    const a = analyzeTrace(yaml);
    assert.ok(a.findings.length <= BOUND, `${a.findings.length} diagnostics`);
    assert.ok(a.findings.filter((f) => f.code === 'parse.orphan-line').length > 100);
    assert.ok(a.findings.some((f) => /^9801 more lines are not tcpdump packet lines/.test(f.message)));
    // Only indented lines: the same cap.
    const indented = analyzeClean('    indented\n'.repeat(10_000));
    assert.equal(indented.findings.length, 201);
  });

  test('a summary of unknown lines lies inside the document when line 1 is empty', () => {
    const text = `\n${'hello\n'.repeat(300)}`;
    const a = analyzeTrace(text);
    assert.deepEqual(
      checkAnalysis(text, a).map((v) => v.detail),
      [],
    );
    assert.ok(a.findings.some((f) => /100 more lines are not tcpdump packet lines/.test(f.message)));
  });

  test('binary files that are no capture get one clear diagnostic', () => {
    for (const text of [randomBytes(200_000, 1).toString('utf8'), gzipSync(TRACE).toString('utf8')]) {
      const a = analyzeTrace(text);
      assert.equal(a.findings.length, 1);
      assert.doesNotMatch(a.findings[0]!.message, /pcap capture/);
    }
  });

  const binaries: Array<[string, () => Buffer, RegExp]> = [
    [
      'random bytes',
      () => randomBytes(200_000, 1),
      /binary file, not tcpdump text: \d+ of its first 4096 characters/,
    ],
    ['a few random bytes', () => randomBytes(100, 5), /binary file, not tcpdump text/],
    ['a gzip-compressed trace', () => gzipSync(TRACE), /gzip-compressed file, a binary file.*gzip -dc FILE/],
    ['a gzip of nothing', () => gzipSync(''), /gzip-compressed/],
    [
      'a zip archive',
      () => Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(300, 3)]),
      /zip archive.*unzip/,
    ],
    [
      'an xz file',
      () => Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), randomBytes(300, 4)]),
      /xz-compressed/,
    ],
    [
      'a zstd file',
      () => Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(300, 6)]),
      /zstd/,
    ],
    ['a bzip2 file', () => Buffer.concat([Buffer.from('BZh91AY&SY'), randomBytes(300, 7)]), /bzip2/],
    [
      'an ELF executable',
      () => Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01'), Buffer.alloc(300)]),
      /ELF/,
    ],
    [
      'a PNG image',
      () => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), randomBytes(300, 8)]),
      /PNG/,
    ],
    ['a PDF document', () => Buffer.from(`%PDF-1.7\n${'stream\n'.repeat(10)}`), /PDF/],
    ['a NUL-filled file', () => Buffer.alloc(65536), /binary file.*4096 of its first 4096/],
  ];
  for (const [name, build, message] of binaries) {
    for (const encoding of ['utf8', 'latin1'] as const) {
      test(`${name}, read as ${encoding}: one parse.binary-file that says what it is`, () => {
        const a = analyzeClean(build().toString(encoding));
        assert.deepEqual(codes(a), ['parse.binary-file']);
        assert.match(a.findings[0]!.message, message);
        assert.doesNotMatch(a.findings[0]!.message, /pcap/);
        assert.equal(a.records.length, 0);
      });
    }
  }

  test('a gzip-compressed trace through the CLI: one line, exit 1, no pcap', () => {
    const r = cli('trace.gz', gzipSync(TRACE));
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
    assert.match(r.stdout, /parse\.binary-file.*gzip-compressed/);
  });

  test('an edit that makes the file binary (or UTF-16) is analysed afresh, not incrementally', () => {
    const lines = TRACE.split('\n');
    const at = lines.findIndex((l) => /length [1-9]\d*: /.test(l));
    assert.ok(at > 0, 'a line with a payload summary');
    for (const junk of ['\u0000'.repeat(600), '\u0001\u0000'.repeat(300)]) {
      // The summary after the length takes any text, so the record itself reads the same.
      const edited = [...lines.slice(0, at), `${lines[at]}${junk}`, ...lines.slice(at + 1)].join('\n');
      const fresh = analyzeTrace(edited);
      assert.deepEqual(codes(fresh), ['parse.binary-file']);
      const incremental = reanalyze(analyzeTrace(TRACE), edited);
      if (incremental) assert.deepEqual(visible(incremental), visible(fresh));
    }
  });

  test('never judged binary: every corpus trace (with its -X, -XX and -A dumps), and text with terminal colours', () => {
    const files = corpusFiles();
    for (const f of files) assert.equal(judgeNotText(f.text), undefined, f.rel);
    const coloured = TRACE.split('\n')
      .map((l) => (l ? `\u001b[32m${l}\u001b[0m` : l))
      .join('\n');
    assert.equal(judgeNotText(coloured), undefined);
    // A few stray control characters or bytes that are not UTF-8 in a long trace stay findings of their lines.
    const stray = TRACE.split('\n')
      .map((l, i) => (i % 2 ? `${l}\u0000\ufffd` : l))
      .join('\n');
    assert.equal(judgeNotText(stray), undefined);
  });
});

describe('a file above the size limit (packetTrace.maxFileSizeMB)', () => {
  const LINE =
    '18:23:38.667230 IP 127.0.0.1.52052 > 127.0.0.1.8080: Flags [.], ack 1, win 63, options [nop,nop,TS val 2779437483 ecr 1919619860], length 0\n';
  const MB = 1024 * 1024;

  /**
   * Opens `mb` megabytes of packets with the limit set (undefined: the default); the server should
   * analyse the whole lines within the limit only, and say so once. Returns the client (still running)
   * and what it was sent.
   */
  async function overLimit(
    limitMB: number | undefined,
    mb: number,
    timeoutMs = 60_000,
  ): Promise<{ client: LspClient; uri: string; text: string; kept: number }> {
    const settings = limitMB === undefined ? {} : { maxFileSizeMB: limitMB };
    const client = await LspClient.start({ initializationOptions: { settings } });
    const text = LINE.repeat(Math.ceil((mb * MB) / LINE.length));
    const limitChars = (limitMB ?? 50) * MB;
    const uri = fileUri(`/robust/over-limit-${mb}.trace`);
    const since = client.mark();
    client.open(uri, text);
    const p = await client.waitForDiagnostics(uri, { version: 1, since, timeoutMs });
    const info = p.diagnostics.filter((d) => d.severity === 3 && /limit|first|MB/i.test(d.message));
    assert.equal(info.length, 1, 'one information diagnostic says the file was cut');
    const kept = Math.floor(limitChars / LINE.length);
    assert.equal(info[0]!.code, 'file.too-large');
    assert.match(
      info[0]!.message,
      new RegExp(
        `this file is ${(text.length / MB).toFixed(1)} MB, above packetTrace.maxFileSizeMB \\(${limitMB ?? 50}\\): only its first ${((kept * LINE.length) / MB).toFixed(1)} MB \\(lines 1\\.\\.${kept}\\) were analysed; raise the setting, or set it to 0`,
      ),
    );
    assert.deepEqual(info[0]!.range, {
      start: { line: 0, character: 0 },
      end: { line: 0, character: LINE.length - 1 },
    });
    const others = p.diagnostics.filter((d) => d !== info[0]);
    assert.equal(others.length, kept - 1, 'every line within the limit is analysed (a duplicate ACK each)');
    assert.ok(
      others.every((d) => d.range.start.line < kept),
      'nothing past the limit is analysed',
    );
    return { client, uri, text, kept };
  }

  test('a 3 MB file with the limit at 1 MB: the first part, and one information diagnostic', async () => {
    const { client } = await overLimit(1, 3);
    // A clean shutdown proves the server never crashed.
    await client.shutdown(60_000);
  });

  test('features on lines past the cut answer empty; within it they answer', async () => {
    const { client, uri, kept } = await overLimit(1, 3);
    try {
      const inside = { line: kept - 1, character: LINE.indexOf('[.]') + 1 };
      const past = { line: kept + 10, character: LINE.indexOf('[.]') + 1 };
      assert.ok(await client.hover(uri, inside), 'a hover within the limit');
      assert.equal(await client.hover(uri, past), null);
      const hints = await client.inlayHints(uri, {
        start: { line: kept + 1, character: 0 },
        end: { line: kept + 50, character: 0 },
      });
      assert.deepEqual(hints ?? [], []);
      assert.deepEqual((await client.definition(uri, past)) ?? [], []);
      assert.deepEqual((await client.references(uri, past)) ?? [], []);
      assert.deepEqual((await client.highlights(uri, past)) ?? [], []);
      assert.deepEqual((await client.codeActions(uri, { start: past, end: past })) ?? [], []);
      const folds = (await client.foldingRanges(uri)) ?? [];
      assert.ok(folds.every((f) => f.endLine < kept));
      const symbols = (await client.documentSymbols(uri)) ?? [];
      assert.ok(symbols.every((s) => s.range.end.line < kept));
      client.assertAlive();
    } finally {
      await client.shutdown(60_000);
    }
  });

  test('an edit keeps the cut; raising the limit to 0 (no limit) analyses the whole file', async () => {
    const { client, uri, text, kept } = await overLimit(1, 3);
    try {
      // An edit past the cut: still the same first part, still one notice.
      let since = client.mark();
      const end = text.split('\n').length - 2;
      client.change(uri, [
        { range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: '# x\n' },
      ]);
      let p = await client.waitForDiagnostics(uri, { version: 2, since, timeoutMs: 60_000 });
      assert.equal(p.diagnostics.filter((d) => d.code === 'file.too-large').length, 1);
      assert.equal(p.diagnostics.length, kept);
      since = client.mark();
      client.changeConfiguration({ packetTrace: { maxFileSizeMB: 0 } });
      p = await client.waitForDiagnostics(uri, { since, timeoutMs: 60_000 });
      assert.equal(p.diagnostics.filter((d) => d.code === 'file.too-large').length, 0);
      assert.equal(p.diagnostics.length, text.length / LINE.length - 1, 'every line analysed');
      since = client.mark();
      client.changeConfiguration({ packetTrace: { maxFileSizeMB: 2 } });
      p = await client.waitForDiagnostics(uri, { since, timeoutMs: 60_000 });
      assert.equal(p.diagnostics.filter((d) => d.code === 'file.too-large').length, 1);
      assert.equal(p.diagnostics.length, Math.floor((2 * MB) / LINE.length));
    } finally {
      await client.shutdown(60_000);
    }
  });

  // Typing in a file above the limit: an edit inside the cut part is followed by the cut view and its
  // analysis without the whole text (SizeLimiter.edited): lines leave the end of the view or come into
  // it as the edit grows or shrinks the part within the limit. Each step must give what a fresh open
  // of the same text with the same limit gives.
  test('edits inside the cut part: as a fresh open of each text', async () => {
    const client = await LspClient.start({ initializationOptions: { settings: { maxFileSizeMB: 0.25 } } });
    try {
      const uri = fileUri('/robust/cut-edits.trace');
      const one = splitLines(readTrace('bulk-loss-tx/nn.trace'));
      let lines: string[] = [];
      while (lines.join('\n').length < 0.6 * MB) lines = lines.concat(one);
      const first = await client.openAndWait(uri, `${lines.join('\n')}\n`);
      const kept = () => Math.max(...first.diagnostics.map((d) => d.range.end.line));
      assert.ok(kept() > 500 && kept() < lines.length / 2, 'the file is cut');
      const cutLine = Math.floor((0.25 * MB) / (lines.join('\n').length / lines.length));
      const at = (line: number, character: number) => ({ line, character });
      const digit = (line: number) => lines[line]!.indexOf(' win ') + 5;
      const steps: Array<[string, { range: Range; text: string }, (l: string[]) => string[]]> = [
        [
          'a window digit',
          { range: { start: at(900, digit(900)), end: at(900, digit(900) + 1) }, text: '7' },
          (l) => {
            const c = digit(900);
            l[900] = `${l[900]!.slice(0, c)}7${l[900]!.slice(c + 1)}`;
            return l;
          },
        ],
        [
          'a new line (Enter)',
          { range: { start: at(1000, lines[1000]!.length), end: at(1000, lines[1000]!.length) }, text: '\n' },
          (l) => [...l.slice(0, 1001), '', ...l.slice(1001)],
        ],
        [
          'a note typed on it',
          { range: { start: at(1001, 0), end: at(1001, 0) }, text: '# a note' },
          (l) => {
            l[1001] = '# a note';
            return l;
          },
        ],
        [
          'five packet lines deleted',
          { range: { start: at(700, 0), end: at(705, 0) }, text: '' },
          (l) => [...l.slice(0, 700), ...l.slice(705)],
        ],
        [
          'twenty lines pasted',
          { range: { start: at(800, 0), end: at(800, 0) }, text: `${lines.slice(100, 120).join('\n')}\n` },
          (l) => [...l.slice(0, 800), ...lines.slice(100, 120), ...l.slice(800)],
        ],
        [
          'a line near the cut deleted',
          { range: { start: at(cutLine - 30, 0), end: at(cutLine - 29, 0) }, text: '' },
          (l) => [...l.slice(0, cutLine - 30), ...l.slice(cutLine - 29)],
        ],
        [
          'an edit past the cut',
          { range: { start: at(cutLine + 200, 0), end: at(cutLine + 200, 0) }, text: '# far\n' },
          (l) => [...l.slice(0, cutLine + 200), '# far', ...l.slice(cutLine + 200)],
        ],
      ];
      for (const [k, [what, change, apply]] of steps.entries()) {
        const changed = await client.changeAndWait(uri, [change]);
        lines = apply(lines.slice());
        const freshUri = fileUri(`/robust/cut-edits-fresh-${k}.trace`);
        assert.deepEqual(
          changed.diagnostics,
          await client.freshDiagnostics(uri, freshUri, `${lines.join('\n')}\n`),
          what,
        );
        assert.equal(changed.diagnostics.filter((d) => d.code === 'file.too-large').length, 1, what);
        client.close(freshUri);
      }
    } finally {
      await client.shutdown(60_000);
    }
  });

  test('a file within the limit: no notice', async () => {
    const client = await LspClient.start({ initializationOptions: { settings: { maxFileSizeMB: 1 } } });
    try {
      const uri = fileUri('/robust/within-limit.trace');
      const text = LINE.repeat(Math.floor(MB / LINE.length));
      const p = await client.openAndWait(uri, text);
      assert.equal(p.diagnostics.length, text.length / LINE.length - 1);
      assert.ok(p.diagnostics.every((d) => d.code !== 'file.too-large'));
    } finally {
      await client.shutdown(60_000);
    }
  });

  test('cutAtLineBreak: whole lines at or below the limit, any line end', () => {
    assert.equal(cutAtLineBreak('ab\ncd\nef\n', 7), 'ab\ncd\n');
    assert.equal(cutAtLineBreak('ab\ncd\nef\n', 6), 'ab\ncd\n');
    assert.equal(cutAtLineBreak('ab\ncd\nef\n', 5), 'ab\n');
    assert.equal(cutAtLineBreak('ab\ncd\nef\n', 9), 'ab\ncd\nef\n');
    assert.equal(cutAtLineBreak('ab\rcd\ref', 7), 'ab\rcd\r');
    assert.equal(cutAtLineBreak('ab\r\ncd\r\nef', 8), 'ab\r\ncd\r\n');
    // A CRLF split by the limit: the CR ends the kept line, so its line count is unchanged.
    assert.equal(cutAtLineBreak('ab\r\ncd\r\nef', 7), 'ab\r\ncd\r');
    assert.equal(cutAtLineBreak('abcdef', 3), '');
  });

  test('the setting: a number of MB, 0 for no limit, anything else the default 50', () => {
    assert.equal(readSettings({}).maxFileSizeMB, 50);
    assert.equal(readSettings({ maxFileSizeMB: 0 }).maxFileSizeMB, 0);
    assert.equal(readSettings({ maxFileSizeMB: 2.5 }).maxFileSizeMB, 2.5);
    for (const bad of [-1, '10', null, Number.NaN, Number.POSITIVE_INFINITY])
      assert.equal(readSettings({ maxFileSizeMB: bad }).maxFileSizeMB, 50);
  });

  test(
    'a 200 MB file with the default limit (50 MB)',
    {
      skip:
        process.env.ROBUSTNESS_HUGE === '1'
          ? false
          : 'set ROBUSTNESS_HUGE=1: 200 MB through the server (about 20 s)',
    },
    async () => {
      const { client } = await overLimit(undefined, 200, 600_000);
      await client.shutdown(600_000);
    },
  );
});
