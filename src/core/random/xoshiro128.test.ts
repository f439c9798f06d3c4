import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Xoshiro128StarStar } from './xoshiro128.js';

/**
 * Straightforward scalar xoshiro128** on BigInt (mod 2^32 by masking), written independently of
 * the Math.imul/int32 tricks of the implementation.
 */
function* referenceXoshiro(seed: readonly [number, number, number, number]): Generator<number> {
  const mask = 0xffffffffn;
  const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & mask;
  const s = seed.map((w) => BigInt(w));
  for (;;) {
    const result = (rotl((s[1]! * 5n) & mask, 7n) * 9n) & mask;
    const t = (s[1]! << 9n) & mask;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11n);
    yield Number(result);
  }
}

describe('Xoshiro128StarStar', () => {
  it('reproduces the reference C implementation (Blackman & Vigna, xoshiro128starstar.c)', () => {
    // Outputs of the public-domain reference code, compiled with gcc, for state (1, 2, 3, 4);
    // the same ten values are the published test vector of Rust's rand_xoshiro.
    const rng = new Xoshiro128StarStar(1, 2, 3, 4);
    const expected = [
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ];
    assert.deepEqual(
      expected.map(() => rng.nextUint32()),
      expected,
    );
    // Reference C again: state (0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x85a308d3), outputs 1001..1008.
    const rng2 = new Xoshiro128StarStar(0x9e3779b9, 0x243f6a88, 0xb7e15162, 0x85a308d3);
    for (let i = 0; i < 1000; i++) rng2.nextUint32();
    const expected2 = [
      2199553035, 3131393204, 3823031287, 3825773614, 1067567287, 3127490514, 3286090762, 2867194333,
    ];
    assert.deepEqual(
      expected2.map(() => rng2.nextUint32()),
      expected2,
    );
  });

  it('agrees with a BigInt re-implementation over 10^4 outputs, high-bit words included', () => {
    const seed = [0xdeadbeef, 0x80000000, 0xffffffff, 7] as const;
    const rng = new Xoshiro128StarStar(...seed);
    const ref = referenceXoshiro(seed);
    for (let i = 0; i < 10_000; i++) {
      const value = rng.nextUint32();
      assert.equal(value, ref.next().value);
      assert.ok(Number.isInteger(value) && value >= 0 && value <= 0xffffffff);
    }
  });

  it('nextFloat64 combines the top 27 + 26 bits of two outputs into [0, 1)', () => {
    const a = new Xoshiro128StarStar(11, 22, 33, 44);
    const b = a.clone();
    for (let i = 0; i < 100_000; i++) {
      const u = a.nextFloat64();
      const hi = b.nextUint32() >>> 5;
      const lo = b.nextUint32() >>> 6;
      assert.equal(u, (hi * 2 ** 26 + lo) / 2 ** 53);
      assert.ok(u >= 0 && u < 1);
    }
    // Extremes of the construction: all-zero and all-one bits.
    assert.equal((0 * 2 ** 26 + 0) / 2 ** 53, 0);
    assert.ok(((2 ** 27 - 1) * 2 ** 26 + (2 ** 26 - 1)) / 2 ** 53 < 1);
  });

  it('nextFloat64 has mean 1/2 and variance 1/12 (within 4 standard errors, n = 10^6)', () => {
    // SE of the mean = √(1/12)/√n ≈ 2.9e-4; SE of the sample variance = √((1/80 − 1/144)/n) ≈ 7.5e-5.
    const n = 1_000_000;
    const rng = new Xoshiro128StarStar(123, 456, 789, 1011);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextFloat64();
      sum += u;
      sumSq += u * u;
    }
    const mean = sum / n;
    const variance = sumSq / n - mean * mean;
    assert.ok(Math.abs(mean - 0.5) < 4 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
    assert.ok(Math.abs(variance - 1 / 12) < 4 * Math.sqrt((1 / 80 - 1 / 144) / n), `variance ${variance}`);
  });

  it('nextFloat64Open stays in the open interval (0, 1)', () => {
    const rng = new Xoshiro128StarStar(1, 0, 0, 0);
    for (let i = 0; i < 100_000; i++) {
      const u = rng.nextFloat64Open();
      assert.ok(u > 0 && u < 1);
    }
    // Extremes of the construction (all-zero and all-one bits) stay strictly inside.
    assert.ok(0.5 * 2 ** -52 > 0);
    assert.ok(((2 ** 26 - 1) * 2 ** 26 + (2 ** 26 - 1) + 0.5) * 2 ** -52 < 1);
    const a = new Xoshiro128StarStar(9, 8, 7, 6);
    const b = a.clone();
    for (let i = 0; i < 1000; i++) {
      const hi = b.nextUint32() >>> 6;
      const lo = b.nextUint32() >>> 6;
      assert.equal(a.nextFloat64Open(), (hi * 2 ** 26 + lo + 0.5) / 2 ** 52);
    }
  });

  it('clone continues the same sequence independently', () => {
    const a = new Xoshiro128StarStar(5, 6, 7, 8);
    a.nextUint32();
    const b = a.clone();
    const fromA = [a.nextUint32(), a.nextUint32()];
    assert.deepEqual([b.nextUint32(), b.nextUint32()], fromA);
  });

  it('rejects an all-zero state and words that are not uint32', () => {
    assert.throws(() => new Xoshiro128StarStar(0, 0, 0, 0), /all zero/);
    assert.throws(() => new Xoshiro128StarStar(-1, 0, 0, 1), /s0 .* got -1/);
    assert.throws(() => new Xoshiro128StarStar(1, 2 ** 32, 0, 1), /s1 .* got 4294967296/);
    assert.throws(() => new Xoshiro128StarStar(1, 0, 0.5, 1), /s2 .* got 0.5/);
    assert.throws(() => new Xoshiro128StarStar(1, 0, 0, Number.NaN), /s3 .* got NaN/);
  });
});
