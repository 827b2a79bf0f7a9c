"""Thread storms against the coordinator and the whole system: no violation, no deadlock.

Many short storms rather than one long one, so every history stays small enough for the
linearizability search; pytest-timeout turns a deadlock into a failure with every thread's stack.
"""

from __future__ import annotations

import threading

import pytest

from harness.faults import coordinator_storm, system_storm
from harness import History
from harness import assert_ok, check_all, check_linearizable
from system_under_test.coordinator import ComponentCoordinator

pytestmark = pytest.mark.timeout(60)


@pytest.mark.parametrize("threads", [8, 16, 32, 64])
def test_coordinator_storms_are_linearizable(threads):
    for seed in range(16):
        h = History()
        stats = coordinator_storm(ComponentCoordinator(), h, threads=threads, ops_per_thread=max(4, 240 // threads),
                                  components=("a",) if seed % 2 else ("a", "b", "c"), seed=seed)
        assert not stats.errors
        assert stats.outcomes.get("ok", 0) > 0
        verdicts = check_all(h, only=["legal_transitions", "history_complete", "linearizable"])
        assert_ok(verdicts)
        assert not verdicts[2].inconclusive, verdicts[2].message


@pytest.mark.parametrize("threads", [8, 32, 64])
def test_system_storms_hold_every_invariant(threads, storm_system):
    before = threading.enumerate()
    for seed in range(10):
        system = storm_system(seed)
        h = History(meta={"seed": seed}).attach(system)
        stats = system_storm(system, threads=threads, ops_per_thread=max(2, 160 // threads), seed=seed, history=h)
        assert not stats.errors, stats.errors
        lin = check_linearizable(h)
        assert lin.ok and not lin.inconclusive, lin
        system.run_for(0.2)     # let the supervisor and the stream run on whatever the storm left
        system.close()
        assert_ok(check_all(h, system, threads_before=before))
    assert sum(1 for t in threading.enumerate() if t.name.startswith("storm-")) == 0
