/**
 * Each endpoint's RFC 9293 state after every packet, as an observer on the wire can tell it.
 *
 * A segment proves its sender's state, so the sender moves when it sends. The receiver is moved on the
 * same packet (we take delivery as given, as a capture near either end can), with one exception: a
 * server is shown in LISTEN until it answers a SYN, because a refused or unanswered SYN means nobody
 * was listening (tcp-analysis-reference.md §1.2).
 */
import { ge } from './seq32';
import type { Flow, SegmentStore, TcpState } from './model';
import { ACK, FIN, RST, SYN } from './types';

const SYNCHRONIZED = new Set<TcpState>([
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'CLOSE-WAIT',
  'CLOSING',
  'LAST-ACK',
  'TIME-WAIT',
]);

export function isSynchronized(state: TcpState): boolean {
  return SYNCHRONIZED.has(state);
}

/**
 * Moves the two endpoints' states for one segment sent by `fwd` to `rev`: the one in `slot` of
 * `store`, with flags `f` and ack `ack` (with the ACK flag only), the client's if `fromClient`.
 */
export function updateStates(
  store: SegmentStore,
  slot: number,
  fwd: Flow,
  rev: Flow,
  f: number,
  ack: number | undefined,
  fromClient: boolean,
): void {
  const beforeFwd = fwd.state;
  const beforeRev = rev.state;

  if (f & RST) {
    fwd.state = 'CLOSED';
    rev.state = 'CLOSED';
  } else {
    // The ACK field first: it may complete the peer's handshake or acknowledge the peer's FIN.
    if (f & ACK && ack !== undefined) {
      if (rev.state === 'SYN-RECEIVED' && rev.isn !== undefined && !(f & SYN)) rev.state = 'ESTABLISHED';
      if (rev.finSeq !== undefined && ge(ack, (rev.finSeq + 1) >>> 0)) {
        if (rev.state === 'FIN-WAIT-1') rev.state = 'FIN-WAIT-2';
        else if (rev.state === 'CLOSING') rev.state = 'TIME-WAIT';
        else if (rev.state === 'LAST-ACK') rev.state = 'CLOSED';
      }
      if (fwd.state === 'SYN-SENT' && !(f & SYN)) fwd.state = 'ESTABLISHED';
      if (fwd.state === 'UNKNOWN') fwd.state = 'ESTABLISHED';
      if (rev.state === 'UNKNOWN' && !(f & SYN)) rev.state = 'ESTABLISHED';
      // An ACK from a synchronized side proves the peer answered its SYN, even when that answer is not
      // in the trace (only one direction captured).
      if (rev.state === 'LISTEN' && !(f & SYN) && isSynchronized(fwd.state)) rev.state = 'ESTABLISHED';
    }
    if (f & SYN) {
      if (f & ACK) {
        // SYN-ACK: the sender received a SYN (LISTEN or a crossing SYN-SENT) and answers it; after a
        // simultaneous open it may already be ESTABLISHED.
        if (fwd.state !== 'ESTABLISHED') fwd.state = 'SYN-RECEIVED';
        if (rev.state === 'SYN-SENT' || rev.state === 'SYN-RECEIVED') rev.state = 'ESTABLISHED';
      } else {
        if (
          fwd.state === 'CLOSED' ||
          fwd.state === 'UNKNOWN' ||
          fwd.state === 'LISTEN' ||
          fwd.state === 'TIME-WAIT'
        ) {
          fwd.state = 'SYN-SENT';
        }
        // A crossing SYN (simultaneous open) moves a SYN-SENT peer to SYN-RECEIVED.
        if (rev.state === 'SYN-SENT' && beforeFwd !== 'SYN-SENT') rev.state = 'SYN-RECEIVED';
        else if (rev.state === 'CLOSED' || rev.state === 'UNKNOWN' || rev.state === 'TIME-WAIT') {
          rev.state = 'LISTEN';
        }
      }
    }
    if (f & FIN) {
      const acksPeerFin = rev.finSeq !== undefined && ack !== undefined && ge(ack, (rev.finSeq + 1) >>> 0);
      if (fwd.state === 'ESTABLISHED' || fwd.state === 'SYN-RECEIVED' || fwd.state === 'UNKNOWN') {
        fwd.state = 'FIN-WAIT-1';
      } else if (fwd.state === 'CLOSE-WAIT' && rev.finSeq !== undefined && !acksPeerFin) {
        // Crossing FINs (simultaneous close): this FIN left before the peer's arrived, so this side was
        // in FIN-WAIT-1 and, once the peer's FIN is in, in CLOSING (RFC 9293 Fig. 13).
        fwd.state = 'CLOSING';
      } else if (fwd.state === 'CLOSE-WAIT') fwd.state = 'LAST-ACK';
      if (rev.state === 'ESTABLISHED' || rev.state === 'UNKNOWN') rev.state = 'CLOSE-WAIT';
      else if (rev.state === 'FIN-WAIT-1') rev.state = 'CLOSING';
      else if (rev.state === 'FIN-WAIT-2') rev.state = 'TIME-WAIT';
      // A FIN that also acknowledges the peer's FIN: the peer goes from FIN-WAIT-1 through to TIME-WAIT.
      if (
        rev.state === 'CLOSING' &&
        rev.finSeq !== undefined &&
        ack !== undefined &&
        ge(ack, (rev.finSeq + 1) >>> 0)
      ) {
        rev.state = 'TIME-WAIT';
      }
    }
  }
  if (fromClient) store.setStates(slot, beforeFwd, fwd.state, beforeRev, rev.state);
  else store.setStates(slot, beforeRev, rev.state, beforeFwd, fwd.state);
}
