import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { fillStandardNormal } from '../random/ziggurat-normal.js';
import { checkLength } from './check-length.js';

/** Gaussian white noise of length N from the given stream (docs/theory.md §4: Q_T ≈ ‖x‖²·I). */
export function whiteNoiseSignal(length: number, rng: Xoshiro128StarStar): Float64Array {
  checkLength(length);
  const x = new Float64Array(length);
  fillStandardNormal(rng, x);
  return x;
}
