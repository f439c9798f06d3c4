#!/usr/bin/env python3
"""Reference values of the paper's experiments (docs/theory.md §9) for the tests.

  python3 scripts/reference/paper-experiments.py > test/fixtures/paper-experiments.json

The fixture has three parts:

- "printed": the values the project's specification printed (the deviation table of the energy
  figure, the 4000-trial Monte Carlo means of the frame-bound figure, the chi^2 model at
  T = 1024), carried over as data with the number of decimals they were printed to. Tests
  compare against these, at half a unit in the last printed place plus their statistical error.
- "closedForms": the same energy-figure values at full precision from their closed forms
  (docs/theory.md §4-§5: impulse chi^2_{JT}/(JT), sine chi^2_J/J) with scipy, and the paper's
  chi^2 model of E[A], E[B] (docs/theory.md §7) by scipy.integrate.quad for every T.
- "monteCarlo": this script's own Monte Carlo of the frame-bound figure (numpy
  default_rng(SEED), Gaussian taps at the paper's scale, LP on the N-point rfft grid), with
  the standard error of every mean, so the printed means can be judged against an independent
  regeneration.

The script asserts that the closed forms round to the printed digits, and that each printed
Monte Carlo mean lies within 4 combined standard errors (its own 4000 trials and ours) plus half
a printed unit of this script's mean. It needs numpy and scipy; the Monte Carlo takes about a
minute on one core.
"""
import json
import math
import sys

import numpy as np
import scipy
from scipy import integrate
from scipy.stats import chi2

SEED = 20240905  # arXiv:2309.05855 appeared in September 2023; any fixed seed would do
N = 1024
FILTER_LENGTHS = [8, 16, 32, 64, 128, 256, 512, 1024]

PRINTED = {
    "energyFigure": {
        "N": N, "J": 10, "p": 0.05, "filterLengths": FILTER_LENGTHS, "decimals": 5,
        "impulse": {
            "cantelli": [0.68920, 0.48734, 0.34460, 0.24367, 0.17230, 0.12183, 0.08615, 0.06092],
            "chernoff": [0.31366, 0.21314, 0.14651, 0.10155, 0.07080, 0.04956, 0.03480, 0.02448],
            "exactUpper": {"decimals": 6, "T": [8, 64], "values": [0.273493, 0.093692]},
        },
        "sine": {
            "cantelli": 1.94936, "chernoff": 1.12957,
            "exactUpper": 0.830704, "exactLower": 0.605970, "exactDecimals": 6,
        },
    },
    "frameBoundsFigure": {
        "N": N, "J": 40, "trials": 4000,
        "monteCarloMeans": [
            {"T": 8, "A": 0.760, "B": 1.271, "kappa": 1.70},
            {"T": 1024, "A": 0.586, "B": 1.554, "kappa": 2.67},
        ],
        "meanDecimals": {"A": 3, "B": 3, "kappa": 2},
        "chi2Model": {"T": 1024, "A": 0.43, "B": 1.89, "decimals": 2},
    },
}


def chernoff(J, T, lam_max, frob2, p):
    """docs/theory.md §5 for a unit-energy signal."""
    L = math.log(1 / p)
    a, b, c = J * T * T, 2 * L * T * lam_max, 2 * L * frob2
    return (b + math.sqrt(b * b + 4 * a * c)) / (2 * a)


def energy_closed_forms(J, p):
    impulse = []
    for T in FILTER_LENGTHS:
        k = J * T
        var = 2 / k  # Q_T = I: ||Q_T||_F^2 = T, lambda_max = 1
        impulse.append({
            "T": T,
            "cantelli": math.sqrt((1 / p - 1) * var),
            "chebyshev": math.sqrt(var / p),
            "chernoff": chernoff(J, T, 1.0, T, p),
            "exactUpper": chi2.ppf(1 - p, k) / k - 1,
            "exactLower": 1 - chi2.ppf(p, k) / k,
        })
    T = 8  # Q_T = v v^T with v_t = (-1)^t: lambda_max = T, ||Q_T||_F^2 = T^2, at every T
    var = 2 / J
    sine = {
        "cantelli": math.sqrt((1 / p - 1) * var),
        "chebyshev": math.sqrt(var / p),
        "chernoff": chernoff(J, T, T, T * T, p),
        "exactUpper": chi2.ppf(1 - p, J) / J - 1,
        "exactLower": 1 - chi2.ppf(p, J) / J,
    }
    return impulse, sine


def chi2_model(J, T):
    """E[min] and E[max] of T iid chi^2_J/J (docs/theory.md §7), by quadrature."""
    sf = lambda y: chi2.sf(y * J, J)
    cdf = lambda y: chi2.cdf(y * J, J)
    top = chi2.isf(1e-17 / T, J) / J * 1.5
    opts = dict(epsabs=1e-14, epsrel=1e-12, limit=500, points=[0.5, 1.0, 1.5, 2.0])
    e_min, _ = integrate.quad(lambda y: sf(y) ** T, 0, top, **opts)
    e_max, _ = integrate.quad(lambda y: -math.expm1(T * math.log(cdf(y))) if cdf(y) > 0 else 1.0, 0, top, **opts)
    return e_min, e_max


def monte_carlo(J, trials, seed, chunk=250):
    """Mean and standard error of A, B, kappa per T; LP = sum_j |rfft(phi_j, N)|^2."""
    rng = np.random.default_rng(seed)
    out = []
    for T in FILTER_LENGTHS:
        sigma = math.sqrt(1 / (J * T))
        level = J * T * sigma ** 2  # E[LP[k]] = 1 at the paper's scale
        A = np.empty(trials)
        B = np.empty(trials)
        for start in range(0, trials, chunk):
            n = min(chunk, trials - start)
            taps = rng.standard_normal((n, J, T)) * sigma
            lp = np.sum(np.abs(np.fft.rfft(taps, n=N, axis=-1)) ** 2, axis=1)  # LP is even
            A[start:start + n] = lp.min(axis=1) / level
            B[start:start + n] = lp.max(axis=1) / level
        kappa = B / A
        cell = {"T": T}
        for name, x in (("A", A), ("B", B), ("kappa", kappa)):
            cell[name] = {"mean": float(x.mean()), "se": float(x.std(ddof=1) / math.sqrt(trials)),
                          "std": float(x.std(ddof=1))}
        out.append(cell)
    return out


def main() -> int:
    ef = PRINTED["energyFigure"]
    impulse, sine = energy_closed_forms(ef["J"], ef["p"])
    half5 = 0.5e-5 + 1e-12
    for i, cell in enumerate(impulse):
        assert abs(cell["cantelli"] - ef["impulse"]["cantelli"][i]) <= half5, cell
        assert abs(cell["chernoff"] - ef["impulse"]["chernoff"][i]) <= half5, cell
    for T, v in zip(ef["impulse"]["exactUpper"]["T"], ef["impulse"]["exactUpper"]["values"]):
        assert abs(next(c for c in impulse if c["T"] == T)["exactUpper"] - v) <= 0.5e-6 + 1e-12
    for key in ("cantelli", "chernoff"):
        assert abs(sine[key] - ef["sine"][key]) <= half5, key
    for key in ("exactUpper", "exactLower"):
        assert abs(sine[key] - ef["sine"][key]) <= 0.5e-6 + 1e-12, key

    fb = PRINTED["frameBoundsFigure"]
    J = fb["J"]
    model = []
    for T in FILTER_LENGTHS:
        e_min, e_max = chi2_model(J, T)
        model.append({"T": T, "A": e_min, "B": e_max})
    last = model[-1]
    assert round(last["A"], 2) == fb["chi2Model"]["A"] and round(last["B"], 2) == fb["chi2Model"]["B"], last

    trials = fb["trials"]
    mc = monte_carlo(J, trials, SEED)
    checks = []
    for ref in fb["monteCarloMeans"]:
        mine = next(c for c in mc if c["T"] == ref["T"])
        for name in ("A", "B", "kappa"):
            # The printed mean has its own SE from 4000 trials, about ours: combine them.
            se = math.sqrt(2) * mine[name]["se"]
            half = 0.5 * 10 ** -fb["meanDecimals"][name]
            diff = mine[name]["mean"] - ref[name]
            checks.append({"T": ref["T"], "quantity": name, "printed": ref[name], "regenerated": mine[name]["mean"],
                           "differenceInCombinedSE": diff / se})
            assert abs(diff) <= 4 * se + half, (ref, name, mine[name])

    doc = {
        "description": "Reference values of the paper's experiments (docs/theory.md §9): the energy figure's "
                       "deviation table, the frame-bound figure's Monte Carlo means and the chi^2 model.",
        "source": f"scripts/reference/paper-experiments.py (numpy {np.__version__}, scipy {scipy.__version__})",
        "printed": PRINTED,
        "closedForms": {"energyFigure": {"impulse": impulse, "sine": sine},
                        "frameBoundsChi2Model": {"N": N, "J": J, "cells": model}},
        "monteCarlo": {"generator": "numpy.random.default_rng", "seed": SEED, "N": N, "J": J,
                       "trials": trials, "scale": "paper, sigma^2 = 1/(J*T); A, B divided by J*T*sigma^2",
                       "cells": mc, "printedVersusRegenerated": checks},
    }
    json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
