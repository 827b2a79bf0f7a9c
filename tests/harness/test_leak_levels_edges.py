"""The levels' line (``harness.leak_levels``) at its edges: a series that does not move at all,
a clock that does not start at zero, a warm-up that cuts nothing or falls on a sample, and samples
without a number given as JSON gives them (``None``)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from harness.leak_levels import after_warmup, level_line

#: an hour sampled every 10 s
T = np.arange(0.0, 3601.0, 10.0)


@pytest.mark.parametrize("level", [0.0, 8e6])
def test_a_series_that_never_moves_is_no_bend_down(level: float) -> None:
    """All zero, the curve's residuals are exactly zero and so is its standard error: no
    curvature is +inf, never a division by zero nor a bend. At 8 MB the least squares leave
    rounding residuals of a nanobyte: the curvature's t is theirs, not a bend of the levels."""
    line = level_line(T, np.full(T.size, level))
    assert line is not None and not line.decelerating()
    assert line.slope_per_hour == pytest.approx(0.0, abs=1e-6)
    if level == 0.0:
        assert (line.curvature_per_hour2, line.curvature_t, line.wander) == (0.0, np.inf, 0.0)


def test_the_warm_up_is_the_share_of_the_window_from_its_own_first_sample_on_a_late_clock() -> None:
    """A soak's clock that starts an hour in (a resumed run) or a day in: the warm-up is a share of
    the window's own length, counted from each segment's first sample; it always leaves out that
    first sample, and a sample exactly at the warm-up's end is judged."""
    for start in (0.0, 3600.0, 86400.0):
        t = start + np.arange(10.0)
        g = np.zeros(t.size, dtype=np.int64)
        assert after_warmup(t, g, 0.0).tolist() == [False] + [True] * 9
        assert after_warmup(t, g, 0.1).tolist() == [False] + [True] * 9          # 0.9 s: the first sample only
        assert after_warmup(t, g, 2 / 9).tolist() == [False] * 2 + [True] * 8    # 2 s: the sample at 2 s judged
        assert after_warmup(t, g, 0.25).tolist() == [False] * 3 + [True] * 7     # 2.25 s
    y = 8e6 + 5e6 * T / 3600.0 + 30e3 * np.sin(T / 97.0)
    early, late = level_line(T, y), level_line(T + 86400.0, y)
    assert early is not None and late is not None
    assert late.slope_per_hour == pytest.approx(early.slope_per_hour, rel=1e-9)
    assert late.curvature_t == pytest.approx(early.curvature_t, rel=1e-6, abs=1e-6)


def test_samples_given_as_json_gives_them_without_a_number_are_left_out() -> None:
    """A journal's samples read back from JSON: a sample without a number is ``None``, not NaN."""
    y = 8e6 + 5e6 * T / 3600.0 + 30e3 * np.sin(T / 97.0)
    gaps = [5, 100, 200]
    times: list[float | None] = [float(v) for v in T]
    values: list[float | None] = [float(v) for v in y]
    times[gaps[0]] = None
    values[gaps[1]] = values[gaps[2]] = None
    kept = np.setdiff1d(np.arange(T.size), gaps)
    got, want = level_line(times, values), level_line(T[kept], y[kept])  # type: ignore[arg-type]
    assert got is not None and want is not None
    assert dataclasses.astuple(got) == pytest.approx(dataclasses.astuple(want), rel=1e-12)


def _by_hand(t: np.ndarray, y: np.ndarray, blocks: int) -> tuple[float, float, float]:
    """(slope, curvature, wander) of the levels of ``blocks`` equal blocks of ``t`` (a sample on an
    inner edge in the later block, the last sample in the last), fitted by ``np.polyfit``."""
    edges = np.linspace(t[0], t[-1], blocks + 1)
    centres, levels = [], []
    for i in range(blocks):
        last = i == blocks - 1
        inside = [j for j in range(t.size) if edges[i] <= t[j] and (t[j] <= edges[i + 1] if last else t[j] < edges[i + 1])]
        centres.append(float(np.mean(t[inside])) / 3600.0)
        levels.append(float(np.mean(y[inside])))  # three or four samples: the trim leaves none out
    x = np.array(centres) - np.mean(centres)
    line = np.polyfit(x, levels, 1)
    wander = float(np.sqrt(np.sum((np.polyval(line, x) - levels) ** 2) / (blocks - 2)))
    return float(line[0]), float(np.polyfit(x, levels, 2)[0]), wander


@pytest.mark.parametrize("blocks", [8, 6])
def test_each_block_takes_the_samples_from_its_first_edge_up_to_the_next_and_the_last_its_end(blocks: int) -> None:
    """Samples every 100 s exactly on the blocks' edges (three to a block, four in the last): a
    sample on an inner edge is the later block's, the window's last sample the last block's, and
    a block of three samples (``BLOCK_MIN_SAMPLES``) is read. Six blocks leave the curve its
    fewest degrees of freedom, three."""
    n = 3 * blocks
    t = 100.0 * np.arange(-1, n + 1)  # the first sample is the warm-up's, whatever its share
    y = 8e6 + 1e3 * (t / 100.0) ** 2 + 5e4 * np.random.default_rng(96358).standard_normal(t.size)
    line = level_line(t, y, warmup_fraction=0.0, blocks=blocks)
    assert line is not None and (line.blocks, line.dof) == (blocks, blocks - 3)
    slope, curvature, wander = _by_hand(t[1:], y[1:], blocks)
    assert line.slope_per_hour == pytest.approx(slope, rel=1e-9)
    assert line.curvature_per_hour2 == pytest.approx(curvature, rel=1e-9)
    assert line.wander == pytest.approx(wander, rel=1e-9)


def test_two_lifetimes_share_one_slope_through_both_of_their_levels() -> None:
    """One lifetime flat, the next growing 10 MB an hour: the common slope is the two's mean,
    neither lifetime's alone."""
    rng = np.random.default_rng(96359)
    t = np.concatenate([T, T])
    y = np.concatenate([8e6 + 0.0 * T, 9e6 + 10e6 * T / 3600.0]) + 2e3 * rng.standard_normal(2 * T.size)
    g = np.repeat([0, 1], T.size)
    line = level_line(t, y, groups=g)
    assert line is not None and line.blocks == 16
    assert line.slope_per_hour == pytest.approx(5e6, rel=0.02)


def test_the_window_is_modelled_out_from_samples_given_as_json_and_per_lifetime() -> None:
    """pymalloc's bytes with a history window of 5 000 to 10 000 records, 100 bytes each, in two
    lifetimes the second 3 MB higher: each lifetime's own intercept, so the jump between them is
    not read as records; a sample without a number (``None``) left out as a NaN is."""
    from harness.leak_levels import window_taken_out

    rng = np.random.default_rng(96360)
    t = np.concatenate([T, T])
    g = np.repeat([0, 1], T.size)
    records = 5000.0 + 5000.0 * ((t / 330.0) % 1.0)
    y = 8e6 + 3e6 * g + 100.0 * records + 2e3 * rng.standard_normal(t.size)
    taken = window_taken_out(t, y, records, groups=g)
    assert taken is not None and taken[1] == pytest.approx(100.0, rel=0.01)
    values: list[float | None] = [float(v) for v in y]
    values[7] = None
    with_nan = y.copy()
    with_nan[7] = np.nan
    got = window_taken_out([float(v) for v in t], values, [float(r) for r in records], groups=g.tolist())  # type: ignore[arg-type]
    want = window_taken_out(t, with_nan, records, groups=g)
    assert got is not None and want is not None and got[1] == pytest.approx(want[1], rel=1e-12)
    assert np.array_equal(got[0], want[0], equal_nan=True)
    gone = [float(r) for r in records]
    gone[9] = None  # type: ignore[call-overload]
    assert window_taken_out(t, y, gone, groups=g) is None  # a sample without the count: judged as sampled


def test_a_sample_without_a_time_is_left_out_of_the_window_s_fit() -> None:
    """A journal read back from JSON may lack a sample's time (``None``): that sample is left out
    of the fit as a NaN time is, the series keeps its length, and the bytes a record are those
    of the series without it."""
    from harness.leak_levels import window_taken_out

    rng = np.random.default_rng(97300)
    records = 5000.0 + 5000.0 * ((T / 330.0) % 1.0)
    y = 8e6 + 100.0 * records + 2e3 * rng.standard_normal(T.size)
    times: list[float | None] = [float(v) for v in T]
    times[40] = None
    got = window_taken_out(times, y, records)  # type: ignore[arg-type]
    kept = np.arange(T.size) != 40
    want = window_taken_out(T[kept], y[kept], records[kept])
    assert got is not None and want is not None
    assert got[1] == pytest.approx(want[1], rel=1e-12) and got[0].size == T.size


def test_lifetimes_whose_window_holds_different_counts_keep_their_own_intercepts() -> None:
    """A resumed lifetime 3 MB higher whose history window holds twice the records of the first
    (10 000 to 20 000 against 5 000 to 10 000): fitted with one intercept a lifetime, an entry is
    its 100 bytes; one intercept for both would read part of the jump as records."""
    from harness.leak_levels import window_taken_out

    rng = np.random.default_rng(97301)
    t = np.concatenate([T, T[-1] + 10.0 + T])
    g = np.repeat([0, 1], T.size)
    records = (5000.0 + 5000.0 * ((t / 330.0) % 1.0)) * (1 + g)
    y = 8e6 + 3e6 * g + 100.0 * records + 2e3 * rng.standard_normal(t.size)
    taken = window_taken_out(t, y, records, groups=g)
    assert taken is not None and taken[1] == pytest.approx(100.0, rel=0.01)


def test_a_sample_lacking_both_its_value_and_its_count_is_left_out_not_a_missing_count() -> None:
    """A sample with neither pymalloc's bytes nor the window's count (both ``None``: the sampler
    read neither) is no sample of the fit: the window is still modelled out of the others, as if
    that sample were not there; only a sample that has a value but lacks the count is judged as
    sampled."""
    from harness.leak_levels import window_taken_out

    rng = np.random.default_rng(97302)
    records = 5000.0 + 5000.0 * ((T / 330.0) % 1.0)
    y = 8e6 + 100.0 * records + 2e3 * rng.standard_normal(T.size)
    values: list[float | None] = [float(v) for v in y]
    counts: list[float | None] = [float(r) for r in records]
    values[50] = counts[50] = None
    got = window_taken_out(T, values, counts)  # type: ignore[arg-type]
    kept = np.arange(T.size) != 50
    want = window_taken_out(T[kept], y[kept], records[kept])
    assert got is not None and want is not None and got[1] == pytest.approx(want[1], rel=1e-12)


def test_the_window_is_modelled_from_as_few_samples_as_its_terms_and_three() -> None:
    """One lifetime: an intercept, time and the count are three terms, and three samples more than
    the lifetimes (four judged, the first of five the warm-up's) are enough to fit them."""
    from harness.leak_levels import window_taken_out

    t = np.array([0.0, 60.0, 120.0, 180.0, 240.0])
    records = np.array([5000.0, 6000.0, 9000.0, 5500.0, 7000.0])
    y = 8e6 + 1e6 * t / 3600.0 + 100.0 * records
    taken = window_taken_out(t, y, records)
    assert taken is not None and taken[1] == pytest.approx(100.0, rel=1e-6)


def test_fewer_judged_samples_than_the_fit_s_terms_and_one_are_judged_as_sampled() -> None:
    """Three judged samples of one lifetime fit its three terms exactly, with no residual left to
    tell a record's size from the wander's: the window is not modelled out."""
    from harness.leak_levels import window_taken_out

    t = np.array([0.0, 60.0, 120.0, 180.0])
    records = np.array([5000.0, 6000.0, 9000.0, 5500.0])
    y = 8e6 + 100.0 * records + np.array([0.0, 3e3, -2e3, 1e3])
    assert window_taken_out(t, y, records) is None


def test_a_count_that_moves_by_one_record_is_still_modelled_out() -> None:
    """The window's count is whole records: moving between two neighbouring counts is a moving
    count, and its one record's bytes are fitted."""
    from harness.leak_levels import window_taken_out

    records = 5000.0 + (np.arange(T.size) % 2)
    y = 8e6 + 1e6 * T / 3600.0 + 100.0 * records
    taken = window_taken_out(T, y, records)
    assert taken is not None and taken[1] == pytest.approx(100.0, rel=1e-6)


@pytest.mark.parametrize("per_record", [-100.0, 0.0])
def test_a_fit_that_gives_a_record_no_positive_size_is_judged_as_sampled(per_record: float) -> None:
    """Bytes falling as the window fills (a negative size), or bytes that never move with it (a
    series of zeros: exactly no size), are no window to take out."""
    from harness.leak_levels import window_taken_out

    records = 5000.0 + 5000.0 * ((T / 330.0) % 1.0)
    y = (8e6 + per_record * records) if per_record else np.zeros(T.size)
    assert window_taken_out(T, y, records) is None


def test_any_positive_size_of_a_record_is_taken_out_however_small() -> None:
    """The bound is a positive size, not a byte: half a byte a record, fitted, is taken out."""
    from harness.leak_levels import window_taken_out

    records = 5000.0 + 5000.0 * ((T / 330.0) % 1.0)
    taken = window_taken_out(T, 8e6 + 0.5 * records, records)
    assert taken is not None and taken[1] == pytest.approx(0.5, rel=1e-6)


def test_the_bend_kept_is_the_most_significant_lifetime_s_not_the_deepest() -> None:
    """One lifetime bends down deeply through a wide wander, the other gently through almost none:
    the bend kept is the one whose curvature's t is the most negative (the gentle one), not the one
    with the most negative curvature."""
    rng = np.random.default_rng(97303)
    hours = T / 3600.0
    deep = 8e6 - 8e6 * (hours - 0.5) ** 2 + 4e5 * rng.standard_normal(T.size)
    gentle = 9e6 - 1e6 * (hours - 0.5) ** 2 + 1e3 * rng.standard_normal(T.size)
    alone = [level_line(T, deep), level_line(T, gentle)]
    assert alone[0] is not None and alone[1] is not None
    assert alone[0].curvature_per_hour2 < alone[1].curvature_per_hour2  # deeper ...
    assert alone[1].curvature_t < alone[0].curvature_t  # ... but less significant
    both = level_line(np.concatenate([T, T]), np.concatenate([deep, gentle]), groups=np.repeat([0, 1], T.size))
    assert both is not None
    assert (both.curvature_per_hour2, both.curvature_t) == pytest.approx(
        (alone[1].curvature_per_hour2, alone[1].curvature_t), rel=1e-9)


def test_the_short_lifetimes_pooled_bend_is_their_mean_curvature_over_its_standard_error() -> None:
    """The pooled bend of lifetimes too short to be asked alone: the mean of their curvatures, its
    t against their sample spread (n - 1) over the root of their number, and n - 1 degrees of
    freedom, exactly, and a spread under one (curvatures are in bytes an hour squared, any size)
    read as it is."""
    from harness.leak_levels import _pooled_bend

    mean, t, dof = _pooled_bend([-1.0, -2.0, -3.0])  # spread 1, standard error 1/sqrt(3)
    assert (mean, dof) == (-2.0, 2) and t == pytest.approx(-2.0 * np.sqrt(3.0))
    mean, t, dof = _pooled_bend([0.1, 0.2, 0.3, 0.4])
    assert (mean, dof) == (pytest.approx(0.25), 3)
    assert t == pytest.approx(0.25 / (np.std([0.1, 0.2, 0.3, 0.4], ddof=1) / 2.0))


@pytest.mark.parametrize("curvature, t", [(-0.5, -np.inf), (0.5, np.inf), (0.0, np.inf), (-3.0e6, -np.inf)])
def test_short_lifetimes_that_bend_exactly_alike_pool_to_an_infinite_t_of_their_sign(curvature: float, t: float) -> None:
    """Curvatures without any spread: no standard error to divide by, the t is infinite with the
    mean's sign (a mean of zero is no bend down), never a division by zero."""
    from harness.leak_levels import _pooled_bend

    assert _pooled_bend([curvature] * 3) == (curvature, t, 2)


def test_the_short_lifetimes_pooled_bend_is_their_mean_curvature_against_its_standard_error() -> None:
    """The short lifetimes' curvatures pooled: their mean over the standard error of a mean of n
    (their scatter over the square root of n), on n - 1 degrees of freedom. Four lifetimes bending
    at -2, -1, -3 and -2 read t -4.90 on 3; against one lifetime's scatter (t -2.45) a bound refilled
    in each of them would need twice the bend to be seen."""
    from harness.leak_levels import _pooled_bend

    mean, t, dof = _pooled_bend([-2.0, -1.0, -3.0, -2.0])
    assert mean == -2.0 and dof == 3
    assert t == pytest.approx(-2.0 / (np.std([-2.0, -1.0, -3.0, -2.0], ddof=1) / 2.0))
    assert t == pytest.approx(-4.899, abs=1e-3)
