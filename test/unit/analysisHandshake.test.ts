// Handshake checks (tcp-analysis-reference.md §1.2-1.3): bad ACK numbers, unanswered and refused SYNs,
// incomplete handshakes and data before the connection is established.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  CLIENT_DIRECTION_ONLY,
  EXCHANGE,
  HANDSHAKE,
  SIMULTANEOUS_OPEN,
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
  synAckAt,
  synAt,
  withCode,
} from '../helpers/analysisHelpers';
import { codes } from '../helpers/trace';

suite('handshake.bad-ack', () => {
  test('a SYN-ACK acking ISN + 2 is flagged on its ack number, naming the expected ISN + 1', () => {
    const r = run(
      SYN,
      synAckAt(10, 1002),
      // RFC 9293 §3.10.7.3: the client answers an unacceptable ACK with <SEQ=SEG.ACK><CTL=RST>
      c(11, 'Flags [R], seq 1002, win 0, length 0'),
    );
    const f = expectOne(r, 'handshake.bad-ack', 2, '1002', 'error');
    assert.match(f.message, /expected ack 1001\b/);
    assert.deepEqual(relatedLines(f), [1], 'points at the SYN');
    assert.equal(only(r.a).handshake, 'incomplete');
  });

  test('a SYN-ACK acking the ISN itself (not ISN + 1) is flagged too', () => {
    const r = run(SYN, synAckAt(10, 1000), c(11, 'Flags [R], seq 1000, win 0, length 0'));
    const f = expectOne(r, 'handshake.bad-ack', 2, '1000', 'error');
    assert.match(f.message, /expected ack 1001\b/);
  });

  test('a third segment acking server ISN + 2 is flagged; the expected value is named as the line prints it (relative 1)', () => {
    const r = run(SYN, SYN_ACK, c(20, 'Flags [.], ack 2, win 502, length 0'));
    const f = expectOne(r, 'handshake.bad-ack', 3, '2', 'error');
    assert.match(f.message, /expected ack 1\b/);
    assert.deepEqual(relatedLines(f), [2], 'points at the SYN-ACK');
  });

  test('the same with -S output: the expected value is absolute (5001)', () => {
    const r = run(
      SYN,
      SYN_ACK,
      c(20, 'Flags [.], ack 5002, win 502, length 0'),
      c(21, 'Flags [P.], seq 1001:1101, ack 5002, win 502, length 100'),
    );
    assert.equal(r.a.absoluteNumbers, true);
    const f = expectOne(r, 'handshake.bad-ack', 3, '5002', 'error');
    assert.match(f.message, /expected ack 5001\b/);
  });

  test('a final ACK of ISN + 2 (nothing else from the server) does not complete the handshake', {}, () => {
    const r = run(SYN, SYN_ACK, c(20, 'Flags [.], ack 2, win 502, length 0'));
    assert.equal(only(r.a).handshake, 'incomplete');
  });

  test('near miss: ack = ISN + 1 on the SYN-ACK and ack 1 on the third segment are correct', () => {
    const r = run(...HANDSHAKE);
    assert.deepEqual(codes(r.a), []);
    assert.equal(only(r.a).handshake, 'complete');
  });
});

suite('handshake.unanswered-syn', () => {
  test('a SYN sent three times and never answered: one warning on the first SYN, the others as related', () => {
    const r = run(SYN, synAt(1000), synAt(3000));
    const f = expectOne(r, 'handshake.unanswered-syn', 1, 'Flags [S]', 'warning');
    assert.deepEqual(relatedLines(f), [2, 3]);
    assert.match(f.message, /3 times/);
    assert.deepEqual(
      withCode(r.a, 'tcp.retransmission').map((x) => x.span.line + 1),
      [2, 3],
    );
    assert.equal(only(r.a).handshake, 'unanswered');
  });

  test('near miss: the retransmitted SYN is answered', () => {
    const r = run(...SYN_RESENT_THEN_ANSWERED);
    expectNone(r, 'handshake.unanswered-syn');
    assert.deepEqual(codes(r.a), ['tcp.retransmission']);
    assert.equal(only(r.a).handshake, 'complete');
  });

  // tests/ipoib.pcap as tcpdump prints it: only the client's direction was captured. The client's ACK
  // of ISN_s + 1 and its later acks of server data show that the SYN was answered.
  test(
    'near miss: one-direction capture where the client acks the unseen SYN-ACK is not an unanswered SYN',
    {},
    () => {
      const r = run(...CLIENT_DIRECTION_ONLY);
      expectNone(r, 'handshake.unanswered-syn');
      assert.notEqual(only(r.a).handshake, 'unanswered');
    },
  );
});

suite('handshake.refused', () => {
  test('SYN answered by RST+ACK (seq 0, ack ISN + 1): refused, information, on the RST flags; no teardown.reset', () => {
    const r = run(SYN, s(1, 'Flags [R.], seq 0, ack 1001, win 0, length 0'));
    const f = expectOne(r, 'handshake.refused', 2, 'Flags [R.]', 'information');
    assert.deepEqual(relatedLines(f), [1], 'points at the refused SYN');
    assert.deepEqual(codes(r.a), ['handshake.refused']);
    assert.equal(only(r.a).handshake, 'refused');
  });

  test('the corpus "refused" capture: two connections, each refused, nothing else', () => {
    const r = run(
      '18:23:41.759407 IP 127.0.0.1.40070 > 127.0.0.1.8081: Flags [S], seq 1380107343, win 64240, options [mss 1460,sackOK,TS val 4026830242 ecr 0,nop,wscale 10], length 0',
      '18:23:41.759420 IP 127.0.0.1.8081 > 127.0.0.1.40070: Flags [R.], seq 0, ack 1380107344, win 0, length 0',
      '18:23:42.159981 IP 127.0.0.1.40084 > 127.0.0.1.8081: Flags [S], seq 2588163150, win 64240, options [mss 1460,sackOK,TS val 1086346720 ecr 0,nop,wscale 10], length 0',
      '18:23:42.159994 IP 127.0.0.1.8081 > 127.0.0.1.40084: Flags [R.], seq 0, ack 2588163151, win 0, length 0',
    );
    assert.deepEqual(codes(r.a), ['handshake.refused', 'handshake.refused']);
    assert.deepEqual(
      r.a.connections.map((x) => x.handshake),
      ['refused', 'refused'],
    );
  });

  test('near miss: a RST after the connection was established is an abort, not a refusal', () => {
    const r = run(...EXCHANGE, s(50, 'Flags [R.], seq 201, ack 101, win 0, length 0'));
    expectNone(r, 'handshake.refused');
    expectOne(r, 'teardown.reset', 7, 'Flags [R.]', 'warning');
  });
});

suite('handshake.incomplete', () => {
  test('a SYN-ACK (and its retransmission) never followed by the final ACK', () => {
    const r = run(SYN, SYN_ACK, synAckAt(1010));
    const f = expectOne(r, 'handshake.incomplete', 2, 'Flags [S.]', 'warning');
    assert.deepEqual(relatedLines(f), [1]);
    expectOne(r, 'tcp.retransmission', 3, '5000', 'information');
    assert.equal(only(r.a).handshake, 'incomplete');
  });

  test('near miss: the final ACK arrives', () => {
    const r = run(...HANDSHAKE);
    expectNone(r, 'handshake.incomplete');
  });
});

suite('only one direction captured', () => {
  // crafted-one-direction (scripts/scenarios/craft.py), tcpdump -nn: the second connection as only its
  // server sent it (asymmetric routing): SYN-ACK, the ACK of the request, the answer, the ACK of the
  // client's FIN, its own FIN. A server acts so only once the client's final ACK has come.
  const SERVER_ONLY = [
    '12:00:00.230000 IP 198.51.100.20.80 > 192.0.2.10.50791: Flags [S.], seq 2718281, ack 3141593, win 64240, options [mss 1460,sackOK,TS val 7000083 ecr 3050892,nop,wscale 7], length 0',
    '12:00:00.235001 IP 198.51.100.20.80 > 192.0.2.10.50791: Flags [.], ack 79, win 502, options [nop,nop,TS val 7000086 ecr 3050897], length 0',
    '12:00:00.237001 IP 198.51.100.20.80 > 192.0.2.10.50791: Flags [P.], seq 1:1401, ack 79, win 502, options [nop,nop,TS val 7000089 ecr 3050897], length 1400: HTTP: HTTP/1.1 200 OK part 0',
    '12:00:00.239001 IP 198.51.100.20.80 > 192.0.2.10.50791: Flags [P.], seq 1401:2801, ack 79, win 502, options [nop,nop,TS val 7000092 ecr 3050897], length 1400: HTTP: HTTP/1.1 200 OK part 1',
    '12:00:00.253001 IP 198.51.100.20.80 > 192.0.2.10.50791: Flags [.], ack 80, win 502, options [nop,nop,TS val 7000095 ecr 3050911], length 0',
    '12:00:00.254001 IP 198.51.100.20.80 > 192.0.2.10.50791: Flags [F.], seq 2801, ack 80, win 502, options [nop,nop,TS val 7000097 ecr 3050911], length 0',
  ];

  test('a server seen alone that acknowledges client data and sends its own is past the handshake', () => {
    const r = run(...SERVER_ONLY);
    assert.deepEqual(codes(r.a), []);
    const conn = only(r.a);
    assert.equal(conn.handshake, 'complete');
    assert.equal(conn.zeekState, 'SHR');
  });

  test('near miss: a server seen alone that only repeats its SYN-ACK never completed the handshake', () => {
    const r = run(SERVER_ONLY[0]!, SERVER_ONLY[0]!.replace('12:00:00.230000', '12:00:01.230000'));
    assert.equal(only(r.a).handshake, 'incomplete');
    assert.deepEqual(codes(r.a), ['handshake.incomplete', 'tcp.retransmission']);
  });
});

suite('handshake.data-before-established', () => {
  test('client data (PSH without ACK) between its SYN and the SYN-ACK', () => {
    const r = run(
      SYN,
      c(0.1, 'Flags [P], seq 1001:1101, win 502, length 100'),
      SYN_ACK,
      c(20, 'Flags [.], ack 1, win 502, length 0'),
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    );
    const f = expectOne(r, 'handshake.data-before-established', 2, '1001:1101', 'warning');
    assert.deepEqual(relatedLines(f), [1]);
    // PSH without ACK is also an odd flag combination; the data sent again after the handshake is a
    // retransmission to Wireshark.
    assert.deepEqual(codesAt(r.a, 2), ['flags.invalid-combination', 'handshake.data-before-established']);
    expectOne(r, 'tcp.retransmission', 5, '1:101', 'information');
    assert.equal(only(r.a).handshake, 'complete');
  });

  test('near miss: TCP Fast Open data on the SYN itself, acknowledged by the SYN-ACK', () => {
    const r = run(
      c(
        0,
        'Flags [S], seq 1000:1100, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7,tfo  cookie 0102030405060708,nop,nop], length 100',
      ),
      synAckAt(10, 1101),
      c(20, 'Flags [.], ack 1, win 502, length 0'),
    );
    assert.deepEqual(codes(r.a), []);
    assert.equal(only(r.a).handshake, 'complete');
  });

  test('near miss: data right after the final ACK', () => {
    const r = run(...HANDSHAKE, c(20.1, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'));
    assert.deepEqual(codes(r.a), []);
  });
});

suite('simultaneous open', () => {
  test("crossing SYNs and two SYN-ACKs: verdict simultaneous, only Wireshark's retransmission notes on the SYN-ACKs", () => {
    const r = run(
      ...SIMULTANEOUS_OPEN,
      '12:00:00.011400 IP 192.0.2.30.40001 > 192.0.2.31.40002: Flags [P.], seq 1:14, ack 1, win 502, options [nop,nop,TS val 1040015 ecr 5040004], length 13',
      '12:00:00.011600 IP 192.0.2.31.40002 > 192.0.2.30.40001: Flags [.], ack 14, win 502, options [nop,nop,TS val 5040005 ecr 1040015], length 0',
    );
    assert.equal(only(r.a).handshake, 'simultaneous');
    assert.deepEqual(
      r.a.findings.map((f) => [f.code, f.span.line + 1]),
      [
        ['tcp.retransmission', 3],
        ['tcp.retransmission', 4],
      ],
    );
  });
});
