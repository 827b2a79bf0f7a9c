"""The PortAudio backend against a real JACK loopback rig (both routes), and its failure modes.

Each test starts its own rig (unique server name, so xdist workers do not collide). Outside CI
these skip when jackd/PortAudio are missing; with ``CI`` set they fail instead. All waits poll a
condition with a timeout; each test is bounded well under 60 s.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.rig.awake import wait_while_awake
from harness.rig.loopback import LoopbackRig, SineLoop, kill_recovery_drill
from system_under_test.clock import VirtualClock
from system_under_test.devices.base import StreamSpec
from system_under_test.devices.jack import JackBackend
from system_under_test.devices.portaudio import PortAudioBackend
from system_under_test.errors import (
    BackendUnavailableError,
    CallbackError,
    DeviceLostError,
    DeviceNotFoundError,
    DeviceStalledError,
    DeviceTimeoutError,
)

#: the waits below count the time the rig's processes sleep; this wall-clock bound only stops a busy hang
pytestmark = [pytest.mark.loopback(portaudio=True), pytest.mark.timeout(300)]

ROUTES = ["jack-hostapi", "alsa-jack-pcm"]


@pytest.fixture
def rig() -> Iterator[LoopbackRig]:
    with LoopbackRig(rate=48000, period=256) as r:
        yield r


def _backend(rig: LoopbackRig, route: str, **kw: object) -> tuple[PortAudioBackend, str]:
    if route == "jack-hostapi":
        return JackBackend(rig.server_name, **kw), "system"  # type: ignore[arg-type]
    return PortAudioBackend(host_api="ALSA", jack_server=rig.server_name, **kw), "jack"  # type: ignore[arg-type]


def _spec(device: str) -> StreamSpec:
    return StreamSpec(device, device, 2, 2, 48000, 256)


def _looped(rig: LoopbackRig, backend: PortAudioBackend, device: str, errors: list, **kw: float):
    loop = SineLoop(48000, **kw)
    stream = backend.open_stream(_spec(device), loop, errors.append)
    stream.start()
    rig.connect_loopback(channels=2)
    wait_while_awake(lambda: loop.samples > 48000 // 2, 10, what="half a second of audio")
    return stream, loop


def _shm_entries() -> set[str]:
    """This process's ring segments (other processes, e.g. parallel test runs, have their own)."""
    return {p.name for p in Path("/dev/shm").glob(f"soundcheck-{os.getpid()}-*")}


@pytest.mark.parametrize("route", ROUTES)
def test_a_997_hz_sine_comes_back_with_the_right_rms(rig: LoopbackRig, route: str) -> None:
    backend, device = _backend(rig, route)
    errors: list = []
    stream, loop = _looped(rig, backend, device, errors)
    try:
        wait_while_awake(lambda: loop.samples > 48000 * 1.5, 10, what="1.5 s of audio")
        # the level of the blocks that came back (a loaded machine's xruns hand over silent
        # blocks: their share is bounded, not mistaken for a wrong level)
        level, silent = loop.recent_level(1.0)
        assert level == pytest.approx(0.5 / 2 ** 0.5, rel=0.02), (level, silent)
        assert silent < 0.5, (level, silent)
        assert not [e for e in errors if isinstance(e, (DeviceLostError, DeviceStalledError))]
        assert stream.active and stream.stats.callbacks >= loop.blocks > 0
    finally:
        stream.close()
    assert stream.closed and not stream.active


@pytest.mark.parametrize("route", ROUTES)
def test_a_started_stream_gets_a_longer_grace_until_its_first_block(rig: LoopbackRig, route: str) -> None:
    """A new client's first cycle waits for the server: until the first block after a start the
    watchdogs (the stream's and, through ``min_stall_s``, the system's) wait FIRST_BLOCK_GRACE_S;
    from the first block on, the normal bound."""
    from system_under_test.devices.portaudio import FIRST_BLOCK_GRACE_S

    backend, device = _backend(rig, route)
    errors: list = []
    loop = SineLoop(48000)
    stream = backend.open_stream(_spec(device), loop, errors.append)
    try:
        assert stream.stats.callbacks == 0
        assert stream.min_stall_s == max(stream.watchdog_s, FIRST_BLOCK_GRACE_S) > stream.watchdog_s
        stream.start()
        wait_while_awake(lambda: stream.stats.callbacks > 0, 10, what="the first block")
        assert stream.min_stall_s == stream.watchdog_s
        stream.stop()
        blocks = stream.stats.callbacks
        stream.start()  # a restart: the grace again until its first block (which may come at once)
        wait_while_awake(lambda: stream.stats.callbacks > blocks, 10, what="a block after the restart")
        assert stream.min_stall_s == stream.watchdog_s
        assert not [e for e in errors if isinstance(e, (DeviceLostError, DeviceStalledError))]
    finally:
        stream.close()


@pytest.mark.parametrize("route", ROUTES)
def test_server_kill_is_detected_torn_down_without_hanging_and_recovered(
        rig: LoopbackRig, route: str, record_property: pytest.RecordProperty) -> None:
    """FIELD_NOTES bugs 1 and 2: JACK host API close() would hang; ALSA callbacks just stop."""
    backend, device = _backend(rig, route)
    expected = DeviceLostError if route == "jack-hostapi" else DeviceStalledError
    t0 = time.monotonic()
    # on a loaded machine the watchdog's stall can come before the JACK host API's own report of
    # the dead server: the drill times the first and still demands the route's own kind
    result = kill_recovery_drill(rig, backend, device, route=route, expect=expected)
    elapsed = time.monotonic() - t0
    record_property("drill", result.__dict__)
    print(f"\n{result}")
    assert result.error == expected.__name__
    assert result.detect_s < 3.0  # OboeTester's bar for reporting a disconnect
    assert result.teardown_s < backend.control_timeout_s + 1.0  # bounded, not forever
    assert result.rms_after == pytest.approx(0.5 / 2 ** 0.5, rel=0.05)
    assert elapsed < 30


@pytest.mark.parametrize("route", ROUTES)
def test_pulled_cable_is_silence_without_error_and_returns(rig: LoopbackRig, route: str) -> None:
    backend, device = _backend(rig, route)
    errors: list = []
    stream, loop = _looped(rig, backend, device, errors)
    try:
        wait_while_awake(lambda: loop.recent_rms(0.1) > 0.3, 5, what="signal")
        rig.disconnect_ports()
        wait_while_awake(lambda: loop.recent_rms(0.1) < 1e-4, 5, what="silence after the cable is pulled")
        assert stream.active
        assert not [e for e in errors if isinstance(e, (DeviceLostError, DeviceStalledError))]
        rig.reconnect_ports()
        wait_while_awake(lambda: abs(loop.recent_rms(0.1) - loop.expected_rms) < 0.02, 5, what="signal back")
    finally:
        stream.close()


@pytest.mark.parametrize("route", ROUTES)
def test_sigstop_stall_is_detected_by_the_watchdog_and_close_is_bounded(rig: LoopbackRig, route: str) -> None:
    backend, device = _backend(rig, route)
    errors: list = []
    stream, loop = _looped(rig, backend, device, errors)
    try:
        with rig.stalled_for():
            t0 = time.monotonic()
            err = wait_while_awake(lambda: next((e for e in errors if isinstance(e, DeviceStalledError)), None),
                             5, what="the watchdog")
            detect = time.monotonic() - t0
            assert detect < stream.watchdog_s + 1.0
            assert err.details["periods"] >= backend.watchdog_periods
            t1 = time.monotonic()
            stream.close()  # while the server is still frozen
            assert time.monotonic() - t1 < backend.control_timeout_s + 1.0
    finally:
        stream.close()


def test_close_times_out_on_a_hung_host_kills_it_and_reports(rig: LoopbackRig) -> None:
    """A host that stops answering (SIGSTOP: stands in for a PortAudio call that never returns)."""
    # The polite path of stop() is the one under test: a stream silent for a few periods (or
    # stalled) is killed at once without asking, and on a loaded machine the delivery thread's
    # last block can be 15 ms old before stop() runs (that made this test fail by chance). On a
    # virtual clock the stream is never quiet nor stalled; the request's timeout is real time.
    # The control timeout stays at its default: it bounds the host's PortAudio start at open,
    # which a loaded machine took more than 0.5 s for (4 failed opens in 30 runs beside two busy
    # loops); stop() is bounded by the stream's own teardown_timeout_s.
    backend, device = _backend(rig, "jack-hostapi", watchdog_min_s=30.0, clock=VirtualClock())
    errors: list = []
    stream, _loop = _looped(rig, backend, device, errors)
    pid = stream.host_pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)
    t0 = time.monotonic()
    stream.stop()
    took = time.monotonic() - t0
    stream.close()
    assert took < stream.teardown_timeout_s + 1.0
    assert any(isinstance(e, DeviceTimeoutError) for e in errors)
    wait_while_awake(lambda: not Path(f"/proc/{pid}").exists() or _is_zombie(pid), 5, what="host gone")


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


@pytest.mark.parametrize("route", ROUTES)
def test_no_threads_processes_or_shared_memory_leak(rig: LoopbackRig, route: str) -> None:
    threads_before = set(threading.enumerate())
    shm_before = _shm_entries()
    backend, device = _backend(rig, route)
    errors: list = []
    stream, _ = _looped(rig, backend, device, errors)
    pid = stream.host_pid
    name = stream.shm_name
    assert name in _shm_entries()
    stream.close()
    backend.close()
    assert name not in _shm_entries() and _shm_entries() <= shm_before
    assert pid is not None and (not Path(f"/proc/{pid}").exists() or _is_zombie(pid))
    wait_while_awake(lambda: set(threading.enumerate()) <= threads_before, 5, what="threads to end")


def test_devices_are_rescanned_by_name(rig: LoopbackRig) -> None:
    jack_backend = JackBackend(rig.server_name)
    assert [d.name for d in jack_backend.devices()] == ["system"]
    info = jack_backend.find("system")
    assert info.max_input_channels == 2 and info.sample_rates == (48000,)
    alsa = PortAudioBackend(host_api="ALSA", jack_server=rig.server_name)
    assert "jack" in [d.name for d in alsa.devices()]
    with pytest.raises(DeviceNotFoundError):
        jack_backend.find("nope")
    # The list is never stale: with the server gone, a re-scan sees no JACK device.
    rig.kill_server()
    assert jack_backend.devices() == []
    rig.restart_server()
    assert [d.name for d in jack_backend.devices()] == ["system"]


def test_opening_an_unknown_device_is_device_not_found_and_leaks_nothing(rig: LoopbackRig) -> None:
    shm_before = _shm_entries()
    backend = JackBackend(rig.server_name)
    with pytest.raises(DeviceNotFoundError, match="nope"):
        backend.open_stream(_spec("nope"), lambda *a: None, lambda e: None)
    assert _shm_entries() <= shm_before


def test_a_raising_callback_is_reported_and_the_stream_keeps_running(rig: LoopbackRig) -> None:
    backend = JackBackend(rig.server_name)
    errors: list = []
    calls = [0]

    def bad(indata, outdata, frames, t, status):  # type: ignore[no-untyped-def]
        calls[0] += 1
        raise RuntimeError("boom")

    stream = backend.open_stream(_spec("system"), bad, errors.append)
    try:
        stream.start()
        wait_while_awake(lambda: calls[0] > 50, 10, what="callbacks")
        assert any(isinstance(e, CallbackError) for e in errors)
        assert stream.active
    finally:
        stream.close()


def test_without_portaudio_the_backend_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A device host whose sounddevice cannot load PortAudio answers hello with the reason."""
    (tmp_path / "sounddevice.py").write_text("raise OSError('PortAudio library not found')\n")
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    backend = PortAudioBackend()
    monkeypatch.setattr(PortAudioBackend, "available", staticmethod(lambda: (True, "")))
    with pytest.raises(BackendUnavailableError, match="apt-get install libportaudio2"):
        backend.devices()
    monkeypatch.setattr(PortAudioBackend, "available",
                        staticmethod(lambda: (False, "the PortAudio library is not installed")))
    with pytest.raises(BackendUnavailableError):
        backend.open_stream(_spec("system"), lambda *a: None, lambda e: None)


@pytest.mark.parametrize("route", ROUTES)
def test_an_open_measures_its_wait_for_a_cpu_within_the_time_it_took(rig: LoopbackRig, route: str) -> None:
    """``open_cpu_wait_s``: the opening thread's, the reply reader's and the device host's runnable
    wait over the open and first start (Linux's schedstat), never more than the time it took: the
    machine's share a judge reads from ``recovery_succeeded``'s ``open_wait_s``."""
    backend, device = _backend(rig, route)
    t0 = time.monotonic()
    stream = backend.open_stream(_spec(device), lambda *a: None, lambda e: None)
    try:
        stream.start()
        took = time.monotonic() - t0
        assert stream.open_cpu_wait_s is not None
        assert 0.0 <= stream.open_cpu_wait_s <= took, (stream.open_cpu_wait_s, took)
    finally:
        stream.stop()
        stream.close()
