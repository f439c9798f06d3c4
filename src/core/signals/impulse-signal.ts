import { checkLength } from './check-length.js';

/**
 * Unit impulse δ_m of length N (docs/theory.md §4: its Q_T is the identity, so the energy is
 * σ²·χ²_{JT}). The paper's energy figure puts it at n = 513 with N = 1024 (§9).
 */
export function impulseSignal(length: number, position = Math.floor(length / 2)): Float64Array {
  checkLength(length);
  if (!Number.isInteger(position) || position < 0 || position >= length) {
    throw new RangeError(`position must be an integer in [0, ${length}), got ${position}`);
  }
  const x = new Float64Array(length);
  x[position] = 1;
  return x;
}
