/**
 * Zeek's connection summary: each endpoint's Zeek state, the `history` string and `conn_state`
 * (zeek scripts/base/protocols/conn/main.zeek; TCPSessionAdapter.cc), derived from the segments.
 */
import { gt } from './seq32';
import type { Connection } from './model';
import { A } from './model';
import { ACK, FIN, RST, SYN } from './types';

type ZeekEndpointState =
  'INACTIVE' | 'SYN_SENT' | 'SYN_ACK_SENT' | 'PARTIAL' | 'ESTABLISHED' | 'CLOSED' | 'RESET';

interface Side {
  state: ZeekEndpointState;
  /** The history letters this side has added, a bit per letter ('a' is bit 0). */
  letters: number;
  lastSynSeq?: number;
  lastFinSeq?: number;
  lastRstSeq?: number;
  retransmits: number;
  zeroWindows: number;
  gaps: number;
  payload: boolean;
  /**
   * The end of the highest data seen, NaN before any: a field that holds only numbers is updated in
   * place, where one that may hold undefined gets a new boxed number for each end above 2^31.
   */
  highest: number;
}

function newSide(): Side {
  // Every field from the start: one shape for all sides (see newFlow in connections.ts).
  return {
    state: 'INACTIVE',
    letters: 0,
    lastSynSeq: undefined,
    lastFinSeq: undefined,
    lastRstSeq: undefined,
    retransmits: 0,
    zeroWindows: 0,
    gaps: 0,
    payload: false,
    highest: NaN,
  };
}

/**
 * The letters the counted events of one segment add (see replay), by `9t + 3g + w`, where each of t
 * (retransmission), g (gap) and w (zero window) is 0 (none), 1 (the responder's letter) or 2 (the
 * originator's): in history order, t before g before w.
 */
const COUNTED_LETTERS = Array.from(
  { length: 27 },
  (_, i) =>
    ['', 't', 'T'][Math.floor(i / 9)]! + ['', 'g', 'G'][Math.floor(i / 3) % 3]! + ['', 'w', 'W'][i % 3]!,
);

/** Logarithmic counters: the 1st, 10th, 100th ... event records its letter again. */
function logarithmic(n: number): boolean {
  return n === 1 || n === 10 || n === 100 || n === 1000 || n === 10000 || n === 100000;
}

/**
 * `history` with `letter` added for `side` (upper case for the originator `o`), or as it is when
 * `once` and the side has added it before. (A module function: as a closure made at every call, the
 * summary of each connection ran with new feedback for it, and V8 deoptimised the summary hundreds
 * of times on a large trace.)
 */
function withLetter(history: string, side: Side, o: Side, letter: string, once = true): string {
  const bit = 1 << (letter.charCodeAt(0) - 97);
  if (once && side.letters & bit) return history;
  side.letters |= bit;
  return history + (side === o ? letter.toUpperCase() : letter);
}

export function zeekSummary(conn: Connection): { state: string; history: string } {
  const { o, r, history } = replay(conn);
  return { state: connState(o, r, history), history };
}

/**
 * Both sides as Zeek leaves them after the connection's segments, and the history. (A function of
 * its own, apart from connState: V8 compiles a long loop on the stack (OSR) together with what
 * follows it in the function, and keeps that code for the function's later calls even after it
 * deoptimised; with connState after the loop, each connection whose end states took a comparison not
 * taken before deoptimised it again, 47 times in the full analysis of 100 000 packets.)
 */
function replay(conn: Connection): { o: Side; r: Side; history: string } {
  const o = newSide();
  const r = newSide();
  let history = '';
  let finSeenFrom: Side | undefined;
  const { store: first, stores, slots } = conn.segments.entries();
  for (let k = 0; k < slots.length; k++) {
    const store = stores === undefined ? first : stores[k]!;
    const slot = slots[k]!;
    const fromClient = store.fromClient[slot] === 1;
    const me = fromClient ? o : r;
    const peer = fromClient ? r : o;
    const f = store.flags[slot]!;
    const len = store.len[slot]!;
    const bits = (f & SYN ? 1 : 0) + (f & FIN ? 1 : 0) + (f & RST ? 1 : 0);
    const seq = store.seqAt(slot);
    if (bits > 1) {
      history = withLetter(history, me, o, f & SYN ? 'q' : 'i');
    } else if (f & SYN) {
      if (me.lastSynSeq === undefined || seq !== me.lastSynSeq)
        history = withLetter(history, me, o, f & ACK ? 'h' : 's', false);
      me.lastSynSeq = seq;
    } else if (f & FIN) {
      const finAt = seq === undefined ? undefined : (seq + len) >>> 0;
      if (me.lastFinSeq === undefined || finAt !== me.lastFinSeq)
        history = withLetter(history, me, o, 'f', false);
      me.lastFinSeq = finAt;
    } else if (f & RST) {
      if (me.lastRstSeq === undefined || seq !== me.lastRstSeq)
        history = withLetter(history, me, o, 'r', false);
      me.lastRstSeq = seq;
    } else if (len > 0) {
      history = withLetter(history, me, o, 'd');
    } else if (f & ACK) {
      history = withLetter(history, me, o, 'a');
    }
    // The counted events (retransmissions, gaps, zero windows), 0 or 1 each, are counted and their
    // letters added without a branch: they are rare, and code that had never run when V8 optimised
    // this loop (an increment, a call, a comparison) deoptimised it at the trace's first zero window
    // or gap. On the bench trace that was twice, the loop compiled six times instead of two, and the
    // checks took 99 ms instead of 85 (`node scripts/bench/stage-ab.mjs --cold`).
    let retransmitted = 0;
    if (len > 0 && seq !== undefined) {
      const end = (seq + len) >>> 0;
      const seen = !Number.isNaN(me.highest);
      retransmitted = seen && !gt(end, me.highest) ? 1 : 0;
      if (!seen || gt(end, me.highest)) me.highest = end;
    }
    const gap = store.analysis[slot]! & A.LOST_PACKET ? 1 : 0;
    // (Each condition on its own: after a `&&` that a zero window alone passes, a comparison had
    // never run either.)
    const zeroWin = store.winAt(slot) === 0;
    const reset = (f & RST) !== 0;
    const afterPeerFin = finSeenFrom === peer;
    const zeroWindow = zeroWin && !reset && !afterPeerFin ? 1 : 0;
    me.retransmits += retransmitted;
    me.gaps += gap;
    me.zeroWindows += zeroWindow;
    const letterCase = me === o ? 2 : 1;
    const t = (logarithmic(me.retransmits * retransmitted) ? 1 : 0) * letterCase;
    const g = (logarithmic(me.gaps * gap) ? 1 : 0) * letterCase;
    const w = (logarithmic(me.zeroWindows * zeroWindow) ? 1 : 0) * letterCase;
    history += COUNTED_LETTERS[9 * t + 3 * g + w]!;
    if (f & FIN) finSeenFrom = me;

    // Endpoint states.
    if (f & RST) me.state = 'RESET';
    else if (f & FIN) {
      if (me.state !== 'RESET') me.state = 'CLOSED';
    } else if (f & SYN) {
      if (f & ACK) {
        if (me.state === 'INACTIVE' || me.state === 'PARTIAL') me.state = 'SYN_ACK_SENT';
        if (peer.state === 'SYN_SENT' || peer.state === 'SYN_ACK_SENT') {
          me.state = 'ESTABLISHED';
          peer.state = 'ESTABLISHED';
        }
      } else if (me.state === 'INACTIVE') {
        me.state = 'SYN_SENT';
      }
    } else if (me.state === 'INACTIVE') {
      me.state = 'PARTIAL';
    } else if (
      (me.state === 'SYN_SENT' || me.state === 'SYN_ACK_SENT') &&
      f & ACK &&
      peer.state !== 'INACTIVE'
    ) {
      me.state = 'ESTABLISHED';
      if (peer.state === 'SYN_SENT' || peer.state === 'SYN_ACK_SENT') peer.state = 'ESTABLISHED';
    }
    if (len > 0) me.payload = true;
  }
  return { o, r, history };
}

/** A history of an originator that sent a SYN and then a reset, its peer silent (Zeek's RSTOS0). */
const SYN_THEN_RESET = /^\^?S[^HAFGIQ]*R/;

function connState(o: Side, r: Side, history: string): string {
  // (Plain comparisons, no helper calls: V8 inlines this into zeekSummary before it has type feedback
  // of its own, and a call or comparison without feedback deoptimised the summary again and again,
  // some hundred times on a large trace.)
  const oInactive = o.state === 'INACTIVE' || o.state === 'PARTIAL';
  const rInactive = r.state === 'INACTIVE' || r.state === 'PARTIAL';
  if (r.state === 'RESET') {
    if (
      o.state === 'SYN_SENT' ||
      o.state === 'SYN_ACK_SENT' ||
      (o.state === 'RESET' && !o.payload && !r.payload)
    ) {
      return 'REJ';
    }
    return oInactive ? 'RSTRH' : 'RSTR';
  }
  if (o.state === 'RESET') {
    if (rInactive) return SYN_THEN_RESET.test(history) ? 'RSTOS0' : 'OTH';
    return 'RSTO';
  }
  if (o.state === 'CLOSED' && r.state === 'CLOSED') return 'SF';
  if (o.state === 'CLOSED') return rInactive ? 'SH' : 'S2';
  if (r.state === 'CLOSED') return oInactive ? 'SHR' : 'S3';
  if (o.state === 'SYN_SENT' && r.state === 'INACTIVE') return 'S0';
  if (o.state === 'ESTABLISHED' && r.state === 'ESTABLISHED') return 'S1';
  return 'OTH';
}
