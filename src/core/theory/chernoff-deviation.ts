import { checkProbability } from './cantelli-deviation.js';

/**
 * The paper's Chernoff deviation at level p (docs/theory.md §5): the positive root of
 * `α²·a = L·(2α·T·λ_max·‖x‖² + 2‖Q_T‖_F²)` with `a = J·T²·‖x‖⁴` and `L = ln(1/p)`, i.e.
 * `α = (b + √(b² + 4ac))/(2a)`, `b = 2L·T·λ_max·‖x‖²`, `c = 2L·‖Q_T‖_F²`. It is relative, so it
 * does not depend on σ².
 */
export function chernoffDeviation(
  numFilters: number,
  filterLength: number,
  energy: number,
  lambdaMax: number,
  frobeniusSquared: number,
  tailProbability: number,
): number {
  checkProbability(tailProbability);
  const L = Math.log(1 / tailProbability);
  const T = filterLength;
  const a = numFilters * T * T * energy * energy;
  const b = 2 * L * T * lambdaMax * energy;
  const c = 2 * L * frobeniusSquared;
  // (b + √(b²+4ac))/(2a) = 2c/(√(b²+4ac) − b) would cancel; this form does not.
  return (b + Math.sqrt(b * b + 4 * a * c)) / (2 * a);
}
