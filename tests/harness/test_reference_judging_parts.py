"""The reference comparison's judging parts on crafted inputs whose right answer is known.

``_compressed_span`` (is a burst the recording short of the prediction at its peaks only?),
``_silenced_rows`` (which rows of a window the recording fell silent in) and ``_classify`` (what
each burst of residual is called) decide what a run's reference report says. Their end-to-end
tests go through the whole comparison on seeded music, where a threshold moved by a hair or a
bound off by one frame still gives the same report. Here each input is built so that one frame,
one threshold at equality or one branch decides the answer, and every value is a power of two
(or an integer) so the arithmetic is exact: a comparison that says "alike" when it is not is a
silent pass, one that names a glitch on identical input a false alarm.
"""

from __future__ import annotations

import numpy as np
import pytest

from harness import reference_compare as R
from harness.reference_compare import ReferenceGlitch

# ---------------------------------------------------------------------------------------------
# _compressed_span: fs 1000 Hz, so the reach each side of the burst is int(5e-3 * 1000) = 5 frames


def _peaks_and_middle(top: list[float], top_short: float, mid: list[float], mid_short: float,
                      pad: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A prediction of the given peak and middling frames (and ``pad`` zero frames each side),
    and the residual of a recording ``top_short`` (``mid_short``) of it short there."""
    f = np.array([0.0] * pad + top + mid + [0.0] * pad)
    short = np.array([0.0] * pad + [top_short] * len(top) + [mid_short] * len(mid) + [0.0] * pad)
    return -short * f, f  # e = recording - prediction = -(shortfall share) * prediction


def test_a_burst_short_at_its_peaks_only_is_compressed_and_a_level_drop_is_not() -> None:
    e, f = _peaks_and_middle([1.0, -1.0, 1.0, -1.0], 0.25, [0.5, -0.5], 0.0)
    assert R._compressed_span(e, f, 0, 6, 1000) is True  # both signs of peak read alike
    # the same share off the peaks and the middle: a gain step, not clipping
    e, f = _peaks_and_middle([1.0, -1.0, 1.0, -1.0], 0.25, [0.5, -0.5], 0.25)
    assert R._compressed_span(e, f, 0, 6, 1000) is False
    # the recording over the prediction at its peaks: nothing clipped
    e, f = _peaks_and_middle([1.0, -1.0, 1.0, -1.0], -0.25, [0.5, -0.5], 0.0)
    assert R._compressed_span(e, f, 0, 6, 1000) is False


def test_the_least_shortfall_and_the_ratio_hold_at_equality_and_both_are_needed() -> None:
    # the least shortfall: 1/64 over the middle's 0 ... (1/64 over a middle of 1/128 fails)
    e, f = _peaks_and_middle([1.0] * 4, 0.015625, [0.5], 0.0)
    assert R._compressed_span(e, f, 0, 5, 1000) is (0.015625 >= R._COMPRESSED_LEAST)
    # exactly the least over the middle (0.01 + 0): compressed
    e, f = _peaks_and_middle([1.0] * 4, 0.01, [0.5], 0.0)
    assert R._compressed_span(e, f, 0, 5, 1000) is True
    # the ratio at equality: peaks 0.5 short, middle 0.25 (0.5 >= 0.01 + 0.25 and 0.5 >= 2 * 0.25)
    e, f = _peaks_and_middle([1.0] * 4, 0.5, [0.5], 0.25)
    assert R._compressed_span(e, f, 0, 5, 1000) is True
    # the ratio alone failing (0.5 < 2 * 0.3125) while the least holds (0.5 >= 0.3225): not
    e, f = _peaks_and_middle([1.0] * 4, 0.5, [0.5], 0.3125)
    assert R._compressed_span(e, f, 0, 5, 1000) is False
    # the least alone failing (0.0078125 < 0.01) while the ratio holds (middle negative): not
    e, f = _peaks_and_middle([1.0] * 4, 0.0078125, [0.5], -0.25)
    assert R._compressed_span(e, f, 0, 5, 1000) is False
    # a middle that reads negative (the fit's gain lowered) counts as 0 in the least, not less
    e, f = _peaks_and_middle([1.0] * 4, 0.0078125, [0.5], -0.5)
    assert R._compressed_span(e, f, 0, 5, 1000) is False


def test_the_peak_and_middle_shares_hold_at_their_edges() -> None:
    # 0.8 of the peak is a peak frame: four of them beside an unclipped 1.0 still read clipped
    e, f = _peaks_and_middle([1.0, 0.8, -0.8, 0.8, -0.8], 0.25, [0.5], 0.0)
    e[0] = 0.0
    assert R._compressed_span(e, f, 0, 6, 1000) is True
    # 0.75 of the peak is none: the one peak frame is too few
    e, f = _peaks_and_middle([1.0, 0.75, -0.75, 0.75, -0.75], 0.25, [0.5], 0.0)
    assert R._compressed_span(e, f, 0, 6, 1000) is False
    # the middle's edges, 0.2 and 0.5 of the peak, are middling frames: without one there is no
    # middle and nothing is named
    for m in (0.2, 0.5, -0.2, -0.5):
        e, f = _peaks_and_middle([1.0] * 4, 0.25, [m], 0.0)
        assert R._compressed_span(e, f, 0, 5, 1000) is True, m
    for m in (0.1875, 0.5625):
        e, f = _peaks_and_middle([1.0] * 4, 0.25, [m], 0.0)
        assert R._compressed_span(e, f, 0, 5, 1000) is False, m


def test_four_peak_frames_are_enough_and_three_are_not() -> None:
    e, f = _peaks_and_middle([1.0] * 4, 0.25, [0.25], 0.0)
    assert R._compressed_span(e, f, 0, 5, 1000) is True
    e, f = _peaks_and_middle([1.0] * 3, 0.25, [0.25], 0.0)
    assert R._compressed_span(e, f, 0, 4, 1000) is False


def test_the_window_reaches_five_frames_each_side_of_the_burst_and_no_further() -> None:
    # frames 0-3: four clipped peaks, frame 4 a middling one, then 10 frames of nothing; the
    # window is [i0 - 5, i1 + 5), cut to the array
    e, f = _peaks_and_middle([1.0] * 4, 0.25, [0.25], 0.0)
    e, f = np.concatenate([e, np.zeros(10)]), np.concatenate([f, np.zeros(10)])
    assert R._compressed_span(e, f, 5, 12, 1000) is True  # [0, 15): every peak and the middle
    assert R._compressed_span(e, f, 6, 12, 1000) is False  # [1, 15): three peaks left
    # after the burst: the middling frame at 9, the peaks at 10-13
    e2 = np.concatenate([np.zeros(9), e[4:5], e[:4], np.zeros(5)])
    f2 = np.concatenate([np.zeros(9), f[4:5], f[:4], np.zeros(5)])
    assert R._compressed_span(e2, f2, 0, 9, 1000) is True  # [0, 14): all four peaks
    assert R._compressed_span(e2, f2, 0, 8, 1000) is False  # [0, 13): three of them
    assert R._compressed_span(e2, f2, 12, 14, 1000) is True  # [7, 18)
    assert R._compressed_span(e2, f2, 15, 19, 1000) is False  # [10, 18): the middle left out


def test_a_window_with_no_prediction_is_never_compressed() -> None:
    z = np.zeros(12)
    assert R._compressed_span(z - 0.5, z, 2, 8, 1000) is False
    assert R._compressed_span(np.zeros(0), np.zeros(0), 0, 0, 1000) is False


# ---------------------------------------------------------------------------------------------
# _silenced_rows: fs 48 kHz, so a hop is max(8, round(48000 / 1500)) = 32 frames. The reference's
# rows are +-1 (every hop's RMS 1), the recording is the reference with chosen frames zeroed:
# every mean square is a whole number of frames over a power of two


_FS = 48_000
_HOP = 32
_HALF = R.FIR_TAPS // 2
_JUDGE = np.ones(9)  # only its size is read: the reach is 9 // 2 + FIR_TAPS frames each side
_REACH = 9 // 2 + R.FIR_TAPS


def _normal(ref_rows: np.ndarray, rec_rows: np.ndarray, t0: int = 7) -> R._PathNormal:
    """A window whose rows ``t0..t0 + n`` hold ``ref_rows`` (the reference at each row's centre
    tap) and ``rec_rows`` (the recording); the fit's own matrices are never read here."""
    n = ref_rows.size
    pl = np.zeros(t0 + n + R.FIR_TAPS + 3)
    pl[_HALF + t0: _HALF + t0 + n] = ref_rows
    target = np.zeros(t0 + n + 3)
    target[t0: t0 + n] = rec_rows
    return R._PathNormal(pl, target, np.zeros(target.size), np.zeros((target.size, 0)), np.zeros((1, 1)),
                         np.zeros(1), t0, t0 + n, _JUDGE)


def _loud(n: int) -> np.ndarray:
    return np.where(np.arange(n) % 2 == 0, 1.0, -1.0)


def _muted(x: np.ndarray, a: int, b: int) -> np.ndarray:
    y = x.copy()
    y[a:b] = 0.0
    return y


def test_identical_rows_and_a_quiet_reference_leave_nothing_out() -> None:
    ref = _loud(1024)
    assert R._silenced_rows(_normal(ref, ref), _FS) == []
    assert R._silenced_rows(_normal(ref, 0.5 * ref), _FS) == []  # a gain is no mute
    # the reference silent where the recording is: nothing was muted there
    assert R._silenced_rows(_normal(_muted(ref, 320, 400), _muted(ref, 320, 400)), _FS) == []


def test_a_mute_of_whole_hops_is_left_out_with_the_filters_reach_each_side() -> None:
    ref = _loud(1024)
    t0 = 7
    rows = R._silenced_rows(_normal(ref, _muted(ref, 320, 384), t0), _FS)  # hops 10 and 11
    assert rows == list(range(t0 + 320 - _REACH, t0 + 384 + _REACH))


def test_a_mute_shorter_than_two_hops_is_found_by_the_centred_spans() -> None:
    # 40 frames, 100-139: no hop is silent whole; the spans centred on 116-124 are
    ref = _loud(1024)
    rows = R._silenced_rows(_normal(ref, _muted(ref, 100, 140), 7), _FS)
    assert rows == list(range(7 + 100 - _REACH, 7 + 140 + _REACH))
    # 31 frames: no span of a hop is silent whole, and the hops around it are not silent
    assert R._silenced_rows(_normal(ref, _muted(ref, 100, 131), 7), _FS) == []
    # 32 frames not on a hop's bounds: one centred span exactly
    rows = R._silenced_rows(_normal(ref, _muted(ref, 100, 132), 7), _FS)
    assert rows == list(range(7 + 100 - _REACH, 7 + 132 + _REACH))


def test_a_mute_at_the_windows_start_reaches_no_further_back_than_its_first_hop() -> None:
    ref = _loud(1024)
    rows = R._silenced_rows(_normal(ref, _muted(ref, 0, 40), 7), _FS)
    assert rows == list(range(7 - _REACH, 7 + 40 + _REACH))
    rows = R._silenced_rows(_normal(ref, _muted(ref, 984, 1024), 7), _FS)
    assert rows == list(range(7 + 984 - _REACH, 7 + 1024 + _REACH))


def test_the_last_hop_is_judged_by_the_hops_alone_against_the_windows_gain() -> None:
    # the window's last hop (992-1023 of 1024 rows) has no centred span wholly inside the
    # window, so only the hops' rule (under 0.02 of what the gain makes of the reference) finds
    # a mute there; the recording is at half the reference's level, so the gain is not 1
    ref = _loud(1024)
    rec = 0.5 * ref
    quiet = rec.copy()
    quiet[992:] = ref[992:] / 256  # 1/128 of the recording's level there: silenced
    assert R._silenced_rows(_normal(ref, quiet, 7), _FS) == list(range(7 + 992 - _REACH, 7 + 1024 + _REACH))
    loudish = rec.copy()
    loudish[992:] = ref[992:] / 64  # 1/32 of it (over 0.02 but under the spans' 0.1): not
    assert R._silenced_rows(_normal(ref, loudish, 7), _FS) == []
    # the same 1/32 inside the window is under the centred spans' 0.1: silenced
    inside = rec.copy()
    inside[320:352] = ref[320:352] / 64
    assert R._silenced_rows(_normal(ref, inside, 7), _FS) == list(range(7 + 320 - _REACH, 7 + 352 + _REACH))
    # ... and at 1/8 of it (over 0.1) not
    inside[320:352] = ref[320:352] / 16
    assert R._silenced_rows(_normal(ref, inside, 7), _FS) == []


def test_only_a_loud_reference_makes_a_silence_a_mute() -> None:
    # a reference hop at 1/8 of the window's RMS is loud (over 0.1), at 1/16 it is not; for the
    # hops' rule (the last hop) and for the centred spans (inside) alike
    ref = _loud(1024)
    for a, b in ((992, 1024), (320, 352)):
        for level, found in ((0.125, True), (0.0625, False)):
            r = ref.copy()
            r[a:b] *= level
            got = R._silenced_rows(_normal(r, _muted(r, a, b), 7), _FS)
            assert got == (list(range(7 + a - _REACH, 7 + b + _REACH)) if found else []), (a, level)


def test_a_window_of_fewer_than_four_hops_is_never_judged() -> None:
    ref = _loud(96)
    assert R._silenced_rows(_normal(ref, np.zeros(96), 7), _FS) == []
    ref = _loud(128)
    assert R._silenced_rows(_normal(ref, _muted(ref, 32, 64), 7), _FS) == list(range(7 + 32 - _REACH, 7 + 64 + _REACH))


# ---------------------------------------------------------------------------------------------
# _classify: fs 1000 Hz, so bursts 20 frames apart are one glitch, a step within 80 frames of a
# burst is its cause, a pop is at most one frame long and a clipped stretch takes in what lies
# within 1000 frames of it. The recording is 0.5 everywhere but where a test silences it; the
# track is one line, reference frame = recording frame - 2


_CFS = 1000
_LINE = [(0, 10_000, 2.0, 0.0)]


def _recording(silent: tuple[tuple[int, int], ...] = (), n: int = 5000) -> np.ndarray:
    x = np.full(n, 0.5)
    for a, b in silent:
        x[a:b] = 0.0
    return x


def _reader(x: np.ndarray):  # noqa: ANN202 - the comparison's reader: zeros past the ends
    def rec(a: int, b: int) -> np.ndarray:
        out = np.zeros(max(b - a, 0))
        lo, hi = max(a, 0), min(b, x.size)
        if hi > lo:
            out[lo - a: hi - a] = x[lo:hi]
        return out
    return rec


def _classify(events, steps=(), x=None, lines=_LINE, bounds=(0,), fs=_CFS, quiet=1e-3, **kw):  # noqa: ANN001, ANN202
    x = _recording() if x is None else x
    # the reference as played: 0.5 throughout (and a second past the recording's end), what the
    # silenced stretches of the recording lack
    return R._classify(list(events), list(steps), list(lines), list(bounds), _reader(x),
                       _reader(np.full(x.size + fs, 0.5)), 1, fs, quiet, **kw)


def G(s: int, e: int, kind: str, size: int, pk: float, ref: float, unc: int = 0) -> ReferenceGlitch:
    return ReferenceGlitch(s, e, kind, size, pk, ref, unc)  # type: ignore[arg-type]


def test_no_burst_and_no_step_is_no_glitch() -> None:
    assert _classify([]) == []


def test_a_burst_is_a_pop_up_to_one_frame_and_other_beyond() -> None:
    assert _classify([(100, 101, 0.25, 1, False, False)]) == [G(100, 101, "pop", 1, 0.25, 98.0)]
    assert _classify([(100, 102, 0.25, 2, False, False)]) == [G(100, 102, "other", 2, 0.25, 98.0)]
    assert _classify([(100, 140, 0.25, 7, False, False)]) == [G(100, 140, "other", 40, 0.25, 98.0)]


def test_bursts_twenty_frames_apart_are_one_glitch_and_twenty_one_are_two() -> None:
    got = _classify([(130, 140, 0.5, 2, False, False), (100, 110, 0.25, 3, False, False)])  # any order
    assert got == [G(100, 140, "other", 40, 0.5, 98.0)]
    got = _classify([(100, 110, 0.25, 3, False, False), (131, 140, 0.5, 2, False, False)])
    assert got == [G(100, 110, "other", 10, 0.25, 98.0), G(131, 140, "other", 9, 0.5, 129.0)]
    # a burst inside the one before does not shorten it, nor a lower peak lower it
    got = _classify([(100, 140, 0.5, 3, False, False), (105, 110, 0.25, 2, False, False)])
    assert got == [G(100, 140, "other", 40, 0.5, 98.0)]
    # the frames over the threshold add up: a pop and a pop beside it are two frames' worth
    got = _classify([(100, 101, 0.25, 1, False, True), (110, 111, 0.25, 1, False, True)])
    assert got == [G(100, 111, "clipped", 2, 0.25, 98.0)]


def test_a_burst_short_at_its_peaks_is_clipped_unless_a_larger_one_beside_it_is_not() -> None:
    assert _classify([(100, 140, 0.5, 7, False, True)]) == [G(100, 140, "clipped", 7, 0.5, 98.0)]
    # the compressed burst's peak equal to the other's: clipped
    got = _classify([(100, 110, 0.5, 3, False, True), (120, 140, 0.5, 2, False, False)])
    assert got == [G(100, 140, "clipped", 5, 0.5, 98.0)]
    # the other burst departs more: the fit bent, not a clipped stretch
    got = _classify([(100, 110, 0.25, 3, False, True), (120, 140, 0.5, 2, False, False)])
    assert got == [G(100, 140, "other", 40, 0.5, 98.0)]
    got = _classify([(120, 140, 0.5, 2, False, False), (100, 110, 0.25, 3, False, True)])
    assert got == [G(100, 140, "other", 40, 0.5, 98.0)]


def test_a_mute_is_widened_over_the_silence_around_its_burst() -> None:
    x = _recording(((1000, 1100),))
    want = [G(1000, 1100, "mute", 100, 0.5, 998.0)]
    assert _classify([(1010, 1020, 0.5, 10, True, False)], x=x) == want
    # not flagged silent, but two or more quiet frames in a row in the burst: a mute too
    assert _classify([(1010, 1020, 0.5, 10, False, False)], x=x) == want
    x1 = _recording(((1000, 1002),))
    # the burst runs 3 frames past the silence: the mute ends where the recording sounds again
    assert _classify([(1000, 1005, 0.5, 5, False, False)], x=x1) == [G(1000, 1002, "mute", 2, 0.5, 998.0)]
    x1 = _recording(((1000, 1001),))  # one quiet frame is no mute
    assert _classify([(1000, 1005, 0.5, 5, False, False)], x=x1) == [G(1000, 1005, "other", 5, 0.5, 998.0)]


def test_a_mute_is_silent_only_if_every_merged_burst_is() -> None:
    x = _recording(((1000, 1001),))
    got = _classify([(1000, 1005, 0.5, 2, True, False), (1010, 1020, 0.5, 3, False, False)], x=x)
    assert got == [G(1000, 1020, "other", 20, 0.5, 998.0)]
    got = _classify([(1000, 1005, 0.5, 2, True, False), (1010, 1020, 0.5, 3, True, False)], x=x)
    assert got[0].kind == "mute"


def test_a_lone_noisy_frame_does_not_end_a_silence_and_two_do() -> None:
    x = _recording(((1000, 1100),))
    x[1050] = 0.5
    assert _classify([(1010, 1020, 0.5, 10, True, False)], x=x) == [G(1000, 1100, "mute", 100, 0.5, 998.0)]
    x[1051] = 0.5
    assert _classify([(1010, 1020, 0.5, 10, True, False)], x=x) == [G(1000, 1050, "mute", 50, 0.5, 998.0)]
    # the silence's level: quiet under 0.02 of the burst's peak (0.01 here), not at it
    x = _recording(((1000, 1100),))
    x[1030:1040] = 0.0099
    assert _classify([(1010, 1020, 0.5, 10, True, False)], x=x) == [G(1000, 1100, "mute", 100, 0.5, 998.0)]
    x[1030:1040] = 0.01
    assert _classify([(1010, 1020, 0.5, 10, True, False)], x=x) == [G(1000, 1030, "mute", 30, 0.5, 998.0)]


def test_a_mute_is_centred_on_the_silence_inside_its_burst() -> None:
    # the burst starts before the silence: the widening starts from its first silent frame
    x = _recording(((1000, 1100),))
    assert _classify([(990, 1010, 0.5, 10, True, False)], x=x) == [G(990, 1100, "mute", 100, 0.5, 988.0)]
    # a burst with no silent frame in it, flagged silent: left as the burst, widened from its start
    x = _recording(((1000, 1100),))
    assert _classify([(1200, 1210, 0.5, 10, True, False)], x=x) == [G(1200, 1210, "mute", 0, 0.5, 1198.0)]


def test_a_mute_reaches_half_a_second_each_side_and_never_past_the_recording() -> None:
    x = _recording(((1000, 2600),))
    # the silence goes on past 500 frames after the burst: the widening stops there
    assert _classify([(1500, 1510, 0.5, 10, True, False)], x=x) == [G(1000, 2010, "mute", 1010, 0.5, 998.0)]
    x = _recording(((4900, 5000),))
    # the reader pads with zeros past the end: without the recording's length they read as more
    # silence, with it they do not
    assert _classify([(4910, 4920, 0.5, 10, True, False)], x=x) == [G(4900, 5420, "mute", 520, 0.5, 4898.0)]
    assert _classify([(4910, 4920, 0.5, 10, True, False)], x=x, rec_frames=5000) == [
        G(4900, 5000, "mute", 100, 0.5, 4898.0)]
    # a burst reaching past the recording's given length is not cut short
    assert _classify([(4910, 4920, 0.5, 10, True, False)], x=x, rec_frames=4915) == [
        G(4900, 4920, "mute", 20, 0.5, 4898.0)]


def test_one_silence_longer_than_a_window_is_one_mute() -> None:
    x = _recording(((1000, 1100),))
    got = _classify([(1005, 1010, 0.25, 5, True, False), (1060, 1070, 0.5, 10, True, False)], x=x)
    assert got == [G(1000, 1100, "mute", 100, 0.5, 998.0)]
    # a mute after a mute it does not overlap stays apart
    x = _recording(((1000, 1100), (1300, 1400)))
    got = _classify([(1005, 1010, 0.25, 5, True, False), (1360, 1370, 0.5, 10, True, False)], x=x)
    assert got == [G(1000, 1100, "mute", 100, 0.25, 998.0), G(1300, 1400, "mute", 100, 0.5, 1298.0)]
    # one loud frame between two silences is a lone noisy frame: one silence, one mute
    x = _recording(((1000, 1100), (1101, 1200)))
    got = _classify([(1005, 1010, 0.25, 5, True, False), (1160, 1170, 0.5, 10, True, False)], x=x)
    assert got == [G(1000, 1200, "mute", 200, 0.5, 998.0)]
    # two loud frames part them: two mutes, though the first mute's burst reaches the second
    # silence's first frame (1102): the first ends where the recording sounds again (1100)
    x = _recording(((1000, 1100), (1102, 1200)))
    got = _classify([(1005, 1102, 0.25, 5, True, False), (1160, 1170, 0.5, 10, True, False)], x=x)
    assert got == [G(1000, 1100, "mute", 100, 0.25, 998.0), G(1102, 1200, "mute", 98, 0.5, 1100.0)]
    got = _classify([(1005, 1101, 0.25, 5, True, False), (1160, 1170, 0.5, 10, True, False)], x=x)
    assert got == [G(1000, 1100, "mute", 100, 0.25, 998.0), G(1102, 1200, "mute", 98, 0.5, 1100.0)]


def test_a_step_beside_a_burst_names_it_at_the_steps_frame() -> None:
    burst = [(100, 140, 0.25, 7, False, False)]
    # the track lost 3 frames: dropped, placed where the track steps, with the step's uncertainty
    assert _classify(burst, [(120, 0.0, -3.0)], spans=[6]) == [G(120, 140, "dropped", 3, 0.25, 118.0, 6)]
    assert _classify(burst, [(120, 0.0, -3.0)]) == [G(120, 140, "dropped", 3, 0.25, 118.0, 0)]
    # a jump of 2.6 frames rounds to 3; of 0.4 it is still one frame at least
    assert _classify(burst, [(120, 1.0, -1.6)]) == [G(120, 140, "dropped", 3, 0.25, 118.0)]
    assert _classify(burst, [(120, 1.0, 0.6)]) == [G(120, 140, "dropped", 1, 0.25, 118.0)]
    # a step at the burst's end still ends one frame after it
    assert _classify(burst, [(140, 0.0, -3.0)]) == [G(140, 141, "dropped", 3, 0.25, 138.0)]
    # repeated frames played again (the recording not silent there)
    assert _classify(burst, [(120, 0.0, 5.0)], spans=[4]) == [G(120, 140, "repeated", 5, 0.25, 118.0, 4)]


def test_a_step_is_the_bursts_cause_within_twenty_frames_and_its_size_of_it_and_not_beyond() -> None:
    """At 1 kHz a step reaches 20 ms (20 frames) plus its own size: 23 frames for a 3-frame drop."""
    burst = [(100, 140, 0.25, 7, False, False)]
    for at in (77, 163):
        assert _classify(burst, [(at, 0.0, -3.0)]) == [G(at, max(140, at + 1), "dropped", 3, 0.25, at - 2.0)]
    for at in (76, 164):
        got = _classify(burst, [(at, 0.0, -3.0)])
        lone = G(at, at + 1, "dropped", 3, 0.0, at - 2.0)
        other = G(100, 140, "other", 40, 0.25, 98.0)
        assert got == sorted([lone, other], key=lambda g: g.start_frame), at


def test_each_step_names_one_burst_only_the_first_one_free() -> None:
    bursts = [(100, 110, 0.25, 3, False, False), (140, 150, 0.5, 3, False, False)]
    got = _classify(bursts, [(120, 0.0, -2.0), (125, 0.0, -4.0)], spans=[1, 2])
    assert got == [G(120, 121, "dropped", 2, 0.25, 118.0, 1),
                   G(125, 150, "dropped", 4, 0.5, 123.0, 2)]


def test_inserted_silence_needs_four_fifths_of_the_jump_silent() -> None:
    # the track jumps 5 frames later and the recording is silent 4 frames (0.8 of 5) in the burst:
    # silence inserted, placed at the silence's start
    x = _recording(((115, 119),))
    assert _classify([(100, 140, 0.25, 7, False, False)], [(120, 0.0, 5.0)], x=x, spans=[9]) == [
        G(115, 140, "inserted_silence", 5, 0.25, 113.0, 0)]
    x = _recording(((115, 118),))  # 3 silent frames: frames played again
    assert _classify([(100, 140, 0.25, 7, False, False)], [(120, 0.0, 5.0)], x=x, spans=[9]) == [
        G(120, 140, "repeated", 5, 0.25, 118.0, 9)]
    # a jump that rounds to nothing needs one silent frame
    x = _recording(((115, 116),))
    assert _classify([(100, 140, 0.25, 7, False, False)], [(120, 0.0, 0.25)], x=x) == [
        G(115, 140, "inserted_silence", 1, 0.25, 113.0, 0)]
    assert _classify([(100, 140, 0.25, 7, False, False)], [(120, 0.0, 0.25)]) == [
        G(120, 140, "repeated", 1, 0.25, 118.0, 0)]


def test_a_step_with_no_burst_beside_it_is_kept_from_the_least_size_on() -> None:
    steps = [(3000, 0.0, 2.0), (3500, 0.0, -3.0)]
    assert _classify([], steps, spans=[5, 7]) == [G(3000, 3001, "repeated", 2, 0.0, 2998.0, 5),
                                                 G(3500, 3501, "dropped", 3, 0.0, 3498.0, 7)]
    assert _classify([], steps, unheard_min=3) == [G(3500, 3501, "dropped", 3, 0.0, 3498.0)]
    assert _classify([], steps, unheard_min=4) == []
    # a step under one frame is never kept, whatever the least asked
    assert _classify([], [(3000, 0.0, 0.25)], unheard_min=0) == []


def test_the_reference_frame_is_read_on_the_tracks_line_in_force() -> None:
    lines = [(0, 2000, 2.0, 0.0), (2000, 5000, 4.0, 0.5)]  # past frame 2000, ref = nf - 4 - nf / 2
    got = _classify([(1999, 2000, 0.25, 1, False, False), (4000, 4001, 0.25, 1, False, False)],
                    lines=lines, bounds=(0, 2000))
    assert got == [G(1999, 2000, "pop", 1, 0.25, 1997.0), G(4000, 4001, "pop", 1, 0.25, 1996.0)]
    got = _classify([(2000, 2001, 0.25, 1, False, False)], lines=lines, bounds=(0, 2000))
    assert got == [G(2000, 2001, "pop", 1, 0.25, 996.0)]
    # before the first line's bound, the first line still holds
    got = _classify([(100, 101, 0.25, 1, False, False)], lines=lines, bounds=(500, 2000))
    assert got == [G(100, 101, "pop", 1, 0.25, 98.0)]
    # no line at all: the recording's frame
    got = _classify([(100, 101, 0.25, 1, False, False)], lines=[], bounds=[])
    assert got == [G(100, 101, "pop", 1, 0.25, 100.0)]


def test_a_clipped_stretch_takes_in_the_pops_and_others_within_a_second() -> None:
    got = _classify([(100, 140, 0.5, 7, False, True), (1140, 1141, 0.25, 1, False, False),
                     (2141, 2150, 0.25, 3, False, False)])
    assert got == [G(100, 2150, "clipped", 17, 0.5, 98.0)]  # each within 1000 frames of the last
    got = _classify([(100, 140, 0.5, 7, False, True), (1140, 1141, 0.25, 1, False, False),
                     (2142, 2150, 0.25, 3, False, False)])
    assert got == [G(100, 1141, "clipped", 8, 0.5, 98.0), G(2142, 2150, "other", 8, 0.25, 2140.0)]


def test_the_peaks_of_merged_bursts_are_kept_apart_by_kind() -> None:
    # a larger compressed burst after an other one: clipped
    assert _classify([(100, 110, 0.25, 3, False, False), (120, 140, 0.5, 2, False, True)])[0].kind == "clipped"
    # a smaller compressed burst after an other one: the other departs more
    assert _classify([(100, 110, 0.5, 3, False, False), (120, 140, 0.25, 2, False, True)])[0].kind == "other"
    # the other bursts' largest peak is kept through a smaller one
    got = _classify([(100, 110, 0.5, 3, False, False), (120, 125, 0.25, 1, False, False),
                     (130, 140, 0.375, 2, False, True)])
    assert got[0].kind == "other"


def test_a_one_frame_step_with_no_burst_is_kept_by_default() -> None:
    assert _classify([], [(3000, 0.0, 1.0)]) == [G(3000, 3001, "repeated", 1, 0.0, 2998.0)]


def test_a_step_of_no_jump_is_no_drop() -> None:
    assert _classify([(100, 140, 0.25, 7, False, False)], [(120, 1.0, 1.0)]) == [
        G(120, 140, "repeated", 1, 0.25, 118.0)]


@pytest.mark.parametrize(("level", "pk", "quiet", "mute"), [
    (0.0099, 0.5, 1e-3, True), (0.01, 0.5, 1e-3, False),  # under 0.02 of the peak, not at it
    (0.005, 0.5, 1e-3, True), (0.02, 0.5, 1e-3, False),  # 0.02 times the peak, not over it
    (5e-4, 0.01, 1e-3, True),  # under the noise's level though over 0.02 of the peak
    (5e-6, 1e-4, 0.0, True),  # under 1e-5 though over 0.02 of the peak and no noise given
])
def test_a_burst_is_quiet_under_the_largest_of_its_three_floors(level: float, pk: float, quiet: float, mute: bool) -> None:
    x = _recording()
    x[1000:1010] = level
    got = _classify([(1000, 1010, pk, 5, False, False)], x=x, quiet=quiet)
    assert (got[0].kind == "mute") is mute, got


def test_a_long_burst_is_judged_by_its_first_ten_seconds() -> None:
    x = _recording(((10_500, 10_600),), n=20_000)
    assert _classify([(500, 12_500, 0.5, 9, False, False)], x=x)[0].kind == "other"
    x = _recording(((10_400, 10_500),), n=20_000)
    assert _classify([(500, 12_500, 0.5, 9, False, False)], x=x)[0].kind == "mute"


def test_the_pop_length_scales_with_the_rate() -> None:
    # at 48 kHz a quiet run must last 48 frames (1 ms) to make a burst a mute
    x = _recording(((1000, 1047),))
    assert _classify([(990, 1100, 0.5, 5, False, False)], x=x, fs=48_000)[0].kind == "other"
    x = _recording(((1000, 1048),))
    assert _classify([(990, 1100, 0.5, 5, False, False)], x=x, fs=48_000)[0].kind == "mute"


def test_a_mute_reaches_back_to_the_recordings_first_frame() -> None:
    x = _recording(((0, 100),))
    assert _classify([(10, 20, 0.5, 10, True, False)], x=x) == [G(0, 100, "mute", 100, 0.5, -2.0)]


def test_a_mute_reaches_half_a_second_forward_within_the_recording() -> None:
    x = _recording(((1000, 1600),))
    assert _classify([(1010, 1020, 0.5, 10, True, False)], x=x, rec_frames=5000) == [
        G(1000, 1520, "mute", 520, 0.5, 998.0)]


def test_a_silent_burst_is_centred_on_its_own_frames_not_a_silence_after_it() -> None:
    x = _recording(((1300, 1400),))
    assert _classify([(1200, 1210, 0.5, 10, True, False)], x=x) == [G(1200, 1210, "mute", 0, 0.5, 1198.0)]


def test_glitches_after_a_merged_mute_and_after_a_used_step_are_all_kept() -> None:
    x = _recording(((1000, 1100),))
    got = _classify([(1005, 1010, 0.25, 5, True, False), (1060, 1070, 0.5, 10, True, False),
                     (3000, 3040, 0.25, 3, False, False)], x=x)
    assert [g.kind for g in got] == ["mute", "other"]
    got = _classify([(100, 140, 0.25, 7, False, False)], [(120, 0.0, -3.0), (3000, 1.0, 3.0), (3500, 0.0, 0.75)])
    assert got == [G(120, 140, "dropped", 3, 0.25, 118.0), G(3000, 3001, "repeated", 2, 0.0, 2998.0),
                   G(3500, 3501, "repeated", 1, 0.0, 3498.0)]


def test_the_clipping_rule_reads_shares_of_the_windows_peak_whatever_its_level() -> None:
    e, f = _peaks_and_middle([0.5] * 4, 0.25, [0.125], 0.0)  # the same shape at half the level
    assert R._compressed_span(e, f, 0, 5, 1000) is True
    e, f = _peaks_and_middle([0.5] * 4, 0.25, [0.0625], 0.0)  # 0.125 of the peak: no middle
    assert R._compressed_span(e, f, 0, 5, 1000) is False
    # the least shortfall is over the middle's, not under it: 1/64 over a middle of 1/128 fails
    e, f = _peaks_and_middle([1.0] * 4, 0.015625, [0.5], 0.0078125)
    assert R._compressed_span(e, f, 0, 5, 1000) is False


def test_a_half_level_reference_is_judged_against_its_own_level() -> None:
    ref = 0.5 * _loud(1024)
    for level, found in ((0.005, True), (0.03, False)):  # 0.02 of the gain times the reference is 0.01
        rec = ref.copy()
        rec[992:] = np.sign(ref[992:]) * level
        got = R._silenced_rows(_normal(ref, rec, 7), _FS)
        assert got == (list(range(7 + 992 - _REACH, 7 + 1024 + _REACH)) if found else []), level
    r = ref.copy()
    r[320:352] *= 0.125  # 0.0625: over 0.1 of the window's RMS (0.05), a loud reference hop
    assert R._silenced_rows(_normal(r, _muted(r, 320, 352), 7), _FS) == list(range(7 + 320 - _REACH, 7 + 352 + _REACH))
