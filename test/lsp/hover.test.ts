// Hover explains every token of a packet line in the context of its connection: flags (modern and
// tcpdump 3.x letters) with the handshake step, seq and ack in both forms, what an ack acknowledges
// (with a link to that line), the scaled window, each option, length, checksum, timestamp, packet
// number, endpoints with their roles, and the rule behind a diagnostic.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Hover, Position } from 'vscode-languageserver-protocol';
import { CODES } from '../../server/src/trace/codes';
import { hoverMarkdown, hoverText, posOf, positionIn } from '../helpers/lspClient';
import { lspSession } from '../helpers/lspSession';

const session = lspSession('hover', [
  'http-get-fin/nn.trace',
  'http-get-fin/S-nn.trace',
  'http-get-fin/vv-nn.trace',
  'bulk-loss-tx/nn.trace',
  'crafted-synack-bad-ack/nn.trace',
  'examples/seed-handshake.trace',
  'test/fixtures/verbose-records.trace',
  'test/fixtures/packet-numbers.trace',
  'tcpdump-beep-oobr/nn.trace',
]);
const { doc } = session;

/** Hovers `needle` (the `occurrence`-th on the line) at `offset` characters into it. */
async function hoverAt(
  rel: string,
  line: number,
  needle: string,
  offset = 1,
  occurrence = 1,
): Promise<{ text: string; md: string; hover: Hover; pos: Position; uri: string }> {
  const { uri, lines } = doc(rel);
  const pos = posOf(lines, line, needle, offset, occurrence);
  const hover = await session.client.hover(uri, pos);
  assert.ok(hover, `a hover on '${needle}' at ${line}:${pos.character}`);
  if (hover.range) assert.ok(positionIn(hover.range, pos), 'the hover range contains the position');
  return { text: hoverText(hover), md: hoverMarkdown(hover), hover, pos, uri };
}

function includesAll(text: string, parts: string[]): void {
  for (const p of parts) assert.ok(text.includes(p), `expected '${p}' in:\n${text}`);
}

/** The line (0-based) a markdown link `[line N](uri#LN)` points to, checking the uri. */
function linkedLine(md: string, uri: string): number {
  const m = /\[line (\d+)\]\(([^)#]+)#L(\d+)\)/.exec(md);
  assert.ok(m, `a line link in:\n${md}`);
  assert.equal(m[2], uri, 'the link points into the same document');
  assert.equal(m[1], m[3], 'link text and target agree');
  return Number(m[1]) - 1;
}

const NN = 'http-get-fin/nn.trace';

describe('flags', () => {
  test('[S] on the client SYN: step 1 with the ISN', async () => {
    const { text } = await hoverAt(NN, 0, '[S]');
    includesAll(text, ['[S] = SYN', 'step 1 of the three-way handshake', 'ISN 1149653124', 'client']);
  });

  test('[S.] on the SYN-ACK: SYN + ACK, step 2, both ISNs', async () => {
    const { text, hover } = await hoverAt(NN, 1, '[S.]');
    includesAll(text, [
      'SYN + ACK',
      'step 2 of the three-way handshake',
      "client's ISN 1149653124 + 1",
      'own ISN 1581948628',
      'SYN-SENT → ESTABLISHED',
      'LISTEN → SYN-RECEIVED',
    ]);
    const { lines } = doc(NN);
    const r = hover.range!;
    assert.match(
      lines[1]!.slice(r.start.character, r.end.character),
      /^(Flags )?\[S\.\]$/,
      'range is the flags token',
    );
  });

  test('[.] completing the handshake: step 3', async () => {
    const { text } = await hoverAt(NN, 2, '[.]');
    includesAll(text, ['ACK', 'step 3 of the three-way handshake', 'ESTABLISHED']);
  });

  test("tcpdump 3.x letters (examples/seed-handshake.trace): 'S' with ack is SYN + ACK, step 2 with the ISNs", async () => {
    const rel = 'examples/seed-handshake.trace';
    const syn = await hoverAt(rel, 2, ': S ', 2);
    includesAll(syn.text, ['S = SYN', 'step 1 of the three-way handshake', 'ISN 3626544836', '3.x']);
    const synAck = await hoverAt(rel, 3, ': S ', 2);
    includesAll(synAck.text, [
      'SYN + ACK',
      'step 2 of the three-way handshake',
      "client's ISN 3626544836 + 1",
      'own ISN 1415531521',
      '3.x',
    ]);
    const ack = await hoverAt(rel, 4, ': . ', 2);
    includesAll(ack.text, ['. = ACK', 'step 3 of the three-way handshake']);
  });
});

describe('numbers', () => {
  test('seq printed absolute (SYN): both forms and the next expected seq', async () => {
    const { text } = await hoverAt(NN, 0, 'seq 1149653124', 5);
    includesAll(text, [
      '1149653124 as printed (absolute)',
      'relative 0',
      'SYN itself takes this one sequence number',
    ]);
  });

  test('seq printed relative: absolute beside it, bytes carried, next expected', async () => {
    const { text } = await hoverAt(NN, 3, 'seq 1:100', 5);
    includesAll(text, [
      '1 as printed (relative)',
      'absolute 1149653125',
      'Carries 99 bytes',
      'Next expected seq from the client: 1149653224 (relative 100)',
    ]);
  });

  test('seq printed absolute with -S (S-nn): relative beside it', async () => {
    const { text } = await hoverAt('http-get-fin/S-nn.trace', 3, 'seq 1149653125:1149653224', 5);
    includesAll(text, ['1149653125 as printed (absolute)', 'relative 1', 'Carries 99 bytes']);
  });

  test("ack of the SYN-ACK: the client's ISN + 1, with a link to the SYN", async () => {
    const { text, md, uri } = await hoverAt(NN, 1, 'ack 1149653125', 5);
    includesAll(text, ["client's ISN 1149653124 + 1", 'acknowledges the SYN', 'expects 1149653125 next']);
    assert.equal(linkedLine(md, uri), 0, 'links to the SYN on line 1');
  });

  test('ack of data: what it acknowledges, with a link to the acknowledged segment', async () => {
    const { text, md, uri } = await hoverAt(NN, 4, 'ack 100', 5);
    includesAll(text, ['100 as printed (relative)', 'absolute 1149653224', 'expects 1149653224 next']);
    assert.equal(linkedLine(md, uri), 3, 'links to the GET on line 4');
  });

  test('ack of a FIN: FIN seq + 1', async () => {
    const { text, md, uri } = await hoverAt(NN, 9, 'ack 101', 5);
    includesAll(text, ['FIN seq', '+ 1: it acknowledges the FIN']);
    assert.equal(linkedLine(md, uri), 8, 'links to the client FIN on line 9');
  });

  test('win with the agreed scale', async () => {
    const { text } = await hoverAt(NN, 3, 'win 63', 5);
    includesAll(text, ['win 63', 'Window scale 10', '63 × 2^10 = 64512 bytes']);
  });

  test('win on a SYN is never scaled', async () => {
    const { text } = await hoverAt(NN, 1, 'win 65160', 5);
    includesAll(text, ['win 65160', 'never scaled']);
  });

  test('length, with the decoded payload', async () => {
    const { text } = await hoverAt(NN, 3, 'length 99', 7);
    includesAll(text, ['length 99', '99 bytes of TCP payload', 'GET /item/0 HTTP/1.1']);
  });
});

describe('options', () => {
  test('mss', async () => {
    const { text } = await hoverAt(NN, 1, 'mss 1460');
    includesAll(text, ['mss 1460', 'maximum segment size', '1460 bytes', 'server']);
  });

  test('wscale', async () => {
    const { text } = await hoverAt(NN, 1, 'wscale 10');
    includesAll(text, ['wscale 10', 'window scale', '2^10 = 1024', 'Both SYNs carry it']);
  });

  test('sackOK', async () => {
    const { text } = await hoverAt(NN, 1, 'sackOK');
    includesAll(text, ['sackOK', 'selective acknowledgments permitted', 'RFC 2018']);
  });

  test('TS val/ecr', async () => {
    const { text } = await hoverAt(NN, 1, 'TS val');
    includesAll(text, [
      'TS val 1919619860 ecr 2779437483',
      'timestamps',
      "val 1919619860 is the server's clock",
      'ecr 2779437483',
    ]);
  });

  test('3.x timestamp option', async () => {
    const { text } = await hoverAt('examples/seed-handshake.trace', 3, 'timestamp 18045');
    includesAll(text, ['timestamp 18045 16331', 'val 18045', 'ecr 16331']);
  });

  test('nop', async () => {
    const { text } = await hoverAt(NN, 1, 'nop');
    includesAll(text, ['nop', 'no-operation']);
  });

  test('sack blocks, relative and absolute, with their sizes', async () => {
    const { text } = await hoverAt('bulk-loss-tx/nn.trace', 129, 'sack 1 {');
    includesAll(text, [
      'sack 1 {60817:62265}',
      'selective acknowledgment',
      '60817:62265',
      'absolute 951073590:951075038',
      '1448 bytes',
    ]);
  });
});

describe('other fields', () => {
  test('cksum incorrect (vv-nn): the expected value', async () => {
    const { text } = await hoverAt('http-get-fin/vv-nn.trace', 1, 'cksum 0xfe30', 7);
    includesAll(text, ['cksum 0xfe30', 'checksum is wrong', '0x4fc4', 'offload']);
  });

  test('cksum correct (-v fixture)', async () => {
    const { text } = await hoverAt('test/fixtures/verbose-records.trace', 2, 'cksum 0x1c46', 7);
    includesAll(text, ['cksum 0x1c46', 'checksum is correct']);
  });

  test('timestamp: time since the previous packet of the connection, with a link', async () => {
    const { text, md, uri } = await hoverAt(NN, 3, '18:23:38.667295', 3);
    includesAll(text, [
      'time of day',
      '65 µs after the previous packet of connection 1',
      'since the connection',
      'Initial RTT',
    ]);
    assert.equal(linkedLine(md, uri), 2, 'the previous packet is line 3');
  });

  test('urg: the urgent pointer (tcpdump test pcap)', async () => {
    const { text } = await hoverAt('tcpdump-beep-oobr/nn.trace', 1, 'urg 12336', 5);
    includesAll(text, ['urg 12336', 'urgent pointer']);
  });

  test('packet number (tcpdump -#)', async () => {
    const { text } = await hoverAt('test/fixtures/packet-numbers.trace', 2, '2  18:', 0);
    includesAll(text, ['packet 2', '-#']);
  });

  test('src and dst endpoints with their roles', async () => {
    const src = await hoverAt(NN, 3, '127.0.0.1.52052', 2);
    includesAll(src.text, [
      '127.0.0.1',
      'port 52052',
      'sender',
      "connection's client",
      'Connection 1',
      'SF',
      '10 packets',
    ]);
    const dst = await hoverAt(NN, 3, '127.0.0.1.8080', 2);
    includesAll(dst.text, ['port 8080', 'receiver', "connection's server"]);
    // On a server packet the roles follow the endpoints, not the direction.
    const serverSrc = await hoverAt(NN, 4, '127.0.0.1.8080', 2);
    includesAll(serverSrc.text, ['sender', "connection's server"]);
  });
});

describe('diagnostics', () => {
  test('a diagnostic range shows the code, message and the rule from the code registry', async () => {
    const { text, md } = await hoverAt('crafted-synack-bad-ack/nn.trace', 11, 'ack 1001001', 6);
    assert.ok(md.includes('**handshake.bad-ack** (error)'), md);
    includesAll(text, [
      "SYN-ACK acknowledges 1001001, but the client's ISN is 1000000",
      'Rule:',
      CODES['handshake.bad-ack'].rule,
      // The token explanation is still there, above the finding.
      'ack 1001001 as printed (absolute)',
    ]);
  });

  test('a warning on the flags token shows its rule too', async () => {
    const { text } = await hoverAt('crafted-synack-bad-ack/nn.trace', 11, '[S.]');
    includesAll(text, ['handshake.incomplete (warning)', CODES['handshake.incomplete'].rule]);
  });
});

describe('no hover where there is nothing to explain', () => {
  test('a comment line and the space past the end of a line', async () => {
    const { uri, lines } = doc('examples/seed-handshake.trace');
    assert.equal(await session.client.hover(uri, { line: 0, character: 3 }), null);
    assert.equal(await session.client.hover(uri, { line: 2, character: lines[2]!.length + 5 }), null);
  });
});

describe('a pasted terminal session', () => {
  const SESSION = [
    'user@host:~$ sudo tcpdump -nnS -i eth0 -s 96 port 80',
    'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode',
    'listening on eth0, link-type EN10MB (Ethernet), snapshot length 96 bytes',
    '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 64240, length 0',
    '12:00:00.100000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 65160, length 0',
    '^C2 packets captured',
    '2 packets received by filter',
    '3 packets dropped by kernel',
    '```',
  ];

  test("the command's options, the banner, each count and the drop warning's rule", async () => {
    const uri = 'file:///tmp/lsp-hover/pasted-session.trace';
    await session.client.openAndWait(uri, `${SESSION.join('\n')}\n`);
    const at = async (line: number, character = 2) => {
      const hover = await session.client.hover(uri, { line, character });
      assert.ok(hover, `a hover on line ${line + 1}`);
      return hoverText(hover);
    };
    includesAll(await at(0, 20), [
      'The command that ran tcpdump',
      '-nn: addresses and ports as numbers',
      '-S: absolute TCP sequence numbers',
      '-i eth0: capture on this interface',
      '-s 96: snapshot length',
      'Capture filter: port 80',
    ]);
    includesAll(await at(1), ['without -v']);
    includesAll(await at(2), [
      'a live capture on eth0',
      'Link type EN10MB (Ethernet)',
      'Snapshot length 96 bytes',
    ]);
    includesAll(await at(5, 5), ['2 packets captured']);
    includesAll(await at(6), ['2 packets received by filter']);
    includesAll(await at(7), [
      '3 packets dropped by kernel',
      'missing from this trace',
      'capture.packets-dropped (warning)',
      CODES['capture.packets-dropped'].rule.replace(/`/g, ''),
    ]);
    includesAll(await at(8, 1), ['A Markdown fence']);
    session.client.close(uri);
  });
});

// tcpflow's bug7.pcap: a capture on a host with TCP segmentation offload, where tcpdump prints each
// large send as `IP bad-len 0`.
describe('offload sends', () => {
  const TRACE = [
    '05:01:08.664814 IP 192.168.20.54.64261 > 192.168.20.56.20008: Flags [P.], seq 596495993:596496181, ack 2601804460, win 51200, length 188',
    '05:01:08.666155 IP bad-len 0',
    '05:01:08.666438 IP 192.168.20.54.64261 > 192.168.20.56.20008: Flags [P.], seq 1694:3108, ack 1, win 51200, length 1414',
    '05:01:08.667001 IP bad-len 0',
  ];

  test('the first carries the diagnostic with the count; every one explains itself', async () => {
    const uri = 'file:///tmp/lsp-hover/offload.trace';
    const published = await session.client.openAndWait(uri, `${TRACE.join('\n')}\n`);
    const rule = CODES['capture.offload-send'].rule.replace(/`/g, '');
    const first = hoverText((await session.client.hover(uri, { line: 1, character: 22 }))!);
    includesAll(first, ['capture.offload-send (information)', '2 such packets in this trace', rule]);
    assert.equal(first.split(rule).length, 2, 'the rule once');
    const second = hoverText((await session.client.hover(uri, { line: 3, character: 22 }))!);
    includesAll(second, ['A send tcpdump could not read', rule]);
    const codes = published.diagnostics.map((d) => d.code);
    assert.deepEqual(codes, ['capture.offload-send'], 'no lost segment after the send');
    session.client.close(uri);
  });
});
