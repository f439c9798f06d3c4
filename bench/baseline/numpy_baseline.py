#!/usr/bin/env python3
"""Vectorised numpy baseline for `npm run bench` (docs/theory.md §1, §3, §6, §9).

Presets (Haider et al. 2024, paper scale sigma^2 = 1/(J*T), N = 1024, T = 8, 16, ..., 1024):

* frame-bounds: J = 40. Per trial and T, one draw of J Gaussian filters; the Littlewood-Paley
  sum LP[k] = sum_j |phi_hat_j[k]|^2 on the N-point grid (rfft half spectrum k = 0..N/2, which
  holds min and max because LP is even); A = min LP, B = max LP, normalised by
  E[LP] = J*T*sigma^2 (= 1); kappa = B/A. Summary per T: mean A, mean B, mean kappa.
* energy: J = 10, three unit-energy signals (impulse at n = 513, the paper's bounded Brownian
  walk, the alternating sine). One draw of the J filters per trial and T gives the energies of
  all three signals, vectorised over the chunk by one matmul:
  - Parseval through the LP sum, ||Phi x||^2 = (1/N) sum_k LP[k] |X[k]|^2 (half spectrum:
    weight 1 at k = 0 and N/2, 2 elsewhere): LP rows @ the signals' weighted |X|^2
    (--energy-route lp: every T; default route: T >= 512, where the LP comes from J direct
    N-point rffts anyway);
  - or, where r(tau) is the cheaper intermediate (T <= 256, default --energy-route autocorr),
    ||Phi x||^2 = sum_{|tau|<T} r(tau) R_x(tau) (docs/theory.md §6), r rows @ (w_tau R_x(tau)).
    This skips the N-point FFT of r; it is what the TypeScript engine's energy experiment
    does (src/experiments/energy/plan.ts), and it was the faster of the two here.
  Summary per (signal, T): mean and variance of the energy ratio and the theoretical variance
  2/(J*T^2) * sum_{|tau|<T} (T-|tau|) R_x(tau)^2 (docs/theory.md §3), with R_x = irfft(|X|^2) the
  circular autocorrelation, so the output can be sanity-checked.
  NOT computed here: the exact (generalized chi-square, Imhof/Davies) deviations of docs/theory.md
  §4-5, nor the Chernoff/Cantelli/Chebyshev bounds or lambda_max. The engine computes those;
  the bench notes that this baseline does not.

How it is computed (all float64, one thread, no Python loop over trials):

* Taps are drawn as standard normals with numpy.random.default_rng(seed).standard_normal(out=)
  into a preallocated (chunk, J, T) buffer, chunk after chunk, for each T in turn. Because the
  stream is consumed in the same order whatever the chunk size, results do not depend on the
  chunk size. sigma^2 is folded into the normalisation (LP is quadratic in the taps), which
  saves a pass over the taps: A_norm = min LP_std / (J*T), energy = LP_std @ W / (J*T).
* LP route per T, chosen as the cheaper one (the same rule the TypeScript engine uses):
  - "direct": one batched np.fft.rfft(taps, n=N, axis=-1) of all J*chunk filters, then
    LP = sum_j |.|^2 as an einsum over the float64 view (re^2 + im^2 summed over j), then
    adding re/im pairs. Used when M = 2^ceil(log2(2T-1)) >= N, i.e. T >= 512 at N = 1024.
  - "autocorr" (docs/theory.md §6): the summed linear autocorrelation r(tau) of the filters from J
    short rffts of size M >= 2T-1 (no aliasing), P = sum_j |.|^2, r = irfft(P, M); then
    LP = 2 Re rfft(r[0..T-1], n=N) - r(0), a single N-point FFT per trial instead of J.
  The two routes agree to ~1e-12 relative (checked by --self-check).
* Chunks are sized to a working-set budget (--chunk-mb, default 32 MB; well under 200 MB).
  All buffers are allocated once per run and reused as views; FFT outputs are written with
  out= so no temporaries are page-faulted in the hot loop.

Variants tried (2-core x86-64 shared with other jobs, numpy 2.4.6, 1000 trials, best of 3;
timings vary by ~5-10 % between runs):
* |X|^2 summed over j, per trial at J = 40, N = 1024 (the rfft itself is ~0.105 ms):
  (X.real**2 + X.imag**2).sum(1) 0.3-0.7 ms (temporaries, page faults);
  reshape(..., 2).sum(axis=(1, 3)) 0.31 ms; np.square in place + np.add.reduce over j
  0.013-0.03 ms; einsum('cjk,cjk->ck') on the float view 0.011 ms (kept).
* LP route: J direct N-point rffts for every T (--method direct): frame-bounds 1.79 s,
  energy 0.47 s; hybrid with the autocorrelation route for T <= 256 (--method auto, kept):
  frame-bounds 1.15-1.22 s, energy 0.30-0.33 s. LP from r as a cosine matmul
  (T x N/2+1) instead of one rfft: faster only for T <= 64, by ~2 us per trial (dropped).
* Energy: Parseval through LP for every T (--energy-route lp) 0.326 s vs r @ (w R_x) where
  r is the intermediate (--energy-route autocorr, kept) 0.300 s.
* Chunk budgets 4/8/16/32/128 MB: 4-32 MB within noise, 128 MB ~10 % slower; 32 MB kept.
The run time is dominated by the Gaussian draws: PCG64 + ziggurat at ~9.4 ns per normal,
82 M normals = ~0.77 s for frame-bounds, 20 M = ~0.19 s for energy.

CLI:
  python3 bench/baseline/numpy_baseline.py --preset frame-bounds|energy \
      [--trials 1000] [--seed 0] [--repeat 1] [--method auto|direct|autocorr] \
      [--energy-route lp|autocorr] [--chunk-mb 32] [--signals paper-signals.json]
  python3 bench/baseline/numpy_baseline.py --self-check
Prints one JSON line: {"preset","trials","cells","seconds","trialsPerSecond","summary"}.
"""

from __future__ import annotations

import os

# One thread: numpy's FFT is single-threaded; pin BLAS (used by the small matmuls) as well.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

N_DEFAULT = 1024
T_VALUES = (8, 16, 32, 64, 128, 256, 512, 1024)
PRESETS = {"frame-bounds": 40, "energy": 10}  # preset -> J
SIGNAL_NAMES = ("impulse", "brownian", "sine")


def next_pow2(n: int) -> int:
    return 1 << max(0, (n - 1).bit_length())


def lp_route(T: int, N: int, method: str) -> str:
    """Cheaper exact route for the LP sum of filters of length T on the N grid."""
    if method != "auto":
        return method
    return "direct" if next_pow2(2 * T - 1) >= N else "autocorr"


class Workspace:
    """Flat float64/complex128 buffers allocated once and handed out as C-contiguous views."""

    def __init__(self) -> None:
        self._bufs: dict[str, np.ndarray] = {}

    def reserve(self, name: str, size: int, dtype) -> None:
        b = self._bufs.get(name)
        if b is None or b.size < size:
            self._bufs[name] = np.empty(size, dtype=dtype)

    def view(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        return self._bufs[name][: math.prod(shape)].reshape(shape)


def _per_trial_bytes(J: int, T: int, N: int, route: str) -> int:
    K = N // 2 + 1
    if route == "direct":
        return 8 * J * T + 16 * J * K + 8 * 2 * K + 8 * K
    M = next_pow2(2 * T - 1)
    Km = M // 2 + 1
    return 8 * J * T + 16 * J * Km + 8 * 2 * Km + 8 * Km + 8 * M + 16 * K + 8 * K


def plan_chunks(J: int, N: int, trials: int, method: str, chunk_mb: float, Ts=T_VALUES):
    """Chunk size per T and a workspace large enough for all of them."""
    budget = int(chunk_mb * 2**20)
    K = N // 2 + 1
    plan, ws = [], Workspace()
    for T in Ts:
        route = lp_route(T, N, method)
        c = max(1, min(trials, budget // _per_trial_bytes(J, T, N, route)))
        plan.append((T, route, c))
        ws.reserve("taps", c * J * T, np.float64)
        ws.reserve("lp", c * K, np.float64)
        if route == "direct":
            ws.reserve("spec", c * J * K, np.complex128)
            ws.reserve("pow2", c * 2 * K, np.float64)
        else:
            M = next_pow2(2 * T - 1)
            Km = M // 2 + 1
            ws.reserve("spec", c * J * Km, np.complex128)
            ws.reserve("pow2", c * 2 * Km, np.float64)
            ws.reserve("pow", c * Km, np.float64)
            ws.reserve("r", c * M, np.float64)
            ws.reserve("lpspec", c * K, np.complex128)
    return plan, ws


def lp_sum(taps: np.ndarray, N: int, route: str, ws: Workspace):
    """LP half spectrum (c, N/2+1) of taps (c, J, T); also r (c, T) on the autocorr route.

    Not normalised: for unit-variance taps E[LP[k]] = J*T.
    """
    c, J, T = taps.shape
    K = N // 2 + 1
    lp = ws.view("lp", (c, K))
    if route == "direct":
        spec = ws.view("spec", (c, J, K))
        np.fft.rfft(taps, n=N, axis=-1, out=spec)
        sf = spec.view(np.float64)  # (c, J, 2K): re, im interleaved
        p2 = ws.view("pow2", (c, 2 * K))
        np.einsum("cjk,cjk->ck", sf, sf, out=p2)
        np.add(p2[:, 0::2], p2[:, 1::2], out=lp)
        return lp, None
    _, rT = _autocorr_only(taps, ws)  # r[tau], tau = 0..T-1 (r is even; M >= 2T-1)
    z = ws.view("lpspec", (c, K))
    np.fft.rfft(rT, n=N, axis=-1, out=z)
    # DFT of the even sequence r wrapped mod N = 2 Re(sum_{tau>=0} r e^{-i..}) - r(0)
    np.multiply(z.real, 2.0, out=lp)
    np.subtract(lp, rT[:, :1], out=lp)
    return lp, rT


# ----------------------------------------------------------------------------- signals


def paper_signals(N: int, seed: int) -> dict[str, np.ndarray]:
    """The paper's three unit-energy test signals (docs/theory.md §9)."""
    impulse = np.zeros(N)
    impulse[513 % N] = 1.0
    # Bounded Brownian walk; a stream independent of the filter draws.
    u = np.random.default_rng(seed).spawn(1)[0].random(N - 1)
    walk = np.zeros(N)
    w = 0
    for n in range(1, N):  # sequential because of the clamp; signal construction, not timed
        un = u[n - 1]
        if un < 0.15 and w > -1:
            w -= 1
        elif un > 0.85 and w < 1:
            w += 1
        walk[n] = w
    sine = np.where(np.arange(N) % 2 == 0, 1.0, -1.0)
    out = {}
    for name, x in (("impulse", impulse), ("brownian", walk), ("sine", sine)):
        e = float(x @ x)
        if e == 0.0:
            raise ValueError(f"{name} signal has zero energy (seed {seed})")
        out[name] = x / math.sqrt(e)
    return out


def load_signals(path: str) -> dict[str, np.ndarray]:
    with open(path) as f:
        d = json.load(f)
    sig = d.get("signals", d)
    return {name: np.asarray(sig[name], dtype=np.float64) for name in SIGNAL_NAMES}


def theory_variance(x: np.ndarray, J: int, T: int) -> float:
    """Var ||Phi x||^2 / ||x||^2 at the paper's scale (Gaussian taps, docs/theory.md §3)."""
    N = x.size
    R = np.fft.irfft(np.abs(np.fft.rfft(x)) ** 2, n=N)
    tau = np.arange(1, T)
    fro2 = T * R[0] ** 2 + 2.0 * np.dot(T - tau, R[tau] ** 2)
    return float(2.0 / (J * T * T) * fro2 / (x @ x) ** 2)


# ----------------------------------------------------------------------------- presets


def run_frame_bounds(trials, seed, J=40, N=N_DEFAULT, Ts=T_VALUES, method="auto", chunk_mb=32.0):
    rng = np.random.default_rng(seed)
    plan, ws = plan_chunks(J, N, trials, method, chunk_mb, Ts)
    A = np.empty((len(Ts), trials))
    B = np.empty((len(Ts), trials))
    for i, (T, route, c) in enumerate(plan):
        norm = 1.0 / (J * T)  # E[LP] for unit-variance taps is J*T; sigma^2 folds into it
        for s in range(0, trials, c):
            cc = min(c, trials - s)
            taps = ws.view("taps", (cc, J, T))
            rng.standard_normal(out=taps)
            lp, _ = lp_sum(taps, N, route, ws)
            np.min(lp, axis=1, out=A[i, s : s + cc])
            np.max(lp, axis=1, out=B[i, s : s + cc])
        A[i] *= norm
        B[i] *= norm
    np.maximum(A, 0.0, out=A)  # LP is a sum of squares; roundoff could dip below 0
    with np.errstate(divide="ignore"):
        kappa = B / A
    cells = []
    for i, (T, route, _) in enumerate(plan):
        k = kappa[i]
        finite = bool(np.all(np.isfinite(k)))
        cells.append(
            {
                "T": T,
                "route": route,
                "meanA": float(A[i].mean()),
                "meanB": float(B[i].mean()),
                "meanKappa": float(k.mean()) if finite else None,
                "sdA": float(A[i].std(ddof=1)) if trials > 1 else None,
                "sdB": float(B[i].std(ddof=1)) if trials > 1 else None,
                "sdKappa": float(k.std(ddof=1)) if finite and trials > 1 else None,
            }
        )
    return {"N": N, "J": J, "sigma2": "1/(J*T)", "cells": cells}, (A, B, kappa)


def run_energy(
    trials,
    seed,
    signals,
    J=10,
    Ts=T_VALUES,
    method="auto",
    energy_route="autocorr",
    chunk_mb=32.0,
):
    names = list(signals)
    X = np.stack([signals[n] for n in names])  # (S, N)
    N = X.shape[1]
    K = N // 2 + 1
    rng = np.random.default_rng(seed)
    plan, ws = plan_chunks(J, N, trials, method, chunk_mb, Ts)
    # Parseval weights: ||Phi x||^2 = (1/N) sum_{k=0}^{N-1} LP[k] |X[k]|^2 on the half spectrum
    wk = np.full(K, 2.0)
    wk[0] = 1.0
    if N % 2 == 0:
        wk[-1] = 1.0
    X2 = np.abs(np.fft.rfft(X, axis=-1)) ** 2  # (S, K)
    W = np.ascontiguousarray((wk * X2 / N).T)  # (K, S)
    Rx = np.fft.irfft(X2, n=N, axis=-1)  # circular autocorrelations (S, N)
    energy_sq = np.sum(X * X, axis=1)
    E = np.empty((len(Ts), trials, len(names)))
    for i, (T, route, c) in enumerate(plan):
        WT = W / (J * T)  # sigma^2 = 1/(J*T) folded into the weights
        use_r = energy_route == "autocorr" and route == "autocorr"
        if use_r:
            wt = np.full(T, 2.0)
            wt[0] = 1.0
            V = np.ascontiguousarray((wt * Rx[:, :T]).T) / (J * T)  # (T, S)
        for s in range(0, trials, c):
            cc = min(c, trials - s)
            taps = ws.view("taps", (cc, J, T))
            rng.standard_normal(out=taps)
            if use_r:
                # ||Phi x||^2 = sum_{|tau|<T} r(tau) R_x(tau); the N-point FFT is skipped
                _, r = _autocorr_only(taps, ws)
                np.matmul(r, V, out=E[i, s : s + cc])
            else:
                lp, _ = lp_sum(taps, N, route, ws)
                np.matmul(lp, WT, out=E[i, s : s + cc])
    E /= energy_sq  # ratio ||Phi x||^2 / ||x||^2 (1 for unit-energy signals)
    cells = []
    for si, name in enumerate(names):
        for i, (T, route, _) in enumerate(plan):
            e = E[i, :, si]
            cells.append(
                {
                    "signal": name,
                    "T": T,
                    "route": "autocorrelation" if (energy_route == "autocorr" and route == "autocorr") else f"lp-{route}",
                    "mean": float(e.mean()),
                    "variance": float(e.var(ddof=1)) if trials > 1 else None,
                    "theoryMean": 1.0,
                    "theoryVariance": theory_variance(signals[name], J, T),
                }
            )
    summary = {
        "N": N,
        "J": J,
        "sigma2": "1/(J*T)",
        "note": "exact generalized-chi-square deviations (docs/theory.md §4-5) are not computed by this baseline",
        "cells": cells,
    }
    return summary, E


def _autocorr_only(taps: np.ndarray, ws: Workspace):
    """r(0..T-1) of taps (c, J, T) by J short rffts (the first half of lp_sum's autocorr route)."""
    c, J, T = taps.shape
    M = next_pow2(2 * T - 1)
    Km = M // 2 + 1
    spec = ws.view("spec", (c, J, Km))
    np.fft.rfft(taps, n=M, axis=-1, out=spec)
    sf = spec.view(np.float64)
    p2 = ws.view("pow2", (c, 2 * Km))
    np.einsum("cjk,cjk->ck", sf, sf, out=p2)
    p = ws.view("pow", (c, Km))
    np.add(p2[:, 0::2], p2[:, 1::2], out=p)
    r = ws.view("r", (c, M))
    np.fft.irfft(p, n=M, axis=-1, out=r)
    return None, r[:, :T]


# ----------------------------------------------------------------------------- self-check


def self_check() -> None:
    rng = np.random.default_rng(12345)
    N = N_DEFAULT
    sig = paper_signals(N, 7)

    # 1. LP routes agree with each other and with a plain per-filter |DFT|^2; Parseval through
    #    LP agrees with energies of explicit time-domain circular convolutions.
    for T in (8, 24, 100, 256, 512, 1024):
        J = 5
        c = 3
        taps = rng.standard_normal((c, J, T))
        ref = (np.abs(np.fft.fft(taps, n=N, axis=-1)) ** 2).sum(axis=1)[:, : N // 2 + 1]
        for route in ("direct", "autocorr"):
            _, ws2 = plan_chunks(J, N, c, route, 32.0, (T,))
            lp, _ = lp_sum(taps, N, route, ws2)
            err = np.max(np.abs(lp - ref)) / np.max(ref)
            assert err < 1e-12, f"LP route {route} T={T}: rel err {err:.3g}"
        # time-domain circular convolution y_j[n] = sum_t phi_j[t] x[(n - t) mod N]
        idx = (np.arange(N)[:, None] - np.arange(T)[None, :]) % N
        for name, x in sig.items():
            Xmat = x[idx]  # (N, T)
            y = Xmat @ taps[0].T  # (N, J)
            e_conv = float(np.sum(y * y))
            wk = np.full(N // 2 + 1, 2.0)
            wk[0] = wk[-1] = 1.0
            e_lp = float(ref[0] @ (wk * np.abs(np.fft.rfft(x)) ** 2)) / N
            assert abs(e_conv - e_lp) <= 1e-10 * max(1.0, e_conv), f"Parseval {name} T={T}"
            # and the autocorrelation form sum_{|tau|<T} r(tau) R_x(tau)
            r = np.array([np.sum(taps[0][:, : T - t] * taps[0][:, t:]) for t in range(T)])
            R = np.fft.irfft(np.abs(np.fft.rfft(x)) ** 2, n=N)
            e_r = r[0] * R[0] + 2 * np.dot(r[1:], R[1:T])
            assert abs(e_conv - e_r) <= 1e-10 * max(1.0, e_conv), f"autocorr energy {name} T={T}"

    # 2. Closed-form theoretical variances (docs/theory.md §4): impulse 2/(J*T), sine 2/J.
    for T in T_VALUES:
        assert abs(theory_variance(sig["impulse"], 10, T) - 2 / (10 * T)) < 1e-12, f"impulse T={T}"
        assert abs(theory_variance(sig["sine"], 10, T) - 2 / 10) < 1e-12, f"sine T={T}"

    # 3. Energy Monte Carlo: means within 5 standard errors of 1, variances within 5 standard
    #    errors of theory (SE of the sample variance from the sample 4th central moment).
    #    Both energy routes must give the same numbers (same draws).
    n = 2000
    summ, E = run_energy(n, 3, sig, energy_route="lp")
    summ2, E2 = run_energy(n, 3, sig, energy_route="autocorr", chunk_mb=1.0)
    assert np.max(np.abs(E - E2)) < 1e-10, "energy routes / chunk sizes disagree"
    for cell, (i, si) in zip(
        summ["cells"], [(i, si) for si in range(3) for i in range(len(T_VALUES))]
    ):
        e = E[i, :, si]
        sd = e.std(ddof=1)
        se_mean = sd / math.sqrt(n)
        m4 = np.mean((e - e.mean()) ** 4)
        se_var = math.sqrt(max(m4 - sd**4, 0.0) / n)
        tv = cell["theoryVariance"]
        assert abs(cell["mean"] - 1.0) <= 5 * se_mean, f"energy mean {cell}"
        assert abs(cell["variance"] - tv) <= 5 * se_var, f"energy variance {cell} (se {se_var:.3g})"

    # 4. Frame bounds: mean A < 1 < B at every T; chunking does not change results; T=8 and
    #    T=1024 means within 5 SE (+0.005 rounding) of docs/theory.md §9's 4000-trial reference.
    n = 300
    fb, (A, B, _) = run_frame_bounds(n, 11)
    fb2, (A2, B2, _) = run_frame_bounds(n, 11, chunk_mb=0.5, method="direct")
    assert np.max(np.abs(A - A2)) < 1e-10 and np.max(np.abs(B - B2)) < 1e-10, "chunk/route"
    for cell in fb["cells"]:
        assert cell["meanA"] < 1.0 < cell["meanB"], f"frame bounds {cell}"
    # The printed means of test/fixtures/paper-experiments.json (made by
    # scripts/reference/paper-experiments.py), found from this file so any clone works.
    fixture = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "fixtures",
                           "paper-experiments.json")
    with open(fixture) as f:
        printed = json.load(f)["printed"]["frameBoundsFigure"]["monteCarloMeans"]
    ref = {m["T"]: (m["A"], m["B"]) for m in printed}
    for cell in fb["cells"]:
        if cell["T"] in ref:
            ra, rb = ref[cell["T"]]
            ta = 5 * cell["sdA"] / math.sqrt(n) + 0.005
            tb = 5 * cell["sdB"] / math.sqrt(n) + 0.005
            assert abs(cell["meanA"] - ra) <= ta, f"E[A] at T={cell['T']}: {cell['meanA']} vs {ra}"
            assert abs(cell["meanB"] - rb) <= tb, f"E[B] at T={cell['T']}: {cell['meanB']} vs {rb}"
    print("ok")


# ----------------------------------------------------------------------------- CLI


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS))
    ap.add_argument("--trials", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--repeat", type=int, default=1, help="report the best of k runs")
    ap.add_argument("--method", choices=("auto", "direct", "autocorr"), default="auto",
                    help="LP route (default: the cheaper one per T)")
    ap.add_argument("--energy-route", choices=("lp", "autocorr"), default="autocorr",
                    help="energy preset: r . R_x where cheaper (default) or always Parseval through LP")
    ap.add_argument("--chunk-mb", type=float, default=32.0, help="working-set budget per chunk")
    ap.add_argument("--signals", help="energy preset: JSON with signals.{impulse,brownian,sine}")
    ap.add_argument("--self-check", action="store_true")
    args = ap.parse_args(argv)

    if args.self_check:
        self_check()
        return 0
    if args.preset is None:
        ap.error("--preset is required (or --self-check)")
    if args.trials < 1 or args.repeat < 1:
        ap.error("--trials and --repeat must be >= 1")

    J = PRESETS[args.preset]
    if args.preset == "energy":
        signals = load_signals(args.signals) if args.signals else paper_signals(N_DEFAULT, args.seed)

    best = math.inf
    summary = None
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        if args.preset == "frame-bounds":
            summary, _ = run_frame_bounds(args.trials, args.seed, J=J, method=args.method,
                                          chunk_mb=args.chunk_mb)
        else:
            summary, _ = run_energy(args.trials, args.seed, signals, J=J, method=args.method,
                                    energy_route=args.energy_route, chunk_mb=args.chunk_mb)
        best = min(best, time.perf_counter() - t0)

    cells = len(T_VALUES)
    summary["method"] = args.method
    if args.preset == "energy":
        summary["energyRoute"] = args.energy_route
    summary["numpy"] = np.__version__
    out = {
        "preset": args.preset,
        "trials": args.trials,
        "cells": cells,
        "seconds": best,
        "trialsPerSecond": args.trials * cells / best,
        "summary": summary,
    }
    sys.stdout.write(json.dumps(out, allow_nan=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
