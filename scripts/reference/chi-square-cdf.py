#!/usr/bin/env python3
"""Reference values of the chi-square cdf for src/core/theory/chi-square-cdf.test.ts.

SciPy's chi2.cdf (Cephes igam/igamc, with the large-a asymptotic series of igam_asy) at points
spread over the bulk of chi2_k, z = -6..8 standard deviations, for k from 1 to 8192: the
region k > 2000, x > max(k, 2000) is where @stdlib 0.3.1 is wrong (see chi-square-cdf.ts).

  python3 scripts/reference/chi-square-cdf.py > test/fixtures/chi-square-cdf.json
"""
import json
import math

import scipy
from scipy.stats import chi2

points = []
for k in (1, 3, 10, 80, 999, 1000, 1999, 2000, 2001, 2560, 4096, 8191, 8192):
    sd = math.sqrt(2 * k)
    for z in (-6, -4, -2, -1, -0.5, 0, 0.1, 0.5, 1, 2, 3, 4, 6, 8):
        x = k + z * sd
        if x <= 0:
            continue
        points.append({"k": k, "x": x, "cdf": float(chi2.cdf(x, k)), "sf": float(chi2.sf(x, k))})
print(json.dumps({"source": f"scipy {scipy.__version__} chi2.cdf / chi2.sf", "points": points}, indent=1))
