"""The device host's PortAudio initialisation has its own bound, not the control timeout.

Field case: at load average 13-17 on the 2-core rig two JACK-route tests failed once on "device
host did not initialise PortAudio within 2.0 s": the initialisation (sounddevice imported,
``Pa_Initialize`` connected to the server) was bounded by ``control_timeout_s``, a bound meant for
requests to a host that is already up. ``INIT_TIMEOUT_S`` is set from
``bench/bench_rig_devhost_init.py``'s measurements (see its docstring in ``portaudio.py``).

The hosts here are a stand-in interpreter that says ``started``, waits, then says ``hello``: the
bound is exercised without PortAudio, and the slow case's wait is far inside one bound and far
outside the other, so a loaded machine cannot flip the outcome.
"""

from __future__ import annotations

import stat
import sys
import textwrap
from pathlib import Path

import pytest

from system_under_test.devices import portaudio as pa
from system_under_test.errors import DeviceTimeoutError

#: a device host that initialises as slowly as ``FAKE_INIT_S`` says (never, if it is "never")
_FAKE = textwrap.dedent("""\
    import json, os, sys, time
    print(json.dumps({"event": "started", "pid": os.getpid()}), flush=True)
    wait = os.environ.get("FAKE_INIT_S", "0")
    if wait == "never":
        time.sleep(3600)
    time.sleep(float(wait))
    print(json.dumps({"event": "hello", "ok": True, "portaudio": "fake", "pid": os.getpid()}), flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        print(json.dumps({"id": req["id"], "ok": True, "result": None}), flush=True)
        if req.get("op") == "exit":
            os._exit(0)
    """)


@pytest.fixture
def fake_python(tmp_path: Path) -> str:
    """An executable that DeviceHost runs as its interpreter (it ignores ``-P <file> <fd>``)."""
    script = tmp_path / "fake_python"
    script.write_text(f"#!{sys.executable}\n" + _FAKE)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def _backend(python: str, **kw: float) -> pa.PortAudioBackend:
    backend = pa.PortAudioBackend(python=python, **kw)
    usable, _ = backend.available()
    if not usable:
        pytest.skip("PortAudio/sounddevice not installed")
    return backend


def test_the_init_bound_is_its_own_and_measured():
    b = pa.PortAudioBackend()
    assert b.init_timeout_s == pa.INIT_TIMEOUT_S == 5.0
    assert b.control_timeout_s == 2.0  # the control timeout keeps its meaning and value
    assert pa.PortAudioBackend(control_timeout_s=0.5).init_timeout_s == pa.INIT_TIMEOUT_S


def test_an_initialisation_slower_than_the_control_timeout_is_not_a_failure(fake_python, monkeypatch):
    """0.8 s of initialisation against a 0.2 s control timeout and a 4 s init bound: it succeeds
    (the old code waited the control timeout and failed)."""
    monkeypatch.setenv("FAKE_INIT_S", "0.8")
    backend = _backend(fake_python, control_timeout_s=0.2, init_timeout_s=4.0)
    host = backend._spawn_host()
    try:
        assert host.hello["ok"] and host.hello["portaudio"] == "fake"
    finally:
        host.shutdown(1.0)


def test_an_initialisation_that_never_ends_fails_at_the_init_bound_and_says_so(fake_python, monkeypatch):
    monkeypatch.setenv("FAKE_INIT_S", "never")
    backend = _backend(fake_python, control_timeout_s=30.0, init_timeout_s=0.3)
    with pytest.raises(DeviceTimeoutError, match=r"did not initialise PortAudio within 0\.3 s"):
        backend._spawn_host()
