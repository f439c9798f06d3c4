import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getFftPlan } from '../fft/fft-plan.js';
import { FrameBoundsKernel } from '../filterbank/frame-bounds-kernel.js';
import { SummedSpectralPower } from '../filterbank/summed-spectral-power.js';
import { tapLaw } from '../filterbank/tap-law.js';
import { createStream } from '../random/stream-seed.js';
import { fillScaledStandardNormal, fillStandardNormal, fillUniform } from '../random/ziggurat-normal.js';
import { WasmFrameBoundsKernel } from './wasm-frame-bounds-kernel.js';
import { lawCode, WasmKernel } from './wasm-kernel.js';

const kernel = WasmKernel.get();

/** Every double equal (Object.is, so −0 ≠ 0 and NaN = NaN), with the first difference named. */
function assertBitEqual(actual: Float64Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}: index ${i}: ${actual[i]} ≠ ${expected[i]}`);
  }
}

test('the wasm ziggurat and uniform fills give the JS draws bit for bit, and leave the same state', () => {
  // 100,000 normals reach the ziggurat's wedges (~1.5 %) and its tail (~3e-4) hundreds of times.
  const cases: [seed: number, keys: number[], count: number, scale: number][] = [
    [0, [], 1, 1],
    [1, [2, 3], 7, 0.3],
    [2024, [1, 40, 1024, 999], 100_000, 1 / Math.sqrt(40 * 1024)],
    [0xffffffff, [0xffffffff], 33_333, 2.5],
  ];
  const out = kernel.reserveF64(100_000);
  for (const [seed, keys, count, scale] of cases) {
    const js = new Float64Array(count);
    const jsStream = createStream(seed, ...keys);
    fillScaledStandardNormal(jsStream, js, scale);
    const wasmStream = createStream(seed, ...keys);
    kernel.loadStream(wasmStream);
    kernel.exports.fillTapsExport(out, count, 0, scale);
    kernel.storeStream(wasmStream);
    assertBitEqual(kernel.f64(out, count), js, `normal ${seed}/${keys.join(',')}`);
    assert.deepEqual(
      [wasmStream.s0, wasmStream.s1, wasmStream.s2, wasmStream.s3],
      [jsStream.s0, jsStream.s1, jsStream.s2, jsStream.s3],
    );

    fillUniform(jsStream, js, -scale, scale);
    kernel.loadStream(wasmStream);
    kernel.exports.fillTapsExport(out, count, 1, scale);
    kernel.storeStream(wasmStream);
    assertBitEqual(kernel.f64(out, count), js, `uniform ${seed}/${keys.join(',')}`);
    assert.deepEqual([wasmStream.s0, wasmStream.s3], [jsStream.s0, jsStream.s3]);
  }
  kernel.exports.release(out);
});

test('lawCode: σ for normal taps (as fillTaps scales them), b for uniform ones', () => {
  assert.deepEqual(lawCode(tapLaw('paper', 4, 16)), [0, Math.sqrt(1 / 64)]);
  assert.deepEqual(lawCode(tapLaw('pytorch-default', 4, 16)), [1, 0.25]);
});

test('the wasm FFT equals fft.js to 1e-12 relative (max error over max |X|) for N = 2 … 2^14', () => {
  for (let logN = 1; logN <= 14; logN++) {
    const N = 2 ** logN;
    const input = new Float64Array(2 * N);
    fillStandardNormal(createStream(5, N), input);
    const expected = new Float64Array(2 * N);
    getFftPlan(N).forward(input, expected);
    const x = kernel.reserveF64(2 * N);
    const y = kernel.reserveF64(2 * N);
    kernel.f64(x, 2 * N).set(input);
    const result = kernel.exports.fft(x, y, logN);
    const actual = kernel.f64(result, 2 * N);
    let error = 0;
    let scale = 0;
    for (let i = 0; i < 2 * N; i++) {
      error = Math.max(error, Math.abs(actual[i]! - expected[i]!));
      scale = Math.max(scale, Math.abs(expected[i]!));
    }
    // Both FFTs are accurate to ~ε·log₂N relative; 1e-12 leaves a margin of 100 at 2^14.
    assert.ok(error <= 1e-12 * scale, `N = ${N}: max error ${error} vs max |X| ${scale}`);
    kernel.exports.release(x);
    kernel.exports.release(y);
  }
});

// The preset shapes (J = 40, T = 8 … 1024, N = 1024) and odd J, T and N-grids, both tap laws,
// both routes. A and B agree to 1e-12 relative to B (the LP sum's scale: A can be ~0).
const FRAME_SHAPES: [J: number, T: number, N: number][] = [
  ...[8, 16, 32, 64, 128, 256, 512, 1024].map((T): [number, number, number] => [40, T, 1024]),
  [1, 1, 2],
  [1, 7, 8],
  [3, 5, 16],
  [7, 13, 64],
  [5, 31, 32],
  [9, 100, 4096],
  [2, 2, 2],
];

test('WasmFrameBoundsKernel equals FrameBoundsKernel on the same draws, to 1e-12 relative', () => {
  for (const scheme of ['paper', 'pytorch-default'] as const) {
    for (const [J, T, N] of FRAME_SHAPES) {
      const law = tapLaw(scheme, J, T);
      const wasm = new WasmFrameBoundsKernel(J, T, N);
      const js = new FrameBoundsKernel(J, T, N);
      assert.equal(wasm.route, js.route, `route for J=${J}, T=${T}, N=${N}`);
      for (const route of ['direct', 'autocorrelation'] as const) {
        const forced = new WasmFrameBoundsKernel(J, T, N, { route });
        for (let trial = 0; trial < 3; trial++) {
          const a = createStream(9, J, T, trial);
          const b = createStream(9, J, T, trial);
          const expected = js.computeFromDraw(a, law);
          const actual = forced.computeFromDraw(b, law);
          const tol = 1e-12 * expected.B;
          const where = `${scheme} J=${J} T=${T} N=${N} ${route} trial ${trial}`;
          assert.ok(Math.abs(actual.A - expected.A) <= tol, `${where}: A ${actual.A} vs ${expected.A}`);
          assert.ok(Math.abs(actual.B - expected.B) <= tol, `${where}: B ${actual.B} vs ${expected.B}`);
          assert.equal(b.s0, a.s0, `${where}: the stream moved on as in JS`);
        }
      }
    }
  }
});

test('WasmFrameBoundsKernel refuses what it does not cover: N not a power of two, T > N', () => {
  assert.throws(() => new WasmFrameBoundsKernel(2, 4, 12), /power of two/);
  assert.throws(() => new WasmFrameBoundsKernel(2, 40, 32), /filterLength/);
});

test('summedPowerHalf equals SummedSpectralPower.computeHalfFromDraw in every bin, to 1e-12 of the largest', () => {
  // Grids at, above and well above 2T (the FFT's first pass skips a zero upper half only when
  // G ≥ 2T), odd J (the last filter alone) and G = 2.
  const shapes: [J: number, T: number, G: number][] = [
    [1, 1, 2],
    [2, 2, 4],
    [3, 3, 4],
    [5, 8, 16],
    [7, 9, 16],
    [4, 100, 128],
    [40, 512, 1024],
    [10, 1024, 1024],
  ];
  for (const [J, T, G] of shapes) {
    const law = tapLaw('glorot-normal', J, T);
    const [code, param] = lawCode(law);
    const expected = new SummedSpectralPower(J, T, G).computeHalfFromDraw(createStream(4, J, T, G), law);
    const buffers = [2 * G, 2 * G, G, T].map((n) => kernel.reserveF64(n));
    const [packed, scratch, half, last] = buffers as [number, number, number, number];
    kernel.loadStream(createStream(4, J, T, G));
    kernel.exports.summedPowerHalf(J, T, Math.log2(G), code, param, packed, scratch, half, last);
    const actual = kernel.f64(half, G / 2 + 1);
    const scale = Math.max(...expected);
    for (let k = 0; k <= G / 2; k++) {
      assert.ok(
        Math.abs(actual[k]! - expected[k]!) <= 1e-12 * scale,
        `J=${J} T=${T} G=${G} k=${k}: ${actual[k]} vs ${expected[k]}`,
      );
    }
    for (const ptr of buffers) kernel.exports.release(ptr);
  }
});
