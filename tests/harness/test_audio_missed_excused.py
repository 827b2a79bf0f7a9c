"""Cycles the rig's capture missed with no JACK xrun report are judged on what was heard around
them only where they could hide nothing the window weighs (``AudioCheck._missed_where_excused``).
A window that let a silence go unjudged, or let a reported xrun's stretch go, no longer knows what
its members hold and what they do not: its missed cycles are not excused, it is blind. Windows
built by hand on the virtual clock, no randomness; no jackd."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.audio_check import MISSED_SPANS_KEPT, SPANS_KEPT, AudioCheck, _Episode, _Event
from system_under_test import AudioSystem

from scripted_capture import ScriptedCapture


@pytest.fixture
def check() -> Iterator[AudioCheck]:
    system = AudioSystem({}, seed=1)
    check = AudioCheck.attach(system, None, capture=ScriptedCapture())
    yield check
    system.close()


def _window_missing_a_cycle_in(held: tuple[float, float]) -> _Episode:
    """A requested window (a state change) whose member holds ``held``, with one 5 ms stretch of
    missed capture cycles inside it."""
    ep = _Episode(0, held[0], core_spans=[[held[0], held[1]]])
    ep.missed_why.append("the rig's capture client missed 256 frame(s)")
    ep.missed_spans.append((held[0] + 0.05, held[0] + 0.055))
    ep.missed_s = 0.005
    return ep


def test_a_missed_cycle_a_member_holds_is_excused_until_the_window_lets_a_silence_go(check: AudioCheck) -> None:
    ep = _window_missing_a_cycle_in((1.0, 1.2))
    assert check._missed_where_excused(ep)
    # past ``SPANS_KEPT`` silences long enough to weigh, the window counts the newest unkept: one it
    # never judges, which the missed cycles may have hidden a part of
    for k in range(SPANS_KEPT + 1):
        ep.keep_mute(_Event(0, 0, "mute", 0, 10.0 + k, 10.6 + k, 0))
    assert ep.unkept == 1
    assert not check._missed_where_excused(ep)


def test_a_missed_cycle_only_a_reported_xrun_holds_is_excused_until_reported_stretches_are_let_go(
        check: AudioCheck) -> None:
    ep = _window_missing_a_cycle_in((1.0, 1.2))
    ep.missed_spans[:] = [(3.05, 3.055)]
    ep.add_reported_span(3.0, 3.1)
    assert check._missed_where_excused(ep)
    # more reported stretches than it keeps: the ones let go are not known, so the kept ones no
    # longer tell what only xrun reports hold
    for k in range(1, MISSED_SPANS_KEPT + 1):
        ep.add_reported_span(3.0 + k, 3.1 + k)
    assert ep.reported_unkept and (3.0, 3.1) in ep.reported_spans
    assert not check._missed_where_excused(ep)
