// Zeek's connection summary (tcp-analysis-reference.md §3): conn_state and the history string, upper
// case for the originator, lower case for the responder.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { EXCHANGE, HANDSHAKE, SYN, c, only, run, s } from '../helpers/analysisHelpers';

const zeek = (...ls: string[]) => {
  const conn = only(run(...ls).a);
  return { state: conn.zeekState, history: conn.history };
};

suite('conn_state and history', () => {
  test('the dns_tcp example of §3.2 (tests/dns_tcp.pcap): ShADadFf, SF', () => {
    assert.deepEqual(
      zeek(
        '09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0',
        '09:21:03.846908 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [S.], seq 2043824403, ack 603899917, win 64240, options [mss 1460], length 0',
        '09:21:03.847060 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 1, win 64240, length 0',
        '09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)',
        '09:21:03.847457 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 59, win 64240, length 0',
        '09:21:03.973180 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [P.], seq 1:227, ack 59, win 64240, length 226 17177*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)',
        '09:21:03.973220 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 227, win 64014, length 0',
        '09:21:03.974844 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [F.], seq 59, ack 227, win 64014, length 0',
        '09:21:03.975246 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 60, win 64239, length 0',
        '09:21:04.101184 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [FP.], seq 227, ack 60, win 64239, length 0',
        '09:21:04.101256 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 228, win 64014, length 0',
      ),
      { state: 'SF', history: 'ShADadFf' },
    );
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
    const z = zeek(
      SYN,
      c(
        1000,
        'Flags [S], seq 1000, win 65535, options [mss 1460,sackOK,TS val 1001 ecr 0,nop,wscale 7], length 0',
      ),
      c(
        3000,
        'Flags [S], seq 1000, win 65535, options [mss 1460,sackOK,TS val 3001 ecr 0,nop,wscale 7], length 0',
      ),
    );
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
