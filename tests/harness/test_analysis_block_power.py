"""``analyze_glitches(block_power=...)``: the caller's block powers stand for the first step's own.

The listening check measures each 256-frame block's mean square of its ring (to find silences)
and hands the slice under each stretch of sound to the analyser, which then neither computes
them again nor reads those blocks for the finiteness check. The report must be the one the
analyser gives without them, to the bit: the powers are the same numbers (the same ``einsum`` of
the same rows, wherever in the ring the stretch starts), and a sum of squares is finite exactly
when its samples are.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import analysis as A
from harness.errors import AnalysisError

FS = 48_000
BLOCK = A._POWER_BLOCK


def _powers(x: np.ndarray) -> np.ndarray:
    """Each whole block's mean square, as ``AudioCheck._process`` measures its ring."""
    nb = x.size // BLOCK
    b = x[:nb * BLOCK].reshape(nb, BLOCK)
    return np.einsum("ij,ij->i", b, b, dtype=np.float64) / BLOCK


def _damaged(seed: int, seconds: float) -> np.ndarray:
    """A 751 Hz tone with a dropped stretch, an inserted one, a pop and a mute, float32."""
    rng = np.random.default_rng(seed)
    x = A.sine(751.0, seconds, FS, amplitude=0.5) + 1e-5 * rng.standard_normal(int(seconds * FS))
    n = x.size
    x = A.drop_frames(x, int(rng.integers(n // 8, n // 4)), int(rng.integers(1, 40)))
    x = A.insert_frames(x, int(rng.integers(n // 3, n // 2)), int(rng.integers(1, 40)))
    x = A.add_pop(x, int(rng.integers(n // 2, 2 * n // 3)), amplitude=float(rng.uniform(0.001, 0.1)))
    x = A.mute_frames(x, int(rng.integers(2 * n // 3, 5 * n // 6)), int(rng.integers(64, 2000)))
    return np.asarray(x, dtype=np.float32)


def _same(a: A.GlitchReport, b: A.GlitchReport) -> None:
    assert len(a.glitches) == len(b.glitches)
    for g, h in zip(a.glitches, b.glitches, strict=True):
        assert (g.start_frame, g.end_frame, g.kind, g.size, g.peak_error) == \
            (h.start_frame, h.end_frame, h.kind, h.size, h.peak_error)
        assert np.array_equal(g.waveform, h.waveform)
    for field in ("frequency_hz", "magnitude", "noise_rms", "tolerance", "analysed_start_frame",
                  "analysed_end_frame", "truncated", "rms"):
        assert getattr(a, field) == getattr(b, field), field


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("kernel", ["numpy", "compiled"])
def test_a_report_is_the_same_with_the_callers_block_powers(seed: int, kernel: str) -> None:
    if kernel == "compiled":
        pytest.importorskip("numba")
    x = _damaged(seed, 3.0 + seed % 3)
    # a tail shorter than a block: not in the powers, still analysed as before
    x = x[: x.size - seed * 37 % BLOCK]
    kw = dict(max_glitches=10_000, measure_levels=False, frequency_known=True)
    with A.use_kernel(kernel):
        plain = A.analyze_glitches(x, FS, 751.0, **kw)
        given_powers = A.analyze_glitches(x, FS, 751.0, block_power=_powers(x), **kw)
    assert plain.glitches, "the planted damage is found"
    _same(plain, given_powers)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), blocks=st.integers(30, 600), start=st.integers(0, 400),
       tail=st.integers(0, BLOCK - 1), loud=st.sampled_from([1e-4, 0.3, 1.0]))
def test_a_rings_powers_are_the_stretchs_wherever_it_starts(seed: int, blocks: int, start: int, tail: int,
                                                           loud: float) -> None:
    """The premise: a slice of the ring's block powers (the last block zero-padded when partial)
    is, number for number, what the analyser's first step computes of the stretch it covers."""
    rng = np.random.default_rng(seed)
    n = (start + blocks) * BLOCK + tail
    ring = (loud * rng.standard_normal(n)).astype(np.float32)
    nb = -(-n // BLOCK)
    pad = np.zeros(nb * BLOCK, dtype=np.float32)
    pad[:n] = ring
    rows = pad.reshape(nb, BLOCK)
    ms = np.einsum("ij,ij->i", rows, rows, dtype=np.float64) / BLOCK
    stretch = ring[start * BLOCK:]
    assert np.array_equal(ms[start:start + stretch.size // BLOCK], _powers(stretch))


def test_a_sample_that_is_not_finite_is_still_refused() -> None:
    x = _damaged(1, 2.0)[: 2 * FS - 100]  # a partial last block: its frames are in no power
    assert x.size % BLOCK
    for where in (5, x.size // 2, x.size - 1):  # in blocks the powers cover, and in the tail
        for bad_value in (np.nan, np.inf):
            bad = x.copy()
            bad[where] = bad_value
            powers = _powers(bad)
            assert np.isfinite(powers).all() == (where == x.size - 1)
            with pytest.raises(AnalysisError, match="NaN or infinite"):
                A.analyze_glitches(bad, FS, 751.0, block_power=powers, measure_levels=False, frequency_known=True)


def test_powers_of_another_length_are_refused() -> None:
    x = _damaged(2, 2.0)
    with pytest.raises(ValueError, match="whole blocks"):
        A.analyze_glitches(x, FS, 751.0, block_power=_powers(x)[:-1])
