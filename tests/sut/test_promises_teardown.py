"""Every teardown path releases what it holds: dead streams, failed (re)opens, failed starts,
streams whose own stop/close raise, stop/start cycles, and close from FAILED."""

from __future__ import annotations

import pytest

from system_under_test import AudioSystem, State
from system_under_test.errors import DeviceNotFoundError, SimulatedError
from system_under_test.system import PIPELINE


def _held(system: AudioSystem) -> list[dict]:
    """What the pipeline's components and the device still hold."""
    return [a.to_dict() for a in system.resources.live() if a.component in PIPELINE]


def _assert_nothing_held(system: AudioSystem) -> None:
    assert _held(system) == []
    assert system.backend.open_streams() == []
    assert system.stream is None and system.pipeline is None


def _running(config: dict | None = None, seed: int = 31) -> AudioSystem:
    s = AudioSystem(config or {}, seed=seed)
    s.initialize()
    s.start()
    s.run_for(0.05)
    assert s.state == State.RUNNING and len(s.backend.open_streams()) == 1
    return s


def test_a_dead_stream_is_released_while_recovering_and_after_giving_up():
    s = _running({"recovery": {"deadline_ms": 300, "max_attempts": 50}, "device": {"fallback_devices": []}})
    dead = s.stream
    s.backend.remove_device("sim-in")
    s.run_for(0.05)
    assert s.state == State.RECOVERING and dead.closed
    for _ in range(6):  # between failed reopen attempts nothing of the old or new pipeline is held
        s.run_for(0.03)
        assert s.state == State.RECOVERING
        _assert_nothing_held(s)
    s.run_for(1.0)
    assert s.state == State.FAILED
    _assert_nothing_held(s)
    s.close()
    assert s.resources.leak_report() == [] and s.state == State.CLOSED


def test_a_failed_start_releases_everything():
    s = AudioSystem({}, seed=32)
    s.initialize()
    s.backend.remove_device("sim-out")
    with pytest.raises(DeviceNotFoundError):
        s.start()
    assert s.state == State.FAILED
    _assert_nothing_held(s)
    s.close()
    assert s.resources.leak_report() == []


def test_a_failed_reopen_in_recover_releases_everything():
    s = _running({"device": {"fallback_devices": ["sim-backup"]}})
    with pytest.raises(SimulatedError):
        s.simulate_error("device")
    s.backend.remove_device("sim-in")
    s.backend.remove_device("sim-backup")
    assert s.recover() is False
    assert s.state == State.FAILED
    _assert_nothing_held(s)
    s.close()
    assert s.resources.leak_report() == []


@pytest.mark.parametrize("how", ["simulate_error", "recovery_failed"])
def test_close_from_failed_releases_everything(how):
    s = _running({"recovery": {"deadline_ms": 100}, "device": {"fallback_devices": []}})
    if how == "simulate_error":
        with pytest.raises(SimulatedError):
            s.simulate_error("dsp")
    else:
        s.backend.remove_device("sim-in")
        s.run_for(1.0)
    assert s.state == State.FAILED
    s.close()
    assert s.state == State.CLOSED
    assert s.resources.leak_report() == []
    assert s.backend.open_streams() == []
    assert all(st_ == State.CLOSED for st_ in s.coordinator.states().values())


@pytest.mark.parametrize("broken", ["stop", "close"])
def test_a_stream_that_raises_on_teardown_still_gives_back_its_allocation(broken):
    s = _running()

    def boom(*_a, **_k):
        raise RuntimeError(f"device refused {broken}")

    stream = s.stream
    setattr(stream, broken, boom)
    s.stop()
    assert s.state == State.STOPPED
    assert _held(s) == [] and s.pipeline is None and s.stream is None
    assert stream is not None
    s.close()
    assert s.resources.leak_report() == []


def test_stop_and_restart_many_times_holds_one_stream_at_most():
    s = _running()
    for _ in range(5):
        s.stop()
        _assert_nothing_held(s)
        s.start()
        s.run_for(0.02)
        assert len(s.backend.open_streams()) == 1
        assert len([a for a in s.resources.live() if a.component == "device"]) == 1
    s.close()
    assert s.resources.leak_report() == []


def test_a_component_is_stopped_only_once_its_stream_and_buffers_are_gone():
    """stop() tears the stream and the pipeline down before any component says STOPPED: an
    observer of each STOPPED finds nothing held (nothing of the pipeline, no open stream)."""
    s = _running(seed=33)
    seen: list[tuple[str, list[dict], int, bool]] = []

    def observe(record) -> None:
        if record.to_state == State.STOPPED:
            seen.append((record.component, _held(s), len(s.backend.open_streams()), s.stream is None))

    s.add_observer(observe)
    s.stop()
    assert [c for c, *_ in seen] == [*reversed(PIPELINE), "system"]
    assert all(held == [] and streams == 0 and gone for _, held, streams, gone in seen)
    s.close()


def _into(how: str) -> AudioSystem:
    """A running system driven into the state ``how`` names, by the path that reaches it."""
    s = _running({"recovery": {"deadline_ms": 100}, "device": {"fallback_devices": []}}, seed=34)
    if how == "paused":
        s.pause()
    elif how == "recovering":
        s.backend.remove_device("sim-in")
        s.run_for(0.02)
    elif how == "failed_by_error":
        with pytest.raises(SimulatedError):
            s.simulate_error("dsp")
    elif how == "failed_recovery":
        s.backend.remove_device("sim-in")
        s.run_for(1.0)
    elif how == "failed_start":
        s.stop()
        s.backend.remove_device("sim-out")
        with pytest.raises(DeviceNotFoundError):
            s.start()
    return s


@pytest.mark.parametrize("how, state", [
    ("running", State.RUNNING), ("paused", State.PAUSED), ("recovering", State.RECOVERING),
    ("failed_by_error", State.FAILED), ("failed_recovery", State.FAILED), ("failed_start", State.FAILED)])
def test_stop_from_every_state_stops_every_component_and_a_restart_runs_them_all(how, state):
    """stop() brings the system *and each of its components* to STOPPED, whatever state it was
    stopped from: a component left FAILED by a cascade or a failed recovery stays FAILED through
    the next start() (the system RUNNING, its components FAILED, unhealthy) unless stop() moved it."""
    s = _into(how)
    assert s.state == state
    s.stop()
    assert s.coordinator.states() == {n: State.STOPPED for n in ("system", *PIPELINE)}
    for name in ("sim-in", "sim-out"):
        s.backend.restore_device(name)
    s.start()
    s.run_for(0.05)
    assert s.coordinator.states() == {n: State.RUNNING for n in ("system", *PIPELINE)}
    assert s.is_healthy()
    s.close()


def test_a_device_report_after_close_arms_no_supervisor_pass():
    """CLOSED is final: a backend thread's late report (its stream was already torn down) is queued
    and nothing more. A supervisor timer armed for it would hold the closed system on the clock
    until it fired, and would run a pass over a system that has nothing left to supervise."""
    s = _running(seed=33)
    s.close()
    before = s.clock.live_timers()
    s._on_device_error(SimulatedError("a report from a stream torn down a moment ago"))
    armed = [t for t in s.clock.live_timers() if t not in before]
    assert [getattr(t.callback, "__qualname__", repr(t.callback)) for t in armed] == []
    assert s._supervisor_timer is None and s.state == State.CLOSED
