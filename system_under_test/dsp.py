"""The DSP chain: gain, biquad filter, limiter, mixer.

Each stage maps a ``(frames, channels)`` float32 block to a block (in place where it can), keeps its
own state between blocks (filter memory, limiter gain), and can be reset after a dropout so stale
state does not ring into fresh audio. ``cost_s`` is a stage's declared extra processing time: zero
for real stages; the harness's slow-DSP fault sets it on the simulated clock, where burning real CPU
would not move virtual time.

Two ways to run a biquad, picked when the stage is built: numpy alone (the default: no import
beyond numpy) or the compiled recursion of ``dsp_kernels`` (numba), chosen for a process by
``use_kernel``. They differ only in float64 rounding, so a run's numbers are a function of its seed
and of the kernel it ran with, which the harness picks from the run's command and records
(``harness.runner.dsp_kernel_for``). In a chain, a compiled biquad with the limiter after it (and
the gain before it) runs as one kernel call a block (``_GainBiquadLimiter``), bit for bit the
three stages' numbers.
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import numpy as np

from .config import BiquadStage, GainStage, LimiterStage, MixerStage

_np_abs = np.abs
_F32 = np.dtype(np.float32)
_IN_PLACE = (_F32, np.dtype(np.float64))  # blocks filtered where they lie
_max_reduce = np.maximum.reduce
_matmul = np.matmul
_add_reduce = np.add.reduce

#: the kernels a stage built now runs with: "numpy" (block plans and ufuncs) or "compiled"
KERNELS = ("numpy", "compiled")
_kernel = "numpy"


@contextmanager
def use_kernel(name: str) -> Iterator[None]:
    """Stages built inside run with kernel ``name`` (``KERNELS``); the previous choice comes back
    after. "compiled" imports numba and the kernels here, once per process (~0.35 s of CPU; the
    first filtered block ~0.45 s more)."""
    global _kernel
    if name not in KERNELS:
        raise ValueError(f"unknown DSP kernel {name!r}: one of {', '.join(KERNELS)}")
    if name == "compiled":
        _compiled_kernels()
    previous, _kernel = _kernel, name
    try:
        yield
    finally:
        _kernel = previous


def current_kernel() -> str:
    """The kernel a stage built now runs with."""
    return _kernel


def _compiled_kernels() -> ModuleType:
    return importlib.import_module(f"{__package__}.dsp_kernels")


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


def _chunk_length(frames: int) -> int:
    """Frames per chunk of a block of ``frames``: the filter's cost is ~ frames x chunk (the
    within-chunk matrix) plus (frames / chunk)^2 (the chunk-to-chunk state matrix), so the chunk
    grows like the square root of the block (measured best per block size: 16 / 32 / 64 at
    64 / 256 / 1024 frames)."""
    if frames <= 128:
        return min(frames, 16)
    return 32 if frames <= 512 else 64


#: A block plan's matrices by (A, B, D, frames): the same for every filter with those coefficients,
#: so a pipeline rebuilt after a recovery reuses them instead of rebuilding (~0.25 ms of CPU a
#: biquad at 256 frames, measured; a faulted run rebuilds its chain at every recovery). Bounded:
#: cleared whole when full.
_MATRICES: dict[tuple[bytes, bytes, float, int], tuple[np.ndarray, np.ndarray, int, int]] = {}
_MATRICES_MAX = 64


def _plan_matrices(a_mat: np.ndarray, b_vec: np.ndarray, d: float,
                   frames: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """``(MZ, [T | S], chunks, chunk)`` of ``_BlockPlan`` for a block of ``frames``: read-only once
    built (shared between plans)."""
    s = a_mat.shape[0]
    chunk = _chunk_length(frames)
    chunks = frames // chunk
    powers = [np.eye(s)]
    for _ in range(chunk):
        powers.append(a_mat @ powers[-1])
    impulse = np.empty(chunk)  # h[0] = D, h[k] = C A^(k-1) B
    impulse[0] = d
    for k in range(1, chunk):
        impulse[k] = (powers[k - 1] @ b_vec)[0]
    toeplitz = np.zeros((chunk, chunk))
    for i in range(chunk):
        toeplitz[i, : i + 1] = impulse[i::-1]
    from_state = np.array([powers[i][0] for i in range(chunk)])  # row i: C A^i
    to_state = np.stack([powers[chunk - 1 - j] @ b_vec for j in range(chunk)], axis=1)  # A^(L-1-j) B
    across = [np.eye(s)]  # Q^k, Q = A^chunk: a chunk's start state carried over k chunks
    for _ in range(chunks):
        across.append(powers[chunk] @ across[-1])
    width = chunk + s
    mz = np.zeros(((chunks + 1) * s, s + chunks * width))
    for k in range(chunks + 1):
        rows = slice(k * s, (k + 1) * s)
        mz[rows, :s] = across[k]
        for j in range(k):
            mz[rows, s + j * width: s + j * width + chunk] = across[k - 1 - j] @ to_state
    ts = np.ascontiguousarray(np.hstack([toeplitz, from_state]))
    mz.flags.writeable = False
    ts.flags.writeable = False
    return mz, ts, chunks, chunk


class _BlockPlan:
    """One biquad's filter of a block of ``chunks * chunk`` frames as two matrix products.

    The biquad in transposed direct form II (lfilter's form; its state ``z`` is lfilter's ``zi``)
    is the state-space system ``z' = A z + B x``, ``y = C z + D x`` with ``C = [1, 0]``. A block
    cut into chunks of ``chunk`` frames is then exactly

    - the state at the start of every chunk (and after the last): ``Z = MZ @ buf``, where ``buf``
      holds the state before the block and the block's samples, and ``MZ`` the powers of ``A``;
    - each chunk's output: ``Y_k = [T | S] @ [X_k; Z_k]``, ``T`` the chunk's lower-triangular
      Toeplitz matrix of the impulse response and ``S`` the response to the chunk's start state.

    That is the recursion's arithmetic regrouped (float64 throughout, within ~1e-15 of lfilter's
    samples), in six numpy calls per block whatever the block size, and it needs nothing but
    numpy: the public way to a recursive filter, ``scipy.signal``, costs ~0.55 s of CPU to import
    (its package imports ``scipy.stats``), about the whole simulation of a one-minute run, and
    the C kernel behind ``lfilter`` is private. The price is per block: ~5 / 6 / 16 us of CPU more
    than that kernel at 64 / 256 / 1024 frames, a little more than the public ``lfilter``
    (``bench/bench_sim.py``'s ``filter_calls``; bench/RESULTS.md).

    ``buf`` is laid out ``[z (2 rows); chunk 0 (chunk rows), Z_0 (2 rows); chunk 1, Z_1; ...]``
    (each row one frame of ``channels``) so that ``[X_k; Z_k]`` is contiguous for the second
    product; ``MZ`` has zero columns where the ``Z_k`` rows sit.
    """

    __slots__ = ("frames", "chunks", "chunk", "mz", "ts", "buf", "z", "state", "samples", "starts", "stacked",
                 "split", "recursion")

    def __init__(self, a_mat: np.ndarray, b_vec: np.ndarray, d: float, frames: int, channels: int) -> None:
        key = (a_mat.tobytes(), b_vec.tobytes(), d, frames)
        matrices = _MATRICES.get(key)
        if matrices is None:
            if len(_MATRICES) >= _MATRICES_MAX:
                _MATRICES.clear()
            matrices = _MATRICES[key] = _plan_matrices(a_mat, b_vec, d, frames)
        self.mz, self.ts, self.chunks, self.chunk = matrices
        s = a_mat.shape[0]
        chunks, chunk = self.chunks, self.chunk
        width = chunk + s
        self.frames = chunks * chunk
        self.split = chunks * s
        self.recursion = (a_mat.tolist(), b_vec.tolist(), d)
        self.buf = np.zeros((s + chunks * width, channels))
        self.z = np.empty(((chunks + 1) * s, channels))  # the first product's output, reused
        self.state = self.buf[:s]
        self.stacked = self.buf[s:].reshape(chunks, width, channels)
        self.samples = self.stacked[:, :chunk]
        self.starts = self.stacked[:, chunk:]

    def run(self, block: np.ndarray) -> None:
        """Filter ``block`` (``frames`` contiguous frames) in place, from ``self.state`` to the
        state after it."""
        x3 = block.reshape(self.chunks, self.chunk, block.shape[1])
        self.samples[...] = x3
        z = _matmul(self.mz, self.buf, out=self.z)
        split = self.split
        after = z[split:]
        if not math.isfinite(_add_reduce(after, None)):  # a NaN or infinity in the block (the state keeps it)
            self._recurse(block)
            return
        self.starts[...] = z[:split].reshape(self.chunks, -1, block.shape[1])
        _matmul(self.ts, self.stacked, out=x3, casting="same_kind")
        self.state[...] = after

    def _recurse(self, block: np.ndarray) -> None:
        """lfilter's recursion sample by sample, for a block whose state is not finite: in the
        products a non-finite sample would also poison the samples before it in its chunk
        (0 x NaN), where the recursion leaves them be. Slow, and only ever on broken audio."""
        a_mat, b_vec, d = self.recursion
        state = self.state
        for c in range(block.shape[1]):
            z0, z1 = float(state[0, c]), float(state[1, c])
            for i in range(block.shape[0]):
                x = float(block[i, c])
                y = d * x + z0
                z0, z1 = (b_vec[0] * x + a_mat[0][0] * z0 + z1, b_vec[1] * x + a_mat[1][0] * z0)
                block[i, c] = y
            state[0, c], state[1, c] = z0, z1


def _compiled_filter(z: np.ndarray, b0: float, b1: float, b2: float, a1: float,
                     a2: float) -> Callable[[np.ndarray], np.ndarray]:
    """A compiled biquad's ``process``: one kernel call a block from the state ``z`` (kept in
    place), in place for a contiguous float block, through a float64 copy otherwise (the block
    keeps its dtype). A closure over the state, not a bound method: no stage refers to itself."""
    kernel = _compiled_kernels().biquad_block

    def process(block: np.ndarray) -> np.ndarray:
        if block.flags.c_contiguous and block.dtype in _IN_PLACE:
            kernel(block, z, b0, b1, b2, a1, a2)
            return block
        work = np.ascontiguousarray(block, dtype=np.float64)
        kernel(work, z, b0, b1, b2, a1, a2)
        block[...] = work
        return block

    return process


class Biquad(Stage):
    """An RBJ biquad per channel, its state carried across blocks, computed with numpy alone
    (``_BlockPlan``); the samples match ``scipy.signal.lfilter(b, a, x, axis=0, zi=...)`` over the
    concatenated blocks to float64 rounding (a float32 sample may differ in its last bit). Built
    under ``use_kernel("compiled")`` it runs lfilter's recursion compiled instead
    (``_compiled_filter``): lfilter's float64 samples, each rounded to float32 once."""

    kind = "biquad"

    def __init__(self, filter_kind: str, cutoff_hz: float, q: float, gain_db: float,
                 sample_rate: int, channels: int) -> None:
        self.b, self.a = biquad_coefficients(filter_kind, cutoff_hz, q, gain_db, sample_rate)
        self.channels = channels
        b0, b1, b2 = (float(v) for v in self.b)
        a1, a2 = float(self.a[1]), float(self.a[2])
        self._a_mat = np.array([[-a1, 1.0], [-a2, 0.0]])
        self._b_vec = np.array([b1 - a1 * b0, b2 - a2 * b0])
        self._d = b0
        self._plans: dict[int, _BlockPlan] = {}  # by frames: a block size's matrices, built once
        self._live: _BlockPlan | None = None  # the plan whose ``state`` holds the filter state
        self._whole: _BlockPlan | None = None  # the live plan when it covers its block size whole
        self._z = np.zeros((2, channels))  # the compiled recursion's state (lfilter's ``zi``)
        #: built under ``use_kernel("compiled")``: the compiled recursion filters every block, no plan
        self.compiled = _kernel == "compiled"
        self._coefs = (b0, b1, b2, a1, a2)  # the compiled recursion's, for ``DspChain``'s fused step
        self._compiled_process: Callable[[np.ndarray], np.ndarray] | None = None
        if self.compiled:
            self.process = self._compiled_process = _compiled_filter(  # type: ignore[method-assign]
                self._z, b0, b1, b2, a1, a2)

    def _plan(self, frames: int) -> _BlockPlan:
        plan = self._plans.get(frames)
        if plan is None:
            plan = self._plans[frames] = _BlockPlan(self._a_mat, self._b_vec, self._d, frames, self.channels)
        if plan is not self._live:
            if self._live is not None:
                plan.state[...] = self._live.state
            self._live = plan
        self._whole = plan if plan.frames == frames else None
        return plan

    def process(self, block: np.ndarray) -> np.ndarray:
        whole = self._whole  # the usual block: the last one's size, float32, contiguous
        if (whole is not None and block.shape[0] == whole.frames and block.dtype is _F32
                and block.flags.c_contiguous):
            whole.run(block)
            return block
        frames = block.shape[0]
        in_place = block.flags.c_contiguous and block.dtype in _IN_PLACE
        work = block if in_place else np.ascontiguousarray(block, dtype=np.float64)
        start = 0
        while start < frames:  # a block size no chunk divides: the whole chunks, then the rest
            plan = self._plan(frames - start)
            plan.run(work[start:start + plan.frames])
            start += plan.frames
        if not in_place:
            block[...] = work
        return block

    @property
    def state(self) -> np.ndarray:
        """The filter state (lfilter's ``zi``, shape (2, channels)), a copy."""
        if self.compiled:
            return self._z.copy()
        return self._live.state.copy() if self._live is not None else np.zeros((2, self.channels))

    def reset(self) -> None:
        for plan in self._plans.values():  # the chunk-start rows too: no stale NaN rings on
            plan.buf[...] = 0.0
        self._z[...] = 0.0


@functools.lru_cache(maxsize=16)
def _ramp(frames: int) -> np.ndarray:
    """The limiter's gain ramp over a block of ``frames``, a column: 0 to 1 in float32. One array
    per block size, read-only and shared by every limiter: a pipeline is built at every recovery
    and reconfiguration, and ``np.linspace`` was a tenth of that build's CPU."""
    ramp = np.linspace(0.0, 1.0, frames, dtype=np.float32)[:, None]
    ramp.flags.writeable = False
    return ramp


class Limiter(Stage):
    """A block-rate peak limiter: instant attack to the block's peak, exponential release."""

    kind = "limiter"

    def __init__(self, threshold_db: float, release_ms: float, sample_rate: int, block_size: int) -> None:
        self.threshold = 10 ** (threshold_db / 20)
        self.release = math.exp(-block_size / (sample_rate * release_ms / 1000))
        self._gain = 1.0
        self._ramp = _ramp(block_size)
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
        return self.limit(block, peak)

    def limit(self, block: np.ndarray, peak: float) -> np.ndarray:
        """The limiter's gain for a block whose largest magnitude is ``peak``, applied in place."""
        target = min(1.0, self.threshold / peak) if peak > 0 else 1.0
        start = self._gain
        end = target if target < start else 1.0 - (1.0 - start) * self.release
        end = min(end, target)
        if start == 1.0 and end == 1.0:
            return block
        if self._ramp.shape[0] != block.shape[0]:
            self._ramp = _ramp(block.shape[0])
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
        self.stages = tuple(stages)

    @property
    def stages(self) -> tuple[Stage, ...]:
        return self._stages

    @stages.setter
    def stages(self, stages: tuple[Stage, ...]) -> None:
        self._stages = stages
        # what ``process`` runs, one assignment (the callback may be reading it): the stages, with a
        # compiled biquad and the limiter right after it (and a gain right before it) as one step
        steps = self._steps = _fuse(stages)
        #: the chain's only step when it is a fused [gain,] compiled biquad and limiter, else None:
        #: a plain attribute, read before every simulated block (``blockwise`` checks the rest)
        self.fused_step = steps[0] if len(steps) == 1 and type(steps[0]) is _GainBiquadLimiter else None

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
        for stage in self._steps:
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

    @property
    def blockwise(self) -> "_GainBiquadLimiter | None":
        """The chain's one step when it is a fused [gain,] compiled biquad and limiter with no
        declared cost, which can filter several blocks in one call (``filter_blocks``) with each
        block's numbers the ones ``process`` gives it; None for any other chain."""
        step = self.fused_step
        return step if step is not None and step.plain() else None

    def add_stage(self, stage: Stage, index: int | None = None) -> None:
        stages = list(self.stages)
        stages.insert(len(stages) if index is None else index, stage)
        self.stages = tuple(stages)

    def remove_stage(self, stage: Stage) -> bool:
        if stage not in self.stages:
            return False
        self.stages = tuple(s for s in self.stages if s is not stage)
        return True


class _GainBiquadLimiter:
    """One step of a chain for [gain,] compiled biquad, limiter: ``dsp_kernels.gain_biquad_peak``
    filters a float32 block and measures its peak in one call, then the limiter applies its gain
    for that peak. The samples, the filter state and the limiter's gain are the three stages'
    own, one after the other (the kernel does their arithmetic in their order and types). A block
    that is not contiguous float32 goes through the stages one by one."""

    __slots__ = ("gain", "biquad", "limiter", "_kernel", "_blocks_kernel")

    def __init__(self, gain: Gain | None, biquad: Biquad, limiter: Limiter) -> None:
        self.gain, self.biquad, self.limiter = gain, biquad, limiter
        kernels = _compiled_kernels()
        self._kernel = kernels.gain_biquad_peak
        self._blocks_kernel = kernels.gain_biquad_peaks

    def process(self, block: np.ndarray) -> np.ndarray:
        gain, biquad, limiter = self.gain, self.biquad, self.limiter
        g = gain.gain if gain is not None else _UNIT_F32
        if block.dtype is _F32 and block.flags.c_contiguous and type(g) is _F32_SCALAR:
            peak = self._kernel(block, biquad._z, g, *biquad._coefs)
            return limiter.limit(block, peak)
        if gain is not None:
            block = gain.process(block)
        return limiter.process(biquad.process(block))

    def plain(self) -> bool:
        """Every block goes through the one kernel call (``process``'s fast path) and no stage
        declares a cost: what ``filter_blocks`` needs to give ``process``'s numbers."""
        gain = self.gain
        g = gain.gain if gain is not None else _UNIT_F32
        return (type(g) is _F32_SCALAR and not self.biquad.cost_s and not self.limiter.cost_s
                and (gain is None or not gain.cost_s))

    def filter_blocks(self, block: np.ndarray, frames: int, peaks: np.ndarray, states: np.ndarray) -> None:
        """The gain and the biquad of ``peaks.shape[0]`` consecutive blocks of ``frames`` in one
        call (``dsp_kernels.gain_biquad_peaks``), in place in ``block`` (contiguous float32):
        ``peaks[k]`` is block k's peak, for the limiter's ``limit`` of that block, which the
        caller applies block by block, in order (the limiter's gain is block-rate state);
        ``states[k]`` the biquad's state after block k (``rewind``)."""
        g = self.gain.gain if self.gain is not None else _UNIT_F32
        self._blocks_kernel(block, self.biquad._z, g, *self.biquad._coefs, frames, peaks, states)

    def rewind(self, state: np.ndarray) -> None:
        """Put the biquad's state back to ``state`` (one of ``filter_blocks``'s ``states``): the
        blocks after it were filtered but are not delivered."""
        self.biquad._z[...] = state


_F32_SCALAR = np.float32  # a gain of another type multiplies as numpy's rules for that type say
_UNIT_F32 = np.float32(1.0)


def _plain(stage: Stage, cls: type) -> bool:
    """``stage`` is exactly a ``cls`` whose ``process`` is its class's (nothing set on the instance)."""
    return type(stage) is cls and "process" not in vars(stage)


def _fuse(stages: tuple[Stage, ...]) -> tuple[Any, ...]:
    """The steps ``DspChain.process`` runs for ``stages``: each stage, but a compiled ``Biquad``
    followed by a ``Limiter`` (and the ``Gain`` before the biquad, if any) is one fused step."""
    steps: list[Any] = []
    i, n = 0, len(stages)
    while i < n:
        stage = stages[i]
        if (type(stage) is Biquad and stage.compiled and i + 1 < n  # type: ignore[attr-defined]
                and vars(stage).get("process") is stage._compiled_process  # type: ignore[attr-defined]
                and _plain(stages[i + 1], Limiter)):
            gain = steps.pop() if steps and _plain(steps[-1], Gain) else None
            steps.append(_GainBiquadLimiter(gain, stage, stages[i + 1]))  # type: ignore[arg-type]
            i += 2
            continue
        steps.append(stage)
        i += 1
    return tuple(steps)


__all__ = ["KERNELS", "Biquad", "DspChain", "Gain", "Limiter", "Mixer", "Stage", "biquad_coefficients",
           "current_kernel", "use_kernel"]
