import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { chiSquareCdf } from './chi-square-cdf.js';

// SciPy's values, made by scripts/reference/chi-square-cdf.py.
const fixture = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/chi-square-cdf.json', import.meta.url), 'utf8'),
) as { points: { k: number; x: number; cdf: number; sf: number }[] };

test('edge cases: x ≤ 0 → 0, +∞ → 1, NaN → NaN, far upper tail → 1', () => {
  assert.equal(chiSquareCdf(0, 4), 0);
  assert.equal(chiSquareCdf(-1, 4), 0);
  assert.equal(chiSquareCdf(Number.POSITIVE_INFINITY, 4), 1);
  assert.ok(Number.isNaN(chiSquareCdf(Number.NaN, 4)));
  assert.equal(chiSquareCdf(5000, 10), 1);
});

test('matches SciPy to 1e-12 from k = 1 to 8192, −6 to +8 sd, including k > 2000 above the mean', () => {
  for (const { k, x, cdf, sf } of fixture.points) {
    const p = chiSquareCdf(x, k);
    assert.ok(Math.abs(p - cdf) <= 1e-12, `k=${k} x=${x}: ${p} vs ${cdf}`);
    // Where the continued fraction serves, the upper tail itself is right to 1e-10 relative.
    if (x > 2000 && x > k && sf > 1e-300) {
      assert.ok(Math.abs(1 - p - sf) <= 1e-10 * sf + 1e-16, `upper tail k=${k} x=${x}: ${1 - p} vs ${sf}`);
    }
  }
});
