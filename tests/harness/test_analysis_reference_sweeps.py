"""Reference mode on sweeps through a converter's low-pass: compared where the path passes them.

A sine sweep puts its energy one frequency at a time, so past a converter's cut-off the recording
holds only the filter's stop band of it: a narrow-band remainder, tens of dB down, whose place the
filter's phase sets, not the path's delay (a carrier's period off, and more as the phase turns).
Matched there (a normalised correlation ignores the level), the delay track wandered and jumped a
period, and the comparison reported what it had made: a false pop (44.1 kHz, 0.05 fs, noiseless),
false drops and inserts (8-48 kHz under -80 dBFS of noise). The blocks whose reference lies above
the path's band edge are now not tracked: the take is compared where the path passes the sweep,
``partial`` says the rest was not, and a small pop or a drop there is still found.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from harness import analysis as A
from harness import reference_compare as R
from harness.cli import main

#: (rate, low-pass as a fraction of the rate, noise RMS, seed, delay in frames): each gave a false
#: glitch before (a pop; drops of 7 frames at 8 and 44.1 kHz; a 320-frame "other"; an insert and
#: a drop at 48 kHz)
TAKES = [
    (8_000, 0.1, 1e-4, 4, 211.83),
    (8_000, 0.2, 1e-4, 4, 211.83),
    (44_100, 0.05, 0.0, 1, 1234.4),
    (44_100, 0.1, 1e-4, 4, 211.83),
    (48_000, 0.2, 1e-4, 3, 1235.14),
]
IDS = [f"{fs}-lp{lp}-noise{n:g}-seed{s}" for fs, lp, n, s, _ in TAKES]


def _take(fs: int, lowpass: float, noise: float, seed: int, delay: float) -> tuple[np.ndarray, np.ndarray]:
    ref = A.sweep(3.0, fs, 0.5, logarithmic=False)
    rec = R.through_system(ref, fs, delay_frames=delay, gain=0.5, lowpass_hz=lowpass * fs, noise_rms=noise,
                           tail_frames=fs // 10, seed=seed)
    return ref, rec


@pytest.mark.parametrize(("fs", "lowpass", "noise", "seed", "delay"), TAKES, ids=IDS)
def test_a_clean_sweep_through_a_low_pass_gives_no_glitch_and_says_it_was_compared_in_part(
        fs: int, lowpass: float, noise: float, seed: int, delay: float) -> None:
    ref, rec = _take(fs, lowpass, noise, seed, delay)
    rep = R.compare_to_reference(rec, ref, fs)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    assert rep.partial  # the sweep's top, above the path's band, was not compared


@pytest.mark.parametrize(("fs", "lowpass", "noise", "seed", "delay"), TAKES, ids=IDS)
def test_a_small_pop_where_the_path_passes_the_sweep_is_found_alone_and_in_place(
        fs: int, lowpass: float, noise: float, seed: int, delay: float) -> None:
    """0.2 s into the sweep (20-800 Hz at 44.1-48 kHz, 20-260 Hz at 8 kHz): inside every path's band."""
    ref, rec = _take(fs, lowpass, noise, seed, delay)
    at = int(delay) + int(0.2 * fs)
    rec[at] += 0.01
    rep = R.compare_to_reference(rec, ref, fs)
    assert [(g.kind, g.start_frame) for g in rep.glitches] == [("pop", at)]


@pytest.mark.parametrize("drop", [0, 5])
def test_the_cli_says_which_stretch_of_a_sweep_past_a_low_pass_was_not_analysed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], drop: int) -> None:
    """A linear sweep through 0.05 fs at 44.1 kHz is followed only while the path passes it (its
    first ~0.3 s): a drop past that is never seen. The stretch not compared is said on every
    verdict, with a glitch found too (a 5-frame drop 0.1 s in, exit 1), not only when none was
    (exit 3, inconclusive)."""
    fs, delay = 44_100, 1234.4
    ref, rec = _take(fs, 0.05, 0.0, 1, delay)
    if drop:
        rec = A.drop_frames(rec, int(delay) + int(0.1 * fs), drop)
    A.write_wav(tmp_path / "ref.wav", ref, fs, "float32")
    A.write_wav(tmp_path / "rec.wav", rec, fs, "float32")
    code = main(["analyze", "glitches", str(tmp_path / "rec.wav"), "--reference", str(tmp_path / "ref.wav")])
    err = capsys.readouterr().err
    assert code == (1 if drop else 3), err
    m = re.search(r"not analysed: first (\d+) ms and last (\d+) ms of the recording", err)
    assert m is not None, err
    assert int(m.group(2)) > 2000, err  # the sweep's last 2.7 s, past the band
    # inside the span, a 1-frame drop of one swept tone that ends the followed span (the track
    # lost at it) is not found: a clean verdict on a sweep covers less there, and the message
    # says so
    assert "1-frame drop of a single swept tone can go unseen inside the span" in err, err


@pytest.mark.parametrize("drop", [1, 2])
def test_a_1_frame_drop_0_2_s_into_a_sweep_through_a_low_pass_is_found(drop: int) -> None:
    """A linear sweep through 0.05 fs at 44.1 kHz, noiseless, 1 (or 2) frames dropped 0.2 s in
    (the sweep at 1.34 kHz, inside the followed span and the judged band). The track has one
    firm point after the drop before the followed span ends (13541), too few for a step; the
    window's fit (a 49-tap filter and its change over the window) took the tone's 0.19 rad phase
    step into its response, which for a sweep is a response over time, and spread the rest over
    the window: the drop's peak of 0.024 stood at 5.1 of the window's sigmas, under the judge's
    6.6, and neither was found. The window's residual peak is now tested for a step the track
    did not see (``_hidden_step``): one filter through "the line, then the line a frame on"
    leaves 2e-6 there, through the line alone 0.15."""
    fs, delay = 44_100, 1234.4
    ref, rec = _take(fs, 0.05, 0.0, 1, delay)
    at = int(delay) + int(0.2 * fs)
    rep = R.compare_to_reference(A.drop_frames(rec, at, drop), ref, fs)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", drop)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 10 + rep.glitches[0].position_uncertainty_frames


@pytest.mark.parametrize("drop", [5, 9])
def test_a_longer_drop_0_2_s_into_a_sweep_is_found_where_the_path_delays_it_more_each_block(drop: int) -> None:
    """The same sweep, 5 (or 9) frames dropped 0.2 s in. The block holding the drop matches
    nowhere; the three after it read 4.3, 3.3, 2.3 frames under the line before it (the sweep
    nears the 0.05 fs cut-off, and the converter delays it more at each block), so no level was
    confirmed against that line, each was skipped as a bad point, and the followed span ended at
    the drop: nothing found. They lie on one line of their own: the step is taken, and the
    recording confirms it. The undamaged twin gives nothing."""
    fs, delay = 44_100, 1234.4
    ref, rec = _take(fs, 0.05, 0.0, 1, delay)
    assert R.compare_to_reference(rec, ref, fs).glitches == []
    at = int(delay) + int(0.2 * fs)
    rep = R.compare_to_reference(A.drop_frames(rec, at, drop), ref, fs)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", drop)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 10 + rep.glitches[0].position_uncertainty_frames


def _short_take(drop: int, at: int = 7662) -> tuple[np.ndarray, np.ndarray, int]:
    """A 2 s linear sweep through 0.05 fs at 44.1 kHz, noiseless, delay 1138.49, with ``drop``
    frames dropped at recording frame ``at`` (7662: 0.148 s in, the sweep at 1.5 kHz, the
    converter's phase turning faster at each block): the reference, the recording and the drop's
    recording frame."""
    fs, delay = 44_100, 1138.49
    ref = A.sweep(2.0, fs, 0.5, logarithmic=False)
    rec = R.through_system(ref, fs, delay_frames=delay, gain=0.5, lowpass_hz=0.05 * fs, tail_frames=fs // 10,
                           seed=0)
    return ref, (A.drop_frames(rec, at, drop) if drop else rec), at


@pytest.mark.parametrize("drop", [2, 5])
def test_a_drop_where_the_track_rises_with_the_converters_curve_is_found(drop: int) -> None:
    """The track follows the converter's phase at the sweep's frequency: 1154.72, 1154.92,
    1155.37, 1156.24, 1157.91, 1159.12 undamaged, rising faster at each block. With 2 frames
    dropped the block holding the drop read 1154.51 and the two after it 1155.91, 1157.12, on the
    curve's rise: one line (150 ppm) took them all, the block was 1.1 off it, the window's
    residual peaked at the span's first frames and the drop's 3.7 sigmas were never tested. A
    block off its line now nominates its own residual peak to the hidden-step test. With 5
    dropped the block holding it matched (3.8 under the line, the two after 3.1 and 2.2): the
    three were skipped as bad points and the followed span ended before the drop; they lie on a
    line of their own, turning on the way the old one turned, on the side a steepening curve
    never reaches: a step. The undamaged take gives nothing."""
    ref, clean, _at = _short_take(0)
    assert R.compare_to_reference(clean, ref, 44_100).glitches == []
    ref, rec, at = _short_take(drop)
    rep = R.compare_to_reference(rec, ref, 44_100)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", drop)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 10 + rep.glitches[0].position_uncertainty_frames


@pytest.mark.parametrize("at", [6700, 7000])
def test_a_drop_in_the_half_block_before_a_block_off_its_line_is_tested_for_a_hidden_step(at: int) -> None:
    """The short take's sweep, 2 frames dropped 0.13 s in. A drop inside a block or in the half
    block before it moves that block's delay off its line, so the stretch tested for a hidden step
    (``_off_line_blocks``) opens a block before the block's centre, half a block before its first
    frame: opened at its first frame, nothing was reported at either place. Found here, alone and
    in place; the undamaged take gives nothing (the test above)."""
    ref, rec, at = _short_take(2, at)
    rep = R.compare_to_reference(rec, ref, 44_100)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", 2)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 10 + rep.glitches[0].position_uncertainty_frames


@pytest.mark.parametrize("at", [6400, 7900])
def test_a_1_frame_drop_whose_straddling_block_reads_off_the_line_is_found(at: int) -> None:
    """The 3 s sweep through 0.05 fs at 44.1 kHz (1234.4 frames of delay, noiseless), 1 frame
    dropped 0.12 or 0.15 s in. The block that straddles a 1-frame step reads part of the way to
    the new level, more than ``_STRADDLE`` off the line but under ``_STEP_MIN``: it is taken into
    the line but left out of the line's fit (``_lines``' loose points). Fitted, it bends the line
    toward the blocks after it, which then lie under ``_STEP_MIN`` off it, and at both places
    nothing was reported. Found here, alone and in place."""
    fs, delay = 44_100, 1234.4
    ref, rec = _take(fs, 0.05, 0.0, 1, delay)
    rep = R.compare_to_reference(A.drop_frames(rec, at, 1), ref, fs)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", 1)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 10 + rep.glitches[0].position_uncertainty_frames


def _noisy_short_take(seed: int, delay: float) -> tuple[np.ndarray, np.ndarray]:
    """A 2 s linear sweep through a 0.05 fs low-pass at 44.1 kHz under -80 dBFS of noise (the
    takes of ``bench/bench_sweep_drops.py --rates 44100 --lowpasses 0.05``): (reference, recording)."""
    fs = 44_100
    ref = A.sweep(2.0, fs, 0.5, logarithmic=False)
    return ref, R.through_system(ref, fs, delay_frames=delay, gain=0.5, lowpass_hz=0.05 * fs, noise_rms=1e-4,
                                 tail_frames=fs // 10, seed=seed)


@pytest.mark.parametrize(("seed", "delay", "at", "drop"), [
    (0, 1476.11, 8379, 2), (2, 1719.45, 8448, 2), (4, 1243.44, 8567, 2), (2, 1719.45, 8448, 5),
    (10, 1048.04, 7732, 5)], ids=["seed0-drop2", "seed2-drop2", "seed4-drop2", "seed2-drop5", "seed10-drop5"])
def test_a_drop_on_the_converters_curve_gives_no_false_pop_at_the_sweeps_fade_in(seed: int, delay: float, at: int,
                                                                                   drop: int) -> None:
    """The drop shortens the followed span to one window (0.23 s), in which the sweep passes each
    frequency once: a band excited at one time only leaves the split of its gain between the
    window's filter and its change free, the drop's splice (the one other broadband time) is out
    of the fit, and the sweep's 5 ms fade-in met gains of 40-260 above 2 kHz as a pop of 1-32
    frames 200 frames into the span, beside the drop or (seed 4, whose drop the pop kept from
    being tested) alone. The window is cut at the drop, a drop the track saw or one the
    hidden-step test placed. The undamaged take gives nothing; the damaged one the drop alone."""
    ref, clean = _noisy_short_take(seed, delay)
    assert R.compare_to_reference(clean, ref, 44_100).glitches == []
    rep = R.compare_to_reference(A.drop_frames(clean, at, drop), ref, 44_100)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", drop)], [g.to_dict() for g in rep.glitches]
    assert abs(rep.glitches[0].start_frame - at) <= 10 + rep.glitches[0].position_uncertainty_frames


@pytest.mark.parametrize(("seed", "delay", "noise", "at"), [
    (1, 751.97, 1e-4, 6658), (2, 1719.45, 1e-4, 8448), (5, 305.02, 1e-4, 6508), (9, 1472.43, 1e-4, 7687),
    (14, 228.54, 0.0, 6590), (16, 1928.56, 1e-4, 9532)], ids=["seed1", "seed2", "seed5", "seed9", "seed14", "seed16"])
def test_a_1_frame_drop_on_the_converters_curve_is_found_and_placed_within_tens_of_frames(
        seed: int, delay: float, noise: float, at: int) -> None:
    """The 1-frame drops of ``bench/bench_sweep_drops.py --rates 44100 --lowpasses 0.05`` the
    hidden-step test missed or misplaced. Seeds 1 and 2: placed 1045 and 1017 frames late (the
    unfiltered split's likelihood interval reached the end of its reach, its best split 2 and 1
    frames short of it), and at seed 1 the filter's split 23 frames late (the error over the split
    has valleys a sweep's half period apart; halving settled in the wrong one). Seeds 5, 9, 14, 16:
    nothing, the window's one suspect the sweep's fade-in, under the threshold and no step. The
    undamaged take gives nothing; the damaged one the drop alone, its stated uncertainty tens of
    frames at most."""
    fs = 44_100
    ref = A.sweep(2.0, fs, 0.5, logarithmic=False)
    clean = R.through_system(ref, fs, delay_frames=delay, gain=0.5, lowpass_hz=0.05 * fs, noise_rms=noise,
                             tail_frames=fs // 10, seed=seed)
    assert R.compare_to_reference(clean, ref, fs).glitches == []
    rep = R.compare_to_reference(A.drop_frames(clean, at, 1), ref, fs)
    assert [(g.kind, g.size_frames) for g in rep.glitches] == [("dropped", 1)], [g.to_dict() for g in rep.glitches]
    g = rep.glitches[0]
    assert g.position_uncertainty_frames <= 32, g.to_dict()
    assert abs(g.start_frame - at) <= 10 + g.position_uncertainty_frames, g.to_dict()


@pytest.mark.parametrize("window_s", [0.25, 0.5])
@pytest.mark.parametrize(("seed", "delay", "noise"), [(0, 1476.11, 1e-4), (2, 1719.45, 1e-4), (14, 228.54, 0.0)],
                         ids=["seed0", "seed2", "seed14"])
def test_a_clean_sweep_through_a_steep_low_pass_judged_in_long_windows_gives_no_pop_at_its_fade_in(
        seed: int, delay: float, noise: float, window_s: float) -> None:
    """Judged in 0.25 s or 0.5 s windows (a run's program check judges 0.5 s), the followed span
    of a linear sweep through 0.05 fs is one window, which passes each frequency once: a band
    excited at one time only leaves the split between the filter and its change free, and the
    sweep's 5 ms fade-in met gains of 40-260 as a 1-frame ``pop`` 235 frames into the span, on
    every such take of the bench. A short burst a long window hears is judged again in a window
    of the standalone length about it (``_confirmed``). A 0.05 pop 6000 frames on is still found,
    alone."""
    fs = 44_100
    ref = A.sweep(2.0, fs, 0.5, logarithmic=False)
    clean = R.through_system(ref, fs, delay_frames=delay, gain=0.5, lowpass_hz=0.05 * fs, noise_rms=noise,
                             tail_frames=fs // 10, seed=seed)
    rep = R.compare_to_reference(clean, ref, fs, window_s=window_s)
    assert rep.glitches == [], [g.to_dict() for g in rep.glitches]
    at = int(delay) + 6000
    rep = R.compare_to_reference(A.add_pop(clean, at, amplitude=0.05), ref, fs, window_s=window_s)
    assert [(g.kind, g.start_frame) for g in rep.glitches] == [("pop", at)], [g.to_dict() for g in rep.glitches]
