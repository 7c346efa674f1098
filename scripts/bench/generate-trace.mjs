// Fallback trace for the benchmark when a real loopback capture cannot be made (no tcpdump, not root,
// no lo). It simulates many TCP connections and writes the SAME packets twice:
//  - as a pcap (Ethernet/IPv4/TCP headers, payload cut off like `-s 128`), so tshark and tcpdump can
//    read it without text2pcap, and
//  - as tcpdump `-nn` text (4.99 style: absolute numbers on SYN and SYN-ACK, relative after), unless the
//    caller renders the pcap with a real tcpdump instead.
// Addresses are from the documentation ranges (192.0.2.0/24, 198.51.100.0/24); nothing is sent anywhere.
import fs from 'node:fs';

const F = { FIN: 1, SYN: 2, RST: 4, PSH: 8, ACK: 16 };
const MSS = 1448;

function prng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * One connection's packets, each { t (µs), dir (0 client→server, 1 back), flags, seq, ack, win, len,
 * opts: [{kind:'mss'|'sackOK'|'ts'|'nop'|'wscale'|'sack', ...}] } with absolute numbers.
 */
function connection(rand, t0, kind) {
  const pick = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const isn = [pick(1, 0xfffffff0), pick(1, 0xfffffff0)];
  const nxt = [isn[0], isn[1]]; // next sequence number each side sends
  const rcv = [0, 0]; // highest in-order byte each side has received (as an absolute ack)
  const tsBase = [pick(1e6, 4e9), pick(1e6, 4e9)];
  let t = t0;
  const rtt = pick(200, 40000); // µs
  const out = [];
  const ts = (d) => ({ kind: 'ts', val: (tsBase[d] + Math.floor(t / 1000)) >>> 0, ecr: 0 });
  const lastTs = [0, 0];
  const push = (dir, flags, len, extra = {}) => {
    const o = ts(dir);
    o.ecr = lastTs[1 - dir];
    lastTs[dir] = o.val;
    const seq = extra.seq ?? nxt[dir];
    const p = {
      t,
      dir,
      flags,
      seq: seq >>> 0,
      ack: flags & F.ACK ? (extra.ack ?? rcv[dir]) >>> 0 : 0,
      win: extra.win ?? 502,
      len,
      opts: extra.opts ?? [{ kind: 'nop' }, { kind: 'nop' }, o],
    };
    if (extra.sack)
      p.opts = [
        { kind: 'nop' },
        { kind: 'nop' },
        o,
        { kind: 'nop' },
        { kind: 'nop' },
        { kind: 'sack', blocks: extra.sack },
      ];
    out.push(p);
    if (extra.seq === undefined) nxt[dir] = (nxt[dir] + len + (flags & (F.SYN | F.FIN) ? 1 : 0)) >>> 0;
    return p;
  };
  const step = (us) => (t += us);
  // Handshake.
  const syn = ts(0);
  lastTs[0] = syn.val;
  out.push({
    t,
    dir: 0,
    flags: F.SYN,
    seq: isn[0],
    ack: 0,
    win: 64240,
    len: 0,
    opts: [{ kind: 'mss', v: 1460 }, { kind: 'sackOK' }, syn, { kind: 'nop' }, { kind: 'wscale', v: 7 }],
  });
  nxt[0] = (isn[0] + 1) >>> 0;
  rcv[1] = nxt[0];
  step(rtt / 2);
  const sa = ts(1);
  sa.ecr = lastTs[0];
  lastTs[1] = sa.val;
  out.push({
    t,
    dir: 1,
    flags: F.SYN | F.ACK,
    seq: isn[1],
    ack: rcv[1],
    win: 65160,
    len: 0,
    opts: [{ kind: 'mss', v: 1460 }, { kind: 'sackOK' }, sa, { kind: 'nop' }, { kind: 'wscale', v: 7 }],
  });
  nxt[1] = (isn[1] + 1) >>> 0;
  rcv[0] = nxt[1];
  step(rtt / 2);
  push(0, F.ACK, 0);

  // Sends `bytes` from `dir` in MSS segments; the other side ACKs every second segment. Now and then a
  // segment is lost before the capture point: dup ACKs with SACK, then the fast retransmission.
  const stream = (dir, bytes, lossRate) => {
    const other = 1 - dir;
    let unacked = 0;
    let lost = null;
    let dups = 0;
    while (bytes > 0) {
      const len = Math.min(MSS, bytes);
      bytes -= len;
      const flags = F.ACK | (bytes === 0 ? F.PSH : 0);
      if (!lost && rand() < lossRate && bytes > 4 * MSS) {
        lost = { seq: nxt[dir], len, flags };
        nxt[dir] = (nxt[dir] + len) >>> 0; // sent, but never seen
        step(pick(5, 60));
        continue;
      }
      push(dir, flags, len);
      step(pick(5, 60));
      if (lost) {
        // Out of order at the receiver: a dup ACK carrying SACK for everything past the hole.
        push(other, F.ACK, 0, { ack: lost.seq, sack: [[(lost.seq + lost.len) >>> 0, nxt[dir]]] });
        dups++;
        if (dups >= 3) {
          step(pick(50, 400));
          push(dir, lost.flags, lost.len, { seq: lost.seq }); // fast retransmission
          step(rtt / 2);
          rcv[other] = nxt[dir];
          push(other, F.ACK, 0);
          lost = null;
          dups = 0;
          unacked = 0;
        }
        continue;
      }
      rcv[other] = nxt[dir];
      if (++unacked >= 2 || bytes === 0) {
        step(pick(10, 80));
        push(other, F.ACK, 0);
        unacked = 0;
      }
    }
    if (lost) {
      // The hole was never filled by dup ACKs: an RTO retransmission after 200 ms.
      step(200000 + rtt);
      push(dir, lost.flags, lost.len, { seq: lost.seq });
      rcv[other] = nxt[dir];
      step(rtt / 2);
      push(other, F.ACK, 0);
    }
  };

  if (kind === 'bulk') {
    push(0, F.ACK | F.PSH, pick(80, 300));
    rcv[1] = nxt[0];
    step(rtt / 2);
    stream(1, pick(2e6, 8e6), 0.0008);
    // A receiver that stalls: the window closes, zero window, then a window update.
    if (rand() < 0.5) {
      step(rtt / 2);
      push(0, F.ACK, 0, { win: 0 });
      step(pick(20000, 200000));
      push(0, F.ACK, 0, { win: 502 }); // window update
    }
  } else {
    const k = pick(1, 6);
    for (let q = 0; q < k; q++) {
      push(0, F.ACK | F.PSH, pick(60, 400));
      rcv[1] = nxt[0];
      step(rtt / 2 + pick(50, 3000));
      if (rand() < 0.3) {
        push(1, F.ACK, 0); // delayed-ACK timer fired before the answer was ready
        step(pick(100, 2000));
      }
      stream(1, rand() < 0.9 ? pick(60, 1400) : pick(4000, 60000), 0.004);
      step(rtt / 2 + pick(100, 20000));
      if (rand() < 0.01) {
        // A spurious retransmission of the request (the ACK was slow).
        const last = out.filter((p) => p.dir === 0 && p.len > 0).pop();
        if (last) push(0, last.flags, last.len, { seq: last.seq });
        step(rtt / 2);
        push(1, F.ACK, 0); // duplicate ACK
      }
    }
  }
  // Teardown: client FIN first (80%), server FIN first (12%), or an RST (8%).
  const r = rand();
  if (r < 0.92) {
    const a = r < 0.8 ? 0 : 1;
    const b = 1 - a;
    push(a, F.FIN | F.ACK, 0);
    rcv[b] = nxt[a];
    step(rtt / 2);
    push(b, F.FIN | F.ACK, 0);
    rcv[a] = nxt[b];
    step(rtt / 2);
    push(a, F.ACK, 0);
  } else {
    push(0, F.RST | F.ACK, 0, { win: 0, opts: [] });
  }
  return { packets: out, endT: t };
}

function ipText(ip) {
  return `${ip >>> 24}.${(ip >>> 16) & 255}.${(ip >>> 8) & 255}.${ip & 255}`;
}

function optsText(opts, relPeer) {
  return opts
    .map((o) => {
      switch (o.kind) {
        case 'mss':
          return `mss ${o.v}`;
        case 'wscale':
          return `wscale ${o.v}`;
        case 'ts':
          return `TS val ${o.val} ecr ${o.ecr}`;
        case 'sack':
          return `sack ${o.blocks.length} ${o.blocks.map(([s, e]) => `{${(s - relPeer) >>> 0}:${(e - relPeer) >>> 0}}`).join('')}`;
        default:
          return o.kind;
      }
    })
    .join(',');
}

const FLAG_TEXT = (f) => {
  let s = '';
  if (f & F.SYN) s += 'S';
  if (f & F.FIN) s += 'F';
  if (f & F.PSH) s += 'P';
  if (f & F.RST) s += 'R';
  if (f & F.ACK) s += '.';
  return s;
};

function timeText(us) {
  const day = 86400e6;
  const tod = ((us % day) + day) % day;
  const h = Math.floor(tod / 3600e6);
  const m = Math.floor((tod % 3600e6) / 60e6);
  const s = Math.floor((tod % 60e6) / 1e6);
  const frac = Math.floor(tod % 1e6);
  const p2 = (n) => String(n).padStart(2, '0');
  return `${p2(h)}:${p2(m)}:${p2(s)}.${String(frac).padStart(6, '0')}`;
}

/** tcpdump 4.99 `-nn` line for one packet of a connection `c` (which carries the relative bases). */
function lineOf(p, c) {
  const src = p.dir === 0 ? c.client : c.server;
  const dst = p.dir === 0 ? c.server : c.client;
  const rel = !(p.flags & F.SYN); // tcpdump prints the SYN and SYN-ACK absolute
  const seq = rel ? (p.seq - c.isn[p.dir]) >>> 0 : p.seq;
  const ack = rel ? (p.ack - c.isn[1 - p.dir]) >>> 0 : p.ack;
  let s = `${timeText(p.t)} IP ${ipText(src.ip)}.${src.port} > ${ipText(dst.ip)}.${dst.port}: Flags [${FLAG_TEXT(p.flags)}]`;
  if (p.len > 0 || p.flags & (F.SYN | F.FIN | F.RST))
    s += p.len > 0 ? `, seq ${seq}:${(seq + p.len) >>> 0}` : `, seq ${seq}`;
  if (p.flags & F.ACK) s += `, ack ${ack}`;
  s += `, win ${p.win}`;
  if (p.opts.length) s += `, options [${optsText(p.opts, c.isn[1 - p.dir])}]`;
  return `${s}, length ${p.len}\n`;
}

function optionBytes(opts) {
  const b = [];
  for (const o of opts) {
    if (o.kind === 'nop') b.push(1);
    else if (o.kind === 'mss') b.push(2, 4, o.v >> 8, o.v & 255);
    else if (o.kind === 'sackOK') b.push(4, 2);
    else if (o.kind === 'wscale') b.push(3, 3, o.v);
    else if (o.kind === 'ts') b.push(8, 10, ...u32(o.val), ...u32(o.ecr));
    else if (o.kind === 'sack') {
      b.push(5, 2 + 8 * o.blocks.length);
      for (const [s, e] of o.blocks) b.push(...u32(s), ...u32(e));
    }
  }
  while (b.length % 4) b.push(0);
  return b;
}
const u32 = (v) => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];

/** Ethernet + IPv4 + TCP headers (payload not included: the record is cut at the headers or `snap`). */
function frame(p, c, snap) {
  const src = p.dir === 0 ? c.client : c.server;
  const dst = p.dir === 0 ? c.server : c.client;
  const ob = optionBytes(p.opts);
  const tcpLen = 20 + ob.length;
  const ipTotal = 20 + tcpLen + p.len;
  const wire = 14 + ipTotal;
  const cap = Math.min(wire, snap);
  const b = Buffer.alloc(cap);
  const full = Buffer.alloc(14 + 20 + tcpLen);
  full.writeUInt16BE(0x0800, 12);
  let o = 14;
  full[o] = 0x45;
  full.writeUInt16BE(ipTotal, o + 2);
  full.writeUInt16BE(c.ipId++ & 0xffff, o + 4);
  full.writeUInt16BE(0x4000, o + 6); // DF
  full[o + 8] = 64;
  full[o + 9] = 6;
  full.writeUInt32BE(src.ip >>> 0, o + 12);
  full.writeUInt32BE(dst.ip >>> 0, o + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += full.readUInt16BE(o + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  full.writeUInt16BE(~sum & 0xffff, o + 10);
  o += 20;
  full.writeUInt16BE(src.port, o);
  full.writeUInt16BE(dst.port, o + 2);
  full.writeUInt32BE(p.seq >>> 0, o + 4);
  full.writeUInt32BE(p.ack >>> 0, o + 8);
  full[o + 12] = (tcpLen / 4) << 4;
  full[o + 13] = p.flags;
  full.writeUInt16BE(p.win, o + 14);
  for (let i = 0; i < ob.length; i++) full[o + 20 + i] = ob[i];
  full.copy(b, 0, 0, Math.min(full.length, cap));
  return { bytes: b, wire };
}

/**
 * Writes `pcapPath` (always) and `tracePath` (unless `text` is false) with at least `minPackets`
 * packets. Returns { packets, connections, bulk }.
 */
export function generateTrace({ minPackets, pcapPath, tracePath, text = true, seed = 20240611, snap = 128 }) {
  const rand = prng(seed);
  const pick = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
  const conns = [];
  let packets = 0;
  let start = Date.UTC(2024, 5, 11, 9, 0, 0) * 1000;
  let n = 0;
  while (packets < minPackets * 1.02 && n < 200000) {
    const kind = n % 400 === 399 ? 'bulk' : 'short';
    const { packets: ps } = connection(rand, start, kind);
    const c = {
      client: {
        ip: (192 << 24) | (0 << 16) | (2 << 8) | (10 + (n % 40)),
        port: 32768 + ((n * 7919) % 28000),
      },
      server: {
        ip: (198 << 24) | (51 << 16) | (100 << 8) | (1 + (n % 5)),
        port: [80, 443, 8080, 5432, 6379][n % 5],
      },
      isn: [ps[0].seq, ps[1].seq],
      ipId: pick(1, 65535),
      ps,
    };
    conns.push(c);
    packets += ps.length;
    start += pick(100, 4000); // connections start a few ms apart and overlap
    n++;
  }
  // Interleave every connection's packets by time (stable for equal times).
  const all = [];
  for (let ci = 0; ci < conns.length; ci++) for (const p of conns[ci].ps) all.push({ p, c: conns[ci] });
  all.sort((x, y) => x.p.t - y.p.t);

  const pfd = fs.openSync(pcapPath, 'w');
  const tfd = text ? fs.openSync(tracePath, 'w') : -1;
  const gh = Buffer.alloc(24);
  gh.writeUInt32LE(0xa1b2c3d4, 0);
  gh.writeUInt16LE(2, 4);
  gh.writeUInt16LE(4, 6);
  gh.writeUInt32LE(snap, 16);
  gh.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  fs.writeSync(pfd, gh);
  let pchunks = [];
  let psize = 0;
  let tbuf = '';
  for (const { p, c } of all) {
    const { bytes, wire } = frame(p, c, snap);
    const rh = Buffer.alloc(16);
    const t = Math.floor(p.t);
    rh.writeUInt32LE(Math.floor(t / 1e6), 0);
    rh.writeUInt32LE(t % 1e6, 4);
    rh.writeUInt32LE(bytes.length, 8);
    rh.writeUInt32LE(wire, 12);
    pchunks.push(rh, bytes);
    psize += 16 + bytes.length;
    if (psize > 1 << 20) {
      fs.writeSync(pfd, Buffer.concat(pchunks));
      pchunks = [];
      psize = 0;
    }
    if (text) {
      tbuf += lineOf(p, c);
      if (tbuf.length > 1 << 20) {
        fs.writeSync(tfd, tbuf);
        tbuf = '';
      }
    }
  }
  if (pchunks.length) fs.writeSync(pfd, Buffer.concat(pchunks));
  fs.closeSync(pfd);
  if (text) {
    if (tbuf) fs.writeSync(tfd, tbuf);
    fs.closeSync(tfd);
  }
  return {
    packets: all.length,
    connections: conns.length,
    bulk: conns.filter((_, i) => i % 400 === 399).length,
  };
}
