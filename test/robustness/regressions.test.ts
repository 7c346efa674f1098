// The minimal inputs of every bug the robustness tier found in the core, one test each. Bugs not fixed
// yet are `todo` (they run, and pass once the core is fixed: then drop the `todo` and the bug's entry in
// KNOWN_BUGS of support.ts). Quadratic shapes are in linearTime.test.ts, bad-file bugs in
// badFiles.test.ts, each named after its bug the same way.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentCache } from '../../server/src/documentCache';
import { analyzeTrace } from '../../server/src/trace/index';
import { MAX_MESSAGE_LENGTH, analysisFingerprint, checkAnalysis, documentLines } from './support';

/** The violations of `text`, the known-bug filter off. */
function violations(text: string): string[] {
  const a = analyzeTrace(text);
  return checkAnalysis(text, a).map((v) => `[${v.kind}] ${v.detail}`);
}

const HEAD = 'IP 10.0.0.1.1000 > 10.0.0.2.80';

describe('problem-past-line-end', () => {
  const cases: Array<[string, string]> = [
    ["': tcp ' with nothing after it", `${HEAD}: tcp `],
    ["': tcp ' at the end of a CRLF line", `${HEAD}: tcp \r\n`],
    ["a trailing ', ' after the last field", `${HEAD}: Flags [S], seq 1, `],
    ["a trailing ', ' right after the flags", `${HEAD}: Flags [S], `],
  ];
  for (const [name, text] of cases) {
    test(name, () => {
      assert.deepEqual(violations(text), []);
    });
  }
});

describe('unbounded-number-in-message', () => {
  const cases: Array<[string, string]> = [
    ['a 1000-digit window', `${HEAD}: Flags [S], seq 1, win ${'9'.repeat(1000)}, length 0`],
    ['a 1000-digit length', `${HEAD}: Flags [S], seq 1, win 1, length ${'9'.repeat(1000)}`],
    ['a 1 MB sequence number', `${HEAD}: Flags [S], seq ${'4'.repeat(1 << 20)}, win 1, length 0`],
    ['a 1000-digit old-form ack', `10:00:00 sun.1000 > moon.telnet: . ack ${'7'.repeat(1000)} win 5840`],
  ];
  for (const [name, text] of cases) {
    test(name, () => {
      for (const f of analyzeTrace(text).findings)
        assert.ok(
          f.message.length <= MAX_MESSAGE_LENGTH,
          `${f.code}: message of ${f.message.length} characters`,
        );
    });
  }
});

describe('capture-note-message-unbounded', () => {
  const note = '# packet-trace: the capture is damaged ';
  for (const [name, text] of [
    ['a 100 000-character note', `${note}${'x'.repeat(100_000)}\n`],
    ['control characters in the note', `${note}\u0007\u001b[31mred\u0000\n`],
    ['an empty note', `${note}\n`],
  ] as const) {
    test(name, () => {
      for (const f of analyzeTrace(text).findings) {
        assert.ok(f.message.length > 0, `${f.code}: an empty message`);
        assert.ok(
          f.message.length <= MAX_MESSAGE_LENGTH,
          `${f.code}: message of ${f.message.length} characters`,
        );
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(f.message, /[\u0000-\u0008\u000b-\u001f\u007f]/, 'control characters');
      }
    });
  }
});

describe('incremental analysis reuses judgements made on the whole previous text', () => {
  /** Version 1 analysed, then version 2 through the server's cache (incremental where it applies). */
  function cached(v1: string, v2: string) {
    const cache = new DocumentCache();
    cache.get(TextDocument.create('file:///r.trace', 'packet-trace', 1, v1));
    return cache.get(TextDocument.create('file:///r.trace', 'packet-trace', 2, v2)).analysis;
  }
  const HANDSHAKE =
    '10:00:00.000000 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 100, win 1000, length 0\n' +
    '10:00:00.000100 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 500, ack 101, win 1000, length 0\n' +
    '10:00:00.000200 IP 10.0.0.3.1 > 10.0.0.4.2: Flags [P.], seq 1:2, ack 1, win 1, length 1\n';
  // The 4 lines of ../shared/corpus/tcpdump-mptcp-tcprst/A-nn.trace (-A: each packet's bytes as text).
  const DUMP =
    '14:27:19.175792 IP 192.0.2.1.55739 > 192.168.76.28.8080: Flags [R.], seq 1, ack 2176696966, win 256, options [mptcp 4 unknown], length 0\n' +
    'E..,..............L.............`....p......\n' +
    '14:27:19.175964 IP 192.0.2.1.55739 > 192.168.76.28.8080: Flags [R.], seq 0, ack 1, win 256, options [mptcp 4 unknown], length 0\n' +
    'E..,..............L.............`....o......\n';
  // A clock late in the day, then -tt's seconds since the epoch, then a clock time after midnight
  // (from the fuzzer: ../shared/corpus/tcpdump-bgp-shutdown-msg-variations/vv-nn.trace, edited).
  const DAYS =
    '18:24:35.883738 02:00:0a:4d:00:01 > 02:00:0a:4d:00:02, ethertype IPv4 (0x0800), length 78: 10.77.0.1.34860 > 10.77.0.2.5001: Flags [.], ack 209513, win 239, options [nop,nop,TS val 2446398126 ecr 1886808283,nop,nop,sack 1 {210961:241369}], length 0\n' +
    '23.958779 IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto TCP (6), length 81)\n' +
    '    127.0.0.1.20 > 127.0.0.1.179: Flags [S], cksum 0xa709 (correct), seq 0:41, win 8192, length 41: BGP\n' +
    '01:19:23.960010 IP (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto TCP (6), length 62)\n';
  // A clock time that puts the next one on the next day; indented, it reads as -ttt's delta.
  const CLOCK_THEN_DAY =
    '90:50:09.891237 IP 10.0.0.1.1000 > 10.0.0.2.80: Flags [S], seq 1, win 1, length 0\n' +
    '10:50:09.916918 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 5, ack 2, win 1, length 0\n';
  const cases: Array<[string, string, string, string]> = [
    [
      'the day of clock times below a record whose clock time became a -ttt delta',
      'incremental spliced: timesKeptBelow must not time a clock time with the deltas',
      CLOCK_THEN_DAY,
      ` ${CLOCK_THEN_DAY}`,
    ],
    [
      'the day of clock times below an absolute time: the clock time before them made unreadable',
      'incremental spliced: timesKeptBelow compared the absolute time, which no clock before it moves',
      DAYS,
      `0${DAYS.slice(107)}`,
    ],
    [
      "the file's line ending: one LF made CRLF (the quick fix still inserts LF)",
      'incremental reanalyze(): same lines, so the previous analysis is returned with its old eol',
      HANDSHAKE,
      HANDSHAKE.replace('length 0\n10', 'length 0\r\n10'),
    ],
    [
      'whether the file is an -A dump: a payload line turned into a packet-like line',
      'incremental reanalyze() reads the record with the old asciiDump and prefixed judgements of the first pass',
      DUMP,
      DUMP.replace(
        'E..,..............L.............`....o......',
        'E..18:24:35.944238 IP 10.77.0.1.34860 > 10.77.0.2.5001: Flags [.], ack 732241, win 1200, length 0',
      ),
    ],
  ];
  for (const [name, where, v1, v2] of cases) {
    test(`${name} (${where})`, () => {
      assert.deepEqual(analysisFingerprint(cached(v1, v2)), analysisFingerprint(analyzeTrace(v2)));
    });
  }
});

describe('what is not a bug', () => {
  test('a zero-width problem before the end of a line, and a 32-bit overflow, stay inside their line', () => {
    for (const text of [
      `${HEAD}: Flags [S], seq 4294967296, win 1, length 0`,
      `${HEAD}: Flags [S], seq -1, win 1, length 0`,
      `${HEAD}: Flags [S], seq ٣٤, win 1, length 0`,
      `${HEAD}: Flags [S], seq １２, win 1, length 0`,
      `${HEAD}: Flags [S] seq 1`,
      `${HEAD}: tcp x`,
    ]) {
      assert.deepEqual(violations(text), [], text);
      assert.ok(documentLines(text).length === 1);
    }
  });

  test('numbers near 2^32 wrap as tcpdump prints them, no diagnostic', () => {
    const text = [
      `10:00:00.000000 ${HEAD}: Flags [S], seq 4294967295, win 1000, length 0`,
      `10:00:00.000100 IP 10.0.0.2.80 > 10.0.0.1.1000: Flags [S.], seq 7, ack 0, win 1000, length 0`,
      `10:00:00.000200 ${HEAD}: Flags [.], ack 1, win 1000, length 0`,
      `10:00:00.000300 ${HEAD}: Flags [P.], seq 1:11, ack 1, win 1000, length 10`,
    ].join('\n');
    const a = analyzeTrace(text);
    assert.deepEqual(violations(text), []);
    assert.equal(a.connections[0]?.handshake, 'complete');
    assert.deepEqual(
      a.findings.map((f) => f.code),
      [],
    );
  });
});
