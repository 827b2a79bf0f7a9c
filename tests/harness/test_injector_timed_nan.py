"""A timed fault whose time is not a number is due now, as the virtual clock reads such a time:
armed a horizon ahead (``TIMED_HORIZON_S``), it is not lost, and it does not hold back the faults
after it. A NaN compared with the horizon's end is never inside it: read as a number, the first
such fault stopped the arming of every fault behind it for the whole run."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, ClassVar

from harness.faults import FaultInjector, Schedule
from harness.faults.kinds import Fault, FaultContext
from harness.faults.triggers import At
from system_under_test.clock import VirtualClock


class _Noted(Fault):
    """Does nothing when it fires: its firing is what the test reads."""

    kind: ClassVar[str] = "noted"

    def start(self, ctx: FaultContext) -> Any:
        return {}


def test_a_fault_timed_at_nan_fires_at_once_and_the_faults_after_it_still_fire() -> None:
    clock = VirtualClock()
    faults: list[Fault] = [_Noted(trigger=At(float("nan"))), _Noted(trigger=At(1.0)), _Noted(trigger=At(90.0))]
    for i, fault in enumerate(faults):
        fault.fault_id = f"noted#{i}"
    injector = FaultInjector(SimpleNamespace(clock=clock), Schedule(faults), seed=1, target=SimpleNamespace())
    injector.arm()
    clock.advance(0.5)
    assert [(r.fault_id, r.fired_at) for r in injector.records] == [("noted#0", 0.0)]
    clock.advance(100.0)
    assert [(r.fault_id, r.fired_at) for r in injector.records] == [("noted#0", 0.0), ("noted#1", 1.0),
                                                                     ("noted#2", 90.0)]
    injector.disarm()
