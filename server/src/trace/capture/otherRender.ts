/**
 * One-line summaries of what is not TCP, in tcpdump's words where it is cheap to be exact: UDP
 * (`UDP, length N`, DNS, and the tunnels whose inner TCP must print like tcpdump: Geneve and VXLAN),
 * ICMP and ICMPv6 messages, ARP, GRE and 802.2 LLC. Anything else gets tcpdump's generic form.
 */
import { hex2, hex8, hexAndAscii, tok, type Ctx } from './context';
import { domainPrint } from './dns';
import { ip6Addr } from './ipv6';
import { ipAddr } from './ipv4';
import { ldpPrint } from './payload';
import { ETHERTYPE_NAMES, etherPrint, ethertypePrint, linkAddr, pppPrint } from './linkLayers';

/** udpipaddr_print. */
function udpAddrs(ctx: Ctx, iph: number, sport: number, dport: number): void {
  const ip6 = ctx.b[iph]! >> 4 === 6;
  if (ip6) {
    if (ctx.u8(iph + 6) === 17) {
      ctx.w(
        sport < 0
          ? `${ip6Addr(ctx, iph + 8)} > ${ip6Addr(ctx, iph + 24)}: `
          : `${ip6Addr(ctx, iph + 8)}.${sport} > ${ip6Addr(ctx, iph + 24)}.${dport}: `,
      );
    } else if (sport >= 0) ctx.w(`${sport} > ${dport}: `);
  } else if (ctx.u8(iph + 9) === 17) {
    ctx.w(
      sport < 0
        ? `${ipAddr(ctx, iph + 12)} > ${ipAddr(ctx, iph + 16)}: `
        : `${ipAddr(ctx, iph + 12)}.${sport} > ${ipAddr(ctx, iph + 16)}.${dport}: `,
    );
  } else if (sport >= 0) ctx.w(`${sport} > ${dport}: `);
}

/** udp_print without -v, for the ports printed here. */
export function udpPrint(ctx: Ctx, bp: number, length: number, iph: number, fragmented: boolean): void {
  ctx.proto = 'udp';
  if (!ctx.has(bp + 2, 2)) {
    udpAddrs(ctx, iph, -1, -1);
    ctx.trunc();
    return;
  }
  const sport = ctx.u16(bp);
  const dport = ctx.u16(bp + 2);
  if (length < 8) {
    udpAddrs(ctx, iph, sport, dport);
    ctx.w(`truncated-udp ${length}`);
    return;
  }
  if (!ctx.has(bp + 4, 2)) {
    udpAddrs(ctx, iph, sport, dport);
    ctx.trunc();
    return;
  }
  let ulen = ctx.u16(bp + 4);
  if (ulen === 0 && length > 65535) ulen = length;
  if (ulen < 8) {
    udpAddrs(ctx, iph, sport, dport);
    ctx.w(`truncated-udplength ${ulen}`);
    return;
  }
  ulen -= 8;
  length -= 8;
  if (ulen < length) length = ulen;
  const cp = bp + 8;
  if (cp > ctx.end) {
    udpAddrs(ctx, iph, sport, dport);
    ctx.trunc();
    return;
  }
  udpAddrs(ctx, iph, sport, dport);
  const port = (p: number) => sport === p || dport === p;
  if (port(53)) domainPrint(ctx, cp, length, false);
  else if (port(6081)) genevePrint(ctx, cp, length);
  else if (port(646)) ldpPrint(ctx, cp, length);
  else if (port(4789)) vxlanPrint(ctx, cp, length);
  else if (ulen > length && !fragmented) ctx.w(`UDP, bad length ${ulen} > ${length}`);
  else ctx.w(`UDP, length ${ulen}`);
}

/** geneve_print without -v. */
function genevePrint(ctx: Ctx, bp: number, len: number): void {
  ctx.proto = 'geneve';
  ctx.w('Geneve');
  if (len < 8) {
    ctx.w(` [length ${len} < 8] (invalid)`);
    return;
  }
  ctx.check(bp, 8);
  const verOpt = ctx.u8(bp);
  const version = verOpt >> 6;
  if (version !== 0) {
    ctx.w(` ERROR: unknown-version ${version}`);
    return;
  }
  const flags = ctx.u8(bp + 1);
  const prot = ctx.u16(bp + 2);
  const vni = ctx.u24(bp + 4);
  const reserved = ctx.u8(bp + 7);
  bp += 8;
  len -= 8;
  ctx.w(`, Flags [${(flags & 0x80 ? 'O' : '') + (flags & 0x40 ? 'C' : '') || 'none'}]`);
  ctx.w(`, vni 0x${vni.toString(16)}`);
  if (reserved) ctx.w(`, rsvd 0x${reserved.toString(16)}`);
  const optsLen = (verOpt & 0x3f) * 4;
  if (len < optsLen) {
    ctx.w(` truncated-geneve - ${optsLen - len} bytes missing`);
    return;
  }
  ctx.check(bp, optsLen);
  if (optsLen > 0) ctx.w(`, options [${optsLen} bytes]`);
  bp += optsLen;
  len -= optsLen;
  ctx.w(': ');
  if (!ethertypePrint(ctx, prot, bp, len, ctx.avail(bp))) {
    if (prot === 0x6558) etherPrint(ctx, bp, len, ctx.avail(bp));
    else ctx.w(`geneve-proto-0x${prot.toString(16)}`);
  }
}

/** vxlan_print. */
function vxlanPrint(ctx: Ctx, bp: number, len: number): void {
  ctx.proto = 'vxlan';
  ctx.w('VXLAN');
  if (len < 8) {
    ctx.w(' (invalid)');
    return;
  }
  const flags = ctx.u8(bp);
  ctx.w(`, flags [${flags & 0x08 ? 'I' : 'invalid'}] (0x${hex2(flags)}), `);
  const vni = ctx.u24(bp + 4);
  ctx.w(`vni ${vni}\n`);
  ctx.u8(bp + 7);
  etherPrint(ctx, bp + 8, len - 8, ctx.avail(bp + 8));
}

const ICMP_NAMES: Record<number, string> = {
  0: 'echo reply',
  4: 'source quench',
  8: 'echo request',
  10: 'router solicitation',
  13: 'time stamp request',
  14: 'time stamp reply',
  15: 'information request',
  16: 'information reply',
  17: 'address mask request',
};

/** icmp_print without -v. */
export function icmpPrint(ctx: Ctx, bp: number, plen: number): void {
  ctx.proto = 'icmp';
  const type = ctx.u8(bp);
  const code = ctx.u8(bp + 1);
  const dst = () => ipAddr(ctx, bp + 24);
  let s: string;
  switch (type) {
    case 0:
    case 8:
      s = `echo ${type === 8 ? 'request' : 'reply'}, id ${ctx.u16(bp + 4)}, seq ${ctx.u16(bp + 6)}`;
      break;
    case 3:
      switch (code) {
        case 0:
          s = `net ${dst()} unreachable`;
          break;
        case 1:
          s = `host ${dst()} unreachable`;
          break;
        case 2:
          s = `${dst()} protocol ${ctx.u8(bp + 17)} unreachable`;
          break;
        case 3: {
          ctx.u8(bp + 17);
          const hlen = (ctx.u8(bp + 8) & 0x0f) * 4;
          const dport = ctx.u16(bp + 8 + hlen + 2);
          const proto = ctx.u8(bp + 17);
          s =
            proto === 6
              ? `${dst()} tcp port ${dport} unreachable`
              : proto === 17
                ? `${dst()} udp port ${dport} unreachable`
                : `${dst()} protocol ${proto} port ${dport} unreachable`;
          break;
        }
        case 4: {
          const mtu = ctx.u16(bp + 6);
          s = mtu
            ? `${dst()} unreachable - need to frag (mtu ${mtu})`
            : `${dst()} unreachable - need to frag`;
          break;
        }
        case 5:
          s = `${dst()} unreachable - source route failed`;
          break;
        case 6:
          s = `net ${dst()} unreachable - unknown`;
          break;
        case 7:
          s = `host ${dst()} unreachable - unknown`;
          break;
        case 8:
          s = `${dst()} unreachable - source host isolated`;
          break;
        case 9:
          s = `net ${dst()} unreachable - admin prohibited`;
          break;
        case 10:
          s = `host ${dst()} unreachable - admin prohibited`;
          break;
        case 11:
          s = `net ${dst()} unreachable - tos prohibited`;
          break;
        case 12:
          s = `host ${dst()} unreachable - tos prohibited`;
          break;
        case 13:
          s = `host ${dst()} unreachable - admin prohibited filter`;
          break;
        case 14:
          s = `host ${dst()} unreachable - host precedence violation`;
          break;
        case 15:
          s = `host ${dst()} unreachable - precedence cutoff`;
          break;
        default:
          s = `${dst()} unreachable - #${code}`;
      }
      break;
    case 5: {
      const kinds = ['redirect %s to net %s', 'redirect %s to host %s', 'redirect-tos %s to net %s'];
      const fmt = kinds[code] ?? (code === 3 ? 'redirect-tos %s to host %s' : `redirect-#${code} %s to %s`);
      s = fmt.replace('%s', dst()).replace('%s', ipAddr(ctx, bp + 4));
      break;
    }
    case 11:
      ctx.check(bp + 24, 4);
      s =
        code === 0
          ? 'time exceeded in-transit'
          : code === 1
            ? 'ip reassembly time exceeded'
            : `time exceeded-#${code}`;
      break;
    case 12:
      s = code ? `parameter problem - code ${code}` : `parameter problem - octet ${ctx.u8(bp + 4)}`;
      break;
    case 18:
      s = `address mask is 0x${hex8(ctx.u32(bp + 8))}`;
      break;
    case 13:
      s = `time stamp query id ${ctx.u16(bp + 4)} seq ${ctx.u16(bp + 6)}`;
      break;
    default:
      s = tok(ICMP_NAMES, 'type-#%u', type);
  }
  ctx.w(`ICMP ${s}, length ${plen}`);
}

const ICMP6_NAMES: Record<number, string> = {
  1: 'destination unreachable',
  2: 'packet too big',
  3: 'time exceeded in-transit',
  4: 'parameter problem',
  128: 'echo request',
  129: 'echo reply',
  130: 'multicast listener query',
  131: 'multicast listener report',
  132: 'multicast listener done',
  133: 'router solicitation',
  134: 'router advertisement',
  135: 'neighbor solicitation',
  136: 'neighbor advertisement',
  137: 'redirect',
  143: 'multicast listener report v2',
};

/** A summary of an ICMPv6 message in icmp6_print's words. */
export function icmp6Print(ctx: Ctx, bp: number, length: number): void {
  ctx.proto = 'icmp6';
  const type = ctx.u8(bp);
  ctx.w(`ICMP6, ${tok(ICMP6_NAMES, 'type-#%u', type)}`);
  if (type === 128 || type === 129) ctx.w(`, id ${ctx.u16(bp + 4)}, seq ${ctx.u16(bp + 6)}`);
  else if (type === 135) ctx.w(`, who has ${ip6Addr(ctx, bp + 8)}`);
  else if (type === 136) ctx.w(`, tgt is ${ip6Addr(ctx, bp + 8)}`);
  ctx.w(`, length ${length}`);
}

/** arp_print without -v. */
export function arpPrint(ctx: Ctx, bp: number, length: number, caplen: number): void {
  ctx.proto = 'arp';
  ctx.check(bp, 8);
  const hrd = ctx.u16(bp);
  const pro = ctx.u16(bp + 2);
  const hln = ctx.u8(bp + 4);
  const pln = ctx.u8(bp + 5);
  const op = ctx.u16(bp + 6);
  const sha = bp + 8;
  const spa = sha + hln;
  const tha = spa + pln;
  const tpa = tha + hln;
  ctx.check(tpa, pln);
  ctx.w('ARP, ');
  if ((pro !== 0x0800 && pro !== 0x1000) || pln !== 4 || hln === 0) {
    const hw: Record<number, string> = {
      1: 'Ethernet',
      6: 'Token Ring',
      7: 'ArcNet',
      15: 'Frame Relay',
      32: 'Infiniband',
    };
    ctx.w(
      `${tok(hw, 'Unknown Hardware (%u)', hrd)} (len ${hln}), ${tok(ETHERTYPE_NAMES, 'Unknown Protocol (0x%04x)', pro)} (len ${pln}), length ${length}`,
    );
    return;
  }
  const ipOf = (i: number) => ipAddr(ctx, i);
  const ops: Record<number, string> = {
    1: 'Request',
    2: 'Reply',
    3: 'Reverse Request',
    4: 'Reverse Reply',
    8: 'Inverse Request',
    9: 'Inverse Reply',
    10: 'NACK Reply',
  };
  ctx.w(`${tok(ops, 'Unknown (%u)', op)} `);
  switch (op) {
    case 1: {
      ctx.w(`who-has ${ipOf(tpa)}`);
      let nonzero = false;
      for (let k = 0; k < hln; k++) if (ctx.u8(tha + k) !== 0) nonzero = true;
      if (nonzero) ctx.w(` (${linkAddr(ctx, tha, hln)})`);
      ctx.w(` tell ${ipOf(spa)}`);
      break;
    }
    case 2:
      ctx.w(`${ipOf(spa)} is-at ${linkAddr(ctx, sha, hln)}`);
      break;
    case 3:
    case 8:
      ctx.w(`who-is ${linkAddr(ctx, tha, hln)} tell ${linkAddr(ctx, sha, hln)}`);
      break;
    case 4:
      ctx.w(`${linkAddr(ctx, tha, hln)} at ${ipOf(tpa)}`);
      break;
    case 9:
      ctx.w(`${linkAddr(ctx, sha, hln)} at ${ipOf(spa)}`);
      break;
    default:
      hexAndAscii(ctx, bp, caplen);
      return;
  }
  ctx.w(`, length ${length}`);
}

/** gre_print without -v: versions 0 (with the encapsulated packet) and 1 (PPTP's, with PPP). */
export function grePrint(ctx: Ctx, bp: number, length: number): void {
  ctx.proto = 'gre';
  ctx.check(bp, 2);
  if (length < 2) {
    ctx.trunc();
    return;
  }
  const flags = ctx.u16(bp);
  const vers = flags & 7;
  ctx.w(`GREv${vers}`);
  let len = length - 2;
  bp += 2;
  const need = (n: number): boolean => {
    ctx.check(bp, Math.min(n, 4));
    if (len < n) {
      ctx.trunc();
      return false;
    }
    return true;
  };
  if (vers > 1) {
    ctx.w(' ERROR: unknown-version');
    return;
  }
  if (!need(2)) return;
  const prot = ctx.u16(bp);
  len -= 2;
  bp += 2;
  if (vers === 0) {
    if (flags & 0xc000) {
      if (!need(2)) return;
      bp += 2;
      len -= 2;
      if (!need(2)) return;
      ctx.w(`, off 0x${ctx.u16(bp).toString(16)}`);
      bp += 2;
      len -= 2;
    }
    if (flags & 0x2000) {
      if (!need(4)) return;
      ctx.w(`, key=0x${ctx.u32(bp).toString(16)}`);
      bp += 4;
      len -= 4;
    }
    if (flags & 0x1000) {
      if (!need(4)) return;
      ctx.w(`, seq ${ctx.u32(bp)}`);
      bp += 4;
      len -= 4;
    }
    if (flags & 0x4000) {
      // Source routing entries: walked to their end, not printed.
      for (;;) {
        if (!need(4)) return;
        const af = ctx.u16(bp);
        const srelen = ctx.u8(bp + 3);
        bp += 4;
        len -= 4;
        if (af === 0 && srelen === 0) break;
        if (len < srelen) {
          ctx.trunc();
          return;
        }
        bp += srelen;
        len -= srelen;
      }
    }
    ctx.w(`, length ${length}: `);
    switch (prot) {
      case 0x0800:
      case 0x86dd:
      case 0x8847:
        ethertypePrint(ctx, prot, bp, len, ctx.avail(bp));
        return;
      case 0x6558:
        etherPrint(ctx, bp, len, ctx.avail(bp));
        return;
      default:
        ctx.w(`gre-proto-0x${prot.toString(16)}`);
    }
    return;
  }
  if (flags & 0x2000) {
    if (!need(4)) return;
    ctx.w(`, call ${ctx.u32(bp) & 0xffff}`);
    len -= 4;
    bp += 4;
  }
  if (flags & 0x1000) {
    if (!need(4)) return;
    ctx.w(`, seq ${ctx.u32(bp)}`);
    bp += 4;
    len -= 4;
  }
  if (flags & 0x0080) {
    if (!need(4)) return;
    ctx.w(`, ack ${ctx.u32(bp)}`);
    bp += 4;
    len -= 4;
  }
  if ((flags & 0x1000) === 0) ctx.w(', no-payload');
  ctx.w(`, length ${length}`);
  if ((flags & 0x1000) === 0) return;
  ctx.w(': ');
  if (prot === 0x880b) pppPrint(ctx, bp, len);
  else ctx.w(`gre-proto-0x${prot.toString(16)}`);
}

/**
 * llc_print: 802.2 LLC after an 802.3 length field. SNAP with an Ethernet type goes to that type's
 * printer; other SAPs get a short summary. Returns false when tcpdump would dump the raw bytes.
 */
export function llcPrint(
  ctx: Ctx,
  bp: number,
  length: number,
  caplen: number,
  src: number,
  dst: number,
): boolean {
  ctx.proto = 'llc';
  if (caplen < 3 || length < 3) {
    ctx.trunc();
    return true;
  }
  const dsap = ctx.u8(bp);
  const ssap = ctx.u8(bp + 1);
  const control = ctx.u8(bp + 2);
  if (dsap === 0xaa && ssap === 0xaa && control === 0x03) {
    if (caplen < 8) {
      ctx.trunc();
      return true;
    }
    const oui = ctx.u24(bp + 3);
    const type = ctx.u16(bp + 6);
    if (oui === 0 && ethertypePrint(ctx, type, bp + 8, length - 8, caplen - 8)) return true;
    return false;
  }
  const sapName = (s: number, what: string) => `Unknown ${what} 0x${hex2(s)}`;
  const addr = (i: number) => (i >= 0 ? linkAddr(ctx, i, 6) : '');
  ctx.w(
    `${src >= 0 ? `${addr(src)} ` : ''}${sapName(ssap & 0xfe, 'SSAP')} > ${dst >= 0 ? `${addr(dst)} ` : ''}${sapName(dsap & 0xfe, 'DSAP')} `,
  );
  if ((control & 1) === 0) {
    const control2 = ctx.u16(bp + 2);
    ctx.w(
      `Information, send seq ${(control2 >> 9) & 0x7f}, rcv seq ${(control2 >> 1) & 0x7f}, Flags [${ssap & 1 ? 'Response' : 'Command'}], length ${length}`,
    );
    hexAndAscii(ctx, bp, caplen);
    return true;
  }
  ctx.w(`Unnumbered, ${hex2(control)}, Flags [${ssap & 1 ? 'Response' : 'Command'}], length ${length}`);
  hexAndAscii(ctx, bp, caplen);
  return true;
}
