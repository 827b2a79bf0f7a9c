"""The fine glitch pass on coloured (low-passed) noise: no click where there is none, pops still found.

``data/sim_output_lowpassed_noise.npy``: 8192 frames of the simulated system's own output (hostile
seed 60, 60 s run, 49.2 s in; 48 kHz, the 997 Hz tone at 0.251 after the DSP chain), where the fine
pass once called a 3-frame click: a smooth bump of low-passed noise at 1e-4 of the tone's
magnitude, no frame lost. Nothing is wrong in it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from harness.analysis import analyze_glitches

TAKE = np.load(Path(__file__).parent / "data" / "sim_output_lowpassed_noise.npy")


def _glitches(x: np.ndarray) -> list[tuple[str, int]]:
    rep = analyze_glitches(x, 48_000, 997.0, measure_levels=False, frequency_known=True, fine=True)
    return [(g.kind, g.start_frame) for g in rep.glitches]


def test_a_smooth_noise_bump_is_not_a_click() -> None:
    assert _glitches(TAKE) == []


@pytest.mark.parametrize("at", [3000, 4096, 6001])  # mid-block, a block's first sample, another
def test_a_small_pop_in_the_same_noise_is_still_found(at: int) -> None:
    x = TAKE.copy()
    x[at] += 5e-4  # 2e-3 of the tone: far below the coarse pass's 3 % tolerance
    assert [k for k, s in _glitches(x) if abs(s - at) <= 2] == ["click"], _glitches(x)
