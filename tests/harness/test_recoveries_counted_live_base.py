"""``recoveries_counted`` judged against the live system's counter when the history holds no
snapshot to tell how many recoveries were counted before it began.

The counter counts from the system's start; the history's events from its attach. On a system
that never ran (attached UNINITIALIZED or INITIALIZED) the two start together, so the live
counter is the history's recoveries. On a system already used, only a snapshot tells the
recoveries made before the history (its reading less the events seen so far): without one the
live counter cannot be held to the history's events, and a counter that holds earlier
recoveries is no disagreement. A table of crafted histories and live counters, with the verdict
each way.
"""

from __future__ import annotations

from typing import Any

import pytest

from harness.history import History
from harness.invariants import Verdict, check_all, check_recoveries_counted


class _Monitoring:
    def __init__(self, recoveries: int) -> None:
        self.counters: dict[str, Any] = {"recoveries": object()}
        self._value = recoveries

    def value(self, name: str) -> int:
        assert name == "recoveries"
        return self._value


class _LiveSystem:
    """What the judge reads of a live system: its monitoring's ``recoveries`` counter."""

    def __init__(self, recoveries: int) -> None:
        self.monitoring = _Monitoring(recoveries)


def _history(state: str, events: int, snapshot: int | None = None) -> History:
    """A virtual-clock history attached in ``state``, ``events`` recovery_succeeded events, and a
    metrics snapshot reading ``snapshot`` recoveries after them (None: no snapshot)."""
    h = History()
    h.record("attach", time=0.0, data={"state": state, "configured": state != "uninitialized", "pending": False,
                                       "clock": "virtual", "components": {"system": state}})
    for k in range(events):
        h.record("event", time=1.0 + k, value="recovery_succeeded", data={"attempts": 1, "target": "running"})
    if snapshot is not None:
        h.record("metrics", time=1.0 + events, data={"state": "running",
                                                     "counters": {"callbacks": 10, "recoveries": snapshot}})
    return h


def _judge(h: History, live: int) -> Verdict:
    v = check_recoveries_counted(h, _LiveSystem(live))
    assert check_all(h, _LiveSystem(live), only=["recoveries_counted"])[0].ok == v.ok
    return v


#: (why, attach state, events, snapshot, live counter, violated?)
TABLE = [
    ("a used system, no snapshot: earlier recoveries on the live counter are not the history's",
     "running", 1, None, 5, False),
    ("a used system, no snapshot, no event: the live counter's recoveries are all earlier",
     "running", 0, None, 3, False),
    ("a used system with a snapshot: its excess is the base, the live counter agrees",
     "running", 1, 6, 6, False),
    ("a used system with a snapshot: a live counter past it by a recovery never announced",
     "running", 1, 6, 7, True),
    ("a fresh system: the live counter is the history's recoveries", "uninitialized", 2, None, 2, False),
    ("a fresh system: a live counter ahead of the events", "uninitialized", 1, None, 3, True),
    ("a fresh system: a live counter behind the events", "initialized", 2, None, 1, True),
]


@pytest.mark.parametrize(("why", "state", "events", "snapshot", "live", "violated"), TABLE,
                         ids=[row[0] for row in TABLE])
def test_the_live_counter_is_held_to_the_history_only_from_a_known_base(
        why: str, state: str, events: int, snapshot: int | None, live: int, violated: bool) -> None:
    v = _judge(_history(state, events, snapshot), live)
    assert (not v.ok) is violated, (why, v)
