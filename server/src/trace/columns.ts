/**
 * Typed columns: what TraceRecord and Segment keep their fields in, an array per field indexed by
 * slot (RecordStore, SegmentStore). A large trace has hundreds of thousands of each, and as objects
 * their fields (and a boxed number for each seq, ack and time) kept the garbage collector busy for
 * seconds. A column per field, rather than a row per slot, keeps a pass that reads a few fields of
 * many slots on a few dense arrays, and costs nothing for a field no slot has: the pages of a typed
 * array are faulted in only when written. Columns grow by doubling. A number field that may be
 * absent has a bit in its store's `present` column (optionalNumber, setOptionalNumber).
 */

type Column = Int32Array | Uint32Array | Uint16Array | Uint8Array | Float64Array;
/**
 * A column of optional numbers: Float64 for any number, Uint32 for one of 32 bits (a seq, an ack, a
 * window as tcpdump prints them: narrower columns are fewer pages to fault in).
 */
export type NumberColumn = Float64Array | Uint32Array;
/** The `present` column of a set of optional numbers: a bit each. */
type PresentColumn = Int32Array | Uint16Array;

/** A typed-array class, as newColumn takes it. */
interface ColumnType<T extends Column> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/**
 * Memory the process has already touched, for new columns to be cut from (see withSpareMemory), and
 * how much of it is taken.
 */
let spare: { buffer: ArrayBuffer; used: number } | undefined;

/**
 * Runs `run` with `memory` for new columns (newColumn) to be cut from, as long as it lasts: the bytes
 * of a file the CLI has read and decoded, say. A new typed array is fresh memory the process faults
 * in page by page on its first writes (about 2 us a page on these machines: 25-40 ms for the record
 * columns of a large trace), where zeroing pages already in is a fraction of that. `memory` must be
 * the caller's to give: what it held is overwritten, and the columns cut from it keep it alive.
 */
export function withSpareMemory<T>(memory: ArrayBuffer | undefined, run: () => T): T {
  const outer = spare;
  spare = memory && { buffer: memory, used: 0 };
  try {
    return run();
  } finally {
    spare = outer;
  }
}

/** A column of `length` zeros: from the spare memory while it lasts (see withSpareMemory), else new. */
export function newColumn<T extends Column>(type: ColumnType<T>, length: number): T {
  const memory = spare;
  if (memory !== undefined) {
    const start = (memory.used + 7) & ~7;
    const end = start + length * type.BYTES_PER_ELEMENT;
    if (end <= memory.buffer.byteLength) {
      memory.used = end;
      const column = new type(memory.buffer, start, length);
      column.fill(0);
      return column;
    }
  }
  return new type(length);
}

/** A copy of column `a` with room for `capacity` values (the new ones 0), its own from `offset` on. */
export function grown<T extends Column>(a: T, capacity: number, offset = 0): T {
  const b = newColumn(a.constructor as ColumnType<T>, capacity);
  b.set(a, offset);
  return b;
}

/**
 * Columns that grow together, slot by slot: a subclass declares each column as a typed-array field
 * of `capacity` values (or of a fixed number per slot) and takes new slots with addSlot. Growing
 * doubles every typed-array field the object has, so a column added later cannot be left behind.
 */
export class ColumnSet {
  protected capacity: number;
  private count = 0;

  /** `expected`: about how many slots will be added (a capacity hint, not a limit). */
  constructor(expected: number) {
    this.capacity = Math.max(16, expected);
  }

  /** A new slot, 0 in every column. */
  protected addSlot(): number {
    if (this.count === this.capacity) {
      this.capacity *= 2;
      const fields = this as unknown as Record<string, unknown>;
      for (const key of Object.keys(fields)) {
        const column = fields[key];
        if (ArrayBuffer.isView(column)) fields[key] = grown(column as Column, (column as Column).length * 2);
      }
    }
    return this.count++;
  }
}

/** Number column `column` at `slot`, or undefined where the slot's `present` bit for it is clear. */
export function optionalNumber(
  present: PresentColumn,
  column: NumberColumn,
  slot: number,
  bit: number,
): number | undefined {
  return present[slot]! & bit ? column[slot] : undefined;
}

/** Writes `v` to number column `column` at `slot` and sets its `present` bit (undefined: clears both). */
export function setOptionalNumber(
  present: PresentColumn,
  column: NumberColumn,
  slot: number,
  bit: number,
  v: number | undefined,
): void {
  if (v === undefined) {
    present[slot] = present[slot]! & ~bit;
    column[slot] = 0;
  } else {
    present[slot] = present[slot]! | bit;
    column[slot] = v;
  }
}
