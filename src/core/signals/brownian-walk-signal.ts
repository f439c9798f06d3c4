import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { checkLength } from './check-length.js';

/**
 * The paper's bounded Brownian walk (docs/theory.md §9): w₀ = 0; for n ≥ 1 draw u ~ U(0,1),
 * step down by 1 if u < q and w > −1, step up by 1 if u > 1 − q and w < 1. Values stay in
 * {−1, 0, 1}; the paper uses q = 0.15.
 */
export function brownianWalkSignal(
  length: number,
  rng: Xoshiro128StarStar,
  stepProbability = 0.15,
): Float64Array {
  checkLength(length);
  if (!(stepProbability > 0 && stepProbability <= 0.5)) {
    throw new RangeError(`stepProbability must be in (0, 0.5], got ${stepProbability}`);
  }
  const x = new Float64Array(length);
  let w = 0;
  for (let n = 1; n < length; n++) {
    const u = rng.nextFloat64();
    if (u < stepProbability && w > -1) w -= 1;
    else if (u > 1 - stepProbability && w < 1) w += 1;
    x[n] = w;
  }
  return x;
}
