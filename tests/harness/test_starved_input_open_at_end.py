"""A starvation still open when the history ends is judged to the history's end, not to the last
entry the ``starved_input`` fold reads.

Why a file of its own: the fold reads transitions, events, errors and faults only; a history
whose last entries are of other types (notes, metrics, ops) ends after them. A starvation that
began at 0.1 s and never ended, on a system RUNNING and silent about it until a history ending
at 1.0 s, played 0.9 s of silence through: judged only to its own start it is "nothing to judge".
Each case's expected verdict is the rule itself, worked out by hand: violated exactly when the
system stayed RUNNING on the starved device longer than the bound (53 ms here) after the
starvation began, and no stall was reported within the bound."""

from __future__ import annotations

import pytest

from harness.history import History
from harness.invariants import check_starved_input

#: 256-frame blocks at 48 kHz, 4 stall periods, a 5 ms supervisor: the bound is (2 x 4 + 1)
#: blocks plus one supervisor pass
BOUND_S = 9 * 256 / 48_000 + 0.005
_CONFIG = {"device": {"input_device": "sim-in", "output_device": "sim-out"},
           "stream": {"block_size": 256, "sample_rate": 48_000},
           "watchdog": {"stall_periods": 4, "supervisor_interval_ms": 5.0}}
STARVED_AT = 0.1


def _history(end: float, *, reported_at: float | None = None) -> History:
    """A RUNNING system whose input starves at ``STARVED_AT`` and is never fed again; the history
    ends with a note at ``end``, an entry the fold does not read."""
    h = History()
    h.record("attach", data={"state": "running", "configured": True, "pending": False,
                             "components": {"system": "running"}, "clock": "virtual"})
    h.record("event", value="config_applied", time=0.0, data={"config": _CONFIG})
    h.record("fault_start", time=STARVED_AT, data={"kind": "input_starved", "target": "sim-in",
                                                   "firing_id": "s", "fired_at": STARVED_AT, "ended_at": None})
    if reported_at is not None:
        h.record("error", time=reported_at,
                 data={"error": {"type": "DeviceStalledError", "message": "no input"}})
    h.record("note", value="end", time=end)
    return h


#: (why, history's end, report time or None, expected ok)
TABLE = [
    ("open to the end, far past the bound, never reported", 1.0, None, False),
    ("open to the end, just past the bound, never reported", STARVED_AT + BOUND_S + 0.01, None, False),
    ("open to the end, within the bound", STARVED_AT + BOUND_S - 0.01, None, True),
    ("open to the end, past the bound, reported within it", 1.0, STARVED_AT + 0.03, True),
    ("open to the end, past the bound, reported only after it", 1.0, STARVED_AT + BOUND_S + 0.02, False),
]


@pytest.mark.parametrize(("why", "end", "reported_at", "ok"), TABLE, ids=[row[0] for row in TABLE])
def test_a_starvation_open_at_the_end_is_judged_to_the_historys_end(why: str, end: float,
                                                                    reported_at: float | None, ok: bool) -> None:
    v = check_starved_input(_history(end, reported_at=reported_at))
    assert (v.ok, v.inconclusive) == (ok, False), (why, v)
    if not ok:
        (ev,) = v.evidence
        assert ev["running_until"] == pytest.approx(end, abs=1e-6), (why, ev)
    else:
        assert v.message.startswith("1 starved stretch(es) while RUNNING"), (why, v.message)
