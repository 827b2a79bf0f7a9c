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


@pytest.mark.parametrize(("drop", "cut"), [
    (975, True),  # ``end_least`` (25) before the stretch's last frame: the part there keeps 25
    (976, False),  # one frame closer
    (525, False),  # inside the stretch the part before the drop still keeps ``least`` (50)
])
def test_a_part_at_the_stretch_s_last_frame_keeps_end_least_frames(drop: int, cut: bool) -> None:
    got = _window_edges(0, 1000, 500, [drop], 50, (25, 25))
    assert got == ([0, 500, drop, 1000] if cut else [0, 500, 1000])


@pytest.mark.parametrize(("drop", "cut"), [(25, True), (24, False), (475, False)])
def test_a_part_at_the_stretch_s_first_frame_keeps_end_least_frames(drop: int, cut: bool) -> None:
    got = _window_edges(0, 1000, 500, [drop], 50, (25, 25))
    assert got == ([0, drop, 500, 1000] if cut else [0, 500, 1000])


def test_each_end_keeps_its_own_least() -> None:
    # the hidden-step test's re-judged window: only the end that is the stretch's own may keep less
    assert _window_edges(0, 1000, 1000, [970], 50, (50, 25)) == [0, 970, 1000]
    assert _window_edges(0, 1000, 1000, [30], 50, (50, 25)) == [0, 1000]
    assert _window_edges(0, 1000, 1000, [30], 50, (25, 50)) == [0, 30, 1000]


def test_a_drop_a_block_before_the_followed_span_s_end_leaves_the_sweep_s_fade_in_alone() -> None:
    """``bench/bench_sweep_drops.py --rates 44100 --seeds 1 --first-seed 14 --lowpasses 0.05``: a
    linear sweep through a 0.05 fs low-pass, noiseless, delay 228.54; a 5- or 9-frame drop at
    6590 ends the followed span at ~8436 (the converter's curve), 1845 frames after it. Left in
    one window with the drop's splice, the fade-in read ``pop6@462`` / ``pop4@463``."""
    from harness import analysis as A
    from harness import reference_compare as R

    fs = 44_100
    ref = A.sweep(2.0, fs, 0.5, logarithmic=False)
    clean = R.through_system(ref, fs, delay_frames=228.54, gain=0.5, lowpass_hz=0.05 * fs, noise_rms=0.0,
                             tail_frames=fs // 10, seed=14)
    for drop in (5, 9):
        rep = R.compare_to_reference(A.drop_frames(clean, 6590, drop), ref, fs)
        assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", drop)], [g.to_dict() for g in rep.glitches]
        assert rep.analysed_end_frame - rep.glitches[0].start_frame < 2048  # the case: less than a block left
        assert abs(rep.glitches[0].start_frame - 6590) <= 10
