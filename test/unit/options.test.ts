// TCP options, `options [...]` (tcpdump-format.md §11): every keyword form, nested MPTCP brackets, the
// two-space TFO and MD5 spellings, SACK blocks and their rebasing, and lists cut short or broken.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACK, SYN, type PacketRecord } from '../../server/src/trace/index';
import type { TraceRecord } from '../../server/src/trace/record';
import { optionSignature } from '../../server/src/trace/seqInference';
import { analyzeLines, only, optionList, parseClean, rec, textAt, trace } from '../helpers/parserHelpers';

const HEAD = '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [S], seq 1, win 1024';
const withOptions = (list: string, tail = ', length 0') => `${HEAD}, options [${list}]${tail}`;

describe('§11 options', () => {
  test('mss, sackOK, TS val/ecr, nop, wscale: values read, spans on each item', () => {
    const line = withOptions('mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7');
    const r = only(line);
    assert.deepEqual(optionList(r), [
      { kind: 'mss', value: 1460 },
      { kind: 'sackOK' },
      { kind: 'TS', tsVal: 2044906138, tsEcr: 0 },
      { kind: 'nop' },
      { kind: 'wscale', value: 7 },
    ]);
    const text = trace(line);
    assert.deepEqual(
      r.options.map((o) => textAt(text, o.span)),
      ['mss 1460', 'sackOK', 'TS val 2044906138 ecr 0', 'nop', 'wscale 7'],
    );
    assert.deepEqual(
      r.options.map((o) => o.text),
      ['mss 1460', 'sackOK', 'TS val 2044906138 ecr 0', 'nop', 'wscale 7'],
    );
    assert.equal(
      textAt(text, r.optionsSpan),
      'options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7]',
    );
    assert.equal(r.length, 0);
  });

  test('TS values up to 2^32-1', () => {
    const r = only(withOptions('nop,nop,TS val 4294967295 ecr 3954243053'));
    assert.deepEqual(optionList(r)[2], { kind: 'TS', tsVal: 4294967295, tsEcr: 3954243053 });
  });

  test('eol ends the list (padding zeros also show as eol)', () => {
    const r = only(withOptions('mss 1000,sackOK,eol'));
    assert.deepEqual(
      r.options.map((o) => o.kind),
      ['mss', 'sackOK', 'eol'],
    );
  });

  test('many nops in a row (14 in tests/ssh.out)', () => {
    const r = only(withOptions(new Array(14).fill('nop').join(',')));
    assert.equal(r.options.length, 14);
    assert.ok(r.options.every((o) => o.kind === 'nop'));
  });

  test('sack with several blocks and no separator between them', () => {
    const r = only(
      '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, options [nop,nop,sack 3 {100:200}{300:400}{500:600}], length 0',
    );
    assert.equal(r.flags, ACK);
    assert.deepEqual(optionList(r)[2], {
      kind: 'sack',
      blocks: [
        [100, 200],
        [300, 400],
        [500, 600],
      ],
    });
  });

  test("'sack invalid sack' is a sack option with no blocks", () => {
    const r = only(
      '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, options [nop,nop,sack invalid sack], length 0',
    );
    assert.equal(r.options[2]!.kind, 'sack');
    assert.deepEqual(r.options[2]!.blocks, []);
    assert.equal(r.length, 0);
  });

  test('SACK edges on a relative line are rebased with the receiver base (absolute edges recovered)', () => {
    const lines = [
      '    1  2020-06-10 09:21:03.720289 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [S], seq 603899916, win 64240, options [mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7], length 0',
      '    2  2020-06-10 09:21:03.774584 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [S.], seq 2043824403, ack 603899917, win 64240, options [mss 1460], length 0',
      '    3  2020-06-10 09:21:03.774664 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [.], ack 1, win 64240, length 0',
      '    4  2020-06-10 09:21:03.774891 IP 192.168.1.11.33779 > 209.87.249.18.53: Flags [P.], seq 59:117, ack 1, win 64240, length 58',
      '    5  2020-06-10 09:21:03.829374 IP 209.87.249.18.53 > 192.168.1.11.33779: Flags [.], ack 1, win 64240, options [nop,nop,sack 1 {59:117}], length 0',
    ];
    const p = parseClean(...lines);
    assert.deepEqual(rec(p, 4).options[2]!.blocks, [[59, 117]], 'as printed');
    const a = analyzeLines(...lines);
    assert.equal(rec(a, 4).printedRelative, true);
    assert.deepEqual(rec(a, 4).options[2]!.blocksAbs, [[603899916 + 59, 603899916 + 117]]);
  });

  test("tfo with two spaces: 'tfo  cookiereq' and 'tfo  cookie HEX' are kind tfo", () => {
    const a = only(withOptions('mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7,tfo  cookiereq,nop,nop'));
    assert.deepEqual(
      a.options.map((o) => o.kind),
      ['mss', 'sackOK', 'TS', 'nop', 'wscale', 'tfo', 'nop', 'nop'],
    );
    assert.equal(a.options[5]!.text, 'tfo  cookiereq');
    const b = only(withOptions('tfo  cookie 0102030405060708,nop,nop'));
    assert.equal(b.options[0]!.kind, 'tfo');
    assert.equal(b.options[0]!.text, 'tfo  cookie 0102030405060708');
  });

  test("exp-tfo and other experimental magics ('exp-acc0')", () => {
    const r = only(withOptions('exp-tfo cookiereq,exp-tfo cookie 0a0b0c0d,exp-acc0'));
    assert.deepEqual(
      r.options.map((o) => [o.kind, o.text]),
      [
        ['exp-tfo', 'exp-tfo cookiereq'],
        ['exp-tfo', 'exp-tfo cookie 0a0b0c0d'],
        ['exp-acc0', 'exp-acc0'],
      ],
    );
  });

  test('unknown-N with and without raw bytes', () => {
    const r = only(withOptions('unknown-253 0x0102,unknown-161,eol'));
    assert.deepEqual(
      r.options.map((o) => [o.kind, o.text]),
      [
        ['unknown-253', 'unknown-253 0x0102'],
        ['unknown-161', 'unknown-161'],
        ['eol', 'eol'],
      ],
    );
  });

  test('MPTCP with nested "flags [AH]" and "csum {...}" is one item and does not close the list', () => {
    const line = withOptions('mptcp 12 capable v0 flags [AH] csum {0x9c9eabd1e46a33b2},nop,nop');
    const r = only(line);
    assert.deepEqual(
      r.options.map((o) => o.kind),
      ['mptcp', 'nop', 'nop'],
    );
    assert.equal(r.options[0]!.text, 'mptcp 12 capable v0 flags [AH] csum {0x9c9eabd1e46a33b2}');
    assert.equal(r.length, 0);
    assert.equal(r.truncated, undefined);
  });

  test('MPTCP dss with its own seq/ack words does not leak into the TCP fields', () => {
    const r = only(
      '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.], ack 1, win 1024, options [nop,nop,TS val 1 ecr 2,mptcp 20 dss ack 3518600465 seq 3576353339 subseq 1193 len 48 csum 0xd43c], length 0',
    );
    assert.equal(r.ack, 1);
    assert.equal(r.seq, undefined);
    assert.equal(r.options[3]!.kind, 'mptcp');
    assert.equal(
      r.options[3]!.text,
      'mptcp 20 dss ack 3518600465 seq 3576353339 subseq 1193 len 48 csum 0xd43c',
    );
  });

  test("md5 (with the two-space '(invalid)'), uto, echo: kinds and values", () => {
    const r = only(
      '12:00:00.000000 IP 192.0.2.1.179 > 192.0.2.2.40000: Flags [P.], seq 1:20, ack 1, win 1024, options [md5  (invalid),uto 0x8258 600,echo 12,nop], length 19: BGP',
    );
    assert.deepEqual(
      r.options.map((o) => o.kind),
      ['md5', 'uto', 'echo', 'nop'],
    );
    assert.equal(r.options[0]!.text, 'md5  (invalid)');
    assert.equal(r.options[2]!.value, 12);
  });

  test('a length mismatch note glued to an item ([len N]) stays in that item', () => {
    const r = only(withOptions('mss 1460,mss 1400[len 5],nop'));
    assert.equal(r.options.length, 3);
    assert.equal(r.options[1]!.text, 'mss 1400[len 5]');
    assert.equal(r.options[1]!.value, 1400);
  });

  test("options cut off by ' [|tcp]': the items before the cut are kept, no closing bracket needed", () => {
    const r = only(
      '22:13:20.000000 IP 192.0.2.10.40000 > 198.51.100.20.80: Flags [S], seq 1000, win 64240, options [mss 1460,sackOK,TS val 1000 ecr 0, [|tcp]',
    );
    assert.equal(r.kind, 'tcp');
    assert.equal(r.flags, SYN);
    assert.deepEqual(optionList(r), [
      { kind: 'mss', value: 1460 },
      { kind: 'sackOK' },
      { kind: 'TS', tsVal: 1000, tsEcr: 0 },
    ]);
    assert.equal(r.truncated, true);
    assert.equal(r.length, undefined);
  });

  test("tcp-ao cut off by ' [|tcp]' (tests/tcp-auth-heapoverflow.out)", () => {
    const r = only(
      '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: Flags [.U], seq 808464432:808476696, ack 808464432, win 12336, urg 12336, options [tcp-ao keyid 48 rnextkeyid 48 mac 0x303030303030 [|tcp]',
    );
    assert.deepEqual(
      r.options.map((o) => [o.kind, o.text]),
      [['tcp-ao', 'tcp-ao keyid 48 rnextkeyid 48 mac 0x303030303030']],
    );
    assert.equal(r.truncated, true);
    assert.equal(r.urg, 12336);
  });

  test("'scps[bad opt]]' closes the list: earlier options kept, segment marked cut (no length)", () => {
    const r = only(
      '12:00:00.000000 IP 10.0.0.1.1234 > 10.0.0.2.80: Flags [S], seq 3757264999, win 8192, options [mss 1452,nop,wscale 2,nop,nop,scps[bad opt]]',
    );
    assert.equal(r.options.length, 6);
    assert.equal(r.options[5]!.text, 'scps[bad opt]');
    assert.equal(r.truncated, true);
  });

  test("'options [[bad opt]' (first option broken, unbalanced) is read without a problem and marked cut", () => {
    const p = parseClean(
      withOptions('[bad opt', ''),
      '12:00:00.100000 IP 192.0.2.2.80 > 192.0.2.1.1234: Flags [S.], seq 5, ack 2, win 1024, length 0',
    );
    const r = rec(p, 0);
    assert.equal(r.kind, 'tcp');
    assert.equal(r.flags, SYN);
    assert.equal(r.seq, 1);
    assert.equal(r.truncated, true);
    assert.equal(rec(p, 1).kind, 'tcp', 'the next packet is unaffected');
  });

  test('an empty options list', () => {
    const r = only(withOptions(''));
    assert.deepEqual(r.options, []);
    assert.equal(r.length, 0);
  });
});

// The analysis reads a segment's window scale and its options' signature (what makes a repeated ACK
// a keep-alive, not a duplicate) straight from the line; both must read what the built list says.
describe('options read without building the list', () => {
  /** What optionSignature gives from the built list (a plain record takes that path). */
  const fromList = (r: PacketRecord) => optionSignature({ options: r.options } as PacketRecord);
  const cases = [
    'mss 1460,sackOK,TS val 2044906138 ecr 0,nop,wscale 7',
    'nop,nop,TS val 1 ecr 2',
    'nop,nop,sack 1 {1:2}',
    'nop,nop,sack 2 {10:20}{30:40},eol',
    'wscale[bad opt] 9,mss 1',
    '[x[y 3,wscale 4',
    'mss 1460,wscale',
    'nop,wscale 14,wscale 3',
    'wscalex 5,wscale 3',
    'unknown-76 0x0a0b,exp-tfo cookiereq,md5 valid',
    'mptcp capable v1 {0x1},nop,nop',
    ' mss 1460, nop ,,wscale 2',
    'mss 1460,wscale 7 [|tcp]',
  ];
  for (const list of cases) {
    test(`[${list}]`, () => {
      const r = only(
        list.endsWith('[|tcp]') ? `${HEAD}, options [${list}` : withOptions(list),
      ) as TraceRecord;
      const signature = r.optionSignature();
      const wscale = r.wscale;
      // Both above read the line; now the list is built, and they read it.
      const expected = fromList(r);
      if (signature !== undefined) assert.equal(signature, expected);
      else assert.ok(list.includes('mptcp'), 'only MPTCP needs the built list');
      assert.equal(wscale, r.options.find((o) => o.kind === 'wscale')?.value);
      assert.equal(optionSignature(r), expected);
    });
  }
  test('the old form <...> too', () => {
    const r = only(
      '12:00:00.000000 IP 192.0.2.1.1234 > 192.0.2.2.80: S 1:1(0) win 5840 <mss 1460,sackOK,timestamp 1 0,nop,wscale 2>',
    ) as TraceRecord;
    assert.equal(r.wscale, 2);
    assert.equal(optionSignature(r), 'mss;sackOK;wscale;');
  });
});
