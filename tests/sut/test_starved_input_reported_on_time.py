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


_EXACT = {"stream": {"block_size": 750}, "watchdog": {"stall_periods": 4}}  # 1/64 s blocks: exact in binary


@pytest.mark.parametrize("floor", [0.5, 0.75])
def test_a_starved_inputs_stall_report_waits_for_the_streams_floor_and_says_so_exactly(floor: float) -> None:
    """The starved input's bound is the stream's own (``min_stall_s``) when that floor is above the
    watchdog's periods, as for a silent stream; the report then names the floor, how long the input
    was silent and both devices of the duplex stream, since the watchdog cannot tell which side
    stopped delivering."""
    system = AudioSystem(_EXACT, seed=5)
    system.initialize()
    system.start()
    system.run_for(0.05)
    stream = system.stream
    stream.min_stall_s = floor  # type: ignore[misc]  # above the 4 periods' 62.5 ms
    system.backend.starve_input("sim-in")
    system.run_for(0.05)
    starved = stream.stats.input_starved_since
    assert starved is not None
    limit = starved + floor
    assert limit - starved == floor  # exact in binary: the pass at ``limit`` sees no stall
    system.clock.run_until(limit)
    system.poll()
    assert _stalls(system) == []
    system.clock.run_until(limit + 1 / 1024)
    (record,) = _stalls(system)
    assert limit < record.time <= limit + 1 / 1024
    assert (record.component, record.error.component) == ("device", "device")
    assert record.error.message == (
        f"no input for {floor:.3f} s: every block since underflowed"
        f" (4 periods of 15.62 ms, the stream's floor {floor * 1000:.0f} ms)")
    assert record.error.details == {
        "stalled_for_s": record.time - starved, "input_underflow": True,
        "device": "sim-in/sim-out", "input_device": "sim-in", "output_device": "sim-out"}
    system.backend.feed_input("sim-in")
    system.close()
