"""Check-then-act: every public operation of the system is driven by concurrent storms and judged
by linearizability, ``close`` included (it races every other operation here)."""

from __future__ import annotations

import inspect
import threading

import pytest

from harness.faults import STORM_OPERATIONS, system_storm
from harness import History
from harness.invariants import SystemModel, assert_ok, check_all, check_linearizable
from system_under_test import AudioSystem

pytestmark = pytest.mark.timeout(60)

#: Public members of AudioSystem that are not lifecycle operations, each with why a storm need not
#: drive it as an operation of its own.
NOT_OPERATIONS = {
    "health": "a read; the invariants' health check reads it after every storm",
    "is_healthy": "a read of health()",
    "metrics": "a read; monitoring only measures (tests/sut/test_promises_monitoring.py)",
    "frame_accounts": "a read; frame_accounting reads it after every storm",
    "bounded_logs": "a read of the bounded logs' fill under their locks (tests/sut/test_bounded_logs.py)",
    "held_silences": "a read of the silences the watchdog laid on the machine (tests/sut/test_watchdog_held_delivery.py)",
    "poll": "the supervisor's pass; it runs on every tick of the storm's clock",
    "run_for": "advances the simulation clock; not an operation on the system's state",
    "add_observer": "subscription plumbing (tests/sut/test_promises_observers.py)",
    "add_event_listener": "subscription plumbing",
    "remove_event_listener": "subscription plumbing",
}


def _public_operations() -> set[str]:
    return {name for name, member in inspect.getmembers(AudioSystem)
            if not name.startswith("_") and callable(member) and not isinstance(member, type)}


def test_every_public_operation_is_stormed_and_modelled():
    stormed = {"configure" if op == "configure_invalid" else op for op in STORM_OPERATIONS} | {"close"}
    public = _public_operations()
    assert public - set(NOT_OPERATIONS) == stormed, "a public operation is neither stormed nor excused"
    assert set(NOT_OPERATIONS) <= public, "an excused name is no longer public: drop it"
    model = SystemModel()
    for op in stormed:
        assert model.knows(type("Op", (), {"op": op})()), op


@pytest.mark.parametrize("seed", range(6))
def test_storms_where_close_races_every_other_operation_are_linearizable(seed):
    before = threading.enumerate()
    system = AudioSystem({} if seed % 2 else None, seed=seed)
    if seed % 3:
        system.initialize()
        if seed % 2:
            system.start()
    h = History(meta={"seed": seed}).attach(system)
    operations = (*STORM_OPERATIONS, "close")
    stats = system_storm(system, threads=8, ops_per_thread=12, seed=seed, history=h, operations=operations)
    assert not stats.errors, stats.errors
    assert stats.outcomes.get("ok", 0) > 0
    lin = check_linearizable(h)
    assert lin.ok and not lin.inconclusive, lin
    system.run_for(0.2)
    system.close()
    assert_ok(check_all(h, system, threads_before=before))


def test_closes_racing_each_other_and_the_lifecycle_are_linearizable():
    """Many threads close a running system at once while others start, stop and pause it: close
    must stay idempotent and atomic (checked and acted on under the system's lock)."""
    before = threading.enumerate()
    for seed in range(30):
        system = AudioSystem({}, seed=seed)
        system.initialize()
        system.start()
        h = History(meta={"seed": seed}).attach(system)
        stats = system_storm(system, threads=8, ops_per_thread=3, seed=seed, history=h,
                             operations=("close", "close", "close", "stop", "start", "pause"))
        assert not stats.errors, (seed, stats.errors)
        lin = check_linearizable(h)
        assert lin.ok and not lin.inconclusive, (seed, lin)
        system.close()
        assert_ok(check_all(h, system, threads_before=before))
