import { gaussLegendreRule } from '../numerics/gauss-legendre-rule.js';
import { normalCdf } from './normal-cdf.js';

const RULES = [gaussLegendreRule(6), gaussLegendreRule(12), gaussLegendreRule(20)];
/** The `coarse` rule: 8 nodes whatever ρ, about 3e-8 absolute (checked against the full rules). */
const COARSE_RULE = gaussLegendreRule(8);
const TWO_PI = 2 * Math.PI;

/**
 * P(X > h, Y > k) for standard normals with correlation ρ ∈ [0, 1], by Genz's BVNU (Genz 2004,
 * "Numerical computation of rectangular bivariate and trivariate normal probabilities",
 * Statistics and Computing 14: 251–260): Drezner–Wesolowsky's integral over asin ρ for ρ < 0.925,
 * and for ρ ≥ 0.925 an integral in √(1−ρ²) with the singular part removed in closed form, so that
 * P(X > max(h,k)) − P(X > h, Y > k) keeps its absolute accuracy (~1e-15) as ρ → 1. With
 * `coarse`, one 8-node rule serves every ρ: about 3e-8 absolute, at half the cost near ρ = 1.
 */
export function bivariateNormalUpper(h: number, k: number, rho: number, coarse = false): number {
  if (!(rho >= 0 && rho <= 1))
    throw new RangeError(`bivariateNormalUpper: rho must be in [0, 1], got ${rho}`);
  const rule = coarse ? COARSE_RULE : rho < 0.3 ? RULES[0]! : rho < 0.75 ? RULES[1]! : RULES[2]!;
  const { nodes, weights } = rule;
  const hk = h * k;
  if (rho < 0.925) {
    const hs = (h * h + k * k) / 2;
    const asr = Math.asin(rho);
    let sum = 0;
    for (let i = 0; i < nodes.length; i++) {
      const sn = Math.sin((asr * (nodes[i]! + 1)) / 2);
      sum += weights[i]! * Math.exp((sn * hk - hs) / (1 - sn * sn));
    }
    return (sum * asr) / (4 * Math.PI) + normalCdf(-h) * normalCdf(-k);
  }
  let bvn = 0;
  if (rho < 1) {
    const as = (1 - rho) * (1 + rho);
    let a = Math.sqrt(as);
    const bs = (h - k) * (h - k);
    const c = (4 - hk) / 8;
    const d = (12 - hk) / 16;
    bvn =
      a *
      Math.exp(-(bs / as + hk) / 2) *
      (1 - (c * (bs - as) * (1 - (d * bs) / 5)) / 3 + (c * d * as * as) / 5);
    if (hk > -160) {
      const b = Math.sqrt(bs);
      bvn -=
        Math.exp(-hk / 2) *
        Math.sqrt(TWO_PI) *
        normalCdf(-b / a) *
        b *
        (1 - (c * bs * (1 - (d * bs) / 5)) / 3);
    }
    a /= 2;
    for (let i = 0; i < nodes.length; i++) {
      const xs = (as * (1 - nodes[i]!) ** 2) / 4;
      const rs = Math.sqrt(1 - xs);
      bvn +=
        a *
        weights[i]! *
        Math.exp(-(bs / xs + hk) / 2) *
        (Math.exp((-hk * (1 - rs)) / (2 * (1 + rs))) / rs - (1 + c * xs * (1 + d * xs)));
    }
    bvn = -bvn / TWO_PI;
  }
  return bvn + normalCdf(-Math.max(h, k));
}
