"""Compiled kernels of the DSP chain (numba): a biquad's recursion, one call a block.

Why compiled: ``dsp.Biquad``'s numpy path filters a block in six numpy calls whose arithmetic is
~1 us and whose dispatch is ~9 us (bench/RESULTS.md), and a simulated run is thousands of blocks a
second. Here the filter is lfilter's own recursion (transposed direct form II, float64 state and
arithmetic, each output rounded to the block's float32 once) in one call per block.

Why not always: importing numba costs ~0.35 s of CPU and the cached kernel's first call ~0.45 s
more (numba sets its compiler up), about the whole simulation of a one-minute run, so the kernels
are loaded only when a run is long enough to repay it (``dsp.use_kernel``,
chosen by the harness from the run's command: ``harness.runner.dsp_kernel_for``). The numbers
differ from the numpy path's in float64 rounding only (the recursion against the block plan's
regrouped products), which may move a float32 sample by its last bit.

Two channels, the usual case, are filtered in one loop over the frames (``_STEREO``): each
channel's recursion is a chain of dependent multiplies and adds (a sample's output feeds the next
sample's state), so one channel at a time leaves the CPU waiting on that chain; two independent
chains side by side fill that wait (1.58 -> 0.97 us a 256-frame block, bench/RESULTS.md). Each
channel's arithmetic is the same operations in the same order, so every sample and state is the
same to the bit; a block's peak is the largest magnitude over all its samples, whatever order they
are compared in (NaN flagged wherever it is met). Other channel counts go one channel at a time.

``cache=True`` keeps the compiled code beside this file (``__pycache__``), or in
``NUMBA_CACHE_DIR`` where that is set; a machine that cannot write either compiles in memory once
per process (~1 s).
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: the channel count whose channels the kernels filter side by side, in one loop over the frames
_STEREO = 2


@njit(cache=True, nogil=True, boundscheck=False)
def biquad_block(block: np.ndarray, state: np.ndarray, b0: float, b1: float, b2: float,
                 a1: float, a2: float) -> None:  # pragma: no cover - compiled: covered through dsp's tests
    """Filter ``block`` (frames, channels; float32 or float64) in place from ``state`` (2, channels;
    float64, lfilter's ``zi``), leaving the state after the block in ``state``."""
    frames, channels = block.shape
    if state.shape[1] != channels:
        raise ValueError("the block's channels are not the filter's")
    if channels == _STEREO:  # both channels in one loop (the module docstring)
        z0a, z1a, z0b, z1b = state[0, 0], state[1, 0], state[0, 1], state[1, 1]
        for i in range(frames):
            xa = np.float64(block[i, 0])
            xb = np.float64(block[i, 1])
            ya = b0 * xa + z0a
            yb = b0 * xb + z0b
            z0a = b1 * xa + z1a - a1 * ya
            z0b = b1 * xb + z1b - a1 * yb
            z1a = b2 * xa - a2 * ya
            z1b = b2 * xb - a2 * yb
            block[i, 0] = ya
            block[i, 1] = yb
        state[0, 0], state[1, 0], state[0, 1], state[1, 1] = z0a, z1a, z0b, z1b
        return
    for c in range(channels):
        z0 = state[0, c]
        z1 = state[1, c]
        for i in range(frames):
            x = np.float64(block[i, c])
            y = b0 * x + z0
            z0 = b1 * x + z1 - a1 * y
            z1 = b2 * x - a2 * y
            block[i, c] = y
        state[0, c] = z0
        state[1, c] = z1


@njit(cache=True, nogil=True, boundscheck=False)
def gain_biquad_peak(block: np.ndarray, state: np.ndarray, gain: np.float32, b0: float, b1: float,
                     b2: float, a1: float, a2: float) -> float:  # pragma: no cover - compiled
    """A gain, a biquad and a limiter's peak in one pass over a float32 block, in place: each sample
    is multiplied by ``gain`` in float32 (as ``Gain.process``'s ``block *= gain``), filtered as
    ``biquad_block`` filters it and stored in float32; returns the largest magnitude of the stored
    samples (NaN when one is NaN, as ``np.maximum.reduce(np.abs(block))``; 0.0 for an empty
    block), which is what ``Limiter.process`` measures of the block it is given."""
    frames, channels = block.shape
    if state.shape[1] != channels:
        raise ValueError("the block's channels are not the filter's")
    peak = np.float32(0.0)
    nan = False
    if channels == _STEREO:  # both channels in one loop (the module docstring)
        z0a, z1a, z0b, z1b = state[0, 0], state[1, 0], state[0, 1], state[1, 1]
        for i in range(frames):
            xa = np.float64(block[i, 0] * gain)
            xb = np.float64(block[i, 1] * gain)
            ya = b0 * xa + z0a
            yb = b0 * xb + z0b
            z0a = b1 * xa + z1a - a1 * ya
            z0b = b1 * xb + z1b - a1 * yb
            z1a = b2 * xa - a2 * ya
            z1b = b2 * xb - a2 * yb
            block[i, 0] = ya
            block[i, 1] = yb
            m = abs(block[i, 0])
            if m > peak:
                peak = m
            elif m != m:
                nan = True
            m = abs(block[i, 1])
            if m > peak:
                peak = m
            elif m != m:
                nan = True
        state[0, 0], state[1, 0], state[0, 1], state[1, 1] = z0a, z1a, z0b, z1b
        return np.nan if nan else np.float64(peak)
    for c in range(channels):
        z0 = state[0, c]
        z1 = state[1, c]
        for i in range(frames):
            x = np.float64(block[i, c] * gain)
            y = b0 * x + z0
            z0 = b1 * x + z1 - a1 * y
            z1 = b2 * x - a2 * y
            block[i, c] = y
            m = abs(block[i, c])
            if m > peak:
                peak = m
            elif m != m:
                nan = True
        state[0, c] = z0
        state[1, c] = z1
    if nan:
        return np.nan
    return np.float64(peak)


@njit(cache=True, nogil=True, boundscheck=False)
def gain_biquad_peaks(block: np.ndarray, state: np.ndarray, gain: np.float32, b0: float, b1: float,
                      b2: float, a1: float, a2: float, frames: int, peaks: np.ndarray,
                      states: np.ndarray) -> None:  # pragma: no cover - compiled
    """``gain_biquad_peak`` over consecutive blocks of ``frames`` at once, in one compiled call:
    ``block`` holds ``peaks.shape[0]`` of them, filtered in place block after block, so each sample
    gets the arithmetic it gets block by block. ``peaks[k]``: what ``gain_biquad_peak`` returns for
    block k; ``states[k]``: the state after block k (so a caller that delivers fewer blocks can put
    the filter back where it stood after them); ``state``: the state after the last block."""
    total, channels = block.shape
    blocks = peaks.shape[0]
    if state.shape[1] != channels or blocks * frames != total:
        raise ValueError("the blocks are not the filter's channels or not whole blocks")
    for k in range(blocks):
        peaks[k] = gain_biquad_peak(block[k * frames:(k + 1) * frames], state, gain, b0, b1, b2, a1, a2)
        states[k] = state


def warm() -> None:
    """Each kernel called once with the argument types the DSP chain calls it with (a float32 and
    a float64 block for the biquad, whose float64 path serves blocks of other dtypes; a float32
    block and a float32 gain for the fused step), so that its compiled code is in numba's cache
    (``cache=True``) before anything times the first call. A tree whose cache is cold (a fresh
    clone or copy: the cache lives beside this file) compiles all three here, ~10 s of CPU; one
    whose cache is warm loads them. The test suite calls it once, before any test runs
    (``tests/conftest.py``)."""
    coefs = (0.2, 0.4, 0.2, -0.6, 0.3)
    for dtype in (np.float32, np.float64):
        biquad_block(np.zeros((4, 2), dtype=dtype), np.zeros((2, 2)), *coefs)
    gain_biquad_peak(np.zeros((4, 2), dtype=np.float32), np.zeros((2, 2)), np.float32(1.0), *coefs)
    gain_biquad_peaks(np.zeros((8, 2), dtype=np.float32), np.zeros((2, 2)), np.float32(1.0), *coefs, 4,
                      np.empty(2), np.empty((2, 2, 2)))


__all__ = ["biquad_block", "gain_biquad_peak", "gain_biquad_peaks", "warm"]
