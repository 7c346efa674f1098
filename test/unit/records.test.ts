// Record shapes (tcpdump-format.md §1, §5-9, §12-15, §17): link layers, the IP layer under -v, tunnels,
// endpoints and service names, flags, -q, checksums, truncation, dumps, non-TCP lines and # comments.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACK, CWR, ECE, FIN, PSH, RST, SYN, URG, parseTrace } from '../../server/src/trace/index';
import { ep, hp, only, optionList, parseClean, rec, textAt, trace } from '../helpers/parserHelpers';

const T = '22:13:20.000000 ';

describe('§1 tunnels: the TCP part is the inner one', () => {
  test('Geneve: inner endpoints, inner flags and options', () => {
    const r = only(
      '    1  2015-02-01 22:04:33.999279 IP 20.0.0.2.43443 > 20.0.0.1.6081: Geneve, Flags [none], vni 0xb: IP 30.0.0.2.51225 > 30.0.0.1.22: Flags [S], seq 397610159, win 14600, options [mss 1460,sackOK,TS val 2876069566 ecr 0,nop,wscale 7], length 0',
    );
    assert.deepEqual(ep(r.src), hp('30.0.0.2', '51225'));
    assert.deepEqual(ep(r.dst), hp('30.0.0.1', '22'));
    assert.equal(r.flags, SYN, "not Geneve's [none]");
    assert.equal(r.options.length, 5);
  });

  test('text after "length N" that looks like a packet does not take over the line', () => {
    const r = only(
      `${T}IP 192.0.2.1.40000 > 192.0.2.2.80: Flags [P.], seq 1:60, ack 1, win 502, length 59: HTTP: GET /x.1 > y.2: Flags [R] HTTP/1.1`,
    );
    assert.deepEqual(ep(r.src), hp('192.0.2.1', '40000'));
    assert.equal(r.flags, PSH | ACK);
    assert.equal(r.length, 59);
  });
});

describe('§5 link-layer prefix (-e)', () => {
  test('-e -q: "SRC > DST, IPv4, length 74: " then the quiet form', () => {
    const r = only(
      '    1  09:21:03.720289 00:11:22:33:44:55 > 00:11:22:33:44:66, IPv4, length 74: 192.168.1.11.33779 > 209.87.249.18.53: tcp 0',
    );
    assert.equal(r.kind, 'tcp-quiet');
    assert.equal(r.af, 4);
    assert.deepEqual(ep(r.src), hp('192.168.1.11', '33779'));
    assert.equal(r.length, 0);
    assert.ok(r.linkText?.includes('00:11:22:33:44:55'));
  });

  test('-e -v: the IP block after the Ethernet header, the TCP part on the next line', () => {
    const r = only(
      '    1  09:21:03.720289 00:11:22:33:44:55 > 00:11:22:33:44:66, ethertype IPv4 (0x0800), length 74: (tos 0x0, ttl 64, id 40342, offset 0, flags [DF], proto TCP (6), length 60)',
      '    192.168.1.11.33779 > 209.87.249.18.53: Flags [S], cksum 0x0c41 (correct), seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0',
    );
    assert.equal(r.kind, 'tcp');
    assert.equal(r.line, 0);
    assert.equal(r.tcpLine, 1);
    assert.equal(r.endLine, 1);
    assert.equal(r.flags, SYN);
    assert.equal(r.cksum?.correct, true);
    assert.deepEqual(ep(r.dst), hp('209.87.249.18', '53'));
  });

  test('-e with IPv6: af 6 from "ethertype IPv6"', () => {
    const r = only(
      `${T}02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype IPv6 (0x86dd), length 94: 2001:db8::10.40010 > 2001:db8:1::20.443: Flags [S], seq 1000, win 64800, options [mss 1440,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0`,
    );
    assert.equal(r.af, 6);
    assert.deepEqual(ep(r.src), hp('2001:db8::10', '40010'));
    assert.deepEqual(ep(r.dst), hp('2001:db8:1::20', '443'));
    assert.ok(r.linkText?.includes('ethertype IPv6 (0x86dd)'));
  });

  test('802.1Q: "vlan 100, p 0, ethertype IPv4 (0x0800), " then the endpoints after a comma', () => {
    const r = only(
      `${T}02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q (0x8100), length 58: vlan 100, p 0, ethertype IPv4 (0x0800), 192.0.2.10.40000 > 198.51.100.20.80: Flags [S], seq 1, win 1024, length 0`,
    );
    assert.equal(r.af, 4);
    assert.deepEqual(ep(r.src), hp('192.0.2.10', '40000'));
    assert.deepEqual(ep(r.dst), hp('198.51.100.20', '80'));
    assert.equal(r.flags, SYN);
    assert.ok(r.linkText?.includes('vlan 100'));
  });

  test('IPoIB: "IPOIB, ethertype IPv4 (0x0800), length 104: "', () => {
    const r = only(
      '    9  2017-12-01 10:00:00.000000 IPOIB, ethertype IPv4 (0x0800), length 104: 192.168.56.10.34170 > 192.168.56.20.22: Flags [SEW], seq 798232822, win 29200, options [mss 65520,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
    );
    assert.equal(r.af, 4);
    assert.deepEqual(ep(r.src), hp('192.168.56.10', '34170'));
    assert.equal(r.flags, SYN | ECE | CWR);
    assert.equal(r.seq, 798232822);
  });

  test('IPoIB: the link header is kept as link text, like the Ethernet one', {}, () => {
    const r = only(
      '    9  2017-12-01 10:00:00.000000 IPOIB, ethertype IPv4 (0x0800), length 104: 192.168.56.10.34170 > 192.168.56.20.22: Flags [SEW], seq 798232822, win 29200, options [mss 65520,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0',
    );
    assert.ok(r.linkText?.startsWith('IPOIB, ethertype IPv4 (0x0800)'), `linkText ${r.linkText}`);
  });
});

describe('§6 the IP layer', () => {
  const V_HEAD =
    '    1  2022-07-26 06:26:07.794026 IP (tos 0x0, ttl 64, id 4242, offset 0, flags [DF], proto TCP (6), length 52)';
  const V_TCP =
    '    31.133.146.248.16433 > 66.228.43.12.80: Flags [.], cksum 0x209c (correct), ack 1, win 1027, length 0';

  test('-v IPv4: record.line is the IP header line, tcpLine the TCP line, endLine the last continuation', () => {
    const p = parseClean(
      V_HEAD,
      V_TCP,
      '\t0x0000:  4500 0034 1092 4000 4006 0000 1f85 92f8',
      '    2  2022-07-26 06:26:07.800000 IP (tos 0x0, ttl 64, id 4243, offset 0, flags [DF], proto TCP (6), length 52)',
      V_TCP,
    );
    assert.equal(p.records.length, 2);
    const r = rec(p, 0);
    assert.equal(r.line, 0);
    assert.equal(r.tcpLine, 1);
    assert.equal(r.endLine, 2);
    assert.equal(r.ipId, 4242);
    assert.equal(r.af, 4);
    assert.equal(r.flags, ACK);
    assert.equal(r.srcSpan?.line, 1, 'endpoint ranges are on the TCP line');
    assert.equal(r.flagsSpan?.line, 1);
    assert.equal(r.dump, 'hex');
    const s = rec(p, 1);
    assert.deepEqual([s.line, s.tcpLine, s.endLine, s.number, s.ipId], [3, 4, 4, 2, 4243]);
  });

  test('-v IPv4 with ECN, IP options and a bad IP checksum in the header block', () => {
    const r = only(
      `${T}IP (tos 0x10,CE, ttl 1, id 6, offset 0, flags [DF], proto TCP (6), length 44, options (RA), bad cksum 1234 (->5678)!)`,
      '    192.0.2.10.40000 > 198.51.100.20.80: Flags [S], seq 1, win 1024, options [mss 1460], length 0',
    );
    assert.equal(r.kind, 'tcp');
    assert.equal(r.tcpLine, 1);
    assert.equal(r.ipId, 6);
  });

  test("-v IPv4 with TSO ('length 7292 [was 0, presumed TSO]')", () => {
    const r = only(
      `${T}IP (tos 0x0, ttl 64, id 5, offset 0, flags [DF], proto TCP (6), length 7292 [was 0, presumed TSO])`,
      '    192.0.2.10.40000 > 198.51.100.20.80: Flags [P.], seq 1:7241, ack 1, win 502, length 7240',
    );
    assert.equal(r.length, 7240);
    assert.equal(r.seqEnd, 7241);
  });

  test('-g / --ip-oneline: the IPv4 block and the TCP part on one line', () => {
    const r = only(
      `${T}IP (tos 0x0, ttl 64, id 54321, offset 0, flags [DF], proto TCP (6), length 60) 192.0.2.10.40000 > 198.51.100.20.80: Flags [S], cksum 0x1c46 (correct), seq 1, win 1024, length 0`,
    );
    assert.equal(r.line, 0);
    assert.equal(r.tcpLine, 0);
    assert.equal(r.endLine, 0);
    assert.equal(r.ipId, 54321);
    assert.equal(r.flags, SYN);
  });

  test('-v IPv6 stays on one line (4.99.6 spelling)', () => {
    const r = only(
      '    1  2025-10-03 16:27:33.363746 IP6 (flowlabel 0x6e481, hlim 61, next-header TCP (6), payload length 7172) 2604:1380:4091:ce00::b.36539 > 2604:1380:4091:ce00::d.45393: Flags [P.], cksum 0xac4e (incorrect -> 0xd25e), seq 1110639583:1110646723, ack 3034762532, win 169, options [nop,nop,TS val 3655207884 ecr 3954243053], length 7140',
    );
    assert.equal(r.af, 6);
    assert.equal(r.tcpLine, 0);
    assert.equal(r.endLine, 0);
    assert.deepEqual(ep(r.src), hp('2604:1380:4091:ce00::b', '36539'));
    assert.deepEqual(r.cksum && [r.cksum.value, r.cksum.correct, r.cksum.expected], ['ac4e', false, 'd25e']);
    assert.equal(r.length, 7140);
  });

  test("-v IPv6, 4.99.3 spelling 'next-header TCP (6) payload length: 40)'", () => {
    const r = only(
      `${T}IP6 (hlim 64, next-header TCP (6) payload length: 40) 2001:db8::10.40010 > 2001:db8:1::20.443: Flags [S], cksum 0x4967 (correct), seq 1000, win 64800, options [mss 1440,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0`,
    );
    assert.equal(r.af, 6);
    assert.equal(r.seq, 1000);
    assert.equal(r.cksum?.value, '4967');
    assert.equal(r.cksum?.correct, true);
  });

  test("a non-first fragment 'ip-proto-6' is a tcp-fragment record without flags and no problem", () => {
    const r = only(`${T}IP 192.0.2.10 > 198.51.100.20: ip-proto-6`);
    assert.equal(r.kind, 'tcp-fragment');
    assert.equal(r.flags, undefined);
    assert.equal(r.seq, undefined);
  });

  test(
    "a fragment has no ports: 'IP 192.0.2.10 > 198.51.100.20: ip-proto-6' keeps the whole addresses",
    {},
    () => {
      const r = only(`${T}IP 192.0.2.10 > 198.51.100.20: ip-proto-6`);
      assert.equal(r.src?.host ?? '192.0.2.10', '192.0.2.10');
      assert.equal(r.src?.port, undefined);
      assert.equal(r.dst?.port, undefined);
    },
  );

  test("a fragment printed with names ('... : tcp') is a tcp-fragment, not a malformed line", {}, () => {
    const p = parseTrace(trace(`${T}IP host-a.example > host-b.example: tcp`));
    assert.deepEqual(p.problems, []);
    assert.equal(rec(p, 0).kind, 'tcp-fragment');
  });

  test('-v: a fragment with a nonzero offset is a tcp-fragment, its next line belongs to it', () => {
    const p = parseClean(
      `${T}IP (tos 0x0, ttl 64, id 4321, offset 1480, flags [none], proto TCP (6), length 520)`,
      '    192.0.2.10 > 198.51.100.20: ip-proto-6',
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.80: Flags [.], ack 1, win 1024, length 0`,
    );
    assert.equal(p.records.length, 2);
    assert.equal(rec(p, 0).kind, 'tcp-fragment');
    assert.equal(rec(p, 0).ipId, 4321);
    assert.equal(rec(p, 0).endLine, 1);
  });

  test("'truncated-ip - 768 bytes missing!' before the endpoints: the segment is read, the missing bytes kept", () => {
    const r = only(
      '   10  2015-01-01 00:00:00.000000 IP truncated-ip - 768 bytes missing! 204.9.51.132.50079 > 204.9.54.80.22: Flags [.], seq 0:768, ack 1, win 1024, length 768',
    );
    assert.equal(r.kind, 'tcp');
    assert.equal(r.ipMissingBytes, 768);
    assert.deepEqual(ep(r.src), hp('204.9.51.132', '50079'));
    assert.equal(r.seq, 0);
    assert.equal(r.seqEnd, 768);
    assert.equal(r.length, 768);
    assert.equal(r.af, 4);
  });

  test("master's '[total length 820 > length 52] (invalid)' note before the -v block is accepted", () => {
    const r = only(
      '   10  2015-01-01 00:00:00.000000 IP [total length 820 > length 52] (invalid) (tos 0x10, ttl 64, id 1234, offset 0, flags [DF], proto TCP (6), length 820)',
      '    204.9.51.132.50079 > 204.9.54.80.22: Flags [.], cksum 0x1234 (correct), seq 0:768, ack 1, win 1024, length 768',
    );
    assert.equal(r.kind, 'tcp');
    assert.equal(r.tcpLine, 1);
    assert.equal(r.length, 768);
  });
});

describe('§7 endpoints, addresses and service names', () => {
  test('IPv6 forms: IPv4-mapped, loopback, compressed; split at the last dot', () => {
    const p = parseClean(
      `${T}IP6 ::ffff:192.0.2.1.40000 > ::1.443: Flags [S], seq 1, win 1024, length 0`,
      `${T}IP6 2001:db8::1:0:0:1.40000 > 2001:db8:85a3::8a2e:370:7334.25: Flags [S], seq 1, win 1024, length 0`,
    );
    assert.deepEqual(ep(rec(p, 0).src), hp('::ffff:192.0.2.1', '40000'));
    assert.deepEqual(ep(rec(p, 0).dst), hp('::1', '443'));
    assert.deepEqual(ep(rec(p, 1).src), hp('2001:db8::1:0:0:1', '40000'));
    assert.deepEqual(ep(rec(p, 1).dst), hp('2001:db8:85a3::8a2e:370:7334', '25'));
    assert.ok(p.records.every((r) => r.af === 6));
  });

  test('IPv6 with a hop-by-hop header: "HBH 41851 > 43913:" ports join the addresses', () => {
    const line = `${T}IP6 2001:db8::1 > 2001:db8::2: HBH 41851 > 43913: Flags [P.], seq 1:11, ack 1, win 502, length 10`;
    const r = only(line);
    assert.equal(r.af, 6);
    assert.deepEqual(ep(r.src), hp('2001:db8::1', '41851'));
    assert.deepEqual(ep(r.dst), hp('2001:db8::2', '43913'));
    assert.equal(r.flags, PSH | ACK);
    assert.equal(r.length, 10);
    assert.equal(textAt(trace(line), r.dstSpan), '43913');
  });

  test('service names map back to ports: http 80, http-alt 8080, https 443, domain 53; host names with dots', () => {
    const p = parseClean(
      '    4  03:57:35.939423 IP localhost.55920 > localhost.http: Flags [P.], seq 1:203, ack 1, win 8192, options [nop,nop,TS val 1306300951 ecr 1306300950], length 202: HTTP: GET / HTTP/1.1',
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.http-alt: Flags [S], seq 1, win 1024, length 0`,
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.https: Flags [S], seq 1, win 1024, length 0`,
      `${T}IP client.example.com.40000 > www.example.org.domain: Flags [S], seq 1, win 1024, length 0`,
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.ssh: Flags [S], seq 1, win 1024, length 0`,
    );
    assert.deepEqual(ep(rec(p, 0).dst), hp('localhost', 'http', 80));
    assert.deepEqual(ep(rec(p, 1).dst), hp('198.51.100.20', 'http-alt', 8080));
    assert.deepEqual(ep(rec(p, 2).dst), hp('198.51.100.20', 'https', 443));
    assert.deepEqual(ep(rec(p, 3).src), hp('client.example.com', '40000'));
    assert.deepEqual(ep(rec(p, 3).dst), hp('www.example.org', 'domain', 53));
    assert.deepEqual(ep(rec(p, 4).dst), hp('198.51.100.20', 'ssh', 22));
  });

  test('ports without a name stay numeric (9000), unknown names stay opaque (port undefined)', () => {
    const p = parseClean(
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.9000: Flags [S], seq 1, win 1024, length 0`,
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.frobnicate: Flags [S], seq 1, win 1024, length 0`,
    );
    assert.deepEqual(ep(rec(p, 0).dst), hp('198.51.100.20', '9000'));
    assert.deepEqual(ep(rec(p, 1).dst), hp('198.51.100.20', 'frobnicate', undefined));
    assert.equal(rec(p, 1).kind, 'tcp');
  });
});

describe('§8 flags', () => {
  const line = (f: string) =>
    `${T}IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [${f}], seq 1, ack 1, win 1024, length 0`;
  const cases: Array<[string, number]> = [
    ['S', SYN],
    ['S.', SYN | ACK],
    ['F.', FIN | ACK],
    ['P.', PSH | ACK],
    ['R.', RST | ACK],
    ['FP.', FIN | PSH | ACK],
    ['.', ACK],
    ['FS', FIN | SYN],
    ['P.U', PSH | ACK | URG],
    ['.W', ACK | CWR],
    ['SEW', SYN | ECE | CWR],
    ['none', 0],
    ['', 0],
    ['.S', SYN | ACK],
    ['U.P', PSH | ACK | URG],
  ];
  for (const [letters, bits] of cases) {
    test(`Flags [${letters}] is the set ${bits.toString(16)}`, () => {
      const text = trace(line(letters));
      const r = only(line(letters));
      assert.equal(r.flags, bits);
      assert.equal(textAt(text, r.flagsSpan), `Flags [${letters}]`);
    });
  }
});

describe('§9 seq, ack, win, urg', () => {
  test('seq A on zero-length FIN and RST, no seqEnd', () => {
    const p = parseClean(
      `${T}IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [F.], seq 59, ack 227, win 64014, length 0`,
      `${T}IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [R], seq 60, win 0, length 0`,
    );
    assert.deepEqual(
      p.records.map((r) => [r.seq, r.seqEnd, r.ack]),
      [
        [59, undefined, 227],
        [60, undefined, undefined],
      ],
    );
  });

  test("4.99.6 -vv notes '[ack N != 0 while ACK flag not set]' and '[urg N ...]' are skipped, no ack/urg set", () => {
    const r = only(
      `${T}IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], cksum 0x1234 (correct), seq 1, [ack 5 != 0 while ACK flag not set], win 1024, [urg 7 != 0 while URG flag not set], length 0`,
    );
    assert.equal(r.flags, SYN);
    assert.equal(r.ack, undefined);
    assert.equal(r.urg, undefined);
    assert.equal(r.win, 1024);
    assert.equal(r.length, 0);
  });

  test('unsigned 32-bit values up to 4294967295 (underflowed relative ack 4294959105)', () => {
    const r = only(
      `${T}IP 204.9.51.132.50079 > 204.9.54.80.22: Flags [F.], seq 4294967295, ack 4294959105, win 65535, length 0`,
    );
    assert.equal(r.seq, 4294967295);
    assert.equal(r.ack, 4294959105);
    assert.equal(r.win, 65535);
  });

  test('win is kept raw (not scaled)', () => {
    const r = only(`${T}IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 310, length 0`);
    assert.equal(r.win, 310);
  });
});

describe('§12 length and the payload summary', () => {
  test('DNS: the summary follows after a space', () => {
    const r = only(
      '    4  2020-06-10 09:21:03.774891 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 1:59, ack 1, win 64240, length 58 17177+ [1au] A? www.tcpdump.org. (56)',
    );
    assert.equal(r.payloadSummary, '17177+ [1au] A? www.tcpdump.org. (56)');
    assert.equal(r.truncated, undefined);
  });

  test("a payload truncation marker ' [|http]' stays in the summary and does not cut the header", () => {
    const r = only(
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.80: Flags [P.], seq 1:38, ack 1, win 502, length 37: HTTP [|http]`,
    );
    assert.equal(r.length, 37);
    assert.ok(r.payloadSummary?.endsWith('HTTP [|http]'));
    assert.equal(r.truncated, undefined, 'the TCP header itself was complete');
  });

  test('no summary when nothing follows "length N"', () => {
    const r = only(`${T}IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, length 0`);
    assert.equal(r.payloadSummary, undefined);
  });
});

describe('§13 -q', () => {
  test("'tcp N' gives the payload length only; no flags, seq or ack", () => {
    const text = trace(
      '    3  17:16:10.052115 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 0',
      '    4  17:16:10.060000 IP 131.155.215.69.46656 > 137.116.81.94.80: tcp 517',
    );
    const p = parseTrace(text);
    assert.deepEqual(p.problems, []);
    assert.deepEqual(
      p.records.map((r) => [r.kind, r.length, r.flags, r.seq, r.ack, r.win]),
      [
        ['tcp-quiet', 0, undefined, undefined, undefined, undefined],
        ['tcp-quiet', 517, undefined, undefined, undefined, undefined],
      ],
    );
    assert.equal(textAt(text, rec(p, 1).lengthSpan), '517');
  });
});

describe('§14 checksum under -v', () => {
  test("'(correct)' and '(incorrect -> 0xHHHH)', with the range over the whole cksum field", () => {
    const line = `${T}IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], cksum 0x0c41 (correct), seq 603899916, win 64240, length 0`;
    const r = only(line);
    assert.deepEqual(r.cksum && [r.cksum.value, r.cksum.correct, r.cksum.expected], [
      '0c41',
      true,
      undefined,
    ]);
    assert.match(textAt(trace(line), r.cksum?.span), /cksum 0x0c41 \(correct\)/);
    const bad = only(
      `${T}IP 31.133.146.248.16433 > 66.228.43.12.80: Flags [SEWe], cksum 0x209c (incorrect -> 0xe443), seq 1948076589, win 65535, length 0`,
    );
    assert.deepEqual(bad.cksum && [bad.cksum.value, bad.cksum.correct, bad.cksum.expected], [
      '209c',
      false,
      'e443',
    ]);
  });
});

describe('§15 truncated and malformed headers', () => {
  test("'[|tcp]' before the ports: a truncated record with no flags and no problem", () => {
    const r = only(`${T}IP 192.0.2.10 > 198.51.100.20: [|tcp]`);
    assert.equal(r.kind, 'tcp-truncated');
    assert.equal(r.truncated, true);
    assert.equal(r.flags, undefined);
  });

  test("'[|tcp]' before the ports: the addresses are kept whole, without ports", {}, () => {
    const r = only(`${T}IP 192.0.2.10 > 198.51.100.20: [|tcp]`);
    assert.deepEqual(ep(r.src), hp('192.0.2.10', '', undefined));
    assert.deepEqual(ep(r.dst), hp('198.51.100.20', '', undefined));
  });

  test("'  [|tcp]' inside the fixed header (two spaces), without -v", () => {
    const r = only(`${T}IP 48.48.48.48.12336 > 48.48.48.48.12336:  [|tcp]`);
    assert.equal(r.kind, 'tcp-truncated');
    assert.deepEqual(ep(r.src), hp('48.48.48.48', '12336'));
    assert.equal(r.truncated, true);
    assert.equal(r.flags, undefined);
  });

  test("'[|tcp]' in the options (covered with the options tests) and after the flags", () => {
    const r = only(`${T}IP 192.0.2.10.40000 > 198.51.100.20.80: Flags [S], seq 1000, win 64240 [|tcp]`);
    assert.equal(r.kind, 'tcp');
    assert.equal(r.flags, SYN);
    assert.equal(r.win, 64240);
    assert.equal(r.truncated, true);
    assert.equal(r.length, undefined);
  });

  test('bad hdr length, too short: " tcp N [bad hdr length 16 - too short, < 20]" (and master\'s " (invalid)")', () => {
    const p = parseClean(
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.80:  tcp 4 [bad hdr length 16 - too short, < 20]`,
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.80:  tcp 4 [bad hdr length 16 - too short, < 20] (invalid)`,
    );
    for (const r of p.records) {
      assert.equal(r.kind, 'tcp-truncated');
      assert.equal(r.length, 4);
      assert.equal(r.truncated, true);
      assert.equal(r.flags, undefined);
      assert.deepEqual(ep(r.src), hp('192.0.2.10', '40000'));
    }
  });

  test("bad hdr length, too long: 'Flags [S] [bad hdr length 60 - too long, > 20]' keeps the flags only", () => {
    const r = only(
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.80: Flags [S] [bad hdr length 60 - too long, > 20]`,
    );
    assert.equal(r.flags, SYN);
    assert.equal(r.truncated, true);
    assert.equal(r.seq, undefined);
    assert.equal(r.win, undefined);
    assert.equal(r.length, undefined);
  });

  test("bad hdr length under -q: 'tcp 4294967256 [bad hdr length 60 - too long, > 20]'", () => {
    const r = only(
      `${T}IP 192.0.2.10.40000 > 198.51.100.20.80: tcp 4294967256 [bad hdr length 60 - too long, > 20]`,
    );
    assert.equal(r.kind, 'tcp-truncated');
    assert.equal(r.truncated, true);
    assert.equal(r.length, 4294967256);
  });

  test("'[remaining caplen(24) < header length(28)] [|tcp]' after the length marks the record cut", () => {
    const r = only(
      `${T}IP 192.0.2.10.10288 > 198.51.100.20.40000: Flags [P.], seq 1:29, ack 1, win 502, length 28 [remaining caplen(24) < header length(28)] [|tcp]`,
    );
    assert.equal(r.length, 28);
    assert.equal(r.truncated, true);
  });
});

describe('§17 payload dumps and continuation lines', () => {
  const HEAD1 =
    '    1  2009-11-11 12:00:00.000000 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [S], seq 928549246, win 32792, options [mss 16396,sackOK,TS val 1306300950 ecr 0,nop,wscale 3], length 0';
  const HEAD2 =
    '    2  2009-11-11 12:00:00.000100 IP 127.0.0.1.80 > 127.0.0.1.55920: Flags [S.], seq 930778609, ack 928549247, win 32768, options [mss 16396,sackOK,TS val 1306300950 ecr 1306300950,nop,wscale 3], length 0';
  const HEAD3 =
    '    3  2009-11-11 12:00:00.000200 IP 127.0.0.1.80 > 127.0.0.1.55920: Flags [P.], seq 1:120, ack 1, win 8192, options [nop,nop,TS val 1306300953 ecr 1306300951], length 119: HTTP: HTTP/1.1 200 OK';
  const HEAD4 =
    '    4  2009-11-11 12:00:00.000300 IP 127.0.0.1.55920 > 127.0.0.1.80: Flags [.], ack 120, win 8192, options [nop,nop,TS val 1306300954 ecr 1306300953], length 0';

  for (const [flag, dumpLine] of [
    ['-x', '\t0x0000:  4500 003c 1b68 4000 4006 2152 7f00 0001'],
    ['-xx', '\t0x0000:  0000 0000 0000 0000 0000 0000 0800 4500'],
    ['-X', '\t0x0000:  4500 003c 1b68 4000 4006 2152 7f00 0001  E..<.h@.@.!R....'],
    ['-XX', '\t0x0000:  0000 0000 0000 0000 0000 0000 0800 4500  ..............E.'],
  ] as const) {
    test(`${flag} hex lines stay in their record (dump 'hex', no problem)`, () => {
      const p = parseClean(
        HEAD1,
        dumpLine,
        '\t0x0010:  7f00 0001 da70 0050 3758 897e 0000 0000  .....p.P7X.~....',
        '\t0x0030:  0402',
        HEAD2,
        dumpLine,
      );
      assert.equal(p.records.length, 2);
      assert.deepEqual([rec(p, 0).line, rec(p, 0).endLine, rec(p, 0).dump], [0, 3, 'hex']);
      assert.deepEqual([rec(p, 1).line, rec(p, 1).endLine, rec(p, 1).dump], [4, 5, 'hex']);
      assert.equal(rec(p, 1).flags, SYN | ACK);
    });
  }

  test('-v text decoder lines (TAB + text), including a TAB-only line, stay in their record', () => {
    const p = parseClean(
      HEAD3.replace(': HTTP: HTTP/1.1 200 OK', ': HTTP, length: 119'),
      '\tHTTP/1.1 200 OK',
      '\tContent-Type: text/plain',
      '\t',
      '\thello',
      HEAD4,
    );
    assert.equal(p.records.length, 2);
    const r = rec(p, 0);
    assert.equal(r.dump, 'text');
    assert.equal(r.endLine, 4);
    assert.equal(r.payloadSummary?.includes('HTTP, length: 119'), true);
    assert.equal(rec(p, 1).line, 5);
  });

  test('-A: raw payload lines and blank lines stay inside their record and produce no problem', () => {
    const text = trace(
      HEAD1,
      'E..<.h@.@.!R.........p.P7X.~.........!....@....',
      '.M..........',
      HEAD2,
      'E..<..@.@.<..........P.p7z...X.........!....@....',
      '.M...M......',
      HEAD3,
      'E.....@.@............P.p7z...X.......',
      'HTTP/1.1 200 OK',
      'Content-Type: text/plain',
      '',
      'hello, world: Flags and all',
      '    indented payload',
      '\ttabbed payload',
      HEAD4,
      'E..4..@.@............p.P7X.~7z.......',
    );
    const p = parseTrace(text);
    assert.deepEqual(p.problems, []);
    assert.equal(p.asciiDump, true);
    assert.deepEqual(
      p.records.map((r) => [r.number, r.line, r.endLine, r.dump]),
      [
        [1, 0, 2, 'ascii'],
        [2, 3, 5, 'ascii'],
        [3, 6, 13, 'ascii'],
        [4, 14, 15, 'ascii'],
      ],
    );
    assert.deepEqual(rec(p, 3).annotations, []);
  });

  const ASCII_TRICKY = [
    HEAD1,
    'E..<.h@.@.!R.........p.P7X.~.........!....@....',
    HEAD3,
    'E.....@.@............P.p7z...X.......',
    'IP 1.2.3.4.80 > 5.6.7.8.1234: Flags [S], seq 1, win 1, length 0',
    '# not a comment: a shell script line in the body',
    'S 1:2(1) ack 1 win 10',
    HEAD4,
    'E..4..@.@............p.P7X.~7z.......',
  ];

  test(
    '-A: payload lines that look like packet lines stay payload (heads are recognised by the -#/time prefix)',
    {},
    () => {
      const p = parseTrace(trace(...ASCII_TRICKY));
      assert.deepEqual(
        p.records.map((r) => r.number),
        [1, 3, 4],
      );
      assert.equal(rec(p, 1).endLine, 6);
      assert.deepEqual(p.problems, []);
    },
  );

  // crafted-payload-looks-like-trace (scripts/scenarios/craft.py), tcpdump -A -nn: an HTTP answer
  // whose body is tcpdump output from two minutes earlier, timestamps and all.
  const PASTED_TRACE = [
    '12:00:00.109000 IP 198.51.100.20.80 > 192.0.2.10.50740: Flags [P.], seq 1:517, ack 79, win 502, options [nop,nop,TS val 7000089 ecr 3050846], length 516: HTTP: HTTP/1.1 200 OK',
    'E..8....@..T.3d....',
    '.P.4......B.....vo.....',
    '.j.....^HTTP/1.1 200 OK',
    'Content-Type: text/plain',
    '',
    '11:58:00.100000 IP 192.0.2.10.50740 > 198.51.100.20.80: Flags [S], seq 1000000, win 64240, length 0',
    '11:58:00.102000 IP 198.51.100.20.80 > 192.0.2.10.50740: Flags [R.], seq 0, ack 1000001, win 0, length 0',
    '11:58:00.103000 IP 198.51.100.20.80 > 192.0.2.10.50740: Flags [S.], seq 1, ack 7, win 1, length 0',
    '    0x0000:  4500 003c 1c46 4000 4006 b1e6 c0a8 0068  E..<.F@.@......h',
    '# a comment line, and a line that starts like a packet but is not one:',
    '11:58:00.104000 IP garbage',
    '',
    '12:00:00.111000 IP 192.0.2.10.50740 > 198.51.100.20.80: Flags [.], ack 517, win 502, options [nop,nop,TS val 3050849 ecr 7000089], length 0',
    'E..4.a..@......',
    '.3d..4.P..B................',
  ];

  test('-A: packet lines pasted in a payload, stamped before their packet while its dump is short of its length, stay payload', () => {
    const p = parseTrace(trace(...PASTED_TRACE));
    assert.equal(p.asciiDump, true);
    assert.deepEqual(
      p.records.map((r) => [r.line, r.endLine]),
      [
        [0, 12],
        [13, 15],
      ],
    );
    assert.deepEqual(p.problems, []);
  });

  test('near miss: a later timestamp, or a dump already as long as the payload, starts a record', () => {
    const later = PASTED_TRACE.map((l) => l.replace(/^11:58:00\./, '12:00:00.2'));
    assert.equal(parseTrace(trace(...later)).records.length, 6, 'stamped after the packet');
    const short = [...PASTED_TRACE];
    short[0] = short[0]!.replace('seq 1:517', 'seq 1:31').replace(/length 516/, 'length 30');
    assert.equal(parseTrace(trace(...short)).records.length, 6, 'the 30-byte payload has been shown');
  });

  test('near miss: a capture that lacks bytes (truncated-ip) can end its dump early: an earlier line is a record', () => {
    const cut = [...PASTED_TRACE.slice(0, 3), ...PASTED_TRACE.slice(6, 7)];
    cut[0] = cut[0]!.replace(' IP ', ' IP truncated-ip - 516 bytes missing! ');
    const p = parseTrace(trace(...cut));
    assert.equal(p.records.length, 2);
  });

  test("-A: a payload line starting with '#' is payload, not an annotation of the next packet", {}, () => {
    const p = parseTrace(trace(...ASCII_TRICKY));
    assert.ok(
      p.records.every((r) => r.annotations.length === 0),
      JSON.stringify(p.records.map((r) => r.annotations)),
    );
  });
});

describe('non-TCP records', () => {
  test('ARP, ICMP, UDP/DNS, NTP, DHCP, SIP, STP lines are records of kind other, no problem', () => {
    const lines = [
      `${T}ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28`,
      `${T}ARP, Reply 192.0.2.1 is-at 02:00:00:00:00:01, length 28`,
      `${T}IP 192.0.2.2 > 192.0.2.1: ICMP echo request, id 1, seq 1, length 64`,
      `${T}IP 192.0.2.2.53000 > 192.0.2.53.53: 12345+ A? example.com. (29)`,
      `${T}IP 192.0.2.53.53 > 192.0.2.2.53000: 12345 1/0/0 A 192.0.2.80 (45)`,
      `${T}IP 192.0.2.2.40000 > 192.0.2.9.9999: UDP, length 12`,
      `${T}IP6 fe80::1 > ff02::1: ICMP6, router advertisement, length 64`,
      `${T}IP 192.0.2.2.123 > 192.0.2.9.123: NTPv4, Client, length 48`,
      `${T}IP 192.0.2.2.514 > 192.0.2.9.514: SYSLOG local0.info, length 40`,
      `${T}IP 192.0.2.2.68 > 192.0.2.1.67: BOOTP/DHCP, Request from 02:00:00:00:00:01, length 300`,
      `${T}IP 192.0.2.2.5060 > 192.0.2.9.5060: SIP: INVITE sip:bob@example.com SIP/2.0`,
      `${T}STP 802.1d, Config, Flags [none], bridge-id 8000.00:00:00:00:00:01.8001, length 35`,
      `${T}IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 40)`,
      '    192.0.2.2.40000 > 192.0.2.9.9999: UDP, length 12',
    ];
    const p = parseClean(...lines);
    assert.equal(p.records.length, lines.length - 1);
    assert.deepEqual(
      p.records.map((r) => r.kind),
      new Array(lines.length - 1).fill('other'),
    );
    assert.equal(rec(p, 0).protocol, 'ARP');
    assert.equal(rec(p, 2).protocol, 'ICMP');
    assert.equal(rec(p, 5).protocol, 'UDP');
    assert.equal(rec(p, 12).endLine, 13, 'the -v UDP line belongs to its header');
  });

  test('TCP packets around non-TCP lines are unaffected', () => {
    const p = parseClean(
      `${T}IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0`,
      `${T}ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28`,
      `${T}IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0`,
    );
    assert.deepEqual(
      p.records.map((r) => r.kind),
      ['tcp', 'other', 'tcp'],
    );
  });

  test('-t (no timestamp): ICMP and UDP lines starting with IP are other records', () => {
    const p = parseClean(
      'IP 192.0.2.2 > 192.0.2.1: ICMP echo request, id 1, seq 1, length 64',
      'IP 192.0.2.2.40000 > 192.0.2.9.9999: UDP, length 12',
    );
    assert.deepEqual(
      p.records.map((r) => r.kind),
      ['other', 'other'],
    );
  });

  test('-t (no timestamp): an ARP line is an other record, not an unknown line', {}, () => {
    const p = parseTrace(
      trace(
        'ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28',
        'IP 192.0.2.1.1 > 192.0.2.2.2: Flags [S], seq 1, win 1, length 0',
      ),
    );
    assert.deepEqual(p.problems, []);
    assert.equal(rec(p, 0).kind, 'other');
  });
});

describe('# comments and annotations', () => {
  const S = `12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0`;
  const SA = `12:00:00.100000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0`;
  const A = `12:00:00.200000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, length 0`;

  test('comment lines directly above a packet become its annotations, "# " stripped, with their lines', () => {
    const p = parseClean('# client opens', '# (second note)', S, SA);
    assert.deepEqual(rec(p, 0).annotations, [
      { text: 'client opens', line: 0 },
      { text: '(second note)', line: 1 },
    ]);
    assert.deepEqual(rec(p, 1).annotations, [], 'annotations are not carried further');
  });

  test('a blank line between a comment and a packet detaches the comment', () => {
    const p = parseClean(S, '', '# detached note', '', SA, '   # indented note', A);
    assert.deepEqual(rec(p, 1).annotations, []);
    assert.deepEqual(
      rec(p, 2).annotations,
      [{ text: 'indented note', line: 5 }],
      'an indented # line is a comment too',
    );
  });

  test('a blank line inside a comment block keeps only the part next to the packet', () => {
    const p = parseClean('# far', '', '# near', S);
    assert.deepEqual(rec(p, 0).annotations, [{ text: 'near', line: 2 }]);
  });

  test('a comment above a -v header line annotates that two-line record', () => {
    const p = parseClean(
      '# the SYN, verbose',
      '12:00:00.000000 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 44)',
      '    192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024, length 0',
    );
    assert.deepEqual(rec(p, 0).annotations, [{ text: 'the SYN, verbose', line: 0 }]);
    assert.equal(rec(p, 0).tcpLine, 2);
  });

  test('a comment at the end of the file (no packet below) is dropped without a problem', () => {
    const p = parseClean(S, '# trailing note');
    assert.equal(p.records.length, 1);
    assert.deepEqual(rec(p, 0).annotations, []);
  });

  test('comments do not change the record of the packet above (endLine stays on it)', () => {
    const p = parseClean(S, '# about the next one', SA);
    assert.equal(rec(p, 0).endLine, 0);
    assert.deepEqual(rec(p, 1).annotations, [{ text: 'about the next one', line: 1 }]);
  });
});

describe('record fields that should not leak', () => {
  test('options default to an empty list, annotations to an empty list', () => {
    const r = only(`${T}IP 192.0.2.1.1234 > 192.0.2.2.80: tcp 0`);
    assert.deepEqual(r.options, []);
    assert.deepEqual(r.annotations, []);
    assert.deepEqual(optionList(r), []);
  });

  test('record indexes count every record in file order', () => {
    const p = parseClean(
      `${T}ARP, Request who-has 192.0.2.1 tell 192.0.2.2, length 28`,
      `${T}IP 192.0.2.1.1234 > 192.0.2.2.80: tcp 0`,
    );
    assert.deepEqual(
      p.records.map((r) => r.index),
      [0, 1],
    );
  });
});
