"""Reference mode: the drift a take reports when a drop cuts its track into two lines.

One clock runs through the whole take and a drop moves the delay's level, never its slope. The
drift was the median of the lines' own slopes, so a short line's slope, fitted over speech with
pauses, counted as much as a long one's: ``bench/bench_reference_drift.py --drop 2`` read speech
seed 96343 at 300 ppm as 289.76 ppm and seed 96341 as 293.01 (2.3-3.4 % off, over the bench's
2 %), and reported it with no doubt. The drift is now one slope pooled through every line's
points (``_take_drift``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from harness import reference_compare as R

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_reference_drift as D  # noqa: E402

FS = 48_000


def test_one_slope_runs_through_lines_at_two_levels_whatever_the_lines_own_slopes() -> None:
    """Points on one 300 ppm clock, 2 frames lower after frame 40 000: a short first line with a
    slope of its own (250 ppm) and a long second one; the pooled slope is the clock's."""
    frames = np.arange(8_000, 100_000, 2_048)
    delays = 500.0 + 300e-6 * frames - 2.0 * (frames >= 40_000)
    track = R._Track(frames=[int(f) for f in frames], delays=[float(d) for d in delays])
    lines = [(7_000, 40_000, 500.0 + 50e-6 * 24_000, 250e-6), (40_000, 101_000, 498.0, 300e-6)]
    assert R._take_drift(lines, track) == pytest.approx(300e-6, rel=1e-9)
    assert float(np.median([ln[3] for ln in lines])) == pytest.approx(275e-6)  # what the median read
    assert R._take_drift([(0, 1_000, 0.0, 0.0)], track) is None  # no line holds two points


@pytest.mark.parametrize(("material", "seed", "ppm"), [("speech", 96343, 300.0), ("speech", 96341, 300.0)])
def test_speech_through_a_drifting_clock_with_a_drop_reports_the_clock_s_drift(material: str, seed: int,
                                                                                ppm: float) -> None:
    """The bench's take (``bench_reference_drift``'s construction, ``--drop 2``): the drop is
    named, and the drift is within the bench's tolerance of the planted one."""
    ref, rec, _delay, drop_at = D.take(material, FS, seed, ppm, 2)
    assert drop_at is not None
    rep = R.compare_to_reference(rec, ref, FS, window_s=0.125)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", 2)]
    assert abs(rep.glitches[0].start_frame - drop_at) <= D.DROP_PLACE
    assert abs(rep.drift_ppm - ppm) <= max(D.DRIFT_OFF_PPM, D.DRIFT_OFF_SHARE * ppm), rep.drift_ppm
