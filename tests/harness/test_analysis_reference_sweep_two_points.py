"""Reference mode: a drop on a linear sweep's converter curve that leaves two track points on one side.

Through a 0.05 fs converter at 44.1 kHz a 2 s linear sweep is followed for 6 blocks only (until it
passes the band edge), and the converter delays it more at each block (+0.2, +0.4, +0.9, +1.7
frames a block). A 5- or 9-frame drop in the middle leaves 3 points before it and 2 after, or 2
before and 3 after: too few for "the next two agree" or for a line of three on each side, so each
point after the drop was skipped as a bad match and the report read ``partial`` with no glitch
(``bench/bench_sweep_drops.py --rates 44100 --lowpasses 0.05``: 5 frames 8/12, 9 frames 5/12).
The points after such a drop lie under the line before it, the side a curve rising toward the
cut-off never reaches; that side, and the recording's confirmation, are what keep two points a
step. The undamaged takes, whose last points rise off the line, stay one line and no glitch.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import analysis as A
from harness import reference_compare as R

FS = 44_100


def _take(seed: int, delay: float, noise: float) -> tuple[np.ndarray, np.ndarray]:
    """The bench's 0.05 fs linear-sweep take: (reference, undamaged recording)."""
    ref = A.sweep(2.0, FS, 0.5, logarithmic=False)
    return ref, R.through_system(ref, FS, delay_frames=delay, gain=0.5, lowpass_hz=0.05 * FS, noise_rms=noise,
                                 tail_frames=FS // 10, seed=seed)


#: (seed, delay, noise, drop's recording frame, frames dropped) of the bench's takes the comparison
#: missed: 3 points before the drop and 2 after (seeds 0, 4, 6), 2 before and 3 after (seeds 1, 3)
MISSED = [
    (0, 1476.11, 1e-4, 8379, 9), (0, 1476.11, 1e-4, 8379, 5), (1, 751.97, 1e-4, 6658, 9),
    (3, 312.06, 1e-4, 5875, 5), (4, 1243.44, 1e-4, 8567, 9), (6, 1994.12, 0.0, 9551, 5),
]


@pytest.mark.parametrize(("seed", "delay", "noise", "at", "drop"), MISSED,
                         ids=[f"seed{s}-drop{d}" for s, _dl, _n, _at, d in MISSED])
def test_a_drop_leaving_two_points_on_one_side_of_the_curve_is_found_sized_and_placed(
        seed: int, delay: float, noise: float, at: int, drop: int) -> None:
    ref, clean = _take(seed, delay, noise)
    assert R.compare_to_reference(clean, ref, FS).glitches == []
    rep = R.compare_to_reference(A.drop_frames(clean, at, drop), ref, FS)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", drop)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 10 + rep.glitches[0].position_uncertainty_frames


def _lines_of(points: list[tuple[int, float]]) -> list[tuple[int, int, float, float]]:
    track = R._Track()
    track.frames = [f for f, _d in points]
    track.delays = [d for _f, d in points]
    return R._lines(track, 2048)


#: seed 0's track, undamaged: the converter's curve rising to the band edge
CURVE = [(2519, 1492.36), (4567, 1492.55), (6615, 1492.98), (8663, 1493.85), (10711, 1495.53), (12759, 1496.74)]


def test_the_last_two_points_are_a_step_under_the_line_a_rising_curve_holds_and_the_curve_over_it() -> None:
    """Seed 0 with 9 frames dropped at 8379: the block holding it matched nowhere, the two after
    read 9 frames under the undamaged curve: a line of their own. The side decides: the undamaged
    curve's last points rise off the line as much (+1.7, +1.2 frames a block), and so do two
    points 9 frames over it (an insert's side, the curve's own): neither is a step."""
    damaged = CURVE[:3] + [(f - 2, d - 9.0) for f, d in CURVE[4:]]
    lines = _lines_of(damaged)
    assert len(lines) == 2, lines
    assert lines[0][1] < 8379 < lines[1][0] + 2048, lines
    assert len(_lines_of(CURVE)) == 1
    raised = CURVE[:3] + [(f, d + 9.0) for f, d in CURVE[4:]]
    assert len(_lines_of(raised)) == 1, _lines_of(raised)
