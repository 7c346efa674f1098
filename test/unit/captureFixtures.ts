/**
 * A small pcap/pcapng writer and packet builders for the capture reader's tests: crafted captures of
 * every link type and header form the reader handles, written byte by byte so tcpdump can read the same
 * files. Not a test file itself (no tests are declared here).
 */

export type Bytes = number[];

const u16be = (v: number): Bytes => [(v >> 8) & 255, v & 255];
const u32be = (v: number): Bytes => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const u16le = (v: number): Bytes => [v & 255, (v >> 8) & 255];
const u32le = (v: number): Bytes => [v & 255, (v >>> 8) & 255, (v >>> 16) & 255, (v >>> 24) & 255];

export function ascii(s: string): Bytes {
  return [...s].map((c) => c.charCodeAt(0) & 255);
}

function checksum(bytes: Bytes): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ip4(a: string): Bytes {
  return a.split('.').map(Number);
}

export function ip6(a: string): Bytes {
  const [head, tail] = a.includes('::') ? a.split('::') : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((w) => parseInt(w, 16));
  return words.flatMap((w) => u16be(w));
}

export interface TcpSpec {
  sport: number;
  dport: number;
  seq: number;
  ack?: number;
  /** Flag letters: F S R P A U E W. */
  flags: string;
  win?: number;
  urg?: number;
  options?: Bytes;
  payload?: Bytes;
}

const FLAG_BITS: Record<string, number> = { F: 1, S: 2, R: 4, P: 8, A: 16, U: 32, E: 64, W: 128 };

export function tcp(t: TcpSpec): Bytes {
  const opts = [...(t.options ?? [])];
  while (opts.length % 4) opts.push(1);
  const hlen = 20 + opts.length;
  let flags = 0;
  for (const c of t.flags) flags |= FLAG_BITS[c] ?? 0;
  return [
    ...u16be(t.sport),
    ...u16be(t.dport),
    ...u32be(t.seq >>> 0),
    ...u32be((t.ack ?? 0) >>> 0),
    (hlen / 4) << 4,
    flags,
    ...u16be(t.win ?? 65535),
    0,
    0,
    ...u16be(t.urg ?? 0),
    ...opts,
    ...(t.payload ?? []),
  ];
}

export const opt = {
  mss: (v: number): Bytes => [2, 4, ...u16be(v)],
  wscale: (v: number): Bytes => [3, 3, v],
  sackOK: (): Bytes => [4, 2],
  ts: (val: number, ecr: number): Bytes => [8, 10, ...u32be(val), ...u32be(ecr)],
  nop: (): Bytes => [1],
  sack: (...edges: number[]): Bytes => [5, 2 + edges.length * 4, ...edges.flatMap((e) => u32be(e >>> 0))],
  tfo: (cookie: Bytes): Bytes => [34, 2 + cookie.length, ...cookie],
  uto: (v: number): Bytes => [28, 4, ...u16be(v)],
  unknown: (kind: number, data: Bytes): Bytes => [kind, 2 + data.length, ...data],
};

export interface Ip4Spec {
  src: string;
  dst: string;
  proto: number;
  payload: Bytes;
  id?: number;
  /** Fragment offset in 8-byte units, and more-fragments. */
  offset?: number;
  more?: boolean;
  options?: Bytes;
  ttl?: number;
  /** Total length override (e.g. larger than the bytes given). */
  totalLength?: number;
}

export function ipv4(p: Ip4Spec): Bytes {
  const opts = [...(p.options ?? [])];
  while (opts.length % 4) opts.push(0);
  const hlen = 20 + opts.length;
  const total = p.totalLength ?? hlen + p.payload.length;
  const hdr = [
    0x40 | (hlen / 4),
    0,
    ...u16be(total),
    ...u16be(p.id ?? 1),
    ...u16be(((p.more ? 0x2000 : 0) | (p.offset ?? 0)) & 0xffff),
    p.ttl ?? 64,
    p.proto,
    0,
    0,
    ...ip4(p.src),
    ...ip4(p.dst),
    ...opts,
  ];
  const sum = checksum(hdr);
  hdr[10] = sum >> 8;
  hdr[11] = sum & 255;
  return [...hdr, ...p.payload];
}

export function ipv6(src: string, dst: string, nextHeader: number, payload: Bytes, hlim = 64): Bytes {
  return [0x60, 0, 0, 0, ...u16be(payload.length), nextHeader, hlim, ...ip6(src), ...ip6(dst), ...payload];
}

/** A hop-by-hop options header carrying a router alert, then `next`. */
export function hopByHop(next: number, payload: Bytes): Bytes {
  return [next, 0, 5, 2, 0, 0, 1, 0, ...payload];
}

export function ether(dst: string, src: string, type: number, payload: Bytes, vlans: number[] = []): Bytes {
  const mac = (m: string) => m.split(':').map((h) => parseInt(h, 16));
  const tags = vlans.flatMap((v) => [0x81, 0x00, ...u16be(v)]);
  return [...mac(dst), ...mac(src), ...tags, ...u16be(type), ...payload];
}

/** Linux cooked capture v1 (LINKTYPE_LINUX_SLL). */
export function sll(pkttype: number, protocol: number, payload: Bytes): Bytes {
  return [
    ...u16be(pkttype),
    ...u16be(1),
    ...u16be(6),
    2,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    ...u16be(protocol),
    ...payload,
  ];
}

/** Linux cooked capture v2 (LINKTYPE_LINUX_SLL2). */
export function sll2(ifindex: number, pkttype: number, protocol: number, payload: Bytes): Bytes {
  return [
    ...u16be(protocol),
    0,
    0,
    ...u32be(ifindex),
    ...u16be(1),
    pkttype,
    6,
    2,
    0,
    0,
    0,
    0,
    1,
    0,
    0,
    ...payload,
  ];
}

/** BSD loopback (LINKTYPE_NULL): the address family in host (here little-endian) byte order. */
export function nullLink(family: number, payload: Bytes): Bytes {
  return [...u32le(family), ...payload];
}

export interface PcapPacket {
  sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  frac: number;
  data: Bytes;
  /** On-the-wire length (default: the data's). */
  len?: number;
  /** Captured length written in the record (default: the data's). */
  caplen?: number;
}

export function pcapFile(
  linktype: number,
  packets: PcapPacket[],
  o: { nano?: boolean; bigEndian?: boolean; snaplen?: number } = {},
): Uint8Array {
  const w32 = o.bigEndian ? u32be : u32le;
  const w16 = o.bigEndian ? u16be : u16le;
  const out: Bytes = [
    ...w32(o.nano ? 0xa1b23c4d : 0xa1b2c3d4),
    ...w16(2),
    ...w16(4),
    ...w32(0),
    ...w32(0),
    ...w32(o.snaplen ?? 262144),
    ...w32(linktype),
  ];
  for (const p of packets) {
    out.push(
      ...w32(p.sec),
      ...w32(p.frac),
      ...w32(p.caplen ?? p.data.length),
      ...w32(p.len ?? p.data.length),
    );
    out.push(...p.data);
  }
  return Uint8Array.from(out);
}

export type NgBlock =
  | { type: 'idb'; linktype: number; snaplen?: number; tsresol?: number }
  | { type: 'epb'; iface: number; ts: bigint; data: Bytes; len?: number; comments?: string[] }
  | { type: 'spb'; data: Bytes; len?: number }
  | { type: 'custom'; body: Bytes };

function block(type: number, body: Bytes, w32: (v: number) => Bytes): Bytes {
  const padded = [...body];
  while (padded.length % 4) padded.push(0);
  const total = padded.length + 12;
  return [...w32(type), ...w32(total), ...padded, ...w32(total)];
}

function option(code: number, value: Bytes, w16: (v: number) => Bytes): Bytes {
  const v = [...value];
  while (v.length % 4) v.push(0);
  return [...w16(code), ...w16(value.length), ...v];
}

/** A pcapng file of one or more sections. */
export function pcapngFile(sections: Array<{ bigEndian?: boolean; blocks: NgBlock[] }>): Uint8Array {
  const out: Bytes = [];
  for (const s of sections) {
    const w32 = s.bigEndian ? u32be : u32le;
    const w16 = s.bigEndian ? u16be : u16le;
    const shbBody = [
      ...w32(0x1a2b3c4d),
      ...w16(1),
      ...w16(0),
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    ];
    out.push(...block(0x0a0d0d0a, shbBody, w32));
    for (const b of s.blocks) {
      if (b.type === 'idb') {
        const opts = b.tsresol !== undefined ? [...option(9, [b.tsresol], w16), 0, 0, 0, 0] : [];
        out.push(...block(1, [...w16(b.linktype), 0, 0, ...w32(b.snaplen ?? 262144), ...opts], w32));
      } else if (b.type === 'epb') {
        const hi = Number(b.ts >> 32n);
        const lo = Number(b.ts & 0xffffffffn);
        const data = [...b.data];
        while (data.length % 4) data.push(0);
        const enc = new TextEncoder();
        const opts = b.comments?.length
          ? [...b.comments.flatMap((c) => option(1, [...enc.encode(c)], w16)), 0, 0, 0, 0]
          : [];
        out.push(
          ...block(
            6,
            [
              ...w32(b.iface),
              ...w32(hi),
              ...w32(lo),
              ...w32(b.data.length),
              ...w32(b.len ?? b.data.length),
              ...data,
              ...opts,
            ],
            w32,
          ),
        );
      } else if (b.type === 'spb') {
        out.push(...block(3, [...w32(b.len ?? b.data.length), ...b.data], w32));
      } else out.push(...block(0x00000bad, b.body, w32));
    }
  }
  return Uint8Array.from(out);
}

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
};

const MAC_A = '02:00:00:00:00:0a';
const MAC_B = '02:00:00:00:00:0b';

/**
 * A short TCP conversation (handshake, an HTTP request and response, SACK, FIN close) as IPv4 packets
 * between two documentation addresses; `wrap` puts each IP packet in its link layer.
 */
export function conversation4(wrap: (ip: Bytes) => Bytes, base = 1700000000, client = 40000): PcapPacket[] {
  const C = '192.0.2.10';
  const S = '198.51.100.20';
  const cs = 1000000;
  const ss = 3000000000;
  const req = ascii('GET /index.html HTTP/1.1\r\nHost: example\r\n\r\n');
  const resp = ascii('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  const seg = (from: 'c' | 's', t: Omit<TcpSpec, 'sport' | 'dport'>): Bytes =>
    from === 'c'
      ? ipv4({ src: C, dst: S, proto: 6, payload: tcp({ sport: client, dport: 80, ...t }) })
      : ipv4({ src: S, dst: C, proto: 6, payload: tcp({ sport: 80, dport: client, ...t }) });
  const segs: Bytes[] = [
    seg('c', {
      seq: cs,
      flags: 'S',
      win: 64240,
      options: [...opt.mss(1460), ...opt.sackOK(), ...opt.ts(100, 0), ...opt.nop(), ...opt.wscale(7)],
    }),
    seg('s', {
      seq: ss,
      ack: cs + 1,
      flags: 'SA',
      win: 65160,
      options: [...opt.mss(1400), ...opt.nop(), ...opt.wscale(9)],
    }),
    seg('c', { seq: cs + 1, ack: ss + 1, flags: 'A', win: 502 }),
    seg('c', { seq: cs + 1, ack: ss + 1, flags: 'PA', win: 502, payload: req }),
    seg('s', {
      seq: ss + 1,
      ack: cs + 1 + req.length,
      flags: 'A',
      win: 509,
      options: [...opt.nop(), ...opt.nop(), ...opt.sack(cs + 100, cs + 200)],
    }),
    seg('s', { seq: ss + 1, ack: cs + 1 + req.length, flags: 'PA', win: 509, payload: resp }),
    seg('c', { seq: cs + 1 + req.length, ack: ss + 1 + resp.length, flags: 'FA', win: 502 }),
    seg('s', { seq: ss + 1 + resp.length, ack: cs + 2 + req.length, flags: 'FPA', win: 509, urg: 0 }),
    seg('c', { seq: cs + 2 + req.length, ack: ss + 2 + resp.length, flags: 'A', win: 502 }),
  ];
  return segs.map((ip, i) => ({ sec: base + i, frac: 1000 * i + 7, data: wrap(ip) }));
}

/** The same conversation over IPv6, with a hop-by-hop header on the client's segments. */
export function conversation6(wrap: (ip: Bytes) => Bytes, base = 1700000100): PcapPacket[] {
  const C = '2001:db8::10';
  const S = '2001:db8:1::20';
  const seg = (from: 'c' | 's', t: Omit<TcpSpec, 'sport' | 'dport'>): Bytes => {
    if (from === 'c') return ipv6(C, S, 0, hopByHop(6, tcp({ sport: 40010, dport: 443, ...t })));
    return ipv6(S, C, 6, tcp({ sport: 443, dport: 40010, ...t }));
  };
  const segs = [
    seg('c', { seq: 5000, flags: 'S', options: [...opt.mss(1440), ...opt.tfo([])] }),
    seg('s', { seq: 9000, ack: 5001, flags: 'SA', options: [...opt.mss(1440), ...opt.uto(601)] }),
    seg('c', { seq: 5001, ack: 9001, flags: 'A' }),
    seg('c', { seq: 5001, ack: 9001, flags: 'PA', payload: ascii('hello') }),
    seg('s', { seq: 9001, ack: 5006, flags: 'RA' }),
  ];
  return segs.map((ip, i) => ({ sec: base + i, frac: 500000 + i, data: wrap(ip) }));
}

export const wrapEther =
  (type: number, vlans: number[] = []) =>
  (ip: Bytes) =>
    ether(MAC_B, MAC_A, type, ip, vlans);

/**
 * The crafted captures: every link type and header form of the reader, as pcap (both byte orders,
 * micro- and nanoseconds) and pcapng (two interfaces with different resolutions, comments, a simple
 * packet block, an unknown block, a big-endian section). Names end in the file extension tcpdump wants.
 */
export function craftedCaptures(): Record<string, Uint8Array> {
  const cases: Record<string, Uint8Array> = {};
  cases['ethernet-vlan.pcap'] = pcapFile(LINKTYPE.ETHERNET, [
    ...conversation4(wrapEther(0x0800, [100])),
    ...conversation6(wrapEther(0x86dd, [100, 200])),
  ]);
  cases['sll.pcap'] = pcapFile(LINKTYPE.LINUX_SLL, [
    ...conversation4((ip) => sll(4, 0x0800, ip)),
    ...conversation6((ip) => sll(0, 0x86dd, ip)),
  ]);
  cases['sll2.pcap'] = pcapFile(LINKTYPE.LINUX_SLL2, [
    ...conversation4((ip) => sll2(1, 0, 0x0800, ip)),
    ...conversation6((ip) => sll2(99, 4, 0x86dd, ip)),
  ]);
  cases['raw.pcap'] = pcapFile(LINKTYPE.RAW, [...conversation4((ip) => ip), ...conversation6((ip) => ip)]);
  cases['null.pcap'] = pcapFile(LINKTYPE.NULL, [
    ...conversation4((ip) => nullLink(2, ip)),
    ...conversation6((ip) => nullLink(30, ip)),
  ]);
  cases['ipv6-hbh.pcap'] = pcapFile(LINKTYPE.ETHERNET, conversation6(wrapEther(0x86dd)));
  cases['nano.pcap'] = pcapFile(
    LINKTYPE.ETHERNET,
    conversation4(wrapEther(0x0800)).map((p, i) => ({ ...p, frac: 123456789 + i })),
    { nano: true },
  );
  cases['big-endian.pcap'] = pcapFile(LINKTYPE.ETHERNET, conversation4(wrapEther(0x0800)), {
    bigEndian: true,
  });
  {
    const w = wrapEther(0x0800);
    const t = tcp({
      sport: 40100,
      dport: 8080,
      seq: 77,
      ack: 88,
      flags: 'PA',
      payload: ascii('POST /upload HTTP/1.1\r\n\r\n' + 'x'.repeat(40)),
    });
    const first = ipv4({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 6,
      payload: t.slice(0, 48),
      id: 7,
      more: true,
    });
    const second = ipv4({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 6,
      payload: t.slice(48),
      id: 7,
      offset: 6,
    });
    const withOptions = ipv4({
      src: '192.0.2.1',
      dst: '192.0.2.2',
      proto: 6,
      options: [7, 7, 4, 0, 0, 0, 0, 1],
      payload: tcp({ sport: 40101, dport: 22, seq: 1, flags: 'S', options: opt.mss(536) }),
    });
    cases['ipv4-options-fragments.pcap'] = pcapFile(
      LINKTYPE.ETHERNET,
      [first, second, withOptions].map((ip, i) => ({ sec: 1700000200 + i, frac: i, data: w(ip) })),
    );
  }
  cases['snaplen.pcap'] = pcapFile(
    LINKTYPE.ETHERNET,
    conversation4(wrapEther(0x0800)).map((p) => ({ ...p, data: p.data.slice(0, 70), len: p.data.length })),
    { snaplen: 70 },
  );
  {
    const c4 = conversation4(wrapEther(0x0800));
    const blocks: NgBlock[] = [
      { type: 'idb', linktype: 1 },
      { type: 'idb', linktype: 1, tsresol: 9 },
      { type: 'custom', body: [1, 2, 3, 4] },
    ];
    c4.forEach((p, i) => {
      const iface = i % 2;
      const ts =
        iface === 0
          ? BigInt(p.sec) * 1000000n + BigInt(p.frac)
          : BigInt(p.sec) * 1000000000n + BigInt(p.frac) * 1000n + 999n;
      const comments =
        i === 0 ? ['first SYN'] : i === 3 ? ['the request', 'second comment\nwith two lines'] : undefined;
      blocks.push({ type: 'epb', iface, ts, data: p.data, comments });
    });
    blocks.push({ type: 'spb', data: c4[0]!.data });
    cases['pcapng-two-interfaces.pcapng'] = pcapngFile([{ blocks }]);
    cases['pcapng-big-endian.pcapng'] = pcapngFile([
      {
        bigEndian: true,
        blocks: [
          { type: 'idb', linktype: 101 },
          ...conversation6((ip) => ip).map((p) => ({
            type: 'epb' as const,
            iface: 0,
            ts: BigInt(p.sec) * 1000000n + BigInt(p.frac),
            data: p.data,
          })),
        ],
      },
    ]);
  }
  return cases;
}
