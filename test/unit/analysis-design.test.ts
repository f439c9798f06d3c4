// POST /v1/design (docs/api.md "Analysis and design"): the design rule of docs/theory.md §7.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { design } from '../../src/experiments/analysis/design.js';
import { designRequestSchema } from '../../src/experiments/analysis/design-schema.js';
import { formatIssuePath } from '../../src/experiments/common/format-issue-path.js';

test('J_min = ⌈c²·log T·((κ*+1)/(κ*−1))²⌉ for a few (T, κ*, c)', () => {
  // c = 2, κ* = 3: ((3+1)/(3−1))² = 4, so J_min = ⌈16·ln T⌉.
  assert.deepEqual(design(designRequestSchema.parse({ filterLengths: [1, 2, 8, 1024], targetKappa: 3 })), [
    { filterLength: 1, minNumFilters: 1 }, // log 1 = 0; at least one filter
    { filterLength: 2, minNumFilters: Math.ceil(16 * Math.log(2)) }, // 11.09 → 12
    { filterLength: 8, minNumFilters: 34 }, // 16·2.0794 = 33.27
    { filterLength: 1024, minNumFilters: 111 }, // 16·6.9315 = 110.90
  ]);
  // c = 1.2 (near the simulations' fit), κ* = 2: 1.44·9·ln T.
  const rows = design(designRequestSchema.parse({ filterLengths: [16, 256], targetKappa: 2, c: 1.2 }));
  assert.deepEqual(
    rows.map((r) => r.minNumFilters),
    [Math.ceil(1.44 * 9 * Math.log(16)), Math.ceil(1.44 * 9 * Math.log(256))],
  );
  assert.deepEqual(
    rows.map((r) => r.minNumFilters),
    [36, 72],
  );
});

test('κ* too close to 1 gives null with a note instead of an unusable number', () => {
  const [row] = design(designRequestSchema.parse({ filterLengths: [64], targetKappa: 1 + 1e-12 }));
  assert.equal(row!.minNumFilters, null);
  assert.match(row!.notes![0]!, /too close to 1/);
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
});
