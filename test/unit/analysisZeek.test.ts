// Zeek's connection summary (tcp-analysis-reference.md §3): conn_state and the history string, upper
// case for the originator, lower case for the responder.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { DNS_TCP_NN, EXCHANGE, HANDSHAKE, SYN, c, only, run, s, synAt } from '../helpers/analysisHelpers';

const zeek = (...ls: string[]) => {
  const conn = only(run(...ls).a);
  return { state: conn.zeekState, history: conn.history };
};

suite('conn_state and history', () => {
  test('the dns_tcp example of §3.2 (tests/dns_tcp.pcap): ShADadFf, SF', () => {
    assert.deepEqual(zeek(...DNS_TCP_NN), { state: 'SF', history: 'ShADadFf' });
  });

  test('SYN answered by RST+ACK: Sr, REJ', () => {
    assert.deepEqual(zeek(SYN, s(1, 'Flags [R.], seq 0, ack 1001, win 0, length 0')), {
      state: 'REJ',
      history: 'Sr',
    });
  });

  test('a mid-stream capture: no SYN letters, OTH', () => {
    const z = zeek(
      '20:08:52.541413 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], seq 3763129203:3763129310, ack 4158499266, win 128, length 107: BGP',
      '20:08:53.642401 IP 192.168.10.17.179 > 192.168.10.124.53580: Flags [P.], seq 145:168, ack 39, win 128, length 23: BGP',
      '20:08:53.642524 IP 192.168.10.124.53580 > 192.168.10.17.179: Flags [.], ack 168, win 502, length 0',
      '20:08:53.643391 IP 192.168.10.124.53580 > 192.168.10.17.179: Flags [P.], seq 39:537, ack 168, win 502, length 498: BGP',
    );
    assert.equal(z.state, 'OTH');
    assert.doesNotMatch(z.history, /[SsHh]/);
    assert.match(z.history, /d/, 'responder data');
    assert.match(z.history, /A/, 'originator pure ACK');
    assert.match(z.history, /D/, 'originator data');
  });

  test('SYNs repeated with the same ISN record S once: S, S0', () => {
    const z = zeek(SYN, synAt(1000), synAt(3000));
    assert.deepEqual(z, { state: 'S0', history: 'S' });
  });

  test('established, not closed: ShADd, S1', () => {
    assert.deepEqual(zeek(...EXCHANGE), { state: 'S1', history: 'ShADd' });
  });

  test('only the originator closed: S2', () => {
    const z = zeek(
      ...EXCHANGE,
      c(50, 'Flags [F.], seq 101, ack 201, win 501, length 0'),
      s(60, 'Flags [.], ack 102, win 509, length 0'),
    );
    assert.deepEqual(z, { state: 'S2', history: 'ShADdFa' });
  });

  test('only the responder closed: S3', () => {
    const z = zeek(
      ...EXCHANGE,
      s(50, 'Flags [F.], seq 201, ack 101, win 509, length 0'),
      c(60, 'Flags [.], ack 202, win 501, length 0'),
    );
    assert.deepEqual(z, { state: 'S3', history: 'ShADdf' });
  });

  test('the originator aborts: ShADdR, RSTO', () => {
    assert.deepEqual(zeek(...EXCHANGE, c(50, 'Flags [R.], seq 101, ack 201, win 0, length 0')), {
      state: 'RSTO',
      history: 'ShADdR',
    });
  });

  test('the responder aborts: ShADdr, RSTR', () => {
    assert.deepEqual(zeek(...EXCHANGE, s(50, 'Flags [R.], seq 201, ack 101, win 0, length 0')), {
      state: 'RSTR',
      history: 'ShADdr',
    });
  });

  test('a retransmitted payload adds T (originator)', () => {
    const z = zeek(
      ...HANDSHAKE,
      c(21, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
      c(300, 'Flags [P.], seq 1:101, ack 1, win 502, length 100'),
    );
    assert.deepEqual(z, { state: 'S1', history: 'ShADT' });
  });

  test('a zero window advertised by the originator adds W', () => {
    const z = zeek(
      ...HANDSHAKE,
      s(30, 'Flags [.], seq 1:1001, ack 1, win 509, length 1000'),
      c(40, 'Flags [.], ack 1001, win 0, length 0'),
    );
    assert.deepEqual(z, { state: 'S1', history: 'ShAdW' });
  });

  test('SYN+FIN from the originator records only Q; FIN+RST records only I', () => {
    assert.equal(zeek(c(0, 'Flags [FS], seq 1000, win 1024, length 0')).history, 'Q');
    assert.equal(zeek(...HANDSHAKE, c(30, 'Flags [FR.], seq 1, ack 1, win 502, length 0')).history, 'ShAI');
  });
});
