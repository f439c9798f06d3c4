const TWO_POW_M52 = 2 ** -52;
const TWO_POW_M53 = 2 ** -53;

/**
 * xoshiro128** 1.0 (D. Blackman and S. Vigna, "Scrambled linear pseudorandom number
 * generators", 2018): 128 bits of state, period 2^128 − 1, 32-bit outputs. All arithmetic is
 * 32-bit integer arithmetic (`Math.imul`, shifts, xor), so it is exact and identical on every platform.
 *
 * Seed it with {@link createStream} (stream-seed.ts) rather than by hand: every Monte Carlo
 * trial gets its own generator keyed by (seed, experiment, J, T, trial), so results do not
 * depend on the order in which cells are run or on the number of worker threads.
 */
export class Xoshiro128StarStar {
  /**
   * The four state words, held as int32 bit patterns (`word | 0`). Public only so that hot
   * loops (ziggurat-normal.ts) can inline the step in local variables and write the state
   * back; treat them as internal. int32, not uint32: V8 keeps int32 fields unboxed, and
   * measured on Node 20 that makes `nextUint32` about 6× faster (300 vs 46 million/s).
   */
  s0: number;
  s1: number;
  s2: number;
  s3: number;

  /**
   * @param s0..s3 the state, four integers in [0, 2^32), not all zero.
   * @throws RangeError if a word is not a uint32 or all four are zero (the one fixed point).
   */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    checkWord('s0', s0);
    checkWord('s1', s1);
    checkWord('s2', s2);
    checkWord('s3', s3);
    if ((s0 | s1 | s2 | s3) === 0) {
      throw new RangeError('Xoshiro128StarStar: the state must not be all zero (got 0, 0, 0, 0)');
    }
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
  }

  /** Next output, a uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const s2 = this.s2 ^ this.s0;
    const s3 = this.s3 ^ s1;
    this.s1 = s1 ^ s2;
    this.s0 = this.s0 ^ s3;
    this.s2 = s2 ^ t;
    this.s3 = (s3 << 11) | (s3 >>> 21);
    return result;
  }

  /**
   * Uniform double in [0, 1) with 53 random bits: the top 27 bits of one output and the top
   * 26 of the next, the construction of genrand_res53.
   */
  nextFloat64(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /**
   * Uniform double in the open interval (0, 1): 52 random bits (the top 26 of two outputs) on a
   * grid shifted by half a step, `(k + 0.5)·2^-52`, so neither 0 nor 1 can occur (with 53 bits,
   * `2^53 − 0.5` would round up to 1). Use it where the value goes into a logarithm or a division.
   */
  nextFloat64Open(): number {
    const a = this.nextUint32() >>> 6;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b + 0.5) * TWO_POW_M52;
  }

  /** An independent copy of the current state (same future sequence). */
  clone(): Xoshiro128StarStar {
    return new Xoshiro128StarStar(this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0);
  }
}

function checkWord(name: string, word: number): void {
  if (!Number.isInteger(word) || word < 0 || word > 0xffffffff) {
    throw new RangeError(`Xoshiro128StarStar: ${name} must be an integer in [0, 2^32), got ${word}`);
  }
}
