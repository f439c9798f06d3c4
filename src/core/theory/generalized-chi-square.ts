import chisquareQuantile from '@stdlib/stats-base-dists-chisquare-quantile';
import { chiSquareCdf } from './chi-square-cdf.js';

/**
 * The law of S = Σ_i w_i·Y_i with Y_i i.i.d. χ²_k and w_i ≥ 0 (docs/theory.md §4), by Imhof's
 * inversion formula
 *
 *   P(S > y) = 1/2 + (1/π) ∫₀^∞ sin θ(u) / (u·ρ(u)) du,
 *   θ(u) = θ₀(u) − y·u/2,  θ₀(u) = (k/2) Σ arctan(w_i u),  log ρ(u) = (k/4) Σ log(1 + w_i² u²).
 *
 * Design (why it is fast and robust):
 * - Everything runs on weights divided by their maximum, so u is in units of 1/w_max and no
 *   power sum can overflow.
 * - y enters only through −y·u/2, so θ₀ and log ρ are computed once, on a fixed grid of
 *   Gauss–Legendre panels (the "body"), and every cdf(y) is a single sum of sines. The panels
 *   resolve the oscillation for every y in a window around the mean (mean ± 8 sd); other y get
 *   a grid of their own.
 * - Panel widths follow the integrand's scales: the distance to the singularities ±i/w_i of
 *   arctan and log (geometric growth), the curvature of log ρ (Gaussian regime, u ~ 1/sd), and
 *   the local phase speed |θ₀′(u) − y/2|.
 * - The body ends where the envelope bound ∫_U^∞ du/(uρ) ≤ 1/(ρ(U)·g(U)) is negligible, with
 *   g = d log ρ / d log u. When the envelope only decays algebraically (few weights, small k:
 *   amplitude ~ u^(−1−k/2)), the body stops at a node budget and the rest is integrated per y
 *   over successive half-periods of sin(c − y·u/2); the alternating partial sums are
 *   accelerated with Wynn's epsilon algorithm.
 * - Weights below ~1e-14 of the largest contribute nothing at double precision and are
 *   dropped. Weights small against 1/u are summed through their power sums (Taylor series of
 *   arctan and log1p at |w·u| ≤ 0.1), so many tiny weights (the near-Gaussian case) cost
 *   O(1) per node instead of O(n).
 */

export interface GeneralizedChiSquareOptions {
  /**
   * `auto` (default) treats a spectrum whose kept weights are all equal (to 1e-12) as the scaled
   * χ²_{k·n} it is (up to k·n = 1000), with the χ² cdf and stdlib's quantile; `imhof` always
   * integrates (tests use it to check the integral against those closed forms).
   */
  method?: 'auto' | 'imhof';
  /**
   * Target absolute error of `cdf` (default 1e-12). Quadrature truncation and the tail
   * extrapolation are driven by it; the Gauss–Legendre panels are accurate to about 1e-15.
   */
  absoluteTolerance?: number;
}

/** Weights below this fraction of the largest are dropped (they change nothing in double). */
const DROP_RELATIVE = 1e-14;
/**
 * Negative weights down to −NEGATIVE_ROUNDOFF·max are read as 0: eigenvalues of a positive
 * semidefinite Q_T (docs/theory.md §2) come out of a backward-stable solver with errors of
 * ~size·ε·‖Q_T‖, and their sign is noise. Anything more negative is a caller error.
 */
const NEGATIVE_ROUNDOFF = 1e-10;

/**
 * Kept weights within this relative spread are one weight: the law is then w·χ²_{k·n} up to a
 * cdf error of order n·k·spread, far below the Imhof tolerance.
 */
const EQUAL_RELATIVE = 1e-12;
/**
 * Pooling stops at k·n = 1000 degrees of freedom: beyond ~2000, @stdlib's χ² quantile is off
 * by ~1e-3 (see chi-square-cdf.ts), while the Imhof integral stays right there.
 */
const MAX_POOLED_DOF = 1000;

/** Weights with w·u ≤ SERIES_LIMIT go through Taylor series in the power sums. */
const SERIES_LIMIT = 0.1;
/** Power sums Σ w^m for m = 1..SERIES_POWERS (9 terms each of arctan and log1p: error < 1e-19). */
const SERIES_POWERS = 18;
/** Above this u, u^18 could overflow: evaluate every weight explicitly. */
const SERIES_MAX_U = 1e15;

/** Gauss–Legendre points per panel. */
const GAUSS_POINTS = 20;
/** Panel width ≤ C_ANALYTIC·max(u, 1): the nearest singularity of arctan(w u) is at ±i/w_max = ±i. */
const C_ANALYTIC = 1;
/** Panel width ≤ C_CURVATURE/√κ with κ ≥ |(log ρ)″|: a Gaussian envelope spans ≤ 4 sd per panel. */
const C_CURVATURE = 4;
/** Phase change per panel ≤ C_OSCILLATION radians: GL-20 integrates e^{iωu} to ~1e-20 there. */
const C_OSCILLATION = 10;
/** The precomputed grid resolves y in mean ± WINDOW_SDS·sd. */
const WINDOW_SDS = 8;
/** Node budget of the precomputed grid (panels). */
const MAX_BODY_PANELS = 200;
/** Safety caps for the per-y tail. */
const MAX_TAIL_PANELS = 4000;
const MAX_HALF_PERIODS = 300;
/** Half-period stepping starts once the residual phase speed θ₀′ is below this share of y/2. */
const ASYMPTOTIC_SLOPE_SHARE = 0.2;

/** Gauss–Legendre nodes and weights on [−1, 1], by Newton's method on P_n (A&S 25.4.29). */
function gaussLegendre(points: number): { nodes: Float64Array; weights: Float64Array } {
  const nodes = new Float64Array(points);
  const weights = new Float64Array(points);
  for (let i = 0; i < points; i += 1) {
    let x = Math.cos((Math.PI * (i + 0.75)) / (points + 0.5));
    let derivative = 1;
    for (let iteration = 0; iteration < 100; iteration += 1) {
      let previous = 1;
      let current = x;
      for (let j = 1; j < points; j += 1) {
        const next = ((2 * j + 1) * x * current - j * previous) / (j + 1);
        previous = current;
        current = next;
      }
      derivative = (points * (x * current - previous)) / (x * x - 1);
      const step = current / derivative;
      x -= step;
      if (Math.abs(step) < 1e-16) break;
    }
    nodes[i] = x;
    weights[i] = 2 / ((1 - x * x) * derivative * derivative);
  }
  return { nodes, weights };
}

const GAUSS = gaussLegendre(GAUSS_POINTS);

/** Nodes (u), phases θ₀(u) and quadrature amplitudes w_GL/(u·ρ(u)) of a set of panels. */
interface Grid {
  u: Float64Array;
  theta: Float64Array;
  amplitude: Float64Array;
  /** Right end of the last panel. */
  end: number;
  /** True when the envelope bound beyond `end` is below the truncation tolerance. */
  complete: boolean;
}

/** Growable column store for grid nodes (avoids re-allocating per panel). */
class GridBuilder {
  u: Float64Array = new Float64Array(GAUSS_POINTS * 16);
  theta: Float64Array = new Float64Array(GAUSS_POINTS * 16);
  amplitude: Float64Array = new Float64Array(GAUSS_POINTS * 16);
  length = 0;

  push(u: number, theta: number, amplitude: number): void {
    if (this.length === this.u.length) {
      const grow = (old: Float64Array): Float64Array => {
        const next = new Float64Array(old.length * 2);
        next.set(old);
        return next;
      };
      this.u = grow(this.u);
      this.theta = grow(this.theta);
      this.amplitude = grow(this.amplitude);
    }
    this.u[this.length] = u;
    this.theta[this.length] = theta;
    this.amplitude[this.length] = amplitude;
    this.length += 1;
  }

  finish(end: number, complete: boolean): Grid {
    return {
      u: this.u.slice(0, this.length),
      theta: this.theta.slice(0, this.length),
      amplitude: this.amplitude.slice(0, this.length),
      end,
      complete,
    };
  }
}

/**
 * Normalised weights (max 1, ascending) with the quantities of the Imhof integrand at a point.
 * `evaluate` sets `theta` and `logRho`; `evaluateWithDerivatives` also sets `slope` = θ₀′(u)
 * and `growth` = u·(log ρ)′(u).
 */
class Spectrum {
  readonly weights: Float64Array;
  readonly halfDof: number;
  /** prefix[c·SERIES_POWERS + m − 1] = Σ_{i<c} w_i^m. */
  private readonly prefix: Float64Array;
  theta = 0;
  logRho = 0;
  slope = 0;
  growth = 0;

  constructor(weights: Float64Array, dof: number) {
    this.weights = weights;
    this.halfDof = dof / 2;
    const n = weights.length;
    const prefix = new Float64Array((n + 1) * SERIES_POWERS);
    for (let i = 0; i < n; i += 1) {
      const w = weights[i]!;
      let power = 1;
      const from = i * SERIES_POWERS;
      const to = from + SERIES_POWERS;
      for (let m = 0; m < SERIES_POWERS; m += 1) {
        power *= w;
        prefix[to + m] = prefix[from + m]! + power;
      }
    }
    this.prefix = prefix;
  }

  /** Number of leading (small) weights handled by the series at this u. */
  private seriesCount(u: number): number {
    if (u > SERIES_MAX_U) return 0;
    const limit = SERIES_LIMIT / u;
    const w = this.weights;
    let low = 0;
    let high = w.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (w[mid]! <= limit) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  evaluate(u: number): void {
    const w = this.weights;
    const n = w.length;
    const count = this.seriesCount(u);
    let atanSum = 0;
    let logSum = 0;
    if (count > 0) {
      const p = this.prefix;
      const base = count * SERIES_POWERS;
      const u2 = u * u;
      // arctan x = Σ_j (−1)^j x^(2j+1)/(2j+1),  log1p(x²) = Σ_j (−1)^(j+1) x^(2j)/j.
      let odd = u;
      let even = u2;
      let sign = 1;
      for (let j = 0; j < SERIES_POWERS / 2; j += 1) {
        atanSum += (sign * odd * p[base + 2 * j]!) / (2 * j + 1);
        logSum += (sign * even * p[base + 2 * j + 1]!) / (j + 1);
        odd *= u2;
        even *= u2;
        sign = -sign;
      }
    }
    for (let i = count; i < n; i += 1) {
      const x = w[i]! * u;
      atanSum += Math.atan(x);
      // log1p(x²) without overflow of x² for huge x.
      logSum += x <= 1 ? Math.log1p(x * x) : 2 * Math.log(x) + Math.log1p(1 / (x * x));
    }
    this.theta = this.halfDof * atanSum;
    this.logRho = 0.5 * this.halfDof * logSum;
  }

  evaluateWithDerivatives(u: number): void {
    this.evaluate(u);
    const w = this.weights;
    const n = w.length;
    const count = this.seriesCount(u);
    let slopeSum = 0;
    let growthSum = 0;
    if (count > 0) {
      const p = this.prefix;
      const base = count * SERIES_POWERS;
      const u2 = u * u;
      // w/(1+x²) = Σ_j (−1)^j w^(2j+1) u^(2j),  x²/(1+x²) = Σ_j (−1)^(j+1) x^(2j).
      let even0 = 1;
      let even = u2;
      let sign = 1;
      for (let j = 0; j < SERIES_POWERS / 2; j += 1) {
        slopeSum += sign * even0 * p[base + 2 * j]!;
        growthSum += sign * even * p[base + 2 * j + 1]!;
        even0 *= u2;
        even *= u2;
        sign = -sign;
      }
    }
    for (let i = count; i < n; i += 1) {
      const wi = w[i]!;
      const x = wi * u;
      const inverse = 1 / (1 + x * x);
      slopeSum += wi * inverse;
      growthSum += x * x * inverse;
    }
    this.slope = this.halfDof * slopeSum;
    this.growth = this.halfDof * growthSum;
  }
}

/**
 * Generalized chi-square law of `S = Σ_i w_i·Y_i`, `Y_i` i.i.d. χ²_k, `w_i ≥ 0` (docs/theory.md §4),
 * for the exact deviations of docs/theory.md §5; the method is described in §10.11. Build it once per spectrum; `cdf` and `quantile`
 * are then cheap (a sum of sines over a precomputed grid, see the module comment).
 *
 * Accuracy: `cdf` to about 1e-12 absolute by default, so quantiles at p ∈ [0.01, 0.99] are right
 * to ~1e-10 relative or better.
 *
 * @example
 * const law = new GeneralizedChiSquare(eigenvalues.map((l) => l * sigma2), J);
 * const upper = law.quantile(0.95) / law.mean - 1; // α⁺ of docs/theory.md §5
 */
export class GeneralizedChiSquare {
  /** E[S] = k·Σw. */
  readonly mean: number;
  /** Var[S] = 2k·Σw². */
  readonly variance: number;
  readonly degreesOfFreedom: number;

  readonly #tolerance: number;
  /** Largest weight: the unit of S and 1/unit of u inside. 0 when S = 0 almost surely. */
  readonly #scale: number;
  readonly #spectrum: Spectrum | undefined;
  /** Normalised mean and standard deviation (units of #scale). */
  readonly #mean: number;
  readonly #sd: number;
  /** Normalised y window served by the precomputed grid. */
  readonly #windowLow: number;
  readonly #windowHigh: number;
  readonly #grid: Grid | undefined;
  /** S = unit·χ²_dof when every kept weight is the same (impulse, alternating sine: §4). */
  readonly #pooled: { unit: number; dof: number } | undefined;

  /**
   * @param weights - the w_i ≥ 0 (finite). Zero weights, weights below 1e-14 of the largest,
   *   and negative round-off down to −1e-10 of the largest are ignored.
   * @param degreesOfFreedom - k ≥ 1 (need not be an integer)
   * @param options - `absoluteTolerance` of the cdf (default 1e-12, must be in [1e-15, 1e-3]);
   *   `method` (see {@link GeneralizedChiSquareOptions})
   * @throws RangeError for a non-finite or negative weight, k < 1 or not finite, or a bad tolerance
   */
  constructor(
    weights: ArrayLike<number>,
    degreesOfFreedom: number,
    options: GeneralizedChiSquareOptions = {},
  ) {
    if (!(Number.isFinite(degreesOfFreedom) && degreesOfFreedom >= 1)) {
      throw new RangeError(`degreesOfFreedom must be a finite number ≥ 1; got ${degreesOfFreedom}`);
    }
    const tolerance = options.absoluteTolerance ?? 1e-12;
    if (!(tolerance >= 1e-15 && tolerance <= 1e-3)) {
      throw new RangeError(`absoluteTolerance must be in [1e-15, 1e-3]; got ${tolerance}`);
    }
    let max = 0;
    for (let i = 0; i < weights.length; i += 1) {
      const w = weights[i]!;
      if (!Number.isFinite(w)) throw new RangeError(`weights must be finite; got ${w} at index ${i}`);
      if (w > max) max = w;
    }
    let rawSum = 0;
    let rawSumSquares = 0;
    for (let i = 0; i < weights.length; i += 1) {
      const w = weights[i]!;
      if (w < 0 && !(max > 0 && -w <= NEGATIVE_ROUNDOFF * max)) {
        throw new RangeError(`weights must be ≥ 0; got ${w} at index ${i}`);
      }
      if (w > 0) {
        rawSum += w;
        rawSumSquares += w * w;
      }
    }
    this.degreesOfFreedom = degreesOfFreedom;
    this.#tolerance = tolerance;

    const kept: number[] = [];
    for (let i = 0; i < weights.length; i += 1) {
      const w = weights[i]!;
      if (w > DROP_RELATIVE * max) kept.push(w / max);
    }
    kept.sort((a, b) => a - b);
    const normalised = Float64Array.from(kept);
    let sum = 0;
    let sumSquares = 0;
    for (const w of normalised) {
      sum += w;
      sumSquares += w * w;
    }
    this.#scale = max;
    this.mean = degreesOfFreedom * rawSum;
    this.variance = 2 * degreesOfFreedom * rawSumSquares;
    this.#mean = degreesOfFreedom * sum;
    this.#sd = Math.sqrt(2 * degreesOfFreedom * sumSquares);
    this.#windowLow = Math.max(0, this.#mean - WINDOW_SDS * this.#sd);
    this.#windowHigh = this.#mean + WINDOW_SDS * this.#sd;
    const equal =
      options.method !== 'imhof' &&
      normalised.length > 0 &&
      normalised[0]! >= 1 - EQUAL_RELATIVE &&
      degreesOfFreedom * normalised.length <= MAX_POOLED_DOF;
    this.#pooled = equal
      ? { unit: (max * sum) / normalised.length, dof: degreesOfFreedom * normalised.length }
      : undefined;
    if (normalised.length === 0 || equal) {
      this.#spectrum = undefined;
      this.#grid = undefined;
    } else {
      this.#spectrum = new Spectrum(normalised, degreesOfFreedom);
      this.#grid = this.#buildGrid(this.#windowLow, this.#windowHigh, MAX_BODY_PANELS);
    }
  }

  /**
   * P(S ≤ y). Returns NaN for NaN, 0 for y < 0 (and for y = 0 unless S ≡ 0), 1 for y = +∞.
   */
  cdf(y: number): number {
    if (Number.isNaN(y)) return Number.NaN;
    if (this.#pooled !== undefined) return chiSquareCdf(y / this.#pooled.unit, this.#pooled.dof);
    if (this.#spectrum === undefined) return y >= 0 ? 1 : 0;
    if (y <= 0) return 0;
    if (y === Number.POSITIVE_INFINITY) return 1;
    const value = 0.5 - this.#integral(y / this.#scale) / Math.PI;
    return Math.min(1, Math.max(0, value));
  }

  /**
   * The p-quantile F⁻¹(p), by Brent's method inside the Cantelli bracket
   * mean ± sd·√(1/min(p, 1−p) − 1) (clipped at 0), narrowed first to mean ± 8 sd where the
   * precomputed grid applies.
   *
   * @throws RangeError unless 0 < p < 1
   */
  quantile(probability: number): number {
    if (!(probability > 0 && probability < 1)) {
      throw new RangeError(`probability must be in (0, 1); got ${probability}`);
    }
    if (this.#pooled !== undefined)
      return this.#pooled.unit * chisquareQuantile(probability, this.#pooled.dof);
    if (this.#spectrum === undefined) return 0;
    const p = probability;
    const f = (yNormalised: number): number => 0.5 - this.#integral(yNormalised) / Math.PI - p;
    const reach = this.#sd * Math.sqrt(1 / Math.min(p, 1 - p) - 1);
    const outerLow = Math.max(0, this.#mean - reach);
    const outerHigh = this.#mean + reach;
    let low = Math.max(outerLow, this.#windowLow);
    let high = Math.min(outerHigh, this.#windowHigh);
    let fLow = low === 0 ? -p : f(low);
    let fHigh = f(high);
    if (fLow > 0) {
      high = low;
      fHigh = fLow;
      low = outerLow;
      fLow = low === 0 ? -p : f(low);
    }
    if (fHigh < 0) {
      low = high;
      fLow = fHigh;
      high = outerHigh;
      fHigh = f(high);
    }
    return this.#scale * brentRoot(f, low, high, fLow, fHigh);
  }

  /** I(y) = ∫₀^∞ sin(θ₀(u) − y u/2)/(u ρ(u)) du, y normalised. */
  #integral(y: number): number {
    const inWindow = y >= this.#windowLow && y <= this.#windowHigh;
    const grid = inWindow ? this.#grid! : this.#buildGrid(y, y, MAX_BODY_PANELS);
    const halfY = 0.5 * y;
    const u = grid.u;
    const theta = grid.theta;
    const amplitude = grid.amplitude;
    let sum = 0;
    for (let j = 0; j < u.length; j += 1) sum += amplitude[j]! * Math.sin(theta[j]! - halfY * u[j]!);
    if (!grid.complete) sum += this.#tail(y, grid.end);
    return sum;
  }

  /** Envelope bound on the CDF contribution of [u, ∞): ∫_u^∞ dv/(v ρ(v)) / π ≤ 1/(π ρ(u) g(u)). */
  #tailBound(spectrum: Spectrum): number {
    return spectrum.growth > 0 ? Math.exp(-spectrum.logRho) / (Math.PI * spectrum.growth) : Infinity;
  }

  /**
   * Largest panel width at `a` for y in [yLow, yHigh]; leaves the spectrum evaluated (with
   * derivatives) at the returned panel's right end.
   */
  #panelWidth(a: number, slopeA: number, growthA: number, yLow: number, yHigh: number): number {
    const spectrum = this.#spectrum!;
    // |(log ρ)″| ≤ κ(u) = (k/2)Σ w²/(1+w²u²) = g(u)/u², and κ(0) = sd²/4.
    const curvature = a > 0 ? growthA / (a * a) : 0.25 * this.#sd * this.#sd;
    const speed = (slope: number): number =>
      Math.max(Math.abs(slope - 0.5 * yLow), Math.abs(slope - 0.5 * yHigh));
    let h = Math.min(C_ANALYTIC * Math.max(a, 1), C_CURVATURE / Math.sqrt(curvature));
    const speedA = speed(slopeA);
    if (speedA * h > C_OSCILLATION) h = C_OSCILLATION / speedA;
    spectrum.evaluateWithDerivatives(a + h);
    // θ₀′ falls along the panel, so the phase speed is largest at one of its ends.
    const speedB = speed(spectrum.slope);
    if (speedB * h > C_OSCILLATION) {
      h = C_OSCILLATION / Math.max(speedA, speedB);
      spectrum.evaluateWithDerivatives(a + h);
    }
    return h;
  }

  /** Adds one Gauss–Legendre panel [a, a+h] to `builder`. */
  #addPanel(builder: GridBuilder, a: number, h: number): void {
    const spectrum = this.#spectrum!;
    const half = 0.5 * h;
    const middle = a + half;
    for (let i = 0; i < GAUSS_POINTS; i += 1) {
      const u = middle + half * GAUSS.nodes[i]!;
      spectrum.evaluate(u);
      builder.push(u, spectrum.theta, (half * GAUSS.weights[i]! * Math.exp(-spectrum.logRho)) / u);
    }
  }

  /** Panels from 0 that resolve every y in [yLow, yHigh], until the envelope is negligible. */
  #buildGrid(yLow: number, yHigh: number, maxPanels: number): Grid {
    const spectrum = this.#spectrum!;
    const truncation = 0.05 * this.#tolerance;
    const builder = new GridBuilder();
    spectrum.evaluateWithDerivatives(0);
    let a = 0;
    let slope = spectrum.slope;
    let growth = spectrum.growth;
    for (let panel = 0; panel < maxPanels; panel += 1) {
      const h = this.#panelWidth(a, slope, growth, yLow, yHigh);
      // The spectrum now holds the values at a + h; keep them before the panel overwrites them.
      const nextSlope = spectrum.slope;
      const nextGrowth = spectrum.growth;
      const bound = this.#tailBound(spectrum);
      this.#addPanel(builder, a, h);
      a += h;
      slope = nextSlope;
      growth = nextGrowth;
      if (bound <= truncation) return builder.finish(a, true);
    }
    return builder.finish(a, false);
  }

  /**
   * ∫_start^∞ of the integrand at one y: geometric panels until the oscillation has settled to
   * half-periods π/(y/2) shorter than u, then half-period panels whose partial sums are
   * extrapolated with Wynn's epsilon algorithm.
   */
  #tail(y: number, start: number): number {
    const spectrum = this.#spectrum!;
    const truncation = 0.05 * this.#tolerance;
    const halfPeriod = (2 * Math.PI) / y;
    const halfY = 0.5 * y;
    let a = start;
    let sum = 0;
    spectrum.evaluateWithDerivatives(a);
    if (this.#tailBound(spectrum) <= truncation) return 0;
    let slope = spectrum.slope;
    let growth = spectrum.growth;
    for (let panel = 0; panel < MAX_TAIL_PANELS; panel += 1) {
      const curvature = growth / (a * a);
      if (
        halfPeriod <= C_ANALYTIC * a &&
        halfPeriod * Math.sqrt(curvature) <= C_CURVATURE &&
        slope <= ASYMPTOTIC_SLOPE_SHARE * halfY
      ) {
        break;
      }
      const h = this.#panelWidth(a, slope, growth, y, y);
      const nextSlope = spectrum.slope;
      const nextGrowth = spectrum.growth;
      const bound = this.#tailBound(spectrum);
      sum += this.#panelIntegral(a, h, halfY);
      a += h;
      slope = nextSlope;
      growth = nextGrowth;
      if (bound <= truncation) return sum;
    }

    // Half-period panels: alternating partial sums, extrapolated.
    const wynn = new WynnEpsilon();
    let estimate = wynn.add(sum);
    let previous = Number.NaN;
    const target = 0.1 * this.#tolerance * Math.PI;
    for (let j = 0; j < MAX_HALF_PERIODS; j += 1) {
      sum += this.#panelIntegral(a, halfPeriod, halfY);
      a += halfPeriod;
      spectrum.evaluateWithDerivatives(a);
      if (this.#tailBound(spectrum) <= truncation) return sum;
      const next = wynn.add(sum);
      if (j >= 4 && Math.abs(next - estimate) <= target && Math.abs(next - previous) <= target) return next;
      previous = estimate;
      estimate = next;
    }
    return estimate;
  }

  /** Gauss–Legendre integral of the Imhof integrand over [a, a+h] at half-frequency y/2. */
  #panelIntegral(a: number, h: number, halfY: number): number {
    const spectrum = this.#spectrum!;
    const half = 0.5 * h;
    const middle = a + half;
    let sum = 0;
    for (let i = 0; i < GAUSS_POINTS; i += 1) {
      const u = middle + half * GAUSS.nodes[i]!;
      spectrum.evaluate(u);
      sum += (GAUSS.weights[i]! * Math.exp(-spectrum.logRho) * Math.sin(spectrum.theta - halfY * u)) / u;
    }
    return half * sum;
  }
}

/**
 * Wynn's epsilon algorithm, fed one partial sum at a time: ε_{-1} = 0, ε_0^(n) = s_n,
 * ε_{k+1}^(n) = ε_{k−1}^(n+1) + 1/(ε_k^(n+1) − ε_k^(n)). Keeps only the last anti-diagonal and
 * returns the deepest even-column entry as the current estimate.
 */
class WynnEpsilon {
  #diagonal: number[] = [];

  add(value: number): number {
    const previous = this.#diagonal;
    const current: number[] = [value];
    let estimate = value;
    for (let k = 1; k <= previous.length; k += 1) {
      const difference = current[k - 1]! - previous[k - 1]!;
      // An exact repeat means this column has converged: stop building the table here.
      if (difference === 0) break;
      const entry = (k >= 2 ? previous[k - 2]! : 0) + 1 / difference;
      if (!Number.isFinite(entry)) break;
      current.push(entry);
      if (k % 2 === 0) estimate = entry;
    }
    this.#diagonal = current;
    return estimate;
  }
}

/**
 * Brent's root finder (bisection, secant and inverse quadratic interpolation, after Brent 1973,
 * ch. 4) for f with f(low)·f(high) ≤ 0. Stops at a relative width of ~1e-14.
 */
function brentRoot(f: (x: number) => number, low: number, high: number, fLow: number, fHigh: number): number {
  if (fLow === 0) return low;
  if (fHigh === 0) return high;
  let a = low;
  let b = high;
  let fa = fLow;
  let fb = fHigh;
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 0; iteration < 200; iteration += 1) {
    if (Math.sign(fb) === Math.sign(fc)) {
      // Keep the root between b and c.
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const tolerance = 4 * Number.EPSILON * Math.abs(b) + 1e-300;
    const m = 0.5 * (c - b);
    if (Math.abs(m) <= tolerance || fb === 0) return b;
    if (Math.abs(e) >= tolerance && Math.abs(fa) > Math.abs(fb)) {
      // Interpolate: secant when a = c, inverse quadratic otherwise.
      const s = fb / fa;
      let p: number;
      let q: number;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(tolerance * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = m;
        e = m;
      }
    } else {
      d = m;
      e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > tolerance ? d : m > 0 ? tolerance : -tolerance;
    fb = f(b);
  }
  return b;
}
