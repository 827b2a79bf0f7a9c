"""Glitches in program material: a recording compared with the reference that was played.

A steady sine lets the glitch analyser predict every sample from the tone itself; music or speech
cannot predict itself, so here the reference that was played is the prediction. The recording is
the reference passed through a system: delayed by a fractional number of frames, scaled (slowly
varying gain), resampled by a clock a few ppm off, band-limited by a converter, plus noise. What
that model cannot explain is a glitch.

How (and why)
-------------
1. Lock: the first seconds of the reference are found in the recording by cross-correlation
   (``analysis.measure_latency_stream``): the start delay and the polarity. Where that finds no
   unique match (tone bursts: a tone matches itself a period away), the bursts' envelope places
   the head to a few frames and the carrier's peak within that reach to a fraction of one
   (``_envelope_lock``), or the refusal stands. Within that reach the carrier's best peak can be
   an alias (notes of 2-6 kHz under a drifting clock: the truth decorrelated by the drift, an
   alias a few periods off matching better); where the whitened correlation (``_phase_peak``:
   every frequency weighed alike, so a drum hit's broadband spread outweighs the tones) stands
   clear inside the reach, the carrier's peak nearest it is taken instead.
2. Track: the recording is cut into blocks of ``B`` frames (~43 ms); each loud block is found in
   the reference within +-``B`` frames of where the track so far predicts it, at the peak of the
   *normalised* correlation (the raw one leans toward where the reference is louder, frames off
   on a slow waveform), read between frames. Its delay, to a fraction of a frame, is one point
   of a delay track. Where the correlation is a narrow-band block's fringes (a linear sweep),
   a fringe nearer the prediction is read at its top between frames before a taller-looking one
   is taken (``_fringe_nearer``). The first block matched may overturn the lock's
   polarity when the other matches it clearly better (a drifting linear sweep's head correlates
   best inverted, a fringe off). A block found off the predicted delay is believed at the same
   correlation as one on it when its peak is the top of the prediction's own correlation lobe
   (a drop or an insert moved it within the lobe); a peak across a valley (a pitch period's
   alias) must match clearly better. Once the matched blocks show the path cutting a band (a
   converter's low-pass), a block whose reference lies above that band's edge is not tracked: the
   recording holds only the filter's stop band of it, placed by the filter's phase, not the
   path's delay (a sweep's top). Between glitches the track is a line (the
   clock drift); a dropped run makes it step down by the run's length, an inserted run (silence,
   or a block played twice) up. A step is only believed when the blocks after it agree, so one
   badly matched block (a pop, a mute) is not a step; a block that straddles a step (its delay
   between the two levels) is fitted to neither line. Where a sweep nears a converter's cut-off
   the path's delay curves, and points after a drop that lie off the line on the side that curve
   never reaches are a step with two of them on a side (the track's last two, or two before it).
3. Confirm: a step between two lines (neighbours across a step shorter than a block, with no
   pause between them, refitted with one slope: one clock runs through both) is kept only when
   "one line, then the other" leaves clearly less error around it than any single line, the
   noise's share taken off both errors, and what it takes off stands clear of
   what a second line takes off noise alone (a converter delays a drum and a bass note by
   different fractions of a frame, so the track wanders and a wander can pass for a step; under
   heavy noise, the noise is most of the error and no line explains it). A step that falls a
   little short of that over two blocks each side is read again over up to six: a real step's
   share grows with the frames one line mistimes, a split placed in noise does not. A line whose points
   shift level by half a frame or more, clearly over their scatter, is first split there
   (``_split_wander``): a converter's wander can hide a 1-frame step from the point-by-point
   rule, and the recording, not the points, then says whether it is one. Each step kept is
   sized from the recording (``_measure_step``), not from the wandering points' levels.
4. Predict: for every stretch of the track between steps, the reference is interpolated (windowed
   sinc) at the positions the track's line maps the recording's frames to; a short FIR filter
   and its linear change over the window (an AGC), fitted by least squares per ~0.125 s window
   (a window that holds a drop cut in two there, ``_window_edges``), take in the converter's
   band-limiting, the gain and whatever fraction of a frame the track got wrong. The fit is made in the judged band only (both signals low-passed first): below
   ``_JUDGE_CUTOFF`` of the rate, or below 0.8 x the path's band edge, read off the matched
   blocks' power spectra, when a converter cuts lower. A reference on an integer grid has
   its rounding's share taken out of the fit (``_debiased``) unless the recording says that
   rounding was played; a window where the judge finds a glitch is fitted again with an
   impulse at each glitch as a regressor of its own, so the glitch does not bend the filter.
5. Judge: the band-limited residual is compared sample by sample with ``k`` robust sigmas of the
   residual's own local floor (1.4826 x median |residual| per 128 frames, the median of those
   over +-8: a pop does not raise it, and the signal's level does not enter it); ``k`` grows
   with the recording's length so noise alone almost never crosses it. On a noiseless path the
   floor is the comparison's own error, so it is never below ``_MODEL_FLOOR`` of the prediction's
   local peak nor below the files' quantisation (read off the samples), and it follows the
   residual's own level over a stretch where that clearly leaves the noise (the model's error
   at a transient), up to ``_MODEL_CAP`` of the local peak. Where the threshold is
   crossed, the step in the track nearest the burst (if any; each step names one burst, the
   nearest: a pop a block before a drop is a pop) says dropped / inserted (and the inserted frames,
   silent or not, say inserted silence or a repeated block), a run of silence where the
   reference is loud says mute, a burst where the recording falls short of the prediction at
   the prediction's peaks only says clipped (``_compressed_span``: clipping, saturation; the
   bursts of one overdriven stretch, each within ``_CLIPPED_GAP_S`` of the next, are one clipped
   glitch across it, ``_one_clipped_stretch``), a burst shorter than a millisecond says pop (a burst that is only the judge filter's ring of the
   impulses found is as long as they are). Such a short burst, heard two blocks or more from
   every step in a window longer than ``_CONFIRM_BLOCKS`` blocks (a ``window_s`` over 0.125 s, or
   a long stretch split evenly), is kept only when a window of that many blocks about it hears
   it too (``_confirmed``): a long window's filter and its change are free in a band a sweep
   excites once, and a sweep's fade-in met them as a false pop. Not with a recursive path model
   (``recursive_taps``, a run's program check), which needs its long window. The silence the
   reference plays before it first sounds (speech's 0.2 s lead-in), before the first window, is
   judged against silence (``_lead_in_events``): the recording less its running median (a DC
   offset), in the judged band, over the noise's robust sigma; a burst there is a pop. From the
   lead-in's end to the first block the track matched (a soft onset: the reference sounding,
   but under 2 % of its level, a block too quiet to follow), one more window is judged along
   the first line, a block past that start (``_onset_window``); its bursts before the followed
   span are added, never named clipped. The first line holds the level after a step in the
   first matched block or before it, so a drop there leaves the frames before it misaligned, a
   burst ending before it: the loudest burst longer than a pop that starts before that block's
   end (the onset's or the followed span's) is tested for a step with the line held after it
   (``_step_before_first_block``, ``_hidden_step``'s ``held_after``), and one found is a step of
   the track and the onset is judged again along the level before it. Where none is found, a
   burst starting before that block's end that the first line moved by 1-2 frames before a later
   split explains (its residual under half its peak) is named nothing: a drop too quiet to
   confirm, or a glitch, the recording cannot tell (``_burst_explained_by_a_step``).

Memory: the recording and the reference are read a window at a time (``read_rec``/``read_ref``
callables, as ``analysis.read_frames`` gives for a ``WavStream``); the delay track (one float per
block) is the only thing kept for the whole file.

Known limits: on strongly tonal material (a sustained chord) a block matches itself a pitch
period away almost as well as in place, so an inserted or repeated run can first be followed to
such an alias and reported as two steps (a drop then an insert, sizes netting to the run) a few
blocks apart, and where the recording confirms no step between a line and its alias (notes of
2-6 kHz), the line with more points is kept for both stretches; a peak clipped at one frame only is
a ``pop`` (no level held at two frames, too few peak frames to read a shortfall at; clipped at two
or more, even far apart, it is ``clipped``: ``_flattened_span``), and a pop within ``_CLIPPED_GAP_S`` of a
clipped stretch is reported as part of it; a step is located and sized only where the reference is loud on both sides of it (a
drop inside a pause of speech takes nothing audible away and is not reported); a step larger than
``B`` frames re-locks only when the blocks after it are found again (reported as ``other``);
content above the judged band (``_JUDGE_CUTOFF`` of the rate, or 0.8 x a converter's band edge)
is not judged, so a 1-sample pop shows at ~0.7 of its height and the sensitivity follows the
noise left in the band; a reference of steady tones whose bursts repeat evenly (or a held
chord) is refused at the lock (the carrier matches itself a period away and the envelope a burst
away: "no unique match"), which is an inconclusive answer, not a verdict; a recording that goes
silent (or becomes something else) before the reference ends is not followed there and reads
``partial``, not ``mute``; a drop or an insert inside the lock's first 1.5 s of tone bursts
splits the carrier's peak the envelopes point at into two nearly alike, and the comparison
refuses as inconclusive, saying so; a sweep past a converter's low-pass is compared only while
the path passes it (a linear sweep through 0.05 fs at 44.1 kHz: its first ~0.3 s; the CLI says
which stretch was not analysed, on every verdict); inside that stretch a 1-frame drop of one
swept tone (a phase step of 0.19 rad at 1.34 kHz) that the track cannot see as a step (one firm
point after it before the followed span ends) is taken by the window's filter and its change over
the window into their response and spread over the window, under the judge's threshold; the
window's residual peak (a block or more from any burst the judge heard) is then tested for a step
of one or two frames (``_hidden_step``), which the recording confirms by the error one filter leaves
with and without it (where it holds none, the window's next peak a block from it is tested: a
sweep's fade-in peaks at the followed span's start); its split is read at every frame about the
best a halving search found (``_splits_refitted``); a window that holds a drop found so is judged
again, cut there. A step's place is the split the recording supports best,
and ``position_uncertainty_frames`` says how well: where the two delays' predictions differ by
little for long (a bass line's flat trough) under heavy noise, by a hundred frames and more.
How small a drop the step test can confirm under noise is ``_STEP_SIGNIFICANCE`` noise variances
of what the drop leaves that no one delay explains (``bench_analysis.step_energy`` reads it off a
take): a 1-frame drop on that bass trough leaves 8.7 of them under -40 dBFS of noise. The path
model holds the recording's DC offset and its linear drift over each window (``_with_offset``):
without them the offset stayed in the residual and its robust sigma (the judge's floor) read it,
0.01 of DC a noise of ~0.015, which hid a 0.01 pop anywhere in the take.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy import fft as sfft
from scipy import linalg as sla
from scipy import ndimage as ndi
from scipy import signal as sps
from scipy.stats import chi2
from scipy.stats import t as student_t

from .analysis import _quantum, _stretch, fractional_delay, measure_latency_stream
from .blas import with_one_blas_thread
from .errors import AnalysisError, UsageError

FloatArray = NDArray[np.float64]
Reader = Callable[[int, int], Any]

RefGlitchKind = Literal["dropped", "inserted_silence", "repeated", "mute", "pop", "clipped", "other"]
REF_GLITCH_KINDS: tuple[RefGlitchKind, ...] = ("dropped", "inserted_silence", "repeated", "mute", "pop", "clipped",
                                               "other")

#: taps of the per-window filter that models the converter (band-limiting, gain, sub-frame delay)
FIR_TAPS = 49
#: half-length of the windowed-sinc interpolator that resamples the reference along the track
_SINC_HALF = 32
#: frames a block's delay must leave the track's line by to be a step (a step is a whole number
#: of frames; the rest is the delay estimate's own noise on narrow-band material)
_STEP_MIN = 0.7
#: a block whose delay lies this far (frames) from the level the two blocks after it agree on,
#: when all three are off the line before them, straddles the step: it starts no line of its own;
#: a point taken into a line this far off it is not fitted (``_lines``)
_STRADDLE = 0.35
#: a pop is a burst of residual shorter than this (seconds)
_POP_MAX_S = 1e-3
#: the path fit's Tikhonov ridge, relative to its normal matrix's trace: above the matrix's own
#: rounding (~1e-15 of the trace, built by exact cumulative sums) and no more. At 1e-9 the ridge
#: shrank the filter along directions a window excites weakly (the high band of a note's attack),
#: a model error of ~-70 dB of the signal at every transient: on a noiseless path that was
#: hundreds of sigmas of the floor, false glitches in 9 of 20 clean takes
_RIDGE = 1e-13
#: a comparison is ``partial`` when more loud material than this (seconds) was never compared at
#: its ends. A healthy take's track misses up to 3 blocks (0.128 s at 48 kHz) at an edge, where
#: the material fades or a converter's low-pass leaves a block less alike than a match needs
#: (measured over the bench's 10 materials x 11 conditions); a bass line under a +-100 ppm clock
#: lost the reference after 0.13 s and 1 s of a 2 s take, and a pop after that was never seen
PARTIAL_MIN_S = 0.25
#: the judge's floor is never below this fraction of the band-limited prediction's local peak
#: (+-1 sub-block): the path model's own precision. The windowed-sinc interpolator alone is off by
#: up to 5e-5 (-86 dB) in the judged band, varying with the fraction of a frame (a drifting clock
#: moves it within a window), and a 49-tap filter matches an 8th-order converter low-pass to
#: ~-70 dB of the local peak on noise-like material; on a noiseless path that error, not noise,
#: is the floor (``bench_analysis.py --reference``, the noiseless rows)
_MODEL_FLOOR = 3e-4
#: where the residual's own level rises over a stretch (``_own_floor``), the floor follows it up
#: to this fraction of the prediction's local peak (-50 dB), and no further: the model's error at
#: a transient through a steep converter low-pass reaches ~-55 dB of the local peak on a
#: noiseless path, while a mute, a drop or a repeated block departs by the signal itself
_MODEL_CAP = 3e-3

#: times a window is fitted again with the rows of the glitches it was found to hold left out
#: (each time the largest new one): a glitch's own rows then leave the filter alone
_REFITS = 3


def _own_floor(e: FloatArray, hop: int = 64) -> FloatArray:
    """Per frame, the largest robust sigma (1.4826 x median |e|) of the two 2-hop blocks that
    cover its hop: where the model's error spreads over a transient (a hundred frames and more),
    the floor there follows it; a pop, a few frames, moves no median."""
    nh = -(-e.size // hop)
    a = np.abs(np.pad(e, (0, nh * hop - e.size), mode="edge")).reshape(nh, hop)
    if nh < 2:
        rob = 1.4826 * np.median(a, axis=1)
        return np.repeat(rob, hop)[: e.size]
    pairs = 1.4826 * np.median(np.concatenate((a[:-1], a[1:]), axis=1), axis=1)  # block i: hops i, i + 1
    own = np.maximum(np.concatenate((pairs[:1], pairs)), np.concatenate((pairs, pairs[-1:])))
    out: FloatArray = np.repeat(own, hop)[: e.size]
    return out


def _local_peak(x: FloatArray, sb: int = 128) -> FloatArray:
    """Per frame, the largest |x| over its own sub-block of ``sb`` frames and the two beside it."""
    nsb = -(-x.size // sb)
    pk = np.max(np.abs(np.pad(x, (0, nsb * sb - x.size))).reshape(nsb, sb), axis=1)
    pk = np.maximum(pk, np.maximum(np.concatenate((pk[1:], pk[-1:])), np.concatenate((pk[:1], pk[:-1]))))
    out: FloatArray = np.repeat(pk, sb)[: x.size]
    return out


def _window_floor(e: FloatArray, fit: FloatArray, ref_level: float, rel: float,
                  q: float, silenced: NDArray[np.bool_] | None = None) -> tuple[FloatArray, float]:
    """The judge's sigma, frame by frame, for residual ``e`` of a window whose band-limited
    prediction is ``fit``, and the noise floor's median (``_local_floor``).

    The floor is never below the model's own precision at the local level (``_MODEL_FLOOR`` of
    the prediction's local peak), nor below ``q``, the files' quantisation: int16 silence is
    exact zeros, and a 1-LSB step in a decay was the only thing in the residual there (a false
    pop of 3e-5 on a noiseless path). It follows the residual's own level where that clearly
    leaves the noise over a stretch (``_own_floor``), up to ``_MODEL_CAP`` of the local peak.
    ``silenced``: the window's silenced sub-blocks (``_silenced_blocks``), left out of the
    floor's medians.
    """
    sigma, floor_med = _local_floor(e, ref_level, rel, silenced)
    peak = _local_peak(fit)
    sigma = np.maximum(sigma, np.maximum(_MODEL_FLOOR * peak, q))
    own = _own_floor(e)
    # only where it clearly leaves the noise: in noise alone the larger of two 128-frame
    # estimates runs ~10 % over the wide median, which cost a 0.001 pop at -80 dBFS
    own = np.where(own > 2.0 * sigma, np.minimum(own, _MODEL_CAP * peak), 0.0)
    return np.maximum(sigma, own), floor_med


#: a sub-block (128 frames) of the judged band whose recording keeps less than this share of the
#: prediction's RMS, and no more than the window's noise, fell silent (``_silenced_blocks``)
_SILENCED_BLOCK = 0.25
#: the chance a stretch of the noise alone is read louder than the noise (``_noise_bound``)
_SILENT_TAIL = 1e-4
#: a burst over whose middle half the recording keeps under this share of the prediction's RMS
#: (-20 dB) is silent even above the noise (``_silent_span``): what is left there is the path's
#: ring of the silence's edges, not the signal. A converter's low-pass at 0.35 fs rings ~4 % of
#: the signal 11 frames into a silence, the middle of a 1 ms mute at 44.1 kHz, far above the
#: noise on a noiseless int16 path or at -80 dBFS
_SILENT_DEEP = 0.1
#: the share of a window a silence and its filters' reach may take out of the path fit: a 50 ms
#: mute holds about half a 0.125 s window; past this the window's fit keeps it
_SILENCED_MOST = 0.6


def _noise_bound(frames: int, cutoff: float) -> float:
    """How many times the noise's variance the mean square of ``frames`` frames of the noise
    alone, in the judged band below ``cutoff`` (fraction of the rate), stays under but for a
    ``_SILENT_TAIL`` chance: a chi-square of the stretch's independent values (2 x ``cutoff``
    per frame), over their count. The bound follows the rate: 1 ms is 44 frames at 44.1 kHz
    and 96 at 96 kHz, and more independent values scatter less."""
    dof = max(2.0 * cutoff * frames, 1.0)
    return float(chi2.isf(_SILENT_TAIL, dof)) / dof


def _silenced_blocks(e: FloatArray, fit: FloatArray, noise_var: float, cutoff: float,
                     sb: int = 128) -> NDArray[np.bool_]:
    """Per sub-block of ``sb`` frames of a window (residual ``e``, band-limited prediction
    ``fit``, both in the judged band below ``cutoff``), whether the recording (``e + fit``) fell
    silent there while the prediction sounds: it keeps under ``_SILENCED_BLOCK`` of the
    prediction's RMS *and* no more than the noise (``noise_var``, ``_noise_bound``), where the
    prediction holds at least ``_SILENCED_LOUD`` of the window's RMS.

    In such a sub-block the residual is the missing signal itself: least squares bends the
    window's filter towards explaining it, and the judge's floor (the median of the residual's
    robust sigmas over +-8 sub-blocks) reads it instead of the noise wherever the silence covers
    half of them. A 1920-frame mute of music at 96 kHz under -50 dBFS of noise was never
    reported, and a 960-frame one near a window's end raised the floor from 0.0036 to 0.021 over
    its own residual (0.11). The share alone marked sub-blocks of noiseless tone bursts through a
    converter, whose recording there is not silent but only quieter than the first fit's
    prediction, and the floor left out beside them gave false pops: a silence is at the noise."""
    nsb = e.size // sb
    if nsb < 4:
        return np.zeros(max(nsb, 1), dtype=bool)
    f = fit[: nsb * sb].reshape(nsb, sb)
    r = f + e[: nsb * sb].reshape(nsb, sb)
    ms_fit = np.einsum("ij,ij->i", f, f) / sb
    ms_rec = np.einsum("ij,ij->i", r, r) / sb
    loud = ms_fit >= _SILENCED_LOUD ** 2 * float(np.mean(fit ** 2))
    out: NDArray[np.bool_] = (loud & (ms_rec < _SILENCED_BLOCK ** 2 * ms_fit)
                              & (ms_rec <= _noise_bound(sb, cutoff) * noise_var))
    return out


def _silent_span(e: FloatArray, fit: FloatArray, i0: int, i1: int, noise_var: float, cutoff: float) -> bool:
    """Whether the recording (``e + fit``, judged band below ``cutoff``) is silent over the burst
    ``i0..i1`` of the residual while the prediction sounds: over the burst's middle half (its
    edges hold the judge filter's ring of the signal around a silence), the recording's mean
    square is no more than the noise's (``noise_var``, ``_noise_bound`` of that many frames)
    and under ``_SILENCED_BLOCK`` squared of the prediction's.

    A mute as short as ``_POP_MAX_S`` never held a run of quiet frames that long under noise
    (frame by frame, the noise crosses any level near its own), and 1 ms mutes of music at
    96 kHz under -50 dBFS were named ``pop`` or ``other``; over the stretch, the noise's mean
    square is known to within the bound. A recording under ``_SILENT_DEEP`` of the prediction
    there is silent whatever the noise: a 1 ms mute at 44.1 or 48 kHz (44-48 frames) holds the
    path's ring of its edges over most of its middle half (at 44.1 kHz, 2.7 to 4842 times the
    noise bound on the noiseless and -80 dBFS paths, at 0.0001-0.002 of the prediction's mean
    square: ``bench/bench_mute_grid.py``'s takes), and was
    named ``other`` (``pop`` once narrowed to a short core). Only a burst the judge already
    found is named by this, so no glitch is added where there was none."""
    n = i1 - i0
    a, b = i0 + n // 4, i1 - n // 4
    if b - a < 8 or noise_var <= 0:
        return False
    r = e[a:b] + fit[a:b]
    ms_rec = float(np.mean(r ** 2))
    ms_fit = float(np.mean(fit[a:b] ** 2))
    if ms_rec < _SILENT_DEEP ** 2 * ms_fit:
        return True
    return ms_rec < _SILENCED_BLOCK ** 2 * ms_fit and ms_rec <= _noise_bound(b - a, cutoff) * noise_var


#: the stretch each side of a burst (seconds) whose loud and middling frames say whether the
#: recording fell short of the prediction at its peaks only (``_compressed_span``): a few periods
#: of a 200 Hz note
_COMPRESSED_REACH_S = 5e-3
#: the prediction's frames at or above this share of the stretch's peak are its peaks ...
_COMPRESSED_TOP = 0.8
#: ... and those between these shares its middling frames
_COMPRESSED_MID = (0.2, 0.5)
#: the least relative shortfall at the peaks (1 %) over the middling frames' that names a burst
#: compressed, and the least multiple of the middling frames' own shortfall it must be
_COMPRESSED_LEAST = 0.01
_COMPRESSED_RATIO = 2.0
#: the fewest peak frames a compressed burst's stretch holds: a median of one or two frames is a
#: pop's, not a level's
_COMPRESSED_FRAMES = 4


def _compressed_span(e: FloatArray, fit: FloatArray, i0: int, i1: int, fs: int) -> bool:
    """Whether the burst ``i0..i1`` of the residual ``e`` is the recording falling short of the
    prediction ``fit`` at its peaks and not elsewhere: clipping or saturation (a converter driven
    past full scale, a gain stage into its rails, a soft limiter).

    Over ``_COMPRESSED_REACH_S`` each side of the burst, the relative shortfall of the recording,
    ``-e / fit`` (the recording's level under the prediction's, as a share of it), is read at the
    prediction's peaks and at its middling frames (medians: a pop is one frame and moves
    neither). Hard clipping takes 1.5-37 % off the peaks and nothing off the middle, a tanh
    saturation ~10 % off the peaks and ~3 % off the middle, while a level that fell (a gain
    step) takes the same share off both, and a pop or the model's error at a transient neither.
    The window's fit may lower the gain to meet the clipped peaks half way, which raises the
    middling frames over the prediction: their shortfall then reads negative, which the rule
    allows. Only a burst the judge found is named by this: it adds no glitch."""
    w = int(_COMPRESSED_REACH_S * fs)
    a, b = max(i0 - w, 0), min(i1 + w, e.size)
    f, r = fit[a:b], e[a:b]
    lp = float(np.max(np.abs(f))) if f.size else 0.0
    if lp <= 0.0:
        return False
    u = np.abs(f) / lp
    short = -r * np.sign(f) / np.maximum(np.abs(f), 1e-30)
    top = u >= _COMPRESSED_TOP
    mid = (u >= _COMPRESSED_MID[0]) & (u <= _COMPRESSED_MID[1])
    if int(top.sum()) < _COMPRESSED_FRAMES or not mid.any():
        return False
    d_top, d_mid = float(np.median(short[top])), float(np.median(short[mid]))
    return d_top >= _COMPRESSED_LEAST + max(d_mid, 0.0) and d_top >= _COMPRESSED_RATIO * d_mid


#: a recording flattened at its peak: at least this many frames of the window at the burst's
#: largest magnitude (within the files' quantum; not neighbours as a rule: a drum hit's peaks are
#: single frames, clipped one by one), at one of which, near the burst, the prediction exceeds
#: that level by at least ``_FLAT_EXCESS`` of it (``_flattened_span``)
_FLAT_RUN = 2
_FLAT_EXCESS = 0.01


def _flattened_span(x: FloatArray, fit: FloatArray, i0: int, i1: int, fs: int, quantum: float) -> bool:
    """Whether the burst ``i0..i1`` lies where the recording ``x`` (the window's frames, aligned
    with the prediction ``fit`` over the whole band) reaches its largest magnitude over ``_COMPRESSED_REACH_S`` each
    side, a level it holds at ``_FLAT_RUN`` frames or more of the window, and the prediction
    rises past that level at one of them in the reach: a peak clipped alone. One peak clipped
    by a few frames (hard clipping at 0.7 of music's peak that touched one peak; at 0.89, three
    single frames 164-420 frames apart) holds too few peak frames for ``_compressed_span``'s
    medians and was named a ``pop`` or an ``other``. A pop, a gain step or noise leaves no level
    held at several frames that the prediction exceeds; two frames quantised alike at a sine's
    top are one level, but there the prediction does not exceed it by ``_FLAT_EXCESS``. Only a
    burst the judge found is named by this: it adds no glitch."""
    w = int(_COMPRESSED_REACH_S * fs)
    n = min(x.size, fit.size)
    a, b = max(i0 - w, 0), min(i1 + w, n)
    if b <= a:
        return False
    level = float(np.max(np.abs(x[a:b])))
    if level <= 0.0:
        return False
    tol = max(quantum, 1e-9 * level)
    at_top = np.abs(np.abs(x[:n]) - level) <= tol  # at that level, not over it (louder frames elsewhere)
    if int(at_top.sum()) < _FLAT_RUN:
        return False
    near = at_top[a:b] & (np.sign(fit[a:b]) == np.sign(x[a:b])) & (np.abs(fit[a:b]) >= level * (1.0 + _FLAT_EXCESS))
    return bool(near.any())


def _impulse_reach(e: FloatArray, sigma: FloatArray, found: list[int], judge: FloatArray,
                   k_thr: float) -> NDArray[np.bool_]:
    """Per frame of ``e``, whether an impulse found at a frame of ``found`` reaches it through the
    judge filter by at least half the threshold (``k_thr`` sigmas): the frames over the
    threshold around a pop are its ring, not glitches of their own."""
    jh = judge.size // 2
    out = np.zeros(e.size, dtype=bool)
    for i in found:
        ring = np.abs(judge) / abs(float(judge[jh])) * abs(float(e[i]))  # the impulse's answer, centred
        lo = max(i - jh, 0)
        reach = ring[lo - i + jh: min(i + jh + 1, e.size) - i + jh] >= 0.5 * k_thr * sigma[lo: i + jh + 1]
        out[lo: lo + reach.size] |= reach
        out[max(i - 2, 0): i + 3] = True
    return out


@dataclass(frozen=True)
class ReferenceGlitch:
    """One place where the recording departs from the reference.

    ``start_frame``/``end_frame`` count in the recording (``end_frame`` exclusive);
    ``reference_frame`` is where in the reference it happened. ``size_frames`` is the run dropped,
    inserted or muted (for a pop or a clipped stretch, the samples above the threshold); ``peak_error`` the largest
    departure from the prediction in the judged band (full scale 1.0; a 1-sample pop's peak
    shows at ~0.7 of its height).
    """

    start_frame: int
    end_frame: int
    kind: RefGlitchKind
    size_frames: int
    peak_error: float
    reference_frame: float
    #: a drop's or repeat's ``start_frame`` is where the two delays' predictions split the
    #: recording best; the recording supports every split within this many frames of it about as
    #: well (``_locate_step``'s likelihood interval): under heavy noise, on a bass line's flat
    #: stretch, a 5-frame drop's place is known to +-100 frames, and a place read there is no
    #: closer than that. 0 for the other kinds (placed by the residual's burst)
    position_uncertainty_frames: int = 0

    def to_dict(self) -> dict[str, Any]:
        out = {"start_frame": self.start_frame, "end_frame": self.end_frame, "kind": self.kind,
               "size_frames": self.size_frames, "peak_error": float(f"{self.peak_error:.6g}"),
               "reference_frame": float(f"{self.reference_frame:.7g}")}
        if self.position_uncertainty_frames:
            out["position_uncertainty_frames"] = self.position_uncertainty_frames
        return out


@dataclass(frozen=True)
class ReferenceReport:
    """What ``compare_to_reference`` found: the alignment and every departure from it."""

    sample_rate: int
    frames: int  # of the recording
    reference_frames: int
    latency_frames: float  # where the reference's first frame lies in the recording
    drift_ppm: float  # clock drift measured along the track
    polarity: int
    gain_db: float  # median gain of the path
    noise_rms: float  # median residual the judge's threshold is built on
    analysed_start_frame: int
    analysed_end_frame: int
    glitches: list[ReferenceGlitch] = field(default_factory=list)
    truncated: bool = False
    #: frames of the reference's loud blocks that lie where the reference plays in the recording
    #: but outside the stretch the track followed (``analysed_start_frame..analysed_end_frame``):
    #: never compared, so nothing is known of them
    unfollowed_frames: int = 0
    loud_frames: int = 0  # frames of the loud blocks the track looked for
    #: half the width of the interval about ``drift_ppm`` that holds the clock's drift at 99 %, as
    #: the track's points' scatter about its lines says, widened by how far the take's halves'
    #: slopes part from the whole's (a bias running smoothly along the take, ``_drift_uncertainty``);
    #: None when too few points were left to say it
    drift_uncertainty_ppm: float | None = None

    @property
    def clean(self) -> bool:
        """No glitch found *and* every loud stretch compared: a report that followed the
        reference through part of the recording only is not clean, it is ``partial``."""
        return not self.glitches and not self.partial

    @property
    def partial(self) -> bool:
        """More of the reference's loud blocks went uncompared than an edge explains
        (``PARTIAL_MIN_S``): the track lost the reference, and a glitch past that point could not
        have been found. Glitches found in the compared stretch still stand."""
        return self.unfollowed_frames > PARTIAL_MIN_S * self.sample_rate

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {k: (float(f"{v:.7g}") if isinstance(v, float) else v)
                             for k, v in self.__dict__.items() if k != "glitches"}
        d["mode"] = "reference"
        d["partial"] = self.partial
        d["clean"] = self.clean
        d["glitch_count"] = len(self.glitches)
        d["glitches"] = [g.to_dict() for g in self.glitches]
        return d


# ---------------------------------------------------------------------------------- program material


ProgramKind = Literal["music", "speech", "chords", "percussion", "gaps", "noise_bursts", "bass", "pluck",
                      "glide", "dense"]
PROGRAM_KINDS: tuple[ProgramKind, ...] = ("music", "speech", "chords", "percussion", "gaps", "noise_bursts", "bass",
                                          "pluck", "glide", "dense")


def program_material(kind: ProgramKind, seconds: float, sample_rate: int = 48_000,
                     amplitude: float = 0.5, seed: int = 0) -> FloatArray:
    """Synthetic program material for tests and benches (no recordings to download).

    ``music``: overlapping notes (harmonic tones with attack/decay envelopes, a few voices) and
    percussive noise hits, so it has a melody's narrow-band stretches and a drum's transients.
    ``speech``: syllables at ~4 Hz of a voiced buzz (100-220 Hz pitch, glottal-like harmonics)
    through moving formant filters with fricative noise, and pauses of silence between phrases.
    Seeded: the same arguments give the same signal; the peak is ``amplitude``.
    """
    fs = int(sample_rate)
    n = int(round(seconds * fs))
    if n < 1:
        raise UsageError(f"program material needs a positive duration, got {seconds}")
    rng = np.random.default_rng(seed)
    t = np.arange(n) / fs
    out = np.zeros(n)
    if kind == "music":
        pos = 0.0
        while pos < seconds:
            dur = float(rng.uniform(0.12, 0.6))
            for _ in range(int(rng.integers(1, 4))):  # a chord of 1..3 voices
                f0 = 110.0 * 2 ** (int(rng.integers(0, 36)) / 12)
                a, b = int(pos * fs), min(n, int((pos + dur * 1.5) * fs))
                if b <= a:
                    continue
                tt = t[a:b] - pos
                env = np.minimum(tt / 0.01, 1.0) * np.exp(-tt / (0.4 * dur))
                note = np.zeros(b - a)
                for h in range(1, 8):
                    if h * f0 < 0.45 * fs:
                        note += np.sin(2 * np.pi * h * f0 * tt + rng.uniform(0, 2 * np.pi)) / h ** 1.3
                out[a:b] += env * note
            if rng.random() < 0.4:  # a drum hit
                a = int(pos * fs)
                b = min(n, a + int(0.15 * fs))
                tt = t[a:b] - pos
                out[a:b] += 0.8 * rng.standard_normal(b - a) * np.exp(-tt / 0.03)
            pos += dur
    elif kind == "speech":
        pos = 0.2
        while pos < seconds:
            for _ in range(int(rng.integers(3, 9))):  # a phrase of syllables
                dur = float(rng.uniform(0.15, 0.3))
                a, b = int(pos * fs), min(n, int((pos + dur) * fs))
                if b <= a:
                    break
                tt = t[a:b] - pos
                f0 = float(rng.uniform(100, 220)) * (1 + 0.1 * np.sin(2 * np.pi * 3 * tt))
                ph = 2 * np.pi * np.cumsum(f0) / fs
                buzz = sum(np.sin(h * ph) / h for h in range(1, 30) if h * 220 < 0.45 * fs)
                f1, f2 = rng.uniform(300, 800), rng.uniform(900, min(2500, 0.4 * fs))
                voiced = np.zeros(b - a)
                for fc in (f1, f2):
                    sos = sps.butter(2, [fc * 0.8, min(fc * 1.25, 0.45 * fs)], "bandpass", fs=fs, output="sos")
                    voiced += sps.sosfilt(sos, buzz)
                if rng.random() < 0.3 and 0.45 * fs > 4000:  # a fricative
                    sos = sps.butter(2, [3000, min(7000, 0.45 * fs)], "bandpass", fs=fs, output="sos")
                    voiced += 0.3 * sps.sosfilt(sos, rng.standard_normal(b - a))
                out[a:b] += voiced * np.sin(np.pi * tt / dur) ** 2
                pos += dur
            pos += float(rng.uniform(0.2, 0.5))  # a pause
    elif kind in ("chords", "percussion", "gaps", "noise_bursts", "bass", "pluck", "glide", "dense"):
        out = _more_material(kind, n, fs, rng)
    else:
        raise UsageError(f"unknown program material {kind!r}; choose one of {', '.join(PROGRAM_KINDS)}")
    peak = float(np.max(np.abs(out)))
    return out * (amplitude / peak) if peak > 0 else out


def _more_material(kind: str, n: int, fs: int, rng: np.random.Generator) -> FloatArray:
    """The program kinds beyond music and speech (see ``program_material``)."""
    t = np.arange(n) / fs
    out = np.zeros(n)
    nyq = 0.45 * fs

    def tone(f0: float, a: int, b: int, harmonics: int, tilt: float) -> FloatArray:
        tt = t[a:b] - t[a]
        x = np.zeros(b - a)
        for h in range(1, harmonics + 1):
            if h * f0 < nyq:
                x += np.sin(2 * np.pi * h * f0 * tt + rng.uniform(0, 2 * np.pi)) / h ** tilt
        return x

    if kind == "chords":
        pos = 0
        while pos < n:
            b = min(n, pos + int(rng.uniform(0.5, 1.2) * fs))
            root = 110.0 * 2 ** (int(rng.integers(0, 12)) / 12)
            for iv in (0, 4, 7, 11, 14):
                out[pos:b] += tone(root * 2 ** (iv / 12), pos, b, 6, 1.5)
            ramp = np.minimum(np.arange(b - pos) / (0.02 * fs), 1.0)
            out[pos:b] *= ramp * ramp[::-1]
            pos = b
    elif kind == "percussion":
        pos = 0
        while pos < n:
            b = min(n, pos + int(0.3 * fs))
            tt = t[pos:b] - t[pos]
            hit = rng.standard_normal(b - pos) * np.exp(-tt / rng.uniform(0.01, 0.06))
            if rng.random() < 0.5:  # a kick: a falling low tone
                hit += 2 * np.sin(2 * np.pi * (60 + 100 * np.exp(-tt / 0.03)) * tt) * np.exp(-tt / 0.1)
            out[pos:b] += hit
            pos += int(rng.uniform(0.08, 0.35) * fs)
    elif kind == "gaps":
        pos = 0
        while pos < n:
            b = min(n, pos + int(rng.uniform(0.15, 0.5) * fs))
            out[pos:b] = tone(float(rng.uniform(150, 1500)), pos, b, 4, 1.0) * np.hanning(b - pos) ** 0.2
            pos = b + int(rng.uniform(0.05, 0.3) * fs)
    elif kind == "noise_bursts":
        pos = 0
        while pos < n:
            b = min(n, pos + int(rng.uniform(0.05, 0.3) * fs))
            out[pos:b] = rng.standard_normal(b - pos) * rng.uniform(0.3, 1.0)
            pos = b + int(rng.uniform(0.02, 0.2) * fs)
    elif kind == "bass":
        pos = 0
        while pos < n:
            b = min(n, pos + int(rng.uniform(0.15, 0.5) * fs))
            tt = t[pos:b] - t[pos]
            f0 = 41.2 * 2 ** (int(rng.integers(0, 20)) / 12)
            x = tone(f0, pos, b, 5, 2.0) * np.minimum(tt / 0.005, 1.0) * np.exp(-tt / 0.4)
            out[pos:b] += sps.sosfilt(sps.butter(2, 250, fs=fs, output="sos"), x)
            pos = b
    elif kind == "pluck":
        pos = 0
        while pos < n:
            f0 = 82.4 * 2 ** (int(rng.integers(0, 30)) / 12)
            period = max(int(round(fs / f0)), 2)
            b = min(n, pos + int(rng.uniform(0.3, 1.0) * fs))
            # Karplus-Strong: a noise burst circulating in a damped delay line (an instant attack)
            x = np.zeros(b - pos)
            x[:period] = rng.uniform(-1, 1, min(period, b - pos))
            y = sps.lfilter([1.0], np.concatenate(([1.0], np.zeros(period - 1), [-0.498, -0.498])), x)
            out[pos:b] += y
            pos += int(rng.uniform(0.1, 0.4) * fs)
    elif kind == "glide":
        pos = 0
        while pos < n:
            b = min(n, pos + int(rng.uniform(0.4, 1.0) * fs))
            tt = t[pos:b] - t[pos]
            f = float(rng.uniform(100, 800)) * 2 ** (rng.uniform(-2, 2) * tt / max(tt[-1], 1e-9))
            ph = 2 * np.pi * np.cumsum(f) / fs
            x = sum(np.sin(h * ph) / h for h in range(1, 8))
            out[pos:b] += x * np.hanning(b - pos) ** 0.3
            pos = b
    else:  # dense
        for sub in ("chords", "percussion", "bass", "pluck"):
            x = _more_material(sub, n, fs, rng)
            pk = float(np.max(np.abs(x)))
            out += x / pk if pk > 0 else x
    return out


def through_system(reference: Any, sample_rate: int, *, delay_frames: float = 0.0, gain: float = 1.0,
                   drift_ppm: float = 0.0, lowpass_hz: float | None = None, gain_wobble: float = 0.0,
                   wobble_hz: float = 0.3, noise_rms: float = 0.0, polarity: int = 1, tail_frames: int = 0,
                   seed: int = 0, gain_ramp: float = 0.0) -> FloatArray:
    """``reference`` as a system plays and records it: the impairments ``compare_to_reference``
    must see through. A clock ``drift_ppm`` slow stretches it (band-limited), ``lowpass_hz`` runs
    it through an 8th-order Butterworth (a converter's anti-alias filter), ``gain_wobble`` swings
    the gain by that fraction at ``wobble_hz`` (an AGC), ``gain_ramp`` moves it linearly by that
    fraction from start to end (a fade), then a fractional delay, white noise."""

    x = np.asarray(reference, dtype=np.float64)
    rng = np.random.default_rng(seed)
    if drift_ppm:
        x = _stretch(x, 1.0 + drift_ppm * 1e-6)
    if lowpass_hz is not None:
        x = sps.sosfilt(sps.butter(8, lowpass_hz, fs=sample_rate, output="sos"), x)
    g = gain * (1 + gain_wobble * np.sin(2 * np.pi * wobble_hz * np.arange(x.size) / sample_rate + rng.uniform(0, 6)))
    if gain_ramp:
        g = g * (1 + gain_ramp * np.linspace(0.0, 1.0, x.size))
    x = polarity * g * x
    out = fractional_delay(x, delay_frames, x.size + int(math.ceil(delay_frames)) + tail_frames)
    if noise_rms:
        out = out + rng.standard_normal(out.size) * noise_rms
    return out


# ---------------------------------------------------------------------------------- the comparison


def _block_size(fs: int) -> int:
    return int(2 ** math.ceil(math.log2(0.04 * fs)))


#: fractional phases the interpolation kernel is tabulated at (linear in between: ~1e-7 error)
_SINC_PHASES = 2048


@functools.lru_cache(maxsize=1)
def _sinc_table() -> FloatArray:
    """The Kaiser-windowed sinc at ``_SINC_PHASES + 1`` fractional offsets, one row per offset."""
    frac = np.arange(_SINC_PHASES + 1)[:, None] / _SINC_PHASES
    d = np.arange(-_SINC_HALF + 1, _SINC_HALF + 1)[None, :] - frac
    beta = 8.0
    w = np.i0(beta * np.sqrt(np.clip(1 - (d / _SINC_HALF) ** 2, 0, 1))) / float(np.i0(beta))
    table: FloatArray = np.sinc(d) * w
    table.flags.writeable = False
    return table


def _sinc_interp(src: FloatArray, src_start: int, pos: FloatArray) -> FloatArray:
    """``src`` (whose frame 0 is reference frame ``src_start``) at fractional reference frames
    ``pos``: a Kaiser-windowed sinc of +-``_SINC_HALF`` taps, tabulated; zero outside ``src``."""
    base = np.floor(pos).astype(np.int64)
    ph = (pos - base) * _SINC_PHASES
    i = np.minimum(ph.astype(np.int64), _SINC_PHASES - 1)
    t = (ph - i)[:, None]
    table = _sinc_table()
    kernel = table[i] * (1 - t) + table[i + 1] * t
    padded = np.concatenate((np.zeros(2 * _SINC_HALF), src, np.zeros(2 * _SINC_HALF)))
    idx = (base - src_start + 2 * _SINC_HALF)[:, None] + np.arange(-_SINC_HALF + 1, _SINC_HALF + 1)[None, :]
    idx = np.clip(idx, 0, padded.size - 1)
    out: FloatArray = np.einsum("ij,ij->i", padded[idx], kernel)
    return out


@dataclass
class _Track:
    frames: list[int] = field(default_factory=list)  # recording frame at each block's centre
    delays: list[float] = field(default_factory=list)  # recording frame minus reference frame
    #: how far (frames) each block's energy centroid lies from its centre: where in the block its
    #: delay was read (``_delays_at_centres``)
    centroids: list[float] = field(default_factory=list)
    #: the clock slope the reference was stretched by where each block's delay was read
    #: (``_stretched_reference``): what of the drift its centroid still displaces it by
    read_slopes: list[float] = field(default_factory=list)


#: diffs between the track's points needed before the reference is stretched by their slope
#: (``_track_slope``): with fewer, one bad match or a step decides it
_STRETCH_DIFFS = 3
#: a slope under this is read unstretched (``_stretched_reference``): by arithmetic it moves a
#: 20 Hz-20 kHz sweep's correlation envelope by 5 frames at most at 48 kHz, where the truth's
#: fringe stands ~0.998 of the top (100 ppm sweeps read right unstretched on the bench), and a stretch of 2-9 ppm (a converter's delay curving near its cut-off on a
#: clean linear sweep, no drift) moved a delay enough for a false ``mute0`` (44.1 kHz, 0.4 fs)
_STRETCH_LEAST = 50e-6


def _neighbour_slope(at: FloatArray, d: FloatArray) -> float:
    """The median slope between neighbouring points (delay ``d`` at recording frame ``at``),
    held within +-1000 ppm: how the track's clock slope is read wherever it is read, since a step
    or a bad match moves only one or two of the slopes."""
    return float(np.clip(np.median(np.diff(d) / np.maximum(np.diff(at), 1.0)), -1e-3, 1e-3))


def _track_slope(track: _Track) -> float:
    """The clock slope (delay frames per recording frame) the track's points so far read: the
    median slope between neighbours, as ``_lines`` reads the take's drift; 0 until
    ``_STRETCH_DIFFS`` of them."""
    if len(track.frames) <= _STRETCH_DIFFS:
        return 0.0
    f = np.asarray(track.frames, dtype=np.float64)
    d = np.asarray(track.delays, dtype=np.float64)
    return _neighbour_slope(f, d)


def _stretched_reference(ref: Callable[[int, int], FloatArray], lo: int, hi: int, centre: float,
                         slope: float) -> FloatArray:
    """Reference frames ``lo``..``hi`` as a recording through a clock of ``slope`` (delay frames
    per recording frame) holds them about reference frame ``centre``: frame ``j`` read at
    ``centre + (j - centre) * (1 - slope)``.

    A block correlated with the reference as it was played reads, through a drifting clock, a
    correlation whose envelope a linear sweep moves off the truth: the clock shifts the block's
    frequencies by ``slope * f``, and a chirp turns a frequency shift into a time shift, ``slope
    * f / chirp rate`` (by arithmetic, a 20 Hz-20 kHz sweep over 2 s at 500 ppm: 17 frames at
    7.2 kHz, 47 at 20 kHz, against an envelope ~112 frames wide). The fringe at the truth then stood more than 0.03
    under the tallest, the track took one a carrier's period off and walked from alias to alias
    (a clean sweep at 500 ppm read 330.5 ppm). Correlated with the reference stretched as the
    clock stretched it, the envelope stands on the truth."""
    if slope == 0.0:
        return ref(lo, hi)
    pos = centre + (np.arange(lo, hi, dtype=np.float64) - centre) * (1.0 - slope)
    src_lo = int(math.floor(float(pos[0]))) - _SINC_HALF - 1
    src = ref(src_lo, int(math.ceil(float(pos[-1]))) + _SINC_HALF + 2)
    return _sinc_interp(src, src_lo, pos)


def _reread_unstretched(track: _Track, rec: Callable[[int, int], FloatArray], ref: Callable[[int, int], FloatArray],
                        sign: int, block: int, reach: int) -> None:
    """The track's points read before its slope was known (``_STRETCH_DIFFS``), read again
    against the reference stretched by the slope all its points read (``_track_slope``), when
    that slope is one the track stretches by (``_STRETCH_LEAST``).

    The first points are read unstretched, and on a linear sweep through a drifting clock that
    moves their correlation's envelope off the truth (``_stretched_reference``): a clean sweep at
    500 ppm read its first four points 0.24, 0.12, 0.07 and 0.05 frame late, the later ones
    within 0.002, and the take's drift 0.6 ppm low. A point is moved only when it matches
    (``_block_delay``'s 0.8) within ``_STEP_MIN`` of where it was read: a re-read, never a new
    alias or a step."""
    slope = _track_slope(track)
    if abs(slope) < _STRETCH_LEAST or len(track.read_slopes) != len(track.frames):
        return
    for i, (at, d, read) in enumerate(zip(track.frames, track.delays, track.read_slopes)):
        if read != 0.0:
            continue
        n0 = at - block // 2
        m0 = int(round(n0 - d))
        seg = _stretched_reference(ref, m0 - reach, m0 + block + reach, m0 + block / 2, slope)
        got = _block_delay(rec(n0, n0 + block), seg, m0 - reach, n0, sign)
        if got is None or got[1] < 0.8:
            continue
        again = got[0] + slope * (n0 - got[0] - m0)  # a lag off the centre is 1 - slope frames of the reference
        if abs(again - d) < _STEP_MIN:
            track.delays[i], track.read_slopes[i] = again, slope


def _energy_centroid(x: FloatArray) -> float:
    """Where (frames from its centre) the energy of block ``x`` is centred; 0 for a silent one."""
    e = x * x
    total = float(np.sum(e))
    if total <= 0.0:
        return 0.0
    return float(np.dot(e, np.arange(x.size) - (x.size - 1) / 2.0)) / total


def _delays_at_centres(track: _Track) -> None:
    """The track's delays moved from where each block's was read to the block's centre.

    A block's delay is read by correlating it with the reference, which weighs each frame by its
    energy, so through a drifting clock the delay read is the one at the block's energy
    centroid, not at its centre. Speech's syllables rise and decay within a block: at 500 ppm
    the centroids lay up to 878 frames off the centres, the delays read up to 0.46 frame off
    the truth at the centres (a saw with the syllables' period; 0.44 predicted from the
    centroids), and the lines through them read the clock 30 ppm slow, the latency 0.8 frame
    late. The slope that moves them is the median one between neighbouring points each placed
    at its centroid (a step or a bad match moves one or two of them), as ``_lines`` reads the
    take's drift."""
    if len(track.frames) < 3 or len(track.centroids) != len(track.frames):
        return
    at = np.asarray(track.frames, dtype=np.float64) + np.asarray(track.centroids, dtype=np.float64)
    d = np.asarray(track.delays, dtype=np.float64)
    slope = _neighbour_slope(at, d)
    read = np.asarray(track.read_slopes, dtype=np.float64) if len(track.read_slopes) == d.size else 0.0
    # a block read against the reference stretched by a slope is displaced by the rest of it only
    track.delays[:] = [float(v) for v in d - (slope - read) * np.asarray(track.centroids, dtype=np.float64)]


def _block_delay(blk: FloatArray, ref_seg: FloatArray, seg_start: int, n0: int,
                 sign: int, silent_lags: bool = False) -> tuple[float, float, bool] | None:
    """Delay (recording frame minus reference frame) of recording block ``blk`` (starting at
    ``n0``) found in ``ref_seg`` (starting at reference frame ``seg_start``), the normalised
    correlation there, and whether that peak is the top of the lobe the segment's centre (the
    predicted delay) lies on; None when the block is not clearly in the segment.

    The lobe says what an off-track match is: a pitch period's alias is a peak of its own, with
    a valley between it and the prediction, while a drop of a few frames moves the top of the
    prediction's own lobe (a tone burst's 9-frame drop under -40 dBFS noise: the blocks after it
    correlate 0.94-0.96 there, and nothing else near matches).

    ``silent_lags``: a lag whose reference frames are (all but) silent matches nothing (asked
    before the track's first point, ``_SILENT_LAG``)."""
    size = blk.size
    nfft = sfft.next_fast_len(ref_seg.size + size)
    corr = sfft.irfft(np.conj(sfft.rfft(blk, nfft)) * sfft.rfft(ref_seg, nfft), nfft)[: ref_seg.size - size + 1] * sign
    if corr.size < 3:
        return None
    cs = np.concatenate(([0.0], np.cumsum(ref_seg * ref_seg)))
    e_ref = cs[size:] - cs[: cs.size - size]
    e_blk = float(np.dot(blk, blk))
    if e_blk <= 0:
        return None
    e_lag = e_ref[: corr.size]
    rho_all = corr / np.sqrt(np.maximum(e_lag, 1e-30) * e_blk)
    if silent_lags:
        rho_all = np.where(e_lag > _SILENT_LAG * float(np.max(e_lag)), rho_all, 0.0)
    best = float(np.max(rho_all))
    # tonal material matches itself a pitch period away almost as well: of the near-best peaks,
    # the one nearest the prediction (the segment's centre)
    near_best = np.flatnonzero(rho_all >= best - 0.03)
    centre = (corr.size - 1) / 2
    k = int(near_best[int(np.argmin(np.abs(near_best - centre)))])
    fringe = _fringe_nearer(corr, rho_all, e_ref[: corr.size], e_blk, k, centre, best - 0.03)
    if fringe is not None:
        k = fringe
    else:
        # climb to that peak's top in the *normalised* correlation: the raw one leans toward where
        # the reference segment is louder, which on a slow waveform (a bass note's attack or decay
        # under a peak ~100 frames wide) put its top 4-7 frames off the truth at rho 0.999, and the
        # track walked off the reference under a drifting clock
        k = _climb(rho_all, k)
    c = _climb(rho_all, int(round(centre)))  # climb from the prediction: the top of its own lobe
    same_lobe = abs(c - k) <= 1
    rho = float(rho_all[k])
    frac = 0.0
    if 0 < k < corr.size - 1:
        # the correlation is band-limited: its peak between frames is read off a windowed-sinc
        # interpolation of it (a parabola through three frames is biased by up to ~0.15 frame on
        # broad-band material, and its top understates the match of a half-frame delay by 1-sinc)
        frac, top = _sinc_peak(corr, k, e_ref[: corr.size])
        rho = max(rho, top / math.sqrt(e_blk))
    return n0 - (seg_start + k + frac), rho, same_lobe


#: before the track's first point, a lag whose reference frames hold less than this share of the
#: most energetic lag's holds no match (``_block_delay``): its correlation is the transform's
#: rounding, and over a reference energy of ~0 it read 42 241 (a linear sweep's first block,
#: searched +-block with most of its segment before the reference's start: the track's first
#: point 2 000 frames off, then an inverted fringe followed). Asked before the first point only:
#: what it would change at later blocks (a segment past the reference's end) is unmeasured
_SILENT_LAG = 1e-9
#: a correlation sample this far under the block's best may still lie on a fringe whose top,
#: between frames, reaches the best (``_fringe_nearer``): a carrier of 2.4 frames' period (20 kHz
#: at 48 kHz) sampled half a frame off its top reads cos(75 deg) = 0.26 of it
_FRINGE_LEAST = 0.2


def _fringe_nearer(corr: FloatArray, rho: FloatArray, e_ref: FloatArray, e_blk: float, k: int, centre: float,
                   need: float) -> int | None:
    """The frame nearest the top of the correlation fringe nearest ``centre`` (the prediction)
    that lies nearer it than ``k`` and whose band-limited top, read between frames
    (``_sinc_peak``), reaches ``need``; None when no fringe does.

    A narrow-band block (a linear sweep's 2048 frames span ~430 Hz at 48 kHz) correlates with the
    reference in fringes a carrier's period apart under a broad envelope, every fringe near the
    envelope's top as tall as the truth's. Read at whole frames, a fringe whose top falls between
    two frames looks lower than one whose top falls on a frame: at 9.3 kHz (5.2 frames a period),
    the truth's fringe read 0.955 at its nearest frame, the next fringe 0.996, and the track took
    the next one, a period off, then walked from alias to alias (a linear sweep through a 2 ppm
    clock reported as 33 ppm, the latency 0.6 frame off)."""
    lo, hi = int(math.ceil(centre - abs(k - centre))), int(math.floor(centre + abs(k - centre)))
    lo, hi = max(lo, 1), min(hi, rho.size - 2)
    if hi < lo:
        return None
    seg = rho[lo: hi + 1]
    tops = lo + np.flatnonzero((seg >= rho[lo - 1: hi]) & (seg >= rho[lo + 1: hi + 2]) & (seg >= _FRINGE_LEAST))
    tops = tops[np.abs(tops - centre) < abs(k - centre)]
    for j in tops[np.argsort(np.abs(tops - centre), kind="stable")]:
        frac, top = _sinc_peak(corr, int(j), e_ref)
        if top / math.sqrt(e_blk) >= need:
            return int(j) + int(round(frac))
    return None


#: until the track holds a point, a block matched at the lock's polarity under this correlation
#: (or not matched) is doubted ...
_FIRST_MATCH_DOUBT = 0.9
#: ... and the other polarity taken when it matches that block, near the prediction, at least
#: 0.97 and this much better (an unmatched block counts as 0).
#: The lock correlates the reference's first 1.5 s at one clock; a linear sweep through a
#: drifting clock smears that correlation (a linear sweep's correlation moves with frequency, and
#: the clock shifts every frequency: the lean grows along the head),
#: and at 100 ppm its tallest fringe was the inverted one 7.7 frames off at 11 of 12 seeds. The
#: track then followed that alias (-0.85 at the lock's sign where the truth, a block on, read
#: 0.9999) to a latency 7-18 frames off and a drift of -154 to -4 ppm. A steady tone matches
#: itself inverted half a period away as well as upright: no margin, no flip. The blocks before the
#: first match count too: at 3 seeds of 12 the lock's polarity matched no block near the prediction
#: until 0.15 s in, and there the inverted fringe half a 1.5 kHz period off, at 0.986
_FLIP_MARGIN = 0.1


#: frames each side a climb to a correlation peak's top looks at (``_climb``)
_CLIMB_REACH = 2


def _climb(rho: FloatArray, k: int) -> int:
    """From lag ``k``, up the normalised correlation ``rho`` to a top: a step to the highest lag
    within +-``_CLIMB_REACH`` frames while that one is higher. Not to the nearest frame-to-frame
    top: struck material (a drum's slow decay) correlates on a plateau 0.02 below its true peak,
    a 1-2 frame spike, and the plateau ripples from frame to frame; a climb of +-1 frame stopped
    on the ripple it started on, so a block wholly after a drop read the delay from before it
    (percussion through a +100 ppm clock, 5 frames dropped: 0.978 at the old delay, 338, taken
    over 0.998 at the truth, 333, with 0.974-0.985 at every lag between)."""
    n = rho.size
    while True:
        lo, hi = max(k - _CLIMB_REACH, 0), min(k + _CLIMB_REACH, n - 1)
        j = lo + int(np.argmax(rho[lo: hi + 1]))
        if rho[j] <= rho[k]:
            return k
        k = j


#: grid points (0.02 frame apart) each side of the top that ``_sinc_peak``'s parabola is fitted to
_PEAK_FIT = 10


def _sinc_peak(y: FloatArray, k: int, energy: FloatArray | None = None) -> tuple[float, float]:
    """The fraction of a frame (within +-1) by which the band-limited peak of ``y`` near ``k``
    lies off ``k``, and the peak's height: a 0.02-frame grid, then a parabola about its top.

    The interpolation is divided by the kernel's own gain at each offset (the windowed sinc
    passes a constant at 1 - 2e-5 half-way between frames): on a broad peak standing on a large
    level that dip is deeper than the peak's curvature, and every peak was read at a whole frame.
    ``energy``: the reference's energy under each lag, when ``y`` is a raw correlation whose
    normalised peak is wanted (linear in between: it changes by one frame's energy per frame).
    """
    grid = np.linspace(-1.0, 1.0, 101)
    vals = _sinc_interp(y, 0, k + grid) / _sinc_interp(np.ones(y.size), 0, k + grid)
    if energy is not None:
        vals = vals / np.sqrt(np.maximum(np.interp(k + grid, np.arange(energy.size), energy), 1e-30))
    # a parabola by least squares through the grid's +-0.2 frame about its top, not through
    # three points 0.02 apart, which on a peak 100 frames wide differ by less than the kernel's
    # own error there. That error (its response near 0 Hz moves by ~2e-5 with the fraction of a
    # frame) still places such a peak to +-0.025 frame only, against 1e-4 on a sharp one
    j = int(np.clip(np.argmax(vals), _PEAK_FIT, grid.size - 1 - _PEAK_FIT))
    u = grid[j - _PEAK_FIT: j + _PEAK_FIT + 1] - grid[j]
    c2, c1, c0 = np.polyfit(u, vals[j - _PEAK_FIT: j + _PEAK_FIT + 1], 2)
    d = float(np.clip(-0.5 * c1 / c2, u[0], u[-1])) if c2 < 0 else 0.0
    return float(grid[j] + d), float(c0 + c1 * d + c2 * d * d)


def _turns_on(slope: float, ff: FloatArray, dd: FloatArray) -> bool:
    """Whether the points ``ff``, ``dd`` lie on one line within ``_STRADDLE`` of a frame whose
    slope has the sign of ``slope`` (the line before them) and is steeper, at most the 1000 ppm a
    track's line may have: the path's delay turning on the way it turned, as a rising sweep's
    does nearing a converter's cut-off (89 ppm before a drop 0.2 s in, 580 after). A sweep's
    alias a period off drifts the other way as the period shortens (-190 to -430 ppm after 12-73
    ppm on three sweeps through 0.2 fs with 5- and 9-frame drops, read as 1- and 3-frame steps)."""
    sl, ic = np.polyfit(ff, dd, 1)
    sl = float(sl)
    return (slope * sl > 0 and abs(slope) < abs(sl) <= 1e-3
            and float(np.max(np.abs(dd - (sl * ff + ic)))) < _STRADDLE)


def _lines(track: _Track, block: int) -> list[tuple[int, int, float, float]]:
    """The track cut at its steps into straight stretches: (first rec frame, end rec frame,
    delay at frame 0 of the line, slope). A step is a change of at least ``_STEP_MIN`` from the
    line through the previous points that the next two points confirm; a lone point off the line
    is dropped as a bad match, and a point between the two levels (a block that straddles the
    step) is fitted to neither."""
    f = np.asarray(track.frames, dtype=np.float64)
    d = np.asarray(track.delays, dtype=np.float64)
    # The clocks' drift is the take's, not a line's: the median slope between neighbouring
    # points (a step or a bad match moves one or two of them) is the slope of a line too short
    # to fit its own. A slope of 0 there lost the track at 96 kHz and +100 ppm: 0.41 frame a
    # 4096-frame block, over ``_STRADDLE`` on the line's second point, which was then left out of
    # the fit, and the third, 0.92 off a level line, began a run of "bad points" to the end of
    # the first line found again 65000 frames later (0.9 s of the take never compared)
    drift = 0.0
    if f.size >= 3:
        drift = _neighbour_slope(f, d)

    def level(ff: FloatArray, dd: FloatArray) -> tuple[float, float]:
        """Slope and intercept of a line through ``ff``, ``dd``: its own fit from three points on,
        else the take's drift through the points' median level."""
        if ff.size >= 3:
            sl, ic = np.polyfit(ff, dd, 1)
            return float(sl), float(ic)
        return drift, float(np.median(dd - drift * ff))

    segs: list[list[int]] = [[0]] if f.size else []
    # points taken into a line while lying more than ``_STRADDLE`` off it: not fitted, so that a
    # block straddling a 1-frame step (read 0.65 frame off) does not bend the line toward the
    # blocks after it, which then lay under ``_STEP_MIN`` off and the step went unseen
    loose: set[int] = set()
    i = 1
    while i < f.size:
        cur = segs[-1]
        fit_pts = [j for j in cur if j not in loose][-8:] or cur[-8:]
        cf, cd = f[fit_pts], d[fit_pts]
        if cf.size >= 3:
            sl, ic = np.polyfit(cf, cd, 1)
            sl = float(np.clip(sl, -1e-3, 1e-3))
        elif cf.size:
            sl, ic = level(cf, cd)
        else:
            sl, ic = drift, d[i] - drift * f[i]
        pred = sl * f[i] + ic
        off = d[i] - pred
        if abs(off) < _STEP_MIN:
            cur.append(i)
            if abs(off) > _STRADDLE:
                loose.add(i)
            i += 1
            continue
        nxt = d[i + 1: i + 3] - (sl * f[i + 1: i + 3] + ic)
        if nxt.size == 2 and np.all(np.abs(nxt - off) < _STEP_MIN + abs(off) * 0.02):
            if abs(off - float(np.mean(nxt))) < _STRADDLE:  # the next two blocks confirm the new level
                if len(segs) == 1 and len(cur) == 1:
                    # the track's first point alone, off the level the blocks after it agree on: a
                    # bad first match, not a line of its own. The lock is made on the reference's
                    # head, and a drop inside the head can put it at the delay after the drop (a
                    # 9-frame drop 0.57 s into percussion through a 16 kHz converter: 468.66, the
                    # truth before the drop 477.4); the first block, a kick's broad correlation
                    # peak, was read near that prediction (471.28), and that one-point line, merged
                    # with the next, bent the whole track into one line that explained no step
                    segs[0] = [i]
                else:
                    segs.append([i])  # a step
            # else the block holds the step: its delay is the two sides' mix (a 2-frame drop
            # read 1.3 frames, the two halves then two 1-frame drops); the next point opens
            # the new line, and ``_locate_step`` searches the straddling block
        elif (nxt.size == 2 and (len(cur) >= 3 and f[i] - f[cur[-1]] > 1.5 * block
                                 or len(cur) >= 2 and off * sl < 0)
              and np.all(np.sign(nxt) == np.sign(off)) and np.all(np.abs(nxt) >= _STEP_MIN)
              and _turns_on(sl, f[i: i + 3], d[i: i + 3])):
            # a step across a block that matched nowhere (the one holding the step), after which
            # the path's delay turns: a sweep nearing a converter's cut-off is delayed more at
            # each block (0.4, 0.7, 1.2 frames a block at 44.1 kHz through 0.05 fs), so the
            # three points after a 5-frame drop read -4.3, -3.3, -2.3 off the line before it: no
            # level "confirmed" against that line's slope, each was skipped as a bad point and
            # the followed span ended before the drop. They lie on a line of their own, each
            # clearly off the old one on the same side, turning on the way the old one turned
            # (``_turns_on``): a step, which ``_confirm_steps`` still asks the recording to confirm.
            # The block holding the step may match too (5 frames dropped 0.15 s into that sweep:
            # its block read 3.8 under the line, the two after 3.1 and 2.2) when the three lie on
            # the side the line does not turn to: a curve that steepens leaves its points on the
            # side it turns to, never on the other. Two points before the step are a line too
            # (its slope the take's drift): a 9-frame drop 0.15 s into that sweep left 2 blocks
            # before it and 3 after, the sweep followed 6 blocks in all, and the points after it
            # lie on the side the curve never reaches
            segs.append([i])
        elif (i == f.size - 2 and len(cur) >= 2 and off * sl < 0 and nxt.size == 1
              and float(np.sign(nxt[0])) == float(np.sign(off)) and abs(float(nxt[0])) >= _STEP_MIN
              and _turns_on(sl, f[i:], d[i:])):
            # the track's last two points, both clearly off the line before them on the side a
            # curve turning as that line turns never reaches: a step, confirmed by the recording
            # (``_confirm_steps``) as every step is. Through a 0.05 fs converter a linear sweep
            # is followed for 6 blocks only (until it passes the band edge), and a 9-frame drop
            # in the 4th left 3 points before it and 2 after, 1.2 frames apart on the curve:
            # neither "the next two agree" nor three points after it to lie on a line, each
            # was skipped as a bad point and the report read ``partial``, no glitch. Two points
            # always lie on a line, so the side is what speaks for the step: the converter's
            # delay rises toward its cut-off, and points under that line are no part of the curve
            segs.append([i])
        # else: one bad point, skipped
        i += 1
    merged: list[list[int]] = []
    for s in segs:  # neighbours whose lines meet within half a frame are one line
        if merged:
            sl, ic = level(f[merged[-1]], d[merged[-1]])
            if abs(float(np.median(d[s][:3])) - (sl * f[s[0]] + ic)) < 0.5:
                merged[-1] = merged[-1] + s
                continue
        merged.append(list(s))
    out = []
    for si, s in enumerate(merged):
        firm = [j for j in s if j not in loose]
        if si + 1 < len(merged) and len(s) >= 2 and s[-1] in loose and s[-2] not in loose:
            # a line's last point, loose after a firm one, is left out of its stretch: that
            # block lies after the step as often as on it (percussion under a fade, 2 and 5
            # frames dropped 0.35 s into a block read on the line: the block after it read 0.55
            # and 0.65 frames off the line, though wholly past the drop), and ``_locate_step``,
            # which searches from the last block of the stretch on, never reached the drop.
            # One point only: under heavy noise a short line's own slope is the noise's, its
            # last five points all loose (bass under -40 dBFS noise), and cut there it was too
            # far from the next line to take that line's slope (``_confirm_steps``' ``paired``)
            s = s[:-1]
        ff, dd = f[firm if len(firm) >= 3 else s], d[firm if len(firm) >= 3 else s]
        sl, ic = level(ff, dd)
        out.append((int(f[s[0]] - block // 2), int(f[s[-1]] + block // 2), float(ic), float(sl)))
    return out


def _points_on(line: tuple[int, int, float, float], track: _Track) -> int:
    """How many of the track's points ``line`` was read from: in its stretch and within
    ``_STRADDLE`` of it."""
    f = np.asarray(track.frames, dtype=np.float64)
    d = np.asarray(track.delays, dtype=np.float64)
    return int(np.sum((f >= line[0]) & (f < line[1]) & (np.abs(d - (line[2] + line[3] * f)) < _STRADDLE)))


def _line_points_at(lines: list[tuple[int, int, float, float]], track: _Track) -> list[tuple[FloatArray, FloatArray]]:
    """Each line's own points (frames, delays), for lines holding two or more: those in its
    stretch within ``_STRADDLE`` of it once its level is taken about their median (a step
    measured from the recording moves a line's level off the track's points by up to a few
    frames)."""
    f = np.asarray(track.frames, dtype=np.float64)
    d = np.asarray(track.delays, dtype=np.float64)
    out: list[tuple[FloatArray, FloatArray]] = []
    for first, end, level, slope in lines:
        off = d - (level + slope * f)
        inside = (f >= first) & (f < end)
        if not inside.any():
            continue
        on = inside & (np.abs(off - float(np.median(off[inside]))) < _STRADDLE)
        if on.sum() < 2:
            continue
        out.append((f[on], d[on]))
    return out


def _centred(pts: list[tuple[FloatArray, FloatArray]]) -> list[tuple[FloatArray, FloatArray]]:
    """Each line's points, frames and delays both less their means (its level taken out)."""
    return [(ff - ff.mean(), dd - dd.mean()) for ff, dd in pts if ff.size >= 2]


def _line_points(lines: list[tuple[int, int, float, float]], track: _Track) -> list[tuple[FloatArray, FloatArray]]:
    """Each line's own points (``_line_points_at``), frames and delays both less their means."""
    return _centred(_line_points_at(lines, track))


def _pooled_slope(pts: list[tuple[FloatArray, FloatArray]]) -> float | None:
    """One slope through centred lines' points, each at its own level; None with no spread."""
    sxx = sum(float(ff @ ff) for ff, _dd in pts)
    return sum(float(ff @ dd) for ff, dd in pts) / sxx if sxx > 0.0 else None


def _take_drift(lines: list[tuple[int, int, float, float]], track: _Track) -> float | None:
    """The take's clock slope: one slope through every line's points, each line at a level of
    its own (the pooled within-line least squares), or None when no line holds two points.

    One clock runs through the whole take and a step moves a line's level, never its slope. The
    median of the lines' own slopes gave a short line's as much say as a long one's: speech at
    300 ppm with a 2-frame drop left a line of 10 points over 0.43 s (281 ppm, its points
    scattered about speech's pauses) beside one of 23 over 0.98 s (298.4 ppm), and the two
    slopes' median read 289.8 ppm, 3.4 % off. Pooled, each line weighs by the spread of its
    points' frames, which is what its slope is worth (``_line_points``)."""
    return _pooled_slope(_line_points(lines, track))


#: the share of takes whose true clock slope the reported interval holds, were the points' errors
#: as the residuals say (``_drift_uncertainty``): wide, since a take is one draw and the residuals'
#: correlation is read from few points
_DRIFT_COVER = 0.99
#: the residuals' neighbour correlation is held under this (``_drift_uncertainty``): above it the
#: few points a take holds say little of how much above
_DRIFT_RHO_MOST = 0.9


def _drift_uncertainty(lines: list[tuple[int, int, float, float]], track: _Track, slope: float) -> float | None:
    """Half the width of the interval about ``slope`` (``_take_drift``'s) that holds the take's
    clock slope at ``_DRIFT_COVER``, read off the pooled fit's residuals; None when they leave no
    degree of freedom (fewer points than lines + 2).

    The residuals' spread gives the standard error of a slope through independent errors. The
    points' errors are not independent: through a drifting clock speech's syllables laid its
    points on a saw (``_delays_at_centres``), and a converter's phase near its cut-off lets them
    wander over blocks; an interval read as if white was narrow exactly there. So the variance
    is widened by ``(1 + rho) / (1 - rho)`` for the residuals' correlation between neighbouring
    points ``rho`` (an AR(1)'s effect on a mean, held in ``0.._DRIFT_RHO_MOST``), and the
    Student quantile of the degrees of freedom left is taken, large for a short take.

    A bias that runs smoothly along the take is not in the residuals: a log sweep's
    low-frequency first blocks read up to 0.07 frame late, falling, and at 2 ppm the truth lay
    0.4 ppm off, outside the scatter's +-0.22. Such a bias bends the track, so the take's halves
    read different slopes; the farther of the two from the whole take's slope is added to the
    width (``_halves_bend``); a take too short for either half to hold a line of two points
    has its bend unread, and the Student quantile of its few degrees of freedom stands alone."""
    pts = _line_points(lines, track)
    sxx = sum(float(ff @ ff) for ff, _dd in pts)
    dof = sum(ff.size for ff, _dd in pts) - len(pts) - 1
    if sxx <= 0.0 or dof < 1:
        return None
    bend = _halves_bend(lines, track, slope)
    resid = [dd - slope * ff for ff, dd in pts]
    sse = sum(float(r @ r) for r in resid)
    lag1 = sum(float(r[1:] @ r[:-1]) for r in resid)
    rho = min(max(lag1 / sse, 0.0), _DRIFT_RHO_MOST) if sse > 0.0 else 0.0
    stderr = math.sqrt(sse / dof / sxx * (1 + rho) / (1 - rho))
    return float(student_t.ppf(0.5 + _DRIFT_COVER / 2, dof)) * stderr + (bend or 0.0)


def _halves_bend(lines: list[tuple[int, int, float, float]], track: _Track, slope: float) -> float | None:
    """How far the pooled slope over either half of the take's points (split at their median
    frame, each line's part in a half at a level of its own) lies from ``slope``, the whole
    take's: the farther; None when a half holds no line of two points.

    A clock's drift is one slope along the whole take; a bias of the delay readings that runs
    smoothly along it (a log sweep's low-frequency first blocks read late by a falling amount)
    is not, and the part of it that lies along a straight line is no different from drift and
    cannot be taken out. What shows is its bend: the halves' slopes part. ``bench_reference_drift``
    takes at 2, 100 and 500 ppm (four materials, 8 seeds each) held the truth in the scatter's
    interval in 84 of 96 (log sweeps at 2 ppm in 0 of 8, 0.19-0.42 ppm off), and with this term
    added in 96 of 96. The halves' own scatter is in the term too, so a take without a bend is
    widened as well: the widths rose 2-3 fold (``bench/RESULTS.md``, 2026-12-08)."""
    pts = _line_points_at(lines, track)
    if not pts:
        return None
    middle = float(np.median(np.concatenate([ff for ff, _dd in pts])))
    bends = []
    for lower in (True, False):
        half = _centred([(ff[ff < middle], dd[ff < middle]) if lower else (ff[ff >= middle], dd[ff >= middle])
                         for ff, dd in pts])
        got = _pooled_slope(half)
        if got is None:
            return None
        bends.append(abs(got - slope))
    return max(bends)


#: a shift of a line's points at least this large (frames) is a candidate step (``_split_wander``)
_WANDER_STEP = 0.5
#: ... and it must stand this many standard errors clear of the points' scatter about the two levels
_WANDER_T = 4.0
#: ... with at least this many points on each side (a step ``_lines`` believes needs three)
_WANDER_SIDE = 3


def _split_wander(lines: list[tuple[int, int, float, float]], track: _Track,
                  block: int) -> list[tuple[int, int, float, float]]:
    """``lines`` with each line split where its points shift level, when the shift is a
    candidate step that ``_lines`` could not see: one slope (one clock) and two levels, split
    at the point that leaves the least squared error, kept when the levels differ by
    ``_WANDER_STEP`` frames or more and by ``_WANDER_T`` standard errors; each half is searched
    again. ``_confirm_steps`` then asks the recording whether the step is real.

    Through a converter whose phase turns fast near its cut-off, a block's delay depends on how
    much of its power lies there, and the points wander about the line (sd 0.55 frame on dense
    material through an 18 kHz low-pass): a 1-frame drop moved the points after it by 0.3-0.6
    frame off the line before, under ``_STEP_MIN`` one by one, and the line through all of them
    took the step into its slope (-75.6 ppm on a -70 ppm clock): a 1-frame drop reported as a
    2-frame pop 5943 frames later. Over the 7 points after it and the 39 before, the levels of
    one clock's two lines differ by 0.77 frame, 10 standard errors."""
    f = np.asarray(track.frames, dtype=np.float64)
    d = np.asarray(track.delays, dtype=np.float64)
    out: list[tuple[int, int, float, float]] = []

    def split(ln: tuple[int, int, float, float]) -> None:
        sel = np.flatnonzero((f >= ln[0]) & (f < ln[1]) & (np.abs(d - (ln[2] + ln[3] * f)) < _STEP_MIN))
        n = sel.size
        if n < 2 * _WANDER_SIDE:
            out.append(ln)
            return
        ff, dd = f[sel] - f[sel].mean(), d[sel] - d[sel].mean()  # centred: the sums below stay exact
        # prefix sums: every split's two centred groups in O(n)
        c = [np.concatenate(([0.0], np.cumsum(v))) for v in (np.ones(n), ff, dd, ff * ff, ff * dd, dd * dd)]
        k = np.arange(_WANDER_SIDE, n - _WANDER_SIDE + 1)
        parts = []
        for lo, hi in ((np.zeros_like(k), k), (k, np.full_like(k, n))):
            m, sx, sy, sxx, sxy, syy = (ci[hi] - ci[lo] for ci in c)
            parts.append((m, sx, sy, sxx - sx * sx / m, sxy - sx * sy / m, syy - sy * sy / m))
        (ma, sxa, sya, xxa, xya, yya), (mb, sxb, syb, xxb, xyb, yyb) = parts
        sl = (xya + xyb) / np.maximum(xxa + xxb, 1e-30)
        sse = yya + yyb - sl * (xya + xyb)
        j = int(np.argmin(sse))
        kj, slj = int(k[j]), float(sl[j])
        ia = float(sya[j] / ma[j] - slj * sxa[j] / ma[j])  # levels in the centred frame
        ib = float(syb[j] / mb[j] - slj * sxb[j] / mb[j])
        sig = math.sqrt(max(float(sse[j]), 0.0) / max(n - 3, 1))
        t = abs(ib - ia) / max(sig * math.sqrt(1 / kj + 1 / (n - kj)), 1e-12)
        if abs(ib - ia) < _WANDER_STEP or t < _WANDER_T:
            out.append(ln)
            return
        f0, d0 = float(f[sel].mean()), float(d[sel].mean())
        split((ln[0], int(f[sel[kj - 1]] + block // 2), d0 + ia - slj * f0, slj))
        split((int(f[sel[kj]] - block // 2), ln[1], d0 + ib - slj * f0, slj))

    for line in lines:
        split(line)
    return out


@with_one_blas_thread
def compare_to_reference_stream(
    read_rec: Reader, rec_frames: int, read_ref: Reader, ref_frames: int, sample_rate: int, *,
    max_latency_s: float = 10.0, window_s: float = 0.125, max_glitches: int = 1000, recursive_taps: int = 0,
    floor_db: float = -120.0, one_clock: bool = False, lock: float | None = None,
) -> ReferenceReport:
    """``compare_to_reference`` over a recording and a reference read by ``read_rec(a, b)`` and
    ``read_ref(a, b)`` (float frames a..b of one channel), memory bounded by the window.
    ``recursive_taps``: past frames of the recording in the path model (``_fit_path``'s ``ar``),
    for a path that filters recursively (a system's DSP chain). ``floor_db``: the judge's sigma
    is never below this far under the reference's level (a path with almost no noise of its own
    leaves the comparison's own error as the floor: ~-85 dB of the signal on a drum hit through a
    recursive filter, which a lower floor calls a pop). ``one_clock``: recording and reference
    share a clock (a run's device plays and hears on one): the reference is read at whole
    frames along the track, and the fitted filter takes the fraction of a frame, instead of
    resampling it with the windowed sinc (most of the time of a window, and an error of its own).
    ``lock``: where the reference's first frame lies in the recording, when the caller found it
    already (its polarity positive): no lock by cross-correlation (which can refuse narrow-band
    material as ambiguous, while the caller's search knew where to look)."""

    fs = int(sample_rate)
    block = _block_size(fs)
    if ref_frames < 8 * block or rec_frames < 8 * block:
        raise AnalysisError(f"reference ({ref_frames} frames) and recording ({rec_frames} frames) must each "
                            f"hold at least {8 * block} frames (~{8 * block / fs:.1f} s)")

    def rec(a: int, b: int) -> FloatArray:
        out = np.zeros(b - a)
        lo, hi = max(a, 0), min(b, rec_frames)
        if hi > lo:
            out[lo - a: hi - a] = np.asarray(read_rec(lo, hi), dtype=np.float64)
        return out

    def ref(a: int, b: int) -> FloatArray:
        out = np.zeros(b - a)
        lo, hi = max(a, 0), min(b, ref_frames)
        if hi > lo:
            out[lo - a: hi - a] = np.asarray(read_ref(lo, hi), dtype=np.float64)
        return out

    # 1. Lock on with the loudest few seconds at the reference's start.
    head = ref(0, min(ref_frames, int(1.5 * fs)))  # short: a glitch later on cannot pull the lock
    if float(np.max(np.abs(head))) < 1e-6:
        raise AnalysisError("the reference is silent for its first 1.5 s; trim the silence off its start")
    by_phase = False  # the lock placed by the whitened correlation (``_phase_peak``)
    if lock is not None:
        sign, delay = 1, float(lock)
    else:
        found = measure_latency_stream(head, rec, rec_frames, fs, max_latency_frames=int(max_latency_s * fs),
                                       min_confidence=0.1, estimate_drift=False, verify=False)  # the track checks it
        if found.latency_frames is None and "no unique match" in (found.reason or ""):
            # a drop or an insert inside the head splits its peak in two, a few frames apart and
            # each as tall as its side of the head (a glide's 9-frame drop 0.9 s in was refused,
            # then mislocked by its envelope): the head's first third lies on one side of it
            third = measure_latency_stream(head[: head.size // 3], rec, rec_frames, fs,
                                           max_latency_frames=int(max_latency_s * fs), min_confidence=0.1,
                                           estimate_drift=False, verify=False)
            if third.latency_frames is not None:
                found = third
        if found.latency_frames is None and "no unique match" in (found.reason or ""):
            env = _envelope_lock(head, rec, rec_frames, fs, int(max_latency_s * fs))
            if env is not None:
                found, by_phase = env
        if found.latency_frames is None and "peaks twice" in (found.reason or ""):
            # a clock far off smears the carrier's peak across the head: the delay moves by the
            # head's length times the drift (music through a 500 ppm clock: 36 frames over 1.5 s,
            # past the whitened peak's lobe, ``_PHASE_DRIFT``), and the carrier peaked twice 3
            # frames apart. The head's first third is smeared a third as much, and a drop or an
            # insert later in the head does not split its peak: placed there (within 0.5 frame
            # of the truth, by the whitened peak), the lock is asked what any lock is below
            third = _envelope_lock(head[: head.size // 3], rec, rec_frames, fs, int(max_latency_s * fs))
            if third is not None and third[0].latency_frames is not None:
                found, by_phase = third
        if found.latency_frames is None and "peaks twice" in (found.reason or ""):
            # the envelopes found it: not "not found", and the steady tones' hint is not why
            raise AnalysisError(f"inconclusive: the reference was found but not placed to the frame "
                                f"({found.reason}); the recording's first seconds are where to look, or "
                                "compare from a later point of the reference")
        if found.latency_frames is None:
            hint = ""
            if "no unique match" in (found.reason or ""):
                hint = ("; a reference of steady tones matches itself a period away, and bursts of them "
                        "that repeat evenly (or a held chord) leave no envelope to tell places apart: compare "
                        "material with onsets (music, speech, a sweep)")
            raise AnalysisError(f"the reference was not found in the recording ({found.reason}){hint}")
        sign = int(found.polarity)
        delay = float(found.latency_frames)
        # the carrier's preference is asked only of a lock the envelopes placed (what misleads them, a
        # saturated stretch, is what it catches); a lock the whitened correlation placed clearly is
        # not second-guessed by the carrier, which a drifting clock decorrelates at the truth
        # (2-6 kHz notes, 48 kHz, 40 ppm: 0.82 at the truth, 0.94 at an alias 36 frames off)
        doubt = _check_lock(head, rec, rec_frames, fs, delay) or (
            None if by_phase else _carrier_elsewhere(head, rec, rec_frames, fs, delay))
        if doubt is not None:
            raise AnalysisError(f"cannot align the recording to the reference (low confidence): {doubt}; "
                                "compare from a later point of the reference, or with material with onsets "
                                "(music, speech, a sweep)")

    # 2. Track: every loud block's delay, searched +-block around the prediction.
    track = _Track()
    ref_level = math.sqrt(float(np.mean(head ** 2)))
    start = max(int(math.ceil(delay)), 0)
    end = min(rec_frames, int(delay + ref_frames) + 1)
    narrow = 64  # frames searched around the prediction; a longer step is found by the wide search
    tried = 0  # loud blocks looked for
    loud_at: list[int] = []  # their first frames
    on_track: list[float] = []  # the correlation of blocks found on the track (matched or not)
    taper = np.hanning(block)
    pow_rec = np.zeros(block // 2 + 1)  # power spectra of the matched blocks: the path's band edge
    pow_ref = np.zeros(block // 2 + 1)
    matched_band = _JUDGE_CUTOFF  # the judged band's edge read off the blocks matched so far
    path_edge: float | None = None  # the path's band edge read off them (None: not seen to cut)

    def match(blk: FloatArray, ref_around: Callable[[int], FloatArray], m0: int, n0: int,
              note_on_track: bool, slope: float) -> tuple[float, float, bool] | None:
        """``blk`` found in the reference around ``m0`` (``ref_around(reach)``: the reference
        ``reach`` frames each side of the block, as ``blk`` was filtered), near first, then +-block.
        A block off the track must match better than one on it: a pitch period's alias of tonal
        material matches nearly as well as the truth. A match on the top of the prediction's own
        lobe is no alias (the track stepped within the lobe: a drop, an insert): it is held to the
        track's rule, or under noise that lowers every block's correlation the track was lost at
        the first step (``_block_delay``). ``ref_around`` stretched by ``slope`` about the
        block's predicted centre (``_stretched_reference``) reads a lag off that centre as
        ``1 - slope`` frames of the reference each, which the delay is corrected by."""
        for reach in (narrow, block):
            got = _block_delay(blk, ref_around(reach), m0 - reach, n0, sign, silent_lags=not track.frames)
            if got is None:
                continue
            got = (got[0] + slope * (n0 - got[0] - m0), got[1], got[2])
            need = 0.8 if abs(got[0] - delay) < _STEP_MIN or got[2] else 0.97
            if note_on_track and need < 0.9:
                on_track.append(got[1])
            if got[1] >= need:
                return got
        return None

    for n0 in range(start, end - block + 1, block):
        blk = rec(n0, n0 + block)
        slope = _track_slope(track)
        if track.frames:
            # the prediction runs on from the last point at the track's slope: a block on at 500 ppm
            # lies 1 frame further, and a sweep's fringes near 20 kHz 2.4 frames apart, so the
            # last point's delay lay nearer an alias's top than the truth's (a clean sweep's last
            # three blocks read 2.6 frames early)
            delay = track.delays[-1] + slope * (n0 + block // 2 - track.frames[-1])
        m0 = int(round(n0 - delay))
        ref_blk = ref(m0, m0 + block)
        if float(np.sqrt(np.mean(ref_blk ** 2))) < 0.02 * ref_level:
            continue  # a pause: nothing to match
        tried += 1
        loud_at.append(n0)
        if path_edge is not None:
            spec = np.abs(np.fft.rfft(ref_blk * taper)) ** 2
            if float(np.sum(spec[: int(path_edge * 2 * (spec.size - 1)) + 1])) < _IN_BAND_LEAST * float(np.sum(spec)):
                # the path cuts where this block sounds (a sweep past a converter's low-pass): what
                # the recording keeps of it is the filter's stop band, whose phase, not the path's
                # delay, places its narrow-band remains, a carrier's period off and more (a linear
                # sweep past a 0.05 fs low-pass, noiseless, was followed there by a line 511 ppm off
                # and judged a pop where the prediction explained nothing). Not compared: the
                # reference there is not in the recording (``partial`` at the ends)
                continue
        stretch = slope if abs(slope) >= _STRETCH_LEAST else 0.0
        got = match(blk, lambda reach: _stretched_reference(ref, m0 - reach, m0 + block + reach, m0 + block / 2,
                                                            stretch), m0, n0, True, stretch)
        if got is None and matched_band < _JUDGE_CUTOFF:
            # the path cuts the band (a converter's low-pass, read off the blocks matched so far)
            # and this block's reference has much of its power above the cut: hi-hats (0.29-0.46
            # of their power above 14 kHz) through a 16 kHz low-pass correlated 0.68-0.79 with
            # the reference, below a match, on every block for 0.85 s of percussion (a drop there
            # unseen); 0.97-0.98 with both low-passed alike. Looked for again in the band judged,
            # by the track's own rule. Only such blocks: every block read in the band moved the
            # delays of those that matched already (a drum's by 0.25 frame), and on a noiseless
            # path the lines' new levels left 1-frame "pop"s beside drops in music and dense
            # material
            jf = _judge_filter(matched_band)
            jh = jf.size // 2
            blk_b = sps.oaconvolve(rec(n0 - jh, n0 + block + jh), jf, "valid")
            got = match(blk_b, lambda reach: sps.oaconvolve(
                _stretched_reference(ref, m0 - reach - jh, m0 + block + reach + jh, m0 + block / 2, stretch),
                jf, "valid"), m0, n0, False, stretch)
        if not track.frames and lock is None and (got is None or got[1] < _FIRST_MATCH_DOUBT):
            flipped = _block_delay(blk, ref(m0 - narrow, m0 + block + narrow), m0 - narrow, n0, -sign, True)
            if flipped is not None and flipped[1] >= max(0.97, (0.0 if got is None else got[1]) + _FLIP_MARGIN):
                sign, got = -sign, flipped
        if got is None:
            continue
        pow_rec += np.abs(np.fft.rfft(blk * taper)) ** 2
        pow_ref += np.abs(np.fft.rfft(ref_blk * taper)) ** 2
        matched_band = _judge_cutoff(pow_rec, pow_ref)
        path_edge = _band_edge(pow_rec, pow_ref)
        track.frames.append(n0 + block // 2)
        track.delays.append(got[0])
        matched_at = int(round(n0 - got[0]))
        track.centroids.append(_energy_centroid(ref(matched_at, matched_at + block)))
        track.read_slopes.append(stretch)
        delay = got[0]
    if len(track.frames) < 3:
        why = "is this the recording of that reference?"
        if tried < 3:
            # too little sound to follow, not a mismatch: a lone click matched 1 of 1 and was told it
            # "correlates only 1.00, below the 0.8 a match needs"
            why = (f"the recording holds only {tried} loud block(s) of the reference ({block} frames, "
                   f"{block / fs * 1e3:.0f} ms each; a block quieter than 2 % of the reference's level is a "
                   "pause): too little sound to follow; give a reference (and recording) with sound in at "
                   f"least 3 blocks, {3 * block / fs:.2f} s or more of music or speech")
        elif on_track and 0.5 <= float(np.median(on_track)) < 0.8:
            # the blocks were where the lock put them, only less alike than a match needs: a path
            # that changes the material (white noise through a converter's low-pass loses a
            # quarter of its power: 0.71-0.76 on every block of noise bursts at 18 kHz)
            # (matching such blocks again in the band the path passes was tried: it also took in
            # the blocks a drop had damaged, and a 1-frame drop in a pluck became a 381-frame
            # "other"; a comparison that cannot tell those apart refuses instead)
            why = (f"the blocks lie where the lock predicts but correlate only {float(np.median(on_track)):.2f} "
                   "(median) with the reference there, below the 0.8 a match needs: the path changes this "
                   "material more than the comparison models. Wide-band material through a band-limiting "
                   "converter does this (white noise through an 18 kHz low-pass loses a quarter of its power): "
                   "low-pass the reference below the converter's cut-off before playing it, or play material "
                   "with little content there (music, speech). Heavy noise does it too")
        raise AnalysisError(f"the reference could not be followed through the recording ({len(track.frames)} of "
                            f"{tried} loud blocks match it, 3 needed); {why}")
    cutoff = _judge_cutoff(pow_rec, pow_ref)
    step_cutoff = _judge_cutoff(pow_rec, pow_ref, where_strong=False)
    _reread_unstretched(track, rec, ref, sign, block, narrow)
    _delays_at_centres(track)
    raw = _split_wander(_lines(track, block), track, block)
    if lock is not None:
        # a caller's lock is checked as the comparison's own, where the track took it: on the
        # line through the track's first points, the ones it followed from the lock, before any
        # merge. A search that placed tone bursts a carrier's or a burst's period off (or 40
        # frames off, which the track then followed to an alias 25.6 frames off) was compared
        # there, every burst a false pop or mute; a lock a few frames off that the track put
        # right passes. Checked after the merge instead, the line with more points kept for
        # the whole take hid a lock that was off, and with one line fitted through both levels
        # (to keep such locks visible) 2-6 kHz notes followed to an alias read a 40 ppm clock as
        # -213 ppm: false ``clipped`` glitches on clean takes
        d0 = raw[0][2] / (1 - raw[0][3]) if abs(raw[0][3]) < 0.5 else raw[0][2]
        doubt = _check_lock(head, rec, rec_frames, fs, d0,
                            f"from the given lock at {lock:.1f} frames, the track places the reference's first "
                            f"{head.size / fs:.1f} s")
        if doubt is not None:
            raise AnalysisError(f"cannot align the recording to the reference (low confidence): {doubt}; "
                                "locate the reference again, or compare material with onsets (music, speech, "
                                "a sweep)")
    lines = _confirm_steps(raw, track, rec, ref, sign, block, step_cutoff)
    for li in range(1, len(lines)):  # each step's size, read from the recording (``_measure_step``)
        a, b = lines[li - 1], lines[li]
        moved = _measure_step(a, b, _locate_step(a, b, rec, ref, sign, block, step_cutoff).at, rec, ref, sign, block,
                              step_cutoff)
        if li == 1 and _points_on(a, track) < _points_on(b, track):
            # the step's size is measured, not which side is off: the first line's level is
            # bound by no step before it, and read from fewer points than the next it is the
            # one moved. A drop in the first matched block leaves that block's delay between
            # the two levels (music under a fade, 2 frames dropped 612 frames before its end:
            # read 1.07 frames under the level before the drop), a line of one point; the
            # 37-point line after it moved 1.09 frames off its own points instead, and split
            # against it the drop was placed 5729 frames late at the search's end (+-24)
            lines[0] = (a[0], a[1], a[2] - moved, a[3])
        else:
            lines[li] = (b[0], b[1], b[2] + moved, b[3])

    # 3. + 4. Predict and judge, a window at a time.
    win = max(int(window_s * fs) // block, 4) * block
    events: list[tuple[int, int, float, int, bool, bool]] = []  # start, end, peak, count, silent, compressed
    steps: list[tuple[int, float, float]] = []  # (recording frame, delay before, delay after)
    gains: list[float] = []
    noises: list[float] = []
    # each window's peaks over _HIDDEN_SUSPECT, best first, as (recording frame, |residual|): the next
    # is asked where the one before it holds no step
    suspects: list[list[tuple[int, float]]] = []
    k_thr = max(6.0, math.sqrt(2 * math.log(max(end - start, 2))) + 2.0)
    first_frame = max(lines[0][0], start)
    last_frame = min(lines[-1][1], end)
    # where each line holds: from its first frame to the next line's first frame, the step
    # between two lines placed by least squares (the recording follows one line, then the other)
    bounds = [max(ln[0], start) for ln in lines] + [last_frame]
    spans: list[int] = []  # each step's position uncertainty (frames), ``_locate_step``'s span
    for li in range(1, len(lines)):
        split = _locate_step(lines[li - 1], lines[li], rec, ref, sign, block, step_cutoff)
        bounds[li] = split.at
        spans.append(max(split.at - split.first, split.last - split.at))
    doubt = _check_track(lines, bounds, spans, rec, rec_frames, ref, fs, head.size, ref_level)
    if doubt is not None:
        raise AnalysisError(f"cannot follow the recording along the reference (low confidence): {doubt}; "
                            "compare up to that point of the reference, or with material with onsets "
                            "(music, speech, a sweep)")
    for li in range(1, len(lines)):
        steps.append((bounds[li], lines[li - 1][2] + lines[li - 1][3] * bounds[li], lines[li][2] + lines[li][3] * bounds[li]))
    # the stretches where a block of the track lies off the line that holds it (``_off_line_blocks``):
    # each one's residual peak is a suspect for the hidden-step test, whatever its height
    off_line = _off_line_blocks(track, lines, bounds, first_frame, last_frame, block)
    off_peaks: list[tuple[int, float, float] | None] = [None] * len(off_line)  # (frame, |e|, |e| / sigma)
    judge = _judge_filter(cutoff)
    jh = judge.size // 2
    pad = FIR_TAPS + judge.size
    half = FIR_TAPS // 2

    def judge_window(w0: int, w1: int, lines_w: list[tuple[int, int, float, float]],
                     bounds_w: list[int]) -> _Judged | None:
        """Recording frames ``w0..w1`` judged against the reference along ``lines_w`` (each
        holding from its ``bounds_w`` frame to the next's): one path filter and its change fitted,
        refitted with an impulse at each burst found, the bursts over the threshold returned as
        events. None for a window too short to fit."""
        if w1 - w0 < FIR_TAPS * 4:
            return None
        n = np.arange(w0 - pad, w1 + pad)
        pos = np.empty(n.size)
        for li, ln in enumerate(lines_w):
            a = bounds_w[li] if li else -(1 << 60)
            b = bounds_w[li + 1] if li + 1 < len(lines_w) else 1 << 60
            sel = (n >= a) & (n < b)
            pos[sel] = n[sel] - (ln[2] + ln[3] * n[sel])
        lo = int(math.floor(pos.min())) - _SINC_HALF - 1
        hi = int(math.ceil(pos.max())) + _SINC_HALF + 2
        ref_raw = ref(lo, hi)
        if one_clock:
            p_full = ref_raw[np.rint(pos).astype(np.int64) - lo] * sign
        else:
            p_full = _sinc_interp(ref_raw, lo, pos) * sign
        r_full = rec(w0 - pad, w1 + pad)
        off = pad - half  # resid[i] is recording frame w0 - pad + half + i
        # the files' quantisation, a floor of its own (see _window_floor)
        q_rec, q_ref = _quantum(r_full), _quantum(ref_raw)
        normal = _path_normal(p_full, r_full, judge, jh + half, recursive_taps)
        if q_ref > 0:
            normal = _debiased(normal, q_ref)
        normal = _without_splices(normal, [bd - (w0 - pad + half) for bd in bounds_w[1:-1]])
        normal = _without_rows(normal, _silenced_rows(normal, fs))
        first: tuple[FloatArray, FloatArray, FloatArray] | None = _solve_path(normal)
        e_first, fit_first = first[1][off: off + (w1 - w0)], first[2][off: off + (w1 - w0)]
        noise_var = _noise_share(e_first, cutoff)[1]
        muted = _silenced_blocks(e_first, fit_first, noise_var, cutoff)
        if muted.any():
            # a silence the hops' test above did not see (under noise a muted hop reads the
            # noise, 0.04-0.17 of what the window's gain made of the reference, over the 0.02
            # it asks): the first fit says where the recording fell to the noise under a
            # sounding prediction, and those rows (with the filters' reach) leave the fit
            reach = judge.size // 2 + FIR_TAPS
            normal = _without_rows(normal, [off + i for b in np.flatnonzero(muted).tolist()
                                            for i in range(b * 128 - reach, (b + 1) * 128 + reach)],
                                   _SILENCED_MOST)
            first = None
        found: list[int] = []  # frames of the window (``e``'s index) the judge found a glitch at
        for refit in range(_REFITS + 1):
            if refit == 0 and first is not None:
                h, resid, fit = first
            else:
                h, resid, fit = _solve_path(normal, tuple(off + i for i in found))
            e = resid[off: off + (w1 - w0)]
            q = math.hypot(q_rec, abs(float(np.sum(h[:FIR_TAPS]))) * q_ref) / math.sqrt(12)
            sigma, floor_med = _window_floor(e, fit[off: off + (w1 - w0)], ref_level, 10 ** (floor_db / 20), q,
                                             muted)
            over = np.flatnonzero(np.abs(e) > k_thr * sigma)
            # Least squares bends the filter to explain part of a glitch in its window, and the
            # residual shows that part's echoes over the filter's length (a 0.01 pop at 8 kHz,
            # whose window is 2048 frames, came out as a 155-frame "other" 39 frames early): the
            # window is fitted again with an impulse at each glitch found as a regressor of its
            # own (``_fit_path``'s ``impulses``), the largest first, until every frame over the
            # threshold is one the impulses found reach through the judge filter. A window where
            # the judge found nothing keeps its first fit.
            own = _impulse_reach(e, sigma, found, judge, k_thr)
            fresh = over[~own[over]]
            if not fresh.size or refit == _REFITS:
                break
            found.append(int(fresh[int(np.argmax(np.abs(e[fresh])))]))
        ev: list[tuple[int, int, float, int, bool, bool]] = []
        over = np.flatnonzero(np.abs(e) > k_thr * sigma)
        fit_w = fit[off: off + (w1 - w0)]
        noise_var = _noise_share(e, cutoff)[1]  # the window's noise under its last fit
        if over.size:
            # the prediction over the whole band (the reference along the track through the
            # window's fitted filter and its change, not low-passed by the judge): a peak clipped
            # by one frame stands over the recording's level there, where the judged band's
            # prediction smooths it under (``_flattened_span``)
            vb = np.lib.stride_tricks.sliding_window_view(p_full, FIR_TAPS)[off: off + (w1 - w0)]
            raw_pred = vb @ h[:FIR_TAPS] + normal.ramp[off: off + (w1 - w0)] * (vb @ h[FIR_TAPS: 2 * FIR_TAPS])
            if normal.offset is not None:  # the recording's DC, which the whole band holds too
                base = 2 * FIR_TAPS + recursive_taps
                raw_pred = raw_pred + normal.offset[off: off + (w1 - w0)] @ h[base: base + normal.offsets]
            brk = np.flatnonzero(np.diff(over) > int(0.002 * fs)) + 1
            heads = np.concatenate(([0], brk))
            tails = np.concatenate((brk, [over.size])) - 1
            own = _impulse_reach(e, sigma, found, judge, k_thr)
            for h0, t0 in zip(heads, tails, strict=True):
                i0, i1 = int(over[h0]), int(over[t0]) + 1
                seg_e = np.abs(e[max(i0 - 2, 0): i1 + 2])
                inside = [i for i in found if i0 <= i < i1]
                if inside and bool(np.all(own[over[h0: t0 + 1]])):
                    # every frame over the threshold is the judge filter's ring of the impulses
                    # found: the burst is where they are (a 0.01 pop at 8 kHz rings 11 frames
                    # over the threshold, longer than a pop's 1 ms there)
                    i0, i1 = min(inside), max(inside) + 1
                    cnt = len(inside)
                else:
                    cnt = int(t0 - h0 + 1)
                    if i1 - i0 <= _POP_MAX_S * fs:
                        # a pop (a burst this short is nothing else) through the path's own
                        # band-limiting (a fractional delay's sinc, a converter) rings over the
                        # threshold on both sides of its frame, which the judge filter's ring of an
                        # impulse at it does not cover: 0.010-0.015 pops in music through a plain
                        # path were placed 10-13 frames early, sized 18. It is where its error is:
                        # the frames within a quarter of the burst's peak (the ring's main lobe)
                        core = np.flatnonzero(np.abs(e[i0:i1]) >= np.abs(e[i0:i1]).max() / 4) + i0
                        i0, i1, cnt = int(core[0]), int(core[-1]) + 1, int(core.size)
                ev.append((w0 + i0, w0 + i1, float(seg_e.max()), cnt,
                           _silent_span(e, fit_w, i0, i1, noise_var, cutoff),
                           _compressed_span(e, fit_w, i0, i1, fs)
                           or _flattened_span(r_full[pad: pad + (w1 - w0)], raw_pred, i0, i1, fs, q_rec)))
        return _Judged(ev, float(np.sum(h[:FIR_TAPS])), floor_med, e, sigma)

    # windows of about ``win`` frames that split the stretch evenly (a short last window would
    # leave the fit a few hundred frames to determine ~100 taps by, and a transient there would
    # be half fitted, half called a glitch), cut at a drop's step (``_window_edges``)
    edges = _window_edges(first_frame, last_frame, win, [at for at, d0, d1 in steps if d1 < d0], block,
                          (block // _END_PART, block // _END_PART))
    # each judged window's edges and bursts (not its residual: memory stays a window's)
    judged: list[tuple[int, int, list[tuple[int, int, float, int, bool, bool]]]] = []
    for w0, w1 in zip(edges[:-1], edges[1:], strict=True):
        got_w = judge_window(w0, w1, lines, bounds)
        if got_w is None:
            continue
        judged.append((w0, w1, got_w.events))
        e, sigma = got_w.e, got_w.sigma
        gains.append(got_w.gain)
        noises.append(got_w.noise)
        # the window's peak a block or more from every burst it heard: a burst is named from the
        # track's steps and the residual (a pop or a mute there was taken for a 1-frame step by a
        # splice), and it does not hide a step elsewhere in its window (a false pop at a sweep's
        # fade-in stood over a 2-frame drop's 4.6 sigmas 6 000 frames on, never tested)
        z = np.abs(e) / sigma
        for s0, s1, *_rest in got_w.events:
            z[max(s0 - w0 - block, 0): max(s1 - w0 + block, 0)] = 0.0
        # and, where the recording says that peak holds no step, the window's peak a block or more
        # from it: one model error (a sweep's fade-in at the followed span's first frames, 4-5
        # sigmas) otherwise hides a step anywhere else in its window (1-frame drops on a sweep
        # through a 0.05 fs low-pass, 6 000 frames on, never asked)
        peaks: list[tuple[int, float]] = []
        for _ask in range(_HIDDEN_PER_WINDOW):
            peak = int(np.argmax(z))
            if not _HIDDEN_SUSPECT < float(z[peak]) <= k_thr:
                break
            peaks.append((w0 + peak, abs(float(e[peak]))))
            z[max(peak - block, 0): peak + block] = 0.0
        if peaks:
            suspects.append(peaks)
        for oi, (a, b) in enumerate(off_line):
            i0, i1 = max(a, w0) - w0, min(b, w1) - w0
            if i1 <= i0:
                continue
            z = np.abs(e[i0:i1]) / sigma[i0:i1]
            j = int(np.argmax(z))
            best = off_peaks[oi]
            if float(z[j]) <= k_thr and (best is None or float(z[j]) > best[2]):
                off_peaks[oi] = (w0 + i0 + j, abs(float(e[i0 + j])), float(z[j]))

    # a step the track did not see (too few blocks after it before a pause or the followed
    # span's end) and the window's filter bent towards: tested where the residual peaks, and
    # where a block of the track lies off its line (the peak inside that block's reach), unless
    # a window's peak there is tested already
    for (a, b), got in zip(off_line, off_peaks, strict=True):
        if got is not None and not any(a <= peaks[0][0] < b for peaks in suspects):
            suspects.append([(got[0], got[1])])
    hidden_drops: list[tuple[int, int, float]] = []  # (line, recording frame, size) of each hidden drop
    for peaks in suspects:
        for at, pk in peaks:
            if any(abs(at - s0) < 2 * block for s0, _d0, _d1 in steps):
                continue
            li = max(int(np.searchsorted(np.asarray(bounds[: len(lines)]), at, "right")) - 1, 0)
            hidden = _hidden_step(lines[li], at, first_frame, last_frame, rec, ref, sign, block, step_cutoff)
            if hidden is None:
                continue
            level = lines[li][2] + lines[li][3] * hidden.at
            steps.append((hidden.at, level, level + hidden.size))
            spans.append(hidden.span)
            events.append((hidden.at, hidden.at + 1, pk, 1, False, False))
            if hidden.size < 0 and bounds[li] < hidden.at < bounds[li + 1]:
                hidden_drops.append((li, hidden.at, hidden.size))
            break
    # a window that holds a drop the hidden-step test placed is judged again, cut there, each
    # part along the lines with the drop's level taken in: the reason a track's drop cuts its
    # window (``_window_edges``) holds for a drop found after the windows were judged (a 2-frame
    # drop on a sweep through a 0.05 fs low-pass left the followed span one window, and the
    # sweep's fade-in a false ``pop``). The window's gain and noise stay its first judgement's
    if hidden_drops:
        lines_h, bounds_h = list(lines), list(bounds)
        for li, at, size in sorted(hidden_drops, key=lambda d: -d[1]):  # last first: earlier indices hold
            ln = lines[li]
            lines_h.insert(li + 1, (ln[0], ln[1], ln[2] + size, ln[3]))
            bounds_h.insert(li + 1, at)
        for k, (w0, w1, _events) in enumerate(judged):
            cut = _window_edges(w0, w1, w1 - w0, [at for _li, at, _sz in hidden_drops], block,
                                (block // _END_PART if w0 == first_frame else block,
                                 block // _END_PART if w1 == last_frame else block))
            if len(cut) == 2:
                continue
            parts = [judge_window(c0, c1, lines_h, bounds_h) for c0, c1 in zip(cut[:-1], cut[1:], strict=True)]
            if any(part is None for part in parts):
                continue
            judged[k] = (w0, w1, [x for part in parts if part for x in part.events])
    # a short burst a window longer than ``_CONFIRM_BLOCKS`` heard away from every step is judged
    # again in a window of that length about it (``_confirmed``), unless the path model is
    # recursive: a recursive model (a run's program check) needs its long window, and judged in 4
    # blocks a 0.02 pop in music was lost there
    lines_c, bounds_c = (lines_h, bounds_h) if hidden_drops else (lines, bounds)
    for w0, w1, window_events in judged:
        events.extend(ev for ev in window_events
                      if recursive_taps or _confirmed(ev, w0, w1, steps, block, fs,
                                                      lambda c0, c1: judge_window(c0, c1, lines_c, bounds_c)))
    order = sorted(range(len(steps)), key=lambda i: steps[i][0])
    steps, spans = [steps[i] for i in order], [spans[i] for i in order]
    quiet_level = 4.0 * (float(np.median(noises)) if noises else 0.0) + 1e-6
    # on one clock a step of the track that the residual does not confirm is the track's own (a
    # healthy run's low-passed music matched itself 777 frames away, a pitch period's alias, and
    # the prediction along the alias explained it as well): only steps the residual heard count
    # the reference's soft onset, from the lead-in's end to the first loud block the track matched:
    # its bursts before that block, never named clipped (a recording clipped where the reference is
    # under 2 % of its level would be clipped over every loud block; at a quiet attack a pop's own
    # ring is most of the few peak frames ``_compressed_span`` reads: a 0.01 pop in speech's
    # faded-in first syllable read ``clipped``)
    onset_w = _onset_window(_lead_in_end(head, lines[0], fs, judge.size), start, first_frame, last_frame, block)
    if onset_w is not None:
        got_o = judge_window(onset_w[0], onset_w[1], lines_c, bounds_c)
        # the first line holds the level after a step in the first matched block or before it, so
        # the frames before a drop there are misaligned and read as bursts ending at it: tested
        # for a step held on the first line after it (``_step_before_first_block``); a step found
        # joins the track's steps and the onset is judged again along the level before it
        line0 = lines_c[0]
        early = _step_before_first_block(
            [*events, *(ev for ev in (got_o.events if got_o is not None else []) if ev[0] < first_frame)],
            line0, onset_w[0], first_frame, last_frame, rec, ref, sign, block, step_cutoff, fs)
        if early is not None and not any(abs(early[0].at - at) < 2 * block for at, _d0, _d1 in steps):
            early_step, peak = early
            level = line0[2] + line0[3] * early_step.at
            steps.insert(0, (early_step.at, level - early_step.size, level))
            spans.insert(0, early_step.span)
            events.append((early_step.at, early_step.at + 1, peak, 1, False, False))
            got_o = judge_window(onset_w[0], onset_w[1],
                                 [(line0[0], line0[1], line0[2] - early_step.size, line0[3]), *lines_c],
                                 [onset_w[0], early_step.at, *bounds_c[1:]]) or got_o
        if got_o is not None:
            kept = [ev for ev in got_o.events
                    if ev[0] < first_frame
                    and (recursive_taps or _confirmed(ev, onset_w[0], onset_w[1], steps, block, fs,
                                                      lambda c0, c1: judge_window(c0, c1, lines_c, bounds_c)))]
            events.extend((s0, s1, pk, cnt, silent, False) for s0, s1, pk, cnt, silent, _clipped in kept)
        if early is None:
            # a burst there that the first line moved a frame or two before it explains is a
            # drop's misaligned material as likely as a glitch of its own: with no step the
            # recording confirms, neither is named (``_burst_explained_by_a_step``); a burst near
            # a step the track holds is that step's to explain, as the moved line would explain it
            events[:] = [ev for ev in events
                         if any(abs(ev[0] - at) < 2 * block for at, _d0, _d1 in steps)
                         or not _burst_explained_by_a_step(ev, line0, onset_w, first_frame + block, block, fs,
                                                           lambda ln, at, w0, w1: judge_window(
                                                               w0, w1, [ln, *lines_c], [w0, at, *bounds_c[1:]]))]
    # the reference's lead-in silence, before the first window: a click there is a pop
    events.extend(_lead_in_events(head, lines[0], start, first_frame, rec, fs, judge, k_thr, ref_level,
                                  10 ** (floor_db / 20)))
    glitches = _classify(events, steps, lines, bounds, rec, ref, sign, fs, quiet_level,
                         1 << 62 if one_clock else 1, rec_frames, spans)
    truncated = len(glitches) > max_glitches
    drift = _take_drift(lines, track)
    drift_half = None if drift is None else _drift_uncertainty(lines, track, drift)
    if drift is None:
        drift = float(np.median([ln[3] for ln in lines]))
    lat = lines[0][2]  # delay of the first line at recording frame 0 ~ the reference's frame 0
    slope0 = lines[0][3]
    latency = lat / (1 - slope0) if abs(slope0) < 0.5 else lat
    return ReferenceReport(
        sample_rate=fs, frames=rec_frames, reference_frames=ref_frames, latency_frames=latency,
        drift_ppm=drift * 1e6 / (1 - drift), polarity=sign,
        drift_uncertainty_ppm=None if drift_half is None else drift_half * 1e6 / (1 - drift) ** 2,
        gain_db=20 * math.log10(max(abs(float(np.median(gains))) if gains else 0.0, 1e-12)),
        noise_rms=float(np.median(noises)) if noises else 0.0,
        analysed_start_frame=first_frame, analysed_end_frame=last_frame,
        glitches=glitches[:max_glitches], truncated=truncated,
        unfollowed_frames=block * sum(1 for n0 in loud_at if n0 + block <= first_frame or n0 >= last_frame),
        loud_frames=block * len(loud_at),
    )



#: the envelope lock's hop (seconds): the envelopes are means of |analytic signal| over it
_ENV_HOP_S = 1.0 / 6000
#: the envelope's moving mean (seconds): a period of the lowest pitch it must not beat at (60 Hz)
_ENV_SMOOTH_S = 1.0 / 60
#: the envelope lock's demands: the envelopes' correlation at the best lag, the most a rival
#: lag's may reach of it, and the most the carrier's next peak near the envelope's lag may reach
#: of the best one (a period off is a wrong answer by a period, not a small error)
_ENV_MIN_RHO, _ENV_RIVAL, _ENV_RIPPLE = 0.8, 0.8, 0.9
#: how far (hops) from the envelopes' best lag the carrier's peak is looked for
_ENV_REACH_HOPS = 6


def _envelope(x: FloatArray, fs: int) -> FloatArray:
    """``x``'s envelope: |analytic signal| under a moving mean over ``_ENV_SMOOTH_S`` (it beats
    at a harmonic tone's fundamental; the mean over the lowest pitch's period leaves the bursts'
    shape), averaged over hops of ``_ENV_HOP_S``."""
    hop = max(1, int(round(_ENV_HOP_S * fs)))
    smooth = max(1, int(round(_ENV_SMOOTH_S * fs)))
    a = np.abs(sps.hilbert(x))
    c = np.concatenate(([0.0], np.cumsum(a)))
    a = (c[smooth:] - c[:-smooth]) / smooth
    n = a.size // hop * hop
    out: FloatArray = a[:n].reshape(-1, hop).mean(axis=1)
    return out


def _envelope_rho(head: FloatArray, r: FloatArray, fs: int) -> tuple[FloatArray, FloatArray] | None:
    """The head's envelope less its mean, and its normalised correlation with ``r``'s envelope at
    every lag (in hops of ``_ENV_HOP_S``, from ``r``'s first frame); None when either is too
    short or the head's envelope is flat."""
    eh, er = _envelope(head, fs), _envelope(r, fs)
    eh = eh - eh.mean()
    if eh.size < 8 or er.size < eh.size or not np.any(eh):
        return None
    corr = sps.correlate(er, eh, "valid", method="fft")
    m = eh.size
    c1 = np.concatenate(([0.0], np.cumsum(er)))
    c2 = np.concatenate(([0.0], np.cumsum(er * er)))
    s1 = c1[m:] - c1[:-m]
    s2 = c2[m:] - c2[:-m]
    var = np.maximum(s2 - s1 * s1 / m, 1e-30)
    rho: FloatArray = corr / np.sqrt(var * float(np.dot(eh, eh)))
    return eh, rho


#: the lock's check by the envelopes: how far (seconds) each side of the lock the envelopes'
#: best lag is looked for, the envelope correlation it must reach to speak, how far (hops) from
#: the lock it may lie (its own placing: within 9 frames of the truth on 20 seeds of tone bursts
#: at 48 kHz), and how alike the head must be to itself across the disagreement for the carrier
#: to have been able to lock there (an alias the material makes) with the envelopes alike to
#: this much (only then is their lag trusted to a few frames: percussion under a -50 % gain ramp
#: matched 0.98 at its best lag, 25 frames from a right lock), unless the envelopes at the lock
#: match clearly worse than at their best (by this much correlation)
_CHECK_REACH_S, _CHECK_MIN_RHO, _CHECK_HOPS = 0.1, 0.9, 3
_CHECK_ALIAS, _CHECK_ALIAS_RHO, _CHECK_CLEAR = 0.5, 0.995, 0.05
#: ... or unless the carrier itself matches the recording better by this much (normalised
#: correlation) at the envelopes' lag than at the lock: a lock on one burst's alias, read over
#: bursts of other tones, matched 0.35-0.54 at the lock and 0.96-1.00 where the envelopes put it
_CHECK_CARRIER = 0.1


def _carrier_near(seg: FloatArray, lo: int, head: FloatArray, energy: float,
                  *places: tuple[float, int]) -> list[float]:
    """The best normalised correlation (either sign) of ``head`` with the recording ``seg``
    (whose first frame is recording frame ``lo``) within ``reach`` frames of each ``(frame,
    reach)`` of ``places``: how well the carrier itself matches there, not only its envelope."""
    fine = np.abs(sps.correlate(seg, head, "valid", method="fft"))
    c2 = np.concatenate(([0.0], np.cumsum(seg * seg)))
    fine /= np.sqrt(np.maximum((c2[head.size:] - c2[:-head.size]) * energy, 1e-30))
    out: list[float] = []
    for at, reach in places:
        j = int(round(at)) - lo
        a, b = max(j - reach, 0), min(j + reach + 1, fine.size)
        out.append(float(fine[a:b].max()) if b > a else 0.0)
    return out


def _check_lock(head: FloatArray, rec: Callable[[int, int], FloatArray], rec_frames: int, fs: int,
                delay: float, what: str = "") -> str | None:
    """Why the lock at ``delay`` (the recording frame of the head's first frame) is not where the
    head lies, or None. The carrier's correlation of steady tones matches itself a period away (and
    a drop inside the head splits the true peak in two, each half as tall as an alias of the
    loudest burst): the envelopes, which a period's shift leaves alike but the bursts' edges place,
    are read around the lock. When they match clearly at a lag more than ``_CHECK_HOPS`` hops from
    the lock, and either the head's own carrier is alike across that distance (the lock could be
    its alias: a period off, the envelopes at the lock match nearly as well, 0.9999 against 1.00)
    while the envelopes are alike enough to be placed to a few frames, or the envelopes at the
    lock match clearly worse, or the carrier itself matches clearly better where the envelopes
    put it (``_CHECK_CARRIER``), the lock is not trusted. ``what``: how the message names the stretch
    and its placing (the carrier's lock of the reference's head by default); ``delay`` is always
    the recording frame of ``head``'s first frame."""
    hop = max(1, int(round(_ENV_HOP_S * fs)))
    reach = int(_CHECK_REACH_S * fs)
    lo = max(int(math.floor(delay)) - reach, 0)
    lo -= lo % hop
    hi = min(int(math.ceil(delay)) + reach + head.size, rec_frames)
    if hi - lo < head.size:
        return None
    seg = rec(lo, hi)
    got = _envelope_rho(head, seg, fs)
    if got is None:
        return None
    rho = got[1]
    k = int(np.argmax(rho))
    env = lo + k * hop
    if float(rho[k]) < _CHECK_MIN_RHO or abs(env - delay) <= _CHECK_HOPS * hop:
        return None
    apart = int(round(abs(env - delay)))
    if apart >= head.size:
        return None
    at_lock = float(rho[min(max(int(round((delay - lo) / hop)), 0), rho.size - 1)])
    energy = float(np.dot(head, head))
    lags = range(max(apart - hop, 1), min(apart + hop, head.size - 1) + 1)
    alike = max(abs(float(np.dot(head[: head.size - d], head[d:]))) for d in lags) / max(energy, 1e-30)
    car_lock, car_env = _carrier_near(seg, lo, head, energy, (delay, _CHECK_HOPS * hop), (env, 2 * hop))
    carrier_there = car_env >= car_lock + _CHECK_CARRIER
    # an alias matches the carrier about as well as what it aliases; a lock whose carrier matches
    # clearly better than anywhere near the envelopes' lag is no alias of it (44.1 kHz music, a
    # 0.66 s piece whose envelopes matched 1.00 both at the lock and 29 frames off, the carrier
    # 0.96 at the lock and 0.69 there: a right track refused)
    aliased = (alike >= _CHECK_ALIAS and float(rho[k]) >= _CHECK_ALIAS_RHO
               and car_lock < car_env + _CHECK_CARRIER)
    if not aliased and not carrier_there and at_lock > float(rho[k]) - _CHECK_CLEAR:
        return None
    what = what or f"the carrier locks the reference's first {head.size / fs:.1f} s"
    return (f"{what} at a delay of {delay:.1f} frames, "
            f"but their envelopes match best at about {env} frames ({float(rho[k]):.2f}; {at_lock:.2f} at the "
            f"lock), {apart} frames away, where the carrier matches {car_env:.2f} ({car_lock:.2f} at the lock), "
            f"and the reference's own carrier is {alike:.2f} alike across that "
            "distance: the lock may be an alias of a steady tone, a period or more off")


def _carrier_elsewhere(head: FloatArray, rec: Callable[[int, int], FloatArray], rec_frames: int, fs: int,
                       delay: float) -> str | None:
    """Why the lock at ``delay`` is not where the head's carrier matches best nearby, or None:
    the carrier's normalised correlation anywhere within twice the envelope lock's reach
    (``_ENV_REACH_HOPS``) of the lock clearly (``_CHECK_CARRIER``) over its best within
    ``_CHECK_HOPS`` hops of it. The envelopes place a head to a few frames as a rule, but a tanh
    saturation inside the head flattens its bursts' shape: 2-6 kHz notes saturated in the head's
    second half had their envelopes' best lag 55 frames late, the carrier's pick 87 frames off
    the truth (0.69 at the lock, 0.89 at the truth), and ``_check_lock`` reads the carrier only
    near the envelopes' lag: the take was followed along aliases, glitches outside the
    saturated stretch. A right lock matches best where it lies, so this refuses it only where
    the carrier itself prefers another place (inconclusive, not a verdict)."""
    hop = max(1, int(round(_ENV_HOP_S * fs)))
    reach = 2 * _ENV_REACH_HOPS * hop
    lo = max(int(math.floor(delay)) - reach - _CHECK_HOPS * hop, 0)
    hi = min(int(math.ceil(delay)) + reach + _CHECK_HOPS * hop + head.size, rec_frames)
    if hi - lo < head.size + 1:
        return None
    seg = rec(lo, hi)
    energy = float(np.dot(head, head))
    at_lock, around = _carrier_near(seg, lo, head, energy, (delay, _CHECK_HOPS * hop), (delay, reach))
    if around < at_lock + _CHECK_CARRIER:
        return None
    return (f"the carrier of the reference's first {head.size / fs:.1f} s matches {around:.2f} within {reach} "
            f"frames of the lock at {delay:.1f} frames, {at_lock:.2f} at it: the lock may be an alias of a "
            "steady tone, the envelopes misled (a saturated stretch changes their shape)")


#: the track's check by the envelopes: each line's stretch is read in pieces of the head's length
#: (the lock's check, ``_check_lock``, on each), and this far (seconds) from a step (beyond the
#: step's own stated uncertainty) is left to the step: the envelopes there straddle it; a piece
#: shorter than ``_TRACK_MIN_S`` is not read (too few bursts' edges to place it by)
_TRACK_STEP_MARGIN_S, _TRACK_MIN_S = 0.05, 0.5


def _check_track(lines: list[tuple[int, int, float, float]], bounds: list[int], spans: list[int],
                 rec: Callable[[int, int], FloatArray], rec_frames: int,
                 ref: Callable[[int, int], FloatArray], fs: int, piece_frames: int, ref_level: float) -> str | None:
    """Why the track's lines do not place the reference where the recording holds it, or None.

    The lock is checked on the reference's head only (``_check_lock``); the track that follows
    it takes each block's delay from the carrier's correlation near the prediction, and on steady
    tones a period's alias matches as well as the truth. A drop of more frames than the track's
    narrow search after the head (150 frames in a tone burst, 3 s into tone bursts at -60 ppm)
    left the line after it a carrier's alias off (the drop read as 78), and every burst after it
    was compared at that alias: mutes of thousands of frames, pops and steps that were not there.
    The same check as the lock's, by the envelopes (which a period's shift leaves alike but the
    bursts' edges place), is run on every piece of ``piece_frames`` along each line, a piece's
    reference and a window of recording around it at a time (memory bounded by the piece, not the
    file). Pieces within a step's stated uncertainty plus ``_TRACK_STEP_MARGIN_S`` are left out,
    and pauses (reference under 2 % of its level, as the track's) are not read."""
    margin = int(_TRACK_STEP_MARGIN_S * fs)
    least = int(_TRACK_MIN_S * fs)
    for li, ln in enumerate(lines):
        a = bounds[li] + (spans[li - 1] + margin if li else 0)
        b = bounds[li + 1] - (spans[li] + margin if li + 1 < len(lines) else 0)
        for n0 in range(a, b - least + 1, piece_frames):
            n1 = min(n0 + piece_frames, b)
            d = ln[2] + ln[3] * n0
            m0 = int(round(n0 - d))
            piece = ref(m0, m0 + n1 - n0)
            if float(np.sqrt(np.mean(piece ** 2))) < 0.02 * ref_level:
                continue
            what = (f"the track places the reference's frames {m0}..{m0 + piece.size} (recording {n0 / fs:.2f} s on, "
                    f"after {li} step(s) of the track)")
            doubt = _check_lock(piece, rec, rec_frames, fs, m0 + d, what)
            if doubt is not None:
                return doubt
    return None


#: the phase-only (whitened) correlation of the lock: the band it is read in (fraction of the
#: rate, under a converter's usual low-pass; a head's bins under ``_PHASE_FLOOR`` of its median
#: bin in that band are left out: a band-limited reference's empty bins hold the recording's
#: noise only, and its strongest bins are a steady tone's, 80 dB over a drum hit's), how far (frames) each side of its peak
#: the peak's own lobe reaches on a steady clock (the carrier's peak nearest it is looked for that
#: far), and the most any lag outside the peak's lobe may reach of the peak for the peak to be believed
_PHASE_BAND, _PHASE_FLOOR, _PHASE_LOBE, _PHASE_CLEAR = 0.3, 1e-6, 4, 0.5
#: the clock offset (parts per one) the lock allows for: over a head of ``n`` frames the delay moves
#: by up to ``n`` times it, and the whitened peak is smeared across those lags (1.5 s at 96 kHz
#: under 40 ppm: the truth's frames 300-307 reach 0.5-1.0 of the peak, with valleys between)
_PHASE_DRIFT = 100e-6
#: how clear (``_phase_peak``'s clearness) a whitened peak past the envelope lock's reach must
#: stand to be taken where the carrier there cannot decide: four saturated 96 kHz heads stood
#: 0.84-0.96 clear; an undamaged noisy take's wrong peak, 93 frames from the truth, 0.59
_PHASE_FAR_CLEAR = 0.8


def _phase_lobe(head_frames: int) -> int:
    """How far (frames) each side of the whitened peak its own lobe reaches: the peak's width on a
    steady clock plus the most a clock ``_PHASE_DRIFT`` off moves the delay across the head (the
    peak may lie at either end of that smear). A fixed 4 frames refused 6 of 100 clean 96 kHz takes
    of notes under 40 ppm: a lag 5 frames off, inside the 6-frame smear, reached 0.59 of the peak."""
    return _PHASE_LOBE + int(math.ceil(_PHASE_DRIFT * head_frames))


def _phase_peak(seg: FloatArray, head: FloatArray) -> tuple[int, int, float] | None:
    """Where ``head`` lies in ``seg`` by its phase alone (GCC-PHAT: the cross-spectrum divided by
    its magnitude): ``(lag, sign, clearness)``, the lag in frames from ``seg``'s first, or None
    when the peak does not stand clear (``_PHASE_CLEAR``) of every lag outside its own lobe.

    The carrier's correlation of notes of steady tones weighs each tone by its power, and a lag a
    few periods of the loudest ones away matches nearly as well as the truth (2-6 kHz notes at 44.1
    kHz: 56 frames off with inverted polarity at 0.94 normalised, the truth at 0.90, decorrelated by
    a 40 ppm clock's 2.6 frames of drift over the head). Whitened, every frequency weighs alike: the
    tones are a few bins, a drum hit's or an onset's broadband spread is all the others, and those
    agree at one lag only (that take: the truth's peak alone, the next at 0.14 of it). A steady
    tone's bursts repeating evenly leave peaks a burst apart, alike: not clear, None."""
    n = 1 << int(math.ceil(math.log2(seg.size + head.size)))
    head_f = sfft.rfft(head, n)
    cross = sfft.rfft(seg, n) * np.conj(head_f)
    hp = np.abs(head_f) ** 2
    band = np.fft.rfftfreq(n) <= _PHASE_BAND
    keep = band & (hp > _PHASE_FLOOR * float(np.median(hp[band])))
    mag = np.abs(cross)
    cross = np.where(keep & (mag > 0), cross / np.maximum(mag, 1e-300), 0.0)
    cc = sfft.irfft(cross, n)[: seg.size - head.size + 1]
    lobe = _phase_lobe(head.size)
    if cc.size < 2 * lobe + 2:
        return None
    a = np.abs(cc)
    k = int(np.argmax(a))
    if a[k] <= 0:
        return None
    out = np.concatenate((a[: max(k - lobe, 0)], a[k + lobe + 1:]))
    rival = float(out.max()) / float(a[k]) if out.size else 0.0
    if rival > _PHASE_CLEAR:
        return None
    return k, 1 if cc[k] > 0 else -1, 1.0 - rival


def _phase_far_confirmed(seg: FloatArray, head: FloatArray, phase: tuple[int, int, float]) -> bool:
    """Whether the whitened peak ``phase`` of ``head`` in ``seg`` may be taken past the envelope
    lock's reach: it stands ``_PHASE_FAR_CLEAR`` clear, and the head's first half, read alone, has
    its own clear whitened peak of the same sign within the peak's lobe (``_phase_lobe``). The
    half is a second reading from part of the data: a wrong peak that noise or a steady tone's
    bursts raise over the whole head does not, as a rule, stand at the same lag in the half
    (an undamaged noisy take of tone bursts: the whole head's peak at 512 frames, the first
    half's at 36508); a saturation late in the head leaves the first half's reading intact."""
    if phase[2] < _PHASE_FAR_CLEAR:
        return False
    half = _phase_peak(seg, head[: head.size // 2])
    return half is not None and half[1] == phase[1] and abs(half[0] - phase[0]) <= _phase_lobe(head.size)


def _envelope_lock(head: FloatArray, rec: Callable[[int, int], FloatArray], rec_frames: int, fs: int,
                   max_lag: int) -> tuple[Any, bool] | None:
    """Where ``head`` lies in the recording when its own correlation is ambiguous (tone bursts:
    the carrier matches itself a period away): first by the envelopes (the bursts' onsets and
    gaps, which steady tones do not repeat a period away), then, within that lag's reach, by the
    carrier's correlation peak. A ``LatencyResult``, or None when the envelopes are not clear
    (they match two places): the caller's refusal stands. When the carrier's peaks near the
    envelope's lag are too alike to choose between, a ``LatencyResult`` without a latency whose
    reason says so (the caller refuses with it). With it, whether the whitened correlation
    (``_phase_peak``) placed the head rather than the carrier's own peak."""
    from .analysis import LatencyResult

    hop = max(1, int(round(_ENV_HOP_S * fs)))
    span = min(rec_frames, max_lag + head.size)
    if span < head.size:
        return None
    r = rec(0, span)

    got = _envelope_rho(head, r, fs)
    if got is None:
        return None
    eh, rho = got
    m = eh.size
    k = int(np.argmax(rho))
    # the envelope's own main lobe: lags where the head's envelope still matches itself by half
    acf = sps.correlate(eh, eh, "full", method="fft")[m - 1:]
    lobe = int(np.flatnonzero(acf < 0.5 * acf[0])[0]) if np.any(acf < 0.5 * acf[0]) else m
    rival = np.concatenate((rho[: max(k - 2 * lobe, 0)], rho[k + 2 * lobe + 1:]))
    if rho[k] < _ENV_MIN_RHO or (rival.size and float(rival.max()) > _ENV_RIVAL * rho[k]):
        return None
    # the carrier, within the envelope lag's reach: the envelope's peak is placed by the bursts'
    # edges to a few frames (2-4 on tone bursts at 48 kHz, 9 of 10 seeds), however wide its lobe
    # (a quarter second of steady tone); across the lobe, other alignments of the carrier match
    # nearly as well (0.97 of the best 789 frames away on a drifting clock)
    # The carrier's rivals are looked for within the reach of the peak picked, not of the
    # envelopes' lag: a best peak near the reach's edge has them just past it (2-6 kHz notes
    # under a 40 ppm clock, whose 2.9 frames of drift over the head leave the truth at 0.82 of
    # the best: the one picked lay 47 frames from the envelopes' lag, 36 frames off the truth,
    # its rival 5 frames further out at 0.94 of it, unseen; the take followed that alias and was
    # compared along it, false glitches). Rivals as far as twice the reach from the envelopes'
    # lag refused tone bursts locked right, a period (65 frames) away at 0.94
    reach = _ENV_REACH_HOPS * hop
    a0 = max(k * hop - 2 * reach, 0)
    seg = r[a0: min(k * hop + 2 * reach + head.size, span)]
    if seg.size < head.size + 3:
        return None
    fine = sps.correlate(seg, head, "valid", method="fft")
    mag = np.abs(fine)
    peaks = sps.find_peaks(mag)[0]
    inner = peaks[np.abs(a0 + peaks - k * hop) <= reach]
    if not inner.size:
        return None
    best = int(inner[int(np.argmax(mag[inner]))])
    near = peaks[(np.abs(peaks - best) <= reach) & (peaks != best)]
    order = np.concatenate(([best], near[np.argsort(mag[near])[::-1]])).astype(np.int64)
    phase = _phase_peak(seg, head)

    def by_phase() -> tuple[Any, bool] | None:
        # the carrier's peak of the whitened peak's sign nearest it is the lock, whichever alias
        # matches the carrier best
        assert phase is not None
        mine = peaks[(np.abs(peaks - phase[0]) <= _PHASE_LOBE) & (np.sign(fine[peaks]) == phase[1])]
        if not mine.size:
            return None
        at = int(mine[int(np.argmin(np.abs(mine - phase[0])))])
        frac, _ = _sinc_peak(fine * phase[1], at) if 0 < at < fine.size - 1 else (0.0, 0.0)
        return LatencyResult(a0 + at + frac, fs, phase[2], phase[1], 0.0), True

    if phase is not None and abs(a0 + phase[0] - k * hop) <= reach:
        # the whitened correlation places the head clearly within the envelopes' reach
        got = by_phase()
        if got is not None:
            return got
    if order.size > 1 and float(mag[order[1]]) > _ENV_RIPPLE * float(mag[best]):
        if phase is not None and _phase_far_confirmed(seg, head, phase):
            # the carrier cannot decide, and the whitened correlation places the head past the
            # envelopes' reach, clearly, where the head's first half alone places it too: a tanh
            # saturation over 0.6-1.4 s of a 1.5 s head of 2-6 kHz notes at 96 kHz flattens the
            # bursts' envelopes and puts their lag 100-140 frames late (a reach of 96), while
            # the whitened peak stood 0.84-0.96 clear within 3 frames of the truth. Only here:
            # where the carrier decides, its answer stands (an undamaged noisy take of tone
            # bursts had a whitened peak 93 frames off, 0.59 clear, its first half's elsewhere)
            got = by_phase()
            if got is not None:
                return got
        # the envelopes say where, the carrier does not say to the frame: the caller refuses, and
        # says why. Two peaks a few frames apart and nearly alike are what a drop or an insert
        # inside the head leaves (tone bursts through a -60 ppm clock, 9 frames dropped 0.79 s
        # in: 6 frames apart at 0.98 of each other; the undamaged take: the next at 0.48). This
        # says so instead of "not found", without choosing: a steady tone's aliases a period
        # apart look the same from here, and a lock a period off is a wrong answer
        apart = abs(int(order[1]) - best)
        return LatencyResult(
            None, fs, 1.0 - float(mag[order[1]]) / float(mag[best]), 1 if fine[best] > 0 else -1, 0.0,
            reason=(f"no unique match: the envelopes place the reference's first {head.size / fs:.1f} s at a "
                    f"delay of about {a0 + best} frames (envelope correlation {float(rho[k]):.2f}), but the "
                    f"carrier there peaks twice, {apart} frames apart, the second at "
                    f"{float(mag[order[1]]) / float(mag[best]):.2f} of the first: a drop or an insert inside "
                    "that stretch splits the peak in two, a steady tone's own period does the same, and "
                    "the comparison cannot tell which from the lock alone")), False
    sign = 1 if fine[best] > 0 else -1
    frac, _ = _sinc_peak(fine * sign, best) if 0 < best < fine.size - 1 else (0.0, 0.0)
    conf = 1.0 - float(mag[order[1]]) / float(mag[best]) if order.size > 1 else 1.0
    return LatencyResult(a0 + best + frac, fs, conf, sign, 0.0), False

#: the band the residual is judged in, as a fraction of the rate: below it the interpolator and
#: the fitted filter model the path to the noise floor; above it the interpolator's own error
#: (near Nyquist) and a steep converter's roll-off are larger than a small pop
_JUDGE_CUTOFF = 0.36

#: a block whose reference holds less than this share of its power below the path's band edge
#: (``_band_edge``) is not tracked: the recording holds only the path's stop band of it
_IN_BAND_LEAST = 0.01

#: how far below the reference's strongest frequency (power ratio: 20 dB) the path's gain is still
#: read by ``_judge_cutoff``
_GAIN_RANGE = 1e-2


def _judge_cutoff(pow_rec: FloatArray, pow_ref: FloatArray, where_strong: bool = True) -> float:
    """The judged band's edge (fraction of the rate): ``_JUDGE_CUTOFF``, or 0.8 x the path's band
    edge when the path cuts below that: near a steep converter's cut-off its phase turns faster
    than a short filter follows, and the model's error there would pass for glitches.

    The edge is the lowest frequency (above 5 % of the rate) where the recording's power falls
    6 dB below the path's median gain, among frequencies the reference excites (within 50 dB of
    its strongest); where it excites nothing, the path is unknown and nothing cuts.

    The path's gain is the median ratio over 2-20 % of the rate, or over the part of that band
    where the reference is within 20 dB of its strongest (``_GAIN_RANGE``) when that reads lower:
    where the reference is weak the recording's noise is a large part of the ratio and reads as
    gain (noise only ever raises it). Speech under -40 dBFS of noise is more than 20 dB down over
    most of that band; the median there was the noise's, the path's real gain fell 6 dB "below"
    it at 13 % of the rate, and the band judged (below 10.5 %, 5 kHz, on a path that cuts
    nothing) left most of a pop out. The lower reading only: a path that cuts inside the band
    (the system's own 1 kHz low-pass) reads a higher gain where music is strong, and against
    that the judged band ended at 5 % of the rate, where a 0.02 pop was no longer seen; the
    whole band's reading ends it at 12 %.

    ``where_strong=False``: the whole band's reading alone, the band steps are confirmed and
    placed in (``_confirm_steps``, ``_locate_step``). A step's evidence is where the reference
    stands over the noise; judged in the full band, speech's 1-frame drop under -40 dBFS of noise
    was no longer confirmed (the noise's variance in the band grows with the band; the error a
    step takes off grows only where the reference has power).
    """
    edge = _band_edge(pow_rec, pow_ref, where_strong)
    if edge is None:
        return _JUDGE_CUTOFF
    return float(np.clip(0.8 * edge, 0.05, _JUDGE_CUTOFF))


def _band_edge(pow_rec: FloatArray, pow_ref: FloatArray, where_strong: bool = True) -> float | None:
    """The path's band edge (fraction of the rate) as ``_judge_cutoff`` reads it off the matched
    blocks' power spectra, or None where the path is not seen to cut (see there)."""
    nb = pow_ref.size
    if nb < 8 or float(pow_ref.max()) <= 0:
        return None
    freqs = np.arange(nb) / (2 * (nb - 1))
    excited = pow_ref > 1e-5 * float(pow_ref.max())
    h2 = np.where(excited, pow_rec / np.maximum(pow_ref, 1e-300), np.nan)
    mid = excited & (freqs > 0.02) & (freqs < 0.2)
    if not np.any(mid):
        return None
    gain2 = float(np.nanmedian(h2[mid]))
    strong = mid & (pow_ref > _GAIN_RANGE * float(pow_ref.max()))
    if where_strong and np.any(strong):
        gain2 = min(gain2, float(np.nanmedian(h2[strong])))
    low = np.flatnonzero(excited & (freqs > 0.05) & (h2 < 0.25 * gain2))
    if not low.size:
        return None
    return float(freqs[int(low[0])])


@functools.lru_cache(maxsize=16)
def _judge_filter_at(cutoff: float) -> FloatArray:
    taps: FloatArray = sps.firwin(127, 2 * cutoff, window=("kaiser", 9.0))
    taps.flags.writeable = False
    return taps


def _judge_filter(cutoff: float = _JUDGE_CUTOFF) -> FloatArray:
    """A linear-phase low-pass at ``cutoff`` of the rate (odd length, centred)."""
    return _judge_filter_at(round(cutoff, 2))


class _Judged(NamedTuple):
    """One judged window: its bursts over the threshold (start, end, peak, count, silent,
    compressed), the fitted filter's gain, the noise floor's median, and the residual and the
    judge's sigma per frame (what the hidden-step test's suspects are read from)."""
    events: list[tuple[int, int, float, int, bool, bool]]
    gain: float
    noise: float
    e: FloatArray
    sigma: FloatArray


#: the reference is silent before its first frame over this share of its head's peak (-80 dB;
#: speech's 0.2 s lead-in is exact zeros, its first sound ~1e-3 of the peak)
_LEAD_IN_QUIET = 1e-4
#: the lead-in judged for clicks ends this long before the reference first sounds: the path's
#: ring ahead of the onset (a converter's linear-phase filter, the fractional delay's sinc)
_LEAD_IN_MARGIN_S = 0.01


def _lead_in_end(head: FloatArray, line: tuple[int, int, float, float], fs: int, judge_taps: int) -> int | None:
    """The recording frame where the lead-in judged against silence ends: ``_LEAD_IN_MARGIN_S``
    (or the judge's and the path filter's reach, if longer) before the reference first sounds
    (its first frame over ``_LEAD_IN_QUIET`` of ``head``'s peak) along the first ``line``; None
    for a reference loud from its first frame on. Shared by the lead-in (which ends there) and
    the soft onset (which is judged from there, ``_onset_window``), so no frame falls between."""
    loud = np.flatnonzero(np.abs(head) > _LEAD_IN_QUIET * float(np.max(np.abs(head))))
    if not loud.size:
        return None
    reach = max(int(_LEAD_IN_MARGIN_S * fs), judge_taps + FIR_TAPS)
    onset = (int(loud[0]) + line[2]) / (1.0 - line[3])  # recording frame where the reference first sounds
    return int(math.floor(onset)) - reach


def _lead_in_events(head: FloatArray, line: tuple[int, int, float, float], start: int, first_frame: int,
                    rec: Callable[[int, int], FloatArray], fs: int, judge: FloatArray, k_thr: float,
                    ref_level: float, rel: float) -> list[tuple[int, int, float, int, bool, bool]]:
    """The bursts the recording holds where the reference plays its lead-in silence (``head``:
    the reference's first frames; from recording frame ``start``, where its first frame plays,
    to ``_LEAD_IN_MARGIN_S`` before it first sounds along the first ``line``, and not past the
    followed span's ``first_frame``), as ``judge_window``'s events (start, end, peak, count,
    silent, compressed).

    Why: the windows judge from the first loud block the track matched, so a click in speech's
    0.2 s lead-in, the easiest pop there is to hear, was never compared (three of twelve speech
    takes with a pop in their first 0.5 s). The prediction there is silence, so the recording
    itself is the residual: less its running median over twice a pop's length (a device's DC
    offset, a step of it, a slow hum: no pop, and a pop moves no median), in the judged band,
    against the judge's own floor (``_window_floor`` with no prediction: the noise's robust
    sigma per 128 frames, never under the files' quantisation, so dither is noise) at the judge's
    ``k_thr``. A burst is where the impulses lie whose ring through the judge filter holds every
    frame of it over the threshold (as ``judge_window``'s refits place a pop), else its frames
    over the threshold within a quarter of its peak; read on the recording's frames near it
    instead, a 0.01 click under -60 dBFS of noise took in the noise's frames, a burst of ~300
    frames whose quiet frames ``_classify`` then widened into a 17 000-frame ``mute``."""
    lead_end = _lead_in_end(head, line, fs, judge.size)
    if lead_end is None:
        return []
    n1 = min(lead_end, first_frame)
    mwin = 2 * max(int(_POP_MAX_S * fs), 1) + 1
    pad = judge.size // 2 + mwin
    if n1 - start < 2 * pad + 256:  # two floor sub-blocks at least, past the filters' edges
        return []
    x = rec(start, n1)
    d = x - ndi.median_filter(x, size=mwin, mode="nearest")
    e = sps.oaconvolve(d, judge, "same")[pad: x.size - pad]
    sigma, _ = _window_floor(e, np.zeros_like(e), ref_level, rel, _quantum(x) / math.sqrt(12))
    over = np.flatnonzero(np.abs(e) > k_thr * sigma)
    if not over.size:
        return []
    brk = np.flatnonzero(np.diff(over) > int(0.002 * fs)) + 1
    out: list[tuple[int, int, float, int, bool, bool]] = []
    jh = judge.size // 2
    for run in np.split(over, brk):
        i0, i1 = int(run[0]), int(run[-1]) + 1
        # impulses at the burst's peaks, each taken out through the judge filter, until none of
        # its frames is over the threshold: the burst is where they are (as ``judge_window``'s
        # refits place a pop: a click's ring in the band is no part of its length)
        rest = e.copy()
        found: list[int] = []
        for _impulse in range(_REFITS + 1):
            left = run[np.abs(rest[run]) > k_thr * sigma[run]]
            if not left.size or len(found) > _REFITS:
                break
            at = int(left[int(np.argmax(np.abs(rest[left])))])
            lo, hi = max(at - jh, 0), min(at + jh + 1, rest.size)
            rest[lo:hi] -= rest[at] / judge[jh] * judge[lo - at + jh: hi - at + jh]
            found.append(at)
        if found and not np.any(np.abs(rest[run]) > k_thr * sigma[run]):
            a0, a1, cnt = min(found), max(found) + 1, len(found)
        else:
            core = run[np.abs(e[run]) >= float(np.abs(e[run]).max()) / 4]
            a0, a1, cnt = int(core[0]), int(core[-1]) + 1, int(core.size)
        out.append((start + pad + a0, start + pad + a1, float(np.abs(e[i0:i1]).max()), cnt, False, False))
    return out


def _onset_window(lead_end: int | None, start: int, first_frame: int, last_frame: int,
                  block: int) -> tuple[int, int] | None:
    """The recording frames judged for the reference's soft onset: from where the lead-in's
    judgement ends (``lead_end``, ``_lead_in_end``; never before ``start``, where the
    reference's first frame plays) to a block past the followed span's ``first_frame``; None
    where the followed span begins there already.

    Why: the windows judge from the first loud block the track matched (2 % of the head's level
    or more, matched at 0.8), and the lead-in is judged against silence only up to 10 ms before
    the reference first sounds, so a quiet attack between the two was compared by nothing: a
    0.01 pop in speech's faded-in first syllable, 890 frames after it first sounded and 1690
    before the first matched block, and a 2-frame drop 1500 frames after it, both unreported.
    The prediction there is the reference along the first line, which the track placed; the
    block past ``first_frame`` gives the fit loud rows to determine its filter by, and the
    judge's floor, read per 128 frames, is the onset's own (its noise, the model's error at its
    level)."""
    if lead_end is None:
        return None
    o0 = max(lead_end, start)
    if o0 >= first_frame:
        return None
    return o0, min(first_frame + block, last_frame)


#: blocks of the window a short burst is judged again in (``_confirmed``): the standalone
#: comparison's window (0.125 s: 4 blocks at any rate ``_block_size`` gives)
_CONFIRM_BLOCKS = 4


def _confirmed(event: tuple[int, int, float, int, bool, bool], w0: int, w1: int,
               steps: list[tuple[int, float, float]], block: int, fs: int,
               judge: Callable[[int, int], _Judged | None]) -> bool:
    """Whether a burst window ``w0..w1`` heard is one the recording holds: a short burst (a pop's
    length, ``_POP_MAX_S``) two blocks or more from every step of the track, heard in a window
    longer than ``_CONFIRM_BLOCKS`` blocks, must be heard again by ``judge`` over a window of
    that length about it (clipped to ``w0..w1``); any other event stands as it is.

    Why: the fit is a filter and its linear change over the window, and a sweep passes each
    frequency once in it, so in a band it excites at one time only the split between the taps
    and their change is free: the filter there takes gains of 40-260 where the path's is 0.5.
    The sweep's fade-in, at the followed span's start and the ramp's end, meets that filter:
    every linear sweep through a 0.05 fs low-pass at 44.1 kHz judged in 0.25 s or 0.5 s windows
    gave a 1-frame ``pop`` 235 frames in. Holding the change
    in the fit (a ridge, a band-weighted hold) cost a clean glide a false pop and a 2-frame find
    at 96 kHz; the shorter window's fit is determined by what it holds, and hears a pop, an
    impulse no filter of the reference makes, as the long one does. Only ever an event less."""
    s0, s1 = event[0], event[1]
    if w1 - w0 <= _CONFIRM_BLOCKS * block or s1 - s0 > _POP_MAX_S * fs:
        return True
    if any(abs(s0 - at) < 2 * block for at, _d0, _d1 in steps):
        return True  # a step's own burst: the splice and its window are the step's judgement
    length = _CONFIRM_BLOCKS * block
    c0 = min(max((s0 + s1) // 2 - length // 2, w0), w1 - length)
    again = judge(c0, c0 + length)
    if again is None:
        return True
    reach = max(int(_POP_MAX_S * fs), 1)
    return any(a0 < s1 + reach and a1 > s0 - reach for a0, a1, *_rest in again.events)


#: a part of a window cut at a drop, between the drop and the judged stretch's own end, keeps at
#: least ``1 / _END_PART`` of a block (``_window_edges``); a part between two edges keeps a block
_END_PART = 2


def _window_edges(first: int, last: int, win: int, drops: list[int], least: int,
                  end_least: tuple[int, int] | None = None) -> list[int]:
    """The judged windows' edges over ``first..last``: about ``win`` frames each, splitting the
    stretch evenly, and a window that holds a drop (``drops``: the recording frames where the
    delay falls) cut in two there, when each part keeps ``least`` frames, or, for a part that
    reaches ``first`` or ``last`` where that is the judged stretch's own end, the frames
    ``end_least`` gives for that end (default ``least`` at both).

    A window is one filter and its linear change (``_fit_path``). A sweep passes each frequency
    once in a window, so a band it excites at one time only leaves the split of its gain between
    the filter and the change free; another time that excites the band pins it. A drop's splice
    is broadband, but its rows leave the fit (``_without_splices``), and the sweep's fade-in at
    the followed span's start, where the change is at its end, then met a gain the data never
    asked for: a false ``pop`` of ~30 frames beside a true drop (a 0.05 fs low-pass at 44.1 kHz,
    the drop's line making the span one window). Cut at the drop, each part is fitted on its
    own, over a shorter stretch of the sweep, with the splice at its edge. Only drops: cut at
    an insert's step, the windows either side no longer hold the silence ``_classify`` names the
    insert's kind from (a 117-frame inserted silence in music was reported ``repeated``).

    A part between a drop and the judged stretch's own end may keep less (``end_least``): the
    followed span can end a block after a drop (a linear sweep's track ended by the converter's
    curve), and refusing the cut there left the splice in the window the fade-in shares: a 5-
    and a 9-frame drop 1845 frames before that end read the fade-in as a false ``pop6`` /
    ``pop4`` ~6 130 frames before them, in one window of 4 blocks, too short for ``_confirmed`` to
    judge again. Half a block is still 256 frames for the fit's 98 columns at 8 kHz. Inside the
    stretch the rule is ``least``, as it was."""
    lo_least, hi_least = end_least if end_least is not None else (least, least)
    n_win = max(1, int(round((last - first) / win)))
    even = np.linspace(first, last, n_win + 1).round().astype(np.int64).tolist()
    edges = [even[0]]
    for w0, w1 in zip(even[:-1], even[1:], strict=True):
        head = lo_least if w0 == first else least
        tail = hi_least if w1 == last else least
        edges.extend(s for s in sorted(drops)
                     if w0 + head <= s <= w1 - tail and s - edges[-1] >= (head if edges[-1] == first else least))
        edges.append(w1)
    return edges


def _fit_path(p: FloatArray, r: FloatArray, judge: FloatArray, skip: int,
              ar: int = 0, impulses: tuple[int, ...] = ()) -> tuple[FloatArray, FloatArray, FloatArray]:
    """The filter (and its linear change over the window: an AGC, a slowly moving fraction of
    a frame) from the aligned reference ``p`` to the recording ``r``, fitted by least squares in
    the judged band only (both are low-passed by ``judge`` first, which commutes with the path):
    the interpolator's error near Nyquist and a converter's roll-off above the band would
    otherwise take the fit's degrees of freedom from the band that is judged. (Pulling the fit
    towards the previous windows' path where this window leaves it undetermined was tried: with
    a drifting clock the previous windows' fraction of a frame is not this one's, and a drum hit
    met the old filter in the high band as a false glitch.)

    ``ar``: that many past frames of the recording itself join the regressors (an ARX model, by
    equation error): a recursive path (a biquad of the system's DSP chain, whose impulse response
    rings for longer than ``FIR_TAPS``) is then modelled exactly by a few more numbers, where the
    FIR alone leaves its tail in the residual on every transient (a 1 kHz low-pass at 48 kHz
    rings ~2% of its peak past 40 frames: false pops on drum hits). A glitch then also shows in
    the frames after it, through those taps.

    ``impulses``: rows where the judge found a glitch: an impulse there (through the judge
    filter) joins the regressors, one column each, and is left in the residual. Least squares
    otherwise bends the filter to explain part of a glitch, and the residual shows the glitch
    less that part plus that part's echoes over the filter's length; a column of its own takes
    one degree of freedom and keeps every row in the fit (leaving the glitch's rows out was
    tried: on music at 8 kHz, 127 rows out of a 2048-frame window took a note's onset with
    them, and the onset's model error was then a glitch of its own).

    Returns the taps (filter, then its change, then the recursive ones) and the band-limited
    residual, as rows: row ``i`` is frame ``i + FIR_TAPS // 2`` of ``p``/``r``; the first and
    last ``skip`` rows are edge effects of the judge filter (``skip`` must exceed ``ar``).
    """
    return _solve_path(_path_normal(p, r, judge, skip, ar), impulses)


@dataclass
class _PathNormal:
    """The least-squares problem of ``_fit_path`` before it is solved: the band-limited
    reference and recording rows, the normal matrix and its right-hand side (built once per
    window, solved again for each set of impulses)."""

    pl: FloatArray  # the aligned reference, low-passed by the judge filter
    target: FloatArray  # the recording, low-passed, one row per frame of ``pl``'s windows
    ramp: FloatArray
    past: FloatArray  # the recording's own past (``ar`` columns; none without recursive taps)
    gram: FloatArray
    rhs: FloatArray
    t0: int
    t1: int
    judge: FloatArray
    out: NDArray[np.int64] | None = None  # rows taken out of the fit (``_without_splices``)
    _lu: tuple[FloatArray, NDArray[np.int32]] | None = None
    #: the recording's own offset (a device's DC) and its drift: columns after ``past``
    #: (``_with_offset``); none when absent
    offset: FloatArray | None = None

    @property
    def offsets(self) -> int:
        """How many offset columns follow the recording's past (0 or 2)."""
        return 0 if self.offset is None else self.offset.shape[1]

    def regressors(self, at: NDArray[np.int64]) -> FloatArray:
        """Rows ``at`` of the fit's regressors (the path filter's taps, their ramp, the
        recording's past): what ``gram`` and ``rhs`` sum the outer products of."""
        vb = np.lib.stride_tricks.sliding_window_view(self.pl, FIR_TAPS)[at]
        cols = (vb, vb * self.ramp[at, None], self.past[at])
        if self.offset is not None:
            cols += (self.offset[at],)
        return np.concatenate(cols, axis=1)

    def lu(self) -> tuple[FloatArray, NDArray[np.int32]]:
        """The LU factors of the ridged normal matrix (what ``np.linalg.solve`` factors), made
        once: a refit with impulses is then a bordered solve of a few columns, not a new
        factorisation (which on a loaded machine costs ~0.1 s through a threaded LAPACK)."""
        if self._lu is None:
            n = self.gram.shape[0]
            self._lu = sla.lu_factor(self.gram + np.eye(n) * _RIDGE * float(np.trace(self.gram)))
        return self._lu


def _path_normal(p: FloatArray, r: FloatArray, judge: FloatArray, skip: int, ar: int = 0) -> _PathNormal:
    """The normal equations of ``_fit_path`` (see there)."""
    half = FIR_TAPS // 2
    pl = sps.oaconvolve(p, judge, "same")
    rl = sps.oaconvolve(r, judge, "same")
    rows = p.size - FIR_TAPS + 1
    ramp = np.linspace(-1.0, 1.0, rows)
    target = rl[half: half + rows]
    t0, t1 = skip, rows - skip
    gram = _sliding_gram(pl, FIR_TAPS, rows, t0, t1)
    seg = pl[t0: t1 + FIR_TAPS - 1]
    rhs = np.concatenate((np.correlate(seg, target[t0:t1], "valid"),
                          np.correlate(seg, target[t0:t1] * ramp[t0:t1], "valid")))
    if ar:
        # the recording's own past, row t: rl[half + t - j] for j = 1..ar
        past = np.stack([rl[half - j: half - j + rows] for j in range(1, ar + 1)], axis=1)
        pw = past[t0:t1]
        rows_v = np.lib.stride_tricks.sliding_window_view(seg, FIR_TAPS)  # row t: pl[t0 + t : t0 + t + taps]
        cross = np.concatenate((rows_v.T @ pw, rows_v.T @ (pw * ramp[t0:t1, None])), axis=0)
        gram = np.block([[gram, cross], [cross.T, pw.T @ pw]])
        rhs = np.concatenate((rhs, pw.T @ target[t0:t1]))
    else:
        past = np.zeros((rows, 0))
    nrm = _PathNormal(pl, target, ramp, past, gram, rhs, t0, t1, judge)
    return _with_offset(nrm)


def _with_offset(nrm: _PathNormal) -> _PathNormal:
    """``nrm`` with two columns joining the regressors: the recording's DC offset and its
    linear drift over the window.

    A converter adds a constant the reference never held; without a column for it the offset
    stays in the residual, whose robust sigma (the judge's floor) then reads it: 0.01 of DC read
    a noise of ~0.015 and hid a 0.01 pop in loud music. A slowly drifting offset (0.01 at
    0.25 Hz) moves by ~0.008 over a 0.5 s window: the constant alone left a floor of 0.0020 and
    missed a 0.03 pop; its ramp (the window's own, as the filter's change uses) leaves 0.0002.
    The columns' scale is the window's RMS of the low-passed reference (their diagonals then weigh
    like a filter tap's, so the ridge, relative to the trace, is what it was). Where the reference
    is silent over the whole window (a pause of speech), the recording's RMS: the offset is there
    all the same, and a pop in a pause is judged again in a window of ``_CONFIRM_BLOCKS`` blocks
    (``_confirmed``) that may hold nothing else; without the columns 0.001 of DC read a floor of
    0.0015 there and a 0.011 pop, found by the long window, was not confirmed. A window where
    both are silent gets none."""
    t0, t1 = nrm.t0, nrm.t1
    level = math.sqrt(float(np.mean(nrm.pl[t0: t1 + FIR_TAPS - 1] ** 2)))
    if not level > 0:
        level = math.sqrt(float(np.mean(nrm.target[t0:t1] ** 2)))
    if not level > 0 or not math.isfinite(level):
        return nrm
    offset = level * np.stack((np.ones(nrm.target.size), nrm.ramp), axis=1)
    x = replace(nrm, offset=offset).regressors(np.arange(t0, t1))
    n = nrm.gram.shape[0]
    cross = x[:, :n].T @ offset[t0:t1]
    gram = np.block([[nrm.gram, cross], [cross.T, offset[t0:t1].T @ offset[t0:t1]]])
    rhs = np.concatenate((nrm.rhs, offset[t0:t1].T @ nrm.target[t0:t1]))
    return replace(nrm, gram=gram, rhs=rhs, offset=offset, _lu=None)



def _debiased(nrm: _PathNormal, q_ref: float) -> _PathNormal:
    """The fit's normal equations less most of what the reference's own quantisation put in
    them, when the recording says that noise was not played (else ``nrm`` as it is).

    A reference stored on a coarser grid than the material that was played (16-bit of a float
    take) carries rounding noise the recording never heard. Where a window's material barely
    excites a band (a glide's highs), that noise is most of the reference there, and least
    squares, regressing the recording on a noisy regressor, shrinks the filter towards zero in
    that band (|H| 0.1 against the path's 0.8 above 10 kHz): at an onset, whose highs are real,
    the prediction then lacks them, a pop-like departure of ~1e-4 (the glide through 16-bit
    files). The noise's share of the normal matrix is known (``q_ref``^2 / 12 through the judge
    filter), and subtracting it undoes the shrinkage (errors in variables, bias-compensated
    least squares). Subtracted is 0.8 of the smallest share a pure-noise window of this many
    rows can show (Marchenko-Pastur: (1 - sqrt(columns / rows))^2), so the matrix stays
    positive where only noise excites it.

    When the file's rounding *was* played (the recording holds it, through the path), the
    plain fit is right and the subtraction overshoots: the filter grows in those bands and the
    residual with it. So the debiased fit is kept only if its residual exceeds the plain fit's
    by no more than the reference's rounding through the path can add (``q_ref``^2 / 12 of the
    judged band per row, at the path's gain): a bound the judge's floor already holds (``q``).
    """
    judge, t0, t1 = nrm.judge, nrm.t0, nrm.t1
    taps = FIR_TAPS
    rows = t1 - t0
    if rows <= 4 * nrm.gram.shape[0]:
        return nrm
    ac = np.correlate(judge, judge, "full")[judge.size - 1:]  # the judge-filtered noise's autocorrelation
    lag = np.abs(np.arange(taps)[:, None] - np.arange(taps)[None, :])
    cov = np.where(lag < ac.size, ac[np.minimum(lag, ac.size - 1)], 0.0) * (q_ref * q_ref / 12.0)
    ramp = nrm.ramp[t0:t1]
    w0, w1, w2 = float(rows), float(ramp.sum()), float(np.dot(ramp, ramp))
    share = 0.8 * (1.0 - math.sqrt(nrm.gram.shape[0] / rows)) ** 2
    gram = nrm.gram.copy()
    gram[: 2 * taps, : 2 * taps] -= share * np.block([[w0 * cov, w1 * cov], [w1 * cov, w2 * cov]])
    fixed = replace(nrm, gram=gram, _lu=None)
    h0, e0, _ = _solve_path(nrm)
    h1, e1, _ = _solve_path(fixed)
    g = max(abs(float(np.sum(h0[:taps]))), abs(float(np.sum(h1[:taps]))))
    allowed = rows * g * g * (q_ref * q_ref / 12.0) * float(np.dot(judge, judge))
    extra = float(np.dot(e1[t0:t1], e1[t0:t1]) - np.dot(e0[t0:t1], e0[t0:t1]))
    return fixed if extra <= allowed else nrm

def _without_splices(nrm: _PathNormal, splices: list[int]) -> _PathNormal:
    """``nrm`` less the rows a step's splice reaches (``splices``: the steps' rows).

    The path filtered the material before the recording lost (or gained) frames; the
    prediction is spliced first and filtered after, so around a step the two differ by what no
    filter explains, over the judge filter's and the path filter's length each side. Least
    squares bends the window's one filter towards that difference, and the rest of the window
    pays. Those rows are taken out of the fit (their outer products subtracted; an impulse's
    column is zero there); the residual still holds them, so the step is heard as before."""
    reach = nrm.judge.size // 2 + FIR_TAPS
    return _without_rows(nrm, [t for s in splices for t in range(s - reach, s + reach + 1)])


def _without_rows(nrm: _PathNormal, rows: list[int], most: float = 0.25) -> _PathNormal:
    """``nrm`` with ``rows`` taken out of the fit as well as those already out (their outer
    products subtracted once each); ``nrm`` as it is when none are new, or when all of them would
    leave less than ``1 - most`` of the window to fit."""
    new = np.setdiff1d(np.asarray(rows, dtype=np.int64), nrm.out if nrm.out is not None else np.zeros(0, np.int64))
    new = new[(new >= nrm.t0) & (new < nrm.t1)]
    out = new if nrm.out is None else np.union1d(nrm.out, new)
    if not new.size or out.size > most * (nrm.t1 - nrm.t0):
        return nrm
    xb = nrm.regressors(new)
    return replace(nrm, gram=nrm.gram - xb.T @ xb, rhs=nrm.rhs - xb.T @ nrm.target[new], out=out, _lu=None)


#: a hop of the window (in the judged band) whose recording is this far under what the window's
#: gain makes of the reference there is silenced (a mute): no path filter explains it
_SILENCED = 0.02
#: ... where the reference is loud: at least this share of the window's RMS
_SILENCED_LOUD = 0.1


def _silenced_rows(nrm: _PathNormal, fs: int) -> list[int]:
    """Rows of the window where the recording fell silent while the reference played loud (a
    mute), widened by the judge's and the path filter's reach: to be left out of the fit.

    Least squares otherwise bends the window's filter towards explaining the silence: a 435-frame
    mute of speech at 0.07 left a residual of ~0.003 over the whole 8192-frame window, the judge's
    floor rose with it (sigma 0.018 at the mute) and the mute, 0.095 in the residual, was under
    the threshold. A silent stretch is no filter's doing (a converter that cuts a band leaves the
    judged band, which ends below its edge), so its rows say nothing of the path."""
    half = FIR_TAPS // 2
    t0, t1 = nrm.t0, nrm.t1
    ref_c = nrm.pl[half + t0: half + t1]  # row t's centre tap: the reference at the row's frame
    rec_c = nrm.target[t0:t1]
    hop = max(8, int(round(fs / 1500)))
    nh = rec_c.size // hop
    if nh < 4:
        return []
    ref_h = np.sqrt(np.mean(ref_c[: nh * hop].reshape(nh, hop) ** 2, axis=1))
    rec_h = np.sqrt(np.mean(rec_c[: nh * hop].reshape(nh, hop) ** 2, axis=1))
    ref_w = math.sqrt(float(np.mean(ref_c ** 2)))
    gain = math.sqrt(float(np.mean(rec_c ** 2))) / max(ref_w, 1e-30)
    quiet = np.flatnonzero((ref_h > _SILENCED_LOUD * ref_w) & (rec_h < _SILENCED * gain * ref_h))
    # a mute shorter than two hops fills no hop whole (1 ms at 44.1 kHz is 44 frames, the hop
    # 29), and a converter's ring of its edges keeps it over ``_SILENCED`` (0.03-0.1 of the
    # prediction on a noiseless int16 path): a hop's span centred on every frame, under
    # ``_SILENT_DEEP`` of the prediction, is silent too. Kept in the fit, such a mute of music
    # bent the window's filter into a residual of ~8 % of the signal 90 frames each side of it,
    # and the mute was reported as a 433-frame ``other`` beginning 90 frames early
    rec_m = np.sqrt(np.maximum(ndi.uniform_filter1d(rec_c ** 2, hop, mode="constant"), 0.0))
    ref_m = np.sqrt(np.maximum(ndi.uniform_filter1d(ref_c ** 2, hop, mode="constant"), 0.0))
    inner = slice(hop // 2, rec_c.size - hop // 2)  # spans wholly inside the window
    deep = np.flatnonzero((ref_m[inner] > _SILENCED_LOUD * ref_w)
                          & (rec_m[inner] < _SILENT_DEEP * gain * ref_m[inner])) + hop // 2
    if not quiet.size and not deep.size:
        return []
    reach = nrm.judge.size // 2 + FIR_TAPS
    rows = {int(t) for h in quiet.tolist() for t in range(t0 + h * hop - reach, t0 + (h + 1) * hop + reach)}
    rows.update(int(t) for c in deep.tolist()
                for t in range(t0 + c - hop // 2 - reach, t0 + c + hop - hop // 2 + reach))
    return sorted(rows)


def _solve_path(nrm: _PathNormal, impulses: tuple[int, ...] = ()) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``_fit_path``'s answer to its normal equations, with an impulse at each row of
    ``impulses`` as a regressor of its own (see there)."""
    pl, target, ramp, past, judge, t0, t1 = nrm.pl, nrm.target, nrm.ramp, nrm.past, nrm.judge, nrm.t0, nrm.t1
    gram, rhs = nrm.gram, nrm.rhs
    rows, ar = target.size, past.shape[1]
    jh = judge.size // 2
    imp = [t for t in impulses if t0 <= t < t1]
    units = np.zeros((rows, len(imp)))  # column j: the judge filter's answer to an impulse at row imp[j]
    for j, tp in enumerate(imp):
        a, b = max(tp - jh, t0), min(tp + jh + 1, t1)
        units[a:b, j] = judge[a - tp + jh: b - tp + jh]
    if nrm.out is not None:
        units[nrm.out] = 0.0  # rows out of the fit (``_without_splices``)

    def regressors(at: NDArray[np.int64]) -> FloatArray:
        """Rows ``at`` of the regressors, every column (the impulses' last)."""
        return np.concatenate((nrm.regressors(at), units[at]), axis=1)

    base = 2 * FIR_TAPS + ar + nrm.offsets
    cross = np.zeros((base, 0))
    if imp:
        nz = np.flatnonzero(units.any(axis=1))
        cross = regressors(nz)[:, :base].T @ units[nz]
        gram = np.block([[gram, cross], [cross.T, units[nz].T @ units[nz]]])
        rhs = np.concatenate((rhs, units[nz].T @ target[nz]))
    ncol = base + len(imp)
    downdated = False

    def solve() -> tuple[FloatArray, FloatArray]:
        tr = float(np.trace(nrm.gram))
        if not np.isfinite(tr) or tr <= 0:
            h = np.zeros(ncol)
        elif downdated:
            h = np.linalg.solve(gram + np.eye(ncol) * _RIDGE * float(np.trace(gram)), rhs)
        else:
            # bordered: [A C; C' D] [x; y] = [b; c], A factored once per window
            lu = nrm.lu()
            ainv_b = sla.lu_solve(lu, rhs[:base])
            if not imp:
                h = ainv_b
            else:
                ainv_c = sla.lu_solve(lu, cross)
                d = gram[base:, base:] + np.eye(len(imp)) * _RIDGE * tr
                y = np.linalg.solve(d - cross.T @ ainv_c, rhs[base:] - cross.T @ ainv_b)
                h = np.concatenate((ainv_b - ainv_c @ y, y))
        h1, h2 = h[:FIR_TAPS], h[FIR_TAPS:2 * FIR_TAPS]
        resid = target - (np.correlate(pl, h1, "valid") + ramp * np.correlate(pl, h2, "valid"))
        if ar:
            resid = resid - past @ h[2 * FIR_TAPS: 2 * FIR_TAPS + ar]
        if nrm.offset is not None:
            resid = resid - nrm.offset @ h[2 * FIR_TAPS + ar: base]
        return h, resid  # the impulses' columns are not subtracted: the glitch stays in it

    h, resid = solve()
    if ar:
        # A glitch in the recording is also in its own past, the recursive taps' regressors: the
        # rows after a large pop pull the whole fit (a 0.2 pop was smeared over the window). The
        # rows of the outliers the first fit left, and the next ``ar`` rows, are taken out and
        # the fit made again (their outer products subtracted: a few rows, not a new matrix).
        # (Without recursive taps this was tried against a 0.01 pop's echoes a pitch period
        # away at 8 kHz: on a noiseless path the rows taken out were the model's error at
        # transients, and the refit left them as glitches.)
        core = np.abs(resid[t0:t1])
        sig = 1.4826 * float(np.median(core))
        bad = np.flatnonzero(core > 8 * sig) + t0
        if 0 < bad.size <= 0.02 * (t1 - t0):
            bad = np.unique((bad[:, None] + np.arange(-2, ar + 3)[None, :]).ravel())
            bad = bad[(bad >= t0) & (bad < t1)]
            if nrm.out is not None:
                bad = np.setdiff1d(bad, nrm.out)
            xb = regressors(bad)
            gram = gram - xb.T @ xb
            rhs = rhs - xb.T @ target[bad]
            downdated = True
            h, resid = solve()
    return h, resid, target - resid


def _sliding_gram(x: FloatArray, taps: int, rows: int, t0: int, t1: int) -> FloatArray:
    """The normal matrix of ``[V, V * ramp]`` over rows ``t0..t1``, where row ``t`` of ``V`` is
    ``x[t : t + taps]`` and ``ramp`` runs linearly from -1 to 1 over ``rows`` rows.

    Built from three cumulative sums per lag (the products ``x[u] x[u + d]`` weighted by 1, u,
    u^2) instead of a (rows x 2 taps) matrix product: exact, and ~100x less work (a matrix
    product hands the work to a threaded BLAS, which on a loaded machine is slower still).
    """
    a, b = -1.0, 2.0 / max(rows - 1, 1)  # ramp(t) = a + b t
    n = x.size
    xp = np.concatenate((x, np.zeros(taps)))
    prod = np.lib.stride_tricks.sliding_window_view(xp, n, axis=0)[:taps] * x[None, :]  # [d, u] = x[u] x[u+d]
    u = np.arange(n, dtype=np.float64)
    zero = np.zeros((taps, 1))
    c0 = np.concatenate((zero, np.cumsum(prod, axis=1)), axis=1)
    c1 = np.concatenate((zero, np.cumsum(prod * u, axis=1)), axis=1)
    c2 = np.concatenate((zero, np.cumsum(prod * (u * u), axis=1)), axis=1)
    i, j = np.triu_indices(taps)
    d = j - i
    lo, hi = t0 + i, t1 + i
    s0 = c0[d, hi] - c0[d, lo]
    s1r = c1[d, hi] - c1[d, lo]
    s1 = s1r - i * s0  # sum over t of t * x[t + i] x[t + j]
    s2 = c2[d, hi] - c2[d, lo] - 2 * i * s1r + i * i * s0
    g = np.zeros((3, taps, taps))  # sums of x_i x_j weighted by 1, ramp, ramp^2
    for k, w in enumerate((s0, a * s0 + b * s1, a * a * s0 + 2 * a * b * s1 + b * b * s2)):
        g[k, i, j] = w
        g[k, j, i] = w
    out: FloatArray = np.block([[g[0], g[1]], [g[1], g[2]]])
    return out


def _local_floor(e: FloatArray, ref_level: float, rel: float = 1e-6,
                 silenced: NDArray[np.bool_] | None = None) -> tuple[FloatArray, float]:
    """The residual's own local floor, sample by sample, and its median.

    Per sub-block of 128 frames a robust sigma (1.4826 x median |e|: a pop, however large, does
    not raise it); the floor at a frame is the larger of the median over +-8 sub-blocks (the
    noise) and the largest of its own and the two neighbouring sub-blocks (where the model
    follows a passage less well, its whole stretch shows it, and the floor rises with it there).
    ``silenced``: per sub-block, whether the recording fell silent there (``_silenced_blocks``):
    such a sub-block's sigma is the missing signal, not the noise, and is left out of the
    medians with its two neighbours (partly silent); the noise is the rest's, and a window with
    no heard sub-block within reach of a frame takes the window's heard median there.
    """
    sb = 128
    nsb = max(e.size // sb, 1)
    body = e[: nsb * sb] if e.size >= sb else np.pad(e, (0, sb - e.size))
    rob = 1.4826 * np.median(np.abs(body.reshape(nsb, sb)), axis=1)
    gone = np.zeros(nsb, dtype=bool)
    if silenced is not None and silenced[:nsb].any():
        sil = np.zeros(nsb, dtype=bool)
        sil[: min(nsb, silenced.size)] = silenced[:nsb]
        gone = sil | np.concatenate(([False], sil[:-1])) | np.concatenate((sil[1:], [False]))
        if gone.all():
            gone[:] = False
    # at the window's ends, the larger of the median padded with copies of the end sub-block
    # (there that one sub-block's own, 9 of 17 values: where the fit follows a transient at its
    # window's edge less well, the floor rises with it) and the median mirrored (its
    # neighbours'): a quiet last sub-block alone (the path fit follows the noise best at its
    # window's edge) put the floor 2.8x under its neighbours' (a false pop 10 frames before a
    # window's end, bass under every impairment at once). Inside, the two are the same.
    views = [np.lib.stride_tricks.sliding_window_view(np.pad(rob, 8, mode=m), 17) for m in ("edge", "symmetric")]
    wide = np.maximum(np.median(views[0], axis=1), np.median(views[1], axis=1))
    if gone.any():
        heard = np.where(gone, np.nan, rob)
        hv = [np.lib.stride_tricks.sliding_window_view(np.pad(heard, 8, mode=m), 17) for m in ("edge", "symmetric")]
        # a view of silenced sub-blocks only is all NaN: nanmedian warns and gives NaN, set below
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            hw = np.fmax(np.nanmedian(hv[0], axis=1), np.nanmedian(hv[1], axis=1))
        wide = np.where(np.isnan(hw), float(np.median(rob[~gone])), hw)
    sig = np.maximum(wide, rel * max(ref_level, 1e-3))
    sigma = np.repeat(sig, sb)[: e.size]
    if sigma.size < e.size:
        sigma = np.concatenate((sigma, np.full(e.size - sigma.size, sig[-1])))
    return sigma, float(np.median(wide))


def _line_prediction(line: tuple[int, int, float, float], n0: int, n1: int, ref: Callable[[int, int], FloatArray],
                     sign: int) -> FloatArray:
    """The reference at the positions ``line`` maps recording frames n0..n1 to."""
    n = np.arange(n0, n1, dtype=np.float64)
    pos = n - (line[2] + line[3] * n)
    lo = int(math.floor(pos.min())) - _SINC_HALF - 1
    hi = int(math.ceil(pos.max())) + _SINC_HALF + 2
    return _sinc_interp(ref(lo, hi), lo, pos) * sign


def _step_error(p: FloatArray, r: FloatArray, cutoff: float, impulses: tuple[int, ...] = ()) -> tuple[float, FloatArray]:
    """Squared error left in the judged band when one filter maps ``p`` onto ``r`` (with an
    impulse of its own at each frame of ``impulses``, whose share is taken off too), and that
    residual (without the judge filter's edges)."""
    judge = _judge_filter(cutoff)
    skip = judge.size // 2 + FIR_TAPS
    rows = tuple(i - FIR_TAPS // 2 for i in impulses)
    h, resid, _ = _fit_path(p, r, judge, skip, impulses=rows)
    if rows:
        units = np.zeros((resid.size, len(rows)))
        jh = judge.size // 2
        for j, tp in enumerate(rows):
            a, b = max(tp - jh, 0), min(tp + jh + 1, resid.size)
            units[a:b, j] = judge[a - tp + jh: b - tp + jh]
        resid = resid - units @ h[h.size - len(rows):]
    body = resid[skip: resid.size - skip]
    return float(np.dot(body, body)), body


#: the share of the residual's sub-blocks whose variance the noise's share is read at: a low
#: quantile, so that the model's own error (which comes and goes with the material) is not taken
#: for noise; what stationary noise reads there is known and divided out (``_noise_quantile_ratio``)
_NOISE_QUANTILE = 0.1
#: how many noise variances a step must take off the error to be believed: a second line
#: placed by least squares takes tens of noise variances off pure noise (``_confirm_steps``)
_STEP_SIGNIFICANCE = 100.0
#: a step whose test over two blocks each side took more than this many noise variances off
#: (but not ``_STEP_SIGNIFICANCE``) is tested again over up to ``_STEP_WIDE_BLOCKS`` blocks each
#: side, within the two lines' stretches, against the same demand (``_confirm_steps``)
_STEP_WIDEN = 25.0
_STEP_WIDE_BLOCKS = 6


@functools.lru_cache(maxsize=16)
def _noise_quantile_ratio(cutoff: float, sb: int = 128) -> float:
    """What ``_NOISE_QUANTILE`` of the ``sb``-frame sub-blocks' variances reads of white noise's
    variance once the judge filter at ``cutoff`` has band-limited it (seeded: the same number on
    every call). A sub-block's variance is an estimate that scatters, the more so the narrower
    the band (fewer independent frames in a sub-block), and a low quantile of estimates sits
    below what they estimate: 0.82 of the noise at the full judged band (0.36), 0.66 at 0.1."""
    judge = _judge_filter(cutoff)
    rng = np.random.default_rng(18)
    x = sps.oaconvolve(rng.standard_normal(sb * 2000 + 2 * judge.size), judge, "same")[judge.size: -judge.size]
    v = np.mean(x[: sb * 2000].reshape(2000, sb) ** 2, axis=1)
    return float(np.quantile(v, _NOISE_QUANTILE)) / float(np.dot(judge, judge))


def _noise_share(resid: FloatArray, cutoff: float, sb: int = 128) -> tuple[float, float]:
    """(the noise's share of ``resid``'s squared sum, the noise's variance): the variance read at
    ``_NOISE_QUANTILE`` of the 128-frame sub-blocks' variances, over what that quantile reads of
    noise in the judged band below ``cutoff`` (``_noise_quantile_ratio``), times the frames. On a
    noiseless path this is the model's error where it is smallest (a quiet stretch, the files'
    rounding): next to nothing of the sum.

    (The quantile of the sub-blocks' robust variances, 1.4826 x median |e| squared, read as it
    was, gave 0.65 of the noise a bass line's one-line error held under -40 dBFS of noise: the
    median's estimate scatters more than the mean square's, and the low quantile of a scattered
    estimate lies low; the step then had to explain noise, and 5-frame drops were merged away.
    A low quantile already leaves a pop's or a step's sub-blocks out, so robustness inside a
    sub-block buys nothing here.)"""
    nsb = resid.size // sb
    if nsb < 4:
        return 0.0, 0.0
    v = np.mean(resid[: nsb * sb].reshape(nsb, sb) ** 2, axis=1)
    var = float(np.quantile(v, _NOISE_QUANTILE)) / _noise_quantile_ratio(round(cutoff, 2), sb)
    return var * resid.size, var


#: two lines whose levels differ by at least this (frames) where they meet, and that the recording
#: does not confirm as a step, are a line and its alias, not one wandering delay (``_confirm_steps``):
#: a converter's wander moves a block's delay by under a frame, a pitch period's alias by a period
_ALIAS_MIN = 4.0
#: blocks between two lines' stretches (a pause: no loud block matched) past which they are not
#: refitted with one slope (``_confirm_steps``)
_PAIR_GAP = 4


def _confirm_steps(lines: list[tuple[int, int, float, float]], track: _Track,
                   rec: Callable[[int, int], FloatArray], ref: Callable[[int, int], FloatArray], sign: int,
                   block: int, cutoff: float) -> list[tuple[int, int, float, float]]:
    """Keep a step between two lines only if the recording says so.

    A block's delay through a dispersive path depends on what the block holds (a converter
    delays a drum and a bass note by different fractions of a frame), so on some material the
    track wanders by half a frame and more, and a wander can pass for a 1-frame step. A real
    step of n frames leaves a discontinuity no single filter explains: around the step, "line a,
    then line b" must leave clearly less error than either line alone or one line through both;
    otherwise the two lines are one. Two lines a pitch period's alias apart (``_ALIAS_MIN``) are
    one as the line with more points, not one fitted through both.
    """
    if len(lines) < 2:
        return lines
    f = np.asarray(track.frames, dtype=np.float64)
    d = np.asarray(track.delays, dtype=np.float64)

    def fit(a: tuple[int, int, float, float], b: tuple[int, int, float, float]) -> tuple[int, int, float, float]:
        first, last = a[0], b[1]
        at = 0.5 * (a[1] + b[0])
        if abs((a[2] + a[3] * at) - (b[2] + b[3] * at)) >= _ALIAS_MIN:
            # levels this far apart are no wander of one delay but a pitch period's alias that
            # the recording did not confirm as a step: a line through both levels is neither
            # (2-6 kHz notes at 44.1 kHz were followed to aliases 8-57 frames off, and one line
            # through them all read the 40 ppm clock as -360 ppm, the prediction up to 31
            # frames off: false glitches, some named ``clipped``). The line with more points
            # holds over both stretches; the other's points, far off it, leave its fit
            keep = a if int(on(a).sum()) >= int(on(b).sum()) else b
            return (first, last, keep[2], keep[3])
        sel = on(a) | on(b)
        ff, dd = f[sel], d[sel]
        if ff.size >= 3:
            sl, ic = np.polyfit(ff, dd, 1)
        else:
            sl, ic = 0.0, float(np.median(dd)) if dd.size else 0.0
        return (first, last, float(ic), float(sl))

    def on(line: tuple[int, int, float, float]) -> NDArray[np.bool_]:
        """The points a line was fitted to: in its stretch and within ``_STRADDLE`` of it
        (``_lines`` fits neither a block matched far off, a pitch period's alias, nor one that
        straddles a step, and both still lie in that stretch)."""
        out: NDArray[np.bool_] = (f >= line[0]) & (f < line[1]) & (np.abs(d - (line[2] + line[3] * f)) < _STRADDLE)
        return out

    def paired(a: tuple[int, int, float, float], b: tuple[int, int, float, float]) -> tuple[
            tuple[int, int, float, float], tuple[int, int, float, float]]:
        """``a`` and ``b`` refitted with one slope (one clock runs through both) and a level
        each, when they are neighbours across a small step: under noise a short line's own slope
        is the noise's (a bass line's first line read 94 ppm under -40 dBFS noise, the next
        -1), and extrapolated over the blocks before the step it read a 9-frame drop as 10,
        15 frames late. Lines apart by a pause (no loud block between them for more than
        ``_PAIR_GAP`` blocks) or by a step as long as a block are left as they are: their
        points say nothing of one another's slope (over a speech pause, a refit moved the line
        the two were merged into and a clean insert gained a 6-frame "repeated")."""
        if b[0] - a[1] > _PAIR_GAP * block:
            return a, b
        at = 0.5 * (a[1] + b[0])
        if abs((a[2] + a[3] * at) - (b[2] + b[3] * at)) >= block // 2:
            return a, b
        sa, sb = on(a), on(b)
        if sa.sum() < 2 or sb.sum() < 2:
            return a, b
        fa, da, fb, db = f[sa] - f[sa].mean(), d[sa] - d[sa].mean(), f[sb] - f[sb].mean(), d[sb] - d[sb].mean()
        sl = float(np.clip((fa @ da + fb @ db) / max(fa @ fa + fb @ fb, 1e-30), -1e-3, 1e-3))
        return ((a[0], a[1], float(d[sa].mean() - sl * f[sa].mean()), sl),
                (b[0], b[1], float(d[sb].mean() - sl * f[sb].mean()), sl))

    out = [lines[0]]
    for nxt0 in lines[1:]:
        prev0 = out[-1]
        # the refit places and sizes a step; two lines found to be one are merged from the
        # lines as ``_lines`` fitted them (``fit``), so a refit never moves a merged line
        prev, nxt = paired(prev0, nxt0)
        at = _locate_step(prev, nxt, rec, ref, sign, block, cutoff).at
        n0, n1 = max(at - 2 * block, prev[0] - block), min(at + 2 * block, nxt[1] + block)
        if n1 - n0 < 2 * block or at - n0 < block // 2 or n1 - at < block // 2:
            out[-1] = prev
            out.append(nxt)
            continue
        r = rec(n0, n1)
        pa, pb = _line_prediction(prev, n0, n1, ref, sign), _line_prediction(nxt, n0, n1, ref, sign)
        merged = fit(prev0, nxt0)
        pm = _line_prediction(merged, n0, n1, ref, sign)
        e_step, body = _step_error(np.concatenate((pa[: at - n0], pb[at - n0:])), r, cutoff)
        e_one = min(_step_error(pa, r, cutoff)[0], _step_error(pb, r, cutoff)[0], _step_error(pm, r, cutoff)[0])
        # the noise is in both errors and no line explains it: what the step must explain is
        # the rest. Under -40 dBFS noise a 9-frame drop in a bass line took 20 % off the whole
        # error only (the noise's share was most of it) and the two lines were merged; the
        # taken-off error must also stand clear of what a second line takes off noise alone
        noise, var = _noise_share(body, cutoff)
        clear = e_step - noise < 0.8 * (e_one - noise)
        if clear and e_one - e_step > _STEP_SIGNIFICANCE * var:
            out[-1] = prev
            out.append(nxt)
            continue
        if clear and e_one - e_step > _STEP_WIDEN * var:
            # under heavy noise a 1-frame drop in chords took 87-98 variances off two blocks
            # each side: a real step's share grows with every frame after it that the one line
            # mistimes, what a split placed in noise takes off does not (one split's choice):
            # read again over the two lines' own stretches, up to ``_STEP_WIDE_BLOCKS`` each side
            w0 = max(at - _STEP_WIDE_BLOCKS * block, prev[0])
            w1 = min(at + _STEP_WIDE_BLOCKS * block, nxt[1])
            if w1 - w0 > n1 - n0 and at - w0 >= 2 * block and w1 - at >= 2 * block:
                r = rec(w0, w1)
                pa, pb = _line_prediction(prev, w0, w1, ref, sign), _line_prediction(nxt, w0, w1, ref, sign)
                pm = _line_prediction(merged, w0, w1, ref, sign)
                e_step, body = _step_error(np.concatenate((pa[: at - w0], pb[at - w0:])), r, cutoff)
                e_one = min(_step_error(pa, r, cutoff)[0], _step_error(pb, r, cutoff)[0],
                            _step_error(pm, r, cutoff)[0])
                noise, var = _noise_share(body, cutoff)
                if e_step - noise < 0.8 * (e_one - noise) and e_one - e_step > _STEP_SIGNIFICANCE * var:
                    out[-1] = prev
                    out.append(nxt)
                    continue
        out[-1] = fit(prev0, nxt0)
    return out


#: offsets (frames) of line b's level at which ``_measure_step`` reads the error, about its centre
_MEASURE_GRID = np.array([-0.3, -0.15, 0.0, 0.15, 0.3])
#: how far (frames) ``_measure_step`` walks line b's level, a grid's reach a step: lines read off
#: a track on a converter's curve can miss the recording's levels at the step by 2 frames (a
#: 9-frame drop with 3 points on a 150 ppm line before it and 2 after, the curve rising 0.4-1.7
#: frames a block there: -1.95 frames). A walk of 1.2 frames read that drop as 8.24 frames, 8
_MEASURE_WALK = 3.0


def _measure_step(a: tuple[int, int, float, float], b: tuple[int, int, float, float], at: int,
                  rec: Callable[[int, int], FloatArray], ref: Callable[[int, int], FloatArray], sign: int,
                  block: int, cutoff: float) -> float:
    """How far line ``b``'s level must move (frames) for the step from ``a`` to ``b`` at
    recording frame ``at`` to be the one the recording holds: the offset that minimises the
    error of "a's prediction before ``at``, b's after" through one filter over two blocks each
    side (``_step_error``, a parabola through five offsets 0.15 frame apart, re-centred while
    its top lies outside them, then read again 0.05 apart about it).

    The lines' levels are read off the track's points, and where those wander (a converter's
    phase near its cut-off) the two levels' difference is off by a few tenths of a frame: a
    1-frame drop in dense material through an 18 kHz low-pass read 0.77. The step's size is not
    assumed to be a whole number of frames either (a drop before a sample-rate converter is
    not): it is measured from the recording. Within a window the judge fits one filter to both
    sides of a step, which takes in a common fraction of a frame but not a wrong difference."""
    n0, n1 = max(at - 2 * block, a[0] - block), min(at + 2 * block, b[1] + block)
    if at - n0 < block // 2 or n1 - at < block // 2:
        return 0.0
    r = rec(n0, n1)
    pa = _line_prediction(a, n0, at, ref, sign)

    def err(offset: float) -> float:
        pb = _line_prediction((b[0], b[1], b[2] + offset, b[3]), at, n1, ref, sign)
        return _step_error(np.concatenate((pa, pb)), r, cutoff)[0]

    centre, scale = 0.0, 1.0
    for _ in range(int(round(_MEASURE_WALK / float(_MEASURE_GRID[-1]))) + 2):  # the walk, then its refinement
        offs = centre + scale * _MEASURE_GRID
        c2, c1, _c0 = np.polyfit(offs - centre, [err(float(o)) for o in offs], 2)
        if c2 <= 0:  # no minimum: the recording does not say (a quiet stretch)
            return centre
        top = float(-0.5 * c1 / c2)
        reach = scale * float(_MEASURE_GRID[-1])
        if abs(top) <= reach and scale < 1.0:
            return centre + top
        centre += float(np.clip(top, -reach, reach))
        if abs(top) <= reach:
            scale = 1.0 / 3.0
    return centre


#: -2 log likelihood ratio within which a step's split is as good as the best one
#: (``_locate_step``'s span): 9, about three standard deviations of a regular estimate (4, two,
#: held the true frame in 8 of 12 noisy bass takes)
_SPAN_CHI2 = 9.0


class _Split(NamedTuple):
    """Where one line hands over to the next (``at``), and the first and the last split the
    recording supports about as well (within ``_SPAN_CHI2`` of it)."""
    at: int
    first: int
    last: int


def _locate_step(a: tuple[int, int, float, float], b: tuple[int, int, float, float],
                 rec: Callable[[int, int], FloatArray], ref: Callable[[int, int], FloatArray], sign: int,
                 block: int, cutoff: float = _JUDGE_CUTOFF) -> _Split:
    """The recording frame where line ``a`` hands over to line ``b``: the split that minimises the
    squared error of "a's prediction before, b's after" (two cumulative sums), searched from the
    first frame of the last block read on ``a`` to half a block past the first read on ``b`` (at
    most 30 blocks): a block that holds a step reads the delay of its louder side, so the step
    can lie anywhere in the last block on ``a`` (from its centre on, a drop on a decaying kick
    was placed 364 frames late, where the next block began).

    The error is taken in the judged band: over the whole band, a converter's band-limiting
    leaves both predictions an error at every transient, and on plucked or struck material the
    split then lands at the attack instead of the step. (Each prediction through a filter fitted
    where its line holds was tried: the filters' differences, e.g. an AGC's, then blur the split
    on tonal material by tens of frames.)

    With the split come the first and the last split whose likelihood is within ``_SPAN_CHI2``
    of it (``_Split``). The split is the least-squares one, the likelihood's best under white noise, and
    where the two predictions differ by little for long (a 5-frame drop on a bass line's flat
    trough, 0.003 apart for 240 frames, -40 dBFS of noise at 0.0085 per judged frame) noise
    moves it by as much: over 12 noise seeds, -138 to +98 frames, unbiased. No criterion
    places it closer than the recording allows; the span says how close that is.
    """
    n0 = a[1] - block
    n1 = min(b[0] + block + block // 2, n0 + 30 * block)
    if n1 - n0 < 4:
        return _Split(b[0], b[0], b[0])
    judge = _judge_filter(cutoff)
    pad = judge.size
    r = sps.oaconvolve(rec(n0 - pad, n1 + pad), judge, "same")[pad:-pad]
    preds, gains, loud = [], [], []
    for line, part in ((a, slice(0, block)), (b, slice(-block, None))):
        p = sps.oaconvolve(_line_prediction(line, n0 - pad, n1 + pad, ref, sign), judge, "same")[pad:-pad]
        pp = float(np.dot(p[part], p[part]))
        preds.append(p)
        gains.append(float(np.dot(r[part], p[part])) / max(pp, 1e-30))
        loud.append(pp)
    # each side's gain is read where its line holds; where the reference is quiet there (a pause
    # after a tone burst) that reading is noise over nothing, and the other side's stands (the
    # gain moves slowly): a gain of noise put a burst's 9-frame drop at the burst's end
    quiet = False
    for i in (0, 1):
        if loud[i] < 1e-2 * loud[1 - i]:
            gains[i] = gains[1 - i]
            quiet = True
    g: Any = gains
    if not quiet and b[0] - a[1] <= block:
        # the two stretches meet (no pause between them: a drop inside sounding material): the
        # gain moves slowly over the span, so one gain drawn between the two readings (each at
        # its block's centre) holds at every split. Each side's own reading put chords' 1-5
        # frame drops under an AGC and a fade 23-52 frames late: gains 0.525 and 0.505 read at
        # the span's two ends, and the wrong gain's error outweighed the step's near the true
        # frame. Across a pause nothing says how the gain went, and tone bursts' alias lines
        # (1.6-67 frames apart, pauses of 2-5 blocks between them) were split elsewhere with it
        # and a 33-frame "repeated" kept: each side's own reading there
        t = (np.arange(r.size) - block / 2) / max(r.size - block, 1)
        line_g = gains[0] + (gains[1] - gains[0]) * np.clip(t, 0.0, 1.0)
        g = [line_g, line_g]
    errs = [(r - gg * p) ** 2 for gg, p in zip(g, preds, strict=True)]
    ca = np.concatenate(([0.0], np.cumsum(errs[0])))
    cb = np.concatenate(([0.0], np.cumsum(errs[1])))
    cost = ca + (cb[-1] - cb)
    k = int(np.argmin(cost))
    # the likelihood interval: with white noise of variance N0 per frame under the recording (the
    # judge filter passes what the two predictions differ by, so their difference's noise is
    # N0 per frame of it), a split j frames off the best costs its difference's energy there plus
    # twice its correlation with the noise, and (cost(j) - cost(k)) / N0 is -2 log of the
    # likelihood ratio. N0 is read off the best split's own residual (model error included:
    # wider, never narrower); every split within _SPAN_CHI2 of the best is as good as it
    floor = float(cost[k]) / max(r.size, 1) / float(np.dot(judge, judge))
    near = np.flatnonzero(cost - cost[k] <= _SPAN_CHI2 * max(floor, 1e-30))
    return _Split(n0 + k, n0 + int(near[0]), n0 + int(near[-1]))


#: a window's residual peak this many of the judge's sigmas high is where a step the track did
#: not see is looked for (``_hidden_step``): a 1-frame drop 0.2 s into a sweep, whose phase step
#: the window's filter took into its response, peaked at 5.1 sigmas, under the judge's 6.6
_HIDDEN_SUSPECT = 4.0
#: a window's peaks asked at most, best first, each a block or more from those before it, the
#: next only where the one before holds no step: two, a model error's and one more
_HIDDEN_PER_WINDOW = 2
#: the steps (frames the delay moves by) tried there: drops and repeats of one and two frames
#: (a longer one moves the blocks after it off the track's line and the track sees it)
_HIDDEN_SIZES = (-1, 1, -2, 2)
#: a step is looked for only where one line leaves this many times the noise's share of the
#: error: a step the window's filter spread leaves orders of magnitude more (a 1-frame drop in a
#: sweep: 0.15 against ~1e-8), while near a converter's band edge under -80 dBFS of noise a
#: line's error was 1.02 of the noise's share and a 0.4-frame wander of the delay passed for a
#: 1-frame step there (the noise's own estimate scatters by a few percent)
_HIDDEN_OVER_NOISE = 2.0
#: offsets (frames) from the residual's peak at which a 1-frame step's split is first tried: the peak
#: lay 22 and 35 frames before two sweeps' 1-frame drops (the judge filter's and the window's
#: filter's spread of it)
_HIDDEN_COARSE = (-48, 0, 48)


def _off_line_blocks(track: _Track, lines: list[tuple[int, int, float, float]], bounds: list[int], first: int,
                     last: int, block: int) -> list[tuple[int, int]]:
    """The recording frames (a, b) where a step may hide that the track saw but ``_lines`` did
    not take: each block inside the followed span whose delay lies ``_STEP_MIN`` or more off the
    line that holds it, from a block before it to half a block past its centre (a drop inside
    the block, or just before it, moves its delay). Overlapping stretches are one.

    Through a converter a swept tone's delay follows the filter's phase at the sweep's
    frequency, rising faster at each block nearing the cut-off: a 2-frame drop 0.15 s into a
    linear sweep through 0.05 fs at 44.1 kHz left its block 1.1 frames under the line (one
    line through the curve, 150 ppm) and the two after it on the curve's rise, read as bad
    point and line. The window's residual peak lay at the followed span's first frames, the
    drop's at 3.7 sigmas, and no step was tested there; tested at that peak, the recording
    places a 2-frame step 3 frames from the truth."""
    out: list[tuple[int, int]] = []
    starts = np.asarray(bounds[: len(lines)])
    for fr, d in zip(track.frames, track.delays, strict=True):
        if not first <= fr < last:
            continue
        li = max(int(np.searchsorted(starts, fr, "right")) - 1, 0)
        ln = lines[li]
        if abs(d - (ln[2] + ln[3] * fr)) < _STEP_MIN:
            continue
        a, b = max(fr - block, first), min(fr + block // 2, last)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


#: frames each side of the halving search's best split at which ``_hidden_step`` reads every
#: split's error (``_splits_refitted``): the coarse splits' spacing, so that whichever coarse
#: point the halving started from, the valleys between it and its neighbours are read
_HIDDEN_SCAN = 48


def _splits_refitted(pa: FloatArray, pb: FloatArray, r: FloatArray, cutoff: float, impulses: tuple[int, ...],
                     first: int, last: int) -> dict[int, float]:
    """``_step_error``'s error of "``pa`` before the split, ``pb`` from it" (indices into ``r``)
    at every split from ``first`` to ``last``: one filter (and its change) refitted at each.

    Only the rows a split in that range reaches (the judge filter's and the path filter's
    length past the outermost, as ``_without_splices`` takes a step's rows out) and the rows of
    an impulse's column differ from one split to the next: the normal equations of every other
    row are summed once, and each split adds its own few hundred rows and solves. A filter held
    from one split's fit does not do: over a swept tone the frequency is the time, and the
    filter's phase at the split's frequency, fixed by those same rows, takes a shift of the
    splice by frames into itself, so the error under a held filter has its one valley wherever
    that filter was fitted."""
    judge = _judge_filter(cutoff)
    jh = judge.size // 2
    skip = jh + FIR_TAPS
    half = FIR_TAPS // 2
    normal = _path_normal(np.concatenate((pa[:first], pb[first:])), r, judge, skip)
    t0, t1 = normal.t0, normal.t1
    units = np.zeros((normal.target.size, 0))
    imp_rows = [i - half for i in impulses if t0 <= i - half < t1]
    if imp_rows:
        units = np.zeros((normal.target.size, len(imp_rows)))
        for j, tp in enumerate(imp_rows):  # the judge filter's answer to an impulse at row tp
            lo_, hi_ = max(tp - jh, t0), min(tp + jh + 1, t1)
            units[lo_:hi_, j] = judge[lo_ - tp + jh: hi_ - tp + jh]
    # row t predicts from the low-passed prediction's frames t .. t + FIR_TAPS - 1, each of
    # which reads the prediction jh frames either side
    moving = np.arange(max(first - jh - FIR_TAPS + 1, t0), min(last + jh + 1, t1))
    rows_c = np.union1d(moving, np.flatnonzero(units.any(axis=1))).astype(np.int64)
    if rows_c.size > 0.5 * (t1 - t0):
        return {}
    xb = normal.regressors(rows_c)
    base = 2 * FIR_TAPS + normal.offsets
    k = base + units.shape[1]
    gram_b = np.zeros((k, k))
    rhs_b = np.zeros(k)
    gram_b[:base, :base] = normal.gram - xb.T @ xb
    rhs_b[:base] = normal.rhs - xb.T @ normal.target[rows_c]
    ridge = np.eye(k) * _RIDGE * float(np.trace(normal.gram))
    y = normal.target[rows_c]
    c0, c1 = int(rows_c[0]), int(rows_c[-1]) + FIR_TAPS  # the low-passed prediction's frames those rows read
    f0, f1 = c0 - jh, c1 + jh  # and the prediction's frames those read
    ramp = normal.ramp[rows_c]
    pl_all = normal.pl.copy()
    out: dict[int, float] = {}
    for sp in range(first, last + 1):
        pl_all[c0:c1] = np.convolve(np.concatenate((pa[f0:sp], pb[sp:f1])), judge, "same")[jh: f1 - f0 - jh]
        vb = np.lib.stride_tricks.sliding_window_view(pl_all[c0:c1], FIR_TAPS)[rows_c - c0]
        offset = normal.offset[rows_c] if normal.offset is not None else np.zeros((rows_c.size, 0))
        x = np.concatenate((vb, vb * ramp[:, None], offset, units[rows_c]), axis=1)
        h = np.linalg.solve(gram_b + x.T @ x + ridge, rhs_b + x.T @ y)
        # the residual itself, not the normal equations' quadratic form: on a noiseless path the
        # error is ~1e-12 of the recording's energy, under what that form's cancellation leaves
        resid = normal.target - (np.correlate(pl_all, h[:FIR_TAPS], "valid")
                                 + normal.ramp * np.correlate(pl_all, h[FIR_TAPS: 2 * FIR_TAPS], "valid"))
        if normal.offset is not None:
            resid -= normal.offset @ h[2 * FIR_TAPS: base]
        if units.shape[1]:
            resid -= units @ h[base:]
        out[sp] = float(np.dot(resid[t0:t1], resid[t0:t1]))
    return out


class _HiddenStep(NamedTuple):
    """A step ``_hidden_step`` found: its frame, its size (frames the delay moves by, measured)
    and its position uncertainty (``_locate_step``'s span)."""
    at: int
    size: float
    span: int


def _hidden_step(line: tuple[int, int, float, float], at: int, first: int, last: int,
                 rec: Callable[[int, int], FloatArray], ref: Callable[[int, int], FloatArray], sign: int,
                 block: int, cutoff: float, held_after: bool = False) -> _HiddenStep | None:
    """The step of the delay near recording frame ``at`` that the track did not
    see, when the recording says there is one; else None.

    ``line`` holds before the step, or with ``held_after`` after it: the first line of the
    track holds from the first block it matched, whose delay reads the level after a step in it
    or in the soft onset before it, so the frames before the step lie misaligned along that line
    (a 2-frame drop 207 frames into speech's first matched block, in its faded-in first syllable,
    read ``other438`` ending at the drop). The size returned is the step's either way: the delay
    after it less the delay before.

    The track sees a step by the blocks after it (two or more off the line); one with fewer
    before a pause or the end of the followed span is left to the window's fit, whose filter
    and its change over the window take part of a swept tone's phase step into their response
    (a sweep's response over frequency is one over time) and spread the rest: the residual's
    peak stays under the judge's threshold. Tested here as ``_confirm_steps`` tests a step
    between two lines, with one filter fitted over two blocks each side (``_step_error``): the
    line, then the line moved by a size of ``_HIDDEN_SIZES``, split where that leaves the least
    error (searched about ``at``), must leave clearly less error than the line alone or the line
    moved, by ``_STEP_SIGNIFICANCE`` of the noise's variance left under the step
    (``_noise_share``): the threshold is the residual's own noise, and a split that explains
    nothing but noise takes far less off, while a model with no step at all leaves the swept
    tone's phase step in its error. The size is then measured from the recording
    (``_measure_step``) and the place read as a step between two lines is."""
    n0, n1 = max(at - 2 * block, first), min(at + 2 * block, last)
    if at - n0 < block // 4 or n1 - at < block // 4 or n1 - n0 < 2 * block:
        return None  # too little on one side to fit either prediction, or in all to fit the path
    r = rec(n0, n1)
    pa = _line_prediction(line, n0, n1, ref, sign)
    # a pop at the peak is modelled in every fit (an impulse of its own): a splice there
    # otherwise "explains" a pop (a 0.1 pop on a bass line took 90 % off as a 0.55-frame step)
    imp = (at - n0,)
    e_line, body = _step_error(pa, r, cutoff, imp)
    noise_line = _noise_share(body, cutoff)[0]
    if not e_line > _HIDDEN_OVER_NOISE * noise_line:
        # the line leaves the noise's error alone: no step to explain, and the coarse splits'
        # six fits (most of this test's cost on music, whose transients peak here) are spared
        return None
    moved = {size: _line_prediction((line[0], line[1], line[2] + size, line[3]), n0, n1, ref, sign)
             for size in _HIDDEN_SIZES}
    lo, hi = n0 + block // 4, n1 - block // 4

    def spliced(size: int, split: int) -> FloatArray:
        """The line on its side of ``split``, the line moved by ``size`` on the other."""
        before, after = (moved[size], pa) if held_after else (pa, moved[size])
        return np.concatenate((before[: split - n0], after[split - n0:]))

    def err(size: int, split: int) -> float:
        return _step_error(spliced(size, split), r, cutoff, imp)[0]

    # the split: coarse about the peak for a 1-frame step either way, then halving steps about
    # the best; the error of one filter through the spliced prediction falls by orders of
    # magnitude towards the true split, and by a fifth and more over 64 frames each side of it
    # (a 1-frame drop 0.17 s into a sweep through a 0.05 fs low-pass: 0.042 on the line, 5e-8
    # at the split, 4e-4 32 frames off it). A peak where that coarse split takes not a tenth of
    # the error off (less the noise's share) holds no step: tested no further (a window's
    # model error at a transient of music, 3-5 peaks in 2 s)
    tried = {(size, sp): err(size, sp) for size in (-1, 1) for sp in
             sorted({min(max(at + d, lo), hi) for d in _HIDDEN_COARSE})}
    size_i, split = min(tried, key=tried.__getitem__)
    if not tried[(size_i, split)] - noise_line < 0.9 * (e_line - noise_line):
        return None
    tried[(2 * size_i, split)] = err(2 * size_i, split)  # the same way, two frames, at the best coarse split
    size_i, split = min(tried, key=tried.__getitem__)
    reach = 64  # halving: 32, 16, ..., 1 about the best (reaches 63 frames past the coarse points)
    while reach > 1:
        reach //= 2
        for sp in (split - reach, split + reach):
            if lo <= sp <= hi and (size_i, sp) not in tried:
                tried[(size_i, sp)] = err(size_i, sp)
        split = min((sp for (sz, sp) in tried if sz == size_i), key=lambda sp: tried[(size_i, sp)])
    # every split about the halving's best (``_splits_refitted``): the error over the split is
    # not one valley but several, a sweep's half period apart (the line and the line moved
    # differ by the swept tone's slope, which crosses zero twice a period), and halving settles
    # in whichever its coarse point led to (a 1-frame drop 0.15 s into a linear sweep through a
    # 0.05 fs low-pass: the true split's error 5.5e-6, a valley 23 frames on 9.6e-6, a bump of
    # 1.5e-4 between them, and the halving ended in the second). The splits read join the tried
    # ones, for the best and for the likelihood interval read off them
    held = _splits_refitted(*((moved[size_i], pa) if held_after else (pa, moved[size_i])), r, cutoff, imp,
                            max(split - _HIDDEN_SCAN, lo) - n0, min(split + _HIDDEN_SCAN, hi) - n0)
    for k, v in held.items():
        tried.setdefault((size_i, n0 + k), v)
    split = min((sp for (sz, sp) in tried if sz == size_i), key=lambda sp: tried[(size_i, sp)])
    e_step, body = _step_error(spliced(size_i, split), r, cutoff, imp)
    noise, var = _noise_share(body, cutoff)
    for e_one in (e_line, _step_error(moved[size_i], r, cutoff, imp)[0]):  # the line, or the line moved
        # the error past the noise's share must be there to explain (under noise, near a
        # converter's band edge, a line's error was the noise's alone, and a step "took off"
        # what both left under it: 0.2 % of the error, 150 variances, a 0.4-frame wander)
        if not (e_one > _HIDDEN_OVER_NOISE * noise and e_one - noise > _STEP_SIGNIFICANCE * var
                and e_step - noise < 0.8 * (e_one - noise)
                and e_one - e_step > _STEP_SIGNIFICANCE * var):
            return None
    shifted = (line[0], line[1], line[2] + size_i, line[3])
    if held_after:  # the line before moved by size_i, the line after measured against it
        size = _measure_step(shifted, line, split, rec, ref, sign, block, cutoff) - size_i
    else:
        size = size_i + _measure_step(line, shifted, split, rec, ref, sign, block, cutoff)
    if abs(size) < _STEP_MIN:
        return None  # the recording measures no whole frame's step there: a wander of the delay
    # the place: where the two levels' predictions split the recording best (``_locate_step``,
    # no filter, the way a step between two lines is placed), with the measured size; where the
    # line is off the local delay (a sweep through a steep low-pass wanders by a frame over the
    # track's span) that split runs towards the end of its half-block reach each side and the
    # filter's split stands, its likelihood interval read as ``_locate_step`` reads its own (the
    # noise from the best split's own residual, model error included). Run to the end means its
    # likelihood interval reaches the reach's end, not only its best split: 1-frame drops 0.15 s
    # into linear sweeps through a 0.05 fs low-pass were placed 1022 and 1023 frames late, their
    # best splits 2 frames and 1 frame short of the reach's end, their intervals at it
    reach0, reach1 = split - block // 2, split - block + block + block // 2
    level0 = line[2] - size if held_after else line[2]  # the level before the step
    loc = _locate_step((line[0], split + block // 2, level0, line[3]), (split - block, line[1], level0 + size,
                       line[3]), rec, ref, sign, block, cutoff)
    if reach0 < loc.first and loc.last < reach1:
        return _HiddenStep(loc.at, size, max(loc.at - loc.first, loc.last - loc.at, abs(loc.at - split)))
    judge = _judge_filter(cutoff)
    floor = tried[(size_i, split)] / max(n1 - n0, 1) / float(np.dot(judge, judge))
    near = [sp for (sz, sp), v in tried.items() if sz == size_i and v - tried[(size_i, split)] <= _SPAN_CHI2 * floor]
    return _HiddenStep(split, size, max(max(abs(sp - split) for sp in near), 1))


#: frames between the places ``_step_before_first_block`` asks ``_hidden_step`` at: its coarse
#: splits (``_HIDDEN_COARSE``) and halving reach +-111 frames about each, so none falls between
_EARLY_PROBE = 192


def _step_before_first_block(bursts: list[tuple[int, int, float, int, bool, bool]],
                             line: tuple[int, int, float, float], first: int, first_frame: int, last_frame: int,
                             rec: Callable[[int, int], FloatArray], ref: Callable[[int, int], FloatArray],
                             sign: int, block: int, cutoff: float, fs: int) -> tuple[_HiddenStep, float] | None:
    """A step before the end of the first block the track matched (``first_frame`` + ``block``),
    with the first ``line`` after it, and the peak of the burst that led to it; None if the
    recording holds none.

    The first block's delay reads its louder side, so with a drop in it (or in the soft onset
    before it) the first line holds the level after the drop and the frames before it lie
    misaligned along it: bursts that end before the drop, named ``other`` (``other438``,
    ``other474``), ``mute`` or ``clipped`` by their shape. The loudest burst longer than a pop
    starting before that block's end is taken (a pop is not asked: a splice beside it explained
    it, and 0.01 pops in soft attacks read ``dropped2``); the step lies after the burst's end, where the misaligned material
    was too quiet to cross the threshold, so ``_hidden_step`` (with ``held_after``) is asked
    from the burst's end every ``_EARLY_PROBE`` frames to the block's end, the first step it
    confirms kept."""
    end = first_frame + block
    early = [ev for ev in bursts if ev[0] < end and ev[1] - ev[0] > _POP_MAX_S * fs]
    if not early:
        return None
    burst = max(early, key=lambda ev: ev[2])
    for at in range(min(burst[1], end), end + 1, _EARLY_PROBE):
        got = _hidden_step(line, at, first, last_frame, rec, ref, sign, block, cutoff, held_after=True)
        if got is not None:
            return got, burst[2]
    return None


#: the steps (frames) the first line is moved by before a burst in the first matched block, to
#: ask whether a drop's misalignment explains it (``_burst_explained_by_a_step``): up to 5 frames
#: either way, the smallest first. The track sees a step of a frame and more by the blocks after
#: it, never one before the first block it matched: a 5-frame drop 1102 frames before it, in
#: speech's soft onset under 16-bit dither, left ``pop23`` 106 frames before the drop, which
#: moves of 1-2 frames did not explain
_EARLY_MOVES = (-1, 1, -2, 2, -3, 3, -4, 4, -5, 5)
#: ... and the share of the burst's peak its residual must fall under, moved, to be explained
_EARLY_EXPLAINED = 0.5


def _burst_explained_by_a_step(event: tuple[int, int, float, int, bool, bool], line: tuple[int, int, float, float],
                               onset: tuple[int, int], end: int, block: int, fs: int,
                               judged_moved: Callable[[tuple[int, int, float, float], int, int, int],
                                                      _Judged | None]) -> bool:
    """Whether ``event``, a burst starting in the onset window before ``end`` (the first matched
    block's end), is as well explained by a step after it: along the first ``line`` moved by a
    frame or two before a split two pops' reach or more past the burst (every
    ``_EARLY_PROBE`` frames, a block's reach, to ``end``; ``judged_moved(line moved, split, w0,
    w1)``, the onset window's frames from a block before the burst to a block past the split
    judged so), the residual over the burst and a pop's reach about it falls under
    ``_EARLY_EXPLAINED`` of the burst's peak. Splits nearer the burst than the drop leave the
    splice's own error beside it (music's burst 475 frames before its drop: 0.0098 with the
    split 96 frames past it, 3e-5 with the split at the drop).

    The first block's delay reads its louder side, so a drop in it leaves the frames before it
    misaligned along the first line; where they are quiet the step test cannot tell them from
    noise, yet a frame or a few may cross the threshold (a 2-frame drop in speech's first
    matched block under -80 dBFS noise: the line's error 1.3 times the noise's, and ``pop1``
    142 frames before the drop). A click, a mute or a clipped stretch is no alignment's: moved,
    its residual stays. The residual is compared, not the bursts heard: misaligned elsewhere,
    the window's noise estimate rises and a real pop falls under its threshold unchanged."""
    s0, s1, peak = event[0], event[1], event[2]
    if not onset[0] <= s0 < end:
        return False
    reach = max(int(_POP_MAX_S * fs), 1)
    first_split = s1 + 2 * reach
    for split in range(first_split, min(end, onset[1], first_split + block) + 1, _EARLY_PROBE):
        w0, w1 = max(onset[0], s0 - block), min(onset[1], split + block)
        for size in _EARLY_MOVES:
            judged = judged_moved((line[0], line[1], line[2] + size, line[3]), split, w0, w1)
            if judged is None:
                continue
            i0, i1 = max(s0 - reach - w0, 0), min(s1 + reach - w0, judged.e.size)
            if i1 > i0 and float(np.max(np.abs(judged.e[i0:i1]))) < _EARLY_EXPLAINED * peak:
                return True
    return False


#: how far (seconds) each side of a mute the recording is read to fit the reference to it
#: (``_mute_edges``)
_MUTE_FLANK_S = 0.01
#: taps of the filter that carries the reference to the recording around a mute (the path's gain,
#: polarity, band-limiting and what fraction of a frame the track is off, fitted on the flanks)
_MUTE_TAPS = 17


def _mute_edges(rec: Callable[[int, int], FloatArray], predict: Callable[[int, int], FloatArray],
                m0: int, m1: int, s: int, e: int, fs: int) -> tuple[int, int]:
    """A mute's first and last-plus-one frames, where the recording is likeliest to change from
    the prediction to silence and back: ``m0..m1`` is the run of quiet frames around the burst
    ``s..e``, which walks over any stretch where the reference was quiet too (music at 0.005
    under -50 dBFS of noise, whose 4 sigmas are 0.0097, widened a 96 kHz mute 18 frames early).
    Between the run's ends and the burst's the recording is the prediction plus noise, then the
    noise alone; the split that leaves the least error (the maximum-likelihood change point under
    white noise) weighs even a prediction under the noise's sigmas: that take's start lands
    within a frame. The prediction is carried to the recording by a short filter fitted over
    ``_MUTE_FLANK_S`` outside the run (a gain alone left 40 % of 44.1 kHz music's level
    unexplained there: the path's low-pass and the track's fraction of a frame); where those
    flanks say nothing (silent), the run stands. The start is searched from the run's start to
    the burst's (or its middle); the end from the burst's middle to the run's end: the burst
    runs past the mute's end by the judge filter's ring of that edge (and the run with it, where
    the music after the mute is loud), so an end held at the burst's end was that ring late
    (44.1 kHz -80 dBFS 2.5 ms: 16.1 frames), while the likeliest turn from silence back to the
    prediction inside the burst lands within 8 frames on every take of the mutes grid."""
    flank = max(int(_MUTE_FLANK_S * fs), 4 * _MUTE_TAPS)
    lo, hi = max(m0 - flank, 0), m1 + flank
    x = rec(lo, hi)
    half = _MUTE_TAPS // 2
    p = predict(lo - half, hi + half)
    cols = np.lib.stride_tricks.sliding_window_view(p, _MUTE_TAPS)  # row i: p around recording frame lo + i
    out = np.ones(hi - lo, dtype=bool)
    out[m0 - lo: m1 - lo] = False
    if not np.any(cols[out]):
        return m0, m1
    h = np.linalg.lstsq(cols[out], x[out], rcond=None)[0]
    heard = (x - cols @ h) ** 2  # each frame's error if it was played
    quiet = x ** 2  # and if it was muted

    def split(a: int, b: int, muted_after: bool) -> int:
        """The frame in ``a..b`` (recording) where the cost of 'played, then muted' (or the
        reverse) is least."""
        a, b = max(a, lo), min(b, hi)
        if b - a < 2:
            return a
        first, then = (heard, quiet) if muted_after else (quiet, heard)
        c1 = np.concatenate(([0.0], np.cumsum(first[a - lo: b - lo])))
        c2 = np.concatenate(([0.0], np.cumsum(then[a - lo: b - lo][::-1])))[::-1]
        return a + int(np.argmin(c1 + c2))

    # the run's ends are where the recording stopped being quiet, so the mute lies within them;
    # its start lies before the burst's (the burst is where it departed from a sounding
    # prediction); its end anywhere past the burst's middle: the burst's end is the judge
    # filter's ring of the edge, past it
    start = split(m0, max(min(s, (s + e) // 2), m0), True)
    end = split(max((s + e) // 2, start + 1), m1, False)
    return (start, end) if end > start else (m0, m1)


def _steps_to_bursts(bursts: list[tuple[int, int]], steps: list[tuple[int, float, float]],
                     reach: int, near: int | None = None) -> dict[int, int]:
    """Which step (index into ``steps``) names which burst (index into ``bursts``, each a
    recording span ``start..end``): each step goes to the burst nearest it within ``reach``
    frames, the nearest pairs first, one step to a burst. Nearness, not the bursts' order: a
    drop's own burst lies at its step, while a pop a block before it is also within the reach,
    and taken first in time the pop was named the drop and the drop's burst a ``pop``, an
    ``other``, a ``mute`` or ``clipped`` of its own (a 0.01 pop 1500 frames before a 2-frame
    drop in music, 12 of 12 seeds).

    With ``near``, a step reaches no further than ``near`` frames plus its own size: the residual
    a step of J frames raises lies where the fit around it misplaces the material, within about
    J frames of it, so a burst farther off is a glitch of its own. A 2-frame drop whose window is
    cut at its step raises no burst, and a 0.01 pop 1500 frames before it, the one burst within
    ``reach``, was named the drop and went unreported (3 of 24 music and speech takes); a
    705-frame repeat still names a burst 945 frames off."""
    def reach_of(d0: float, d1: float) -> int:
        return reach if near is None else min(reach, near + int(math.ceil(abs(d1 - d0))))

    pairs = sorted((max(s - at, at - e, 0), bi, si)
                   for si, (at, d0, d1) in enumerate(steps)
                   for bi, (s, e) in enumerate(bursts) if s - reach_of(d0, d1) <= at <= e + reach_of(d0, d1))
    step_of: dict[int, int] = {}
    taken: set[int] = set()
    for _distance, bi, si in pairs:
        if bi in step_of or si in taken:
            continue
        step_of[bi] = si
        taken.add(si)
    return step_of


def _classify(events: list[tuple[int, int, float, int, bool, bool]], steps: list[tuple[int, float, float]],
              lines: list[tuple[int, int, float, float]], bounds: list[int], rec: Callable[[int, int], FloatArray],
              ref: Callable[[int, int], FloatArray], sign: int, fs: int, quiet_level: float,
              unheard_min: int = 1, rec_frames: int | None = None,
              spans: list[int] | None = None) -> list[ReferenceGlitch]:
    """Name the residual's bursts with the track's steps beside them (see the module docstring).
    A step with no burst beside it is kept when it is ``unheard_min`` frames or more. A mute is
    widened over the silence around its burst, never past the recording's ends
    (``rec_frames``): ``rec`` pads with zeros there, which would pass for more silence."""
    gap = int(0.02 * fs)
    # bursts close together are one glitch
    events = sorted(events)
    merged: list[list[Any]] = []  # start, end, peak, count, silent, peaks of compressed and other bursts
    for s, e, pk, cnt, silent, squeezed in events:
        if merged and s <= merged[-1][1] + gap:
            merged[-1][1] = max(merged[-1][1], e)
            merged[-1][2] = max(merged[-1][2], pk)
            merged[-1][3] += cnt
            merged[-1][4] = merged[-1][4] and silent  # silent only if every burst of it is
            merged[-1][5 if squeezed else 6] = max(merged[-1][5 if squeezed else 6], pk)
        else:
            merged.append([s, e, pk, cnt, silent, pk if squeezed else 0.0, 0.0 if squeezed else pk])
    used_steps: set[int] = set()
    out: list[ReferenceGlitch] = []

    def ref_pos(nf: int) -> float:
        for li in range(len(lines) - 1, -1, -1):
            if nf >= bounds[li] or li == 0:
                return nf - (lines[li][2] + lines[li][3] * nf)
        return float(nf)

    def predict(n0: int, n1: int) -> FloatArray:
        """The reference along the track at recording frames ``n0..n1``, with its polarity (no
        gain, no path filter: what ``_mute_edges`` scales to the recording itself)."""
        nf = np.arange(n0, n1)
        li = np.maximum(np.searchsorted(np.asarray(bounds[: len(lines)]), nf, "right") - 1, 0)
        pos = nf - (np.array([ln[2] for ln in lines])[li] + np.array([ln[3] for ln in lines])[li] * nf)
        lo = int(math.floor(pos.min())) - _SINC_HALF - 1
        return _sinc_interp(ref(lo, int(math.ceil(pos.max())) + _SINC_HALF + 2), lo, pos) * sign

    step_of = _steps_to_bursts([(m[0], m[1]) for m in merged], steps, 4 * gap, near=gap)
    for bi, (s, e, pk, cnt, silent, pk_squeezed, pk_other) in enumerate(merged):
        step_i = step_of.get(bi)
        x = rec(s, min(e, s + 10 * fs))  # bounded: a long broken stretch is judged by its first 10 s
        # silent is silent to the noise's level too: under -50 dBFS of noise at 96 kHz, 2 % of a
        # mute's peak residual was under the noise, no millisecond of it read quiet and the mute
        # was an ``other`` from its first frame over the threshold, 91-177 frames late
        quiet = np.abs(x) < max(0.02 * pk, quiet_level, 1e-5)
        runs = _longest_run(quiet)
        if step_i is not None:
            used_steps.add(step_i)
            _, d0, d1 = steps[step_i]
            jump = d1 - d0
            size = int(round(abs(jump)))
            if jump < 0:
                kind: RefGlitchKind = "dropped"
            else:
                kind = "inserted_silence" if runs >= max(0.8 * size, 1) else "repeated"
            at = steps[step_i][0]  # where the track steps, not where the residual first rose
            unc = spans[step_i] if spans else 0
            if kind == "inserted_silence":
                at = s + _longest_run_start(quiet)
                unc = 0
            out.append(ReferenceGlitch(at, max(e, at + 1), kind, max(size, 1), pk, ref_pos(at), unc))
        elif runs >= max(int(_POP_MAX_S * fs), 2) or silent:
            # the silence may reach beyond the flagged burst where the reference was quiet too
            r0 = max(s - fs // 2, 0)
            r1 = e + fs // 2 if rec_frames is None else max(min(e + fs // 2, rec_frames), e)
            around = rec(r0, r1)
            still = np.abs(around) < max(quiet_level, 0.02 * pk)
            # a lone frame of the noise over its 4 sigmas does not end a silence (one in ~1500
            # does: a 915-frame mute under -50 dBFS was widened back to its 110th frame only)
            still[1:-1] |= still[:-2] & still[2:]
            i0, i1 = s - r0, e - r0
            centre = i0 + int(np.argmax(still[i0:i1])) if np.any(still[i0:i1]) else i0
            a = centre
            while a > 0 and still[a - 1]:
                a -= 1
            b = centre
            while b < still.size and still[b]:
                b += 1
            m0, m1 = min(s, a + r0), max(e, b + r0)
            if b > a:
                # a burst with no quiet frame in it (flagged silent by the fit alone) holds no
                # turn to silence to place: it stays as the burst
                m0, m1 = _mute_edges(rec, predict, m0, m1, s, e, fs)
            last = out[-1] if out else None
            if last is not None and last.kind == "mute" and m0 <= last.end_frame:
                # a silence longer than a window is a burst in each window it spans, each widened
                # over the same silence: one mute (a 100 ms one at 96 kHz was reported twice)
                m0, m1 = min(m0, last.start_frame), max(m1, last.end_frame)
                out[-1] = ReferenceGlitch(m0, m1, "mute", min(max(runs, b - a, last.size_frames), m1 - m0),
                                          max(pk, last.peak_error), ref_pos(m0))
                continue
            out.append(ReferenceGlitch(m0, m1, "mute", min(max(runs, b - a), m1 - m0), pk, ref_pos(m0)))
        elif pk_squeezed > 0.0 and pk_squeezed >= pk_other:
            # the recording short of the prediction at its peaks (``_compressed_span``) in the
            # burst that departs most: clipped. The others beside it are the window's fit bent
            # towards the clipped peaks (its gain lowered), 1-100 frames at the unclipped peaks
            # of a clipped stretch of music. Its size is the frames over the threshold
            out.append(ReferenceGlitch(s, e, "clipped", cnt, pk, ref_pos(s)))
        elif e - s <= _POP_MAX_S * fs:
            out.append(ReferenceGlitch(s, e, "pop", cnt, pk, ref_pos(s)))
        else:
            out.append(ReferenceGlitch(s, e, "other", e - s, pk, ref_pos(s)))
    # a step with no burst beside it (a drop the residual could not see) is still a glitch
    for i, (at, d0, d1) in enumerate(steps):
        if i in used_steps:
            continue
        jump = d1 - d0
        size = int(round(abs(jump)))
        if size < max(unheard_min, 1):
            continue
        out.append(ReferenceGlitch(at, at + 1, "dropped" if jump < 0 else "repeated", size, 0.0, ref_pos(at),
                                   spans[i] if spans else 0))
    return _one_clipped_stretch(sorted(out, key=lambda g: g.start_frame), fs)


#: bursts of a clipped stretch lie at the material's loud peaks, a beat or a phrase apart: a
#: ``clipped`` glitch and the ``pop``/``other``/``clipped`` ones within this many seconds of it (and
#: of one another) are one overdriven stretch (``_one_clipped_stretch``)
_CLIPPED_GAP_S = 1.0
#: the kinds a clipped stretch takes in: a peak clipped by a few frames is a ``pop`` or an
#: ``other`` (fewer peak frames than ``_compressed_span`` asks), the fit bent towards clipped peaks
#: an ``other`` beside them; a step or a silence is a glitch of its own
_CLIPPED_JOINS = frozenset({"clipped", "pop", "other"})


def _one_clipped_stretch(glitches: list[ReferenceGlitch], fs: int) -> list[ReferenceGlitch]:
    """``glitches`` (sorted by start) with each run of ``_CLIPPED_JOINS`` kinds that holds a
    ``clipped`` one, each within ``_CLIPPED_GAP_S`` of the one before, reported as one ``clipped``
    glitch from the run's first frame to its last: an overdriven stretch of music clips at its
    loud peaks only, 0.1-0.6 s apart, and was reported as three to six glitches where the tone
    analyser reports one. Its size is the frames over the threshold of all of them. A run with
    no ``clipped`` glitch is left as it is; a pop within the gap of a clipped stretch is part of
    it (a documented limit: it is not told apart from a peak clipped by a frame or two)."""
    gap = int(_CLIPPED_GAP_S * fs)
    runs: list[list[ReferenceGlitch]] = []
    for g in glitches:
        last = runs[-1] if runs else None
        if (last is not None and g.kind in _CLIPPED_JOINS and last[-1].kind in _CLIPPED_JOINS
                and g.start_frame <= max(x.end_frame for x in last) + gap):
            last.append(g)
        else:
            runs.append([g])
    out: list[ReferenceGlitch] = []
    for run in runs:
        if len(run) == 1 or not any(g.kind == "clipped" for g in run):
            out.extend(run)
            continue
        out.append(ReferenceGlitch(run[0].start_frame, max(g.end_frame for g in run), "clipped",
                                   sum(g.size_frames for g in run), max(g.peak_error for g in run),
                                   run[0].reference_frame))
    return out


def _longest_run_start(mask: NDArray[np.bool_]) -> int:
    m = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(m[1:] != m[:-1])
    if not edges.size:
        return 0
    i = int(np.argmax(edges[1::2] - edges[0::2]))
    return int(edges[2 * i])


def _longest_run(mask: NDArray[np.bool_]) -> int:
    if not mask.size:
        return 0
    m = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(m[1:] != m[:-1])
    return int(np.max(edges[1::2] - edges[0::2])) if edges.size else 0


@with_one_blas_thread
def compare_to_reference(recording: Any, reference: Any, sample_rate: int, **kwargs: Any) -> ReferenceReport:
    """Glitches in ``recording`` (one channel, floats) against the ``reference`` that was played.

    See the module docstring for the method; ``kwargs`` go to ``compare_to_reference_stream``
    (``max_latency_s``, ``window_s``, ``max_glitches``). Raises ``AnalysisError`` when the
    reference cannot be found or followed in the recording.
    """
    r = np.asarray(recording, dtype=np.float64)
    x = np.asarray(reference, dtype=np.float64)
    if r.ndim != 1 or x.ndim != 1:
        raise UsageError("compare one channel at a time: recording and reference must be 1-D")
    return compare_to_reference_stream(lambda a, b: r[a:b], r.size, lambda a, b: x[a:b], x.size,
                                       sample_rate, **kwargs)
