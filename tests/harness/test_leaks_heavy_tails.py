"""Heavy-tailed noise on a resident set: a one-sample spike is not a jump, and a ramp under such
noise is judged as growth.

A process's RSS now and then shows one sample far off its level (a page-cache or an arena event)
and noise with heavier tails than Gaussian. The judge's "one jump" rule took the largest rise
between two samples out, lowering everything after it by that rise; when the largest rise was a
spike's way up, the rest of the series was lowered by the spike's height and a steady leak above
the threshold passed as a "step". A rise is a jump only if the level after it stays up
(``harness.leaks._persists``).

Seeded synthetic series through ``harness.leaks.judge``: one sample a second for an hour, whole
pages, 150 MB plus the shape, plus Student-t noise (3 degrees of freedom) and single-sample spikes
up 2-20 MB (each second with probability 0.002). ``bench/leak_judge_noise.py`` counts the same
cases over more seeds.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import judge

MB = 1_000_000.0
PAGE = 4096
T = np.arange(0.0, 3601.0, 1.0)


def _series(seed: int, *, rate: float, jump: float = 0.0, t_scale: float = 0.1, spikes: bool = True) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = 150 * MB + rate * T / 3600.0 + jump * (T >= 1440.0) + t_scale * MB * rng.standard_t(3, T.size)
    if spikes:
        hit = rng.random(T.size) < 0.002
        y[hit] += rng.uniform(2, 20, int(hit.sum())) * MB
    return np.ceil(y / PAGE) * PAGE


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("rate", [5 * MB, 8 * MB])
def test_a_ramp_above_the_threshold_under_spikes_is_a_leak(rate: float, seed: int) -> None:
    v = judge("rss_bytes", T, _series(seed, rate=rate))
    assert v.slope_per_hour is not None and v.slope_per_hour > v.threshold_per_hour
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("t_scale", [0.1, 0.25])
def test_a_ramp_above_the_threshold_under_student_t_noise_is_a_leak(t_scale: float, seed: int) -> None:
    v = judge("rss_bytes", T, _series(seed, rate=8 * MB, t_scale=t_scale, spikes=False))
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("rate", [0.0, 3 * MB])
def test_a_healthy_series_under_heavy_tails_is_not_a_leak(rate: float, seed: int) -> None:
    v = judge("rss_bytes", T, _series(seed, rate=rate, t_scale=0.25))
    assert v.verdict == "ok", v.reason


@pytest.mark.parametrize("seed", range(4))
def test_one_jump_under_spikes_is_still_a_step(seed: int) -> None:
    v = judge("rss_bytes", T, _series(seed, rate=2 * MB, jump=8 * MB, t_scale=0.25))
    assert v.slope_per_hour is not None and v.slope_per_hour > v.threshold_per_hour  # the step rule decides
    assert (v.verdict, v.shape) == ("ok", "step"), v.reason
