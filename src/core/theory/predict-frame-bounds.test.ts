import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tapLaw } from '../filterbank/tap-law.js';
import { sampleFrameBounds } from '../../experiments/frame-bounds/sample-frame-bounds.js';
import { expectedScaledChiSquareExtremes } from './chi-square-order-statistics.js';
import { predictFrameBounds, predictedKappaPercentile } from './predict-frame-bounds.js';

const gaussian = { distribution: 'normal' as const, variance: 1, fourthMoment: 3 };

describe('predictFrameBounds (docs/theory.md §11)', () => {
  it('names the bad argument', () => {
    const bad: [() => unknown, RegExp][] = [
      [() => predictFrameBounds(0, 8, 64, gaussian), /numFilters must be a positive integer, got 0/],
      [() => predictFrameBounds(2.5, 8, 64, gaussian), /numFilters must be a positive integer, got 2.5/],
      [() => predictFrameBounds(5, 0, 64, gaussian), /filterLength must be a positive integer, got 0/],
      [
        () => predictFrameBounds(5, 8, Number.NaN, gaussian),
        /signalLength must be a positive integer, got NaN/,
      ],
      [() => predictFrameBounds(5, 65, 64, gaussian), /filterLength 65 exceeds signalLength 64/],
      [() => predictFrameBounds(5, 8, 64, { ...gaussian, variance: 0 }), /tapLaw.variance must be positive/],
      [() => predictFrameBounds(5, 8, 64, { ...gaussian, fourthMoment: 0.5 }), /tapLaw.fourthMoment/],
    ];
    for (const [call, message] of bad)
      assert.throws(call, (e: unknown) => e instanceof RangeError && message.test(e.message));
  });

  it('T = 1: LP is constant, so A = B and κ = 1 exactly', () => {
    const p = predictFrameBounds(7, 1, 100, gaussian);
    assert.deepEqual([p.A, p.B, p.kappa, p.kappaMedian], [1, 1, 1, 1]);
    assert.equal(predictedKappaPercentile(p, 1), 1);
  });

  it('T = N: the grid points are independent and exactly χ²_J/J (ω = 0, π) or χ²_{2J}/(2J), so E[A], E[B] are the refined model’s', () => {
    // At T = N the Fejér correlation of neighbours vanishes and D(2ω_k) = 0 inside: the chain is
    // exact, and only the quadrature in u (Simpson on 65 points in log u) is left: 3e-4 relative
    // at worst (J = 5, N = 64), so 5e-4.
    for (const [J, N] of [
      [5, 64],
      [10, 1024],
      [40, 1000],
      [3, 16],
    ] as const) {
      const p = predictFrameBounds(J, N, N, gaussian);
      const exact = expectedScaledChiSquareExtremes([
        { count: N % 2 === 0 ? 2 : 1, degreesOfFreedom: J },
        { count: Math.floor((N - 1) / 2), degreesOfFreedom: 2 * J },
      ]);
      assert.ok(Math.abs(p.A / exact.min - 1) < 5e-4, `J=${J} N=${N}: A ${p.A} vs ${exact.min}`);
      assert.ok(Math.abs(p.B / exact.max - 1) < 5e-4, `J=${J} N=${N}: B ${p.B} vs ${exact.max}`);
    }
  });

  it('E[κ] = ∞ for J ≤ 2 (A ≤ LP(0) ~ χ²_J/J has E[1/A] = ∞) and finite from J = 3', () => {
    assert.equal(predictFrameBounds(1, 16, 64, gaussian).kappa, Infinity);
    assert.equal(predictFrameBounds(2, 16, 64, gaussian).kappa, Infinity);
    assert.ok(Number.isFinite(predictFrameBounds(3, 16, 64, gaussian).kappa));
  });

  it('J → ∞: A, B → 1 within the asymptotic 2√(log T/J) (docs/theory.md §7)', () => {
    const J = 100_000;
    const p = predictFrameBounds(J, 64, 1024, gaussian);
    const s = 2 * Math.sqrt(Math.log(64) / J);
    assert.ok(p.A < 1 && 1 - p.A < s && p.B > 1 && p.B - 1 < s, JSON.stringify(p));
    assert.ok(p.kappa > 1 && p.kappa < (1 + s) / (1 - s));
  });

  it('orders the quantiles and inverts them in predictedKappaPercentile', () => {
    const p = predictFrameBounds(10, 64, 1000, gaussian);
    const q = p.kappaQuantiles;
    assert.ok(1 < q['0.05'] && q['0.05'] < q['0.5'] && q['0.5'] < q['0.95']);
    assert.equal(q['0.5'], p.kappaMedian);
    // The cdf is tabulated on 201 points and interpolated: ±0.005 in probability.
    for (const [level, kappa] of Object.entries(q)) {
      assert.ok(Math.abs(predictedKappaPercentile(p, kappa) - Number(level)) < 5e-3, level);
    }
    assert.equal(predictedKappaPercentile(p, 0.5), 0);
    assert.equal(predictedKappaPercentile(p, Infinity), 1);
  });

  it('agrees with the engine’s Monte Carlo on a fixed-seed grid', () => {
    // Tolerance = 3 standard errors of the Monte Carlo mean + the model's stated error
    // (docs/theory.md §11): E[A], E[B] 3 % (A from the bridge at T ≤ 32, §11.2), E[κ] 5 % for
    // J ≥ 10 and 10 % below; band coverage 90 ± 3 %
    // ± 3 binomial standard errors.
    const trials = 1500;
    for (const [J, T, N] of [
      [5, 32, 1024],
      [10, 8, 1000],
      [40, 33, 64],
      [20, 100, 100],
      [7, 12, 4096],
    ] as const) {
      const { A, B } = sampleFrameBounds(J, T, N, trials, 20260, 'paper');
      const kappa = Array.from(A, (a, i) => B[i]! / a);
      const stats = (x: ArrayLike<number>) => {
        let s = 0;
        let s2 = 0;
        for (let i = 0; i < x.length; i++) {
          s += x[i]!;
          s2 += x[i]! ** 2;
        }
        const mean = s / x.length;
        return { mean, se: Math.sqrt((s2 / x.length - mean * mean) / x.length) };
      };
      const p = predictFrameBounds(J, T, N, tapLaw('paper', J, T));
      const where = `J=${J} T=${T} N=${N}`;
      const check = (name: string, predicted: number, mc: { mean: number; se: number }, model: number) => {
        const tolerance = 3 * mc.se + model * mc.mean;
        assert.ok(
          Math.abs(predicted - mc.mean) <= tolerance,
          `${where} ${name}: predicted ${predicted}, Monte Carlo ${mc.mean} ± ${mc.se}`,
        );
      };
      check('E[A]', p.A, stats(A), 0.03);
      check('E[B]', p.B, stats(B), 0.03);
      check('E[κ]', p.kappa, stats(kappa), J >= 10 ? 0.05 : 0.1);
      const lo = p.kappaQuantiles['0.05'];
      const hi = p.kappaQuantiles['0.95'];
      const coverage = kappa.filter((k) => k >= lo && k <= hi).length / trials;
      assert.ok(
        Math.abs(coverage - 0.9) <= 0.03 + 3 * Math.sqrt(0.09 / trials),
        `${where} coverage ${coverage}`,
      );
    }
  });
});
