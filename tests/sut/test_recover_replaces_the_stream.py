"""``recover()`` from RUNNING with an unhealthy component replaces the stream it finds: the old
one is closed and its ``streams`` allocation given back before the new one opens, so a recovery
never leaves a stream behind (the issue's "every teardown path releases what it holds: dead
streams")."""

from __future__ import annotations

import pytest

from system_under_test import AudioSystem, State
from system_under_test.resources import ResourceType


@pytest.mark.parametrize("seed", range(5))
def test_recover_from_running_closes_the_stream_it_replaces(seed: int) -> None:
    system = AudioSystem({}, seed=seed)
    system.initialize()
    system.start()
    system.run_for(0.05 + 0.01 * seed)
    old = system.stream
    assert old is not None
    old.stop()  # the stream stopped under the system: the device component is unhealthy
    assert not system.is_healthy()
    assert system.recover() is True
    assert system.state == State.RUNNING and system.stream is not old
    assert old.closed, "the replaced stream was left open"
    assert system.backend.open_streams() == [system.stream]
    assert system.resources.usage("device").get(ResourceType.STREAMS) == 1
    system.run_for(0.1)
    system.close()
    assert system.resources.leak_report() == []
