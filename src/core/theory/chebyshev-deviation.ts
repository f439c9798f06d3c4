import { checkProbability } from './cantelli-deviation.js';

/** Two-sided Chebyshev deviation at level p: `α = √(Var/p)/μ` (docs/theory.md §5). */
export function chebyshevDeviation(mean: number, variance: number, tailProbability: number): number {
  checkProbability(tailProbability);
  return Math.sqrt(variance / tailProbability) / mean;
}
