/**
 * IPv4 (tcpdump's ip_print, without -v): the `IP ` token, truncation notes, fragments (a non-first
 * fragment prints `ip-proto-N` instead of its transport header), and the hand-over to the transport
 * printers by protocol number (ip_demux_print). Also the IPv4/IPv6 switch of raw-IP link types.
 */
import { TRUNCATED, type Ctx } from './context';
import { ip6Print } from './ipv6';
import { grePrint, icmp6Print, icmpPrint, udpPrint } from './otherRender';
import { tcpPrint } from './tcpRender';

const ipStrings = new Map<number, string>();

/** ipaddr_string with -n (dotted quad), cached: the same few addresses repeat on every line. */
export function ipAddr(ctx: Ctx, i: number): string {
  const v = ctx.u32(i);
  let s = ipStrings.get(v);
  if (s === undefined) {
    s = `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
    if (ipStrings.size > 65536) ipStrings.clear();
    ipStrings.set(v, s);
  }
  return s;
}

/** ipN_print: a raw IP packet of either version. */
export function ipNPrint(ctx: Ctx, i: number, length: number): void {
  ctx.proto = 'ipn';
  if (length < 1) {
    ctx.w(`truncated-ip ${length}`);
    return;
  }
  const v = ctx.u8(i) & 0xf0;
  if (v === 0x40) ipPrint(ctx, i, length);
  else if (v === 0x60) ip6Print(ctx, i, length);
  else ctx.w(`unknown ip ${v >> 4}`);
}

/** ip_print: `length` is what the link layer carried, the IP header says how much is the datagram. */
export function ipPrint(ctx: Ctx, i: number, length: number): void {
  ctx.proto = 'ip';
  const v = ctx.u8(i) >> 4;
  if (v !== 4) {
    ctx.w(v === 6 ? 'IP6, wrong link-layer encapsulation (invalid)' : `IP${v} (invalid)`);
    return;
  }
  ctx.w('IP ');
  if (!ctx.has(i, 20)) {
    ctx.trunc();
    return;
  }
  if (length < 20) {
    ctx.w(`truncated-ip ${length}`);
    return;
  }
  const hlen = (ctx.b[i]! & 0x0f) * 4;
  if (hlen < 20) {
    ctx.w(`bad-hlen ${hlen}`);
    return;
  }
  let len = ctx.u16(i + 2);
  if (length < len) ctx.w(`truncated-ip - ${len - length} bytes missing! `);
  if (len < hlen) {
    ctx.w(`bad-len ${len}`);
    return;
  }
  ctx.push(i, len);
  len -= hlen;
  const off = ctx.u16(i + 6);
  const proto = ctx.u8(i + 9);
  if ((off & 0x1fff) === 0) {
    if (proto !== 6 && proto !== 17 && proto !== 132 && proto !== 33)
      ctx.w(`${ipAddr(ctx, i + 12)} > ${ipAddr(ctx, i + 16)}: `);
    if (!ctx.has(i, hlen)) {
      ctx.w(` [remaining caplen(${ctx.avail(i)}) < header length(${hlen})]`);
      throw TRUNCATED;
    }
    ipDemux(ctx, i + hlen, len, 4, (off & 0x2000) !== 0, proto, i);
  } else {
    ctx.w(`${ipAddr(ctx, i + 12)} > ${ipAddr(ctx, i + 16)}: ip-proto-${proto}`);
  }
  ctx.pop();
}

/** ip_demux_print: the transport printer for protocol `nh`; `iph` is where the IP header starts. */
export function ipDemux(
  ctx: Ctx,
  i: number,
  length: number,
  ver: 4 | 6,
  fragmented: boolean,
  nh: number,
  iph: number,
): void {
  switch (nh) {
    case 6:
      tcpPrint(ctx, i, length, iph, fragmented);
      return;
    case 17:
      udpPrint(ctx, i, length, iph, fragmented);
      return;
    case 1:
      if (ver === 4) icmpPrint(ctx, i, length);
      else ctx.w('[ICMP requires IPv4] (invalid)');
      return;
    case 58:
      if (ver === 6) icmp6Print(ctx, i, length);
      else ctx.w('[ICMPv6 requires IPv6] (invalid)');
      return;
    case 4:
      ipPrint(ctx, i, length);
      return;
    case 41:
      ip6Print(ctx, i, length);
      return;
    case 47:
      grePrint(ctx, i, length);
      return;
    case 59:
      ctx.w('no next header');
      return;
    case 77:
      ctx.w(` nd ${length}`);
      return;
    default:
      ctx.w(` ip-proto-${nh} ${length}`);
  }
}
