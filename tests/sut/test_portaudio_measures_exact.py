"""The PortAudio stream's own measures, each read exactly against a known answer, without a device
host or a JACK server: the delivery thread's schedstat (opened for the thread, read from its start
every time, closed and marked not open after), its CPU time since a block (from a scripted
``/proc``), and the error of a host that ended before its ``hello`` (its bounded wait, its last
400 bytes of stderr).

The fast transport tests drive ``_drain`` by hand and the real-device tests see these figures only
as a stall's evidence on a loaded machine, where no figure is known in advance."""

from __future__ import annotations

import io
import os
import subprocess
import tempfile
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from system_under_test.devices import portaudio
from system_under_test.devices.portaudio import INSTALL_HINT, DeviceHost, PortAudioStream
from system_under_test.errors import BackendUnavailableError, DeviceError

_SCHEDSTAT = "/proc/thread-self/schedstat"


def test_an_open_schedstat_is_read_from_its_start_every_time() -> None:
    """``_schedstat_times`` reads the file again from its first byte (``os.pread`` at 0), whatever
    an earlier read left its offset at: run and wait in seconds from the file's nanoseconds."""
    with tempfile.TemporaryFile() as f:
        f.write(b"7250000000 2500000000 17\n")
        f.flush()
        fd = f.fileno()
        assert portaudio._schedstat_times(fd) == (7.25, 2.5)
        os.lseek(fd, 3, os.SEEK_SET)
        assert portaudio._schedstat_times(fd) == (7.25, 2.5)


def _bare_stream() -> PortAudioStream:
    """A stream object with only what ``_deliver`` and the CPU readers touch."""
    stream = PortAudioStream.__new__(PortAudioStream)
    stream._sched_fd = -1
    stream._wait_at_block, stream._run_at_block = 1.0, 2.0  # left from an earlier run
    stream._delivery_tid = None
    return stream


def test_the_delivery_thread_reads_its_own_schedstat_while_it_runs_and_closes_it_after() -> None:
    stream = _bare_stream()
    seen: dict[str, Any] = {}

    def blocks() -> None:
        fd = stream._sched_fd
        seen.update(fd=fd, tid=stream._delivery_tid, marks=(stream._wait_at_block, stream._run_at_block))
        seen["text"] = os.pread(fd, 128, 0) if fd >= 0 else b""

    stream._deliver_blocks = blocks  # type: ignore[method-assign]
    if not os.path.exists(_SCHEDSTAT):
        pytest.skip("this kernel keeps no schedstat")
    stream._deliver()
    assert seen["fd"] >= 0
    assert seen["tid"] == threading.get_native_id()
    assert seen["marks"] == (None, None)  # nothing read since this run began
    # the file open is this thread's schedstat: three counters, run and wait in nanoseconds
    assert len(seen["text"].split()) == 3 and all(x.isdigit() for x in seen["text"].split())
    assert stream._sched_fd == -1  # closed and marked not open


def test_a_kernel_without_schedstat_leaves_the_delivery_thread_unmeasured(monkeypatch) -> None:
    stream = _bare_stream()
    seen: dict[str, Any] = {}
    real_open = os.open

    def no_schedstat(path: Any, *args: Any, **kwargs: Any) -> int:
        if path == _SCHEDSTAT:
            raise FileNotFoundError(2, "No such file or directory", path)
        return real_open(path, *args, **kwargs)

    stream._deliver_blocks = lambda: seen.update(fd=stream._sched_fd)  # type: ignore[method-assign]
    monkeypatch.setattr(os, "open", no_schedstat)
    stream._deliver()
    monkeypatch.undo()
    assert seen["fd"] == -1  # "-1: not open", the one value every reader asks ``>= 0`` of
    assert stream._sched_fd == -1


class _Proc:
    """``open`` for the schedstat readers: a file's text, or FileNotFoundError for None."""

    def __init__(self, text: str | None) -> None:
        self.text = text

    def __call__(self, path: str, *args: Any, **kwargs: Any) -> Any:
        if self.text is None:
            raise FileNotFoundError(2, "No such file or directory", path)
        return io.StringIO(self.text)


@pytest.mark.parametrize("text, at_block, want", [
    ("7250000000 2500000000 17\n", 7.0, 0.25),
    ("7250000000 2500000000 17\n", 7.5, 0.0),  # never below nothing
    (None, 7.0, None),  # the thread's schedstat gone: not measured
])
def test_the_delivery_thread_s_cpu_run_since_a_block_is_its_run_less_the_one_read_then(
        monkeypatch, text: str | None, at_block: float, want: float | None) -> None:
    stream = _bare_stream()
    stream._delivery_tid, stream._run_at_block = 4242, at_block
    monkeypatch.setattr(portaudio, "open", _Proc(text), raising=False)
    assert stream.delivery_cpu_run_since_block() == want


class _NeverExits:
    """A host process that closed its output and does not exit: ``wait`` with a bound times out
    (as ``Popen.wait`` does), one without a bound would never return."""

    def __init__(self) -> None:
        self.bounds: list[float | None] = []

    def wait(self, timeout: float | None = None) -> int:
        self.bounds.append(timeout)
        if timeout is None:
            raise AssertionError("an unbounded wait for a host that does not exit")
        raise subprocess.TimeoutExpired(["devhost"], timeout)


class _Exited:
    def __init__(self, code: int) -> None:
        self.code = code

    def wait(self, timeout: float | None = None) -> int:
        return self.code


def _ended_host(proc: Any, stderr: bytes) -> DeviceHost:
    host = DeviceHost.__new__(DeviceHost)
    host.proc = proc
    host._stderr = tempfile.TemporaryFile()
    host._stderr.write(stderr)
    return host


def test_a_host_whose_output_closed_but_that_does_not_exit_is_waited_for_5_s_then_named() -> None:
    proc = _NeverExits()
    host = _ended_host(proc, b"")
    try:
        error = host._exit_at_start()
    finally:
        host._stderr.close()
    assert proc.bounds == [5]
    assert type(error) is BackendUnavailableError
    assert error.message == f"device host exited at start (its output closed) ({INSTALL_HINT})"


@pytest.mark.parametrize("code", [3, -11])
def test_a_host_that_ended_at_start_is_named_with_its_last_400_bytes_of_stderr(code: int) -> None:
    words = "b" * 399 + "!"
    host = _ended_host(_Exited(code), ("a" * 100 + words + "\n").encode())
    try:
        error = host._exit_at_start()
    finally:
        host._stderr.close()
    # the tail is the last 400 bytes: the newline and 399 of the 400 words; stripped
    tail = words[1:]
    if code < 0:
        assert type(error) is DeviceError
        assert error.message == f"device host was killed by SIGSEGV at start, as PortAudio initialised: {tail}"
    else:
        assert type(error) is BackendUnavailableError
        assert error.message == f"device host exited at start (exit status 3): {tail} ({INSTALL_HINT})"



@pytest.mark.parametrize("details, want", [
    # the open took 2.1234567 s, the opening thread waited 0.5000001 s of it, the host's reader
    # and main thread 0.25 and 0.125 s: both figures to the microsecond
    ({"reader_cpu_wait_s": 0.25, "host_cpu_wait_s": 0.125}, {"open_s": 2.123457, "open_wait_s": 0.875}),
    ({"reader_cpu_wait_s": 0.25}, {}),  # a host that read one of its waits only: not measured
    ({"host_cpu_wait_s": 0.125}, {}),
    ({}, {}),
])
def test_a_failed_open_without_a_host_is_measured_from_the_waits_its_error_carries(
        monkeypatch, details: dict[str, float], want: dict[str, float]) -> None:
    stream = _bare_stream()
    stream.host = None
    stream._open_t0, stream._open_caller, stream._open_caller_wait0 = 10.0, 4242, 1.0
    monkeypatch.setattr(portaudio, "time", SimpleNamespace(monotonic=lambda: 12.1234567))
    monkeypatch.setattr(portaudio, "thread_cpu_wait", lambda tid: 1.5000001 if tid == 4242 else None)
    assert stream._failed_open_measure(details) == want
