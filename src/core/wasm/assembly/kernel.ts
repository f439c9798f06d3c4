// The Monte Carlo hot loop in WebAssembly (AssemblyScript, compiled by scripts/build-wasm.mjs):
// xoshiro128** and the ziggurat (bit-identical to src/core/random), power-of-two complex FFTs
// on f64x2 SIMD, and the per-trial routes of the frame-bounds and energy kernels
// (docs/theory.md §12). Buffers are raw pointers into this module's memory; the JS side
// (wasm-kernel.ts) allocates them once per kernel and reuses them for every trial.

// The strided route's per-frequency eigen-extremes (docs/theory.md §6.4), in their own file.
import { extremes2, extremesHermitian, extremeHigh, extremeLow } from './strided';

// V8's Math.log and Math.exp, so the ziggurat's rare paths round exactly as the JS sampler does.
@external('env', 'log')
declare function hostLog(x: f64): f64;
@external('env', 'exp')
declare function hostExp(x: f64): f64;

const TWO_POW_M52: f64 = 2.220446049250313e-16;
const TWO_POW_M53: f64 = 1.1102230246251565e-16;
const TWO_POW_M23: f64 = 1.1920928955078125e-7;
const TWO_POW_23: f64 = 8388608.0;

/** Allocates `bytes` bytes, 16-byte aligned (TLSF's alignment), for the JS side's buffers. */
export function reserve(bytes: i32): usize {
  return heap.alloc(<usize>max(bytes, 16));
}

/** Frees a block from {@link reserve}. */
export function release(ptr: usize): void {
  heap.free(ptr);
}

// ---------------------------------------------------------------------------------------------
// xoshiro128** (src/core/random/xoshiro128.ts): state in globals, int32 words.

let s0: i32 = 0;
let s1: i32 = 0;
let s2: i32 = 0;
let s3: i32 = 0;

export function setState(a: i32, b: i32, c: i32, d: i32): void {
  s0 = a;
  s1 = b;
  s2 = c;
  s3 = d;
}

export function getState(word: i32): i32 {
  return word == 0 ? s0 : word == 1 ? s1 : word == 2 ? s2 : s3;
}

@inline
function nextUint32(): u32 {
  const m = s1 * 5;
  const result = <u32>(rotl<i32>(m, 7) * 9);
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<i32>(s3, 11);
  return result;
}

@inline
function nextFloat64(): f64 {
  const a = nextUint32() >>> 5;
  const b = nextUint32() >>> 6;
  return (<f64>a * 67108864.0 + <f64>b) * TWO_POW_M53;
}

@inline
function nextFloat64Open(): f64 {
  const a = nextUint32() >>> 6;
  const b = nextUint32() >>> 6;
  return (<f64>a * 67108864.0 + <f64>b + 0.5) * TWO_POW_M52;
}

// ---------------------------------------------------------------------------------------------
// Ziggurat (src/core/random/ziggurat-normal.ts). The JS side hands over the layer edges X and
// densities F it computed, so both samplers use the very same doubles.

/** X[0..256], F[0..256], K[0..255] (f64), then KI_SIGNED[512] (i32), XS_SIGNED[512] (f64). */
let tableX: usize = 0;
let tableF: usize = 0;
let tableK: usize = 0;
let tableKI: usize = 0;
let tableXSS: usize = 0;
let signedScale: f64 = NaN;
let zigR: f64 = 0;
let zigInvR: f64 = 0;
/** (index, draw) pairs the fast pass leaves to the slow path; grown on demand. */
let pending: usize = 0;
let pendingCapacity: i32 = 0;

/** Pointer to 257 f64 for X, then 257 for F: the JS side writes them, then calls initZiggurat. */
export function zigguratTables(): usize {
  if (tableX == 0) {
    tableX = reserve(257 * 8);
    tableF = reserve(257 * 8);
    tableK = reserve(256 * 8);
    tableKI = reserve(512 * 4);
    tableXSS = reserve(512 * 8);
  }
  return tableX;
}

export function zigguratDensities(): usize {
  zigguratTables();
  return tableF;
}

export function initZiggurat(): void {
  for (let i = 0; i < 256; i++) {
    const k = load<f64>(tableX + ((i + 1) << 3)) / load<f64>(tableX + (i << 3));
    store<f64>(tableK + (i << 3), k);
  }
  for (let q = 0; q < 512; q++) {
    store<i32>(tableKI + (q << 2), <i32>Math.ceil(load<f64>(tableK + ((q & 0xff) << 3)) * TWO_POW_23));
  }
  zigR = load<f64>(tableX + 8);
  zigInvR = 1.0 / zigR;
  signedScale = NaN;
}

@inline
function density(x: f64): f64 {
  return hostExp(-0.5 * x * x);
}

function tailMagnitude(): f64 {
  let x: f64;
  let y: f64;
  do {
    x = -hostLog(nextFloat64Open()) * zigInvR;
    y = -hostLog(nextFloat64Open());
  } while (!(2 * y >= x * x));
  return zigR + x;
}

function slowPath(i: i32, u: f64, negative: bool): f64 {
  while (true) {
    let x: f64;
    if (i == 0) {
      x = tailMagnitude();
    } else {
      x = u * load<f64>(tableX + (i << 3));
      const fi = load<f64>(tableF + (i << 3));
      const y = fi + nextFloat64() * (load<f64>(tableF + ((i + 1) << 3)) - fi);
      if (y >= density(x)) x = NaN;
    }
    if (x == x) return negative ? -x : x;
    const a = nextUint32();
    i = <i32>(a & 0xff);
    negative = (a & 0x100) != 0;
    u = <f64>(a >>> 9) * TWO_POW_M23;
    if (u < load<f64>(tableK + (i << 3))) {
      const fast = u * load<f64>(tableX + (i << 3));
      return negative ? -fast : fast;
    }
  }
  return NaN; // unreachable: the loop returns
}

/** out[0..count) = scale·Z, the doubles fillScaledStandardNormal writes for the same state. */
export function fillNormal(out: usize, count: i32, scale: f64): void {
  if (scale != signedScale) {
    for (let q = 0; q < 512; q++) {
      const sign: f64 = q & 0x100 ? -1.0 : 1.0;
      const xs = load<f64>(tableX + ((q & 0xff) << 3)) * TWO_POW_M23;
      store<f64>(tableXSS + (q << 3), sign * xs * scale);
    }
    signedScale = scale;
  }
  if (pendingCapacity < count) {
    if (pending != 0) heap.free(pending);
    pending = heap.alloc(<usize>count * 8);
    pendingCapacity = count;
  }
  let a0 = s0;
  let a1 = s1;
  let a2 = s2;
  let a3 = s3;
  let deferred = 0;
  const ki = tableKI;
  const xss = tableXSS;
  for (let j = 0; j < count; j++) {
    const m = a1 * 5;
    const a = rotl<i32>(m, 7) * 9;
    const t = a1 << 9;
    a2 ^= a0;
    a3 ^= a1;
    a1 ^= a2;
    a0 ^= a3;
    a2 ^= t;
    a3 = rotl<i32>(a3, 11);
    const i = a & 0x1ff;
    const v = <i32>(<u32>a >>> 9);
    if (v < load<i32>(ki + (i << 2))) {
      store<f64>(out + (<usize>j << 3), <f64>v * load<f64>(xss + (i << 3)));
    } else {
      store<i32>(pending + (<usize>deferred << 3), j);
      store<i32>(pending + (<usize>deferred << 3) + 4, a);
      deferred++;
    }
  }
  s0 = a0;
  s1 = a1;
  s2 = a2;
  s3 = a3;
  for (let k = 0; k < deferred; k++) {
    const j = load<i32>(pending + (<usize>k << 3));
    const a = <u32>load<i32>(pending + (<usize>k << 3) + 4);
    const z = slowPath(<i32>(a & 0xff), <f64>(a >>> 9) * TWO_POW_M23, (a & 0x100) != 0);
    store<f64>(out + (<usize>j << 3), z * scale);
  }
}

/** out[0..count) = U(low, high) as fillUniform writes them for the same state. */
export function fillUniform(out: usize, count: i32, low: f64, high: f64): void {
  const width = high - low;
  for (let j = 0; j < count; j++) {
    store<f64>(out + (<usize>j << 3), low + width * nextFloat64Body());
  }
}

/** nextFloat64 without the final scaling split, so `low + width·x·2^-53` rounds as in JS. */
@inline
function nextFloat64Body(): f64 {
  const a = nextUint32() >>> 5;
  const b = nextUint32() >>> 6;
  return (<f64>a * 67108864.0 + <f64>b) * TWO_POW_M53;
}

/** Law codes of the JS side: 0 normal (param σ), 1 uniform (param half width b). */
@inline
function fillTaps(out: usize, count: i32, law: i32, param: f64): void {
  if (law == 1) fillUniform(out, count, -param, param);
  else fillNormal(out, count, param);
}

export function fillTapsExport(out: usize, count: i32, law: i32, param: f64): void {
  fillTaps(out, count, law, param);
}

// ---------------------------------------------------------------------------------------------
// Complex FFT of size 2^k, Stockham autosort, radix 4 (with one radix-2 pass when k is odd).
// A complex number is one v128 (re, im). Twiddles W^m = e^{−2πim/n} are stored as two v128,
// (cos, cos) and (sin, −sin) so z·W = z·(c, c) + swap(z)·(s, −s).

/** Twiddle tables by log2 size (0 = not built yet). */
const twiddleTables = new StaticArray<usize>(32);

function twiddles(logN: i32): usize {
  let table = unchecked(twiddleTables[logN]);
  if (table != 0) return table;
  const n = 1 << logN;
  const count = n - n / 4; // m up to 3n/4 − 1
  table = reserve(max(count, 1) * 32);
  for (let m = 0; m < count; m++) {
    const angle = (-2.0 * Math.PI * <f64>m) / <f64>n;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    v128.store(table + (<usize>m << 5), f64x2(c, c));
    v128.store(table + (<usize>m << 5) + 16, f64x2(-s, s));
  }
  unchecked((twiddleTables[logN] = table));
  return table;
}

@inline
function cmul(z: v128, w: usize): v128 {
  const zs = f64x2.shuffle(z, z, 1, 0);
  return f64x2.add(f64x2.mul(z, v128.load(w)), f64x2.mul(zs, v128.load(w, 16)));
}

/** −i·z = (im, −re). */
@inline
function mulMinusI(z: v128): v128 {
  return f64x2.mul(f64x2.shuffle(z, z, 1, 0), f64x2(1.0, -1.0));
}

/**
 * Forward DFT of the 2^logN complex values at x; y is scratch of the same size. Returns the
 * buffer holding the result (x or y). Both buffers are overwritten.
 */
export function fft(x: usize, y: usize, logN: i32): usize {
  return fftFrom(x, y, logN, false, 0);
}

/** power[k] += |z|² (re² + im²) for the value z of bin k. */
@inline
function addPower(power: usize, z: v128): void {
  const sq = f64x2.mul(z, z);
  store<f64>(power, load<f64>(power) + (f64x2.extract_lane(sq, 0) + f64x2.extract_lane(sq, 1)));
}

/**
 * {@link fft}; with `upperHalfZero` (and N ≥ 4) the values x[N/2 ..] are taken as zero without
 * being read: the first pass then needs half the loads and adds, and callers need not clear
 * those entries, which the passes overwrite. Zero-padded filters (T ≤ N/2) are such inputs.
 * With `power` ≠ 0 the spectrum is not stored: the last pass adds |X[k]|² to power[k]
 * (N doubles) instead, and the function returns 0.
 */
function fftFrom(x: usize, y: usize, logN: i32, upperHalfZero: bool, power: usize): usize {
  const n = 1 << logN;
  if (n == 1) {
    if (power == 0) return x;
    addPower(power, v128.load(x));
    return 0;
  }
  const table = twiddles(logN);
  let len = n; // current sub-transform length
  let s = 1; // stride
  if (upperHalfZero && n >= 4) {
    // First pass (s = 1) with c = d = 0: y[4p..4p+3] from a = x[p], b = x[p + n/4].
    const m = n >> 2;
    for (let p = 0; p < m; p++) {
      const a = v128.load(x + (<usize>p << 4));
      const b = v128.load(x + (<usize>(p + m) << 4));
      const jb = mulMinusI(b);
      const y0 = y + (<usize>(4 * p) << 4);
      v128.store(y0, f64x2.add(a, b));
      v128.store(y0, cmul(f64x2.add(a, jb), table + (<usize>p << 5)), 16);
      v128.store(y0, cmul(f64x2.sub(a, b), table + (<usize>(2 * p) << 5)), 32);
      v128.store(y0, cmul(f64x2.sub(a, jb), table + (<usize>(3 * p) << 5)), 48);
    }
    len = m;
    s = 4;
    const t = x;
    x = y;
    y = t;
  }
  while (len >= 4) {
    const m = len >> 2;
    if (m == 1 && power != 0) {
      // The last pass (p = 0, no twiddles), its four outputs per q added to the power.
      for (let q = 0; q < s; q++) {
        const o = <usize>q << 4;
        const a = v128.load(x + o);
        const b = v128.load(x + (<usize>(q + s) << 4));
        const c = v128.load(x + (<usize>(q + 2 * s) << 4));
        const d = v128.load(x + (<usize>(q + 3 * s) << 4));
        const apc = f64x2.add(a, c);
        const amc = f64x2.sub(a, c);
        const bpd = f64x2.add(b, d);
        const jbmd = mulMinusI(f64x2.sub(b, d));
        addPower(power + (<usize>q << 3), f64x2.add(apc, bpd));
        addPower(power + (<usize>(q + s) << 3), f64x2.add(amc, jbmd));
        addPower(power + (<usize>(q + 2 * s) << 3), f64x2.sub(apc, bpd));
        addPower(power + (<usize>(q + 3 * s) << 3), f64x2.sub(amc, jbmd));
      }
      return 0;
    }
    for (let p = 0; p < m; p++) {
      const w1 = table + (<usize>(p * s) << 5);
      const w2 = table + (<usize>(2 * p * s) << 5);
      const w3 = table + (<usize>(3 * p * s) << 5);
      const xa = x + (<usize>(s * p) << 4);
      const xb = x + (<usize>(s * (p + m)) << 4);
      const xc = x + (<usize>(s * (p + 2 * m)) << 4);
      const xd = x + (<usize>(s * (p + 3 * m)) << 4);
      const y0 = y + (<usize>(s * 4 * p) << 4);
      const y1 = y + (<usize>(s * (4 * p + 1)) << 4);
      const y2 = y + (<usize>(s * (4 * p + 2)) << 4);
      const y3 = y + (<usize>(s * (4 * p + 3)) << 4);
      if (p == 0) {
        for (let q = 0; q < s; q++) {
          const o = <usize>q << 4;
          const a = v128.load(xa + o);
          const b = v128.load(xb + o);
          const c = v128.load(xc + o);
          const d = v128.load(xd + o);
          const apc = f64x2.add(a, c);
          const amc = f64x2.sub(a, c);
          const bpd = f64x2.add(b, d);
          const jbmd = mulMinusI(f64x2.sub(b, d));
          v128.store(y0 + o, f64x2.add(apc, bpd));
          v128.store(y1 + o, f64x2.add(amc, jbmd));
          v128.store(y2 + o, f64x2.sub(apc, bpd));
          v128.store(y3 + o, f64x2.sub(amc, jbmd));
        }
      } else {
        for (let q = 0; q < s; q++) {
          const o = <usize>q << 4;
          const a = v128.load(xa + o);
          const b = v128.load(xb + o);
          const c = v128.load(xc + o);
          const d = v128.load(xd + o);
          const apc = f64x2.add(a, c);
          const amc = f64x2.sub(a, c);
          const bpd = f64x2.add(b, d);
          const jbmd = mulMinusI(f64x2.sub(b, d));
          v128.store(y0 + o, f64x2.add(apc, bpd));
          v128.store(y1 + o, cmul(f64x2.add(amc, jbmd), w1));
          v128.store(y2 + o, cmul(f64x2.sub(apc, bpd), w2));
          v128.store(y3 + o, cmul(f64x2.sub(amc, jbmd), w3));
        }
      }
    }
    len = m;
    s <<= 2;
    const t = x;
    x = y;
    y = t;
  }
  if (len == 2 && power != 0) {
    for (let q = 0; q < s; q++) {
      const a = v128.load(x + (<usize>q << 4));
      const b = v128.load(x + (<usize>(q + s) << 4));
      addPower(power + (<usize>q << 3), f64x2.add(a, b));
      addPower(power + (<usize>(q + s) << 3), f64x2.sub(a, b));
    }
    return 0;
  }
  if (len == 2) {
    // Last radix-2 pass: p = 0 only, no twiddles.
    const half = <usize>s << 4;
    for (let q = 0; q < s; q++) {
      const o = <usize>q << 4;
      const a = v128.load(x + o);
      const b = v128.load(x + half + o);
      v128.store(y + o, f64x2.add(a, b));
      v128.store(y + half + o, f64x2.sub(a, b));
    }
    const t = x;
    x = y;
    y = t;
  }
  if (power != 0) {
    // The first pass was the only one (N = 4 with a zero upper half).
    for (let k = 0; k < n; k++) addPower(power + (<usize>k << 3), v128.load(x + (<usize>k << 4)));
    return 0;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------
// Summed spectral power of one draw (src/core/filterbank/summed-spectral-power.ts):
// H[k] = ½·Σ_pairs (|Z_k|² + |Z_{G−k}|²) for k = 0..G/2, two real filters per complex FFT.

/**
 * Draws the J filters of length T pair by pair into `packed` (2G f64), transforms each pair
 * with `scratch` (2G f64), and writes H[0..G/2] into `half` (G f64, used whole as scratch).
 * G = 2^logG ≥ max(T, 2).
 */
export function summedPowerHalf(
  J: i32,
  T: i32,
  logG: i32,
  law: i32,
  param: f64,
  packed: usize,
  scratch: usize,
  half: usize,
  lastFilter: usize,
): void {
  const G = 1 << logG;
  const H = G >> 1;
  // P[0..G) accumulated by the FFTs' last passes, folded onto k ≤ G/2 at the end.
  memory.fill(half, 0, <usize>G << 3);
  // Zero-padded to at least twice their length: the FFT's first pass skips the zero half, so
  // only [T, G/2) needs clearing. Otherwise everything from T on.
  const halfZero = G >= 4 && 2 * T <= G;
  const clearEnd = halfZero ? H : G;
  for (let j = 0; j + 1 < J; j += 2) {
    fillTaps(packed, 2 * T, law, param);
    if (clearEnd > T) memory.fill(packed + (<usize>T << 4), 0, <usize>(clearEnd - T) << 4);
    accumulate(packed, scratch, logG, half, halfZero);
  }
  if (J & 1) {
    fillTaps(lastFilter, T, law, param);
    for (let n = 0; n < T; n++) {
      v128.store(packed + (<usize>n << 4), f64x2(load<f64>(lastFilter + (<usize>n << 3)), 0.0));
    }
    if (clearEnd > T) memory.fill(packed + (<usize>T << 4), 0, <usize>(clearEnd - T) << 4);
    accumulate(packed, scratch, logG, half, halfZero);
  }
  // |A_k|² + |B_k|² = (|Z_k|² + |Z_{G−k}|²)/2; bins 0 and G/2 are their own partners.
  for (let k = 1; k < H; k++) {
    const p = half + (<usize>k << 3);
    store<f64>(p, (load<f64>(p) + load<f64>(half + (<usize>(G - k) << 3))) * 0.5);
  }
}

/** power[k] += |Z_k|², k < G, for the FFT Z of one packed pair (fused into its last pass). */
@inline
function accumulate(packed: usize, scratch: usize, logG: i32, power: usize, halfZero: bool): void {
  fftFrom(packed, scratch, logG, halfZero, power);
}

// ---------------------------------------------------------------------------------------------
// Per-trial routes. Results of the last trial: A and B.

let lastA: f64 = 0;
let lastB: f64 = 0;

export function resultA(): f64 {
  return lastA;
}

export function resultB(): f64 {
  return lastB;
}

/** A = min, B = max of H[0..len) (LP is even, so its half holds every value). */
@inline
function boundsOf(values: usize, len: i32): void {
  let A = Infinity;
  let B = -Infinity;
  for (let k = 0; k < len; k++) {
    const v = load<f64>(values + (<usize>k << 3));
    if (v < A) A = v;
    if (v > B) B = v;
  }
  lastA = A > 0 ? A : 0;
  lastB = B;
}

/**
 * Re X[k] for k = 0..N/2, X = DFT_N(x) of a real x (N = 2^logN ≥ 2) given as N doubles at `z`
 * (read as N/2 complex values z[n] = x[2n] + i·x[2n+1]): one complex FFT of N/2 points, then
 * X[k] = E[k] + W^k·O[k] with E, O the DFTs of the even and odd samples,
 * E[k] = (Z[k] + conj Z[M−k])/2, O[k] = (Z[k] − conj Z[M−k])/(2i), M = N/2. `z` and `scratch`
 * are overwritten; `out` may be neither.
 */
function realDftRe(z: usize, scratch: usize, logN: i32, out: usize): void {
  const M = 1 << (logN - 1);
  const Z = fft(z, scratch, logN - 1);
  const table = twiddles(logN);
  for (let k = 0; k <= M; k++) {
    const a = Z + (<usize>(k == M ? 0 : k) << 4);
    const b = Z + (<usize>(k == 0 ? 0 : M - k) << 4);
    const ar = load<f64>(a);
    const ai = load<f64>(a, 8);
    const br = load<f64>(b);
    const bi = load<f64>(b, 8);
    // W^k = c + i·s (s = sin(−2πk/N)); W^M = −1. Re(W·O) = c·(ai + bi)/2 + s·(ar − br)/2.
    let c: f64 = -1.0;
    let sn: f64 = 0.0;
    if (k < M) {
      c = load<f64>(table + (<usize>k << 5));
      sn = load<f64>(table + (<usize>k << 5), 24);
    }
    store<f64>(out + (<usize>k << 3), 0.5 * (ar + br + c * (ai + bi) + sn * (ar - br)));
  }
}

/**
 * Summed linear autocorrelation r(0..T−1) of one draw into `r`: the power on the G grid
 * (G = 2^logG ≥ 2T − 1), then r = DFT(P)/G, P real and even (docs/theory.md §6), by the
 * real-input transform (one G/2-point complex FFT). Overwrites `half`.
 */
export function autocorrelation(
  J: i32,
  T: i32,
  logG: i32,
  law: i32,
  param: f64,
  packed: usize,
  scratch: usize,
  half: usize,
  lastFilter: usize,
  r: usize,
): void {
  summedPowerHalf(J, T, logG, law, param, packed, scratch, half, lastFilter);
  const G = 1 << logG;
  const H = G >> 1;
  // P[0..G) as doubles, mirrored from its half: P[j] = H[j] for j ≤ G/2, H[G − j] above.
  for (let j = 0; j <= H; j++) store<f64>(packed + (<usize>j << 3), load<f64>(half + (<usize>j << 3)));
  for (let j = H + 1; j < G; j++) store<f64>(packed + (<usize>j << 3), load<f64>(half + (<usize>(G - j) << 3)));
  realDftRe(packed, scratch, logG, half);
  const scale = 1.0 / <f64>G;
  for (let tau = 0; tau < T; tau++) store<f64>(r + (<usize>tau << 3), load<f64>(half + (<usize>tau << 3)) * scale);
}

/**
 * Frame bounds by the autocorrelation route: r on the G grid, wrapped onto the N grid
 * (N = 2^logN ≥ T) and transformed by the real-input DFT; LP = Re DFT_N(wrapped), which is even,
 * so k = 0..N/2 holds its min and max. Uses `packed`/`scratch` of 2·max(G, N) f64 and `half`
 * of max(G, N)/2 + 1.
 */
export function frameBoundsAutocorrelation(
  J: i32,
  T: i32,
  logG: i32,
  logN: i32,
  law: i32,
  param: f64,
  packed: usize,
  scratch: usize,
  half: usize,
  lastFilter: usize,
  r: usize,
): void {
  autocorrelation(J, T, logG, law, param, packed, scratch, half, lastFilter, r);
  const N = 1 << logN;
  memory.fill(packed, 0, <usize>N << 3);
  store<f64>(packed, load<f64>(r));
  for (let tau = 1; tau < T; tau++) {
    const v = load<f64>(r + (<usize>tau << 3));
    const p = packed + (<usize>tau << 3);
    store<f64>(p, load<f64>(p) + v);
    const q = packed + (<usize>(N - tau) << 3);
    store<f64>(q, load<f64>(q) + v);
  }
  realDftRe(packed, scratch, logN, half);
  boundsOf(half, (N >> 1) + 1);
}

/** Frame bounds by the direct route: the power of the J filters on the N grid itself. */
export function frameBoundsDirect(
  J: i32,
  T: i32,
  logN: i32,
  law: i32,
  param: f64,
  packed: usize,
  scratch: usize,
  half: usize,
  lastFilter: usize,
): void {
  summedPowerHalf(J, T, logN, law, param, packed, scratch, half, lastFilter);
  boundsOf(half, ((1 << logN) >> 1) + 1);
}

/**
 * Energy ratios as weighted sums over the half spectrum: out[s] = Σ_k H[k]·W_s[k], with the
 * weights W (S rows of G/2 + 1) of wasm-energy-kernel.ts (Parseval's on the N grid, or the
 * autocorrelation route's on the 2^⌈log₂(2T−1)⌉ grid).
 */
export function energyParseval(
  J: i32,
  T: i32,
  logN: i32,
  law: i32,
  param: f64,
  packed: usize,
  scratch: usize,
  half: usize,
  lastFilter: usize,
  weights: usize,
  S: i32,
  out: usize,
): void {
  summedPowerHalf(J, T, logN, law, param, packed, scratch, half, lastFilter);
  const len = ((1 << logN) >> 1) + 1;
  for (let s = 0; s < S; s++) {
    const w = weights + (<usize>(s * len) << 3);
    let e: f64 = 0;
    for (let k = 0; k < len; k++) e += load<f64>(half + (<usize>k << 3)) * load<f64>(w + (<usize>k << 3));
    store<f64>(out + (<usize>s << 3), e);
  }
}

// ---------------------------------------------------------------------------------------------
// Strided frame bounds (src/core/filterbank/strided-frame-bounds.ts, docs/theory.md §6.4,
// §10.7): d > 1, K = N/d. V_k = [φ̂_j[k + a·K]]_{j,a}; the sums S_k[a][b] = Σ_j conj(V[j][a])·V[j][b]
// are accumulated pair by pair while each pair's spectrum is fresh, so no filter's spectrum is
// kept. Real filters give V_{K−k} = conj(V_k)·P (P reverses the columns), so M_{K−k} has the
// eigenvalues of M_k and only k = 0..K/2 are formed.

/**
 * S_k += the pair's (or, with `pair` false, the one filter's) contribution, k = 0..kCount−1,
 * from the pair's complex spectrum Z (N values): A_n = (Z_n + conj Z_{N−n})/2,
 * B_n = (Z_n − conj Z_{N−n})/(2i), rounded as strided-frame-bounds.ts rounds them; the sums in
 * the JS order (filter 2p, then 2p + 1). `gather`: 4d f64x2.
 */
function accumulatePolyphase(
  Z: usize,
  N: i32,
  K: i32,
  d: i32,
  kCount: i32,
  tri: i32,
  sums: usize,
  gather: usize,
  pair: bool,
): void {
  const half = f64x2.splat(0.5);
  const conjugate = f64x2(1.0, -1.0);
  const halfSwap = f64x2(0.5, -0.5);
  // gather: A_a, (Im A_a, −Re A_a), B_a, (Im B_a, −Re B_a) for a < d, each d f64x2.
  const gA = gather;
  const gAs = gather + (<usize>d << 4);
  const gB = gather + (<usize>(2 * d) << 4);
  const gBs = gather + (<usize>(3 * d) << 4);
  for (let k = 0; k < kCount; k++) {
    for (let a = 0; a < d; a++) {
      const n = k + a * K;
      const m = n == 0 ? 0 : N - n;
      const z = v128.load(Z + (<usize>n << 4));
      const w = f64x2.mul(v128.load(Z + (<usize>m << 4)), conjugate);
      const va = f64x2.mul(half, f64x2.add(z, w));
      const o = <usize>a << 4;
      v128.store(gA + o, va);
      v128.store(gAs + o, f64x2.mul(f64x2.shuffle(va, va, 1, 0), conjugate));
      if (pair) {
        const diff = f64x2.sub(z, w);
        const vb = f64x2.mul(f64x2.shuffle(diff, diff, 1, 0), halfSwap);
        v128.store(gB + o, vb);
        v128.store(gBs + o, f64x2.mul(f64x2.shuffle(vb, vb, 1, 0), conjugate));
      }
    }
    // conj(u)·v = (ur·vr + ui·vi, ur·vi − ui·vr) = ur·v + ui·(vi, −vr).
    let entry = sums + (<usize>(k * tri) << 4);
    for (let a = 0; a < d; a++) {
      const o = <usize>a << 4;
      const ua = v128.load(gA + o);
      const ar = f64x2.shuffle(ua, ua, 0, 0);
      const ai = f64x2.shuffle(ua, ua, 1, 1);
      if (pair) {
        const ub = v128.load(gB + o);
        const br = f64x2.shuffle(ub, ub, 0, 0);
        const bi = f64x2.shuffle(ub, ub, 1, 1);
        for (let b = a; b < d; b++) {
          const q = <usize>b << 4;
          let s = f64x2.add(
            v128.load(entry),
            f64x2.add(f64x2.mul(ar, v128.load(gA + q)), f64x2.mul(ai, v128.load(gAs + q))),
          );
          s = f64x2.add(s, f64x2.add(f64x2.mul(br, v128.load(gB + q)), f64x2.mul(bi, v128.load(gBs + q))));
          v128.store(entry, s);
          entry += 16;
        }
      } else {
        for (let b = a; b < d; b++) {
          const q = <usize>b << 4;
          const s = f64x2.add(
            v128.load(entry),
            f64x2.add(f64x2.mul(ar, v128.load(gA + q)), f64x2.mul(ai, v128.load(gAs + q))),
          );
          v128.store(entry, s);
          entry += 16;
        }
      }
    }
  }
}

/**
 * Frame bounds at stride d (a power of two dividing N = 2^logN, d ≥ 2) of the next draw into
 * resultA/resultB. Buffers: `packed`, `scratch` (2N f64), `lastFilter` (T f64), `sums`
 * ((K/2 + 1)·d(d+1)/2 f64x2, or d(d+1)/2 when K = 1), `gather` (4d f64x2), `eig` (2d² + 6d
 * f64, d > 2 only). Returns 0, or 1 if a QR iteration did not converge.
 */
export function stridedFrameBounds(
  J: i32,
  T: i32,
  logN: i32,
  d: i32,
  law: i32,
  param: f64,
  packed: usize,
  scratch: usize,
  lastFilter: usize,
  sums: usize,
  gather: usize,
  eig: usize,
): i32 {
  const N = 1 << logN;
  const K = N / d;
  const kCount = K >= 2 ? (K >> 1) + 1 : 1;
  const tri = (d * (d + 1)) >> 1;
  memory.fill(sums, 0, <usize>(kCount * tri) << 4);
  const halfZero = N >= 4 && 2 * T <= N;
  const clearEnd = halfZero ? N >> 1 : N;
  for (let j = 0; j + 1 < J; j += 2) {
    fillTaps(packed, 2 * T, law, param);
    if (clearEnd > T) memory.fill(packed + (<usize>T << 4), 0, <usize>(clearEnd - T) << 4);
    const Z = fftFrom(packed, scratch, logN, halfZero, 0);
    accumulatePolyphase(Z, N, K, d, kCount, tri, sums, gather, true);
  }
  if (J & 1) {
    fillTaps(lastFilter, T, law, param);
    for (let n = 0; n < T; n++) {
      v128.store(packed + (<usize>n << 4), f64x2(load<f64>(lastFilter + (<usize>n << 3)), 0.0));
    }
    if (clearEnd > T) memory.fill(packed + (<usize>T << 4), 0, <usize>(clearEnd - T) << 4);
    const Z = fftFrom(packed, scratch, logN, halfZero, 0);
    accumulatePolyphase(Z, N, K, d, kCount, tri, sums, gather, false);
  }
  let A = Infinity;
  let B = -Infinity;
  for (let k = 0; k < kCount; k++) {
    const s = sums + (<usize>(k * tri) << 4);
    if (d == 2) {
      extremes2(s);
    } else if (extremesHermitian(s, d, eig) != 0) {
      return 1;
    }
    if (extremeLow < A) A = extremeLow;
    if (extremeHigh > B) B = extremeHigh;
  }
  // Rank V_kᴴV_k ≤ J < d: λ_min = 0 (docs/theory.md §6.4), as the JS route reports it.
  lastA = J < d ? 0.0 : A > 0 ? A : 0.0;
  lastB = B;
  return 0;
}

// The theory's eigenproblems (docs/theory.md §12.1), in their own file.
export { symmetricEigenvaluesInPlace, toeplitzEigenvaluesInPlace } from './eigenvalues';
