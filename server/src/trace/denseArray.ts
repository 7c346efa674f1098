/**
 * Arrays indexed by a dense id (a record index, a 4-tuple id) that grow as ids come, mostly in order.
 */

/**
 * `items[index] = value`, filling any gap before it with undefined: an array written at an index far
 * past its end becomes a slow dictionary in V8, so it grows by appends instead.
 */
export function setAt<T>(items: Array<T | undefined>, index: number, value: T): void {
  while (items.length < index) items.push(undefined);
  items[index] = value;
}
