"""Reference mode on a linear sweep through a drifting clock: the drift, the latency, no glitch.

A linear sweep is the one material whose correlation couples delay and frequency: a clock that
drifts scales every frequency of the recording, and a block's correlation envelope leans off the
truth by the drift's whole accumulated delay. Its fringes, a carrier's period apart, stand nearly
as tall as one another, and read at whole frames the truth's could look lower than an alias's.
The track followed aliases (a 2 ppm clock reported as 33 ppm), the lock took the inverted fringe
7.7 frames off (at 100 ppm), and a 300 ppm take gave a false pop at its fade-in. Each
take below is ``bench/bench_reference_drift.py``'s (48 kHz, 2 s, -80 dBFS of noise), one that went
wrong before.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import analysis as A
from bench_scripts import load_bench_script
from harness import reference_compare as R

FS = 48_000

#: (drift in ppm, seed): the bench's linear-sweep takes that read a wrong drift or latency (2 ppm:
#: 33.3; 10: -12.7; 50: 94.1; 100: -128.8 and -10.6, latency +10.3 and +7.3 frames) or gave a
#: false pop (300 ppm: 12.9 ppm, a 1-frame pop at the fade-in, latency +39.9); 500 ppm 98376 read
#: 330.5 ppm, the track a carrier's period and more off from 0.7 s on (each block was correlated
#: with the reference unstretched, ``_stretched_reference``)
TAKES = [(2.0, 3), (10.0, 1), (50.0, 0), (100.0, 0), (100.0, 6), (300.0, 0), (500.0, 98376)]


def _take(ppm: float, seed: int, polarity: int = 1) -> tuple[np.ndarray, np.ndarray, float]:
    """The bench's take: the reference, the recording, and the planted delay."""
    rng = np.random.default_rng([FS, seed, int(round(ppm * 1000))])
    delay = round(float(rng.uniform(200, 2000)), 2)
    ref = A.sweep(2.0, FS, 0.5, logarithmic=False)
    rec = R.through_system(ref, FS, delay_frames=delay, gain=0.5, drift_ppm=ppm, noise_rms=1e-4,
                           tail_frames=FS // 10, seed=seed, polarity=polarity)
    return ref, rec, delay


@pytest.mark.parametrize(("ppm", "seed"), TAKES, ids=[f"{p:g}ppm-seed{s}" for p, s in TAKES])
def test_a_clean_linear_sweep_through_a_drifting_clock_reads_its_drift_and_latency_and_no_glitch(
        ppm: float, seed: int) -> None:
    ref, rec, delay = _take(ppm, seed)
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    assert rep.polarity == 1
    assert abs(rep.drift_ppm - ppm) <= max(1.0, 0.02 * ppm), rep.drift_ppm
    assert abs(rep.latency_frames - delay) <= 0.5, rep.latency_frames - delay
    # followed from the sweep's first blocks (its 5 ms fade-in and one block) to its last tenth
    assert rep.analysed_start_frame - delay <= 3 * 2048
    assert rep.analysed_end_frame - delay >= 0.9 * 2.0 * FS


@pytest.mark.parametrize("seed", [0, 3])
def test_an_inverted_linear_sweep_through_a_100_ppm_clock_reads_inverted_at_its_latency(seed: int) -> None:
    """The first match may flip the lock's polarity only when the other clearly matches better:
    a take that is inverted keeps its polarity."""
    ref, rec, delay = _take(100.0, seed, polarity=-1)
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    assert rep.polarity == -1
    assert abs(rep.drift_ppm - 100.0) <= 2.0, rep.drift_ppm
    assert abs(rep.latency_frames - delay) <= 0.5, rep.latency_frames - delay


def test_a_pop_on_a_linear_sweep_through_a_300_ppm_clock_is_found_alone_and_in_place() -> None:
    """Where the track held an alias, the prediction explained nothing there; on the truth's
    line a 0.02 pop 0.8 s into the sweep is the one glitch."""
    ref, rec, delay = _take(300.0, 0)
    at = int(delay) + int(0.8 * FS)
    rec[at] += 0.02
    rep = R.compare_to_reference(rec, ref, FS)
    assert [g.kind for g in rep.glitches] == ["pop"], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 2


def test_the_reference_stretched_by_a_clock_slope_is_the_sweep_that_clock_records() -> None:
    """A block is correlated with the reference as the drifting clock recorded it: frame ``j``
    read ``(j - centre) * (1 - slope)`` from the centre, by the windowed sinc; unstretched at 0."""
    frames = int(2.0 * FS)
    t = np.arange(frames, dtype=np.float64)
    ref = A.sweep_at(t, frames, FS, logarithmic=False)

    def read(lo: int, hi: int) -> np.ndarray:
        out = np.zeros(hi - lo)
        a, b = max(lo, 0), min(hi, frames)
        out[a - lo: b - lo] = ref[a:b]
        return out

    assert np.array_equal(R._stretched_reference(read, 30_000, 32_048, 31_024.0, 0.0), ref[30_000:32_048])
    slope = 500e-6
    pos = 31_024.0 + (np.arange(30_000, 32_048) - 31_024.0) * (1 - slope)
    want = A.sweep_at(pos, frames, FS, logarithmic=False)
    got = R._stretched_reference(read, 30_000, 32_048, 31_024.0, slope)
    assert float(np.max(np.abs(got - want))) < 1e-3
    assert float(np.max(np.abs(ref[30_000:32_048] - want))) > 0.1  # the stretch is no rounding


def test_a_clean_linear_sweep_at_500_ppm_is_followed_to_its_end_at_its_latency() -> None:
    """The track predicts each block's delay from its last point run on at its slope: predicted
    at the last point's delay, 1 frame short a block at 500 ppm, the sweep's last three blocks
    (fringes 2.4 frames apart near 20 kHz) were read at the alias 2.6 frames early and the
    latency came out 0.33 frame late (seed 98450)."""
    ref, rec, delay = _take(500.0, 98450)
    rep = R.compare_to_reference(rec, ref, FS)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    assert abs(rep.drift_ppm - 500.0) <= 1.0, rep.drift_ppm
    assert abs(rep.latency_frames - delay) <= 0.1, rep.latency_frames - delay


def test_a_clean_linear_sweep_through_a_converter_and_no_drift_is_read_unstretched_and_clean() -> None:
    """A converter's delay curving near its cut-off gives the track a slope of a few ppm, no
    drift: stretched by it, a block's delay moved enough for a false ``mute0@72790``
    (``bench_sweep_drops.py``'s 44.1 kHz seed 98480: a linear sweep through a 0.4 fs low-pass)."""
    bench = load_bench_script("bench_sweep_drops.py", "bench_sweep_drops_drifting_sweeps")
    cfg, ref, rec, _ = bench.take(44_100, 98480)
    assert not cfg["log"] and cfg["lowpass"] == 0.4
    rep = R.compare_to_reference(rec, ref, 44_100)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
