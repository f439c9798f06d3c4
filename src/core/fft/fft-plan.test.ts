import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getFftPlan } from './fft-plan.js';

// Tolerances. Double precision has ε ≈ 1.1e-16. A radix-2/4 FFT has rms relative error
// O(ε·log₂N), and Bluestein adds two FFTs of size M ≈ 4N plus chirp products, so for every
// size tested (≤ 22050) the measured relative error ‖X_fft − X_ref‖₂/‖X_ref‖₂ stays below ~1e-14.
// The naive reference sum has error O(ε·√N) per bin as well. We therefore require 1e-12 relative
// to the signal norm: about 100× the observed error, yet far below anything a real bug produces
// (a wrong sign, index or scale gives O(1) errors).
const REL_TOL = 1e-12;

/** Deterministic test signals (mulberry32); kept local so these tests don't depend on src/core/random. */
function seededSignal(length: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/**
 * Naive DFT of one bin. The angle uses (k·n mod N), computed exactly in integers, so the
 * reference itself is accurate to O(ε·√N) relative even for N = 22050.
 */
function naiveBin(x: Float64Array, k: number, sign: number): [number, number] {
  const n = x.length / 2;
  let re = 0;
  let im = 0;
  for (let j = 0; j < n; j++) {
    const angle = (sign * 2 * Math.PI * ((k * j) % n)) / n;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const xr = x[2 * j]!;
    const xi = x[2 * j + 1]!;
    re += xr * c - xi * s;
    im += xr * s + xi * c;
  }
  return [re, im];
}

function naiveDft(x: Float64Array, sign = -1): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const [re, im] = naiveBin(x, k, sign);
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

function norm(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s);
}

function relativeError(actual: Float64Array, expected: Float64Array, scale: number): number {
  assert.equal(actual.length, expected.length);
  let s = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = actual[i]! - expected[i]!;
    s += d * d;
  }
  return Math.sqrt(s) / scale;
}

function complexFromReal(x: Float64Array): Float64Array {
  const c = new Float64Array(2 * x.length);
  for (let i = 0; i < x.length; i++) c[2 * i] = x[i]!;
  return c;
}

const SIZES = [1, 2, 3, 4, 5, 7, 8, 12, 100, 127, 1000, 1024];

describe('getFftPlan', () => {
  it('caches one plan per size', () => {
    assert.equal(getFftPlan(12), getFftPlan(12));
    assert.equal(getFftPlan(16), getFftPlan(16));
    assert.equal(getFftPlan(16).size, 16);
  });

  for (const n of SIZES) {
    it(`forward matches a naive DFT at N = ${n}`, () => {
      const x = seededSignal(2 * n, 1000 + n);
      const out = new Float64Array(2 * n).fill(Number.NaN); // stale output must not leak through
      getFftPlan(n).forward(x, out);
      // ‖X‖₂ = √N·‖x‖₂ (Parseval), so this is the error relative to the signal norm.
      const err = relativeError(out, naiveDft(x), Math.sqrt(n) * norm(x));
      assert.ok(err < REL_TOL, `relative error ${err}`);
    });

    it(`inverse matches a naive inverse DFT (with 1/N) at N = ${n}`, () => {
      const x = seededSignal(2 * n, 2000 + n);
      const out = new Float64Array(2 * n).fill(Number.NaN);
      getFftPlan(n).inverse(x, out);
      const ref = naiveDft(x, +1).map((v) => v / n);
      const err = relativeError(out, ref, norm(x) / Math.sqrt(n));
      assert.ok(err < REL_TOL, `relative error ${err}`);
    });

    it(`forwardReal agrees with forward on a real signal at N = ${n}`, () => {
      const x = seededSignal(n, 3000 + n);
      const viaReal = new Float64Array(2 * n).fill(Number.NaN);
      const viaComplex = new Float64Array(2 * n);
      const plan = getFftPlan(n);
      plan.forwardReal(x, viaReal);
      plan.forward(complexFromReal(x), viaComplex);
      const scale = Math.sqrt(n) * norm(x);
      assert.ok(relativeError(viaReal, viaComplex, scale) < REL_TOL);
      assert.ok(relativeError(viaReal, naiveDft(complexFromReal(x)), scale) < REL_TOL);
      // Hermitian symmetry of a real signal's spectrum, exact by construction in forwardReal.
      assert.equal(viaReal[1], 0);
    });

    it(`inverse(forward(x)) = x and Parseval hold at N = ${n}`, () => {
      const x = seededSignal(2 * n, 4000 + n);
      const plan = getFftPlan(n);
      const spectrum = new Float64Array(2 * n);
      const back = new Float64Array(2 * n);
      plan.forward(x, spectrum);
      plan.inverse(spectrum, back);
      assert.ok(relativeError(back, x, norm(x)) < REL_TOL);
      const energy = norm(x) ** 2;
      const spectralEnergy = norm(spectrum) ** 2 / n;
      assert.ok(Math.abs(spectralEnergy - energy) / energy < REL_TOL);
    });
  }

  it('uses the e^{-2πikn/N} sign convention (a unit impulse at n=1 gives X[1] = e^{-2πi/N})', () => {
    for (const n of [8, 12]) {
      const x = new Float64Array(2 * n);
      x[2] = 1;
      const out = new Float64Array(2 * n);
      getFftPlan(n).forward(x, out);
      assert.ok(Math.abs(out[2]! - Math.cos((2 * Math.PI) / n)) < 1e-15);
      assert.ok(Math.abs(out[3]! + Math.sin((2 * Math.PI) / n)) < 1e-15);
    }
  });

  it('is accurate at N = 22050 (1 s at 22.05 kHz): selected bins vs the naive sum', () => {
    const n = 22050;
    const plan = getFftPlan(n);
    const x = seededSignal(n, 22050);
    const c = complexFromReal(x);
    const viaReal = new Float64Array(2 * n);
    const viaComplex = new Float64Array(2 * n);
    plan.forwardReal(x, viaReal);
    plan.forward(c, viaComplex);
    // Per-bin error relative to ‖x‖₂ (a typical |X[k]| for a noise signal).
    const scale = norm(x);
    for (const k of [0, 1, 2, 441, 1000, 7349, 11024, 11025, 11026, 17000, 22049]) {
      const [re, im] = naiveBin(c, k, -1);
      for (const spectrum of [viaReal, viaComplex]) {
        const err = Math.hypot(spectrum[2 * k]! - re, spectrum[2 * k + 1]! - im) / scale;
        assert.ok(err < REL_TOL, `bin ${k}: error ${err}`);
      }
    }
    const back = new Float64Array(2 * n);
    plan.inverse(viaComplex, back);
    assert.ok(relativeError(back, c, norm(c)) < REL_TOL);
    const energy = norm(x) ** 2;
    assert.ok(Math.abs(norm(viaComplex) ** 2 / n - energy) / energy < REL_TOL);
  });

  it('keeps the chirp accurate for a large prime size (N = 65537)', () => {
    // A pure tone at bin 12345 must land in that bin only; an inaccurate chirp angle
    // (π·n²/N without reduction) would smear it at this size.
    const n = 65537;
    const x = new Float64Array(n);
    for (let j = 0; j < n; j++) x[j] = Math.cos((2 * Math.PI * ((12345 * j) % n)) / n);
    const out = new Float64Array(2 * n);
    getFftPlan(n).forwardReal(x, out);
    let leak = 0;
    for (let k = 0; k < n; k++) {
      if (k === 12345 || k === n - 12345) continue;
      leak = Math.max(leak, Math.hypot(out[2 * k]!, out[2 * k + 1]!));
    }
    assert.ok(Math.abs(out[2 * 12345]! - n / 2) / (n / 2) < REL_TOL);
    assert.ok(leak / (n / 2) < REL_TOL, `leak ${leak}`);
  });

  it('rejects bad sizes and buffers with a RangeError naming the value', () => {
    for (const bad of [0, -4, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => getFftPlan(bad),
        (e: unknown) => e instanceof RangeError && e.message.includes(String(bad)),
      );
    }
    const plan = getFftPlan(12);
    assert.throws(
      () => plan.forward(new Float64Array(23), new Float64Array(24)),
      /input length must be 24, got 23/,
    );
    assert.throws(
      () => plan.forward(new Float64Array(24), new Float64Array(12)),
      /output length must be 24, got 12/,
    );
    assert.throws(
      () => plan.forwardReal(new Float64Array(24), new Float64Array(24)),
      /input length must be 12, got 24/,
    );
    const shared = new Float64Array(24);
    assert.throws(() => plan.forward(shared, shared), /alias/);
    const buffer = new Float64Array(48);
    assert.throws(() => plan.inverse(buffer.subarray(0, 24), buffer.subarray(12, 36)), /alias/);
    assert.doesNotThrow(() => plan.inverse(buffer.subarray(0, 24), buffer.subarray(24, 48)));
  });
});
