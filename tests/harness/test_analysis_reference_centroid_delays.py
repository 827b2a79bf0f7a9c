"""Reference mode: a block's delay is read where its energy lies, and moved to its centre.

A block's delay is read by correlating it with the reference, which weighs each frame by its
energy, so through a drifting clock the delay read is the one at the block's energy centroid.
The track placed it at the block's centre: on speech at 500 ppm (``bench/bench_reference_drift.py
--ppm 500 --materials speech --drop 2``) the points lay up to 0.46 frame off the truth in a saw
with the syllables' period, seed 98364 read 471.0 ppm, its drop unnamed and its latency 0.82
frame late, and seed 98366 468.5 ppm with a ``mute187`` 3813 frames before its drop
(``_delays_at_centres``).
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


def test_an_energy_centroid_is_measured_from_the_block_s_centre() -> None:
    x = np.zeros(2_048)
    x[1_500] = 1.0
    assert R._energy_centroid(x) == pytest.approx(1_500 - 1_023.5)
    assert R._energy_centroid(np.ones(2_048)) == pytest.approx(0.0, abs=1e-9)
    assert R._energy_centroid(np.zeros(2_048)) == 0.0


def test_delays_read_at_the_blocks_centroids_are_moved_to_their_centres() -> None:
    """Points on a 500 ppm clock, each read at a centroid up to 900 frames off its block's
    centre, one 2 frames lower after a drop: moved back onto the line at the centres."""
    frames = np.arange(10_000, 96_000, 2_048)
    cents = np.random.default_rng(1).uniform(-900, 900, frames.size)
    truth = 1_300.0 + 500e-6 * frames - 2.0 * (frames >= 50_000)
    track = R._Track(frames=[int(f) for f in frames], delays=[float(v) for v in truth + 500e-6 * cents],
                     centroids=[float(c) for c in cents])
    R._delays_at_centres(track)
    assert np.max(np.abs(np.asarray(track.delays) - truth)) < 1e-9


@pytest.mark.parametrize("read", [500e-6, 250e-6])
def test_delays_read_against_a_stretched_reference_are_moved_by_the_rest_of_the_slope_only(read: float) -> None:
    """Points on a 500 ppm clock each read against the reference already stretched by ``read``
    (``_Track.read_slopes``): the centroid displaces them by ``500e-6 - read`` only, and that is
    all they are moved by. Moved by the whole slope, they land up to 0.45 frame off the truth
    (900 frames' centroid at 500 ppm); the neighbour slope's own error leaves under 0.01."""
    frames = np.arange(10_000, 96_000, 2_048)
    cents = np.random.default_rng(1).uniform(-900, 900, frames.size)
    truth = 1_300.0 + 500e-6 * frames - 2.0 * (frames >= 50_000)
    track = R._Track(frames=[int(f) for f in frames], delays=[float(v) for v in truth + (500e-6 - read) * cents],
                     centroids=[float(c) for c in cents], read_slopes=[read] * frames.size)
    R._delays_at_centres(track)
    assert np.max(np.abs(np.asarray(track.delays) - truth)) < 0.02


@pytest.mark.parametrize("seed", [98364, 98366])
def test_speech_at_500_ppm_with_a_drop_reads_the_clock_the_latency_and_the_drop(seed: int) -> None:
    """The bench's take (``bench_reference_drift``'s construction, ``--drop 2``): the drop named
    at its place, the drift and the latency within the bench's tolerances."""
    ppm = 500.0
    ref, rec, delay, drop_at = D.take("speech", FS, seed, ppm, 2)
    assert drop_at is not None
    rep = R.compare_to_reference(rec, ref, FS, window_s=0.125)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", 2)]
    assert abs(rep.glitches[0].start_frame - drop_at) <= D.DROP_PLACE
    assert abs(rep.drift_ppm - ppm) <= max(D.DRIFT_OFF_PPM, D.DRIFT_OFF_SHARE * ppm), rep.drift_ppm
    assert abs(rep.latency_frames - delay) <= D.LATENCY_OFF_FRAMES, rep.latency_frames - delay
