import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gaussLegendreRule } from '../numerics/gauss-legendre-rule.js';
import { integrateAdaptive } from '../numerics/adaptive-gauss-kronrod.js';
import { bivariateNormalUpper } from './bivariate-normal-upper.js';
import { normalCdf } from './normal-cdf.js';
import { normalQuantile } from './normal-quantile.js';

const phi = (x: number) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);

describe('bivariateNormalUpper', () => {
  it('matches ∫_h^∞ φ(x)·Φ((ρx − k)/√(1−ρ²)) dx to 1e-13, both branches and ρ → 1', () => {
    for (const rho of [0, 0.2, 0.6, 0.92, 0.93, 0.99, 0.9999, 0.999999]) {
      for (const h of [-3, -0.5, 0, 1.3, 4]) {
        for (const k of [-2, 0, 0.7, 2.5]) {
          const s = Math.sqrt(1 - rho * rho);
          const reference = integrateAdaptive((x) => phi(x) * normalCdf((rho * x - k) / s), h, 12, {
            absoluteTolerance: 1e-15,
            relativeTolerance: 1e-13,
          });
          const value = bivariateNormalUpper(h, k, rho);
          assert.ok(Math.abs(value - reference) < 1e-13, `ρ=${rho} h=${h} k=${k}: ${value} vs ${reference}`);
        }
      }
    }
  });

  it('closed forms: ρ = 0 factorises, ρ = 1 is Φ(−max), and P(X > 0, Y > 0) = 1/4 + asin(ρ)/(2π)', () => {
    assert.ok(Math.abs(bivariateNormalUpper(0.3, -1, 0) - normalCdf(-0.3) * normalCdf(1)) < 1e-16);
    assert.equal(bivariateNormalUpper(0.3, -1, 1), normalCdf(-0.3));
    for (const rho of [0.1, 0.5, 0.95, 0.999]) {
      assert.ok(Math.abs(bivariateNormalUpper(0, 0, rho) - (0.25 + Math.asin(rho) / (2 * Math.PI))) < 1e-15);
    }
    assert.throws(() => bivariateNormalUpper(0, 0, -0.1), /rho must be in \[0, 1\], got -0.1/);
  });
});

describe('gaussLegendreRule', () => {
  it('integrates x^m exactly for m ≤ 2n − 1, and validates n', () => {
    for (const n of [1, 6, 12, 20]) {
      const { nodes, weights } = gaussLegendreRule(n);
      for (let m = 0; m <= 2 * n - 1; m++) {
        const sum = nodes.reduce((acc, x, i) => acc + weights[i]! * x ** m, 0);
        const exact = m % 2 === 1 ? 0 : 2 / (m + 1);
        assert.ok(Math.abs(sum - exact) < 1e-14, `n=${n} m=${m}: ${sum}`);
      }
    }
    assert.throws(() => gaussLegendreRule(0), /n must be an integer in 1..100, got 0/);
  });
});

describe('normalQuantile', () => {
  it('inverts normalCdf in both tails', () => {
    for (const z of [-37, -8, -1, 0, 0.5, 3]) {
      assert.ok(Math.abs(normalQuantile(normalCdf(z)) - z) < 1e-9 * Math.max(1, Math.abs(z)), String(z));
    }
    assert.throws(() => normalQuantile(1.5), /p must be in \[0, 1\], got 1.5/);
  });
});
