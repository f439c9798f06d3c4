const scratch = new DataView(new ArrayBuffer(4));

/**
 * The value of a bfloat16 bit pattern, exactly: bfloat16 is the upper half of a float32 (sign,
 * 8 exponent bits, 7 fraction bits), so the pattern shifted left by 16 is that float32.
 */
export function bfloat16ToNumber(bits: number): number {
  scratch.setUint32(0, (bits & 0xffff) << 16);
  return scratch.getFloat32(0);
}
