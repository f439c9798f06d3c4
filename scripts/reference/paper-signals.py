#!/usr/bin/env python3
"""Independent check of test/fixtures/paper-signals.json (docs/theory.md §2-§5, §9).

The fixture holds the paper's three unit-energy test signals (N = 1024: an impulse at n = 513,
one fixed draw of the bounded Brownian walk, the alternating sine) and, for J = 10 and p = 0.05
at T = 8, 16, ..., 1024, the mean, variance, Cantelli, Chebyshev, Chernoff and exact deviations
of the energy ratio ||Phi x||^2/||x||^2 under the paper's scale sigma^2 = 1/(J*T). Its values
were carried over as data from the team's reference file; this script recomputes every one of
them from the signals with numpy/scipy only, sharing no code with the TypeScript engine:

- R_x(tau) = sum_n x[n] x[(n+tau) mod N] by direct sums (np.roll), not by FFT;
- Q_T = scipy.linalg.toeplitz(R_x[:T]) and its eigenvalues by LAPACK (scipy.linalg.eigvalsh on
  the full matrix, no centrosymmetric split);
- ||Q_T||_F^2 as the sum of the squared entries of the dense matrix;
- mean, variance, Cantelli, Chebyshev and Chernoff by the closed forms of docs/theory.md §3, §5;
- the exact law by Imhof's (1961) inversion formula, integrated with scipy.integrate.quad, and
  its quantiles by scipy.optimize.brentq (docs/theory.md §4-§5).

It also rebuilds the impulse and the sine and checks that they equal the fixture's samples.

  python3 scripts/reference/paper-signals.py            # compare with the fixture, exit 1 on a miss
  python3 scripts/reference/paper-signals.py --emit F   # also write this script's own values to F

Measured (Python 3.11, numpy 2.4.6, scipy 1.17.1; about 40 s on one core): the mean, variance,
Cantelli, Chebyshev and Chernoff values agree with the fixture to 1.2e-15 relative (roundoff),
the exact deviations to 2.3e-11 relative (the fixture's own sine cells, the same chi^2_J/J law
at every T, scatter by ~1e-11); the impulse and sine exact deviations also match scipy's chi2.ppf
(docs/theory.md §4) to 1e-9.
"""
import argparse
import json
import math
import pathlib
import sys
import warnings

import numpy as np
import scipy
from scipy import integrate, linalg, optimize
from scipy.stats import chi2

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "test" / "fixtures" / "paper-signals.json"
FIELDS = ("mean", "variance", "cantelli", "chebyshev", "chernoff", "exactUpper", "exactLower")
# Relative agreement the comparison demands. The moments and bounds are closed forms, so they
# agree to roundoff; the exact deviations come out of two numerical integrations (this one and
# the one that made the file), each good to ~1e-11 in the cdf.
TOLERANCE = {"mean": 1e-13, "variance": 1e-13, "cantelli": 1e-13, "chebyshev": 1e-13,
             "chernoff": 1e-13, "exactUpper": 1e-9, "exactLower": 1e-9}


def circular_autocorrelation(x: np.ndarray, lags: int) -> np.ndarray:
    """R_x(tau) for tau = 0..lags-1, by direct sums over n (docs/theory.md §2)."""
    return np.array([float(np.dot(x, np.roll(x, -tau))) for tau in range(lags)])


class ImhofLaw:
    """S = sum_i w_i Y_i, Y_i iid chi^2_k, by Imhof's formula (docs/theory.md §4).

    P(S > y) = 1/2 + (1/pi) int_0^inf sin(theta(u)) / (u rho(u)) du with
    theta(u) = (k/2) sum arctan(w_i u) - y u/2 and rho(u) = prod (1 + w_i^2 u^2)^(k/4).
    Weights are divided by their maximum first, so u is in units of 1/w_max.
    """

    def __init__(self, weights: np.ndarray, dof: float):
        w = np.asarray(weights, dtype=float)
        w = np.where(w < 0, 0.0, w)  # eigenvalues of a PSD matrix: negative ones are roundoff
        self.scale = float(w.max())
        w = w / self.scale
        self.w = w[w > 1e-14]
        self.k = float(dof)
        self.mean = self.k * float(self.w.sum())
        self.sd = math.sqrt(2 * self.k * float(np.sum(self.w ** 2)))
        # Upper limit U: the envelope tail int_U^inf du/(u rho) <= 1/(rho(U) g(U)), with
        # g = d log rho / d log u, must be below 1e-15.
        u = 1.0 / self.sd
        while True:
            log_rho, g = self._log_rho(u), self._growth(u)
            if g > 0 and -log_rho - math.log(g) < math.log(1e-15):
                break
            u *= 1.25
        self.upper = u

    def _log_rho(self, u: float) -> float:
        return 0.25 * self.k * float(np.sum(np.log1p((self.w * u) ** 2)))

    def _growth(self, u: float) -> float:
        x2 = (self.w * u) ** 2
        return 0.5 * self.k * float(np.sum(x2 / (1 + x2)))

    def _integrand(self, u: float, y: float) -> float:
        if u == 0.0:
            # Limit u -> 0: theta(u)/u -> (k/2) sum w - y/2.
            return 0.5 * self.k * float(self.w.sum()) - 0.5 * y
        theta = 0.5 * self.k * float(np.sum(np.arctan(self.w * u))) - 0.5 * y * u
        return math.sin(theta) / (u * math.exp(self._log_rho(u)))

    def sf_normalised(self, y: float) -> float:
        # Panels of at most ~20 radians of the -y u/2 phase, so quad sees no more than a few
        # oscillations per call.
        width = min(self.upper, 40.0 / max(y, 1e-300))
        edges = np.arange(0.0, self.upper, width)
        edges = np.append(edges, self.upper)
        total = 0.0
        # quad warns of roundoff where a panel's integral is below 1e-15 in absolute terms,
        # which is already past the accuracy asked for.
        warnings.simplefilter("ignore", integrate.IntegrationWarning)
        for a, b in zip(edges[:-1], edges[1:]):
            value, _ = integrate.quad(self._integrand, a, b, args=(y,), epsabs=1e-15, epsrel=1e-13, limit=200)
            total += value
        return 0.5 + total / math.pi

    def cdf(self, y: float) -> float:
        return 1.0 - self.sf_normalised(y / self.scale)

    def quantile(self, p: float) -> float:
        reach = self.sd * math.sqrt(1 / min(p, 1 - p) - 1)  # Cantelli bracket
        lo = max(1e-300, self.mean - reach)
        hi = self.mean + reach
        f = lambda y: (1.0 - self.sf_normalised(y)) - p
        return self.scale * optimize.brentq(f, lo, hi, xtol=1e-15 * self.mean, rtol=1e-15, maxiter=200)


def theory_cell(R: np.ndarray, T: int, J: int, p: float) -> dict:
    """The docs/theory.md §3-§5 values of one (signal, T) cell, for unit-energy signals."""
    energy = R[0]
    Q = linalg.toeplitz(R[:T])
    lam = linalg.eigvalsh(Q)
    frob2 = float(np.sum(Q * Q))
    sigma2 = 1.0 / (J * T)
    mean = J * T * sigma2 * energy
    variance = 2 * J * sigma2 ** 2 * frob2
    L = math.log(1 / p)
    a = J * T ** 2 * energy ** 2
    b = 2 * L * T * float(lam[-1]) * energy
    c = 2 * L * frob2
    law = ImhofLaw(lam * sigma2, J)
    return {
        "mean": mean / energy,
        "variance": variance / energy ** 2,
        "cantelli": math.sqrt((1 / p - 1) * variance) / mean,
        "chebyshev": math.sqrt(variance / p) / mean,
        "chernoff": (b + math.sqrt(b * b + 4 * a * c)) / (2 * a),
        "exactUpper": law.quantile(1 - p) / mean - 1,
        "exactLower": 1 - law.quantile(p) / mean,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fixture", default=str(FIXTURE))
    ap.add_argument("--emit", help="write this script's own values, in the fixture's format, to this file")
    args = ap.parse_args()
    ref = json.load(open(args.fixture))
    J, p = ref["J"], ref["p"]
    signals = {name: np.array(v, dtype=float) for name, v in ref["signals"].items()}
    N = len(signals["impulse"])

    impulse = np.zeros(N)
    impulse[513] = 1.0
    sine = np.cos(np.pi * np.arange(N))
    sine /= math.sqrt(float(np.sum(sine ** 2)))
    assert np.array_equal(signals["impulse"], impulse), "impulse differs from delta_513"
    assert np.array_equal(signals["sine"], sine), "sine differs from (-1)^n/sqrt(N)"
    brownian = signals["brownian"]
    steps = set(np.round(brownian / np.max(np.abs(brownian)), 12))
    assert steps <= {-1.0, 0.0, 1.0} and abs(float(np.sum(brownian ** 2)) - 1) < 1e-12, "brownian walk"

    max_T = max(cell["T"] for cell in ref["cells"])
    R = {name: circular_autocorrelation(x, max_T) for name, x in signals.items()}
    worst = {f: (0.0, "") for f in FIELDS}
    cells = []
    for cell in ref["cells"]:
        mine = theory_cell(R[cell["signal"]], cell["T"], J, p)
        k = J * cell["T"]
        if cell["signal"] == "impulse":  # chi^2_{JT}/(JT)
            assert abs(mine["exactUpper"] - (chi2.ppf(1 - p, k) / k - 1)) < 1e-9
        if cell["signal"] == "sine":  # chi^2_J/J at every T
            assert abs(mine["exactUpper"] - (chi2.ppf(1 - p, J) / J - 1)) < 1e-9
        out = {"signal": cell["signal"], "T": cell["T"]}
        for f in FIELDS:
            rel = abs(mine[f] - cell[f]) / abs(cell[f])
            if rel > worst[f][0]:
                worst[f] = (rel, f"{cell['signal']} T={cell['T']}")
            out[f] = mine[f]
        cells.append(out)
        print(f"{cell['signal']:8s} T={cell['T']:5d}  " + "  ".join(
            f"{f}={mine[f]:.12g}" for f in FIELDS), file=sys.stderr)

    ok = True
    summary = {}
    for f in FIELDS:
        rel, where = worst[f]
        summary[f] = rel
        status = "ok" if rel <= TOLERANCE[f] else "MISS"
        ok &= rel <= TOLERANCE[f]
        print(f"{f:11s} max relative difference {rel:.2e} ({where or 'all exact'}), tolerance {TOLERANCE[f]:.0e}: {status}",
              file=sys.stderr)
    if args.emit:
        doc = {
            "description": "paper-signals.py's own values for the signals of paper-signals.json",
            "source": f"numpy {np.__version__}, scipy {scipy.__version__}",
            "maxRelativeDifferenceToFixture": summary,
            "J": J, "p": p, "cells": cells,
        }
        pathlib.Path(args.emit).write_text(json.dumps(doc, indent=1) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
