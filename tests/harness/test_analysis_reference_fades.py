"""A pop inside a fade-in of program material, a block before a drop: each named for itself.

The takes are ``bench/bench_fade_pops.py --drop 2``'s (music whose first 0.5 s fade in, through
the suite's field impairments, seeded, no clock). The residual's bursts are named by the track's
steps within 80 ms of them; taken in time order, a 0.01 pop 1500 frames before a 2-frame drop
took the drop's step (reported as ``dropped`` at the drop, the pop gone) and the drop's own burst
was left to read as a ``pop``, an ``other``, a ``mute`` or ``clipped`` beside it, 12 of 12 seeds,
in 0.125 s and 0.5 s windows alike. A step names the burst nearest it
(``reference_compare._steps_to_bursts``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from harness import reference_compare as R

FS = 48_000
#: frames: how close a reported start must lie to the planted pop or drop
PLACE = 2


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_fade_pops.py"
    spec = importlib.util.spec_from_file_location("bench_fade_pops", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("window_s", [0.125, 0.5])
@pytest.mark.parametrize("seed", [0, 3])
def test_a_pop_in_a_fade_in_a_block_before_a_drop_is_a_pop_and_the_drop_a_drop(seed: int, window_s: float) -> None:
    ref, with_drop, with_both, pop_at, drop_at = _bench().take("music", seed, 0.5, 0.01, 2, 1500)
    assert drop_at is not None
    alone = R.compare_to_reference(with_drop, ref, FS, window_s=window_s)
    assert [(g.kind, g.size_frames) for g in alone.glitches] == [("dropped", 2)], alone.to_dict()["glitches"]
    assert abs(alone.glitches[0].start_frame - drop_at) <= PLACE
    both = R.compare_to_reference(with_both, ref, FS, window_s=window_s)
    got = [(g.kind, g.size_frames, g.start_frame) for g in both.glitches]
    assert [kind for kind, _size, _at in got] == ["pop", "dropped"], got
    assert abs(got[0][2] - pop_at) <= PLACE, got
    assert got[1][1] == 2 and abs(got[1][2] - drop_at) <= PLACE, got


def test_each_step_names_the_burst_nearest_it_not_the_first_within_reach() -> None:
    """A pop 1500 frames before a drop's step and the drop's own burst at it: the step names
    the second. A step nearest a burst another step is nearer still names the next nearest."""
    steps = [(15_712, 667.8, 665.8)]
    assert R._steps_to_bursts([(14_212, 14_213), (15_690, 15_716)], steps, 3840) == {1: 0}
    two = [(10_000, 0.0, -2.0), (10_030, -2.0, 0.0)]
    assert R._steps_to_bursts([(9_990, 10_001), (10_025, 10_040)], two, 3840) == {0: 0, 1: 1}
    assert R._steps_to_bursts([(10_020, 10_021)], two, 3840) == {0: 1}
    assert R._steps_to_bursts([(20_000, 20_001)], two, 3840) == {}


def test_a_step_inside_a_burst_is_nearer_it_than_one_a_frame_past_its_end() -> None:
    steps = [(201, 0.0, -2.0), (150, -2.0, 0.0)]
    assert R._steps_to_bursts([(100, 200)], steps, 3840) == {0: 1}


def test_a_step_exactly_the_reach_before_or_after_a_burst_is_within_it() -> None:
    step = [(10_000, 0.0, -2.0)]
    assert R._steps_to_bursts([(13_840, 13_841)], step, 3840) == {0: 0}  # the burst starts `reach` after
    assert R._steps_to_bursts([(6_159, 6_160)], step, 3840) == {0: 0}  # it ends `reach` before
    assert R._steps_to_bursts([(13_841, 13_842)], step, 3840) == {}
    assert R._steps_to_bursts([(6_158, 6_159)], step, 3840) == {}


def test_a_step_whose_nearest_burst_another_step_took_names_its_next_nearest() -> None:
    # the second step's nearest pair (5 frames, the first burst) is skipped, and its next is kept
    steps = [(105, 0.0, -2.0), (115, -2.0, 0.0)]
    assert R._steps_to_bursts([(100, 110), (300, 310)], steps, 3840) == {0: 0, 1: 1}

def test_a_step_inside_a_long_burst_names_that_burst_not_a_nearer_starting_one() -> None:
    """Nearness is to the burst's span, not to its start: a step 2000 frames into a burst that
    began before it (a long residual around the step: a mute's, a clipped stretch's) lies in it, at
    distance 0, though a short burst after it begins only 1100 frames away; and a step after a
    burst's end is as far from it as from that end, not from its start."""
    step = [(20_000, 0.0, -2.0)]
    assert R._steps_to_bursts([(18_000, 20_100), (21_100, 21_110)], step, 3840) == {0: 0}
    # after the end: 500 frames from the first burst's end, 1100 from the second's start
    assert R._steps_to_bursts([(17_000, 19_500), (21_100, 21_110)], step, 3840) == {0: 0}


@pytest.mark.parametrize(("material", "seed"), [("music", 8), ("music", 11), ("speech", 10)])
def test_a_pop_a_block_before_a_drop_that_raises_no_burst_is_a_pop(material: str, seed: int) -> None:
    """The drop's window is cut at its step, so the drop raises no burst of its own; the pop,
    1500 frames before, was the one burst within the step's 80 ms, was named the drop, and the
    pop went unreported. A 2-frame step reaches 20 ms and its size, not 80 ms."""
    ref, _with_drop, with_both, pop_at, drop_at = _bench().take(material, seed, 0.5, 0.01, 2, 1500)
    assert drop_at is not None
    got = [(g.kind, g.size_frames, g.start_frame) for g in R.compare_to_reference(with_both, ref, FS).glitches]
    assert [kind for kind, _size, _at in got] == ["pop", "dropped"], got
    assert abs(got[0][2] - pop_at) <= PLACE, got
    assert got[1][1] == 2 and abs(got[1][2] - drop_at) <= PLACE + 2, got


def test_a_small_step_reaches_no_further_than_near_and_its_size() -> None:
    """With ``near``, a 2-frame step 1500 frames from a 1-frame burst does not name it; a
    705-frame step 945 frames from a burst does (``test_program.py``'s repeat)."""
    small = [(23_445, 0.0, -2.0)]
    assert R._steps_to_bursts([(21_945, 21_946)], small, 3840) == {0: 0}
    assert R._steps_to_bursts([(21_945, 21_946)], small, 3840, near=960) == {}
    assert R._steps_to_bursts([(22_484, 22_485)], small, 3840, near=960) == {0: 0}  # 960 + 2 frames before
    big = [(20_000, 0.0, 705.0)]
    assert R._steps_to_bursts([(19_043, 19_055)], big, 3840, near=960) == {0: 0}
