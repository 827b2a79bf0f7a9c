"""Program material inside a run: a user's file played (looped) through the system instead of the
test sine, and the device's output judged against it, stretch by stretch.

``soundcheck run|soak --program FILE.wav`` plays real material (music, speech) through the system
so that damage is judged on what users hear, not only on a sine. Two parts:

``load_program(path, sample_rate)``
    The file, validated before anything starts (a ``WavFileError``, exit 2, naming the file and the
    fix: missing, unreadable, another sample rate than the run's, too short, too long, silent),
    mixed to mono and scaled to a peak of ``PROGRAM_PEAK`` (the test sine's amplitude: the default
    chain's limiter never acts on it, so its gain steps are not mistaken for damage).
    ``Program.at(rate)`` is one loop of it at a device rate (the file's own rate, or resampled by
    FFT, which keeps the loop seamless, when a fault changed the device's rate): the simulated
    device plays that loop, and the judge compares with the very same samples.

``ProgramJudge``
    What ``harness.audio_check.AudioCheck`` asks instead of ``analyze_glitches`` when a program
    plays. A stretch of sound of the device's output (between silences) is located in the loop
    (near where the previous stretch predicts it, else by a search of the whole loop in pieces:
    a restarted stream starts the program from its beginning), then compared with the loop from
    there by ``reference_compare.compare_to_reference``: drops, inserted silence, repeated
    blocks, mutes and pops, each placed in the stretch. A silence of the output is a mute only
    where the program, at the position the last stretch predicts, was sounding (a pause in speech
    is not damage). Memory: the loop (``MAX_PROGRAM_S`` at most) and one stretch at a time.

Known limits: a stretch shorter than ``min_frames`` (~0.4 s at 48 kHz) between silences is not
analysed (counted unanalysed); a silence is judged a mute only where the predicted program is
louder than ``LOUD_DBFS`` (a mute of a passage quieter than that is missed); a program whose
loop repeats itself exactly may be located in the other copy, which compares the same. Frames
lost or added inside a pause of the program are heard as the sounds on either side of it no
longer sharing an alignment (``_moved``), placed over the silences between them, not to a frame;
where one alignment explains both sides (tone bursts a period off, a move of a pitch period in
voiced speech) nothing is heard. A restart with no silence before it is heard as the seam where
the program jumped (``_seam``). Measured by ``bench/bench_analysis.py --program-runs 3`` (10 s
runs, 4 kinds x 3 seeds): healthy runs 12/12 held with no glitch outside a window; under the
default fault profile 10/12 held, no glitch outside any window, and the two inconclusive runs
(tone bursts with silent gaps) left 3 windows' counted loss unheard (the loss fell between bursts
the comparison could not place uniquely). Under faults, read ``clean_audio`` of a program run of
pure tone bursts with that in mind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import fft as sfft
from scipy import signal as sps

from .analysis import open_wav, read_frames, read_wav_header
from .errors import AnalysisError, WavFileError
from .reference_compare import _block_size, compare_to_reference_stream

__all__ = ["LOUD_DBFS", "MAX_PROGRAM_S", "MIN_PROGRAM_S", "PROGRAM_PEAK", "Program", "ProgramJudge",
           "load_program"]

#: the shortest program looped (s): it must hold a few of the comparison's blocks and a lock
MIN_PROGRAM_S = 2.0
#: the longest program (s): the loop is kept in memory whole (60 s of 48 kHz mono is 11.5 MB)
MAX_PROGRAM_S = 60.0
#: the peak the program is played at (the test sine's amplitude)
PROGRAM_PEAK = 0.5
#: a silence of the output is a mute where the predicted program is louder than this (dBFS rms
#: per 256 frames, at ``PROGRAM_PEAK``)
LOUD_DBFS = -45.0
#: frames of the stretch's start before the reference begins (the lock needs the reference's
#: first frame inside the recording)
_LEAD = 64
#: past frames of the output in the path model: a system's DSP chain filters recursively (the
#: default chain's 1 kHz biquad rings past the comparison's FIR; see ``reference_compare._fit_path``)
RECURSIVE_TAPS = 4
#: the judge's noise floor is never below this far under the program's level. The simulated
#: device's path is almost noiseless (-90 dBFS of input noise, most of it filtered away by the
#: default chain's 1 kHz low-pass), which leaves the path model's own error on transients (drum
#: hits through a recursive filter, a chain's gain moving within a fit's window) as the floor:
#: single-frame departures of up to 8e-4 (-42 dB of the program's level) were called pops in
#: healthy stretches of faulted runs with a floor at -80 dB; at -50 dB the threshold (k = 7
#: sigmas) sits at ~2e-3 of a 0.1-rms program, below a 0.005 pop (the sine's is 0.01-0.02)
FLOOR_DB = -50.0
#: the path model is fitted per window this long: a system's chain holds still for seconds (no
#: AGC, one clock), and a long window holds broad-band passages, so that a window of one
#: sustained tone does not leave the filter undetermined off that tone (its next onset was then
#: a false pop); ~8x fewer fits than the standalone comparison's 0.125 s
WINDOW_S = 0.5
_SEARCH_S = 0.25  # how far from the predicted position a stretch is first looked for
_PROBE_S = 0.75  # how much of a stretch's start locates it
_PIECE = 1 << 18  # the whole-loop search correlates this many loop frames at a time
_MIN_LOCATE = 2048  # the shortest run of sound located in the loop (frames)
_PIECE_LOCATE = 16384  # a run of sound is located in pieces this long (a jump is cut at their edges)
#: sounds whose loop positions agree with the timeline to within this many frames are one group
_GROUP_SLACK = 4096
#: a stretch whose program runs this many ppm off the device's clock (and 2 frames or more over
#: the stretch) lost or gained frames: on one clock the program cannot drift
_DRIFT_PPM = 20.0
#: a seam inside a run of sound is placed per this many frames
_SEAM_BLOCK = 256
#: a seam is heard where each side's own alignment explains it (median normalised correlation of
#: its blocks at least this) and the other alignment does not (at most ``_SEAM_FAILS``)
_SEAM_HOLDS = 0.8
_SEAM_FAILS = 0.5
#: a move across a silence is heard when larger than this (frames)
_UNIQUE_LAG = 16
#: one alignment explains the sounds on both sides of a silence when both correlate above this
#: with it (a tone burst's true alignment does at ~0.9; voiced speech a pitch period or two off
#: reached 0.56 on both sides of a 1024-frame gap)
_SHARED = 0.75
#: how much of the sounds on either side of a silence places them (frames)
_STEP_PROBE = 8192


@dataclass
class Program:
    """A program file, mono, scaled to ``PROGRAM_PEAK``, and its loops at the rates asked for."""

    path: str
    sample_rate: int
    samples: NDArray[np.float32] = field(repr=False)
    scale: float  # what the file's samples were multiplied by
    _loops: dict[int, NDArray[np.float32]] = field(default_factory=dict, repr=False)

    @property
    def seconds(self) -> float:
        return self.samples.size / self.sample_rate

    def at(self, rate: int) -> NDArray[np.float32]:
        """One loop at ``rate`` (resampled by FFT: periodic, so the loop's seam stays seamless)."""
        rate = int(rate)
        loop = self._loops.get(rate)
        if loop is None:
            if rate == self.sample_rate:
                loop = self.samples
            else:
                n = int(round(self.samples.size * rate / self.sample_rate))
                loop = sps.resample(self.samples.astype(np.float64), n).astype(np.float32)
            loop.flags.writeable = False
            self._loops[rate] = loop
        return loop

    def describe(self) -> dict[str, Any]:
        return {"path": self.path, "sample_rate": self.sample_rate, "seconds": round(self.seconds, 6),
                "scale": float(f"{self.scale:.6g}"), "peak": PROGRAM_PEAK}


def load_program(path: str | Path, sample_rate: int) -> Program:
    """The program file at ``path`` for a run at ``sample_rate``; a ``WavFileError`` (exit 2)
    naming the file and the fix when it cannot be played."""
    p = Path(path)
    audio = open_wav(p)  # missing, a directory, not a WAV, no frames: WavFileError already
    short = read_wav_header(p).cut_short(p)
    if short is not None:  # a damaged copy, played as if whole: the user's program is not what runs
        raise WavFileError(p, f"is cut short: its header promises {short['header_frames']} frames, the file holds "
                              f"{short['frames']} ({short['missing_s']:.3f} s missing); a program is played "
                              "whole: copy or export the file again (or rewrite its header for the frames "
                              "there, e.g. `sox IN.wav OUT.wav`)")
    if audio.sample_rate != int(sample_rate):
        raise WavFileError(p, f"is sampled at {audio.sample_rate} Hz but the run plays at {sample_rate} Hz; "
                              f"resample the file to {sample_rate} Hz (e.g. `sox IN.wav -r {sample_rate} "
                              f"OUT.wav`), or run at {audio.sample_rate} Hz (stream.sample_rate in --config)")
    seconds = audio.frames / audio.sample_rate
    if seconds < MIN_PROGRAM_S:
        raise WavFileError(p, f"holds {seconds:.2f} s of audio; a program must last at least {MIN_PROGRAM_S:g} s "
                              "(it is looped): give a longer excerpt")
    if seconds > MAX_PROGRAM_S:
        raise WavFileError(p, f"holds {seconds:.1f} s of audio; a program may last at most {MAX_PROGRAM_S:g} s "
                              "(it is looped and kept in memory): cut an excerpt")
    try:
        mono = np.zeros(audio.frames, dtype=np.float64)
        for ch in range(audio.channels):
            mono += read_frames(audio, 0, audio.frames, ch)
    except OSError as exc:
        raise WavFileError(p, f"cannot read: {exc.strerror or exc}") from None
    mono /= audio.channels
    if not np.all(np.isfinite(mono)):
        raise WavFileError(p, "contains NaN or infinite samples; the file is corrupt")
    peak = float(np.max(np.abs(mono)))
    if peak < 1e-4:
        raise WavFileError(p, f"is silent (peak {peak:.2g} of full scale, channels mixed to mono); "
                              "give a file with sound in it")
    scale = PROGRAM_PEAK / peak
    return Program(str(p), int(audio.sample_rate), (mono * scale).astype(np.float32), scale)


@dataclass(frozen=True)
class ProgramGlitch:
    """One departure from the program in a stretch (frames of the stretch), shaped as
    ``analysis.Glitch`` is where ``AudioCheck`` reads it."""

    start_frame: int
    end_frame: int
    kind: str
    size: int
    peak_error: float
    waveform: NDArray[np.float32] = field(repr=False)
    waveform_start_frame: int


@dataclass
class ChunkResult:
    """What ``ProgramJudge.judge_chunk`` found in a stretch of the ring (frames of the stretch)."""

    glitches: list[ProgramGlitch] = field(default_factory=list)
    mutes: list[tuple[int, int]] = field(default_factory=list)  # silences where the program sounded
    analysed: list[tuple[int, int]] = field(default_factory=list)  # compared frames
    notes: list[tuple[int, int, str]] = field(default_factory=list)  # what could not be located or followed


@dataclass(frozen=True)
class StretchReport:
    glitches: list[ProgramGlitch]
    analysed_start_frame: int
    analysed_end_frame: int
    position: int  # the loop position of the stretch's first frame


def _take(loop: NDArray[np.float32], start: int, n: int) -> NDArray[np.float64]:
    """``n`` frames of the loop from ``start`` (any integer: it wraps)."""
    idx = (np.arange(start, start + n, dtype=np.int64)) % loop.size
    return loop[idx].astype(np.float64)


def _best_match(probe: NDArray[np.float64], seg: NDArray[np.float64]) -> tuple[int, float]:
    """Where in ``seg`` ``probe`` fits best (offset) and the normalised correlation there."""
    rho = _match_curve(probe, seg)
    k = int(np.argmax(np.abs(rho)))
    return k, float(rho[k])


def _match_curve(probe: NDArray[np.float64], seg: NDArray[np.float64]) -> NDArray[np.float64]:
    """The normalised correlation of ``probe`` with ``seg`` at every offset of it in ``seg``."""
    m = probe.size
    nfft = sfft.next_fast_len(seg.size + m)
    corr = sfft.irfft(np.conj(sfft.rfft(probe, nfft)) * sfft.rfft(seg, nfft), nfft)[: seg.size - m + 1]
    cs = np.concatenate(([0.0], np.cumsum(seg * seg)))
    ep = max(float(np.dot(probe, probe)), 1e-30)
    # a silent stretch of the loop has (almost) no energy: floored, so that it never "matches"
    e = np.maximum(cs[m:] - cs[:-m], 1e-3 * ep)
    return corr / np.sqrt(e * ep)


class ProgramJudge:
    """Locates and compares stretches of a device's output against a looped program (see the
    module docstring). One per ``AudioCheck``; ``new_epoch(rate)`` when the device's rate changes."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.rate = program.sample_rate
        self.loop = program.at(self.rate)
        #: (timeline frame, loop position) of the latest sound located, or None
        self._anchor: tuple[int, int] | None = None
        #: the anchor as the previous chunk left it (for a silence at a chunk's start)
        self._before: tuple[int, int] | None = None
        self.full_searches = 0
        self._loud = 10 ** (LOUD_DBFS / 20)

    def new_epoch(self, rate: int) -> None:
        self.rate = int(rate)
        self.loop = self.program.at(self.rate)
        self._anchor = self._before = None

    def min_frames(self) -> int:
        """The shortest stretch that can be compared (the comparison's eight blocks and the lead)."""
        return 9 * _block_size(self.rate) + _LEAD

    # -- silences -------------------------------------------------------------------------------
    def _muted(self, anchors: list[tuple[int, int]], f0: int, f1: int, block: int = 256) -> list[tuple[int, int]]:
        """The parts of the silence over timeline frames ``f0..f1`` that are mutes: where the
        program, aligned by every one of ``anchors`` (timeline frame, loop position), sounds.
        Block by block: a silence that begins in the program's pause and runs into a fault's
        lost frames is a mute from where the program sounded on, not from its start (the pause
        before a fault window was called a mute outside it). Up to a block's slack at each end
        for the alignment's error, a quarter of the silence at most. Without an anchor (nothing
        located yet), all of it."""
        if not anchors:
            return [(f0, f1)]
        slack = min(block, (f1 - f0) // 4)
        a, b = f0 + slack, f1 - slack
        if b <= a:
            return []
        nb = max((b - a) // block, 1)
        loud = np.ones(nb, dtype=bool)
        for tf, pos in anchors:
            ref = _take(self.loop, pos + (a - tf), b - a)
            ms = np.array([np.mean(c ** 2) for c in np.array_split(ref, nb)])
            loud &= ms >= self._loud ** 2
        edges = np.flatnonzero(np.diff(np.concatenate(([0], loud.astype(np.int8), [0]))))
        cuts = np.linspace(a, b, nb + 1).round().astype(np.int64)
        out = []
        for i, j in zip(edges[::2], edges[1::2]):
            out.append((f0 if i == 0 else int(cuts[i]), f1 if j == nb else int(cuts[j])))
        return out

    def judge_chunk(self, x: NDArray[np.float32], base: int, runs: list[tuple[int, int, bool]]) -> ChunkResult:
        """Judge a stretch of the ring: ``runs`` are its (start, end, silent) runs of blocks, in
        order, covering it; ``base`` is the timeline frame of ``x[0]``.

        Every run of sound is located in the loop; neighbours the loop places consistently (one
        after the other as on the timeline, to within the comparison's search) are one group,
        the silences between them included, and each group long enough is compared as one. Every
        silence is a mute unless the program, aligned as the sound before it (else after it)
        says, pauses there: inside a group too, where the comparison's path fit would take a
        window of silence for a path that passes nothing (a half-second mute heard as nothing).
        With sound on both sides, the silence is the program's pause when either side's alignment
        says so (a stream restarted in it leaves the side before it stale). Frames lost or added
        inside a pause are not heard (reporting the alignment's move across a pause was tried:
        tone bursts locate a period off, and it called healthy pauses steps)."""
        out = ChunkResult()
        # every run of sound, located piece by piece and cut where its place in the loop jumps
        # (a stream restarted without a silence between: the program starts again from its top)
        sounds: list[tuple[int, int, int | None]] = []
        size = self.loop.size
        for a, b, silent in runs:
            if silent:
                continue
            cuts = list(range(a, b, _PIECE_LOCATE))
            if len(cuts) > 1 and b - cuts[-1] < _MIN_LOCATE:
                cuts.pop()
            cuts.append(b)
            for q0, q1 in zip(cuts[:-1], cuts[1:]):
                pos = None
                if q1 - q0 >= _MIN_LOCATE:
                    try:
                        pos = self._locate(np.asarray(x[q0:q1], dtype=np.float64), base + q0)
                    except AnalysisError as exc:
                        out.notes.append((q0, q1, str(exc)))
                    else:
                        self._anchor = (base + q0, pos)
                if sounds and sounds[-1][1] == q0 and pos is not None and sounds[-1][2] is not None:
                    pa, _, pp = sounds[-1]
                    off = (pos - pp - (q0 - pa)) % size
                    if min(off, size - off) <= _GROUP_SLACK:
                        sounds[-1] = (pa, q1, pp)  # the same alignment: one stretch
                        continue
                sounds.append((q0, q1, pos))
        groups: list[list[int]] = []
        for i, (a, _, pos) in enumerate(sounds):
            if groups and pos is not None:
                j = groups[-1][-1]
                aj, _, pj = sounds[j]
                if pj is not None:
                    off = (pos - pj - (a - aj)) % self.loop.size
                    if min(off, self.loop.size - off) <= _GROUP_SLACK:
                        groups[-1].append(i)
                        continue
            groups.append([i])
        spans: list[list[Any]] = []  # [start, end, loop position of start] per group
        for i, g in enumerate(groups):
            spans.append([sounds[g[0]][0], sounds[g[-1]][1], sounds[g[0]][2]])
            if i == 0 or spans[-2][1] != spans[-1][0] or spans[-1][2] is None:
                continue
            # two groups with no silence between: the program jumped in one run of sound (a
            # stream restarted without a pause plays it from its top). The seam is placed and
            # heard here; each side is compared up to it
            last = sounds[groups[i - 1][-1]]
            if last[2] is None:
                continue
            seam = self._seam(x, last[0], last[2], spans[-1][0], spans[-1][2], spans[-2][0], spans[-1][1])
            if seam is None:
                continue
            c, jump = seam
            spans[-2][1] = c
            spans[-1][2] = (spans[-1][2] - (spans[-1][0] - c)) % size
            spans[-1][0] = c
            w0 = max(0, c - 600)
            out.glitches.append(ProgramGlitch(c, c + 1, "dropped" if jump > 0 else "repeated", abs(jump), 0.0,
                                              x[w0:c + 1800], w0))
        for a, b, pos in spans:
            if pos is None or b - a < self.min_frames():
                continue
            try:
                rep = self._compare(x[a:b], pos)
            except AnalysisError as exc:
                out.notes.append((a, b, str(exc)))
                continue
            out.analysed.append((a + rep.analysed_start_frame, a + rep.analysed_end_frame))
            for e in rep.glitches:
                out.glitches.append(ProgramGlitch(a + e.start_frame, a + e.end_frame, e.kind, e.size,
                                                  e.peak_error, e.waveform, a + e.waveform_start_frame))
        # silences outside every group: the program's pause, or a mute
        prev: tuple[int, int] | None = self._before
        last: tuple[int, int, int] | None = None  # the latest located sound of this stretch
        judged: set[tuple[int, int]] = set()  # pairs of sounds whose alignments were compared
        k = 0
        for a, b, silent in runs:
            while k < len(sounds) and sounds[k][1] <= a:
                if sounds[k][2] is not None:
                    prev = (base + sounds[k][0], sounds[k][2])
                    last = sounds[k]  # type: ignore[assignment]
                k += 1
            if not silent:
                continue
            nxt = next(((base + sa, sp) for sa, _, sp in sounds[k:] if sp is not None), None)
            after = next((sd for sd in sounds[k:] if sd[2] is not None), None)
            pair = (last[0], after[0]) if last is not None and after is not None else None
            moved = self._moved(x, last, after) if pair is not None and pair not in judged else None  # type: ignore[arg-type]
            if pair is not None:
                judged.add(pair)
            if moved is not None:
                # the program moved between the two sounds: frames lost or added in the silences
                # between them (a device gap in a pause of speech), heard as the sounds on either
                # side no longer lining up. Where, between them, is not known: the glitch spans
                # all of it (a word too short to locate may lie between two silences)
                g0, g1 = last[1], after[0]  # type: ignore[index]
                w0 = max(0, g0 - 600)
                out.glitches.append(ProgramGlitch(g0, g1, "dropped" if moved > 0 else "inserted_silence",
                                                  abs(moved), 0.0, x[w0:g0 + 1800], w0))
            # a stream restarted in the silence (the program from its top), or frames lost in
            # it, leave the alignment before it stale: the program's pause by either side's word
            for m0, m1 in self._muted([s for s in (prev, nxt) if s is not None], base + a, base + b):
                out.mutes.append((m0 - base, m1 - base))
        self._before = self._anchor
        return out

    def _moved(self, x: NDArray[np.float32], before: tuple[int, int, int], after: tuple[int, int, int]) -> int | None:
        """Loop frames the program moved by across the silence between two located sounds
        (``(start, end, loop position of start)`` in frames of ``x``): > 0 frames lost, < 0
        added; None when it did not move, or when either side's place is not certain.

        The move is heard where no alignment explains both sides: no lag near the alignment
        before, out to the move, explains both sounds (normalised correlation above ``_SHARED``
        for each), while each sound follows its own alignment (``_SEAM_HOLDS``). A tone burst matches itself a period away, so its place
        may be found a period off and a step between two bursts' places is then the alias, not a
        loss (healthy pauses between tone bursts were called steps that way): the true alignment
        explains both bursts, and nothing is heard."""
        (a1, b1, p1), (a2, b2, p2) = before, after
        size = self.loop.size
        moved = int(((p2 - p1) - (a2 - a1) + size // 2) % size - size // 2)
        if abs(moved) <= _UNIQUE_LAG:
            return None
        t0, u1 = max(a1, b1 - _STEP_PROBE), min(b2, a2 + _STEP_PROBE)
        if b1 - t0 < _MIN_LOCATE or u1 - a2 < _MIN_LOCATE:
            return None
        reach = min(abs(moved) + _SEAM_BLOCK, size // 2)
        pb = np.asarray(x[t0:b1], dtype=np.float64)
        pa = np.asarray(x[a2:u1], dtype=np.float64)
        rb = _match_curve(pb, _take(self.loop, p1 + (t0 - a1) - reach, 2 * reach + pb.size))
        ra = _match_curve(pa, _take(self.loop, p1 + (a2 - a1) - reach, 2 * reach + pa.size))
        own_b = float(np.max(rb[reach - 2:reach + 3]))
        own_a = float(np.max(ra[reach + moved - 2:reach + moved + 3]))
        if min(own_b, own_a) < _SEAM_HOLDS:
            return None
        if float(np.max(np.minimum(rb, ra))) > _SHARED:
            return None  # one alignment explains both: the program did not move
        return moved

    def _seam(self, x: NDArray[np.float32], fa: int, pa: int, fb: int, pb: int, lo: int,
              hi: int) -> tuple[int, int] | None:
        """Where, between ``lo`` and ``hi`` (frames of ``x``), the sound stops following the loop
        as aligned before (frame ``fa`` at loop position ``pa``) and follows it as aligned after
        (``fb`` at ``pb``), and the jump (loop frames skipped: > 0 dropped, < 0 repeated); None
        unless each alignment explains its own side and not the other's (a program that repeats
        itself, a bar played again, compares the same either way: no seam is heard there).

        Per ``_SEAM_BLOCK`` frames, each alignment's normalised correlation with the output; the
        seam is where "the first, then the second" explains most (the blocks silent in the
        program are left out), refined to a frame by the two alignments' squared errors."""
        size = self.loop.size
        off = (pb - fb) - (pa - fa)  # loop frames the program moved by at the seam
        jump = int((off + size // 2) % size - size // 2)
        if jump == 0:
            return None
        blk = _SEAM_BLOCK
        a0 = max(lo, fb - _PIECE_LOCATE - 2 * blk)
        b0 = min(hi, fb + _PIECE_LOCATE)
        nb = (b0 - a0) // blk
        if nb < 4:
            return None
        y = np.asarray(x[a0:a0 + nb * blk], dtype=np.float64).reshape(nb, blk)
        r_a = _take(self.loop, pa + (a0 - fa), nb * blk).reshape(nb, blk)
        r_b = _take(self.loop, pb + (a0 - fb), nb * blk).reshape(nb, blk)
        ey = np.einsum("ij,ij->i", y, y)

        def rho(r: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
            er = np.einsum("ij,ij->i", r, r)
            ok = (er > self._loud ** 2 * blk) & (ey > 0)
            return np.einsum("ij,ij->i", y, r) / np.sqrt(np.maximum(ey * er, 1e-30)), ok

        ra, oka = rho(r_a)
        rb, okb = rho(r_b)
        ca = np.concatenate(([0.0], np.cumsum(np.where(oka, 1.0 - ra, 0.0))))
        cb = np.concatenate(([0.0], np.cumsum(np.where(okb, 1.0 - rb, 0.0))))
        k = int(np.argmin(ca + (cb[-1] - cb)))  # blocks before k follow a, from k on b
        before, after = slice(max(k - 8, 0), k), slice(k, min(k + 8, nb))
        sides = (ra[before][oka[before]], rb[after][okb[after]],   # each side by its own alignment
                 rb[before][okb[before]], ra[after][oka[after]])   # and by the other's
        if any(v.size < 2 for v in sides):
            return None
        if min(float(np.median(sides[0])), float(np.median(sides[1]))) < _SEAM_HOLDS or \
                max(float(np.median(sides[2])), float(np.median(sides[3]))) > _SEAM_FAILS:
            return None
        # to a frame: the squared error of each alignment (its gain fitted on its own side)
        f0 = a0 + max(k - 2, 0) * blk
        f1 = a0 + min(k + 2, nb) * blk
        yy = np.asarray(x[f0:f1], dtype=np.float64)
        qa = _take(self.loop, pa + (f0 - fa), f1 - f0)
        qb = _take(self.loop, pb + (f0 - fb), f1 - f0)
        m = (k * blk + a0) - f0
        ga = float(np.dot(yy[:m], qa[:m]) / max(float(np.dot(qa[:m], qa[:m])), 1e-30))
        gb = float(np.dot(yy[m:], qb[m:]) / max(float(np.dot(qb[m:], qb[m:])), 1e-30))
        ea = np.concatenate(([0.0], np.cumsum((yy - ga * qa) ** 2)))
        eb = np.concatenate(([0.0], np.cumsum((yy - gb * qb) ** 2)))
        return f0 + int(np.argmin(ea + (eb[-1] - eb))), jump

    # -- stretches ------------------------------------------------------------------------------
    def _locate(self, x: NDArray[np.float64], frame0: int) -> int:
        """The loop position of ``x[0]``: near the prediction if it is there, else a search of
        the whole loop in pieces; an ``AnalysisError`` when the stretch is not in the program."""
        fs = self.rate
        probe = x[: min(x.size, int(_PROBE_S * fs))]
        probe = probe - probe.mean()
        if float(np.sqrt(np.mean(probe ** 2))) < 1e-5:
            raise AnalysisError("the stretch's start is too quiet to find in the program")
        if self._anchor is not None:
            tf, pos = self._anchor
            guess = pos + (frame0 - tf)
            reach = int(_SEARCH_S * fs)
            k, rho = _best_match(probe, _take(self.loop, guess - reach, 2 * reach + probe.size))
            if rho >= 0.5:
                return (guess - reach + k) % self.loop.size
        self.full_searches += 1
        best_k, best_rho = 0, -1.0
        size = self.loop.size
        for s in range(0, size, _PIECE):
            k, rho = _best_match(probe, _take(self.loop, s, min(_PIECE, size - s) + probe.size))
            if rho > best_rho:
                best_k, best_rho = s + k, rho
        if best_rho < 0.3:
            raise AnalysisError(f"the stretch was not found in the program (best correlation {best_rho:.2f}): "
                                "is the system playing what it was given?")
        return best_k % size

    def _drifted(self, xs: NDArray[np.float64], pos: int, end: int, moved: float) -> bool:
        """Whether the sound before ``end`` (frames of the stretch, whose first frame is at loop
        position ``pos``) follows the loop ``moved`` frames off the stretch's start alignment
        better than on it. A track that followed tone bursts from alias to alias a period off
        made a slope of 38 000 ppm out of a healthy stretch: the start's alignment still
        explained its end."""
        m = int(round(abs(moved)))
        f0 = max(end - _STEP_PROBE, 0)
        probe = xs[f0:end]
        if probe.size < _MIN_LOCATE:
            return True
        reach = m + 2
        rho = _match_curve(probe, _take(self.loop, pos + f0 - reach, 2 * reach + probe.size))
        on = float(np.max(rho[reach - 2:reach + 3]))
        off = max(float(np.max(rho[:5])), float(np.max(rho[-5:])))
        return off > on

    def _compare(self, x: NDArray[np.float32], pos: int) -> StretchReport:
        """Compare ``x`` with the loop from ``pos`` (the loop position of ``x[0]``)."""
        xs = np.asarray(x, dtype=np.float64)
        n = xs.size
        start = pos + _LEAD
        loop = self.loop
        rep = compare_to_reference_stream(
            lambda a, b: xs[a:b], n, lambda a, b: _take(loop, start + a, b - a), n - _LEAD, self.rate,
            max_latency_s=_SEARCH_S, window_s=WINDOW_S, max_glitches=10_000, recursive_taps=RECURSIVE_TAPS,
            floor_db=FLOOR_DB, one_clock=True, lock=float(_LEAD))
        glitches = []
        span = rep.analysed_end_frame - rep.analysed_start_frame
        moved = rep.drift_ppm * 1e-6 * span
        if abs(rep.drift_ppm) >= _DRIFT_PPM and abs(moved) >= 2 and self._drifted(xs, pos, rep.analysed_end_frame, moved):
            # one clock plays and hears: the program cannot drift. A steady slope is frames lost
            # (or added) a few at a time, too often for the track to call each a step (a ring
            # that loses a frame per wrap looked like a 244 ppm clock)
            a0 = rep.analysed_start_frame
            glitches.append(ProgramGlitch(a0, rep.analysed_end_frame, "dropped" if moved < 0 else "repeated",
                                          int(round(abs(moved))), 0.0, x[a0:a0 + 2400], a0))
        for g in rep.glitches:
            w0 = max(0, g.start_frame - 600)
            glitches.append(ProgramGlitch(g.start_frame, g.end_frame, g.kind, int(g.size_frames), g.peak_error,
                                          x[w0:g.start_frame + 1800], w0))
        return StretchReport(glitches, rep.analysed_start_frame, rep.analysed_end_frame, pos)
