import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { LittlewoodPaleyBridge } from './littlewood-paley-bridge.js';
import { LittlewoodPaleyChain, type ChainLevel } from './littlewood-paley-chain.js';

/** The tap law the predictor needs: the second and fourth moments of one i.i.d. tap. */
export interface PredictorTapLaw {
  distribution: 'normal' | 'uniform';
  variance: number;
  fourthMoment: number;
}

/** Predicted law of A, B and κ = B/A for one (J, T, N) cell, A and B normalised by J·T·σ². */
export interface FrameBoundsPrediction {
  /** E[A]. */
  A: number;
  /** E[B]. */
  B: number;
  /** E[κ]; Infinity when J ≤ 2 (E[1/A] diverges, docs/theory.md §11). */
  kappa: number;
  kappaMedian: number;
  /** The 5 %, 50 % and 95 % quantiles of κ. */
  kappaQuantiles: { '0.05': number; '0.5': number; '0.95': number };
  /** The cdf of log κ, piecewise linear through these points (for percentiles). */
  logKappaCdf: { logKappa: number[]; probability: number[] };
}

/** Points of each extreme's u-grid for its moments (Simpson in log u, so odd). */
const MOMENT_GRID = 65;
/** Points per axis of the (A, B) grid for the joint law, between the laws' 1e-4 quantiles. */
const JOINT_GRID = 25;
/** Points of the tabulated cdf of log κ. */
const KAPPA_CDF_POINTS = 201;
/**
 * The bridge gives A's law up to this T (docs/theory.md §11.2): there it lowers E[A] by 0.5–2.5 %
 * (the chain's error at T = 8 and 12); from T = 32 on the two agree within 0.4 %.
 */
const BRIDGE_MAX_T = 32;

/**
 * Predicts E[A], E[B], E[κ], the median of κ and its 5 % and 95 % quantiles for J random filters
 * of T i.i.d. taps on the N-point DFT grid at stride 1, without simulation (docs/theory.md §11).
 *
 * The normalised LP sum on the grid k = 0..⌊N/2⌋ is modelled as a Markov chain of gamma marginals
 * joined by Rice-calibrated Gaussian copulas (`LittlewoodPaleyChain`). The chain gives
 * P(max ≤ b), P(min > a) and P(a < min, max ≤ b) as products along the grid; E[A] and E[B] follow
 * by quadrature, and E[κ] = E[B]·E[1/A]·c, where c = E[B/A]/(E[B]·E[1/A]) is taken from the joint
 * law on a grid (so the heavy lower tail of A enters E[1/A] by exact quadrature). The quantiles of
 * κ come from the joint law with each grid cell's mass spread over its range of log(b/a). For
 * T ≤ 32 the law of A is the midpoint bridge's (`LittlewoodPaleyBridge`, §11.2 item 4), the
 * chain's joint law serving as the copula of (A, B).
 *
 * @throws RangeError naming the bad argument: J, T, N not positive integers, T > N, or a tap law
 *   without finite moments with m₄ ≥ σ⁴ > 0.
 */
export function predictFrameBounds(
  numFilters: number,
  filterLength: number,
  signalLength: number,
  tapLaw: PredictorTapLaw,
): FrameBoundsPrediction {
  const J = numFilters;
  const T = filterLength;
  const N = signalLength;
  if (!Number.isSafeInteger(J) || J < 1)
    throw new RangeError(`numFilters must be a positive integer, got ${J}`);
  if (!Number.isSafeInteger(T) || T < 1)
    throw new RangeError(`filterLength must be a positive integer, got ${T}`);
  if (!Number.isSafeInteger(N) || N < 1)
    throw new RangeError(`signalLength must be a positive integer, got ${N}`);
  if (T > N) throw new RangeError(`filterLength ${T} exceeds signalLength ${N}`);
  const { variance, fourthMoment } = tapLaw;
  if (!(variance > 0 && Number.isFinite(variance))) {
    throw new RangeError(`tapLaw.variance must be positive and finite, got ${variance}`);
  }
  if (!(fourthMoment >= variance * variance && Number.isFinite(fourthMoment))) {
    throw new RangeError(`tapLaw.fourthMoment must be finite and at least variance², got ${fourthMoment}`);
  }
  if (T === 1) {
    // LP is the constant Σ_j φ_j[0]²: A = B and κ = 1.
    return {
      A: 1,
      B: 1,
      kappa: 1,
      kappaMedian: 1,
      kappaQuantiles: { '0.05': 1, '0.5': 1, '0.95': 1 },
      logKappaCdf: { logKappa: [0, 0], probability: [0, 1] },
    };
  }
  // Gaussian marginals whatever the taps: by the central limit theorem φ̂(ω) is near Gaussian,
  // and matching the taps' kurtosis with a gamma shape thins the lower tail near 0 that sets A
  // (uniform taps: E[κ] 16 % low at J = 5, T = 8 with it, 4 % without; docs/theory.md §11).
  // The kurtosis stays in the law of ‖φ‖² below, where it is exact.
  const chain = new LittlewoodPaleyChain(J, T, N, 0);
  const max = extremeLaw(chain, 'max');
  const chainMin = extremeLaw(chain, 'min');
  // A's law from the midpoint bridge where it is needed (docs/theory.md §11.2); the chain's
  // copula of (A, B) is kept by mapping the chain's a through F_bridge⁻¹(F_chain(a)).
  const bridged = T <= BRIDGE_MAX_T;
  const min = bridged ? bridgedMinimum(chainMin, new LittlewoodPaleyBridge(J, T, N)) : chainMin;

  // The joint law on a focused grid: cell masses of P(A ∈ (a_i, a_{i+1}], B ∈ (b_j, b_{j+1}]).
  const aGrid = focusedGrid(chainMin, chain, 'min');
  const aValues = aGrid.map((level) => min.quantileOfChain(level));
  const bGrid = focusedGrid(max, chain, 'max');
  const n = JOINT_GRID;
  const G = new Float64Array(n * n); // P(A > a_i, B ≤ b_j)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) G[i * n + j] = chain.joint(aGrid[i]!, bGrid[j]!);
  const cells: { mass: number; lo: number; hi: number; ratio: number; a: number; b: number }[] = [];
  let total = 0;
  for (let i = 0; i + 1 < n; i++) {
    for (let j = 0; j + 1 < n; j++) {
      const mass = -(G[(i + 1) * n + j + 1]! - G[i * n + j + 1]! - G[(i + 1) * n + j]! + G[i * n + j]!);
      if (!(mass > 0)) continue;
      const a0 = aValues[i]!;
      const a1 = aValues[i + 1]!;
      const b0 = bGrid[j]!.u;
      const b1 = bGrid[j + 1]!.u;
      const a = Math.sqrt(a0 * a1);
      const b = Math.sqrt(b0 * b1);
      cells.push({
        mass,
        lo: Math.max(0, Math.log(b0 / a1)),
        hi: Math.max(0, Math.log(b1 / a0)),
        ratio: b / a,
        a,
        b,
      });
      total += mass;
    }
  }
  // The chain joins neighbours only, so on fine grids it leaves A and B nearly independent; yet
  // both scale with ‖φ‖²/(JTσ²) ~ Gamma(JT/2) (moment-matched for other taps), independent of
  // LP/‖φ‖² for Gaussian taps, which makes Cov(log A, log B) at least about Var(log ‖φ‖²). The
  // missing part of that covariance (weighted by r, below) narrows log κ about its median by
  // √(1 − 2·missing/Var(log κ)) (docs/theory.md §11).
  let meanLogA = 0;
  let meanLogB = 0;
  for (const c of cells) {
    c.mass /= total;
    meanLogA += c.mass * Math.log(c.a);
    meanLogB += c.mass * Math.log(c.b);
  }
  let covariance = 0;
  let varianceLogKappa = 0;
  for (const c of cells) {
    const da = Math.log(c.a) - meanLogA;
    const db = Math.log(c.b) - meanLogB;
    covariance += c.mass * da * db;
    varianceLogKappa += c.mass * (db - da) ** 2;
  }
  const kurtosis = fourthMoment / (variance * variance);
  // With independent neighbours (r = 0, as when T = N) the chain is exact and misses nothing; the
  // missing covariance grows with the neighbour correlation r of the interior. Where A comes from
  // the bridge only half of it is added: A' = A/‖φ‖² and B' = B/‖φ‖² are negatively associated
  // at small T (Parseval), which leaves 36–56 % of ψ′(JT/2) at T = 8 (docs/theory.md §11.2); the
  // chain's too wide law of A had hidden that (chosen after seeing the Monte Carlo, §11.5).
  const weight = bridged ? 0.5 : 1;
  const missing =
    weight * chain.interiorCorrelation() * Math.max(0, trigamma((J * T) / (kurtosis - 1)) - covariance);
  const shrink = Math.sqrt(Math.max(0, 1 - (2 * missing) / varianceLogKappa));
  // Median of the chain's log κ, about which the law narrows.
  const centre = weightedMedian(cells.map((c) => [Math.log(c.ratio), c.mass]));
  const narrowed = (x: number) => centre + (x - centre) * shrink;
  let eRatio = 0;
  let eB = 0;
  let eInvA = 0;
  for (const c of cells) {
    eRatio += c.mass * Math.exp(narrowed(Math.log(c.ratio)));
    eB += c.mass * c.b;
    eInvA += c.mass / c.a;
  }
  const dependence = eRatio / (eB * eInvA);
  const kappa = J <= 2 ? Infinity : max.mean * min.meanInverse * dependence;

  const xLo = Math.min(...cells.map((c) => c.lo));
  const xHi = Math.max(...cells.map((c) => c.hi));
  const logKappa: number[] = [];
  const probability: number[] = [];
  for (let m = 0; m < KAPPA_CDF_POINTS; m++) {
    const x = xLo + ((xHi - xLo) * m) / (KAPPA_CDF_POINTS - 1);
    let p = 0;
    for (const c of cells) {
      p +=
        c.hi > c.lo ? c.mass * Math.min(1, Math.max(0, (x - c.lo) / (c.hi - c.lo))) : x >= c.lo ? c.mass : 0;
    }
    logKappa.push(Math.max(0, narrowed(x)));
    probability.push(Math.min(1, p));
  }
  const cdf = { logKappa, probability };
  const quantile = (p: number) => Math.exp(interpolate(probability, logKappa, p));
  return {
    A: min.mean,
    B: max.mean,
    kappa,
    kappaMedian: quantile(0.5),
    kappaQuantiles: { '0.05': quantile(0.05), '0.5': quantile(0.5), '0.95': quantile(0.95) },
    logKappaCdf: cdf,
  };
}

/**
 * Where κ sits in the predicted law (docs/theory.md §11): P(κ' ≤ κ) for κ' drawn from it, by
 * interpolating the tabulated cdf of log κ. 0 below its support, 1 above (and for κ = Infinity).
 */
export function predictedKappaPercentile(prediction: FrameBoundsPrediction, kappa: number): number {
  if (!(kappa >= 1)) return 0;
  if (!Number.isFinite(kappa)) return 1;
  const { logKappa, probability } = prediction.logKappaCdf;
  return interpolate(logKappa, probability, Math.log(kappa));
}

/** y(x) by linear interpolation in increasing xs (the first x where xs is flat), clamped. */
function interpolate(xs: readonly number[], ys: readonly number[], x: number): number {
  const last = xs.length - 1;
  // Upper end first: a point mass (T = 1, κ ≡ 1) has xs = [0, 0], and P(κ ≤ 1) is then 1.
  if (x >= xs[last]!) return ys[last]!;
  if (x <= xs[0]!) return ys[0]!;
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! < x) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo]!;
  const x1 = xs[hi]!;
  return x1 > x0 ? ys[lo]! + ((ys[hi]! - ys[lo]!) * (x - x0)) / (x1 - x0) : ys[hi]!;
}

/** One extreme's law on a log-spaced grid, and its moments. */
interface ExtremeLaw {
  levels: ChainLevel[];
  /** P(X ≤ u) at each level. */
  cdf: Float64Array;
  mean: number;
  /** E[1/X]. */
  meanInverse: number;
  /** The u of this law at which the chain's law is what it is at `level` (the level's own u for the chain). */
  quantileOfChain: (level: ChainLevel) => number;
}

function extremeLaw(chain: LittlewoodPaleyChain, kind: 'max' | 'min'): ExtremeLaw {
  const quantileOf = (shape: number, p: number) => chisquareQuantile(p, 2 * shape) / (2 * shape);
  const eps = 1e-13 / chain.gridPoints;
  const lawAt = (u: number) => chain.level(u, kind).law;
  let lo: number;
  let hi: number;
  if (kind === 'max') {
    // 1 − 1e-15 is the closest to 1 that a double resolves well; P(max > hi) ≤ (K+1)·1e-15.
    hi = quantileOf(chain.minShape(), 1 - Math.max(eps, 1e-15));
    lo = quantileOf(chain.interiorShape(), 0.5);
    while (lawAt(lo) > 1e-12 && lo > 1e-6) lo /= 1.5;
  } else {
    lo = Math.max(quantileOf(chain.minShape(), eps), 1e-300);
    hi = quantileOf(chain.interiorShape(), 0.5);
    while (lawAt(hi) > 1e-12) hi *= 1.5;
  }
  const n = MOMENT_GRID - 1;
  const s0 = Math.log(lo);
  const h = (Math.log(hi) - s0) / n;
  const levels: ChainLevel[] = [];
  const cdf = new Float64Array(MOMENT_GRID);
  for (let i = 0; i <= n; i++) {
    const level = chain.level(Math.exp(s0 + i * h), kind);
    levels.push(level);
    cdf[i] = kind === 'max' ? level.law : 1 - level.law;
  }
  const { mean, meanInverse } = moments(levels, cdf);
  // E[1/A] diverges for J ≤ 2: A ≤ LP(0) ~ χ²_J/J, whose density does not vanish at 0.
  return {
    levels,
    cdf,
    mean,
    meanInverse: kind === 'min' && chain.minShape() <= 1 ? Infinity : meanInverse,
    quantileOfChain: (level) => level.u,
  };
}

/**
 * E[X] and E[1/X] from the cdf on the log-spaced levels, by parts with s = log u, for X ≥ lo:
 * E[X] = lo + ∫ (1 − cdf)·e^s ds and E[1/X] = ∫₀^∞ cdf/u² du = (≤ cdf(lo)/lo below lo) +
 * ∫ cdf·e^{−s} ds + 1/hi above hi. Simpson.
 */
function moments(levels: readonly ChainLevel[], cdf: Float64Array): { mean: number; meanInverse: number } {
  const n = levels.length - 1;
  const lo = levels[0]!.u;
  const hi = levels[n]!.u;
  const h = Math.log(hi / lo) / n;
  let mean = lo;
  let meanInverse = cdf[0]! / lo + 1 / hi;
  for (let i = 0; i <= n; i++) {
    const w = ((i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * h) / 3;
    const u = levels[i]!.u;
    mean += w * u * (1 - cdf[i]!);
    meanInverse += (w * cdf[i]!) / u;
  }
  return { mean, meanInverse };
}

/**
 * A's law from the bridge (docs/theory.md §11.2) on the chain's levels. The bridge is evaluated
 * at about 18 of them (every other level where the chain's law is central, every sixth in its
 * tails, both ends); in between, the log of the ratio of the two
 * laws' cumulative hazards −log P(A > u), which is smooth and flat in both tails, is interpolated
 * in log u (local cubic; flat outside). quantileOfChain maps a chain level a to the bridge's
 * F_bridge⁻¹(F_chain(a)), by interpolating log u against the log hazard.
 */
function bridgedMinimum(chainMin: ExtremeLaw, bridge: LittlewoodPaleyBridge): ExtremeLaw {
  const { levels } = chainMin;
  const n = levels.length;
  const s = levels.map((l) => Math.log(l.u));
  const chainLogHazard = levels.map((l) => Math.log(-Math.log(l.law)));
  // The levels where the bridge is evaluated: dense where the chain's law is between 1e-4 and
  // 1 − 1e-6 (every other level), sparse elsewhere (every 6th), always both ends.
  const picked: number[] = [];
  for (let i = 0; i < n; i++) {
    const F = chainMin.cdf[i]!;
    const central = F > 1e-4 && levels[i]!.law > 1e-6;
    if (!Number.isFinite(chainLogHazard[i]!)) continue;
    const last = picked[picked.length - 1];
    if (last === undefined || i - last >= (central ? 2 : 6) || i === n - 1) picked.push(i);
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (const i of picked) {
    const logSurvival = bridge.logSurvival(levels[i]!.u);
    const y = Math.log(-logSurvival) - chainLogHazard[i]!;
    if (!Number.isFinite(y)) continue;
    xs.push(s[i]!);
    ys.push(y);
  }
  const logHazard = s.map((x, i) => chainLogHazard[i]! + localCubic(xs, ys, x));
  const cdf = new Float64Array(n);
  for (let i = 0; i < n; i++) cdf[i] = -Math.expm1(-Math.exp(logHazard[i]!));
  const { mean, meanInverse } = moments(levels, cdf);
  // The hazard's log is increasing in u; where it is not finite (law 0 or 1) the level is left out.
  const finite = logHazard.map((_, i) => i).filter((i) => Number.isFinite(logHazard[i]!));
  const hazardAxis = finite.map((i) => logHazard[i]!);
  const logUAxis = finite.map((i) => s[i]!);
  return {
    levels,
    cdf,
    mean,
    meanInverse: chainMin.meanInverse === Infinity ? Infinity : meanInverse,
    quantileOfChain: (level) => Math.exp(interpolate(hazardAxis, logUAxis, Math.log(-Math.log(level.law)))),
  };
}

/** y(x) by the cubic through the four nearest of (xs, ys) (xs increasing), flat outside them. */
function localCubic(xs: readonly number[], ys: readonly number[], x: number): number {
  const n = xs.length;
  if (n === 0) return 0;
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs[n - 1]!) return ys[n - 1]!;
  let i = 0;
  while (xs[i + 1]! < x) i++;
  const from = Math.max(0, Math.min(n - 4, i - 1));
  const to = Math.min(n, from + 4);
  let y = 0;
  for (let a = from; a < to; a++) {
    let w = 1;
    for (let b = from; b < to; b++) if (b !== a) w *= (x - xs[b]!) / (xs[a]! - xs[b]!);
    y += w * ys[a]!;
  }
  return y;
}

/** JOINT_GRID chain levels, log-spaced between the law's 1e-4 and 1 − 1e-4 quantiles. */
function focusedGrid(law: ExtremeLaw, chain: LittlewoodPaleyChain, kind: 'max' | 'min'): ChainLevel[] {
  const us = law.levels.map((l) => Math.log(l.u));
  const cdf = Array.from(law.cdf);
  const lo = interpolateMonotone(cdf, us, 1e-4);
  const hi = interpolateMonotone(cdf, us, 1 - 1e-4);
  const grid: ChainLevel[] = [];
  for (let i = 0; i < JOINT_GRID; i++) {
    grid.push(chain.level(Math.exp(lo + ((hi - lo) * i) / (JOINT_GRID - 1)), kind));
  }
  return grid;
}

/** x where the non-decreasing ys reaches y, by linear interpolation. */
function interpolateMonotone(ys: readonly number[], xs: readonly number[], y: number): number {
  let i = 0;
  while (i + 1 < ys.length && ys[i + 1]! < y) i++;
  if (i + 1 >= ys.length) return xs[xs.length - 1]!;
  const y0 = ys[i]!;
  const y1 = ys[i + 1]!;
  return y1 > y0 ? xs[i]! + ((xs[i + 1]! - xs[i]!) * Math.max(0, y - y0)) / (y1 - y0) : xs[i]!;
}

/** ψ′(x) for x > 0: recurrence up to x ≥ 6, then the asymptotic series (A&S 6.4.12). */
function trigamma(x: number): number {
  let sum = 0;
  while (x < 6) {
    sum += 1 / (x * x);
    x += 1;
  }
  const i1 = 1 / x;
  const i2 = i1 * i1;
  return sum + i1 + i2 / 2 + i1 * i2 * (1 / 6 - i2 * (1 / 30 - i2 * (1 / 42 - i2 / 30)));
}

/** Median of a discrete law given as [value, weight] pairs (weights summing to 1). */
function weightedMedian(pairs: [number, number][]): number {
  pairs.sort((p, q) => p[0] - q[0]);
  let acc = 0;
  for (const [value, weight] of pairs) {
    acc += weight;
    if (acc >= 0.5) return value;
  }
  return pairs[pairs.length - 1]![0];
}
