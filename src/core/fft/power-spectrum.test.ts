import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { powerSpectrum } from './power-spectrum.js';

// Tolerance: |X[k]|² ≤ ‖x‖₁² ≤ N‖x‖²; the FFT's relative error is ≲ 1e-14, so errors are
// measured relative to N·‖x‖² and required below 1e-12.
const REL_TOL = 1e-12;

function naivePower(x: Float64Array, size: number): Float64Array {
  const out = new Float64Array(size);
  for (let k = 0; k < size; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < x.length; j++) {
      const angle = (-2 * Math.PI * ((k * j) % size)) / size;
      re += x[j]! * Math.cos(angle);
      im += x[j]! * Math.sin(angle);
    }
    out[k] = re * re + im * im;
  }
  return out;
}

describe('powerSpectrum', () => {
  for (const [length, size] of [
    [1, 1],
    [5, 5],
    [7, 12],
    [8, 1024],
    [100, 127],
    [64, 1000],
  ] as const) {
    it(`matches the naive |DFT|² for a length-${length} filter at size ${size}`, () => {
      const x = new Float64Array(length).map((_, i) => Math.sin(1.7 * i + 0.3) + 0.1 * i);
      const p = powerSpectrum(x, size);
      assert.equal(p.length, size);
      const ref = naivePower(x, size);
      let energy = 0;
      for (const v of x) energy += v * v;
      for (let k = 0; k < size; k++) {
        assert.ok(Math.abs(p[k]! - ref[k]!) / (size * energy) < REL_TOL, `bin ${k}`);
      }
      // Parseval: Σ_k |X[k]|² = N·‖x‖².
      const total = p.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(total - size * energy) / (size * energy) < REL_TOL);
    });
  }

  it('defaults size to the signal length', () => {
    const x = new Float64Array([1, 2, 3]);
    assert.deepEqual(
      Array.from(powerSpectrum(x)).map((v) => Math.round(v * 1e9) / 1e9),
      [36, 3, 3],
    );
  });

  it('rejects a signal longer than size and bad sizes', () => {
    assert.throws(() => powerSpectrum(new Float64Array(9), 8), /signal length 9 exceeds size 8/);
    assert.throws(() => powerSpectrum(new Float64Array(2), 0), /got 0/);
    assert.throws(() => powerSpectrum(new Float64Array(2), 3.5), /got 3.5/);
    assert.throws(() => powerSpectrum(new Float64Array(0)), /got 0/);
  });
});
