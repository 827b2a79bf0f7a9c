"""``restore_running`` after a storm: a system left stopped on a configuration the storm applied is
configured back to the run's own before it starts, so the rest of the run never plays a block on
the storm's configuration (a reconfigure once running would: one start on the wrong block size)."""

from __future__ import annotations

from harness import History
from harness.faults.storms import restore_running
from system_under_test import AudioSystem
from system_under_test.config import load_config
from system_under_test.lifecycle import State


def test_a_system_left_stopped_on_a_storms_configuration_is_configured_back_before_it_starts() -> None:
    system = AudioSystem({}, seed=98250)
    try:
        system.initialize()
        system.configure({"stream": {"block_size": 128}})  # what a storm's configure drew
        run_block = load_config({}).stream.block_size
        assert run_block != 128
        started_on: list[int] = []
        system.add_observer(lambda rec: started_on.append(system.config.stream.block_size)
                            if rec.component == "system" and rec.to_state == State.RUNNING else None)
        ops = restore_running(system, History().attach(system), config={})
        assert ops == ["configure", "start"]
        assert system.state is State.RUNNING and started_on == [run_block]
    finally:
        system.close()
