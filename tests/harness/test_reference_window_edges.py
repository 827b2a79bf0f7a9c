"""Where the reference comparison cuts its judged windows (``reference_compare._window_edges``).

The promise (its docstring): windows of about ``win`` frames that split ``first..last`` evenly,
and a window that holds a drop cut in two there when each part keeps ``least`` frames. A window
is one filter and its linear change, so where the cuts fall decides what each fit sees: a drop
not cut at is the sweep's false fade-in ``pop`` beside it (issue #18), a part shorter than
``least`` a fit with too few frames for its taps. The end-to-end test
(``test_analysis_reference_sweeps.py``, five bench takes) meets one drop well inside one window;
here every edge of the rule is met exactly, on integers, so a bound off by one frame shows.
"""

from __future__ import annotations

import pytest

from harness.reference_compare import _window_edges


@pytest.mark.parametrize(("first", "last", "win", "edges"), [
    (0, 1000, 300, [0, 333, 667, 1000]),  # 3.33 windows: three, each 333-334 frames
    (0, 1000, 385, [0, 333, 667, 1000]),  # 2.6 windows round to three, not down to two
    (0, 1000, 400, [0, 500, 1000]),  # 2.5 windows: two (Python rounds half to even)
    (0, 100, 300, [0, 100]),  # shorter than one window: still one window, the whole stretch
    (1000, 2000, 500, [1000, 1500, 2000]),  # the stretch need not start at frame 0: its length counts
])
def test_without_a_drop_the_stretch_is_split_evenly(first: int, last: int, win: int, edges: list[int]) -> None:
    got = _window_edges(first, last, win, [], 10)
    assert got == edges
    # frame indexes: the windows are sliced by them (a float edge fails the residual's slices)
    assert [type(e) for e in got] == [int] * len(edges)


def test_a_drop_with_room_on_both_sides_cuts_its_window_there() -> None:
    assert _window_edges(0, 1000, 500, [300], 50) == [0, 300, 500, 1000]
    assert _window_edges(0, 1000, 500, [700], 50) == [0, 500, 700, 1000]


@pytest.mark.parametrize(("drop", "cut"), [
    (550, True),  # exactly ``least`` after its window's start: both parts keep ``least``
    (549, False),  # one frame closer: the first part would be short
    (950, True),  # exactly ``least`` before its window's end
    (951, False),  # one frame closer to the end
    (500, False),  # on an even edge already: nothing to cut
])
def test_a_drop_cuts_only_where_both_parts_keep_least_frames(drop: int, cut: bool) -> None:
    got = _window_edges(0, 1000, 500, [drop], 50)
    assert got == ([0, 500, drop, 1000] if cut else [0, 500, 1000])


def test_of_two_drops_closer_than_least_only_the_first_cuts() -> None:
    assert _window_edges(0, 1000, 1000, [300, 349], 50) == [0, 300, 1000]
    assert _window_edges(0, 1000, 1000, [300, 350], 50) == [0, 300, 350, 1000]
    # the order they are given in does not matter: they are taken from the earliest
    assert _window_edges(0, 1000, 1000, [349, 300], 50) == [0, 300, 1000]
    assert _window_edges(0, 1000, 1000, [600, 350, 300], 50) == [0, 300, 350, 600, 1000]


def test_drops_outside_the_stretch_cut_nothing() -> None:
    assert _window_edges(100, 1100, 500, [0, 99, 1101, 5000], 10) == [100, 600, 1100]


def test_drops_in_two_windows_cut_each_and_every_part_keeps_least() -> None:
    got = _window_edges(0, 1200, 400, [100, 450, 460, 1150], 50)
    assert got == [0, 100, 400, 450, 800, 1150, 1200]
    assert min(b - a for a, b in zip(got[:-1], got[1:])) >= 50
