/** Throws a RangeError unless `length` is a positive integer; `name` says which argument. */
export function checkLength(length: number, name = 'length'): void {
  if (!Number.isInteger(length) || length < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${length}`);
  }
}
