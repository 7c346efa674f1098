/**
 * Binary search over anything sorted by a number (record indexes of a connection's segments, of a
 * 4-tuple's records, of a sparse table's keys).
 */
import type { SegmentList } from './model';

/** The first of `count` positions whose key (`keyAt`, non-decreasing) is at least `key`; `count` if none. */
export function lowerBound(count: number, keyAt: (position: number) => number, key: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keyAt(mid) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** How many of a connection's segments come before record `index`: its position, or where it would be. */
export function segmentsBefore(segments: SegmentList, index: number): number {
  return lowerBound(segments.length, (k) => segments.recordIndex(k), index);
}
