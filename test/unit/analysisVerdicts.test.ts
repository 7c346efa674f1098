// Per-connection verdicts: handshake, teardown and who is the client (tcp-analysis-reference.md §1.5,
// corpus README "Ground-truth vocabulary").
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  CLIENT,
  EXCHANGE,
  HANDSHAKE,
  SERVER,
  SIMULTANEOUS_OPEN,
  SYN,
  SYN_ACK,
  c,
  only,
  run,
  s,
  synAt,
} from '../helpers/analysisHelpers';
import type { Connection } from '../../server/src/trace/index';

const endpoint = (conn: Connection, side: 'client' | 'server') =>
  `${conn[side].endpoint.host}.${conn[side].endpoint.portText}`;

suite('handshake verdict', () => {
  test('complete: SYN, SYN-ACK, ACK', () => {
    assert.equal(only(run(...HANDSHAKE).a).handshake, 'complete');
  });

  test('incomplete: SYN-ACK seen, no valid final ACK', () => {
    assert.equal(only(run(SYN, SYN_ACK).a).handshake, 'incomplete');
  });

  test('refused: SYN answered by RST', () => {
    assert.equal(only(run(SYN, s(1, 'Flags [R.], seq 0, ack 1001, win 0, length 0')).a).handshake, 'refused');
  });

  test('unanswered: SYN(s) only', () => {
    const r = run(SYN, synAt(1000));
    assert.equal(only(r.a).handshake, 'unanswered');
  });

  test('missing: the capture starts after the handshake', () => {
    const r = run(
      c(0, 'Flags [P.], seq 1000:1100, ack 5001, win 502, length 100'),
      s(10, 'Flags [.], ack 100, win 509, length 0'),
    );
    assert.equal(only(r.a).handshake, 'missing');
  });

  test('simultaneous: both sides sent a bare SYN', () => {
    const r = run(...SIMULTANEOUS_OPEN);
    const conn = only(r.a);
    assert.equal(conn.handshake, 'simultaneous');
    assert.equal(endpoint(conn, 'client'), '192.0.2.30.40001', 'the first SYN names the client');
    assert.equal(conn.clientGuessed, false);
  });
});

suite('teardown verdict', () => {
  test('fin: both sides sent FIN', () => {
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
      s(60, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(70, 'Flags [.], ack 202, win 501, length 0'),
    );
    assert.equal(only(r.a).teardown, 'fin');
  });

  test('rst: any RST, even after both FINs', () => {
    const r = run(
      ...EXCHANGE,
      c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
      s(60, 'Flags [F.], seq 201, ack 102, win 509, length 0'),
      c(70, 'Flags [R], seq 1102, win 0, length 0'),
    );
    assert.equal(only(r.a).teardown, 'rst');
  });

  test('half-closed: only one side sent FIN', () => {
    const r = run(
      ...EXCHANGE,
      s(50, 'Flags [F.], seq 201, ack 101, win 509, length 0'),
      c(60, 'Flags [.], ack 202, win 501, length 0'),
    );
    assert.equal(only(r.a).teardown, 'half-closed');
  });

  test('open: no FIN, no RST', () => {
    assert.equal(only(run(...EXCHANGE).a).teardown, 'open');
  });
});

suite('client orientation', () => {
  test('the client is the sender of the first SYN, even from a well-known port (active FTP data)', () => {
    const r = run(
      '12:00:00.000000 IP 10.0.0.2.20 > 10.0.0.1.50123: Flags [S], seq 1000, win 65535, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0',
      '12:00:00.001000 IP 10.0.0.1.50123 > 10.0.0.2.20: Flags [S.], seq 5000, ack 1001, win 65535, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0',
      '12:00:00.002000 IP 10.0.0.2.20 > 10.0.0.1.50123: Flags [.], ack 1, win 502, length 0',
    );
    const conn = only(r.a);
    assert.equal(endpoint(conn, 'client'), '10.0.0.2.20');
    assert.equal(endpoint(conn, 'server'), '10.0.0.1.50123');
    assert.equal(conn.clientGuessed, false);
  });

  test('with the SYN missing, the receiver of the SYN-ACK is the client (not guessed)', () => {
    const r = run(SYN_ACK, c(20, 'Flags [.], ack 1, win 502, length 0'));
    const conn = only(r.a);
    assert.equal(endpoint(conn, 'client'), CLIENT);
    assert.equal(conn.clientGuessed, false);
  });

  test('mid-stream, first packet from the server: the well-known port is the server, and it is marked guessed', () => {
    const r = run(
      '12:00:00.000000 IP 10.0.0.2.443 > 10.0.0.1.51000: Flags [P.], seq 5000:5100, ack 1000, win 509, length 100',
      '12:00:00.010000 IP 10.0.0.1.51000 > 10.0.0.2.443: Flags [.], ack 100, win 502, length 0',
    );
    const conn = only(r.a);
    assert.equal(endpoint(conn, 'client'), '10.0.0.1.51000');
    assert.equal(endpoint(conn, 'server'), '10.0.0.2.443');
    assert.equal(conn.clientGuessed, true);
    assert.equal(conn.segments.at(0).fromClient, false);
  });

  test('mid-stream, first packet from the client: same orientation', () => {
    const r = run(
      c(0, 'Flags [P.], seq 1000:1100, ack 5001, win 502, length 100'),
      s(10, 'Flags [.], ack 100, win 509, length 0'),
    );
    const conn = only(r.a);
    assert.equal(endpoint(conn, 'client'), CLIENT);
    assert.equal(endpoint(conn, 'server'), SERVER);
    assert.equal(conn.clientGuessed, true);
  });

  test('mid-stream between two unprivileged ports: the lower registered port (8080) is the server', () => {
    const r = run(
      '12:00:00.000000 IP 10.0.0.1.51000 > 10.0.0.2.8080: Flags [P.], seq 1234567:1234667, ack 7654321, win 502, length 100: HTTP: GET / HTTP/1.1',
      '12:00:00.001000 IP 10.0.0.2.8080 > 10.0.0.1.51000: Flags [.], ack 100, win 509, length 0',
    );
    const conn = only(r.a);
    assert.equal(endpoint(conn, 'server'), '10.0.0.2.8080');
    assert.equal(conn.clientGuessed, true);
  });
});
