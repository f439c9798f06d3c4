/**
 * Sample quantile of an ascending-sorted sample, by linear interpolation between order
 * statistics (Hyndman–Fan type 7, the default of R and NumPy), so that results are
 * comparable with the numpy baseline and with notebooks.
 *
 * @param sorted - ascending sample, at least one value
 * @param probability - in [0, 1]
 */
export function quantileSorted(sorted: ArrayLike<number>, probability: number): number {
  const n = sorted.length;
  if (n === 0) throw new RangeError('quantileSorted: the sample is empty');
  if (!(probability >= 0 && probability <= 1)) {
    throw new RangeError(`quantileSorted: probability must be in [0, 1], got ${probability}`);
  }
  const h = (n - 1) * probability;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  const t = h - lo;
  // (b − a)·t is NaN for infinite b with t = 0, or infinite a = b; keep the order statistic then.
  return t === 0 || a === b ? a : a + (b - a) * t;
}
