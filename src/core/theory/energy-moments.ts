import type { TapLaw } from '../filterbank/tap-law.js';

/** Mean and variance of ‖Φx‖² (docs/theory.md §3). */
export interface EnergyMoments {
  mean: number;
  variance: number;
}

/**
 * `μ = J·T·σ²·‖x‖²` and `Var = J·[2σ⁴‖Q_T‖_F² + (m₄ − 3σ⁴)·T·‖x‖⁴]` (docs/theory.md §3); the
 * second term vanishes for Gaussian taps and is negative for uniform ones.
 */
export function energyMoments(
  law: TapLaw,
  numFilters: number,
  filterLength: number,
  energy: number,
  frobeniusSquared: number,
): EnergyMoments {
  const s2 = law.variance;
  const excessKurtosisTerm = law.fourthMoment - 3 * s2 * s2;
  return {
    mean: numFilters * filterLength * s2 * energy,
    variance:
      numFilters * (2 * s2 * s2 * frobeniusSquared + excessKurtosisTerm * filterLength * energy * energy),
  };
}
