// The parser against the test vectors of tcpdump-format.md §18 (1..37), malformed lines, stray text, and
// pathological input. Lines are copied from the doc; where the doc elides text with `...`, a full,
// realistic line is built around the quoted part.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACK,
  AE,
  CWR,
  ECE,
  FIN,
  PSH,
  RST,
  SYN,
  URG,
  analyzeTrace,
  parseTrace,
  splitLines,
  type Span,
} from '../../server/src/trace/index';
import { TextLines } from '../../server/src/trace/parser';
import {
  RLOGIN,
  analyzeLines,
  assertSpanInLine,
  ep,
  hp,
  near,
  only,
  optionList,
  parseClean,
  problemCodes,
  rec,
  textAt,
  trace,
} from '../helpers/parserHelpers';

// tests/dns_tcp.out: packet 1 is verbatim (vector 7); 2, 3, 4, 8, 10, 11 keep the doc's TCP parts.
const DNS = [
  '    1  2020-06-10 09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0',
  '    2  2020-06-10 09:21:03.774584 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [S.], seq 2043824403, ack 603899917, win 64240, options [mss 1460], length 0',
  '    3  2020-06-10 09:21:03.774664 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 1, win 64240, length 0',
  '    4  2020-06-10 09:21:03.774891 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)',
  '    5  2020-06-10 09:21:03.829374 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 59, win 64182, length 0',
  '    6  2020-06-10 09:21:03.831432 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [P.], seq 1:227, ack 59, win 64182, length 226 17177$ 1/0/1 www.tcpdump.org. A 192.139.46.66 (224)',
  '    7  2020-06-10 09:21:03.831469 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 227, win 64014, length 0',
  '    8  2020-06-10 09:21:03.831829 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [F.], seq 59, ack 227, win 64014, length 0',
  '    9  2020-06-10 09:21:03.886162 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 60, win 64239, length 0',
  '   10  2020-06-10 09:21:03.886170 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [FP.], seq 227, ack 60, win 64239, length 0',
  '   11  2020-06-10 09:21:03.886195 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 228, win 64014, length 0',
];
const CLIENT = hp('192.168.1.11', '33779');
const SERVER = hp('209.87.249.18', '53');
const CLIENT_ISN = 603899916;
const SERVER_ISN = 2043824403;

describe('§18 test vectors', () => {
  test('vector 1: a -q line gives number 1, clock time, both endpoints, payload 0 and no flags', () => {
    const text = trace('    1  17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0');
    const r = parseClean('    1  17:16:09.924505 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0')
      .records[0]!;
    assert.equal(r.kind, 'tcp-quiet');
    assert.equal(r.number, 1);
    assert.equal(textAt(text, r.numberSpan), '1');
    assert.equal(r.timeKind, 'clock');
    near(r.timeValue, 17 * 3600 + 16 * 60 + 9.924505);
    assert.equal(textAt(text, r.timeSpan), '17:16:09.924505');
    assert.equal(r.af, 4);
    assert.deepEqual(ep(r.src), hp('131.155.215.69', '46656'));
    assert.deepEqual(ep(r.dst), hp('137.116.81.94', '80'));
    assert.equal(r.length, 0);
    assert.equal(r.flags, undefined, 'flags unknown under -q');
    assert.equal(r.seq, undefined);
    assert.equal(r.ack, undefined);
  });

  test('vector 2: with -t there is no time, only the packet number', () => {
    const r = only('    2  IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0');
    assert.equal(r.kind, 'tcp-quiet');
    assert.equal(r.number, 2);
    assert.equal(r.timeKind, 'none');
    assert.equal(r.timeValue, undefined);
    assert.equal(r.src?.port, 80);
    assert.deepEqual(ep(r.src), hp('137.116.81.94', '80'));
    assert.deepEqual(ep(r.dst), hp('131.155.215.69', '46656'));
  });

  test('vector 3: an epoch time with 9 nanosecond digits (-tt --nano)', () => {
    const line = '    2  1418145370.052027262 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0';
    const r = only(line);
    assert.equal(r.timeKind, 'epoch');
    near(r.timeValue, 1418145370 + 0.052027262);
    assert.equal(textAt(trace(line), r.timeSpan), '1418145370.052027262');
    assert.equal(r.number, 2);
    assert.equal(r.length, 0);
  });

  test('vector 4: a -ttt delta of +0.127522 s, the sign space included', () => {
    const line = '    2   00:00:00.127522 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0';
    const r = only(line);
    assert.equal(r.timeKind, 'delta');
    near(r.timeValue, 0.127522);
    assert.equal(textAt(trace(line), r.timeSpan), ' 00:00:00.127522');
    assert.equal(r.number, 2);
    assert.deepEqual(ep(r.src), hp('137.116.81.94', '80'));
  });

  test('vector 5: a -tttt date and clock (2014-12-09 17:16:10.052027)', () => {
    const line = '    2  2014-12-09 17:16:10.052027 IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0';
    const r = only(line);
    assert.equal(r.timeKind, 'datetime');
    near(r.timeValue, Date.UTC(2014, 11, 9, 17, 16, 10) / 1000 + 0.052027);
    assert.equal(new Date(r.timeValue! * 1000).toISOString(), '2014-12-09T17:16:10.052Z');
    assert.equal(textAt(trace(line), r.timeSpan), '2014-12-09 17:16:10.052027');
  });

  const V6 = '    2  17:16:10.1000000 (invalid us) IP 137.116.81.94.80 > 131.155.215.69.46656: tcp 0';
  test('vector 6: a 7-digit microsecond field with "(invalid us)" still gives a clock time and the packet', () => {
    const r = only(V6);
    assert.equal(r.kind, 'tcp-quiet');
    assert.equal(r.number, 2);
    assert.equal(r.timeKind, 'clock');
    assert.equal(textAt(trace(V6), r.timeSpan), '17:16:10.1000000', 'the time span stops before the marker');
    assert.deepEqual(ep(r.src), hp('137.116.81.94', '80'));
    assert.deepEqual(ep(r.dst), hp('131.155.215.69', '46656'));
  });

  test('vector 6: the invalid microsecond field 1000000 is not read as .1 s', {}, () => {
    const r = only(V6);
    assert.ok(r.timeValue === undefined || Math.abs(r.timeValue - 62171) < 1e-9, `timeValue ${r.timeValue}`);
  });

  test('vector 7: a SYN with its absolute seq, window and five options (mss, sackOK, TS, nop, wscale)', () => {
    const r = only(DNS[0]!);
    assert.equal(r.kind, 'tcp');
    assert.equal(r.format, 'modern');
    assert.equal(r.number, 1);
    assert.equal(r.flags, SYN);
    assert.equal(r.seq, CLIENT_ISN);
    assert.equal(r.seqEnd, undefined);
    assert.equal(r.ack, undefined);
    assert.equal(r.win, 64240);
    assert.deepEqual(optionList(r), [
      { kind: 'mss', value: 1460 },
      { kind: 'sackOK' },
      { kind: 'TS', tsVal: 2044906138, tsEcr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', value: 7 },
    ]);
    assert.equal(r.length, 0);
    assert.equal(r.truncated, undefined);
    assert.equal(textAt(trace(DNS[0]!), r.seqSpan), '603899916');
    assert.equal(textAt(trace(DNS[0]!), r.winSpan), '64240');
    const a = analyzeLines(DNS[0]!);
    assert.equal(rec(a, 0).seqAbs, CLIENT_ISN, 'a SYN is always absolute');
  });

  test('vector 8: the SYN-ACK is absolute and sets the bases of both sides', () => {
    const r = parseClean(...DNS.slice(0, 2)).records[1]!;
    assert.equal(r.flags, SYN | ACK);
    assert.equal(r.seq, SERVER_ISN);
    assert.equal(r.ack, CLIENT_ISN + 1);
    assert.deepEqual(optionList(r), [{ kind: 'mss', value: 1460 }]);
    assert.equal(r.length, 0);
    const a = analyzeLines(...DNS.slice(0, 4));
    assert.equal(a.absoluteNumbers, false);
    assert.equal(rec(a, 1).seqAbs, SERVER_ISN);
    assert.equal(rec(a, 1).ackAbs, CLIENT_ISN + 1);
    assert.equal(rec(a, 1).printedRelative, false);
    // Bases server = ISNs, client = ISNc: the next lines print 1 for ISN + 1.
    assert.equal(rec(a, 2).ackAbs, SERVER_ISN + 1);
    assert.equal(rec(a, 3).seqAbs, CLIENT_ISN + 1);
  });

  test('vector 9: a pure ACK has no seq, and its relative "ack 1" is the server ISN + 1', () => {
    const r = parseClean(...DNS.slice(0, 3)).records[2]!;
    assert.equal(r.flags, ACK);
    assert.equal(r.seq, undefined);
    assert.equal(r.ack, 1);
    assert.equal(r.win, 64240);
    assert.equal(r.length, 0);
    const a = analyzeLines(...DNS.slice(0, 3));
    assert.equal(rec(a, 2).printedRelative, true);
    assert.equal(rec(a, 2).ackAbs, 2043824404);
    assert.equal(rec(a, 2).seqAbs, undefined);
  });

  test('vector 10: DNS data: seq 1:59, 58 bytes, and the DNS summary after a space', () => {
    const r = parseClean(...DNS.slice(0, 4)).records[3]!;
    assert.equal(r.flags, PSH | ACK);
    assert.equal(r.seq, 1);
    assert.equal(r.seqEnd, 59);
    assert.equal(r.ack, 1);
    assert.equal(r.length, 58);
    assert.equal(r.payloadSummary, '17177+ [1au] A? www.tcpdump.org. (56)');
    assert.equal(textAt(trace(...DNS.slice(0, 4)), r.seqSpan), '1:59');
    const a = analyzeLines(...DNS.slice(0, 4));
    assert.equal(rec(a, 3).seqAbs, CLIENT_ISN + 1);
    assert.equal(rec(a, 3).ackAbs, SERVER_ISN + 1);
  });

  test('vector 11: the server FIN+PSH at relative 227 occupies 227 (absolute ISN + 227)', () => {
    const p = parseClean(...DNS);
    assert.equal(p.records.length, 11);
    const r = rec(p, 9);
    assert.equal(r.number, 10);
    assert.deepEqual(ep(r.src), SERVER);
    assert.deepEqual(ep(r.dst), CLIENT);
    assert.equal(r.flags, FIN | PSH | ACK);
    assert.equal(r.seq, 227);
    assert.equal(r.seqEnd, undefined);
    assert.equal(r.ack, 60);
    assert.equal(r.win, 64239);
    assert.equal(r.length, 0);
    const a = analyzeLines(...DNS);
    assert.equal(rec(a, 9).printedRelative, true);
    assert.equal(rec(a, 9).seqAbs, SERVER_ISN + 227);
    assert.equal(rec(a, 9).ackAbs, CLIENT_ISN + 60);
    // The client FIN (packet 8) is 59 relative, the absolute numbers of the filtered capture in §10.
    assert.equal(rec(a, 7).seqAbs, 603899975);
    assert.equal(rec(a, 7).ackAbs, 2043824630);
  });

  test('vector 12: the last ACK (228) acknowledges the FIN at 227: FIN seq + 1', () => {
    const a = analyzeLines(...DNS);
    const r = rec(a, 10);
    assert.equal(r.flags, ACK);
    assert.equal(r.ack, 228);
    assert.equal(r.win, 64014);
    assert.equal(r.ackAbs, rec(a, 9).seqAbs! + 1);
    assert.deepEqual(
      a.findings
        .filter((f) => f.code.startsWith('parse.') || f.code.startsWith('teardown.'))
        .map((f) => f.code),
      [],
      'the FIN is acknowledged correctly',
    );
  });

  const V13 =
    '    4  2018-10-08 17:24:02.480417 IP 192.168.1.1.22 > 192.168.1.2.51326: Flags [P.], seq 1:22, ack 1, win 4096, length 21: SSH: SSH-2.0-OpenSSH_7.8';
  test('vector 13: the SSH banner: 21 bytes and the SSH version in the payload summary', () => {
    const r = only(V13);
    assert.equal(r.flags, PSH | ACK);
    assert.equal(r.seq, 1);
    assert.equal(r.seqEnd, 22);
    assert.equal(r.length, 21);
    assert.ok(r.payloadSummary?.endsWith('SSH: SSH-2.0-OpenSSH_7.8'), `payloadSummary ${r.payloadSummary}`);
  });

  test('vector 13: the payload summary is the text after "length 21", ": SSH: ..." included', {}, () => {
    assert.equal(only(V13).payloadSummary, ': SSH: SSH-2.0-OpenSSH_7.8');
  });

  test('vector 14: 14 nops and one SACK block {5282:5283}', () => {
    const line =
      '   48  2018-10-08 17:24:03.480417 IP 192.168.1.2.51326 > 192.168.1.1.22: Flags [.], ack 5186, win 340, options [nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,nop,sack 1 {5282:5283}], length 0';
    const r = only(line);
    assert.equal(r.flags, ACK);
    assert.equal(r.ack, 5186);
    assert.equal(r.win, 340);
    assert.equal(r.options.length, 15);
    assert.deepEqual(
      r.options.slice(0, 14).map((o) => o.kind),
      new Array(14).fill('nop'),
    );
    assert.deepEqual(optionList(r)[14], { kind: 'sack', blocks: [[5282, 5283]] });
    assert.equal(textAt(trace(line), r.options[14]!.span), 'sack 1 {5282:5283}');
    assert.equal(r.length, 0);
  });

  const SSH_END = [
    '   46  2018-10-08 17:24:03.000000 IP 192.168.1.1.22 > 192.168.1.2.51326: Flags [P.], seq 5090:5186, ack 3312, win 4096, length 96',
    '   49  2018-10-08 17:24:03.480500 IP 192.168.1.1.22 > 192.168.1.2.51326: Flags [FP.], seq 5186:5282, ack 3312, win 4096, length 96',
    '   51  2018-10-08 17:24:03.490500 IP 192.168.1.2.51326 > 192.168.1.1.22: Flags [.], ack 5283, win 340, length 0',
  ];
  test('vector 15: data 5186-5281 with FIN: seq 5186:5282, 96 bytes; the peer acks 5283', () => {
    const p = parseClean(...SSH_END);
    const r = rec(p, 1);
    assert.equal(r.flags, FIN | PSH | ACK);
    assert.equal(r.seq, 5186);
    assert.equal(r.seqEnd, 5282);
    assert.equal(r.length, 96);
    assert.equal(r.seqEnd! - r.seq!, r.length, 'B = A + length; the FIN is not counted');
    const a = analyzeLines(...SSH_END);
    assert.deepEqual(
      a.findings.filter((f) => f.code.startsWith('teardown.')).map((f) => f.code),
      [],
      'ack 5283 = FIN at 5282 + 1',
    );
  });

  test('vector 16: all eight classic flags [FSRP.UEW], urg 0, absolute seq and ack', () => {
    const line =
      '    1  2018-11-01 10:51:25.009792 IP 10.0.0.2.6260 > 10.128.0.2.80: Flags [FSRP.UEW], seq 576462951, ack 486026015, win 512, urg 0, length 0';
    const r = only(line);
    assert.equal(r.flags, FIN | SYN | RST | PSH | ACK | URG | ECE | CWR);
    assert.equal(r.seq, 576462951);
    assert.equal(r.ack, 486026015);
    assert.equal(r.win, 512);
    assert.equal(r.urg, 0);
    assert.equal(textAt(trace(line), r.urgSpan), '0');
    assert.equal(r.length, 0);
    const a = analyzeLines(line);
    assert.equal(rec(a, 0).printedRelative, false);
    assert.equal(rec(a, 0).seqAbs, 576462951);
    assert.equal(rec(a, 0).ackAbs, 486026015);
  });

  test('vector 17: a bare RST is absolute and has no ack', () => {
    const line =
      '   26  2013-10-22 07:06:11.997117 IP 127.0.0.1.56440 > 127.0.0.1.6633: Flags [R], seq 2428319660, win 0, length 0';
    const r = only(line);
    assert.equal(r.number, 26);
    assert.equal(r.flags, RST);
    assert.equal(r.seq, 2428319660);
    assert.equal(r.ack, undefined);
    assert.equal(r.win, 0);
    assert.deepEqual(ep(r.src), hp('127.0.0.1', '56440'));
    assert.deepEqual(ep(r.dst), hp('127.0.0.1', '6633'));
    const a = analyzeLines(line);
    assert.equal(rec(a, 0).printedRelative, false);
    assert.equal(rec(a, 0).seqAbs, 2428319660);
  });

  test('vector 18: a -v two-line record: IP id 0, flags SYN+ECE+CWR+AE, incorrect checksum 0x209c -> 0xe443', () => {
    const lines = [
      '    1  2022-07-26 06:26:07.794026 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60)',
      '    31.133.146.248.16433 > 66.228.43.12.80: Flags [SEWe], cksum 0x209c (incorrect -> 0xe443), seq 1948076589, win 65535, options [mss 1460,nop,wscale 6,sackOK,TS val 112147477 ecr 0], length 0',
    ];
    const r = only(...lines);
    assert.equal(r.kind, 'tcp');
    assert.equal(r.line, 0);
    assert.equal(r.tcpLine, 1);
    assert.equal(r.endLine, 1);
    assert.equal(r.number, 1);
    assert.equal(r.af, 4);
    assert.equal(r.ipId, 0);
    assert.equal(r.flags, SYN | ECE | CWR | AE);
    assert.equal(r.cksum?.value, '209c');
    assert.equal(r.cksum?.correct, false);
    assert.equal(r.cksum?.expected, 'e443');
    assert.equal(r.seq, 1948076589);
    assert.equal(r.win, 65535);
    assert.deepEqual(optionList(r), [
      { kind: 'mss', value: 1460 },
      { kind: 'nop' },
      { kind: 'wscale', value: 6 },
      { kind: 'sackOK' },
      { kind: 'TS', tsVal: 112147477, tsEcr: 0 },
    ]);
    assert.deepEqual(ep(r.src), hp('31.133.146.248', '16433'));
    assert.equal(r.srcSpan?.line, 1);
    assert.equal(r.length, 0);
  });

  test('vector 19: under -vv a pure ACK prints seq 1', () => {
    const r = only(
      '    3  2020-06-10 09:21:03.774664 IP (tos 0x0, ttl 64, id 25741, offset 0, flags [DF], proto TCP (6), length 40)',
      '    192.168.1.11.33779 > 209.87.249.18.53: Flags [.], cksum 0xf5aa (correct), seq 1, ack 1, win 64240, length 0',
    );
    assert.equal(r.flags, ACK);
    assert.equal(r.seq, 1);
    assert.equal(r.seqEnd, undefined);
    assert.equal(r.ack, 1);
    assert.deepEqual(r.cksum && { value: r.cksum.value, correct: r.cksum.correct }, {
      value: 'f5aa',
      correct: true,
    });
    assert.equal(r.cksum?.expected, undefined);
    assert.equal(r.length, 0);
  });

  test('vector 20: RST+ACK carrying 58 bytes keeps the bracketed RST text as the payload summary', () => {
    const r = only(
      '    1  2011-04-11 17:49:21.000000 IP (tos 0x0, ttl 250, id 0, offset 0, flags [DF], proto TCP (6), length 98)',
      '    199.204.31.89.80 > 172.16.133.41.52875: Flags [R.], cksum 0x8471 (correct), seq 1617159969:1617160027, ack 1936660873, win 5785, length 58 [RST+ BIG-IP: [0x11c5672:3045] {peer]',
    );
    assert.equal(r.flags, RST | ACK);
    assert.equal(r.seq, 1617159969);
    assert.equal(r.seqEnd, 1617160027);
    assert.equal(r.ack, 1936660873);
    assert.equal(r.length, 58);
    assert.equal(r.payloadSummary, '[RST+ BIG-IP: [0x11c5672:3045] {peer]');
    assert.equal(r.truncated, undefined);
  });

  test('vector 21: the experimental TFO option "exp-tfo cookiereq"', () => {
    const r = only(
      '    1  2016-03-09 10:00:00.000000 IP 192.168.0.1.50000 > 192.168.0.2.80: Flags [S], seq 218476388, win 1400, options [exp-tfo cookiereq], length 0',
    );
    assert.equal(r.flags, SYN);
    assert.equal(r.seq, 218476388);
    assert.equal(r.win, 1400);
    assert.deepEqual(
      r.options.map((o) => [o.kind, o.text]),
      [['exp-tfo', 'exp-tfo cookiereq']],
    );
    assert.equal(r.length, 0);
  });

  test('vector 22: an MPTCP option with its own "flags [H]" does not end the options list', () => {
    const r = only(
      '    1  2020-02-07 12:10:04.135163 IP 10.0.0.1.45056 > 10.0.0.2.8080: Flags [S], seq 2561155410, win 64240, options [mss 1460,sackOK,TS val 464494241 ecr 0,nop,wscale 8,mptcp 4 capable v1 flags [H]], length 0',
    );
    assert.equal(r.options.length, 5 + 1, 'mss, sackOK, TS, nop, wscale, mptcp');
    assert.deepEqual(
      r.options.map((o) => o.kind),
      ['mss', 'sackOK', 'TS', 'nop', 'wscale', 'mptcp'],
    );
    assert.equal(r.options[5]!.text, 'mptcp 4 capable v1 flags [H]');
    assert.equal(r.length, 0, 'the length after the list is still read');
    assert.equal(r.truncated, undefined);
  });

  test('vector 23: IPv6 endpoints split at the last dot; absolute seq/ack; 7140 bytes', () => {
    const line =
      '    1  16:27:33.363746 IP6 2604:1380:4091:ce00::b.36539 > 2604:1380:4091:ce00::d.45393: Flags [P.], seq 1110639583:1110646723, ack 3034762532, win 169, options [nop,nop,TS val 3655207884 ecr 3954243053], length 7140';
    const r = only(line);
    assert.equal(r.af, 6);
    assert.deepEqual(ep(r.src), hp('2604:1380:4091:ce00::b', '36539'));
    assert.deepEqual(ep(r.dst), hp('2604:1380:4091:ce00::d', '45393'));
    assert.equal(r.flags, PSH | ACK);
    assert.equal(r.seq, 1110639583);
    assert.equal(r.seqEnd, 1110646723);
    assert.equal(r.ack, 3034762532);
    assert.equal(r.win, 169);
    assert.equal(r.length, 7140);
    const a = analyzeLines(line);
    assert.equal(rec(a, 0).printedRelative, false, 'the first ACK-bearing line is absolute');
    assert.equal(rec(a, 0).seqAbs, 1110639583);
    assert.equal(rec(a, 0).ackAbs, 3034762532);
  });

  test('vector 24: flags [.Ue] and an unknown option cut off by [|tcp]: truncated, no length', () => {
    const r = only(
      '    1  2009-11-11 12:00:00.000000 IP (tos 0x30, ttl 48, id 12336, offset 0, flags [DF], proto TCP (6), length 12336, bad cksum 3030 (->bc6b)!)',
      '    48.48.48.48.12336 > 48.48.48.48.12336: Flags [.Ue], seq 808464432:808476688, ack 808464432, win 12336, urg 12336, options [unknown-48 0x3030303030303030 [|tcp]',
    );
    assert.equal(r.kind, 'tcp');
    assert.equal(r.flags, ACK | URG | AE);
    assert.equal(r.seq, 808464432);
    assert.equal(r.seqEnd, 808476688);
    assert.equal(r.ack, 808464432);
    assert.equal(r.win, 12336);
    assert.equal(r.urg, 12336);
    assert.deepEqual(
      r.options.map((o) => [o.kind, o.text]),
      [['unknown-48', 'unknown-48 0x3030303030303030']],
    );
    assert.equal(r.truncated, true);
    assert.equal(r.length, undefined);
  });

  test('vector 25: "  [|tcp]" right after the endpoints: endpoints only, truncated, no flags', () => {
    const r = only(
      '    1  2009-11-11 12:00:00.000000 IP (tos 0x30, ttl 48, id 12336, offset 0, flags [DF], proto TCP (6), length 12336)',
      '    48.48.48.48.12336 > 48.48.48.48.12336:  [|tcp]',
    );
    assert.equal(r.kind, 'tcp-truncated');
    assert.equal(r.tcpLine, 1);
    assert.deepEqual(ep(r.src), hp('48.48.48.48', '12336'));
    assert.deepEqual(ep(r.dst), hp('48.48.48.48', '12336'));
    assert.equal(r.truncated, true);
    assert.equal(r.flags, undefined);
    assert.equal(r.seq, undefined);
    assert.equal(r.length, undefined);
  });

  const V26 =
    '    1  2016-07-01 12:00:00.000000 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], seq 3757264999, win 8192, options [mss 1452,nop,wscale 2,nop,nop,scps[bad opt]]';
  test('vector 26: "scps[bad opt]]": the five good options are kept, the segment is marked cut, no length', () => {
    const r = only(V26);
    assert.equal(r.kind, 'tcp');
    assert.equal(r.flags, SYN);
    assert.equal(r.seq, 3757264999);
    assert.equal(r.win, 8192);
    assert.deepEqual(optionList(r).slice(0, 5), [
      { kind: 'mss', value: 1452 },
      { kind: 'nop' },
      { kind: 'wscale', value: 2 },
      { kind: 'nop' },
      { kind: 'nop' },
    ]);
    assert.equal(r.options.length, 6);
    assert.equal(r.options[5]!.text, 'scps[bad opt]');
    assert.equal(r.truncated, true);
    assert.equal(r.length, undefined);
  });

  test('vector 26: the broken option is an "scps" option', {}, () => {
    assert.equal(only(V26).options[5]!.kind, 'scps');
  });

  test('vector 27: a -X hex dump line stays in its record as a hex continuation', () => {
    const text = trace(
      '    1  2009-11-11 12:00:00.000000 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [S], seq 928549246, win 32792, options [mss 16396,sackOK,TS val 1306300950 ecr 0,nop,wscale 3], length 0',
      '\t0x0000:  4500 003c 1b68 4000 4006 2152 7f00 0001  E..<.h@.@.!R....',
    );
    const p = parseTrace(text);
    assert.deepEqual(p.problems, []);
    assert.equal(p.records.length, 1);
    const r = rec(p, 0);
    assert.equal(r.dump, 'hex');
    assert.equal(r.line, 0);
    assert.equal(r.endLine, 1);
    assert.equal(r.flags, SYN);
  });

  test('vector 28: -e Ethernet header: no IP token, IPv4 from the ethertype, link text kept', () => {
    const r = only(
      '    1  09:21:03.720289 00:11:22:33:44:55 > 00:11:22:33:44:66, ethertype IPv4 (0x0800), length 74: 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0',
    );
    assert.equal(r.af, 4);
    assert.deepEqual(ep(r.src), CLIENT);
    assert.deepEqual(ep(r.dst), SERVER);
    assert.equal(r.flags, SYN);
    assert.equal(r.seq, CLIENT_ISN);
    assert.ok(r.linkText, 'link text kept');
    for (const part of ['00:11:22:33:44:55', '00:11:22:33:44:66', '0x0800', 'length 74']) {
      assert.ok(r.linkText.includes(part), `linkText has ${part}: ${r.linkText}`);
    }
    assert.equal(r.length, 0, 'the TCP length, not the frame length');
  });

  test('vector 29: SYN-ACK not captured: the third ACK is absolute, the client data starts at seq 0', () => {
    const lines = [
      '    9  2017-12-01 10:00:00.000000 IPOIB, ethertype IPv4 (0x0800), length 104: 192.168.56.10.34170 > 192.168.56.20.22: Flags [SEW], seq 798232822, win 29200, options [mss 65520,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
      '   10  2017-12-01 10:00:00.000100 IPOIB, ethertype IPv4 (0x0800), length 84: 192.168.56.10.34170 > 192.168.56.20.22: Flags [.], ack 3051049339, win 33232, options [nop,nop,TS val 2 ecr 3], length 0',
      '   11  2017-12-01 10:00:00.000200 IPOIB, ethertype IPv4 (0x0800), length 110: 192.168.56.10.34170 > 192.168.56.20.22: Flags [P.], seq 0:26, ack 1, win 33232, options [nop,nop,TS val 3 ecr 3], length 26: SSH: SSH-2.0-OpenSSH_7.5 FIPS',
    ];
    const p = parseClean(...lines);
    assert.equal(rec(p, 0).flags, SYN | ECE | CWR);
    assert.equal(rec(p, 1).flags, ACK);
    assert.equal(rec(p, 1).ack, 3051049339);
    assert.equal(rec(p, 2).flags, PSH | ACK);
    assert.equal(rec(p, 2).seq, 0);
    assert.equal(rec(p, 2).seqEnd, 26);
    assert.equal(rec(p, 2).ack, 1);
    assert.equal(rec(p, 2).length, 26);
    const a = analyzeLines(...lines);
    assert.equal(rec(a, 1).printedRelative, false, 'packet 10 sets the bases');
    assert.equal(rec(a, 1).ackAbs, 3051049339);
    assert.equal(rec(a, 2).printedRelative, true);
    assert.equal(rec(a, 2).seqAbs, 798232822 + 1, 'relative 0 = the first byte after the SYN');
    assert.equal(rec(a, 2).ackAbs, 3051049339);
  });

  const V30 =
    '    4  03:57:35.939423 IP localhost.55920 > localhost.http: Flags [P.], seq 1:203, ack 1, win 8192, options [nop,nop,TS val 1306300951 ecr 1306300950], length 202: HTTP: GET / HTTP/1.1';
  test('vector 30: host names and the service name "http" (port 80)', () => {
    const r = only(V30);
    assert.deepEqual(ep(r.src), hp('localhost', '55920'));
    assert.deepEqual(ep(r.dst), hp('localhost', 'http', 80));
    assert.equal(r.flags, PSH | ACK);
    assert.equal(r.seq, 1);
    assert.equal(r.seqEnd, 203);
    assert.equal(r.length, 202);
    assert.ok(r.payloadSummary?.endsWith('HTTP: GET / HTTP/1.1'), `payloadSummary ${r.payloadSummary}`);
  });

  test('vector 30: the payload summary is ": HTTP: GET / HTTP/1.1"', {}, () => {
    assert.equal(only(V30).payloadSummary, ': HTTP: GET / HTTP/1.1');
  });

  const V31 =
    '    1  2015-02-01 22:04:33.999279 IP 20.0.0.2.43443 > 20.0.0.1.6081: Geneve, Flags [none], vni 0xb: IP 30.0.0.2.51225 > 30.0.0.1.22: Flags [S], seq 397610159, win 14600, options [mss 1460,sackOK,TS val 2876069566 ecr 0,nop,wscale 7], length 0';
  test("vector 31: Geneve: the TCP part is the inner one, not Geneve's own Flags [none]", () => {
    const r = only(V31);
    assert.equal(r.kind, 'tcp');
    assert.deepEqual(ep(r.src), hp('30.0.0.2', '51225'));
    assert.deepEqual(ep(r.dst), hp('30.0.0.1', '22'));
    assert.equal(r.flags, SYN);
    assert.equal(textAt(trace(V31), r.flagsSpan), 'Flags [S]');
    assert.equal(r.seq, 397610159);
    assert.equal(r.win, 14600);
    assert.equal(r.options.length, 5);
    assert.equal(r.af, 4);
  });

  test('vector 31: the outer tunnel endpoints 20.0.0.2.43443 > 20.0.0.1.6081 are kept', {}, () => {
    const r = only(V31);
    assert.match(r.linkText ?? '', /20\.0\.0\.2\.43443 > 20\.0\.0\.1\.6081/);
  });

  test('vector 32: Flags [none] is the empty flag set; port 0; 60121 bytes', () => {
    const r = only(
      '    1  2019-05-23 10:00:00.000000 IP (tos 0x0, ttl 255, id 0, offset 0, flags [none], proto TCP (6), length 60165)',
      '    241.0.128.19.179 > 239.8.0.1.0: Flags [none], seq 2146695561:2146755682, win 56026, options [unknown-161,eol], length 60121: BGP',
    );
    assert.equal(r.flags, 0);
    assert.deepEqual(ep(r.src), hp('241.0.128.19', '179'));
    assert.deepEqual(ep(r.dst), hp('239.8.0.1', '0'));
    assert.equal(r.dst?.port, 0);
    assert.equal(r.seq, 2146695561);
    assert.equal(r.seqEnd, 2146755682);
    assert.equal(r.win, 56026);
    assert.deepEqual(optionList(r), [{ kind: 'unknown-161' }, { kind: 'eol' }]);
    assert.equal(r.length, 60121);
  });

  test('vector 33: old format SYN "S 768512:768512(0) win 4096 <mss 1024>" to csam.login', () => {
    const r = only(RLOGIN[0]!);
    assert.equal(r.kind, 'tcp');
    assert.equal(r.format, 'old');
    assert.equal(r.flags, SYN);
    assert.equal(r.seq, 768512);
    assert.equal(r.seqEnd, 768512);
    assert.equal(r.length, 0);
    assert.equal(r.ack, undefined);
    assert.equal(r.win, 4096);
    assert.deepEqual(optionList(r), [{ kind: 'mss', value: 1024 }]);
    assert.deepEqual(ep(r.src), hp('rtsg', '1023'));
    assert.deepEqual(ep(r.dst), hp('csam', 'login', 513));
  });

  test('vector 34: old format SYN-ACK: ACK comes from the "ack" field; ack 768513 absolute', () => {
    const p = parseClean(...RLOGIN.slice(0, 2));
    const r = rec(p, 1);
    assert.equal(r.flags, SYN | ACK);
    assert.equal(r.seq, 947648);
    assert.equal(r.ack, 768513);
    assert.equal(r.win, 4096);
    const a = analyzeLines(...RLOGIN.slice(0, 2));
    assert.equal(rec(a, 1).printedRelative, false);
    assert.equal(rec(a, 1).ackAbs, 768513);
  });

  test('vector 35: old format ". ack 1 win 4096" is a pure ACK with relative ack 1', () => {
    const p = parseClean(...RLOGIN.slice(0, 3));
    const r = rec(p, 2);
    assert.equal(r.flags, ACK);
    assert.equal(r.seq, undefined);
    assert.equal(r.ack, 1);
    assert.equal(r.win, 4096);
    const a = analyzeLines(...RLOGIN.slice(0, 3));
    assert.equal(rec(a, 2).printedRelative, true);
    assert.equal(rec(a, 2).ackAbs, 947649);
  });

  test('vector 36: old format "P 2:3(1) ack 21 win 4077 urg 1" is PSH+ACK+URG with 1 byte', () => {
    const p = parseClean(...RLOGIN);
    const r = rec(p, 5);
    assert.equal(r.flags, PSH | ACK | URG);
    assert.equal(r.seq, 2);
    assert.equal(r.seqEnd, 3);
    assert.equal(r.length, 1);
    assert.equal(r.ack, 21);
    assert.equal(r.win, 4077);
    assert.equal(r.urg, 1);
    assert.deepEqual(ep(r.src), hp('csam', 'login', 513));
  });

  test('vector 37: hand-written fragments without endpoints (S, ., P, F)', () => {
    const p = parseClean(
      'S 3626544836:3626544836(0) win 5840 <mss 1460>',
      '. ack 1 win 5840',
      'P 1:79(78) ack 1',
      'F 79:79(0)',
    );
    assert.equal(p.records.length, 4);
    for (const r of p.records) {
      assert.equal(r.kind, 'tcp');
      assert.equal(r.format, 'old');
      assert.equal(r.src, undefined);
      assert.equal(r.dst, undefined);
    }
    const [s, a, d, f] = [rec(p, 0), rec(p, 1), rec(p, 2), rec(p, 3)];
    assert.equal(s.flags, SYN);
    assert.equal(s.seq, 3626544836);
    assert.equal(s.seqEnd, 3626544836);
    assert.equal(s.length, 0);
    assert.equal(s.win, 5840);
    assert.deepEqual(optionList(s), [{ kind: 'mss', value: 1460 }]);
    assert.equal(a.flags, ACK);
    assert.equal(a.ack, 1);
    assert.equal(a.seq, undefined);
    assert.equal(d.flags, PSH | ACK);
    assert.equal(d.seq, 1);
    assert.equal(d.seqEnd, 79);
    assert.equal(d.length, 78);
    assert.equal(d.ack, 1);
    assert.equal(f.flags, FIN, 'no ack field, so no ACK');
    assert.equal(f.seq, 79);
    assert.equal(f.seqEnd, 79);
    assert.equal(f.length, 0);
  });
});

describe('malformed lines', () => {
  const BEFORE = '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0';
  const AFTER =
    '12:00:00.200000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0';
  const P = '12:00:00.100000 IP 192.0.2.1.1234 > 192.0.2.2.80: ';
  /** Column of `tok` in the line, searched after the timestamp so that the time never matches. */
  const col = (line: string, tok: string): number => {
    const i = line.indexOf(tok, 16);
    assert.ok(i >= 0, `'${tok}' is in the line`);
    return i;
  };
  /** The span covers exactly `tok`. */
  const exact = (tok: string) => (line: string, s: Span) => {
    assert.equal(s.start, col(line, tok));
    assert.equal(line.slice(s.start, s.end), tok);
  };
  /** The span starts where `tok` does. */
  const startsAt = (tok: string) => (line: string, s: Span) => {
    assert.equal(s.start, col(line, tok), `span ${JSON.stringify(s)} should start at '${tok}'`);
  };
  /** The span lies inside `tok` and covers `needle`. */
  const within = (tok: string, needle: string) => (line: string, s: Span) => {
    const at = col(line, tok);
    assert.ok(s.start >= at && s.end <= at + tok.length, `span ${JSON.stringify(s)} inside '${tok}'`);
    assert.ok(
      line.slice(s.start, s.end).includes(needle),
      `span text '${line.slice(s.start, s.end)}' covers '${needle}'`,
    );
  };

  const cases: Array<{
    name: string;
    line: string;
    check: (line: string, s: Span) => void;
    message: RegExp;
  }> = [
    {
      name: 'an unknown flag letter in Flags [SX]',
      line: `${P}Flags [SX], seq 1, win 1024, length 0`,
      check: within('[SX]', 'X'),
      message: /unknown TCP flag 'X'.*tcpdump prints/,
    },
    {
      name: "'Flags [' without its ']'",
      line: `${P}Flags [S, seq 1, win 1024, length 0`,
      check: startsAt('Flags [S,'),
      message: /expected '\]'/,
    },
    {
      name: "a ']' only much later (in the options)",
      line: `${P}Flags [S, seq 1, win 1024, options [mss 1460], length 0`,
      check: startsAt('Flags [S,'),
      message: /expected '\]'/,
    },
    {
      name: "'seq abc'",
      line: `${P}Flags [S], seq abc, win 1024, length 0`,
      check: startsAt('abc'),
      message: /expected a number after 'seq', found 'abc'/,
    },
    {
      name: 'a seq above 2^32-1',
      line: `${P}Flags [S], seq 4294967296, win 1024, length 0`,
      check: exact('4294967296'),
      message: /does not fit in 32 bits/,
    },
    {
      name: 'an ack of 11 digits',
      line: `${P}Flags [.], ack 99999999999, win 1024, length 0`,
      check: exact('99999999999'),
      message: /ack 99999999999 does not fit in 32 bits/,
    },
    {
      name: "an unknown field 'wnd'",
      line: `${P}Flags [S], seq 1, wnd 1024, length 0`,
      check: exact('wnd'),
      message: /unknown field 'wnd' \(expected seq, ack, win, urg, options or length\)/,
    },
    // fieldAt compares the common names character by character: each of their characters counts.
    ...[
      ['sEq', 'sEq 1, win 1024, length 0'],
      ['ac', 'ac 1, win 1024, length 0'],
      ['wim', 'wim 1024, length 0'],
      ['optionz', 'optionz [nop], length 0'],
      ['option', 'option [nop], length 0'],
      ['lengtj', 'lengtj 0'],
      ['length_0', 'length_0'],
    ].map(([word, fields]) => ({
      name: `a field named '${word}'`,
      line: `${P}Flags [S], ${fields}`,
      check: exact(word!),
      message: new RegExp(`unknown field '${word}' \\(expected seq, ack, win, urg, options or length\\)`),
    })),
    {
      name: 'the colon after the destination missing',
      line: '12:00:00.100000 IP 192.0.2.1.1234 > 192.0.2.2.80 Flags [S], seq 1, win 1024, length 0',
      check: exact('192.0.2.2.80'),
      message: /expected ':' after the destination/,
    },
    {
      name: "'options' without '['",
      line: `${P}Flags [S], seq 1, win 1024, options mss 1460], length 0`,
      check: startsAt('mss 1460]'),
      message: /expected '\[' after 'options'/,
    },
    {
      name: "'Flags' without a bracket",
      line: `${P}Flags S, seq 1, win 1024, length 0`,
      check: startsAt('Flags S'),
      message: /expected 'Flags \[\.\.\]' or 'tcp N'/,
    },
    {
      name: "'tcp' followed by a word, not a number",
      line: `${P}tcp abc`,
      check: startsAt('abc'),
      message: /expected the payload length after 'tcp'/,
    },
    {
      name: "'tcp' and nothing after it (ports printed, so not a fragment)",
      line: `${P}tcp`,
      check: exact('tcp'),
      message: /expected 'Flags \[\.\.\]' or 'tcp N'/,
    },
    {
      name: 'a checksum that is not hex',
      line: `${P}Flags [S], cksum 0xZZZZ (correct), seq 1, win 1024, length 0`,
      check: startsAt('0xZZZZ'),
      message: /expected 'cksum 0xHHHH \(correct\)'/,
    },
    {
      name: "a missing ', ' between fields",
      line: `${P}Flags [S] seq 1, win 1024, length 0`,
      check: startsAt(' seq 1'),
      message: /expected ', ' before the next field/,
    },
    {
      name: "'length many'",
      line: `${P}Flags [S], seq 1, win 1024, length many`,
      check: startsAt('many'),
      message: /expected the payload length after 'length'/,
    },
    {
      name: 'a length no IP packet can have',
      line: `${P}Flags [P.], seq 1:2, ack 1, win 1024, length 999999`,
      check: exact('999999'),
      message: /larger than any IP packet/,
    },
    {
      name: "'urg x'",
      line: `${P}Flags [S], seq 1, win 1024, urg x, length 0`,
      check: startsAt('x, length'),
      message: /expected a number after 'urg'/,
    },
    {
      name: "an old-format 'first:last' without '(len)'",
      line: '12:00:00.100000 rtsg.1023 > csam.login: P 1:2 ack 1 win 4096',
      check: startsAt(' ack 1'),
      message: /expected '\(len\)' after '1:2'/,
    },
    {
      name: "an old-format '(x)' length",
      line: '12:00:00.100000 rtsg.1023 > csam.login: P 1:2(x) ack 1 win 4096',
      check: startsAt('(x)'),
      message: /expected a length and '\)'/,
    },
  ];

  for (const c of cases) {
    test(`${c.name}: one parse.malformed-line on that token, and the next packet still parses`, () => {
      const text = trace(BEFORE, c.line, AFTER);
      const p = parseTrace(text);
      assert.equal(p.problems.length, 1, JSON.stringify(p.problems));
      const pr = p.problems[0]!;
      assert.equal(pr.code, 'parse.malformed-line');
      assert.equal(pr.span.line, 1, 'on the broken line itself');
      assertSpanInLine(text, pr.span);
      c.check(c.line, pr.span);
      assert.match(pr.message, c.message);
      assert.equal(p.records.length, 3);
      assert.equal(rec(p, 0).kind, 'tcp');
      assert.equal(rec(p, 1).kind, 'malformed');
      assert.equal(rec(p, 1).line, 1);
      const after = rec(p, 2);
      assert.equal(after.kind, 'tcp');
      assert.equal(after.line, 2);
      assert.equal(after.flags, SYN | ACK);
      assert.equal(after.ack, 2);
    });
  }

  test('a -v IPv4 header line whose TCP line never comes is one error on the header line', () => {
    const header =
      '12:00:00.100000 IP (tos 0x0, ttl 64, id 7, offset 0, flags [DF], proto TCP (6), length 40)';
    const text = trace(BEFORE, header, AFTER);
    const p = parseTrace(text);
    assert.equal(p.problems.length, 1);
    const pr = p.problems[0]!;
    assert.equal(pr.code, 'parse.malformed-line');
    assert.equal(pr.span.line, 1);
    assertSpanInLine(text, pr.span);
    assert.match(pr.message, /TCP line .* does not follow/);
    assert.equal(rec(p, 1).kind, 'malformed');
    assert.equal(rec(p, 2).kind, 'tcp');
    assert.equal(rec(p, 2).line, 2);
    const a = analyzeTrace(text);
    const f = a.findings.filter((x) => x.code === 'parse.malformed-line');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'error');
  });

  test('a -v IPv4 header as the very last line is reported too', () => {
    const p = parseTrace(
      trace(
        BEFORE,
        '12:00:00.100000 IP (tos 0x0, ttl 64, id 7, offset 0, flags [DF], proto TCP (6), length 40)',
      ),
    );
    assert.deepEqual(
      p.problems.map((x) => [x.code, x.span.line]),
      [['parse.malformed-line', 1]],
    );
  });

  test('a -v header of another protocol (UDP) without a TCP line is not an error', () => {
    const p = parseTrace(
      trace(
        BEFORE,
        '12:00:00.100000 IP (tos 0x0, ttl 64, id 7, offset 0, flags [DF], proto UDP (17), length 40)',
        AFTER,
      ),
    );
    assert.deepEqual(p.problems, []);
  });
});

describe('an ICMP error under -v', () => {
  // pcap-parser's smtp.pcap with -v: a router's "need to frag" quotes the headers of the segment it
  // could not forward, printed under the ICMP record like a -v TCP line. tshark's analysis leaves
  // them alone: they are part of the ICMP message, not a second copy of the segment.
  const LINES = [
    '06:06:10.692823 IP (tos 0x0, ttl 128, id 9554, offset 0, flags [DF], proto TCP (6), length 1500)',
    '    10.10.1.4.1470 > 74.53.140.153.25: Flags [.], cksum 0xe18a (correct), seq 4531:5991, ack 463, win 65073, length 1460: SMTP, length: 1460',
    '06:06:10.695115 IP (tos 0xc0, ttl 63, id 17689, offset 0, flags [none], proto ICMP (1), length 576)',
    '    192.168.1.1 > 10.10.1.4: ICMP 74.53.140.153 unreachable - need to frag (mtu 1492), length 556',
    '\tIP (tos 0x0, ttl 126, id 9551, offset 0, flags [DF], proto TCP (6), length 1500)',
    '    10.10.1.4.1470 > 74.53.140.153.25: Flags [.], seq 151:1611, ack 463, win 65073, length 1460: SMTP, length: 1460',
    '\tFrom: "Gurpartap Singh" <gurpartap@patriots.in>',
  ];

  test('the quoted TCP header belongs to the ICMP record, which stays a packet of another protocol', () => {
    const p = parseTrace(LINES.join('\n'));
    assert.deepEqual(
      p.records.map((r) => [r.kind, r.protocol ?? '', r.line, r.endLine]),
      [
        ['tcp', 'TCP', 0, 1],
        ['other', 'ICMP', 2, 6],
      ],
    );
    assert.deepEqual(p.problems, []);
    const a = analyzeTrace(LINES.join('\n'));
    assert.deepEqual(
      a.connections.map((c) => c.records.length),
      [1],
    );
  });
});

describe('stray text in a hand-written trace', () => {
  const L = [
    '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0',
    '12:00:00.100000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0',
    '12:00:00.200000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, length 0',
    '12:00:00.300000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [P.], seq 1:3, ack 1, win 1024, length 2',
  ];

  test('prose lines get parse.unknown-line (information) on the text, and the packets still parse', () => {
    const text = trace('The client opens:', L[0]!, 'then the server answers', L[1]!, L[2]!, L[3]!);
    const p = parseTrace(text);
    assert.deepEqual(
      p.problems.map((x) => [x.code, x.span.line]),
      [
        ['parse.unknown-line', 0],
        ['parse.unknown-line', 2],
      ],
    );
    assert.equal(textAt(text, p.problems[0]!.span), 'The client opens:');
    assert.equal(textAt(text, p.problems[1]!.span), 'then the server answers');
    assert.match(p.problems[0]!.message, /start notes with #/);
    assert.equal(p.records.length, 4);
    assert.ok(p.records.every((r) => r.kind === 'tcp'));
    const a = analyzeTrace(text);
    const f = a.findings.filter((x) => x.code === 'parse.unknown-line');
    assert.equal(f.length, 2);
    assert.ok(f.every((x) => x.severity === 'information'));
  });

  test('a trace indented as a Markdown code block (4 spaces; -v continuation lines 8): read as if it were not', () => {
    const plain = [
      '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0',
      '12:00:00.100000 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)',
      '    192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0',
      '12:00:00.200000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, length 0',
    ];
    const indented = plain.map((l) => `    ${l}`);
    const a = parseTrace(trace(...plain));
    const b = parseTrace(trace(...indented));
    assert.deepEqual(b.problems, []);
    const shape = (p: typeof a) =>
      p.records.map((r) => [r.line, r.endLine, r.kind, r.timeValue, r.seq, r.ack, r.flags]);
    assert.deepEqual(shape(b), shape(a));
    // Every range moves right by the indentation.
    assert.equal(textAt(trace(...indented), rec(b, 0).timeSpan), '12:00:00.000000');
    assert.equal(rec(b, 0).timeSpan!.start, 4);
    assert.equal(textAt(trace(...indented), rec(b, 2).ackSpan), '1');
    assert.equal(analyzeTrace(trace(...indented)).connections[0]!.handshake, 'complete');
    // A tab starts a dump line, whatever follows it.
    assert.equal(parseTrace(trace(`\t${plain[0]!}`)).records.length, 0);
  });

  test('in an -A dump, an indented line is payload even when a packet line follows its indentation', () => {
    const head = (t: string, flags: string) =>
      `12:00:00.${t} IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [${flags}], seq 1:41, ack 1, win 1024, length 40`;
    const p = parseTrace(
      trace(
        head('000000', 'P.'),
        'E..\\..@.@.........',
        '    12:00:00.050000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0',
        head('100000', 'P.'),
        'E..\\..@.@.........',
        head('200000', 'P.'),
        'E..\\..@.@.........',
      ),
    );
    assert.equal(p.asciiDump, true);
    assert.deepEqual(
      p.records.map((r) => [r.line, r.endLine]),
      [
        [0, 2],
        [3, 4],
        [5, 6],
      ],
    );
  });

  test('-t -e: link-level lines of other protocols are packets, not prose (tests/macsec-snap.out)', () => {
    const text = trace(
      'ca:f9:df:4f:50:9a > b6:b9:5d:80:8d:79, ethertype 802.1AE MACsec (0x88e5), length 130: [|MACsec]',
      '00:50:b6:29:10:70 > d6:c5:28:21:3e:af, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.1 tell 10.0.0.2, length 28',
      '00:50:B6:29:10:70 > D6:C5:28:21:3E:AF, ethertype IPv4 (0x0800), length 98: 10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 1, length 64',
      '00:50:b6:29:10:70 > d6:c5:28:21:3e:af, ethertype IPv4 (0x0800), length 74: 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0',
      // -v's truncation mark of a decoder, on a line of its own under its packet (tcpdump-test
      // bgp-aigp-oobr, v-nn): no packet of its own.
      '[|BGP Update]',
      // Near misses: five hex pairs, a MAC-like word without ' > ' after it.
      '00:50:b6:29:10 > d6:c5:28:21:3e, the switch forwards it',
      '00:50:b6:29:10:70 sent the next one',
    );
    const p = parseTrace(text);
    assert.deepEqual(
      p.records.map((r) => [r.line, r.kind]),
      [
        [0, 'other'],
        [1, 'other'],
        [2, 'other'],
        [3, 'tcp'],
      ],
    );
    assert.deepEqual(
      p.problems.map((x) => [x.code, x.span.line]),
      [
        ['parse.unknown-line', 4],
        ['parse.unknown-line', 5],
        ['parse.unknown-line', 6],
      ],
    );
  });

  test('an indented line before any packet is an orphan continuation (information), not an error', () => {
    const text = trace('    192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0', L[0]!);
    const p = parseTrace(text);
    assert.deepEqual(
      p.problems.map((x) => x.code),
      ['parse.orphan-line'],
    );
    assert.equal(p.records.length, 1);
  });

  test('a prose line between the two packets of a short trace is still reported', {}, () => {
    const text = trace(L[0]!, 'then the server answers', L[1]!);
    const p = parseTrace(text);
    assert.deepEqual(
      p.problems.map((x) => [x.code, x.span.line]),
      [['parse.unknown-line', 1]],
    );
    assert.equal(rec(p, 0).endLine, 0);
  });
});

describe('the notes a capture rendering ends with', () => {
  const SYN_LINE = '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0';

  test('a damaged capture: capture.damaged on the note line, with the reason', () => {
    const a = analyzeTrace(
      trace(
        SYN_LINE,
        '# packet-trace: the capture is damaged after packet 1: the record header is cut short',
      ),
    );
    const f = a.findings.filter((x) => x.code === 'capture.damaged');
    assert.deepEqual(
      f.map((x) => [x.span.line, x.severity, x.message]),
      [[1, 'error', 'the capture is damaged after packet 1: the record header is cut short']],
    );
  });

  test('a rendering cut at the size limit: file.too-large (information) on the note line, the packets analysed', () => {
    const note =
      '# packet-trace: the rendering stops after packet 1: 1.0 MB of text is the most packetTrace.maxFileSizeMB (1) allows';
    const a = analyzeTrace(trace(SYN_LINE, note));
    const f = a.findings.filter((x) => x.code === 'file.too-large');
    assert.deepEqual(
      f.map((x) => [x.span.line, x.span.start, x.span.end, x.severity]),
      [[1, 0, note.length, 'information']],
    );
    assert.match(
      f[0]!.message,
      /^only part of the capture is shown: the rendering stops after packet 1: 1\.0 MB/,
    );
    assert.equal(a.connections.length, 1);
  });
});

describe('robustness: parseTrace never throws and returns on hostile input', () => {
  /** A small deterministic generator, so the garbage is the same on every run. */
  function garbage(size: number): string {
    const tokens = [
      ' > ',
      ': ',
      'Flags [',
      ']',
      '[',
      '{',
      '}',
      '<',
      '>',
      ', ',
      'seq ',
      'ack ',
      '1:2(3)',
      '.',
      ':',
      '  ',
      'IP ',
      'tcp ',
      '[|tcp]',
      '0x',
      '4294967296',
      '12:00:00.000000 ',
      'S ',
      '#',
      '\t',
      'options [',
      'length ',
    ];
    let x = 12345;
    const out: string[] = [];
    let n = 0;
    while (n < size) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      const t = tokens[x % tokens.length]!;
      out.push(t);
      n += t.length;
    }
    return out.join('');
  }

  test('the empty string gives no records and no problems', () => {
    const p = parseTrace('');
    assert.deepEqual(p.records, []);
    assert.deepEqual(p.problems, []);
  });

  test('a file of only comments gives no records and no problems', () => {
    const p = parseTrace('# capture of nothing\n#\n   # indented note\n');
    assert.deepEqual(p.records, []);
    assert.deepEqual(p.problems, []);
  });

  const EOL_LINES = [
    '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0',
    '12:00:00.100000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [SX], seq 5, ack 2, win 1024, length 0',
    '    (an indented line: a continuation of the packet above)',
    '12:00:00.200000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, length 0',
  ];
  for (const [name, eol] of [
    ['CRLF', '\r\n'],
    ['lone CR', '\r'],
  ] as const) {
    test(`${name} line endings give the same records, lines and ranges as LF`, () => {
      const lf = parseTrace(EOL_LINES.join('\n') + '\n');
      const text = EOL_LINES.join(eol) + eol;
      const p = parseTrace(text);
      assert.equal(p.lineCount, lf.lineCount);
      assert.equal(p.records.length, 3);
      assert.deepEqual(
        p.records.map((r) => [r.line, r.endLine, r.kind, r.srcSpan, r.seqSpan, r.ackSpan]),
        lf.records.map((r) => [r.line, r.endLine, r.kind, r.srcSpan, r.seqSpan, r.ackSpan]),
      );
      assert.deepEqual(p.problems, lf.problems);
      assert.equal(p.problems.length, 1);
      assert.equal(textAt(text, p.problems[0]!.span), 'SX');
      assert.equal(textAt(text, rec(p, 0).seqSpan), '1');
      assert.equal(textAt(text, rec(p, 2).ackSpan), '1');
      assert.equal(textAt(text, rec(p, 2).srcSpan), '192.0.2.1.1234');
      assert.ok(!rec(p, 0).src!.host.includes('\r'));
    });
  }

  test('a CRLF file ending without a final newline keeps its last packet', () => {
    const p = parseTrace(EOL_LINES.join('\r\n'));
    assert.equal(p.records.length, 3);
    assert.equal(rec(p, 2).win, 1024);
  });

  test('a 1 MB single line of garbage returns', () => {
    const p = parseTrace(garbage(1 << 20));
    assert.ok(p.problems.length <= 1);
  });

  test('a 1 MB line of "x" returns one unknown-line', () => {
    const p = parseTrace('x'.repeat(1 << 20));
    assert.deepEqual(problemCodes(p), ['parse.unknown-line']);
  });

  test("100000 '[' characters return", () => {
    const p = parseTrace('['.repeat(100000));
    assert.equal(p.records.length, 0);
  });

  test("a line of 200000 ': Flags [' repetitions returns", () => {
    const p = parseTrace(': Flags ['.repeat(200000));
    assert.ok(p.problems.length <= 1);
  });

  test("a timestamped line of 200000 ': Flags [' repetitions returns", () => {
    const p = parseTrace(`12:00:00.000000 ${': Flags ['.repeat(200000)}`);
    assert.ok(p.problems.length <= 1);
  });

  test("a line of 100000 'a.1 > b.2: Flags [' repetitions returns", () => {
    const p = parseTrace(`12:00:00.000000 IP ${'a.1 > b.2: Flags ['.repeat(100000)}`);
    assert.ok(p.problems.length <= 1);
  });

  test('an options list opened by a million brackets returns', () => {
    const p = parseTrace(
      `12:00:00.000000 IP 192.0.2.1.1 > 192.0.2.2.2: Flags [S], seq 1, win 1, options [${'['.repeat(1000000)}`,
    );
    assert.equal(p.records.length, 1);
  });

  test("300000 ' > ' and ': tcp ' repetitions return", () => {
    assert.ok(parseTrace(`12:00:00.000000 IP ${'a.1 > '.repeat(300000)}`));
    assert.ok(parseTrace(`12:00:00.000000 IP ${': tcp '.repeat(300000)}`));
  });

  test('an old-format line of 500000 flag words returns', () => {
    assert.ok(parseTrace('S '.repeat(500000)));
  });

  test('the whole analysis also survives the garbage', () => {
    for (const t of [
      '',
      garbage(1 << 19),
      ': Flags ['.repeat(100000),
      `12:00:00.000000 ${': Flags ['.repeat(100000)}`,
      '['.repeat(100000),
    ]) {
      assert.ok(analyzeTrace(t));
    }
  });
});

describe('the lines of a parse', () => {
  test('each line is made when asked for, and the whole list is what splitting the text gives', () => {
    const texts = ['', '\n', '\n\n', 'a', 'a\n', 'a\nb', 'a\n\nb\n', ' x \n\ty\n\n\nz'];
    for (const text of texts) {
      const lines = new TextLines(text);
      const split = splitLines(text);
      assert.equal(lines.length, split.length, JSON.stringify(text));
      for (let i = 0; i < split.length; i++) {
        assert.equal(lines.at(i), split[i], `${JSON.stringify(text)} line ${i}`);
        assert.equal(text.slice(lines.start(i), lines.start(i) + split[i]!.length), split[i]);
      }
      assert.equal(lines.at(-1), undefined);
      assert.equal(lines.at(split.length), undefined);
      assert.deepEqual(lines.all(), split);
      assert.equal(lines.all(), lines.all(), 'the array is made once');
    }
  });

  test('a parse gives the same lines whether it was asked for them or not, and its records find their options', () => {
    const text = [
      '12:00:00.000001 IP 10.0.0.1.5000 > 10.0.0.2.80: Flags [S], seq 1, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
      '# a note',
      '12:00:00.000002 IP 10.0.0.2.80 > 10.0.0.1.5000: Flags [S.], seq 9, ack 2, win 65160, options [mss 1460,nop,wscale 3], length 0',
      '',
    ].join('\n');
    const parsed = parseTrace(text);
    assert.equal(parsed.lineCount, 3);
    assert.deepEqual(parsed.lines, splitLines(text));
    assert.deepEqual(
      parsed.records.map((r) => r.options.map((o) => o.kind)),
      [
        ['mss', 'sackOK', 'TS', 'nop', 'wscale'],
        ['mss', 'nop', 'wscale'],
      ],
    );
    assert.deepEqual({ ...parsed }.lines, splitLines(text), 'a copy of the parse has them as a list');
  });
});
