"""Why a stream fault is skipped as it fires (``why_not_now``), read exactly: each kind's words on
a stopped system, a stall's and an xrun's bound at the period the system runs at (not the
defaults'), each bound at equality, and a system that says no state or has no configuration of
the shipped kind (nothing to judge: the fault acts).

Why exact: the reason is what the run's notes and the summary's ``skipped`` count carry; a stall
held to the default period on a system running longer blocks would skip real stalls (or inject
ones the watchdog never sees), and an xrun's reason with another period's bound would say the
wrong largest lateness.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from harness.faults.kinds import CallbackRaises, DeviceStall, LateCallback, SampleRateChange, no_running_stream
from harness.faults.stall_bound import min_stall_s
from harness.faults.xrun_bound import period_of
from system_under_test import AudioSystem, State
from system_under_test.clock import VirtualClock

#: 1024 frames at 48 kHz: the stall bound 4.25 periods + 5 ms = 95.67 ms, the xrun's 2.75 periods = 58.67 ms
LONG_BLOCKS = {"stream": {"block_size": 1024, "latency_ms": 50}}


def _running(config: dict) -> AudioSystem:
    system = AudioSystem(config, seed=1)
    system.initialize()
    system.start()
    system.run_for(0.1)
    return system


def test_each_stream_kind_says_what_a_stopped_system_has_not() -> None:
    system = _running({})
    system.stop()
    try:
        assert [f.why_not_now(system) for f in (DeviceStall(duration_s=0.1), CallbackRaises(), SampleRateChange(),
                                                LateCallback())] == [
            "the system is stopped: no running stream whose callbacks could stop",
            "the system is stopped: no running stream whose callback could raise",
            "the system is stopped: no running stream whose rate could change under it",
            "the system is stopped: no running stream whose next callback could be late"]
    finally:
        system.close()


def test_a_system_that_says_no_state_has_a_stream_for_all_anyone_knows() -> None:
    assert no_running_stream(object(), "x") is None
    assert no_running_stream(SimpleNamespace(state="stopped"), "x") is None  # no state of the lifecycle's
    assert LateCallback(delay_s=1.0).why_not_now(SimpleNamespace(clock=VirtualClock())) is None
    assert LateCallback(delay_s=1.0).why_not_now(SimpleNamespace(clock=VirtualClock(), state="stopped")) is None


def test_a_system_without_the_shipped_configuration_is_not_held_to_a_bound() -> None:
    own = SimpleNamespace(clock=VirtualClock(), state=State.RUNNING)
    assert DeviceStall(duration_s=0.001).why_not_now(own) is None
    assert LateCallback(delay_s=1.0).why_not_now(own) is None


def test_a_stall_is_held_to_the_bound_of_the_period_the_system_runs_at() -> None:
    system = _running(LONG_BLOCKS)
    try:
        bound = min_stall_s(period_of(system.config))
        assert bound == pytest.approx(4.25 * 1024 / 48_000 + 0.005)
        assert DeviceStall(duration_s=bound).why_not_now(system) is None
        assert DeviceStall(duration_s=0.0).why_not_now(system) is None  # until clean-up
        assert DeviceStall(duration_s=0.05).why_not_now(system) == (
            "a 50.00 ms stall is under what the watchdog sees (95.67 ms) with a 21.33 ms period and the watchdog's "
            "4 periods (85.3 ms) now: it would be no stall")
    finally:
        system.close()


def test_an_xrun_is_held_to_the_bound_of_the_period_the_system_runs_at() -> None:
    system = _running(LONG_BLOCKS)
    try:
        assert LateCallback(delay_s=0.03).why_not_now(system) is None  # under 58.67 ms
        assert LateCallback(delay_s=period_of(system.config).max_lateness_s).why_not_now(system) is None
        assert LateCallback(delay_s=0.07).why_not_now(system) == (
            "70.00 ms late is past what stays an xrun (58.67 ms) with a 21.33 ms period and the watchdog's 4 periods "
            "(85.3 ms) now: it would be a stall")
    finally:
        system.close()
    default = _running({})
    try:
        assert LateCallback(delay_s=0.02).why_not_now(default) == (
            "20.00 ms late is past what stays an xrun (14.67 ms) with a 5.33 ms period and the watchdog's 4 periods "
            "(21.3 ms) now: it would be a stall")
    finally:
        default.close()
