"""A window's frame accounting must agree with what was heard, whatever opened the window: frames
the system counted lost before blocks the device then played, in a window a fault opened or in one
nobody asked for (the system left RUNNING on its own: ``unexplained``), with no glitch heard, is a
story that does not hold (``violated``). Only an operator's own request (a stop, a reconfigure:
``requested``) may lose frames unheard, and a window the rig could not hear (``blind``) cannot be
judged at all.

Every combination of what opened the window, where the lost frames were counted (dropped,
inserted, the device's gap), whether a glitch was heard and whether the rig was blind, judged
against that rule."""

from __future__ import annotations

import itertools

import pytest

from harness.audio_check import _Episode

OPENED_BY = ("fault", "unexplained", "requested")
LOST = ("none", "dropped", "inserted", "gap")
CASES = list(itertools.product(OPENED_BY, LOST, (0, 1), (False, True)))


def _window(opened_by: str, lost: str, glitches: int, blind: bool) -> _Episode:
    ep = _Episode(index=3, start=1.0, last_end=1.5)
    if opened_by == "fault":
        ep.faults.append({"kind": "dropout", "firing_id": "dropout#0@1"})
    elif opened_by == "unexplained":
        ep.unrequested = True
        ep.causes.append("recovering: watchdog: no callback for 0.2 s")
    else:
        ep.causes.append("stopped: stop")
    if lost == "dropped":
        ep.heard_dropped = 256
    elif lost == "inserted":
        ep.heard_inserted = 256
    elif lost == "gap":
        ep.gap_frames = 256
    ep.glitches = glitches
    ep.blind = blind
    ep.dropped = ep.heard_dropped
    ep.inserted = ep.heard_inserted
    return ep


@pytest.mark.parametrize(("opened_by", "lost", "glitches", "blind"), CASES)
def test_frames_counted_lost_and_never_heard_violate_any_window_but_a_requested_one(
        opened_by: str, lost: str, glitches: int, blind: bool) -> None:
    ep = _window(opened_by, lost, glitches, blind)
    assert ep.kind == opened_by
    violated = lost != "none" and not glitches and opened_by != "requested" and not blind
    why = ep.inconsistent()
    assert (why is not None) is violated, why
    if violated:
        assert f"window 3 ({ep.label}" in why and "the analysis heard no glitch" in why
    expected = "inconclusive" if blind else "violated" if violated else "judged"
    assert ep.to_dict()["verdict"] == expected
