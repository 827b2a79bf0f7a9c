"""Tonal material followed to a pitch period's alias: the delay track's lines merged as one clock.

Notes of 2-6 kHz with drum hits (``bench/bench_reference_clipping.py``'s ``high`` material), through
a fractional delay, a clock 40 ppm off, gain with an AGC and a converter's low-pass at 0.35 fs: the
track matches some blocks a few periods of a note away (8-57 frames). The recording does not
confirm those jumps as steps, so the lines are merged; a line fitted through both levels read the
clock as -360 ppm and put the prediction up to 31 frames off, false glitches (some named
``clipped``) on clean takes. The merged line is the one with more points.
"""

from __future__ import annotations

import pytest

from bench.bench_reference_clipping import Cell, take
from harness import reference_compare as R

# (rate, path, seed): clean takes of that material; the first three were followed to aliases and
# the first two gave false glitches (``clipped`` and ``other``) before the merge kept the line with
# more points
TAKES = [(44_100, "noiseless", 1), (44_100, "-80 dBFS", 0), (44_100, "noiseless", 0), (44_100, "noiseless", 3),
         (48_000, "noiseless", 2), (48_000, "-80 dBFS", 5)]


CASES = [(*t, "clean") for t in TAKES] + [(*t, how) for t in TAKES[:2] for how in ("full scale", "fade")]


@pytest.mark.parametrize(("fs", "noise", "seed", "how"), CASES)
def test_clean_notes_above_2_khz_give_no_glitch_and_the_clock_as_it_ran(fs: int, noise: str, seed: int,
                                                                        how: str) -> None:
    rec, ref, _ = take(Cell(fs, "high", noise, how, seed))
    rep = R.compare_to_reference(rec, ref, fs)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    # the take's clock runs 40 ppm slow; a line through an alias's level read -360 ppm
    assert abs(rep.drift_ppm - 40.0) < 2.0, rep.drift_ppm
