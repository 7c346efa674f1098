/**
 * Custom LSP messages of the packet-trace language server, declared once for the server, the VS Code
 * client and any other editor. Methods are stable API.
 */

/**
 * The Node options the server is best started with (the VS Code client does; another editor may put
 * them before the server's script). Node reads them only when it starts. Both are for the first
 * analysis of a large trace, which on a machine of few cores is bound by V8's optimising compiler:
 * - `--v8-pool-size=0` sizes V8's pool of helper threads (optimising compiler, garbage collector) to
 *   the machine's cores, which Node otherwise fixes at four: on a two-core machine four helpers
 *   competed with the server's own thread (didOpen of 100 000 packets to its diagnostics,
 *   scripts/bench/lsp-bench.mjs: 457 -> 408 ms).
 * - `--max-inlined-bytecode-size-cumulative=400` (V8's default 920) lets the compiler inline less
 *   into each function: the analysis of such a trace waited for about 300 ms of compiling on the one
 *   helper thread, and smaller functions are compiled sooner (the same didOpen, three runs each:
 *   419-427 -> 400-404 ms; a second trace 288-293 -> 279-284 ms). A long run (the CLI's 556 000
 *   packets) gains nothing from it: the CLI does without.
 */
export const SERVER_NODE_OPTIONS: readonly string[] = [
  '--v8-pool-size=0',
  '--max-inlined-bytecode-size-cumulative=400',
];

/** Client -> server request: the connections of a trace with their verdicts. */
export const CONNECTIONS_METHOD = 'packetTrace/connections';

export interface ConnectionsParams {
  uri: string;
}

export interface ConnectionSummary {
  id: number;
  client: string;
  server: string;
  /** The client was guessed (no SYN in the trace). */
  clientGuessed: boolean;
  /** 0-based lines of the first and last packet records. */
  firstLine: number;
  lastLine: number;
  packets: number;
  handshake: string;
  teardown: string;
  zeekState: string;
  history: string;
  /** The verdict in words, as the code lens shows it. */
  verdict: string;
  problems: number;
}

/** Client -> server request: the ladder (sequence diagram) model of one connection, or of all. */
export const LADDER_METHOD = 'packetTrace/ladder';

export interface LadderParams {
  uri: string;
  /** A connection id; omitted: the connection at `line`, else all connections. */
  connection?: number;
  /** 0-based line whose connection to show. */
  line?: number;
  /**
   * Answer with a LadderText instead of a LadderModel: a client that only hands the arrows on (to a
   * webview) then neither parses them into objects nor writes them out again, seconds for 100 000.
   */
  asText?: boolean;
}

export interface LadderArrow {
  /** 0-based line of the packet record (the link back to the text). */
  line: number;
  connection: number;
  fromClient: boolean;
  /** Seconds since the first packet of the diagram, when the trace has times. */
  time?: number;
  flags: string;
  flagWords: string;
  seq?: number;
  seqEnd?: number;
  ack?: number;
  relSeq?: number;
  relAck?: number;
  len: number;
  win?: number;
  winBytes?: number;
  /** handshake | data | ack | fin | rst | other. */
  kind: string;
  /** Diagnostic codes on this packet. */
  findings: string[];
  /** State after this packet, when it changed. */
  clientState?: string;
  serverState?: string;
  annotations: string[];
  /**
   * Last line of the packet record (continuation lines of `-v` records and dumps included); omitted
   * when the record is one line (as the optional fields below when empty: a ladder can hold 100 000
   * arrows, and each byte counts 100 000 times on its way to the webview).
   */
  endLine?: number;
  /** The diagnostics on this packet, with the editor's words (for tooltips). */
  messages?: LadderMessage[];
  /** The TCP options as printed, one entry each (`mss 1460`, `sackOK`, `TS val 1 ecr 0`, `wscale 7`). */
  options?: string[];
  /** SACK blocks (absolute, and relative to the peer's ISN when known). */
  sack?: Array<{ left: number; right: number; relLeft?: number; relRight?: number }>;
  /** For a duplicate ACK: which one it is (Wireshark's #n). */
  dupAck?: number;
  /** The seq of a pure ACK that tcpdump did not print, inferred by the analysis. */
  seqInferred?: boolean;
  /** For a retransmission: 0-based line of the packet that first sent these bytes. */
  originalLine?: number;
  /** What tcpdump's payload printer wrote after `length N` (e.g. `HTTP: GET / HTTP/1.1`). */
  payload?: string;
}

/** One diagnostic of a ladder arrow. */
export interface LadderMessage {
  code: string;
  /** error | warning | information | hint (the default severity of the code). */
  severity: string;
  message: string;
}

export interface LadderModel {
  uri: string;
  version: number;
  connections: ConnectionSummary[];
  /** The connection shown, or 0 for all. */
  connection: number;
  arrows: LadderArrow[];
}

/** A LadderModel's fields but its arrows, and the whole model as JSON text (see encodeModel). */
export interface LadderText extends Omit<LadderModel, 'arrows'> {
  json: string;
}
