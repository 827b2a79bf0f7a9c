"""Reference mode: a linear sweep through a 300-500 ppm clock, read on the reference's clock.

A clock that drifts scales every frequency of the recording, and a linear sweep's correlation
moves with frequency: a block's correlation envelope leans off the truth by the drift times the
time since the sweep's start. At 500 ppm the truth's fringe fell under the envelope's top a third
of the way through a 2 s sweep, and the track lost it (11 of 12 takes compared to 31 500-38 200 of
~96 000 frames, ``partial``); at 300 ppm one take read 345 ppm, its latency a frame off. The lock
now measures the clocks' drift over the reference's head, and where it is 20 ppm or more each
block is read on the reference's clock. The takes are ``bench/bench_reference_drift.py``'s (48 kHz,
2 s, -80 dBFS of noise).
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import analysis as A
from harness import reference_compare as R

FS = 48_000

#: (drift in ppm, seed): followed for a third of the take (500 ppm), or read 345 ppm (300 ppm)
TAKES = [(500.0, 1), (500.0, 2), (300.0, 2)]


def _take(ppm: float, seed: int, polarity: int = 1) -> tuple[np.ndarray, np.ndarray, float]:
    """The bench's take: the reference, the recording, and the planted delay."""
    rng = np.random.default_rng([FS, seed, int(round(ppm * 1000))])
    delay = round(float(rng.uniform(200, 2000)), 2)
    ref = A.sweep(2.0, FS, 0.5, logarithmic=False)
    rec = R.through_system(ref, FS, delay_frames=delay, gain=0.5, drift_ppm=ppm, noise_rms=1e-4,
                           tail_frames=FS // 10, seed=seed, polarity=polarity)
    return ref, rec, delay


@pytest.mark.parametrize(("ppm", "seed"), TAKES, ids=[f"{p:g}ppm-seed{s}" for p, s in TAKES])
def test_a_linear_sweep_through_a_fast_drifting_clock_is_followed_to_its_end_at_its_drift_and_latency(
        ppm: float, seed: int) -> None:
    ref, rec, delay = _take(ppm, seed)
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    assert rep.polarity == 1
    assert abs(rep.drift_ppm - ppm) <= 0.02 * ppm, rep.drift_ppm
    assert abs(rep.latency_frames - delay) <= 0.5, rep.latency_frames - delay
    assert rep.analysed_end_frame - delay >= 0.9 * 2.0 * FS, (rep.analysed_start_frame, rep.analysed_end_frame)


def test_an_inverted_linear_sweep_through_a_500_ppm_clock_reads_inverted_to_its_end() -> None:
    ref, rec, delay = _take(500.0, 1, polarity=-1)
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    assert rep.polarity == -1
    assert abs(rep.latency_frames - delay) <= 0.5, rep.latency_frames - delay
    assert rep.analysed_end_frame - delay >= 0.9 * 2.0 * FS, (rep.analysed_start_frame, rep.analysed_end_frame)


def test_a_pop_on_a_linear_sweep_through_a_500_ppm_clock_late_in_the_take_is_found_alone_and_in_place() -> None:
    """1.5 s in: past the third of the take the track followed before."""
    ref, rec, delay = _take(500.0, 1)
    at = int(delay) + int(1.5 * FS)
    rec[at] += 0.02
    rep = R.compare_to_reference(rec, ref, FS)
    assert [g.kind for g in rep.glitches] == ["pop"], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 2
