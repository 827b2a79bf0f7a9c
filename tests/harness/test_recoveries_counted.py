"""The ``recoveries_counted`` invariant: the monitoring's ``recoveries`` equals the
``recovery_succeeded`` events, at every snapshot of a virtual-clock history and live at the end.
A table of crafted histories each way, then the shipped system recovering for real on the
simulated device and its virtual clock, and the same system with its count lost."""

from __future__ import annotations

from typing import Any

import pytest

from harness.history import History
from harness.invariants import NAMES, Verdict, check_all, check_recoveries_counted
from system_under_test import AudioSystem

from miscounting_systems import lose_the_recoveries_count

# a history is a list of steps: ("ok", t) a recovery_succeeded event, ("snap", t, n) a snapshot
# whose recoveries counter reads n (None: a snapshot without the counter)
Step = tuple[Any, ...]


def _history(steps: list[Step], *, clock: str = "virtual", state: str = "uninitialized") -> History:
    h = History()
    h.record("attach", time=0.0, data={"state": state, "configured": False, "pending": False, "clock": clock,
                                       "components": {"system": state}})
    for step in steps:
        if step[0] == "ok":
            h.record("event", time=step[1], value="recovery_succeeded", data={"attempts": 1, "target": "running"})
        else:
            counters: dict[str, Any] = {"callbacks": 10}
            if step[2] is not None:
                counters["recoveries"] = step[2]
            h.record("metrics", time=step[1], data={"state": "running", "counters": counters})
    return h


def _judge(h: History) -> Verdict:
    v = check_recoveries_counted(h)
    assert check_all(h, only=["recoveries_counted"])[0].to_dict() == v.to_dict()
    return v


def test_it_is_registered() -> None:
    assert "recoveries_counted" in NAMES


#: (why, steps, attach state, clock, expected outcome: "held", "violated" or "inconclusive")
TABLE = [
    ("no recovery, counter zero", [("snap", 1.0, 0), ("snap", 2.0, 0)], "uninitialized", "virtual", "held"),
    ("each recovery counted by the next snapshot",
     [("snap", 1.0, 0), ("ok", 1.5), ("snap", 2.0, 1), ("ok", 2.2), ("ok", 2.4), ("snap", 3.0, 3)],
     "uninitialized", "virtual", "held"),
    ("a history begun on a used system: the first snapshot's excess is the recoveries before it",
     [("snap", 1.0, 7), ("ok", 1.5), ("snap", 2.0, 8)], "running", "virtual", "held"),
    ("a used system whose attach kept no counters: a recovery announced before the first snapshot is the "
     "history's, not part of the base", [("ok", 0.5), ("snap", 1.0, 8), ("ok", 1.5), ("snap", 2.0, 9)],
     "running", "virtual", "held"),
    ("snapshots without the counter: nothing to judge", [("ok", 1.0), ("snap", 2.0, None)],
     "uninitialized", "virtual", "held"),
    ("the counter lost: recoveries announced, none counted",
     [("snap", 1.0, 0), ("ok", 1.5), ("snap", 2.0, 0)], "uninitialized", "virtual", "violated"),
    ("a recovery counted twice", [("ok", 1.5), ("snap", 2.0, 2)], "uninitialized", "virtual", "violated"),
    ("a recovery counted, never announced", [("snap", 2.0, 1)], "initialized", "virtual", "violated"),
    ("a used system's counter that stops counting",
     [("snap", 1.0, 7), ("ok", 1.5), ("snap", 2.0, 7)], "running", "virtual", "violated"),
    ("a real clock's snapshot may fall between the count and its event: not judged",
     [("ok", 1.5), ("snap", 2.0, 0)], "uninitialized", "real", "inconclusive"),
]


@pytest.mark.parametrize(("why", "steps", "state", "clock", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_the_table(why: str, steps: list[Step], state: str, clock: str, expected: str) -> None:
    v = _judge(_history(steps, clock=clock, state=state))
    got = "violated" if not v.ok else "inconclusive" if v.inconclusive else "held"
    assert got == expected, (why, v)


def test_a_lagging_count_names_the_snapshot_and_both_figures() -> None:
    v = _judge(_history([("snap", 1.0, 0), ("ok", 1.5), ("snap", 2.0, 0)]))
    assert [e["why"] for e in v.evidence] == ["recoveries counted fewer than recovery_succeeded announced"]
    assert v.evidence[0]["message"] == "recoveries 0, recovery_succeeded events 1 at t=2.000 s"
    assert v.message == "1 recoveries count(s) disagree with the recovery_succeeded events"


def _recover_for_real() -> tuple[Verdict, Verdict]:
    """The input device removed while the system runs: the recovery falls back to the backup
    device. Judged from the history alone and against the live system, snapshots every 50 ms."""
    system = AudioSystem({"recovery": {"initial_backoff_ms": 10, "max_attempts": 2},
                          "device": {"fallback_devices": ["sim-backup"]}}, seed=5)
    h = History().attach(system, metrics_every_s=0.05)
    try:
        system.initialize()
        system.start()
        system.run_for(0.1)
        system.backend.remove_device("sim-in")
        system.run_for(0.3)
        live = check_recoveries_counted(h, system)
    finally:
        system.close()
        h.detach()
    return check_recoveries_counted(h), live


def test_the_shipped_system_counts_every_recovery_it_announces() -> None:
    offline, live = _recover_for_real()
    assert offline.ok and not offline.inconclusive, offline
    assert offline.message == "recoveries equals the 1 recovery_succeeded event(s) at 8 snapshot(s)"
    assert live.ok and not live.inconclusive, live
    assert live.message == offline.message + " and live at the end"


def test_a_system_that_loses_its_count_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    lose_the_recoveries_count(monkeypatch)
    offline, live = _recover_for_real()
    assert not offline.ok and not live.ok
    assert live.evidence[-1]["message"] == "recoveries 0, recovery_succeeded events 1 at the run's end (live)"
