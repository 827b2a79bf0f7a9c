"""A recovery whose system an observer closes ends closed, quietly: never an illegal transition.

Observers are notified outside the coordinator lock and may call back into the system; one that
closes it while a recovery runs (as the system enters RECOVERING, or as a component comes back)
used to make ``recover()`` raise ``IllegalTransitionError`` (CLOSED -> FAILED, or CLOSED ->
RUNNING). Closed is final: ``recover()`` raises ``SystemClosedError`` as every operation closed
under it does, a background recovery simply ends, and nothing stays open.
"""

from __future__ import annotations

import pytest

from system_under_test import AudioSystem
from system_under_test.errors import SimulatedError, SystemClosedError
from system_under_test.lifecycle import State
from system_under_test.system import SYSTEM


def _failed() -> AudioSystem:
    s = AudioSystem({})
    s.initialize()
    s.start()
    s.run_for(0.1)
    with pytest.raises(SimulatedError):
        s.simulate_error("device")
    assert s.state == State.FAILED
    return s


def _closes_once(s: AudioSystem, component: str, to_state: State, cause: str | None = None) -> list:
    fired: list = []

    def close_now(record) -> None:
        if not fired and record.component == component and record.to_state == to_state \
                and (cause is None or record.cause == cause):
            fired.append(record)
            s.close()

    s.add_observer(close_now)
    return fired


def _nothing_open(s: AudioSystem) -> None:
    assert s.state == State.CLOSED and s.stream is None and s.pipeline is None
    assert s.backend.open_streams() == [] and s.resources.live() == []


@pytest.mark.parametrize("component, to_state, cause", [
    (SYSTEM, State.RECOVERING, None),
    ("device", State.RECOVERING, None),
    ("device", State.RUNNING, "recovered"),
    (SYSTEM, State.RUNNING, "recovered"),
])
def test_recover_closed_by_an_observer_raises_system_closed(component, to_state, cause):
    s = _failed()
    fired = _closes_once(s, component, to_state, cause)
    with pytest.raises(SystemClosedError):
        s.recover()
    assert fired
    _nothing_open(s)


@pytest.mark.parametrize("component, to_state, cause", [
    (SYSTEM, State.RECOVERING, None),
    ("device", State.RUNNING, "recovered"),
])
def test_a_background_recovery_closed_by_an_observer_just_ends(component, to_state, cause):
    s = AudioSystem({})
    s.initialize()
    s.start()
    s.run_for(0.1)
    fired = _closes_once(s, component, to_state, cause)
    s.backend.remove_device("sim-in")
    s.run_for(0.05)
    s.backend.restore_device("sim-in")
    s.run_for(2.0)  # the supervisor's recovery runs on the virtual clock, and nothing raises
    assert fired
    _nothing_open(s)
    assert s.monitoring.counter("recoveries").value == 0  # closed is not a recovery
