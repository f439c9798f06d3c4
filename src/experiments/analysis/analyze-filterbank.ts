import { FrameBoundsKernel } from '../../core/filterbank/frame-bounds-kernel.js';
import { predictFrameBounds, predictedKappaPercentile } from '../../core/theory/predict-frame-bounds.js';
import { RequestInputError } from '../common/prepare-signal.js';
import {
  defaultSignalLength,
  filterbankGridIssues,
  type AnalyzeFilterbankRequest,
} from './analyze-filterbank-schema.js';

/** J filters of T taps each, row-major (the layout of `filterbankWeightsFromNpy`). */
export interface FilterbankTaps {
  weights: Float64Array;
  numFilters: number;
  filterLength: number;
}

/** `POST /v1/analyze/filterbank`'s answer (docs/api.md "Analysis and design"). */
export interface AnalyzeFilterbankResult {
  numFilters: number;
  filterLength: number;
  stride: number;
  signalLength: number;
  /** Optimal lower frame bound, not normalised by J·T·σ² (there is no σ² for given taps). */
  A: number;
  B: number;
  /** B/A; null when A = 0 (up to roundoff, see KAPPA_ROUNDOFF), with the reason in `notes`. */
  kappa: number | null;
  /**
   * Where κ sits in the law of κ of random Gaussian filterbanks of the same J, T and N
   * (docs/theory.md §11): the predicted mean, median and 5/50/95 % quantiles, and `kappaPercentile`,
   * P(κ_random ≤ κ) in percent. Null at stride d > 1, which the predictor does not cover.
   */
  predicted: {
    kappa: number | null;
    kappaMedian: number;
    kappaQuantiles: { '0.05': number; '0.5': number; '0.95': number };
    kappaPercentile: number;
  } | null;
  notes?: string[];
  littlewoodPaley: {
    /** Cycles per sample, k/N. */
    frequencies: number[];
    values: number[];
  };
}

/**
 * A ≤ KAPPA_ROUNDOFF·B counts as A = 0: the FFTs leave errors of about 1e-16·B·log N in LP, so
 * a filterbank with a zero in its LP sum shows A ≈ 4e-16·B, not 0, and would claim κ ≈ 10^16.
 */
export const KAPPA_ROUNDOFF = 1e-12;

/** The LP curve has at most this many points (docs/api.md). */
export const LP_MAX_POINTS = 2048;

/**
 * Bound on the J·N complex spectra the strided route keeps (StridedFrameBounds: 16·J·N bytes),
 * 2^26 = 1 GiB; J = 512 at N = 131072.
 */
export const MAX_STRIDED_SPECTRUM_POINTS = 2 ** 26;

/** The JSON body: rows flattened, then `analyzeFilterbankTaps`. */
export function analyzeFilterbank(request: AnalyzeFilterbankRequest): AnalyzeFilterbankResult {
  const J = request.weights.length;
  const T = request.weights[0]!.length;
  const weights = new Float64Array(J * T);
  request.weights.forEach((row, j) => weights.set(row, j * T));
  return analyzeFilterbankTaps(
    { weights, numFilters: J, filterLength: T },
    { stride: request.stride, signalLength: request.signalLength },
  );
}

/**
 * Frame bounds, condition number and Littlewood–Paley sum of a given filterbank on the N-point
 * grid (docs/theory.md §6), by `FrameBoundsKernel`. With stride d > 1, A and B are the polyphase
 * bounds of §6 and the LP curve is that of the undecimated filterbank (the same filters at
 * stride 1), since the strided frame has no single LP sum.
 *
 * The curve covers k = 0..⌊N/2⌋ (LP is even for real filters). Above LP_MAX_POINTS points it is
 * down-sampled in LP_MAX_POINTS/2 buckets of consecutive bins, each keeping its minimum and its
 * maximum at their own frequencies, so the global minimum and maximum (A and B at stride 1)
 * survive exactly. (For N not a power of two the FFT is Bluestein's, whose mirrored bins
 * LP[k], LP[N−k] may differ in the last bit, so A and B can differ from the curve's extremes
 * by that much.)
 *
 * @throws RequestInputError (`signalLength`, `stride`) when T > N, d ∤ N, or the strided
 *   spectra would exceed MAX_STRIDED_SPECTRUM_POINTS.
 */
export function analyzeFilterbankTaps(
  filterbank: FilterbankTaps,
  options: { stride: number; signalLength?: number | undefined },
): AnalyzeFilterbankResult {
  const { weights, numFilters: J, filterLength: T } = filterbank;
  if (weights.length !== J * T) {
    throw new RangeError(`weights has ${weights.length} values, J·T = ${J}·${T} = ${J * T}`);
  }
  const d = options.stride;
  const [issue] = filterbankGridIssues(T, d, options.signalLength);
  if (issue !== undefined) throw new RequestInputError(issue.path, issue.message);
  const N = options.signalLength ?? defaultSignalLength(T);
  if (d > 1 && J * N > MAX_STRIDED_SPECTRUM_POINTS) {
    throw new RequestInputError(
      ['stride'],
      `a strided analysis keeps J·N = ${J}·${N} spectrum points; at most ${MAX_STRIDED_SPECTRUM_POINTS} fit`,
    );
  }

  const undecimated = new FrameBoundsKernel(J, T, N);
  let { A, B } = undecimated.compute(weights);
  if (d > 1) ({ A, B } = new FrameBoundsKernel(J, T, N, d).compute(weights));

  const notes: string[] = [];
  let kappa: number | null = null;
  if (A > KAPPA_ROUNDOFF * B) {
    kappa = B / A;
  } else if (d > J) {
    notes.push(
      `kappa is null: A = 0 because the ${J} filters are fewer than the stride ${d}, so the strided filterbank is not a frame (docs/theory.md §6)`,
    );
  } else {
    notes.push(
      `kappa is null: A = ${A} ≤ ${KAPPA_ROUNDOFF}·B is zero up to roundoff, so the filterbank is not a frame${d === 1 ? ' (its LP sum vanishes at some frequency)' : ''} and κ = B/A is unbounded (docs/theory.md §6)`,
    );
  }
  let predicted: AnalyzeFilterbankResult['predicted'] = null;
  if (d === 1) {
    // κ is scale-free, so σ² = 1 stands for any Gaussian initialisation.
    const law = { distribution: 'normal' as const, variance: 1, fourthMoment: 3 };
    const p = predictFrameBounds(J, T, N, law);
    predicted = {
      kappa: Number.isFinite(p.kappa) ? p.kappa : null,
      kappaMedian: p.kappaMedian,
      kappaQuantiles: p.kappaQuantiles,
      kappaPercentile: 100 * predictedKappaPercentile(p, kappa ?? Infinity),
    };
    if (!Number.isFinite(p.kappa)) {
      notes.push(
        `predicted.kappa is null: E[κ] of random filterbanks is unbounded for J ≤ 2 (here J = ${J})`,
      );
    }
  } else {
    notes.push('predicted is null: the predictor of docs/theory.md §11 covers stride 1 only');
  }
  const result: AnalyzeFilterbankResult = {
    numFilters: J,
    filterLength: T,
    stride: d,
    signalLength: N,
    A,
    B,
    kappa,
    predicted,
    littlewoodPaley: littlewoodPaleyCurve(undecimated.lp),
  };
  if (notes.length > 0) result.notes = notes;
  return result;
}

/** LP at k/N for k = 0..⌊N/2⌋, bucketed to per-bucket (min, max) above LP_MAX_POINTS points. */
function littlewoodPaleyCurve(lp: Float64Array): { frequencies: number[]; values: number[] } {
  const N = lp.length;
  const M = Math.floor(N / 2) + 1;
  const frequencies: number[] = [];
  const values: number[] = [];
  const push = (k: number) => {
    frequencies.push(k / N);
    // Roundoff can leave an exact zero of the sum of squares slightly negative.
    values.push(Math.max(0, lp[k]!));
  };
  if (M <= LP_MAX_POINTS) {
    for (let k = 0; k < M; k++) push(k);
    return { frequencies, values };
  }
  const buckets = LP_MAX_POINTS / 2;
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * M) / buckets);
    const end = Math.floor(((b + 1) * M) / buckets);
    let kMin = start;
    let kMax = start;
    for (let k = start + 1; k < end; k++) {
      if (lp[k]! < lp[kMin]!) kMin = k;
      if (lp[k]! > lp[kMax]!) kMax = k;
    }
    // In frequency order, so the curve stays a function of frequency.
    push(Math.min(kMin, kMax));
    if (kMin !== kMax) push(Math.max(kMin, kMax));
  }
  return { frequencies, values };
}
