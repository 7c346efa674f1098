/**
 * Snapshots of a connection's tracking state, kept every so many segments while it is tracked, so that
 * an edit in a long connection re-tracks it from the last snapshot before the edit instead of from its
 * first packet, and stops where the state is again what it was (connections.ts, retrackConnection).
 * A snapshot copies the two flows' fields; their sent logs and FIN lists only grow while a run
 * appends to them, so it keeps them by reference with their lengths at the time.
 */
import type { Connection, Flow } from './model';
import { TraceRecord } from './record';
import type { PacketRecord } from './types';

/** Segments between two checkpoints: the most an edit re-tracks before it can catch up. */
export const checkpointTuning = { every: 1024 };

interface FlowSnapshot {
  flow: Flow;
  sentLength: number;
  finCount: number;
}

/** The connection's own fields that tracking sets, besides its flows, segments and records. */
const TRACKED_FIELDS = ['lastRecord', 'quiet', 'lastSynTime', 'irtt', 'startTime'] as const;
export type TrackedFields = Pick<Connection, (typeof TRACKED_FIELDS)[number]>;

export interface TrackCheckpoint {
  /** How many segments came before it: the next one's position. */
  position: number;
  /** How many of the connection's records came before it. */
  recordCount: number;
  client: FlowSnapshot;
  server: FlowSnapshot;
  fields: TrackedFields;
}

export function takeCheckpoint(conn: Connection): TrackCheckpoint {
  return {
    position: conn.segments.length,
    recordCount: conn.records.length,
    client: snapshot(conn.client),
    server: snapshot(conn.server),
    fields: setTrackedFields({} as TrackedFields, conn),
  };
}

/** Sets the tracked fields of `to` (a connection, or a checkpoint's) to those of `from`; gives `to`. */
export function setTrackedFields<T extends TrackedFields>(to: T, from: TrackedFields): T {
  const fields = to as Record<string, unknown>;
  for (const key of TRACKED_FIELDS) fields[key] = from[key];
  return to;
}

/**
 * Puts `conn` (fresh from createConnection) in the state of checkpoint `cp` of `old`: its segments and
 * records before it, and flows of its own (tracking goes on appending to them).
 */
export function restoreCheckpoint(conn: Connection, cp: TrackCheckpoint, old: Connection): void {
  conn.segments = old.segments.head(cp.position);
  conn.records = old.records.slice(0, cp.recordCount);
  conn.client = restoreFlow(cp.client);
  conn.server = restoreFlow(cp.server);
  setTrackedFields(conn, cp.fields);
}

/** Whether `conn`'s state now is the one checkpoint `cp` kept: then what follows is tracked alike. */
export function sameState(conn: Connection, cp: TrackCheckpoint): boolean {
  return (
    conn.segments.length === cp.position &&
    conn.records.length === cp.recordCount &&
    TRACKED_FIELDS.every((key) => conn[key] === cp.fields[key]) &&
    sameFlow(conn.client, cp.client) &&
    sameFlow(conn.server, cp.server)
  );
}

function snapshot(flow: Flow): FlowSnapshot {
  return {
    flow: copyFlow(flow, flow.sent, flow.finRecords),
    sentLength: flow.sent.length,
    finCount: flow.finRecords.length,
  };
}

function restoreFlow(s: FlowSnapshot): Flow {
  return copyFlow(s.flow, s.flow.sent.copy(s.sentLength), s.flow.finRecords.slice(0, s.finCount));
}

/** A copy of a flow's fields, in the order connections.ts makes flows (one shape for all). */
function copyFlow(f: Flow, sent: Flow['sent'], finRecords: number[]): Flow {
  return {
    endpoint: f.endpoint,
    baseSeq: f.baseSeq,
    nextseq: f.nextseq,
    nextseqTime: f.nextseqTime,
    nextseqRecord: f.nextseqRecord,
    maxseqtobeacked: f.maxseqtobeacked,
    lastack: f.lastack,
    lastackTime: f.lastackTime,
    window: f.window,
    dupacknum: f.dupacknum,
    lastnondupack: f.lastnondupack,
    highestAck: f.highestAck,
    highestAckSeq: f.highestAckSeq,
    highestAckData: f.highestAckData,
    nextseqBy: f.nextseqBy,
    lastsegmentflags: f.lastsegmentflags,
    lastRecord: f.lastRecord,
    lastBareAck: f.lastBareAck,
    lastBareAckSeq: f.lastBareAckSeq,
    disordered: f.disordered,
    sackOffered: f.sackOffered,
    winScale: f.winScale,
    isFirstAck: f.isFirstAck,
    isn: f.isn,
    synRecord: f.synRecord,
    synAckRecord: f.synAckRecord,
    finSeq: f.finSeq,
    finRecord: f.finRecord,
    finRecords,
    finAckedBy: f.finAckedBy,
    rstRecord: f.rstRecord,
    packets: f.packets,
    bytes: f.bytes,
    dataSeen: f.dataSeen,
    sent,
    state: f.state,
  };
}

/**
 * Every field of the flows compared (the last record as the same record, not just equal numbers: an
 * edited record is read again, and its options matter to the next segment), the sent log and FIN
 * list entry by entry.
 */
function sameFlow(f: Flow, s: FlowSnapshot): boolean {
  const g = s.flow;
  if (f.sent.length !== s.sentLength || f.finRecords.length !== s.finCount) return false;
  for (const key of Object.keys(g) as Array<keyof Flow>) {
    if (key === 'lastRecord' || key === 'lastBareAck' || key === 'nextseqBy') {
      if (!sameRecord(f[key], g[key])) return false;
    } else if (key !== 'sent' && key !== 'finRecords' && f[key] !== g[key]) return false;
  }
  for (let i = 0; i < s.finCount; i++) if (f.finRecords[i] !== g.finRecords[i]) return false;
  if (f.sent === g.sent) return true;
  for (let i = 0; i < s.sentLength; i++) {
    if (
      f.sent.seq(i) !== g.sent.seq(i) ||
      f.sent.end(i) !== g.sent.end(i) ||
      f.sent.record(i) !== g.sent.record(i)
    )
      return false;
  }
  return true;
}

/** Whether `a` and `b` are the same record (see TraceRecord.is), or both none. */
function sameRecord(a: PacketRecord | undefined, b: PacketRecord | undefined): boolean {
  return a === b || (a instanceof TraceRecord && a.is(b));
}
