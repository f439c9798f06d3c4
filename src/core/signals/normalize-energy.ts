import { signalEnergy } from './signal-energy.js';

/** A copy of `signal` scaled to unit energy; a RangeError if its energy is zero or not finite. */
export function normalizeEnergy(signal: ArrayLike<number>): Float64Array {
  const energy = signalEnergy(signal);
  if (!(energy > 0 && Number.isFinite(energy))) {
    throw new RangeError(`cannot scale a signal of energy ${energy} to unit energy`);
  }
  const scale = 1 / Math.sqrt(energy);
  const out = new Float64Array(signal.length);
  for (let n = 0; n < signal.length; n++) out[n] = signal[n]! * scale;
  return out;
}
