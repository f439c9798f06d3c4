/**
 * The value of an IEEE 754 binary16 (float16) bit pattern, exactly: every float16 is a float64.
 * Sign, 5 exponent bits (bias 15), 10 fraction bits; exponent 0 is zero or subnormal
 * (fraction · 2^−24), exponent 31 is ±Infinity (fraction 0) or NaN.
 */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}
