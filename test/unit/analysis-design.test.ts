// POST /v1/design (docs/api.md "Analysis and design"): J_min by search on the predictor of
// docs/theory.md §11, beside the paper's asymptotic rule of docs/theory.md §7.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { predictFrameBounds } from '../../src/core/theory/predict-frame-bounds.js';
import { design } from '../../src/experiments/analysis/design.js';
import { designRequestSchema } from '../../src/experiments/analysis/design-schema.js';
import { formatIssuePath } from '../../src/experiments/common/format-issue-path.js';

const gaussian = { distribution: 'normal' as const, variance: 1, fourthMoment: 3 };

test('J_min is the fewest filters whose predicted mean (or median) κ is at most κ*', () => {
  for (const target of ['mean', 'median'] as const) {
    const rows = design(designRequestSchema.parse({ filterLengths: [8, 100], targetKappa: 3, target }));
    for (const row of rows) {
      const J = row.minNumFilters!;
      const stat = (j: number) => {
        const p = predictFrameBounds(j, row.filterLength, 1024, gaussian);
        return target === 'mean' ? p.kappa : p.kappaMedian;
      };
      assert.ok(stat(J) <= 3, `${target} κ at J_min = ${J}, T = ${row.filterLength}: ${stat(J)}`);
      assert.ok(
        stat(J - 1) > 3,
        `${target} κ at J_min − 1 = ${J - 1}, T = ${row.filterLength}: ${stat(J - 1)}`,
      );
      assert.equal(target === 'mean' ? row.predicted!.kappa : row.predicted!.kappaMedian, stat(J));
    }
  }
});

test('the asymptotic answer is ⌈c²·log T·((κ*+1)/(κ*−1))²⌉, and it asks for more filters than the predictor', () => {
  // c = 2, κ* = 3: ((3+1)/(3−1))² = 4, so J = ⌈16·ln T⌉.
  const rows = design(designRequestSchema.parse({ filterLengths: [2, 8, 1024], targetKappa: 3 }));
  assert.deepEqual(
    rows.map((r) => r.asymptotic),
    [
      { minNumFilters: Math.ceil(16 * Math.log(2)), c: 2 }, // 11.09 → 12
      { minNumFilters: 34, c: 2 }, // 16·2.0794 = 33.27
      { minNumFilters: 111, c: 2 }, // 16·6.9315 = 110.90
    ],
  );
  // The paper's c = 2 overestimates κ (docs/theory.md §7: the simulations fit c ≈ 1).
  for (const r of rows) assert.ok(r.minNumFilters! < r.asymptotic.minNumFilters!, JSON.stringify(r));
  // c = 1.2, κ* = 2: 1.44·9·ln T.
  const c12 = design(designRequestSchema.parse({ filterLengths: [16, 256], targetKappa: 2, c: 1.2 }));
  assert.deepEqual(
    c12.map((r) => r.asymptotic.minNumFilters),
    [36, 72],
  );
});

test('closed forms: one tap needs one filter (κ ≡ 1); the mean needs J ≥ 3 (E[κ] = ∞ for J ≤ 2)', () => {
  const [one] = design(designRequestSchema.parse({ filterLengths: [1], targetKappa: 1.01 }));
  assert.equal(one!.minNumFilters, 1);
  assert.deepEqual(one!.predicted, { kappa: 1, kappaMedian: 1 });
  const [loose] = design(designRequestSchema.parse({ filterLengths: [2], targetKappa: 1e6 }));
  assert.equal(loose!.minNumFilters, 3);
  const [looseMedian] = design(
    designRequestSchema.parse({ filterLengths: [2], targetKappa: 1e6, target: 'median' }),
  );
  assert.equal(looseMedian!.minNumFilters, 1);
});

test('κ* too close to 1 gives nulls with notes instead of unusable numbers', () => {
  const [row] = design(designRequestSchema.parse({ filterLengths: [64], targetKappa: 1 + 1e-12 }));
  assert.equal(row!.minNumFilters, null);
  assert.equal(row!.asymptotic.minNumFilters, null);
  assert.ok(row!.notes!.some((n) => /too close to 1/.test(n)));
  assert.ok(row!.notes!.some((n) => /^minNumFilters is null: even J = 1048576/.test(n)));
});

test('validation names the field', () => {
  const paths = (body: unknown) => {
    const parsed = designRequestSchema.safeParse(body);
    assert.ok(!parsed.success);
    return parsed.error.issues.map((issue) => formatIssuePath(issue.path));
  };
  assert.deepEqual(paths({ filterLengths: [8], targetKappa: 1 }), ['targetKappa']);
  assert.deepEqual(paths({ filterLengths: [8, 0], targetKappa: 2 }), ['filterLengths[1]']);
  assert.deepEqual(paths({ filterLengths: [], targetKappa: 2 }), ['filterLengths']);
  assert.deepEqual(paths({ filterLengths: [8], targetKappa: 2, c: -1 }), ['c']);
  assert.deepEqual(paths({ filterLengths: [8], targetKappa: 2, target: 'mode' }), ['target']);
  assert.deepEqual(paths({ filterLengths: [8], targetKappa: 2, signalLength: 0 }), ['signalLength']);
  assert.deepEqual(paths({ filterLengths: [8, 100], targetKappa: 2, signalLength: 64 }), [
    'filterLengths[1]',
  ]);
});
