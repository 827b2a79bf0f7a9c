"""The clipping search's screen (``analysis._no_frame_triple_held``) never hides a clipped stretch.

Under ``use_kernel("compiled")`` the search first tries to prove that no three consecutive frames
can be held at an extreme of their block, and returns no glitch when it can. The screen is a
bound, not an estimate: whatever the audio, the search's answer with it must be the answer
without it. Hypothesis generates tones with held runs, clipping, pops, steps, DC, quantisation
and noise of many levels planted in them (several right at the edge of the screen's bound) and
compares the two answers; the kernel ``held_gap`` is held to a numpy sweep of the same distances.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness import analysis as A

pytest.importorskip("numba")
from harness import analysis_kernels as K  # noqa: E402

BLOCK = 256


def _take(fs: int, freq: float, amp: float, dc: float, noise: float, seed: int, seconds: float) -> np.ndarray:
    n = int(fs * seconds)
    t = np.arange(n)
    x = dc + amp * np.sin(2 * np.pi * freq / fs * t + 0.3)
    return x + noise * np.random.default_rng(seed).standard_normal(n)


@st.composite
def damaged_takes(draw: st.DrawFn) -> tuple[np.ndarray, int, float, float, float]:
    """A tone (float32) with damage planted in it, and the figures the search is called with."""
    fs = draw(st.sampled_from([44_100, 48_000]))
    freq = draw(st.sampled_from([440.0, 751.0, 997.0, 1500.0, 3000.0]))
    amp = draw(st.floats(0.01, 0.95))
    dc = draw(st.sampled_from([0.0, 0.0, 0.003, -0.02]))
    noise = draw(st.sampled_from([0.0, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2]))
    seed = draw(st.integers(0, 2**16))
    x = _take(fs, freq, amp, dc, noise, seed, 0.5)
    rng = np.random.default_rng(seed + 1)
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["clip", "hold", "hold_at_peak", "pop", "drop", "mute", "quantise"]))
        at = int(rng.integers(0, x.size - 2000))
        width = draw(st.integers(1, 1500))
        if kind == "clip":  # a stretch driven past a level just under the peak
            level = amp * draw(st.floats(0.8, 0.99999))
            width = draw(st.integers(1, 12_000))
            x[at: at + width] = np.clip(x[at: at + width], dc - level, dc + level)
        elif kind == "hold":  # a sample-and-hold of a few frames anywhere
            run = draw(st.integers(2, 6))
            x[at: at + run] = x[at]
        elif kind == "hold_at_peak":  # a short run held at the tone's top, the block's extreme
            run = draw(st.integers(2, 5))
            top = at + int(np.argmax(x[at: at + int(fs / freq) + 1]))
            x[top: top + run] = x[top] + draw(st.floats(-1e-5, 1e-5)) * np.arange(run)
        elif kind == "pop":
            x[at] += draw(st.floats(-0.2, 0.2))
        elif kind == "drop":
            x = np.concatenate((x[:at], x[at + draw(st.integers(1, 40)):]))
        elif kind == "mute":
            x[at: at + width] = 0.0
        else:  # a 16-bit grid
            x = np.round(x * 32768) / 32768
    after = draw(st.sampled_from([0.0, 0.0, 1e-6, 1e-5, 1e-4, 1e-3]))
    if after:  # noise after the damage: a clipped top is then held only within the noise's reach
        x = x + after * np.random.default_rng(seed + 2).standard_normal(x.size)
    x32 = np.asarray(x, dtype=np.float32)
    return x32, fs, freq / fs, amp, dc


def _search(x: np.ndarray, fs: int, cyc: float, typical: float, dc: float) -> list[dict]:
    nb = (x.size - 64) // BLOCK
    return [g.to_dict(include_waveform=True) for g in
            A._clipped_stretches(x, 64, nb, BLOCK, cyc, typical, dc, fs, 240)]


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_takes())
def test_the_screened_search_finds_what_the_whole_search_finds(take: tuple) -> None:
    x, fs, cyc, typical, dc = take
    with A.use_kernel("compiled"):
        screened = _search(x, fs, cyc, typical, dc)
        original = A._no_frame_triple_held
        A._no_frame_triple_held = lambda *a: False  # the search run whole
        try:
            whole = _search(x, fs, cyc, typical, dc)
        finally:
            A._no_frame_triple_held = original
    assert screened == whole


@settings(max_examples=60, derandomize=True, deadline=None)
@given(damaged_takes())
def test_a_whole_analysis_is_the_same_with_and_without_the_screen(take: tuple) -> None:
    x, fs, cyc, _, _ = take
    kwargs = {"max_glitches": 10_000, "measure_levels": False, "frequency_known": True}
    # a noiseless tone of a whole number of frames a period makes the fine pass's step test
    # multiply a zero spread by an infinite standard error (a NaN bar, where no block is judged):
    # a warning of the fine pass, the same in both analyses
    with A.use_kernel("compiled"), np.errstate(invalid="ignore"):
        try:
            screened = A.analyze_glitches(x, fs, cyc * fs, **kwargs).to_dict(include_waveforms=True)
        except A.AnalysisError as exc:
            screened = str(exc)
        original = A._no_frame_triple_held
        A._no_frame_triple_held = lambda *a: False
        try:
            try:
                whole = A.analyze_glitches(x, fs, cyc * fs, **kwargs).to_dict(include_waveforms=True)
            except A.AnalysisError as exc:
                whole = str(exc)
        finally:
            A._no_frame_triple_held = original
    assert screened == whole


def _numpy_gap(seg: np.ndarray, block: int) -> float:
    b = seg.reshape(-1, block)
    top = (b.max(axis=1).astype(np.float64)[:, None] - b.astype(np.float64)).ravel()
    bottom = (b.astype(np.float64) - b.min(axis=1).astype(np.float64)[:, None]).ravel()

    def triple(h: np.ndarray) -> float:
        return float(np.min(np.maximum(np.maximum(h[:-2], h[1:-1]), h[2:])))

    return min(triple(top), triple(bottom))


@pytest.mark.parametrize("seed", range(6))
def test_the_held_gap_kernel_is_the_numpy_sweep(seed: int) -> None:
    rng = np.random.default_rng(seed)
    seg = rng.standard_normal(BLOCK * 9).astype(np.float32)
    seg[BLOCK * 3 - 1: BLOCK * 3 + 2] = seg[BLOCK * 3 - 1: BLOCK * 3].max() + 1  # a triple across a block edge
    for s in (seg, seg[: BLOCK * 4], np.sin(np.arange(BLOCK * 5) * 0.05).astype(np.float32)):
        got = K.held_gap(s, BLOCK, s.reshape(-1, BLOCK).max(axis=1), s.reshape(-1, BLOCK).min(axis=1))
        assert got == _numpy_gap(s, BLOCK)
    bad = seg.copy()
    bad[100] = np.nan
    assert K.held_gap(bad, BLOCK, bad.reshape(-1, BLOCK).max(axis=1), bad.reshape(-1, BLOCK).min(axis=1)) == -1.0


def test_a_clean_tone_is_proved_clear_and_a_clipped_one_is_searched() -> None:
    """The screen does its work on clean sound (the point of it) and steps aside on clipping."""
    fs = 48_000
    cyc = 997.0 / fs
    clean = _take(fs, 997.0, 0.5, 0.0, 1e-5, 1, 0.5).astype(np.float32)
    clipped = np.clip(clean, -0.45, 0.45)
    nb = clean.size // BLOCK
    curve = 4.0 * math.sin(math.pi * cyc) ** 2
    with A.use_kernel("compiled"):
        assert A._no_frame_triple_held(K, clean[: nb * BLOCK], nb, BLOCK, 0.0, 0.5, curve)
        assert not A._no_frame_triple_held(K, clipped[: nb * BLOCK], nb, BLOCK, 0.0, 0.45, curve)
        assert [g["kind"] for g in _search(clipped, fs, cyc, 0.5, 0.0)] == ["clipped"]


@pytest.mark.parametrize("block", [1, 2, 3, 5, 7, 256, 300])
def test_the_held_gap_kernel_is_the_sweep_on_drawn_stretches(block: int) -> None:
    """Tones (clean, clipped, on a grid of 1/64, held flat across a block's edge), noise from 1e-7 to 1e-2,
    any whole number of blocks: the kernel's per-block shortcut gives the sweep's number; a NaN or
    an infinite frame anywhere gives -1.0."""
    rng = np.random.default_rng(block)
    for trial in range(120):
        nb = int(rng.integers(1, max(2, 4000 // block)))
        n = nb * block
        t = np.arange(n)
        x = rng.uniform(0.01, 0.9) * np.sin(2 * np.pi * rng.uniform(0.001, 0.2) * t)
        x = x + 10 ** rng.uniform(-7, -2) * rng.standard_normal(n)
        kind = trial % 5
        if kind == 1:
            x = np.clip(x, -0.3, 0.3)
        elif kind == 2:
            x = np.round(x * 64) / 64
        elif kind == 3 and n > 4:  # a flat run across a block edge
            at = block * int(rng.integers(0, nb)) + int(rng.integers(-2, 1))
            x[max(at, 0): at + 3] = x.max() + 0.01
        seg = x.astype(np.float32)
        blocks = seg.reshape(nb, block)
        got = K.held_gap(seg, block, blocks.max(axis=1), blocks.min(axis=1))
        assert got == (_numpy_gap(seg, block) if n >= 3 else np.inf), (block, trial)
        if kind == 4:
            seg[int(rng.integers(0, n))] = (np.nan, np.inf, -np.inf)[trial % 3]
            blocks = seg.reshape(nb, block)
            assert K.held_gap(seg, block, blocks.max(axis=1), blocks.min(axis=1)) == -1.0
