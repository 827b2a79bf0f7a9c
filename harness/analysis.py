"""Signal analysis: test signals, WAV I/O, glitch detection, latency and level measurement.

Everything here works on float samples in [-1, 1] and is vectorised with numpy/scipy: the hot
paths touch every sample a handful of times in bulk operations, never in a Python loop, so ten
minutes of 48 kHz audio is judged in well under a second.

How glitch detection works (and why)
------------------------------------
The device under test plays one steady sine; a glitch is anything a steady sine cannot explain.

1. The recording is cut into blocks of ``B`` frames (256 by default, at least two periods). For
   every block one least-squares fit of ``dc + a*cos(wn) + b*sin(wn)`` gives a complex phasor
   (magnitude and phase against a global time origin) and the energy the fit leaves over. This is
   two matrix products over the whole file, so it is cheap.
2. The frequency comes from an FFT peak, then from the median phase advance between
   neighbouring blocks. A 50 ppm sample-clock offset is just a slightly different frequency, so
   it is absorbed here rather than called a glitch.
3. Blocks whose fit leaves too much energy, or whose level collapsed, are "bad". Every block
   is then predicted twice: from the median phasor of the few good blocks *before* it and from
   the few good blocks *after* it. Medians over a handful of blocks follow slow gain ramps and
   drift but ignore isolated damage.
4. A sample is glitched when it misses *both* predictions by more than the tolerance (a
   fraction of the magnitude, or a multiple of the noise floor if that is larger). Where the
   before- and after-predictions disagree with each other the sine itself jumped: dropped or
   inserted frames, located to the frame by a least-squares split.
5. Flagged samples closer than one period are one glitch (a glitch ends after a clean period).
   The phase jump across it, converted to frames, says dropped (+N) or inserted (-N); a run of
   silence at least one period long is a mute; a short burst with no jump is a click.

A dropped or inserted run of N frames is only distinguishable from N +- k periods, so the test
tone must have a period of more than twice the longest run to be classified;
``DEFAULT_TEST_FREQUENCY_HZ`` (751 Hz, a 63.9-frame period at 48 kHz) keeps 1..27 frames
unambiguous at 44.1, 48 and 96 kHz while a single dropped frame still moves the waveform by
about 10 % of its magnitude.

6. A fine pass then looks below the tolerance. Every block is fitted again with DC, a DC ramp,
   the fundamental with a linear amplitude/phase ramp (AGC, clock wander) and harmonics 2..5, so
   a converter's distortion is model, not noise. A residual sample beyond ``k`` robust sigmas of
   its neighbourhood is a pop (``k`` grows with the take's length so Gaussian noise alone almost
   never crosses it); a step in the fundamental's block-to-block phase against lines through the
   blocks before and after is a dropped or inserted frame, however small its waveform step.

7. Clipping: a tone held flat at a level at its peaks is the same distortion in every block, so
   the passes above take it for the noise floor and the model. Runs of frames held within the
   noise of each block's extreme, far longer than a clean sine's peak stays there, at four peaks
   or more close together, are one ``clipped`` glitch (``_clipped_stretches``).

Known limits: runs longer than half a period alias (N reads as N - period); silence of a period
or more is reported as ``mute`` even when it was inserted rather than substituted (the phase
shift is still in ``phase_shift_frames``); leading and trailing silence and short fades are not
analysed (``analysed_start_frame``/``analysed_end_frame`` say what was); the coarse pass counts
harmonic distortion as noise (the fine pass does not); an AGC swinging the level +-30 % at
0.5 Hz is seen by the coarse pass as jumps (+-20 % at 0.5 Hz is not: tests/harness/test_analysis_field.py).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import json
import math
import struct
import warnings
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .blas import with_one_blas_thread
from .errors import AnalysisError, UsageError, WavFileError
from .held_caches import counted_cache
from .runfolder import RunFolder, RunFolderError


#: the modules imported on first use (``_OnFirstUse``), by name: ``import_deferred`` loads them all
_DEFERRED: list[str] = []


class _OnFirstUse:
    """A module imported when one of its attributes is first read, then read from it directly.

    A run's listening check (``analyze_glitches`` without levels) needs none of scipy, and
    importing ``scipy.signal`` costs ~0.55 s of CPU (its package imports ``scipy.stats``),
    ``scipy.fft`` ~0.2 s: most of a one-minute simulated run's start-up (``python -X importtime``).
    """

    def __init__(self, name: str) -> None:
        self._name = name
        _DEFERRED.append(name)

    def __getattr__(self, attr: str) -> Any:
        import importlib

        value = getattr(importlib.import_module(self._name), attr)
        setattr(self, attr, value)  # the next read finds it without this hook
        return value


sfft: Any = _OnFirstUse("scipy.fft")
sps: Any = _OnFirstUse("scipy.signal")
wavfile: Any = _OnFirstUse("scipy.io.wavfile")


def import_deferred() -> tuple[str, ...]:
    """Import now every module the analysis would import on first use; their names.

    Why: a long run samples its memory to judge leaks, and a first use minutes into it imports
    a module then (code objects, scipy's caches: ~1.8 MB on one healthy soak, ``scipy.signal``
    first needed 35 minutes in), a one-time step the leak judge reads as growth: that soak's RSS
    read 11.6 MB/h "leak", and 2.0 MB/h "small" with the imports done before its first sample.
    A short run keeps the saving the deferral is for."""
    import importlib

    for name in _DEFERRED:
        importlib.import_module(name)
    return tuple(_DEFERRED)

#: how the clipping search reads a stretch's frames: numpy passes, or the compiled ones of
#: ``harness.analysis_kernels`` (numba: the same numbers, fewer sweeps of memory)
KERNELS = ("numpy", "compiled")
_kernel = "numpy"


@contextlib.contextmanager
def use_kernel(name: str) -> Iterator[None]:
    """Analyses inside run the clipping search's passes with kernel ``name`` (``KERNELS``); the
    previous choice comes back after. The runner enters it with its DSP chain's kernel, so numba
    is loaded only by runs that load it anyway ("compiled" imports it here, ~0.35 s of CPU)."""
    global _kernel
    if name not in KERNELS:
        raise ValueError(f"unknown analysis kernel {name!r}: one of {', '.join(KERNELS)}")
    if name == "compiled":
        importlib.import_module(f"{__package__}.analysis_kernels")
    previous, _kernel = _kernel, name
    try:
        yield
    finally:
        _kernel = previous


def _compiled_passes() -> Any:
    """The compiled kernels module under ``use_kernel("compiled")``, else None."""
    return importlib.import_module(f"{__package__}.analysis_kernels") if _kernel == "compiled" else None


__all__ = [
    "DEFAULT_AMPLITUDE",
    "DEFAULT_TEST_FREQUENCY_HZ",
    "GLITCH_KINDS",
    "SAMPLE_FORMATS",
    "SIGNAL_KINDS",
    "Glitch",
    "GlitchKind",
    "GlitchReport",
    "LatencyResult",
    "SineLevels",
    "WavAudio",
    "add_pop",
    "analyze_glitches",
    "import_deferred",
    "drop_frames",
    "estimate_frequency",
    "field_tone",
    "fractional_delay",
    "insert_frames",
    "make_signal",
    "measure_latency",
    "measure_sine",
    "mls",
    "multitone",
    "mute_frames",
    "pulse",
    "read_wav",
    "sine",
    "sweep",
    "sweep_at",
    "use_kernel",
    "write_wav",
]

DEFAULT_TEST_FREQUENCY_HZ = 751.0
DEFAULT_AMPLITUDE = 0.5
SAMPLE_FORMATS = ("int16", "int24", "int32", "float32")
SIGNAL_KINDS = ("sine", "multitone", "pulse", "mls", "linsweep", "logsweep")

GlitchKind = Literal["dropped", "inserted", "click", "mute", "clipped", "other"]
GLITCH_KINDS: tuple[GlitchKind, ...] = ("dropped", "inserted", "click", "mute", "clipped", "other")

FloatArray = NDArray[np.float64]


# --------------------------------------------------------------------------------------------
# Test signals
# --------------------------------------------------------------------------------------------


def _frame_count(duration_s: float, sample_rate: int) -> int:
    if not (sample_rate > 0):
        raise UsageError(f"sample rate must be positive, got {sample_rate}")
    if not (duration_s > 0) or not math.isfinite(duration_s):
        raise UsageError(f"duration must be a positive number of seconds, got {duration_s}")
    return max(1, int(round(duration_s * sample_rate)))


def _check_frequency(frequency_hz: float, sample_rate: int) -> None:
    if not (0 < frequency_hz < sample_rate / 2):
        raise UsageError(
            f"frequency {frequency_hz} Hz is outside (0, {sample_rate / 2:g}) Hz, the range a "
            f"{sample_rate} Hz stream can carry"
        )


def _unit_phasor(cycles_per_frame: float, frames: NDArray[np.int64] | NDArray[np.float64]) -> NDArray[np.complex128]:
    """exp(2j*pi*f*n) computed from the fractional cycle count, so it stays exact for n ~ 1e9."""
    frac = np.mod(np.asarray(frames, dtype=np.float64) * cycles_per_frame, 1.0)
    return np.exp(2j * np.pi * frac)


def sine(
    frequency_hz: float = DEFAULT_TEST_FREQUENCY_HZ,
    duration_s: float = 1.0,
    sample_rate: int = 48_000,
    amplitude: float = DEFAULT_AMPLITUDE,
    phase_rad: float = 0.0,
) -> FloatArray:
    """A sine of ``amplitude`` (peak, full scale 1.0). The glitch analyser's test signal."""
    _check_frequency(frequency_hz, sample_rate)
    n = np.arange(_frame_count(duration_s, sample_rate), dtype=np.float64)
    cycles = np.mod(n * (frequency_hz / sample_rate), 1.0)
    out: FloatArray = amplitude * np.sin(2 * np.pi * cycles + phase_rad)
    return out


def multitone(
    frequencies_hz: ArrayLike | None = None,
    duration_s: float = 1.0,
    sample_rate: int = 48_000,
    amplitude: float = DEFAULT_AMPLITUDE,
) -> FloatArray:
    """Several tones with Schroeder phases (low crest factor), scaled so the peak is ``amplitude``.

    Useful to check a path's response at several frequencies at once; the default is eight
    log-spaced tones from 100 Hz to 10 kHz (or 40 % of the sample rate, if lower).
    """
    if frequencies_hz is None:
        top = min(10_000.0, 0.4 * sample_rate)
        freqs = np.round(np.geomspace(100.0, top, 8))
    else:
        freqs = np.atleast_1d(np.asarray(frequencies_hz, dtype=np.float64))
    if freqs.size == 0:
        raise UsageError("multitone needs at least one frequency")
    for f in freqs:
        _check_frequency(float(f), sample_rate)
    n = np.arange(_frame_count(duration_s, sample_rate), dtype=np.float64)
    k = np.arange(1, freqs.size + 1)
    phases = -np.pi * k * (k - 1) / freqs.size
    out = np.zeros(n.size)
    for f, ph in zip(freqs, phases, strict=True):  # one vectorised pass per tone
        out += np.sin(2 * np.pi * np.mod(n * (f / sample_rate), 1.0) + ph)
    peak = float(np.max(np.abs(out)))
    return out * (amplitude / peak) if peak > 0 else out


def pulse(
    duration_s: float = 1.0,
    sample_rate: int = 48_000,
    amplitude: float = DEFAULT_AMPLITUDE,
    burst_ms: float = 20.0,
    seed: int = 0,
) -> FloatArray:
    """A short wide-band burst (flat spectrum 50 Hz .. 45 % of the rate, random phases) then silence.

    Its autocorrelation is one narrow peak, so it gives an unambiguous, sub-frame latency
    reading, and being short it survives paths that drop or duck long stimuli.
    """
    total = _frame_count(duration_s, sample_rate)
    length = min(total, max(64, int(round(burst_ms * 1e-3 * sample_rate))))
    rng = np.random.default_rng(seed)
    freqs = sfft.rfftfreq(length, 1.0 / sample_rate)
    band = (freqs >= 50.0) & (freqs <= 0.45 * sample_rate)
    spectrum = np.where(band, np.exp(2j * np.pi * rng.random(freqs.size)), 0.0)
    burst = sfft.irfft(spectrum, length)
    burst *= sps.windows.tukey(length, 0.1)  # soft edges: no click outside the band
    burst *= amplitude / float(np.max(np.abs(burst)))
    out = np.zeros(total)
    out[:length] = burst
    return out


def mls(
    duration_s: float = 1.0,
    sample_rate: int = 48_000,
    amplitude: float = DEFAULT_AMPLITUDE,
    order: int | None = None,
) -> FloatArray:
    """One period of a maximum-length sequence (+-amplitude), padded with silence to ``duration_s``.

    By default the longest sequence that fits (order 8..20). A single period, not a repeated one,
    so the latency correlation has exactly one peak.
    """
    total = _frame_count(duration_s, sample_rate)
    if order is None:
        order = int(np.clip(math.floor(math.log2(total + 1)), 8, 20))
    if not 2 <= order <= 32:
        raise UsageError(f"MLS order must be 2..32, got {order}")
    seq = sps.max_len_seq(order)[0].astype(np.float64) * 2.0 - 1.0
    out = np.zeros(max(total, seq.size))
    out[: seq.size] = amplitude * seq
    return out


def sweep(
    duration_s: float = 1.0,
    sample_rate: int = 48_000,
    amplitude: float = DEFAULT_AMPLITUDE,
    f1_hz: float = 20.0,
    f2_hz: float | None = None,
    *,
    logarithmic: bool = True,
) -> FloatArray:
    """A sine sweep from ``f1_hz`` to ``f2_hz`` (default 20 kHz or 45 % of the rate, the lower),
    logarithmic (equal time per octave) or linear, with 5 ms half-cosine fades at both ends.

    A latency reference like ``mls``: its autocorrelation is one narrow peak, and it puts its
    energy one frequency at a time, so a distorting or noisy path still lets it through cleanly.
    ``measure_latency`` fits its delay and the clock drift together; a linear sweep spreads the
    delay's information evenly in time, a log sweep gathers it at the high end (the start
    latency is then extrapolated and less precise, see ``uncertainty_frames``).
    """
    hi = min(20_000.0, 0.45 * sample_rate) if f2_hz is None else float(f2_hz)
    lo = float(f1_hz)
    _check_frequency(lo, sample_rate)
    _check_frequency(hi, sample_rate)
    if not lo < hi:
        raise UsageError(f"a sweep goes up: f1 ({lo:g} Hz) must be below f2 ({hi:g} Hz)")
    n = _frame_count(duration_s, sample_rate)
    out = amplitude * np.sin(_sweep_phase(np.arange(n) / sample_rate, duration_s, lo, hi, logarithmic))
    fade = min(n // 4, int(0.005 * sample_rate))
    if fade > 1:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
        out[:fade] *= ramp
        out[n - fade:] *= ramp[::-1]
    return out


def _sweep_phase(t: FloatArray, duration_s: float, lo: float, hi: float, logarithmic: bool) -> FloatArray:
    """The phase of a ``lo``..``hi`` Hz sweep lasting ``duration_s``, at times ``t`` (seconds)."""
    if logarithmic:
        k = duration_s / math.log(hi / lo)
        return 2 * np.pi * lo * k * np.expm1(t / k)
    return 2 * np.pi * (lo * t + (hi - lo) * t * t / (2 * duration_s))


def sweep_at(t_frames: FloatArray, frames: int, sample_rate: int, *, amplitude: float = 0.5,
             logarithmic: bool = True) -> FloatArray:
    """``sweep``'s tone (20 Hz to 20 kHz or 45 % of the rate, no fades) lasting ``frames``, at
    fractional frame times ``t_frames``, 0 outside it: a delayed, drifted take is made from the
    formula itself, never through the resampler the analyser uses to measure it."""
    lo, hi = 20.0, min(20_000.0, 0.45 * sample_rate)
    y = amplitude * np.sin(_sweep_phase(t_frames / sample_rate, frames / sample_rate, lo, hi, logarithmic))
    return np.where((t_frames >= 0) & (t_frames <= frames - 1), y, 0.0)


def make_signal(
    kind: str,
    *,
    sample_rate: int = 48_000,
    duration_s: float = 1.0,
    frequencies_hz: ArrayLike | None = None,
    amplitude: float = DEFAULT_AMPLITUDE,
    seed: int = 0,
) -> FloatArray:
    """Build one of ``SIGNAL_KINDS`` by name (what ``soundcheck analyze signal`` calls)."""
    if not (0 < amplitude <= 1.0):
        raise UsageError(f"amplitude must be in (0, 1] (full scale is 1.0), got {amplitude}")
    freqs = None if frequencies_hz is None else np.atleast_1d(np.asarray(frequencies_hz, float))
    if kind == "sine":
        f = DEFAULT_TEST_FREQUENCY_HZ if freqs is None else float(freqs[0])
        return sine(f, duration_s, sample_rate, amplitude)
    if kind == "multitone":
        return multitone(freqs, duration_s, sample_rate, amplitude)
    if kind == "pulse":
        return pulse(duration_s, sample_rate, amplitude, seed=seed)
    if kind == "mls":
        return mls(duration_s, sample_rate, amplitude)
    if kind in ("linsweep", "logsweep"):
        lo, hi = (20.0, None) if freqs is None else (float(freqs[0]), float(freqs[1]) if freqs.size > 1 else None)
        return sweep(duration_s, sample_rate, amplitude, lo, hi, logarithmic=kind == "logsweep")
    raise UsageError(f"unknown signal kind {kind!r}; choose one of {', '.join(SIGNAL_KINDS)}")


# --------------------------------------------------------------------------------------------
# Synthetic impairments: how the analyser is tested against known answers
# --------------------------------------------------------------------------------------------


def drop_frames(x: ArrayLike, at: int, count: int) -> FloatArray:
    """``x`` with ``count`` frames removed starting at ``at`` (a capture overrun)."""
    a = np.asarray(x, dtype=np.float64)
    return np.concatenate((a[:at], a[at + count :]))


def insert_frames(x: ArrayLike, at: int, count: int, fill: Literal["repeat", "zeros"] = "repeat") -> FloatArray:
    """``x`` with ``count`` frames inserted before ``at``: a replay of the previous frames (a
    buffer played twice) or zeros (a playback underrun)."""
    a = np.asarray(x, dtype=np.float64)
    extra = a[at - count : at] if fill == "repeat" else np.zeros(count)
    return np.concatenate((a[:at], extra, a[at:]))


def add_pop(x: ArrayLike, at: int, width: int = 1, amplitude: float = 0.05) -> FloatArray:
    """``x`` with ``amplitude`` added to ``width`` samples from ``at`` (a click)."""
    a = np.array(x, dtype=np.float64)
    a[at : at + width] += amplitude
    return a


def mute_frames(x: ArrayLike, at: int, count: int) -> FloatArray:
    """``x`` with ``count`` frames from ``at`` replaced by silence (a lost buffer)."""
    a = np.array(x, dtype=np.float64)
    a[at : at + count] = 0.0
    return a


def field_tone(
    seconds: float,
    sample_rate: int = 48_000,
    *,
    frequency_hz: float = DEFAULT_TEST_FREQUENCY_HZ,
    amplitude: float = DEFAULT_AMPLITUDE,
    noise_rms: float = 0.0,
    harmonic2_db: float | None = None,
    clock_ppm: float = 0.0,
    agc_depth: float = 0.0,
    agc_hz: float = 0.2,
    dc: float = 0.0,
    seed: int = 0,
) -> FloatArray:
    """A test tone as a real converter records it: the impairments the analyser must see through.

    ``clock_ppm`` offsets the recording clock (the tone arrives at ``frequency_hz * (1 + ppm)``),
    ``harmonic2_db`` adds a 2nd harmonic that many dB re the tone, ``agc_depth`` swings the gain
    by that fraction at ``agc_hz`` (an AGC breathing), ``dc`` an offset, ``noise_rms`` white
    Gaussian noise. Seeded: the same arguments give the same take.
    """
    _check_frequency(frequency_hz, sample_rate)
    n = np.arange(_frame_count(seconds, sample_rate), dtype=np.float64)
    rng = np.random.default_rng(seed)
    cyc = frequency_hz * (1 + clock_ppm * 1e-6) / sample_rate
    phase0 = 2 * np.pi * rng.random()
    ph = 2 * np.pi * np.mod(n * cyc, 1.0) + phase0
    gain = amplitude * (1 + agc_depth * np.sin(2 * np.pi * agc_hz * n / sample_rate + 2 * np.pi * rng.random()))
    out: FloatArray = gain * np.sin(ph)
    if harmonic2_db is not None:
        out += gain * 10 ** (harmonic2_db / 20) * np.sin(2 * ph + 2 * np.pi * rng.random())
    if noise_rms:
        out += rng.standard_normal(n.size) * noise_rms
    return out + dc


def fractional_delay(x: ArrayLike, delay_frames: float, length: int | None = None) -> FloatArray:
    """``x`` delayed by a possibly fractional number of frames, band-limited (FFT phase shift).

    Zero-padded so nothing wraps around; the output has ``length`` frames (default: enough to
    hold the whole delayed signal).
    """
    a = np.asarray(x, dtype=np.float64)
    if length is None:
        length = a.size + int(math.ceil(delay_frames)) + 1
    n = sfft.next_fast_len(a.size + length + 64)
    spec = sfft.rfft(a, n)
    k = np.arange(spec.size)
    spec *= np.exp(-2j * np.pi * k * (delay_frames / n))
    if n % 2 == 0:
        spec[-1] = 0.0  # the Nyquist bin cannot carry a fractional shift of a real signal
    out: FloatArray = sfft.irfft(spec, n)[:length]
    return out


# --------------------------------------------------------------------------------------------
# WAV files
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WavAudio:
    """A decoded WAV file: ``samples`` is (frames, channels) float32 in [-1, 1]."""

    path: str
    sample_rate: int
    samples: NDArray[np.float32] = field(repr=False)
    stored_dtype: str  # numpy dtype scipy decoded ("int32" covers 24- and 32-bit PCM)

    @property
    def frames(self) -> int:
        return int(self.samples.shape[0])

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    def channel(self, index: int, option: str = "--channel") -> NDArray[np.float32]:
        """One channel (0 = first); a clear error naming ``option`` and the valid range otherwise."""
        if not 0 <= index < self.channels:
            raise UsageError(
                f"channel {index} is out of range: {self.path} has {self.channels} channel(s); "
                f"use {option} 0..{self.channels - 1}"
            )
        return np.ascontiguousarray(self.samples[:, index])


#: what a WAV header may say and still be analysed (anything else is refused before the data is read)
MAX_WAV_CHANNELS = 256
MAX_WAV_RATE = 1_536_000
_WAV_FORMATS = {1: "PCM", 3: "IEEE float", 0xFFFE: "extensible"}


@dataclass(frozen=True)
class WavHeader:
    """The ``fmt`` chunk of a RIFF/WAVE file and where its ``data`` chunk lies."""

    format_tag: int
    channels: int
    sample_rate: int
    bits: int
    block_align: int
    data_offset: int
    data_bytes: int
    #: the ``data`` chunk's length as the header gives it; None when it gives none (a streamed
    #: file's 0xFFFFFFFF, an RF64 file's placeholder)
    declared_bytes: int | None = None

    @property
    def frames(self) -> int:
        return self.data_bytes // self.block_align

    @property
    def declared_frames(self) -> int | None:
        """The frames the header promises (None: it promises no length)."""
        return None if self.declared_bytes is None else self.declared_bytes // self.block_align

    def cut_short(self, path: str | Path) -> dict[str, Any] | None:
        """``{"file", "header_frames", "frames"}`` when the file holds fewer frames than its header
        promises (a recording cut short: the writer died, a copy stopped), else None."""
        promised = self.declared_frames
        if promised is None or promised <= self.frames:
            return None
        return {"file": str(path), "header_frames": promised, "frames": self.frames,
                "missing_frames": promised - self.frames,
                "missing_s": round((promised - self.frames) / self.sample_rate, 6)}


def read_wav_header(path: str | Path) -> WavHeader:
    """Read and check a WAV file's header without reading its samples.

    The one place a WAV header is validated: a header with 0 channels (scipy divides by it), an
    absurd rate, or a block size that does not match channels x bits is a ``WavFileError`` naming
    the file and the field, before any sample is touched. A ``data`` chunk longer than the file is
    read as far as the file goes (a streamed file may declare 0xFFFFFFFF), its declared length kept
    in ``declared_bytes`` so that a recording cut short is said to be (``WavHeader.cut_short``).
    """
    p = Path(path)
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] not in (b"RIFF", b"RF64") or head[8:12] != b"WAVE":
                raise WavFileError(p, "not a readable WAV file (no RIFF/WAVE header); record or export it "
                                      "as 16/24/32-bit PCM or 32-bit float WAV")
            fmt: tuple[int, ...] | None = None
            pos = 12
            for _ in range(10_000):  # chunks before 'data'; a real file has a handful
                chunk = fh.read(8)
                if len(chunk) < 8:
                    break
                cid, clen = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                body_at = pos + 8
                if cid == b"fmt ":
                    if clen < 16:
                        raise WavFileError(p, f"'fmt ' chunk of {clen} bytes is too short (16 needed)")
                    fmt = struct.unpack("<HHIIHH", fh.read(16))
                elif cid == b"data":
                    if fmt is None:
                        raise WavFileError(p, "'data' chunk before the 'fmt ' chunk; the file is damaged")
                    data_bytes = min(clen, size - body_at)  # a streamed file may declare 0xFFFFFFFF
                    declared = None if clen == 0xFFFFFFFF or head[:4] == b"RF64" else clen
                    return _check_fmt(p, fmt, body_at, data_bytes, declared)
                pos = body_at + clen + (clen & 1)
                fh.seek(pos)
    except OSError as exc:
        raise WavFileError(p, f"cannot read: {exc.strerror or exc}") from None
    except struct.error:
        pass
    raise WavFileError(p, "no 'fmt ' and 'data' chunks: the file is truncated or not a WAV recording")


def _check_fmt(p: Path, fmt: tuple[int, ...], data_offset: int, data_bytes: int,
               declared_bytes: int | None = None) -> WavHeader:
    tag, channels, rate, _byte_rate, align, bits = fmt
    problems = []
    if tag not in _WAV_FORMATS:
        problems.append(f"format tag {tag} (not PCM or IEEE float)")
    if not 1 <= channels <= MAX_WAV_CHANNELS:
        problems.append(f"{channels} channels (1..{MAX_WAV_CHANNELS} supported)")
    if not 1 <= rate <= MAX_WAV_RATE:
        problems.append(f"sample rate {rate} Hz (1..{MAX_WAV_RATE} supported)")
    if bits not in (8, 16, 24, 32, 64):
        problems.append(f"{bits} bits per sample (8, 16, 24, 32 or 64 supported)")
    elif channels >= 1 and align != channels * (bits // 8):
        problems.append(f"block size {align} bytes does not match {channels} channel(s) x {bits} bits")
    if problems:
        raise WavFileError(p, "the WAV header is invalid: " + "; ".join(problems)
                              + "; the file is damaged or not a recording soundcheck can analyse")
    return WavHeader(tag, channels, rate, bits, align, data_offset, data_bytes, declared_bytes)


class WavStream:
    """A WAV file read a window at a time (memory bounded by the window, not the file).

    Samples are read from the ``data`` chunk one window at a time and converted to float32 in
    [-1, 1] one window at a time with the same scaling as ``read_wav``; every window is checked
    for non-finite and absurd float samples as it is read. PCM (8/16/24/32-bit) and IEEE float
    (32/64-bit) are streamed; anything else (WAVE_FORMAT_EXTENSIBLE) is decoded whole by
    ``read_wav`` (``open_wav`` decides).
    """

    def __init__(self, path: Path, header: WavHeader) -> None:
        self.path = str(path)
        self.header = header
        self.sample_rate = header.sample_rate
        self.frames = header.frames
        self.channels = header.channels
        self._width = header.bits // 8
        self._file = path

    def read(self, start: int, stop: int, channel: int, option: str = "--channel") -> NDArray[np.float32]:
        """Frames ``start:stop`` of ``channel`` as float32 (clipped to the file); a channel out of
        range is an error naming ``option`` (the CLI option that chose it)."""
        if not 0 <= channel < self.channels:
            raise UsageError(f"channel {channel} is out of range: {self.path} has {self.channels} channel(s); "
                             f"use {option} 0..{self.channels - 1}")
        start, stop = max(0, start), min(self.frames, stop)
        if stop <= start:
            return np.zeros(0, np.float32)
        h, w = self.header, self._width
        try:  # a plain read of the window (a memory map would keep every touched page resident)
            with open(self._file, "rb") as fh:
                fh.seek(h.data_offset + start * h.block_align)
                raw = np.frombuffer(fh.read((stop - start) * h.block_align), dtype=np.uint8)
        except OSError as exc:
            raise WavFileError(self.path, f"cannot read: {exc.strerror or exc}") from None
        n = raw.size // h.block_align
        frames = raw[: n * h.block_align].reshape(n, h.block_align)
        cell = np.ascontiguousarray(frames[:, channel * w: (channel + 1) * w])
        if h.bits == 8:
            return (cell[:, 0].astype(np.float32) - 128.0) / 128.0
        if h.bits == 24:
            ints = (cell[:, 0].astype(np.int32) | (cell[:, 1].astype(np.int32) << 8)
                    | (cell[:, 2].astype(np.int8).astype(np.int32) << 16))
            return (ints.astype(np.float64) / 2.0**23).astype(np.float32)
        if h.format_tag == 3:
            data = cell.view("<f4" if h.bits == 32 else "<f8")[:, 0]
            if not np.all(np.isfinite(data)):
                raise WavFileError(self.path, "contains NaN or infinite samples; the recording is corrupt")
            peak = float(np.max(np.abs(data))) if data.size else 0.0
            if peak > 1e6:  # finite, but no recording is a million times full scale
                raise WavFileError(self.path, f"samples reach {peak:.3g}, far beyond full scale (1.0); the file "
                                              "is not a normalised float recording (export it as PCM, or scale "
                                              "it to [-1, 1])")
            return data.astype(np.float32)
        if h.bits == 16:
            return cell.view("<i2")[:, 0].astype(np.float32) / np.float32(2**15)
        return (cell.view("<i4")[:, 0].astype(np.float64) / 2.0**31).astype(np.float32)


def _header_with_audio(p: Path) -> Any:
    """``read_wav_header(p)`` of an existing file that holds at least one frame (else a
    ``WavFileError`` saying what to do)."""
    if not p.exists():
        raise WavFileError(p, "no such file; check the path")
    if p.is_dir():
        raise WavFileError(p, "is a directory, not a WAV file")
    header = read_wav_header(p)
    if header.frames == 0:
        raise WavFileError(p, "contains no audio frames; record a longer take")
    return header


def open_wav(path: str | Path) -> "WavStream | WavAudio":
    """A ``WavStream`` of ``path`` when it can be streamed (plain PCM or float), else the whole
    file decoded by ``read_wav``. Both have ``path``, ``sample_rate``, ``frames``, ``channels``."""
    p = Path(path)
    header = _header_with_audio(p)
    if header.format_tag == 1 and header.bits in (8, 16, 24, 32) or header.format_tag == 3 and header.bits in (32, 64):
        return WavStream(p, header)
    return read_wav(p)


def read_frames(audio: "WavStream | WavAudio", start: int, stop: int, channel: int,
                option: str = "--channel") -> NDArray[np.float32]:
    """Frames ``start:stop`` of one channel, from a stream or a decoded file alike (``option``: the
    CLI option a channel out of range is blamed on)."""
    if isinstance(audio, WavStream):
        return audio.read(start, stop, channel, option)
    return audio.channel(channel, option)[max(0, start):max(0, stop)]


def read_wav(path: str | Path) -> WavAudio:
    """Read a mono or multichannel WAV (8/16/24/32-bit PCM, 32/64-bit float) as floats in [-1, 1].

    Integer PCM is scaled by 2**(bits-1): scipy hands 24-bit data back left-justified in int32,
    so dividing every int32 by 2**31 is right for both 24- and 32-bit files. Any problem with
    the file becomes a ``WavFileError`` that names the file and what to do about it; the header
    is checked first (``read_wav_header``).
    """
    p = Path(path)
    header = _header_with_audio(p)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", wavfile.WavFileWarning)  # unknown chunks are harmless
            rate, data = wavfile.read(p)
    except (ValueError, EOFError, struct.error, IndexError, TypeError, ZeroDivisionError, OverflowError) as exc:
        raise WavFileError(
            p, f"not a readable WAV file ({exc}); record or export it as 16/24/32-bit PCM or "
            "32-bit float WAV"
        ) from None
    except MemoryError:
        raise WavFileError(p, f"too large to load ({header.frames} frames x {header.channels} channels); "
                              "cut the recording into shorter takes") from None
    except OSError as exc:
        raise WavFileError(p, f"cannot read: {exc.strerror or exc}") from None
    if rate <= 0:
        raise WavFileError(p, f"header gives an impossible sample rate {rate}")
    kind = data.dtype
    if kind == np.uint8:
        out = (data.astype(np.float32) - 128.0) / 128.0
    elif kind == np.int16:
        out = data.astype(np.float32) / np.float32(2**15)
    elif kind == np.int32:
        out = (data.astype(np.float64) / 2.0**31).astype(np.float32)
    elif kind in (np.float32, np.float64):
        if not np.all(np.isfinite(data)):
            raise WavFileError(p, "contains NaN or infinite samples; the recording is corrupt")
        peak = float(np.max(np.abs(data))) if data.size else 0.0
        if peak > 1e6:  # finite, but no recording is a million times full scale
            raise WavFileError(p, f"samples reach {peak:.3g}, far beyond full scale (1.0); the file is not "
                                  "a normalised float recording (export it as PCM, or scale it to [-1, 1])")
        out = data.astype(np.float32)
    else:
        raise WavFileError(p, f"unsupported sample type {kind}; use 16/24/32-bit PCM or float")
    if out.ndim == 1:
        out = out[:, None]
    if out.shape[0] == 0:
        raise WavFileError(p, "contains no audio frames; record a longer take")
    return WavAudio(str(p), int(rate), out, str(kind))


def write_wav(
    path: str | Path,
    samples: ArrayLike,
    sample_rate: int,
    sample_format: str = "float32",
) -> Path:
    """Write (frames,) or (frames, channels) floats in [-1, 1] as a WAV of ``sample_format``.

    Integer formats use the same 2**(bits-1) scale as ``read_wav`` (so a round trip is exact to
    half a step) and clip at the largest positive code. 24-bit is packed by hand (via the
    ``wave`` module) because scipy cannot write it.
    """
    p = Path(path)
    data = np.asarray(samples, dtype=np.float64)
    if data.ndim == 1:
        data = data[:, None]
    if data.ndim != 2 or data.shape[1] < 1:
        raise UsageError(f"samples must be (frames,) or (frames, channels), got shape {data.shape}")
    if sample_format not in SAMPLE_FORMATS:
        raise UsageError(f"unknown sample format {sample_format!r}; choose one of {', '.join(SAMPLE_FORMATS)}")
    # encoded in memory, then written atomically beside the target and never through a link
    # (``RunFolder``): a full disk or a kill leaves the old file or none, never a torn WAV
    buf = io.BytesIO()
    if sample_format == "float32":
        wavfile.write(buf, int(sample_rate), data.astype(np.float32))
    elif sample_format == "int24":
        ints = np.clip(np.round(data * 2.0**23), -(2**23), 2**23 - 1).astype("<i4")
        packed = ints.reshape(-1).view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
        with wave.open(buf, "wb") as w:
            w.setnchannels(data.shape[1])
            w.setsampwidth(3)
            w.setframerate(int(sample_rate))
            w.writeframes(packed)
    else:
        bits = 16 if sample_format == "int16" else 32
        dtype = np.int16 if bits == 16 else np.int32
        full = 2.0 ** (bits - 1)
        ints = np.clip(np.round(data * full), -full, full - 1).astype(dtype)
        wavfile.write(buf, int(sample_rate), ints)
    folder = p.parent if str(p.parent) else Path(".")
    if not folder.is_dir():
        raise WavFileError(p, "cannot write: no such directory; check the directory exists and is writable")
    try:
        RunFolder(folder).write_bytes(p.name, buf.getvalue())
    except RunFolderError as exc:
        raise WavFileError(p, str(exc).removeprefix(f"{folder / p.name}: ")) from None
    return p


# --------------------------------------------------------------------------------------------
# Sine fitting primitives
# --------------------------------------------------------------------------------------------


def _as_mono(samples: ArrayLike, block_power: NDArray[np.float64] | None = None) -> NDArray[np.float32]:
    """``samples`` as one contiguous float32 channel, refused when a sample is not finite.

    ``block_power``: the mean square of each whole ``_POWER_BLOCK``-frame block of the channel
    (``analyze_glitches``). A sum of squares is finite exactly when every sample in it is (a
    square is never negative, so nothing cancels an infinity), so when they are all finite only
    the frames after the last whole block are read for the check."""
    x = np.asarray(samples)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise UsageError(f"analyse one channel at a time; got an array of shape {x.shape}")
    x = np.ascontiguousarray(x, dtype=np.float32)
    shown = 0
    if block_power is not None:
        if block_power.shape != (x.size // _POWER_BLOCK,):
            raise ValueError(f"block_power has shape {block_power.shape}; the {x.size} frames hold "
                             f"{x.size // _POWER_BLOCK} whole blocks of {_POWER_BLOCK}")
        if np.isfinite(block_power).all():
            shown = block_power.size * _POWER_BLOCK
    if not np.all(np.isfinite(x[shown:])):
        raise AnalysisError("the signal contains NaN or infinite samples")
    return x


#: the block ``analyze_glitches`` first measures the take's power in (``block_power``)
_POWER_BLOCK = 256


@dataclass(frozen=True)
class _BlockFit:
    """Per-block least-squares fit of dc + a*cos + b*sin."""

    z: NDArray[np.complex128]  # phasor against the global origin (|z| = magnitude)
    dc: FloatArray
    sumsq: FloatArray  # sum of x**2 in the block
    resid: FloatArray  # energy the fit leaves over


@counted_cache(maxsize=16)
def _templates(cycles_per_frame: float, block: int) -> tuple[FloatArray, FloatArray]:
    """The coarse block fit's columns (dc, cosine, sine) and the inverse of their Gram matrix,
    built once per tone and block length (read-only): the listening check asks for the same
    nominal tone at every stretch it analyses."""
    m = np.arange(block, dtype=np.float64)
    t = np.empty((block, 3))
    t[:, 0] = 1.0
    ph = 2 * np.pi * np.mod(m * cycles_per_frame, 1.0)
    t[:, 1] = np.cos(ph)
    t[:, 2] = np.sin(ph)
    ginv = np.linalg.inv(t.T @ t)
    t.flags.writeable = False
    ginv.flags.writeable = False
    return t, ginv


def _fit_blocks(x: NDArray[np.float32], start: int, nblocks: int, block: int, cycles_per_frame: float) -> _BlockFit:
    """Fit every block of ``x[start : start + nblocks*block]``; chunked so temporaries stay in cache."""
    t, ginv = _templates(cycles_per_frame, block)
    blocks = x[start : start + nblocks * block].reshape(nblocks, block)
    q = np.empty((nblocks, 3))
    sumsq = np.empty(nblocks)
    step = max(1, (1 << 16) // block)
    for i in range(0, nblocks, step):  # loop over chunks of ~64k samples, not over samples
        chunk = blocks[i : i + step].astype(np.float64)
        q[i : i + step] = chunk @ t
        sumsq[i : i + step] = np.einsum("ij,ij->i", chunk, chunk)
    coef = q @ ginv
    resid = np.maximum(sumsq - np.einsum("ij,ij->i", coef, q), 0.0)
    starts = start + block * np.arange(nblocks, dtype=np.int64)
    local = coef[:, 1] - 1j * coef[:, 2]  # x ~ Re{local * exp(j w m)} within the block
    z = local * np.conj(_unit_phasor(cycles_per_frame, starts))
    return _BlockFit(z=z, dc=coef[:, 0], sumsq=sumsq, resid=resid)


def _block_for(sample_rate: int, frequency_hz: float) -> int:
    """256 frames, or two periods for low tones so each fit sees enough of the waveform."""
    return max(256, int(math.ceil(2 * sample_rate / frequency_hz)))


@counted_cache(maxsize=8)
def _hann32(n: int) -> NDArray[np.float32]:
    """The Hann window of ``n`` frames, built once per length (a chunked analysis asks for the
    same 2**16 again and again, and building it costs as much as the FFT)."""
    w = np.hanning(n).astype(np.float32)
    w.flags.writeable = False
    return w


def _fft_peak(x: NDArray[np.float32], sample_rate: int, lo_hz: float, hi_hz: float) -> float:
    n = x.size
    spec = np.abs(sfft.rfft((x - x.mean()) * _hann32(n)))
    freqs = sfft.rfftfreq(n, 1.0 / sample_rate)
    band = np.flatnonzero((freqs >= lo_hz) & (freqs <= hi_hz))
    if band.size == 0:
        raise AnalysisError(f"no spectrum between {lo_hz:g} and {hi_hz:g} Hz to search for a tone")
    k = int(band[np.argmax(spec[band])])
    if 0 < k < spec.size - 1:  # parabolic refinement on log magnitude
        a, b, c = np.log(spec[k - 1 : k + 2] + 1e-30)
        denom = a - 2 * b + c
        delta = 0.5 * (a - c) / denom if denom < 0 else 0.0
    else:
        delta = 0.0
    return float((k + delta) * sample_rate / n)


def _refine_by_phase(fit: _BlockFit, block: int, usable: NDArray[np.bool_]) -> float:
    """Return the cycles-per-frame correction from the median phase advance between neighbours."""
    pair = usable[:-1] & usable[1:]
    if not np.any(pair):
        return 0.0
    adv = np.angle(fit.z[1:][pair] * np.conj(fit.z[:-1][pair]))
    return _median1(adv) / (2 * np.pi * block)


def estimate_frequency(samples: ArrayLike, sample_rate: int, hint_hz: float | None = None) -> float:
    """Frequency of the dominant tone in Hz, to well under a millihertz on a few seconds of sine.

    FFT peak (searched near ``hint_hz`` if given) plus parabolic interpolation gets within a
    fraction of a bin; the median phase advance between 256-frame block fits then refines it.
    Accuracy matters because the glitch detector treats any unexplained phase creep as damage.
    """
    x = _as_mono(samples)
    seg = x[: 1 << 18]
    if seg.size < 512:
        raise AnalysisError(f"{seg.size} frames are too few to estimate a frequency; need at least 512")
    if hint_hz is not None:
        _check_frequency(hint_hz, sample_rate)
        f = _fft_peak(seg[: 1 << 16], sample_rate, 0.97 * hint_hz, 1.03 * hint_hz)
    else:
        f = _fft_peak(seg[: 1 << 16], sample_rate, 10.0, 0.49 * sample_rate)
    block = _block_for(sample_rate, f)
    for _ in range(2):
        nb = seg.size // block
        if nb < 3:
            break
        fit = _fit_blocks(seg, 0, nb, block, f / sample_rate)
        mag = np.abs(fit.z)
        usable = mag > 0.5 * np.median(mag)
        f += _refine_by_phase(fit, block, usable) * sample_rate
    return float(f)


# --------------------------------------------------------------------------------------------
# Level, SNR, THD+N
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SineLevels:
    """Level and purity of a recorded sine. dBFS is 20*log10(value / 1.0 full scale)."""

    frequency_hz: float
    magnitude: float  # peak amplitude of the fundamental
    magnitude_dbfs: float
    rms: float  # RMS of everything
    rms_dbfs: float
    snr_db: float  # fundamental over noise, harmonics excluded
    thd_n_db: float  # everything but the fundamental, relative to it (negative is good)

    def to_dict(self) -> dict[str, Any]:
        return {k: _json_float(v) for k, v in self.__dict__.items()}


def _db(ratio: float) -> float:
    return float(10 * np.log10(max(ratio, 1e-30)))


def _json_float(v: float) -> float | None:
    """Seven significant digits (enough for a noise floor of 1e-7 and a latency of 48000.25)."""
    return None if v is None or not math.isfinite(v) else float(f"{float(v):.7g}")


def _spectral_levels(seg: NDArray[np.float32], sample_rate: int, frequency_hz: float) -> tuple[float, float, float]:
    """(magnitude, snr_db, thd_n_db) from one Blackman-Harris windowed FFT of a clean stretch."""
    n = seg.size
    w = sps.windows.blackmanharris(n, sym=False)
    spec = sfft.rfft((seg - seg.mean()) * w)
    power = np.abs(spec) ** 2
    half = 6  # Blackman-Harris main lobe is +-4 bins; a little more for leakage
    k0 = frequency_hz * n / sample_rate
    nbins = power.size

    def band(center: float) -> slice:
        c = int(round(center))
        return slice(max(c - half, half + 1), min(c + half + 1, nbins))

    usable = np.ones(nbins, dtype=bool)
    usable[: half + 1] = False  # DC
    fund_sl = band(k0)
    fund = float(power[fund_sl].sum())
    harm_mask = np.zeros(nbins, dtype=bool)
    for h in range(2, 11):
        if h * k0 + half < nbins:
            harm_mask[band(h * k0)] = True
    fund_mask = np.zeros(nbins, dtype=bool)
    fund_mask[fund_sl] = True
    harm_mask &= ~fund_mask
    noise_mask = usable & ~fund_mask & ~harm_mask
    noise_per_bin = float(power[noise_mask].mean()) if np.any(noise_mask) else 0.0
    # bins hidden under the fundamental and harmonics carry noise too: count it
    noise_total = noise_per_bin * float(np.count_nonzero(usable & ~fund_mask))
    harm = float(power[harm_mask].sum()) - noise_per_bin * float(np.count_nonzero(harm_mask))
    harm = max(harm, 0.0)
    magnitude = 2.0 * math.sqrt(fund / float(np.sum(w**2)) / n) if fund > 0 else 0.0
    return magnitude, _db(fund / max(noise_total, 1e-300)), _db((noise_total + harm) / max(fund, 1e-300))


def measure_sine(samples: ArrayLike, sample_rate: int, frequency_hz: float | None = None) -> SineLevels:
    """Level (RMS, dBFS), SNR and THD+N of a recorded sine (the middle 2**16 frames at most)."""
    x = _as_mono(samples)
    if x.size < 1024:
        raise AnalysisError(f"{x.size} frames are too few to measure a sine; need at least 1024")
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    if rms == 0.0:
        raise AnalysisError("the signal is silent (every sample is zero)")
    f = estimate_frequency(x, sample_rate, frequency_hz)
    n = min(x.size, 1 << 16)
    mid = (x.size - n) // 2
    mag, snr, thdn = _spectral_levels(x[mid : mid + n], sample_rate, f)
    return SineLevels(f, mag, 20 * math.log10(max(mag, 1e-15)), rms, 20 * math.log10(rms), snr, thdn)


# --------------------------------------------------------------------------------------------
# Glitch detection
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Glitch:
    """One glitch. Frames count from the start of the analysed signal; ``end_frame`` is exclusive.

    ``size`` is frames dropped/inserted for ``dropped``/``inserted``, frames of silence for
    ``mute``, frames held flat at the clipping level for ``clipped`` (whose ``peak_error`` is how
    far the tone's fundamental reaches past that level), and samples off the predicted sine for
    ``click``/``other``.
    """

    start_frame: int
    end_frame: int
    kind: GlitchKind
    size: int
    peak_error: float  # largest deviation from the predicted sine (full scale 1.0)
    phase_shift_frames: float  # timing jump across the glitch, +dropped / -inserted, mod a period
    level_change_db: float  # magnitude after vs before
    waveform_start_frame: int
    waveform: NDArray[np.float32] = field(repr=False, compare=False)

    def to_dict(self, include_waveform: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "start_frame": self.start_frame,
            "end_frame": self.end_frame,
            "kind": self.kind,
            "size": self.size,
            "peak_error": _json_float(self.peak_error),
            "phase_shift_frames": _json_float(self.phase_shift_frames),
            "level_change_db": _json_float(self.level_change_db),
        }
        if include_waveform:
            d["waveform_start_frame"] = self.waveform_start_frame
            d["waveform"] = [round(float(v), 7) for v in self.waveform]
        return d


@dataclass(frozen=True)
class GlitchReport:
    """What the glitch analyser found in one channel of a recorded test sine."""

    sample_rate: int
    frames: int
    frequency_hz: float
    magnitude: float
    magnitude_dbfs: float
    rms: float
    rms_dbfs: float
    snr_db: float
    thd_n_db: float
    noise_rms: float  # residual after the per-block fit: the floor the tolerance guards against
    tolerance: float  # a sample this far off the predicted sine is a glitch
    analysed_start_frame: int  # leading/trailing silence is not analysed
    analysed_end_frame: int
    glitches: list[Glitch]
    truncated: bool = False  # more glitches than max_glitches: only the first are listed

    @property
    def clean(self) -> bool:
        return not self.glitches

    def to_dict(self, include_waveforms: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            if k == "glitches":
                continue
            d[k] = _json_float(v) if isinstance(v, float) else v
        d["glitch_count"] = len(self.glitches)
        d["glitches"] = [g.to_dict(include_waveforms) for g in self.glitches]
        return d

    def to_json(self, include_waveforms: bool = False, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(include_waveforms), indent=indent)


_REF_WINDOW = 5  # good blocks each side that a block is predicted from


#: from this many numbers on, ``_median1`` selects the middle inside a bracket read off a sample
_BRACKET_MIN = 4096
#: the bracket's sample (about this many numbers, evenly spaced through the array) and how many of
#: the sample's ranks it reaches either side of the sample's middle: the middle's rank in a
#: random sample of 1024 wanders by ~16 (its standard deviation, sqrt(1024) / 2), so 64 ranks miss
#: about once in 10**4 arrays (then the whole array is partitioned: slower, the same number)
_BRACKET_SAMPLE = 1024
_BRACKET_REACH = 64


def _bracketed_middles(a: FloatArray | NDArray[np.float32], h: int) -> tuple[Any, Any] | None:
    """The numbers of rank ``h - 1`` and ``h`` of ``a`` (a 1-D float array of ``_BRACKET_MIN`` or
    more), selected among the few that lie between two numbers of a sample of ``a``, or None
    (the caller selects from the whole array) when ``a`` holds a NaN, when the middles do not
    both lie inside the bracket, or when either is a zero (whose sign only the whole array's
    partition picks as ``np.median`` does).

    Why: a partition of the whole array is the cost of a median of tens of thousands of numbers
    (the clipping search's noise, ``_edge_scale``'s residuals); counting the numbers below the
    bracket and copying the ones inside it are a few comparisons a number, and the partition
    then runs on ~10 % of them. Every number lies below, inside or above the bracket (no NaN), so
    the middles are the numbers of their ranks less the count below among those inside: the
    same numbers, not an estimate."""
    if np.isnan(a).any():
        return None
    n = a.size
    sample = np.sort(a[:: n // _BRACKET_SAMPLE])
    j = (h * sample.size) // n
    lo_p = sample[max(j - _BRACKET_REACH, 0)]
    hi_p = sample[min(j + _BRACKET_REACH, sample.size - 1)]
    below = int(np.count_nonzero(a < lo_p))
    inside = a[(a >= lo_p) & (a <= hi_p)]
    k = h - below  # the upper middle's rank among the numbers inside
    if k < 1 or k >= inside.size:
        return None
    part = np.partition(inside, k)
    lo, hi = part[:k].max(), part[k]
    if lo == 0 or hi == 0:
        return None
    return lo, hi


def _median1(a: FloatArray | NDArray[np.float32]) -> float:
    """``float(np.median(a))`` for a 1-D float64 or float32 array, number for number: the middle
    order statistic (odd count) or the mean of the two middle ones (even) as ``np.median``
    computes it after its partition: ``(lo + hi) / 2`` in float64; for float32 the sum in float32,
    halved in float64 and rounded to float32 (numpy's ``mean`` divides its float32 sum by an
    ``intp`` count); NaN if any is NaN. Without the dispatch of ``np.median`` (``_ureduce``, a
    mean, a NaN check: ~15 us a call, several calls per stretch the listening check analyses).
    Anything else goes to ``np.median`` itself."""
    n = a.size
    if n == 0 or a.ndim != 1 or (a.dtype != np.float64 and a.dtype != np.float32):
        return float(np.median(a))
    h = n // 2
    found = _bracketed_middles(a, h) if n >= _BRACKET_MIN else None
    if found is not None:
        lo, hi = found
        if n % 2:
            return float(hi)
    else:
        part = np.partition(a, h)
        if np.isnan(part[h:]).any():  # NaN sorts last: it may sit above the middle, or be the middle
            return math.nan
        if n % 2:
            return float(part[h])
        # The lower middle is the largest number below the upper one: one selection and a max
        # instead of ``np.partition(a, (h - 1, h))``'s two selections (~40 % less on the ~3 000-36
        # 000 residual squares ``_edge_scale`` takes the median of). A zero there may be either
        # zero, and the one taken gives the mean its sign: there, the two selections, which pick
        # as before.
        lo, hi = part[:h].max(), part[h]
    if lo == 0 or hi == 0:
        part = np.partition(a, (h - 1, h))
        lo, hi = part[h - 1], part[h]
    if a.dtype == np.float64:
        return (float(lo) + float(hi)) / 2
    return float(np.float32(float(lo + hi) / 2))


def _column_medians(a: FloatArray) -> FloatArray:
    """``np.median(a, axis=0)`` for a 2-D float64 array, number for number: one ``np.partition``
    along the rows, then the middle row (odd count) or ``(lo + hi) / 2`` of the two middle rows
    (even), which is what ``np.median``'s mean of those rows computes. A column holding a NaN (NaN
    sorts last, so it may sit below the middle) goes to ``np.median`` with the rest."""
    n = a.shape[0]
    if n == 0 or a.ndim != 2 or a.dtype != np.float64:
        return np.median(a, axis=0)
    h = n // 2
    if n % 2:
        part = np.partition(a, h, axis=0)
        out: FloatArray = part[h].copy()
    else:
        part = np.partition(a, (h - 1, h), axis=0)
        out = (part[h - 1] + part[h]) / 2
    if np.isnan(part[h:]).any():
        return np.median(a, axis=0)
    return out


def _percentile1(a: FloatArray, q: float) -> float:
    """``float(np.percentile(a, q))`` (linear method) for a 1-D float64 array, number for number:
    the virtual index ``(n - 1) * (q / 100)``, its two neighbouring order statistics and numpy's
    own interpolation (``a + (b - a) t`` below ``t = 0.5``, ``b - (b - a)(1 - t)`` from it); NaN if
    any is NaN. Anything else goes to ``np.percentile`` itself."""
    n = a.size
    if n == 0 or a.ndim != 1 or a.dtype != np.float64 or not 0 <= q <= 100:
        return float(np.percentile(a, q))
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:
        lo = hi = n - 1
    else:
        lo = math.floor(virtual)
        hi = lo + 1
    part = np.partition(a, (lo, hi) if hi != lo else lo)
    if np.isnan(part[lo:]).any():  # NaN sorts last
        return math.nan
    below, above = float(part[lo]), float(part[hi])
    t = virtual - lo
    diff = above - below
    return above - diff * (1 - t) if t >= 0.5 else below + diff * t


def _median5(p0: FloatArray, p1: FloatArray, p2: FloatArray, p3: FloatArray, p4: FloatArray) -> FloatArray:
    """The median of five arrays, element by element: a sorting network's compare-exchanges
    (Devillard's ``opt_med5``), keeping only the ones the middle value needs: nine ``minimum`` /
    ``maximum`` calls over whole arrays instead of one small partition per window (half the
    time on the analyser's ~250-block stretches). The result is one of the five inputs, the
    middle one, as ``np.partition`` picks it; equal numbers are the same number, except zeros
    of two signs, which the caller keeps out (and NaN, which the caller overwrites)."""
    mn, mx = np.minimum, np.maximum
    lo01, hi01 = mn(p0, p1), mx(p0, p1)
    lo34, hi34 = mn(p3, p4), mx(p3, p4)
    a3 = mx(lo01, lo34)
    a1 = mn(hi01, hi34)
    b1, b2 = mn(a1, p2), mx(a1, p2)
    return mx(b1, mn(b2, a3))


def _windows(a: Any, win: int) -> Any:
    """``sliding_window_view(a, win)`` of a 1-D array, read-only: the same memory seen through the
    same strides, so the same numbers. For a contiguous ``a`` the view is made directly (~2 us;
    numpy's own checks and its ``as_strided`` cost ~20-35 us a call, and a stretch the listening
    check analyses asks for about eleven); anything else goes to numpy's."""
    if a.ndim != 1 or not a.flags.c_contiguous or not 0 < win <= a.shape[0]:
        return np.lib.stride_tricks.sliding_window_view(a, win)
    step = a.strides[0]
    view = np.ndarray((a.shape[0] - win + 1, win), a.dtype, a, 0, (step, step))
    view.flags.writeable = False
    return view


def _window_medians(a: FloatArray, win: int) -> FloatArray:
    """``np.median(sliding_window_view(a, win), axis=1)`` for an odd ``win``: the median of an odd
    count is its middle element, which one ``np.partition`` finds for every window at once
    (``np.median`` partitions too, then averages that one element and checks for NaN per call:
    twice the cost on the analyser's ~1 500-block windows); for ``win`` 5 with no zero in ``a``,
    ``_median5`` over five shifted copies (half the partition's time again). A window holding a
    NaN is given NaN, as ``np.median`` gives it."""
    assert win % 2 == 1, win
    out = _window_middles(a, _windows(a, win), win)
    if np.isnan(out).any() or np.isnan(a).any():  # NaN sorts last: a window's NaN may hide
        out[_nan_windows(a, win)] = np.nan
    return out


def _window_middles(a: FloatArray, view: Any, win: int) -> FloatArray:
    """The middle element of each window of ``view`` (``_windows(a, win)``, ``win`` odd) as
    ``_window_medians`` picks it, before a window holding a NaN is given NaN."""
    if win == 5 and a.size >= 5 and a.all():
        return _median5(a[:-4], a[1:-3], a[2:-2], a[3:-1], a[4:])
    out: FloatArray = np.partition(view, win // 2, axis=1)[:, win // 2]
    return out


def _nan_windows(a: FloatArray, win: int) -> NDArray[np.bool_]:
    """``np.isnan(_windows(a, win)).any(axis=1)``: which windows of ``win`` numbers hold a NaN,
    from a running count of the NaNs of ``a`` (one pass over ``a`` instead of one over every
    window's ``win`` numbers: a tenth of the time on a long stretch's ~2 000 blocks)."""
    isnan = np.isnan(a)
    n = a.shape[0] - win + 1
    if not isnan.any():
        return np.zeros(max(n, 0), dtype=bool)
    count = np.concatenate(([0], np.cumsum(isnan, dtype=np.int64)))
    mask: NDArray[np.bool_] = count[win:] - count[:-win] > 0
    return mask


def _window_nanmedians(a: FloatArray, win: int) -> FloatArray:
    """``np.nanmedian(sliding_window_view(a, win), axis=1)`` (NaN where a window is all NaN)
    without ``nanmedian``, whose small-array path goes through masked arrays (~10x slower): the
    windows without NaN by ``_window_medians``'s middles, the few that hold one by sorting them
    (NaN sorts last) and taking the middle of their ``c`` numbers, ``(s[(c-1)//2] + s[c//2]) / 2``,
    as ``nanmedian`` does (an odd count's middle number twice, halved: the number itself)."""
    view = _windows(a, win)
    nan_rows = np.flatnonzero(_nan_windows(a, win))
    # the windows holding a NaN are all written below: ``_window_medians``'s NaN for them is not needed
    out = _window_middles(a, view, win) if win % 2 == 1 else np.median(view, axis=1)
    if nan_rows.size:
        rows = np.sort(view[nan_rows], axis=1)
        c = np.count_nonzero(~np.isnan(rows), axis=1)
        r = np.arange(nan_rows.size)
        lo, hi = rows[r, np.maximum(c - 1, 0) // 2], rows[r, c // 2]
        out[nan_rows] = np.where(c > 0, (lo + hi) / 2, np.nan)
    return out


def _sorted_unique(a: NDArray[np.int64]) -> NDArray[np.int64]:
    """``np.unique(a)`` of a 1-D array already in ascending order: each number that differs from
    the one before it (``np.unique`` sorts or hashes first: ~20-100 us of CPU on the 256 picks of
    a long stretch's fine pass, against ~2 us)."""
    if a.size == 0:
        return a.copy()
    return a[np.concatenate(([True], a[1:] != a[:-1]))]


def _runs(mask: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Start and (exclusive) end indices of the runs of True in ``mask``."""
    m = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(m[1:] != m[:-1])
    return edges[0::2], edges[1::2]


@with_one_blas_thread
def analyze_glitches(
    samples: ArrayLike,
    sample_rate: int,
    frequency_hz: float | None = None,
    *,
    relative_tolerance: float = 0.03,
    noise_factor: float = 8.0,
    context_ms: float = 5.0,
    max_glitches: int = 1000,
    measure_levels: bool = True,
    frequency_known: bool = False,
    fine: bool = True,
    clipping: bool = True,
    block_power: NDArray[np.float64] | None = None,
) -> GlitchReport:
    """Find every dropped, inserted, clicked, muted or clipped stretch in a recording of one steady sine.

    ``frequency_hz`` is the nominal test frequency (estimated when omitted); the true one is
    always measured, so a sample-clock offset is not a glitch. A sample is glitched when it
    misses the locally predicted sine by more than ``max(relative_tolerance * magnitude,
    noise_factor * noise_rms)``. See the module docstring for the method.
    ``measure_levels=False`` skips the SNR and THD+N measurement (NaN in the report): a third of
    the cost on a clean take, for callers that judge glitches only (``harness.audio_check``).
    ``frequency_known=True`` takes ``frequency_hz`` as the tone's frequency to start from instead of
    searching the spectrum for it (a simulated device plays exactly what it was told); the
    whole-take phase refinement still runs. Another ~40 % of the cost of a short take.
    ``clipping=False`` skips the search for flat-topped peaks (``_clipped_stretches``): a tone held
    at a level is otherwise one ``clipped`` glitch per stretch of clipped periods.
    ``block_power``: the mean square of each whole 256-frame block of ``samples`` (``einsum`` of
    the block with itself in float64, over 256), as the first step would compute it, from a
    caller that measured them already (the listening check, over its ring): that step and the
    check for samples that are not finite then read no frame of those blocks again.

    Raises ``AnalysisError`` when there is no steady sine to lock on to (silence, noise, a tone
    other than ``frequency_hz``).
    """
    x = _as_mono(samples, block_power)
    fs = int(sample_rate)
    if fs <= 0:
        raise UsageError(f"sample rate must be positive, got {sample_rate}")
    if x.size < 4096:
        raise AnalysisError(f"{x.size} frames are too short to analyse; record at least 4096 (~0.1 s)")
    peak = max(float(x.max()), -float(x.min()))  # == max |x| (x is finite), without a temporary |x|
    if peak < 1e-6:
        raise AnalysisError("the recording is silent; nothing reached the input (check routing and gain)")

    # 1. Where is the tone? Trim leading/trailing silence (latency, late start, early stop).
    coarse = _POWER_BLOCK
    nb0 = x.size // coarse
    if block_power is not None:
        ms = block_power
    else:
        head = x[: nb0 * coarse].reshape(nb0, coarse)
        ms = np.einsum("ij,ij->i", head, head, dtype=np.float64) / coarse
    loud = np.flatnonzero(ms > 0.25 * _percentile1(ms, 90))
    first = int(loud[0] + 1) * coarse
    last = int(loud[-1]) * coarse  # exclusive, drops the possibly partial final block
    if last - first < 2048:
        raise AnalysisError("the signal is present for too short a time to analyse (need ~0.05 s)")

    # 2. Lock on to the frequency.
    if frequency_known and frequency_hz is not None:
        _check_frequency(frequency_hz, fs)
        f = float(frequency_hz)
    else:
        f = estimate_frequency(x[first:last], fs, frequency_hz)
    if not 0 < f < fs / 2:
        raise AnalysisError("no steady tone found in the recording")
    block = _block_for(fs, f)
    nb = (last - first) // block
    if nb < 4 * _REF_WINDOW:
        raise AnalysisError(f"the tone lasts only {nb} blocks of {block} frames; record a longer take")

    # 3. Fit every block; refine the frequency over the whole take.
    cyc = f / fs
    fit = _fit_blocks(x, first, nb, block, cyc)
    mag = np.abs(fit.z)
    share = (mag**2 / 2) / np.maximum(fit.sumsq / block, 1e-30)  # of each block's power, the tone's
    dominant = share > 0.5
    if np.count_nonzero(dominant) < max(4 * _REF_WINDOW, nb // 4):
        where = f" at {frequency_hz:g} Hz" if frequency_hz else ""
        strongest = _fft_peak(x[first : first + min(last - first, 1 << 16)], fs, 10.0, 0.49 * fs)
        raise AnalysisError(
            f"no steady sine found{where}: a tone carries {100 * float(np.median(share)):.0f}% of the "
            f"power (the strongest component is near {strongest:.1f} Hz); record a single steady "
            "test tone" + (" or fix --frequency" if frequency_hz else "")
        )
    # Judge level and noise only where the tone dominates, so a damaged stretch cannot inflate
    # the tolerance and hide itself.
    typical = _median1(mag[dominant])
    # Fade-ins, fade-outs and silence are how test tones start and stop, not glitches: trim
    # edge blocks that are near-silent or whose tone is still rising (falling) towards the level
    # of the blocks after (before) them. Noise or garbage at an edge is not trimmed.
    i0, i1 = _steady_span(mag, share, fit.sumsq / block, typical, relative_tolerance * typical / 2)
    if i1 - i0 < 4 * _REF_WINDOW:
        raise AnalysisError(f"the tone is steady for only {max(i1 - i0, 0)} blocks of {block} frames; record a longer take")
    if (i0, i1) != (0, nb):
        fit = _BlockFit(z=fit.z[i0:i1], dc=fit.dc[i0:i1], sumsq=fit.sumsq[i0:i1], resid=fit.resid[i0:i1])
        mag, dominant = mag[i0:i1], dominant[i0:i1]
        first += i0 * block
        nb = i1 - i0
    level_ok = (mag > 0.5 * typical) & (mag < 2.0 * typical)
    dcyc = _refine_by_phase(fit, block, level_ok)
    starts = first + block * np.arange(nb, dtype=np.int64)
    if dcyc:
        cyc += dcyc
        centre = starts.astype(np.float64) + (block - 1) / 2
        z = fit.z * np.exp(-2j * np.pi * np.mod(centre * dcyc, 1.0))
        fit = _BlockFit(z=z, dc=fit.dc, sumsq=fit.sumsq, resid=fit.resid)
    f = cyc * fs
    period = 1.0 / cyc

    # 4. Noise floor and tolerance; which blocks are clean enough to predict from.
    dof = block - 3
    clean_resid = fit.resid[dominant & level_ok]
    e_med = _median1(clean_resid)
    e_spread = 1.4826 * _median1(np.abs(clean_resid - e_med))
    noise_rms = math.sqrt(e_med / dof)
    tol = max(relative_tolerance * typical, noise_factor * noise_rms)
    bad_energy = fit.resid > e_med + max(6 * e_spread, tol**2 / 4)
    good = ~bad_energy & level_ok
    gi = np.flatnonzero(good)
    if gi.size < 2 * _REF_WINDOW:
        raise AnalysisError(
            "could not lock on: almost every block deviates from a steady sine (is the signal a "
            "single tone? is it clipping?)"
        )

    # 5. Predict each block from the good blocks before it and after it.
    win = _REF_WINDOW
    med_z = _window_medians(fit.z.real[gi], win) + 1j * _window_medians(fit.z.imag[gi], win)
    med_dc = _window_medians(fit.dc[gi], win)
    k = np.arange(nb)
    row_l = np.clip(np.searchsorted(gi, k, "left") - win, 0, med_z.size - 1)
    row_r = np.clip(np.searchsorted(gi, k, "right"), 0, med_z.size - 1)
    z_l, z_r = med_z[row_l], med_z[row_r]
    dc_l, dc_r = med_dc[row_l], med_dc[row_r]
    jump = (np.abs(z_r - z_l) > tol) | (np.abs(dc_r - dc_l) > tol)
    off = (np.abs(fit.z - z_l) > tol / 2) & (np.abs(fit.z - z_r) > tol / 2)
    candidates = np.flatnonzero(~good | jump | off)

    # 6. Sample-level check of candidate blocks only.
    m = np.arange(block, dtype=np.float64)
    wave_m = np.exp(2j * np.pi * np.mod(m * cyc, 1.0))
    flagged_pos: list[NDArray[np.int64]] = []
    flagged_err: list[NDArray[np.float32]] = []
    blocks = x[first : first + nb * block].reshape(nb, block)
    for i in range(0, candidates.size, 4096):  # chunks bound memory on badly damaged takes
        idx = candidates[i : i + 4096]
        rot = _unit_phasor(cyc, starts[idx])
        xb = blocks[idx]
        err_l = np.abs(xb - (dc_l[idx, None] + np.real((z_l[idx] * rot)[:, None] * wave_m)))
        err_r = np.abs(xb - (dc_r[idx, None] + np.real((z_r[idx] * rot)[:, None] * wave_m)))
        err = np.minimum(err_l, err_r)
        rows, cols = np.nonzero(err > tol)
        flagged_pos.append(starts[idx[rows]] + cols)
        flagged_err.append(err[rows, cols].astype(np.float32))
    pos = np.concatenate(flagged_pos) if flagged_pos else np.zeros(0, np.int64)
    perr = np.concatenate(flagged_err) if flagged_err else np.zeros(0, np.float32)

    # 7. Intervals: runs of flagged samples (a clean period ends one) and located phase jumps.
    gap = int(math.ceil(period))
    iv_start: list[NDArray[np.int64]] = []
    iv_end: list[NDArray[np.int64]] = []
    iv_peak: list[NDArray[np.float64]] = []
    iv_count: list[NDArray[np.int64]] = []
    if pos.size:
        brk = np.flatnonzero(np.diff(pos) > gap) + 1
        heads = np.concatenate(([0], brk))
        tails = np.concatenate((brk, [pos.size])) - 1
        iv_start.append(pos[heads])
        iv_end.append(pos[tails] + 1)
        iv_peak.append(np.maximum.reduceat(perr, heads).astype(np.float64))
        iv_count.append(np.diff(np.concatenate((heads, [pos.size]))))
    j_start, j_end = _runs(jump)
    if j_start.size:
        splits = np.array(
            [
                _locate_jump(x, int(starts[a]), int(starts[b - 1]) + block, z_l[a], dc_l[a], z_r[b - 1], dc_r[b - 1], cyc)
                for a, b in zip(j_start[:max_glitches * 2], j_end[:max_glitches * 2], strict=True)
            ],
            dtype=np.int64,
        )
        iv_start.append(splits)
        iv_end.append(splits + 1)
        iv_peak.append(np.abs(z_r[j_end[: splits.size] - 1] - z_l[j_start[: splits.size]]))
        iv_count.append(np.zeros(splits.size, dtype=np.int64))

    glitches: list[Glitch] = []
    truncated = False
    if iv_start:
        s_all = np.concatenate(iv_start)
        order = np.argsort(s_all, kind="stable")
        s_all = s_all[order]
        e_all = np.concatenate(iv_end)[order]
        p_all = np.concatenate(iv_peak)[order]
        c_all = np.concatenate(iv_count)[order]
        reach = np.maximum.accumulate(e_all)
        new = np.concatenate(([True], s_all[1:] > reach[:-1] + gap))
        heads = np.flatnonzero(new)
        ev_s = s_all[heads]
        ev_e = np.maximum.reduceat(e_all, heads)
        ev_p = np.maximum.reduceat(p_all, heads)
        ev_c = np.add.reduceat(c_all, heads)
        if ev_s.size > max_glitches:
            truncated = True
        ctx = int(round(context_ms * 1e-3 * fs))
        for s, e, pk, cnt in zip(ev_s[:max_glitches], ev_e[:max_glitches], ev_p[:max_glitches], ev_c[:max_glitches], strict=True):
            glitches.append(
                _classify(x, int(s), int(e), float(pk), int(cnt), first, block, z_l, z_r, dc_l, cyc, tol, fs, ctx,
                          noise_rms)
            )

    # 7b. Below the tolerance: the harmonic model's residual and the fundamental's phase track.
    if fine and len(glitches) < max_glitches:
        busy = [(g.start_frame, g.end_frame) for g in glitches]
        events = _fine_events(x, first, nb, block, cyc, typical, busy)
        if events:
            ctx = int(round(context_ms * 1e-3 * fs))
            glitches = sorted(glitches + _fine_glitches(x, events, block, cyc, fs, ctx), key=lambda g: g.start_frame)
            if len(glitches) > max_glitches:
                truncated = True
                glitches = glitches[:max_glitches]

    # 7c. Clipping: the tone's peaks held flat at one level, which no fit of a sine (nor its
    # harmonics to the 5th, in the fine pass) calls a glitch, as the distortion is the same in
    # every block and so is taken for the take's noise floor.
    if clipping and len(glitches) < max_glitches:
        # ``_median1``: ``float(np.median(...))`` number for number, without its dispatch
        clipped = _clipped_stretches(x, first, nb, block, cyc, typical, _median1(fit.dc), fs,
                                     int(round(context_ms * 1e-3 * fs)))
        if clipped:
            glitches = sorted(glitches + clipped, key=lambda g: g.start_frame)
            if len(glitches) > max_glitches:
                truncated = True
                glitches = glitches[:max_glitches]

    # 8. Level, SNR and THD+N on the longest glitch-free stretch.
    rms = math.sqrt(float(np.sum(fit.sumsq)) / (nb * block))
    bounds = np.array([first] + [v for g in glitches for v in (g.start_frame - gap, g.end_frame + gap)] + [first + nb * block])
    lengths = bounds[1::2] - bounds[0::2]
    best = int(np.argmax(lengths))
    lo, hi = int(bounds[2 * best]), int(bounds[2 * best + 1])
    n_seg = min(hi - lo, 1 << 16)
    if not measure_levels:
        snr = thdn = math.nan
    elif n_seg >= 2048:
        _, snr, thdn = _spectral_levels(x[lo : lo + n_seg], fs, f)
    else:  # too damaged for a clean FFT: fall back to the block fits (noise and distortion together)
        thdn = _db(noise_rms**2 / (typical**2 / 2))
        snr = -thdn
    return GlitchReport(
        sample_rate=fs,
        frames=int(x.size),
        frequency_hz=f,
        magnitude=typical,
        magnitude_dbfs=20 * math.log10(typical),
        rms=rms,
        rms_dbfs=20 * math.log10(max(rms, 1e-15)),
        snr_db=snr,
        thd_n_db=thdn,
        noise_rms=noise_rms,
        tolerance=tol,
        analysed_start_frame=first,
        analysed_end_frame=first + nb * block,
        glitches=glitches,
        truncated=truncated,
    )


#: ``analyze_glitches_stream``: a recording longer than this is analysed in windows of this length
GLITCH_WINDOW_S = 60.0
#: each window also reads this much of its neighbours, so a glitch at a boundary is seen inside both
GLITCH_OVERLAP_S = 5.0


@with_one_blas_thread
def analyze_glitches_stream(
    audio: "WavStream | WavAudio",
    channel: int = 0,
    frequency_hz: float | None = None,
    *,
    relative_tolerance: float = 0.03,
    max_glitches: int = 1000,
    window_s: float = GLITCH_WINDOW_S,
    overlap_s: float = GLITCH_OVERLAP_S,
) -> GlitchReport:
    """``analyze_glitches`` on one channel of a (long) WAV, memory bounded by ``window_s``.

    A recording up to 1.5 windows long is analysed whole (exactly ``analyze_glitches``). A longer
    one is cut into ``window_s`` windows, each analysed with ``overlap_s`` of its neighbours on
    both sides (the analyser trims a take's edges and predicts each block from both sides), and a
    glitch belongs to the window its start falls in; a ``clipped`` stretch is kept in every window
    it reaches, each its own part, and the parts joined into one glitch. A window with no tone to lock on to is
    reported as one glitch over the whole window (``mute`` when silent, ``other`` otherwise),
    never skipped. Limitation: a mute longer than ``overlap_s / 2`` that straddles a window
    boundary is reported from the side where it is not at the edge, and may be reported shorter.
    """
    fs = int(audio.sample_rate)
    total = int(audio.frames)
    win = int(window_s * fs)
    if total <= 1.5 * win:
        return analyze_glitches(read_frames(audio, 0, total, channel), fs, frequency_hz,
                                relative_tolerance=relative_tolerance, max_glitches=max_glitches)
    over = int(overlap_s * fs)
    bounds = list(range(0, total, win))
    if total - bounds[-1] < win // 2:  # a short tail joins the window before it
        bounds.pop()
    bounds.append(total)
    reports: list[tuple[int, GlitchReport]] = []
    glitches: list[Glitch] = []
    hint = frequency_hz
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        lo, hi = max(0, a - over), min(total, b + over)
        x = read_frames(audio, lo, hi, channel)
        try:
            rep = analyze_glitches(x, fs, hint, relative_tolerance=relative_tolerance, max_glitches=max_glitches)
        except AnalysisError:
            if not reports and hint is None and a == 0:
                raise  # nothing to lock on to at the very start: the recording's own problem
            silent = float(np.percentile(np.abs(x[a - lo: b - lo]), 90)) < 1e-4 if b > a else True
            glitches.append(Glitch(a, b, "mute" if silent else "other", b - a, 0.0, 0.0, 0.0, a,
                                   np.zeros(0, np.float32)))
            continue
        hint = hint or rep.frequency_hz
        reports.append((lo, rep))
        # the analyser trims a take's quiet or fading edges; inside the recording a window's edge
        # is no take edge, so whatever it trimmed there is reported, not dropped
        quiet = 0.01 * rep.magnitude
        spans = []
        if a > 0 and rep.analysed_start_frame + lo > a + 2 * _block_for(fs, rep.frequency_hz):
            spans.append((a, min(b, rep.analysed_start_frame + lo)))
        if b < total and rep.analysed_end_frame + lo < b - 2 * _block_for(fs, rep.frequency_hz):
            spans.append((max(a, rep.analysed_end_frame + lo), b))
        for s0, s1 in spans:
            silent = float(np.percentile(np.abs(x[s0 - lo: s1 - lo]), 90)) < quiet  # mostly silence
            glitches.append(Glitch(s0, s1, "mute" if silent else "other", s1 - s0, 0.0, 0.0, 0.0, s0,
                                   np.zeros(0, np.float32)))
        for g in rep.glitches:
            start, end = g.start_frame + lo, g.end_frame + lo
            if g.kind == "clipped" and start < b and end > a:
                # a clipped stretch is one glitch however many windows it spans: each window keeps
                # the part in its own span (its flat frames prorated), joined to the window
                # before's by ``_merge_edge_glitches``
                s0, s1 = max(start, a), min(end, b)
                glitches.append(dataclasses.replace(
                    g, start_frame=s0, end_frame=s1, size=int(round(g.size * (s1 - s0) / max(end - start, 1))),
                    waveform_start_frame=g.waveform_start_frame + lo,
                    waveform=g.waveform if start >= a else np.zeros(0, np.float32)))
            elif a <= start < b:
                glitches.append(dataclasses.replace(g, start_frame=start, end_frame=end,
                                                    waveform_start_frame=g.waveform_start_frame + lo))
    if not reports:
        raise AnalysisError("no steady sine found in any window of the recording")
    glitches = _merge_edge_glitches(sorted(glitches, key=lambda g: g.start_frame))
    med = lambda key: float(np.median([getattr(r, key) for _, r in reports]))  # noqa: E731
    span = sum(r.analysed_end_frame - r.analysed_start_frame for _, r in reports)
    rms = math.sqrt(sum(r.rms**2 * (r.analysed_end_frame - r.analysed_start_frame) for _, r in reports) / span)
    first_lo, first = reports[0]
    last_lo, last = reports[-1]
    return GlitchReport(
        sample_rate=fs, frames=total, frequency_hz=med("frequency_hz"), magnitude=med("magnitude"),
        magnitude_dbfs=med("magnitude_dbfs"), rms=rms, rms_dbfs=20 * math.log10(max(rms, 1e-15)),
        snr_db=med("snr_db"), thd_n_db=med("thd_n_db"), noise_rms=med("noise_rms"), tolerance=med("tolerance"),
        analysed_start_frame=first.analysed_start_frame + first_lo,
        analysed_end_frame=last.analysed_end_frame + last_lo,
        glitches=glitches[:max_glitches],
        truncated=len(glitches) > max_glitches or any(r.truncated for _, r in reports),
    )


def _merge_edge_glitches(glitches: list[Glitch]) -> list[Glitch]:
    """Join touching window-edge glitches of one kind (a mute across a boundary is one mute; a
    clipped stretch's parts, cut at the windows' edges, are one clipped glitch, its flat frames
    summed: two stretches of one window lie more than ``_CLIP_GAP`` periods apart, never touching)."""
    out: list[Glitch] = []
    clipped: int | None = None  # where in ``out`` the latest clipped glitch is (other kinds lie inside it)
    for g in glitches:
        prev = out[-1] if out else None
        if prev is not None and prev.kind == g.kind and g.kind in ("mute", "other") and not prev.waveform.size \
                and not g.waveform.size and g.start_frame <= prev.end_frame:
            end = max(prev.end_frame, g.end_frame)
            out[-1] = dataclasses.replace(prev, end_frame=end, size=end - prev.start_frame)
        elif g.kind == "clipped" and clipped is not None and not g.waveform.size \
                and g.start_frame <= out[clipped].end_frame:
            c = out[clipped]
            out[clipped] = dataclasses.replace(c, end_frame=max(c.end_frame, g.end_frame), size=c.size + g.size,
                                               peak_error=max(c.peak_error, g.peak_error))
        else:
            if g.kind == "clipped":
                clipped = len(out)
            out.append(g)
    return out


def _steady_span(
    mag: FloatArray, share: FloatArray, power: FloatArray, typical: float, step: float
) -> tuple[int, int]:
    """First and one-past-last block of the steady tone (see the trimming note in the caller)."""
    win = _REF_WINDOW
    padded = np.concatenate((np.full(win, np.nan), mag, np.full(win, np.nan)))
    medians = _window_nanmedians(padded, win)  # NaN only in the windows at the very ends
    after = medians[win + 1 : win + 1 + mag.size]
    before = medians[: mag.size]
    quiet = power < 0.01 * typical**2 / 2
    toneish = share > 0.3
    lead = quiet | (toneish & (mag < after - step))
    trail = quiet | (toneish & (mag < before - step))
    keep_lead = np.flatnonzero(~lead)
    keep_trail = np.flatnonzero(~trail)
    if keep_lead.size == 0 or keep_trail.size == 0:
        return 0, 0
    # one more block each side: a fade can begin part-way into the last block that looks steady
    lo = int(keep_lead[0]) + (1 if keep_lead[0] > 0 else 0)
    hi = int(keep_trail[-1]) + (0 if keep_trail[-1] < mag.size - 1 else 1)
    # A slow fade (a 1 s raised cosine) changes the level by less than ``step`` over a window
    # at its quiet end, so the test above keeps that part of it: the blocks there were predicted
    # from a window whose level lagged theirs, 0.017 off on a 0.5 tone against a tolerance of
    # 0.015, a false 'other' in 5 of 8 clean takes. Where an edge was trimmed as a fade, the
    # blocks still rising towards (falling from) the window beside them are the fade's as well
    # (by an eighth of ``step``: a steady tone's level wanders less than that under -60 dBFS of
    # noise, so its first and last blocks stay)
    if lo > 0:
        while lo < hi - 1 and mag[lo] < after[lo] - step / 8:
            lo += 1
    if hi < mag.size:
        while hi > lo + 1 and mag[hi - 1] < before[hi - 1] - step / 8:
            hi -= 1
    return lo, hi


def _predict(n0: int, n1: int, z: complex, dc: float, cyc: float) -> FloatArray:
    out: FloatArray = dc + np.real(z * _unit_phasor(cyc, np.arange(n0, n1, dtype=np.int64)))
    return out


def _locate_jump(
    x: NDArray[np.float32], n0: int, n1: int, z_pre: complex, dc_pre: float, z_post: complex, dc_post: float, cyc: float
) -> int:
    """The frame in [n0, n1) where the sine switches from the ``pre`` to the ``post`` phasor.

    Least squares: minimise the error of "pre before the split, post after it" over all splits,
    which two cumulative sums evaluate at once.
    """
    seg = x[n0:n1].astype(np.float64)
    c_pre = np.concatenate(([0.0], np.cumsum((seg - _predict(n0, n1, z_pre, dc_pre, cyc)) ** 2)))
    c_post = np.concatenate(([0.0], np.cumsum((seg - _predict(n0, n1, z_post, dc_post, cyc)) ** 2)))
    cost = c_pre + (c_post[-1] - c_post)
    return n0 + int(np.argmin(cost))


def _classify(
    x: NDArray[np.float32],
    s: int,
    e: int,
    peak: float,
    count: int,
    first: int,
    block: int,
    z_l: NDArray[np.complex128],
    z_r: NDArray[np.complex128],
    dc_l: FloatArray,
    cyc: float,
    tol: float,
    fs: int,
    ctx: int,
    noise_rms: float = 0.0,
) -> Glitch:
    """Name one glitch from what the sine did across it and what lies inside it."""
    period = 1.0 / cyc
    nb = z_l.size
    b0 = min(max((s - first) // block, 0), nb - 1)
    b1 = min(max((e - 1 - first) // block, 0), nb - 1)
    pre, post = complex(z_l[b0]), complex(z_r[b1])
    shift = float(np.angle(post * np.conj(pre))) / (2 * np.pi * cyc)  # frames, in (-P/2, P/2]
    level_db = 20 * math.log10(max(abs(post), 1e-15) / max(abs(pre), 1e-15))
    jumped = abs(post - pre) > tol
    seg = x[s:e]
    quiet = np.abs(seg - dc_l[b0]) < tol
    qs, qe = _runs(quiet)
    longest_quiet = int(np.max(qe - qs)) if qs.size else 0
    # Silence shorter than a period: frames where the recording holds at the DC (within the
    # noise) while the sine before the glitch would have been well away from it. On a low tone
    # (a period of 2000-4000 frames) a mute of a few ms is such a run and nothing else, and its
    # quiet run by the tolerance test above also takes in the sine's own zero crossing.
    pred = np.real(pre * _unit_phasor(cyc, np.arange(s, e, dtype=np.int64)))
    held = np.abs(seg - dc_l[b0]) < np.maximum(4.0 * noise_rms, 0.1 * np.abs(pred))
    hs, he = _runs(held)
    silent, missing = 0, 0
    if hs.size:
        # the run that hides the most of the sine's excursion over the tolerance
        cover = np.array([np.count_nonzero(np.abs(pred[a:b]) > tol) for a, b in zip(hs, he, strict=True)])
        best = int(np.argmax(cover))
        silent, missing = int(he[best] - hs[best]), int(cover[best])
        silent_at = s + int(hs[best])
    kind: GlitchKind
    if longest_quiet >= max(period, 1e-3 * fs):
        kind, size = "mute", longest_quiet
    elif jumped and abs(shift) >= 0.5 and abs(level_db) < 1.0:
        kind = "dropped" if shift > 0 else "inserted"
        size = int(round(abs(shift)))
    elif missing >= 2 and missing >= count // 2 and abs(level_db) < 1.0:
        # the sine after the run is where it would be had it kept going (a mute), or late by
        # the run's length (an inserted silence; below the tolerance's phase jump on a low tone)
        late = -shift
        if silent >= 2 and abs(late - silent) <= max(1.5, 0.25 * silent):
            kind, size = "inserted", silent
        else:
            kind, size = "mute", silent
        s = silent_at
    elif missing == 1 and silent == 1 and count <= 2 and abs(level_db) < 1.0 and abs(-shift - 1.0) <= 0.25:
        # one frame at the DC: a pop that cancels the sine there leaves it where it was, an
        # inserted zero frame leaves it a frame late (-1.00 vs 0.00 frames read on 40-100 Hz
        # tones at 96-192 kHz, where a frame's phase jump is far below the tolerance)
        kind, size = "inserted", 1
        s = silent_at
    elif not jumped and e - s < period:
        kind, size = "click", max(count, 1)
    else:
        kind, size = "other", count if count else e - s
    w0, w1 = max(0, s - ctx), min(x.size, e + ctx)
    return Glitch(
        start_frame=s,
        end_frame=e,
        kind=kind,
        size=int(size),
        peak_error=peak,
        phase_shift_frames=shift,
        level_change_db=level_db,
        waveform_start_frame=w0,
        waveform=x[w0:w1].copy(),
    )


#: a flat run at a peak is clipping when it is this many times longer than the widest run a clean
#: sine of the take's magnitude holds within the same band of its peak (under noise, quantisation
#: and sampling: 0.6-1.3 of that width measured on clean tones at 44.1-96 kHz, 100-5000 Hz,
#: -100 to -40 dBFS of noise, float and int16: ``bench/bench_clipping.py``)
_CLIP_RUN_FACTOR = 2.0
#: and at least this many frames (a clean sine sampled symmetrically about its peak holds two)
_CLIP_RUN_MIN = 3
#: flat peaks that make a stretch of clipping, each within ``_CLIP_GAP`` periods of the one
#: before: a clipped steady tone is clipped at every peak (or, clipped by less than a sampling
#: step's curve, at most of them); one long run that noise made is not clipping
_CLIP_PEAKS = 4
_CLIP_GAP = 4.0


#: frames of a take ``_quantum`` tries each grid on before the whole take
_QUANTUM_HEAD = 1024


def _quantum(x: NDArray[np.floating]) -> float:
    """The step of the integer grid ``x`` lies on (8-, 16- or 24-bit PCM scaled by 2**(bits-1)),
    or 0.0 when it lies on none (float data: its rounding is relative). A low tone in 16 bits
    holds each code for several frames at its peak, so the clean width a flat run is judged
    against includes this step; the reference comparison's noise floor reads it too."""
    # silence lies on every grid and says nothing; a head of 16 nonzero frames tells it without
    # counting the whole take
    if not (x.ndim == 1 and np.count_nonzero(x[:_QUANTUM_HEAD]) >= 16) and np.count_nonzero(x) < 16:
        return 0.0
    # Each grid is tried on the first ``_QUANTUM_HEAD`` frames first: their nonzero values are
    # some of the take's, scaled alike, so a head off a grid rules the whole take off it, and
    # float data (the simulated device's, a DSP chain's) is off every grid within a few values.
    # The whole take is read only for a grid its head lies on: the answer is the same.
    head = x[:_QUANTUM_HEAD] if x.ndim == 1 else x[:0]
    head = head[head != 0]
    nz: NDArray[np.floating] | None = None
    for bits in (8, 16, 24):
        scale = float(2 ** (bits - 1))
        if head.size:
            h_scaled = head * scale
            if not np.array_equal(h_scaled, np.round(h_scaled)):
                continue
        if nz is None:
            nz = x[x != 0]
        scaled = nz * scale
        if np.array_equal(scaled, np.round(scaled)):
            return float(2.0 ** (1 - bits))
    return 0.0


#: steps of one float32 number a block's bound may take from where the arithmetic puts it
_BOUND_STEPS = 8


def _extreme_bounds(blocks32: NDArray[np.float32], ends: NDArray[np.float32], extreme: FloatArray, dc: float,
                    eps: float, top: bool) -> tuple[NDArray[np.float32], NDArray[np.bool_]] | None:
    """Each block's float32 bound and whether it holds nothing (``_held_at_extreme``): a frame
    of a block that is not ``empty`` is held when it lies at or beyond the bound; None when the
    frames must be judged by the subtraction (a bound not found within ``_BOUND_STEPS`` steps, a
    block or ``eps`` not finite, a take that is not float32)."""
    if blocks32.dtype != np.float32 or not math.isfinite(eps) or not np.isfinite(extreme).all():
        return None

    def within(v: NDArray[np.float32]) -> NDArray[np.bool_]:
        c = v.astype(np.float64) - dc
        return ((extreme - c) if top else (c - extreme)) <= eps

    big = np.finfo(np.float32).max
    away = np.float32(-np.inf if top else np.inf)  # the direction away from the extreme
    towards = np.float32(np.inf if top else -np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        guess = (extreme + dc - eps) if top else (extreme + dc + eps)
        bound = np.clip(guess, -big, big).astype(np.float32)
    for _ in range(_BOUND_STEPS):
        outer = np.nextafter(bound, away)
        step_out = np.isfinite(outer) & within(outer)  # the neighbour away is held: move out
        step_in = ~within(bound)  # the bound itself is not held: move in
        if not (step_out.any() or step_in.any()):
            break
        bound = np.where(step_out, outer, np.where(step_in, np.nextafter(bound, towards), bound))
    outer = np.nextafter(bound, away)
    found = within(bound) & ~(np.isfinite(outer) & within(outer))
    # a block whose extreme itself is not held (an ``eps`` below zero) holds nothing
    empty = ~within(ends)
    if not (found | empty).all():
        return None
    return bound, empty


def _held_at_extreme(blocks: FloatArray, blocks32: NDArray[np.float32], ends: NDArray[np.float32],
                     extreme: FloatArray, dc: float, eps: float, top: bool, out: NDArray[np.bool_]) -> None:
    """``out``: each frame held within ``eps`` of its block's ``extreme`` (``ends``, the block's
    largest sample when ``top``, else its smallest, less ``dc``), judged as
    ``|extreme - (float64(v) - dc)| <= eps``.

    That difference never shrinks as a frame moves away from the extreme (each rounding keeps
    the order), so a block's held frames are those at or beyond one float32 number, its bound.
    The bound is put where ``extreme + dc -/+ eps`` rounds to and moved one float32 number at a
    time until it is held and its neighbour away from the extreme is not (each block checked by
    the same float64 subtraction and comparison as a frame): then one float32 comparison a frame
    replaces a float64 subtraction and comparison. When a bound is not found within
    ``_BOUND_STEPS`` steps, or a block or ``eps`` is not finite, or the take is not float32,
    every frame is judged by the subtraction."""
    bounds = _extreme_bounds(blocks32, ends, extreme, dc, eps, top)
    if bounds is None:
        apart = (extreme[:, None] - blocks) if top else (blocks - extreme[:, None])
        np.less_equal(apart, eps, out=out)
        return
    bound, empty = bounds
    if top:
        np.greater_equal(blocks32, bound[:, None], out=out)
    else:
        np.less_equal(blocks32, bound[:, None], out=out)
    out[empty] = False


#: the noise's sigma from the median absolute deviation of its second difference (``_clipped_stretches``)
_CLIP_MAD_SIGMA = 1.4826


def _no_frame_triple_held(kernels: Any, seg: NDArray[np.float32], nb: int, block: int, dc: float, typical: float,
                          curve: float) -> bool:
    """True when ``_clipped_stretches`` is proved to find nothing in ``seg`` (whole blocks,
    float32) without its noise estimate: a screen that never hides a clipped stretch.

    Why: most of a healthy run's sound holds no flat peak, and the search's noise estimate (a
    second difference at half the frames and two medians of it) and its two sweeps for held
    runs are most of its cost. A held run is at least ``_CLIP_RUN_MIN`` (3) frames, so none
    exists while the search's ``eps`` is below the least ``eps`` that would hold three
    consecutive frames (``analysis_kernels.held_gap``, one sweep). ``eps`` is ``6 sigma + step +
    1e-6 typical`` with ``sigma = 1.4826 MAD(d2) / sqrt 6``, and the median absolute deviation of
    ``d2`` is at most ``median|d2 - m| <= median|d2| + |m| <= 2 median|d2|`` (``m`` its median,
    ``|m| <= median|d2|``); ``median|d2| <= T`` when more than half of the ``d2`` lie within
    ``T`` of zero, which one counting sweep tells (``noise_second_difference_within``) for the
    ``T`` that would make ``eps`` reach that least one. Margins of 1e-9 (relative) and 1e-12
    (absolute, of the take's scale) cover the rounding of the medians and of ``v - dc``.
    A stretch with fewer than 64 such ``d2`` yields nothing in the search either. When the proof
    fails (a stretch with a flat run, noise too loud for the bound) the search runs whole."""
    blocks32 = seg.reshape(nb, block)
    tops, bottoms = blocks32.max(axis=1), blocks32.min(axis=1)
    gap = float(kernels.held_gap(seg, block, tops, bottoms))
    if not gap > 0:
        return False
    scale = 1.0 + abs(dc) + max(abs(float(tops.max())), abs(float(bottoms.min())))
    room = gap - 1e-12 * scale - _quantum(seg) - 1e-6 * typical
    bound = room * math.sqrt(6.0) / (12.0 * _CLIP_MAD_SIGMA) * (1.0 - 1e-9)
    if not bound > 0:
        return False
    count, within = kernels.noise_second_difference_within(seg, dc, 0.5 * typical, curve, bound)
    return bool(count < 64 or within >= count // 2 + 1)


def _clipped_stretches(
    x: NDArray[np.float32], first: int, nb: int, block: int, cyc: float, typical: float, dc: float, fs: int,
    ctx: int,
) -> list[Glitch]:
    """Stretches where the tone's peaks are held flat at one level: hard clipping.

    The levels are each block's largest and smallest samples: a clipped block's extremes are
    the clipping level (plus the noise), a clean one's its peaks. A peak is flat when a run of frames
    stays within ``eps`` of that level, above and below it (a tone whose AGC lifts it past the
    level passes through the band twice, briefly) (``eps``: 6 sigmas of the noise plus the quantisation
    step) for ``_CLIP_RUN_FACTOR`` times longer than a clean sine of the take's magnitude can
    (its peak band ``A (1 - cos theta) <= delta``, where ``delta`` adds the noise's own reach,
    the sampling offset of a peak and a step, is ``2 theta / (2 pi cyc)`` frames wide). The
    noise is read from the second difference with the sine's own curvature taken out
    (``x[n+1] - 2 x[n] + x[n-1] + 4 sin^2(pi cyc) x[n]`` is the noise's second difference,
    variance 6 sigma^2, where the tone is a sine), over the frames in the middle half of the
    swing only, which clipping never touches. ``_CLIP_PEAKS`` or more flat peaks, each within
    ``_CLIP_GAP`` periods of the one before, are one ``clipped`` glitch.

    Limits: a tone of fewer than ~20 frames a period (5 kHz at 48 kHz) clips only 1-4 frames a
    peak, too few to tell from its sampling; a clipped tone low-passed afterwards (a converter's
    filter) rings on its flat top and is not found; soft saturation, which bends the top
    without holding it, is not a flat run.
    """
    seg = x[first: first + nb * block]
    if seg.size < 3 or typical <= 0:
        return []
    curve = 4.0 * math.sin(math.pi * cyc) ** 2
    kernels = _compiled_passes() if seg.dtype == np.float32 else None
    if kernels is not None and _no_frame_triple_held(kernels, seg, nb, block, dc, typical, curve):
        return []
    centred: FloatArray | None = None
    # the second difference at the frames in the middle half of the swing only (each one the
    # same sum, in the same order, as over the whole stretch, a third of the arithmetic)
    if kernels is not None:  # the same numbers in one pass over the frames
        d2 = np.empty(seg.size)
        d2 = d2[: kernels.noise_second_difference(seg, dc, 0.5 * typical, curve, d2)]
        if d2.size < 64:
            return []
    else:
        centred = seg.astype(np.float64) - dc
        mid = centred[1:-1]
        inner = np.abs(mid) < 0.5 * typical
        if np.count_nonzero(inner) < 64:
            return []
        mid = mid[inner]
        d2 = centred[2:][inner] - 2.0 * mid + centred[:-2][inner] + curve * mid
    sigma = _CLIP_MAD_SIGMA * _median1(np.abs(d2 - _median1(d2))) / math.sqrt(6.0)
    step = _quantum(seg)
    eps = 6.0 * sigma + step + 1e-6 * typical
    delta = eps + 5.0 * sigma + typical * (1.0 - math.cos(math.pi * cyc)) + step
    clean_width = 2.0 * math.acos(max(-1.0, 1.0 - delta / typical)) / (2.0 * math.pi * cyc)
    longest = max(_CLIP_RUN_MIN, _CLIP_RUN_FACTOR * clean_width)
    blocks32 = seg.reshape(nb, block)
    run_s: list[NDArray[np.int64]] = []
    run_e: list[NDArray[np.int64]] = []
    run_level: list[FloatArray] = []
    held: NDArray[np.bool_] | None = None
    for top in (True, False):
        # the rounding of ``v - dc`` never reverses an order, so a block's float64 extreme less
        # ``dc`` is its float32 extreme, widened, less ``dc``
        ends = blocks32.max(axis=1) if top else blocks32.min(axis=1)
        extreme = ends.astype(np.float64) - dc
        bounds = _extreme_bounds(blocks32, ends, extreme, dc, eps, top) if kernels is not None else None
        if kernels is not None and bounds is not None:  # the comparison and the runs in one pass
            s = np.empty(seg.size // 2 + 1, dtype=np.int64)
            e = np.empty_like(s)
            n = kernels.held_runs(seg, block, bounds[0], bounds[1], top, float(longest), s, e)
            s, e = s[:n], e[:n]
        else:
            if held is None:
                held = np.empty(blocks32.shape, dtype=bool)
            if centred is None:
                centred = seg.astype(np.float64) - dc
            _held_at_extreme(centred.reshape(nb, block), blocks32, ends, extreme, dc, eps, top, held)
            s, e = _runs(held.reshape(-1))  # held at the level: a sine above it is not
            keep = (e - s) >= longest
            s, e = s[keep], e[keep]
        run_s.append(s)
        run_e.append(e)
        run_level.append(np.abs(extreme[s // block]))
    if not any(r.size for r in run_s):
        return []
    s_all = np.concatenate(run_s)
    order = np.argsort(s_all, kind="stable")
    s_all, e_all, lv_all = s_all[order], np.concatenate(run_e)[order], np.concatenate(run_level)[order]
    period = 1.0 / cyc
    new = np.concatenate(([True], s_all[1:] - e_all[:-1] > _CLIP_GAP * period))
    heads = np.flatnonzero(new)
    tails = np.concatenate((heads[1:], [s_all.size]))
    out: list[Glitch] = []
    for h, t in zip(heads, tails, strict=True):
        if t - h < _CLIP_PEAKS:
            continue
        a, b = first + int(s_all[h]), first + int(e_all[t - 1])
        w0, w1 = max(0, a - ctx), min(x.size, a + ctx)
        out.append(Glitch(start_frame=a, end_frame=b, kind="clipped", size=int(np.sum(e_all[h:t] - s_all[h:t])),
                          peak_error=max(typical - _median1(lv_all[h:t]), 0.0), phase_shift_frames=0.0,
                          level_change_db=0.0,
                          waveform_start_frame=w0, waveform=x[w0:w1].copy()))
    return out


# --------------------------------------------------------------------------------------------
# Latency
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatencyResult:
    """Delay of ``recorded`` behind ``reference``. ``latency_frames`` is None when the match is
    not trustworthy (``confidence`` below ``min_confidence``); ``reason`` then says why."""

    latency_frames: float | None
    sample_rate: int
    confidence: float  # 1 - (largest sidelobe / main peak) of the cross-correlation, 0..1
    polarity: int  # -1 if the path inverts the signal
    min_confidence: float
    reason: str | None = None
    #: clock drift of the recording against the reference (ppm, + when the recording's clock is
    #: slow, so the reference arrives stretched); ``latency_frames`` is the delay of the reference's
    #: first frame, ``latency_end_frames`` of its last
    drift_ppm: float = 0.0
    latency_end_frames: float | None = None
    #: expected standard deviation of ``latency_frames`` (frames) from the noise in the pieces of
    #: the reference and the drift fitted through them; None for a reference too short to cut
    uncertainty_frames: float | None = None
    #: (lowest, highest) frequency in Hz of the band the latency was measured in, when the path
    #: stops a part of the reference's band that holds 5 % or more of its energy (a converter's
    #: low-pass, a high-pass, a telephone band); None when it passes the whole band
    band_hz: tuple[float, float] | None = None

    @property
    def latency_ms(self) -> float | None:
        return None if self.latency_frames is None else 1000.0 * self.latency_frames / self.sample_rate

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency_frames": _json_float(self.latency_frames) if self.latency_frames is not None else None,
            "latency_ms": _json_float(self.latency_ms) if self.latency_ms is not None else None,
            "confidence": _json_float(self.confidence),
            "polarity": self.polarity,
            "sample_rate": self.sample_rate,
            "min_confidence": self.min_confidence,
            "reason": self.reason,
            "drift_ppm": _json_float(self.drift_ppm),
            "latency_end_frames": _json_float(self.latency_end_frames) if self.latency_end_frames is not None else None,
            "uncertainty_frames": _json_float(self.uncertainty_frames) if self.uncertainty_frames is not None else None,
            "band_hz": None if self.band_hz is None else [_json_float(f) for f in self.band_hz],
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)


@with_one_blas_thread
def measure_latency(
    reference: ArrayLike,
    recorded: ArrayLike,
    sample_rate: int,
    *,
    max_latency_frames: int | None = None,
    min_confidence: float = 0.5,
    estimate_drift: bool = True,
) -> LatencyResult:
    """How many (fractional) frames ``recorded`` lags ``reference``, and how sure we are.

    Coarse: the peak of the FFT cross-correlation over lags 0..``max_latency_frames``. The
    confidence compares that peak with the largest correlation elsewhere, so a periodic or
    noise-like match (no unique answer) scores near 0 and is refused rather than guessed.
    Fine: the maximum of the band-limited cross-correlation between its samples (Newton's method
    on the correlation's spectrum: the maximum-likelihood delay, a few hundredths of a frame on
    wide-band stimuli such as ``mls``, ``pulse`` or sweeps even at -20 dB SNR).
    ``measure_latency_stream`` is the same measurement over a recording read a window at a time.
    Drift: a reference of 8192 frames or more is cut into pieces whose delays give the clock
    ratio (``_solve_drift``: sweeps couple time and frequency, so the ratio is the one whose
    stretched reference lines up piece by piece); the reference is stretched by it and correlated
    again; from there delay, drift and gain are fitted together to the whole take
    (``_fit_delay_drift``, the maximum-likelihood pair: at the Cramer-Rao bound, about 0.02
    frames for a 10 s MLS and 0.04 for a 10 s linear sweep at -20 dB SNR; a log sweep's start is
    extrapolated from its high end, 0.26). ``latency_frames`` is the delay of the reference's
    first frame, ``latency_end_frames`` of its last, ``drift_ppm`` the clock ratio's offset and
    ``uncertainty_frames`` the start's standard deviation (from the residual's spectrum, so
    coloured noise counts as it is). ``estimate_drift=False`` assumes the clocks agree.
    Confidence: how far the peak stands above the next, times the honesty check that every loud
    piece of the reference lies where the answer puts it (within its noise and the fit's), so a
    wrong answer (uncorrected drift, a glitch in the path, an echo as loud as the sound, a
    reference that is not what was played) is refused. When the pieces refuse the fit, or are too
    vague to check it, the drift is searched by the whole take's correlation envelope and the
    answer that explains more of the recording is kept. ``polarity`` is -1 when the path inverts.
    Band edges: where the path stops bands holding 5 % or more of the reference's energy (a
    converter's low-pass, a high-pass, a telephone band; ``_passband``), the measurement is made
    again with the reference as the path passes it, and ``band_hz`` says the band it was made in.
    """
    rec = np.asarray(recorded, dtype=np.float64)
    if rec.ndim != 1:
        raise UsageError("latency is measured on one channel of each signal")
    return measure_latency_stream(reference, lambda a, b: rec[a:b], rec.size, sample_rate,
                                  max_latency_frames=max_latency_frames, min_confidence=min_confidence,
                                  estimate_drift=estimate_drift)


#: lags correlated per FFT when streaming (the window the recording is read in, plus the reference)
_LAG_BLOCK = 1 << 18


@with_one_blas_thread
def measure_latency_stream(
    reference: ArrayLike,
    read: Any,
    frames: int,
    sample_rate: int,
    *,
    max_latency_frames: int | None = None,
    min_confidence: float = 0.5,
    lag_block: int = _LAG_BLOCK,
    estimate_drift: bool = True,
    verify: bool = True,
) -> LatencyResult:
    """``measure_latency`` over a recording of ``frames`` frames read by ``read(start, stop)``.

    Memory is bounded by the reference and ``lag_block``, never by the recording's length: the
    recording's mean comes from one pass over it, the correlation is computed block by block
    (overlap-save), and only the best peak and the per-bin maxima needed for the confidence (bins
    as wide as the peak's exclusion zone) are kept. ``verify=False`` skips the honesty check of
    the pieces (for a caller that locks on to program material and checks the alignment itself).
    """
    ref = np.asarray(reference, dtype=np.float64)
    if ref.ndim != 1:
        raise UsageError("latency is measured on one channel of each signal")
    if ref.size < 16 or frames < 16:
        raise AnalysisError("reference and recording need at least 16 frames each")
    ref = ref - ref.mean()
    if not np.any(np.abs(ref) > 1e-9):
        raise AnalysisError("the reference signal is silent; use a wide-band stimulus (pulse or mls)")
    max_lag = frames - 1 if max_latency_frames is None else int(min(max_latency_frames, frames - 1))
    if max_lag < 0:
        raise UsageError("max_latency_frames must be >= 0")
    # only what some lag 0..max_lag can reach is ever read
    span = min(frames, max_lag + ref.size)
    total, loud = 0.0, False
    for a in range(0, span, lag_block):
        chunk = np.asarray(read(a, min(a + lag_block, span)), dtype=np.float64)
        total += float(chunk.sum())
    mean = total / span
    for a in range(0, span, lag_block):
        if np.any(np.abs(np.asarray(read(a, min(a + lag_block, span)), dtype=np.float64) - mean) > 1e-9):
            loud = True
            break
    if not loud:
        raise AnalysisError("the recording is silent; nothing reached the input (check routing and gain)")

    def segment(a: int, b: int) -> FloatArray:
        """Mean-removed recording frames a..b, zeros outside what was read."""
        out = np.zeros(b - a)
        lo, hi = max(a, 0), min(b, span)
        if hi > lo:
            out[lo - a: hi - a] = np.asarray(read(lo, hi), dtype=np.float64) - mean
        return out

    answer, peak, result = _measure(ref, segment, sample_rate, max_lag, min_confidence, lag_block, estimate_drift,
                                    verify)
    # only an answer whose correlation peak stands clear is read for the path's band: where no peak
    # does (a reference not in the recording), the bands' gains are noise and name no band
    if estimate_drift and ref.size >= _DRIFT_MIN_REF and peak >= min_confidence:
        band = _passband(ref, segment, answer, sample_rate)
        if band is not None:
            # the path passes only part of the reference's band: what it stops is no evidence of
            # the delay, and a model that holds it claims a precision the recording never had
            # (and, for a log sweep, settles on a wrong ridge of its delay-drift ambiguity); the
            # whole measurement again with the reference as the path passes it (zero phase: the
            # same delay)
            _, _, result = _measure(band.filtered(ref), segment, sample_rate, max_lag, min_confidence, lag_block,
                                    estimate_drift, verify)
            reason = result.reason
            if reason is not None:
                reason = (f"{reason}; the path passes only {band.lo_hz:.0f}-{band.hi_hz:.0f} Hz of the reference's "
                          "band: use a reference within it, or measure before the band-limiting stage")
            result = dataclasses.replace(result, band_hz=(band.lo_hz, band.hi_hz), reason=reason)
    return result


def _measure(ref: FloatArray, segment: Any, sample_rate: int, max_lag: int, min_confidence: float, lag_block: int,
             estimate_drift: bool, verify: bool) -> tuple[_Settled, float, LatencyResult]:
    """``measure_latency_stream``'s measurement of the mean-removed ``ref`` in the recording read by
    ``segment``: the settled answer (even when refused), how clear the correlation peak stood
    (the confidence before the pieces' check) and the result."""
    # the main lobe's half-width, from the reference's own autocorrelation
    n_ref = sfft.next_fast_len(2 * ref.size)
    acf = sfft.irfft(np.abs(sfft.rfft(ref, n_ref)) ** 2, n_ref)[: min(n_ref // 2, 4096)]
    below = np.flatnonzero(np.abs(acf) < 0.5 * acf[0])
    excl = max(8, 8 * int(below[0]) if below.size else 8)
    scan = _scan_lags(ref, segment, max_lag, excl, lag_block)
    drift = 0.0
    used = ref
    if estimate_drift and ref.size >= _DRIFT_MIN_REF:
        drift = _solve_drift(ref, segment, scan.d0, scan.sign)
        if abs(drift) * ref.size > 0.05:  # the stretch moves the end by more than 1/20 frame
            used = _stretch(ref, 1.0 + drift)
            scan = _scan_lags(used, segment, max_lag, excl, lag_block)
        else:
            drift = 0.0
    polarity = int(scan.sign)
    confidence = scan.confidence
    checked = verify and ref.size >= _DRIFT_MIN_REF
    joint_fit = estimate_drift and ref.size >= _DRIFT_MIN_REF
    answer = _settle(ref, used, segment, scan.d0, drift, polarity, joint_fit, checked)
    if joint_fit and (answer.unexplained > 0.5 or answer.weak_check):
        # the pieces disagree with the fit, or are too vague to tell: the piece-wise drift may
        # have started the fit outside its reach, or on a neighbouring ridge of a sweep's
        # delay-drift ambiguity (pieces of a sweep at -20 dB, each too narrow-band to place its
        # carrier). Search the drift by the whole take's correlation envelope, fit from there,
        # and keep whichever answer explains more of the recording
        found = _search_drift(ref, segment, scan.d0, polarity, drift)
        # an envelope peak within a frame of the answer, in lag and in the end's shift, confirms it:
        # a neighbouring ridge lies a carrier period (2.2 frames or more) away, and a fit started
        # there would only find the same minimum again (the costliest part of a weak check)
        if found is not None and not (found[2] == answer.polarity and abs(found[0] - answer.start) < 1.0
                                      and abs(found[1] - answer.drift) * ref.size < 1.0):
            other = _settle(ref, None, segment, found[0], found[1], found[2], joint_fit, checked)
            if other.explained > answer.explained:
                answer = other
    start, drift, unexplained, polarity = answer.start, answer.drift, answer.unexplained, answer.polarity
    confidence *= answer.confidence_factor
    uncertainty = answer.uncertainty
    if confidence < min_confidence:
        why = (f"the reference's pieces disagree with one delay by {unexplained:.1f} frames beyond their "
               "noise (an uncorrected clock drift, a glitch or an echo in the path)" if unexplained > 0.5 else
               f"the best correlation peak is only {confidence:.2f} clear of the next")
        return answer, scan.confidence, LatencyResult(
            None, int(sample_rate), confidence, polarity, min_confidence,
            reason=(
                f"no unique match: {why} (confidence {confidence:.2f}, need {min_confidence:.2f}); is the "
                "reference a wide-band signal, and is it actually in the recording?"
            ),
            drift_ppm=drift * 1e6,
        )
    return answer, scan.confidence, LatencyResult(start, int(sample_rate), confidence, polarity, min_confidence,
                                                  drift_ppm=drift * 1e6, latency_end_frames=start + drift * (ref.size - 1),
                                                  uncertainty_frames=uncertainty)


#: a band of the reference the recording holds less than this share of (in amplitude, one
#: deviation of its noise over, against the path's strongest band two deviations under) is one
#: the path stops. Half, not a tenth: a band taken out of the model that the path passes only
#: costs precision, which the uncertainty then says; a band kept that the path stops makes a
#: precision the recording never had (at -20 dB SNR a third of an octave is measured to ~0.15 of
#: the path's gain, so a tenth could never be told from nothing)
_BAND_STOP = 0.5
#: a path stopping bands that hold this share of the reference's energy is measured in its passband
_BAND_SHARE = 0.05
#: log-spaced bands the path's response is read in
_BAND_COUNT = 48


@dataclass(frozen=True)
class _Passband:
    """The bands of a reference a path passes (``edges`` in cycles per frame, ``passed`` per band)."""

    edges: FloatArray
    passed: NDArray[np.bool_]
    loud: NDArray[np.bool_]  # bands the reference has energy in (the others are passed: nothing to lose)
    sample_rate: int

    @property
    def lo_hz(self) -> float:
        """The lower edge of the lowest passed band the reference has energy in."""
        return float(self.edges[int(np.flatnonzero(self.passed & self.loud)[0])] * self.sample_rate)

    @property
    def hi_hz(self) -> float:
        """The upper edge of the highest passed band the reference has energy in."""
        return float(self.edges[int(np.flatnonzero(self.passed & self.loud)[-1]) + 1] * self.sample_rate)

    def filtered(self, ref: FloatArray) -> FloatArray:
        """``ref`` with the stopped bands taken out, zero phase (its delay unchanged); the mask's
        edges are smoothed over 1/1024 of the rate so its ringing stays within a few hundred frames."""
        n = sfft.next_fast_len(ref.size + 1024)
        f = np.arange(n // 2 + 1) / n
        band = np.clip(np.searchsorted(self.edges, f, side="right") - 1, 0, self.passed.size - 1)
        mask = self.passed[band].astype(np.float64)
        width = max(1, n // 1024)
        mask = np.convolve(mask, np.hanning(width + 2)[1:-1] / np.hanning(width + 2)[1:-1].sum(), mode="same")
        out: FloatArray = sfft.irfft(sfft.rfft(ref, n) * mask, n)[: ref.size]
        return out - out.mean()


def _passband(ref: FloatArray, segment: Any, answer: _Settled, sample_rate: int) -> _Passband | None:
    """The bands of ``ref`` the recording holds where ``answer`` puts it, when the path stops bands
    holding ``_BAND_SHARE`` or more of the reference's energy; None when it passes them all.

    The path's response in each band is the reference's (stretched, delayed) spectrum against the
    recording's: ``|sum conj(U) R| / sum |U|^2``, its noise from what the band's fit leaves. The
    magnitude of the band's sum holds through a delay a few frames off and a causal filter's phase.
    """
    pad = 8
    d0 = int(math.floor(answer.start))
    rho = 1.0 + answer.drift
    m = int(math.floor((ref.size - 1) * rho)) + 1 + 2 * pad
    u = _Warp(ref, pad + 256).at(-(pad + answer.start - d0), rho, m)
    seg = segment(d0 - pad, d0 - pad + m) * answer.polarity
    n = sfft.next_fast_len(m)
    uf, rf = sfft.rfft(u, n), sfft.rfft(seg, n)
    idx = np.unique(np.round(np.geomspace(1, uf.size - 1, _BAND_COUNT + 1)).astype(np.int64))
    starts = idx[:-1]
    energy = np.add.reduceat(np.abs(uf) ** 2, starts)[: starts.size]
    cross = np.add.reduceat(np.conj(uf) * rf, starts)[: starts.size]
    loud = energy >= 1e-4 * energy.max()
    safe = np.where(loud, energy, 1.0)
    gain = np.abs(cross) / safe
    # the band's noise: what its own fit (its complex gain) leaves of the recording
    h = cross / safe
    band_of = np.clip(np.searchsorted(idx, np.arange(uf.size), side="right") - 1, 0, starts.size - 1)
    left = np.abs(rf - h[band_of] * uf) ** 2
    left[: idx[0]] = 0.0
    left[idx[-1]:] = 0.0
    counts = np.diff(idx)
    noise = np.add.reduceat(left, starts)[: starts.size] / counts  # mean power a bin
    sigma = np.sqrt(noise / safe)  # of the band's gain: sqrt(sum |U|^2 noise) / sum |U|^2
    if not np.any(loud):
        return None
    # the path's level read only where the reference is strong: a faint band's gain is mostly noise
    strong = energy >= 1e-2 * energy.max()
    strongest = float(np.max((gain - 2 * sigma)[strong]))
    if strongest <= 0:
        return None
    stopped = loud & (gain + sigma < _BAND_STOP * strongest)
    # a path passes one band: the run of bands not stopped around its strongest; a band outside it
    # that noise lifted over the bar is stopped too (bands without the reference's energy carry on a run)
    centre = int(np.flatnonzero(strong)[int(np.argmax((gain - 2 * sigma)[strong]))])
    lo, hi = centre, centre
    while lo > 0 and not stopped[lo - 1]:
        lo -= 1
    while hi < stopped.size - 1 and not stopped[hi + 1]:
        hi += 1
    passed = np.zeros(stopped.size, dtype=bool)
    passed[lo: hi + 1] = True
    passed[~loud] = True  # nothing of the reference there to lose
    if float(energy[loud & ~passed].sum()) < _BAND_SHARE * float(energy[loud].sum()):
        return None
    return _Passband(idx / n, passed, loud, int(sample_rate))


@dataclass(frozen=True)
class _Settled:
    """One answer of ``measure_latency_stream`` and what its check made of it."""

    start: float
    drift: float
    polarity: int
    uncertainty: float | None
    unexplained: float  # frames the pieces disagree with it beyond their noise
    confidence_factor: float  # what the check leaves of the correlation's confidence
    weak_check: bool  # fewer than three pieces placed to a fraction of a frame: the check is blunt
    explained: float  # energy the joint fit explains (0 without one): the better of two answers


def _settle(ref: FloatArray, used: FloatArray | None, segment: Any, d0: int, drift: float, polarity: int,
            joint_fit: bool, checked: bool) -> _Settled:
    """The answer near integer lag ``d0`` for a reference stretched by ``drift`` (``used``, or
    made here): the sub-frame delay, the joint delay-drift fit (``joint_fit``), and the honesty
    check (``checked``): every loud piece of the (stretched) reference must sit where the answer
    puts it. Frames of disagreement beyond what its noise explains take the confidence down (two
    leave none), so an answer the drift or noise has spoilt is refused."""
    if used is None:
        used = _Warp(ref, 256).at(0.0, 1.0 + drift, int(math.floor((ref.size - 1) * (1.0 + drift))) + 1)
    pad = 8
    excerpt = segment(d0 - pad, d0 - pad + used.size + 2 * pad)
    frac = _ml_subframe(used, excerpt, pad, polarity)
    start = d0 + frac
    joint: _Joint | None = None
    explained = 0.0
    if joint_fit:
        # delay, clock ratio and gain fitted together to the whole take: the piece-wise drift
        # is only a start (it leaves each piece's Tukey taper and its noise in the slope)
        joint = _fit_delay_drift(ref, excerpt, pad, frac, drift)
        if joint is not None:
            start, drift, explained = d0 + joint.tau, joint.drift, joint.explained
            polarity = 1 if joint.gain >= 0 else -1  # a fit from the wrong lobe flips its gain
            used = _Warp(ref, 256).at(0.0, 1.0 + drift, int(math.floor((ref.size - 1) * (1.0 + drift))) + 1)
    uncertainty: float | None = None if joint is None else max(joint.sigma_at(0.0), _JOINT_FLOOR)
    unexplained, factor, weak = 0.0, 1.0, False
    if checked:
        pieces = _piece_delays(used, segment, d0, polarity, 64)
        if pieces is None:
            factor = 0.5  # not one piece clearly there: the answer cannot be checked
        else:
            if joint is not None:
                # a piece is compared with the fitted line where it lies, within both their noises
                spread = np.hypot(pieces.sigmas, [joint.sigma_at(c) for c in pieces.centres])
            else:
                uncertainty = _intercept_sigma(pieces) if drift else float(1.0 / math.sqrt(np.sum(pieces.sigmas ** -2.0)))
                spread = pieces.sigmas
            trusted = pieces.sigmas < 0.5
            # pieces that place themselves only by their envelope (narrow-band pieces of a sweep
            # in noise) cannot tell a fit a few carrier periods off from the right one
            weak = int(np.sum(pieces.sigmas < _PIECE_SHARP)) < 3
            if np.any(trusted):
                excess = np.sort(np.abs(pieces.delays[trusted] - start) - 4.0 * spread[trusted] - 0.1)
                # the second worst: one narrow-band piece can pick the carrier peak next to its own
                # (a period of a few frames off); a wrong answer puts many pieces off
                unexplained = float(max(excess[-2] if excess.size >= 2 else excess[-1], 0.0))
                factor = float(np.clip(1.0 - unexplained / 2.0, 0.0, 1.0))
    return _Settled(start, drift, polarity, uncertainty, unexplained, factor, weak, explained)


def _search_drift(ref: FloatArray, segment: Any, d0: int, polarity: int, drift0: float) -> tuple[int, float, int] | None:
    """(integer lag, drift, polarity) where the envelope of the whole take's correlation with the stretched
    reference peaks: a drift off by m frames over the take smears the peak over about m lags, so
    its height falls away from the true drift on either side. Candidates step out from ``drift0``
    by 1, 2, 4 ... frames over the take up to the drift searched for, then the best is refined
    by halving the step to 1/4 frame: some 30 correlations, made only when the pieces refuse the
    fit. None when no candidate's peak is found."""
    size = ref.size
    warp = _Warp(ref, 256)
    reach = int(math.ceil(2 * _DRIFT_MAX * size)) + 64
    seg = segment(d0 - reach, d0 + int(size * (1 + _DRIFT_MAX)) + reach)
    n = sfft.next_fast_len(seg.size + size + 512)
    rec_spec = sfft.rfft(seg, n)
    cache: dict[float, tuple[float, int, int]] = {}

    def score(shift: float) -> float:
        """Envelope peak for the drift that moves the reference's end ``shift`` frames from drift0's."""
        if shift not in cache:
            drift = drift0 + shift / size
            if abs(drift) > _DRIFT_MAX:
                cache[shift] = (-1.0, 0, 1)
            else:
                u = warp.at(0.0, 1.0 + drift, int(math.floor((size - 1) * (1.0 + drift))) + 1)
                cross = np.conj(sfft.rfft(u, n)) * rec_spec
                one_sided = np.zeros(n, dtype=np.complex128)
                one_sided[: cross.size] = cross
                one_sided[1: (n + 1) // 2] *= 2.0
                analytic = sfft.ifft(one_sided)[: 2 * reach + 1] * polarity
                env = np.abs(analytic)
                k = int(np.argmax(env))
                cache[shift] = (float(env[k]), k, 1 if analytic[k].real >= 0 else -1)
        return cache[shift][0]

    span = 2.0 * _DRIFT_MAX * size
    steps = [0.0]
    m = 1.0
    while m <= span:
        steps += [m, -m]
        m *= 2
    best = max(steps, key=score)
    step = max(abs(best) / 2, 1.0) if best else 0.5
    while step >= 0.25:
        best = max((best - step, best, best + step), key=score)
        step /= 2
    peak, k, sign = cache[best]
    if peak <= 0:
        return None
    return d0 - reach + k, drift0 + best / size, sign * polarity


#: a reference this long (frames) is checked for clock drift between it and the recording
_DRIFT_MIN_REF = 8192
#: drift searched for, +- (500 ppm covers any two free-running crystals)
_DRIFT_MAX = 500e-6


@dataclass(frozen=True)
class _Scan:
    best: float
    d0: int
    sign: float
    confidence: float


def _scan_lags(ref: FloatArray, segment: Any, max_lag: int, excl: int, lag_block: int) -> _Scan:
    """The whole-range correlation: the best peak, its sign and how far it stands above the
    largest correlation outside its main lobe (the confidence)."""
    block = max(lag_block, 4 * ref.size)
    n = sfft.next_fast_len(block + ref.size - 1)
    ref_conj = np.conj(sfft.rfft(ref, n))
    width = max(excl, 1 << 14)  # bins of this many lags each keep their maximum (a few 10k bins for hours)
    bins = np.zeros((max_lag // width) + 1)
    best, d0, sign = -1.0, 0, 1.0

    def corr_at(a: int, count: int) -> FloatArray:
        seg = segment(a, a + count + ref.size - 1)
        return sfft.irfft(ref_conj * sfft.rfft(seg, n), n)[:count]

    kept = (0, np.empty(0))  # the block of lags the best peak was found in, and its |correlation|
    for a in range(0, max_lag + 1, block):
        count = min(block, max_lag + 1 - a)
        corr = corr_at(a, count)
        mag = np.abs(corr)
        k = int(np.argmax(mag))
        if mag[k] > best:
            best, d0, sign = float(mag[k]), a + k, 1.0 if corr[k] >= 0 else -1.0
            kept = (a, mag)
        ids = (a + np.arange(count)) // width
        heads = np.flatnonzero(np.concatenate(([True], ids[1:] != ids[:-1])))
        bins[ids[heads]] = np.maximum(bins[ids[heads]], np.maximum.reduceat(mag, heads))
    # largest correlation outside d0 +- excl: whole bins outside it, exact values in the bins it cuts
    lo_bin, hi_bin = max(d0 - excl, 0) // width, (d0 + excl) // width
    outside = np.concatenate((bins[:lo_bin], bins[hi_bin + 1:]))
    second = float(outside.max()) if outside.size else 0.0
    a = lo_bin * width
    stop = min((hi_bin + 1) * width, max_lag + 1)
    # the bins around the peak are most often in the block it was found in (a take shorter than
    # a block is one block): read them there rather than correlate that block again
    at, held = kept
    edge = held[a - at: stop - at] if at <= a and stop <= at + held.size else np.abs(corr_at(a, stop - a))
    lags = a + np.arange(edge.size)
    keep = (lags < d0 - excl) | (lags > d0 + excl)
    if np.any(keep):
        second = max(second, float(edge[keep].max()))
    confidence = float(np.clip(1.0 - second / best, 0.0, 1.0)) if best > 0 else 0.0
    return _Scan(best, d0, sign, confidence)


def _newton_peak(cross: NDArray[np.complex128], n: int, lag: int, tau0: float) -> float:
    """Fractional offset (within +-1 frame of ``lag``) of the maximum of the band-limited
    correlation whose rfft of length ``n`` is ``cross``: Newton's method on the correlation
    evaluated between the samples, the maximum-likelihood delay (no wrapped phases to average)."""
    k = np.arange(cross.size, dtype=np.float64)
    wk = np.full(cross.size, 2.0)
    wk[0] = 1.0
    if n % 2 == 0:
        wk[-1] = 1.0
    om = 2 * np.pi * k / n
    y = wk * cross * np.exp(1j * om * lag)
    tau = float(np.clip(tau0, -0.75, 0.75))
    for _ in range(6):
        e = y * np.exp(1j * om * tau)
        d1 = -float(np.sum(om * e.imag))
        d2 = -float(np.sum(om * om * e.real))
        if d2 >= 0:
            break
        step = -d1 / d2
        tau = float(np.clip(tau + step, -1.0, 1.0))
        if abs(step) < 1e-6:
            break
    return tau


def _ml_subframe(ref: FloatArray, seg: FloatArray, pad: int, polarity: int) -> float:
    """Fractional part of the delay of ``ref`` in ``seg`` (``seg[pad + m]`` holds ``ref[m]`` at
    the integer lag): the maximum of the band-limited cross-correlation, started from a parabola
    through the three samples around it."""
    n = sfft.next_fast_len(ref.size + seg.size)
    cross = np.conj(sfft.rfft(ref, n)) * sfft.rfft(seg, n) * polarity
    corr = sfft.irfft(cross, n)
    y0, y1, y2 = corr[pad - 1], corr[pad], corr[pad + 1]
    den = y0 - 2 * y1 + y2
    tau0 = float(0.5 * (y0 - y2) / den) if den < 0 else 0.0
    return _newton_peak(cross, n, pad, tau0)


@counted_cache(maxsize=4)
def _tukey(n: int) -> FloatArray:
    """The Tukey window (half its length tapered) the latency pieces are cut with, built once per length."""
    w: FloatArray = sps.windows.tukey(n, 0.5)
    w.flags.writeable = False
    return w


@dataclass(frozen=True)
class _Pieces:
    """Where each loud piece of a reference lies in the recording."""

    centres: FloatArray  # the piece's centre, frames into the reference
    delays: FloatArray  # its frame in the recording minus its frame in the reference
    sigmas: FloatArray  # expected standard deviation of each delay (frames), from its SNR and bandwidth


def _piece_delay(piece: FloatArray, segment: Any, at: int, reach: int, sign: float) -> tuple[float, float] | None:
    """Delay (and its expected standard deviation) of ``piece`` near recording frame ``at``.

    The envelope of the cross-correlation finds the piece (a narrow-band piece of a sweep has
    many near-equal carrier peaks, one envelope peak); when the envelope is sure to a fraction of
    the carrier's period, the carrier peak next to it gives the delay to the piece's full
    precision, else the envelope's own peak does. The standard deviation is the Cramer-Rao
    figure for the piece's measured SNR and bandwidth, so a line through the pieces can weigh
    them and tell a mis-placed one from noise. None when the piece is not clearly there.
    """
    size = piece.size
    piece = piece * _tukey(size)  # soft edges: a cut sweep's spectral splatter would pull the peak
    rec = segment(at - reach, at + size + reach)
    n = sfft.next_fast_len(rec.size + size)
    spec = sfft.rfft(piece, n)
    cross = np.conj(spec) * sfft.rfft(rec, n) * (sign or 1.0)
    # the analytic correlation from its one-sided spectrum over the whole period (a Hilbert
    # transform of the 2 reach + 1 lags kept would ring at their ends, where a narrow-band
    # piece's broad envelope is still high, and put the envelope's peak there)
    one_sided = np.zeros(n, dtype=np.complex128)
    one_sided[: cross.size] = cross
    one_sided[1: (n + 1) // 2] *= 2.0
    analytic = sfft.ifft(one_sided)[: 2 * reach + 1]
    corr = analytic.real
    env = np.abs(analytic)
    ke = int(np.argmax(env))
    power = np.abs(spec) ** 2
    fk = np.arange(power.size, dtype=np.float64) / n  # cycles per frame
    total = float(power.sum())
    if total <= 0:
        return None
    f_mean = float(np.sum(fk * power) / total)
    b0 = math.sqrt(float(np.sum(fk * fk * power) / total))
    bc = math.sqrt(max(b0 * b0 - f_mean * f_mean, 1e-12))
    # the carrier peak next to the envelope's: where the analytic correlation's phase is zero
    # (sign 0: either polarity, the nearer extremum; a smeared whole-take peak can mistake it)
    phase = float(np.angle(analytic[ke]))
    if sign == 0:
        sign = 1.0 if abs(phase) <= np.pi / 2 else -1.0
        phase = float(np.angle(analytic[ke] * sign))
        corr = corr * sign
        cross = cross * sign
    else:
        sign = 1.0 if sign > 0 else -1.0
    near = ke - phase / (2 * np.pi * max(f_mean, 1e-9))
    guess = int(np.clip(round(near), 0, corr.size - 1))
    lo, hi = max(guess - 1, 0), min(guess + 2, corr.size)
    kc = lo + int(np.argmax(corr[lo:hi]))
    energy = float(np.dot(piece, piece))
    peak = float(corr[kc])
    if peak <= 0 or energy <= 0:
        return None
    tau0 = 0.0
    if 0 < kc < corr.size - 1:
        y0, y1, y2 = corr[kc - 1], corr[kc], corr[kc + 1]
        den = y0 - 2 * y1 + y2
        tau0 = float(0.5 * (y0 - y2) / den) if den < 0 else 0.0
    tau = _newton_peak(cross, n, kc, tau0)
    # the noise: what the piece, placed there and scaled, leaves of the recording (under its window)
    shifted = sfft.irfft(spec * np.exp(-2j * np.pi * np.arange(spec.size) * (tau / n)), n)[:size]
    x = rec[kc: kc + size] * (sign * _tukey(size))
    gain = float(np.dot(x, shifted)) / energy
    res = x - gain * shifted
    noise_var = max(float(np.dot(res, res)) / float(np.sum(_tukey(size) ** 2)), 1e-30)
    snr_out = gain * gain * energy / noise_var  # matched-filter output SNR
    if snr_out < 25 or gain <= 0:
        return None
    unit = 1.0 / (2 * np.pi * math.sqrt(2 * snr_out))
    sigma_env = unit / bc
    if sigma_env < 0.15 / max(f_mean, 1e-9):
        return at - reach + kc + tau, max(unit / b0, 1e-3)
    frac = 0.0
    if 0 < ke < env.size - 1:
        y0, y1, y2 = env[ke - 1], env[ke], env[ke + 1]
        den = y0 - 2 * y1 + y2
        frac = float(0.5 * (y0 - y2) / den) if den < 0 else 0.0
    return at - reach + ke + frac, max(sigma_env, 1e-3)


def _piece_delays(ref: FloatArray, segment: Any, d0: int, sign: float, reach: int) -> _Pieces | None:
    """``_piece_delay`` of up to 16 loud pieces of ``ref``, searched ``reach`` frames around where
    the delay ``d0`` puts them; None when fewer than three are clearly there."""
    pieces = int(np.clip(ref.size // 8192, 4, 16))
    plen = ref.size // pieces
    energy = np.array([float(np.dot(ref[i * plen:(i + 1) * plen], ref[i * plen:(i + 1) * plen])) for i in range(pieces)])
    centres, delays, sigmas = [], [], []
    for i in range(pieces):
        if energy[i] < 0.01 * energy.max():
            continue  # silence in the reference says nothing about the delay
        got = _piece_delay(ref[i * plen:(i + 1) * plen], segment, d0 + i * plen, reach, sign)
        if got is None:
            continue
        centres.append(i * plen + plen / 2)
        delays.append(got[0] - i * plen)
        sigmas.append(got[1])
    if len(centres) < 3:
        return None
    return _Pieces(np.array(centres), np.array(delays), np.array(sigmas))


def _robust_line(p: _Pieces) -> tuple[float, float] | None:
    """(slope, intercept) of the delays against the centres, each weighed by its standard
    deviation; a piece more than 5 of its sigmas off the line is left out, the worst first."""
    keep = np.ones(p.centres.size, dtype=bool)
    while True:
        c, d, s = p.centres[keep], p.delays[keep], p.sigmas[keep]
        slope, icpt = np.polyfit(c, d, 1, w=1.0 / s)
        r = np.abs(d - (slope * c + icpt)) / s
        if r.max() <= 5.0 or keep.sum() <= 3:
            break
        keep[np.flatnonzero(keep)[int(np.argmax(r))]] = False
    if keep.sum() < 3:
        return None
    return float(slope), float(icpt)


def _intercept_sigma(p: _Pieces) -> float:
    """Standard deviation of the delay at the reference's first frame from a weighted line through
    the pieces' delays (the drift is fitted too, so a reference whose information lies late, like a
    log sweep's, extrapolates back with the drift's error)."""
    w = p.sigmas ** -2.0
    c = p.centres
    det = float(np.sum(w) * np.sum(w * c * c) - np.sum(w * c) ** 2)
    return math.sqrt(float(np.sum(w * c * c)) / det) if det > 0 else math.inf


def _solve_drift(ref: FloatArray, segment: Any, d0: int, sign: float) -> float:
    """Clock drift (fractional, + = the recording runs long) of the recording against ``ref``.

    The delays of the reference's pieces drift along a line, but its slope is not always the
    drift: a sweep couples time and frequency, so a piece recorded by a clock that is off is
    also a piece of another frequency, which its matched filter places earlier or later (a
    linear sweep's pieces drift at twice the rate, a log sweep's at the rate plus a constant).
    Only a reference stretched by the true ratio lines up with the recording piece by piece, so
    the drift is the root of "slope of the pieces of the reference stretched by s", found by the
    secant method (two or three stretches). 0.0 when the pieces cannot say."""
    size = ref.size
    reach = int(math.ceil(2 * _DRIFT_MAX * size)) + 64

    def slope_at(s: float) -> float | None:
        used = _stretch(ref, 1.0 + s) if s else ref
        pieces = _piece_delays(used, segment, d0, 0.0, reach)
        line = None if pieces is None else _robust_line(pieces)
        return None if line is None else line[0]

    s_prev, g_prev = 0.0, slope_at(0.0)
    if g_prev is None:
        return 0.0
    alpha = 1.0
    s = float(np.clip(g_prev, -_DRIFT_MAX, _DRIFT_MAX))
    for _ in range(5):
        if abs(s - s_prev) * size < 0.01:
            break
        g = slope_at(s)
        if g is None:
            return s_prev
        a = (g_prev - g) / (s - s_prev)
        if 0.3 <= a <= 3.0:
            alpha = a
        s_prev, g_prev = s, g
        s = float(np.clip(s + g / alpha, -_DRIFT_MAX, _DRIFT_MAX))
    return s


class _Warp:
    """A reference's band-limited interpolation (its padded period's Fourier series), evaluated on
    any evenly spaced grid: ``at(offset, rho, count)[n]`` is the reference at (n + offset) / rho.
    A chirp z-transform of its spectrum does it exactly for any clock ratio ``rho``, which a
    resampling to a whole number of frames (``_stretch``) can only approximate (to 1/500 frame at
    best, and not at all for ratios within 0.2 ppm of 1 on a 10 s take).

    The points lie on the unit circle, so the transform is scipy's ``ZoomFFT``: it builds its
    chirp with ``exp`` of the squared index, where the general ``CZT`` raises ``w`` to it, a
    complex power per point that took about half of a latency measurement's CPU and, at 500k
    frames, was off by 2e-6 of the signal (``ZoomFFT``: 4e-11;
    ``tests/harness/test_analysis_latency.py::test_the_warp_is_the_references_fourier_series``)."""

    def __init__(self, ref: FloatArray, margin: int) -> None:
        self.period = sfft.next_fast_len(ref.size + 2 * margin)  # silence around the reference
        half = (self.period - 1) // 2  # positive-frequency bins (a Nyquist bin cannot carry a fractional shift)
        spec = sfft.rfft(ref, self.period)[: half + 1]
        spec[0] *= 0.5
        self.spec = spec
        self.omega = 2 * np.pi * np.arange(half + 1) / self.period

    def at(self, offset: float, rho: float, count: int, derivative: bool = False) -> FloatArray:
        """The reference (and, with ``derivative``, its derivative in a second row) at (n + offset) / rho.

        ``sum_k X_k exp(+2 pi i k (n + offset) / (period rho))`` is the conjugate of ``ZoomFFT``'s
        ``sum_k conj(X_k) exp(-2 pi i k f_n)`` at ``f_n = (n + offset) / (period rho)`` (``fs`` 1):
        the same real part."""
        x = np.stack([self.spec, self.spec * (1j * self.omega)]) if derivative else self.spec
        f1 = offset / (self.period * rho)
        zoom = sps.ZoomFFT(x.shape[-1], [f1, f1 + count / (self.period * rho)], count, fs=1.0)
        out: FloatArray = (2.0 / self.period) * zoom(np.conj(x)).real
        return out


@dataclass(frozen=True)
class _Joint:
    """Delay, clock drift and gain of a reference fitted to a take, with their covariance."""

    tau: float  # delay of the reference's first frame, frames after the excerpt's ``pad``
    drift: float  # fractional: the recording's frame n holds the reference at (n - delay) / (1 + drift)
    gain: float
    cov: NDArray[np.float64]  # covariance of (tau, drift)
    explained: float  # energy of the fitted model (gain squared times the reference's): the better fit explains more

    def sigma_at(self, frame: float) -> float:
        """Standard deviation of the fitted delay of the reference's ``frame`` (the line's error there)."""
        c = self.cov
        return math.sqrt(max(float(c[0, 0] + 2 * frame * c[0, 1] + frame * frame * c[1, 1]), 1e-12))


#: Gauss-Newton steps of the joint delay-drift fit (it starts within a frame; 2 to 4 are typical)
_JOINT_STEPS = 8
#: bins the residual's periodogram is averaged over for the fit's noise spectrum
_JOINT_SMOOTH = 129
#: a piece placed this well (frames, its standard deviation) checks a fit to its carrier
_PIECE_SHARP = 0.25
#: the smallest uncertainty reported (frames): a clean synthetic take fits to 1e-5, no converter does
_JOINT_FLOOR = 1e-3


def _fit_delay_drift(ref: FloatArray, seg: FloatArray, pad: int, tau: float, drift: float) -> _Joint | None:
    """The maximum-likelihood delay and clock ratio: Gauss-Newton on ``seg ~ g s((j - pad - tau) /
    (1 + drift))``, ``s`` the band-limited reference, from a start within about a frame.

    Why not the delays of pieces of the reference: each piece's delay is measured alone and the
    line through them weighs what a taper left of each; fitting the whole take at once uses every
    frame at its full weight, and reaches the Cramer-Rao bound (delay and drift unknown together:
    about 0.016 frames for a 10 s MLS, 0.04 for a linear sweep at -20 dB SNR; a log sweep's start
    is extrapolated from its high end, where delays are sharpest, 0.26). The derivative of the
    model by the drift is the derivative by the delay times the time since the reference began,
    so one band-limited derivative serves both. A step that does not lower the residual is halved. The covariance is
    the sandwich with the residual's smoothed spectrum, so coloured noise is not taken for white.
    None when the fit cannot be made (a singular system: no usable signal)."""
    m = seg.size
    nfft = sfft.next_fast_len(m + 256)
    om = 2 * np.pi * np.arange(nfft // 2 + 1) / nfft
    frames = np.arange(m, dtype=np.float64)
    scale = float(ref.size)  # drift is solved for in frames at the reference's end: a well-scaled system
    warp = _Warp(ref, pad + 256)

    def model(tau: float, drift: float) -> tuple[FloatArray, FloatArray]:
        rho = 1.0 + drift
        uv = warp.at(-(pad + tau), rho, m, derivative=True)
        return uv[0], uv[1] / rho

    u, du = model(tau, drift)
    uu = float(np.dot(u, u))
    if uu <= 0:
        return None
    g = float(np.dot(seg, u)) / uu
    cost = float(np.sum((seg - g * u) ** 2))
    for _ in range(_JOINT_STEPS):
        jac = np.column_stack([-g * du, -g * du * (frames - pad - tau) / ((1.0 + drift) * scale), u])
        try:
            step = np.linalg.solve(jac.T @ jac, jac.T @ (seg - g * u))
        except np.linalg.LinAlgError:
            return None
        lam = 1.0
        for _ in range(5):
            nt, nd, ng = tau + lam * step[0], drift + lam * step[1] / scale, g + lam * step[2]
            nu, ndu = model(nt, nd)
            ncost = float(np.sum((seg - ng * nu) ** 2))
            if ncost <= cost:
                break
            lam *= 0.5
        else:
            break  # no step lowers the residual: at the minimum to rounding
        tau, drift, g, u, du, cost = nt, nd, ng, nu, ndu, ncost
        if abs(lam * step[0]) < 1e-4 and abs(lam * step[1]) < 1e-4:
            break
    if not (math.isfinite(tau) and math.isfinite(drift)) or abs(drift) > 2 * _DRIFT_MAX:
        return None
    jac = np.column_stack([-g * du, -g * du * (frames - pad - tau) / (1.0 + drift), u])
    bread = np.linalg.pinv(jac.T @ jac)
    periodogram = np.abs(sfft.rfft(seg - g * u, nfft)) ** 2 / m
    kernel = np.ones(_JOINT_SMOOTH)
    # a moving average, divided by the bins it covered (fewer at DC and Nyquist)
    noise = np.convolve(periodogram, kernel, mode="same") / np.convolve(np.ones(periodogram.size), kernel, mode="same")
    jf = sfft.rfft(jac, nfft, axis=0)
    wk = np.full(om.size, 2.0)
    wk[0] = 1.0
    if nfft % 2 == 0:
        wk[-1] = 1.0
    meat = ((jf.conj().T * (wk * noise)) @ jf).real / nfft
    cov = bread @ meat @ bread
    return _Joint(float(tau), float(drift), float(g), cov[:2, :2], float(g * g * np.dot(u, u)))


def _stretch(ref: FloatArray, ratio: float) -> FloatArray:
    """``ref`` as a clock running ``ratio`` times slower records it: sample n of the result is
    ``ref`` at n / ratio. Band-limited (FFT) resampling of ``ref`` padded with silence to a
    length M whose stretched length M * ratio is within 1/500 frame of a whole number, so the
    stretch is exact and nothing wraps around."""
    base = ref.size + 64
    r = ratio - 1.0
    m = base
    if r:
        cand = base + np.arange(int(min(4.0 / abs(r), 1 << 22)) + 1)
        err = np.abs(cand * ratio - np.round(cand * ratio))
        m = int(cand[int(np.argmax(err < 0.002))]) if np.any(err < 0.002) else int(cand[int(np.argmin(err))])
    padded = np.zeros(m)
    padded[: ref.size] = ref
    out_len = int(round(m * ratio))
    spec = sfft.rfft(padded)
    out = sfft.irfft(spec, out_len) * (out_len / m)
    return out[: int(math.floor((ref.size - 1) * ratio)) + 1]


# --------------------------------------------------------------------------------------------
# Fine detection: the harmonic model and a threshold from the residual noise
# --------------------------------------------------------------------------------------------

#: harmonics of the tone the fine model carries (the fundamental is 1); converters add the 2nd
#: and 3rd, clipped tones odd ones up to the 5th
FINE_HARMONICS = 5
#: blocks each side of a block that its phase is extrapolated from (a line fit: drift and a clock
#: offset left over after the frequency refinement are lines, a dropped frame is a step)
_STEP_WINDOW = 8
#: the smallest error the fine pass reports, relative to the tone's magnitude (-86 dB): below it
#: lie float rounding and the model's own curvature on a synthetic, noise-free take
_FINE_FLOOR = 5e-5
#: the smallest phase step the fine pass reports, in radians
_FINE_PHASE_FLOOR = 2e-5
#: the fine pass judges the residual's innovation when its lag-1 correlation exceeds this (coloured noise)
_FINE_WHITEN_RHO = 0.3
#: positions at each end of a fine block whose residual scale is measured apart (``_edge_scale``)
_FINE_EDGE = 8
#: blocks refitted without their outliers; a take damaged beyond this is reported by the coarse pass
_FINE_REFIT_BLOCKS = 4096


@counted_cache(maxsize=8)
def _edge_columns(block: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The positions of a block judged with a scale of their own (``_FINE_EDGE`` at each end) and
    the mid-block positions their scale is measured against (built once per block length,
    read-only)."""
    edges = np.concatenate((np.arange(_FINE_EDGE), np.arange(block - _FINE_EDGE, block))).astype(np.int64)
    centre = block // 2
    ref = np.arange(centre - _FINE_EDGE, centre + _FINE_EDGE, dtype=np.int64)
    edges.flags.writeable = False
    ref.flags.writeable = False
    return edges, ref


def _edge_scale(edge_abs: Any, ref_sq: Any) -> FloatArray:
    """How much louder the residual is at each edge position than mid-block, at least 1: the
    median over blocks of ``edge**2`` against the median of the mid-block samples' squares (both
    medians of a squared Gaussian, so their ratio is the ratio of variances)."""
    ref = _median1(ref_sq.ravel())
    if not ref > 0:
        return np.ones(edge_abs.shape[1])
    edge = _column_medians(edge_abs.astype(np.float64) ** 2)
    return np.maximum(np.sqrt(edge / ref), 1.0)


def _whitened(r: Any, rho: float, *, in_place: bool = False) -> Any:
    """``r[n] - rho * r[n-1]`` along the last axis, each block on its own; its first sample,
    which has no predecessor in the block, scaled by ``sqrt(1 - rho**2)`` (Prais-Winsten: the
    same variance as the rest; a block fit's residual is largest at its edges). ``in_place``:
    written over ``r`` (the same numbers: ``rho * r[n-1]`` is taken whole before the subtraction)."""
    if not rho:
        return r
    e = r if in_place else r.copy()
    e[..., 1:] -= rho * r[..., :-1]
    e[..., 0] *= math.sqrt(1.0 - rho * rho)
    return e


@counted_cache(maxsize=8)
def _block_ramp(block: int) -> tuple[FloatArray, FloatArray]:
    """``m`` = 0..block-1 and the centred ramp ``(m - (block-1)/2) / block`` of ``_fine_templates``,
    built once per block length (read-only)."""
    m = np.arange(block, dtype=np.float64)
    t = (m - (block - 1) / 2) / block
    m.flags.writeable = False
    t.flags.writeable = False
    return m, t


#: the fine model's columns are built at the take's refined frequency rounded to a multiple of
#: this many cycles per frame (``_fine_templates``)
_FINE_GRID = 1e-10


def _fine_grid(cyc: float) -> float:
    """``cyc`` rounded to the fine model's grid: the frequency its columns are built at."""
    return round(cyc / _FINE_GRID) * _FINE_GRID


def _fine_templates(cyc: float, block: int) -> tuple[FloatArray, FloatArray, int, NDArray[np.float32]]:
    """Columns of the per-block model and the pseudo-inverse of their Gram matrix, built at
    ``_fine_grid(cyc)`` once per grid point and block length (read-only).

    Why a grid: the frequency is refined per take, so every stretch of sound the listening check
    analyses asked for columns of its own (a 14x14 ``pinv`` and five harmonics' ``cos``/``sin``,
    ~0.2 ms, a fifth of a short take's fixed cost), though the refinements of one tone differ by
    ~1e-9 cycles a frame. Within half a grid step (5e-11) the columns' phase at a block's end
    (frame ``block - 1``) differs from the exact frequency's by at most ``2 pi h (block - 1) 5e-11``:
    8e-8 rad for the fundamental at 256 frames, which its amplitude/phase ramp columns follow (the
    fit leaves no more than with the exact frequency's columns: float64 rounding, ~1e-12 of the
    tone), and ``h`` times that for harmonic ``h``: an error of at most 4e-7 of the 5th harmonic's
    amplitude, under the float32 rounding of the samples themselves (6e-8 of full scale) for any
    harmonic below -17 dB of full scale, and 1/125 of the fine pass's smallest reported error
    (``_FINE_FLOOR``, 5e-5 of the tone) for a harmonic as loud as the tone. The per-block phase the pass reads
    moves by the same constant in every block (``2 pi (block - 1) / 2`` times the rounding, 4e-8
    rad), which the step test's block-to-block comparisons cancel.

    dc, a dc ramp, the fundamental with a linear amplitude/phase ramp (an AGC or a drifting clock
    is a slowly changing phasor, which a ramp follows within a block), and harmonics 2..5 below
    45 % of the rate. Returns (templates, inverse Gram, column of the fundamental's cosine, the
    templates in float32). Every harmonic's phases in one array, one ``cos`` and one ``sin`` for
    all of them (each number as a column of its own would give it: the same products, the same
    functions).
    """
    return _fine_templates_at(round(cyc / _FINE_GRID), block)


@counted_cache(maxsize=64)
def _fine_templates_at(grid_step: int, block: int) -> tuple[FloatArray, FloatArray, int, NDArray[np.float32]]:
    """``_fine_templates`` at ``grid_step * _FINE_GRID`` cycles a frame."""
    cyc = grid_step * _FINE_GRID
    m, t = _block_ramp(block)
    hs = [1]
    for h in range(2, FINE_HARMONICS + 1):
        if h * cyc >= 0.45:
            break
        hs.append(h)
    fund = 2
    ph = 2 * np.pi * np.mod(np.array([h * cyc for h in hs])[:, None] * m, 1.0)  # (harmonic, frame)
    cos, sin = np.cos(ph), np.sin(ph)
    tm = np.empty((block, 2 * len(hs) + 4))
    tm[:, 0] = 1.0
    tm[:, 1] = t
    tm[:, 2] = cos[0]
    tm[:, 3] = sin[0]
    tm[:, 4] = t * cos[0]
    tm[:, 5] = t * sin[0]
    tm[:, 6::2] = cos[1:].T
    tm[:, 7::2] = sin[1:].T
    ginv = np.linalg.pinv(tm.T @ tm)
    tm32 = tm.astype(np.float32)
    for a in (tm, ginv, tm32):
        a.flags.writeable = False
    return tm, ginv, fund, tm32


@dataclass(frozen=True)
class _FineEvent:
    start: int
    end: int
    peak: float
    count: int
    shift_frames: float  # phase step across the event, in frames (0 for a pop)
    stepped: bool


def _sliding_line(phi: FloatArray, w: FloatArray, win: int, side: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted line fit of ``phi`` over the ``win`` blocks before (side -1) or after (side +1)
    every block, evaluated at that block; returns (value, weight sum, variance factor): the value's
    variance per unit variance of one block's phase (0/1 weights), 0.61 with all ``win`` = 8
    neighbours, 1.5 with 4 of them (at the edge of a stretch of sound, before a mute or a pause).
    ``_sliding_lines`` gives both sides at once (the fine pass's)."""
    before, after = _sliding_lines(phi, w, win)
    return before if side < 0 else after


_Line = tuple[FloatArray, FloatArray, FloatArray]


def _sliding_lines(phi: FloatArray, w: FloatArray, win: int) -> tuple[_Line, _Line]:
    """``(_sliding_line(phi, w, win, -1), _sliding_line(phi, w, win, +1))`` in one pass, number
    for number: both sides read the same padded copies, and each of the five sums is one reduction
    over a (side, offset, block) array instead of one per side (half the calls: the fine pass asks
    for both sides of every stretch the listening check analyses). Under
    ``use_kernel("compiled")``, ``analysis_kernels.sliding_lines``: the same numbers."""
    kernels = _compiled_passes()
    if kernels is not None:  # the same sums in one loop (~20 numpy calls on a few hundred blocks)
        out = np.empty((6, phi.size))
        kernels.sliding_lines(np.ascontiguousarray(phi, dtype=np.float64), np.ascontiguousarray(w, dtype=np.float64),
                              int(win), out)
        return (out[0], out[1], out[2]), (out[3], out[4], out[5])
    j = np.arange(1, win + 1, dtype=np.float64)  # offsets of the window from the block
    n = phi.size
    # where each offset's shifted copy starts in the padding: the side before (-1), then after (+1)
    rows = np.concatenate((win - np.arange(1, win + 1), win + np.arange(1, win + 1)))
    pad_w = np.concatenate((np.zeros(win), w, np.zeros(win)))
    pad_y = np.concatenate((np.zeros(win), phi * w, np.zeros(win)))
    # The sums over the window's offsets, sum_j j**p * arr[k + j]: each offset's shifted copy is
    # a row, and a reduction over a side's rows (axis 1, not the contiguous one) adds them one
    # after the other from 0.0, in the order of ``j`` (numpy pairs up summands only along a
    # contiguous axis): the numbers of an explicit loop over ``j``, for both sides in one call.
    shifted_w = _windows(pad_w, n)[rows].reshape(2, win, n)
    shifted_y = _windows(pad_y, n)[rows].reshape(2, win, n)
    j1 = np.concatenate((-j, j)).reshape(2, win, 1)
    j2 = j1 * j1
    s0 = np.add.reduce(shifted_w, axis=1, initial=0.0)
    s1 = np.add.reduce(j1 * shifted_w, axis=1, initial=0.0)
    s2 = np.add.reduce(j2 * shifted_w, axis=1, initial=0.0)
    sy = np.add.reduce(shifted_y, axis=1, initial=0.0)
    sjy = np.add.reduce(j1 * shifted_y, axis=1, initial=0.0)
    det = s0 * s2 - s1 * s1
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(det > 1e-9, (s2 * sy - s1 * sjy) / det, np.nan)
        var = np.where(det > 1e-9, s2 / det, np.inf)
    return (value[0], s0[0], var[0]), (value[1], s0[1], var[1])


def _sliding_line_var(win: int) -> float:
    """``_sliding_line``'s variance factor with all ``win`` neighbours usable."""
    j = np.arange(1, win + 1, dtype=np.float64)
    s0, s1, s2 = float(win), float(j.sum()), float((j * j).sum())
    return s2 / (s0 * s2 - s1 * s1)


def _fine_events(
    x: NDArray[np.float32], first: int, nb: int, block: int, cyc: float, typical: float,
    busy: list[tuple[int, int]],
) -> list[_FineEvent]:
    """Pops and phase steps too small for the tolerance, found against the residual noise.

    Every block is fitted with the harmonic model of ``_fine_templates``; what is left over is
    noise plus damage. A sample is a pop candidate when it exceeds ``k`` robust sigmas of the
    residual of its neighbourhood (the median block RMS over +-8 blocks, so noise that rises
    with an AGC raises the bar with it); ``k`` grows with the number of samples judged so pure
    Gaussian noise crosses it about once in a thousand takes. A dropped or inserted frame is a
    step in the fundamental's phase from block to block: each block's phase is compared with
    the lines fitted through the blocks before and after it, and a step ``k`` robust sigmas
    of that comparison is one. ``busy`` spans (already reported) are left alone.
    """
    tm, ginv, fund, tm32 = _fine_templates(cyc, block)
    p = tm.shape[1]
    blocks = x[first: first + nb * block].reshape(nb, block)
    coef = np.empty((nb, p))
    rss = np.empty(nb)
    step = max(1, (1 << 16) // block)
    # in float32 (its rounding, ~1e-7 of full scale, is far below _FINE_FLOOR): the fit first,
    # then (below, once whether the residual is whitened is known) each block's residual energy
    # and largest residual sample
    edge_cols, ref_cols = _edge_columns(block)
    rmax_mid = np.empty(nb)
    edge_abs = np.empty((nb, edge_cols.size), dtype=np.float32)  # |residual| at the block edges
    ref_sq = np.empty((nb, ref_cols.size), dtype=np.float32)  # residual**2 mid-block
    mid = slice(_FINE_EDGE, block - _FINE_EDGE)
    for i in range(0, nb, step):
        coef[i: i + step] = (blocks[i: i + step] @ tm32).astype(np.float64) @ ginv
    # Coloured noise (a low-pass stage after the noise): the pop test's bar assumes a white
    # residual; a smooth noise bump has few independent samples per block, so one block in a
    # hundred peaks at 6-7 of its neighbours' RMS (measured on the simulated output after a
    # biquad: lag-1 correlation 0.98, a "3-frame click" of 1e-4 of the tone's magnitude). Judge
    # the innovation e[n] = r[n] - rho r[n-1] instead: a pop stays a pop (its first sample passes
    # whole, but on a block's first sample, see _whitened), a smooth bump is gone. White noise
    # (rho near 0) is judged as before.
    # rho is a property of the take's noise: 256 blocks spread over it tell it (a third of the
    # fine pass's cost when taken from every block)
    # A take of at most 256 blocks in one chunk (most stretches the listening check analyses):
    # every block is sampled, so the residual of the pass below is this one, the same products
    # of the same numbers, taken once (the picks, ``linspace`` with a step of exactly 1.0, are
    # ``arange(nb)``).
    # A longer take: the residual of every block, chunk by chunk, kept for the pass below (as
    # large as the take, in float32), and rho read from its picked rows instead of a product of
    # their own: a row of the matrix product ``coef @ tm32.T`` is the same numbers whichever
    # rows share the call. Not when the last chunk is one row (numpy multiplies a matrix by a
    # vector there, whose sums may round apart): the picks, which hold the last block, then have
    # their own product as before (tests/harness/test_analysis_kernels.py,
    # ``test_a_fine_pass_residual_row_is_the_same_whichever_rows_share_the_product``).
    whole: NDArray[np.float32]
    if nb <= 256 and nb <= step:
        whole = blocks - coef.astype(np.float32) @ tm32.T
        rs = whole.astype(np.float64)
    else:
        whole = np.empty((nb, block), dtype=np.float32)
        for i in range(0, nb, step):
            np.subtract(blocks[i: i + step], coef[i: i + step].astype(np.float32) @ tm32.T, out=whole[i: i + step])
        pick = _sorted_unique(np.linspace(0, nb - 1, min(nb, 256)).astype(np.int64))
        if nb % step == 1:
            rs = (blocks[pick] - coef[pick].astype(np.float32) @ tm32.T).astype(np.float64)
        else:
            rs = whole[pick].astype(np.float64)
    lag0 = np.einsum("ij,ij->i", rs[:, :-1], rs[:, :-1])
    lag1 = np.einsum("ij,ij->i", rs[:, 1:], rs[:, :-1])
    # at most 1, the bound of a correlation: the ratio is not held to it (its two sums are over
    # different frames), and a smooth residual, a noiseless take whose level the model's ramp does
    # not follow (an AGC on a low tone), reads above 1, where _whitened's first-sample scale
    # sqrt(1 - rho**2) does not exist
    rho = min(_median1(lag1 / np.maximum(lag0, 1e-300)), 1.0)
    whiten = rho if rho > _FINE_WHITEN_RHO else 0.0
    # one pass over the residual, whitened or not (the plain residual's figures were once taken
    # first and thrown away when the noise proved coloured: a fifth of the fine pass)
    for i in range(0, nb, step):
        # the kept residual is read here only: whitened and made absolute in its own memory
        e = _whitened(whole[i: i + step], whiten, in_place=True)  # the residual itself when the noise is white
        rss[i: i + step] = np.einsum("ij,ij->i", e, e, dtype=np.float64)
        ea = np.abs(e, out=e)
        rmax_mid[i: i + step] = np.max(ea[:, mid], axis=1)
        edge_abs[i: i + step] = ea[:, edge_cols]
        ref_sq[i: i + step] = ea[:, ref_cols] ** 2  # |e| squared: e squared, number for number
    # The residual of a block fit is not equally loud along the block: with coloured noise the
    # model (dc and amplitude ramps, the tone, harmonics) follows the noise worst at the block's
    # edges, and the whitening's first sample has no true predecessor. Measured on the simulated
    # output behind a 1 kHz low-pass: the first sample's residual 1.74x the mid-block's RMS, the
    # last 1.18x; judged at the mid-block bar, a noise sample there crossed 6.8 sigmas about once
    # in ten simulated minutes (a false "click" on a block boundary that moved with the analysis
    # grid). Each edge position's scale is measured on this take (median over its blocks, robust
    # to the few damaged ones) relative to mid-block samples, and its bar raised by it; never lowered.
    edge_scale = _edge_scale(edge_abs, ref_sq)
    rmax = np.maximum(rmax_mid, np.max(edge_abs / edge_scale.astype(np.float32), axis=1))
    position_scale = np.ones(block)
    position_scale[edge_cols] = edge_scale
    dof = max(block - p, 1)
    brms = np.sqrt(rss / dof)
    half = 8
    if nb > half:  # ``np.pad(brms, half, mode="reflect")``, its two mirrored ends copied directly
        padded = np.concatenate((brms[half:0:-1], brms, brms[-2:-half - 2:-1]))
    else:
        padded = np.pad(brms, half, mode="edge")
    local = _window_medians(padded, 2 * half + 1)
    floor = _FINE_FLOOR * typical
    sigma = np.maximum(local, floor / 6)
    k_pop = max(6.0, math.sqrt(2 * math.log(max(nb * block, 2))) + 2.0)
    thr = k_pop * sigma
    starts = first + block * np.arange(nb, dtype=np.int64)
    busy_mask = np.zeros(nb, dtype=bool)
    for s, e in busy:
        b0 = max((s - first) // block - 2, 0)
        b1 = min((e - first) // block + 3, nb)
        if b1 > b0:
            busy_mask[b0:b1] = True

    # pops: samples of the residual above the local threshold
    pos_l: list[NDArray[np.int64]] = []
    err_l: list[NDArray[np.float64]] = []
    hit_blocks = [np.flatnonzero((rmax > thr) & ~busy_mask)]
    # a pop leaks into the whole block's fit (a few % of it on every sample): refit each block
    # that has one without its outliers, so only the damaged samples stay above the threshold
    for bi in np.concatenate(hit_blocks)[:_FINE_REFIT_BLOCKS] if hit_blocks else ():
        xb = blocks[bi].astype(np.float64)
        keep_rows = np.ones(block, dtype=bool)
        c = coef[bi]
        for _ in range(3):
            r = np.abs(_whitened(xb - tm @ c, whiten)) / position_scale
            out_rows = r > thr[bi]
            if np.array_equal(~out_rows, keep_rows) or np.count_nonzero(~out_rows) < 2 * p:
                break
            keep_rows = ~out_rows
            c = np.linalg.lstsq(tm[keep_rows], xb[keep_rows], rcond=None)[0]
        coef[bi] = c
        r = np.abs(_whitened(xb - tm @ c, whiten))
        cols = np.flatnonzero(r / position_scale > thr[bi])
        pos_l.append(starts[bi] + cols)
        err_l.append(r[cols])
    pos = np.concatenate(pos_l) if pos_l else np.zeros(0, np.int64)
    perr = np.concatenate(err_l) if err_l else np.zeros(0)
    period = 1.0 / cyc
    gap = int(math.ceil(period))
    events: list[_FineEvent] = []
    pop_blocks = np.zeros(nb, dtype=bool)
    if pos.size:
        brk = np.flatnonzero(np.diff(pos) > gap) + 1
        heads = np.concatenate(([0], brk))
        tails = np.concatenate((brk, [pos.size])) - 1
        peaks = np.maximum.reduceat(perr, heads)
        # A pop through a band-limiting stage (a converter's low-pass, a resampler) rings on both
        # sides of its sample: the ring over a noise-level bar spans tens of frames (+-26 for a
        # 0.02 pop behind a 0.2 fs low-pass, -90 dBFS of noise) and its first sample lies that far
        # before the pop. The pop is where its error is: the samples within a quarter of its
        # peak (the main lobe; a sinc's first side lobe is 0.22 of it) place it, size it and
        # measure its extent. An undistorted pop or burst is its own core.
        ring = _ring_groups(pos, perr, heads, tails, peaks, int(1.5 * block))
        for h, t_, pk in zip(heads[~ring], tails[~ring], peaks[~ring], strict=True):
            core = np.flatnonzero(perr[h: t_ + 1] >= pk / 4) + h
            events.append(_FineEvent(int(pos[core[0]]), int(pos[core[-1]]) + 1, float(pk), int(core.size), 0.0, False))
        pop_blocks[np.unique((pos - first) // block)] = True

    # phase steps: each block's phase against lines through its neighbours
    z = (coef[:, fund] - 1j * coef[:, fund + 1]) * np.conj(_unit_phasor(cyc, starts))
    mag = np.abs(z)
    usable = (mag > 0.5 * typical) & (mag < 2.0 * typical) & ~pop_blocks & ~busy_mask
    phi = np.unwrap(np.angle(z))
    win = _STEP_WINDOW
    w = usable.astype(np.float64)
    (left, wl, var_l), (right, wr, var_r) = _sliding_lines(phi, w, win)
    d = right - left
    valid = (wl >= win // 2) & (wr >= win // 2) & np.isfinite(d)
    if np.count_nonzero(valid) >= 4 * win:
        # Each comparison is as noisy as its two lines: a block with 4 usable neighbours on a side
        # (the last ones before a pause or a mute) has a line twice as uncertain as one with 8.
        # Judged at the bar of the full windows, the last judged block before a pause made a false
        # one-frame "other" at 21 ms before it, once in a 24-hour soak; so each comparison is
        # scaled by its own standard error and the bar is set on the scaled ones.
        se = np.sqrt(np.where(valid, var_l + var_r, np.inf))
        dv = d[valid]
        med = _median1(dv)
        zv = (dv - med) / se[valid]
        spread = 1.4826 * _median1(np.abs(zv))  # one block phase's noise, radians
        k_step = max(6.0, math.sqrt(2 * math.log(max(nb, 2))) + 2.5)
        se_full = math.sqrt(2 * _sliding_line_var(win))  # a comparison with full windows each side
        dthr = k_step * np.maximum(spread * se, _FINE_PHASE_FLOOR * se / se_full)
        # a step within _STEP_WINDOW blocks of a reported glitch is that glitch's own shadow
        near = np.convolve(busy_mask.astype(np.float64), np.ones(2 * win + 3), mode="same") > 0
        hit = valid & (np.abs(d - med) > dthr) & ~near
        # one step per neighbourhood: its own windows make the blocks around it lean too
        dev = np.where(hit, np.abs(d - med) / np.where(valid, dthr, np.inf), 0.0)
        padded_dev = np.concatenate((np.zeros(win), dev, np.zeros(win)))
        local_max = np.max(_windows(padded_dev, 2 * win + 1), axis=1)
        seen: set[tuple[int, int]] = set()
        for kk in np.flatnonzero(hit & (dev >= local_max)):
            kk = int(kk)
            amp = _median1(mag[max(kk - win, 0): kk + win + 1])
            split = _step_boundary(phi, usable, kk, win)
            if split is None:
                shift = float(d[kk] - med) / (2 * np.pi * cyc)
                n0 = int(starts[max(kk - 1, 0)])
                n1 = int(starts[min(kk + 1, nb - 1)]) + block
                z_pre = amp * np.exp(1j * left[kk])
                z_post = amp * np.exp(1j * right[kk])
                pre = np.flatnonzero(usable[max(kk - win, 0): max(kk - 1, 0)]) + max(kk - win, 0)
                post = np.flatnonzero(usable[kk + 2: kk + win + 1]) + kk + 2
            else:
                # The block whose comparison deviates most is not always the step's own: near the
                # end of a stretch of sound the step's block and its neighbours have too few blocks
                # after them to be judged, and the deviation shows on a block whose right-hand
                # window straddles the step (a recovery's restart 4 blocks before a mute was put
                # 5 blocks early, outside the fault window it belongs to). The step is placed
                # where one line with a jump fits the blocks around it best.
                last_pre, first_post, ph_pre, ph_post = split
                if (last_pre, first_post) in seen:
                    continue
                seen.add((last_pre, first_post))
                shift = float(ph_post - ph_pre - med) / (2 * np.pi * cyc)
                n0 = int(starts[last_pre])
                n1 = int(starts[first_post]) + block
                z_pre = amp * np.exp(1j * ph_pre)
                z_post = amp * np.exp(1j * ph_post)
                lo = max(kk - win, 0)
                pre = np.flatnonzero(usable[lo: last_pre + 1]) + lo
                post = np.flatnonzero(usable[first_post: kk + win + 1]) + first_post
            at = _locate_step(x, n0, n1, z_pre, z_post, coef, pre, post, starts, cyc, fund, p)
            events.append(_FineEvent(at, at + 1, float(abs(z_post - z_pre)), 0, shift, True))
    return events


#: the most a band-limited impulse's ring can reach ``d`` frames from it, as a fraction of its peak,
#: times ``d``: an ideal low-pass at ``fc`` (fraction of the rate) is ``2 fc`` at its centre and at
#: most ``1 / (pi d)`` there, ``1 / (2 pi fc d)`` of the peak; 0.8 covers every band edge from 0.2
#: of the rate up (a converter, a resampler's anti-alias filter)
_RING_REACH = 0.8


def _ring_groups(pos: NDArray[np.int64], perr: FloatArray, heads: NDArray[np.int64], tails: NDArray[np.int64],
                 peaks: FloatArray, reach: int) -> NDArray[np.bool_]:
    """Which groups of the fine pass's over-threshold samples are another group's ring, not a
    burst of their own. A pop through a band-limiting stage rings on both sides of its sample and
    the ring beats (a 0.45 fs low-pass: its ring ``sin(0.1 pi d) / (pi d)`` peaks again 15 frames
    out); a small pop's ring crosses a noise-level bar only at those beats, in groups apart from
    the pop's own: a 0.010 pop on a 3 kHz tone at 8 kHz left groups at 2.5 % of its peak 14 frames
    each side, and the three together were an ``other`` of 29 frames placed 14 frames early. A
    group is a ring when a group at least 4 times taller (its first side lobe's bar, as the core's)
    lies within ``reach`` frames (where ``_fine_glitches`` joins them into one glitch anyway) and
    the group's peak is no more than a band-limited impulse's ring reaches at that distance
    (``_RING_REACH``); a glitch's count, place and kind then come from the tall group alone."""
    at = pos[heads + np.asarray([int(np.argmax(perr[h: t + 1])) for h, t in zip(heads, tails, strict=True)],
                                dtype=np.int64)]
    ring = np.zeros(heads.size, dtype=bool)
    for g in range(heads.size):
        d = np.abs(at - at[g]).astype(np.float64)
        ring[g] = bool(np.any((peaks >= 4 * peaks[g]) & (d <= reach) & (peaks[g] * d <= _RING_REACH * peaks)))
    return ring


def _step_boundary(
    phi: FloatArray, usable: NDArray[np.bool_], kk: int, win: int
) -> tuple[int, int, float, float] | None:
    """Where the phase of the usable blocks within ``win`` of block ``kk`` jumps: the split into
    a before and an after (two of each at least) that one common slope with two intercepts fits
    best. Returns the last block before, the first block after, and the phase of each side at
    the middle of the gap between them; ``None`` when too few blocks are usable to tell."""
    lo, hi = max(kk - win, 0), min(kk + win + 1, phi.size)
    idx = np.flatnonzero(usable[lo:hi]) + lo
    if idx.size < 5:
        return None
    t = (idx - kk).astype(np.float64)
    y = phi[idx]
    best: tuple[float, int, FloatArray] | None = None
    for m in range(2, idx.size - 1):
        a = np.zeros((idx.size, 3))
        a[:m, 0] = 1.0
        a[m:, 1] = 1.0
        a[:, 2] = t
        c = np.linalg.lstsq(a, y, rcond=None)[0]
        rss = float(np.sum((y - a @ c) ** 2))
        if best is None or rss < best[0]:
            best = (rss, m, c)
    assert best is not None
    _, m, c = best
    mid = (idx[m - 1] + idx[m]) / 2 - kk
    return int(idx[m - 1]), int(idx[m]), float(c[0] + c[2] * mid), float(c[1] + c[2] * mid)


def _locate_step(
    x: NDArray[np.float32], n0: int, n1: int, z_pre: complex, z_post: complex, coef: FloatArray,
    pre: NDArray[np.int64], post: NDArray[np.int64], starts: NDArray[np.int64], cyc: float, fund: int, p: int,
) -> int:
    """``_locate_jump`` with the whole model on each side: DC and harmonics taken from the blocks
    before (``pre``) and after (``post``) the step. A harmonic left out of both predictions
    beats against their difference and can pull the split by a quarter period."""
    def side(rows: NDArray[np.int64], z1: complex) -> FloatArray:
        n = np.arange(n0, n1, dtype=np.int64)
        if rows.size == 0:
            return _predict(n0, n1, z1, 0.0, cyc)
        out = np.full(n.size, _median1(coef[rows, 0]))
        out += np.real(z1 * _unit_phasor(cyc, n))
        h, col = 2, fund + 4
        while col + 1 < p:
            zh = (coef[rows, col] - 1j * coef[rows, col + 1]) * np.conj(_unit_phasor(h * cyc, starts[rows]))
            zm = complex(_median1(zh.real), _median1(zh.imag))
            out += np.real(zm * _unit_phasor(h * cyc, n))
            h, col = h + 1, col + 2
        return out

    seg = x[n0:n1].astype(np.float64)
    c_pre = np.concatenate(([0.0], np.cumsum((seg - side(pre, z_pre)) ** 2)))
    c_post = np.concatenate(([0.0], np.cumsum((seg - side(post, z_post)) ** 2)))
    return n0 + int(np.argmin(c_pre + (c_post[-1] - c_post)))


def _fine_glitches(
    x: NDArray[np.float32], events: list[_FineEvent], block: int, cyc: float, fs: int, ctx: int
) -> list[Glitch]:
    """Name the fine pass's events: a phase step (with any pop beside it, its transient) is a
    dropped or inserted run, a burst shorter than a period without one is a click."""
    period = 1.0 / cyc
    out: list[Glitch] = []
    events = sorted(events, key=lambda ev: ev.start)
    i = 0
    while i < len(events):
        group = [events[i]]
        reach = events[i].end
        i += 1
        while i < len(events) and events[i].start <= reach + int(1.5 * block):
            group.append(events[i])
            reach = max(reach, events[i].end)
            i += 1
        steps = [ev for ev in group if ev.stepped]
        pops = [ev for ev in group if not ev.stepped]
        s = min(ev.start for ev in group)
        e = max(ev.end for ev in group)
        peak = max(ev.peak for ev in group)
        shift = 0.0
        kind: GlitchKind
        if steps:
            step = max(steps, key=lambda ev: abs(ev.shift_frames))
            shift = step.shift_frames
            s = step.start  # where the phase switches (a step's transient may spread over the block)
            if abs(shift) >= 0.5:
                kind, size = ("dropped" if shift > 0 else "inserted"), int(round(abs(shift)))
            else:
                kind, size = "other", 1
        else:
            count = sum(ev.count for ev in pops)
            kind, size = ("click", max(count, 1)) if e - s < period else ("other", count)
        w0, w1 = max(0, s - ctx), min(x.size, e + ctx)
        out.append(Glitch(start_frame=s, end_frame=e, kind=kind, size=size, peak_error=peak,
                          phase_shift_frames=shift, level_change_db=0.0, waveform_start_frame=w0,
                          waveform=x[w0:w1].copy()))
    return out
