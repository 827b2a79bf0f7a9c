"""A window keeps ``SPANS_KEPT`` silences to judge when it is folded; the ones its ended members
hold (all but pieces too short to weigh) are settled then and there and make room
(``_Episode.keep_mute``, ``_may_weigh``). On a loaded rig JACK's xrun reports hold one window open
for a whole hour, and a window that kept 64 long silences and counted every later one unkept
left ``clean_audio`` inconclusive ("not judged") however the system behaved. The virtual clock,
a scripted capture, no randomness; no jackd."""

from __future__ import annotations

import pytest

from harness.audio_check import MACHINE_MUTE_MAX_S, SPANS_KEPT, AudioCheck, _Episode, _Event

from scripted_capture import Scripted, heard_silences, long_silences

N = 256
SILENCE_S = 0.6
TONE_S = 0.4
REPORT_EVERY_S = 0.05


def _held_silences(silences: int, last_uncovered: bool) -> tuple[AudioCheck, object]:
    """The tone heard through a scripted capture with ``silences`` silences of ``SILENCE_S`` each
    ``TONE_S`` apart, JACK reporting an xrun every ``REPORT_EVERY_S`` all along (one window holds
    them all). Each silence is a held delivery (``held_begin``/``held_end``: a member that holds
    it), but, with ``last_uncovered``, the last one: no member holds it and no report came in it
    (the system's silence)."""
    def holds_and_reports(t0: float, starts: list[float], total_s: float) -> list[Scripted]:
        uncovered = starts[-1] if last_uncovered else None
        events: list[Scripted] = []
        for k, s in enumerate(starts):
            if s == uncovered:
                continue
            events.append((s, 0, ("held_begin", (s,))))
            events.append((s + SILENCE_S, 0, ("held_end", (f"delivery-held-{k + 1}", s + SILENCE_S))))
        for k in range(1, int(total_s / REPORT_EVERY_S)):
            at = t0 + k * REPORT_EVERY_S
            if uncovered is not None and uncovered <= at < uncovered + SILENCE_S:  # the window stays one
                continue
            events.append((at, 1, ("xrun", (at,))))
        return events

    return heard_silences(silences, SILENCE_S, TONE_S, 2, holds_and_reports, N)


def _long_silences(check: AudioCheck) -> int:
    return long_silences(check, MACHINE_MUTE_MAX_S)


@pytest.mark.parametrize("silences", [SPANS_KEPT - 2, SPANS_KEPT + 6])
def test_long_silences_the_windows_members_hold_are_all_judged(silences: int) -> None:
    """More long silences than a window keeps, each held by a member that ended: every one is
    judged, and held. A window that kept the first 64 and counted the rest unkept called the run
    inconclusive ("not judged"); with fewer than 64 the verdict is the same either way."""
    check, verdict = _held_silences(silences, last_uncovered=False)
    assert check.unkept_windows == 0 and check.unkept_rows == [], check.unkept_rows
    assert check.long_mute_count == 0 and check.dense_xrun_mute_count == 0, check.long_mutes
    assert _long_silences(check) == silences
    assert verdict.ok and not verdict.inconclusive, verdict


@pytest.mark.parametrize("silences", [SPANS_KEPT - 2, SPANS_KEPT + 6])
def test_one_silence_no_member_holds_among_them_is_the_systems(silences: int) -> None:
    """The last of them held by no member, with no xrun report in it: the system's silence, a
    violation, however many held ones came before it (past 64, it was not judged: inconclusive)."""
    check, verdict = _held_silences(silences, last_uncovered=True)
    assert check.unkept_windows == 0, check.unkept_rows
    assert check.long_mute_count == 1 and check.dense_xrun_mute_count == 0, check.long_mutes
    assert not verdict.ok and not verdict.inconclusive, verdict


def _mute(t0: float, t1: float) -> _Event:
    return _Event(0, 0, "mute", 0, t0, t1, 0)


def test_a_silence_held_by_an_open_member_is_kept_and_the_latest_waits_until_it_has_ended() -> None:
    """An open member (``[from, inf]``) may end before a silence it holds does, so what it holds is
    not settled: kept. The latest silence (``growing``) is never weighed while it may grow, nor
    counted unkept; a short silence that came with the list full is not counted unkept either."""
    ep = _Episode(0, 0.0)
    ep.core_spans.append([0.0, float("inf")])
    for k in range(SPANS_KEPT):
        ep.keep_mute(_mute(k, k + 0.6))
    latest = _mute(100.0, 100.01)
    ep.keep_mute(latest, latest)
    assert ep.unkept == 0 and len(ep.mutes) == SPANS_KEPT + 1 and latest in ep.mutes
    ep.keep_mute(_mute(101.0, 101.01))  # ``latest`` ended short: it makes room
    assert ep.unkept == 0 and latest not in ep.mutes and len(ep.mutes) == SPANS_KEPT
    ep.keep_mute(_mute(102.0, 103.0))  # long, held by nothing that ended: not kept, counted
    assert ep.unkept == 1 and len(ep.mutes) == SPANS_KEPT

    ep = _Episode(0, 0.0)
    for k in range(SPANS_KEPT + 10):
        ep.core_spans.append([float(k), k + 0.55])
        ep.keep_mute(_mute(k, k + 0.6))  # 0.05 s past its member: never weighs
    ep.keep_mute(_mute(200.0, 201.0))
    assert ep.unkept == 0 and [(m.t_start, m.t_end) for m in ep.mutes][-1] == (200.0, 201.0)
    assert len(ep.mutes) <= SPANS_KEPT


def test_channel_disagreements_the_members_hold_make_room() -> None:
    """As silences: channel disagreements its ended members hold make room; those nothing holds
    past ``SPANS_KEPT`` are counted unkept."""
    ep = _Episode(0, 0.0)
    for k in range(SPANS_KEPT + 5):
        ep.core_spans.append([float(k), k + 0.2])
        ep.keep_channel_run((k, k + 0.2))
    assert ep.unkept == 0
    ep = _Episode(0, 0.0)
    for k in range(SPANS_KEPT + 5):
        ep.keep_channel_run((k, k + 0.2))
    assert ep.unkept == 5 and len(ep.channel_runs) == SPANS_KEPT


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_may_weigh_finds_what_every_piece_outside_the_members_would(seed: int) -> None:
    """``_may_weigh`` (joined spans, bisected) says what walking every unheld piece of the silence
    against every ended member says (``_unheld``), for seeded windows of overlapping members and
    silences of every length; open members count for nothing."""
    import math
    import random

    from harness.audio_check import LEAD_MARGIN_S, _may_weigh, _unheld

    rng = random.Random(seed)
    for _ in range(200):
        ep = _Episode(0, 0.0)
        for _ in range(rng.randint(0, 30)):
            a = rng.uniform(0.0, 20.0)
            ep.core_spans.append([a, math.inf if rng.random() < 0.1 else a + rng.uniform(0.0, 2.0)])
        margin = rng.choice([0.0, 0.25])
        held = ep._ended_held(margin)
        every = sorted((a - LEAD_MARGIN_S, b + margin) for a, b in ep.core_spans if math.isfinite(b))
        for _ in range(20):
            t0 = rng.uniform(-1.0, 21.0)
            t1 = t0 + rng.uniform(0.0, 3.0)
            want = any(b - a >= MACHINE_MUTE_MAX_S for a, b in _unheld(t0, t1, every))
            assert _may_weigh(t0, t1, held, MACHINE_MUTE_MAX_S) == want, (t0, t1, every)


def test_the_latest_silence_is_neither_let_go_nor_counted_while_the_window_is_over_full() -> None:
    """A window past ``SPANS_KEPT`` silences that may weigh (an open member holds them: none is
    settled) counts the newest ended one past the bound unkept, never the latest (``growing``), which
    may still grow past ``MACHINE_MUTE_MAX_S`` and is weighed once it has ended: if it is the
    window's last, it is the one judged. Counted among the rest, it was let go with them."""
    ep = _Episode(0, 0.0)
    ep.core_spans.append([0.0, float("inf")])
    for k in range(SPANS_KEPT):
        ep.keep_mute(_mute(k, k + 0.6))
    long_one = _mute(100.0, 100.6)
    ep.keep_mute(long_one, long_one)  # the latest: aside, kept
    assert ep.unkept == 0 and long_one in ep.mutes
    latest = _mute(101.0, 101.01)
    ep.keep_mute(latest, latest)  # ``long_one`` ended long: past the bound; ``latest`` still aside
    assert ep.unkept == 1 and long_one not in ep.mutes, ep.unkept
    assert latest in ep.mutes and len(ep.mutes) == SPANS_KEPT + 1
