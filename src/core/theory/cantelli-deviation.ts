/**
 * One-sided Cantelli deviation at level p: `α = √((1/p − 1)·Var)/μ` (docs/theory.md §5).
 */
export function cantelliDeviation(mean: number, variance: number, tailProbability: number): number {
  checkProbability(tailProbability);
  return Math.sqrt((1 / tailProbability - 1) * variance) / mean;
}

/** RangeError unless 0 < p < 1. */
export function checkProbability(p: number): void {
  if (!(p > 0 && p < 1)) throw new RangeError(`tail probability must be in (0, 1), got ${p}`);
}
