"""The leak judge's statistics on series small enough to work by hand, and its shapes on series
whose shape is built in.

Each expected figure is computed here from the textbook definitions, not read back from the code:
Theil-Sen is the median of the pairwise slopes (pairs at one time, or across two process
lifetimes, skipped); Mann-Kendall's S counts rising minus falling pairs, its variance is
``(n(n-1)(2n+5) - sum over tied groups of t(t-1)(2t+5)) / 18``, and the one-sided p is the normal
tail above ``(S - 1) / sd`` (``(S + 1) / sd`` for a negative S, 0 for S = 0); Sen's interval takes
the sorted slopes at ranks ``floor((N - c) / 2)`` and ``ceil((N + c) / 2)``, ``c`` the normal
quantile at ``1 - alpha`` times that sd, clamped to the slopes there are.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from harness.leaks import mann_kendall_p, sen_interval, theil_sen

G = np.array


def _sd(n: int, ties: tuple[int, ...] = ()) -> float:
    return math.sqrt((n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18)


MK: list[tuple[list[float], list[int] | None, float]] = [
    # strictly rising, n = 10: S = 45
    (list(range(10)), None, float(norm.sf(44 / _sd(10)))),
    # strictly falling: S = -45
    ([-x for x in range(10)], None, float(norm.sf(-44 / _sd(10)))),
    # [1, 1, 2]: S = 2, one tie of two
    ([1, 1, 2], None, float(norm.sf(1 / _sd(3, (2,))))),
    # S = -1 and S = 0: both z = 0
    ([3, 1, 2], None, 0.5),
    ([1, 2, 1], None, 0.5),
    # constant: no variance, no trend
    ([4, 4, 4, 4], None, 1.0),
    # two lifetimes, each rising by 3 pairs: S = 6, the variances added; across them it falls
    ([1, 2, 3, 0, 1, 2], [0, 0, 0, 1, 1, 1], float(norm.sf(5 / math.sqrt(2 * _sd(3) ** 2)))),
    # a lifetime of one sample adds nothing: S = 1 from the first, whose variance is 1
    ([1, 2, 0], [0, 0, 1], 0.5),
]


@pytest.mark.parametrize(("y", "groups", "p"), MK)
def test_mann_kendall_p_by_hand(y: list[float], groups: list[int] | None, p: float) -> None:
    got = mann_kendall_p(np.asarray(y, dtype=float), None if groups is None else G(groups))
    assert got == pytest.approx(p, rel=1e-12, abs=1e-15)


TS: list[tuple[list[float], list[float], list[int] | None, float]] = [
    ([0, 1, 2, 3, 4], [0, 2, 4, 6, 100], None, 2.0),  # six slopes of 2 among ten: the spike moves nothing
    ([0, 0, 1], [0, 5, 1], None, -1.5),  # the pair at one time skipped: median of 1 and -4
    ([0, 1, 2, 3, 4, 5], [0, 1, 2, -10, -9, -8], [0, 0, 0, 1, 1, 1], 1.0),  # never across lifetimes
    ([0, 1, 2, 3], [0, 1, 3, 2], None, 0.833333333333333),  # median of -1, .5, 2/3, 1, 1.5, 2
]


@pytest.mark.parametrize(("t", "y", "groups", "slope"), TS)
def test_theil_sen_by_hand(t: list[float], y: list[float], groups: list[int] | None, slope: float) -> None:
    got = theil_sen(np.asarray(t, dtype=float), np.asarray(y, dtype=float), None if groups is None else G(groups))
    assert got == pytest.approx(slope, rel=1e-12)


def test_theil_sen_and_sen_interval_of_samples_all_at_one_time_are_nan() -> None:
    t, y = np.zeros(3), np.arange(3.0)
    assert math.isnan(theil_sen(t, y))
    lo, hi = sen_interval(t, y)
    assert math.isnan(lo) and math.isnan(hi)


def _sen_by_hand(slopes: list[float], s_sd: float, alpha: float) -> tuple[float, float]:
    s = sorted(slopes)
    c = norm.ppf(1 - alpha) * s_sd
    lo = min(max(math.floor((len(s) - c) / 2), 0), len(s) - 1)
    hi = min(max(math.ceil((len(s) + c) / 2), 0), len(s) - 1)
    return s[lo], s[hi]


SLOPES_0132 = [1.0, 1.5, 2 / 3, 2.0, 0.5, -1.0]  # every pair of t = 0..3, y = 0, 1, 3, 2


@pytest.mark.parametrize(("alpha", "interval"), [
    (0.01, (-1.0, 2.0)),  # c = 6.85: clamped at both ends
    (0.3, (2 / 3, 1.5)),  # c = 1.54: ranks 2 and 4
    (0.45, _sen_by_hand(SLOPES_0132, _sd(4), 0.45)),
])
def test_sen_interval_by_hand(alpha: float, interval: tuple[float, float]) -> None:
    assert interval == pytest.approx(_sen_by_hand(SLOPES_0132, _sd(4), alpha))
    got = sen_interval(np.arange(4.0), G([0.0, 1, 3, 2]), alpha=alpha)
    assert got == pytest.approx(interval, rel=1e-12)


def test_sen_interval_of_a_line_is_its_slope_and_skips_other_lifetimes() -> None:
    assert sen_interval(np.arange(10.0), 2 * np.arange(10.0)) == (2.0, 2.0)
    t = np.arange(8.0)
    y = G([0.0, 3, 6, 9, -50, -47, -44, -41])
    assert sen_interval(t, y, G([0, 0, 0, 0, 1, 1, 1, 1])) == (3.0, 3.0)


# --- the judge's shapes: series built to have one, and the edges of its rules ------------------------

from harness.leaks import MiB, judge  # noqa: E402

T2H = np.arange(0, 7201, 60.0)  # two hours, a sample a minute: the first 720 s are the warm-up
T30M = np.arange(0, 1801, 30.0)


def _noise(seed: int, sd: float) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, sd, T2H.size)


def _late_noisy(seed: int) -> np.ndarray:
    """40 MiB/h for the first hour, then level with 20 MiB of noise and 8 MiB/h under it."""
    late = 40 * MiB + _noise(seed, 20 * MiB) + (T2H - 3600) / 3600 * 8 * MiB
    return np.where(T2H < 3600, T2H / 3600 * 40 * MiB, late) + 100 * MiB


def _piecewise(t: np.ndarray) -> np.ndarray:
    """2 a second up to t = 3960 s (the judged window's middle), then 1 a second."""
    return np.where(t <= 3960, 2 * t, 2 * 3960 + (t - 3960))


ALT = np.where(np.arange(T2H.size) % 2, 1.0, -1.0)

#: (name, metric, times, values, judge's keywords, verdict, shape)
SHAPES: list[tuple[str, str, np.ndarray, np.ndarray, dict[str, float], str, str]] = [
    ("flat", "rss_bytes", T2H, 100 * MiB + 1000 * ALT, {}, "ok", "flat"),
    ("small", "rss_bytes", T2H, 100 * MiB + T2H / 3600 * MiB, {}, "ok", "small"),
    ("linear leak", "rss_bytes", T2H, 100 * MiB + T2H / 3600 * 40 * MiB, {}, "leak", "growing"),
    ("levelled off", "rss_bytes", T2H, 100 * MiB + 200 * MiB * (1 - np.exp(-T2H / 900)), {}, "ok", "saturating"),
    ("still slowing", "rss_bytes", T2H, 100 * MiB + 400 * MiB * (1 - np.exp(-T2H / 3000)), {}, "inconclusive",
     "slowing"),
    ("slowing too little", "rss_bytes", T2H, 100 * MiB + 400 * MiB * (1 - np.exp(-T2H / 6000)), {}, "leak",
     "growing"),
    ("noise over a trend", "rss_bytes", T2H, 100 * MiB + _noise(1, 30 * MiB) + T2H / 3600 * 5 * MiB, {}, "ok",
     "flat"),
    ("two threads", "threads", T2H, 10 + (T2H >= 2400) + (T2H >= 4800) + 0.0, {}, "ok", "step"),
    ("a thread every 10 min", "threads", T2H, 10 + np.floor(T2H / 600), {}, "leak", "growing"),
    ("one jump over a creep under the threshold", "rss_bytes", T2H,
     100 * MiB + (T2H >= 3960) * 50 * MiB + T2H / 3600 * 2 * MiB, {}, "ok", "step"),
    ("one jump over a creep over the threshold", "rss_bytes", T2H,
     100 * MiB + (T2H >= 3960) * 50 * MiB + T2H / 3600 * 5 * MiB, {}, "leak", "growing"),
    ("late half not significant", "rss_bytes", T2H, _late_noisy(1), {}, "inconclusive", "unclear"),
    ("late half too few", "rss_bytes", T2H, 100 * MiB + T2H / 3600 * 40 * MiB, {"min_samples": 80},
     "inconclusive", "unclear"),
    ("short, 40 MiB/h", "rss_bytes", T30M, 100 * MiB + T30M / 3600 * 40 * MiB, {}, "inconclusive", "growing"),
    ("short, 300 MiB/h", "rss_bytes", T30M, 100 * MiB + T30M / 3600 * 300 * MiB, {}, "leak", "growing"),
    # the edges, on integer series whose slopes are exact: the window's 60 s and 3000 s, the 64x
    # factor, the growth the trend must add, the late slope at the threshold
    ("60 s window", "x", np.arange(0, 61.0), np.arange(0, 61.0) * 1000, {"threshold_per_hour": 1.0}, "leak",
     "growing"),
    ("59 s window", "x", np.arange(0, 60.0), np.arange(0, 60.0) * 1000, {"threshold_per_hour": 1.0},
     "inconclusive", "growing"),
    ("short, 64x the threshold", "x", T30M, 64 * T30M, {"threshold_per_hour": 3600.0}, "leak", "growing"),
    ("short, 63x the threshold", "x", T30M, 63 * T30M, {"threshold_per_hour": 3600.0}, "inconclusive", "growing"),
    ("3000 s window", "x", np.arange(0, 3001, 30.0), 2 * np.arange(0, 3001, 30.0), {"threshold_per_hour": 3600.0},
     "leak", "growing"),
    ("2970 s window", "x", np.arange(0, 2971, 30.0), 2 * np.arange(0, 2971, 30.0), {"threshold_per_hour": 3600.0},
     "inconclusive", "growing"),
    ("growth just the need", "x", np.arange(0, 3601, 60.0), np.arange(0, 3601, 60.0),
     {"threshold_per_hour": 1.0, "min_growth": 3600.0}, "leak", "growing"),
    ("growth under the need", "x", np.arange(0, 3601, 60.0), np.arange(0, 3601, 60.0),
     {"threshold_per_hour": 1.0, "min_growth": 3600.5}, "ok", "step"),
    ("late slope at the threshold", "x", T2H, _piecewise(T2H), {"threshold_per_hour": 3600.0}, "ok", "saturating"),
    ("late slope over the threshold", "x", T2H, _piecewise(T2H), {"threshold_per_hour": 3599.0}, "leak",
     "growing"),
    ("five samples", "rss_bytes", T2H[:5], T2H[:5], {}, "insufficient_data", "unknown"),
    ("all at one time", "rss_bytes", np.zeros(10), np.arange(10.0), {}, "insufficient_data", "unknown"),
]


@pytest.mark.parametrize(("name", "metric", "t", "y", "kw", "verdict", "shape"), SHAPES, ids=[s[0] for s in SHAPES])
def test_each_shape_gets_its_verdict(name: str, metric: str, t: np.ndarray, y: np.ndarray, kw: dict[str, float],
                                     verdict: str, shape: str) -> None:
    v = judge(metric, t, y, **kw)
    assert (v.verdict, v.shape) == (verdict, shape), v.reason
    assert v.leak is (verdict == "leak") and v.inconclusive is (verdict == "inconclusive")


def test_the_figures_a_verdict_reports() -> None:
    y = 100 * MiB + T2H / 3600 * 40 * MiB
    v = judge("rss_bytes", T2H, y)
    assert (v.samples, v.used_samples, v.warmup_s) == (121, 109, 720.0)  # the first 10 % of the span skipped
    assert (v.first, v.last) == (100 * MiB, 180 * MiB)  # the raw series' ends, warm-up included
    assert (v.threshold_per_hour, v.unit) == (4 * MiB, "bytes")
    assert v.slope_per_hour == pytest.approx(40 * MiB) and v.ols_slope_per_hour == pytest.approx(40 * MiB)
    assert v.early_slope_per_hour == pytest.approx(40 * MiB) and v.late_slope_per_hour == pytest.approx(40 * MiB)
    assert v.late_ci_per_hour == pytest.approx((40 * MiB, 40 * MiB))
    assert v.p_value == pytest.approx(mann_kendall_p(y[12:]))
    c = judge("threads", T2H, 10 + np.floor(T2H / 600))
    assert (c.threshold_per_hour, c.unit) == (0.5, "count")
    assert judge("x", T2H, T2H).threshold_per_hour == 0.0  # a metric without a threshold: any growth
    short = judge("rss_bytes", T2H[:5], T2H[:5])
    assert (short.samples, short.used_samples, short.slope_per_hour, short.p_value) == (5, 4, None, None)
    assert short.reason == "4 samples after warm-up; need at least 6 over a non-zero time span"


def test_unordered_samples_and_gaps_are_judged_as_their_sorted_finite_part() -> None:
    y = 100 * MiB + T2H / 3600 * 40 * MiB
    order = np.random.default_rng(3).permutation(T2H.size)
    shuffled = judge("rss_bytes", T2H[order], y[order])
    assert (shuffled.verdict, shuffled.shape, shuffled.first, shuffled.last) == ("leak", "growing", 100 * MiB,
                                                                                 180 * MiB)
    holes = y.copy()
    holes[::7] = np.nan
    gappy = judge("rss_bytes", T2H, holes)
    assert gappy.samples == T2H.size - len(range(0, T2H.size, 7)) and gappy.verdict == "leak"


T10H = np.arange(0, 36001, 6.0)  # ten hours, a sample every 6 s: thinned to 1500, halves to 600, quarters to 300


@pytest.mark.parametrize(("y", "verdict", "shape"), [
    (100 * MiB + T10H / 3600 * 10 * MiB, "leak", "growing"),
    (100 * MiB + 400 * MiB * (1 - np.exp(-T10H / 15000)), "inconclusive", "slowing"),
])
def test_a_long_series_is_thinned_and_judged_the_same(y: np.ndarray, verdict: str, shape: str) -> None:
    v = judge("rss_bytes", T10H, y)
    assert (v.verdict, v.shape, v.samples, v.used_samples) == (verdict, shape, T10H.size, 1500), v.reason


#: (times, values, lifetimes, threshold, growth needed, whether one jump carries the growth)
ONE_STEP = [
    ([0, 1, 2], [0, 0, 100], [0, 0, 0], 0.0, 1.0, True),  # without the jump: flat
    ([0, 1], [0, 100], [0, 0], 0.0, 1.0, False),  # two samples: too few to tell a jump from a trend
    ([0, 1, 2, 3], [3, 2, 1, 0], [0, 0, 0, 0], 0.0, 1.0, False),  # nothing rises
    ([0, 1, 2, 3], [1, 1, 1, 1], [0, 0, 0, 0], 0.0, 0.0, False),  # nothing rises: no jump to take out
    ([0, 1, 2, 3], [0, 0.5, 0.5, 0.5], [0, 0, 0, 0], 0.0, 1.0, True),  # a rise under one unit is a jump too
    ([0, 1, 2, 3, 4, 5], [0, 10, 20, 30, 40, 140], [0] * 6, 3600.0 * 5, 1.0, False),  # 10/s left: still over
    ([0, 1, 2, 3, 4, 5], [0, 10, 20, 30, 40, 140], [0] * 6, 3600.0 * 10, 1.0, True),  # ... at the threshold
    ([0, 1, 2, 3, 4, 5], [0, 10, 20, 30, 40, 140], [0] * 6, 0.0, 50.0, False),  # 10/s over 5 s adds 50
    ([0, 1, 2, 3, 4, 5], [0, 10, 20, 30, 40, 140], [0] * 6, 0.0, 50.5, True),  # ... under 50.5
    ([10, 11, 12, 13, 14, 15], [0, 10, 20, 30, 40, 140], [0] * 6, 0.0, 50.5, True),  # the window's span, not its end
    # a resumed soak (two lifetimes): the step between them is no rise; the jump inside the second is
    ([0, 1, 2, 3, 4, 5], [0, 0, 0, 500, 500, 600], [0, 0, 0, 1, 1, 1], 0.0, 1.0, True),
    # the largest change a fall or none, though far above a falling series' expected change over
    # its long interval: no jump (nothing rose)
    ([0, 1, 2, 3, 13], [0, -5, -10, -15, -16], [0] * 5, 0.0, 1.0, False),
    ([0, 1, 2, 3, 13], [0, -5, -10, -15, -15], [0] * 5, 0.0, 1.0, False),
]


@pytest.mark.parametrize(("t", "y", "g", "thr", "need", "step"), ONE_STEP)
def test_one_jump_carrying_the_growth(t: list[float], y: list[float], g: list[int], thr: float, need: float,
                                      step: bool) -> None:
    from harness.leaks import _one_step

    got = _one_step(np.asarray(t, dtype=float), np.asarray(y, dtype=float), np.asarray(g), thr, need)
    assert got is step
