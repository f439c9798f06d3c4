import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStream } from './stream-seed.js';
import type { Xoshiro128StarStar } from './xoshiro128.js';

function take(rng: Xoshiro128StarStar, count: number): number[] {
  return Array.from({ length: count }, () => rng.nextUint32());
}

function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) c++;
  return c;
}

describe('createStream', () => {
  it('is deterministic: the same (seed, keys) gives the same sequence', () => {
    assert.deepEqual(
      take(createStream(42, 1, 40, 1024, 7), 100),
      take(createStream(42, 1, 40, 1024, 7), 100),
    );
    assert.deepEqual(take(createStream(0), 10), take(createStream(0), 10));
  });

  it('gives different sequences when the seed, any key, the key order or the key count changes', () => {
    const base = take(createStream(42, 1, 40, 1024, 7), 4).join();
    const variants = [
      createStream(43, 1, 40, 1024, 7),
      createStream(42, 2, 40, 1024, 7),
      createStream(42, 1, 41, 1024, 7),
      createStream(42, 1, 40, 1023, 7),
      createStream(42, 1, 40, 1024, 8),
      createStream(42, 40, 1, 1024, 7),
      createStream(42, 1, 40, 1024, 7, 0),
      createStream(42, 1, 40, 1024),
    ];
    const seen = new Set([base]);
    for (const rng of variants) seen.add(take(rng, 4).join());
    assert.equal(seen.size, variants.length + 1);
    // (s) and (s, 0): a trailing zero key still changes the stream (the hash includes the length).
    assert.notDeepEqual(take(createStream(5), 4), take(createStream(5, 0), 4));
  });

  it('avalanches: changing the trial key by one flips about half of the 128 state bits', () => {
    // For a good mix each state bit flips with probability 1/2, so the number of flipped bits
    // is Binomial(128, 1/2) per pair: mean 64, SD √32 ≈ 5.66. Over 10^4 pairs the mean of the
    // flip counts has SE 0.057; require |mean − 64| < 4·SE, and every pair to flip 25..103 bits
    // (a ±6.9 SD band: a weak mix would show pairs with only a few bits flipped).
    const pairs = 10_000;
    let total = 0;
    for (let trial = 0; trial < pairs; trial++) {
      const a = createStream(2024, 3, 10, 64, trial);
      const b = createStream(2024, 3, 10, 64, trial + 1);
      const flips =
        popcount(a.s0 ^ b.s0) + popcount(a.s1 ^ b.s1) + popcount(a.s2 ^ b.s2) + popcount(a.s3 ^ b.s3);
      assert.ok(flips >= 25 && flips <= 103, `trial ${trial}: ${flips} bits flipped`);
      total += flips;
    }
    const mean = total / pairs;
    assert.ok(Math.abs(mean - 64) < 4 * Math.sqrt(32 / pairs), `mean flips ${mean}`);
  });

  it('first outputs across consecutive trials are uniform and their bits balanced', () => {
    // 2^16 streams keyed by consecutive trials; take each stream's first 32-bit output.
    // Each bit is set with probability 1/2: count within 4·√(n/4) of n/2.
    // 64 equal bins of the value: χ² with 63 df; the α = 0.001 critical value is 103.4.
    const n = 65_536;
    const bitCounts = new Array<number>(32).fill(0);
    const bins = new Array<number>(64).fill(0);
    for (let trial = 0; trial < n; trial++) {
      const x = createStream(7, 0, 40, 1024, trial).nextUint32();
      for (let bit = 0; bit < 32; bit++) bitCounts[bit]! += (x >>> bit) & 1;
      bins[x >>> 26]!++;
    }
    for (let bit = 0; bit < 32; bit++) {
      assert.ok(Math.abs(bitCounts[bit]! - n / 2) < 4 * Math.sqrt(n / 4), `bit ${bit}: ${bitCounts[bit]}`);
    }
    const expected = n / 64;
    const chi2 = bins.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    assert.ok(chi2 < 103.4, `chi2 ${chi2}`);
  });

  it('adjacent streams are uncorrelated (Pearson r within 4/√n over 10^5 draws)', () => {
    // Under independence the sample correlation of n pairs has SD ≈ 1/√n.
    const n = 100_000;
    for (const [keysA, keysB] of [
      [
        [1, 10, 8, 0],
        [1, 10, 8, 1],
      ],
      [
        [1, 10, 8, 0],
        [1, 10, 16, 0],
      ],
      [
        [1, 10, 8, 0],
        [2, 10, 8, 0],
      ],
    ] as const) {
      const a = createStream(99, ...keysA);
      const b = createStream(99, ...keysB);
      let sa = 0;
      let sb = 0;
      let saa = 0;
      let sbb = 0;
      let sab = 0;
      for (let i = 0; i < n; i++) {
        const x = a.nextFloat64();
        const y = b.nextFloat64();
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
      }
      const cov = sab / n - (sa / n) * (sb / n);
      const r = cov / Math.sqrt((saa / n - (sa / n) ** 2) * (sbb / n - (sb / n) ** 2));
      assert.ok(Math.abs(r) < 4 / Math.sqrt(n), `keys ${keysA.join()} vs ${keysB.join()}: r = ${r}`);
    }
  });

  it('rejects a seed or key outside [0, 2^32) or not an integer, naming it', () => {
    assert.throws(() => createStream(-1), /seed .* got -1/);
    assert.throws(() => createStream(2 ** 32), /seed .* got 4294967296/);
    assert.throws(() => createStream(1.5), /seed .* got 1.5/);
    assert.throws(() => createStream(1, 2, -3), /key 1 .* got -3/);
    assert.throws(() => createStream(1, Number.NaN), /key 0 .* got NaN/);
    assert.doesNotThrow(() => createStream(0xffffffff, 0xffffffff, 0));
  });
});
