import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { fillScaledStandardNormal, fillUniform } from '../random/ziggurat-normal.js';
import type { TapLaw } from './tap-law.js';

/**
 * Fills `taps` (J·T values, filter j in taps[j·T .. j·T+T−1]) with one draw of the
 * filterbank under `law` (THEORY.md §1, §8).
 */
export function drawFilters(rng: Xoshiro128StarStar, law: TapLaw, taps: Float64Array): void {
  if (law.distribution === 'uniform') {
    fillUniform(rng, taps, -law.halfWidth, law.halfWidth);
    return;
  }
  // σ·Z in the same pass: the same doubles as filling with Z and then multiplying by σ.
  fillScaledStandardNormal(rng, taps, Math.sqrt(law.variance));
}
