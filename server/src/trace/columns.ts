/**
 * Rows of numbers in two typed columns, one Int32 and one Float64 row per slot, grown by doubling:
 * what TraceRecord and Segment keep their fields in. A large trace has hundreds of thousands of
 * each, and as objects their fields (and a boxed number for each seq, ack and time) kept the garbage
 * collector busy for seconds. Every field of a new slot is 0. A float field may be absent: one Int32
 * column of each row (`presentColumn`) has bit k set where float column k holds a value.
 */
export class ColumnStore {
  ints: Int32Array;
  floats: Float64Array;
  private capacity: number;
  private count = 0;

  /** `expected`: about how many slots will be added (a capacity hint, not a limit). */
  constructor(
    private readonly intsPerSlot: number,
    private readonly floatsPerSlot: number,
    private readonly presentColumn: number,
    expected: number,
  ) {
    this.capacity = Math.max(16, expected);
    this.ints = new Int32Array(this.capacity * intsPerSlot);
    this.floats = new Float64Array(this.capacity * floatsPerSlot);
  }

  /** A new slot, every field 0. */
  addSlot(): number {
    if (this.count === this.capacity) {
      this.capacity *= 2;
      const ints = new Int32Array(this.capacity * this.intsPerSlot);
      ints.set(this.ints);
      this.ints = ints;
      const floats = new Float64Array(this.capacity * this.floatsPerSlot);
      floats.set(this.floats);
      this.floats = floats;
    }
    return this.count++;
  }

  /** Float field `k` of a slot, or undefined where it holds none. */
  num(slot: number, k: number): number | undefined {
    return this.ints[slot * this.intsPerSlot + this.presentColumn]! & (1 << k)
      ? this.floats[slot * this.floatsPerSlot + k]
      : undefined;
  }

  setNum(slot: number, k: number, v: number | undefined): void {
    const present = slot * this.intsPerSlot + this.presentColumn;
    if (v === undefined) {
      this.ints[present] = this.ints[present]! & ~(1 << k);
      this.floats[slot * this.floatsPerSlot + k] = 0;
    } else {
      this.ints[present] = this.ints[present]! | (1 << k);
      this.floats[slot * this.floatsPerSlot + k] = v;
    }
  }
}
