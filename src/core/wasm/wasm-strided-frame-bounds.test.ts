import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameBoundsKernel } from '../filterbank/frame-bounds-kernel.js';
import { tapLaw } from '../filterbank/tap-law.js';
import { createStream } from '../random/stream-seed.js';
import { frameBoundsKernel, WASM_MAX_STRIDE } from './kernel-choice.js';
import { WasmStridedFrameBounds } from './wasm-strided-frame-bounds.js';

// Odd J and T, J < d (A = 0 by rank), T < d, T = N, d = N (K = 1), d = 2 (closed form) and
// d ≥ 4 (the complex Householder reduction), and the preset's grid. A and B agree to 1e-12 relative to B (the
// scale of M_k's eigenvalues; A can be ~0).
const SHAPES: [J: number, T: number, N: number, d: number][] = [
  [1, 1, 2, 2],
  [3, 5, 16, 2],
  [3, 5, 16, 4],
  [5, 3, 16, 8],
  [7, 13, 64, 4],
  [7, 64, 64, 8],
  [9, 31, 64, 64],
  [2, 7, 32, 16],
  [11, 3, 8, 8],
  [13, 100, 256, 32],
  [10, 64, 1024, 4],
  [40, 8, 1024, 2],
  [40, 1024, 1024, 8],
  [41, 999, 1024, 2],
];

test('WasmStridedFrameBounds equals the JS strided route on the same draws, to 1e-12 relative', () => {
  let worst = 0;
  for (const scheme of ['paper', 'pytorch-default'] as const) {
    for (const [J, T, N, d] of SHAPES) {
      const law = tapLaw(scheme, J, T);
      const wasm = new WasmStridedFrameBounds(J, T, N, d);
      const js = new FrameBoundsKernel(J, T, N, d);
      for (let trial = 0; trial < 3; trial++) {
        const a = createStream(9, J, T, trial);
        const b = createStream(9, J, T, trial);
        const expected = js.computeFromDraw(a, law);
        const actual = wasm.computeFromDraw(b, law);
        const where = `${scheme} J=${J} T=${T} N=${N} d=${d} trial ${trial}`;
        assert.ok(expected.B > 0, `${where}: B ${expected.B}`);
        const errorA = Math.abs(actual.A - expected.A) / expected.B;
        const errorB = Math.abs(actual.B - expected.B) / expected.B;
        worst = Math.max(worst, errorA, errorB);
        assert.ok(errorA <= 1e-12, `${where}: A ${actual.A} vs ${expected.A}`);
        assert.ok(errorB <= 1e-12, `${where}: B ${actual.B} vs ${expected.B}`);
        if (J < d) assert.equal(actual.A, 0, `${where}: rank J < d gives A = 0`);
        assert.deepEqual([b.s0, b.s1, b.s2, b.s3], [a.s0, a.s1, a.s2, a.s3], `${where}: stream state`);
      }
    }
  }
  // Not bit-identical (the FFTs and the solvers round differently), but a difference remains.
  assert.ok(worst > 0 && worst < 1e-12, `worst relative difference ${worst}`);
});

test('WasmStridedFrameBounds refuses what it does not cover', () => {
  assert.throws(() => new WasmStridedFrameBounds(2, 4, 12, 2), /power of two/);
  assert.throws(() => new WasmStridedFrameBounds(2, 4, 16, 3), /stride/);
  assert.throws(() => new WasmStridedFrameBounds(2, 4, 16, 1), /stride/);
  assert.throws(() => new WasmStridedFrameBounds(2, 4, 16, 32), /stride/);
  assert.throws(() => new WasmStridedFrameBounds(2, 17, 16, 2), /filterLength/);
});

test('frameBoundsKernel: strides up to WASM_MAX_STRIDE on power-of-two N run in wasm, the rest in JS', () => {
  assert.equal(frameBoundsKernel('auto', 1024, 1), 'wasm');
  for (let d = 2; d <= WASM_MAX_STRIDE; d *= 2) {
    assert.equal(frameBoundsKernel('auto', 1024, d), 'wasm', `d = ${d}`);
    assert.equal(frameBoundsKernel('wasm', 1024, d), 'wasm', `d = ${d}`);
    assert.equal(frameBoundsKernel('js', 1024, d), 'js', `d = ${d}`);
    assert.equal(frameBoundsKernel('auto', 3 * 1024, d), 'js', `N = 3072, d = ${d}`);
  }
  assert.equal(frameBoundsKernel('auto', 1024, 2 * WASM_MAX_STRIDE), 'js');
  assert.equal(frameBoundsKernel('auto', 1024, 4096), 'js');
});
