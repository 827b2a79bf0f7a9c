"""The system's promises at their edges: refusals that name what was expected, the watchdog's exact
boundary and its quiet while paused, errors routed to the component that reported them, teardown
of a stream that opened but would not start or stop, a close from inside a reconfiguration, and
frame accounting on a real clock.

Each test drives ``AudioSystem`` through its public API, the simulated backend's fault hooks, or
the error sink a backend is handed (``open_stream``'s ``on_error``), and compares what it observes
with the one value the documented behaviour yields. Simulated tests run on the virtual clock; the
one real-clock test waits for nothing but a bounded, event-signalled supervisor pass.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np
import pytest

from system_under_test import AudioSystem, State
from system_under_test.clock import SystemClock, VirtualClock
from system_under_test.devices.base import StatusFlags
from system_under_test.devices.simulated import SimulatedBackend
from system_under_test.dsp import DspChain, use_kernel
from system_under_test.errors import (
    BackendUnavailableError,
    CallbackError,
    DeviceError,
    DeviceFormatError,
    DeviceLostError,
    DeviceNotFoundError,
    IllegalTransitionError,
    SimulatedError,
    Severity,
    SystemClosedError,
)
from system_under_test.system import PIPELINE, SYSTEM, SystemEvent

ALL = (SYSTEM, *PIPELINE)


def _running(config: dict[str, Any] | None = None, seed: int = 5) -> AudioSystem:
    s = AudioSystem(config if config is not None else {}, seed=seed)
    s.initialize()
    s.start()
    s.run_for(0.05)
    assert s.state == State.RUNNING
    return s


def _transitions(system: AudioSystem, since: int = 0) -> list[tuple[str, str, str, str]]:
    return [(r.component, r.from_state.value, r.to_state.value, r.cause)
            for r in system.coordinator.history.records()[since:]]


def _mark(system: AudioSystem) -> int:
    return len(system.coordinator.history.records())


def _capture_sink(system: AudioSystem) -> list[Any]:
    """The ``on_error`` sink each stream the system opens is handed, newest last."""
    sinks: list[Any] = []
    original = system.backend.open_stream

    def open_stream(spec, callback, on_error):
        sinks.append(on_error)
        return original(spec, callback, on_error)

    system.backend.open_stream = open_stream  # type: ignore[method-assign]
    return sinks


# -- refusals name the state they expected -----------------------------------------------------------

def test_pause_and_resume_during_a_recovery_are_refused_and_the_run_goes_on():
    s = _running({"recovery": {"initial_backoff_ms": 10}, "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(0.015)
    assert s.state == State.RECOVERING
    mark = _mark(s)
    with pytest.raises(IllegalTransitionError) as paused:
        s.pause()
    assert paused.value.message == "illegal transition recovering -> paused (expected to be in ['running'])"
    with pytest.raises(IllegalTransitionError) as resumed:
        s.resume()
    assert resumed.value.message == "illegal transition recovering -> running (expected to be in ['paused'])"
    assert _mark(s) == mark and s.state == State.RECOVERING and s.recovering is True
    s.backend.restore_device("sim-in")
    s.run_for(0.5)
    assert s.state == State.RUNNING and s.pipeline.capturing is True
    s.close()


def test_stop_of_a_system_that_never_started_is_refused_naming_the_states_it_stops_from():
    s = AudioSystem({})
    s.initialize()
    mark = _mark(s)
    with pytest.raises(IllegalTransitionError) as info:
        s.stop()
    assert info.value.message == ("illegal transition configured -> stopping (expected to be in "
                                  "['failed', 'paused', 'recovering', 'running', 'starting'])")
    assert _mark(s) == mark and s.state == State.CONFIGURED
    s.close()


# -- live reconfiguration ----------------------------------------------------------------------------

def test_a_simulated_pipeline_judges_overruns_by_declared_cost():
    s = _running()
    assert s.pipeline.simulated is True  # counters a pure function of the seed, not of the machine
    s.close()


def test_a_dsp_only_change_builds_the_chain_for_the_configured_rate_block_and_channels():
    """The swapped chain filters as one built from the new config does: a biquad's coefficients
    depend on the rate, its state on the channels, a limiter's ramp on the block size."""
    s = _running({"stream": {"sample_rate": 44_100, "block_size": 300},
                  "device": {"input_channels": 1, "output_channels": 1}})
    dsp = [{"kind": "biquad", "filter": "lowpass", "cutoff_hz": 2000.0},
           {"kind": "limiter", "threshold_db": -12.0, "release_ms": 20.0}]
    stream = s.stream
    new = s.reconfigure(s.config.replace(dsp=dsp))
    assert s.stream is stream  # swapped in place, not reopened
    fresh = DspChain.from_config(new.dsp, 44_100, 300, 1)
    block = np.random.default_rng(3).uniform(-1, 1, (300, 1)).astype(np.float32)
    for _ in range(3):
        np.testing.assert_array_equal(s.pipeline.chain.process(block.copy()), fresh.process(block.copy()))
    s.close()


def test_a_dsp_only_change_builds_the_chain_for_the_input_channels_when_a_mixer_changes_the_count():
    """The chain's first stages see the device's input channels (a mixer may change the count
    after them): with 2 in and 1 out, the swapped chain is the one built for 2 channels, and the
    running system raises no callback error with it."""
    s = _running({"device": {"input_channels": 2, "output_channels": 1},
                  "dsp": [{"kind": "mixer", "matrix": [[0.5, 0.5]]}]})
    dsp = [{"kind": "biquad", "filter": "lowpass", "cutoff_hz": 3000.0},
           {"kind": "mixer", "matrix": [[0.25, 0.75]]}]
    new = s.reconfigure(s.config.replace(dsp=dsp))
    fresh = DspChain.from_config(new.dsp, 48_000, 256, 2)
    block = np.random.default_rng(4).uniform(-1, 1, (256, 2)).astype(np.float32)
    for _ in range(3):
        np.testing.assert_array_equal(s.pipeline.chain.process(block.copy()), fresh.process(block.copy()))
    s.run_for(0.2)
    assert s.metrics().counters["callback_errors"] == 0 and s.state == State.RUNNING
    s.close()


def test_a_reopening_change_while_running_captures_again_on_the_new_stream():
    s = _running()
    old = s.stream
    s.reconfigure({"stream": {"block_size": 512}})
    assert s.state == State.RUNNING and s.stream is not old and old.closed
    assert s.pipeline.capturing is True
    before = s.frame_accounts().captured
    s.run_for(0.1)
    assert s.frame_accounts().captured > before
    s.close()


def test_a_rolled_back_reconfiguration_returns_every_component_with_its_cause():
    s = _running()
    mark = _mark(s)
    original = s.backend.open_stream
    s.backend.open_stream = lambda spec, cb, on_error: (  # type: ignore[method-assign]
        (_ for _ in ()).throw(DeviceNotFoundError("gone between validation and open"))
        if spec.block_size == 512 else original(spec, cb, on_error))
    with pytest.raises(DeviceNotFoundError):
        s.reconfigure({"stream": {"block_size": 512}})
    assert _transitions(s, mark) == (
        [(n, "running", "reconfiguring", "reconfigure") for n in ALL]
        + [(n, "reconfiguring", "running", "reconfigure rolled back") for n in ALL])
    assert s.stream.spec.block_size == 256 and s.pipeline.capturing is True
    s.close()


def test_a_close_from_an_observer_inside_a_reconfiguration_leaves_nothing_open():
    """An observer may call back into the system; one that closes it as the last component enters
    RECONFIGURING must find the close complete: nothing opened afterwards, nothing held."""
    s = _running()
    mark = _mark(s)

    def close_now(record) -> None:
        if record.component == PIPELINE[-1] and record.to_state == State.RECONFIGURING:
            s.close()

    s.add_observer(close_now)
    with pytest.raises(SystemClosedError):
        s.reconfigure({"stream": {"block_size": 512}})
    assert s.state == State.CLOSED
    assert s.stream is None and s.pipeline is None
    assert s.backend.open_streams() == [] and s.resources.live() == []
    after = _transitions(s, mark)
    assert [t for t in after if t[0] == SYSTEM] == [
        (SYSTEM, "running", "reconfiguring", "reconfigure"),
        (SYSTEM, "reconfiguring", "failed", "close during reconfigure"),
        (SYSTEM, "failed", "stopping", "stop"),
        (SYSTEM, "stopping", "stopped", "stop"),
        (SYSTEM, "stopped", "closed", "close"),
    ]
    for n in PIPELINE:  # RECONFIGURING has no way to CLOSED: through FAILED, in stop order
        assert [t for t in after if t[0] == n] == [
            (n, "running", "reconfiguring", "reconfigure"),
            (n, "reconfiguring", "failed", "close"),
            (n, "failed", "closed", "close"),
        ]
    order = [t[0] for t in after if t[3] == "close" and t[2] == "failed"]
    assert order == ["device", "output", "input", "dsp"]  # dependents first
    s.close()  # idempotent


def test_a_close_from_an_observer_as_a_start_begins_leaves_nothing_open():
    s = AudioSystem({})
    s.initialize()

    def close_now(record) -> None:
        if record.component == SYSTEM and record.to_state == State.STARTING:
            s.close()

    s.add_observer(close_now)
    with pytest.raises(SystemClosedError):
        s.start()
    assert s.state == State.CLOSED and s.stream is None
    assert s.backend.open_streams() == [] and s.resources.live() == []


# -- an error routed by an observer while an operation is under way --------------------------------
# An observer runs inside the operation that made the transition and may report an error; its
# routing (FAIL: FAILED; RESTART: RECOVERING with a run of its own) then decides, and the operation
# stops where it is: it applies nothing, opens nothing and raises.

_FAIL_ERRORS = {
    "fatal": lambda: BackendUnavailableError("the host API went away", component="device"),
    "not recoverable": lambda: DeviceFormatError("the device refuses the format", component="device"),
}
_CHANGES = {"dsp only": {"dsp": [{"kind": "gain", "gain_db": -1.0}]},
            "reopening": {"stream": {"block_size": 512}}}


def _report_when(s: AudioSystem, state: State, make_error) -> None:
    def report(record) -> None:
        if record.component == SYSTEM and record.to_state == state:
            s.coordinator.handle_error("device", make_error())

    s.add_observer(report)


def _abandoned(now: State, goal: State, during: State) -> str:
    """The exact refusal of an operation whose transition's observer moved the system on."""
    return (f"[system] illegal transition {now.value} -> {goal.value} (an error routed while "
            f"{during.value} moved the system to {now.value}; the operation was abandoned)")


@pytest.mark.parametrize("change", sorted(_CHANGES))
@pytest.mark.parametrize("error", sorted(_FAIL_ERRORS))
def test_an_error_routed_to_fail_as_a_reconfiguration_begins_fails_the_system(error, change):
    s = _running()
    old = s.config
    _report_when(s, State.RECONFIGURING, _FAIL_ERRORS[error])
    with pytest.raises(IllegalTransitionError) as refused:
        s.reconfigure(_CHANGES[change])
    assert str(refused.value) == _abandoned(State.FAILED, State.RUNNING, State.RECONFIGURING)
    assert s.state == State.FAILED and s.config is old
    assert {n: s.coordinator.state(n) for n in PIPELINE} == dict.fromkeys(PIPELINE, State.FAILED)
    assert s.stream is None and s.pipeline is None and not s.recovering
    assert s.backend.open_streams() == [] and s.resources.live() == []
    s.run_for(1.0)
    assert s.state == State.FAILED and s.backend.open_streams() == []
    assert s.recover() is True and s.state == State.RUNNING and s.config is old
    s.close()


@pytest.mark.parametrize("change", sorted(_CHANGES))
@pytest.mark.parametrize("before", [State.RUNNING, State.PAUSED])
def test_an_error_routed_to_restart_as_a_reconfiguration_begins_recovers_to_where_it_was(before, change):
    s = _running()
    if before == State.PAUSED:
        s.pause()
    old = s.config
    _report_when(s, State.RECONFIGURING, lambda: DeviceLostError("unplugged", component="device"))
    with pytest.raises(IllegalTransitionError) as refused:
        s.reconfigure(_CHANGES[change])
    assert str(refused.value) == _abandoned(State.RECOVERING, before, State.RECONFIGURING)
    assert s.state == State.RECOVERING and s.recovering and s.config is old
    assert s.stream is None and s.backend.open_streams() == []
    s.run_for(1.0)
    assert s.state == before and not s.recovering and s.config is old
    assert s.health()["recovering"] is False and len(s.backend.open_streams()) == 1
    assert s.pipeline.capturing is (before == State.RUNNING)
    s.close()
    assert s.resources.live() == []


def test_an_error_routed_to_fail_by_a_rollbacks_listener_stops_the_rollback_with_nothing_open():
    """A reconfiguration that cannot open its new stream rolls back; a listener of
    ``config_rolled_back`` may report an error whose routing FAILs the system: the old stream is
    then not reopened (no stream held in FAILED) and the caller learns why."""
    s = _running()
    old = s.config
    original = s.backend.open_stream
    s.backend.open_stream = lambda spec, cb, on_error: (  # type: ignore[method-assign]
        (_ for _ in ()).throw(DeviceNotFoundError("gone between validation and open"))
        if spec.block_size == 512 else original(spec, cb, on_error))

    def report(event: SystemEvent) -> None:
        if event.kind == "config_rolled_back":
            s.coordinator.handle_error("device", _FAIL_ERRORS["fatal"]())

    s.add_event_listener(report)
    with pytest.raises(IllegalTransitionError) as refused:
        s.reconfigure({"stream": {"block_size": 512}})
    assert str(refused.value) == _abandoned(State.FAILED, State.RUNNING, State.RECONFIGURING)
    assert s.state == State.FAILED and s.config is old and s.stream is None
    assert s.backend.open_streams() == [] and s.resources.live() == []
    s.close()


@pytest.mark.parametrize("error", sorted(_FAIL_ERRORS))
def test_an_error_routed_to_fail_as_a_start_begins_fails_it_with_nothing_open(error):
    s = AudioSystem({})
    s.initialize()
    _report_when(s, State.STARTING, _FAIL_ERRORS[error])
    with pytest.raises(IllegalTransitionError) as refused:
        s.start()
    assert str(refused.value) == _abandoned(State.FAILED, State.RUNNING, State.STARTING)
    assert s.state == State.FAILED and s.stream is None and s.pipeline is None
    assert s.backend.open_streams() == [] and s.resources.live() == []
    s.close()


def test_an_error_routed_to_restart_as_a_start_begins_is_recovered_once():
    s = AudioSystem({})
    s.initialize()
    _report_when(s, State.STARTING, lambda: DeviceLostError("unplugged", component="device"))
    with pytest.raises(IllegalTransitionError) as refused:
        s.start()
    assert str(refused.value) == _abandoned(State.RECOVERING, State.RUNNING, State.STARTING)
    assert s.state == State.RECOVERING and s.backend.open_streams() == []
    s.run_for(1.0)
    assert s.state == State.RUNNING and not s.recovering and len(s.backend.open_streams()) == 1
    s.close()
    assert s.resources.live() == []


# -- teardown releases what a half-built or broken stream holds ----------------------------------

class _Unstartable(Exception):
    pass


class _Interrupted(BaseException):
    """Like ``KeyboardInterrupt``: a ``BaseException`` that is no ``Exception``."""


def _streams_refusing_to_start(s: AudioSystem, error: BaseException) -> list[Any]:
    """Every stream ``s`` opens from now on raises ``error`` from ``start()``; the streams it
    opened, newest last."""
    opened: list[Any] = []
    original = s.backend.open_stream

    def open_stream(spec, cb, on_error):
        stream = original(spec, cb, on_error)
        opened.append(stream)

        def refuse() -> None:
            raise error

        stream.start = refuse
        return stream

    s.backend.open_stream = open_stream  # type: ignore[method-assign]
    return opened


def test_a_stream_that_opens_but_will_not_start_is_closed_and_released():
    s = AudioSystem({})
    s.initialize()
    opened = _streams_refusing_to_start(s, DeviceError("the device refused to start", component="device"))
    with pytest.raises(DeviceError):
        s.start()
    (stream,) = opened
    assert stream.closed is True
    assert s.backend.open_streams() == [] and s.resources.live() == []
    assert s.state == State.FAILED
    s.close()


@pytest.mark.parametrize("foreign", [_Unstartable, _Interrupted])
def test_a_backends_own_exception_at_start_reaches_the_caller_with_everything_given_back(foreign):
    """A backend may raise something outside the error tree (a driver's RuntimeError, a
    KeyboardInterrupt, which is no ``Exception``): the half-built stream, its allocation and the
    pipeline's buffers are given back all the same, the exception reaches the caller as itself, and
    the start ends FAILED with the error on record, never left STARTING (where every later
    operation would be refused)."""
    s = AudioSystem({})
    s.initialize()
    opened = _streams_refusing_to_start(s, foreign("the driver said no"))
    with pytest.raises(foreign):
        s.start()
    (stream,) = opened
    assert stream.closed is True and s.stream is None and s.pipeline is None
    assert s.backend.open_streams() == [] and s.resources.live() == []
    assert s.state == State.FAILED
    assert s.coordinator.history.records()[-1].cause == f"start failed: {foreign.__name__}"
    (record,) = s.coordinator.errors()
    assert (record.component, record.error.type, record.requires_recovery) == \
        ("device", foreign.__name__, False)
    # the error itself is the device's, by its own class and ``repr``, as a reconfigure names it
    assert record.error.describe() == {
        "type": foreign.__name__, "message": f"{foreign.__name__}('the driver said no')",
        "component": "device", "severity": "ERROR", "recoverable": False, "details": {}}
    s.close()
    assert s.state == State.CLOSED and s.resources.live() == []


@pytest.mark.parametrize("foreign", [_Unstartable, _Interrupted])
def test_a_backends_own_exception_in_a_reopening_reconfigure_is_recovered_from_never_left_reconfiguring(
        foreign):
    """The same exceptions while a reconfigure reopens the stream: the system goes on to recover
    (the rollback is for the system's own errors), the exception reaches the caller as itself, and
    the recovery names it as the device's error, by its own class and ``repr``."""
    s = AudioSystem({})
    s.initialize()
    s.start()
    events: list[SystemEvent] = []
    s.add_event_listener(events.append)
    _streams_refusing_to_start(s, foreign("the driver said no"))
    with pytest.raises(foreign):
        s.reconfigure({"stream": {"block_size": 128}})
    assert s.state == State.RECOVERING
    assert s.coordinator.history.records()[-1].cause == "reconfigure failed"
    (started,) = [e for e in events if e.kind == "recovery_started"]
    assert started.data == {
        "cause": "reconfigure failed", "target": "running",
        "error": {"type": foreign.__name__, "message": f"{foreign.__name__}('the driver said no')",
                  "component": "device", "severity": "ERROR", "recoverable": False, "details": {}}}
    s.close()
    assert s.state == State.CLOSED and s.resources.live() == []


def test_a_stream_that_will_neither_stop_nor_close_is_let_go_and_each_failure_logged(caplog):
    s = _running()
    stream = s.stream

    def stop() -> None:
        raise RuntimeError("stop refused")

    def close() -> None:
        raise RuntimeError("close refused")

    stream.stop, stream.close = stop, close
    caplog.set_level(logging.DEBUG, logger="system_under_test.system")
    s.stop()
    assert s.state == State.STOPPED and s.stream is None and s.resources.live() == []
    logged = [(r.levelno, r.getMessage(), r.exc_info[1].args[0] if r.exc_info else None)
              for r in caplog.records if r.name == "system_under_test.system"]
    assert logged == [(logging.DEBUG, "stream stop failed during teardown", "stop refused"),
                      (logging.DEBUG, "stream close failed during teardown", "close refused")]
    s.close()


def test_a_backend_that_fails_to_close_is_logged_with_its_exception(caplog):
    s = _running()

    def broken() -> None:
        raise RuntimeError("backend gone")

    s.backend.close = broken  # type: ignore[method-assign]
    caplog.set_level(logging.DEBUG, logger="system_under_test.system")
    s.close()
    assert s.state == State.CLOSED
    (record,) = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert (record.getMessage(), record.exc_info[1].args[0]) == ("backend close failed", "backend gone")


# -- errors go to the component that reported them -----------------------------------------------

def test_a_backend_error_names_its_component_or_is_the_devices():
    s = _running()
    sinks = _capture_sink(s)
    s.stop()
    s.start()
    on_error = sinks[-1]
    # INFO: routed and recorded, no restart (the stream that reported stays current)
    on_error(DeviceError("output side glitched", component="output", severity=Severity.INFO))
    s.poll()
    on_error(DeviceError("no component named", severity=Severity.INFO))
    s.poll()
    assert s.state == State.RUNNING
    records = s.coordinator.errors()
    assert [(r.component, r.error.message) for r in records] == [
        ("output", "output side glitched"), ("device", "no component named")]
    s.close()


def _raise_in_callback(system: AudioSystem, exc: Exception) -> None:
    """One audio callback whose DSP raises ``exc`` (the pipeline keeps it for the supervisor)."""
    p = system.pipeline
    process = p.chain.process

    def boom(block):
        p.chain.process = process  # type: ignore[method-assign]
        raise exc

    p.chain.process = boom  # type: ignore[method-assign]
    block = np.zeros((p.block_size, 2), dtype=np.float32)
    p.callback(block.copy(), block.copy(), p.block_size, 0.0, StatusFlags())


@pytest.mark.parametrize("at_teardown", [False, True], ids=["at a pass", "at teardown"])
def test_a_callback_error_names_its_component_or_is_the_dsps(at_teardown):
    s = _running()
    _raise_in_callback(s, CallbackError("output block malformed", component="output",
                                        severity=Severity.WARNING))
    _raise_in_callback(s, CallbackError("no component named", severity=Severity.WARNING))
    if at_teardown:
        s.stop()
    else:
        s.poll()
    records = s.coordinator.errors()
    assert [(r.component, r.error.message) for r in records] == [
        ("output", "output block malformed"), ("dsp", "no component named")]
    s.close()


def test_a_dry_pool_is_reported_as_the_dsps_own_error():
    s = _running({"buffers": {"pool_blocks": 1}})
    s.pipeline.pool.acquire()
    s.run_for(0.05)
    (record,) = [r for r in s.coordinator.errors() if r.error.type == "BufferPoolExhaustedError"]
    assert (record.component, record.error.component) == ("dsp", "dsp")
    s.close()


def test_an_unrecoverable_error_fails_every_component_with_its_cause():
    s = _running()
    mark = _mark(s)
    s.coordinator.handle_error("device", DeviceLostError("gone for good", component="device"),
                               severity=Severity.FATAL)
    assert s.state == State.FAILED and s.stream is None and s.resources.live() == []
    failed = [t for t in _transitions(s, mark) if t[2] == "failed"]
    assert sorted(failed) == sorted((n, "running", "failed", "unrecoverable DeviceLostError") for n in ALL)
    s.close()


def test_an_unrecoverable_error_during_a_recovery_ends_it_failed():
    s = _running({"recovery": {"initial_backoff_ms": 100}, "device": {"fallback_devices": []}})
    s.backend.remove_device("sim-in")
    s.run_for(0.01)
    assert s.state == State.RECOVERING and s.pipeline is None
    s.coordinator.handle_error("device", DeviceLostError("gone for good", component="device"),
                               severity=Severity.FATAL)
    assert s.state == State.FAILED and s.recovering is False
    attempts = s.metrics().counters.get("recoveries", 0)
    s.backend.restore_device("sim-in")
    s.run_for(1.0)  # the cancelled run's attempt never comes
    assert s.state == State.FAILED and s.metrics().counters.get("recoveries", 0) == attempts
    s.close()


# -- the watchdog ---------------------------------------------------------------------------------

_EXACT = {"stream": {"block_size": 750}, "watchdog": {"stall_periods": 4}}  # 1/64 s blocks: exact


def test_a_pass_exactly_at_the_stall_limit_is_not_a_stall_and_the_next_moment_is():
    s = _running(_EXACT)
    s.backend.stall("sim-in")
    last = s.stream.stats.last_callback_at
    limit = last + 4 / 64
    assert limit - last == 4 / 64  # exact in binary
    s.clock.run_until(limit)
    s.poll()
    assert s.metrics().counters.get("device_stalls", 0) == 0
    s.clock.run_until(limit + 1 / 1024)
    assert s.metrics().counters["device_stalls"] == 1
    s.close()


def test_a_stream_that_never_calls_back_is_a_stall_counted_from_its_start():
    s = AudioSystem(_EXACT, seed=5)
    s.initialize()
    s.backend.stall("sim-in")
    t0 = s.clock.now()
    s.start()
    s.clock.run_until(t0 + 4 / 64 - 1 / 1024)
    assert s.metrics().counters.get("device_stalls", 0) == 0 and s.stream.stats.last_callback_at is None
    s.clock.run_until(t0 + 4 / 64 + 1 / 1024)
    assert s.metrics().counters["device_stalls"] == 1
    s.close()


def test_a_stall_while_paused_is_not_watched_and_is_caught_at_resume():
    s = _running(_EXACT)
    s.pause()
    s.backend.stall("sim-in")
    s.run_for(1.0)
    assert s.metrics().counters.get("device_stalls", 0) == 0 and s.state == State.PAUSED
    s.resume()  # silent for far more than 4 periods: the first pass after resume reports it
    s.clock.run_until(s.clock.now() + 1 / 1024)
    assert s.metrics().counters["device_stalls"] == 1
    s.close()


def test_a_tolerated_callback_error_leaves_the_watchdog_watching():
    s = _running(_EXACT)
    _raise_in_callback(s, ValueError("one bad block"))
    s.poll()
    assert s.state == State.RUNNING and s.metrics().counters["errors"] == 1
    s.backend.stall("sim-in")
    s.run_for(0.5)
    assert s.metrics().counters["device_stalls"] >= 1
    s.close()


def _stall_errors(seen: list[SystemEvent]) -> list[dict[str, Any]]:
    """Every DeviceStalledError among the ``error`` events a listener heard, as the system described it."""
    return [e.data["error"] for e in seen if e.kind == "error" and e.data["error"]["type"] == "DeviceStalledError"]


def test_a_device_calling_back_with_no_input_is_a_stall_at_the_watchdogs_bound_and_recovers():
    """Every block on time but its input underflowed (a capture side hung while the playback side
    runs on): no callback gap shows it, and the system must not play silence while RUNNING. Past
    the watchdog's bound from the first starved block it is a stall, routed to recovery; the
    first pass within the bound is not; once fed, the recovered stream runs clean."""
    s = _running(_EXACT)
    seen: list[SystemEvent] = []
    s.add_event_listener(seen.append)
    s.backend.starve_input("sim-in")
    s.clock.run_until(s.clock.now() + 1 / 64)
    first = s.stream.stats.input_starved_since
    assert first is not None and s.stream.stats.last_callback_at >= first
    s.clock.run_until(first + 4 / 64)
    s.poll()
    assert s.metrics().counters.get("device_stalls", 0) == 0 and s.state == State.RUNNING
    s.clock.run_until(first + 4 / 64 + 1 / 1024)
    assert s.metrics().counters["device_stalls"] == 1
    [stall] = _stall_errors(seen)
    assert stall["details"]["input_underflow"] is True and stall["details"]["stalled_for_s"] > 4 / 64
    assert [e.data["error"]["type"] for e in seen if e.kind == "recovery_started"] == ["DeviceStalledError"]
    s.backend.feed_input("sim-in")
    stalls = s.metrics().counters["device_stalls"]
    s.run_for(1.0)
    assert s.state == State.RUNNING and s.metrics().counters["device_stalls"] == stalls
    assert s.stream.stats.input_starved_since is None
    s.close()


def _started(config: dict[str, Any], kernel: str) -> AudioSystem:
    """``_running`` with its DSP chain built on ``kernel``: "compiled" is the chain the simulated
    device delivers in stretches of blocks (``SimulatedStream._deliver_stretch``), the other the one
    it delivers block by block ("numpy"); a stall is judged on both paths."""
    with use_kernel(kernel):
        return _running(config)


@pytest.mark.parametrize("kernel", ["numpy", "compiled"])
@pytest.mark.parametrize("blocks", [1, 2, 3])
def test_a_few_blocks_without_input_are_no_stall(kernel: str, blocks: int) -> None:
    """Input that underflows for fewer blocks than the watchdog's bound, then flows: an xrun's
    damage, counted as xruns, never a stall; the run of starved blocks ends with the first block
    that brings input, whether the device delivers it alone or in a stretch of blocks (``_started``)."""
    s = _started(_EXACT, kernel)
    s.backend.starve_input("sim-in")
    s.clock.run_until(s.clock.now() + blocks / 64)
    s.backend.feed_input("sim-in")
    s.run_for(1.0)
    assert s.metrics().counters.get("device_stalls", 0) == 0 and s.state == State.RUNNING
    assert s.metrics().counters["status_input_underflow"] == blocks
    assert s.stream.stats.input_starved_since is None
    s.close()



@pytest.mark.parametrize("kernel", ["numpy", "compiled"])
@pytest.mark.parametrize("fault", ["stall", "starve_input"])
@pytest.mark.parametrize("after_blocks", [0.0, 0.4, 2.7])
def test_every_stall_is_reported_at_its_bound_and_says_how_long_the_stream_was_silent(
        kernel: str, fault: str, after_blocks: float) -> None:
    """Whichever way a stream goes silent (no callback, or callbacks whose input underflowed),
    whenever it begins against the watchdog's passes, and on a new stream after each recovery (the
    device stays silent), the stall is reported at the first moment past the bound the watchdog
    names, from the first silent moment: ``stalled_for_s`` is that bound, no more (a pass that
    came late) and no less (a silence measured from the wrong moment). The virtual clock is exact:
    the only slack is the float sum of a block time and the bound."""
    s = _started(_EXACT, kernel)
    seen: list[SystemEvent] = []
    s.add_event_listener(seen.append)
    bound = s.config.watchdog.stall_periods * s.config.block_seconds
    s.clock.run_until(s.clock.now() + after_blocks * s.config.block_seconds)
    getattr(s.backend, fault)("sim-in")
    s.run_for(1.0)
    stalls = [e for e in seen if e.kind == "error" and e.data["error"]["type"] == "DeviceStalledError"]
    assert len(stalls) >= 3  # the first stream's, and those of the streams each recovery opened
    late = [(e.time, e.data["error"]["details"]["stalled_for_s"]) for e in stalls
            if not bound < e.data["error"]["details"]["stalled_for_s"] <= bound + 1e-12]
    assert late == [], f"stalls reported off their bound of {bound} s: (time, stalled_for_s) {late}"
    s.close()


# -- a real clock ----------------------------------------------------------------------------------

#: 1000 periods of 8192 frames at 44.1 kHz: a stall only after 186 s of wall time, however loaded
#: the machine, so the supervisor thread never finds one during these tests
_NO_REAL_STALL: dict[str, Any] = {"stream": {"sample_rate": 44_100, "block_size": 8192,
                                              "latency_ms": 500.0}}


def _real_clock_system(config: dict[str, Any]) -> AudioSystem:
    """A system on the real clock whose simulated device never calls back by itself (its virtual
    clock is never advanced): the audio runs only when the test calls the pipeline."""
    return AudioSystem(config, backend=SimulatedBackend(VirtualClock(), seed=5), clock=SystemClock())


def test_frame_accounts_on_a_real_clock_read_the_live_pipeline_between_callbacks():
    s = _real_clock_system(_NO_REAL_STALL | {"watchdog": {"stall_periods": 1000,
                                                          "supervisor_interval_ms": 1000}})
    s.initialize()
    # the real clock's supervisor is a thread, held as a resource of the system until close
    assert [(a.component, a.rtype.value, a.amount, a.tag) for a in s.resources.live()] == \
        [(SYSTEM, "threads", 1, "supervisor")]
    acc = s.frame_accounts()  # nothing built yet
    assert (acc.captured, acc.played, acc.dropped, acc.inserted, acc.buffered) == (0, 0, 0, 0, 0)
    s.start()
    p = s.pipeline
    half = p.block_size // 2  # half a block: captured, still waiting in the input ring
    block = np.full((half, 2), 0.25, dtype=np.float32)
    for _ in range(3):
        p.callback(block.copy(), np.zeros_like(block), half, 0.0, StatusFlags())
    assert p.simulated is False  # overruns judged by the real time a callback took
    acc = s.frame_accounts()
    c = s.metrics().counters
    assert acc.buffered == p.buffered() > 0
    assert (acc.captured, acc.played, acc.dropped, acc.inserted) == \
        (c["frames_captured"], c["frames_played"], c.get("frames_dropped", 0), c.get("frames_inserted", 0))
    s.close()
    assert s.resources.live() == []


def test_the_real_clock_supervisor_passes_again_after_each_pass():
    """Two device errors reported one after the other are each routed by a later pass: the pass
    that routed the first scheduled the next. Bounded waits on events, not sleeps."""
    s = _real_clock_system(_NO_REAL_STALL | {"watchdog": {"stall_periods": 1000, "supervisor_interval_ms": 2},
                                             "recovery": {"initial_backoff_ms": 60_000}})
    sinks = _capture_sink(s)
    s.initialize()
    s.start()
    routed = [threading.Event(), threading.Event()]

    def heard(event: SystemEvent) -> None:
        if event.kind == "error":
            routed[0 if not routed[0].is_set() else 1].set()

    s.add_event_listener(heard)
    sinks[-1](CallbackError("first", component="dsp", severity=Severity.WARNING))
    assert routed[0].wait(10.0), "the first report was never routed"
    sinks[-1](CallbackError("second", component="dsp", severity=Severity.WARNING))
    assert routed[1].wait(10.0), "no pass came after the first one"
    s.close()


def test_a_system_recover_brought_back_from_a_failed_start_is_supervised():
    """A start that failed never armed the real clock's supervisor; ``recover()`` bringing the
    system to RUNNING arms it, as a start does: a device error reported after the recovery is
    routed by a pass. Bounded wait on an event, not a sleep."""
    s = _real_clock_system(_NO_REAL_STALL | {"watchdog": {"stall_periods": 1000, "supervisor_interval_ms": 2},
                                             "recovery": {"initial_backoff_ms": 60_000},
                                             "device": {"fallback_devices": []}})
    sinks = _capture_sink(s)
    s.initialize()
    s.backend.remove_device("sim-in")
    with pytest.raises(DeviceNotFoundError):
        s.start()
    assert s.state == State.FAILED
    s.backend.restore_device("sim-in")
    assert s.recover() is True and s.state == State.RUNNING
    routed = threading.Event()
    s.add_event_listener(lambda event: routed.set() if event.kind == "error" else None)
    sinks[-1](CallbackError("after the recovery", component="dsp", severity=Severity.WARNING))
    assert routed.wait(10.0), "no supervisor pass after recover() brought the system back"
    s.close()


# -- health and late reports -----------------------------------------------------------------------

def test_health_after_the_device_alone_failed_names_the_pipeline_that_is_gone():
    """``simulate_error("device")`` fails the device (it has no dependents) and the system; the
    other components are still RUNNING, with no pipeline under them."""
    s = _running()
    with pytest.raises(Exception):
        s.simulate_error("device")
    assert [s.coordinator.state(n) for n in PIPELINE] == [State.RUNNING] * 3 + [State.FAILED]
    gone = {"healthy": False, "detail": "pipeline not built"}
    assert s.health() == {
        "healthy": False, "state": "failed", "degraded": False, "recovering": False,
        "components": {"dsp": {"component": "dsp", **gone}, "input": {"component": "input", **gone},
                       "output": {"component": "output", **gone},
                       "device": {"component": "device", "healthy": False, "detail": "failed"}},
    }
    s.close()


def test_a_report_a_stream_makes_after_close_is_harmless():
    s = _running()
    sinks = _capture_sink(s)
    s.stop()
    s.start()
    s.close()
    sinks[-1](DeviceLostError("late, after close", component="device"))  # must not raise
    s.run_for(0.1)
    assert s.state == State.CLOSED and s.coordinator.errors() == []


# -- a stall left alone is reported again at the configured pace --------------------------------------

class _StallsLeftAlone(AudioSystem):
    """A system whose routing leaves a stall alone (as a policy may): the watchdog's own pace is
    then all that spaces its reports."""

    def _route_error(self, record) -> None:
        if record.error.type != "DeviceStalledError":
            super()._route_error(record)


def test_a_stall_left_alone_is_reported_again_every_supervisor_interval():
    s = _StallsLeftAlone({**_EXACT, "watchdog": {"stall_periods": 4, "supervisor_interval_ms": 62.5}},
                         seed=5)
    s.initialize()
    s.start()
    s.run_for(0.05)
    reports: list[float] = []

    def count(record) -> None:
        if record.error.type == "DeviceStalledError":
            reports.append(record.time)
            if len(reports) > 50:  # a pass that re-runs at once would never let the clock move
                s.close()

    s.coordinator.add_error_observer(count)
    s.backend.stall("sim-in")
    s.run_for(0.5)
    assert len(reports) == 8, reports
    assert [b - a for a, b in zip(reports, reports[1:])] == [pytest.approx(0.0625)] * 7
    s.close()


# -- refusals say what is wrong, in words --------------------------------------------------------

def test_each_refused_operation_names_the_state_and_why():
    s = AudioSystem()
    with pytest.raises(IllegalTransitionError) as unconfigured:
        s.start()
    assert (unconfigured.value.message, unconfigured.value.component) == \
        ("illegal transition uninitialized -> starting (not configured)", SYSTEM)
    s.initialize()
    with pytest.raises(IllegalTransitionError) as twice:
        s.initialize()
    assert twice.value.message == \
        "illegal transition initialized -> initialized (expected to be in ['uninitialized'])"
    s.configure({})
    s.start()
    with pytest.raises(IllegalTransitionError) as started:
        s.start()
    assert started.value.message == \
        "illegal transition running -> starting (expected to be in ['configured', 'stopped'])"
    with pytest.raises(SimulatedError):
        s.simulate_error("dsp")
    with pytest.raises(IllegalTransitionError) as failed:
        s.configure({})
    assert (failed.value.message, failed.value.component) == (
        "illegal transition failed -> configured (configure needs initialized, configured or stopped)",
        SYSTEM)
    s.close()
    with pytest.raises(SystemClosedError) as closed:
        s.start()
    assert (closed.value.message, closed.value.component) == \
        ("the system is closed; build a new AudioSystem", SYSTEM)


def test_a_listener_that_raises_is_logged_by_name_and_never_called_again(caplog):
    s = AudioSystem()
    s.initialize()
    calls: list[str] = []

    def bad(event: SystemEvent) -> None:
        calls.append(event.kind)
        raise RuntimeError("listener broke")

    s.add_event_listener(bad)
    caplog.set_level(logging.ERROR, logger="system_under_test.system")
    s.configure({})
    s.configure({})
    assert calls == ["config_applied"]
    (record,) = caplog.records
    assert record.getMessage() == f"event listener {bad!r} raised; it is removed"
    assert record.exc_info[1].args == ("listener broke",)
    s.close()


# -- construction ---------------------------------------------------------------------------------

def test_the_default_seed_is_zero_and_resources_are_stamped_on_the_systems_clock():
    a = AudioSystem()
    assert (a.seed, a.backend.seed) == (0, 0)  # the seeded test signal of every default run
    a.initialize()
    a.configure({})
    a.start()
    assert {x.time for x in a.resources.live()} == {0.0}  # virtual time of the start, not the wall's
    a.run_for(0.25)
    a.stop()
    a.start()
    assert {x.time for x in a.resources.live()} == {a.clock.now()} == {0.25}
    a.close()


def test_a_flood_of_device_reports_keeps_the_newest_1024():
    s = _running()
    sinks = _capture_sink(s)
    s.stop()
    s.start()
    for i in range(1030):
        sinks[-1](DeviceError(f"report {i}", component="device", severity=Severity.INFO))
    s.poll()
    records = s.coordinator.errors()
    assert s.metrics().counters["errors"] == 1024
    assert (records[0].error.message, records[-1].error.message) == ("report 6", "report 1029")
    s.close()


# -- building a stream ------------------------------------------------------------------------------

def test_a_stream_the_limits_refuse_is_a_clean_refusal_with_the_pipeline_given_back(caplog):
    from system_under_test.errors import ResourceLimitError
    from system_under_test.resources import ResourceType

    s = AudioSystem({"limits": {"streams": 1}})
    s.initialize()
    mine = s.resources.allocate("device", ResourceType.STREAMS, 1, "held by the test")
    caplog.set_level(logging.DEBUG, logger="system_under_test.system")
    with pytest.raises(ResourceLimitError):
        s.start()
    assert [r for r in caplog.records if r.name == "system_under_test.system"] == []  # no stream: none closed
    assert s.resources.live() == [mine] and s.backend.open_streams() == []
    assert s.state == State.FAILED
    s.close()


def test_a_report_from_a_torn_down_streams_sink_is_stale_beside_a_current_one():
    s = _running({"recovery": {"initial_backoff_ms": 1000}})
    sinks = _capture_sink(s)
    s.stop()
    s.start()
    s.stop()
    s.start()
    old, new = sinks
    old(DeviceLostError("late report of the first stream", component="device"))
    new(DeviceError("the current stream's", component="device", severity=Severity.INFO))
    s.poll()  # one pass: the stale report is skipped, the current one still routed
    counters = s.metrics().counters
    assert counters["stale_device_errors"] == 1 and counters["errors"] == 1
    assert [r.error.message for r in s.coordinator.errors()] == ["the current stream's"]
    assert s.state == State.RUNNING
    s.close()


@pytest.mark.parametrize("after", ["stop", "recovery"])
def test_a_report_from_the_last_stream_after_its_teardown_is_stale(after):
    """No newer stream exists yet, so the report carries the current generation; the stream it
    names is gone all the same (stopped, or torn down by the recovery its first report started):
    one device loss is one error, one loss counted, whatever the stream says after."""
    s = _running({"recovery": {"initial_backoff_ms": 1000}, "device": {"fallback_devices": []}})
    sinks = _capture_sink(s)
    s.stop()
    s.start()
    (sink,) = sinks
    if after == "stop":
        s.stop()
        errors_before, losses_before = 0, 0
    else:
        sink(DeviceLostError("the device is gone", component="device"))
        s.poll()
        assert s.state == State.RECOVERING and s.stream is None
        errors_before, losses_before = 1, 1
    records = list(s.coordinator.errors())
    sink(DeviceLostError("late report of the same loss", component="device"))
    s.poll()
    counters = s.metrics().counters
    assert counters["stale_device_errors"] == 1
    assert (counters["errors"], counters["device_losses"]) == (errors_before, losses_before)
    assert s.coordinator.errors() == records
    s.close()


def test_a_callback_error_is_routed_at_the_moment_of_the_callback():
    s = _running()
    events: list[SystemEvent] = []
    s.add_event_listener(events.append)
    chain = s.pipeline.chain
    process = chain.process
    raised_at: list[float] = []

    def boom(block):
        chain.process = process  # type: ignore[method-assign]
        raised_at.append(s.clock.now())
        raise ValueError("one bad block")

    chain.process = boom  # type: ignore[method-assign]
    s.run_for(0.05)
    (error,) = [e for e in events if e.kind == "error"]
    assert error.time == raised_at[0]
    s.close()


def test_a_callback_that_comes_after_teardown_counts_no_frame():
    s = _running()
    p = s.pipeline
    s.stop()
    before = s.metrics().counters
    block = np.full((p.block_size, 2), 0.5, dtype=np.float32)
    out = np.ones_like(block)
    p.callback(block, out, p.block_size, 0.0, StatusFlags())
    after = s.metrics().counters
    frames = ("frames_captured", "frames_played", "frames_dropped", "frames_inserted")
    assert {k: after[k] for k in frames} == {k: before[k] for k in frames}
    assert not out.any()
    s.close()


def test_a_stall_is_never_declared_below_the_streams_own_floor():
    s = _running(_EXACT)
    s.stream.min_stall_s = 0.75  # a device whose healthy gaps reach three quarters of a second
    s.backend.stall("sim-in")
    last = s.stream.stats.last_callback_at
    s.clock.run_until(last + 0.75 - 1 / 1024)
    assert s.metrics().counters.get("device_stalls", 0) == 0
    s.clock.run_until(last + 0.75 + 1 / 1024)
    (record,) = [r for r in s.coordinator.errors() if r.error.type == "DeviceStalledError"]
    assert (record.component, record.error.component) == ("device", "device")
    assert record.error.message == \
        "no callback for 0.750 s (4 periods of 15.62 ms, the stream's floor 750 ms)"
    s.close()
