"""A test sine driven into hard clipping is a ``clipped`` glitch, placed; its clean twin is no glitch.

A sine held flat at a level at every peak has the same distortion in every block, so the coarse
fit takes it for the take's noise floor and the fine pass (harmonics to the 5th) for its model:
before ``_clipped_stretches`` such a take passed. Each case pairs a clipped take with the same
tone unclipped at the level it reaches, so the detector is held both ways at once: the clipped
take must give one ``clipped`` glitch over the clipped frames (within a period at each end), the
twin none at all. ``bench/bench_clipping.py`` measures the rates over a larger grid.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from harness import analysis as A
from harness.cli import main

F0 = A.DEFAULT_TEST_FREQUENCY_HZ


def _tone(fs: int, amplitude: float, seconds: float = 1.0, noise: float = 0.0, seed: int = 0) -> np.ndarray:
    x = A.sine(F0, seconds, fs, amplitude, phase_rad=0.3)
    if noise:
        x = x + noise * np.random.default_rng(seed).standard_normal(x.size)
    return x


def _clipped(report: A.GlitchReport) -> list[A.Glitch]:
    return [g for g in report.glitches if g.kind == "clipped"]


#: (drive, clipping level, noise RMS added after the clip)
CASES = {
    "1.5x full scale": (1.5, 1.0, 0.0),
    "gain bug clipping at 0.9": (1.0, 0.9, 0.0),
    "gain bug clipping at 0.9, -80 dBFS": (1.0, 0.9, 1e-4),
    "0.5 clipped at 0.45, -60 dBFS": (0.5, 0.45, 1e-3),
}


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("case", list(CASES))
def test_a_clipped_sine_is_one_clipped_glitch_over_the_take_and_its_twin_none(fs: int, case: str) -> None:
    drive, level, noise = CASES[case]
    period = fs / F0
    clipped = np.clip(_tone(fs, drive), -level, level)
    if noise:
        clipped = clipped + noise * np.random.default_rng(1).standard_normal(clipped.size)
    rep = A.analyze_glitches(clipped, fs)
    found = _clipped(rep)
    assert len(found) == 1, [g.to_dict() for g in rep.glitches]
    g = found[0]
    assert abs(g.start_frame - rep.analysed_start_frame) <= period
    assert abs(g.end_frame - rep.analysed_end_frame) <= period
    assert g.peak_error > 0.0  # the fundamental reaches past the level it is held at
    twin = A.analyze_glitches(_tone(fs, level, noise=noise, seed=1), fs)
    assert twin.glitches == []


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
def test_a_clipped_burst_is_placed_within_a_period(fs: int) -> None:
    """A gain bug that clips for 0.3 s of a -80 dBFS take at 0.9; before and after it the system
    plays the tone at the level it clips at (so a sine at 0.9 is beside the flat tops)."""
    x = _tone(fs, 0.9, 1.5)
    a, b = int(0.6 * fs), int(0.9 * fs)
    x[a:b] = np.clip(x[a:b] / 0.9, -0.9, 0.9)
    x = x + 1e-4 * np.random.default_rng(2).standard_normal(x.size)
    rep = A.analyze_glitches(x, fs)
    found = _clipped(rep)
    assert len(found) == 1, [g.to_dict() for g in rep.glitches]
    period = fs / F0
    assert abs(found[0].start_frame - a) <= period and abs(found[0].end_frame - b) <= period


def test_analyze_glitches_exits_1_on_a_sine_driven_past_full_scale_and_0_on_full_scale(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 16-bit file written from a sine at 1.5x full scale holds it clipped at the largest codes."""
    over = A.write_wav(tmp_path / "over.wav", _tone(48_000, 1.5), 48_000, "int16")
    full = A.write_wav(tmp_path / "full.wav", _tone(48_000, 1.0), 48_000, "int16")
    assert main(["analyze", "glitches", str(over)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [g["kind"] for g in doc["glitches"]] == ["clipped"]
    assert main(["analyze", "glitches", str(full)]) == 0
    assert json.loads(capsys.readouterr().out)["glitches"] == []



@pytest.mark.parametrize("fs", [8_000, 44_100, 48_000, 96_000, 192_000])
def test_a_clipped_stretch_over_several_stream_windows_is_one_glitch_as_the_whole_take_gives(fs: int) -> None:
    """A long take is analysed in windows (``analyze_glitches_stream``) and a glitch belongs to the
    window it starts in: a sine clipped from 1.3 s to 7.7 s of a 9 s take, in 2 s windows, was one
    ``clipped`` glitch ending at its first window's end (the rest of the stretch began before the
    next windows' starts and was dropped). It is the one glitch the take analysed whole gives:
    the same first flat frame, its flat frames summed over the windows (each window's
    share prorated; its last flat frame within one analysis block), about the share of each
    period a 1.5x sine spends past full scale (0.54)."""
    f0 = min(F0, fs / 40)  # 40 frames a period or more: a peak's flat top is more than its sampling
    x = A.sine(f0, 9.0, fs, 0.5, phase_rad=0.3)
    a, b = int(1.3 * fs), int(7.7 * fs)
    x[a:b] = np.clip(3.0 * x[a:b], -1.0, 1.0)
    (whole,) = _clipped(A.analyze_glitches(x, fs))
    audio = A.WavAudio(path="take.wav", sample_rate=fs, samples=x.astype(np.float32)[:, None], stored_dtype="float32")
    found = _clipped(A.analyze_glitches_stream(audio, window_s=2.0, overlap_s=0.5))
    assert len(found) == 1, [g.to_dict() for g in found]
    g = found[0]
    assert g.start_frame == whole.start_frame
    # the last window's analysis ends the stretch at its own last flat peak: within one of its blocks
    assert abs(g.end_frame - whole.end_frame) <= A._block_for(fs, f0)
    assert g.size == pytest.approx(whole.size, rel=0.02)
    flat = 1.0 - 2.0 * np.arcsin(1.0 / 1.5) / np.pi
    assert g.size == pytest.approx(flat * (b - a), rel=0.1)
