"""A steady slope just over the threshold in a 1-hour soak is growth, not "a step"; a buffer still
filling fast at the hour's end stays "slowing".

``MIN_GROWTH`` is the threshold's hour (4 MiB); a 1-h soak's judged part is 54 minutes, in which a
trend at up to 1.11 times the threshold adds less: a steady ramp there read "ok, step", and a
planted 5 MB/h leak seen through the RSS's steps passed so at some seeds. Over a window of
``MIN_WINDOW_S`` or more the growth is reckoned over the whole window.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import DEFAULT_THRESHOLDS, MIN_WINDOW_S, _growth_span, judge
from rss_staircases import HELD, MB, PAGE, T, drawn_staircase


@pytest.mark.parametrize(("size_mb", "tau_s"), [(20, 1200.0), (30, 1800.0), (40, 2400.0)])
def test_a_buffer_still_filling_fast_late_stays_inconclusive(size_mb: int, tau_s: float) -> None:
    """Exponential filling whose last quarter still grows 4-8 MB/h: this window cannot tell it from a
    leak, whatever the growth is reckoned over."""
    y = np.ceil((250 * MB + size_mb * MB * (1 - np.exp(-T / tau_s))) / PAGE) * PAGE
    v = judge("rss_bytes", T, y)
    assert (v.verdict, v.shape) == ("inconclusive", "slowing"), v.reason


@pytest.mark.parametrize("rate_mb", [4.3, 4.5, 4.6])
def test_a_steady_ramp_just_over_the_threshold_in_an_hour_is_a_leak(rate_mb: float) -> None:
    y = np.ceil((250 * MB + rate_mb * MB * T / 3600.0) / PAGE) * PAGE
    v = judge("rss_bytes", T, y)
    assert rate_mb * MB > DEFAULT_THRESHOLDS["rss_bytes"]
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("seed", [5, 7, 12, 13])
def test_a_5mb_leak_through_drawn_steps_is_not_passed_as_a_step(seed: int) -> None:
    """Seeds at which the trend over the judged 54 minutes fell just under ``MIN_GROWTH``."""
    v = judge("rss_bytes", T, drawn_staircase(250 * MB + 5 * MB * T / 3600.0 + HELD, seed), held=HELD)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("rate_mb", [3.0, 3.9])
def test_a_ramp_under_the_threshold_stays_ok(rate_mb: float) -> None:
    y = np.ceil((250 * MB + rate_mb * MB * T / 3600.0) / PAGE) * PAGE
    assert judge("rss_bytes", T, y).verdict == "ok"


@pytest.mark.parametrize(("window", "span", "over"), [
    (MIN_WINDOW_S - 1.0, MIN_WINDOW_S - 300.0, MIN_WINDOW_S - 300.0),  # a short window: its judged part
    (MIN_WINDOW_S, MIN_WINDOW_S - 300.0, MIN_WINDOW_S),  # at the bound: the whole window
    (2 * MIN_WINDOW_S, 2 * MIN_WINDOW_S - 300.0, 2 * MIN_WINDOW_S),
])
def test_growth_is_reckoned_over_the_whole_window_from_min_window_s_on(window: float, span: float,
                                                                        over: float) -> None:
    assert _growth_span(window, span) == over


@pytest.mark.parametrize("rate_mib, jump_mib", [(4.1, 30), (4.2, 20), (4.3, 60)])
def test_a_steady_leak_with_one_jump_in_it_is_still_a_leak_over_the_whole_hour(rate_mib: float, jump_mib: int) -> None:
    """Taking the jump out leaves a trend over the threshold whose growth over the whole hour (the
    window ``_growth_span`` gives ``judge``, which ``judge`` passes ``_one_step``) is more than
    ``MIN_GROWTH``, though over the 54 judged minutes it is less: the jump does not carry the growth."""
    mib = 2.0**20
    t = np.arange(0.0, 3601.0, 10.0)
    y = 100 * mib + rate_mib * mib * t / 3600.0 + np.where(t >= 1800.0, jump_mib * mib, 0.0)
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("start_s", [3600.0, 86400.0])
def test_a_short_soak_whose_clock_starts_late_is_judged_over_its_own_twenty_minutes(start_s: float) -> None:
    """The window is the time the samples cover, not where the clock stood: a 20-minute soak growing
    20 MiB/h (a buffer still filling looks the same over 20 minutes) stays inconclusive when its
    times start an hour or a day into the process's clock, as it is from 0. Reckoned from the clock's
    origin instead, its window read as hours and the short-window rule let it through as a leak."""
    t = np.arange(0.0, 1200.0 + 1e-9, 10.0)
    y = np.ceil((200 * MB + 20 * 2**20 * t / 3600.0) / PAGE) * PAGE
    from_zero = judge("rss_bytes", t, y)
    late = judge("rss_bytes", t + start_s, y)
    assert from_zero.verdict == "inconclusive" and "too short" not in from_zero.reason
    assert "20 min of operation" in from_zero.reason, from_zero.reason
    assert (late.verdict, late.shape, late.reason) == (from_zero.verdict, from_zero.shape, from_zero.reason)
