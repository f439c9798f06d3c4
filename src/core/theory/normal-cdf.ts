import erfc from '@stdlib/math-base-special-erfc';

/** Φ(x), the standard normal cdf, as erfc(−x/√2)/2: full relative accuracy in the lower tail. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}
