"""A steady rise is not one jump: the leak judge's "step" needs a rise that stands out.

A steady RSS ramp under noise has a largest rise between two samples too: the noise's largest,
some 3-4 of its spreads among the 3 600 samples of an hour. Taken out as "the jump", it lowered
everything after it enough to bring a 5 MB/h ramp's growth under ``MIN_GROWTH``: the judge passed
a steady leak above its 4 MiB/h threshold as "ok, step". A jump must now stand out from the
series' other rises (``harness.leaks._stands_out``); an allocation that stays (a pool or an arena
grown once) still does, and stays "step".

Series as a soak samples them (one sample a second for an hour, whole 4 KiB pages), seeded noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import judge

MB = 1_000_000.0
H = 3600.0
T = np.arange(1.0, H + 1e-9, 1.0)


def _rss(rate_mb_h: float, sd_mb: float, seed: int, *, jump_mb: float = 0.0, jump_at_s: float = 0.4 * H
         ) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y = 150 * MB + rate_mb_h * MB * T / H + (T >= jump_at_s) * jump_mb * MB + rng.normal(0.0, sd_mb * MB, T.size)
    return np.round(y / 4096) * 4096


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("sd_mb", [0.1, 0.25, 0.5])
def test_a_steady_ramp_above_the_threshold_is_a_leak_not_a_step(sd_mb: float, seed: int) -> None:
    v = judge("rss_bytes", T, _rss(5.0, sd_mb, seed))
    assert v.slope_per_hour > v.threshold_per_hour  # 5 MB/h is over 4 MiB/h (4.19 MB/h)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    # the same noise over a ramp under the threshold: significant, small, no leak
    small = judge("rss_bytes", T, _rss(3.0, sd_mb, seed))
    assert (small.verdict, small.shape) == ("ok", "small"), small.reason


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(("jump_mb", "creep_mb_h", "at_s"), [(8.0, 0.0, 0.4 * H), (30.0, 2.0, 0.4 * H),
                                                            (8.0, 2.0, 0.8 * H), (8.0, 3.0, 0.4 * H)])
def test_one_jump_over_noise_and_a_creep_under_the_threshold_stays_a_step(jump_mb: float, creep_mb_h: float,
                                                                          at_s: float, seed: int) -> None:
    v = judge("rss_bytes", T, _rss(creep_mb_h, 0.5, seed, jump_mb=jump_mb, jump_at_s=at_s))
    # the jump makes the window's slope significant and over the threshold: the step rule decides
    assert v.slope_per_hour > v.threshold_per_hour and v.p_value < 0.01
    assert (v.verdict, v.shape) == ("ok", "step"), v.reason
    assert "one jump" in v.reason


def test_a_jump_over_a_ramp_above_the_threshold_is_still_a_leak() -> None:
    v = judge("rss_bytes", T, _rss(8.0, 0.5, 0, jump_mb=8.0))
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("seed", [0, 1])
def test_a_ramp_sampled_a_minute_apart_is_a_leak_though_its_noise_is_small_against_a_rise(seed: int) -> None:
    """The system's retained bytes growing 2 % over their threshold (256 KiB/h), one sample a minute,
    noise a twentieth of a minute's growth: every rise is about the steady growth, and none stands
    out once that growth is taken from it. Measured against zero instead, the largest rise stood
    out of so small a noise, was taken out as "the jump", and the leak passed as "ok, step"."""
    t = np.arange(60.0, H + 1e-9, 60.0)
    rate_h = 1.02 * 256 * 1024
    rng = np.random.default_rng(seed)
    y = np.round(1e8 + rate_h * t / H + rng.normal(0.0, 0.05 * rate_h * 60.0 / H, t.size))
    v = judge("sut_bytes", t, y)
    assert v.slope_per_hour > v.threshold_per_hour
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
