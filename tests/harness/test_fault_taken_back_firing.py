"""A ``fault_taken_back`` note names its fault and the window end of the firing it took back
(``FaultOutcomeFold._taken_back``): a fault that fires again under its id has the note credited to
the firing whose window it names, never to whichever firing the fold lists last."""

from __future__ import annotations

from typing import Any

from harness.fault_outcomes import NEVER_SERVED, TAKEN_BACK, FaultOutcomeFold


def _start(t: float) -> dict[str, Any]:
    return {"type": "fault_start", "time": t, "value": "xrun",
            "data": {"kind": "xrun", "fault_id": "f1", "params": {"delay_s": 0.1}, "ended_at": t}}


def test_a_take_back_is_the_named_firing_s_not_the_fault_s_last() -> None:
    fold = FaultOutcomeFold()
    fold.feed(_start(1.0))
    fold.feed(_start(10.0))
    first_end = fold._open[0].window_end
    fold.feed({"type": "note", "time": 1.5, "value": TAKEN_BACK,
               "data": {"fault_id": "f1", "window_end": first_end, "delay_s": 0.1}})
    (first, second) = [outcome for _kind, _t, outcome in fold.outcomes()]
    assert first == NEVER_SERVED and second != NEVER_SERVED, (first, second)
