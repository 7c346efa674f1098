/**
 * Custom LSP messages of the packet-trace language server, declared once for the server, the VS Code
 * client and any other editor. Methods are stable API.
 */

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
}

export interface LadderModel {
  uri: string;
  version: number;
  connections: ConnectionSummary[];
  /** The connection shown, or 0 for all. */
  connection: number;
  arrows: LadderArrow[];
}
