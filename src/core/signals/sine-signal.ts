import { checkLength } from './check-length.js';

/**
 * `x[n] = cos(2π·f·n + φ)` with f in cycles per sample (docs/api.md "signals"). With f = 0.5 and
 * φ = 0 it is the paper's alternating sine (−1)^n, whose Q_T has rank one (docs/theory.md §4).
 */
export function sineSignal(length: number, frequencyCyclesPerSample: number, phaseRad = 0): Float64Array {
  checkLength(length);
  if (!(frequencyCyclesPerSample >= 0 && frequencyCyclesPerSample <= 0.5)) {
    throw new RangeError(`frequency must be in [0, 0.5] cycles per sample, got ${frequencyCyclesPerSample}`);
  }
  if (!Number.isFinite(phaseRad)) throw new RangeError(`phase must be finite, got ${phaseRad}`);
  const x = new Float64Array(length);
  for (let n = 0; n < length; n++) {
    // Reduce f·n mod 1 first so that long signals keep full precision in the angle;
    // at f = 0.5 this makes cos exactly ±1.
    const turns = (frequencyCyclesPerSample * n) % 1;
    x[n] = Math.cos(2 * Math.PI * turns + phaseRad);
  }
  return x;
}
