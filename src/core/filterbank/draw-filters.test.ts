import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextPowerOfTwo } from '../fft/next-power-of-two.js';
import { createStream } from '../random/stream-seed.js';
import { drawFilters, fillTaps } from './draw-filters.js';
import { FrameBoundsKernel } from './frame-bounds-kernel.js';
import { SummedAutocorrelation } from './summed-autocorrelation.js';
import { SummedSpectralPower } from './summed-spectral-power.js';
import { tapLaw } from './tap-law.js';

// A Gaussian law and a uniform one (pytorch-default), so both samplers are covered.
const LAWS = [tapLaw('paper', 5, 8), tapLaw('pytorch-default', 5, 8)];
// Odd and even J (an odd J packs its last filter alone), T on both sides of the direct
// autocorrelation cut-off (24), and grids that are and are not powers of two.
const SHAPES: [J: number, T: number][] = [
  [1, 1],
  [1, 9],
  [2, 8],
  [3, 24],
  [5, 25],
  [40, 64],
];

test('drawFilters reads the stream in pairs of 2T interleaved values, then an odd last filter', () => {
  for (const law of LAWS) {
    for (const [J, T] of SHAPES) {
      const taps = new Float64Array(J * T);
      drawFilters(createStream(3, J, T), law, taps, T);
      const reference = createStream(3, J, T);
      const pair = new Float64Array(2 * T);
      for (let j = 0; j + 1 < J; j += 2) {
        fillTaps(reference, law, pair, 0, 2 * T);
        for (let n = 0; n < T; n++) {
          assert.equal(taps[j * T + n], pair[2 * n]);
          assert.equal(taps[(j + 1) * T + n], pair[2 * n + 1]);
        }
      }
      if (J % 2 === 1) {
        const last = new Float64Array(T);
        fillTaps(reference, law, last, 0, T);
        assert.deepEqual(taps.subarray((J - 1) * T), last);
      }
    }
  }
  assert.throws(
    () => drawFilters(createStream(1), LAWS[0]!, new Float64Array(10), 3),
    /multiple of filterLength/,
  );
});

// The simulations draw straight into the kernels' FFT inputs; these must be the very taps
// drawFilters gives, so every route and experiment type sees the same filters. Equality is
// exact: both paths run the same arithmetic on the same doubles.
test('the kernels’ FromDraw methods equal drawFilters followed by compute, bit for bit', () => {
  for (const law of LAWS) {
    for (const [J, T] of SHAPES) {
      const taps = new Float64Array(J * T);
      const key = J * 1000 + T;
      const fresh = () => createStream(11, key);
      drawFilters(fresh(), law, taps, T);

      for (const G of [T, 2 * T + 3, nextPowerOfTwo(2 * T)]) {
        const power = new SummedSpectralPower(J, T, G);
        const expected = Float64Array.from(power.computeHalf(taps));
        const stream = fresh();
        assert.deepEqual(power.computeHalfFromDraw(stream, law), expected, `P J=${J} T=${T} G=${G}`);
        // The draw used exactly one filterbank's worth of the stream.
        const after = fresh();
        drawFilters(after, law, taps, T);
        assert.equal(stream.nextUint32(), after.nextUint32());
      }

      for (const method of ['direct', 'fft'] as const) {
        const autocorrelation = new SummedAutocorrelation(J, T, { method });
        const expected = new Float64Array(T);
        const actual = new Float64Array(T);
        autocorrelation.compute(taps, expected);
        autocorrelation.computeFromDraw(fresh(), law, actual);
        assert.deepEqual(actual, expected, `r J=${J} T=${T} ${method}`);
      }

      const N = 2 * T;
      for (const [stride, route] of [
        [1, 'direct'],
        [1, 'autocorrelation'],
        [2, undefined],
      ] as const) {
        const kernel = new FrameBoundsKernel(J, T, N, stride, route === undefined ? {} : { route });
        assert.deepEqual(
          kernel.computeFromDraw(fresh(), law),
          kernel.compute(taps),
          `A, B J=${J} T=${T} d=${stride}`,
        );
      }
    }
  }
});
