/**
 * Captures to tcpdump text: pcap and pcapng files rendered line for line as tcpdump 4.99.3 prints them
 * with `-nn` (timestamps 'clock') or `-nn -tttt` (timestamps 'datetime'), so the rest of the core reads
 * them like any trace. pcapng packet comments become `# ` lines above their packet.
 *
 * Two ways in: `renderCapture(bytes or chunks)` for a whole capture, and `CaptureRenderer` to stream one
 * (push chunks as they are read, get each chunk's text back). Damage stops the rendering with one
 * problem after every packet before it. Pure: no Node imports.
 */
import { Ctx, TRUNCATED, type PrintOptions } from './context';
import { etherPrint, printLink } from './linkLayers';
import { CaptureReader, MAXIMUM_SNAPLEN, type CapturePacket, type CaptureProblem } from './pcapReader';

export { detectCaptureFormat, CaptureReader, MAXIMUM_SNAPLEN } from './pcapReader';
export type { CaptureFormat, CapturePacket, CaptureProblem, ReaderOptions } from './pcapReader';
export type { PrintOptions } from './context';

export interface RenderOptions extends PrintOptions {
  /** 'clock' is tcpdump's default `HH:MM:SS.ffffff`, 'datetime' its -tttt `YYYY-MM-DD HH:MM:SS.ffffff`. */
  timestamps?: 'clock' | 'datetime';
  /** tcpdump prints times in the reader's local zone; 'utc' is what TZ=UTC gives (default 'local'). */
  timeZone?: 'local' | 'utc';
  /** Fraction digits: 6 as tcpdump prints by default, 9 as with --nano. */
  precision?: 'micro' | 'nano';
  /** Write pcapng packet comments as `# ` lines above their packet (default true). */
  comments?: boolean;
  /** Record the 0-based line where each packet's text starts (`packetLines`). */
  trackLines?: boolean;
  /**
   * Stop before the packet whose text would take the rendering past this many UTF-8 bytes: the packets
   * before it are kept, nothing after it is rendered, and `stopped` says so (default: no limit).
   */
  maxBytes?: number;
}

export interface RenderResult {
  text: string;
  packetCount: number;
  /** At most one: the damage that ended the reading. */
  problems: CaptureProblem[];
  format: 'pcap' | 'pcapng' | undefined;
  /** With trackLines: the 0-based line of each packet's first line, in packet order. */
  packetLines?: number[];
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

const UTF8 = new TextEncoder();

/** Renders packets to tcpdump lines, keeping tcpdump's per-file state (the relative numbering table). */
export class PacketPrinter {
  /** The printing context; its output buffer holds the text rendered so far. */
  readonly ctx: Ctx;
  private readonly datetime: boolean;
  private readonly utc: boolean;
  private readonly nano: boolean;
  private lastSec = Number.NaN;
  private lastPrefix = '';
  private lastPrefixBytes = new Uint8Array(0);

  constructor(options: RenderOptions = {}) {
    this.ctx = new Ctx(options);
    this.datetime = options.timestamps === 'datetime';
    this.utc = options.timeZone === 'utc';
    this.nano = options.precision === 'nano';
  }

  /** ts_print: the time stamp and the space after it. */
  private timestamp(sec: number, frac: number): void {
    const ctx = this.ctx;
    if (sec !== this.lastSec) {
      this.lastSec = sec;
      this.lastPrefix = '';
      if (!((sec >>> 0) & 0x80000000)) {
        const d = new Date(sec * 1000);
        if (!Number.isNaN(d.getTime())) {
          const utc = this.utc;
          const h = utc ? d.getUTCHours() : d.getHours();
          const m = utc ? d.getUTCMinutes() : d.getMinutes();
          const s = utc ? d.getUTCSeconds() : d.getSeconds();
          let p = `${pad2(h)}:${pad2(m)}:${pad2(s)}.`;
          if (this.datetime) {
            const y = utc ? d.getUTCFullYear() : d.getFullYear();
            const mo = (utc ? d.getUTCMonth() : d.getMonth()) + 1;
            const da = utc ? d.getUTCDate() : d.getDate();
            p = `${y}-${pad2(mo)}-${pad2(da)} ${p}`;
          }
          this.lastPrefix = p;
          this.lastPrefixBytes = Uint8Array.from(p, (ch) => ch.charCodeAt(0));
        }
      }
    }
    if (this.lastPrefix === '') {
      ctx.w('[Error converting time] ');
      return;
    }
    ctx.bytes(this.lastPrefixBytes);
    const f = frac >>> 0;
    if (!this.nano && f < 1000000) ctx.six(f);
    else ctx.padded(f, this.nano ? 9 : 6);
    ctx.c(32);
  }

  /** Writes a `# ` line per line of a comment (UTF-8). */
  comment(text: string): void {
    const ctx = this.ctx;
    for (const line of text.split(/\r?\n/)) {
      const l = `# ${line}`.trimEnd();
      ctx.room(l.length * 3 + 1);
      ctx.op += UTF8.encodeInto(l, ctx.ob.subarray(ctx.op)).written;
      ctx.c(10);
    }
  }

  /** pretty_print_packet: writes one packet's text (its line, and any continuation lines) and a newline. */
  print(p: CapturePacket): void {
    const ctx = this.ctx;
    const caplen = p.caplen;
    const len = p.len;
    if (caplen === 0 || len === 0 || len < caplen || caplen > MAXIMUM_SNAPLEN || len > MAXIMUM_SNAPLEN) {
      let invalid = '';
      if (caplen === 0) invalid = '[Invalid header: caplen==0';
      if (len === 0) invalid += invalid ? ', len==0' : '[Invalid header: len==0';
      else if (len < caplen)
        invalid += `${invalid ? ',' : '[Invalid header:'} len(${len}) < caplen(${caplen})`;
      if (caplen > MAXIMUM_SNAPLEN)
        invalid += `${invalid ? ',' : '[Invalid header:'} caplen(${caplen}) > ${MAXIMUM_SNAPLEN}`;
      if (len > MAXIMUM_SNAPLEN)
        invalid += `${invalid ? ',' : '[Invalid header:'} len(${len}) > ${MAXIMUM_SNAPLEN}`;
      ctx.w(`${invalid}]\n`);
      return;
    }
    this.timestamp(p.tsSec, p.tsFrac);
    // Ethernet is read in place (no view per packet); the other link printers read from offset 0.
    const inPlace = p.linktype === 1;
    if (inPlace) ctx.begin(p.buffer, caplen, p.offset);
    else ctx.begin(p.data, caplen);
    const mark = ctx.op;
    try {
      if (inPlace) {
        ctx.proto = 'ether';
        etherPrint(ctx, p.offset, len, caplen);
      } else printLink(ctx, p.linktype, len, caplen);
    } catch (e) {
      if (e === TRUNCATED) ctx.trunc();
      else if (e instanceof RangeError) {
        // Too deep a nesting of tunnels for the stack: say so rather than fail the capture.
        if (ctx.op < mark) ctx.op = mark;
        ctx.w(' [|nesting too deep]');
      } else throw e;
    }
    ctx.c(10);
  }

  /** Takes the text written so far. */
  take(): string {
    return this.ctx.take();
  }

  /** Takes the bytes written so far (a view valid until the next write). */
  takeBytes(): Uint8Array {
    const ctx = this.ctx;
    const bytes = ctx.ob.subarray(0, ctx.op);
    ctx.op = 0;
    return bytes;
  }
}

/** A capture rendered as it streams in: push chunks, get each chunk's text back. */
export class CaptureRenderer {
  private readonly printer: PacketPrinter;
  private readonly reader: CaptureReader;
  private readonly comments: boolean;
  /** With trackLines: lines written so far, and each packet's first line. */
  private lines = 0;
  readonly packetLines: number[] | undefined;
  private readonly maxBytes: number;
  /** UTF-8 bytes of text handed out so far (the printer's buffer holds the rest). */
  private written = 0;
  private rendered = 0;
  private full = false;

  constructor(options: RenderOptions = {}) {
    this.printer = new PacketPrinter(options);
    this.comments = options.comments !== false;
    this.packetLines = options.trackLines ? [] : undefined;
    this.maxBytes = options.maxBytes ?? Infinity;
    this.reader = new CaptureReader((p) => this.onPacket(p), { precision: options.precision });
  }

  private onPacket(p: CapturePacket): void {
    if (this.full) return;
    const ctx = this.printer.ctx;
    const from = ctx.op;
    const linesBefore = this.lines;
    if (this.comments && p.comments) for (const c of p.comments) this.printer.comment(c);
    if (this.packetLines) {
      this.lines += countNewlines(ctx.ob, from, ctx.op);
      this.packetLines.push(this.lines);
      const start = ctx.op;
      this.printer.print(p);
      this.lines += countNewlines(ctx.ob, start, ctx.op);
    } else this.printer.print(p);
    if (this.written + ctx.op > this.maxBytes) {
      // Past the limit: this packet is taken back out, and nothing after it is rendered.
      ctx.op = from;
      this.lines = linesBefore;
      this.packetLines?.pop();
      this.full = true;
      return;
    }
    this.rendered++;
  }

  /** Packets read so far (with maxBytes, the ones read past the limit too). */
  get packetCount(): number {
    return this.reader.packets;
  }

  /** Packets whose text was rendered. */
  get renderedCount(): number {
    return this.rendered;
  }

  /** Whether the rendering stopped at maxBytes (push renders nothing more then). */
  get stopped(): boolean {
    return this.full;
  }

  /** UTF-8 bytes of text rendered so far. */
  get bytesRendered(): number {
    return this.written + this.printer.ctx.op;
  }

  /** The damage that stopped the reading, if any. */
  get problem(): CaptureProblem | undefined {
    return this.reader.problem;
  }

  get format(): 'pcap' | 'pcapng' | undefined {
    return this.reader.format;
  }

  /** Reads a chunk (used synchronously, not kept) and returns the text of the packets it completed. */
  push(chunk: Uint8Array): string {
    this.reader.push(chunk);
    return this.take();
  }

  /** As push, but the text as UTF-8 bytes: a view, valid until the next call. */
  pushBytes(chunk: Uint8Array): Uint8Array {
    this.reader.push(chunk);
    this.written += this.printer.ctx.op;
    return this.printer.takeBytes();
  }

  /** Ends the capture: an unfinished record becomes the problem. Returns any text left. */
  end(): string {
    this.reader.end();
    return this.take();
  }

  private take(): string {
    this.written += this.printer.ctx.op;
    return this.printer.take();
  }
}

function countNewlines(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (b[i] === 10) n++;
  return n;
}

/** Renders a whole capture, given as its bytes or as a sequence of chunks. */
export function renderCapture(
  input: Uint8Array | Iterable<Uint8Array>,
  options: RenderOptions = {},
): RenderResult {
  const r = new CaptureRenderer(options);
  const texts: string[] = [];
  if (input instanceof Uint8Array) texts.push(r.push(input));
  else for (const chunk of input) texts.push(r.push(chunk));
  texts.push(r.end());
  return {
    text: texts.join(''),
    packetCount: r.packetCount,
    problems: r.problem ? [r.problem] : [],
    format: r.format,
    ...(r.packetLines ? { packetLines: r.packetLines } : {}),
  };
}
