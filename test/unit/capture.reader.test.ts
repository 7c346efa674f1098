// The capture reader's own contract: streaming in any chunking gives the same packets as the whole file,
// libpcap's time stamp conversions, pcapng sections and interfaces, and one clear problem (after every
// packet before it) for each kind of damage.
import assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import {
  CaptureReader,
  CaptureRenderer,
  detectCaptureFormat,
  renderCapture,
  type CapturePacket,
} from '../../server/src/trace/capture/index';
import {
  LINKTYPE,
  conversation4,
  craftedCaptures,
  ipv4,
  pcapFile,
  pcapngFile,
  tcp,
  wrapEther,
  type Bytes,
} from './captureFixtures';

const cases = craftedCaptures();

/** Feeds bytes in chunks of the given sizes (cycled), through one reused buffer as the CLI does. */
function renderChunked(
  bytes: Uint8Array,
  sizes: number[],
): { text: string; problem?: string; packets: number } {
  const r = new CaptureRenderer({ timeZone: 'utc' });
  const scratch = new Uint8Array(Math.max(...sizes));
  let text = '';
  let k = 0;
  for (let off = 0; off < bytes.length; k++) {
    const n = Math.min(sizes[k % sizes.length]!, bytes.length - off);
    scratch.set(bytes.subarray(off, off + n));
    text += r.push(scratch.subarray(0, n));
    scratch.fill(0xee); // the reader must not keep a view of memory the caller reuses
    off += n;
  }
  text += r.end();
  return { text, problem: r.problem?.message, packets: r.packetCount };
}

function packets(bytes: Uint8Array): CapturePacket[] {
  const out: CapturePacket[] = [];
  const reader = new CaptureReader((p) => out.push({ ...p, data: p.data.slice() }));
  reader.push(bytes);
  reader.end();
  return out;
}

suite('capture reader: streaming', () => {
  for (const [name, bytes] of Object.entries(cases)) {
    test(`${name}: 1-byte, 7-byte and mixed chunks render like the whole file`, () => {
      const whole = renderCapture(bytes, { timeZone: 'utc' });
      for (const sizes of [[1], [7], [3, 1000, 17, 64, 5]]) {
        const r = renderChunked(bytes, sizes);
        assert.equal(r.text, whole.text, `chunks ${sizes.join(',')}`);
        assert.equal(r.packets, whole.packetCount);
        assert.equal(r.problem, undefined);
      }
    });
  }

  test('a chunk is not kept: reusing its memory after push changes nothing', () => {
    const bytes = cases['pcapng-two-interfaces.pcapng']!;
    assert.equal(renderChunked(bytes, [13]).text, renderCapture(bytes, { timeZone: 'utc' }).text);
  });
});

suite('capture renderer: maxBytes', () => {
  const UTF8 = new TextEncoder();
  const bytesOf = (t: string) => UTF8.encode(t).length;
  for (const [name, bytes] of Object.entries(cases)) {
    test(`${name}: whole packets while their text fits, in any chunking, and nothing after them`, () => {
      const whole = renderCapture(bytes, { timeZone: 'utc', trackLines: true });
      const starts = whole.packetLines!;
      const lines = whole.text.split('\n');
      /** The text through packet k's own line (its comment lines come before it). */
      const through = (k: number) => `${lines.slice(0, starts[k]! + 1).join('\n')}\n`;
      const limit = Math.floor(bytesOf(whole.text) * 0.6);
      for (const size of [1, 7, 1 << 20]) {
        const r = new CaptureRenderer({ timeZone: 'utc', maxBytes: limit, trackLines: true });
        let out = '';
        for (let off = 0; off < bytes.length && !r.stopped; off += size)
          out += r.push(bytes.subarray(off, off + size));
        if (!r.stopped) out += r.end();
        const k = r.renderedCount;
        const at = `chunks of ${size}`;
        assert.equal(r.stopped, k < starts.length, `${at}: stopped exactly when a packet was left out`);
        assert.ok(whole.text.startsWith(out) && bytesOf(out) <= limit, `${at}: a prefix within the limit`);
        if (k > 0) assert.ok(out.startsWith(through(k - 1)), `${at}: the kept packets whole`);
        if (k < starts.length) {
          assert.ok(!out.startsWith(through(k)), `${at}: nothing of the next packet's own line`);
          assert.ok(bytesOf(through(k)) > limit, `${at}: the next packet would not have fit`);
        }
        assert.equal(r.bytesRendered, bytesOf(out), `${at}: bytesRendered`);
        assert.deepEqual(r.packetLines, starts.slice(0, k), `${at}: packetLines`);
      }
    });
  }

  test('without maxBytes nothing stops', () => {
    const bytes = cases['pcapng-two-interfaces.pcapng']!;
    const r = new CaptureRenderer({ timeZone: 'utc' });
    const out = r.push(bytes) + r.end();
    assert.equal(r.stopped, false);
    assert.equal(r.renderedCount, r.packetCount);
    assert.equal(out, renderCapture(bytes, { timeZone: 'utc' }).text);
  });
});

suite('capture reader: formats and time stamps', () => {
  test('detectCaptureFormat knows both byte orders of pcap, nanosecond pcap and pcapng', () => {
    assert.equal(detectCaptureFormat(Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1])), 'pcap');
    assert.equal(detectCaptureFormat(Uint8Array.from([0xa1, 0xb2, 0xc3, 0xd4])), 'pcap');
    assert.equal(detectCaptureFormat(Uint8Array.from([0x4d, 0x3c, 0xb2, 0xa1])), 'pcap');
    assert.equal(detectCaptureFormat(Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a])), 'pcapng');
    assert.equal(detectCaptureFormat(new TextEncoder().encode('12:00:00.000000 IP')), undefined);
    assert.equal(detectCaptureFormat(Uint8Array.from([0xd4, 0xc3])), undefined);
  });

  test('nanosecond pcap: microseconds by default (truncated, as libpcap does), 9 digits with precision nano', () => {
    const file = pcapFile(LINKTYPE.ETHERNET, [{ ...conversation4(wrapEther(0x0800))[0]!, frac: 123456789 }], {
      nano: true,
    });
    assert.match(renderCapture(file, { timeZone: 'utc' }).text, /^22:13:20\.123456 IP /);
    assert.match(
      renderCapture(file, { timeZone: 'utc', precision: 'nano' }).text,
      /^22:13:20\.123456789 IP /,
    );
    const micro = pcapFile(LINKTYPE.ETHERNET, [{ ...conversation4(wrapEther(0x0800))[0]!, frac: 42 }]);
    assert.match(
      renderCapture(micro, { timeZone: 'utc', precision: 'nano' }).text,
      /^22:13:20\.000042000 IP /,
    );
  });

  test('-tttt form: the date in front; an out-of-range microsecond field prints its digits', () => {
    const file = pcapFile(LINKTYPE.ETHERNET, [{ ...conversation4(wrapEther(0x0800))[0]!, frac: 1000000 }]);
    assert.match(
      renderCapture(file, { timeZone: 'utc', timestamps: 'datetime' }).text,
      /^2023-11-14 22:13:20\.1000000 IP /,
    );
  });

  test('a time stamp with bit 31 set prints [Error converting time], as tcpdump does', () => {
    const file = pcapFile(LINKTYPE.ETHERNET, [{ ...conversation4(wrapEther(0x0800))[0]!, sec: 0x80000001 }]);
    assert.match(renderCapture(file).text, /^\[Error converting time\] IP /);
  });

  test('pcapng: binary resolution (2^-10), an offset in seconds, and a simple packet block at time 0', () => {
    const c4 = conversation4(wrapEther(0x0800));
    const idb: Bytes = [];
    // if_tsresol 0x8a (2^-10), if_tsoffset 100 s, then opt_endofopt.
    idb.push(9, 0, 1, 0, 0x8a, 0, 0, 0, 14, 0, 8, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    // Build by hand: SHB, IDB with options, EPB at 1.5 s in 1/1024 units, SPB.
    const le32 = (v: number) => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];
    const blockOf = (type: number, body: Bytes) => {
      const b = [...body];
      while (b.length % 4) b.push(0);
      return [...le32(type), ...le32(b.length + 12), ...b, ...le32(b.length + 12)];
    };
    const shb = blockOf(0x0a0d0d0a, [...le32(0x1a2b3c4d), 1, 0, 0, 0, ...Array(8).fill(0xff)]);
    const idbBlock = blockOf(1, [1, 0, 0, 0, ...le32(0), ...idb]);
    const pkt = c4[0]!.data;
    const t = 1536; // 1.5 s in units of 1/1024 s
    const epb = blockOf(6, [
      ...le32(0),
      ...le32(0),
      ...le32(t),
      ...le32(pkt.length),
      ...le32(pkt.length),
      ...pkt,
    ]);
    const spb = blockOf(3, [...le32(pkt.length), ...pkt]);
    const file = Uint8Array.from([...shb, ...idbBlock, ...epb, ...spb]);
    const lines = renderCapture(file, { timeZone: 'utc' }).text.split('\n');
    assert.match(lines[0]!, /^00:01:41\.500000 IP 192\.0\.2\.10\.40000 > /);
    assert.match(
      lines[1]!,
      /^00:01:40\.000000 IP /,
      'a simple packet block has no time stamp: the offset alone',
    );
  });

  test('pcapng: a new section forgets the interfaces of the last one; link types may differ per interface', () => {
    const c4 = conversation4(wrapEther(0x0800));
    const raw = conversation4((ip) => ip);
    const file = pcapngFile([
      {
        blocks: [
          { type: 'idb', linktype: 1 },
          { type: 'epb', iface: 0, ts: 1n, data: c4[0]!.data },
        ],
      },
      {
        bigEndian: true,
        blocks: [
          { type: 'idb', linktype: 101 },
          { type: 'idb', linktype: 1 },
          { type: 'epb', iface: 0, ts: 2n, data: raw[1]!.data },
          { type: 'epb', iface: 1, ts: 3n, data: c4[2]!.data },
        ],
      },
    ]);
    const r = renderCapture(file, { timeZone: 'utc' });
    assert.deepEqual(r.problems, []);
    assert.equal(r.packetCount, 3);
    assert.match(r.text, /Flags \[S\.\], seq 3000000000, ack 1000001/);
    assert.match(r.text, /Flags \[\.\], ack 1, win 502/);
  });

  test('packets keep their on-the-wire and captured lengths; a record longer than the snap length is cut to it', () => {
    const p = conversation4(wrapEther(0x0800))[3]!;
    const file = pcapFile(LINKTYPE.ETHERNET, [{ ...p }], { snaplen: 60 });
    const got = packets(file);
    assert.equal(got.length, 1);
    assert.equal(got[0]!.caplen, 60);
    assert.equal(got[0]!.len, p.data.length);
    assert.match(renderCapture(file, { timeZone: 'utc' }).text, /, length 43: HTTP \[\|http\]\n$/);
  });

  test("invalid record lengths print tcpdump's [Invalid header: ...] line", () => {
    const p = conversation4(wrapEther(0x0800))[0]!;
    const file = pcapFile(LINKTYPE.ETHERNET, [{ ...p, len: 10 }]);
    assert.equal(renderCapture(file).text, `[Invalid header: len(10) < caplen(${p.data.length})]\n`);
  });

  test('IP in IP nested thousands deep renders without failing', () => {
    let ip: Bytes = ipv4({
      src: '10.0.0.1',
      dst: '10.0.0.2',
      proto: 6,
      payload: tcp({ sport: 1, dport: 2, seq: 1, flags: 'S' }),
    });
    while (ip.length + 20 <= 65535) ip = ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 4, payload: ip });
    const file = pcapFile(LINKTYPE.RAW, [{ sec: 1, frac: 0, data: ip }]);
    const r = renderCapture(file);
    assert.equal(r.packetCount, 1);
  });
});

suite('capture reader: damage', () => {
  const good = cases['big-endian.pcap']!;
  const ng = cases['pcapng-two-interfaces.pcapng']!;

  const expectProblem = (bytes: Uint8Array, re: RegExp, packetsBefore: number) => {
    const r = renderCapture(bytes, { timeZone: 'utc' });
    assert.equal(r.problems.length, 1, 'one problem');
    assert.match(r.problems[0]!.message, re);
    assert.equal(r.problems[0]!.packets, packetsBefore);
    assert.equal(r.packetCount, packetsBefore);
    const lines = r.text.split('\n').filter((l) => l && !l.startsWith('#') && !l.startsWith('\t'));
    assert.equal(lines.length, packetsBefore, 'every packet before the damage is shown');
  };

  test('a record cut short: every packet before it, then one problem naming the packet', () => {
    expectProblem(
      good.subarray(0, good.length - 5),
      /packet 9 has \d+ captured bytes, but the file ends after \d+/,
      8,
    );
    expectProblem(good.subarray(0, 24 + 8), /inside the record header of packet 1/, 0);
  });

  test('a file header cut short, an empty file, a wrong magic, an unsupported version', () => {
    expectProblem(good.subarray(0, 10), /file header/, 0);
    expectProblem(new Uint8Array(0), /empty/, 0);
    expectProblem(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), /unknown magic/, 0);
    const v = good.slice();
    v[5] = 9; // big-endian major version 2 -> 0x0209
    expectProblem(v, /unsupported pcap savefile version/, 0);
  });

  test('a record longer than any packet can be: a problem, not an allocation', () => {
    const bad = good.slice();
    // First record's caplen (big-endian, at 24 + 8) set to 0x7fffffff.
    bad.set([0x7f, 0xff, 0xff, 0xff], 32);
    expectProblem(bad, /invalid packet capture length 2147483647/, 0);
  });

  test('pcapng: bad block lengths, a trailer that disagrees, a packet before any interface', () => {
    const firstEpb = 28 + 20 + 32 + 16; // SHB 28, IDB 20, IDB with tsresol 32, custom block 16
    const at = (bytes: Uint8Array, off: number, v: number) => {
      const b = bytes.slice();
      b[off] = v & 255;
      b[off + 1] = (v >> 8) & 255;
      b[off + 2] = (v >> 16) & 255;
      b[off + 3] = (v >>> 24) & 255;
      return b;
    };
    expectProblem(at(ng, firstEpb + 4, 10), /length of 10 < 12/, 0);
    expectProblem(at(ng, firstEpb + 4, 1002), /not a multiple of 4/, 0);
    expectProblem(at(ng, firstEpb + 4, 0x7ffffffc), /pcapng block size \d+ > maximum/, 0);
    const total = ng[firstEpb + 4]! | (ng[firstEpb + 5]! << 8);
    expectProblem(at(ng, firstEpb + total - 4, total + 4), /trailer don't match/, 0);
    const noIdb = pcapngFile([{ blocks: [{ type: 'epb', iface: 0, ts: 0n, data: [1, 2, 3] }] }]);
    expectProblem(noIdb, /no Interface Description Block/, 0);
    expectProblem(ng.subarray(0, ng.length - 3), /inside a block/, 9);
  });
});
