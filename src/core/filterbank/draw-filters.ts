import type { Xoshiro128StarStar } from '../random/xoshiro128.js';
import { fillScaledStandardNormal, fillUniform } from '../random/ziggurat-normal.js';
import type { TapLaw } from './tap-law.js';

/**
 * Fills `out[start..end)` with the next `end − start` taps of the stream, i.i.d. under `law`
 * (docs/theory.md §1, §8). Every layout of a draw is built from these calls, in the order that
 * {@link drawFilters} documents.
 */
export function fillTaps(
  rng: Xoshiro128StarStar,
  law: TapLaw,
  out: Float64Array,
  start: number,
  end: number,
): void {
  if (law.distribution === 'uniform') {
    fillUniform(rng, out, -law.halfWidth, law.halfWidth, start, end);
    return;
  }
  // σ·Z in the same pass: the same doubles as filling with Z and then multiplying by σ.
  fillScaledStandardNormal(rng, out, Math.sqrt(law.variance), start, end);
}

/** Holds one pair's interleaved taps while they are split into two filters. */
let pairScratch = new Float64Array(0);

/**
 * Fills `taps` (J·T values, filter j in taps[j·T .. j·T+T−1]) with one draw of the filterbank
 * under `law` (docs/theory.md §1, §8; the order is that of §10.3).
 *
 * The stream is read pair by pair, in the order the FFT kernels consume it (two real filters
 * share one complex FFT, see SummedSpectralPower): filters 2p and 2p+1 take 2T consecutive
 * values, alternating φ_2p[0], φ_2p+1[0], φ_2p[1], …, and with J odd the last filter takes the
 * next T. The kernels' `…FromDraw` methods write those values straight into their FFT inputs,
 * which saves a packing pass and keeps a trial's working set in cache; they see exactly the
 * taps this function returns.
 *
 * @throws RangeError if `taps.length` is not a multiple of `filterLength`.
 */
export function drawFilters(
  rng: Xoshiro128StarStar,
  law: TapLaw,
  taps: Float64Array,
  filterLength: number,
): void {
  const T = filterLength;
  if (!Number.isInteger(T) || T < 1 || taps.length % T !== 0) {
    throw new RangeError(
      `taps.length (${taps.length}) must be a positive multiple of filterLength, got ${T}`,
    );
  }
  const J = taps.length / T;
  if (pairScratch.length < 2 * T) pairScratch = new Float64Array(2 * T);
  const pair = pairScratch;
  for (let j = 0; j + 1 < J; j += 2) {
    fillTaps(rng, law, pair, 0, 2 * T);
    const a = j * T;
    const b = a + T;
    for (let n = 0; n < T; n++) {
      taps[a + n] = pair[2 * n]!;
      taps[b + n] = pair[2 * n + 1]!;
    }
  }
  if (J % 2 === 1) fillTaps(rng, law, taps, (J - 1) * T, J * T);
}
