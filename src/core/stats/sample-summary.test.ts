import assert from 'node:assert/strict';
import { test } from 'node:test';
import { histogram } from './histogram.js';
import { quantileSorted } from './quantile-sorted.js';
import { summarizeSample } from './sample-summary.js';

test('quantileSorted rejects an empty sample and probabilities outside [0, 1]', () => {
  assert.throws(() => quantileSorted([], 0.5), RangeError);
  assert.throws(() => quantileSorted([1], -0.1), /probability/);
  assert.throws(() => quantileSorted([1], Number.NaN), /probability/);
});

test('quantileSorted matches NumPy’s default (type 7) interpolation', () => {
  // numpy.quantile([1, 2, 3, 4], [0, 0.05, 0.5, 0.95, 1]) = [1, 1.15, 2.5, 3.85, 4]
  const x = [1, 2, 3, 4];
  assert.equal(quantileSorted(x, 0), 1);
  assert.ok(Math.abs(quantileSorted(x, 0.05) - 1.15) < 1e-15);
  assert.equal(quantileSorted(x, 0.5), 2.5);
  assert.ok(Math.abs(quantileSorted(x, 0.95) - 3.85) < 1e-15);
  assert.equal(quantileSorted(x, 1), 4);
});

test('quantileSorted keeps infinite order statistics without NaN', () => {
  assert.equal(quantileSorted([1, 2, Infinity], 0.5), 2);
  assert.equal(quantileSorted([1, 2, Infinity], 1), Infinity);
  assert.equal(quantileSorted([Infinity, Infinity], 0.3), Infinity);
});

test('summarizeSample: moments with Bessel’s correction, and it leaves the input order alone', () => {
  const x = Float64Array.from([3, 1, 2, 4]);
  const s = summarizeSample(x, [0.05, 0.5, 0.95]);
  assert.deepEqual([...x], [3, 1, 2, 4]);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.std - Math.sqrt(5 / 3)) < 1e-15);
  assert.equal(s.min, 1);
  assert.equal(s.max, 4);
  assert.equal(s.median, 2.5);
  assert.deepEqual(Object.keys(s.quantiles), ['0.05', '0.5', '0.95']);
  assert.equal(summarizeSample(Float64Array.of(7), [0.5]).std, 0);
});

test('summarizeSample does not depend on the order of the values', () => {
  const a = Float64Array.from({ length: 101 }, (_, i) => Math.sin(i) * 1e3 + 1 / (i + 1));
  const b = Float64Array.from(a).reverse();
  assert.deepEqual(summarizeSample(a, [0.1, 0.9]), summarizeSample(b, [0.1, 0.9]));
});

test('histogram: counts every finite value once, edges span min to max', () => {
  const x = Float64Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
  const h = histogram(x);
  assert.equal(h.counts.length, 20); // Rice rule: ⌈2·1000^{1/3}⌉ = 20
  assert.equal(h.edges.length, 21);
  assert.equal(h.edges[0], 0);
  assert.equal(h.edges[20], 999);
  assert.equal(
    h.counts.reduce((a, b) => a + b, 0),
    1000,
  );
  assert.deepEqual(histogram([2, 2, Infinity]), { edges: [2, 2], counts: [2] });
  assert.deepEqual(histogram([]), { edges: [], counts: [] });
});
