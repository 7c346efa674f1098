/**
 * IPv6 (tcpdump's ip6_print, without -v): the `IP6 ` token, the payload length against what was
 * captured, and the extension headers tcpdump walks: hop-by-hop (with the jumbo payload option),
 * destination options, routing (types 0, 2 and 4) and fragment headers, each printed as tcpdump does
 * (`HBH `, `DSTOPT `, `RT6 (...) `, `frag (off|len) `) before the transport header.
 */
import { type Ctx } from './context';
import { ipDemux } from './ipv4';

const v6Strings = new Map<string, string>();

/** addrtostr6: RFC 5952-style compression, with IPv4-mapped and -compatible forms in dotted quads. */
export function ip6Addr(ctx: Ctx, i: number): string {
  ctx.check(i, 16);
  const b = ctx.b;
  let key = '';
  for (let k = 0; k < 16; k += 4)
    key += String.fromCharCode((b[i + k]! << 8) | b[i + k + 1]!, (b[i + k + 2]! << 8) | b[i + k + 3]!);
  let s = v6Strings.get(key);
  if (s !== undefined) return s;
  const words: number[] = [];
  for (let k = 0; k < 8; k++) words.push((b[i + 2 * k]! << 8) | b[i + 2 * k + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let k = 0; k < 8; k++) {
    if (words[k] === 0) {
      if (curBase === -1) {
        curBase = k;
        curLen = 1;
      } else curLen++;
    } else if (curBase !== -1) {
      if (bestBase === -1 || curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
      curBase = -1;
    }
  }
  if (curBase !== -1 && (bestBase === -1 || curLen > bestLen)) {
    bestBase = curBase;
    bestLen = curLen;
  }
  if (bestBase !== -1 && bestLen < 2) bestBase = -1;
  s = '';
  for (let k = 0; k < 8; k++) {
    if (bestBase !== -1 && k >= bestBase && k < bestBase + bestLen) {
      if (k === bestBase) s += ':';
      continue;
    }
    if (k !== 0) s += ':';
    if (k === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      s += `${b[i + 12]}.${b[i + 13]}.${b[i + 14]}.${b[i + 15]}`;
      break;
    }
    s += words[k]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  if (v6Strings.size > 65536) v6Strings.clear();
  v6Strings.set(key, s);
  return s;
}

/** ip6_opt_process without -v: returns false when the options are cut short (tcpdump's trunc). */
function ip6OptProcess(
  ctx: Ctx,
  i: number,
  len: number,
  jumbo: { found: boolean; payloadLen: number } | undefined,
): boolean {
  let found = false;
  for (let k = 0; k < len;) {
    const t = ctx.u8(i + k);
    let optlen: number;
    if (t === 0) optlen = 1;
    else if (k + 1 < len) optlen = ctx.u8(i + k + 1) + 2;
    else return false;
    if (k + optlen > len) return false;
    switch (t) {
      case 0:
        break;
      case 1:
        if (len - k < 2) {
          ctx.w('(padn: trunc)');
          return false;
        }
        break;
      case 5:
        if (len - k < 4) {
          ctx.w('(rtalert: trunc)');
          return false;
        }
        if (ctx.u8(i + k + 1) !== 2) {
          ctx.w(`(rtalert: invalid len ${ctx.u8(i + k + 1)})`);
          return false;
        }
        break;
      case 0xc2: {
        if (len - k < 6) {
          ctx.w('(jumbo: trunc)');
          return false;
        }
        if (ctx.u8(i + k + 1) !== 4) {
          ctx.w(`(jumbo: invalid len ${ctx.u8(i + k + 1)})`);
          return false;
        }
        const jl = ctx.u32(i + k + 2);
        if (!found) {
          found = true;
          if (jumbo && jumbo.payloadLen === 0 && jl >= 65536) {
            jumbo.found = true;
            jumbo.payloadLen = jl;
          }
        }
        break;
      }
      case 0xc9:
        if (len - k < 18) {
          ctx.w('(homeaddr: trunc)');
          return false;
        }
        if (ctx.u8(i + k + 1) < 16) {
          ctx.w(`(homeaddr: invalid len ${ctx.u8(i + k + 1)})`);
          return false;
        }
        break;
      default:
        if (len - k < 2) {
          ctx.w(`(type ${t}: trunc)`);
          return false;
        }
    }
    k += optlen;
  }
  return true;
}

/** ip6_print. */
export function ip6Print(ctx: Ctx, bp: number, length: number): void {
  ctx.proto = 'ip6';
  if (!ctx.has(bp, 40)) {
    ctx.trunc();
    return;
  }
  if (length < 40) {
    ctx.w(`truncated-ip6 ${length}`);
    return;
  }
  ctx.w('IP6 ');
  const version = ctx.u8(bp) >> 4;
  if (version !== 6) {
    ctx.w(`version error: ${version} != 6`);
    return;
  }
  let payloadLen = ctx.u16(bp + 4);
  let len: number;
  if (payloadLen !== 0) {
    len = payloadLen + 40;
    if (length < len) ctx.w(`truncated-ip6 - ${len - length} bytes missing!`);
  } else len = length + 40;
  let ph = 255;
  let nh = ctx.u8(bp + 6);
  ctx.push(bp, len);
  let cp = bp;
  let advance = 40;
  let totalAdvance = 0;
  let foundExt = false;
  let foundHbh = false;
  let fragmented = false;
  const jumbo = { found: false, payloadLen };
  while (cp < ctx.end && advance > 0) {
    if (len < advance) {
      ctx.trunc();
      return;
    }
    cp += advance;
    len -= advance;
    totalAdvance += advance;
    if (cp === bp + 40 && nh !== 6 && nh !== 17 && nh !== 33 && nh !== 132)
      ctx.w(`${ip6Addr(ctx, bp + 8)} > ${ip6Addr(ctx, bp + 24)}: `);
    switch (nh) {
      case 0: {
        if (foundHbh) {
          ctx.w('[The Hop-by-Hop Options header was already found] (invalid)');
          return;
        }
        if (ph !== 255) {
          ctx.w("[The Hop-by-Hop Options header don't follow the IPv6 header] (invalid)");
          return;
        }
        ctx.proto = 'hbhopt';
        const hbhlen = (ctx.u8(cp + 1) + 1) << 3;
        let ok = ctx.has(cp, hbhlen);
        if (ok) {
          ctx.w('HBH ');
          ok = ip6OptProcess(ctx, cp + 2, hbhlen - 2, jumbo);
        }
        if (!ok) ctx.trunc();
        payloadLen = jumbo.payloadLen;
        if (payloadLen === 0 && !jumbo.found) {
          ctx.w('[No valid Jumbo Payload Hop-by-Hop option found] (invalid)');
          return;
        }
        if (!ok) {
          ctx.pop();
          return;
        }
        advance = hbhlen;
        foundExt = true;
        foundHbh = true;
        nh = ctx.u8(cp);
        break;
      }
      case 60: {
        ctx.proto = 'dstopt';
        const dlen = (ctx.u8(cp + 1) + 1) << 3;
        if (!ctx.has(cp, dlen)) {
          ctx.trunc();
          ctx.pop();
          return;
        }
        ctx.w('DSTOPT ');
        advance = dlen;
        foundExt = true;
        nh = ctx.u8(cp);
        break;
      }
      case 44: {
        ctx.proto = 'frag6';
        const offlg = ctx.u16(cp + 2) & 0xfff8;
        ctx.w(`frag (${offlg}|${40 + ctx.u16(bp + 4) - (cp - bp) - 8})`);
        if (offlg !== 0 || ctx.end <= cp + 8) {
          if (offlg === 0) ctx.w(' ');
          ctx.pop();
          return;
        }
        ctx.w(' ');
        advance = 8;
        foundExt = true;
        nh = ctx.u8(cp);
        fragmented = true;
        break;
      }
      case 43: {
        ctx.proto = 'rt6';
        ctx.u8(cp);
        const r = rt6Print(ctx, cp);
        if (r < 0) {
          ctx.pop();
          return;
        }
        advance = r;
        foundExt = true;
        nh = ctx.u8(cp);
        break;
      }
      case 135:
      case 62:
        ctx.w('MOBILITY');
        ctx.pop();
        return;
      default: {
        if (jumbo.found) {
          len = payloadLen + 40;
          if (len < totalAdvance) {
            ctx.trunc();
            return;
          }
          if (length < len) ctx.w(`truncated-ip6 - ${len - length} bytes missing!`);
          ctx.change(bp, len);
          len -= totalAdvance;
        } else if (payloadLen === 0) {
          if (foundExt) {
            ctx.trunc();
            return;
          }
          len = 40;
          ctx.change(bp, len);
          len -= totalAdvance;
        }
        ipDemux(ctx, cp, len, 6, fragmented, nh, bp);
        ctx.pop();
        return;
      }
    }
    ph = nh;
    ctx.proto = 'ip6';
  }
  ctx.pop();
}

/** rt6_print without -v; returns the header length, or -1 after printing it invalid. */
function rt6Print(ctx: Ctx, i: number): number {
  ctx.w('RT6');
  let len = ctx.u8(i + 1);
  const type = ctx.u8(i + 2);
  ctx.w(` (len=${len}, type=${type}`);
  if (type === 0) ctx.w(' [Deprecated]');
  ctx.w(`, segleft=${ctx.u8(i + 3)}`);
  if (type === 0 || type === 2) {
    const rsv = ctx.u32(i + 4);
    if (rsv) ctx.w(`, rsv=0x${rsv.toString(16)}`);
    if (len % 2 === 1) {
      ctx.w(` (invalid length ${len}) (invalid)`);
      return -1;
    }
    len >>= 1;
    for (let k = 0; k < len; k++) ctx.w(`, [${k}]${ip6Addr(ctx, i + 8 + 16 * k)}`);
    ctx.w(') ');
    return (ctx.u8(i + 1) + 1) << 3;
  }
  if (type === 4) {
    ctx.w(`, last-entry=${ctx.u8(i + 4)}`);
    const flags = ctx.u8(i + 5);
    if (flags) ctx.w(`, flags=0x${flags.toString(16)}`);
    ctx.w(`, tag=${ctx.u16(i + 6).toString(16)}`);
    if (len % 2 === 1) {
      ctx.w(` (invalid length ${len}) (invalid)`);
      return -1;
    }
    len >>= 1;
    for (let k = 0; k < len; k++) ctx.w(`, [${k}]${ip6Addr(ctx, i + 8 + 16 * k)}`);
    ctx.w(') ');
    return (ctx.u8(i + 1) + 1) << 3;
  }
  ctx.w(' (unknown type) (invalid)');
  return -1;
}
