// The old tcpdump 3.x TCP format and hand-written traces (tcpdump-format.md §16).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACK, CWR, ECE, FIN, PSH, SYN, URG, parseTrace } from '../../server/src/trace/index';
import {
  RLOGIN,
  analyzeLines,
  ep,
  hp,
  only,
  optionList,
  parseClean,
  rec,
  textAt,
  trace,
} from '../helpers/parserHelpers';

// The 3.9 man page's rlogin example and a line of its fragmentation example, verbatim.
const MAN = [...RLOGIN, 'arizona.ftp-data > rtsg.1170: . 1024:1332(308) ack 1 win 4096 (frag 595a:328@0+)'];

describe('§16 old 3.x format', () => {
  test('the man page example: every line is an old-format TCP record, none is a problem', () => {
    const p = parseClean(...MAN);
    assert.equal(p.records.length, MAN.length);
    assert.ok(p.records.every((r) => r.kind === 'tcp' && r.format === 'old'));
    assert.deepEqual(
      p.records.map((r) => r.flags),
      [SYN, SYN | ACK, ACK, PSH | ACK, ACK, PSH | ACK | URG, ACK],
    );
  });

  test("'.' with 'ack' is a pure ACK: ACK comes from the ack field, not the dot", () => {
    const r = rec(parseClean(...MAN), 4);
    assert.equal(r.flags, ACK);
    assert.equal(r.ack, 2);
    assert.equal(r.win, 4096);
    assert.equal(r.seq, undefined);
  });

  test('first:last(len) gives seq, seqEnd and the payload length; ranges point at them', () => {
    const text = trace(MAN[3]!);
    const r = only(MAN[3]!);
    assert.equal(r.seq, 1);
    assert.equal(r.seqEnd, 2);
    assert.equal(r.length, 1);
    assert.equal(textAt(text, r.seqSpan), '1:2(1)');
    assert.equal(textAt(text, r.lengthSpan), '1');
    assert.equal(textAt(text, r.ackSpan), '1');
    assert.equal(textAt(text, r.winSpan), '4096');
    assert.equal(textAt(text, r.flagsSpan), 'P');
  });

  test("the ftp-data line: service name 'ftp-data' (20), 308 bytes, '(frag ...)' note ignored", () => {
    const r = only(MAN[6]!);
    assert.deepEqual(ep(r.src), hp('arizona', 'ftp-data', 20));
    assert.deepEqual(ep(r.dst), hp('rtsg', '1170'));
    assert.equal(r.seq, 1024);
    assert.equal(r.seqEnd, 1332);
    assert.equal(r.length, 308);
    assert.equal(r.ack, 1);
    assert.equal(r.payloadSummary, undefined, 'the IP note is not payload');
  });

  test('relative numbering works the same in the old format (ack 1 after the SYN-ACK)', () => {
    const a = analyzeLines(...MAN.slice(0, 6));
    assert.equal(rec(a, 1).printedRelative, false);
    assert.equal(rec(a, 2).printedRelative, true);
    assert.equal(rec(a, 2).ackAbs, 947649);
    assert.equal(rec(a, 3).seqAbs, 768513);
    assert.equal(rec(a, 5).seqAbs, 947650);
    assert.equal(rec(a, 5).ackAbs, 768533);
  });

  test("options in angle brackets, 3.x 'timestamp VAL ECR' read as TS", () => {
    const r = only(
      'rtsg.1023 > csam.login: S 768512:768512(0) win 4096 <mss 1460,sackOK,timestamp 23049 0,nop,wscale 0>',
    );
    assert.deepEqual(optionList(r), [
      { kind: 'mss', value: 1460 },
      { kind: 'sackOK' },
      { kind: 'TS', tsVal: 23049, tsEcr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', value: 0 },
    ]);
    assert.equal(r.options[2]!.text, 'timestamp 23049 0');
  });

  test("SACK: 3.7's 'sack sack 1 {l:r} ' and 3.9's 'sack 2 {l:r}{l:r}'", () => {
    const a = only('rtsg.1023 > csam.login: . ack 1 win 4096 <nop,nop,sack sack 1 {100:200} >');
    assert.deepEqual(optionList(a)[2], { kind: 'sack', blocks: [[100, 200]] });
    const b = only('rtsg.1023 > csam.login: . ack 1 win 4096 <nop,nop,sack 2 {100:200}{300:400}>');
    assert.deepEqual(optionList(b)[2], {
      kind: 'sack',
      blocks: [
        [100, 200],
        [300, 400],
      ],
    });
  });

  test("an unknown 3.x option 'opt-N:HEX' is kept raw", () => {
    const r = only('rtsg.1023 > csam.login: P 1:2(1) ack 1 win 4096 <opt-30:0102>');
    assert.equal(r.options.length, 1);
    assert.equal(r.options[0]!.text, 'opt-30:0102');
  });

  test("3.7 IP notes after the fields: '(DF)', '[tos 0x10]', '(ttl 64, id 1234, len 60)' are ignored", () => {
    const p = parseClean(
      'rtsg.1023 > csam.login: S 768512:768512(0) win 4096 <mss 1024> (DF)',
      'rtsg.1023 > csam.login: S 768512:768512(0) win 4096 <mss 1024> (DF) [tos 0x10]',
      'rtsg.1023 > csam.login: S 768512:768512(0) win 4096 <mss 1024> (ttl 64, id 1234, len 60)',
      'rtsg.1023 > csam.login: S 768512:768512(0) win 4096 [ttl 1]',
    );
    for (const r of p.records) {
      assert.equal(r.flags, SYN);
      assert.equal(r.seq, 768512);
      assert.equal(r.win, 4096);
      assert.equal(r.payloadSummary, undefined);
    }
  });

  test("3.7 checksum notes after the flags ('[tcp sum ok]', '[bad tcp cksum 1234!]') are skipped", () => {
    const p = parseClean(
      'rtsg.1023 > csam.login: S [tcp sum ok] 768512:768512(0) win 4096',
      '10:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: S [bad tcp cksum 1234!] 1:1(0) win 5840',
    );
    assert.deepEqual(
      p.records.map((r) => [r.flags, r.seq, r.win]),
      [
        [SYN, 768512, 4096],
        [SYN, 1, 5840],
      ],
    );
  });

  test("3.8/3.9: 'IP ' before the endpoints and a timestamp", () => {
    const r = only('10:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: P 1:2(1) ack 1 win 4096');
    assert.equal(r.format, 'old');
    assert.equal(r.timeKind, 'clock');
    assert.equal(r.af, 4);
    assert.deepEqual(ep(r.src), hp('192.0.2.1', '1234'));
    assert.equal(r.flags, PSH | ACK);
  });

  test('3.9 -v: the IP block on the same line, before the endpoints', () => {
    const r = only(
      '10:00:00.000000 IP (tos 0x0, ttl  64, id 1234, offset 0, flags [DF], proto: TCP (6), length: 60) 192.0.2.1.1234 > 192.0.2.2.80: S 1:1(0) win 5840 <mss 1460>',
    );
    assert.equal(r.format, 'old');
    assert.equal(r.flags, SYN);
    assert.equal(r.line, 0);
    assert.equal(r.tcpLine, 0);
    assert.deepEqual(ep(r.dst), hp('192.0.2.2', '80'));
    assert.equal(r.ipId, 1234);
  });

  test("flag letters S F R P W E combine in order: 'SF' is SYN+FIN, 'SWE' is SYN+CWR+ECE", () => {
    const p = parseClean('SF 1:1(0) win 10', 'SWE 1:1(0) win 5840');
    assert.equal(rec(p, 0).flags, SYN | FIN);
    assert.equal(rec(p, 1).flags, SYN | CWR | ECE);
  });

  test("hand-written: lower-case letters ('s') are accepted", () => {
    const r = only('s 1:1(0) win 10');
    assert.equal(r.flags, SYN);
  });

  test("hand-written: 'S.' means SYN+ACK, what the writer meant", () => {
    const r = only('S. 0:0(0) ack 3626544837 win 5840');
    assert.equal(r.flags, SYN | ACK);
    assert.equal(r.ack, 3626544837);
    assert.equal(r.seq, 0);
  });

  test("hand-written: 'P.' without an ack field is PSH+ACK too", () => {
    const r = only('P. 1:79(78) win 5840');
    assert.equal(r.flags, PSH | ACK);
  });

  test('hand-written: fields in any order, no win', () => {
    const r = only('P ack 1 1:79(78)');
    assert.equal(r.flags, PSH | ACK);
    assert.equal(r.seq, 1);
    assert.equal(r.seqEnd, 79);
    assert.equal(r.length, 78);
  });

  test('hand-written: host names without a timestamp, the full handshake', () => {
    const p = parseClean(
      'client.1234 > server.http: S 3626544836:3626544836(0) win 5840 <mss 1460>',
      'server.http > client.1234: S 1000:1000(0) ack 3626544837 win 5840 <mss 1460>',
      'client.1234 > server.http: . ack 1 win 5840',
    );
    assert.deepEqual(ep(rec(p, 0).dst), hp('server', 'http', 80));
    assert.deepEqual(
      p.records.map((r) => r.flags),
      [SYN, SYN | ACK, ACK],
    );
  });

  test('old format: last - first != len is a parse.length-mismatch warning on the triple; the record is kept', () => {
    const text = trace('S 3626544836:3626544836(0) win 5840 <mss 1460>', 'P 1:79(77) ack 1');
    const p = parseTrace(text);
    assert.equal(p.problems.length, 1);
    const pr = p.problems[0]!;
    assert.equal(pr.code, 'parse.length-mismatch');
    assert.equal(pr.span.line, 1);
    assert.equal(textAt(text, pr.span), '1:79(77)');
    assert.match(pr.message, /78 bytes .* 77/);
    assert.equal(rec(p, 1).kind, 'tcp');
    assert.equal(rec(p, 1).length, 77);
    const a = analyzeLines('S 3626544836:3626544836(0) win 5840 <mss 1460>', 'P 1:79(77) ack 1');
    const f = a.findings.find((x) => x.code === 'parse.length-mismatch');
    assert.equal(f?.severity, 'warning');
  });

  test('modern format: seq A:B with B - A != length is a parse.length-mismatch on "A:B"', () => {
    const text = trace(
      '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [P.], seq 1:59, ack 1, win 1024, length 57',
    );
    const p = parseTrace(text);
    assert.deepEqual(
      p.problems.map((x) => x.code),
      ['parse.length-mismatch'],
    );
    assert.equal(textAt(text, p.problems[0]!.span), '1:59');
    assert.match(p.problems[0]!.message, /58 bytes but length is 57/);
    assert.equal(rec(p, 0).kind, 'tcp');
    assert.equal(rec(p, 0).length, 57);
  });

  test('a wrap-around triple (4294967295:9(10)) is not a mismatch', () => {
    const r = only('P 4294967295:9(10) ack 1 win 10');
    assert.equal(r.seq, 4294967295);
    assert.equal(r.seqEnd, 9);
    assert.equal(r.length, 10);
  });

  test('the old format is not confused with a modern line', () => {
    const r = only('12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0');
    assert.equal(r.format, 'modern');
  });
});
