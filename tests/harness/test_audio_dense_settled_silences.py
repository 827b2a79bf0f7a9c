"""A window keeps ``SPANS_KEPT`` silences to judge when it is folded. Past it, a silence only xrun
reports hold, through which JACK already reported at least every ``MACHINE_MUTE_MAX_S``, is
settled as dense as it comes (``_Episode.keep_mute``, ``_dense_now``): nothing that comes later
can make it the system's. So the bound does not decide: a window held open by dense reports for
an hour (a loaded rig soak) with more than 64 such silences judged the silences past them "not
kept" (inconclusive, "not every one was judged"), and a silence of the system's among them, with
no report in it, was never judged: the run was inconclusive, not failed.

The virtual clock, a scripted capture, no randomness; no jackd."""

from __future__ import annotations

import pytest

from harness.audio_check import MACHINE_MUTE_MAX_S, SPANS_KEPT, AudioCheck, _Episode, _Event

from scripted_capture import Scripted, heard_silences, long_silences

N = 256
SILENCE_S = 0.6
TONE_S = 0.4
REPORT_EVERY_S = 0.05


#: which silence has no report in it, counted from the last (the last is weighed whatever the
#: bound: a window keeps its latest silence aside until it has ended)
UNREPORTED_FROM_END = 3


def _reported_silences(silences: int, one_unreported: bool) -> tuple[AudioCheck, object]:
    """The tone heard through a scripted capture with ``silences`` silences of ``SILENCE_S`` each
    ``TONE_S`` apart, JACK reporting an xrun every ``REPORT_EVERY_S`` all along (one window holds
    them all, and no other member): each silence is the machine's missed deadlines as far as the
    check can tell, but, with ``one_unreported``, the ``UNREPORTED_FROM_END``-th from the last, in
    which no report came (the system's silence)."""
    def reports(t0: float, starts: list[float], total_s: float) -> list[Scripted]:
        unreported = starts[-UNREPORTED_FROM_END] if one_unreported else None
        events: list[Scripted] = []
        for k in range(1, int(total_s / REPORT_EVERY_S)):
            at = t0 + k * REPORT_EVERY_S
            if unreported is not None and unreported <= at < unreported + SILENCE_S:
                continue  # the reports after it reach back over it: the window stays one
            events.append((at, 0, ("xrun", (at,))))
        return events

    return heard_silences(silences, SILENCE_S, TONE_S, 1, reports, N)


def _long_silences(check: AudioCheck) -> int:
    return long_silences(check, MACHINE_MUTE_MAX_S)


@pytest.mark.parametrize("silences", [SPANS_KEPT - 2, SPANS_KEPT + 6])
def test_silences_through_dense_reports_are_all_judged_dense(silences: int) -> None:
    """More silences through dense reports than a window keeps: every one judged, dense (the
    machine's missed deadlines cannot be told from the system's: inconclusive for that reason,
    true), none "not judged". With fewer than 64 the verdict is the same as before."""
    check, verdict = _reported_silences(silences, one_unreported=False)
    assert _long_silences(check) == silences
    assert check.unkept_windows == 0 and check.unkept_rows == [], check.unkept_rows
    assert check.long_mute_count == 0 and check.dense_xrun_mute_count == 1, check.dense_xrun_mutes
    assert verdict.ok and verdict.inconclusive, verdict
    assert "not every one was judged" not in verdict.message, verdict.message
    assert "reported xruns at least every" in verdict.message, verdict.message


@pytest.mark.parametrize("silences", [SPANS_KEPT - 2, SPANS_KEPT + 6])
def test_a_silence_with_no_report_among_them_is_the_systems(silences: int) -> None:
    """One of them, near the end, with no report in it: the system's silence, a violation, however
    many dense ones came before it. Past 64 it was not kept (counted "not judged"): the run was
    inconclusive, the system's silence missed."""
    check, verdict = _reported_silences(silences, one_unreported=True)
    assert check.unkept_windows == 0, check.unkept_rows
    assert check.long_mute_count == 1, (check.long_mutes, check.unkept_rows)
    assert not verdict.ok and not verdict.inconclusive, verdict


def _mute(t0: float, t1: float) -> _Event:
    return _Event(0, 0, "mute", 0, t0, t1, 0)


def _reports(ep: _Episode, t0: float, t1: float, every: float) -> None:
    t = t0
    while t <= t1:
        ep.xrun_reports.add(t)
        t += every


def test_only_a_silence_dense_already_is_settled_and_only_past_the_bound() -> None:
    """Past ``SPANS_KEPT``: a silence with a stretch of ``MACHINE_MUTE_MAX_S`` without a report is
    kept (a report read late, or a member, may still change it, and it may be the system's); one
    whose reports are not known (past ``known_until``) is kept too; the oldest dense ones make
    room, only as many as needed; a silence an ended member holds in part is dense by what it
    leaves."""
    ep = _Episode(0, 0.0)
    _reports(ep, 0.0, 200.0, 0.1)
    for k in range(SPANS_KEPT):
        ep.keep_mute(_mute(k, k + 0.6))
    assert ep.dense_settled == 0 and len(ep.mutes) == SPANS_KEPT  # up to the bound nothing changes
    ep.keep_mute(_mute(100.0, 100.6))
    assert ep.dense_settled == 1 and ep.unkept == 0 and len(ep.mutes) == SPANS_KEPT
    assert (ep.mutes[0].t_start, ep.dense_settled_longest[:2]) == (1.0, (0.0, 0.6))

    ep = _Episode(0, 0.0)
    _reports(ep, 0.0, 50.0, 0.1)
    _reports(ep, 51.0, 200.0, 0.1)  # nothing from 50.0 to 51.0
    for k in range(SPANS_KEPT):
        ep.keep_mute(_mute(50.0 + k * 1e-3, 50.7 + k * 1e-3))  # 0.6 s or more without a report
    ep.keep_mute(_mute(60.0, 60.6))  # dense, but the newest: the others cannot make room
    assert ep.dense_settled == 1 and ep.unkept == 0  # it made room for itself
    ep.keep_mute(_mute(50.4, 51.2))
    assert ep.dense_settled == 1 and ep.unkept == 1 and len(ep.mutes) == SPANS_KEPT

    ep = _Episode(0, 0.0)
    _reports(ep, 0.0, 200.0, 0.1)
    ep.xrun_reports.known_until = 10.0  # reports past 10 s were let go
    for k in range(SPANS_KEPT + 3):
        ep.keep_mute(_mute(20.0 + k, 20.6 + k))
    assert ep.dense_settled == 0 and ep.unkept == 3

    for member in (True, False):
        ep = _Episode(0, 0.0)
        _reports(ep, 0.0, 5.0, 0.1)
        _reports(ep, 5.6, 50.0, 0.1)  # none from 5.0 to 5.6 s
        _reports(ep, 51.0, 200.0, 0.1)  # none from 50.0 to 51.0 s
        if member:
            ep.core_spans.append([5.0, 5.5])  # an ended member holds most of 5.0-5.6 s
        ep.keep_mute(_mute(4.8, 6.5))  # what the member leaves: 4.8-4.988 s and 5.5-6.5 s
        for k in range(SPANS_KEPT):
            ep.keep_mute(_mute(50.0 + k * 1e-3, 50.7 + k * 1e-3))
        if member:  # each piece it leaves has a report at least every 0.1 s
            assert (ep.dense_settled, ep.unkept) == (1, 0)
            assert ep.dense_settled_longest is not None and ep.dense_settled_longest[:2] == (4.8, 6.5)
        else:  # 5.0-5.6 s without a report: it may be the system's
            assert (ep.dense_settled, ep.unkept) == (0, 1)


def test_a_silence_is_dense_now_by_the_longest_stretch_without_a_report_in_the_pieces_it_leaves() -> None:
    """``_Episode._dense_now``: the longest stretch without a report in what the ended members leave
    of a silence, or None when one such stretch is ``MACHINE_MUTE_MAX_S`` or more, or reaches past
    what the window knows of its reports (``known_until``). Reports on a 1/8 s grid, so each
    stretch is exact: 0.125 s apart through 0-2 s, 2.375-4 s and 4.5-6 s (none for 0.375 s after
    2 s, none for 0.5 s after 4 s)."""
    ep = _Episode(0, 0.0)
    for k in [*range(0, 17), *range(19, 33), *range(36, 49)]:
        ep.xrun_reports.add(k / 8)
    assert MACHINE_MUTE_MAX_S == 0.5
    assert ep._dense_now(_mute(0.5, 1.5), []) == 0.125
    assert ep._dense_now(_mute(1.5, 3.0), []) == 0.375  # the gap after 2 s, under the bound
    assert ep._dense_now(_mute(3.5, 5.0), []) is None  # 0.5 s without a report: may be the system's
    # an ended member that holds the gap leaves two dense pieces; one that holds its first 1/8 s
    # leaves 0.375 s of it
    assert ep._dense_now(_mute(3.5, 5.0), [(3.875, 4.625)]) == 0.125
    assert ep._dense_now(_mute(3.5, 5.0), [(4.0, 4.125)]) == 0.375
    assert ep._dense_now(_mute(1.0, 2.0), [(0.5, 2.5)]) == 0.0  # held whole: nothing left to weigh
    # the longest over every piece, whichever comes first; one piece past the bound is enough
    assert ep._dense_now(_mute(1.5, 5.5), [(3.0, 4.75)]) == 0.375
    assert ep._dense_now(_mute(0.5, 5.5), [(2.25, 3.0)]) is None
    ep.xrun_reports.known_until = 5.0  # reports from 5 s on were let go
    assert ep._dense_now(_mute(4.5, 5.0), []) == 0.125
    assert ep._dense_now(_mute(4.5, 5.125), []) is None
    assert ep._dense_now(_mute(4.5, 5.25), [(5.0, 5.5)]) == 0.125  # what is held past it is not asked


def test_the_dense_silences_settled_are_counted_the_longest_kept_and_the_growing_one_left_to_grow() -> None:
    """Past ``SPANS_KEPT`` each call settles the oldest dense silence: ``dense_settled`` counts them
    all, ``dense_settled_longest`` keeps the longest so far (a later, shorter one does not replace
    it), and the growing silence (the latest, which the next stretch may lengthen) is never settled,
    dense or not. Reports every 1/8 s but from 100 to 102 s: silences there are not dense."""
    def window() -> _Episode:
        ep = _Episode(0, 0.0)
        for k in [*range(0, 801), *range(816, 1601)]:
            ep.xrun_reports.add(k / 8)
        return ep

    not_dense = [_mute(100.0 + k / 1024, 100.75 + k / 1024) for k in range(SPANS_KEPT - 1)]
    ep = window()
    ep.keep_mute(_mute(10.0, 10.625))
    for m in not_dense:
        ep.keep_mute(m)
    ep.keep_mute(_mute(20.0, 20.875))  # one past the bound: the oldest dense one goes
    assert (ep.dense_settled, ep.dense_settled_longest) == (1, (10.0, 10.625, 0.125))
    ep.keep_mute(_mute(100.5, 101.25))  # not dense: the 20 s one, now the oldest dense, goes
    assert (ep.dense_settled, ep.dense_settled_longest) == (2, (20.0, 20.875, 0.125))
    ep.keep_mute(_mute(40.0, 40.625))  # settled itself; shorter than the longest so far
    assert (ep.dense_settled, ep.dense_settled_longest, ep.unkept) == (3, (20.0, 20.875, 0.125), 0)

    ep = window()
    for m in not_dense:
        ep.keep_mute(m)
    ep.keep_mute(_mute(100.5, 101.25))
    growing = _mute(50.0, 50.75)  # dense so far
    ep.keep_mute(growing, growing)
    ep.keep_mute(_mute(101.0, 101.75), growing)  # one past the bound, none but the growing one dense
    assert (ep.dense_settled, ep.unkept) == (0, 1)
    assert any(m is growing for m in ep.mutes)
