import erfcinv from '@stdlib/math-base-special-erfcinv';

/**
 * Φ⁻¹(p), the standard normal quantile, as −√2·erfcinv(2p). Pass the smaller of p and 1 − p for
 * accuracy: `normalQuantile(q)` for a lower tail q and `−normalQuantile(q)` for an upper one.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`);
  return -Math.SQRT2 * erfcinv(2 * p);
}
