/**
 * Groups TCP records into connections by their 4-tuple (both directions), decides who is the client,
 * splits a 4-tuple into a new connection when a SYN brings a new ISN (Wireshark's port reuse), and
 * runs the per-segment analyses in file order.
 */
import {
  checkpointTuning,
  setTrackedFields,
  restoreCheckpoint,
  sameState,
  takeCheckpoint,
  type TrackCheckpoint,
} from './checkpoints';
import {
  A,
  NO_REUSE,
  Segment,
  SegmentList,
  SegmentStore,
  SentLog,
  type Connection,
  type Flow,
} from './model';
import { updateStates } from './endpointStates';
import { analyzeSegment } from './sequenceAnalysis';
import { SAME_BURST } from './seqInference';
import { newColumn } from './columns';
import { setAt } from './denseArray';
import { lowerBound, segmentsBefore } from './search';
import { sideDirection } from './tuples';
import { ACK, SYN, type Endpoint, type PacketRecord, type RecordList } from './types';
import {
  FROM_HIGHER,
  FROM_LOWER,
  KIND_CODE,
  TRACKED_KIND,
  readTrackInputsAt,
  readTrackInputsOf,
  Track,
  trackInputs,
} from './record';

export interface ConnectionTable {
  connections: Connection[];
  /** Segment of each analysed record, by record index. */
  segmentOf: SegmentIndex;
  /** Connection id of each TCP record (analysed or not), by record index. */
  connectionOf: RecordIds;
}

/**
 * A non-negative integer (a connection id) per record index, in a typed array that grows by doubling.
 * (As JavaScript numbers in an array that grows by appends, the bench trace's 600 000 cost tracking
 * about 40 ms more; sized for the whole file at once, the typed array measured about 70 ms slower:
 * `node scripts/bench/stage-ab.mjs --cold`.)
 */
export class RecordIds {
  /** Each value plus one (0: none), of the records from `base` on. */
  private values: Int32Array;

  /**
   * `base`: the record index of the first value. The records of a 4-tuple tracked on its own after an
   * edit may start far into a large file, and its lookups span only them (a splice tracks 4-tuples
   * again: sized from 0, each took an array the size of the file). A value set before it moves it.
   */
  constructor(
    expected = 16,
    private base = 0,
    values?: Int32Array,
  ) {
    this.values = values ?? new Int32Array(Math.max(16, expected));
  }

  get(index: number): number | undefined {
    const at = index - this.base;
    const v = at >= 0 && at < this.values.length ? this.values[at]! : 0;
    return v === 0 ? undefined : v - 1;
  }

  set(index: number, value: number): void {
    if (index < this.base) {
      this.values = this.fromZero(index);
      this.base = index;
    }
    const at = index - this.base;
    if (at >= this.values.length) {
      const wider = new Int32Array(Math.max(at + 1, this.values.length * 2));
      wider.set(this.values);
      this.values = wider;
    }
    this.values[at] = value + 1;
  }

  /** Each value `v` replaced by `to(v)` (undefined: none). */
  renumber(to: (value: number) => number | undefined): void {
    const values = this.values;
    for (let i = 0; i < values.length; i++) {
      if (values[i] === 0) continue;
      const v = to(values[i]! - 1);
      values[i] = v === undefined ? 0 : v + 1;
    }
  }

  /** The values as from record `first` (at most base) on. */
  private fromZero(first = 0): Int32Array {
    if (this.base <= first) return this.values;
    const values = new Int32Array(this.base - first + this.values.length);
    values.set(this.values, this.base - first);
    return values;
  }

  /**
   * A copy for records spliced as RecordSlots.spliced does: `removed` taken away from `at` on and
   * `added` put in there (none yet), those after them moved.
   */
  spliced(at: number, removed: number, added: number): RecordIds {
    const old = this.fromZero();
    const values = new Int32Array(Math.max(16, old.length + added));
    values.set(old.subarray(0, Math.min(at, old.length)));
    if (at + removed < old.length) values.set(old.subarray(at + removed), at + added);
    return new RecordIds(0, 0, values);
  }

  /** A copy (of the values of records before `keep` only: the rest none). */
  clone(keep = Infinity): RecordIds {
    const values = this.fromZero().slice();
    if (keep < values.length) values.fill(0, Math.max(0, keep));
    return new RecordIds(0, 0, values);
  }
}

/**
 * The segment of each analysed record, by record index: its position in its connection's segments
 * (the connection is the one `connectionOf` gives), so that the segments need no array of references
 * beside their connections' own (on the bench trace, 600 000 of them cost tracking about 50 ms).
 */
export class SegmentIndex {
  constructor(
    private readonly connections: readonly Connection[],
    private readonly connectionOf: RecordIds,
    private readonly positions = new RecordIds(),
  ) {}

  get(index: number): Segment | undefined {
    const position = this.positions.get(index);
    const id = position === undefined ? undefined : this.connectionOf.get(index);
    const segments = id === undefined ? undefined : this.connections[id - 1]?.segments;
    return segments && position! < segments.length ? segments.at(position!) : undefined;
  }

  set(index: number, segment: Segment): void {
    this.positions.set(index, segment.position);
  }

  /** Sets the segment of record `index` to its connection's `position`th. */
  setPosition(index: number, position: number): void {
    this.positions.set(index, position);
  }

  /** spliced (see RecordIds.spliced) over `connections` and `connectionOf`, made likewise. */
  spliced(
    connections: readonly Connection[],
    connectionOf: RecordIds,
    at: number,
    removed: number,
    added: number,
  ): SegmentIndex {
    return new SegmentIndex(connections, connectionOf, this.positions.spliced(at, removed, added));
  }

  /**
   * A copy over `connections` and `connectionOf` (copies of this one's, to be changed); of the
   * segments of records before `keep` only.
   */
  clone(connections: readonly Connection[], connectionOf: RecordIds, keep = Infinity): SegmentIndex {
    return new SegmentIndex(connections, connectionOf, this.positions.clone(keep));
  }
}

function newFlow(endpoint: Endpoint, state: Flow['state']): Flow {
  // Every field from the start, the optional ones as undefined: fields added later, in whatever order
  // a connection's packets set them, would give flows many shapes, and the analysis' every access to
  // them would go slow (megamorphic) and deoptimise its code again and again.
  return {
    endpoint,
    baseSeq: undefined,
    nextseq: undefined,
    nextseqTime: undefined,
    nextseqRecord: undefined,
    maxseqtobeacked: undefined,
    lastack: undefined,
    lastackTime: undefined,
    window: undefined,
    dupacknum: 0,
    lastnondupack: undefined,
    highestAck: undefined,
    highestAckSeq: undefined,
    highestAckData: false,
    nextseqBy: undefined,
    lastsegmentflags: 0,
    lastRecord: undefined,
    lastBareAck: undefined,
    lastBareAckSeq: undefined,
    disordered: false,
    sackOffered: false,
    winScale: -1,
    isFirstAck: true,
    isn: undefined,
    synRecord: undefined,
    synAckRecord: undefined,
    finSeq: undefined,
    finRecord: undefined,
    finRecords: [],
    finAckedBy: undefined,
    rstRecord: undefined,
    packets: 0,
    bytes: 0,
    dataSeen: false,
    sent: new SentLog(),
    state,
  };
}

/** Servers listen on well-known or named ports; clients use high ephemeral ones. */
function looksLikeServer(e: Endpoint): number {
  if (e.port === undefined) return e.portText && !/^\d+$/.test(e.portText) ? 2 : 0;
  if (e.port < 1024) return 3;
  if (!/^\d+$/.test(e.portText)) return 2;
  if (e.port < 32768) return 1;
  return 0;
}

/**
 * A new connection of record `r`, its segments to go into `store`; `reusedFrom`: the id of the
 * connection whose 4-tuple it reuses (NO_REUSE: none).
 */
function createConnection(
  id: number,
  key: string,
  r: PacketRecord,
  store: SegmentStore,
  reusedFrom: number,
): Connection {
  const src = r.src!;
  const dst = r.dst!;
  let clientEp = src;
  let serverEp = dst;
  let guessed = false;
  const f = r.flags;
  if (f !== undefined && f & SYN) {
    if (f & ACK) [clientEp, serverEp] = [dst, src];
  } else {
    // Mid-stream start: a stated heuristic, the well-known (or lower) port is the server's.
    guessed = true;
    const a = looksLikeServer(src);
    const b = looksLikeServer(dst);
    if (a > b || (a === b && src.port !== undefined && dst.port !== undefined && src.port < dst.port)) {
      [clientEp, serverEp] = [dst, src];
    }
  }
  const midStream = guessed && f !== undefined;
  // (The source's side in the 4-tuple, as record.ts keeps it: the lower endpoint id or not.)
  const srcSide = src.id <= dst.id ? FROM_LOWER : FROM_HIGHER;
  // A connection first seen at its SYN-ACK: the client's SYN was sent, just not captured.
  const clientState = midStream ? 'UNKNOWN' : f !== undefined && f & SYN && f & ACK ? 'SYN-SENT' : 'CLOSED';
  return {
    id,
    key,
    client: newFlow(clientEp, clientState),
    server: newFlow(serverEp, midStream ? 'UNKNOWN' : 'LISTEN'),
    clientGuessed: guessed,
    clientSide: clientEp === src ? srcSide : FROM_LOWER + FROM_HIGHER - srcSide,
    segments: new SegmentList(store),
    records: [],
    firstRecord: r.index,
    lastRecord: r.index,
    quiet: false,
    handshake: 'unknown',
    teardown: 'unknown',
    zeekState: 'OTH',
    history: '',
    lastSynTime: undefined,
    irtt: undefined,
    startTime: undefined,
    reusedFrom,
    findings: [],
    checkpoints: [],
  };
}

/**
 * Wireshark: a SYN whose seq differs from its flow's base starts a new conversation on the 4-tuple.
 * (Of the record whose fields are in trackInputs.)
 */
function startsNewConnection(conn: Connection): boolean {
  const v = trackInputs;
  const flags = v[Track.FLAGS]!;
  const seq = v[Track.SEQ_ABS]!;
  // (Everything read for every record: what only a SYN on a known 4-tuple read had never run when V8
  // optimised the tracking pass, and deoptimised it at the trace's first reused port.)
  const base = (v[Track.SIDE] === conn.clientSide ? conn.client : conn.server).baseSeq;
  const bareSyn = flags >= 0 && (flags & (SYN | ACK)) === SYN;
  const hasSeq = seq === seq;
  const newSeq = base !== undefined && seq !== base;
  return bareSyn && hasSeq && newSeq;
}

/**
 * The connections of `records`: a whole file's, or after an edit all the records of some 4-tuples
 * (each is tracked on its own: nothing here looks at another 4-tuple's records). `reportOnly`: what
 * a report needs alone (see AnalyzeOptions.reportOnly in analyze.ts). `onComplete` is called with
 * each connection as soon as it has all its records: after the last record of its 4-tuple, or when a
 * new connection takes the 4-tuple over (a connection whose 4-tuple ends on a record not tracked, or
 * with none, is not passed to it).
 */
export function trackConnections(
  records: RecordList,
  reportOnly = false,
  onComplete?: (conn: Connection) => void,
): ConnectionTable {
  const connections: Connection[] = [];
  // The current connection of each 4-tuple, by its id.
  const byTuple: Array<Connection | undefined> = [];
  // (Keyed from the first record's index: see RecordIds.)
  const first = records.at(0)?.index ?? 0;
  const connectionOf = new RecordIds(16, first);
  const segmentOf = new SegmentIndex(connections, connectionOf, new RecordIds(16, first));
  const nextPrinted = nextPrintedSeq(records);
  const tables = {
    store: new SegmentStore(records, records.length, nextPrinted.nextInTuple),
    segmentOf,
    connectionOf,
    full: !reportOnly,
  };
  const v = trackInputs;
  for (let position = 0; position < records.length; position++) {
    readTrackInputsAt(records, position);
    // (A record has a 4-tuple id exactly when it has endpoints.)
    const tuple = v[Track.TUPLE]!;
    const kind = v[Track.KIND]!;
    if (tuple < 0 || TRACKED_KIND[kind] !== 1) continue;
    const r = records.at(position)!;
    const current = byTuple[tuple];
    // (The id read for every record, not only at a reused port: see startsNewConnection.)
    const currentId = current === undefined ? 0 : current.id;
    const reuse = current !== undefined && kind === KIND_CODE.tcp && startsNewConnection(current);
    let conn = reuse ? undefined : current;
    if (reuse && onComplete) onComplete(current!);
    if (!conn) {
      const key = `${r.src!.key} ${r.dst!.key}`;
      conn = createConnection(connections.length + 1, key, r, tables.store, reuse ? currentId : NO_REUSE);
      connections.push(conn);
      setAt(byTuple, tuple, conn);
    }
    const next = nextPrinted.seq[position]!;
    // (trackInputs holds the record's fields: read above.)
    trackRecord(
      conn,
      r,
      position,
      Number.isNaN(next) ? undefined : next,
      nextPrinted.soon[position] === 1,
      tables,
    );
    if (onComplete && nextPrinted.nextInTuple[position] === -1) onComplete(conn);
  }
  return { connections, segmentOf, connectionOf };
}

/**
 * A constant, not a read of `A.REUSED_PORTS` where it is set: a trace's first reused port came when
 * V8 had optimised the tracking pass, and a property read that had never run threw that code away.
 */
const { REUSED_PORTS } = A;

/**
 * Where trackRecord puts what it makes: new segments' columns, and the record-indexed lookups; `full`:
 * whether it makes what editor features need too (see trackConnections).
 */
interface TrackTables {
  store: SegmentStore;
  segmentOf: SegmentIndex;
  connectionOf: RecordIds;
  full: boolean;
}

/**
 * Adds the connection's next record `r` (`at` in the records being tracked), whose fields are in
 * trackInputs (record.ts, readTrackInputsAt): its counts and, for a TCP segment, the sequence analysis
 * and (`t.full`) the endpoints' states. `nextPrinted`, `nextSoon`: see NextPrinted. Every checkpointTuning.every
 * segments, the state before the next one is kept first (see retrackConnection).
 */
function trackRecord(
  conn: Connection,
  r: PacketRecord,
  at: number,
  nextPrinted: number | undefined,
  nextSoon: boolean,
  t: TrackTables,
): void {
  const v = trackInputs;
  const kind = v[Track.KIND]!;
  const flags = v[Track.FLAGS]!;
  const index = v[Track.INDEX]!;
  const segmentNext = kind === KIND_CODE.tcp && flags >= 0;
  const count = conn.segments.length;
  // (Not after a keep-alive ACK: the next segment may judge it again, see crossedKeepAlive.)
  const full = t.full;
  if (
    segmentNext &&
    full &&
    count > 0 &&
    count % checkpointTuning.every === 0 &&
    !(conn.segments.analysis(count - 1) & A.KEEP_ALIVE_ACK)
  )
    conn.checkpoints.push(takeCheckpoint(conn));
  // (A report counts a connection's packets in its flows: see AnalyzeOptions.reportOnly.)
  if (full) conn.records.push(index);
  conn.lastRecord = index;
  if (full) t.connectionOf.set(index, conn.id);
  if (kind === KIND_CODE.quiet) conn.quiet = true;
  const fromClient = v[Track.SIDE] === conn.clientSide;
  const fwd = fromClient ? conn.client : conn.server;
  const rev = fromClient ? conn.server : conn.client;
  fwd.packets++;
  const length = v[Track.LENGTH]!;
  if (length === length) fwd.bytes += length;
  const time = v[Track.TIME]!;
  if (time === time) conn.startTime ??= time;
  if (!segmentNext) return;
  const missing = v[Track.IP_MISSING]!;
  const len = Math.max(0, (length === length ? length : 0) - (missing === missing ? missing : 0));
  const seq = v[Track.SEQ_ABS]!;
  const ackIn = v[Track.ACK_ABS]!;
  const ack = flags & ACK ? ackIn : NaN;
  const store = t.store;
  // The SYN that started this connection on a finished one's 4-tuple. (Both compared for every
  // segment: see REUSED_PORTS.)
  const reused = conn.reusedFrom !== NO_REUSE;
  const first = count === 0;
  const reusedPorts = reused && first ? REUSED_PORTS : 0;
  const slot = store.addSegment(
    at,
    conn.segments.length,
    fromClient,
    flags,
    len,
    seq,
    ack,
    v[Track.WIN]!,
    time,
    nextPrinted,
    nextSoon,
    reusedPorts,
  );
  if (v[Track.TRUNCATED] === 1 && seq !== seq) {
    // A header cut before its numbers: keep it in the connection, leave it out of sequence analysis.
    appendSegment(conn, slot, index, t);
    return;
  }
  // Wireshark: a SYN-ACK with a new seq replaces its flow's base and is flagged as port reuse. Its
  // next seq stays, so the new ISN is judged against the old one's (a jump past it: a lost segment).
  if (flags & SYN && flags & ACK && fwd.baseSeq !== undefined && seq === seq && seq !== fwd.baseSeq) {
    store.analysis[slot] = store.analysis[slot]! | REUSED_PORTS;
    fwd.baseSeq = seq;
  }
  analyzeSegment(conn, store, slot, r, fwd, rev, len, full);
  noteControl(store, slot, index, fwd, flags);
  if (full) updateStates(store, slot, fwd, rev, flags, ack === ack ? ack : undefined, fromClient);
  if (len > 0) fwd.dataSeen = true;
  appendSegment(conn, slot, index, t);
}

/** Appends the segment in `slot` of the tracking pass's store, of record `index`, to `conn`. */
function appendSegment(conn: Connection, slot: number, index: number, t: TrackTables): void {
  if (t.full) t.segmentOf.setPosition(index, conn.segments.length);
  // (The list's store may be another: after a re-track from a checkpoint, the old run's.)
  conn.segments.push(slot, t.store);
}

/**
 * `old` tracked again after an edit of one of its records that leaves the 4-tuple's records in the
 * same connections and segments, and every other record's numbers as they were
 * (incremental/editedRecord.ts checks that). Tracking restarts from the last checkpoint before
 * record `from` (the first whose segment the edit can change) and stops as soon as the state is
 * again what it was at one of the old run's later checkpoints past the edited record `edited`: from
 * there on the old segments, their analysis and the old final state hold as they are. Typing in a
 * connection of 100 000 packets re-tracks a few thousand of them.
 * `records`: the new records (the old ones, the edited one replaced); `nextPrinted`: each record's
 * next printed seq (see NextPrinted); `segmentOf`, `connectionOf`: copies of the old lookups,
 * updated here.
 */
export function retrackConnection(
  old: Connection,
  records: RecordList,
  edited: number,
  from: number,
  nextPrinted: NextPrintedLookup,
  segmentOf: SegmentIndex,
  connectionOf: RecordIds,
  tupleRecords: readonly number[],
): Connection {
  // Sized for a few checkpoints' worth: a re-track mostly catches up with the old run within one or
  // two, and the store grows when it does not. (`records` are the file's: the next of the 4-tuple's
  // records after one is found in `tupleRecords`, its indexes.)
  const nextInTuple = (at: number) =>
    tupleRecords[lowerBound(tupleRecords.length, (k) => tupleRecords[k]!, at + 1)] ?? -1;
  const store = new SegmentStore(
    records,
    Math.min(old.records.length, checkpointTuning.every * 4),
    nextInTuple,
  );
  const conn = createConnection(old.id, old.key, records.at(old.firstRecord)!, store, old.reusedFrom);
  const changedAt = segmentsBefore(old.segments, from);
  const editedAt = segmentsBefore(old.segments, edited);
  let start = 0;
  let resumed = -1;
  for (let k = 0; k < old.checkpoints.length && old.checkpoints[k]!.position <= changedAt; k++) resumed = k;
  if (resumed >= 0) {
    const cp = old.checkpoints[resumed]!;
    restoreCheckpoint(conn, cp, old);
    start = cp.recordCount;
    // Tracking takes this one again as it starts.
    conn.checkpoints = old.checkpoints.slice(0, resumed);
  }
  const tables = { store, segmentOf, connectionOf, full: true };
  let next = resumed + 1;
  for (let k = start; k < old.records.length; k++) {
    const r = records.at(old.records[k]!)!;
    // Catching up with the old run: the first of its checkpoints past the edit whose state is ours
    // again ends the work. (The segment after the edited one must be past too: its analysis reads
    // the edited segment's length, flags and time.)
    while (next < old.checkpoints.length && old.checkpoints[next]!.recordCount < k) next++;
    const cp = old.checkpoints[next];
    if (cp && cp.recordCount === k && cp.position > editedAt + 1 && sameState(conn, cp)) {
      adoptTail(conn, old, cp, next);
      break;
    }
    const printed = nextPrinted.seq(r.index);
    const soon = nextPrinted.soon(r.index);
    // (Read last: nothing may read another record's fields into trackInputs before trackRecord.)
    readTrackInputsOf(r);
    trackRecord(conn, r, r.index, printed, soon, tables);
  }
  return conn;
}

/** From checkpoint `cp` (the old run's `index`th) on, the old connection's segments, records and state. */
function adoptTail(conn: Connection, old: Connection, cp: TrackCheckpoint, index: number): void {
  conn.segments.append(old.segments, cp.position);
  for (let k = cp.recordCount; k < old.records.length; k++) conn.records.push(old.records[k]!);
  for (let k = index; k < old.checkpoints.length; k++) conn.checkpoints.push(old.checkpoints[k]!);
  conn.client = old.client;
  conn.server = old.server;
  setTrackedFields(conn, old);
}

/**
 * Records the SYN, FIN and RST a flow sent (the segment in `slot` of `store`, of record `index`, with
 * flags `f`), for the checks and the state machine.
 */
function noteControl(store: SegmentStore, slot: number, index: number, fwd: Flow, f: number): void {
  if (!(f & (SYN | 0x01 | 0x04))) return;
  const seq = store.seqAt(slot);
  if (f & SYN && seq !== undefined) {
    if (f & ACK) fwd.synAckRecord ??= index;
    else fwd.synRecord ??= index;
    fwd.isn ??= seq;
  }
  if (f & 0x01 && seq !== undefined) {
    const finSeq = (seq + store.len[slot]! + (f & SYN ? 1 : 0)) >>> 0;
    if (fwd.finSeq === undefined) {
      fwd.finSeq = finSeq;
      fwd.finRecord = index;
    }
    fwd.finRecords.push(index);
  }
  if (f & 0x04) fwd.rstRecord ??= index;
}

/** What nextPrintedSeq finds for each record (by its position in the records it was given). */
export interface NextPrinted {
  /**
   * The absolute seq of the next record in the same direction that printed one; where none follows,
   * the next ack from the other direction (a side that never sends data, or a probe answered by RST,
   * is told its seq only by the peer's acks). NaN where neither follows.
   */
  seq: Float64Array;
  /** 1 where that seq is printed by a record of the same direction within SAME_BURST seconds after. */
  soon: Uint8Array;
  /** The position of the next record of the same 4-tuple (-1: none), for a look ahead along it. */
  nextInTuple: Int32Array;
}

/** Each record's next printed seq, as a record-by-index lookup (the way a re-track asks for it). */
export interface NextPrintedLookup {
  seq(index: number): number | undefined;
  soon(index: number): boolean;
}

/**
 * For each record, the next seq printed in its direction (see NextPrinted). A pure ACK's seq (hidden
 * without -vv) is that value when nothing earlier tells it, or when the sequence jumps there right
 * after it (see inferSeq).
 */
export function nextPrintedSeq(records: RecordList): NextPrinted {
  // NaN where none follows: typed, so that 600 000 entries are no 600 000 boxed numbers.
  const out = newColumn(Float64Array, records.length).fill(NaN);
  const soon = newColumn(Uint8Array, records.length);
  const nextInTuple = newColumn(Int32Array, records.length).fill(-1);
  // By direction (flowOf, dense from 0, the reverse of `flow` is `flow ^ 1`), NaN until one is seen:
  // typed too, where a Map would box every number it keeps. `times`: when each seq was printed;
  // `lasts`, at a 4-tuple's first direction: the position of its last record seen. From direction
  // `base` on (even): a 4-tuple numbered on its own after an edit has two, far from 0.
  let seqs = new Float64Array(64).fill(NaN);
  let times = new Float64Array(64).fill(NaN);
  let acks = new Float64Array(64).fill(NaN);
  let lasts = new Float64Array(64).fill(NaN);
  let base = -1;
  const v = trackInputs;
  for (let i = records.length - 1; i >= 0; i--) {
    readTrackInputsAt(records, i);
    const tuple = v[Track.TUPLE]!;
    if (tuple < 0) continue;
    const direction = sideDirection(tuple, v[Track.SIDE] === FROM_LOWER);
    if (base < 0) base = direction & ~1;
    else if (direction < base) {
      // Room below too, by doubling: a whole file meets its 4-tuples in falling order here.
      const lower = Math.max(0, Math.min(direction & ~1, base - seqs.length));
      seqs = widened(seqs, seqs.length + base - lower, base - lower);
      times = widened(times, times.length + base - lower, base - lower);
      acks = widened(acks, acks.length + base - lower, base - lower);
      lasts = widened(lasts, lasts.length + base - lower, base - lower);
      base = lower;
    }
    const flow = direction - base;
    if (flow >= seqs.length) {
      const size = Math.max((flow | 1) + 1, seqs.length * 2);
      seqs = widened(seqs, size);
      times = widened(times, size);
      acks = widened(acks, size);
      lasts = widened(lasts, size);
    }
    const last = lasts[flow & ~1]!;
    if (!Number.isNaN(last)) nextInTuple[i] = last;
    lasts[flow & ~1] = i;
    if (v[Track.KIND] !== KIND_CODE.tcp) continue;
    const next = seqs[flow]!;
    const time = v[Track.TIME]!;
    if (Number.isNaN(next)) out[i] = acks[flow ^ 1]!;
    else {
      out[i] = next;
      // (NaN, a time unknown on either side, compares false.)
      if (times[flow]! - time <= SAME_BURST) soon[i] = 1;
    }
    const seq = v[Track.SEQ_ABS]!;
    if (seq === seq) {
      seqs[flow] = seq;
      times[flow] = time;
    }
    const ack = v[Track.ACK_ABS]!;
    const flags = v[Track.FLAGS]!;
    if (ack === ack && flags >= 0 && flags & ACK) acks[flow] = ack;
  }
  return { seq: out, soon, nextInTuple };
}

/** `a` with room for `size` entries, its own from `offset` on, the new ones NaN. */
function widened(a: Float64Array<ArrayBuffer>, size: number, offset = 0): Float64Array<ArrayBuffer> {
  const wider = new Float64Array(size).fill(NaN);
  wider.set(a, offset);
  return wider;
}
