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
