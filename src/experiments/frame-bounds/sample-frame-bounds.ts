import { FrameBoundsKernel } from '../../core/filterbank/frame-bounds-kernel.js';
import { tapLaw, type InitScheme } from '../../core/filterbank/tap-law.js';
import { createStream } from '../../core/random/stream-seed.js';

/** A Monte Carlo sample of the normalised frame bounds of one (J, T, N) cell at stride 1. */
export interface FrameBoundsSample {
  /** A/(JTσ²) per trial. */
  A: Float64Array;
  /** B/(JTσ²) per trial. */
  B: Float64Array;
}

/**
 * `trials` draws of J filters of T taps under `scheme`, through the engine's FrameBoundsKernel
 * (docs/theory.md §6), from the stream (seed, J, T, N): the raw A and B that a frame-bounds
 * experiment summarises, for checking predictions trial by trial (band coverage).
 */
export function sampleFrameBounds(
  numFilters: number,
  filterLength: number,
  signalLength: number,
  trials: number,
  seed: number,
  scheme: InitScheme = 'paper',
): FrameBoundsSample {
  const law = tapLaw(scheme, numFilters, filterLength, scheme === 'custom' ? 1 : undefined);
  const level = numFilters * filterLength * law.variance;
  const kernel = new FrameBoundsKernel(numFilters, filterLength, signalLength);
  const stream = createStream(seed, numFilters, filterLength, signalLength);
  const A = new Float64Array(trials);
  const B = new Float64Array(trials);
  for (let i = 0; i < trials; i++) {
    const bounds = kernel.computeFromDraw(stream, law);
    A[i] = bounds.A / level;
    B[i] = bounds.B / level;
  }
  return { A, B };
}
