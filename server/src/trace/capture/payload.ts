/**
 * What tcpdump 4.99.3 prints after `length N` of a TCP segment without -v, chosen by port in
 * print-tcp.c's order: telnet options, the text protocols (SMTP, WHOIS, FTP, HTTP, RTSP: `: HTTP: GET /
 * HTTP/1.1` or just `: HTTP`), BGP (`: BGP`), PPTP control messages, Redis RESP, the SSH banner, BEEP,
 * OpenFlow message headers (one `\n\tversion ...` line each), DNS over TCP, MSDP, RPKI-RTR, LDP and NFS.
 * Any other port prints nothing more.
 */
import { TRUNCATED, hex8, printChar, printJnp, printN, tok, type Ctx } from './context';
import { domainPrint } from './dns';
import { ipAddr } from './ipv4';

const isPrint = (c: number) => c >= 0x20 && c < 0x7f;

export function tcpPayload(
  ctx: Ctx,
  bp: number,
  length: number,
  sport: number,
  dport: number,
  _iph: number,
): void {
  const port = (p: number) => sport === p || dport === p;
  // Most segments are on ports no printer knows: leave before the chain of tests.
  if (!KNOWN_PORTS.has(sport) && !KNOWN_PORTS.has(dport)) return;
  if (port(23)) telnetPrint(ctx, bp, length);
  else if (port(25)) {
    ctx.w(': ');
    ctx.proto = 'smtp';
    txtproto(ctx, bp, length, undefined);
  } else if (port(43)) {
    ctx.w(': ');
    ctx.proto = 'whois';
    txtproto(ctx, bp, length, undefined);
  } else if (port(179)) {
    ctx.proto = 'bgp';
    ctx.w(': BGP');
  } else if (port(1723)) pptpPrint(ctx, bp);
  else if (port(6379)) respPrint(ctx, bp, length);
  else if (port(22)) sshPrint(ctx, bp, length);
  else if (port(10288)) beepPrint(ctx, bp, length);
  else if (port(6633) || port(6653)) openflowPrint(ctx, bp, length);
  else if (port(21)) {
    ctx.w(': ');
    ctx.proto = 'ftp';
    txtproto(ctx, bp, length, undefined);
  } else if (port(80) || port(8080)) {
    ctx.w(': ');
    ctx.proto = 'http';
    txtproto(ctx, bp, length, HTTP_CMDS);
  } else if (port(554) || port(8554)) {
    ctx.w(': ');
    ctx.proto = 'rtsp';
    txtproto(ctx, bp, length, RTSP_CMDS);
  } else if (port(53)) domainPrint(ctx, bp, length, true);
  else if (port(639)) msdpPrint(ctx, bp, length);
  else if (port(323)) {
    ctx.proto = 'rpki_rtr';
    ctx.w(', RPKI-RTR');
  } else if (port(646)) ldpPrint(ctx, bp, length);
  else if (port(2049) && length >= 4 && ctx.has(bp, 4)) nfsPrint(ctx, bp, length, sport, dport);
}

const KNOWN_PORTS = new Set([
  23, 25, 43, 179, 1723, 6379, 22, 10288, 6633, 6653, 21, 80, 8080, 554, 8554, 53, 639, 323, 646, 2049,
]);

const HTTP_CMDS = new Set(
  (
    'GET PUT COPY HEAD LOCK MOVE POLL POST BCOPY BMOVE MKCOL TRACE LABEL MERGE DELETE SEARCH UNLOCK REPORT ' +
    'UPDATE NOTIFY BDELETE CONNECT OPTIONS CHECKIN PROPFIND CHECKOUT CCM_POST SUBSCRIBE PROPPATCH BPROPFIND ' +
    'BPROPPATCH UNCHECKOUT MKACTIVITY MKWORKSPACE UNSUBSCRIBE RPC_CONNECT VERSION-CONTROL BASELINE-CONTROL'
  ).split(' '),
);
const RTSP_CMDS = new Set(
  'DESCRIBE ANNOUNCE GET_PARAMETER OPTIONS PAUSE PLAY RECORD REDIRECT SETUP SET_PARAMETER TEARDOWN'.split(
    ' ',
  ),
);

/** fetch_token: returns [index after the token and its trailing blanks, token] or [0, ''] on failure. */
function fetchToken(ctx: Ctx, p: number, idx: number, len: number): [number, string] {
  let tok = '';
  for (; idx < len; idx++) {
    if (!ctx.has(p + idx, 1)) return [0, ''];
    const c = ctx.u8(p + idx);
    if (c > 0x7f) return [0, ''];
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) return [0, ''];
    if (tok.length + 2 > 128) return [0, ''];
    tok += String.fromCharCode(c);
  }
  if (tok.length === 0) return [0, ''];
  for (; idx < len; idx++) {
    if (!ctx.has(p + idx, 1)) break;
    const c = ctx.u8(p + idx);
    if (c === 0x0d || c === 0x0a) break;
    if (!isPrint(c)) break;
    if (c !== 0x20 && c !== 0x09) break;
  }
  return [idx, tok];
}

/** print_txt_line with the ": " prefix (the non-verbose first line). */
function printTxtLine(ctx: Ctx, p: number, idx: number, len: number): void {
  const start = idx;
  while (idx < len) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a) {
      ctx.w(`: ${text(ctx, p + start, idx - start)}`);
      return;
    }
    if (c === 0x0d) {
      if (idx + 1 >= len) return;
      if (ctx.u8(p + idx + 1) === 0x0a) {
        ctx.w(`: ${text(ctx, p + start, idx - start)}`);
        return;
      }
      return;
    }
    if (!isPrint(c) && c !== 0x09) return;
    idx++;
  }
  ctx.w(`: ${text(ctx, p + start, idx - start)}`);
  ctx.trunc();
}

function text(ctx: Ctx, i: number, n: number): string {
  let s = '';
  for (let k = 0; k < n; k++) s += String.fromCharCode(ctx.b[i + k]!);
  return s;
}

/** txtproto_print without -v. */
function txtproto(ctx: Ctx, p: number, len: number, cmds: Set<string> | undefined): void {
  let printThis = false;
  if (cmds) {
    let [idx, token] = fetchToken(ctx, p, 0, len);
    if (idx !== 0) {
      for (const c of cmds) if (c.toLowerCase() === token.toLowerCase()) printThis = true;
      [idx, token] = fetchToken(ctx, p, idx, len);
      if (idx !== 0 && /^[0-9]{3}$/.test(token)) printThis = true;
    }
  } else printThis = true;
  ctx.w(ctx.protoCaps());
  if (printThis) printTxtLine(ctx, p, 0, len);
}

/** ssh_print: the version banner only. */
function sshPrint(ctx: Ctx, p: number, len: number): void {
  ctx.proto = 'ssh';
  if (ctx.u8(p) !== 0x53 || ctx.u8(p + 1) !== 0x53 || ctx.u8(p + 2) !== 0x48 || ctx.u8(p + 3) !== 0x2d)
    return;
  let idx = 4;
  while (idx < len) {
    const c = ctx.u8(p + idx);
    if (c === 0x0a) break;
    if (c === 0x0d) {
      if (idx + 1 >= len) return;
      if (ctx.u8(p + idx + 1) === 0x0a) break;
      return;
    }
    if (!isPrint(c)) return;
    idx++;
  }
  if (idx >= len) return;
  ctx.w(`: SSH: ${text(ctx, p, idx)}`);
}

function beepPrint(ctx: Ctx, p: number, len: number): void {
  ctx.proto = 'beep';
  const starts = (s: string) => {
    if (!ctx.has(p, 4)) return false;
    if (4 > len) return false;
    // strncmp of 4 bytes: the NUL of a 3-letter keyword must match too.
    for (let k = 0; k < 4; k++) if (ctx.b[p + k] !== (k < s.length ? s.charCodeAt(k) : 0)) return false;
    return true;
  };
  const kinds = ['MSG', 'RPY ', 'ERR ', 'ANS ', 'NUL ', 'SEQ ', 'END'];
  for (const k of kinds)
    if (starts(k)) {
      ctx.w(` BEEP ${k.trim()}`);
      return;
    }
  ctx.w(' BEEP (payload or undecoded)');
}

const OF10 = [
  ['HELLO', 'min', 0],
  ['ERROR', 'min', 4],
  ['ECHO_REQUEST', 'min', 0],
  ['ECHO_REPLY', 'min', 0],
  ['VENDOR', 'min', 4],
  ['FEATURES_REQUEST', 'fix', 0],
  ['FEATURES_REPLY', 'min', 24],
  ['GET_CONFIG_REQUEST', 'fix', 0],
  ['GET_CONFIG_REPLY', 'fix', 4],
  ['SET_CONFIG', 'fix', 4],
  ['PACKET_IN', 'min', 10],
  ['FLOW_REMOVED', 'fix', 80],
  ['PORT_STATUS', 'fix', 56],
  ['PACKET_OUT', 'min', 8],
  ['FLOW_MOD', 'min', 64],
  ['PORT_MOD', 'fix', 24],
  ['STATS_REQUEST', 'min', 4],
  ['STATS_REPLY', 'min', 4],
  ['BARRIER_REQUEST', 'fix', 0],
  ['BARRIER_REPLY', 'fix', 0],
  ['QUEUE_GET_CONFIG_REQUEST', 'fix', 4],
  ['QUEUE_GET_CONFIG_REPLY', 'min', 8],
] as const;
const OF13 = [
  ['HELLO', 'min', 0],
  ['ERROR', 'min', 4],
  ['ECHO_REQUEST', 'min', 0],
  ['ECHO_REPLY', 'min', 0],
  ['EXPERIMENTER', 'min', 8],
  ['FEATURES_REQUEST', 'fix', 0],
  ['FEATURES_REPLY', 'fix', 24],
  ['GET_CONFIG_REQUEST', 'fix', 0],
  ['GET_CONFIG_REPLY', 'fix', 4],
  ['SET_CONFIG', 'fix', 4],
  ['PACKET_IN', 'none', 0],
  ['FLOW_REMOVED', 'none', 0],
  ['PORT_STATUS', 'fix', 72],
  ['PACKET_OUT', 'none', 0],
  ['FLOW_MOD', 'none', 0],
  ['GROUP_MOD', 'none', 0],
  ['PORT_MOD', 'fix', 32],
  ['TABLE_MOD', 'fix', 8],
  ['MULTIPART_REQUEST', 'none', 0],
  ['MULTIPART_REPLY', 'none', 0],
  ['BARRIER_REQUEST', 'fix', 0],
  ['BARRIER_REPLY', 'fix', 0],
  ['QUEUE_GET_CONFIG_REQUEST', 'fix', 8],
  ['QUEUE_GET_CONFIG_REPLY', 'none', 0],
  ['ROLE_REQUEST', 'fix', 16],
  ['ROLE_REPLY', 'fix', 16],
  ['GET_ASYNC_REQUEST', 'fix', 0],
  ['GET_ASYNC_REPLY', 'fix', 24],
  ['SET_ASYNC', 'fix', 24],
  ['METER_MOD', 'none', 0],
] as const;
const OF_VERSIONS: Record<number, string> = { 1: '1.0', 2: '1.1', 3: '1.2', 4: '1.3', 5: '1.4', 6: '1.5' };

/** openflow_print without -v: one header line per message in the segment. */
function openflowPrint(ctx: Ctx, cp: number, len: number): void {
  ctx.proto = 'openflow';
  ctx.w(': OpenFlow');
  while (len) {
    const version = ctx.u8(cp);
    cp++;
    len--;
    ctx.w(`\n\tversion ${OF_VERSIONS[version] ?? `unknown (0x${hex8(version).slice(6)})`}`);
    if (len < 1) return partial(ctx, cp, len);
    const type = ctx.u8(cp);
    cp++;
    len--;
    const table = version === 1 ? OF10 : version === 4 ? OF13 : undefined;
    const mti = table?.[type];
    ctx.w(mti ? `, type ${mti[0]}` : `, type unknown (0x${hex8(type).slice(6)})`);
    if (len < 2) return partial(ctx, cp, len);
    const length = ctx.u16(cp);
    cp += 2;
    len -= 2;
    ctx.w(`, length ${length}${length < 8 ? ' (too short!)' : ''}`);
    if (len < 4) return partial(ctx, cp, len);
    ctx.w(`, xid 0x${hex8(ctx.u32(cp))}`);
    cp += 4;
    len -= 4;
    if (length < 8) {
      ctx.w(' (invalid)');
      ctx.check(cp, len);
      return;
    }
    const body = length - 8;
    if (mti && ((mti[1] === 'fix' && body !== mti[2]) || (mti[1] === 'min' && body < mti[2])))
      ctx.w(' (invalid)');
    ctx.check(cp, body);
    if (body > len) break;
    cp += body;
    len -= body;
  }
}

function partial(ctx: Ctx, cp: number, len: number): void {
  ctx.w(' (end of TCP payload)');
  ctx.check(cp, len);
}

/** bgp_print without -v. */
export function bgpPrint(ctx: Ctx): void {
  ctx.proto = 'bgp';
  ctx.w(': BGP');
}

/** ldp_print / ldp_pdu_print without -v: the first PDU's header. */
export function ldpPrint(ctx: Ctx, p: number, len: number): void {
  ctx.proto = 'ldp';
  if (len <= 18) return;
  ctx.check(p, 10);
  const version = ctx.u16(p);
  if (version !== 1) {
    ctx.w(`LDP version ${version} packet not supported`);
    return;
  }
  const pduLen = ctx.u16(p + 2);
  if (pduLen < 6) {
    ctx.w(`LDP, pdu-length: ${pduLen} (too short, < 6)`);
    return;
  }
  ctx.w(`LDP, Label-Space-ID: ${ipAddr(ctx, p + 4)}:${ctx.u16(p + 8)}, pdu-length: ${pduLen}`);
}

/** msdp_print without -v. */
function msdpPrint(ctx: Ctx, sp: number, length: number): void {
  ctx.proto = 'msdp';
  ctx.w(': msdp');
  let type = ctx.u8(sp);
  let len = ctx.u16(sp + 1);
  if (len > 1500 || len < 3 || type === 0 || type > 5) {
    ctx.trunc();
    return;
  }
  while (length !== 0) {
    type = ctx.u8(sp);
    len = ctx.u16(sp + 1);
    if (len > 1400) ctx.w(` [len ${len}]`);
    if (len < 3 || length < len) {
      ctx.trunc();
      return;
    }
    sp += 3;
    length -= 3;
    switch (type) {
      case 1:
      case 3:
        ctx.w(type === 1 ? ' SA' : ' SA-Response');
        ctx.w(` ${ctx.u8(sp)} entries`);
        if (ctx.u8(sp) * 12 + 8 < len) ctx.w(' [w/data]');
        break;
      case 2:
        ctx.w(` SA-Request for ${ipAddr(ctx, sp + 1)}`);
        break;
      case 4:
        ctx.w(' Keepalive');
        if (len !== 3) ctx.w(`[len=${len}] `);
        break;
      case 5:
        ctx.w(' Notification');
        break;
      default:
        ctx.w(` [type=${type} len=${len}]`);
    }
    sp += len - 3;
    length -= len - 3;
  }
}

/** The start of an ONC RPC call or reply to NFS (the rest of the NFS decoding is not reproduced). */
function nfsPrint(ctx: Ctx, bp: number, length: number, sport: number, dport: number): void {
  ctx.proto = 'nfs';
  const rp = bp + 4;
  if (!ctx.has(rp + 4, 4)) return;
  const direction = ctx.u32(rp + 4);
  if (dport === 2049 && direction === 0) ctx.w(`: NFS request xid ${ctx.u32(rp)} ${length - 4}`);
  else if (sport === 2049 && direction === 1) ctx.w(`: NFS reply xid ${ctx.u32(rp)} reply`);
}

// ---- telnet ----------------------------------------------------------------------------------------

const TELCMDS = [
  'EOF',
  'SUSP',
  'ABORT',
  'EOR',
  'SE',
  'NOP',
  'DMARK',
  'BRK',
  'IP',
  'AO',
  'AYT',
  'EC',
  'EL',
  'GA',
  'SB',
  'WILL',
  'WONT',
  'DO',
  'DONT',
  'IAC',
];
const TELOPTS = (
  'BINARY|ECHO|RCP|SUPPRESS GO AHEAD|NAME|STATUS|TIMING MARK|RCTE|NAOL|NAOP|NAOCRD|NAOHTS|NAOHTD|NAOFFD|' +
  'NAOVTS|NAOVTD|NAOLFD|EXTEND ASCII|LOGOUT|BYTE MACRO|DATA ENTRY TERMINAL|SUPDUP|SUPDUP OUTPUT|' +
  'SEND LOCATION|TERMINAL TYPE|END OF RECORD|TACACS UID|OUTPUT MARKING|TTYLOC|3270 REGIME|X.3 PAD|NAWS|' +
  'TSPEED|LFLOW|LINEMODE|XDISPLOC|OLD-ENVIRON|AUTHENTICATION|ENCRYPT|NEW-ENVIRON'
).split('|');
const TEL_SUB: Record<number, [(string | null)[], (string | null)[]]> = {
  37: [
    ['IS', 'SEND', 'REPLY', 'NAME'],
    [
      'NULL',
      'KERBEROS_V4',
      'KERBEROS_V5',
      'SPX',
      'MINK',
      'SRP',
      'RSA',
      'SSL',
      null,
      null,
      'LOKI',
      'SSA',
      'KEA_SJ',
      'KEA_SJ_INTEG',
      'DSS',
      'NTLM',
    ],
  ],
  38: [
    ['IS', 'SUPPORT', 'REPLY', 'START', 'END', 'REQUEST-START', 'REQUEST-END', 'END_KEYID', 'DEC_KEYID'],
    [
      'NULL',
      'DES_CFB64',
      'DES_OFB64',
      'DES3_CFB64',
      'DES3_OFB64',
      null,
      'CAST5_40_CFB64',
      'CAST5_40_OFB64',
      'CAST128_CFB64',
      'CAST128_OFB64',
    ],
  ],
};

const numstr = (x: number) => (x === 0 ? '0' : `0x${x.toString(16)}`);
const strOrId = (x: number, tab: readonly (string | null)[]) => tab[x] ?? numstr(x);

/** telnet_parse: the length of the command at sp, printing it when asked; -1 when it does not parse. */
function telnetParse(ctx: Ctx, sp: number, length: number, print: boolean): number {
  const osp = sp;
  const fetch = (): number => {
    if (length < 1) throw PKTEND;
    const c = ctx.u8(sp);
    sp++;
    length--;
    return c;
  };
  const out = (s: string) => {
    if (print) ctx.w(s);
  };
  try {
    let c = fetch();
    if (c !== 255) return -1;
    c = fetch();
    if (c === 255) {
      out('IAC IAC');
      return sp - osp;
    }
    const i = c - 236;
    if (i < 0 || i > 255 - 236) return -1;
    if (c >= 250 && c <= 254) {
      const x = fetch();
      out(x < TELOPTS.length ? `${TELCMDS[i]} ${TELOPTS[x]}` : `${TELCMDS[i]} ${numstr(x)}`);
      if (c !== 250) return sp - osp;
      let p = sp;
      while (length > p + 1 - sp) {
        if (ctx.u8(p) === 255 && ctx.u8(p + 1) === 240) break;
        p++;
      }
      if (ctx.u8(p) !== 255) return -1;
      const sub = TEL_SUB[x];
      if (p > sp) {
        c = fetch();
        out(` ${strOrId(c, sub ? sub[0] : ['IS', 'SEND', 'INFO'])}`);
        if (sub && p > sp) {
          c = fetch();
          out(` ${strOrId(c, sub[1])}`);
        }
      }
      while (p > sp) out(` ${numstr(fetch())}`);
      out(' SE');
      sp += 2;
      return sp - osp;
    }
    out(TELCMDS[i]!);
    return sp - osp;
  } catch (e) {
    if (e === PKTEND) return -1;
    throw e;
  }
}
const PKTEND = { pktend: true } as const;

function telnetPrint(ctx: Ctx, sp: number, length: number): void {
  ctx.proto = 'telnet';
  let first = true;
  while (length > 0 && ctx.u8(sp) === 255) {
    const l = telnetParse(ctx, sp, length, false);
    if (l < 0) break;
    ctx.w(first ? ' [telnet ' : ', ');
    telnetParse(ctx, sp, length, true);
    first = false;
    sp += l;
    length -= l;
  }
  if (!first) ctx.w(']');
}

// ---- PPTP ------------------------------------------------------------------------------------------

const PPTP_TYPES = [
  'NOT_DEFINED',
  'SCCRQ',
  'SCCRP',
  'StopCCRQ',
  'StopCCRP',
  'ECHORQ',
  'ECHORP',
  'OCRQ',
  'OCRP',
  'ICRQ',
  'ICRP',
  'ICCN',
  'CCRQ',
  'CDN',
  'WEN',
  'SLI',
];

function pptpPrint(ctx: Ctx, dat: number): void {
  ctx.proto = 'pptp';
  ctx.w(': pptp');
  const mc = ctx.u32(dat + 4);
  if (mc !== 0x1a2b3c4d) ctx.w(` UNEXPECTED Magic-Cookie!!(${hex8(mc)}) Magic-Cookie=${hex8(mc)}`);
  const type = ctx.u16(dat + 8);
  ctx.w(type < 16 ? ` CTRL_MSGTYPE=${PPTP_TYPES[type]}` : ` UNKNOWN_CTRL_MSGTYPE(${type})`);
  const rsv2 = (i: number) => {
    const v = ctx.u16(i);
    if (v) ctx.w(` [ERROR: reserved=${v} must be zero]`);
  };
  const rsv1 = (i: number) => {
    const v = ctx.u8(i);
    if (v) ctx.w(` [ERROR: reserved=${v} must be zero]`);
  };
  rsv2(dat + 10);
  const d = dat + 12;
  const u16 = (name: string, i: number) => ctx.w(` ${name}(${ctx.u16(i)})`);
  const u32 = (name: string, i: number) => ctx.w(` ${name}(${ctx.u32(i)})`);
  const protoVer = (i: number) => {
    const v = ctx.u16(i);
    ctx.w(` PROTO_VER(${v >> 8}.${v & 0xff})`);
  };
  const frameCap = (i: number) => {
    const v = ctx.u32(i);
    ctx.w(` FRAME_CAP(${v & 1 ? 'A' : ''}${v & 2 ? 'S' : ''})`);
  };
  const bearerCap = (i: number) => {
    const v = ctx.u32(i);
    ctx.w(` BEARER_CAP(${v & 2 ? 'D' : ''}${v & 1 ? 'A' : ''})`);
  };
  const str = (name: string, i: number, n: number) => {
    ctx.w(` ${name}(`);
    printJnp(ctx, i, n);
    ctx.w(')');
  };
  const result = (i: number) => ctx.w(` RESULT_CODE(${ctx.u8(i)})`);
  const err = (i: number) => ctx.w(` ERR_CODE(${ctx.u8(i)})`);
  const bearerType = (i: number) =>
    ctx.w(` BEARER_TYPE(${tok({ 1: 'A', 2: 'D', 3: 'Any' }, '?', ctx.u32(i))})`);
  const frameType = (i: number) => ctx.w(` FRAME_TYPE(${tok({ 1: 'A', 2: 'S', 3: 'E' }, '?', ctx.u32(i))})`);
  switch (type) {
    case 1:
      protoVer(d);
      rsv2(d + 2);
      frameCap(d + 4);
      bearerCap(d + 8);
      u16('MAX_CHAN', d + 12);
      u16('FIRM_REV', d + 14);
      str('HOSTNAME', d + 16, 64);
      str('VENDOR', d + 80, 64);
      break;
    case 2:
      protoVer(d);
      result(d + 2);
      err(d + 3);
      frameCap(d + 4);
      bearerCap(d + 8);
      u16('MAX_CHAN', d + 12);
      u16('FIRM_REV', d + 14);
      str('HOSTNAME', d + 16, 64);
      str('VENDOR', d + 80, 64);
      break;
    case 3:
      ctx.w(` REASON(${ctx.u8(d)})`);
      rsv1(d + 1);
      rsv2(d + 2);
      break;
    case 4:
      result(d);
      err(d + 1);
      rsv2(d + 2);
      break;
    case 5:
      u32('ID', d);
      break;
    case 6:
      u32('ID', d);
      result(d + 4);
      err(d + 5);
      rsv2(d + 6);
      break;
    case 7:
      u16('CALL_ID', d);
      u16('CALL_SER_NUM', d + 2);
      u32('MIN_BPS', d + 4);
      u32('MAX_BPS', d + 8);
      bearerType(d + 12);
      frameType(d + 16);
      u16('RECV_WIN', d + 20);
      u16('PROC_DELAY', d + 22);
      u16('PHONE_NO_LEN', d + 24);
      rsv2(d + 26);
      str('PHONE_NO', d + 28, Math.min(64, ctx.u16(d + 24)));
      str('SUB_ADDR', d + 92, 64);
      break;
    case 8:
      u16('CALL_ID', d);
      u16('PEER_CALL_ID', d + 2);
      result(d + 4);
      err(d + 5);
      u16('CAUSE_CODE', d + 6);
      u32('CONN_SPEED', d + 8);
      u16('RECV_WIN', d + 12);
      u16('PROC_DELAY', d + 14);
      u32('PHY_CHAN_ID', d + 16);
      break;
    case 9:
      u16('CALL_ID', d);
      u16('CALL_SER_NUM', d + 2);
      bearerType(d + 4);
      u32('PHY_CHAN_ID', d + 8);
      u16('DIALED_NO_LEN', d + 12);
      u16('DIALING_NO_LEN', d + 14);
      str('DIALED_NO', d + 16, Math.min(64, ctx.u16(d + 12)));
      str('DIALING_NO', d + 80, Math.min(64, ctx.u16(d + 14)));
      str('SUB_ADDR', d + 144, 64);
      break;
    case 10:
      u16('CALL_ID', d);
      u16('PEER_CALL_ID', d + 2);
      result(d + 4);
      err(d + 5);
      u16('RECV_WIN', d + 6);
      u16('PROC_DELAY', d + 8);
      rsv2(d + 10);
      break;
    case 11:
      u16('PEER_CALL_ID', d);
      rsv2(d + 2);
      u32('CONN_SPEED', d + 4);
      u16('RECV_WIN', d + 8);
      u16('PROC_DELAY', d + 10);
      frameType(d + 12);
      break;
    case 12:
      u16('CALL_ID', d);
      rsv2(d + 2);
      break;
    case 13:
      u16('CALL_ID', d);
      result(d + 2);
      err(d + 3);
      u16('CAUSE_CODE', d + 4);
      rsv2(d + 6);
      str('CALL_STATS', d + 8, 128);
      break;
    case 14:
      u16('PEER_CALL_ID', d);
      rsv2(d + 2);
      u32('CRC_ERR', d + 4);
      u32('FRAMING_ERR', d + 8);
      u32('HARDWARE_OVERRUN', d + 12);
      u32('BUFFER_OVERRUN', d + 16);
      u32('TIMEOUT_ERR', d + 20);
      u32('ALIGN_ERR', d + 24);
      break;
    case 15:
      u16('PEER_CALL_ID', d);
      rsv2(d + 2);
      ctx.w(` SEND_ACCM(0x${hex8(ctx.u32(d + 4))})`);
      ctx.w(` RECV_ACCM(0x${hex8(ctx.u32(d + 8))})`);
      break;
  }
}

// ---- Redis RESP ------------------------------------------------------------------------------------

/** A RESP parse that cannot go on: tcpdump gives up on the packet with ` [|resp]`. */
const RESP_TRUNC = { respTrunc: true } as const;

function respPrint(ctx: Ctx, bp: number, length: number): void {
  ctx.proto = 'resp';
  ctx.w(': RESP');
  try {
    while (length > 0) {
      const n = respParse(ctx, bp, length);
      bp += n;
      length -= n;
    }
  } catch (e) {
    if (e !== RESP_TRUNC) throw e;
    ctx.trunc();
  }
}

function respParse(ctx: Ctx, bp: number, length: number): number {
  if (length < 1) throw RESP_TRUNC;
  const op = ctx.u8(bp);
  switch (op) {
    case 0x2b: // +
    case 0x3a: // :
    case 0x2d: // -
      return respSimple(ctx, bp, length);
    case 0x24:
      return respBulkString(ctx, bp, length);
    case 0x2a:
      return respArray(ctx, bp, length);
    default:
      return respInline(ctx, bp, length);
  }
}

/** RESP_PRINT_SEGMENT. */
function respSegment(ctx: Ctx, i: number, n: number): void {
  ctx.w(' "');
  if (printN(ctx, i, n)) throw RESP_TRUNC;
  ctx.w(printChar(0x22));
}

function findCrlf(ctx: Ctx, p: number, len: number): [number, number] {
  for (;;) {
    if (len < 2) throw RESP_TRUNC;
    if (!ctx.has(p, 2)) throw RESP_TRUNC;
    if (ctx.u8(p) === 0x0d && ctx.u8(p + 1) === 0x0a) return [p, len];
    p++;
    len--;
  }
}

function respSimple(ctx: Ctx, bp: number, length: number): number {
  const start = bp + 1;
  const [p] = findCrlf(ctx, start, length - 1);
  const len = p - start;
  respSegment(ctx, start, len);
  return 1 + len + 2;
}

/** resp_get_length: [value or -2 truncated / -3 too large / -4 negative / -5 invalid, end index]. */
function respGetLength(ctx: Ctx, bp: number, len: number): [number, number] {
  if (len === 0) return [-2, bp];
  let tooLarge = false;
  let neg = false;
  if (ctx.u8(bp) === 0x2d) {
    neg = true;
    bp++;
    len--;
  }
  let result = 0;
  let sawDigit = false;
  for (;;) {
    if (len === 0) return [-2, bp];
    const c = ctx.u8(bp);
    if (!(c >= 0x30 && c <= 0x39)) {
      if (!sawDigit) return [-5, bp + 1];
      break;
    }
    const d = c - 0x30;
    if (result > 214748364) tooLarge = true;
    else {
      result *= 10;
      if (result === 2147483640 && d > 7) tooLarge = true;
      else result += d;
    }
    bp++;
    len--;
    sawDigit = true;
  }
  if (ctx.u8(bp) !== 0x0d) return [-5, bp + 1];
  bp++;
  len--;
  if (len === 0) return [-2, bp];
  if (ctx.u8(bp) !== 0x0a) return [-5, bp + 1];
  bp++;
  if (neg) {
    if (tooLarge || result !== 1) return [-4, bp];
    return [-1, bp];
  }
  return [tooLarge ? -3 : result, bp];
}

function respBadLength(ctx: Ctx, n: number, zeroIsEmpty: boolean): void {
  if (n === 0 && zeroIsEmpty) ctx.w(' empty');
  else if (n === -1) ctx.w(' null');
  else if (n === -2) throw RESP_TRUNC;
  else if (n === -3) ctx.w(' length too large');
  else if (n === -4) ctx.w(' length negative and not -1');
  else ctx.w(' invalid');
}

function respBulkString(ctx: Ctx, bp: number, length: number): number {
  let cur = length - 1;
  const start = bp + 1;
  const [n, end] = respGetLength(ctx, start, cur);
  cur -= end - start;
  let p = end;
  if (n >= 0) {
    if (n === 0) ctx.w(' empty');
    else {
      if (cur < n) throw RESP_TRUNC;
      if (!ctx.has(p, n)) throw RESP_TRUNC;
      respSegment(ctx, p, n);
      p += n;
      cur -= n;
    }
    const [q, l] = findCrlf(ctx, p, cur);
    p = q + 2;
    cur = l - 2;
  } else respBadLength(ctx, n, false);
  return length - cur;
}

function respArray(ctx: Ctx, bp: number, length: number): number {
  let cur = length - 1;
  const start = bp + 1;
  const [n, end] = respGetLength(ctx, start, cur);
  cur -= end - start;
  let p = end;
  if (n > 0) {
    for (let k = 0; k < n; k++) {
      const r = respParse(ctx, p, cur);
      p += r;
      cur -= r;
    }
  } else respBadLength(ctx, n, true);
  return length - cur;
}

function respInline(ctx: Ctx, bp: number, length: number): number {
  let cur = length;
  const consume = (p: number): number => {
    let found = false;
    for (;;) {
      if (cur === 0 || !ctx.has(p, 1)) {
        if (found) return p;
        throw RESP_TRUNC;
      }
      const c = ctx.u8(p);
      if (c !== 0x0d && c !== 0x0a) return p;
      found = true;
      p++;
      cur--;
    }
  };
  const p0 = consume(bp);
  let q = p0;
  for (;;) {
    if (cur < 1) throw RESP_TRUNC;
    const c = ctx.u8(q);
    if (c === 0x0d || c === 0x0a) break;
    q++;
    cur--;
  }
  respSegment(ctx, p0, q - p0);
  consume(q);
  return length - cur;
}

export { TRUNCATED };
