"""Reference mode: a DC offset in the recording must not hide a pop in program material.

A field converter adds a constant the reference never held. With no constant in the path model
the offset stayed in the residual and the judge's floor (its robust sigma) read it: 0.01 of DC
read a noise of ~0.015 where the path's noise is 1e-4, and a 0.01 pop in loud music went
unreported (``bench/bench_dc_offset_pops.py``). The fit's constant column takes the offset out.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from harness import analysis as A
from harness import reference_compare as R

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import bench_dc_offset_pops as D  # noqa: E402

FS = 48_000


@pytest.mark.parametrize("seed", [94490, 94491])
def test_a_pop_in_loud_music_under_a_dc_offset_is_a_pop_at_its_frame(seed: int) -> None:
    ref, clean, _damaged, at, _size = D.take("music", "dc0.01", seed)
    damaged = A.add_pop(clean, at, 1, 0.01)
    rep = R.compare_to_reference(damaged, ref, FS, window_s=0.5)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("pop", 1)], rep.glitches
    assert abs(rep.glitches[0].start_frame - at) <= 2
    assert rep.noise_rms < 1e-3, rep.noise_rms  # the offset is not read as noise
    assert R.compare_to_reference(clean, ref, FS, window_s=0.5).glitches == []


def test_a_pop_in_a_speech_pause_under_a_small_dc_offset_is_a_pop_at_its_frame() -> None:
    """The long window hears the pop; the window of ``_CONFIRM_BLOCKS`` blocks that confirms it
    holds a silent reference only, and must take the offset out too (``_with_offset`` scales its
    columns by the recording's RMS there): 0.001 of DC left in read a floor of 0.0015."""
    ref, clean, damaged, at, _size = D.take("speech", "dc0.001", 94450)  # a 0.011 pop where the reference is 0
    rep = R.compare_to_reference(damaged, ref, FS, window_s=0.5)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("pop", 1)], rep.glitches
    assert abs(rep.glitches[0].start_frame - at) <= 2
    assert R.compare_to_reference(clean, ref, FS, window_s=0.5).glitches == []


@pytest.mark.parametrize("seed", [94700, 94701])
def test_a_pop_in_loud_music_under_a_slowly_drifting_offset_is_a_pop_at_its_frame(seed: int) -> None:
    """An offset of 0.01 wandering at 0.25 Hz moves by ~0.008 over a 0.5 s window: the offset's
    constant column alone leaves that drift in the residual, the floor reads ~0.002, and a 0.013
    or 0.023 pop is missed; the window's ramp column (``_with_offset``) takes the drift out too."""
    ref, _clean, damaged, at, _size = D.take("music", "drift", seed)
    rep = R.compare_to_reference(damaged, ref, FS, window_s=0.5)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("pop", 1)], rep.glitches
    assert abs(rep.glitches[0].start_frame - at) <= 2
    assert rep.noise_rms < 1e-3, rep.noise_rms  # the drift is not read as noise
