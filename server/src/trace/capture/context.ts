/**
 * The printing context shared by every packet printer: the packet's bytes, how far they were captured
 * (tcpdump's `snapend`, with its stack of pushed limits), the text written so far and the name of the
 * protocol being printed (for tcpdump's ` [|proto]` truncation marker).
 *
 * tcpdump's printers leave with a longjmp when they read past the captured bytes; here the bounds-checked
 * readers throw TRUNCATED and the packet printer catches it and appends ` [|proto]`, exactly where tcpdump
 * does.
 */

/** Thrown by a bounds-checked read past the captured bytes (tcpdump's `nd_trunc_longjmp`). */
export const TRUNCATED = { truncated: true } as const;

const EMPTY = new Uint8Array(0);
const UTF8 = new TextDecoder('utf-8');
/** "00" to "99" as character codes, two per number. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Relative sequence number bases of one conversation (tcpdump's `tcp_seq_hash` entry). */
export interface SeqEntry {
  /** The lower side's address bytes joined (IPv6) or the address number (IPv4). */
  src: number | string;
  dst: number | string;
  seq: number;
  ack: number;
  /** The endpoint text (`A.P > B.Q: `) of each direction, once printed: the lower side's, the other's. */
  textFwd?: Uint8Array;
  textRev?: Uint8Array;
}

export interface PrintOptions {
  /** The interface name of a LINUX_SLL2 interface index, as tcpdump resolves it on the reading machine. */
  interfaceName?: (index: number) => string | undefined;
}

export class Ctx {
  /** The packet's captured bytes (offset 0 is the link-layer header). */
  b: Uint8Array = EMPTY;
  /** One past the last byte printers may read (tcpdump's ndo_snapend, as an index). */
  end = 0;
  /** Saved `end` values of nd_push_snaplen (a stack; `depth` entries in use). */
  private saved: number[] = [];
  private depth = 0;
  /**
   * The text written so far, as ASCII bytes (tcpdump's output is ASCII: every packet byte shown as text
   * goes through printChar). Writing bytes instead of joining strings keeps rendering fast.
   */
  ob: Uint8Array = new Uint8Array(1 << 16);
  /** Bytes used in `ob`. */
  op = 0;
  /** tcpdump's ndo_protocol: the name printed in ` [|name]`. */
  proto = '';
  /** tcpdump's table of relative sequence number bases, for IPv4 and IPv6, keyed by the ports word. */
  readonly seq4 = new Map<number, SeqEntry[]>();
  readonly seq6 = new Map<number, SeqEntry[]>();
  readonly options: PrintOptions;

  constructor(options: PrintOptions = {}) {
    this.options = options;
  }

  /** Starts a packet: its `caplen` bytes are `bytes` from `base` (0 unless the printer starts at `base`). */
  begin(bytes: Uint8Array, caplen: number, base = 0): void {
    this.b = bytes;
    this.end = base + caplen;
    this.depth = 0;
    this.proto = '';
  }

  /** Room for n more output bytes. */
  room(n: number): void {
    if (this.op + n > this.ob.length) {
      const bigger = new Uint8Array(Math.max(this.ob.length * 2, this.op + n + 1024));
      bigger.set(this.ob.subarray(0, this.op));
      this.ob = bigger;
    }
  }

  /** Writes text (ASCII). */
  w(s: string): void {
    const n = s.length;
    if (this.op + n > this.ob.length) this.room(n);
    const ob = this.ob;
    let op = this.op;
    for (let k = 0; k < n; k++) ob[op++] = s.charCodeAt(k);
    this.op = op;
  }

  /** Writes bytes already encoded. */
  bytes(a: Uint8Array): void {
    const n = a.length;
    if (this.op + n > this.ob.length) this.room(n);
    this.ob.set(a, this.op);
    this.op += n;
  }

  /** Writes exactly six digits (a microsecond fraction below 10^6). */
  six(v: number): void {
    if (this.op + 6 > this.ob.length) this.room(6);
    const ob = this.ob;
    const op = this.op;
    const a = (v / 10000) | 0;
    const rest = v - a * 10000;
    const b2 = (rest / 100) | 0;
    const c2 = rest - b2 * 100;
    ob[op] = PAIRS[a << 1]!;
    ob[op + 1] = PAIRS[(a << 1) + 1]!;
    ob[op + 2] = PAIRS[b2 << 1]!;
    ob[op + 3] = PAIRS[(b2 << 1) + 1]!;
    ob[op + 4] = PAIRS[c2 << 1]!;
    ob[op + 5] = PAIRS[(c2 << 1) + 1]!;
    this.op = op + 6;
  }

  /** Writes one character code. */
  c(code: number): void {
    if (this.op + 1 > this.ob.length) this.room(1);
    this.ob[this.op++] = code;
  }

  /** Writes an unsigned integer in decimal. */
  n(v: number): void {
    let u = v >>> 0;
    if (u !== v) {
      // Not a 32-bit unsigned integer (a 64-bit MPTCP number, say): rare, the slow way.
      this.w(String(v));
      return;
    }
    if (this.op + 10 > this.ob.length) this.room(10);
    const ob = this.ob;
    const digits =
      u < 100000
        ? u < 100
          ? u < 10
            ? 1
            : 2
          : u < 1000
            ? 3
            : u < 10000
              ? 4
              : 5
        : u < 10000000
          ? u < 1000000
            ? 6
            : 7
          : u < 100000000
            ? 8
            : u < 1000000000
              ? 9
              : 10;
    let op = this.op + digits;
    this.op = op;
    while (u >= 100) {
      const q = (u / 100) >>> 0;
      const r = (u - q * 100) << 1;
      ob[--op] = PAIRS[r + 1]!;
      ob[--op] = PAIRS[r]!;
      u = q;
    }
    if (u >= 10) {
      const r = u << 1;
      ob[--op] = PAIRS[r + 1]!;
      ob[--op] = PAIRS[r]!;
    } else ob[--op] = 48 + u;
  }

  /** Writes an unsigned integer zero-padded to `width` digits (wider values print in full). */
  padded(v: number, width: number): void {
    if (this.op + width > this.ob.length) this.room(width);
    const start = this.op;
    this.n(v);
    const digits = this.op - start;
    if (digits < width) {
      const ob = this.ob;
      const shift = width - digits;
      ob.copyWithin(start + shift, start, this.op);
      ob.fill(48, start, start + shift);
      this.op += shift;
    }
  }

  /** Takes the text written so far as a string, and empties the output. */
  take(): string {
    const s = UTF8.decode(this.ob.subarray(0, this.op));
    this.op = 0;
    return s;
  }

  /** ND_TTEST_LEN: are `n` bytes at `i` captured? */
  has(i: number, n: number): boolean {
    return n >= 0 && i >= 0 && i + n <= this.end;
  }

  /** Bytes captured from `i` on (ND_BYTES_AVAILABLE_AFTER). */
  avail(i: number): number {
    return this.end > i ? this.end - i : 0;
  }

  /** ND_TCHECK_LEN. */
  check(i: number, n: number): void {
    if (!(n >= 0 && i >= 0 && i + n <= this.end)) throw TRUNCATED;
  }

  u8(i: number): number {
    if (i < 0 || i >= this.end) throw TRUNCATED;
    return this.b[i]!;
  }

  u16(i: number): number {
    if (i < 0 || i + 2 > this.end) throw TRUNCATED;
    const b = this.b;
    return (b[i]! << 8) | b[i + 1]!;
  }

  u24(i: number): number {
    if (i < 0 || i + 3 > this.end) throw TRUNCATED;
    const b = this.b;
    return (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
  }

  u32(i: number): number {
    if (i < 0 || i + 4 > this.end) throw TRUNCATED;
    const b = this.b;
    return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  /** nd_push_snaplen: limit the captured bytes to `len` from `i` (never extends them). */
  push(i: number, len: number): void {
    this.saved[this.depth++] = this.end;
    if (len <= this.end - i) this.end = i + len;
  }

  /** nd_change_snaplen, with tcpdump's choice of the earlier limit. */
  change(i: number, len: number): void {
    const previous = this.depth >= 2 ? this.saved[this.depth - 2]! : this.end;
    if (len <= previous - i) this.end = i + len;
  }

  /** nd_pop_packet_info. */
  pop(): void {
    if (this.depth > 0) this.end = this.saved[--this.depth]!;
  }

  /** nd_print_trunc. */
  trunc(): void {
    this.w(' [|');
    this.w(this.proto);
    this.c(93);
  }

  /** nd_print_protocol_caps. */
  protoCaps(): string {
    return this.proto.toUpperCase();
  }
}

/** fn_print_char: a byte as tcpdump shows it in text (`M-` for 8-bit, `^` for control characters). */
export function printChar(c: number): string {
  let s = '';
  if (c > 0x7f) {
    c &= 0x7f;
    s = 'M-';
  }
  if (c < 0x20 || c === 0x7f) {
    c ^= 0x40;
    s += '^';
  }
  return s + String.fromCharCode(c);
}

/** nd_printn: up to n bytes as text, stopping at the capture end; returns true when cut short. */
export function printN(ctx: Ctx, i: number, n: number): boolean {
  let s = '';
  while (n > 0 && i < ctx.end) {
    n--;
    s += printChar(ctx.u8(i++));
  }
  ctx.w(s);
  return n !== 0;
}

/** nd_printjnp: a NUL-padded string of at most n bytes (reads past the capture end throw). */
export function printJnp(ctx: Ctx, i: number, n: number): void {
  let s = '';
  try {
    while (n > 0) {
      const c = ctx.u8(i);
      if (c === 0) break;
      s += printChar(c);
      n--;
      i++;
    }
  } finally {
    ctx.w(s);
  }
}

const HEX = '0123456789abcdef';

export function hex2(v: number): string {
  return HEX[(v >> 4) & 15]! + HEX[v & 15]!;
}

export function hex4(v: number): string {
  return hex2((v >> 8) & 0xff) + hex2(v & 0xff);
}

export function hex8(v: number): string {
  return hex4((v >>> 16) & 0xffff) + hex4(v & 0xffff);
}

/** tok2str: a table lookup with a printf-style fallback for unknown values. */
export function tok(table: Record<number, string>, fallback: string, v: number): string {
  const s = table[v];
  if (s !== undefined) return s;
  return fallback.replace('%u', String(v)).replace('0x%04x', `0x${hex4(v)}`);
}

/** hex_and_ascii_print (tcpdump's default printer for unknown payloads), with the `\n\t` prefix. */
export function hexAndAscii(ctx: Ctx, i: number, length: number): void {
  const caplength = ctx.avail(i);
  let truncated = false;
  if (length > caplength) {
    length = caplength;
    truncated = true;
  }
  let s = '';
  let offset = 0;
  while (offset < length) {
    const n = Math.min(16, length - offset);
    let hexPart = '';
    let ascii = '';
    for (let k = 0; k < n; k++) {
      const c = ctx.b[i + offset + k]!;
      hexPart += (k % 2 === 0 ? ' ' : '') + hex2(c);
      ascii += c > 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    // Lines are padded so the ASCII column lines up: 8 groups of "xxxx" each preceded by a space.
    const width = 40;
    s += `\n\t0x${hex4(offset)}: ${hexPart}${' '.repeat(width - hexPart.length)}  ${ascii}`;
    offset += n;
  }
  ctx.w(s);
  if (truncated) throw TRUNCATED;
}
