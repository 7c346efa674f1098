/**
 * The data model of a parsed and analysed trace. Everything here is plain data (JSON-safe apart from
 * `undefined`), so it can cross a worker or process boundary unchanged.
 */

/** A range on one line: 0-based line, 0-based UTF-16 start (inclusive) and end (exclusive) columns. */
export interface Span {
  line: number;
  start: number;
  end: number;
}

/** TCP flag bits, as in the TCP header. */
export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;
export const AE = 0x100;

/** How the head line gave its time. */
export type TimeKind = 'none' | 'clock' | 'datetime' | 'epoch' | 'delta';

/** One `host.port` side of a packet, as printed and resolved. */
export interface Endpoint {
  /** The host as printed (address or name). */
  host: string;
  /** The port as printed (number or service name). */
  portText: string;
  /** The port number, when known (service names are mapped with a built-in table). */
  port: number | undefined;
  /** `host.port` as printed: the identity of this side within one file. */
  key: string;
  /** A small number standing for `key` within one parse: equal endpoints are one shared object. */
  id: number;
}

/** One TCP option, as printed in `options [...]` or the old `<...>` list. */
export interface TcpOption {
  /** Keyword: `mss`, `nop`, `eol`, `wscale`, `sackOK`, `sack`, `TS`, `tfo`, `exp-tfo`, `mptcp`, `md5`, `unknown-N`, ... */
  kind: string;
  text: string;
  span: Span;
  /** mss, wscale, uto: the number. */
  value?: number;
  /** TS val / ecr. */
  tsVal?: number;
  tsEcr?: number;
  /** SACK blocks as printed (left, right edges). */
  blocks?: Array<[number, number]>;
  /** Absolute SACK edges once numbering is resolved. */
  blocksAbs?: Array<[number, number]>;
}

/** What kind of record a head line starts. */
export type RecordKind =
  /** A TCP segment with flags (modern `Flags [..]` or the old 3.x form). */
  | 'tcp'
  /** `-q` output: `tcp N`, no flags or numbers. */
  | 'tcp-quiet'
  /** TCP whose header was cut off before the flags (`[|tcp]`, bad header length). */
  | 'tcp-truncated'
  /** A non-first IPv4 fragment of a TCP datagram: no TCP header at all. */
  | 'tcp-fragment'
  /** Anything else tcpdump prints: ARP, ICMP, UDP, ... Recognised and skipped. */
  | 'other'
  /** A line that starts like a packet but could not be read. */
  | 'malformed';

/** Whether a record of `kind` belongs to a connection (the tracking takes it, connections.ts). */
export function isTrackedKind(kind: RecordKind): boolean {
  return kind === 'tcp' || kind === 'tcp-quiet' || kind === 'tcp-truncated';
}

/** A problem found while parsing, reported as `parse.*` diagnostics. */
export interface ParseProblem {
  code: string;
  message: string;
  span: Span;
}

/** One packet record: its head line and continuation lines. */
export interface PacketRecord {
  /** 0-based index among all records of the file. */
  index: number;
  kind: RecordKind;
  /** First line of the record (0-based). */
  line: number;
  /** Last line of the record (0-based, inclusive), continuation lines included. */
  endLine: number;
  /** The line that holds the TCP part (differs from `line` under `-v`). */
  tcpLine: number;
  /** `-#` packet number. */
  number?: number;
  numberSpan?: Span;
  timeKind: TimeKind;
  /** Seconds: since the epoch (epoch, datetime), since midnight (clock), or the printed delta. */
  timeValue?: number;
  timeSpan?: Span;
  /** Seconds on one monotonic axis for the whole file, once timestamps are resolved. */
  time?: number;
  /** Link-layer / interface text before the network part, when printed. */
  linkText?: string;
  /** 4 or 6 when known. */
  af?: 4 | 6;
  src?: Endpoint;
  dst?: Endpoint;
  /** The id of the record's 4-tuple in its parse (see tuples.ts), when it has endpoints. */
  tuple?: number;
  /** Where the source and destination `host.port` are printed. */
  srcSpan?: Span;
  dstSpan?: Span;
  /** Short description of a non-TCP record (`ARP`, `ICMP echo request`, `UDP`). */
  protocol?: string;
  format?: 'modern' | 'old';
  /** Flag bits; undefined when the form prints none (-q, truncated). */
  flags?: number;
  flagsSpan?: Span;
  /** Numbers exactly as printed. */
  seq?: number;
  seqEnd?: number;
  seqSpan?: Span;
  ack?: number;
  ackSpan?: Span;
  /** Absolute numbers, recovered from tcpdump's relative printing (see numbering.ts). */
  seqAbs?: number;
  ackAbs?: number;
  /** tcpdump printed this line's seq/ack relative to the connection's base. */
  printedRelative?: boolean;
  win?: number;
  winSpan?: Span;
  urg?: number;
  urgSpan?: Span;
  options: TcpOption[];
  optionsSpan?: Span;
  /** TCP payload length (`length N`, `(N)` in the old form, `tcp N` under -q). */
  length?: number;
  lengthSpan?: Span;
  /** The text the payload printer wrote after `length N`. */
  payloadSummary?: string;
  cksum?: { value: string; correct: boolean; expected?: string; span: Span };
  /** IPv4 identification (`-v`), useful to tell duplicated capture from retransmission. */
  ipId?: number;
  /** `truncated-ip - N bytes missing!`: the payload tcpdump counts but the capture does not hold. */
  ipMissingBytes?: number;
  /** The header was cut short (`[|tcp]`), so some fields are missing. */
  truncated?: boolean;
  /** `#` comment lines directly above this record. */
  annotations: Array<{ text: string; line: number }>;
  /** Continuation line kinds present (hex, ascii, text). */
  dump?: 'hex' | 'ascii' | 'text';
}

/**
 * Records by their index: an array of them, or a whole parse's (RecordSlots, record.ts), which makes
 * a record's handle each time it is asked for instead of keeping one per record.
 */
export interface RecordList {
  readonly length: number;
  at(index: number): PacketRecord | undefined;
}

/** Severity of a diagnostic, as the CLI and LSP print it. */
export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A finding of the analysis or the parser, located on an exact token. */
export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  span: Span;
  /** The record this finding is about, when any. */
  record?: number;
  related: Array<{ span: Span; message: string }>;
  /** For tcp.dup-ack: which duplicate it is. */
  count?: number;
  /** Edits that repair a hand-written trace (quick fixes). */
  fixes?: Fix[];
}

/** A text edit: replace `span` (empty to insert) with `newText`. */
export interface TextEdit {
  span: Span;
  /** An edit across line breaks: the range ends at `span.end` on this line, not on `span.line`. */
  endLine?: number;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /**
   * Fixes of one kind that never touch the same text, so that an editor may offer them all at once
   * (`title`: that action's title): every wrapped line of a file joined again, say.
   */
  family?: { id: string; title: string };
}
