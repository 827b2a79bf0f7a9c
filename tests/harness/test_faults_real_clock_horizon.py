"""On a real clock too, the fault injector arms a schedule's ``At`` faults a horizon ahead (issue #11).

On a real clock (the rig, PortAudio backends) the injector's timers run on its own scheduler thread
(``system_under_test.scheduler.ThreadScheduler``), and it queued every ``At`` fault of the schedule
there at arming: a long real-device soak held ~1 kB a fault from its start and drained it as they
fired, the heap fall that hid a small-objects leak on the simulated clock. It now arms them as it
does on a virtual clock, ``TIMED_HORIZON_S`` ahead. No device and no sleep here: the real
``ThreadScheduler`` runs the timers on its thread, over a clock whose time the test sets; after
each step the test queues one more timer on that scheduler and waits for it (every timer due by
then ran before it, in order), with a generous bound only as a hang guard.
"""

from __future__ import annotations

import random
import threading

import pytest
from kept_instances import kept_instances

import system_under_test.scheduler as scheduler_module
from harness.faults import FaultInjector
from harness.faults.injector import TIMED_HORIZON_S
from harness.faults.kinds import InputStarved
from harness.faults.triggers import At
from system_under_test.clock import Clock

#: seconds a step may take on a loaded machine before the test calls it a hang
HANG_GUARD_S = 30.0


class _SetClock(Clock):
    """A real clock as the injector sees one (no ``call_at``, not virtual: it runs its own
    scheduler thread), whose time moves only when the test sets it."""

    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        raise AssertionError("nothing here may wait on the clock")


class _System:
    """What the injector asks of a system for these faults: its clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock


class _Target:
    """A device target that notes each fault start on it, with the clock's time."""

    capabilities = frozenset({"starve_input"})

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.started: list[float] = []

    def why_not(self, capability: str) -> str:
        return "not here"

    def starve_input(self, name: str) -> None:
        self.started.append(self.clock.now())

    def feed_input(self, name: str) -> None:
        pass


@pytest.fixture
def schedulers(monkeypatch: pytest.MonkeyPatch) -> list[scheduler_module.ThreadScheduler]:
    """Every ``ThreadScheduler`` made while the test runs (the injector's, on a real clock)."""
    return kept_instances(monkeypatch, scheduler_module, "ThreadScheduler")


def _step_to(clock: _SetClock, scheduler: scheduler_module.ThreadScheduler, t: float) -> None:
    """Set the clock to ``t`` and return once the scheduler's thread has run every timer due."""
    clock.t = t
    ran = threading.Event()
    scheduler.call_later(0.0, ran.set)
    assert ran.wait(HANG_GUARD_S), f"the scheduler thread ran nothing due by {t} s"


def _faults(seed: int, n: int, span: float) -> tuple[list[float], list[InputStarved]]:
    rng = random.Random(seed)
    times = [round(rng.uniform(0.1, span), 6) for _ in range(n)]
    times[7] = times[150] = times[60]  # three faults at one instant, far apart in the schedule
    return times, [InputStarved(trigger=At(t), duration_s=0.0, fault_id=f"starve#{i}") for i, t in enumerate(times)]


def test_a_real_clocks_timed_faults_are_armed_a_horizon_ahead_and_fire_in_time_order(
        schedulers: list[scheduler_module.ThreadScheduler]) -> None:
    clock = _SetClock()
    target = _Target(clock)
    span = 5 * TIMED_HORIZON_S
    times, faults = _faults(96150, 240, span)
    injector = FaultInjector(_System(clock), faults, seed=1, target=target).arm()
    try:
        due_within_horizon = sum(1 for t in times if t < TIMED_HORIZON_S)
        held = [injector.pending_timers]
        (scheduler,) = schedulers  # the injector's own thread: the clock has no call_at
        step = TIMED_HORIZON_S / 12
        for i in range(1, int(span / step) + 3):
            _step_to(clock, scheduler, i * step)
            held.append(injector.pending_timers)
        assert held[0] <= due_within_horizon + 1  # the horizon's faults and the next arming, not all 240
        assert max(held) <= 2 * due_within_horizon + 10
        assert held[-1] == 0 and injector.fired == len(faults)
        order = sorted(range(len(faults)), key=lambda i: times[i])  # stable: a time's faults in schedule order
        assert [r.fault_id for r in injector.records] == [faults[i].fault_id for i in order]
        # each fired at the first step at or past its time, none early
        assert all(t >= times[i] for t, i in zip(target.started, order, strict=True))
    finally:
        injector.disarm()


def test_disarm_on_a_real_clock_leaves_no_fault_to_fire(
        schedulers: list[scheduler_module.ThreadScheduler]) -> None:
    """Disarmed with most of the schedule not yet armed, nothing of it fires afterwards: the
    next horizon's arming finds the injector disarmed."""
    clock = _SetClock()
    target = _Target(clock)
    times, faults = _faults(96151, 240, 5 * TIMED_HORIZON_S)
    injector = FaultInjector(_System(clock), faults, seed=1, target=target).arm()
    (scheduler,) = schedulers
    _step_to(clock, scheduler, TIMED_HORIZON_S / 4)
    fired = injector.fired
    assert fired == sum(1 for t in times if t <= TIMED_HORIZON_S / 4)
    keep = scheduler_module.ThreadScheduler(clock, name="test-after-disarm")  # the injector's closes at disarm
    try:
        injector.disarm()
        assert injector.pending_timers == 0
        _step_to(clock, keep, 10 * TIMED_HORIZON_S)
        assert injector.fired == fired and len(target.started) == fired
    finally:
        keep.close()

