"""A stream's close is bounded as a whole: one deadline shared by its requests and its waits.

A real ``DeviceHost`` child (a stand-in interpreter speaking the host's protocol, no PortAudio)
that opens, then stops answering, and leaves a process of its own session holding its reply pipe
(as a helper daemon an audio library starts may): the close's polite request times out, the host
is killed, and the reply reader's pipe never ends. Each wait of the close had a bound of its own
(5 s), and closing the reader's pipe under it waited for the reader for as long as that process
lived; a recovery tearing such a stream down lost its whole deadline there.
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
from system_under_test.devices.portaudio import PortAudioBackend, PortAudioStream, time_left
from system_under_test.errors import DeviceTimeoutError

#: the close's deadline in these tests; the slack past it is for a loaded machine's scheduling
DEADLINE_S = 1.5
SLACK_S = 6.0

_STOPS_ANSWERING = """\
import json, os, sys, time
out = os.fdopen(1, "w")
def send(msg):
    out.write(json.dumps(msg) + "\\n")
    out.flush()
send({{"event": "started", "pid": os.getpid()}})
send({{"event": "hello", "ok": True, "portaudio": "scripted"}})
if os.fork() == 0:  # a session of its own: the host's group kill misses it, and it keeps our stdout
    os.setsid()
    with open({pidfile!r}, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(120)
    os._exit(0)
for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "open":
        send({{"id": request["id"], "ok": True, "result": {{}}}})
    # anything else is never answered
"""


def _stand_in_host(tmp_path: Path) -> tuple[str, Path]:
    """An executable standing for the host's Python (it ignores its arguments), and the file
    where the process it leaves holding its reply pipe writes its pid."""
    pidfile = tmp_path / "pipe-holder.pid"
    path = tmp_path / "stand-in-python"
    path.write_text(f"#!{sys.executable}\n" + _STOPS_ANSWERING.format(pidfile=str(pidfile)))
    path.chmod(0o755)
    return str(path), pidfile


def _end_pipe_holder(pidfile: Path) -> None:
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            break
        time.sleep(0.05)
    else:
        return
    try:
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
    except ProcessLookupError:
        pass


def test_a_close_whose_host_stops_answering_and_whose_pipe_outlives_it_ends_by_one_deadline(tmp_path):
    """The host answers the open, never the close: the close asks within its request bound,
    kills the host, and is done by its one deadline although the reply reader's pipe stays open
    (held by the host's escaped helper). Without the shared deadline the close waited on that
    pipe for as long as the helper lived."""
    python, pidfile = _stand_in_host(tmp_path)
    backend = PortAudioBackend(python=python, spawn_timeout_s=60.0, init_timeout_s=60.0)
    backend.close_deadline_s = DEADLINE_S
    errors: list[object] = []
    spec = StreamSpec("scripted", "scripted", 2, 2, 48_000, 256, None)
    stream = PortAudioStream(backend, spec, lambda *a: None, errors.append)
    host = stream.host
    assert host is not None and host.alive
    took: dict[str, float] = {}

    def close() -> None:
        t0 = time.monotonic()
        stream.close()
        took["s"] = time.monotonic() - t0

    closer = threading.Thread(target=close, name="closer", daemon=True)
    try:
        closer.start()
        closer.join(DEADLINE_S + SLACK_S)
        assert not closer.is_alive(), (
            f"the close still ran {DEADLINE_S + SLACK_S:.1f} s after it began (its deadline {DEADLINE_S} s)")
    finally:
        _end_pipe_holder(pidfile)
        closer.join(30)
    assert took["s"] < DEADLINE_S + SLACK_S
    assert stream.closed
    assert host.proc.returncode == -signal.SIGKILL, "the host that stopped answering was not killed"
    assert [type(e) for e in errors] == [DeviceTimeoutError] and "close()" in str(errors[0])
    # the close tells which waits it ran: the request (its bound at least), the kill, and the
    # reader's join, which waited out what was left of the deadline
    record = stream.close_waits
    assert record is not None and set(record["waits"]) == {"close_request", "kill", "reader_join"}
    assert record["waits"]["close_request"] >= stream.teardown_timeout_s - 0.01
    assert sum(record["waits"].values()) <= record["took_s"] + 1e-5
    assert record["took_s"] >= DEADLINE_S - 0.05


def test_a_wait_takes_what_is_left_of_its_deadline_never_more_than_its_own_bound():
    """``time_left``: the bound alone without a deadline; cut to the time left; 0 once past."""
    assert time_left(None, 0.3) == 0.3
    now = time.monotonic()
    assert time_left(now + 100.0, 0.3) == 0.3
    assert 0.0 < time_left(now + 1.0, 5.0) <= 1.0
    assert time_left(now - 1.0, 5.0) == 0.0


@pytest.mark.parametrize("bound", [0.3, 5.0])
def test_the_backend_s_close_deadline_is_its_own_setting(bound):
    assert PortAudioBackend(close_deadline_s=bound).close_deadline_s == bound


def test_a_close_request_whose_own_timeout_outlasts_the_deadline_is_cut_to_the_deadline(tmp_path):
    """Each polite request of a close has its own bound (``teardown_timeout_s``, here 30 s) and
    the close's one deadline over them all (1.5 s): the close request to a host that never answers
    waits what is left of the deadline, not its own 30 s, and the close is done by the deadline."""
    python, pidfile = _stand_in_host(tmp_path)
    backend = PortAudioBackend(python=python, spawn_timeout_s=60.0, init_timeout_s=60.0, stop_timeout_s=30.0)
    backend.close_deadline_s = DEADLINE_S
    errors: list[object] = []
    spec = StreamSpec("scripted", "scripted", 2, 2, 48_000, 256, None)
    stream = PortAudioStream(backend, spec, lambda *a: None, errors.append)
    assert stream.teardown_timeout_s == 30.0
    closer = threading.Thread(target=stream.close, name="closer", daemon=True)
    try:
        closer.start()
        closer.join(DEADLINE_S + SLACK_S)
        assert not closer.is_alive(), (
            f"the close still ran {DEADLINE_S + SLACK_S:.1f} s after it began: its request waited its own "
            f"{stream.teardown_timeout_s} s, not the {DEADLINE_S} s left of the close's deadline")
    finally:
        _end_pipe_holder(pidfile)
        closer.join(60)
    assert [type(e) for e in errors] == [DeviceTimeoutError]


class _UnreapedProcess:
    """A ``Popen`` stand-in for a host that ends only when waited for: ``wait`` records its
    timeout and reaps the host only when given some time."""

    pid = 999_999_999

    def __init__(self) -> None:
        self.returncode: int | None = None
        self.waits: list[float] = []

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import subprocess  # noqa: PLC0415

        self.waits.append(timeout)
        if not timeout:
            raise subprocess.TimeoutExpired("device-host", timeout)
        self.returncode = -signal.SIGKILL
        return self.returncode


def test_a_host_killed_once_the_close_s_deadline_is_spent_is_still_waited_for_and_reaped(monkeypatch):
    """A close whose deadline is spent still kills its host, and waits for it a short grace
    (``_KILL_GRACE_S``): a SIGKILLed process ends in milliseconds, and one not waited for at all is
    left a zombie and logged as having survived the kill."""
    from system_under_test.devices import portaudio  # noqa: PLC0415

    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(portaudio.os, "killpg", lambda pid, sig: killed.append((pid, sig)))
    host = object.__new__(portaudio.DeviceHost)
    host.proc = _UnreapedProcess()
    host.kill(deadline=time.monotonic() - 1.0)
    assert killed == [(_UnreapedProcess.pid, signal.SIGKILL)]
    assert host.proc.waits and host.proc.waits[0] >= portaudio._KILL_GRACE_S > 0
    assert host.proc.returncode == -signal.SIGKILL, "the killed host was never reaped"


def test_a_host_asked_to_exit_is_waited_for_only_what_is_left_of_the_close_s_deadline():
    """A host's shutdown asks it to exit and waits for its exit, each with the host's own timeout
    (here 30 s) and under the close's one deadline (0.5 s left): neither waits past what is left,
    so a host slow to exit cannot hold a close past its deadline by its own timeout."""
    from system_under_test.devices import portaudio  # noqa: PLC0415

    host = object.__new__(portaudio.DeviceHost)
    host.proc = _UnreapedProcess()
    host._gone = threading.Event()
    asked: list[tuple[str, float]] = []
    host.request = lambda op, timeout_s, **args: asked.append((op, timeout_s))  # type: ignore[method-assign]
    host.kill = lambda **kwargs: None  # type: ignore[method-assign]
    host.release = lambda **kwargs: None  # type: ignore[method-assign]
    host.shutdown(30.0, deadline=time.monotonic() + 0.5)
    assert [op for op, _ in asked] == ["exit"] and asked[0][1] <= 0.5
    assert host.proc.waits and 0 < host.proc.waits[0] <= 0.5, host.proc.waits
