import assert from 'node:assert/strict';

/** |actual − expected| ≤ tolerance·max(|expected|, floor): a relative check with an absolute floor. */
export function assertClose(
  actual: number,
  expected: number,
  tolerance: number,
  label = '',
  floor = 1e-300,
): void {
  const error = Math.abs(actual - expected) / Math.max(Math.abs(expected), floor);
  assert.ok(
    error <= tolerance,
    `${label} actual ${actual}, expected ${expected}: relative error ${error.toExponential(2)} > ${tolerance}`,
  );
}
