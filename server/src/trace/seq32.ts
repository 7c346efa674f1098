/** 32-bit sequence arithmetic, wrap-safe as in RFC 9293 §3.4 (and Wireshark's GT_SEQ, Linux's after()). */

/** (a + b) mod 2^32. */
export function add32(a: number, b: number): number {
  return (a + b) >>> 0;
}

/** Signed distance a - b in sequence space (negative when a is before b). */
export function diff32(a: number, b: number): number {
  return (a - b) | 0;
}

export const lt = (a: number, b: number): boolean => diff32(a, b) < 0;
export const le = (a: number, b: number): boolean => diff32(a, b) <= 0;
export const gt = (a: number, b: number): boolean => diff32(a, b) > 0;
export const ge = (a: number, b: number): boolean => diff32(a, b) >= 0;

/** A map keyed by an unordered pair of small non-negative ids, without building a key per lookup. */
export class PairMap<T> {
  private readonly rows = new Map<number, Map<number, T>>();
  get(a: number, b: number): T | undefined {
    const lo = a < b ? a : b;
    const hi = a < b ? b : a;
    return this.rows.get(lo)?.get(hi);
  }
  set(a: number, b: number, value: T): void {
    const lo = a < b ? a : b;
    const hi = a < b ? b : a;
    let row = this.rows.get(lo);
    if (!row) {
      row = new Map();
      this.rows.set(lo, row);
    }
    row.set(hi, value);
  }
}
