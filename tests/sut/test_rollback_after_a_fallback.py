"""A reconfiguration rolled back after a recovery fell back to another device reopens the stream
that was running: the fallback device both ways, not the configured output device the system had
stopped playing to.

Why: the rollback's promise is "running config and state untouched". After a fallback the running
stream is the fallback's in and out (``Recoverer`` opens a fallback as both); the configuration
still names the primary pair. A rollback that read its output device from the configuration would
play to a device the recovery had left, with the input from another.

Driven through ``AudioSystem`` and the simulated backend on the virtual clock.
"""

from __future__ import annotations

import pytest

from system_under_test import AudioSystem, State
from system_under_test.errors import ResourceLimitError
from system_under_test.system import SystemEvent


def test_a_rollback_after_a_fallback_reopens_the_fallback_both_ways() -> None:
    s = AudioSystem({"device": {"fallback_devices": ["sim-backup"]}}, seed=5)
    s.initialize()
    s.start()
    s.run_for(0.05)
    events: list[SystemEvent] = []
    s.add_event_listener(events.append)
    s.backend.remove_device("sim-in")
    with pytest.raises(Exception):
        s.simulate_error("dsp")
    assert s.recover() is True
    assert (s.stream.spec.input_device, s.stream.spec.output_device) == ("sim-backup", "sim-backup")
    s.backend.restore_device("sim-in")  # the configured device is back; the system stays where it is
    s.run_for(0.1)
    events.clear()
    with pytest.raises(ResourceLimitError):  # one buffer cannot hold a pipeline's two rings
        s.reconfigure(s.config.replace(limits={"buffers": 1}))
    assert [e.kind for e in events][-1] == "config_rolled_back"
    assert s.state == State.RUNNING and s.is_healthy()
    assert (s.stream.spec.input_device, s.stream.spec.output_device) == ("sim-backup", "sim-backup")
    s.close()
