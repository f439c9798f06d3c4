import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { circularAutocorrelation } from './circular-autocorrelation.js';

// Tolerance: R_x is computed with two size-N transforms whose relative error is O(ε·log N)
// (measured ≲ 1e-14 for N ≤ 22050, see fft-plan.test.ts). Every lag is bounded by
// |R_x(τ)| ≤ ‖x‖², so errors are measured relative to ‖x‖² and required below 1e-12.
const REL_TOL = 1e-12;

function seededSignal(length: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    out[i] = a / 4294967296 - 0.5;
  }
  return out;
}

/** Direct O(N²) definition R_x(τ) = Σ_n x[n]·x[(n+τ) mod N]. */
function directAutocorrelation(x: Float64Array, lags: number): Float64Array {
  const n = x.length;
  const r = new Float64Array(lags);
  for (let t = 0; t < lags; t++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i]! * x[(i + t) % n]!;
    r[t] = s;
  }
  return r;
}

describe('circularAutocorrelation', () => {
  for (const n of [1, 2, 3, 5, 8, 12, 100, 127, 1000, 1024]) {
    it(`matches the direct sum at N = ${n}`, () => {
      const x = seededSignal(n, 77 + n);
      const r = circularAutocorrelation(x);
      assert.equal(r.length, n);
      const ref = directAutocorrelation(x, n);
      const energy = ref[0]!;
      for (let t = 0; t < n; t++) {
        assert.ok(Math.abs(r[t]! - ref[t]!) / energy < REL_TOL, `lag ${t}: ${r[t]} vs ${ref[t]}`);
      }
      // R(0) = ‖x‖² to roundoff, and R is even: R(τ) = R(N−τ).
      assert.ok(Math.abs(r[0]! - energy) / energy < REL_TOL);
      for (let t = 1; t < n; t++) assert.ok(Math.abs(r[t]! - r[n - t]!) / energy < REL_TOL);
    });
  }

  it('handles N = 22050 (first lags vs the direct sum)', () => {
    const n = 22050;
    const x = seededSignal(n, 5);
    const r = circularAutocorrelation(x);
    const ref = directAutocorrelation(x, 40);
    for (let t = 0; t < 40; t++) assert.ok(Math.abs(r[t]! - ref[t]!) / ref[0]! < REL_TOL);
  });

  it('gives the closed forms of docs/theory.md §4: impulse and alternating sine', () => {
    const n = 16;
    const impulse = new Float64Array(n);
    impulse[5] = 1;
    const ri = circularAutocorrelation(impulse);
    for (let t = 0; t < n; t++) assert.ok(Math.abs(ri[t]! - (t === 0 ? 1 : 0)) < 1e-15);
    const sine = new Float64Array(n).map((_, i) => (i % 2 === 0 ? 1 : -1) / Math.sqrt(n));
    const rs = circularAutocorrelation(sine);
    for (let t = 0; t < n; t++) assert.ok(Math.abs(rs[t]! - (t % 2 === 0 ? 1 : -1)) < 1e-15);
  });

  it('sums a sparse signal directly: exact zeros at lags no pair reaches', () => {
    const n = 1024;
    const x = new Float64Array(n);
    x[3] = 0.7;
    x[513] = 1;
    x[1000] = -0.25;
    const r = circularAutocorrelation(x);
    const direct = directAutocorrelation(x, n);
    for (let t = 0; t < n; t++) assert.ok(Math.abs(r[t]! - direct[t]!) <= 1e-15, `lag ${t}`);
    const reached = new Set([0, 510, 514, 997, 27, 487, 537]);
    for (let t = 0; t < n; t++) if (!reached.has(t)) assert.equal(r[t], 0, `lag ${t}`);
    const impulse = new Float64Array(n);
    impulse[513] = 1;
    assert.deepStrictEqual(
      circularAutocorrelation(impulse),
      Float64Array.from({ length: n }, (_, t) => (t === 0 ? 1 : 0)),
    );
  });

  it('rejects an empty signal', () => {
    assert.throws(() => circularAutocorrelation(new Float64Array(0)), RangeError);
  });
});
