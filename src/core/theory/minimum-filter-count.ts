/**
 * The design rule of docs/theory.md §7: `J_min(T, κ*) = ⌈c²·log T·((κ*+1)/(κ*−1))²⌉`, the number
 * of filters that keeps the expected condition number at most κ*; at least 1.
 */
export function minimumFilterCount(filterLength: number, targetKappa: number, c = 2): number {
  if (!Number.isInteger(filterLength) || filterLength < 1) {
    throw new RangeError(`filterLength must be a positive integer, got ${filterLength}`);
  }
  if (!(targetKappa > 1 && Number.isFinite(targetKappa))) {
    throw new RangeError(`targetKappa must be a finite number > 1, got ${targetKappa}`);
  }
  if (!(c > 0 && Number.isFinite(c))) throw new RangeError(`c must be a positive finite number, got ${c}`);
  const ratio = (targetKappa + 1) / (targetKappa - 1);
  // Guard ⌈⌉ against a product that lands a few ulps above an integer.
  const raw = c * c * Math.log(filterLength) * ratio * ratio;
  return Math.max(1, Math.ceil(raw * (1 - 1e-12)));
}
