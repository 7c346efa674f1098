// Teardown checks and flag combinations (tcp-analysis-reference.md §1.2-1.3 and §4). An orderly FIN
// close, in any of its shapes, produces no diagnostic at all. EXCHANGE ends with the client's next seq at
// 101 and the server's at 201 (relative), lines 1-6.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  EXCHANGE,
  HANDSHAKE,
  SYN,
  c,
  expectNone,
  expectOne,
  only,
  relatedLines,
  run,
  s,
  withCode,
} from '../helpers/analysisHelpers';
import { codes } from '../helpers/trace';

const CLIENT_FIN = c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0');

suite('orderly closes produce no diagnostic', () => {
  test('four-way close: FIN, ACK, FIN, ACK', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [.], ack 102, win 509, length 0'),
      s(61, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    assert.deepEqual(r.a.findings, []);
    assert.equal(only(r.a).teardown, 'fin');
  });

  test('three-segment close: FIN, FIN+ACK that acks it, ACK', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    assert.deepEqual(r.a.findings, []);
    assert.equal(only(r.a).teardown, 'fin');
  });

  test('simultaneous close: the FINs cross with the old acks, then both are acknowledged', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(50.1, 'Flags [F.], seq 201, ack 101, win 509, length 0'),
      c(60, 'Flags [.], ack 202, win 501, length 0'),
      s(60.1, 'Flags [.], ack 102, win 509, length 0'),
    );
    assert.deepEqual(r.a.findings, []);
    assert.equal(only(r.a).teardown, 'fin');
  });

  test('TIME-WAIT: a retransmitted FIN (the last ACK was lost) answered by a re-sent ACK is normal', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
      s(260, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(261, 'Flags [.], ack 202, win 501, length 0'),
    );
    // Only Wireshark's view of the repeat: the FIN is a retransmission, the second ACK a duplicate.
    assert.deepEqual(codes(r.a), ['tcp.retransmission', 'tcp.dup-ack']);
    assert.equal(only(r.a).teardown, 'fin');
  });

  test('a FIN carrying data ([FP.] seq 101:151) is acknowledged with 152', () => {
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [FP.], seq 101:151, ack 201, win 501, length 50'),
      s(60, 'Flags [F.], seq 201, ack 152, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    assert.deepEqual(r.a.findings, []);
  });

  test("half-close (the reference's example): the peer's data after the client's FIN is legal", () => {
    const r = run(
      ...HANDSHAKE,
      c(21, 'Flags [F.], seq 1, ack 1, win 502, length 0'),
      s(30, 'Flags [.], ack 2, win 509, length 0'),
      s(31, 'Flags [P.], seq 1:10, ack 2, win 509, length 9'),
      c(40, 'Flags [.], ack 10, win 502, length 0'),
      s(41, 'Flags [F.], seq 10, ack 2, win 509, length 0'),
      c(50, 'Flags [.], ack 11, win 502, length 0'),
    );
    assert.deepEqual(r.a.findings, []);
    assert.equal(only(r.a).teardown, 'fin');
  });
});

suite('teardown.bad-fin-ack', () => {
  test('an ACK past the FIN (103 for a FIN at 101) is flagged on the ack number', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [.], ack 103, win 509, length 0'),
      s(61, 'Flags [F.], seq 201, ack 103, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    const f = expectOne(r, 'teardown.bad-fin-ack', 8, '103', 'error');
    assert.match(f.message, /exactly 102\b/);
    assert.deepEqual(relatedLines(f), [7], 'points at the FIN');
  });

  test('a FIN+ACK that stops short of the FIN (ack 101 for a FIN at 101), never corrected', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [F.], seq 201, ack 101, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    const f = expectOne(r, 'teardown.bad-fin-ack', 8, '101', 'error');
    assert.match(f.message, /\b102\b/);
    assert.deepEqual(relatedLines(f), [7]);
  });

  test('near miss: the same crossing FIN is fine when the ACK of 102 follows (simultaneous close)', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [F.], seq 201, ack 101, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
      s(70.1, 'Flags [.], ack 102, win 509, length 0'),
    );
    expectNone(r, 'teardown.bad-fin-ack');
  });
});

suite('teardown.data-after-fin', () => {
  test('new data from the side that already sent its FIN', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      c(51, 'Flags [P.], seq 102:152, ack 201, win 501, length 50'),
      s(60, 'Flags [.], ack 102, win 509, length 0'),
    );
    const f = expectOne(r, 'teardown.data-after-fin', 8, '102:152', 'error');
    assert.deepEqual(relatedLines(f), [7]);
  });

  test("near miss: the peer's data after the client's FIN (half-close) gets no diagnostic", () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [.], ack 102, win 509, length 0'),
      s(61, 'Flags [P.], seq 201:701, ack 102, win 509, length 500'),
      c(70, 'Flags [.], ack 701, win 501, length 0'),
    );
    assert.deepEqual(r.a.findings, []);
    assert.equal(only(r.a).teardown, 'half-closed');
  });
});

suite('worked example 3 (tests/ssh.pcap frames 44-54), shifted onto EXCHANGE', () => {
  test('data lost before a FIN, resent together with the FIN below it: no teardown diagnostic', () => {
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [P.], seq 101:137, ack 201, win 501, length 36'),
      c(51, 'Flags [P.], seq 137:197, ack 201, win 501, length 60'),
      c(52, 'Flags [F.], seq 197, ack 201, win 501, length 0'),
      // the receiver got only the FIN: it SACKs it while still acking 101
      s(62, 'Flags [.], ack 101, win 509, options [nop,nop,sack 1 {197:198}], length 0'),
      // 29 ms after the FIN (> iRTT 20 ms): the lost bytes and the FIN again in one segment
      c(81, 'Flags [FP.], seq 101:197, ack 201, win 501, length 96'),
      s(91, 'Flags [.], ack 198, win 509, length 0'),
      s(92, 'Flags [F.], seq 201, ack 198, win 509, length 0'),
      c(102, 'Flags [.], ack 202, win 501, length 0'),
    );
    expectNone(r, 'teardown.data-after-fin');
    expectNone(r, 'teardown.bad-fin-ack');
    const dup = expectOne(r, 'tcp.dup-ack', 10, '101', 'information');
    assert.equal(dup.count, 1);
    expectOne(r, 'tcp.retransmission', 11, '101:197', 'information');
    assert.deepEqual(codes(r.a), ['tcp.dup-ack', 'tcp.retransmission']);
    assert.equal(only(r.a).teardown, 'fin');
  });
});

suite('teardown.fin-unacked', () => {
  test('a FIN sent three times and never acknowledged: one warning, the repeats as related', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      c(250, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
      c(650, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
    );
    const f = expectOne(r, 'teardown.fin-unacked', 7, 'Flags [F.]', 'warning');
    assert.deepEqual(relatedLines(f), [8, 9]);
    assert.match(f.message, /3 times/);
    assert.match(f.message, /\b102\b/);
    assert.deepEqual(
      withCode(r.a, 'tcp.retransmission').map((x) => x.span.line + 1),
      [8, 9],
    );
  });

  test('near miss: the FIN is acknowledged (the connection stays half-closed)', () => {
    const r = run(...EXCHANGE, CLIENT_FIN, s(60, 'Flags [.], ack 102, win 509, length 0'));
    assert.deepEqual(r.a.findings, []);
  });
});

suite('teardown.reset', () => {
  test('an abort after data is a warning, on the RST flags', () => {
    const r = run(...EXCHANGE, c(50, 'Flags [R.], seq 101, ack 201, win 0, length 0'));
    expectOne(r, 'teardown.reset', 7, 'Flags [R.]', 'warning');
    assert.deepEqual(codes(r.a), ['teardown.reset']);
    assert.equal(only(r.a).teardown, 'rst');
  });

  test('a RST after both FINs is only information', () => {
    const r = run(
      ...EXCHANGE,
      CLIENT_FIN,
      s(60, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      // no ACK flag: tcpdump prints it absolute
      c(70, 'Flags [R], seq 1102, win 0, length 0'),
    );
    expectOne(r, 'teardown.reset', 9, 'Flags [R]', 'information');
    assert.deepEqual(codes(r.a), ['teardown.reset']);
  });

  test('near miss: a RST after only one side closed is still a warning', () => {
    const r = run(...EXCHANGE, CLIENT_FIN, s(60, 'Flags [R.], seq 201, ack 102, win 0, length 0'));
    expectOne(r, 'teardown.reset', 8, 'Flags [R.]', 'warning');
  });

  // crafted-challenge-ack (scripts/scenarios/craft.py), tcpdump -nn: an RST 5000 bytes past the
  // server's next seq (a blind reset); the client answers with a challenge ACK and goes on, and the
  // server acknowledges its next request: the connection outlived the RST.
  const BLIND_RESET = [
    '12:00:00.100000 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [S], seq 1000000, win 64240, options [mss 1460,sackOK,TS val 3050831 ecr 0,nop,wscale 7], length 0',
    '12:00:00.102000 IP 198.51.100.20.80 > 192.0.2.10.50730: Flags [S.], seq 2000000, ack 1000001, win 64240, options [mss 1460,sackOK,TS val 7000083 ecr 3050831,nop,wscale 7], length 0',
    '12:00:00.104000 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [.], ack 1, win 502, options [nop,nop,TS val 3050834 ecr 7000083], length 0',
    '12:00:00.105000 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [P.], seq 1:79, ack 1, win 502, options [nop,nop,TS val 3050836 ecr 7000083], length 78: HTTP: GET /index.html HTTP/1.1',
    '12:00:00.107000 IP 198.51.100.20.80 > 192.0.2.10.50730: Flags [.], ack 79, win 502, options [nop,nop,TS val 7000086 ecr 3050836], length 0',
    '12:00:00.109000 IP 198.51.100.20.80 > 192.0.2.10.50730: Flags [P.], seq 1:1401, ack 79, win 502, options [nop,nop,TS val 7000089 ecr 3050836], length 1400: HTTP: HTTP/1.1 200 OK part 0',
    '12:00:00.111000 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [.], ack 1401, win 502, options [nop,nop,TS val 3050839 ecr 7000089], length 0',
    '12:00:00.121000 IP 198.51.100.20.80 > 192.0.2.10.50730: Flags [R], seq 2006401, win 502, length 0',
    '12:00:00.121200 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [.], ack 1401, win 502, options [nop,nop,TS val 3050840 ecr 7000100], length 0',
    '12:00:00.122200 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [P.], seq 79:157, ack 1401, win 502, options [nop,nop,TS val 3050842 ecr 7000100], length 78: HTTP: GET /index.html HTTP/1.1',
    '12:00:00.124200 IP 198.51.100.20.80 > 192.0.2.10.50730: Flags [.], ack 157, win 502, options [nop,nop,TS val 7000103 ecr 3050842], length 0',
    '12:00:00.140201 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [F.], seq 157, ack 1401, win 502, options [nop,nop,TS val 3050856 ecr 7000103], length 0',
    '12:00:00.142201 IP 198.51.100.20.80 > 192.0.2.10.50730: Flags [F.], seq 1401, ack 158, win 502, options [nop,nop,TS val 7000112 ecr 3050856], length 0',
    '12:00:00.145201 IP 192.0.2.10.50730 > 198.51.100.20.80: Flags [.], ack 1402, win 502, options [nop,nop,TS val 3050859 ecr 7000112], length 0',
  ];

  test('a RST the connection outlives (its sender acknowledges new data after it) says so, and is no abort', () => {
    const r = run(...BLIND_RESET);
    const f = expectOne(r, 'teardown.reset', 8, 'Flags [R]', 'warning');
    assert.match(f.message, /outlived: its sender acknowledges new data after it \(ack 157\)/);
    assert.match(f.message, /challenge ACK/);
    assert.doesNotMatch(f.message, /after both sides had sent FIN|aborted/);
    // The corpus's teardown vocabulary: "rst" once any RST was seen.
    assert.equal(only(r.a).teardown, 'rst');
  });

  test('a RST whose sender then sends its FIN (the next seq, no new ack) is outlived too', () => {
    // The server's RST, then (nothing acknowledged anew) the server's own FIN at its next seq.
    const lines = [...BLIND_RESET.slice(0, 9), BLIND_RESET[12]!.replace('ack 158', 'ack 79')];
    const r = run(...lines);
    const f = expectOne(r, 'teardown.reset', 8, 'Flags [R]', 'warning');
    assert.match(f.message, /outlived: its sender sends its FIN after it/);
  });

  test('near miss: a RST answered only with RSTs (data in flight from before it) is an abort', () => {
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [R.], seq 101, ack 201, win 0, length 0'),
      s(51, 'Flags [P.], seq 201:301, ack 101, win 509, length 100'),
      c(52, 'Flags [R], seq 1101, win 0, length 0'),
    );
    const f = r.a.findings.find((x) => x.code === 'teardown.reset')!;
    assert.match(f.message, /connection aborted/);
  });

  test('near miss: FINs sent after a RST are no "reset after both sides had sent FIN"', () => {
    const lines = BLIND_RESET.filter((_, i) => i !== 10);
    const r = run(...lines);
    const f = expectOne(r, 'teardown.reset', 8, 'Flags [R]', 'warning');
    assert.doesNotMatch(f.message, /after both sides had sent FIN/);
  });

  test('near miss: the RST refusing a SYN is no teardown.reset', () => {
    const r = run(SYN, s(1, 'Flags [R.], seq 0, ack 1001, win 0, length 0'));
    expectNone(r, 'teardown.reset');
    assert.equal(only(r.a).teardown, 'rst');
  });
});

suite('flags.invalid-combination', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['SYN+FIN', 'Flags [FS], seq 1000, win 1024, length 0', /SYN and FIN/],
    ['SYN+RST', 'Flags [SR], seq 1000, win 1024, length 0', /SYN and RST/],
    ['no flags (NULL scan)', 'Flags [none], seq 1000, win 1024, length 0', /no flags/],
    ['FIN+PSH+URG (Xmas scan)', 'Flags [FPU], seq 1000, win 1024, urg 0, length 0', /Xmas/],
    ['FIN without ACK (FIN scan)', 'Flags [F], seq 1000, win 1024, length 0', /without ACK/],
  ];
  for (const [name, rest, why] of cases) {
    test(`${name} is flagged on the flags`, () => {
      const r = run(c(0, rest));
      const flagsText = /Flags \[[^\]]*\]/.exec(rest)![0];
      const f = expectOne(r, 'flags.invalid-combination', 1, flagsText, 'warning');
      assert.match(f.message, why);
    });
  }

  test('FIN+RST inside an established connection', () => {
    const r = run(...HANDSHAKE, c(30, 'Flags [FR.], seq 1, ack 1, win 502, length 0'));
    const f = expectOne(r, 'flags.invalid-combination', 4, 'Flags [FR.]', 'warning');
    assert.match(f.message, /FIN and RST/);
  });

  test('a bare FIN without ACK in an established connection', () => {
    const r = run(...HANDSHAKE, c(30, 'Flags [F], seq 1001, win 502, length 0'));
    expectOne(r, 'flags.invalid-combination', 4, 'Flags [F]', 'warning');
  });

  test('near miss: every flag set a normal (ECN, urgent, RST) connection uses is fine', () => {
    const r = run(
      c(
        0,
        'Flags [SEW], seq 1000, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
      ),
      s(
        10,
        'Flags [S.E], seq 5000, ack 1001, win 65160, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0',
      ),
      c(20, 'Flags [.], ack 1, win 502, length 0'),
      c(21, 'Flags [P.U], seq 1:101, ack 1, win 502, urg 1, length 100'),
      s(30, 'Flags [.E], ack 101, win 509, length 0'),
      c(31, 'Flags [.W], seq 101:201, ack 1, win 502, length 100'),
      s(40, 'Flags [FP.], seq 1:51, ack 201, win 509, length 50'),
      c(50, 'Flags [F.], seq 201, ack 52, win 502, length 0'),
      s(60, 'Flags [.], ack 202, win 509, length 0'),
      c(70, 'Flags [R], seq 1202, win 0, length 0'),
    );
    expectNone(r, 'flags.invalid-combination');
  });
});
