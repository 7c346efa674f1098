/**
 * The network part of one tcpdump line (everything after the timestamp): endpoints, then the TCP part
 * in the modern (`Flags [S.], seq ...`), quiet (`tcp N`), truncated (`[|tcp]`) or old 3.x form
 * (`S 1:1(0) win 5840 <mss 1460>`). Non-TCP lines are recognised and described, never rejected.
 */
import { commonLineTuning } from './commonLine';
import { excerpt, isDigit, isHexDigit, readUint, startsWithMacArrow } from './lineScanner';
import { findJoinedPackets, joinedPackets } from './pastedText';
import { portNumber } from './services';
import { SpanField, type TraceRecord } from './record';
import { optionListClose } from './tcpOptions';
import { TupleIds } from './tuples';
import {
  ACK,
  AE,
  CWR,
  ECE,
  FIN,
  PSH,
  RST,
  SYN,
  URG,
  type Endpoint,
  type ParseProblem,
  type RecordKind,
  type Span,
} from './types';

/** What one line contributed to its record. */
export interface LineResult {
  kind: RecordKind;
  problem?: ParseProblem;
  /** An IPv4 `-v` header line whose TCP part follows on the next (4-space) line. */
  awaitsTcpLine?: boolean;
}

export const MAX_U32 = 0xffffffff;
/** Two endpoints found on a line, with their columns. */
interface Endpoints {
  src: Endpoint;
  dst: Endpoint;
  start: number;
  srcEnd: number;
  dstStart: number;
  dstEnd: number;
}

/**
 * The endpoints found last. A line's endpoints are stored in its record as soon as they are found, so
 * one object serves every line instead of a new one per line of a large trace.
 */
const found: Endpoints = {
  src: undefined as unknown as Endpoint,
  dst: undefined as unknown as Endpoint,
  start: 0,
  srcEnd: 0,
  dstStart: 0,
  dstEnd: 0,
};

function foundEndpoints(
  src: Endpoint,
  dst: Endpoint,
  start: number,
  srcEnd: number,
  dstStart: number,
  dstEnd: number,
): Endpoints {
  found.src = src;
  found.dst = dst;
  found.start = start;
  found.srcEnd = srcEnd;
  found.dstStart = dstStart;
  found.dstEnd = dstEnd;
  return found;
}

/** Two endpoints and the separator never take more than this many characters. */
const ENDPOINTS_WINDOW = 420;
/** How many `: Flags [` occurrences of one line are tried as the TCP part. */
const MAX_CANDIDATES = 8;

const FLAG_LETTERS: Record<string, number> = {
  F: FIN,
  S: SYN,
  R: RST,
  P: PSH,
  '.': ACK,
  U: URG,
  E: ECE,
  W: CWR,
  e: AE,
};

/**
 * Endpoints are interned per parse: a connection's thousands of packets share two objects, which keeps
 * a large trace's heap small and gives every side a small numeric id.
 */
let endpointCache = new Map<string, Endpoint>();
/** The 4-tuple ids of the parse (see tuples.ts), kept with its endpoint table. */
let tupleIds = new TupleIds();

/** What a known head gives: its endpoints, their columns from the start of the head, the family. */
export interface KnownHead {
  src: Endpoint;
  dst: Endpoint;
  tuple: number;
  start: number;
  srcEnd: number;
  dstStart: number;
  af: 4 | 6;
}

/**
 * The heads (`IP SRC > DST` up to `: Flags [`) of the file, by their text: every packet of one side
 * of a connection has the same head, and one lookup of it replaces the search for the arrow and the
 * two endpoint lookups. Only plain heads (see plainFamily) are kept, whose reading depends on nothing
 * but their text and the endpoint table: as that table only grows, a hit gives what reading would.
 */
let knownHeads = new Map<string, KnownHead>();
/** Longer heads are read each time (their endpoints are still interned). */
export const MAX_HEAD_LENGTH = 160;

/** The known head `head` of the file being read (see useEndpoints), if it is one. */
export function knownHead(head: string): KnownHead | undefined {
  return knownHeads.get(head);
}
/** Bounds the memory of a file of countless connections: the table starts over when full. */
const MAX_KNOWN_HEADS = 50000;

/**
 * The head of a line not seen before (`text` from `bodyStart` up to `flagsAt`, where `: Flags [`
 * is), read as parseNetworkPart reads it, and kept: when it is a plain one (see knownHeads). For the
 * flat reader (commonLine.ts), which reads only lines of plain heads: a connection's first lines
 * need not go the general reader's long way.
 */
export function learnHead(text: string, bodyStart: number, flagsAt: number): KnownHead | undefined {
  if (flagsAt - bodyStart > MAX_HEAD_LENGTH) return undefined;
  const found = endpointsBefore(text, flagsAt, bodyStart, true);
  if (!found) return undefined;
  return keepHead(text.slice(bodyStart, flagsAt), text, bodyStart, found, tupleIds.of(found.src, found.dst));
}

/** Keeps `head`, whose endpoints are `found` in `text`, as known if it is plain; returns it if so. */
function keepHead(
  head: string,
  text: string,
  bodyStart: number,
  found: Endpoints,
  tuple: number,
): KnownHead | undefined {
  const af = plainFamily(text, bodyStart, found.start, found.src);
  if (!af) return undefined;
  if (knownHeads.size >= MAX_KNOWN_HEADS) knownHeads = new Map();
  const known: KnownHead = {
    src: found.src,
    dst: found.dst,
    tuple,
    start: found.start - bodyStart,
    srcEnd: found.srcEnd - bodyStart,
    dstStart: found.dstStart - bodyStart,
    af,
  };
  knownHeads.set(compactCopy(head), known);
  return known;
}

/**
 * A copy of `s` that holds its own characters. A slice of a line keeps pointing into the text of the
 * whole file: as a map key, every lookup that compares with it would read a cold line far back in the
 * text (a cache miss per packet of a large trace).
 */
function compactCopy(s: string): string {
  // The slice of a joined string is cut from a new copy of it (V8 flattens the join first): one copy,
  // where splitting into characters and joining them again made an array and a string per character.
  return ` ${s}`.slice(1);
}

/** Selects the endpoint table of the file being read (one per file, so ids stay small and nothing
 * leaks across files; kept with the parse so an edit can re-read one record with the same ids). */
export function useEndpoints(table: Map<string, Endpoint>, tuples: TupleIds): void {
  if (table === endpointCache) return;
  endpointCache = table;
  tupleIds = tuples;
  knownHeads = new Map();
}

function intern(key: string, host: string, portText: string, port: number | undefined): Endpoint {
  let e = endpointCache.get(key);
  if (!e) {
    e = { host, portText, port, key, id: endpointCache.size };
    endpointCache.set(key, e);
  }
  return e;
}

/** Splits `host.port` at the last dot. */
function endpoint(text: string, start: number, end: number, needPort: boolean): Endpoint | undefined {
  if (end <= start || end - start > 200) return undefined;
  const s = text.slice(start, end);
  const known = endpointCache.get(s);
  if (known) return needPort && known.portText === '' ? undefined : known;
  const dot = s.lastIndexOf('.');
  if (dot <= 0 || dot === s.length - 1) {
    if (needPort) return undefined;
    if (!plausibleHost(s)) return undefined;
    return intern(s, s, '', undefined);
  }
  const host = s.slice(0, dot);
  const portText = s.slice(dot + 1);
  // Without ports tcpdump prints just the address: a dotted quad, or a name whose last label is no
  // port number or service name.
  const portless =
    !needPort && (isDottedQuad(s) || (!/^\d+$/.test(portText) && portNumber(portText) === undefined));
  if (portless || !plausibleHost(host) || !plausiblePort(portText)) {
    if (needPort || !plausibleHost(s)) return undefined;
    return intern(s, s, '', undefined);
  }
  return intern(s, host, portText, portNumber(portText));
}

function isDottedQuad(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => p.length > 0 && p.length <= 3 && /^\d+$/.test(p));
}

function plausibleHost(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 58) || // digits and ':'
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 46 ||
      c === 45 ||
      c === 95 ||
      c === 37; // . - _ %
    if (!ok) return false;
  }
  return true;
}

function plausiblePort(s: string): boolean {
  if (s.length === 0 || s.length > 40) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok =
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 45 ||
      c === 95 ||
      c === 43;
    if (!ok) return false;
  }
  return true;
}

/** `SRC > DST` ending right before column `colon`, not starting before `min`. */
function endpointsBefore(text: string, colon: number, min: number, needPort: boolean): Endpoints | undefined {
  // Endpoints are short: look back a bounded distance, so that a huge line costs no more than its length.
  const from = Math.max(min, colon - ENDPOINTS_WINDOW);
  // lastIndexOf may look further back than `from` (to the line's start) when the arrow is missing:
  // only a long stretch before the window needs the copy that bounds the search.
  let gt: number;
  if (from - min > ENDPOINTS_WINDOW) {
    const gtIn = text.slice(from, colon).lastIndexOf(' > ');
    gt = gtIn < 0 ? -1 : from + gtIn;
  } else {
    gt = colon - 3 < from ? -1 : text.lastIndexOf(' > ', colon - 3);
    if (gt < from) gt = -1;
  }
  if (gt < 0 || gt + 3 >= colon) return undefined;
  const space = text.indexOf(' ', gt + 3);
  if (space >= 0 && space < colon) return undefined;
  let srcStart = gt > from ? text.lastIndexOf(' ', gt - 1) + 1 : from;
  if (srcStart < from) srcStart = from;
  const src = endpoint(text, srcStart, gt, needPort);
  const dst = endpoint(text, gt + 3, colon, needPort);
  if (!src || !dst) return undefined;
  return foundEndpoints(src, dst, srcStart, gt, gt + 3, colon);
}

/**
 * IPv6 with extension headers prints addresses and ports apart:
 * `IP6 A > B: HBH 41851 > 43913: Flags [P.]`. Join them into two endpoints.
 */
function extensionHeaderEndpoints(text: string, colon: number, min: number): Endpoints | undefined {
  const m = /(\d{1,5}) > (\d{1,5})$/.exec(text.slice(Math.max(min, colon - 14), colon));
  if (!m) return undefined;
  const portsAt = colon - m[0].length;
  const from = Math.max(min, portsAt - ENDPOINTS_WINDOW);
  const gtIn = text.slice(from, portsAt - 1).lastIndexOf(' > ');
  if (gtIn < 0) return undefined;
  const gt = from + gtIn;
  const addrColon = text.indexOf(': ', gt);
  if (addrColon < 0 || addrColon >= portsAt) return undefined;
  let srcStart = text.lastIndexOf(' ', gt - 1) + 1;
  if (srcStart < min) srcStart = min;
  const srcHost = text.slice(srcStart, gt);
  const dstHost = text.slice(gt + 3, addrColon);
  if (!plausibleHost(srcHost) || !plausibleHost(dstHost) || dstHost.includes(' ')) return undefined;
  const sp = m[1]!;
  const dp = m[2]!;
  const dpAt = colon - dp.length;
  const src = intern(`${srcHost}.${sp}`, srcHost, sp, Number(sp));
  const dst = intern(`${dstHost}.${dp}`, dstHost, dp, Number(dp));
  return foundEndpoints(src, dst, srcStart, gt, dpAt, colon);
}

/** A run of digits for a message: whole when short, cut with an ellipsis when absurdly long. */
function digitsText(text: string, from: number, to: number): string {
  return to - from > 24 ? `${text.slice(from, from + 24)}…` : text.slice(from, to);
}

/** Length of the line being read, so that a problem at its end never reaches past it. */
let currentLineLength = Number.MAX_SAFE_INTEGER;

/**
 * Where the fields of the line being read are read character by character: `lineSource` at `lineBase`
 * plus the column. parseTrace gives the text of the whole file, of which its lines are slices: V8 reads
 * a character of a slice about half again as slowly as one of the text it was cut from, and a large
 * trace has a hundred million of them. Otherwise it is the line itself, at 0. The characters are the
 * line's either way. Reads stay inside the line, but for literal comparisons that may run past its
 * end: there the file has its line feed (parseTrace passes only text without CRs) or nothing, which
 * no literal contains, as the line has nothing. Only the hot readers use it (readNumber,
 * modernFlagBits, fieldAt and the ', ' test); the rest reads the line.
 */
let lineSource = '';
let lineBase = 0;

function problem(message: string, line: number, start: number, end: number): ParseProblem {
  const s = Math.min(start, currentLineLength);
  const e = Math.min(Math.max(end, s + 1), currentLineLength);
  return { code: 'parse.malformed-line', message, span: { line, start: Math.min(s, e), end: e } };
}

/** Address family and link text from what precedes the endpoints. */
function networkContext(
  text: string,
  bodyStart: number,
  srcStart: number,
  src: Endpoint,
  out: TraceRecord,
): void {
  const plain = plainFamily(text, bodyStart, srcStart, src);
  if (plain) {
    out.af = plain;
    return;
  }
  const before = text.slice(bodyStart, srcStart);
  if (before.startsWith('IP6')) out.af = 6;
  else if (before.startsWith('IP ')) out.af = 4;
  else if (before.includes('IPv6')) out.af = 6;
  else if (before.includes('IPv4')) out.af = 4;
  else out.af = hostFamily(src.host);
  // Whatever precedes the endpoints other than the bare IP token: -e link headers, IPoIB, the outer
  // headers of a tunnel.
  let link = before.trim();
  if (link === 'IP' || link === 'IP6' || link.startsWith('IP (') || link.startsWith('IP6 (')) link = '';
  else if (link.startsWith('IP ') || link.startsWith('IP6 ')) link = link.slice(link.indexOf(' ') + 1);
  if (link) out.linkText = link.length > 200 ? link.slice(0, 200) : link;
  // "IP truncated-ip - 768 bytes missing!": the IP length claims bytes the capture never had.
  const missing = / truncated-ip - (\d{1,6}) bytes missing/.exec(before);
  if (missing) out.ipMissingBytes = Number(missing[1]);
  if (before.startsWith('IP (')) {
    const id = / id (\d{1,5}),/.exec(before);
    if (id) out.ipId = Number(id[1]);
  }
}

/**
 * The address family of a plain head, whose endpoints follow nothing but `IP ` or `IP6 ` (-n, -nn, no -v,
 * no -e) or nothing at all (the TCP line of -v); 0 for others, whose text before the endpoints says
 * more (link headers, tunnels, IP notes).
 */
function plainFamily(text: string, bodyStart: number, srcStart: number, src: Endpoint): 0 | 4 | 6 {
  if (srcStart === bodyStart + 3 && text.startsWith('IP ', bodyStart)) return 4;
  if (srcStart === bodyStart + 4 && text.startsWith('IP6 ', bodyStart)) return 6;
  if (srcStart === bodyStart) return hostFamily(src.host);
  return 0;
}

/** IPv6 when the host has colons and is no MAC address. */
function hostFamily(host: string): 4 | 6 {
  return host.includes(':') && !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(host) ? 6 : 4;
}

function withEndpoints(rec: TraceRecord, text: string, bodyStart: number, eps: Endpoints): TraceRecord {
  rec.setEndpoints(eps.src, eps.dst, tupleIds.of(eps.src, eps.dst));
  rec.setEndpointColumns(eps.start, eps.srcEnd, eps.dstStart, eps.dstEnd);
  networkContext(text, bodyStart, eps.start, eps.src, rec);
  return rec;
}

/**
 * Parses the network part of a line starting at `bodyStart` into `rec`. With `bare` (no timestamp
 * or number in front), returns undefined unless the text really looks like a packet.
 */
export function parseNetworkPart(
  text: string,
  bodyStart: number,
  line: number,
  bare: boolean,
  rec: TraceRecord,
  source = text,
  base = 0,
): LineResult | undefined {
  currentLineLength = text.length;
  lineSource = source;
  lineBase = base;
  // (The switch of the flat reader of the common line turns this one off too: tests compare both.)
  const header = commonLineTuning.enabled ? verboseTcpHeader(text, bodyStart, rec, source, base) : undefined;
  if (header) return header;
  // (a) modern TCP: the first ": Flags [" that follows a valid SRC > DST (tunnels print outer headers first).
  let idx = text.indexOf(': Flags [', bodyStart);
  for (let tries = 0; idx >= 0 && tries < MAX_CANDIDATES; tries++) {
    const head = idx - bodyStart <= MAX_HEAD_LENGTH ? text.slice(bodyStart, idx) : undefined;
    const known = head === undefined ? undefined : knownHeads.get(head);
    if (known) {
      rec.setEndpoints(known.src, known.dst, known.tuple);
      rec.setEndpointColumns(
        bodyStart + known.start,
        bodyStart + known.srcEnd,
        bodyStart + known.dstStart,
        idx,
      );
      rec.af = known.af;
      return parseModernTcp(text, idx + 2, line, rec);
    }
    const found =
      endpointsBefore(text, idx, bodyStart, true) ?? extensionHeaderEndpoints(text, idx, bodyStart);
    if (found) {
      withEndpoints(rec, text, bodyStart, found);
      if (head !== undefined) keepHead(head, text, bodyStart, found, rec.tuple!);
      return parseModernTcp(text, idx + 2, line, rec);
    }
    idx = text.indexOf(': Flags [', idx + 9);
  }
  // (b) -q: "tcp N", and the header-length errors that keep that shape.
  for (const marker of [': tcp ', ':  tcp ']) {
    const q = text.indexOf(marker, bodyStart);
    if (q < 0) continue;
    const eps = endpointsBefore(text, q, bodyStart, true);
    if (!eps) continue;
    withEndpoints(rec, text, bodyStart, eps);
    const numAt = q + marker.length;
    const n = readUint(text, numAt);
    if (Number.isNaN(n.value)) {
      return {
        kind: 'malformed',
        problem: problem(
          `expected the payload length after 'tcp', found '${excerpt(text, numAt)}'`,
          line,
          numAt,
          numAt + 1,
        ),
      };
    }
    rec.length = n.value;
    rec.lengthSpan = { line, start: numAt, end: n.end };
    const bad = text.indexOf('[bad hdr length', n.end) >= 0;
    if (bad) rec.truncated = true;
    return { kind: bad ? 'tcp-truncated' : 'tcp-quiet' };
  }
  // Non-first fragments: no TCP header, so no ports (`: ip-proto-6`, or `: tcp` with names on).
  const namedFragment = text.endsWith(': tcp');
  const frag = namedFragment ? text.length - 5 : text.indexOf(': ip-proto-6', bodyStart);
  if (frag > bodyStart && (namedFragment || /^: ip-proto-6( |$)/.test(text.slice(frag, frag + 14)))) {
    const eps = endpointsBefore(text, frag, bodyStart, false);
    // A fragment has no TCP header, so no ports: "1.2.3.4.5 > 6.7.8.9.80: tcp" is a broken -q line.
    if (eps && eps.src.portText === '' && eps.dst.portText === '') {
      withEndpoints(rec, text, bodyStart, eps).protocol = 'TCP fragment';
      return { kind: 'tcp-fragment' };
    }
  }
  // (c) the header was cut off before the flags.
  const trunc = text.indexOf('[|tcp]', bodyStart);
  if (trunc >= 0) {
    const colon = text.lastIndexOf(':', trunc);
    const eps = colon > bodyStart ? endpointsBefore(text, colon, bodyStart, false) : undefined;
    if (eps && text.slice(colon + 1, trunc).trim() === '') {
      withEndpoints(rec, text, bodyStart, eps).truncated = true;
      return { kind: 'tcp-truncated' };
    }
  }
  // (d) the old 3.x form, with endpoints.
  const gt = text.indexOf(' > ', bodyStart);
  if (gt >= 0) {
    const colon = text.indexOf(': ', gt + 3);
    if (colon >= 0) {
      const eps = endpointsBefore(text, colon, bodyStart, true);
      if (eps && looksOld(text, colon + 2)) {
        withEndpoints(rec, text, bodyStart, eps);
        return parseOldTcp(text, colon + 2, line, rec);
      }
      if (eps && /^(flags|tcp\b)/i.test(text.slice(colon + 2, colon + 9))) {
        withEndpoints(rec, text, bodyStart, eps);
        return {
          kind: 'malformed',
          problem: problem(
            `expected 'Flags [..]' or 'tcp N' after the endpoints, found '${excerpt(text, colon + 2)}'`,
            line,
            colon + 2,
            colon + 2 + Math.min(7, text.length - colon - 2),
          ),
        };
      }
    } else {
      // "SRC > DST Flags [S]": the colon after the destination is missing.
      const flagsAt = text.indexOf(' Flags [', gt);
      if (flagsAt >= 0 && text.indexOf(' ', gt + 3) === flagsAt) {
        return {
          kind: 'malformed',
          problem: problem(
            `expected ':' after the destination '${excerpt(text, gt + 3)}'`,
            line,
            gt + 3,
            flagsAt,
          ),
        };
      }
    }
  }
  // (e) a hand-written old-form fragment without endpoints: "P 1:79(78) ack 1".
  if (looksOld(text, bodyStart) && oldFieldFollows(text, bodyStart)) {
    return parseOldTcp(text, bodyStart, line, rec);
  }
  if (bare && !startsLikeOtherPacket(text, bodyStart)) return undefined;
  return describeOther(text, bodyStart, rec);
}

/**
 * Whether a line with no time or number in front (`-t`) starts as tcpdump starts a packet that is not
 * TCP: `IP`/`IP6`, `ARP, `, or an `-e` Ethernet header (`00:50:b6:29:10:70 > d6:c5:28:21:3e:af,
 * ethertype ...`). Anything else there is prose, not a packet. (Not `[|...]` either: -v prints a
 * decoder's truncation mark on a line of its own under its packet, `[|BGP Update]`.)
 */
function startsLikeOtherPacket(text: string, at: number): boolean {
  return text.startsWith('IP', at) || text.startsWith('ARP, ', at) || startsWithMacArrow(text, at);
}

/** The protocol of an IPv4 packet tcpdump printed as `bad-len 0` (see describeOther). */
export const OFFLOAD_SEND = 'IPv4, total length 0';
const OFFLOAD_MESSAGE =
  "tcpdump could not read this IPv4 packet: its total length is 0, as a host writes it into a send it hands to the network card to segment (TSO/LSO) when the capture runs on that host. The TCP segment it carries is not in the trace's analysis (Wireshark reads it from the frame's length)";

/** What verboseTcpHeader gives for every line it reads (the reader takes it at once). */
const VERBOSE_TCP_HEADER: LineResult = { kind: 'other', awaitsTcpLine: true };

/**
 * The -v IPv4 header line of a TCP packet in the form tcpdump prints for nearly all of them,
 * `IP (tos 0x0, ttl 64, id 27707, offset 0, flags [DF], proto TCP (6), length 60)` with nothing after
 * it, read in one pass: what describeOther finds in it (the family, the IP id, the protocol, and that
 * the TCP line comes next). parseNetworkPart would first search the line for each form of a TCP packet
 * on one line, and describeOther runs an expression per field. Undefined, with nothing written, for
 * any other line (the general path reads it). The characters are read at `base` of `source`, as the
 * flat reader reads them (commonLine.ts): startsWith on the line, a slice, cost more than the rest.
 */
function verboseTcpHeader(
  text: string,
  bodyStart: number,
  rec: TraceRecord,
  source: string,
  base: number,
): LineResult | undefined {
  const n = text.length;
  if (!wordAt(source, base, bodyStart, n, 'IP (tos 0x')) return undefined;
  let i = hexEnd(source, base, bodyStart + 10, n, 2);
  if (i < 0 || !wordAt(source, base, i, n, ', ttl ')) return undefined;
  i = digitsEnd(source, base, i + 6, n, 3);
  if (i < 0 || !wordAt(source, base, i, n, ', id ')) return undefined;
  const idStart = i + 5;
  // (describeOther takes an id of up to 5 digits: one of more is no IP id, left to it.)
  i = digitsEnd(source, base, idStart, n, 5);
  if (i < 0 || !wordAt(source, base, i, n, ', offset 0, flags [')) return undefined;
  let close = i + 19;
  while (close < n && close - i < 40 && source.charCodeAt(base + close) !== 93) close++;
  if (close >= n || close - i >= 40 || !wordAt(source, base, close + 1, n, ', proto TCP (6), length '))
    return undefined;
  i = digitsEnd(source, base, close + 25, n, 5);
  if (i < 0 || i + 1 !== n || source.charCodeAt(base + i) !== 41) return undefined;
  rec.af = 4;
  rec.ipId = readNumber(text, idStart, source, base);
  rec.protocol = 'TCP';
  commonLineTuning.headers++;
  return VERBOSE_TCP_HEADER;
}

/** Whether `word` is at `at` of the line at `base` of `source` (`n` long). */
function wordAt(source: string, base: number, at: number, n: number, word: string): boolean {
  if (at + word.length > n) return false;
  for (let k = 0; k < word.length; k++)
    if (source.charCodeAt(base + at + k) !== word.charCodeAt(k)) return false;
  return true;
}

/**
 * The end of the 1 to `max` digits at `from` of the line at `base` of `source` (`n` long), or -1
 * where there are none or more.
 */
function digitsEnd(source: string, base: number, from: number, n: number, max: number): number {
  let i = from;
  while (i < n && i - from <= max && isDigit(source.charCodeAt(base + i))) i++;
  return i === from || i - from > max ? -1 : i;
}

/** digitsEnd for hexadecimal digits. */
function hexEnd(source: string, base: number, from: number, n: number, max: number): number {
  let i = from;
  while (i < n && i - from <= max && isHexDigit(source.charCodeAt(base + i))) i++;
  return i === from || i - from > max ? -1 : i;
}

/** A record that is not TCP: name the protocol for hovers and the outline. */
function describeOther(text: string, bodyStart: number, rec: TraceRecord): LineResult {
  let body = text.slice(bodyStart, bodyStart + 400);
  // 4.99: "IP truncated-ip - 768 bytes missing! (tos ...": the IP length claims bytes never captured.
  const missing = /^IP truncated-ip - (\d{1,6}) bytes missing! /.exec(body);
  if (missing) {
    rec.ipMissingBytes = Number(missing[1]);
    body = `IP ${body.slice(missing[0].length)}`;
  }
  if (body.startsWith('IP (') || body.startsWith('IP6 (')) {
    const proto = /proto (\w+) \((\d+)\)/.exec(body) ?? /next-header (\w+) \((\d+)\)/.exec(body);
    rec.af = body.startsWith('IP6') ? 6 : 4;
    const id = / id (\d{1,5}),/.exec(body);
    if (id) rec.ipId = Number(id[1]);
    if (proto && proto[2] === '6') {
      const off = /offset (\d+)/.exec(body);
      if (off && off[1] !== '0') {
        rec.protocol = 'TCP fragment';
        return { kind: 'tcp-fragment' };
      }
      if (body.trimEnd().endsWith(')')) {
        rec.protocol = 'TCP';
        return { kind: 'other', awaitsTcpLine: true };
      }
    }
    rec.protocol = proto ? proto[1] : 'IP';
    return { kind: 'other' };
  }
  const colon = body.indexOf(': ');
  let what = colon >= 0 ? body.slice(colon + 2) : body;
  // tcpdump's "bad-len 0": an IPv4 packet whose total length field is 0 (`IP bad-len 0`, after -e's
  // header `...: bad-len 0`). A host that hands TCP segmentation (TSO, LSO) to its network card writes
  // that into a large send, and a capture on that host sees it before the card splits it: a TCP
  // segment tcpdump does not decode (Wireshark does, from the frame's length).
  if (what === 'IP bad-len 0' || what === 'bad-len 0') {
    rec.protocol = OFFLOAD_SEND;
    const at = bodyStart + (colon >= 0 ? colon + 2 : 3);
    return {
      kind: 'other',
      problem: {
        code: 'capture.offload-send',
        message: OFFLOAD_MESSAGE,
        span: { line: rec.line, start: at, end: at + 9 },
      },
    };
  }
  if (body.startsWith('ARP')) what = 'ARP';
  const word = /^[A-Za-z][\w-]*/.exec(what);
  rec.protocol = word ? word[0] : 'other';
  return { kind: 'other' };
}

/** Whether the text at `i` starts with an old-style flag word (`S`, `P`, `.`, `SF`...) and a space or the end. */
function looksOld(text: string, i: number): boolean {
  let j = i;
  while (j < text.length && j - i < 8) {
    const c = text[j]!;
    if ('SFRPWEU.sfrpweu'.includes(c)) j++;
    else break;
  }
  if (j === i) return false;
  return j === text.length || text.charCodeAt(j) === 32;
}

/** After the flag word: a `first:last(len)` triple, `ack`, `win` or the end of the line. */
function oldFieldFollows(text: string, i: number): boolean {
  const sp = text.indexOf(' ', i);
  if (sp < 0) return false;
  const rest = text.slice(sp + 1, sp + 6);
  return isDigit(rest.charCodeAt(0)) || rest.startsWith('ack ') || rest.startsWith('win ');
}

function flagsFromLetters(letters: string, modern: boolean): { flags: number; bad?: string } {
  let flags = 0;
  if (letters === 'none' || letters === '') return { flags };
  for (const ch of letters) {
    let bit = FLAG_LETTERS[ch];
    if (bit === undefined && !modern) bit = FLAG_LETTERS[ch.toUpperCase()];
    if (bit === undefined) return { flags, bad: ch };
    flags |= bit;
  }
  return { flags };
}

/** Where the last readNumber (or u32) call stopped. */
export let numberEnd = 0;

/**
 * readUint without its result object, for the fields of every line: the value (NaN when there are no
 * digits), and the column after the digits in `numberEnd`. The line's characters are read at `base`
 * of `source` (by default the line being read: see lineSource).
 */
export function readNumber(text: string, i: number, source = lineSource, base = lineBase): number {
  let j = i;
  // -0, not 0: V8 then computes in floating point from the first digit on. Starting from an integer,
  // its compiled code would assume integers until the first seq past 2^31, then be thrown away and
  // compiled again (with the reader it is inlined into).
  let value = -0;
  // `j < n` first: reading past the end (a number that ends the line) would make V8 call charCodeAt
  // instead of inlining it, for every number.
  for (const n = text.length; j < n; j++) {
    const c = source.charCodeAt(base + j);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  numberEnd = j;
  if (j === i) return NaN;
  // As readUint: more than 15 digits cannot be a TCP number. Up to 15 the sum is exact, as Number() is.
  return j - i > 15 ? Number.MAX_SAFE_INTEGER : value;
}

/**
 * A 32-bit number field, its end in `numberEnd`; records a problem and returns -1 when it is not one.
 */
function u32(text: string, at: number, line: number, what: string, out: LineResult): number {
  const value = readNumber(text, at);
  // Small, so that V8 inlines it into the field loop: the problems are made elsewhere.
  return value <= MAX_U32 ? value : notU32(text, at, line, what, out, value);
}

/** u32 for a `value` that is no 32-bit number (NaN: no digits): records the problem. */
function notU32(
  text: string,
  at: number,
  line: number,
  what: string,
  out: LineResult,
  value: number,
): number {
  out.kind = 'malformed';
  out.problem ??= Number.isNaN(value)
    ? problem(`expected a number after '${what}', found '${excerpt(text, at)}'`, line, at, at + 1)
    : problem(
        `${what} ${digitsText(text, at, numberEnd)} does not fit in 32 bits (at most 4294967295)`,
        line,
        at,
        numberEnd,
      );
  return -1;
}

/** The bit of each modern flag letter, by its character code (0: no flag letter). */
export const FLAG_BITS = new Uint16Array(128);
for (const [letter, bit] of Object.entries(FLAG_LETTERS)) FLAG_BITS[letter.charCodeAt(0)] = bit;

/**
 * The bits of the modern flag letters at `from..to` (`S.`, `FP.`...); -1 when one of them is no flag
 * letter, and for `none`: flagsFromLetters then reads them and names the bad letter. Read in place,
 * because slicing the letters out would copy a string per line; by a table, to stay small enough for
 * V8 to inline.
 */
export function modernFlagBits(from: number, to: number, source = lineSource, base = lineBase): number {
  let flags = 0;
  for (let k = from; k < to; k++) {
    const c = source.charCodeAt(base + k);
    const bit = c < 128 ? FLAG_BITS[c]! : 0;
    if (bit === 0) return -1;
    flags |= bit;
  }
  return flags;
}

// The fields of the modern form, as fieldAt names them.
export const FIELD_UNKNOWN = 0;
export const FIELD_SEQ = 1;
export const FIELD_ACK = 2;
export const FIELD_WIN = 3;
const FIELD_URG = 4;
const FIELD_CKSUM = 5;
export const FIELD_OPTIONS = 6;
export const FIELD_LENGTH = 7;
/** 4.99.6 notes such as "[ack 5 != 0 while ACK flag not set]". */
const FIELD_NOTE = 8;
/** `[|tcp]` and its kin: the header was cut off. */
const FIELD_CUT = 9;

/** Where the value of the field fieldAt found last starts: after the space that ends its name. */
let valueAt = 0;

/**
 * The field whose name starts at `i`, and the column of its value in `valueAt`: one of the common
 * names (commonFieldAt), or a rarer one read as a word.
 */
function fieldAt(text: string, i: number): number {
  const field = commonFieldAt(lineSource, lineBase + i);
  return field === FIELD_UNKNOWN
    ? fieldByWord(text, i)
    : fieldWithValueAt(field, i + COMMON_NAME_LENGTH[field]!);
}

/**
 * Which of the common field names (`seq `, `ack `, `win `, `options `, `length `, with the space) is
 * at `at` of `s`: FIELD_SEQ, FIELD_ACK, FIELD_WIN, FIELD_OPTIONS, FIELD_LENGTH (increasing in the
 * order tcpdump prints them), or FIELD_UNKNOWN. Compared in place, a character at a time: a copy of
 * each would be a string per field of every line, and startsWith is a call (about 15 ns) where the
 * compares are a few instructions.
 */
export function commonFieldAt(s: string, at: number): number {
  switch (s.charCodeAt(at)) {
    case 115: // "seq "
      return codesAt(s, at + 1, 101, 113, 32) ? FIELD_SEQ : FIELD_UNKNOWN;
    case 97: // "ack "
      return codesAt(s, at + 1, 99, 107, 32) ? FIELD_ACK : FIELD_UNKNOWN;
    case 119: // "win "
      return codesAt(s, at + 1, 105, 110, 32) ? FIELD_WIN : FIELD_UNKNOWN;
    case 111: // "options "
      return codesAt(s, at + 1, 112, 116, 105) &&
        codesAt(s, at + 4, 111, 110, 115) &&
        s.charCodeAt(at + 7) === 32
        ? FIELD_OPTIONS
        : FIELD_UNKNOWN;
    case 108: // "length "
      return codesAt(s, at + 1, 101, 110, 103) && codesAt(s, at + 4, 116, 104, 32)
        ? FIELD_LENGTH
        : FIELD_UNKNOWN;
  }
  return FIELD_UNKNOWN;
}

/** The length of each common field's name and its space, by field (commonFieldAt). */
export const COMMON_NAME_LENGTH: readonly number[] = [0, 4, 4, 4, 0, 0, 8, 7];

/** Character codes `a`, `b`, `c` at `at` of `s` (small, so V8 inlines it into commonFieldAt). */
function codesAt(s: string, at: number, a: number, b: number, c: number): boolean {
  return s.charCodeAt(at) === a && s.charCodeAt(at + 1) === b && s.charCodeAt(at + 2) === c;
}

function fieldWithValueAt(field: number, at: number): number {
  valueAt = at;
  return field;
}

/** fieldAt for the rarer fields: the name is the word up to the next space or the end of the line. */
function fieldByWord(text: string, i: number): number {
  const sp = text.indexOf(' ', i);
  valueAt = sp < 0 ? text.length : sp + 1;
  switch (text.slice(i, sp < 0 ? text.length : sp)) {
    case 'seq':
      return FIELD_SEQ;
    case 'ack':
      return FIELD_ACK;
    case 'win':
      return FIELD_WIN;
    case 'urg':
      return FIELD_URG;
    case 'cksum':
      return FIELD_CKSUM;
    case 'options':
      return FIELD_OPTIONS;
    case 'length':
      return FIELD_LENGTH;
    case '[ack':
    case '[urg':
    case '[was':
      return FIELD_NOTE;
    default:
      return text.startsWith('[|', i) ? FIELD_CUT : FIELD_UNKNOWN;
  }
}

/**
 * What parseModernTcp read on a line that is read through (most lines): one object for all of them,
 * as the reader takes what it needs from it at once (a large trace would leave one per line behind).
 */
const modernResult: LineResult = { kind: 'tcp', problem: undefined };

/** `Flags [..]` and the comma-separated fields after it. `p` points at "Flags [". */
function parseModernTcp(text: string, p: number, line: number, rec: TraceRecord): LineResult {
  const out = modernResult;
  out.kind = 'tcp';
  out.problem = undefined;
  const f = rec;
  f.format = 'modern';
  f.tcpLine = line;
  const open = p + 6;
  const close = text.indexOf(']', open + 1);
  if (close < 0 || close - open > 12) {
    return {
      kind: 'malformed',
      problem: problem(
        `expected ']' to close the flags after 'Flags ['`,
        line,
        p,
        Math.min(text.length, open + 12),
      ),
    };
  }
  let flags = modernFlagBits(open + 1, close);
  if (flags < 0) {
    const letters = text.slice(open + 1, close);
    const fl = flagsFromLetters(letters, true);
    if (fl.bad !== undefined) {
      return {
        kind: 'malformed',
        problem: problem(
          `unknown TCP flag '${excerpt(fl.bad, 0, 4)}' in 'Flags [${excerpt(letters, 0, 12)}]' (tcpdump prints F S R P . U E W e, or none)`,
          line,
          open + 1,
          close,
        ),
      };
    }
    flags = fl.flags;
  }
  f.flags = flags;
  f.setSpanColumns(SpanField.flags, p, close + 1);
  // The numbers the checks after the fields need, -1 until read: kept here, as reading them back from
  // the record costs more. (A record's TCP part is read once, so it had none before.)
  let seq = -1;
  let seqEnd = -1;
  let length = -1;
  let i = close + 1;
  while (i < text.length) {
    if (lineSource.charCodeAt(lineBase + i) !== 44 || lineSource.charCodeAt(lineBase + i + 1) !== 32) {
      // Not ', ' before the next field.
      if (
        text.startsWith(' [|', i) ||
        text.startsWith(' [bad hdr length', i) ||
        text.startsWith(' [remaining caplen', i)
      ) {
        f.truncated = true;
        break;
      }
      out.kind = 'malformed';
      out.problem = problem(
        `expected ', ' before the next field, found '${excerpt(text, i)}'`,
        line,
        i,
        i + 1,
      );
      break;
    }
    i += 2;
    const field = fieldAt(text, i);
    const at = valueAt;
    if (field === FIELD_SEQ) {
      seq = u32(text, at, line, 'seq', out);
      if (seq < 0) break;
      f.seq = seq;
      i = numberEnd;
      if (text.charCodeAt(i) === 58) {
        seqEnd = u32(text, i + 1, line, 'seq', out);
        if (seqEnd < 0) break;
        f.seqEnd = seqEnd;
        i = numberEnd;
      }
      f.setSpanColumns(SpanField.seq, at, i);
    } else if (field === FIELD_ACK || field === FIELD_WIN || field === FIELD_URG) {
      const what = field === FIELD_ACK ? 'ack' : field === FIELD_WIN ? 'win' : 'urg';
      const value = u32(text, at, line, what, out);
      if (value < 0) break;
      if (field === FIELD_ACK) {
        f.ack = value;
        f.setSpanColumns(SpanField.ack, at, numberEnd);
      } else if (field === FIELD_WIN) {
        f.win = value;
        f.setSpanColumns(SpanField.win, at, numberEnd);
      } else {
        f.urg = value;
        f.setSpanColumns(SpanField.urg, at, numberEnd);
      }
      i = numberEnd;
    } else if (field === FIELD_CKSUM) {
      // `0xHHHH (correct)` or `0xHHHH (incorrect -> 0xHHHH)`, read by hand (every packet of a -v trace
      // has one: an expression's match array and strings for each cost more than the rest of the line).
      const n = text.length;
      const valueEnd = wordAt(lineSource, lineBase, at, n, '0x')
        ? hexEnd(lineSource, lineBase, at + 2, n, 4)
        : -1;
      let end = -1;
      let expectedEnd = -1;
      if (valueEnd >= 0 && wordAt(lineSource, lineBase, valueEnd, n, ' (correct)')) end = valueEnd + 10;
      else if (valueEnd >= 0 && wordAt(lineSource, lineBase, valueEnd, n, ' (incorrect -> 0x')) {
        expectedEnd = hexEnd(lineSource, lineBase, valueEnd + 17, n, 4);
        if (expectedEnd >= 0 && lineSource.charCodeAt(lineBase + expectedEnd) === 41) end = expectedEnd + 1;
      }
      if (end < 0) {
        out.kind = 'malformed';
        out.problem = problem(
          `expected 'cksum 0xHHHH (correct)' or '(incorrect -> 0xHHHH)', found '${excerpt(text, at)}'`,
          line,
          at,
          at + 1,
        );
        break;
      }
      f.cksum = {
        value: text.slice(at + 2, valueEnd),
        correct: expectedEnd < 0,
        expected: expectedEnd < 0 ? undefined : text.slice(valueEnd + 17, expectedEnd),
        span: { line, start: i, end },
      };
      i = end;
    } else if (field === FIELD_OPTIONS) {
      if (text.charCodeAt(at) !== 91) {
        out.kind = 'malformed';
        out.problem = problem(`expected '[' after 'options'`, line, at, at + 1);
        break;
      }
      const listEnd = optionListClose(text, at);
      f.setOptionSource(text, at, line);
      f.setSpanColumns(SpanField.options, i, listEnd < 0 ? text.length : listEnd);
      if (listEnd < 0) {
        f.truncated = true;
        break;
      }
      i = listEnd;
    } else if (field === FIELD_LENGTH) {
      const value = readNumber(text, at);
      if (Number.isNaN(value)) {
        out.kind = 'malformed';
        out.problem = problem(
          `expected the payload length after 'length', found '${excerpt(text, at)}'`,
          line,
          at,
          at + 1,
        );
        break;
      }
      if (value > 0x3ffff) {
        out.kind = 'malformed';
        out.problem = problem(
          `length ${digitsText(text, at, numberEnd)} is larger than any IP packet`,
          line,
          at,
          numberEnd,
        );
        break;
      }
      length = value;
      f.length = length;
      f.setSpanColumns(SpanField.length, at, numberEnd);
      if (numberEnd < text.length) {
        // Packet lines that a paste ran on after this one are none of its payload.
        const joined = findJoinedPackets(text, numberEnd);
        const restEnd = joined.length ? joined[0]! : text.length;
        const rest = text.slice(numberEnd, Math.min(restEnd, numberEnd + 1000));
        // As printed after the number: ": HTTP: GET / HTTP/1.1"; DNS's "17177+ A? ..." follows a space.
        const summary = rest.charCodeAt(0) === 32 ? rest.trimStart() : rest;
        if (!joined.length) f.payloadSummary = summary;
        // (The space before a run-on packet is no part of this one's summary.)
        else if (summary.trimEnd()) f.payloadSummary = summary.trimEnd();
        if (rest.includes('[|tcp]')) f.truncated = true;
        if (joined.length) out.problem ??= joinedPackets(text, line, joined);
      }
      break;
    } else if (field === FIELD_NOTE) {
      const end = text.indexOf(']', at);
      if (end < 0) break;
      i = end + 1;
    } else if (field === FIELD_CUT) {
      f.truncated = true;
      break;
    } else {
      const sp = text.indexOf(' ', i);
      const word = text.slice(i, sp < 0 ? text.length : sp);
      out.kind = 'malformed';
      out.problem = problem(
        `unknown field '${excerpt(word, 0, 16)}' (expected seq, ack, win, urg, options or length)`,
        line,
        i,
        i + Math.max(1, Math.min(word.length, 40)),
      );
      break;
    }
  }
  if (out.kind === 'tcp' && seq >= 0 && seqEnd >= 0 && length >= 0) {
    // seq A:B always has B = A + length; anything else was edited by hand.
    if ((seqEnd - seq) >>> 0 !== length >>> 0 && f.seqSpan) {
      out.problem = {
        code: 'parse.length-mismatch',
        message: `seq ${seq}:${seqEnd} spans ${(seqEnd - seq) >>> 0} bytes but length is ${length}`,
        span: f.seqSpan,
      };
    }
  }
  if (out.kind === 'tcp' && length < 0 && !f.truncated) {
    // tcpdump always ends a full header with "length N"; without it the line was cut (e.g. "[bad opt]").
    f.truncated = true;
  }
  return out;
}

/** The 3.x form: `S 768512:768512(0) win 4096 <mss 1024>`, `. ack 1 win 4096`, `P 1:2(1) ack 1 win 4096 urg 1`. */
function parseOldTcp(text: string, p: number, line: number, rec: TraceRecord): LineResult {
  const out: LineResult = { kind: 'tcp' };
  const f = rec;
  f.format = 'old';
  f.tcpLine = line;
  const sp = text.indexOf(' ', p);
  const wordEnd = sp < 0 ? text.length : sp;
  const letters = text.slice(p, wordEnd);
  let flags = 0;
  for (const ch of letters) {
    const bit = FLAG_LETTERS[ch.toUpperCase()] ?? (ch === '.' ? ACK : undefined);
    // In 3.x '.' meant "no other flag"; ACK comes from the ack field. Hand-written "S." still means SYN+ACK.
    if (bit !== undefined && ch !== '.') flags |= bit;
  }
  f.flagsSpan = { line, start: p, end: wordEnd };
  let i = wordEnd;
  while (i < text.length) {
    while (text.charCodeAt(i) === 32) i++;
    if (i >= text.length) break;
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      // first:last(len)
      const first = u32(text, i, line, 'seq', out);
      if (first < 0) break;
      const firstEnd = numberEnd;
      if (text.charCodeAt(firstEnd) !== 58) {
        out.kind = 'malformed';
        out.problem = problem(`expected 'first:last(len)', found '${excerpt(text, i)}'`, line, i, firstEnd);
        break;
      }
      const last = u32(text, firstEnd + 1, line, 'seq', out);
      if (last < 0) break;
      const lastEnd = numberEnd;
      if (text.charCodeAt(lastEnd) !== 40) {
        out.kind = 'malformed';
        out.problem = problem(
          `expected '(len)' after '${text.slice(i, lastEnd)}'`,
          line,
          lastEnd,
          lastEnd + 1,
        );
        break;
      }
      const l = readUint(text, lastEnd + 1);
      if (Number.isNaN(l.value) || text.charCodeAt(l.end) !== 41) {
        out.kind = 'malformed';
        out.problem = problem(
          `expected a length and ')' in '${excerpt(text, i, 40)}'`,
          line,
          lastEnd,
          lastEnd + 1,
        );
        break;
      }
      f.seq = first;
      f.seqEnd = last;
      f.length = l.value;
      f.seqSpan = { line, start: i, end: l.end + 1 };
      f.lengthSpan = { line, start: lastEnd + 1, end: l.end };
      if ((last - first) >>> 0 !== l.value) {
        out.problem = {
          code: 'parse.length-mismatch',
          message: `${first}:${last} spans ${(last - first) >>> 0} bytes but the length in parentheses is ${l.value}`,
          span: f.seqSpan,
        };
      }
      i = l.end + 1;
    } else if (text.startsWith('ack ', i) || text.startsWith('win ', i) || text.startsWith('urg ', i)) {
      const word = text.slice(i, i + 3);
      const value = u32(text, i + 4, line, word, out);
      if (value < 0) break;
      const span: Span = { line, start: i + 4, end: numberEnd };
      if (word === 'ack') {
        f.ack = value;
        f.ackSpan = span;
        flags |= ACK;
      } else if (word === 'win') {
        f.win = value;
        f.winSpan = span;
      } else {
        f.urg = value;
        f.urgSpan = span;
        flags |= URG;
      }
      i = numberEnd;
    } else if (c === 60) {
      const close = optionListClose(text, i);
      const end = close < 0 ? text.length : close;
      f.setOptionSource(text, i, line);
      f.optionsSpan = { line, start: i, end };
      i = end;
    } else if (c === 40 || c === 91) {
      // IP notes of 3.x: (DF), [tos 0x10], (ttl 64, id 1, len 60), (frag 1:2@0+), [tcp sum ok].
      const close = text.indexOf(c === 40 ? ')' : ']', i);
      if (close < 0) break;
      i = close + 1;
    } else {
      // Payload decodes and free text after the fields are kept, not judged.
      f.payloadSummary = text.slice(i, i + 1000);
      break;
    }
  }
  if (letters.includes('.') && letters.length > 1) flags |= ACK;
  f.flags = flags;
  if (f.length === undefined) f.length = 0;
  return out;
}
