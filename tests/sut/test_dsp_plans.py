"""The biquad's block plans: matrices shared between filters of the same coefficients, state not."""

from __future__ import annotations

import numpy as np

from system_under_test import dsp


def _block(seed: int, frames: int = 256) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal((frames, 2)) * 0.3).astype(np.float32)


def test_a_rebuilt_filter_reuses_the_plan_matrices_of_its_coefficients() -> None:
    first = dsp.Biquad("lowpass", 1000.0, 0.707, 0.0, 48_000, 2)
    again = dsp.Biquad("lowpass", 1000.0, 0.707, 0.0, 48_000, 2)
    other = dsp.Biquad("highpass", 1000.0, 0.707, 0.0, 48_000, 2)
    for f in (first, again, other):
        f.process(_block(1))
    assert again._live.mz is first._live.mz and again._live.ts is first._live.ts
    assert other._live.mz is not first._live.mz
    assert not first._live.mz.flags.writeable  # shared, so nobody may write into it


def test_filters_sharing_matrices_keep_their_own_state() -> None:
    a = dsp.Biquad("peaking", 3000.0, 1.0, 3.0, 48_000, 2)
    b = dsp.Biquad("peaking", 3000.0, 1.0, 3.0, 48_000, 2)
    alone = dsp.Biquad("peaking", 3000.0, 1.0, 3.0, 48_000, 2)
    ya, yalone = [], []
    for i in range(6):
        ya.append(a.process(_block(i)).copy())
        b.process(_block(100 + i))  # interleaved, other audio
        yalone.append(alone.process(_block(i)).copy())
    assert all(np.array_equal(p, q) for p, q in zip(ya, yalone))
    assert not np.array_equal(a.state, b.state)


def test_the_matrix_cache_is_bounded() -> None:
    for k in range(dsp._MATRICES_MAX + 5):
        dsp.Biquad("lowpass", 100.0 + k, 0.707, 0.0, 48_000, 1).process(_block(k)[:, :1].copy())
    assert 0 < len(dsp._MATRICES) <= dsp._MATRICES_MAX
