"""A process's resident set rises in steps: a steady leak seen through them is still a leak.

The allocator serves new memory from what the process already holds and takes a new piece (a
megabyte or two) only when what is live outgrows it; so the RSS is flat between steps, for minutes
at a time at a few MB an hour (a planted 5 MB/h leak's 1-h soak: 3 311 of 3 600 samples
unchanged). Two rules of the judge misread that: the largest step, standing out from the flat
samples around it, was taken out as "one jump" and the leak passed as a "step"; and a last quarter
holding a plateau had the plateau's slope, read as "slowing" (inconclusive), while its level rose
as fast as ever. A bounded buffer seen through the same steps must still not be called a leak.

Synthetic series through ``harness.leaks.judge``: a regular staircase (no randomness), and a
staircase of drawn step sizes (seeded), one sample a second for an hour, whole pages, with a
bounded log the judge is told of (``held``) as a soak's are.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import judge
from rss_staircases import HELD, MB, PAGE, T, drawn_staircase


def _regular_staircase(rate: float, step: float, phase: float) -> np.ndarray:
    """The RSS of a process whose live memory grows ``rate`` an hour (plus ``HELD``), taken in
    pieces of ``step``; ``phase`` moves the steps along the hour."""
    live = rate * T / 3600.0 + HELD
    return np.ceil((250 * MB + step * np.floor(live / step + phase)) / PAGE) * PAGE


@pytest.mark.parametrize("phase", [round(0.1 * k, 1) for k in range(10)])
@pytest.mark.parametrize(("rate", "step"), [(6 * MB, 1.5 * MB), (5.5 * MB, 1.5 * MB)])
def test_a_steady_leak_rising_in_steps_is_a_leak(rate: float, step: float, phase: float) -> None:
    y = _regular_staircase(rate, step, phase)
    v = judge("rss_bytes", T, y, held=HELD)
    # the slope is the leak's and above the threshold, so the verdict is what the rules make of it
    assert v.slope_per_hour is not None and v.slope_per_hour > 1.2 * v.threshold_per_hour
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason


@pytest.mark.parametrize("seed", range(6))
def test_a_bounded_buffer_rising_in_steps_is_not_a_leak(seed: int) -> None:
    # 10 MB filling with a time constant of 15 min: levelled off by the late half, unheld
    live = 250 * MB + 10 * MB * (1 - np.exp(-T / 900.0)) + HELD
    v = judge("rss_bytes", T, drawn_staircase(live, seed), held=HELD)
    assert v.verdict == "ok", v.reason


@pytest.mark.parametrize("seed", range(4))
def test_one_large_jump_over_a_creep_rising_in_steps_is_still_a_step(seed: int) -> None:
    # a pool of 12 MB grown once at 40 % of the hour, over 1.5 MB/h of creep: the jump carries the growth
    live = 250 * MB + 1.5 * MB * T / 3600.0 + 12 * MB * (T >= 1440.0) + HELD
    v = judge("rss_bytes", T, drawn_staircase(live, seed), held=HELD)
    assert v.slope_per_hour is not None and v.slope_per_hour > v.threshold_per_hour  # the step rule decides
    assert (v.verdict, v.shape) == ("ok", "step"), v.reason


@pytest.mark.parametrize("at", [(200, 400, 550), (250, 450, 560)])
@pytest.mark.parametrize("first", [2.0, 2.2])
def test_a_short_windows_warm_up_of_a_few_steps_stays_a_step(first: float, at: tuple[int, int, int]) -> None:
    """A 10-minute window of three steps (``first`` MB, then 1.9 and 1.8, at the seconds ``at``),
    flat between: with its
    largest taken out the rest adds less than ``MIN_GROWTH``, so it is "ok, step", as before the
    staircase rule. That rule (the jump must carry half the growth) is asked only of a window long
    enough to judge steady growth a leak; asked of this one it could only say "inconclusive", and a
    healthy 10-minute soak's warm-up read so at 2 of 8 seeds."""
    t = np.arange(0.0, 601.0, 1.0)
    y = 250 * MB + first * MB * (t >= at[0]) + 1.9 * MB * (t >= at[1]) + 1.8 * MB * (t >= at[2])
    v = judge("rss_bytes", t, y)
    assert (v.verdict, v.shape) == ("ok", "step"), v.reason


def test_a_leak_says_why_and_a_staircase_s_plateau_says_its_level_still_rose() -> None:
    """The reason is what a reader acts on. A steady leak ends "with no sign of levelling off"; a
    staircase whose last quarter holds a plateau (its own slope, here negative, reads slower than
    the third's) says so, and by how much its level rose over the third's against the third's
    over the second's: why it is a leak and not "slowing"."""
    rng = np.random.default_rng(1)
    v = judge("rss_bytes", T, 250 * MB + 20 * MB * T / 3600.0 + rng.normal(0.0, 0.2 * MB, T.size))
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    assert v.reason.endswith("above the 4.194e+06/h threshold, with no sign of levelling off"), v.reason
    v = judge("rss_bytes", T, _regular_staircase(6 * MB, 1.5 * MB, 0.3), held=HELD)
    assert (v.verdict, v.shape) == ("leak", "growing"), v.reason
    said = v.reason.split(" [judged with")[0]
    assert said.endswith(
        "(Sen's interval 4.796e+06..5.525e+06), above the 4.194e+06/h threshold, with no sign of levelling off; "
        "the last quarter's own slope (-2.4e+06/h) reads slower than the third's (4.528e+06/h), but its level "
        "still rose 1.318e+06 bytes over the third's, against 1.32e+06 from the second's to the third's: a "
        "plateau between the steps the series rises by, not a levelling off"), said
