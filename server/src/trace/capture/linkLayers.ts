/**
 * Link-layer printers, as tcpdump 4.99 runs them without -e: Ethernet (802.1Q/QinQ tags skipped, 802.3
 * lengths with LLC/SNAP), Linux cooked v1 and v2 (SLL2 prints the interface and direction), BSD
 * loopback/null, raw IP, ARCNET and IP over InfiniBand. Each hands the network layer to
 * `ethertypePrint` or the IP printers.
 */
import { TRUNCATED, hex2, hexAndAscii, tok, type Ctx } from './context';
import { ip6Print } from './ipv6';
import { ipNPrint, ipPrint } from './ipv4';
import { arpPrint, llcPrint } from './otherRender';

/** LINKTYPE_* values this renderer prints. */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  ARCNET_BSD: 7,
  RAW: 101,
  RAW_12: 12,
  RAW_14: 14,
  LOOP: 108,
  LINUX_SLL: 113,
  ARCNET_LINUX: 129,
  IPOIB: 242,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
  PPP: 9,
  C_HDLC: 104,
} as const;

export const ETHERTYPE_NAMES: Record<number, string> = {
  0x0800: 'IPv4',
  0x8847: 'MPLS unicast',
  0x8848: 'MPLS multicast',
  0x86dd: 'IPv6',
  0x8100: '802.1Q',
  0x9100: '802.1Q-9100',
  0x88a8: '802.1Q-QinQ',
  0x9200: '802.1Q-9200',
  0x88e5: '802.1AE MACsec',
  0x0200: 'PUP',
  0x0806: 'ARP',
  0x8035: 'Reverse ARP',
  0x0600: 'NS',
  0x0500: 'Sprite',
  0x1000: 'Trail',
  0x6001: 'MOP DL',
  0x6002: 'MOP RC',
  0x6003: 'DN',
  0x6004: 'LAT',
  0x6007: 'SCA',
  0x6558: 'TEB',
  0x8038: 'Lanbridge',
  0x803c: 'DEC DNS',
  0x803e: 'DEC DTS',
  0x805b: 'VEXP',
  0x805c: 'VPROD',
  0x809b: 'Appletalk',
  0x80f3: 'Appletalk ARP',
  0x8137: 'IPX',
  0x880b: 'PPP',
  0x8808: 'MPCP',
  0x8809: 'Slow Protocols',
  0x8863: 'PPPoE D',
  0x8864: 'PPPoE S',
  0x888e: 'EAPOL',
  0x8899: 'Realtek protocols',
  0x886f: 'MS NLB heartbeat',
  0x8870: 'Jumbo',
  0x894f: 'NSH',
  0x9000: 'Loopback',
  0xfefe: 'OSI',
  0x00fe: 'GRE-OSI',
  0xabcd: 'CFM (old)',
  0x8902: 'CFM',
  0x893a: 'IEEE1905.1',
  0x88cc: 'LLDP',
  0x88ca: 'TIPC',
  0x0707: 'GeoNet (old)',
  0x8947: 'GeoNet',
  0x1111: 'CALM FAST',
  0x88a2: 'AoE',
  0x88f7: 'PTP',
  0xd28b: 'Arista Vendor Specific Protocol',
};

const MAX_ETHERNET_LENGTH_VAL = 1500;

/** etheraddr_string with -n: six lower-case hex bytes. */
export function etherAddr(ctx: Ctx, i: number): string {
  ctx.check(i, 6);
  const b = ctx.b;
  return `${hex2(b[i]!)}:${hex2(b[i + 1]!)}:${hex2(b[i + 2]!)}:${hex2(b[i + 3]!)}:${hex2(b[i + 4]!)}:${hex2(b[i + 5]!)}`;
}

/** linkaddr_string: Ethernet addresses as such, anything else as colon-separated hex bytes. */
export function linkAddr(ctx: Ctx, i: number, len: number): string {
  if (len === 0) return '<empty>';
  if (len === 6) return etherAddr(ctx, i);
  ctx.check(i, len);
  let s = hex2(ctx.b[i]!);
  for (let k = 1; k < len; k++) s += `:${hex2(ctx.b[i + k]!)}`;
  return s;
}

/**
 * ethertype_print: the network layer named by an Ethernet type. Returns false for a type it does not
 * know (the caller then prints the link header and a hex dump, as tcpdump does).
 */
export function ethertypePrint(ctx: Ctx, type: number, i: number, length: number, caplen: number): boolean {
  switch (type) {
    case 0x0800:
      ipPrint(ctx, i, length);
      return true;
    case 0x86dd:
      ip6Print(ctx, i, length);
      return true;
    case 0x0806:
    case 0x8035:
      arpPrint(ctx, i, length, caplen);
      return true;
    case 0x8847:
    case 0x8848:
      mplsPrint(ctx, i, length);
      return true;
    default:
      return false;
  }
}

/** mpls_print without -v: the label stack, then IPv4 or IPv6 guessed from the first payload byte. */
export function mplsPrint(ctx: Ctx, p: number, length: number): void {
  ctx.proto = 'mpls';
  ctx.w('MPLS');
  let entry: number;
  do {
    if (length < 4) {
      ctx.w(' (invalid)');
      ctx.check(p, length);
      return;
    }
    entry = ctx.u32(p);
    ctx.w(
      ` (label ${entry >>> 12}, tc ${(entry >>> 9) & 7}${entry & 0x100 ? ', [S]' : ''}, ttl ${entry & 0xff})`,
    );
    p += 4;
    length -= 4;
  } while (!(entry & 0x100));
  const label = entry >>> 12;
  let pt: 4 | 6 | 0 = 0;
  if (label === 0 || label === 3) pt = 4;
  else if (label === 2) pt = 6;
  else {
    if (length < 1) return;
    const first = ctx.u8(p);
    pt = first >= 0x45 && first <= 0x4f ? 4 : first >= 0x60 && first <= 0x6f ? 6 : 0;
  }
  if (pt === 4) {
    ctx.w(' ');
    ipPrint(ctx, p, length);
  } else if (pt === 6) {
    ctx.w(' ');
    ip6Print(ctx, p, length);
  } else hexAndAscii(ctx, p, length);
}

const PPP_CTRL: Record<number, string> = {
  0x8021: 'IPCP',
  0x8023: 'OSICP',
  0x8057: 'IP6CP',
  0x8281: 'MPLSCP',
  0x80fd: 'CCP',
  0xc021: 'LCP',
  0xc02b: 'BACP',
};
const CP_CODES: Record<number, string> = {
  0: 'Vendor-Extension',
  1: 'Conf-Request',
  2: 'Conf-Ack',
  3: 'Conf-Nack',
  4: 'Conf-Reject',
  5: 'Term-Request',
  6: 'Term-Ack',
  7: 'Code-Reject',
  8: 'Prot-Reject',
  9: 'Echo-Request',
  10: 'Echo-Reply',
  11: 'Disc-Req',
  12: 'Ident',
  13: 'Time-Rem',
  14: 'Reset-Req',
  15: 'Reset-Ack',
};

/** ppp_print: address and control (if there), the protocol, then the network layer (handle_ppp). */
export function pppPrint(ctx: Ctx, p: number, length: number): void {
  ctx.proto = 'ppp';
  if (length < 2) {
    ctx.trunc();
    return;
  }
  const hdr = ctx.u16(p);
  if (hdr === 0x0003 || hdr === 0x0103 || hdr === 0xff03) {
    p += 2;
    length -= 2;
  }
  if (length < 2) {
    ctx.trunc();
    return;
  }
  let proto: number;
  if (ctx.u8(p) % 2) {
    proto = ctx.u8(p);
    p++;
    length--;
  } else {
    proto = ctx.u16(p);
    p += 2;
    length -= 2;
  }
  const hex = `0x${hex2(proto >> 8)}${hex2(proto & 0xff)}`;
  const ctrl = PPP_CTRL[proto];
  if (ctrl) {
    ctx.w(`${ctrl}, `);
    if (length < 4) {
      ctx.trunc();
      return;
    }
    ctx.check(p, 2);
    const code = ctx.u8(p);
    ctx.w(
      `${tok(CP_CODES, 'Unknown Opcode', code)} (0x${hex2(code)}), id ${ctx.u8(p + 1)}, length ${length + 2}`,
    );
    return;
  }
  switch (proto) {
    case 0x0800:
    case 0x002f:
    case 0x0021:
      ipPrint(ctx, p, length);
      return;
    case 0x86dd:
    case 0x0057:
      ip6Print(ctx, p, length);
      return;
    case 0x0281:
    case 0x0283:
      mplsPrint(ctx, p, length);
      return;
    case 0x00fd:
      ctx.w('compressed PPP data');
      return;
    default:
      ctx.w(`unknown PPP protocol (${hex}) `);
      hexAndAscii(ctx, p, Math.min(length, ctx.avail(p)));
  }
}

/** ppp_if_print. */
function pppIfPrint(ctx: Ctx, length: number, caplen: number): void {
  ctx.proto = 'ppp';
  if (caplen < 4) {
    ctx.trunc();
    return;
  }
  pppPrint(ctx, 0, length);
}

/** chdlc_if_print. */
function chdlcPrint(ctx: Ctx, length: number): void {
  ctx.proto = 'chdlc';
  if (length < 4) {
    ctx.trunc();
    return;
  }
  const proto = ctx.u16(2);
  switch (proto) {
    case 0x0800:
      ipPrint(ctx, 4, length - 4);
      return;
    case 0x86dd:
      ip6Print(ctx, 4, length - 4);
      return;
    case 0x8847:
    case 0x8848:
      mplsPrint(ctx, 4, length - 4);
      return;
    default:
      ctx.w(`unknown CHDLC protocol (0x${hex2(proto >> 8)}${hex2(proto & 0xff)})`);
  }
}

function etherTypeText(type: number): string {
  return `ethertype ${tok(ETHERTYPE_NAMES, 'Unknown', type)} (0x${hex2(type >> 8)}${hex2(type & 0xff)})`;
}

/** ether_print / ether_common_print without -e. */
export function etherPrint(ctx: Ctx, i: number, length: number, caplen: number): void {
  if (length < caplen) {
    ctx.w(`[length ${length} < caplen ${caplen}] (invalid)`);
    return;
  }
  if (caplen < 14) {
    ctx.trunc();
    return;
  }
  const origLength = length;
  const src = i + 6;
  const dst = i;
  length -= 12;
  caplen -= 12;
  i += 12;
  let type = ctx.u16(i);
  length -= 2;
  caplen -= 2;
  i += 2;
  while (type === 0x8100 || type === 0x9100 || type === 0x9200 || type === 0x88a8) {
    if (caplen < 4 || length < 4) {
      ctx.proto = 'vlan';
      ctx.trunc();
      return;
    }
    type = ctx.u16(i + 2);
    i += 4;
    length -= 4;
    caplen -= 4;
  }
  if (type <= MAX_ETHERNET_LENGTH_VAL) {
    if (type < length) {
      length = type;
      if (caplen > length) caplen = length;
    }
    ctx.push(i, length);
    if (!llcPrint(ctx, i, length, caplen, src, dst)) hexAndAscii(ctx, i, caplen);
    ctx.pop();
    return;
  }
  if (!ethertypePrint(ctx, type, i, length, caplen)) {
    ctx.w(`${etherAddr(ctx, src)} > ${etherAddr(ctx, dst)}, ${etherTypeText(type)}, length ${origLength}: `);
    hexAndAscii(ctx, i, caplen);
  }
}

const SLL_PKTTYPE: Record<number, string> = { 0: 'In', 1: 'B', 2: 'M', 3: 'P', 4: 'Out' };

/** The SLL/SLL2 header text tcpdump prints (sll_print/sll2_print) before a hex dump of an unknown type. */
function sllHeaderText(
  ctx: Ctx,
  pkttype: string,
  halen: number,
  addr: number,
  type: number,
  length: number,
  ifindex?: number,
): string {
  let s = ifindex === undefined ? `${pkttype.padStart(3)} ` : `ifindex ${ifindex} `;
  if (halen === 6) s += `${etherAddr(ctx, addr)} `;
  if (type <= MAX_ETHERNET_LENGTH_VAL) {
    s +=
      type === 1
        ? '802.3'
        : type === 4
          ? '802.2'
          : `ethertype Unknown (0x${hex2(type >> 8)}${hex2(type & 0xff)})`;
  } else s += etherTypeText(type);
  return `${s}, length ${length}: `;
}

/** sll_if_print / sll2_if_print. */
function sllPrint(ctx: Ctx, v2: boolean, length: number, caplen: number): void {
  ctx.proto = v2 ? 'sll2' : 'sll';
  const hdr = v2 ? 20 : 16;
  ctx.check(0, hdr);
  let pkttype: string;
  let halen: number;
  let addr: number;
  let type: number;
  let hatype: number;
  let ifindex: number | undefined;
  if (v2) {
    type = ctx.u16(0);
    ifindex = ctx.u32(4);
    hatype = ctx.u16(8);
    pkttype = tok(SLL_PKTTYPE, '?', ctx.u8(10));
    halen = ctx.u8(11);
    addr = 12;
    const name = ctx.options.interfaceName?.(ifindex) ?? '?';
    ctx.w(`${name.padEnd(5)} ${pkttype.padEnd(3)} `);
  } else {
    pkttype = tok(SLL_PKTTYPE, '?', ctx.u16(0));
    hatype = ctx.u16(2);
    halen = ctx.u16(4);
    addr = 6;
    type = ctx.u16(14);
  }
  let i = hdr;
  length -= hdr;
  caplen -= hdr;
  if (hatype === 803) {
    // Radiotap: not decoded here.
    hexAndAscii(ctx, i, caplen);
    return;
  }
  for (;;) {
    if (type <= MAX_ETHERNET_LENGTH_VAL) {
      if (type === 4 && llcPrint(ctx, i, length, caplen, -1, -1)) return;
      hexAndAscii(ctx, i, caplen);
      return;
    }
    if (type === 0x8100) {
      if (caplen < 4) {
        ctx.proto = 'vlan';
        ctx.trunc();
        return;
      }
      type = ctx.u16(i + 2);
      if (type <= MAX_ETHERNET_LENGTH_VAL) type = 4;
      ctx.w(`ethertype ${tok(ETHERTYPE_NAMES, 'Unknown', type)}, `);
      i += 4;
      length -= 4;
      caplen -= 4;
      continue;
    }
    if (!ethertypePrint(ctx, type, i, length, caplen)) {
      if (!v2) ctx.w(sllHeaderText(ctx, pkttype, halen, addr, type, length + hdr));
      else ctx.w(sllHeaderText(ctx, pkttype, halen, addr, type, length + hdr, ifindex));
      hexAndAscii(ctx, i, caplen);
    }
    return;
  }
}

/** null_if_print: BSD loopback (host byte order, either way round) and OpenBSD loop (network order). */
function nullPrint(ctx: Ctx, length: number, caplen: number): void {
  ctx.proto = 'null';
  ctx.check(0, 4);
  const b = ctx.b;
  let family = (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
  if ((family & 0xffff0000) !== 0)
    family = ((family & 0xff) << 24) | ((family & 0xff00) << 8) | ((family >>> 8) & 0xff00) | (family >>> 24);
  family >>>= 0;
  length -= 4;
  caplen -= 4;
  switch (family) {
    case 2:
      ipPrint(ctx, 4, length);
      return;
    case 24:
    case 28:
    case 30:
      ip6Print(ctx, 4, length);
      return;
    default: {
      const names: Record<number, string> = { 7: 'OSI', 16: 'Appletalk', 23: 'IPX' };
      ctx.w(`${tok(names, 'AF %u', family)} (${family}), length ${length + 4}: `);
      hexAndAscii(ctx, 4, caplen);
    }
  }
}

/** arcnet_if_print and arcnet_linux_if_print. */
function arcnetPrint(ctx: Ctx, linux: boolean, length: number, caplen: number): void {
  ctx.proto = linux ? 'arcnet_linux' : 'arcnet';
  const oldTypes = (t: number) => t === 240 || t === 241 || t === 0x80;
  let hdrlen: number;
  let type: number;
  if (linux) {
    if (caplen < 5) throw TRUNCATED;
    type = ctx.u8(4);
    if (oldTypes(type)) hdrlen = 5;
    else {
      hdrlen = 8;
      if (caplen < 8) throw TRUNCATED;
    }
  } else {
    if (caplen < 3) throw TRUNCATED;
    type = ctx.u8(2);
    if (oldTypes(type)) hdrlen = 3;
    else {
      if (caplen < 6) {
        ctx.w(`${hex2(ctx.u8(0))} > ${hex2(ctx.u8(1))} ${arcTypeName(type)} phds`);
        throw TRUNCATED;
      }
      let flag = ctx.u8(3);
      if (flag === 0xff) {
        if (caplen < 10) {
          ctx.w(`${hex2(ctx.u8(0))} > ${hex2(ctx.u8(1))} ${arcTypeName(type)} phds extended`);
          throw TRUNCATED;
        }
        flag = ctx.u8(7);
        hdrlen = 10;
      } else hdrlen = 6;
      if (flag && (flag & 1) === 0) return; // a middle fragment: nothing is printed
    }
  }
  length -= hdrlen;
  caplen -= hdrlen;
  switch (type) {
    case 240:
    case 212:
      ipPrint(ctx, hdrlen, length);
      return;
    case 0xc4:
      ip6Print(ctx, hdrlen, length);
      return;
    case 241:
    case 213:
    case 214:
      arpPrint(ctx, hdrlen, length, caplen);
      return;
    default:
      hexAndAscii(ctx, hdrlen, caplen);
  }
}

function arcTypeName(t: number): string {
  const names: Record<number, string> = {
    240: 'oldip',
    241: 'oldarp',
    212: 'ip',
    213: 'arp',
    214: 'rarp',
    221: 'atalk',
    247: 'banyan',
    250: 'ipx',
    0xc4: 'ipv6',
    0x80: 'diag',
  };
  return tok(names, '%u', t);
}

/** ipoib_if_print. */
function ipoibPrint(ctx: Ctx, length: number, caplen: number): void {
  ctx.proto = 'ipoib';
  if (caplen < 44 || length < 44) {
    ctx.trunc();
    return;
  }
  const type = ctx.u16(40);
  if (!ethertypePrint(ctx, type, 44, length - 44, caplen - 44)) {
    ctx.w(`IPOIB, ${etherTypeText(type)}, length ${length}: `);
    hexAndAscii(ctx, 44, caplen - 44);
  }
}

/** Whether the link type has a printer here. */
export function knownLinktype(linktype: number): boolean {
  return Object.values(LINKTYPE).includes(linktype as never);
}

/** The printer for a packet's link type (ndo_if_printer). */
export function printLink(ctx: Ctx, linktype: number, length: number, caplen: number): void {
  switch (linktype) {
    case LINKTYPE.ETHERNET:
      ctx.proto = 'ether';
      etherPrint(ctx, 0, length, caplen);
      return;
    case LINKTYPE.LINUX_SLL:
      sllPrint(ctx, false, length, caplen);
      return;
    case LINKTYPE.LINUX_SLL2:
      sllPrint(ctx, true, length, caplen);
      return;
    case LINKTYPE.NULL:
    case LINKTYPE.LOOP:
      nullPrint(ctx, length, caplen);
      return;
    case LINKTYPE.RAW:
    case LINKTYPE.RAW_12:
    case LINKTYPE.RAW_14:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      ctx.proto = 'raw';
      ipNPrint(ctx, 0, length);
      return;
    case LINKTYPE.ARCNET_BSD:
      arcnetPrint(ctx, false, length, caplen);
      return;
    case LINKTYPE.ARCNET_LINUX:
      arcnetPrint(ctx, true, length, caplen);
      return;
    case LINKTYPE.IPOIB:
      ipoibPrint(ctx, length, caplen);
      return;
    case LINKTYPE.PPP:
      pppIfPrint(ctx, length, caplen);
      return;
    case LINKTYPE.C_HDLC:
      chdlcPrint(ctx, length);
      return;
    default:
      ctx.w(`[link-layer type ${linktype} not decoded], length ${length}`);
  }
}
