"""The DSP chain: gain, biquad filter, limiter, mixer.

Each stage maps a ``(frames, channels)`` float32 block to a block (in place where it can), keeps its
own state between blocks (filter memory, limiter gain), and can be reset after a dropout so stale
state does not ring into fresh audio. ``cost_s`` is a stage's declared extra processing time: zero
for real stages; the harness's slow-DSP fault sets it on the simulated clock, where burning real CPU
would not move virtual time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import signal

from .config import BiquadStage, GainStage, LimiterStage, MixerStage

_np_abs = np.abs
_f64 = np.float64
_max_reduce = np.maximum.reduce

try:  # scipy's C kernel behind lfilter: same arithmetic without ~10 us of array-API dispatch per call
    from scipy.signal._sigtools import _linear_filter as _lfilter_kernel
except ImportError:  # pragma: no cover - a scipy that moved it: fall back to the public function
    _lfilter_kernel = None


class Stage:
    """Base class: identity processing, no state."""

    kind = "identity"
    cost_s: float = 0.0

    def process(self, block: np.ndarray) -> np.ndarray:
        return block

    def reset(self) -> None:
        pass

    def output_channels(self, input_channels: int) -> int:
        return input_channels


class Gain(Stage):
    kind = "gain"

    def __init__(self, gain_db: float) -> None:
        self.gain = np.float32(10 ** (gain_db / 20))

    def process(self, block: np.ndarray) -> np.ndarray:
        block *= self.gain
        return block


def biquad_coefficients(kind: str, cutoff_hz: float, q: float, gain_db: float,
                        sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """RBJ audio-EQ-cookbook coefficients (b, a), normalised so a[0] == 1."""
    w0 = 2 * math.pi * cutoff_hz / sample_rate
    cw, sw = math.cos(w0), math.sin(w0)
    alpha = sw / (2 * q)
    a_lin = 10 ** (gain_db / 40)
    if kind == "lowpass":
        b = [(1 - cw) / 2, 1 - cw, (1 - cw) / 2]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "highpass":
        b = [(1 + cw) / 2, -(1 + cw), (1 + cw) / 2]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "bandpass":
        b = [alpha, 0.0, -alpha]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "notch":
        b = [1.0, -2 * cw, 1.0]
        a = [1 + alpha, -2 * cw, 1 - alpha]
    elif kind == "peaking":
        b = [1 + alpha * a_lin, -2 * cw, 1 - alpha * a_lin]
        a = [1 + alpha / a_lin, -2 * cw, 1 - alpha / a_lin]
    else:
        raise ValueError(f"unknown biquad kind {kind!r}")
    b_arr, a_arr = np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64)
    return b_arr / a_arr[0], a_arr / a_arr[0]


class Biquad(Stage):
    kind = "biquad"

    def __init__(self, filter_kind: str, cutoff_hz: float, q: float, gain_db: float,
                 sample_rate: int, channels: int) -> None:
        self.b, self.a = biquad_coefficients(filter_kind, cutoff_hz, q, gain_db, sample_rate)
        self.channels = channels
        self._zi = np.zeros((2, channels), dtype=np.float64)

    def process(self, block: np.ndarray) -> np.ndarray:
        if _lfilter_kernel is not None:
            y, self._zi = _lfilter_kernel(self.b, self.a, block.astype(_f64), 0, self._zi)
        else:
            y, self._zi = signal.lfilter(self.b, self.a, block, axis=0, zi=self._zi)
        block[:] = y
        return block

    def reset(self) -> None:
        self._zi[:] = 0.0


class Limiter(Stage):
    """A block-rate peak limiter: instant attack to the block's peak, exponential release."""

    kind = "limiter"

    def __init__(self, threshold_db: float, release_ms: float, sample_rate: int, block_size: int) -> None:
        self.threshold = 10 ** (threshold_db / 20)
        self.release = math.exp(-block_size / (sample_rate * release_ms / 1000))
        self._gain = 1.0
        self._ramp = np.linspace(0.0, 1.0, block_size, dtype=np.float32)[:, None]
        self._abs = np.empty((0, 0), dtype=np.float32)  # |block| scratch, (re)shaped on first use

    def process(self, block: np.ndarray) -> np.ndarray:
        if block.size:
            # == np.max(np.abs(block)) (NaN propagates alike) without two temporaries and the
            # np.max dispatch layer: the peak is taken every block, limiting or not
            scratch = self._abs
            if scratch.shape != block.shape or scratch.dtype != block.dtype:
                scratch = self._abs = np.empty(block.shape, dtype=block.dtype)
            peak = float(_max_reduce(_np_abs(block, out=scratch), axis=None))
        else:
            peak = 0.0
        target = min(1.0, self.threshold / peak) if peak > 0 else 1.0
        start = self._gain
        end = target if target < start else 1.0 - (1.0 - start) * self.release
        end = min(end, target)
        if start == 1.0 and end == 1.0:
            return block
        if self._ramp.shape[0] != block.shape[0]:
            self._ramp = np.linspace(0.0, 1.0, block.shape[0], dtype=np.float32)[:, None]
        if end < start:  # attack: apply the reduced gain at once so no sample exceeds the threshold
            block *= np.float32(end)
        else:
            block *= (np.float32(start) + (np.float32(end - start)) * self._ramp)
        self._gain = end
        return block

    def reset(self) -> None:
        self._gain = 1.0


class Mixer(Stage):
    kind = "mixer"

    def __init__(self, matrix: Sequence[Sequence[float]]) -> None:
        self.matrix_t = np.asarray(matrix, dtype=np.float32).T.copy()  # (in, out)

    def process(self, block: np.ndarray) -> np.ndarray:
        return block @ self.matrix_t

    def output_channels(self, input_channels: int) -> int:
        return self.matrix_t.shape[1]


class DspChain:
    """Stages in order. ``add_stage``/``remove_stage`` swap the tuple atomically for the callback."""

    def __init__(self, stages: Iterable[Stage] = ()) -> None:
        self.stages: tuple[Stage, ...] = tuple(stages)

    @classmethod
    def from_config(cls, configs: Iterable[object], sample_rate: int, block_size: int,
                    input_channels: int) -> "DspChain":
        stages: list[Stage] = []
        channels = input_channels
        for cfg in configs:
            stage: Stage
            if isinstance(cfg, GainStage):
                stage = Gain(cfg.gain_db)
            elif isinstance(cfg, BiquadStage):
                stage = Biquad(cfg.filter, cfg.cutoff_hz, cfg.q, cfg.gain_db, sample_rate, channels)
            elif isinstance(cfg, LimiterStage):
                stage = Limiter(cfg.threshold_db, cfg.release_ms, sample_rate, block_size)
            elif isinstance(cfg, MixerStage):
                stage = Mixer(cfg.matrix)
            else:
                raise TypeError(f"unknown stage config {cfg!r}")
            channels = stage.output_channels(channels)
            stages.append(stage)
        return cls(stages)

    def process(self, block: np.ndarray) -> np.ndarray:
        for stage in self.stages:
            block = stage.process(block)
        return block

    @property
    def cost_s(self) -> float:
        total = 0  # same value and type as sum(): read every block, so no generator
        for stage in self.stages:
            total += stage.cost_s
        return total

    def reset(self) -> None:
        for stage in self.stages:
            stage.reset()

    def add_stage(self, stage: Stage, index: int | None = None) -> None:
        stages = list(self.stages)
        stages.insert(len(stages) if index is None else index, stage)
        self.stages = tuple(stages)

    def remove_stage(self, stage: Stage) -> bool:
        if stage not in self.stages:
            return False
        self.stages = tuple(s for s in self.stages if s is not stage)
        return True


__all__ = ["Biquad", "DspChain", "Gain", "Limiter", "Mixer", "Stage", "biquad_coefficients"]
