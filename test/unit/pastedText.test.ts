// tcpdump's own lines in a pasted terminal session: the command, the banner, ^C and the exit counts are
// no prose, and a count of dropped packets warns that the trace has holes, pointing to its gaps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeTrace, jsonReport, parseTrace, type TraceAnalysis } from '../../server/src/trace/index';
import { reanalyze, reanalyzeEdit } from '../../server/src/trace/incremental';
import {
  commandNumbering,
  commandOptions,
  isCodeFence,
  readTcpdumpMessage,
} from '../../server/src/trace/pastedText';
import { textAt, trace } from '../helpers/parserHelpers';

const HANDSHAKE = [
  '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0',
  '12:00:00.100000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0',
  '12:00:00.200000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, length 0',
];
// 100 bytes the trace never shows, then the next segment.
const AFTER_A_GAP =
  '12:00:00.300000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [P.], seq 101:201, ack 1, win 1024, length 100';

describe("tcpdump's own lines", () => {
  test('each kind is told apart', () => {
    const kinds: Array<[string, string | undefined]> = [
      ['$ tcpdump -nn -i eth0 port 80', 'command'],
      ['user@host:~$ sudo tcpdump -i any -S tcp', 'command'],
      ['[user@host ~]$ sudo -E /usr/sbin/tcpdump -r x.pcap', 'command'],
      ['% tcpdump', 'command'],
      ['tcpdump -nn -r capture.pcap', 'command'],
      ['sudo tcpdump -A', 'command'],
      ['tcpdump: verbose output suppressed, use -v[v]... for full protocol decode', 'banner'],
      ['tcpdump: listening on eth0', 'banner'],
      ['listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes', 'banner'],
      ['listening on eth0, link-type EN10MB (Ethernet), capture size 262144 bytes', 'banner'],
      ['reading from file x.pcap, link-type EN10MB (Ethernet), snapshot length 65535', 'banner'],
      ['^C', 'interrupt'],
      ['^C12 packets captured', 'count'],
      ['12 packets received by filter', 'count'],
      ['1 packet dropped by kernel', 'count'],
      ['0 packets dropped by interface', 'count'],
      // Near misses: prose that mentions tcpdump or counts something else.
      ['I ran tcpdump on the server', undefined],
      ['tcpdumps are fun', undefined],
      ['the tcpdump output below', undefined],
      ['12 packets were lost', undefined],
      ['listening on eth0', undefined],
      ['then: tcpdump shows', undefined],
      ['x'.repeat(3000), undefined],
    ];
    for (const [line, kind] of kinds) assert.equal(readTcpdumpMessage(line)?.kind, kind, line);
    const count = readTcpdumpMessage('^C12 packets captured');
    assert.deepEqual(count, { kind: 'count', count: 12, what: 'captured', numberStart: 2, numberEnd: 4 });
  });

  test('a pasted session: only the packets are records, and nothing is reported', () => {
    const text = trace(
      'user@host:~$ sudo tcpdump -nn -i eth0 port 80',
      'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode',
      'listening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes',
      ...HANDSHAKE,
      '^C3 packets captured',
      '3 packets received by filter',
      '0 packets dropped by kernel',
    );
    const p = parseTrace(text);
    assert.deepEqual(p.problems, []);
    assert.deepEqual(
      p.records.map((r) => r.line),
      [3, 4, 5],
    );
    assert.equal(p.records[2]!.endLine, 5);
    const a = analyzeTrace(text);
    assert.deepEqual(a.findings, []);
    assert.equal(a.connections[0]!.handshake, 'complete');
  });

  test('packets the kernel dropped: a warning on the count, pointing to the gaps', () => {
    const text = trace(
      ...HANDSHAKE,
      AFTER_A_GAP,
      '^C4 packets captured',
      '9 packets received by filter',
      '5 packets dropped by kernel',
    );
    const a = analyzeTrace(text);
    const drop = a.findings.find((f) => f.code === 'capture.packets-dropped');
    assert.ok(drop);
    assert.equal(drop.severity, 'warning');
    assert.equal(drop.span.line, 6);
    assert.equal(textAt(text, drop.span), '5 packets dropped by kernel');
    assert.match(drop.message, /^the kernel dropped 5 packets during this capture/);
    const gap = a.findings.find((f) => f.code === 'tcp.lost-segment');
    assert.ok(gap);
    assert.deepEqual(drop.related, [{ span: gap.span, message: gap.message }]);
  });

  test('one packet dropped by the interface, and none by either: a warning only for the first', () => {
    const one = analyzeTrace(trace(...HANDSHAKE, '1 packet dropped by interface'));
    assert.deepEqual(
      one.findings.map((f) => [f.code, f.span.line, f.message.slice(0, 40)]),
      [['capture.packets-dropped', 3, 'the interface dropped one packet during ']],
    );
    const none = analyzeTrace(
      trace(...HANDSHAKE, '0 packets dropped by kernel', '0 packets dropped by interface'),
    );
    assert.deepEqual(none.findings, []);
  });

  test('no-break spaces from a web page read as the spaces tcpdump printed, every column in place', () => {
    const plain = trace(...HANDSHAKE, AFTER_A_GAP);
    const copied = plain.replace(/ /g, '\u00a0');
    const json = (analysis: TraceAnalysis) => jsonReport([{ file: 't.trace', analysis }]);
    const report = (text: string) => json(analyzeTrace(text));
    assert.equal(report(copied), report(plain));
    assert.equal(analyzeTrace(copied).connections[0]!.handshake, 'complete');
    // Only some of them (a wiki keeps the ones after commas): the same.
    assert.equal(report(plain.replace(/, /g, ',\u00a0')), report(plain));
    // Typed or pasted in an editor, incrementally too.
    const prev = analyzeTrace(plain);
    const whole = reanalyze(
      prev,
      plain.replace('ack 1, win 1024, length 0', 'ack 1, win\u00a01025,\u00a0length 0'),
    );
    assert.equal(
      json(whole!),
      report(plain.replace('ack 1, win 1024, length 0', 'ack 1, win 1025, length 0')),
    );
    // An editor's change event, past the file's head (which is judged whole: 4096 characters).
    const notes = Array.from({ length: 50 }, (_, k) => `# note ${k} ${'.'.repeat(90)}`);
    const long = trace(...notes, ...HANDSHAKE, AFTER_A_GAP);
    const at = HANDSHAKE[2]!.indexOf('win 1024');
    const range = { start: { line: 52, character: at }, end: { line: 52, character: at + 8 } };
    const edited = reanalyzeEdit(analyzeTrace(long), range, 'win\u00a01025');
    assert.ok(edited);
    assert.equal(json(edited), report(long.replace('ack 1, win 1024', 'ack 1, win 1025')));
  });

  test("another tool's prefix on every line (CI log, docker compose, kubectl, a mail's quote): tcpdump's time is still read", () => {
    const plain = trace(...HANDSHAKE, AFTER_A_GAP);
    for (const prefix of ['2024-03-01T12:00:00.1234567Z ', 'tcpdump_1  | ', '[pod/web-7d9c] ', '> ']) {
      const text = plain
        .split('\n')
        .map((l) => (l ? prefix + l : l))
        .join('\n');
      const p = parseTrace(text);
      assert.deepEqual(p.problems, [], prefix);
      assert.deepEqual(
        p.records.map((r) => [r.timeKind, r.timeValue]),
        parseTrace(plain).records.map((r) => [r.timeKind, r.timeValue]),
        prefix,
      );
      assert.equal(textAt(text, p.records[1]!.timeSpan), '12:00:00.100000');
      assert.equal(p.records[1]!.timeSpan!.start, prefix.length);
    }
    // A time in prose, or one followed by no network part, is no packet's.
    const prose = parseTrace(trace('At 12:00:00.000000 the server stopped answering', ...HANDSHAKE));
    assert.deepEqual(
      prose.problems.map((x) => [x.code, x.span.line]),
      [['parse.unknown-line', 0]],
    );
    assert.equal(prose.records.length, 3);
  });

  test("the command's options, read as tcpdump's getopt reads them", () => {
    assert.deepEqual(
      commandOptions('user@host:~$ sudo tcpdump -nnS -i eth0 -vvs96 -c 10 --nano tcp port 80'),
      {
        options: [
          { name: 'nn' },
          { name: 'S' },
          { name: 'i', argument: 'eth0' },
          { name: 'vv' },
          { name: 's', argument: '96' },
          { name: 'c', argument: '10' },
          { name: '--nano' },
        ],
        filter: ['tcp', 'port', '80'],
      },
    );
    assert.equal(commandNumbering('$ tcpdump -nnS'), true);
    assert.equal(commandNumbering('$ tcpdump --absolute-tcp-sequence-numbers -r x.pcap'), true);
    assert.equal(commandNumbering('$ tcpdump -nn -i eth0'), false);
    // -i takes S as its argument here; -w prints no text at all.
    assert.equal(commandNumbering('$ tcpdump -iS'), false);
    assert.equal(commandNumbering('$ tcpdump -S -w out.pcap'), undefined);
  });

  test('the pasted command settles how the numbers are read: -S makes them absolute', () => {
    const relative = analyzeTrace(trace('$ tcpdump -nn -i eth0', ...HANDSHAKE));
    assert.equal(relative.absoluteNumbers, false);
    assert.equal(relative.connections[0]!.handshake, 'complete');
    // The same lines under -S: the final ACK's `ack 1` is then no ACK of the server's ISN 5.
    const absolute = analyzeTrace(trace('$ tcpdump -nnS -i eth0', ...HANDSHAKE));
    assert.equal(absolute.absoluteNumbers, true);
    assert.deepEqual(
      absolute.findings.filter((f) => f.code === 'handshake.bad-ack').map((f) => f.span.line),
      [3],
    );
    // A command after the first packet is another capture's: the numbers are judged as usual.
    assert.equal(analyzeTrace(trace(...HANDSHAKE, '$ tcpdump -nnS -i eth0')).absoluteNumbers, false);
    // An edit past the file's head keeps the command's reading, as a fresh analysis does.
    const notes = Array.from({ length: 50 }, (_, k) => `# note ${k} ${'.'.repeat(90)}`);
    const long = trace('$ tcpdump -nnS -i eth0', ...notes, ...HANDSHAKE, AFTER_A_GAP);
    const at = AFTER_A_GAP.indexOf('seq 101:201');
    const edited = reanalyzeEdit(
      analyzeTrace(long),
      { start: { line: 54, character: at + 4 }, end: { line: 54, character: at + 11 } },
      '2:102',
    );
    assert.ok(edited);
    assert.equal(edited.absoluteNumbers, true);
    const fresh = analyzeTrace(long.replace('seq 101:201', 'seq 2:102'));
    assert.equal(jsonReport([{ file: 't', analysis: edited }]), jsonReport([{ file: 't', analysis: fresh }]));
  });

  test('packet lines run together on one line (the line breaks were lost): a warning, and a fix that splits them', () => {
    const lines = [...HANDSHAKE, AFTER_A_GAP];
    const joined = `${lines.join(' ')}\n`;
    const a = analyzeTrace(joined);
    const f = a.findings.find((x) => x.code === 'parse.joined-packets');
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.equal(f.span.line, 0);
    assert.equal(f.span.start, lines[0]!.length + 1);
    assert.match(f.message, /^3 more packet lines run on after this one/);
    // The first packet's payload summary stops where the next packet starts.
    assert.equal(parseTrace(joined).records[0]!.payloadSummary, undefined);
    const fix = f.fixes![0]!;
    assert.equal(fix.title, 'Split the line into 4 packet lines (their line breaks were lost)');
    let text = joined;
    for (const e of [...fix.edits].reverse())
      text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
    assert.equal(text, trace(...lines));
    // Near misses: a payload summary with a time in it, and one packet alone.
    const summary = `${HANDSHAKE[0]!.replace('length 0', 'length 40: HTTP: GET /at 12:00:00.000000 IP')}`;
    assert.deepEqual(
      parseTrace(trace(summary, HANDSHAKE[0]!)).problems.map((x) => x.code),
      [],
    );
  });

  test('a Markdown fence around the trace is no prose', () => {
    for (const fence of ['```', '```text', '  ```console', '~~~', '````', '``` '])
      assert.equal(isCodeFence(fence), true, fence);
    for (const other of ['``', '```a`b', 'x```', '    ```', '```text and more words'])
      assert.equal(isCodeFence(other), false, other);
    const p = parseTrace(trace('```text', ...HANDSHAKE, '```'));
    assert.deepEqual(p.problems, []);
    assert.equal(p.records.length, 3);
  });

  test('in prose, a line that only mentions tcpdump is still reported', () => {
    const p = parseTrace(trace('I ran tcpdump on the server:', ...HANDSHAKE));
    assert.deepEqual(
      p.problems.map((x) => [x.code, x.span.line]),
      [['parse.unknown-line', 0]],
    );
  });
});
