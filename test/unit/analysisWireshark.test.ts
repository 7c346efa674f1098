// Wireshark's tcp.analysis flags (tcp-analysis-reference.md §2): each code on the intended line and
// token with its severity, a near miss that must not get it, and the precedence rules of §2.4.
// Unless stated otherwise the connection is HANDSHAKE (client 10.0.0.1.40000 ISN 1000, server
// 10.0.0.2.5001 ISN 5000, wscale 7 both ways, iRTT 20 ms), so tcpdump prints relative numbers from line 3.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  CLOSED_THEN_NEW_SYN,
  at,
  EXCHANGE,
  HANDSHAKE,
  SYN,
  SYN_ACK,
  SYN_RESENT_THEN_ANSWERED,
  c,
  codesAt,
  expectNone,
  expectOne,
  only,
  relatedLines,
  run,
  s,
  segmentAt,
  synAckAt,
  synAt,
  withCode,
} from '../helpers/analysisHelpers';
import { analyze, codes, codesOnLine } from '../helpers/trace';

/** Four client segments of 100 bytes (lines 4-7); the second one is lost after the capture point. */
const FOUR_SEGMENTS = [
  c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
  c(22, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
  c(23, 'Flags [.], seq 201:301, ack 1, win 502, length 100'),
  c(24, 'Flags [P.], seq 301:401, ack 1, win 502, length 100'),
];

suite('tcp.retransmission', () => {
  test('the same data sent again 279 ms later, unacknowledged, is a retransmission of line 4', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      c(300, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    );
    const f = expectOne(r, 'tcp.retransmission', 5, '1:101', 'information');
    assert.deepEqual(relatedLines(f), [4], 'points at the original');
    assert.deepEqual(codes(r.a), ['tcp.retransmission']);
  });

  test('near miss: new data at the next sequence number is no retransmission', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      c(300, 'Flags [P.], seq 101:201, ack 1, win 502, length 100'),
    );
    assert.deepEqual(codes(r.a), []);
  });

  test('an exact copy of the latest segment 1 ms later (inside the iRTT) is a retransmission, not out-of-order', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    );
    expectOne(r, 'tcp.retransmission', 5, '1:101', 'information');
    expectNone(r, 'tcp.out-of-order');
  });

  test('resending the part the receiver has not acknowledged is a plain retransmission, not spurious', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [P.], seq 101:201, ack 1, win 502, length 100'),
      s(31, 'Flags [.], ack 101, win 509, length 0'),
      c(300, 'Flags [P.], seq 101:201, ack 1, win 502, length 100'),
    );
    expectOne(r, 'tcp.retransmission', 7, '101:201', 'information');
    expectNone(r, 'tcp.spurious-retransmission');
  });
});

suite('tcp.fast-retransmission and tcp.dup-ack', () => {
  // Lines 8-10: the server acks 101, then repeats it twice with growing SACK blocks (dup #1, #2).
  const DUP_ACKS = [
    s(31, 'Flags [.], ack 101, win 509, length 0'),
    s(32, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:301}], length 0'),
    s(33, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:401}], length 0'),
  ];

  test('two duplicate ACKs then the asked-for segment within 20 ms: fast retransmission (beats out-of-order)', () => {
    const r = run(
      ...HANDSHAKE,
      ...FOUR_SEGMENTS,
      ...DUP_ACKS,
      c(34, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
    );
    const f = expectOne(r, 'tcp.fast-retransmission', 11, '101:201', 'information');
    assert.deepEqual(relatedLines(f), [5], 'points at the original');
    // 10 ms after the highest segment (< iRTT 20 ms) it would also be out-of-order: fast wins, and
    // only the specific code is reported.
    assert.deepEqual(codesAt(r.a, 11), ['tcp.fast-retransmission']);
  });

  test('duplicate ACKs carry their number (#1, #2) in count and message, and point at the ACK they repeat', () => {
    const r = run(
      ...HANDSHAKE,
      ...FOUR_SEGMENTS,
      ...DUP_ACKS,
      c(34, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
    );
    const dups = withCode(r.a, 'tcp.dup-ack');
    assert.deepEqual(
      dups.map((f) => [f.span.line + 1, f.count]),
      [
        [9, 1],
        [10, 2],
      ],
    );
    for (const f of dups) {
      assert.equal(f.severity, 'information');
      assert.deepEqual(
        relatedLines(f),
        [8],
        'the reference frame is the last ACK that changed the ack number',
      );
    }
    assert.match(dups[0]!.message, /#1\b/);
    assert.match(dups[1]!.message, /#2\b/);
    assert.deepEqual(codesOnLine(r.a, 8), [], 'the first ACK of 101 is no duplicate');
  });

  test('the duplicate count is not reset by a data segment that carries the same ack', () => {
    const r = run(
      ...HANDSHAKE,
      ...FOUR_SEGMENTS,
      s(31, 'Flags [.], ack 101, win 509, length 0'),
      s(32, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:301}], length 0'),
      s(32.5, 'Flags [P.], seq 1:51, ack 101, win 509, length 50'),
      s(33, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:401}], length 0'),
      c(34, 'Flags [.], seq 101:201, ack 51, win 502, length 100'),
    );
    assert.deepEqual(
      withCode(r.a, 'tcp.dup-ack').map((f) => [f.span.line + 1, f.count]),
      [
        [9, 1],
        [11, 2],
      ],
    );
    expectOne(r, 'tcp.fast-retransmission', 12, '101:201', 'information');
  });

  test('near miss: only one duplicate ACK, so the resent segment is out-of-order (inside the iRTT), not fast', () => {
    const r = run(
      ...HANDSHAKE,
      ...FOUR_SEGMENTS,
      s(31, 'Flags [.], ack 101, win 509, length 0'),
      s(33, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:401}], length 0'),
      c(34, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
    );
    expectNone(r, 'tcp.fast-retransmission');
    expectOne(r, 'tcp.out-of-order', 10, '101:201', 'warning');
  });

  test('near miss: two duplicate ACKs but the segment comes 27 ms after the last one: plain retransmission', () => {
    const r = run(
      ...HANDSHAKE,
      ...FOUR_SEGMENTS,
      ...DUP_ACKS,
      c(60, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
    );
    expectNone(r, 'tcp.fast-retransmission');
    expectOne(r, 'tcp.retransmission', 11, '101:201', 'information');
  });

  test('the same with -vv (real checksums): pure ACKs print their seq; findings sit on the TCP line of each record', () => {
    const r = run(
      '12:00:00.000000 IP (tos 0x0, ttl 64, id 101, offset 0, flags [DF], proto TCP (6), length 60)',
      '    10.0.0.1.40000 > 10.0.0.2.5001: Flags [S], cksum 0x804b (correct), seq 1000, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
      '12:00:00.010000 IP (tos 0x0, ttl 64, id 201, offset 0, flags [DF], proto TCP (6), length 52)',
      '    10.0.0.2.5001 > 10.0.0.1.40000: Flags [S.], cksum 0x953b (correct), seq 5000, ack 1001, win 65160, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0',
      '12:00:00.020000 IP (tos 0x0, ttl 64, id 102, offset 0, flags [DF], proto TCP (6), length 40)',
      '    10.0.0.1.40000 > 10.0.0.2.5001: Flags [.], cksum 0xd2a0 (correct), seq 1, ack 1, win 502, length 0',
      '12:00:00.021000 IP (tos 0x0, ttl 64, id 103, offset 0, flags [DF], proto TCP (6), length 140)',
      '    10.0.0.1.40000 > 10.0.0.2.5001: Flags [.], cksum 0xd23c (correct), seq 1:101, ack 1, win 502, length 100',
      '12:00:00.022000 IP (tos 0x0, ttl 64, id 104, offset 0, flags [DF], proto TCP (6), length 140)',
      '    10.0.0.1.40000 > 10.0.0.2.5001: Flags [.], cksum 0xd1d8 (correct), seq 101:201, ack 1, win 502, length 100',
      '12:00:00.023000 IP (tos 0x0, ttl 64, id 105, offset 0, flags [DF], proto TCP (6), length 140)',
      '    10.0.0.1.40000 > 10.0.0.2.5001: Flags [.], cksum 0xd174 (correct), seq 201:301, ack 1, win 502, length 100',
      '12:00:00.024000 IP (tos 0x0, ttl 64, id 106, offset 0, flags [DF], proto TCP (6), length 140)',
      '    10.0.0.1.40000 > 10.0.0.2.5001: Flags [P.], cksum 0xd108 (correct), seq 301:401, ack 1, win 502, length 100',
      '12:00:00.031000 IP (tos 0x0, ttl 64, id 202, offset 0, flags [DF], proto TCP (6), length 40)',
      '    10.0.0.2.5001 > 10.0.0.1.40000: Flags [.], cksum 0xd235 (correct), seq 1, ack 101, win 509, length 0',
      '12:00:00.032000 IP (tos 0x0, ttl 64, id 203, offset 0, flags [DF], proto TCP (6), length 52)',
      '    10.0.0.2.5001 > 10.0.0.1.40000: Flags [.], cksum 0x9258 (correct), seq 1, ack 101, win 509, options [nop,nop,sack 1 {201:301}], length 0',
      '12:00:00.033000 IP (tos 0x0, ttl 64, id 204, offset 0, flags [DF], proto TCP (6), length 52)',
      '    10.0.0.2.5001 > 10.0.0.1.40000: Flags [.], cksum 0x91f4 (correct), seq 1, ack 101, win 509, options [nop,nop,sack 1 {201:401}], length 0',
      '12:00:00.034000 IP (tos 0x0, ttl 64, id 107, offset 0, flags [DF], proto TCP (6), length 140)',
      '    10.0.0.1.40000 > 10.0.0.2.5001: Flags [.], cksum 0xd1d8 (correct), seq 101:201, ack 1, win 502, length 100',
    );
    assert.deepEqual(
      withCode(r.a, 'tcp.dup-ack').map((f) => [f.span.line + 1, f.count]),
      [
        [18, 1],
        [20, 2],
      ],
    );
    expectOne(r, 'tcp.fast-retransmission', 22, '101:201', 'information');
    assert.deepEqual(codes(r.a), ['tcp.dup-ack', 'tcp.dup-ack', 'tcp.fast-retransmission']);
  });

  test('a D-SACK answer to a spurious retransmission is a duplicate ACK #1', () => {
    const r = run(
      ...EXCHANGE,
      s(1040, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
      c(1041, 'Flags [.], ack 201, win 501, options [nop,nop,sack 1 {1:201}], length 0'),
    );
    const f = expectOne(r, 'tcp.dup-ack', 8, '201', 'information');
    assert.equal(f.count, 1);
    assert.deepEqual(relatedLines(f), [6]);
    expectNone(r, 'tcp.window-update');
  });

  // tcpdump -i any on a router namespace (a real capture): each packet In, then Out. The client's
  // third ACK (line 5, In) leaves Out (line 16) only after the In copies of its first data; tshark,
  // seeing its seq 1, flags nothing there (only the SYN and SYN-ACK copies, as retransmissions).
  const ROUTER_ANY = [
    '11:58:19.081205 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [S], seq 177227725, win 64240, options [mss 1460,sackOK,TS val 1526682764 ecr 0,nop,wscale 10], length 0',
    '11:58:19.082642 ?     Out IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [S], seq 177227725, win 64240, options [mss 1460,sackOK,TS val 1526682764 ecr 0,nop,wscale 10], length 0',
    '11:58:19.082685 ?     In  IP 10.2.0.1.5001 > 10.1.0.1.33748: Flags [S.], seq 3851311744, ack 177227726, win 65160, options [mss 1460,sackOK,TS val 2944709496 ecr 1526682764,nop,wscale 10], length 0',
    '11:58:19.083767 ?     Out IP 10.2.0.1.5001 > 10.1.0.1.33748: Flags [S.], seq 3851311744, ack 177227726, win 65160, options [mss 1460,sackOK,TS val 2944709496 ecr 1526682764,nop,wscale 10], length 0',
    '11:58:19.083843 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 0',
    '11:58:19.084028 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [P.], seq 1:12, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 11',
    '11:58:19.084082 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 12:1460, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084099 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 1460:2908, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084114 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 2908:4356, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084123 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 4356:5804, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084135 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 5804:7252, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084145 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 7252:8700, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084158 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 8700:10148, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084168 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 10148:11596, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.084184 ?     In  IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], seq 11596:13044, ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 1448',
    '11:58:19.086388 ?     Out IP 10.1.0.1.33748 > 10.2.0.1.5001: Flags [.], ack 1, win 63, options [nop,nop,TS val 1526682767 ecr 2944709496], length 0',
  ];
  test('tcpdump -i any: the Out copy of a bare ACK behind the In copies of its data is no duplicate ACK', () => {
    const r = run(...ROUTER_ANY);
    assert.deepEqual(codes(r.a), ['tcp.retransmission', 'tcp.retransmission']);
    assert.equal(segmentAt(r.a, 16).relSeq, 1, 'the copy sits where the ACK was sent');
  });

  test('near miss: the same ACK again In, behind its data on the same interface, is a duplicate ACK', () => {
    const r = run(...ROUTER_ANY.slice(0, 15), ROUTER_ANY[15]!.replace(' Out IP ', ' In  IP '));
    expectOne(r, 'tcp.dup-ack', 16, '1', 'information');
  });

  test('near miss: with -e on one interface the link prefix differs only in frame length: a duplicate ACK', () => {
    const linkOf = (l: string) => {
      const fromClient = l.includes('10.1.0.1.33748 >');
      const length = 66 + (l.includes('sack') ? 12 : 0) + Number(/length (\d+)$/.exec(l)![1]);
      const macs = fromClient
        ? '02:00:0a:01:00:01 > 02:00:0a:02:00:01'
        : '02:00:0a:02:00:01 > 02:00:0a:01:00:01';
      return l.replace(/\?\s+(In|Out)\s+IP /, `${macs}, ethertype IPv4 (0x0800), length ${length}: `);
    };
    // The repeat carries a SACK block: a longer frame than the first ACK's.
    const repeat = ROUTER_ANY[15]!.replace('ecr 2944709496]', 'ecr 2944709496,nop,nop,sack 1 {1:12}]');
    const lines = [...ROUTER_ANY.slice(0, 15).filter((l) => !l.includes(' Out ')), repeat].map(linkOf);
    const r = run(...lines);
    expectOne(r, 'tcp.dup-ack', lines.length, '1', 'information');
  });

  test('near miss: Out with other timestamps is a new ACK, and a duplicate one', () => {
    const r = run(
      ...ROUTER_ANY.slice(0, 15),
      ROUTER_ANY[15]!.replace('TS val 1526682767', 'TS val 1526682769'),
    );
    expectOne(r, 'tcp.dup-ack', 16, '1', 'information');
  });

  // A real capture through a relay with 20 +- 8 ms of delay (two Linux network namespaces joined by
  // TAP devices), at the server: the client's handshake ACK (line 5) came after its first request
  // (line 3), which it was sent before. tshark, seeing its seq 1, flags nothing there, and the
  // server's answer to that old segment (line 6) is a duplicate ACK.
  const REORDERED_THIRD_ACK = [
    '12:41:13.796847 IP 10.5.0.1.56344 > 10.5.0.2.5001: Flags [S], seq 3075037162, win 64240, options [mss 1460,sackOK,TS val 2102452204 ecr 0,nop,wscale 10], length 0',
    '12:41:13.796865 IP 10.5.0.2.5001 > 10.5.0.1.56344: Flags [S.], seq 38878491, ack 3075037163, win 65160, options [mss 1460,sackOK,TS val 1679053605 ecr 2102452204,nop,wscale 10], length 0',
    '12:41:13.829698 IP 10.5.0.1.56344 > 10.5.0.2.5001: Flags [P.], seq 1:8, ack 1, win 63, options [nop,nop,TS val 2102452232 ecr 1679053605], length 7',
    '12:41:13.829725 IP 10.5.0.2.5001 > 10.5.0.1.56344: Flags [.], ack 8, win 64, options [nop,nop,TS val 1679053638 ecr 2102452232], length 0',
    '12:41:13.838039 IP 10.5.0.1.56344 > 10.5.0.2.5001: Flags [.], ack 1, win 63, options [nop,nop,TS val 2102452232 ecr 1679053605], length 0',
    '12:41:13.838047 IP 10.5.0.2.5001 > 10.5.0.1.56344: Flags [.], ack 8, win 64, options [nop,nop,TS val 1679053646 ecr 2102452232], length 0',
  ];
  test('a bare ACK stamped with its data but carried by nothing before it is an old one come late', () => {
    const r = run(...REORDERED_THIRD_ACK);
    assert.deepEqual(codes(r.a), ['tcp.dup-ack']);
    expectOne(r, 'tcp.dup-ack', 6, '8', 'information');
    assert.equal(segmentAt(r.a, 5).relSeq, 1, 'it sits where its ack first showed');
  });

  test('a bare ACK stamped before the data it follows is an old one too', () => {
    const older = REORDERED_THIRD_ACK.map((l, i) =>
      i === 4 ? l.replace('TS val 2102452232', 'TS val 2102452230') : l,
    );
    const r = run(...older);
    assert.deepEqual(codesAt(r.a, 5), []);
  });

  test('near miss: stamped after its data, the same bare ACK is a duplicate ACK', () => {
    const later = REORDERED_THIRD_ACK.map((l, i) =>
      i === 4 ? l.replace('TS val 2102452232', 'TS val 2102452234') : l,
    );
    const r = run(...later);
    assert.deepEqual(codesAt(r.a, 5), ['tcp.dup-ack']);
  });

  // Wireshark keeps the duplicate-ACK count unsigned: the -1 an ACK of unseen bytes leaves in the
  // peer's count passes its ">= 2" (seen in a real capture with frames cut: a FIN sent again 5 ms
  // later is a fast retransmission to tshark there, a plain one in the uncut capture).
  const UNSEEN_THEN_FIN = (captured: boolean) => [
    ...HANDSHAKE,
    c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    s(22, 'Flags [.], ack 101, win 509, length 0'),
    s(23, 'Flags [P.], seq 1:1001, ack 101, win 509, length 1000'),
    ...(captured ? [s(23.5, 'Flags [P.], seq 1001:2001, ack 101, win 509, length 1000')] : []),
    c(24, 'Flags [.], ack 2001, win 501, length 0'),
    c(30, 'Flags [F.], seq 101, ack 2001, win 501, length 0'),
    c(35, 'Flags [F.], seq 101, ack 2001, win 501, length 0'),
  ];
  test("after an ACK of the peer's unseen bytes, a FIN sent again within 20 ms is a fast retransmission", () => {
    const r = run(...UNSEEN_THEN_FIN(false));
    expectOne(r, 'tcp.ack-unseen-segment', 7, '2001', 'warning');
    assert.deepEqual(codesAt(r.a, 9), ['tcp.fast-retransmission']);
  });

  test('near miss: with those bytes captured, the FIN sent again is a plain retransmission', () => {
    const r = run(...UNSEEN_THEN_FIN(true));
    expectNone(r, 'tcp.ack-unseen-segment');
    assert.deepEqual(codesAt(r.a, 10), ['tcp.retransmission']);
  });

  test('near miss: the same ACK with a changed window is a window update, not a duplicate ACK', () => {
    const r = run(
      ...EXCHANGE,
      s(1040, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
      c(1041, 'Flags [.], ack 201, win 600, options [nop,nop,sack 1 {1:201}], length 0'),
    );
    expectNone(r, 'tcp.dup-ack');
    expectOne(r, 'tcp.window-update', 8, '600', 'hint');
  });
});

suite('tcp.spurious-retransmission', () => {
  test('data resent after the receiver acknowledged all of it is spurious (and only spurious)', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(31, 'Flags [.], ack 101, win 509, length 0'),
      c(300, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    );
    const f = expectOne(r, 'tcp.spurious-retransmission', 6, '1:101', 'information');
    assert.deepEqual(relatedLines(f), [4]);
    assert.deepEqual(codesAt(r.a, 6), ['tcp.spurious-retransmission'], 'not also tcp.retransmission');
  });

  test('precedence: spurious beats out-of-order (resent 9 ms after the highest segment, inside the iRTT)', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [P.], seq 101:201, ack 1, win 502, length 100'),
      s(30, 'Flags [.], ack 201, win 509, length 0'),
      c(31, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
    );
    expectOne(r, 'tcp.spurious-retransmission', 7, '1:101', 'information');
    assert.deepEqual(codesAt(r.a, 7), ['tcp.spurious-retransmission']);
  });

  test('near miss: the receiver acknowledged only the first segment, so resending the second is not spurious', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [P.], seq 101:201, ack 1, win 502, length 100'),
      s(31, 'Flags [.], ack 101, win 509, length 0'),
      c(300, 'Flags [P.], seq 101:201, ack 1, win 502, length 100'),
    );
    expectNone(r, 'tcp.spurious-retransmission');
  });
});

suite('tcp.out-of-order and tcp.lost-segment', () => {
  test('a gap (lost segment) then the missing bytes 1 ms later: out-of-order', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [.], seq 201:301, ack 1, win 502, length 100'),
      c(23, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
    );
    expectOne(r, 'tcp.lost-segment', 5, '201:301', 'warning');
    expectOne(r, 'tcp.out-of-order', 6, '101:201', 'warning');
    assert.deepEqual(codesAt(r.a, 6), ['tcp.out-of-order']);
  });

  // tcpflow's test1-out-of-order.pcap: the missing bytes are stamped before the segment after the
  // gap. Wireshark's time difference is unsigned, so "before" is no "shortly after": retransmission.
  test('near miss: the missing bytes stamped 1 ms before the gap segment are a retransmission', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(23, 'Flags [.], seq 201:301, ack 1, win 502, length 100'),
      c(22, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
    );
    expectOne(r, 'tcp.lost-segment', 5, '201:301', 'warning');
    assert.deepEqual(codesAt(r.a, 6), ['tcp.retransmission']);
  });

  test('the lost segment points at the last segment before the gap', {}, () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [.], seq 201:301, ack 1, win 502, length 100'),
      c(23, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
      c(24, 'Flags [P.], seq 301:401, ack 1, win 502, length 100'),
    );
    const f = expectOne(r, 'tcp.lost-segment', 5, '201:301', 'warning');
    assert.deepEqual(relatedLines(f), [4]);
  });

  test('near miss: the missing bytes come 28 ms later, beyond the 20 ms iRTT: retransmission', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [.], seq 201:301, ack 1, win 502, length 100'),
      c(50, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
    );
    expectNone(r, 'tcp.out-of-order');
    expectOne(r, 'tcp.retransmission', 6, '101:201', 'information');
  });

  // A real capture (two Linux network namespaces, no SACK, iRTT 32 us): the missing bytes come
  // exactly one iRTT after the highest segment. Wireshark compares the gap with the iRTT in whole
  // nanoseconds: not shorter, so a retransmission, whatever the form of the times.
  const IRTT_32US = [
    '11:46:07.798135 IP 10.9.0.1.47156 > 10.9.0.2.5001: Flags [S], seq 3330590204, win 64240, options [mss 1460], length 0',
    '11:46:07.798153 IP 10.9.0.2.5001 > 10.9.0.1.47156: Flags [S.], seq 3105588819, ack 3330590205, win 64240, options [mss 1460], length 0',
    '11:46:07.798167 IP 10.9.0.1.47156 > 10.9.0.2.5001: Flags [.], ack 1, win 64240, length 0',
    '11:46:10.959884 IP 10.9.0.1.47156 > 10.9.0.2.5001: Flags [.], seq 306387:307847, ack 1, win 64240, length 1460',
    '11:46:10.959916 IP 10.9.0.1.47156 > 10.9.0.2.5001: Flags [.], seq 261127:262587, ack 1, win 64240, length 1460',
  ];
  /** The same lines with -tttt dates, or -tt seconds since the epoch (2026-11-26 UTC). */
  const withDates = (ls: string[]) => ls.map((l) => `2026-11-26 ${l}`);
  const withEpoch = (ls: string[]) =>
    ls.map((l) => {
      const [h, m, sec] = l.slice(0, 8).split(':').map(Number);
      return `${Date.UTC(2026, 10, 26) / 1000 + h! * 3600 + m! * 60 + sec!}${l.slice(8)}`;
    });
  for (const [form, ls] of [
    ['clock', IRTT_32US],
    ['-tttt', withDates(IRTT_32US)],
    ['-tt', withEpoch(IRTT_32US)],
  ] as const) {
    test(`a gap filled exactly one iRTT (32 us) after the highest segment is a retransmission (${form})`, () => {
      const r = run(...ls);
      assert.deepEqual(codesAt(r.a, 5), ['tcp.retransmission']);
    });
    test(`near miss: filled 1 us sooner, it is out-of-order (${form})`, () => {
      const r = run(...ls.slice(0, 4), ls[4]!.replace('.959916 ', '.959915 '));
      assert.deepEqual(codesAt(r.a, 5), ['tcp.out-of-order']);
    });
  }

  test('near miss: contiguous segments are neither lost nor out of order', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
      c(22, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
      c(23, 'Flags [P.], seq 201:301, ack 1, win 502, length 100'),
    );
    assert.deepEqual(codes(r.a), []);
  });

  // Worked example 4 (tests/bgp-as-path-oobr.pcap): no handshake, so the threshold is 3 ms.
  const BGP_1 =
    '00:00:00.000000 IP 172.17.0.0.179 > 172.17.0.3.50651: Flags [.], seq 2419279130:2419280347, ack 1593006533, win 31761, length 1217: BGP';
  const BGP_2 =
    '00:00:00.000000 IP 172.17.0.0.179 > 172.17.0.3.50651: Flags [P.], seq 1216:2035, ack 1, win 31761, length 819: BGP';
  const bgp3 = (time: string) =>
    `${time} IP 172.17.0.0.179 > 172.17.0.3.50651: Flags [.], seq 1998:3213, ack 1, win 31761, length 1215: BGP`;

  test('worked example 4: the 1-byte overlap (step 12b) is not flagged; the overlap below nextseq at 0 ms is out-of-order', () => {
    const r = run(BGP_1, BGP_2, bgp3('00:00:00.000000'));
    assert.deepEqual(codesOnLine(r.a, 1), []);
    assert.deepEqual(codesOnLine(r.a, 2), [], 'seq == nextseq - 1 with len > 1 clears seq_not_advanced');
    expectOne(r, 'tcp.out-of-order', 3, '1998:3213', 'warning');
    assert.deepEqual(codes(r.a), ['tcp.out-of-order']);
  });

  test('near miss: without a handshake the out-of-order window is 3 ms; 4 ms later it is a retransmission', () => {
    const r = run(BGP_1, BGP_2, bgp3('00:00:00.004000'));
    expectNone(r, 'tcp.out-of-order');
    expectOne(r, 'tcp.retransmission', 3, '1998:3213', 'information');
  });

  // Worked example 5 (tests/bgp-role.pcapng): capture starts mid-connection.
  test('worked example 5: lost segment on frame 2, ACKed unseen on frame 3, nothing on frames 1 and 4', () => {
    const r = run(
      '20:08:52.541413 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], seq 3763129203:3763129310, ack 4158499266, win 128, length 107: BGP',
      '20:08:53.642401 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], seq 145:168, ack 39, win 128, length 23: BGP',
      '20:08:53.642524 IP 192.168.10.124.53580 > 192.168.10.17.179: Flags [.], ack 168, win 502, length 0',
      '20:08:53.643391 IP 192.168.10.124.53580 > 192.168.10.17.179: Flags [P.], seq 39:537, ack 168, win 502, length 498: BGP',
    );
    assert.deepEqual(codesOnLine(r.a, 1), [], 'never on the first packet of a direction');
    expectOne(r, 'tcp.lost-segment', 2, '145:168', 'warning');
    expectOne(r, 'tcp.ack-unseen-segment', 3, '168', 'warning');
    assert.deepEqual(
      codesOnLine(r.a, 4),
      [],
      'a hole before the first segment seen in a direction is invisible',
    );
  });
});

// Wireshark's http-ooo and tcp-badsegments captures, made from time 0 (1970-01-01 00:00:00): Wireshark
// keeps a SYN's time of exactly 0 as "no SYN time", so the connection gets no iRTT and out-of-order
// is judged against 3 ms.
suite('tcp.out-of-order in a capture that starts at time 0', () => {
  // A handshake 2 us long, a segment lost (line 5 jumps), and the missing one 489 us after it.
  const LATE_SEGMENT = [
    synAt(0),
    synAckAt(0.001),
    c(0.002, 'Flags [.], ack 1, win 502, length 0'),
    c(0.01, 'Flags [.], seq 1:101, ack 1, win 502, length 100'),
    c(0.011, 'Flags [.], seq 201:301, ack 1, win 502, length 100'),
    c(0.5, 'Flags [.], seq 101:201, ack 1, win 502, length 100'),
  ];
  const atMidnight = (line: string) => line.replace(/^12:/, '00:');

  test('the SYN at 00:00:00.000000: no iRTT, so 489 us later is out-of-order (within 3 ms)', () => {
    const r = run(...LATE_SEGMENT.map(atMidnight));
    expectOne(r, 'tcp.out-of-order', 6, '101:201', 'warning');
    expectNone(r, 'tcp.retransmission');
  });

  test('near miss: the same at noon has an iRTT of 2 us, and the segment is a retransmission', () => {
    const r = run(...LATE_SEGMENT);
    expectOne(r, 'tcp.retransmission', 6, '101:201', 'information');
    expectNone(r, 'tcp.out-of-order');
  });

  test('near miss: -ttttt times (a space, then the time since the first packet) start at 0 in any capture', () => {
    const r = run(...LATE_SEGMENT.map((line) => ` ${atMidnight(line)}`));
    expectOne(r, 'tcp.retransmission', 6, '101:201', 'information');
    expectNone(r, 'tcp.out-of-order');
  });
});

suite('tcp.ack-unseen-segment', () => {
  test('an ACK of server bytes the capture never showed is flagged once, not on every later ACK', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [P.], seq 1:101, ack 101, win 509, length 100'),
      // the server's 101:201 was not captured
      c(45, 'Flags [.], ack 201, win 501, length 0'),
      c(60, 'Flags [P.], seq 101:151, ack 201, win 501, length 50'),
      c(70, 'Flags [P.], seq 151:201, ack 201, win 501, length 50'),
    );
    expectOne(r, 'tcp.ack-unseen-segment', 6, '201', 'warning');
    assert.deepEqual(codes(r.a), ['tcp.ack-unseen-segment']);
  });

  test('after a capture gap: lost segment on the jump, ACKed unseen on the ACK that covers the hole, then quiet', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [.], seq 1:1001, ack 101, win 509, length 1000'),
      s(31, 'Flags [.], seq 2001:3001, ack 101, win 509, length 1000'),
      c(40, 'Flags [.], ack 3001, win 501, length 0'),
      s(41, 'Flags [P.], seq 3001:4001, ack 101, win 509, length 1000'),
      c(50, 'Flags [.], ack 4001, win 501, length 0'),
    );
    expectOne(r, 'tcp.lost-segment', 6, '2001:3001', 'warning');
    expectOne(r, 'tcp.ack-unseen-segment', 7, '3001', 'warning');
    assert.deepEqual(codes(r.a), ['tcp.lost-segment', 'tcp.ack-unseen-segment']);
  });

  test('near miss: the acknowledged bytes were captured', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [P.], seq 1:101, ack 101, win 509, length 100'),
      s(31, 'Flags [P.], seq 101:201, ack 101, win 509, length 100'),
      c(45, 'Flags [.], ack 201, win 501, length 0'),
    );
    assert.deepEqual(codes(r.a), []);
  });

  // A real capture (two Linux network namespaces) with the client's 18-byte request cut out by
  // editcap, frames 483-491: the server acknowledges it, and the client's next bare ACK (no seq
  // printed) sits at seq 19. tshark: ACKed unseen on the server's ACK of it, previous segment not
  // captured on the client's ACK, ACKed unseen once more on the server's next segment, then quiet.
  test('a request cut from the capture: the bare ACKs after it sit past the bytes the peer acknowledged', () => {
    const r = run(
      '11:58:26.032842 IP 10.1.0.1.34136 > 10.2.0.1.5001: Flags [SEW], seq 744939637, win 65280, options [mss 960,sackOK,TS val 787452649 ecr 0,nop,wscale 10], length 0',
      '11:58:26.032854 IP 10.2.0.1.5001 > 10.1.0.1.34136: Flags [S.E], seq 1236392424, ack 744939638, win 65412, options [mss 960,sackOK,TS val 619836672 ecr 787452649,nop,wscale 10], length 0',
      '11:58:26.032864 IP 10.1.0.1.34136 > 10.2.0.1.5001: Flags [.], ack 1, win 64, options [nop,nop,TS val 787452649 ecr 619836672], length 0',
      '11:58:26.032970 IP 10.2.0.1.5001 > 10.1.0.1.34136: Flags [.], ack 19, win 64, options [nop,nop,TS val 619836672 ecr 787452649], length 0',
      '11:58:26.033339 IP 10.2.0.1.5001 > 10.1.0.1.34136: Flags [P.], seq 1:4741, ack 19, win 64, options [nop,nop,TS val 619836672 ecr 787452649], length 4740',
      '11:58:26.033347 IP 10.1.0.1.34136 > 10.2.0.1.5001: Flags [.], ack 4741, win 74, options [nop,nop,TS val 787452649 ecr 619836672], length 0',
      '11:58:26.033351 IP 10.2.0.1.5001 > 10.1.0.1.34136: Flags [P.], seq 4741:9481, ack 19, win 64, options [nop,nop,TS val 619836672 ecr 787452649], length 4740',
      '11:58:26.033354 IP 10.1.0.1.34136 > 10.2.0.1.5001: Flags [.], ack 9481, win 83, options [nop,nop,TS val 787452649 ecr 619836672], length 0',
      '11:58:26.033407 IP 10.2.0.1.5001 > 10.1.0.1.34136: Flags [P.], seq 9481:18961, ack 19, win 64, options [nop,nop,TS val 619836672 ecr 787452649], length 9480',
    );
    assert.deepEqual(codesOnLine(r.a, 4), ['tcp.ack-unseen-segment']);
    assert.deepEqual(codesOnLine(r.a, 6), ['tcp.lost-segment']);
    assert.deepEqual(codesOnLine(r.a, 7), ['tcp.ack-unseen-segment']);
    assert.deepEqual(codes(r.a).length, 3, 'nothing on the later segments');
    assert.equal(segmentAt(r.a, 6).relSeq, 19);
  });

  // The corpus's bulk-loss-tx from frame 18 (editcap), tcpdump -S -nn: the capture starts on the
  // receiver's bare ACKs, and the receiver never sends data, so no seq of its side is ever printed;
  // only the sender's acks (675908641) tell it. tshark, seeing the seq on the wire, flags nothing.
  test('a side that only sends bare ACKs (absolute numbers) sits where the peer acknowledges it', () => {
    const r = run(
      '18:24:35.781621 IP 10.77.0.1.34860 > 10.77.0.2.5001: Flags [.], ack 951014222, win 66, options [nop,nop,TS val 2446398024 ecr 1886808184], length 0',
      '18:24:35.781651 IP 10.77.0.2.5001 > 10.77.0.1.34860: Flags [.], seq 951027254:951028702, ack 675908641, win 64, options [nop,nop,TS val 1886808205 ecr 2446398024], length 1448',
      '18:24:35.781653 IP 10.77.0.2.5001 > 10.77.0.1.34860: Flags [P.], seq 951028702:951030150, ack 675908641, win 64, options [nop,nop,TS val 1886808205 ecr 2446398024], length 1448',
      '18:24:35.781666 IP 10.77.0.1.34860 > 10.77.0.2.5001: Flags [.], ack 951015670, win 69, options [nop,nop,TS val 2446398024 ecr 1886808184], length 0',
      '18:24:35.781711 IP 10.77.0.1.34860 > 10.77.0.2.5001: Flags [.], ack 951027254, win 74, options [nop,nop,TS val 2446398024 ecr 1886808184], length 0',
      '18:24:35.782418 IP 10.77.0.2.5001 > 10.77.0.1.34860: Flags [.], seq 951030150:951031598, ack 675908641, win 64, options [nop,nop,TS val 1886808206 ecr 2446398024], length 1448',
    );
    assert.deepEqual(codes(r.a), []);
    assert.equal(segmentAt(r.a, 1).seq, 675908641, "the first bare ACK at the sender's next ack");
  });

  // crafted-scan-probes (scripts/scenarios/craft.py), tcpdump -nn: a NULL-scan probe prints no seq
  // (tcpdump prints one only with data, SYN, FIN or RST), and the closed port's RST+ACK acknowledges
  // exactly that seq (length 0). tshark: no ACKed unseen segment.
  test('a probe without flags answered by RST+ACK: the RST acknowledges the probe, nothing unseen', () => {
    const r = run(
      '12:00:00.020100 IP 192.0.2.10.40001 > 198.51.100.20.1001: Flags [none], win 1024, length 0',
      '12:00:00.020200 IP 198.51.100.20.1001 > 192.0.2.10.40001: Flags [R.], seq 0, ack 200000, win 0, length 0',
    );
    expectNone(r, 'tcp.ack-unseen-segment');
    assert.deepEqual(codesOnLine(r.a, 1), ['flags.invalid-combination']);
  });

  test('near miss: a peer acknowledging past a bare ACK side that did send data (seq printed) still shows unseen bytes', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [P.], seq 1:51, ack 101, win 509, length 50'),
      c(40, 'Flags [.], ack 51, win 502, length 0'),
      s(50, 'Flags [.], ack 301, win 509, length 0'),
    );
    expectOne(r, 'tcp.ack-unseen-segment', 7, '301', 'warning');
  });

  // crafted-ipv6-wrap-third-ack (scripts/scenarios/craft.py), tcpdump -nn: the server's ISN is
  // 2^32 - 1, so its next seq after the SYN-ACK is 0, which Wireshark keeps for "not known yet": the
  // bad third ACK (ISN + 2) acknowledges nothing unseen to it. (The handshake check still flags it.)
  test('a next seq of exactly 0 (ISN 2^32 - 1) is unknown to Wireshark: no ACKed unseen segment', () => {
    const r = run(
      '12:00:00.630001 IP6 2001:db8::10.50641 > 2001:db8:1::20.80: Flags [S], seq 4294967280, win 64240, options [mss 1460,sackOK,TS val 3051142 ecr 0,nop,wscale 7], length 0',
      '12:00:00.632001 IP6 2001:db8:1::20.80 > 2001:db8::10.50641: Flags [S.], seq 4294967295, ack 4294967281, win 64240, options [mss 1460,sackOK,TS val 7000083 ecr 3051142,nop,wscale 7], length 0',
      '12:00:00.634001 IP6 2001:db8::10.50641 > 2001:db8:1::20.80: Flags [.], ack 2, win 502, options [nop,nop,TS val 3051145 ecr 7000083], length 0',
      '12:00:00.634101 IP6 2001:db8:1::20.80 > 2001:db8::10.50641: Flags [R], seq 1, win 502, length 0',
    );
    expectNone(r, 'tcp.ack-unseen-segment');
    assert.deepEqual(codesOnLine(r.a, 3), ['handshake.bad-ack']);
  });

  test('near miss: one ISN lower the next seq is 2^32 - 1, known, and the same ACK is of unseen bytes', () => {
    const r = run(
      '12:00:00.630001 IP6 2001:db8::10.50641 > 2001:db8:1::20.80: Flags [S], seq 4294967280, win 64240, options [mss 1460,sackOK,TS val 3051142 ecr 0,nop,wscale 7], length 0',
      '12:00:00.632001 IP6 2001:db8:1::20.80 > 2001:db8::10.50641: Flags [S.], seq 4294967294, ack 4294967281, win 64240, options [mss 1460,sackOK,TS val 7000083 ecr 3051142,nop,wscale 7], length 0',
      '12:00:00.634001 IP6 2001:db8::10.50641 > 2001:db8:1::20.80: Flags [.], ack 2, win 502, options [nop,nop,TS val 3051145 ecr 7000083], length 0',
    );
    assert.deepEqual(codesOnLine(r.a, 3).sort(), ['handshake.bad-ack', 'tcp.ack-unseen-segment']);
  });

  test('near miss: a bad ack (a SYN-ACK past the ISN + 1, an ACK past the FIN) is no sign of unseen data', () => {
    const synAck = run(
      SYN,
      synAckAt(10, 1005),
      c(20, 'Flags [.], ack 1, win 502, length 0'),
      c(30, 'Flags [.], ack 1, win 502, length 0'),
    );
    expectNone(synAck, 'tcp.lost-segment');
    assert.equal(segmentAt(synAck.a, 3).relSeq, 1, "the client's ACK at its ISN + 1");
    const fin = run(
      ...EXCHANGE,
      c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
      s(60, 'Flags [.], ack 103, win 509, length 0'),
      c(70, 'Flags [.], ack 201, win 501, length 0'),
    );
    expectNone(fin, 'tcp.lost-segment');
  });
});

suite('zero window, probes and window updates', () => {
  // The client (receiver) closes its window after 1000 bytes; the server probes Windows-style with one
  // new byte twice; each probe is answered with window 0; the window then reopens.
  const ZERO_WINDOW = [
    ...HANDSHAKE,
    s(30, 'Flags [.], seq 1:1001, ack 1, win 509, length 1000'),
    c(40, 'Flags [.], ack 1001, win 0, length 0'),
    s(340, 'Flags [.], seq 1001:1002, ack 1, win 509, length 1'),
    c(341, 'Flags [.], ack 1001, win 0, length 0'),
    s(940, 'Flags [.], seq 1001:1002, ack 1, win 509, length 1'),
    c(941, 'Flags [.], ack 1001, win 0, length 0'),
    c(1500, 'Flags [.], ack 1001, win 502, length 0'),
    s(1501, 'Flags [P.], seq 1001:1101, ack 1, win 509, length 100'),
  ];

  test('zero window on the window number, probe on the byte, probe ACK on the ack (together with zero window)', () => {
    const r = run(...ZERO_WINDOW);
    const zw = withCode(r.a, 'tcp.zero-window');
    assert.deepEqual(
      zw.map((f) => f.span.line + 1),
      [5, 7, 9],
    );
    for (const f of zw) assert.equal(f.severity, 'warning');
    assert.deepEqual(codesAt(r.a, 5), ['tcp.zero-window']);
    const probes = withCode(r.a, 'tcp.zero-window-probe');
    assert.deepEqual(
      probes.map((f) => f.span.line + 1),
      [6, 8],
    );
    for (const f of probes) assert.equal(f.severity, 'information');
    const probeAcks = withCode(r.a, 'tcp.zero-window-probe-ack');
    assert.deepEqual(
      probeAcks.map((f) => [f.span.line + 1, f.severity]),
      [
        [7, 'information'],
        [9, 'information'],
      ],
    );
    // ZeroWindow + ZeroWindowProbeAck co-occur (§2.4); a repeated probe is not a retransmission.
    assert.deepEqual(codesAt(r.a, 7), ['tcp.zero-window', 'tcp.zero-window-probe-ack']);
    assert.deepEqual(codesAt(r.a, 8), ['tcp.zero-window-probe']);
    expectOne(r, 'tcp.window-update', 10, '502', 'hint');
    assert.deepEqual(codesOnLine(r.a, 11), [], 'data resumes at the byte the probes did not get accepted');
  });

  test('spans: "0" for the zero window, the seq range for the probe, the ack for the probe ACK', () => {
    const r = run(...ZERO_WINDOW);
    const lines = r.text.split('\n');
    const at = (code: string, line: number) => {
      const f = r.a.findings.find((x) => x.code === code && x.span.line === line - 1)!;
      return lines[f.span.line]!.slice(f.span.start, f.span.end);
    };
    assert.equal(at('tcp.zero-window', 5), '0');
    assert.equal(at('tcp.zero-window-probe', 6), '1001:1002');
    assert.equal(at('tcp.zero-window-probe-ack', 7), '1001');
    assert.equal(at('tcp.zero-window', 7), '0');
  });

  test('near miss: a RST+ACK advertising window 0 is not a zero window', () => {
    const r = run(...EXCHANGE, c(50, 'Flags [R.], seq 101, ack 201, win 0, length 0'));
    expectNone(r, 'tcp.zero-window');
  });

  test('near miss: one byte at the next sequence number while the window is open is no probe', () => {
    const r = run(
      ...HANDSHAKE,
      s(30, 'Flags [.], seq 1:1001, ack 1, win 509, length 1000'),
      c(40, 'Flags [.], ack 1001, win 8, length 0'),
      s(340, 'Flags [P.], seq 1001:1002, ack 1, win 509, length 1'),
      c(341, 'Flags [.], ack 1002, win 8, length 0'),
    );
    assert.deepEqual(codes(r.a), []);
  });

  test('near miss: a Linux probe (bare ACK at snd.una - 1) is a keep-alive; its answer is only a zero window', () => {
    const r = run(
      ...HANDSHAKE,
      s(30, 'Flags [.], seq 1:1001, ack 1, win 509, length 1000'),
      c(40, 'Flags [.], ack 1001, win 0, length 0'),
      s(340, 'Flags [.], ack 1, win 509, length 0'),
      c(341, 'Flags [.], ack 1001, win 0, length 0'),
      c(600, 'Flags [.], ack 1001, win 100, length 0'),
    );
    assert.deepEqual(codesAt(r.a, 6), ['tcp.keep-alive']);
    assert.deepEqual(codesAt(r.a, 7), ['tcp.zero-window']);
    expectNone(r, 'tcp.zero-window-probe');
    expectNone(r, 'tcp.zero-window-probe-ack');
    expectOne(r, 'tcp.window-update', 8, '100', 'hint');
  });

  test('a pure ACK that only changes the window is a window update', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
      c(40, 'Flags [.], ack 201, win 400, length 0'),
      c(90, 'Flags [.], ack 201, win 502, length 0'),
    );
    expectOne(r, 'tcp.window-update', 7, '502', 'hint');
    assert.deepEqual(codesOnLine(r.a, 6), [], 'the ack changed there, so it is no window update');
    assert.deepEqual(codes(r.a), ['tcp.window-update']);
  });
});

suite('tcp.window-full', () => {
  const DATA = [
    s(30, 'Flags [.], seq 1:1025, ack 1, win 509, length 1024'),
    s(31, 'Flags [P.], seq 1025:2049, ack 1, win 509, length 1024'),
  ];

  test('wscale 7 in both SYNs: raw win 16 is 2048 bytes, and the segment ending there fills it', () => {
    const r = run(SYN, SYN_ACK, c(20, 'Flags [.], ack 1, win 16, length 0'), ...DATA);
    expectOne(r, 'tcp.window-full', 5, '1025:2049', 'warning');
    assert.deepEqual(codesOnLine(r.a, 4), []);
  });

  test('near miss: with wscale 7 a 16-byte segment does not fill a raw window of 16', () => {
    const r = run(
      SYN,
      SYN_ACK,
      c(20, 'Flags [.], ack 1, win 16, length 0'),
      s(30, 'Flags [P.], seq 1:17, ack 1, win 509, length 16'),
    );
    expectNone(r, 'tcp.window-full');
  });

  const NO_WS_SYN = c(0, 'Flags [S], seq 1000, win 65535, options [mss 1460,nop,nop,sackOK], length 0');
  const NO_WS_SYN_ACK = s(
    10,
    'Flags [S.], seq 5000, ack 1001, win 65535, options [mss 1460,nop,nop,sackOK], length 0',
  );

  test('no wscale in either SYN: the raw window 2048 is filled exactly', () => {
    const r = run(NO_WS_SYN, NO_WS_SYN_ACK, c(20, 'Flags [.], ack 1, win 2048, length 0'), ...DATA);
    expectOne(r, 'tcp.window-full', 5, '1025:2049', 'warning');
  });

  test('near miss: no wscale, and the data stops one byte short of the window edge', () => {
    const r = run(
      NO_WS_SYN,
      NO_WS_SYN_ACK,
      c(20, 'Flags [.], ack 1, win 2048, length 0'),
      s(30, 'Flags [.], seq 1:1025, ack 1, win 65535, length 1024'),
      s(31, 'Flags [P.], seq 1025:2048, ack 1, win 65535, length 1023'),
    );
    expectNone(r, 'tcp.window-full');
  });

  test('wscale only in the client SYN: scaling is off for both, the raw window counts', () => {
    const r = run(
      SYN,
      s(10, 'Flags [S.], seq 5000, ack 1001, win 65535, options [mss 1460,nop,nop,sackOK], length 0'),
      c(20, 'Flags [.], ack 1, win 2048, length 0'),
      ...DATA,
    );
    expectOne(r, 'tcp.window-full', 5, '1025:2049', 'warning');
  });

  test('near miss: without the handshake the scale is unknown, so never window full', () => {
    const r = run(
      c(0, 'Flags [P.], seq 1000:1010, ack 5001, win 2048, length 10'),
      s(10, 'Flags [.], seq 1:1025, ack 10, win 509, length 1024'),
      s(11, 'Flags [P.], seq 1025:2049, ack 10, win 509, length 1024'),
    );
    expectNone(r, 'tcp.window-full');
    assert.deepEqual(codes(r.a), []);
  });
});

suite('tcp.keep-alive and tcp.keep-alive-ack', () => {
  test('a 1-byte keep-alive at next seq - 1 after 45 s idle, and its ACK; never a (spurious) retransmission', () => {
    const r = run(
      ...EXCHANGE,
      c(45040, 'Flags [.], seq 100:101, ack 201, win 501, length 1'),
      s(45050, 'Flags [.], ack 101, win 509, length 0'),
    );
    expectOne(r, 'tcp.keep-alive', 7, '100:101', 'information');
    assert.deepEqual(
      codesAt(r.a, 7),
      ['tcp.keep-alive'],
      'the byte was acked, yet it is no spurious retransmission',
    );
    const ack = expectOne(r, 'tcp.keep-alive-ack', 8, '101', 'information');
    assert.deepEqual(relatedLines(ack), [7]);
  });

  test('near miss: one new byte at the next sequence number is data, not a keep-alive', () => {
    const r = run(
      ...EXCHANGE,
      c(45040, 'Flags [P.], seq 101:102, ack 201, win 501, length 1'),
      s(45050, 'Flags [.], ack 102, win 509, length 0'),
    );
    assert.deepEqual(codes(r.a), []);
  });

  test('Linux keep-alives without -vv: a repeated bare ACK after an idle second is inferred as a keep-alive', () => {
    const r = run(
      ...EXCHANGE,
      c(1040, 'Flags [.], ack 201, win 501, length 0'),
      s(1041, 'Flags [.], ack 101, win 509, length 0'),
      c(2064, 'Flags [.], ack 201, win 501, length 0'),
      s(2065, 'Flags [.], ack 101, win 509, length 0'),
    );
    const ka = expectLinesOf(r.a, 'tcp.keep-alive', [7, 9]);
    for (const f of ka) {
      assert.equal(f.severity, 'information');
      assert.equal(
        r.text.split('\n')[f.span.line]!.slice(f.span.start, f.span.end),
        'Flags [.]',
        'no seq printed: on the flags',
      );
      assert.match(f.message, /-vv/);
    }
    const acks = expectLinesOf(r.a, 'tcp.keep-alive-ack', [8, 10]);
    assert.deepEqual(relatedLines(acks[0]!), [7]);
    expectNone(r, 'tcp.dup-ack');
  });

  test('near miss: the same bare ACK sent right after a (spurious) data segment is a duplicate ACK', () => {
    const r = run(
      ...EXCHANGE,
      s(1040, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
      c(1041, 'Flags [.], ack 201, win 501, length 0'),
    );
    expectNone(r, 'tcp.keep-alive');
    expectOne(r, 'tcp.dup-ack', 8, '201', 'information');
  });

  test('near miss: the answer to a keep-alive with a changed window is a window update, not a keep-alive ACK', () => {
    const r = run(
      ...EXCHANGE,
      c(1040, 'Flags [.], ack 201, win 501, length 0'),
      s(1041, 'Flags [.], ack 101, win 600, length 0'),
    );
    expectOne(r, 'tcp.keep-alive', 7, 'Flags [.]', 'information');
    expectNone(r, 'tcp.keep-alive-ack');
    expectOne(r, 'tcp.window-update', 8, '600', 'hint');
  });

  // nDPI's ocsp.pcap (Linux, keep-alives every 10 s): the first keep-alive after the response carries
  // the window the application's read opened a little (497 -> 501); tshark, seeing seq = snd.una - 1,
  // calls it a keep-alive and the answer a keep-alive ACK.
  test('a keep-alive whose window moved a little after the last ACK is still a keep-alive', () => {
    const r = run(
      ...EXCHANGE,
      c(10040, 'Flags [.], ack 201, win 505, length 0'),
      s(10043, 'Flags [.], ack 101, win 509, length 0'),
    );
    expectOne(r, 'tcp.keep-alive', 7, 'Flags [.]', 'information');
    expectOne(r, 'tcp.keep-alive-ack', 8, '101', 'information');
    expectNone(r, 'tcp.window-update');
  });

  test('near miss: a window opened to twice what it was after the same wait is a window update', () => {
    const r = run(...EXCHANGE, c(10040, 'Flags [.], ack 201, win 1002, length 0'));
    expectOne(r, 'tcp.window-update', 7, '1002', 'hint');
    expectNone(r, 'tcp.keep-alive');
  });

  test('near miss: a window moved a little right after the last ACK is a window update', () => {
    const r = run(...EXCHANGE, c(45, 'Flags [.], ack 201, win 505, length 0'));
    expectOne(r, 'tcp.window-update', 7, '505', 'hint');
    expectNone(r, 'tcp.keep-alive');
  });

  // Both sides' keep-alive timers firing together (both sockets with TCP_KEEPIDLE=1; seen in a
  // capture of two Linux network namespaces): each side sends a keep-alive and answers the other's.
  test('keep-alives that cross (as the server saw them): keep-alive, keep-alive, its ACK, duplicate ACK', () => {
    const r = run(
      ...EXCHANGE,
      s(1040, 'Flags [.], ack 101, win 509, length 0'),
      c(1040.033, 'Flags [.], ack 201, win 501, length 0'),
      s(1040.036, 'Flags [.], ack 101, win 509, length 0'),
      c(1040.036, 'Flags [.], ack 201, win 501, length 0'),
    );
    // tshark, with the seqs: line 8 is the client's keep-alive at snd.una - 1 (it crossed line 7),
    // line 9 answers it, and line 10, the client's answer to line 7, repeats an ACK after a
    // keep-alive ACK: a duplicate ACK.
    expectLinesOf(r.a, 'tcp.keep-alive', [7, 8]);
    const [ack] = expectLinesOf(r.a, 'tcp.keep-alive-ack', [9]);
    assert.deepEqual(relatedLines(ack!), [8]);
    expectLinesOf(r.a, 'tcp.dup-ack', [10]);
    assert.equal(segmentAt(r.a, 8).relSeq, 100, "the client's keep-alive sits at its next seq (101) - 1");
  });

  // A relay capture (RACK off): the client's ACK stamped with its FIN arrives after it, at the FIN's
  // seq (a keep-alive to tshark), and the server answers it at once. The client's next ACK, with the
  // ack as before, is a duplicate ACK: no crossing, as the client's keep-alive came moments after
  // its FIN, not from a timer after a quiet while.
  test('an ACK from before the FIN, a keep-alive at its seq, answered: the next ACK is a duplicate ACK', () => {
    const r = run(
      ...EXCHANGE,
      s(45, 'Flags [P.], seq 201:301, ack 101, win 509, length 100'),
      c(50, 'Flags [F.], seq 101, ack 301, win 501, options [nop,nop,TS val 150 ecr 130], length 0'),
      s(51, 'Flags [.], ack 102, win 509, options [nop,nop,TS val 151 ecr 150], length 0'),
      c(58, 'Flags [.], ack 301, win 501, options [nop,nop,TS val 150 ecr 130], length 0'),
      s(58.01, 'Flags [.], ack 102, win 509, options [nop,nop,TS val 158 ecr 150], length 0'),
      c(62, 'Flags [.], ack 301, win 501, options [nop,nop,TS val 154 ecr 151], length 0'),
    );
    expectLinesOf(r.a, 'tcp.keep-alive', [10]);
    expectLinesOf(r.a, 'tcp.keep-alive-ack', [11]);
    expectLinesOf(r.a, 'tcp.dup-ack', [12]);
  });

  // Relay captures (RACK off; Reno): the client's ACK from before its FIN comes after it with the
  // window it had then. tshark sees its old seq (the FIN's): a keep-alive, not a window update.
  const BEHIND_FIN_WITH_WINDOW = (tsVal: number, win: number) =>
    run(
      ...EXCHANGE,
      s(45, 'Flags [P.], seq 201:301, ack 101, win 509, length 100'),
      c(50, 'Flags [F.], seq 101, ack 301, win 501, options [nop,nop,TS val 150 ecr 130], length 0'),
      s(51, 'Flags [.], ack 102, win 509, options [nop,nop,TS val 151 ecr 150], length 0'),
      c(58, `Flags [.], ack 301, win ${win}, options [nop,nop,TS val ${tsVal} ecr 130], length 0`),
      s(58.01, 'Flags [.], ack 102, win 509, options [nop,nop,TS val 158 ecr 150], length 0'),
    );

  test('an ACK stamped before the FIN, with another window, is old: a keep-alive at the FIN', () => {
    const r = BEHIND_FIN_WITH_WINDOW(149, 520);
    expectLinesOf(r.a, 'tcp.keep-alive', [10]);
    expectLinesOf(r.a, 'tcp.keep-alive-ack', [11]);
    expectNone(r, 'tcp.window-update');
  });

  test('stamped in the FIN tick with a smaller window, it is old too (the window was smaller before)', () => {
    const r = BEHIND_FIN_WITH_WINDOW(150, 450);
    expectLinesOf(r.a, 'tcp.keep-alive', [10]);
    expectNone(r, 'tcp.window-update');
  });

  test('near miss: in the FIN tick with a larger window, it was sent after the FIN: a window update', () => {
    const r = BEHIND_FIN_WITH_WINDOW(150, 520);
    expectLinesOf(r.a, 'tcp.window-update', [10]);
    expectNone(r, 'tcp.keep-alive');
  });

  // The same where frames were seen twice: the server's keep-alive has a copy 40 us behind it. The
  // quiet while that makes it a timer's keep-alive is before the first of the two.
  test('keep-alives that cross, ours seen twice: the copy is the same keep-alive', () => {
    const r = run(
      ...EXCHANGE,
      s(1040, 'Flags [.], ack 101, win 509, length 0'),
      s(1040.04, 'Flags [.], ack 101, win 509, length 0'),
      c(1040.073, 'Flags [.], ack 201, win 501, length 0'),
      s(1040.076, 'Flags [.], ack 101, win 509, length 0'),
      c(1040.076, 'Flags [.], ack 201, win 501, length 0'),
    );
    expectLinesOf(r.a, 'tcp.keep-alive', [7, 8, 9]);
    expectLinesOf(r.a, 'tcp.keep-alive-ack', [10]);
    expectLinesOf(r.a, 'tcp.dup-ack', [11]);
  });

  test('keep-alives that cross (as the first sender saw them): the answer comes before the keep-alive', () => {
    const r = run(
      ...EXCHANGE,
      s(1040, 'Flags [.], ack 101, win 509, length 0'),
      c(1040.04, 'Flags [.], ack 201, win 501, length 0'),
      c(1040.3, 'Flags [.], ack 201, win 501, length 0'),
      s(1040.34, 'Flags [.], ack 101, win 509, length 0'),
    );
    expectLinesOf(r.a, 'tcp.keep-alive', [7, 9]);
    expectLinesOf(r.a, 'tcp.keep-alive-ack', [8, 10]);
    expectNone(r, 'tcp.dup-ack');
  });

  test('near miss: a keep-alive answered once, then data, crosses nothing', () => {
    const r = run(
      ...EXCHANGE,
      s(1040, 'Flags [.], ack 101, win 509, length 0'),
      c(1040.04, 'Flags [.], ack 201, win 501, length 0'),
      s(1040.3, 'Flags [P.], seq 201:251, ack 101, win 509, length 50'),
    );
    expectLinesOf(r.a, 'tcp.keep-alive', [7]);
    expectLinesOf(r.a, 'tcp.keep-alive-ack', [8]);
  });

  // A capture that starts on an idle connection (nDPI's wechat.pcap, Android's push channel): the
  // client's keep-alive every 45 s is its first packet. tcpdump prints it absolute and takes the
  // client's base from its seq, so its seq is the base even unprinted; the server's "ack 1" then
  // acknowledges a byte the capture never showed. tshark, seeing the seqs, calls the later pairs
  // duplicate ACKs: the keep-alive sits at the next seq it knows, not one below it.
  const IDLE_START = [
    c(0, 'Flags [.], ack 1252875258, win 237, options [nop,nop,TS val 3193095 ecr 2241642698], length 0'),
    s(54.7, 'Flags [.], ack 1, win 357, options [nop,nop,TS val 2241687752 ecr 3125539], length 0'),
    c(45052, 'Flags [.], ack 1, win 237, options [nop,nop,TS val 3204358 ecr 2241687752], length 0'),
    s(45107, 'Flags [.], ack 1, win 357, options [nop,nop,TS val 2241732804 ecr 3125539], length 0'),
  ];

  test('a capture that starts with a bare ACK: its seq is the base, the answer ACKs an unseen byte, repeats are duplicate ACKs', () => {
    const r = run(...IDLE_START);
    expectOne(r, 'tcp.ack-unseen-segment', 2, '1', 'warning');
    expectLinesOf(r.a, 'tcp.dup-ack', [3, 4]);
    expectNone(r, 'tcp.keep-alive');
    expectNone(r, 'tcp.keep-alive-ack');
    assert.equal(segmentAt(r.a, 1).seq, segmentAt(r.a, 3).seq, 'both keep-alives at the base');
    assert.equal(segmentAt(r.a, 1).seqInferred, true, 'deduced, not printed');
  });

  // With -S no base says where the first bare ACK sits; that the peer answers it with a bare ACK
  // does: a bare ACK draws no answer unless it probes (tcpflow's bug6.pcap, -S rendering).
  test('-S: a first bare ACK answered by a bare ACK was a keep-alive at its ack - 1', () => {
    const r = run(
      c(0, 'Flags [.], ack 1252875258, win 237, length 0'),
      s(54.7, 'Flags [.], ack 3134246057, win 357, length 0'),
      c(45052, 'Flags [.], ack 1252875258, win 237, length 0'),
      s(45107, 'Flags [.], ack 3134246057, win 357, length 0'),
    );
    expectOne(r, 'tcp.ack-unseen-segment', 2, '3134246057', 'warning');
    expectLinesOf(r.a, 'tcp.dup-ack', [3, 4]);
    expectNone(r, 'tcp.keep-alive');
    assert.equal(segmentAt(r.a, 1).seq, 3134246056);
  });

  test('near miss: -S, a first bare ACK answered with data is an ACK at the seq the peer acknowledges', () => {
    const r = run(
      c(0, 'Flags [.], ack 1252875258, win 237, length 0'),
      s(54.7, 'Flags [P.], seq 1252875258:1252875358, ack 3134246057, win 357, length 100'),
    );
    expectNone(r, 'tcp.ack-unseen-segment');
    assert.equal(segmentAt(r.a, 1).seq, 3134246057);
  });

  // A real capture through a relay with 20 +- 8 ms of delay, at the server: the client's handshake
  // and, after a gap, its last ACKs. Three ACKs it sent before its FIN (line 6) arrive after it:
  // two with lower acks, one with the FIN's ack but stamped before it. tshark, seeing their seq
  // (the FIN's, next seq - 1), calls them keep-alives, and the server's answer a keep-alive ACK.
  test('ACKs sent before a FIN that arrive after it sit at the FIN: keep-alives to Wireshark', () => {
    const r = run(
      '12:41:14.709871 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [S], seq 2523884513, win 64240, options [mss 1460,sackOK,TS val 317646177 ecr 0,nop,wscale 10], length 0',
      '12:41:14.709885 IP 10.5.0.2.5001 > 10.5.0.1.56396: Flags [S.], seq 2607878061, ack 2523884514, win 65160, options [mss 1460,sackOK,TS val 1048446061 ecr 317646177,nop,wscale 10], length 0',
      '12:41:14.748083 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [.], ack 1, win 63, options [nop,nop,TS val 317646219 ecr 1048446061], length 0',
      '12:41:15.346807 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [.], ack 656977, win 785, options [nop,nop,TS val 317646809 ecr 1048446650,nop,nop,sack 1 {658425:659873}], length 0',
      '12:41:15.365202 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [.], ack 656977, win 790, options [nop,nop,TS val 317646824 ecr 1048446650,nop,nop,sack 2 {658425:661321}{662769:662821}], length 0',
      '12:41:15.365819 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [F.], seq 19, ack 662821, win 796, options [nop,nop,TS val 317646836 ecr 1048446680], length 0',
      '12:41:15.365849 IP 10.5.0.2.5001 > 10.5.0.1.56396: Flags [.], ack 20, win 64, options [nop,nop,TS val 1048446717 ecr 317646836], length 0',
      '12:41:15.368555 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [.], ack 656977, win 788, options [nop,nop,TS val 317646824 ecr 1048446650,nop,nop,sack 2 {662769:662821}{658425:659873}], length 0',
      '12:41:15.368571 IP 10.5.0.2.5001 > 10.5.0.1.56396: Flags [.], ack 20, win 64, options [nop,nop,TS val 1048446719 ecr 317646836], length 0',
      '12:41:15.370990 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [.], ack 661321, win 793, options [nop,nop,TS val 317646831 ecr 1048446679,nop,nop,sack 1 {662769:662821}], length 0',
      '12:41:15.375582 IP 10.5.0.1.56396 > 10.5.0.2.5001: Flags [.], ack 662821, win 796, options [nop,nop,TS val 317646835 ecr 1048446680], length 0',
    );
    for (const line of [8, 10, 11])
      assert.deepEqual(
        codesOnLine(r.a, line).filter((c) => c.startsWith('tcp.keep')),
        ['tcp.keep-alive'],
      );
    assert.deepEqual(codesOnLine(r.a, 9), ['tcp.keep-alive-ack']);
    assert.equal(segmentAt(r.a, 8).relSeq, 19);
  });

  test("near miss: after the peer's RST (window 0), a repeated bare ACK is no zero-window probe", () => {
    // Seen through a relay: the server's data still arriving after the client reset, then its ACK.
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [R], seq 101, win 0, length 0'),
      s(51, 'Flags [.], ack 101, win 509, length 0'),
    );
    expectNone(r, 'tcp.keep-alive');
    expectOne(r, 'tcp.dup-ack', 8, '101', 'information');
  });

  // The keepalive corpus capture (Linux, TCP_KEEPIDLE=1): frames 1-9.
  const KA_NN = [
    '18:23:59.461005 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [S], seq 4225220314, win 64240, options [mss 1460,sackOK,TS val 2606803178 ecr 0,nop,wscale 10], length 0',
    '18:23:59.461023 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [S.], seq 949081790, ack 4225220315, win 65160, options [mss 1460,sackOK,TS val 662048251 ecr 2606803178,nop,wscale 10], length 0',
    '18:23:59.461040 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], ack 1, win 63, options [nop,nop,TS val 2606803178 ecr 662048251], length 0',
    '18:23:59.461205 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [P.], seq 1:7, ack 1, win 63, options [nop,nop,TS val 2606803178 ecr 662048251], length 6',
    '18:23:59.461214 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [.], ack 7, win 64, options [nop,nop,TS val 662048251 ecr 2606803178], length 0',
    '18:23:59.461334 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [P.], seq 1:7, ack 7, win 64, options [nop,nop,TS val 662048251 ecr 2606803178], length 6',
    '18:23:59.461344 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], ack 7, win 63, options [nop,nop,TS val 2606803179 ecr 662048251], length 0',
    '18:24:00.489397 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], ack 7, win 63, options [nop,nop,TS val 2606804207 ecr 662048251], length 0',
    '18:24:00.489408 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [.], ack 7, win 64, options [nop,nop,TS val 662049280 ecr 2606803179], length 0',
  ];

  test('real Linux keep-alive (corpus keepalive, -nn): frame 8 keep-alive, frame 9 keep-alive ACK (tshark agrees)', () => {
    const r = run(...KA_NN);
    expectOne(r, 'tcp.keep-alive', 8, 'Flags [.]', 'information');
    expectOne(r, 'tcp.keep-alive-ack', 9, '7', 'information');
    assert.deepEqual(codes(r.a), ['tcp.keep-alive', 'tcp.keep-alive-ack']);
  });

  test('with -vv the keep-alive seq (snd.una - 1) is printed, and the finding sits on it', () => {
    const r = run(
      '18:23:59.461005 IP (tos 0x0, ttl 64, id 9034, offset 0, flags [DF], proto TCP (6), length 60)',
      '    127.0.0.1.51910 > 127.0.0.1.7000: Flags [S], cksum 0xfe30 (incorrect -> 0x69ed), seq 4225220314, win 64240, options [mss 1460,sackOK,TS val 2606803178 ecr 0,nop,wscale 10], length 0',
      '18:23:59.461023 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 60)',
      '    127.0.0.1.7000 > 127.0.0.1.51910: Flags [S.], cksum 0xfe30 (incorrect -> 0x2183), seq 949081790, ack 4225220315, win 65160, options [mss 1460,sackOK,TS val 662048251 ecr 2606803178,nop,wscale 10], length 0',
      '18:23:59.461040 IP (tos 0x0, ttl 64, id 9035, offset 0, flags [DF], proto TCP (6), length 52)',
      '    127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], cksum 0xfe28 (incorrect -> 0x4e9c), seq 1, ack 1, win 63, options [nop,nop,TS val 2606803178 ecr 662048251], length 0',
      '18:23:59.461205 IP (tos 0x0, ttl 64, id 9036, offset 0, flags [DF], proto TCP (6), length 58)',
      '    127.0.0.1.51910 > 127.0.0.1.7000: Flags [P.], cksum 0xfe2e (incorrect -> 0x0ab2), seq 1:7, ack 1, win 63, options [nop,nop,TS val 2606803178 ecr 662048251], length 6',
      '18:23:59.461214 IP (tos 0x0, ttl 64, id 31644, offset 0, flags [DF], proto TCP (6), length 52)',
      '    127.0.0.1.7000 > 127.0.0.1.51910: Flags [.], cksum 0xfe28 (incorrect -> 0x4e95), seq 1, ack 7, win 64, options [nop,nop,TS val 662048251 ecr 2606803178], length 0',
      '18:23:59.461334 IP (tos 0x0, ttl 64, id 31645, offset 0, flags [DF], proto TCP (6), length 58)',
      '    127.0.0.1.7000 > 127.0.0.1.51910: Flags [P.], cksum 0xfe2e (incorrect -> 0x0aab), seq 1:7, ack 7, win 64, options [nop,nop,TS val 662048251 ecr 2606803178], length 6',
      '18:23:59.461344 IP (tos 0x0, ttl 64, id 9037, offset 0, flags [DF], proto TCP (6), length 52)',
      '    127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], cksum 0xfe28 (incorrect -> 0x4e8f), seq 7, ack 7, win 63, options [nop,nop,TS val 2606803179 ecr 662048251], length 0',
      '18:24:00.489397 IP (tos 0x0, ttl 64, id 9038, offset 0, flags [DF], proto TCP (6), length 52)',
      '    127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], cksum 0xfe28 (incorrect -> 0x4a8c), seq 6, ack 7, win 63, options [nop,nop,TS val 2606804207 ecr 662048251], length 0',
      '18:24:00.489408 IP (tos 0x0, ttl 64, id 31646, offset 0, flags [DF], proto TCP (6), length 52)',
      '    127.0.0.1.7000 > 127.0.0.1.51910: Flags [.], cksum 0xfe28 (incorrect -> 0x4a89), seq 7, ack 7, win 64, options [nop,nop,TS val 662049280 ecr 2606803179], length 0',
    );
    const ka = expectOne(r, 'tcp.keep-alive', 16, '6', 'information');
    assert.doesNotMatch(ka.message, /-vv/, 'the seq was printed, nothing inferred');
    expectOne(r, 'tcp.keep-alive-ack', 18, '7', 'information');
    assert.deepEqual(codes(r.a), ['tcp.keep-alive', 'tcp.keep-alive-ack']);
  });
});

// nDPI's KakaoTalk_talk: a server repeats its ACK 0.6 s after the last segment, reporting with a
// D-SACK the client's segment that came twice. Quiet for over 0.5 s, it would pass for a keep-alive,
// but a keep-alive reports no SACK blocks: tshark calls it a duplicate ACK.
suite('a repeated ACK with SACK blocks after a quiet while', () => {
  const REPEATED = (options: string) => [
    ...EXCHANGE,
    c(100, 'Flags [P.], seq 101:171, ack 201, win 501, length 70'),
    c(700, 'Flags [P.], seq 101:171, ack 201, win 501, length 70'),
    s(770, 'Flags [.], ack 171, win 509, length 0'),
    s(1400, `Flags [.], ack 171, win 509${options}, length 0`),
  ];

  test('a D-SACK of the segment sent twice: a duplicate ACK, not a keep-alive', () => {
    const r = run(...REPEATED(', options [nop,nop,sack 1 {101:171}]'));
    expectLinesOf(r.a, 'tcp.dup-ack', [10]);
    expectNone(r, 'tcp.keep-alive');
  });

  test('near miss: the same ACK without SACK blocks is a keep-alive', () => {
    const r = run(...REPEATED(''));
    expectLinesOf(r.a, 'tcp.keep-alive', [10]);
    expectNone(r, 'tcp.dup-ack');
  });
});

suite('tcp.port-reused', () => {
  test('a new SYN with a new ISN on the same 4-tuple starts a new connection', () => {
    const r = run(...CLOSED_THEN_NEW_SYN, c(5020, 'Flags [.], ack 1, win 502, length 0'));
    assert.equal(r.a.connections.length, 2);
    expectOne(r, 'tcp.port-reused', 7, 'Flags [S]', 'information');
    assert.deepEqual(codes(r.a), ['tcp.port-reused']);
    const [first, second] = r.a.connections;
    assert.equal(first!.teardown, 'fin');
    assert.equal(second!.reusedFrom, first!.id);
    assert.equal(second!.handshake, 'complete');
    assert.equal(r.a.connectionOf.get(6), second!.id, 'the SYN (record 6) belongs to the new connection');
  });

  test('near miss: a SYN repeated with the same ISN is a retransmission in the same connection', () => {
    const r = run(...SYN_RESENT_THEN_ANSWERED);
    assert.equal(r.a.connections.length, 1);
    expectNone(r, 'tcp.port-reused');
    expectOne(r, 'tcp.retransmission', 2, '1000', 'information');
    assert.equal(only(r.a).handshake, 'complete');
  });
});

// tcpflow's bug7.pcap and nDPI's anydesk-2.pcap, captured on a host with TCP segmentation offload:
// its large sends have an IP total length of 0, which tcpdump prints as `IP bad-len 0` and does not
// decode. tshark reads them (from the frame length) and sees no gap.
suite('offload sends (IP bad-len 0)', () => {
  const SEND = `${at(22)} IP bad-len 0`;
  const AROUND = (...middle: string[]) => [
    ...HANDSHAKE,
    c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    ...middle,
    c(23, 'Flags [P.], seq 1101:1201, ack 1, win 502, length 100'),
    s(40, 'Flags [.], ack 1201, win 509, length 0'),
  ];

  test('the gap after an offload send and the ACK of its bytes are no lost or unseen segments', () => {
    const r = run(...AROUND(SEND));
    expectNone(r, 'tcp.lost-segment');
    expectNone(r, 'tcp.ack-unseen-segment');
    const [f] = expectLinesOf(r.a, 'capture.offload-send', [5]);
    assert.equal(r.text.split('\n')[4]!.slice(f!.span.start, f!.span.end), 'bad-len 0');
    assert.match(f!.message, /TSO/);
    assert.equal(f!.severity, 'information');
  });

  test('near miss: without the offload send the same gap is a lost segment, and its ACK one of unseen bytes', () => {
    const r = run(...AROUND());
    expectOne(r, 'tcp.lost-segment', 5, '1101:1201', 'warning');
    expectOne(r, 'tcp.ack-unseen-segment', 6, '1201', 'warning');
  });

  test('many offload sends are reported once, on the first, with their count', () => {
    const r = run(...AROUND(SEND, `${at(22.5)} IP bad-len 0`));
    const [f] = expectLinesOf(r.a, 'capture.offload-send', [5]);
    assert.match(f!.message, /2 such packets in this trace, the first here/);
  });

  test('-e: the send after an Ethernet header', () => {
    const e = `${at(22)} d8:cb:8a:e1:2d:2e > 28:37:37:00:6d:c8, ethertype IPv4 (0x0800), length 3980: bad-len 0`;
    const r = run(...AROUND(e));
    const [f] = expectLinesOf(r.a, 'capture.offload-send', [5]);
    assert.equal(r.text.split('\n')[4]!.slice(f!.span.start, f!.span.end), 'bad-len 0');
    expectNone(r, 'tcp.lost-segment');
  });
});

// nDPI's monero, tumblr and skype captures, and dnscap's dnso1tcp-bighole: data the server sent went
// uncaptured, and the first segment of the server that tcpdump then shows is a bare ACK, without its
// seq (the next one that prints a seq, a moment later, has jumped). On the wire the ACK already
// carries the jumped seq: tshark flags the gap on it, and none on the data after it.
suite('a bare ACK right before the jump past data the capture lost', () => {
  // Lines 4-6: an exchange; lines 7-8: the client's next request and the server's ACK of it (the
  // server's bytes 201:301 were sent before it and lost); line 9: the server's next data, `after` ms
  // after the ACK.
  const JUMP = (after: number) => [
    ...EXCHANGE,
    c(60, 'Flags [P.], seq 101:151, ack 201, win 501, length 50'),
    s(80, 'Flags [.], ack 151, win 509, length 0'),
    s(80 + after, 'Flags [P.], seq 301:401, ack 151, win 509, length 100'),
  ];

  test('the data 1 ms after the ACK: the gap is on the ACK', () => {
    const r = run(...JUMP(1));
    const [lost] = expectLinesOf(r.a, 'tcp.lost-segment', [8]);
    assert.match(lost!.message, /a bare ACK, whose seq tcpdump prints only with -vv/);
    assert.equal(r.a.segmentOf.get(7)!.seq, 5301, 'the ACK sits at the jumped seq (ISN 5000 + 301)');
    assert.deepEqual(codesAt(r.a, 9), []);
  });

  test('near miss: the data 60 ms after the ACK (a later burst): the gap is on the data', () => {
    const r = run(...JUMP(60));
    expectLinesOf(r.a, 'tcp.lost-segment', [9]);
    assert.equal(r.a.segmentOf.get(7)!.seq, 5201);
  });

  // A capture through scripts/scenarios' relay: a side in the middle of sending repeats its ACK
  // between the segments of a burst as often as after the ones lost.
  test("near miss: an ACK that repeats the side's last ack: the gap is on the data", () => {
    const r = run(
      ...EXCHANGE,
      s(80, 'Flags [.], ack 101, win 509, length 0'),
      s(81, 'Flags [P.], seq 301:401, ack 101, win 509, length 100'),
    );
    expectLinesOf(r.a, 'tcp.lost-segment', [8]);
  });

  // nDPI's viber: the server ACKs the request, then its answer's first segment arrives behind the
  // second. Before a side's first data, an ACK came before the answer (which would have carried it).
  test('near miss: before the side sent any data, the gap is on the data, as the ACK came first', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(40, 'Flags [.], ack 101, win 509, length 0'),
      s(41, 'Flags [.], seq 1449:2897, ack 101, win 509, length 1448'),
      s(42, 'Flags [.], seq 1:1449, ack 101, win 509, length 1448'),
    );
    expectLinesOf(r.a, 'tcp.lost-segment', [6]);
    expectLinesOf(r.a, 'tcp.out-of-order', [7]);
  });
});

// A capture through scripts/scenarios' relay (10-30 ms of jitter): the sender's data arrives behind
// a bare ACK it sent later (its TS val is newer). tshark, seeing the ACK's seq, flags the gap on it;
// the data after it does not advance the sequence.
suite('a bare ACK overtaken by data sent before it', () => {
  // Lines 4-5: data with 101:201 held back; line 6: the server's SACK; line 7: a bare ACK of the
  // client (TS val 110); lines 8-9: the held-back segment and the next one, the latter stamped `ts`.
  const OVERTAKEN = (ts: number) =>
    run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, options [nop,nop,TS val 100 ecr 1], length 100'),
      c(22, 'Flags [.], seq 201:301, ack 1, win 502, options [nop,nop,TS val 102 ecr 1], length 100'),
      s(30, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:301}], length 0'),
      c(31, 'Flags [.], ack 1, win 502, options [nop,nop,TS val 110 ecr 2], length 0'),
      c(31.5, 'Flags [.], seq 101:201, ack 1, win 502, options [nop,nop,TS val 101 ecr 1], length 100'),
      c(32, `Flags [.], seq 301:401, ack 1, win 502, options [nop,nop,TS val ${ts} ecr 1], length 100`),
    );

  test('data stamped before the ACK was sent before it: the ACK sits past it, and the gap is on the ACK', () => {
    const r = OVERTAKEN(104);
    expectLinesOf(r.a, 'tcp.lost-segment', [5, 7]);
    assert.equal(r.a.segmentOf.get(6)!.seq, 1401, 'the ACK at the end of 301:401 (ISN 1000)');
    expectLinesOf(r.a, 'tcp.out-of-order', [8]);
    expectLinesOf(r.a, 'tcp.retransmission', [9]);
    expectNone(r, 'tcp.dup-ack');
  });

  // scripts/scenarios' relay (t-idle-tb): after a segment filled a gap, the next one comes at the next
  // seq, yet stamped before the ACK in front of it.
  test('on a path seen to reorder, data at the next seq stamped before the ACK puts the ACK past it', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, options [nop,nop,TS val 100 ecr 1], length 100'),
      c(22, 'Flags [.], seq 201:301, ack 1, win 502, options [nop,nop,TS val 102 ecr 1], length 100'),
      s(30, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {201:301}], length 0'),
      c(31, 'Flags [.], seq 101:201, ack 1, win 502, options [nop,nop,TS val 103 ecr 1], length 100'),
      c(40, 'Flags [.], ack 1, win 502, options [nop,nop,TS val 110 ecr 2], length 0'),
      c(40.5, 'Flags [.], seq 301:401, ack 1, win 502, options [nop,nop,TS val 105 ecr 1], length 100'),
    );
    expectLinesOf(r.a, 'tcp.lost-segment', [5, 8]);
    expectLinesOf(r.a, 'tcp.retransmission', [9]);
    expectNone(r, 'tcp.dup-ack');
  });

  test('near miss: where nothing of the side was out of order, the same ACK stays a duplicate ACK', () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [.], seq 1:101, ack 1, win 502, options [nop,nop,TS val 100 ecr 1], length 100'),
      c(22, 'Flags [.], seq 101:201, ack 1, win 502, options [nop,nop,TS val 102 ecr 1], length 100'),
      s(30, 'Flags [.], ack 201, win 509, length 0'),
      c(40, 'Flags [.], ack 1, win 502, options [nop,nop,TS val 110 ecr 2], length 0'),
      c(40.5, 'Flags [.], seq 201:301, ack 1, win 502, options [nop,nop,TS val 105 ecr 1], length 100'),
    );
    expectLinesOf(r.a, 'tcp.dup-ack', [7]);
    expectNone(r, 'tcp.lost-segment');
  });

  test('near miss: stamped after the ACK, the data was sent after it: the ACK is a duplicate', () => {
    const r = OVERTAKEN(111);
    expectLinesOf(r.a, 'tcp.lost-segment', [5]);
    expectLinesOf(r.a, 'tcp.dup-ack', [7]);
    expectNone(r, 'tcp.retransmission');
  });
});

// A capture through scripts/scenarios' relay: a bare ACK stamped with the FIN that follows it (the
// same TS val and ecr, the ack the FIN brought first) arrives after the FIN. tshark, seeing its seq
// (the FIN's), calls it a keep-alive (next seq - 1) and the peer's answer a keep-alive ACK.
suite('a bare ACK sent just before a FIN that arrives after it', () => {
  const AFTER_FIN = (tsVal: number) =>
    run(
      ...EXCHANGE,
      s(45, 'Flags [P.], seq 201:301, ack 101, win 509, length 100'),
      c(50, 'Flags [F.], seq 101, ack 301, win 501, options [nop,nop,TS val 500 ecr 40], length 0'),
      s(51, 'Flags [.], ack 102, win 509, length 0'),
      c(60, `Flags [.], ack 301, win 501, options [nop,nop,TS val ${tsVal} ecr 40], length 0`),
      s(61, 'Flags [.], ack 102, win 509, length 0'),
    );

  test('stamped with the FIN: it sits at the FIN, a keep-alive to Wireshark, and the answer its ACK', () => {
    const r = AFTER_FIN(500);
    expectLinesOf(r.a, 'tcp.keep-alive', [10]);
    expectLinesOf(r.a, 'tcp.keep-alive-ack', [11]);
    expectNone(r, 'tcp.dup-ack');
  });

  test('near miss: stamped after the FIN, it was sent after it: a duplicate ACK', () => {
    const r = AFTER_FIN(510);
    expectLinesOf(r.a, 'tcp.dup-ack', [10, 11]);
    expectNone(r, 'tcp.keep-alive');
  });
});

// The relay without timestamps, where both sides offered SACK: the server's ACK of a request comes
// behind the answer that carried the same ack. A duplicate ACK would report the out-of-order data it
// answers in SACK blocks; this one has none, and comes milliseconds after the answer.
suite("an ACK behind its side's data, without timestamps, where SACK was offered", () => {
  const HELD_BACK = (handshake: readonly string[], ackAt: number) =>
    run(
      ...handshake,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
      c(40, 'Flags [.], ack 201, win 501, length 0'),
      c(50, 'Flags [P.], seq 101:151, ack 201, win 501, length 50'),
      s(60, 'Flags [P.], seq 201:301, ack 151, win 509, length 100'),
      s(ackAt, 'Flags [.], ack 151, win 509, length 0'),
    );

  test('5 ms behind the answer: held back on the way, no duplicate ACK', () => {
    const r = HELD_BACK(HANDSHAKE, 65);
    expectNone(r, 'tcp.dup-ack');
    assert.equal(r.a.segmentOf.get(8)!.seq, 5201, 'where ack 151 first showed');
  });

  // nDPI's imap-starttls: a server's bare ACK 9 us after its data, with the same ack.
  test('near miss: 9 us behind it, it was sent right after it: a duplicate ACK', () => {
    const r = HELD_BACK(HANDSHAKE, 60.009);
    expectLinesOf(r.a, 'tcp.dup-ack', [9]);
  });

  // A relay capture with D-SACK off: the server's ACK 2 us after the client sent data again that the
  // server had answers it (a duplicate ACK, which reports no blocks without D-SACK).
  test("near miss: right after the peer's data sent again, it answers that: a duplicate ACK", () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      s(30, 'Flags [P.], seq 1:201, ack 101, win 509, length 200'),
      c(40, 'Flags [.], ack 201, win 501, length 0'),
      c(50, 'Flags [P.], seq 101:151, ack 201, win 501, length 50'),
      s(60, 'Flags [P.], seq 201:301, ack 151, win 509, length 100'),
      c(64.998, 'Flags [P.], seq 101:151, ack 201, win 501, length 50'),
      s(65, 'Flags [.], ack 151, win 509, length 0'),
    );
    expectLinesOf(r.a, 'tcp.dup-ack', [10]);
  });

  test('near miss: without SACK offered, a duplicate ACK reports nothing either: a duplicate ACK', () => {
    const noSack = [
      c(0, 'Flags [S], seq 1000, win 65535, options [mss 1460,nop,wscale 7], length 0'),
      s(10, 'Flags [S.], seq 5000, ack 1001, win 65160, options [mss 1460,nop,wscale 7], length 0'),
      c(20, 'Flags [.], ack 1, win 502, length 0'),
    ];
    const r = HELD_BACK(noSack, 65);
    expectLinesOf(r.a, 'tcp.dup-ack', [9]);
  });
});

// A capture through scripts/scenarios' relay with timestamps off: the client's handshake ACK arrives
// behind its request. tshark, seeing its seq 1 (behind the request's end), flags nothing; without
// timestamps only what it acknowledges (just the SYN-ACK) and that no bare ACK carried it before tell
// it from a duplicate ACK.
suite("the handshake ACK behind its side's data, without timestamps", () => {
  const REQUEST = c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100');

  test('the late third ACK is no duplicate ACK', () => {
    const r = run(
      SYN,
      SYN_ACK,
      REQUEST,
      s(30, 'Flags [.], ack 101, win 509, length 0'),
      c(35, 'Flags [.], ack 1, win 502, length 0'),
    );
    expectNone(r, 'tcp.dup-ack');
    assert.equal(r.a.segmentOf.get(4)!.seq, 1001, 'at the seq where ack 1 first showed (ISN 1000 + 1)');
  });

  // The same capture: the request and the third ACK both behind the FIN. The third ACK's seq is its
  // side's ISN + 1, not the FIN's: no keep-alive (at next seq - 1) either.
  test('behind the FIN too, the third ACK sits at ISN + 1: neither a duplicate ACK nor a keep-alive', () => {
    const r = run(
      SYN,
      SYN_ACK,
      c(21, 'Flags [F.], seq 101, ack 1, win 502, length 0'),
      s(22, 'Flags [.], ack 1, win 509, options [nop,nop,sack 1 {101:102}], length 0'),
      c(24, 'Flags [.], ack 1, win 502, length 0'),
      c(27, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    );
    assert.deepEqual(codesAt(r.a, 5), []);
    assert.equal(r.a.segmentOf.get(4)!.seq, 1001);
  });

  // A relay capture with window scaling off (timestamps on): the client's FIN, its request and its
  // third ACK arrive in that order. The third ACK is stamped with the request, before the FIN: sent
  // first, at ISN + 1 (tshark: no flag), not at the FIN that first showed its ack (a keep-alive).
  const BEHIND_FIN_STAMPED = [
    '22:54:57.971204 IP 10.5.0.1.60078 > 10.5.0.2.5001: Flags [S], seq 818127025, win 64240, options [mss 1460,sackOK,TS val 3227173620 ecr 0], length 0',
    '22:54:57.971231 IP 10.5.0.2.5001 > 10.5.0.1.60078: Flags [S.], seq 3589885874, ack 818127026, win 65160, options [mss 1460,sackOK,TS val 2888907312 ecr 3227173620], length 0',
    '22:54:58.005258 IP 10.5.0.1.60078 > 10.5.0.2.5001: Flags [F.], seq 18, ack 1, win 64240, options [nop,nop,TS val 3227173656 ecr 2888907312], length 0',
    '22:54:58.005278 IP 10.5.0.2.5001 > 10.5.0.1.60078: Flags [.], ack 1, win 65160, options [nop,nop,TS val 2888907346 ecr 3227173620,nop,nop,sack 1 {18:19}], length 0',
    '22:54:58.010795 IP 10.5.0.1.60078 > 10.5.0.2.5001: Flags [P.], seq 1:18, ack 1, win 64240, options [nop,nop,TS val 3227173654 ecr 2888907312], length 17',
    '22:54:58.010805 IP 10.5.0.2.5001 > 10.5.0.1.60078: Flags [.], ack 19, win 65142, options [nop,nop,TS val 2888907351 ecr 3227173654], length 0',
    '22:54:58.011227 IP 10.5.0.2.5001 > 10.5.0.1.60078: Flags [.], seq 1:1449, ack 19, win 65142, options [nop,nop,TS val 2888907352 ecr 3227173654], length 1448',
    '22:54:58.011585 IP 10.5.0.1.60078 > 10.5.0.2.5001: Flags [.], ack 1, win 64240, options [nop,nop,TS val 3227173654 ecr 2888907312], length 0',
    '22:54:58.011589 IP 10.5.0.2.5001 > 10.5.0.1.60078: Flags [.], ack 19, win 65142, options [nop,nop,TS val 2888907353 ecr 3227173654], length 0',
  ];

  test('stamped before the FIN that first showed its ack, the third ACK sits at ISN + 1', () => {
    const a = analyze(...BEHIND_FIN_STAMPED);
    assert.deepEqual(codesOnLine(a, 8), []);
    assert.equal(a.segmentOf.get(7)!.seq, 818127026, 'ISN 818127025 + 1');
    assert.deepEqual(codesOnLine(a, 9), ['tcp.dup-ack'], "the server's answer repeats its ACK of the FIN");
  });

  test('near miss: stamped after the FIN, it was sent after it: a duplicate ACK', () => {
    const late = BEHIND_FIN_STAMPED.map((l, k) =>
      k === 7 ? l.replace('TS val 3227173654', 'TS val 3227173660') : l,
    );
    assert.deepEqual(codesOnLine(analyze(...late), 8), ['tcp.dup-ack']);
  });

  test("near miss: with SACK blocks (the peer's data came out of order) it is a duplicate ACK", () => {
    const r = run(
      SYN,
      SYN_ACK,
      REQUEST,
      s(30, 'Flags [.], seq 101:201, ack 101, win 509, length 100'),
      c(35, 'Flags [.], ack 1, win 502, options [nop,nop,sack 1 {101:201}], length 0'),
    );
    expectLinesOf(r.a, 'tcp.dup-ack', [5]);
  });

  test('near miss: after the third ACK came in order, the same ACK again is a duplicate ACK', () => {
    const r = run(
      ...HANDSHAKE,
      REQUEST,
      s(30, 'Flags [.], seq 101:201, ack 101, win 509, length 100'),
      c(35, 'Flags [.], ack 1, win 502, length 0'),
    );
    expectLinesOf(r.a, 'tcp.dup-ack', [6]);
  });
});

suite('tcp.port-reused on SYN-ACKs', () => {
  // nDPI's KakaoTalk_chat.pcap: the server (a SYN proxy) answers the SYN and its retransmission with
  // two SYN-ACKs of different ISNs. tshark -2 (as the corpus oracle runs it) flags both: the second
  // on its first pass, the first on its second, which compares it with the base the second left.
  test('a SYN-ACK with a new ISN, and the earlier one it supersedes, are both port reuse', () => {
    const r = run(SYN, synAt(1000), synAckAt(1040), synAckAt(1700, 1001, 9000));
    const [earlier, later] = expectLinesOf(r.a, 'tcp.port-reused', [3, 4]);
    assert.match(earlier!.message, /later SYN-ACK \(line 4\).*9000, not 5000/);
    assert.deepEqual(relatedLines(earlier!), [4]);
    assert.match(later!.message, /new ISN 9000/);
    // Wireshark replaces the side's base but keeps its next seq: the new ISN jumps past it.
    expectLinesOf(r.a, 'tcp.lost-segment', [4]);
  });

  // nDPI's rtsp.pcap: a SYN refused with RST+ACK (seq 0), tried again, then answered. Wireshark keeps 0
  // as "no next seq yet", so the SYN-ACK is port reuse and nothing else.
  test('after an RST with seq 0, a SYN-ACK is port reuse, not a retransmission', () => {
    const r = run(
      c(0, 'Flags [S], seq 439451506, win 64240, length 0'),
      s(1, 'Flags [R.], seq 0, ack 439451507, win 0, length 0'),
      c(500, 'Flags [S], seq 439451506, win 64240, length 0'),
      s(501, 'Flags [S.], seq 4056368679, ack 439451507, win 64240, length 0'),
    );
    expectLinesOf(r.a, 'tcp.port-reused', [4]);
    assert.deepEqual(
      codesAt(r.a, 4).filter((code) => code.startsWith('tcp.')),
      ['tcp.port-reused'],
    );
    expectLinesOf(r.a, 'tcp.retransmission', [3]);
  });

  test('near miss: a SYN-ACK sent again with the same ISN is no port reuse', () => {
    const r = run(SYN, synAt(1000), synAckAt(1040), synAckAt(1700));
    expectNone(r, 'tcp.port-reused');
  });
});

suite('tcp.port-reused quirk', () => {
  test('§2.6: the base need not come from a SYN: a SYN+FIN probe after a null probe on the same ports is "reused"', () => {
    const r = run(
      c(0, 'Flags [none], seq 1000, win 1024, length 0'),
      c(100, 'Flags [FS], seq 2000, win 1024, length 0'),
    );
    assert.equal(r.a.connections.length, 2);
    expectOne(r, 'tcp.port-reused', 2, 'Flags [FS]', 'information');
  });
});

// A frame seen twice: a SPAN port or a bridge passes some frames on twice, the copy microseconds
// behind the original and the same to the byte. tshark sees the copy's seq, the original's; without
// -vv the text does not print it, and the copy of a keep-alive or of a late ACK, judged on its own,
// would be a duplicate ACK. (Lines from the corpus's keepalive capture and a relay capture of
// scripts/scenarios, with frames copied 2 to 5 us behind, as tshark judged them.)
suite('a bare ACK seen twice', () => {
  const KEEPALIVE = [
    '18:23:59.461005 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [S], seq 4225220314, win 64240, options [mss 1460,sackOK,TS val 2606803178 ecr 0,nop,wscale 10], length 0',
    '18:23:59.461023 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [S.], seq 949081790, ack 4225220315, win 65160, options [mss 1460,sackOK,TS val 662048251 ecr 2606803178,nop,wscale 10], length 0',
    '18:23:59.461040 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], ack 1, win 63, options [nop,nop,TS val 2606803178 ecr 662048251], length 0',
    '18:23:59.461205 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [P.], seq 1:7, ack 1, win 63, options [nop,nop,TS val 2606803178 ecr 662048251], length 6',
    '18:23:59.461214 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [.], ack 7, win 64, options [nop,nop,TS val 662048251 ecr 2606803178], length 0',
    '18:23:59.461334 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [P.], seq 1:7, ack 7, win 64, options [nop,nop,TS val 662048251 ecr 2606803178], length 6',
    '18:23:59.461344 IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], ack 7, win 63, options [nop,nop,TS val 2606803179 ecr 662048251], length 0',
  ];
  const PROBE = (time: string, tsVal: string) =>
    `18:24:${time} IP 127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], ack 7, win 63, options [nop,nop,TS val ${tsVal} ecr 662048251], length 0`;
  const PROBE_ACK =
    '18:24:00.489408 IP 127.0.0.1.7000 > 127.0.0.1.51910: Flags [.], ack 7, win 64, options [nop,nop,TS val 662049280 ecr 2606803179], length 0';

  /** The keep-alive (line 8), the same ACK again at `time` stamped `tsVal` (line 9), the answer. */
  const probeTwice = (time: string, tsVal: string) =>
    analyze(...KEEPALIVE, PROBE('00.489397', '2606804207'), PROBE(time, tsVal), PROBE_ACK);

  test("a keep-alive's copy is a keep-alive too, and the answer a keep-alive ACK", () => {
    const a = probeTwice('00.489402', '2606804207');
    assert.deepEqual(codesOnLine(a, 8), ['tcp.keep-alive']);
    assert.deepEqual(codesOnLine(a, 9), ['tcp.keep-alive']);
    assert.deepEqual(codesOnLine(a, 10), ['tcp.keep-alive-ack']);
  });

  test('near miss: 2 ms behind the keep-alive, the same ACK was sent again: a duplicate ACK', () => {
    assert.deepEqual(codesOnLine(probeTwice('00.491397', '2606804207'), 9), ['tcp.dup-ack']);
  });

  test('near miss: another TS val is another packet: a duplicate ACK', () => {
    assert.deepEqual(codesOnLine(probeTwice('00.489402', '2606804208'), 9), ['tcp.dup-ack']);
  });

  // -v prints the IP id, which a copy shares and a new packet does not.
  test('near miss: under -v, another IP id is another packet: a duplicate ACK', () => {
    const v = (id: number, time: string) => [
      `18:24:${time} IP (tos 0x0, ttl 64, id ${id}, offset 0, flags [DF], proto TCP (6), length 52)`,
      '    127.0.0.1.51910 > 127.0.0.1.7000: Flags [.], cksum 0xfe28 (incorrect -> 0x4a8c), ack 7, win 63, options [nop,nop,TS val 2606804207 ecr 662048251], length 0',
    ];
    const copy = analyze(...KEEPALIVE, ...v(9038, '00.489397'), ...v(9038, '00.489402'));
    assert.deepEqual(codes(copy).slice(-2), ['tcp.keep-alive', 'tcp.keep-alive']);
    const another = analyze(...KEEPALIVE, ...v(9038, '00.489397'), ...v(9039, '00.489402'));
    assert.deepEqual(codes(another).slice(-2), ['tcp.keep-alive', 'tcp.dup-ack']);
  });

  test("a late third ACK's copy is as late: no duplicate ACK", () => {
    const a = analyze(
      '21:17:11.238970 IP 10.5.0.1.57682 > 10.5.0.2.5001: Flags [S], seq 2407360132, win 64240, options [mss 1460,sackOK,TS val 2282712680 ecr 0,nop,wscale 10], length 0',
      '21:17:11.239001 IP 10.5.0.2.5001 > 10.5.0.1.57682: Flags [S.], seq 3295354372, ack 2407360133, win 65160, options [mss 1460,sackOK,TS val 1277703540 ecr 2282712680,nop,wscale 10], length 0',
      '21:17:11.280655 IP 10.5.0.1.57682 > 10.5.0.2.5001: Flags [P.], seq 1:8, ack 1, win 63, options [nop,nop,TS val 2282712733 ecr 1277703540], length 7',
      '21:17:11.280709 IP 10.5.0.2.5001 > 10.5.0.1.57682: Flags [.], ack 8, win 64, options [nop,nop,TS val 1277703582 ecr 2282712733], length 0',
      '21:17:11.296929 IP 10.5.0.1.57682 > 10.5.0.2.5001: Flags [.], ack 1, win 63, options [nop,nop,TS val 2282712733 ecr 1277703540], length 0',
      '21:17:11.296931 IP 10.5.0.1.57682 > 10.5.0.2.5001: Flags [.], ack 1, win 63, options [nop,nop,TS val 2282712733 ecr 1277703540], length 0',
      '21:17:11.296951 IP 10.5.0.2.5001 > 10.5.0.1.57682: Flags [.], ack 8, win 64, options [nop,nop,TS val 1277703598 ecr 2282712733], length 0',
    );
    assert.deepEqual(codesOnLine(a, 5), []);
    assert.deepEqual(codesOnLine(a, 6), []);
    assert.deepEqual(
      codesOnLine(a, 7),
      ['tcp.dup-ack'],
      "the server's answer repeats its ACK of the request",
    );
  });
});

/** The findings with `code`, asserting they are on exactly these 1-based lines. */
function expectLinesOf(a: ReturnType<typeof run>['a'], code: string, lines: number[]) {
  const found = withCode(a, code);
  assert.deepEqual(
    found.map((f) => f.span.line + 1),
    lines,
    `${code} lines`,
  );
  return found;
}
