import { nextPowerOfTwo } from '../../core/fft/next-power-of-two.js';
import { numFiltersList } from '../common/filterbank-schema.js';
import type { AnalyzeSignalRequest } from './analyze-signal-schema.js';

/**
 * Seconds on one core of the 2-core reference machine (Node 20, tsx), measured for these
 * models: FFT points·log₂ (Bluestein for other sizes costs about 4× a power of two), the split
 * Toeplitz eigensolver (0.21 s at T = 1024, 1.7 s at T = 2048), one exact quantile pair per J
 * (5 ms at T = 1024, 30 ms at T = 66150), and the strided polyphase bounds (0.35 s for
 * J = 512, N = 16384, d = 2; 7.8 s at d = 64; 28 s for J = 16, N = 65536, d = 256). Good to a
 * factor of about two.
 */
const SECONDS_PER_FFT_POINT_LOG = 1.2e-9;
const SECONDS_PER_EIGEN_CUBE = 2e-10;
/** Per J, at T = 1024; it grows about as √T (30 ms at T = 66150). */
const SECONDS_PER_QUANTILE_PAIR = 5e-3;
const SECONDS_PER_POLYPHASE_PRODUCT = 1.25e-8;
const SECONDS_PER_POLYPHASE_EIGEN = 6e-9;

/**
 * One `predictFrameBounds` call (docs/theory.md §11): 9 ms CPU median, 27 ms at most, measured
 * on the shared 2-core machine at load 11, where wall time runs 2–5× that; this is the loaded
 * wall time, so that a design over many T is refused rather than slow.
 */
export const SECONDS_PER_PREDICTION = 0.05;

const fft = (n: number) =>
  n * Math.log2(Math.max(2, n)) * SECONDS_PER_FFT_POINT_LOG * (nextPowerOfTwo(n) === n ? 1 : 4);

/**
 * Estimated core-seconds of `analyzeSignal` for a signal of N samples (docs/theory.md §2–§5): the
 * autocorrelation, one eigenproblem per T < N (T = N is an FFT) and the exact quantiles per
 * (J, T). The synchronous endpoint should refuse (422) what would block it for long.
 */
export function estimateAnalyzeSignalCost(request: AnalyzeSignalRequest, signalLength: number): number {
  const N = signalLength;
  const Js = numFiltersList(request.numFilters).length;
  let seconds = 2 * fft(N);
  for (const T of request.filterLengths) {
    seconds += T < N ? T ** 3 * SECONDS_PER_EIGEN_CUBE : fft(N);
    seconds += Js * SECONDS_PER_QUANTILE_PAIR * Math.sqrt(T / 1024);
  }
  return seconds;
}

/**
 * Estimated core-seconds of `analyzeFilterbankTaps` (docs/theory.md §6): J/2 FFTs of the summed
 * autocorrelation grid and one of N for the LP sum; with stride d > 1 also J/2 FFTs of N, the
 * J·d·N/2 products that build the d×d matrices M_k, and N/d eigenproblems of size 2d; at
 * stride 1, one prediction of κ's law.
 */
export function estimateAnalyzeFilterbankCost(shape: {
  numFilters: number;
  filterLength: number;
  stride: number;
  signalLength: number;
}): number {
  const { numFilters: J, filterLength: T, stride: d, signalLength: N } = shape;
  let seconds = (J / 2 + 1) * fft(nextPowerOfTwo(2 * T - 1)) + fft(N);
  if (d === 1) seconds += SECONDS_PER_PREDICTION;
  if (d > 1) {
    seconds +=
      (J / 2) * fft(N) + J * d * N * SECONDS_PER_POLYPHASE_PRODUCT + N * d * d * SECONDS_PER_POLYPHASE_EIGEN;
  }
  return seconds;
}

/**
 * Estimated core-seconds of `design` (docs/theory.md §11): per T, the search makes about
 * 2·log₂ J_min + 4 predictions, J_min taken from the asymptotic rule with c = 1 (near the
 * simulations' fit).
 */
export function estimateDesignCost(request: {
  filterLengths: readonly number[];
  targetKappa: number;
}): number {
  let predictions = 0;
  for (const T of request.filterLengths) {
    const ratio = (request.targetKappa + 1) / (request.targetKappa - 1);
    const J = Math.max(4, Math.min(2 ** 20, Math.log(Math.max(2, T)) * ratio * ratio));
    predictions += 2 * Math.log2(J) + 4;
  }
  return predictions * SECONDS_PER_PREDICTION;
}
