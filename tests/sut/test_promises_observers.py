"""Observers are notified outside the coordinator lock.

An observer that hands work to another thread and waits for it (a GUI thread, a logger with its own
worker) must not deadlock when that thread calls back into the coordinator. Each check waits with a
bounded join: on a lock held during notification the helper thread is still blocked when the join
returns, and the check fails instead of hanging.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from system_under_test import AudioSystem, State
from system_under_test.clock import VirtualClock
from system_under_test.coordinator import ComponentCoordinator
from system_under_test.errors import DeviceLostError, SimulatedError

#: generous for a loaded 2-core machine; a healthy call back returns in microseconds
JOIN_S = 10.0


def _call_back_from_another_thread(call: Callable[[], Any]) -> tuple[bool, list[Any]]:
    """Run ``call`` on a fresh thread and wait for it at most JOIN_S; (finished, results)."""
    out: list[Any] = []
    t = threading.Thread(target=lambda: out.append(call()), daemon=True)
    t.start()
    t.join(JOIN_S)
    return not t.is_alive(), out


def _coordinator() -> ComponentCoordinator:
    c = ComponentCoordinator(VirtualClock())
    c.register("dsp")
    c.register("input", depends_on=["dsp"])
    c.register("other")
    return c


@pytest.mark.parametrize("call_back", ["states", "transition", "components", "errors"])
def test_a_transition_observer_may_wait_for_another_thread_calling_back(call_back):
    c = _coordinator()
    seen: list[tuple[bool, list[Any]]] = []
    calls = {
        "states": c.states,
        "transition": lambda: c.try_transition("other", State.INITIALIZED, "from the observer's helper"),
        "components": lambda: c.components,
        "errors": c.errors,
    }

    def observer(record):
        if record.component == "dsp":
            seen.append(_call_back_from_another_thread(calls[call_back]))

    c.add_observer(observer)
    c.transition("dsp", State.INITIALIZED, "x")
    assert [finished for finished, _ in seen] == [True]
    if call_back == "states":
        assert seen[0][1][0]["dsp"] == State.INITIALIZED  # the observer sees the applied change
    if call_back == "transition":
        assert c.state("other") == State.INITIALIZED
    assert c.has_observer(observer)


def test_an_error_observer_may_wait_for_another_thread_calling_back():
    c = _coordinator()
    seen = []
    c.add_error_observer(lambda rec: seen.append(_call_back_from_another_thread(c.errors)))
    rec = c.handle_error("dsp", SimulatedError("x"))
    assert [finished for finished, _ in seen] == [True]
    assert seen[0][1] == [[rec]]


def test_observers_of_a_failure_cascade_may_wait_for_another_thread_calling_back():
    c = _coordinator()
    for name in ("dsp", "input"):
        for s in (State.INITIALIZED, State.CONFIGURED, State.STARTING, State.RUNNING):
            c.transition(name, s, "up")
    seen = []
    c.add_observer(lambda rec: seen.append(_call_back_from_another_thread(c.states)[0]))
    c.fail("dsp", "boom")
    assert seen == [True, True]


def test_a_system_observer_may_wait_for_another_thread_reading_the_coordinator():
    s = AudioSystem({}, seed=4)
    seen = []

    def observer(record):
        if record.component == "system":
            seen.append(_call_back_from_another_thread(s.coordinator.states)[0])

    s.add_observer(observer)
    s.initialize()
    s.start()
    s.run_for(0.05)
    s.coordinator.handle_error("device", DeviceLostError("gone", component="device"))
    s.run_for(0.5)
    s.stop()
    s.close()
    assert len(seen) >= 6 and all(seen)
