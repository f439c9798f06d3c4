import { dirichletKernel } from './dirichlet-kernel.js';
import gammaln from '@stdlib/math-base-special-gammaln';
import { bivariateNormalUpper } from './bivariate-normal-upper.js';
import { copulaCorrelation } from './copula-correlation.js';
import { gammaMarginalsAtLevel } from './gamma-marginals-at-level.js';
import { littlewoodPaleyCorrelation, littlewoodPaleyVarianceSplit } from './littlewood-paley-correlation.js';
import { normalCdf } from './normal-cdf.js';

/** A step k → k+1 is "interior" when |D|/T ≤ INTERIOR_ENVELOPE at both ends (see stepPlan). */
const INTERIOR_ENVELOPE = 0.06;
/** Samples per period 2π/T of the edge oscillation when the grid is finer than that. */
const SAMPLES_PER_PERIOD = 4;
/** Below this neighbour correlation a one-step jump from below A to above B is possible. */
const JUMP_CORRELATION = 0.5;

/** The chain's state at one level u: per point, F_k(u) and its normal score; per step, the exit. */
export interface ChainLevel {
  u: number;
  kind: 'max' | 'min';
  /** F_k(u) = P(X_k ≤ u) per distinct point. */
  cdf: Float64Array;
  /** Φ⁻¹(F_k(u)), clamped to ±38. */
  score: Float64Array;
  /** Ratio of the χ² process's Rice rate to the Gaussian copula's at u (see `copulaCorrelation`). */
  rateRatio: Float64Array;
  /** Per step: P(X_k ≤ u < X_{k+1}) for 'max', P(X_k > u ≥ X_{k+1}) for 'min'. */
  exit: Float64Array;
  /** P(max ≤ u) for 'max', P(min > u) for 'min'. */
  law: number;
}

/**
 * The normalised Littlewood–Paley sum X_k = LP(2πk/N)/(JTσ²) on k = 0..⌊N/2⌋ as a first-order
 * Markov chain along the grid (docs/theory.md §11). Each point's marginal is a gamma law of mean 1
 * and shape J/(2(v_C² + v_S²) + γ₂/T), where v_C, v_S = (1 ± D(2ω)/T)/2 split the variance between
 * the cosine and sine parts of the centred spectrum and γ₂ is the taps' excess kurtosis; each
 * neighbour pair is joined by a Gaussian copula of correlation r^g, r the pair's correlation
 * (Fejér) and g the level's rate ratio, so that on fine grids the chain crosses u at Rice's rate
 * for a χ² process and on coarse grids (r → 0) its points are independent.
 *
 * Steps away from ω = 0 and π, where the marginals and correlations equal the interior ones, are
 * one group; the rest are sampled (see stepPlan). Distinct points are indexed 0..P−1, point 0
 * being ω = 0.
 */
export class LittlewoodPaleyChain {
  /** Number of grid points k = 0..⌊N/2⌋. */
  readonly gridPoints: number;
  readonly shapes: number[] = [];
  readonly stepFrom: number[] = [];
  readonly stepTo: number[] = [];
  readonly stepCorrelation: number[] = [];
  readonly stepWeight: number[] = [];
  private readonly logGamma: number[];
  private readonly delta: number;

  constructor(
    private readonly J: number,
    private readonly T: number,
    private readonly N: number,
    private readonly excessKurtosis: number,
  ) {
    const K = Math.floor(N / 2);
    this.gridPoints = K + 1;
    this.delta = (2 * Math.PI) / N;
    const index = new Map<number, number>();
    const pointOf = (k: number) => {
      let i = index.get(k);
      if (i === undefined) {
        i = this.shapes.length;
        index.set(k, i);
        this.shapes.push(k === -1 ? J / (1 + excessKurtosis / T) : this.shape(k));
      }
      return i;
    };
    pointOf(0);
    const { steps, interiorCount } = this.stepPlan(N, K);
    for (const { k, weight } of steps) {
      this.stepFrom.push(pointOf(k));
      this.stepTo.push(pointOf(k + 1));
      this.stepCorrelation.push(littlewoodPaleyCorrelation(k, k + 1, T, N));
      this.stepWeight.push(weight);
    }
    if (interiorCount > 0) {
      const p = pointOf(-1);
      const d = dirichletKernel(this.delta, this.T) / T;
      this.stepFrom.push(p);
      this.stepTo.push(p);
      this.stepCorrelation.push(Math.min(1, d * d));
      this.stepWeight.push(interiorCount);
    }
    this.logGamma = this.shapes.map((a) => gammaln(a));
  }

  private shape(k: number): number {
    return this.J / (2 * littlewoodPaleyVarianceSplit(k, this.T, this.N) + this.excessKurtosis / this.T);
  }

  /**
   * Steps whose ends both lie where T·sin ω > 1/INTERIOR_ENVELOPE have |D|/T below the envelope,
   * so their marginals and correlation equal the interior ones up to (envelope)² and are counted
   * once. The others form runs next to ω = 0 and ω = π; when the grid is finer than the period
   * 2π/T of their oscillation they are sampled SAMPLES_PER_PERIOD times per period, each sample
   * (the middle step of its block) standing for its block.
   */
  private stepPlan(N: number, K: number): { steps: { k: number; weight: number }[]; interiorCount: number } {
    const isInterior = (k: number) =>
      this.T * Math.min(Math.sin(k * this.delta), Math.sin((k + 1) * this.delta)) > 1 / INTERIOR_ENVELOPE;
    const stride = Math.max(1, Math.floor(N / (SAMPLES_PER_PERIOD * this.T)));
    const steps: { k: number; weight: number }[] = [];
    let interiorCount = 0;
    let runStart = -1;
    const closeRun = (end: number) => {
      for (let b = runStart; b < end; b += stride) {
        const blockEnd = Math.min(end, b + stride);
        steps.push({ k: b + Math.floor((blockEnd - b - 1) / 2), weight: blockEnd - b });
      }
      runStart = -1;
    };
    for (let k = 0; k < K; k++) {
      if (isInterior(k)) {
        if (runStart >= 0) closeRun(k);
        interiorCount++;
      } else if (runStart < 0) {
        runStart = k;
      }
    }
    if (runStart >= 0) closeRun(K);
    return { steps, interiorCount };
  }

  /** The smallest marginal shape (heaviest tails), at most J/2 (ω = 0). */
  minShape(): number {
    return Math.min(this.J / 2, ...this.shapes);
  }

  /** Neighbour correlation of the interior steps, (D(2π/N)/T)². */
  interiorCorrelation(): number {
    const d = dirichletKernel(this.delta, this.T) / this.T;
    return Math.min(1, d * d);
  }

  interiorShape(): number {
    return this.shapes[this.shapes.length - 1]!;
  }

  /**
   * The chain at level u: P(max ≤ u) = F₀(u)·Π_k (1 − P(X_k ≤ u < X_{k+1})/F_k(u)), or
   * P(min > u) likewise with downward exits.
   */
  level(u: number, kind: 'max' | 'min'): ChainLevel {
    const { cdf, score, rateRatio } = gammaMarginalsAtLevel(this.shapes, this.logGamma, u);
    const S = this.stepFrom.length;
    const exit = new Float64Array(S);
    const tailOf = (i: number) => (kind === 'max' ? cdf[i]! : 1 - cdf[i]!);
    let log = Math.log(tailOf(0));
    for (let s = 0; s < S; s++) {
      const a = this.stepFrom[s]!;
      const b = this.stepTo[s]!;
      const rho = copulaCorrelation(this.stepCorrelation[s]!, rateRatio[a]!, rateRatio[b]!);
      const both = bivariateNormalUpper(score[a]!, score[b]!, rho);
      // max: P(Z0 ≤ z0, Z1 > z1) = P(Z1 > z1) − P(Z0 > z0, Z1 > z1); min: P(Z0 > z0, Z1 ≤ z1).
      const e = Math.max(0, (kind === 'max' ? normalCdf(-score[b]!) : normalCdf(-score[a]!)) - both);
      exit[s] = e;
      const tail = tailOf(a);
      log += tail > 0 ? this.stepWeight[s]! * Math.log1p(-Math.min(1, e / tail)) : -Infinity;
    }
    return { u, kind, cdf, score, rateRatio, exit, law: Number.isNaN(log) ? 0 : Math.exp(log) };
  }

  /**
   * P(a < min, max ≤ b) from the chain at a ('min' level) and b ('max' level): the chain stays in
   * (a, b]. Its exits are the upward exits at b and the downward ones at a, less the one-step
   * jumps across the whole interval, which only coarse grids (r < JUMP_CORRELATION) allow.
   */
  joint(low: ChainLevel, high: ChainLevel): number {
    const inside0 = high.cdf[0]! - low.cdf[0]!;
    if (!(inside0 > 0)) return 0;
    let log = Math.log(inside0);
    for (let s = 0; s < this.stepFrom.length; s++) {
      const a = this.stepFrom[s]!;
      const b = this.stepTo[s]!;
      const inside = high.cdf[a]! - low.cdf[a]!;
      if (!(inside > 0)) return 0;
      let e = high.exit[s]! + low.exit[s]!;
      const r = this.stepCorrelation[s]!;
      if (r < JUMP_CORRELATION) {
        // P(X_k ≤ a, X_{k+1} > b) and P(X_k > b, X_{k+1} ≤ a).
        const up =
          normalCdf(-high.score[b]!) -
          bivariateNormalUpper(
            low.score[a]!,
            high.score[b]!,
            copulaCorrelation(r, low.rateRatio[a]!, high.rateRatio[b]!),
          );
        const down =
          normalCdf(-high.score[a]!) -
          bivariateNormalUpper(
            high.score[a]!,
            low.score[b]!,
            copulaCorrelation(r, high.rateRatio[a]!, low.rateRatio[b]!),
          );
        e -= Math.max(0, up) + Math.max(0, down);
      }
      log += this.stepWeight[s]! * Math.log1p(-Math.min(1, Math.max(0, e) / inside));
    }
    return Number.isNaN(log) ? 0 : Math.exp(log);
  }
}
