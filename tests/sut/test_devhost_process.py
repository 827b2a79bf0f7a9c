"""The device host as a process: its start-up bounds and a death during a request.

A real ``DeviceHost`` (a child interpreter running ``_devhost.py``) against a scripted
``sounddevice`` module put first on the child's ``PYTHONPATH``: no PortAudio and no audio server,
so these run with the simulated suite. Each test bounds its waits generously (an interpreter
start on a loaded machine takes seconds) and asserts only what a bound can show: an answer that
must come long before the other bound involved.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from system_under_test.devices.base import StreamSpec
from system_under_test.devices.portaudio import INSTALL_HINT, DeviceHost, PortAudioBackend
from system_under_test.errors import BackendUnavailableError, DeviceError, DeviceLostError, DeviceTimeoutError


def _scripted_sounddevice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    (tmp_path / "sounddevice.py").write_text(source)
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    monkeypatch.setattr(PortAudioBackend, "available", staticmethod(lambda: (True, "")))


def test_a_host_whose_portaudio_never_initialises_fails_within_the_init_bound(tmp_path, monkeypatch):
    """The interpreter's start has the generous bound (``spawn_timeout_s``); PortAudio's
    initialisation, which hangs on a stalled audio server, has its own short one
    (``init_timeout_s``): a host that started but never says hello fails after the short one."""
    _scripted_sounddevice(tmp_path, monkeypatch, "import time\ntime.sleep(3600)  # Pa_Initialize on a stalled server\n")
    backend = PortAudioBackend(spawn_timeout_s=60.0, init_timeout_s=1.0)
    t0 = time.monotonic()
    with pytest.raises(DeviceTimeoutError, match=r"did not initialise PortAudio within 1\.0 s"):
        backend.devices()
    assert time.monotonic() - t0 < 30.0, "the stalled initialisation was waited the spawn bound"


def test_a_host_that_dies_during_a_request_is_a_lost_device_at_once(tmp_path, monkeypatch):
    """A request pending when its host dies ends when the host's output does, as a lost host,
    not after the request's whole timeout as a timeout."""
    _scripted_sounddevice(tmp_path, monkeypatch, (
        "import os, signal\n"
        "def get_portaudio_version():\n"
        "    return (0, 'scripted')\n"
        "def query_hostapis():\n"
        "    os.kill(os.getpid(), signal.SIGKILL)  # the host dies inside the discovery\n"
        "def query_devices():\n"
        "    return []\n"))
    backend = PortAudioBackend(spawn_timeout_s=40.0)  # also the discovery request's bound
    t0 = time.monotonic()
    with pytest.raises(DeviceLostError, match="died during discovery"):
        backend.devices()
    assert time.monotonic() - t0 < 20.0, "the dead host's request waited out its timeout"


_ONE_DEVICE = (
    "import time\n"
    "def get_portaudio_version():\n"
    "    return (0, 'scripted')\n"
    "def query_hostapis():\n"
    "    return [{'name': 'ALSA'}]\n"
    "def query_devices():\n"
    "    return [{'name': 'dev', 'hostapi': 0, 'index': 0, 'max_input_channels': 2, 'max_output_channels': 2,\n"
    "             'default_samplerate': 48000.0, 'default_low_output_latency': 0.005,\n"
    "             'default_low_input_latency': 0.005}]\n"
    "def check_output_settings(device=None, samplerate=None):\n"
    "    time.sleep(3600)  # a rate probe that never returns\n"
    "def _terminate():\n"
    "    pass\n"
    "def _initialize():  # a re-scan finds the same host APIs\n"
    "    pass\n")


def test_a_request_comes_back_as_its_result_its_mapped_failure_a_timeout_or_a_gone_host(tmp_path, monkeypatch):
    """``DeviceHost.request`` against a real host process: the answer's result (with the request's
    arguments honoured), a failure in the host mapped into our tree, a request the host never
    answers as a timeout naming it (and forgotten), and any request to a killed host as gone."""
    from system_under_test.devices import portaudio

    _scripted_sounddevice(tmp_path, monkeypatch, _ONE_DEVICE)
    host = PortAudioBackend(spawn_timeout_s=60.0)._spawn_host()
    try:
        assert host.request("status", 30.0) == {"open": False}
        assert [d["name"] for d in host.request("devices", 30.0, host_api="ALSA")] == ["dev"]
        assert host.request("devices", 30.0, host_api="JACK Audio Connection Kit") == []
        with pytest.raises(DeviceError) as exc:
            host.request("nosuch", 30.0)
        assert type(exc.value) is DeviceError
        assert (exc.value.message, exc.value.details) == (
            "'_Host' object has no attribute 'op_nosuch'", {"host_exception": "AttributeError"})
        with pytest.raises(portaudio._HostTimeout) as timed_out:
            host.request("devices", 0.5, probe_rates=[44_100])
        assert str(timed_out.value) == "devices" and host._pending == {}
        host.kill()
        with pytest.raises(portaudio._HostGone) as gone:
            host.request("status", 30.0)
        assert str(gone.value) == "status"
    finally:
        host.kill()
        host.release()


#: a scripted sounddevice whose one device is named after how its host process was made: the
#: signal it gets when its parent dies, whether it leads a session of its own, and a variable only
#: the environment the host was given holds
_SELF_REPORTING = (
    "import ctypes, os, sys\n"
    "sys.stderr.write('scripted sounddevice loaded\\n')\n"
    "sys.stderr.flush()\n"
    "def get_portaudio_version():\n"
    "    return (0, 'scripted')\n"
    "def query_hostapis():\n"
    "    return [{'name': 'ALSA'}]\n"
    "def query_devices():\n"
    "    sig = ctypes.c_int(-1)\n"
    "    ctypes.CDLL(None).prctl(2, ctypes.byref(sig))  # PR_GET_PDEATHSIG\n"
    "    name = (f'pdeathsig={sig.value} session_leader={os.getsid(0) == os.getpid()} '\n"
    "            f\"marker={os.environ.get('SOUNDCHECK_HOST_MARKER')}\")\n"
    "    return [{'name': name, 'hostapi': 0, 'index': 0, 'max_input_channels': 2, 'max_output_channels': 2,\n"
    "             'default_samplerate': 48000.0, 'default_low_output_latency': 0.005,\n"
    "             'default_low_input_latency': 0.005}]\n"
    "def _terminate():\n"
    "    pass\n"
    "def _initialize():\n"
    "    pass\n")


def test_a_host_leads_its_own_session_dies_with_its_parent_and_keeps_its_stderr(tmp_path, monkeypatch):
    """A device host runs in the environment it is given (not this process's), in a session of its
    own (``kill()`` signals its whole group), with SIGKILL due when its parent dies (no orphan host
    holding the device), its stderr kept for the error messages, and its answers read by a daemon
    thread named after its pid, gone once the host is shut down, whose end is told to ``on_event``."""
    _scripted_sounddevice(tmp_path, monkeypatch, _SELF_REPORTING)
    env = dict(os.environ, SOUNDCHECK_HOST_MARKER="given")
    heard: list[dict] = []
    host = DeviceHost(env, python=sys.executable, spawn_timeout_s=60.0, on_event=heard.append)
    try:
        assert host.alive and host.pid == host.proc.pid
        (device,) = host.request("devices", 30.0, host_api="ALSA")
        assert device["name"] == f"pdeathsig={int(signal.SIGKILL)} session_leader=True marker=given"
        assert "scripted sounddevice loaded\n" in host.stderr_tail()
        (reader,) = [t for t in threading.enumerate() if t.name == f"devhost-reader-{host.pid}"]
        assert reader.daemon is True
    finally:
        host.shutdown(5.0)
    assert not host.alive and not reader.is_alive()
    assert heard == [{"event": "host_exit"}], "the reader's end did not reach the host's event handler"


#: the waits for a CPU a host that failed to start read of itself before its kill
#: (``DeviceHost.cpu_waits``): on its error where the kernel keeps schedstat
WAITS = ("reader_cpu_wait_s", "host_cpu_wait_s")
SCHEDSTAT = os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat")


def _own_words(details: dict, *, alive: bool = True) -> dict:
    """A failed host's error details without its measured waits; ``alive`` (a host still running
    at its kill): those waits are there, as floats, where the kernel keeps schedstat."""
    if alive:
        assert all(isinstance(details.get(k), float) for k in WAITS) if SCHEDSTAT else not set(WAITS) & set(details), details
    return {k: v for k, v in details.items() if k not in WAITS}


def _descriptors() -> set[tuple[str, str]]:
    """This process's open descriptors as (number, what it points at).

    Other threads of a test process (a daemon thread an earlier test left, a reader reaping its
    pipe) may close a descriptor while a test runs, so a test of what a constructor leaves behind
    asks only whether a descriptor appeared that was not there before: a number new, or an old
    number now pointing elsewhere. Files under ``/proc`` are left out: they are this process's
    own statistics, which other threads (a stream's watchdog reading its thread's schedstat, a
    resource sampler) open and close all the time, and a host's constructor opens none (it holds
    a pipe, its stderr file and its child's pipes)."""
    out = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{name}")
        except FileNotFoundError:  # closed between the listing and the read (the listing's own)
            continue
        if not target.startswith("/proc/"):
            out.add((name, target))
    return out


def _fake_interpreter(tmp_path: Path, body: str) -> str:
    """A shell script standing for the host's Python: it ignores its arguments and does ``body``."""
    path = tmp_path / "fake-python"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return str(path)


def test_a_host_that_never_starts_fails_within_the_spawn_bound_with_its_last_words(tmp_path):
    """An interpreter that never says ``started`` fails after ``spawn_timeout_s`` (the init bound
    is never waited), as a timeout of the device naming the bound, with the host's stderr."""
    python = _fake_interpreter(tmp_path, "echo 'interpreter stuck' >&2\nexec sleep 3600\n")
    t0 = time.monotonic()
    with pytest.raises(DeviceTimeoutError) as exc:
        DeviceHost(dict(os.environ), python=python, spawn_timeout_s=3.0, init_timeout_s=60.0)
    assert time.monotonic() - t0 < 30.0, "the init bound was waited too"
    assert (exc.value.message, exc.value.component, _own_words(exc.value.details)) == (
        "device host did not start within 3.0 s (is the audio server stalled?)", "device",
        {"stderr": "interpreter stuck\n"})


def test_a_host_without_an_init_bound_waits_the_spawn_bound_for_portaudio(tmp_path):
    """``init_timeout_s`` left out is ``spawn_timeout_s``: a host that started and never says
    hello fails after it, naming PortAudio's initialisation, with the host's stderr."""
    python = _fake_interpreter(tmp_path, "echo '{\"event\": \"started\", \"pid\": 1}'\n"
                                         "echo 'portaudio stuck' >&2\nexec sleep 3600\n")
    with pytest.raises(DeviceTimeoutError) as exc:
        DeviceHost(dict(os.environ), python=python, spawn_timeout_s=3.0)
    assert (exc.value.message, exc.value.component, _own_words(exc.value.details)) == (
        "device host did not initialise PortAudio within 3.0 s (is the audio server stalled?)", "device",
        {"stderr": "portaudio stuck\n"})


@pytest.mark.parametrize(("body", "message", "host_exception"), [
    ("exit 0\n", "device host exited at start (exit status 0)", "OSError"),
    ("echo '{\"event\": \"hello\", \"ok\": false, \"error\": {\"type\": \"ImportError\", "
     "\"message\": \"no module named sounddevice\"}}'\nexec sleep 3600\n", "no module named sounddevice",
     "ImportError"),
], ids=["exits-at-once", "hello-refused"])
def test_a_host_that_cannot_load_portaudio_is_an_unavailable_backend_saying_why(tmp_path, body, message,
                                                                               host_exception):
    """A host that exits before its hello, or says hello with the error that stopped it loading
    PortAudio, is the backend unavailable: the host's own words (or that it exited) and what to
    install."""
    with pytest.raises(BackendUnavailableError) as exc:
        DeviceHost(dict(os.environ), python=_fake_interpreter(tmp_path, body), spawn_timeout_s=30.0)
    # a host that exited at once may be gone before its waits can be read
    details = _own_words(exc.value.details, alive=body.endswith("sleep 3600\n"))
    assert (exc.value.message, exc.value.component, details) == (
        f"{message} ({INSTALL_HINT})", "device", {"host_exception": host_exception})


def test_a_host_killed_by_a_signal_before_its_hello_is_a_device_error_naming_the_signal(tmp_path):
    """A host that dies by a signal as PortAudio initialises (libjack crashing on the shared JACK
    files) is a device that failed to open: the signal named, no install hint (the host's import
    of PortAudio would have said hello with its error). Fails where the end is taken for a
    missing PortAudio (``BackendUnavailableError``, "install PortAudio")."""
    body = "echo '{\"event\": \"started\", \"pid\": 1}'\necho 'libjack: shm' >&2\nkill -SEGV $$\n"
    with pytest.raises(DeviceError) as exc:
        DeviceHost(dict(os.environ), python=_fake_interpreter(tmp_path, body), spawn_timeout_s=30.0)
    assert not isinstance(exc.value, BackendUnavailableError), exc.value
    assert (exc.value.message, exc.value.component, _own_words(exc.value.details, alive=False)) == (
        "device host was killed by SIGSEGV at start, as PortAudio initialised: libjack: shm", "device",
        {"host_exit_status": -11, "host_signal": "SIGSEGV"})


def test_a_host_whose_interpreter_cannot_be_run_fails_as_that_and_leaves_no_descriptor(tmp_path):
    """When the host's interpreter cannot even be executed, the constructor raises what the
    operating system said and gives back both ends of the tick pipe and the stderr file."""
    before = _descriptors()
    with pytest.raises(FileNotFoundError):
        DeviceHost(dict(os.environ), python=str(tmp_path / "no-such-python"), spawn_timeout_s=30.0)
    assert _descriptors() - before == set()


def test_a_host_that_cannot_be_run_from_a_worker_thread_fails_in_that_thread(tmp_path):
    """Off the main thread the host is forked by the spawner's thread (``devices.spawn``): what the
    operating system said there is raised in the thread that asked, as on the main thread, and no
    descriptor is left. The asking thread is joined with a bound only to see a hang: a spawn that
    fails answers at once."""
    before = _descriptors()
    outcome: dict = {}

    def open_host() -> None:
        try:
            DeviceHost(dict(os.environ), python=str(tmp_path / "no-such-python"), spawn_timeout_s=30.0)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = exc
        else:
            outcome["error"] = None

    opener = threading.Thread(target=open_host, name="worker-opener", daemon=True)
    opener.start()
    opener.join(timeout=60)
    assert not opener.is_alive(), "a spawn that failed never woke the thread that asked for it"
    assert type(outcome["error"]) is FileNotFoundError
    assert _descriptors() - before == set()


def test_a_host_opened_from_a_thread_that_then_ends_outlives_that_thread(tmp_path, monkeypatch):
    """A host is the device's for as long as its stream lives, whatever thread opened it: an
    operator reconfiguring from a worker thread that then returns, a fault's own thread. Linux
    delivers ``PR_SET_PDEATHSIG`` when the *thread* that forked the child ends, not the process
    (prctl(2)); a host forked from such a thread was SIGKILLed tens of milliseconds after it
    returned (measured on the rig: every ``soundcheck run --seed 2`` lost its device host 20-50 ms
    after the lifecycle-calls fault's reconfigure returned, and recovered from it)."""
    _scripted_sounddevice(tmp_path, monkeypatch, _SELF_REPORTING)
    made: dict = {}

    def open_host() -> None:
        made["tid"] = threading.get_native_id()
        made["host"] = DeviceHost(dict(os.environ), python=sys.executable, spawn_timeout_s=60.0)

    opener = threading.Thread(target=open_host, name="short-lived-opener")
    opener.start()
    opener.join(timeout=120)
    host = made["host"]
    try:
        # the opener's task leaves /proc only after the kernel's exit path, which sends the
        # parent-death signal: from here on, a host that was to get it has got it
        for _ in range(2000):
            if not os.path.exists(f"/proc/self/task/{made['tid']}"):
                break
            time.sleep(0.005)
        else:
            pytest.fail("the opening thread never ended")
        (device,) = host.request("devices", 30.0, host_api="ALSA")
        assert device["name"].startswith(f"pdeathsig={int(signal.SIGKILL)} ")
        assert host.alive
    finally:
        host.shutdown(5.0)


def test_a_failed_open_s_error_carries_its_time_and_its_measured_wait_for_a_cpu(tmp_path, monkeypatch):
    """A stream whose host never initialises PortAudio (a stalled server) fails its open after the
    init bound, and the error says how long the open took (``open_s``) and how much of it its
    threads and its host waited for a CPU (``open_wait_s``, at most ``open_s``), read from the
    real host's schedstat before its kill, as a successful open's ``open_cpu_wait_s`` is."""
    if not os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat"):
        pytest.skip("this kernel keeps no schedstat")
    _scripted_sounddevice(tmp_path, monkeypatch, "import time\ntime.sleep(3600)  # Pa_Initialize on a stalled server\n")
    backend = PortAudioBackend(spawn_timeout_s=60.0, init_timeout_s=1.0)
    spec = StreamSpec("scripted", "scripted", 2, 2, 48_000, 64, None)
    with pytest.raises(DeviceTimeoutError, match=r"did not initialise PortAudio within 1\.0 s") as exc:
        backend.open_stream(spec, lambda *a: None, lambda e: None)
    details = exc.value.details
    assert isinstance(details.get("open_s"), float) and details["open_s"] >= 1.0, details
    assert isinstance(details.get("open_wait_s"), float), details
    assert 0.0 <= details["open_wait_s"] <= details["open_s"], details
    assert details["open_wait_s"] >= details["reader_cpu_wait_s"] + details["host_cpu_wait_s"] - 1e-6, details


def test_an_open_the_real_portaudio_refuses_carries_its_time_and_its_measured_wait_for_a_cpu():
    """The device refused by PortAudio itself in a real host (no such device): the open's error
    carries ``open_s`` and ``open_wait_s`` (at most ``open_s``), read before the host's kill."""
    ok, why = PortAudioBackend.available()
    if not ok:
        pytest.skip(why)
    if not os.path.exists(f"/proc/self/task/{threading.get_native_id()}/schedstat"):
        pytest.skip("this kernel keeps no schedstat")
    spec = StreamSpec("no-such-device", "no-such-device", 2, 2, 48_000, 64, None)
    with pytest.raises(DeviceError, match="no-such-device") as exc:
        PortAudioBackend(spawn_timeout_s=60.0).open_stream(spec, lambda *a: None, lambda e: None)
    details = exc.value.details
    assert isinstance(details.get("open_s"), float) and details["open_s"] > 0.0, details
    assert isinstance(details.get("open_wait_s"), float), details
    assert 0.0 <= details["open_wait_s"] <= details["open_s"], details


@pytest.mark.parametrize("body", [
    "exit 0\n",
    "echo '{\"event\": \"hello\", \"ok\": false, \"error\": {\"type\": \"ImportError\", "
    "\"message\": \"no module named sounddevice\"}}'\nexec sleep 3600\n",
    "echo '{\"event\": \"started\", \"pid\": 1}'\nkill -SEGV $$\n",
], ids=["exits-at-once", "hello-refused", "killed-at-start"])
def test_a_host_that_fails_before_its_hello_leaves_no_descriptor(tmp_path, body):
    """Whichever way a host fails before a good hello (it exits, it says it cannot load PortAudio,
    a signal ends it), the constructor gives back what it took before raising: our ends of the
    host's pipes, the tick pipe and the stderr file (``release``, which also joins the reader).
    The raised error is kept while this is checked, as a caller that reports it keeps it (its
    traceback holds the half-built host)."""
    before = _descriptors()
    with pytest.raises(DeviceError) as exc:
        DeviceHost(dict(os.environ), python=_fake_interpreter(tmp_path, body), spawn_timeout_s=30.0)
    assert _descriptors() - before == set(), exc.value
