/**
 * DNS as tcpdump 4.99.3 prints it without -v (print-domain.c `domain_print`): over TCP after the
 * two-byte length and a space (`17177+ [1au] A? www.tcpdump.org. (56)`), over UDP after the endpoints;
 * queries with their flags and question, responses with their counts and answer records.
 */
import { TRUNCATED, printN, tok, type Ctx } from './context';
import { ip6Addr } from './ipv6';
import { ipAddr } from './ipv4';

const OPS = [
  '',
  ' inv_q',
  ' stat',
  ' op3',
  ' notify',
  ' update',
  ' op6',
  ' op7',
  ' op8',
  ' updateA',
  ' updateD',
  ' updateDA',
  ' updateM',
  ' updateMA',
  ' zoneInit',
  ' zoneRef',
];
const RCODES = [
  '',
  ' FormErr',
  ' ServFail',
  ' NXDomain',
  ' NotImp',
  ' Refused',
  ' YXDomain',
  ' YXRRSet',
  ' NXRRSet',
  ' NotAuth',
  ' NotZone',
  ' Resp11',
  ' Resp12',
  ' Resp13',
  ' Resp14',
  ' NoChange',
  ' BadVers',
  'Resp17',
  ' Resp18',
  ' Resp19',
  ' Resp20',
  'Resp21',
  ' Resp22',
  ' BadCookie',
];

export const DNS_TYPES: Record<number, string> = {
  1: 'A',
  2: 'NS',
  3: 'MD',
  4: 'MF',
  5: 'CNAME',
  6: 'SOA',
  7: 'MB',
  8: 'MG',
  9: 'MR',
  10: 'NULL',
  11: 'WKS',
  12: 'PTR',
  13: 'HINFO',
  14: 'MINFO',
  15: 'MX',
  16: 'TXT',
  17: 'RP',
  18: 'AFSDB',
  19: 'X25',
  20: 'ISDN',
  21: 'RT',
  22: 'NSAP',
  23: 'NSAP_PTR',
  24: 'SIG',
  25: 'KEY',
  26: 'PX',
  27: 'GPOS',
  28: 'AAAA',
  29: 'LOC',
  30: 'NXT',
  31: 'EID',
  32: 'NIMLOC',
  33: 'SRV',
  34: 'ATMA',
  35: 'NAPTR',
  36: 'KX',
  37: 'CERT',
  38: 'A6',
  39: 'DNAME',
  40: 'SINK',
  41: 'OPT',
  42: 'APL',
  43: 'DS',
  44: 'SSHFP',
  45: 'IPSECKEY',
  46: 'RRSIG',
  47: 'NSEC',
  48: 'DNSKEY',
  99: 'SPF',
  100: 'UINFO',
  101: 'UID',
  102: 'GID',
  103: 'UNSPEC',
  104: 'UNSPECA',
  249: 'TKEY',
  250: 'TSIG',
  251: 'IXFR',
  252: 'AXFR',
  253: 'MAILB',
  254: 'MAILA',
  255: 'ANY',
  256: 'URI',
};
const CLASSES: Record<number, string> = { 1: 'IN', 3: 'CHAOS', 4: 'HS', 255: 'ANY' };
const EDNS_OPTS: Record<number, string> = {
  1: 'LLQ',
  2: 'UL',
  3: 'NSID',
  5: 'DAU',
  6: 'DHU',
  7: 'N3U',
  8: 'ECS',
  9: 'EXPIRE',
  10: 'COOKIE',
  11: 'KEEPALIVE',
  12: 'PADDING',
  13: 'CHAIN',
  14: 'KEY-TAG',
  15: 'EXTENDED-ERROR',
  16: 'CLIENT-TAG',
  17: 'SERVER-TAG',
};

const MAXCDNAME = 255;

/** ns_nskip: the index after a name, or -1. */
function nsSkip(ctx: Ctx, cp: number): number {
  if (!ctx.has(cp, 1)) return -1;
  let i = ctx.u8(cp++);
  while (i) {
    switch (i & 0xc0) {
      case 0xc0:
        return cp + 1;
      case 0x40: {
        if ((i & 0x3f) !== 1) return -1;
        if (!ctx.has(cp, 1)) return -1;
        let bitlen = ctx.u8(cp);
        if (bitlen === 0) bitlen = 256;
        cp++;
        cp += Math.floor((bitlen + 7) / 8);
        break;
      }
      case 0x80:
        return -1;
      default:
        cp += i;
    }
    if (!ctx.has(cp, 1)) return -1;
    i = ctx.u8(cp++);
  }
  return cp;
}

function labelLen(ctx: Ctx, cp: number): number {
  if (!ctx.has(cp, 1)) return -1;
  const i = ctx.u8(cp);
  switch (i & 0xc0) {
    case 0x40: {
      const elt = i & 0x3f;
      if (elt !== 1) {
        ctx.w(`<ELT ${elt}>`);
        return -1;
      }
      if (!ctx.has(cp + 1, 1)) return -1;
      let bitlen = ctx.u8(cp + 1);
      if (bitlen === 0) bitlen = 256;
      return Math.floor((bitlen + 7) / 8) + 1;
    }
    case 0xc0:
    case 0x00:
      return i;
    default:
      ctx.w('<BAD LABEL TYPE>');
      return -1;
  }
}

function blabelPrint(ctx: Ctx, cp: number): number {
  if (!ctx.has(cp, 1)) return -1;
  let bitlen = ctx.u8(cp);
  if (bitlen === 0) bitlen = 256;
  const slen = Math.floor((bitlen + 3) / 4);
  const lim = cp + 1 + slen;
  ctx.w('\\[x');
  let bitp = cp + 1;
  let b = bitlen;
  for (; bitp < lim && b > 7; b -= 8, bitp++) ctx.w(ctx.u8(bitp).toString(16).padStart(2, '0'));
  if (b > 4) {
    const tc = ctx.u8(bitp++);
    ctx.w((tc & (0xff << (8 - b)) & 0xff).toString(16).padStart(2, '0'));
  } else if (b > 0) {
    const tc = ctx.u8(bitp++);
    ctx.w(((tc >> 4) & 0x0f & (0x0f << (4 - b))).toString(16));
  }
  ctx.w(`/${bitlen}]`);
  return lim;
}

/** fqdn_print: a domain name (following compression pointers backwards only); the index after it, or -1. */
export function fqdnPrint(ctx: Ctx, cp: number, bp: number): number {
  let l = labelLen(ctx, cp);
  if (l === -1) return -1;
  if (!ctx.has(cp, 1)) return -1;
  let maxOffset = cp - bp;
  let i = ctx.u8(cp++);
  let rp = -1;
  let compress = false;
  if ((i & 0xc0) !== 0xc0) rp = cp + l;
  let nameChars = 0;
  if (i !== 0) {
    while (i && cp < ctx.end) {
      switch (i & 0xc0) {
        case 0xc0: {
          if (!compress) {
            rp = cp + 1;
            compress = true;
          }
          if (!ctx.has(cp, 1)) return -1;
          const offset = ((i << 8) | ctx.u8(cp)) & 0x3fff;
          if (offset >= maxOffset) {
            ctx.w('<BAD PTR>');
            return -1;
          }
          maxOffset = offset;
          cp = bp + offset;
          if (!ctx.has(cp, 1)) return -1;
          i = ctx.u8(cp);
          l = labelLen(ctx, cp);
          if (l === -1) return -1;
          cp++;
          continue;
        }
        case 0x40: {
          const elt = i & 0x3f;
          if (elt === 1) {
            if (blabelPrint(ctx, cp) === -1) return -1;
          } else {
            ctx.w(`<ELT ${elt}>`);
            return -1;
          }
          break;
        }
        case 0x80:
          ctx.w('<BAD LABEL TYPE>');
          return -1;
        default:
          if (nameChars + l <= MAXCDNAME) {
            if (printN(ctx, cp, l)) return -1;
          } else if (nameChars < MAXCDNAME) {
            if (printN(ctx, cp, MAXCDNAME - nameChars)) return -1;
          }
          nameChars += l;
      }
      cp += l;
      if (nameChars <= MAXCDNAME) ctx.w('.');
      nameChars++;
      if (!ctx.has(cp, 1)) return -1;
      i = ctx.u8(cp);
      l = labelLen(ctx, cp);
      if (l === -1) return -1;
      cp++;
      if (!compress) rp += l + 1;
    }
    if (nameChars > MAXCDNAME) ctx.w('<DOMAIN NAME TOO LONG>');
  } else ctx.w('.');
  return rp;
}

function qPrint(ctx: Ctx, cp: number, bp: number): number {
  const np = cp;
  cp = nsSkip(ctx, cp);
  if (cp === -1 || !ctx.has(cp, 4)) return -1;
  const type = ctx.u16(cp);
  cp += 2;
  ctx.w(` ${tok(DNS_TYPES, 'Type%u', type)}`);
  const cls = ctx.u16(cp);
  if (cls !== 1) ctx.w(` ${tok(CLASSES, '(Class %u)', cls)}`);
  ctx.w('? ');
  const r = fqdnPrint(ctx, np, bp);
  return r === -1 ? -1 : r + 4;
}

/** ns_rprint without -v: the record's type and data. Returns the index after it, or -1. */
function rPrint(ctx: Ctx, cp: number, bp: number): number {
  cp = nsSkip(ctx, cp);
  if (cp === -1 || !ctx.has(cp, 10)) return ctx.end;
  const typ = ctx.u16(cp);
  cp += 2;
  const cls = ctx.u16(cp);
  cp += 2;
  if (cls !== 1 && typ !== 41) ctx.w(` ${tok(CLASSES, '(Class %u)', cls)}`);
  let optFlags = 0;
  if (typ === 41) {
    cp += 2;
    optFlags = ctx.u16(cp);
    cp += 2;
  } else cp += 4;
  const len = ctx.u16(cp);
  cp += 2;
  const rp = cp + len;
  ctx.w(` ${tok(DNS_TYPES, 'Type%u', typ)}`);
  if (rp > ctx.end) return -1;
  switch (typ) {
    case 1:
      if (!ctx.has(cp, 4)) return -1;
      ctx.w(` ${ipAddr(ctx, cp)}`);
      break;
    case 2:
    case 5:
    case 12:
    case 39:
      ctx.w(' ');
      if (fqdnPrint(ctx, cp, bp) === -1) return -1;
      break;
    case 6:
      break;
    case 15:
      ctx.w(' ');
      if (!ctx.has(cp, 2)) return -1;
      if (fqdnPrint(ctx, cp + 2, bp) === -1) return -1;
      ctx.w(` ${ctx.u16(cp)}`);
      break;
    case 16:
      while (cp < rp) {
        ctx.w(' "');
        if (!ctx.has(cp, 1)) return -1;
        const n = ctx.u8(cp);
        if (printN(ctx, cp + 1, n)) return -1;
        cp += 1 + n;
        ctx.w('"');
      }
      break;
    case 33:
      ctx.w(' ');
      if (!ctx.has(cp, 6)) return -1;
      if (fqdnPrint(ctx, cp + 6, bp) === -1) return -1;
      ctx.w(`:${ctx.u16(cp + 4)} ${ctx.u16(cp)} ${ctx.u16(cp + 2)}`);
      break;
    case 28:
      if (!ctx.has(cp, 16)) return -1;
      ctx.w(` ${ip6Addr(ctx, cp)}`);
      break;
    case 256:
      if (!ctx.has(cp, len)) return -1;
      ctx.w(` ${ctx.u16(cp)} ${ctx.u16(cp + 2)} `);
      if (printN(ctx, cp + 4, len - 4)) return -1;
      break;
    case 41:
      ctx.w(` UDPsize=${cls}`);
      if (optFlags & 0x8000) ctx.w(' DO');
      if (cp < rp) {
        ctx.w(' [');
        while (cp < rp) {
          if (!ctx.has(cp, 4)) return -1;
          const code = ctx.u16(cp);
          const dlen = ctx.u16(cp + 2);
          ctx.w(tok(EDNS_OPTS, 'Opt%u', code));
          cp += 4 + dlen;
          if (cp < rp) ctx.w(',');
        }
        ctx.w(']');
      }
      break;
    case 104:
      if (!ctx.has(cp, len)) return -1;
      if (printN(ctx, cp, len)) return -1;
      break;
    case 250:
      if (cp + len > ctx.end) return -1;
      break;
  }
  return rp;
}

/** domain_print without -v. */
export function domainPrint(ctx: Ctx, bp: number, length: number, overTcp: boolean): void {
  ctx.proto = 'domain';
  if (overTcp) {
    if (length < 2) {
      ctx.w(` [DNS over TCP: length ${length} < 2] (invalid)`);
      return;
    }
    length -= 2;
    const prefix = ctx.u16(bp);
    if (prefix !== length) {
      ctx.w(` [prefix length(${prefix}) != length(${length})] (invalid)`);
      return;
    }
    bp += 2;
    ctx.w(' ');
  }
  if (length < 12) {
    ctx.w(`domain [length ${length} < 12] (invalid)`);
    return;
  }
  if (!ctx.has(bp, 12)) throw TRUNCATED;
  const flags = ctx.u16(bp + 2);
  let qd = ctx.u16(bp + 4);
  let an = ctx.u16(bp + 6);
  const ns = ctx.u16(bp + 8);
  const ar = ctx.u16(bp + 10);
  let rcode = flags & 0x000f;
  // Find the OPT record for the extended rcode.
  let cp = bp + 12;
  find: {
    for (let k = 0; k < qd; k++) {
      cp = nsSkip(ctx, cp);
      if (cp === -1) break find;
      cp += 4;
      if (cp >= ctx.end) break find;
    }
    for (let k = 0; k < an + ns; k++) {
      cp = nsSkip(ctx, cp);
      if (cp === -1) break find;
      cp += 8;
      if (cp + 2 > ctx.end) break find;
      cp += 2 + ctx.u16(cp);
      if (cp >= ctx.end) break find;
    }
    for (let k = 0; k < ar; k++) {
      cp = nsSkip(ctx, cp);
      if (cp === -1) break find;
      if (cp + 2 > ctx.end) break find;
      const type = ctx.u16(cp);
      cp += 4;
      if (cp + 1 > ctx.end) break find;
      if (type === 41) {
        rcode |= ctx.u8(cp) << 4;
        break find;
      }
      cp += 4;
      if (cp + 2 > ctx.end) break find;
      cp += 2 + ctx.u16(cp);
      if (cp >= ctx.end) break find;
    }
  }
  const id = ctx.u16(bp);
  const opcode = (flags >> 11) & 0xf;
  try {
    if (flags & 0x8000) {
      const rc = rcode < RCODES.length ? RCODES[rcode]! : ` Resp${rcode & 0xfff}`;
      ctx.w(
        `${id}${OPS[opcode]}${rc}${flags & 0x0400 ? '*' : ''}${flags & 0x0080 ? '' : '-'}${flags & 0x0200 ? '|' : ''}${flags & 0x0020 ? '$' : ''}`,
      );
      if (qd !== 1) ctx.w(` [${qd}q]`);
      cp = bp + 12;
      for (let k = 0; k < qd; k++) {
        if (k !== 0) ctx.w(',');
        cp = nsSkip(ctx, cp);
        if (cp === -1) throw DNS_TRUNC;
        cp += 4;
      }
      ctx.w(` ${an}/${ns}/${ar}`);
      if (an) {
        cp = rPrint(ctx, cp, bp);
        if (cp === -1) throw DNS_TRUNC;
        an--;
        while (cp < ctx.end && an) {
          ctx.w(',');
          cp = rPrint(ctx, cp, bp);
          if (cp === -1) throw DNS_TRUNC;
          an--;
        }
      }
      if (an) throw DNS_TRUNC;
    } else {
      ctx.w(`${id}${OPS[opcode]}${flags & 0x0100 ? '+' : ''}${flags & 0x0010 ? '%' : ''}`);
      if (flags & 0x6cf) ctx.w(` [b2&3=0x${flags.toString(16)}]`);
      if (opcode === 1) {
        if (qd) ctx.w(` [${qd}q]`);
        if (an !== 1) ctx.w(` [${an}a]`);
      } else {
        if (an) ctx.w(` [${an}a]`);
        if (qd !== 1) ctx.w(` [${qd}q]`);
      }
      if (ns) ctx.w(` [${ns}n]`);
      if (ar) ctx.w(` [${ar}au]`);
      cp = bp + 12;
      if (qd) {
        cp = qPrint(ctx, cp, bp);
        if (cp === -1) throw DNS_TRUNC;
        qd--;
        while (cp < ctx.end && qd) {
          cp = qPrint(ctx, cp, bp);
          if (cp === -1) throw DNS_TRUNC;
          qd--;
        }
      }
      if (qd) throw DNS_TRUNC;
    }
    ctx.w(` (${length})`);
  } catch (e) {
    if (e !== DNS_TRUNC) throw e;
    ctx.trunc();
  }
}

const DNS_TRUNC = { dnsTrunc: true } as const;
