import { quantileSorted } from './quantile-sorted.js';

/** Moments, extremes and quantiles of one sample (docs/theory.md §10.16). */
export interface SampleSummary {
  count: number;
  mean: number;
  /** Sample standard deviation with Bessel's correction (0 for a single value). */
  std: number;
  min: number;
  max: number;
  median: number;
  /** Keys are the probabilities as JSON numbers print them, e.g. "0.05". */
  quantiles: Record<string, number>;
}

/**
 * Summarises a sample. The sample is sorted in a copy, so the caller's array keeps the
 * trial order that makes results independent of how trials were split across threads.
 * Sums run over the sorted copy in one fixed order, so the result is a function of the
 * multiset of values only.
 */
export function summarizeSample(values: Float64Array, probabilities: readonly number[]): SampleSummary {
  const n = values.length;
  if (n === 0) throw new RangeError('summarizeSample: the sample is empty');
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    squares += d * d;
  }
  const quantiles: Record<string, number> = {};
  for (const p of probabilities) quantiles[String(p)] = quantileSorted(sorted, p);
  return {
    count: n,
    mean,
    std: n > 1 ? Math.sqrt(squares / (n - 1)) : 0,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    median: quantileSorted(sorted, 0.5),
    quantiles,
  };
}
