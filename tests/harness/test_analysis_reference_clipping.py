"""Clipping and saturation of program material, found against the reference and named ``clipped``.

The takes are built as ``bench/bench_reference_clipping.py`` builds them (seeds of their own): 2 s
of music, or of notes of 2-6 kHz with drum hits, through a fractional delay, a clock 40 ppm off,
gain 0.9 with an AGC and a converter's low-pass at 0.35 fs; clipped (or saturated) from 0.6 to
1.4 s.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.bench_reference_clipping import high_notes
from harness import analysis as A
from harness import reference_compare as R
from harness.reference_compare import _compressed_span, compare_to_reference

STRETCH_S = (0.6, 1.4)
MARGIN_S = 5e-3


def _take(fs: int, material: str, noise_rms: float, how: str, seed: int,
          fade: bool = False) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """The recording, the reference and the damaged stretch (recording frames). ``how``:
    "clean", "full scale" (scaled to a 0.999 peak), "hard L" (clipped at L of the stretch's
    peak) or "tanh" (``c tanh(x / c)``, ``c`` half the stretch's peak)."""
    ref = R.program_material("music", 2.0, fs, seed=seed) if material == "music" else high_notes(2.0, fs, seed)
    rng = np.random.default_rng([77, fs, seed])
    rec = R.through_system(ref, fs, delay_frames=float(rng.uniform(300, 2000)), drift_ppm=40.0, gain=0.9,
                           gain_wobble=0.2 if fade else 0.1, gain_ramp=-0.5 if fade else 0.0,
                           lowpass_hz=0.35 * fs, noise_rms=noise_rms, tail_frames=fs // 10, seed=seed)
    a, b = int(STRETCH_S[0] * fs), int(STRETCH_S[1] * fs)
    pk = float(np.max(np.abs(rec[a:b])))
    if how == "full scale":
        rec = rec * (0.999 / float(np.max(np.abs(rec))))
    elif how.startswith("hard"):
        lvl = float(how.split()[1]) * pk
        rec[a:b] = np.clip(rec[a:b], -lvl, lvl)
    elif how == "tanh":
        rec[a:b] = 0.5 * pk * np.tanh(rec[a:b] / (0.5 * pk))
    return rec, ref, (a, b)


def _assert_clipped_inside(gs: list[R.ReferenceGlitch], span: tuple[int, int], fs: int) -> None:
    m = int(MARGIN_S * fs)
    assert gs, "the clipping was not found"
    assert all(span[0] - m <= g.start_frame < span[1] + m for g in gs), ([g.to_dict() for g in gs], span)
    assert "clipped" in [g.kind for g in gs], [g.to_dict() for g in gs]


# -------------------------------------------------------------------------------- the rule itself

def _peaks(fs: int = 48_000, n: int = 4800) -> np.ndarray:
    """A 220 Hz tone with a 2nd partial: a prediction with peaks and middling frames."""
    t = np.arange(n) / fs
    return 0.5 * np.sin(2 * np.pi * 220 * t) + 0.15 * np.sin(2 * np.pi * 440 * t + 1.0)


def test_a_recording_clipped_at_its_peaks_is_compressed() -> None:
    fit = _peaks()
    lvl = 0.8 * float(np.max(np.abs(fit)))
    e = np.clip(fit, -lvl, lvl) - fit
    assert _compressed_span(e, fit, 2000, 2100, 48_000)


def test_a_saturated_recording_is_compressed() -> None:
    fit = _peaks()
    c = 0.5 * float(np.max(np.abs(fit)))
    e = c * np.tanh(fit / c) - fit
    assert _compressed_span(e, fit, 2000, 2100, 48_000)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_a_pop_at_a_peak_is_not_compressed(sign: float) -> None:
    """A pop is one frame: at the loudest frame and against the prediction's sign it is what a
    clipped peak is there, but it moves no median of the peaks around it."""
    fit = _peaks()
    at = 2000 + int(np.argmax(np.abs(fit[2000:2200])))
    e = np.zeros(fit.size)
    e[at] = -sign * np.sign(fit[at]) * 0.05
    assert not _compressed_span(e, fit, at, at + 1, 48_000)


def test_a_level_that_fell_is_not_compressed() -> None:
    """A gain step takes the same share off the peaks and the middling frames."""
    fit = _peaks()
    e = -0.3 * fit
    assert not _compressed_span(e, fit, 2000, 2100, 48_000)


def test_noise_alone_is_not_compressed() -> None:
    fit = _peaks()
    e = np.random.default_rng(5).standard_normal(fit.size) * 1e-3
    assert not _compressed_span(e, fit, 2000, 2100, 48_000)


# --------------------------------------------------------------------------------- whole takes

@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("noise_rms", [0.0, 1e-4])
@pytest.mark.parametrize("how", ["hard 0.7", "tanh"])
def test_clipped_music_is_a_clipped_glitch_where_it_was_clipped(fs: int, noise_rms: float, how: str) -> None:
    rec, ref, span = _take(fs, "music", noise_rms, how, 0)
    _assert_clipped_inside(compare_to_reference(rec, ref, fs).glitches, span, fs)


def test_clipped_notes_above_2_khz_are_a_clipped_glitch_where_they_were_clipped() -> None:
    rec, ref, span = _take(48_000, "high", 0.0, "hard 0.7", 0)
    _assert_clipped_inside(compare_to_reference(rec, ref, 48_000).glitches, span, 48_000)


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("noise_rms", [0.0, 1e-4])
@pytest.mark.parametrize(("how", "fade"), [("clean", False), ("full scale", False), ("clean", True)])
def test_music_at_full_scale_or_through_gain_changes_gives_no_glitch(fs: int, noise_rms: float, how: str,
                                                                     fade: bool) -> None:
    rec, ref, _ = _take(fs, "music", noise_rms, how, 1, fade=fade)
    gs = compare_to_reference(rec, ref, fs).glitches
    assert gs == [], [g.to_dict() for g in gs]


# ------------------------------------------------------------------------ one stretch, one glitch

WINDOW_S = 0.125  # the comparison's analysis window


def _clipped_frames(fs: int, noise_rms: float, seed: int) -> tuple[int, int]:
    """The first and last frames ``hard 0.7`` changed (the recording's clipped frames)."""
    rec, _, _ = _take(fs, "music", noise_rms, "hard 0.7", seed)
    clean, _, _ = _take(fs, "music", noise_rms, "clean", seed)
    moved = np.flatnonzero(rec != clean)
    return int(moved[0]), int(moved[-1]) + 1


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("noise_rms", [0.0, 1e-4])
@pytest.mark.parametrize("seed", [0, 2])
def test_a_hard_clipped_stretch_of_music_is_one_clipped_glitch_from_its_first_clipped_peak_to_its_last(
        fs: int, noise_rms: float, seed: int) -> None:
    """Music clips at its loud peaks only, a beat or more apart (seeds whose stretch clips
    several): one glitch from the first clipped frame to the last, each within a window."""
    rec, ref, _ = _take(fs, "music", noise_rms, "hard 0.7", seed)
    gs = compare_to_reference(rec, ref, fs).glitches
    first, last = _clipped_frames(fs, noise_rms, seed)
    w = int(WINDOW_S * fs)
    assert [g.kind for g in gs] == ["clipped"], ([g.to_dict() for g in gs], first, last)
    assert abs(gs[0].start_frame - first) <= w and abs(gs[0].end_frame - last) <= w, (gs[0].to_dict(), first, last)


@pytest.mark.parametrize("fs", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("noise_rms", [0.0, 1e-4])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_saturated_stretch_of_music_is_one_clipped_glitch_inside_it(fs: int, noise_rms: float,
                                                                      seed: int) -> None:
    """``tanh`` moves every frame of the stretch, most at the loud peaks: one ``clipped`` glitch,
    within a window of the stretch (where it starts and ends inside it follows the music's level)."""
    rec, ref, span = _take(fs, "music", noise_rms, "tanh", seed)
    gs = compare_to_reference(rec, ref, fs).glitches
    w = int(WINDOW_S * fs)
    assert [g.kind for g in gs] == ["clipped"], ([g.to_dict() for g in gs], span)
    assert span[0] - w <= gs[0].start_frame and gs[0].end_frame <= span[1] + w, (gs[0].to_dict(), span)


# ------------------------------------------------------------------- a peak clipped on its own

@pytest.mark.parametrize(("fs", "noise_rms", "how", "seed"), [
    (44_100, 0.0, "hard 0.89", 1), (44_100, 1e-4, "hard 0.89", 1), (48_000, 0.0, "hard 0.7", 1),
    (48_000, 1e-4, "hard 0.7", 1), (48_000, 0.0, "hard 0.89", 2), (48_000, 1e-4, "hard 0.89", 2)])
def test_a_peak_clipped_alone_is_named_clipped(fs: int, noise_rms: float, how: str, seed: int) -> None:
    """Clipping that touches one peak (2-4 single frames, up to 420 frames apart) left too few peak
    frames for the compressed rule's medians: a ``pop`` or an ``other`` where it was clipped. The
    recording holds one level at those frames, and the prediction over the whole band rises
    past it: one ``clipped`` glitch there."""
    rec, ref, span = _take(fs, "music", noise_rms, how, seed)
    gs = compare_to_reference(rec, ref, fs).glitches
    assert [g.kind for g in gs] == ["clipped"], [g.to_dict() for g in gs]
    _assert_clipped_inside(gs, span, fs)


def test_a_pop_at_a_peak_or_a_quantised_top_is_not_flattened() -> None:
    fit = _peaks()
    top = int(np.argmax(fit))
    popped = fit.copy()
    popped[top] -= 0.05  # one frame short of the prediction: no level held at two frames
    assert not R._flattened_span(popped, fit, top, top + 1, 48_000, 0.0)
    q = 2.0 ** -15
    quantised = np.round(fit / q) * q  # two frames alike at the top, the prediction not above them
    assert not R._flattened_span(quantised, fit, top, top + 1, 48_000, q)
    clipped = np.clip(fit, -0.6, 0.6)
    assert R._flattened_span(clipped, fit, top, top + 1, 48_000, 0.0)


@pytest.mark.parametrize("amp", [0.01, 0.003])
def test_a_pop_in_music_beside_louder_frames_stays_a_pop(amp: float) -> None:
    """Frames louder than the burst's own peak elsewhere in the window are no level it holds:
    counted as such, a 1-sample pop in music (the condition bench's 44.1 kHz take, seed 2) was
    named ``clipped``, and the bench's smallest pop found went to None."""
    from bench import bench_analysis_conditions as C

    fs = 44_100
    ref, at, d = C._program_take("music", fs, 2, list(C.REFERENCE_CONDITIONS).index("reference: music, 44.1 kHz"))
    rec = C._through(A.add_pop(ref, at, 1, amp), fs, d, 2)
    gs = compare_to_reference(rec, ref, fs).glitches
    assert [g.kind for g in gs] == ["pop"], [g.to_dict() for g in gs]


@pytest.mark.parametrize(("noise", "seed"), [("noiseless", 0), ("-80 dBFS", 0), ("-80 dBFS", 1), ("noiseless", 2)])
def test_notes_saturated_inside_the_lock_head_at_96_khz_are_compared_not_refused(noise: str, seed: int) -> None:
    """2-6 kHz notes under tanh over 0.6-1.4 s, most of the lock's 1.5 s head: the saturation
    flattens the bursts' envelopes and their lag lands 100-140 frames late, past the envelope
    lock's 96-frame reach at 96 kHz, where the carrier's peaks are too alike to choose between;
    the whitened correlation places the head 0.84-0.96 clear within 3 frames of the truth, and
    the head's first half alone places it there too. Compared, on the truth's line, with no
    glitch outside the saturated stretch (refused as inconclusive when the whitened peak was
    taken within the reach only)."""
    from bench import bench_reference_clipping as C
    cell = C.Cell(96_000, "high", noise, "tanh", seed)
    rec, ref, span = C.take(cell)
    assert span is not None
    rep = compare_to_reference(rec, ref, 96_000)
    assert abs(rep.latency_frames - C.delay_of(cell)) < 3.0, (rep.latency_frames, C.delay_of(cell))
    m = int(MARGIN_S * 96_000)
    outside = [g.to_dict() for g in rep.glitches if not span[0] - m <= g.start_frame < span[1] + m]
    assert outside == []



def test_a_saturated_heads_far_whitened_peak_is_confirmed_by_its_first_half() -> None:
    """``_phase_far_confirmed`` on the first take above, read from 120 frames past the truth
    (where its envelopes put it): the whole head's whitened peak stands 0.95 clear at the truth
    and the head's first half, unsaturated, places it at the same lag."""
    from bench import bench_reference_clipping as C
    from harness.reference_compare import _phase_far_confirmed, _phase_peak

    cell = C.Cell(96_000, "high", "noiseless", "tanh", 0)
    rec, ref, _ = C.take(cell)
    head = ref[: int(1.5 * 96_000)]
    truth = C.delay_of(cell)
    a0 = int(truth) + 120 - 192
    seg = rec[a0: int(truth) + 120 + 192 + head.size]
    phase = _phase_peak(seg, head)
    assert phase is not None and abs(a0 + phase[0] - truth) < 3.0, (phase, truth)
    assert _phase_far_confirmed(seg, head, phase)
