// Recovering absolute numbers from tcpdump's relative printing (tcpdump-format.md §9-§10; numbering.ts).
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  CLOSED_THEN_NEW_SYN,
  DNS_TCP_NN,
  HANDSHAKE,
  c,
  only,
  run,
  runWith,
  s,
  synAckAt,
  synAt,
} from '../helpers/analysisHelpers';
import { codes } from '../helpers/trace';
import type { TraceAnalysis } from '../../server/src/trace/index';

/** [seqAbs, ackAbs, printedRelative] of every record. */
const numbers = (a: TraceAnalysis) => a.records.map((r) => [r.seqAbs, r.ackAbs, r.printedRelative]);

// tests/dns_tcp.pcap printed with -S -nn (the corpus rendering); DNS_TCP_NN is the -nn one.
const DNS_S = [
  '09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0',
  '09:21:03.846908 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [S.], seq 2043824403, ack 603899917, win 64240, options [mss 1460], length 0',
  '09:21:03.847060 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 2043824404, win 64240, length 0',
  '09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 603899917:603899975, ack 2043824404, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)',
  '09:21:03.847457 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 603899975, win 64240, length 0',
  '09:21:03.973180 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [P.], seq 2043824404:2043824630, ack 603899975, win 64240, length 226 17177*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)',
  '09:21:03.973220 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 2043824630, win 64014, length 0',
  '09:21:03.974844 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [F.], seq 603899975, ack 2043824630, win 64014, length 0',
  '09:21:03.975246 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 603899976, win 64239, length 0',
  '09:21:04.101184 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [FP.], seq 2043824630, ack 603899976, win 64239, length 0',
  '09:21:04.101256 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 2043824631, win 64014, length 0',
];

suite('relative and absolute numbering', () => {
  test('relative lines after the SYN-ACK are recovered to absolute numbers', () => {
    const { a } = run(...DNS_TCP_NN);
    assert.equal(a.absoluteNumbers, false);
    assert.deepEqual(numbers(a), [
      [603899916, undefined, false],
      [2043824403, 603899917, false],
      [undefined, 2043824404, true],
      [603899917, 2043824404, true],
      [undefined, 603899975, true],
      [2043824404, 603899975, true],
      [undefined, 2043824630, true],
      [603899975, 2043824630, true],
      [undefined, 603899976, true],
      [2043824630, 603899976, true],
      [undefined, 2043824631, true],
    ]);
    assert.deepEqual(codes(a), []);
  });

  // A real capture (a relay with 25 ms of delay, at the server): two clients of one server port
  // with interleaved handshakes, the first one's final ACK reordered after the second's data. Each
  // connection's first relative-or-not line is judged against its own handshake, not the other's.
  const TWO_CLIENTS_S = [
    '12:41:31.205983 IP 10.5.0.1.50608 > 10.5.0.2.5001: Flags [S], seq 2554811986, win 64240, options [mss 1460,sackOK,TS val 1697644450 ecr 0,nop,wscale 10], length 0',
    '12:41:31.206027 IP 10.5.0.2.5001 > 10.5.0.1.50608: Flags [S.], seq 997909808, ack 2554811987, win 65160, options [mss 1460,sackOK,TS val 3762050224 ecr 1697644450,nop,wscale 10], length 0',
    '12:41:31.207787 IP 10.5.0.1.50622 > 10.5.0.2.5001: Flags [S], seq 103361039, win 64240, options [mss 1460,sackOK,TS val 3000691507 ecr 0,nop,wscale 10], length 0',
    '12:41:31.207811 IP 10.5.0.2.5001 > 10.5.0.1.50622: Flags [S.], seq 3191351945, ack 103361040, win 65160, options [mss 1460,sackOK,TS val 113361357 ecr 3000691507,nop,wscale 10], length 0',
    '12:41:31.261305 IP 10.5.0.1.50622 > 10.5.0.2.5001: Flags [P.], seq 103365395:103366843, ack 3191351946, win 63, options [nop,nop,TS val 3000691611 ecr 113361357], length 1448',
    '12:41:31.261343 IP 10.5.0.2.5001 > 10.5.0.1.50622: Flags [.], ack 103361040, win 67, options [nop,nop,TS val 113361410 ecr 3000691507,nop,nop,sack 1 {103365395:103366843}], length 0',
    '12:41:31.261873 IP 10.5.0.1.50608 > 10.5.0.2.5001: Flags [.], ack 997909809, win 63, options [nop,nop,TS val 1697644555 ecr 3762050224], length 0',
    '12:41:31.262101 IP 10.5.0.1.50622 > 10.5.0.2.5001: Flags [P.], seq 103371187:103372635, ack 3191351946, win 63, options [nop,nop,TS val 3000691611 ecr 113361357], length 1448',
  ];
  const TWO_CLIENTS_NN = [
    '12:41:31.205983 IP 10.5.0.1.50608 > 10.5.0.2.5001: Flags [S], seq 2554811986, win 64240, options [mss 1460,sackOK,TS val 1697644450 ecr 0,nop,wscale 10], length 0',
    '12:41:31.206027 IP 10.5.0.2.5001 > 10.5.0.1.50608: Flags [S.], seq 997909808, ack 2554811987, win 65160, options [mss 1460,sackOK,TS val 3762050224 ecr 1697644450,nop,wscale 10], length 0',
    '12:41:31.207787 IP 10.5.0.1.50622 > 10.5.0.2.5001: Flags [S], seq 103361039, win 64240, options [mss 1460,sackOK,TS val 3000691507 ecr 0,nop,wscale 10], length 0',
    '12:41:31.207811 IP 10.5.0.2.5001 > 10.5.0.1.50622: Flags [S.], seq 3191351945, ack 103361040, win 65160, options [mss 1460,sackOK,TS val 113361357 ecr 3000691507,nop,wscale 10], length 0',
    '12:41:31.261305 IP 10.5.0.1.50622 > 10.5.0.2.5001: Flags [P.], seq 4356:5804, ack 1, win 63, options [nop,nop,TS val 3000691611 ecr 113361357], length 1448',
    '12:41:31.261343 IP 10.5.0.2.5001 > 10.5.0.1.50622: Flags [.], ack 1, win 67, options [nop,nop,TS val 113361410 ecr 3000691507,nop,nop,sack 1 {4356:5804}], length 0',
    '12:41:31.261873 IP 10.5.0.1.50608 > 10.5.0.2.5001: Flags [.], ack 1, win 63, options [nop,nop,TS val 1697644555 ecr 3762050224], length 0',
    '12:41:31.262101 IP 10.5.0.1.50622 > 10.5.0.2.5001: Flags [P.], seq 10148:11596, ack 1, win 63, options [nop,nop,TS val 3000691611 ecr 113361357], length 1448',
  ];
  test('-S with two clients of one server port whose handshakes interleave is absolute', () => {
    const abs = run(...TWO_CLIENTS_S).a;
    assert.equal(abs.absoluteNumbers, true);
    const rel = run(...TWO_CLIENTS_NN).a;
    assert.equal(rel.absoluteNumbers, false);
    assert.deepEqual(
      numbers(abs).map(([seq, ack]) => [seq, ack]),
      numbers(rel).map(([seq, ack]) => [seq, ack]),
    );
    assert.ok(!codes(abs).includes('handshake.bad-ack'), 'no final ACK misread as relative');
  });

  test('-S output is detected as absolute and gives the same absolute numbers', () => {
    const rel = run(...DNS_TCP_NN).a;
    const abs = run(...DNS_S).a;
    assert.equal(abs.absoluteNumbers, true);
    assert.ok(abs.records.every((r) => r.printedRelative === false));
    assert.deepEqual(
      abs.records.map((r) => [r.seqAbs, r.ackAbs]),
      rel.records.map((r) => [r.seqAbs, r.ackAbs]),
    );
    assert.deepEqual(codes(abs), []);
    assert.equal(only(abs).history, 'ShADadFf');
  });

  test('the absoluteNumbers option overrides the guess', () => {
    const forced = runWith({ absoluteNumbers: false }, ...DNS_S).a;
    assert.equal(forced.absoluteNumbers, false);
    assert.equal(forced.records[2]!.printedRelative, true);
  });

  test('SYN-ACK not captured (tests/ipoib): the third ACK is absolute, the client then counts from 0', () => {
    const { a } = run(
      '16:32:45.050083 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [SEW], seq 798232822, win 32983, options [mss 65480,sackOK,TS val 62202209 ecr 0,nop,wscale 8], length 0',
      '16:32:45.050250 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [.], ack 3051049339, win 33232, options [nop,nop,TS val 62202209 ecr 81054], length 0',
      '16:32:45.051868 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [P.], seq 0:26, ack 1, win 33232, options [nop,nop,TS val 62202209 ecr 81054], length 26: SSH: SSH-2.0-OpenSSH_7.5 FIPS',
      '16:32:45.062494 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [.], ack 23, win 33232, options [nop,nop,TS val 62202210 ecr 81055], length 0',
      '16:32:45.130591 IP 192.168.56.10.34170 > 192.168.56.24.22: Flags [P.], seq 26:1090, ack 23, win 33232, options [nop,nop,TS val 62202217 ecr 81055], length 1064',
    );
    assert.equal(a.absoluteNumbers, false);
    // tshark's seq_raw/ack_raw for frames 9-13 of the corpus oracle. The pure ACK prints no seq, but
    // it created tcpdump's entry, so its seq is the client's base: the SYN's ISN + 1 as known so far.
    assert.deepEqual(numbers(a), [
      [798232822, undefined, false],
      [798232823, 3051049339, false],
      [798232823, 3051049339, true],
      [undefined, 3051049361, true],
      [798232849, 3051049361, true],
    ]);
    assert.equal(only(a).segments.at(1).seq, 798232823, "the pure ACK's hidden seq is the SYN's ISN + 1");
    assert.deepEqual(
      a.findings.filter((f) => f.code.startsWith('tcp.')),
      [],
    );
  });

  test('mid-connection start (tests/bgp-role): the first line is absolute, then seq - base and ack - (ack - 1)', () => {
    const { a } = run(
      '20:08:52.541413 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], seq 3763129203:3763129310, ack 4158499266, win 128, length 107: BGP',
      '20:08:53.642401 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], seq 145:168, ack 39, win 128, length 23: BGP',
      '20:08:53.642524 IP 192.168.10.124.53580 > 192.168.10.17.179: Flags [.], ack 168, win 502, length 0',
      '20:08:53.643391 IP 192.168.10.124.53580 > 192.168.10.17.179: Flags [P.], seq 39:537, ack 168, win 502, length 498: BGP',
    );
    assert.equal(a.absoluteNumbers, false);
    assert.deepEqual(numbers(a), [
      [3763129203, 4158499266, false],
      [3763129348, 4158499304, true],
      [undefined, 3763129371, true],
      [4158499304, 3763129371, true],
    ]);
    // Wireshark's relative numbers: base = first seq - 1 (146 where tcpdump printed 145), ack - 1.
    const conn = only(a);
    assert.equal(conn.segments.at(1).relSeq, 146);
    assert.equal(conn.segments.at(1).relAck, 39);
    assert.equal(conn.segments.at(2).relAck, 169);
  });

  test('SACK blocks are rebased with the receiver base', () => {
    const { a } = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
      c(23, 'Flags [P.], seq 201:301, ack 1, win 502, length 100'),
      s(31, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:301}], length 0'),
    );
    const sack = a.records[6]!.options.find((o) => o.kind === 'sack')!;
    assert.deepEqual(sack.blocks, [[201, 301]]);
    assert.deepEqual(sack.blocksAbs, [[1201, 1301]]);
  });

  test('SACK blocks on the line that creates the table entry are rebased too (ack - 1)', () => {
    const { a } = run(
      s(0, 'Flags [.], ack 1101, win 509, options [nop,nop,sack 1 {101:201}], length 0'),
      // the client fills the hole below the SACKed block: 1101:1201 absolute, printed from base 1100
      c(1, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
    );
    const sack = a.records[0]!.options.find((o) => o.kind === 'sack')!;
    assert.deepEqual(sack.blocksAbs, [[1201, 1301]]);
    assert.equal(a.records[1]!.seqAbs, 1101);
  });

  test('after port reuse the new SYN-ACK re-creates the entry: "ack 1" means the new server ISN + 1', () => {
    const { a } = run(...CLOSED_THEN_NEW_SYN, c(5020, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'));
    assert.deepEqual(numbers(a)[8], [900001, 700001, true]);
  });
  test('a reconnect refused without a SYN-ACK keeps the old bases (rule 5): tcpdump prints the RST+ACK relative to them', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
      c(40, 'Flags [.], ack 201, win 501, length 0'),
      c(50, 'Flags [R.], seq 101, ack 201, win 0, length 0'),
      synAt(5000, 900000),
      // the RST+ACK is seq 0, ack 900001: printed as 0 - 5000 and 900001 - 1000 (mod 2^32)
      s(5001, 'Flags [R.], seq 4294962296, ack 899001, win 0, length 0'),
    );
    assert.deepEqual(numbers(r.a)[8], [0, 900001, true]);
    assert.equal(r.a.connections.length, 2);
    assert.equal(r.a.connections[1]!.handshake, 'refused');
    assert.deepEqual(codes(r.a), ['teardown.reset', 'tcp.port-reused', 'handshake.refused']);
  });
});

suite('32-bit wrap', () => {
  // Client ISN 2^32 - 296: its data crosses 0; server ISN 2^32 - 1: its SYN-ACK acks 4294967001 and the
  // client's ack of the SYN-ACK is 0 in absolute terms.
  const WRAP_RELATIVE = [
    synAt(0, 4294967000),
    synAckAt(10, 4294967001, 4294967295),
    c(20, 'Flags [.], ack 1, win 502, length 0'),
    c(21, 'Flags [.], seq 1:501, ack 1, win 502, length 500'),
    c(22, 'Flags [P.], seq 501:1001, ack 1, win 502, length 500'),
    s(30, 'Flags [.], ack 1001, win 509, length 0'),
    s(31, 'Flags [P.], seq 1:101, ack 1001, win 509, length 100'),
    c(40, 'Flags [F.], seq 1001, ack 101, win 502, length 0'),
    s(50, 'Flags [F.], seq 101, ack 1002, win 509, length 0'),
    c(60, 'Flags [.], ack 102, win 502, length 0'),
  ];
  const WRAP_ABSOLUTE = [
    synAt(0, 4294967000),
    synAckAt(10, 4294967001, 4294967295),
    c(20, 'Flags [.], ack 0, win 502, length 0'),
    c(21, 'Flags [.], seq 4294967001:205, ack 0, win 502, length 500'),
    c(22, 'Flags [P.], seq 205:705, ack 0, win 502, length 500'),
    s(30, 'Flags [.], ack 705, win 509, length 0'),
    s(31, 'Flags [P.], seq 0:100, ack 705, win 509, length 100'),
    c(40, 'Flags [F.], seq 705, ack 100, win 502, length 0'),
    s(50, 'Flags [F.], seq 100, ack 706, win 509, length 0'),
    c(60, 'Flags [.], ack 101, win 502, length 0'),
  ];
  const ABSOLUTE_NUMBERS: Array<[number | undefined, number | undefined]> = [
    [4294967000, undefined],
    [4294967295, 4294967001],
    [undefined, 0],
    [4294967001, 0],
    [205, 0],
    [undefined, 705],
    [0, 705],
    [705, 100],
    [100, 706],
    [undefined, 101],
  ];

  test('relative output: numbers wrap to 0 and the connection is clean (no retransmission, lost segment, bad ack)', () => {
    const { a } = run(...WRAP_RELATIVE);
    assert.deepEqual(
      a.records.map((r) => [r.seqAbs, r.ackAbs]),
      ABSOLUTE_NUMBERS,
    );
    assert.deepEqual(codes(a), []);
    const conn = only(a);
    assert.equal(conn.handshake, 'complete');
    assert.equal(conn.teardown, 'fin');
    assert.equal(conn.zeekState, 'SF');
    assert.equal(conn.segments.at(4).relSeq, 501, 'Wireshark-relative seq across the wrap');
  });

  test('-S output read as absolute (forced): the same numbers, still clean', () => {
    const { a } = runWith({ absoluteNumbers: true }, ...WRAP_ABSOLUTE);
    assert.deepEqual(
      a.records.map((r) => [r.seqAbs, r.ackAbs]),
      ABSOLUTE_NUMBERS,
    );
    assert.deepEqual(codes(a), []);
    assert.equal(only(a).teardown, 'fin');
  });

  test('-S output across the wrap is recognised as absolute without the option', {}, () => {
    const { a } = run(...WRAP_ABSOLUTE);
    assert.equal(a.absoluteNumbers, true);
    assert.deepEqual(codes(a), []);
  });

  // crafted-ipv6-wrap-third-ack (scripts/scenarios/craft.py), tcpdump -S -nn: a clean connection,
  // then one whose server ISN is 2^32 - 1 and whose third segment acknowledges ISN + 2, printed
  // "ack 1": as relative output that line is a good "ack 1", so the two connections' lines vote one
  // each way; -S fits the first by a wide margin (relative, it is 256 off) and the second by one.
  const WRAP_BAD_THIRD_ACK_S = [
    '12:00:00.100000 IP6 2001:db8::10.50640 > 2001:db8:1::20.80: Flags [S], seq 4294967295, win 64240, options [mss 1460,sackOK,TS val 3050741 ecr 0,nop,wscale 7], length 0',
    '12:00:00.102000 IP6 2001:db8:1::20.80 > 2001:db8::10.50640: Flags [S.], seq 4294967040, ack 0, win 64240, options [mss 1460,sackOK,TS val 7000083 ecr 3050741,nop,wscale 7], length 0',
    '12:00:00.104000 IP6 2001:db8::10.50640 > 2001:db8:1::20.80: Flags [.], ack 4294967041, win 502, options [nop,nop,TS val 3050744 ecr 7000083], length 0',
    '12:00:00.105000 IP6 2001:db8::10.50640 > 2001:db8:1::20.80: Flags [P.], seq 0:300, ack 4294967041, win 502, options [nop,nop,TS val 3050746 ecr 7000083], length 300: HTTP: GET /index.html HTTP/1.1',
    '12:00:00.630001 IP6 2001:db8::10.50641 > 2001:db8:1::20.80: Flags [S], seq 4294967280, win 64240, options [mss 1460,sackOK,TS val 3051142 ecr 0,nop,wscale 7], length 0',
    '12:00:00.632001 IP6 2001:db8:1::20.80 > 2001:db8::10.50641: Flags [S.], seq 4294967295, ack 4294967281, win 64240, options [mss 1460,sackOK,TS val 7000083 ecr 3051142,nop,wscale 7], length 0',
    '12:00:00.634001 IP6 2001:db8::10.50641 > 2001:db8:1::20.80: Flags [.], ack 1, win 502, options [nop,nop,TS val 3051145 ecr 7000083], length 0',
    '12:00:00.634101 IP6 2001:db8:1::20.80 > 2001:db8::10.50641: Flags [R], seq 1, win 502, length 0',
  ];

  test('-S with as many lines fitting each reading: the reading that is off by less wins', () => {
    const { a } = run(...WRAP_BAD_THIRD_ACK_S);
    assert.equal(a.absoluteNumbers, true);
    assert.deepEqual(
      a.findings.filter((f) => f.code.startsWith('handshake.')).map((f) => [f.code, f.span.line + 1]),
      [
        ['handshake.bad-ack', 7],
        ['handshake.incomplete', 6],
      ].sort((x, y) => (x[1] as number) - (y[1] as number)),
    );
    assert.equal(a.records[2]!.ackAbs, 4294967041, "the first third ACK is good: the server's ISN + 1");
  });

  test('near miss: the same lines with the second third ACK right ("ack 0") are absolute by a majority', () => {
    const lines = [...WRAP_BAD_THIRD_ACK_S];
    lines[6] = lines[6]!.replace('ack 1,', 'ack 0,');
    const { a } = run(...lines);
    assert.equal(a.absoluteNumbers, true);
    assert.deepEqual(
      a.findings.filter((f) => f.code.startsWith('handshake.bad')),
      [],
    );
  });
});
