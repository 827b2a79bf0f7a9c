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
from system_under_test.errors import DeviceLostError, DeviceTimeoutError


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
