"""A recovery's teardown that waited for a CPU: the wait is the machine's share of the episode,
told once (on the run's first event after the teardown) and never more than the teardown took on
the clock.

The simulated backend measures no wait (its time is virtual), so the backend here reads a scripted
wait for the tearing-down thread, and the dead stream's close takes a fixed time on the virtual
clock: every figure below is exact.
"""

from __future__ import annotations

from typing import Any

import pytest

from system_under_test import AudioSystem, State
from system_under_test.system import SystemEvent

#: the dead stream's close, on the virtual clock
TEARDOWN_S = 0.4
#: a run that fails on the primary device alone: three attempts, 10 then 20 ms apart
CONFIG = {"recovery": {"initial_backoff_ms": 10, "max_attempts": 3, "deadline_ms": 5_000}}


def _run_after_a_slow_teardown(measured: float) -> list[SystemEvent]:
    """The input device vanishes for good; tearing its dead stream down takes ``TEARDOWN_S`` of
    the clock, over which the backend reads the tearing-down thread's wait for a CPU as
    ``measured``. Returns the recovery's events, the run ended FAILED."""
    s = AudioSystem(CONFIG, seed=5)
    close = s._safe_close

    def slow_close(stream: Any) -> None:
        if s.state == State.RECOVERING:
            s.clock.sleep(TEARDOWN_S)
        close(stream)

    s._safe_close = slow_close  # type: ignore[method-assign]
    reads = [20.0, 20.0 + measured]  # before and after the teardown, the run's only two reads
    s.backend.thread_cpu_wait = lambda tid: reads.pop(0) if reads else None  # type: ignore[method-assign]
    s.initialize()
    s.start()
    s.run_for(0.05)
    events: list[SystemEvent] = []
    s.add_event_listener(events.append)
    try:
        s.backend.remove_device("sim-in")
        s.run_for(1.0)
        assert s.state == State.FAILED
    finally:
        s.close()
    return [e for e in events if e.kind.startswith("recovery_")]


def _late(events: list[SystemEvent]) -> list[tuple[str, float | None]]:
    return [(e.kind, e.data.get("late_s")) for e in events
            if e.kind in ("recovery_attempt", "recovery_failed")]


def test_a_teardown_s_wait_is_told_on_the_first_attempt_only():
    assert _late(_run_after_a_slow_teardown(0.25)) == [
        ("recovery_attempt", pytest.approx(0.25)), ("recovery_attempt", None), ("recovery_attempt", None),
        ("recovery_failed", None)]


def test_a_teardown_s_wait_is_never_more_than_the_teardown_took():
    """A wait read as 2 s over a 0.4 s teardown (a counter read across more than the teardown):
    the episode's start lost at most the teardown's time to the machine."""
    late = _late(_run_after_a_slow_teardown(2.0))
    assert late[0] == ("recovery_attempt", pytest.approx(TEARDOWN_S)), late
