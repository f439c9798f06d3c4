import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { fillStandardNormal, fillUniform } from '../random/ziggurat-normal.js';
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
  fillStandardNormal(rng, taps);
  const sigma = Math.sqrt(law.variance);
  for (let i = 0; i < taps.length; i++) taps[i]! *= sigma;
}
