"""The leak judge's late half, against an oracle that shares none of its code (SciPy's Theil-Sen
slope and Kendall's tau on the late half alone).

A series that climbs steeply and then creeps on under noise: whether the creep is a buffer that
levelled off or a leak cannot be told when the late half's own trend is not significant, however
steep it is. Such a series is ``inconclusive``, never ``ok`` (a silent pass) and never ``leak``
(a false alarm). The oracle sorts each seeded series into three: late half clearly flat (its
slope under the threshold), clearly growing (slope well over it, trend significant), clearly
unsure (slope well over it, trend far from significant); the judge must give each its verdict.
Series near a boundary are left out, and each kind must occur, so the test cannot pass empty."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from harness.leaks import judge

THRESHOLD = 1.0
HOURS = 4.0


def _series(seed: int, late_slope: float, noise: float) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, HOURS * 3600.0, 400)
    h = t / 3600.0
    y = np.where(h < HOURS / 2, 50.0 * h, 100.0 + late_slope * (h - HOURS / 2))
    return t, y + rng.normal(0.0, noise, t.size) * (h >= HOURS / 2)


def _oracle(t: np.ndarray, y: np.ndarray) -> str | None:
    late = t >= t[-1] * 0.5
    slope_h = stats.theilslopes(y[late], t[late] / 3600.0).slope
    p = stats.kendalltau(t[late], y[late]).pvalue
    if slope_h < 0.5 * THRESHOLD:
        return "ok"
    if slope_h > 1.5 * THRESHOLD and p < 1e-4:
        return "leak"
    if slope_h > 1.5 * THRESHOLD and p > 0.05:
        return "inconclusive"
    return None  # near a boundary: not judged here


#: (seed, late slope per hour, noise) -> the oracle's verdict, for the series it judges clearly
CASES = [(case, expected) for case in ((seed, late, noise) for seed in range(12)
                                       for late, noise in ((2.0, 12.0), (0.0, 6.0), (6.0, 4.0)))
         if (expected := _oracle(*_series(*case))) is not None]


def test_the_table_holds_every_kind_of_late_half() -> None:
    kinds = [expected for _, expected in CASES]
    assert all(kinds.count(k) >= 3 for k in ("ok", "leak", "inconclusive")), kinds


@pytest.mark.parametrize(("case", "expected"), CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c, _ in CASES])
def test_a_late_half_whose_trend_cannot_be_told_is_inconclusive_never_a_pass(case: tuple[int, float, float],
                                                                             expected: str) -> None:
    t, y = _series(*case)
    verdict = judge("x", t, y, threshold_per_hour=THRESHOLD, min_growth=3.0)
    assert verdict.verdict == expected, verdict.reason
