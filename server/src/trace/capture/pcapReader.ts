/**
 * A streaming reader of pcap and pcapng captures: feed it chunks of the file as they are read, and it
 * hands over each packet as soon as its bytes are complete. It keeps only the bytes of one unfinished
 * record (a pcap record or a pcapng block) between chunks, so a capture of any size streams through in
 * constant memory. Pure: no Node imports, Uint8Array in, plain objects out.
 *
 * What it reads follows libpcap 1.10 (sf-pcap.c, sf-pcapng.c), the library tcpdump reads files with:
 * pcap in both byte orders with microsecond or nanosecond time stamps (and the old 2.3 length swap, and
 * the "modified" pcap of Kuznetzov's patches); pcapng section header, interface description (link type,
 * snap length, if_tsresol, if_tsoffset), enhanced, simple and obsolete packet blocks, several interfaces
 * and sections, and packet comments (opt_comment). Time stamps are converted to the precision asked for
 * the way libpcap does (truncating nanoseconds to microseconds by default, as tcpdump asks).
 *
 * Damage (a record cut short, a block length that cannot be, a wrong magic) ends the reading with one
 * problem; every packet before it has been delivered.
 */

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CapturePacket {
  /** 1-based position among the packets delivered. */
  index: number;
  /** Seconds since the epoch (may be negative or beyond 2^31 in a damaged file). */
  tsSec: number;
  /** Fraction of the second, in microseconds (or nanoseconds with precision 'nano'). */
  tsFrac: number;
  /** Captured bytes, the packet's on-the-wire length, and the link-layer type (LINKTYPE_*). */
  caplen: number;
  len: number;
  linktype: number;
  /** The captured bytes; a view that is only valid during the callback. */
  readonly data: Uint8Array;
  /** The same bytes without a view: `caplen` bytes of `buffer` from `offset` (valid during the callback). */
  buffer: Uint8Array;
  offset: number;
  /** pcapng interface id (0 for pcap). */
  interfaceId: number;
  /** pcapng opt_comment values of the packet. */
  comments?: string[];
}

/** The packet handed to the callback: one object, reused; `data` is made only when asked for. */
class Packet implements CapturePacket {
  index = 0;
  tsSec = 0;
  tsFrac = 0;
  caplen = 0;
  len = 0;
  linktype = 0;
  buffer: Uint8Array = new Uint8Array(0);
  offset = 0;
  interfaceId = 0;
  comments: string[] | undefined = undefined;

  get data(): Uint8Array {
    return this.buffer.subarray(this.offset, this.offset + this.caplen);
  }
}

export interface CaptureProblem {
  message: string;
  /** Byte offset in the file where the damage starts. */
  offset: number;
  /** Packets delivered before it. */
  packets: number;
}

export interface ReaderOptions {
  /** Time stamp precision of tsFrac (default 'micro', as tcpdump reads files). */
  precision?: 'micro' | 'nano';
}

/** The most a packet may hold (libpcap's MAXIMUM_SNAPLEN) and the largest pcapng block it accepts. */
export const MAXIMUM_SNAPLEN = 262144;
const MAX_BLOCK = 16 * 1024 * 1024;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_KUZNETZOV = 0xa1b2cd34;
const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** What the first bytes say a file is: a pcap, a pcapng, or neither (undefined). */
export function detectCaptureFormat(bytes: Uint8Array): CaptureFormat | undefined {
  if (bytes.length < 4) return undefined;
  const be = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const le = ((bytes[3]! << 24) | (bytes[2]! << 16) | (bytes[1]! << 8) | bytes[0]!) >>> 0;
  if (be === PCAPNG_SHB) return 'pcapng';
  for (const m of [PCAP_MAGIC_US, PCAP_MAGIC_NS, PCAP_MAGIC_KUZNETZOV])
    if (be === m || le === m) return 'pcap';
  return undefined;
}

interface Iface {
  linktype: number;
  snaplen: number;
  /** Units per second of the time stamps, and their offset in seconds. */
  tsresol: number;
  tsresolBig: bigint;
  tsoffset: number;
}

/** pcap_adjust_snapshot: 0 or too large means "the most". */
function adjustSnaplen(snaplen: number): number {
  return snaplen === 0 || snaplen > MAXIMUM_SNAPLEN ? MAXIMUM_SNAPLEN : snaplen;
}

const UTF8 = new TextDecoder('utf-8');

export class CaptureReader {
  /** The file's format, once its first bytes were read. */
  format: CaptureFormat | undefined;
  /** The first interface's link type (pcap: the file's). */
  linktype = -1;
  /** Set when the reading stopped on damage. */
  problem: CaptureProblem | undefined;
  /** Packets delivered so far. */
  packets = 0;

  private readonly onPacket: (p: CapturePacket) => void;
  private readonly nano: boolean;
  /** Bytes of the unfinished unit carried over from the previous chunk. */
  private pend: Uint8Array = new Uint8Array(0);
  /** File offset of the first byte not yet consumed. */
  private offset = 0;
  private started = false;
  // pcap
  private little = true;
  private nanoFile = false;
  private hdrsize = 16;
  private snapshot = MAXIMUM_SNAPLEN;
  private lengthsSwapped: 0 | 1 | 2 = 0; // not, maybe, swapped
  // pcapng
  private ifaces: Iface[] = [];
  private sectionSeen = false;
  private readonly packet = new Packet();

  constructor(onPacket: (p: CapturePacket) => void, options: ReaderOptions = {}) {
    this.onPacket = onPacket;
    this.nano = options.precision === 'nano';
  }

  get done(): boolean {
    return this.problem !== undefined;
  }

  /** Reads a chunk. The chunk is used synchronously and not kept: the caller may reuse its memory. */
  push(chunk: Uint8Array): void {
    if (this.problem || chunk.length === 0) return;
    // A plain view: subarrays of a Node Buffer are slower to make.
    if (chunk.constructor !== Uint8Array)
      chunk = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    let off = 0;
    if (this.pend.length > 0) {
      // Complete the unit that straddles the chunks, taking from the chunk only what it needs.
      for (;;) {
        const need = this.unitSize(this.pend, 0, this.pend.length);
        if (this.problem) return;
        const want = need < 0 ? -need : need;
        const take = Math.min(want - this.pend.length, chunk.length - off);
        if (take > 0) {
          const joined = new Uint8Array(this.pend.length + take);
          joined.set(this.pend, 0);
          joined.set(chunk.subarray(off, off + take), this.pend.length);
          this.pend = joined;
          off += take;
        }
        if (this.pend.length < want) return; // the chunk ran out
        if (need > 0) break;
      }
      const unit = this.pend;
      this.pend = new Uint8Array(0);
      const used = this.parse(unit, 0, unit.length);
      if (this.problem) return;
      if (used !== unit.length) {
        // Cannot happen (the unit is complete), but never lose bytes.
        this.pend = new Uint8Array(unit.subarray(used));
        return;
      }
    }
    const used = this.parse(chunk, off, chunk.length);
    if (this.problem) return;
    // A copy: Buffer#slice would share memory the caller may reuse.
    if (used < chunk.length) this.pend = new Uint8Array(chunk.subarray(used));
  }

  /** The end of the file: an unfinished unit is a truncated capture. */
  end(): void {
    if (this.problem) return;
    if (!this.started && this.pend.length === 0) {
      this.fail('the file is empty');
      return;
    }
    if (this.pend.length === 0) return;
    const need = this.unitSize(this.pend, 0, this.pend.length);
    if (this.problem) return;
    const want = need < 0 ? -need : need;
    const got = this.pend.length;
    let message: string;
    if (!this.format || (this.format === 'pcap' && !this.started))
      message = `truncated capture: the file ends inside its file header (${got} of ${want} bytes)`;
    else if (this.format === 'pcap' && got < this.hdrsize)
      message = `truncated capture: the file ends inside the record header of packet ${this.packets + 1} (${got} of ${this.hdrsize} bytes)`;
    else if (this.format === 'pcap')
      message = `truncated capture: packet ${this.packets + 1} has ${want - this.hdrsize} captured bytes, but the file ends after ${got - this.hdrsize}`;
    else message = `truncated capture: the file ends inside a block (${got} of its ${want} bytes)`;
    this.fail(message);
  }

  private fail(message: string, at = this.offset): void {
    if (!this.problem) this.problem = { message, offset: at, packets: this.packets };
  }

  private r32(b: Uint8Array, i: number, little = this.little): number {
    return little
      ? (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0
      : ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  private r16(b: Uint8Array, i: number, little = this.little): number {
    return little ? b[i]! | (b[i + 1]! << 8) : (b[i]! << 8) | b[i + 1]!;
  }

  /**
   * The size of the unit starting at `i`: positive when known, negative (-n) when n bytes are needed to
   * know it. Sets a problem when the size cannot be valid.
   */
  private unitSize(b: Uint8Array, i: number, end: number): number {
    const avail = end - i;
    if (!this.format) {
      if (avail < 4) return -4;
      const f = detectCaptureFormat(b.subarray(i, i + 4));
      if (!f) {
        this.fail('not a pcap or pcapng capture: unknown magic number');
        return 0;
      }
      this.format = f;
    }
    if (this.format === 'pcap') {
      if (!this.started) return 24;
      if (avail < this.hdrsize) return -this.hdrsize;
      let caplen = this.r32(b, i + 8);
      const len = this.r32(b, i + 12);
      if (this.lengthsSwapped === 2 || (this.lengthsSwapped === 1 && caplen > len)) caplen = len;
      if (caplen > MAXIMUM_SNAPLEN) {
        this.fail(
          caplen > this.snapshot
            ? `invalid packet capture length ${caplen}, bigger than snaplen of ${this.snapshot} (packet ${this.packets + 1})`
            : `invalid packet capture length ${caplen}, bigger than maximum of ${MAXIMUM_SNAPLEN} (packet ${this.packets + 1})`,
        );
        return 0;
      }
      return this.hdrsize + caplen;
    }
    // pcapng: the section header's length can only be read once its byte order is known.
    if (avail < 8) return -8;
    const type = this.r32(b, i, false);
    if (type === PCAPNG_SHB) {
      if (avail < 12) return -12;
      const bom = this.r32(b, i + 8, true);
      if (bom === BYTE_ORDER_MAGIC) this.little = true;
      else if (bom === 0x4d3c2b1a) this.little = false;
      else {
        this.fail('the file has a section with a bad byte order magic field');
        return 0;
      }
    } else if (!this.sectionSeen) {
      this.fail('not a pcapng capture: it does not start with a section header block');
      return 0;
    }
    const total = this.r32(b, i + 4);
    if (total < 12) {
      this.fail(`block in pcapng dump file has a length of ${total} < 12`);
      return 0;
    }
    if (total % 4 !== 0) {
      this.fail(`block in pcapng dump file has a length of ${total} that is not a multiple of 4`);
      return 0;
    }
    if (total > MAX_BLOCK) {
      this.fail(`pcapng block size ${total} > maximum ${MAX_BLOCK}`);
      return 0;
    }
    return total;
  }

  /** Reads every complete unit in b[i, end); returns where the first incomplete one starts. */
  private parse(b: Uint8Array, i: number, end: number): number {
    while (i < end) {
      const size = this.unitSize(b, i, end);
      if (this.problem) return i;
      if (size < 0 || size > end - i) return i;
      this.started ||= true;
      if (this.format === 'pcap') {
        if (this.offset === 0) this.pcapHeader(b, i);
        else this.pcapRecord(b, i);
      } else this.pcapngBlock(b, i, size);
      if (this.problem) return i;
      i += size;
      this.offset += size;
    }
    return i;
  }

  private pcapHeader(b: Uint8Array, i: number): void {
    const be = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    this.little = be !== PCAP_MAGIC_US && be !== PCAP_MAGIC_NS && be !== PCAP_MAGIC_KUZNETZOV;
    const magic = this.r32(b, i);
    this.nanoFile = magic === PCAP_MAGIC_NS;
    this.hdrsize = magic === PCAP_MAGIC_KUZNETZOV ? 24 : 16;
    const major = this.r16(b, i + 4);
    const minor = this.r16(b, i + 6);
    if (major !== 2 && !(major === 543 && minor === 0)) {
      this.fail(`unsupported pcap savefile version ${major}.${minor}`);
      return;
    }
    this.lengthsSwapped = minor < 3 ? 2 : minor === 3 ? 1 : 0;
    this.snapshot = adjustSnaplen(this.r32(b, i + 16));
    this.linktype = this.r32(b, i + 20) & 0x03ffffff;
  }

  private pcapRecord(b: Uint8Array, i: number): void {
    const p = this.packet;
    let sec = this.r32(b, i);
    let frac = this.r32(b, i + 4);
    let caplen = this.r32(b, i + 8);
    let len = this.r32(b, i + 12);
    if (this.lengthsSwapped === 2 || (this.lengthsSwapped === 1 && caplen > len)) {
      const t = caplen;
      caplen = len;
      len = t;
    }
    if (sec >= 0x80000000) sec -= 0x100000000; // a signed 32-bit field
    if (this.nanoFile && !this.nano) frac = Math.floor(frac / 1000);
    else if (!this.nanoFile && this.nano) frac = (frac * 1000) % 0x100000000;
    // libpcap reads snapshot bytes of a longer record and skips the rest.
    if (caplen > this.snapshot) caplen = this.snapshot;
    const start = i + this.hdrsize;
    p.index = ++this.packets;
    p.tsSec = sec;
    p.tsFrac = frac;
    p.caplen = caplen;
    p.len = len;
    p.linktype = this.linktype;
    p.buffer = b;
    p.offset = start;
    p.interfaceId = 0;
    p.comments = undefined;
    this.onPacket(p);
  }

  private pcapngBlock(b: Uint8Array, i: number, size: number): void {
    const type = this.r32(b, i);
    const trailer = this.r32(b, i + size - 4);
    if (trailer !== size) {
      this.fail("block total length in header and trailer don't match");
      return;
    }
    const body = i + 8;
    const bodyEnd = i + size - 4;
    switch (type) {
      case PCAPNG_SHB: {
        if (bodyEnd - body < 16) return this.fail('section header block in pcapng dump file is too short');
        const major = this.r16(b, body + 4);
        if (major !== 1) return this.fail(`unknown pcapng savefile major version number ${major}`);
        this.sectionSeen = true;
        this.ifaces = [];
        return;
      }
      case 1: {
        // Interface description block.
        if (bodyEnd - body < 8)
          return this.fail('interface description block in pcapng dump file is too short');
        const iface: Iface = {
          linktype: this.r16(b, body),
          snaplen: adjustSnaplen(this.r32(b, body + 4)),
          tsresol: 1000000,
          tsresolBig: 1000000n,
          tsoffset: 0,
        };
        let bad: string | undefined;
        this.options(b, body + 8, bodyEnd, (code, v, vlen) => {
          if (code === 9) {
            if (vlen !== 1)
              bad = `Interface Description Block has if_tsresol option with length ${vlen} != 1`;
            else {
              const r = b[v]!;
              if (r & 0x80) {
                const shift = r & 0x7f;
                if (shift > 63)
                  bad = `Interface Description Block if_tsresol option resolution 2^-${shift} is too high`;
                else iface.tsresolBig = 1n << BigInt(shift);
              } else if (r > 19)
                bad = `Interface Description Block if_tsresol option resolution 10^-${r} is too high`;
              else iface.tsresolBig = 10n ** BigInt(r);
              iface.tsresol = Number(iface.tsresolBig);
            }
          } else if (code === 14) {
            if (vlen !== 8)
              bad = `Interface Description Block has if_tsoffset option with length ${vlen} != 8`;
            else {
              const hi = this.r32(b, v + (this.little ? 4 : 0));
              const lo = this.r32(b, v + (this.little ? 0 : 4));
              iface.tsoffset = Number(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
            }
          }
        });
        if (bad) return this.fail(bad);
        if (this.linktype < 0) this.linktype = iface.linktype;
        this.ifaces.push(iface);
        return;
      }
      case 6: // enhanced packet block
      case 2: {
        // obsolete packet block
        if (bodyEnd - body < 20) return this.fail('packet block in pcapng dump file is too short');
        const ifid = type === 6 ? this.r32(b, body) : this.r16(b, body);
        const hi = this.r32(b, body + 4);
        const lo = this.r32(b, body + 8);
        const caplen = this.r32(b, body + 12);
        const len = this.r32(b, body + 16);
        return this.pcapngPacket(b, body + 20, bodyEnd, ifid, hi, lo, caplen, len, true);
      }
      case 3: {
        // simple packet block: no time stamp, no interface id (the first interface).
        if (bodyEnd - body < 4) return this.fail('simple packet block in pcapng dump file is too short');
        const len = this.r32(b, body);
        const iface = this.ifaces[0];
        let caplen = len;
        if (iface && caplen > iface.snaplen) caplen = iface.snaplen;
        return this.pcapngPacket(b, body + 4, bodyEnd, 0, 0, 0, caplen, len, false);
      }
      default:
        return; // name resolution, statistics, custom and unknown blocks carry no packets
    }
  }

  private pcapngPacket(
    b: Uint8Array,
    data: number,
    bodyEnd: number,
    ifid: number,
    hi: number,
    lo: number,
    caplen: number,
    len: number,
    hasOptions: boolean,
  ): void {
    const iface = this.ifaces[ifid];
    if (!iface) {
      this.fail(
        `a packet arrived on interface ${ifid}, but there's no Interface Description Block for that interface`,
      );
      return;
    }
    if (caplen > iface.snaplen) {
      this.fail(`invalid packet capture length ${caplen}, bigger than snaplen of ${iface.snaplen}`);
      return;
    }
    if (caplen > bodyEnd - data) {
      this.fail(
        `block of packet ${this.packets + 1} in pcapng dump file is too short for its ${caplen} bytes`,
      );
      return;
    }
    let comments: string[] | undefined;
    if (hasOptions) {
      const optStart = data + ((caplen + 3) & ~3);
      if (optStart < bodyEnd)
        this.options(b, optStart, bodyEnd, (code, v, vlen) => {
          if (code === 1) (comments ??= []).push(UTF8.decode(b.subarray(v, v + vlen)));
        });
    }
    // libpcap: sec = t / resol + offset, frac = t % resol scaled to the precision asked for.
    const user = this.nano ? 1000000000 : 1000000;
    let sec: number;
    let frac: number;
    const tHi = hi * 4294967296;
    const t = tHi + lo;
    if (t <= Number.MAX_SAFE_INTEGER && iface.tsresol <= Number.MAX_SAFE_INTEGER) {
      sec = Math.floor(t / iface.tsresol);
      frac = t - sec * iface.tsresol;
      if (iface.tsresol !== user) {
        if (iface.tsresol > user && iface.tsresol % user === 0)
          frac = Math.floor(frac / (iface.tsresol / user));
        else if (user % iface.tsresol === 0) frac *= user / iface.tsresol;
        else frac = Number((BigInt(frac) * BigInt(user)) / iface.tsresolBig);
      }
    } else {
      const tb = (BigInt(hi) << 32n) | BigInt(lo);
      sec = Number(tb / iface.tsresolBig);
      frac = Number(((tb % iface.tsresolBig) * BigInt(user)) / iface.tsresolBig);
    }
    sec += iface.tsoffset;
    const p = this.packet;
    p.index = ++this.packets;
    p.tsSec = sec;
    p.tsFrac = frac;
    p.caplen = caplen;
    p.len = len;
    p.linktype = iface.linktype;
    p.buffer = b;
    p.offset = data;
    p.interfaceId = ifid;
    p.comments = comments;
    this.onPacket(p);
  }

  /** Walks a pcapng option list: code, value offset, value length. Stops at opt_endofopt or bad lengths. */
  private options(
    b: Uint8Array,
    i: number,
    end: number,
    visit: (code: number, v: number, vlen: number) => void,
  ): void {
    while (i + 4 <= end) {
      const code = this.r16(b, i);
      const vlen = this.r16(b, i + 2);
      if (code === 0) return;
      const v = i + 4;
      if (v + vlen > end) return;
      visit(code, v, vlen);
      i = v + ((vlen + 3) & ~3);
    }
  }
}
