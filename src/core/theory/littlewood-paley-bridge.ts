import { dirichletKernel } from './dirichlet-kernel.js';
import gammaln from '@stdlib/math-base-special-gammaln';
import { gaussLegendreRule } from '../numerics/gauss-legendre-rule.js';
import { bivariateNormalUpper } from './bivariate-normal-upper.js';
import { copulaCorrelation } from './copula-correlation.js';
import { gammaMarginalsAtLevel } from './gamma-marginals-at-level.js';
import { littlewoodPaleyCorrelation, littlewoodPaleyVarianceSplit } from './littlewood-paley-correlation.js';
import { normalCdf } from './normal-cdf.js';
import { normalQuantile } from './normal-quantile.js';

/** A point is stationary when T·sin ω > 1/INTERIOR_ENVELOPE, i.e. |D(2ω)|/T < 0.06 (as the chain). */
const INTERIOR_ENVELOPE = 0.06;
/**
 * Gaps of at most (period 2π/T)/REFINE get no more points; what their points would add is
 * extrapolated (see `tail`). Measured (docs/theory.md §11.2): each halving of the gaps lowers E[A]
 * about 4 times less than the one before (J = 5, T = 8: −4.5e-2, −2.1e-2, −5.8e-3, −1.6e-3,
 * then −2e-4 down to single grid steps at N = 1024); with the extrapolation, stopping at 1/8 of
 * the period is within 0.05 % of refining to 1/128.
 */
const REFINE = 8;
/**
 * Gauss–Legendre rules of the integral over the midpoint's normal score y, in p = Φ(y): below and
 * within SPLIT_DEVIATIONS conditional deviations of z_m. Checked against adaptive quadrature in the
 * tests (to 0.2 %, with neighbour correlations up to 0.98).
 */
const LOWER_RULE = gaussLegendreRule(4);
const UPPER_RULE = gaussLegendreRule(6);
const SPLIT_DEVIATIONS = 2;
/** Copula correlations are kept below 1 so that conditional variances stay positive. */
const MAX_CORRELATION = 1 - 1e-12;

/** One kind of inserted point: its two conditioning neighbours and how often it occurs. */
interface Insertion {
  left: number;
  mid: number;
  /** −1 when the two neighbours are one variable (the gap mirrored about π). */
  right: number;
  rLeftMid: number;
  rMidRight: number;
  rLeftRight: number;
  /** How many insertions it stands for, plus the extrapolated tail of the points left below it. */
  count: number;
}

/**
 * P(min_k X_k > u) for the normalised Littlewood–Paley sum X_k = LP(2πk/N)/(JTσ²) on the grid
 * k = 0..⌊N/2⌋ (Gaussian taps), by a midpoint bridge (docs/theory.md §11.2):
 *
 * - Skeleton: the points 2πm/T, m = 0..⌊T/2⌋. Their LP values are exactly independent (the T-point
 *   DFT of a length-T filter is orthogonal), with gamma marginals (Satterthwaite's, exact at 0, π
 *   and inside, as the chain's). When T does not divide N they are not grid points; the skeleton is
 *   then the grid points nearest them (ties towards π/2), still taken as independent. That keeps
 *   the minimum over grid points only (an off-grid point would lower it), and their correlation
 *   is small: two of them lie s = ⌊N/T⌋ or ⌈N/T⌉ steps apart, where the Fejér kernel
 *   (sin(πsT/N)/(T·sin(πs/N)))² is about (T/N)² when N ≫ T (1.4e-4 at T = 12, N = 1000), and
 *   when N < 2T nearly every grid point is a skeleton point.
 * - Bisection: in each gap between inserted points, the grid point nearest its middle is inserted,
 *   taken as conditionally independent of the rest given its two neighbours, and joined to them by
 *   the chain's Gaussian copula (correlation r^√(g g′) for each of the three pairs). The last gap
 *   of an odd skeleton is mirrored about π (X(2π − ω) = X(ω)), so its two ends are one variable.
 * - Gaps of at most 1/REFINE of the period 2π/T are not refined further; the points they still
 *   hold are accounted for by extrapolating the levels' geometric decrease (`tail`).
 * - Points where |D(2ω)|/T < 0.06 are stationary: their marginals and correlations are the
 *   interior ones (shape J, correlation (D(Δ)/T)²), so their insertions are grouped by the two
 *   spacings alone. With mirror images about π/2 sharing theirs too, the distinct insertions are
 *   at most a few dozen per edge and the cost does not grow with N or T.
 *
 * Exact at N = T (no insertions). Gaussian marginals whatever the tap law, as the chain.
 */
export class LittlewoodPaleyBridge {
  /** Marginal gamma shapes of the distinct points (point 0 is the interior, stationary one). */
  readonly shapes: number[] = [];
  /** How many skeleton points each distinct point stands for. */
  private readonly skeletonCount: number[] = [];
  readonly insertions: Insertion[] = [];
  private readonly logGamma: number[];

  constructor(
    private readonly J: number,
    private readonly T: number,
    private readonly N: number,
  ) {
    const K = Math.floor(N / 2);
    const pointIndex = new Map<string, number>();
    const pointOf = (k: number): number => {
      const shape = this.isStationary(k) ? J : this.shape(k);
      const key = shape.toPrecision(12);
      let i = pointIndex.get(key);
      if (i === undefined) {
        i = this.shapes.length;
        pointIndex.set(key, i);
        this.shapes.push(shape);
        this.skeletonCount.push(0);
      }
      return i;
    };
    // Point 0: the interior, stationary point, of shape J.
    pointIndex.set(J.toPrecision(12), 0);
    this.shapes.push(J);
    this.skeletonCount.push(0);
    const canonical = (k: number) => Math.min(k, N - k);
    // Of two grid points equally near, the one nearer N/4 (ω = π/2): the law is symmetric about
    // π/2, and mirror-image choices let mirror-image insertions share their computation.
    const nearest = (x: number) => {
      const k = Math.floor(x);
      if (x - k > 0.5 || (x - k === 0.5 && Math.abs(k + 1 - N / 4) < Math.abs(k - N / 4))) return k + 1;
      return k;
    };
    const skeleton: number[] = [];
    for (let m = 0; m <= Math.floor(T / 2); m++) {
      const k = canonical(nearest((m * N) / T));
      if (skeleton[skeleton.length - 1] !== k) skeleton.push(k);
    }
    for (const k of skeleton) this.skeletonCount[pointOf(k)]! += 1;

    const insertionIndex = new Map<string, number>();
    const add = (left: number, mid: number, right: number, weight: number) => {
      // right = −1: mirrored gap, both ends the point `left`.
      const l = pointOf(left);
      const m = pointOf(mid);
      const r = right < 0 ? -1 : pointOf(right);
      let rLM = this.correlation(left, mid);
      let rMR = right < 0 ? rLM : this.correlation(mid, right);
      const rLR = right < 0 ? 1 : this.correlation(left, right);
      let a = l;
      let b = r;
      // The conditional law is symmetric in its two ends: one key for a gap and its mirror image.
      if (r >= 0 && (r < l || (r === l && rMR < rLM))) {
        [a, b] = [r, l];
        [rLM, rMR] = [rMR, rLM];
      }
      const key = `${a}|${m}|${b}|${rLM.toPrecision(10)}|${rMR.toPrecision(10)}|${rLR.toPrecision(10)}`;
      const i = insertionIndex.get(key);
      if (i !== undefined) {
        this.insertions[i]!.count += weight;
        return;
      }
      insertionIndex.set(key, this.insertions.length);
      this.insertions.push({
        left: a,
        mid: m,
        right: b,
        rLeftMid: rLM,
        rMidRight: rMR,
        rLeftRight: rLR,
        count: weight,
      });
    };
    const minGap = N / (T * REFINE);
    const splits = (length: number) => length >= 2 && length > minGap;
    // A gap left unsplit that still holds grid points: its insertions, had they been made, would
    // add about 1/4 per level of what the insertion that made the gap adds (halved: it made two
    // gaps), over the ⌊log₂ length⌋ levels the grid has left. 1/4 because a smooth process dips
    // below u between two close points above u with a chance ∝ (spacing)³ while the gaps double;
    // the measured ratios are 3.6 and 3.9 (docs/theory.md §11.2).
    const tail = (length: number) => {
      if (splits(length) || length < 2) return 0;
      let sum = 0;
      for (let j = 1, f = 0.25; j <= Math.floor(Math.log2(length)); j++, f /= 4) sum += f;
      return sum / 2;
    };
    // A gap between two stationary points holds only stationary points: its insertions depend on
    // its length alone, so such gaps are tallied by length and expanded once per length.
    const stationaryGaps = new Map<number, number>();
    const refine = (a: number, b: number) => {
      if (!splits(b - a)) return;
      if (this.isStationary(a) && this.isStationary(b)) {
        stationaryGaps.set(b - a, (stationaryGaps.get(b - a) ?? 0) + 1);
        return;
      }
      const m = nearest((a + b) / 2);
      add(a, m, b, 1 + tail(m - a) + tail(b - m));
      refine(a, m);
      refine(m, b);
    };
    for (let i = 0; i + 1 < skeleton.length; i++) refine(skeleton[i]!, skeleton[i + 1]!);
    const last = skeleton[skeleton.length - 1]!;
    // Points beyond the last skeleton point lie in the gap (last, N − last), mirrored about π.
    if (N - 2 * last >= 2 && N - 2 * last > minGap) {
      add(last, K, -1, 1 + 2 * tail(K - last));
      refine(last, K);
    }
    const stationaryInsertions = new Map<string, number>();
    const expand = (length: number, times: number) => {
      if (!splits(length)) return;
      const left = Math.floor(length / 2);
      const key = `${left}|${length - left}`;
      const weight = times * (1 + tail(left) + tail(length - left));
      stationaryInsertions.set(key, (stationaryInsertions.get(key) ?? 0) + weight);
      expand(left, times);
      expand(length - left, times);
    };
    for (const [length, times] of stationaryGaps) expand(length, times);
    const interior = (d: number) => Math.min(1, (dirichletKernel((2 * Math.PI * d) / N, this.T) / T) ** 2);
    for (const [key, count] of stationaryInsertions) {
      const [dl, dr] = key.split('|').map(Number) as [number, number];
      this.insertions.push({
        left: 0,
        mid: 0,
        right: 0,
        rLeftMid: interior(dl),
        rMidRight: interior(dr),
        rLeftRight: interior(dl + dr),
        count,
      });
    }
    this.logGamma = this.shapes.map((a) => gammaln(a));
  }

  /** T·sin ω > 1/envelope: |D(2ω)|/T and |D(ω + ω′)|/T are below the envelope. */
  private isStationary(k: number): boolean {
    return k >= 0 && this.T * Math.sin((2 * Math.PI * k) / this.N) > 1 / INTERIOR_ENVELOPE;
  }

  private shape(k: number): number {
    return this.J / (2 * littlewoodPaleyVarianceSplit(k, this.T, this.N));
  }

  /** corr(X_k, X_k′) (docs/theory.md §11.1); the interior value (D(Δ)/T)² when both are stationary. */
  private correlation(k: number, k2: number): number {
    if (this.isStationary(k) && this.isStationary(k2)) {
      const d = dirichletKernel((k - k2) * ((2 * Math.PI) / this.N), this.T) / this.T;
      return Math.min(1, d * d);
    }
    return littlewoodPaleyCorrelation(k, k2, this.T, this.N);
  }

  /** log P(min_k X_k > u). */
  logSurvival(u: number): number {
    const { cdf, score, rateRatio } = gammaMarginalsAtLevel(this.shapes, this.logGamma, u);
    let log = 0;
    for (let i = 0; i < this.shapes.length; i++) {
      if (this.skeletonCount[i]! > 0) log += this.skeletonCount[i]! * Math.log(1 - cdf[i]!);
    }
    if (!(log > -Infinity)) return -Infinity;
    for (const s of this.insertions) {
      const { left, mid, right } = s;
      const rhoLM = copulaCorrelation(s.rLeftMid, rateRatio[left]!, rateRatio[mid]!);
      let q: number;
      if (right < 0) {
        // Both ends are X_left: P(X_m ≤ u | X_l > u).
        const tail = normalCdf(-score[left]!);
        q = tail > 0 ? (tail - bivariateNormalUpper(score[left]!, score[mid]!, rhoLM)) / tail : 1;
      } else {
        const rhoMR = copulaCorrelation(s.rMidRight, rateRatio[mid]!, rateRatio[right]!);
        const rhoLR = copulaCorrelation(s.rLeftRight, rateRatio[left]!, rateRatio[right]!);
        q = midpointBelow(score[left]!, score[mid]!, score[right]!, rhoLM, rhoMR, rhoLR);
      }
      log += s.count * Math.log1p(-Math.min(1, Math.max(0, q)));
    }
    return Number.isNaN(log) ? -Infinity : log;
  }
}

/**
 * P(Z_m ≤ z_m | Z_l > z_l, Z_r > z_r) for standard normals with correlations ρ_lm, ρ_mr, ρ_lr:
 * ∫_{−∞}^{z_m} φ(y)·P(Z_l > z_l, Z_r > z_r | Z_m = y) dy over P(Z_l > z_l, Z_r > z_r). Given the
 * middle, each node costs one bivariate normal (the coarse rule, 3e-8); the integral is taken
 * in p = Φ(y) ∈ (0, Φ(z_m)).
 */
export function midpointBelow(
  zl: number,
  zm: number,
  zr: number,
  rhoLM: number,
  rhoMR: number,
  rhoLR: number,
): number {
  const denominator = bivariateNormalUpper(zl, zr, Math.min(rhoLR, MAX_CORRELATION), true);
  if (!(denominator > 0)) return 0;
  const a = Math.min(rhoLM, MAX_CORRELATION);
  const b = Math.min(rhoMR, MAX_CORRELATION);
  const sl = Math.sqrt((1 - a) * (1 + a));
  const sr = Math.sqrt((1 - b) * (1 + b));
  const partial = Math.max(-MAX_CORRELATION, Math.min(MAX_CORRELATION, (rhoLR - a * b) / (sl * sr)));
  // Given Z_m = y the ends vary on the scale s of their conditional deviations, so the integrand
  // turns within a few s of z_m: one panel there, one below it.
  const split = normalCdf(zm - SPLIT_DEVIATIONS * Math.max(sl, sr));
  const top = normalCdf(zm);
  let numerator = 0;
  for (const [from, to, rule] of [
    [0, split, LOWER_RULE],
    [split, top, UPPER_RULE],
  ] as const) {
    const half = (to - from) / 2;
    if (!(half > 0)) continue;
    for (let i = 0; i < rule.nodes.length; i++) {
      const p = from + half * (1 + rule.nodes[i]!);
      const y = p < 0.5 ? normalQuantile(p) : -normalQuantile(1 - p);
      if (!Number.isFinite(y)) continue; // p underflowed: its weight is 0 anyway
      numerator += half * rule.weights[i]! * bivariateUpper((zl - a * y) / sl, (zr - b * y) / sr, partial);
    }
  }
  const q = numerator / denominator;
  return q > 0 ? Math.min(1, q) : 0;
}

/** P(X > h, Y > k) for correlation ρ ∈ [−1, 1]; for ρ < 0 by Y → −Y. */
function bivariateUpper(h: number, k: number, rho: number): number {
  if (rho >= 0) return bivariateNormalUpper(h, k, rho, true);
  return Math.max(0, normalCdf(-h) - bivariateNormalUpper(h, -k, -rho, true));
}
