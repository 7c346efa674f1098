/**
 * Wireshark's TCP sequence analysis (tcp_analyze_sequence_number in packet-tcp.c, 4.0), run on the
 * absolute numbers recovered from the text. The steps and their order are Wireshark's; the order is
 * the precedence (tcp-analysis-reference.md §2.2). Where tcpdump's text hides a field (the seq of a
 * pure ACK without -vv), inferSeq (seqInference.ts) stands in for it from what the text does carry.
 */
import { A, PRESENT, Segment, optionalIndex, type Connection, type Flow, type SegmentStore } from './model';
import { TraceRecord, Track, trackInputs } from './record';
import { add32, gt, le, lt } from './seq32';
import { KEEPALIVE_IDLE, inferSeq } from './seqInference';
import { ACK, FIN, RST, SYN, type PacketRecord } from './types';

/** Fast retransmissions follow the last duplicate ACK within this many seconds. */
const FAST_RETRANSMISSION_WINDOW = 0.02;
/** Out-of-order threshold when the initial RTT is unknown. */
const DEFAULT_OOO_THRESHOLD = 0.003;
/**
 * Whether `v`, a flow's next seq or its max seq to be acked, is known as Wireshark sees it: it keeps 0
 * for "none yet", so a side whose sequence space reaches exactly 0 (2^32, from an ISN near the wrap)
 * is unknown to it until the number moves on (no gap, no retransmission, no ACK of unseen bytes
 * judged against it). Only a real 0 counts: one of a side whose numbers are anchored at its SYN, not
 * the made-up base of a side seen only through bare ACKs (seqInference.ts, numbering.ts).
 */
function known(v: number | undefined, flow: Flow): v is number {
  return v !== undefined && (v !== 0 || flow.isn === undefined);
}

/**
 * Whether `delta` seconds is shorter than `limit` as Wireshark compares them, in whole nanoseconds.
 * Times here are doubles in seconds: a clock time (seconds of the day) is good to ~1e-11 s, but an
 * epoch or date time (-tt, -tttt: ~1.7e9 s) only to ~1.2e-7 s, so a gap equal to the initial RTT to
 * the printed microsecond can come out a hair shorter (or longer) than it. Shorter means shorter by
 * more than the doubles may be off: half a nanosecond for clock times, 0.49 us for the epoch's (two
 * differences of two such times are off by at most 4.8e-7 s; a microsecond less is still told apart).
 * `at`, a time of the comparison, says which.
 */
function shorter(delta: number, limit: number, at: number | undefined): boolean {
  // Wireshark's delta is unsigned (guint64): a packet stamped before the one it is measured from
  // (a capture whose clock stepped back, or merged out of order) is a huge delta, never a short one.
  return delta >= 0 && delta < limit - (at !== undefined && at > 1e6 ? 4.9e-7 : 5e-10);
}

/**
 * Findings analyzeSegment sets without a branch, as constants: a read of `A.ZERO_WINDOW` where the
 * finding is rare would be code that had never run when V8 optimised it (see analyzeSegment).
 */
const { ZERO_WINDOW_PROBE, ZERO_WINDOW, WINDOW_UPDATE } = A;

/**
 * 2^shift for a window scale (at most 14): `2 ** shift` calls Math.pow, which showed in profiles, as
 * this runs for every segment.
 */
const POW2 = Array.from({ length: 15 }, (_, shift) => 2 ** shift);

/** The window as the receiver means it, in bytes, when scaling is known. */
export function scaledWindow(flow: Flow, raw: number, isSyn: boolean): number | undefined {
  if (isSyn) return raw;
  if (flow.winScale === -1) return undefined;
  if (flow.winScale === -2) return raw;
  return raw * POW2[flow.winScale]!;
}

/**
 * Keep-alives that cross: both sides' timers fire together, so each sends a keep-alive and answers the
 * other's. Without its seq (tcpdump prints none on a pure ACK), the peer's keep-alive reads as the
 * answer to ours (the same ACK moments later), and step 7 called it a keep-alive ACK. But the answer
 * to a keep-alive is never answered, and a keep-alive is: when this side (whose last segment was a
 * keep-alive) repeats its ACK right after, the peer's segment, the connection's last, was its own
 * keep-alive at snd.una - 1, as Linux sends them. It is judged so now, and true is returned: this
 * segment answers it. The peer's flow keeps "keep-alive ACK" as its last flags, so that its next
 * segment (its own answer to our keep-alive, a duplicate ACK to Wireshark by then) is not taken for
 * another crossing. Only the connection's last segment changes, and only one whose seq was inferred;
 * tracking takes no checkpoint right after a keep-alive ACK (trackRecord), so a re-track never has to
 * change a segment before where it starts.
 */
function crossedKeepAlive(conn: Connection, fwd: Flow): boolean {
  if (!(fwd.lastsegmentflags & A.KEEP_ALIVE)) return false;
  const count = conn.segments.length;
  if (count === 0) return false;
  const previous = conn.segments.at(count - 1);
  const seq = previous.seq;
  if (previous.fromClient === (fwd === conn.client) || !previous.seqInferred || seq === undefined)
    return false;
  // Only our keep-alive that a timer sent, after a quiet while, can cross one: an ACK from before our
  // FIN that came after it sits at the FIN's seq, a keep-alive to Wireshark, and the peer answers it
  // at once; our ACK after that is a duplicate ACK. (A copy of our keep-alive right behind it, where
  // frames were seen twice, is the same keep-alive: the quiet while is before the first.)
  const segments = conn.segments;
  for (let k = count - 2; k > 0; k--) {
    if (segments.fromClient(k) === previous.fromClient) continue;
    let first = k;
    while (
      first > 0 &&
      segments.fromClient(first - 1) === segments.fromClient(k) &&
      segments.seq(first - 1) === segments.seq(k) &&
      segments.analysis(first - 1) & A.KEEP_ALIVE
    )
      first--;
    const sent = segments.at(first).time;
    const before = first > 0 ? segments.at(first - 1).time : undefined;
    if (sent !== undefined && before !== undefined && sent - before < KEEPALIVE_IDLE) return false;
    break;
  }
  previous.analysis = (previous.analysis & ~A.KEEP_ALIVE_ACK) | A.KEEP_ALIVE;
  previous.seq = add32(seq, -1);
  const relSeq = previous.relSeq;
  if (relSeq !== undefined) previous.relSeq = add32(relSeq, -1);
  return true;
}

/**
 * A capture that starts with a bare ACK the peer answers with a bare ACK of its own (`ack`): a bare
 * ACK draws no answer unless it probes, so the first was a keep-alive, at the peer's ack - 1 (as
 * Linux sends them), and the answer acknowledges a byte the capture never showed. Without -vv and in
 * -S output nothing else says so (in relative output numbering.ts finds that seq exactly), and its
 * seq was taken from the answer's ack. `rev`: the first one's side, whose only segment it is.
 */
function answeredFirstAck(conn: Connection, ack: number, rev: Flow): void {
  const first = conn.segments.at(0);
  if (!first.seqInferred || first.seq !== ack || first.len !== 0 || first.flags & (SYN | FIN | RST)) return;
  if (first.fromClient !== (rev === conn.client)) return;
  const seq = add32(ack, -1);
  first.seq = seq;
  rev.baseSeq = add32(seq, -1);
  first.relSeq = 1;
  rev.nextseq = seq;
  rev.maxseqtobeacked = seq;
  rev.highestAckSeq = seq;
  rev.lastBareAckSeq = seq;
}

/**
 * What a SYN or SYN-ACK's options say of its side: whether it offers SACK, and Wireshark's window-scale
 * bookkeeping (verify_tcp_window_scaling).
 */
function noteSynOptions(r: PacketRecord, flags: number, fwd: Flow, rev: Flow): void {
  // (From the option text alone, not optionOf: parsing every SYN's option list, kept with its record,
  // cost the bench trace's tracking 100 ms.)
  fwd.sackOffered =
    r instanceof TraceRecord ? r.hasOption('sackOK') : r.options.some((o) => o.kind === 'sackOK');
  const ws = r instanceof TraceRecord ? r.wscale : r.options.find((o) => o.kind === 'wscale')?.value;
  if (ws !== undefined) fwd.winScale = Math.min(ws, 14);
  if (fwd.winScale === -1) {
    fwd.winScale = -2;
    rev.winScale = -2;
  } else if (flags & ACK && rev.winScale === -2) {
    fwd.winScale = -2;
  }
}

/**
 * Runs the analysis for one segment of `conn` (not yet in its list), the one in `slot` of `store`, of
 * record `record`, whose payload is `len` bytes. Its other numbers are read from trackInputs, where
 * the tracking pass has just read them from the record (connections.ts, trackRecord), and what it
 * finds is written to the slot's columns: getter and setter calls on the segment or the record,
 * which V8 leaves un-inlined in a function this long, each box their number, and a handle on the
 * segment would be an object for each. Without `full` (a report's analysis), the relative numbers
 * and what an ACK acknowledges are left out: only editor features show them.
 */
export function analyzeSegment(
  conn: Connection,
  store: SegmentStore,
  slot: number,
  record: PacketRecord,
  fwd: Flow,
  rev: Flow,
  len: number,
  full: boolean,
): void {
  const v = trackInputs;
  const flags = v[Track.FLAGS]!;
  const timeIn = v[Track.TIME]!;
  const time = timeIn === timeIn ? timeIn : undefined;
  const index = v[Track.INDEX]!;
  const printed = v[Track.SEQ]!;
  const seqIn = v[Track.SEQ_ABS]!;
  const ackIn = flags & ACK ? v[Track.ACK_ABS]! : NaN;
  const winIn = v[Track.WIN]!;
  const isSyn = (flags & SYN) !== 0;
  const ctl = (flags & (SYN | FIN | RST)) !== 0;

  if (isSyn) noteSynOptions(record, flags, fwd, rev);
  let seq = seqIn === seqIn ? seqIn : undefined;
  const ack = ackIn === ackIn ? ackIn : undefined;
  const win = winIn === winIn ? winIn : undefined;
  if (len === 0 && !ctl) {
    if (seq === undefined) {
      seq = inferSeq(conn, new Segment(store, slot), record, fwd, rev);
      if (seq !== undefined) {
        store.seq[slot] = seq;
        store.present[slot] = store.present[slot]! | PRESENT.SEQ;
        store.seqInferred[slot] = 1;
      }
    } else if (printed !== printed) {
      // Deduced, not printed: numbering.ts found the seq of the bare ACK tcpdump took a base from.
      store.seqInferred[slot] = 1;
    }
    if (ack !== undefined && conn.segments.length === 1) answeredFirstAck(conn, ack, rev);
  }

  // Relative-number bases, as Wireshark fixes them: a SYN's seq, else seq - 1; or the peer's ack - 1.
  if (fwd.baseSeq === undefined && seq !== undefined) fwd.baseSeq = isSyn ? seq : add32(seq, -1);
  if (rev.baseSeq === undefined && ack !== undefined && flags & ACK) rev.baseSeq = add32(ack, -1);

  // The initial RTT: from the most recent SYN to the first ACK without SYN after it. Wireshark keeps
  // the SYN's time as "none" when it is exactly 0 (the epoch, as in a capture crafted from time 0):
  // that connection then has no iRTT, and out-of-order is judged against 3 ms.
  if (isSyn && !(flags & ACK)) conn.lastSynTime = atEpoch(record) ? undefined : time;
  if (
    flags & ACK &&
    !isSyn &&
    conn.irtt === undefined &&
    conn.lastSynTime !== undefined &&
    time !== undefined
  ) {
    conn.irtt = time - conn.lastSynTime;
  }

  let a = 0;
  if (seq !== undefined && win !== undefined) {
    // Rare findings (zero windows, probes, window updates) are set without a branch where they can
    // be, and each condition is evaluated on every segment: code that had never run when V8
    // optimised the tracking pass deoptimised it the first time a trace had one of them (four times
    // on the bench trace).
    const atNext = seq === fwd.nextseq;
    const peerWindowZero = rev.window === 0;
    const reset = (flags & RST) !== 0;
    // 1. zero window probe
    const skipToFinished = len === 1 && atNext && peerWindowZero;
    a |= skipToFinished ? ZERO_WINDOW_PROBE : 0;
    if (!skipToFinished) {
      // 2. zero window
      a |= win === 0 && !ctl ? ZERO_WINDOW : 0;
      // 3. lost segment: the sequence jumps past bytes never seen
      if (known(fwd.nextseq, fwd) && gt(seq, fwd.nextseq) && !reset) {
        a |= A.LOST_PACKET;
        store.beforeGapRecord[slot] = optionalIndex(fwd.nextseqRecord);
      }
      // 4. keep-alive
      if ((len === 0 || len === 1) && fwd.nextseq !== undefined && seq === add32(fwd.nextseq, -1) && !ctl) {
        a |= A.KEEP_ALIVE;
      }
      // 5. window update
      const sameAck = ack === fwd.lastack;
      const newWindow = win !== fwd.window;
      a |= len === 0 && win !== 0 && newWindow && atNext && sameAck && !ctl ? WINDOW_UPDATE : 0;
      // 6. window full
      if (len > 0 && rev.winScale !== -1 && rev.lastack !== undefined && rev.window !== undefined && !ctl) {
        const shift = rev.isFirstAck || rev.winScale === -2 ? 0 : rev.winScale;
        if (add32(seq, len) === add32(rev.lastack, rev.window * POW2[shift]!)) a |= A.WINDOW_FULL;
      }
      const sameAsLast =
        len === 0 && win === fwd.window && seq === fwd.nextseq && ack === fwd.lastack && !ctl;
      // 7. keep-alive ACK
      if (
        sameAsLast &&
        win !== 0 &&
        (rev.lastsegmentflags & A.KEEP_ALIVE ||
          (rev.lastsegmentflags & A.KEEP_ALIVE_ACK && crossedKeepAlive(conn, fwd)))
      ) {
        a |= A.KEEP_ALIVE_ACK;
      } else if (sameAsLast && win === 0 && rev.lastsegmentflags & A.ZERO_WINDOW_PROBE) {
        // 8. zero window probe ACK
        a |= A.ZERO_WINDOW_PROBE_ACK;
      } else if (sameAsLast && win !== 0) {
        // 9. duplicate ACK
        fwd.dupacknum = fwd.dupacknum < 0 ? 1 : fwd.dupacknum + 1;
        a |= A.DUPLICATE_ACK;
        store.dupAckNum[slot] = optionalIndex(fwd.dupacknum);
        store.dupAckOf[slot] = optionalIndex(fwd.lastnondupack);
      }
    }
    if (flags & ACK && ack !== undefined && (fwd.highestAck === undefined || gt(ack, fwd.highestAck))) {
      fwd.highestAck = ack;
      fwd.highestAckSeq = seq;
      fwd.highestAckData = len > 0 || (flags & FIN) !== 0;
    }
    // 10. only a changed ack number resets the duplicate count
    if (ack !== fwd.lastack) {
      fwd.lastnondupack = index;
      fwd.dupacknum = 0;
    }
    // 11. ACKed unseen segment
    if (flags & ACK && ack !== undefined && known(rev.maxseqtobeacked, rev) && gt(ack, rev.maxseqtobeacked)) {
      if (rev.nextseq !== undefined && lt(rev.maxseqtobeacked, rev.nextseq)) {
        rev.maxseqtobeacked = rev.nextseq;
        a |= A.ACK_LOST_PACKET;
      } else {
        if (rev.dupacknum === 0) a |= A.ACK_LOST_PACKET;
        rev.dupacknum = -1;
      }
    }
    // 12. retransmission family
    if ((len > 0 || flags & (SYN | FIN)) && !(a & A.KEEP_ALIVE)) {
      let notAdvanced = known(fwd.nextseq, fwd) && lt(seq, fwd.nextseq);
      if (len > 1 && fwd.nextseq !== undefined && seq === add32(fwd.nextseq, -1)) notAdvanced = false;
      const synFin = flags & (SYN | FIN) ? 1 : 0;
      // Spurious: everything in it was already acknowledged (Wireshark does not require notAdvanced here).
      if (len > 0 && rev.lastack !== undefined && rev.lastack !== 0 && le(add32(seq, len), rev.lastack)) {
        a |= A.SPURIOUS_RETRANSMISSION;
      }
      if (!(a & A.SPURIOUS_RETRANSMISSION) && notAdvanced) {
        const sinceDup =
          time !== undefined && rev.lastackTime !== undefined ? time - rev.lastackTime : Infinity;
        const sinceNext =
          time !== undefined && fwd.nextseqTime !== undefined ? time - fwd.nextseqTime : Infinity;
        const oooThreshold = conn.irtt !== undefined && conn.irtt > 0 ? conn.irtt : DEFAULT_OOO_THRESHOLD;
        // Wireshark's counter is unsigned: the -1 that an ACK of unseen bytes leaves in it (step 11)
        // passes ">= 2" too, until the peer's ack changes.
        if (
          (rev.dupacknum >= 2 || rev.dupacknum === -1) &&
          rev.lastack === seq &&
          shorter(sinceDup, FAST_RETRANSMISSION_WINDOW, time)
        ) {
          a |= A.FAST_RETRANSMISSION;
        } else if (shorter(sinceNext, oooThreshold, time) && fwd.nextseq !== add32(seq, len + synFin)) {
          a |= A.OUT_OF_ORDER;
        } else {
          a |= A.RETRANSMISSION;
        }
      }
      if (a & (A.RETRANSMISSION | A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION | A.OUT_OF_ORDER)) {
        store.originalRecord[slot] = optionalIndex(firstSentAt(fwd, seq));
      }
    }
    // 13. bookkeeping
    let nextseq = add32(seq, len);
    if (len > 0 || flags & (SYN | FIN)) {
      if (flags & (SYN | FIN)) nextseq = add32(nextseq, 1);
      if (
        !(a & (A.RETRANSMISSION | A.FAST_RETRANSMISSION | A.SPURIOUS_RETRANSMISSION | A.OUT_OF_ORDER)) &&
        fwd.sent.length < 100000
      ) {
        fwd.sent.push(seq, nextseq, index);
      }
    }
    if ((!known(fwd.nextseq, fwd) || gt(nextseq, fwd.nextseq)) && !(a & A.ZERO_WINDOW_PROBE)) {
      // A next seq of 0 on the wire (an RST+ACK refusing a SYN sends seq 0) is "none yet" to
      // Wireshark, so a later SYN-ACK is judged against nothing. (Only a printed 0: a side whose seq
      // is never printed sits at a base numbering.ts made up, 0, for a real and unknown one.)
      fwd.nextseq = nextseq === 0 && printed === 0 ? undefined : nextseq;
      fwd.nextseqTime = time;
      fwd.nextseqRecord = index;
      fwd.nextseqBy = record;
    }
    if ((!known(fwd.maxseqtobeacked, fwd) || seq === fwd.maxseqtobeacked) && !(a & A.ZERO_WINDOW_PROBE)) {
      fwd.maxseqtobeacked = fwd.nextseq;
    }
  }
  if (win !== undefined) fwd.window = win;
  fwd.lastack = flags & ACK ? ack : undefined;
  fwd.lastackTime = time;
  if (a & (A.RETRANSMISSION | A.OUT_OF_ORDER | A.LOST_PACKET)) fwd.disordered = true;
  fwd.lastsegmentflags = a;
  fwd.lastRecord = record;
  if (len === 0 && !ctl) {
    fwd.lastBareAck = record;
    fwd.lastBareAckSeq = seq;
  }
  if (flags & ACK && !isSyn) fwd.isFirstAck = false;
  if (a !== 0) store.analysis[slot] = store.analysis[slot]! | a;

  // What this ACK acknowledges: the latest segment of the peer that it covers in full.
  if (full && flags & ACK && ack !== undefined && rev.sent.length) {
    const sent = rev.sent;
    for (let i = sent.length - 1; i >= 0 && i >= sent.length - 64; i--) {
      if (le(sent.end(i), ack)) {
        store.acksRecord[slot] = optionalIndex(sent.record(i));
        break;
      }
    }
  }
  let present = 0;
  if (full && seq !== undefined && fwd.baseSeq !== undefined) {
    store.relSeq[slot] = (seq - fwd.baseSeq) >>> 0;
    present |= PRESENT.REL_SEQ;
  }
  if (full && ack !== undefined && rev.baseSeq !== undefined) {
    store.relAck[slot] = (ack - rev.baseSeq) >>> 0;
    present |= PRESENT.REL_ACK;
  }
  const winBytes = win === undefined ? undefined : scaledWindow(fwd, win, isSyn);
  if (winBytes !== undefined) {
    store.winBytes[slot] = winBytes;
    present |= PRESENT.WIN_BYTES;
  }
  store.present[slot] = store.present[slot]! | present;
}

/**
 * The record that first sent the byte at `seq`. `sent` holds only segments that advanced the
 * sequence, so it is sorted by seq (in sequence space relative to its first entry): binary search.
 */
function firstSentAt(fwd: Flow, seq: number): number | undefined {
  const sent = fwd.sent;
  if (sent.length === 0) return undefined;
  const origin = sent.seq(0);
  const key = (seq - origin) >>> 0;
  let lo = 0;
  let hi = sent.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = (sent.seq(mid) - origin) >>> 0;
    const end = (sent.end(mid) - origin) >>> 0;
    if (key < start) hi = mid - 1;
    else if (key >= end && end > start) lo = mid + 1;
    else return sent.record(mid);
  }
  return undefined;
}

/**
 * Whether `record` is stamped at time 0 of an absolute clock: 1970-01-01 00:00:00.000000 (tcpdump's
 * `00:00:00.000000` without a date too: a real packet at midnight to the microsecond is a chance of
 * one in 86 400 000 000). Not a -ttt or -ttttt delta, which is 0 on the first packet of any capture.
 */
function atEpoch(record: PacketRecord): boolean {
  return record.time === 0 && record.timeKind !== 'delta';
}
