"""A count of events over an exposure (failure incidents over a run's simulated time): MTBF's
confidence interval, and the test of two runs' counts against each other.

Why a module of its own: the run report, ``summary.json`` and ``soundcheck compare`` must say the
same thing of the same count, and a single MTBF figure ("1 incident in 120 s: MTBF 120 s") reads
as a measurement when it is one draw. Both rules allow for **over-dispersion**: a healthy
system's incidents spread more than a Poisson count's when one bad stretch of faults makes
several of them, and a Poisson interval or test would then be too sure of itself (false alarms).
``INCIDENT_DISPERSION`` is the variance/mean of healthy runs' counts, measured by
``bench/bench_incident_dispersion.py`` (bench/RESULTS.md, issue #11).

- **The interval** is the exact (Garwood) chi-square interval of a Poisson mean, on the count and
  exposure both divided by the dispersion (the quasi-Poisson scaling: the same rate, fewer
  effective events), inverted for MTBF: ``[2T / chi2(1 - a/2, 2n + 2), 2T / chi2(a/2, 2n)]``
  with ``n``, ``T`` so scaled; no upper bound with no event.
- **The test**, given n events in both runs and B's share ``p = t_B / (t_A + t_B)`` of the time:
  under "the same rate" B's count is binomial(n, p) for Poisson counts (the exact conditional
  test), and beta-binomial(n, n p / (d - 1), n (1 - p) / (d - 1)) for counts whose variance is d
  times their mean (negative binomial counts of a common shape, conditioned on their sum, with
  the rate taken as the pooled one); it tends to the binomial as d falls to 1. One-sided each
  way, so "worse" is decided at ``alpha`` whatever the other side says.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["INCIDENT_DISPERSION", "LEVEL", "CountTest", "count_test", "min_decidable", "mtbf_interval"]

#: the confidence level of MTBF's interval
LEVEL = 0.95
#: variance / mean of a healthy run's failure incident count, the largest measured over run
#: lengths of 5 and 15 minutes (``bench/bench_incident_dispersion.py``, 20 default-profile seeds
#: each: 0.65 at 5 min, 1.05 at 15 min, the chi-square test finding no over-dispersion at either,
#: p 0.87 and 0.40); 1 would be Poisson. Taken as measured, not rounded down to 1: a count more
#: spread than assumed false-alarms, one less spread only costs a little power
INCIDENT_DISPERSION = 1.05


def _gamma_p(a: float, x: float) -> float:
    """The regularized lower incomplete gamma function P(a, x): its series below ``a + 1``, its
    continued fraction (modified Lentz) above. Here and not ``scipy.special.gammainc`` because
    every run's report gives MTBF's interval and a short run loads no scipy (~0.2-0.5 s of CPU:
    ``tests/harness/test_startup_imports.py``); ``test_mtbf_interval.py`` holds it to scipy's."""
    if x <= 0.0:
        return 0.0
    log_front = a * math.log(x) - x - math.lgamma(a)
    if x < a + 1.0:
        term = total = 1.0 / a
        k = a
        while abs(term) > abs(total) * 1e-15:
            k += 1.0
            term *= x / k
            total += term
        return min(1.0, total * math.exp(log_front))
    tiny = 1e-300
    b = x + 1.0 - a
    c, d = 1.0 / tiny, 1.0 / b
    h = d
    for i in range(1, 10_000):
        an = -i * (i - a)
        b += 2.0
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1.0 / d
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return max(0.0, 1.0 - math.exp(log_front) * h)


def _chi2_ppf(q: float, df: float) -> float:
    """The ``q`` quantile of chi-square with ``df`` degrees of freedom (2 x the gamma(df / 2)
    quantile), by bisection on ``_gamma_p`` to a relative 1e-12."""
    a = df / 2.0
    lo, hi = 0.0, max(1.0, a)
    while _gamma_p(a, hi) < q:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if _gamma_p(a, mid) < q:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-12 * hi:
            break
    return lo + hi  # 2 x the midpoint


def _check_dispersion(dispersion: float) -> float:
    if not (math.isfinite(dispersion) and dispersion >= 1.0):
        raise ValueError(f"dispersion {dispersion!r}: give the variance/mean ratio, 1 (Poisson) or more")
    return float(dispersion)


def mtbf_interval(n: int, exposure_s: float, *, level: float = LEVEL,
                  dispersion: float = INCIDENT_DISPERSION) -> dict[str, Any] | None:
    """MTBF's interval at ``level`` for ``n`` events over ``exposure_s`` (None: no exposure).
    ``high_s`` is None with no event: any MTBF above ``low_s`` fits a run that saw none."""
    d = _check_dispersion(dispersion)
    if not exposure_s or exposure_s <= 0 or n < 0:
        return None
    tail = (1.0 - level) / 2.0
    n_eff, t_eff = n / d, exposure_s / d
    low = 2.0 * t_eff / _chi2_ppf(1.0 - tail, 2.0 * n_eff + 2.0)
    high = 2.0 * t_eff / _chi2_ppf(tail, 2.0 * n_eff) if n > 0 else None
    return {"low_s": low, "high_s": high, "level": level, "dispersion": d,
            "method": "exact chi-square interval of a Poisson count" + (
                f", count and time divided by the dispersion {d:g}" if d > 1.0 else "")}


@dataclass(frozen=True)
class CountTest:
    """The test of B's count against A's: p-values of "B's rate is higher" (``p_worse``) and
    "lower" (``p_better``), the total ``n`` and B's share of the time ``p``."""

    p_worse: float
    p_better: float
    n: int
    p: float


def _split(n: int, p: float, d: float) -> Any:
    """The distribution of B's count given ``n`` in both runs under the same rate."""
    from scipy import stats  # noqa: PLC0415 (compare's, never a run's: see ``_gamma_p``)

    if d <= 1.0 or n == 0:
        return stats.binom(n, p)
    return stats.betabinom(n, n * p / (d - 1.0), n * (1.0 - p) / (d - 1.0))


def count_test(n_a: int, n_b: int, t_a: float | None, t_b: float | None, *,
               dispersion: float = INCIDENT_DISPERSION) -> CountTest:
    """B's count against A's over their times (None or 0: taken as equal)."""
    d = _check_dispersion(dispersion)
    ta = t_a if t_a and t_a > 0 else None
    tb = t_b if t_b and t_b > 0 else None
    p = tb / (ta + tb) if ta is not None and tb is not None else 0.5
    n = n_a + n_b
    dist = _split(n, p, d)
    return CountTest(float(dist.sf(n_b - 1)), float(dist.cdf(n_b)), n, p)


def min_decidable(p: float, alpha: float, *, dispersion: float = INCIDENT_DISPERSION, cap: int = 10_000) -> int:
    """The fewest events in both runs for which the most extreme split (all in the run whose share
    of the time is ``p``) falls below ``alpha``: with fewer, no count can show a change. The one
    rule for "too short to compare" a count: ``compare`` asks it at the measured dispersion, the
    run history (``history_db``) at 1, the floor (counts more spread only raise it).

    At dispersion 1 the extreme split's chance is ``p**n`` (binomial), so the bound is the
    smallest n with ``p**n < alpha``, found without scipy (the history judges as a run ends,
    whose path imports none). Strictly below, as the tests decide: ``p**n == alpha`` (B's share
    0.1, alpha 0.001, three events) cannot show a change. A share outside (0, 1) gives 1."""
    d = _check_dispersion(dispersion)
    if not 0.0 < p < 1.0:
        return 1
    if d <= 1.0:
        n = max(1, math.floor(math.log(alpha) / math.log(p)))
        while n > 1 and p ** (n - 1) < alpha:  # the quotient's rounding, either way
            n -= 1
        while p ** n >= alpha and n < cap:
            n += 1
        return n
    for n in range(1, cap + 1):
        if float(_split(n, p, d).pmf(n)) < alpha:
            return n
    return cap
