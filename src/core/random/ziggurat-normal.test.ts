import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createStream } from './stream-seed.js';
import { Xoshiro128StarStar } from './xoshiro128.js';
import { ZIGGURAT_R, fillStandardNormal, fillUniform, standardNormal } from './ziggurat-normal.js';

// All statistical tests use fixed seeds, so they are deterministic. Bands of 4 standard errors
// would be crossed by chance with probability ≈ 6e-5 per check for a random seed; a real bias
// of the size of the band or larger fails.

const LOG_SQRT_2PI = 0.9189385332046727; // ln √(2π)

/**
 * Standard normal CDF Φ, written here as an independent reference. |x| ≤ 3: Marsaglia's (2004)
 * series Φ(x) = 1/2 + φ(x)·(x + x³/3 + x⁵/(3·5) + …), all terms of one sign, absolute error
 * ~1e-16. |x| > 3: the tail φ(x)·Mills(|x|) with the continued fraction
 * 1/(a + 1/(a + 2/(a + 3/(a + …)))), relative error < 1e-12 (checked against stdlib's erfc
 * during development).
 */
function normalCdf(x: number): number {
  if (x < -3 || x > 3) {
    const a = Math.abs(x);
    let t = a;
    for (let k = 300; k >= 1; k--) t = a + k / t;
    const tail = Math.exp(-0.5 * a * a - LOG_SQRT_2PI) / t;
    return x < 0 ? tail : 1 - tail;
  }
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 3; sum + term !== sum; k += 2) {
    term *= x2 / k;
    sum += term;
  }
  return 0.5 + sum * Math.exp(-0.5 * x2 - LOG_SQRT_2PI);
}

/** Wilson–Hilferty approximation to the upper χ² quantile (accurate to <1% for df ≥ 30). */
function chiSquareCritical(df: number, z: number): number {
  const c = 2 / (9 * df);
  return df * (1 - c + z * Math.sqrt(c)) ** 3;
}

function draws(n: number, ...keys: number[]): Float64Array {
  const out = new Float64Array(n);
  fillStandardNormal(createStream(20240101, ...keys), out);
  return out;
}

describe('normal CDF used as the test reference', () => {
  it('matches known values', () => {
    assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-16);
    assert.ok(Math.abs(normalCdf(1) - 0.8413447460685429) < 1e-15);
    assert.ok(Math.abs(normalCdf(-1.96) - 0.024997895148220435) < 1e-15);
    assert.ok(Math.abs(normalCdf(-3) / 0.0013498980316300946 - 1) < 1e-12);
    assert.ok(Math.abs(normalCdf(-4) / 3.167124183311998e-5 - 1) < 1e-12);
    assert.ok(Math.abs(normalCdf(-3.0000001) - normalCdf(-2.9999999)) < 1e-9); // continuous at the switch
  });
});

describe('ziggurat standard normal', () => {
  it('solves for the published tail start r = 3.6541528853610088 (256 layers)', () => {
    assert.ok(Math.abs(ZIGGURAT_R - 3.6541528853610088) < 1e-12, `r = ${ZIGGURAT_R}`);
  });

  it('fillStandardNormal: reproducible values and generator state; one value equals standardNormal', () => {
    const a = createStream(1, 2, 3);
    const b = createStream(1, 2, 3);
    const outA = new Float64Array(100_000); // long enough to pass through many slow paths
    const outB = new Float64Array(100_000);
    fillStandardNormal(a, outA);
    fillStandardNormal(b, outB);
    assert.deepEqual(outA, outB);
    assert.equal(a.nextUint32(), b.nextUint32());
    // The fast pass takes one output per value; where it accepted, the value is standardNormal's
    // for that same output, so fills of length 1 match the scalar sampler exactly.
    const c = createStream(4, 5);
    const d = createStream(4, 5);
    const one = new Float64Array(1);
    for (let i = 0; i < 20_000; i++) {
      fillStandardNormal(c, one);
      assert.equal(one[0], standardNormal(d));
    }
    assert.equal(c.nextUint32(), d.nextUint32());
  });

  it('is deterministic per (seed, keys) and changes with the keys', () => {
    assert.deepEqual(draws(1000, 1, 2), draws(1000, 1, 2));
    assert.notDeepEqual(draws(1000, 1, 2), draws(1000, 1, 3));
  });

  it('fills only [start, end)', () => {
    const out = new Float64Array(10).fill(7);
    fillStandardNormal(createStream(3), out, 2, 5);
    assert.deepEqual(Array.from(out.subarray(0, 2)), [7, 7]);
    assert.deepEqual(Array.from(out.subarray(5)), [7, 7, 7, 7, 7]);
    for (let i = 2; i < 5; i++) assert.notEqual(out[i], 7);
    assert.throws(() => fillStandardNormal(createStream(3), out, 5, 4), /end .* got 4/);
    assert.throws(() => fillStandardNormal(createStream(3), out, -1), /start .* got -1/);
    assert.throws(() => fillStandardNormal(createStream(3), out, 0, 11), /end .* got 11/);
    assert.throws(() => fillStandardNormal(createStream(3), out, 1.5), /start .* got 1.5/);
  });

  it('has mean 0, variance 1, skewness 0 and excess kurtosis 0 (n = 10^6, within 4 SE)', () => {
    // Standard errors for n normal draws: mean 1/√n, variance √(2/n), skewness √(6/n),
    // excess kurtosis √(24/n) (asymptotic; at n = 10^6 exact enough).
    const n = 1_000_000;
    const x = draws(n, 1);
    let s1 = 0;
    for (const v of x) s1 += v;
    const mean = s1 / n;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    for (const v of x) {
      const d = v - mean;
      const d2 = d * d;
      m2 += d2;
      m3 += d2 * d;
      m4 += d2 * d2;
    }
    m2 /= n;
    m3 /= n;
    m4 /= n;
    const skewness = m3 / m2 ** 1.5;
    const kurtosis = m4 / (m2 * m2) - 3;
    assert.ok(Math.abs(mean) < 4 / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(m2 - 1) < 4 * Math.sqrt(2 / n), `variance ${m2}`);
    assert.ok(Math.abs(skewness) < 4 * Math.sqrt(6 / n), `skewness ${skewness}`);
    assert.ok(Math.abs(kurtosis) < 4 * Math.sqrt(24 / n), `excess kurtosis ${kurtosis}`);
  });

  it('passes a Kolmogorov–Smirnov test against Φ (n = 200000, α = 0.001)', () => {
    // Asymptotic critical value: √n·D > √(−ln(α/2)/2) = 1.9495 rejects at α = 0.001.
    const n = 200_000;
    const x = draws(n, 2).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = normalCdf(x[i]!);
      d = Math.max(d, (i + 1) / n - f, f - i / n);
    }
    const critical = Math.sqrt(-Math.log(0.001 / 2) / 2) / Math.sqrt(n);
    assert.ok(d < critical, `D = ${d}, critical ${critical}`);
  });

  it('passes a χ² test on 82 bins of width 0.1 over [−4, 4] plus both tails (n = 10^6, α = 0.001)', () => {
    // Finer than KS in the body: a wrong wedge or layer edge would show as a bump of ≳ 1% in
    // a few bins. Expected counts are ≥ 31 in every bin, so the χ² approximation holds.
    const n = 1_000_000;
    const x = draws(n, 3);
    const inner = 80;
    const counts = new Array<number>(inner + 2).fill(0);
    for (const v of x) {
      const bin = v < -4 ? 0 : v >= 4 ? inner + 1 : 1 + Math.min(inner - 1, Math.floor((v + 4) * 10));
      counts[bin]!++;
    }
    let chi2 = 0;
    for (let b = 0; b < inner + 2; b++) {
      const lo = b === 0 ? Number.NEGATIVE_INFINITY : -4 + (b - 1) / 10;
      const hi = b === inner + 1 ? Number.POSITIVE_INFINITY : -4 + b / 10;
      const p = (hi === Infinity ? 1 : normalCdf(hi)) - (lo === -Infinity ? 0 : normalCdf(lo));
      chi2 += (counts[b]! - n * p) ** 2 / (n * p);
    }
    const critical = chiSquareCritical(inner + 1, 3.0902); // z of the 0.999 quantile
    assert.ok(chi2 < critical, `chi2 = ${chi2}, critical ${critical}`);
  });

  it('has the right tail frequencies beyond ±3 and ±4, each side (n = 10^7, within 4 SE)', () => {
    // 10^7 draws rather than 10^6: |Z| > 4 then has ~317 expected draws per side (SE ≈ 18),
    // enough to resolve a 25% error in the tail sampler (which takes over beyond r ≈ 3.654).
    const n = 10_000_000;
    const rng = createStream(20240101, 4);
    const buffer = new Float64Array(1 << 16);
    let above3 = 0;
    let below3 = 0;
    let above4 = 0;
    let below4 = 0;
    const beyondR: number[] = [];
    for (let done = 0; done < n; done += buffer.length) {
      fillStandardNormal(rng, buffer);
      for (const v of buffer) {
        if (Math.abs(v) > ZIGGURAT_R) beyondR.push(Math.abs(v));
        if (v > 3) {
          above3++;
          if (v > 4) above4++;
        } else if (v < -3) {
          below3++;
          if (v < -4) below4++;
        }
      }
    }
    const total = Math.ceil(n / buffer.length) * buffer.length;
    for (const [count, threshold] of [
      [above3, 3],
      [below3, 3],
      [above4, 4],
      [below4, 4],
    ] as const) {
      const p = normalCdf(-threshold);
      const se = Math.sqrt(total * p * (1 - p));
      assert.ok(
        Math.abs(count - total * p) < 4 * se,
        `beyond ${threshold}: ${count} vs ${total * p} ± ${se}`,
      );
    }

    // The draws beyond r come from Marsaglia's tail sampler; check their conditional law, which
    // the counts above barely resolve (an exponential tail without the rejection step changes
    // the ±4 counts by only ~15%). Given |Z| > r: E|Z| = λ = φ(r)/Q(r) and
    // Var|Z| = 1 + rλ − λ²; the mean must be within 4 SE, and a KS test against
    // 1 − Q(z)/Q(r) must pass at α = 0.001 (~2600 draws here).
    const r = ZIGGURAT_R;
    const qr = normalCdf(-r);
    const lambda = Math.exp(-0.5 * r * r - LOG_SQRT_2PI) / qr;
    const m = beyondR.length;
    const sampleMean = beyondR.reduce((acc, v) => acc + v, 0) / m;
    const se = Math.sqrt((1 + r * lambda - lambda * lambda) / m);
    assert.ok(Math.abs(sampleMean - lambda) < 4 * se, `tail mean ${sampleMean} vs ${lambda} ± ${se}`);
    beyondR.sort((p, q) => p - q);
    let d = 0;
    for (let i = 0; i < m; i++) {
      const f = 1 - normalCdf(-beyondR[i]!) / qr;
      d = Math.max(d, (i + 1) / m - f, f - i / m);
    }
    assert.ok(d < Math.sqrt(-Math.log(0.001 / 2) / 2) / Math.sqrt(m), `tail KS D = ${d} (m = ${m})`);
  });

  it('standardNormal works on a plain generator too', () => {
    const rng = new Xoshiro128StarStar(1, 2, 3, 4);
    for (let i = 0; i < 1000; i++) assert.ok(Number.isFinite(standardNormal(rng)));
  });
});

describe('fillUniform', () => {
  it('gives low + (high − low)·nextFloat64, in order, within [low, high)', () => {
    const a = createStream(8, 1);
    const b = createStream(8, 1);
    const out = new Float64Array(10_000);
    fillUniform(a, out, -0.25, 0.75);
    for (const v of out) {
      assert.equal(v, -0.25 + 1 * b.nextFloat64());
      assert.ok(v >= -0.25 && v < 0.75);
    }
    assert.equal(a.nextUint32(), b.nextUint32());
  });

  it('has the moments of U(−b, b): mean 0, variance b²/3 (n = 10^6, within 4 SE)', () => {
    // docs/theory.md §3/§8: the pytorch-default law U(−1/√T, 1/√T). SE of the mean = √(b²/3/n);
    // SE of the sample variance = √((m4 − σ⁴)/n) with m4 = b⁴/5 and σ² = b²/3.
    const n = 1_000_000;
    const half = 1 / Math.sqrt(64);
    const out = new Float64Array(n);
    fillUniform(createStream(9), out, -half, half);
    let s = 0;
    let ss = 0;
    for (const v of out) {
      s += v;
      ss += v * v;
    }
    const variance = half ** 2 / 3;
    assert.ok(Math.abs(s / n) < 4 * Math.sqrt(variance / n));
    assert.ok(Math.abs(ss / n - variance) < 4 * Math.sqrt((half ** 4 / 5 - variance ** 2) / n));
  });

  it('rejects bad bounds and ranges', () => {
    const out = new Float64Array(4);
    assert.throws(() => fillUniform(createStream(1), out, 1, 0), /low = 1, high = 0/);
    assert.throws(() => fillUniform(createStream(1), out, Number.NaN, 1), /low = NaN/);
    assert.throws(() => fillUniform(createStream(1), out, 0, Number.POSITIVE_INFINITY), /high = Infinity/);
    assert.throws(() => fillUniform(createStream(1), out, 0, 1, 0, 5), /end .* got 5/);
    out.fill(3);
    fillUniform(createStream(1), out, 2, 2);
    assert.deepEqual(Array.from(out), [2, 2, 2, 2]);
  });
});
