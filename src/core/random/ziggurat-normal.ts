import type { Xoshiro128StarStar } from './xoshiro128.js';

/*
 * Ziggurat sampler for N(0, 1) (G. Marsaglia and W. W. Tsang, "The ziggurat method for
 * generating random variables", J. Stat. Softw. 5(8), 2000), with 256 layers of equal area v
 * under f(x) = exp(−x²/2) on x ≥ 0.
 *
 * Layer edges X[1] = r > X[2] > … > X[255] > X[256] = 0 satisfy the closed-form recursion
 *   X[i]·(f(X[i+1]) − f(X[i])) = v,   i.e.   X[i+1] = √(−2·ln(v/X[i] + f(X[i]))),
 * where v = r·f(r) + ∫_r^∞ f is the area of the base layer (rectangle [0, r] × [0, f(r)] plus
 * the tail). Layer 0 is the base, drawn as a box of virtual width X[0] = v/f(r). The constant r
 * is the root of "the recursion ends exactly at f(X[256]) = 1"; it is found by bisection when
 * this module loads (r ≈ 3.6541528853610088, as published), so every table entry follows from
 * the closed form and nothing is a hand-copied magic number.
 *
 * Bits: each attempt uses one 32-bit output a. The layer index is its low 8 bits, the sign is
 * bit 8, and the magnitude fraction u ∈ [0, 1) is the top 23 bits. Layer, sign and value never
 * share bits; the original algorithm took the layer index from the same bits as the value,
 * which Doornik (2005) showed to fail χ² tests. 23 bits resolve a layer to 1.2e-7 of its width,
 * far below anything a Monte Carlo of 10⁸ draws can see, and one output per draw instead of two
 * makes the sampler about 25 % faster (measured by `npm run bench`), which matters because
 * drawing the taps is over a third of the cost of a frame-bounds run.
 */

const LAYERS = 256;
const TWO_POW_M53 = 2 ** -53;
const TWO_POW_M23 = 2 ** -23;

function density(x: number): number {
  return Math.exp(-0.5 * x * x);
}

/**
 * ∫_x^∞ exp(−t²/2) dt for x ≳ 2, as f(x) times the Mills ratio, evaluated by its continued
 * fraction 1/(x + 1/(x + 2/(x + 3/(x + …)))) from depth 400 backwards (converged to an ulp
 * for x ≥ 3, where the ziggurat's r lies).
 */
function upperTailArea(x: number): number {
  let t = x;
  for (let k = 400; k >= 1; k--) t = x + k / t;
  return density(x) / t;
}

/**
 * Runs the recursion from X[1] = r; returns the residual v/X[255] + f(X[255]) − 1 of the
 * closing condition f(X[256]) = 1 (positive: r too small; negative: r too large), filling
 * `edges` as it goes.
 */
function closingResidual(r: number, edges: Float64Array): number {
  const v = r * density(r) + upperTailArea(r);
  edges[0] = v / density(r);
  edges[1] = r;
  let x = r;
  for (let i = 1; i < LAYERS - 1; i++) {
    const top = v / x + density(x);
    if (top >= 1) return 1; // the layers reach the peak too early: r is too small
    x = Math.sqrt(-2 * Math.log(top));
    edges[i + 1] = x;
  }
  return v / x + density(x) - 1;
}

/** Layer edges X[0..256] (X[0] is the base's virtual width, X[256] = 0). */
const X = new Float64Array(LAYERS + 1);
/** f(X[i]), with F[0] = 0 (unused) and F[256] = 1. */
const F = new Float64Array(LAYERS + 1);
/** Fast-accept ratio X[i+1]/X[i]: for u below it the point is inside the region under f. */
const K = new Float64Array(LAYERS);

/** The tail start r (exported for tests). */
export const ZIGGURAT_R: number = (() => {
  let lo = 3;
  let hi = 4.5;
  for (let iteration = 0; iteration < 200 && hi - lo > 0; iteration++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (closingResidual(mid, X) > 0) lo = mid;
    else hi = mid;
  }
  const r = hi;
  closingResidual(r, X);
  X[LAYERS] = 0;
  F[0] = 0;
  for (let i = 1; i < LAYERS; i++) F[i] = density(X[i]!);
  F[LAYERS] = 1;
  for (let i = 0; i < LAYERS; i++) K[i] = X[i + 1]! / X[i]!;
  return r;
})();

const R = ZIGGURAT_R;

/**
 * Copies of the layer edges X[0..256] and densities F[0..256], for the WebAssembly sampler
 * (src/core/wasm), which must use these very doubles to draw the same normals bit for bit.
 */
export function zigguratTables(): { edges: Float64Array; densities: Float64Array } {
  return { edges: X.slice(), densities: F.slice() };
}

/**
 * Integer forms of the fast path, for {@link fillScaledStandardNormal}: for the 23-bit value m,
 * u = m·2^-23 < K[i] ⟺ m < KI[i] = ⌈K[i]·2^23⌉ (K[i]·2^23 is exact), and u·X[i] = m·XS[i] with
 * XS[i] = X[i]·2^-23 (an exact power-of-two scaling, so both products round to the same double).
 */
const KI = Int32Array.from(K, (k) => Math.ceil(k * 2 ** 23));
const XS = Float64Array.from(X, (x) => x * TWO_POW_M23);
const INV_R = 1 / R;

/** Marsaglia's (1964) exact sampler for the tail |Z| > r: returns a magnitude ≥ r. */
function tailMagnitude(rng: Xoshiro128StarStar): number {
  for (;;) {
    const x = -Math.log(rng.nextFloat64Open()) * INV_R;
    const y = -Math.log(rng.nextFloat64Open());
    if (2 * y >= x * x) return R + x;
  }
}

/**
 * The rare path (about 1 draw in 100): the first attempt (layer `i`, magnitude fraction `u`)
 * missed the fast test, so try the tail or the wedge, and on rejection start over.
 */
function slowPath(rng: Xoshiro128StarStar, i: number, u: number, negative: boolean): number {
  for (;;) {
    let x: number;
    if (i === 0) {
      x = tailMagnitude(rng);
    } else {
      x = u * X[i]!;
      const y = F[i]! + rng.nextFloat64() * (F[i + 1]! - F[i]!);
      if (y >= density(x)) x = Number.NaN;
    }
    if (x === x) return negative ? -x : x;
    // Rejected: a fresh attempt with new, independent bits.
    const a = rng.nextUint32();
    i = a & 0xff;
    negative = (a & 0x100) !== 0;
    u = (a >>> 9) * TWO_POW_M23;
    if (u < K[i]!) {
      const fast = u * X[i]!;
      return negative ? -fast : fast;
    }
  }
}

/**
 * One draw from the standard normal N(0, 1) by the 256-layer ziggurat (see the module comment;
 * the filter taps of docs/theory.md §1 and §8 are σ times these). For many draws use
 * {@link fillStandardNormal}, which is several times faster.
 */
export function standardNormal(rng: Xoshiro128StarStar): number {
  const a = rng.nextUint32();
  const i = a & 0xff;
  const u = (a >>> 9) * TWO_POW_M23;
  if (u < K[i]!) return (1 - ((a >>> 7) & 2)) * u * X[i]!;
  return slowPath(rng, i, u, (a & 0x100) !== 0);
}

function checkRange(fn: string, out: Float64Array, start: number, end: number): void {
  if (!Number.isInteger(start) || start < 0 || start > out.length) {
    throw new RangeError(`${fn}: start must be an integer in [0, ${out.length}], got ${start}`);
  }
  if (!Number.isInteger(end) || end < start || end > out.length) {
    throw new RangeError(`${fn}: end must be an integer in [${start}, ${out.length}], got ${end}`);
  }
}

/**
 * Fills `out[start..end)` with independent N(0, 1) draws. This is the hot path (tens of millions
 * of taps per run), so it works in two passes over the same stream: the first takes one 32-bit
 * output per value with the xoshiro128** step inlined on locals and accepts ~98.5 % of them; the
 * rest (layer edges and the tail) are then redrawn, in index order, by the scalar slow path.
 * Calling the slow path from inside the first pass cost a third of the run time (measured by
 * `npm run bench`). The values are a fixed function of the generator's state, so a fill is as
 * reproducible as before; they equal repeated {@link standardNormal} calls only where no value
 * needed the slow path (a fill of length 1 always equals one call).
 *
 * @throws RangeError if `start`/`end` are not integers with 0 ≤ start ≤ end ≤ out.length.
 */
export function fillStandardNormal(
  rng: Xoshiro128StarStar,
  out: Float64Array,
  start = 0,
  end: number = out.length,
): void {
  checkRange('fillStandardNormal', out, start, end);
  fillScaled(rng, out, start, end, 1);
}

/**
 * Fills `out[start..end)` with `scale`·Z for the same Z as {@link fillStandardNormal}, to within
 * an ulp: the fast path multiplies by a per-layer factor that already includes `scale`.
 *
 * @throws RangeError if `start`/`end` are not integers with 0 ≤ start ≤ end ≤ out.length, or
 *   `scale` is not finite.
 */
export function fillScaledStandardNormal(
  rng: Xoshiro128StarStar,
  out: Float64Array,
  scale: number,
  start = 0,
  end: number = out.length,
): void {
  checkRange('fillScaledStandardNormal', out, start, end);
  if (!Number.isFinite(scale))
    throw new RangeError(`fillScaledStandardNormal: scale must be finite, got ${scale}`);
  fillScaled(rng, out, start, end, scale);
}

/** The shared loop (x·1 is x exactly, so scale = 1 is the plain fill). */
function fillScaled(
  rng: Xoshiro128StarStar,
  out: Float64Array,
  start: number,
  end: number,
  scale: number,
): void {
  let s0 = rng.s0;
  let s1 = rng.s1;
  let s2 = rng.s2;
  let s3 = rng.s3;
  let deferred = 0;
  if (scale !== signedScale) {
    // ±X[i]·2^-23·scale per (layer, sign): the fast path is then one compare and one multiply.
    for (let q = 0; q < 512; q++) XS_SIGNED[q] = (q & 0x100 ? -1 : 1) * XS[q & 0xff]! * scale;
    signedScale = scale;
  }
  for (let j = start; j < end; j++) {
    // xoshiro128** step → a (same operations as Xoshiro128StarStar.nextUint32).
    const m = Math.imul(s1, 5);
    const a = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    // Low 9 bits: layer (8) and sign (1), one index into tables that fold both in.
    const i = a & 0x1ff;
    const v = a >>> 9;
    if (v < KI_SIGNED[i]!) {
      out[j] = v * XS_SIGNED[i]!;
    } else {
      // Remember the index and the draw; the slow path runs after this pass.
      if (2 * deferred + 2 > pendingDraws.length) pendingDraws = growInt32(pendingDraws);
      pendingDraws[2 * deferred] = j;
      pendingDraws[2 * deferred + 1] = a;
      deferred++;
    }
  }
  rng.s0 = s0;
  rng.s1 = s1;
  rng.s2 = s2;
  rng.s3 = s3;
  for (let k = 0; k < deferred; k++) {
    const a = pendingDraws[2 * k + 1]!;
    out[pendingDraws[2 * k]!] = slowPath(rng, a & 0xff, (a >>> 9) * TWO_POW_M23, (a & 0x100) !== 0) * scale;
  }
}

/** KI by (sign, layer) = the low 9 bits of a draw; the sign does not change the threshold. */
const KI_SIGNED = Int32Array.from({ length: 512 }, (_, q) => KI[q & 0xff]!);
/** Fast-path factors by (sign, layer) for the last `scale` used (per thread: module state). */
const XS_SIGNED = new Float64Array(512);
let signedScale = Number.NaN;

/** (index, draw) pairs of the values the first pass left to the slow path; grown on demand. */
let pendingDraws: Int32Array = new Int32Array(256);

function growInt32(a: Int32Array): Int32Array {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}

/**
 * Fills `out[start..end)` with independent U(low, high) draws, `low + (high − low)·U` with U the
 * 53-bit uniform of {@link Xoshiro128StarStar.nextFloat64} (same values as calling it in order).
 * Used for the `pytorch-default` scheme U(−1/√T, 1/√T) of docs/theory.md §8.
 *
 * @throws RangeError if `low`/`high` are not finite with low ≤ high, or the range is invalid.
 */
export function fillUniform(
  rng: Xoshiro128StarStar,
  out: Float64Array,
  low: number,
  high: number,
  start = 0,
  end: number = out.length,
): void {
  if (!Number.isFinite(low) || !Number.isFinite(high) || !(low <= high)) {
    throw new RangeError(`fillUniform: need finite low ≤ high, got low = ${low}, high = ${high}`);
  }
  checkRange('fillUniform', out, start, end);
  const width = high - low;
  let s0 = rng.s0;
  let s1 = rng.s1;
  let s2 = rng.s2;
  let s3 = rng.s3;
  for (let j = start; j < end; j++) {
    let m = Math.imul(s1, 5);
    const a = Math.imul((m << 7) | (m >>> 25), 9);
    let t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    m = Math.imul(s1, 5);
    const b = Math.imul((m << 7) | (m >>> 25), 9);
    t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    // Top 27 bits of a and top 26 of b, exactly as nextFloat64.
    out[j] = low + width * ((a >>> 5) * 67108864 + (b >>> 6)) * TWO_POW_M53;
  }
  rng.s0 = s0;
  rng.s1 = s1;
  rng.s2 = s2;
  rng.s3 = s3;
}
