/**
 * The seq tcpdump does not print on a bare ACK (without -vv), stood in for from what the text does
 * carry, so that Wireshark's analysis (sequenceAnalysis.ts), which compares a bare ACK's seq with the
 * next one expected, judges it as it would with the seq on the wire. Mostly that is the next seq;
 * the exceptions are Linux's keep-alives and zero-window probes (snd.una - 1), data the capture lost,
 * and bare ACKs that arrive late: reordered on the way, or a second copy of a packet seen twice.
 */
import { A, type Connection, type Flow, type Segment } from './model';
import { TraceRecord } from './record';
import { add32, gt, lt } from './seq32';
import { UNSIGNED_KINDS } from './tcpOptions';
import { flowOf } from './tuples';
import { FIN, RST, SYN, isTrackedKind, type PacketRecord, type TcpOption } from './types';

/**
 * A repeated pure ACK after at least this much silence, with no data just before it, is a keep-alive
 * (Linux sends them at snd.una - 1, which tcpdump does not print without -vv), not a duplicate ACK:
 * duplicate ACKs answer arriving segments within moments.
 */
export const KEEPALIVE_IDLE = 0.5;

/**
 * A bare ACK this close (in seconds) before its side's next segment that prints a seq went out in the
 * same burst: when that seq jumps past the bytes seen, the bytes went out before the ACK (see
 * inferSeq). On the 50 captures of nDPI, Wireshark and dnscap with lost segments, 6 to 100 ms give
 * the same verdicts within a flag or two; longer takes in ACKs sent before a pause in which the
 * lost bytes went out (dnscap's dnso1tcp-midmiss: the next data 60 ms after the ACK).
 */
export const SAME_BURST = 0.01;

/**
 * How far past a bare ACK its side's later segments are searched for ones sent before it (see
 * olderSegmentsReach): this many records of its connection, both ways. On the relay captures of
 * scripts/scenarios (reordering by 10-30 ms of jitter) anything from 8 to 256 finds the same.
 */
export const REORDER_LOOKAHEAD = 32;
/**
 * Less than this (in seconds) behind its side's data, a bare ACK without timestamps that repeats the
 * data's ack is taken to have been sent after it, not held back on the way (see lateAck): any value
 * from 0.1 to 2 ms gives the same verdicts on the relay captures of scripts/scenarios and nDPI's.
 */
const REORDER_MIN_DELAY = 0.001;

/**
 * A frame seen twice (a SPAN port, a bridge) shows its copy within microseconds; a bare ACK that
 * repeats its side's last one exactly within this many seconds is taken for its copy (copiedBareAck).
 */
const COPY_DELAY = 0.001;

/**
 * And within this many of the 4-tuple's records (of any kind), and this many seconds: the 4-tuple's
 * next records may be far away, or never come.
 */
const REORDER_SCAN_RECORDS = 4096;
const REORDER_SCAN_SECONDS = 1;

/**
 * The seq of `seg`, a bare ACK of `conn` printed without one, from `fwd` (its side) and `rev` (the
 * peer) as the analysis left them before it. The rules below in order; the first that fits decides.
 */
export function inferSeq(
  conn: Connection,
  seg: Segment,
  record: PacketRecord,
  fwd: Flow,
  rev: Flow,
): number | undefined {
  // The base: the next seq. When the peer has acknowledged more than this side was seen to send,
  // the data in between went uncaptured (a capture that lost it, or had it cut out), and this side's
  // next seq is at least what the peer acknowledged; not when that ack is what the checks call a bad
  // one: a SYN-ACK's (the peer has acknowledged nothing else yet), or one past this side's FIN, after
  // which nothing is sent. With nothing known yet, 0 matches the base numbering.ts chose for this
  // side (any constant would do: only differences within one flow matter).
  const next = fwd.nextseq;
  const acked = rev.lastack;
  const base =
    next !== undefined &&
    acked !== undefined &&
    gt(acked, next) &&
    !rev.isFirstAck &&
    fwd.finRecords.length === 0
      ? acked
      : (next ?? acked ?? seg.nextPrintedSeq ?? 0);
  const win = seg.win;
  // The same frame twice: a SPAN port or a bridge that passes some frames on twice puts a copy right
  // behind the original, the same to the byte. It sits where the original did (a keep-alive's copy
  // is one too, a late ACK's copy as late); judged on its own, it would be a duplicate ACK.
  // (A copy repeats its side's last ack: most bare ACKs move it, and are not looked at.)
  const copied = seg.ack === fwd.lastack ? copiedBareAck(record, fwd, rev) : undefined;
  if (copied !== undefined) return copied;
  // An ACK below the highest this side sent was sent before the segment that first carried that
  // one (a side's acks never go back): reordered on the way, it sits at that segment's seq. (After a
  // FIN that is the FIN's: Wireshark then calls it a keep-alive, at next seq - 1.)
  const ack = seg.ack;
  const highest = fwd.highestAck;
  const highestSeq = fwd.highestAckSeq;
  if (
    ack !== undefined &&
    highest !== undefined &&
    highestSeq !== undefined &&
    next !== undefined &&
    (lt(ack, highest) ||
      // The highest ack again right after a reordered one, stamped before the segment that last
      // moved this side's sequence: as old.
      (ack === highest && fwd.lastack !== highest && stampedBefore(record, fwd.nextseqBy)))
  ) {
    return highestSeq;
  }
  // Data this side sent that the capture never shows: the next segment that prints a seq jumps past
  // it. A bare ACK sent in the same burst just before that segment already carries the jumped seq, so
  // Wireshark flags the gap on the ACK (the sender's snd.nxt had moved: lost on the way, the bytes went
  // out before the ACK). Only an ACK that moves this side's ack (it answers new data): a repeated one
  // from a side busy sending came between the segments of its burst as often as after them (captures
  // through scripts/scenarios' relay), and an old one reordered on the way repeats or lowers the ack.
  // Not before the side's first data: the first segment of a response that arrives behind the later
  // ones came after the ACK of the request, which it would otherwise carry.
  // (Both rules below ask for the side's next printed seq when it comes soon after this ACK.)
  const jumped = seg.nextPrintedSoon ? seg.nextPrintedSeq : undefined;
  if (next !== undefined && ack !== fwd.lastack && fwd.dataSeen && jumped !== undefined && gt(jumped, base))
    return jumped;
  // The side's next segment goes back below its next seq, or (on a path seen to reorder or drop
  // this side's segments) starts there but is stamped before this ACK: segments reordered on the
  // way (or retransmitted). Those stamped before this ACK were sent before it, so it sits past them.
  // (Most bare ACKs followed by their side's data at the next seq are in order: reading the
  // timestamps of each cost the bench trace's tracking half as much again.)
  if (
    next !== undefined &&
    jumped !== undefined &&
    (lt(jumped, base) || (jumped === base && fwd.disordered))
  ) {
    const reach = olderSegmentsReach(seg, record, base, jumped === base);
    if (reach !== undefined) return reach;
  }
  const sameAck = ack === fwd.lastack;
  if (next === undefined || !sameAck) return base;
  if (win !== fwd.window) {
    // An ACK from before this side's last segment that arrives after it carries the window it had
    // then. Its timestamps date it: older, or the same tick with a smaller window (the ack the same,
    // nothing came in since to fill the buffer: the window was smaller before).
    const old =
      win !== 0
        ? stampedOldSeq(record, fwd, rev, win !== undefined && fwd.window !== undefined && win < fwd.window)
        : undefined;
    if (old !== undefined) return old;
    // A keep-alive carries the window as it is now, and after the last ACK the application may have
    // read what was still buffered: the window moves a little. A pure window update is sent only when
    // the window opens far (Linux: to twice what it was, tcp_cleanup_rbuf), so a small move after an
    // idle while is a keep-alive still.
    const previousWin = fwd.window;
    const small =
      win !== undefined &&
      win !== 0 &&
      previousWin !== undefined &&
      previousWin !== 0 &&
      win < 2 * previousWin;
    return small && !newSignalling(record, fwd) && idleProbe(conn, seg, record, rev, base)
      ? add32(base, -1)
      : base;
  }
  // The same bare ACK seen again on another interface after this side's data: tcpdump -i any on a
  // router or a bridge prints each packet In and Out, and the Out copy of an ACK can come after the
  // In copies of the data sent behind it. That copy sits at the seq it had then, not at the data's
  // end: no duplicate ACK. A copy: this line's interface (tcpdump's link prefix, `eth1 Out`) differs
  // from the earlier ACK's and from the data's since, with the same timestamps (a new ACK would come
  // In behind its data).
  const earlier = fwd.lastBareAck;
  const earlierSeq = fwd.lastBareAckSeq;
  const last = fwd.lastRecord;
  const point = observationPoint(record.linkText);
  if (
    point !== undefined &&
    earlier !== undefined &&
    earlierSeq !== undefined &&
    last !== undefined &&
    last.index !== earlier.index &&
    earlier.ackAbs === seg.ack &&
    observationPoint(earlier.linkText) !== point &&
    observationPoint(last.linkText) !== point
  ) {
    const stamp = timestamps(record);
    if (
      stamp !== undefined &&
      stamp === timestamps(earlier) &&
      optionSignature(record) === optionSignature(earlier)
    )
      return earlierSeq;
  }
  // Linux probes a zero window with a bare ACK at snd.una - 1; Wireshark calls it a keep-alive. (An
  // RST's window of 0 is no zero window: nothing is probed after it.)
  if (rev.window === 0 && win !== 0 && !((rev.lastRecord?.flags ?? 0) & RST)) return add32(base, -1);
  if (newSignalling(record, fwd)) return base;
  if (idleProbe(conn, seg, record, rev, base)) return add32(base, -1);
  // A bare ACK from before this side's data that arrives after it (reordered on a jittery path): it
  // repeats the ack the data carries, yet Wireshark, seeing its old seq, flags nothing. Its
  // timestamps date it: older than those of the segment that last moved this side's sequence, or
  // the same (the same millisecond) when that ack first came on data and no bare ACK carried it
  // before. It then sits where that ack first showed. (A duplicate ACK or a window update that
  // rounds to the same window is stamped at or after the data.) Without timestamps, such an ACK is
  // still told apart where both sides offered SACK, and the handshake's third ACK anyway (lateAck).
  // Here the ack repeats the last one and is not below the highest: it is the highest, and
  // highestAckSeq is where it first showed; the handshake's third ACK (it acknowledges the peer's SYN
  // alone) sits at its side's ISN + 1 even when what first showed its ack, a FIN say, came after
  // data that is late too.
  const ref = fwd.nextseqBy;
  const thirdAck = rev.isn !== undefined && ack === add32(rev.isn, 1) && fwd.isn !== undefined;
  if (
    win !== 0 &&
    ack !== undefined &&
    highestSeq !== undefined &&
    ref !== undefined &&
    lt(highestSeq, next)
  ) {
    const old = stampedOldSeq(record, fwd, rev, true);
    if (old !== undefined) return old;
    // Without timestamps.
    if (timestamps(record) === undefined && lateAck(record, fwd, rev)) {
      if (thirdAck) return add32(fwd.isn!, 1);
      if (rev.isn !== undefined && ack === add32(rev.isn, 1)) return highestSeq;
      // Other ACKs only when they come more than a moment after the data (one right behind it was
      // sent right after it, nDPI's imap-starttls: 9 us, where a path that reorders holds a frame
      // back for milliseconds) and nothing of the peer's calls for an answer with the same ack: a
      // keep-alive or a window probe, a control segment (the RST or FIN of a side that goes), data
      // sent again that this side had (its duplicate ACK; without D-SACK it reports no blocks).
      const peerFlags = rev.lastRecord?.flags ?? 0;
      if (
        (record.time ?? NaN) - (ref.time ?? NaN) > REORDER_MIN_DELAY &&
        !(
          rev.lastsegmentflags &
          (A.KEEP_ALIVE | A.ZERO_WINDOW_PROBE | A.RETRANSMISSION | A.SPURIOUS_RETRANSMISSION)
        ) &&
        !(peerFlags & (SYN | FIN | RST))
      )
        return highestSeq;
    }
  }
  return base;
}

/**
 * Where a bare ACK that repeats its side's highest ack sits when its timestamps date it before the
 * segment that last moved its side's sequence: older than that segment's, or (`sameTick`) the same
 * tick where that ack first came on data or a FIN and no bare ACK carried it before. It sits where
 * the ack first showed, the handshake's third ACK (it acknowledges the peer's SYN alone) at its
 * side's ISN + 1. Undefined when the timestamps do not date it so, or there are none.
 */
function stampedOldSeq(record: PacketRecord, fwd: Flow, rev: Flow, sameTick: boolean): number | undefined {
  const ref = fwd.nextseqBy;
  const ack = record.ackAbs;
  const highestSeq = fwd.highestAckSeq;
  const next = fwd.nextseq;
  if (
    ack === undefined ||
    ack !== fwd.highestAck ||
    highestSeq === undefined ||
    ref === undefined ||
    next === undefined ||
    !lt(highestSeq, next)
  )
    return undefined;
  const stamp = timestamps(record);
  const old =
    stampedBefore(record, ref) ||
    (sameTick &&
      stamp !== undefined &&
      stamp === timestamps(ref) &&
      fwd.highestAckData &&
      fwd.lastBareAck?.ackAbs !== ack);
  if (!old) return undefined;
  return rev.isn !== undefined && ack === add32(rev.isn, 1) && fwd.isn !== undefined
    ? add32(fwd.isn, 1)
    : highestSeq;
}

/** Whether `record` carries options its side's last segment did not (an MPTCP option, say): no probe. */
function newSignalling(record: PacketRecord, fwd: Flow): boolean {
  return fwd.lastRecord !== undefined && optionSignature(record) !== optionSignature(fwd.lastRecord);
}

/**
 * The seq of the bare ACK that `record` copies, when it is a copy: it comes right behind its side's
 * last bare ACK (nothing of the connection between them, within COPY_DELAY) and repeats it exactly:
 * flags, ack, window, options (timestamps and SACK blocks too) and, where -v prints one, the IP id
 * (a new packet has a new one). Two ACKs sent in one moment (the same timestamp tick, without -v)
 * repeat each other as well, and mostly sit at the same seq anyway; not a keep-alive and the answer
 * to the peer's crossing one, which can leave microseconds apart: the text cannot tell those from a
 * keep-alive and its copy.
 */
function copiedBareAck(record: PacketRecord, fwd: Flow, rev: Flow): number | undefined {
  const original = fwd.lastBareAck;
  const seq = fwd.lastBareAckSeq;
  const time = record.time;
  const since = original?.time;
  if (
    original === undefined ||
    seq === undefined ||
    time === undefined ||
    since === undefined ||
    time - since > COPY_DELAY ||
    record.ackAbs !== original.ackAbs ||
    record.win !== original.win ||
    record.flags !== original.flags ||
    record.ipId !== original.ipId ||
    // Nothing of the connection in between: it is its side's last segment, and the peer's are older.
    fwd.lastRecord?.index !== original.index ||
    (rev.lastRecord !== undefined && rev.lastRecord.index > original.index)
  )
    return undefined;
  const mine = record.options;
  const theirs = original.options;
  if (mine.length !== theirs.length) return undefined;
  for (let k = 0; k < mine.length; k++) if (mine[k]!.text !== theirs[k]!.text) return undefined;
  return seq;
}

/**
 * Whether `seg`, a bare ACK that repeats its side's ack, comes as a keep-alive does: after the
 * connection was quiet for KEEPALIVE_IDLE (its previous segment a bare ACK too), with everything this
 * side sent acknowledged (`base`: its next seq), and without SACK blocks: those report segments just
 * received (a D-SACK, for one that came twice), which a duplicate ACK answers and a keep-alive does not.
 */
function idleProbe(conn: Connection, seg: Segment, record: PacketRecord, rev: Flow, base: number): boolean {
  const time = seg.time;
  // The connection's previous segment (this one is not in its list yet).
  const count = conn.segments.length;
  const previous = count ? conn.segments.at(count - 1) : undefined;
  return (
    previous !== undefined &&
    previous.len === 0 &&
    !(previous.flags & (SYN | FIN | RST)) &&
    time !== undefined &&
    previous.time !== undefined &&
    time - previous.time >= KEEPALIVE_IDLE &&
    rev.lastack === base &&
    !reportsSack(record)
  );
}

/**
 * The end of the furthest of the segments of `record`'s side that follow it (within the next
 * REORDER_LOOKAHEAD records of its connection, up to a SYN or RST, and the scan's bounds) with an
 * older TS val than its: sent before it, they arrive after it. Undefined without timestamps, or when
 * none reaches past `base`, or (`firstOlder`) when the first of them is not older.
 */
function olderSegmentsReach(
  seg: Segment,
  record: PacketRecord,
  base: number,
  firstOlder: boolean,
): number | undefined {
  const mine = timestampPair(record);
  if (!mine) return undefined;
  const records = seg.trackedRecords();
  const flow = flowOf(record);
  const until = (record.time ?? NaN) + REORDER_SCAN_SECONDS;
  let reach = base;
  // Along the 4-tuple's records (its own alone: what other connections do decides nothing here).
  let i = seg.nextInTuple(seg.trackedAt());
  for (
    let seen = 0, looked = 0;
    i >= 0 && seen < REORDER_LOOKAHEAD && looked < REORDER_SCAN_RECORDS;
    looked++
  ) {
    const r = records.at(i)!;
    i = seg.nextInTuple(i);
    // (NaN, a time unknown on either side, compares false: the record count still bounds the look.)
    if ((r.time ?? NaN) > until) break;
    // (Counted as the connection's records are: incremental/editedRecord.ts re-tracks from this many
    // before an edit.)
    if (!isTrackedKind(r.kind)) continue;
    seen++;
    if (r.kind !== 'tcp') continue;
    const flags = r.flags ?? 0;
    // (Another connection may start on the 4-tuple: a re-track stops at its own connection's end.)
    if (flags & (SYN | RST)) break;
    const seq = r.seqAbs;
    if (seq === undefined || flowOf(r) !== flow) continue;
    const theirs = timestampPair(r);
    const older = theirs !== undefined && lt(theirs[0], mine[0]);
    // (`firstOlder`: the next one is at the next seq, in order unless it is older than the ACK; most
    // bare ACKs followed by their side's data are, and this keeps the look to that one.)
    if (firstOlder && !older && reach === base) return undefined;
    firstOlder = false;
    if (!older) continue;
    const end = add32(seq, Math.max(0, r.length ?? 0) + (flags & FIN ? 1 : 0));
    if (gt(end, reach)) reach = end;
  }
  return reach === base ? undefined : reach;
}

/**
 * Whether `record`, a bare ACK without timestamps that repeats its side's ack, is an ACK come late,
 * behind its side's data (a path that reorders): that ack first came on data (or a FIN), no bare ACK
 * carried it before, and it reports no SACK blocks. A duplicate ACK with the same ack, sent for the
 * peer's data arriving out of order, reports it in SACK blocks where both sides offered SACK; without
 * SACK only the handshake's third ACK (which acknowledges just the peer's SYN) is told apart, as a
 * third ACK lost and the peer's first data lost too would read the same.
 */
function lateAck(record: PacketRecord, fwd: Flow, rev: Flow): boolean {
  const ack = record.ackAbs;
  return (
    fwd.highestAckData &&
    fwd.lastBareAck?.ackAbs !== ack &&
    ((fwd.sackOffered && rev.sackOffered) || (rev.isn !== undefined && ack === add32(rev.isn, 1))) &&
    !reportsSack(record)
  );
}

/** Whether `record` carries SACK blocks. */
function reportsSack(record: PacketRecord): boolean {
  return optionOf(record, 'sack', (o) => (o.blocks?.length ?? 0) > 0) !== undefined;
}

const anyOption = (): boolean => true;

/**
 * `record`'s first option of kind `kind` (that passes `test`). A record's option list is read only
 * when its text names the kind (TraceRecord.hasOption): most lists are never needed by the analysis.
 */
export function optionOf(
  record: PacketRecord,
  kind: string,
  test: (o: TcpOption) => boolean = anyOption,
): TcpOption | undefined {
  if (record instanceof TraceRecord && !record.hasOption(kind)) return undefined;
  return record.options.find((o) => o.kind === kind && test(o));
}

/**
 * Where a packet was seen, from tcpdump's link prefix: the interface and direction of -i any
 * (`eth1 Out`), the MAC addresses of -e; without the frame length, which differs packet by packet.
 */
function observationPoint(linkText: string | undefined): string | undefined {
  return linkText?.replace(/,? length \d+:?$/, '');
}

/** Whether `record`'s TS val is older than `than`'s (both with timestamps). */
function stampedBefore(record: PacketRecord, than: PacketRecord | undefined): boolean {
  const mine = than && timestampPair(record);
  const theirs = mine && timestampPair(than!);
  return !!mine && !!theirs && lt(mine[0], theirs[0]);
}

/** A segment's TS option: [val, ecr], or undefined without one. */
function timestampPair(record: PacketRecord): [number, number | undefined] | undefined {
  const ts = optionOf(record, 'TS');
  return ts?.tsVal === undefined ? undefined : [ts.tsVal, ts.tsEcr];
}

/** A segment's TS option as text (`val ecr`), or undefined without one. */
function timestamps(record: PacketRecord): string | undefined {
  const pair = timestampPair(record);
  return pair && `${pair[0]} ${pair[1]}`;
}

/** The options of a segment other than padding, timestamps and SACK, which change on every packet. */
export function optionSignature(record: PacketRecord): string {
  const read = record instanceof TraceRecord ? record.optionSignature() : undefined;
  if (read !== undefined) return read;
  let sig = '';
  for (const o of record.options) {
    if (UNSIGNED_KINDS.has(o.kind)) continue;
    if (o.kind === 'mptcp') {
      sig += `${o.text.replace(/ ack \d+| seq \d+| subseq \d+| csum 0x[0-9a-f]+/g, '')};`;
    } else sig += `${o.kind};`;
  }
  return sig;
}
