// RFC 9293 endpoint states after every packet (tcp-analysis-reference.md §1.1-1.2): segment.clientState
// and serverState are [before, after]. The core moves the sender when it sends and takes delivery to the
// receiver as given (the "trust delivery" reading of §1.1), except that a server stays in LISTEN until
// it answers a SYN.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  CLIENT_DIRECTION_ONLY,
  EXCHANGE,
  SIMULTANEOUS_OPEN,
  SYN,
  SYN_ACK,
  c,
  only,
  run,
  s,
  segmentAt,
} from '../helpers/analysisHelpers';
import type { TcpState, TraceAnalysis } from '../../server/src/trace/index';

type Row = [line: number, client: [TcpState, TcpState], server: [TcpState, TcpState]];

function assertStates(a: TraceAnalysis, rows: Row[]): void {
  for (const [line, client, server] of rows) {
    const seg = segmentAt(a, line);
    assert.deepEqual(seg.clientState, client, `client on line ${line}`);
    assert.deepEqual(seg.serverState, server, `server on line ${line}`);
  }
}

const EST: [TcpState, TcpState] = ['ESTABLISHED', 'ESTABLISHED'];
const OPENING: Row[] = [
  [1, ['CLOSED', 'SYN-SENT'], ['LISTEN', 'LISTEN']],
  [2, ['SYN-SENT', 'ESTABLISHED'], ['LISTEN', 'SYN-RECEIVED']],
  [3, EST, ['SYN-RECEIVED', 'ESTABLISHED']],
  [4, EST, EST],
  [5, EST, EST],
  [6, EST, EST],
];

suite('endpoint states', () => {
  test('handshake, data and a four-way close (as in worked example 1)', () => {
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
      s(60, 'Flags [.], ack 102, win 509, length 0'),
      s(61, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    assertStates(r.a, [
      ...OPENING,
      [7, ['ESTABLISHED', 'FIN-WAIT-1'], ['ESTABLISHED', 'CLOSE-WAIT']],
      [8, ['FIN-WAIT-1', 'FIN-WAIT-2'], ['CLOSE-WAIT', 'CLOSE-WAIT']],
      [9, ['FIN-WAIT-2', 'TIME-WAIT'], ['CLOSE-WAIT', 'LAST-ACK']],
      [10, ['TIME-WAIT', 'TIME-WAIT'], ['LAST-ACK', 'CLOSED']],
    ]);
    const conn = only(r.a);
    assert.equal(conn.client.state, 'TIME-WAIT');
    assert.equal(conn.server.state, 'CLOSED');
  });

  test('three-segment close: the FIN+ACK takes the client from FIN-WAIT-1 straight to TIME-WAIT', () => {
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
      s(60, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    assertStates(r.a, [
      ...OPENING,
      [7, ['ESTABLISHED', 'FIN-WAIT-1'], ['ESTABLISHED', 'CLOSE-WAIT']],
      [8, ['FIN-WAIT-1', 'TIME-WAIT'], ['CLOSE-WAIT', 'LAST-ACK']],
      [9, ['TIME-WAIT', 'TIME-WAIT'], ['LAST-ACK', 'CLOSED']],
    ]);
  });

  // Simultaneous close (RFC 9293 Fig. 13): the FINs cross, each carrying the old ack.
  const SIMULTANEOUS_CLOSE = [
    ...EXCHANGE,
    c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
    s(50.1, 'Flags [F.], seq 201, ack 101, win 509, length 0'),
    c(60, 'Flags [.], ack 202, win 501, length 0'),
    s(60.1, 'Flags [.], ack 102, win 509, length 0'),
  ];

  test('simultaneous close, the client: FIN-WAIT-1, CLOSING, then TIME-WAIT when its FIN is acked', () => {
    const r = run(...SIMULTANEOUS_CLOSE);
    const client = (line: number) => segmentAt(r.a, line).clientState;
    assert.deepEqual(client(7), ['ESTABLISHED', 'FIN-WAIT-1']);
    assert.deepEqual(client(8), ['FIN-WAIT-1', 'CLOSING']);
    assert.deepEqual(client(9), ['CLOSING', 'CLOSING']);
    assert.deepEqual(client(10), ['CLOSING', 'TIME-WAIT']);
  });

  test(
    'simultaneous close, the server: its FIN (old ack) shows it was not in CLOSE-WAIT; CLOSING, then TIME-WAIT',
    {},
    () => {
      const r = run(...SIMULTANEOUS_CLOSE);
      const server = (line: number) => segmentAt(r.a, line).serverState;
      assert.equal(server(8)[1], 'CLOSING');
      assert.deepEqual(server(9), ['CLOSING', 'TIME-WAIT']);
      assert.equal(server(10)[1], 'TIME-WAIT');
      assert.equal(only(r.a).server.state, 'TIME-WAIT');
      assert.equal(only(r.a).client.state, 'TIME-WAIT');
    },
  );

  test('refused: the client goes SYN-SENT -> CLOSED; the server never leaves LISTEN/CLOSED', () => {
    const r = run(SYN, s(1, 'Flags [R.], seq 0, ack 1001, win 0, length 0'));
    assert.deepEqual(segmentAt(r.a, 1).clientState, ['CLOSED', 'SYN-SENT']);
    assert.deepEqual(segmentAt(r.a, 2).clientState, ['SYN-SENT', 'CLOSED']);
    assert.equal(segmentAt(r.a, 2).serverState[1], 'CLOSED');
    for (const seg of only(r.a).segments) {
      for (const st of seg.serverState) assert.ok(st === 'LISTEN' || st === 'CLOSED', `server state ${st}`);
    }
  });

  test('an abort: both sides CLOSED after the RST', () => {
    const r = run(...EXCHANGE, c(50, 'Flags [R.], seq 101, ack 201, win 0, length 0'));
    assert.deepEqual(segmentAt(r.a, 7).clientState, ['ESTABLISHED', 'CLOSED']);
    assert.deepEqual(segmentAt(r.a, 7).serverState, ['ESTABLISHED', 'CLOSED']);
  });

  test('mid-stream start: both sides go from UNKNOWN to ESTABLISHED on the first segment', () => {
    const r = run(
      c(0, 'Flags [P.], seq 1000:1100, ack 5001, win 502, length 100'),
      s(10, 'Flags [.], ack 100, win 509, length 0'),
    );
    assert.deepEqual(segmentAt(r.a, 1).clientState, ['UNKNOWN', 'ESTABLISHED']);
    assert.deepEqual(segmentAt(r.a, 1).serverState, ['UNKNOWN', 'ESTABLISHED']);
    assert.deepEqual(segmentAt(r.a, 2).serverState, EST);
  });

  test('simultaneous open (RFC 9293 Fig. 7): after both SYN-ACKs both sides are ESTABLISHED', {}, () => {
    const r = run(...SIMULTANEOUS_OPEN);
    assert.deepEqual(segmentAt(r.a, 1).clientState, ['CLOSED', 'SYN-SENT']);
    assert.equal(segmentAt(r.a, 2).clientState[1], 'SYN-RECEIVED', 'the crossing SYN');
    assert.equal(segmentAt(r.a, 4).clientState[1], 'ESTABLISHED');
    assert.equal(segmentAt(r.a, 4).serverState[1], 'ESTABLISHED');
  });

  test('SYN not captured: the client that ACKs the SYN-ACK is ESTABLISHED, not CLOSED', {}, () => {
    const r = run(SYN_ACK, c(20, 'Flags [.], ack 1, win 502, length 0'));
    assert.equal(segmentAt(r.a, 1).clientState[1], 'ESTABLISHED');
    assert.deepEqual(segmentAt(r.a, 2).clientState, ['ESTABLISHED', 'ESTABLISHED']);
    assert.deepEqual(segmentAt(r.a, 2).serverState, ['SYN-RECEIVED', 'ESTABLISHED']);
  });

  test(
    "only the client's direction captured (tests/ipoib): a server whose data the client acks is not in LISTEN",
    {},
    () => {
      const r = run(...CLIENT_DIRECTION_ONLY);
      assert.deepEqual(segmentAt(r.a, 2).clientState, ['SYN-SENT', 'ESTABLISHED']);
      assert.equal(segmentAt(r.a, 4).serverState[1], 'ESTABLISHED');
    },
  );
});
