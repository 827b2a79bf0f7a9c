"""What ``LiveChecker`` reads of the live system between history entries, and what it must not.

With ``system_reads=True`` (the default) a live check reads the system's own ``callback_errors``
counter and ``health()``: a callback error counted and never reported, or a health that
contradicts the state, fails the check of that step although the history holds nothing new. With
``system_reads=False`` (a real device's soak, ``LIVE_READS_APART``) those two are judged from the
history alone: the same live values must not fail the check, or a soak on a real device reads a
torn pair of reads as a bug. And the ``recovery`` check judges an open episode at the system's
clock, not at the last entry's time: a system stuck recovering with nothing recorded since is
failed at the first check past its deadline, not only at the run's end.

Crafted histories on a system that never runs (its counter, health and clock set by hand)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.history import History
from harness.invariants import LIVE_READS_APART, LiveChecker, Verdict, recovery_episode_bound_s
from system_under_test import AudioSystem


@pytest.fixture
def idle() -> Iterator[AudioSystem]:
    """A system that never runs: the checker's live reads of it are set by hand."""
    system = AudioSystem(seed=1)
    yield system
    system.close()


def _attach(state: str = "uninitialized") -> History:
    h = History()
    h.record("attach", time=0.0, data={"state": state, "configured": state != "uninitialized", "pending": False,
                                       "clock": "virtual", "components": {"system": state}, "next_seq": 1})
    return h


def _checked(system: AudioSystem, h: History, *, system_reads: bool = True) -> dict[str, Verdict]:
    live = LiveChecker(system, h, system_reads=system_reads)
    try:
        return {v.name: v for v in live.check()}
    finally:
        live.close()


def _health_saying_running(system: AudioSystem) -> None:
    """``health()`` says running and healthy; the system's state stays ``uninitialized``."""
    real = system.health

    def says_running() -> dict[str, Any]:
        return {**real(), "state": "running", "healthy": True}

    system.health = says_running  # type: ignore[method-assign]


def test_the_live_reads_apart_are_the_health_and_callback_errors_checks() -> None:
    """The two cases below are every read ``system_reads=False`` leaves out: a third needs its own."""
    assert set(LIVE_READS_APART) == {"health", "callback_errors"}


def test_a_callback_error_counted_and_never_reported_fails_the_live_check(idle: AudioSystem) -> None:
    """A lost report: the counter moved, no ``error`` entry came. Read live, the check of this step
    fails with the count, the reports and the queue; judged from the history alone it cannot."""
    idle.monitoring.counter("callback_errors").value += 1
    read = _checked(idle, _attach())["callback_errors"]
    assert not read.ok
    assert read.evidence == [{"why": "live: callback errors counted != reported + queued", "counted": 1,
                              "reported": 0, "queued": 0}]
    assert _checked(idle, _attach(), system_reads=False)["callback_errors"].ok


def test_a_health_that_contradicts_the_state_fails_the_live_check(idle: AudioSystem) -> None:
    """``health()`` says running while the system is uninitialized: read live, the check fails
    naming both; judged from the history alone (``system_reads=False``) it agrees, as it must on a
    real device, where the two reads may fall either side of a transition."""
    _health_saying_running(idle)
    read = _checked(idle, _attach())["health"]
    assert not read.ok
    assert read.evidence == [{"time": 0.0, "problem": "live: health says running but the state is uninitialized"}]
    apart = _checked(idle, _attach(), system_reads=False)
    assert apart["health"].ok and apart["health"].message == "health agrees with the history"
    assert apart["callback_errors"].ok


def test_a_system_stuck_recovering_fails_the_first_check_past_its_deadline(idle: AudioSystem) -> None:
    """The episode opened at 1 s and nothing was recorded after it: a check before the deadline
    holds, the first one past it fails, on the system's clock (the history's last entry is still
    at 1 s)."""
    bound = recovery_episode_bound_s({})
    h = _attach("running")
    h.record("transition", time=1.0, data={"seq": 1, "time": 1.0, "component": "system",
                                           "from_state": "running", "to_state": "recovering",
                                           "cause": "device_lost"})
    live = LiveChecker(idle, h)
    try:
        idle.clock.advance(1.0 + bound / 2)
        assert {v.name: v for v in live.check()}["recovery"].ok
        idle.clock.advance(bound)
        late = {v.name: v for v in live.check()}["recovery"]
    finally:
        live.close()
    assert h.end_time == 1.0
    assert not late.ok and late.message == "1 recovery problem(s)"
    (stuck,) = late.evidence
    assert (stuck["why"], stuck["entered"], stuck["now"], stuck["bound_s"]) == (
        "still recovering past the deadline", 1.0, 1.0 + bound / 2 + bound, bound)
