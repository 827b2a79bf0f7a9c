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
