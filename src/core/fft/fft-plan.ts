import FFT from 'fft.js';
import { nextPowerOfTwo } from './next-power-of-two.js';

/**
 * A discrete Fourier transform of one fixed size `N`, for any positive integer `N`.
 *
 * Complex data are interleaved `[re0, im0, re1, im1, …]` in `Float64Array`s of length `2N`.
 * Conventions (docs/theory.md §2, §6): forward `X[k] = Σ_n x[n]·e^{−2πikn/N}`, inverse
 * `x[n] = (1/N)·Σ_k X[k]·e^{+2πikn/N}`.
 *
 * A plan keeps scratch buffers inside itself, so it is **not re-entrant**: do not call one
 * plan's methods from inside another call on the same plan (not a concern in practice, since
 * JavaScript runs one thread per worker and the methods are synchronous). `output` must never
 * be (or overlap) `input`; `input` is not modified.
 */
export interface FftPlan {
  readonly size: number;
  /** Forward DFT X[k] = Σ x[n] e^{-2πikn/N}. Interleaved re/im Float64Arrays of length 2N; output must not alias input. */
  forward(input: Float64Array, output: Float64Array): void;
  /** Inverse DFT including the 1/N factor. */
  inverse(input: Float64Array, output: Float64Array): void;
  /** Forward DFT of a real signal of length N (input length N), full spectrum written to output (length 2N). */
  forwardReal(input: Float64Array, output: Float64Array): void;
}

const planCache = new Map<number, FftPlan>();

/**
 * The cached {@link FftPlan} for `size` (one immutable plan per size, built on first use).
 *
 * Powers of two ≥ 2 run on fft.js (radix-4); size 1 is the identity; every other size uses
 * Bluestein's chirp-z algorithm on a power-of-two fft.js transform of size ≥ 2N − 1, so the
 * cost is O(N log N) for any N (e.g. N = 22050, one second of audio at 22.05 kHz, docs/theory.md §9).
 *
 * @throws RangeError if `size` is not a positive integer (or too large to address).
 */
export function getFftPlan(size: number): FftPlan {
  const cached = planCache.get(size);
  if (cached !== undefined) return cached;
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`getFftPlan: size must be a positive integer, got ${size}`);
  }
  // Bluestein needs a power-of-two transform of ≥ 2N−1 points in a typed array of 2× that length.
  if (size > 2 ** 28) {
    throw new RangeError(`getFftPlan: size ${size} is too large (limit 2^28)`);
  }
  let plan: FftPlan;
  if (size === 1) plan = new TrivialPlan();
  else if ((size & (size - 1)) === 0) plan = new PowerOfTwoPlan(size);
  else plan = new BluesteinPlan(size);
  planCache.set(size, plan);
  return plan;
}

function checkBuffers(
  method: string,
  input: Float64Array,
  inputLength: number,
  output: Float64Array,
  outputLength: number,
): void {
  if (input.length !== inputLength) {
    throw new RangeError(`FftPlan.${method}: input length must be ${inputLength}, got ${input.length}`);
  }
  if (output.length !== outputLength) {
    throw new RangeError(`FftPlan.${method}: output length must be ${outputLength}, got ${output.length}`);
  }
  // fft.js reads its input while writing its output, so overlapping views give garbage.
  if (input.buffer === output.buffer) {
    const inStart = input.byteOffset;
    const inEnd = inStart + input.byteLength;
    const outStart = output.byteOffset;
    const outEnd = outStart + output.byteLength;
    if (inStart < outEnd && outStart < inEnd) {
      throw new RangeError(`FftPlan.${method}: output must not alias (overlap) input`);
    }
  }
}

/** N = 1: the DFT is the identity. */
class TrivialPlan implements FftPlan {
  readonly size = 1;

  forward(input: Float64Array, output: Float64Array): void {
    checkBuffers('forward', input, 2, output, 2);
    output[0] = input[0]!;
    output[1] = input[1]!;
  }

  inverse(input: Float64Array, output: Float64Array): void {
    checkBuffers('inverse', input, 2, output, 2);
    output[0] = input[0]!;
    output[1] = input[1]!;
  }

  forwardReal(input: Float64Array, output: Float64Array): void {
    checkBuffers('forwardReal', input, 1, output, 2);
    output[0] = input[0]!;
    output[1] = 0;
  }
}

/**
 * Powers of two: fft.js directly. fft.js uses the e^{−2πikn/N} forward kernel and divides by N
 * in `inverseTransform` (checked against a naive DFT in the tests). Its `realTransform` only
 * fills bins 0..N/2 correctly; `completeSpectrum` mirrors them into the upper half.
 */
class PowerOfTwoPlan implements FftPlan {
  readonly size: number;
  private readonly fft: FFT;

  constructor(size: number) {
    this.size = size;
    this.fft = new FFT(size);
  }

  forward(input: Float64Array, output: Float64Array): void {
    checkBuffers('forward', input, 2 * this.size, output, 2 * this.size);
    this.fft.transform(output, input);
  }

  inverse(input: Float64Array, output: Float64Array): void {
    checkBuffers('inverse', input, 2 * this.size, output, 2 * this.size);
    this.fft.inverseTransform(output, input);
  }

  forwardReal(input: Float64Array, output: Float64Array): void {
    checkBuffers('forwardReal', input, this.size, output, 2 * this.size);
    this.fft.realTransform(output, input);
    this.fft.completeSpectrum(output);
  }
}

/**
 * Bluestein's chirp-z algorithm. With `w[n] = e^{−πi·n²/N}` and `2kn = k² + n² − (k−n)²`,
 * `X[k] = w[k] · Σ_n (x[n]·w[n]) · conj(w[k−n])`: a linear convolution of length 2N−1,
 * done circularly on M ≥ 2N−1 points with a power-of-two FFT. The transform of the
 * (wrapped) kernel `conj(w)` is computed once per plan, pre-scaled by 1/M.
 *
 * The circular convolution's inverse FFT is done as `conj(FFT(conj(·)))` with the 1/M already
 * folded into the kernel, which skips fft.js's separate scaling pass.
 */
class BluesteinPlan implements FftPlan {
  readonly size: number;
  private readonly fft: FFT;
  private readonly m: number;
  /** w[n] = e^{−πi n²/N}, n = 0..N−1, interleaved. */
  private readonly chirp: Float64Array;
  /** FFT_M of the wrapped kernel b[m] = conj(w[|m|]), |m| < N, divided by M. */
  private readonly kernelSpectrum: Float64Array;
  /** Scratch buffers of length 2M (this is what makes a plan non-re-entrant). */
  private readonly work: Float64Array;
  private readonly work2: Float64Array;

  constructor(size: number) {
    this.size = size;
    const m = nextPowerOfTwo(2 * size - 1);
    this.m = m;
    this.fft = new FFT(m);
    this.chirp = new Float64Array(2 * size);
    this.kernelSpectrum = new Float64Array(2 * m);
    this.work = new Float64Array(2 * m);
    this.work2 = new Float64Array(2 * m);

    // Angle π·(n² mod 2N)/N: reducing n² exactly (in integers) before scaling keeps the angle
    // in [0, 2π) and accurate to an ulp even for large N, where π·n²/N would lose digits.
    // n² mod 2N is updated incrementally, (n+1)² = n² + 2n + 1, so it never exceeds 4N.
    const twoN = 2 * size;
    let sq = 0;
    for (let n = 0; n < size; n++) {
      const angle = (Math.PI * sq) / size;
      this.chirp[2 * n] = Math.cos(angle);
      this.chirp[2 * n + 1] = -Math.sin(angle);
      sq = (sq + 2 * n + 1) % twoN;
    }

    const kernel = this.work;
    kernel.fill(0);
    const scale = 1 / m;
    for (let n = 0; n < size; n++) {
      const re = this.chirp[2 * n]! * scale;
      const im = -this.chirp[2 * n + 1]! * scale;
      kernel[2 * n] = re;
      kernel[2 * n + 1] = im;
      if (n > 0) {
        kernel[2 * (m - n)] = re;
        kernel[2 * (m - n) + 1] = im;
      }
    }
    this.fft.transform(this.kernelSpectrum, kernel);
  }

  forward(input: Float64Array, output: Float64Array): void {
    checkBuffers('forward', input, 2 * this.size, output, 2 * this.size);
    this.run(input, output, false, false);
  }

  inverse(input: Float64Array, output: Float64Array): void {
    checkBuffers('inverse', input, 2 * this.size, output, 2 * this.size);
    this.run(input, output, false, true);
  }

  forwardReal(input: Float64Array, output: Float64Array): void {
    checkBuffers('forwardReal', input, this.size, output, 2 * this.size);
    this.run(input, output, true, false);
  }

  /**
   * One Bluestein pass. `inverse` uses IDFT(x) = conj(DFT(conj x))/N: the input is conjugated
   * while it is multiplied by the chirp and the result is conjugated and scaled at the end.
   */
  private run(input: Float64Array, output: Float64Array, real: boolean, inverse: boolean): void {
    const n = this.size;
    const m = this.m;
    const chirp = this.chirp;
    const a = this.work;
    const spec = this.work2;
    const kernel = this.kernelSpectrum;

    // a[n] = x[n]·w[n], zero-padded to M.
    if (real) {
      for (let i = 0; i < n; i++) {
        const x = input[i]!;
        a[2 * i] = x * chirp[2 * i]!;
        a[2 * i + 1] = x * chirp[2 * i + 1]!;
      }
    } else {
      const sign = inverse ? -1 : 1;
      for (let i = 0; i < n; i++) {
        const xr = input[2 * i]!;
        const xi = sign * input[2 * i + 1]!;
        const wr = chirp[2 * i]!;
        const wi = chirp[2 * i + 1]!;
        a[2 * i] = xr * wr - xi * wi;
        a[2 * i + 1] = xr * wi + xi * wr;
      }
    }
    a.fill(0, 2 * n, 2 * m);
    this.fft.transform(spec, a);

    // conj(A·B); B already carries 1/M.
    for (let k = 0; k < 2 * m; k += 2) {
      const ar = spec[k]!;
      const ai = spec[k + 1]!;
      const br = kernel[k]!;
      const bi = kernel[k + 1]!;
      spec[k] = ar * br - ai * bi;
      spec[k + 1] = -(ar * bi + ai * br);
    }
    // a ← FFT(conj(A·B)/M) = conj(convolution).
    this.fft.transform(a, spec);

    // X[k] = w[k]·conj(a[k]); for the inverse, conj(X[k])/N.
    if (inverse) {
      const s = 1 / n;
      for (let k = 0; k < n; k++) {
        const cr = a[2 * k]!;
        const ci = -a[2 * k + 1]!;
        const wr = chirp[2 * k]!;
        const wi = chirp[2 * k + 1]!;
        output[2 * k] = (cr * wr - ci * wi) * s;
        output[2 * k + 1] = -(cr * wi + ci * wr) * s;
      }
    } else {
      // For real input X[N−k] = conj(X[k]): only k ≤ N/2 need the post-multiplication.
      const half = n >> 1;
      const end = real ? half + 1 : n;
      for (let k = 0; k < end; k++) {
        const cr = a[2 * k]!;
        const ci = -a[2 * k + 1]!;
        const wr = chirp[2 * k]!;
        const wi = chirp[2 * k + 1]!;
        output[2 * k] = cr * wr - ci * wi;
        output[2 * k + 1] = cr * wi + ci * wr;
      }
      if (real) {
        output[1] = 0;
        if ((n & 1) === 0) output[2 * half + 1] = 0;
        for (let k = half + 1; k < n; k++) {
          output[2 * k] = output[2 * (n - k)]!;
          output[2 * k + 1] = -output[2 * (n - k) + 1]!;
        }
      }
    }
  }
}
