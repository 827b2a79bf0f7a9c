"""A stream that calls back on time with every block's input underflowed is a stall: the watchdog
reports it (a ``DeviceStalledError`` with ``input_underflow``, at CRITICAL like a lost device) and
recovery starts within the watchdog's bound of the first starved block, on the virtual clock,
whatever the supervisor's passes in between (those done inline by the clock, ``_quiet_pass``,
included). And a stall the watchdog reports for a silent device is CRITICAL too."""

from __future__ import annotations

import pytest

from system_under_test import AudioSystem, State


def _running(seed: int, periods: int) -> AudioSystem:
    system = AudioSystem({"watchdog": {"stall_periods": periods}, "recovery": {"deadline_ms": 60_000}}, seed=seed)
    system.initialize()
    system.start()
    system.run_for(0.1 + 0.0137 * seed)
    return system


def _stalls(system: AudioSystem) -> list:
    return [r for r in system.coordinator.errors("device") if r.error.type == "DeviceStalledError"]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("periods", [2, 4, 9])
def test_a_starved_input_is_reported_within_the_watchdog_bound(seed: int, periods: int) -> None:
    system = _running(seed, periods)
    assert system.config is not None
    block = system.config.block_seconds
    interval = system.config.watchdog.supervisor_interval_ms / 1000
    started = system.clock.now()
    system.backend.starve_input("sim-in")
    bound = (periods + 1) * block + interval  # the first starved block comes a period later at most
    system.run_for(bound + block)
    stalls = _stalls(system)
    assert stalls, f"no stall reported {bound + block:.4f} s into a starved input"
    first = stalls[0]
    assert first.error.details.get("input_underflow") is True
    assert first.time - started <= bound
    assert first.severity.name == "CRITICAL"
    assert system.state in (State.RECOVERING, State.RUNNING)
    system.backend.feed_input("sim-in")
    system.close()


@pytest.mark.parametrize("seed", range(3))
def test_a_silent_device_is_reported_as_a_critical_stall(seed: int) -> None:
    system = _running(seed, 4)
    system.backend.stall("sim-in")
    system.run_for(0.2)
    stalls = _stalls(system)
    assert stalls and all(r.severity.name == "CRITICAL" for r in stalls)
    system.backend.unstall("sim-in")
    system.close()
