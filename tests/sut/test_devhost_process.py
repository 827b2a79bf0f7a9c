"""The device host as a process: its start-up bounds and a death during a request.

A real ``DeviceHost`` (a child interpreter running ``_devhost.py``) against a scripted
``sounddevice`` module put first on the child's ``PYTHONPATH``: no PortAudio and no audio server,
so these run with the simulated suite. Each test bounds its waits generously (an interpreter
start on a loaded machine takes seconds) and asserts only what a bound can show: an answer that
must come long before the other bound involved.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from system_under_test.devices.portaudio import PortAudioBackend
from system_under_test.errors import DeviceError, DeviceLostError, DeviceTimeoutError


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
