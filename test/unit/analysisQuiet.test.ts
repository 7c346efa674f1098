// tcpdump -q output (tcpdump-format.md §13): no flags, numbers or windows, so nothing can be judged;
// the core says so once, as information, instead of reporting missing handshakes.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { expectOne, run } from '../helpers/analysisHelpers';
import { codes } from '../helpers/trace';

// tests/dns_tcp.pcap with -q -nn (the corpus rendering).
const DNS_Q = [
  '09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: tcp 0',
  '09:21:03.846908 IP 209.87.249.18.53 > 192.168.1.11.33779: tcp 0',
  '09:21:03.847060 IP 192.168.1.11.33779 > 209.87.249.18.53: tcp 0',
  '09:21:03.847323 IP 192.168.1.11.33779 > 209.87.249.18.53: tcp 58',
  '09:21:03.847457 IP 209.87.249.18.53 > 192.168.1.11.33779: tcp 0',
  '09:21:03.973180 IP 209.87.249.18.53 > 192.168.1.11.33779: tcp 226',
  '09:21:03.973220 IP 192.168.1.11.33779 > 209.87.249.18.53: tcp 0',
  '09:21:03.974844 IP 192.168.1.11.33779 > 209.87.249.18.53: tcp 0',
  '09:21:03.975246 IP 209.87.249.18.53 > 192.168.1.11.33779: tcp 0',
  '09:21:04.101184 IP 209.87.249.18.53 > 192.168.1.11.33779: tcp 0',
  '09:21:04.101256 IP 192.168.1.11.33779 > 209.87.249.18.53: tcp 0',
];

suite('-q traces', () => {
  test('only one trace.no-flags information, on the first packet; handshake and teardown unknown', () => {
    const r = run(...DNS_Q);
    expectOne(r, 'trace.no-flags', 1, '0', 'information');
    assert.deepEqual(codes(r.a), ['trace.no-flags']);
    assert.equal(r.a.connections.length, 1);
    const conn = r.a.connections[0]!;
    assert.equal(conn.quiet, true);
    assert.equal(conn.handshake, 'unknown');
    assert.equal(conn.teardown, 'unknown');
    assert.equal(conn.records.length, 11);
  });

  test('two -q connections (the corpus "refused" capture) still give a single trace.no-flags', () => {
    const r = run(
      '18:23:41.759407 IP 127.0.0.1.40070 > 127.0.0.1.8081: tcp 0',
      '18:23:41.759420 IP 127.0.0.1.8081 > 127.0.0.1.40070: tcp 0',
      '18:23:42.159981 IP 127.0.0.1.40084 > 127.0.0.1.8081: tcp 0',
      '18:23:42.159994 IP 127.0.0.1.8081 > 127.0.0.1.40084: tcp 0',
    );
    assert.deepEqual(codes(r.a), ['trace.no-flags']);
    assert.equal(r.a.connections.length, 2);
    for (const conn of r.a.connections) assert.equal(conn.handshake, 'unknown');
  });

  test('near miss: the same capture printed in full gets no trace.no-flags', () => {
    const r = run(
      '18:23:41.759407 IP 127.0.0.1.40070 > 127.0.0.1.8081: Flags [S], seq 1380107343, win 64240, options [mss 1460,sackOK,TS val 4026830242 ecr 0,nop,wscale 10], length 0',
      '18:23:41.759420 IP 127.0.0.1.8081 > 127.0.0.1.40070: Flags [R.], seq 0, ack 1380107344, win 0, length 0',
    );
    assert.deepEqual(codes(r.a), ['handshake.refused']);
  });
});
