"""Two parts of the reference comparison's search for a step the track did not see, each against
its own promise, without a whole comparison (those tests take minutes a take on a loaded machine).

``_splits_refitted`` reads "the line before the split, the line moved from it" at every split of a
range with one refit each, the rows no split reaches summed once: each split's error must be the
error ``_step_error`` gives that split's spliced prediction fitted from scratch. ``_confirmed``
judges a short burst heard in a long window again over ``_CONFIRM_BLOCKS`` blocks about it: which
bursts are asked again, over which window, and which answer keeps them. A swept tone, seeded noise:
deterministic."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import harness.reference_compare as R

FS = 44_100
BLOCK = 1024


def _sweep_lines(frames: int, split: int, *, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A linear sweep's prediction on the line and on the line a frame on, and a recording that
    follows the first up to ``split`` and the second from it, at half the level, under noise."""
    t = np.arange(frames + 400) / FS
    ref = np.sin(2 * np.pi * (200.0 * t + (6000.0 - 200.0) / (2 * t[-1]) * t ** 2))
    pa, pb = ref[200: 200 + frames].copy(), ref[201: 201 + frames].copy()
    r = np.concatenate((pa[:split], pb[split:])) * 0.5 + 1e-4 * np.random.default_rng(seed).standard_normal(frames)
    return pa, pb, r


@pytest.mark.parametrize("impulses", [(), (2 * BLOCK,)])
def test_each_splits_error_is_the_error_of_its_spliced_prediction_fitted_afresh(impulses: tuple[int, ...]) -> None:
    """Every split of the range, with and without an impulse of its own, reads what ``_step_error``
    reads of that split's prediction (to 1e-4 of it: the two fits' rounding differs by up to 3.2e-5
    over these 25 splits, measured), and the least error lies at the true split."""
    split = 2 * BLOCK + 37
    pa, pb, r = _sweep_lines(4 * BLOCK, split)
    got = R._splits_refitted(pa, pb, r, R._JUDGE_CUTOFF, impulses, split - 12, split + 12)
    assert sorted(got) == list(range(split - 12, split + 13))
    for sp, e in got.items():
        fresh = R._step_error(np.concatenate((pa[:sp], pb[sp:])), r, R._JUDGE_CUTOFF, impulses)[0]
        assert e == pytest.approx(fresh, rel=1e-4), (sp, e, fresh)
    assert min(got, key=got.__getitem__) == split


def test_a_range_reaching_over_half_the_rows_is_not_read() -> None:
    """Refitting pays only while the splits reach few rows: a range over most of the window reads
    nothing (``{}``), and the search keeps the splits it tried one by one."""
    pa, pb, r = _sweep_lines(4 * BLOCK, 2 * BLOCK)
    assert R._splits_refitted(pa, pb, r, R._JUDGE_CUTOFF, (), BLOCK // 2, 4 * BLOCK - BLOCK // 2) == {}
    # just over half: the splits 1000..2800 reach rows 890..2863 (1974) of the 3824 fitted (112..3935)
    assert R._splits_refitted(pa, pb, r, R._JUDGE_CUTOFF, (), 1000, 2800) == {}


class _Again:
    """A ``judge`` that records each window it is asked about and answers with ``events`` (None: a
    window it cannot judge)."""

    def __init__(self, events: list[tuple[int, int]] | None) -> None:
        self.events = events
        self.asked: list[tuple[int, int]] = []

    def __call__(self, a: int, b: int) -> Any:
        self.asked.append((a, b))
        if self.events is None:
            return None
        return R._Judged([(a0, a1, 1.0, 1, False, False) for a0, a1 in self.events], 1.0, 0.0,
                         np.zeros(0), np.zeros(0))


def _burst(s0: int, length: int = 10) -> tuple[int, int, float, int, bool, bool]:
    return (s0, s0 + length, 0.5, length, False, False)


LONG = (0, 12 * BLOCK)  # a window three times the confirming one
REACH = int(R._POP_MAX_S * FS)  # 44 frames: how near a burst heard again must lie


def test_a_short_burst_in_a_long_window_is_judged_again_about_its_middle_and_kept_where_heard() -> None:
    """Judged again over ``_CONFIRM_BLOCKS`` blocks centred on the burst: kept when a burst heard
    there overlaps it widened by a pop's length either side, dropped when every one lies outside
    (the edges themselves outside), kept when the window cannot be judged."""
    s0 = 6 * BLOCK + 100
    length = R._CONFIRM_BLOCKS * BLOCK
    centre = (s0 + s0 + 10) // 2 - length // 2
    for events, kept in (([(s0 + 2, s0 + 6)], True), ([(s0 + 10 + REACH - 1, s0 + 200)], True),
                         ([(s0 - 100, s0 - REACH + 1)], True), ([(s0 + 10 + REACH, s0 + 200)], False),
                         ([(s0 - 100, s0 - REACH)], False), ([], False),
                         ([(100, 200), (s0 + 3, s0 + 4)], True), (None, True)):
        again = _Again(events)
        assert R._confirmed(_burst(s0), *LONG, [], BLOCK, FS, again) is kept, events
        assert again.asked == [(centre, centre + length)], again.asked


@pytest.mark.parametrize(("s0", "window"), [(50, (0, 12 * BLOCK)), (12 * BLOCK - 60, (0, 12 * BLOCK)),
                                            (3 * BLOCK, (2 * BLOCK, 9 * BLOCK))])
def test_the_window_judged_again_is_clipped_to_the_one_heard(s0: int, window: tuple[int, int]) -> None:
    length = R._CONFIRM_BLOCKS * BLOCK
    again = _Again([])
    R._confirmed(_burst(s0), *window, [], BLOCK, FS, again)
    want = min(max((2 * s0 + 10) // 2 - length // 2, window[0]), window[1] - length)
    assert again.asked == [(want, want + length)] and window[0] <= want and want + length <= window[1]


def test_what_is_not_a_short_burst_away_from_steps_in_a_long_window_stands_unasked() -> None:
    """A window of ``_CONFIRM_BLOCKS`` blocks or fewer, a burst longer than a pop, and a burst
    within two blocks of a step of the track stand as heard, asked of nobody; one two blocks
    from the step is asked."""
    s0 = 6 * BLOCK
    cases = [
        (_burst(s0), (0, R._CONFIRM_BLOCKS * BLOCK), [], True),
        (_burst(s0), (0, R._CONFIRM_BLOCKS * BLOCK + 1), [], False),
        (_burst(s0), (5 * BLOCK, (5 + R._CONFIRM_BLOCKS) * BLOCK), [], True),  # its length, not its end
        (_burst(s0, REACH + 1), LONG, [], True),
        (_burst(s0, int(R._POP_MAX_S * FS)), LONG, [], False),
        (_burst(s0), LONG, [(s0 + 2 * BLOCK - 1, 1.0, 2.0)], True),
        (_burst(s0), LONG, [(s0 - 2 * BLOCK + 1, 1.0, 2.0)], True),
        (_burst(s0), LONG, [(s0 + 2 * BLOCK, 1.0, 2.0)], False),
        (_burst(s0), LONG, [(s0 - 2 * BLOCK, 1.0, 2.0), (100, 1.0, 2.0)], False),
    ]
    for event, window, steps, stands in cases:
        again = _Again([])
        assert R._confirmed(event, *window, steps, BLOCK, FS, again) is stands, (event, window, steps)
        assert (again.asked == []) is stands, (event, window, steps)


def test_a_burst_of_exactly_a_pops_length_is_short() -> None:
    """At 48 kHz a pop's length is a whole 48 frames: a burst that long is still asked again."""
    again = _Again([])
    assert R._confirmed(_burst(6 * BLOCK, int(R._POP_MAX_S * 48_000)), *LONG, [], BLOCK, 48_000, again) is False
    assert len(again.asked) == 1


@pytest.mark.parametrize("length", [9, 10])
def test_the_window_asked_is_whole_frames_about_the_bursts_middle(length: int) -> None:
    """The judge slices the recording with the window's edges: whole frames, the middle of a burst
    of an odd length rounded down."""
    s0 = 6 * BLOCK + 101
    again = _Again([])
    R._confirmed(_burst(s0, length), *LONG, [], BLOCK, FS, again)
    (a, b), = again.asked
    half = R._CONFIRM_BLOCKS * BLOCK // 2
    assert (a, b) == (s0 + length // 2 - half, s0 + length // 2 + half)
    assert type(a) is int and type(b) is int


def test_an_impulse_at_either_edge_of_the_fitted_rows_is_fitted_as_step_error_fits_it() -> None:
    """An impulse whose row is the first or the last the fit reads (and the ones beside them) is
    one of the fit's columns in each split's refit as in ``_step_error``'s."""
    split = 2 * BLOCK + 37
    pa, pb, r = _sweep_lines(4 * BLOCK, split)
    judge = R._judge_filter(R._JUDGE_CUTOFF)
    normal = R._path_normal(np.concatenate((pa[:split], pb[split:])), r, judge, judge.size // 2 + R.FIR_TAPS)
    for row in (normal.t0, normal.t0 + 1, normal.t1 - 2, normal.t1 - 1):
        impulses = (row + R.FIR_TAPS // 2,)
        got = R._splits_refitted(pa, pb, r, R._JUDGE_CUTOFF, impulses, split - 2, split + 2)
        assert sorted(got) == list(range(split - 2, split + 3))
        for sp, e in got.items():
            fresh = R._step_error(np.concatenate((pa[:sp], pb[sp:])), r, R._JUDGE_CUTOFF, impulses)[0]
            assert e == pytest.approx(fresh, rel=1e-4), (row, sp, e, fresh)
