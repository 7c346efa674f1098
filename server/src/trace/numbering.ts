/**
 * Recovers absolute sequence and acknowledgment numbers from what tcpdump printed.
 *
 * tcpdump (without -S) keeps a table keyed by the unordered 4-tuple. A segment with ACK whose 4-tuple
 * is not in the table, or that carries SYN, (re)creates the entry: its sender's base := its seq, its
 * receiver's base := its ack - 1, and it is printed absolute. Later ACK-bearing segments print
 * seq - base(sender) and ack - base(receiver). Segments without ACK are always absolute. We replay
 * the same table, so every line gets its absolute numbers back (tcpdump-format.md §10).
 */
import { add32 } from './seq32';
import { ACK, FIN, RST, SYN, type PacketRecord } from './types';

export interface NumberingResult {
  /** Whether the trace was printed with -S (absolute numbers everywhere), as judged from the numbers. */
  absolute: boolean;
}

function sideKey(r: PacketRecord, which: 'src' | 'dst'): string {
  return r[which]!.key;
}

function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

interface Entry {
  base: Map<string, number | undefined>;
}

/** Signed 32-bit magnitude: how far a number is from 0 in sequence space. */
function magnitude(v: number): number {
  return Math.abs(v | 0);
}

function isSegment(r: PacketRecord): boolean {
  return r.kind === 'tcp' && r.flags !== undefined && r.src !== undefined && r.dst !== undefined;
}

/**
 * Decides between relative and -S output by replaying the table: on lines tcpdump would have printed
 * relative, relative numbers are small, while absolute ones are close to the stored base.
 */
function looksAbsolute(records: PacketRecord[]): boolean {
  const table = new Map<string, Entry>();
  let relVotes = 0;
  let absVotes = 0;
  for (const r of records) {
    if (!isSegment(r) || !(r.flags! & ACK)) continue;
    const s = sideKey(r, 'src');
    const d = sideKey(r, 'dst');
    const key = pairKey(s, d);
    const entry = table.get(key);
    if (!entry || r.flags! & SYN) {
      table.set(key, {
        base: new Map([
          [s, r.seq],
          [d, r.ack === undefined ? undefined : add32(r.ack, -1)],
        ]),
      });
      continue;
    }
    const vote = (printed: number | undefined, base: number | undefined) => {
      if (printed === undefined || base === undefined) return;
      const asRel = magnitude(printed);
      const asAbs = magnitude(printed - base);
      if (asRel < asAbs) relVotes++;
      else if (asAbs < asRel) absVotes++;
    };
    vote(r.seq, entry.base.get(s));
    vote(r.ack, entry.base.get(d));
  }
  return absVotes > relVotes;
}

/** Fills `seqAbs`, `ackAbs` and absolute SACK edges on every TCP record. */
export function resolveNumbers(records: PacketRecord[], forceAbsolute?: boolean): NumberingResult {
  const absolute = forceAbsolute ?? looksAbsolute(records);
  const table = new Map<string, Entry>();
  // Next sequence number each side is known to use, to stand in for a base that tcpdump took from a
  // pure ACK whose seq it did not print.
  const nextSeq = new Map<string, number>();
  for (const r of records) {
    if (!isSegment(r)) continue;
    const flags = r.flags!;
    const s = sideKey(r, 'src');
    const d = sideKey(r, 'dst');
    let seqBase = 0;
    let ackBase = 0;
    let relative = false;
    if (!absolute && flags & ACK) {
      const key = pairKey(s, d);
      const entry = table.get(key);
      if (!entry || flags & SYN) {
        const own = r.seq ?? nextSeq.get(s);
        const fresh: Entry = {
          base: new Map([
            [s, own],
            [d, r.ack === undefined ? undefined : add32(r.ack, -1)],
          ]),
        };
        table.set(key, fresh);
        // SACK edges are rebased even on the line that creates the entry.
        const sackBase = fresh.base.get(d) ?? 0;
        for (const o of r.options) {
          if (o.blocks) o.blocksAbs = o.blocks.map(([a, b]) => [add32(a, sackBase), add32(b, sackBase)]);
        }
      } else {
        relative = true;
        let sb = entry.base.get(s);
        if (sb === undefined) {
          // The entry came from a pure ACK of this side without a printed seq: use what we know.
          sb = nextSeq.get(s) ?? 0;
          entry.base.set(s, sb);
        }
        let db = entry.base.get(d);
        if (db === undefined) {
          db = nextSeq.get(d) ?? 0;
          entry.base.set(d, db);
        }
        seqBase = sb;
        ackBase = db;
      }
    }
    r.printedRelative = relative;
    if (r.seq !== undefined) r.seqAbs = add32(r.seq, seqBase);
    if (r.ack !== undefined) r.ackAbs = add32(r.ack, ackBase);
    if (relative) {
      for (const o of r.options) {
        if (o.blocks) o.blocksAbs = o.blocks.map(([a, b]) => [add32(a, ackBase), add32(b, ackBase)]);
      }
    } else {
      for (const o of r.options) if (o.blocks && !o.blocksAbs) o.blocksAbs = o.blocks.map(([a, b]) => [a, b]);
    }
    if (r.seqAbs !== undefined) {
      const n = add32(r.seqAbs, (r.length ?? 0) + (flags & SYN ? 1 : 0) + (flags & FIN ? 1 : 0));
      if (!(flags & RST)) nextSeq.set(s, n);
    }
    if (r.ackAbs !== undefined && !nextSeq.has(d)) nextSeq.set(d, r.ackAbs);
  }
  return { absolute };
}
