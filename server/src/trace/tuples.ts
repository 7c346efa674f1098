/**
 * Dense ids for a file's 4-tuples (unordered pairs of endpoints), given as the parser reads each
 * record's endpoints. What is kept per 4-tuple (tcpdump's numbering table, the connection being
 * tracked, the next printed seq, a 4-tuple's records for an edit) is then found by one number, not by
 * two endpoint ids looked up in nested maps for every packet. The ids are kept with the parse, like
 * the endpoint table, so that a record read again after an edit gets its id back.
 */
import type { Endpoint, PacketRecord } from './types';

export class TupleIds {
  private readonly rows = new Map<number, Map<number, number>>();
  /** The endpoints of each id, the one with the lower endpoint id first: a record keeps only its
   * 4-tuple's id and its side (TraceRecord), not two references. */
  private readonly ends: Endpoint[] = [];
  /** How many ids are given: each is below it. */
  count = 0;

  /** The id of the 4-tuple of endpoints `a` and `b`, in either order. */
  of(a: Endpoint, b: Endpoint): number {
    const lo = a.id <= b.id ? a : b;
    const hi = a.id <= b.id ? b : a;
    let row = this.rows.get(lo.id);
    if (!row) {
      row = new Map();
      this.rows.set(lo.id, row);
    }
    let id = row.get(hi.id);
    if (id === undefined) {
      id = this.count++;
      row.set(hi.id, id);
      this.ends.push(lo, hi);
    }
    return id;
  }

  /** Endpoint `side` (0: the one with the lower endpoint id, 1: the other) of 4-tuple `id`. */
  endpoint(id: number, side: 0 | 1): Endpoint {
    return this.ends[id * 2 + side]!;
  }
}

/**
 * The direction of a record with endpoints within its 4-tuple, as a number: two per 4-tuple, the even
 * one from the endpoint with the lower id.
 */
export function flowOf(r: PacketRecord): number {
  return directionOf(r.tuple!, r.src!.id, r.dst!.id);
}

/** The direction from endpoint id `from` to `to` within 4-tuple `tuple`, numbered as flowOf's. */
export function directionOf(tuple: number, from: number, to: number): number {
  return sideDirection(tuple, from <= to);
}

/** The direction within 4-tuple `tuple` from its lower endpoint or not, numbered as flowOf's. */
export function sideDirection(tuple: number, fromLower: boolean): number {
  return tuple * 2 + (fromLower ? 0 : 1);
}
