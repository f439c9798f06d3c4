import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { integrateAdaptive } from '../numerics/adaptive-gauss-kronrod.js';
import { bivariateNormalUpper } from './bivariate-normal-upper.js';
import { chiSquareCdf } from './chi-square-cdf.js';
import { LittlewoodPaleyBridge, midpointBelow } from './littlewood-paley-bridge.js';
import { normalCdf } from './normal-cdf.js';

/** E[min] = ∫₀^∞ P(min > u) du, Simpson on [0, hi] with P(min > hi) < 1e-12. */
function expectedMinimum(bridge: LittlewoodPaleyBridge): number {
  let hi = 0.5;
  while (bridge.logSurvival(hi) > -28) hi *= 1.25;
  const n = 160;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    const u = (hi * i) / n;
    const survival = i === 0 ? 1 : Math.exp(bridge.logSurvival(u));
    sum += (i === 0 || i === n ? 1 : i % 2 === 1 ? 4 : 2) * survival;
  }
  return (sum * hi) / (3 * n);
}

describe('LittlewoodPaleyBridge (docs/theory.md §11.2)', () => {
  it('N = T: no insertions; the grid points are independent χ²_J/J (ω = 0, π) and χ²_2J/(2J)', () => {
    for (const [J, T] of [
      [5, 8],
      [7, 9],
      [40, 64],
    ] as const) {
      const bridge = new LittlewoodPaleyBridge(J, T, T);
      assert.equal(bridge.insertions.length, 0);
      const edges = T % 2 === 0 ? 2 : 1;
      const interior = Math.floor((T - 1) / 2);
      for (const u of [0.05, 0.3, 0.7, 1.1]) {
        const exact =
          edges * Math.log(1 - chiSquareCdf(J * u, J)) +
          interior * Math.log(1 - chiSquareCdf(2 * J * u, 2 * J));
        const value = bridge.logSurvival(u);
        assert.ok(
          Math.abs(value - exact) <= 1e-12 * Math.abs(exact),
          `J=${J} T=${T} u=${u}: ${value} vs ${exact}`,
        );
      }
    }
  });

  it('agrees with the numpy prototype on nested grids (scripts/prototype-bridge-minimum.py)', () => {
    // The prototype's E[A] (trapezoid on 0.02 steps, fully refined): this one stops at 1/8 of the
    // period and extrapolates the rest, so 1e-3.
    for (const [J, T, N, prototype] of [
      [5, 8, 16, 0.4323],
      [5, 8, 128, 0.4043],
      [7, 8, 256, 0.478],
      [5, 9, 144, 0.3894],
      [5, 12, 192, 0.3544],
      [40, 12, 192, 0.7328],
      [5, 32, 256, 0.2653],
    ] as const) {
      const value = expectedMinimum(new LittlewoodPaleyBridge(J, T, N));
      assert.ok(Math.abs(value - prototype) < 1e-3, `J=${J} T=${T} N=${N}: ${value} vs ${prototype}`);
    }
  });

  it('P(min > u) falls with u, from 1 towards 0', () => {
    for (const [J, T, N] of [
      [5, 8, 1000],
      [10, 33, 4096],
      [3, 12, 64],
    ] as const) {
      const bridge = new LittlewoodPaleyBridge(J, T, N);
      let previous = 0;
      for (let u = 1e-4; u < 3; u *= 1.1) {
        const log = bridge.logSurvival(u);
        assert.ok(log <= previous + 1e-15, `J=${J} T=${T} N=${N} u=${u}: ${log} > ${previous}`);
        previous = log;
      }
      assert.ok(bridge.logSurvival(1e-4) > -1e-3 && previous < -20);
    }
  });

  it('refining further changes E[A] little, and more grid points never raise it', () => {
    // N = 64, 1024, 22050 at T = 8: the same skeleton, ever more points in between.
    const values = [64, 1024, 22050].map((N) => expectedMinimum(new LittlewoodPaleyBridge(5, 8, N)));
    assert.ok(values[1]! <= values[0]! + 1e-6 && Math.abs(values[2]! - values[1]!) < 5e-4, String(values));
  });

  it('stays cheap: the distinct insertions do not grow with N or T', () => {
    for (const [T, N] of [
      [8, 22050],
      [12, 22050],
      [33, 22050],
      [1000, 22050],
      [4096, 22050],
      [5000, 22050],
    ] as const) {
      const kinds = new LittlewoodPaleyBridge(5, T, N).insertions.length;
      assert.ok(kinds < 100, `T=${T} N=${N}: ${kinds} distinct insertions`);
    }
  });
});

describe('midpointBelow', () => {
  const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
  it('is Φ(z_m) for independent points and matches a conditional integral otherwise', () => {
    assert.ok(Math.abs(midpointBelow(0.3, -0.2, 1.1, 0, 0, 0) - normalCdf(-0.2)) < 1e-6);
    for (const [zl, zm, zr, a, b, c] of [
      [0.2, 0.1, 0.3, 0.95, 0.9, 0.8],
      [-1, -1.2, -0.8, 0.6, 0.5, 0.2],
      [1.2, 1, 0.9, 0.98, 0.98, 0.93],
      [-2.5, -2.6, -2.4, 0.9, 0.9, 0.7],
    ] as const) {
      // P(Z_m ≤ z_m | Z_l > z_l, Z_r > z_r), integrating over Z_l instead of Z_m.
      const sm = Math.sqrt(1 - a * a);
      const sr = Math.sqrt(1 - c * c);
      const partial = (b - a * c) / (sm * sr);
      const joint = integrateAdaptive(
        (x) => {
          const h = (zm - a * x) / sm;
          const k = (zr - c * x) / sr;
          // P(Z_m' ≤ h, Z_r' > k) with correlation `partial` ≥ 0.
          return phi(x) * (normalCdf(-k) - bivariateNormalUpper(h, k, partial));
        },
        zl,
        12,
        { absoluteTolerance: 1e-13, relativeTolerance: 1e-10 },
      );
      const reference = joint / bivariateNormalUpper(zl, zr, c);
      const value = midpointBelow(zl, zm, zr, a, b, c);
      assert.ok(
        Math.abs(value - reference) < 2e-3 * reference + 1e-6,
        `${[zl, zm, zr, a, b, c]}: ${value} vs ${reference}`,
      );
    }
  });
});
