/**
 * Smallest power of two that is ≥ `n` (and ≥ 1).
 *
 * Used to size the power-of-two transforms behind Bluestein's algorithm and the
 * zero-padded linear autocorrelations of docs/theory.md §6.
 *
 * @throws RangeError if `n` is not a finite number or the result would exceed 2^52
 *   (beyond that doubles no longer count every integer, and no FFT that large fits in memory).
 */
export function nextPowerOfTwo(n: number): number {
  if (!Number.isFinite(n)) {
    throw new RangeError(`nextPowerOfTwo: n must be a finite number, got ${n}`);
  }
  if (n > 2 ** 52) {
    throw new RangeError(`nextPowerOfTwo: n = ${n} is larger than 2^52`);
  }
  let p = 1;
  // Doubling, not Math.log2: log2 rounding can be off by one near exact powers of two.
  while (p < n) p *= 2;
  return p;
}
