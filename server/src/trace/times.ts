/**
 * Puts every record on one time axis (seconds), whatever tcpdump's -t form: clock times that pass
 * midnight keep counting, and -ttt deltas (from the previous packet) are summed while -ttttt deltas
 * (from the first packet) are taken as they are.
 */
import type { PacketRecord } from './types';

export function resolveTimes(records: PacketRecord[]): void {
  const deltas = records.filter((r) => r.timeKind === 'delta');
  // -ttttt deltas never decrease; -ttt deltas jump up and down with the traffic.
  let cumulative = deltas.length > 1;
  for (let i = 1; i < deltas.length && cumulative; i++) {
    if (deltas[i]!.timeValue! < deltas[i - 1]!.timeValue!) cumulative = false;
  }
  let dayOffset = 0;
  let lastClock: number | undefined;
  let running = 0;
  for (const r of records) {
    if (r.timeValue === undefined) continue;
    switch (r.timeKind) {
      case 'clock':
        // A clock time far below the previous one is the next day, not a jump back in time.
        if (lastClock !== undefined && r.timeValue < lastClock - 43200) dayOffset += 86400;
        lastClock = r.timeValue;
        r.time = r.timeValue + dayOffset;
        break;
      case 'delta':
        running = cumulative ? r.timeValue : running + r.timeValue;
        r.time = running;
        break;
      default:
        r.time = r.timeValue;
    }
  }
}
