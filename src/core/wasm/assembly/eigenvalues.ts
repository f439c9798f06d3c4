// The theory's eigenproblems in WebAssembly (docs/theory.md §12.1): Householder
// tridiagonalisation and the implicit QR iteration of src/core/linalg/symmetric-eigenvalues.ts,
// and the even/odd split of src/core/linalg/toeplitz-eigenvalues.ts, operation for operation.
// Every double is rounded as the JS reference rounds it: the same operations in the same order,
// no fused multiply-add, f64x2 only where the JS already keeps two independent lanes (the
// two-accumulator dot product, element-wise updates), and V8's own Math.hypot through an import.
// So both routes give the same eigenvalues bit for bit (tested), and wasm only changes the speed.

import { at, put } from './memory-access';

// V8's Math.hypot: AssemblyScript's libm hypot may round differently in the last bit.
@external('env', 'hypot')
declare function hostHypot(x: f64, y: f64): f64;

const EPSILON: f64 = 2.220446049250313e-16;
const TINY: f64 = 1e-300;
const SQRT2: f64 = 1.4142135623730951;

/** Householder vector of row k (columns k+1..n-1) into v; returns β, sets off[k]. */
function householder(a: usize, n: i32, k: i32, v: usize, off: usize): f64 {
  const row = k * n;
  let scale: f64 = 0;
  for (let j = k + 1; j < n; j++) {
    const x = at(a, row + j);
    put(v, j, x);
    const ax = Math.abs(x);
    if (ax > scale) scale = ax;
  }
  if (scale == 0) {
    put(off, k, 0);
    return 0;
  }
  let sum: f64 = 0;
  for (let j = k + 1; j < n; j++) {
    const x = at(v, j) / scale;
    sum += x * x;
  }
  const alpha = scale * Math.sqrt(sum);
  const x0 = at(v, k + 1);
  const sign: f64 = x0 >= 0 ? 1 : -1;
  put(v, k + 1, x0 + sign * alpha);
  put(off, k, -sign * alpha);
  return 1 / (alpha * (alpha + Math.abs(x0)));
}

/** Row i, columns i..n-1: A −= v wᵀ + w vᵀ, element-wise (two columns per f64x2). */
@inline
function updateRow(a: usize, n: i32, i: i32, v: usize, w: usize): void {
  const row = i * n;
  const vi = at(v, i);
  const wi = at(w, i);
  const viv = f64x2.splat(vi);
  const wiv = f64x2.splat(wi);
  let j = i;
  for (; j + 1 < n; j += 2) {
    const pa = a + (<usize>(row + j) << 3);
    const o = <usize>j << 3;
    const x = f64x2.sub(f64x2.sub(v128.load(pa), f64x2.mul(viv, v128.load(w + o))), f64x2.mul(wiv, v128.load(v + o)));
    v128.store(pa, x);
  }
  if (j < n) put(a, row + j, at(a, row + j) - vi * at(w, j) - wi * at(v, j));
}

/**
 * The fused step of one row: the rank-2 update, then the row's share of pNext = A·vNext. The JS
 * keeps two accumulators (even and odd offsets from i + 1); here they are the two lanes.
 */
@inline
function updateRowAndMultiply(a: usize, n: i32, i: i32, v: usize, w: usize, vNext: usize, pNext: usize): void {
  const row = i * n;
  const vi = at(v, i);
  const wi = at(w, i);
  const ui = at(vNext, i);
  const aii = at(a, row + i) - 2 * vi * wi;
  put(a, row + i, aii);
  let acc = f64x2(aii * ui, 0);
  const viv = f64x2.splat(vi);
  const wiv = f64x2.splat(wi);
  const uiv = f64x2.splat(ui);
  let j = i + 1;
  for (; j + 1 < n; j += 2) {
    const pa = a + (<usize>(row + j) << 3);
    const o = <usize>j << 3;
    const x = f64x2.sub(f64x2.sub(v128.load(pa), f64x2.mul(viv, v128.load(w + o))), f64x2.mul(wiv, v128.load(v + o)));
    v128.store(pa, x);
    acc = f64x2.add(acc, f64x2.mul(x, v128.load(vNext + o)));
    v128.store(pNext + o, f64x2.add(v128.load(pNext + o), f64x2.mul(x, uiv)));
  }
  let s0 = f64x2.extract_lane(acc, 0);
  const s1 = f64x2.extract_lane(acc, 1);
  if (j < n) {
    const x = at(a, row + j) - vi * at(w, j) - wi * at(v, j);
    put(a, row + j, x);
    s0 += x * at(vNext, j);
    put(pNext, j, at(pNext, j) + x * ui);
  }
  put(pNext, i, at(pNext, i) + s0 + s1);
}

/** pNext += A₂₂·u over rows from..n-1 (upper triangle), one accumulator as in the JS. */
function symmetricMultiply(a: usize, n: i32, from: i32, u: usize, p: usize): void {
  for (let i = from; i < n; i++) {
    const row = i * n;
    const ui = at(u, i);
    let s = at(a, row + i) * ui;
    for (let j = i + 1; j < n; j++) {
      const aij = at(a, row + j);
      s += aij * at(u, j);
      put(p, j, at(p, j) + aij * ui);
    }
    put(p, i, at(p, i) + s);
  }
}

/** Householder tridiagonalisation (GVL Algorithm 8.3.1) of the upper triangle of a (destroyed). */
function tridiagonalize(a: usize, n: i32, d: usize, off: usize, work: usize): void {
  const bytes = <usize>n << 3;
  memory.fill(work, 0, 5 * bytes);
  let v = work;
  let p = work + bytes;
  let vNext = work + 2 * bytes;
  let pNext = work + 3 * bytes;
  const w = work + 4 * bytes;
  if (n >= 3) {
    const beta0 = householder(a, n, 0, v, off);
    if (beta0 != 0) symmetricMultiply(a, n, 1, v, p);
    let beta = beta0;
    for (let k = 0; k <= n - 3; k++) {
      put(d, k, at(a, k * n + k));
      const k1 = k + 1;
      const hasNext = k1 <= n - 3;
      if (beta != 0) {
        let pv: f64 = 0;
        for (let j = k1; j < n; j++) {
          const pj = beta * at(p, j);
          put(p, j, pj);
          pv += pj * at(v, j);
        }
        const half = 0.5 * beta * pv;
        for (let j = k1; j < n; j++) put(w, j, at(p, j) - half * at(v, j));
        updateRow(a, n, k1, v, w);
      }
      if (!hasNext) {
        if (beta != 0) for (let i = k1 + 1; i < n; i++) updateRow(a, n, i, v, w);
        break;
      }
      const betaNext = householder(a, n, k1, vNext, off);
      const k2 = k1 + 1;
      memory.fill(pNext + (<usize>k2 << 3), 0, <usize>(n - k2) << 3);
      if (beta != 0 && betaNext != 0) {
        for (let i = k2; i < n; i++) updateRowAndMultiply(a, n, i, v, w, vNext, pNext);
      } else if (beta != 0) {
        for (let i = k2; i < n; i++) updateRow(a, n, i, v, w);
      } else if (betaNext != 0) {
        symmetricMultiply(a, n, k2, vNext, pNext);
      }
      const tv = v;
      v = vNext;
      vNext = tv;
      const tp = p;
      p = pNext;
      pNext = tp;
      beta = betaNext;
    }
  }
  put(d, n - 2, at(a, (n - 2) * n + (n - 2)));
  put(off, n - 2, at(a, (n - 2) * n + (n - 1)));
  put(d, n - 1, at(a, (n - 1) * n + (n - 1)));
}

@inline
function negligible(e: f64, di: f64, dNext: f64): bool {
  const ae = Math.abs(e);
  return ae <= EPSILON * (Math.abs(di) + Math.abs(dNext)) || ae < TINY;
}

/** Implicit symmetric QR with Wilkinson shifts on (d, e); false if it did not converge. */
export function tridiagonalQr(d: usize, e: usize, n: i32): bool {
  const maxSweeps = 50 * n;
  let sweeps = 0;
  let high = n - 1;
  while (high > 0) {
    if (negligible(at(e, high - 1), at(d, high - 1), at(d, high))) {
      put(e, high - 1, 0);
      high -= 1;
      continue;
    }
    let low = high - 1;
    while (low > 0 && !negligible(at(e, low - 1), at(d, low - 1), at(d, low))) low -= 1;
    if (low > 0) put(e, low - 1, 0);
    sweeps += 1;
    if (sweeps > maxSweeps) return false;

    const eLast = at(e, high - 1);
    const delta = 0.5 * (at(d, high - 1) - at(d, high));
    const root = hostHypot(delta, eLast);
    const shift = at(d, high) - (eLast * eLast) / (delta + (delta >= 0 ? root : -root));

    let x = at(d, low) - shift;
    let z = at(e, low);
    for (let k = low; k < high; k++) {
      let c: f64;
      let s: f64;
      let r: f64;
      if (z == 0) {
        c = 1;
        s = 0;
        r = x;
      } else if (Math.abs(z) > Math.abs(x)) {
        const t = x / z;
        const u = Math.sqrt(1 + t * t);
        r = z * u;
        s = 1 / u;
        c = s * t;
      } else {
        const t = z / x;
        const u = Math.sqrt(1 + t * t);
        r = x * u;
        c = 1 / u;
        s = c * t;
      }
      if (k > low) put(e, k - 1, r);
      const a = at(d, k);
      const b = at(e, k);
      const f = at(d, k + 1);
      const cc = c * c;
      const ss = s * s;
      const cs2b = 2 * c * s * b;
      put(d, k, cc * a + cs2b + ss * f);
      put(d, k + 1, ss * a - cs2b + cc * f);
      const bNew = c * s * (f - a) + (cc - ss) * b;
      put(e, k, bNew);
      if (k + 1 < high) {
        const eNext = at(e, k + 1);
        x = bNew;
        z = s * eNext;
        put(e, k + 1, c * eNext);
      }
    }
  }
  return true;
}

/**
 * Eigenvalues (unsorted, into d[0..n)) of the symmetric n×n matrix whose upper triangle is in a
 * (row-major, destroyed). Scratch: off (n f64), work (5n f64). Returns 0, or 1 if QR did not
 * converge within 50·n sweeps.
 */
export function symmetricEigenvaluesInPlace(a: usize, n: i32, d: usize, off: usize, work: usize): i32 {
  if (n == 1) {
    put(d, 0, at(a, 0));
    return 0;
  }
  tridiagonalize(a, n, d, off, work);
  return tridiagonalQr(d, off, n) ? 0 : 1;
}

/**
 * Eigenvalues of the size×size symmetric Toeplitz matrix of r (size ≥ 2) by the even/odd split of
 * toeplitz-eigenvalues.ts: those of the "plus" block (⌈size/2⌉) into out[0..), those of the
 * "minus" block (⌊size/2⌋) after them, each unsorted. Scratch: plus (⌈size/2⌉² f64), minus
 * (⌊size/2⌋² f64), off (size f64), work (5·size f64). Returns 0, or 1 (plus) / 2 (minus) if
 * that block's QR did not converge.
 */
export function toeplitzEigenvaluesInPlace(
  r: usize,
  size: i32,
  out: usize,
  plus: usize,
  minus: usize,
  off: usize,
  work: usize,
): i32 {
  const m = size >> 1;
  const odd = (size & 1) == 1;
  const plusSize = odd ? m + 1 : m;
  const last = size - 1;
  for (let s = 0; s < m; s++) {
    for (let t = 0; t < m; t++) {
      const toeplitz = at(r, s > t ? s - t : t - s);
      const hankel = at(r, last - s - t);
      put(plus, s * plusSize + t, toeplitz + hankel);
      put(minus, s * m + t, toeplitz - hankel);
    }
  }
  if (odd) {
    for (let s = 0; s < m; s++) {
      const border = SQRT2 * at(r, m - s);
      put(plus, s * plusSize + m, border);
      put(plus, m * plusSize + s, border);
    }
    put(plus, m * plusSize + m, at(r, 0));
  }
  if (symmetricEigenvaluesInPlace(plus, plusSize, out, off, work) != 0) return 1;
  if (symmetricEigenvaluesInPlace(minus, m, out + (<usize>plusSize << 3), off, work) != 0) return 2;
  return 0;
}
