"""The counter invariants' base on a history attached to a system already used.

The monitoring's counters count from the system's start, the history's announcements from its
attach: ``History.attach`` records the counters as they stand, and ``recoveries_counted`` and
``stalls_counted`` judge what is counted after the attach against what is announced after it. A
miscount between the attach and the first metrics snapshot is therefore seen; only a history
whose attach entry records no counters (a file written before attach recorded them) still takes
the first snapshot's excess as the base, and says so in its verdict.

Known answers on the shipped system (simulated device, virtual clock): a used system that
miscounts right after the attach fails, one that counts right passes; the same history with the
attach's counters taken out (as an old file has it) passes with the inferred base named.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.history import History
from harness.invariants import (INFERRED_BASE, Verdict, check_all, check_recoveries_counted,
                                check_stalls_counted)
from system_under_test import AudioSystem


def _used_system() -> AudioSystem:
    """A running system that has recovered once (its input device removed, the backup taken)."""
    system = AudioSystem({"recovery": {"initial_backoff_ms": 10, "max_attempts": 2},
                          "device": {"fallback_devices": ["sim-backup"]}}, seed=5)
    system.initialize()
    system.start()
    system.run_for(0.1)
    system.backend.remove_device("sim-in")
    system.run_for(0.3)
    assert system.monitoring.value("recoveries") == 1
    return system


def _attached_history(*, miscount: bool) -> tuple[History, AudioSystem]:
    """A history attached to a used system; ``miscount``: a recovery counted, never announced,
    before the first snapshot. Then one more real recovery (the backup removed, the input
    device back) and snapshots every 50 ms."""
    system = _used_system()
    h = History().attach(system)
    if miscount:
        system.monitoring.counter("recoveries").inc()
    system.backend.restore_device("sim-in")
    system.backend.remove_device("sim-backup")
    h.snapshot(system)
    system.run_for(0.3)
    h.snapshot(system)
    return h, system


def _judged(h: History, system: AudioSystem) -> tuple[Verdict, Verdict]:
    """``recoveries_counted`` from the history alone and against the live system (as ``check_all``
    judges it, which must agree)."""
    offline = check_recoveries_counted(h)
    live = check_recoveries_counted(h, system)
    assert check_all(h, system, only=["recoveries_counted"])[0].to_dict() == live.to_dict()
    return offline, live


def _without_attach_counters(h: History, tmp_path: Path) -> History:
    """``h`` written and read back with its attach entry's ``counters`` taken out: a history file
    as written before attach recorded them."""
    path = h.write_jsonl(tmp_path / "history.jsonl")
    lines = []
    for line in path.read_text().splitlines():
        entry = json.loads(line)
        if entry.get("type") == "attach":
            assert "counters" in entry["data"]
            del entry["data"]["counters"]
        lines.append(json.dumps(entry))
    old = tmp_path / "old.jsonl"
    old.write_text("\n".join(lines) + "\n")
    return History.read_jsonl(old)


def test_the_attach_records_the_counters_as_they_stand() -> None:
    system = _used_system()
    try:
        h = History().attach(system)
        assert h.initial is not None
        assert h.initial["counters"]["recoveries"] == 1
        assert h.initial["counters"] == {n: c.value for n, c in system.monitoring.counters.items()}
    finally:
        system.close()


def test_a_used_system_miscounting_before_the_first_snapshot_fails() -> None:
    h, system = _attached_history(miscount=True)
    try:
        offline, live = _judged(h, system)
    finally:
        system.close()
    for v in (offline, live):
        assert not v.ok, v
        assert INFERRED_BASE not in v.message
    assert offline.evidence[0]["why"] == "recoveries counted recoveries never announced"
    assert offline.evidence[0]["message"] == (
        "recoveries 1 (beyond the 1 counted before the history began), recovery_succeeded events 0 at t=0.400 s")


def test_a_used_system_counting_right_passes() -> None:
    h, system = _attached_history(miscount=False)
    try:
        offline, live = _judged(h, system)
    finally:
        system.close()
    assert offline.ok and not offline.inconclusive, offline
    assert offline.message == "recoveries equals the 1 recovery_succeeded event(s) at 2 snapshot(s)"
    assert live.ok and not live.inconclusive, live
    assert live.message == offline.message + " and live at the end"


@pytest.mark.parametrize("miscount", [False, True], ids=["counting right", "miscounting before the snapshot"])
def test_an_old_attach_entry_infers_the_base_and_says_so(miscount: bool, tmp_path: Path) -> None:
    h, system = _attached_history(miscount=miscount)
    try:
        old = _without_attach_counters(h, tmp_path)
        offline, live = _judged(old, system)
    finally:
        system.close()
    for v in (offline, live):
        assert v.ok and not v.inconclusive, v  # the miscount before the snapshot is absorbed: said, not seen
        assert v.message.endswith("; " + INFERRED_BASE), v.message
    assert offline.message == ("recoveries equals the 1 recovery_succeeded event(s) at 2 snapshot(s); "
                               "base inferred at the first snapshot: a miscount before it cannot be seen")


def test_an_old_attach_entry_with_no_snapshot_says_the_live_counter_cannot_be_held(tmp_path: Path) -> None:
    system = _used_system()
    try:
        h = History().attach(system)
        system.run_for(0.1)
        old = _without_attach_counters(h, tmp_path)
        v = check_recoveries_counted(old, system)
        new = check_recoveries_counted(h, system)
    finally:
        system.close()
    assert v.ok and v.message == ("the history's attach records no counters and it holds no snapshot: the live "
                                  "counter (1) cannot be held to its 0 recovery_succeeded event(s)"), v
    assert new.ok and new.message == "no recovery announced and none counted: nothing to judge", new


def _stalled_system() -> AudioSystem:
    """A running system whose watchdog has reported stalls (its input device stalled for 100 ms)."""
    system = AudioSystem({}, seed=5)
    system.initialize()
    system.start()
    system.run_for(0.1)
    system.backend.stall("sim-in")
    system.run_for(0.1)
    system.backend.unstall("sim-in")
    system.run_for(0.2)
    return system


def test_stalls_counted_before_the_attach_are_not_the_history_s() -> None:
    system = _stalled_system()
    try:
        before = system.monitoring.value("device_stalls")
        h = History().attach(system)
        h.snapshot(system)
        system.run_for(0.2)
        h.snapshot(system)
        offline, live = check_stalls_counted(h), check_stalls_counted(h, system)
    finally:
        system.close()
    assert before > 0
    assert offline.ok and live.ok, (offline, live)
    assert h.initial is not None and h.initial["counters"]["device_stalls"] == before
