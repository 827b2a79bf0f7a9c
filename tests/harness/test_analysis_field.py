"""Self-test of the glitch analyser under field conditions, in the manner of PortAudio's qa/loopback.

Synthetic recordings (``analysis.field_tone``) carry one impairment each — noise with a 2nd
harmonic, a clock offset of +-100 ppm, 192 kHz with a low tone, 8 kHz, an AGC breathing, a DC
offset — and, at a seeded random position and sign, one pop a few noise sigmas high or one
dropped or inserted frame. The smallest sizes asserted here are what the analyser must always
find (``bench/bench_analysis.py --field`` prints the limits it actually reaches); the clean takes
must give no glitch at all. Every take comes from a fixed seed, so a failure reproduces exactly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from harness import analysis as A

PLACE = 10  # frames: how close a reported start must be to the damage

#: name -> (field_tone arguments, sample rate, pop amplitude that must always be found)
CONDITIONS: dict[str, tuple[dict[str, Any], int, float]] = {
    # the pop is 10 noise sigmas; on a 0.5 tone the coarse tolerance alone is 0.015
    "noise+h2": (dict(noise_rms=1e-3, harmonic2_db=-40.0), 48_000, 0.010),
    "clean": (dict(noise_rms=1e-4), 48_000, 0.001),
    "+100ppm": (dict(noise_rms=1e-4, clock_ppm=100.0), 48_000, 0.001),
    "-100ppm": (dict(noise_rms=1e-4, clock_ppm=-100.0), 44_100, 0.001),
    "192k": (dict(noise_rms=1e-4), 192_000, 0.001),
    "192k-low-tone": (dict(noise_rms=1e-4, frequency_hz=100.0), 192_000, 0.001),
    "8k": (dict(noise_rms=1e-4), 8_000, 0.001),
    "agc": (dict(noise_rms=1e-4, agc_depth=0.2, agc_hz=0.5), 48_000, 0.001),
    "dc": (dict(noise_rms=1e-4, dc=0.1), 48_000, 0.001),
}


def _take(name: str, seed: int) -> tuple[np.ndarray, int, float, float, int, int]:
    kw, fs, pop = CONDITIONS[name]
    x = A.field_tone(1.5, fs, seed=seed, **kw)
    rng = np.random.default_rng(1000 + seed)
    at = int(rng.integers(fs // 4, (5 * fs) // 4))
    sign = 1 if rng.random() < 0.5 else -1
    return x, fs, float(kw.get("frequency_hz", A.DEFAULT_TEST_FREQUENCY_HZ)), pop, at, sign


def _one(report: A.GlitchReport) -> A.Glitch:
    assert len(report.glitches) == 1, [g.to_dict() for g in report.glitches]
    return report.glitches[0]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("name", list(CONDITIONS))
def test_each_impairment_clean_pop_drop_insert(name: str, seed: int) -> None:
    x, fs, f0, pop, at, sign = _take(name, seed)
    assert A.analyze_glitches(x, fs, f0).glitches == []
    g = _one(A.analyze_glitches(A.add_pop(x, at, 1, sign * pop), fs, f0))
    assert g.kind == "click" and abs(g.start_frame - at) <= PLACE, g.to_dict()
    for damage, kind in ((A.drop_frames, "dropped"), (A.insert_frames, "inserted")):
        g = _one(A.analyze_glitches(damage(x, at, 1), fs, f0))
        assert (g.kind, g.size) == (kind, 1) and abs(g.start_frame - at) <= PLACE, g.to_dict()


def test_small_pop_under_the_tolerance_needs_the_fine_pass() -> None:
    """The 0.010 pop on a noisy, distorted 0.5 tone is below the coarse tolerance (0.015): the
    fine pass is what finds it, and without it the same take passes."""
    x, fs, f0, pop, at, sign = _take("noise+h2", 3)
    damaged = A.add_pop(x, at, 1, sign * pop)
    assert A.analyze_glitches(damaged, fs, f0, fine=False).glitches == []
    assert _one(A.analyze_glitches(damaged, fs, f0)).kind == "click"


def test_audio_check_mode_finds_the_small_pop_too() -> None:
    """What the run's audio check calls (frequency known, no levels) has the same sensitivity."""
    x, fs, f0, pop, at, sign = _take("+100ppm", 4)
    rep = A.analyze_glitches(A.add_pop(x, at, 1, sign * pop), fs, f0, measure_levels=False, frequency_known=True)
    g = _one(rep)
    assert g.kind == "click" and abs(g.start_frame - at) <= PLACE


@pytest.mark.parametrize("fmt", A.SAMPLE_FORMATS)
def test_every_sample_format_clean_pop_and_drop(tmp_path: Path, fmt: str) -> None:
    """16/24/32-bit int and float files: quantisation is the only noise, a pop of 3e-4 (-64 dB
    re the tone) and a 1-frame drop at 192 kHz are found, the clean file has no glitch."""
    fs = 96_000
    x = A.field_tone(1.0, fs, seed=7, clock_ppm=30.0)
    at, at_drop = 40_009, 61_234
    cases = {"clean": x, "pop": A.add_pop(x, at, 1, 3e-4), "drop": A.drop_frames(x, at_drop, 1)}
    found = {}
    for key, y in cases.items():
        A.write_wav(tmp_path / f"{key}.wav", y, fs, fmt)
        found[key] = A.analyze_glitches(A.read_wav(tmp_path / f"{key}.wav").channel(0), fs).glitches
    assert found["clean"] == []
    assert len(found["pop"]) == 1 and found["pop"][0].kind == "click" and abs(found["pop"][0].start_frame - at) <= PLACE
    assert len(found["drop"]) == 1 and (found["drop"][0].kind, found["drop"][0].size) == ("dropped", 1)
    assert abs(found["drop"][0].start_frame - at_drop) <= PLACE


@pytest.mark.parametrize("seed", range(3))
def test_all_impairments_at_once_give_no_false_glitch(seed: int) -> None:
    """Noise, a 2nd harmonic, a clock offset, an AGC, DC and fades together: still nothing."""
    rng = np.random.default_rng(seed)
    fs = int(rng.choice([8_000, 44_100, 48_000, 96_000]))
    x = A.field_tone(8.0, fs, seed=seed, noise_rms=float(rng.choice([1e-4, 1e-3])), harmonic2_db=-45.0,
                     clock_ppm=float(rng.uniform(-100, 100)), agc_depth=0.15, agc_hz=0.3, dc=0.02)
    ramp = np.linspace(0.0, 1.0, int(0.05 * fs))
    x[: ramp.size] *= ramp
    x[-ramp.size:] *= ramp[::-1]
    report = A.analyze_glitches(x, fs)
    assert report.glitches == [], [g.to_dict() for g in report.glitches[:5]]


# ---------------------------------------------------------------- latency across drifting clocks

@pytest.mark.parametrize(("ppm", "polarity"), [(50.0, 1), (-50.0, -1), (0.0, 1)])
def test_latency_with_clock_drift_reports_start_latency_drift_and_polarity(ppm: float, polarity: int) -> None:
    """An MLS recorded by a clock ``ppm`` off: the latency of its first frame, the drift and the
    polarity are all reported (one correlation over the whole take smears over 6 frames here)."""
    fs = 48_000
    ref = A.mls(3.0, fs, 0.5, order=17)[: 2**17 - 1]
    rng = np.random.default_rng(int(ppm) + 70)
    delay = 1234.0 + float(rng.random())
    stretched = A._stretch(ref, 1.0 + ppm * 1e-6) if ppm else ref
    rec = polarity * 0.7 * A.fractional_delay(stretched, delay, stretched.size + 3000)
    rec += rng.standard_normal(rec.size) * 0.01
    r = A.measure_latency(ref, rec, fs)
    assert r.latency_frames is not None and abs(r.latency_frames - delay) < 0.25, r.to_dict()
    assert r.drift_ppm == pytest.approx(ppm, abs=1.5)
    assert r.polarity == polarity and r.confidence > 0.8
    assert r.latency_end_frames == pytest.approx(delay + ppm * 1e-6 * (ref.size - 1), abs=0.5)


@pytest.mark.parametrize("seed", range(8))
def test_a_slow_fade_in_and_out_gives_no_false_glitch_and_the_steady_middle_is_still_judged(seed: int) -> None:
    """1 s raised-cosine fades on a 5 s take (44.1 kHz, 440 Hz, -100 ppm, DC -0.1). Near its
    quiet end such a fade changes the level by less than the trimming's step over a window, so
    that part stayed in the analysis, its blocks predicted from a window whose level lagged
    theirs: a false 'other' in 5 of these 8 clean takes. A pop in the steady middle is still the
    one glitch found."""
    fs = 44_100
    x = A.field_tone(5.0, fs, seed=seed, frequency_hz=440.0, noise_rms=3e-5, clock_ppm=-100.0, dc=-0.1)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, fs))
    x = x + 0.1
    x[:fs] *= ramp
    x[-fs:] *= ramp[::-1]
    x = x - 0.1
    report = A.analyze_glitches(x, fs)
    assert report.glitches == [], [g.to_dict() for g in report.glitches]
    at = int(np.random.default_rng(seed).integers(int(1.5 * fs), int(3.5 * fs)))
    g = _one(A.analyze_glitches(A.add_pop(x, at, 1, 0.01), fs))
    assert g.kind == "click" and abs(g.start_frame - at) <= PLACE, g.to_dict()


#: low tones whose period (2000-4000 frames) is longer than a mute of a few ms
LOW_TONES = [(192_000, 50.0, 1e-5, 0.0), (96_000, 40.0, 3e-5, 0.05), (192_000, 100.0, 1e-4, 0.0)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fs,f0,noise,dc", LOW_TONES)
def test_a_mute_shorter_than_a_period_of_a_low_tone_is_a_mute_of_its_length(
        fs: int, f0: float, noise: float, dc: float, seed: int) -> None:
    """A mute of 1-10 ms (seeded length and place) on a 40-100 Hz tone lasts less than a period:
    the tolerance's quiet run cannot tell it from a zero crossing, and it was named a ``click``
    of the mute's length. It is a mute, placed and sized within ``PLACE`` frames; the clean take
    gives nothing."""
    x = A.field_tone(1.5, fs, seed=seed, frequency_hz=f0, noise_rms=noise, clock_ppm=-60.0, dc=dc)
    assert A.analyze_glitches(x, fs).glitches == []
    rng = np.random.default_rng([18, seed, fs])
    at = int(rng.integers(fs // 4, (5 * fs) // 4))
    n = int(rng.integers(fs // 1000, fs // 100))
    y = x.copy()
    y[at:at + n] = dc + rng.standard_normal(n) * noise
    g = _one(A.analyze_glitches(y, fs))
    assert g.kind == "mute" and abs(g.start_frame - at) <= PLACE and abs(g.size - n) <= PLACE, g.to_dict()


@pytest.mark.parametrize("count", [2, 7, 19])
@pytest.mark.parametrize("fs,f0,noise,dc", LOW_TONES)
def test_inserted_silence_on_a_low_tone_is_an_insert_of_its_length(
        fs: int, f0: float, noise: float, dc: float, count: int) -> None:
    """A few frames of silence inserted into a 40-100 Hz tone move it by too little for the
    tolerance's phase jump (a 19-frame shift of a 50 Hz tone at 192 kHz is 0.016 rad), and were
    named a ``click``: the sine after the silent run is late by the run's length, an insert."""
    x = A.field_tone(1.5, fs, seed=count, frequency_hz=f0, noise_rms=noise, dc=dc)
    at = int(np.random.default_rng([19, count, fs]).integers(fs // 4, (5 * fs) // 4))
    y = np.insert(x, at, dc + np.zeros(count))
    g = _one(A.analyze_glitches(y, fs))
    assert g.kind == "inserted" and abs(g.start_frame - at) <= PLACE and g.size == count, g.to_dict()


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("fs,f0,noise,dc", LOW_TONES)
def test_one_inserted_zero_frame_on_a_low_tone_is_an_insert_and_one_zeroed_frame_a_click(
        fs: int, f0: float, noise: float, dc: float, seed: int) -> None:
    """One frame at the DC is a run too short to tell a mute by, and was a ``click`` whether it
    was inserted or written over a frame. The sine after it tells them apart: a frame late
    (read -1.00 frame) after an insert, where it was (0.00) after a zeroed frame; both at the
    frame itself."""
    x = A.field_tone(1.5, fs, seed=seed, frequency_hz=f0, noise_rms=noise, dc=dc)
    assert A.analyze_glitches(x, fs).glitches == []
    at = int(np.random.default_rng([20, seed, fs]).integers(fs // 4, (5 * fs) // 4))
    g = _one(A.analyze_glitches(np.insert(x, at, dc), fs))
    assert g.kind == "inserted" and g.size == 1 and g.start_frame == at, g.to_dict()
    y = x.copy()
    y[at] = dc
    g = _one(A.analyze_glitches(y, fs))
    assert g.kind == "click" and g.size == 1 and g.start_frame == at, g.to_dict()


@pytest.mark.parametrize("seed", range(6))
def test_a_pop_through_a_band_limiting_low_pass_is_placed_at_its_sample(seed: int) -> None:
    """A 1-sample pop of 0.012-0.025 (under the coarse tolerance: the fine pass's) on a 3 kHz
    tone at 96 kHz, then a 255-tap linear-phase low-pass at 0.2 fs (a converter): the pop rings
    on both sides, and the ring's first sample over the noise-level bar lay 16-26 frames before
    the pop, reported there as an ``other`` wider than a period. It is a click within 2 frames of
    its sample; the clean take gives nothing."""
    from scipy import signal as ss

    fs = 96_000
    h = ss.firwin(255, 0.2 * fs, fs=fs, window=("kaiser", 9.0))
    x = A.field_tone(1.5, fs, seed=seed, frequency_hz=3000.0, clock_ppm=40.0)
    rng = np.random.default_rng([20, seed])
    noise = rng.standard_normal(x.size) * 3e-5
    assert A.analyze_glitches(np.convolve(x, h, "same") + noise, fs).glitches == []
    at = int(rng.integers(fs // 4, (5 * fs) // 4))
    y = x.copy()
    y[at] += float(rng.uniform(0.012, 0.025)) * (1 if rng.random() < 0.5 else -1)
    g = _one(A.analyze_glitches(np.convolve(y, h, "same") + noise, fs))
    assert g.kind == "click" and abs(g.start_frame - at) <= 2, g.to_dict()


@pytest.mark.parametrize("seed", range(6))
def test_a_small_pop_on_a_tone_near_nyquist_through_a_low_pass_is_one_click_at_its_sample(seed: int) -> None:
    """A 1-sample pop of 0.010-0.015 on a 3 kHz tone at 8 kHz (a clock 100 ppm slow), then a
    255-tap linear-phase low-pass at 0.45 fs: the filter's ring beats (``sin(0.1 pi d) / (pi d)``)
    and crosses the noise-level bar again 14 frames each side of the pop, in groups of their own
    at 2.5 % of its peak; the three were one ``other`` of 29 frames placed 14-17 frames early. It
    is a click of 1 at its sample; the clean take gives nothing."""
    from scipy import signal as ss

    fs = 8_000
    h = ss.firwin(255, 0.45 * fs, fs=fs, window=("kaiser", 9.0))
    x = A.field_tone(3.0, fs, seed=seed, frequency_hz=3000.0, clock_ppm=-100.0)
    rng = np.random.default_rng([21, seed])
    noise = rng.standard_normal(x.size) * 3e-5
    assert A.analyze_glitches(np.convolve(x, h, "same") + noise, fs).glitches == []
    at = int(rng.integers(fs // 2, (5 * fs) // 2))
    y = x.copy()
    y[at] += float(rng.uniform(0.010, 0.015)) * (1 if rng.random() < 0.5 else -1)
    g = _one(A.analyze_glitches(np.convolve(y, h, "same") + noise, fs))
    assert g.kind == "click" and g.size == 1 and g.start_frame == at, g.to_dict()
