import { nextPowerOfTwo } from '../core/fft/next-power-of-two.js';
import { numFiltersList } from './common/filterbank-schema.js';
import { declaredSignalLength } from './common/signal-schema.js';
import type { ExperimentRequest } from './experiment-request.js';

/** Measured on the 2-core reference machine by `npm run bench` (compiled, one core). */
const SECONDS_PER_NORMAL = 5e-9;
const SECONDS_PER_FFT_POINT_LOG = 1.2e-9;
/** Two half-size Householder + QL solves: ≈ 0.14 ns · T³. */
const SECONDS_PER_EIGEN_CUBE = 1.4e-10;

/**
 * Estimated core-seconds of an experiment, from its draw cells (normals and FFTs per trial) and,
 * for energy, its eigenproblems. The service refuses requests above MAX_EXPERIMENT_COST (422)
 * with this figure; it is a model, good to a factor of about two.
 */
export function estimateCost(request: ExperimentRequest): number {
  const Js = numFiltersList(request.filterbank.numFilters);
  const Ts = request.filterbank.filterLengths;
  let perTrial = 0;
  for (const J of Js) {
    for (const T of Ts) {
      const G = nextPowerOfTwo(2 * T - 1);
      perTrial +=
        J * T * SECONDS_PER_NORMAL + (J / 2 + 1) * G * Math.log2(Math.max(2, G)) * SECONDS_PER_FFT_POINT_LOG;
      if (request.type === 'frame-bounds') {
        const N = request.signalLength;
        const d = request.filterbank.stride;
        perTrial += N * Math.log2(Math.max(2, N)) * SECONDS_PER_FFT_POINT_LOG * (d > 1 ? J / 2 : 1);
        if (d > 1) perTrial += (N / d) * (2 * d) ** 3 * 1e-9;
      }
    }
  }
  let theory = 0;
  if (request.type === 'energy') {
    for (const signal of request.signals) {
      const N = declaredSignalLength(signal) ?? Math.max(...Ts);
      theory += N * Math.log2(Math.max(2, N)) * SECONDS_PER_FFT_POINT_LOG;
      for (const T of Ts) theory += T < N ? T ** 3 * SECONDS_PER_EIGEN_CUBE : 0;
    }
  }
  return perTrial * request.trials + theory;
}
