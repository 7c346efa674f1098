/**
 * Puts every record on one time axis (seconds), whatever tcpdump's -t form: clock times that pass
 * midnight keep counting, and -ttt deltas (from the previous packet) are summed while -ttttt deltas
 * (from the first packet) are taken as they are.
 */
import { CLOCK_TIME, DELTA_TIME, setTimeAt, timeKindAt, timeValueAt } from './record';
import type { RecordList } from './types';

export function resolveTimes(records: RecordList): void {
  const cumulative = deltasCumulative(records);
  let dayOffset = 0;
  // NaN until the first clock time. (A number that may be undefined would be boxed on every write;
  // and an index loop over the records' columns, as for...of over half a million records allocated an
  // iterator result for each, and a handle on each as much again.)
  let lastClock = NaN;
  let running = 0;
  for (let i = 0; i < records.length; i++) {
    const value = timeValueAt(records, i);
    if (value !== value) continue;
    const kind = timeKindAt(records, i);
    if (kind === CLOCK_TIME) {
      // A clock time far below the previous one is the next day, not a jump back in time.
      if (value < lastClock - 43200) dayOffset += 86400;
      lastClock = value;
      setTimeAt(records, i, value + dayOffset);
    } else if (kind === DELTA_TIME) {
      running = cumulative ? value : running + value;
      setTimeAt(records, i, running);
    } else setTimeAt(records, i, value);
  }
}

/**
 * Whether the records' delta times are -ttttt's, each from the first packet (taken as they are), rather
 * than -ttt's, each from the packet before (summed): -ttttt deltas never decrease, -ttt deltas jump up
 * and down with the traffic. (Judged on the way, not on a list of the delta records: a list would keep
 * a handle for each.)
 */
export function deltasCumulative(records: RecordList): boolean {
  let deltas = 0;
  let decreasing = false;
  let previousDelta = NaN;
  for (let i = 0; i < records.length && !decreasing; i++) {
    if (timeKindAt(records, i) !== DELTA_TIME) continue;
    const value = timeValueAt(records, i);
    if (value < previousDelta) decreasing = true;
    previousDelta = value;
    deltas++;
  }
  return deltas > 1 && !decreasing;
}
