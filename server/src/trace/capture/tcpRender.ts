/**
 * TCP exactly as tcpdump 4.99.3 prints it with -n and without -v (print-tcp.c `tcp_print`): endpoints,
 * `Flags [...]`, seq/ack made relative by tcpdump's own conversation table (tcpdump-format.md §10: keyed
 * by the unordered address/port pair, (re)based by any ACK-bearing segment that is the first of its
 * conversation or carries SYN), window, urgent pointer, every option (with MPTCP, TFO, TCP-AO, the
 * `[bad opt]` and `[|tcp]` endings), `length N` and the payload printer chosen by port.
 */
import { TRUNCATED, hex2, type Ctx, type SeqEntry } from './context';
import { ip6Addr } from './ipv6';
import { ipAddr } from './ipv4';
import { tcpPayload } from './payload';

const FLAG_LETTERS: [number, string][] = [
  [0x01, 'F'],
  [0x02, 'S'],
  [0x04, 'R'],
  [0x08, 'P'],
  [0x10, '.'],
  [0x20, 'U'],
  [0x40, 'E'],
  [0x80, 'W'],
];
const FLAG_TEXT: string[] = [];
for (let f = 0; f < 256; f++) {
  let s = '';
  for (const [bit, letter] of FLAG_LETTERS) if (f & bit) s += letter;
  FLAG_TEXT.push(`Flags [${s || 'none'}]`);
}

const OPTION_NAME_TABLE: Record<number, string> = {
  0: 'eol',
  1: 'nop',
  2: 'mss',
  3: 'wscale',
  4: 'sackOK',
  5: 'sack',
  6: 'echo',
  7: 'echoreply',
  8: 'TS',
  11: 'cc',
  12: 'ccnew',
  13: '', // tcpdump 4.99's table has an empty name for ccecho
  19: 'md5',
  20: 'scps',
  28: 'uto',
  29: 'tcp-ao',
  30: 'mptcp',
  34: 'tfo',
  254: 'exp',
};
/** Option names by kind, as a dense array (faster than a sparse object on every option). */
const OPTION_NAMES: (string | undefined)[] = Array.from({ length: 256 }, (_, k) => OPTION_NAME_TABLE[k]);

/** The sentinel of `goto bad` in tcp_print's option loop. */
const BAD_OPT = { badOpt: true } as const;

function u64hex(ctx: Ctx, i: number): string {
  return ((BigInt(ctx.u32(i)) << 32n) | BigInt(ctx.u32(i + 4))).toString(16);
}

function u64dec(ctx: Ctx, i: number): string {
  return ((BigInt(ctx.u32(i)) << 32n) | BigInt(ctx.u32(i + 4))).toString();
}

/** print_tcp_fastopen_option. */
function fastOpen(ctx: Ctx, cp: number, datalen: number, exp: boolean): void {
  if (exp) ctx.w('tfo');
  if (datalen === 0) ctx.w(' cookiereq');
  else if (datalen % 2 !== 0 || datalen < 4 || datalen > 16) ctx.w(' (invalid)');
  else {
    let s = ' cookie ';
    for (let k = 0; k < datalen; k++) s += hex2(ctx.u8(cp + k));
    ctx.w(s);
  }
}

/** mptcp_print: false means tcpdump's `goto bad`. */
function mptcpPrint(ctx: Ctx, cp: number, len: number, flags: number): boolean {
  ctx.proto = 'mptcp';
  if (len < 3) return false;
  let subtype = (ctx.u8(cp + 2) >> 4) & 0xf;
  if (subtype > 8) subtype = 8;
  const names = ['capable', 'join', 'dss', 'add-addr', 'rem-addr', 'prio', 'fail', 'fast-close', 'unknown'];
  ctx.w(` ${len} ${names[subtype]}`);
  const SYN = 0x02;
  const ACK = 0x10;
  switch (subtype) {
    case 0: {
      if (!(
        ((len === 12 || len === 4) && flags & SYN) ||
        ((len === 20 || len === 22) && (flags & (SYN | ACK)) === ACK)
      ))
        return false;
      const version = ctx.u8(cp + 2) & 0xf;
      if (version > 1) {
        ctx.w(` Unknown Version (${version})`);
        return true;
      }
      ctx.w(` v${version}`);
      if (ctx.u8(cp + 3) & 0x80) ctx.w(' csum');
      if (len === 12 || len >= 20) {
        ctx.w(` {0x${u64hex(ctx, cp + 4)}`);
        if (len >= 20) ctx.w(`,0x${u64hex(ctx, cp + 12)}`);
        ctx.w('}');
      }
      return true;
    }
    case 1: {
      if (
        !(len === 12 && flags & SYN) &&
        !(len === 16 && (flags & (SYN | ACK)) === (SYN | ACK)) &&
        !(len === 24 && flags & ACK)
      )
        return false;
      if (len !== 24) {
        if (ctx.u8(cp + 2) & 1) ctx.w(' backup');
        ctx.w(` id ${ctx.u8(cp + 3)}`);
      }
      if (len === 12)
        ctx.w(` token 0x${ctx.u32(cp + 4).toString(16)} nonce 0x${ctx.u32(cp + 8).toString(16)}`);
      else if (len === 16) ctx.w(` hmac 0x${u64hex(ctx, cp + 4)} nonce 0x${ctx.u32(cp + 12).toString(16)}`);
      else {
        let s = ' hmac 0x';
        for (let k = 0; k < 20; k++) s += hex2(ctx.b[cp + 4 + k] ?? 0);
        ctx.w(s);
      }
      return true;
    }
    case 2: {
      if (len < 4 || flags & SYN) return false;
      const f = ctx.u8(cp + 3);
      if (f & 0x10) ctx.w(' fin');
      let o = cp + 4;
      let left = len - 4;
      // A DSS number: 8 bytes when its "wide" flag is set, else 4; false when the option is too short.
      const number = (wide: boolean): boolean => {
        const size = wide ? 8 : 4;
        if (left < size) return false;
        ctx.w(wide ? u64dec(ctx, o) : String(ctx.u32(o)));
        o += size;
        left -= size;
        return true;
      };
      if (f & 0x01) {
        ctx.w(' ack ');
        if (!number((f & 0x02) !== 0)) return false;
      }
      if (f & 0x04) {
        ctx.w(' seq ');
        if (!number((f & 0x08) !== 0)) return false;
        if (left < 4) return false;
        ctx.w(` subseq ${ctx.u32(o)}`);
        o += 4;
        left -= 4;
        if (left < 2) return false;
        ctx.w(` len ${ctx.u16(o)}`);
        o += 2;
        left -= 2;
        if (left >= 2) {
          ctx.w(` csum 0x${ctx.u16(o).toString(16)}`);
          left -= 2;
        }
      }
      return left === 0;
    }
    case 3: {
      if (![8, 10, 16, 18, 20, 22, 28, 30].includes(len)) return false;
      const echo: Record<number, string> = { 6: 'v0-ip6', 4: 'v0-ip4', 1: 'v1-echo', 0: 'v1' };
      ctx.w(` ${echo[ctx.u8(cp + 2) & 0xf] ?? '[bad version/echo]'}`);
      ctx.w(` id ${ctx.u8(cp + 3)}`);
      if (len === 8 || len === 10 || len === 16 || len === 18) {
        ctx.w(` ${ipAddr(ctx, cp + 4)}`);
        if (len === 10 || len === 18) ctx.w(`:${ctx.u16(cp + 8)}`);
        if (len === 16) ctx.w(` hmac 0x${u64hex(ctx, cp + 8)}`);
        if (len === 18) ctx.w(` hmac 0x${u64hex(ctx, cp + 10)}`);
      } else {
        ctx.w(` ${ip6Addr(ctx, cp + 4)}`);
        if (len === 22 || len === 30) ctx.w(`:${ctx.u16(cp + 20)}`);
        if (len === 28) ctx.w(` hmac 0x${u64hex(ctx, cp + 20)}`);
        if (len === 30) ctx.w(` hmac 0x${u64hex(ctx, cp + 22)}`);
      }
      return true;
    }
    case 4: {
      if (len < 4) return false;
      ctx.w(' id');
      for (let k = 0; k < len - 3; k++) ctx.w(` ${ctx.u8(cp + 3 + k)}`);
      return true;
    }
    case 5:
      if (len !== 3 && len !== 4) return false;
      ctx.w(ctx.u8(cp + 2) & 1 ? ' backup' : ' non-backup');
      if (len === 4) ctx.w(` id ${ctx.u8(cp + 3)}`);
      return true;
    case 6:
      if (len !== 12) return false;
      ctx.w(` seq ${u64dec(ctx, cp + 4)}`);
      return true;
    case 7:
      if (len !== 12) return false;
      ctx.w(` key 0x${u64hex(ctx, cp + 4)}`);
      return true;
    default:
      return true;
  }
}

/** `SRC.SPORT > DST.DPORT: ` (or just the ports when the addresses are not the TCP header's). */
function endpoints(ctx: Ctx, src: string, sport: number, dst: string, dport: number): void {
  if (src) {
    ctx.w(src);
    ctx.c(46);
  }
  ctx.n(sport);
  ctx.w(' > ');
  if (dst) {
    ctx.w(dst);
    ctx.c(46);
  }
  ctx.n(dport);
  ctx.w(': ');
}

/** LENCHECK: `l` option bytes must be within the header (else `[bad opt]`) and captured (else `[|tcp]`). */
function lencheck(ctx: Ctx, cp: number, left: number, l: number): void {
  if (l > left) throw BAD_OPT;
  if (!ctx.has(cp, l)) throw TCP_TRUNC;
}

/** The conversation's entry in tcpdump's table, created (or found) for an ACK-bearing segment. */
let seqFound = false;

function seqEntry(
  table: Map<number, SeqEntry[]>,
  port: number,
  src: number | string,
  dst: number | string,
): SeqEntry {
  let bucket = table.get(port);
  if (bucket === undefined) {
    bucket = [];
    table.set(port, bucket);
  }
  for (let k = 0; k < bucket.length; k++) {
    const e = bucket[k]!;
    if (e.src === src && e.dst === dst) {
      seqFound = true;
      return e;
    }
  }
  // Every field from the start, the numbers as doubles (sequence numbers pass 2^31): one object shape.
  const entry: SeqEntry = {
    src,
    dst,
    seq: 0x100000000,
    ack: 0x100000000,
    textFwd: undefined,
    textRev: undefined,
  };
  bucket.push(entry);
  seqFound = false;
  return entry;
}

/** The 16 bytes of an IPv6 address as a string of 8 UTF-16 units (compares like memcmp). */
function v6Key(ctx: Ctx, i: number): string {
  const b = ctx.b;
  let s = '';
  for (let k = 0; k < 16; k += 2) s += String.fromCharCode((b[i + k]! << 8) | b[i + k + 1]!);
  return s;
}

/**
 * tcp_print. `bp` is where the TCP header starts, `length` the IP payload length, `iph` where the IP
 * header starts (its version says how the endpoints and the conversation key are read).
 */
export function tcpPrint(ctx: Ctx, bp: number, length: number, iph: number, _fragmented: boolean): void {
  ctx.proto = 'tcp';
  const ip6 = ctx.b[iph]! >> 4 === 6;
  if (!ctx.has(bp + 2, 2)) {
    ctx.w(
      ip6
        ? `${ip6Addr(ctx, iph + 8)} > ${ip6Addr(ctx, iph + 24)}:`
        : `${ipAddr(ctx, iph + 12)} > ${ipAddr(ctx, iph + 16)}:`,
    );
    ctx.trunc();
    return;
  }
  const b = ctx.b;
  const sport = (b[bp]! << 8) | b[bp + 1]!;
  const dport = (b[bp + 2]! << 8) | b[bp + 3]!;
  // The addresses are printed only when TCP directly follows the IP header.
  const withAddresses = ip6 ? ctx.u8(iph + 6) === 6 : ctx.u8(iph + 9) === 6;

  // tcpdump's conversation table, for a whole header with ACK set. Looked up before the endpoints are
  // printed (no output depends on it) so the entry can also keep each direction's endpoint text.
  let rev = false;
  let entry: SeqEntry | undefined;
  let found = false;
  if (ctx.has(bp, 20) && b[bp + 12]! >> 4 >= 5 && b[bp + 13]! & 0x10) {
    let src: number | string;
    let dst: number | string;
    if (ip6) {
      src = v6Key(ctx, iph + 8);
      dst = v6Key(ctx, iph + 24);
    } else {
      src = ((b[iph + 12]! << 24) | (b[iph + 13]! << 16) | (b[iph + 14]! << 8) | b[iph + 15]!) >>> 0;
      dst = ((b[iph + 16]! << 24) | (b[iph + 17]! << 16) | (b[iph + 18]! << 8) | b[iph + 19]!) >>> 0;
    }
    if (sport > dport) rev = true;
    else if (sport === dport && src > dst) rev = true;
    const port = (rev ? dport * 65536 + sport : sport * 65536 + dport) >>> 0;
    entry = rev
      ? seqEntry(ip6 ? ctx.seq6 : ctx.seq4, port, dst, src)
      : seqEntry(ip6 ? ctx.seq6 : ctx.seq4, port, src, dst);
    found = seqFound;
  }

  const cached = entry && withAddresses ? (rev ? entry.textRev : entry.textFwd) : undefined;
  if (cached) ctx.bytes(cached);
  else {
    const start = ctx.op;
    if (!withAddresses) endpoints(ctx, '', sport, '', dport);
    else if (ip6) endpoints(ctx, ip6Addr(ctx, iph + 8), sport, ip6Addr(ctx, iph + 24), dport);
    else endpoints(ctx, ipAddr(ctx, iph + 12), sport, ipAddr(ctx, iph + 16), dport);
    if (entry && withAddresses) {
      const text = ctx.ob.slice(start, ctx.op);
      if (rev) entry.textRev = text;
      else entry.textFwd = text;
    }
  }

  if (!ctx.has(bp, 20)) {
    ctx.trunc();
    return;
  }
  let hlen = (b[bp + 12]! >> 4) * 4;
  if (hlen < 20) {
    ctx.w(` tcp ${(length - hlen) >>> 0} [bad hdr length ${hlen} - too short, < 20]`);
    return;
  }
  let seq = ((b[bp + 4]! << 24) | (b[bp + 5]! << 16) | (b[bp + 6]! << 8) | b[bp + 7]!) >>> 0;
  let ack = ((b[bp + 8]! << 24) | (b[bp + 9]! << 16) | (b[bp + 10]! << 8) | b[bp + 11]!) >>> 0;
  const win = (b[bp + 14]! << 8) | b[bp + 15]!;
  const urp = (b[bp + 18]! << 8) | b[bp + 19]!;
  const flags = b[bp + 13]!;
  ctx.w(FLAG_TEXT[flags]!);

  let thseq = 0;
  let thack = 0;
  if (entry) {
    if (!found || flags & 0x02) {
      if (rev) {
        entry.ack = seq;
        entry.seq = (ack - 1) >>> 0;
      } else {
        entry.seq = seq;
        entry.ack = (ack - 1) >>> 0;
      }
    } else if (rev) {
      seq = (seq - entry.ack) >>> 0;
      ack = (ack - entry.seq) >>> 0;
    } else {
      seq = (seq - entry.seq) >>> 0;
      ack = (ack - entry.ack) >>> 0;
    }
    thseq = entry.seq;
    thack = entry.ack;
  }
  if (hlen > length) {
    ctx.w(` [bad hdr length ${hlen} - too long, > ${length}]`);
    return;
  }
  length -= hlen;
  if (length > 0 || flags & 0x07) {
    ctx.w(', seq ');
    ctx.n(seq);
    if (length > 0) {
      ctx.c(58);
      ctx.n((seq + length) >>> 0);
    }
  }
  if (flags & 0x10) {
    ctx.w(', ack ');
    ctx.n(ack);
  }
  ctx.w(', win ');
  ctx.n(win);
  if (flags & 0x20) {
    ctx.w(', urg ');
    ctx.n(urp);
  }

  if (
    hlen === 32 &&
    ctx.has(bp + 20, 12) &&
    b[bp + 20] === 1 &&
    b[bp + 21] === 1 &&
    b[bp + 22] === 8 &&
    b[bp + 23] === 10
  ) {
    // The option list of nearly every segment after the handshake: nop,nop,TS (the loop below prints
    // exactly this; writing it in one go is faster).
    ctx.w(', options [nop,nop,TS val ');
    ctx.n(((b[bp + 24]! << 24) | (b[bp + 25]! << 16) | (b[bp + 26]! << 8) | b[bp + 27]!) >>> 0);
    ctx.w(' ecr ');
    ctx.n(((b[bp + 28]! << 24) | (b[bp + 29]! << 16) | (b[bp + 30]! << 8) | b[bp + 31]!) >>> 0);
    ctx.c(93);
  } else if (hlen > 20) {
    let ch = '';
    let left = hlen - 20;
    let cp = bp + 20;
    ctx.w(', options [');
    try {
      while (left > 0) {
        if (ch) ctx.c(44);
        const opt = ctx.u8(cp);
        cp++;
        let len: number;
        if (opt === 0 || opt === 1) len = 1;
        else {
          len = ctx.u8(cp);
          cp++;
          if (len < 2 || len > left) throw BAD_OPT;
          --left;
        }
        --left;
        let datalen = 0;
        const name = OPTION_NAMES[opt];
        if (name !== undefined) ctx.w(name);
        else {
          ctx.w('unknown-');
          ctx.n(opt);
        }
        switch (opt) {
          case 2:
            datalen = 2;
            lencheck(ctx, cp, left, 2);
            ctx.c(32);
            ctx.n(ctx.u16(cp));
            break;
          case 3:
            datalen = 1;
            lencheck(ctx, cp, left, 1);
            ctx.c(32);
            ctx.n(ctx.u8(cp));
            break;
          case 5:
            datalen = len - 2;
            if (datalen % 8 !== 0) ctx.w(' invalid sack');
            else {
              ctx.w(` ${datalen / 8} `);
              for (let k = 0; k < datalen; k += 8) {
                lencheck(ctx, cp, left, k + 4);
                let s = ctx.u32(cp + k);
                lencheck(ctx, cp, left, k + 8);
                let e = ctx.u32(cp + k + 4);
                if (rev) {
                  s = (s - thseq) >>> 0;
                  e = (e - thseq) >>> 0;
                } else {
                  s = (s - thack) >>> 0;
                  e = (e - thack) >>> 0;
                }
                ctx.c(123);
                ctx.n(s);
                ctx.c(58);
                ctx.n(e);
                ctx.c(125);
              }
            }
            break;
          case 11:
          case 12:
          case 13:
          case 6:
          case 7:
            datalen = 4;
            lencheck(ctx, cp, left, 4);
            ctx.w(` ${ctx.u32(cp)}`);
            break;
          case 8:
            datalen = 8;
            lencheck(ctx, cp, left, 8);
            ctx.w(' val ');
            ctx.n(ctx.u32(cp));
            ctx.w(' ecr ');
            ctx.n(ctx.u32(cp + 4));
            break;
          case 19: {
            datalen = 16;
            lencheck(ctx, cp, left, 16);
            // Built with libcrypto and no -M secret: "can't check" (after the snap length's verdict).
            let s =
              bp + hlen + length > ctx.end
                ? " snaplen too short, can't check - "
                : " shared secret not supplied with -M, can't check - ";
            for (let k = 0; k < 16; k++) s += hex2(ctx.u8(cp + k));
            ctx.w(s);
            break;
          }
          case 20:
            datalen = 2;
            lencheck(ctx, cp, left, 2);
            ctx.w(` cap ${hex2(ctx.u8(cp))} id ${ctx.u8(cp + 1)}`);
            break;
          case 29:
            datalen = len - 2;
            if (datalen < 2) ctx.w(' (invalid)');
            else {
              lencheck(ctx, cp, left, 1);
              ctx.w(` keyid ${ctx.u8(cp)}`);
              lencheck(ctx, cp, left, 2);
              ctx.w(` rnextkeyid ${ctx.u8(cp + 1)}`);
              if (datalen > 2) {
                ctx.w(' mac 0x');
                for (let k = 2; k < datalen; k++) {
                  lencheck(ctx, cp, left, k + 1);
                  ctx.w(hex2(ctx.u8(cp + k)));
                }
              }
            }
            break;
          case 0:
          case 1:
          case 4:
            break;
          case 28: {
            datalen = 2;
            lencheck(ctx, cp, left, 2);
            let uto = ctx.u16(cp);
            ctx.w(` 0x${uto.toString(16)}`);
            if (uto & 1) uto = (uto >> 1) * 60;
            else uto >>= 1;
            ctx.w(` ${uto}`);
            break;
          }
          case 30: {
            datalen = len - 2;
            lencheck(ctx, cp, left, datalen);
            const saved = ctx.end;
            ctx.end = Math.min(cp - 2 + len, ctx.end);
            let ok: boolean;
            try {
              ok = mptcpPrint(ctx, cp - 2, len, flags);
            } finally {
              ctx.end = saved;
            }
            if (!ok) throw BAD_OPT;
            break;
          }
          case 34:
            datalen = len - 2;
            lencheck(ctx, cp, left, datalen);
            ctx.w(' ');
            fastOpen(ctx, cp, datalen, false);
            break;
          case 254: {
            datalen = len - 2;
            lencheck(ctx, cp, left, datalen);
            if (datalen < 2) throw BAD_OPT;
            const magic = ctx.u16(cp);
            ctx.w('-');
            if (magic === 0xf989) fastOpen(ctx, cp + 2, datalen - 2, true);
            else ctx.w(hex2(magic >> 8) + hex2(magic & 0xff));
            break;
          }
          default:
            datalen = len - 2;
            if (datalen) ctx.w(' 0x');
            for (let k = 0; k < datalen; k++) {
              lencheck(ctx, cp, left, k + 1);
              ctx.w(hex2(ctx.u8(cp + k)));
            }
        }
        cp += datalen;
        left -= datalen;
        datalen++;
        if (opt !== 0 && opt !== 1) datalen++;
        if (datalen !== len) ctx.w(`[len ${len}]`);
        ch = ',';
        if (opt === 0) break;
      }
    } catch (e) {
      if (e === BAD_OPT) {
        ctx.w('[bad opt]');
        if (ch) ctx.w(']');
        return;
      }
      if (e === TCP_TRUNC) {
        ctx.trunc();
        if (ch) ctx.w('>');
        return;
      }
      throw e;
    }
    ctx.w(']');
  }
  ctx.w(', length ');
  ctx.n(length);
  if (length === 0) return;
  const headerLen = (b[bp + 12]! >> 4) * 4;
  if (!ctx.has(bp, headerLen)) {
    ctx.w(` [remaining caplen(${ctx.avail(bp)}) < header length(${headerLen})]`);
    throw TRUNCATED;
  }
  hlen = headerLen;
  tcpPayload(ctx, bp + hlen, length, sport, dport, iph);
}

/** The sentinel of `goto trunc` (ND_TCHECK in the option loop), which prints `[|tcp]` and sometimes `>`. */
const TCP_TRUNC = { tcpTrunc: true } as const;
