#!/usr/bin/env python3
"""Prototype, not used by the engine: a "T-grid + midpoint bridge" model of P(min > u) for the
normalised Littlewood-Paley sum X(w) = LP(w)/(J*T*sigma^2), set beside a numpy Monte Carlo on
nested grids N = T, 2T, 4T, ... (docs/theory.md section 11.5, "Why E[A] misses at T = 8").

  python3 scripts/prototype-bridge-minimum.py --J 5 --T 8 --levels 4 [--trials 40000]

Why. The chain of section 11.2 is exact at N = T and already 0.9 % high at N = 2T (J = 5, T = 8).
A first-order Markov chain links the points w_k = 2*pi*k/T through the points between them, so it
makes them positively dependent; in truth they are independent (the T-point DFT of a length-T
filter is orthogonal, so their LP values are independent chi^2_J/J at 0 and pi and chi^2_2J/(2J)
elsewhere, and they average exactly to ||phi||^2/(J T)). In the Monte Carlo (J = 5, T = 8,
N = 1024) the minimum sits between those points, and given that all of them exceed u = 0.9, the
polynomial still dips below u in 75 % of draws (phase interference between neighbouring DFT
vectors); the chain says 25 %.

Model. Level 0: the T-grid points on [0, pi], independent, exact gamma marginals. Level l >= 1:
the midpoints of the level-(l-1) cells, each conditionally independent of everything else given
its two neighbours (a Levy midpoint construction), so that
  P(min > u) = prod_k P(X_k > u) * prod_levels prod_cells [1 - P(X_mid <= u | X_left > u, X_right > u)].
The three points of a cell are joined by a Gaussian copula whose correlations are the chain's
r^sqrt(g g') (r the exact LP correlation of the pair, g the Rice ratio of section 11.2), for all
three pairs. For odd T the last cell is mirrored about pi (its two ends are one variable).
P(X_mid <= u | ...) is a 2-D Gauss-Legendre integral over the ends' normal scores.

Measured (E[A]; numpy Monte Carlo, 40 000 trials, 100 000 for J = 5, T = 8; s.e. 0.0004-0.0009;
"chain" is predictFrameBounds at commit a066feb on the finest grid named):
  cell                  Monte Carlo   chain             bridge (levels)
  J=5  T=8  N=16        0.4319        0.4358 (+0.9 %)   0.4323 (+0.1 %)
  J=5  T=8  N=128/1024  0.3997/0.3991 0.4144 (+3.8 %)   0.4043 (+1.2 %, N=128)
  J=7  T=8  N=256/1024  0.4739/0.4738 0.4872 (+2.8 %)   0.4780 (+0.9 %, N=256)
  J=5  T=9  N=144/1152  0.3850/0.3843 0.3970 (+3.3 %)   0.3894 (+1.1 %, N=144)
  J=5  T=12 N=192/1536  0.3517/0.3510 0.3589 (+2.3 %)   0.3544 (+0.8 %, N=192)
  J=10 T=12 N=192/1536  0.5054/0.5049 0.5109 (+1.2 %)   0.5071 (+0.3 %, N=192)
  J=40 T=12 N=192/768   0.7325/0.7322 0.7350 (+0.4 %)   0.7328 (+0.0 %, N=192)
  J=5  T=32 N=256/1024  0.2649/-      0.2629 (N=1024)   0.2653 (+0.2 %, N=256)
At level 0 (N = T) the model is exact, as the chain is. The levels converge fast (J=5 T=8:
0.4776, 0.4323, 0.4116, 0.4058, 0.4043 for N = 8..128).
Not done: grids that are not T*2^l (at J=5 T=12 N=64 the Monte Carlo is 0.3574, half-way
between the nested N=48 and N=96 values, not at the 1/3 a count of points would give; inserting
the actual grid points by bisection, each given its two nearest inserted neighbours, is the
natural extension), the max and the joint law, and a TypeScript version within 50 ms.
"""
import argparse

import numpy as np
from scipy import stats
from scipy.special import roots_legendre

ap = argparse.ArgumentParser()
ap.add_argument("--J", type=int, default=5)
ap.add_argument("--T", type=int, default=8)
ap.add_argument("--levels", type=int, default=4)
ap.add_argument("--trials", type=int, default=0, help="Monte Carlo trials on the nested grids (0: none)")
args = ap.parse_args()
J, T, LEVELS = args.J, args.T, args.levels


def dirichlet(x):
    m = np.round(x / (2 * np.pi))
    y = x - 2 * np.pi * m
    s = 1 if (m * (T - 1)) % 2 == 0 else -1
    return s * T if abs(y) < 1e-12 else s * np.sin(T * y / 2) / np.sin(y / 2)


def v2(w):  # v_C^2 + v_S^2
    d = dirichlet(2 * w) / T
    return ((1 + d) / 2) ** 2 + ((1 - d) / 2) ** 2


def shape(w):
    return J / (2 * v2(w))


def corr(w1, w2):
    ds = dirichlet(w1 - w2) / T
    du = dirichlet(w1 + w2) / T
    cc, cs = (ds + du) / 2, (ds - du) / 2
    return min(1.0, max(0.0, (cc * cc + cs * cs) / np.sqrt(v2(w1) * v2(w2))))


def marginal(u, w):
    a = shape(w)
    F = stats.gamma.cdf(u, a, scale=1 / a)
    z = stats.norm.ppf(F)
    f = stats.gamma.pdf(u, a, scale=1 / a)
    g = u * f * f / (a * stats.norm.pdf(z) ** 2)
    return z, F, (g if np.isfinite(g) and g > 0 else 1.0)


def copula(r, g1, g2):
    return r ** np.sqrt(g1 * g2)


xg, wg = roots_legendre(40)
cache = {}


def mid_below(u, wl, wm, wr):
    key = (u, *(round(x, 7) for x in (shape(wl), shape(wm), shape(wr), corr(wl, wm), corr(wm, wr), corr(wl, wr))))
    if key not in cache:
        cache[key] = _mid_below(u, wl, wm, wr)
    return cache[key]


def _mid_below(u, wl, wm, wr):
    zl, Fl, gl = marginal(u, wl)
    zm, _, gm = marginal(u, wm)
    zr, Fr, gr = marginal(u, wr)
    pl = Fl + (1 - Fl) * (xg + 1) / 2
    wl_ = wg * (1 - Fl) / 2
    Zl = stats.norm.ppf(pl)
    if abs(wl + wr - 2 * np.pi) < 1e-12:  # cell mirrored about pi: its ends are one variable
        c = copula(corr(wl, wm), gl, gm)
        s2 = 1 - c * c
        if s2 <= 1e-14:
            return 0.0
        return (wl_ * stats.norm.cdf((zm - c * Zl) / np.sqrt(s2))).sum() / (1 - Fl)
    plm = copula(corr(wl, wm), gl, gm)
    pmr = copula(corr(wm, wr), gm, gr)
    plr = copula(corr(wl, wr), gl, gr)
    b = np.array([plm, pmr])
    w = np.linalg.solve(np.array([[1, plr], [plr, 1]]), b)
    s2 = 1 - b @ w
    if s2 <= 1e-14:
        return 0.0
    pr = Fr + (1 - Fr) * (xg + 1) / 2
    wr_ = wg * (1 - Fr) / 2
    Zr = stats.norm.ppf(pr)
    ZL, ZR = np.meshgrid(Zl, Zr, indexing="ij")
    det = 1 - plr * plr
    dens = np.exp(-(ZL**2 - 2 * plr * ZL * ZR + ZR**2) / (2 * det) + (ZL**2 + ZR**2) / 2) / np.sqrt(det)
    W = wl_[:, None] * wr_[None, :]
    below = (W * dens * stats.norm.cdf((zm - w[0] * ZL - w[1] * ZR) / np.sqrt(s2))).sum()
    return below / (W * dens).sum()


def survival(u):
    """log P(min over the level-l grid > u) for l = 0..LEVELS."""
    pts = [2 * np.pi * k / T for k in range(T // 2 + 1)]
    logp = sum(np.log(stats.gamma.sf(u, shape(w), scale=1 / shape(w))) for w in pts)
    if T % 2 == 1:
        pts.append(2 * np.pi - pts[-1])
    out = [logp]
    for _ in range(LEVELS):
        new = []
        for i in range(len(pts) - 1):
            wm = (pts[i] + pts[i + 1]) / 2
            if wm > np.pi + 1e-12:
                continue
            logp += np.log(max(1e-300, 1 - mid_below(u, pts[i], wm, pts[i + 1])))
            new.append(wm)
        pts = sorted(pts + new)
        out.append(logp)
    return np.exp(out)


us = np.arange(0.01, 1.8, 0.02)
H = np.array([survival(u) for u in us])
mc = {}
if args.trials:
    rng = np.random.default_rng(11)
    N = T * 2**LEVELS
    acc = np.zeros((LEVELS + 1, 2))
    for start in range(0, args.trials, 5000):
        m = min(5000, args.trials - start)
        lp = (np.abs(np.fft.rfft(rng.standard_normal((m, J, T)), n=N, axis=2)) ** 2).sum(1) / (J * T)
        for level in range(LEVELS + 1):
            a = lp[:, :: 2 ** (LEVELS - level)].min(1)
            acc[level] += [a.sum(), (a * a).sum()]
    for level in range(LEVELS + 1):
        mean = acc[level, 0] / args.trials
        mc[level] = (mean, np.sqrt((acc[level, 1] / args.trials - mean * mean) / args.trials))
for level in range(LEVELS + 1):
    ea = np.trapezoid(np.r_[1, H[:, level]], np.r_[0, us])
    line = f"J={J} T={T} N={T * 2**level}: bridge E[A] {ea:.4f}"
    if level in mc:
        line += f", Monte Carlo {mc[level][0]:.4f} ± {mc[level][1]:.4f} ({100 * (ea / mc[level][0] - 1):+.1f} %)"
    print(line)
