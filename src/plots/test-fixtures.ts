/**
 * Small but realistic experiment results for the plot tests, shaped as in docs/api.md. The numbers
 * follow the closed forms of docs/theory.md §4–§5 (a χ²_ν/ν energy ratio with ν = J·T_eff), and the
 * Monte Carlo means of docs/theory.md §9 for the frame bounds; a deterministic generator adds
 * sampling noise. A few fields are `null`, as the service sends them.
 *
 * @module
 */
import chisqCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import chisqPdf from '@stdlib/stats-base-dists-chisquare-pdf';
import chisqQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import type {
  EnergyCell,
  EnergyResult,
  FrameBoundsCell,
  FrameBoundsResult,
  ScalingLawPoint,
} from './result-types.js';

/** T = 8, 16, …, 1024 (docs/theory.md §9). */
export const FILTER_LENGTHS = [8, 16, 32, 64, 128, 256, 512, 1024] as const;

/** Deterministic noise in [−1, 1) (a 32-bit LCG), so fixtures do not change between runs. */
function noiseSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  };
}

/**
 * Effective number of independent taps: T for the impulse (Q_T = I), 1 for the alternating sine
 * (rank-one Q_T), saturating for the smooth Brownian walk.
 */
const EFFECTIVE_TAPS: Record<string, (T: number) => number> = {
  impulse: (T) => T,
  brownian: (T) => T / (1 + T / 12),
  sine: () => 1,
};

function energyCell(signal: string, J: number, T: number, p: number, noise: () => number): EnergyCell {
  const teff = (EFFECTIVE_TAPS[signal] ?? EFFECTIVE_TAPS.impulse!)(T);
  const nu = J * teff;
  const variance = 2 / nu;
  const L = Math.log(1 / p);
  // Chernoff root of docs/theory.md §5 with λ_max = T/T_eff and ‖Q_T‖_F² = T²/T_eff (unit energy).
  const a = J * T * T;
  const b = (2 * L * T * T) / teff;
  const c = (2 * L * T * T) / teff;
  const chernoff = (b + Math.sqrt(b * b + 4 * a * c)) / (2 * a);
  const exactUpper = chisqQuantile(1 - p, nu) / nu - 1;
  const exactLower = 1 - chisqQuantile(p, nu) / nu;
  const trials = 1000;
  const jitter = () => 1 + 0.04 * noise();
  const lo = chisqQuantile(0.0005, nu) / nu;
  const hi = chisqQuantile(0.9995, nu) / nu;
  const bins = 40;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  const counts = edges.slice(0, -1).map((e, i) => {
    const mass = chisqCdf((edges[i + 1] ?? e) * nu, nu) - chisqCdf(e * nu, nu);
    return Math.max(0, Math.round(trials * mass * jitter()));
  });
  const q = (prob: number) => (chisqQuantile(prob, nu) / nu) * (1 + 0.01 * noise());
  return {
    signal,
    numFilters: J,
    filterLength: T,
    signalLength: 1024,
    empirical: {
      trials,
      mean: 1 + 0.01 * noise(),
      std: Math.sqrt(variance) * jitter(),
      min: lo,
      max: hi,
      quantiles: { [String(p)]: q(p), '0.5': q(0.5), [String(1 - p)]: q(1 - p) },
      deviation: { upper: exactUpper * jitter(), lower: exactLower * jitter() },
      histogram: { edges, counts },
    },
    theory: {
      mean: 1,
      variance,
      deviation: {
        cantelli: Math.sqrt((1 / p - 1) * variance),
        chebyshev: Math.sqrt(variance / p),
        chernoff,
        exactUpper,
        exactLower,
      },
    },
  };
}

/**
 * The paper's energy experiment: impulse, Brownian walk and alternating sine, J = 10 (or the
 * given list), T = 8…1024, p = 0.05. Nulls: the exact law of the Brownian walk at T = 1024 and
 * the Chernoff bound of the sine at T = 8.
 */
export function energyFixture(
  numFilters: readonly number[] = [10],
  signals: readonly string[] = ['impulse', 'brownian', 'sine'],
  p = 0.05,
): EnergyResult {
  const noise = noiseSource(42);
  const cells: EnergyCell[] = [];
  for (const signal of signals) {
    for (const J of numFilters) {
      for (const T of FILTER_LENGTHS) {
        const cell = energyCell(signal, J, T, p, noise);
        if (signal === 'brownian' && T === 1024) {
          cells.push({
            ...cell,
            theory: {
              ...cell.theory,
              deviation: { ...cell.theory.deviation, exactUpper: null, exactLower: null },
            },
          });
        } else if (signal === 'sine' && T === 8) {
          cells.push({
            ...cell,
            theory: { ...cell.theory, deviation: { ...cell.theory.deviation, chernoff: null } },
          });
        } else cells.push(cell);
      }
    }
  }
  return { cells };
}

/** The exact density of χ²_ν/ν on a grid, as the caller of the histogram plot would pass it. */
export function chi2RatioDensity(
  nu: number,
  from: number,
  to: number,
  points = 200,
): { x: number[]; density: number[] } {
  const x = Array.from({ length: points }, (_, i) => from + ((to - from) * i) / (points - 1));
  return { x, density: x.map((v) => nu * chisqPdf(v * nu, nu)) };
}

/**
 * A frame-bounds result for J ∈ {5, 10, 40} × T = 8…1024, N = 1024. The J = 40 means follow
 * docs/theory.md §9; other J scale the deviation from 1 by √(40/J). κ is unbounded (`null`) where A
 * reaches 0; κ̃ is `null` where J ≤ 4·ln T; the scaling law is fitted as in docs/theory.md §7.
 */
export function frameBoundsFixture(
  numFilters: readonly number[] = [5, 10, 40],
  withScalingLaw = true,
): FrameBoundsResult {
  const noise = noiseSource(7);
  const cells: FrameBoundsCell[] = [];
  for (const J of numFilters) {
    for (const T of FILTER_LENGTHS) {
      const u = (Math.log2(T) - 3) / 7;
      const spread = Math.sqrt(40 / J);
      const A = Math.max(0.004, 1 - (0.24 + 0.174 * u) * spread);
      const B = 1 + (0.271 + 0.283 * u) * spread;
      const s = Math.sqrt(Math.log(T) / J);
      const bounded = A > 0.05;
      const kappaMean = bounded ? (B / A) * (1.04 + 0.01 * noise()) : null;
      const stats = (mean: number) => ({
        mean,
        std: 0.05 * spread,
        quantiles: { '0.05': Math.max(0, mean - 0.08 * spread), '0.5': mean, '0.95': mean + 0.08 * spread },
      });
      const asym = 2 * s;
      cells.push({
        numFilters: J,
        filterLength: T,
        signalLength: 1024,
        stride: 1,
        empirical: {
          trials: 1000,
          A: stats(A),
          B: stats(B),
          kappa: {
            mean: kappaMean,
            median: kappaMean === null ? null : kappaMean * 0.97,
            std: kappaMean === null ? null : 0.2 * kappaMean,
            quantiles: { '0.05': kappaMean === null ? null : kappaMean * 0.8, '0.95': null },
          },
          kappaOfMeans: B / A,
        },
        theory: {
          A: { chi2: Math.max(0, 1 - 1.37 * s), asymptotic: 1 - asym },
          B: { chi2: 1 + 2.14 * s, asymptotic: 1 + asym },
          kappaTilde: asym < 1 ? (1 + asym) / (1 - asym) : null,
          // docs/theory.md §11's prediction tracks the simulation (within a few %, §11's table).
          predicted:
            kappaMean === null
              ? null
              : {
                  kappa: (B / A) * 1.03,
                  kappaQuantiles: { '0.05': (B / A) * 0.8, '0.5': B / A, '0.95': (B / A) * 1.35 },
                },
        },
      });
    }
  }
  if (!withScalingLaw) return { cells };
  const points: ScalingLawPoint[] = cells.flatMap((cell) => {
    const k = cell.empirical.kappa.mean;
    if (k === null) return [];
    const s = Math.sqrt(Math.log(cell.filterLength) / cell.numFilters);
    return [
      { numFilters: cell.numFilters, filterLength: cell.filterLength, kappaMean: k, a: (k - 1) / (k + 1), s },
    ];
  });
  const c =
    points.reduce((acc, pt) => acc + pt.a * pt.s, 0) / points.reduce((acc, pt) => acc + pt.s * pt.s, 0);
  const meanA = points.reduce((acc, pt) => acc + pt.a, 0) / points.length;
  const ssRes = points.reduce((acc, pt) => acc + (pt.a - c * pt.s) ** 2, 0);
  const ssTot = points.reduce((acc, pt) => acc + (pt.a - meanA) ** 2, 0);
  return { cells, scalingLaw: { c, r2: 1 - ssRes / ssTot, points } };
}
