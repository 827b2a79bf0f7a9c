"""Reference mode: a clock far off does not leave the lock refused.

Through a 500 ppm clock the delay moves by 36 frames over the lock's 1.5 s head, which smears the
head's correlation past the whitened peak's lobe: the carrier peaked twice, 3 frames apart, and
``bench/bench_reference_drift.py``'s music seed 98454 was refused ("found but not placed to the
frame"). The head's first third, smeared a third as much, places it (``_envelope_lock``), and
the take is followed and judged as any other.
"""

from __future__ import annotations

import sys
from pathlib import Path

from harness import reference_compare as R

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_reference_drift as D  # noqa: E402

FS = 48_000


def test_music_through_a_500_ppm_clock_is_locked_and_reads_its_drift_latency_and_no_glitch() -> None:
    ref, rec, delay, _drop = D.take("music", FS, 98454, 500.0, 0)
    rep = R.compare_to_reference(rec, ref, FS, window_s=0.125)
    assert rep.glitches == [], rep.to_dict()["glitches"]
    assert abs(rep.drift_ppm - 500.0) <= max(D.DRIFT_OFF_PPM, D.DRIFT_OFF_SHARE * 500.0), rep.drift_ppm
    assert abs(rep.latency_frames - delay) <= 0.1, rep.latency_frames - delay
    assert not rep.partial
