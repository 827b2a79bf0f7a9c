"""The leak judge's step and levelling-off parts, each on a series worked by hand.

``_persists`` (does a rise stay?), the ``ONE_JUMP_SHARE`` / ``MIN_WINDOW_S`` gate of ``_one_step``
(is the largest rise one jump, or one of a staircase's steps?), ``_trimmed_mean`` and
``_quarter_gains`` (did the level slow, or only the slope?) decide between "leak", "ok, step" and
"inconclusive, slowing". Their end-to-end tests (``test_leaks_staircase.py``,
``test_leaks_heavy_tails.py``) judge hour-long seeded series, where a median's window off by one
sample or a bound met at equality still gives the same verdict. Here each input puts the answer on
one sample, one equality or one group, with values that are exact in binary.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness.leaks import (JUMP_LEVEL_SAMPLES, LEVEL_TRIM, MIN_WINDOW_S, ONE_JUMP_SHARE, _one_step, _persists,
                           _quarter_gains, _trimmed_mean)


def _arr(v: list[float]) -> np.ndarray:
    return np.asarray(v, dtype=float)


# ---------------------------------------------------------------------------------------------
# _persists: the median of up to JUMP_LEVEL_SAMPLES samples after the rise against those up to it


def test_a_rise_that_stays_persists_and_a_spike_up_and_back_does_not() -> None:
    g = np.zeros(40, dtype=int)
    assert _persists(_arr([0.0] * 20 + [10.0] * 20), g, 19, 10.0)
    assert not _persists(_arr([0.0] * 20 + [10.0] + [0.0] * 19), g, 19, 10.0)


def test_a_rise_persists_when_its_level_stays_at_least_half_the_rise_up() -> None:
    g = np.zeros(40, dtype=int)
    assert _persists(_arr([0.0] * 20 + [5.0] * 20), g, 19, 10.0)  # exactly half
    assert not _persists(_arr([0.0] * 20 + [4.875] * 20), g, 19, 10.0)  # an eighth under
    # measured from the level before it, not from zero
    assert not _persists(_arr([8.0] * 20 + [12.0] * 20), g, 19, 10.0)
    assert _persists(_arr([8.0] * 20 + [13.0] * 20), g, 19, 10.0)


def test_only_the_samples_next_to_the_rise_tell_its_levels() -> None:
    """The last ``JUMP_LEVEL_SAMPLES`` (15) samples up to the rise: 7 at 10 and 8 at 0, median 0;
    with one more sample at 10 the median would be 5 and the rise of 12 (to 10) would not stay.
    The first 15 after it: 8 at 10 then 7 at 0, median 10; with one more at 0 it would be 5."""
    assert JUMP_LEVEL_SAMPLES == 15
    before = [10.0] * 10 + [10.0] * 7 + [0.0] * 8  # the rise after sample 24
    after = [10.0] * 8 + [0.0] * 7 + [0.0] * 10
    y, g = _arr(before + after), np.zeros(50, dtype=int)
    assert _persists(y, g, 24, 12.0)
    # after a sample more at the level before the rise, the window after it holds 7 at 0 of 15
    assert not _persists(_arr(before + [10.0] * 7 + [0.0] * 18), g, 24, 12.0)
    # the farthest of the 15 before it counts: 8 at 0 and 7 at 10 (median 0); without it, 5
    far = [10.0] * 10 + [0.0] + [10.0] * 7 + [0.0] * 7
    assert _persists(_arr(far + after), g, 24, 12.0)


def test_the_levels_are_read_within_the_rises_lifetime() -> None:
    """Samples of another lifetime (a resumed soak's first process) are not its levels: before
    the rise only the second lifetime's two samples, after it only its own up to its end."""
    y = _arr([100.0] * 15 + [0.0, 0.0] + [10.0] * 3 + [100.0] * 15)
    g = np.array([0] * 15 + [1] * 5 + [2] * 15)
    assert _persists(y, g, 16, 10.0)
    # the same rise read with the lifetimes as one: the 100s around it are its levels
    assert not _persists(y, np.zeros(35, dtype=int), 16, 10.0)
    # a rise at the end of its lifetime: the one sample after it is all its level after, not the
    # next lifetime's first samples
    assert _persists(_arr([0.0, 0.0, 12.0, -100.0, -100.0, -100.0]), np.array([1, 1, 1, 2, 2, 2]), 1, 12.0)


# ---------------------------------------------------------------------------------------------
# _one_step: one jump is a step only if it carries ONE_JUMP_SHARE of the growth, in a long window


def _staircase(span: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Four equal steps of 10 over ``span`` seconds (15 samples): the largest is a quarter of it."""
    y = _arr([0.0] * 3 + [10.0] * 3 + [20.0] * 3 + [30.0] * 3 + [40.0] * 3)
    return np.linspace(0.0, span, 15), y, np.zeros(15, dtype=int)


def test_a_staircase_s_largest_step_is_no_jump_in_a_window_of_min_window_s_or_more() -> None:
    assert (MIN_WINDOW_S, ONE_JUMP_SHARE) == (3000.0, 0.5)
    # thr 0, need unreachable: only the share rule can say "no jump"
    assert _one_step(*_staircase(MIN_WINDOW_S), 0.0, 1e12) is False
    assert _one_step(*_staircase(MIN_WINDOW_S - 1.0), 0.0, 1e12) is True  # shorter: not asked


@pytest.mark.parametrize(("growth", "step"), [(20.0, True), (21.0, False), (40.0, False)])
def test_the_jump_must_carry_at_least_half_the_growth_given(growth: float, step: bool) -> None:
    """The growth the caller fitted (``judge``'s trend over the window): a rise of 10 carries half
    of 20 exactly, less than half of 21."""
    assert _one_step(*_staircase(MIN_WINDOW_S), 0.0, 1e12, growth) is step


# ---------------------------------------------------------------------------------------------
# _trimmed_mean and _quarter_gains


def test_a_level_is_the_mean_without_the_lowest_and_highest_tenth() -> None:
    assert LEVEL_TRIM == 0.1
    assert _trimmed_mean(_arr([100.0, 1, 2, 3, 4, 5, 6, 7, 8, -100.0])) == 4.5
    assert _trimmed_mean(_arr([0.0] * 9 + [1000.0])) == 0.0  # a one-sample spike does not move it
    assert _trimmed_mean(_arr([1.0, 2.0, 6.0])) == 3.0  # under ten values nothing is left out
    assert _trimmed_mean(_arr([9.0] * 18 + [0.0, 100.0])) == 9.0  # 20 values: two left out


def test_the_quarters_levels_rise_as_the_series_does() -> None:
    """Samples at 0..8 s: the second quarter holds 2-4 s, the third 4-6 s, the fourth 6-8 s (a
    sample on an edge in both)."""
    t = np.arange(9.0)
    assert _quarter_gains(t, t.copy(), np.zeros(9, dtype=int)) == (2.0, 2.0)
    # a step at the edge sample itself: in both quarters it bounds
    y = _arr([0, 0, 0, 0, 3, 0, 0, 0, 0])
    assert _quarter_gains(t, y, np.zeros(9, dtype=int)) == (0.0, -1.0)
    # the window's own start and end, not 0 s
    assert _quarter_gains(t + 100.0, t.copy(), np.zeros(9, dtype=int)) == (2.0, 2.0)


def test_the_quarters_gains_are_summed_over_lifetimes_never_across_them() -> None:
    """Two lifetimes, each rising 2 a quarter, the second from a level 1000 higher (a new process):
    the gains add up, the step between them is no gain."""
    t = np.concatenate([np.arange(9.0), np.arange(20.0, 29.0)])
    y = np.concatenate([np.arange(9.0), 1000.0 + np.arange(9.0)])
    g = np.array([0] * 9 + [1] * 9)
    assert _quarter_gains(t, y, g) == (4.0, 4.0)


def test_a_lifetime_with_a_quarter_without_a_sample_gives_no_gains() -> None:
    t, g = _arr([0.0, 1.0, 2.0, 10.0]), np.zeros(4, dtype=int)  # nothing from 2.5 to 5 s
    assert _quarter_gains(t, _arr([0.0, 1.0, 2.0, 3.0]), g) is None
    t2 = np.concatenate([np.arange(9.0), _arr([20.0, 30.0])])  # the second: nothing from 22.5 to 25 s
    g2 = np.array([0] * 9 + [1] * 2)
    assert _quarter_gains(t2, np.arange(11.0), g2) is None


# ---------------------------------------------------------------------------------------------
# _one_step: which rise is taken out, and the growth it is weighed against


@pytest.mark.parametrize(("t", "y", "g", "thr", "need", "step"), [
    # a spike up and back down is the largest rise; the step after it, the largest that stays, is the jump
    (list(range(41)), [0.0] * 10 + [100.0] + [0.0] * 10 + [50.0] * 20, [0] * 41, 0.0, 1.0, True),
    # a steady ramp's largest rise (1.25 among 0.75-1.25) does not stand out: no jump, whatever is left
    (list(range(8)), [0, 1, 2.25, 3, 4.25, 5, 6.25, 7], [0] * 8, 5 * 3600.0, 1.0, False),
    # no rise (a fall, then flat, over three lifetimes; a level kept between falls): nothing to take out
    ([2, 3, 4, 5, 7, 8, 10], [-2, -5, -3, -6, -8, -8, -8], [0, 0, 0, 1, 2, 2, 2], 0.0, 0.0, False),
    ([2, 4, 6, 8, 10, 11, 12, 13], [-1, -1, -3, 0, -2, -5, -6, -7], [0, 0, 0, 0, 1, 1, 1, 1], 0.0, 0.0, False),
    # seventeen lifetimes (a soak resumed sixteen times): the steps between them are no rises and
    # take no place among the rises tried; the jump in the last one is found
    (list(range(51)), [1000.0 * (i // 3) for i in range(50)] + [16100.0], [i // 3 for i in range(51)],
     0.0, 1.0, True),
])
def test_the_jump_is_the_largest_rise_that_stays_and_stands_out(t: list[float], y: list[float], g: list[int],
                                                                 thr: float, need: float, step: bool) -> None:
    assert _one_step(_arr(t), _arr(y), np.asarray(g), thr, need) is step


def test_the_growth_a_jump_is_weighed_against_is_fitted_within_each_lifetime() -> None:
    """Not given the growth, ``_one_step`` fits it as ``judge`` does, within each lifetime: a new
    process starting 1000 higher is no growth. Over 3200 s, a jump of 10 in the first lifetime and
    none in the second is all the growth there is: one jump."""
    t = np.concatenate([np.arange(0.0, 1601.0, 200.0), np.arange(2000.0, 3601.0, 200.0)])
    y = _arr([0.0] * 4 + [10.0] * 5 + [1010.0] * 9)
    g = np.array([0] * 9 + [1] * 9)
    assert _one_step(t, y, g, 0.0, 1.0) is True


def test_growth_slowing_in_slope_and_level_says_it_cannot_tell_and_why() -> None:
    """A buffer still filling (400 MiB, time constant 50 min, two hours a sample a minute): its
    last quarter slower than its third in slope and in level. The verdict is inconclusive, and its
    reason ends with what the reader is to do."""
    from harness.leaks import judge

    mib = 1024 * 1024
    t = np.arange(0, 7201, 60.0)
    v = judge("rss_bytes", t, 100 * mib + 400 * mib * (1 - np.exp(-t / 3000)))
    assert (v.verdict, v.shape) == ("inconclusive", "slowing"), v.reason
    assert v.reason.endswith(" - a buffer still filling or a leak, this window cannot tell (soak longer)"), v.reason
    assert "still above the 4.194e+06/h threshold late, but slowing: the last quarter grows " in v.reason


def test_the_growth_left_by_the_jump_is_reckoned_over_the_time_it_is_given() -> None:
    """A jump on a ramp of 2 per hour (threshold 1, need 1): over the 10-minute span the ramp left
    adds a third, under the need, so the growth is one jump; reckoned over the hour ``judge``
    passes for a long soak's whole window (``_growth_span``) it adds 2, and it is not."""
    t = np.arange(61) * 10.0
    y = t * 2.0 / 3600.0
    y[30:] += 50.0
    g = np.zeros(t.size, dtype=int)
    assert _one_step(t, y, g, 1.0, 1.0) is True
    assert _one_step(t, y, g, 1.0, 1.0, over_s=3600.0) is False
