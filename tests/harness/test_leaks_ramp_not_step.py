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

_INF = float("inf")


@pytest.mark.parametrize("dt, rises, same, k, stands_out", [
    # the others flat at the steady rate: a rise above it stands out, one at it does not
    ([1, 1, 1, 1, 1], [1, 1, 1, 1, 1.5], [1, 1, 1, 1, 1], 4, True),
    ([1, 1, 1, 1, 1], [1, 1, 1, 1, 1], [1, 1, 1, 1, 1], 4, False),
    # the others spread: rate 1, excesses -1, 1, -1, 1, 0, so the robust spread is 1.4826 and the
    # bar JUMP_SPREADS (6) of them, 8.8956 above the rise expected over the interval
    ([1, 1, 1, 1, 1, 1], [0, 2, 0, 2, 1, 9.9375], [1, 1, 1, 1, 1, 1], 5, True),
    ([1, 1, 1, 1, 1, 1], [0, 2, 0, 2, 1, 9.875], [1, 1, 1, 1, 1, 1], 5, False),
    # the expected rise is the rate times the rise's own interval (2 s: 2 expected)
    ([1, 1, 1, 1, 2], [0, 2, 0, 2, 10.9375], [1, 1, 1, 1, 1], 4, True),
    ([1, 1, 1, 1, 2], [0, 2, 0, 2, 10.875], [1, 1, 1, 1, 1], 4, False),
    ([1, 1, 1, 1, 2], [0, 2, 0, 2, 3], [1, 1, 1, 1, 1], 4, False),
    # the others' intervals unequal: rates 1, 1, 0.5, 0.5 (median 0.75), excesses 0.25, 0.25, -1, -1
    # (median -0.375, each 0.625 from it: a spread of 0.927, a bar of 5.56 above 0.75)
    ([1, 1, 4, 4, 1], [1, 1, 2, 2, 7], [1, 1, 1, 1, 1], 4, True),
    ([1, 1, 4, 4, 1], [1, 1, 2, 2, 6.25], [1, 1, 1, 1, 1], 4, False),
    # a sample repeated at one time (an interval of 0 s) and the step between two groups (a
    # resumed soak: no rise, -inf) are no interval to compare with
    ([1, 1, 0, 1, 1, 1], [1, 1, 0, 1, 1, 50], [1, 1, 1, 1, 1, 1], 5, True),
    ([1, 1, 1, 1, 1, 1], [1, -_INF, -_INF, -_INF, 1, 50], [1, 0, 0, 0, 1, 1], 5, True),
    # nothing to compare with: the rise is all the growth there is
    ([1], [5], [1], 0, True),
    ([1, 0], [5, 0], [1, 1], 0, True),
])
def test_a_rise_stands_out_by_the_rule_worked_by_hand(dt: list[float], rises: list[float], same: list[int], k: int,
                                                      stands_out: bool) -> None:
    """``_stands_out`` on short series whose medians are worked by hand, each edge met exactly
    (binary fractions): a jump is a rise more than ``JUMP_SPREADS`` robust spreads above the rise
    the other intervals' median rate expects over its own interval."""
    from harness.leaks import _stands_out
    got = _stands_out(np.asarray(dt, dtype=np.float64), np.asarray(rises, dtype=np.float64),
                      np.asarray(same, dtype=bool), k)
    assert got is stands_out
